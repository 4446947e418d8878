package measuresapi_test

import (
	"encoding/json"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/measures"
	"github.com/acd-platform/acd/internal/measures/measuresapi"
	"github.com/acd-platform/acd/internal/measures/orderdoc"
	"github.com/acd-platform/acd/internal/oversight"
	"github.com/acd-platform/acd/internal/pdf"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
)

// TestPoliceCase walks a police case against a target abroad through the
// API: designation, opening, location, MOFA consultation and answer, the
// request for approval, the commission's motion and votes, command, an
// order with its document as JSON and text, delivery and response, the
// officer's record of execution, and closing.
func TestPoliceCase(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		var des measuresapi.DesignationList
		e.call(t, "GET", "/api/v1/measures/designations?active=true", "analyst", "", http.StatusOK, &des)
		if len(des.Designations) != 4 {
			t.Errorf("got %d active designations, want 4", len(des.Designations))
		}
		e.call(t, "GET", "/api/v1/measures/designations?active=maybe", "analyst", "", http.StatusBadRequest, nil)
		var d measures.Designation
		e.call(t, "GET", "/api/v1/measures/designations/"+des.Designations[0].ID, "chair", "", http.StatusOK, &d)
		if d.ID != des.Designations[0].ID {
			t.Errorf("designation %+v", d)
		}
		e.call(t, "GET", "/api/v1/measures/designations", "mofa", "", http.StatusForbidden, nil)

		c := e.open(t, "officer", e.input(measures.PathPolice))
		if c.State != measures.StateOpen || c.Path != measures.PathPolice || c.OfficerLevel != measures.LevelNational {
			t.Fatalf("opened case %+v", c)
		}
		// Edits are allowed while nothing is requested.
		in := e.input(measures.PathPolice)
		in.Title = "C2 server (revised)"
		e.call(t, "PUT", caseURL(c.ID), "officer", js(t, in), http.StatusOK, &c)
		if c.Title != in.Title {
			t.Errorf("title %q after edit", c.Title)
		}

		e.locate(t, "officer", c.ID, false)
		// MOFA sees the case only once consulted.
		e.call(t, "GET", caseURL(c.ID), "mofa", "", http.StatusNotFound, nil)
		// Only the chain's commander consults MOFA.
		e.call(t, "POST", caseURL(c.ID, "consultation"), "officer", `{"text":"x"}`, http.StatusForbidden, nil)
		e.consult(t, "cg", c.ID, measures.NoObjection)
		e.call(t, "GET", caseURL(c.ID), "mofa", "", http.StatusOK, &c)
		if !c.Consultation.Answered() || c.Consultation.Response != measures.NoObjection {
			t.Fatalf("consultation %+v", c.Consultation)
		}
		// A second answer is a step taken once.
		code, _, b := e.req(t, "POST", caseURL(c.ID, "consultation", "answer"), "mofa", `{"response":"objection","text":"Changed our mind."}`)
		if ee := errorOf(t, b); code != http.StatusConflict || ee.Error.Code != measures.CodeAlreadyDone {
			t.Errorf("second answer: got %d %s, want 409 already_done", code, ee.Error.Code)
		}

		e.call(t, "POST", caseURL(c.ID, "approval"), "officer", `{"statement":"We ask for approval to stop the C2 process."}`, http.StatusOK, &c)
		if c.Approval == nil || c.Approval.State != measures.ApprovalPending {
			t.Fatalf("approval %+v", c.Approval)
		}
		var q measures.Queue
		e.call(t, "GET", "/api/v1/measures/queue", "m3", "", http.StatusOK, &q)
		if len(q.Approvals) != 1 || q.Approvals[0].ID != c.ID {
			t.Errorf("queue approvals %+v", q.Approvals)
		}
		e.call(t, "GET", "/api/v1/measures/queue", "analyst", "", http.StatusForbidden, nil)

		var m measures.Motion
		e.call(t, "POST", caseURL(c.ID, "motions"), "analyst", `{"kind":"approve"}`, http.StatusForbidden, nil)
		e.call(t, "POST", caseURL(c.ID, "motions"), "m1", `{"kind":"approve","statement":"Necessary."}`, http.StatusCreated, &m)
		e.call(t, "POST", caseURL(c.ID, "motions"), "m2", `{"kind":"approve"}`, http.StatusConflict, nil)
		for _, u := range []string{"chair", "m1", "m2"} {
			e.call(t, "POST", "/api/v1/measures/motions/"+m.ID+"/votes", u, `{"vote":"yes","reasons":"Proportionate."}`, http.StatusCreated, nil)
		}
		e.call(t, "POST", "/api/v1/measures/motions/"+m.ID+"/votes", "m1", `{"vote":"no","reasons":"x"}`, http.StatusConflict, nil)
		e.call(t, "POST", "/api/v1/measures/motions/"+m.ID+"/close", "m1", "", http.StatusForbidden, nil)
		e.call(t, "POST", "/api/v1/measures/motions/"+m.ID+"/close", "chair", "", http.StatusOK, &m)
		if m.State != oversight.MotionCarried || m.Tally == nil || m.Tally.Yes != 3 {
			t.Fatalf("closed motion %+v", m)
		}
		e.call(t, "GET", "/api/v1/measures/motions/"+m.ID, "officer", "", http.StatusOK, &m)
		e.call(t, "GET", caseURL(c.ID), "officer", "", http.StatusOK, &c)
		if c.Approval.State != measures.ApprovalApproved || c.Approval.MotionID != m.ID {
			t.Fatalf("approval after the vote %+v", c.Approval)
		}
		// The case is locked now.
		code, _, b = e.req(t, "PUT", caseURL(c.ID), "officer", js(t, in))
		if ee := errorOf(t, b); code != http.StatusConflict || ee.Error.Code != measures.CodeCaseLocked {
			t.Errorf("edit after approval: got %d %s, want 409 case_locked", code, ee.Error.Code)
		}

		e.call(t, "POST", caseURL(c.ID, "command"), "cg", e.commandBody(t, measures.KindStopProgram, measures.KindOrderAdmin), http.StatusOK, &c)
		if c.Command == nil || len(c.Command.Scope) != 2 {
			t.Fatalf("command %+v", c.Command)
		}
		var ov measures.Overview
		e.call(t, "GET", "/api/v1/measures/overview", "analyst", "", http.StatusOK, &ov)
		if len(ov.Cases) != 1 || ov.Cases[0].ID != c.ID || ov.Police != 1 || !ov.Cases[0].Foreign {
			t.Errorf("overview %+v", ov)
		}
		e.call(t, "GET", "/api/v1/measures/overview", "officer", "", http.StatusForbidden, nil)

		var o measures.Order
		e.call(t, "POST", caseURL(c.ID, "orders"), "officer", e.orderBody(t), http.StatusCreated, &o)
		if o.CaseID != c.ID || !strings.HasPrefix(o.ID, "ord_") || o.LegalBasis.EN != "Police Duties Execution Act, Article 6-2, paragraph 1" {
			t.Fatalf("order %+v", o)
		}
		// The document as JSON, by ?format= and by suffix.
		var doc orderdoc.Document
		e.call(t, "GET", "/api/v1/measures/orders/"+o.ID+"/document?format=json", "officer", "", http.StatusOK, &doc)
		if doc.ID != o.ID || doc.CaseID != c.ID || doc.Path != "police" || len(doc.Targets) != 1 || doc.Targets[0].Address != "192.0.2.15" ||
			doc.Addressee.Name != "Example Hosting B.V. <abuse desk>" || doc.Grounds.Harm == "" || doc.Reply == "" {
			t.Errorf("document %+v", doc)
		}
		if err := orderdoc.Validate(doc); err != nil {
			t.Errorf("document does not validate: %v", err)
		}
		code, hdr, raw := e.req(t, "GET", "/api/v1/measures/orders/"+o.ID+"/document.json", "officer", "")
		if code != http.StatusOK || !strings.HasPrefix(hdr.Get("Content-Type"), "application/json") || !json.Valid(raw) {
			t.Errorf("document.json: %d %s", code, hdr.Get("Content-Type"))
		}
		// As text: Japanese first, then English, in Japan time.
		code, hdr, raw = e.req(t, "GET", "/api/v1/measures/orders/"+o.ID+"/document.txt", "officer", "")
		txt := string(raw)
		if code != http.StatusOK || hdr.Get("Content-Type") != "text/plain; charset=utf-8" {
			t.Errorf("document.txt: %d %s", code, hdr.Get("Content-Type"))
		}
		for _, want := range []string{o.ID, c.ID, "警察官職務執行法第6条の2第1項", "Police Duties Execution Act", "Example Hosting B.V. <abuse desk>", "日本標準時", "JST"} {
			if !strings.Contains(txt, want) {
				t.Errorf("text document lacks %q", want)
			}
		}
		if strings.Index(txt, "措置命令書") > strings.Index(txt, "Order to the administrator") {
			t.Errorf("text document: English before Japanese")
		}
		// As HTML: the addressee escaped, nothing active.
		code, hdr, raw = e.req(t, "GET", "/api/v1/measures/orders/"+o.ID+"/document?format=html", "officer", "")
		if code != http.StatusOK || !strings.HasPrefix(hdr.Get("Content-Type"), "text/html") || !strings.Contains(hdr.Get("Content-Security-Policy"), "default-src 'none'") ||
			!strings.Contains(string(raw), "&lt;abuse desk&gt;") {
			t.Errorf("document.html: %d %s %s", code, hdr.Get("Content-Type"), hdr.Get("Content-Security-Policy"))
		}
		e.call(t, "GET", "/api/v1/measures/orders/"+o.ID+"/document?format=docx", "officer", "", http.StatusBadRequest, nil)
		e.call(t, "GET", "/api/v1/measures/orders/ord_nope/document.txt", "officer", "", http.StatusNotFound, nil)
		// Another agency does not see it.
		e.call(t, "GET", "/api/v1/measures/orders/"+o.ID, "pref", "", http.StatusNotFound, nil)

		e.clock.Advance(5 * time.Minute)
		at := e.clock.Now().Add(-time.Minute).Format(time.RFC3339)
		e.call(t, "POST", "/api/v1/measures/orders/"+o.ID+"/delivery", "officer", `{"method":"email","at":"`+at+`","note":"Sent to the abuse desk."}`, http.StatusOK, &o)
		e.call(t, "POST", "/api/v1/measures/orders/"+o.ID+"/response", "officer", `{"response":"complied","text":"Process stopped.","at":"`+at+`"}`, http.StatusOK, &o)
		e.call(t, "GET", "/api/v1/measures/orders/"+o.ID, "cg", "", http.StatusOK, &o)
		if len(o.Deliveries) != 1 || o.Response == nil || o.Response.Response != measures.ResponseComplied || o.Overdue {
			t.Errorf("order after delivery and response %+v", o)
		}

		e.clock.Advance(2 * time.Minute)
		e.call(t, "POST", caseURL(c.ID, "executions"), "officer", e.executionBody(t, measures.KindStopProgram), http.StatusCreated, &c)
		if c.State != measures.StateExecuting || len(c.Executions) != 1 || len(c.Orders) != 1 {
			t.Fatalf("case after execution: state %s, %d executions, %d orders", c.State, len(c.Executions), len(c.Orders))
		}
		code, _, b = e.req(t, "POST", caseURL(c.ID, "withdraw"), "officer", `{"reason":"No longer needed."}`)
		if ee := errorOf(t, b); code != http.StatusConflict || ee.Error.Code != measures.CodeAlreadyExecuted {
			t.Errorf("withdraw after execution: got %d %s, want 409 already_executed", code, ee.Error.Code)
		}
		e.call(t, "POST", caseURL(c.ID, "close"), "officer", `{"summary":"C2 stopped.","effect":"Beacons ceased.","third_party_effect":"None observed."}`, http.StatusOK, &c)
		if c.State != measures.StateClosed || c.Outcome == nil {
			t.Fatalf("closed case %+v", c)
		}
		code, _, b = e.req(t, "POST", caseURL(c.ID, "orders"), "officer", e.orderBody(t))
		if ee := errorOf(t, b); code != http.StatusConflict || ee.Error.Code != measures.CodeCaseClosed || ee.Error.Messages["ja"] == "" {
			t.Errorf("order on a closed case: got %d %+v, want 409 case_closed", code, ee.Error)
		}
		var list measuresapi.CaseList
		e.call(t, "GET", "/api/v1/measures/cases?state=closed", "officer", "", http.StatusOK, &list)
		if len(list.Cases) != 1 || list.Cases[0].ID != c.ID {
			t.Errorf("closed cases %+v", list.Cases)
		}
		e.call(t, "GET", "/api/v1/measures/cases?state=open", "officer", "", http.StatusOK, &list)
		if len(list.Cases) != 0 {
			t.Errorf("open cases: got %d, want 0", len(list.Cases))
		}
		e.call(t, "GET", "/api/v1/measures/cases?limit=x", "officer", "", http.StatusBadRequest, nil)
	})
}

