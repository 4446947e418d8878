package api_test

import (
	"encoding/json"
	"flag"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/api"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// Types for the document, as a capability would declare them.
type (
	NewReport struct {
		Kind     string            `json:"kind"`
		Summary  string            `json:"summary"`
		Computer *ComputerRef      `json:"computer,omitempty"`
		Tags     []string          `json:"tags,omitempty"`
		Labels   map[string]string `json:"labels,omitempty"`
		Secret   string            `json:"-"`
		internal int
	}
	ComputerRef struct {
		ID  string     `json:"id"`
		CPE string     `json:"cpe"`
		IP  netip.Addr `json:"ip"`
	}
	Audited struct {
		CreatedAt time.Time  `json:"created_at"`
		UpdatedAt *time.Time `json:"updated_at,omitempty"`
	}
	Report struct {
		Audited
		ID       string          `json:"id"`
		Kind     string          `json:"kind"`
		Count    int             `json:"count"`
		Score    float64         `json:"score"`
		Urgent   bool            `json:"urgent"`
		Size     uint32          `json:"size,string"`
		Digest   [4]byte         `json:"digest"`
		Raw      []byte          `json:"raw,omitempty"`
		Extra    json.RawMessage `json:"extra,omitempty"`
		Parent   *Report         `json:"parent,omitempty"` // recursive
		Computer ComputerRef     `json:"computer"`
		Notes    []struct {
			Text string `json:"text"`
		} `json:"notes"`
		Any any `json:"any"`
	}
	Page[T any] struct {
		Items []T    `json:"items"`
		Next  string `json:"next,omitempty"`
	}
)

func newOpenAPIRouter(t *testing.T) *api.Router {
	t.Helper()
	r := api.NewRouter(api.RouterConfig{
		Authenticator: api.AuthenticatorFunc(fakeAuthenticate),
		Authorizer:    api.AuthorizerFunc(fakeAllow),
	})
	nop := func(w http.ResponseWriter, r *http.Request) error { return nil }
	r.Handle(api.Route{Pattern: "POST /api/v1/reports", Action: "report.create", Summary: "File a report", Tag: "reporting",
		Request: NewReport{}, Response: Report{}, Status: http.StatusCreated}, nop)
	r.Handle(api.Route{Pattern: "GET /api/v1/reports/{id}", Action: "report.read", Summary: "Read a report", Tag: "reporting",
		Response: &Report{}}, nop)
	r.Handle(api.Route{Pattern: "GET /api/v1/reports", Action: "report.read", Summary: "List reports", Tag: "reporting",
		Response: Page[Report]{}}, nop)
	r.Handle(api.Route{Pattern: "DELETE /api/v1/reports/{id}/notes/{n}", Action: "report.create", Tag: "reporting"}, nop)
	r.Handle(api.Route{Pattern: "GET /api/v1/files/{path...}", Action: "public.read", Tag: "files", Response: []byte{}}, nop)
	r.Handle(api.Route{Pattern: "GET /healthz", Action: "public.read", Summary: "Liveness", Tag: "ops", Response: api.Health{}}, nop)
	r.Handle(api.Route{Pattern: "GET /{$}", Action: "public.read", Kind: api.Page}, nop)     // pages are left out
	r.Handle(api.Route{Pattern: "GET /reports", Action: "report.read", Kind: api.Page}, nop) // ...
	return r
}

func TestOpenAPIGolden(t *testing.T) {
	got, err := newOpenAPIRouter(t).OpenAPI(api.Info{Title: "ACD", Version: "1.0.0", Servers: []string{"https://acd.example.jp"}})
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "openapi.golden.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("OpenAPI document differs from %s (-want +got; rerun with -update if intended):\n%s", golden, diff)
	}
}

