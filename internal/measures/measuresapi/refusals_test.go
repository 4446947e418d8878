package measuresapi_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/measures"
	"github.com/acd-platform/acd/internal/measures/measuresapi"
	"github.com/acd-platform/acd/internal/oversight"
	"github.com/acd-platform/acd/internal/pdf"
	"github.com/acd-platform/acd/internal/svcerr"
)

// TestRefusals sends steps the law or the case's state forbids through
// HTTP and checks each answer: the status, the exact code, and a message in
// both English and Japanese. Each row builds its own case on the shared
// env and returns the refused request.
func TestRefusals(t *testing.T) {
	type request struct{ method, path, user, body string }
	tests := []struct {
		name   string
		setup  func(t *testing.T, e *env) request
		status int
		code   string
	}{
		{"execution without command", func(t *testing.T, e *env) request {
			// Approved, but nobody commanded it.
			c := e.open(t, "officer", e.input(measures.PathPolice))
			e.locate(t, "officer", c.ID, true)
			e.approve(t, "officer", "approval", c.ID)
			return request{"POST", caseURL(c.ID, "executions"), "officer", e.executionBody(t, measures.KindStopProgram)}
		}, http.StatusConflict, measures.CodeCommandRequired},

		{"approval for a foreign target without consultation", func(t *testing.T, e *env) request {
			c := e.open(t, "officer", e.input(measures.PathPolice))
			e.locate(t, "officer", c.ID, false)
			return request{"POST", caseURL(c.ID, "approval"), "officer", `{"statement":"Please approve."}`}
		}, http.StatusConflict, measures.CodeMOFARequired},

		{"prefectural officer on a foreign target", func(t *testing.T, e *env) request {
			// Recording the location abroad is accepted; the next step is not.
			c := e.open(t, "pref", e.input(measures.PathPolice))
			e.locate(t, "pref", c.ID, false)
			return request{"POST", caseURL(c.ID, "approval"), "pref", `{"statement":"Please approve."}`}
		}, http.StatusForbidden, measures.CodePrefecturalForeign},

		{"order while the emergency's post-notice is overdue", func(t *testing.T, e *env) request {
			c := e.open(t, "officer", e.input(measures.PathPolice))
			e.locate(t, "officer", c.ID, true)
			e.call(t, "POST", caseURL(c.ID, "emergency"), "officer", `{"special_circumstances":"No time."}`, http.StatusOK, nil)
			e.call(t, "POST", caseURL(c.ID, "command"), "cg", e.commandBody(t, measures.KindOrderAdmin), http.StatusOK, nil)
			// A first order while on time; a later one after the due time.
			e.call(t, "POST", caseURL(c.ID, "orders"), "officer", e.orderBody(t), http.StatusCreated, nil)
			e.clock.Advance(e.svc.PostNoticeWithin() + time.Hour)
			return request{"POST", caseURL(c.ID, "orders"), "officer", e.orderBody(t)}
		}, http.StatusConflict, measures.CodePostNoticeOverdue},

		{"SDF order missing a condition", func(t *testing.T, e *env) request {
			c := e.open(t, "sdf", e.input(measures.PathSDFProtection))
			e.call(t, "POST", caseURL(c.ID, "npsc"), "npsc", `{"kind":"request","text":"The NPSC requests SDF action."}`, http.StatusOK, nil)
			return request{"POST", caseURL(c.ID, "sdf-order"), "cabinet", js(t, sdfOrder(false))}
		}, http.StatusConflict, measures.CodeSDFConditionsNotMet},

		{"SDF order without the NPSC", func(t *testing.T, e *env) request {
			c := e.open(t, "sdf", e.input(measures.PathSDFProtection))
			return request{"POST", caseURL(c.ID, "sdf-order"), "cabinet", js(t, sdfOrder(true))}
		}, http.StatusConflict, measures.CodeNPSCRequired},

		{"SDF commander who is not the Minister of Defense commands", func(t *testing.T, e *env) request {
			c := e.open(t, "sdf", e.input(measures.PathSDFGuard))
			e.locate(t, "sdf", c.ID, true)
			return request{"POST", caseURL(c.ID, "command"), "sdfcmd", e.commandBody(t, measures.KindStopProgram)}
		}, http.StatusForbidden, measures.CodeNotInChain},

		{"undesignated officer opens a case", func(t *testing.T, e *env) request {
			return request{"POST", "/api/v1/measures/cases", "undes", js(t, e.input(measures.PathPolice))}
		}, http.StatusForbidden, measures.CodeNotDesignated},

		{"officer whose designation was revoked", func(t *testing.T, e *env) request {
			c := e.open(t, "officer2", e.input(measures.PathPolice))
			var list measuresapi.DesignationList
			e.call(t, "GET", "/api/v1/measures/designations?user="+e.ids["officer2"], "cg", "", http.StatusOK, &list)
			if len(list.Designations) != 1 {
				t.Fatalf("designations of officer2: %+v", list)
			}
			e.call(t, "POST", "/api/v1/measures/designations/"+list.Designations[0].ID+"/revoke", "cg", `{"reason":"Transferred."}`, http.StatusOK, nil)
			return request{"POST", caseURL(c.ID, "location"), "officer2", `{"in_japan":true,"evidence":{"geolocation":"x"}}`}
		}, http.StatusForbidden, measures.CodeNotDesignated},

		{"analyst opens a case", func(t *testing.T, e *env) request {
			return request{"POST", "/api/v1/measures/cases", "analyst", js(t, e.input(measures.PathPolice))}
		}, http.StatusForbidden, api.CodeForbidden},

		{"another officer of the same agency", func(t *testing.T, e *env) request {
			c := e.open(t, "officer", e.input(measures.PathPolice))
			e.call(t, "GET", caseURL(c.ID), "officer2", "", http.StatusOK, nil)
			return request{"POST", caseURL(c.ID, "location"), "officer2", `{"in_japan":true,"evidence":{"geolocation":"x"}}`}
		}, http.StatusForbidden, measures.CodeNotCaseOfficer},

		{"police officer opens an SDF path", func(t *testing.T, e *env) request {
			return request{"POST", "/api/v1/measures/cases", "officer", js(t, e.input(measures.PathSDFGuard))}
		}, http.StatusForbidden, measures.CodeWrongPath},

		{"prefectural chief designates", func(t *testing.T, e *env) request {
			return request{"POST", "/api/v1/measures/designations", "prefchief", js(t, measures.DesignationInput{UserID: e.ids["undes"]})}
		}, http.StatusForbidden, measures.CodeNotDesignatingAuthority},

		{"approval without a location", func(t *testing.T, e *env) request {
			c := e.open(t, "officer", e.input(measures.PathPolice))
			return request{"POST", caseURL(c.ID, "approval"), "officer", `{"statement":"Please approve."}`}
		}, http.StatusConflict, measures.CodeLocationRequired},

		{"approval with the checklist incomplete", func(t *testing.T, e *env) request {
			in := e.input(measures.PathPolice)
			in.Checklist.OnlyMeans = measures.Condition{}
			c := e.open(t, "officer", in)
			e.locate(t, "officer", c.ID, true)
			return request{"POST", caseURL(c.ID, "approval"), "officer", `{"statement":"Please approve."}`}
		}, http.StatusConflict, measures.CodeChecklistIncomplete},

		{"order while approval is pending", func(t *testing.T, e *env) request {
			c := e.open(t, "officer", e.input(measures.PathPolice))
			e.locate(t, "officer", c.ID, true)
			e.call(t, "POST", caseURL(c.ID, "approval"), "officer", `{"statement":"Please approve."}`, http.StatusOK, nil)
			e.call(t, "POST", caseURL(c.ID, "command"), "cg", e.commandBody(t, measures.KindOrderAdmin), http.StatusOK, nil)
			return request{"POST", caseURL(c.ID, "orders"), "officer", e.orderBody(t)}
		}, http.StatusConflict, measures.CodeApprovalPending},

		{"emergency after the commission refused", func(t *testing.T, e *env) request {
			c := e.open(t, "officer", e.input(measures.PathPolice))
			e.locate(t, "officer", c.ID, true)
			e.call(t, "POST", caseURL(c.ID, "approval"), "officer", `{"statement":"Please approve."}`, http.StatusOK, nil)
			m := e.decide(t, c.ID, measures.MotionInput{Kind: oversight.MotionRefuse,
				Reasons: []oversight.Reason{{Category: oversight.ReasonNecessity, Text: "Ordering the hoster suffices."}}})
			if m.State != oversight.MotionCarried {
				t.Fatalf("refusal motion %s", m.State)
			}
			return request{"POST", caseURL(c.ID, "emergency"), "officer", `{"special_circumstances":"No time."}`}
		}, http.StatusConflict, measures.CodeCommissionRefused},

		{"command ignoring MOFA's objection", func(t *testing.T, e *env) request {
			c := e.open(t, "officer", e.input(measures.PathPolice))
			e.locate(t, "officer", c.ID, false)
			e.consult(t, "cg", c.ID, measures.Objection)
			return request{"POST", caseURL(c.ID, "command"), "cg", e.commandBody(t, measures.KindStopProgram)}
		}, http.StatusConflict, measures.CodeMOFAObjectionUnacknowledged},

		{"order outside the command's scope", func(t *testing.T, e *env) request {
			c := e.open(t, "officer", e.input(measures.PathPolice))
			e.locate(t, "officer", c.ID, true)
			e.approve(t, "officer", "approval", c.ID)
			e.call(t, "POST", caseURL(c.ID, "command"), "cg", e.commandBody(t, measures.KindStopProgram), http.StatusOK, nil)
			return request{"POST", caseURL(c.ID, "orders"), "officer", e.orderBody(t)}
		}, http.StatusConflict, measures.CodeCommandScope},

		{"SDF protection approval without the Prime Minister's order", func(t *testing.T, e *env) request {
			c := e.open(t, "sdf", e.input(measures.PathSDFProtection))
			e.locate(t, "sdf", c.ID, true)
			return request{"POST", caseURL(c.ID, "approval", "by-commander"), "minister", `{"statement":"Please approve."}`}
		}, http.StatusConflict, measures.CodeSDFOrderRequired},

		{"closing with nothing executed", func(t *testing.T, e *env) request {
			c := e.ready(t)
			return request{"POST", caseURL(c.ID, "close"), "officer", `{"summary":"x","effect":"x","third_party_effect":"x"}`}
		}, http.StatusConflict, measures.CodeNothingExecuted},

		{"step on a withdrawn case", func(t *testing.T, e *env) request {
			c := e.open(t, "officer", e.input(measures.PathPolice))
			e.call(t, "POST", caseURL(c.ID, "withdraw"), "officer", `{"reason":"The server went offline."}`, http.StatusOK, nil)
			return request{"POST", caseURL(c.ID, "location"), "officer", `{"in_japan":true,"evidence":{"geolocation":"x"}}`}
		}, http.StatusConflict, measures.CodeCaseClosed},
	}
	each(t, func(t *testing.T, e *env) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := tt.setup(t, e)
				code, _, b := e.req(t, r.method, r.path, r.user, r.body)
				ee := errorOf(t, b).Error
				if code != tt.status || ee.Code != tt.code {
					t.Fatalf("got %d %q (%s), want %d %q", code, ee.Code, ee.Message, tt.status, tt.code)
				}
				if tt.code == api.CodeForbidden {
					return // the policy's refusal, before the service: one language
				}
				if ee.Messages["en"] == "" || ee.Messages["ja"] == "" || ee.Message != ee.Messages["en"] {
					t.Errorf("messages: got message %q, en %q, ja %q; want both, message = en", ee.Message, ee.Messages["en"], ee.Messages["ja"])
				}
			})
		}
	})
}

