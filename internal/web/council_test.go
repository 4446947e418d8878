package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/sharing"
	"github.com/acd-platform/acd/internal/web"
)

// TestSharingPagesAccess: each page answers each role as the policy and
// the service's scope say; a refusal by the service (an analyst outside
// the Cabinet Office) carries its code; the home page links each role to
// its pages, and the header links to the public alerts.
func TestSharingPagesAccess(t *testing.T) {
	_, w := newShSite(t)
	clients := map[string]*client{}
	for _, u := range []string{"public", "author", "agsan", "police", "opr", "opu", "comm"} {
		clients[u] = w.as(t, u)
	}
	for _, tc := range []struct {
		path string
		want map[string]int
	}{
		{"/alerts", map[string]int{"public": 200, "author": 200, "opr": 200}},
		{"/council", map[string]int{"public": 303, "author": 200, "agsan": 200, "police": 200, "opr": 200, "opu": 200, "comm": 200}},
		{"/council/consent", map[string]int{"public": 303, "opr": 200, "opu": 200, "author": 403, "police": 403}},
		{"/council/members", map[string]int{"author": 200, "agsan": 403, "opr": 403, "police": 403}},
		{"/council/members/" + w.orgs["opr"].ID, map[string]int{"author": 200, "opr": 200, "opn": 0, "police": 404}},
		{"/council/groups", map[string]int{"author": 200, "agsan": 403, "opr": 403}},
		{"/council/clearances", map[string]int{"author": 200, "agsan": 403, "opr": 403}},
		{"/council/requests", map[string]int{"author": 200, "opr": 200, "police": 200, "public": 303}},
		{"/advisories", map[string]int{"author": 200, "agsan": 200, "opr": 403, "police": 403}},
		{"/advisories/new", map[string]int{"author": 200, "agsan": 403, "opr": 403}},
		{"/shared", map[string]int{"author": 200, "opr": 200, "opu": 200, "comm": 200, "public": 303}},
	} {
		for who, want := range tc.want {
			if want == 0 {
				continue
			}
			r := clients[who].get(tc.path)
			if r.status != want {
				t.Errorf("GET %s as %s: status %d, want %d", tc.path, who, r.status, want)
			}
		}
	}
	// An analyst outside the Cabinet Office is refused by the service,
	// with its code and its message in the page's language.
	shRefused(t, "the members as an agency's analyst", clients["agsan"].get("/council/members"), http.StatusForbidden, sharing.CodeNotCabinetOffice)

	for who, links := range map[string][]string{
		"author": {"/council", "/council/members", "/council/requests", "/advisories", "/advisories/new", "/advisories?state=in_review", "/shared"},
		"opr":    {"/council", "/council/consent", "/shared"},
		"police": {"/council", "/shared"},
	} {
		home := clients[who].get("/")
		for _, l := range links {
			if !strings.Contains(home.body, `href="`+l+`"`) {
				t.Errorf("%s's home page lacks the link %s", who, l)
			}
		}
	}
	if home := clients["opr"].get("/"); strings.Contains(home.body, `href="/advisories`) || strings.Contains(home.body, `href="/council/members"`) {
		t.Error("an operator's home page links to the advisories or the members")
	}
	for _, who := range []string{"public", "opr"} {
		if !strings.Contains(clients[who].get("/").body, `href="/alerts"`) {
			t.Errorf("%s's header lacks the link to the public alerts", who)
		}
	}
}

