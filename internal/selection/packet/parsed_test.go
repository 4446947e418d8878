package packet_test

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/acd-platform/acd/internal/selection/packet"
)

// P is short for the struct the table rows spell out.
type P = packet.Parsed

// v4 and v6 are the fields every packet from the builders has.
func v4(ipLen int, proto uint8) P {
	return P{EtherType: packet.EtherTypeIPv4, IPVersion: 4, Src: src4, Dst: dst4, Proto: proto, TTL: 64, IPLen: ipLen, FragID: 0x1234}
}

func v6(ipLen int, proto uint8) P {
	return P{EtherType: packet.EtherTypeIPv6, IPVersion: 6, Src: src6, Dst: dst6, Proto: proto, TTL: 64, IPLen: ipLen}
}

// withTCP adds the fields of a segment from the tcp builder.
func withTCP(p P, sport, dport uint16, flags uint8, payload []byte) P {
	p.SrcPort, p.DstPort, p.TCPFlags, p.Seq, p.Ack, p.Window, p.Payload = sport, dport, flags, 1000, 2000, 512, payload
	return p
}

func withPorts(p P, sport, dport uint16, payload []byte) P {
	p.SrcPort, p.DstPort, p.Payload = sport, dport, payload
	return p
}

func with(p P, f func(*P)) P {
	f(&p)
	return p
}

var (
	tsOpts = []byte{1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2} // NOP NOP timestamps
	ip4RR  = []byte{7, 7, 4, 0, 0, 0, 0, 0}              // record route with room for one address
)

type decodeTest struct {
	name  string
	link  packet.LinkType
	frame []byte
	want  P
}

