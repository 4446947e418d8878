package extract_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/dns/dnsmessage"
)

var updateSeeds = flag.Bool("update-seeds", false, "rewrite the seed corpora under testdata/fuzz from seedCorpora")

// A seed is one file of a fuzz target's seed corpus: a name, a comment
// saying what it covers, and the values, one per argument of the target.
type seed struct {
	name, comment string
	values        []any
}

// TestUpdateSeeds writes testdata/fuzz/<target>/seed-<name> for every seed
// of seedCorpora when run with -update-seeds. Files the fuzzer added (named
// by hash, regressions) are left alone.
func TestUpdateSeeds(t *testing.T) {
	if !*updateSeeds {
		t.Skip("run with -update-seeds to rewrite the seed corpora")
	}
	for target, seeds := range seedCorpora(t) {
		dir := filepath.Join("testdata", "fuzz", target)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, s := range seeds {
			var b strings.Builder
			b.WriteString("go test fuzz v1\n")
			for i, v := range s.values {
				switch v := v.(type) {
				case []byte:
					fmt.Fprintf(&b, "[]byte(%s)", strconv.Quote(string(v)))
				case string:
					fmt.Fprintf(&b, "string(%s)", strconv.Quote(v))
				case uint16:
					fmt.Fprintf(&b, "uint16(%d)", v)
				default:
					t.Fatalf("seed %s: value of type %T", s.name, v)
				}
				if i == 0 {
					b.WriteString(" // " + s.comment)
				}
				b.WriteString("\n")
			}
			if err := os.WriteFile(filepath.Join(dir, "seed-"+s.name), []byte(b.String()), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// seedCorpora returns the seeds of every fuzz target.
func seedCorpora(t *testing.T) map[string][]seed {
	smtp1 := readTestdata(t, "smtp_client_1.bin")
	data1 := smtp1[bytes.Index(smtp1, []byte("DATA\r\n"))+6:]
	relay := readTestdata(t, "smtp_receiver_3.bin")
	relayData := relay[bytes.Index(relay, []byte("DATA\r\n"))+6:]
	attach := readTestdata(t, "smtp_attachment.bin")
	attachHead := attach[bytes.Index(attach, []byte("DATA\r\n"))+6 : bytes.Index(attach, []byte("\r\n\r\n"))+4]
	tcpResp := readTestdata(t, "dns_tcp_response.bin")[2:]
	cname := buildDNS(t, dnsmessage.Header{ID: 7, Response: true}, []dnsmessage.Question{{Name: dnsmessage.MustNewName("WWW.Example.JP."),
		Type: dnsmessage.TypeA, Class: dnsmessage.ClassINET}}, func(b *dnsmessage.Builder) {
		b.CNAMEResource(rrh("WWW.Example.JP.", dnsmessage.TypeCNAME), dnsmessage.CNAMEResource{CNAME: dnsmessage.MustNewName("cdn.example.net.")})
		b.AResource(rrh("cdn.example.net.", dnsmessage.TypeA), dnsmessage.AResource{A: [4]byte{192, 0, 2, 1}})
		b.AAAAResource(rrh("cdn.example.net.", dnsmessage.TypeAAAA), dnsmessage.AAAAResource{AAAA: [16]byte{0x20, 1, 0xd, 0xb8, 15: 1}})
	})
	hdr := []byte{0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0}
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	b := func(s string) []byte { return []byte(s) }

	return map[string][]seed{
		"FuzzParseRequest": {
			{"minimal", "the smallest ordinary request", []any{b("GET / HTTP/1.1\r\nHost: example.jp\r\n\r\n")}},
			{"firefox", "a real Firefox GET with cookies (testdata/http_google.bin)", []any{readTestdata(t, "http_google.bin")}},
			{"post-then-get", "a real form POST, its body and the next request (testdata/http_post.bin)", []any{readTestdata(t, "http_post.bin")}},
			{"absolute-form", "a proxy request with user information in the target", []any{b("GET http://u:p@example.jp/a?x=1 HTTP/1.1\r\nHost: example.jp\r\n\r\n")}},
			{"connect", "CONNECT in authority-form", []any{b("CONNECT example.jp:443 HTTP/1.1\r\nHost: example.jp:443\r\n\r\n")}},
			{"chunked", "a chunked body with an extension and a trailer, then another request", []any{b("POST /u HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;e=1\r\nhello\r\n0\r\nT: v\r\n\r\nGET / HTTP/1.1\r\n\r\n")}},
			{"folded", "an obsolete folded User-Agent", []any{b("GET / HTTP/1.1\r\nUser-Agent: a\r\n b\r\n\tc\r\n\r\n")}},
			{"bare-lf", "bare LF line ends after empty lines", []any{b("\r\n\nPUT /x HTTP/1.0\nHost: h\nContent-Length: 3\n\nabc")}},
			{"cl-conflict", "differing Content-Length fields", []any{b("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2, 2\r\n\r\n")}},
			{"te-not-last", "chunked not the last coding", []any{b("POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n")}},
			{"h2-preface", "the HTTP/2 connection preface", []any{b("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")}},
			{"partial", "a head cut short", []any{b("GET /index.html HTTP/1.1\r\nHost: exa")}},
			{"tls", "a TLS ClientHello, not HTTP", []any{records(specHello(), 0)}},
		},
		"FuzzChunkSkipper": {
			{"simple", "one chunk, the end, the next request", []any{b("5\r\nhello\r\n0\r\n\r\nGET"), uint16(4)}},
			{"extensions", "chunk extensions and upper-case hex", []any{b("A;name=\"v\" \r\n0123456789\r\n0;last\r\n\r\n"), uint16(3)}},
			{"trailers", "trailer fields", []any{b("3\r\nabc\r\n0\r\nExpires: never\r\nX-T: 1\r\n\r\nNEXT"), uint16(12)}},
			{"bare-lf", "bare LF everywhere", []any{b("3\nabc\n0\n\n"), uint16(2)}},
			{"overflow", "a chunk size of 17 hex digits", []any{b("fffffffffffffffff\r\n"), uint16(9)}},
			{"no-crlf", "chunk data not followed by CRLF", []any{b("2\r\nabc\r\n0\r\n\r\n"), uint16(5)}},
			{"looks-like-end", "chunk data that looks like the last chunk", []any{b("8\r\n0\r\n\r\n\r\n\r\n0\r\n\r\n"), uint16(7)}},
		},
		"FuzzAppendPath": {
			{"spec", "the documented example: /a/b?x=1&y=2 gives /a/b?x&y", []any{"/a/b?x=1&y=2"}},
			{"absolute", "absolute-form with user information", []any{"https://user:pass@host:8443/p/q?token=abc&lang=ja"}},
			{"absolute-no-path", "absolute-form with only a query", []any{"http://host?a=1"}},
			{"fragment", "a fragment before and after the query", []any{"/a#f?x=1&y=2"}},
			{"empty-names", "empty names and parameters", []any{"/p?=v&&a=1&=&b"}},
			{"equals", "values holding = and a name without value", []any{"/p?a=b=c&flag&d=secret%3D"}},
			{"asterisk", "asterisk-form", []any{"*"}},
			{"authority", "authority-form", []any{"example.jp:443"}},
			{"percent", "percent-encoded names and values", []any{"/%E6%97%A5?%E5%90%8D=%E5%80%A4"}},
			{"long", "a path longer than the cap", []any{"/" + strings.Repeat("p", 2100) + "?a=1"}},
		},
		"FuzzClientHello": {
			{"spec", "the hello of FoxIO's JA4 example with GREASE, in one record", []any{records(specHello(), 0)}},
			{"spec-split", "the same in records of 100 bytes", []any{records(specHello(), 100)}},
			{"spec-bytes", "the same in records of 1 byte", []any{records(specHello(), 1)}},
			{"no-extensions", "an old hello without extensions", []any{records(helloMsg(0x0301, []uint16{0x002f, 0x0035}, nil), 0)}},
			{"alpn-hex", "an ALPN name that is not alphanumeric", []any{records(helloMsg(0x0303, []uint16{1}, []tlsExt{alpnExt("\xab\xcd"), sniExt("a")}), 0)}},
			{"truncated", "a hello cut short", []any{records(specHello(), 0)[:120]}},
			{"http", "HTTP, not TLS", []any{b("GET / HTTP/1.1\r\n\r\n")}},
		},
		"FuzzDNS": {
			{"query", "a real A query (testdata/dns_query_wireshark.bin)", []any{readTestdata(t, "dns_query_wireshark.bin")}},
			{"answer", "its real answer", []any{readTestdata(t, "dns_response_wireshark.bin")}},
			{"any-truncated", "a real truncated ANY answer over UDP", []any{readTestdata(t, "dns_response_ripe_any.bin")}},
			{"any-tcp", "the same answer over TCP, length removed", []any{tcpResp}},
			{"cname", "a CNAME chain with A and AAAA, compressed", []any{cname}},
			{"loop", "a compression pointer to itself", []any{cat(hdr, []byte{0xc0, 12, 0, 1, 0, 1})}},
			{"escapes", "labels with a dot, a backslash, a space and a high byte", []any{cat(hdr, []byte{3, 'a', '.', 'B', 3, 'c', '\\', ' ', 2, 0xe6, 'X', 0, 0, 16, 0, 1})}},
			{"short", "shorter than a header", []any{[]byte{0, 1, 2}}},
		},
		"FuzzSMTP": {
			{"real", "a real MAIL command and the data of a real mail (testdata/smtp_client_1.bin)", []any{b("MAIL FROM:<sanders@skynet.local> SIZE=556\r\n"), data1, uint16(200), uint16(4096)}},
			{"relay", "a real RCPT with ORCPT and a relayed mail with Received", []any{b("RCPT TO:<sanders@cyberdyne.local> ORCPT=rfc822;sanders@cyberdyne.local\r\n"), relayData, uint16(50), uint16(300)}},
			{"stuffed", "dot-stuffed lines, fake headers and commands in the body", []any{b("DATA\r\n"), b("..A: 1\r\nB: 2\r\n\r\nFrom: fake\r\n..\r\n. \r\nx\n.\nRCPT TO:<x>\r\n.\r\nQUIT\r\n"), uint16(9), uint16(100)}},
			{"tiny-buffer", "a header block larger than the buffer", []any{b("BDAT 100 LAST\r\n"), b("A: 12345\r\nB: 12345\r\n\r\n.\r\n"), uint16(3), uint16(12)}},
			{"empty", "an empty mail", []any{b("AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n"), b(".\r\n"), uint16(1), uint16(10)}},
			{"route", "a source route and a quoted local part", []any{b("MAIL FROM:<@a.jp,@b.jp:\"x y\"@c.jp>\r\n"), b("\r\n.\r\n"), uint16(0), uint16(0)}},
		},
		"FuzzHeaders": {
			{"real", "a real header block (testdata/smtp_client_1.bin)", []any{data1}},
			{"relay", "a real relayed header block with Received", []any{relayData}},
			{"multipart", "a real multipart header block (testdata/smtp_attachment.bin)", []any{attachHead}},
			{"groups", "groups, quoted names and comments", []any{b("To: Friends: alice@x.jp, \"Bob B.\" <bob@y.jp>;, \"Doe, C\" (c) <c@z.jp>\r\n")}},
			{"obsolete", "white space inside addresses, routes, literals", []any{b("Cc: john . doe @ example . jp, <@r.jp:u@[192.0.2.1]>\r\nReturn-Path: <>\r\n")}},
			{"received", "Received fields with comments and a for clause", []any{b("Received: from a.jp (b [192.0.2.1])\r\n\tby c.jp (d) with ESMTPS id 1\r\n\tfor <e@f.jp>; Mon, 1 Jan 2024 10:00:00 +0900 (JST)\r\n")}},
			{"types", "a media type with parameters, ids and dates", []any{b("Content-Type: Multipart/Mixed;\r\n boundary=\"x\"\r\nMessage-ID: <a@b>\r\nDate: Mon, 1 Jan 2024\r\n 10:00:00 +0900 (JST)\r\nMIME-Version: 1.0\r\n")}},
			{"bare-lf", "bare LF and white space before a colon", []any{b("From : a@x.jp\nTo: b@y.jp,\n c@z.jp\n\nTo: body@x.jp\n")}},
			{"bad-line", "a line that is not a field", []any{b("From: a@x.jp\r\nnot a field\r\n")}},
		},
	}
}
