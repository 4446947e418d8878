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

// TestMeasureEmergencyPages: the officer declares an emergency; the
// post-notification's due time shows in Japan time; once it passes the
// case is marked OVERDUE, the commission's queue lists it and an order is
// refused; the officer files the post-notification (late); a member
// reviews it with a recommendation, which the officer's agency sees.
func TestMeasureEmergencyPages(t *testing.T) {
	s, w := newMsrSite(t)
	w.designate(t)
	ofc := w.as(t, "ofc")
	ja := w.ja
	casePath := openCase(t, ofc, policeCase("緊急事案"))
	stepOK(t, ofc, casePath, casePath+"/location", url.Values{"in_japan": {"yes"}, "hosting_country": {"JP"}})
	declared := s.clock.Now()
	stepOK(t, ofc, casePath, casePath+"/emergency", url.Values{"special_circumstances": {"攻撃が拡大中で承認を待てない。"}})
	due := declared.Add(s.srv.Measures.PostNoticeWithin())
	page := ofc.get(casePath + "?done=emergency")
	contains(t, "emergency", page, ja("measure.done.emergency"), "攻撃が拡大中で承認を待てない。", jstShown(due), ja("measure.gate.status.passed"))
	if strings.Contains(page.body, `id="post-notice-overdue"`) {
		t.Error("the post-notification is marked overdue before its due time")
	}

	// Past the due time (a new session: the old one timed out).
	s.clock.Advance(s.srv.Measures.PostNoticeWithin() + time.Minute)
	ofc = w.as(t, "ofc")
	page = ofc.get(casePath)
	if !strings.Contains(page.body, `id="post-notice-overdue"`) || !strings.Contains(page.body, `id="overdue-alert"`) {
		t.Error("the overdue post-notification is not marked OVERDUE")
	}
	rf := measures.Refuse(measures.CodePostNoticeOverdue, "")
	if row := textOf(findID(t, page.body, "gate-post_notice")); !strings.Contains(row, rf.Message("ja")) || !strings.Contains(row, measures.CodePostNoticeOverdue) {
		t.Errorf("the post-notice gate %q lacks its refusal", row)
	}
	chair := w.as(t, "chair")
	q := chair.get("/commission/measures")
	contains(t, "queue", q, "緊急事案", ja("measure.overdue"))
	nco := w.as(t, "nco")
	ov := nco.get("/measures/overview")
	contains(t, "overview", ov, "緊急事案", ja("measure.overdue"))
	checkPage(t, ov.body, web.Japanese)
	r := step(t, ofc, casePath, casePath+"/orders", url.Values{"addressee": {"A"}, "contact": {"a@x.example"}, "target_indexes": {"0"},
		"required_measures": {"停止"}, "due": {jstLocal(s.clock.Now().Add(24 * time.Hour))}})
	refusedWith(t, w, "order while overdue", r, http.StatusConflict, measures.CodePostNoticeOverdue)

	stepOK(t, ofc, casePath, casePath+"/post-notice", url.Values{"what_was_done": {"C2 を停止した。"}, "why_no_time": {"夜間で委員会を招集できなかった。"}})
	contains(t, "filed", ofc.get(casePath), ja("measure.post_notice.late"), "夜間で委員会を招集できなかった。")

	// The review: a recommendation without a due time is a field error.
	m1 := w.as(t, "m1")
	r = step(t, m1, casePath, casePath+"/post-notice/review", url.Values{"outcome": {"recommendation"}, "text": {"手順を見直すこと。"}, "rating": {"amber"}})
	if r.status != http.StatusBadRequest || fieldError(t, r.body, "rv-due") == "" {
		t.Errorf("a recommendation without a due time: status %d, field error %q", r.status, fieldError(t, r.body, "rv-due"))
	}
	stepOK(t, m1, casePath, casePath+"/post-notice/review", url.Values{"outcome": {"recommendation"}, "text": {"手順を見直すこと。"},
		"rating": {"amber"}, "due": {jstLocal(s.clock.Now().Add(30 * 24 * time.Hour))}})
	page = ofc.get(casePath)
	contains(t, "reviewed", page, ja("measure.review.outcome.recommendation"), "手順を見直すこと。", ja("measure.rating.amber"))
	recID := regexpFind(t, page.body, `href="/recommendations/([^"]+)" id="recommendation-link"`)
	contains(t, "the recommendation to the NPA", ofc.get("/recommendations/"+recID), "手順を見直すこと。")
	if r := w.as(t, "pofc").get("/recommendations/" + recID); r.status != http.StatusNotFound {
		t.Errorf("another agency sees the recommendation: status %d, want 404", r.status)
	}
	if strings.Contains(m1.get(casePath).body, `id="review-form"`) {
		t.Error("the review form is offered again after the review")
	}
}

