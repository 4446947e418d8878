package stixmap_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/acd-platform/acd/internal/reporting"
	"github.com/acd-platform/acd/internal/reporting/stixmap"
	"github.com/acd-platform/acd/internal/stix"
	"github.com/acd-platform/acd/internal/stix/stixtest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// oasisSchemas is the OASIS cti-stix2-json-schemas checkout beside the repository.
const oasisSchemas = "../../../../shared/reference/stix2-json-schemas/schemas"

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// fullContent has every field of a report set.
func fullContent() reporting.Content {
	return reporting.Content{
		Kind:           reporting.KindIncident,
		Title:          "VPN appliance compromised",
		Summary:        "Unauthorised access to the remote-access VPN appliance.\nA web shell was found.",
		AwareAt:        at("2025-05-16T09:30:00Z"),
		OccurredAt:     at("2025-05-15T22:10:00.250Z"),
		AffectedAssets: []string{"cc_7qzm4x2kv5c3n6d2r7t4wyhabe", "cc_2bq5k7m3x4v6c2n7d3r5t6wyza"},
		Status:         reporting.StatusContained,
		StatusDetail:   "Appliance isolated; failover to the standby unit.",
		Contact:        reporting.Contact{Name: "山田 太郎", Email: "soc@operator.example.jp", Phone: "+81-3-0000-0000"},
		Impact:         reporting.Impact{Level: reporting.ImpactModerate, Description: "Remote maintenance unavailable for 6 hours."},
		Techniques:     []string{"T1190", "T1059.001"},
		Indicators: []reporting.Indicator{
			{Type: reporting.IndicatorIPv4, Value: "198.51.100.7", Description: "C2 server"},
			{Type: reporting.IndicatorIPv6, Value: "2001:db8::7"},
			{Type: reporting.IndicatorDomain, Value: "update.evil.example"},
			{Type: reporting.IndicatorURL, Value: "https://evil.example/a?b='c'&d=\\e"},
			{Type: reporting.IndicatorMD5, Value: "001dd76872d80801692ff942308c64e6"},
			{Type: reporting.IndicatorSHA1, Value: "2aae6c35c94fcfb415dbe95f408b9ce91ee846ed"},
			{Type: reporting.IndicatorSHA256, Value: "ceafbfd424be2ca4a5f0402cae090dda2fb0526cf521b60b60077c0f622b285a", Description: "web shell"},
			{Type: reporting.IndicatorEmail, Value: "attacker@evil.example"},
		},
		Observations: []reporting.Observation{
			{First: at("2025-05-15T22:10:00Z"), Last: at("2025-05-16T03:00:00.5Z"), Count: 42, Objects: []reporting.Indicator{
				{Type: reporting.IndicatorIPv4, Value: "198.51.100.7"},
				{Type: reporting.IndicatorURL, Value: "https://evil.example/shell.jsp"},
			}},
			{First: at("2025-05-16T01:00:00Z"), Last: at("2025-05-16T01:00:00Z"), Count: 1, Objects: []reporting.Indicator{
				{Type: reporting.IndicatorIPv4, Value: "198.51.100.7"}, // the same observable again
				{Type: reporting.IndicatorSHA256, Value: "ceafbfd424be2ca4a5f0402cae090dda2fb0526cf521b60b60077c0f622b285a"},
				{Type: reporting.IndicatorDomain, Value: "update.evil.example"},
				{Type: reporting.IndicatorIPv6, Value: "2001:db8::7"},
				{Type: reporting.IndicatorEmail, Value: "attacker@evil.example"},
				{Type: reporting.IndicatorMD5, Value: "001dd76872d80801692ff942308c64e6"},
				{Type: reporting.IndicatorSHA1, Value: "2aae6c35c94fcfb415dbe95f408b9ce91ee846ed"},
			}},
		},
		Malware: []reporting.Malware{
			{Name: "China Chopper", IsFamily: true, Types: []string{"webshell", "backdoor"}},
			{Name: "dropper.bin"},
		},
		Timeline: []reporting.Event{
			{Time: at("2025-05-15T22:10:00Z"), Description: "First access from 198.51.100.7"},
			{Time: at("2025-05-16T09:30:00Z"), Description: "SOC alert"},
		},
		MeasuresTaken: "Isolated the appliance, reset credentials.",
		RootCause:     "Unpatched CVE-2024-3400.",
		Recurrence:    "Patch within 48 hours of vendor advisories.",
		Attachments: []reporting.Attachment{
			{Type: "indicator", ID: "indicator--3f1a8f4e-51e2-4f5b-8b0e-1b6a0c1f3f7d",
				Object: json.RawMessage(`{"type":"indicator","spec_version":"2.1","id":"indicator--3f1a8f4e-51e2-4f5b-8b0e-1b6a0c1f3f7d","created":"2025-05-16T09:00:00.000Z","modified":"2025-05-16T09:00:00.000Z","pattern":"[network-traffic:dst_port = 4444] AND [ipv4-addr:value = '198.51.100.7']","pattern_type":"stix","valid_from":"2025-05-16T09:00:00Z"}`)},
			{Type: "course-of-action", ID: "course-of-action--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
				Object: json.RawMessage(`{"type":"course-of-action","spec_version":"2.1","id":"course-of-action--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2025-05-16T09:00:00.000Z","modified":"2025-05-16T09:00:00.000Z","name":"Block 198.51.100.7 at the border","description":"<b>now</b> & always"}`)},
		},
	}
}

