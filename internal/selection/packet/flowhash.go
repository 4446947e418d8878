package packet

import (
	"encoding/binary"
	"net/netip"
)

// FlowHash returns a hash of the flow p belongs to: its addresses, ports and
// protocol. It is symmetric (both directions of a flow hash alike) and cheap,
// for spreading flows over workers; it is not resistant to chosen inputs.
//
// Non-first fragments carry no ports, so they hash apart from the rest of
// their flow; a caller that shards fragments should reassemble them first
// or shard them by address alone.
func (p *Parsed) FlowHash() uint64 {
	a := endpointKey(p.Src, p.SrcPort)
	b := endpointKey(p.Dst, p.DstPort)
	if a > b {
		a, b = b, a
	}
	return mix64(a*0x9e3779b97f4a7c15 ^ b ^ uint64(p.Proto)<<56)
}

// endpointKey folds an address and port into 64 bits. It need not mix well:
// FlowHash only orders the two keys and mixes the pair.
func endpointKey(addr netip.Addr, port uint16) uint64 {
	k := uint64(port) * 0x94d049bb133111eb
	if addr.Is4() {
		a := addr.As4()
		return k + uint64(binary.LittleEndian.Uint32(a[:]))
	}
	a := addr.As16()
	return k + binary.LittleEndian.Uint64(a[:8])*0xbf58476d1ce4e5b9 + binary.LittleEndian.Uint64(a[8:])
}

// mix64 is the SplitMix64 finalizer: every input bit affects every output bit.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}
