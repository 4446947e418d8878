package direction

import (
	"math/rand/v2"
	"net/netip"
	"os"
	"strings"
	"testing"
)

// TestIPv4FastPathAgrees: the /16 index answers exactly as the trie does,
// with delegated rows of every length and overrides both ways, shorter and
// longer than /16.
func TestIPv4FastPathAgrees(t *testing.T) {
	f, err := os.Open("testdata/delegated-apnic-extended-sample")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := NewBuilder()
	if err := b.AddDelegated(f, "sample"); err != nil {
		t.Fatal(err)
	}
	ov := "133.0.0.0/8 domestic\n133.5.0.0/16 foreign\n133.6.7.0/24 foreign\n8.8.8.0/24 domestic\n10.0.0.0/15 domestic\n"
	if err := b.AddOverrides(strings.NewReader(ov), "ov"); err != nil {
		t.Fatal(err)
	}
	tbl := b.Build()
	check := func(a netip.Addr) {
		v, ok := tbl.tbl.Lookup(a)
		if got := tbl.Domestic(a); got != (ok && v) {
			t.Fatalf("Domestic(%v) = %v, the trie says %v", a, got, ok && v)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		check(netip.AddrFrom4([4]byte{byte(r.Uint32()), byte(r.Uint32()), byte(r.Uint32()), byte(r.Uint32())}))
	}
	for _, s := range []string{"133.5.0.1", "133.6.7.1", "133.6.8.1", "8.8.8.8", "8.8.9.8", "10.1.255.255", "10.2.0.0"} {
		check(netip.MustParseAddr(s))
	}
}
