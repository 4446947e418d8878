package extract

import "bytes"

// Limits of ParseRequest. A request head beyond them is reported as a
// *ParseError, so that the engine stops buffering the flow.
const (
	MaxHTTPLine    = 8 << 10 // longest request line or header line, CRLF excluded
	MaxHTTPHeaders = 64      // most header field lines (continuation lines not counted)
	MaxPathLen     = 2048    // most bytes AppendPath appends
)

// Values of Request.BodyLength other than a byte count.
const (
	// BodyUntilClose means the body cannot be framed: a transfer coding other
	// than chunked, or an invalid or contradictory Content-Length. A server
	// answers such a request with 400 and closes, so no pipelined request
	// can follow it.
	BodyUntilClose int64 = -1
	// BodyChunked means the body is in the chunked transfer coding; walk it
	// with a ChunkSkipper to find the next request.
	BodyChunked int64 = -2
)

// maxLeadingBlankLines is how many empty lines ParseRequest skips before a
// request line (RFC 9112 §2.2: a server SHOULD ignore at least one, which
// clients send after a body).
const maxLeadingBlankLines = 4

// A Request is the head of one HTTP/1.x request. Every slice points into the
// input of ParseRequest and is valid as long as that input is.
//
// Line and Target are the request line and target as sent: they hold query
// VALUES, which are content, and may be matched by machine but MUST NOT be
// emitted or stored; emit AppendPath(nil, Target) instead. Cookie,
// Authorization and the body are never looked at.
type Request struct {
	Line    []byte // request line without its line break
	Method  []byte // method token, as sent (case-sensitive)
	Target  []byte // request target, as sent
	Version []byte // "HTTP/1.0", "HTTP/1.1" or another "HTTP/1.x"
	// Host and UserAgent are the values of the first Host and User-Agent
	// fields, trimmed of white space; nil when absent. A value continued on
	// an obsolete folded line keeps its line breaks: pass it through Unfold
	// before printing it.
	Host      []byte
	UserAgent []byte
	// BodyLength is the length of the body that follows the head: 0 when
	// there is none, a byte count from Content-Length, BodyChunked or
	// BodyUntilClose (RFC 9112 §6.3: Transfer-Encoding wins over
	// Content-Length).
	BodyLength int64
}

