package stix

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// Object is a STIX object: one of this package's structs (*Indicator,
// *IPv4Addr, *MarkingDefinition, …) or a *Raw for any other type.
type Object interface {
	// ObjectType returns the object's type property, e.g. "indicator".
	ObjectType() string
	// ObjectID returns the object's id property.
	ObjectID() string
}

// SpecVersion is the spec_version this package reads and writes.
const SpecVersion = "2.1"

// Common holds the properties common to SDOs, SROs and the
// extension-definition object (§3.2). The embedding struct's own
// MarshalJSON and UnmarshalJSON write and read Custom.
type Common struct {
	// Type is the object type, e.g. "incident".
	Type string `json:"type"`
	// SpecVersion is "2.1".
	SpecVersion string `json:"spec_version"`
	// ID is type--UUID.
	ID string `json:"id"`
	// CreatedByRef is the id of the identity that made the object.
	CreatedByRef string `json:"created_by_ref,omitempty"`
	// Created and Modified are the times of the first and of this
	// version; Modified is never before Created.
	Created  Timestamp `json:"created"`
	Modified Timestamp `json:"modified"`
	// Revoked says the object is no longer considered valid.
	Revoked bool `json:"revoked,omitempty"`
	// Labels are terms describing the object.
	Labels []string `json:"labels,omitempty"`
	// Confidence is 0 to 100 when present.
	Confidence *int `json:"confidence,omitempty"`
	// Lang is the language of the text properties (RFC 5646).
	Lang string `json:"lang,omitempty"`
	// ExternalReferences point to non-STIX information.
	ExternalReferences []ExternalReference `json:"external_references,omitempty"`
	// ObjectMarkingRefs are ids of marking-definitions that apply to the
	// whole object.
	ObjectMarkingRefs []string `json:"object_marking_refs,omitempty"`
	// GranularMarkings apply markings to parts of the object.
	GranularMarkings []GranularMarking `json:"granular_markings,omitempty"`
	// Extensions maps an extension-definition id (or a predefined
	// extension name) to the extension's properties, as JSON.
	Extensions map[string]json.RawMessage `json:"extensions,omitempty"`
	// Custom holds properties the struct has no field for, by name, as
	// JSON; they are written after the defined properties, sorted by name.
	Custom map[string]json.RawMessage `json:"-"`
}

// ObjectType returns c.Type.
func (c *Common) ObjectType() string { return c.Type }

// ObjectID returns c.ID.
func (c *Common) ObjectID() string { return c.ID }

// ObservableCommon holds the properties common to cyber-observables
// (§6.1). ID is empty for an observable inside the deprecated objects
// property of observed-data.
type ObservableCommon struct {
	Type        string `json:"type"`
	SpecVersion string `json:"spec_version,omitempty"`
	ID          string `json:"id,omitempty"`
	// ObjectMarkingRefs, GranularMarkings and Extensions are as in Common.
	ObjectMarkingRefs []string                   `json:"object_marking_refs,omitempty"`
	GranularMarkings  []GranularMarking          `json:"granular_markings,omitempty"`
	Defanged          bool                       `json:"defanged,omitempty"`
	Extensions        map[string]json.RawMessage `json:"extensions,omitempty"`
	// Custom is as in Common.
	Custom map[string]json.RawMessage `json:"-"`
}

// ObjectType returns c.Type.
func (c *ObservableCommon) ObjectType() string { return c.Type }

// ObjectID returns c.ID.
func (c *ObservableCommon) ObjectID() string { return c.ID }

// ExternalReference points to information outside STIX (§2.5). SourceName
// and at least one of Description, URL and ExternalID are present.
type ExternalReference struct {
	SourceName  string            `json:"source_name"`
	Description string            `json:"description,omitempty"`
	URL         string            `json:"url,omitempty"`
	Hashes      map[string]string `json:"hashes,omitempty"`
	ExternalID  string            `json:"external_id,omitempty"`
}

// GranularMarking applies a marking-definition (MarkingRef) or a language
// (Lang) to the parts of an object its selectors name (§7.2.3).
type GranularMarking struct {
	Lang       string   `json:"lang,omitempty"`
	MarkingRef string   `json:"marking_ref,omitempty"`
	Selectors  []string `json:"selectors"`
}

// KillChainPhase is a phase of a kill chain (§2.8).
type KillChainPhase struct {
	KillChainName string `json:"kill_chain_name"`
	PhaseName     string `json:"phase_name"`
}

// Raw is an object of a type this package has no struct for: other SDOs
// and SCOs of the specification and custom objects. JSON is kept as
// decoded and encoded back unchanged.
type Raw struct {
	Type string
	ID   string
	JSON json.RawMessage
}

// ObjectType returns r.Type.
func (r *Raw) ObjectType() string { return r.Type }

// ObjectID returns r.ID.
func (r *Raw) ObjectID() string { return r.ID }

// MarshalJSON returns r.JSON.
func (r Raw) MarshalJSON() ([]byte, error) {
	if !json.Valid(r.JSON) {
		return nil, errors.New("stix: raw object holds invalid JSON")
	}
	return r.JSON, nil
}

// UnmarshalJSON keeps b and reads type and id from it.
func (r *Raw) UnmarshalJSON(b []byte) error {
	var head struct {
		Type string `json:"type"`
		ID   string `json:"id"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return err
	}
	r.Type, r.ID, r.JSON = head.Type, head.ID, append(json.RawMessage(nil), b...)
	return nil
}

// encode marshals v without escaping <, > and & (STIX text is not HTML).
func encode(v any) ([]byte, error) {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	if err := e.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// marshalObject encodes plain (a pointer to a struct type without
// methods) and appends the custom properties that the struct does not
// define, sorted by name.
func marshalObject(plain any, custom map[string]json.RawMessage) ([]byte, error) {
	b, err := encode(plain)
	if err != nil {
		return nil, err
	}
	if len(custom) == 0 {
		return b, nil
	}
	known := knownProps(reflect.TypeOf(plain).Elem())
	b = b[:len(b)-1] // drop '}'
	for _, k := range sortedKeys(custom) {
		if known[k] {
			continue
		}
		v := custom[k]
		if !json.Valid(v) {
			return nil, fmt.Errorf("stix: custom property %q holds invalid JSON", k)
		}
		kb, _ := encode(k)
		var c bytes.Buffer
		if err := json.Compact(&c, v); err != nil {
			return nil, err
		}
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = append(b, kb...)
		b = append(b, ':')
		b = append(b, c.Bytes()...)
	}
	return append(b, '}'), nil
}

// unmarshalObject decodes b into plain (a pointer to a struct type without
// methods) and puts the properties the struct does not define in *custom.
func unmarshalObject(b []byte, plain any, custom *map[string]json.RawMessage) error {
	if err := json.Unmarshal(b, plain); err != nil {
		return err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return err
	}
	known := knownProps(reflect.TypeOf(plain).Elem())
	*custom = nil
	for k, v := range all {
		if known[k] {
			continue
		}
		if *custom == nil {
			*custom = map[string]json.RawMessage{}
		}
		(*custom)[k] = v
	}
	return nil
}

// knownProps returns the JSON names of t's fields, including those of
// embedded structs.
func knownProps(t reflect.Type) map[string]bool {
	m := map[string]bool{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			if f.Anonymous && tag == "" && f.Type.Kind() == reflect.Struct {
				walk(f.Type)
				continue
			}
			name, _, _ := strings.Cut(tag, ",")
			if name == "" {
				name = f.Name
			}
			m[name] = true
		}
	}
	walk(t)
	return m
}
