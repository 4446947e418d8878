package reporting

import (
	"encoding/json"
	"time"
)

// Kind says what a report is about (§5): an incident that harmed a specified
// critical computer, or a precursor event that could.
type Kind string

// Report kinds.
const (
	KindIncident  Kind = "incident"
	KindPrecursor Kind = "precursor"
)

// Stage is where a report is in its life. Stages only move forward: quick
// → full → update (any number) → final; the final report closes the report.
type Stage string

// Report stages, in order.
const (
	StageQuick  Stage = "quick"
	StageFull   Stage = "full"
	StageUpdate Stage = "update"
	StageFinal  Stage = "final"
)

// Stages lists the stages in order.
var Stages = []Stage{StageQuick, StageFull, StageUpdate, StageFinal}

// Status is the incident's current state as the operator sees it.
type Status string

// Incident statuses.
const (
	StatusOngoing   Status = "ongoing"   // the attack or its effects continue
	StatusContained Status = "contained" // stopped from spreading, not yet recovered
	StatusRecovered Status = "recovered" // normal operation restored
)

// ImpactLevel grades the harm to the critical facility's service.
type ImpactLevel string

// Impact levels.
const (
	ImpactNone     ImpactLevel = "none"     // no effect on the service
	ImpactLow      ImpactLevel = "low"      // degraded internally, service unaffected
	ImpactModerate ImpactLevel = "moderate" // service degraded
	ImpactHigh     ImpactLevel = "high"     // service partly stopped
	ImpactSevere   ImpactLevel = "severe"   // service stopped
)

// IndicatorType is the kind of value an Indicator holds.
type IndicatorType string

// Indicator types.
const (
	IndicatorIPv4   IndicatorType = "ipv4"   // address or CIDR prefix
	IndicatorIPv6   IndicatorType = "ipv6"   // address or CIDR prefix
	IndicatorDomain IndicatorType = "domain" // domain name
	IndicatorURL    IndicatorType = "url"    // absolute http(s) URL
	IndicatorMD5    IndicatorType = "md5"    // file hash, hex
	IndicatorSHA1   IndicatorType = "sha1"   // file hash, hex
	IndicatorSHA256 IndicatorType = "sha256" // file hash, hex
	IndicatorEmail  IndicatorType = "email"  // sender address
)

// Content is what an operator says about an incident at one stage. Every
// version of a report holds the whole Content as it stood then, so any
// version can be read on its own.
//
// The quick report needs Kind, Summary, AwareAt, Status and Contact; full,
// update and final reports also need Impact and MeasuresTaken; the final
// report also needs RootCause.
type Content struct {
	// Kind is incident or precursor.
	Kind Kind `json:"kind"`
	// Title is a one-line name for lists; default the start of Summary.
	Title string `json:"title,omitempty"`
	// Summary says what happened.
	Summary string `json:"summary"`
	// AwareAt is when the operator became aware; deadlines run from it.
	AwareAt time.Time `json:"aware_at"`
	// OccurredAt is when the incident began, if known.
	OccurredAt time.Time `json:"occurred_at,omitzero"`
	// AffectedAssets are ids of the operator's registered specified
	// critical computers.
	AffectedAssets []string `json:"affected_assets,omitempty"`
	// Status is the current state.
	Status Status `json:"status"`
	// StatusDetail adds free text to Status.
	StatusDetail string `json:"status_detail,omitempty"`
	// Contact is whom the ministry and the Cabinet Office call.
	Contact Contact `json:"contact"`

	// Impact on the critical facility (full report onwards).
	Impact Impact `json:"impact,omitzero"`
	// Techniques are MITRE ATT&CK technique ids, e.g. "T1190", "T1059.001".
	Techniques []string `json:"techniques,omitempty"`
	// Indicators are observed indicators of compromise.
	Indicators []Indicator `json:"indicators,omitempty"`
	// Observations are sightings of observables with their counts.
	Observations []Observation `json:"observations,omitempty"`
	// Malware names malicious software involved.
	Malware []Malware `json:"malware,omitempty"`
	// Timeline lists what happened when.
	Timeline []Event `json:"timeline,omitempty"`
	// MeasuresTaken says what the operator did in response.
	MeasuresTaken string `json:"measures_taken,omitempty"`

	// RootCause is the established cause (final report).
	RootCause string `json:"root_cause,omitempty"`
	// Recurrence says what prevents it happening again (final report).
	Recurrence string `json:"recurrence,omitempty"`

	// Attachments are objects of a STIX bundle that map to no field above,
	// kept as submitted.
	Attachments []Attachment `json:"attachments,omitempty"`
}

// Contact is a person to call about a report.
type Contact struct {
	Name  string `json:"name"`
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
}

// Impact describes the harm done.
type Impact struct {
	Level       ImpactLevel `json:"level"`
	Description string      `json:"description"`
}

// Indicator is one indicator of compromise.
type Indicator struct {
	Type        IndicatorType `json:"type"`
	Value       string        `json:"value"`
	Description string        `json:"description,omitempty"`
}

// Observation is an observed-data sighting: observables seen Count times
// between First and Last.
type Observation struct {
	First   time.Time   `json:"first"`
	Last    time.Time   `json:"last"`
	Count   int         `json:"count"`
	Objects []Indicator `json:"objects"`
}

// Malware is malicious software involved in the incident.
type Malware struct {
	Name     string   `json:"name"`
	IsFamily bool     `json:"is_family,omitempty"`
	Types    []string `json:"types,omitempty"` // STIX malware-type-ov values
}

// Event is one entry of a timeline.
type Event struct {
	Time        time.Time `json:"time"`
	Description string    `json:"description"`
}

// Attachment is a STIX object kept as submitted because no report field
// holds what it says.
type Attachment struct {
	// Type and ID are the object's STIX type and id.
	Type string `json:"type"`
	ID   string `json:"id"`
	// Object is the object's JSON as submitted.
	Object json.RawMessage `json:"object"`
}
