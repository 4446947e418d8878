package criteria

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// kind is the JSON shape a field of the format must have.
type kind uint8

const (
	kString  kind = iota // a string
	kNumber              // a number
	kStrings             // an array of strings
	kDomains             // the domains object
	kRules               // an array of rule objects
)

func (k kind) String() string {
	switch k {
	case kString:
		return "a string"
	case kNumber:
		return "a number"
	case kStrings:
		return "an array of strings"
	case kDomains:
		return "an object"
	default:
		return "an array of objects"
	}
}

// The fields of each object of the format.
func topField(key string) (kind, bool) {
	switch key {
	case "schema", "id", "authority", "valid_from", "valid_until":
		return kString, true
	case "version":
		return kNumber, true
	case "directions":
		return kStrings, true
	case "rules":
		return kRules, true
	}
	return 0, false
}

func ruleField(key string) (kind, bool) {
	switch key {
	case "id":
		return kString, true
	case "addresses", "ports", "commands":
		return kStrings, true
	case "domains":
		return kDomains, true
	}
	return 0, false
}

func domainsField(key string) (kind, bool) {
	switch key {
	case "exact", "suffix":
		return kStrings, true
	}
	return 0, false
}

// checkStructure checks that data is one JSON object of the format's shape:
// well-formed UTF-8 JSON, no duplicate keys (which encoding/json would
// silently resolve to the last), no unknown fields (compared exactly, where
// encoding/json ignores case), no nulls, every value of its field's type.
// Its errors name the field, or the line and column of a syntax error.
func checkStructure(data []byte) error {
	if !utf8.Valid(data) {
		off := 0
		for off < len(data) {
			r, n := utf8.DecodeRune(data[off:])
			if r == utf8.RuneError && n == 1 {
				break
			}
			off += n
		}
		return syntaxErrorAt(data, off, "invalid UTF-8")
	}
	// A full scan first: its syntax errors have exact offsets, which the
	// token decoder's do not.
	var whole json.RawMessage
	if err := json.Unmarshal(data, &whole); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			// Offset counts the bytes read up to and including the bad
			// one; at the end of the input there is no bad byte.
			off := int(se.Offset) - 1
			if off < 0 || strings.HasPrefix(se.Error(), "unexpected end") {
				off = int(se.Offset)
			}
			return syntaxErrorAt(data, off, se.Error())
		}
		return syntaxErrorAt(data, 0, err.Error())
	}
	w := walker{data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	w.dec.UseNumber()
	tok, err := w.token()
	if err != nil {
		return err
	}
	if tok != json.Delim('{') {
		return &FieldError{Msg: fmt.Sprintf("want a JSON object at the top level, got %s", describe(tok))}
	}
	if err := w.object("", topField); err != nil {
		return err
	}
	off := int(w.dec.InputOffset())
	for off < len(data) && isSpace(data[off]) {
		off++
	}
	if off < len(data) {
		return syntaxErrorAt(data, off, "data after the top-level object")
	}
	return nil
}

type walker struct {
	data []byte
	dec  *json.Decoder
}

// token returns the next token, turning decoder errors into SyntaxErrors.
func (w *walker) token() (json.Token, error) {
	tok, err := w.dec.Token()
	if err == nil {
		return tok, nil
	}
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		off := int(se.Offset) - 1
		if off < 0 {
			off = 0
		}
		return nil, syntaxErrorAt(w.data, off, se.Error())
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return nil, syntaxErrorAt(w.data, len(w.data), "unexpected end of JSON input")
	}
	return nil, syntaxErrorAt(w.data, int(w.dec.InputOffset()), err.Error())
}

// object checks the members of an object whose '{' has been read, and reads
// its '}'.
func (w *walker) object(path string, field func(string) (kind, bool)) error {
	seen := make(map[string]bool)
	for w.dec.More() {
		tok, err := w.token()
		if err != nil {
			return err
		}
		key, ok := tok.(string)
		if !ok { // the decoder allows only strings here; be safe
			return &FieldError{Field: path, Msg: fmt.Sprintf("want a key, got %s", describe(tok))}
		}
		if seen[key] {
			return &FieldError{Field: path, Msg: fmt.Sprintf("duplicate key %s", quote(key))}
		}
		seen[key] = true
		k, known := field(key)
		if !known {
			return &FieldError{Field: path, Msg: fmt.Sprintf("unknown field %s", quote(key))}
		}
		if err := w.value(join(path, key), k); err != nil {
			return err
		}
	}
	_, err := w.token() // '}'
	return err
}

// value checks one value of kind k.
func (w *walker) value(path string, k kind) error {
	tok, err := w.token()
	if err != nil {
		return err
	}
	wrong := func() error {
		return &FieldError{Field: path, Msg: fmt.Sprintf("want %s, got %s", k, describe(tok))}
	}
	switch k {
	case kString:
		if _, ok := tok.(string); !ok {
			return wrong()
		}
	case kNumber:
		if _, ok := tok.(json.Number); !ok {
			return wrong()
		}
	case kDomains:
		if tok != json.Delim('{') {
			return wrong()
		}
		return w.object(path, domainsField)
	case kStrings, kRules:
		if tok != json.Delim('[') {
			return wrong()
		}
		for i := 0; w.dec.More(); i++ {
			elem := fmt.Sprintf("%s[%d]", path, i)
			tok, err := w.token()
			if err != nil {
				return err
			}
			if k == kStrings {
				if _, ok := tok.(string); !ok {
					return &FieldError{Field: elem, Msg: fmt.Sprintf("want a string, got %s", describe(tok))}
				}
				continue
			}
			if tok != json.Delim('{') {
				return &FieldError{Field: elem, Msg: fmt.Sprintf("want an object, got %s", describe(tok))}
			}
			if err := w.object(elem, ruleField); err != nil {
				return err
			}
		}
		_, err := w.token() // ']'
		return err
	}
	return nil
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// describe names a token's JSON type for an error message.
func describe(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		switch v {
		case '{':
			return "an object"
		case '[':
			return "an array"
		}
		return fmt.Sprintf("%q", rune(v))
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", tok)
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// syntaxErrorAt returns a SyntaxError for the byte offset off of data.
func syntaxErrorAt(data []byte, off int, msg string) error {
	if off > len(data) {
		off = len(data)
	}
	line := 1 + bytes.Count(data[:off], []byte{'\n'})
	start := bytes.LastIndexByte(data[:off], '\n') + 1
	col := 1 + utf8.RuneCount(data[start:off])
	return &SyntaxError{Line: line, Column: col, Msg: msg}
}
