package capture_test

import (
	"bytes"
	"encoding/binary"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/selection/capture"
	"github.com/acd-platform/acd/internal/selection/packet"
)

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

var (
	le = binary.LittleEndian
	be = binary.BigEndian
)

const t0 = 1_700_000_000 // a Unix time in seconds for the tests' records

func TestReaderPcapFormats(t *testing.T) {
	tests := []struct {
		name string
		o    binary.AppendByteOrder
		nano bool
	}{
		{"little-endian microseconds", le, false}, // libpcap's default on x86
		{"little-endian nanoseconds", le, true},
		{"big-endian microseconds", be, false}, // written on SPARC, PowerPC
		{"big-endian nanoseconds", be, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newPcap(tt.o, tt.nano, 65535, packet.LinkRaw)
			f.add(t0, 999_999, frame(1, 40))
			f.record(t0+1, 5, 30, 1500, frame(2, 30))
			unit := int64(1000)
			if tt.nano {
				unit = 1
			}
			want := []result{
				rec(t0*1e9+999_999*unit, frame(1, 40), 40, packet.LinkRaw, 24),
				rec((t0+1)*1e9+5*unit, frame(2, 30), 1500, packet.LinkRaw, 24+16+40),
			}
			if diff := cmp.Diff(want, readAll(t, f.b)); diff != "" {
				t.Errorf("records (-want +got):\n%s", diff)
			}
			r, err := capture.NewReader(bytesReader(f.b))
			if err != nil {
				t.Fatal(err)
			}
			if got := r.LinkType(); got != packet.LinkRaw {
				t.Errorf("LinkType: got %v, want %v", got, packet.LinkRaw)
			}
			if got := r.Snaplen(); got != 65535 {
				t.Errorf("Snaplen: got %d, want 65535", got)
			}
		})
	}
}

// TestReaderPcapLinkTypeFCSBits checks that the FCS bits in the upper half of
// the link type field are not taken for part of the type.
func TestReaderPcapLinkTypeFCSBits(t *testing.T) {
	f := newPcap(le, true, 65535, packet.LinkEthernet)
	le.PutUint32(f.b[20:], 1<<28|1<<26|uint32(packet.LinkEthernet))
	r, err := capture.NewReader(bytesReader(f.b))
	if err != nil {
		t.Fatal(err)
	}
	if got := r.LinkType(); got != packet.LinkEthernet {
		t.Errorf("LinkType: got %v, want %v", got, packet.LinkEthernet)
	}
}

func TestWriterReaderRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	w, err := capture.NewWriter(&buf, packet.LinkLinuxSLL2, 4<<20)
	if err != nil {
		t.Fatal(err)
	}
	var want []result
	off := int64(24)
	add := func(ts int64, data []byte, origLen int) {
		t.Helper()
		if err := w.WritePacket(ts, data, origLen); err != nil {
			t.Fatal(err)
		}
		want = append(want, rec(ts, data, origLen, packet.LinkLinuxSLL2, off))
		off += 16 + int64(len(data))
	}
	for i := range 1000 {
		add(t0*1e9+int64(i)*1_234_567, frame(byte(i), 1+i*7%1600), 1+i*7%1600+i%3)
	}
	add(t0*1e9, frame(7, 3<<20), 3<<20) // bigger than the read buffer
	add(t0*1e9, nil, 1)                 // nothing captured
	add(0, frame(9, 10), 10)            // the epoch
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	// HalfReader makes the reader cope with short reads of its input.
	r, err := capture.NewReader(iotest.HalfReader(bytes.NewReader(buf.Bytes())))
	if err != nil {
		t.Fatal(err)
	}
	var got []result
	for {
		var rc capture.Record
		if err := r.Next(&rc); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		rc.Data = append([]byte{}, rc.Data...)
		got = append(got, result{Rec: rc})
	}
	// Comparing 3 MiB of data with cmp's reporter is slow: bytes.Equal.
	if diff := cmp.Diff(want, got, cmp.Comparer(bytes.Equal)); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
}

