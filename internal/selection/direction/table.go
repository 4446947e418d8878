package direction

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"net/netip"
	"strconv"
	"strings"

	"github.com/gaissmai/bart"
)

// maxLine is the longest input line the parsers accept, in bytes.
const maxLine = 64 << 10

// ParseError reports a malformed line in a delegation or override input.
// Its message names the input and the line: "delegated-apnic-extended-latest:12:
// ipv4 count "abc" is not a number".
type ParseError struct {
	Name string // the input's name as given to the Builder
	Line int    // 1-based line number; 0 when the error is not about one line
	Msg  string
}

func (e *ParseError) Error() string {
	if e.Line == 0 {
		return e.Name + ": " + e.Msg
	}
	return e.Name + ":" + strconv.Itoa(e.Line) + ": " + e.Msg
}

// override is one line of an overrides input.
type override struct {
	domestic bool
	where    string // "name:line" of its definition
}

// Builder collects delegation data and overrides and builds a [Table]. The
// zero value is not usable; use [NewBuilder]. A Builder is not safe for
// concurrent use.
type Builder struct {
	delegated []netip.Prefix
	overrides map[netip.Prefix]override
}

// NewBuilder returns an empty Builder.
func NewBuilder() *Builder {
	return &Builder{overrides: make(map[netip.Prefix]override)}
}

// AddDelegated reads RIR delegation statistics in the
// delegated-<rir>[-extended] format from r and records the JP ipv4/ipv6 rows
// with status allocated or assigned as domestic. name identifies r in error
// messages (usually the file name). The input starts with a version line
// ("2|apnic|20261101|…"); summary lines ("apnic|*|ipv4|*|N|summary"), asn
// rows, other countries and other statuses are skipped; empty lines and lines
// starting with '#' are comments. Every ipv4/ipv6 row is checked, whatever its
// country, so that a damaged file fails rather than silently losing rows. An
// ipv4 row's value is an address count that need not be a power of two; it is
// split into prefixes. An ipv6 row's value is a prefix length.
//
// On error nothing from r is kept and the error is a [*ParseError] (or an I/O
// error wrapped with the input's name).
func (b *Builder) AddDelegated(r io.Reader, name string) error {
	var (
		added   []netip.Prefix
		lineNo  int
		version bool
	)
	fail := func(format string, args ...any) error {
		return &ParseError{Name: name, Line: lineNo, Msg: fmt.Sprintf(format, args...)}
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), maxLine)
	for sc.Scan() {
		lineNo++
		line := strings.TrimSuffix(sc.Text(), "\r")
		if t := strings.TrimSpace(line); t == "" || t[0] == '#' {
			continue
		}
		f := strings.Split(line, "|")
		if !version {
			if !isVersion(f[0]) || len(f) != 7 {
				return fail("want a version line (2|registry|serial|records|startdate|enddate|UTCoffset), got %s", quoteShort(line))
			}
			if major, _, _ := strings.Cut(f[0], "."); major != "2" {
				return fail("format version %s is not supported (want 2)", quoteShort(f[0]))
			}
			version = true
			continue
		}
		if len(f) == 6 && f[1] == "*" && f[5] == "summary" {
			if t := f[2]; t != "asn" && t != "ipv4" && t != "ipv6" {
				return fail("unknown record type %s in summary line", quoteShort(t))
			}
			continue
		}
		if isVersion(f[0]) {
			return fail("second version line")
		}
		if len(f) < 7 {
			return fail("record has %d fields, want at least 7 (registry|cc|type|start|value|date|status)", len(f))
		}
		cc, typ, start, value, status := f[1], f[2], f[3], f[4], f[6]
		switch status {
		case "allocated", "assigned", "available", "reserved":
		default:
			return fail("unknown status %s", quoteShort(status))
		}
		keep := cc == "JP" && (status == "allocated" || status == "assigned")
		switch typ {
		case "asn":
			continue
		case "ipv4":
			a, err := netip.ParseAddr(start)
			if err != nil || !a.Is4() {
				return fail("ipv4 start %s is not an IPv4 address", quoteShort(start))
			}
			n, err := strconv.ParseUint(value, 10, 64)
			if err != nil {
				return fail("ipv4 count %s is not a number", quoteShort(value))
			}
			if n == 0 {
				return fail("ipv4 count is 0")
			}
			first := uint64(ipv4ToUint(a))
			if first+n-1 > 0xffffffff {
				return fail("ipv4 range %s + %d runs past 255.255.255.255", start, n)
			}
			if keep {
				added = appendRange4(added, uint32(first), n)
			}
		case "ipv6":
			a, err := netip.ParseAddr(start)
			if err != nil || !a.Is6() || a.Is4In6() || a.Zone() != "" {
				return fail("ipv6 start %s is not an IPv6 address", quoteShort(start))
			}
			n, err := strconv.ParseUint(value, 10, 8)
			if err != nil || n > 128 {
				return fail("ipv6 prefix length %s is not a number from 0 to 128", quoteShort(value))
			}
			p := netip.PrefixFrom(a, int(n))
			if p.Masked() != p {
				return fail("ipv6 prefix %s has bits set after its length", p)
			}
			if keep {
				added = append(added, p)
			}
		default:
			return fail("unknown record type %s", quoteShort(typ))
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			lineNo++
			return fail("line longer than %d bytes", maxLine)
		}
		return fmt.Errorf("read %s: %w", name, err)
	}
	if !version {
		return &ParseError{Name: name, Msg: "no version line: not a delegated statistics file"}
	}
	b.delegated = append(b.delegated, added...)
	return nil
}

