package selection

import (
	"net/netip"
	"strconv"
)

// Schema names the output format; it changes only with a new version.
const Schema = "acd.selection.output/v1"

// protoName is the name of an IP protocol in records.
func protoName(p uint8) string {
	switch p {
	case protoTCP:
		return "tcp"
	case protoUDP:
		return "udp"
	case protoICMP:
		return "icmp"
	case protoICMPv6:
		return "icmpv6"
	case 132:
		return "sctp"
	}
	return strconv.Itoa(int(p))
}

// tcpFlagLetters spells TCP flags as tcpdump does, in bit order.
func appendFlags(dst []byte, f uint8) []byte {
	const letters = "FSRPAUEC"
	for i := range 8 {
		if f&(1<<i) != 0 {
			dst = append(dst, letters[i])
		}
	}
	return dst
}

// emitFlow writes the flow's record for the interval since its last report;
// final is set when the flow has ended. The interval's packets count as
// selected.
func (w *worker) emitFlow(f *flow, final bool) {
	w.count(f, func(dc *DirectionCounters) *Volume { return &dc.Selected })
	cs, cd, sp, dp := f.endpoints()
	j := &w.rec
	j.open()
	j.str("type", "flow")
	j.uint("flow", f.id)
	j.time("first", f.first)
	if !final {
		j.time("from", f.emitted)
	}
	j.time("last", f.last)
	j.str("proto", protoName(f.key.proto))
	j.key("client")
	j.b = appendAddr(j.b, addrOf(cs, f.key.v6))
	j.key("server")
	j.b = appendAddr(j.b, addrOf(cd, f.key.v6))
	if f.key.proto == protoTCP || f.key.proto == protoUDP || f.key.proto == 132 {
		j.uint("client_port", uint64(sp))
		j.uint("server_port", uint64(dp))
	}
	if f.key.proto == protoICMP || f.key.proto == protoICMPv6 {
		j.uint("icmp_type", uint64(f.icmpType))
		j.uint("icmp_code", uint64(f.icmpCode))
	}
	j.str("direction", f.dir.String())
	j.str("rule", w.m.RuleID(int(f.rule)))
	j.object("packets")
	j.uint("client", f.packets[0])
	j.uint("server", f.packets[1])
	j.closeNested()
	j.object("bytes")
	j.uint("client", f.bytes[0])
	j.uint("server", f.bytes[1])
	j.closeNested()
	if f.key.proto == protoTCP {
		j.object("tcp_flags")
		j.key("client")
		j.b = appendJSONString(j.b, appendFlags(w.scratch[:0], f.flags[0]))
		j.key("server")
		j.b = appendJSONString(j.b, appendFlags(w.scratch[:0], f.flags[1]))
		j.closeNested()
	}
	w.appFlowFields(f)
	j.bool("final", final)
	w.done()
	f.packets, f.bytes = [2]uint64{}, [2]uint64{}
	f.emitted = f.last
}

// beginEvent starts a per-request record of kind typ in flow f.
func (w *worker) beginEvent(f *flow, typ string, ts int64) *jsonw {
	j := &w.rec
	j.open()
	j.str("type", typ)
	j.uint("flow", f.id)
	j.time("time", ts)
	return j
}

func appendAddr(dst []byte, a netip.Addr) []byte {
	dst = append(dst, '"')
	dst = a.AppendTo(dst)
	return append(dst, '"')
}
