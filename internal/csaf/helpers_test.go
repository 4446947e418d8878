package csaf_test

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/csaf"
	"github.com/acd-platform/acd/internal/csaf/csafapi"
	"github.com/acd-platform/acd/internal/servicetest"
	"github.com/acd-platform/acd/internal/sharing"
	"github.com/acd-platform/acd/internal/sharing/sharingtest"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
	"github.com/acd-platform/acd/internal/tlp"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// base is the configured base URL: links in the files start with it.
const base = "https://acd.example.jp"

// fixture is a provider over a sharing service with one advisory of
// every kind, served over HTTP.
type fixture struct {
	e   *sharingtest.Env
	p   *csaf.Provider
	c   *servicetest.Client
	ads map[string]sharing.Advisory // by fixture name
}

// The fixture's advisories, by name:
//
//	sec        TLP:CLEAR, three vulnerabilities: a security advisory
//	info       TLP:CLEAR, none: an informational advisory
//	green      TLP:GREEN security advisory
//	greenconf  TLP:GREEN requiring clearance "confidential"
//	withdrawn  TLP:CLEAR, published then withdrawn
//	revised    TLP:CLEAR, published, corrected and published again
//	amber      TLP:AMBER for Kanto Power (opr)
//	red        TLP:RED for user opr
//	greenamber TLP:GREEN corrected to TLP:AMBER: no longer served
func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	e := sharingtest.New(t, db)
	f := &fixture{e: e, ads: map[string]sharing.Advisory{}}
	publish := func(name string, in sharing.AdvisoryInput) sharing.Advisory {
		e.Clock.Advance(time.Hour)
		a := e.Publish(t, in, "author", "reviewer")
		f.ads[name] = a
		return a
	}
	publish("sec", securityInput("PAN-OS command injection exploited in Japan", tlp.Clear))
	publish("info", sharingtest.Input("Web shells on VPN appliances", tlp.Clear, ""))
	publish("green", securityInput("Fortinet FortiOS heap overflow", tlp.Green))
	publish("greenconf", sharingtest.Input("Pre-positioning in a gas operator", tlp.Green, "confidential"))
	w := publish("withdrawn", sharingtest.Input("Mistaken alert", tlp.Clear, ""))
	r := publish("revised", sharingtest.Input("Phishing against railways", tlp.Clear, ""))
	amber := sharingtest.Input("AMBER-SECRET-TITLE", tlp.Amber, "")
	amber.Recipients.Orgs = []string{e.Orgs["opr"].ID}
	publish("amber", amber)
	red := sharingtest.Input("RED-SECRET-TITLE", tlp.Red, "")
	red.Recipients.Users = []string{e.Users["opr"].ID}
	publish("red", red)
	ga := publish("greenamber", sharingtest.Input("GREEN-THEN-AMBER-TITLE", tlp.Green, ""))

	e.Clock.Advance(time.Hour)
	if _, err := e.Svc.WithdrawAdvisory(e.Ctx, e.P("reviewer"), w.ID, "It described a test, not an attack."); err != nil {
		t.Fatal(err)
	}
	e.Clock.Advance(time.Hour)
	f.ads["revised"] = f.revise(t, r.ID, func(in *sharing.AdvisoryInput) {
		in.Technical.Summary = "Corrected: spear-phishing mails with ISO attachments."
	})
	e.Clock.Advance(time.Hour)
	f.revise(t, ga.ID, func(in *sharing.AdvisoryInput) {
		in.TLP = tlp.Amber
		in.Recipients.Orgs = []string{e.Orgs["opr"].ID}
	})

	p, err := csaf.New(csaf.Deps{Sharing: e.Svc, Ring: e.Platform.Keys}, csaf.Config{BaseURL: base + "/", Contact: "csirt@acd.example.jp"})
	if err != nil {
		t.Fatal(err)
	}
	f.p = p
	router := api.NewRouter(api.RouterConfig{Authenticator: e.Platform.Auth, Authorizer: auth.NewPolicy()})
	csafapi.Register(router, p)
	srv := httptest.NewServer(router)
	t.Cleanup(srv.Close)
	f.c = &servicetest.Client{Ctx: e.Ctx, Server: srv, Tokens: e.Client.Tokens}
	return f
}