// validTests are frames Decode must accept, with the fields it must set.
var validTests = []decodeTest{
	// The common case: TCP with options and data.
	{"ethernet ipv4 tcp", packet.LinkEthernet,
		eth(packet.EtherTypeIPv4, ip4(6, nil, tcp(40000, 80, packet.TCPPsh|packet.TCPAck, tsOpts, seq(5)))),
		withTCP(v4(57, 6), 40000, 80, packet.TCPPsh|packet.TCPAck, seq(5))},
	// Ethernet pads short frames to 60 bytes; the padding is not payload.
	{"ethernet padding", packet.LinkEthernet,
		pad(eth(packet.EtherTypeIPv4, ip4(6, nil, tcp(40000, 80, packet.TCPAck, nil, seq(2))))),
		withTCP(v4(42, 6), 40000, 80, packet.TCPAck, seq(2))},
	// One 802.1Q tag; the priority bits are not part of the VLAN ID.
	{"vlan ipv4 udp", packet.LinkEthernet,
		eth(packet.EtherTypeIPv4, ip4(17, nil, udp(5353, 53, seq(12))), tag{0x8100, 100}),
		with(withPorts(v4(40, 17), 5353, 53, seq(12)), func(p *P) { p.VLAN, p.VLANs = [2]uint16{100, 0}, 1 })},
	// QinQ: 802.1ad service tag outside an 802.1Q customer tag.
	{"qinq ipv6 tcp", packet.LinkEthernet,
		eth(packet.EtherTypeIPv6, ip6(6, tcp(443, 50000, packet.TCPSyn, nil, nil)), tag{0x88a8, 10}, tag{0x8100, 4095}),
		with(withTCP(v6(60, 6), 443, 50000, packet.TCPSyn, []byte{}), func(p *P) { p.VLAN, p.VLANs = [2]uint16{10, 4095}, 2 })},
	// Three tags with the old 0x9100 TPID: only the outer two IDs are kept.
	{"three tags", packet.LinkEthernet,
		eth(packet.EtherTypeIPv4, ip4(17, nil, udp(1, 2, nil)), tag{0x9100, 1}, tag{0x8100, 2}, tag{0x8100, 3}),
		with(withPorts(v4(28, 17), 1, 2, []byte{}), func(p *P) { p.VLAN, p.VLANs = [2]uint16{1, 2}, 3 })},
	// IPv4 options move the transport header.
	{"ipv4 options", packet.LinkEthernet,
		eth(packet.EtherTypeIPv4, ip4(17, ip4RR, udp(1000, 2000, seq(3)))),
		withPorts(v4(39, 17), 1000, 2000, seq(3))},
	// IPv6 with hop-by-hop, routing and fragment headers, first fragment.
	{"ipv6 extension headers first fragment", packet.LinkEthernet,
		eth(packet.EtherTypeIPv6, ip6(0, ext6(43, 1, ext6(44, 3, frag6(6, 0, true, 0xabcdef01, tcp(1, 2, packet.TCPAck, nil, seq(8))))))),
		with(withTCP(v6(40+8+24+8+28, 6), 1, 2, packet.TCPAck, seq(8)), func(p *P) {
			p.Fragment, p.MoreFragments, p.FragID = true, true, 0xabcdef01
		})},
	// A non-first IPv6 fragment: no transport header, no payload.
	{"ipv6 non-first fragment", packet.LinkEthernet,
		eth(packet.EtherTypeIPv6, ip6(60, ext6(44, 1, frag6(17, 1448, false, 7, seq(100))))),
		with(v6(40+8+8+100, 17), func(p *P) { p.Fragment, p.FragOffset, p.FragID = true, 1448, 7 })},
	// An atomic fragment (offset 0, no more) is not a fragment.
	{"ipv6 atomic fragment", packet.LinkEthernet,
		eth(packet.EtherTypeIPv6, ip6(44, frag6(17, 0, false, 9, udp(7, 8, nil)))),
		with(withPorts(v6(56, 17), 7, 8, []byte{}), func(p *P) { p.FragID = 9 })},
	// AH is walked; ESP is not.
	{"ipv6 ah", packet.LinkEthernet,
		eth(packet.EtherTypeIPv6, ip6(51, ah6(6, tcp(3, 4, packet.TCPFin, nil, nil)))),
		withTCP(v6(84, 6), 3, 4, packet.TCPFin, []byte{})},
	{"ipv6 esp", packet.LinkEthernet,
		eth(packet.EtherTypeIPv6, ip6(50, seq(16))),
		with(v6(56, 50), func(p *P) { p.Payload = seq(16) })},
	// IPv4 first fragment carries the UDP header.
	{"ipv4 first fragment", packet.LinkEthernet,
		eth(packet.EtherTypeIPv4, put16(ip4(17, nil, udp(53, 9999, seq(20))), 6, 0x2000)),
		with(withPorts(v4(48, 17), 53, 9999, seq(20)), func(p *P) { p.Fragment, p.MoreFragments = true, true })},
	// IPv4 last fragment at offset 185*8: no transport header.
	{"ipv4 non-first fragment", packet.LinkEthernet,
		eth(packet.EtherTypeIPv4, put16(ip4(17, nil, seq(30)), 6, 185)),
		with(v4(50, 17), func(p *P) { p.Fragment, p.FragOffset = true, 1480 })},
	{"icmp echo", packet.LinkEthernet,
		eth(packet.EtherTypeIPv4, ip4(1, nil, icmp(8, 0, seq(4)))),
		with(v4(32, 1), func(p *P) { p.ICMPType, p.Payload = 8, seq(4) })},
	{"icmpv6 neighbour solicitation", packet.LinkEthernet,
		eth(packet.EtherTypeIPv6, ip6(58, icmp(135, 0, seq(16)))),
		with(v6(64, 58), func(p *P) { p.ICMPType, p.Payload = 135, seq(16) })},
	{"sctp", packet.LinkEthernet,
		eth(packet.EtherTypeIPv4, ip4(132, nil, sctp(36412, 36412, seq(16)))),
		withPorts(v4(48, 132), 36412, 36412, seq(16))},
	// Other protocols: the payload is what follows the IP header.
	{"gre", packet.LinkEthernet,
		eth(packet.EtherTypeIPv4, ip4(47, nil, seq(4))),
		with(v4(24, 47), func(p *P) { p.Payload = seq(4) })},
	// ARP is not IP and not an error.
	{"arp", packet.LinkEthernet, pad(eth(packet.EtherTypeARP, arp)), P{EtherType: packet.EtherTypeARP}},
	// A UDP length shorter than the IP payload ends the datagram.
	{"udp length below ip length", packet.LinkEthernet,
		eth(packet.EtherTypeIPv4, ip4(17, nil, append(udp(1, 2, seq(3)), 0, 0))),
		withPorts(v4(33, 17), 1, 2, seq(3))},
	// Segmentation offload: IPv4 total length 0, the capture gives the end.
	{"ipv4 total length 0", packet.LinkEthernet,
		eth(packet.EtherTypeIPv4, put16(ip4(6, nil, tcp(1, 2, packet.TCPAck, nil, seq(9))), 2, 0)),
		withTCP(v4(0, 6), 1, 2, packet.TCPAck, seq(9))},
	{"ipv4 total length 0 truncated in options", packet.LinkRaw,
		cut(put16(ip4(17, ip4RR, udp(1, 2, nil)), 2, 0), 22),
		with(v4(0, 17), func(p *P) { p.Truncated = true })},
	{"ipv6 udp length 0", packet.LinkRaw, // a jumbogram's UDP length
		ip6(17, put16(udp(1, 2, seq(3)), 4, 0)),
		withPorts(v6(51, 17), 1, 2, seq(3))},
	{"ipv6 payload length 0", packet.LinkRaw,
		put16(ip6(17, udp(1, 2, seq(9))), 4, 0),
		withPorts(v6(40, 17), 1, 2, seq(9))},

	// Link types.
	{"sll", packet.LinkLinuxSLL, sll(packet.EtherTypeIPv4, ip4(17, nil, udp(1, 2, nil))), withPorts(v4(28, 17), 1, 2, []byte{})},
	{"sll vlan", packet.LinkLinuxSLL, sll(0x8100, append([]byte{0, 5, 0x86, 0xdd}, ip6(17, udp(1, 2, nil))...)),
		with(withPorts(v6(48, 17), 1, 2, []byte{}), func(p *P) { p.VLAN, p.VLANs = [2]uint16{5, 0}, 1 })},
	{"sll2", packet.LinkLinuxSLL2, sll2(packet.EtherTypeIPv6, ip6(6, tcp(1, 2, 0, nil, nil))), withTCP(v6(60, 6), 1, 2, 0, []byte{})},
	{"sll2 arp", packet.LinkLinuxSLL2, sll2(packet.EtherTypeARP, arp), P{EtherType: packet.EtherTypeARP}},
	{"null little-endian ipv4", packet.LinkNull, null(binary.LittleEndian, 2, ip4(17, nil, udp(1, 2, nil))), withPorts(v4(28, 17), 1, 2, []byte{})},
	{"null big-endian ipv6 darwin", packet.LinkNull, null(binary.BigEndian, 30, ip6(17, udp(1, 2, nil))), withPorts(v6(48, 17), 1, 2, []byte{})},
	{"null linux ipv6", packet.LinkNull, null(binary.LittleEndian, 10, ip6(17, udp(1, 2, nil))), withPorts(v6(48, 17), 1, 2, []byte{})},
	{"null other family", packet.LinkNull, null(binary.LittleEndian, 7, seq(20)), P{}},
	{"raw ipv4", packet.LinkRaw, ip4(17, nil, udp(1, 2, nil)), withPorts(v4(28, 17), 1, 2, []byte{})},
	{"raw ipv6", packet.LinkRaw, ip6(17, udp(1, 2, nil)), withPorts(v6(48, 17), 1, 2, []byte{})},
	{"ipv4 link", packet.LinkIPv4, ip4(17, nil, udp(1, 2, nil)), withPorts(v4(28, 17), 1, 2, []byte{})},
	{"ipv6 link", packet.LinkIPv6, ip6(17, udp(1, 2, nil)), withPorts(v6(48, 17), 1, 2, []byte{})},

	// Truncated captures: what is there is decoded.
	{"truncated in tcp payload", packet.LinkEthernet,
		cut(eth(packet.EtherTypeIPv4, ip4(6, nil, tcp(1, 2, packet.TCPAck, nil, seq(100)))), 14+20+20+30),
		with(withTCP(v4(140, 6), 1, 2, packet.TCPAck, seq(30)), func(p *P) { p.Truncated = true })},
	{"truncated in tcp header", packet.LinkEthernet,
		cut(eth(packet.EtherTypeIPv4, ip4(6, nil, tcp(1, 2, packet.TCPAck, nil, seq(100)))), 14+20+10),
		with(withPorts(v4(140, 6), 1, 2, nil), func(p *P) { p.Truncated = true })},
	{"truncated in tcp options", packet.LinkEthernet,
		cut(eth(packet.EtherTypeIPv4, ip4(6, nil, tcp(1, 2, packet.TCPAck, tsOpts, nil))), 14+20+24),
		with(withTCP(v4(52, 6), 1, 2, packet.TCPAck, nil), func(p *P) { p.Truncated = true })},
	{"truncated in ipv4 options", packet.LinkEthernet,
		cut(eth(packet.EtherTypeIPv4, ip4(17, ip4RR, udp(1, 2, nil))), 14+22),
		with(v4(36, 17), func(p *P) { p.Truncated = true })},
	{"truncated in udp header", packet.LinkEthernet,
		cut(eth(packet.EtherTypeIPv4, ip4(17, nil, udp(1, 2, nil))), 14+20+6),
		with(withPorts(v4(28, 17), 1, 2, nil), func(p *P) { p.Truncated = true })},
	{"truncated in sctp header", packet.LinkRaw,
		cut(ip4(132, nil, sctp(1, 2, nil)), 20+8),
		with(withPorts(v4(32, 132), 1, 2, nil), func(p *P) { p.Truncated = true })},
	{"truncated in icmp header", packet.LinkRaw,
		cut(ip4(1, nil, icmp(3, 1, nil)), 20+4),
		with(v4(28, 1), func(p *P) { p.ICMPType, p.ICMPCode, p.Truncated = 3, 1, true })},
	{"truncated in ipv6 extension header", packet.LinkRaw,
		cut(ip6(0, ext6(6, 2, tcp(1, 2, 0, nil, nil))), 40+8),
		with(v6(76, 0), func(p *P) { p.Truncated = true })},
	{"truncated before ipv6 extension header length", packet.LinkRaw,
		cut(ip6(60, ext6(6, 1, tcp(1, 2, 0, nil, nil))), 40+1),
		with(v6(68, 60), func(p *P) { p.Truncated = true })},
	{"truncated before ah length", packet.LinkRaw,
		cut(ip6(51, ah6(6, tcp(1, 2, 0, nil, nil))), 40+1),
		with(v6(84, 51), func(p *P) { p.Truncated = true })},
	{"truncated in ipv6 fragment header", packet.LinkRaw,
		cut(ip6(44, frag6(6, 0, true, 1, nil)), 40+4),
		with(v6(48, 44), func(p *P) { p.Truncated = true })},
}

