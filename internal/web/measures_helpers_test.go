package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	xhtml "golang.org/x/net/html"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/measures"
	"github.com/acd-platform/acd/internal/store/storetest"
	"github.com/acd-platform/acd/internal/web"
)

// msrWorld is the people of the measures tests and their organisations:
//
//   - the NPA (police, national): officer ofc and the Commissioner
//     General cg;
//   - the Tokyo police (prefectural): officer pofc and the chief chief;
//   - the SDF: officer sdf; the Ministry of Defense: the Minister mod;
//   - MOFA's user mofa, the cabinet's pm, the NPSC's npsc;
//   - the Cabinet Office's analyst nco; the commission's chair, m1, m2;
//   - sato, an operator, who has no part in measures.
//
// Officers, commanders and the commission log in with TOTP.
type msrWorld struct {
	s                                        *site
	npa, tokyo, sdfOrg, mod, mofa, cab, npsc auth.Org
	nco, comm                                auth.Org
	ofc, cg, pofc, chief, sdf, minister      *auth.Principal
	mofaU, pm, npscU, analyst, chair, m1, m2 *auth.Principal
	ofcUser, pofcUser, sdfUser               auth.User
	ja, en                                   func(key string, args ...any) string
}

// newMsrSite is a test site with the measures and blocklist pages and the
// people of msrWorld.
func newMsrSite(t *testing.T) (*site, *msrWorld) {
	t.Helper()
	s := newSite(t, storetest.SQLite(t))
	return s, newMsrWorld(t, s)
}

func newMsrWorld(t *testing.T, s *site) *msrWorld {
	t.Helper()
	w := &msrWorld{s: s,
		ja: func(key string, args ...any) string { return s.msgs.T(web.Japanese, key, args...) },
		en: func(key string, args ...any) string { return s.msgs.T(web.English, key, args...) }}
	org := func(n auth.NewOrg) auth.Org {
		t.Helper()
		o, err := s.srv.Auth.CreateOrg(s.ctx, nil, n)
		if err != nil {
			t.Fatalf("create org %s: %v", n.Name, err)
		}
		return o
	}
	user := func(name string, o auth.Org, role auth.Role) (*auth.Principal, auth.User) {
		t.Helper()
		u := seeded(t, s, name, o, role)
		p := principalOf(t, s, u, o)
		p.Police = o.Police
		return p, u
	}
	w.npa = org(auth.NewOrg{Name: "National Police Agency", NameJA: "警察庁", Kind: auth.OrgPolice, Police: auth.PoliceNational})
	w.tokyo = org(auth.NewOrg{Name: "Tokyo Metropolitan Police", NameJA: "警視庁", Kind: auth.OrgPolice, Police: auth.PolicePrefectural})
	w.sdfOrg = org(auth.NewOrg{Name: "JSDF Cyber Defense Command", NameJA: "自衛隊サイバー防衛隊", Kind: auth.OrgSDF})
	w.mod = org(auth.NewOrg{Name: "Ministry of Defense", NameJA: "防衛省", Kind: auth.OrgMOD})
	w.mofa = org(auth.NewOrg{Name: "Ministry of Foreign Affairs", NameJA: "外務省", Kind: auth.OrgMOFA})
	w.cab = org(auth.NewOrg{Name: "Cabinet", NameJA: "内閣", Kind: auth.OrgCabinet})
	w.npsc = org(auth.NewOrg{Name: "National Public Safety Commission", NameJA: "国家公安委員会", Kind: auth.OrgNPSC})
	w.nco = org(auth.NewOrg{Name: "National Cybersecurity Office", NameJA: "国家サイバー統括室", Kind: auth.OrgCabinetOff})
	w.comm = org(auth.NewOrg{Name: "Cyber Communications Information Supervisory Commission", NameJA: "サイバー通信情報監理委員会", Kind: auth.OrgCommission})
	w.ofc, w.ofcUser = user("ofc", w.npa, auth.RoleOfficer)
	w.cg, _ = user("cg", w.npa, auth.RoleCommander)
	w.pofc, w.pofcUser = user("pofc", w.tokyo, auth.RoleOfficer)
	w.chief, _ = user("chief", w.tokyo, auth.RoleCommander)
	w.sdf, w.sdfUser = user("sdf", w.sdfOrg, auth.RoleOfficer)
	w.minister, _ = user("minister", w.mod, auth.RoleCommander)
	w.mofaU, _ = user("mofa", w.mofa, auth.RoleMOFA)
	w.pm, _ = user("pm", w.cab, auth.RoleCabinet)
	w.npscU, _ = user("npsc", w.npsc, auth.RoleNPSC)
	w.analyst, _ = user("nco", w.nco, auth.RoleAnalyst)
	w.chair, _ = user("chair", w.comm, auth.RoleCommissionChair)
	w.m1, _ = user("m1", w.comm, auth.RoleCommissionMember)
	w.m2, _ = user("m2", w.comm, auth.RoleCommissionMember)
	s.operator(t, "sato", "佐藤 花子")
	return w
}

