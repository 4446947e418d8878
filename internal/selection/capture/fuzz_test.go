package capture_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/acd-platform/acd/internal/selection/capture"
	"github.com/acd-platform/acd/internal/selection/packet"
)

// fuzzSeeds are the inputs FuzzReader starts from, besides the files in
// testdata/fuzz/FuzzReader (named for what they hold).
func fuzzSeeds() map[string][]byte {
	pcapLE := newPcap(le, true, 65535, packet.LinkEthernet).add(t0, 1, frame(0, 60)).add(t0+1, 2, frame(1, 61))
	pcapBE := newPcap(be, false, 96, packet.LinkRaw).add(t0, 999_999, frame(0, 40)).record(t0, 0, 96, 1500, frame(2, 96))
	var ng ngFile
	ng.shb(le)
	ng.idb(packet.LinkEthernet, 0, ng.opt(9, []byte{9}))
	ng.epb(0, t0*1e9, frame(0, 60), 60)
	ng.spb(frame(1, 30), 30)
	ng.shb(be)
	ng.idb(packet.LinkLinuxSLL2, 0, ng.opt(9, []byte{0x94}), ng.opt(14, be.AppendUint64(nil, t0)))
	ng.pb(0, 1<<20, frame(2, 20), 20)
	corrupt := bytes.Clone(pcapLE.b)
	le.PutUint32(corrupt[24+8:], 70000)
	return map[string][]byte{
		"pcap little-endian nanoseconds": pcapLE.b,
		"pcap big-endian microseconds":   pcapBE.b,
		"pcapng two sections":            ng.b,
		"pcap bad caplen":                corrupt,
		"pcapng truncated":               ng.b[:len(ng.b)-5],
	}
}

// FuzzReader checks that the reader never panics, always reaches io.EOF,
// returns only *CorruptError otherwise, hands out records in offset order
// and consumes exactly its input.
func FuzzReader(f *testing.F) {
	for _, seed := range fuzzSeeds() {
		f.Add(seed)
	}
	// The smallest real capture, when the shared captures are there.
	if real, err := os.ReadFile(filepath.Join(capturesDir, "dns_query_response.pcapng")); err == nil {
		f.Add(real)
	}
	f.Fuzz(func(t *testing.T, input []byte) {
		// Small buffers spare each run the default buffer's 1 MiB. A
		// 4 KiB one holds nearly every record of a fuzzed input, as the
		// default holds those of real files; a 256-byte one sends many
		// down the path for records bigger than the buffer.
		size := 4096
		if len(input)%2 == 0 {
			size = 256
		}
		r, err := capture.NewReaderSize(bytes.NewReader(input), size)
		if err != nil {
			return
		}
		last := int64(-1)
		consumed := r.Offset()
		for range len(input) + 2 {
			var rec capture.Record
			err := r.Next(&rec)
			if r.Offset() < consumed || r.Offset() > int64(len(input)) {
				t.Fatalf("Offset %d after %d, input of %d bytes", r.Offset(), consumed, len(input))
			}
			consumed = r.Offset()
			if err == io.EOF {
				if consumed != int64(len(input)) {
					t.Fatalf("Offset at EOF: got %d, want %d", consumed, len(input))
				}
				return
			}
			var ce *capture.CorruptError
			switch {
			case errors.As(err, &ce):
				if ce.Offset <= last || ce.Offset >= int64(len(input)) {
					t.Fatalf("corrupt offset %d after %d, input of %d bytes", ce.Offset, last, len(input))
				}
				last = ce.Offset
			case err != nil:
				t.Fatalf("Next: %v", err)
			default:
				if rec.Offset <= last || rec.Offset+int64(len(rec.Data)) > consumed {
					t.Fatalf("record at %d of %d bytes after %d, %d consumed", rec.Offset, len(rec.Data), last, consumed)
				}
				last = rec.Offset
			}
		}
		t.Fatalf("no io.EOF after %d calls", len(input)+2)
	})
}
