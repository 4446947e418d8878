package capture_test

import (
	"encoding/binary"
	"errors"
	"io"
	"testing"

	"github.com/acd-platform/acd/internal/selection/capture"
	"github.com/acd-platform/acd/internal/selection/packet"
)

// Builders of pcap and pcapng files for the tests, in either byte order,
// each remembering the offsets of the records it wrote.

// pcapFile builds a classic pcap file.
type pcapFile struct {
	o    binary.AppendByteOrder
	nano bool
	b    []byte
	offs []int64 // offset of each record
}

func newPcap(o binary.AppendByteOrder, nano bool, snaplen uint32, link packet.LinkType) *pcapFile {
	f := &pcapFile{o: o, nano: nano}
	magic := uint32(0xa1b2c3d4)
	if nano {
		magic = 0xa1b23c4d
	}
	f.b = o.AppendUint32(f.b, magic)
	f.b = o.AppendUint16(f.b, 2)
	f.b = o.AppendUint16(f.b, 4)
	f.b = append(f.b, make([]byte, 8)...)
	f.b = o.AppendUint32(f.b, snaplen)
	f.b = o.AppendUint32(f.b, uint32(link))
	return f
}

// record appends a record with the given header fields; frac is in the
// file's sub-second unit.
func (f *pcapFile) record(sec, frac, caplen, origlen uint32, data []byte) *pcapFile {
	f.offs = append(f.offs, int64(len(f.b)))
	f.b = f.o.AppendUint32(f.b, sec)
	f.b = f.o.AppendUint32(f.b, frac)
	f.b = f.o.AppendUint32(f.b, caplen)
	f.b = f.o.AppendUint32(f.b, origlen)
	f.b = append(f.b, data...)
	return f
}

// add appends a consistent record.
func (f *pcapFile) add(sec, frac uint32, data []byte) *pcapFile {
	return f.record(sec, frac, uint32(len(data)), uint32(len(data)), data)
}

// ngFile builds a pcapng file, section by section.
type ngFile struct {
	o    binary.AppendByteOrder
	b    []byte
	offs []int64 // offset of each block
}

// block appends a block with body padded to 4 bytes.
func (f *ngFile) block(typ uint32, body []byte) *ngFile {
	for len(body)%4 != 0 {
		body = append(body, 0)
	}
	f.offs = append(f.offs, int64(len(f.b)))
	n := uint32(12 + len(body))
	f.b = f.o.AppendUint32(f.b, typ)
	f.b = f.o.AppendUint32(f.b, n)
	f.b = append(f.b, body...)
	f.b = f.o.AppendUint32(f.b, n)
	return f
}

// shb starts a section in byte order o.
func (f *ngFile) shb(o binary.AppendByteOrder) *ngFile {
	f.o = o
	body := o.AppendUint32(nil, 0x1A2B3C4D)
	body = o.AppendUint16(body, 1)
	body = o.AppendUint16(body, 0)
	body = o.AppendUint64(body, ^uint64(0)) // section length unknown
	body = append(body, f.opt(2, []byte("test hardware"))...)
	body = append(body, f.opt(0, nil)...)
	return f.block(0x0A0D0D0A, body)
}

// opt encodes one option, padded.
func (f *ngFile) opt(code uint16, v []byte) []byte {
	b := f.o.AppendUint16(nil, code)
	b = f.o.AppendUint16(b, uint16(len(v)))
	b = append(b, v...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

// idb describes an interface; opts are encoded options.
func (f *ngFile) idb(link packet.LinkType, snaplen uint32, opts ...[]byte) *ngFile {
	body := f.o.AppendUint16(nil, uint16(link))
	body = f.o.AppendUint16(body, 0)
	body = f.o.AppendUint32(body, snaplen)
	for _, o := range opts {
		body = append(body, o...)
	}
	if len(opts) > 0 {
		body = append(body, f.opt(0, nil)...)
	}
	return f.block(1, body)
}

// epb appends an enhanced packet block with a comment option.
func (f *ngFile) epb(id uint32, ts uint64, data []byte, origlen uint32) *ngFile {
	body := f.o.AppendUint32(nil, id)
	body = f.o.AppendUint32(body, uint32(ts>>32))
	body = f.o.AppendUint32(body, uint32(ts))
	body = f.o.AppendUint32(body, uint32(len(data)))
	body = f.o.AppendUint32(body, origlen)
	body = append(body, data...)
	for len(body)%4 != 0 {
		body = append(body, 0)
	}
	body = append(body, f.opt(1, []byte("a comment"))...)
	body = append(body, f.opt(0, nil)...)
	return f.block(6, body)
}

// pb appends an obsolete packet block.
func (f *ngFile) pb(id uint16, ts uint64, data []byte, origlen uint32) *ngFile {
	body := f.o.AppendUint16(nil, id)
	body = f.o.AppendUint16(body, 0) // drops
	body = f.o.AppendUint32(body, uint32(ts>>32))
	body = f.o.AppendUint32(body, uint32(ts))
	body = f.o.AppendUint32(body, uint32(len(data)))
	body = f.o.AppendUint32(body, origlen)
	return f.block(2, append(body, data...))
}

// spb appends a simple packet block.
func (f *ngFile) spb(data []byte, origlen uint32) *ngFile {
	return f.block(3, append(f.o.AppendUint32(nil, origlen), data...))
}

// frame returns n bytes that stand for a captured frame, distinct per seed.
func frame(seed byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = seed + byte(i)
	}
	return b
}

// result is one outcome of Next: a record (with its data copied) or an error.
type result struct {
	Rec capture.Record
	Err string // Error() of a *CorruptError; "" for a record
}

// readAll calls Next until io.EOF and returns every outcome. It fails the
// test on an error that is not a *CorruptError, on record offsets that do
// not increase, and on more calls than the input has bytes.
func readAll(t testing.TB, input []byte) []result {
	t.Helper()
	return readAllSize(t, input, 0)
}

// readAllSize is readAll with a read buffer of size bytes (0: the default).
func readAllSize(t testing.TB, input []byte, size int) []result {
	t.Helper()
	var r *capture.Reader
	var err error
	if size == 0 {
		r, err = capture.NewReader(bytesReader(input))
	} else {
		r, err = capture.NewReaderSize(bytesReader(input), size)
	}
	if err != nil {
		t.Fatalf("NewReader: %v", err)
	}
	var out []result
	last := int64(-1)
	for range len(input) + 2 {
		var rec capture.Record
		err := r.Next(&rec)
		if err == io.EOF {
			if got := r.Offset(); got != int64(len(input)) {
				t.Errorf("Offset at EOF: got %d, want %d", got, len(input))
			}
			return out
		}
		var ce *capture.CorruptError
		switch {
		case errors.As(err, &ce):
			if ce.Offset <= last {
				t.Errorf("corrupt offset %d after offset %d", ce.Offset, last)
			}
			last = ce.Offset
			out = append(out, result{Err: err.Error()})
		case err != nil:
			t.Fatalf("Next: %v", err)
		default:
			if rec.Offset <= last {
				t.Errorf("record offset %d after offset %d", rec.Offset, last)
			}
			last = rec.Offset
			rec.Data = append([]byte{}, rec.Data...)
			out = append(out, result{Rec: rec})
		}
	}
	t.Fatalf("Next did not reach io.EOF")
	return nil
}

// rec is short for a record result.
func rec(time int64, data []byte, origLen int, link packet.LinkType, off int64) result {
	return result{Rec: capture.Record{Time: time, Data: data, OrigLen: origLen, LinkType: link, Offset: off}}
}
