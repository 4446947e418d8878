package match_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/product"
	"github.com/acd-platform/acd/internal/vuln/cve"
	"github.com/acd-platform/acd/internal/vuln/match"
)

// world makes random assets and vulnerabilities over a few products and
// versions, so that they often meet.
type world struct {
	r *rand.Rand
}

var (
	worldVersions = []string{"1.0", "1.0.0", "1.1", "1.2-rc1", "1.2", "1.10", "2.0.0-beta.1", "2.0.0", "2.0.1", "10.2.9", "10.2.9-h1", "9.1R18"}
	worldProducts = []string{"acme:vpn", "acme:gw", "initech:vpn"}
	worldPkgs     = []string{"pkg:npm/left-pad", "pkg:maven/org.acme/core", "pkg:deb/debian/openssl"}
)

func (w world) pick(l []string) string { return l[w.r.IntN(len(l))] }

func (w world) asset(id string) match.Asset {
	a := match.Asset{ID: id, Org: "org" + id, Sector: "sector" + fmt.Sprint(w.r.IntN(3))}
	if w.r.IntN(4) > 0 {
		ver := w.pick(worldVersions)
		switch w.r.IntN(8) {
		case 0:
			ver = "*"
		case 1:
			ver = "-"
		}
		upd := "*"
		if w.r.IntN(6) == 0 {
			upd = "h1"
		}
		part := []string{"a", "o", "h", "*", "-"}[w.r.IntN(5)]
		c, err := product.ParseCPE("cpe:2.3:" + part + ":" + w.pick(worldProducts) + ":" + ver + ":" + upd + ":*:*:*:*:*:*")
		if err != nil {
			panic(err)
		}
		a.CPE = &c
	}
	if a.CPE == nil || w.r.IntN(3) == 0 {
		s := w.pick(worldPkgs)
		if w.r.IntN(5) > 0 {
			s += "@" + w.pick(worldVersions)
		}
		if w.r.IntN(4) == 0 {
			s += "?arch=amd64"
		}
		p, err := product.ParsePURL(s)
		if err != nil {
			panic(err)
		}
		a.PURL = &p
	}
	return a
}

func (w world) versions() cve.Versions {
	schemes := []string{"", "semver", "custom", "git"}
	vs := cve.Versions{Default: cve.Status(w.r.IntN(3))}
	for range w.r.IntN(4) {
		r := cve.Range{Status: cve.Status(w.r.IntN(3)), Scheme: schemes[w.r.IntN(len(schemes))]}
		if w.r.IntN(3) == 0 {
			r.Exact = w.pick(worldVersions)
		} else {
			if w.r.IntN(4) > 0 {
				r.Start, r.StartExcluded = w.pick(worldVersions), w.r.IntN(3) == 0
			}
			if w.r.IntN(4) > 0 {
				r.End, r.EndIncluded = w.pick(worldVersions), w.r.IntN(2) == 0
				if w.r.IntN(6) == 0 {
					r.End = "1.*"
				}
			}
			for range w.r.IntN(3) {
				r.Changes = append(r.Changes, cve.Change{At: w.pick(worldVersions), Status: cve.Status(w.r.IntN(3))})
			}
		}
		vs.Ranges = append(vs.Ranges, r)
	}
	return vs
}

