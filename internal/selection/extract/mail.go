package extract

import "bytes"

// Capacities of MailHeaders. What does not fit is dropped and reported by
// MailHeaders.Truncated.
const (
	MaxMailAddresses = 64 // From, To, Cc and Return-Path addresses of one message
	MaxReceived      = 32 // Received fields of one message
)

const (
	mailScratchLen  = 4096 // rewritten values of one message
	maxMediaTypeLen = 255  // type "/" subtype, each at most 127 (RFC 6838 §4.2)
)

// A HeaderField names a mail header field whose addresses MailHeaders keeps.
type HeaderField uint8

// The address fields.
const (
	FieldFrom HeaderField = iota + 1
	FieldTo
	FieldCc
	FieldReturnPath
)

// fieldMessageID has parseAddressList read a msg-id, which has the form of
// an addr-spec in angle brackets (RFC 5322 §3.6.4).
const fieldMessageID = FieldReturnPath + 1

// String returns the field name as it is usually written ("Return-Path").
func (f HeaderField) String() string {
	switch f {
	case FieldFrom:
		return "From"
	case FieldTo:
		return "To"
	case FieldCc:
		return "Cc"
	case FieldReturnPath:
		return "Return-Path"
	}
	return "unknown"
}

// A MailAddress is one address of an address field.
type MailAddress struct {
	Field HeaderField
	// Addr is the addr-spec "local@domain" as written, quotes of a quoted
	// local part kept, never a display name or comment. It is empty only
	// for the null path of "Return-Path: <>".
	Addr []byte
}

// A ReceivedField is what MailHeaders keeps of one Received field (RFC 5321
// §4.4): the from, by and with clauses and the date. Everything else, the
// comments (which carry host names of the sender's choosing and more), the
// id and the for clause, is dropped. A part that is absent is nil.
type ReceivedField struct {
	From []byte // domain or address literal ("[192.0.2.1]") after "from"
	By   []byte // domain after "by"
	With []byte // protocol after "with" ("ESMTP", "ESMTPS", …)
	Date []byte // date-time after ";", comments dropped, unfolded
}

// MailHeaders holds the mechanical information of a mail header block, as
// ParseHeaders extracts it. Addresses and Received fields are kept in fixed
// arrays inside the value. Values that had to be rewritten (unfolded, or
// stripped of white space inside an address) go to a scratch area of 4 KiB
// that the value allocates the first time it needs one and reuses after
// that; it is kept apart from the value so that the slices into it do not
// make the value escape to the heap. Slices point into the block given to
// ParseHeaders, into the value or into its scratch area, and are valid
// until the next ParseHeaders on the value, as long as the block is
// unchanged. A MailHeaders is about 5.5 KiB: keep one per worker and reuse
// it, so that nothing is allocated. It is not safe for concurrent use.
type MailHeaders struct {
	// MessageID is the Message-ID without its angle brackets ("id@host").
	MessageID []byte
	// Date and MIMEVersion are those fields' values, trimmed, comments
	// dropped and unfolded.
	Date        []byte
	MIMEVersion []byte
	// Truncated reports that addresses, Received fields or rewritten
	// values did not fit and were dropped.
	Truncated bool

	nAddrs    int
	nReceived int
	ctLen     int
	nScratch  int
	seen      uint8 // fields whose first instance has been read: see seenX
	addrs     [MaxMailAddresses]MailAddress
	received  [MaxReceived]ReceivedField
	ctype     [maxMediaTypeLen]byte
	scratch   []byte // rewritten values; allocated once, mailScratchLen bytes
}

// Bits of MailHeaders.seen.
const (
	seenDate = 1 << iota
	seenMessageID
	seenMIMEVersion
	seenContentType
)

// Addresses returns the addresses of the From, To, Cc and Return-Path
// fields in the order they appear, each tagged with its field. The slice
// points into h.
func (h *MailHeaders) Addresses() []MailAddress { return h.addrs[:h.nAddrs] }

// Received returns the Received fields in the order they appear (the most
// recent hop first). The slice points into h.
func (h *MailHeaders) Received() []ReceivedField { return h.received[:h.nReceived] }

// ContentType returns the top-level media type, "type/subtype" in lower
// case, without any parameter (boundary, charset, name, …); nil when there
// is no valid Content-Type. The slice points into h.
func (h *MailHeaders) ContentType() []byte {
	if h.ctLen == 0 {
		return nil
	}
	return h.ctype[:h.ctLen]
}

