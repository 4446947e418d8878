package extract_test

import (
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/selection/extract"
)

// A tlsExt is one extension of a ClientHello built by helloMsg.
type tlsExt struct {
	typ  uint16
	data []byte
}

func u16(v uint16) []byte { return []byte{byte(v >> 8), byte(v)} }

func vec8(b []byte) []byte { return append([]byte{byte(len(b))}, b...) }

func vec16(b []byte) []byte { return append(u16(uint16(len(b))), b...) }

func list16(vs ...uint16) []byte {
	var b []byte
	for _, v := range vs {
		b = append(b, u16(v)...)
	}
	return b
}

func sniExt(name string) tlsExt {
	return tlsExt{0x0000, vec16(append([]byte{0}, vec16([]byte(name))...))}
}

func alpnExt(names ...string) tlsExt {
	var l []byte
	for _, n := range names {
		l = append(l, vec8([]byte(n))...)
	}
	return tlsExt{0x0010, vec16(l)}
}

func versionsExt(vs ...uint16) tlsExt { return tlsExt{0x002b, vec8(list16(vs...))} }

func sigAlgsExt(vs ...uint16) tlsExt { return tlsExt{0x000d, vec16(list16(vs...))} }

// helloMsg builds a ClientHello handshake message (RFC 8446 §4.1.2) with a
// fixed random and session id; exts nil means no extensions block at all.
func helloMsg(legacy uint16, ciphers []uint16, exts []tlsExt) []byte {
	body := u16(legacy)
	for i := range 32 {
		body = append(body, byte(i))
	}
	body = append(body, vec8([]byte(strings.Repeat("s", 32)))...)
	body = append(body, vec16(list16(ciphers...))...)
	body = append(body, 1, 0) // compression: null
	if exts != nil {
		var e []byte
		for _, x := range exts {
			e = append(e, u16(x.typ)...)
			e = append(e, vec16(x.data)...)
		}
		body = append(body, vec16(e)...)
	}
	return append([]byte{1, byte(len(body) >> 16), byte(len(body) >> 8), byte(len(body))}, body...)
}

// records wraps msg in handshake records of version 3.1 whose fragments
// are size bytes long (the last one shorter); size 0 means one record.
func records(msg []byte, size int) []byte {
	if size == 0 {
		size = len(msg)
	}
	var out []byte
	for len(msg) > 0 {
		n := min(size, len(msg))
		out = append(out, 22, 3, 1, byte(n>>8), byte(n))
		out = append(out, msg[:n]...)
		msg = msg[n:]
	}
	return out
}

// The ClientHello of FoxIO's JA4 example (technical_details/JA4.md), with
// GREASE values added in front and behind, which must change nothing.
var (
	specCiphers = []uint16{0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8,
		0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035}
	specSigAlgs = []uint16{0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601}
)

func specExts(sigAlgs tlsExt) []tlsExt {
	return []tlsExt{
		{0x3a3a, nil}, // GREASE
		{0x001b, []byte{2, 0, 2}},
		sniExt("www.example.jp"),
		{0x0033, []byte{0, 0}},
		alpnExt("h2", "http/1.1"),
		{0x4469, []byte{0, 3, 2, 'h', '2'}},
		{0x0017, nil},
		{0x002d, []byte{1, 1}},
		sigAlgs,
		{0x0005, []byte{1, 0, 0, 0, 0}},
		{0x0023, nil},
		{0x0012, nil},
		versionsExt(0x6a6a, 0x0304, 0x0303),
		{0xff01, []byte{0}},
		{0x000b, []byte{1, 0}},
		{0x000a, vec16(list16(0x8a8a, 0x001d, 0x0017))},
		{0x0015, make([]byte, 100)}, // padding
		{0xfafa, []byte{0}},         // GREASE
	}
}

func specHello() []byte {
	return helloMsg(0x0303, append([]uint16{0x0a0a}, specCiphers...), specExts(sigAlgsExt(specSigAlgs...)))
}

