package textfield_test

import (
	"strings"
	"testing"

	"github.com/acd-platform/acd/internal/textfield"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		name     string
		s        string
		max      int
		required bool
		want     string // the error, "" for none
	}{
		// Text with line breaks and tabs is free text.
		{"ok", "line one\r\nline\ttwo", 100, true, ""},
		// Blank is missing when required, and fine when not.
		{"blank required", " \n\t", 100, true, "f: required"},
		{"blank optional", "", 100, false, ""},
		// Characters are counted, not bytes.
		{"at max", strings.Repeat("あ", 5), 5, true, ""},
		{"over max", strings.Repeat("あ", 6), 5, true, "f: 6 characters, at most 5 allowed"},
		// Bad bytes and control characters say where.
		{"bad utf8", "a\xffb", 100, true, "f: not valid UTF-8"},
		{"control", "ab\x07", 100, true, "f: control character U+0007 at byte 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := textfield.Check("f", tt.s, tt.max, tt.required)
			if got := errString(err); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCheckLine(t *testing.T) {
	tests := []struct {
		name string
		s    string
		want string
	}{
		// One line of ordinary text.
		{"ok", "A title", ""},
		// A line break is refused, whichever.
		{"newline", "a\nb", "title: must be one line"},
		{"carriage return", "a\rb", "title: must be one line"},
		// MaxLine bounds it.
		{"long", strings.Repeat("x", textfield.MaxLine+1), "title: 201 characters, at most 200 allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := errString(textfield.CheckLine("title", tt.s, true)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCut(t *testing.T) {
	tests := []struct {
		s, want string
		n       int
	}{
		{"short", "short", 10},           // fits
		{"exactly", "exactly", 7},        // fits exactly
		{"abcdefgh", "abc…", 4},          // cut, the ellipsis counts
		{"あいうえお", "あい…", 3},              // characters, not bytes
		{" first \nsecond", "first", 10}, // FirstLine only
	}
	for _, tt := range tests {
		got := textfield.FirstLine(tt.s, tt.n)
		if !strings.Contains(tt.s, "\n") {
			got = textfield.Cut(tt.s, tt.n)
		}
		if got != tt.want {
			t.Errorf("cut %q to %d: got %q, want %q", tt.s, tt.n, got, tt.want)
		}
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
