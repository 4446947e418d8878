package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/oversight"
	"github.com/acd-platform/acd/internal/selection/criteria"
	"github.com/acd-platform/acd/internal/store/storetest"
	"github.com/acd-platform/acd/internal/web"
)

// oversightUsers are the people of the oversight tests: sato, an operator
// of Kanto Power; nco, an analyst of the Cabinet Office; and the
// commission's chair and two members, m1 and m2, who log in with TOTP.
func oversightUsers(t *testing.T, s *site) {
	t.Helper()
	s.operator(t, "sato", "佐藤 花子")
	s.orgUser(t, auth.NewOrg{Name: "National Cybersecurity Office", NameJA: "国家サイバー統括室", Kind: auth.OrgCabinetOff}, "nco", auth.RoleAnalyst)
	comm, err := s.srv.Auth.CreateOrg(s.ctx, nil, auth.NewOrg{Name: "Cyber Communications Information Supervisory Commission",
		NameJA: "サイバー通信情報監理委員会", Kind: auth.OrgCommission})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct {
		name string
		role auth.Role
	}{{"chair", auth.RoleCommissionChair}, {"m1", auth.RoleCommissionMember}, {"m2", auth.RoleCommissionMember}} {
		// Privileged roles need a second admin's confirmation; the test
		// seeds them directly (set-up, not the path under test).
		if _, err := s.srv.Auth.SeedUser(s.ctx, auth.NewUser{Username: u.name, DisplayName: u.name, OrgID: comm.ID,
			Roles: []auth.Role{u.role}, Password: password}); err != nil {
			t.Fatalf("seed %s: %v", u.name, err)
		}
	}
}

// critFile is a valid criteria file of three rules selecting dirs over
// [from, until).
func critFile(id string, from, until time.Time, dirs ...string) []byte {
	return fmt.Appendf(nil, `{
  "schema": "acd.selection.criteria/v1",
  "id": %q,
  "version": 1,
  "authority": "ACQ-WEB",
  "directions": ["%s"],
  "valid_from": %q,
  "valid_until": %q,
  "rules": [
    {"id": "c2-servers", "addresses": ["203.0.113.0/24", "2001:db8:bad::/48", "198.51.100.7"], "ports": ["tcp/443", "udp/53", "icmp"]},
    {"id": "phish-domains", "domains": {"exact": ["login-example.test"], "suffix": ["evil.example"]}},
    {"id": "webshell", "commands": ["POST /A3fe", "cmd.exe"], "ports": ["tcp/80"]}
  ]
}
`, id, strings.Join(dirs, `", "`), from.UTC().Format(time.RFC3339), until.UTC().Format(time.RFC3339))
}

// matchers counts the matchers of a criteria file.
func matchers(t *testing.T, b []byte) int {
	t.Helper()
	set, err := criteria.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	return set.Matchers()
}

// window is the test filings' period: from a day after the clock's start
// for 30 days.
func window() (time.Time, time.Time) {
	return start.Add(24 * time.Hour), start.Add(31 * 24 * time.Hour)
}

// fileRequest files a chapter 6 request with crit by the form as the page
// renders it and returns the request's path.
func fileRequest(t *testing.T, c *client, crit []byte) string {
	t.Helper()
	form := formValues(t, c.get("/acquisitions/new").body, "/acquisitions")
	form.Set("chapter", "ch6")
	form.Set("addresses", "203.0.113.0/24\n198.51.100.10-198.51.100.20")
	form.Set("asns", "AS64500")
	form.Set("suspicion", "電力会社を狙う攻撃のC2サーバと疑われる。")
	form.Set("other_means", "サーバは国外にあり、事業者は三度の照会に回答していない。")
	form["directions"] = []string{"foreign-domestic", "domestic-foreign"}
	return location(t, "POST /acquisitions", c.postFile("/acquisitions", form, "criteria_file", "criteria.json", "application/json", crit))
}

var (
	motionAction   = regexp.MustCompile(`action="/motions/(mot_[^/"]+)/votes"`)
	approvalLink   = regexp.MustCompile(`href="/approvals/(apv_[^/"]+)"`)
	agreementLinkR = regexp.MustCompile(`^/agreements/(agr_[^/?]+)$`)
)

