//go:build linux

package afpacket

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/acd-platform/acd/internal/selection/capture"
	"github.com/acd-platform/acd/internal/selection/packet"
)

// Offsets inside a TPACKET_V3 block and frame (linux/if_packet.h).
const (
	blockStatusOff  = 8  // tpacket_block_desc.hdr.bh1.block_status
	blockNumPktsOff = 12 // …num_pkts
	blockFirstOff   = 16 // …offset_to_first_pkt
	blockDescLen    = 48 // sizeof(struct tpacket_block_desc)

	// frameHeadroom is the space the kernel leaves in front of a frame's
	// link-layer header for the tpacket3_hdr and a sockaddr_ll; a VLAN tag is
	// put back in front of the frame only when there is room for it after
	// that.
	frameHeadroom = 48 + 20 // TPACKET_ALIGN(sizeof(tpacket3_hdr)) + sizeof(sockaddr_ll)
	vlanTagLen    = 4
)

// Handle is an open live capture on one interface. Next and NextContext must
// not be called concurrently with each other; Stats and Close may be called
// from any goroutine.
type Handle struct {
	iface     string
	link      packet.LinkType
	ring      []byte // mmap'ed TPACKET_V3 ring, NumBlocks blocks of BlockSize bytes
	blockSize int
	numBlocks int

	mu      sync.Mutex      // held for the whole of a Next call and by Close; guards the fields below and ring
	fd      int             // AF_PACKET socket; -1 once closed; set under both mu and statsMu
	block   int             // index of the block being read or waited for
	inBlock bool            // block belongs to us and frames are read from it
	left    int             // frames of the block not yet read
	next    int             // ring offset of the next frame to read
	done    <-chan struct{} // Done channel of the context last passed to NextContext
	stopCtx func() bool     // stops the wake-up registered for done
	pfd     [2]unix.PollFd  // socket and eventfd, for poll
	efdBuf  [8]byte         // scratch for draining the eventfd

	closed  atomic.Bool // set by Close before it waits for mu
	ctxDone atomic.Bool // set when ctx is done; verified against ctx.Err()

	efdMu sync.Mutex // guards efd, so that a wake-up never writes to a closed (and perhaps reused) descriptor
	efd   int        // eventfd that wakes a blocked poll; -1 once closed

	statsMu sync.Mutex // guards total and the statistics read, which resets the kernel's counters
	total   Stats
}

// Open starts a live capture on the interface named iface, with an
// AF_PACKET socket (SOCK_RAW, all protocols) bound to it and a TPACKET_V3
// receive ring mapped into memory. It needs CAP_NET_RAW.
//
// Frames of Ethernet and loopback interfaces come with LinkType Ethernet
// (802.1Q tags that the driver stripped are put back); those of interfaces
// without a link-layer header (tun, WireGuard) come as raw IP.
func Open(iface string, opts Options) (*Handle, error) {
	if iface == "" {
		return nil, errors.New("open live capture: no interface named")
	}
	o, err := opts.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("open live capture on %q: %w", iface, err)
	}
	ifi, err := net.InterfaceByName(iface)
	if err != nil {
		return nil, fmt.Errorf("open live capture: find interface: %w", err)
	}
	// Protocol 0: the socket receives nothing until it is bound to the
	// interface, so no frame of another interface gets into the ring.
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		if errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES) {
			return nil, fmt.Errorf("open live capture on %q: live capture needs CAP_NET_RAW (run as root or grant the capability): %w", iface, err)
		}
		return nil, fmt.Errorf("open live capture on %q: open AF_PACKET socket: %w", iface, err)
	}
	h := &Handle{iface: iface, fd: fd, efd: -1, blockSize: o.BlockSize, numBlocks: o.NumBlocks}
	if err := h.setup(ifi, o); err != nil {
		h.release()
		return nil, fmt.Errorf("open live capture on %q: %w", iface, err)
	}
	return h, nil
}

