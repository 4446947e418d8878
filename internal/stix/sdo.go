package stix

import "encoding/json"

// Incident is an incident SDO (§4.7, a stub in STIX 2.1 that extensions
// fill in).
type Incident struct {
	Common
	Name            string           `json:"name"`
	Description     string           `json:"description,omitempty"`
	KillChainPhases []KillChainPhase `json:"kill_chain_phases,omitempty"`
}

// Indicator is an indicator SDO (§4.8): a pattern that detects activity.
type Indicator struct {
	Common
	Name           string   `json:"name,omitempty"`
	Description    string   `json:"description,omitempty"`
	IndicatorTypes []string `json:"indicator_types,omitempty"` // indicator-type-ov
	// Pattern is in the language PatternType names; for "stix" see
	// [ParsePattern].
	Pattern         string           `json:"pattern"`
	PatternType     string           `json:"pattern_type"` // pattern-type-ov
	PatternVersion  string           `json:"pattern_version,omitempty"`
	ValidFrom       Timestamp        `json:"valid_from"`
	ValidUntil      Timestamp        `json:"valid_until,omitzero"`
	KillChainPhases []KillChainPhase `json:"kill_chain_phases,omitempty"`
}

// ObservedData is an observed-data SDO (§4.14): observables seen
// NumberObserved times between FirstObserved and LastObserved. It has
// ObjectRefs (ids of SCOs and SROs) or, deprecated, Objects.
type ObservedData struct {
	Common
	FirstObserved  Timestamp `json:"first_observed"`
	LastObserved   Timestamp `json:"last_observed"`
	NumberObserved int       `json:"number_observed"`
	ObjectRefs     []string  `json:"object_refs,omitempty"`
	// Objects is the deprecated observable container: observables without
	// ids, keyed by a name that other observables in it refer to. See
	// [ObservedData.Embedded].
	Objects map[string]json.RawMessage `json:"objects,omitempty"`
}

// Malware is a malware SDO (§4.11). Name is required when IsFamily.
type Malware struct {
	Common
	Name                      string           `json:"name,omitempty"`
	Description               string           `json:"description,omitempty"`
	MalwareTypes              []string         `json:"malware_types,omitempty"` // malware-type-ov
	IsFamily                  bool             `json:"is_family"`
	Aliases                   []string         `json:"aliases,omitempty"`
	KillChainPhases           []KillChainPhase `json:"kill_chain_phases,omitempty"`
	FirstSeen                 Timestamp        `json:"first_seen,omitzero"`
	LastSeen                  Timestamp        `json:"last_seen,omitzero"`
	OperatingSystemRefs       []string         `json:"operating_system_refs,omitempty"`
	ArchitectureExecutionEnvs []string         `json:"architecture_execution_envs,omitempty"`
	ImplementationLanguages   []string         `json:"implementation_languages,omitempty"`
	Capabilities              []string         `json:"capabilities,omitempty"`
	SampleRefs                []string         `json:"sample_refs,omitempty"`
}

// AttackPattern is an attack-pattern SDO (§4.1). A MITRE ATT&CK technique
// has an external reference with source_name "mitre-attack" and the
// technique id (T1190) as external_id.
type AttackPattern struct {
	Common
	Name            string           `json:"name"`
	Description     string           `json:"description,omitempty"`
	Aliases         []string         `json:"aliases,omitempty"`
	KillChainPhases []KillChainPhase `json:"kill_chain_phases,omitempty"`
}

