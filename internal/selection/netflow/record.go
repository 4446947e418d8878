package netflow

import (
	"encoding/binary"
	"net/netip"
)

// fieldKind says what a template field is used for.
type fieldKind uint8

const (
	kSkip         fieldKind = iota // ignored fixed-length field(s)
	kVarLen                        // ignored IPFIX variable-length field
	kSrc4                          // sourceIPv4Address (8)
	kDst4                          // destinationIPv4Address (12)
	kSrc6                          // sourceIPv6Address (27)
	kDst6                          // destinationIPv6Address (28)
	kSrcPort                       // sourceTransportPort (7), udpSourcePort (180), tcpSourcePort (182)
	kDstPort                       // destinationTransportPort (11), udpDestinationPort (181), tcpDestinationPort (183)
	kProto                         // protocolIdentifier (4)
	kTCPFlags                      // tcpControlBits (6)
	kPktDelta                      // packetDeltaCount (2)
	kByteDelta                     // octetDeltaCount (1)
	kPktTotal                      // packetTotalCount (86)
	kByteTotal                     // octetTotalCount (85)
	kICMPTypeCode                  // icmpTypeCodeIPv4 (32), icmpTypeCodeIPv6 (139)
	kICMPType                      // icmpTypeIPv4 (176), icmpTypeIPv6 (178)
	kICMPCode                      // icmpCodeIPv4 (177), icmpCodeIPv6 (179)
	kSampling                      // samplingInterval (34), samplerRandomInterval (50), samplingPacketInterval (305)
	kSysInitMs                     // systemInitTimeMilliseconds (160)
	kStartUptime                   // flowStartSysUpTime (22), v9 FIRST_SWITCHED
	kEndUptime                     // flowEndSysUpTime (21), v9 LAST_SWITCHED
	kStartSec                      // flowStartSeconds (150)
	kEndSec                        // flowEndSeconds (151)
	kStartMs                       // flowStartMilliseconds (152)
	kEndMs                         // flowEndMilliseconds (153)
	kStartUs                       // flowStartMicroseconds (154), NTP format
	kEndUs                         // flowEndMicroseconds (155), NTP format
	kStartNs                       // flowStartNanoseconds (156), NTP format
	kEndNs                         // flowEndNanoseconds (157), NTP format
	kStartDeltaUs                  // flowStartDeltaMicroseconds (158), before export time
	kEndDeltaUs                    // flowEndDeltaMicroseconds (159), before export time
	kindCount
)

// kindOf maps an IANA IPFIX information element (or the NetFlow v9 field
// type of the same number) of length n to its decoding step. Fields of a
// length the element cannot have are ignored; unsigned integers may use
// reduced-size encoding (RFC 7011 §6.2).
func kindOf(ie, n uint16) fieldKind {
	unsigned := func(k fieldKind, max uint16) fieldKind {
		if n >= 1 && n <= max {
			return k
		}
		return kSkip
	}
	exactly := func(k fieldKind, want uint16) fieldKind {
		if n == want {
			return k
		}
		return kSkip
	}
	switch ie {
	case 1:
		return unsigned(kByteDelta, 8)
	case 2:
		return unsigned(kPktDelta, 8)
	case 4:
		return unsigned(kProto, 1)
	case 6:
		return unsigned(kTCPFlags, 2)
	case 7, 180, 182:
		return unsigned(kSrcPort, 2)
	case 8:
		return exactly(kSrc4, 4)
	case 11, 181, 183:
		return unsigned(kDstPort, 2)
	case 12:
		return exactly(kDst4, 4)
	case 21:
		return exactly(kEndUptime, 4)
	case 22:
		return exactly(kStartUptime, 4)
	case 27:
		return exactly(kSrc6, 16)
	case 28:
		return exactly(kDst6, 16)
	case 32, 139:
		return unsigned(kICMPTypeCode, 2)
	case 34, 50, 305:
		return unsigned(kSampling, 4)
	case 85:
		return unsigned(kByteTotal, 8)
	case 86:
		return unsigned(kPktTotal, 8)
	case 150:
		return exactly(kStartSec, 4)
	case 151:
		return exactly(kEndSec, 4)
	case 152:
		return exactly(kStartMs, 8)
	case 153:
		return exactly(kEndMs, 8)
	case 154:
		return exactly(kStartUs, 8)
	case 155:
		return exactly(kEndUs, 8)
	case 156:
		return exactly(kStartNs, 8)
	case 157:
		return exactly(kEndNs, 8)
	case 158:
		return unsigned(kStartDeltaUs, 4)
	case 159:
		return unsigned(kEndDeltaUs, 4)
	case 160:
		return exactly(kSysInitMs, 8)
	case 176, 178:
		return unsigned(kICMPType, 1)
	case 177, 179:
		return unsigned(kICMPCode, 1)
	}
	return kSkip
}