func (o Options) withDefaults() (Options, error) {
	if o.BlockSize == 0 {
		o.BlockSize = DefaultBlockSize
	}
	if o.NumBlocks == 0 {
		o.NumBlocks = DefaultNumBlocks
	}
	if o.BlockTimeout == 0 {
		o.BlockTimeout = DefaultBlockTimeout
	}
	page := os.Getpagesize()
	switch {
	case o.BlockSize < 0 || o.BlockSize%page != 0:
		return o, fmt.Errorf("block size %d is not a positive multiple of the page size %d", o.BlockSize, page)
	case o.BlockSize > 1<<30:
		return o, fmt.Errorf("block size %d exceeds 1 GiB", o.BlockSize)
	case o.NumBlocks < 0 || o.NumBlocks > (1<<40)/o.BlockSize:
		return o, fmt.Errorf("block count %d not in 1..%d for blocks of %d bytes", o.NumBlocks, (1<<40)/o.BlockSize, o.BlockSize)
	case o.BlockTimeout < 0 || o.BlockTimeout > time.Hour:
		return o, fmt.Errorf("block timeout %v not in 1ms..1h", o.BlockTimeout)
	}
	return o, nil
}

// setup configures the socket, maps the ring and binds to the interface.
func (h *Handle) setup(ifi *net.Interface, o Options) error {
	link, err := linkType(h.fd, ifi.Name)
	if err != nil {
		return err
	}
	h.link = link
	if err := unix.SetsockoptInt(h.fd, unix.SOL_PACKET, unix.PACKET_VERSION, unix.TPACKET_V3); err != nil {
		return fmt.Errorf("select TPACKET_V3: %w", err)
	}
	const frameSize = unix.TPACKET_ALIGNMENT << 7 // 2 KiB; TPACKET_V3 frames are variable, the kernel only checks the arithmetic
	req := unix.TpacketReq3{
		Block_size:     uint32(o.BlockSize),
		Block_nr:       uint32(o.NumBlocks),
		Frame_size:     frameSize,
		Frame_nr:       uint32(o.BlockSize / frameSize * o.NumBlocks),
		Retire_blk_tov: uint32((o.BlockTimeout + time.Millisecond - 1) / time.Millisecond),
	}
	if err := unix.SetsockoptTpacketReq3(h.fd, unix.SOL_PACKET, unix.PACKET_RX_RING, &req); err != nil {
		return fmt.Errorf("set up receive ring of %d blocks of %d bytes: %w", o.NumBlocks, o.BlockSize, err)
	}
	// The ring's pages belong to the kernel and are mapped in whole: no
	// page faults and no swapping while capturing.
	ring, err := unix.Mmap(h.fd, 0, o.BlockSize*o.NumBlocks, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return fmt.Errorf("map receive ring: %w", err)
	}
	h.ring = ring
	if o.Promiscuous {
		mreq := unix.PacketMreq{Ifindex: int32(ifi.Index), Type: unix.PACKET_MR_PROMISC}
		if err := unix.SetsockoptPacketMreq(h.fd, unix.SOL_PACKET, unix.PACKET_ADD_MEMBERSHIP, &mreq); err != nil {
			return fmt.Errorf("enter promiscuous mode: %w", err)
		}
	}
	if err := unix.Bind(h.fd, &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ALL), Ifindex: ifi.Index}); err != nil {
		return fmt.Errorf("bind to interface: %w", err)
	}
	h.efd, err = unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		return fmt.Errorf("make eventfd: %w", err)
	}
	h.pfd = [2]unix.PollFd{{Fd: int32(h.fd), Events: unix.POLLIN}, {Fd: int32(h.efd), Events: unix.POLLIN}}
	return nil
}

// linkType maps the interface's hardware type to the link-layer header
// type of the frames AF_PACKET gives for it.
func linkType(fd int, iface string) (packet.LinkType, error) {
	ifr, err := unix.NewIfreq(iface)
	if err != nil {
		return 0, fmt.Errorf("read hardware type: %w", err)
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFHWADDR, ifr); err != nil {
		return 0, fmt.Errorf("read hardware type: %w", err)
	}
	switch hw := ifr.Uint16(); hw { // ifr_hwaddr.sa_family
	case unix.ARPHRD_ETHER, unix.ARPHRD_LOOPBACK:
		return packet.LinkEthernet, nil
	case unix.ARPHRD_NONE:
		return packet.LinkRaw, nil
	default:
		return 0, fmt.Errorf("hardware type ARPHRD %d is not supported (Ethernet, loopback and tun-like interfaces are)", hw)
	}
}

