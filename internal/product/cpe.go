package product

import (
	"fmt"
	"strings"
)

// CPE is a CPE 2.3 well-formed name (NISTIR 7695 §5): eleven attributes,
// each a [Value]. The zero CPE has every attribute ANY. CPE values are
// comparable with ==; two CPEs from [ParseCPE] are equal exactly when they
// name the same WFN.
//
// [ParseCPE] checks the part and language attributes; a CPE assembled by
// hand is the caller's to keep valid.
type CPE struct {
	// Part is "a" (application), "o" (operating system), "h" (hardware),
	// ANY or NA.
	Part      Value
	Vendor    Value
	Product   Value
	Version   Value
	Update    Value
	Edition   Value
	Language  Value
	SWEdition Value
	TargetSW  Value
	TargetHW  Value
	Other     Value
}

// attrNames are the WFN attribute names (§5.3.3) in binding order.
var attrNames = [...]string{
	"part", "vendor", "product", "version", "update", "edition", "language",
	"sw_edition", "target_sw", "target_hw", "other",
}

// numAttrs is the number of WFN attributes.
const numAttrs = len(attrNames)

// AttrNames returns the WFN attribute names in binding order: part,
// vendor, product, version, update, edition, language, sw_edition,
// target_sw, target_hw, other.
func AttrNames() []string {
	names := attrNames
	return names[:]
}

// Attrs returns c's attributes in the order of [AttrNames].
func (c CPE) Attrs() [numAttrs]Value {
	return [...]Value{
		c.Part, c.Vendor, c.Product, c.Version, c.Update, c.Edition, c.Language,
		c.SWEdition, c.TargetSW, c.TargetHW, c.Other,
	}
}

// Attr returns the attribute with the WFN name (see [AttrNames]), and false
// if there is no such attribute.
func (c CPE) Attr(name string) (Value, bool) {
	for i, n := range attrNames {
		if n == name {
			return c.Attrs()[i], true
		}
	}
	return Value{}, false
}

// attr returns a pointer to c's i'th attribute in binding order.
func (c *CPE) attr(i int) *Value {
	return [...]*Value{
		&c.Part, &c.Vendor, &c.Product, &c.Version, &c.Update, &c.Edition, &c.Language,
		&c.SWEdition, &c.TargetSW, &c.TargetHW, &c.Other,
	}[i]
}

// String returns c in the CPE 2.3 formatted string binding (§6.2.2), the
// canonical form: "cpe:2.3:" and the eleven attributes separated by
// colons, ANY as "*", NA as "-".
func (c CPE) String() string {
	var b strings.Builder
	b.WriteString("cpe:2.3")
	for _, v := range c.Attrs() {
		b.WriteByte(':')
		v.appendFS(&b)
	}
	return b.String()
}

// WFN returns c in the WFN notation of NISTIR 7695 §5.4, with every
// attribute: wfn:[part="a",vendor="microsoft",…,other=ANY].
func (c CPE) WFN() string {
	var b strings.Builder
	b.WriteString("wfn:[")
	for i, v := range c.Attrs() {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(attrNames[i])
		b.WriteByte('=')
		b.WriteString(v.WFN())
	}
	b.WriteByte(']')
	return b.String()
}

// ParseCPE reads a CPE name in the CPE 2.3 formatted string binding
// (NISTIR 7695 §6.2: "cpe:2.3:" and exactly eleven colon-separated
// attributes, "\" quoting any printable non-alphanumeric character other
// than "-", "." and "_", "*" and "?" as wildcards at either end of a
// value) or in the CPE 2.2 URI binding (§6.1: "cpe:/" and up to seven
// components, percent-encoding, %01 and %02 as wildcards, the edition
// component "~edition~sw_edition~target_sw~target_hw~other" packing five
// attributes; missing or empty components are ANY).
//
// Values hold printable ASCII only (§5.3.2); ASCII letters are folded to
// lower case. Part must be a, o, h, ANY or NA; language a language tag
// such as "en" or "ja-jp" (§5.3.3.7), ANY or NA. Errors are [*ParseError].
func ParseCPE(s string) (CPE, error) {
	if len(s) > MaxLen {
		return CPE{}, &ParseError{Kind: "CPE", Input: s, Offset: MaxLen, Msg: fmt.Sprintf("longer than %d bytes", MaxLen)}
	}
	var c CPE
	var err error
	switch {
	case hasPrefixFold(s, fsPrefix):
		c, err = parseFS(s)
	case hasPrefixFold(s, uriPrefix):
		c, err = parseURI(s)
	default:
		return CPE{}, &ParseError{Kind: "CPE", Input: s, Msg: `want "cpe:2.3:" (formatted string) or "cpe:/" (URI) at the start`}
	}
	if err != nil {
		return CPE{}, err
	}
	if n := len(c.String()); n > MaxLen {
		// A URI's "~" becomes "\~"; what this returns must parse again.
		return CPE{}, &ParseError{Kind: "CPE", Input: s, Msg: fmt.Sprintf("formatted string is %d bytes, longer than %d", n, MaxLen)}
	}
	return c, nil
}

