package direction_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"strings"
	"testing"

	"github.com/acd-platform/acd/internal/selection/direction"
)

const sampleFile = "testdata/delegated-apnic-extended-sample"

// sampleTable builds a table from the sample delegation file and the given
// overrides.
func sampleTable(t testing.TB, overrides string) *direction.Table {
	t.Helper()
	f, err := os.Open(sampleFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := direction.NewBuilder()
	if err := b.AddDelegated(f, "delegated-apnic-extended-sample"); err != nil {
		t.Fatal(err)
	}
	if overrides != "" {
		if err := b.AddOverrides(strings.NewReader(overrides), "overrides"); err != nil {
			t.Fatal(err)
		}
	}
	return b.Build()
}

func TestSampleDomestic(t *testing.T) {
	tbl := sampleTable(t, "")
	tests := []struct {
		addr string
		want bool
	}{
		{"1.0.16.0", true},           // first address of a JP /20
		{"1.0.31.255", true},         // last address of it
		{"1.0.32.0", false},          // just after it
		{"1.0.1.7", false},           // CN
		{"1.0.0.1", false},           // AU, assigned
		{"133.5.6.7", true},          // JP /8
		{"210.159.255.255", true},    // last of JP 210.128.0.0 + 2097152 (/11)
		{"210.160.0.0", false},       // just after it
		{"202.96.1.1", false},        // CN
		{"27.110.0.0", true},         // count 768: first address
		{"27.110.2.255", true},       // count 768: last address (the /24 part)
		{"27.110.3.0", false},        // count 768: one past the end
		{"27.110.4.1", true},         // JP assigned
		{"43.224.4.1", false},        // JP reserved: not domestic
		{"43.224.8.1", false},        // available
		{"2001:200::1", true},        // JP /35
		{"2001:200:2000::1", false},  // past the /35
		{"2001:240:ffff::1", true},   // JP /32
		{"2001:250::1", false},       // CN
		{"240b:10::1", true},         // JP /24
		{"2400:4000::5", true},       // JP assigned /22
		{"2400:f000::1", false},      // available
		{"::ffff:133.1.2.3", true},   // IPv4-mapped IPv6 is looked up as IPv4
		{"::ffff:202.96.1.1", false}, // mapped foreign
		{"192.0.2.1", false},         // not in the file at all
		{"fe80::1%eth0", false},      // zone ignored, not in the file
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			if got := tbl.Domestic(netip.MustParseAddr(tt.addr)); got != tt.want {
				t.Errorf("Domestic(%s) = %v, want %v", tt.addr, got, tt.want)
			}
		})
	}
	if got := tbl.Domestic(netip.Addr{}); got {
		t.Errorf("Domestic(invalid) = true, want false")
	}
	// JP ipv4 rows: /20, /16, /23+/24, /22, /8, /11 = 7 prefixes; JP ipv6
	// allocated or assigned: 4.
	v4, v6 := tbl.Len()
	if v4 != 7 || v6 != 4 {
		t.Errorf("Len() = %d, %d; want 7, 4", v4, v6)
	}
}

func TestClassify(t *testing.T) {
	tbl := sampleTable(t, "")
	tests := []struct {
		name     string
		src, dst string
		want     direction.Direction
	}{
		{"v4 foreign-foreign", "1.0.1.1", "202.96.3.3", direction.ForeignForeign},
		{"v4 foreign-domestic", "1.0.1.1", "133.1.1.1", direction.ForeignDomestic},
		{"v4 domestic-foreign", "133.1.1.1", "8.8.8.8", direction.DomesticForeign},
		{"v4 domestic-domestic", "1.33.4.4", "133.1.1.1", direction.DomesticDomestic},
		{"v6 foreign-foreign", "2001:250::1", "2001:db8::1", direction.ForeignForeign},
		{"v6 foreign-domestic", "2001:250::1", "240b::1", direction.ForeignDomestic},
		{"v6 domestic-foreign", "2001:240::1", "2001:2b8::1", direction.DomesticForeign},
		{"v6 domestic-domestic", "2001:200::1", "2400:4000::1", direction.DomesticDomestic},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tbl.Classify(netip.MustParseAddr(tt.src), netip.MustParseAddr(tt.dst))
			if got != tt.want {
				t.Errorf("Classify(%s, %s) = %v, want %v", tt.src, tt.dst, got, tt.want)
			}
		})
	}
}

