package extract_test

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/dns/dnsmessage"

	"github.com/acd-platform/acd/internal/selection/extract"
)

// dnsView is a DNSMessage with comparable fields.
type dnsView struct {
	ID                                 uint16
	Response, Truncated                bool
	Opcode, RCode                      uint8
	QDCount, ANCount, NSCount, ARCount uint16
	QName                              *string
	QType, QClass                      uint16
	Answers                            []string
	CNAMEs                             int
	MoreAnswers                        bool
}

func viewDNS(m *extract.DNSMessage) dnsView {
	v := dnsView{
		ID: m.ID, Response: m.Response, Truncated: m.Truncated, Opcode: m.Opcode, RCode: m.RCode,
		QDCount: m.QDCount, ANCount: m.ANCount, NSCount: m.NSCount, ARCount: m.ARCount,
		QType: m.QType, QClass: m.QClass, CNAMEs: m.CNAMEs, MoreAnswers: m.MoreAnswers,
	}
	if q := m.QName(); q != nil {
		v.QName = ptr(string(q))
	}
	for _, a := range m.Answers() {
		v.Answers = append(v.Answers, a.String())
	}
	return v
}

// buildDNS builds a message with dnsmessage, name compression on.
func buildDNS(t testing.TB, h dnsmessage.Header, qs []dnsmessage.Question, build func(b *dnsmessage.Builder)) []byte {
	t.Helper()
	b := dnsmessage.NewBuilder(nil, h)
	b.EnableCompression()
	if err := b.StartQuestions(); err != nil {
		t.Fatal(err)
	}
	for _, q := range qs {
		if err := b.Question(q); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.StartAnswers(); err != nil {
		t.Fatal(err)
	}
	if build != nil {
		build(&b)
	}
	msg, err := b.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

func rrh(name string, typ dnsmessage.Type) dnsmessage.ResourceHeader {
	return dnsmessage.ResourceHeader{Name: dnsmessage.MustNewName(name), Type: typ, Class: dnsmessage.ClassINET, TTL: 300}
}

func TestParseDNSCaptures(t *testing.T) {
	tests := []struct {
		file string
		want dnsView
	}{
		{"dns_query_wireshark.bin", dnsView{ID: 0x180f, QDCount: 1, QName: ptr("wireshark.org"), QType: 1, QClass: 1}},
		{"dns_response_wireshark.bin", dnsView{ID: 0x180f, Response: true, QDCount: 1, ANCount: 1, QName: ptr("wireshark.org"),
			QType: 1, QClass: 1, Answers: []string{"128.121.50.122"}}},
		{"dns_query_ripe_any.bin", dnsView{ID: 0xdf22, QDCount: 1, QName: ptr("ripe.net"), QType: 255, QClass: 1}},
		// Truncated over UDP; its two answers are DNSKEYs, which are not read.
		{"dns_response_ripe_any.bin", dnsView{ID: 0xdf22, Response: true, Truncated: true, QDCount: 1, ANCount: 2,
			QName: ptr("ripe.net"), QType: 255, QClass: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			var m extract.DNSMessage
			if err := extract.ParseDNS(readTestdata(t, tt.file), &m); err != nil {
				t.Fatalf("ParseDNS: %v", err)
			}
			if diff := cmp.Diff(tt.want, viewDNS(&m)); diff != "" {
				t.Errorf("message (-want +got):\n%s", diff)
			}
		})
	}
}

// TestParseDNSTCP reads the TCP retry of the ANY query: the server's
// answer came as one byte and then the rest.
func TestParseDNSTCP(t *testing.T) {
	var m extract.DNSMessage
	q := readTestdata(t, "dns_tcp_query.bin")
	if n, err := extract.ParseDNSTCP(q, &m); err != nil || n != len(q) {
		t.Fatalf("query: got %d, %v, want %d, nil", n, err, len(q))
	}
	if got := string(m.QName()); got != "ripe.net" || m.ID != 0xb4c3 {
		t.Errorf("query: got %s id %#x, want ripe.net id 0xb4c3", got, m.ID)
	}
	r := readTestdata(t, "dns_tcp_response.bin")
	for _, k := range []int{0, 1, 2, 100, len(r) - 1} {
		if _, err := extract.ParseDNSTCP(r[:k], &m); err != extract.ErrNeedMore {
			t.Errorf("first %d bytes of the answer: got %v, want ErrNeedMore", k, err)
		}
	}
	n, err := extract.ParseDNSTCP(r, &m)
	if err != nil || n != len(r) {
		t.Fatalf("answer: got %d, %v, want %d, nil", n, err, len(r))
	}
	want := dnsView{ID: 0xb4c3, Response: true, QDCount: 1, ANCount: 8, QName: ptr("ripe.net"), QType: 255, QClass: 1}
	if diff := cmp.Diff(want, viewDNS(&m)); diff != "" {
		t.Errorf("answer (-want +got):\n%s", diff)
	}
	// Two messages in a row, the second with a bad length.
	two := append(append([]byte{}, q...), 0, 3, 1, 2, 3)
	if n, err := extract.ParseDNSTCP(two, &m); err != nil || n != len(q) {
		t.Fatalf("first of two: got %d, %v, want %d, nil", n, err, len(q))
	}
	_, err = extract.ParseDNSTCP(two[len(q):], &m)
	var pe *extract.ParseError
	if !errors.As(err, &pe) || pe.Reason != "TCP length shorter than a DNS header" {
		t.Errorf("second of two: got %v, want a short-length error", err)
	}
}

func TestParseDNS(t *testing.T) {
	q := func(name string, typ dnsmessage.Type) []dnsmessage.Question {
		return []dnsmessage.Question{{Name: dnsmessage.MustNewName(name), Type: typ, Class: dnsmessage.ClassINET}}
	}
	tests := []struct {
		name string
		msg  []byte
		want dnsView
	}{
		{
			// A CNAME chain and addresses of both families, names compressed;
			// the question's case is folded.
			name: "cname chain",
			msg: buildDNS(t, dnsmessage.Header{ID: 7, Response: true, RecursionDesired: true, RecursionAvailable: true},
				q("WWW.Example.JP.", dnsmessage.TypeA), func(b *dnsmessage.Builder) {
					b.CNAMEResource(rrh("WWW.Example.JP.", dnsmessage.TypeCNAME), dnsmessage.CNAMEResource{CNAME: dnsmessage.MustNewName("cdn.example.net.")})
					b.AResource(rrh("cdn.example.net.", dnsmessage.TypeA), dnsmessage.AResource{A: [4]byte{192, 0, 2, 1}})
					b.AResource(rrh("cdn.example.net.", dnsmessage.TypeA), dnsmessage.AResource{A: [4]byte{192, 0, 2, 2}})
					b.AAAAResource(rrh("cdn.example.net.", dnsmessage.TypeAAAA), dnsmessage.AAAAResource{AAAA: netip.MustParseAddr("2001:db8::1").As16()})
					b.TXTResource(rrh("cdn.example.net.", dnsmessage.TypeTXT), dnsmessage.TXTResource{TXT: []string{"content is not read"}})
				}),
			want: dnsView{ID: 7, Response: true, QDCount: 1, ANCount: 5, QName: ptr("www.example.jp"), QType: 1, QClass: 1,
				Answers: []string{"192.0.2.1", "192.0.2.2", "2001:db8::1"}, CNAMEs: 1},
		},
		{
			// More addresses than are kept.
			name: "many answers",
			msg: buildDNS(t, dnsmessage.Header{ID: 8, Response: true}, q("many.example.jp.", dnsmessage.TypeA), func(b *dnsmessage.Builder) {
				for i := range extract.MaxDNSAnswers + 2 {
					b.AResource(rrh("many.example.jp.", dnsmessage.TypeA), dnsmessage.AResource{A: [4]byte{198, 51, 100, byte(i)}})
				}
			}),
			want: dnsView{ID: 8, Response: true, QDCount: 1, ANCount: extract.MaxDNSAnswers + 2, QName: ptr("many.example.jp"),
				QType: 1, QClass: 1, Answers: func() []string {
					var s []string
					for i := range extract.MaxDNSAnswers {
						s = append(s, netip.AddrFrom4([4]byte{198, 51, 100, byte(i)}).String())
					}
					return s
				}(), MoreAnswers: true},
		},
		{
			// NXDOMAIN for an AAAA query, opcode and rcode in the header.
			name: "nxdomain",
			msg: buildDNS(t, dnsmessage.Header{ID: 9, Response: true, RCode: dnsmessage.RCodeNameError},
				q("nx.example.jp.", dnsmessage.TypeAAAA), nil),
			want: dnsView{ID: 9, Response: true, RCode: 3, QDCount: 1, QName: ptr("nx.example.jp"), QType: 28, QClass: 1},
		},
		{
			// The root, as in priming queries.
			name: "root",
			msg:  buildDNS(t, dnsmessage.Header{ID: 10, OpCode: 0}, q(".", dnsmessage.TypeNS), nil),
			want: dnsView{ID: 10, QDCount: 1, QName: ptr("."), QType: 2, QClass: 1},
		},
		{
			// A message without a question (a NOTIFY, opcode 4).
			name: "no question",
			msg:  []byte{0, 11, 4 << 3, 0, 0, 0, 0, 0, 0, 0, 0, 0},
			want: dnsView{ID: 11, Opcode: 4},
		},
		{
			// Bytes that presentation form escapes: a dot and a backslash
			// inside labels, a space, a byte outside ASCII.
			name: "escapes",
			msg: append([]byte{0, 12, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0,
				3, 'a', '.', 'B', 3, 'c', '\\', ' ', 2, 0xe6, 'X', 0}, 0, 16, 0, 1),
			want: dnsView{ID: 12, QDCount: 1, QName: ptr(`a\.b.c\\\032.\230x`), QType: 16, QClass: 1},
		},
		{
			// Only the first of two questions is kept; the second is skipped.
			name: "two questions",
			msg: buildDNS(t, dnsmessage.Header{ID: 13}, append(q("one.example.jp.", dnsmessage.TypeA), q("two.example.jp.", dnsmessage.TypeMX)...),
				nil),
			want: dnsView{ID: 13, QDCount: 2, QName: ptr("one.example.jp"), QType: 1, QClass: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m extract.DNSMessage
			if err := extract.ParseDNS(tt.msg, &m); err != nil {
				t.Fatalf("ParseDNS: %v", err)
			}
			if diff := cmp.Diff(tt.want, viewDNS(&m)); diff != "" {
				t.Errorf("message (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseDNSErrors(t *testing.T) {
	hdr := func(qd, an byte) []byte { return []byte{0, 1, 0x81, 0x80, 0, qd, 0, an, 0, 0, 0, 0} }
	cat := func(parts ...[]byte) []byte {
		var b []byte
		for _, p := range parts {
			b = append(b, p...)
		}
		return b
	}
	long := hdr(1, 0)
	for range 5 {
		long = append(long, 63)
		long = append(long, strings.Repeat("a", 63)...)
	}
	long = append(long, 0, 0, 1, 0, 1)
	tests := []struct {
		name   string
		msg    []byte
		offset int
		reason string
	}{
		{"short", []byte{0, 1, 2}, 3, "message shorter than the 12-byte header"},
		{"pointer to itself", cat(hdr(1, 0), []byte{0xc0, 12, 0, 1, 0, 1}), 12, "compression pointer does not point backwards"},
		{"pointer loop through a label", cat(hdr(1, 0), []byte{1, 'a', 0xc0, 12, 0, 1, 0, 1}), 14, "compression pointer does not point backwards"},
		{"forward pointer", cat(hdr(1, 0), []byte{0xc0, 18, 0, 1, 0, 1, 1, 'a', 0}), 12, "compression pointer does not point backwards"},
		{"label past the end", cat(hdr(1, 0), []byte{5, 'a', 'b'}), 12, "label runs past the end of the message"},
		{"skipped label past the end", cat(hdr(2, 0), []byte{0, 0, 1, 0, 1}, []byte{5, 'a'}), 17, "label runs past the end of the message"},
		{"no end of name", cat(hdr(1, 0), []byte{1, 'a'}), 14, "name runs past the end of the message"},
		{"name too long", long, 12 + 3*64, "name longer than 255 bytes"},
		{"reserved label type", cat(hdr(1, 0), []byte{0x40, 0}), 12, "reserved label type"},
		{"cut pointer", cat(hdr(1, 0), []byte{0xc0}), 12, "compression pointer runs past the end of the message"},
		{"question without type", cat(hdr(1, 0), []byte{0, 0, 1}), 13, "question ends before its type and class"},
		{"cut record", cat(hdr(1, 1), []byte{0, 0, 1, 0, 1}, []byte{0xc0, 12, 0, 1}), 19, "resource record ends inside its fixed fields"},
		{"A of 5 bytes", cat(hdr(1, 1), []byte{0, 0, 1, 0, 1}, []byte{0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 1, 0, 5, 1, 2, 3, 4, 5}), 27, "A record RDATA is not 4 bytes"},
		{"AAAA of 4 bytes", cat(hdr(1, 1), []byte{0, 0, 1, 0, 1}, []byte{0xc0, 12, 0, 28, 0, 1, 0, 0, 0, 1, 0, 4, 1, 2, 3, 4}), 27, "AAAA record RDATA is not 16 bytes"},
		{"RDATA past the end", cat(hdr(1, 1), []byte{0, 0, 1, 0, 1}, []byte{0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 1, 2}), 27, "RDATA runs past the end of the message"},
		{"more answers than sent", cat(hdr(1, 2), []byte{0, 0, 1, 0, 1}), 17, "name runs past the end of the message"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m extract.DNSMessage
			err := extract.ParseDNS(tt.msg, &m)
			var pe *extract.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, want a *ParseError", err)
			}
			want := &extract.ParseError{Proto: "dns", Offset: tt.offset, Reason: tt.reason}
			if diff := cmp.Diff(want, pe); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDNSAllocs(t *testing.T) {
	msg := buildDNS(t, dnsmessage.Header{ID: 7, Response: true}, []dnsmessage.Question{{Name: dnsmessage.MustNewName("www.example.jp."),
		Type: dnsmessage.TypeAAAA, Class: dnsmessage.ClassINET}}, func(b *dnsmessage.Builder) {
		b.AAAAResource(rrh("www.example.jp.", dnsmessage.TypeAAAA), dnsmessage.AAAAResource{AAAA: netip.MustParseAddr("2001:db8::1").As16()})
	})
	tcp := readTestdata(t, "dns_tcp_response.bin")
	loop := []byte{0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1}
	shortTCP := []byte{0, 3, 1, 2, 3}
	var m extract.DNSMessage
	if n := testing.AllocsPerRun(100, func() {
		// A malformed message does not allocate either: floods of them are
		// to be expected.
		if err := extract.ParseDNS(loop, &m); err == nil {
			t.Fatal("no error")
		}
		if _, err := extract.ParseDNSTCP(shortTCP, &m); err == nil {
			t.Fatal("no error")
		}
		if err := extract.ParseDNS(msg, &m); err != nil {
			t.Fatal(err)
		}
		if _, err := extract.ParseDNSTCP(tcp, &m); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("allocations per run: got %v, want 0", n)
	}
}

// TestDNSNewValueAllocs pins that a DNSMessage does not escape through the
// error ParseDNS returns: a caller may keep the error and still have a new
// DNSMessage per message on its stack.
func TestDNSNewValueAllocs(t *testing.T) {
	msg := readTestdata(t, "dns_response_wireshark.bin")
	var kept error
	if n := testing.AllocsPerRun(100, func() {
		var m extract.DNSMessage
		kept = extract.ParseDNS(msg, &m)
	}); n != 0 || kept != nil {
		t.Errorf("allocations per run: got %v (error %v), want 0", n, kept)
	}
}

func BenchmarkParseDNS(b *testing.B) {
	for _, file := range []string{"dns_query_wireshark.bin", "dns_response_wireshark.bin"} {
		msg := readTestdata(b, file)
		b.Run(strings.TrimSuffix(file, ".bin"), func(b *testing.B) {
			var m extract.DNSMessage
			b.ReportAllocs()
			for b.Loop() {
				if err := extract.ParseDNS(msg, &m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	msg := buildDNS(b, dnsmessage.Header{ID: 7, Response: true}, []dnsmessage.Question{{Name: dnsmessage.MustNewName("www.example.jp."),
		Type: dnsmessage.TypeA, Class: dnsmessage.ClassINET}}, func(bd *dnsmessage.Builder) {
		bd.CNAMEResource(rrh("www.example.jp.", dnsmessage.TypeCNAME), dnsmessage.CNAMEResource{CNAME: dnsmessage.MustNewName("cdn.example.net.")})
		for i := range 4 {
			bd.AResource(rrh("cdn.example.net.", dnsmessage.TypeA), dnsmessage.AResource{A: [4]byte{192, 0, 2, byte(i)}})
		}
	})
	// A new DNSMessage per message costs the clearing of its arrays.
	msgQ := readTestdata(b, "dns_query_wireshark.bin")
	b.Run("new value per message", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var m extract.DNSMessage
			if err := extract.ParseDNS(msgQ, &m); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cname and 4 A", func(b *testing.B) {
		var m extract.DNSMessage
		b.ReportAllocs()
		for b.Loop() {
			if err := extract.ParseDNS(msg, &m); err != nil {
				b.Fatal(err)
			}
		}
	})
}
