package stix

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// A Pattern is a parsed STIX pattern (STIX 2.1 §9): observation
// expressions in brackets joined by AND, OR and FOLLOWEDBY, with
// qualifiers. ParsePattern checks syntax only; it does not check that
// object paths name real properties.
type Pattern struct {
	// Expr is the whole pattern.
	Expr ObservationExpr
}

// ObservationExpr is an *Observation, an *ObservationOp or a *Qualified.
type ObservationExpr interface {
	fmt.Stringer
	isObservationExpr()
}

// Observation is "[comparison]".
type Observation struct {
	Comparison ComparisonExpr
}

// ObservationOp is "left AND right", "left OR right" or
// "left FOLLOWEDBY right".
type ObservationOp struct {
	Op          string
	Left, Right ObservationExpr
}

// Qualified is an observation expression with a qualifier.
type Qualified struct {
	Expr      ObservationExpr
	Qualifier Qualifier
}

// Qualifier is "WITHIN Seconds SECONDS", "REPEATS Times TIMES" or
// "START t'Start' STOP t'Stop'"; Kind is "WITHIN", "REPEATS" or "START".
type Qualifier struct {
	Kind        string
	Seconds     float64
	Times       int64
	Start, Stop time.Time
}

// ComparisonExpr is a *Comparison or a *ComparisonOp.
type ComparisonExpr interface {
	fmt.Stringer
	isComparisonExpr()
}

// ComparisonOp is "left AND right" or "left OR right" inside brackets.
type ComparisonOp struct {
	Op          string
	Left, Right ComparisonExpr
}

// Comparison tests one object path: Op is one of = != > < >= <= IN LIKE
// MATCHES ISSUBSET ISSUPERSET EXISTS. Value is the literal compared with
// (none for IN, whose literals are in Set, and EXISTS). Not is true for
// "path NOT op value".
type Comparison struct {
	Path  ObjectPath
	Not   bool
	Op    string
	Value Literal
	Set   []Literal
}

// ObjectPath is "type:property.sub[0].'quoted key'". Steps[0] is the
// first property.
type ObjectPath struct {
	ObjectType string
	Steps      []PathStep
}

// PathStep is one step of an object path: a property Key, a list Index,
// or any index ([*], Any).
type PathStep struct {
	Key     string
	Index   int64
	IsIndex bool
	Any     bool
}

// LiteralKind is the kind of a pattern literal.
type LiteralKind int

// Literal kinds.
const (
	StringLiteral LiteralKind = iota + 1
	IntLiteral
	FloatLiteral
	BoolLiteral
	TimestampLiteral
	BinaryLiteral // b'base64'
	HexLiteral    // h'hex'
)

// Literal is a constant in a pattern; the field for its Kind holds the
// value.
type Literal struct {
	Kind  LiteralKind
	Str   string
	Int   int64
	Float float64
	Bool  bool
	Time  time.Time
	Bytes []byte // binary and hex
}

func (*Observation) isObservationExpr()   {}
func (*ObservationOp) isObservationExpr() {}
func (*Qualified) isObservationExpr()     {}
func (*Comparison) isComparisonExpr()     {}
func (*ComparisonOp) isComparisonExpr()   {}

// PatternError is a syntax error in a pattern.
type PatternError struct {
	// Offset is the byte offset in the pattern where the error is.
	Offset int
	// Msg says what is wrong, e.g. `unexpected "]"`.
	Msg string
	// Want says what would have been right there, if that is known.
	Want string
}

func (e *PatternError) Error() string {
	s := fmt.Sprintf("%s at offset %d", e.Msg, e.Offset)
	if e.Want != "" {
		s += ": want " + e.Want
	}
	return s
}

// maxNesting bounds parentheses and brackets within one pattern.
const maxNesting = 100

