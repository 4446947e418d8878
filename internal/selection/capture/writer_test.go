package capture_test

import (
	"bytes"
	"encoding/binary"
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/selection/capture"
	"github.com/acd-platform/acd/internal/selection/packet"
)

func TestWriterBytes(t *testing.T) {
	var buf bytes.Buffer
	w, err := capture.NewWriter(&buf, packet.LinkEthernet, 4)
	if err != nil {
		t.Fatal(err)
	}
	// 1.5 s after the epoch, 6 bytes on the wire, cut to the snaplen of 4.
	if err := w.WritePacket(1_500_000_000, []byte{1, 2, 3, 4, 5, 6}, 6); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	want := le.AppendUint32(nil, 0xa1b23c4d)
	want = le.AppendUint16(want, 2)
	want = le.AppendUint16(want, 4)
	want = append(want, make([]byte, 8)...)
	want = le.AppendUint32(want, 4)
	want = le.AppendUint32(want, 1)
	want = le.AppendUint32(want, 1)
	want = le.AppendUint32(want, 500_000_000)
	want = le.AppendUint32(want, 4)
	want = le.AppendUint32(want, 6)
	want = append(want, 1, 2, 3, 4)
	if diff := cmp.Diff(want, buf.Bytes()); diff != "" {
		t.Errorf("pcap bytes (-want +got):\n%s", diff)
	}
}

func TestWriterErrors(t *testing.T) {
	if _, err := capture.NewWriter(io.Discard, packet.LinkEthernet, -1); err == nil {
		t.Error("NewWriter with snaplen -1: got nil error, want one")
	}
	w, err := capture.NewWriter(io.Discard, packet.LinkEthernet, 0)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		ts      int64
		data    []byte
		origLen int
	}{
		{"negative time", -1, []byte{1}, 1},               // before 1970
		{"time after 2106", 1 << 32 * 1e9, []byte{1}, 1},  // seconds overflow 32 bits
		{"origlen below data length", 0, []byte{1, 2}, 1}, // cannot capture more than was sent
		{"origlen 0", 0, nil, 0},                          // nothing was sent
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := w.WritePacket(tt.ts, tt.data, tt.origLen); err == nil {
				t.Errorf("WritePacket: got nil error, want one")
			}
		})
	}
}

func TestWriterAllocs(t *testing.T) {
	w, err := capture.NewWriter(io.Discard, packet.LinkEthernet, 0)
	if err != nil {
		t.Fatal(err)
	}
	data := make([]byte, 1500)
	if n := testing.AllocsPerRun(1000, func() {
		if err := w.WritePacket(1e18, data, len(data)); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("WritePacket: got %v allocs, want 0", n)
	}
}
