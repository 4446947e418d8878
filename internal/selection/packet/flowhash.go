package packet

import "encoding/binary"

// FlowHash returns a hash of the flow p belongs to: its addresses, ports and
// protocol. It is symmetric (both directions of a flow hash alike) and cheap,
// for spreading flows over workers; it is not resistant to chosen inputs.
//
// It hashes the addresses as Decode read them from the frame, not p.Src and
// p.Dst, which would cost a conversion per packet: on a Parsed that Decode
// did not fill, or whose addresses were changed since, it sees only the
// ports and protocol.
//
// Non-first fragments carry no ports, so they hash apart from the rest of
// their flow; a caller that shards fragments should reassemble them first
// or shard them by address alone.
func (p *Parsed) FlowHash() uint64 {
	a := p.srcKey + uint64(p.SrcPort)*0x94d049bb133111eb
	b := p.dstKey + uint64(p.DstPort)*0x94d049bb133111eb
	if a > b {
		a, b = b, a
	}
	return mix64(a*0x9e3779b97f4a7c15 ^ b ^ uint64(p.Proto)<<56)
}

// addrKey4 and addrKey6 fold a raw address into 64 bits. They need not mix
// well: FlowHash only orders the two endpoints' keys and mixes the pair.
func addrKey4(a []byte) uint64 { return uint64(binary.LittleEndian.Uint32(a)) }

func addrKey6(a []byte) uint64 {
	return binary.LittleEndian.Uint64(a)*0xbf58476d1ce4e5b9 + binary.LittleEndian.Uint64(a[8:16]) + 1<<63
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