// ParseRequest parses the HTTP/1.x request head at the start of b into r.
// It returns n, the number of bytes up to and including the empty line that
// ends the head (the body or the next pipelined request starts at b[n:]).
//
// It returns ErrNeedMore when b ends inside the head, and a *ParseError when
// b is not an HTTP/1.x request head or breaks a limit. Header field names
// are matched without regard to case; obsolete line folding and bare LF line
// ends are accepted. ParseRequest does not allocate.
func ParseRequest(b []byte, r *Request) (n int, err error) {
	*r = Request{}
	i := 0
	var line []byte
	for blank := 0; ; blank++ {
		var ok bool
		line, n, ok, err = nextHTTPLine(b, i)
		if err != nil || !ok {
			return 0, err
		}
		if len(line) > 0 {
			break
		}
		if blank == maxLeadingBlankLines {
			return 0, perr("http", i, "too many empty lines before the request line")
		}
		i = n
	}
	if err := r.parseRequestLine(line, i); err != nil {
		return 0, err
	}

	var (
		fields     int
		cur        *[]byte // Host or UserAgent when the last field was one of them
		curStart   int     // offset in b of cur's value
		clSeen     bool
		clBad      bool
		cl         int64
		teSeen     bool
		teChunked  bool
		lineOffset int
	)
	for {
		lineOffset = n
		var ok bool
		line, n, ok, err = nextHTTPLine(b, n)
		if !ok {
			return 0, err
		}
		if len(line) == 0 {
			switch {
			case teSeen && teChunked:
				r.BodyLength = BodyChunked
			case teSeen || clBad:
				r.BodyLength = BodyUntilClose
			case clSeen:
				r.BodyLength = cl
			}
			return n, nil
		}
		if line[0] == ' ' || line[0] == '\t' {
			// obs-fold (RFC 9112 §5.2): the line continues the previous value.
			if fields == 0 {
				return 0, perr("http", lineOffset, "continuation line before any header field")
			}
			if cur != nil {
				v := trimOWS(line)
				if len(v) > 0 {
					if !validFieldValue(v) {
						return 0, perr("http", lineOffset, "control character in field value")
					}
					start := lineOffset + (len(line) - len(trimLeftOWS(line)))
					if len(*cur) == 0 {
						curStart = start // the value begins on this line
					}
					*cur = b[curStart : start+len(v)]
				}
			}
			continue
		}
		fields++
		if fields > MaxHTTPHeaders {
			return 0, perr("http", lineOffset, "more than 64 header fields")
		}
		j := 0
		for j < len(line) && isTchar(line[j]) {
			j++
		}
		if j == 0 {
			return 0, perr("http", lineOffset, "header line without a field name")
		}
		name := line[:j]
		for j < len(line) && (line[j] == ' ' || line[j] == '\t') {
			j++ // white space before the colon is invalid; tolerated here
		}
		if j == len(line) || line[j] != ':' {
			return 0, perr("http", lineOffset+j, "header line without a colon")
		}
		raw := line[j+1:]
		v := trimOWS(raw)
		vStart := lineOffset + j + 1 + (len(raw) - len(trimLeftOWS(raw)))
		cur = nil
		switch len(name) {
		case 4:
			if equalFold(name, "host") && r.Host == nil {
				if !validFieldValue(v) {
					return 0, perr("http", vStart, "control character in field value")
				}
				r.Host = v
				cur, curStart = &r.Host, vStart
			}
		case 10:
			if equalFold(name, "user-agent") && r.UserAgent == nil {
				if !validFieldValue(v) {
					return 0, perr("http", vStart, "control character in field value")
				}
				r.UserAgent = v
				cur, curStart = &r.UserAgent, vStart
			}
		case 14:
			if equalFold(name, "content-length") {
				x, ok := parseContentLength(v)
				switch {
				case !ok:
					clBad = true
				case clSeen && x != cl:
					clBad = true
				default:
					cl = x
				}
				clSeen = true
			}
		case 17:
			if equalFold(name, "transfer-encoding") {
				teSeen = true
				teChunked = lastCodingIsChunked(v)
			}
		}
	}
}

// parseRequestLine fills r's request-line fields from line, which starts at
// offset off of the input.
func (r *Request) parseRequestLine(line []byte, off int) error {
	sp := bytes.IndexByte(line, ' ')
	if sp <= 0 {
		return perr("http", off, "request line without a method")
	}
	for _, c := range line[:sp] {
		if !isTchar(c) {
			return perr("http", off, "invalid character in method")
		}
	}
	last := bytes.LastIndexByte(line, ' ')
	if last == sp {
		return perr("http", off+sp, "request line without a version")
	}
	target := line[sp+1 : last]
	if len(target) == 0 {
		return perr("http", off+sp+1, "empty request target")
	}
	for k, c := range target {
		if c <= ' ' || c == 0x7f {
			return perr("http", off+sp+1+k, "invalid character in request target")
		}
	}
	version := line[last+1:]
	if len(version) != 8 || string(version[:7]) != "HTTP/1." || version[7] < '0' || version[7] > '9' {
		return perr("http", off+last+1, "version is not HTTP/1.x")
	}
	r.Line, r.Method, r.Target, r.Version = line, line[:sp], target, version
	return nil
}