// TestCouncilConsentPages: an operator that is not a member reads the
// terms (§82) on the consent page; consent without the box ticked is a
// field error, and consent to terms other than those in force is refused
// with its code; then it joins, and its membership, with the consent on
// record, shows on /council. Withdrawing ends it at once. An agency is a
// member by what it is and gets no form.
func TestCouncilConsentPages(t *testing.T) {
	_, w := newShSite(t)
	ja := w.ja
	opu := w.as(t, "opu")

	page := opu.get("/council")
	contains(t, "non-member", page, ja("council.member.no"), ja("council.basis.none"), "中央鉄道")
	if !strings.Contains(page.body, `href="/council/consent"`) {
		t.Error("a non-member operator's council page does not link to the consent page")
	}
	checkPage(t, page.body, web.Japanese)
	checkTranslated(t, "council", page)

	consent := opu.get("/council/consent")
	terms := sharing.CurrentTerms()
	contains(t, "consent page", consent, ja("council.consent.art82"), "第82条", "2年以下の拘禁刑又は100万円以下の罰金", terms.Version, terms.SHA256)
	if !strings.Contains(consent.text(), strings.SplitN(terms.TextJA, "\n", 2)[0]) {
		t.Error("the consent page lacks the Japanese terms")
	}
	checkPage(t, consent.body, web.Japanese)
	checkTranslated(t, "consent", consent)
	en := w.as(t, "opu")
	en.get("/lang/en")
	contains(t, "consent page in English", en.get("/council/consent"), "§82", strings.SplitN(terms.Text, "\n", 2)[0])

	form := formValues(t, consent.body, "/council/consent")
	if form.Get("terms_version") != terms.Version || form.Get("terms_sha256") != terms.SHA256 {
		t.Fatalf("the consent form carries %q %q, want the terms in force", form.Get("terms_version"), form.Get("terms_sha256"))
	}
	r := opu.post("/council/consent", form)
	if r.status != http.StatusBadRequest || fieldError(t, r.body, "c-accept-label") == "" {
		t.Errorf("consent without accepting: status %d, field error %q; want 400 on the box", r.status, fieldError(t, r.body, "c-accept-label"))
	}
	old := url.Values{"csrf": form["csrf"], "terms_version": {"2024-0"}, "terms_sha256": {terms.SHA256}, "accept": {"on"}}
	shRefused(t, "consent to old terms", opu.post("/council/consent", old), http.StatusConflict, sharing.CodeTermsChanged)
	form.Set("accept", "on")
	if p := location(t, "consent", opu.post("/council/consent", form)); p != "/council" {
		t.Fatalf("consent redirected to %s", p)
	}
	page = opu.get("/council?done=joined")
	contains(t, "joined", page, ja("council.done.joined"), ja("council.member.yes"), ja("council.basis.consent"), ja("council.event.consent"), terms.SHA256)
	contains(t, "consent page after joining", opu.get("/council/consent"), ja("council.consent.already", jstShown(start)))
	shRefused(t, "consent twice", opu.post("/council/consent", form), http.StatusConflict, sharing.CodeAlreadyMember)

	// Withdrawal ends the membership at once.
	shStepOK(t, opu, "/council", "/council/withdraw", url.Values{"reason": {"事業の撤退"}}, "/council")
	page = opu.get("/council?done=withdrawn")
	contains(t, "withdrawn", page, ja("council.done.withdrawn"), ja("council.member.no"), ja("council.event.withdraw"), "事業の撤退")

	// An agency is a member by what it is: no consent form.
	police := w.as(t, "police")
	contains(t, "agency", police.get("/council"), ja("council.member.yes"), ja("council.basis.agency"))
	if strings.Contains(police.get("/council").body, `href="/council/consent"`) {
		t.Error("an agency's council page offers to join")
	}
}

