package sector_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/sector"
)

func TestSectors(t *testing.T) {
	all := sector.All()
	if got, want := len(all), 15; got != want {
		t.Fatalf("got %d sectors, want %d", got, want)
	}
	seen := map[string]bool{}
	for _, s := range all {
		if seen[s.Code] {
			t.Errorf("sector %q listed twice", s.Code)
		}
		seen[s.Code] = true
		if s.Name == "" || s.NameJA == "" {
			t.Errorf("sector %q: missing name", s.Code)
		}
		if _, ok := sector.MinistryByCode(s.Ministry); !ok {
			t.Errorf("sector %q: unknown ministry %q", s.Code, s.Ministry)
		}
	}
}

func TestMinistryOfSector(t *testing.T) {
	tests := []struct {
		code, want string
	}{
		{"electricity", sector.METI},
		{"credit_cards", sector.METI},
		{"water_supply", sector.MLIT}, // since April 2024; before, MHLW
		{"ports", sector.MLIT},
		{"broadcasting", sector.MIC},
		{"finance", sector.FSA},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			s, ok := sector.ByCode(tt.code)
			if !ok {
				t.Fatalf("ByCode(%q): not found", tt.code)
			}
			if s.Ministry != tt.want {
				t.Errorf("got ministry %q, want %q", s.Ministry, tt.want)
			}
		})
	}
	if sector.Valid("nuclear") {
		t.Error(`Valid("nuclear") = true, want false`)
	}
}

func TestOfMinistry(t *testing.T) {
	got := sector.OfMinistry(sector.MIC)
	want := []string{"telecommunications", "broadcasting", "postal"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("OfMinistry(mic) (-want +got):\n%s", diff)
	}
	n := 0
	for _, m := range sector.Ministries() {
		n += len(sector.OfMinistry(m.Code))
	}
	if n != 15 {
		t.Errorf("ministries cover %d sectors, want 15", n)
	}
}
