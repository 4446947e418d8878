package extract_test

// Fuzz targets. Each checks that its parser never panics, that every error
// is ErrNeedMore or a *ParseError of the right protocol pointing inside the
// input, and a property of its own, named in its comment. The seed corpus
// of each is under testdata/fuzz/<name>/, one commented file per seed,
// written from seedCorpora (seeds_test.go) by go test -run TestUpdateSeeds
// -update-seeds.

import (
	"bytes"
	"errors"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/dns/dnsmessage"

	"github.com/acd-platform/acd/internal/selection/extract"
)

// checkErr fails unless err is nil, ErrNeedMore (when allowed) or a
// *ParseError of proto with an offset inside an input of n bytes.
func checkErr(t *testing.T, err error, proto string, n int, needMoreOK bool) {
	t.Helper()
	if err == nil || (needMoreOK && err == extract.ErrNeedMore) {
		return
	}
	var pe *extract.ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error %T %v is neither ErrNeedMore nor a *ParseError", err, err)
	}
	if pe.Proto != proto || pe.Offset < 0 || pe.Offset > n {
		t.Fatalf("error %+v: want protocol %s and an offset in [0, %d]", pe, proto, n)
	}
}

// within reports whether s is empty or lies inside b.
func within(b, s []byte) bool {
	if len(s) == 0 {
		return true
	}
	if len(b) == 0 {
		return false
	}
	bs, ss := uintptr(unsafe.Pointer(unsafe.SliceData(b))), uintptr(unsafe.Pointer(unsafe.SliceData(s)))
	return ss >= bs && ss+uintptr(len(s)) <= bs+uintptr(len(b))
}

// FuzzParseRequest checks that a head parses the same when cut to its
// length, that any shorter prefix needs more, that the fields lie inside
// the head, and that a chunked body is walked alike whole and in two pieces.
func FuzzParseRequest(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		var r extract.Request
		n, err := extract.ParseRequest(b, &r)
		checkErr(t, err, "http", len(b), true)
		if err != nil {
			return
		}
		if n <= 0 || n > len(b) {
			t.Fatalf("n = %d for %d bytes", n, len(b))
		}
		head := b[:n]
		for _, s := range [][]byte{r.Line, r.Method, r.Target, r.Version, r.Host, r.UserAgent} {
			if !within(head, s) {
				t.Fatalf("field %q is not inside the head", s)
			}
		}
		if len(r.Method) == 0 || len(r.Target) == 0 || !bytes.HasPrefix(r.Version, []byte("HTTP/1.")) {
			t.Fatalf("request line %q: empty method or target, or version %q", r.Line, r.Version)
		}
		var again extract.Request
		if m, err := extract.ParseRequest(head, &again); err != nil || m != n {
			t.Fatalf("head alone: got %d, %v, want %d, nil", m, err, n)
		}
		if diff := cmp.Diff(viewRequest(&r), viewRequest(&again)); diff != "" {
			t.Fatalf("head alone (-whole +head):\n%s", diff)
		}
		if _, err := extract.ParseRequest(head[:n-1], &again); err != extract.ErrNeedMore {
			t.Fatalf("head less one byte: got %v, want ErrNeedMore", err)
		}
		checkAppendPath(t, string(r.Target))
		if r.BodyLength == extract.BodyChunked {
			checkChunkSkipper(t, b[n:], len(b[n:])/2)
		}
	})
}

// FuzzChunkSkipper checks that a chunked body is walked alike whole, in two
// pieces and byte by byte.
func FuzzChunkSkipper(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte, cut uint16) {
		checkChunkSkipper(t, b, int(cut))
	})
}

type skipResult struct {
	N    int
	Done bool
	Err  string
}

