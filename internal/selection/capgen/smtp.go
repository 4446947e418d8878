package capgen

import (
	"encoding/base64"
	"strconv"
	"time"
)

// mailUsers are the local parts of mail addresses (with an optional digit).
var mailUsers = [...]string{
	"taro.yamada", "hanako.sato", "ichiro.suzuki", "yuki.tanaka", "kenji.watanabe", "mika.ito",
	"jiro.kobayashi", "sakura.kato", "akira.yoshida", "emi.yamamoto", "daisuke.nakamura", "alice",
	"bob", "carol", "dave", "erin", "frank", "grace", "info", "support", "sales", "noreply", "admin", "billing",
}

// toNames are the display names of To headers (never canaries: From's is).
var toNames = [...]string{"Hanako Sato", "Ichiro Suzuki", "Support Team", "Sales Desk", "Bob", "Carol Smith"}

// attachmentTypes are the media types and file extensions of attachments.
var attachmentTypes = [...][2]string{
	{"application/pdf", ".pdf"},
	{"application/zip", ".zip"},
	{"application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"},
	{"image/png", ".png"},
}

// watchedSMTPServers is how many foreign SMTP servers, from index 0, a fixed
// criteria rule lists by address.
const watchedSMTPServers = 2

// mailAddr is a mail address: user (with num when non-zero) at a zone of a
// pool.
type mailAddr struct{ user, num, zone, pool uint8 }

func (g *gen) randomMailAddr(pool uint8) mailAddr {
	r := g.r
	a := mailAddr{user: uint8(r.intn(len(mailUsers))), zone: uint8(r.intn(len(zones[0]))), pool: pool}
	if r.chance(0.3) {
		a.num = uint8(r.between(1, 9))
	}
	return a
}

func appendMailAddr(dst []byte, a mailAddr) []byte {
	dst = append(dst, mailUsers[a.user]...)
	if a.num > 0 {
		dst = strconv.AppendInt(dst, int64(a.num), 10)
	}
	dst = append(dst, '@')
	return append(dst, zones[a.pool][a.zone]...)
}

// putMailAddr appends a and marks it as a mechanical value of kind k.
func (f *flow) putMailAddr(k mechKind, a mailAddr) {
	start := len(f.buf)
	f.buf = appendMailAddr(f.buf, a)
	f.addMark(uint8(k), start, 0, 0)
}

func (g *gen) setupSMTP(f *flow) {
	r := g.r
	f.name = g.names.server[f.pool[server]][svcSMTP][f.sidx]
	f.helo = uint8(r.between(1, 32))
	f.mailFrom = g.randomMailAddr(f.pool[client])
	f.nrcpt = uint8(r.between(1, 3))
	for i := range f.nrcpt {
		f.rcpt[i] = g.randomMailAddr(f.pool[server])
	}
	f.setPlan(opSMTPGreeting, opSMTPEHLO, opSMTPEHLOReply)
	if r.chance(0.3) {
		f.addPlan(opSMTPEnvelope, opSMTPEnvelopeReply) // PIPELINING
	} else {
		f.addPlan(opSMTPMail, opSMTPOK)
		for range f.nrcpt {
			f.addPlan(opSMTPRcpt, opSMTPOK)
		}
		f.addPlan(opSMTPData, opSMTPGoAhead)
	}
	f.addPlan(opSMTPMessage, opSMTPQueued, opSMTPQuit, opSMTPBye)
	if f.pool[server] == poolForeign && f.sidx < watchedSMTPServers {
		f.matches |= 1 << ruleSMTPServers
	}
}

// appendHELO appends the client's HELO domain, mta<k>.<zone of its pool>.
func (f *flow) appendHELO(dst []byte) []byte {
	dst = append(dst, "mta"...)
	dst = strconv.AppendInt(dst, int64(f.helo), 10)
	dst = append(dst, '.')
	return append(dst, zones[f.pool[client]][int(f.helo)%len(zones[0])]...)
}

