package extract

import "bytes"

// A Verb is an SMTP command verb.
type Verb uint8

// The SMTP verbs ParseCommand tells apart (RFC 5321 §4.1, RFC 3030 BDAT,
// RFC 3207 STARTTLS, RFC 4954 AUTH).
const (
	VerbUnknown Verb = iota // a well-formed verb not in this list
	VerbHELO
	VerbEHLO
	VerbMAIL
	VerbRCPT
	VerbDATA
	VerbBDAT
	VerbRSET
	VerbNOOP
	VerbQUIT
	VerbSTARTTLS
	VerbAUTH
	VerbVRFY
	VerbEXPN
	VerbHELP
)

var verbNames = [...]string{
	VerbUnknown:  "UNKNOWN",
	VerbHELO:     "HELO",
	VerbEHLO:     "EHLO",
	VerbMAIL:     "MAIL",
	VerbRCPT:     "RCPT",
	VerbDATA:     "DATA",
	VerbBDAT:     "BDAT",
	VerbRSET:     "RSET",
	VerbNOOP:     "NOOP",
	VerbQUIT:     "QUIT",
	VerbSTARTTLS: "STARTTLS",
	VerbAUTH:     "AUTH",
	VerbVRFY:     "VRFY",
	VerbEXPN:     "EXPN",
	VerbHELP:     "HELP",
}

// String returns the verb in upper case, or "UNKNOWN".
func (v Verb) String() string {
	if int(v) < len(verbNames) {
		return verbNames[v]
	}
	return "UNKNOWN"
}

// maxVerbLen bounds a command verb; real ones are at most 8 letters and the
// longest extensions (XEXCH50, X-LINK2STATE) a few more.
const maxVerbLen = 16

// A Command is what ParseCommand extracts from one SMTP client command line.
// Slices point into the line.
//
// Only mechanical information is kept: AUTH arguments (credentials) and the
// arguments of VRFY, EXPN, HELP and unknown verbs are never returned, nor
// are the ESMTP parameters of MAIL and RCPT.
type Command struct {
	Verb Verb
	// Domain is the HELO/EHLO argument: a domain or an address literal
	// such as "[192.0.2.1]". nil when absent.
	Domain []byte
	// Path is the mailbox of MAIL FROM or RCPT TO, without the angle
	// brackets and any source route: "user@example.org". It is empty but
	// not nil for the null reverse path "<>".
	Path []byte
	// Size and Last are BDAT's chunk size and LAST flag.
	Size int64
	Last bool
}

// ParseCommand parses one SMTP client command line, with or without its
// CRLF, into c. The verb is matched without regard to case. A line whose
// first word is not a plausible verb, or whose arguments are malformed for
// MAIL, RCPT or BDAT, gives a *ParseError. ParseCommand does not allocate.
func ParseCommand(line []byte, c *Command) error {
	*c = Command{}
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
	}
	if len(line) == 0 {
		return perr("smtp", 0, "empty command line")
	}
	if k := bytes.IndexAny(line, "\r\n"); k >= 0 {
		return perr("smtp", k, "line break inside a command line")
	}
	v := 0
	for v < len(line) && line[v] != ' ' {
		ch := line[v]
		if !isAlpha(ch) && (v == 0 || (!isDigit(ch) && ch != '-')) {
			return perr("smtp", v, "command verb is not a word")
		}
		v++
	}
	if v > maxVerbLen {
		return perr("smtp", 0, "command verb too long")
	}
	verb := line[:v]
	args := line[v:]
	if len(args) > 0 {
		args = args[1:]
	}
	off := len(line) - len(args) // of args in line
	switch {
	case equalFold(verb, "helo"):
		c.Verb = VerbHELO
		c.Domain = firstWord(args)
	case equalFold(verb, "ehlo"):
		c.Verb = VerbEHLO
		c.Domain = firstWord(args)
	case equalFold(verb, "mail"):
		c.Verb = VerbMAIL
		return c.parsePath(args, "from:", off)
	case equalFold(verb, "rcpt"):
		c.Verb = VerbRCPT
		return c.parsePath(args, "to:", off)
	case equalFold(verb, "data"):
		c.Verb = VerbDATA
	case equalFold(verb, "bdat"):
		c.Verb = VerbBDAT
		return c.parseBDAT(args, off)
	case equalFold(verb, "rset"):
		c.Verb = VerbRSET
	case equalFold(verb, "noop"):
		c.Verb = VerbNOOP
	case equalFold(verb, "quit"):
		c.Verb = VerbQUIT
	case equalFold(verb, "starttls"):
		c.Verb = VerbSTARTTLS
	case equalFold(verb, "auth"):
		c.Verb = VerbAUTH // its arguments are credentials: never read
	case equalFold(verb, "vrfy"):
		c.Verb = VerbVRFY
	case equalFold(verb, "expn"):
		c.Verb = VerbEXPN
	case equalFold(verb, "help"):
		c.Verb = VerbHELP
	default:
		c.Verb = VerbUnknown
	}
	return nil
}