func (h *MailHeaders) reset() {
	h.MessageID, h.Date, h.MIMEVersion, h.Truncated = nil, nil, nil, false
	h.nAddrs, h.nReceived, h.ctLen, h.nScratch, h.seen = 0, 0, 0, 0, 0
}

// room returns the free part of the scratch area, allocating the area the
// first time.
func (h *MailHeaders) room() []byte {
	if h.scratch == nil {
		h.scratch = make([]byte, mailScratchLen)
	}
	return h.scratch[h.nScratch:]
}

// ParseHeaders parses a mail header block (RFC 5322 §2.2) into h: the lines
// up to the first empty line of block, or all of block when it has none,
// as DataSkipper.Header returns it. Folded fields are unfolded; CRLF and
// bare LF line ends are accepted.
//
// Only these fields are read: From, To, Cc and Return-Path (addresses only),
// Received (see ReceivedField), Message-ID, Date, MIME-Version and
// Content-Type (the media type only). Every other field, Subject included,
// is skipped after its name without being looked at. Where a field that
// should appear once appears more often, the first is kept.
//
// A line that is neither a field nor the continuation of one gives a
// *ParseError; the fields before it are kept in h. ParseHeaders does not
// allocate.
func ParseHeaders(block []byte, h *MailHeaders) error {
	h.reset()
	for i := 0; i < len(block); {
		c := block[i]
		if c == '\n' || (c == '\r' && i+1 < len(block) && block[i+1] == '\n') {
			return nil // the empty line that ends the header block
		}
		if c == ' ' || c == '\t' {
			return perr("mail", i, "continuation line without a field")
		}
		j := i
		for j < len(block) && block[j] > ' ' && block[j] < 0x7f && block[j] != ':' {
			j++
		}
		k := j
		for k < len(block) && (block[k] == ' ' || block[k] == '\t') {
			k++ // obsolete white space before the colon (RFC 5322 §4.5)
		}
		if j == i || k == len(block) || block[k] != ':' {
			return perr("mail", j, "header line without a field name and colon")
		}
		end, next := fieldEnd(block, k+1)
		h.field(block[i:j], block[k+1:end])
		i = next
	}
	return nil
}

// fieldEnd returns the end of the field body that starts at b[i:], before
// the line break that ends it, and the offset of the next line.
func fieldEnd(b []byte, i int) (end, next int) {
	start := i
	for {
		k := bytes.IndexByte(b[i:], '\n')
		if k < 0 {
			return len(b), len(b)
		}
		e := i + k
		if e+1 < len(b) && (b[e+1] == ' ' || b[e+1] == '\t') {
			i = e + 1 // folded: the field goes on
			continue
		}
		end = e
		if end > start && b[end-1] == '\r' {
			end--
		}
		return end, e + 1
	}
}

// field reads one field if it is one of those kept.
func (h *MailHeaders) field(name, v []byte) {
	switch len(name) {
	case 2:
		switch {
		case equalFold(name, "to"):
			h.parseAddressList(v, FieldTo)
		case equalFold(name, "cc"):
			h.parseAddressList(v, FieldCc)
		}
	case 4:
		switch {
		case equalFold(name, "from"):
			h.parseAddressList(v, FieldFrom)
		case equalFold(name, "date"):
			if h.seen&seenDate == 0 {
				h.seen |= seenDate
				h.Date = h.clean(v)
			}
		}
	case 8:
		if equalFold(name, "received") {
			h.parseReceived(v)
		}
	case 10:
		if equalFold(name, "message-id") && h.seen&seenMessageID == 0 {
			h.seen |= seenMessageID
			h.parseAddressList(v, fieldMessageID)
		}
	case 11:
		if equalFold(name, "return-path") {
			h.parseAddressList(v, FieldReturnPath)
		}
	case 12:
		switch {
		case equalFold(name, "mime-version"):
			if h.seen&seenMIMEVersion == 0 {
				h.seen |= seenMIMEVersion
				h.MIMEVersion = h.clean(v)
			}
		case equalFold(name, "content-type"):
			if h.seen&seenContentType == 0 {
				h.seen |= seenContentType
				h.parseContentType(v)
			}
		}
	}
}

