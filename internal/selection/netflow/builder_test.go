package netflow_test

import (
	"encoding/binary"
	"net/netip"
)

// This file builds export datagrams for the tests, byte by byte after the
// RFCs, independently of the decoder.

func u8(v uint8) []byte   { return []byte{v} }
func u16(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }
func u32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }
func u64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }
func ip(s string) []byte  { return netip.MustParseAddr(s).AsSlice() }

// cat concatenates byte slices.
func cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// v5Header is the header of a NetFlow v5 datagram.
type v5Header struct {
	uptime, secs, nsecs, seq uint32
	engineType, engineID     uint8
	sampling                 uint16
}

// v5Record is one NetFlow v5 flow record.
type v5Record struct {
	src, dst, nexthop string
	pkts, octets      uint32
	first, last       uint32
	sport, dport      uint16
	flags, proto, tos uint8
}

func v5Datagram(h v5Header, recs ...v5Record) []byte {
	b := cat(u16(5), u16(uint16(len(recs))), u32(h.uptime), u32(h.secs), u32(h.nsecs), u32(h.seq),
		u8(h.engineType), u8(h.engineID), u16(h.sampling))
	for _, r := range recs {
		b = append(b, cat(ip(r.src), ip(r.dst), ip(r.nexthop), u16(1), u16(2), u32(r.pkts), u32(r.octets),
			u32(r.first), u32(r.last), u16(r.sport), u16(r.dport), u8(0), u8(r.flags), u8(r.proto), u8(r.tos),
			u16(64500), u16(64501), u8(24), u8(24), u16(0))...)
	}
	return b
}

// spec is a template field specifier; ent != 0 makes it enterprise-specific.
type spec struct {
	ie, n uint16
	ent   uint32
}

func (s spec) bytes() []byte {
	if s.ent != 0 {
		return cat(u16(s.ie|0x8000), u16(s.n), u32(s.ent))
	}
	return cat(u16(s.ie), u16(s.n))
}

// tmpl is a template record (v9 and IPFIX).
func tmpl(id uint16, specs ...spec) []byte {
	b := cat(u16(id), u16(uint16(len(specs))))
	for _, s := range specs {
		b = append(b, s.bytes()...)
	}
	return b
}

// optTmpl is an IPFIX options template record whose first scope specs are scope fields.
func optTmpl(id uint16, scope int, specs ...spec) []byte {
	b := cat(u16(id), u16(uint16(len(specs))), u16(uint16(scope)))
	for _, s := range specs {
		b = append(b, s.bytes()...)
	}
	return b
}

// v9OptTmpl is a NetFlow v9 options template record.
func v9OptTmpl(id uint16, scope, opts []spec) []byte {
	b := cat(u16(id), u16(uint16(4*len(scope))), u16(uint16(4*len(opts))))
	for _, s := range append(scope, opts...) {
		b = append(b, s.bytes()...)
	}
	return b
}

// set wraps records in a set (flowset) header.
func set(id uint16, records ...[]byte) []byte {
	body := cat(records...)
	return cat(u16(id), u16(uint16(4+len(body))), body)
}

// paddedSet is set with zero padding to a multiple of 4 bytes, as RFC 3954 asks.
func paddedSet(id uint16, records ...[]byte) []byte {
	body := cat(records...)
	for (4+len(body))%4 != 0 {
		body = append(body, 0)
	}
	return set(id, body)
}

// v9Datagram is a NetFlow v9 datagram; the count field counts the sets, which decoders must not trust anyway.
func v9Datagram(uptime, secs, seq, source uint32, sets ...[]byte) []byte {
	return cat(u16(9), u16(uint16(len(sets))), u32(uptime), u32(secs), u32(seq), u32(source), cat(sets...))
}

// ipfixMessage is an IPFIX message.
func ipfixMessage(exportSecs, seq, domain uint32, sets ...[]byte) []byte {
	body := cat(sets...)
	return cat(u16(10), u16(uint16(16+len(body))), u32(exportSecs), u32(seq), u32(domain), body)
}

// varField is an IPFIX variable-length field value with its length prefix.
func varField(v []byte) []byte {
	if len(v) < 255 {
		return cat(u8(uint8(len(v))), v)
	}
	return cat(u8(255), u16(uint16(len(v))), v)
}

// ntp is an NTP timestamp for Unix seconds and nanoseconds.
func ntp(sec int64, nsec uint32) uint64 {
	frac := (uint64(nsec)<<32 + 999_999_999) / 1e9 // round up so that truncating back gives nsec
	return uint64(sec+2208988800)<<32 | frac
}

// Information elements used by the tests.
const (
	ieOctetDelta   = 1
	iePacketDelta  = 2
	ieProto        = 4
	ieTCPFlags     = 6
	ieSrcPort      = 7
	ieSrc4         = 8
	ieDstPort      = 11
	ieDst4         = 12
	ieEndUptime    = 21
	ieStartUptime  = 22
	ieSrc6         = 27
	ieDst6         = 28
	ieICMPTypeCode = 32
	ieSampling     = 34
	ieSamplingAlg  = 35
	ieOctetTotal   = 85
	iePacketTotal  = 86
	ieICMPv6       = 139
	ieDomainID     = 149
	ieStartSec     = 150
	ieEndSec       = 151
	ieStartMs      = 152
	ieEndMs        = 153
	ieStartUs      = 154
	ieEndUs        = 155
	ieStartNs      = 156
	ieEndNs        = 157
	ieStartDeltaUs = 158
	ieEndDeltaUs   = 159
	ieSysInitMs    = 160
	ieIfName       = 82 // interfaceName, a string: variable length
	ieAppName      = 96 // applicationName, a string
	ieSelectorID   = 302
	ieSamplingPkt  = 305
	ieV9ScopeSys   = 1 // NetFlow v9 options scope "System"
	ieV9Sampler    = 48
	ieV9SamplerInt = 50
)