// TestOversightPages walks a request through the pages: the analyst files
// it with its criteria file; the commission sees it waiting in the queue;
// a member moves to approve it narrowed; the chair and both members vote
// (a second vote is refused, an analyst may not vote and a member may not
// close); the chair closes the motion; the analyst downloads the manifest
// and the criteria file, exact bytes, and issues a sensor token; the
// chair revokes the approval.
func TestOversightPages(t *testing.T) {
	s := newSite(t, storetest.SQLite(t))
	oversightUsers(t, s)
	ja := func(key string, args ...any) string { return s.msgs.T(web.Japanese, key, args...) }

	an := s.client(t)
	an.login("nco")
	home := an.get("/")
	for link, key := range map[string]string{"/acquisitions/new": "action.acquisition.file", "/acquisitions": "action.acquisition.read",
		"/agreements": "action.agreement.read", "/approvals": "action.manifest.download"} {
		if !strings.Contains(home.body, `href="`+link+`"`) || !strings.Contains(home.text(), ja(key)) {
			t.Errorf("analyst's home page lacks the link %s (%s)", link, ja(key))
		}
	}

	from, until := window()
	crit := critFile("crit-web-6", from, until, "foreign-domestic", "domestic-foreign")
	reqPath := fileRequest(t, an, crit)
	page := an.get(reqPath + "?done=filed")
	if page.status != http.StatusOK {
		t.Fatalf("GET %s: status %d", reqPath, page.status)
	}
	for _, want := range []string{ja("acquisition.done.filed"), ja("acquisition.state.pending"), "crit-web-6", ja("oversight.criteria.rules_n", 3, matchers(t, crit)),
		"203.0.113.0/24", "198.51.100.10-198.51.100.20", "AS64500", "電力会社を狙う攻撃", "2026-04-03 05:30 JST"} {
		if !strings.Contains(page.text(), want) {
			t.Errorf("request page lacks %q", want)
		}
	}
	if r := an.get(reqPath + "/criteria"); r.body != string(crit) || !strings.HasPrefix(r.header.Get("Content-Disposition"), "attachment") {
		t.Errorf("GET criteria filed: %d bytes, disposition %q; want the %d bytes uploaded as an attachment", len(r.body), r.header.Get("Content-Disposition"), len(crit))
	}
	for _, a := range formActions(t, page.body) {
		if strings.HasSuffix(a, "/motions") {
			t.Errorf("the analyst's request page has the form %s to move a motion", a)
		}
	}
	filedAt := s.clock.Now()

	// The commission's queue shows how long the request has waited.
	s.clock.Advance(3*time.Hour + 20*time.Minute)
	chair, m1, m2 := s.client(t), s.client(t), s.client(t)
	chair.loginTOTP("chair")
	q := chair.get("/commission")
	waited := s.clock.Now().Sub(filedAt)
	wantWait := ja("oversight.elapsed.hm", int(waited.Hours()), int(waited.Minutes())%60)
	if wantWait != "3時間20分" {
		t.Fatalf("test set-up: waited %v", waited)
	}
	reqID := strings.TrimPrefix(reqPath, "/acquisitions/")
	if row := rowOf(t, q.body, reqID); len(row) < 6 || row[2] != "2026-04-02 05:30 JST" || row[3] != wantWait || row[4] != ja("commission.no_motion") {
		t.Errorf("queue row of %s = %q; want filed 2026-04-02 05:30 JST, waiting %s, no motion", reqID, row, wantWait)
	}
	m1.loginTOTP("m1")
	m2.loginTOTP("m2")

	// m1 moves to approve narrowed: ten days shorter, without the webshell rule.
	page = m1.get(reqPath)
	form := formValues(t, page.body, reqPath+"/motions")
	form.Set("kind", "approve_narrowed")
	form.Set("statement", "期間を短縮し、webshell 規則を除いて承認する。")
	newUntil := until.Add(-10 * 24 * time.Hour)
	form.Set("valid_until", newUntil.In(time.FixedZone("JST", 9*3600)).Format("2006-01-02T15:04"))
	form.Set("remove_rules", "webshell")
	location(t, "POST motions", m1.post(reqPath+"/motions", form))
	page = m1.get(reqPath)
	mm := motionAction.FindStringSubmatch(page.body)
	if mm == nil {
		t.Fatalf("after the motion, m1's request page has no vote form; errors: %s", errorsOf(page.body))
	}
	mid := mm[1]
	narrowed, err := s.srv.Oversight.MotionCriteria(s.ctx, &auth.Principal{UserID: "x", Roles: []auth.Role{auth.RoleCommissionMember}}, mid)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{ja("motion.kind.approve_narrowed"), ja("motion.state.open"), ja("oversight.criteria.version", 2),
		ja("oversight.criteria.rules_n", 2, matchers(t, narrowed)), "webshell", "2026-04-23 05:30 JST"} {
		if !strings.Contains(page.text(), want) {
			t.Errorf("request page with the motion lacks %q", want)
		}
	}
	if r := m1.get("/motions/" + mid + "/criteria"); r.status != http.StatusOK || r.body != string(narrowed) {
		t.Errorf("GET the narrowed file: status %d, %d bytes; want the %d bytes voted on", r.status, len(r.body), len(narrowed))
	}

	// An analyst sees no vote form, and posting one is refused.
	page = an.get(reqPath)
	for _, a := range formActions(t, page.body) {
		if strings.HasPrefix(a, "/motions/") {
			t.Errorf("the analyst's request page has the form %s", a)
		}
	}
	if r := an.post("/motions/"+mid+"/votes", url.Values{"csrf": {an.csrf("/")}, "vote": {"yes"}, "reasons": {"x"}}); r.status != http.StatusForbidden {
		t.Errorf("analyst POST vote: status %d, want 403", r.status)
	}

	// The three vote yes; m1 once only.
	for _, c := range []*client{chair, m1, m2} {
		form := formValues(t, c.get(reqPath).body, "/motions/"+mid+"/votes")
		form.Set("vote", "yes")
		form.Set("reasons", "必要かつ相当である。")
		location(t, "POST vote", c.post("/motions/"+mid+"/votes", form))
	}
	page = m1.get(reqPath)
	if strings.Contains(page.body, `action="/motions/`+mid+`/votes"`) {
		t.Error("m1's page still has the vote form after m1 voted")
	}
	votedMsg, _, _ := strings.Cut(ja("motion.voted", ja("motion.choice.yes"), "\x00"), "\x00")
	if !strings.Contains(page.text(), votedMsg) || !strings.Contains(page.text(), ja("motion.so_far", 3, 0, 0)) {
		t.Error("m1's page does not show m1's vote and the count so far")
	}
	r := m1.post("/motions/"+mid+"/votes", url.Values{"csrf": {m1.csrf("/")}, "vote": {"no"}, "reasons": {"考えを変えた。"}})
	if r.status != http.StatusConflict || !strings.Contains(r.text(), ja("error.conflict")) || !strings.Contains(r.text(), ja("motion.kind.approve_narrowed")) {
		t.Errorf("second vote: status %d; want 409 with the message on the request page; errors: %s", r.status, errorsOf(r.body))
	}
	checkPage(t, r.body, web.Japanese)

	// A member may not close; the chair does.
	if r := m1.post("/motions/"+mid+"/close", url.Values{"csrf": {m1.csrf("/")}}); r.status != http.StatusForbidden {
		t.Errorf("member POST close: status %d, want 403", r.status)
	}
	page = chair.get(reqPath)
	location(t, "POST close", chair.post("/motions/"+mid+"/close", formValues(t, page.body, "/motions/"+mid+"/close")))
	page = chair.get(reqPath)
	for _, want := range []string{ja("acquisition.state.approved"), ja("motion.state.carried"), ja("motion.tally.carried"), ja("motion.tally.counts", 3, 0, 0),
		ja("motion.tally.present", 3, 2), ja("motion.tally.quorum"), ja("motion.decided.approve_narrowed")} {
		if !strings.Contains(page.text(), want) {
			t.Errorf("decided request page lacks %q", want)
		}
	}
	am := approvalLink.FindStringSubmatch(page.body)
	if am == nil {
		t.Fatal("the decided request's page has no link to its approval")
	}
	apvPath := "/approvals/" + am[1]
	if r := chair.get("/commission"); strings.Contains(r.body, reqID) {
		t.Error("the decided request is still in the queue")
	}

	// The analyst downloads the manifest and the criteria file.
	page = an.get(apvPath)
	for _, want := range []string{ja("approval.state.active"), ja("approval.narrowed.yes"), ja("oversight.basis.ch6"), "AS64500", "2026-04-23 05:30 JST"} {
		if !strings.Contains(page.text(), want) {
			t.Errorf("approval page lacks %q", want)
		}
	}
	wantManifest, _, err := s.srv.Oversight.Manifest(s.ctx, am[1])
	if err != nil {
		t.Fatal(err)
	}
	wantCrit, _, err := s.srv.Oversight.ApprovalCriteria(s.ctx, am[1])
	if err != nil {
		t.Fatal(err)
	}
	if string(wantCrit) != string(narrowed) {
		t.Error("the approval's criteria file is not the narrowed file voted on")
	}
	for path, want := range map[string][]byte{apvPath + "/manifest": wantManifest, apvPath + "/criteria": wantCrit} {
		r := an.get(path)
		if r.status != http.StatusOK || r.body != string(want) || !strings.HasPrefix(r.header.Get("Content-Disposition"), "attachment; filename=") ||
			r.header.Get("Content-Type") != "application/json" {
			t.Errorf("GET %s: status %d, %d bytes, type %q, disposition %q; want the %d exact bytes as a JSON attachment",
				path, r.status, len(r.body), r.header.Get("Content-Type"), r.header.Get("Content-Disposition"), len(want))
		}
	}
	if r := chair.get(apvPath + "/manifest"); r.status != http.StatusForbidden {
		t.Errorf("chair GET manifest: status %d, want 403 (analysts download)", r.status)
	}
	if strings.Contains(chair.get(apvPath).body, apvPath+"/manifest") {
		t.Error("the chair's approval page links to the manifest download")
	}

	// A sensor token, shown once.
	form = formValues(t, page.body, apvPath+"/sensor-tokens")
	form.Set("name", "東京IX 回線3 センサー1")
	r = an.post(apvPath+"/sensor-tokens", form)
	tok := regexp.MustCompile(oversight.SensorTokenPrefix + `[A-Za-z0-9_-]{43}`).FindString(r.body)
	if r.status != http.StatusCreated || tok == "" {
		t.Fatalf("POST sensor-tokens: status %d, token %q; want 201 showing the token; errors: %s", r.status, tok, errorsOf(r.body))
	}
	if p, err := s.srv.Oversight.ResolveSensorToken(s.ctx, tok); err != nil || p.Sensor != am[1] {
		t.Errorf("the token shown resolves to %+v, %v; want a sensor of %s", p, err, am[1])
	}
	if r := an.get(apvPath); strings.Contains(r.body, tok) || !strings.Contains(r.text(), "東京IX 回線3 センサー1") {
		t.Error("the approval page shows the token again, or does not list it")
	}

	// A second token, revoked by its form with a reason.
	form = formValues(t, an.get(apvPath).body, apvPath+"/sensor-tokens")
	form.Set("name", "予備センサー")
	r = an.post(apvPath+"/sensor-tokens", form)
	tok2 := regexp.MustCompile(oversight.SensorTokenPrefix + `[A-Za-z0-9_-]{43}`).FindString(r.body)
	tm := regexp.MustCompile(`action="(`+regexp.QuoteMeta(apvPath)+`/sensor-tokens/[^/"]+/revoke)"`).FindAllStringSubmatch(r.body, -1)
	if tok2 == "" || len(tm) != 2 {
		t.Fatalf("second token: %q, %d revoke forms; want a token and two forms", tok2, len(tm))
	}
	if _, err := s.srv.Oversight.ResolveSensorToken(s.ctx, tok2); err != nil {
		t.Fatalf("the second token does not work: %v", err)
	}
	revoked := 0
	for _, m := range tm {
		if r := an.post(m[1], url.Values{"csrf": {an.csrf(apvPath)}, "reason": {""}}); r.status != http.StatusBadRequest {
			t.Errorf("revoke a token without a reason: status %d, want 400", r.status)
		}
		location(t, "POST token revoke", an.post(m[1], url.Values{"csrf": {an.csrf(apvPath)}, "reason": {"センサー撤去"}}))
		revoked++
	}
	if _, err := s.srv.Oversight.ResolveSensorToken(s.ctx, tok2); err == nil || revoked != 2 {
		t.Error("a sensor token revoked by its form still works")
	}
	if r := an.get(apvPath); !strings.Contains(r.text(), ja("approval.token.revoked")) || !strings.Contains(r.text(), "センサー撤去") {
		t.Error("the approval page does not show the revoked tokens with their reason")
	}

	// The chair revokes the approval, with a reason.
	if r := chair.post(apvPath+"/revoke", url.Values{"csrf": {chair.csrf(apvPath)}, "reason": {" "}}); r.status != http.StatusBadRequest || fieldError(t, r.body, "rv-reason") == "" {
		t.Errorf("revoke without a reason: status %d; want 400 with the error next to the reason", r.status)
	}
	form = formValues(t, chair.get(apvPath).body, apvPath+"/revoke")
	form.Set("reason", "検査により条件外の記録の保存が判明した。")
	location(t, "POST revoke", chair.post(apvPath+"/revoke", form))
	if r := an.get(apvPath); !strings.Contains(r.text(), ja("approval.state.revoked")) || !strings.Contains(r.text(), "条件外の記録") {
		t.Error("the revoked approval's page lacks its state or reason")
	}
	if r := an.get(apvPath); strings.Contains(r.body, apvPath+"/sensor-tokens\"") {
		t.Error("the revoked approval's page still offers to issue a sensor token")
	}
}

