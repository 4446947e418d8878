package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/acd-platform/acd/internal/sharing"
	"github.com/acd-platform/acd/internal/sharing/sharingtest"
	"github.com/acd-platform/acd/internal/web"
)

// TestAdvisoryFlowPages takes a TLP:CLEAR advisory through the pages:
// the author's form shows a bad indicator on its line and keeps what was
// typed; an incomplete draft is refused review with its code; the author
// completes it and submits it, and may not publish it; the reviewer
// returns it with a comment, which the author sees; resubmitted, the
// reviewer publishes it. Then the public alerts list it, its page shows
// both parts, the Atom feed carries it, and a council member's inbox has
// its notice.
func TestAdvisoryFlowPages(t *testing.T) {
	_, w := newShSite(t)
	ja := w.ja
	author, reviewer := w.as(t, "author"), w.as(t, "reviewer")

	page := author.get("/advisories/new")
	wantStatus(t, "GET /advisories/new", page, http.StatusOK)
	checkPage(t, page.body, web.Japanese)
	checkTranslated(t, "advisory form", page)
	for _, want := range []string{`id="a-tlp-amber-strict"`, `value="` + w.orgs["opr"].ID + `"`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the advisory form lacks %s", want)
		}
	}
	if strings.Contains(page.body, `value="`+w.orgs["opu"].ID+`"`) {
		t.Error("the advisory form offers an operator that is not a council member as a recipient")
	}

	// A bad indicator is shown on its line; the form keeps what was typed.
	bad := completeAdvisory("VPN 装置を狙う攻撃", "clear")
	bad.Set("indicators", "203.0.113.7\nsha256 not-a-hash")
	bad.Set("csrf", author.csrf("/advisories/new"))
	r := author.post("/advisories", bad)
	if r.status != http.StatusBadRequest || !strings.Contains(fieldError(t, r.body, "a-indicators"), ja("form.line", 2)) {
		t.Errorf("bad indicator: status %d, field error %q; want 400 on line 2", r.status, fieldError(t, r.body, "a-indicators"))
	}
	if !strings.Contains(r.text(), "sha256 not-a-hash") || !strings.Contains(r.text(), "諜報と事前の侵入。") {
		t.Error("the refused form lost what was typed")
	}
	// A RED recipient that is no user is named.
	bad = completeAdvisory("宛先の誤り", "red")
	bad.Set("users", "oprs, nobody")
	bad.Set("csrf", author.csrf("/advisories/new"))
	if r := author.post("/advisories", bad); r.status != http.StatusBadRequest || !strings.Contains(fieldError(t, r.body, "a-users"), `"nobody"`) {
		t.Errorf("unknown recipient: status %d, field error %q; want 400 naming nobody", r.status, fieldError(t, r.body, "a-users"))
	}

	// A draft without its executive part is saved but may not be reviewed.
	draft := completeAdvisory("VPN 装置を狙う攻撃", "clear")
	for _, f := range []string{"background", "purpose", "impact", "actions"} {
		draft.Del(f)
	}
	advPath := draftAdvisory(t, author, draft)
	id := strings.TrimPrefix(advPath, "/advisories/")
	page = author.get(advPath + "?done=created")
	contains(t, "draft", page, ja("advisory.done.created"), ja("advisory.state.draft"), "VPN 装置を狙う攻撃", "evil.example", "T1059.001", "Exploit Public-Facing Application")
	checkPage(t, page.body, web.Japanese)
	checkTranslated(t, "advisory page", page)
	r = step(t, author, advPath, advPath+"/submit", nil)
	shRefused(t, "submit an incomplete draft", r, http.StatusConflict, sharing.CodeIncomplete)

	// The author completes the draft in the edit form, which opens with
	// the draft as saved, and submits it.
	edit := author.get(advPath + "/edit")
	wantStatus(t, "GET edit", edit, http.StatusOK)
	form := formValues(t, edit.body, advPath)
	for _, f := range []string{"title", "tech_summary", "hunting"} {
		if form.Get(f) != draft.Get(f) {
			t.Errorf("the edit form's %s = %q, want %q", f, form.Get(f), draft.Get(f))
		}
	}
	if !strings.Contains(form.Get("indicators"), "domain evil.example") || !strings.Contains(form.Get("techniques"), "T1190 Exploit Public-Facing Application") {
		t.Errorf("the edit form's lists: %q, %q", form.Get("indicators"), form.Get("techniques"))
	}
	for _, f := range []string{"background", "purpose", "impact", "actions"} {
		form.Set(f, completeAdvisory("", "").Get(f))
	}
	shStepOK(t, author, advPath+"/edit", advPath, form, advPath)
	shStepOK(t, author, advPath, advPath+"/submit", nil, advPath)
	contains(t, "submitted", author.get(advPath+"?done=submitted"), ja("advisory.done.submitted"), ja("advisory.state.in_review"))

	// The author may not review their own advisory.
	r = step(t, author, advPath, advPath+"/publish", nil)
	shRefused(t, "the author publishes", r, http.StatusForbidden, sharing.CodeSelfReview)
	if strings.Contains(author.get(advPath).body, `id="publish-form"`) {
		t.Error("the author is offered the review forms")
	}

	// The reviewer finds it in review and returns it with a comment.
	list := reviewer.get("/advisories?state=in_review")
	if ids := linkedIDs(t, list.body, "/advisories/"); len(ids) != 1 || ids[0] != id {
		t.Fatalf("the reviewer's list in review: %v, want [%s]", ids, id)
	}
	page = reviewer.get(advPath)
	if !strings.Contains(page.body, `id="publish-form"`) || !strings.Contains(page.body, `id="return-form"`) {
		t.Fatal("the reviewer is not offered the review forms")
	}
	if r := step(t, reviewer, advPath, advPath+"/return", url.Values{"comment": {" "}}); r.status != http.StatusBadRequest || fieldError(t, r.body, "rt-comment") == "" {
		t.Errorf("return without a comment: status %d, field error %q; want 400", r.status, fieldError(t, r.body, "rt-comment"))
	}
	shStepOK(t, reviewer, advPath, advPath+"/return", url.Values{"comment": {"ハンティングの指針に対象期間を加えること。"}}, advPath)
	contains(t, "returned", author.get(advPath), ja("advisory.state.draft"), ja("advisory.return_comment"), "ハンティングの指針に対象期間を加えること。")

	// Resubmitted, the reviewer publishes it.
	shStepOK(t, author, advPath, advPath+"/submit", nil, advPath)
	shStepOK(t, reviewer, advPath, advPath+"/publish", nil, advPath)
	page = reviewer.get(advPath + "?done=published")
	contains(t, "published", page, ja("advisory.done.published"), ja("advisory.state.published"))
	if !strings.Contains(page.body, `href="/alerts/`+id+`"`) {
		t.Error("the published alert's advisory page does not link to its public page")
	}

	// The public alert: listed, both parts on its page, in the feed.
	public := w.as(t, "public")
	alerts := public.get("/alerts")
	wantStatus(t, "GET /alerts", alerts, http.StatusOK)
	checkPage(t, alerts.body, web.Japanese)
	checkTranslated(t, "alerts", alerts)
	if ids := linkedIDs(t, alerts.body, "/alerts/"); len(ids) != 1 || ids[0] != id {
		t.Errorf("/alerts lists %v, want [%s]", ids, id)
	}
	if !strings.Contains(alerts.body, `href="/alerts.atom"`) {
		t.Error("/alerts does not link to the Atom feed")
	}
	alert := public.get("/alerts/" + id)
	wantStatus(t, "GET the alert", alert, http.StatusOK)
	checkPage(t, alert.body, web.Japanese)
	contains(t, "alert", alert, "VPN 装置を狙う攻撃", "電力事業者を狙う攻撃キャンペーンが続いている。", "料金システムの制御を失うおそれ。",
		"VPN のログで、未知のアドレスから /dana-na/ への POST を探す。", "203.0.113.7", "C2 サーバ", "[url:value = 'https://evil.example/a']",
		ja("advisory.executive"), ja("advisory.technical"), ja("advisory.hunting"), "TLP:CLEAR")
	if !strings.Contains(alert.body, `href="https://attack.mitre.org/techniques/T1059/001/"`) {
		t.Error("the alert does not link T1059.001 to MITRE ATT&CK")
	}
	en := w.as(t, "public")
	en.get("/lang/en")
	contains(t, "alert in English", en.get("/alerts/"+id), w.en("advisory.executive"), w.en("advisory.hunting"), w.en("alert.issuer.name"))
	feed := public.get("/alerts.atom")
	wantStatus(t, "GET /alerts.atom", feed, http.StatusOK)
	f := sharingtest.CheckAtom(t, []byte(feed.body))
	if len(f.Entries) != 1 || f.Entries[0].ID != "urn:acd:advisory:"+id+":1" || !strings.HasSuffix(f.Entries[0].Links[0].Href, "/alerts/"+id) ||
		!strings.Contains(f.Entries[0].Summary.Text, "料金システムの制御を失うおそれ。") {
		t.Errorf("the feed's entries: %+v; want the alert's, with its executive part", f.Entries)
	}

	// Every council member organisation is told; an operator that never
	// joined is not.
	inbox := w.as(t, "opn").get("/inbox")
	contains(t, "member's inbox", inbox, "[TLP:CLEAR] VPN 装置を狙う攻撃")
	if !strings.Contains(inbox.body, `href="/alerts/`+id+`"`) {
		t.Error("the member's notice does not link to the alert")
	}
	if strings.Contains(w.as(t, "opu").get("/inbox").text(), "VPN 装置を狙う攻撃") {
		t.Error("an operator that is not a council member got the notice")
	}

	// Withdrawn, it leaves the public pages and the feed.
	shStepOK(t, reviewer, advPath, advPath+"/withdraw", url.Values{"reason": {"誤報であった。"}}, advPath)
	if ids := linkedIDs(t, public.get("/alerts").body, "/alerts/"); len(ids) != 0 {
		t.Errorf("/alerts still lists %v after the withdrawal", ids)
	}
	if r := public.get("/alerts/" + id); r.status != http.StatusNotFound {
		t.Errorf("the withdrawn alert's page: status %d, want 404", r.status)
	}
}