// designate designates the officers ofc, pofc and sdf through the service
// (set-up, not the path under test).
func (w *msrWorld) designate(t *testing.T) {
	t.Helper()
	for _, d := range []struct {
		by *auth.Principal
		u  auth.User
	}{{w.cg, w.ofcUser}, {w.cg, w.pofcUser}, {w.minister, w.sdfUser}} {
		if _, err := w.s.srv.Measures.Designate(w.s.ctx, d.by, measures.DesignationInput{UserID: d.u.ID, Scope: "test"}); err != nil {
			t.Fatalf("designate %s: %v", d.u.Username, err)
		}
	}
}

// as returns a client logged in as username: with TOTP for the
// privileged roles.
func (w *msrWorld) as(t *testing.T, username string) *client {
	t.Helper()
	c := w.s.client(t)
	switch username {
	case "mofa", "pm", "npsc", "nco", "sato":
		c.login(username)
	default:
		c.loginTOTP(username)
	}
	return c
}

// policeCase is a case on the police path against one address in Japan,
// as the new-case form takes it.
func policeCase(title string) url.Values {
	return url.Values{"path": {"police"}, "title": {title},
		"targets":          {"203.0.113.7|c2.example|Example Hosting|abuse@hosting.example|JP\n198.51.100.0/24"},
		"observed_traffic": {"2026-04-01 から重要インフラ事業者への C2 通信を観測。"},
		"harm":             {"電力供給の停止により生命・身体に重大な危害が生じるおそれ。"},
		"urgency":          {"攻撃は継続中で、数時間以内に拡大するおそれ。"},
		"proposed":         {"order_admin", "stop_program"},
		"only_means":       {"on"}, "only_means_text": {"管理者への連絡は試みたが応答がない。"},
		"least_intrusive": {"on"}, "least_intrusive_text": {"攻撃プログラムの停止に限る。"},
		"third_party_effect": {"同じサーバの他の利用者への影響はない見込み。"}}
}

// caseIDRe finds a case's id in a path.
var caseIDRe = regexp.MustCompile(`^/measures/(msr_[a-z0-9]+)$`)

// openCase opens a case through the form and returns its path.
func openCase(t *testing.T, c *client, form url.Values) string {
	t.Helper()
	form.Set("csrf", c.csrf("/measures/new"))
	p := location(t, "POST /measures", c.post("/measures", form))
	if !caseIDRe.MatchString(p) {
		t.Fatalf("POST /measures redirected to %q, want /measures/msr_…", p)
	}
	return p
}

// step posts form to a case step's action with the CSRF token of page and
// returns the answer.
func step(t *testing.T, c *client, page, action string, form url.Values) *response {
	t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", c.csrf(page))
	return c.post(action, form)
}

// stepOK posts a step and fails t unless it redirects back to the case.
func stepOK(t *testing.T, c *client, casePath, action string, form url.Values) {
	t.Helper()
	if p := location(t, "POST "+action, step(t, c, casePath, action, form)); p != casePath {
		t.Fatalf("POST %s redirected to %s, want %s", action, p, casePath)
	}
}

// refusedWith fails t unless r is the page with status and the refusal of
// code in Japanese, with its code.
func refusedWith(t *testing.T, w *msrWorld, what string, r *response, status int, code string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: status %d, want %d; page:\n%s", what, r.status, status, errorsOf(r.body))
	}
	rf := measures.Refuse(code, "")
	if msg := errorsOf(r.body); !strings.Contains(msg, rf.Message("ja")) || !strings.Contains(msg, code) {
		t.Errorf("%s: the page's error %q lacks the refusal %s in Japanese (%q)", what, msg, code, rf.Message("ja"))
	}
	if got := r.header.Get(web.RefusalHeader); got != code {
		t.Errorf("%s: %s header %q, want %q", what, web.RefusalHeader, got, code)
	}
}

// jstLocal is t as a datetime-local value in Japan time.
func jstLocal(t time.Time) string {
	return t.In(time.FixedZone("JST", 9*3600)).Format("2006-01-02T15:04")
}

// jstShown is t as the pages show it.
func jstShown(t time.Time) string {
	return t.In(time.FixedZone("JST", 9*3600)).Format("2006-01-02 15:04 JST")
}

// regexpFind returns the first submatch of pattern in body, failing t
// when there is none.
func regexpFind(t *testing.T, body, pattern string) string {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no match of %s in the page", pattern)
	}
	return m[1]
}

// findID returns the element of body with id, failing t when there is
// none.
func findID(t *testing.T, body, id string) *xhtml.Node {
	t.Helper()
	var found *xhtml.Node
	walk(parse(t, body), func(n *xhtml.Node) {
		if v, _ := attr(n, "id"); n.Type == xhtml.ElementNode && v == id {
			found = n
		}
	})
	if found == nil {
		t.Fatalf("no element with id %q", id)
	}
	return found
}
