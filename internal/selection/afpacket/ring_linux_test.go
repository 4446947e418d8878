//go:build linux

package afpacket_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/acd-platform/acd/internal/selection/afpacket"
	"github.com/acd-platform/acd/internal/selection/capture"
	"github.com/acd-platform/acd/internal/selection/packet"
)

// These tests walk a synthetic TPACKET_V3 ring, so they need no privilege.

const testBlockSize = 4096

// ethFrame is an Ethernet frame of n bytes whose bytes count up from seed.
func ethFrame(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = seed + byte(i)
	}
	b[12], b[13] = 0x08, 0x00
	return b
}

func newTestHandle(t testing.TB, blocks [][]afpacket.TestFrame) *afpacket.Handle {
	t.Helper()
	h, err := afpacket.NewTestHandle(testBlockSize, blocks)
	if err != nil {
		t.Fatalf("NewTestHandle: %v", err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

func TestRingFrames(t *testing.T) {
	f1, f2, f3 := ethFrame(60, 1), ethFrame(1514, 2), ethFrame(200, 3)
	h := newTestHandle(t, [][]afpacket.TestFrame{
		{{Sec: 1_700_000_000, Nsec: 1, Data: f1}, {Sec: 1_700_000_000, Nsec: 999_999_999, Data: f2}},
		// A frame truncated by the ring: captured length below the length on the wire.
		{{Sec: 1_700_000_001, Nsec: 5, Data: f3, OrigLen: 9000}},
	})
	want := []capture.Record{
		{Time: 1_700_000_000_000_000_001, Data: f1, OrigLen: 60, LinkType: packet.LinkEthernet, Offset: -1},
		{Time: 1_700_000_000_999_999_999, Data: f2, OrigLen: 1514, LinkType: packet.LinkEthernet, Offset: -1},
		{Time: 1_700_000_001_000_000_005, Data: f3, OrigLen: 9000, LinkType: packet.LinkEthernet, Offset: -1},
	}
	// Block 0 goes back to the kernel only when Next is called after its
	// last frame, which keeps that frame's Data valid until then.
	wantStatus0 := []uint32{unix.TP_STATUS_USER, unix.TP_STATUS_USER, unix.TP_STATUS_KERNEL}
	for i, w := range want {
		var rec capture.Record
		if err := h.Next(&rec); err != nil {
			t.Fatalf("Next %d: %v", i, err)
		}
		if diff := cmp.Diff(w, rec); diff != "" {
			t.Errorf("record %d (-want +got):\n%s", i, diff)
		}
		if cap(rec.Data) != len(rec.Data) {
			t.Errorf("record %d: Data has capacity %d beyond its length %d: an append would write into the ring", i, cap(rec.Data), len(rec.Data))
		}
		if got := h.BlockStatus(0); got != wantStatus0[i] {
			t.Errorf("after record %d: block 0 status %d, want %d", i, got, wantStatus0[i])
		}
	}
}

func TestRingVLAN(t *testing.T) {
	frame := ethFrame(64, 10)
	tagged := func(tpid, tci uint16) []byte {
		return bytes.Join([][]byte{frame[:12], {byte(tpid >> 8), byte(tpid), byte(tci >> 8), byte(tci)}, frame[12:]}, nil)
	}
	tests := []struct {
		name string
		in   afpacket.TestFrame
		want []byte
	}{
		// The driver stripped an 802.1Q tag: it is put back.
		{"802.1Q", afpacket.TestFrame{Data: frame, VLANValid: true, VLANTCI: 0x2064}, tagged(0x8100, 0x2064)},
		// The kernel says which TPID the tag had (802.1ad).
		{"802.1ad", afpacket.TestFrame{Data: frame, VLANValid: true, VLANTCI: 100, TPID: 0x88a8}, tagged(0x88a8, 100)},
		// Priority tag: VLAN ID 0 is still a tag.
		{"priority tag", afpacket.TestFrame{Data: frame, VLANValid: true, VLANTCI: 0x6000}, tagged(0x8100, 0x6000)},
		// No room in front of the frame: left as it is rather than overwrite the headers.
		{"no room", afpacket.TestFrame{Data: frame, VLANValid: true, VLANTCI: 5, MacOff: 70}, frame},
		// No tag.
		{"untagged", afpacket.TestFrame{Data: frame}, frame},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.Data = bytes.Clone(in.Data)
			h := newTestHandle(t, [][]afpacket.TestFrame{{in}})
			var rec capture.Record
			if err := h.Next(&rec); err != nil {
				t.Fatalf("Next: %v", err)
			}
			if !bytes.Equal(rec.Data, tt.want) {
				t.Errorf("Data:\n got % x\nwant % x", rec.Data, tt.want)
			}
			if rec.OrigLen != len(tt.want) {
				t.Errorf("OrigLen: got %d, want %d", rec.OrigLen, len(tt.want))
			}
		})
	}
}

func TestRingBadFrame(t *testing.T) {
	good := ethFrame(60, 7)
	h := newTestHandle(t, [][]afpacket.TestFrame{
		// A frame whose length runs past the block: it and the rest of the block are skipped.
		{{Data: ethFrame(60, 1), BadSnap: true}, {Data: ethFrame(60, 2)}},
		{{Data: good}},
	})
	var rec capture.Record
	if err := h.Next(&rec); err != nil {
		t.Fatalf("Next: %v", err)
	}
	if !bytes.Equal(rec.Data, good) {
		t.Errorf("got % x, want the frame of the next block % x", rec.Data, good)
	}
}

func TestRingStop(t *testing.T) {
	t.Run("context", func(t *testing.T) {
		h := newTestHandle(t, [][]afpacket.TestFrame{{{Data: ethFrame(60, 1)}}})
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		var rec capture.Record
		if err := h.NextContext(ctx, &rec); err != nil {
			t.Fatalf("first NextContext: %v", err)
		}
		start := time.Now()
		err := h.NextContext(ctx, &rec) // the ring is empty: blocks until the deadline
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("got %v, want %v", err, context.DeadlineExceeded)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("NextContext returned %v after the deadline, want promptly", d)
		}
		// A new context works again.
		ctx2, cancel2 := context.WithCancel(t.Context())
		time.AfterFunc(20*time.Millisecond, cancel2)
		if err := h.NextContext(ctx2, &rec); !errors.Is(err, context.Canceled) {
			t.Errorf("with a second context: got %v, want %v", err, context.Canceled)
		}
	})
	t.Run("close", func(t *testing.T) {
		h := newTestHandle(t, [][]afpacket.TestFrame{{{Data: ethFrame(60, 1)}}})
		var rec capture.Record
		if err := h.Next(&rec); err != nil {
			t.Fatalf("first Next: %v", err)
		}
		done := make(chan error, 1)
		go func() {
			var rec capture.Record
			done <- h.Next(&rec)
		}()
		time.Sleep(20 * time.Millisecond)
		if err := h.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		select {
		case err := <-done:
			if !errors.Is(err, afpacket.ErrClosed) {
				t.Errorf("blocked Next: got %v, want ErrClosed", err)
			}
		case <-time.After(2 * time.Second):
			t.Fatal("blocked Next did not return after Close")
		}
		if err := h.Next(&rec); !errors.Is(err, afpacket.ErrClosed) {
			t.Errorf("Next after Close: got %v, want ErrClosed", err)
		}
		if err := h.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
	})
}