// TestAgreementPages walks an agreement through the pages: the analyst
// drafts it with its criteria file; the operator sees its own, asks to
// consult; nobody signs while the consultation is open; the analyst
// refuses it with a reason; the operator revises it keeping the file; both
// sign and it becomes active with an approval; another operator gets 404;
// the operator terminates it.
func TestAgreementPages(t *testing.T) {
	s := newSite(t, storetest.SQLite(t))
	oversightUsers(t, s)
	s.orgUser(t, auth.NewOrg{Name: "Osaka Telecom", NameJA: "大阪通信", Kind: auth.OrgOperator, Sectors: []string{"telecommunications"}}, "osaka", auth.RoleOperator)
	ja := func(key string, args ...any) string { return s.msgs.T(web.Japanese, key, args...) }
	an, op, other := s.client(t), s.client(t), s.client(t)
	an.login("nco")
	op.login("sato")
	other.login("osaka")

	from, until := window()
	crit := critFile("crit-agr", from, until, "foreign-domestic")
	form := formValues(t, an.get("/agreements/new").body, "/agreements")
	form.Set("operator_org_id", s.org.ID)
	form.Set("title", "関東電力 受信分析")
	form.Set("facilities", "東京IX 回線3\n大手町 局舎2")
	form["directions"] = []string{"foreign-domestic"}
	form.Set("retention_days", "365")
	form.Set("results", "顧客への攻撃の指標を毎週提供する。")
	r := an.postFile("/agreements", form, "criteria_file", "agr.json", "application/json", crit)
	path := location(t, "POST /agreements", r)
	if agreementLinkR.FindString(path) == "" {
		t.Fatalf("POST /agreements went to %s", path)
	}
	page := op.get("/agreements")
	if !strings.Contains(page.body, path) || !strings.Contains(page.text(), ja("agreement.state.draft")) {
		t.Error("the operator's list lacks the draft")
	}
	if r := other.get(path); r.status != http.StatusNotFound {
		t.Errorf("another operator GET %s: status %d, want 404", path, r.status)
	}
	if r := other.get("/agreements"); strings.Contains(r.body, path) {
		t.Error("another operator's list shows the agreement")
	}
	if r := op.get(path + "/criteria"); r.body != string(crit) {
		t.Error("the operator's download of the criteria file is not the file uploaded")
	}

	// The operator asks to consult; the analyst cannot sign meanwhile.
	page = op.get(path)
	if !strings.Contains(page.text(), ja("agreement.your_side", ja("agreement.side.operator"))) || !strings.Contains(page.text(), "東京IX 回線3") {
		t.Error("the operator's agreement page lacks its side or the facilities")
	}
	form = formValues(t, page.body, path+"/consultations")
	form.Set("subject", "保存期間")
	form.Set("text", "選別後の記録の保存を90日にできないか。")
	location(t, "POST consultations", op.post(path+"/consultations", form))
	page = an.get(path)
	if !strings.Contains(page.text(), ja("agreement.sign.blocked")) || strings.Contains(page.body, `action="`+path+`/sign"`) {
		t.Error("the analyst's page offers to sign while a consultation is open")
	}
	if r := an.post(path+"/sign", url.Values{"csrf": {an.csrf(path)}, "revision": {"1"}}); r.status != http.StatusConflict || !strings.Contains(r.text(), ja("error.conflict")) {
		t.Errorf("sign with a consultation open: status %d; want 409 shown on the page", r.status)
	}
	cm := regexp.MustCompile(`action="(` + regexp.QuoteMeta(path) + `/consultations/[^"]+/response)"`).FindStringSubmatch(page.body)
	if cm == nil {
		t.Fatal("the analyst's page has no form to answer the consultation")
	}
	if strings.Contains(op.get(path).body, cm[1]) {
		t.Error("the side that asked may answer its own consultation")
	}
	r = an.post(cm[1], url.Values{"csrf": {an.csrf(path)}, "answer": {"refuse"}})
	if r.status != http.StatusBadRequest || !strings.Contains(errorsOf(r.body), "a refusal needs a stated reason") {
		t.Errorf("refusal without a reason: status %d, errors %q; want 400 asking for the reason", r.status, errorsOf(r.body))
	}
	location(t, "POST response", an.post(cm[1], url.Values{"csrf": {an.csrf(path)}, "answer": {"refuse"}, "text": {"長期の攻撃の分析には1年分の記録が必要。"}}))
	if r := op.get(path); !strings.Contains(r.text(), ja("consultation.state.refused")) || !strings.Contains(r.text(), "1年分の記録") {
		t.Error("the operator's page lacks the refusal and its reason")
	}

	// The operator revises it without a new file; the file is kept.
	form = formValues(t, op.get(path+"/edit").body, path)
	form.Set("retention_days", "180")
	location(t, "POST revision", op.postFile(path, form, "criteria_file", "", "application/octet-stream", nil))
	page = op.get(path)
	if !strings.Contains(page.text(), ja("agreement.retention_n", 180)) || !strings.Contains(page.text(), ja("agreement.sign.submit", 2)) {
		t.Error("the revised agreement lacks the new retention or revision 2")
	}
	if r := op.get(path + "/criteria"); r.body != string(crit) {
		t.Error("a revision without a new file changed the criteria file")
	}

	// Both sign revision 2: active, with an approval.
	for _, c := range []*client{op, an} {
		location(t, "POST sign", c.post(path+"/sign", formValues(t, c.get(path).body, path+"/sign")))
	}
	page = an.get(path)
	am := approvalLink.FindStringSubmatch(page.body)
	if !strings.Contains(page.text(), ja("agreement.state.active")) || am == nil {
		t.Fatalf("the signed agreement is not active with an approval link; errors: %s", errorsOf(page.body))
	}
	if r := an.get("/approvals/" + am[1]); !strings.Contains(r.text(), ja("oversight.basis.ch3")) || strings.Contains(r.body, "/revoke") {
		t.Error("the agreement's approval page lacks basis ch3, or offers the analyst a revocation")
	}
	if strings.Contains(op.get(path).body, "/approvals/") {
		t.Error("the operator's page links to the approval, which it may not open")
	}

	// The operator terminates it; the approval goes with it.
	form = formValues(t, op.get(path).body, path+"/terminate")
	form.Set("reason", "同意を撤回する。")
	location(t, "POST terminate", op.post(path+"/terminate", form))
	if r := an.get("/approvals/" + am[1]); !strings.Contains(r.text(), ja("approval.state.revoked")) {
		t.Error("the terminated agreement's approval is not revoked")
	}
}