func cmpOpts() cmp.Options {
	return cmp.Options{
		cmpopts.IgnoreUnexported(packet.Parsed{}),
		cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
	}
}

func TestDecode(t *testing.T) {
	for _, tt := range validTests {
		t.Run(tt.name, func(t *testing.T) {
			var p packet.Parsed
			if err := p.Decode(tt.frame, tt.link); err != nil {
				t.Fatalf("Decode: got error %v, want nil", err)
			}
			if diff := cmp.Diff(tt.want, p, cmpOpts()); diff != "" {
				t.Errorf("Decode (-want +got):\n%s", diff)
			}
			if (tt.want.Payload == nil) != (p.Payload == nil) {
				t.Errorf("Payload nil: got %v, want %v", p.Payload == nil, tt.want.Payload == nil)
			}
			if len(p.Payload) != cap(p.Payload) {
				t.Errorf("Payload: got cap %d, want len %d", cap(p.Payload), len(p.Payload))
			}
			checkWithin(t, p.Payload, tt.frame)
		})
	}
}

// checkWithin fails unless sub is nil or lies within b.
func checkWithin(t testing.TB, sub, b []byte) {
	t.Helper()
	if sub == nil {
		return
	}
	start := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	s := uintptr(unsafe.Pointer(unsafe.SliceData(sub)))
	if len(sub) > 0 && (s < start || s+uintptr(len(sub)) > start+uintptr(len(b))) {
		t.Errorf("Payload [%#x, +%d) outside frame [%#x, +%d)", s, len(sub), start, len(b))
	}
}

