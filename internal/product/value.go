package product

import (
	"fmt"
	"strings"
)

// Kind says which of the three sorts of WFN attribute value (NISTIR 7695
// §5.3.1) a [Value] is.
type Kind uint8

// The kinds of value.
const (
	// KindAny is the logical value ANY: any value, including none. It is
	// the zero Kind, so the zero Value is ANY.
	KindAny Kind = iota
	// KindNA is the logical value NA: the attribute does not apply.
	KindNA
	// KindString is a string value, possibly with wildcards at its ends.
	KindString
)

// String returns "ANY", "NA" or "string".
func (k Kind) String() string {
	switch k {
	case KindAny:
		return "ANY"
	case KindNA:
		return "NA"
	case KindString:
		return "string"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Value is one attribute of a [CPE]: ANY, NA, or a string. A string is
// held as its characters with all quoting removed (Text), plus the
// unquoted wildcards at its start and end (LeadingWildcard,
// TrailingWildcard): either "*" (any run of characters) or one or more
// "?" (exactly that many characters, or fewer at the very ends, per NISTIR
// 7696). Wildcards never occur inside Text: a quoted "\*" there is a
// literal asterisk. The zero Value is ANY. Values are comparable with ==.
type Value struct {
	kind  Kind
	lead  string // "", "*" or one or more "?"
	text  string // the characters, unquoted, lower case
	trail string // "", "*" or one or more "?"
}

// AnyValue returns the logical value ANY (the zero Value).
func AnyValue() Value { return Value{kind: KindAny} }

// NAValue returns the logical value NA.
func NAValue() Value { return Value{kind: KindNA} }

// Kind returns whether v is ANY, NA or a string.
func (v Value) Kind() Kind { return v.kind }

// Text returns the characters of a string value without quoting and
// without its wildcards ("8.0." for the bound form "8.0.*"), or
// "" for ANY and NA. It may be "" for a value that is only "?" wildcards.
func (v Value) Text() string { return v.text }

// LeadingWildcard returns the wildcards before Text: "", "*", or a run of
// "?".
func (v Value) LeadingWildcard() string { return v.lead }

// TrailingWildcard returns the wildcards after Text: "", "*", or a run of
// "?".
func (v Value) TrailingWildcard() string { return v.trail }

// HasWildcards reports whether v is a string with a wildcard at either end,
// which makes a CPE holding it a pattern rather than a name.
func (v Value) HasWildcards() bool { return v.lead != "" || v.trail != "" }

// String returns v as the formatted string binding writes it (§6.2.2.2):
// "*" for ANY, "-" for NA, and a string with every character other than
// letters, digits, "-", "." and "_" quoted with "\".
func (v Value) String() string {
	var b strings.Builder
	v.appendFS(&b)
	return b.String()
}

// WFN returns v as the WFN notation writes it (§5.4): ANY, NA, or the
// string in double quotes with every character other than letters, digits
// and "_" quoted with "\", e.g. "8\.0\.*".
func (v Value) WFN() string {
	switch v.kind {
	case KindAny:
		return "ANY"
	case KindNA:
		return "NA"
	}
	var b strings.Builder
	b.WriteByte('"')
	b.WriteString(v.lead)
	for i := 0; i < len(v.text); i++ {
		c := v.text[i]
		if !isAlnum(c) && c != '_' {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	b.WriteString(v.trail)
	b.WriteByte('"')
	return b.String()
}

// appendFS writes v in the formatted string binding to b.
func (v Value) appendFS(b *strings.Builder) {
	switch v.kind {
	case KindAny:
		b.WriteByte('*')
		return
	case KindNA:
		b.WriteByte('-')
		return
	}
	if v.lead == "" && v.trail == "" && v.text == "-" {
		// A lone unquoted "-" would read back as NA (§6.2.2.2 leaves this
		// case open), so the string "-" stays quoted.
		b.WriteString(`\-`)
		return
	}
	b.WriteString(v.lead)
	for i := 0; i < len(v.text); i++ {
		c := v.text[i]
		if !isAlnum(c) && c != '_' && c != '-' && c != '.' {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	b.WriteString(v.trail)
}

// tok is one character of a value being read: a literal character (already
// unquoted or percent-decoded) or an unquoted wildcard, and where in the
// input it was.
type tok struct {
	c    byte
	wild bool
	pos  int
}

// assemble builds a string value from its characters, checking that
// wildcards stand only at the ends (§5.3.2: "*" alone, or a run of "?").
// off is where the value starts in the input.
// uri says the input is the URI binding, where wildcards are %01 and %02.
func assemble(ts []tok, off int, uri bool) (Value, *fault) {
	v := Value{kind: KindString}
	i, j := 0, len(ts)
	if i < j && ts[i].wild {
		if ts[i].c == '*' {
			i = 1
		} else {
			for i < j && ts[i].wild && ts[i].c == '?' {
				i++
			}
		}
		v.lead = wildString(ts[:i])
	}
	if j > i && ts[j-1].wild {
		if ts[j-1].c == '*' {
			j--
		} else {
			for j > i && ts[j-1].wild && ts[j-1].c == '?' {
				j--
			}
		}
		v.trail = wildString(ts[j:])
	}
	text := make([]byte, 0, j-i)
	for _, t := range ts[i:j] {
		switch {
		case t.wild && uri:
			return Value{}, &fault{t.pos, fmt.Sprintf(`%q at column %d: wildcards go only at the start or end (%%02 alone or a run of %%01)`, uriWild(t.c), t.pos+1)}
		case t.wild:
			return Value{}, &fault{t.pos, fmt.Sprintf(`unquoted %q at column %d: wildcards go only at the start or end ("*" alone or a run of "?"); quote a literal one as "\%c"`, t.c, t.pos+1, t.c)}
		}
		text = append(text, t.c)
	}
	if len(text) == 0 && (v.lead == "*" || v.trail != "") {
		return Value{}, &fault{off, `a value of wildcards only must be "*" (ANY) or a run of "?"`}
	}
	v.text = string(text)
	return v, nil
}

// uriWild returns how the URI binding writes wildcard c.
func uriWild(c byte) string {
	if c == '*' {
		return "%02"
	}
	return "%01"
}

// wildString returns the wildcards of ts as a string.
func wildString(ts []tok) string {
	b := make([]byte, len(ts))
	for i, t := range ts {
		b[i] = t.c
	}
	return string(b)
}