// TestError maps errors as the server's MapError will.
func TestError(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		status int    // 0: not mapped
		code   string // the envelope's code
		langs  bool   // messages in en and ja
	}{
		// A refusal keeps its status and code, wrapped or not.
		{"refusal 409", measures.Refuse(measures.CodeCommandRequired, "case msr_x"), http.StatusConflict, measures.CodeCommandRequired, true},
		{"refusal 403 wrapped", fmt.Errorf("command: %w", measures.Refuse(measures.CodeNotInChain, "")), http.StatusForbidden, measures.CodeNotInChain, true},
		// A refusal built without a status takes its code's.
		{"refusal without status", func() error { r := measures.Refuse(measures.CodeNotDesignated, ""); r.Status = 0; return r }(), http.StatusForbidden, measures.CodeNotDesignated, true},
		// No Chromium: 503.
		{"no browser", fmt.Errorf("print order: %w", pdf.ErrNoBrowser), http.StatusServiceUnavailable, api.CodeUnavailable, false},
		// The shared service errors.
		{"field", svcerr.Fieldf("targets[0].address", "bad"), http.StatusBadRequest, api.CodeBadRequest, false},
		{"not found", measures.ErrNotFound, http.StatusNotFound, api.CodeNotFound, false},
		// Anything else is left to the next mapper.
		{"other", errors.New("disk full"), 0, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := measuresapi.Error(tt.err)
			if tt.status == 0 {
				if e != nil {
					t.Fatalf("got %v, want nil", e)
				}
				return
			}
			if e == nil || e.Status != tt.status || e.Code != tt.code {
				t.Fatalf("got %+v, want %d %q", e, tt.status, tt.code)
			}
			if tt.langs && (e.Messages["en"] == "" || e.Messages["ja"] == "" || e.Message != e.Messages["en"]) {
				t.Errorf("messages %v, message %q", e.Messages, e.Message)
			}
		})
	}
	// Every code the service documents maps to its status, in both
	// languages.
	for _, code := range measures.Codes() {
		e := measuresapi.Error(measures.Refuse(code, ""))
		if e.Code != code || (e.Status != http.StatusForbidden && e.Status != http.StatusConflict) || e.Messages["ja"] == "" || e.Messages["ja"] == e.Messages["en"] {
			t.Errorf("code %s: got %+v", code, e)
		}
	}
}
