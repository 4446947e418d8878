package direction_test

import (
	"errors"
	"net/netip"
	"os"
	"strings"
	"testing"

	"github.com/acd-platform/acd/internal/selection/direction"
)

// FuzzDelegated feeds arbitrary text to AddDelegated. It must not panic; an
// error must be a *ParseError; and when the input parses, the start address of
// every JP ipv4/ipv6 allocated/assigned row must be domestic and a
// non-JP-only input must leave the table empty.
func FuzzDelegated(f *testing.F) {
	sample, err := os.ReadFile(sampleFile)
	if err != nil {
		f.Fatal(err)
	}
	// The realistic sample. The other seeds are the named files in
	// testdata/fuzz/FuzzDelegated: a count not a power of two, the whole IPv4
	// and IPv6 spaces, a range past 255.255.255.255, summary/comment/CRLF
	// lines, the NRO version line with a blank date, no version line, and a
	// record with a numeric first field once taken for the version line.
	f.Add(string(sample))
	f.Fuzz(func(t *testing.T, in string) {
		b := direction.NewBuilder()
		if err := b.AddDelegated(strings.NewReader(in), "fuzz"); err != nil {
			var pe *direction.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is %T, want *direction.ParseError", err, err)
			}
			return
		}
		tbl := b.Build()
		kept := 0
		seenVersion := false
		for _, line := range strings.Split(in, "\n") {
			if t := strings.TrimSpace(strings.TrimSuffix(line, "\r")); t == "" || t[0] == '#' {
				continue
			}
			if !seenVersion {
				seenVersion = true // the first data line is the version line
				continue
			}
			f := strings.Split(strings.TrimSuffix(line, "\r"), "|")
			if len(f) < 7 || f[1] != "JP" || (f[2] != "ipv4" && f[2] != "ipv6") || (f[6] != "allocated" && f[6] != "assigned") {
				continue
			}
			kept++
			a, err := netip.ParseAddr(f[3])
			if err != nil {
				t.Fatalf("accepted row %q with start %q", line, f[3])
			}
			if !tbl.Domestic(a) {
				t.Errorf("Domestic(%s) = false for accepted row %q", a, line)
			}
		}
		if v4, v6 := tbl.Len(); kept == 0 && v4+v6 != 0 {
			t.Errorf("no JP rows but Len() = %d, %d", v4, v6)
		}
	})
}

// FuzzOverrides feeds arbitrary text to AddOverrides: no panic, errors are
// *ParseError, and every accepted line's prefix address gets its class.
func FuzzOverrides(f *testing.F) {
	// Seeds: the named files in testdata/fuzz/FuzzOverrides (nested
	// overrides, IPv6 with a tab and a bare address, IPv4-mapped, duplicate).
	f.Fuzz(func(t *testing.T, in string) {
		b := direction.NewBuilder()
		if err := b.AddOverrides(strings.NewReader(in), "fuzz"); err != nil {
			var pe *direction.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is %T, want *direction.ParseError", err, err)
			}
			return
		}
		tbl := b.Build()
		// With no nesting among the accepted prefixes each one's first
		// address has its own class; check only prefixes nothing else covers.
		type entry struct {
			p        netip.Prefix
			domestic bool
		}
		var all []entry
		for _, line := range strings.Split(in, "\n") {
			if i := strings.IndexByte(line, '#'); i >= 0 {
				line = line[:i]
			}
			f := strings.Fields(line)
			if len(f) != 2 {
				continue
			}
			p, err := netip.ParsePrefix(f[0])
			if err != nil {
				a, err := netip.ParseAddr(f[0])
				if err != nil {
					t.Fatalf("accepted line %q", line)
				}
				p = netip.PrefixFrom(a, a.BitLen())
			}
			all = append(all, entry{p, f[1] == "domestic"})
		}
		for _, e := range all {
			longest := e
			for _, o := range all {
				if o.p.Contains(e.p.Addr()) && o.p.Bits() > longest.p.Bits() {
					longest = o
				}
			}
			if got := tbl.Domestic(e.p.Addr()); got != longest.domestic {
				t.Errorf("Domestic(%s) = %v, want %v", e.p.Addr(), got, longest.domestic)
			}
		}
	})
}