func (w world) vuln(id string) *cve.Vulnerability {
	v := &cve.Vulnerability{ID: id, Rejected: w.r.IntN(20) == 0}
	for range 1 + w.r.IntN(3) {
		var a cve.Affected
		if w.r.IntN(3) > 0 {
			prod := w.pick(worldProducts)
			switch w.r.IntN(10) {
			case 0:
				prod = "acme:*" // wildcard product: no bucket
			case 1:
				prod = "*:vpn"
			}
			ver := "*"
			switch w.r.IntN(8) {
			case 0:
				ver = w.pick(worldVersions)
			case 1:
				ver = "-"
			case 2:
				ver = "1.*"
			}
			part := []string{"a", "o", "h", "*", "-"}[w.r.IntN(5)]
			c, err := product.ParseCPE("cpe:2.3:" + part + ":" + prod + ":" + ver + ":*:*:*:*:*:*:*")
			if err != nil {
				panic(err)
			}
			a.CPE = &c
		} else {
			s := w.pick(worldPkgs)
			if w.r.IntN(5) == 0 {
				s += "?arch=amd64"
			}
			p, err := product.ParsePURL(s)
			if err != nil {
				panic(err)
			}
			a.PURL = &p
		}
		a.Versions = w.versions()
		v.Affected = append(v.Affected, a)
	}
	return v
}

// bruteForce computes the full match by comparing every asset with every
// vulnerability.
func bruteForce(assets map[string]match.Asset, vulns map[string]*cve.Vulnerability) map[match.Pair]bool {
	out := map[match.Pair]bool{}
	for _, a := range assets {
		for _, v := range vulns {
			if v.Rejected {
				continue
			}
			for i, af := range v.Affected {
				hit := a.CPE != nil && af.CPE != nil && match.AffectsCPE(&af, *a.CPE) ||
					a.PURL != nil && af.PURL != nil && match.AffectsPURL(&af, *a.PURL)
				if hit {
					out[match.Pair{Asset: a.ID, Org: a.Org, Sector: a.Sector, Vuln: v.ID, Affected: i}] = true
					break
				}
			}
		}
	}
	return out
}

func collect(ix *match.Index) map[match.Pair]bool {
	out := map[match.Pair]bool{}
	for p := range ix.Pairs() {
		if out[p] {
			panic(fmt.Sprintf("pair %+v twice", p))
		}
		out[p] = true
	}
	return out
}

// TestIndexAgainstBruteForce applies random changes to an Index and checks
// after each that its full match is the brute-force one, and that the
// deltas it returned, applied to the previous match, give the new one.
func TestIndexAgainstBruteForce(t *testing.T) {
	seeds := uint64(16)
	if testing.Short() {
		seeds = 4
	}
	for seed := range seeds {
		// The later seeds hold enough vulnerabilities per product for
		// the asset side's stab index to be built and used.
		nVulns, nSteps := 30, 120
		if seed >= 12 || testing.Short() && seed >= 2 {
			nVulns, nSteps = 250, 40
		}
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			w := world{rand.New(rand.NewPCG(seed, 7))}
			assets := map[string]match.Asset{}
			vulns := map[string]*cve.Vulnerability{}
			var al []match.Asset
			var vl []*cve.Vulnerability
			for i := range 30 {
				a := w.asset(fmt.Sprint("a", i))
				assets[a.ID] = a
				al = append(al, a)
			}
			for i := range nVulns {
				v := w.vuln(fmt.Sprint("CVE-2025-", 1000+i))
				vulns[v.ID] = v
				vl = append(vl, v)
			}
			ix := match.NewIndex()
			if err := ix.Load(al, vl); err != nil {
				t.Fatal(err)
			}
			cur := collect(ix)
			if diff := cmp.Diff(bruteForce(assets, vulns), cur); diff != "" {
				t.Fatalf("after Load (-brute force +index):\n%s", diff)
			}
			for step := range nSteps {
				var d match.Delta
				var what string
				switch op := w.r.IntN(4); op {
				case 0:
					a := w.asset(fmt.Sprint("a", w.r.IntN(40)))
					what = "put asset " + a.ID
					var err error
					if d, err = ix.PutAsset(a); err != nil {
						t.Fatal(err)
					}
					assets[a.ID] = a
				case 1:
					id := fmt.Sprint("a", w.r.IntN(40))
					what = "remove asset " + id
					d = ix.RemoveAsset(id)
					delete(assets, id)
				case 2:
					v := w.vuln(fmt.Sprint("CVE-2025-", 1000+w.r.IntN(nVulns+10)))
					what = "put vulnerability " + v.ID
					d = ix.PutVulnerability(v)
					vulns[v.ID] = v
				case 3:
					id := fmt.Sprint("CVE-2025-", 1000+w.r.IntN(nVulns+10))
					what = "remove vulnerability " + id
					d = ix.RemoveVulnerability(id)
					delete(vulns, id)
				}
				want := bruteForce(assets, vulns)
				got := collect(ix)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Fatalf("step %d, %s: full match (-brute force +index):\n%s", step, what, diff)
				}
				// Apply the delta to the previous match.
				for _, p := range d.Removed {
					if !cur[p] {
						t.Fatalf("step %d, %s: removed %+v, which was not there", step, what, p)
					}
					delete(cur, p)
				}
				for _, p := range d.Added {
					for q := range cur {
						if q.Asset == p.Asset && q.Vuln == p.Vuln {
							delete(cur, q) // an update
						}
					}
					cur[p] = true
				}
				if diff := cmp.Diff(want, cur); diff != "" {
					t.Fatalf("step %d, %s: previous match + delta (-want +got):\n%s", step, what, diff)
				}
				n, m := ix.Len()
				if n != len(assets) || m != len(vulns) {
					t.Fatalf("Len = %d, %d; want %d, %d", n, m, len(assets), len(vulns))
				}
			}
			// The per-asset and per-vulnerability views agree with the full match.
			for id := range assets {
				for _, p := range ix.AssetPairs(id) {
					if !cur[p] {
						t.Errorf("AssetPairs(%s) has %+v, not in the full match", id, p)
					}
				}
			}
			for id := range vulns {
				for _, p := range ix.VulnerabilityPairs(id) {
					if !cur[p] {
						t.Errorf("VulnerabilityPairs(%s) has %+v, not in the full match", id, p)
					}
				}
			}
		})
	}
}