// nextHTTPLine returns the line that starts at b[i:] without its CRLF or
// LF, and the offset of the next line. ok is false when b ends inside the
// line; err is set when the line is longer than MaxHTTPLine.
func nextHTTPLine(b []byte, i int) (line []byte, next int, ok bool, err error) {
	j := bytes.IndexByte(b[i:], '\n')
	if j < 0 {
		if len(b)-i > MaxHTTPLine+1 {
			return nil, 0, false, perr("http", i, "line longer than 8192 bytes")
		}
		return nil, 0, false, ErrNeedMore
	}
	line = b[i : i+j]
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	if len(line) > MaxHTTPLine {
		return nil, 0, false, perr("http", i, "line longer than 8192 bytes")
	}
	return line, i + j + 1, true, nil
}

// parseContentLength parses a Content-Length value, which may be a list of
// identical counts (RFC 9110 §8.6).
func parseContentLength(v []byte) (int64, bool) {
	var first int64 = -1
	for len(v) > 0 {
		var item []byte
		if k := bytes.IndexByte(v, ','); k >= 0 {
			item, v = trimOWS(v[:k]), v[k+1:]
		} else {
			item, v = trimOWS(v), nil
		}
		if len(item) == 0 || len(item) > 18 {
			return 0, false
		}
		var x int64
		for _, c := range item {
			if c < '0' || c > '9' {
				return 0, false
			}
			x = x*10 + int64(c-'0')
		}
		if first >= 0 && x != first {
			return 0, false
		}
		first = x
	}
	return first, first >= 0
}

// lastCodingIsChunked reports whether the last transfer coding in a
// Transfer-Encoding value is chunked (RFC 9112 §6.3).
func lastCodingIsChunked(v []byte) bool {
	if k := bytes.LastIndexByte(v, ','); k >= 0 {
		v = v[k+1:]
	}
	return equalFold(trimOWS(v), "chunked")
}

