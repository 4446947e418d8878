package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/commsinfo"
	"github.com/acd-platform/acd/internal/store/storetest"
	"github.com/acd-platform/acd/internal/web"
)

// TestCommsinfoRuns walks the runs pages on a real server: the analyst
// uploads a run file by the form (and a truncated one, refused with
// nothing kept); runs with a selected share far above the approval's
// history, outside its validity window and with a hash mismatch are
// flagged on the commission's page; the totals chart is well-formed SVG
// whose bars are the days' figures.
func TestCommsinfoRuns(t *testing.T) {
	s := newSite(t, storetest.SQLite(t))
	w := newCIWorld(t, s)
	ja := func(key string, args ...any) string { return s.msgs.T(web.Japanese, key, args...) }
	now := s.clock.Now()

	ac := w.user(t, "nco")
	home := ac.get("/")
	for _, link := range []string{`href="/runs"`, `href="/runs#upload"`, `href="/records"`, `href="/findings/new"`, `href="/cooperation#new"`, `href="/provisions/new"`} {
		if !strings.Contains(home.body, link) {
			t.Errorf("analyst home lacks %s", link)
		}
	}
	contains(t, "analyst home", home, ja("action.run.read"), ja("action.selected.read"), ja("action.provision.create"))

	// The upload form, with a run file of 60 records.
	page := ac.get("/runs")
	if page.status != http.StatusOK {
		t.Fatalf("GET /runs: status %d", page.status)
	}
	form := formValues(t, page.body, "/runs/upload")
	form.Set("approval", w.approval)
	body := w.body(t, runFile{started: now.Add(-4 * 24 * time.Hour), flows: 60, seen: 1000, selected: 10})
	r := ac.postFile("/runs/upload", form, "file", "selected.jsonl", "application/x-ndjson", body)
	runPath := location(t, "POST /runs/upload", r)
	r = ac.get(r.header.Get("Location"))
	contains(t, "uploaded run", r, ja("run.uploaded", 60), ja("run.hash.ok"), w.approval)

	// A truncated file is refused at the line at fault, and nothing kept.
	r = ac.postFile("/runs/upload", form, "file", "cut.jsonl", "application/x-ndjson", body[:len(body)-30])
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.text(), ja("runs.upload.rejected")) || !strings.Contains(errorsOf(r.body), "truncated") {
		t.Errorf("truncated upload: status %d, errors %q; want 422 saying it was refused", r.status, errorsOf(r.body))
	}
	// No approval named: the field says so.
	form.Set("approval", "")
	if r := ac.postFile("/runs/upload", form, "file", "x.jsonl", "application/x-ndjson", body); r.status != http.StatusBadRequest || !strings.Contains(r.body, `id="u-approval" name="approval" required aria-invalid="true"`) {
		t.Errorf("upload without an approval: status %d; want 400 with the field marked", r.status)
	}

	// Runs through the service: two ordinary, one far above the history's
	// share, one before the validity window, one whose hash does not match.
	w.upload(t, runFile{started: now.Add(-3 * 24 * time.Hour), flows: 2, seen: 1000, selected: 10})
	w.upload(t, runFile{started: now.Add(-2 * 24 * time.Hour), flows: 2, seen: 1000, selected: 10})
	ratioRun := w.upload(t, runFile{started: now.Add(-24 * time.Hour), flows: 2, seen: 1000, selected: 500})
	earlyRun := w.upload(t, runFile{started: now.Add(-20 * 24 * time.Hour), flows: 2, seen: 1000, selected: 10})
	badRun := w.upload(t, runFile{started: now.Add(-23 * time.Hour), flows: 2, seen: 1000, selected: 10, tamper: true})
	runs, err := s.srv.Commsinfo.Runs(s.ctx, commsinfo.RunFilter{ApprovalID: w.approval})
	if err != nil || len(runs) != 6 {
		t.Fatalf("runs: %d (%v), want 6: the refused uploads kept nothing", len(runs), err)
	}

	mc := w.commission(t, "member1")
	page = mc.get("/runs?approval=" + w.approval)
	if page.status != http.StatusOK {
		t.Fatalf("member GET /runs: status %d", page.status)
	}
	contains(t, "commission's runs page", page, ja("anomaly.kind.selection_ratio"), ja("anomaly.kind.outside_window"), ja("anomaly.kind.hash_mismatch"),
		ja("run.hash.mismatch"), ratioRun, earlyRun, badRun)
	if !strings.Contains(page.body, `src="/runs/chart.svg?approval=`+w.approval+`"`) {
		t.Error("the runs page lacks the chart")
	}
	if strings.Contains(page.body, `action="/runs/upload"`) {
		t.Error("the commission's runs page offers the upload form")
	}
	// The table's totals: 6 runs; 6,000 packets seen, 550 selected.
	if row := rowOf(t, page.body, ja("chart.total")); len(row) < 6 || row[0] != "6" || row[2] != "6000" || row[3] != "550" || row[4] != "5450" {
		t.Errorf("totals row = %q; want 6 runs, 6000 seen, 550 selected, 5450 deleted", row)
	}
	r = mc.get("/runs/" + badRun)
	contains(t, "quarantined run", r, ja("run.quarantined"), ja("anomaly.kind.hash_mismatch"))

	svg := mc.get("/runs/chart.svg?approval=" + w.approval)
	if svg.status != http.StatusOK || !strings.HasPrefix(svg.header.Get("Content-Type"), "image/svg+xml") {
		t.Fatalf("GET /runs/chart.svg: status %d, type %q", svg.status, svg.header.Get("Content-Type"))
	}
	ts, err := s.srv.Commsinfo.Totals(s.ctx, w.approval, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	wantBars := 0
	for _, d := range ts {
		for _, n := range []uint64{d.Total.Selected.Packets, d.Total.Deleted.Packets} {
			if n > 0 {
				wantBars++
			}
		}
	}
	bars, title, desc := chartShape(t, svg.body)
	if wantBars != 10 || bars != wantBars {
		t.Errorf("chart has %d bars, want one per day and part with packets: %d (10 in this test)", bars, wantBars)
	}
	if !strings.Contains(title, w.approval) || !strings.Contains(desc, "6000") || !strings.Contains(desc, "550") {
		t.Errorf("chart title %q, desc %q; want the approval and the period's figures", title, desc)
	}
	if !strings.Contains(svg.body, `<polyline class="ratio"`) {
		t.Error("chart lacks the selected share's line")
	}
	if r := mc.get("/runs/chart.svg"); r.status != http.StatusBadRequest {
		t.Errorf("chart without an approval: status %d, want 400", r.status)
	}
	if r := mc.get("/runs?approval=" + w.approval + "&from=2026-04-10&to=2026-04-01"); r.status != http.StatusBadRequest || !strings.Contains(r.body, `id="f-to" name="to" type="date" value="2026-04-01" aria-invalid="true"`) {
		t.Errorf("a period that ends before it starts: status %d; want 400 with the field marked", r.status)
	}
	if r := mc.get(runPath); r.status != http.StatusOK {
		t.Errorf("member GET %s: status %d", runPath, r.status)
	}
	// Agencies do not read runs.
	if r := w.user(t, "meti").get("/runs"); r.status != http.StatusForbidden {
		t.Errorf("METI GET /runs: status %d, want 403", r.status)
	}
}

