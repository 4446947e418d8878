package web_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/reporting"
	"github.com/acd-platform/acd/internal/store/storetest"
	"github.com/acd-platform/acd/internal/vuln"
	"github.com/acd-platform/acd/internal/web"
)

// vnWorld is the world of the vulnerability page tests, on a real server:
//
//	nco   Cabinet Office: analyst (analyst)
//	meti  ministry of electricity and gas: meti
//	mlit  ministry of railways: mlit
//	ags   an agency: agsmin, a ministry role without sectors
//	opr   Kanto Power (electricity, the site's own): opr, runs hq-vpn-1
//	opn   Kyushu Power (electricity): opn, runs kyushu-vpn
//	opu   Chuo Railway (railways): opu, runs rail-vpn
//
// Every asset is Acme Gate (1.2, 1.3, 1.4). CVE-2026-0001 affects Acme
// Gate 1.0 to 1.5, so all three; CVE-2026-0002 (Other Thing) none.
type vnWorld struct {
	s      *site
	orgs   map[string]auth.Org
	users  map[string]auth.User
	assets map[string]reporting.CriticalComputer // by name
	ja, en func(key string, args ...any) string
}

func newVnSite(t *testing.T) *vnWorld {
	t.Helper()
	s := newSite(t, storetest.SQLite(t))
	w := &vnWorld{s: s, orgs: map[string]auth.Org{"opr": s.org}, users: map[string]auth.User{}, assets: map[string]reporting.CriticalComputer{},
		ja: func(key string, args ...any) string { return s.msgs.T(web.Japanese, key, args...) },
		en: func(key string, args ...any) string { return s.msgs.T(web.English, key, args...) }}
	for _, o := range []struct {
		key string
		n   auth.NewOrg
	}{
		{"nco", auth.NewOrg{Name: "National Cybersecurity Office", NameJA: "国家サイバー統括室", Kind: auth.OrgCabinetOff}},
		{"meti", auth.NewOrg{Name: "METI", NameJA: "経済産業省", Kind: auth.OrgMinistry, Sectors: []string{"electricity", "gas"}}},
		{"mlit", auth.NewOrg{Name: "MLIT", NameJA: "国土交通省", Kind: auth.OrgMinistry, Sectors: []string{"railways"}}},
		{"ags", auth.NewOrg{Name: "Digital Agency", NameJA: "デジタル庁", Kind: auth.OrgAgency}},
		{"opn", auth.NewOrg{Name: "Kyushu Power", NameJA: "九州電力", Kind: auth.OrgOperator, Sectors: []string{"electricity"}}},
		{"opu", auth.NewOrg{Name: "Chuo Railway", NameJA: "中央鉄道", Kind: auth.OrgOperator, Sectors: []string{"railways"}}},
	} {
		org, err := s.srv.Auth.CreateOrg(s.ctx, nil, o.n)
		if err != nil {
			t.Fatalf("create org %s: %v", o.n.Name, err)
		}
		w.orgs[o.key] = org
	}
	for _, u := range []struct {
		name, org string
		role      auth.Role
	}{
		{"analyst", "nco", auth.RoleAnalyst}, {"meti", "meti", auth.RoleMinistry}, {"mlit", "mlit", auth.RoleMinistry},
		{"agsmin", "ags", auth.RoleMinistry},
		{"opr", "opr", auth.RoleOperator}, {"opn", "opn", auth.RoleOperator}, {"opu", "opu", auth.RoleOperator},
	} {
		w.users[u.name] = seeded(t, s, u.name, w.orgs[u.org], u.role)
	}
	for _, a := range []struct{ user, name, version string }{
		{"opr", "hq-vpn-1", "1.2"}, {"opn", "kyushu-vpn", "1.3"}, {"opu", "rail-vpn", "1.4"},
	} {
		s.designate(t, w.p(a.user).OrgID)
		cc, err := s.srv.Reporting.CreateAsset(s.ctx, w.p(a.user), vnAsset(a.name, a.version))
		if err != nil {
			t.Fatalf("asset %s: %v", a.name, err)
		}
		w.assets[a.name] = cc
	}
	w.importRecords(t, vnRecord("CVE-2026-0001", "Acme", "Gate", "affected"), vnRecord("CVE-2026-0002", "Other", "Thing", "affected"))
	return w
}

