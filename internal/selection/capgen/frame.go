package capgen

import (
	"encoding/binary"
)

// Frame layout constants.
const (
	ethHeaderLen  = 14
	vlanTagLen    = 4
	ipv4HeaderLen = 20
	ipv6HeaderLen = 40
	tcpHeaderLen  = 20
	tcpSYNLen     = 32 // with MSS, window scale and SACK-permitted options
	udpHeaderLen  = 8
	minFrameLen   = 60 // Ethernet minimum without FCS: shorter frames are padded with zeros
	maxFrameLen   = 2048

	protoTCP = 6
	protoUDP = 17

	mssIPv4 = 1460
	mssIPv6 = 1440
)

// TCP flags.
const (
	tcpFIN = 0x01
	tcpSYN = 0x02
	tcpRST = 0x04
	tcpPSH = 0x08
	tcpACK = 0x10
)

// side names an end of a flow: the client (initiator) or the server.
const (
	client = 0
	server = 1
)

var be = binary.BigEndian

// checksum adds b to a running one's-complement sum kept in 32-bit words
// (folded by fold); b must start at an even offset of the summed data unless
// it is the last piece.
func checksum(sum uint64, b []byte) uint64 {
	for len(b) >= 16 {
		sum += uint64(be.Uint32(b)) + uint64(be.Uint32(b[4:])) + uint64(be.Uint32(b[8:])) + uint64(be.Uint32(b[12:]))
		b = b[16:]
	}
	for len(b) >= 4 {
		sum += uint64(be.Uint32(b))
		b = b[4:]
	}
	if len(b) >= 2 {
		sum += uint64(be.Uint16(b))
		b = b[2:]
	}
	if len(b) == 1 {
		sum += uint64(b[0]) << 8
	}
	return sum
}

// fold reduces a checksum sum to 16 bits and complements it.
func fold(sum uint64) uint16 {
	for sum>>16 != 0 {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}

// l3 writes the Ethernet header (with the flow's VLAN tag, if any) and the IP
// header of a packet sent by side from into g.frame. It returns the offsets of
// the IP and transport headers; finish fills in lengths and checksums.
func (g *gen) l3(f *flow, from int, proto uint8) (ip, l4 int) {
	b := g.frame[:]
	to := 1 - from
	copy(b[0:6], f.mac[to][:])
	copy(b[6:12], f.mac[from][:])
	o := 12
	if f.vlan != 0 {
		be.PutUint16(b[12:], 0x8100)
		be.PutUint16(b[14:], f.vlan&0x0fff)
		o = 16
	}
	if !f.v6 {
		be.PutUint16(b[o:], 0x0800)
		ip = o + 2
		h := b[ip : ip+ipv4HeaderLen]
		h[0] = 0x45
		h[1] = 0
		// h[2:4] total length: finish
		be.PutUint16(h[4:], f.ipid[from])
		f.ipid[from]++
		be.PutUint16(h[6:], 0x4000) // DF
		h[8] = f.ttl[from]
		h[9] = proto
		h[10], h[11] = 0, 0
		copy(h[12:16], f.addr[from][:4])
		copy(h[16:20], f.addr[to][:4])
		return ip, ip + ipv4HeaderLen
	}
	be.PutUint16(b[o:], 0x86dd)
	ip = o + 2
	h := b[ip : ip+ipv6HeaderLen]
	be.PutUint32(h[0:], 6<<28|f.label[from]&0xfffff)
	// h[4:6] payload length: finish
	h[6] = proto
	h[7] = f.ttl[from]
	copy(h[8:24], f.addr[from][:])
	copy(h[24:40], f.addr[to][:])
	return ip, ip + ipv6HeaderLen
}

// finish sets the IP lengths and the IP and transport checksums of the frame
// in g.frame[:end], pads it to the Ethernet minimum and returns it.
func (g *gen) finish(f *flow, ip, l4, end int, proto uint8) []byte {
	b := g.frame[:]
	l4len := end - l4
	var sum uint64
	if !f.v6 {
		be.PutUint16(b[ip+2:], uint16(end-ip))
		be.PutUint16(b[ip+10:], fold(checksum(0, b[ip:ip+ipv4HeaderLen])))
		sum = checksum(0, b[ip+12:ip+20]) + uint64(proto) + uint64(l4len)
	} else {
		be.PutUint16(b[ip+4:], uint16(l4len))
		sum = checksum(0, b[ip+8:ip+40]) + uint64(proto) + uint64(l4len)
	}
	ck := l4 + 16
	if proto == protoUDP {
		ck = l4 + 6
	}
	b[ck], b[ck+1] = 0, 0
	c := fold(checksum(sum, b[l4:end]))
	if c == 0 && proto == protoUDP {
		c = 0xffff
	}
	be.PutUint16(b[ck:], c)
	for end < minFrameLen {
		b[end] = 0
		end++
	}
	return b[:end]
}

// tcp writes and emits one TCP segment from side from with the given flags and
// payload, and advances that side's sequence number.
func (g *gen) tcp(f *flow, from int, flags uint8, payload []byte) error {
	ip, l4 := g.l3(f, from, protoTCP)
	b := g.frame[:]
	hl := tcpHeaderLen
	if flags&tcpSYN != 0 {
		hl = tcpSYNLen
	}
	h := b[l4 : l4+hl]
	be.PutUint16(h[0:], f.port[from])
	be.PutUint16(h[2:], f.port[1-from])
	be.PutUint32(h[4:], f.nxt[from])
	var ack uint32
	if flags&tcpACK != 0 {
		ack = f.nxt[1-from]
	}
	be.PutUint32(h[8:], ack)
	h[12] = byte(hl/4) << 4
	h[13] = flags
	if flags&tcpSYN != 0 {
		be.PutUint16(h[14:], 64240) // unscaled in SYNs
	} else {
		be.PutUint16(h[14:], f.win[from])
	}
	h[16], h[17], h[18], h[19] = 0, 0, 0, 0
	if hl == tcpSYNLen {
		// MSS, NOP, window scale 8, NOP, NOP, SACK permitted.
		h[20], h[21] = 2, 4
		be.PutUint16(h[22:], f.mss)
		h[24], h[25], h[26], h[27] = 1, 3, 3, 8
		h[28], h[29], h[30], h[31] = 1, 1, 4, 2
	}
	end := l4 + hl + copy(b[l4+hl:], payload)
	frame := g.finish(f, ip, l4, end, protoTCP)
	f.nxt[from] += uint32(len(payload))
	if flags&(tcpSYN|tcpFIN) != 0 {
		f.nxt[from]++
	}
	return g.emit(frame)
}

// udp writes and emits one UDP datagram from side from carrying payload
// (at most maxFrameLen-100 bytes).
func (g *gen) udp(f *flow, from int, payload []byte) error {
	ip, l4 := g.l3(f, from, protoUDP)
	b := g.frame[:]
	be.PutUint16(b[l4:], f.port[from])
	be.PutUint16(b[l4+2:], f.port[1-from])
	end := l4 + udpHeaderLen + copy(b[l4+udpHeaderLen:], payload)
	be.PutUint16(b[l4+4:], uint16(end-l4))
	return g.emit(g.finish(f, ip, l4, end, protoUDP))
}
