package extract_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/selection/extract"
)

// reqView is a Request with strings, for comparing.
type reqView struct {
	Line, Method, Target, Version string
	Host, UserAgent               *string
	BodyLength                    int64
}

func viewRequest(r *extract.Request) reqView {
	opt := func(b []byte) *string {
		if b == nil {
			return nil
		}
		s := string(b)
		return &s
	}
	return reqView{
		Line: string(r.Line), Method: string(r.Method), Target: string(r.Target), Version: string(r.Version),
		Host: opt(r.Host), UserAgent: opt(r.UserAgent), BodyLength: r.BodyLength,
	}
}

func ptr(s string) *string { return &s }

// readTestdata reads a file of testdata/ (see testdata/README.md).
func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseRequest(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want reqView
		n    int // bytes of the head; -1 for len(in)
	}{
		{
			// The simplest request.
			name: "get",
			in:   "GET / HTTP/1.1\r\nHost: example.jp\r\n\r\n",
			want: reqView{Line: "GET / HTTP/1.1", Method: "GET", Target: "/", Version: "HTTP/1.1", Host: ptr("example.jp")},
			n:    -1,
		},
		{
			// Field names in any case, values trimmed, other fields skipped.
			name: "case and white space",
			in:   "GET /a?b=c HTTP/1.0\r\nuSeR-aGeNt: \t curl/8.5.0 \t\r\nCookie: s=secret\r\nHOST:example.jp:8080\r\n\r\n",
			want: reqView{Line: "GET /a?b=c HTTP/1.0", Method: "GET", Target: "/a?b=c", Version: "HTTP/1.0",
				Host: ptr("example.jp:8080"), UserAgent: ptr("curl/8.5.0")},
			n: -1,
		},
		{
			// Absolute-form, as sent to a proxy.
			name: "absolute form",
			in:   "GET http://example.jp/p?q=1 HTTP/1.1\r\nHost: example.jp\r\n\r\n",
			want: reqView{Line: "GET http://example.jp/p?q=1 HTTP/1.1", Method: "GET", Target: "http://example.jp/p?q=1",
				Version: "HTTP/1.1", Host: ptr("example.jp")},
			n: -1,
		},
		{
			// CONNECT with authority-form.
			name: "connect",
			in:   "CONNECT example.jp:443 HTTP/1.1\r\nHost: example.jp:443\r\nProxy-Authorization: Basic dXNlcjpwYXNz\r\n\r\n",
			want: reqView{Line: "CONNECT example.jp:443 HTTP/1.1", Method: "CONNECT", Target: "example.jp:443",
				Version: "HTTP/1.1", Host: ptr("example.jp:443")},
			n: -1,
		},
		{
			// The head ends at the empty line; the body is not read.
			name: "content length",
			in:   "POST /f HTTP/1.1\r\nContent-Length: 11\r\n\r\nhello=world",
			want: reqView{Line: "POST /f HTTP/1.1", Method: "POST", Target: "/f", Version: "HTTP/1.1", BodyLength: 11},
			n:    len("POST /f HTTP/1.1\r\nContent-Length: 11\r\n\r\n"),
		},
		{
			// A list of equal Content-Length values is one value.
			name: "content length list",
			in:   "POST /f HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\n",
			want: reqView{Line: "POST /f HTTP/1.1", Method: "POST", Target: "/f", Version: "HTTP/1.1", BodyLength: 5},
			n:    -1,
		},
		{
			// Differing Content-Length fields: the body cannot be framed.
			name: "content length conflict",
			in:   "POST /f HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
			want: reqView{Line: "POST /f HTTP/1.1", Method: "POST", Target: "/f", Version: "HTTP/1.1", BodyLength: extract.BodyUntilClose},
			n:    -1,
		},
		{
			// A non-numeric Content-Length: the same.
			name: "content length invalid",
			in:   "POST /f HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
			want: reqView{Line: "POST /f HTTP/1.1", Method: "POST", Target: "/f", Version: "HTTP/1.1", BodyLength: extract.BodyUntilClose},
			n:    -1,
		},
		{
			// Transfer-Encoding wins over Content-Length.
			name: "chunked",
			in:   "POST /u HTTP/1.1\r\nContent-Length: 100\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n",
			want: reqView{Line: "POST /u HTTP/1.1", Method: "POST", Target: "/u", Version: "HTTP/1.1", BodyLength: extract.BodyChunked},
			n:    -1,
		},
		{
			// chunked not last: no framing.
			name: "chunked not last",
			in:   "POST /u HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
			want: reqView{Line: "POST /u HTTP/1.1", Method: "POST", Target: "/u", Version: "HTTP/1.1", BodyLength: extract.BodyUntilClose},
			n:    -1,
		},
		{
			// obs-fold: the folded User-Agent spans both lines.
			name: "folded",
			in:   "GET / HTTP/1.1\r\nUser-Agent: Mozilla/5.0\r\n  (X11; Linux)\r\n\tGecko\r\nHost: a\r\n\r\n",
			want: reqView{Line: "GET / HTTP/1.1", Method: "GET", Target: "/", Version: "HTTP/1.1",
				Host: ptr("a"), UserAgent: ptr("Mozilla/5.0\r\n  (X11; Linux)\r\n\tGecko")},
			n: -1,
		},
		{
			// A folded value that starts on its continuation line.
			name: "folded from empty",
			in:   "GET / HTTP/1.1\r\nHost:\r\n example.jp\r\n\r\n",
			want: reqView{Line: "GET / HTTP/1.1", Method: "GET", Target: "/", Version: "HTTP/1.1", Host: ptr("example.jp")},
			n:    -1,
		},
		{
			// Bare LF line ends, and empty lines before the request line.
			name: "bare LF",
			in:   "\r\n\nPUT /x HTTP/1.1\nHost: h\n\n",
			want: reqView{Line: "PUT /x HTTP/1.1", Method: "PUT", Target: "/x", Version: "HTTP/1.1", Host: ptr("h")},
			n:    -1,
		},
		{
			// Only the first Host counts; an empty value is present but empty.
			name: "duplicate host",
			in:   "GET / HTTP/1.1\r\nHost:\r\nHost: second\r\n\r\n",
			want: reqView{Line: "GET / HTTP/1.1", Method: "GET", Target: "/", Version: "HTTP/1.1", Host: ptr("")},
			n:    -1,
		},
		{
			// An extension method; white space before a colon is tolerated.
			name: "extension method",
			in:   "PROPFIND /dav/ HTTP/1.1\r\nDepth : 1\r\n\r\n",
			want: reqView{Line: "PROPFIND /dav/ HTTP/1.1", Method: "PROPFIND", Target: "/dav/", Version: "HTTP/1.1"},
			n:    -1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r extract.Request
			n, err := extract.ParseRequest([]byte(tt.in), &r)
			if err != nil {
				t.Fatalf("ParseRequest: %v", err)
			}
			wantN := tt.n
			if wantN < 0 {
				wantN = len(tt.in)
			}
			if n != wantN {
				t.Errorf("n: got %d, want %d", n, wantN)
			}
			if diff := cmp.Diff(tt.want, viewRequest(&r)); diff != "" {
				t.Errorf("request (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseRequestNeedMore(t *testing.T) {
	in := []byte("GET /index.html?x=1 HTTP/1.1\r\nHost: example.jp\r\nUser-Agent: t\r\n\r\n")
	var r extract.Request
	for k := range len(in) {
		if _, err := extract.ParseRequest(in[:k], &r); err != extract.ErrNeedMore {
			t.Fatalf("ParseRequest of the first %d bytes: got %v, want ErrNeedMore", k, err)
		}
	}
	if n, err := extract.ParseRequest(in, &r); err != nil || n != len(in) {
		t.Fatalf("ParseRequest: got %d, %v, want %d, nil", n, err, len(in))
	}
}

func TestParseRequestErrors(t *testing.T) {
	long := "GET /" + strings.Repeat("a", extract.MaxHTTPLine) + " HTTP/1.1\r\n\r\n"
	many := "GET / HTTP/1.1\r\n" + strings.Repeat("X-A: b\r\n", extract.MaxHTTPHeaders+1) + "\r\n"
	tests := []struct {
		name   string
		in     string
		offset int
		reason string
	}{
		{"TLS, not HTTP", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n", 0, "request line without a method"},
		{"HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 6, "version is not HTTP/1.x"},
		{"HTTP/0.9", "GET /\r\n", 3, "request line without a version"},
		{"space in target", "GET /a b HTTP/1.1\r\n\r\n", 6, "invalid character in request target"},
		{"control in method", "G\x00T / HTTP/1.1\r\n\r\n", 0, "invalid character in method"},
		{"no colon", "GET / HTTP/1.1\r\nHost example.jp\r\n\r\n", 21, "header line without a colon"},
		{"no name", "GET / HTTP/1.1\r\n: x\r\n\r\n", 16, "header line without a field name"},
		{"fold first", "GET / HTTP/1.1\r\n x\r\n\r\n", 16, "continuation line before any header field"},
		{"control in host", "GET / HTTP/1.1\r\nHost: a\x01b\r\n\r\n", 22, "control character in field value"},
		{"long line", long, 0, "line longer than 8192 bytes"},
		{"long partial line", "GET /" + strings.Repeat("a", extract.MaxHTTPLine+10), 0, "line longer than 8192 bytes"},
		{"too many fields", many, 16 + 8*extract.MaxHTTPHeaders, "more than 64 header fields"},
		{"blank lines", "\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\n\r\n", 8, "too many empty lines before the request line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r extract.Request
			_, err := extract.ParseRequest([]byte(tt.in), &r)
			var pe *extract.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, want a *ParseError", err)
			}
			want := &extract.ParseError{Proto: "http", Offset: tt.offset, Reason: tt.reason}
			if diff := cmp.Diff(want, pe); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

// TestParseRequestCaptures walks the requests of real connections
// (testdata/README.md), skipping bodies, and checks that nothing of the
// Cookie field or the body comes out.
func TestParseRequestCaptures(t *testing.T) {
	firefox := ptr("Mozilla/5.0 (Windows; U; Windows NT 6.1; en-US; rv:1.9.1.7) Gecko/20091221 Firefox/3.5.7")
	tests := []struct {
		file      string
		want      []reqView
		paths     []string
		forbidden []string
	}{
		{
			file: "http_google.bin",
			want: []reqView{{Line: "GET / HTTP/1.1", Method: "GET", Target: "/", Version: "HTTP/1.1",
				Host: ptr("www.google.com"), UserAgent: firefox}},
			paths:     []string{"/"},
			forbidden: []string{"PREF=ID", "NID="},
		},
		{
			// A form POST and, after its body, the next request.
			file: "http_post.bin",
			want: []reqView{
				{Line: "POST /wp-comments-post.php HTTP/1.1", Method: "POST", Target: "/wp-comments-post.php",
					Version: "HTTP/1.1", Host: ptr("www.chrissanders.org"), UserAgent: firefox, BodyLength: 179},
				{Line: "GET /?p=310&cpage=1 HTTP/1.1", Method: "GET", Target: "/?p=310&cpage=1",
					Version: "HTTP/1.1", Host: ptr("www.chrissanders.org"), UserAgent: firefox},
			},
			paths:     []string{"/wp-comments-post.php", "/?p&cpage"},
			forbidden: []string{"__utma", "comment_author", "author=", "email=", "POST+test", "310"},
		},
		{
			file: "http_curl_ipv4.bin",
			want: []reqView{{Line: "GET / HTTP/1.1", Method: "GET", Target: "/", Version: "HTTP/1.1",
				Host: ptr("172.16.16.139"), UserAgent: ptr("curl/7.35.0")}},
			paths: []string{"/"},
		},
		{
			file: "http_curl_ipv6.bin",
			want: []reqView{{Line: "GET / HTTP/1.1", Method: "GET", Target: "/", Version: "HTTP/1.1",
				Host: ptr("[2001:db8:1:2::1000]"), UserAgent: ptr("curl/7.35.0")}},
			paths: []string{"/"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			in := readTestdata(t, tt.file)
			var got []reqView
			var paths []string
			var out []byte
			for len(in) > 0 {
				var r extract.Request
				n, err := extract.ParseRequest(in, &r)
				if err != nil {
					t.Fatalf("after %d requests: ParseRequest: %v", len(got), err)
				}
				got = append(got, viewRequest(&r))
				path := extract.AppendPath(nil, r.Target)
				paths = append(paths, string(path))
				for _, f := range [][]byte{r.Method, path, r.Version, r.Host, r.UserAgent} {
					out = append(out, f...)
				}
				if r.BodyLength < 0 || int64(len(in)-n) < r.BodyLength {
					t.Fatalf("body length %d, %d bytes left", r.BodyLength, len(in)-n)
				}
				in = in[int64(n)+r.BodyLength:]
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.paths, paths); diff != "" {
				t.Errorf("paths (-want +got):\n%s", diff)
			}
			for _, f := range tt.forbidden {
				if bytes.Contains(out, []byte(f)) {
					t.Errorf("output %q holds %q", out, f)
				}
			}
		})
	}
}

// TestPipelined walks a connection of pipelined requests the way the
// engine does: head, then the body skipped by length or by ChunkSkipper.
func TestPipelined(t *testing.T) {
	const fake = "GET /fake2 HTTP/1.1\r\nA: b\r\n\r\n"
	conn := "GET /one?a=1 HTTP/1.1\r\nHost: h\r\n\r\n" +
		"POST /two HTTP/1.1\r\nHost: h\r\nContent-Length: 26\r\n\r\n" +
		"GET /fake HTTP/1.1\r\nX: y\r\n\r\n" + // the body of /two looks like a request
		"POST /three HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" +
		fmt.Sprintf("%x;ext=v\r\n%s\r\n0\r\nTrailer: x\r\n\r\n", len(fake), fake) +
		"\r\n" + // an extra empty line, which servers ignore
		"DELETE /four HTTP/1.1\r\n\r\n"
	var got []string
	b := []byte(conn)
	for len(b) > 0 {
		var r extract.Request
		n, err := extract.ParseRequest(b, &r)
		if err != nil {
			t.Fatalf("after %v: ParseRequest: %v", got, err)
		}
		got = append(got, string(r.Method)+" "+string(extract.AppendPath(nil, r.Target)))
		b = b[n:]
		switch {
		case r.BodyLength > 0:
			b = b[r.BodyLength:]
		case r.BodyLength == extract.BodyChunked:
			var s extract.ChunkSkipper
			k, done, err := s.Skip(b)
			if err != nil || !done {
				t.Fatalf("Skip: got %d, %v, %v, want done", k, done, err)
			}
			b = b[k:]
		}
	}
	want := []string{"GET /one?a", "POST /two", "POST /three", "DELETE /four"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

func TestLooksLikeRequest(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"GET / HTTP/1.1\r\n", true},
		{"CONNECT example.jp:443 HTTP/1.1", true},
		{"PROPFIND /dav", true},
		{"M-SEARCH * HTTP/1.1", true},
		{"VERSION-CONTROL /x", true},
		{"GE", true},        // too short to tell
		{"OPTIO", true},     // too short to tell
		{"get / ", false},   // methods are case-sensitive
		{"GETX / ", false},  // not a method
		{"GET/ ", false},    // no space
		{"\x16\x03", false}, // TLS
		{"EHLO mx", false},  // SMTP
		{"", false},
	}
	for _, tt := range tests {
		if got := extract.LooksLikeRequest([]byte(tt.in)); got != tt.want {
			t.Errorf("LooksLikeRequest(%q): got %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestAppendPath(t *testing.T) {
	long := "/" + strings.Repeat("p", 3000)
	tests := []struct {
		name, in, want string
	}{
		{"spec example", "/a/b?x=1&y=2", "/a/b?x&y"},
		{"no query", "/index.html", "/index.html"},
		{"fragment", "/a#frag?x=1", "/a"},
		{"fragment after query", "/a?x=1#y=2", "/a?x"},
		{"absolute form", "http://host/p?q=1", "/p?q"},
		{"absolute form with user info", "https://user:pass@host:8443/p/q?token=abc&lang=ja", "/p/q?token&lang"},
		{"absolute form without path", "http://host", "/"},
		{"absolute form with only a query", "http://host?a=1", "/?a"},
		{"asterisk", "*", "*"},
		{"authority form", "example.jp:443", ""},
		{"junk", "%%%", ""},
		{"empty names and parameters dropped", "/p?=v&&a=1&=&b", "/p?a&b"},
		{"name without value", "/search?flag&q=secret", "/search?flag&q"},
		{"value with equals", "/p?a=b=c&d=e", "/p?a&d"},
		{"semicolon is not a separator", "/p?a=1;b=2", "/p?a"},
		{"percent-encoding kept", "/%E6%97%A5?%E5%90%8D=%E5%80%A4", "/%E6%97%A5?%E5%90%8D"},
		{"empty query", "/p?", "/p"},
		{"capped", long + "?a=1", long[:extract.MaxPathLen]},
		{"scheme-like in origin form", "/r?u=http://x/y?z=1", "/r?u"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(extract.AppendPath([]byte("pre:"), []byte(tt.in)))
			if got != "pre:"+tt.want {
				t.Errorf("AppendPath(%q): got %q, want %q", tt.in, got, "pre:"+tt.want)
			}
		})
	}
}

func TestUnfold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"a \r\n  b", "a b"},
		{"a\r\n\tb\n c", "a b c"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := string(extract.Unfold([]byte("x "), []byte(tt.in))); got != "x "+tt.want {
			t.Errorf("Unfold(%q): got %q, want %q", tt.in, got, "x "+tt.want)
		}
	}
}

func TestChunkSkipper(t *testing.T) {
	tests := []struct {
		name string
		body string // then "NEXT"
	}{
		{"one chunk", "5\r\nhello\r\n0\r\n\r\n"},
		{"extensions and upper-case hex", "A;name=\"v\" \r\n0123456789\r\n0;last\r\n\r\n"},
		{"trailers", "3\r\nabc\r\n0\r\nExpires: never\r\nX-T: 1\r\n\r\n"},
		{"bare LF", "3\nabc\n0\n\n"},
		{"body that looks like the end", "8\r\n0\r\n\r\n\r\n\r\n0\r\n\r\n"},
		{"leading zeros", "0003\r\nabc\r\n000\r\n\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := []byte(tt.body + "NEXT")
			// Every way of cutting the input in two.
			for cut := 0; cut <= len(in); cut++ {
				var s extract.ChunkSkipper
				n1, done, err := s.Skip(in[:cut])
				if err != nil {
					t.Fatalf("cut %d: first Skip: %v", cut, err)
				}
				total := n1
				if !done {
					if n1 != cut {
						t.Fatalf("cut %d: first Skip consumed %d, want all", cut, n1)
					}
					n2, done2, err := s.Skip(in[cut:])
					if err != nil || !done2 {
						t.Fatalf("cut %d: second Skip: got %d, %v, %v, want done", cut, n2, done2, err)
					}
					total += n2
				}
				if total != len(tt.body) {
					t.Fatalf("cut %d: consumed %d, want %d", cut, total, len(tt.body))
				}
				if n, done, err := s.Skip([]byte("more")); n != 0 || !done || err != nil {
					t.Fatalf("cut %d: Skip after the end: got %d, %v, %v, want 0, true, nil", cut, n, done, err)
				}
			}
		})
	}
}

func TestChunkSkipperErrors(t *testing.T) {
	tests := []struct {
		name, in string
		offset   int
		reason   string
	}{
		{"not hex", "g\r\n", 0, "chunk size is not hexadecimal"},
		{"no size", "\r\n", 0, "chunk size is not hexadecimal"},
		{"junk after size", "5x\r\n", 1, "invalid character after chunk size"},
		{"CR without LF", "5\rx", 2, "CR without LF after chunk size"},
		{"data too long", "2\r\nabc\r\n", 5, "chunk data not followed by CRLF"},
		{"overflow", "fffffffffffffffff\r\n", 15, "chunk size too large"},
		{"bad end", "0\r\n\rx", 4, "CR without LF at the end of the chunked body"},
		{"long extension", "1;" + strings.Repeat("e", extract.MaxHTTPLine), 8194, "chunk-size line longer than 8192 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s extract.ChunkSkipper
			_, _, err := s.Skip([]byte(tt.in))
			want := &extract.ParseError{Proto: "chunked", Offset: tt.offset, Reason: tt.reason}
			var pe *extract.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, want %v", err, want)
			}
			if diff := cmp.Diff(want, pe); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if _, _, again := s.Skip([]byte("0\r\n\r\n")); again != err {
				t.Errorf("Skip after an error: got %v, want the same error", again)
			}
		})
	}
}

func TestHTTPAllocs(t *testing.T) {
	head := readTestdata(t, "http_google.bin")
	var r extract.Request
	dst := make([]byte, 0, extract.MaxPathLen)
	target := []byte("http://user:pw@example.jp/a/b/c?x=1&y=2&z#f")
	chunked := []byte("5\r\nhello\r\n3;x=y\r\nabc\r\n0\r\nT: v\r\n\r\n")
	if n := testing.AllocsPerRun(100, func() {
		if _, err := extract.ParseRequest(head, &r); err != nil {
			t.Fatal(err)
		}
		extract.AppendPath(dst[:0], target)
		extract.Unfold(dst[:0], []byte("a\r\n b"))
		var s extract.ChunkSkipper
		if _, done, err := s.Skip(chunked); !done || err != nil {
			t.Fatal(done, err)
		}
		extract.LooksLikeRequest(head)
	}); n != 0 {
		t.Errorf("allocations per run: got %v, want 0", n)
	}
}

func BenchmarkParseRequest(b *testing.B) {
	for _, file := range []string{"http_curl_ipv4.bin", "http_google.bin"} {
		in := readTestdata(b, file)
		b.Run(strings.TrimSuffix(file, ".bin"), func(b *testing.B) {
			var r extract.Request
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := extract.ParseRequest(in, &r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkAppendPath(b *testing.B) {
	target := []byte("/search/results?q=some+words&lang=ja&page=2&session=0123456789abcdef#top")
	dst := make([]byte, 0, extract.MaxPathLen)
	b.ReportAllocs()
	for b.Loop() {
		dst = extract.AppendPath(dst[:0], target)
	}
}

func BenchmarkChunkSkipper(b *testing.B) {
	var body bytes.Buffer
	for range 64 {
		body.WriteString("400\r\n")
		body.Write(bytes.Repeat([]byte{'x'}, 0x400))
		body.WriteString("\r\n")
	}
	body.WriteString("0\r\n\r\n")
	in := body.Bytes()
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		var s extract.ChunkSkipper
		if _, done, err := s.Skip(in); !done || err != nil {
			b.Fatal(done, err)
		}
	}
}

// TestNewValuesStayOnStack pins that the values of the parsers that run
// once per request, hello or command line can be declared per call, with
// the error kept, without moving to the heap. (Inputs and buffers given to
// them do escape: they are referenced from the values.)
func TestNewValuesStayOnStack(t *testing.T) {
	head := readTestdata(t, "http_google.bin")
	hello := records(specHello(), 0)
	line := []byte("MAIL FROM:<a@example.jp>\r\n")
	chunked := []byte("5\r\nhello\r\n0\r\n\r\n")
	data := []byte("A: b\r\n\r\nbody\r\n.\r\n")
	buf := make([]byte, 0, 64) // the header buffer is the caller's, on the heap
	var kept [5]error
	if n := testing.AllocsPerRun(100, func() {
		var r extract.Request
		_, kept[0] = extract.ParseRequest(head, &r)
		var h extract.ClientHello
		kept[1] = extract.ParseClientHello(hello, &h)
		var c extract.Command
		kept[2] = extract.ParseCommand(line, &c)
		var s extract.ChunkSkipper
		_, _, kept[3] = s.Skip(chunked)
		var d extract.DataSkipper
		d.Reset(buf)
		if _, done := d.Skip(data); !done {
			t.Fatal("not done")
		}
	}); n != 0 || kept != [5]error{} {
		t.Errorf("allocations per run: got %v (errors %v), want 0", n, kept)
	}
}