// AddOverrides reads overrides in the format described in the package
// documentation from r. name identifies r in error messages. On error nothing
// from r is kept and the error is a [*ParseError] (or an I/O error wrapped
// with the input's name).
func (b *Builder) AddOverrides(r io.Reader, name string) error {
	added := make(map[netip.Prefix]override)
	lineNo := 0
	fail := func(format string, args ...any) error {
		return &ParseError{Name: name, Line: lineNo, Msg: fmt.Sprintf(format, args...)}
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), maxLine)
	for sc.Scan() {
		lineNo++
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if len(f) != 2 {
			return fail("want \"PREFIX domestic\" or \"PREFIX foreign\", got %d fields", len(f))
		}
		p, err := parsePrefix(f[0])
		if err != nil {
			return fail("%s", err)
		}
		var o override
		switch f[1] {
		case "domestic":
			o.domestic = true
		case "foreign":
		default:
			return fail("class %s is neither domestic nor foreign", quoteShort(f[1]))
		}
		o.where = name + ":" + strconv.Itoa(lineNo)
		if prev, ok := b.overrides[p]; ok {
			return fail("duplicate override for %s (first at %s)", p, prev.where)
		}
		if prev, ok := added[p]; ok {
			return fail("duplicate override for %s (first at %s)", p, prev.where)
		}
		added[p] = o
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			lineNo++
			return fail("line longer than %d bytes", maxLine)
		}
		return fmt.Errorf("read %s: %w", name, err)
	}
	for p, o := range added {
		b.overrides[p] = o
	}
	return nil
}

// parsePrefix parses an override's prefix or bare address.
func parsePrefix(s string) (netip.Prefix, error) {
	var p netip.Prefix
	if strings.Contains(s, "/") {
		var err error
		if p, err = netip.ParsePrefix(s); err != nil {
			return p, fmt.Errorf("%s is not a prefix", quoteShort(s))
		}
	} else {
		a, err := netip.ParseAddr(s)
		if err != nil || a.Zone() != "" {
			return p, fmt.Errorf("%s is not an address or prefix", quoteShort(s))
		}
		p = netip.PrefixFrom(a, a.BitLen())
	}
	if p.Addr().Is4In6() {
		return p, fmt.Errorf("%s is IPv4-mapped IPv6; write it as IPv4", quoteShort(s))
	}
	if p.Masked() != p {
		return p, fmt.Errorf("%s has bits set after its length (want %s)", quoteShort(s), p.Masked())
	}
	return p, nil
}