func fullInput() stixmap.ExportInput {
	return stixmap.ExportInput{
		ReportID: "rep_k3fm2qx5vcn6d2r7t4wybaeh3j",
		OrgName:  "Example Electric Power Co.",
		Stage:    reporting.StageFinal,
		Version:  3,
		Created:  at("2025-05-16T09:45:00Z"),
		Modified: at("2025-05-20T12:00:00.123Z"),
		Content:  fullContent(),
	}
}

// Exporting a report and importing the bundle gives back the report.
func TestRoundTrip(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   stixmap.ExportInput
	}{
		{"full", fullInput()},
		{"quick without operator", stixmap.ExportInput{ReportID: "rpt-1", Stage: reporting.StageQuick, Version: 1, Created: at("2025-05-16T09:45:00Z"),
			Content: reporting.Content{Kind: reporting.KindPrecursor, Title: "Scan", Summary: "Port scan", AwareAt: at("2025-05-16T09:30:00Z"),
				Status: reporting.StatusOngoing, Contact: reporting.Contact{Name: "SOC", Phone: "03-0000-0000"},
				Indicators: []reporting.Indicator{{Type: reporting.IndicatorIPv4, Value: "203.0.113.0/24"}}}}},
		{"empty content", stixmap.ExportInput{ReportID: "rpt-2", Stage: reporting.StageQuick, Created: at("2025-05-16T09:45:00Z"), Content: reporting.Content{Title: "t"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, err := stixmap.Export(tt.in)
			if err != nil {
				t.Fatalf("Export: %v", err)
			}
			sub, err := stixmap.Import(out)
			if err != nil {
				t.Fatalf("Import(Export()): %v\n%s", err, out)
			}
			if sub.ReportID != tt.in.ReportID || sub.Stage != tt.in.Stage {
				t.Errorf("report id and stage = %q, %q; want %q, %q", sub.ReportID, sub.Stage, tt.in.ReportID, tt.in.Stage)
			}
			if diff := cmp.Diff(tt.in.Content, sub.Content); diff != "" {
				t.Errorf("Import(Export(content)) differs (-want +got):\n%s", diff)
			}
		})
	}
}

// Export is a function of its input; ids change with the version except
// the incident's.
func TestExportDeterministic(t *testing.T) {
	in := fullInput()
	a, err := stixmap.Export(in)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := stixmap.Export(in)
	if !bytes.Equal(a, b) {
		t.Fatalf("two exports of the same input differ")
	}
	// The golden file is indented, for reading.
	var indented bytes.Buffer
	if err := json.Indent(&indented, a, "", "  "); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "export-final.golden.json")
	if *update {
		if err := os.WriteFile(golden, indented.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), indented.String()); diff != "" {
		t.Errorf("Export differs from %s (-want +got):\n%s", golden, diff)
	}

	in.Version++
	in.Modified = in.Modified.Add(time.Hour)
	c, err := stixmap.Export(in)
	if err != nil {
		t.Fatal(err)
	}
	ids := func(data []byte) map[string]string {
		b, err := stix.ParseBundle(data)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, o := range b.Objects {
			m[o.ObjectID()] = o.ObjectType()
		}
		return m
	}
	v3, v4 := ids(a), ids(c)
	for id, typ := range v4 {
		switch typ {
		case "incident", "identity", "extension-definition", "marking-definition", "ipv4-addr", "ipv6-addr", "domain-name", "url", "email-addr", "file",
			"indicator", "course-of-action": // the last two: attachments keep their ids
			if _, ok := v3[id]; !ok && typ != "indicator" {
				t.Errorf("%s %s of version 4 is not in version 3", typ, id)
			}
		default:
			if _, ok := v3[id]; ok {
				t.Errorf("%s %s is in versions 3 and 4", typ, id)
			}
		}
	}
}