func TestIndexInvalidAssets(t *testing.T) {
	pattern := cpe(t, "cpe:2.3:a:acme:vpn:1.*:*:*:*:*:*:*:*")
	noVendor := cpe(t, "cpe:2.3:a:*:vpn:1.0:*:*:*:*:*:*:*")
	tests := []struct {
		name string
		a    match.Asset
	}{
		{"no-id", match.Asset{CPE: &pattern}},
		{"no-product", match.Asset{ID: "x"}},
		{"pattern", match.Asset{ID: "x", CPE: &pattern}},
		{"no-vendor", match.Asset{ID: "x", CPE: &noVendor}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ix := match.NewIndex()
			if _, err := ix.PutAsset(tt.a); !errors.Is(err, match.ErrInvalidAsset) {
				t.Errorf("PutAsset: got %v, want ErrInvalidAsset", err)
			}
			if err := ix.Load([]match.Asset{tt.a}, nil); !errors.Is(err, match.ErrInvalidAsset) {
				t.Errorf("Load: got %v, want ErrInvalidAsset", err)
			}
		})
	}
	ix := match.NewIndex()
	c := cpe(t, "cpe:2.3:a:acme:vpn:1.0:*:*:*:*:*:*:*")
	a := match.Asset{ID: "x", CPE: &c}
	if err := ix.Load([]match.Asset{a, a}, nil); err == nil {
		t.Error("Load with an asset twice: no error")
	}
	if n, _ := ix.Len(); n != 0 {
		t.Errorf("after a failed Load, %d assets, want 0", n)
	}
}

