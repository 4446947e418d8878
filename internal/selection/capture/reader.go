package capture

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"strconv"

	"github.com/acd-platform/acd/internal/selection/packet"
)

// readBufferSize is the size of a Reader's read buffer. Records that fit in
// it are handed out in place; bigger ones are copied to a second buffer.
const readBufferSize = 1 << 20

// minReadBufferSize is the smallest read buffer that holds every header the
// reader peeks at and the plausibility look-ahead.
const minReadBufferSize = 64

// pcapng block types.
const (
	blockSHB       = 0x0A0D0D0A // section header
	blockIDB       = 0x00000001 // interface description
	blockPB        = 0x00000002 // packet (obsolete)
	blockSPB       = 0x00000003 // simple packet
	blockNRB       = 0x00000004 // name resolution
	blockISB       = 0x00000005 // interface statistics
	blockEPB       = 0x00000006 // enhanced packet
	blockDSB       = 0x0000000A // decryption secrets
	blockCustom    = 0x00000BAD // custom, may be copied
	blockCustomNoC = 0x40000BAD // custom, must not be copied

	byteOrderMagic = 0x1A2B3C4D

	// maxBlockLen bounds a pcapng block: a packet of maxSnaplen bytes with
	// room for its options.
	maxBlockLen = maxSnaplen + 1<<20
)

// resyncBackward is how far before the last good record a candidate record
// found while resynchronising may be stamped; real captures go back in time
// a little (merged interfaces, clock steps), garbage goes back anywhere.
const resyncBackward = int64(3600e9)

// CorruptError reports a damaged or truncated record. The Reader that
// returned it continues with the next record it can find, so a caller may
// count the error and call Next again.
type CorruptError struct {
	Offset int64  // byte offset of the damaged record (pcap) or block (pcapng) in the input
	Reason string // what is wrong, quoting header fields only
	ng     bool   // the input is pcapng
}

// Error returns the error as "pcap record at offset N: reason" or
// "pcapng block at offset N: reason".
func (e *CorruptError) Error() string {
	what := "pcap record"
	if e.ng {
		what = "pcapng block"
	}
	return what + " at offset " + strconv.FormatInt(e.Offset, 10) + ": " + e.Reason
}

// iface is a pcapng interface: its link type, snapshot length and timestamp
// resolution.
type iface struct {
	link    packet.LinkType
	snaplen uint32
	mul     uint64 // decimal resolution: nanoseconds = ts*mul/div
	div     uint64
	shift   uint8 // binary resolution 2^-shift when not 0: nanoseconds = ts*1e9 >> shift
	offset  int64 // if_tsoffset in nanoseconds
}

// nanos converts a timestamp in the interface's units to Unix nanoseconds.
func (f *iface) nanos(ts uint64) int64 {
	var ns uint64
	if f.shift != 0 {
		hi, lo := bits.Mul64(ts, 1e9)
		if f.shift < 64 {
			ns = lo>>f.shift | hi<<(64-f.shift)
		} else {
			ns = hi >> (f.shift - 64)
		}
	} else {
		ns = ts * f.mul / f.div
	}
	return int64(ns) + f.offset
}

// Reader reads a pcap or pcapng stream record by record. It is not safe for
// concurrent use.
type Reader struct {
	br   *bufio.Reader
	off  int64  // bytes consumed from the input
	ng   bool   // pcapng, else classic pcap
	be   bool   // big-endian: the pcap file's or the current pcapng section's byte order
	big  []byte // holds records too big for br's buffer
	done bool   // the input ended inside a record: only io.EOF is left
	err  error  // a read error of the input, returned again by every Next

	// resync is set after a corrupt record: the next Next first scans
	// forward for a plausible one.
	resync bool

	// lastTime is the time of the last good record (0 before the first),
	// for judging candidates when resynchronising and for simple packet
	// blocks, which carry no time.
	lastTime int64

	// Classic pcap.
	fracMul  int64 // nanoseconds per unit of the sub-second field
	snaplen  uint32
	capLimit uint32 // largest plausible captured length
	link     packet.LinkType

	// pcapng: the interfaces of the current section, by ID.
	ifaces []iface
}

// NewReader reads the file header of a pcap or pcapng stream from r and
// returns a Reader for its records. It buffers r, reading ahead up to 1 MiB.
func NewReader(r io.Reader) (*Reader, error) {
	return newReader(r, readBufferSize)
}

