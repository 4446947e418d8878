package stixmap_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/reporting"
	"github.com/acd-platform/acd/internal/reporting/stixmap"
	"github.com/acd-platform/acd/internal/stix"
)

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// rawObjects returns the objects of a bundle as compact JSON.
func rawObjects(t *testing.T, bundle []byte) []json.RawMessage {
	t.Helper()
	var b struct {
		Objects []json.RawMessage `json:"objects"`
	}
	if err := json.Unmarshal(bundle, &b); err != nil {
		t.Fatal(err)
	}
	for i, o := range b.Objects {
		var c bytes.Buffer
		json.Compact(&c, o)
		b.Objects[i] = c.Bytes()
	}
	return b.Objects
}

func TestImport(t *testing.T) {
	full := readFile(t, "full.json")
	fullObjs := rawObjects(t, full)
	attach := func(typ, id string, i int) reporting.Attachment {
		return reporting.Attachment{Type: typ, ID: typ + "--" + id, Object: fullObjs[i]}
	}
	tests := []struct {
		file string
		want stixmap.Submission
	}{
		{"quick.json", stixmap.Submission{
			Stage: reporting.StageQuick,
			Content: reporting.Content{
				Kind:           reporting.KindIncident,
				Title:          "VPN appliance compromised",
				Summary:        "Unauthorised access to the remote-access VPN appliance at the Tokyo control centre.",
				AwareAt:        at("2025-05-16T09:30:00Z"),
				AffectedAssets: []string{"cc_7qzm4x2kv5c3n6d2r7t4wyhabe"},
				Status:         reporting.StatusOngoing,
				Contact:        reporting.Contact{Name: "Taro Yamada", Email: "soc@power.example.jp", Phone: "+81-3-0000-0000"},
				Indicators:     []reporting.Indicator{{Type: reporting.IndicatorIPv4, Value: "198.51.100.7", Description: "Source of the VPN logins"}},
			},
		}},
		{"update.json", stixmap.Submission{
			ReportID: "rep_k3fm2qx5vcn6d2r7t4wybaeh3j",
			Stage:    reporting.StageUpdate,
			Content: reporting.Content{
				Kind:          reporting.KindIncident,
				Title:         "VPN appliance compromised",
				Summary:       "Unauthorised access to the remote-access VPN appliance.",
				AwareAt:       at("2025-05-16T09:30:00Z"),
				Status:        reporting.StatusRecovered,
				StatusDetail:  "Restored from a clean image.",
				Contact:       reporting.Contact{Name: "Taro Yamada", Phone: "+81-3-0000-0000"},
				Impact:        reporting.Impact{Level: reporting.ImpactModerate, Description: "Remote maintenance unavailable for 6 hours."},
				MeasuresTaken: "Isolated the appliance; rebuilt it; reset all VPN credentials.",
				Timeline: []reporting.Event{
					{Time: at("2025-05-15T22:10:00Z"), Description: "First login from 198.51.100.7"},
					{Time: at("2025-05-17T07:00:00.5Z"), Description: "Service restored"},
				},
			},
		}},
		{"full.json", stixmap.Submission{
			Stage: reporting.StageFull,
			Content: reporting.Content{
				Kind:          reporting.KindIncident,
				Title:         "Web shell on the customer portal",
				Summary:       "A web shell was uploaded to the customer portal.",
				AwareAt:       at("2025-05-16T09:30:00Z"),
				OccurredAt:    at("2025-05-15T22:10:00Z"),
				Status:        reporting.StatusContained,
				Contact:       reporting.Contact{Name: "SOC", Email: "soc@power.example.jp"},
				Impact:        reporting.Impact{Level: reporting.ImpactLow, Description: "No effect on supply."},
				MeasuresTaken: "Removed the web shell; blocked the source addresses.",
				Techniques:    []string{"T1190"},
				Indicators: []reporting.Indicator{
					{Type: reporting.IndicatorIPv4, Value: "198.51.100.7", Description: "C2"},
					{Type: reporting.IndicatorSHA256, Value: "ceafbfd424be2ca4a5f0402cae090dda2fb0526cf521b60b60077c0f622b285a"},
					{Type: reporting.IndicatorMD5, Value: "001dd76872d80801692ff942308c64e6"}, // file:hashes.md5, in lower case
				},
				Observations: []reporting.Observation{
					{First: at("2025-05-15T22:10:00Z"), Last: at("2025-05-16T03:00:00Z"), Count: 42, Objects: []reporting.Indicator{
						{Type: reporting.IndicatorIPv4, Value: "198.51.100.3"},
						{Type: reporting.IndicatorMD5, Value: "001dd76872d80801692ff942308c64e6"},
						{Type: reporting.IndicatorSHA256, Value: "ceafbfd424be2ca4a5f0402cae090dda2fb0526cf521b60b60077c0f622b285a"},
						{Type: reporting.IndicatorDomain, Value: "example.com"},
					}},
					// The deprecated objects container.
					{First: at("2025-05-16T01:00:00Z"), Last: at("2025-05-16T01:00:00Z"), Count: 1, Objects: []reporting.Indicator{
						{Type: reporting.IndicatorURL, Value: "https://portal.example.jp/upload/shell.jsp"},
						{Type: reporting.IndicatorEmail, Value: "attacker@evil.example"},
					}},
				},
				Malware: []reporting.Malware{{Name: "China Chopper", IsFamily: true, Types: []string{"webshell"}}},
				Attachments: []reporting.Attachment{
					attach("indicator", "8c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f", 7),         // two comparisons
					attach("indicator", "9c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f", 8),         // a Snort rule
					attach("observed-data", "3d2e3f4a-5b6c-4d7e-8f9a-0b1c2d3e4f5a", 14),    // network traffic, a file by name
					attach("network-traffic", "3b4c5d6e-7f8a-5b9c-8d0e-1f2a3b4c5d6e", 15),  // its observables
					attach("file", "4c5d6e7f-8a9b-5c0d-9e1f-2a3b4c5d6e7f", 16),             //
					attach("attack-pattern", "6d2e3f4a-5b6c-4d7e-8f9a-0b1c2d3e4f5a", 19),   // CAPEC, not ATT&CK
					attach("relationship", "9d2e3f4a-5b6c-4d7e-8f9a-0b1c2d3e4f5a", 22),     // indicator to malware
					attach("relationship", "ad2e3f4a-5b6c-4d7e-8f9a-0b1c2d3e4f5a", 23),     // incident to an attachment
					attach("note", "bd2e3f4a-5b6c-4d7e-8f9a-0b1c2d3e4f5a", 24),             //
					attach("sighting", "cd2e3f4a-5b6c-4d7e-8f9a-0b1c2d3e4f5a", 25),         //
					attach("x-example-ticket", "dd2e3f4a-5b6c-4d7e-8f9a-0b1c2d3e4f5a", 26), // a custom object
				},
			},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := stixmap.Import(readFile(t, tt.file))
			if err != nil {
				t.Fatalf("Import: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Import (-want +got):\n%s", diff)
			}
		})
	}
}

