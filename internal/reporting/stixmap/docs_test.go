package stixmap_test

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/acd-platform/acd/internal/reporting/stixmap"
)

// docs/stix.md shows what the code does: its example is testdata/quick.json,
// its table lists every property of the extension, its errors are Import's.
func TestDocs(t *testing.T) {
	doc, err := os.ReadFile("../../../docs/stix.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)

	_, rest, ok := strings.Cut(text, "## A quick report\n\n```json\n")
	example, _, ok2 := strings.Cut(rest, "\n```")
	if !ok || !ok2 {
		t.Fatal("docs/stix.md: no JSON example under \"## A quick report\"")
	}
	var got, want any
	if err := json.Unmarshal([]byte(example), &got); err != nil {
		t.Fatalf("docs/stix.md example: %v", err)
	}
	json.Unmarshal(readFile(t, "quick.json"), &want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the example in docs/stix.md is not testdata/quick.json")
	}
	if _, err := stixmap.Import([]byte(example)); err != nil {
		t.Errorf("Import(docs/stix.md example): %v", err)
	}

	var schema struct {
		Properties map[string]any `json:"properties"`
	}
	json.Unmarshal(stixmap.ExtensionSchema(), &schema)
	for p := range schema.Properties {
		if !strings.Contains(text, "| `"+p+"` |") {
			t.Errorf("docs/stix.md does not list the extension property %s", p)
		}
	}
	for _, s := range []string{stixmap.ExtensionID, stixmap.IdentityID, stixmap.PurposeMarkingID, stixmap.SchemaURL, stixmap.PurposeStatement, stixmap.ExtensionVersion} {
		if !strings.Contains(strings.Join(strings.Fields(text), " "), s) {
			t.Errorf("docs/stix.md does not say %s", s)
		}
	}

	type m = map[string]any
	for _, edit := range []func(b, incident, ext m){
		func(b, incident, ext m) { b["objects"].([]any)[3].(m)["pattern"] = "[ipv4-addr:value = ]" },
		func(b, incident, ext m) { ext["stage"] = "draft" },
		func(b, incident, ext m) {
			objs := b["objects"].([]any)
			b["objects"] = append(objs[:2:2], objs[3:]...)
		},
	} {
		_, err := stixmap.Import([]byte(editQuick(t, edit)))
		if err == nil || !strings.Contains(text, "\n"+err.Error()+"\n") {
			t.Errorf("docs/stix.md does not show the error %v", err)
		}
	}
}