// recordTimes holds the time fields of a record that need the header or
// other fields to become Unix times.
type recordTimes struct {
	startUp, endUp           uint32 // sysUpTime, ms
	startDelta, endDelta     uint32 // µs before export
	sysInitMs                uint64
	hasStartUp, hasEndUp     bool
	hasStartDelta, hasEndDel bool
	hasSysInit               bool
	hasSampling, hasDstPort  bool
	sampling                 uint32
}

// decodeRecord decodes the record at the start of b with t into d.flow, or
// for an options template into m.dom. It returns the record's length, or
// false when the record runs past the end of b.
func (d *Decoder) decodeRecord(m *message, t *template, b []byte) (int, bool) {
	f := &d.flow
	*f = Flow{Exporter: m.exporter, Version: m.version, Domain: m.domain, SamplingInterval: m.dom.sampling}
	var x recordTimes
	p := 0
	for _, fd := range t.fields {
		n := int(fd.n)
		if fd.kind == kVarLen {
			if p >= len(b) {
				return 0, false
			}
			n = int(b[p])
			p++
			if n == varLenLongEscape {
				if len(b)-p < 2 {
					return 0, false
				}
				n = int(binary.BigEndian.Uint16(b[p:]))
				p += 2
			}
		}
		if len(b)-p < n {
			return 0, false
		}
		v := b[p : p+n]
		p += n
		switch fd.kind {
		case kSkip, kVarLen:
		case kSrc4:
			f.Src = netip.AddrFrom4([4]byte(v))
		case kDst4:
			f.Dst = netip.AddrFrom4([4]byte(v))
		case kSrc6:
			f.Src = netip.AddrFrom16([16]byte(v))
		case kDst6:
			f.Dst = netip.AddrFrom16([16]byte(v))
		case kSrcPort:
			f.SrcPort = uint16(beUint(v))
		case kDstPort:
			f.DstPort, x.hasDstPort = uint16(beUint(v)), true
		case kProto:
			f.Proto = v[0]
		case kTCPFlags:
			f.TCPFlags = uint8(beUint(v))
		case kPktDelta, kPktTotal:
			f.Packets = beUint(v)
		case kByteDelta, kByteTotal:
			f.Bytes = beUint(v)
		case kICMPTypeCode:
			tc := beUint(v)
			f.ICMPType, f.ICMPCode, f.HasICMP = uint8(tc>>8), uint8(tc), true
		case kICMPType:
			f.ICMPType, f.HasICMP = v[0], true
		case kICMPCode:
			f.ICMPCode, f.HasICMP = v[0], true
		case kSampling:
			x.sampling, x.hasSampling = uint32(beUint(v)), true
		case kSysInitMs:
			x.sysInitMs, x.hasSysInit = beUint(v), true
		case kStartUptime:
			x.startUp, x.hasStartUp = uint32(beUint(v)), true
		case kEndUptime:
			x.endUp, x.hasEndUp = uint32(beUint(v)), true
		case kStartSec:
			f.Start = int64(beUint(v)) * 1e9
		case kEndSec:
			f.End = int64(beUint(v)) * 1e9
		case kStartMs:
			f.Start = int64(beUint(v)) * 1e6
		case kEndMs:
			f.End = int64(beUint(v)) * 1e6
		case kStartUs:
			f.Start = ntpToUnix(beUint(v), true)
		case kEndUs:
			f.End = ntpToUnix(beUint(v), true)
		case kStartNs:
			f.Start = ntpToUnix(beUint(v), false)
		case kEndNs:
			f.End = ntpToUnix(beUint(v), false)
		case kStartDeltaUs:
			x.startDelta, x.hasStartDelta = uint32(beUint(v)), true
		case kEndDeltaUs:
			x.endDelta, x.hasEndDel = uint32(beUint(v)), true
		}
	}
	if t.options {
		if x.hasSampling {
			m.dom.sampling = x.sampling
		}
		if x.hasSysInit {
			m.dom.sysInitMs, m.dom.hasSysInit = x.sysInitMs, true
		}
		if x.hasSampling || x.hasSysInit {
			d.setDomain(m)
		}
		return p, true
	}
	if x.hasSampling {
		f.SamplingInterval = x.sampling
	}
	if !x.hasSysInit && m.dom.hasSysInit {
		x.sysInitMs, x.hasSysInit = m.dom.sysInitMs, true
	}
	if f.Start == 0 {
		f.Start = m.relativeTime(&x, x.hasStartUp, x.startUp, x.hasStartDelta, x.startDelta)
	}
	if f.End == 0 {
		f.End = m.relativeTime(&x, x.hasEndUp, x.endUp, x.hasEndDel, x.endDelta)
	}
	if isICMP(f.Proto) {
		if !f.HasICMP && x.hasDstPort {
			// Without ICMP fields, exporters put type<<8 | code in the
			// destination port, as NetFlow v5 does.
			f.ICMPType, f.ICMPCode, f.HasICMP = uint8(f.DstPort>>8), uint8(f.DstPort), true
		}
		f.SrcPort, f.DstPort = 0, 0
	}
	return p, true
}