// refJA4 computes JA4 from plain lists, the way JA4.md describes it, to
// check AppendJA4 against an independent implementation.
func refJA4(version uint16, sni bool, ciphers, exts, sigs []uint16, alpn string) string {
	noGREASE := func(vs []uint16) []uint16 {
		var out []uint16
		for _, v := range vs {
			if !(v&0x0f0f == 0x0a0a && v>>8 == v&0xff) {
				out = append(out, v)
			}
		}
		return out
	}
	hexList := func(vs []uint16) string {
		s := make([]string, len(vs))
		for i, v := range vs {
			s[i] = fmt.Sprintf("%04x", v)
		}
		return strings.Join(s, ",")
	}
	hash12 := func(s string) string {
		sum := sha256.Sum256([]byte(s))
		return hex.EncodeToString(sum[:])[:12]
	}
	ciphers, exts, sigs = noGREASE(ciphers), noGREASE(exts), noGREASE(sigs)
	codes := map[uint16]string{0x0304: "13", 0x0303: "12", 0x0302: "11", 0x0301: "10", 0x0300: "s3", 0x0002: "s2",
		0xfeff: "d1", 0xfefd: "d2", 0xfefc: "d3"}
	code, ok := codes[version]
	if !ok {
		code = "00"
	}
	dest := "i"
	if sni {
		dest = "d"
	}
	a := "00"
	if alpn != "" {
		f, l := alpn[0], alpn[len(alpn)-1]
		alnum := func(c byte) bool {
			return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		}
		if alnum(f) && alnum(l) {
			a = string([]byte{f, l})
		} else {
			a = fmt.Sprintf("%02x", f)[:1] + fmt.Sprintf("%02x", l)[1:]
		}
	}
	out := fmt.Sprintf("t%s%s%02d%02d%s_", code, dest, min(len(ciphers), 99), min(len(exts), 99), a)
	if len(ciphers) == 0 {
		out += "000000000000"
	} else {
		out += hash12(hexList(slices.Sorted(slices.Values(ciphers))))
	}
	var rest []uint16
	for _, e := range exts {
		if e != 0x0000 && e != 0x0010 {
			rest = append(rest, e)
		}
	}
	if len(rest) == 0 {
		return out + "_000000000000"
	}
	s := hexList(slices.Sorted(slices.Values(rest)))
	if len(sigs) > 0 {
		s += "_" + hexList(sigs)
	}
	return out + "_" + hash12(s)
}

func TestJA4SpecExample(t *testing.T) {
	tests := []struct {
		name string
		ext  tlsExt
		want string
	}{
		// The example of JA4.md, "JA4 = t13d1516h2_8daaf6152771_e5627efa2ab1".
		{"with signature algorithms", sigAlgsExt(specSigAlgs...), "t13d1516h2_8daaf6152771_e5627efa2ab1"},
		// JA4.md: with no signature algorithms the string ends without an
		// underscore, "0005,…,ff01 = 6d807ffa2a79".
		{"without signature algorithms", sigAlgsExt(), "t13d1516h2_8daaf6152771_6d807ffa2a79"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := records(helloMsg(0x0303, append([]uint16{0x0a0a}, specCiphers...), specExts(tt.ext)), 0)
			var h extract.ClientHello
			if err := extract.ParseClientHello(in, &h); err != nil {
				t.Fatalf("ParseClientHello: %v", err)
			}
			if got := string(h.AppendJA4(nil)); got != tt.want {
				t.Errorf("JA4: got %s, want %s", got, tt.want)
			}
		})
	}
}

// helloView is a ClientHello with comparable fields.
type helloView struct {
	RecordVersion, LegacyVersion, SupportedVersion, Version uint16
	Ciphers                                                 string
	HasSNI                                                  bool
	SNI, ALPN, FirstALPN                                    string
	ALPNCount, NumCipherSuites, NumExtensions               int
	SigAlgs, JA4                                            string
}