// ParsePattern parses a STIX pattern. The error, if any, is a
// [*PatternError]. Patterns longer than MaxPatternLen are refused.
func ParsePattern(s string) (*Pattern, error) {
	if len(s) > MaxPatternLen {
		return nil, &PatternError{Offset: MaxPatternLen, Msg: fmt.Sprintf("pattern longer than %d bytes", MaxPatternLen)}
	}
	p := &parser{lx: lexer{src: s}}
	if err := p.advance(); err != nil {
		return nil, err
	}
	e, err := p.observationExprs()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tEOF {
		return nil, p.unexpected("AND, OR, FOLLOWEDBY or a qualifier")
	}
	return &Pattern{Expr: e}, nil
}

// SimpleEquality reports whether p is exactly one comparison of one
// object path with a string, "[type:path = 'value']", and returns the path
// and the value.
func (p *Pattern) SimpleEquality() (path ObjectPath, value string, ok bool) {
	o, isObs := p.Expr.(*Observation)
	if !isObs {
		return path, "", false
	}
	c, isCmp := o.Comparison.(*Comparison)
	if !isCmp || c.Not || c.Op != "=" || c.Value.Kind != StringLiteral {
		return path, "", false
	}
	return c.Path, c.Value.Str, true
}

// EqualityPattern returns the pattern "[path = 'value']" with value quoted
// as a pattern string literal; path is an object path such as
// "ipv4-addr:value" or "file:hashes.'SHA-256'".
func EqualityPattern(path, value string) string {
	return "[" + path + " = " + QuotePatternString(value) + "]"
}

// QuotePatternString quotes s as a pattern string literal: in single
// quotes, with ' and \ escaped by a backslash.
func QuotePatternString(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('\'')
	return b.String()
}

// String returns the pattern in a canonical form that ParsePattern reads
// back to the same Pattern: operators in parentheses, single spaces.
func (p *Pattern) String() string { return p.Expr.String() }

func (o *Observation) String() string { return "[" + o.Comparison.String() + "]" }

func (o *ObservationOp) String() string {
	return "(" + o.Left.String() + " " + o.Op + " " + o.Right.String() + ")"
}

func (q *Qualified) String() string {
	s := q.Expr.String()
	switch q.Qualifier.Kind {
	case "WITHIN":
		return s + " WITHIN " + formatFloat(q.Qualifier.Seconds) + " SECONDS"
	case "REPEATS":
		return s + " REPEATS " + strconv.FormatInt(q.Qualifier.Times, 10) + " TIMES"
	}
	return s + " START " + formatTimestampLit(q.Qualifier.Start) + " STOP " + formatTimestampLit(q.Qualifier.Stop)
}

func (c *ComparisonOp) String() string {
	return "(" + c.Left.String() + " " + c.Op + " " + c.Right.String() + ")"
}

func (c *Comparison) String() string {
	if c.Op == "EXISTS" {
		return "EXISTS " + c.Path.String()
	}
	var b strings.Builder
	b.WriteString(c.Path.String())
	if c.Not {
		b.WriteString(" NOT")
	}
	b.WriteString(" " + c.Op + " ")
	if c.Op == "IN" {
		b.WriteByte('(')
		for i, l := range c.Set {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(l.String())
		}
		b.WriteByte(')')
	} else {
		b.WriteString(c.Value.String())
	}
	return b.String()
}

// String returns the path as a pattern writes it, quoting keys that are
// not plain identifiers, e.g. "file:hashes.'SHA-256'".
func (p ObjectPath) String() string {
	var b strings.Builder
	b.WriteString(p.ObjectType)
	b.WriteByte(':')
	for i, s := range p.Steps {
		switch {
		case s.Any:
			b.WriteString("[*]")
		case s.IsIndex:
			b.WriteString("[" + strconv.FormatInt(s.Index, 10) + "]")
		default:
			if i > 0 {
				b.WriteByte('.')
			}
			if plainIdent(s.Key) {
				b.WriteString(s.Key)
			} else {
				b.WriteString(QuotePatternString(s.Key))
			}
		}
	}
	return b.String()
}

