package api

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// DefaultMaxBody is the body size limit of [Decode]: 1 MiB.
const DefaultMaxBody = 1 << 20

// Decode reads the request's JSON body into v, which must be a non-nil
// pointer. It is [DecodeLimit] with [DefaultMaxBody].
func Decode(r *http.Request, v any) error {
	return DecodeLimit(r, v, DefaultMaxBody)
}

// DecodeLimit reads the request's JSON body into v, allowing at most limit
// bytes (DefaultMaxBody if limit is not positive). It is strict: the Content-Type must be application/json (charset, if
// given, utf-8), and the body must hold exactly one JSON value whose object
// keys all name fields of v.
//
// Every error is an [*Error] a handler can return as is: 415 for the wrong
// content type, 413 for a body over limit, and otherwise 400 with a message
// that says what is wrong and where — the JSON path of the field for unknown
// fields and type mismatches (also in Error.Field), the zero-based byte
// offset for syntax errors and trailing data.
func DecodeLimit(r *http.Request, v any, limit int64) error {
	if limit <= 0 {
		limit = DefaultMaxBody
	}
	if err := checkJSONContentType(r.Header.Get("Content-Type")); err != nil {
		return err
	}
	if r.Body == nil || r.Body == http.NoBody {
		return BadRequest("", "empty body: want a JSON value")
	}
	data, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, limit))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return &Error{Status: http.StatusRequestEntityTooLarge, Code: CodeTooLarge,
				Message: fmt.Sprintf("body larger than %d bytes", limit)}
		}
		return BadRequest("", "read body: "+err.Error())
	}
	return decodeBytes(data, v)
}

func checkJSONContentType(ct string) *Error {
	bad := &Error{Status: http.StatusUnsupportedMediaType, Code: CodeUnsupportedMediaType,
		Message: "Content-Type must be application/json"}
	if ct == "" {
		return bad
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return bad
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		bad.Message = "JSON must be UTF-8"
		return bad
	}
	return nil
}

// decodeBytes decodes exactly one JSON value from data into v.
func decodeBytes(data []byte, v any) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return BadRequest("", "empty body: want a JSON value")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(data, v, err)
	}
	if rest := data[dec.InputOffset():]; len(bytes.TrimSpace(rest)) != 0 {
		off := dec.InputOffset() + int64(len(rest)-len(bytes.TrimLeft(rest, " \t\r\n")))
		return BadRequest("", fmt.Sprintf("trailing data at byte %d after the JSON value", off))
	}
	return nil
}

// decodeError turns an encoding/json error into a 400 *Error naming what
// went wrong and where.
func decodeError(data []byte, v any, err error) error {
	if se, ok := errors.AsType[*json.SyntaxError](err); ok {
		// Offset counts the bytes read, the bad one included; report the
		// bad byte's zero-based offset, like the other messages.
		return BadRequest("", fmt.Sprintf("invalid JSON at byte %d: %s", max(se.Offset-1, 0), strings.TrimPrefix(se.Error(), "json: ")))
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return BadRequest("", fmt.Sprintf("invalid JSON at byte %d: unexpected end of input", len(data)))
	}
	if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		path := pathAt(data, te.Offset)
		if path == "" {
			path = te.Field
		}
		msg := fmt.Sprintf("want %s, got %s", jsonKind(te.Type), te.Value)
		if path == "" {
			return BadRequest("", "body: "+msg)
		}
		return BadRequest(path, fmt.Sprintf("field %q: %s", path, msg))
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name, _ = strconv.Unquote(name)
		path := unknownFieldPath(data, reflect.TypeOf(v))
		if path == "" {
			path = name
		}
		return BadRequest(path, fmt.Sprintf("field %q: unknown field", path))
	}
	if _, ok := errors.AsType[*json.InvalidUnmarshalError](err); ok {
		// A programming error, not the client's.
		return internalError(err)
	}
	// Errors from custom UnmarshalJSON/UnmarshalText methods (such as a bad
	// time) have no position; the message is the method's own.
	return BadRequest("", "invalid value: "+strings.TrimPrefix(err.Error(), "json: "))
}

// jsonKind names the JSON form wanted for a Go type, for error messages.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "a value"
	}
	switch t.Kind() {
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.String:
		return "string"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Map, reflect.Struct:
		return "object"
	}
	return t.String()
}

// pathAt returns the JSON path ("a.b[2]") of the value that ends at byte
// offset off of data. data is known to be valid JSON up to off.
func pathAt(data []byte, off int64) string {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var w pathWalker
	for {
		tok, err := dec.Token()
		if err != nil {
			return w.last
		}
		w.token(tok)
		if dec.InputOffset() >= off {
			return w.last
		}
	}
}

// pathWalker tracks where a stream of json.Decoder tokens is.
type pathWalker struct {
	stack []pathElem
	last  string // path of the most recent value token
}

type pathElem struct {
	array   bool
	index   int    // next element index, for arrays
	key     string // current key, for objects
	wantKey bool   // for objects: the next string token is a key
}

