package web_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/sharing"
	"github.com/acd-platform/acd/internal/web"
)

// TestParseIndicators: the indicators field's lines, by example.
func TestParseIndicators(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []sharing.Indicator
		err      string // the error's field, "" for none
	}{
		{"typed with a description", "ipv4 203.0.113.7 C2 サーバ", []sharing.Indicator{{Type: "ipv4", Value: "203.0.113.7", Description: "C2 サーバ"}}, ""},
		// The type is read in any case; the service canonicalises the value.
		{"type in capitals", "DOMAIN Evil.Example.", []sharing.Indicator{{Type: "domain", Value: "Evil.Example."}}, ""},
		// Without a type, the value says what it is.
		{"inferred", "198.51.100.0/24\n2001:db8::1 v6\ne3b0c44298fc1c149afbf4c8996fb924\nhttps://evil.example/a\nx@evil.example\nc2.example",
			[]sharing.Indicator{{Type: "ipv4", Value: "198.51.100.0/24"}, {Type: "ipv6", Value: "2001:db8::1", Description: "v6"},
				{Type: "md5", Value: "e3b0c44298fc1c149afbf4c8996fb924"}, {Type: "url", Value: "https://evil.example/a"},
				{Type: "email", Value: "x@evil.example"}, {Type: "domain", Value: "c2.example"}}, ""},
		{"hashes by length", strings.Repeat("a", 40) + "\n" + strings.Repeat("B", 64),
			[]sharing.Indicator{{Type: "sha1", Value: strings.Repeat("a", 40)}, {Type: "sha256", Value: strings.Repeat("B", 64)}}, ""},
		// A STIX pattern keeps its spaces, typed or starting with "[".
		{"patterns", "stix [file:name = 'a b.exe']\n[url:value = 'https://x.example/']",
			[]sharing.Indicator{{Type: "stix", Pattern: "[file:name = 'a b.exe']"}, {Type: "stix", Pattern: "[url:value = 'https://x.example/']"}}, ""},
		{"blank lines and CRLF", "\r\n  ipv4 203.0.113.9  \r\n\r\n", []sharing.Indicator{{Type: "ipv4", Value: "203.0.113.9"}}, ""},
		{"a type without a value", "203.0.113.7\nsha256", nil, "technical.indicators[1].value"},
		{"too many", strings.Repeat("203.0.113.7\n", 501), nil, "technical.indicators[500]"},
		{"empty", " \n ", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := web.ParseIndicators(tc.in)
			if tc.err != "" {
				fe, ok := err.(*sharing.FieldError)
				if !ok || fe.Field != tc.err {
					t.Fatalf("got error %v, want one on %s", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Fatalf("indicators (-want +got):\n%s", d)
			}
		})
	}
}

// TestParseTechniques: the techniques and the RED recipients' names, by
// example.
func TestParseTechniques(t *testing.T) {
	got, lines, err := web.ParseTechniques("T1190 Exploit Public-Facing Application\n\n t1059.001 ")
	want := []sharing.Technique{{ID: "T1190", Name: "Exploit Public-Facing Application"}, {ID: "t1059.001"}}
	if err != nil || !slices.Equal(got, want) || !slices.Equal(lines, []int{1, 3}) {
		t.Errorf("got %v, lines %v, %v; want %v on lines 1 and 3", got, lines, err, want)
	}
	if _, _, err := web.ParseTechniques(strings.Repeat("T1190\n", 101)); err == nil {
		t.Error("101 techniques parse; want an error")
	}
	names, err := web.ParseUserNames("oprs, opr\nopr、vendor  oprs")
	if err != nil || !slices.Equal(names, []string{"oprs", "opr", "vendor"}) {
		t.Errorf("user names: got %v, %v; want [oprs opr vendor]", names, err)
	}
	var many []string
	for i := range 501 {
		many = append(many, fmt.Sprintf("user%d", i))
	}
	if names, err := web.ParseUserNames(strings.Join(many[:500], " ")); err != nil || len(names) != 500 {
		t.Errorf("500 names: got %d, %v; want 500", len(names), err)
	}
	if _, err := web.ParseUserNames(strings.Join(many, " ")); err == nil {
		t.Error("501 names parse; want an error")
	}
}

// indicatorTypes are the types an indicator line may give.
var indicatorTypes = []string{"ipv4", "ipv6", "domain", "url", "md5", "sha1", "sha256", "email", "stix"}