// newReader is NewReader with a read buffer of size bytes.
func newReader(r io.Reader, size int) (*Reader, error) {
	rd := &Reader{br: bufio.NewReaderSize(r, max(size, minReadBufferSize))}
	magic, err := rd.br.Peek(4)
	if len(magic) < 4 {
		if err == io.EOF {
			return nil, fmt.Errorf("read capture file header: input of %d bytes is not a pcap or pcapng file", len(magic))
		}
		return nil, fmt.Errorf("read capture file header: %w", err)
	}
	switch binary.LittleEndian.Uint32(magic) {
	case magicMicro:
		rd.fracMul = 1000
	case magicNano:
		rd.fracMul = 1
	case bits.ReverseBytes32(magicMicro):
		rd.fracMul, rd.be = 1000, true
	case bits.ReverseBytes32(magicNano):
		rd.fracMul, rd.be = 1, true
	case blockSHB:
		rd.ng = true
		rd.ifaces = make([]iface, 0, 4)
		if err := rd.readFirstSHB(); err != nil {
			return nil, err
		}
		return rd, nil
	default:
		hint := ""
		if magic[0] == 0x1f && magic[1] == 0x8b {
			hint = " (gzip-compressed? decompress it first)"
		}
		return nil, fmt.Errorf("read capture file header: first bytes %x: not a pcap or pcapng file%s", magic, hint)
	}
	h, err := rd.br.Peek(pcapFileHeaderLen)
	if len(h) < pcapFileHeaderLen {
		return nil, fmt.Errorf("read pcap file header: %d of %d bytes: %w", len(h), pcapFileHeaderLen, noEOF(err))
	}
	if major, minor := rd.u16(h[4:]), rd.u16(h[6:]); major != 2 {
		return nil, fmt.Errorf("read pcap file header: version %d.%d, want 2.x", major, minor)
	}
	rd.snaplen = rd.u32(h[16:])
	rd.capLimit = rd.snaplen
	if rd.capLimit == 0 || rd.capLimit > maxSnaplen {
		// Some writers put 0 or 2^32-1 here; bound records by what any
		// capture could produce instead.
		rd.capLimit = maxSnaplen
	}
	rd.link = packet.LinkType(rd.u32(h[20:])) // the upper 16 bits carry FCS information, not the type
	rd.discard(pcapFileHeaderLen)
	return rd, nil
}

// noEOF turns an io.EOF in the middle of a header into io.ErrUnexpectedEOF.
func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// LinkType returns the link-layer header type of a pcap file. For pcapng,
// where each interface has its own, it returns that of the first interface
// of the current section, or 0 before its description has been read; use
// Record.LinkType there. The Reader does not check that the type is one
// the packet decoder supports.
func (r *Reader) LinkType() packet.LinkType {
	if r.ng {
		if len(r.ifaces) == 0 {
			return 0
		}
		return r.ifaces[0].link
	}
	return r.link
}

// Snaplen returns the snapshot length of a pcap file's header: no record is
// longer. For pcapng it returns that of the first interface of the current
// section (0, as before its description has been read, means no limit).
func (r *Reader) Snaplen() int {
	if r.ng {
		if len(r.ifaces) == 0 {
			return 0
		}
		return int(r.ifaces[0].snaplen)
	}
	return int(r.snaplen)
}

// Offset returns the number of bytes of the input consumed so far.
func (r *Reader) Offset() int64 { return r.off }

// Next reads the next packet record into rec and returns io.EOF at the end
// of the input. rec.Data points into the Reader's buffer and is valid until
// the next call to Next. For a damaged record it returns a *CorruptError
// and skips to the next plausible record on the following call; a record
// cut short by the end of the input gives a *CorruptError and then io.EOF.
// Next does not allocate unless a record outgrows the buffers.
func (r *Reader) Next(rec *Record) error {
	if r.err != nil {
		return r.err
	}
	if r.done {
		return io.EOF
	}
	if r.ng {
		return r.nextBlock(rec)
	}
	return r.nextPcap(rec)
}

func (r *Reader) u16(b []byte) uint16 {
	if r.be {
		return binary.BigEndian.Uint16(b)
	}
	return binary.LittleEndian.Uint16(b)
}

func (r *Reader) u32(b []byte) uint32 {
	if r.be {
		return binary.BigEndian.Uint32(b)
	}
	return binary.LittleEndian.Uint32(b)
}

// discard consumes n buffered bytes.
func (r *Reader) discard(n int) {
	d, _ := r.br.Discard(n) // never short: the bytes were peeked
	r.off += int64(d)
}