// vnAsset is an Acme Gate VPN gateway of version.
func vnAsset(name, version string) reporting.AssetInput {
	return reporting.AssetInput{Name: name, Product: "Gate", Vendor: "Acme", Version: version, Role: reporting.RoleVPNGateway, Facility: "本社", InternetFacing: true}
}

// vnRecord is a CVE JSON 5 record of id affecting vendor's product
// versions 1.0 to 1.5 with status (anything but affected, unaffected or
// unknown makes it a bad record).
func vnRecord(id, vendor, product, status string) string {
	return `{"dataType":"CVE_RECORD","dataVersion":"5.1","cveMetadata":{"cveId":"` + id + `","state":"PUBLISHED","assignerShortName":"acme","datePublished":"2026-03-01T00:00:00Z"},` +
		`"containers":{"cna":{"providerMetadata":{"orgId":"00000000-0000-4000-8000-000000000000"},"title":"` + product + ` の認証回避",` +
		`"descriptions":[{"lang":"en","value":"An authentication bypass in ` + product + `."},{"lang":"ja","value":"` + product + ` に認証回避の脆弱性がある。"}],` +
		`"problemTypes":[{"descriptions":[{"lang":"en","cweId":"CWE-287","description":"CWE-287 Improper Authentication","type":"CWE"}]}],` +
		`"references":[{"url":"https://acme.example/advisories/` + id + `"}],` +
		`"metrics":[{"cvssV3_1":{"version":"3.1","baseScore":9.8,"baseSeverity":"CRITICAL","vectorString":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}}],` +
		`"affected":[{"vendor":"` + vendor + `","product":"` + product + `","defaultStatus":"unaffected",` +
		`"versions":[{"version":"1.0","lessThan":"1.5","status":"` + status + `","versionType":"custom"}]}]}}}`
}

// importRecords imports records through the service as the analyst.
func (w *vnWorld) importRecords(t *testing.T, records ...string) {
	t.Helper()
	res, err := w.s.srv.Vuln.Import(w.s.ctx, w.p("analyst"), strings.NewReader(strings.Join(records, "\n")))
	if err != nil || res.RejectedCount != 0 {
		t.Fatalf("import: %+v, %v", res, err)
	}
}

// mark marks id exploited in Japan through the service.
func (w *vnWorld) mark(t *testing.T, id string, in vuln.ExploitedInput) {
	t.Helper()
	in.Exploited = true
	if _, err := w.s.srv.Vuln.SetExploited(w.s.ctx, w.p("analyst"), id, in); err != nil {
		t.Fatalf("mark %s: %v", id, err)
	}
}

// p is the principal of user name, for set-up through the services.
func (w *vnWorld) p(name string) *auth.Principal {
	u, ok := w.users[name]
	if !ok {
		panic("no user " + name)
	}
	for _, o := range w.orgs {
		if o.ID == u.OrgID {
			return &auth.Principal{UserID: u.ID, Username: u.Username, OrgID: o.ID, OrgKind: o.Kind, Sectors: o.Sectors,
				Roles: u.Roles, Via: auth.ViaCLI, MFA: true}
		}
	}
	panic("no organisation of " + name)
}

// as returns a client logged in as name ("public" for nobody) in lang.
func (w *vnWorld) as(t *testing.T, name string, lang web.Lang) *client {
	t.Helper()
	c := w.s.client(t)
	if name != "public" {
		c.login(name)
	}
	if lang != web.Japanese {
		c.get("/lang/" + string(lang))
	}
	return c
}

// kevCatalogue is a KEV catalogue of entries ("CVE-…"), as CISA writes
// it, listing count (which should be len(ids)).
func kevCatalogue(count int, ids ...string) []byte {
	var es []string
	for _, id := range ids {
		es = append(es, `{"cveID":"`+id+`","vendorProject":"Acme","product":"Gate","vulnerabilityName":"Acme Gate Authentication Bypass",`+
			`"dateAdded":"2026-02-10","shortDescription":"Acme Gate lets attackers bypass authentication.",`+
			`"requiredAction":"Apply mitigations per vendor instructions.","dueDate":"2026-03-03","knownRansomwareCampaignUse":"Known","notes":"","cwes":["CWE-287"]}`)
	}
	return []byte(`{"title":"CISA Catalog of Known Exploited Vulnerabilities","catalogVersion":"2026.02.10","dateReleased":"2026-02-10T15:00:00.000Z","count":` +
		strconv.Itoa(count) + `,"vulnerabilities":[` + strings.Join(es, ",") + `]}`)
}
