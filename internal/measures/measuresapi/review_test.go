package measuresapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/measures"
	"github.com/acd-platform/acd/internal/oversight"
	"github.com/acd-platform/acd/internal/servicetest"
)

// seed creates user name in org with roles (several, unlike SeedUsers),
// with an API token the env's client uses.
func (e *env) seed(t *testing.T, name string, org auth.Org, roles ...auth.Role) {
	t.Helper()
	u, err := e.p.Auth.SeedUser(e.ctx, auth.NewUser{Username: "user-" + name, OrgID: org.ID, Roles: roles, Password: servicetest.Password})
	if err != nil {
		t.Fatalf("seed %s: %v", name, err)
	}
	raw, _, err := e.p.Auth.CreateToken(e.ctx, &auth.Principal{UserID: u.ID, Via: auth.ViaSession, MFA: true, Roles: u.Roles}, u.ID, "test", 365*24*time.Hour)
	if err != nil {
		t.Fatalf("token for %s: %v", name, err)
	}
	e.tok[name], e.ids[name] = raw, u.ID
}

// designate has by designate user name, until valid (zero: open-ended).
func (e *env) designate(t *testing.T, by, name string, valid time.Time) {
	t.Helper()
	e.call(t, "POST", "/api/v1/measures/designations", by, js(t, measures.DesignationInput{UserID: e.ids[name], Scope: "Cyber harm prevention", ValidUntil: valid}), http.StatusCreated, nil)
}

// motion moves a motion of kind on case id as the chair.
func (e *env) motion(t *testing.T, id string, kind oversight.MotionKind) measures.Motion {
	t.Helper()
	var m measures.Motion
	e.call(t, "POST", caseURL(id, "motions"), "chair", js(t, measures.MotionInput{Kind: kind}), http.StatusCreated, &m)
	return m
}

// executionAt records kind as started at start and ended a minute ago.
func (e *env) executionAt(t *testing.T, kind measures.MeasureKind, start time.Time) string {
	now := e.clock.Now()
	return js(t, measures.ExecutionInput{Kind: kind, StartedAt: start, EndedAt: now.Add(-time.Minute),
		Steps:  []measures.Step{{Kind: measures.StepNeutralise, At: start, Description: "Stopped the C2 process."}},
		Result: measures.ResultSucceeded})
}

