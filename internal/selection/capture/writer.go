package capture

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/acd-platform/acd/internal/selection/packet"
)

// Classic pcap magic numbers, as read in the file's own byte order.
const (
	magicMicro = 0xa1b2c3d4 // timestamps in microseconds
	magicNano  = 0xa1b23c4d // timestamps in nanoseconds
)

const (
	pcapFileHeaderLen   = 24
	pcapRecordHeaderLen = 16

	// DefaultSnaplen is the snapshot length NewWriter uses when given 0, the
	// largest a pcap reader such as libpcap accepts for Ethernet.
	DefaultSnaplen = 262144

	// maxSnaplen bounds every captured length this package writes or reads.
	maxSnaplen = 16 << 20
)

// Writer writes classic pcap files with nanosecond timestamps in little-endian
// byte order. It buffers its output: call Flush when done. A Writer is not
// safe for concurrent use.
type Writer struct {
	bw      *bufio.Writer
	snaplen int
	hdr     [pcapRecordHeaderLen]byte // scratch for record headers, so WritePacket does not allocate
}

// NewWriter writes a pcap file header for link-layer type link and snapshot
// length snaplen (0 means DefaultSnaplen) to w and returns a Writer for the
// records that follow.
func NewWriter(w io.Writer, link packet.LinkType, snaplen int) (*Writer, error) {
	if snaplen == 0 {
		snaplen = DefaultSnaplen
	}
	if snaplen < 0 || snaplen > maxSnaplen {
		return nil, fmt.Errorf("new pcap writer: snaplen %d out of range 1..%d", snaplen, maxSnaplen)
	}
	pw := &Writer{bw: bufio.NewWriterSize(w, 256<<10), snaplen: snaplen}
	var h [pcapFileHeaderLen]byte
	le := binary.LittleEndian
	le.PutUint32(h[0:], magicNano)
	le.PutUint16(h[4:], 2) // version 2.4
	le.PutUint16(h[6:], 4)
	// h[8:16]: thiszone and sigfigs, both 0
	le.PutUint32(h[16:], uint32(snaplen))
	le.PutUint32(h[20:], uint32(link))
	if _, err := pw.bw.Write(h[:]); err != nil {
		return nil, fmt.Errorf("write pcap file header: %w", err)
	}
	return pw, nil
}

// maxPcapTime is the latest time a pcap record header can hold: its seconds
// field is an unsigned 32-bit number.
const maxPcapTime = (1<<32)*1e9 - 1

var (
	errTimeRange = errors.New("write pcap record: timestamp outside 1970..2106")
	errOrigLen   = errors.New("write pcap record: original length less than data length or 0")
)

// WritePacket appends one record captured at tsNanos (Unix nanoseconds) whose
// frame was origLen bytes on the wire and of which data was captured. Data
// beyond the snapshot length is cut off, as a capture would; origLen must be
// at least len(data) and at least 1 (a Reader takes a record of original
// length 0 for damage). WritePacket does not keep data and does not allocate.
func (w *Writer) WritePacket(tsNanos int64, data []byte, origLen int) error {
	if tsNanos < 0 || tsNanos > maxPcapTime {
		return errTimeRange
	}
	if origLen < len(data) || origLen < 1 || origLen > 1<<32-1 {
		return errOrigLen
	}
	if len(data) > w.snaplen {
		data = data[:w.snaplen]
	}
	le := binary.LittleEndian
	le.PutUint32(w.hdr[0:], uint32(tsNanos/1e9))
	le.PutUint32(w.hdr[4:], uint32(tsNanos%1e9))
	le.PutUint32(w.hdr[8:], uint32(len(data)))
	le.PutUint32(w.hdr[12:], uint32(origLen))
	if _, err := w.bw.Write(w.hdr[:]); err != nil {
		return fmt.Errorf("write pcap record: %w", err)
	}
	if _, err := w.bw.Write(data); err != nil {
		return fmt.Errorf("write pcap record: %w", err)
	}
	return nil
}

// Flush writes any buffered records to the underlying writer.
func (w *Writer) Flush() error {
	if err := w.bw.Flush(); err != nil {
		return fmt.Errorf("flush pcap writer: %w", err)
	}
	return nil
}
