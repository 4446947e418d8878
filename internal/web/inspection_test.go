package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/inspection"
	"github.com/acd-platform/acd/internal/store/storetest"
	"github.com/acd-platform/acd/internal/web"
)

// TestInspectionPages walks the commission's pages on a real server: the
// chair opens an inspection of METI by its form, records findings over
// time and closes it; issues recommendations to METI and MLIT; METI sees
// only its own (404 for MLIT's), answers, and the commission assesses and
// re-rates it; an unanswered one past its due time is marked overdue.
func TestInspectionPages(t *testing.T) {
	s := newSite(t, storetest.SQLite(t))
	w := newCIWorld(t, s)
	ja := func(key string, args ...any) string { return s.msgs.T(web.Japanese, key, args...) }

	cc := w.commission(t, "chair")
	home := cc.get("/")
	for _, link := range []string{`href="/inspections"`, `href="/inspections#open"`, `href="/recommendations#issue"`, `href="/handling-errors"`, `href="/runs"`} {
		if !strings.Contains(home.body, link) {
			t.Errorf("chair's home lacks %s", link)
		}
	}

	// Open an inspection: without subjects first.
	form := formValues(t, cc.get("/inspections").body, "/inspections")
	form.Set("scope", "How METI handles provided records.\nRetention and access logs.")
	r := cc.post("/inspections", form)
	if r.status != http.StatusBadRequest || !strings.Contains(errorsOf(r.body), "subjects") || !strings.Contains(r.text(), "Retention and access logs.") {
		t.Errorf("inspection without subjects: status %d, errors %q; want 400 naming the subjects, the scope kept", r.status, errorsOf(r.body))
	}
	form.Set("subjects", w.meti.ID)
	form.Set("run_ids", "run_1, run_2")
	r = cc.post("/inspections", form)
	ipath := location(t, "POST /inspections", r)
	page := cc.get(r.header.Get("Location"))
	contains(t, "inspection", page, ja("inspection.done.opened"), "How METI handles provided records.", "経済産業省", ja("inspection.state.open"), "run_2")

	// Findings over time.
	csrf := inputValue(page.body, "csrf")
	if r := cc.post(ipath+"/findings", url.Values{"csrf": {csrf}, "text": {"  "}}); r.status != http.StatusBadRequest || !strings.Contains(r.body, `id="i-finding" name="text" rows="4" required aria-invalid="true"`) {
		t.Errorf("empty finding: status %d; want 400 with the field marked", r.status)
	}
	location(t, "finding 1", cc.post(ipath+"/findings", url.Values{"csrf": {csrf}, "text": {"Access logs are kept for 90 days only."}}))
	s.clock.Advance(3 * time.Hour)
	location(t, "finding 2", cc.post(ipath+"/findings", url.Values{"csrf": {csrf}, "text": {"Two provided records were kept past retention."}}))
	page = cc.get(ipath)
	contains(t, "inspection with findings", page, "Access logs are kept for 90 days only.", "Two provided records were kept past retention.", "2026-04-02 05:30 JST", "2026-04-02 08:30 JST")

	// A recommendation from it, to METI.
	issue := func(org, text, due string) *response {
		t.Helper()
		form := formValues(t, cc.get("/recommendations?inspection="+strings.TrimPrefix(ipath, "/inspections/")).body, "/recommendations")
		form.Set("org_id", org)
		form.Set("text", text)
		form.Set("rating", "red")
		form.Set("due", due)
		return cc.post("/recommendations", form)
	}
	if r := issue(w.meti.ID, "Keep access logs for a year.", ""); r.status != http.StatusBadRequest || !strings.Contains(r.body, `id="r-due" name="due" type="datetime-local" required value="" aria-invalid="true"`) {
		t.Errorf("recommendation without a due date: status %d; want 400 with the field marked", r.status)
	}
	if r := issue(w.meti.ID, "Keep access logs for a year.", "2026-01-01T09:00"); r.status != http.StatusBadRequest || !strings.Contains(errorsOf(r.body), "not in the future") {
		t.Errorf("recommendation due in the past: status %d, errors %q; want 400", r.status, errorsOf(r.body))
	}
	metiRec := location(t, "issue to METI", issue(w.meti.ID, "Keep access logs for a year.", "2026-04-20T17:00"))
	// MLIT is not a subject of the inspection: refused; without it, issued.
	if r := issue(w.mlit.ID, "x", "2026-04-20T17:00"); r.status != http.StatusBadRequest || !strings.Contains(errorsOf(r.body), "not a subject") {
		t.Errorf("recommendation to a non-subject: status %d, errors %q; want 400", r.status, errorsOf(r.body))
	}
	form = formValues(t, cc.get("/recommendations").body, "/recommendations")
	form.Set("org_id", w.mlit.ID)
	form.Set("text", "Review the railway sensors' retention.")
	form.Set("rating", "amber")
	form.Set("due", "2026-04-02T10:30") // an hour from now, in JST
	mlitRec := location(t, "issue to MLIT", cc.post("/recommendations", form))

	// Close the inspection with its summary.
	if r := cc.post(ipath+"/close", url.Values{"csrf": {csrf}, "summary": {""}}); r.status != http.StatusBadRequest {
		t.Errorf("close without a summary: status %d, want 400", r.status)
	}
	location(t, "close", cc.post(ipath+"/close", url.Values{"csrf": {csrf}, "summary": {"Retention is too short; one recommendation."}}))
	page = cc.get(ipath)
	contains(t, "closed inspection", page, ja("inspection.state.closed"), "Retention is too short; one recommendation.", "経済産業省")
	if strings.Contains(page.body, ipath+"/findings") || !strings.Contains(page.body, metiRec) {
		t.Error("the closed inspection still offers the finding form, or lacks its recommendation")
	}

	// METI: its own only.
	mc := w.user(t, "meti")
	r = mc.get("/recommendations")
	if !strings.Contains(r.body, metiRec) || strings.Contains(r.body, mlitRec) || strings.Contains(r.body, `action="/recommendations"`) {
		t.Errorf("METI's recommendations: want its own only and no issue form")
	}
	if r := mc.get(mlitRec); r.status != http.StatusNotFound {
		t.Errorf("METI GET %s: status %d, want 404", mlitRec, r.status)
	}
	page = mc.get(metiRec)
	contains(t, "METI's recommendation", page, "Keep access logs for a year.", ja("recommendation.rating.red"), "2026-04-20 17:00 JST")
	if strings.Contains(page.body, metiRec+"/assess") || strings.Contains(page.body, metiRec+"/withdraw") {
		t.Error("METI is offered the commission's forms")
	}
	location(t, "answer", mc.post(metiRec+"/answer", url.Values{"csrf": {inputValue(page.body, "csrf")}, "text": {"Logs are now kept for 400 days."}}))
	if r := mc.post(metiRec+"/answer", url.Values{"csrf": {inputValue(page.body, "csrf")}, "text": {"again"}}); r.status != http.StatusConflict {
		t.Errorf("a second answer: status %d, want 409", r.status)
	}
	// MLIT may not answer METI's.
	if r := w.user(t, "mlit").post(metiRec+"/answer", url.Values{"csrf": {w.user(t, "mlit").csrf("/")}, "text": {"x"}}); r.status != http.StatusNotFound && r.status != http.StatusForbidden {
		t.Errorf("MLIT answering METI's: status %d, want 404", r.status)
	}

	// The commission assesses and re-rates it.
	page = cc.get(metiRec)
	csrf = inputValue(page.body, "csrf")
	if r := cc.post(metiRec+"/assess", url.Values{"csrf": {csrf}, "implementation": {""}}); r.status != http.StatusBadRequest || !strings.Contains(r.body, `id="r-impl" name="implementation" required aria-invalid="true"`) {
		t.Errorf("assessment without implementation: status %d; want 400 with the field marked", r.status)
	}
	location(t, "assess", cc.post(metiRec+"/assess", url.Values{"csrf": {csrf}, "implementation": {"partial"}, "rating": {"green"}, "note": {"Logs kept; review pending."}}))
	page = cc.get(metiRec)
	contains(t, "assessed recommendation", page, ja("recommendation.state.closed"), ja("recommendation.implementation.partial"), ja("recommendation.rating.green"),
		ja("recommendation.event.issue"), ja("recommendation.event.answer"), ja("recommendation.event.assess"), "Logs are now kept for 400 days.", "Logs kept; review pending.")

	// MLIT's is overdue after two hours.
	s.clock.Advance(2 * time.Hour)
	xc := w.user(t, "mlit")
	r = xc.get("/recommendations")
	if !strings.Contains(r.body, mlitRec) || !strings.Contains(r.text(), ja("recommendation.overdue")) {
		t.Error("MLIT's list does not mark its overdue recommendation")
	}
	if r := xc.get("/recommendations?overdue=1"); !strings.Contains(r.body, mlitRec) {
		t.Error("the overdue filter lacks MLIT's recommendation")
	}
	cc = w.commission(t, "chair")
	page = cc.get(mlitRec)
	contains(t, "overdue recommendation", page, ja("recommendation.overdue.note"))
	location(t, "withdraw", cc.post(mlitRec+"/withdraw", url.Values{"csrf": {inputValue(page.body, "csrf")}, "reason": {"Superseded by the railway inspection."}}))
	contains(t, "withdrawn", cc.get(mlitRec), ja("recommendation.state.withdrawn"), "Superseded by the railway inspection.")
	if r := xc.get("/inspections"); r.status != http.StatusForbidden {
		t.Errorf("MLIT GET /inspections: status %d, want 403", r.status)
	}
}

