package selection

import (
	"bytes"
	"fmt"

	"github.com/acd-platform/acd/internal/selection/criteria"
	"github.com/acd-platform/acd/internal/selection/extract"
	"github.com/acd-platform/acd/internal/selection/packet"
)

// Application protocols the engine reads mechanical information from.
type appKind uint8

const (
	appUnknown appKind = iota // TCP: decided by the client's first bytes
	appNone                   // nothing to read
	appHTTP
	appTLS
	appDNS
	appSMTP
)

var appNames = [...]string{appUnknown: "", appNone: "", appHTTP: "http", appTLS: "tls", appDNS: "dns", appSMTP: "smtp"}

// app is a flow's application-layer state. Only mechanical information is
// kept here, and only for selected flows; the client's unread bytes sit in
// cs.buf until parsed and are zeroed then.
type app struct {
	kind appKind
	cs   stream // client → server
	ss   stream // server → client: DNS over TCP only

	// HTTP: what remains of the current request body, which is skipped
	// without being read.
	skip    int64
	chunked bool
	chunk   extract.ChunkSkipper

	// SMTP.
	smtp *smtpState

	// TLS, for selected flows: the ClientHello's mechanical fields.
	tls *tlsInfo
}

type tlsInfo struct {
	version uint16
	sni     string
	alpn    string
	ja4     string
}

// release returns the flow's buffers, zeroed.
func (a *app) release(pool *bufPool) {
	a.cs.release(pool)
	a.ss.release(pool)
	a.smtp.release(pool)
}

// guessApp picks the protocol from the ports where they say it; TCP flows on
// other ports are decided by their first client bytes.
func guessApp(p *packet.Parsed, srcIsClient bool) appKind {
	server := p.DstPort
	if !srcIsClient {
		server = p.SrcPort
	}
	switch {
	case p.Proto == protoUDP && (p.SrcPort == 53 || p.DstPort == 53):
		return appDNS
	case p.Proto == protoUDP:
		return appNone
	case p.Proto != protoTCP:
		return appNone
	case server == 53:
		return appDNS
	case server == 25 || server == 587 || server == 2525:
		return appSMTP
	}
	return appUnknown
}

// tuple is the flow as the matcher sees it, client first.
func (w *worker) tuple(f *flow) criteria.Tuple {
	cs, cd, sp, dp := f.endpoints()
	return criteria.Tuple{Src: addrOf(cs, f.key.v6), Dst: addrOf(cd, f.key.v6), Proto: f.key.proto, SrcPort: sp, DstPort: dp}
}

// matchDomain selects a pending flow when name matches a domain rule.
func (w *worker) matchDomain(f *flow, name []byte) {
	if f.state != pending || len(name) == 0 {
		return
	}
	t := w.tuple(f)
	if rule, ok := w.m.MatchDomain(&t, name); ok {
		w.selectFlow(f, rule)
	}
}

// matchCommand selects a pending flow when line contains a command pattern.
func (w *worker) matchCommand(f *flow, line []byte) {
	if f.state != pending || len(line) == 0 {
		return
	}
	t := w.tuple(f)
	if rule, ok := w.m.MatchCommand(&t, line); ok {
		w.selectFlow(f, rule)
	}
}

// appPacket reads a packet's application data.
func (w *worker) appPacket(f *flow, side int, p *packet.Parsed, ts int64) {
	a := &f.app
	if p.Proto == protoUDP {
		if a.kind == appDNS {
			if w.dnsMessage(f, p.Payload, ts) && w.dns.Response {
				// The exchange is over: the flow leaves at the next sweep
				// after its linger, not at the idle timeout.
				f.closed = true
			}
		}
		return
	}
	if p.Proto != protoTCP || a.kind == appNone {
		return
	}
	syn := p.TCPFlags&tcpSYN != 0
	if side == 1 {
		if syn && p.TCPFlags&tcpACK != 0 {
			// The SYN-ACK tells where the client's stream starts, even
			// when the client's SYN was not captured.
			a.cs.start(p.Ack)
		}
		if a.kind != appDNS {
			return // replies carry nothing the engine keeps
		}
		b, ok := a.ss.data(&w.pool, p.Seq, syn, p.Payload)
		w.stream(f, &a.ss, b, ok, ts, w.dnsTCP)
		return
	}
	b, ok := a.cs.data(&w.pool, p.Seq, syn, p.Payload)
	if !ok {
		w.c.StreamGiveUps++
		w.unwanted(f)
		return
	}
	if a.kind == appUnknown && len(b) > 0 {
		switch {
		case extract.LooksLikeRequest(b):
			a.kind = appHTTP
		case extract.LooksLikeClientHello(b):
			a.kind = appTLS
		case looksLikeSMTPClient(b):
			a.kind = appSMTP
		default:
			a.kind = appNone
			a.cs.stop(&w.pool)
			w.unwanted(f)
			return
		}
	}
	switch a.kind {
	case appHTTP:
		w.stream(f, &a.cs, b, ok, ts, w.http)
	case appTLS:
		w.stream(f, &a.cs, b, ok, ts, w.clientHello)
	case appSMTP:
		w.stream(f, &a.cs, b, ok, ts, w.smtpClient)
	case appDNS:
		w.stream(f, &a.cs, b, ok, ts, w.dnsTCP)
	}
	if a.cs.off && (a.kind != appDNS || a.ss.off) {
		w.unwanted(f)
	}
}