func checkChunkSkipper(t *testing.T, b []byte, cut int) {
	t.Helper()
	cut = min(cut, len(b))
	run := func(pieces [][]byte) skipResult {
		var s extract.ChunkSkipper
		var r skipResult
		for _, p := range pieces {
			n, done, err := s.Skip(p)
			checkErr(t, err, "chunked", len(b), false)
			if err != nil {
				return skipResult{r.N + n, false, err.Error()}
			}
			if !done && n != len(p) {
				t.Fatalf("not done after consuming %d of %d bytes", n, len(p))
			}
			r.N += n
			if done {
				r.Done = true
				return r
			}
		}
		return r
	}
	whole := run([][]byte{b})
	if two := run([][]byte{b[:cut], b[cut:]}); two != whole {
		t.Fatalf("in two pieces at %d: got %+v, want %+v", cut, two, whole)
	}
	var bytewise [][]byte
	for i := range b {
		bytewise = append(bytewise, b[i:i+1])
	}
	if one := run(bytewise); one != whole {
		t.Fatalf("byte by byte: got %+v, want %+v", one, whole)
	}
}

// FuzzAppendPath checks AppendPath against a plain implementation and that
// no query value survives: the query part of the result holds only
// parameter names.
func FuzzAppendPath(f *testing.F) {
	f.Fuzz(func(t *testing.T, target string) {
		checkAppendPath(t, target)
	})
}

var schemePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*$`)

// refAppendPath is AppendPath written plainly with the strings package.
func refAppendPath(t string) string {
	if t == "*" {
		return "*"
	}
	if !strings.HasPrefix(t, "/") {
		i := strings.Index(t, "://")
		if i <= 0 || !schemePattern.MatchString(t[:i]) {
			return ""
		}
		rest := t[i+3:]
		j := strings.IndexAny(rest, "/?#")
		switch {
		case j < 0:
			t = "/"
		case rest[j] != '/':
			t = "/" + rest[j:]
		default:
			t = rest[j:]
		}
	}
	t, _, _ = strings.Cut(t, "#")
	path, query, _ := strings.Cut(t, "?")
	var names []string
	for _, p := range strings.Split(query, "&") {
		if name, _, _ := strings.Cut(p, "="); name != "" {
			names = append(names, name)
		}
	}
	out := path
	if len(names) > 0 {
		out += "?" + strings.Join(names, "&")
	}
	return out[:min(len(out), extract.MaxPathLen)]
}

func checkAppendPath(t *testing.T, target string) {
	t.Helper()
	got := string(extract.AppendPath([]byte("x"), []byte(target)))[1:]
	if want := refAppendPath(target); got != want {
		t.Fatalf("AppendPath(%q): got %q, want %q", target, got, want)
	}
	_, q, hasQ := strings.Cut(got, "?")
	if hasQ && strings.ContainsAny(q, "=#") {
		t.Fatalf("AppendPath(%q) = %q: a value or fragment in the query", target, got)
	}
	// Every value that appears nowhere else in the target stays out. (The
	// check is quadratic: long targets are left to the comparison above.)
	if len(target) > 4096 {
		return
	}
	_, query, _ := strings.Cut(target, "?")
	query, _, _ = strings.Cut(query, "#")
	for _, p := range strings.Split(query, "&") {
		_, v, ok := strings.Cut(p, "=")
		if !ok || len(v) < 4 || strings.Count(target, v) > 1 {
			continue
		}
		if strings.Contains(got, v) {
			t.Fatalf("AppendPath(%q) = %q holds the value %q", target, got, v)
		}
	}
}

var ja4Pattern = regexp.MustCompile(`^t(13|12|11|10|s3|s2|d1|d2|d3|00)[di][0-9]{4}[0-9a-zA-Z]{2}_[0-9a-f]{12}_[0-9a-f]{12}$`)

// FuzzClientHello checks that JA4 matches refJA4 over the parsed lists and
// that the hello parses the same when put into records of another size.
func FuzzClientHello(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		var h extract.ClientHello
		err := extract.ParseClientHello(b, &h)
		checkErr(t, err, "tls", len(b), true)
		if err != nil {
			return
		}
		ja4 := string(h.AppendJA4(nil))
		if !ja4Pattern.MatchString(ja4) {
			t.Fatalf("JA4 %q is malformed", ja4)
		}
		var ciphers, exts, sigs []uint16
		for i := 0; i+1 < len(h.CipherSuites); i += 2 {
			ciphers = append(ciphers, uint16(h.CipherSuites[i])<<8|uint16(h.CipherSuites[i+1]))
		}
		for e := h.Extensions; len(e) >= 4; e = e[4+(int(e[2])<<8|int(e[3])):] {
			exts = append(exts, uint16(e[0])<<8|uint16(e[1]))
		}
		for i := 0; i+1 < len(h.SignatureAlgorithms); i += 2 {
			sigs = append(sigs, uint16(h.SignatureAlgorithms[i])<<8|uint16(h.SignatureAlgorithms[i+1]))
		}
		if want := refJA4(h.Version, h.HasSNI, ciphers, exts, sigs, string(h.FirstALPN())); ja4 != want {
			t.Fatalf("JA4: got %s, want %s", ja4, want)
		}
		// Join the handshake message and split it again.
		var msg []byte
		for off := 0; ; {
			l := int(b[off+3])<<8 | int(b[off+4])
			msg = append(msg, b[off+5:min(len(b), off+5+l)]...)
			off += 5 + l
			if len(msg) >= 4 && len(msg) >= 4+(int(msg[1])<<16|int(msg[2])<<8|int(msg[3])) {
				break
			}
		}
		msg = msg[:4+(int(msg[1])<<16|int(msg[2])<<8|int(msg[3]))]
		resplit := records(msg, 1+len(b)%97)
		resplit[1], resplit[2] = b[1], b[2]
		var again extract.ClientHello
		if err := extract.ParseClientHello(resplit, &again); err != nil {
			t.Fatalf("in records of %d bytes: %v", 1+len(b)%97, err)
		}
		if diff := cmp.Diff(viewHello(&h), viewHello(&again)); diff != "" {
			t.Fatalf("in records of %d bytes (-first +again):\n%s", 1+len(b)%97, diff)
		}
	})
}

// FuzzDNS checks ParseDNS against golang.org/x/net/dns/dnsmessage where
// both accept the message, and ParseDNSTCP against ParseDNS.
func FuzzDNS(f *testing.F) {
	f.Fuzz(func(t *testing.T, msg []byte) {
		var m extract.DNSMessage
		err := extract.ParseDNS(msg, &m)
		checkErr(t, err, "dns", len(msg), false)
		tcp := append([]byte{byte(len(msg) >> 8), byte(len(msg))}, msg...)
		var mt extract.DNSMessage
		n, terr := extract.ParseDNSTCP(tcp, &mt)
		checkErr(t, terr, "dns", len(tcp), false)
		if (err == nil) != (terr == nil) && len(msg) >= 12 {
			t.Fatalf("ParseDNS: %v; ParseDNSTCP: %v", err, terr)
		}
		if err != nil {
			return
		}
		if n != len(tcp) {
			t.Fatalf("ParseDNSTCP: n = %d, want %d", n, len(tcp))
		}
		if diff := cmp.Diff(viewDNS(&m), viewDNS(&mt)); diff != "" {
			t.Fatalf("ParseDNSTCP (-udp +tcp):\n%s", diff)
		}
		q := m.QName()
		if len(q) > extract.MaxQNameLen || bytes.ContainsFunc(q, func(r rune) bool { return 'A' <= r && r <= 'Z' }) {
			t.Fatalf("QName %q: too long or not lower case", q)
		}
		var p dnsmessage.Parser
		h, err := p.Start(msg)
		if err != nil || h.ID != m.ID || h.Response != m.Response || int(h.RCode) != int(m.RCode) {
			return // dnsmessage reads the header the same; anything else is its own strictness
		}
		qs, err := p.AllQuestions()
		if err != nil || len(qs) != int(m.QDCount) {
			return
		}
		if len(qs) > 0 {
			raw := qs[0].Name.String()
			if regexp.MustCompile(`^([A-Za-z0-9_-]+\.)+$`).MatchString(raw) {
				if want := strings.ToLower(strings.TrimSuffix(raw, ".")); string(q) != want {
					t.Fatalf("QName: got %q, dnsmessage read %q", q, raw)
				}
			}
			if uint16(qs[0].Type) != m.QType || uint16(qs[0].Class) != m.QClass {
				t.Fatalf("question type/class: got %d/%d, dnsmessage read %d/%d", m.QType, m.QClass, qs[0].Type, qs[0].Class)
			}
		}
		var addrs []netip.Addr
		cnames := 0
		for range m.ANCount {
			rh, err := p.AnswerHeader()
			if err != nil {
				return
			}
			switch {
			case rh.Class == dnsmessage.ClassINET && rh.Type == dnsmessage.TypeA:
				r, err := p.AResource()
				if err != nil {
					return
				}
				addrs = append(addrs, netip.AddrFrom4(r.A))
			case rh.Class == dnsmessage.ClassINET && rh.Type == dnsmessage.TypeAAAA:
				r, err := p.AAAAResource()
				if err != nil {
					return
				}
				addrs = append(addrs, netip.AddrFrom16(r.AAAA))
			default:
				if rh.Class == dnsmessage.ClassINET && rh.Type == dnsmessage.TypeCNAME {
					cnames++
				}
				if err := p.SkipAnswer(); err != nil {
					return
				}
			}
		}
		if len(addrs) > extract.MaxDNSAnswers {
			addrs = addrs[:extract.MaxDNSAnswers]
		}
		if !slices.Equal(addrs, m.Answers()) || cnames != m.CNAMEs {
			t.Fatalf("answers: got %v and %d CNAMEs, dnsmessage read %v and %d", m.Answers(), m.CNAMEs, addrs, cnames)
		}
	})
}

// FuzzSMTP checks a command line's fields and, for mail data, that the
// DataSkipper gives the same in two pieces as whole and agrees with a plain
// line-by-line reading: the data ends at the first CRLF "." CRLF, and the
// header block is the unstuffed lines before the first empty one.
func FuzzSMTP(f *testing.F) {
	f.Fuzz(func(t *testing.T, line, data []byte, cut, limit uint16) {
		var c extract.Command
		err := extract.ParseCommand(line, &c)
		checkErr(t, err, "smtp", len(line), false)
		if err == nil {
			if !within(line, c.Domain) || !within(line, c.Path) {
				t.Fatalf("ParseCommand(%q): fields outside the line", line)
			}
			if c.Verb.String() == "" {
				t.Fatalf("ParseCommand(%q): verb without a name", line)
			}
			if (c.Verb == extract.VerbAUTH || c.Verb == extract.VerbUnknown) && (c.Domain != nil || c.Path != nil) {
				t.Fatalf("ParseCommand(%q): arguments of %v returned", line, c.Verb)
			}
		}

		lim := int(limit)%(len(data)+2) + 1
		run := func(pieces ...[]byte) (int, bool, string, bool) {
			var s extract.DataSkipper
			s.Reset(make([]byte, 0, lim))
			total := 0
			for _, p := range pieces {
				n, done := s.Skip(p)
				total += n
				if done {
					block, _ := s.Header()
					return total, true, string(block), s.Truncated()
				}
				if n != len(p) {
					t.Fatalf("not done after consuming %d of %d bytes", n, len(p))
				}
			}
			block, _ := s.Header()
			return total, false, string(block), s.Truncated()
		}
		k := int(cut) % (len(data) + 1)
		n1, d1, h1, t1 := run(data)
		n2, d2, h2, t2 := run(data[:k], data[k:])
		if n1 != n2 || d1 != d2 || h1 != h2 || t1 != t2 {
			t.Fatalf("whole: %d %v %q %v; in two at %d: %d %v %q %v", n1, d1, h1, t1, k, n2, d2, h2, t2)
		}
		// The plain reading.
		end := bytes.Index(append([]byte("\r\n"), data...), []byte("\r\n.\r\n"))
		if (end >= 0) != d1 || (d1 && n1 != end+3) {
			t.Fatalf("done %v after %d bytes; want the end at %d", d1, n1, end)
		}
		if !d1 {
			return
		}
		var ref []byte
		for _, l := range strings.Split(string(data[:end]), "\r\n") {
			if l == "" {
				break
			}
			ref = append(ref, strings.TrimPrefix(l, ".")...)
			ref = append(ref, "\r\n"...)
		}
		if end == 0 {
			ref = nil
		}
		switch {
		case !t1 && h1 != string(ref):
			t.Fatalf("header block %q, want %q", h1, ref)
		case t1 && (!strings.HasPrefix(string(ref), h1) || len(h1) > lim || (h1 != "" && !strings.HasSuffix(h1, "\n"))):
			t.Fatalf("truncated header block %q of %q (limit %d)", h1, ref, lim)
		}
		var h extract.MailHeaders
		checkErr(t, extract.ParseHeaders([]byte(h1), &h), "mail", len(h1), false)
	})
}

// FuzzHeaders checks that every address ParseHeaders returns is one that
// ParseAddress accepts whole, that the media type is bare, that Received
// keeps no comment or white space in its words, and that a Subject placed
// before the block never shows in the result.
func FuzzHeaders(f *testing.F) {
	f.Fuzz(func(t *testing.T, block []byte) {
		var h extract.MailHeaders
		checkErr(t, extract.ParseHeaders(block, &h), "mail", len(block), false)
		checkMail(t, &h)

		if bytes.Contains(block, []byte("CANARY")) {
			return
		}
		withSubject := append([]byte("Subject: CANARY\r\n"), block...)
		extract.ParseHeaders(withSubject, &h) //nolint:errcheck // only the result matters here
		checkMail(t, &h)
		for _, s := range mailStrings(&h) {
			if strings.Contains(s, "CANARY") {
				t.Fatalf("Subject shows in %q", s)
			}
		}
	})
}

func mailStrings(h *extract.MailHeaders) []string {
	out := []string{string(h.MessageID), string(h.Date), string(h.MIMEVersion), string(h.ContentType())}
	for _, a := range h.Addresses() {
		out = append(out, string(a.Addr))
	}
	for _, r := range h.Received() {
		out = append(out, string(r.From), string(r.By), string(r.With), string(r.Date))
	}
	return out
}

func checkMail(t *testing.T, h *extract.MailHeaders) {
	t.Helper()
	if len(h.Addresses()) > extract.MaxMailAddresses || len(h.Received()) > extract.MaxReceived {
		t.Fatalf("%d addresses, %d Received", len(h.Addresses()), len(h.Received()))
	}
	for _, a := range h.Addresses() {
		if len(a.Addr) == 0 {
			if a.Field != extract.FieldReturnPath {
				t.Fatalf("empty address in %v", a.Field)
			}
			continue
		}
		local, domain, ok := extract.ParseAddress(a.Addr)
		if !ok || string(local)+"@"+string(domain) != string(a.Addr) {
			t.Fatalf("address %q of %v: ParseAddress gives %q, %q, %v", a.Addr, a.Field, local, domain, ok)
		}
	}
	if ct := string(h.ContentType()); ct != "" {
		if strings.Count(ct, "/") != 1 || strings.ContainsAny(ct, ";=\"() \t\r\n") || strings.ToLower(ct) != ct {
			t.Fatalf("media type %q", ct)
		}
	}
	for _, r := range h.Received() {
		for _, w := range [][]byte{r.From, r.By, r.With} {
			if bytes.ContainsAny(w, "() \t\r\n;<>") && !bytes.HasPrefix(w, []byte("[")) {
				t.Fatalf("Received word %q", w)
			}
		}
	}
	for _, v := range [][]byte{h.Date, h.MIMEVersion} {
		if bytes.ContainsAny(v, "(\r\n") {
			t.Fatalf("value %q holds a comment or line break", v)
		}
	}
}