// validFieldValue reports whether v holds only field-value bytes: HTAB, SP,
// visible ASCII and obs-text (RFC 9110 §5.5). Line breaks of obsolete
// folding are the caller's to allow.
func validFieldValue(v []byte) bool {
	for _, c := range v {
		if (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

// knownMethods are the methods LooksLikeRequest accepts: RFC 9110, PATCH,
// WebDAV and its extensions, CalDAV, UPnP and the common cache methods.
var knownMethods = [...]string{
	"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
	"PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK",
	"SEARCH", "REPORT", "MKACTIVITY", "CHECKOUT", "CHECKIN", "UNCHECKOUT", "MERGE",
	"VERSION-CONTROL", "BASELINE-CONTROL", "MKWORKSPACE", "UPDATE", "LABEL",
	"MKCALENDAR", "ACL", "BIND", "UNBIND", "REBIND", "LINK", "UNLINK", "ORDERPATCH",
	"M-SEARCH", "NOTIFY", "SUBSCRIBE", "UNSUBSCRIBE", "PURGE", "QUERY",
}

// LooksLikeRequest reports whether b may be the start of an HTTP/1.x
// request: it begins with a known method (GET, POST, CONNECT, PROPFIND, …)
// and a space, or is shorter than that and a prefix of one. It looks at no
// more than the first 17 bytes.
func LooksLikeRequest(b []byte) bool {
	if len(b) == 0 || b[0] < 'A' || b[0] > 'Z' {
		return false
	}
	if len(b) > 17 {
		b = b[:17]
	}
	for _, m := range knownMethods {
		if len(b) > len(m) {
			if b[len(m)] == ' ' && string(b[:len(m)]) == m {
				return true
			}
			continue
		}
		if string(b) == m[:len(b)] {
			return true
		}
	}
	return false
}

// AppendPath appends to dst the path of an HTTP request target followed by
// the NAMES of its query parameters only, and returns the extended slice:
// "/a/b?x=1&y=2" gives "/a/b?x&y". Query values are content and never
// appear in the result.
//
//   - origin-form keeps its path; absolute-form ("http://host/p?q=1")
//     drops scheme and authority, so user information goes too, and gives
//     "/p?q" ("/" when the path is empty);
//   - asterisk-form ("*") gives "*"; authority-form (CONNECT's host:port)
//     and anything else gives nothing: the host is in Request.Host;
//   - the fragment is dropped; parameters are separated by "&" only;
//     a parameter's name is what precedes its first "=", or the whole
//     parameter when it has none (the URL Standard's form parsing); empty
//     names are dropped; percent-encoding is left as sent;
//   - at most MaxPathLen bytes are appended (a name may be cut short).
//
// AppendPath does not allocate when dst has MaxPathLen bytes to spare.
func AppendPath(dst, target []byte) []byte {
	room := MaxPathLen
	add := func(dst, s []byte) []byte {
		if len(s) > room {
			s = s[:room]
		}
		room -= len(s)
		return append(dst, s...)
	}
	t := target
	if len(t) == 0 {
		return dst
	}
	if len(t) == 1 && t[0] == '*' {
		return append(dst, '*')
	}
	if t[0] != '/' {
		k := schemeLen(t)
		if k == 0 || len(t) < k+3 || string(t[k:k+3]) != "://" {
			return dst
		}
		t = t[k+3:]
		a := 0
		for a < len(t) && t[a] != '/' && t[a] != '?' && t[a] != '#' {
			a++
		}
		t = t[a:]
		if len(t) == 0 || t[0] != '/' {
			dst = add(dst, slash)
		}
	}
	if k := bytes.IndexByte(t, '#'); k >= 0 {
		t = t[:k]
	}
	q := bytes.IndexByte(t, '?')
	if q < 0 {
		return add(dst, t)
	}
	dst = add(dst, t[:q])
	sep := question
	for query := t[q+1:]; len(query) > 0 && room > 0; {
		var param []byte
		if k := bytes.IndexByte(query, '&'); k >= 0 {
			param, query = query[:k], query[k+1:]
		} else {
			param, query = query, nil
		}
		if k := bytes.IndexByte(param, '='); k >= 0 {
			param = param[:k]
		}
		if len(param) == 0 {
			continue
		}
		dst = add(dst, sep)
		dst = add(dst, param)
		sep = ampersand
	}
	return dst
}

var (
	slash     = []byte("/")
	question  = []byte("?")
	ampersand = []byte("&")
)

// schemeLen returns the length of the URI scheme at the start of t
// (ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), RFC 3986 §3.1), or 0.
func schemeLen(t []byte) int {
	if !isAlpha(t[0]) {
		return 0
	}
	i := 1
	for i < len(t) && (isAlpha(t[i]) || isDigit(t[i]) || t[i] == '+' || t[i] == '-' || t[i] == '.') {
		i++
	}
	return i
}

// A ChunkSkipper walks a body in the chunked transfer coding (RFC 9112 §7.1)
// without keeping any of it, so that the engine can find the request that
// follows. Feed it the bytes after the head in as many pieces as they
// arrive. The zero value is ready to use; Reset makes it so again. It does
// not allocate.
type ChunkSkipper struct {
	state     uint8
	done      bool
	digits    int   // hex digits of the current chunk size
	size      int64 // current chunk size, then data bytes left in the chunk
	lineLen   int   // bytes of the current chunk-size or trailer line
	trailers  int   // trailer lines so far
	off       int64 // bytes consumed before the current call
	lastError error
}

// States of a ChunkSkipper.
const (
	csSize       = iota // in the hex chunk size
	csExt               // in chunk extensions, up to the line break
	csSizeLF            // after the CR of a chunk-size line
	csData              // in chunk data; size bytes remain
	csDataCR            // after chunk data: expect CR
	csDataLF            // after chunk data and CR: expect LF
	csTrailer           // at the start of a trailer line (or the final CRLF)
	csTrailerMid        // inside a trailer line
	csEndLF             // after the final CR
)

// Reset prepares s for a new chunked body.
func (s *ChunkSkipper) Reset() { *s = ChunkSkipper{} }

// Skip consumes the part of b that belongs to the chunked body. It returns
// how many bytes it consumed and whether the body ended: the next request
// then starts at b[consumed:]. Until done, consumed is len(b). After the
// body has ended Skip consumes nothing. A malformed body gives a
// *ParseError whose offset counts from the start of the body; after it,
// every call returns the same error.
func (s *ChunkSkipper) Skip(b []byte) (consumed int, done bool, err error) {
	if s.lastError != nil {
		return 0, false, s.lastError
	}
	if s.done {
		return 0, true, nil
	}
	fail := func(i int, reason string) (int, bool, error) {
		s.lastError = perr("chunked", int(s.off)+i, reason)
		return i, false, s.lastError
	}
	i := 0
	for i < len(b) {
		c := b[i]
		switch s.state {
		case csSize:
			if h := unhex(c); h >= 0 {
				if s.size >= 1<<58 {
					return fail(i, "chunk size too large")
				}
				s.size = s.size<<4 | int64(h)
				s.digits++
				s.lineLen++
				i++
				continue
			}
			if s.digits == 0 {
				return fail(i, "chunk size is not hexadecimal")
			}
			switch c {
			case ';', ' ', '\t':
				s.state = csExt
			case '\r':
				s.state = csSizeLF
			case '\n':
				s.endSizeLine()
			default:
				return fail(i, "invalid character after chunk size")
			}
			s.lineLen++
			i++
		case csExt:
			k := bytes.IndexAny(b[i:], "\r\n")
			if k < 0 {
				s.lineLen += len(b) - i
				i = len(b)
			} else {
				s.lineLen += k + 1
				if b[i+k] == '\r' {
					s.state = csSizeLF
				} else {
					s.endSizeLine()
				}
				i += k + 1
			}
			if s.lineLen > MaxHTTPLine {
				return fail(i, "chunk-size line longer than 8192 bytes")
			}
		case csSizeLF:
			if c != '\n' {
				return fail(i, "CR without LF after chunk size")
			}
			s.endSizeLine()
			i++
		case csData:
			k := int64(len(b) - i)
			if k > s.size {
				k = s.size
			}
			s.size -= k
			i += int(k)
			if s.size == 0 {
				s.state = csDataCR
			}
		case csDataCR:
			switch c {
			case '\r':
				s.state = csDataLF
			case '\n':
				s.state, s.digits, s.size, s.lineLen = csSize, 0, 0, 0
			default:
				return fail(i, "chunk data not followed by CRLF")
			}
			i++
		case csDataLF:
			if c != '\n' {
				return fail(i, "chunk data not followed by CRLF")
			}
			s.state, s.digits, s.size, s.lineLen = csSize, 0, 0, 0
			i++
		case csTrailer:
			switch c {
			case '\r':
				s.state = csEndLF
				i++
			case '\n':
				return s.finish(i + 1)
			default:
				s.trailers++
				if s.trailers > MaxHTTPHeaders {
					return fail(i, "more than 64 trailer fields")
				}
				s.state, s.lineLen = csTrailerMid, 0
			}
		case csTrailerMid:
			k := bytes.IndexByte(b[i:], '\n')
			if k < 0 {
				s.lineLen += len(b) - i
				i = len(b)
			} else {
				s.lineLen += k
				s.state = csTrailer
				i += k + 1
			}
			if s.lineLen > MaxHTTPLine+1 {
				return fail(i, "trailer line longer than 8192 bytes")
			}
		case csEndLF:
			if c != '\n' {
				return fail(i, "CR without LF at the end of the chunked body")
			}
			return s.finish(i + 1)
		}
	}
	s.off += int64(len(b))
	return len(b), false, nil
}

// endSizeLine moves on from a complete chunk-size line.
func (s *ChunkSkipper) endSizeLine() {
	if s.size == 0 {
		s.state = csTrailer
		return
	}
	s.state = csData
}

// finish ends the body after n bytes of the current input.
func (s *ChunkSkipper) finish(n int) (int, bool, error) {
	s.done = true
	s.off += int64(n)
	return n, true, nil
}

// unhex returns the value of a hex digit, or -1.
func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}