func viewHello(h *extract.ClientHello) helloView {
	return helloView{
		RecordVersion: h.RecordVersion, LegacyVersion: h.LegacyVersion, SupportedVersion: h.SupportedVersion, Version: h.Version,
		Ciphers: hex.EncodeToString(h.CipherSuites), HasSNI: h.HasSNI, SNI: string(h.SNI),
		ALPN: hex.EncodeToString(h.ALPN), FirstALPN: string(h.FirstALPN()), ALPNCount: h.ALPNCount,
		NumCipherSuites: h.NumCipherSuites, NumExtensions: h.NumExtensions,
		SigAlgs: hex.EncodeToString(h.SignatureAlgorithms), JA4: string(h.AppendJA4(nil)),
	}
}

func TestParseClientHello(t *testing.T) {
	var h extract.ClientHello
	if err := extract.ParseClientHello(records(specHello(), 0), &h); err != nil {
		t.Fatal(err)
	}
	want := helloView{
		RecordVersion: 0x0301, LegacyVersion: 0x0303, SupportedVersion: 0x0304, Version: 0x0304,
		Ciphers: "0a0a" + hex.EncodeToString(list16(specCiphers...)),
		HasSNI:  true, SNI: "www.example.jp",
		ALPN: hex.EncodeToString([]byte("\x02h2\x08http/1.1")), FirstALPN: "h2", ALPNCount: 2,
		NumCipherSuites: 15, NumExtensions: 16,
		SigAlgs: hex.EncodeToString(list16(specSigAlgs...)), JA4: "t13d1516h2_8daaf6152771_e5627efa2ab1",
	}
	if diff := cmp.Diff(want, viewHello(&h)); diff != "" {
		t.Errorf("hello (-want +got):\n%s", diff)
	}
}

func TestJA4Variants(t *testing.T) {
	many := make([]uint16, 120)
	for i := range many {
		many[i] = uint16(0x1000 + i)
	}
	tests := []struct {
		name    string
		legacy  uint16
		ciphers []uint16
		exts    []tlsExt
		want    string // the JA4_a part
	}{
		{"TLS 1.2, no SNI, no ALPN", 0x0303, []uint16{0xc02f}, []tlsExt{sigAlgsExt(0x0401)}, "t12i010100"},
		{"no extensions at all", 0x0301, []uint16{0x002f, 0x0035}, nil, "t10i020000"},
		{"SSL 3.0", 0x0300, []uint16{0x000a}, nil, "ts3i010000"},
		{"unknown version", 0x0305, []uint16{0x000a}, nil, "t00i010000"},
		{"DTLS 1.2 number", 0xfefd, []uint16{0x000a}, nil, "td2i010000"},
		{"more than 99 ciphers", 0x0303, many, []tlsExt{sniExt("a")}, "t12d990100"},
		{"only GREASE ciphers", 0x0303, []uint16{0x1a1a, 0x2a2a}, []tlsExt{{0x0017, nil}}, "t12i000100"},
		{"ALPN of one character", 0x0303, []uint16{1}, []tlsExt{alpnExt("x")}, "t12i0101xx"},
		{"ALPN not alphanumeric", 0x0303, []uint16{1}, []tlsExt{alpnExt("\xab\xcd")}, "t12i0101ad"},
		{"ALPN ending in a non-alphanumeric byte", 0x0303, []uint16{1}, []tlsExt{alpnExt("0\xab")}, "t12i01013b"},
		{"ALPN alphanumeric at both ends", 0x0303, []uint16{1}, []tlsExt{alpnExt("0\xab\xcd1")}, "t12i010101"},
		{"SNI extension without a host name", 0x0303, []uint16{1}, []tlsExt{{0x0000, nil}}, "t12d010100"},
		{"supported_versions of GREASE only", 0x0303, []uint16{1}, []tlsExt{versionsExt(0x7a7a)}, "t12i010100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h extract.ClientHello
			if err := extract.ParseClientHello(records(helloMsg(tt.legacy, tt.ciphers, tt.exts), 0), &h); err != nil {
				t.Fatalf("ParseClientHello: %v", err)
			}
			got := string(h.AppendJA4(nil))
			if a, _, _ := strings.Cut(got, "_"); a != tt.want {
				t.Errorf("JA4_a: got %s, want %s", a, tt.want)
			}
			var exts, sigs []uint16
			var alpn string
			for _, e := range tt.exts {
				exts = append(exts, e.typ)
				if e.typ == 0x000d {
					for i := 2; i < len(e.data); i += 2 {
						sigs = append(sigs, uint16(e.data[i])<<8|uint16(e.data[i+1]))
					}
				}
				if e.typ == 0x0010 {
					alpn = string(e.data[3 : 3+int(e.data[2])])
				}
			}
			want := refJA4(h.Version, h.HasSNI, tt.ciphers, exts, sigs, alpn)
			if got != want {
				t.Errorf("JA4: got %s, want %s (reference implementation)", got, want)
			}
		})
	}
}

