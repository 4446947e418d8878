package selection

import (
	"bytes"

	"github.com/acd-platform/acd/internal/selection/extract"
)

// SMTP session phases.
const (
	smtpCommands uint8 = iota
	smtpData           // after DATA: header block, then body until CRLF.CRLF
	smtpBDAT           // inside a BDAT chunk
)

// Bounds on what one SMTP session keeps of its envelope.
const (
	maxSMTPVerbs = 32
	maxRcpt      = 100
	maxSMTPLine  = 1024 // longer client lines mean this is not SMTP as the engine reads it
)

// smtpState is what a flow keeps of an SMTP session: the envelope, with
// addresses already pseudonymised, and where the client is in the session.
type smtpState struct {
	phase    uint8
	bdatLeft int64
	bdatLast bool
	inMail   bool // a BDAT transaction has begun
	ds       extract.DataSkipper
	hdr      []byte // header block buffer from the pool while in data
	helo     string
	mailFrom string
	hasMail  bool
	rcpt     []string
	verbs    []extract.Verb
}

// smtpClient reads the client's commands, the header block of each message,
// and skips message bodies without keeping them.
func (w *worker) smtpClient(f *flow, b []byte, ts int64) (int, bool) {
	s := f.app.smtp
	if s == nil {
		s = &smtpState{}
		f.app.smtp = s
	}
	n := 0
	for n < len(b) {
		rest := b[n:]
		switch s.phase {
		case smtpData:
			k, done := s.ds.Skip(rest)
			n += k
			if done {
				w.mailHeaders(f, s, ts)
			}
			continue
		case smtpBDAT:
			chunk := rest[:min(int64(len(rest)), s.bdatLeft)]
			k, _ := s.ds.Skip(chunk)
			n += k
			if s.bdatLeft -= int64(k); s.bdatLeft > 0 {
				continue
			}
			if s.bdatLast {
				w.mailHeaders(f, s, ts)
			} else {
				s.phase = smtpCommands
			}
			continue
		}
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			return n, len(rest) <= maxSMTPLine
		}
		line := rest[:i+1]
		n += i + 1
		if !w.smtpCommand(f, s, line, ts) {
			return n, false
		}
	}
	return n, true
}

// smtpCommand handles one client line; false ends reading the session.
func (w *worker) smtpCommand(f *flow, s *smtpState, line []byte, ts int64) bool {
	var c extract.Command
	if err := extract.ParseCommand(line, &c); err != nil {
		if len(line) >= 4 && bytes.EqualFold(line[:4], []byte("BDAT")) {
			// A chunk of unknown size follows: it could not be told
			// from the commands after it, so reading stops here.
			return false
		}
		return true // not a command: a SASL exchange line, or noise
	}
	if c.Verb != extract.VerbUnknown {
		cmd := bytes.TrimRight(line, "\r\n")
		if c.Verb == extract.VerbAUTH {
			cmd = cmd[:min(len(cmd), 4)] // patterns never see credentials
		}
		w.matchCommand(f, cmd)
	}
	if len(s.verbs) < maxSMTPVerbs {
		s.verbs = append(s.verbs, c.Verb)
	}
	switch c.Verb {
	case extract.VerbHELO, extract.VerbEHLO:
		w.matchDomain(f, c.Domain)
		s.helo = string(c.Domain[:min(len(c.Domain), 255)])
		if f.state == pending && !f.wantCommand {
			// HELO was the session's only domain and no command rule
			// can match: nothing more can select it, so its mail is not
			// walked through.
			f.state = rejected
			return false
		}
	case extract.VerbMAIL:
		// The envelope is kept only for a selected flow: a pending one
		// holds no addresses, so its memory stays small.
		s.mailFrom, s.hasMail, s.rcpt = "", false, s.rcpt[:0]
		if f.state == selected {
			s.mailFrom, s.hasMail = w.pseudonymise(c.Path), true
		}
	case extract.VerbRCPT:
		if f.state == selected && len(s.rcpt) < maxRcpt {
			s.rcpt = append(s.rcpt, w.pseudonymise(c.Path))
		}
	case extract.VerbRSET:
		s.mailFrom, s.hasMail, s.rcpt, s.inMail = "", false, s.rcpt[:0], false
	case extract.VerbDATA:
		w.smtpEvent(f, s, ts)
		s.phase = smtpData
		s.ds.Reset(w.headerBuffer(s))
	case extract.VerbBDAT:
		if !s.inMail {
			w.smtpEvent(f, s, ts)
			s.ds.ResetBDAT(w.headerBuffer(s))
			s.inMail = true
		}
		s.phase, s.bdatLeft, s.bdatLast = smtpBDAT, c.Size, c.Last
	case extract.VerbSTARTTLS, extract.VerbQUIT:
		w.smtpEvent(f, s, ts)
		return false // encrypted from here, or over
	}
	return true
}

