package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/sharing"
	"github.com/acd-platform/acd/internal/store/storetest"
	"github.com/acd-platform/acd/internal/web"
)

// shWorld is the council of the sharing page tests, on a real server. It
// has the organisations and users of sharingtest.Env (whose visibility
// table the pages are tested against), by the same keys and names:
//
//	nco   Cabinet Office: author, reviewer, analyst3 (analysts)
//	npa   police (agency): police (council_member)
//	meti  ministry: meti
//	opr   Kanto Power (operator, the site's own): opr, oprc, oprs, oprx
//	opn   Kyushu Power (operator): opn
//	opu   Chuo Railway (operator, never consents): opu
//	opw   Tokai Gas (operator): opw
//	ven   Secure Systems (vendor): vendor
//	ags   Digital Agency (agency): ags (council_member), agsan (an
//	      analyst outside the Cabinet Office)
//	comm  the commission: comm (commission member, logs in with TOTP)
//
// opr, opn, opw and ven consent; author and reviewer hold secret, oprc and
// oprx confidential, oprs secret.
type shWorld struct {
	s     *site
	orgs  map[string]auth.Org
	users map[string]auth.User
	ja    func(key string, args ...any) string
	en    func(key string, args ...any) string
}

// newShSite is a test site with the sharing pages and the council of
// shWorld.
func newShSite(t *testing.T) (*site, *shWorld) {
	t.Helper()
	s := newSite(t, storetest.SQLite(t))
	return s, newShWorld(t, s)
}

func newShWorld(t *testing.T, s *site) *shWorld {
	t.Helper()
	w := &shWorld{s: s, orgs: map[string]auth.Org{"opr": s.org}, users: map[string]auth.User{},
		ja: func(key string, args ...any) string { return s.msgs.T(web.Japanese, key, args...) },
		en: func(key string, args ...any) string { return s.msgs.T(web.English, key, args...) }}
	for _, o := range []struct {
		key string
		n   auth.NewOrg
	}{
		{"nco", auth.NewOrg{Name: "National Cybersecurity Office", NameJA: "国家サイバー統括室", Kind: auth.OrgCabinetOff}},
		{"npa", auth.NewOrg{Name: "National Police Agency", NameJA: "警察庁", Kind: auth.OrgPolice, Police: auth.PoliceNational}},
		{"meti", auth.NewOrg{Name: "METI", NameJA: "経済産業省", Kind: auth.OrgMinistry, Sectors: []string{"electricity", "gas"}}},
		{"opn", auth.NewOrg{Name: "Kyushu Power", NameJA: "九州電力", Kind: auth.OrgOperator, Sectors: []string{"electricity"}}},
		{"opu", auth.NewOrg{Name: "Chuo Railway", NameJA: "中央鉄道", Kind: auth.OrgOperator, Sectors: []string{"railways"}}},
		{"opw", auth.NewOrg{Name: "Tokai Gas", NameJA: "東海ガス", Kind: auth.OrgOperator, Sectors: []string{"gas"}}},
		{"ven", auth.NewOrg{Name: "Secure Systems KK", NameJA: "セキュアシステムズ", Kind: auth.OrgVendor}},
		{"ags", auth.NewOrg{Name: "Digital Agency", NameJA: "デジタル庁", Kind: auth.OrgAgency}},
		{"comm", auth.NewOrg{Name: "Cyber Communications Information Supervisory Commission", NameJA: "サイバー通信情報監理委員会", Kind: auth.OrgCommission}},
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
		{"author", "nco", auth.RoleAnalyst}, {"reviewer", "nco", auth.RoleAnalyst}, {"analyst3", "nco", auth.RoleAnalyst},
		{"police", "npa", auth.RoleCouncil}, {"ags", "ags", auth.RoleCouncil}, {"agsan", "ags", auth.RoleAnalyst},
		{"meti", "meti", auth.RoleMinistry},
		{"opr", "opr", auth.RoleOperator}, {"oprc", "opr", auth.RoleOperator}, {"oprs", "opr", auth.RoleOperator}, {"oprx", "opr", auth.RoleOperator},
		{"opn", "opn", auth.RoleOperator}, {"opu", "opu", auth.RoleOperator}, {"opw", "opw", auth.RoleOperator},
		{"vendor", "ven", auth.RoleVendor}, {"comm", "comm", auth.RoleCommissionMember},
	} {
		w.users[u.name] = seeded(t, s, u.name, w.orgs[u.org], u.role)
	}
	terms := sharing.CurrentTerms()
	for _, u := range []string{"opr", "opn", "opw", "vendor"} {
		if _, err := s.srv.Sharing.Consent(s.ctx, w.p(u), sharing.ConsentInput{TermsVersion: terms.Version, TermsSHA256: terms.SHA256, Accept: true}); err != nil {
			t.Fatalf("consent of %s: %v", u, err)
		}
	}
	for _, g := range []struct{ by, to, level string }{
		{"reviewer", "author", "secret"}, {"author", "reviewer", "secret"}, {"author", "oprc", "confidential"},
		{"author", "oprs", "secret"}, {"author", "oprx", "confidential"},
	} {
		if _, err := s.srv.Sharing.GrantClearance(s.ctx, w.p(g.by), w.users[g.to].ID, g.level, "need to know"); err != nil {
			t.Fatalf("clearance of %s: %v", g.to, err)
		}
	}
	return w
}