// TestEmergencyCase: an emergency declared without prior approval, an
// order under it, the post-notification, the commission's review with a
// recommendation, and the review refused a second time.
func TestEmergencyCase(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		c := e.open(t, "officer", e.input(measures.PathPolice))
		e.locate(t, "officer", c.ID, true)
		e.call(t, "POST", caseURL(c.ID, "emergency"), "officer", `{"special_circumstances":"Payloads go out within the hour; the commission cannot meet in time."}`, http.StatusOK, &c)
		if c.Emergency == nil || !c.Emergency.Due.Equal(e.clock.Now().Add(e.svc.PostNoticeWithin())) {
			t.Fatalf("emergency %+v", c.Emergency)
		}
		e.call(t, "POST", caseURL(c.ID, "command"), "cg", e.commandBody(t, measures.KindStopProgram, measures.KindOrderAdmin), http.StatusOK, nil)
		var o measures.Order
		e.call(t, "POST", caseURL(c.ID, "orders"), "officer", e.orderBody(t), http.StatusCreated, &o)

		e.clock.Advance(time.Hour)
		// Closing before the post-notification is refused.
		e.call(t, "POST", caseURL(c.ID, "executions"), "officer", e.executionBody(t, measures.KindStopProgram), http.StatusCreated, nil)
		code, _, b := e.req(t, "POST", caseURL(c.ID, "close"), "officer", `{"summary":"Done.","effect":"Stopped.","third_party_effect":"None."}`)
		if ee := errorOf(t, b); code != http.StatusConflict || ee.Error.Code != measures.CodePostNoticeRequired {
			t.Errorf("close before post-notice: got %d %s, want 409 post_notice_required", code, ee.Error.Code)
		}
		e.call(t, "POST", caseURL(c.ID, "post-notice"), "officer", `{"what_was_done":"Ordered the hoster; stopped the C2 process.","why_no_time":"Payloads were due within the hour."}`, http.StatusOK, &c)
		if c.PostNotice == nil || c.PostNotice.Late {
			t.Fatalf("post-notice %+v", c.PostNotice)
		}
		var q measures.Queue
		e.call(t, "GET", "/api/v1/measures/queue", "chair", "", http.StatusOK, &q)
		if len(q.PostNotices) != 1 || q.PostNotices[0].ID != c.ID {
			t.Errorf("queue post-notices %+v", q.PostNotices)
		}
		e.call(t, "POST", caseURL(c.ID, "post-notice", "review"), "officer", `{"outcome":"acknowledged","text":"x"}`, http.StatusForbidden, nil)
		due := e.clock.Now().Add(30 * 24 * time.Hour).Format(time.RFC3339)
		e.call(t, "POST", caseURL(c.ID, "post-notice", "review"), "m1", `{"outcome":"recommendation","text":"Record the grounds of urgency sooner.","rating":"amber","due":"`+due+`"}`, http.StatusOK, &c)
		if r := c.PostNotice.Review; r == nil || r.Outcome != measures.ReviewRecommendation || r.RecommendationID != "rec_api_test" {
			t.Fatalf("review %+v", c.PostNotice.Review)
		}
		if len(e.rec.orgs) != 1 || e.rec.orgs[0] != e.npa.ID {
			t.Errorf("recommendations went to %v, want [%s]", e.rec.orgs, e.npa.ID)
		}
		code, _, b = e.req(t, "POST", caseURL(c.ID, "post-notice", "review"), "m2", `{"outcome":"acknowledged","text":"Seen."}`)
		if ee := errorOf(t, b); code != http.StatusConflict || ee.Error.Code != measures.CodeAlreadyDone {
			t.Errorf("second review: got %d %s, want 409 already_done", code, ee.Error.Code)
		}
		e.call(t, "POST", caseURL(c.ID, "close"), "officer", `{"summary":"Done.","effect":"Stopped.","third_party_effect":"None."}`, http.StatusOK, &c)
		if c.State != measures.StateClosed {
			t.Errorf("state %s after close", c.State)
		}
	})
}

