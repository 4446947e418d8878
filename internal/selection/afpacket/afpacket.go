// Package afpacket captures frames live from a network interface on Linux,
// through an AF_PACKET socket with a TPACKET_V3 ring shared with the kernel.
//
// A Handle is a capture.Source: Next fills a capture.Record whose Data points
// into the ring itself, so capturing costs no copy and no allocation per
// frame. The kernel hands the ring over in blocks; a block goes back to the
// kernel only when Next is called after its last frame, which is what keeps
// Data valid until the next call to Next.
//
//	h, err := afpacket.Open("eth1", afpacket.Options{Promiscuous: true})
//	if err != nil {
//		return err // e.g. "needs CAP_NET_RAW"
//	}
//	defer h.Close()
//	var rec capture.Record
//	for {
//		if err := h.NextContext(ctx, &rec); err != nil {
//			return err // ctx.Err() once ctx is done
//		}
//		// use rec.Data before the next call
//	}
//
// # Stopping
//
// Next blocks until a frame arrives. NextContext also returns ctx.Err()
// promptly once its context is done, and both return ErrClosed promptly when
// Close is called from another goroutine. The preferred pattern is to read
// with NextContext and call Close from the reading goroutine afterwards: Close
// unmaps the ring, so a Record that another goroutine still reads becomes
// invalid when Close returns.
//
// Capturing needs CAP_NET_RAW (and the ring memory); on other systems than
// Linux, Open fails.
package afpacket

import (
	"errors"
	"time"
)

// Defaults for Options fields left zero.
const (
	DefaultBlockSize    = 1 << 20 // 1 MiB
	DefaultNumBlocks    = 64      // 64 MiB of ring with the default block size
	DefaultBlockTimeout = 10 * time.Millisecond
)

// Options configures Open. The zero value is ready to use.
type Options struct {
	// BlockSize is the size in bytes of each ring block, a multiple of the
	// page size. A frame longer than a block (less its headers) is
	// truncated. 0 means DefaultBlockSize (1 MiB).
	BlockSize int

	// NumBlocks is the number of blocks in the ring. The ring holds
	// BlockSize*NumBlocks bytes of frames waiting for Next; frames that
	// arrive when it is full are dropped and counted in Stats. 0 means
	// DefaultNumBlocks (64).
	NumBlocks int

	// BlockTimeout is how long the kernel keeps filling a block before it
	// hands it over partly full, which bounds the latency of a quiet link.
	// 0 means DefaultBlockTimeout (10 ms); it is rounded up to whole
	// milliseconds.
	BlockTimeout time.Duration

	// Promiscuous puts the interface in promiscuous mode for as long as the
	// Handle is open, so that frames addressed to other stations are seen.
	Promiscuous bool
}

// Stats counts frames since Open, as the kernel reports them
// (PACKET_STATISTICS).
type Stats struct {
	Packets uint64 // frames the kernel passed to the socket, dropped ones included
	Drops   uint64 // frames dropped because the ring was full
}

// ErrClosed is returned by Next and NextContext once Close has been called.
var ErrClosed = errors.New("afpacket: handle closed")
