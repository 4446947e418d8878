//go:build linux

package afpacket

import (
	"encoding/binary"

	"golang.org/x/sys/unix"

	"github.com/acd-platform/acd/internal/selection/packet"
)

// TestFrame is one frame of a synthetic ring, laid out as the kernel lays
// out TPACKET_V3 frames.
type TestFrame struct {
	Sec, Nsec uint32
	Data      []byte // captured bytes (tp_snaplen = len(Data))
	OrigLen   uint32 // tp_len; 0 means len(Data)
	MacOff    uint16 // tp_mac; 0 means 82, where the kernel puts an Ethernet frame
	VLANValid bool   // TP_STATUS_VLAN_VALID: the driver stripped a tag with this TCI
	VLANTCI   uint16
	TPID      uint16 // with TP_STATUS_VLAN_TPID_VALID when not 0
	BadSnap   bool   // tp_snaplen runs past the block, as a broken kernel might say
}

// NewTestHandle returns a Handle over a synthetic ring of len(blocks)
// blocks of blockSize bytes, each holding the given frames and owned by
// user space, with no socket. Close releases it.
func NewTestHandle(blockSize int, blocks [][]TestFrame) (*Handle, error) {
	ring, err := unix.Mmap(-1, 0, blockSize*len(blocks), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		return nil, err
	}
	efd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		unix.Munmap(ring)
		return nil, err
	}
	h := &Handle{iface: "test", link: packet.LinkEthernet, ring: ring, blockSize: blockSize, numBlocks: len(blocks),
		fd: -1, efd: efd}
	h.pfd = [2]unix.PollFd{{Fd: -1}, {Fd: int32(efd), Events: unix.POLLIN}}
	ne := binary.NativeEndian
	for i, frames := range blocks {
		base := i * blockSize
		b := ring[base : base+blockSize]
		ne.PutUint32(b[0:], 1) // version
		ne.PutUint32(b[blockNumPktsOff:], uint32(len(frames)))
		ne.PutUint32(b[blockFirstOff:], blockDescLen)
		off := blockDescLen
		for j, f := range frames {
			mac := int(f.MacOff)
			if mac == 0 {
				mac = 82
			}
			orig := f.OrigLen
			if orig == 0 {
				orig = uint32(len(f.Data))
			}
			snap := uint32(len(f.Data))
			if f.BadSnap {
				snap = uint32(blockSize)
			}
			status := uint32(unix.TP_STATUS_USER)
			if f.VLANValid {
				status |= unix.TP_STATUS_VLAN_VALID
			}
			if f.TPID != 0 {
				status |= unix.TP_STATUS_VLAN_TPID_VALID
			}
			next := (mac + len(f.Data) + 15) &^ 15
			if j == len(frames)-1 {
				next = 0
			}
			ne.PutUint32(b[off+0:], uint32(next))
			ne.PutUint32(b[off+4:], f.Sec)
			ne.PutUint32(b[off+8:], f.Nsec)
			ne.PutUint32(b[off+12:], snap)
			ne.PutUint32(b[off+16:], orig)
			ne.PutUint32(b[off+20:], status)
			ne.PutUint16(b[off+24:], uint16(mac))
			ne.PutUint16(b[off+26:], uint16(mac+14))
			ne.PutUint32(b[off+32:], uint32(f.VLANTCI))
			ne.PutUint16(b[off+36:], f.TPID)
			copy(b[off+mac:], f.Data)
			off += next
		}
		ne.PutUint32(b[blockStatusOff:], unix.TP_STATUS_USER)
	}
	return h, nil
}

// BlockStatus returns the status word of block i.
func (h *Handle) BlockStatus(i int) uint32 {
	return *h.u32(i*h.blockSize + blockStatusOff)
}

// GiveBackBlocks marks every block but the one being read as filled, as if
// the kernel had refilled the ring with the same frames.
func (h *Handle) GiveBackBlocks() {
	for i := range h.numBlocks {
		if i != h.block || !h.inBlock {
			*h.u32(i*h.blockSize + blockStatusOff) = unix.TP_STATUS_USER
		}
	}
}

// NewFuzzHandle returns a Handle over a two-block ring: block 0 holds the
// bytes of block (its status forced to user-owned), block 1 the sentinel
// frame, so that reading block 0 to its end (or giving up on it) always ends
// at the sentinel rather than waiting for the kernel.
func NewFuzzHandle(blockSize int, block []byte, sentinel TestFrame) (*Handle, error) {
	h, err := NewTestHandle(blockSize, [][]TestFrame{{}, {sentinel}})
	if err != nil {
		return nil, err
	}
	copy(h.ring[:blockSize], block)
	*h.u32(blockStatusOff) = unix.TP_STATUS_USER
	return h, nil
}

// BlockBytes returns the bytes of block i.
func (h *Handle) BlockBytes(i int) []byte {
	return h.ring[i*h.blockSize : (i+1)*h.blockSize]
}
