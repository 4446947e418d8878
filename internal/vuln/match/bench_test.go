package match_test

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/product"
	"github.com/acd-platform/acd/internal/vuln/cve"
	"github.com/acd-platform/acd/internal/vuln/match"
)

// The benchmark's scale and targets (issue 8: 100k registered assets ×
// 250k vulnerabilities fully matched in under 2 s; one new vulnerability
// in under 10 ms).
const (
	benchAssets      = 100_000
	benchVulns       = 250_000
	benchCPEProducts = 50_000 // 10,000 vendors × 5 products
	benchPackages    = 2_000
	targetFull       = 2 * time.Second
	targetIncrement  = 10 * time.Millisecond
)

// benchScale scales the number of assets and vulnerabilities, for
// profiling on a smaller set; the targets hold at 1.
var benchScale = flag.Float64("bench.scale", 1, "scale the match benchmarks' 100k assets and 250k vulnerabilities by this factor")

// benchData is the synthetic data set, made once per test binary.
type benchData struct {
	assets []match.Asset
	vulns  []*cve.Vulnerability
	gen    *generator
}

var benchDataOnce = sync.OnceValue(func() *benchData {
	g := newGenerator(42)
	d := &benchData{gen: g}
	for i := range int(benchAssets * *benchScale) {
		d.assets = append(d.assets, g.asset(fmt.Sprintf("asset-%06d", i)))
	}
	for i := range int(benchVulns * *benchScale) {
		d.vulns = append(d.vulns, g.vuln(fmt.Sprintf("CVE-2020-%07d", i)))
	}
	return d
})

// generator makes deterministic synthetic assets and vulnerabilities.
//
// Products are ranked, and both assets and vulnerabilities pick them by a
// power law over the same ranking: the product of rank k with weight
// k^-0.9 for assets, k^-0.8 for affected products. So the most common
// product (think of a popular VPN appliance) is 5% of the assets and has
// about 10,000 affected-product entries (2.6%, as many as the Linux
// kernel's CVEs), and the long tail has few of either. Versions are M.m.p
// with M 1–9, m 0–9, p 0–30. With the version rules of vuln below this
// gives about 3 million pairs, 30 per asset; the cost of the full match
// grows with the pairs, and the benchmark reports the cost per pair.
type generator struct {
	r                   *rand.Rand
	assetPick, vulnPick *powerLaw
	assetPkg, vulnPkg   *powerLaw
	cpes                []product.CPE // product names, version ANY
	pkgs                []product.PURL
}

// powerLaw picks ranks 0..n-1 with weight (k+1)^-alpha.
type powerLaw struct {
	cum []float64
}

func newPowerLaw(n int, alpha float64) *powerLaw {
	p := &powerLaw{cum: make([]float64, n)}
	sum := 0.0
	for k := range n {
		sum += math.Pow(float64(k+1), -alpha)
		p.cum[k] = sum
	}
	return p
}

func (p *powerLaw) pick(r *rand.Rand) int {
	i, _ := slices.BinarySearch(p.cum, r.Float64()*p.cum[len(p.cum)-1])
	return min(i, len(p.cum)-1)
}

func newGenerator(seed uint64) *generator {
	r := rand.New(rand.NewPCG(seed, 1))
	g := &generator{
		r:         r,
		assetPick: newPowerLaw(benchCPEProducts, 0.9),
		vulnPick:  newPowerLaw(benchCPEProducts, 0.8),
		assetPkg:  newPowerLaw(benchPackages, 0.9),
		vulnPkg:   newPowerLaw(benchPackages, 0.8),
	}
	for i := range benchCPEProducts {
		part := "a"
		if i%3 == 0 {
			part = "o"
		}
		c, err := product.ParseCPE(fmt.Sprintf("cpe:2.3:%s:vendor%04d:product%d:*:*:*:*:*:*:*:*", part, i/5, i%5))
		if err != nil {
			panic(err)
		}
		g.cpes = append(g.cpes, c)
	}
	for i := range benchPackages {
		p, err := product.ParsePURL(fmt.Sprintf("pkg:maven/org.vendor%d/lib%d", i/4, i%4))
		if err != nil {
			panic(err)
		}
		g.pkgs = append(g.pkgs, p)
	}
	return g
}

