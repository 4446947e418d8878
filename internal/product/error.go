package product

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxLen is the longest CPE name or package URL the parsers accept, in
// bytes. Longer input is refused before it is looked at.
const MaxLen = 2048

// ParseError is the error of [ParseCPE], [ParsePURL] and [ParseValue]. It
// quotes the input and names the component at fault.
type ParseError struct {
	// Kind is what was parsed: "CPE", "CPE value" or "PURL".
	Kind string
	// Input is the whole string given to the parser.
	Input string
	// Component names the part at fault: a WFN attribute name ("part",
	// "vendor", …, "other") for a CPE; "type", "namespace", "name",
	// "version", "qualifiers" or "subpath" for a package URL. It is ""
	// when the input as a whole is wrong (prefix, number of fields,
	// length).
	Component string
	// Value is the component as written in Input.
	Value string
	// Offset is the byte offset in Input (from 0) where the fault was
	// found: the offending character, or the start of the component.
	Offset int
	// Msg says what is wrong; for a bad character it names its column
	// (byte offset + 1).
	Msg string
}

// Error renders e as
// `parse CPE "<input>": <component> "<value>": <msg>`.
func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString("parse ")
	b.WriteString(e.Kind)
	b.WriteByte(' ')
	b.WriteString(quote(e.Input))
	b.WriteString(": ")
	if e.Component != "" {
		b.WriteString(e.Component)
		b.WriteByte(' ')
		b.WriteString(quote(e.Value))
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// maxQuote is how much of an input an error message quotes.
const maxQuote = 160

// quote quotes s for an error message, cutting it (on a character
// boundary) when it is long.
func quote(s string) string {
	if len(s) <= maxQuote {
		return strconv.Quote(s)
	}
	n := maxQuote
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return strconv.Quote(s[:n]) + "..."
}

// describeByte names the character starting at s[i] for an error message:
// a quoted rune, or a hex byte when s[i:] is not valid UTF-8.
func describeByte(s string, i int) string {
	r, size := utf8.DecodeRuneInString(s[i:])
	if r == utf8.RuneError && size <= 1 {
		return "byte 0x" + strconv.FormatUint(uint64(s[i]), 16)
	}
	return strconv.QuoteRune(r)
}