// TestSDFProtectionCase: the SDF protection path through the API: the
// NPSC's consent, the Prime Minister's order, approval asked by the
// Minister of Defense, command by the minister, an order whose legal
// basis is the SDF Act applying the PDEA.
func TestSDFProtectionCase(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		c := e.open(t, "sdf", e.input(measures.PathSDFProtection))
		e.locate(t, "sdf", c.ID, true)
		e.call(t, "POST", caseURL(c.ID, "npsc"), "npsc", `{"kind":"consent","text":"The NPSC consents to SDF action jointly with the NPA."}`, http.StatusOK, nil)
		e.call(t, "POST", caseURL(c.ID, "sdf-order"), "cabinet", js(t, sdfOrder(true)), http.StatusOK, &c)
		if c.SDFOrder == nil {
			t.Fatal("no SDF order recorded")
		}
		e.approve(t, "minister", "approval/by-commander", c.ID)
		e.call(t, "POST", caseURL(c.ID, "command"), "minister", e.commandBody(t, measures.KindOrderAdmin), http.StatusOK, nil)
		var o measures.Order
		e.call(t, "POST", caseURL(c.ID, "orders"), "sdf", e.orderBody(t), http.StatusCreated, &o)
		if !strings.Contains(o.LegalBasis.EN, "Self-Defense Forces Act, Article 91-3") {
			t.Errorf("legal basis %+v", o.LegalBasis)
		}
		// The cabinet and the joint police officer see the case.
		e.call(t, "GET", caseURL(c.ID), "cabinet", "", http.StatusOK, nil)
		e.call(t, "GET", caseURL(c.ID), "officer", "", http.StatusOK, nil)
		e.call(t, "GET", caseURL(c.ID), "pref", "", http.StatusNotFound, nil)
	})
}