// TestHandlingErrorPages: METI reports a handling error by the form;
// MLIT cannot see it; the commission classifies it, and the date the
// affected persons were told is required when they were.
func TestHandlingErrorPages(t *testing.T) {
	s := newSite(t, storetest.SQLite(t))
	w := newCIWorld(t, s)
	ja := func(key string, args ...any) string { return s.msgs.T(web.Japanese, key, args...) }

	mc := w.user(t, "meti")
	form := formValues(t, mc.get("/handling-errors").body, "/handling-errors")
	form.Set("category", "late_deletion")
	form.Set("severity", "high")
	form.Set("description", "Provided records were kept 30 days past retention.")
	form.Set("occurred_at", "2026-05-01T09:00") // after the clock: refused
	r := mc.post("/handling-errors", form)
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, `aria-invalid="true"`) || !strings.Contains(errorsOf(r.body), "future") {
		t.Errorf("an error in the future: status %d, errors %q; want 400", r.status, errorsOf(r.body))
	}
	form.Set("occurred_at", "2026-03-20T09:00")
	form.Set("related", "prv_1 run_2")
	r = mc.post("/handling-errors", form)
	hpath := location(t, "POST /handling-errors", r)
	contains(t, "reported error", mc.get(r.header.Get("Location")), ja("handling_error.done.reported"), ja("handling_error.category.late_deletion"),
		ja("handling_error.severity.high"), "2026-03-20 09:00 JST", "prv_1", "run_2")

	xc := w.user(t, "mlit")
	if r := xc.get(hpath); r.status != http.StatusNotFound {
		t.Errorf("MLIT GET %s: status %d, want 404", hpath, r.status)
	}
	if r := xc.get("/handling-errors"); strings.Contains(r.body, hpath) {
		t.Error("MLIT's list shows METI's error")
	}

	cc := w.commission(t, "member1")
	page := cc.get(hpath)
	form = formValues(t, page.body, hpath+"/classify")
	form.Set("serious", "true")
	form.Set("reasons", "Personal data of many people kept unlawfully.")
	form.Set("affected_told", "yes")
	r = cc.post(hpath+"/classify", form)
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, `id="h-told-at" name="affected_told_at" type="datetime-local" value="" aria-describedby="h-told-at-help" aria-invalid="true"`) {
		t.Errorf("told without a date: status %d, errors %q; want 400 with the date marked", r.status, errorsOf(r.body))
	}
	if !strings.Contains(r.text(), "Personal data of many people kept unlawfully.") {
		t.Error("the refused classification lost the reasons typed")
	}
	form.Set("affected_told_at", "2026-03-25T10:00")
	location(t, "classify", cc.post(hpath+"/classify", form))
	page = cc.get(hpath)
	contains(t, "classified", page, ja("handling_error.state.classified"), ja("handling_error.serious"), ja("handling_error.told.yes"), "2026-03-25 10:00 JST")
	if strings.Contains(page.body, hpath+"/classify") {
		t.Error("a classified error still offers the form")
	}
	if r := cc.get("/handling-errors?serious=1"); !strings.Contains(r.body, hpath) || !strings.Contains(r.text(), "経済産業省") {
		t.Error("the serious filter lacks the error")
	}
	hs, err := s.srv.Inspection.HandlingErrors(s.ctx, w.chair, inspection.ErrorFilter{Serious: true})
	if err != nil || len(hs) != 1 || !hs[0].Classification.AffectedToldAt.Equal(time.Date(2026, 3, 25, 1, 0, 0, 0, time.UTC)) {
		t.Errorf("stored classification: %+v (%v); want serious, told on 2026-03-25 10:00 JST", hs, err)
	}
	// METI may not classify.
	if r := mc.post(hpath+"/classify", url.Values{"csrf": {mc.csrf("/")}, "serious": {"false"}}); r.status != http.StatusForbidden {
		t.Errorf("METI classifying: status %d, want 403", r.status)
	}
}

