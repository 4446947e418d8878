package criteria_test

import (
	"crypto/sha256"
	"errors"
	"net/netip"
	"os"
	"testing"

	"github.com/acd-platform/acd/internal/selection/criteria"
)

// FuzzParse feeds arbitrary bytes to Parse. It must not panic; every error
// must be a *FieldError or *SyntaxError; and a Set that parses must carry
// the SHA-256 of the input, parse the same way again, compile, and answer
// queries.
//
// Seeds: testdata/example.json and the named files in
// testdata/fuzz/FuzzParse (duplicate keys at each level, unknown and
// case-changed fields, escapes in commands, nested prefixes and port ranges,
// nulls, trailing data, invalid UTF-8, deep nesting, a second document).
func FuzzParse(f *testing.F) {
	example, err := os.ReadFile("testdata/example.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(example)
	tuples := []criteria.Tuple{
		{Src: netip.MustParseAddr("203.0.113.9"), Dst: netip.MustParseAddr("192.0.2.1"), Proto: 6, SrcPort: 40000, DstPort: 443},
		{Src: netip.MustParseAddr("2001:db8:bad::1"), Dst: netip.MustParseAddr("2001:db8::2"), Proto: 17, SrcPort: 53, DstPort: 5353},
		{Proto: 1},
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := criteria.Parse(data)
		if err != nil {
			var fe *criteria.FieldError
			var se *criteria.SyntaxError
			if !errors.As(err, &fe) && !errors.As(err, &se) {
				t.Fatalf("error %q is %T, want *FieldError or *SyntaxError", err, err)
			}
			return
		}
		if s.SHA256 != sha256.Sum256(data) {
			t.Fatalf("SHA256 is not that of the input")
		}
		again, err := criteria.Parse(data)
		if err != nil || again.Matchers() != s.Matchers() || len(again.Rules) != len(s.Rules) {
			t.Fatalf("second parse differs: %v", err)
		}
		m, err := criteria.Compile(s)
		if err != nil {
			t.Fatalf("Compile of a parsed set: %v", err)
		}
		if m.Count() != s.Matchers() {
			t.Fatalf("Count() = %d, want %d", m.Count(), s.Matchers())
		}
		for i := range tuples {
			tu := &tuples[i]
			for _, r := range []struct {
				rule int
				ok   bool
			}{
				pair(m.MatchTuple(tu)),
				pair(m.MatchDomain(tu, []byte("a.evil.example"))),
				pair(m.MatchCommand(tu, []byte("POST /A3fe cmd.exe HTTP/1.1"))),
			} {
				if r.ok && (r.rule < 0 || r.rule >= len(s.Rules) || m.RuleID(r.rule) != s.Rules[r.rule].ID) {
					t.Fatalf("match reported rule %d of %d", r.rule, len(s.Rules))
				}
			}
			m.WantsApp(tu)
		}
	})
}

func pair(rule int, ok bool) struct {
	rule int
	ok   bool
} {
	return struct {
		rule int
		ok   bool
	}{rule, ok}
}