func TestOverrides(t *testing.T) {
	const overrides = `
# corrections to the delegation data
192.0.2.0/24      domestic   # foreign space made domestic
133.10.0.0/16     foreign    # inside the JP /8: made foreign
133.10.20.0/24    domestic   # inside that override: the longer override wins
210.128.0.0/10    foreign    # a supernet of the JP /11: overrides win even when shorter
1.0.16.0/20       foreign    # exactly a delegated prefix
2001:db8::/32     domestic
240b:0:1::/48     foreign
240b:0:1:2::/64   domestic
2001:240::/32     foreign
203.0.113.9       domestic   # a bare address
	` // trailing whitespace line
	tbl := sampleTable(t, overrides)
	tests := []struct {
		addr string
		want bool
	}{
		{"192.0.2.77", true},         // domestic override in foreign space
		{"192.0.3.1", false},         // outside it
		{"133.10.1.1", false},        // foreign override beats the JP /8
		{"133.10.20.5", true},        // longest override wins
		{"133.11.0.1", true},         // rest of the /8 still domestic
		{"210.130.0.1", false},       // shorter override beats longer delegated prefix
		{"1.0.16.1", false},          // override equal to a delegated prefix
		{"2001:db8:5::1", true},      // IPv6 domestic override
		{"240b:0:1:5::1", false},     // IPv6 foreign override in JP space
		{"240b:0:1:2::1", true},      // longer IPv6 override wins
		{"240b:0:2::1", true},        // rest of the JP /24
		{"2001:240::1", false},       // override equal to a delegated IPv6 prefix
		{"203.0.113.9", true},        // bare address override
		{"203.0.113.10", false},      // its neighbour
		{"::ffff:133.10.1.1", false}, // mapped address sees the override
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			if got := tbl.Domestic(netip.MustParseAddr(tt.addr)); got != tt.want {
				t.Errorf("Domestic(%s) = %v, want %v", tt.addr, got, tt.want)
			}
		})
	}
	// Classification with overrides on both ends.
	got := tbl.Classify(netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("133.10.1.1"))
	if got != direction.DomesticForeign {
		t.Errorf("Classify(192.0.2.1, 133.10.1.1) = %v, want %v", got, direction.DomesticForeign)
	}
}

func TestOverridesOnly(t *testing.T) {
	b := direction.NewBuilder()
	if err := b.AddOverrides(strings.NewReader("10.0.0.0/8 domestic\n"), "a"); err != nil {
		t.Fatal(err)
	}
	if err := b.AddOverrides(strings.NewReader("10.1.0.0/16 foreign\n"), "b"); err != nil {
		t.Fatal(err)
	}
	tbl := b.Build()
	if !tbl.Domestic(netip.MustParseAddr("10.2.0.1")) || tbl.Domestic(netip.MustParseAddr("10.1.0.1")) {
		t.Errorf("overrides from two inputs not both applied")
	}
	// A later addition does not change a table already built.
	if err := b.AddOverrides(strings.NewReader("11.0.0.0/8 domestic\n"), "c"); err != nil {
		t.Fatal(err)
	}
	if tbl.Domestic(netip.MustParseAddr("11.0.0.1")) {
		t.Errorf("built table changed after AddOverrides")
	}
	if !b.Build().Domestic(netip.MustParseAddr("11.0.0.1")) {
		t.Errorf("new table misses the later override")
	}
	// The zero Table says foreign.
	var zero direction.Table
	if zero.Domestic(netip.MustParseAddr("133.1.1.1")) {
		t.Errorf("zero Table: Domestic = true, want false")
	}
}

