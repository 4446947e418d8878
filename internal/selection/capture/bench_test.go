package capture_test

import (
	"testing"

	"github.com/acd-platform/acd/internal/selection/capture"
	"github.com/acd-platform/acd/internal/selection/packet"
)

// loopReader yields head once, then body over and over: an endless capture
// file without the memory for one.
type loopReader struct {
	head, body []byte
	pos        int // read position in head, then in body
	inBody     bool
}

func (l *loopReader) Read(p []byte) (int, error) {
	if !l.inBody {
		n := copy(p, l.head[l.pos:])
		l.pos += n
		if l.pos == len(l.head) {
			l.inBody, l.pos = true, 0
		}
		return n, nil
	}
	n := copy(p, l.body[l.pos:])
	l.pos = (l.pos + n) % len(l.body)
	return n, nil
}

// benchSizes are frame sizes in the proportions of a busy link: full-size
// data segments, ACKs and small datagrams (mean about 700 bytes).
var benchSizes = []int{1514, 66, 1514, 66, 1514, 90, 1514, 66, 590, 130}

// benchReader runs Next over an endless stream: the file header head, then
// body, holding the given number of records, over and over. Looping 10,000
// records (7 MB) stands in for a file of millions without holding one in
// memory on a shared machine; the reader still copies every byte from its
// source into its buffer, as it does from a file.
func benchReader(b *testing.B, head, body []byte, records int) {
	r, err := capture.NewReader(&loopReader{head: head, body: body})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body) / records)) // MB/s of capture file read
	b.ReportAllocs()
	var rec capture.Record
	for b.Loop() {
		if err := r.Next(&rec); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "packets/s")
}

// BenchmarkReader reads a classic pcap stream of synthetic records; one
// operation is one record.
func BenchmarkReader(b *testing.B) {
	f := newPcap(le, true, 65535, packet.LinkEthernet)
	const n = 10000
	for i := range n {
		f.add(t0+uint32(i/1000), uint32(i%1000)*1000, frame(byte(i), benchSizes[i%len(benchSizes)]))
	}
	benchReader(b, f.b[:24], f.b[24:], n)
}

// BenchmarkReaderPcapng does the same with enhanced packet blocks.
func BenchmarkReaderPcapng(b *testing.B) {
	var f ngFile
	f.shb(le)
	f.idb(packet.LinkEthernet, 0)
	head := len(f.b)
	const n = 10000
	for i := range n {
		f.epb(0, uint64(t0)*1e6+uint64(i)*1000, frame(byte(i), benchSizes[i%len(benchSizes)]), uint32(benchSizes[i%len(benchSizes)]))
	}
	benchReader(b, f.b[:head], f.b[head:], n)
}
