package web_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/acd-platform/acd/internal/measures"
	"github.com/acd-platform/acd/internal/web"
)

// TestParseTargets: the targets field's lines, by example.
func TestParseTargets(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []measures.Target
		err      string // the error's field, "" for none
	}{
		{"full line", "203.0.113.7|c2.example|Example Hosting|abuse@x.example|NL",
			[]measures.Target{{Address: "203.0.113.7", Domain: "c2.example", HostingProvider: "Example Hosting", AbuseContact: "abuse@x.example", Country: "NL"}}, ""},
		// Trailing fields left out, spaces trimmed, blank lines skipped.
		{"short lines", " 198.51.100.0/24 | x.example \n\n|only.example", []measures.Target{{Address: "198.51.100.0/24", Domain: "x.example"}, {Domain: "only.example"}}, ""},
		// One field: an address when it reads as one, else a domain.
		{"one field", "2001:db8::1\nbad.example", []measures.Target{{Address: "2001:db8::1"}, {Domain: "bad.example"}}, ""},
		{"too many fields", "a|b|c|d|e|f", nil, "targets[0]"},
		{"empty", "\n  \n", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := web.ParseTargets(tc.in)
			if tc.err != "" {
				fe, ok := err.(*measures.FieldError)
				if !ok || fe.Field != tc.err {
					t.Fatalf("got error %v, want one on %s", err, tc.err)
				}
				return
			}
			if err != nil || !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

// FuzzMeasureTargets: no targets field panics; what parses has a line for
// each target and renders back to lines that parse to the same targets;
// a bad line is an error on its place. The seed corpus is in
// testdata/fuzz/FuzzMeasureTargets.
func FuzzMeasureTargets(f *testing.F) {
	f.Fuzz(func(t *testing.T, v string) {
		ts, lines, err := web.ParseTargets(v)
		if err != nil {
			fe, ok := err.(*measures.FieldError)
			var i int
			if !ok || ts != nil {
				t.Fatalf("error %v (%T) with %d targets; want a field error and none", err, err, len(ts))
			}
			if _, serr := fmt.Sscanf(fe.Field, "targets[%d]", &i); serr != nil || i >= len(lines) {
				t.Fatalf("error on %q with %d lines; want one on targets[i] of a line", fe.Field, len(lines))
			}
			return
		}
		if len(lines) != len(ts) {
			t.Fatalf("%d targets, %d lines", len(ts), len(lines))
		}
		var b strings.Builder
		for _, x := range ts {
			fmt.Fprintf(&b, "%s|%s|%s|%s|%s\n", x.Address, x.Domain, x.HostingProvider, x.AbuseContact, x.Country)
		}
		again, _, err := web.ParseTargets(b.String())
		if err != nil || !slices.Equal(again, ts) {
			t.Fatalf("rendered %q parses to %v, %v; want %v", b.String(), again, err, ts)
		}
	})
}

// FuzzMeasureEvidence: no evidence field panics; what parses has a line
// for each file and renders back, as sha256sum's binary mode prints it,
// to the same files; a bad line is an error on evidence[i]. The seed
// corpus is in testdata/fuzz/FuzzMeasureEvidence.
func FuzzMeasureEvidence(f *testing.F) {
	f.Fuzz(func(t *testing.T, v string) {
		es, lines, err := web.ParseEvidence(v)
		if err != nil {
			fe, ok := err.(*measures.FieldError)
			if !ok || !strings.HasPrefix(fe.Field, "evidence[") || len(lines) == 0 {
				t.Fatalf("error %v (%T) with %d lines; want a field error on evidence[i]", err, err, len(lines))
			}
			return
		}
		if len(lines) != len(es) {
			t.Fatalf("%d files, %d lines", len(es), len(lines))
		}
		var b strings.Builder
		for _, e := range es {
			if e.Name == "" || strings.ContainsFunc(e.SHA256, func(r rune) bool { return r == ' ' || r == '\t' || r == '\n' }) {
				t.Fatalf("file %+v: want a name and a SHA-256 without spaces", e)
			}
			fmt.Fprintf(&b, "%s *%s\n", e.SHA256, e.Name)
		}
		again, _, err := web.ParseEvidence(b.String())
		if err != nil || !slices.Equal(again, es) {
			t.Fatalf("rendered %q parses to %v, %v; want %v", b.String(), again, err, es)
		}
	})
}