// TestOversightFormErrors: a refused form shows the error next to its
// field, keeps what was typed and the file chosen, and the same form sent
// again with the mistake fixed goes through without choosing the file
// again.
func TestOversightFormErrors(t *testing.T) {
	s := newSite(t, storetest.SQLite(t))
	oversightUsers(t, s)
	an := s.client(t)
	an.login("nco")
	from, until := window()
	crit := critFile("crit-err", from, until, "foreign-domestic")
	ch4 := critFile("crit-err-4", from, until, "foreign-foreign")

	for _, tc := range []struct {
		name  string
		set   url.Values
		file  []byte
		field string // the control whose error shows
		want  string // in the field's error
		kept  []string
	}{
		{"bad address names its line", url.Values{"addresses": {"203.0.113.0/24\n\n198.51.100.300"}}, crit,
			"q-addresses", "3 行目: \"198.51.100.300\" is not an IP address", []string{"198.51.100.300"}},
		{"bits after the prefix", url.Values{"addresses": {"203.0.113.1/24"}}, crit, "q-addresses", "did you mean 203.0.113.0/24", nil},
		{"bad AS number names its line", url.Values{"asns": {"64500\nAS-x"}}, crit, "q-asns", `2 行目: "AS-x" is not an AS number`, []string{"AS-x"}},
		{"no target", url.Values{"addresses": {""}}, crit, "q-addresses", "chapter 6 needs the specific foreign equipment", nil},
		{"chapter 4 without a facility", url.Values{"chapter": {"ch4"}, "directions": {"foreign-foreign"}}, ch4, "q-facilities", "chapter 4 needs the facility", nil},
		{"no file", nil, nil, "q-criteria", "required", []string{"C2の疑い"}},
		{"not a criteria file", nil, []byte(`{"schema":"nope"}`), "q-criteria", "schema", nil},
		{"period differs from the file", url.Values{"valid_until": {"2026-05-01T00:00"}}, crit, "q-until", "differs from the criteria file's valid_until", nil},
		{"file's directions not asked for", url.Values{"directions": {"domestic-foreign"}}, crit, "q-criteria", "not among the directions asked for", nil},
		{"no suspicion", url.Values{"suspicion": {"  "}}, crit, "q-suspicion", "required", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			form := formValues(t, an.get("/acquisitions/new").body, "/acquisitions")
			form.Set("chapter", "ch6")
			form.Set("addresses", "203.0.113.0/24")
			form.Set("suspicion", "C2の疑い")
			form.Set("other_means", "国外にある")
			form.Set("directions", "foreign-domestic")
			for k, v := range tc.set {
				form[k] = v
			}
			r := an.postFile("/acquisitions", form, "criteria_file", "c.json", "application/json", tc.file)
			if r.status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400; errors: %s", r.status, errorsOf(r.body))
			}
			if got := fieldError(t, r.body, tc.field); !strings.Contains(got, tc.want) {
				t.Errorf("error next to %s = %q, want it to contain %q", tc.field, got, tc.want)
			}
			for _, k := range tc.kept {
				if !strings.Contains(r.text(), k) {
					t.Errorf("the page lost the typed %q", k)
				}
			}
			if tc.file != nil && inputValue(r.body, "criteria_kept") == "" {
				t.Error("the refused form did not keep the file chosen")
			}
			checkTranslated(t, tc.name, r)
			checkPage(t, r.body, web.Japanese)
		})
	}

	// The file kept from a refused form goes through once the mistake is
	// fixed, with its exact bytes.
	crlf := []byte(strings.ReplaceAll(string(crit), "\n", "\r\n"))
	form := formValues(t, an.get("/acquisitions/new").body, "/acquisitions")
	form.Set("addresses", "198.51.100.300")
	form.Set("suspicion", "C2の疑い")
	form.Set("other_means", "国外にある")
	form.Set("directions", "foreign-domestic")
	r := an.postFile("/acquisitions", form, "criteria_file", "crlf.json", "application/json", crlf)
	if r.status != http.StatusBadRequest {
		t.Fatalf("status %d, want 400", r.status)
	}
	form = formValues(t, r.body, "/acquisitions")
	form.Set("addresses", "198.51.100.30")
	path := location(t, "POST with the kept file", an.post("/acquisitions", form))
	if r := an.get(path + "/criteria"); r.body != string(crlf) {
		t.Error("the kept file's bytes changed (line breaks?) on the way")
	}

	// Motions: a refusal needs reasons; a narrowing cannot widen.
	chair := s.client(t)
	chair.loginTOTP("chair")
	page := chair.get(path)
	for _, tc := range []struct {
		name  string
		set   url.Values
		field string
		want  string
	}{
		{"refusal without reasons", url.Values{"kind": {"refuse"}}, "", "a refusal needs reasons"},
		{"narrowing that widens", url.Values{"kind": {"approve_narrowed"}, "valid_until": {until.Add(time.Hour).In(time.FixedZone("JST", 9*3600)).Format("2006-01-02T15:04")}},
			"m-until", "a narrowing cannot widen the window"},
		{"narrowing an unknown rule", url.Values{"kind": {"approve_narrowed"}, "remove_rules": {"c2-servers\nnope"}}, "m-rules", "2 行目:"},
		{"narrowing that changes nothing", url.Values{"kind": {"approve_narrowed"}}, "", "changes nothing"},
		{"bad time", url.Values{"kind": {"approve_narrowed"}, "valid_until": {"tomorrow"}}, "m-until", "not a date and time"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			form := formValues(t, page.body, path+"/motions")
			for k, v := range tc.set {
				form[k] = v
			}
			r := chair.post(path+"/motions", form)
			if r.status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400; errors: %s", r.status, errorsOf(r.body))
			}
			got := errorsOf(r.body)
			if tc.field != "" {
				got = fieldError(t, r.body, tc.field)
			}
			if !strings.Contains(got, tc.want) {
				t.Errorf("error %q, want it to contain %q", got, tc.want)
			}
			checkTranslated(t, tc.name, r)
			checkPage(t, r.body, web.Japanese)
		})
	}
	// A refusal with a reason is moved; a vote without reasons is refused.
	form = formValues(t, page.body, path+"/motions")
	form.Set("kind", "refuse")
	form.Set("reason_scope", "対象が広すぎる。")
	location(t, "POST refuse", chair.post(path+"/motions", form))
	page = chair.get(path)
	mm := motionAction.FindStringSubmatch(page.body)
	if mm == nil || !strings.Contains(page.text(), "対象が広すぎる。") || !strings.Contains(page.text(), s.msgs.T(web.Japanese, "motion.reason.scope")) {
		t.Fatal("the refusal's page lacks the vote form or the reason by category")
	}
	r = chair.post("/motions/"+mm[1]+"/votes", url.Values{"csrf": {chair.csrf(path)}, "vote": {"no"}})
	if r.status != http.StatusBadRequest || !strings.Contains(fieldError(t, r.body, "v-reasons"), "required") {
		t.Errorf("vote without reasons: status %d; want 400 with the error next to the reasons", r.status)
	}

	// The Cabinet Office withdraws the request, with a reason; the open
	// motion lapses.
	r = an.post(path+"/withdraw", url.Values{"csrf": {an.csrf(path)}, "reason": {" "}})
	if r.status != http.StatusBadRequest || !strings.Contains(fieldError(t, r.body, "w-reason"), "required") {
		t.Errorf("withdraw without a reason: status %d; want 400 with the error next to the reason", r.status)
	}
	form = formValues(t, an.get(path).body, path+"/withdraw")
	form.Set("reason", "攻撃が終息した。")
	location(t, "POST withdraw", an.post(path+"/withdraw", form))
	page = chair.get(path)
	for _, want := range []string{s.msgs.T(web.Japanese, "acquisition.state.withdrawn"), s.msgs.T(web.Japanese, "motion.state.lapsed"), "攻撃が終息した。"} {
		if !strings.Contains(page.text(), want) {
			t.Errorf("the withdrawn request's page lacks %q", want)
		}
	}
	if actions := formActions(t, page.body); len(actions) != 1 { // only the header's logout
		t.Errorf("the withdrawn request's page has forms %v", actions)
	}
}

