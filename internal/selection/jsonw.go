package selection

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// jsonw appends one JSON object at a time to a byte slice without reflection:
// records are written by the million, and encoding/json would allocate for
// each. Keys are constants of this package; values from the wire are escaped.
type jsonw struct {
	b     []byte
	comma bool
}

func (j *jsonw) open() {
	j.b = append(j.b, '{')
	j.comma = false
}

func (j *jsonw) close() { j.b = append(j.b, '}') }

// line ends a record.
func (j *jsonw) line() { j.b = append(j.b, '}', '\n') }

func (j *jsonw) key(k string) {
	if j.comma {
		j.b = append(j.b, ',')
	}
	j.comma = true
	j.b = append(j.b, '"')
	j.b = append(j.b, k...)
	j.b = append(j.b, '"', ':')
}

// object starts a nested object under k; closeNested ends it.
func (j *jsonw) object(k string) {
	j.key(k)
	j.open()
}

func (j *jsonw) closeNested() {
	j.close()
	j.comma = true
}

func (j *jsonw) str(k, v string) {
	j.key(k)
	j.b = appendJSONString(j.b, v)
}

func (j *jsonw) bytes(k string, v []byte) {
	j.key(k)
	j.b = appendJSONString(j.b, v)
}

func (j *jsonw) uint(k string, v uint64) {
	j.key(k)
	j.b = strconv.AppendUint(j.b, v, 10)
}

func (j *jsonw) bool(k string, v bool) {
	j.key(k)
	j.b = strconv.AppendBool(j.b, v)
}

// time writes Unix nanoseconds as an RFC 3339 UTC time with nanoseconds.
func (j *jsonw) time(k string, ns int64) {
	j.key(k)
	j.b = append(j.b, '"')
	j.b = time.Unix(0, ns).UTC().AppendFormat(j.b, time.RFC3339Nano)
	j.b = append(j.b, '"')
}

// array helpers: begin with arr, add elements with elem*, end with endArr.
func (j *jsonw) arr(k string) {
	j.key(k)
	j.b = append(j.b, '[')
	j.comma = false
}

func (j *jsonw) elemBytes(v []byte) {
	if j.comma {
		j.b = append(j.b, ',')
	}
	j.comma = true
	j.b = appendJSONString(j.b, v)
}

func (j *jsonw) endArr() {
	j.b = append(j.b, ']')
	j.comma = true
}

// appendJSONString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD,
// so a record is always valid JSON whatever the wire carried.
func appendJSONString[S string | []byte](dst []byte, s S) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				dst = append(dst, '\\', c)
			case c < 0x20 || c == 0x7f:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune([]byte(s[i:min(i+utf8.UTFMax, len(s))]))
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, "\\ufffd"...)
		} else {
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return append(dst, '"')
}