// plainIdent reports whether s can be written unquoted as a property.
func plainIdent(s string) bool {
	if s == "" || keyword(s) != "" || s == "true" || s == "false" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// String returns the literal as a pattern writes it.
func (l Literal) String() string {
	switch l.Kind {
	case StringLiteral:
		return QuotePatternString(l.Str)
	case IntLiteral:
		return strconv.FormatInt(l.Int, 10)
	case FloatLiteral:
		return formatFloat(l.Float)
	case BoolLiteral:
		return strconv.FormatBool(l.Bool)
	case TimestampLiteral:
		return formatTimestampLit(l.Time)
	case BinaryLiteral:
		return "b'" + base64.StdEncoding.EncodeToString(l.Bytes) + "'"
	case HexLiteral:
		return "h'" + hex.EncodeToString(l.Bytes) + "'"
	}
	return "?"
}

func formatFloat(f float64) string {
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

func formatTimestampLit(t time.Time) string {
	return "t'" + t.UTC().Format("2006-01-02T15:04:05.999999999Z") + "'"
}

// Lexer.

type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tKeyword // AND, OR, NOT, …; text holds it
	tOp      // = != < <= > >=, normalised
	tPunct   // : . , ( ) [ ] * and the unused + - ^ /
	tLit     // a literal; lit holds it
)

type token struct {
	kind   tokKind
	text   string // source text (keywords, punctuation, operators normalised)
	pos    int
	hyphen bool // an identifier with a hyphen (object types only)
	lit    Literal
}

type lexer struct {
	src string
	pos int
}

// keyword returns s if it is a keyword of the pattern language.
func keyword(s string) string {
	switch s {
	case "AND", "OR", "NOT", "FOLLOWEDBY", "LIKE", "MATCHES", "ISSUPERSET", "ISSUBSET",
		"EXISTS", "LAST", "IN", "START", "STOP", "SECONDS", "WITHIN", "REPEATS", "TIMES":
		return s
	}
	return ""
}

func isSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\r', '\n', '\v', '\f', 0x85, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000:
		return true
	}
	return r >= 0x2000 && r <= 0x200a
}

func (lx *lexer) errorf(pos int, format string, args ...any) error {
	return &PatternError{Offset: pos, Msg: fmt.Sprintf(format, args...)}
}