// firstWord returns the first space-delimited word of b, or nil.
func firstWord(b []byte) []byte {
	b = trimLeftOWS(b)
	if len(b) == 0 {
		return nil
	}
	if k := bytes.IndexAny(b, " \t"); k >= 0 {
		b = b[:k]
	}
	return b
}

// parsePath reads "FROM:<path> params" or "TO:<path> params" (RFC 5321
// §4.1.2). off is the offset of args in the line.
func (c *Command) parsePath(args []byte, keyword string, off int) error {
	if !hasPrefixFold(args, keyword) {
		return perr("smtp", off, "MAIL or RCPT without FROM: or TO:")
	}
	p := len(keyword)
	for p < len(args) && args[p] == ' ' {
		p++ // "MAIL FROM: <a@b>" is common though not allowed
	}
	if p == len(args) {
		return perr("smtp", off+p, "MAIL or RCPT without a path")
	}
	if args[p] != '<' {
		// A bare address, as some clients send: up to the first space.
		w := firstWord(args[p:])
		c.Path = w
		return nil
	}
	start := p + 1
	end := -1
	inQuote := false
	for i := start; i < len(args); i++ {
		ch := args[i]
		if inQuote {
			switch ch {
			case '\\':
				i++
			case '"':
				inQuote = false
			}
			continue
		}
		if ch == '"' {
			inQuote = true
		} else if ch == '>' {
			end = i
			break
		}
	}
	if end < 0 {
		return perr("smtp", off+p, "path without a closing angle bracket")
	}
	path := args[start:end]
	if len(path) > 0 && path[0] == '@' {
		// A source route, "@a,@b:user@c" (RFC 5321 §4.1.2, to be ignored).
		k := bytes.IndexByte(path, ':')
		if k < 0 {
			return perr("smtp", off+start, "source route without a colon")
		}
		path = path[k+1:]
	}
	c.Path = path
	return nil
}

// parseBDAT reads "size [LAST]" (RFC 3030 §2).
func (c *Command) parseBDAT(args []byte, off int) error {
	i := 0
	for i < len(args) && isDigit(args[i]) {
		if i == 18 {
			return perr("smtp", off, "BDAT size too large")
		}
		c.Size = c.Size*10 + int64(args[i]-'0')
		i++
	}
	if i == 0 {
		return perr("smtp", off, "BDAT without a size")
	}
	rest := trimOWS(args[i:])
	switch {
	case len(rest) == 0:
	case len(rest) < len(args)-i && equalFold(rest, "last"):
		c.Last = true
	default:
		return perr("smtp", off+i, "BDAT argument is neither a size nor LAST")
	}
	return nil
}

// DefaultHeaderLimit is a good capacity for the buffer given to
// DataSkipper.Reset: the size of the header block it keeps.
const DefaultHeaderLimit = 32 << 10

// A DataSkipper walks the mail data a client sends after DATA (or in BDAT
// chunks) without keeping the body. It copies the header block (the lines
// up to the first empty line, at most the capacity of the buffer given to
// Reset) and then consumes the body, keeping nothing of it, until the end
// of the data.
//
// After DATA the data is dot-stuffed and ends with CRLF "." CRLF (RFC 5321
// §4.1.1.4, §4.5.2); the skipper removes the stuffing from the header block
// and finds the end across any chunk boundaries. Only the strict CRLF "."
// CRLF ends the data: a bare LF before or after the dot does not, so that
// body lines are never taken for commands (as in "SMTP smuggling").
//
// The engine sees only the client's side: if the server refused DATA with
// something other than 354, the client's next commands would be taken for
// data. It does not allocate. The zero value skips DATA data without
// keeping a header block; Reset or ResetBDAT gives it a buffer.
type DataSkipper struct {
	hdr       []byte // the header block so far, in the caller's buffer
	line      uint8  // position in the current line
	phase     uint8
	truncated bool
	bdat      bool
}

// Phases of a DataSkipper.
const (
	dsHeader = iota // copying the header block
	dsBody          // skipping the body
	dsDone          // the end of the data has been seen
)

// Line positions of a DataSkipper.
const (
	lnBOL   = iota // at the start of a line
	lnBOLCR        // a CR at the start of a line: maybe an empty line
	lnDot          // a dot at the start of a line
	lnDotCR        // a dot and CR at the start of a line
	lnMid          // inside a line
	lnCR           // a CR inside a line
)

