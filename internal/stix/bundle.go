package stix

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Limits on what ParseBundle and ParseObject accept.
const (
	// MaxObjects is the most objects a bundle may hold.
	MaxObjects = 10000
	// MaxStringLen is the longest string, in bytes, anywhere in an object.
	MaxStringLen = 1 << 20
	// MaxPatternLen is the longest indicator pattern, in bytes.
	MaxPatternLen = 128 << 10
	// MaxDepth is the deepest nesting of JSON objects and lists within an
	// object.
	MaxDepth = 32
)

// Bundle is a STIX bundle (§8): a container of objects with no meaning of
// its own.
type Bundle struct {
	// Type is "bundle".
	Type string `json:"type"`
	// ID is bundle--UUID.
	ID string `json:"id"`
	// Objects are the bundle's objects in order.
	Objects []Object `json:"objects,omitempty"`

	raw []json.RawMessage // Objects' JSON as parsed, when from ParseBundle
}

// NewBundle returns a bundle with a new random id holding objs.
func NewBundle(objs ...Object) *Bundle {
	return &Bundle{Type: "bundle", ID: NewID("bundle"), Objects: objs}
}

// RawObject returns the JSON of Objects[i] exactly as ParseBundle read it,
// or nil when b did not come from ParseBundle or i is out of range.
func (b *Bundle) RawObject(i int) json.RawMessage {
	if i < 0 || i >= len(b.raw) || len(b.raw) != len(b.Objects) {
		return nil
	}
	return b.raw[i]
}

// UnmarshalJSON parses and checks a bundle as ParseBundle does.
func (b *Bundle) UnmarshalJSON(data []byte) error {
	nb, err := ParseBundle(data)
	if err != nil {
		return err
	}
	*b = *nb
	return nil
}

// ParseBundle parses a STIX 2.1 bundle and checks it and every object in
// it against the specification (see the package documentation). The
// error, if any, is an [*Error] naming the object by its index and id.
// ParseBundle does not keep data.
func ParseBundle(data []byte) (*Bundle, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	syntax := func(path string, err error) error {
		var se *json.SyntaxError
		switch {
		case errors.As(err, &se):
			return fieldError(path, "invalid JSON at offset %d: %v", se.Offset, se)
		case err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF):
			return fieldError(path, "invalid JSON: unexpected end")
		}
		return fieldError(path, "invalid JSON: %v", err)
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, syntax("", err)
	}
	if tok != json.Delim('{') {
		return nil, fieldError("", "a bundle is a JSON object, not %s", describe(tok))
	}
	var (
		b       = &Bundle{}
		seen    = map[string]bool{}
		raws    []json.RawMessage
		typeVal any
		idVal   any
		specVal any
	)
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, syntax("", err)
		}
		key, _ := kt.(string)
		if seen[key] {
			return nil, fieldError(key, "property appears twice")
		}
		seen[key] = true
		switch key {
		case "objects":
			tok, err := dec.Token()
			if err != nil {
				return nil, syntax("objects", err)
			}
			if tok != json.Delim('[') {
				return nil, fieldError("objects", "want a list, have %s", describe(tok))
			}
			for dec.More() {
				if len(raws) == MaxObjects {
					return nil, fieldError("objects", "more than %d objects", MaxObjects)
				}
				var raw json.RawMessage
				if err := dec.Decode(&raw); err != nil {
					return nil, syntax(index("objects", len(raws)), err)
				}
				raws = append(raws, raw)
			}
			if _, err := dec.Token(); err != nil {
				return nil, syntax("objects", err)
			}
			if len(raws) == 0 {
				return nil, fieldError("objects", "empty list; leave the property out instead")
			}
		default:
			var v any
			if err := dec.Decode(&v); err != nil {
				return nil, syntax(key, err)
			}
			switch key {
			case "type":
				typeVal = v
			case "id":
				idVal = v
			case "spec_version":
				specVal = v
			}
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, syntax("", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fieldError("", "data after the bundle")
	}

	switch t, ok := typeVal.(string); {
	case typeVal == nil:
		return nil, fieldError("type", "required: \"bundle\"")
	case !ok || t != "bundle":
		return nil, fieldError("type", "%s: want \"bundle\"", jsonText(typeVal))
	}
	b.Type = "bundle"
	if specVal != nil {
		return nil, fieldError("spec_version", "%s: a STIX 2.1 bundle has no spec_version (STIX 2.0 is not accepted)", jsonText(specVal))
	}
	id, ok := idVal.(string)
	if idVal == nil {
		return nil, fieldError("id", "required")
	}
	if !ok {
		return nil, fieldError("id", "want a string, have %s", describe(idVal))
	}
	if err := checkID(id, "bundle"); err != nil {
		return nil, fieldError("id", "%v", err)
	}
	b.ID = id

	b.Objects = make([]Object, 0, len(raws))
	for i, raw := range raws {
		o, err := parseObject(raw, i)
		if err != nil {
			return nil, err
		}
		b.Objects = append(b.Objects, o)
	}
	b.raw = raws
	return b, nil
}

// ParseObject parses one STIX object and checks it as ParseBundle does.
func ParseObject(data []byte) (Object, error) {
	return parseObject(data, -1)
}

// parseObject parses and checks the object at index i of a bundle (-1 if
// none).
func parseObject(raw []byte, i int) (Object, error) {
	label := func(err error, id string) error {
		var e *Error
		if !errors.As(err, &e) {
			e = &Error{Err: err}
		}
		e.Index, e.ID = i, id
		return e
	}
	tree, err := decodeTree(raw)
	if err != nil {
		return nil, label(err, "")
	}
	o, ok := tree.(*jsonObject)
	if !ok {
		return nil, label(fmt.Errorf("an object is a JSON object, not %s", describe(tree)), "")
	}
	v := &validator{}
	typ, id, err := v.object(o)
	if err != nil {
		return nil, label(err, id)
	}
	obj := newObject(typ)
	if err := json.Unmarshal(raw, obj); err != nil {
		return nil, label(fmt.Errorf("decode: %w", err), id)
	}
	return obj, nil
}

// newObject returns a new object of the struct for typ, or a *Raw.
func newObject(typ string) Object {
	switch typ {
	case "incident":
		return &Incident{}
	case "indicator":
		return &Indicator{}
	case "observed-data":
		return &ObservedData{}
	case "malware":
		return &Malware{}
	case "attack-pattern":
		return &AttackPattern{}
	case "identity":
		return &Identity{}
	case "vulnerability":
		return &Vulnerability{}
	case "report":
		return &Report{}
	case "note":
		return &Note{}
	case "relationship":
		return &Relationship{}
	case "sighting":
		return &Sighting{}
	case "extension-definition":
		return &ExtensionDefinition{}
	case "marking-definition":
		return &MarkingDefinition{}
	case "ipv4-addr":
		return &IPv4Addr{}
	case "ipv6-addr":
		return &IPv6Addr{}
	case "domain-name":
		return &DomainName{}
	case "url":
		return &URL{}
	case "email-addr":
		return &EmailAddr{}
	case "file":
		return &File{}
	}
	return &Raw{}
}

// jsonText renders a decoded JSON scalar for an error message.
func jsonText(v any) string {
	switch v := v.(type) {
	case string:
		return quote(v)
	case json.Number:
		return v.String()
	case bool:
		return fmt.Sprint(v)
	case nil:
		return "null"
	}
	return describe(v)
}