// sdfOrder is the Prime Minister's order with every condition met, or with
// the SDF's indispensability not met.
func sdfOrder(all bool) measures.SDFOrderInput {
	return measures.SDFOrderInput{
		ImportantComputers:   measures.ImportantComputers{Met: true, Category: measures.ComputersCriticalInfra, Text: "Hospitals' medical record systems."},
		OrganisedActorAbroad: measures.Condition{Met: true, Text: "A state-backed group abroad."},
		SDFIndispensable:     measures.Condition{Met: all, Text: "Only the SDF has the capability."},
		Text:                 "The Prime Minister orders communication protection measures.",
	}
}

// TestPDF: the order's PDF through the API: 503 saying what to install
// when the server has no Chromium; a PDF when it has.
func TestPDF(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, &pdf.Printer{ExecPath: "/nonexistent/chromium"})
		c := e.ready(t)
		var o measures.Order
		e.call(t, "POST", caseURL(c.ID, "orders"), "officer", e.orderBody(t), http.StatusCreated, &o)
		code, _, b := e.req(t, "GET", "/api/v1/measures/orders/"+o.ID+"/document.pdf", "officer", "")
		if ee := errorOf(t, b); code != http.StatusServiceUnavailable || !strings.Contains(ee.Error.Message, "install the Debian package chromium") {
			t.Errorf("PDF without Chromium: got %d %+v, want 503 saying what to install", code, ee.Error)
		}
	})
	if testing.Short() {
		t.Skip("PDF printing skipped in -short mode: it starts Chromium")
	}
	if _, err := exec.LookPath("chromium"); err != nil {
		t.Skip("PDF printing skipped: no chromium (install the Debian package chromium, and fonts-noto-cjk for Japanese)")
	}
	e := newEnv(t, storetest.SQLite(t), nil)
	c := e.ready(t)
	var o measures.Order
	e.call(t, "POST", caseURL(c.ID, "orders"), "officer", e.orderBody(t), http.StatusCreated, &o)
	code, hdr, b := e.req(t, "GET", "/api/v1/measures/orders/"+o.ID+"/document?format=pdf", "officer", "")
	if code != http.StatusOK || hdr.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(string(b), "%PDF-") {
		t.Errorf("PDF: %d %s, starts %q", code, hdr.Get("Content-Type"), string(b[:min(len(b), 8)]))
	}
}

