package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/measures"
	"github.com/acd-platform/acd/internal/web"
)

// TestMeasurePagesAccess: each page answers each role as the policy and
// the service's scope say, and the home page links each role to its
// pages.
func TestMeasurePagesAccess(t *testing.T) {
	s, w := newMsrSite(t)
	w.designate(t)
	c, err := s.srv.Measures.OpenCase(s.ctx, w.ofc, measures.CaseInput{Path: measures.PathPolice, Title: "NPA case",
		Targets: []measures.Target{{Address: "203.0.113.9"}}, ObservedTraffic: "C2", Harm: "harm", Urgency: "now",
		Proposed: []measures.MeasureKind{measures.KindOrderAdmin}})
	if err != nil {
		t.Fatal(err)
	}
	casePath := "/measures/" + c.ID

	clients := map[string]*client{}
	for _, u := range []string{"ofc", "pofc", "cg", "chief", "mofa", "pm", "nco", "chair", "sato"} {
		clients[u] = w.as(t, u)
	}
	for _, tc := range []struct {
		path string
		want map[string]int
	}{
		{"/designations", map[string]int{"ofc": 200, "cg": 200, "nco": 200, "chair": 200, "mofa": 403, "sato": 403}},
		{"/measures", map[string]int{"ofc": 200, "cg": 200, "mofa": 200, "pm": 200, "nco": 200, "chair": 200, "sato": 403}},
		{"/measures/new", map[string]int{"ofc": 200, "cg": 403, "nco": 403, "chair": 403}},
		{"/measures/overview", map[string]int{"nco": 200, "pm": 200, "chair": 200, "ofc": 403, "cg": 403}},
		{"/commission/measures", map[string]int{"chair": 200, "nco": 403, "ofc": 403}},
		{"/blocklist", map[string]int{"nco": 200, "ofc": 200, "cg": 200, "chair": 403, "sato": 403}},
		{"/blocklist/subscribers", map[string]int{"nco": 200, "ofc": 403, "chair": 403}},
		// The service scopes cases: another agency's officer and chief,
		// MOFA (not consulted) and the cabinet (police path) see no such
		// case.
		{casePath, map[string]int{"ofc": 200, "cg": 200, "nco": 200, "chair": 200, "pofc": 404, "chief": 404, "mofa": 404, "pm": 404, "sato": 403}},
	} {
		for who, want := range tc.want {
			if r := clients[who].get(tc.path); r.status != want {
				t.Errorf("GET %s as %s: status %d, want %d", tc.path, who, r.status, want)
			}
		}
	}

	for who, links := range map[string][]string{
		"ofc":   {"/measures", "/measures/new", "/designations", "/blocklist"},
		"cg":    {"/measures", "/designations#designate"},
		"nco":   {"/measures/overview", "/blocklist/subscribers", "/blocklist"},
		"chair": {"/commission/measures", "/measures/overview"},
		"mofa":  {"/measures"},
		"sato":  nil,
	} {
		home := clients[who].get("/")
		for _, l := range links {
			if !strings.Contains(home.body, `href="`+l+`"`) {
				t.Errorf("%s's home page lacks the link %s", who, l)
			}
		}
		if who == "sato" && strings.Contains(home.body, `href="/measures"`) {
			t.Error("an operator's home page links to the measures")
		}
	}
}

