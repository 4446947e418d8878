package selection

import "sync/atomic"

// bufPool lends reassembly buffers. Every buffer holds at most one flow's
// unread client bytes (a request head, a ClientHello, an SMTP command or
// header block) and is zeroed when returned, so no content outlives its
// parse. All workers share one memory limit.
type bufPool struct {
	size  int           // bytes per buffer: the per-flow cap
	limit int64         // bytes lent across all workers
	inUse *atomic.Int64 // shared by the workers
	spare [][]byte      // this worker's returned buffers, zeroed
}

// get returns an empty buffer of capacity size, or nil when the memory limit
// is reached.
func (p *bufPool) get() []byte {
	if p.inUse.Add(int64(p.size)) > p.limit {
		p.inUse.Add(-int64(p.size))
		return nil
	}
	if n := len(p.spare); n > 0 {
		b := p.spare[n-1]
		p.spare = p.spare[:n-1]
		return b
	}
	return make([]byte, 0, p.size)
}

// put zeroes b and takes it back.
func (p *bufPool) put(b []byte) {
	if b == nil {
		return
	}
	clear(b[:cap(b)])
	p.inUse.Add(-int64(p.size))
	if len(p.spare) < 256 {
		p.spare = append(p.spare, b[:0])
	}
}

// stream follows one side of a TCP connection just far enough to hand its
// bytes, in order, to an application parser.
type stream struct {
	next   uint32 // next expected sequence number
	synced bool
	off    bool   // no more parsing: done, or given up
	buf    []byte // unread bytes carried to the next segment; nil when none
}

// start sets where the stream begins (the sequence number after the SYN),
// unless it is known already.
func (s *stream) start(next uint32) {
	if !s.synced {
		s.next, s.synced = next, true
	}
}

// data returns the bytes to parse after a segment: the carried remainder
// followed by the segment's new in-order payload. It returns nil when there
// is nothing new. Retransmitted bytes are skipped; a gap (a lost or reordered
// segment) ends parsing of the stream, because reading on after a hole would
// misparse. A stream whose start was not seen (no SYN, no SYN-ACK: the
// capture or the flow table joined it midway) is never parsed: its bytes
// could be the middle of a body, and read as requests or commands they would
// turn content into "mechanical" fields. ok is false when the stream just
// gave up.
func (s *stream) data(pool *bufPool, seq uint32, syn bool, payload []byte) (b []byte, ok bool) {
	if s.off {
		return nil, true
	}
	if syn {
		s.start(seq + 1) // TCP Fast Open data in the SYN is not read
		return nil, true
	}
	if len(payload) == 0 {
		return nil, true
	}
	if !s.synced {
		s.stop(pool)
		return nil, false
	}
	switch d := int32(seq - s.next); {
	case d > 0:
		s.stop(pool)
		return nil, false
	case d < 0:
		if -int(d) >= len(payload) {
			return nil, true
		}
		payload = payload[-d:]
	}
	s.next += uint32(len(payload))
	if s.buf == nil {
		return payload, true
	}
	if len(s.buf)+len(payload) > cap(s.buf) {
		s.stop(pool)
		return nil, false
	}
	s.buf = append(s.buf, payload...)
	return s.buf, true
}

// keep carries b[n:], the bytes a parser could not use yet, to the next
// segment. ok is false when they do not fit and the stream gave up.
func (s *stream) keep(pool *bufPool, b []byte, n int) (ok bool) {
	rest := b[n:]
	if len(rest) == 0 {
		s.release(pool)
		return true
	}
	if s.buf == nil {
		if s.buf = pool.get(); s.buf == nil || len(rest) > cap(s.buf) {
			s.stop(pool)
			return false
		}
		s.buf = append(s.buf, rest...)
		return true
	}
	// rest lies inside s.buf: move it to the front and zero what it leaves.
	m := copy(s.buf, rest)
	clear(s.buf[m:len(s.buf)])
	s.buf = s.buf[:m]
	return true
}

// stop ends parsing of the stream and returns its buffer.
func (s *stream) stop(pool *bufPool) {
	s.off = true
	s.release(pool)
}

func (s *stream) release(pool *bufPool) {
	if s.buf != nil {
		pool.put(s.buf)
		s.buf = nil
	}
}