// errorTests are malformed frames, with the error Decode must return.
var errorTests = []struct {
	name  string
	link  packet.LinkType
	frame []byte
	want  string // Error() of the *DecodeError
}{
	{"empty ethernet", packet.LinkEthernet, nil, "decode ethernet at byte 0: frame shorter than 14-byte header"},
	{"short ethernet", packet.LinkEthernet, seq(13), "decode ethernet at byte 0: frame shorter than 14-byte header"},
	{"short sll", packet.LinkLinuxSLL, seq(15), "decode sll at byte 0: frame shorter than 16-byte header"},
	{"short sll2", packet.LinkLinuxSLL2, seq(19), "decode sll2 at byte 0: frame shorter than 20-byte header"},
	{"short null", packet.LinkNull, seq(3), "decode null at byte 0: frame shorter than 4-byte header"},
	{"empty raw", packet.LinkRaw, nil, "decode raw at byte 0: empty frame"},
	{"raw version 5", packet.LinkRaw, put8(ip4(17, nil, nil), 0, 0x55), "decode raw at byte 0: version 5 not 4 or 6"},
	{"truncated vlan tag", packet.LinkEthernet, cut(eth(0x0800, nil, tag{0x8100, 1}), 16), "decode vlan at byte 14: frame ends inside tag"},
	{"nine vlan tags", packet.LinkEthernet,
		eth(0x0800, ip4(17, nil, udp(1, 2, nil)), tag{0x8100, 1}, tag{0x8100, 1}, tag{0x8100, 1}, tag{0x8100, 1},
			tag{0x8100, 1}, tag{0x8100, 1}, tag{0x8100, 1}, tag{0x8100, 1}, tag{0x8100, 1}),
		"decode vlan at byte 46: more than 8 tags"},
	{"short ipv4", packet.LinkEthernet, eth(0x0800, seq(19)), "decode ipv4 at byte 14: frame ends inside 20-byte header"},
	{"ipv4 version 6", packet.LinkEthernet, eth(0x0800, ip6(17, nil)), "decode ipv4 at byte 14: version 6 != 4"},
	{"ipv6 link version 4", packet.LinkIPv6, ip4(17, nil, seq(20)), "decode ipv6 at byte 0: version 4 != 6"},
	{"ipv4 header length 16", packet.LinkEthernet, eth(0x0800, put8(ip4(17, nil, nil), 0, 0x44)), "decode ipv4 at byte 14: header length 16 < 20"},
	{"ipv4 total length below header", packet.LinkEthernet, eth(0x0800, put16(ip4(17, ip4RR, nil), 2, 24)),
		"decode ipv4 at byte 14: total length < header length"},
	{"short ipv6", packet.LinkEthernet, eth(0x86dd, seq(39)), "decode ipv6 at byte 14: frame ends inside 40-byte header"},
	{"ipv6 extension header past payload length", packet.LinkRaw,
		put16(ip6(0, ext6(6, 2, tcp(1, 2, 0, nil, nil))), 4, 8), "decode ipv6 at byte 40: extension header runs past payload length"},
	{"ipv6 fragment header past payload length", packet.LinkRaw,
		put16(ip6(44, frag6(6, 0, true, 1, nil)), 4, 4), "decode ipv6 at byte 40: extension header runs past payload length"},
	{"ipv6 extension header length byte past payload length", packet.LinkRaw,
		put16(ip6(43, ext6(6, 1, nil)), 4, 1), "decode ipv6 at byte 40: extension header runs past payload length"},
	{"ipv6 ah past payload length", packet.LinkRaw,
		put16(ip6(51, ah6(6, nil)), 4, 16), "decode ipv6 at byte 40: extension header runs past payload length"},
	{"tcp shorter than header", packet.LinkRaw, ip4(6, nil, seq(19)), "decode tcp at byte 20: IP payload shorter than 20-byte header"},
	{"tcp header length 16", packet.LinkRaw, ip4(6, nil, put8(tcp(1, 2, 0, nil, nil), 12, 0x40)), "decode tcp at byte 20: header length 16 < 20"},
	{"tcp header past ip payload", packet.LinkRaw, ip4(6, nil, put8(tcp(1, 2, 0, nil, nil), 12, 0x60)),
		"decode tcp at byte 20: header length runs past IP payload"},
	{"udp shorter than header", packet.LinkRaw, ip6(17, seq(7)), "decode udp at byte 40: IP payload shorter than 8-byte header"},
	{"udp length 5", packet.LinkRaw, ip4(17, nil, put16(udp(1, 2, nil), 4, 5)), "decode udp at byte 20: length 5 < 8"},
	{"ipv4 udp length 0", packet.LinkRaw, ip4(17, nil, put16(udp(1, 2, nil), 4, 0)), "decode udp at byte 20: length 0 < 8"},
	{"sctp shorter than header", packet.LinkRaw, ip4(132, nil, seq(11)), "decode sctp at byte 20: IP payload shorter than 12-byte common header"},
	{"icmp shorter than header", packet.LinkRaw, ip4(1, nil, seq(4)), "decode icmp at byte 20: IP payload shorter than 8-byte header"},
	{"icmpv6 shorter than header", packet.LinkRaw, ip6(58, seq(4)), "decode icmpv6 at byte 40: IP payload shorter than 8-byte header"},
}