func (g *gen) buildSMTP(f *flow, op uint8) {
	switch op {
	case opSMTPGreeting:
		f.from = server
		f.buf = append(f.buf, "220 "...)
		f.buf = append(f.buf, f.name...)
		f.buf = append(f.buf, " ESMTP Postfix\r\n"...)
	case opSMTPEHLO:
		f.from = client
		f.buf = append(f.buf, "EHLO "...)
		start := len(f.buf)
		f.buf = f.appendHELO(f.buf)
		f.addMark(uint8(mechHELO), start, 0, 0)
		f.buf = append(f.buf, "\r\n"...)
	case opSMTPEHLOReply:
		f.from = server
		f.buf = append(f.buf, "250-"...)
		f.buf = append(f.buf, f.name...)
		f.buf = append(f.buf, "\r\n250-PIPELINING\r\n250-SIZE 52428800\r\n250-8BITMIME\r\n250-ENHANCEDSTATUSCODES\r\n250 SMTPUTF8\r\n"...)
	case opSMTPMail:
		f.from = client
		f.appendMail()
	case opSMTPRcpt:
		f.from = client
		f.appendRcpt(int(f.rcptSent))
		f.rcptSent++
	case opSMTPData:
		f.from = client
		f.buf = append(f.buf, "DATA\r\n"...)
	case opSMTPEnvelope:
		f.from = client
		f.appendMail()
		for i := range f.nrcpt {
			f.appendRcpt(int(i))
		}
		f.buf = append(f.buf, "DATA\r\n"...)
	case opSMTPOK:
		f.from = server
		f.buf = append(f.buf, "250 2.1.5 Ok\r\n"...)
	case opSMTPGoAhead:
		f.from = server
		f.buf = append(f.buf, "354 End data with <CR><LF>.<CR><LF>\r\n"...)
	case opSMTPEnvelopeReply:
		f.from = server
		f.buf = append(f.buf, "250 2.1.0 Ok\r\n"...)
		for range f.nrcpt {
			f.buf = append(f.buf, "250 2.1.5 Ok\r\n"...)
		}
		f.buf = append(f.buf, "354 End data with <CR><LF>.<CR><LF>\r\n"...)
	case opSMTPMessage:
		f.from = client
		g.appendMessage(f)
	case opSMTPQueued:
		f.from = server
		f.buf = append(f.buf, "250 2.0.0 Ok: queued as "...)
		f.buf = g.appendHex(f.buf, 10, true)
		f.buf = append(f.buf, "\r\n"...)
	case opSMTPQuit:
		f.from = client
		f.buf = append(f.buf, "QUIT\r\n"...)
	case opSMTPBye:
		f.from = server
		f.buf = append(f.buf, "221 2.0.0 Bye\r\n"...)
	}
}

func (f *flow) appendMail() {
	f.buf = append(f.buf, "MAIL FROM:<"...)
	f.putMailAddr(mechMailFrom, f.mailFrom)
	f.buf = append(f.buf, "> BODY=8BITMIME\r\n"...)
}

func (f *flow) appendRcpt(i int) {
	f.buf = append(f.buf, "RCPT TO:<"...)
	f.putMailAddr(mechRcptTo, f.rcpt[i])
	f.buf = append(f.buf, ">\r\n"...)
}

// appendHex appends n random hex digits.
func (g *gen) appendHex(dst []byte, n int, upper bool) []byte {
	digits := "0123456789abcdef"
	if upper {
		digits = "0123456789ABCDEF"
	}
	v := g.r.u64()
	for i := range n {
		if i == 16 {
			v = g.r.u64()
		}
		dst = append(dst, digits[v&0xf])
		v >>= 4
	}
	return dst
}

// mailDateLayout is the RFC 5322 date-time form.
const mailDateLayout = "Mon, 02 Jan 2006 15:04:05 -0700"

// jst is Japan Standard Time, the zone of the mail dates.
var jst = time.FixedZone("JST", 9*60*60)

