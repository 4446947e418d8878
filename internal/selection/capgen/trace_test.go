package capgen_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"testing"

	"github.com/acd-platform/acd/internal/selection/capgen"
	"github.com/acd-platform/acd/internal/selection/capture"
	"github.com/acd-platform/acd/internal/selection/packet"
)

// generate runs capgen.Write into memory.
func generate(t testing.TB, cfg capgen.Config) ([]byte, capgen.Manifest) {
	t.Helper()
	var buf bytes.Buffer
	m, err := capgen.Write(&buf, cfg)
	if err != nil {
		t.Fatalf("Write(%+v): %v", cfg, err)
	}
	return buf.Bytes(), m
}

// flowKey names a flow by its initiator's and responder's endpoints.
type flowKey struct {
	proto    uint8
	src, dst netip.AddrPort
}

// traceFlow is a flow as read back from a capture: its two byte streams
// (TCP payload in sequence order) or its datagrams.
type traceFlow struct {
	key       flowKey
	v6, vlan  bool
	stream    [2][]byte // client→server, server→client
	datagrams [][]byte  // UDP payloads in order
	from      []int     // side of each datagram
	nxt       [2]uint32 // next sequence number expected from each side
	syn, fin  [2]bool   // SYN and FIN seen from each side
	complete  bool      // the ACK after both FINs was seen
	packets   int       // frames of the flow
}

// trace is a capture read back.
type trace struct {
	flows   []*traceFlow
	frames  int
	wire    int64
	sizes   []int // frame lengths
	vlan    int   // frames with a VLAN tag
	v6      int   // IPv6 frames
	payload bytes.Buffer
}

// readTrace reads a capture made by Write and checks every frame: it
// decodes with packet.Parsed without error or truncation, its IPv4 header
// and TCP/UDP checksums are right, and every TCP segment's sequence and
// acknowledgement numbers follow on from the flow's earlier segments.
func readTrace(t testing.TB, data []byte) *trace {
	t.Helper()
	r, err := capture.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("NewReader: %v", err)
	}
	if r.LinkType() != packet.LinkEthernet {
		t.Fatalf("link type %v, want %v", r.LinkType(), packet.LinkEthernet)
	}
	tr := &trace{}
	flows := map[flowKey]*traceFlow{}
	var rec capture.Record
	var p packet.Parsed
	for i := 0; ; i++ {
		err := r.Next(&rec)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("frame %d: Next: %v", i, err)
		}
		if rec.OrigLen != len(rec.Data) {
			t.Fatalf("frame %d: captured %d of %d bytes, want all", i, len(rec.Data), rec.OrigLen)
		}
		if err := p.Decode(rec.Data, rec.LinkType); err != nil {
			t.Fatalf("frame %d: Decode: %v", i, err)
		}
		if p.Truncated || p.Fragment || (p.Proto != 6 && p.Proto != 17) {
			t.Fatalf("frame %d: truncated %v, fragment %v, proto %d; want a whole TCP or UDP packet", i, p.Truncated, p.Fragment, p.Proto)
		}
		if err := checkChecksums(rec.Data, &p); err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		tr.frames++
		tr.wire += int64(len(rec.Data))
		tr.sizes = append(tr.sizes, len(rec.Data))
		if p.VLANs > 0 {
			tr.vlan++
		}
		if p.IPVersion == 6 {
			tr.v6++
		}
		tr.payload.Write(p.Payload)
		tr.payload.WriteByte(0)

		src := netip.AddrPortFrom(p.Src, p.SrcPort)
		dst := netip.AddrPortFrom(p.Dst, p.DstPort)
		side := 0
		f := flows[flowKey{p.Proto, src, dst}]
		if f == nil {
			if f = flows[flowKey{p.Proto, dst, src}]; f != nil {
				side = 1
			}
		}
		if f == nil || f.complete {
			f = &traceFlow{key: flowKey{p.Proto, src, dst}, v6: p.IPVersion == 6, vlan: p.VLANs > 0}
			flows[f.key] = f
			tr.flows = append(tr.flows, f)
			side = 0
		}
		f.packets++
		if p.Proto == 17 {
			f.datagrams = append(f.datagrams, bytes.Clone(p.Payload))
			f.from = append(f.from, side)
			continue
		}
		if err := f.segment(side, &p); err != nil {
			t.Fatalf("frame %d (flow %v→%v): %v", i, f.key.src, f.key.dst, err)
		}
	}
	return tr
}

// segment checks and adds a TCP segment sent by side.
func (f *traceFlow) segment(side int, p *packet.Parsed) error {
	const fin, syn, ack = 0x01, 0x02, 0x10
	other := 1 - side
	switch {
	case p.TCPFlags&syn != 0:
		if f.syn[side] || len(p.Payload) > 0 {
			return fmt.Errorf("second SYN or SYN with data")
		}
		if side == 1 && (!f.syn[0] || p.Ack != f.nxt[0]) {
			return fmt.Errorf("SYN-ACK acknowledges %d, want %d", p.Ack, f.nxt[0])
		}
		f.syn[side] = true
		f.nxt[side] = p.Seq + 1
		return nil
	case !f.syn[0] || !f.syn[1]:
		return fmt.Errorf("segment before the handshake")
	}
	if p.Seq != f.nxt[side] {
		return fmt.Errorf("sequence %d, want %d", p.Seq, f.nxt[side])
	}
	if p.TCPFlags&ack == 0 || p.Ack != f.nxt[other] {
		return fmt.Errorf("acknowledges %d (flags %#x), want %d", p.Ack, p.TCPFlags, f.nxt[other])
	}
	if f.fin[side] && (len(p.Payload) > 0 || p.TCPFlags&fin != 0) {
		return fmt.Errorf("data or FIN after FIN")
	}
	f.stream[side] = append(f.stream[side], p.Payload...)
	f.nxt[side] += uint32(len(p.Payload))
	if p.TCPFlags&fin != 0 {
		f.fin[side] = true
		f.nxt[side]++
	} else if f.fin[0] && f.fin[1] && len(p.Payload) == 0 {
		f.complete = true
	}
	return nil
}

// checkChecksums verifies the IPv4 header checksum and the TCP or UDP
// checksum of an Ethernet frame.
func checkChecksums(frame []byte, p *packet.Parsed) error {
	ip := 14 + 4*int(p.VLANs)
	var pseudo uint32
	l4 := frame[ip:]
	if p.IPVersion == 4 {
		ihl := int(frame[ip]&0xf) * 4
		if s := sum16(0, frame[ip:ip+ihl]); s != 0xffff {
			return fmt.Errorf("bad IPv4 header checksum")
		}
		l4 = frame[ip+ihl : ip+p.IPLen]
		pseudo = sum16(0, frame[ip+12:ip+20]) + uint32(p.Proto) + uint32(len(l4))
	} else {
		l4 = frame[ip+40 : ip+p.IPLen]
		pseudo = sum16(0, frame[ip+8:ip+40]) + uint32(p.Proto) + uint32(len(l4))
	}
	if s := sum16(pseudo, l4); s != 0xffff {
		return fmt.Errorf("bad %d checksum (sum %#04x)", p.Proto, s)
	}
	return nil
}

// sum16 is the one's-complement sum of b (16-bit big-endian words) added to
// sum, folded to 16 bits.
func sum16(sum uint32, b []byte) uint32 {
	for len(b) >= 2 {
		sum += uint32(binary.BigEndian.Uint16(b))
		b = b[2:]
	}
	if len(b) == 1 {
		sum += uint32(b[0]) << 8
	}
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	return sum
}

func netipMust(s string) netip.Addr { return netip.MustParseAddr(s) }
