package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/reporting"
	"github.com/acd-platform/acd/internal/sharing"
	"github.com/acd-platform/acd/internal/sharing/sharingtest"
	"github.com/acd-platform/acd/internal/tlp"
	"github.com/acd-platform/acd/internal/web"
)

// TestSharingPagesAccessibility checks the accessibility basics (one
// <h1>, labelled controls, unique ids, the document language) and that no
// message is missing, on every sharing page and on refused forms, in both
// languages.
func TestSharingPagesAccessibility(t *testing.T) {
	s, w := newShSite(t)
	svc, ctx := s.srv.Sharing, s.ctx
	publish := func(in sharing.AdvisoryInput) string {
		t.Helper()
		a, err := svc.CreateAdvisory(ctx, w.p("author"), in)
		if err == nil {
			_, err = svc.SubmitAdvisory(ctx, w.p("author"), a.ID)
		}
		if err == nil {
			_, err = svc.PublishAdvisory(ctx, w.p("reviewer"), a.ID)
		}
		if err != nil {
			t.Fatal(err)
		}
		return a.ID
	}
	clear := publish(sharingtest.Input("公開の注意喚起", tlp.Clear, ""))
	amberIn := sharingtest.Input("AMBER の情報", tlp.Amber, "")
	amberIn.Recipients.Orgs = []string{w.orgs["opr"].ID}
	amber := publish(amberIn)
	redIn := sharingtest.Input("下書き", tlp.Red, "secret")
	redIn.Recipients.Users = []string{w.users["oprs"].ID}
	draft, err := svc.CreateAdvisory(ctx, w.p("author"), redIn)
	if err != nil {
		t.Fatal(err)
	}
	g, err := svc.CreateGroup(ctx, w.p("author"), sharing.GroupInput{Name: "電力 ISAC", Visible: true})
	if err == nil {
		_, err = svc.AddGroupMember(ctx, w.p("author"), g.ID, w.orgs["opr"].ID)
	}
	if err != nil {
		t.Fatal(err)
	}
	req, err := svc.RequestMaterials(ctx, w.p("author"), reporting.NewCouncilRequest{OrgID: w.orgs["opr"].ID, Reason: "分析", Request: "ログ",
		Due: s.clock.Now().Add(72 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}

	for _, lang := range []web.Lang{web.Japanese, web.English} {
		as := func(name string) *client {
			c := w.as(t, name)
			c.get("/lang/" + string(lang))
			return c
		}
		author, opr, opu, public := as("author"), as("opr"), as("opu"), as("public")
		pages := map[string]*response{
			"alerts": public.get("/alerts"), "alert": public.get("/alerts/" + clear),
			"council": opr.get("/council"), "consent": opu.get("/council/consent"), "consent joined": opr.get("/council/consent"),
			"members": author.get("/council/members"), "member": author.get("/council/members/" + w.orgs["opr"].ID),
			"groups": author.get("/council/groups"), "group": author.get("/council/groups/" + g.ID), "member's group": opr.get("/council/groups/" + g.ID),
			"clearances": author.get("/council/clearances"), "requests": author.get("/council/requests"),
			"request": author.get("/council/requests/" + req.ID), "member's request": opr.get("/council/requests/" + req.ID),
			"advisories": author.get("/advisories"), "new advisory": author.get("/advisories/new"),
			"draft": author.get("/advisories/" + draft.ID), "edit": author.get("/advisories/" + draft.ID + "/edit"),
			"published": author.get("/advisories/" + amber), "shared": opr.get("/shared"), "shared item": opr.get("/shared/" + amber),
			"refused consent":  opu.post("/council/consent", url.Values{"csrf": {opu.csrf("/council/consent")}}),
			"refused advisory": author.post("/advisories", url.Values{"csrf": {author.csrf("/advisories/new")}, "tlp": {"amber"}}),
			"refused forward":  opr.post("/shared/"+amber+"/forward", url.Values{"csrf": {opr.csrf("/shared")}, "org_id": {w.orgs["opu"].ID}, "reason": {"x"}}),
			"refused page":     as("agsan").get("/council/members"),
		}
		for name, r := range pages {
			t.Run(string(lang)+"/"+name, func(t *testing.T) {
				if r.status >= 500 || !strings.Contains(r.header.Get("Content-Type"), "text/html") {
					t.Fatalf("status %d, Content-Type %q; want an HTML page", r.status, r.header.Get("Content-Type"))
				}
				checkPage(t, r.body, lang)
				checkTranslated(t, name, r)
			})
		}
		if got := formValues(t, pages["edit"].body, "/advisories/"+draft.ID); got.Get("users") != "oprs" || got.Get("clearance") != "secret" || got.Get("tlp") != "red" {
			t.Errorf("%s: the RED draft's edit form has users %q, clearance %q, tlp %q; want oprs, secret, red", lang, got.Get("users"), got.Get("clearance"), got.Get("tlp"))
		}
		if r := pages["refused page"]; r.status != http.StatusForbidden || !strings.Contains(r.text(), sharing.Refuse(sharing.CodeNotCabinetOffice, "").Message(string(lang))) {
			t.Errorf("%s: the refused page (status %d) does not say the refusal in its language", lang, r.status)
		}
	}
}