// parseAddressList reads the addresses of an address-list, mailbox-list or
// path (RFC 5322 §3.4, §3.6.7): the addr-spec of every mailbox, bare or in
// angle brackets (a source route dropped), inside groups too. Display
// names, comments and group names are passed over.
func (h *MailHeaders) parseAddressList(v []byte, f HeaderField) {
	t := tokenizer{s: v}
	var a addrSpec
	inAngle, route, afterAngle := false, false, false
	for {
		tk := t.next()
		if tk.kind == tkEOF {
			if !afterAngle && !inAngle {
				h.flush(v, &a, f, false)
			}
			return
		}
		sp := tk.c
		if route {
			// "<@a,@b:user@c>": everything up to the colon is the route.
			switch sp {
			case ':':
				route = false
			case '>':
				route, inAngle, afterAngle = false, false, true
			}
			continue
		}
		switch sp {
		case '<':
			a.reset()
			inAngle, afterAngle = true, false
			continue
		case '>':
			if inAngle {
				h.flush(v, &a, f, true)
				inAngle, afterAngle = false, true
			}
			a.reset()
			continue
		case ',', ';':
			if !afterAngle && !inAngle {
				h.flush(v, &a, f, false)
			}
			a.reset()
			inAngle, afterAngle = false, false
			continue
		case ':':
			if !inAngle {
				a.reset() // a group's name
				afterAngle = false
				continue
			}
		case '@':
			if inAngle && a.state == asStart {
				route = true
				continue
			}
		}
		if !afterAngle {
			a.feed(tk)
		}
	}
}

// flush keeps the address a has read, if it is a whole addr-spec. angle
// says it was in angle brackets, where Return-Path may be empty.
func (h *MailHeaders) flush(v []byte, a *addrSpec, f HeaderField, angle bool) {
	var addr []byte
	switch {
	case a.complete():
		addr = v[a.start:a.end]
		if !a.contiguous {
			if addr = h.compact(addr); addr == nil {
				h.Truncated = true
				return
			}
		}
	case angle && a.state == asStart && f == FieldReturnPath:
		addr = v[:0]
	default:
		return
	}
	if f == fieldMessageID {
		if h.MessageID == nil {
			h.MessageID = addr
		}
		return
	}
	if h.nAddrs == len(h.addrs) {
		h.Truncated = true
		return
	}
	h.addrs[h.nAddrs] = MailAddress{Field: f, Addr: addr}
	h.nAddrs++
}

// compact copies the tokens of s, an addr-spec written with white space or
// comments inside (obsolete syntax, RFC 5322 §4.4), into the scratch area
// without them. It returns nil when the scratch area is full.
func (h *MailHeaders) compact(s []byte) []byte {
	room := h.room()
	n := 0
	t := tokenizer{s: s}
	for tk := t.next(); tk.kind != tkEOF; tk = t.next() {
		l := tk.end - tk.start
		if n+l > len(room) {
			return nil
		}
		n += copy(room[n:], s[tk.start:tk.end])
	}
	h.nScratch += n
	return room[:n:n]
}

// clean trims v, drops everything from its first comment on and unfolds it
// into the scratch area when it holds a line break. It returns nil when v
// is empty or the scratch area is full.
func (h *MailHeaders) clean(v []byte) []byte {
	if k := bytes.IndexByte(v, '('); k >= 0 {
		v = v[:k]
	}
	for len(v) > 0 && isWSP(v[0]) {
		v = v[1:]
	}
	for len(v) > 0 && isWSP(v[len(v)-1]) {
		v = v[:len(v)-1]
	}
	if len(v) == 0 {
		return nil
	}
	if bytes.IndexAny(v, "\r\n") < 0 {
		return v
	}
	room := h.room()
	if len(v) > len(room) {
		h.Truncated = true
		return nil
	}
	out := Unfold(room[:0], v) // no longer than v: stays in room
	h.nScratch += len(out)
	return out[:len(out):len(out)]
}