// htons converts v to network byte order, as sockaddr_ll wants its protocol.
func htons(v uint16) uint16 {
	var b [2]byte
	binary.BigEndian.PutUint16(b[:], v)
	return binary.NativeEndian.Uint16(b[:])
}

// LinkType returns the link-layer header type of the frames Next returns.
func (h *Handle) LinkType() packet.LinkType { return h.link }

// Next fills rec with the next frame, blocking until one arrives. rec.Data
// points into the ring and is valid until the next call to Next or
// NextContext, or Close. Next returns ErrClosed once Close has been called.
func (h *Handle) Next(rec *capture.Record) error {
	return h.NextContext(context.Background(), rec)
}

// NextContext is Next that also returns ctx.Err() promptly once ctx is
// done. Passing the same ctx to every call costs no allocation; a context
// with another Done channel than the last one registers a wake-up with
// context.AfterFunc.
func (h *Handle) NextContext(ctx context.Context, rec *capture.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if d := ctx.Done(); d != h.done {
		h.watch(ctx, d)
	}
	for {
		if h.closed.Load() {
			return ErrClosed
		}
		if h.ctxDone.Load() {
			if err := ctx.Err(); err != nil {
				return err
			}
			h.ctxDone.Store(false) // a late wake-up from an earlier context
		}
		if h.left > 0 {
			h.left--
			if h.frame(rec) {
				return nil
			}
			continue
		}
		if h.inBlock {
			// Every frame of the block has been read and the caller is done
			// with the last one: hand the block back.
			atomic.StoreUint32(h.u32(h.block*h.blockSize+blockStatusOff), unix.TP_STATUS_KERNEL)
			h.inBlock = false
			h.block = (h.block + 1) % h.numBlocks
		}
		base := h.block * h.blockSize
		if atomic.LoadUint32(h.u32(base+blockStatusOff))&unix.TP_STATUS_USER != 0 {
			h.inBlock = true
			h.left = int(*h.u32(base + blockNumPktsOff))
			h.next = base + int(*h.u32(base + blockFirstOff))
			continue
		}
		if err := h.wait(); err != nil {
			return err
		}
	}
}

// frame fills rec from the frame at h.next and advances h.next. It reports
// false, and skips the rest of the block, if the kernel's offsets do not fit
// in the block.
func (h *Handle) frame(rec *capture.Record) bool {
	off := h.next
	end := (h.block + 1) * h.blockSize
	if off < h.block*h.blockSize+blockDescLen || off > end-unix.SizeofTpacket3Hdr {
		h.left = 0
		return false
	}
	hdr := (*unix.Tpacket3Hdr)(unsafe.Pointer(&h.ring[off]))
	start, snap := off+int(hdr.Mac), int(hdr.Snaplen)
	if start < off+unix.SizeofTpacket3Hdr || snap > end-start {
		h.left = 0
		return false
	}
	h.next = off + int(hdr.Next_offset)
	origLen := int(hdr.Len)
	if hdr.Status&unix.TP_STATUS_VLAN_VALID != 0 && h.link == packet.LinkEthernet &&
		snap >= 12 && start-vlanTagLen >= off+frameHeadroom {
		// The driver took the 802.1Q tag out of the frame; put it back
		// after the MAC addresses, as it was on the wire.
		tpid := uint16(0x8100)
		if hdr.Status&unix.TP_STATUS_VLAN_TPID_VALID != 0 {
			tpid = hdr.Hv1.Vlan_tpid
		}
		copy(h.ring[start-vlanTagLen:], h.ring[start:start+12])
		start -= vlanTagLen
		binary.BigEndian.PutUint16(h.ring[start+12:], tpid)
		binary.BigEndian.PutUint16(h.ring[start+14:], uint16(hdr.Hv1.Vlan_tci))
		snap += vlanTagLen
		origLen += vlanTagLen
	}
	rec.Time = int64(hdr.Sec)*1e9 + int64(hdr.Nsec)
	rec.Data = h.ring[start : start+snap : start+snap]
	rec.OrigLen = origLen
	rec.LinkType = h.link
	rec.Offset = -1
	return true
}

// u32 points at the native-endian uint32 at ring offset off.
func (h *Handle) u32(off int) *uint32 {
	return (*uint32)(unsafe.Pointer(&h.ring[off]))
}