// TestInspectionPagesTranslated fetches every inspection page of each role
// in Japanese and English: no message is missing, and the accessibility
// basics hold.
func TestInspectionPagesTranslated(t *testing.T) {
	s := newSite(t, storetest.SQLite(t))
	w := newCIWorld(t, s)
	svc := s.srv.Inspection
	in, err := svc.OpenInspection(s.ctx, w.chair, inspection.NewInspection{Subjects: []string{inspection.AllAgencies}, Scope: "All agencies' retention.",
		ApprovalIDs: []string{w.approval}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddFinding(s.ctx, w.chair, in.ID, "Retention varies."); err != nil {
		t.Fatal(err)
	}
	rec, err := svc.IssueRecommendation(s.ctx, w.chair, inspection.NewRecommendation{InspectionID: in.ID, OrgID: w.meti.ID, Text: "Align retention.",
		Rating: inspection.RatingAmber, Due: s.clock.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	answered, err := svc.IssueRecommendation(s.ctx, w.m1, inspection.NewRecommendation{OrgID: w.meti.ID, Text: "Log every read.",
		Rating: inspection.RatingRed, Due: s.clock.Now().Add(48 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AnswerRecommendation(s.ctx, w.metiP, answered.ID, "Done."); err != nil {
		t.Fatal(err)
	}
	he, err := svc.ReportHandlingError(s.ctx, w.metiP, inspection.NewHandlingError{Category: inspection.ProvisionBeyondBasis, Severity: inspection.SeverityLow,
		Description: "Sent to the wrong desk.", OccurredAt: s.clock.Now().Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	he2, err := svc.ReportHandlingError(s.ctx, w.metiP, inspection.NewHandlingError{Category: inspection.OtherError, Severity: inspection.SeverityMedium,
		Description: "Other.", OccurredAt: s.clock.Now().Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ClassifyHandlingError(s.ctx, w.chair, he2.ID, inspection.Classification{Reasons: "Minor.", AffectedTold: inspection.ToldNotApplicable}); err != nil {
		t.Fatal(err)
	}
	s.clock.Advance(2 * time.Hour) // rec is overdue

	chair := []string{"/", "/inspections", "/inspections/" + in.ID, "/recommendations", "/recommendations/" + rec.ID, "/recommendations/" + answered.ID,
		"/handling-errors", "/handling-errors/" + he.ID, "/handling-errors/" + he2.ID}
	meti := []string{"/", "/recommendations", "/recommendations/" + rec.ID, "/recommendations/" + answered.ID, "/handling-errors", "/handling-errors/" + he.ID, "/handling-errors/" + he2.ID}
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
		check(w.commission(t, "chair"), "chair", chair)
		check(w.user(t, "meti"), "meti", meti)
	}
}