// TestCommsinfoSearchFindings: searching selected records is logged only
// when a search is made, pages through its results and never shows a
// quarantined run; a finding is recorded by its form with its legal basis,
// and refused input is shown next to its field.
func TestCommsinfoSearchFindings(t *testing.T) {
	s := newSite(t, storetest.SQLite(t))
	w := newCIWorld(t, s)
	ja := func(key string, args ...any) string { return s.msgs.T(web.Japanese, key, args...) }
	now := s.clock.Now()
	big := w.upload(t, runFile{started: now.Add(-2 * 24 * time.Hour), flows: 60, seen: 1000, selected: 60})
	w.upload(t, runFile{started: now.Add(-24 * time.Hour), flows: 2, seen: 1000, selected: 10})
	bad := w.upload(t, runFile{started: now.Add(-12 * time.Hour), flows: 2, seen: 1000, selected: 10, tamper: true})

	ac := w.user(t, "nco")
	before := w.countAudit(t, "selected.read")
	r := ac.get("/records")
	if r.status != http.StatusOK || !strings.Contains(r.text(), ja("records.logged")) || strings.Contains(r.text(), ja("records.results", 1, 0)) {
		t.Errorf("GET /records: status %d; want the form and the note that searches are logged, no results", r.status)
	}
	if n := w.countAudit(t, "selected.read"); n != before {
		t.Errorf("opening the search page wrote %d selected.read entries, want none", n-before)
	}
	r = ac.get("/records?q=1&approval=" + w.approval + "&domain=c2.bad.example")
	if r.status != http.StatusOK {
		t.Fatalf("search: status %d: %s", r.status, errorsOf(r.body))
	}
	contains(t, "domain search", r, ja("records.results", 1, 2), "c2.bad.example", "203.0.113.2", big+".1")
	if strings.Contains(r.body, bad) {
		t.Error("the search shows a quarantined run's record")
	}
	if n := w.countAudit(t, "selected.read"); n != before+1 {
		t.Errorf("one search wrote %d selected.read entries, want 1", n-before)
	}
	// 60 records: two pages.
	r = ac.get("/records?q=1&run=" + big)
	m := regexp.MustCompile(`href="(/records\?[^"]*cursor=[^"]*)" rel="next"`).FindStringSubmatch(r.body)
	if !strings.Contains(r.text(), ja("records.results", 1, 50)) || m == nil {
		t.Fatalf("first page of 60 records: want 50 and a link to the next page")
	}
	r = ac.get(strings.ReplaceAll(m[1], "&amp;", "&"))
	if !strings.Contains(r.text(), ja("records.results", 2, 10)) || strings.Contains(r.body, `rel="next"`) || !strings.Contains(r.text(), ja("records.first")) {
		t.Errorf("second page: want 10 records, no next page, a link to the first")
	}
	// Bad input: the field is marked and nothing searched.
	n := w.countAudit(t, "selected.read")
	r = ac.get("/records?q=1&address=203.0.113.999")
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, `id="r-address" name="address" value="203.0.113.999" placeholder="203.0.113.0/24" size="18" aria-invalid="true"`) {
		t.Errorf("bad address: status %d; want 400 with the field marked", r.status)
	}
	if r := ac.get("/records?q=1&port=http"); r.status != http.StatusBadRequest || !strings.Contains(errorsOf(r.body), "port") {
		t.Errorf("bad port: status %d, errors %q; want 400 naming the port", r.status, errorsOf(r.body))
	}
	if w.countAudit(t, "selected.read") != n {
		t.Error("a refused search was logged as a read")
	}
	// The commission searches too; an agency may not.
	if r := w.commission(t, "member1").get("/records?q=1&approval=" + w.approval); r.status != http.StatusOK {
		t.Errorf("member search: status %d, want 200", r.status)
	}
	if r := w.user(t, "meti").get("/records"); r.status != http.StatusForbidden {
		t.Errorf("METI GET /records: status %d, want 403", r.status)
	}

	// A finding from the search, by its form.
	r = ac.get("/records?q=1&approval=" + w.approval + "&domain=c2.bad.example")
	m = regexp.MustCompile(`href="(/findings/new\?[^"]+)"`).FindStringSubmatch(r.body)
	if m == nil {
		t.Fatal("the search offers no finding from it")
	}
	page := ac.get(strings.ReplaceAll(m[1], "&amp;", "&"))
	form := formValues(t, page.body, "/findings")
	if form.Get("q_approval") != w.approval || form.Get("q_domain") != "c2.bad.example" {
		t.Errorf("finding form starts with approval %q, domain %q; want the search's", form.Get("q_approval"), form.Get("q_domain"))
	}
	form.Set("title", "C2 of campaign X")
	form.Set("assessment", "Beacons every 60 s to c2.bad.example over TLS.")
	form.Set("indicators", "domain c2.bad.example\n\nipv4 not-an-address")
	form.Set("techniques", "T1071.001, t1573")
	r = ac.post("/findings", form)
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, `aria-invalid="true">domain c2.bad.example`) || !strings.Contains(errorsOf(r.body), ja("form.line", 3)) {
		t.Errorf("bad indicator: status %d, errors %q; want 400 naming line 3, the text kept", r.status, errorsOf(r.body))
	}
	form.Set("indicators", "domain c2.bad.example\nipv4 203.0.113.2")
	r = ac.post("/findings", form)
	fpath := location(t, "POST /findings", r)
	r = ac.get(r.header.Get("Location"))
	contains(t, "finding", r, ja("finding.created"), "C2 of campaign X", "T1071.001", "T1573", "203.0.113.2", "§23: selected under approval "+w.approval+" (ch4)", ja("finding.source.count", 2))
	// No source at all.
	form = formValues(t, ac.get("/findings/new").body, "/findings")
	form.Set("title", "t")
	form.Set("assessment", "a")
	if r := ac.post("/findings", form); r.status != http.StatusBadRequest || !strings.Contains(errorsOf(r.body), "source") {
		t.Errorf("finding without a source: status %d, errors %q; want 400", r.status, errorsOf(r.body))
	}
	if r := w.commission(t, "member2").get(fpath); r.status != http.StatusOK || !strings.Contains(r.text(), "C2 of campaign X") {
		t.Errorf("member GET %s: status %d, want 200 with the finding", fpath, r.status)
	}
	if r := ac.get("/findings?approval=" + w.approval); !strings.Contains(r.body, fpath) {
		t.Error("the findings of the approval lack the finding")
	}
}

