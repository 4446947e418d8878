package extract

// isTchar reports whether c may appear in an HTTP token (RFC 9110 §5.6.2).
func isTchar(c byte) bool {
	switch {
	case isAlpha(c), isDigit(c):
		return true
	}
	switch c {
	case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~':
		return true
	}
	return false
}

func isAlpha(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// lower returns c with A–Z mapped to a–z.
func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// equalFold reports whether b equals the lower-case ASCII string s, ignoring
// the case of ASCII letters in b.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
		if lower(b[i]) != s[i] {
			return false
		}
	}
	return true
}

// hasPrefixFold reports whether b begins with the lower-case ASCII string s,
// ignoring the case of ASCII letters in b.
func hasPrefixFold(b []byte, s string) bool {
	return len(b) >= len(s) && equalFold(b[:len(s)], s)
}

// trimOWS trims spaces and tabs from both ends of b.
func trimOWS(b []byte) []byte {
	b = trimLeftOWS(b)
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// trimLeftOWS trims spaces and tabs from the start of b.
func trimLeftOWS(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	return b
}

// isWSP reports whether c is white space or part of a line break.
func isWSP(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// Unfold appends v to dst with every run of white space that holds a line
// break (obsolete folding in HTTP, folding in mail headers) replaced by one
// space, and returns the extended slice. Use it before printing a value that
// ParseRequest or ParseHeaders returned. It does not allocate when dst has
// room for v.
func Unfold(dst, v []byte) []byte {
	start := len(dst)
	for i := 0; i < len(v); {
		c := v[i]
		if c != '\r' && c != '\n' {
			dst = append(dst, c)
			i++
			continue
		}
		// Drop the white space already copied before the break, then the
		// break and the white space after it, and put one space instead.
		for len(dst) > start && (dst[len(dst)-1] == ' ' || dst[len(dst)-1] == '\t') {
			dst = dst[:len(dst)-1]
		}
		for i < len(v) && isWSP(v[i]) {
			i++
		}
		dst = append(dst, ' ')
	}
	return dst
}