// corrupt returns the error for a damaged record at off.
func (r *Reader) corrupt(off int64, format string, args ...any) error {
	return &CorruptError{Offset: off, Reason: fmt.Sprintf(format, args...), ng: r.ng}
}

// fail records a read error of the input; every later Next returns it.
func (r *Reader) fail(err error) error {
	if r.ng {
		r.err = fmt.Errorf("read pcapng at offset %d: %w", r.off, err)
	} else {
		r.err = fmt.Errorf("read pcap at offset %d: %w", r.off, err)
	}
	return r.err
}

// peek returns the next n bytes. When the input ends first it returns what
// there is and a nil error; it returns an error only for a failed read.
func (r *Reader) peek(n int) ([]byte, error) {
	b, err := r.br.Peek(n)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return b, r.fail(err)
	}
	return b, nil
}

// readBig reads the n-byte record at the read position, too big for the
// read buffer, into r.big. When the input ends first it returns what there
// was with ok false. Either way the bytes are consumed. r.big grows with
// what arrives, not with n, so that a damaged length field cannot make the
// reader allocate much more than its input holds.
func (r *Reader) readBig(n int) (b []byte, ok bool, err error) {
	b = r.big[:0]
	for len(b) < n {
		if len(b) == cap(b) {
			nb := make([]byte, len(b), min(n, max(2*cap(b), r.br.Size())))
			copy(nb, b)
			b = nb
		}
		m, err := r.br.Read(b[len(b):min(n, cap(b))])
		b = b[:len(b)+m]
		r.off += int64(m)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, false, r.fail(err)
		}
	}
	r.big = b[:0]
	return b, len(b) == n, nil
}

// --- classic pcap ---

// pcapHeaderReason says what is wrong with a pcap record header's lengths,
// or returns "" when they are consistent.
func (r *Reader) pcapHeaderReason(caplen, origlen uint32) string {
	switch {
	case caplen > r.capLimit:
		if r.snaplen == r.capLimit {
			return fmt.Sprintf("captured length %d exceeds snaplen %d", caplen, r.snaplen)
		}
		return fmt.Sprintf("captured length %d exceeds %d, the most this reader accepts", caplen, r.capLimit)
	case caplen > origlen:
		return fmt.Sprintf("captured length %d exceeds original length %d", caplen, origlen)
	case origlen == 0:
		return "original length 0"
	}
	return ""
}

// pcapPlausible reports whether h looks like a record header stamped no
// earlier than resyncBackward before prev (0: any time).
func (r *Reader) pcapPlausible(h []byte, prev int64) bool {
	caplen, origlen := r.u32(h[8:]), r.u32(h[12:])
	if caplen > r.capLimit || caplen > origlen || origlen == 0 || origlen > maxSnaplen*4 {
		return false
	}
	frac := int64(r.u32(h[4:]))
	if frac*r.fracMul >= 1e9 {
		return false
	}
	t := int64(r.u32(h[0:]))*1e9 + frac*r.fracMul
	return prev == 0 || t >= prev-resyncBackward
}

func (r *Reader) nextPcap(rec *Record) error {
	if r.resync {
		if err := r.resyncPcap(); err != nil {
			return err
		}
	}
	off := r.off
	h, err := r.peek(pcapRecordHeaderLen)
	if err != nil {
		return err
	}
	if len(h) < pcapRecordHeaderLen {
		if len(h) == 0 {
			return io.EOF
		}
		r.discard(len(h))
		r.done = true
		return r.corrupt(off, "input ends inside the record header, after %d of 16 bytes", len(h))
	}
	sec, frac, caplen, origlen := r.u32(h[0:]), r.u32(h[4:]), r.u32(h[8:]), r.u32(h[12:])
	if reason := r.pcapHeaderReason(caplen, origlen); reason != "" {
		r.discard(1)
		r.resync = true
		return &CorruptError{Offset: off, Reason: reason}
	}
	n := pcapRecordHeaderLen + int(caplen)
	var b []byte
	if n <= r.br.Size() {
		if b, err = r.peek(n); err != nil {
			return err
		}
		if len(b) < n {
			// The end of the input, or a damaged length: look for
			// another record after this header, else it is the end.
			r.discard(1)
			r.resync = true
			return r.corrupt(off, "input ends inside the record: captured length %d, %d bytes left", caplen, len(b)-pcapRecordHeaderLen)
		}
		r.discard(n)
	} else {
		// Too big to check the next header before consuming it: a
		// damaged length here would swallow good records, so take only
		// a record whose header looks right in every field.
		if !r.pcapPlausible(h, r.lastTime) {
			r.discard(1)
			r.resync = true
			return r.corrupt(off, "captured length %d bigger than the read buffer, and time %d.%09d implausible", caplen, sec, int64(frac)*r.fracMul)
		}
		var ok bool
		if b, ok, err = r.readBig(n); err != nil {
			return err
		}
		if !ok {
			r.done = true
			return r.corrupt(off, "input ends inside the record: captured length %d, %d bytes left", caplen, max(len(b)-pcapRecordHeaderLen, 0))
		}
	}
	rec.Time = int64(sec)*1e9 + int64(frac)*r.fracMul
	rec.Data = b[pcapRecordHeaderLen:len(b):len(b)]
	rec.OrigLen = int(origlen)
	rec.LinkType = r.link
	rec.Offset = off
	r.lastTime = rec.Time
	return nil
}

