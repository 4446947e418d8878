package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/acd-platform/acd/internal/blocklist"
	"github.com/acd-platform/acd/internal/web"
)

// TestBlocklistPages: an analyst adds an entry (a private address is a
// field error on the value), previews the feeds exactly as subscribers
// get them, registers a subscriber whose token is shown once and revokes
// it; an officer of another organisation may not remove the analyst's
// entry, the analyst removes it with a reason; a commander reads the list
// without the forms.
func TestBlocklistPages(t *testing.T) {
	s, w := newMsrSite(t)
	ja := w.ja
	nco := w.as(t, "nco")

	page := nco.get("/blocklist")
	if page.status != http.StatusOK || !strings.Contains(page.body, `id="add"`) {
		t.Fatalf("GET /blocklist as an analyst: status %d, add form %v", page.status, strings.Contains(page.body, `id="add"`))
	}
	checkPage(t, page.body, web.Japanese)
	r := step(t, nco, "/blocklist", "/blocklist", url.Values{"value": {"10.0.0.1"}, "reason": {"テスト"}})
	if r.status != http.StatusBadRequest || fieldError(t, r.body, "b-value") == "" || !strings.Contains(r.body, `value="10.0.0.1"`) {
		t.Errorf("a private address: status %d, field error %q; want 400 on the value, kept", r.status, fieldError(t, r.body, "b-value"))
	}
	if p := location(t, "add", step(t, nco, "/blocklist", "/blocklist", url.Values{"value": {"bad.example"}, "reason": {"フィッシング"}})); p != "/blocklist" {
		t.Fatalf("add redirected to %s", p)
	}
	page = nco.get("/blocklist?done=added")
	contains(t, "list", page, ja("blocklist.done.added"), "bad.example", "フィッシング", ja("blocklist.kind.domain"), ja("blocklist.state.active"))
	r = step(t, nco, "/blocklist", "/blocklist", url.Values{"value": {"bad.example"}, "reason": {"again"}})
	if r.status != http.StatusConflict {
		t.Errorf("a value already listed: status %d, want 409", r.status)
	}

	for _, f := range []blocklist.Format{blocklist.FormatRPZ, blocklist.FormatTXT, blocklist.FormatSTIX} {
		r := nco.get("/blocklist/feeds/" + string(f))
		want, err := s.srv.Blocklist.Preview(s.ctx, w.analyst, f)
		if err != nil {
			t.Fatal(err)
		}
		if r.status != http.StatusOK || r.body != string(want.Body) || r.header.Get("ETag") != want.ETag || !strings.HasPrefix(r.header.Get("Content-Disposition"), "attachment") {
			t.Errorf("GET feed %s: status %d, ETag %q; want 200 with the subscriber's bytes and ETag %q as an attachment", f, r.status, r.header.Get("ETag"), want.ETag)
		}
	}
	if r := nco.get("/blocklist/feeds/xml"); r.status != http.StatusNotFound {
		t.Errorf("GET an unknown feed: status %d, want 404", r.status)
	}

	// Subscribers: the token is shown once.
	sp := nco.get("/blocklist/subscribers")
	checkPage(t, sp.body, web.Japanese)
	r = step(t, nco, "/blocklist/subscribers", "/blocklist/subscribers", url.Values{"name": {"Example ISP"}, "contact": {"noc@isp.example"}, "formats": {"rpz", "stix"}})
	token := ""
	if el := findID(t, r.body, "feed-token"); el != nil {
		token = strings.TrimSpace(textOf(el))
	}
	if r.status != http.StatusCreated || !strings.HasPrefix(token, blocklist.FeedTokenPrefix) {
		t.Fatalf("create a subscriber: status %d, token %q; want 201 and an %s… token", r.status, token, blocklist.FeedTokenPrefix)
	}
	checkPage(t, r.body, web.Japanese)
	sp = nco.get("/blocklist/subscribers")
	contains(t, "subscribers", sp, "Example ISP", "noc@isp.example", ja("blocklist.format.rpz"), ja("blocklist.format.stix"))
	if strings.Contains(sp.body, token) {
		t.Error("the feed token is shown again")
	}
	if r := step(t, nco, "/blocklist/subscribers", "/blocklist/subscribers", url.Values{"name": {"x"}, "contact": {"y"}, "formats": {"gopher"}}); r.status != http.StatusBadRequest {
		t.Errorf("an unknown format: status %d, want 400", r.status)
	}
	subs, err := s.srv.Blocklist.Subscribers(s.ctx, w.analyst)
	if err != nil || len(subs) != 1 {
		t.Fatalf("subscribers: %v, %v", subs, err)
	}
	if p := location(t, "revoke", step(t, nco, "/blocklist/subscribers", "/blocklist/subscribers/"+subs[0].ID+"/revoke", url.Values{"reason": {"契約終了"}})); p != "/blocklist/subscribers" {
		t.Fatalf("revoke redirected to %s", p)
	}
	contains(t, "revoked", nco.get("/blocklist/subscribers?done=revoked"), ja("subscribers.done.revoked"), ja("subscribers.revoked"), "契約終了")

	// An officer may not remove another organisation's entry; the
	// analyst may.
	es, err := s.srv.Blocklist.Entries(s.ctx, w.analyst, blocklist.Filter{})
	if err != nil || len(es) != 1 {
		t.Fatalf("entries: %v, %v", es, err)
	}
	remove := "/blocklist/" + es[0].ID + "/remove"
	ofc := w.as(t, "ofc")
	if strings.Contains(ofc.get("/blocklist").body, `action="`+remove+`"`) {
		t.Error("an officer is offered to remove the Cabinet Office's entry")
	}
	if r := step(t, ofc, "/blocklist", remove, url.Values{"reason": {"x"}}); r.status != http.StatusForbidden {
		t.Errorf("an officer removes another organisation's entry: status %d, want 403", r.status)
	}
	if p := location(t, "remove", step(t, nco, "/blocklist", remove, url.Values{"reason": {"誤登録"}})); p != "/blocklist" {
		t.Fatalf("remove redirected to %s", p)
	}
	contains(t, "removed", nco.get("/blocklist?all=1"), ja("blocklist.state.removed"), "誤登録")
	if strings.Contains(nco.get("/blocklist").body, "bad.example") {
		t.Error("the active list still shows a removed entry")
	}

	cg := w.as(t, "cg")
	page = cg.get("/blocklist?all=1")
	if page.status != http.StatusOK || strings.Contains(page.body, `id="add"`) || strings.Contains(page.body, `/remove"`) {
		t.Errorf("a commander's blocklist: status %d; want 200 without the forms", page.status)
	}
}

