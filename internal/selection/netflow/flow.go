package netflow

import "net/netip"

// Flow is one flow record, decoded from any of the supported versions into
// the same shape. Fields a record does not give are zero. Counters are as
// exported: they are not scaled by SamplingInterval.
type Flow struct {
	Start int64 // first packet of the flow, Unix nanoseconds; 0 when the record gives no start time
	End   int64 // last packet of the flow, Unix nanoseconds; 0 when the record gives no end time

	Src, Dst         netip.Addr // IPv4 or IPv6 addresses; the zero Addr when the record has none
	SrcPort, DstPort uint16     // transport ports; 0 for ICMP, whose type and code are in ICMPType and ICMPCode
	Proto            uint8      // IP protocol number
	TCPFlags         uint8      // union of the TCP flags seen (the low 8 bits of tcpControlBits)

	// ICMPType and ICMPCode are the ICMP or ICMPv6 type and code; HasICMP
	// says whether the record gave them.
	ICMPType, ICMPCode uint8
	HasICMP            bool

	Packets uint64 // packets in the flow (delta count, or total count when the record has no delta)
	Bytes   uint64 // octets in the flow, IP header included (delta count, or total count)

	Exporter         netip.Addr // address the datagram came from
	Version          uint16     // 5, 9 or 10 (IPFIX)
	Domain           uint32     // observation domain (IPFIX), source ID (v9), or engine type<<8 | engine ID (v5)
	SamplingInterval uint32     // 1-in-N packet sampling the exporter applied; 0 when not given
}