// headerBuffer lends the session a buffer for a header block; nil (no
// header block kept) when the memory cap is reached.
func (w *worker) headerBuffer(s *smtpState) []byte {
	if s.hdr == nil {
		s.hdr = w.pool.get()
	}
	return s.hdr
}

// pseudonymise turns a mailbox into TOKEN@domain; "" for the null path or
// one that is not an address.
func (w *worker) pseudonymise(addr []byte) string {
	local, domain, ok := extract.ParseAddress(addr)
	if !ok {
		return ""
	}
	return string(w.pseud.AppendAddress(w.scratch[:0], local, domain))
}

// smtpEvent reports the envelope so far (for a selected flow) and starts
// collecting the next one.
func (w *worker) smtpEvent(f *flow, s *smtpState, ts int64) {
	if f.state == selected && (len(s.verbs) > 0 || s.hasMail) {
		j := w.beginEvent(f, "smtp", ts)
		if s.helo != "" {
			j.str("helo", s.helo)
		}
		if s.hasMail {
			j.str("mail_from", s.mailFrom)
		}
		if len(s.rcpt) > 0 {
			j.arr("rcpt_to")
			for _, r := range s.rcpt {
				j.elemBytes([]byte(r))
			}
			j.endArr()
		}
		j.arr("verbs")
		for _, v := range s.verbs {
			j.elemBytes([]byte(v.String()))
		}
		j.endArr()
		j.str("pseudonym_key", w.pseud.KeyID())
		w.done()
	}
	// Each envelope is reported once; HELO stays for the session.
	s.verbs = s.verbs[:0]
	s.mailFrom, s.hasMail, s.rcpt = "", false, s.rcpt[:0]
}

// mailHeaders reports the mechanical fields of a message's header block
// (for a selected flow) when its data has ended, then returns to commands.
func (w *worker) mailHeaders(f *flow, s *smtpState, ts int64) {
	block, _ := s.ds.Header()
	if f.state == selected && len(block) > 0 {
		h := &w.mail
		err := extract.ParseHeaders(block, h)
		j := w.beginEvent(f, "mail", ts)
		w.mailAddresses(j, h, extract.FieldFrom, "from")
		w.mailAddresses(j, h, extract.FieldTo, "to")
		w.mailAddresses(j, h, extract.FieldCc, "cc")
		w.mailAddresses(j, h, extract.FieldReturnPath, "return_path")
		if rs := h.Received(); len(rs) > 0 {
			j.arr("received")
			for _, r := range rs {
				if j.comma {
					j.b = append(j.b, ',')
				}
				j.open()
				optBytes(j, "from", r.From)
				optBytes(j, "by", r.By)
				optBytes(j, "with", r.With)
				optBytes(j, "date", r.Date)
				j.closeNested()
			}
			j.endArr()
		}
		optBytes(j, "message_id", h.MessageID)
		optBytes(j, "date", h.Date)
		optBytes(j, "mime_version", h.MIMEVersion)
		optBytes(j, "content_type", h.ContentType())
		if h.Truncated || s.ds.Truncated() || err != nil {
			j.bool("incomplete", true)
		}
		j.str("pseudonym_key", w.pseud.KeyID())
		w.done()
	}
	// The transaction is over: the next one has its own envelope.
	s.phase, s.inMail = smtpCommands, false
	s.mailFrom, s.hasMail, s.rcpt = "", false, s.rcpt[:0]
	if s.hdr != nil {
		w.pool.put(s.hdr)
		s.hdr = nil
	}
}

// mailAddresses writes the pseudonymised addresses of one field.
func (w *worker) mailAddresses(j *jsonw, h *extract.MailHeaders, field extract.HeaderField, key string) {
	first := true
	for _, a := range h.Addresses() {
		if a.Field != field {
			continue
		}
		if first {
			j.arr(key)
			first = false
		}
		j.elemBytes([]byte(w.pseudonymise(a.Addr)))
	}
	if !first {
		j.endArr()
	}
}

func optBytes(j *jsonw, k string, v []byte) {
	if len(v) > 0 {
		j.bytes(k, v)
	}
}

// release returns the session's header buffer.
func (s *smtpState) release(pool *bufPool) {
	if s != nil && s.hdr != nil {
		pool.put(s.hdr)
		s.hdr = nil
	}
}