// revise publishes the next revision of id with change applied.
func (f *fixture) revise(t *testing.T, id string, change func(*sharing.AdvisoryInput)) sharing.Advisory {
	t.Helper()
	e := f.e
	a, err := e.Svc.ReviseAdvisory(e.Ctx, e.P("author"), id)
	if err != nil {
		t.Fatal(err)
	}
	in := sharing.AdvisoryInput{Title: a.Title, TLP: a.Marking.Level, Clearance: a.Marking.Clearance, Recipients: a.Recipients,
		Technical: a.Technical, Executive: a.Executive}
	change(&in)
	if _, err := e.Svc.UpdateAdvisory(e.Ctx, e.P("author"), id, in); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Svc.SubmitAdvisory(e.Ctx, e.P("author"), id); err != nil {
		t.Fatal(err)
	}
	a, err = e.Svc.PublishAdvisory(e.Ctx, e.P("reviewer"), id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// securityInput is a complete advisory with three vulnerabilities: one
// with products (a vers range, a fixed version, a CPE, CVSS 3.1, a known
// CWE, exploited in Japan, two remediations, an investigation method and
// an end of support), one scored with CVSS 4.0 with an unknown CWE, and
// one without products.
func securityInput(title string, level tlp.Level) sharing.AdvisoryInput {
	in := sharingtest.Input(title, level, "")
	in.Technical.Vulnerabilities = []sharing.Vulnerability{
		{
			CVE: "CVE-2024-3400", Title: "GlobalProtect command injection", CWE: "CWE-77", Exploited: true,
			Description: "A command injection in the GlobalProtect feature of PAN-OS lets an unauthenticated attacker run code as root.",
			CVSS:        &sharing.CVSS{Version: "3.1", Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", BaseScore: 10, Severity: "CRITICAL"},
			Products: []sharing.AffectedProduct{
				{Vendor: "Palo Alto Networks", Product: "PAN-OS", Affected: "vers:generic/>=11.1.0|<11.1.2-h3", Fixed: "11.1.2-h3",
					CPE: "cpe:2.3:o:paloaltonetworks:pan-os:*:*:*:*:*:*:*:*"},
				{Vendor: "Palo Alto Networks", Product: "PAN-OS", Affected: "vers:generic/>=10.2.0|<10.2.9-h1", Fixed: "10.2.9-h1", SupportEnds: "2027-03-31"},
			},
			Remediations: []sharing.Remediation{
				{Category: sharing.RemediationVendorFix, Details: "Upgrade to a fixed version.", URL: "https://security.paloaltonetworks.com/CVE-2024-3400"},
				{Category: sharing.RemediationMitigation, Details: "Apply Threat ID 95187."},
			},
			Investigation: "Run the vendor's check for /var/log/pan/gpsvc.log entries with shell metacharacters.",
		},
		{
			CVE: "CVE-2025-0101", Title: "Example controller overflow", CWE: "CWE-9999",
			CVSS:     &sharing.CVSS{Version: "4.0", Vector: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", BaseScore: 9.3, Severity: "CRITICAL"},
			Products: []sharing.AffectedProduct{{Vendor: "Example Controls", Product: "EC-100 firmware", Affected: "2.4.1"}},
		},
		{CVE: "CVE-2025-0202", Title: "Unlisted product flaw", Description: "A flaw whose products are not yet known."},
	}
	return in
}

// get fetches path as user, failing t unless the status is want.
func (f *fixture) get(t *testing.T, path, user string, want int) []byte {
	t.Helper()
	got, _, b := f.c.Do(t, "GET", path, user, "", "")
	if got != want {
		t.Fatalf("GET %s as %q: status %d, want %d; body %s", path, user, got, want, cutBytes(b))
	}
	return b
}

// path turns a link of the provider into a request path.
func path(t *testing.T, link string) string {
	t.Helper()
	p, ok := strings.CutPrefix(link, base)
	if !ok {
		t.Fatalf("link %q does not start with %s", link, base)
	}
	return p
}

func cutBytes(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}

// validator validates against the CSAF 2.0 schemas kept in
// testdata/schema (see its README), each loaded under its $id or the URL
// other schemas reference it by, with format assertions on.
type validator struct {
	csaf, provider, feed *jsonschema.Schema
}

func newValidator(t testing.TB) *validator {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	for _, r := range []struct{ url, file string }{
		{csaf.SchemaURL, "csaf_json_schema.json"},
		{"https://docs.oasis-open.org/csaf/csaf/v2.0/provider_json_schema.json", "provider_json_schema.json"},
		{"https://raw.githubusercontent.com/oasis-tcs/csaf/master/csaf_2.0/json_schema/ROLIE_feed_json_schema.json", "ROLIE_feed_json_schema.json"},
		{"https://www.first.org/cvss/cvss-v2.0.json", "cvss-v2.0.json"},
		{"https://www.first.org/cvss/cvss-v3.0.json", "cvss-v3.0.json"},
		{"https://www.first.org/cvss/cvss-v3.1.json", "cvss-v3.1.json"},
	} {
		b, err := os.ReadFile(filepath.Join("testdata", "schema", r.file))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", r.file, err)
		}
		if err := c.AddResource(r.url, doc); err != nil {
			t.Fatalf("%s: %v", r.file, err)
		}
	}
	v := &validator{}
	var err error
	if v.csaf, err = c.Compile(csaf.SchemaURL); err != nil {
		t.Fatal(err)
	}
	if v.provider, err = c.Compile("https://docs.oasis-open.org/csaf/csaf/v2.0/provider_json_schema.json"); err != nil {
		t.Fatal(err)
	}
	if v.feed, err = c.Compile("https://raw.githubusercontent.com/oasis-tcs/csaf/master/csaf_2.0/json_schema/ROLIE_feed_json_schema.json"); err != nil {
		t.Fatal(err)
	}
	return v
}

// validate fails t unless b is valid against s.
func validate(t *testing.T, s *jsonschema.Schema, what string, b []byte) {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: not JSON: %v", what, err)
	}
	if err := s.Validate(inst); err != nil {
		t.Errorf("%s does not validate: %v", what, err)
	}
}

// feed is a ROLIE feed as the tests read it.
type feed struct {
	Feed struct {
		Updated string `json:"updated"`
		Entry   []struct {
			ID        string `json:"id"`
			Title     string `json:"title"`
			Published string `json:"published"`
			Updated   string `json:"updated"`
			Link      []struct {
				Rel  string `json:"rel"`
				Href string `json:"href"`
			} `json:"link"`
		} `json:"entry"`
	} `json:"feed"`
}

func decode(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %s: %v", cutBytes(b), err)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func jsonUnmarshal(b []byte) (any, error) { return jsonschema.UnmarshalJSON(bytes.NewReader(b)) }