// appendMessage appends the DATA section: an RFC 5322 message, a
// multipart/mixed MIME body with a text part and a base64 attachment, ended
// by the lone dot. Content fields (Subject, From's display name, the
// boundary, the text, the attachment's name and bytes) carry canaries.
func (g *gen) appendMessage(f *flow) {
	r := g.r
	now := time.Unix(0, g.now).In(jst)
	if r.chance(0.3) {
		f.buf = append(f.buf, "Return-Path: <"...)
		f.buf = appendMailAddr(f.buf, f.mailFrom)
		f.buf = append(f.buf, ">\r\n"...)
	}
	f.buf = append(f.buf, "Received: from "...)
	f.buf = f.appendHELO(f.buf)
	f.buf = append(f.buf, " (localhost ["...)
	f.buf = addrOf(&f.addr[client], f.v6).AppendTo(f.buf)
	f.buf = append(f.buf, "])\r\n\tby "...)
	f.buf = f.appendHELO(f.buf)
	f.buf = append(f.buf, " (Postfix) with ESMTPSA id "...)
	f.buf = g.appendHex(f.buf, 10, true)
	f.buf = append(f.buf, "\r\n\tfor <"...)
	f.buf = appendMailAddr(f.buf, f.rcpt[0])
	f.buf = append(f.buf, ">; "...)
	f.buf = now.AppendFormat(f.buf, mailDateLayout)
	f.buf = append(f.buf, "\r\nDate: "...)
	f.buf = now.AppendFormat(f.buf, mailDateLayout)
	f.buf = append(f.buf, "\r\nFrom: \""...)
	g.putCanary(f, canaryDisplayName)
	f.buf = append(f.buf, "\" <"...)
	f.putMailAddr(mechHeaderFrom, f.mailFrom)
	f.buf = append(f.buf, ">\r\nTo: "...)
	f.buf = append(f.buf, toNames[r.intn(len(toNames))]...)
	f.buf = append(f.buf, " <"...)
	f.buf = appendMailAddr(f.buf, f.rcpt[0])
	f.buf = append(f.buf, '>')
	if f.nrcpt > 1 {
		f.buf = append(f.buf, ",\r\n "...) // folded
		f.buf = appendMailAddr(f.buf, f.rcpt[1])
	}
	if f.nrcpt > 2 {
		f.buf = append(f.buf, "\r\nCc: "...)
		f.buf = appendMailAddr(f.buf, f.rcpt[2])
	}
	f.buf = append(f.buf, "\r\nSubject: "...)
	g.putCanary(f, canarySubject)
	f.buf = append(f.buf, "\r\nMessage-ID: <"...)
	f.buf = now.AppendFormat(f.buf, "20060102150405")
	f.buf = append(f.buf, '.')
	f.buf = g.appendHex(f.buf, 12, true)
	f.buf = append(f.buf, '@')
	f.buf = append(f.buf, zones[f.mailFrom.pool][f.mailFrom.zone]...)
	f.buf = append(f.buf, ">\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed;\r\n\tboundary=\""...)
	bs := len(f.buf)
	g.putCanary(f, canaryBoundary)
	boundary := [2]int{bs, len(f.buf)}
	f.buf = append(f.buf, "\"\r\n\r\nThis is a multi-part message in MIME format.\r\n\r\n"...)

	// The text part. Some bodies begin with a line that looks like a
	// header, to catch parsers that read past the header block.
	f.appendBoundary(boundary, false)
	f.buf = append(f.buf, "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n"...)
	if r.chance(0.2) {
		f.buf = append(f.buf, "Subject: "...)
	}
	g.putCanary(f, canaryBody)
	f.buf = append(f.buf, "\r\n"...)
	for range r.between(3, 40) {
		f.buf = appendFiller(f.buf, g.text, r.intn(len(g.text)), 72)
		f.buf = append(f.buf, "\r\n"...)
	}
	if r.chance(0.2) {
		f.buf = append(f.buf, "..\r\n"...) // a lone dot, dot-stuffed
	}
	f.buf = append(f.buf, "\r\n"...)

	// The attachment, whose bytes begin with a canary at the start of the
	// first base64 line.
	at := attachmentTypes[r.intn(len(attachmentTypes))]
	f.appendBoundary(boundary, false)
	f.buf = append(f.buf, "Content-Type: "...)
	f.buf = append(f.buf, at[0]...)
	f.buf = append(f.buf, "; name=\""...)
	ns := len(f.buf)
	g.putCanary(f, canaryAttachmentName)
	f.buf = append(f.buf, at[1]...)
	name := [2]int{ns, len(f.buf)}
	f.buf = append(f.buf, "\"\r\nContent-Disposition: attachment; filename=\""...)
	f.buf = append(f.buf, f.buf[name[0]:name[1]]...)
	f.buf = append(f.buf, "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"...)
	raw, n, h := g.canaryInto(g.scratch[:0], canaryAttachmentBytes)
	cl := len(raw)
	raw = appendFiller(raw, g.bin, r.intn(len(g.bin)), r.between(1000, 12000))
	g.scratch = raw
	start := len(f.buf)
	for len(raw) > 0 {
		line := raw[:min(57, len(raw))]
		raw = raw[len(line):]
		f.buf = base64.StdEncoding.AppendEncode(f.buf, line)
		f.buf = append(f.buf, "\r\n"...)
	}
	if g.cfg.Canaries {
		f.addSpan(markCanary+uint8(canaryAttachmentBytes), start, start+base64Canary(cl), n, h)
	}
	f.buf = append(f.buf, "\r\n"...)
	f.appendBoundary(boundary, true)
	f.buf = append(f.buf, ".\r\n"...)
}

// appendBoundary appends a delimiter line of the boundary at b in f.buf.
func (f *flow) appendBoundary(b [2]int, last bool) {
	f.buf = append(f.buf, "--"...)
	f.buf = append(f.buf, f.buf[b[0]:b[1]]...)
	if last {
		f.buf = append(f.buf, "--"...)
	}
	f.buf = append(f.buf, "\r\n"...)
}

// canaryInto appends the next canary of kind k (or filler of its length) to
// dst without marking it, for content that is encoded before it is sent.
func (g *gen) canaryInto(dst []byte, k canaryKind) (out []byte, n, h uint32) {
	n = g.canaryN[k] + 1
	g.canaryN[k] = n
	h = g.r.u32()
	if !g.cfg.Canaries {
		return appendFiller(dst, g.alnum, int(h), canaryLen(k, n)), n, h
	}
	return appendCanaryText(dst, k, n, h), n, h
}