// Every object of an export passes the OASIS schemas, and the extension
// passes its own schema.
func TestExportPassesSchemas(t *testing.T) {
	schemas := stixtest.Open(t, oasisSchemas)
	out, err := stixmap.Export(fullInput())
	if err != nil {
		t.Fatal(err)
	}
	if err := schemas.Bundle(out); err != nil {
		t.Errorf("OASIS schemas: %v", err)
	}

	c := jsonschema.NewCompiler()
	c.AssertFormat()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(stixmap.ExtensionSchema()))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AddResource(stixmap.SchemaURL, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(stixmap.SchemaURL)
	if err != nil {
		t.Fatalf("compile the extension schema: %v", err)
	}
	var b struct {
		Objects []struct {
			Type       string                     `json:"type"`
			Extensions map[string]json.RawMessage `json:"extensions"`
		} `json:"objects"`
	}
	json.Unmarshal(out, &b)
	checked := 0
	for _, o := range b.Objects {
		ext, ok := o.Extensions[stixmap.ExtensionID]
		if !ok {
			continue
		}
		v, _ := jsonschema.UnmarshalJSON(bytes.NewReader(ext))
		if err := sch.Validate(v); err != nil {
			t.Errorf("extension schema: %v\n%s", err, ext)
		}
		checked++
	}
	if checked != 1 {
		t.Errorf("%d objects carry the extension, want 1", checked)
	}
	for _, o := range []stix.Object{stixmap.Identity(), stixmap.ExtensionDefinition(), stixmap.PurposeMarking()} {
		data, _ := json.Marshal(o)
		if err := schemas.Object(data); err != nil {
			t.Errorf("%s: %v", o.ObjectType(), err)
		}
		if _, err := stix.ParseObject(data); err != nil {
			t.Errorf("%s: %v", o.ObjectType(), err)
		}
	}
	if ed := stixmap.ExtensionDefinition(); ed.Schema != stixmap.SchemaURL || !strings.HasPrefix(stixmap.SchemaURL, "https://acd.example.go.jp/stix/") {
		t.Errorf("schema URL = %s", ed.Schema)
	}
}

// Every exported object that carries report content is marked with the
// purpose marking and TLP:AMBER.
func TestExportMarkings(t *testing.T) {
	out, err := stixmap.Export(fullInput())
	if err != nil {
		t.Fatal(err)
	}
	var b struct {
		Objects []struct {
			Type    string   `json:"type"`
			ID      string   `json:"id"`
			Marking []string `json:"object_marking_refs"`
		} `json:"objects"`
	}
	if err := json.Unmarshal(out, &b); err != nil {
		t.Fatal(err)
	}
	want := []string{stixmap.PurposeMarkingID, stix.TLPAmber}
	fixed := map[string]bool{stixmap.IdentityID: true, stixmap.ExtensionID: true, stixmap.PurposeMarkingID: true, stix.TLPAmber: true}
	for i, o := range b.Objects {
		switch {
		case fixed[o.ID], o.Type == "identity", i >= len(b.Objects)-2: // ACD's objects, the operator, the attachments
		default:
			if diff := cmp.Diff(want, o.Marking); diff != "" {
				t.Errorf("%s markings (-want +got):\n%s", o.ID, diff)
			}
		}
	}
}

func TestExportErrors(t *testing.T) {
	ok := fullInput()
	tests := []struct {
		name string
		edit func(*stixmap.ExportInput)
		want string
	}{
		{"no report id", func(in *stixmap.ExportInput) { in.ReportID = "" }, "export: no report id"},
		{"no created", func(in *stixmap.ExportInput) { in.Created = time.Time{} }, "export: no creation time"},
		{"modified before created", func(in *stixmap.ExportInput) { in.Modified = in.Created.Add(-time.Second) },
			"export: modified 2025-05-16T09:44:59.000Z is before created 2025-05-16T09:45:00.000Z"},
		{"unknown indicator type", func(in *stixmap.ExportInput) { in.Content.Indicators[1].Type = "asn" },
			`export: indicators[1].type: "asn" has no STIX pattern`},
		{"unknown observable type", func(in *stixmap.ExportInput) { in.Content.Observations[1].Objects[2].Type = "asn" },
			`export: observations[1].objects[2]: type: "asn" has no cyber-observable`},
		{"observation counted zero times", func(in *stixmap.ExportInput) { in.Content.Observations[0].Count = 0 },
			"export: the report does not make a valid STIX bundle: objects[14] (observed-data--"},
		{"bad IPv4 observable", func(in *stixmap.ExportInput) { in.Content.Observations[0].Objects[0].Value = "x" },
			`export: the report does not make a valid STIX bundle: objects[15] (ipv4-addr--`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := ok
			in.Content = fullContent()
			tt.edit(&in)
			_, err := stixmap.Export(in)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("Export: got %v, want %s…", err, tt.want)
			}
		})
	}
}
