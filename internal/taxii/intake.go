package taxii

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/acd-platform/acd/internal/stix"
)

// ReadEnvelope reads the body of an add-objects request in the TAXII media
// type: an envelope {"objects": [...]} (TAXII 2.1 §3.7). It returns each
// object's JSON as given, at most stix.MaxObjects of them; checking the
// objects is Add's work, so that one bad object fails alone. The envelope's
// more and next properties are accepted and ignored; any other property is
// an error.
func ReadEnvelope(data []byte) ([]json.RawMessage, error) {
	var objs []json.RawMessage
	err := readTop(data, "envelope", func(key string, dec *json.Decoder) error {
		switch key {
		case "objects":
			var err error
			objs, err = readObjects(dec)
			return err
		case "more", "next":
			var v any
			return dec.Decode(&v)
		}
		return fieldErrorf(key, "unknown property of an envelope: want objects")
	})
	if err != nil {
		return nil, err
	}
	if objs == nil {
		return nil, fieldErrorf("objects", "required: the envelope has no objects")
	}
	return objs, nil
}

// ReadBundle reads the body of an add-objects request in the STIX media
// type: a STIX 2.1 bundle. The bundle itself (type, id, no spec_version) is
// checked by stix.ParseBundle; its objects are returned as given, as
// ReadEnvelope does.
func ReadBundle(data []byte) ([]json.RawMessage, error) {
	var objs []json.RawMessage
	shell := map[string]json.RawMessage{}
	err := readTop(data, "bundle", func(key string, dec *json.Decoder) error {
		if key == "objects" {
			var err error
			objs, err = readObjects(dec)
			return err
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return err
		}
		shell[key] = v
		return nil
	})
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(shell)
	if err != nil {
		return nil, fmt.Errorf("read bundle: %w", err)
	}
	if _, err := stix.ParseBundle(b); err != nil {
		return nil, fieldErrorf("", "bundle: %v", err)
	}
	if objs == nil {
		return nil, fieldErrorf("objects", "required: the bundle has no objects")
	}
	return objs, nil
}

// readTop reads one JSON object, calling prop for each property with the
// decoder positioned at its value; a property given twice is an error.
func readTop(data []byte, what string, prop func(key string, dec *json.Decoder) error) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return syntaxError(what, dec, err)
	}
	if tok != json.Delim('{') {
		return fieldErrorf("", "%s: want a JSON object", what)
	}
	seen := map[string]bool{}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return syntaxError(what, dec, err)
		}
		key, _ := kt.(string)
		if seen[key] {
			return fieldErrorf(key, "%s: property %s appears twice", what, quote(key))
		}
		seen[key] = true
		if err := prop(key, dec); err != nil {
			var fe *FieldError
			if errors.As(err, &fe) {
				return err
			}
			return syntaxError(what, dec, err)
		}
	}
	if _, err := dec.Token(); err != nil {
		return syntaxError(what, dec, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fieldErrorf("", "%s: data after the JSON object at byte %d", what, dec.InputOffset())
	}
	return nil
}

// readObjects reads a list of objects, each kept as its raw JSON.
func readObjects(dec *json.Decoder) ([]json.RawMessage, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if tok != json.Delim('[') {
		return nil, fieldErrorf("objects", "want a list")
	}
	objs := []json.RawMessage{}
	for dec.More() {
		if len(objs) == stix.MaxObjects {
			return nil, fieldErrorf("objects", "more than %d objects in one request", stix.MaxObjects)
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		objs = append(objs, raw)
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if len(objs) == 0 {
		return nil, fieldErrorf("objects", "empty list: send at least one object")
	}
	return objs, nil
}

// syntaxError reports malformed JSON with the byte offset.
func syntaxError(what string, dec *json.Decoder, err error) error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return fieldErrorf("", "%s: invalid JSON at byte %d: %v", what, se.Offset, err)
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return fieldErrorf("", "%s: invalid JSON: unexpected end at byte %d", what, dec.InputOffset())
	}
	return fieldErrorf("", "%s: invalid JSON at byte %d: %v", what, dec.InputOffset(), err)
}
