package vuln_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/acd-platform/acd/internal/vuln"
)

// The files of CISA's KEV catalogue, outside the repository.
const (
	kevDir    = "../../../shared/reference/kev/"
	kevSchema = kevDir + "known_exploited_vulnerabilities_schema.json"
	kevJSON   = kevDir + "known_exploited_vulnerabilities.json"
)

// kevValidator compiles KEV's JSON schema, or skips the test when the
// reference files are absent.
func kevValidator(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(kevSchema)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("KEV schema %s absent: the shared reference files are not checked out", kevSchema)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("kev.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("kev.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// validate checks cat against KEV's schema.
func validate(t *testing.T, s *jsonschema.Schema, cat any) []byte {
	t.Helper()
	data, err := json.Marshal(cat)
	if err != nil {
		t.Fatal(err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(v); err != nil {
		t.Fatalf("catalogue does not validate against KEV's schema: %v\n%s", err, data)
	}
	return data
}

func TestCatalogue(t *testing.T) {
	schema := kevValidator(t)
	each(t, func(t *testing.T, e *env) {
		for _, id := range []string{"CVE-2026-0001", "CVE-2026-0002", "CVE-2026-0003"} {
			if _, err := e.svc.Import(e.ctx, e.nco, strings.NewReader(cve5(id, "Acme", "Gate", "1.0", "1.5", "affected"))); err != nil {
				t.Fatal(err)
			}
		}
		mark := func(id string, in vuln.ExploitedInput) {
			t.Helper()
			if _, err := e.svc.SetExploited(e.ctx, e.nco, id, in); err != nil {
				t.Fatal(err)
			}
		}
		cat, err := e.svc.Catalogue(e.ctx)
		if err != nil || cat.Count != 0 || cat.Vulnerabilities == nil {
			t.Fatalf("got %+v, %v; want an empty catalogue with an empty list", cat, err)
		}
		validate(t, schema, cat)

		mark("CVE-2026-0001", vuln.ExploitedInput{Exploited: true, ReportIDs: []string{"rep_secret1", "rep_secret2"}, FindingIDs: []string{"fnd_secret"},
			Note: "Seen at Kanto Power.", Date: "2026-03-20"})
		e.p.Clock.Advance(24 * time.Hour)
		mark("CVE-2026-0002", vuln.ExploitedInput{Exploited: true, Note: "Seen by sensors.", Date: "2026-03-25",
			CatalogueFields: vuln.CatalogueFields{RequiredAction: "Update to 1.5.", DueDate: "2026-04-10", KnownRansomwareCampaignUse: "Known"}})
		e.p.Clock.Advance(24 * time.Hour)
		// More evidence keeps the day CVE-2026-0001 was added.
		mark("CVE-2026-0001", vuln.ExploitedInput{Exploited: true, ReportIDs: []string{"rep_secret1", "rep_secret2", "rep_secret3"}, Date: "2026-03-20"})

		cat, err = e.svc.Catalogue(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		data := validate(t, schema, cat)
		for _, secret := range []string{"rep_secret", "fnd_secret", "Kanto", "usr_nco", "sensors"} {
			if bytes.Contains(data, []byte(secret)) {
				t.Errorf("public catalogue contains %q:\n%s", secret, data)
			}
		}
		want := &vuln.Catalogue{Title: vuln.CatalogueTitle, CatalogVersion: "2026.04.03", DateReleased: "2026-04-03T00:00:00.000Z", Count: 2,
			Vulnerabilities: []vuln.CatalogueEntry{
				{KEVEntry: vuln.KEVEntry{CVEID: "CVE-2026-0002", VendorProject: "Acme", Product: "Gate", VulnerabilityName: "CVE-2026-0002 in Gate",
					DateAdded: "2026-04-02", ShortDescription: "A flaw.", RequiredAction: "Update to 1.5.", DueDate: "2026-04-10",
					KnownRansomwareCampaignUse: "Known", Notes: "https://nvd.nist.gov/vuln/detail/CVE-2026-0002", CWEs: []string{}},
					JPEvidence: vuln.JPEvidence{FirstSeen: "2026-03-25"}},
				{KEVEntry: vuln.KEVEntry{CVEID: "CVE-2026-0001", VendorProject: "Acme", Product: "Gate", VulnerabilityName: "CVE-2026-0001 in Gate",
					DateAdded: "2026-04-01", ShortDescription: "A flaw.", RequiredAction: vuln.DefaultRequiredAction, DueDate: "2026-04-22",
					KnownRansomwareCampaignUse: "Unknown", Notes: "https://nvd.nist.gov/vuln/detail/CVE-2026-0001", CWEs: []string{}},
					JPEvidence: vuln.JPEvidence{FirstSeen: "2026-03-20", IncidentReports: 3}},
			}}
		if diff := cmp.Diff(want, cat); diff != "" {
			t.Errorf("catalogue (-want +got):\n%s", diff)
		}

		// CSV: KEV's header, then the extras; rows in the catalogue's order.
		b, err := vuln.CatalogueCSV(cat)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		kevHeader := []string{"cveID", "vendorProject", "product", "vulnerabilityName", "dateAdded", "shortDescription", "requiredAction",
			"dueDate", "knownRansomwareCampaignUse", "notes", "cwes"}
		if len(rows) != 3 || !cmp.Equal(rows[0][:len(kevHeader)], kevHeader) || rows[1][0] != "CVE-2026-0002" || rows[2][0] != "CVE-2026-0001" {
			t.Errorf("got CSV %q, want KEV's header and CVE-2026-0002, CVE-2026-0001", rows)
		}
		if got := rows[2][len(kevHeader):]; !cmp.Equal(got, []string{"2026-03-20", "3", "0", "false"}) {
			t.Errorf("got extras %q, want first seen, 3 reports, 0 findings, not in CISA's KEV", got)
		}

		// Atom: one entry per addition, newest first.
		feed, err := e.svc.CatalogueAtom(e.ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		var f struct {
			Entries []struct {
				ID string `xml:"id"`
			} `xml:"entry"`
		}
		if err := xml.Unmarshal(feed, &f); err != nil || len(f.Entries) != 1 || f.Entries[0].ID != "urn:acd:catalogue:CVE-2026-0002" {
			t.Errorf("got %+v, %v; want one entry, CVE-2026-0002\n%s", f, err, feed)
		}

		// Clearing takes a vulnerability out; a new mark adds it on its new day.
		e.p.Clock.Advance(24 * time.Hour)
		mark("CVE-2026-0002", vuln.ExploitedInput{Note: "false positive"})
		cat, err = e.svc.Catalogue(e.ctx)
		if err != nil || cat.Count != 1 || cat.Vulnerabilities[0].CVEID != "CVE-2026-0001" || cat.CatalogVersion != "2026.04.04" {
			t.Fatalf("got %+v, %v; want only CVE-2026-0001, version 2026.04.04", cat, err)
		}
		mark("CVE-2026-0002", vuln.ExploitedInput{Exploited: true, Note: "seen again", Date: "2026-04-03"})
		if cat, _ = e.svc.Catalogue(e.ctx); cat.Vulnerabilities[0].DateAdded != "2026-04-04" {
			t.Errorf("got %+v, want CVE-2026-0002 added again on 2026-04-04", cat.Vulnerabilities[0])
		}
	})
}

func TestImportKEVCandidates(t *testing.T) {
	schema := kevValidator(t)
	data, err := os.ReadFile(kevJSON)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("CISA's KEV catalogue %s absent", kevJSON)
	}
	if err != nil {
		t.Fatal(err)
	}
	kev, err := vuln.DecodeKEV(data)
	if err != nil {
		t.Fatalf("CISA's catalogue refused: %v", err)
	}
	validate(t, schema, kev)
	each(t, func(t *testing.T, e *env) {
		// A real record of a KEV entry, and one CVE that KEV does not list.
		rec, err := os.ReadFile("cve/testdata/records/cve5/CVE-2024-3400.json")
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range []string{string(rec), cve5("CVE-2026-0001", "Acme", "Gate", "1.0", "1.5", "affected")} {
			if _, err := e.svc.Import(e.ctx, e.nco, strings.NewReader(r)); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.svc.ImportKEV(e.ctx, e.pA, kev); err == nil {
			t.Error("an operator imported KEV candidates")
		}
		res, err := e.svc.ImportKEV(e.ctx, e.nco, kev)
		if err != nil {
			t.Fatal(err)
		}
		want := vuln.KEVImportResult{CatalogVersion: kev.CatalogVersion, Entries: kev.Count, Candidates: 1, New: 1, NotImported: kev.Count - 1}
		if diff := cmp.Diff(want, res); diff != "" {
			t.Errorf("import (-want +got):\n%s", diff)
		}
		cs, err := e.svc.Candidates(e.ctx, e.nco)
		if err != nil || len(cs) != 1 || cs[0].CVEID != "CVE-2024-3400" || cs[0].ExploitedInJapan || cs[0].KEV.VendorProject != "Palo Alto Networks" {
			t.Fatalf("got %+v, %v; want CVE-2024-3400, not marked", cs, err)
		}
		if _, err := e.svc.Candidates(e.ctx, e.meti); err == nil {
			t.Error("a ministry saw the KEV candidates")
		}
		// A candidate is not in the catalogue until marked.
		if cat, err := e.svc.Catalogue(e.ctx); err != nil || cat.Count != 0 {
			t.Fatalf("got %+v, %v; want an empty catalogue", cat, err)
		}
		if _, err := e.svc.SetExploited(e.ctx, e.nco, "CVE-2024-3400", vuln.ExploitedInput{Exploited: true, FindingIDs: []string{"fnd_1"}, Date: "2026-03-01"}); err != nil {
			t.Fatal(err)
		}
		cat, err := e.svc.Catalogue(e.ctx)
		if err != nil || cat.Count != 1 {
			t.Fatalf("got %+v, %v; want CVE-2024-3400", cat, err)
		}
		validate(t, schema, cat)
		got := cat.Vulnerabilities[0]
		if got.VendorProject != "Palo Alto Networks" || got.Product != "PAN-OS" || !got.JPEvidence.InCISAKEV || got.JPEvidence.Findings != 1 {
			t.Errorf("got %+v, want KEV's names and the evidence counted", got)
		}
		// A second import updates the candidate and counts it as marked.
		res, err = e.svc.ImportKEV(e.ctx, e.nco, kev)
		if err != nil || res.New != 0 || res.AlreadyExploited != 1 {
			t.Errorf("got %+v, %v; want no new candidate, one already marked", res, err)
		}
	})
}

func TestDecodeKEVErrors(t *testing.T) {
	entry := func(repl ...string) string {
		e := `{"cveID":"CVE-2025-0001","vendorProject":"V","product":"P","vulnerabilityName":"N","dateAdded":"2025-01-02",` +
			`"shortDescription":"D","requiredAction":"A","dueDate":"2025-01-23","knownRansomwareCampaignUse":"Unknown","notes":"","cwes":["CWE-79"]}`
		for i := 0; i+1 < len(repl); i += 2 {
			e = strings.Replace(e, repl[i], repl[i+1], 1)
		}
		return e
	}
	cat := func(count string, entries ...string) string {
		return `{"title":"t","catalogVersion":"2025.01.02","dateReleased":"2025-01-02T10:00:00.000Z","count":` + count +
			`,"vulnerabilities":[` + strings.Join(entries, ",") + `]}`
	}
	tests := []struct {
		name, in, field, msg string
	}{
		{"not JSON", "hello", "body", "not JSON"},
		{"array", "[]", "", "want"},
		{"no version", `{"dateReleased":"2025-01-02T10:00:00Z","count":0,"vulnerabilities":[]}`, "catalogVersion", "required"},
		{"bad release", strings.Replace(cat("0"), "2025-01-02T10", "2025-01-02 10", 1), "dateReleased", "RFC 3339"},
		{"count mismatch", cat("2", entry()), "count", "2, but 1"},
		{"count a string", cat(`"1"`, entry()), "count", "want int"},
		{"bad id", cat("1", entry("CVE-2025-0001", "CVE-25-1")), "vulnerabilities[0].cveID", `"CVE-25-1"`},
		{"bad due date", cat("2", entry(), entry("CVE-2025-0001", "CVE-2025-0002", "2025-01-23", "2025-02-30")),
			"vulnerabilities[1].dueDate", `CVE-2025-0002: "2025-02-30"`},
		{"missing action", cat("1", entry(`"requiredAction":"A",`, "")), "vulnerabilities[0].requiredAction", "CVE-2025-0001: required"},
		{"bad cwe", cat("1", entry("CWE-79", "XSS")), "vulnerabilities[0].cwes[0]", `"XSS"`},
		{"name a number", cat("1", entry(`"product":"P"`, `"product":7`)), "vulnerabilities[0].product", "want string"},
		{"duplicate", cat("2", entry(), entry()), "vulnerabilities[1].cveID", "vulnerabilities[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := vuln.DecodeKEV([]byte(tt.in))
			var fe *vuln.FieldError
			if !asField(err, &fe) || fe.Field != tt.field || !strings.Contains(fe.Msg, tt.msg) {
				t.Errorf("got %v, want a FieldError on %q containing %q", err, tt.field, tt.msg)
			}
		})
	}
	if _, err := vuln.DecodeKEV([]byte(cat("1", entry()))); err != nil {
		t.Errorf("got %v for a good catalogue, want nil", err)
	}
}

// FuzzDecodeKEV checks that any input decodes or fails with a field error,
// never a panic, and that what decodes is consistent.
func FuzzDecodeKEV(f *testing.F) {
	f.Add([]byte(`{"catalogVersion":"1","dateReleased":"2025-01-02T10:00:00Z","count":0,"vulnerabilities":[]}`)) // empty
	f.Add([]byte(`{"catalogVersion":"1","dateReleased":"2025-01-02T10:00:00Z","count":1,"vulnerabilities":[{"cveID":"CVE-2025-0001",` +
		`"vendorProject":"V","product":"P","vulnerabilityName":"N","dateAdded":"2025-01-02","shortDescription":"D",` +
		`"requiredAction":"A","dueDate":"2025-01-23","cwes":["CWE-1"]}]}`)) // one entry
	f.Add([]byte(`{"count":"x"}`)) // a type error
	f.Fuzz(func(t *testing.T, data []byte) {
		cat, err := vuln.DecodeKEV(data)
		if err != nil {
			var fe *vuln.FieldError
			if !asField(err, &fe) {
				t.Fatalf("got %T %v, want a FieldError", err, err)
			}
			return
		}
		if cat.Count != len(cat.Vulnerabilities) {
			t.Fatalf("count %d, %d entries", cat.Count, len(cat.Vulnerabilities))
		}
	})
}