func TestWriterSnaplen(t *testing.T) {
	var buf bytes.Buffer
	w, err := capture.NewWriter(&buf, packet.LinkEthernet, 64)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WritePacket(5, frame(0, 100), 1500); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	want := []result{rec(5, frame(0, 64), 1500, packet.LinkEthernet, 24)}
	if diff := cmp.Diff(want, readAll(t, buf.Bytes())); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
}

func TestReaderPcapng(t *testing.T) {
	var f ngFile
	// Section 1, little-endian: an Ethernet interface with the default
	// microsecond resolution and a raw IP one with nanoseconds.
	f.shb(le)
	f.idb(packet.LinkEthernet, 0)
	f.idb(packet.LinkRaw, 65535, f.opt(2, []byte("eth1")), f.opt(9, []byte{9}))
	f.block(4, le.AppendUint32(nil, 0)) // name resolution: skipped
	f.epb(0, t0*1e6+123_456, frame(1, 61), 61)
	f.block(5, make([]byte, 12)) // interface statistics: skipped
	f.epb(1, t0*1e9+123_456_789, frame(2, 40), 1400)
	f.block(0x00000BAD, []byte("PEN!custom")) // custom: skipped
	f.block(0x99, []byte{1, 2, 3})            // unknown: skipped
	f.pb(0, t0*1e6+7, frame(3, 20), 20)
	f.spb(frame(4, 30), 30) // no time: the previous record's
	sec1 := f.offs
	// Section 2, big-endian: interface IDs start again. A Linux cooked
	// interface with a 2^-20 s resolution and an offset of t0 seconds.
	f.offs = nil
	f.shb(be)
	f.idb(packet.LinkLinuxSLL, 0, f.opt(9, []byte{0x80 | 20}), f.opt(14, be.AppendUint64(nil, t0)))
	f.epb(0, 5<<20|1<<19, frame(5, 50), 50) // 5.5 s
	f.block(0x0000000A, make([]byte, 8))    // decryption secrets: skipped
	sec2 := f.offs

	want := []result{
		rec(t0*1e9+123_456_000, frame(1, 61), 61, packet.LinkEthernet, sec1[4]),
		rec(t0*1e9+123_456_789, frame(2, 40), 1400, packet.LinkRaw, sec1[6]),
		rec(t0*1e9+7000, frame(3, 20), 20, packet.LinkEthernet, sec1[9]),
		rec(t0*1e9+7000, frame(4, 30), 30, packet.LinkEthernet, sec1[10]),
		rec(t0*1e9+5_500_000_000, frame(5, 50), 50, packet.LinkLinuxSLL, sec2[2]),
	}
	if diff := cmp.Diff(want, readAll(t, f.b)); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
}

func TestReaderPcapngTimeResolutions(t *testing.T) {
	tests := []struct {
		name    string
		tsresol byte
		ts      uint64
		want    int64
	}{
		{"seconds", 0, t0, t0 * 1e9},
		{"milliseconds", 3, t0*1e3 + 1, t0*1e9 + 1e6},
		{"picoseconds", 12, 1000*1e12 + 1500, 1000*1e9 + 1},
		{"2^-10 s", 0x80 | 10, 3 << 9, 1_500_000_000},        // 1.5 s
		{"2^-32 s", 0x80 | 32, 1<<32 + 1<<31, 1_500_000_000}, // NTP-like fractions
		{"2^-0 s", 0x80, 7, 7e9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f ngFile
			f.shb(le)
			f.idb(packet.LinkEthernet, 0, f.opt(9, []byte{tt.tsresol}))
			f.epb(0, tt.ts, frame(0, 14), 14)
			got := readAll(t, f.b)
			if len(got) != 1 || got[0].Err != "" {
				t.Fatalf("got %+v, want one record", got)
			}
			if got[0].Rec.Time != tt.want {
				t.Errorf("Time: got %d, want %d", got[0].Rec.Time, tt.want)
			}
		})
	}
}

// sameErrorPlace compares error results by the offset they name only.
var sameErrorPlace = cmp.Comparer(func(a, b result) bool {
	if a.Err == "" || b.Err == "" {
		return cmp.Equal(a, b)
	}
	place := func(s string) string { return s[:strings.Index(s, ":")] }
	return place(a.Err) == place(b.Err)
})

