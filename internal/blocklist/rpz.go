package blocklist

import (
	"bytes"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// renderRPZ writes the blocklist as a DNS response policy zone (the RPZ
// format of draft-vixie-dnsop-dns-rpz, as BIND and Unbound read it): the
// origin, $TTL, an SOA whose serial is the last change in Unix seconds,
// an NS, then for every entry a comment line and its triggers, each with
// the action "CNAME ." (answer NXDOMAIN):
//
//	c2.example.jp CNAME .            the name itself
//	*.c2.example.jp CNAME .          every name under it
//	32.7.100.51.198.rpz-ip CNAME .   answers holding 198.51.100.7
//	48.zz.abcd.db8.2001.rpz-ip CNAME .   answers in 2001:db8:abcd::/48
func renderRPZ(snap snapshot, origin string, ttl time.Duration) []byte {
	var b bytes.Buffer
	b.WriteString("; ACD defensive blocklist as a DNS response policy zone (RPZ).\n")
	b.WriteString("; A resolver that loads it answers NXDOMAIN for the names below, every name under\n")
	b.WriteString("; them, and every name whose answer holds an address in the networks below.\n")
	fmt.Fprintf(&b, "; Entries: %d. Last change: %s.\n", len(snap.entries), stamp(snap.lastModified))
	fmt.Fprintf(&b, "$ORIGIN %s\n", origin)
	fmt.Fprintf(&b, "$TTL %d\n", int64(ttl/time.Second))
	// Serial: the last change in Unix seconds, which fits the 32-bit
	// serial until 2106 and only grows.
	serial := max(snap.lastModified.Unix(), 1)
	fmt.Fprintf(&b, "@ SOA localhost. hostmaster.%s %d 300 60 604800 60\n", origin, serial)
	b.WriteString("@ NS localhost.\n")
	for _, e := range snap.entries {
		b.WriteString(";\n; ")
		b.WriteString(commentLine(e.Entry))
		b.WriteByte('\n')
		if e.Kind == KindDomain {
			fmt.Fprintf(&b, "%s CNAME .\n*.%s CNAME .\n", e.Value, e.Value)
			continue
		}
		fmt.Fprintf(&b, "%s CNAME .\n", RPZIPName(e.prefix))
	}
	return b.Bytes()
}

// RPZIPName returns the owner name, relative to the zone's origin, of an
// RPZ IP trigger for network p: "rpz-ip" under the prefix length and the
// address in reverse order — IPv4 octets ("24.0.100.51.198.rpz-ip" for
// 198.51.100.0/24), IPv6 16-bit groups in hexadecimal with "zz" for the
// first longest run of two or more zero groups in the address's usual
// order ("128.1.zz.db8.2001.rpz-ip" for 2001:db8::1/128). This is the
// canonical form BIND writes and checks. p must be masked.
func RPZIPName(p netip.Prefix) string {
	a := p.Addr()
	var b strings.Builder
	b.WriteString(strconv.Itoa(p.Bits()))
	if a.Is4() {
		o := a.As4()
		for i := 3; i >= 0; i-- {
			b.WriteByte('.')
			b.WriteString(strconv.Itoa(int(o[i])))
		}
		b.WriteString(".rpz-ip")
		return b.String()
	}
	raw := a.As16()
	// w holds the groups in reverse order, as in the name.
	var w [8]uint16
	for i := range 8 {
		w[i] = uint16(raw[14-2*i])<<8 | uint16(raw[15-2*i])
	}
	// As BIND's ip2name: the last longest run in reverse order (the first
	// in the usual order) of at least two zero groups becomes "zz".
	bestFirst, bestLen, curFirst, curLen := -1, 0, -1, 0
	for n := range 8 {
		if w[n] != 0 {
			curFirst, curLen = -1, 0
			continue
		}
		curLen++
		if curFirst < 0 {
			curFirst = n
		} else if curLen >= bestLen {
			bestFirst, bestLen = curFirst, curLen
		}
	}
	for n := 0; n < 8; n++ {
		if n == bestFirst {
			b.WriteString(".zz")
			n += bestLen - 1
			continue
		}
		b.WriteByte('.')
		b.WriteString(strconv.FormatUint(uint64(w[n]), 16))
	}
	b.WriteString(".rpz-ip")
	return b.String()
}