func TestNonPowerOfTwoCounts(t *testing.T) {
	tests := []struct {
		start string
		count int
		want  []string // the prefixes, in order: first and last address of each are domestic
	}{
		{"10.0.0.0", 768, []string{"10.0.0.0/23", "10.0.2.0/24"}},
		{"10.0.1.0", 768, []string{"10.0.1.0/24", "10.0.2.0/23"}},
		{"10.0.0.5", 3, []string{"10.0.0.5/32", "10.0.0.6/31"}},
		{"10.0.0.0", 1, []string{"10.0.0.0/32"}},
		{"0.0.0.0", 1 << 32, []string{"0.0.0.0/0"}},
		{"255.255.255.254", 2, []string{"255.255.255.254/31"}},
		{"10.0.0.0", 2560, []string{"10.0.0.0/21", "10.0.8.0/23"}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s+%d", tt.start, tt.count), func(t *testing.T) {
			in := fmt.Sprintf("2|arin|1|1|1|1|-0500\narin|JP|ipv4|%s|%d|20000101|allocated\n", tt.start, tt.count)
			b := direction.NewBuilder()
			if err := b.AddDelegated(strings.NewReader(in), "x"); err != nil {
				t.Fatal(err)
			}
			tbl := b.Build()
			v4, _ := tbl.Len()
			if v4 != len(tt.want) {
				t.Errorf("Len() = %d IPv4 prefixes, want %d", v4, len(tt.want))
			}
			first := netip.MustParseAddr(tt.start)
			last := first
			for _, s := range tt.want {
				p := netip.MustParsePrefix(s)
				if !tbl.Domestic(p.Addr()) {
					t.Errorf("Domestic(%s) = false, want true", p.Addr())
				}
				last = lastAddr(p)
				if !tbl.Domestic(last) {
					t.Errorf("Domestic(%s) = false, want true", last)
				}
			}
			if p := first.Prev(); p.IsValid() && tbl.Domestic(p) {
				t.Errorf("Domestic(%s) before the range = true, want false", p)
			}
			if n := last.Next(); n.IsValid() && tbl.Domestic(n) {
				t.Errorf("Domestic(%s) after the range = true, want false", n)
			}
		})
	}
}

func lastAddr(p netip.Prefix) netip.Addr {
	a := p.Addr().As4()
	host := uint32(1)<<(32-p.Bits()) - 1
	if p.Bits() == 0 {
		host = ^uint32(0)
	}
	v := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3]) | host
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

func TestDelegatedErrors(t *testing.T) {
	const hdr = "2|apnic|20261101|3|19830613|20261031|+1000\n"
	tests := []struct {
		name, in, want string
	}{
		{"count not a number", hdr + "apnic|JP|ipv4|1.0.16.0|abc|20110412|allocated|A1\n",
			`f:2: ipv4 count "abc" is not a number`},
		{"negative count", hdr + "apnic|CN|ipv4|1.0.16.0|-5|20110412|allocated|A1\n",
			`f:2: ipv4 count "-5" is not a number`},
		{"zero count", hdr + "apnic|JP|ipv4|1.0.16.0|0|20110412|allocated\n",
			`f:2: ipv4 count is 0`},
		{"range past the end", hdr + "apnic|JP|ipv4|255.255.255.0|512|20110412|allocated\n",
			`f:2: ipv4 range 255.255.255.0 + 512 runs past 255.255.255.255`},
		{"bad ipv4 start", hdr + "# comment\n\napnic|JP|ipv4|1.0.16|256|20110412|allocated\n",
			`f:4: ipv4 start "1.0.16" is not an IPv4 address`},
		{"ipv6 start in ipv4 row", hdr + "apnic|JP|ipv4|2001:db8::|256|20110412|allocated\n",
			`f:2: ipv4 start "2001:db8::" is not an IPv4 address`},
		{"bad ipv6 start, other country", hdr + "apnic|KR|ipv6|2001:zz::|32|20110412|allocated\n",
			`f:2: ipv6 start "2001:zz::" is not an IPv6 address`},
		{"ipv6 length too big", hdr + "apnic|JP|ipv6|2001:200::|129|20110412|allocated\n",
			`f:2: ipv6 prefix length "129" is not a number from 0 to 128`},
		{"ipv6 host bits", hdr + "apnic|JP|ipv6|2001:200::1|32|20110412|allocated\n",
			`f:2: ipv6 prefix 2001:200::1/32 has bits set after its length`},
		{"too few fields", hdr + "apnic|JP|ipv4|1.0.16.0|256\n",
			`f:2: record has 5 fields, want at least 7 (registry|cc|type|start|value|date|status)`},
		{"unknown type", hdr + "apnic|JP|ipv5|1.0.16.0|256|20110412|allocated\n",
			`f:2: unknown record type "ipv5"`},
		{"unknown summary type", hdr + "apnic|*|ipv5|*|3|summary\n",
			`f:2: unknown record type "ipv5" in summary line`},
		{"unknown status", hdr + "apnic|JP|ipv4|1.0.16.0|256|20110412|alocated\n",
			`f:2: unknown status "alocated"`},
		{"no version line", "apnic|JP|ipv4|1.0.16.0|256|20110412|allocated\n",
			`f:1: want a version line (2|registry|serial|records|startdate|enddate|UTCoffset), got "apnic|JP|ipv4|1.0.16.0|256|20110412|allocated"`},
		{"unsupported version", "3|apnic|20261101|3|19830613|20261031|+1000\n",
			`f:1: format version "3" is not supported (want 2)`},
		{"short version line", "2|apnic|20261101\n",
			`f:1: want a version line (2|registry|serial|records|startdate|enddate|UTCoffset), got "2|apnic|20261101"`},
		{"second version line", hdr + "2|apnic|20261101|3|19830613|20261031|+1000\n",
			`f:2: second version line`},
		{"empty input", "# only a comment\n",
			`f: no version line: not a delegated statistics file`},
		{"line too long", hdr + strings.Repeat("x", 70000) + "\n",
			`f:2: line longer than 65536 bytes`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := direction.NewBuilder()
			err := b.AddDelegated(strings.NewReader(tt.in), "f")
			if err == nil {
				t.Fatalf("AddDelegated succeeded, want error %q", tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error = %q, want %q", got, tt.want)
			}
			var pe *direction.ParseError
			if !errors.As(err, &pe) {
				t.Errorf("error is %T, want *direction.ParseError", err)
			}
		})
	}
}

