package cve

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// RecordError is the error for a record that cannot be read: it says
// which record (its place in the input and its CVE id, when known), which
// field (the JSON path) and what is wrong, e.g.
//
//	record 3 (CVE-2024-3400): containers.cna.affected[0].versions[4].status: "fixed": want affected, unaffected or unknown
//
// A [Reader] returns it for a bad record and can go on to the next one.
type RecordError struct {
	// Index is the record's place in the input, from 0; -1 when a single
	// record was parsed with ParseCVE5, ParseNVD or Parse.
	Index int
	// ID is the record's CVE id when it could be read, else "".
	ID string
	// Path is the JSON path of the field at fault, e.g.
	// "containers.cna.affected[0].versions[1].lessThan"; "" when the
	// record as a whole is at fault (not JSON, too large).
	Path string
	// Msg says what is wrong.
	Msg string
	// Err is the underlying error, e.g. a *product.ParseError for a bad
	// CPE; may be nil.
	Err error
}

// Error renders e as "record <index> (<id>): <path>: <msg>", leaving out
// the parts not known.
func (e *RecordError) Error() string {
	var b strings.Builder
	switch {
	case e.Index >= 0 && e.ID != "":
		fmt.Fprintf(&b, "record %d (%s)", e.Index, e.ID)
	case e.Index >= 0:
		fmt.Fprintf(&b, "record %d", e.Index)
	case e.ID != "":
		fmt.Fprintf(&b, "record %s", e.ID)
	default:
		b.WriteString("record")
	}
	b.WriteString(": ")
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns the underlying error.
func (e *RecordError) Unwrap() error { return e.Err }

// maxQuote is how much of a value an error message quotes.
const maxQuote = 120

// quote quotes s for an error message, cut short (on a character
// boundary) when long.
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

// decodeError turns an encoding/json error from decoding data into dst
// into a RecordError with the path of the field at fault. Go's
// UnmarshalTypeError names the field without array indices, so the path
// is found again by walking the document alongside dst's type.
func decodeError(data []byte, dst any, err error) *RecordError {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &RecordError{Msg: fmt.Sprintf("not valid JSON at byte %d: %v", se.Offset, err), Err: err}
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		var doc any
		d := json.NewDecoder(bytes.NewReader(data))
		d.UseNumber()
		if d.Decode(&doc) == nil {
			if path, msg, bad := typeMismatch(doc, reflect.TypeOf(dst), ""); bad {
				return &RecordError{Path: path, Msg: msg, Err: err}
			}
		}
		return &RecordError{Path: te.Field, Msg: fmt.Sprintf("want %s, got JSON %s", te.Type, te.Value), Err: err}
	}
	return &RecordError{Msg: err.Error(), Err: err}
}

// typeMismatch walks doc (decoded with UseNumber) alongside the Go type t
// and returns the path of the first value whose JSON kind t cannot hold,
// with a message, in the order of t's fields.
func typeMismatch(doc any, t reflect.Type, path string) (string, string, bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if doc == nil {
		return "", "", false // null leaves any Go value as it was
	}
	if t.Implements(reflect.TypeFor[json.Unmarshaler]()) || reflect.PointerTo(t).Implements(reflect.TypeFor[json.Unmarshaler]()) {
		return "", "", false
	}
	bad := func(want string) (string, string, bool) {
		return path, fmt.Sprintf("want %s, got %s", want, jsonKind(doc)), true
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := doc.(map[string]any)
		if !ok {
			return bad("an object")
		}
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			v, ok := lookupFold(obj, name)
			if !ok {
				continue
			}
			if p, m, b := typeMismatch(v, f.Type, joinPath(path, name)); b {
				return p, m, b
			}
		}
	case reflect.Slice, reflect.Array:
		arr, ok := doc.([]any)
		if !ok {
			return bad("an array")
		}
		for i, v := range arr {
			if p, m, b := typeMismatch(v, t.Elem(), path+"["+strconv.Itoa(i)+"]"); b {
				return p, m, b
			}
		}
	case reflect.Map:
		obj, ok := doc.(map[string]any)
		if !ok {
			return bad("an object")
		}
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if p, m, b := typeMismatch(obj[k], t.Elem(), joinPath(path, k)); b {
				return p, m, b
			}
		}
	case reflect.String:
		if _, ok := doc.(string); !ok {
			return bad("a string")
		}
	case reflect.Bool:
		if _, ok := doc.(bool); !ok {
			return bad("true or false")
		}
	case reflect.Float32, reflect.Float64:
		n, ok := doc.(json.Number)
		if !ok {
			return bad("a number")
		}
		if _, err := strconv.ParseFloat(string(n), t.Bits()); err != nil {
			return path, fmt.Sprintf("number %s out of range", n), true
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := doc.(json.Number)
		if !ok {
			return bad("an integer")
		}
		if _, err := strconv.ParseInt(string(n), 10, t.Bits()); err != nil {
			return path, fmt.Sprintf("want an integer, got %s", n), true
		}
	}
	return "", "", false
}

// lookupFold finds key in obj as encoding/json does: an exact match
// first, else one equal under case folding.
func lookupFold(obj map[string]any, key string) (any, bool) {
	if v, ok := obj[key]; ok {
		return v, true
	}
	for k, v := range obj {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return nil, false
}

// jsonKind names the JSON kind of a value decoded into any.
func jsonKind(v any) string {
	switch v := v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string " + quote(v)
	case json.Number:
		return "the number " + string(v)
	case bool:
		return "a boolean"
	}
	return "null"
}

// joinPath appends a field name to a JSON path.
func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// index appends an array index to a JSON path.
func index(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}