// TestStrictBodies: unknown fields, the wrong content type and bodies over
// the limit are refused before the service sees them.
func TestStrictBodies(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		body := strings.TrimSuffix(js(t, e.input(measures.PathPolice)), "}") + `,"approved":true}`
		code, _, b := e.req(t, "POST", "/api/v1/measures/cases", "officer", body)
		if ee := errorOf(t, b); code != http.StatusBadRequest || ee.Error.Field != "approved" {
			t.Errorf("unknown field: got %d %+v", code, ee.Error)
		}
		code, _, _ = e.c.Do(t, "POST", "/api/v1/measures/cases", "officer", "text/plain", js(t, e.input(measures.PathPolice)))
		if code != http.StatusUnsupportedMediaType {
			t.Errorf("text/plain body: got %d, want 415", code)
		}
		huge := `{"title":"` + strings.Repeat("x", 3<<20) + `"}`
		if code, _, _ = e.req(t, "POST", "/api/v1/measures/cases", "officer", huge); code != http.StatusRequestEntityTooLarge {
			t.Errorf("3 MiB case: got %d, want 413", code)
		}
		c := e.open(t, "officer", e.input(measures.PathPolice))
		code, _, b = e.req(t, "POST", caseURL(c.ID, "location"), "officer", `{"in_japan":true,"evidence":{"geolocation":"x","country":"JP"}}`)
		if ee := errorOf(t, b); code != http.StatusBadRequest || ee.Error.Field != "evidence.country" {
			t.Errorf("unknown nested field: got %d %+v", code, ee.Error)
		}
		// Invalid input the service finds is 400 with the field.
		in := e.input(measures.PathPolice)
		in.Targets[0].Address = "300.1.1.1"
		code, _, b = e.req(t, "POST", "/api/v1/measures/cases", "officer", js(t, in))
		if ee := errorOf(t, b); code != http.StatusBadRequest || !strings.HasPrefix(ee.Error.Field, "targets[0]") {
			t.Errorf("bad address: got %d %+v", code, ee.Error)
		}
	})
}
