package stix

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// jsonObject is a decoded JSON object that remembers the order of its keys.
type jsonObject struct {
	keys []string
	vals map[string]any
}

// get returns the value of key and whether it is present.
func (o *jsonObject) get(key string) (any, bool) {
	v, ok := o.vals[key]
	return v, ok
}

// has reports whether key is present.
func (o *jsonObject) has(key string) bool {
	_, ok := o.vals[key]
	return ok
}

// str returns the value of key if it is a string.
func (o *jsonObject) str(key string) (string, bool) {
	s, ok := o.vals[key].(string)
	return s, ok
}

// treeDecoder decodes JSON into jsonObject, []any, string, json.Number,
// bool and nil, rejecting duplicate keys, nesting deeper than MaxDepth and
// strings longer than MaxStringLen. path is the position being decoded,
// for errors.
type treeDecoder struct {
	dec  *json.Decoder
	path []any // string keys and int indices
}

// decodeTree decodes one JSON value that must fill data.
func decodeTree(data []byte) (any, error) {
	d := &treeDecoder{dec: json.NewDecoder(bytes.NewReader(data))}
	d.dec.UseNumber()
	v, err := d.value(0)
	if err != nil {
		return nil, err
	}
	if _, err := d.dec.Token(); err != io.EOF {
		return nil, fieldError("", "data after the JSON value")
	}
	return v, nil
}

func (d *treeDecoder) fail(format string, args ...any) error {
	return fieldError(formatPath(d.path), format, args...)
}

func (d *treeDecoder) syntax(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fieldError("", "invalid JSON at offset %d: %v", se.Offset, se)
	}
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return fieldError("", "invalid JSON: unexpected end")
	}
	return fieldError("", "invalid JSON: %v", err)
}

func (d *treeDecoder) value(depth int) (any, error) {
	tok, err := d.dec.Token()
	if err != nil {
		return nil, d.syntax(err)
	}
	switch t := tok.(type) {
	case json.Delim:
		if depth >= MaxDepth {
			return nil, d.fail("nested more than %d levels deep", MaxDepth)
		}
		if t == '{' {
			o := &jsonObject{vals: map[string]any{}}
			for d.dec.More() {
				kt, err := d.dec.Token()
				if err != nil {
					return nil, d.syntax(err)
				}
				k, _ := kt.(string)
				d.path = append(d.path, k)
				if _, dup := o.vals[k]; dup {
					return nil, d.fail("property appears twice")
				}
				if len(k) > MaxStringLen {
					return nil, d.fail("property name longer than %d bytes", MaxStringLen)
				}
				v, err := d.value(depth + 1)
				if err != nil {
					return nil, err
				}
				d.path = d.path[:len(d.path)-1]
				o.keys = append(o.keys, k)
				o.vals[k] = v
			}
			if _, err := d.dec.Token(); err != nil {
				return nil, d.syntax(err)
			}
			return o, nil
		}
		l := []any{}
		for d.dec.More() {
			d.path = append(d.path, len(l))
			v, err := d.value(depth + 1)
			if err != nil {
				return nil, err
			}
			d.path = d.path[:len(d.path)-1]
			l = append(l, v)
		}
		if _, err := d.dec.Token(); err != nil {
			return nil, d.syntax(err)
		}
		return l, nil
	case string:
		if len(t) > MaxStringLen {
			return nil, d.fail("string longer than %d bytes", MaxStringLen)
		}
		return t, nil
	default:
		return t, nil
	}
}

// formatPath writes a path as "a.b[2].c".
func formatPath(path []any) string {
	var b strings.Builder
	for _, p := range path {
		switch p := p.(type) {
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(p)
		case int:
			b.WriteString("[" + strconv.Itoa(p) + "]")
		}
	}
	return b.String()
}

// join appends key to path.
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// index appends [i] to path.
func index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

// describe names the JSON kind of v for errors.
func describe(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "a list"
	case *jsonObject:
		return "an object"
	case json.Delim:
		if v == json.Delim('[') {
			return "a list"
		}
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}
