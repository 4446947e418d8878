package extract_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/selection/extract"
)

// receivedView is a ReceivedField with strings.
type receivedView struct{ From, By, With, Date string }

// mailView is a MailHeaders with comparable fields; each address is
// "<field> <address>".
type mailView struct {
	Addresses                                 []string
	Received                                  []receivedView
	MessageID, Date, MIMEVersion, ContentType string
	Truncated                                 bool
}

func viewMail(h *extract.MailHeaders) mailView {
	v := mailView{MessageID: string(h.MessageID), Date: string(h.Date), MIMEVersion: string(h.MIMEVersion),
		ContentType: string(h.ContentType()), Truncated: h.Truncated}
	for _, a := range h.Addresses() {
		v.Addresses = append(v.Addresses, a.Field.String()+" "+string(a.Addr))
	}
	for _, r := range h.Received() {
		v.Received = append(v.Received, receivedView{string(r.From), string(r.By), string(r.With), string(r.Date)})
	}
	return v
}

func TestParseHeaders(t *testing.T) {
	many := "To: "
	for i := range extract.MaxMailAddresses + 6 {
		if i > 0 {
			many += ",\r\n "
		}
		many += fmt.Sprintf("u%d@example.jp", i)
	}
	manyWant := mailView{Truncated: true}
	for i := range extract.MaxMailAddresses {
		manyWant.Addresses = append(manyWant.Addresses, fmt.Sprintf("To u%d@example.jp", i))
	}
	tests := []struct {
		name  string
		block string
		want  mailView
	}{
		{
			// Group syntax, a quoted display name with a dot, a comma in a
			// quoted name, a bare address after the group.
			name:  "groups",
			block: "To: Friends: alice@x.jp, \"Bob B.\" <bob@y.jp>;, \"Doe, Carol\" <carol@z.jp>, dave@w.jp\r\n",
			want:  mailView{Addresses: []string{"To alice@x.jp", "To bob@y.jp", "To carol@z.jp", "To dave@w.jp"}},
		},
		{
			// An empty group.
			name:  "undisclosed recipients",
			block: "To: undisclosed-recipients:;\r\nCc: list: ;\r\n",
			want:  mailView{},
		},
		{
			// Comments anywhere, one holding what looks like an address.
			name:  "comments",
			block: "From: \"Doe, John\" (work) <john.doe@example.jp> (Comment <fake@evil.example> (nested))\r\n",
			want:  mailView{Addresses: []string{"From john.doe@example.jp"}},
		},
		{
			// Quoted local parts stay quoted.
			name:  "quoted local part",
			block: "To: \"john doe\"@example.jp, <\"a,b\"@example.jp>\r\n",
			want:  mailView{Addresses: []string{`To "john doe"@example.jp`, `To "a,b"@example.jp`}},
		},
		{
			// Obsolete syntax with white space inside an address, rewritten
			// without it; a domain literal.
			name:  "obsolete spacing",
			block: "Cc: john . doe @ example . jp, root@[192.0.2.1]\r\n",
			want:  mailView{Addresses: []string{"Cc john.doe@example.jp", "Cc root@[192.0.2.1]"}},
		},
		{
			// Folded over three lines, CRLF and tab.
			name:  "folded",
			block: "To: a@x.jp,\r\n b@y.jp,\r\n\tc@z.jp\r\n",
			want:  mailView{Addresses: []string{"To a@x.jp", "To b@y.jp", "To c@z.jp"}},
		},
		{
			// The null path and a source route.
			name:  "return path",
			block: "Return-Path: <>\r\nReturn-Path: <@relay.example.jp:bounce@example.jp>\r\n",
			want:  mailView{Addresses: []string{"Return-Path ", "Return-Path bounce@example.jp"}},
		},
		{
			// Encoded words are never decoded: they sit in display names.
			name:  "encoded word",
			block: "From: =?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?= <test@example.jp>\r\n",
			want:  mailView{Addresses: []string{"From test@example.jp"}},
		},
		{
			// Things that are not addresses are dropped.
			name:  "not addresses",
			block: "To: John Doe, @example.jp, user@, user, <a@b@c>, a@b.\r\n",
			want:  mailView{},
		},
		{
			// The media type alone, lower-cased; parameters go.
			name:  "content type",
			block: "Content-Type: Multipart/Mixed;\r\n boundary=\"----=_Part_1\"\r\nContent-Type: text/plain\r\n",
			want:  mailView{ContentType: "multipart/mixed"},
		},
		{
			// Comments and white space around the slash.
			name:  "content type spacing",
			block: "Content-Type: (c) image / jpeg; name=\"photo.jpg\"\r\n",
			want:  mailView{ContentType: "image/jpeg"},
		},
		{
			// A type without a subtype is not a media type.
			name:  "content type invalid",
			block: "Content-Type: text\r\n",
			want:  mailView{},
		},
		{
			// Message-ID folded, Date with a comment and folded; the first of
			// each is kept.
			name: "ids and dates",
			block: "Message-ID:\r\n <abc.123@mail.example.jp>\r\nMessage-ID: <second@x>\r\n" +
				"Date: Tue, 29 Dec 2015\r\n 14:14:08 -0500 (EST)\r\nDate: Wed, 30 Dec 2015 00:00:00 +0000\r\n" +
				"MIME-Version: 1.0 (produced by a mailer)\r\n",
			want: mailView{MessageID: "abc.123@mail.example.jp", Date: "Tue, 29 Dec 2015 14:14:08 -0500", MIMEVersion: "1.0"},
		},
		{
			// A Message-ID with a domain literal, and one without brackets.
			name:  "message id forms",
			block: "message-id: <1234.5678@[127.0.0.1]>\r\n",
			want:  mailView{MessageID: "1234.5678@[127.0.0.1]"},
		},
		{
			// Received: only from, by, with and the date; never the comments,
			// the id or the for clause.
			name: "received",
			block: "Received: from mail.example.jp (John's PC [192.0.2.1])\r\n\tby mx.example.org (Postfix) with ESMTPS id ABC123\r\n" +
				"\tfor <victim@example.org>; Mon, 1 Jan 2024 10:00:00 +0900 (JST)\r\n" +
				"Received: from [IPv6:2001:db8::1] by relay.example.org with LMTP; Mon, 1 Jan 2024 09:59:59 +0900\r\n" +
				"Received: by localhost (Postfix, from userid 0) id 1; Sun, 31 Dec 2023 00:00:00 +0000\r\n" +
				"Received: (qmail 1234 invoked by uid 89); 1 Jan 2024 00:00:00 -0000\r\n",
			want: mailView{Received: []receivedView{
				{From: "mail.example.jp", By: "mx.example.org", With: "ESMTPS", Date: "Mon, 1 Jan 2024 10:00:00 +0900"},
				{From: "[IPv6:2001:db8::1]", By: "relay.example.org", With: "LMTP", Date: "Mon, 1 Jan 2024 09:59:59 +0900"},
				{By: "localhost", Date: "Sun, 31 Dec 2023 00:00:00 +0000"},
				{Date: "1 Jan 2024 00:00:00 -0000"},
			}},
		},
		{
			// Subject, Reply-To, Bcc and the rest are skipped, addresses and
			// all; so is everything after the empty line.
			name: "skipped fields and body",
			block: "Subject: SECRET <leak@evil.example>\r\nReply-To: r@evil.example\r\nBcc: b@evil.example\r\n" +
				"X-Mailer: SECRET\r\nFrom: a@example.jp\r\n\r\nFrom: body@evil.example\r\nTo: x@evil.example\r\n",
			want: mailView{Addresses: []string{"From a@example.jp"}},
		},
		{
			// Bare LF line ends; white space before the colon.
			name:  "bare LF",
			block: "From : a@example.jp\nTo: b@example.jp,\n c@example.jp\n\nTo: body@evil.example\n",
			want:  mailView{Addresses: []string{"From a@example.jp", "To b@example.jp", "To c@example.jp"}},
		},
		{
			// More addresses than fit.
			name:  "too many addresses",
			block: many + "\r\n",
			want:  manyWant,
		},
		{
			// A block cut off inside its last field, as a full DataSkipper
			// buffer never leaves it but a caller might.
			name:  "cut",
			block: "To: a@example.jp, b@exa",
			want:  mailView{Addresses: []string{"To a@example.jp", "To b@exa"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h extract.MailHeaders
			if err := extract.ParseHeaders([]byte(tt.block), &h); err != nil {
				t.Fatalf("ParseHeaders: %v", err)
			}
			got := viewMail(&h)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("headers (-want +got):\n%s", diff)
			}
			if out := fmt.Sprint(got); strings.Contains(out, "SECRET") || strings.Contains(out, "evil") ||
				strings.Contains(out, "John") || strings.Contains(out, "Postfix") || strings.Contains(out, "victim") {
				t.Errorf("output holds content: %s", out)
			}
		})
	}
}