// TestDesignationPages: the NPA Commissioner General designates an
// officer through the form and revokes the designation; a prefectural
// chief gets no form, and a designation he posts is refused with its
// code; the officer sees their designation.
func TestDesignationPages(t *testing.T) {
	s, w := newMsrSite(t)
	cg, chief := w.as(t, "cg"), w.as(t, "chief")

	page := cg.get("/designations")
	if page.status != http.StatusOK || !strings.Contains(page.body, `id="designate"`) {
		t.Fatalf("GET /designations as the Commissioner General: status %d, form %v; want 200 with the form", page.status, strings.Contains(page.body, `id="designate"`))
	}
	// The form offers the police officers, not the SDF's.
	if !strings.Contains(page.body, `value="`+w.ofcUser.ID+`"`) || !strings.Contains(page.body, `value="`+w.pofcUser.ID+`"`) || strings.Contains(page.body, `value="`+w.sdfUser.ID+`"`) {
		t.Error("the Commissioner General's form does not offer exactly the police officers")
	}
	form := url.Values{"csrf": {inputValue(page.body, "csrf")}}
	form.Set("user_id", w.ofcUser.ID)
	form.Set("scope", "サイバー攻撃対策")
	form.Set("valid_until", jstLocal(start.Add(90*24*time.Hour)))
	if p := location(t, "designate", cg.post("/designations", form)); p != "/designations" {
		t.Fatalf("designate redirected to %s", p)
	}
	page = cg.get("/designations?done=designated")
	contains(t, "designations", page, w.ja("designation.done.designated"), "ofc", "サイバー攻撃対策", w.ja("designation.active"), w.ja("measure.level.national"))
	if strings.Contains(page.body, `value="`+w.ofcUser.ID+`"`) {
		t.Error("the form still offers an officer designated now")
	}

	// A field error: no user chosen.
	form.Set("user_id", "")
	r := cg.post("/designations", form)
	if r.status != http.StatusBadRequest || fieldError(t, r.body, "d-user") == "" {
		t.Errorf("designate nobody: status %d, field error %q; want 400 on the user", r.status, fieldError(t, r.body, "d-user"))
	}

	// The prefectural chief has no form; a post is refused by the service.
	page = chief.get("/designations")
	if strings.Contains(page.body, `id="designate"`) {
		t.Error("a prefectural chief is offered the designation form")
	}
	r = chief.post("/designations", url.Values{"csrf": {chief.csrf("/designations")}, "user_id": {w.pofcUser.ID}})
	refusedWith(t, w, "designation by the prefectural chief", r, http.StatusForbidden, measures.CodeNotDesignatingAuthority)

	// The officer sees the designation; the Commissioner General revokes it.
	ofc := w.as(t, "ofc")
	contains(t, "officer's designations", ofc.get("/designations"), "サイバー攻撃対策")
	ds, err := s.srv.Measures.Designations(s.ctx, w.cg, measures.DesignationFilter{UserID: w.ofcUser.ID})
	if err != nil || len(ds) != 1 {
		t.Fatalf("designations of ofc: %v, %v", ds, err)
	}
	action := "/designations/" + ds[0].ID + "/revoke"
	r = cg.post(action, url.Values{"csrf": {cg.csrf("/designations")}})
	if r.status != http.StatusBadRequest {
		t.Errorf("revoke without a reason: status %d, want 400", r.status)
	}
	if p := location(t, "revoke", cg.post(action, url.Values{"csrf": {cg.csrf("/designations")}, "reason": {"異動"}})); p != "/designations" {
		t.Fatalf("revoke redirected to %s", p)
	}
	contains(t, "revoked", cg.get("/designations"), w.ja("designation.revoked"), "異動")
	// Without a designation the officer may not open a case.
	r = step(t, ofc, "/measures/new", "/measures", policeCase("no designation"))
	refusedWith(t, w, "open without a designation", r, http.StatusForbidden, measures.CodeNotDesignated)
}