func TestDelegatedErrorKeepsNothing(t *testing.T) {
	b := direction.NewBuilder()
	in := "2|apnic|1|1|1|1|+1000\napnic|JP|ipv4|133.0.0.0|16777216|19970303|allocated\napnic|JP|ipv4|x|1|1|allocated\n"
	if err := b.AddDelegated(strings.NewReader(in), "f"); err == nil {
		t.Fatal("AddDelegated succeeded, want an error")
	}
	if b.Build().Domestic(netip.MustParseAddr("133.1.1.1")) {
		t.Errorf("rows before the bad line were kept")
	}
}

func TestDelegatedFormats(t *testing.T) {
	// Non-extended rows (7 fields), CRLF line ends, the nro combined version
	// line, a blank date, and an asn row with a range.
	in := "2.3|nro|20261101|4|19821231|20261031|+0000\r\n" +
		"nro|*|ipv4|*|2|summary\r\n" +
		"apnic|JP|ipv4|60.32.0.0|1048576|20040414|allocated\r\n" +
		"apnic|JP|ipv6|2400:2000::|20||assigned|A9\r\n" +
		"apnic|JP|asn|4608|1024|20040414|allocated|A9|e-stats\r\n"
	b := direction.NewBuilder()
	if err := b.AddDelegated(strings.NewReader(in), "f"); err != nil {
		t.Fatal(err)
	}
	tbl := b.Build()
	for _, s := range []string{"60.47.255.255", "2400:2fff::1"} {
		if !tbl.Domestic(netip.MustParseAddr(s)) {
			t.Errorf("Domestic(%s) = false, want true", s)
		}
	}
}

func TestOverrideErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"one field", "10.0.0.0/8\n", `o:1: want "PREFIX domestic" or "PREFIX foreign", got 1 fields`},
		{"three fields", "10.0.0.0/8 domestic yes\n", `o:1: want "PREFIX domestic" or "PREFIX foreign", got 3 fields`},
		{"bad class", "# c\n10.0.0.0/8 Domestic\n", `o:2: class "Domestic" is neither domestic nor foreign`},
		{"bad prefix", "10.0.0.0/33 domestic\n", `o:1: "10.0.0.0/33" is not a prefix`},
		{"bad address", "10.0.0 domestic\n", `o:1: "10.0.0" is not an address or prefix`},
		{"zone", "fe80::1%eth0 domestic\n", `o:1: "fe80::1%eth0" is not an address or prefix`},
		{"host bits", "10.1.0.0/8 foreign\n", `o:1: "10.1.0.0/8" has bits set after its length (want 10.0.0.0/8)`},
		{"mapped", "::ffff:10.0.0.0/104 foreign\n", `o:1: "::ffff:10.0.0.0/104" is IPv4-mapped IPv6; write it as IPv4`},
		{"duplicate", "10.0.0.0/8 foreign\n\n10.0.0.0/8 domestic\n", `o:3: duplicate override for 10.0.0.0/8 (first at o:1)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := direction.NewBuilder().AddOverrides(strings.NewReader(tt.in), "o")
			if err == nil {
				t.Fatalf("AddOverrides succeeded, want error %q", tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error = %q, want %q", got, tt.want)
			}
		})
	}
	// A duplicate across two inputs names the first one.
	b := direction.NewBuilder()
	if err := b.AddOverrides(strings.NewReader("10.0.0.0/8 foreign\n"), "first"); err != nil {
		t.Fatal(err)
	}
	err := b.AddOverrides(strings.NewReader("10.0.0.0/8 foreign\n"), "second")
	if got, want := fmt.Sprint(err), "second:1: duplicate override for 10.0.0.0/8 (first at first:1)"; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
}

func TestDomesticAllocs(t *testing.T) {
	tbl := sampleTable(t, "192.0.2.0/24 domestic\n")
	addrs := []netip.Addr{
		netip.MustParseAddr("133.1.2.3"),
		netip.MustParseAddr("8.8.8.8"),
		netip.MustParseAddr("240b::1"),
		netip.MustParseAddr("::ffff:192.0.2.1"),
	}
	n := testing.AllocsPerRun(100, func() {
		for _, a := range addrs {
			tbl.Domestic(a)
			tbl.Classify(a, addrs[0])
		}
	})
	if n != 0 {
		t.Errorf("Domestic/Classify: %v allocs per run, want 0", n)
	}
}

// jpSizedTable builds a table the size of Japan's share of the APNIC data:
// about 3,000 IPv4 and 2,000 IPv6 prefixes, random but reproducible.
func jpSizedTable(b *testing.B) (*direction.Table, []netip.Addr) {
	r := rand.New(rand.NewPCG(1, 2))
	var sb strings.Builder
	sb.WriteString("2|apnic|20261101|5000|19830613|20261031|+1000\n")
	var probes []netip.Addr
	for range 3000 {
		bits := 12 + r.IntN(13) // /12 to /24
		v := r.Uint32() &^ (uint32(1)<<(32-bits) - 1)
		a := netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
		fmt.Fprintf(&sb, "apnic|JP|ipv4|%s|%d|20100101|allocated|A1\n", a, uint64(1)<<(32-bits))
		probes = append(probes, a)
	}
	for range 2000 {
		bits := 20 + r.IntN(29) // /20 to /48
		var a16 [16]byte
		a16[0] = 0x24
		for i := 1; i < 6; i++ {
			a16[i] = byte(r.Uint32())
		}
		p := netip.PrefixFrom(netip.AddrFrom16(a16), bits).Masked()
		fmt.Fprintf(&sb, "apnic|JP|ipv6|%s|%d|20100101|allocated|A1\n", p.Addr(), bits)
		probes = append(probes, p.Addr())
	}
	bl := direction.NewBuilder()
	if err := bl.AddDelegated(strings.NewReader(sb.String()), "gen"); err != nil {
		b.Fatal(err)
	}
	// Mix the table's addresses with random foreign-looking ones.
	for range 5000 {
		v := r.Uint32()
		probes = append(probes, netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}))
	}
	r.Shuffle(len(probes), func(i, j int) { probes[i], probes[j] = probes[j], probes[i] })
	return bl.Build(), probes
}

func BenchmarkClassify(b *testing.B) {
	tbl, probes := jpSizedTable(b)
	b.ReportAllocs()
	b.ResetTimer()
	var sink direction.Direction
	for i := 0; b.Loop(); i++ {
		sink ^= tbl.Classify(probes[i%len(probes)], probes[(i+7)%len(probes)])
	}
	_ = sink
}

// TestTableConcurrent classifies from several goroutines at once; with -race
// it checks that a Table is safe for concurrent use.
func TestTableConcurrent(t *testing.T) {
	tbl := sampleTable(t, "192.0.2.0/24 domestic\n")
	done := make(chan struct{})
	for range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 1000 {
				tbl.Classify(netip.MustParseAddr("133.1.1.1"), netip.MustParseAddr("240b::1"))
			}
		}()
	}
	for range 4 {
		<-done
	}
}