// FuzzAdvisoryIndicators: no indicators field panics; what parses has a
// line for each indicator, a known type, a value without spaces (or, for
// stix, a pattern) and a one-line description, and formats back to lines
// that parse to the same indicators; a bad line is an error on its place.
// The seed corpus is in testdata/fuzz/FuzzAdvisoryIndicators.
func FuzzAdvisoryIndicators(f *testing.F) {
	f.Fuzz(func(t *testing.T, v string) {
		is, lines, err := web.ParseIndicators(v)
		if err != nil {
			fe, ok := err.(*sharing.FieldError)
			var i int
			if !ok || is != nil {
				t.Fatalf("error %v (%T) with %d indicators; want a field error and none", err, err, len(is))
			}
			if _, serr := fmt.Sscanf(fe.Field, "technical.indicators[%d]", &i); serr != nil || i >= len(lines) {
				t.Fatalf("error on %q with %d lines; want one on technical.indicators[i] of a line", fe.Field, len(lines))
			}
			return
		}
		if len(lines) != len(is) {
			t.Fatalf("%d indicators, %d lines", len(is), len(lines))
		}
		for _, x := range is {
			switch {
			case !slices.Contains(indicatorTypes, x.Type):
				t.Fatalf("indicator %+v: unknown type", x)
			case x.Type == "stix" && (x.Pattern == "" || x.Value != "" || x.Description != ""):
				t.Fatalf("indicator %+v: want a pattern only", x)
			case x.Type != "stix" && (x.Value == "" || x.Pattern != "" || strings.ContainsFunc(x.Value, unicode.IsSpace)):
				t.Fatalf("indicator %+v: want a value without spaces and no pattern", x)
			case strings.ContainsAny(x.Description, "\n") || strings.ContainsAny(x.Pattern, "\n"):
				t.Fatalf("indicator %+v: a line break", x)
			}
		}
		s := web.FormatIndicators(is)
		again, _, err := web.ParseIndicators(s)
		if err != nil || !slices.Equal(again, is) {
			t.Fatalf("formatted %q parses to %v, %v; want %v", s, again, err, is)
		}
	})
}

// FuzzAdvisoryTechniques: no techniques field panics; what parses has a
// line for each technique and an id without spaces, and formats back to
// the same techniques. The seed corpus is in
// testdata/fuzz/FuzzAdvisoryTechniques.
func FuzzAdvisoryTechniques(f *testing.F) {
	f.Fuzz(func(t *testing.T, v string) {
		ts, lines, err := web.ParseTechniques(v)
		if err != nil {
			if fe, ok := err.(*sharing.FieldError); !ok || fe.Field != "technical.techniques[100]" || ts != nil {
				t.Fatalf("error %v (%T); want one on technical.techniques[100]", err, err)
			}
			return
		}
		if len(lines) != len(ts) {
			t.Fatalf("%d techniques, %d lines", len(ts), len(lines))
		}
		for _, x := range ts {
			if x.ID == "" || strings.ContainsFunc(x.ID, unicode.IsSpace) || strings.Contains(x.Name, "\n") {
				t.Fatalf("technique %+v: want an id without spaces and a one-line name", x)
			}
		}
		s := web.FormatTechniques(ts)
		again, _, err := web.ParseTechniques(s)
		if err != nil || !slices.Equal(again, ts) {
			t.Fatalf("formatted %q parses to %v, %v; want %v", s, again, err, ts)
		}
	})
}

// FuzzAdvisoryUserNames: no recipients field panics; what parses are
// distinct names without separators, at most 500, which one a line parse
// to the same names. The seed corpus is in
// testdata/fuzz/FuzzAdvisoryUserNames.
func FuzzAdvisoryUserNames(f *testing.F) {
	f.Fuzz(func(t *testing.T, v string) {
		names, err := web.ParseUserNames(v)
		if err != nil {
			if fe, ok := err.(*sharing.FieldError); !ok || fe.Field != "recipients.users" || names != nil {
				t.Fatalf("error %v (%T); want one on recipients.users", err, err)
			}
			return
		}
		if len(names) > 500 {
			t.Fatalf("%d names, at most 500", len(names))
		}
		for i, n := range names {
			if n == "" || strings.ContainsAny(n, ",、") || strings.ContainsFunc(n, unicode.IsSpace) || slices.Contains(names[:i], n) {
				t.Fatalf("name %q: want a distinct name without separators", n)
			}
		}
		again, err := web.ParseUserNames(strings.Join(names, "\n"))
		if err != nil || !slices.Equal(again, names) {
			t.Fatalf("one a line parses to %v, %v; want %v", again, err, names)
		}
	})
}
