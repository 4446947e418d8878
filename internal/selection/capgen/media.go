package capgen

// RTP-like media streams and bulk TCP transfers: volume without anything an
// extractor reads, RTP payloads carrying a canary (voice is content).

// rtpPayloadLen is a 20 ms G.711 frame.
const rtpPayloadLen = 160

func (g *gen) setupRTP(f *flow) {
	r := g.r
	for s := range 2 {
		f.port[s] = uint16(r.between(8192, 16383) * 2)
		if f.port[s] == 25826 { // collectd's port: tools would decode the stream as that
			f.port[s] += 2
		}
	}
	f.count = r.between(40, 250)
	for s := range 2 {
		f.ssrc[s] = r.u32()
		f.rtpSeq[s] = uint16(r.u32())
		f.rtpTS[s] = r.u32()
	}
	// One canary per stream, at the start of every payload.
	start := len(f.buf)
	f.buf, f.canaryN, f.canaryHex = g.canaryInto(f.buf, canaryRTP)
	f.canaryLen = uint8(len(f.buf) - start)
	f.buf = appendFiller(f.buf, g.bin, r.intn(len(g.bin)), rtpPayloadLen-int(f.canaryLen))
}

// stepRTP emits the next RTP packet: PCMU, the two sides mostly in turn.
func (g *gen) stepRTP(f *flow) (bool, error) {
	s := f.sent & 1
	if g.r.chance(0.1) {
		s = 1 - s
	}
	p := append(g.scratch[:0], 0x80, 0) // version 2, PCMU
	if f.rtpSeq[s] == 0 || f.sent < 2 {
		p[1] |= 0x80 // marker: start of talk spurt
	}
	p = be.AppendUint16(p, f.rtpSeq[s])
	p = be.AppendUint32(p, f.rtpTS[s])
	p = be.AppendUint32(p, f.ssrc[s])
	p = append(p, f.buf...)
	g.scratch = p
	if err := g.udp(f, s, p); err != nil {
		return false, err
	}
	f.rtpSeq[s]++
	f.rtpTS[s] += rtpPayloadLen
	if f.sent == 0 && g.cfg.Canaries {
		g.can.add(canaryRTP, f.buf[:f.canaryLen], f.canaryN, f.canaryHex)
	}
	return f.sent+1 == f.count, nil
}

// bulkPorts are the server ports of bulk transfers: ports of no protocol
// that tools would try to decode.
var bulkPorts = [...]uint16{5001, 9000, 10000, 27500}

func (g *gen) setupBulk(f *flow) {
	r := g.r
	f.port[server] = bulkPorts[r.intn(len(bulkPorts))]
	f.remain = r.between(5_000, 80_000)
	f.nreq = uint8(r.intn(4)) // 0: upload, else download
	f.setPlan(opBulkHello, opBulkHello, opBulkData)
}

func (g *gen) buildBulk(f *flow, op uint8) {
	r := g.r
	switch op {
	case opBulkHello:
		// A short exchange first: client, then server.
		f.from = client
		if f.step == 2 {
			f.from = server
		}
		f.buf = appendFiller(f.buf, g.bin, r.intn(len(g.bin)), r.between(20, 200))
	case opBulkData:
		f.from = server
		if f.nreq == 0 {
			f.from = client
		}
		n := min(f.remain, 32<<10)
		f.buf = appendFiller(f.buf, g.bin, r.intn(len(g.bin)), n)
		f.remain -= n
		if f.remain > 0 {
			f.step-- // again
		}
	}
}