// TestOversightPagesTranslated renders every oversight page in both
// languages for each role: no message is missing and the accessibility
// basics hold.
func TestOversightPagesTranslated(t *testing.T) {
	s := newSite(t, storetest.SQLite(t))
	oversightUsers(t, s)
	an, chair := s.client(t), s.client(t)
	an.login("nco")
	chair.loginTOTP("chair")
	from, until := window()
	reqPath := fileRequest(t, an, critFile("crit-tr", from, until, "foreign-domestic"))
	// A narrowed motion open, for the motion's part of the page.
	form := formValues(t, chair.get(reqPath).body, reqPath+"/motions")
	form.Set("kind", "approve_narrowed")
	form.Set("remove_rules", "webshell")
	form["remove_directions"] = nil
	location(t, "POST motion", chair.post(reqPath+"/motions", form))
	// An agreement in consultation.
	agrForm := formValues(t, an.get("/agreements/new").body, "/agreements")
	agrForm.Set("operator_org_id", s.org.ID)
	agrForm.Set("title", "Kanto inbound")
	agrForm.Set("facilities", "link 3")
	agrForm["directions"] = []string{"foreign-domestic"}
	agrForm.Set("results", "weekly indicators")
	agrPath := location(t, "POST agreement", an.postFile("/agreements", agrForm, "criteria_file", "a.json", "application/json", critFile("crit-tr-a", from, until, "foreign-domestic")))
	location(t, "POST consultation", an.post(agrPath+"/consultations", url.Values{"csrf": {an.csrf(agrPath)}, "subject": {"s"}, "text": {"t"}, "due": {"2026-04-10T12:00"}}))
	// A request approved, with its approval.
	decided := fileRequest(t, an, critFile("crit-tr-2", from, until, "foreign-domestic"))
	commission := func(id string, role auth.Role) *auth.Principal {
		return &auth.Principal{UserID: id, Username: id, Roles: []auth.Role{role}, MFA: true}
	}
	cp := commission("usr_c", auth.RoleCommissionChair)
	m, err := s.srv.Oversight.MoveMotion(s.ctx, cp, strings.TrimPrefix(decided, "/acquisitions/"), oversight.MotionInput{Kind: oversight.MotionApprove})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []*auth.Principal{cp, commission("usr_m1", auth.RoleCommissionMember), commission("usr_m2", auth.RoleCommissionMember)} {
		if _, err := s.srv.Oversight.CastVote(s.ctx, p, m.ID, oversight.VoteInput{Vote: oversight.VoteYes, Reasons: "necessary"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.srv.Oversight.CloseMotion(s.ctx, cp, m.ID); err != nil {
		t.Fatal(err)
	}
	apvs, err := s.srv.Oversight.Approvals(s.ctx, oversight.ApprovalFilter{})
	if err != nil || len(apvs) != 1 {
		t.Fatalf("approvals: %d, %v; want 1", len(apvs), err)
	}
	apvPath := "/approvals/" + apvs[0].ID

	pages := map[string][]string{
		"nco":   {"/", "/agreements", "/agreements/new", agrPath, agrPath + "/edit", "/acquisitions", "/acquisitions?state=pending&chapter=ch6", "/acquisitions/new", reqPath, decided, "/commission", "/approvals", apvPath},
		"chair": {"/", "/agreements", agrPath, "/acquisitions", reqPath, decided, "/commission", "/approvals?state=active", apvPath},
		"sato":  {"/", "/agreements", agrPath},
	}
	for _, lang := range []web.Lang{web.Japanese, web.English} {
		for user, paths := range pages {
			c := s.client(t)
			if user == "chair" {
				c.loginTOTP(user)
			} else {
				c.login(user)
			}
			c.get("/lang/" + string(lang))
			for _, p := range paths {
				t.Run(string(lang)+"/"+user+p, func(t *testing.T) {
					r := c.get(p)
					if r.status != http.StatusOK {
						t.Fatalf("status %d, want 200", r.status)
					}
					checkTranslated(t, p, r)
					if strings.Contains(r.text(), "[oversight.") {
						t.Errorf("untranslated oversight message in %s", p)
					}
					checkPage(t, r.body, lang)
				})
			}
		}
	}

	// Filters with unknown values are refused, not ignored.
	for _, p := range []string{"/agreements?state=bogus", "/acquisitions?chapter=ch5", "/approvals?basis=ch9"} {
		if r := an.get(p); r.status != http.StatusBadRequest {
			t.Errorf("GET %s: status %d, want 400", p, r.status)
		}
	}
	// An operator has no business on the acquisition pages.
	op := s.client(t)
	op.login("sato")
	for _, p := range []string{"/acquisitions", reqPath, "/commission", "/approvals"} {
		if r := op.get(p); r.status != http.StatusForbidden {
			t.Errorf("operator GET %s: status %d, want 403", p, r.status)
		}
	}
}

// FuzzOversightASNs: the acquisition form's AS numbers field never
// panics; what parses has a line for each number, renders back to text
// that parses to the same numbers, and a bad value is an error on its
// place among the values. The seed corpus is in
// testdata/fuzz/FuzzOversightASNs.
func FuzzOversightASNs(f *testing.F) {
	f.Fuzz(func(t *testing.T, v string) {
		asns, lines, err := web.ParseASNs(v)
		if err != nil {
			fe, ok := err.(*oversight.FieldError)
			if !ok || !strings.HasPrefix(fe.Field, "target.asns[") || len(lines) == 0 {
				t.Fatalf("error %v (%T) with %d lines; want a field error on target.asns[i] and the bad value's line", err, err, len(lines))
			}
			if want := fmt.Sprintf("target.asns[%d]", len(lines)-1); fe.Field != want {
				t.Fatalf("error on %s, want %s", fe.Field, want)
			}
			return
		}
		if len(lines) != len(asns) {
			t.Fatalf("%d numbers, %d lines", len(asns), len(lines))
		}
		var b strings.Builder
		for i, n := range asns {
			if i > 0 && lines[i] < lines[i-1] {
				t.Fatalf("lines out of order: %v", lines)
			}
			fmt.Fprintf(&b, "AS%d\n", n)
		}
		again, _, err := web.ParseASNs(b.String())
		if err != nil || !slices.Equal(again, asns) {
			t.Fatalf("rendered %q parses to %v, %v; want %v", b.String(), again, err, asns)
		}
	})
}