// next returns the next token.
func (lx *lexer) next() (token, error) {
	// Skip white space and comments.
	for lx.pos < len(lx.src) {
		r, n := utf8.DecodeRuneInString(lx.src[lx.pos:])
		switch {
		case isSpace(r):
			lx.pos += n
		case strings.HasPrefix(lx.src[lx.pos:], "/*"):
			end := strings.Index(lx.src[lx.pos+2:], "*/")
			if end < 0 {
				return token{}, lx.errorf(lx.pos, "unterminated comment")
			}
			lx.pos += 2 + end + 2
		case strings.HasPrefix(lx.src[lx.pos:], "//"):
			end := strings.IndexAny(lx.src[lx.pos:], "\r\n")
			if end < 0 {
				end = len(lx.src) - lx.pos
			}
			lx.pos += end
		default:
			goto scan
		}
	}
scan:
	start := lx.pos
	if start >= len(lx.src) {
		return token{kind: tEOF, pos: start}, nil
	}
	c := lx.src[start]
	switch {
	case c == '\'':
		s, err := lx.quoted()
		if err != nil {
			return token{}, err
		}
		return token{kind: tLit, text: lx.src[start:lx.pos], pos: start, lit: Literal{Kind: StringLiteral, Str: s}}, nil
	case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		end := start + 1
		hyphen := false
		for end < len(lx.src) {
			d := lx.src[end]
			if d == '-' {
				hyphen = true
			} else if !(d == '_' || d >= 'a' && d <= 'z' || d >= 'A' && d <= 'Z' || d >= '0' && d <= '9') {
				break
			}
			end++
		}
		word := lx.src[start:end]
		if end < len(lx.src) && lx.src[end] == '\'' && (word == "t" || word == "h" || word == "b") {
			lx.pos = end
			return lx.prefixed(word[0], start)
		}
		lx.pos = end
		switch {
		case keyword(word) != "":
			return token{kind: tKeyword, text: word, pos: start}, nil
		case word == "true" || word == "false":
			return token{kind: tLit, text: word, pos: start, lit: Literal{Kind: BoolLiteral, Bool: word == "true"}}, nil
		}
		return token{kind: tIdent, text: word, pos: start, hyphen: hyphen}, nil
	case c >= '0' && c <= '9' || c == '.' && lx.digitAt(start+1) || (c == '-' || c == '+') && (lx.digitAt(start+1) || lx.at(start+1) == '.' && lx.digitAt(start+2)):
		return lx.number()
	}
	ops := []string{"==", "!=", "<>", "<=", ">=", "=", "<", ">"}
	for _, op := range ops {
		if strings.HasPrefix(lx.src[start:], op) {
			lx.pos += len(op)
			norm := op
			switch op {
			case "==":
				norm = "="
			case "<>":
				norm = "!="
			}
			return token{kind: tOp, text: norm, pos: start}, nil
		}
	}
	if strings.IndexByte(":.,()[]*+-^/", c) >= 0 {
		lx.pos++
		return token{kind: tPunct, text: string(c), pos: start}, nil
	}
	r, _ := utf8.DecodeRuneInString(lx.src[start:])
	return token{}, lx.errorf(start, "invalid character %q", r)
}

func (lx *lexer) at(i int) byte {
	if i < len(lx.src) {
		return lx.src[i]
	}
	return 0
}

func (lx *lexer) digitAt(i int) bool { c := lx.at(i); return c >= '0' && c <= '9' }

// quoted reads a string literal at lx.pos: ' … ' with \' and \\ the only
// escapes. It returns the unescaped value.
func (lx *lexer) quoted() (string, error) {
	start := lx.pos
	var b strings.Builder
	i := start + 1
	for {
		if i >= len(lx.src) {
			return "", lx.errorf(start, "unterminated string literal")
		}
		c := lx.src[i]
		switch c {
		case '\'':
			lx.pos = i + 1
			return b.String(), nil
		case '\\':
			if n := lx.at(i + 1); n == '\'' || n == '\\' {
				b.WriteByte(n)
				i += 2
				continue
			}
			return "", lx.errorf(i, `invalid escape in string literal (only \' and \\ are allowed)`)
		}
		b.WriteByte(c)
		i++
	}
}

// prefixed reads t'…', h'…' or b'…' whose prefix letter starts at start.
func (lx *lexer) prefixed(prefix byte, start int) (token, error) {
	body, err := lx.quoted()
	if err != nil {
		return token{}, err
	}
	text := lx.src[start:lx.pos]
	tok := token{kind: tLit, text: text, pos: start}
	switch prefix {
	case 't':
		t, err := ParseTime(body)
		if err != nil {
			return token{}, lx.errorf(start, "invalid timestamp literal %s", quote(text))
		}
		tok.lit = Literal{Kind: TimestampLiteral, Time: t}
	case 'h':
		if len(body)%2 != 0 || strings.Trim(body, "0123456789abcdefABCDEF") != "" {
			return token{}, lx.errorf(start, "invalid hex literal %s", quote(text))
		}
		b, _ := hex.DecodeString(body)
		tok.lit = Literal{Kind: HexLiteral, Bytes: b}
	case 'b':
		b, err := base64.StdEncoding.Strict().DecodeString(body)
		if err != nil || body == "" {
			return token{}, lx.errorf(start, "invalid binary (base64) literal %s", quote(text))
		}
		tok.lit = Literal{Kind: BinaryLiteral, Bytes: b}
	}
	return tok, nil
}

