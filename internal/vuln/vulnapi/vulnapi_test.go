package vulnapi_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/idempotency"
	"github.com/acd-platform/acd/internal/reporting"
	"github.com/acd-platform/acd/internal/servicetest"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
	"github.com/acd-platform/acd/internal/vuln"
	"github.com/acd-platform/acd/internal/vuln/vulnapi"
)

func TestMain(m *testing.M) { storetest.Main(m) }

var t0 = time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)

// record is a CVE JSON 5 record of id: Acme Gate versions [1.0, 1.5)
// affected, with status as given.
func record(id, status string) string {
	return `{"cveMetadata":{"cveId":"` + id + `","state":"PUBLISHED"},"containers":{"cna":{"providerMetadata":{"orgId":"x"},` +
		`"descriptions":[{"lang":"en","value":"A flaw."}],"affected":[{"vendor":"Acme","product":"Gate","defaultStatus":"unaffected",` +
		`"versions":[{"version":"1.0","lessThan":"1.5","status":"` + status + `","versionType":"custom"}]}]}}}`
}

func TestAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		p := servicetest.New(t, db, t0)
		keys, err := idempotency.New(p.Ctx, db, p.Clock.Now)
		if err != nil {
			t.Fatal(err)
		}
		pol := auth.NewPolicy()
		rep, err := reporting.New(p.Ctx, reporting.Deps{DB: db, Log: p.Log, Auth: p.Auth, Policy: pol, Deadlines: p.Deadlines, Notifier: p.Notifier, Keys: keys}, reporting.Config{Now: p.Clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		svc, err := vuln.New(p.Ctx, vuln.Deps{DB: db, Log: p.Log, Notifier: p.Notifier}, vuln.Config{Now: p.Clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		rep.SetAssetObserver(svc)
		r := api.NewRouter(api.RouterConfig{Authenticator: p.Auth, Authorizer: api.AuthorizerFunc(pol.Allow), MapError: vulnapi.Error})
		vulnapi.Register(r, svc)
		ts := httptest.NewServer(r)
		t.Cleanup(ts.Close)

		op := p.Org(t, auth.NewOrg{Name: "Kanto Power", Kind: auth.OrgOperator, Sectors: []string{"electricity"}})
		meti := p.Org(t, auth.NewOrg{Name: "METI", Kind: auth.OrgMinistry, Sectors: []string{"electricity"}})
		nco := p.Org(t, auth.NewOrg{Name: "NCO", Kind: auth.OrgCabinetOff})
		c := &servicetest.Client{Ctx: p.Ctx, Server: ts, Tokens: servicetest.SeedUsers(t, p.Ctx, p.Auth, 24*time.Hour,
			servicetest.User{Name: "op", Org: op, Role: auth.RoleOperator},
			servicetest.User{Name: "meti", Org: meti, Role: auth.RoleMinistry},
			servicetest.User{Name: "analyst", Org: nco, Role: auth.RoleAnalyst})}
		analyst := servicetest.Principal("usr_nco", nco, auth.RoleAnalyst)
		if _, err := rep.Designate(p.Ctx, analyst, op.ID, true, "test"); err != nil {
			t.Fatal(err)
		}
		pOp := servicetest.Principal("usr_op", op, auth.RoleOperator)
		if _, err := rep.CreateAsset(p.Ctx, pOp, reporting.AssetInput{Name: "vpn", Product: "Gate", Vendor: "Acme", Version: "1.2", Role: reporting.RoleVPNGateway, Facility: "HQ"}); err != nil {
			t.Fatal(err)
		}

		body := "[" + record("CVE-2026-0001", "affected") + "," + record("CVE-2026-0002", "fixed") + "]"
		c.Call(t, "POST", "/api/v1/vulns/import", "op", body, http.StatusForbidden, nil)
		var res vuln.ImportResult
		c.Call(t, "POST", "/api/v1/vulns/import", "analyst", body, http.StatusOK, &res)
		if len(res.Imported) != 1 || res.RejectedCount != 1 || res.Rejected[0].ID != "CVE-2026-0002" || res.Rejected[0].Path == "" {
			t.Fatalf("got %+v, want one imported and CVE-2026-0002 rejected with its field", res)
		}
		c.Call(t, "POST", "/api/v1/vulns/import", "analyst", "not json", http.StatusBadRequest, nil)

		var ms vulnapi.MatchList
		c.Call(t, "GET", "/api/v1/vulns/matches", "op", "", http.StatusOK, &ms)
		if len(ms.Matches) != 1 || ms.Matches[0].VulnID != "CVE-2026-0001" {
			t.Errorf("got %+v, want the operator's one match", ms)
		}
		c.Call(t, "GET", "/api/v1/vulns/matches?limit=0", "op", "", http.StatusBadRequest, nil)
		var ex vulnapi.ExposureList
		c.Call(t, "GET", "/api/v1/vulns/exposure", "meti", "", http.StatusOK, &ex)
		if len(ex.Rows) != 1 || ex.Rows[0].Assets != 1 {
			t.Errorf("got METI exposure %+v, want one row of one asset", ex)
		}
		c.Call(t, "GET", "/api/v1/vulns/exposure", "op", "", http.StatusForbidden, nil)
		c.Call(t, "GET", "/api/v1/vulns/national", "analyst", "", http.StatusOK, &ex)
		c.Call(t, "GET", "/api/v1/vulns/national", "meti", "", http.StatusForbidden, nil)

		mark := `{"exploited":true,"report_ids":["rep_1"],"date":"2026-03-30"}`
		c.Call(t, "POST", "/api/v1/vulns/CVE-2026-0001/exploited", "op", mark, http.StatusForbidden, nil)
		c.Call(t, "POST", "/api/v1/vulns/CVE-2026-0001/exploited", "analyst", `{"exploited":true,"date":"2026-03-30","x":1}`, http.StatusBadRequest, nil)
		c.Call(t, "POST", "/api/v1/vulns/CVE-2026-0001/exploited", "analyst", mark, http.StatusOK, nil)
		c.Call(t, "POST", "/api/v1/vulns/CVE-2026-9999/exploited", "analyst", mark, http.StatusNotFound, nil)
		var d vuln.Detail
		c.Call(t, "GET", "/api/v1/vulns/CVE-2026-0001", "op", "", http.StatusOK, &d)
		if !d.ExploitedInJapan || len(d.Matches) != 1 {
			t.Errorf("got %+v, want marked with one match", d)
		}
		c.Call(t, "GET", "/api/v1/vulns/CVE-2026-0404", "op", "", http.StatusNotFound, nil)

		// The catalogue is public; KEV candidates are the analysts'.
		var cat vuln.Catalogue
		c.Call(t, "GET", "/api/v1/catalogue.json", "", "", http.StatusOK, &cat)
		if cat.Count != 1 || cat.Vulnerabilities[0].CVEID != "CVE-2026-0001" || cat.Vulnerabilities[0].JPEvidence.IncidentReports != 1 {
			t.Errorf("got %+v, want CVE-2026-0001 with one report", cat)
		}
		st, hdr, b := c.Do(t, "GET", "/api/v1/catalogue.csv", "", "", "")
		if st != http.StatusOK || hdr.Get("Content-Type") != "text/csv; charset=utf-8" || !strings.HasPrefix(string(b), "cveID,vendorProject,") {
			t.Errorf("got %d %q %q, want the CSV", st, hdr.Get("Content-Type"), b)
		}
		st, hdr, b = c.Do(t, "GET", "/catalogue.atom", "", "", "")
		if st != http.StatusOK || hdr.Get("Content-Type") != vuln.AtomMediaType || !strings.Contains(string(b), "urn:acd:catalogue:CVE-2026-0001") {
			t.Errorf("got %d %q %s, want the feed with CVE-2026-0001", st, hdr.Get("Content-Type"), b)
		}
		c.Call(t, "GET", "/catalogue.atom?limit=0", "", "", http.StatusBadRequest, nil)
		kev := `{"catalogVersion":"2026.03.01","dateReleased":"2026-03-01T00:00:00.000Z","count":1,"vulnerabilities":[{"cveID":"CVE-2026-0002",` +
			`"vendorProject":"Acme","product":"Gate","vulnerabilityName":"N","dateAdded":"2026-03-01","shortDescription":"D",` +
			`"requiredAction":"A","dueDate":"2026-03-22","knownRansomwareCampaignUse":"Unknown","notes":"","cwes":[]}]}`
		c.Call(t, "POST", "/api/v1/vulns/kev/import", "op", kev, http.StatusForbidden, nil)
		c.Call(t, "POST", "/api/v1/vulns/kev/import", "analyst", strings.Replace(kev, "2026-03-22", "22/03/2026", 1), http.StatusBadRequest, nil)
		var kr vuln.KEVImportResult
		c.Call(t, "POST", "/api/v1/vulns/kev/import", "analyst", kev, http.StatusOK, &kr)
		if kr.Candidates != 0 || kr.NotImported != 1 {
			t.Errorf("got %+v, want CVE-2026-0002 (rejected at import) not imported", kr)
		}
		var cl vulnapi.CandidateList
		c.Call(t, "GET", "/api/v1/vulns/kev/candidates", "analyst", "", http.StatusOK, &cl)
		c.Call(t, "GET", "/api/v1/vulns/kev/candidates", "meti", "", http.StatusForbidden, nil)
	})
}