// relativeTime turns a sysUpTime or delta time into Unix nanoseconds, or 0
// when the record and its domain give no base for it. NetFlow v9 uptimes
// count from the header's uptime and export time; IPFIX uptimes count from
// systemInitTimeMilliseconds.
func (m *message) relativeTime(x *recordTimes, hasUp bool, up uint32, hasDelta bool, delta uint32) int64 {
	switch {
	case hasUp && m.version == 9:
		return uptimeToUnix(m.exportNs, m.uptime, up)
	case hasUp && x.hasSysInit:
		return int64(x.sysInitMs+uint64(up)) * 1e6
	case hasDelta:
		return m.exportNs - int64(delta)*1e3
	}
	return 0
}

// beUint reads a big-endian unsigned integer of 1 to 8 bytes.
func beUint(b []byte) uint64 {
	switch len(b) {
	case 1:
		return uint64(b[0])
	case 2:
		return uint64(binary.BigEndian.Uint16(b))
	case 4:
		return uint64(binary.BigEndian.Uint32(b))
	case 8:
		return binary.BigEndian.Uint64(b)
	}
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v
}

// ntpEpochOffset is the number of seconds from 1900-01-01 (the NTP epoch) to
// 1970-01-01.
const ntpEpochOffset = 2208988800

// ntpToUnix converts an NTP timestamp (RFC 5905 §6: 32-bit seconds since
// 1900, 32-bit fraction) to Unix nanoseconds. For dateTimeMicroseconds the
// low 11 bits of the fraction are ignored (RFC 7011 §6.1.9) and the result
// is rounded to the microsecond. Seconds with
// the high bit clear are taken to be in NTP era 1 (from 2036), as RFC 4330
// §3 suggests. 0 stays 0: no time.
func ntpToUnix(v uint64, micro bool) int64 {
	if v == 0 {
		return 0
	}
	sec, frac := v>>32, v&0xffffffff
	s := int64(sec) - ntpEpochOffset
	if sec&0x80000000 == 0 {
		s += 1 << 32
	}
	if micro {
		// To the nearest microsecond: the ignored bits are worth up to 0.48 µs.
		frac &^= 0x7ff
		return s*1e9 + int64((frac*1e6+1<<31)>>32)*1e3
	}
	return s*1e9 + int64((frac*1e9)>>32)
}