// TestMeasureForeignAndSDFPages: a target abroad needs MOFA: the
// prefectural officer's case is refused as prefectural_foreign_target; on
// the NPA's case the Commissioner General consults, MOFA (which sees only
// the cases it is consulted on) objects, and a command that does not
// acknowledge the objection is refused. On the SDF protection path the
// NPSC consents and the Prime Minister's order needs every condition.
func TestMeasureForeignAndSDFPages(t *testing.T) {
	s, w := newMsrSite(t)
	w.designate(t)
	ja := w.ja
	foreignCase := func(title string) url.Values {
		f := policeCase(title)
		f.Set("targets", "203.0.113.50|bad.example|Offshore Hosting|abuse@offshore.example|NL")
		f.Set("international_necessity", "on")
		f.Set("international_necessity_text", "重大かつ急迫した危険に対する唯一の手段。")
		return f
	}
	abroad := url.Values{"in_japan": {"no"}, "geolocation": {"オランダのデータセンター"}}

	pofc := w.as(t, "pofc")
	pCase := openCase(t, pofc, foreignCase("県警の国外事案"))
	stepOK(t, pofc, pCase, pCase+"/location", abroad)
	r := step(t, pofc, pCase, pCase+"/emergency", url.Values{"special_circumstances": {"x"}})
	refusedWith(t, w, "prefectural emergency abroad", r, http.StatusForbidden, measures.CodePrefecturalForeign)

	ofc := w.as(t, "ofc")
	casePath := openCase(t, ofc, foreignCase("国外の C2"))
	stepOK(t, ofc, casePath, casePath+"/location", abroad)
	contains(t, "foreign", ofc.get(casePath), ja("measure.mofa"), ja("measure.gate.mofa"))
	r = step(t, ofc, casePath, casePath+"/approval", url.Values{"statement": {"承認を求める。"}})
	refusedWith(t, w, "approval before MOFA", r, http.StatusConflict, measures.CodeMOFARequired)

	mofa := w.as(t, "mofa")
	if r := mofa.get(casePath); r.status != http.StatusNotFound {
		t.Errorf("MOFA sees a case before it is consulted: status %d, want 404", r.status)
	}
	cg := w.as(t, "cg")
	stepOK(t, cg, casePath, casePath+"/consultation", url.Values{"text": {"オランダ所在のサーバへの措置について協議する。"}})
	page := mofa.get(casePath)
	if page.status != http.StatusOK || !strings.Contains(page.body, `id="answer-form"`) {
		t.Fatalf("MOFA's view of the consulted case: status %d, answer form %v", page.status, strings.Contains(page.body, `id="answer-form"`))
	}
	if strings.Contains(page.body, `id="location-form"`) || strings.Contains(page.body, `id="command-form"`) {
		t.Error("MOFA is offered the officer's or the commander's forms")
	}
	r = step(t, mofa, casePath, casePath+"/consultation/answer", url.Values{"response": {"objection"}})
	if r.status != http.StatusBadRequest {
		t.Errorf("an objection without text: status %d, want 400", r.status)
	}
	stepOK(t, mofa, casePath, casePath+"/consultation/answer", url.Values{"response": {"objection"}, "text": {"外交上の懸念がある。"}})
	contains(t, "answered", ofc.get(casePath), ja("measure.mofa.response.objection"), "外交上の懸念がある。")

	until := jstLocal(s.clock.Now().Add(24 * time.Hour))
	cmd := url.Values{"scope": {"order_admin"}, "instructions": {"実施せよ。"}, "valid_until": {until}}
	r = step(t, cg, casePath, casePath+"/command", cmd)
	refusedWith(t, w, "a command not acknowledging the objection", r, http.StatusConflict, measures.CodeMOFAObjectionUnacknowledged)
	if !strings.Contains(r.body, `id="cmd-ack"`) {
		t.Error("the refused command form does not offer to acknowledge the objection")
	}
	cmd.Set("acknowledge_mofa_objection", "on")
	stepOK(t, cg, casePath, casePath+"/command", cmd)
	contains(t, "acknowledged", ofc.get(casePath), ja("measure.command.ack"))

	// The SDF protection path.
	sdf := w.as(t, "sdf")
	form := policeCase("SDF 通信防護")
	form.Set("path", "sdf_protection")
	form.Set("joint_police_org_id", w.npa.ID)
	form.Set("protected_facility", "ignored: not the guard path")
	sPath := openCase(t, sdf, form)
	page = sdf.get(sPath)
	contains(t, "sdf case", page, ja("measure.path.sdf_protection"), "警察庁", ja("measure.gate.sdf_order"))
	if strings.Contains(page.text(), "ignored: not the guard path") {
		t.Error("the protected facility of another path was recorded")
	}
	pm, npsc := w.as(t, "pm"), w.as(t, "npsc")
	r = step(t, pm, sPath, sPath+"/sdf-order", url.Values{"ic_met": {"on"}, "ic_category": {"critical_infrastructure"}, "ic_text": {"電力"}})
	refusedWith(t, w, "order before the NPSC", r, http.StatusConflict, measures.CodeNPSCRequired)
	stepOK(t, npsc, sPath, sPath+"/npsc", url.Values{"kind": {"consent"}, "text": {"同意する。"}})
	r = step(t, pm, sPath, sPath+"/sdf-order", url.Values{"ic_met": {"on"}, "ic_category": {"critical_infrastructure"}, "ic_text": {"電力"}})
	refusedWith(t, w, "order with conditions missing", r, http.StatusConflict, measures.CodeSDFConditionsNotMet)
	if !strings.Contains(r.body, `<option value="critical_infrastructure" selected>`) {
		t.Error("the refused order form lost its category")
	}
	stepOK(t, pm, sPath, sPath+"/sdf-order", url.Values{"ic_met": {"on"}, "ic_category": {"critical_infrastructure"}, "ic_text": {"電力"},
		"oaa_met": {"on"}, "oaa_text": {"国外の国家的主体"}, "sdf_met": {"on"}, "sdf_text": {"自衛隊の能力が不可欠"}, "text": {"命令する。"}})
	contains(t, "ordered", sdf.get(sPath), ja("measure.computers.critical_infrastructure"), "国外の国家的主体", ja("measure.npsc.kind.consent"))
	// The Minister of Defense asks for approval on the SDF path.
	minister := w.as(t, "minister")
	if !strings.Contains(minister.get(sPath).body, `action="`+sPath+`/approval/by-commander"`) {
		t.Error("the Minister of Defense is not offered the request for approval")
	}
	if strings.Contains(sdf.get(sPath).body, `id="approval-form"`) {
		t.Error("an SDF officer is offered the request for approval")
	}
	r = step(t, minister, sPath, sPath+"/approval/by-commander", url.Values{"statement": {"承認を求める。"}})
	refusedWith(t, w, "approval before the location", r, http.StatusConflict, measures.CodeLocationRequired)
	if r := step(t, minister, sPath, sPath+"/location", url.Values{"in_japan": {"yes"}, "other": {"x"}}); r.status != http.StatusForbidden {
		t.Errorf("the Minister records the location: status %d, want 403", r.status)
	}
}