// TestReview is an adversarial review of the state machine through HTTP:
// every way round a gate the review thought of, each refused with its
// status, its code and the fixed message in English and Japanese (or, for
// what the caller may not see, 404; for bad input, 400 naming the field),
// and the edge cases that are allowed.
func TestReview(t *testing.T) {
	type request struct{ method, path, user, body string }
	const post = "POST"
	approval := `{"statement":"We ask for approval to stop the C2 process."}`
	emergency := `{"special_circumstances":"The payload detonates within the hour."}`
	postNotice := `{"what_was_done":"Stopped the C2 process.","why_no_time":"Detonation within the hour."}`
	outcome := `{"summary":"Stopped.","effect":"Beacons ceased.","third_party_effect":"None seen."}`
	location := func(inJapan bool) string {
		return js(t, measures.LocationInput{InJapan: inJapan, Evidence: measures.LocationEvidence{Geolocation: "GeoIP database of 2026-03"}})
	}
	tests := []struct {
		name   string
		setup  func(t *testing.T, e *env) request
		status int
		code   string // refusal or API error code; "" when allowed
		field  string // for 400
	}{
		// Orders and executions need every gate, whatever else passed.
		{"order with no location", func(t *testing.T, e *env) request {
			c := e.open(t, "officer", e.input(measures.PathPolice))
			return request{post, caseURL(c.ID, "orders"), "officer", e.orderBody(t)}
		}, http.StatusConflict, measures.CodeLocationRequired, ""},
		{"execution abroad with MOFA asked but not answered, commanded", func(t *testing.T, e *env) request {
			c := e.open(t, "officer", e.input(measures.PathPolice))
			e.locate(t, "officer", c.ID, false)
			e.call(t, post, caseURL(c.ID, "consultation"), "cg", `{"text":"Target abroad."}`, http.StatusOK, nil)
			return request{post, caseURL(c.ID, "executions"), "officer", e.executionBody(t, measures.KindStopProgram)}
		}, http.StatusConflict, measures.CodeMOFARequired, ""},
		{"command abroad before MOFA answered", func(t *testing.T, e *env) request {
			c := e.open(t, "officer", e.input(measures.PathPolice))
			e.locate(t, "officer", c.ID, false)
			e.call(t, post, caseURL(c.ID, "consultation"), "cg", `{"text":"Target abroad."}`, http.StatusOK, nil)
			return request{post, caseURL(c.ID, "command"), "cg", e.commandBody(t, measures.KindStopProgram)}
		}, http.StatusConflict, measures.CodeMOFARequired, ""},
		{"execution commanded but neither approved nor an emergency", func(t *testing.T, e *env) request {
			c := e.open(t, "officer", e.input(measures.PathPolice))
			e.locate(t, "officer", c.ID, true)
			e.call(t, post, caseURL(c.ID, "command"), "cg", e.commandBody(t, measures.KindStopProgram), http.StatusOK, nil)
			return request{post, caseURL(c.ID, "executions"), "officer", e.executionBody(t, measures.KindStopProgram)}
		}, http.StatusConflict, measures.CodeApprovalRequired, ""},
		{"order on SDF protection commanded without the Prime Minister's order", func(t *testing.T, e *env) request {
			c := e.open(t, "sdf", e.input(measures.PathSDFProtection))
			e.locate(t, "sdf", c.ID, true)
			e.call(t, post, caseURL(c.ID, "command"), "minister", e.commandBody(t, measures.KindOrderAdmin), http.StatusOK, nil)
			return request{post, caseURL(c.ID, "orders"), "sdf", e.orderBody(t)}
		}, http.StatusConflict, measures.CodeSDFOrderRequired, ""},
		{"emergency on SDF protection without the Prime Minister's order", func(t *testing.T, e *env) request {
			c := e.open(t, "sdf", e.input(measures.PathSDFProtection))
			e.locate(t, "sdf", c.ID, true)
			return request{post, caseURL(c.ID, "emergency"), "sdf", emergency}
		}, http.StatusConflict, measures.CodeSDFOrderRequired, ""},
		{"closing a commanded and approved case with nothing done", func(t *testing.T, e *env) request {
			c := e.ready(t)
			return request{post, caseURL(c.ID, "close"), "officer", outcome}
		}, http.StatusConflict, measures.CodeNothingExecuted, ""},
		{"closing an emergency case without its post-notification", func(t *testing.T, e *env) request {
			c := e.open(t, "officer", e.input(measures.PathPolice))
			e.locate(t, "officer", c.ID, true)
			e.call(t, post, caseURL(c.ID, "emergency"), "officer", emergency, http.StatusOK, nil)
			e.call(t, post, caseURL(c.ID, "command"), "cg", e.commandBody(t, measures.KindOrderAdmin), http.StatusOK, nil)
			e.call(t, post, caseURL(c.ID, "orders"), "officer", e.orderBody(t), http.StatusCreated, nil)
			return request{post, caseURL(c.ID, "close"), "officer", outcome}
		}, http.StatusConflict, measures.CodePostNoticeRequired, ""},
		{"order on a closed case", func(t *testing.T, e *env) request {
			c := e.ready(t)
			e.call(t, post, caseURL(c.ID, "orders"), "officer", e.orderBody(t), http.StatusCreated, nil)
			e.call(t, post, caseURL(c.ID, "close"), "officer", outcome, http.StatusOK, nil)
			return request{post, caseURL(c.ID, "orders"), "officer", e.orderBody(t)}
		}, http.StatusConflict, measures.CodeCaseClosed, ""},
		{"withdrawing after an order", func(t *testing.T, e *env) request {
			c := e.ready(t)
			e.call(t, post, caseURL(c.ID, "orders"), "officer", e.orderBody(t), http.StatusCreated, nil)
			return request{post, caseURL(c.ID, "withdraw"), "officer", `{"reason":"Changed our mind."}`}
		}, http.StatusConflict, measures.CodeAlreadyExecuted, ""},

		// A measure taken before its gates is not recorded under them.
		{"execution started before the command", func(t *testing.T, e *env) request {
			c := e.open(t, "officer", e.input(measures.PathPolice))
			e.locate(t, "officer", c.ID, true)
			e.approve(t, "officer", "approval", c.ID)
			e.clock.Advance(time.Hour)
			e.call(t, post, caseURL(c.ID, "command"), "cg", e.commandBody(t, measures.KindStopProgram), http.StatusOK, nil)
			return request{post, caseURL(c.ID, "executions"), "officer", e.executionAt(t, measures.KindStopProgram, e.clock.Now().Add(-30*time.Minute))}
		}, http.StatusConflict, measures.CodeExecutionBeforeGates, ""},
		{"execution started before the emergency", func(t *testing.T, e *env) request {
			c := e.open(t, "officer", e.input(measures.PathPolice))
			e.locate(t, "officer", c.ID, true)
			e.call(t, post, caseURL(c.ID, "command"), "cg", e.commandBody(t, measures.KindStopProgram), http.StatusOK, nil)
			e.clock.Advance(time.Hour)
			e.call(t, post, caseURL(c.ID, "emergency"), "officer", emergency, http.StatusOK, nil)
			return request{post, caseURL(c.ID, "executions"), "officer", e.executionAt(t, measures.KindStopProgram, e.clock.Now().Add(-30*time.Minute))}
		}, http.StatusConflict, measures.CodeExecutionBeforeGates, ""},
		{"execution started before the case was opened", func(t *testing.T, e *env) request {
			c := e.ready(t)
			e.clock.Advance(time.Hour)
			return request{post, caseURL(c.ID, "executions"), "officer", e.executionAt(t, measures.KindStopProgram, e.clock.Now().Add(-24*time.Hour))}
		}, http.StatusConflict, measures.CodeExecutionBeforeGates, ""},
		{"execution started after every gate is recorded", func(t *testing.T, e *env) request {
			c := e.ready(t)
			e.clock.Advance(2 * time.Hour)
			return request{post, caseURL(c.ID, "executions"), "officer", e.executionAt(t, measures.KindStopProgram, e.clock.Now().Add(-time.Hour))}
		}, http.StatusCreated, "", ""},

		{"a command given while the target was in Japan, after it moved abroad and MOFA answered", func(t *testing.T, e *env) request {
			c := e.open(t, "officer", e.input(measures.PathPolice))
			e.locate(t, "officer", c.ID, true)
			e.call(t, post, caseURL(c.ID, "command"), "cg", e.commandBody(t, measures.KindOrderAdmin), http.StatusOK, nil)
			e.locate(t, "officer", c.ID, false)
			e.consult(t, "cg", c.ID, measures.NoObjection)
			e.approve(t, "officer", "approval", c.ID)
			e.call(t, "GET", caseURL(c.ID), "officer", "", http.StatusOK, &c)
			if c.Command != nil || len(c.CommandHistory) != 1 {
				t.Errorf("after the move abroad: command %+v, history %d; want none in force, one kept", c.Command, len(c.CommandHistory))
			}
			return request{post, caseURL(c.ID, "orders"), "officer", e.orderBody(t)}
		}, http.StatusConflict, measures.CodeCommandRequired, ""},
		{"commanded again after MOFA answered, the order goes", func(t *testing.T, e *env) request {
			c := e.open(t, "officer", e.input(measures.PathPolice))
			e.locate(t, "officer", c.ID, true)
			e.call(t, post, caseURL(c.ID, "command"), "cg", e.commandBody(t, measures.KindOrderAdmin), http.StatusOK, nil)
			e.locate(t, "officer", c.ID, false)
			e.consult(t, "cg", c.ID, measures.NoObjection)
			e.approve(t, "officer", "approval", c.ID)
			e.call(t, post, caseURL(c.ID, "command"), "cg", e.commandBody(t, measures.KindOrderAdmin), http.StatusOK, nil)
			return request{post, caseURL(c.ID, "orders"), "officer", e.orderBody(t)}
		}, http.StatusCreated, "", ""},

		// Editing the facts once they bind.
		{"editing a case once approval is requested", func(t *testing.T, e *env) request {
			c := e.open(t, "officer", e.input(measures.PathPolice))
			e.locate(t, "officer", c.ID, true)
			e.call(t, post, caseURL(c.ID, "approval"), "officer", approval, http.StatusOK, nil)
			in := e.input(measures.PathPolice)
			in.Proposed = append(in.Proposed, measures.KindDeleteProgram)
			return request{"PUT", caseURL(c.ID), "officer", js(t, in)}
		}, http.StatusConflict, measures.CodeCaseLocked, ""},
		{"editing an approved case to widen its targets", func(t *testing.T, e *env) request {
			c := e.ready(t)
			in := e.input(measures.PathPolice)
			in.Targets = append(in.Targets, measures.Target{Address: "198.51.100.0/24"})
			return request{"PUT", caseURL(c.ID), "officer", js(t, in)}
		}, http.StatusConflict, measures.CodeCaseLocked, ""},
		{"moving the target abroad once approval is requested", func(t *testing.T, e *env) request {
			c := e.open(t, "officer", e.input(measures.PathPolice))
			e.locate(t, "officer", c.ID, true)
			e.call(t, post, caseURL(c.ID, "approval"), "officer", approval, http.StatusOK, nil)
			return request{post, caseURL(c.ID, "location"), "officer", location(false)}
		}, http.StatusConflict, measures.CodeCaseLocked, ""},

		{"a command given before the case was edited to propose less and target more", func(t *testing.T, e *env) request {
			c := e.open(t, "officer", e.input(measures.PathPolice))
			e.locate(t, "officer", c.ID, true)
			e.call(t, post, caseURL(c.ID, "command"), "cg", e.commandBody(t, measures.KindStopProgram, measures.KindOrderAdmin), http.StatusOK, nil)
			in := e.input(measures.PathPolice)
			in.Proposed = []measures.MeasureKind{measures.KindOrderAdmin}
			in.Targets = append(in.Targets, measures.Target{Address: "198.51.100.0/24"})
			e.call(t, "PUT", caseURL(c.ID), "officer", js(t, in), http.StatusOK, &c)
			if c.Command != nil || len(c.CommandHistory) != 1 {
				t.Errorf("after the edit: command %+v, history %d; want none in force, one kept", c.Command, len(c.CommandHistory))
			}
			e.approve(t, "officer", "approval", c.ID)
			return request{post, caseURL(c.ID, "executions"), "officer", e.executionBody(t, measures.KindStopProgram)}
		}, http.StatusConflict, measures.CodeCommandRequired, ""},
		{"commanding a kind the edited case no longer proposes", func(t *testing.T, e *env) request {
			c := e.open(t, "officer", e.input(measures.PathPolice))
			e.locate(t, "officer", c.ID, true)
			in := e.input(measures.PathPolice)
			in.Proposed = []measures.MeasureKind{measures.KindOrderAdmin}
			e.call(t, "PUT", caseURL(c.ID), "officer", js(t, in), http.StatusOK, nil)
			e.approve(t, "officer", "approval", c.ID)
			return request{post, caseURL(c.ID, "command"), "cg", e.commandBody(t, measures.KindStopProgram)}
		}, http.StatusBadRequest, api.CodeBadRequest, "scope[0]"},

		// The commission.
		{"emergency after the commission refused", func(t *testing.T, e *env) request {
			c := e.open(t, "officer", e.input(measures.PathPolice))
			e.locate(t, "officer", c.ID, true)
			e.call(t, post, caseURL(c.ID, "approval"), "officer", approval, http.StatusOK, nil)
			e.decide(t, c.ID, measures.MotionInput{Kind: oversight.MotionRefuse, Reasons: []oversight.Reason{{Category: oversight.ReasonNecessity, Text: "An order suffices."}}})
			return request{post, caseURL(c.ID, "emergency"), "officer", emergency}
		}, http.StatusConflict, measures.CodeCommissionRefused, ""},
		{"emergency once approved", func(t *testing.T, e *env) request {
			c := e.ready(t)
			return request{post, caseURL(c.ID, "emergency"), "officer", emergency}
		}, http.StatusConflict, measures.CodeAlreadyApproved, ""},
		{"asking approval again after an emergency", func(t *testing.T, e *env) request {
			c := e.open(t, "officer", e.input(measures.PathPolice))
			e.locate(t, "officer", c.ID, true)
			e.call(t, post, caseURL(c.ID, "emergency"), "officer", emergency, http.StatusOK, nil)
			return request{post, caseURL(c.ID, "approval"), "officer", approval}
		}, http.StatusConflict, measures.CodeAlreadyDone, ""},
		{"an SDF officer asks the commission directly", func(t *testing.T, e *env) request {
			c := e.open(t, "sdf", e.input(measures.PathSDFGuard))
			e.locate(t, "sdf", c.ID, true)
			return request{post, caseURL(c.ID, "approval"), "sdf", approval}
		}, http.StatusForbidden, measures.CodeNotInChain, ""},
		{"a commission member who is also an officer votes", func(t *testing.T, e *env) request {
			e.seed(t, "member-officer", e.comm, auth.RoleCommissionMember, auth.RoleOfficer)
			c := e.open(t, "officer", e.input(measures.PathPolice))
			e.locate(t, "officer", c.ID, true)
			e.call(t, post, caseURL(c.ID, "approval"), "officer", approval, http.StatusOK, nil)
			m := e.motion(t, c.ID, oversight.MotionApprove)
			return request{post, "/api/v1/measures/motions/" + m.ID + "/votes", "member-officer", `{"vote":"yes","reasons":"Fine."}`}
		}, http.StatusForbidden, measures.CodeCommissionSeparation, ""},
		{"a commission member who is also an analyst moves a motion", func(t *testing.T, e *env) request {
			e.seed(t, "member-analyst", e.comm, auth.RoleCommissionMember, auth.RoleAnalyst)
			c := e.open(t, "officer", e.input(measures.PathPolice))
			e.locate(t, "officer", c.ID, true)
			e.call(t, post, caseURL(c.ID, "approval"), "officer", approval, http.StatusOK, nil)
			return request{post, caseURL(c.ID, "motions"), "member-analyst", `{"kind":"approve"}`}
		}, http.StatusForbidden, measures.CodeCommissionSeparation, ""},

		{"a motion on a case with no request for approval", func(t *testing.T, e *env) request {
			c := e.open(t, "officer", e.input(measures.PathPolice))
			e.locate(t, "officer", c.ID, true)
			return request{post, caseURL(c.ID, "motions"), "chair", `{"kind":"approve"}`}
		}, http.StatusConflict, measures.CodeApprovalNotPending, ""},
		{"a motion on an approved case", func(t *testing.T, e *env) request {
			c := e.ready(t)
			return request{post, caseURL(c.ID, "motions"), "chair", `{"kind":"refuse","reasons":[{"category":"necessity","text":"On second thought."}]}`}
		}, http.StatusConflict, measures.CodeAlreadyApproved, ""},
		{"a motion on a withdrawn case", func(t *testing.T, e *env) request {
			c := e.open(t, "officer", e.input(measures.PathPolice))
			e.locate(t, "officer", c.ID, true)
			e.call(t, post, caseURL(c.ID, "approval"), "officer", approval, http.StatusOK, nil)
			e.call(t, post, caseURL(c.ID, "withdraw"), "officer", `{"reason":"The server went offline."}`, http.StatusOK, nil)
			return request{post, caseURL(c.ID, "motions"), "chair", `{"kind":"approve"}`}
		}, http.StatusConflict, measures.CodeCaseClosed, ""},
		{"a second motion while one is open", func(t *testing.T, e *env) request {
			c := e.open(t, "officer", e.input(measures.PathPolice))
			e.locate(t, "officer", c.ID, true)
			e.call(t, post, caseURL(c.ID, "approval"), "officer", approval, http.StatusOK, nil)
			e.motion(t, c.ID, oversight.MotionApprove)
			return request{post, caseURL(c.ID, "motions"), "m1", `{"kind":"approve"}`}
		}, http.StatusConflict, measures.CodeMotionOpen, ""},
		{"a vote on a motion an emergency lapsed", func(t *testing.T, e *env) request {
			c := e.open(t, "officer", e.input(measures.PathPolice))
			e.locate(t, "officer", c.ID, true)
			e.call(t, post, caseURL(c.ID, "approval"), "officer", approval, http.StatusOK, nil)
			m := e.motion(t, c.ID, oversight.MotionApprove)
			e.call(t, post, caseURL(c.ID, "emergency"), "officer", emergency, http.StatusOK, &c)
			if c.Approval == nil || c.Approval.State != measures.ApprovalWithdrawn {
				t.Errorf("approval after the emergency: %+v, want withdrawn", c.Approval)
			}
			e.call(t, "GET", "/api/v1/measures/motions/"+m.ID, "chair", "", http.StatusOK, &m)
			if m.State != oversight.MotionLapsed {
				t.Errorf("motion after the emergency: %s, want lapsed", m.State)
			}
			return request{post, "/api/v1/measures/motions/" + m.ID + "/votes", "m1", `{"vote":"yes","reasons":"Fine."}`}
		}, http.StatusConflict, measures.CodeMotionClosed, ""},
		{"closing a motion an emergency lapsed", func(t *testing.T, e *env) request {
			c := e.open(t, "officer", e.input(measures.PathPolice))
			e.locate(t, "officer", c.ID, true)
			e.call(t, post, caseURL(c.ID, "approval"), "officer", approval, http.StatusOK, nil)
			m := e.motion(t, c.ID, oversight.MotionApprove)
			for _, u := range []string{"chair", "m1", "m2"} {
				e.call(t, post, "/api/v1/measures/motions/"+m.ID+"/votes", u, `{"vote":"yes","reasons":"Fine."}`, http.StatusCreated, nil)
			}
			e.call(t, post, caseURL(c.ID, "emergency"), "officer", emergency, http.StatusOK, nil)
			return request{post, "/api/v1/measures/motions/" + m.ID + "/close", "chair", ""}
		}, http.StatusConflict, measures.CodeMotionClosed, ""},
		{"consulting MOFA on a target in Japan", func(t *testing.T, e *env) request {
			c := e.open(t, "officer", e.input(measures.PathPolice))
			e.locate(t, "officer", c.ID, true)
			return request{post, caseURL(c.ID, "consultation"), "cg", `{"text":"Just in case."}`}
		}, http.StatusConflict, measures.CodeConsultationNotNeeded, ""},
		{"MOFA answers a consultation the move back to Japan reset", func(t *testing.T, e *env) request {
			c := e.open(t, "officer", e.input(measures.PathPolice))
			e.locate(t, "officer", c.ID, false)
			e.call(t, post, caseURL(c.ID, "consultation"), "cg", `{"text":"Target abroad."}`, http.StatusOK, nil)
			e.locate(t, "officer", c.ID, true)
			return request{post, caseURL(c.ID, "consultation", "answer"), "mofa", `{"response":"no_objection"}`}
		}, http.StatusConflict, measures.CodeConsultationNotOpen, ""},

		// The post-notification.
		{"a post-notification filed by another officer", func(t *testing.T, e *env) request {
			c := e.open(t, "officer", e.input(measures.PathPolice))
			e.locate(t, "officer", c.ID, true)
			e.call(t, post, caseURL(c.ID, "emergency"), "officer", emergency, http.StatusOK, nil)
			return request{post, caseURL(c.ID, "post-notice"), "officer2", postNotice}
		}, http.StatusForbidden, measures.CodeNotCaseOfficer, ""},
		{"a post-notification with no emergency", func(t *testing.T, e *env) request {
			c := e.ready(t)
			return request{post, caseURL(c.ID, "post-notice"), "officer", postNotice}
		}, http.StatusConflict, measures.CodeNoEmergency, ""},
		{"a review with no post-notification filed", func(t *testing.T, e *env) request {
			c := e.open(t, "officer", e.input(measures.PathPolice))
			e.locate(t, "officer", c.ID, true)
			e.call(t, post, caseURL(c.ID, "emergency"), "officer", emergency, http.StatusOK, nil)
			return request{post, caseURL(c.ID, "post-notice", "review"), "m1", `{"outcome":"acknowledged"}`}
		}, http.StatusConflict, measures.CodePostNoticeNotFiled, ""},
		{"a withdrawn emergency case: no overdue post-notification, no filing", func(t *testing.T, e *env) request {
			c := e.open(t, "officer", e.input(measures.PathPolice))
			e.locate(t, "officer", c.ID, true)
			e.call(t, post, caseURL(c.ID, "emergency"), "officer", emergency, http.StatusOK, nil)
			e.call(t, post, caseURL(c.ID, "withdraw"), "officer", `{"reason":"The server went offline before we acted."}`, http.StatusOK, nil)
			e.clock.Advance(e.svc.PostNoticeWithin() + time.Hour)
			e.call(t, "GET", caseURL(c.ID), "officer", "", http.StatusOK, &c)
			if c.PostNoticeOverdue {
				t.Errorf("withdrawn case shows its post-notification overdue")
			}
			var q measures.Queue
			e.call(t, "GET", "/api/v1/measures/queue", "chair", "", http.StatusOK, &q)
			for _, o := range q.Overdue {
				if o.ID == c.ID {
					t.Errorf("withdrawn case %s in the commission's overdue queue", c.ID)
				}
			}
			return request{post, caseURL(c.ID, "post-notice"), "officer", postNotice}
		}, http.StatusConflict, measures.CodeCaseClosed, ""},

		// The chain of command and who sees what.
		{"the chief of another prefecture commands", func(t *testing.T, e *env) request {
			kyoto := e.p.Org(t, auth.NewOrg{Name: "Kyoto Prefectural Police", Kind: auth.OrgPolice, Police: auth.PolicePrefectural})
			e.seed(t, "kyotochief", kyoto, auth.RoleCommander)
			c := e.open(t, "pref", e.input(measures.PathPolice))
			e.locate(t, "pref", c.ID, true)
			return request{post, caseURL(c.ID, "command"), "kyotochief", e.commandBody(t, measures.KindStopProgram)}
		}, http.StatusNotFound, api.CodeNotFound, ""},
		{"the prefectural chief commands an NPA case", func(t *testing.T, e *env) request {
			c := e.open(t, "officer", e.input(measures.PathPolice))
			e.locate(t, "officer", c.ID, true)
			return request{post, caseURL(c.ID, "command"), "prefchief", e.commandBody(t, measures.KindStopProgram)}
		}, http.StatusNotFound, api.CodeNotFound, ""},
		{"the Minister of Defense commands a police case", func(t *testing.T, e *env) request {
			c := e.open(t, "officer", e.input(measures.PathPolice))
			e.locate(t, "officer", c.ID, true)
			return request{post, caseURL(c.ID, "command"), "minister", e.commandBody(t, measures.KindStopProgram)}
		}, http.StatusNotFound, api.CodeNotFound, ""},
		{"the Minister of Defense consults MOFA on a police case", func(t *testing.T, e *env) request {
			c := e.open(t, "officer", e.input(measures.PathPolice))
			e.locate(t, "officer", c.ID, false)
			return request{post, caseURL(c.ID, "consultation"), "minister", `{"text":"Target abroad."}`}
		}, http.StatusNotFound, api.CodeNotFound, ""},
		{"an SDF officer records an execution on a police case", func(t *testing.T, e *env) request {
			c := e.ready(t)
			return request{post, caseURL(c.ID, "executions"), "sdf", e.executionBody(t, measures.KindStopProgram)}
		}, http.StatusNotFound, api.CodeNotFound, ""},
		{"an officer of the joint police agency records an execution on the SDF case", func(t *testing.T, e *env) request {
			c := e.open(t, "sdf", e.input(measures.PathSDFProtection))
			return request{post, caseURL(c.ID, "executions"), "officer", e.executionBody(t, measures.KindStopProgram)}
		}, http.StatusForbidden, measures.CodeNotCaseOfficer, ""},
		{"the prefectural chief consults MOFA", func(t *testing.T, e *env) request {
			c := e.open(t, "pref", e.input(measures.PathPolice))
			e.locate(t, "pref", c.ID, true)
			return request{post, caseURL(c.ID, "consultation"), "prefchief", `{"text":"Target abroad."}`}
		}, http.StatusForbidden, measures.CodeNotInChain, ""},
		{"a prefectural officer orders after the target moved abroad", func(t *testing.T, e *env) request {
			c := e.open(t, "pref", e.input(measures.PathPolice))
			e.locate(t, "pref", c.ID, true)
			e.call(t, post, caseURL(c.ID, "command"), "prefchief", e.commandBody(t, measures.KindOrderAdmin), http.StatusOK, nil)
			e.locate(t, "pref", c.ID, false)
			return request{post, caseURL(c.ID, "orders"), "pref", e.orderBody(t)}
		}, http.StatusForbidden, measures.CodePrefecturalForeign, ""},
		{"the prefectural chief commands after the target moved abroad", func(t *testing.T, e *env) request {
			c := e.open(t, "pref", e.input(measures.PathPolice))
			e.locate(t, "pref", c.ID, false)
			return request{post, caseURL(c.ID, "command"), "prefchief", e.commandBody(t, measures.KindStopProgram)}
		}, http.StatusForbidden, measures.CodePrefecturalForeign, ""},
		{"a prefectural officer declares an emergency on a target abroad", func(t *testing.T, e *env) request {
			c := e.open(t, "pref", e.input(measures.PathPolice))
			e.locate(t, "pref", c.ID, false)
			return request{post, caseURL(c.ID, "emergency"), "pref", emergency}
		}, http.StatusForbidden, measures.CodePrefecturalForeign, ""},
		{"an officer who is also a commander commands their own case", func(t *testing.T, e *env) request {
			e.seed(t, "officer-commander", e.npa, auth.RoleOfficer, auth.RoleCommander)
			e.designate(t, "cg", "officer-commander", time.Time{})
			c := e.open(t, "officer-commander", e.input(measures.PathPolice))
			e.locate(t, "officer-commander", c.ID, true)
			return request{post, caseURL(c.ID, "command"), "officer-commander", e.commandBody(t, measures.KindStopProgram)}
		}, http.StatusForbidden, measures.CodeNotInChain, ""},
		{"a Commissioner General who is also an officer consults MOFA on their own case", func(t *testing.T, e *env) request {
			e.seed(t, "cg-officer", e.npa, auth.RoleCommander, auth.RoleOfficer)
			e.designate(t, "cg", "cg-officer", time.Time{})
			c := e.open(t, "cg-officer", e.input(measures.PathPolice))
			e.locate(t, "cg-officer", c.ID, false)
			return request{post, caseURL(c.ID, "consultation"), "cg-officer", `{"text":"Target abroad."}`}
		}, http.StatusForbidden, measures.CodeNotInChain, ""},
		{"the Commissioner General designates themselves", func(t *testing.T, e *env) request {
			e.seed(t, "cg-self", e.npa, auth.RoleCommander, auth.RoleOfficer)
			return request{post, "/api/v1/measures/designations", "cg-self", js(t, measures.DesignationInput{UserID: e.ids["cg-self"]})}
		}, http.StatusForbidden, measures.CodeNotDesignatingAuthority, ""},
		{"an officer whose designation expired mid-case", func(t *testing.T, e *env) request {
			e.seed(t, "shortterm", e.npa, auth.RoleOfficer)
			e.designate(t, "cg", "shortterm", e.clock.Now().Add(2*time.Hour))
			c := e.open(t, "shortterm", e.input(measures.PathPolice))
			e.clock.Advance(2 * time.Hour)
			return request{post, caseURL(c.ID, "location"), "shortterm", location(true)}
		}, http.StatusForbidden, measures.CodeNotDesignated, ""},

		// Times at the edge.
		{"a command a second before it ends is in force", func(t *testing.T, e *env) request {
			c := e.ready(t)
			e.clock.Advance(7*24*time.Hour - time.Second)
			return request{post, caseURL(c.ID, "orders"), "officer", e.orderBody(t)}
		}, http.StatusCreated, "", ""},
		{"a command at the instant it ends is not", func(t *testing.T, e *env) request {
			c := e.ready(t)
			e.clock.Advance(7 * 24 * time.Hour)
			return request{post, caseURL(c.ID, "orders"), "officer", e.orderBody(t)}
		}, http.StatusConflict, measures.CodeCommandExpired, ""},
		{"an order at the instant the post-notification falls due", func(t *testing.T, e *env) request {
			c := e.open(t, "officer", e.input(measures.PathPolice))
			e.locate(t, "officer", c.ID, true)
			e.call(t, post, caseURL(c.ID, "emergency"), "officer", emergency, http.StatusOK, nil)
			e.call(t, post, caseURL(c.ID, "command"), "cg", e.commandBody(t, measures.KindOrderAdmin), http.StatusOK, nil)
			e.clock.Advance(e.svc.PostNoticeWithin())
			return request{post, caseURL(c.ID, "orders"), "officer", e.orderBody(t)}
		}, http.StatusCreated, "", ""},
		{"an order a second after the post-notification fell due", func(t *testing.T, e *env) request {
			c := e.open(t, "officer", e.input(measures.PathPolice))
			e.locate(t, "officer", c.ID, true)
			e.call(t, post, caseURL(c.ID, "emergency"), "officer", emergency, http.StatusOK, nil)
			e.call(t, post, caseURL(c.ID, "command"), "cg", e.commandBody(t, measures.KindOrderAdmin), http.StatusOK, nil)
			e.clock.Advance(e.svc.PostNoticeWithin() + time.Second)
			return request{post, caseURL(c.ID, "orders"), "officer", e.orderBody(t)}
		}, http.StatusConflict, measures.CodePostNoticeOverdue, ""},
		{"a post-notification filed at the instant it falls due is on time", func(t *testing.T, e *env) request {
			c := e.open(t, "officer", e.input(measures.PathPolice))
			e.locate(t, "officer", c.ID, true)
			e.call(t, post, caseURL(c.ID, "emergency"), "officer", emergency, http.StatusOK, nil)
			e.clock.Advance(e.svc.PostNoticeWithin())
			e.call(t, post, caseURL(c.ID, "post-notice"), "officer", postNotice, http.StatusOK, &c)
			if c.PostNotice == nil || c.PostNotice.Late {
				t.Errorf("post-notification at the due time: got %+v, want on time", c.PostNotice)
			}
			return request{"GET", caseURL(c.ID), "officer", ""}
		}, http.StatusOK, "", ""},
		{"an order due in the past", func(t *testing.T, e *env) request {
			c := e.ready(t)
			return request{post, caseURL(c.ID, "orders"), "officer", js(t, measures.OrderInput{Addressee: "Example Hosting", Contact: "abuse@example.net",
				TargetIndexes: []int{0}, RequiredMeasures: "Stop the process.", Due: e.clock.Now().Add(-time.Hour)})}
		}, http.StatusBadRequest, api.CodeBadRequest, "due"},
		{"an order due now", func(t *testing.T, e *env) request {
			c := e.ready(t)
			return request{post, caseURL(c.ID, "orders"), "officer", js(t, measures.OrderInput{Addressee: "Example Hosting", Contact: "abuse@example.net",
				TargetIndexes: []int{0}, RequiredMeasures: "Stop the process.", Due: e.clock.Now()})}
		}, http.StatusBadRequest, api.CodeBadRequest, "due"},
		{"evidence with a 63-digit hash", func(t *testing.T, e *env) request {
			c := e.ready(t)
			in := e.executionIn(t)
			in.Evidence[0].SHA256 = strings.Repeat("a", 63)
			return request{post, caseURL(c.ID, "executions"), "officer", js(t, in)}
		}, http.StatusBadRequest, api.CodeBadRequest, "evidence[0].sha256"},
		{"evidence with a prefixed hash", func(t *testing.T, e *env) request {
			c := e.ready(t)
			in := e.executionIn(t)
			in.Evidence[0].SHA256 = "sha256:" + strings.Repeat("a", 64)
			return request{post, caseURL(c.ID, "executions"), "officer", js(t, in)}
		}, http.StatusBadRequest, api.CodeBadRequest, "evidence[0].sha256"},
		{"evidence with a non-hex hash", func(t *testing.T, e *env) request {
			c := e.ready(t)
			in := e.executionIn(t)
			in.Evidence[0].SHA256 = strings.Repeat("g", 64)
			return request{post, caseURL(c.ID, "executions"), "officer", js(t, in)}
		}, http.StatusBadRequest, api.CodeBadRequest, "evidence[0].sha256"},
	}
	each(t, func(t *testing.T, e *env) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := tt.setup(t, e)
				code, _, b := e.req(t, r.method, r.path, r.user, r.body)
				if tt.code == "" {
					if code != tt.status {
						t.Fatalf("got %d %s, want %d", code, b, tt.status)
					}
					return
				}
				ee := errorOf(t, b).Error
				if code != tt.status || ee.Code != tt.code {
					t.Fatalf("got %d %q (%s), want %d %q", code, ee.Code, ee.Message, tt.status, tt.code)
				}
				if tt.field != "" && ee.Field != tt.field {
					t.Errorf("got field %q, want %q", ee.Field, tt.field)
				}
				if measures.CodeStatus(tt.code) == 0 {
					return // not a refusal: the API's own error
				}
				wantEN, wantJA := measures.Refuse(tt.code, "").Message("en"), measures.Refuse(tt.code, "").Message("ja")
				if ee.Message != ee.Messages["en"] || !strings.HasPrefix(ee.Messages["en"], wantEN) || !strings.HasPrefix(ee.Messages["ja"], wantJA) {
					t.Errorf("got message %q, en %q, ja %q; want en %q…, ja %q…", ee.Message, ee.Messages["en"], ee.Messages["ja"], wantEN, wantJA)
				}
			})
		}
	})
}

// executionIn is executionBody's input, to alter.
func (e *env) executionIn(t *testing.T) measures.ExecutionInput {
	t.Helper()
	var in measures.ExecutionInput
	if err := json.Unmarshal([]byte(e.executionBody(t, measures.KindStopProgram)), &in); err != nil {
		t.Fatal(err)
	}
	return in
}