func (g *generator) version() string {
	return fmt.Sprintf("%d.%d.%d", 1+g.r.IntN(9), g.r.IntN(10), g.r.IntN(31))
}

// asset: 90% CPE only, 8% package only, 2% both; 3% of CPEs without a
// version.
func (g *generator) asset(id string) match.Asset {
	a := match.Asset{ID: id, Org: fmt.Sprintf("operator-%03d", g.r.IntN(213)), Sector: fmt.Sprintf("sector-%02d", g.r.IntN(15))}
	k := g.r.IntN(100)
	if k < 92 {
		c := g.cpes[g.assetPick.pick(g.r)]
		if g.r.IntN(100) >= 3 {
			v, _ := product.ParseValue(g.version())
			c.Version = v
		}
		a.CPE = &c
	}
	if k >= 90 {
		p := g.pkgs[g.assetPkg.pick(g.r)]
		p.Version = g.version()
		a.PURL = &p
	}
	return a
}

// vuln: 1–3 affected products, 85% CPE, 15% package; versions: 60% CVE 5
// branches ([M.m.0, M.m.fix), semver or custom), 28% an NVD range, 10% an
// exact version in the criteria, 2% every version.
func (g *generator) vuln(id string) *cve.Vulnerability {
	v := &cve.Vulnerability{ID: id, Format: cve.FormatCVE5}
	for range 1 + g.r.IntN(3) {
		var a cve.Affected
		if g.r.IntN(100) < 85 {
			c := g.cpes[g.vulnPick.pick(g.r)]
			a.CPE = &c
		} else {
			p := g.pkgs[g.vulnPkg.pick(g.r)]
			a.PURL = &p
		}
		branch := func() (string, string) {
			m, n := 1+g.r.IntN(9), g.r.IntN(10)
			return fmt.Sprintf("%d.%d.0", m, n), fmt.Sprintf("%d.%d.%d", m, n, 1+g.r.IntN(30))
		}
		switch k := g.r.IntN(100); {
		case k < 60:
			scheme := "custom"
			if g.r.IntN(2) == 0 {
				scheme = "semver"
			}
			a.Versions.Default = cve.StatusUnaffected
			for range 1 + g.r.IntN(3) {
				start, end := branch()
				a.Versions.Ranges = append(a.Versions.Ranges, cve.Range{Status: cve.StatusAffected, Scheme: scheme, Start: start, End: end})
			}
		case k < 88:
			start, end := branch()
			a.Versions = cve.Versions{Default: cve.StatusUnaffected, Ranges: []cve.Range{{Status: cve.StatusAffected, Start: start, End: end}}}
		case k < 98 && a.CPE != nil:
			c := *a.CPE
			c.Version, _ = product.ParseValue(g.version())
			a.CPE = &c
			a.Versions = cve.Versions{Default: cve.StatusAffected}
		default:
			a.Versions = cve.Versions{Default: cve.StatusAffected}
		}
		v.Affected = append(v.Affected, a)
	}
	return v
}

// loadedIndex returns an Index holding the benchmark's data.
func loadedIndex(b *testing.B) (*match.Index, *benchData) {
	b.Helper()
	d := benchDataOnce()
	ix := match.NewIndex()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	before := ms.HeapAlloc
	start, cpu := time.Now(), cpuTime()
	if err := ix.Load(d.assets, d.vulns); err != nil {
		b.Fatal(err)
	}
	b.Logf("Load of %d assets and %d vulnerabilities: %v (CPU %v)", len(d.assets), len(d.vulns),
		time.Since(start).Round(time.Millisecond), (cpuTime() - cpu).Round(time.Millisecond))
	runtime.GC() // do not time the collection of what Load let go
	runtime.ReadMemStats(&ms)
	b.Logf("heap: %d MiB for the index, %d MiB in all with the generated records", (ms.HeapAlloc-before)>>20, ms.HeapAlloc>>20)
	return ix, d
}

