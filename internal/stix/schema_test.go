package stix_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/stix"
	"github.com/acd-platform/acd/internal/stix/stixtest"
)

// oasisDir is the OASIS cti-stix2-json-schemas checkout beside the repository.
const oasisDir = "../../../shared/reference/stix2-json-schemas"

// TestExamples checks that the OASIS examples parse and that every object
// in them also passes the OASIS schemas.
func TestExamples(t *testing.T) {
	schemas := stixtest.Open(t, filepath.Join(oasisDir, "schemas"))
	files, _ := filepath.Glob(filepath.Join(oasisDir, "examples", "*.json"))
	more, _ := filepath.Glob(filepath.Join(oasisDir, "examples", "*", "*.json"))
	files = append(files, more...)
	if len(files) == 0 {
		t.Skipf("no examples in %s", oasisDir)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var head struct {
				Type string `json:"type"`
			}
			json.Unmarshal(data, &head)
			if head.Type != "bundle" {
				// interop-objectmarking-test.json is a lone campaign.
				if _, err := stix.ParseObject(data); err != nil {
					t.Fatalf("ParseObject: %v", err)
				}
				if err := schemas.Object(data); err != nil {
					t.Fatalf("schema: %v", err)
				}
				return
			}
			b, err := stix.ParseBundle(data)
			if err != nil {
				t.Fatalf("ParseBundle: %v", err)
			}
			if err := schemas.Bundle(data); err != nil {
				t.Errorf("schema: %v", err)
			}
			// Encoding what was parsed gives objects that still pass.
			out, err := json.Marshal(b)
			if err != nil {
				t.Fatalf("marshal: %v", err)
			}
			if _, err := stix.ParseBundle(out); err != nil {
				t.Fatalf("ParseBundle(Marshal(b)): %v", err)
			}
			if err := schemas.Bundle(out); err != nil {
				t.Errorf("schema of re-encoded bundle: %v", err)
			}
		})
	}
}

// TestProducedObjectsPassSchemas builds one object of each type with this
// package's helpers and checks it against the OASIS schemas and ParseObject.
func TestProducedObjectsPassSchemas(t *testing.T) {
	schemas := stixtest.Open(t, filepath.Join(oasisDir, "schemas"))
	at := time.Date(2025, 5, 16, 9, 30, 0, 123e6, time.UTC)
	common := func(typ string) stix.Common {
		return stix.Common{Type: typ, SpecVersion: stix.SpecVersion, ID: stix.NewID(typ), Created: stix.TS(at), Modified: stix.TS(at),
			ObjectMarkingRefs: []string{stix.TLPAmber}, CreatedByRef: "identity--2d15ba79-49c7-4922-a31b-d3bd2649caee"}
	}
	seven := 70
	file, err := stix.NewFile("", map[string]string{"SHA-256": "ceafbfd424be2ca4a5f0402cae090dda2fb0526cf521b60b60077c0f622b285a"})
	if err != nil {
		t.Fatal(err)
	}
	ipv4 := stix.NewIPv4Addr("198.51.100.3")
	ap := &stix.AttackPattern{Common: common("attack-pattern"), Name: "Exploit Public-Facing Application"}
	ap.ExternalReferences = []stix.ExternalReference{{SourceName: "mitre-attack", ExternalID: "T1190", URL: "https://attack.mitre.org/techniques/T1190/"}}
	objs := []stix.Object{
		&stix.Identity{Common: common("identity"), Name: "ACD", IdentityClass: "system"},
		&stix.Incident{Common: common("incident"), Name: "VPN appliance compromised", Description: "…"},
		&stix.Indicator{Common: common("indicator"), Pattern: stix.EqualityPattern("ipv4-addr:value", "198.51.100.3"), PatternType: "stix",
			ValidFrom: stix.TS(at), IndicatorTypes: []string{"malicious-activity"}},
		&stix.ObservedData{Common: common("observed-data"), FirstObserved: stix.TS(at), LastObserved: stix.TS(at.Add(time.Hour)), NumberObserved: 3,
			ObjectRefs: []string{ipv4.ID, file.ID}},
		&stix.Malware{Common: common("malware"), Name: "Emotet", IsFamily: true, MalwareTypes: []string{"trojan"}},
		ap,
		&stix.Report{Common: common("report"), Name: "r", Published: stix.TS(at), ObjectRefs: []string{ipv4.ID}},
		&stix.Note{Common: common("note"), Content: "n", ObjectRefs: []string{ipv4.ID}},
		&stix.Relationship{Common: common("relationship"), RelationshipType: "related-to", SourceRef: stix.NewID("incident"), TargetRef: stix.NewID("malware")},
		&stix.Sighting{Common: common("sighting"), SightingOfRef: stix.NewID("indicator"), Count: &seven},
		&stix.ExtensionDefinition{Common: common("extension-definition"), Name: "x", Schema: "https://example.com/s.json", Version: "1.0.0",
			ExtensionTypes: []string{stix.ExtensionProperty}},
		stix.NewStatementMarking("marking-definition--165b5c35-60df-4be1-906d-ec76b1a48020", "identity--2d15ba79-49c7-4922-a31b-d3bd2649caee", at, "purpose", "For cybersecurity purposes only"),
		ipv4,
		stix.NewIPv6Addr("2001:db8::1"),
		stix.NewDomainName("example.com"),
		stix.NewURL("https://example.com/a?b=c&d=<e>"),
		stix.NewEmailAddr("attacker@example.com"),
		file,
	}
	for _, level := range []string{"clear", "green", "amber", "amber+strict", "red"} {
		m, ok := stix.TLPMarking(level)
		if !ok {
			t.Fatalf("TLPMarking(%q): not ok", level)
		}
		objs = append(objs, m)
	}
	for _, o := range objs {
		data, err := json.Marshal(o)
		if err != nil {
			t.Fatalf("marshal %s: %v", o.ObjectType(), err)
		}
		if err := schemas.Object(data); err != nil {
			t.Errorf("schema: %v\n%s", err, data)
		}
		if _, err := stix.ParseObject(data); err != nil {
			t.Errorf("ParseObject: %v\n%s", err, data)
		}
	}
	b := &stix.Bundle{Type: "bundle", ID: stix.NewID("bundle"), Objects: objs}
	data, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if err := schemas.Bundle(data); err != nil {
		t.Errorf("schema: %v", err)
	}
	if _, err := stix.ParseBundle(data); err != nil {
		t.Errorf("ParseBundle: %v", err)
	}
}