func TestDecodeErrors(t *testing.T) {
	for _, tt := range errorTests {
		t.Run(tt.name, func(t *testing.T) {
			var p packet.Parsed
			err := p.Decode(tt.frame, tt.link)
			var de *packet.DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("Decode: got error %v, want a *DecodeError", err)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("Decode: got error %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDecodeUnsupportedLink(t *testing.T) {
	var p packet.Parsed
	if err := p.Decode(ip4(17, nil, nil), 147); !errors.Is(err, packet.ErrUnsupportedLink) {
		t.Errorf("Decode with link 147: got %v, want ErrUnsupportedLink", err)
	}
}

// TestDecodeResets checks that nothing of one frame survives into the next.
func TestDecodeResets(t *testing.T) {
	var p packet.Parsed
	first := validTests[2] // VLAN, ports, payload
	if err := p.Decode(first.frame, first.link); err != nil {
		t.Fatal(err)
	}
	if err := p.Decode(pad(eth(packet.EtherTypeARP, arp)), packet.LinkEthernet); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(P{EtherType: packet.EtherTypeARP}, p, cmpOpts()); diff != "" {
		t.Errorf("second Decode (-want +got):\n%s", diff)
	}
}

func TestDecodeAllocs(t *testing.T) {
	var p packet.Parsed
	for _, tt := range validTests {
		if n := testing.AllocsPerRun(100, func() { _ = p.Decode(tt.frame, tt.link) }); n != 0 {
			t.Errorf("%s: got %v allocs, want 0", tt.name, n)
		}
	}
	for _, tt := range errorTests {
		if n := testing.AllocsPerRun(100, func() { _ = p.Decode(tt.frame, tt.link) }); n != 0 {
			t.Errorf("%s: got %v allocs, want 0", tt.name, n)
		}
	}
}

func TestLinkType(t *testing.T) {
	tests := []struct {
		link      packet.LinkType
		name      string
		supported bool
	}{
		{packet.LinkNull, "NULL", true},
		{packet.LinkEthernet, "ETHERNET", true},
		{packet.LinkRaw, "RAW", true},
		{packet.LinkLinuxSLL, "LINUX_SLL", true},
		{packet.LinkIPv4, "IPV4", true},
		{packet.LinkIPv6, "IPV6", true},
		{packet.LinkLinuxSLL2, "LINUX_SLL2", true},
		{105, "LinkType(105)", false}, // IEEE 802.11
	}
	for _, tt := range tests {
		if got := tt.link.String(); got != tt.name {
			t.Errorf("LinkType(%d).String(): got %q, want %q", uint16(tt.link), got, tt.name)
		}
		if got := tt.link.Supported(); got != tt.supported {
			t.Errorf("LinkType(%d).Supported(): got %v, want %v", uint16(tt.link), got, tt.supported)
		}
	}
}

func TestFlowHash(t *testing.T) {
	decode := func(frame []byte) uint64 {
		t.Helper()
		var p packet.Parsed
		if err := p.Decode(frame, packet.LinkRaw); err != nil {
			t.Fatal(err)
		}
		return p.FlowHash()
	}
	fwd := decode(ip4(6, nil, tcp(40000, 80, 0, nil, nil)))
	// The same flow the other way.
	rev := ip4(6, nil, tcp(80, 40000, 0, nil, nil))
	copy(rev[12:], dst4.AsSlice())
	copy(rev[16:], src4.AsSlice())
	if got := decode(rev); got != fwd {
		t.Errorf("reverse direction: got hash %#x, want %#x", got, fwd)
	}
	others := map[string][]byte{
		"other source port": ip4(6, nil, tcp(40001, 80, 0, nil, nil)),
		"ports swapped":     ip4(6, nil, tcp(80, 40000, 0, nil, nil)),
		"udp":               ip4(17, nil, udp(40000, 80, nil)),
		"ipv6":              ip6(6, tcp(40000, 80, 0, nil, nil)),
	}
	for name, frame := range others {
		if got := decode(frame); got == fwd {
			t.Errorf("%s: got the same hash %#x as the original flow, want another", name, got)
		}
	}
}