// TestMeasurePagesTranslated renders every measures and blocklist page,
// with its forms, in both languages: no message is missing and each page
// passes the accessibility basics.
func TestMeasurePagesTranslated(t *testing.T) {
	s, w := newMsrSite(t)
	w.designate(t)
	ofc := w.as(t, "ofc")
	casePath := openCase(t, ofc, policeCase("翻訳の確認"))
	stepOK(t, ofc, casePath, casePath+"/location", url.Values{"in_japan": {"no"}, "other": {"国外"}})
	sdf := w.as(t, "sdf")
	form := policeCase("SDF")
	form.Set("path", "sdf_protection")
	form.Set("joint_police_org_id", w.npa.ID)
	sdfPath := openCase(t, sdf, form)
	if _, err := s.srv.Blocklist.Add(s.ctx, w.analyst, blocklist.EntryInput{Value: "203.0.113.99", Reason: "test"}); err != nil {
		t.Fatal(err)
	}

	pages := map[string][]string{
		"ofc":      {"/designations", "/measures", "/measures/new", casePath, sdfPath, "/blocklist"},
		"cg":       {"/designations", casePath},
		"mofa":     {"/measures"},
		"pm":       {"/measures/overview", sdfPath},
		"npsc":     {sdfPath},
		"minister": {sdfPath},
		"nco":      {"/measures/overview", "/blocklist", "/blocklist/subscribers", casePath},
		"chair":    {"/commission/measures", casePath},
	}
	for who, paths := range pages {
		c := w.as(t, who)
		for _, lang := range []web.Lang{web.Japanese, web.English} {
			if r := c.get("/lang/" + string(lang)); r.status != http.StatusSeeOther {
				t.Fatalf("GET /lang/%s: status %d", lang, r.status)
			}
			for _, p := range paths {
				t.Run(string(lang)+"/"+who+p, func(t *testing.T) {
					r := c.get(p)
					if r.status != http.StatusOK {
						t.Fatalf("status %d, want 200", r.status)
					}
					checkPage(t, r.body, lang)
					checkTranslated(t, p, r)
				})
			}
		}
	}
	// A refused form, in English: the refusal's English message and code.
	c := w.as(t, "ofc")
	c.get("/lang/en")
	r := step(t, c, casePath, casePath+"/approval", url.Values{"statement": {"x"}})
	if r.status != http.StatusConflict || !strings.Contains(errorsOf(r.body), "Refused (code checklist_incomplete)") {
		t.Errorf("a refusal in English: status %d, %q", r.status, errorsOf(r.body))
	}
	checkPage(t, r.body, web.English)
}
