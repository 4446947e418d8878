package direction_test

import (
	"encoding/json"
	"testing"

	"github.com/acd-platform/acd/internal/selection/direction"
)

func TestDirectionNames(t *testing.T) {
	tests := []struct {
		d        direction.Direction
		name, ja string
	}{
		{direction.ForeignForeign, "foreign-foreign", "外外"},
		{direction.ForeignDomestic, "foreign-domestic", "外内"},
		{direction.DomesticForeign, "domestic-foreign", "内外"},
		{direction.DomesticDomestic, "domestic-domestic", "内内"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.d.String(); got != tt.name {
				t.Errorf("String() = %q, want %q", got, tt.name)
			}
			if got := tt.d.Japanese(); got != tt.ja {
				t.Errorf("Japanese() = %q, want %q", got, tt.ja)
			}
			got, err := direction.ParseDirection(tt.name)
			if err != nil || got != tt.d {
				t.Errorf("ParseDirection(%q) = %v, %v; want %v, nil", tt.name, got, err, tt.d)
			}
			text, err := tt.d.MarshalText()
			if err != nil || string(text) != tt.name {
				t.Errorf("MarshalText() = %q, %v; want %q, nil", text, err, tt.name)
			}
			var back direction.Direction
			if err := back.UnmarshalText(text); err != nil || back != tt.d {
				t.Errorf("UnmarshalText(%q) = %v, %v; want %v, nil", text, back, err, tt.d)
			}
		})
	}
}

func TestParseDirectionErrors(t *testing.T) {
	for _, s := range []string{
		"",                 // empty
		"Foreign-Foreign",  // names are case-sensitive
		"外外",               // Japanese names are for display only
		"foreign",          // half a direction
		"foreign-foreign ", // trailing space
	} {
		if d, err := direction.ParseDirection(s); err == nil {
			t.Errorf("ParseDirection(%q) = %v, nil; want an error", s, d)
		}
	}
	if _, err := direction.Direction(4).MarshalText(); err == nil {
		t.Errorf("Direction(4).MarshalText() succeeded, want an error")
	}
	if got, want := direction.Direction(9).String(), "direction(9)"; got != want {
		t.Errorf("Direction(9).String() = %q, want %q", got, want)
	}
}

func TestDirectionJSON(t *testing.T) {
	in := []direction.Direction{direction.ForeignDomestic, direction.DomesticForeign}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `["foreign-domestic","domestic-foreign"]`; got != want {
		t.Errorf("json.Marshal = %s, want %s", got, want)
	}
	var out []direction.Direction
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if len(out) != 2 || out[0] != in[0] || out[1] != in[1] {
		t.Errorf("round trip = %v, want %v", out, in)
	}
}

func TestSet(t *testing.T) {
	var s direction.Set
	if got, want := s.String(), "none"; got != want {
		t.Errorf("empty String() = %q, want %q", got, want)
	}
	s.Add(direction.DomesticForeign)
	s.Add(direction.ForeignForeign)
	s.Add(direction.DomesticForeign) // adding twice changes nothing
	s.Add(direction.Direction(7))    // out of range: ignored
	if got, want := s.String(), "foreign-foreign,domestic-foreign"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got, want := s.Len(), 2; got != want {
		t.Errorf("Len() = %d, want %d", got, want)
	}
	for d, want := range map[direction.Direction]bool{
		direction.ForeignForeign:   true,
		direction.ForeignDomestic:  false,
		direction.DomesticForeign:  true,
		direction.DomesticDomestic: false,
		direction.Direction(7):     false,
	} {
		if got := s.Has(d); got != want {
			t.Errorf("Has(%v) = %v, want %v", d, got, want)
		}
	}
}