// TestAmberFlowPages: a TLP:AMBER advisory addressed through the form to
// Kanto Power reaches its inbox (naming only the level); its users read
// it on /shared (each read audited), download its STIX bundle, and
// forward it to Kyushu Power, which is told and reads it. A TLP:GREEN
// item may not be forwarded, and a recipient outside the council is
// refused. A correction is a new revision that supersedes the first.
func TestAmberFlowPages(t *testing.T) {
	s, w := newShSite(t)
	ja := w.ja
	author, reviewer := w.as(t, "author"), w.as(t, "reviewer")

	// A recipient outside the council is refused with its code.
	form := completeAdvisory("変電所を狙う C2", "amber")
	form.Set("orgs", w.orgs["opu"].ID)
	form.Set("csrf", author.csrf("/advisories/new"))
	shRefused(t, "address a non-member", author.post("/advisories", form), http.StatusConflict, sharing.CodeOrgNotMember)

	form.Set("orgs", w.orgs["opr"].ID)
	form.Set("clearance", "")
	advPath := draftAdvisory(t, author, form)
	id := strings.TrimPrefix(advPath, "/advisories/")
	shStepOK(t, author, advPath, advPath+"/submit", nil, advPath)
	shStepOK(t, reviewer, advPath, advPath+"/publish", nil, advPath)

	opr := w.as(t, "opr")
	inbox := opr.get("/inbox")
	contains(t, "recipient's inbox", inbox, "TLP:AMBER")
	if strings.Contains(inbox.text(), "変電所を狙う C2") {
		t.Error("the notice of an AMBER item names its title")
	}
	if !strings.Contains(inbox.body, `href="/shared/`+id+`"`) {
		t.Error("the notice does not link to the shared item")
	}

	reads := countAudit(t, s, "shared.read")
	list := opr.get("/shared")
	if ids := linkedIDs(t, list.body, "/shared/"); len(ids) != 1 || ids[0] != id {
		t.Fatalf("Kanto Power's /shared lists %v, want [%s]", ids, id)
	}
	checkPage(t, list.body, web.Japanese)
	item := opr.get("/shared/" + id)
	wantStatus(t, "GET the item", item, http.StatusOK)
	checkPage(t, item.body, web.Japanese)
	checkTranslated(t, "shared item", item)
	contains(t, "item", item, "変電所を狙う C2", "TLP:AMBER", ja("tlp.means.amber"), ja("shared.to_your_org"), "電力事業者を狙う攻撃キャンペーンが続いている。")
	if got := countAudit(t, s, "shared.read"); got != reads+2 {
		t.Errorf("reading the list and the item wrote %d shared.read entries, want 2", got-reads)
	}
	if !strings.Contains(item.body, `id="forward-form"`) {
		t.Fatal("a recipient of an AMBER item is not offered the forward form")
	}
	bundle := opr.get("/shared/" + id + "/stix")
	if bundle.status != http.StatusOK || !strings.HasPrefix(bundle.header.Get("Content-Type"), "application/stix+json") ||
		!strings.HasPrefix(bundle.header.Get("Content-Disposition"), "attachment") {
		t.Errorf("GET the STIX bundle: status %d, %q, %q", bundle.status, bundle.header.Get("Content-Type"), bundle.header.Get("Content-Disposition"))
	}
	var b struct {
		Type    string           `json:"type"`
		Objects []map[string]any `json:"objects"`
	}
	if err := json.Unmarshal([]byte(bundle.body), &b); err != nil || b.Type != "bundle" || len(b.Objects) == 0 {
		t.Errorf("the STIX download is not a bundle: %v, %q", err, b.Type)
	}
	if r := w.as(t, "opn").get("/shared/" + id); r.status != http.StatusNotFound {
		t.Errorf("Kyushu Power reads the item before the forward: status %d, want 404", r.status)
	}

	// Forward to Kyushu Power: a reason is required; then told and read.
	if r := step(t, opr, "/shared/"+id, "/shared/"+id+"/forward", url.Values{"org_id": {w.orgs["opn"].ID}}); r.status != http.StatusBadRequest || fieldError(t, r.body, "fw-reason") == "" {
		t.Errorf("forward without a reason: status %d, field error %q; want 400", r.status, fieldError(t, r.body, "fw-reason"))
	}
	shStepOK(t, opr, "/shared/"+id, "/shared/"+id+"/forward", url.Values{"org_id": {w.orgs["opn"].ID}, "reason": {"同じ型の変電所を運用している。"}}, "/shared/"+id)
	contains(t, "forwarded", opr.get("/shared/"+id+"?done=forwarded"), ja("shared.done.forwarded"), "九州電力", "同じ型の変電所を運用している。")
	opn := w.as(t, "opn")
	if !strings.Contains(opn.get("/inbox").body, `href="/shared/`+id+`"`) {
		t.Error("Kyushu Power was not told of the forward")
	}
	wantStatus(t, "Kyushu Power reads the forwarded item", opn.get("/shared/"+id), http.StatusOK)
	r := step(t, opr, "/shared/"+id, "/shared/"+id+"/forward", url.Values{"org_id": {w.orgs["opu"].ID}, "reason": {"x"}})
	shRefused(t, "forward to a non-member", r, http.StatusConflict, sharing.CodeOrgNotMember)

	// A GREEN item has no forward form, and a forward posted is refused.
	green := completeAdvisory("全構成員への注意", "green")
	greenPath := draftAdvisory(t, author, green)
	gid := strings.TrimPrefix(greenPath, "/advisories/")
	shStepOK(t, author, greenPath, greenPath+"/submit", nil, greenPath)
	shStepOK(t, reviewer, greenPath, greenPath+"/publish", nil, greenPath)
	if strings.Contains(opr.get("/shared/"+gid).body, `id="forward-form"`) {
		t.Error("a GREEN item offers the forward form")
	}
	r = step(t, opr, "/shared/"+gid, "/shared/"+gid+"/forward", url.Values{"org_id": {w.orgs["opn"].ID}, "reason": {"x"}})
	shRefused(t, "forward a GREEN item", r, http.StatusForbidden, sharing.CodeNotForwardable)

	// A correction: revision 2 supersedes revision 1 once published.
	if p := location(t, "revise", step(t, author, advPath, advPath+"/revise", nil)); p != advPath+"/edit" {
		t.Fatalf("revise redirected to %s, want the edit form", p)
	}
	// While the correction is written, revision 1 is still the one
	// published, and may be withdrawn; no second correction is offered.
	rev1 := reviewer.get(advPath + "?revision=1")
	if !strings.Contains(rev1.body, `id="withdraw-form"`) || strings.Contains(rev1.body, `id="revise-form"`) {
		t.Error("revision 1, published while its correction is a draft, does not offer exactly the withdrawal")
	}
	edit := author.get(advPath + "/edit?done=revised")
	contains(t, "revision", edit, ja("advisory.done.revised", 2))
	form = formValues(t, edit.body, advPath)
	if !slices.Contains(form["orgs"], w.orgs["opr"].ID) {
		t.Errorf("the revision's form addresses %q, want Kanto Power among them", form["orgs"])
	}
	form.Set("actions", "VPN 装置を直ちに更新し、管理者パスワードを変更する。")
	shStepOK(t, author, advPath+"/edit", advPath, form, advPath)
	shStepOK(t, author, advPath, advPath+"/submit", nil, advPath)
	shStepOK(t, reviewer, advPath, advPath+"/publish", nil, advPath)
	page := reviewer.get(advPath)
	contains(t, "revision 2", page, ja("advisory.supersedes", 1), "管理者パスワードを変更する。")
	contains(t, "revision 1", reviewer.get(advPath+"?revision=1"), ja("advisory.state.superseded"))
	if r := reviewer.get(advPath + "?revision=9"); r.status != http.StatusBadRequest {
		t.Errorf("GET revision 9 of 2: status %d, want 400", r.status)
	}
	contains(t, "item revision 2", opr.get("/shared/"+id), "管理者パスワードを変更する。", ja("advisory.supersedes", 1))
}

// countAudit counts the audit-log entries with action.
func countAudit(t *testing.T, s *site, action string) int {
	t.Helper()
	es, err := s.srv.Log.Entries(s.ctx, 0, 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range es {
		if e.Action == action {
			n++
		}
	}
	return n
}