// ringOfFrames is a ring of blocks full of 60-byte frames.
func ringOfFrames(blocks, perBlock int) [][]afpacket.TestFrame {
	ring := make([][]afpacket.TestFrame, blocks)
	for i := range ring {
		for j := range perBlock {
			ring[i] = append(ring[i], afpacket.TestFrame{Sec: uint32(i), Nsec: uint32(j), Data: ethFrame(60, byte(j))})
		}
	}
	return ring
}

const framesPerBlock = 25 // 48 + 25*144 bytes fit a 4 KiB block

func TestRingAllocs(t *testing.T) {
	h := newTestHandle(t, ringOfFrames(4, framesPerBlock))
	ctx := t.Context()
	var rec capture.Record
	n := 0
	allocs := testing.AllocsPerRun(1000, func() {
		if n%framesPerBlock == framesPerBlock-1 {
			h.GiveBackBlocks()
		}
		if err := h.NextContext(ctx, &rec); err != nil {
			t.Fatal(err)
		}
		n++
	})
	if allocs != 0 {
		t.Errorf("got %v allocations per NextContext, want 0", allocs)
	}
}

func BenchmarkNext(b *testing.B) {
	h := newTestHandle(b, ringOfFrames(4, framesPerBlock))
	var rec capture.Record
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if n%framesPerBlock == framesPerBlock-1 {
			h.GiveBackBlocks()
		}
		if err := h.Next(&rec); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/frame")
}