// recordingConn records the bytes read through it.
type recordingConn struct {
	net.Conn
	mu  sync.Mutex
	got []byte
}

func (c *recordingConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.mu.Lock()
	c.got = append(c.got, b[:n]...)
	c.mu.Unlock()
	return n, err
}

// TestClientHelloFromGo parses the ClientHello that crypto/tls sends and
// compares it with what crypto/tls's server side made of the same bytes
// (tls.ClientHelloInfo), including a JA4 computed from that by refJA4.
func TestClientHelloFromGo(t *testing.T) {
	for _, alpn := range [][]string{{"h2", "http/1.1"}, nil} {
		t.Run(strings.Join(alpn, ","), func(t *testing.T) {
			cc, sc := net.Pipe()
			rc := &recordingConn{Conn: sc}
			infos := make(chan *tls.ClientHelloInfo, 1)
			srv := tls.Server(rc, &tls.Config{GetConfigForClient: func(hi *tls.ClientHelloInfo) (*tls.Config, error) {
				infos <- hi
				return nil, errors.New("stop here")
			}})
			go func() {
				cli := tls.Client(cc, &tls.Config{ServerName: "selection.example.jp", NextProtos: alpn})
				_ = cli.Handshake()
				cc.Close()
			}()
			go io.Copy(io.Discard, cc) //nolint:errcheck // drains the server's alert
			_ = srv.Handshake()
			sc.Close()
			hi := <-infos
			rc.mu.Lock()
			raw := slices.Clone(rc.got)
			rc.mu.Unlock()

			var h extract.ClientHello
			if err := extract.ParseClientHello(raw, &h); err != nil {
				t.Fatalf("ParseClientHello: %v", err)
			}
			var ciphers []uint16
			for i := 0; i < len(h.CipherSuites); i += 2 {
				ciphers = append(ciphers, uint16(h.CipherSuites[i])<<8|uint16(h.CipherSuites[i+1]))
			}
			if diff := cmp.Diff(hi.CipherSuites, ciphers); diff != "" {
				t.Errorf("cipher suites (-crypto/tls +got):\n%s", diff)
			}
			if got := string(h.SNI); got != hi.ServerName {
				t.Errorf("SNI: got %q, want %q", got, hi.ServerName)
			}
			var protos []string
			for a := h.ALPN; len(a) > 0; a = a[1+int(a[0]):] {
				protos = append(protos, string(a[1:1+int(a[0])]))
			}
			if diff := cmp.Diff(hi.SupportedProtos, protos); diff != "" {
				t.Errorf("ALPN (-crypto/tls +got):\n%s", diff)
			}
			if want := slices.Max(hi.SupportedVersions); h.Version != want {
				t.Errorf("version: got %#04x, want %#04x", h.Version, want)
			}
			var sigs []uint16
			for _, s := range hi.SignatureSchemes {
				sigs = append(sigs, uint16(s))
			}
			first := ""
			if len(hi.SupportedProtos) > 0 {
				first = hi.SupportedProtos[0]
			}
			want := refJA4(slices.Max(hi.SupportedVersions), hi.ServerName != "", hi.CipherSuites, hi.Extensions, sigs, first)
			if got := string(h.AppendJA4(nil)); got != want {
				t.Errorf("JA4: got %s, want %s", got, want)
			}
			t.Logf("crypto/tls ClientHello: %d bytes, JA4 %s", len(raw), want)
		})
	}
}