// wait blocks until the socket or the eventfd is readable.
func (h *Handle) wait() error {
	h.pfd[0].Revents, h.pfd[1].Revents = 0, 0
	if _, err := unix.Poll(h.pfd[:], -1); err != nil {
		if errors.Is(err, unix.EINTR) {
			return nil
		}
		return fmt.Errorf("capture on %q: poll: %w", h.iface, err)
	}
	if h.pfd[1].Revents&unix.POLLIN != 0 {
		_, _ = unix.Read(h.efd, h.efdBuf[:]) // drain; the caller checks why it was woken
	}
	if h.pfd[0].Revents&(unix.POLLERR|unix.POLLNVAL) != 0 && h.pfd[0].Revents&unix.POLLIN == 0 {
		if h.pfd[0].Revents&unix.POLLNVAL != 0 {
			return fmt.Errorf("capture on %q: socket no longer valid", h.iface)
		}
		// POLLERR without data: a pending socket error (e.g. the interface
		// went away). Reading SO_ERROR clears it.
		if serr, err := unix.GetsockoptInt(h.fd, unix.SOL_SOCKET, unix.SO_ERROR); err == nil && serr != 0 {
			return fmt.Errorf("capture on %q: %w", h.iface, unix.Errno(serr))
		}
	}
	return nil
}

// watch makes ctx, whose Done channel is done, wake a blocked poll when it
// is done. h.mu is held.
func (h *Handle) watch(ctx context.Context, done <-chan struct{}) {
	if h.stopCtx != nil {
		h.stopCtx()
		h.stopCtx = nil
	}
	h.done = done
	h.ctxDone.Store(false)
	if done != nil {
		h.stopCtx = context.AfterFunc(ctx, func() {
			h.ctxDone.Store(true)
			h.wake()
		})
	}
}

// wake makes a blocked poll return.
func (h *Handle) wake() {
	h.efdMu.Lock()
	defer h.efdMu.Unlock()
	if h.efd >= 0 {
		var one [8]byte
		binary.NativeEndian.PutUint64(one[:], 1)
		_, _ = unix.Write(h.efd, one[:])
	}
}

// Stats returns the frame counts since Open. After Close it returns the
// counts as they were at Close.
func (h *Handle) Stats() (Stats, error) {
	h.statsMu.Lock()
	defer h.statsMu.Unlock()
	if h.fd < 0 {
		return h.total, nil
	}
	if err := h.readStats(); err != nil {
		return Stats{}, fmt.Errorf("read capture statistics on %q: %w", h.iface, err)
	}
	return h.total, nil
}

// readStats adds the kernel's counters, which reading resets, to h.total.
// h.statsMu is held.
func (h *Handle) readStats() error {
	st, err := unix.GetsockoptTpacketStatsV3(h.fd, unix.SOL_PACKET, unix.PACKET_STATISTICS)
	if err != nil {
		return err
	}
	h.total.Packets += uint64(st.Packets)
	h.total.Drops += uint64(st.Drops)
	return nil
}

// Close stops the capture and releases the socket and the ring. A Next or
// NextContext blocked in another goroutine returns ErrClosed; Close waits for
// it. Records returned earlier are invalid once Close returns. Closing a
// closed Handle does nothing.
func (h *Handle) Close() error {
	if !h.closed.CompareAndSwap(false, true) {
		return nil
	}
	h.wake()
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.stopCtx != nil {
		h.stopCtx()
		h.stopCtx = nil
	}
	return h.release()
}

// release unmaps the ring and closes the descriptors.
func (h *Handle) release() error {
	var errs []error
	if h.ring != nil {
		errs = append(errs, unix.Munmap(h.ring))
		h.ring = nil
	}
	h.efdMu.Lock()
	if h.efd >= 0 {
		errs = append(errs, unix.Close(h.efd))
		h.efd = -1
	}
	h.efdMu.Unlock()
	h.statsMu.Lock()
	if h.fd >= 0 {
		_ = h.readStats() // keep the final counts for Stats
		errs = append(errs, unix.Close(h.fd))
		h.fd = -1
	}
	h.statsMu.Unlock()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close live capture on %q: %w", h.iface, err)
	}
	return nil
}