var update = flag.Bool("update", false, "rewrite the FuzzRing seed corpus in testdata")

// fuzzSeeds is the seed corpus of FuzzRing: blocks as the kernel writes
// them, one file each under testdata/fuzz/FuzzRing, written by
// go test -run TestFuzzSeeds -update. Trailing zero bytes are cut.
func fuzzSeeds() map[string][][]afpacket.TestFrame {
	return map[string][][]afpacket.TestFrame{
		// Two Ethernet frames, the second truncated by the ring.
		"two-frames": {{{Sec: 1, Nsec: 2, Data: ethFrame(60, 1)}, {Sec: 3, Data: ethFrame(100, 2), OrigLen: 1514}}},
		// A frame whose 802.1Q tag the driver stripped.
		"vlan": {{{Data: ethFrame(64, 3), VLANValid: true, VLANTCI: 100, TPID: 0x88a8}}},
		// A frame whose length runs past the block.
		"bad-snaplen": {{{Data: ethFrame(60, 4), BadSnap: true}}},
	}
}

func TestFuzzSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzRing")
	for name, blocks := range fuzzSeeds() {
		h := newTestHandle(t, blocks)
		b := bytes.TrimRight(h.BlockBytes(0), "\x00")
		want := fmt.Appendf(nil, "go test fuzz v1\n[]byte(%q)\n", b)
		path := filepath.Join(dir, name)
		if *update {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, want) {
			t.Errorf("seed %s is missing or out of date (run go test -run TestFuzzSeeds -update): %v", name, err)
		}
	}
}

// FuzzRing reads a ring block of arbitrary bytes (seeds in
// testdata/fuzz/FuzzRing). Whatever the kernel's headers say, Next must not
// read or write outside the block, and must get to the next block's frame.
func FuzzRing(f *testing.F) {
	sentinel := ethFrame(60, 0xa0)
	f.Fuzz(func(t *testing.T, block []byte) {
		if len(block) > testBlockSize {
			block = block[:testBlockSize]
		}
		h, err := afpacket.NewFuzzHandle(testBlockSize, block, afpacket.TestFrame{Sec: 0xffffffff, Data: sentinel})
		if err != nil {
			t.Fatal(err)
		}
		defer h.Close()
		var rec capture.Record
		for range 1000 {
			if err := h.Next(&rec); err != nil {
				t.Fatal(err)
			}
			if bytes.Equal(rec.Data, sentinel) && rec.Time == 0xffffffff*1e9 {
				return
			}
			if rec.OrigLen < 0 || len(rec.Data) > testBlockSize {
				t.Fatalf("record of %d bytes, OrigLen %d, from a block of %d", len(rec.Data), rec.OrigLen, testBlockSize)
			}
		}
	})
}
