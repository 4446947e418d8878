package oversight_test

import (
	"bytes"
	"flag"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/oversight"
	"github.com/acd-platform/acd/internal/selection/criteria"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestNarrow: what a narrowing may and may not do to a criteria file.
func TestNarrow(t *testing.T) {
	from, until := period()
	file := []byte(critFile("crit-n", 3, from, until, "foreign-domestic", "domestic-foreign"))
	rm := func(r oversight.MatcherRemoval) oversight.Narrowing {
		return oversight.Narrowing{RemoveMatchers: []oversight.MatcherRemoval{r}}
	}
	for _, c := range []struct {
		name  string
		n     oversight.Narrowing
		field string // "" for success; "-" for a field error with no field
		check func(t *testing.T, s *criteria.Set)
	}{
		// Success cases.
		{"later start", oversight.Narrowing{ValidFrom: from.Add(time.Hour)}, "", func(t *testing.T, s *criteria.Set) {
			if !s.ValidFrom.Equal(from.Add(time.Hour)) || !s.ValidUntil.Equal(until) {
				t.Errorf("window %s..%s", s.ValidFrom, s.ValidUntil)
			}
		}},
		{"earlier end with a fraction of a second", oversight.Narrowing{ValidUntil: until.Add(-1500 * time.Millisecond)}, "", func(t *testing.T, s *criteria.Set) {
			if !s.ValidUntil.Equal(until.Add(-1500 * time.Millisecond)) {
				t.Errorf("end %s", s.ValidUntil)
			}
		}},
		{"one direction", oversight.Narrowing{RemoveDirections: []string{"domestic-foreign"}}, "", func(t *testing.T, s *criteria.Set) {
			if s.DirectionSet().String() != "foreign-domestic" {
				t.Errorf("directions %s", s.DirectionSet())
			}
		}},
		{"one rule", oversight.Narrowing{RemoveRules: []string{"webshell"}}, "", func(t *testing.T, s *criteria.Set) {
			if len(s.Rules) != 2 || s.Rules[1].ID != "phish-domains" {
				t.Errorf("rules %+v", s.Rules)
			}
		}},
		{"an address as a prefix", rm(oversight.MatcherRemoval{Rule: "c2-servers", Addresses: []string{"198.51.100.7/32", "2001:db8:bad::/48"}}), "", func(t *testing.T, s *criteria.Set) {
			if want := []netip.Prefix{netip.MustParsePrefix("203.0.113.0/24")}; !slices.Equal(s.Rules[0].Addresses, want) {
				t.Errorf("addresses %v", s.Rules[0].Addresses)
			}
		}},
		{"a domain in any case", rm(oversight.MatcherRemoval{Rule: "phish-domains", Domains: []string{"Evil.Example."}}), "", func(t *testing.T, s *criteria.Set) {
			if d := s.Rules[1].Domains; len(d.Suffix) != 0 || !slices.Equal(d.Exact, []string{"login-example.test"}) {
				t.Errorf("domains %+v", d)
			}
		}},
		{"a port and a command", oversight.Narrowing{RemoveMatchers: []oversight.MatcherRemoval{
			{Rule: "c2-servers", Ports: []string{"icmp"}}, {Rule: "webshell", Commands: []string{"cmd.exe"}}}}, "", func(t *testing.T, s *criteria.Set) {
			if len(s.Rules[0].Ports) != 2 || !slices.Equal(s.Rules[2].Commands, []string{"POST /A3fe"}) {
				t.Errorf("rules %+v", s.Rules)
			}
		}},

		// Refusals.
		{"nothing", oversight.Narrowing{}, "-", nil},
		{"earlier start", oversight.Narrowing{ValidFrom: from.Add(-time.Second)}, "valid_from", nil},
		{"later end", oversight.Narrowing{ValidUntil: until.Add(time.Second)}, "valid_until", nil},
		{"empty window", oversight.Narrowing{ValidFrom: until.Add(-time.Hour), ValidUntil: until.Add(-2 * time.Hour)}, "valid_until", nil},
		{"unknown direction", oversight.Narrowing{RemoveDirections: []string{"sideways"}}, "remove_directions[0]", nil},
		{"direction not in the set", oversight.Narrowing{RemoveDirections: []string{"foreign-foreign"}}, "remove_directions[0]", nil},
		{"every direction", oversight.Narrowing{RemoveDirections: []string{"foreign-domestic", "domestic-foreign"}}, "remove_directions", nil},
		{"unknown rule", oversight.Narrowing{RemoveRules: []string{"nope"}}, "remove_rules[0]", nil},
		{"rule twice", oversight.Narrowing{RemoveRules: []string{"webshell", "webshell"}}, "remove_rules[1]", nil},
		{"every rule", oversight.Narrowing{RemoveRules: []string{"webshell", "c2-servers", "phish-domains"}}, "remove_rules", nil},
		{"values of a removed rule", oversight.Narrowing{RemoveRules: []string{"webshell"},
			RemoveMatchers: []oversight.MatcherRemoval{{Rule: "webshell", Commands: []string{"cmd.exe"}}}}, "remove_matchers[0].rule", nil},
		{"values of an unknown rule", rm(oversight.MatcherRemoval{Rule: "nope", Ports: []string{"tcp/443"}}), "remove_matchers[0].rule", nil},
		{"one rule in two entries", oversight.Narrowing{RemoveMatchers: []oversight.MatcherRemoval{
			{Rule: "c2-servers", Ports: []string{"icmp"}}, {Rule: "c2-servers", Ports: []string{"udp/53"}}}}, "remove_matchers[1].rule", nil},
		{"no values", rm(oversight.MatcherRemoval{Rule: "c2-servers"}), "remove_matchers[0]", nil},
		{"address not in the rule", rm(oversight.MatcherRemoval{Rule: "c2-servers", Addresses: []string{"192.0.2.1"}}), "remove_matchers[0].addresses[0]", nil},
		{"not an address", rm(oversight.MatcherRemoval{Rule: "c2-servers", Addresses: []string{"example.com"}}), "remove_matchers[0].addresses[0]", nil},
		{"value listed twice", rm(oversight.MatcherRemoval{Rule: "c2-servers", Ports: []string{"icmp", "icmp"}}), "remove_matchers[0].ports[1]", nil},
		{"port spelled otherwise", rm(oversight.MatcherRemoval{Rule: "c2-servers", Ports: []string{"TCP/443"}}), "remove_matchers[0].ports[0]", nil},
		{"every port: the rule would widen", rm(oversight.MatcherRemoval{Rule: "c2-servers", Ports: []string{"tcp/443", "udp/53", "icmp"}}), "remove_matchers[0].ports", nil},
		{"every command: the rule would widen", rm(oversight.MatcherRemoval{Rule: "webshell", Commands: []string{"cmd.exe", "POST /A3fe"}}), "remove_matchers[0].commands", nil},
		{"every domain: the rule would widen", rm(oversight.MatcherRemoval{Rule: "phish-domains", Domains: []string{"evil.example", "login-example.test"}}), "remove_matchers[0].domains", nil},
		{"domain not in the rule", rm(oversight.MatcherRemoval{Rule: "phish-domains", Domains: []string{"good.example"}}), "remove_matchers[0].domains[0]", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, set, err := oversight.Narrow(file, c.n)
			if c.field != "" {
				field := c.field
				if field == "-" {
					field = ""
				}
				wantField(t, c.name, err, field)
				return
			}
			if err != nil {
				t.Fatalf("Narrow: %v", err)
			}
			again, err := criteria.Parse(out)
			if err != nil {
				t.Fatalf("the narrowed file does not parse: %v", err)
			}
			if again.SHA256 != set.SHA256 || set.ID != "crit-n" || set.Version != 4 || set.Authority != "ACQ-TEST" {
				t.Errorf("narrowed set %s v%d (%s)", set.ID, set.Version, set.Authority)
			}
			c.check(t, set)
		})
	}
}

// TestNarrowGolden pins the narrowed file's bytes: they are what the
// approval's manifest hashes. Run with -update to rewrite.
func TestNarrowGolden(t *testing.T) {
	in, err := os.ReadFile(filepath.Join("testdata", "narrow-in.json"))
	if err != nil {
		t.Fatal(err)
	}
	n := oversight.Narrowing{
		ValidUntil:       time.Date(2026, 11, 15, 0, 0, 0, 0, time.UTC),
		RemoveDirections: []string{"foreign-foreign"},
		RemoveRules:      []string{"webshell"},
		RemoveMatchers:   []oversight.MatcherRemoval{{Rule: "c2-servers", Addresses: []string{"2001:db8:bad::/48"}, Ports: []string{"icmp"}}},
	}
	out, _, err := oversight.Narrow(in, n)
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "narrow-out.golden.json")
	if *update {
		if err := os.WriteFile(golden, out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, want) {
		t.Errorf("narrowed file:\n%s\nwant:\n%s", out, want)
	}
}