// TestCouncilManagementPages: the Cabinet Office suspends a member with a
// reason (required) and reinstates it, each step in the member's history;
// keeps a group whose member list is first hidden from its members and
// then shown; grants and revokes clearances, never its own.
func TestCouncilManagementPages(t *testing.T) {
	_, w := newShSite(t)
	ja := w.ja
	author := w.as(t, "author")

	page := author.get("/council/members")
	wantStatus(t, "GET /council/members", page, http.StatusOK)
	checkPage(t, page.body, web.Japanese)
	checkTranslated(t, "members", page)
	contains(t, "members", page, "関東電力", "中央鉄道", "デジタル庁", ja("council.kind.vendor"))
	if strings.Contains(page.text(), "サイバー通信情報監理委員会") {
		t.Error("the commission is listed among the council's members")
	}
	ags := w.orgs["ags"].ID
	suspend := "/council/members/" + ags + "/suspend"
	if r := step(t, author, "/council/members", suspend, url.Values{"reason": {" "}}); r.status != http.StatusBadRequest || fieldError(t, r.body, "su-"+ags) == "" {
		t.Errorf("suspend without a reason: status %d, field error %q; want 400", r.status, fieldError(t, r.body, "su-"+ags))
	}
	shStepOK(t, author, "/council/members", suspend, url.Values{"reason": {"守秘義務違反の疑い"}}, "/council/members")
	row := textOf(findID(t, author.get("/council/members?done=suspended").body, "org-"+ags))
	if !strings.Contains(row, ja("council.suspended")) || !strings.Contains(row, "守秘義務違反の疑い") {
		t.Errorf("the suspended agency's row: %q", row)
	}
	shRefused(t, "suspend twice", step(t, author, "/council/members", suspend, url.Values{"reason": {"again"}}), http.StatusConflict, sharing.CodeAlreadySuspended)
	contains(t, "the agency's own page", w.as(t, "ags").get("/council"), ja("council.suspended"), "守秘義務違反の疑い")
	shStepOK(t, author, "/council/members", "/council/members/"+ags+"/reinstate", url.Values{"reason": {"調査の結果、違反なし"}}, "/council/members")
	contains(t, "history", author.get("/council/members/"+ags), ja("council.event.suspend"), ja("council.event.reinstate"), "調査の結果、違反なし")

	// Groups: hidden, then visible, to their members.
	groups := author.get("/council/groups")
	checkPage(t, groups.body, web.Japanese)
	if r := step(t, author, "/council/groups", "/council/groups", url.Values{"name": {" "}}); r.status != http.StatusBadRequest || fieldError(t, r.body, "g-name") == "" {
		t.Errorf("a group without a name: status %d, field error %q; want 400", r.status, fieldError(t, r.body, "g-name"))
	}
	r := step(t, author, "/council/groups", "/council/groups", url.Values{"name": {"電力 ISAC"}})
	gpath := location(t, "create group", r)
	if !regexp.MustCompile(`^/council/groups/[A-Za-z0-9_]+$`).MatchString(gpath) {
		t.Fatalf("create group redirected to %s", gpath)
	}
	for _, org := range []string{"opr", "opn"} {
		shStepOK(t, author, gpath, gpath+"/members", url.Values{"org_id": {w.orgs[org].ID}}, gpath)
	}
	shRefused(t, "add a non-member", step(t, author, gpath, gpath+"/members", url.Values{"org_id": {w.orgs["opu"].ID}}), http.StatusConflict, sharing.CodeOrgNotMember)
	gpage := author.get(gpath)
	checkPage(t, gpage.body, web.Japanese)
	checkTranslated(t, "group", gpage)
	contains(t, "group", gpage, "関東電力", "九州電力", ja("council.group.visible.no"))
	opr := w.as(t, "opr")
	contains(t, "hidden group", opr.get(gpath), "電力 ISAC", ja("council.group.hidden.note"))
	if strings.Contains(opr.get(gpath).text(), "九州電力") || strings.Contains(opr.get("/council").text(), "九州電力") {
		t.Error("a member sees the member list of a hidden group")
	}
	if r := w.as(t, "opu").get(gpath); r.status != http.StatusNotFound {
		t.Errorf("an organisation outside the group reads it: status %d, want 404", r.status)
	}
	shStepOK(t, author, gpath, gpath, url.Values{"name": {"電力 ISAC"}, "visible": {"on"}}, gpath)
	contains(t, "visible group", opr.get(gpath), "九州電力", ja("council.group.visible.yes"))
	contains(t, "visible group on /council", opr.get("/council"), "電力 ISAC", "九州電力")
	shStepOK(t, author, gpath, gpath+"/members/"+w.orgs["opn"].ID+"/remove", nil, gpath)
	if strings.Contains(opr.get(gpath).text(), "九州電力") {
		t.Error("a removed organisation is still listed")
	}

	// Clearances: never one's own; a grant shows on the user's page.
	cl := author.get("/council/clearances")
	checkPage(t, cl.body, web.Japanese)
	checkTranslated(t, "clearances", cl)
	contains(t, "clearances", cl, "none < confidential < secret")
	if strings.Contains(cl.body, `<option value="`+w.users["author"].ID+`"`) {
		t.Error("the grant form offers the viewer themself")
	}
	shRefused(t, "grant oneself", step(t, author, "/council/clearances", "/council/clearances",
		url.Values{"user_id": {w.users["author"].ID}, "level": {"secret"}, "reason": {"x"}}), http.StatusForbidden, sharing.CodeSelfClearance)
	if r := step(t, author, "/council/clearances", "/council/clearances", url.Values{"user_id": {w.users["opr"].ID}, "level": {"top"}, "reason": {"x"}}); r.status != http.StatusBadRequest || fieldError(t, r.body, "cg-level") == "" {
		t.Errorf("grant a level off the scale: status %d, field error %q; want 400 on the level", r.status, fieldError(t, r.body, "cg-level"))
	}
	shStepOK(t, author, "/council/clearances", "/council/clearances", url.Values{"user_id": {w.users["opr"].ID}, "level": {"confidential"}, "reason": {"SOC 責任者"}}, "/council/clearances")
	contains(t, "granted", author.get("/council/clearances?done=granted"), ja("council.done.granted"), "opr", "SOC 責任者")
	if got := textOf(findID(t, opr.get("/council").body, "clearance")); got != "confidential" {
		t.Errorf("opr's clearance reads %q, want confidential", got)
	}
	revoke := "/council/clearances/" + w.users["opr"].ID + "/revoke"
	shStepOK(t, author, "/council/clearances", revoke, url.Values{"reason": {"異動"}}, "/council/clearances")
	if got := textOf(findID(t, opr.get("/council").body, "clearance")); got != "none" {
		t.Errorf("opr's clearance after the revocation reads %q, want none", got)
	}
	shRefused(t, "revoke what is not held", step(t, author, "/council/clearances", revoke, url.Values{"reason": {"again"}}), http.StatusConflict, sharing.CodeNoClearance)
}