// stream runs parse over the bytes b a stream yielded and carries what it
// could not use yet; parse returns how many bytes it consumed and false when
// the stream should not be read further.
func (w *worker) stream(f *flow, s *stream, b []byte, ok bool, ts int64, parse func(*flow, []byte, int64) (int, bool)) {
	if !ok {
		w.c.StreamGiveUps++
		return
	}
	if len(b) == 0 {
		return
	}
	n, more := parse(f, b, ts)
	if !more {
		s.stop(&w.pool)
		return
	}
	if !s.keep(&w.pool, b, n) {
		w.c.StreamGiveUps++
	}
}

// unwanted rejects a pending flow once nothing more can be read from it.
func (w *worker) unwanted(f *flow) {
	if f.state == pending {
		f.state = rejected
	}
}

// http reads request heads and skips bodies; one event per request.
func (w *worker) http(f *flow, b []byte, ts int64) (int, bool) {
	a := &f.app
	n := 0
	for n < len(b) {
		rest := b[n:]
		switch {
		case a.skip > 0:
			k := int(min(int64(len(rest)), a.skip))
			a.skip -= int64(k)
			n += k
			continue
		case a.chunked:
			k, done, err := a.chunk.Skip(rest)
			if err != nil {
				return n, false
			}
			n += k
			if done {
				a.chunked = false
			}
			continue
		}
		var r extract.Request
		k, err := extract.ParseRequest(rest, &r)
		if err == extract.ErrNeedMore {
			return n, true
		}
		if err != nil {
			return n, false
		}
		n += k
		w.matchDomain(f, r.Host)
		w.matchCommand(f, r.Line)
		if f.state == selected {
			j := w.beginEvent(f, "http", ts)
			j.bytes("method", r.Method)
			j.key("path")
			j.b = appendJSONString(j.b, extract.AppendPath(w.scratch[:0], r.Target))
			j.bytes("version", r.Version)
			if len(r.Host) > 0 {
				j.key("host")
				j.b = appendJSONString(j.b, extract.Unfold(w.scratch[:0], r.Host))
			}
			if len(r.UserAgent) > 0 {
				j.key("user_agent")
				j.b = appendJSONString(j.b, extract.Unfold(w.scratch[:0], r.UserAgent))
			}
			w.done()
		}
		switch {
		case r.BodyLength == extract.BodyUntilClose:
			return n, false // nothing can follow such a body
		case r.BodyLength == extract.BodyChunked:
			a.chunked = true
			a.chunk.Reset()
		default:
			a.skip = r.BodyLength
		}
	}
	return n, true
}

// clientHello reads the TLS ClientHello; after it the stream is encrypted.
func (w *worker) clientHello(f *flow, b []byte, ts int64) (int, bool) {
	h := &w.hello
	err := extract.ParseClientHello(b, h)
	if err == extract.ErrNeedMore {
		return 0, true
	}
	if err != nil {
		return 0, false
	}
	w.matchDomain(f, h.SNI)
	if f.state == selected {
		f.app.tls = &tlsInfo{
			version: h.Version,
			sni:     string(h.SNI),
			alpn:    string(h.FirstALPN()),
			ja4:     string(h.AppendJA4(w.scratch[:0])),
		}
	}
	return 0, false
}

// dnsMessage reads one DNS message (a UDP payload, or one framed on TCP).
func (w *worker) dnsMessage(f *flow, msg []byte, ts int64) bool {
	m := &w.dns
	if err := extract.ParseDNS(msg, m); err != nil {
		return false
	}
	w.matchDomain(f, m.QName())
	if f.state != selected {
		return true
	}
	j := w.beginEvent(f, "dns", ts)
	j.uint("id", uint64(m.ID))
	j.bool("response", m.Response)
	j.bytes("qname", m.QName())
	j.uint("qtype", uint64(m.QType))
	if m.Response {
		j.uint("rcode", uint64(m.RCode))
		j.arr("answers")
		for _, a := range m.Answers() {
			if j.comma {
				j.b = append(j.b, ',')
			}
			j.comma = true
			j.b = appendAddr(j.b, a)
		}
		j.endArr()
	}
	w.done()
	return true
}

// dnsTCP reads length-framed DNS messages.
func (w *worker) dnsTCP(f *flow, b []byte, ts int64) (int, bool) {
	n := 0
	for len(b)-n >= 2 {
		l := int(b[n])<<8 | int(b[n+1])
		if len(b)-n-2 < l {
			break
		}
		if !w.dnsMessage(f, b[n+2:n+2+l], ts) {
			return n, false
		}
		n += 2 + l
	}
	return n, true
}

// looksLikeSMTPClient reports whether a client opened with HELO or EHLO.
func looksLikeSMTPClient(b []byte) bool {
	if len(b) < 5 {
		return false
	}
	v := b[:5]
	return (bytes.EqualFold(v[:4], []byte("HELO")) || bytes.EqualFold(v[:4], []byte("EHLO"))) && v[4] == ' '
}

// appFlowFields adds the application fields of a flow record.
func (w *worker) appFlowFields(f *flow) {
	j := &w.rec
	if name := appNames[f.app.kind]; name != "" {
		j.str("app", name)
	}
	if t := f.app.tls; t != nil {
		j.object("tls")
		j.str("version", tlsVersion(t.version))
		if t.sni != "" {
			j.str("sni", t.sni)
		}
		if t.alpn != "" {
			j.str("alpn", t.alpn)
		}
		j.str("ja4", t.ja4)
		j.closeNested()
	}
}

// tlsVersion names a TLS version as records show it.
func tlsVersion(v uint16) string {
	switch v {
	case 0x0304:
		return "1.3"
	case 0x0303:
		return "1.2"
	case 0x0302:
		return "1.1"
	case 0x0301:
		return "1.0"
	case 0x0300:
		return "ssl3"
	}
	return fmt.Sprintf("0x%04x", v)
}
