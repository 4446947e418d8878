package stix

import (
	"encoding/json"
	"time"
)

// MarkingDefinition is a marking-definition object (§7.2): a statement, a
// TLP level, or a marking defined by an extension such as TLP 2.0.
// Marking definitions are never versioned, so they have no modified.
type MarkingDefinition struct {
	Type               string                     `json:"type"`
	SpecVersion        string                     `json:"spec_version"`
	ID                 string                     `json:"id"`
	CreatedByRef       string                     `json:"created_by_ref,omitempty"`
	Created            Timestamp                  `json:"created"`
	Name               string                     `json:"name,omitempty"`
	ExternalReferences []ExternalReference        `json:"external_references,omitempty"`
	ObjectMarkingRefs  []string                   `json:"object_marking_refs,omitempty"`
	GranularMarkings   []GranularMarking          `json:"granular_markings,omitempty"`
	Extensions         map[string]json.RawMessage `json:"extensions,omitempty"`
	// DefinitionType is "statement" or "tlp" (TLP 1.0), with Definition
	// {"statement": …} or {"tlp": …}; both are absent when Extensions
	// defines the marking.
	DefinitionType string          `json:"definition_type,omitempty"`
	Definition     json.RawMessage `json:"definition,omitempty"`
	// Custom is as in Common.
	Custom map[string]json.RawMessage `json:"-"`
}

// ObjectType returns "marking-definition".
func (m *MarkingDefinition) ObjectType() string { return m.Type }

// ObjectID returns m.ID.
func (m *MarkingDefinition) ObjectID() string { return m.ID }

// MarshalJSON encodes m with its custom properties.
func (m MarkingDefinition) MarshalJSON() ([]byte, error) {
	type plain MarkingDefinition
	p := plain(m)
	return marshalObject(&p, m.Custom)
}

// UnmarshalJSON decodes m, keeping unknown properties in Custom.
func (m *MarkingDefinition) UnmarshalJSON(b []byte) error {
	type plain MarkingDefinition
	return unmarshalObject(b, (*plain)(m), &m.Custom)
}

// NewStatementMarking returns a statement marking-definition (§7.2.1.3),
// e.g. a copyright or terms of use.
func NewStatementMarking(id, createdBy string, created time.Time, name, statement string) *MarkingDefinition {
	def, _ := encode(struct {
		Statement string `json:"statement"`
	}{statement})
	return &MarkingDefinition{
		Type:           "marking-definition",
		SpecVersion:    SpecVersion,
		ID:             id,
		CreatedByRef:   createdBy,
		Created:        TS(created),
		Name:           name,
		DefinitionType: "statement",
		Definition:     def,
	}
}

// Statement returns the text of a statement marking, or "" if m is not one.
func (m *MarkingDefinition) Statement() string {
	if m.DefinitionType != "statement" {
		return ""
	}
	var d struct {
		Statement string `json:"statement"`
	}
	json.Unmarshal(m.Definition, &d)
	return d.Statement
}

// TLP 2.0 markings: the extension that defines them and their fixed ids,
// as OASIS publishes them (cti-stix-common-objects,
// extension-definition-specifications/tlp-2.0). Use [TLPMarking] for the
// objects.
const (
	TLP2Extension  = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
	TLPClear       = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
	TLPGreen       = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
	TLPAmber       = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
	TLPAmberStrict = "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
	TLPRed         = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
)

// TLP 1.0 markings (§7.2.1.4): the only marking-definitions with
// definition_type "tlp" that may exist.
const (
	TLP1White = "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"
	TLP1Green = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"
	TLP1Amber = "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"
	TLP1Red   = "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"
)

// tlp2 lists the TLP 2.0 levels with their ids and names.
func tlp2(level string) (id, name string, ok bool) {
	switch level {
	case "clear":
		return TLPClear, "TLP:CLEAR", true
	case "green":
		return TLPGreen, "TLP:GREEN", true
	case "amber":
		return TLPAmber, "TLP:AMBER", true
	case "amber+strict":
		return TLPAmberStrict, "TLP:AMBER+STRICT", true
	case "red":
		return TLPRed, "TLP:RED", true
	}
	return "", "", false
}

// tlp1 lists the TLP 1.0 levels with their ids.
func tlp1(level string) (id string, ok bool) {
	switch level {
	case "white":
		return TLP1White, true
	case "green":
		return TLP1Green, true
	case "amber":
		return TLP1Amber, true
	case "red":
		return TLP1Red, true
	}
	return "", false
}

// TLPMarking returns the OASIS TLP 2.0 marking-definition for a level:
// "clear", "green", "amber", "amber+strict" or "red". ok is false for any
// other level.
func TLPMarking(level string) (m *MarkingDefinition, ok bool) {
	id, name, ok := tlp2(level)
	if !ok {
		return nil, false
	}
	ext, _ := encode(struct {
		ExtensionType string `json:"extension_type"`
		TLP           string `json:"tlp_2_0"`
	}{ExtensionProperty, level})
	return &MarkingDefinition{
		Type:        "marking-definition",
		SpecVersion: SpecVersion,
		ID:          id,
		Created:     TS(time.Date(2022, 10, 1, 0, 0, 0, 0, time.UTC)),
		Name:        name,
		Extensions:  map[string]json.RawMessage{TLP2Extension: ext},
	}, true
}

// TLPLevel returns the TLP level a well-known marking-definition id stands
// for: a TLP 2.0 level ("clear" … "red") or a TLP 1.0 one ("white",
// "green", "amber", "red"), with the TLP version (2 or 1).
func TLPLevel(id string) (level string, version int, ok bool) {
	for _, l := range []string{"clear", "green", "amber", "amber+strict", "red"} {
		if i, _, _ := tlp2(l); i == id {
			return l, 2, true
		}
	}
	for _, l := range []string{"white", "green", "amber", "red"} {
		if i, _ := tlp1(l); i == id {
			return l, 1, true
		}
	}
	return "", 0, false
}