// TestCouncilRequestPages: the Cabinet Office asks a member for
// materials; the member finds the request, answers it, and the Cabinet
// Office reads the answer and closes it. A request to a non-member is
// refused with its code, and another member does not see it.
func TestCouncilRequestPages(t *testing.T) {
	s, w := newShSite(t)
	ja := w.ja
	author, opr := w.as(t, "author"), w.as(t, "opr")

	page := author.get("/council/requests")
	checkPage(t, page.body, web.Japanese)
	checkTranslated(t, "requests", page)
	if strings.Contains(page.body, `value="`+w.orgs["opu"].ID+`"`) {
		t.Error("the issue form offers a non-member")
	}
	due := jstLocal(s.clock.Now().Add(7 * 24 * time.Hour))
	req := url.Values{"org_id": {w.orgs["opu"].ID}, "reason": {"事案の分析"}, "request": {"VPN 装置のログ（4月1日以降）"}, "due": {due}}
	shRefused(t, "ask a non-member", step(t, author, "/council/requests", "/council/requests", req), http.StatusConflict, sharing.CodeOrgNotMember)
	req.Set("org_id", w.orgs["opr"].ID)
	req.Set("due", "tomorrow")
	if r := step(t, author, "/council/requests", "/council/requests", req); r.status != http.StatusBadRequest || fieldError(t, r.body, "ri-due") == "" {
		t.Errorf("a bad due time: status %d, field error %q; want 400 on the due time", r.status, fieldError(t, r.body, "ri-due"))
	}
	req.Set("due", due)
	r := step(t, author, "/council/requests", "/council/requests", req)
	rpath := location(t, "issue", r)
	contains(t, "issued", author.get(rpath+"?done=issued"), ja("council.done.issued"), "関東電力", "VPN 装置のログ（4月1日以降）", ja("order.state.open"))

	list := opr.get("/council/requests")
	if !strings.Contains(list.body, `href="`+rpath+`"`) {
		t.Fatal("the member's list lacks the request")
	}
	if strings.Contains(list.body, `id="issue-form"`) {
		t.Error("a member is offered the issue form")
	}
	if r := w.as(t, "opn").get(rpath); r.status != http.StatusNotFound {
		t.Errorf("another member reads the request: status %d, want 404", r.status)
	}
	page = opr.get(rpath)
	checkPage(t, page.body, web.Japanese)
	if !strings.Contains(page.body, `id="answer-form"`) || strings.Contains(page.body, `id="close-form"`) {
		t.Fatal("the member's request page does not offer exactly the answer form")
	}
	if r := step(t, opr, rpath, rpath+"/answer", url.Values{"text": {" "}}); r.status != http.StatusBadRequest || fieldError(t, r.body, "ra-text") == "" {
		t.Errorf("an empty answer: status %d, field error %q; want 400", r.status, fieldError(t, r.body, "ra-text"))
	}
	shStepOK(t, opr, rpath, rpath+"/answer", url.Values{"text": {"ログを提出します。"}}, rpath)
	contains(t, "answered", author.get(rpath), ja("order.state.answered"), "ログを提出します。")
	shStepOK(t, author, rpath, rpath+"/close", url.Values{"text": {"受理した。"}}, rpath)
	page = opr.get(rpath + "?done=closed")
	contains(t, "closed", page, ja("order.state.closed"), "受理した。")
	if strings.Contains(page.body, `id="answer-form"`) {
		t.Error("a closed request offers the answer form")
	}

	// An agency's user answers too.
	req.Set("org_id", w.orgs["npa"].ID)
	rpath = location(t, "issue to the police", step(t, author, "/council/requests", "/council/requests", req))
	police := w.as(t, "police")
	shStepOK(t, police, rpath, rpath+"/answer", url.Values{"text": {"警察庁の分析結果を提出します。"}}, rpath)
	contains(t, "the police's answer", author.get(rpath), ja("order.state.answered"), "警察庁の分析結果を提出します。")
}