func TestIndexDelta(t *testing.T) {
	c := cpe(t, "cpe:2.3:o:fortinet:fortios:*:*:*:*:*:*:*:*")
	vuln := func(end string) *cve.Vulnerability {
		return &cve.Vulnerability{ID: "CVE-2022-42475", Affected: []cve.Affected{{CPE: &c, Versions: rng("", "7.0.0", false, end, false)}}}
	}
	asset := func(id, ver string) match.Asset {
		c := cpe(t, "cpe:2.3:o:fortinet:fortios:"+ver+":*:*:*:*:*:*:*")
		return match.Asset{ID: id, Org: "op1", Sector: "electricity", CPE: &c}
	}
	pair := func(id string) match.Pair {
		return match.Pair{Asset: id, Org: "op1", Sector: "electricity", Vuln: "CVE-2022-42475"}
	}
	ix := match.NewIndex()
	for _, a := range []match.Asset{asset("fw1", "7.0.5"), asset("fw2", "7.0.9"), asset("fw3", "6.4.1")} {
		if _, err := ix.PutAsset(a); err != nil {
			t.Fatal(err)
		}
	}
	steps := []struct {
		name string
		do   func() match.Delta
		want match.Delta
	}{
		{"new vulnerability", func() match.Delta { return ix.PutVulnerability(vuln("7.0.9")) }, match.Delta{Added: []match.Pair{pair("fw1")}}},
		{"range widened", func() match.Delta { return ix.PutVulnerability(vuln("7.0.10")) }, match.Delta{Added: []match.Pair{pair("fw2")}}},
		{"asset upgraded", func() match.Delta {
			d, _ := ix.PutAsset(asset("fw1", "7.0.10"))
			return d
		}, match.Delta{Removed: []match.Pair{pair("fw1")}}},
		{"asset downgraded into range", func() match.Delta {
			d, _ := ix.PutAsset(asset("fw3", "7.0.0"))
			return d
		}, match.Delta{Added: []match.Pair{pair("fw3")}}},
		{"asset removed", func() match.Delta { return ix.RemoveAsset("fw2") }, match.Delta{Removed: []match.Pair{pair("fw2")}}},
		{"vulnerability removed", func() match.Delta { return ix.RemoveVulnerability("CVE-2022-42475") }, match.Delta{Removed: []match.Pair{pair("fw3")}}},
		{"removing again changes nothing", func() match.Delta { return ix.RemoveVulnerability("CVE-2022-42475") }, match.Delta{}},
	}
	for _, s := range steps {
		got := s.do()
		slices.SortFunc(got.Added, func(a, b match.Pair) int { return cmpString(a.Asset, b.Asset) })
		slices.SortFunc(got.Removed, func(a, b match.Pair) int { return cmpString(a.Asset, b.Asset) })
		if diff := cmp.Diff(s.want, got); diff != "" {
			t.Errorf("%s: delta (-want +got):\n%s", s.name, diff)
		}
	}
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TestIndexConcurrent reads and changes an Index from several goroutines;
// run with -race.
func TestIndexConcurrent(t *testing.T) {
	w := world{rand.New(rand.NewPCG(9, 9))}
	var al []match.Asset
	var vl []*cve.Vulnerability
	for i := range 50 {
		al = append(al, w.asset(fmt.Sprint("a", i)))
	}
	for i := range 200 {
		vl = append(vl, w.vuln(fmt.Sprint("CVE-2025-", 1000+i)))
	}
	ix := match.NewIndex()
	if err := ix.Load(al, vl); err != nil {
		t.Fatal(err)
	}
	// Changes are made up front: the world's generator is not safe for
	// concurrent use.
	var assets []match.Asset
	var vulns []*cve.Vulnerability
	for i := range 40 {
		assets = append(assets, w.asset(fmt.Sprint("a", i)))
		vulns = append(vulns, w.vuln(fmt.Sprint("CVE-2025-", 1000+i)))
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 40 {
			if _, err := ix.PutAsset(assets[i]); err != nil {
				t.Error(err)
			}
			ix.PutVulnerability(vulns[i])
		}
	}()
	for i := 0; ; i++ {
		select {
		case <-done:
			return
		default:
		}
		ix.AssetPairs(fmt.Sprint("a", i%50))
		ix.VulnerabilityPairs(fmt.Sprint("CVE-2025-", 1000+i%200))
		for range ix.Pairs() {
		}
	}
}