// TestMeasureCaseFlow takes a police case through prior approval: the
// officer opens it (a bad target line is shown on its line), is refused
// approval before the location, records it, asks for approval; the
// commission moves, votes and closes; the Commissioner General commands;
// the officer issues an order (its documents download), records its
// delivery and the response, records an execution with evidence, puts
// the targets on the blocklist and closes the case.
func TestMeasureCaseFlow(t *testing.T) {
	s, w := newMsrSite(t)
	w.designate(t)
	ofc := w.as(t, "ofc")
	ja := w.ja

	// A bad target line is reported on its line.
	bad := policeCase("bad")
	bad.Set("targets", "203.0.113.7\nnot an address|x")
	r := step(t, ofc, "/measures/new", "/measures", bad)
	if r.status != http.StatusBadRequest || !strings.Contains(fieldError(t, r.body, "o-targets"), ja("form.line", 2)) {
		t.Errorf("bad target: status %d, field error %q; want 400 on line 2", r.status, fieldError(t, r.body, "o-targets"))
	}
	if !strings.Contains(r.body, "not an address|x") {
		t.Error("the refused form lost what was typed")
	}

	casePath := openCase(t, ofc, policeCase("C2 サーバ事案"))
	id := strings.TrimPrefix(casePath, "/measures/")
	page := ofc.get(casePath + "?done=opened")
	contains(t, "opened case", page, ja("measure.done.opened"), "C2 サーバ事案", "203.0.113.7", "c2.example", "198.51.100.0/24",
		ja("measure.path.police"), ja("measure.gate.location"), ja("measure.gate.status.pending"))
	for _, want := range []string{`id="location-form"`, `id="approval-form"`, `id="emergency-form"`, `id="withdraw-form"`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the officer's case page lacks %s", want)
		}
	}
	checkPage(t, page.body, web.Japanese)
	checkTranslated(t, "case page", page)

	// Approval before the location is refused with its code.
	r = step(t, ofc, casePath, casePath+"/approval", url.Values{"statement": {"承認を求める。"}})
	refusedWith(t, w, "approval before location", r, http.StatusConflict, measures.CodeLocationRequired)
	if !strings.Contains(r.body, "承認を求める。") {
		t.Error("the refused approval form lost its statement")
	}
	// A location without evidence is a field error.
	r = step(t, ofc, casePath, casePath+"/location", url.Values{"in_japan": {"yes"}})
	if r.status != http.StatusBadRequest {
		t.Errorf("location without evidence: status %d, want 400", r.status)
	}
	stepOK(t, ofc, casePath, casePath+"/location", url.Values{"in_japan": {"yes"}, "geolocation": {"東京都内のデータセンター"}})
	stepOK(t, ofc, casePath, casePath+"/approval", url.Values{"statement": {"事前の承認を求める。"}})
	contains(t, "approval requested", ofc.get(casePath), ja("measure.approval.pending"), "事前の承認を求める。")

	// The commission: the queue lists the request; m1 moves, all vote,
	// the chair closes.
	m1 := w.as(t, "m1")
	q := m1.get("/commission/measures")
	contains(t, "queue", q, "C2 サーバ事案")
	checkPage(t, q.body, web.Japanese)
	stepOK(t, m1, casePath, casePath+"/motions", url.Values{"kind": {"approve"}, "statement": {"必要かつ相当。"}})
	page = m1.get(casePath)
	mid := regexpFind(t, page.body, `action="/measures/motions/([^/"]+)/votes"`)
	vote := func(c *client) {
		t.Helper()
		stepOK(t, c, casePath, "/measures/motions/"+mid+"/votes", url.Values{"vote": {"yes"}, "reasons": {"相当である。"}})
	}
	vote(m1)
	if r := step(t, m1, casePath, "/measures/motions/"+mid+"/votes", url.Values{"vote": {"yes"}, "reasons": {"again"}}); r.status < 400 {
		t.Errorf("a second vote: status %d, want refused", r.status)
	}
	m2, chair := w.as(t, "m2"), w.as(t, "chair")
	vote(m2)
	vote(chair)
	if r := step(t, m1, casePath, "/measures/motions/"+mid+"/close", nil); r.status != http.StatusForbidden {
		t.Errorf("a member closes the motion: status %d, want 403", r.status)
	}
	stepOK(t, chair, casePath, "/measures/motions/"+mid+"/close", nil)
	contains(t, "approved", ofc.get(casePath), ja("measure.approval.approved"), ja("motion.tally.carried"))

	// The order is refused until the command.
	due := s.clock.Now().Add(72 * time.Hour)
	order := url.Values{"addressee": {"Example Hosting 株式会社"}, "contact": {"abuse@hosting.example"}, "target_indexes": {"0"},
		"required_measures": {"C2 プログラムを停止すること。"}, "due": {jstLocal(due)}}
	r = step(t, ofc, casePath, casePath+"/orders", order)
	refusedWith(t, w, "order before the command", r, http.StatusConflict, measures.CodeCommandRequired)

	// The prefectural chief is not in the chain; the Commissioner General
	// commands.
	cg := w.as(t, "cg")
	if !strings.Contains(cg.get(casePath).body, `id="command-form"`) {
		t.Error("the Commissioner General gets no command form")
	}
	stepOK(t, cg, casePath, casePath+"/command", url.Values{"scope": {"order_admin", "stop_program"}, "instructions": {"直ちに実施せよ。"},
		"valid_until": {jstLocal(s.clock.Now().Add(7 * 24 * time.Hour))}})

	stepOK(t, ofc, casePath, casePath+"/orders", order)
	page = ofc.get(casePath)
	oid := regexpFind(t, page.body, `id="order-(ord_[^"]+)"`)
	contains(t, "order", page, ja("measure.state.executing"), "Example Hosting 株式会社", "C2 プログラムを停止すること。", jstShown(due))
	for _, f := range []string{"json", "txt"} {
		r := ofc.get("/measures/orders/" + oid + "/" + f)
		if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Disposition"), "attachment") || !strings.Contains(r.body, oid) {
			t.Errorf("GET the order's %s: status %d, disposition %q; want 200, an attachment naming the order", f, r.status, r.header.Get("Content-Disposition"))
		}
	}
	// The PDF is printed by Chromium, which takes seconds (not in -short);
	// a server without one answers 503.
	if !testing.Short() {
		switch r := ofc.get("/measures/orders/" + oid + "/pdf"); r.status {
		case http.StatusOK:
			if !strings.HasPrefix(r.body, "%PDF-") || r.header.Get("Content-Type") != "application/pdf" {
				t.Errorf("GET the order's PDF: %q, %.8q; want application/pdf", r.header.Get("Content-Type"), r.body)
			}
		case http.StatusServiceUnavailable:
		default:
			t.Errorf("GET the order's PDF: status %d, want 200 or 503 (no Chromium)", r.status)
		}
	}
	if r := ofc.get("/measures/orders/" + oid + "/html"); r.status != http.StatusNotFound {
		t.Errorf("GET the order as HTML in ACD's origin: status %d, want 404", r.status)
	}
	if r := w.as(t, "pofc").get("/measures/orders/" + oid + "/json"); r.status != http.StatusNotFound {
		t.Errorf("another agency's officer gets the order: status %d, want 404", r.status)
	}
	stepOK(t, ofc, casePath, "/measures/orders/"+oid+"/delivery", url.Values{"method": {"email"}, "at": {jstLocal(s.clock.Now())}, "note": {"送信済み"}})
	stepOK(t, ofc, casePath, "/measures/orders/"+oid+"/response", url.Values{"response": {"complied"}, "at": {jstLocal(s.clock.Now())}, "text": {"停止した。"}})
	contains(t, "delivered", ofc.get(casePath), ja("measure.delivery.email"), ja("measure.response.complied"), "停止した。")

	// An execution: a bad SHA-256 is shown on its line; then recorded.
	// The measure was taken after the command: started 20 minutes ago,
	// half an hour after it.
	s.clock.Advance(50 * time.Minute)
	now := s.clock.Now()
	sum := strings.Repeat("ab", 32)
	exec := url.Values{"kind": {"stop_program"}, "started_at": {jstLocal(now.Add(-20 * time.Minute))}, "ended_at": {jstLocal(now)},
		"step_kind": {"access", "neutralise", "", "", ""}, "step_at": {jstLocal(now.Add(-15 * time.Minute)), jstLocal(now.Add(-5 * time.Minute)), "", "", ""},
		"step_description": {"サーバにアクセスした。", "C2 プログラムを停止した。", "", "", ""}, "result": {"succeeded"},
		"evidence": {sum + "  log.txt\nnot-a-hash  x.pcap"}}
	r = step(t, ofc, casePath, casePath+"/executions", exec)
	if r.status != http.StatusBadRequest || !strings.Contains(fieldError(t, r.body, "ex-evidence"), ja("form.line", 2)) {
		t.Errorf("bad evidence: status %d, field error %q; want 400 on line 2", r.status, fieldError(t, r.body, "ex-evidence"))
	}
	exec.Set("evidence", sum+"  log.txt")
	stepOK(t, ofc, casePath, casePath+"/executions", exec)
	contains(t, "executed", ofc.get(casePath), "C2 プログラムを停止した。", "log.txt", sum, ja("measure.result.succeeded"))

	// The targets go on the blocklist.
	stepOKTo(t, ofc, casePath, casePath+"/blocklist", url.Values{"reason": {"C2 サーバ"}}, casePath)
	contains(t, "blocklisted", ofc.get(casePath+"?done=blocklist&added=3&skipped=0"), ja("measure.done.blocklist", 3, 0), ja("measure.blocklist.count", 3))
	contains(t, "blocklist", ofc.get("/blocklist?case="+id), "203.0.113.7", "c2.example", "198.51.100.0/24")

	// Closing.
	stepOK(t, ofc, casePath, casePath+"/close", url.Values{"summary": {"停止した。"}, "effect": {"C2 通信が止んだ。"}, "third_party_effect": {"なし。"}})
	page = ofc.get(casePath)
	contains(t, "closed", page, ja("measure.state.closed"), "C2 通信が止んだ。")
	if strings.Contains(page.body, `id="order-form"`) || strings.Contains(page.body, `id="execution-form"`) {
		t.Error("a closed case still offers orders or executions")
	}
}