// Build returns a Table of everything added so far. The Builder stays usable;
// later additions do not change tables already built.
func (b *Builder) Build() *Table {
	var ov bart.Lite
	t := &Table{}
	for p, o := range b.overrides {
		ov.Insert(p)
		t.tbl.Insert(p, o.domestic)
	}
	for _, p := range b.delegated {
		if ov.LookupPrefix(p) {
			// An override covers the whole of p and so decides every address
			// in it (an override inside p is longer and wins by itself).
			continue
		}
		t.tbl.Insert(p, true)
	}
	t.v4 = new([1 << 16]uint8)
	for p := range t.tbl.All4() {
		if p.Bits() > 16 {
			b := p.Addr().As4()
			t.v4[int(b[0])<<8|int(b[1])] = v4Mixed
		}
	}
	for i := range t.v4 {
		if t.v4[i] != v4Mixed {
			if v, ok := t.tbl.Lookup(netip.AddrFrom4([4]byte{byte(i >> 8), byte(i), 0, 0})); ok && v {
				t.v4[i] = v4Domestic
			}
		}
	}
	return t
}

// Table says which addresses are domestic. Build one with a [Builder]. A
// Table is immutable and safe for concurrent use. The zero Table holds no
// prefixes: every address is foreign.
type Table struct {
	// tbl maps every prefix to whether it is domestic: overrides with their
	// class, delegated prefixes not covered by an override with true. One
	// longest-prefix match then gives the documented precedence.
	tbl bart.Fast[bool]
	// v4 answers most IPv4 addresses without a trie walk: per /16, whether
	// all of it is domestic, none of it is, or (a prefix longer than /16
	// lies inside) tbl must be asked. 64 KiB, so it stays in cache.
	v4 *[1 << 16]uint8
}

// States of an IPv4 /16 in Table.v4.
const (
	v4Foreign uint8 = iota
	v4Domestic
	v4Mixed
)

// Domestic reports whether a is a domestic address. IPv4-mapped IPv6
// addresses are looked up as IPv4; the zone is ignored; the invalid Addr is
// foreign. It does not allocate.
func (t *Table) Domestic(a netip.Addr) bool {
	a = a.Unmap()
	if a.Is4() && t.v4 != nil {
		b := a.As4()
		switch t.v4[int(b[0])<<8|int(b[1])] {
		case v4Domestic:
			return true
		case v4Foreign:
			return false
		}
	}
	v, ok := t.tbl.Lookup(a)
	return ok && v
}

// Classify returns the direction of a communication from src to dst.
func (t *Table) Classify(src, dst netip.Addr) Direction {
	d := Direction(0)
	if t.Domestic(src) {
		d |= 2
	}
	if t.Domestic(dst) {
		d |= 1
	}
	return d
}

// Len returns the number of IPv4 and IPv6 prefixes the table holds:
// overrides of both classes and the delegated prefixes not covered by an
// override (an ipv4 row whose count is not a power of two is several
// prefixes).
func (t *Table) Len() (ipv4, ipv6 int) {
	return t.tbl.Size4(), t.tbl.Size6()
}

// isVersion reports whether s looks like the version field of a version
// line: digits and dots, starting with a digit ("2", "2.3").
func isVersion(s string) bool {
	if s == "" || s[0] < '0' || s[0] > '9' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != '.' && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

func ipv4ToUint(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func uintToIPv4(v uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// appendRange4 appends the shortest list of prefixes covering the n
// addresses starting at first. The caller guarantees first+n-1 fits in 32
// bits and n > 0.
func appendRange4(dst []netip.Prefix, first uint32, n uint64) []netip.Prefix {
	cur := uint64(first)
	for n > 0 {
		// The largest block aligned at cur: 2^(trailing zeros of cur), 2^32 at 0.
		size := uint64(1) << 32
		if cur != 0 {
			size = uint64(1) << bits.TrailingZeros64(cur)
		}
		for size > n {
			size >>= 1
		}
		dst = append(dst, netip.PrefixFrom(uintToIPv4(uint32(cur)), 32-bits.TrailingZeros64(size)))
		cur += size
		n -= size
	}
	return dst
}

// quoteShort quotes s for an error message, cut to 64 bytes.
func quoteShort(s string) string {
	if len(s) > 64 {
		return strconv.Quote(s[:64]) + "…"
	}
	return strconv.Quote(s)
}