// parseReceived keeps the from, by and with clauses and the date of a
// Received field. Tokens inside angle brackets (the for clause's path) and
// comments are passed over.
func (h *MailHeaders) parseReceived(v []byte) {
	var r ReceivedField
	t := tokenizer{s: v}
	angle := 0
	for {
		tk := t.next()
		if tk.kind == tkEOF {
			break
		}
		if tk.kind == tkSpecial {
			switch tk.c {
			case '<':
				angle++
			case '>':
				angle = max(angle-1, 0)
			case ';':
				if angle == 0 {
					r.Date = h.clean(v[tk.end:])
					t.i = len(v)
				}
			}
			continue
		}
		if tk.kind != tkAtom || angle > 0 {
			continue
		}
		switch w := v[tk.start:tk.end]; {
		case equalFold(w, "from") && r.From == nil:
			r.From = t.domain()
		case equalFold(w, "by") && r.By == nil:
			r.By = t.domain()
		case equalFold(w, "with") && r.With == nil:
			save := t.i
			if p := t.next(); p.kind == tkAtom {
				r.With = v[p.start:p.end]
			} else {
				t.i = save
			}
		}
	}
	if r.From == nil && r.By == nil && r.With == nil && r.Date == nil {
		return
	}
	if h.nReceived == len(h.received) {
		h.Truncated = true
		return
	}
	h.received[h.nReceived] = r
	h.nReceived++
}

// parseContentType keeps the media type of a Content-Type value (RFC 2045
// §5.1), lower-cased, and drops its parameters.
func (h *MailHeaders) parseContentType(v []byte) {
	t := tokenizer{s: v}
	t.skipCFWS()
	ts := t.i
	for t.i < len(v) && isMIMETokenChar(v[t.i]) {
		t.i++
	}
	typ := v[ts:t.i]
	t.skipCFWS()
	if t.i == len(v) || v[t.i] != '/' {
		return
	}
	t.i++
	t.skipCFWS()
	ss := t.i
	for t.i < len(v) && isMIMETokenChar(v[t.i]) {
		t.i++
	}
	sub := v[ss:t.i]
	if len(typ) == 0 || len(sub) == 0 || len(typ)+1+len(sub) > len(h.ctype) {
		return
	}
	n := 0
	for _, c := range typ {
		h.ctype[n] = lower(c)
		n++
	}
	h.ctype[n] = '/'
	n++
	for _, c := range sub {
		h.ctype[n] = lower(c)
		n++
	}
	h.ctLen = n
}

// isMIMETokenChar reports whether c may appear in a MIME token (RFC 2045
// §5.1).
func isMIMETokenChar(c byte) bool {
	if c <= ' ' || c >= 0x7f {
		return false
	}
	switch c {
	case '(', ')', '<', '>', '@', ',', ';', ':', '\\', '"', '/', '[', ']', '?', '=':
		return false
	}
	return true
}