// editQuick returns testdata/quick.json with the ACD extension of its
// incident changed by edit.
func editQuick(t *testing.T, edit func(bundle map[string]any, incident, ext map[string]any)) string {
	t.Helper()
	var b map[string]any
	if err := json.Unmarshal(readFile(t, "quick.json"), &b); err != nil {
		t.Fatal(err)
	}
	objs := b["objects"].([]any)
	incident := objs[2].(map[string]any)
	ext := incident["extensions"].(map[string]any)[stixmap.ExtensionID].(map[string]any)
	edit(b, incident, ext)
	out, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func TestImportErrors(t *testing.T) {
	const (
		inc = "objects[2] (incident--1b0e4a9c-7d3f-4c2e-8a5b-6c7d8e9f0a1b): "
		ext = inc + "extensions." + stixmap.ExtensionID
	)
	type m = map[string]any
	tests := []struct {
		name string
		edit func(b, incident, ext m)
		want string
	}{
		{"no incident", func(b, incident, ext m) {
			objs := b["objects"].([]any)
			b["objects"] = append(objs[:2:2], objs[3:]...)
		}, "objects: no incident; a report bundle holds exactly one, with the ACD extension " + stixmap.ExtensionID},
		{"two incidents", func(b, incident, ext m) {
			second := m{}
			for k, v := range incident {
				second[k] = v
			}
			second["id"] = "incident--2b0e4a9c-7d3f-4c2e-8a5b-6c7d8e9f0a1b"
			b["objects"] = append(b["objects"].([]any), second)
		}, "objects[5] (incident--2b0e4a9c-7d3f-4c2e-8a5b-6c7d8e9f0a1b): a second incident (the first is objects[2]); a report bundle holds exactly one"},
		{"no extension", func(b, incident, ext m) { delete(incident, "extensions") },
			inc + "extensions: the ACD incident report extension " + stixmap.ExtensionID + " is missing"},
		{"another extension only", func(b, incident, ext m) {
			incident["extensions"] = m{"extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e": m{"extension_type": "property-extension", "rank": 5}}
		}, inc + "extensions: the ACD incident report extension " + stixmap.ExtensionID + " is missing"},
		{"invalid STIX", func(b, incident, ext m) { incident["created"] = "yesterday" },
			inc + `created: "yesterday" is not an RFC 3339 timestamp in UTC (like 2025-05-16T09:00:00.000Z)`},
		{"new-sdo extension type", func(b, incident, ext m) { ext["extension_type"] = "new-sdo" },
			ext + `.extension_type: "new-sdo": want "property-extension"`},
		{"no stage", func(b, incident, ext m) { delete(ext, "stage") }, ext + ".stage: required: quick, full, update or final"},
		{"unknown stage", func(b, incident, ext m) { ext["stage"] = "draft" }, ext + `.stage: "draft": want quick, full, update, final`},
		{"stage a number", func(b, incident, ext m) { ext["stage"] = 1 }, ext + ".stage: want a string, have a number"},
		{"empty report id", func(b, incident, ext m) { ext["report_id"] = "" },
			ext + ".report_id: want 1 to 128 characters, or leave it out for a new report"},
		{"other purpose", func(b, incident, ext m) { ext["purpose"] = "marketing" }, ext + `.purpose: "marketing": want cybersecurity`},
		{"unknown kind", func(b, incident, ext m) { ext["kind"] = "accident" }, ext + `.kind: "accident": want incident, precursor`},
		{"unknown status", func(b, incident, ext m) { ext["status"] = "fine" }, ext + `.status: "fine": want ongoing, contained, recovered`},
		{"local time", func(b, incident, ext m) { ext["aware_at"] = "2025-05-16T18:30:00+09:00" },
			ext + `.aware_at: "2025-05-16T18:30:00+09:00" is not an RFC 3339 timestamp in UTC (like 2025-05-16T09:00:00.000Z)`},
		{"unknown property", func(b, incident, ext m) { ext["severity"] = "high" },
			ext + ".severity: not a property of the ACD incident report extension (" + stixmap.SchemaURL + ")"},
		{"contact a string", func(b, incident, ext m) { ext["contact"] = "Taro" }, ext + ".contact: want an object, have a string"},
		{"contact with a fax", func(b, incident, ext m) { ext["contact"] = m{"name": "Taro", "fax": "1"} },
			ext + ".contact.fax: not a property of the ACD incident report extension (" + stixmap.SchemaURL + ")"},
		{"unknown impact level", func(b, incident, ext m) { ext["impact"] = m{"level": "catastrophic"} },
			ext + `.impact.level: "catastrophic": want none, low, moderate, high, severe`},
		{"empty assets", func(b, incident, ext m) { ext["affected_assets"] = []any{} },
			ext + ".affected_assets: empty list; leave the property out instead"},
		{"asset a number", func(b, incident, ext m) { ext["affected_assets"] = []any{"a", 2} },
			ext + ".affected_assets[1]: want a string, have a number"},
		{"event without time", func(b, incident, ext m) { ext["timeline"] = []any{m{"description": "x"}} },
			ext + ".timeline[0].time: required"},
		{"event with a bad time", func(b, incident, ext m) {
			ext["timeline"] = []any{m{"time": "2025-05-16T09:30:00Z"}, m{"time": "soon"}}
		},
			ext + `.timeline[1].time: "soon" is not an RFC 3339 timestamp in UTC (like 2025-05-16T09:00:00.000Z)`},
		{"null summary detail", func(b, incident, ext m) { ext["status_detail"] = nil }, ext + ".status_detail: want a string, have null"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := editQuick(t, tt.edit)
			_, err := stixmap.Import([]byte(in))
			if err == nil {
				t.Fatalf("Import succeeded, want %s", tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("Import error:\n got %s\nwant %s", got, tt.want)
			}
			var se *stix.Error
			if !errors.As(err, &se) {
				t.Errorf("error is a %T, want *stix.Error", err)
			}
		})
	}
	if _, err := stixmap.Import([]byte("not json")); err == nil || !strings.HasPrefix(err.Error(), "invalid JSON") {
		t.Errorf("Import(not json): %v", err)
	}
}
