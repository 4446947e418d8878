package packet_test

import (
	"encoding/binary"
	"net/netip"
)

// Small frame builders for the tests. They fill lengths from what they are
// given and leave checksums 0, which the decoder does not check; a test that
// wants a malformed header patches the built bytes with put8/put16.

var (
	src4 = netip.MustParseAddr("192.0.2.1")
	dst4 = netip.MustParseAddr("198.51.100.2")
	src6 = netip.MustParseAddr("2001:db8::1")
	dst6 = netip.MustParseAddr("2001:db8::2")
)

type tag struct{ tpid, vid uint16 }

// eth builds an Ethernet frame carrying payload of type et behind the tags.
func eth(et uint16, payload []byte, tags ...tag) []byte {
	b := []byte{0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2}
	for _, t := range tags {
		b = binary.BigEndian.AppendUint16(b, t.tpid)
		b = binary.BigEndian.AppendUint16(b, 0xe000|t.vid) // priority 7, to check it is masked off
	}
	b = binary.BigEndian.AppendUint16(b, et)
	return append(b, payload...)
}

// pad appends zero bytes up to the Ethernet minimum of 60 bytes.
func pad(b []byte) []byte {
	for len(b) < 60 {
		b = append(b, 0)
	}
	return b
}

// ip4 builds an IPv4 packet from src4 to dst4 with TTL 64, ID 0x1234 and the
// given options (a multiple of 4 bytes long).
func ip4(proto uint8, opts, payload []byte) []byte {
	hl := 20 + len(opts)
	b := make([]byte, hl, hl+len(payload))
	b[0] = 0x40 | byte(hl/4)
	binary.BigEndian.PutUint16(b[2:], uint16(hl+len(payload)))
	binary.BigEndian.PutUint16(b[4:], 0x1234)
	b[8] = 64
	b[9] = proto
	copy(b[12:], src4.AsSlice())
	copy(b[16:], dst4.AsSlice())
	copy(b[20:], opts)
	return append(b, payload...)
}

// ip6 builds an IPv6 packet from src6 to dst6 with hop limit 64 whose first
// next-header value is nh.
func ip6(nh uint8, payload []byte) []byte {
	b := make([]byte, 40, 40+len(payload))
	b[0] = 0x60
	binary.BigEndian.PutUint16(b[4:], uint16(len(payload)))
	b[6] = nh
	b[7] = 64
	copy(b[8:], src6.AsSlice())
	copy(b[24:], dst6.AsSlice())
	return append(b, payload...)
}

// ext6 builds a hop-by-hop, routing or destination options header with
// next header nh and n 8-byte units.
func ext6(nh uint8, n int, rest []byte) []byte {
	b := make([]byte, n*8, n*8+len(rest))
	b[0] = nh
	b[1] = byte(n - 1)
	return append(b, rest...)
}

// ah6 builds an authentication header with next header nh and a 12-byte ICV.
func ah6(nh uint8, rest []byte) []byte {
	b := make([]byte, 24, 24+len(rest))
	b[0] = nh
	b[1] = 24/4 - 2
	return append(b, rest...)
}

// frag6 builds an IPv6 fragment header.
func frag6(nh uint8, offset uint16, more bool, id uint32, rest []byte) []byte {
	b := make([]byte, 8, 8+len(rest))
	b[0] = nh
	fo := offset &^ 7
	if more {
		fo |= 1
	}
	binary.BigEndian.PutUint16(b[2:], fo)
	binary.BigEndian.PutUint32(b[4:], id)
	return append(b, rest...)
}

// tcp builds a TCP segment with seq 1000, ack 2000 and window 512.
func tcp(sport, dport uint16, flags uint8, opts, payload []byte) []byte {
	hl := 20 + len(opts)
	b := make([]byte, hl, hl+len(payload))
	binary.BigEndian.PutUint16(b[0:], sport)
	binary.BigEndian.PutUint16(b[2:], dport)
	binary.BigEndian.PutUint32(b[4:], 1000)
	binary.BigEndian.PutUint32(b[8:], 2000)
	b[12] = byte(hl/4) << 4
	b[13] = flags
	binary.BigEndian.PutUint16(b[14:], 512)
	copy(b[20:], opts)
	return append(b, payload...)
}

func udp(sport, dport uint16, payload []byte) []byte {
	b := make([]byte, 8, 8+len(payload))
	binary.BigEndian.PutUint16(b[0:], sport)
	binary.BigEndian.PutUint16(b[2:], dport)
	binary.BigEndian.PutUint16(b[4:], uint16(8+len(payload)))
	return append(b, payload...)
}

func sctp(sport, dport uint16, chunks []byte) []byte {
	b := make([]byte, 12, 12+len(chunks))
	binary.BigEndian.PutUint16(b[0:], sport)
	binary.BigEndian.PutUint16(b[2:], dport)
	binary.BigEndian.PutUint32(b[4:], 0xdeadbeef)
	return append(b, chunks...)
}

// icmp builds an ICMP or ICMPv6 message with an 8-byte header.
func icmp(typ, code uint8, payload []byte) []byte {
	b := make([]byte, 8, 8+len(payload))
	b[0], b[1] = typ, code
	return append(b, payload...)
}

// sll builds a Linux cooked (v1) header for protocol et.
func sll(et uint16, payload []byte) []byte {
	b := make([]byte, 16, 16+len(payload))
	binary.BigEndian.PutUint16(b[2:], 1) // ARPHRD_ETHER
	binary.BigEndian.PutUint16(b[4:], 6)
	binary.BigEndian.PutUint16(b[14:], et)
	return append(b, payload...)
}

// sll2 builds a Linux cooked v2 header for protocol et.
func sll2(et uint16, payload []byte) []byte {
	b := make([]byte, 20, 20+len(payload))
	binary.BigEndian.PutUint16(b[0:], et)
	binary.BigEndian.PutUint32(b[4:], 3) // interface index
	binary.BigEndian.PutUint16(b[8:], 1) // ARPHRD_ETHER
	b[11] = 6
	return append(b, payload...)
}

// null builds a BSD loopback header for address family af in byte order o.
func null(o binary.AppendByteOrder, af uint32, payload []byte) []byte {
	return append(o.AppendUint32(nil, af), payload...)
}

// put8 and put16 patch a copy of b at off.
func put8(b []byte, off int, v uint8) []byte {
	b = append([]byte(nil), b...)
	b[off] = v
	return b
}

func put16(b []byte, off int, v uint16) []byte {
	b = append([]byte(nil), b...)
	binary.BigEndian.PutUint16(b[off:], v)
	return b
}

// cut returns the first n bytes of b.
func cut(b []byte, n int) []byte { return b[:n:n] }

// seq returns n bytes 0, 1, 2, ... to stand for a payload.
func seq(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

// arp is an ARP request body.
var arp = []byte{0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 1, 192, 0, 2, 1, 0, 0, 0, 0, 0, 0, 198, 51, 100, 2}