// resyncPcap skips forward, byte by byte, to the next plausible record
// header: one with consistent lengths, a time not far before the last good
// record, and followed by another plausible header or the end of the input.
func (r *Reader) resyncPcap() error {
	for {
		h, err := r.peek(pcapRecordHeaderLen)
		if err != nil {
			return err
		}
		if len(h) < pcapRecordHeaderLen {
			r.discard(len(h)) // trailing garbage, already reported
			r.resync = false
			return nil
		}
		if r.pcapPlausible(h, r.lastTime) {
			end := pcapRecordHeaderLen + int(r.u32(h[8:]))
			if end+pcapRecordHeaderLen > r.br.Size() {
				break // too big to look past; take it on its header alone
			}
			b, err := r.peek(end + pcapRecordHeaderLen)
			if err != nil {
				return err
			}
			t := int64(r.u32(h[0:]))*1e9 + int64(r.u32(h[4:]))*r.fracMul
			if len(b) == end || len(b) > end && len(b) < end+pcapRecordHeaderLen ||
				len(b) == end+pcapRecordHeaderLen && r.pcapPlausible(b[end:], t) {
				break
			}
		}
		r.discard(1)
	}
	r.resync = false
	return nil
}

// --- pcapng ---

// readFirstSHB reads the section header block that starts a pcapng file.
func (r *Reader) readFirstSHB() error {
	h, err := r.peek(12)
	if err != nil {
		return err
	}
	if len(h) < 12 {
		return fmt.Errorf("read pcapng section header: %d of 12 bytes: %w", len(h), io.ErrUnexpectedEOF)
	}
	if reason := r.shbReason(h); reason != "" {
		return fmt.Errorf("read pcapng section header: %s", reason)
	}
	n := int(r.u32(h[4:]))
	var blk []byte
	if n <= r.br.Size() {
		if blk, err = r.peek(n); err != nil {
			return err
		}
		r.discard(len(blk))
	} else if blk, _, err = r.readBig(n); err != nil {
		return err
	}
	if len(blk) < n {
		return fmt.Errorf("read pcapng section header: input ends inside the block: %w", io.ErrUnexpectedEOF)
	}
	if reason := r.section(blk); reason != "" {
		return fmt.Errorf("read pcapng section header: %s", reason)
	}
	return nil
}

// shbReason checks the first 12 bytes of a section header block and sets the
// byte order from them; it says what is wrong or returns "".
func (r *Reader) shbReason(h []byte) string {
	switch binary.LittleEndian.Uint32(h[8:]) {
	case byteOrderMagic:
		r.be = false
	case bits.ReverseBytes32(byteOrderMagic):
		r.be = true
	default:
		return fmt.Sprintf("byte-order magic %x, want 1a2b3c4d in either order", h[8:12])
	}
	if n := r.u32(h[4:]); n < 28 || n%4 != 0 || n > maxBlockLen {
		return fmt.Sprintf("section header block length %d", n)
	}
	return ""
}

// section starts a new section from its complete header block.
func (r *Reader) section(blk []byte) string {
	n := len(blk)
	if t := r.u32(blk[n-4:]); t != uint32(n) {
		return fmt.Sprintf("block length %d at the start but %d at the end", n, t)
	}
	if major := r.u16(blk[12:]); major != 1 {
		return fmt.Sprintf("section version %d.%d, want 1.x", major, r.u16(blk[14:]))
	}
	r.ifaces = r.ifaces[:0]
	return ""
}