func TestParseHeadersErrors(t *testing.T) {
	tests := []struct {
		name, block string
		offset      int
		reason      string
		want        mailView // what was read before the error
	}{
		{"no colon", "From: a@example.jp\r\nSubject no colon\r\nTo: b@example.jp\r\n", 27, "header line without a field name and colon",
			mailView{Addresses: []string{"From a@example.jp"}}},
		{"continuation first", " folded\r\n", 0, "continuation line without a field", mailView{}},
		{"empty name", ": x\r\n", 0, "header line without a field name and colon", mailView{}},
		{"binary", "\x00\x01\x02", 0, "header line without a field name and colon", mailView{}},
		{"mbox From line", "From sender@example.jp Mon Jan  1 00:00:00 2024\r\n", 4, "header line without a field name and colon", mailView{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h extract.MailHeaders
			err := extract.ParseHeaders([]byte(tt.block), &h)
			var pe *extract.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, want a *ParseError", err)
			}
			want := &extract.ParseError{Proto: "mail", Offset: tt.offset, Reason: tt.reason}
			if diff := cmp.Diff(want, pe); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, viewMail(&h)); diff != "" {
				t.Errorf("headers before the error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseAddress(t *testing.T) {
	tests := []struct {
		in            string
		local, domain string
		ok            bool
	}{
		{"user@example.jp", "user", "example.jp", true},
		{" <First.Last@Example.JP> ", "First.Last", "Example.JP", true},
		{`"john doe"@example.jp`, `"john doe"`, "example.jp", true},
		{`"a@b"@example.jp`, `"a@b"`, "example.jp", true},
		{"root@[192.0.2.1]", "root", "[192.0.2.1]", true},
		{"user+tag@sub.example.jp", "user+tag", "sub.example.jp", true},
		{"ユーザー@例え.jp", "ユーザー", "例え.jp", true}, // RFC 6532
		{"user", "", "", false},
		{"@example.jp", "", "", false},
		{"user@", "", "", false},
		{"a@b@c", "", "", false},
		{"user @example.jp", "", "", false},
		{"user@example.jp (comment)", "", "", false},
		{"John <user@example.jp>", "", "", false},
		{".user@example.jp", "", "", false},
		{"user.@example.jp", "", "", false},
		{"user@example..jp", "", "", false},
		{`"unterminated@example.jp`, "", "", false},
		{"", "", "", false},
		{"<>", "", "", false},
	}
	for _, tt := range tests {
		local, domain, ok := extract.ParseAddress([]byte(tt.in))
		if string(local) != tt.local || string(domain) != tt.domain || ok != tt.ok {
			t.Errorf("ParseAddress(%q): got %q, %q, %v, want %q, %q, %v", tt.in, local, domain, ok, tt.local, tt.domain, tt.ok)
		}
	}
}

func TestMailAllocs(t *testing.T) {
	block := []byte("Received: from [172.16.16.225] (unknown [172.16.16.225])\r\n\tby mail01 (Postfix) with ESMTP id 931C4400D5\r\n" +
		"\tfor <sanders@cyberdyne.local>; Tue, 29 Dec 2015 14:13:51 -0500 (EST)\r\n" +
		"To: Chris Sanders <sanders@cyberdyne.local>, x . y @ z . jp\r\nFrom: Chris Sanders <sanders@skynet.local>\r\n" +
		"Subject: Help!\r\nMessage-ID: <5682DB80.4010607@skynet.local>\r\nDate: Tue, 29 Dec 2015\r\n 14:14:08 -0500\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8; format=flowed\r\n")
	var h extract.MailHeaders
	if n := testing.AllocsPerRun(100, func() {
		if err := extract.ParseHeaders(block, &h); err != nil {
			t.Fatal(err)
		}
		if _, _, ok := extract.ParseAddress([]byte("sanders@skynet.local")); !ok {
			t.Fatal("ParseAddress")
		}
	}); n != 0 {
		t.Errorf("allocations per run: got %v, want 0", n)
	}
}

// TestMailNewValueAllocs pins that a MailHeaders declared per block stays on
// the caller's stack, keeping no slice of itself: it allocates only its
// scratch area, and only when a value needs rewriting.
func TestMailNewValueAllocs(t *testing.T) {
	plain := []byte("From: a@example.jp\r\nDate: Mon, 1 Jan 2024 10:00:00 +0900\r\nMessage-ID: <a@b>\r\n" +
		"Received: from a.jp by b.jp with SMTP; Mon, 1 Jan 2024 10:00:00 +0900\r\n")
	folded := []byte("To: x . y @ z . jp\r\nDate: Mon, 1 Jan 2024\r\n 10:00:00 +0900\r\n")
	for _, tt := range []struct {
		block []byte
		want  float64
	}{{plain, 0}, {folded, 1}} {
		var kept error
		if n := testing.AllocsPerRun(100, func() {
			var h extract.MailHeaders
			kept = extract.ParseHeaders(tt.block, &h)
			if len(h.Addresses()) != 1 || len(h.Date) == 0 {
				t.Fatal("not parsed")
			}
		}); n != tt.want || kept != nil {
			t.Errorf("%q: allocations per run: got %v (error %v), want %v", tt.block, n, kept, tt.want)
		}
	}
}

func BenchmarkParseHeaders(b *testing.B) {
	data := readTestdata(b, "smtp_receiver_3.bin")
	start := strings.Index(string(data), "DATA\r\n") + 6
	end := strings.Index(string(data), "\r\n\r\n") + 2
	block := data[start:end]
	var h extract.MailHeaders
	b.SetBytes(int64(len(block)))
	b.ReportAllocs()
	for b.Loop() {
		if err := extract.ParseHeaders(block, &h); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseAddress(b *testing.B) {
	addr := []byte("sanders@cyberdyne.local")
	b.ReportAllocs()
	for b.Loop() {
		extract.ParseAddress(addr)
	}
}