// TestCommsinfoCooperationProvision: the analyst asks METI under §27; a
// decline without a reason is refused; METI accepts one request and
// declines another; a provision under the declined one is refused with
// the service's reason and none made, under the accepted one it is made;
// METI reads what it received, MLIT gets 404.
func TestCommsinfoCooperationProvision(t *testing.T) {
	s := newSite(t, storetest.SQLite(t))
	w := newCIWorld(t, s)
	ja := func(key string, args ...any) string { return s.msgs.T(web.Japanese, key, args...) }
	w.upload(t, runFile{started: s.clock.Now().Add(-24 * time.Hour), flows: 3, seen: 1000, selected: 10})

	ac := w.user(t, "nco")
	ask := func(purpose string) string {
		t.Helper()
		form := formValues(t, ac.get("/cooperation").body, "/cooperation")
		form.Set("recipient_org_id", w.meti.ID)
		form.Set("purpose", purpose)
		form.Set("scope", "Attribute the C2 servers.")
		form.Set("scope_approvals", w.approval)
		form.Set("due", "2026-04-09T17:00")
		return location(t, "POST /cooperation", ac.post("/cooperation", form))
	}
	// Refused input first: no recipient.
	form := formValues(t, ac.get("/cooperation").body, "/cooperation")
	form.Set("purpose", "p")
	form.Set("scope", "s")
	if r := ac.post("/cooperation", form); r.status != http.StatusBadRequest || !strings.Contains(r.body, `id="c-recipient" name="recipient_org_id" required aria-invalid="true"`) {
		t.Errorf("request without a recipient: status %d; want 400 with the field marked", r.status)
	}
	accepted, declined := ask("Campaign X"), ask("Campaign Y")

	mc := w.user(t, "meti")
	if r := mc.get("/cooperation"); !strings.Contains(r.body, accepted) || !strings.Contains(r.body, declined) {
		t.Error("METI's list lacks the requests to it")
	}
	page := mc.get(accepted)
	contains(t, "request", page, "Campaign X", ja("cooperation.state.requested"), "2026-04-09 17:00 JST", w.approval)
	r := mc.post(accepted+"/decline", url.Values{"csrf": {inputValue(page.body, "csrf")}, "reason": {""}})
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, `id="c-decline" name="reason" rows="3" required aria-invalid="true"`) {
		t.Errorf("decline without a reason: status %d; want 400 with the field marked", r.status)
	}
	location(t, "accept", mc.post(accepted+"/accept", url.Values{"csrf": {inputValue(page.body, "csrf")}, "note": {"Our CSIRT will help."}}))
	location(t, "decline", mc.post(declined+"/decline", url.Values{"csrf": {inputValue(page.body, "csrf")}, "reason": {"No analysts free this month."}}))
	contains(t, "accepted request", mc.get(accepted), ja("cooperation.state.accepted"), "Our CSIRT will help.")
	contains(t, "declined request", ac.get(declined), ja("cooperation.state.declined"), "No analysts free this month.")
	if r := mc.post(declined+"/accept", url.Values{"csrf": {inputValue(page.body, "csrf")}}); r.status != http.StatusConflict {
		t.Errorf("accepting a declined request: status %d, want 409", r.status)
	}
	xc := w.user(t, "mlit")
	if r := xc.get(accepted); r.status != http.StatusNotFound {
		t.Errorf("MLIT GET %s: status %d, want 404", accepted, r.status)
	}
	if r := xc.get("/cooperation"); strings.Contains(r.body, accepted) {
		t.Error("MLIT's list shows METI's request")
	}

	// A provision under the declined request: refused, the reason shown,
	// nothing provided.
	provide := func(ref string) *response {
		t.Helper()
		form := formValues(t, ac.get("/provisions/new?q_approval="+w.approval).body, "/provisions")
		form.Set("recipient_kind", commsinfo.RecipientAgencyCooperation)
		form.Set("recipient_org_id", w.meti.ID)
		form.Set("basis", commsinfo.BasisCooperation)
		form.Set("reference", strings.TrimPrefix(ref, "/cooperation/"))
		form.Set("purpose", "Attribution of campaign X.")
		form.Set("q_domain", "c2.bad.example")
		return ac.post("/provisions", form)
	}
	r = provide(declined)
	refusals, err := s.srv.Commsinfo.Refusals(s.ctx, time.Time{}, time.Time{})
	if err != nil || len(refusals) != 1 {
		t.Fatalf("refusals: %d (%v), want 1", len(refusals), err)
	}
	if r.status != http.StatusForbidden || !strings.Contains(r.text(), ja("provision.refused.title")) || !strings.Contains(r.text(), refusals[0].Reason) || !strings.Contains(r.text(), ja("provision.refused.note")) {
		t.Errorf("provision under a declined request: status %d; want 403 showing the reason %q", r.status, refusals[0].Reason)
	}
	if inputValue(r.body, "reference") != strings.TrimPrefix(declined, "/cooperation/") {
		t.Error("the refused form lost what was typed")
	}
	if ps, err := s.srv.Commsinfo.Provisions(s.ctx, w.analyst, commsinfo.ProvisionFilter{}); err != nil || len(ps) != 0 {
		t.Errorf("provisions after a refusal: %d (%v), want none", len(ps), err)
	}
	if r := ac.get("/provisions"); !strings.Contains(r.text(), refusals[0].Reason) {
		t.Error("the provisions page lacks the refused attempt")
	}
	// Bad input is a field error, not a refusal.
	form = formValues(t, ac.get("/provisions/new").body, "/provisions")
	form.Set("q_port", "http")
	form.Set("purpose", "x")
	if r := ac.post("/provisions", form); r.status != http.StatusBadRequest || !strings.Contains(r.body, `id="pn-q-port" name="q_port" inputmode="numeric" value="http" aria-invalid="true"`) {
		t.Errorf("provision with a bad port: status %d; want 400 with the field marked", r.status)
	}

	// Under the accepted request: made.
	r = provide(accepted)
	ppath := location(t, "POST /provisions", r)
	contains(t, "provision", ac.get(r.header.Get("Location")), ja("provision.created", 1, 0), "Attribution of campaign X.")
	if r := mc.get("/provisions"); !strings.Contains(r.body, ppath) {
		t.Error("METI's provisions lack the one made to it")
	}
	reads := w.countAudit(t, "provision.read")
	if r := mc.get(ppath + "/records"); r.status != http.StatusOK || !strings.Contains(r.text(), "c2.bad.example") || !strings.Contains(r.text(), "198.51.100.7") {
		t.Errorf("METI GET records: status %d; want the records provided", r.status)
	}
	if w.countAudit(t, "provision.read") != reads+1 {
		t.Error("reading the records provided was not logged")
	}
	if r := xc.get(ppath); r.status != http.StatusNotFound {
		t.Errorf("MLIT GET %s: status %d, want 404", ppath, r.status)
	}
	if r := xc.get("/provisions"); strings.Contains(r.body, ppath) {
		t.Error("MLIT's provisions show METI's")
	}
}