// p is the principal of user name, for set-up through the service.
func (w *shWorld) p(name string) *auth.Principal {
	u, ok := w.users[name]
	if !ok {
		panic("no user " + name)
	}
	for _, o := range w.orgs {
		if o.ID == u.OrgID {
			return &auth.Principal{UserID: u.ID, Username: u.Username, OrgID: o.ID, OrgKind: o.Kind, Sectors: o.Sectors,
				Police: o.Police, Roles: u.Roles, Via: auth.ViaCLI, MFA: true}
		}
	}
	panic("no organisation of " + name)
}

// as returns a client logged in as name ("public" for nobody): the
// commission's member with TOTP.
func (w *shWorld) as(t *testing.T, name string) *client {
	t.Helper()
	c := w.s.client(t)
	switch name {
	case "public":
	case "comm":
		c.loginTOTP(name)
	default:
		c.login(name)
	}
	return c
}

// advisoryIDRe finds an advisory's id in a path.
var advisoryIDRe = regexp.MustCompile(`^/advisories/(adv_[A-Za-z0-9_-]+)$`)

// completeAdvisory is a complete advisory as the form takes it, at
// level.
func completeAdvisory(title, level string) url.Values {
	return url.Values{"title": {title}, "tlp": {level},
		"tech_summary": {"VPN 装置の脆弱性を悪用し、Web シェルを設置する攻撃を観測した。"},
		"indicators":   {"203.0.113.7 C2 サーバ\ndomain Evil.Example.\nsha256 E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855 ドロッパー\n[url:value = 'https://evil.example/a']"},
		"techniques":   {"T1190 Exploit Public-Facing Application\nt1059.001"},
		"hunting":      {"VPN のログで、未知のアドレスから /dana-na/ への POST を探す。"},
		"background":   {"電力事業者を狙う攻撃キャンペーンが続いている。"},
		"purpose":      {"諜報と事前の侵入。"},
		"impact":       {"料金システムの制御を失うおそれ。"},
		"actions":      {"VPN 装置を更新し、Web シェルを探索する。"}}
}

// draftAdvisory posts form to /advisories as c and returns the
// advisory's path.
func draftAdvisory(t *testing.T, c *client, form url.Values) string {
	t.Helper()
	form.Set("csrf", c.csrf("/advisories/new"))
	p := location(t, "POST /advisories", c.post("/advisories", form))
	if !advisoryIDRe.MatchString(p) {
		t.Fatalf("POST /advisories redirected to %q, want /advisories/adv_…", p)
	}
	return p
}

// shStepOK posts form (with the CSRF token of page) to action and fails
// t unless it redirects to want.
func shStepOK(t *testing.T, c *client, page, action string, form url.Values, want string) {
	t.Helper()
	if p := location(t, "POST "+action, step(t, c, page, action, form)); p != want {
		t.Fatalf("POST %s redirected to %s, want %s", action, p, want)
	}
}

// shRefused fails t unless r is a page with status showing the sharing
// refusal of code in Japanese with its code, and the code in the
// X-ACD-Refusal header.
func shRefused(t *testing.T, what string, r *response, status int, code string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: status %d, want %d; page:\n%s", what, r.status, status, errorsOf(r.body))
	}
	rf := sharing.Refuse(code, "")
	if !strings.Contains(r.text(), rf.Message("ja")) || !strings.Contains(r.text(), code) {
		t.Errorf("%s: the page lacks the refusal %s in Japanese (%q); errors: %q", what, code, rf.Message("ja"), errorsOf(r.body))
	}
	if got := r.header.Get(web.RefusalHeader); got != code {
		t.Errorf("%s: %s header %q, want %q", what, web.RefusalHeader, got, code)
	}
}

// linkedIDs returns the ids of the links to prefix+id in body, in order;
// "new" (a form's link) is no id.
func linkedIDs(t *testing.T, body, prefix string) []string {
	t.Helper()
	var out []string
	for _, a := range elements(parse(t, body), "a") {
		href, _ := attr(a, "href")
		if id, ok := strings.CutPrefix(href, prefix); ok && id != "" && id != "new" && !strings.ContainsAny(id, "/?#") {
			out = append(out, id)
		}
	}
	return out
}

// wantStatus fails t unless r has status.
func wantStatus(t *testing.T, what string, r *response, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: status %d, want %d; page:\n%s", what, r.status, status, errorsOf(r.body))
	}
}