// stepOKTo posts a step and fails t unless it redirects to want.
func stepOKTo(t *testing.T, c *client, page, action string, form url.Values, want string) {
	t.Helper()
	if p := location(t, "POST "+action, step(t, c, page, action, form)); p != want {
		t.Fatalf("POST %s redirected to %s, want %s", action, p, want)
	}
}

// TestMeasureWithdrawPage: a case withdrawn before any measure is final:
// a reason is required, the step forms are gone, and its targets may not
// go on the blocklist.
func TestMeasureWithdrawPage(t *testing.T) {
	_, w := newMsrSite(t)
	w.designate(t)
	ofc := w.as(t, "ofc")
	casePath := openCase(t, ofc, policeCase("取り下げる事案"))
	r := step(t, ofc, casePath, casePath+"/withdraw", url.Values{"reason": {" "}})
	if r.status != http.StatusBadRequest || fieldError(t, r.body, "wd-reason") == "" {
		t.Errorf("withdraw without a reason: status %d, field error %q; want 400 on the reason", r.status, fieldError(t, r.body, "wd-reason"))
	}
	stepOK(t, ofc, casePath, casePath+"/withdraw", url.Values{"reason": {"誤認であった。"}})
	page := ofc.get(casePath + "?done=withdrawn")
	contains(t, "withdrawn", page, w.ja("measure.done.withdrawn"), w.ja("measure.state.withdrawn"), "誤認であった。")
	for _, form := range []string{"location-form", "approval-form", "emergency-form", "order-form", "execution-form", "withdraw-form", "blocklist-form"} {
		if strings.Contains(page.body, `id="`+form+`"`) {
			t.Errorf("a withdrawn case offers %s", form)
		}
	}
	r = step(t, ofc, casePath, casePath+"/location", url.Values{"in_japan": {"yes"}, "other": {"x"}})
	refusedWith(t, w, "a step on a withdrawn case", r, http.StatusConflict, measures.CodeCaseClosed)
	if r := step(t, ofc, casePath, casePath+"/blocklist", url.Values{"reason": {"x"}}); r.status != http.StatusConflict {
		t.Errorf("blocklist a withdrawn case's targets: status %d, want 409", r.status)
	}
}
