package stixmap

import (
	_ "embed"
	"time"

	"github.com/acd-platform/acd/internal/stix"
)

// Fixed identifiers of what ACD publishes in STIX. They never change:
// consumers recognise ACD's objects by them.
const (
	// ExtensionID is the id of ACD's incident report extension: the key of
	// the extension in an incident's extensions.
	ExtensionID = "extension-definition--e170f430-e1c7-4b54-a014-3910855fbcc0"
	// IdentityID is the id of ACD's identity, the creator of the
	// extension-definition and of the purpose marking.
	IdentityID = "identity--2d15ba79-49c7-4922-a31b-d3bd2649caee"
	// PurposeMarkingID is the id of the statement marking that says the
	// information may be used for cybersecurity purposes only (§5).
	PurposeMarkingID = "marking-definition--165b5c35-60df-4be1-906d-ec76b1a48020"
	// SchemaURL is where ACD serves ExtensionSchema; the
	// extension-definition's schema property.
	SchemaURL = "https://acd.example.go.jp/stix/incident-report-extension-v1.json"
	// ExtensionVersion is the version of the extension.
	ExtensionVersion = "1.0.0"
	// Purpose is the value of the extension's purpose property.
	Purpose = "cybersecurity"
	// PurposeStatement is the text of the purpose marking.
	PurposeStatement = "For cybersecurity purposes only: information reported under Article 5 of the Act on the Prevention of Damage Caused by Unauthorized Acts against Critical Computers may not be used for any other purpose."
)

// namespace is ACD's UUIDv5 namespace for the ids of exported objects.
func namespace() stix.UUID {
	u, _ := stix.ParseUUID("30102ca6-36b6-4f36-adac-6de04e99394c")
	return u
}

// published is the created and modified time of ACD's fixed objects: the
// day the Act was enacted.
var published = stix.TS(time.Date(2025, 5, 16, 0, 0, 0, 0, time.UTC))

//go:embed extension.schema.json
var extensionSchema []byte

// ExtensionSchema returns the JSON schema (draft 2020-12) of the
// extension's properties, to be served at SchemaURL. The caller may modify
// the returned slice.
func ExtensionSchema() []byte { return append([]byte(nil), extensionSchema...) }

// Identity returns ACD's identity object.
func Identity() *stix.Identity {
	return &stix.Identity{
		Common: stix.Common{
			Type: "identity", SpecVersion: stix.SpecVersion, ID: IdentityID,
			Created: published, Modified: published,
		},
		Name:          "ACD",
		Description:   "The Active Cyber Defense platform of the Government of Japan, which receives incident reports from designated operators under Article 5 of the Act on the Prevention of Damage Caused by Unauthorized Acts against Critical Computers.",
		IdentityClass: "organization",
		Sectors:       []string{"government-national"},
	}
}

// ExtensionDefinition returns the extension-definition of ACD's incident
// report extension: a property-extension of the incident object whose
// properties ExtensionSchema defines.
func ExtensionDefinition() *stix.ExtensionDefinition {
	return &stix.ExtensionDefinition{
		Common: stix.Common{
			Type: "extension-definition", SpecVersion: stix.SpecVersion, ID: ExtensionID,
			CreatedByRef: IdentityID, Created: published, Modified: published,
		},
		Name: "ACD incident report",
		Description: "Properties of an incident or precursor report under Article 5 of the Act on the Prevention of Damage Caused by Unauthorized Acts against Critical Computers " +
			"that the STIX incident lacks: report_id, stage, purpose, kind, aware_at, occurred_at, status, status_detail, contact, impact, affected_assets, " +
			"measures_taken, timeline, root_cause and recurrence. The incident's name is the report's title, its description the summary.",
		Schema:         SchemaURL,
		Version:        ExtensionVersion,
		ExtensionTypes: []string{stix.ExtensionProperty},
	}
}

// PurposeMarking returns the statement marking-definition applied to every
// exported object that carries report content: the information may be
// used for cybersecurity purposes only (§5).
func PurposeMarking() *stix.MarkingDefinition {
	return stix.NewStatementMarking(PurposeMarkingID, IdentityID, published.Time, "ACD purpose limitation (Article 5)", PurposeStatement)
}