// TestClientHelloSplit splits the hello into records of every size and
// checks that each gives the same result, and ErrNeedMore for every
// shorter prefix.
func TestClientHelloSplit(t *testing.T) {
	msg := specHello()
	var one extract.ClientHello
	if err := extract.ParseClientHello(records(msg, 0), &one); err != nil {
		t.Fatal(err)
	}
	want := viewHello(&one)
	var h extract.ClientHello
	for size := 1; size <= len(msg); size++ {
		in := records(msg, size)
		if err := extract.ParseClientHello(in, &h); err != nil {
			t.Fatalf("records of %d bytes: %v", size, err)
		}
		if diff := cmp.Diff(want, viewHello(&h)); diff != "" {
			t.Fatalf("records of %d bytes (-want +got):\n%s", size, diff)
		}
		if size == 1 || size == 3 || size == 100 || size == len(msg) {
			for k := range len(in) {
				if err := extract.ParseClientHello(in[:k], &h); err != extract.ErrNeedMore {
					t.Fatalf("records of %d bytes, first %d bytes: got %v, want ErrNeedMore", size, k, err)
				}
			}
		}
	}
	// Application data after the hello is not read.
	in := append(records(msg, 200), 23, 3, 3, 0, 5, 'x', 'x', 'x', 'x', 'x')
	if err := extract.ParseClientHello(in, &h); err != nil {
		t.Fatalf("with data after the hello: %v", err)
	}
}