// blockPlausible reports whether h, at least 12 bytes, starts a block this
// reader would accept: a known type, a sane length and, for packet blocks,
// a known interface. It does not check the trailing length.
func (r *Reader) blockPlausible(h []byte) bool {
	typ := r.u32(h)
	if typ == blockSHB {
		be := r.be
		ok := r.shbReason(h) == ""
		r.be = be
		return ok
	}
	n := r.u32(h[4:])
	if n < 12 || n%4 != 0 || n > maxBlockLen {
		return false
	}
	switch typ {
	case blockIDB, blockNRB, blockDSB, blockCustom, blockCustomNoC:
		return true
	case blockISB:
		return n >= 24 && r.u32(h[8:]) < uint32(len(r.ifaces))
	case blockEPB:
		return n >= 32 && r.u32(h[8:]) < uint32(len(r.ifaces))
	case blockPB:
		return n >= 32 && uint32(r.u16(h[8:])) < uint32(len(r.ifaces))
	case blockSPB:
		return n >= 16 && len(r.ifaces) > 0
	}
	return false
}

func (r *Reader) nextBlock(rec *Record) error {
	for {
		if r.resync {
			if err := r.resyncBlocks(); err != nil {
				return err
			}
		}
		off := r.off
		h, err := r.peek(12)
		if err != nil {
			return err
		}
		if len(h) < 12 {
			if len(h) == 0 {
				return io.EOF
			}
			r.discard(len(h))
			r.done = true
			return r.corrupt(off, "input ends inside the block header, after %d of 12 bytes", len(h))
		}
		typ := r.u32(h)
		be := r.be
		if typ == blockSHB {
			if reason := r.shbReason(h); reason != "" {
				r.be = be
				return r.skipCorrupt(off, reason)
			}
		}
		n := int(r.u32(h[4:]))
		if n < 12 || n%4 != 0 || n > maxBlockLen {
			r.be = be
			return r.skipCorrupt(off, fmt.Sprintf("block type %#x: length %d", typ, n))
		}
		var blk []byte
		if n <= r.br.Size() {
			if blk, err = r.peek(n); err != nil {
				return err
			}
			if len(blk) < n {
				// The end of the input, or a damaged length: look for
				// another block after this header, else it is the end.
				r.be = be
				return r.skipCorrupt(off, fmt.Sprintf("input ends inside the block: type %#x, length %d, %d bytes left", typ, n, len(blk)))
			}
			if t := int(r.u32(blk[n-4:])); t != n {
				r.be = be
				return r.skipCorrupt(off, fmt.Sprintf("block type %#x: length %d at the start but %d at the end", typ, n, t))
			}
			r.discard(n)
		} else {
			// Too big to check before consuming it: a damaged length
			// here would swallow good blocks, so take only a block
			// that looks right.
			if !r.blockPlausible(h) {
				r.be = be
				return r.skipCorrupt(off, fmt.Sprintf("block type %#x: length %d bigger than the read buffer, and not a plausible block", typ, n))
			}
			var ok bool
			if blk, ok, err = r.readBig(n); err != nil {
				return err
			}
			if !ok {
				r.done = true
				return r.corrupt(off, "input ends inside the block: type %#x, length %d, %d bytes left", typ, n, len(blk))
			}
			if t := int(r.u32(blk[n-4:])); t != n {
				// The block is consumed: resynchronise after it.
				r.be = be
				r.resync = true
				return r.corrupt(off, "block type %#x: length %d at the start but %d at the end", typ, n, t)
			}
		}
		switch typ {
		case blockSHB:
			if reason := r.section(blk); reason != "" {
				r.be = be
				return r.corrupt(off, "%s", reason)
			}
		case blockIDB:
			if reason := r.addInterface(blk); reason != "" {
				return r.corrupt(off, "%s", reason)
			}
		case blockEPB, blockPB:
			return r.packetBlock(rec, blk, typ, off)
		case blockSPB:
			return r.simplePacketBlock(rec, blk, off)
		}
		// Other blocks carry nothing the engine uses.
	}
}

// skipCorrupt reports a corrupt block whose header was not consumed and
// sets the reader to resynchronise one byte further on.
func (r *Reader) skipCorrupt(off int64, reason string) error {
	r.discard(1)
	r.resync = true
	return r.corrupt(off, "%s", reason)
}