// number reads an integer or a float literal.
func (lx *lexer) number() (token, error) {
	start := lx.pos
	i := start
	if c := lx.src[i]; c == '+' || c == '-' {
		i++
	}
	digits := i
	for lx.digitAt(i) {
		i++
	}
	intPart := lx.src[digits:i]
	isFloat := false
	if lx.at(i) == '.' && lx.digitAt(i+1) {
		isFloat = true
		i++
		for lx.digitAt(i) {
			i++
		}
	}
	lx.pos = i
	text := lx.src[start:i]
	tok := token{kind: tLit, text: text, pos: start}
	if isFloat {
		f, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return token{}, lx.errorf(start, "invalid number %s", quote(text))
		}
		tok.lit = Literal{Kind: FloatLiteral, Float: f}
		return tok, nil
	}
	if len(intPart) > 1 && intPart[0] == '0' {
		return token{}, lx.errorf(start, "invalid number %s (leading zero)", quote(text))
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return token{}, lx.errorf(start, "integer %s out of range", quote(text))
	}
	tok.lit = Literal{Kind: IntLiteral, Int: n}
	return tok, nil
}

// Parser: recursive descent over the grammar of §9 (STIXPattern.g4).

type parser struct {
	lx    lexer
	tok   token
	depth int
}

func (p *parser) advance() error {
	t, err := p.lx.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

func (p *parser) unexpected(want string) error {
	if p.tok.kind == tEOF {
		return &PatternError{Offset: p.tok.pos, Msg: "unexpected end of pattern", Want: want}
	}
	return &PatternError{Offset: p.tok.pos, Msg: "unexpected " + quote(p.tok.text), Want: want}
}

func (p *parser) is(kind tokKind, text string) bool {
	return p.tok.kind == kind && p.tok.text == text
}

// expect consumes the token (kind, text) or fails.
func (p *parser) expect(kind tokKind, text string) error {
	if !p.is(kind, text) {
		return p.unexpected(strconv.Quote(text))
	}
	return p.advance()
}

func (p *parser) nest() error {
	p.depth++
	if p.depth > maxNesting {
		return &PatternError{Offset: p.tok.pos, Msg: fmt.Sprintf("nested more than %d levels deep", maxNesting)}
	}
	return nil
}

// observationExprs: or (FOLLOWEDBY or)*
func (p *parser) observationExprs() (ObservationExpr, error) {
	return p.observationBinary("FOLLOWEDBY", func() (ObservationExpr, error) {
		return p.observationBinary("OR", func() (ObservationExpr, error) {
			return p.observationBinary("AND", p.observationExpr)
		})
	})
}

func (p *parser) observationBinary(op string, operand func() (ObservationExpr, error)) (ObservationExpr, error) {
	return leftFold(p, op, operand, func(l, r ObservationExpr) ObservationExpr { return &ObservationOp{Op: op, Left: l, Right: r} })
}

// leftFold parses operand (op operand)*, joining to the left: the one
// shape of every binary level of the grammar.
func leftFold[E any](p *parser, op string, operand func() (E, error), join func(l, r E) E) (E, error) {
	var zero E
	left, err := operand()
	if err != nil {
		return zero, err
	}
	for p.is(tKeyword, op) {
		if err := p.advance(); err != nil {
			return zero, err
		}
		right, err := operand()
		if err != nil {
			return zero, err
		}
		left = join(left, right)
	}
	return left, nil
}

// observationExpr: ( "[" comparison "]" | "(" observationExprs ")" ) qualifier*
func (p *parser) observationExpr() (ObservationExpr, error) {
	var e ObservationExpr
	switch {
	case p.is(tPunct, "["):
		if err := p.nest(); err != nil {
			return nil, err
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		c, err := p.comparisonOr()
		if err != nil {
			return nil, err
		}
		if !p.is(tPunct, "]") {
			return nil, p.unexpected(`AND, OR or "]"`)
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		p.depth--
		e = &Observation{Comparison: c}
	case p.is(tPunct, "("):
		if err := p.nest(); err != nil {
			return nil, err
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		inner, err := p.observationExprs()
		if err != nil {
			return nil, err
		}
		if !p.is(tPunct, ")") {
			return nil, p.unexpected(`AND, OR, FOLLOWEDBY, a qualifier or ")"`)
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		p.depth--
		e = inner
	default:
		return nil, p.unexpected(`"[" or "("`)
	}
	for {
		var q Qualifier
		switch {
		case p.is(tKeyword, "WITHIN"):
			if err := p.advance(); err != nil {
				return nil, err
			}
			l := p.tok.lit
			if p.tok.kind != tLit || (l.Kind != IntLiteral && l.Kind != FloatLiteral) || strings.HasPrefix(p.tok.text, "-") {
				return nil, p.unexpected("a positive number of seconds")
			}
			q = Qualifier{Kind: "WITHIN", Seconds: l.Float}
			if l.Kind == IntLiteral {
				q.Seconds = float64(l.Int)
			}
			if err := p.advance(); err != nil {
				return nil, err
			}
			if err := p.expect(tKeyword, "SECONDS"); err != nil {
				return nil, err
			}
		case p.is(tKeyword, "REPEATS"):
			if err := p.advance(); err != nil {
				return nil, err
			}
			if p.tok.kind != tLit || p.tok.lit.Kind != IntLiteral || strings.HasPrefix(p.tok.text, "-") {
				return nil, p.unexpected("a positive integer")
			}
			q = Qualifier{Kind: "REPEATS", Times: p.tok.lit.Int}
			if err := p.advance(); err != nil {
				return nil, err
			}
			if err := p.expect(tKeyword, "TIMES"); err != nil {
				return nil, err
			}
		case p.is(tKeyword, "START"):
			if err := p.advance(); err != nil {
				return nil, err
			}
			if p.tok.kind != tLit || p.tok.lit.Kind != TimestampLiteral {
				return nil, p.unexpected("a timestamp t'…'")
			}
			q = Qualifier{Kind: "START", Start: p.tok.lit.Time}
			if err := p.advance(); err != nil {
				return nil, err
			}
			if err := p.expect(tKeyword, "STOP"); err != nil {
				return nil, err
			}
			if p.tok.kind != tLit || p.tok.lit.Kind != TimestampLiteral {
				return nil, p.unexpected("a timestamp t'…'")
			}
			q.Stop = p.tok.lit.Time
			if err := p.advance(); err != nil {
				return nil, err
			}
		default:
			return e, nil
		}
		e = &Qualified{Expr: e, Qualifier: q}
	}
}

// comparisonOr: and (OR and)*
func (p *parser) comparisonOr() (ComparisonExpr, error) {
	return p.comparisonBinary("OR", func() (ComparisonExpr, error) {
		return p.comparisonBinary("AND", p.propTest)
	})
}

func (p *parser) comparisonBinary(op string, operand func() (ComparisonExpr, error)) (ComparisonExpr, error) {
	return leftFold(p, op, operand, func(l, r ComparisonExpr) ComparisonExpr { return &ComparisonOp{Op: op, Left: l, Right: r} })
}

// propTest: "(" comparisonOr ")" | EXISTS path | path NOT? op literal
func (p *parser) propTest() (ComparisonExpr, error) {
	if p.is(tPunct, "(") {
		if err := p.nest(); err != nil {
			return nil, err
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		c, err := p.comparisonOr()
		if err != nil {
			return nil, err
		}
		if !p.is(tPunct, ")") {
			return nil, p.unexpected(`AND, OR or ")"`)
		}
		p.depth--
		return c, p.advance()
	}
	if p.is(tKeyword, "EXISTS") {
		if err := p.advance(); err != nil {
			return nil, err
		}
		path, err := p.objectPath()
		if err != nil {
			return nil, err
		}
		return &Comparison{Path: path, Op: "EXISTS"}, nil
	}
	path, err := p.objectPath()
	if err != nil {
		return nil, err
	}
	c := &Comparison{Path: path}
	if p.is(tKeyword, "NOT") {
		c.Not = true
		if err := p.advance(); err != nil {
			return nil, err
		}
	}
	switch {
	case p.tok.kind == tOp:
		c.Op = p.tok.text
		if err := p.advance(); err != nil {
			return nil, err
		}
		if p.tok.kind != tLit {
			return nil, p.unexpected("a literal")
		}
		if c.Op != "=" && c.Op != "!=" && p.tok.lit.Kind == BoolLiteral {
			return nil, p.unexpected("a literal that can be ordered (not a boolean)")
		}
		c.Value = p.tok.lit
		return c, p.advance()
	case p.is(tKeyword, "IN"):
		c.Op = "IN"
		if err := p.advance(); err != nil {
			return nil, err
		}
		if !p.is(tPunct, "(") {
			return nil, p.unexpected(`"("`)
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		c.Set = []Literal{}
		for !p.is(tPunct, ")") {
			if len(c.Set) > 0 {
				if err := p.expect(tPunct, ","); err != nil {
					return nil, err
				}
			}
			if p.tok.kind != tLit {
				return nil, p.unexpected("a literal")
			}
			c.Set = append(c.Set, p.tok.lit)
			if err := p.advance(); err != nil {
				return nil, err
			}
		}
		return c, p.advance()
	case p.is(tKeyword, "LIKE"), p.is(tKeyword, "MATCHES"), p.is(tKeyword, "ISSUBSET"), p.is(tKeyword, "ISSUPERSET"):
		c.Op = p.tok.text
		if err := p.advance(); err != nil {
			return nil, err
		}
		if p.tok.kind != tLit || p.tok.lit.Kind != StringLiteral {
			return nil, p.unexpected("a string literal")
		}
		c.Value = p.tok.lit
		return c, p.advance()
	}
	return nil, p.unexpected("a comparison operator")
}

// objectPath: type ":" (ident | string) ( "." (ident | string) | "[" (int | "*") "]" )*
func (p *parser) objectPath() (ObjectPath, error) {
	var path ObjectPath
	if p.tok.kind != tIdent {
		return path, p.unexpected("an object path like ipv4-addr:value")
	}
	path.ObjectType = p.tok.text
	if err := p.advance(); err != nil {
		return path, err
	}
	if err := p.expect(tPunct, ":"); err != nil {
		return path, err
	}
	key := func() error {
		switch {
		case p.tok.kind == tIdent && !p.tok.hyphen:
			path.Steps = append(path.Steps, PathStep{Key: p.tok.text})
		case p.tok.kind == tLit && p.tok.lit.Kind == StringLiteral:
			path.Steps = append(path.Steps, PathStep{Key: p.tok.lit.Str})
		default:
			return p.unexpected("a property name (quote it if it has a hyphen)")
		}
		return p.advance()
	}
	if err := key(); err != nil {
		return path, err
	}
	for {
		switch {
		case p.is(tPunct, "."):
			if err := p.advance(); err != nil {
				return path, err
			}
			if err := key(); err != nil {
				return path, err
			}
		case p.is(tPunct, "["):
			if err := p.advance(); err != nil {
				return path, err
			}
			switch {
			case p.is(tPunct, "*"):
				path.Steps = append(path.Steps, PathStep{Any: true})
			case p.tok.kind == tLit && p.tok.lit.Kind == IntLiteral:
				path.Steps = append(path.Steps, PathStep{IsIndex: true, Index: p.tok.lit.Int})
			default:
				return path, p.unexpected(`an index or "*"`)
			}
			if err := p.advance(); err != nil {
				return path, err
			}
			if err := p.expect(tPunct, "]"); err != nil {
				return path, err
			}
		default:
			return path, nil
		}
	}
}