func TestClientHelloErrors(t *testing.T) {
	hello := records(specHello(), 0)
	mutate := func(f func(b []byte) []byte) []byte { return f(slices.Clone(hello)) }
	tests := []struct {
		name   string
		in     []byte
		offset int
		reason string
	}{
		{"HTTP", []byte("GET / HTTP/1.1\r\n"), 0, "not a TLS handshake record"},
		{"short and wrong", []byte("GE"), 0, "not a TLS handshake record"},
		{"SSL 2 record version", []byte{22, 2, 0, 0, 10, 1}, 1, "record version is not 3.x"},
		{"empty record", []byte{22, 3, 1, 0, 0}, 3, "empty handshake record"},
		{"huge record", []byte{22, 3, 1, 0x40, 1}, 3, "record longer than 16384 bytes"},
		{"ServerHello", mutate(func(b []byte) []byte { b[5] = 2; return b }), 5, "handshake message is not a ClientHello"},
		{"ServerHello, short", []byte{22, 3, 3, 0, 1, 2}, 5, "handshake message is not a ClientHello"},
		{"odd cipher suites length", mutate(func(b []byte) []byte { b[77] = 3; return b }), 76, "cipher suites length is zero or odd"},
		{"session id past the end", mutate(func(b []byte) []byte { b[6], b[7], b[8] = 0, 0, 40; return b }), 9 + 34, "ClientHello ends before its cipher suites"},
		{"session id too long", mutate(func(b []byte) []byte { b[9+34] = 33; return b }), 9 + 34, "session id longer than 32 bytes"},
		{"extensions length mismatch", func() []byte {
			b := records(helloMsg(0x0303, []uint16{1}, []tlsExt{{0x0017, nil}}), 0)
			b[83] = 5
			return b
		}(), 82, "extensions length does not match the ClientHello"},
		{"extension past the end", func() []byte {
			b := records(helloMsg(0x0303, []uint16{1}, []tlsExt{{0x0017, nil}}), 0)
			b[87] = 1
			return b
		}(), 86, "extension runs past the ClientHello"},
		{"bad ALPN list length", records(helloMsg(0x0303, []uint16{1}, []tlsExt{{0x0010, []byte{0, 5, 2, 'h', '2'}}}), 0), 88, "bad ALPN list length"},
		{"empty ALPN name", records(helloMsg(0x0303, []uint16{1}, []tlsExt{{0x0010, []byte{0, 1, 0}}}), 0), 90, "empty ALPN protocol name"},
		{"bad SNI", records(helloMsg(0x0303, []uint16{1}, []tlsExt{{0x0000, []byte{0, 9, 0}}}), 0), 88, "bad server_name list length"},
		{"empty host name", records(helloMsg(0x0303, []uint16{1}, []tlsExt{{0x0000, []byte{0, 3, 0, 0, 0}}}), 0), 93, "empty host_name"},
		{"bad supported_versions", records(helloMsg(0x0303, []uint16{1}, []tlsExt{{0x002b, []byte{3, 3, 4, 3}}}), 0), 88, "bad supported_versions extension"},
		{"bad signature_algorithms", records(helloMsg(0x0303, []uint16{1}, []tlsExt{{0x000d, []byte{0, 3, 4, 3, 1}}}), 0), 88, "bad signature_algorithms extension"},
		{"interrupted by alert", append(records(specHello()[:10], 0), 21, 3, 3, 0, 2, 2, 40), 15, "not a TLS handshake record"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h extract.ClientHello
			err := extract.ParseClientHello(tt.in, &h)
			var pe *extract.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, want a *ParseError", err)
			}
			want := &extract.ParseError{Proto: "tls", Offset: tt.offset, Reason: tt.reason}
			if diff := cmp.Diff(want, pe); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLooksLikeClientHello(t *testing.T) {
	tests := []struct {
		in   []byte
		want bool
	}{
		{records(specHello(), 0), true},
		{[]byte{22}, true},
		{[]byte{22, 3, 1, 0}, true},
		{[]byte{22, 3, 1, 0, 10, 2}, false}, // ServerHello
		{[]byte{22, 3, 5}, false},
		{[]byte{23, 3, 3}, false},
		{[]byte("GET / HTTP/1.1"), false},
		{nil, false},
	}
	for _, tt := range tests {
		if got := extract.LooksLikeClientHello(tt.in); got != tt.want {
			t.Errorf("LooksLikeClientHello(% x): got %v, want %v", tt.in[:min(len(tt.in), 8)], got, tt.want)
		}
	}
}

func TestTLSAllocs(t *testing.T) {
	one := records(specHello(), 0)
	split := records(specHello(), 100)
	var h extract.ClientHello
	dst := make([]byte, 0, extract.JA4Len)
	if err := extract.ParseClientHello(split, &h); err != nil { // allocates h's joining buffer once
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() {
		for _, in := range [][]byte{one, split} {
			if err := extract.ParseClientHello(in, &h); err != nil {
				t.Fatal(err)
			}
			if len(h.AppendJA4(dst[:0])) != extract.JA4Len {
				t.Fatal("JA4 length")
			}
		}
		extract.LooksLikeClientHello(one)
	}); n != 0 {
		t.Errorf("allocations per run: got %v, want 0", n)
	}
}

func BenchmarkParseClientHello(b *testing.B) {
	for _, tc := range []struct {
		name string
		size int
	}{{"one record", 0}, {"records of 100 bytes", 100}} {
		in := records(specHello(), tc.size)
		b.Run(tc.name, func(b *testing.B) {
			var h extract.ClientHello
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				if err := extract.ParseClientHello(in, &h); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkAppendJA4(b *testing.B) {
	var h extract.ClientHello
	if err := extract.ParseClientHello(records(specHello(), 0), &h); err != nil {
		b.Fatal(err)
	}
	dst := make([]byte, 0, extract.JA4Len)
	b.ReportAllocs()
	for b.Loop() {
		dst = h.AppendJA4(dst[:0])
	}
}