const (
	fsPrefix  = "cpe:2.3:"
	uriPrefix = "cpe:/"
)

// hasPrefixFold reports whether s begins with prefix, ignoring ASCII case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// fault is a problem found in one component: where, and what.
type fault struct {
	off int
	msg string
}

// componentError wraps f as the ParseError of component i of input s.
func componentError(kind, s, name, value string, f *fault) *ParseError {
	return &ParseError{Kind: kind, Input: s, Component: name, Value: value, Offset: f.off, Msg: f.msg}
}

// parseFS reads the formatted string binding (§6.2.3).
func parseFS(s string) (CPE, error) {
	var fields [numAttrs]string
	var offs [numAttrs]int
	n, start := 0, len(fsPrefix)
	for k := start; k <= len(s); k++ {
		if k+1 < len(s) && s[k] == '\\' {
			k++ // the quoted character is never a separator
			continue
		}
		if k == len(s) || s[k] == ':' {
			if n < numAttrs {
				fields[n], offs[n] = s[start:k], start
			}
			n++
			start = k + 1
		}
	}
	if n != numAttrs {
		return CPE{}, &ParseError{Kind: "CPE", Input: s, Msg: fmt.Sprintf("want 13 colon-separated fields (cpe, 2.3 and 11 attributes), got %d", n+2)}
	}
	var c CPE
	for i := range numAttrs {
		v, f := parseFSValue(fields[i], offs[i])
		if f == nil {
			f = checkAttr(i, v, offs[i])
		}
		if f != nil {
			return CPE{}, componentError("CPE", s, attrNames[i], fields[i], f)
		}
		*c.attr(i) = v
	}
	return c, nil
}

// ParseValue reads one attribute value as the formatted string binding
// writes it: "*" (ANY), "-" (NA), or a string such as "8.0.*" or
// "big\$money". Errors are [*ParseError] of Kind "CPE value".
func ParseValue(s string) (Value, error) {
	if len(s) > MaxLen {
		return Value{}, &ParseError{Kind: "CPE value", Input: s, Offset: MaxLen, Msg: fmt.Sprintf("longer than %d bytes", MaxLen)}
	}
	v, f := parseFSValue(s, 0)
	if f != nil {
		return Value{}, &ParseError{Kind: "CPE value", Input: s, Offset: f.off, Msg: f.msg}
	}
	return v, nil
}

// parseFSValue reads one value of a formatted string (§6.2.3.2
// unbind_value_fs and add_quoting, with the character rules of the §6.2.2
// grammar); off is where s starts in the input, for positions.
func parseFSValue(s string, off int) (Value, *fault) {
	switch s {
	case "":
		return Value{}, &fault{off, "empty: write * for ANY or - for NA"}
	case "*":
		return Value{kind: KindAny}, nil
	case "-":
		return Value{kind: KindNA}, nil
	}
	ts := make([]tok, 0, len(s))
	for k := 0; k < len(s); k++ {
		c := s[k]
		switch {
		case isAlnum(c) || c == '_' || c == '-' || c == '.':
			ts = append(ts, tok{c: lower(c), pos: off + k})
		case c == '\\':
			if k+1 == len(s) {
				return Value{}, &fault{off + k, fmt.Sprintf(`"\" at column %d quotes nothing`, off+k+1)}
			}
			d := s[k+1]
			if isAlnum(d) {
				return Value{}, &fault{off + k, fmt.Sprintf(`"\%c" at column %d: only punctuation is quoted`, d, off+k+1)}
			}
			if !isPrintable(d) {
				return Value{}, &fault{off + k + 1, fmt.Sprintf("%s at column %d: only printable ASCII is allowed", describeByte(s, k+1), off+k+2)}
			}
			ts = append(ts, tok{c: d, pos: off + k})
			k++
		case c == '*' || c == '?':
			ts = append(ts, tok{c: c, wild: true, pos: off + k})
		case c == ' ':
			return Value{}, &fault{off + k, fmt.Sprintf(`space at column %d: CPE has no spaces (write them as "_")`, off+k+1)}
		case !isPrintable(c):
			return Value{}, &fault{off + k, fmt.Sprintf("%s at column %d: only printable ASCII is allowed", describeByte(s, k), off+k+1)}
		default:
			return Value{}, &fault{off + k, fmt.Sprintf(`%q at column %d must be quoted as "\%c"`, c, off+k+1, c)}
		}
	}
	return assemble(ts, off, false)
}

// parseURI reads the URI binding (§6.1.3).
func parseURI(s string) (CPE, error) {
	rest := s[len(uriPrefix):]
	comps := strings.Split(rest, ":")
	if len(comps) > 7 {
		return CPE{}, &ParseError{Kind: "CPE", Input: s, Msg: fmt.Sprintf(`want at most 7 colon-separated components after "cpe:/", got %d`, len(comps))}
	}
	var c CPE
	off := len(uriPrefix)
	// The URI's components are the first seven attributes in order.
	for i, comp := range comps {
		if i == 5 && strings.HasPrefix(comp, "~") {
			if err := unpackEdition(&c, s, comp, off); err != nil {
				return CPE{}, err
			}
		} else {
			v, f := decodeURIValue(comp, off)
			if f == nil {
				f = checkAttr(i, v, off)
			}
			if f != nil {
				return CPE{}, componentError("CPE", s, attrNames[i], comp, f)
			}
			*c.attr(i) = v
		}
		off += len(comp) + 1
	}
	return c, nil
}