// Reset prepares s for the data after a DATA command, collecting the header
// block in buf[:0], up to cap(buf) bytes.
func (s *DataSkipper) Reset(buf []byte) {
	*s = DataSkipper{hdr: buf[:0]}
}

// ResetBDAT prepares s for the chunks of a BDAT transaction (RFC 3030),
// collecting the header block in buf[:0], up to cap(buf) bytes. BDAT data
// is not dot-stuffed and has no end marker: give Skip exactly the bytes of
// the chunks, which it always consumes whole; the transaction ends with the
// chunk whose BDAT command said LAST.
func (s *DataSkipper) ResetBDAT(buf []byte) {
	*s = DataSkipper{hdr: buf[:0], bdat: true}
}

// Skip consumes the part of b that belongs to the mail data. It returns how
// many bytes it consumed and whether the data ended: the client's next
// command then starts at b[consumed:]. Until done, consumed is len(b).
// After the end Skip consumes nothing.
func (s *DataSkipper) Skip(b []byte) (consumed int, done bool) {
	i := 0
	for s.phase == dsHeader && i < len(b) {
		c := b[i]
		i++
		switch s.line {
		case lnBOL:
			switch {
			case c == '.' && !s.bdat:
				s.line = lnDot
			case c == '\r':
				s.line = lnBOLCR
			default:
				s.keep(c)
			}
		case lnBOLCR:
			if c == '\n' {
				s.phase, s.line = dsBody, lnBOL // the empty line ends the header block
				continue
			}
			s.keep('\r')
			s.keep(c)
		case lnDot:
			if c == '\r' {
				s.line = lnDotCR
				continue
			}
			s.keep(c) // the leading dot is dropped (RFC 5321 §4.5.2)
		case lnDotCR:
			if c == '\n' {
				s.phase = dsDone
				return i, true
			}
			s.keep('\r')
			s.keep(c)
		case lnMid, lnCR:
			s.keep(c)
		}
	}
	if s.phase == dsDone {
		return 0, true
	}
	if s.bdat {
		return len(b), false
	}
	for i < len(b) {
		switch s.line {
		case lnMid, lnCR:
			k := bytes.IndexByte(b[i:], '\n')
			if k < 0 {
				if b[len(b)-1] == '\r' {
					s.line = lnCR
				} else {
					s.line = lnMid
				}
				return len(b), false
			}
			if (k > 0 && b[i+k-1] == '\r') || (k == 0 && s.line == lnCR) {
				s.line = lnBOL
			} else {
				s.line = lnMid
			}
			i += k + 1
		case lnBOL, lnBOLCR:
			switch b[i] {
			case '.':
				s.line = lnDot
			case '\r':
				s.line = lnCR
			default:
				s.line = lnMid
			}
			i++
		case lnDot:
			if b[i] == '\r' {
				s.line = lnDotCR
			} else {
				s.line = lnMid
			}
			i++
		case lnDotCR:
			switch b[i] {
			case '\n':
				s.phase = dsDone
				return i + 1, true
			case '\r':
				s.line = lnCR
			default:
				s.line = lnMid
			}
			i++
		}
	}
	return len(b), false
}

// keep adds c, seen inside a header line, to the header block, and tracks
// the line position. When the buffer is full it cuts the block back to its
// last complete line and moves on to the body.
func (s *DataSkipper) keep(c byte) {
	if s.phase != dsHeader {
		s.trackLine(c)
		return
	}
	if len(s.hdr) == cap(s.hdr) {
		if k := bytes.LastIndexByte(s.hdr, '\n'); k >= 0 {
			s.hdr = s.hdr[:k+1]
		} else {
			s.hdr = s.hdr[:0]
		}
		s.truncated = true
		s.phase = dsBody
		s.trackLine(c)
		return
	}
	s.hdr = append(s.hdr, c)
	s.trackLine(c)
}

// trackLine moves the line position past c, a byte inside a line.
func (s *DataSkipper) trackLine(c byte) {
	switch {
	case c == '\r':
		s.line = lnCR
	case c == '\n' && s.line == lnCR:
		s.line = lnBOL
	default:
		s.line = lnMid
	}
}

// Header returns the header block collected so far, without the empty line
// that ends it, and whether it is complete: the empty line or the end of
// the data was seen, or the buffer filled up (see Truncated). The slice
// points into the buffer given to Reset. Pass it to ParseHeaders.
func (s *DataSkipper) Header() (block []byte, complete bool) {
	return s.hdr, s.phase != dsHeader
}

// Truncated reports that the header block filled the buffer and was cut
// back to its last complete line.
func (s *DataSkipper) Truncated() bool { return s.truncated }