func TestReaderCorruptPcap(t *testing.T) {
	// base returns a nanosecond pcap file with records 0..n-1.
	data := func(i int) []byte { return frame(byte(i*10), 60+i) }
	base := func() *pcapFile { return newPcap(le, true, 65535, packet.LinkEthernet) }
	addN := func(f *pcapFile, from, to int) {
		for i := from; i < to; i++ {
			f.add(t0+uint32(i), 0, data(i))
		}
	}
	r := func(f *pcapFile, i, at int) result {
		return rec((t0+int64(i))*1e9, data(i), 60+i, packet.LinkEthernet, f.offs[at])
	}
	tests := []struct {
		name  string
		build func() (*pcapFile, []result)
		// onlyBig: a record bigger than the read buffer is taken only
		// if its time is plausible too, so skip the run with a small one.
		onlyBig bool
	}{
		{"bad caplen mid-file", func() (*pcapFile, []result) {
			// Record 2 claims 70000 captured bytes.
			f := base()
			addN(f, 0, 2)
			f.record(t0+2, 0, 70000, 70000, data(2))
			addN(f, 3, 5)
			return f, []result{r(f, 0, 0), r(f, 1, 1),
				{Err: "pcap record at offset 177: captured length 70000 exceeds snaplen 65535"},
				r(f, 3, 3), r(f, 4, 4)}
		}, false},
		{"caplen above origlen", func() (*pcapFile, []result) {
			f := base()
			addN(f, 0, 2)
			f.record(t0+2, 0, 62, 50, data(2))
			addN(f, 3, 5)
			return f, []result{r(f, 0, 0), r(f, 1, 1),
				{Err: "pcap record at offset 177: captured length 62 exceeds original length 50"},
				r(f, 3, 3), r(f, 4, 4)}
		}, false},
		{"truncated last record", func() (*pcapFile, []result) {
			f := base()
			addN(f, 0, 5)
			f.b = f.b[:len(f.b)-10]
			return f, []result{r(f, 0, 0), r(f, 1, 1), r(f, 2, 2), r(f, 3, 3),
				{Err: "pcap record at offset 334: input ends inside the record: captured length 64, 54 bytes left"}}
		}, false},
		{"truncated record header", func() (*pcapFile, []result) {
			f := base()
			addN(f, 0, 2)
			f.b = append(f.b, 1, 2, 3, 4, 5, 6, 7)
			return f, []result{r(f, 0, 0), r(f, 1, 1),
				{Err: "pcap record at offset 177: input ends inside the record header, after 7 of 16 bytes"}}
		}, false},
		{"garbage between records", func() (*pcapFile, []result) {
			f := base()
			addN(f, 0, 2)
			f.b = append(f.b, bytes.Repeat([]byte{0xff}, 37)...)
			addN(f, 2, 5)
			return f, []result{r(f, 0, 0), r(f, 1, 1),
				{Err: "pcap record at offset 177: captured length 4294967295 exceeds snaplen 65535"},
				r(f, 2, 2), r(f, 3, 3), r(f, 4, 4)}
		}, false},
		{"zeroed region", func() (*pcapFile, []result) {
			// What a crash can leave in a preallocated file.
			f := base()
			addN(f, 0, 2)
			f.b = append(f.b, make([]byte, 100)...)
			addN(f, 2, 3)
			return f, []result{r(f, 0, 0), r(f, 1, 1),
				{Err: "pcap record at offset 177: original length 0"}, r(f, 2, 2)}
		}, false},
		{"garbage after the last record", func() (*pcapFile, []result) {
			f := base()
			addN(f, 0, 2)
			f.b = append(f.b, bytes.Repeat([]byte{0xee}, 40)...)
			return f, []result{r(f, 0, 0), r(f, 1, 1),
				{Err: "pcap record at offset 177: captured length 4008636142 exceeds snaplen 65535"}}
		}, false},
		{"time going backwards", func() (*pcapFile, []result) {
			// Not corrupt: merged captures and clock steps do this.
			f := base()
			addN(f, 0, 1)
			f.add(1, 0, data(1))
			return f, []result{r(f, 0, 0), rec(1e9, data(1), 61, packet.LinkEthernet, f.offs[1])}
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, want := tt.build()
			if diff := cmp.Diff(want, readAll(t, f.b)); diff != "" {
				t.Errorf("results (-want +got):\n%s", diff)
			}
			if tt.onlyBig {
				return
			}
			// With a read buffer smaller than the records, which then
			// take the path for big records: the same records, and
			// errors in the same places, if not always for the same
			// reason.
			if diff := cmp.Diff(want, readAllSize(t, f.b, 64), sameErrorPlace); diff != "" {
				t.Errorf("results with a 64-byte buffer (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReaderCorruptPcapng(t *testing.T) {
	data := func(i int) []byte { return frame(byte(i*10), 60+i) }
	// base returns a file with a section header, an interface and blocks
	// 2..2+n-1 holding packets 0..n-1.
	base := func() *ngFile {
		var f ngFile
		f.shb(le)
		f.idb(packet.LinkEthernet, 0)
		return &f
	}
	addN := func(f *ngFile, from, to int) {
		for i := from; i < to; i++ {
			f.epb(0, uint64(t0+i)*1e6, data(i), uint32(60+i))
		}
	}
	r := func(f *ngFile, i, block int) result {
		return rec((t0+int64(i))*1e9, data(i), 60+i, packet.LinkEthernet, f.offs[block])
	}
	tests := []struct {
		name  string
		build func() (*ngFile, []result)
	}{
		{"lengths disagree", func() (*ngFile, []result) {
			f := base()
			addN(f, 0, 4)
			end := f.offs[5] - 4
			le.PutUint32(f.b[end:], 1234)
			return f, []result{r(f, 0, 2), r(f, 1, 3),
				{Err: "pcapng block at offset 300: block type 0x6: length 116 at the start but 1234 at the end"},
				r(f, 3, 5)}
		}},
		{"length not a multiple of 4", func() (*ngFile, []result) {
			f := base()
			addN(f, 0, 4)
			le.PutUint32(f.b[f.offs[4]+4:], 117)
			return f, []result{r(f, 0, 2), r(f, 1, 3),
				{Err: "pcapng block at offset 300: block type 0x6: length 117"},
				r(f, 3, 5)}
		}},
		{"garbage between blocks", func() (*ngFile, []result) {
			f := base()
			addN(f, 0, 2)
			f.b = append(f.b, bytes.Repeat([]byte{0xee}, 13)...)
			addN(f, 2, 4)
			return f, []result{r(f, 0, 2), r(f, 1, 3),
				{Err: "pcapng block at offset 300: block type 0xeeeeeeee: length 4008636142"},
				r(f, 2, 4), r(f, 3, 5)}
		}},
		{"garbage before a section header", func() (*ngFile, []result) {
			// The next section is big-endian: resynchronisation finds
			// its header in the other byte order.
			f := base()
			addN(f, 0, 1)
			f.b = append(f.b, 0xee, 0xee, 0xee)
			f.shb(be)
			f.idb(packet.LinkRaw, 0)
			f.epb(0, (t0+1)*1e6, data(1), 61)
			return f, []result{r(f, 0, 2),
				{Err: "pcapng block at offset 184: block type 0xaeeeeee: length 658701"},
				rec((t0+1)*1e9, data(1), 61, packet.LinkRaw, f.offs[5])}
		}},
		{"garbage before other packet blocks", func() (*ngFile, []result) {
			f := base()
			addN(f, 0, 1)
			f.b = append(f.b, 0xee)
			f.pb(0, (t0+1)*1e6, data(1), 61)
			f.b = append(f.b, 0xee)
			f.block(5, make([]byte, 12)) // interface statistics
			f.b = append(f.b, 0xee)
			f.spb(data(2), 62)
			return f, []result{r(f, 0, 2),
				{Err: "pcapng block at offset 184: input ends inside the block: type 0x2ee, length 24576, 203 bytes left"},
				r(f, 1, 3),
				{Err: "pcapng block at offset 281: input ends inside the block: type 0x5ee, length 6144, 106 bytes left"},
				{Err: "pcapng block at offset 306: input ends inside the block: type 0x3ee, length 20480, 81 bytes left"},
				rec((t0+1)*1e9, data(2), 62, packet.LinkEthernet, f.offs[5])}
		}},
		{"truncated last block", func() (*ngFile, []result) {
			f := base()
			addN(f, 0, 3)
			f.b = f.b[:len(f.b)-6]
			return f, []result{r(f, 0, 2), r(f, 1, 3),
				{Err: "pcapng block at offset 300: input ends inside the block: type 0x6, length 116, 110 bytes left"}}
		}},
		{"truncated block header", func() (*ngFile, []result) {
			f := base()
			addN(f, 0, 1)
			f.b = append(f.b, 6, 0, 0, 0, 200)
			return f, []result{r(f, 0, 2),
				{Err: "pcapng block at offset 184: input ends inside the block header, after 5 of 12 bytes"}}
		}},
		{"unknown interface", func() (*ngFile, []result) {
			f := base()
			addN(f, 0, 1)
			f.epb(5, t0*1e6, data(1), 61)
			addN(f, 2, 3)
			return f, []result{r(f, 0, 2),
				{Err: "pcapng block at offset 184: packet block for interface 5, but 1 interfaces described"},
				r(f, 2, 4)}
		}},
		{"captured length beyond block", func() (*ngFile, []result) {
			f := base()
			addN(f, 0, 2)
			le.PutUint32(f.b[f.offs[3]+20:], 1000)
			return f, []result{r(f, 0, 2),
				{Err: "pcapng block at offset 184: captured length 1000 exceeds block body of 84 bytes"}}
		}},
		{"packet before interface", func() (*ngFile, []result) {
			var f ngFile
			f.shb(le)
			f.spb(data(0), 60)
			f.idb(packet.LinkEthernet, 0)
			f.spb(data(1), 61)
			return &f, []result{
				{Err: "pcapng block at offset 52: simple packet block, but no interface described"},
				rec(0, data(1), 61, packet.LinkEthernet, f.offs[3])}
		}},
		{"corrupt section header", func() (*ngFile, []result) {
			// A second section whose byte-order magic is damaged: its
			// blocks still parse in the old byte order.
			f := base()
			addN(f, 0, 1)
			f.shb(le)
			f.b[f.offs[3]+8] = 0
			f.idb(packet.LinkRaw, 0)
			addN(f, 1, 2)
			return f, []result{r(f, 0, 2),
				{Err: "pcapng block at offset 184: byte-order magic 003c2b1a, want 1a2b3c4d in either order"},
				rec((t0+1)*1e9, data(1), 61, packet.LinkEthernet, f.offs[5])}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, want := tt.build()
			if diff := cmp.Diff(want, readAll(t, f.b)); diff != "" {
				t.Errorf("results (-want +got):\n%s", diff)
			}
			// With a read buffer smaller than the records, which then
			// take the path for big records: the same records, and
			// errors in the same places, if not always for the same
			// reason.
			if diff := cmp.Diff(want, readAllSize(t, f.b, 64), sameErrorPlace); diff != "" {
				t.Errorf("results with a 64-byte buffer (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNewReaderErrors(t *testing.T) {
	pcapV1 := newPcap(le, false, 65535, packet.LinkEthernet).b
	le.PutUint16(pcapV1[4:], 1)
	var badBOM ngFile
	badBOM.shb(le)
	copy(badBOM.b[8:], []byte{1, 2, 3, 4})
	var ngV2 ngFile
	ngV2.shb(be)
	be.PutUint16(ngV2.b[12:], 2)
	tests := []struct {
		name  string
		input []byte
		want  string
	}{
		{"empty", nil, "read capture file header: input of 0 bytes is not a pcap or pcapng file"},
		{"text", []byte("hello, world"), "read capture file header: first bytes 68656c6c: not a pcap or pcapng file"},
		{"gzip", []byte{0x1f, 0x8b, 8, 0, 0, 0}, "read capture file header: first bytes 1f8b0800: not a pcap or pcapng file (gzip-compressed? decompress it first)"},
		{"short pcap header", pcapV1[:10], "read pcap file header: 10 of 24 bytes: unexpected EOF"},
		{"pcap version 1", pcapV1, "read pcap file header: version 1.4, want 2.x"},
		{"pcapng byte-order magic", badBOM.b, "read pcapng section header: byte-order magic 01020304, want 1a2b3c4d in either order"},
		{"pcapng version 2", ngV2.b, "read pcapng section header: section version 2.0, want 1.x"},
		{"short pcapng header", ngV2.b[:20], "read pcapng section header: input ends inside the block: unexpected EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := capture.NewReader(bytesReader(tt.input))
			if err == nil || err.Error() != tt.want {
				t.Errorf("NewReader: got error %v, want %q", err, tt.want)
			}
		})
	}
}

// errReader fails after its data.
type errReader struct{ data []byte }

func (e *errReader) Read(p []byte) (int, error) {
	if len(e.data) == 0 {
		return 0, io.ErrClosedPipe
	}
	n := copy(p, e.data)
	e.data = e.data[n:]
	return n, nil
}

func TestReaderReadError(t *testing.T) {
	f := newPcap(le, true, 65535, packet.LinkEthernet).add(t0, 0, frame(0, 60))
	r, err := capture.NewReader(&errReader{f.b[:50]})
	if err != nil {
		t.Fatal(err)
	}
	var rc capture.Record
	for range 2 { // the error sticks
		if err := r.Next(&rc); err == nil || !strings.Contains(err.Error(), "read pcap at offset 24: io: read/write on closed pipe") {
			t.Errorf("Next: got %v, want the read error", err)
		}
	}
}

func TestReaderLinkTypeSnaplenPcapng(t *testing.T) {
	var f ngFile
	f.shb(le)
	f.idb(packet.LinkLinuxSLL2, 1500)
	f.epb(0, 0, frame(0, 20), 20)
	r, err := capture.NewReader(bytesReader(f.b))
	if err != nil {
		t.Fatal(err)
	}
	if got, got2 := r.LinkType(), r.Snaplen(); got != 0 || got2 != 0 {
		t.Errorf("LinkType, Snaplen before the interface block: got %v, %d, want 0, 0", got, got2)
	}
	var rc capture.Record
	if err := r.Next(&rc); err != nil {
		t.Fatal(err)
	}
	if got := r.LinkType(); got != packet.LinkLinuxSLL2 {
		t.Errorf("LinkType: got %v, want %v", got, packet.LinkLinuxSLL2)
	}
	if got := r.Snaplen(); got != 1500 {
		t.Errorf("Snaplen: got %d, want 1500", got)
	}
}

func TestReaderAllocs(t *testing.T) {
	p := newPcap(le, true, 65535, packet.LinkEthernet)
	var ng ngFile
	ng.shb(le)
	ng.idb(packet.LinkEthernet, 0)
	for i := range 3000 {
		p.add(t0+uint32(i), 0, frame(byte(i), 60+i%1400))
		ng.epb(0, uint64(t0+i)*1e6, frame(byte(i), 60+i%1400), uint32(60+i%1400))
	}
	for name, input := range map[string][]byte{"pcap": p.b, "pcapng": ng.b} {
		r, err := capture.NewReader(bytesReader(input))
		if err != nil {
			t.Fatal(err)
		}
		var rc capture.Record
		if n := testing.AllocsPerRun(2000, func() {
			if err := r.Next(&rc); err != nil {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Errorf("%s: Next: got %v allocs, want 0", name, n)
		}
	}
}

// TestReaderPcapSnaplenZero checks that a snaplen of 0, which some writers
// put in the file header, bounds records by the largest size the reader
// accepts instead.
func TestReaderPcapSnaplenZero(t *testing.T) {
	f := newPcap(le, true, 0, packet.LinkEthernet).add(t0, 0, frame(0, 70000))
	f.record(t0, 0, 16<<20+1, 16<<20+1, nil)
	want := []result{
		rec(t0*1e9, frame(0, 70000), 70000, packet.LinkEthernet, 24),
		{Err: "pcap record at offset 70040: captured length 16777217 exceeds 16777216, the most this reader accepts"},
	}
	if diff := cmp.Diff(want, readAll(t, f.b), cmp.Comparer(bytes.Equal)); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
}