// Vulnerability is a vulnerability SDO (§4.20). A CVE has an external
// reference with source_name "cve" and the CVE id as external_id.
type Vulnerability struct {
	Common
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// Identity is an identity SDO (§4.5): an individual, organisation, group
// or system.
type Identity struct {
	Common
	Name               string   `json:"name"`
	Description        string   `json:"description,omitempty"`
	Roles              []string `json:"roles,omitempty"`
	IdentityClass      string   `json:"identity_class,omitempty"` // identity-class-ov
	Sectors            []string `json:"sectors,omitempty"`        // industry-sector-ov
	ContactInformation string   `json:"contact_information,omitempty"`
}

// Report is a report SDO (§4.16): a collection of intelligence on a topic.
type Report struct {
	Common
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	ReportTypes []string  `json:"report_types,omitempty"` // report-type-ov
	Published   Timestamp `json:"published"`
	ObjectRefs  []string  `json:"object_refs"`
}

// Note is a note SDO (§4.13): text about other objects.
type Note struct {
	Common
	Abstract   string   `json:"abstract,omitempty"`
	Content    string   `json:"content"`
	Authors    []string `json:"authors,omitempty"`
	ObjectRefs []string `json:"object_refs"`
}

// Relationship is a relationship SRO (§5.1) from SourceRef to TargetRef.
type Relationship struct {
	Common
	RelationshipType string    `json:"relationship_type"`
	Description      string    `json:"description,omitempty"`
	SourceRef        string    `json:"source_ref"`
	TargetRef        string    `json:"target_ref"`
	StartTime        Timestamp `json:"start_time,omitzero"`
	StopTime         Timestamp `json:"stop_time,omitzero"`
}

// Sighting is a sighting SRO (§5.2): SightingOfRef was seen.
type Sighting struct {
	Common
	Description      string    `json:"description,omitempty"`
	FirstSeen        Timestamp `json:"first_seen,omitzero"`
	LastSeen         Timestamp `json:"last_seen,omitzero"`
	Count            *int      `json:"count,omitempty"`
	SightingOfRef    string    `json:"sighting_of_ref"`
	ObservedDataRefs []string  `json:"observed_data_refs,omitempty"`
	WhereSightedRefs []string  `json:"where_sighted_refs,omitempty"`
	Summary          bool      `json:"summary,omitempty"`
}

// Extension types (extension-type-enum, §7.3).
const (
	ExtensionNewSDO           = "new-sdo"
	ExtensionNewSCO           = "new-sco"
	ExtensionNewSRO           = "new-sro"
	ExtensionProperty         = "property-extension"
	ExtensionToplevelProperty = "toplevel-property-extension"
)

// ExtensionDefinition is an extension-definition object (§7.3): it names
// and versions an extension and points to its schema. CreatedByRef is
// required.
type ExtensionDefinition struct {
	Common
	Name                string   `json:"name"`
	Description         string   `json:"description,omitempty"`
	Schema              string   `json:"schema"`
	Version             string   `json:"version"`
	ExtensionTypes      []string `json:"extension_types"`
	ExtensionProperties []string `json:"extension_properties,omitempty"`
}

// The methods below encode and decode each struct with its custom
// properties; a local type without methods avoids recursion.

// MarshalJSON encodes o with its custom properties.
func (o Incident) MarshalJSON() ([]byte, error) {
	type plain Incident
	p := plain(o)
	return marshalObject(&p, o.Custom)
}

// UnmarshalJSON decodes o, keeping unknown properties in Custom.
func (o *Incident) UnmarshalJSON(b []byte) error {
	type plain Incident
	return unmarshalObject(b, (*plain)(o), &o.Custom)
}

// MarshalJSON encodes o with its custom properties.
func (o Indicator) MarshalJSON() ([]byte, error) {
	type plain Indicator
	p := plain(o)
	return marshalObject(&p, o.Custom)
}

// UnmarshalJSON decodes o, keeping unknown properties in Custom.
func (o *Indicator) UnmarshalJSON(b []byte) error {
	type plain Indicator
	return unmarshalObject(b, (*plain)(o), &o.Custom)
}

// MarshalJSON encodes o with its custom properties.
func (o ObservedData) MarshalJSON() ([]byte, error) {
	type plain ObservedData
	p := plain(o)
	return marshalObject(&p, o.Custom)
}

// UnmarshalJSON decodes o, keeping unknown properties in Custom.
func (o *ObservedData) UnmarshalJSON(b []byte) error {
	type plain ObservedData
	return unmarshalObject(b, (*plain)(o), &o.Custom)
}

// MarshalJSON encodes o with its custom properties.
func (o Malware) MarshalJSON() ([]byte, error) {
	type plain Malware
	p := plain(o)
	return marshalObject(&p, o.Custom)
}

// UnmarshalJSON decodes o, keeping unknown properties in Custom.
func (o *Malware) UnmarshalJSON(b []byte) error {
	type plain Malware
	return unmarshalObject(b, (*plain)(o), &o.Custom)
}

// MarshalJSON encodes o with its custom properties.
func (o AttackPattern) MarshalJSON() ([]byte, error) {
	type plain AttackPattern
	p := plain(o)
	return marshalObject(&p, o.Custom)
}

// UnmarshalJSON decodes o, keeping unknown properties in Custom.
func (o *AttackPattern) UnmarshalJSON(b []byte) error {
	type plain AttackPattern
	return unmarshalObject(b, (*plain)(o), &o.Custom)
}

// MarshalJSON encodes o with its custom properties.
func (o Identity) MarshalJSON() ([]byte, error) {
	type plain Identity
	p := plain(o)
	return marshalObject(&p, o.Custom)
}

// UnmarshalJSON decodes o, keeping unknown properties in Custom.
func (o *Identity) UnmarshalJSON(b []byte) error {
	type plain Identity
	return unmarshalObject(b, (*plain)(o), &o.Custom)
}

// MarshalJSON encodes o with its custom properties.
func (o Report) MarshalJSON() ([]byte, error) {
	type plain Report
	p := plain(o)
	return marshalObject(&p, o.Custom)
}

// UnmarshalJSON decodes o, keeping unknown properties in Custom.
func (o *Report) UnmarshalJSON(b []byte) error {
	type plain Report
	return unmarshalObject(b, (*plain)(o), &o.Custom)
}

// MarshalJSON encodes o with its custom properties.
func (o Note) MarshalJSON() ([]byte, error) {
	type plain Note
	p := plain(o)
	return marshalObject(&p, o.Custom)
}

// UnmarshalJSON decodes o, keeping unknown properties in Custom.
func (o *Note) UnmarshalJSON(b []byte) error {
	type plain Note
	return unmarshalObject(b, (*plain)(o), &o.Custom)
}

// MarshalJSON encodes o with its custom properties.
func (o Relationship) MarshalJSON() ([]byte, error) {
	type plain Relationship
	p := plain(o)
	return marshalObject(&p, o.Custom)
}

// UnmarshalJSON decodes o, keeping unknown properties in Custom.
func (o *Relationship) UnmarshalJSON(b []byte) error {
	type plain Relationship
	return unmarshalObject(b, (*plain)(o), &o.Custom)
}

// MarshalJSON encodes o with its custom properties.
func (o Sighting) MarshalJSON() ([]byte, error) {
	type plain Sighting
	p := plain(o)
	return marshalObject(&p, o.Custom)
}

// UnmarshalJSON decodes o, keeping unknown properties in Custom.
func (o *Sighting) UnmarshalJSON(b []byte) error {
	type plain Sighting
	return unmarshalObject(b, (*plain)(o), &o.Custom)
}

// MarshalJSON encodes o with its custom properties.
func (o ExtensionDefinition) MarshalJSON() ([]byte, error) {
	type plain ExtensionDefinition
	p := plain(o)
	return marshalObject(&p, o.Custom)
}

// UnmarshalJSON decodes o, keeping unknown properties in Custom.
func (o *ExtensionDefinition) UnmarshalJSON(b []byte) error {
	type plain ExtensionDefinition
	return unmarshalObject(b, (*plain)(o), &o.Custom)
}