// ParseAddress splits an addr-spec, "local@domain", optionally in angle
// brackets and surrounded by white space, into its local part and domain,
// as sub-slices of b. A quoted local part keeps its quotes; neither part is
// case-folded. ok is false when b is not exactly one addr-spec without
// white space or comments inside. Every non-empty MailAddress.Addr and
// Command.Path of ordinary form is accepted.
func ParseAddress(b []byte) (local, domain []byte, ok bool) {
	for len(b) > 0 && isWSP(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isWSP(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	if len(b) >= 2 && b[0] == '<' && b[len(b)-1] == '>' {
		b = b[1 : len(b)-1]
	}
	t := tokenizer{s: b}
	var a addrSpec
	at := -1
	for tk := t.next(); tk.kind != tkEOF; tk = t.next() {
		if a.state == asLocalWord && tk.c == '@' {
			at = tk.start
		}
		a.feed(tk)
	}
	if !a.complete() || !a.contiguous || a.start != 0 || a.end != len(b) {
		return nil, nil, false
	}
	return b[:at], b[at+1:], true
}

// Token kinds of a tokenizer.
const (
	tkEOF     = iota
	tkAtom    // a run of atext
	tkQuoted  // a quoted-string, quotes included
	tkLiteral // a domain-literal, brackets included
	tkSpecial // one of ( ) < > [ ] : ; @ \ , . that is not part of the above
	tkBad     // an unterminated quoted-string or domain-literal
)

// A mailToken is a token of a structured header value: v[start:end].
type mailToken struct {
	kind       uint8
	c          byte // the character of a tkSpecial
	start, end int
}

// A tokenizer splits a structured header field body into the lexical
// tokens of RFC 5322 §3.2, passing over white space, line breaks and
// comments (nested, with quoted pairs).
type tokenizer struct {
	s []byte
	i int
}

func (t *tokenizer) skipCFWS() {
	for t.i < len(t.s) {
		switch c := t.s[t.i]; {
		case isWSP(c):
			t.i++
		case c == '(':
			t.skipComment()
		default:
			return
		}
	}
}

func (t *tokenizer) skipComment() {
	depth := 0
	for t.i < len(t.s) {
		c := t.s[t.i]
		t.i++
		switch c {
		case '\\':
			t.i = min(t.i+1, len(t.s))
		case '(':
			depth++
		case ')':
			if depth--; depth == 0 {
				return
			}
		}
	}
}

// next returns the next token.
func (t *tokenizer) next() mailToken {
	t.skipCFWS()
	if t.i >= len(t.s) {
		return mailToken{kind: tkEOF, start: t.i, end: t.i}
	}
	start := t.i
	switch c := t.s[t.i]; c {
	case '"', '[':
		closer, kind := byte('"'), uint8(tkQuoted)
		if c == '[' {
			closer, kind = ']', tkLiteral
		}
		for t.i++; t.i < len(t.s); {
			d := t.s[t.i]
			t.i++
			if d == '\\' {
				t.i = min(t.i+1, len(t.s))
			} else if d == closer {
				return mailToken{kind: kind, start: start, end: t.i}
			}
		}
		return mailToken{kind: tkBad, start: start, end: t.i}
	case ')', '<', '>', ']', ':', ';', '@', '\\', ',', '.':
		t.i++
		return mailToken{kind: tkSpecial, c: c, start: start, end: t.i}
	}
	for t.i < len(t.s) && isAtext(t.s[t.i]) {
		t.i++
	}
	if t.i == start {
		t.i++ // a control character: a token of its own, which no rule takes
		return mailToken{kind: tkBad, start: start, end: t.i}
	}
	return mailToken{kind: tkAtom, start: start, end: t.i}
}

// domain reads a dot-atom domain or a domain literal, without white space
// inside, and returns it; nil when the next token starts neither.
func (t *tokenizer) domain() []byte {
	save := t.i
	first := t.next()
	switch first.kind {
	case tkLiteral:
		return t.s[first.start:first.end]
	case tkAtom:
	default:
		t.i = save
		return nil
	}
	end := first.end
	for {
		save = t.i
		dot := t.next()
		if dot.c != '.' || dot.start != end {
			t.i = save
			break
		}
		label := t.next()
		if label.kind != tkAtom || label.start != dot.end {
			t.i = save
			break
		}
		end = label.end
	}
	return t.s[first.start:end]
}

// isAtext reports whether c may appear in an atom: printable ASCII other
// than the specials, or any byte of a UTF-8 sequence (RFC 6532).
func isAtext(c byte) bool {
	if c <= ' ' || c == 0x7f {
		return false
	}
	switch c {
	case '(', ')', '<', '>', '[', ']', ':', ';', '@', '\\', ',', '.', '"':
		return false
	}
	return true
}

// States of an addrSpec.
const (
	asStart      = iota
	asLocalWord  // after a word of the local part
	asLocalDot   // after a dot in the local part
	asAt         // after the @
	asDomainAtom // after an atom of the domain
	asDomainDot  // after a dot in the domain
	asDomainLit  // after a domain literal
	asBad
)

// An addrSpec follows the tokens of one would-be addr-spec (RFC 5322
// §3.4.1): local-part "@" domain, local-part being words separated by dots
// and domain atoms separated by dots or a domain literal.
type addrSpec struct {
	state      uint8
	contiguous bool // no white space or comment between its tokens
	start, end int
}

func (a *addrSpec) reset() { *a = addrSpec{} }

func (a *addrSpec) complete() bool { return a.state == asDomainAtom || a.state == asDomainLit }

func (a *addrSpec) feed(tk mailToken) {
	if a.state == asStart {
		a.start, a.contiguous = tk.start, true
	} else if tk.start != a.end {
		a.contiguous = false
	}
	a.end = tk.end
	switch a.state {
	case asStart, asLocalDot:
		if tk.kind == tkAtom || tk.kind == tkQuoted {
			a.state = asLocalWord
			return
		}
	case asLocalWord:
		if tk.kind == tkSpecial {
			switch tk.c {
			case '.':
				a.state = asLocalDot
				return
			case '@':
				a.state = asAt
				return
			}
		}
	case asAt:
		switch tk.kind {
		case tkAtom:
			a.state = asDomainAtom
			return
		case tkLiteral:
			a.state = asDomainLit
			return
		}
	case asDomainAtom:
		if tk.kind == tkSpecial && tk.c == '.' {
			a.state = asDomainDot
			return
		}
	case asDomainDot:
		if tk.kind == tkAtom {
			a.state = asDomainAtom
			return
		}
	}
	a.state = asBad
}