// BenchmarkFullMatch matches 100k assets against 250k vulnerabilities:
// every pair the index finds, counted.
func BenchmarkFullMatch(b *testing.B) {
	ix, _ := loadedIndex(b)
	var pairs int
	cpu := cpuTime()
	for b.Loop() {
		pairs = 0
		for range ix.Pairs() {
			pairs++
		}
	}
	perOp := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(float64(pairs), "pairs")
	b.ReportMetric(perOp.Seconds(), "s/match")
	b.ReportMetric((cpuTime()-cpu).Seconds()/float64(b.N), "cpu-s/match")
	b.ReportMetric(float64(perOp.Nanoseconds())/float64(max(pairs, 1)), "ns/pair")
	b.ReportMetric(perOp.Seconds()/targetFull.Seconds(), "ratio-to-2s")
}

// BenchmarkNewVulnerability adds one new vulnerability, drawn as the
// others are, to the loaded index and gets the pairs it adds.
func BenchmarkNewVulnerability(b *testing.B) {
	ix, d := loadedIndex(b)
	i, pairs := 0, 0
	cpu := cpuTime()
	for b.Loop() {
		delta := ix.PutVulnerability(d.gen.vuln(fmt.Sprintf("CVE-2030-%07d", i)))
		pairs += len(delta.Added)
		i++
	}
	reportIncrement(b, pairs, cpuTime()-cpu)
}

// BenchmarkNewVulnerabilityHottest adds a vulnerability affecting a whole
// branch of the product with the most assets and vulnerabilities: the
// worst case.
func BenchmarkNewVulnerabilityHottest(b *testing.B) {
	ix, d := loadedIndex(b)
	hot := d.gen.cpes[0]
	i, pairs := 0, 0
	cpu := cpuTime()
	for b.Loop() {
		v := &cve.Vulnerability{ID: fmt.Sprintf("CVE-2031-%07d", i), Affected: []cve.Affected{{
			CPE: &hot, Versions: cve.Versions{Default: cve.StatusUnaffected, Ranges: []cve.Range{
				{Status: cve.StatusAffected, Scheme: "custom", Start: "3.0.0", End: "3.*"},
			}},
		}}}
		pairs += len(ix.PutVulnerability(v).Added)
		i++
	}
	reportIncrement(b, pairs, cpuTime()-cpu)
}

// BenchmarkNewAsset registers one new asset, drawn as the others are.
func BenchmarkNewAsset(b *testing.B) {
	ix, d := loadedIndex(b)
	i, pairs := 0, 0
	cpu := cpuTime()
	for b.Loop() {
		delta, err := ix.PutAsset(d.gen.asset(fmt.Sprintf("new-%d", i)))
		if err != nil {
			b.Fatal(err)
		}
		pairs += len(delta.Added)
		i++
	}
	reportIncrement(b, pairs, cpuTime()-cpu)
}

// BenchmarkNewAssetHottest registers one asset of the product with the
// most vulnerabilities: the worst case for an asset.
func BenchmarkNewAssetHottest(b *testing.B) {
	ix, d := loadedIndex(b)
	i, pairs := 0, 0
	cpu := cpuTime()
	for b.Loop() {
		c := d.gen.cpes[0]
		c.Version, _ = product.ParseValue(fmt.Sprintf("3.%d.%d", i%10, i%31))
		delta, err := ix.PutAsset(match.Asset{ID: fmt.Sprintf("new-%d", i), Org: "operator-001", Sector: "sector-01", CPE: &c})
		if err != nil {
			b.Fatal(err)
		}
		pairs += len(delta.Added)
		i++
	}
	reportIncrement(b, pairs, cpuTime()-cpu)
}

func reportIncrement(b *testing.B, pairs int, cpu time.Duration) {
	perOp := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(pairs)/float64(b.N), "pairs/op")
	b.ReportMetric(float64(perOp.Microseconds())/1000, "ms/op")
	b.ReportMetric(perOp.Seconds()/targetIncrement.Seconds(), "ratio-to-10ms")
}
