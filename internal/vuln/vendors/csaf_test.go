package vendors_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/csaf"
	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/vuln/vendors"
)

// TestAnswerIsCSAFSecurityAdvisory: the mitigation a vendor's answer
// publishes is served by the CSAF provider as a security advisory that
// passes the CSAF mandatory tests, with the product, its fixed version
// and the vendor's remediations.
func TestAnswerIsCSAFSecurityAdvisory(t *testing.T) {
	each(t, true, func(t *testing.T, e *env) {
		pr := e.registered(t)
		r, err := e.svc.Send(e.Ctx, e.P("author"), vendors.SendInput{VulnID: cveID, OrgID: e.Orgs["ven"].ID, Message: "Act."})
		if err != nil {
			t.Fatal(err)
		}
		r, err = e.svc.Answer(e.Ctx, e.P("vendor"), r.ID, vendors.AnswerInput{Affected: true,
			Products:   []vendors.ProductFix{{ProductID: pr.ID, Affected: "vers:generic/>=10.2.0|<10.2.9-h1", Fixed: "10.2.9-h1"}},
			Mitigation: "Block Threat ID 95187.", Investigation: "Search gpsvc.log."})
		if err != nil {
			t.Fatal(err)
		}
		ring, err := keys.Open(t.TempDir(), func() time.Time { return e.Clock.Now() })
		if err != nil {
			t.Fatal(err)
		}
		p, err := csaf.New(csaf.Deps{Sharing: e.Svc, Ring: ring}, csaf.Config{BaseURL: "https://acd.example.jp"})
		if err != nil {
			t.Fatal(err)
		}
		name := "white/" + e.Clock.Now().UTC().Format("2006") + "/" + csaf.Filename(csaf.TrackingID(r.AdvisoryID))
		f, err := p.Open(e.Ctx, nil, name)
		if err != nil {
			t.Fatalf("open %s: %v", name, err)
		}
		if errs := csaf.Check(f.Body); len(errs) > 0 {
			t.Errorf("CSAF mandatory tests: %v", errs)
		}
		var doc struct {
			Document struct {
				Category string `json:"category"`
			} `json:"document"`
			Vulnerabilities []struct {
				CVE          string `json:"cve"`
				Remediations []struct {
					Category string `json:"category"`
				} `json:"remediations"`
			} `json:"vulnerabilities"`
		}
		if err := json.Unmarshal(f.Body, &doc); err != nil {
			t.Fatal(err)
		}
		if doc.Document.Category != "csaf_security_advisory" || len(doc.Vulnerabilities) != 1 || doc.Vulnerabilities[0].CVE != cveID {
			t.Fatalf("document: category %q, vulnerabilities %+v", doc.Document.Category, doc.Vulnerabilities)
		}
		var cats []string
		for _, rm := range doc.Vulnerabilities[0].Remediations {
			cats = append(cats, rm.Category)
		}
		if strings.Join(cats, ",") != "vendor_fix,mitigation" {
			t.Errorf("remediations %v, want vendor_fix, mitigation", cats)
		}
		for _, want := range []string{"PAN-OS", "10.2.9-h1", "vers:generic/>=10.2.0|<10.2.9-h1"} {
			if !strings.Contains(string(f.Body), want) {
				t.Errorf("the document lacks %q", want)
			}
		}
	})
}
