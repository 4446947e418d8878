package selection

import (
	"net/netip"
	"testing"

	"github.com/acd-platform/acd/internal/selection/packet"
)

// FuzzStreams feeds arbitrary client bytes, cut into segments, to flows on
// the ports of every protocol the engine reads, selected and pending, so the
// reassembly and the protocol state machines (HTTP pipelining and bodies,
// SMTP commands, DATA and BDAT, TLS, DNS over TCP) meet any input. Nothing
// may panic and the stream buffers must all be returned.
func FuzzStreams(f *testing.F) {
	f.Add([]byte("POST /a?x=1 HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\nGET / HTTP/1.1\r\n\r\n"), uint8(7))
	f.Add([]byte("EHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nFrom: a@b\r\nSubject: s\r\n\r\nbody\r\n.\r\nBDAT 3 LAST\r\nabcQUIT\r\n"), uint8(5))
	f.Add([]byte("\x16\x03\x01\x00\x05\x01\x00\x00\x01\x03"), uint8(3))
	f.Add([]byte("\x00\x11\x00\x01\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x01a\x00\x00\x01\x00\x01"), uint8(2))
	w := testWorker(f, 100)
	ports := []uint16{80, 25, 443, 53, 8080}
	f.Fuzz(func(t *testing.T, data []byte, cut uint8) {
		for i, port := range ports {
			var p packet.Parsed
			p.IPVersion, p.Proto = 4, protoTCP
			// 203.0.113.0/24 is not in capgen's domestic pool: foreign→foreign.
			p.Src, p.Dst = netip.AddrFrom4([4]byte{203, 0, 113, byte(i)}), netip.AddrFrom4([4]byte{8, 0, 0, 1})
			p.SrcPort, p.DstPort = 40000, port
			p.TCPFlags, p.Seq = tcpSYN, 99
			w.handle(&p, 1, 60)
			p.TCPFlags, p.Seq = tcpACK, 100
			step := int(cut%64) + 1
			for off := 0; off < len(data); off += step {
				p.Payload = data[off:min(off+step, len(data))]
				p.Seq = 100 + uint32(off)
				w.handle(&p, 2, 60+len(p.Payload))
			}
		}
		w.finish()
		if n := w.pool.inUse.Load(); n != 0 {
			t.Fatalf("%d bytes of stream buffers not returned", n)
		}
	})
}