// TestCommsinfoPagesTranslated fetches every communications-information
// page of each role in Japanese and English: no message is missing, and
// the accessibility basics hold.
func TestCommsinfoPagesTranslated(t *testing.T) {
	s := newSite(t, storetest.SQLite(t))
	w := newCIWorld(t, s)
	now := s.clock.Now()
	for i := range 4 {
		w.upload(t, runFile{started: now.Add(-time.Duration(4-i) * 24 * time.Hour), flows: 2, seen: 1000, selected: 10})
	}
	w.upload(t, runFile{started: now.Add(-12 * time.Hour), flows: 2, seen: 1000, selected: 900})
	run := w.upload(t, runFile{started: now.Add(-6 * time.Hour), flows: 2, seen: 1000, selected: 10, tamper: true})
	f, err := s.srv.Commsinfo.CreateFinding(s.ctx, w.analyst, commsinfo.FindingInput{Title: "C2", Assessment: "Beacons.",
		Indicators: []commsinfo.Indicator{{Type: "domain", Value: "c2.bad.example"}},
		Sources:    []commsinfo.FindingSource{{Kind: commsinfo.SourceSelectedQuery, Query: &commsinfo.RecordQuery{Approval: w.approval, Domain: "c2.bad.example"}}}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.srv.Commsinfo.RequestCooperation(s.ctx, w.analyst, commsinfo.CooperationInput{RecipientOrgID: w.meti.ID, Purpose: "Attribution",
		Scope: commsinfo.CooperationScope{Description: "C2"}, Due: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.srv.Commsinfo.AnswerCooperation(s.ctx, w.metiP, c.ID, true, "ok"); err != nil {
		t.Fatal(err)
	}
	pv, err := s.srv.Commsinfo.Provide(s.ctx, w.analyst, commsinfo.ProvisionRequest{RecipientOrgID: w.meti.ID, RecipientKind: commsinfo.RecipientAgencyCooperation,
		Basis: commsinfo.BasisCooperation, Reference: c.ID, Purpose: "Attribution", FindingIDs: []string{f.ID},
		Query: &commsinfo.RecordQuery{Approval: w.approval, Domain: "c2.bad.example"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.srv.Commsinfo.Provide(s.ctx, w.analyst, commsinfo.ProvisionRequest{RecipientOrgID: w.mlit.ID, RecipientKind: commsinfo.RecipientAgencyMeasure,
		Basis: commsinfo.BasisMeasure, Reference: "case_1", Purpose: "Takedown", FindingIDs: []string{f.ID}}); err == nil {
		t.Fatal("a provision without a measure case was made")
	}
	c2, err := s.srv.Commsinfo.RequestCooperation(s.ctx, w.analyst, commsinfo.CooperationInput{RecipientOrgID: w.meti.ID, Purpose: "Open one",
		Scope: commsinfo.CooperationScope{Description: "C2"}})
	if err != nil {
		t.Fatal(err)
	}
	s.clock.Advance(2 * time.Hour) // the accepted request is past its due time

	pages := map[string][]string{
		"nco": {"/", "/runs", "/runs?approval=" + w.approval, "/runs/" + run, "/records", "/records?q=1&approval=" + w.approval,
			"/findings", "/findings/new", "/findings/" + f.ID, "/cooperation", "/cooperation/" + c.ID, "/cooperation/" + c2.ID,
			"/provisions", "/provisions/new", "/provisions/" + pv.ID, "/provisions/" + pv.ID + "/records"},
		"meti": {"/", "/cooperation", "/cooperation/" + c.ID, "/cooperation/" + c2.ID, "/provisions", "/provisions/" + pv.ID, "/provisions/" + pv.ID + "/records"},
	}
	member := []string{"/", "/runs?approval=" + w.approval, "/runs/" + run, "/records?q=1&approval=" + w.approval, "/findings", "/findings/" + f.ID,
		"/cooperation", "/cooperation/" + c.ID, "/provisions", "/provisions/" + pv.ID}
	for _, lang := range []web.Lang{web.Japanese, web.English} {
		check := func(c *client, who string, paths []string) {
			c.get("/lang/" + string(lang))
			for _, p := range paths {
				t.Run(string(lang)+"/"+who+p, func(t *testing.T) {
					r := c.get(p)
					if r.status != http.StatusOK {
						t.Fatalf("status %d, want 200", r.status)
					}
					checkTranslated(t, p, r)
					checkPage(t, r.body, lang)
				})
			}
		}
		for user, paths := range pages {
			check(w.user(t, user), user, paths)
		}
		check(w.commission(t, "member1"), "member1", member)
		// The chart in this language.
		c := w.user(t, "nco")
		c.get("/lang/" + string(lang))
		svg := c.get("/runs/chart.svg?approval=" + w.approval)
		if _, title, _ := chartShape(t, svg.body); !strings.Contains(title, s.msgs.T(lang, "runs.chart.title", w.approval)) {
			t.Errorf("%s chart title %q", lang, title)
		}
		checkTranslated(t, "chart", svg)
	}
}

// FuzzFindingForm: the finding form's fields never panic, and what parses
// renders back to fields that parse to the same indicators and query. The
// seed corpus is in testdata/fuzz/FuzzFindingForm.
func FuzzFindingForm(f *testing.F) {
	f.Fuzz(func(t *testing.T, indicators, techniques, recordIDs, from, to, address, port, domain string) {
		q := [9]string{"apv_1", "", from, to, address, port, domain, "", ""}
		in, err := web.ParseFindingForm(indicators, techniques, recordIDs, q)
		if err != nil {
			return
		}
		ind, q2 := web.FormatFindingForm(in)
		in2, err := web.ParseFindingForm(ind, techniques, recordIDs, q2)
		if err != nil {
			t.Fatalf("rendered fields do not parse: %v\n%q\n%q", err, ind, q2)
		}
		if d := cmp.Diff(in, in2); d != "" {
			t.Errorf("fields changed on a round trip (-first +second):\n%s", d)
		}
	})
}