// packed lists the attributes the URI's packed edition holds, in order
// (§6.1.3.3): edition, sw_edition, target_sw, target_hw, other.
var packed = [...]int{5, 7, 8, 9, 10}

// unpackEdition reads a packed edition component ("~a~b~c~d~e") at off in s
// into c.
func unpackEdition(c *CPE, s, comp string, off int) error {
	parts := strings.Split(comp[1:], "~")
	if len(parts) != len(packed) {
		return componentError("CPE", s, "edition", comp, &fault{off, fmt.Sprintf(`packed edition: want 5 "~"-separated fields (edition, sw_edition, target_sw, target_hw, other), got %d`, len(parts))})
	}
	p := off + 1
	for j, part := range parts {
		i := packed[j]
		v, f := decodeURIValue(part, p)
		if f == nil {
			f = checkAttr(i, v, p)
		}
		if f != nil {
			return componentError("CPE", s, attrNames[i], part, f)
		}
		*c.attr(i) = v
		p += len(part) + 1
	}
	return nil
}

// decodeURIValue reads one URI component (§6.1.3.2 decode): "" is ANY,
// "-" is NA, unreserved characters stand for themselves, others are
// percent-encoded, %01 is "?" and %02 is "*".
func decodeURIValue(s string, off int) (Value, *fault) {
	switch s {
	case "":
		return Value{kind: KindAny}, nil
	case "-":
		return Value{kind: KindNA}, nil
	}
	ts := make([]tok, 0, len(s))
	for k := 0; k < len(s); k++ {
		c := s[k]
		switch {
		case isAlnum(c) || c == '_' || c == '-' || c == '.' || c == '~':
			ts = append(ts, tok{c: lower(c), pos: off + k})
		case c == '%':
			if k+2 >= len(s) || !isHex(s[k+1]) || !isHex(s[k+2]) {
				return Value{}, &fault{off + k, fmt.Sprintf(`"%%" at column %d: want two hex digits after it`, off+k+1)}
			}
			b := unhex(s[k+1])<<4 | unhex(s[k+2])
			switch {
			case b == 0x01:
				ts = append(ts, tok{c: '?', wild: true, pos: off + k})
			case b == 0x02:
				ts = append(ts, tok{c: '*', wild: true, pos: off + k})
			case isPrintable(b):
				ts = append(ts, tok{c: lower(b), pos: off + k})
			default:
				return Value{}, &fault{off + k, fmt.Sprintf("%q at column %d: only printable ASCII is allowed", s[k:k+3], off+k+1)}
			}
			k += 2
		case !isPrintable(c):
			return Value{}, &fault{off + k, fmt.Sprintf("%s at column %d: only printable ASCII is allowed", describeByte(s, k), off+k+1)}
		default:
			return Value{}, &fault{off + k, fmt.Sprintf("%q at column %d must be percent-encoded as %%%02x", c, off+k+1, c)}
		}
	}
	return assemble(ts, off, true)
}

// checkAttr applies the rules of attribute i that go beyond characters:
// part is a, o or h; language is a language tag. off is where the
// component starts.
func checkAttr(i int, v Value, off int) *fault {
	if v.kind != KindString {
		return nil
	}
	switch attrNames[i] {
	case "part":
		if v.HasWildcards() || (v.text != "a" && v.text != "o" && v.text != "h") {
			return &fault{off, "want a, o, h, * or -"}
		}
	case "language":
		if v.HasWildcards() || !isLangTag(v.text) {
			return &fault{off, `want a language tag such as "en" or "ja-jp" (RFC 5646 language and optional region), * or -`}
		}
	}
	return nil
}

// isLangTag reports whether s is language ["-" region] as §5.3.3.7
// restricts RFC 5646: 2 or 3 letters, then 2 letters or 3 digits.
func isLangTag(s string) bool {
	lang, region, hasRegion := strings.Cut(s, "-")
	if len(lang) < 2 || len(lang) > 3 || !all(lang, isAlpha) {
		return false
	}
	if !hasRegion {
		return true
	}
	return (len(region) == 2 && all(region, isAlpha)) || (len(region) == 3 && all(region, isDigit))
}

// all reports whether every byte of s satisfies f.
func all(s string, f func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !f(s[i]) {
			return false
		}
	}
	return true
}

func isAlpha(c byte) bool     { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool     { return '0' <= c && c <= '9' }
func isAlnum(c byte) bool     { return isAlpha(c) || isDigit(c) }
func isPrintable(c byte) bool { return 0x21 <= c && c <= 0x7e }
func isHex(c byte) bool       { return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func unhex(c byte) byte {
	switch {
	case isDigit(c):
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
