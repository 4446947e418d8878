package extract_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/selection/extract"
)

// cmdView is a Command with comparable fields.
type cmdView struct {
	Verb         string
	Domain, Path *string
	Size         int64
	Last         bool
}

func viewCommand(c *extract.Command) cmdView {
	v := cmdView{Verb: c.Verb.String(), Size: c.Size, Last: c.Last}
	if c.Domain != nil {
		v.Domain = ptr(string(c.Domain))
	}
	if c.Path != nil {
		v.Path = ptr(string(c.Path))
	}
	return v
}

func TestParseCommand(t *testing.T) {
	tests := []struct {
		in   string
		want cmdView
	}{
		{"HELO mail.example.jp\r\n", cmdView{Verb: "HELO", Domain: ptr("mail.example.jp")}},
		{"ehlo [192.0.2.1]", cmdView{Verb: "EHLO", Domain: ptr("[192.0.2.1]")}},
		{"EHLO [IPv6:2001:db8::1] extra\r\n", cmdView{Verb: "EHLO", Domain: ptr("[IPv6:2001:db8::1]")}},
		{"HELO\r\n", cmdView{Verb: "HELO"}}, // scanners send it bare
		{"MAIL FROM:<a@b.jp> SIZE=100 BODY=8BITMIME\r\n", cmdView{Verb: "MAIL", Path: ptr("a@b.jp")}},
		{"MAIL FROM:<>\r\n", cmdView{Verb: "MAIL", Path: ptr("")}}, // the null reverse path
		{"mail from: <a@b.jp>\r\n", cmdView{Verb: "MAIL", Path: ptr("a@b.jp")}},
		{"MAIL FROM:<@relay.jp,@r2.jp:user@x.jp>\r\n", cmdView{Verb: "MAIL", Path: ptr("user@x.jp")}},
		{"MAIL FROM:bare@addr.jp SIZE=1\r\n", cmdView{Verb: "MAIL", Path: ptr("bare@addr.jp")}},
		{"RCPT TO:<\"john doe\"@x.jp> NOTIFY=NEVER\r\n", cmdView{Verb: "RCPT", Path: ptr(`"john doe"@x.jp`)}},
		{"RCPT TO:<\"a>b\\\"c\"@x.jp>\r\n", cmdView{Verb: "RCPT", Path: ptr(`"a>b\"c"@x.jp`)}},
		{"RCPT TO:<Postmaster>\r\n", cmdView{Verb: "RCPT", Path: ptr("Postmaster")}},
		{"rcpt to:<sanders@cyberdyne.local> ORCPT=rfc822;sanders@cyberdyne.local\r\n", cmdView{Verb: "RCPT", Path: ptr("sanders@cyberdyne.local")}},
		{"AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n", cmdView{Verb: "AUTH"}}, // credentials are never returned
		{"AUTH LOGIN\r\n", cmdView{Verb: "AUTH"}},
		{"BDAT 1000 LAST\r\n", cmdView{Verb: "BDAT", Size: 1000, Last: true}},
		{"bdat 0\r\n", cmdView{Verb: "BDAT"}},
		{"BDAT 86 last", cmdView{Verb: "BDAT", Size: 86, Last: true}},
		{"DATA\r\n", cmdView{Verb: "DATA"}},
		{"QUIT\n", cmdView{Verb: "QUIT"}},
		{"RSET\r\n", cmdView{Verb: "RSET"}},
		{"NOOP hello\r\n", cmdView{Verb: "NOOP"}},
		{"STARTTLS\r\n", cmdView{Verb: "STARTTLS"}},
		{"VRFY someone\r\n", cmdView{Verb: "VRFY"}},
		{"EXPN staff\r\n", cmdView{Verb: "EXPN"}},
		{"HELP MAIL\r\n", cmdView{Verb: "HELP"}},
		{"XCLIENT ADDR=192.0.2.1\r\n", cmdView{Verb: "UNKNOWN"}},
		{"X-LINK2STATE\r\n", cmdView{Verb: "UNKNOWN"}},
		{"dXNlcm5hbWU\r\n", cmdView{Verb: "UNKNOWN"}}, // a base64 AUTH LOGIN answer: nothing returned
	}
	for _, tt := range tests {
		t.Run(strings.TrimSpace(tt.in), func(t *testing.T) {
			var c extract.Command
			if err := extract.ParseCommand([]byte(tt.in), &c); err != nil {
				t.Fatalf("ParseCommand: %v", err)
			}
			if diff := cmp.Diff(tt.want, viewCommand(&c)); diff != "" {
				t.Errorf("command (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseCommandErrors(t *testing.T) {
	tests := []struct {
		in     string
		offset int
		reason string
	}{
		{"\r\n", 0, "empty command line"},
		{"MAIL", 4, "MAIL or RCPT without FROM: or TO:"},
		{"BDAT", 4, "BDAT without a size"},
		{"MAIL TO:<x@y>\r\n", 5, "MAIL or RCPT without FROM: or TO:"},
		{"RCPT TO:   \r\n", 11, "MAIL or RCPT without a path"},
		{"MAIL FROM:<a@b\r\n", 10, "path without a closing angle bracket"},
		{"MAIL FROM:<@a.jp>\r\n", 11, "source route without a colon"},
		{"BDAT x\r\n", 5, "BDAT without a size"},
		{"BDAT 10 MORE\r\n", 7, "BDAT argument is neither a size nor LAST"},
		{"BDAT 10LAST\r\n", 7, "BDAT argument is neither a size nor LAST"},
		{"BDAT 9999999999999999999\r\n", 5, "BDAT size too large"},
		{"1234 abc\r\n", 0, "command verb is not a word"},
		{"HE\x00LO x\r\n", 2, "command verb is not a word"},
		{"HELO a\rb\r\n", 6, "line break inside a command line"},
		{"VERYLONGVERBNAMEXX\r\n", 0, "command verb too long"},
		{"\x16\x03\x01\x00\xf1\x01", 0, "command verb is not a word"},
	}
	for _, tt := range tests {
		t.Run(strings.TrimSpace(tt.in), func(t *testing.T) {
			var c extract.Command
			err := extract.ParseCommand([]byte(tt.in), &c)
			var pe *extract.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, want a *ParseError", err)
			}
			want := &extract.ParseError{Proto: "smtp", Offset: tt.offset, Reason: tt.reason}
			if diff := cmp.Diff(want, pe); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

// A session is what walkSession makes of a client's side of SMTP.
type session struct {
	Commands []cmdView
	Mails    []mailView
	Trunc    []bool // DataSkipper.Truncated of each mail
}

// walkSession drives the parsers over a client stream the way the engine
// does, handing the bytes over in pieces of chunk bytes: command lines to
// ParseCommand, the data after DATA (or BDAT) to a DataSkipper, its header
// block to ParseHeaders.
func walkSession(t testing.TB, stream []byte, chunk, headerLimit int) session {
	t.Helper()
	var (
		s       session
		pending []byte
		inData  bool
		bdat    int64 // bytes of the current BDAT chunk still to come
		ds      extract.DataSkipper
		hdrBuf  = make([]byte, 0, headerLimit)
		c       extract.Command
		h       extract.MailHeaders
		bdatOn  bool
		bdatEnd bool
	)
	endMail := func() {
		block, _ := ds.Header()
		if err := extract.ParseHeaders(block, &h); err != nil {
			t.Fatalf("ParseHeaders: %v", err)
		}
		s.Mails = append(s.Mails, viewMail(&h))
		s.Trunc = append(s.Trunc, ds.Truncated())
	}
	for len(stream) > 0 {
		n := min(chunk, len(stream))
		pending = append(pending, stream[:n]...)
		stream = stream[n:]
		for {
			if bdat > 0 {
				k := int(min(bdat, int64(len(pending))))
				ds.Skip(pending[:k])
				pending, bdat = pending[k:], bdat-int64(k)
				if bdat > 0 {
					break
				}
				if bdatEnd {
					endMail()
					bdatOn, bdatEnd = false, false
				}
				continue
			}
			if inData {
				k, done := ds.Skip(pending)
				pending = pending[k:]
				if !done {
					break
				}
				endMail()
				inData = false
				continue
			}
			k := bytes.IndexByte(pending, '\n')
			if k < 0 {
				break
			}
			line := pending[:k+1]
			pending = pending[k+1:]
			if err := extract.ParseCommand(line, &c); err != nil {
				t.Fatalf("ParseCommand(%q): %v", line, err)
			}
			s.Commands = append(s.Commands, viewCommand(&c))
			switch c.Verb {
			case extract.VerbDATA:
				ds.Reset(hdrBuf)
				inData = true
			case extract.VerbBDAT:
				if !bdatOn {
					ds.ResetBDAT(hdrBuf)
					bdatOn = true
				}
				bdat, bdatEnd = c.Size, c.Last
				if bdat == 0 && bdatEnd {
					endMail()
					bdatOn, bdatEnd = false, false
				}
			}
		}
	}
	if inData || bdat > 0 || len(pending) > 0 {
		t.Fatalf("stream ends inside data or a line: %q", pending)
	}
	return s
}

// TestSessionCaptures walks real SMTP sessions (testdata/README.md) in
// pieces of several sizes, and checks that no content comes out.
func TestSessionCaptures(t *testing.T) {
	cmd := func(verb, arg string) cmdView {
		switch verb {
		case "EHLO", "HELO":
			return cmdView{Verb: verb, Domain: ptr(arg)}
		case "MAIL", "RCPT":
			return cmdView{Verb: verb, Path: ptr(arg)}
		}
		return cmdView{Verb: verb}
	}
	tests := []struct {
		file      string
		want      session
		forbidden []string
	}{
		{
			file: "smtp_client_1.bin",
			want: session{
				Commands: []cmdView{cmd("EHLO", "[172.16.16.225]"), cmd("MAIL", "sanders@skynet.local"),
					cmd("RCPT", "sanders@cyberdyne.local"), cmd("DATA", ""), cmd("QUIT", "")},
				Mails: []mailView{{
					Addresses: []string{"To sanders@cyberdyne.local", "From sanders@skynet.local"},
					MessageID: "5682DB80.4010607@skynet.local", Date: "Tue, 29 Dec 2015 14:14:08 -0500",
					MIMEVersion: "1.0", ContentType: "text/plain",
				}},
				Trunc: []bool{false},
			},
			forbidden: []string{"Help!", "self aware", "intercept", "Chris", "Thunderbird", "utf-8", "flowed", "7bit"},
		},
		{
			file: "smtp_receiver_3.bin",
			want: session{
				Commands: []cmdView{cmd("EHLO", "mail01"), cmd("MAIL", "sanders@skynet.local"),
					cmd("RCPT", "sanders@cyberdyne.local"), cmd("DATA", ""), cmd("QUIT", "")},
				Mails: []mailView{{
					Addresses: []string{"To sanders@cyberdyne.local", "From sanders@skynet.local"},
					Received: []receivedView{{From: "[172.16.16.225]", By: "mail01", With: "ESMTP",
						Date: "Tue, 29 Dec 2015 14:13:51 -0500"}},
					MessageID: "5682DB80.4010607@skynet.local", Date: "Tue, 29 Dec 2015 14:14:08 -0500",
					MIMEVersion: "1.0", ContentType: "text/plain",
				}},
				Trunc: []bool{false},
			},
			forbidden: []string{"Help!", "self aware", "unknown", "Postfix", "931C4400D5", "EST", "rfc822"},
		},
		{
			// A subject, a body and an attached picture, none of which may
			// come out.
			file: "smtp_attachment.bin",
			want: session{
				Commands: []cmdView{cmd("EHLO", "[172.16.16.225]"), cmd("MAIL", "sanders@skynet.local"),
					cmd("RCPT", "ppa@skynet.local"), cmd("DATA", ""), cmd("QUIT", "")},
				Mails: []mailView{{
					Addresses: []string{"To ppa@skynet.local", "From sanders@skynet.local"},
					MessageID: "56849222.4000609@skynet.local", Date: "Wed, 30 Dec 2015 21:25:38 -0500",
					MIMEVersion: "1.0", ContentType: "multipart/mixed",
				}},
				Trunc: []bool{false},
			},
			forbidden: []string{"New Coworker", "motorcycle", "newguy", "jpg", "jpeg", "050407080301000500070000",
				"boundary", "/9j/", "Chris", "Sanders", "attachment", "base64", "multi-part message"},
		},
	}
	for _, tt := range tests {
		for _, chunk := range []int{1, 7, 64, 1460, 1 << 20} {
			t.Run(fmt.Sprintf("%s in pieces of %d", tt.file, chunk), func(t *testing.T) {
				got := walkSession(t, readTestdata(t, tt.file), chunk, extract.DefaultHeaderLimit)
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("session (-want +got):\n%s", diff)
				}
				out := fmt.Sprint(got)
				for _, f := range tt.forbidden {
					if strings.Contains(out, f) {
						t.Errorf("output holds %q: %s", f, out)
					}
				}
			})
		}
	}
}

// TestSessionTricky walks a made-up session whose bodies try to pass for
// headers and commands.
func TestSessionTricky(t *testing.T) {
	const (
		bdat1 = "Return-Path: <>\r\nTo: dave@example.net\r\n"
		bdat2 = "\r\nSECRET-BDAT-BODY\r\n.\r\nQUIT x\r\n" // not stuffed, no end marker
	)
	stream := "EHLO client.example.jp\r\n" +
		"MAIL FROM:<alice@example.jp>\r\n" +
		"RCPT TO:<bob@example.org>\r\n" +
		"DATA\r\n" +
		"From: Alice <alice@example.jp>\r\n" +
		"To: Friends: bob@example.org,\r\n \"Carol C.\" <carol@example.org>;\r\n" +
		"Subject: SECRET-SUBJECT <leak@evil.example>\r\n" +
		"Content-Type: multipart/alternative;\r\n\tboundary=\"SECRET-BOUNDARY\"\r\n" +
		"..X-Stuffed: a header line that began with a dot\r\n" +
		"\r\n" +
		"--SECRET-BOUNDARY\r\n" +
		"Content-Type: text/html; name=\"SECRET-NAME.html\"\r\n" +
		"From: fake@evil.example\r\n" +
		"Subject: SECRET-FAKE-SUBJECT\r\n" +
		"\r\n" +
		"..\r\n" + // a stuffed lone dot: not the end
		". \r\n" + // a dot and a space: not the end
		"x\n.\n" + // bare LF around a dot: not the end
		"x\r\n.\n" +
		"x\n.\r\n" +
		"RCPT TO:<SECRET-RCPT@evil.example>\r\n" + // a command in the body
		".QUIT\r\n" +
		"--SECRET-BOUNDARY--\r\n" +
		".\r\n" +
		"MAIL FROM:<>\r\n" +
		"RCPT TO:<postmaster@example.org>\r\n" +
		"DATA\r\n" +
		".\r\n" + // an empty mail
		fmt.Sprintf("BDAT %d\r\n%s", len(bdat1), bdat1) +
		fmt.Sprintf("BDAT %d LAST\r\n%s", len(bdat2), bdat2) +
		"QUIT\r\n"
	want := session{
		Commands: []cmdView{
			{Verb: "EHLO", Domain: ptr("client.example.jp")},
			{Verb: "MAIL", Path: ptr("alice@example.jp")},
			{Verb: "RCPT", Path: ptr("bob@example.org")},
			{Verb: "DATA"},
			{Verb: "MAIL", Path: ptr("")},
			{Verb: "RCPT", Path: ptr("postmaster@example.org")},
			{Verb: "DATA"},
			{Verb: "BDAT", Size: int64(len(bdat1))},
			{Verb: "BDAT", Size: int64(len(bdat2)), Last: true},
			{Verb: "QUIT"},
		},
		Mails: []mailView{
			{
				Addresses:   []string{"From alice@example.jp", "To bob@example.org", "To carol@example.org"},
				ContentType: "multipart/alternative",
			},
			{},
			{Addresses: []string{"Return-Path ", "To dave@example.net"}},
		},
		Trunc: []bool{false, false, false},
	}
	for _, chunk := range []int{1, 2, 3, 5, 8, 13, 100, 1 << 20} {
		t.Run(fmt.Sprint(chunk), func(t *testing.T) {
			got := walkSession(t, []byte(stream), chunk, extract.DefaultHeaderLimit)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("session (-want +got):\n%s", diff)
			}
			if out := fmt.Sprint(got); strings.Contains(out, "SECRET") || strings.Contains(out, "evil") {
				t.Errorf("output holds content: %s", out)
			}
		})
	}
}

// TestDataSkipperHeaderBlock checks the header block the skipper keeps:
// unstuffed, cut at the first empty line, cut back to a whole line when the
// buffer fills.
func TestDataSkipperHeaderBlock(t *testing.T) {
	tests := []struct {
		name      string
		data      string // up to and including CRLF.CRLF
		limit     int
		block     string
		truncated bool
	}{
		{"plain", "A: 1\r\nB: 2\r\n\r\nbody\r\n.\r\n", 100, "A: 1\r\nB: 2\r\n", false},
		{"stuffed", "..A: 1\r\n.B: 2\r\n\r\n.\r\n", 100, ".A: 1\r\nB: 2\r\n", false},
		{"no body", "A: 1\r\n.\r\n", 100, "A: 1\r\n", false},
		{"empty", ".\r\n", 100, "", false},
		{"no headers", "\r\nbody\r\n.\r\n", 100, "", false},
		{"CR inside", "A: 1\r2\r\n\r\r\n\r\n.\r\n", 100, "A: 1\r2\r\n\r\r\n", false},
		{"full", "A: 12345\r\nB: 12345\r\nC: 12345\r\n\r\n.\r\n", 25, "A: 12345\r\nB: 12345\r\n", true},
		{"full at once", "A: 12345\r\nB: 1234\r\n\r\n.\r\n", 10, "A: 12345\r\n", true},
		{"full in the first line", "A: 12345678901234567890\r\n\r\n.\r\n", 10, "", true},
		{"bare LF is not a line end", "A: 1\n\nB: 2\r\n\r\n.\r\n", 100, "A: 1\n\nB: 2\r\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := []byte(tt.data + "NEXT")
			for cut := 0; cut <= len(in); cut++ {
				var s extract.DataSkipper
				s.Reset(make([]byte, 0, tt.limit))
				n, done := s.Skip(in[:cut])
				if !done {
					if n != cut {
						t.Fatalf("cut %d: first Skip consumed %d, want all", cut, n)
					}
					k, d := s.Skip(in[cut:])
					if !d {
						t.Fatalf("cut %d: not done", cut)
					}
					n += k
				}
				if n != len(tt.data) {
					t.Fatalf("cut %d: consumed %d, want %d", cut, n, len(tt.data))
				}
				block, complete := s.Header()
				if string(block) != tt.block || !complete || s.Truncated() != tt.truncated {
					t.Fatalf("cut %d: header %q, complete %v, truncated %v; want %q, true, %v",
						cut, block, complete, s.Truncated(), tt.block, tt.truncated)
				}
				if k, d := s.Skip([]byte("more")); k != 0 || !d {
					t.Fatalf("cut %d: Skip after the end: got %d, %v, want 0, true", cut, k, d)
				}
			}
		})
	}
}

func TestSMTPAllocs(t *testing.T) {
	lines := [][]byte{
		[]byte("EHLO [172.16.16.225]\r\n"), []byte("MAIL FROM:<sanders@skynet.local> SIZE=76692\r\n"),
		[]byte("RCPT TO:<ppa@skynet.local>\r\n"), []byte("BDAT 100 LAST\r\n"), []byte("AUTH PLAIN AAAA\r\n"),
	}
	data := readTestdata(t, "smtp_attachment.bin")
	data = data[bytes.Index(data, []byte("DATA\r\n"))+6:]
	buf := make([]byte, 0, extract.DefaultHeaderLimit)
	var c extract.Command
	var s extract.DataSkipper
	if n := testing.AllocsPerRun(20, func() {
		for _, l := range lines {
			if err := extract.ParseCommand(l, &c); err != nil {
				t.Fatal(err)
			}
		}
		s.Reset(buf)
		for p := data; len(p) > 0; {
			k, done := s.Skip(p[:min(len(p), 1460)])
			p = p[k:]
			if done {
				break
			}
		}
	}); n != 0 {
		t.Errorf("allocations per run: got %v, want 0", n)
	}
}

func BenchmarkParseCommand(b *testing.B) {
	line := []byte("MAIL FROM:<sanders@skynet.local> SIZE=76692\r\n")
	var c extract.Command
	b.ReportAllocs()
	for b.Loop() {
		if err := extract.ParseCommand(line, &c); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDataSkipper walks the DATA section of the capture with the
// attachment, in segments of 1460 bytes.
func BenchmarkDataSkipper(b *testing.B) {
	data := readTestdata(b, "smtp_attachment.bin")
	data = data[bytes.Index(data, []byte("DATA\r\n"))+6:]
	buf := make([]byte, 0, extract.DefaultHeaderLimit)
	var s extract.DataSkipper
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		s.Reset(buf)
		for p := data; len(p) > 0; {
			k, done := s.Skip(p[:min(len(p), 1460)])
			p = p[k:]
			if done {
				break
			}
		}
	}
}
