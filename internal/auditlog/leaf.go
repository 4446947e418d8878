package auditlog

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// appendLeaf writes r's leaf data: the RFC 8785 canonical JSON of its fields.
// It is written by hand because verification hashes every entry of the log
// and a general JSON canonicaliser is several times slower; a test checks it
// against github.com/gowebpki/jcs for all kinds of strings.
//
// RFC 8785 for an object of strings and one small integer means: members
// sorted by key (all ASCII here, so byte order is UTF-16 order), no white
// space, integers in decimal, and strings with only '"', '\\' and control
// characters escaped (\b \t \n \f \r, others as \u00xx in lower-case hex).
//
// withMAC leaves out the "mac" member: that form is what the MAC covers.
func appendLeaf(b []byte, r Record, withMAC bool) []byte {
	b = append(b, `{"action":`...)
	b = appendString(b, r.Action)
	b = append(b, `,"actor":`...)
	b = appendString(b, r.Actor)
	b = append(b, `,"digest":`...)
	b = appendString(b, r.Digest)
	b = append(b, `,"index":`...)
	b = strconv.AppendInt(b, r.Index, 10)
	b = append(b, `,"key_id":`...)
	b = appendString(b, r.KeyID)
	if withMAC {
		b = append(b, `,"mac":`...)
		b = appendString(b, r.MAC)
	}
	b = append(b, `,"org":`...)
	b = appendString(b, r.Org)
	b = append(b, `,"resource":`...)
	b = appendString(b, r.Resource)
	b = append(b, `,"time":`...)
	b = appendString(b, r.Time.UTC().Format(time.RFC3339Nano))
	return append(b, '}')
}

const hexDigits = "0123456789abcdef"

func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				// Invalid UTF-8 becomes U+FFFD, as encoding/json does.
				b = append(b, "\ufffd"...)
			} else {
				b = append(b, s[i:i+size]...)
			}
			i += size
			continue
		}
		switch {
		case c == '"':
			b = append(b, '\\', '"')
		case c == '\\':
			b = append(b, '\\', '\\')
		case c == '\b':
			b = append(b, '\\', 'b')
		case c == '\t':
			b = append(b, '\\', 't')
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\f':
			b = append(b, '\\', 'f')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		default:
			b = append(b, c)
		}
		i++
	}
	return append(b, '"')
}