// addInterface adds the interface an interface description block describes.
func (r *Reader) addInterface(blk []byte) string {
	if len(blk) < 20 {
		return fmt.Sprintf("interface description block length %d < 20", len(blk))
	}
	f := iface{link: packet.LinkType(r.u16(blk[8:])), snaplen: r.u32(blk[12:]), mul: 1000, div: 1}
	opts := blk[16 : len(blk)-4]
	for len(opts) >= 4 {
		code, n := r.u16(opts), int(r.u16(opts[2:]))
		if code == 0 || 4+n > len(opts) {
			break // end of options, or a damaged one: keep what is known
		}
		v := opts[4 : 4+n]
		switch {
		case code == 9 && n == 1: // if_tsresol
			res := v[0]
			if res&0x80 != 0 {
				f.shift = res & 0x7f
				f.mul, f.div = 1, 1
				if f.shift == 0 {
					f.mul = 1e9 // 2^0: seconds
				}
			} else {
				f.mul, f.div = 1, 1
				e := int(res)
				for ; e < 9; e++ {
					f.mul *= 10
				}
				for ; e > 9 && f.div <= 1e18; e-- {
					f.div *= 10
				}
			}
		case code == 14 && n == 8: // if_tsoffset, seconds
			if r.be {
				f.offset = int64(binary.BigEndian.Uint64(v)) * 1e9
			} else {
				f.offset = int64(binary.LittleEndian.Uint64(v)) * 1e9
			}
		}
		opts = opts[4+(n+3)&^3:]
	}
	r.ifaces = append(r.ifaces, f)
	return ""
}

// packetBlock fills rec from an enhanced packet block or an obsolete packet
// block; their layouts differ only in the interface ID's width.
func (r *Reader) packetBlock(rec *Record, blk []byte, typ uint32, off int64) error {
	if len(blk) < 32 {
		return r.corrupt(off, "packet block length %d < 32", len(blk))
	}
	id := r.u32(blk[8:])
	if typ == blockPB {
		id = uint32(r.u16(blk[8:]))
	}
	if id >= uint32(len(r.ifaces)) {
		return r.corrupt(off, "packet block for interface %d, but %d interfaces described", id, len(r.ifaces))
	}
	caplen, origlen := r.u32(blk[20:]), r.u32(blk[24:])
	if uint64(caplen) > uint64(len(blk)-32) {
		return r.corrupt(off, "captured length %d exceeds block body of %d bytes", caplen, len(blk)-32)
	}
	f := &r.ifaces[id]
	rec.Time = f.nanos(uint64(r.u32(blk[12:]))<<32 | uint64(r.u32(blk[16:])))
	rec.Data = blk[28 : 28+caplen : 28+caplen]
	rec.OrigLen = int(origlen)
	rec.LinkType = f.link
	rec.Offset = off
	r.lastTime = rec.Time
	return nil
}

// simplePacketBlock fills rec from a simple packet block, which belongs to
// interface 0 and carries no time: rec.Time is that of the record before.
func (r *Reader) simplePacketBlock(rec *Record, blk []byte, off int64) error {
	if len(blk) < 16 {
		return r.corrupt(off, "simple packet block length %d < 16", len(blk))
	}
	if len(r.ifaces) == 0 {
		return r.corrupt(off, "simple packet block, but no interface described")
	}
	f := &r.ifaces[0]
	origlen := r.u32(blk[8:])
	caplen := min(origlen, uint32(len(blk)-16))
	if f.snaplen != 0 {
		caplen = min(caplen, f.snaplen)
	}
	rec.Time = r.lastTime
	rec.Data = blk[12 : 12+caplen : 12+caplen]
	rec.OrigLen = int(origlen)
	rec.LinkType = f.link
	rec.Offset = off
	return nil
}

// resyncBlocks skips forward, byte by byte, to the next plausible block: a
// known type with a sane length that agrees with its trailing copy.
func (r *Reader) resyncBlocks() error {
	for {
		h, err := r.peek(12)
		if err != nil {
			return err
		}
		if len(h) < 12 {
			r.discard(len(h)) // trailing garbage, already reported
			break
		}
		if r.blockPlausible(h) {
			be := r.be
			if r.u32(h) == blockSHB {
				r.shbReason(h) // the byte order of the new section
			}
			n := int(r.u32(h[4:]))
			if n > r.br.Size() {
				r.be = be
				break // too big to look at whole; take it on its header alone
			}
			b, err := r.peek(n)
			if err != nil {
				return err
			}
			ok := len(b) == n && r.u32(b[n-4:]) == uint32(n)
			r.be = be
			if ok {
				break
			}
		}
		r.discard(1)
	}
	r.resync = false
	return nil
}