// TestOpenAPIStructure checks the document as a client generator would read
// it: every reference resolves, path parameters match the path, every
// operation names its action and shares the error envelope.
func TestOpenAPIStructure(t *testing.T) {
	raw, err := newOpenAPIRouter(t).OpenAPI(api.Info{})
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("document is not JSON: %v", err)
	}
	if got := doc["openapi"]; got != "3.1.0" {
		t.Errorf("openapi: got %v, want 3.1.0", got)
	}
	info := doc["info"].(map[string]any)
	if info["title"] != "ACD" || info["version"] != "dev" {
		t.Errorf("info defaults: got %v", info)
	}

	// Every $ref resolves to something in the document.
	var refs []string
	walk(doc, func(m map[string]any) {
		if ref, ok := m["$ref"].(string); ok {
			refs = append(refs, ref)
		}
	})
	if len(refs) == 0 {
		t.Fatal("no $ref in the document")
	}
	for _, ref := range refs {
		if resolve(doc, ref) == nil {
			t.Errorf("$ref %q does not resolve", ref)
		}
	}
	// Component names are valid OpenAPI component keys.
	keyRE := regexp.MustCompile(`^[a-zA-Z0-9._-]+$`)
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	var names []string
	for name := range schemas {
		names = append(names, name)
		if !keyRE.MatchString(name) {
			t.Errorf("component name %q is not a valid key", name)
		}
	}
	slices.Sort(names)
	if diff := cmp.Diff([]string{"ComputerRef", "ErrorBody", "ErrorEnvelope", "Health", "NewReport", "Page_api_test.Report_", "Report"}, names); diff != "" {
		t.Errorf("component schemas (-want +got):\n%s", diff)
	}

	// Paths: API routes only, wildcards as OpenAPI parameters.
	paths := doc["paths"].(map[string]any)
	var got []string
	for p, item := range paths {
		for method, op := range item.(map[string]any) {
			got = append(got, strings.ToUpper(method)+" "+p)
			op := op.(map[string]any)
			if op["x-acd-action"] == "" || op["x-acd-action"] == nil {
				t.Errorf("%s %s: no x-acd-action", method, p)
			}
			var params []string
			for _, prm := range asSlice(op["parameters"]) {
				prm := prm.(map[string]any)
				if prm["in"] != "path" || prm["required"] != true {
					t.Errorf("%s %s: parameter %v", method, p, prm)
				}
				params = append(params, prm["name"].(string))
			}
			var inPath []string
			for _, m := range regexp.MustCompile(`\{([^}]+)\}`).FindAllStringSubmatch(p, -1) {
				inPath = append(inPath, m[1])
			}
			if diff := cmp.Diff(inPath, params); diff != "" {
				t.Errorf("%s %s: parameters differ from the path (-path +params):\n%s", method, p, diff)
			}
			responses := op["responses"].(map[string]any)
			for _, r := range []string{"4XX", "5XX"} {
				if ref := responses[r].(map[string]any)["$ref"]; ref != "#/components/responses/Error" {
					t.Errorf("%s %s: %s is %v, want the shared error", method, p, r, ref)
				}
			}
		}
	}
	slices.Sort(got)
	want := []string{
		"DELETE /api/v1/reports/{id}/notes/{n}",
		"GET /api/v1/files/{path}",
		"GET /api/v1/reports",
		"GET /api/v1/reports/{id}",
		"GET /healthz",
		"POST /api/v1/reports",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("operations (-want +got):\n%s", diff)
	}

	// Schemas follow encoding/json.
	report := schemas["Report"].(map[string]any)
	props := report["properties"].(map[string]any)
	checks := []struct {
		name string
		want map[string]any
	}{
		{"created_at", map[string]any{"type": "string", "format": "date-time"}},  // promoted from Audited; time.Time
		{"updated_at", map[string]any{"type": "string", "format": "date-time"}},  // *time.Time
		{"count", map[string]any{"type": "integer", "format": "int64"}},          //
		{"size", map[string]any{"type": "string"}},                               // ",string"
		{"raw", map[string]any{"type": "string", "format": "byte"}},              // []byte is base64
		{"extra", map[string]any{}},                                              // RawMessage: anything
		{"any", map[string]any{}},                                                // interface
		{"parent", map[string]any{"$ref": "#/components/schemas/Report"}},        // recursion by reference
		{"computer", map[string]any{"$ref": "#/components/schemas/ComputerRef"}}, // nested named struct
		{"digest", map[string]any{"type": "array", "items": map[string]any{"type": "integer", "format": "int32", "minimum": 0.0}, "minItems": 4.0, "maxItems": 4.0}},
		{"notes", map[string]any{"type": "array", "items": map[string]any{ // anonymous struct inline
			"type": "object", "properties": map[string]any{"text": map[string]any{"type": "string"}},
			"required": []any{"text"}, "additionalProperties": false}}},
	}
	for _, c := range checks {
		if diff := cmp.Diff(c.want, props[c.name]); diff != "" {
			t.Errorf("Report.%s (-want +got):\n%s", c.name, diff)
		}
	}
	var required []string
	for _, r := range report["required"].([]any) {
		required = append(required, r.(string))
	}
	wantRequired := []string{"created_at", "id", "kind", "count", "score", "urgent", "size", "digest", "computer", "notes", "any"}
	if diff := cmp.Diff(wantRequired, required); diff != "" {
		t.Errorf("Report required (-want +got):\n%s", diff)
	}
	newReport := schemas["NewReport"].(map[string]any)["properties"].(map[string]any)
	for _, hidden := range []string{"Secret", "-", "internal"} {
		if _, ok := newReport[hidden]; ok {
			t.Errorf("NewReport has property %q", hidden)
		}
	}
	if diff := cmp.Diff(map[string]any{"type": "string"}, schemas["ComputerRef"].(map[string]any)["properties"].(map[string]any)["ip"]); diff != "" {
		t.Errorf("TextMarshaler field (-want +got):\n%s", diff)
	}

	// The public route lists anonymous access; the others need credentials.
	files := paths["/api/v1/files/{path}"].(map[string]any)["get"].(map[string]any)
	if diff := cmp.Diff([]any{map[string]any{}, map[string]any{"bearer": []any{}}, map[string]any{"session": []any{}}}, files["security"]); diff != "" {
		t.Errorf("public security (-want +got):\n%s", diff)
	}
	if _, ok := paths["/api/v1/reports/{id}"].(map[string]any)["get"].(map[string]any)["security"]; ok {
		t.Errorf("protected operation overrides the document's security")
	}
	// No response body: 204.
	del := paths["/api/v1/reports/{id}/notes/{n}"].(map[string]any)["delete"].(map[string]any)
	if _, ok := del["responses"].(map[string]any)["204"]; !ok {
		t.Errorf("DELETE without Response: responses %v, want a 204", del["responses"])
	}
}

func TestOpenAPIRejects(t *testing.T) {
	r := api.NewRouter(api.RouterConfig{
		Authenticator: api.AuthenticatorFunc(fakeAuthenticate),
		Authorizer:    api.AuthorizerFunc(fakeAllow),
	})
	nop := func(w http.ResponseWriter, r *http.Request) error { return nil }
	r.Handle(api.Route{Pattern: "PROPFIND /dav", Action: "public.read"}, nop)
	if _, err := r.OpenAPI(api.Info{}); err == nil {
		t.Errorf("OpenAPI with a PROPFIND route: got nil error")
	}
}

func walk(v any, f func(map[string]any)) {
	switch v := v.(type) {
	case map[string]any:
		f(v)
		for _, x := range v {
			walk(x, f)
		}
	case []any:
		for _, x := range v {
			walk(x, f)
		}
	}
}

// resolve follows a local JSON pointer ("#/components/schemas/X").
func resolve(doc map[string]any, ref string) any {
	p, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil
	}
	var cur any = doc
	for _, part := range strings.Split(p, "/") {
		part = strings.NewReplacer("~1", "/", "~0", "~").Replace(part)
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[part]
	}
	return cur
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}
