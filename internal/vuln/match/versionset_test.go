package match_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/acd-platform/acd/internal/vuln/cve"
	"github.com/acd-platform/acd/internal/vuln/match"
)

// TestCompiledSet checks that the set of affected versions compiled for
// the index agrees with the CVE 5 algorithm for random version lists.
func TestCompiledSet(t *testing.T) {
	w := world{rand.New(rand.NewPCG(1, 2))}
	probes := append([]string{"0", "0.9", "1.05", "1.2-beta", "3", "10.2.10", "abc"}, worldVersions...)
	for i := range 3000 {
		vs := w.versions()
		for _, v := range probes {
			want := match.VersionStatus(vs, v) == cve.StatusAffected
			if got := match.SetContains(vs, v); got != want {
				t.Fatalf("case %d: %+v: version %s: set says %v, VersionStatus says %v", i, vs, v, got, want)
			}
		}
	}
}

// FuzzVersionSet builds a version list from the fuzzer's string (entries
// separated by ";", each "status scheme exact" or "status scheme
// start..end" with "(" or "[" and ")" or "]" for excluded or included
// ends, and "@at=status" changes) and checks the compiled set against
// VersionStatus for the versions named in it.
func FuzzVersionSet(f *testing.F) {
	f.Add("a semver [1.0..2.0) @1.5=u;u  1.7;a custom (2.0..3.*]", "a") // ranges, a change, a branch bound
	f.Add("u git abc;a git [0..z)", "u")                                // commits
	f.Add("a  [..1.0-rc1];u  [1.0-rc1..]", "k")                         // open ends, pre-releases
	f.Fuzz(func(t *testing.T, spec, def string) {
		vs, versions := parseSpec(spec, def)
		if len(vs.Ranges) > 20 {
			return
		}
		for _, v := range versions {
			want := match.VersionStatus(vs, v) == cve.StatusAffected
			if got := match.SetContains(vs, v); got != want {
				t.Fatalf("%+v: version %q: set says %v, VersionStatus says %v", vs, v, got, want)
			}
		}
	})
}

// parseSpec reads FuzzVersionSet's little language; it never fails, it
// makes something of anything.
func parseSpec(spec, def string) (cve.Versions, []string) {
	status := func(s string) cve.Status {
		switch strings.TrimSpace(s) {
		case "a":
			return cve.StatusAffected
		case "u":
			return cve.StatusUnaffected
		}
		return cve.StatusUnknown
	}
	vs := cve.Versions{Default: status(def)}
	versions := []string{"0", "9999"}
	for _, e := range strings.Split(spec, ";") {
		f := strings.SplitN(e, " ", 3)
		for len(f) < 3 {
			f = append(f, "")
		}
		r := cve.Range{Status: status(f[0]), Scheme: f[1]}
		body, changes, _ := strings.Cut(f[2], "@")
		if lo, hi, ok := strings.Cut(body, ".."); ok && len(lo) > 0 && len(hi) > 0 {
			r.StartExcluded = lo[0] == '('
			r.EndIncluded = hi[len(hi)-1] == ']'
			r.Start, r.End = strings.Trim(lo[1:], " "), strings.Trim(hi[:len(hi)-1], " ")
			if r.Start == "" && r.End == "" {
				r.End = "*" // keep it a range
			}
		} else {
			r.Exact = strings.TrimSpace(body)
			if r.Exact == "" {
				r.Exact = "0"
			}
		}
		for c := range strings.SplitSeq(changes, "@") {
			if at, st, ok := strings.Cut(c, "="); ok && r.Exact == "" {
				r.Changes = append(r.Changes, cve.Change{At: at, Status: status(st)})
				versions = append(versions, at)
			}
		}
		versions = append(versions, r.Exact, r.Start, r.End, strings.TrimSuffix(r.End, "*")+"5", fmt.Sprint(r.Start, ".1"))
		vs.Ranges = append(vs.Ranges, r)
	}
	return vs, versions
}