func (w *pathWalker) token(tok json.Token) {
	if n := len(w.stack); n > 0 && !w.stack[n-1].array && w.stack[n-1].wantKey {
		if d, ok := tok.(json.Delim); ok && d == '}' {
			w.stack = w.stack[:n-1]
			w.endValue()
			return
		}
		w.stack[n-1].key, _ = tok.(string)
		w.stack[n-1].wantKey = false
		return
	}
	if d, ok := tok.(json.Delim); ok {
		switch d {
		case '{', '[':
			w.last = w.path()
			w.stack = append(w.stack, pathElem{array: d == '[', wantKey: d == '{'})
			return
		case ']':
			w.stack = w.stack[:len(w.stack)-1]
			w.endValue()
			return
		}
	}
	w.last = w.path()
	w.endValue()
}

// endValue moves past a complete value in the enclosing container.
func (w *pathWalker) endValue() {
	if n := len(w.stack); n > 0 {
		if w.stack[n-1].array {
			w.stack[n-1].index++
		} else {
			w.stack[n-1].wantKey = true
		}
	}
}

func (w *pathWalker) path() string {
	var b strings.Builder
	for i, e := range w.stack {
		if e.array {
			fmt.Fprintf(&b, "[%d]", e.index)
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(e.key)
	}
	return b.String()
}

// unknownFieldPath returns the JSON path of the first object key in data that
// names no field of the struct type it is decoded into, following t (the
// type of the pointer given to Decode) as encoding/json does.
func unknownFieldPath(data []byte, t reflect.Type) string {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if t == nil || t.Kind() != reflect.Pointer {
		return ""
	}
	path, _ := findUnknown(dec, t.Elem(), "")
	return path
}

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// findUnknown reads one value from dec, decoded into type t at path, and
// returns the path of the first unknown key in it. ok is false when the
// token stream ends or breaks.
func findUnknown(dec *json.Decoder, t reflect.Type, path string) (found string, ok bool) {
	tok, err := dec.Token()
	if err != nil {
		return "", false
	}
	d, isDelim := tok.(json.Delim)
	if !isDelim {
		return "", true // scalar
	}
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t != nil && (reflect.PointerTo(t).Implements(jsonUnmarshaler) || (d == '{' && reflect.PointerTo(t).Implements(textUnmarshaler))) {
		t = nil // decoded by its own method: not checked for fields
	}
	switch d {
	case '[':
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		for i := 0; dec.More(); i++ {
			if f, ok := findUnknown(dec, elem, fmt.Sprintf("%s[%d]", path, i)); f != "" || !ok {
				return f, ok
			}
		}
		_, err := dec.Token() // ']'
		return "", err == nil
	case '{':
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return "", false
			}
			key, _ := kt.(string)
			sub := key
			if path != "" {
				sub = path + "." + key
			}
			var vt reflect.Type
			switch {
			case t == nil:
			case t.Kind() == reflect.Map:
				vt = t.Elem()
			case t.Kind() == reflect.Struct:
				ft, known := structField(t, key)
				if !known {
					return sub, true
				}
				vt = ft
			}
			if f, ok := findUnknown(dec, vt, sub); f != "" || !ok {
				return f, ok
			}
		}
		_, err := dec.Token() // '}'
		return "", err == nil
	}
	return "", false
}

// structFields caches, per struct type, its JSON field names (as given) and
// types, including fields promoted from embedded structs.
var structFields sync.Map // reflect.Type -> map[string]reflect.Type

// structField reports the type of the field of struct t that JSON key
// matches, matching names case-insensitively as encoding/json does.
func structField(t reflect.Type, key string) (reflect.Type, bool) {
	m, ok := structFields.Load(t)
	if !ok {
		fields := make(map[string]reflect.Type)
		collectFields(t, fields, 0)
		m, _ = structFields.LoadOrStore(t, fields)
	}
	fields := m.(map[string]reflect.Type)
	if ft, ok := fields[key]; ok {
		return ft, true
	}
	for name, ft := range fields {
		if strings.EqualFold(name, key) {
			return ft, true
		}
	}
	return nil, false
}

func collectFields(t reflect.Type, into map[string]reflect.Type, depth int) {
	if depth > 16 {
		return
	}
	for f := range jsonFields(t) {
		if f.embedded != nil {
			collectFields(f.embedded, into, depth+1)
			continue
		}
		if _, dup := into[f.name]; !dup {
			into[f.name] = f.typ
		}
	}
}

// WriteJSON writes v as JSON with the given status and Content-Type
// application/json; charset=utf-8. v is encoded before anything is written,
// so an encoding error is returned (for the router to render as a 500) with
// the response untouched; write errors (the client went away) are not. Times in v MUST be UTC so that they encode as
// RFC 3339 UTC ("2025-05-16T09:00:00Z").
func WriteJSON(w http.ResponseWriter, status int, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(append(body, '\n')) // a failed write means the client is gone: nothing to render
	return nil
}
