package measures_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/measures"
	"github.com/acd-platform/acd/internal/oversight"
)

// TestScenarios runs one step in a prepared state and checks that it is
// allowed, or refused with the exact code and status.
func TestScenarios(t *testing.T) {
	type scenario struct {
		name string
		// run prepares the state and returns the error of the step under
		// test.
		run    func(t *testing.T, e *env) error
		code   string // "" when the step is allowed
		status int
	}
	police := func(t *testing.T, e *env, inJapan bool) measures.Case {
		c := e.open(t, e.officer, input(measures.PathPolice))
		e.locate(t, e.officer, c.ID, inJapan)
		return c
	}
	scenarios := []scenario{
		{name: "an order when every gate is passed is allowed", run: func(t *testing.T, e *env) error {
			_, err := e.svc.IssueOrder(e.ctx, e.officer, e.ready(t).ID, e.orderInput())
			return err
		}},
		{name: "an execution under an emergency and a command is allowed", run: func(t *testing.T, e *env) error {
			c := police(t, e, true)
			if _, err := e.svc.DeclareEmergency(e.ctx, e.officer, c.ID, "No time."); err != nil {
				t.Fatal(err)
			}
			e.command(t, e.cg, c.ID, measures.KindStopProgram)
			_, err := e.svc.RecordExecution(e.ctx, e.officer, c.ID, e.execution(measures.KindStopProgram))
			return err
		}},
		{name: "an approved case without a command executes nothing", code: measures.CodeCommandRequired, status: http.StatusConflict, run: func(t *testing.T, e *env) error {
			c := police(t, e, true)
			e.approve(t, e.officer, c.ID)
			_, err := e.svc.RecordExecution(e.ctx, e.officer, c.ID, e.execution(measures.KindStopProgram))
			return err
		}},
		{name: "an approved case without a command orders nothing", code: measures.CodeCommandRequired, status: http.StatusConflict, run: func(t *testing.T, e *env) error {
			c := police(t, e, true)
			e.approve(t, e.officer, c.ID)
			_, err := e.svc.IssueOrder(e.ctx, e.officer, c.ID, e.orderInput())
			return err
		}},
		{name: "a command that expired", code: measures.CodeCommandExpired, status: http.StatusConflict, run: func(t *testing.T, e *env) error {
			c := e.ready(t)
			e.clock.Advance(8 * 24 * time.Hour)
			_, err := e.svc.RecordExecution(e.ctx, e.officer, c.ID, e.execution(measures.KindStopProgram))
			return err
		}},
		{name: "a kind of measure the command does not cover", code: measures.CodeCommandScope, status: http.StatusConflict, run: func(t *testing.T, e *env) error {
			c := police(t, e, true)
			e.approve(t, e.officer, c.ID)
			e.command(t, e.cg, c.ID, measures.KindOrderAdmin)
			_, err := e.svc.RecordExecution(e.ctx, e.officer, c.ID, e.execution(measures.KindStopProgram))
			return err
		}},
		{name: "a commanded case neither approved nor declared an emergency", code: measures.CodeApprovalRequired, status: http.StatusConflict, run: func(t *testing.T, e *env) error {
			c := police(t, e, true)
			e.command(t, e.cg, c.ID, measures.KindStopProgram)
			_, err := e.svc.RecordExecution(e.ctx, e.officer, c.ID, e.execution(measures.KindStopProgram))
			return err
		}},
		{name: "a commanded case whose approval is pending", code: measures.CodeApprovalPending, status: http.StatusConflict, run: func(t *testing.T, e *env) error {
			c := police(t, e, true)
			if _, err := e.svc.RequestApproval(e.ctx, e.officer, c.ID, "Please."); err != nil {
				t.Fatal(err)
			}
			e.command(t, e.cg, c.ID, measures.KindOrderAdmin)
			_, err := e.svc.IssueOrder(e.ctx, e.officer, c.ID, e.orderInput())
			return err
		}},
		{name: "requesting approval before the location is recorded", code: measures.CodeLocationRequired, status: http.StatusConflict, run: func(t *testing.T, e *env) error {
			c := e.open(t, e.officer, input(measures.PathPolice))
			_, err := e.svc.RequestApproval(e.ctx, e.officer, c.ID, "Please.")
			return err
		}},
		{name: "requesting approval with an incomplete checklist", code: measures.CodeChecklistIncomplete, status: http.StatusConflict, run: func(t *testing.T, e *env) error {
			in := input(measures.PathPolice)
			in.Checklist.LeastIntrusive.Met = false
			c := e.open(t, e.officer, in)
			e.locate(t, e.officer, c.ID, true)
			_, err := e.svc.RequestApproval(e.ctx, e.officer, c.ID, "Please.")
			return err
		}},
		{name: "a foreign target needs international necessity in the checklist", code: measures.CodeChecklistIncomplete, status: http.StatusConflict, run: func(t *testing.T, e *env) error {
			in := input(measures.PathPolice)
			in.Checklist.InternationalNecessity = measures.Condition{}
			c := e.open(t, e.officer, in)
			e.locate(t, e.officer, c.ID, false)
			e.consult(t, e.cg, c.ID, measures.NoObjection)
			_, err := e.svc.DeclareEmergency(e.ctx, e.officer, c.ID, "No time.")
			return err
		}},
		{name: "requesting approval for a foreign target before MOFA answered", code: measures.CodeMOFARequired, status: http.StatusConflict, run: func(t *testing.T, e *env) error {
			c := police(t, e, false)
			if _, err := e.svc.RequestConsultation(e.ctx, e.cg, c.ID, "Consulting."); err != nil {
				t.Fatal(err)
			}
			_, err := e.svc.RequestApproval(e.ctx, e.officer, c.ID, "Please.")
			return err
		}},
		{name: "declaring an emergency for a foreign target without consulting MOFA", code: measures.CodeMOFARequired, status: http.StatusConflict, run: func(t *testing.T, e *env) error {
			c := police(t, e, false)
			_, err := e.svc.DeclareEmergency(e.ctx, e.officer, c.ID, "No time.")
			return err
		}},
		{name: "a command for a foreign target without consulting MOFA", code: measures.CodeMOFARequired, status: http.StatusConflict, run: func(t *testing.T, e *env) error {
			c := police(t, e, false)
			_, err := e.svc.Command(e.ctx, e.cg, c.ID, e.commandInput(measures.KindStopProgram))
			return err
		}},
		{name: "a motion to approve a foreign target whose consultation is unanswered", code: measures.CodeMOFARequired, status: http.StatusConflict, run: func(t *testing.T, e *env) error {
			c := police(t, e, true)
			if _, err := e.svc.RequestApproval(e.ctx, e.officer, c.ID, "Please."); err != nil {
				t.Fatal(err)
			}
			// A state the service never reaches: the location changed to
			// abroad under a pending request.
			c = e.get(t, e.officer, c.ID)
			c.Location.InJapan = false
			if err := measures.PutCase(e.ctx, e.svc, c); err != nil {
				t.Fatal(err)
			}
			_, err := e.svc.MoveMotion(e.ctx, e.chair, c.ID, measures.MotionInput{Kind: oversight.MotionApprove})
			return err
		}},
		{name: "an execution on a foreign target whose consultation was lost", code: measures.CodeMOFARequired, status: http.StatusConflict, run: func(t *testing.T, e *env) error {
			c := police(t, e, false)
			e.consult(t, e.cg, c.ID, measures.NoObjection)
			e.approve(t, e.officer, c.ID)
			e.command(t, e.cg, c.ID, measures.KindStopProgram)
			c = e.get(t, e.officer, c.ID)
			c.Consultation = nil
			if err := measures.PutCase(e.ctx, e.svc, c); err != nil {
				t.Fatal(err)
			}
			_, err := e.svc.RecordExecution(e.ctx, e.officer, c.ID, e.execution(measures.KindStopProgram))
			return err
		}},
		{name: "a command that ignores MOFA's objection", code: measures.CodeMOFAObjectionUnacknowledged, status: http.StatusConflict, run: func(t *testing.T, e *env) error {
			c := police(t, e, false)
			e.consult(t, e.cg, c.ID, measures.Objection)
			_, err := e.svc.Command(e.ctx, e.cg, c.ID, e.commandInput(measures.KindStopProgram))
			return err
		}},
		{name: "a command that acknowledges MOFA's objection is allowed", run: func(t *testing.T, e *env) error {
			c := police(t, e, false)
			e.consult(t, e.cg, c.ID, measures.Objection)
			in := e.commandInput(measures.KindStopProgram)
			in.AcknowledgeMOFAObjection = true
			_, err := e.svc.Command(e.ctx, e.cg, c.ID, in)
			return err
		}},
		{name: "a prefectural officer requests approval on a target abroad", code: measures.CodePrefecturalForeign, status: http.StatusForbidden, run: func(t *testing.T, e *env) error {
			c := e.open(t, e.prefOfficer, input(measures.PathPolice))
			e.locate(t, e.prefOfficer, c.ID, false)
			_, err := e.svc.RequestApproval(e.ctx, e.prefOfficer, c.ID, "Please.")
			return err
		}},
		{name: "a prefectural chief commands a case on a target abroad", code: measures.CodePrefecturalForeign, status: http.StatusForbidden, run: func(t *testing.T, e *env) error {
			c := e.open(t, e.prefOfficer, input(measures.PathPolice))
			e.locate(t, e.prefOfficer, c.ID, false)
			_, err := e.svc.Command(e.ctx, e.prefChief, c.ID, e.commandInput(measures.KindStopProgram))
			return err
		}},
		{name: "a prefectural chief consults MOFA", code: measures.CodeNotInChain, status: http.StatusForbidden, run: func(t *testing.T, e *env) error {
			c := e.open(t, e.prefOfficer, input(measures.PathPolice))
			e.locate(t, e.prefOfficer, c.ID, true)
			_, err := e.svc.RequestConsultation(e.ctx, e.prefChief, c.ID, "Consulting.")
			return err
		}},
		{name: "an analyst commands", code: measures.CodeNotInChain, status: http.StatusForbidden, run: func(t *testing.T, e *env) error {
			c := police(t, e, true)
			_, err := e.svc.Command(e.ctx, e.analyst, c.ID, e.commandInput(measures.KindStopProgram))
			return err
		}},
		{name: "an SDF commander who is not the Minister of Defense commands", code: measures.CodeNotInChain, status: http.StatusForbidden, run: func(t *testing.T, e *env) error {
			c := e.open(t, e.sdfOfficer, input(measures.PathSDFGuard))
			e.locate(t, e.sdfOfficer, c.ID, true)
			_, err := e.svc.Command(e.ctx, e.sdfCommander, c.ID, e.commandInput(measures.KindStopProgram))
			return err
		}},
		{name: "the SDF officer asks the commission directly", code: measures.CodeNotInChain, status: http.StatusForbidden, run: func(t *testing.T, e *env) error {
			c := e.open(t, e.sdfOfficer, input(measures.PathSDFGuard))
			e.locate(t, e.sdfOfficer, c.ID, true)
			_, err := e.svc.RequestApproval(e.ctx, e.sdfOfficer, c.ID, "Please.")
			return err
		}},
		{name: "the Minister of Defense asks approval of an SDF guard case", run: func(t *testing.T, e *env) error {
			c := e.open(t, e.sdfOfficer, input(measures.PathSDFGuard))
			e.locate(t, e.sdfOfficer, c.ID, true)
			_, err := e.svc.RequestApproval(e.ctx, e.minister, c.ID, "Please.")
			return err
		}},
		{name: "SDF protection asks approval without the Prime Minister's order", code: measures.CodeSDFOrderRequired, status: http.StatusConflict, run: func(t *testing.T, e *env) error {
			c := e.open(t, e.sdfOfficer, e.sdfInput())
			e.locate(t, e.sdfOfficer, c.ID, true)
			_, err := e.svc.RequestApproval(e.ctx, e.minister, c.ID, "Please.")
			return err
		}},
		{name: "SDF protection without its joint police agency executes nothing", code: measures.CodeJointPoliceRequired, status: http.StatusConflict, run: func(t *testing.T, e *env) error {
			c := e.sdfReady(t)
			c.JointPoliceOrgID = ""
			if err := measures.PutCase(e.ctx, e.svc, c); err != nil {
				t.Fatal(err)
			}
			_, err := e.svc.RecordExecution(e.ctx, e.sdfOfficer, c.ID, e.execution(measures.KindStopProgram))
			return err
		}},
		{name: "SDF protection with every gate passed executes", run: func(t *testing.T, e *env) error {
			_, err := e.svc.RecordExecution(e.ctx, e.sdfOfficer, e.sdfReady(t).ID, e.execution(measures.KindStopProgram))
			return err
		}},
		{name: "a police officer opens an SDF case", code: measures.CodeWrongPath, status: http.StatusForbidden, run: func(t *testing.T, e *env) error {
			_, err := e.svc.OpenCase(e.ctx, e.officer, input(measures.PathSDFGuard))
			return err
		}},
		{name: "an officer never designated opens a case", code: measures.CodeNotDesignated, status: http.StatusForbidden, run: func(t *testing.T, e *env) error {
			_, err := e.svc.OpenCase(e.ctx, e.undesignated, input(measures.PathPolice))
			return err
		}},
		{name: "an officer whose designation was revoked executes", code: measures.CodeNotDesignated, status: http.StatusForbidden, run: func(t *testing.T, e *env) error {
			c := e.ready(t)
			ds, err := e.svc.Designations(e.ctx, e.cg, measures.DesignationFilter{UserID: e.officer.UserID})
			if err != nil || len(ds) != 1 {
				t.Fatalf("designations %v %v", ds, err)
			}
			if _, err := e.svc.RevokeDesignation(e.ctx, e.cg, ds[0].ID, "Transferred."); err != nil {
				t.Fatal(err)
			}
			_, err = e.svc.RecordExecution(e.ctx, e.officer, c.ID, e.execution(measures.KindStopProgram))
			return err
		}},
		{name: "another officer of the same agency executes", code: measures.CodeNotCaseOfficer, status: http.StatusForbidden, run: func(t *testing.T, e *env) error {
			_, err := e.svc.RecordExecution(e.ctx, e.officer2, e.ready(t).ID, e.execution(measures.KindStopProgram))
			return err
		}},
		{name: "a commission member who is also an analyst moves a motion", code: measures.CodeCommissionSeparation, status: http.StatusForbidden, run: func(t *testing.T, e *env) error {
			c := police(t, e, true)
			if _, err := e.svc.RequestApproval(e.ctx, e.officer, c.ID, "Please."); err != nil {
				t.Fatal(err)
			}
			_, err := e.svc.MoveMotion(e.ctx, e.mixed, c.ID, measures.MotionInput{Kind: oversight.MotionApprove})
			return err
		}},
		{name: "an emergency after the commission refused", code: measures.CodeCommissionRefused, status: http.StatusConflict, run: func(t *testing.T, e *env) error {
			c := police(t, e, true)
			if _, err := e.svc.RequestApproval(e.ctx, e.officer, c.ID, "Please."); err != nil {
				t.Fatal(err)
			}
			e.decide(t, c.ID, measures.MotionInput{Kind: oversight.MotionRefuse, Reasons: []oversight.Reason{{Category: oversight.ReasonNecessity, Text: "Not shown."}}})
			_, err := e.svc.DeclareEmergency(e.ctx, e.officer, c.ID, "No time.")
			return err
		}},
		{name: "an emergency after the commission approved", code: measures.CodeAlreadyApproved, status: http.StatusConflict, run: func(t *testing.T, e *env) error {
			c := police(t, e, true)
			e.approve(t, e.officer, c.ID)
			_, err := e.svc.DeclareEmergency(e.ctx, e.officer, c.ID, "No time.")
			return err
		}},
		{name: "editing a case once approval was requested", code: measures.CodeCaseLocked, status: http.StatusConflict, run: func(t *testing.T, e *env) error {
			c := police(t, e, true)
			if _, err := e.svc.RequestApproval(e.ctx, e.officer, c.ID, "Please."); err != nil {
				t.Fatal(err)
			}
			_, err := e.svc.UpdateCase(e.ctx, e.officer, c.ID, input(measures.PathPolice))
			return err
		}},
		{name: "closing a case with nothing executed", code: measures.CodeNothingExecuted, status: http.StatusConflict, run: func(t *testing.T, e *env) error {
			_, err := e.svc.CloseCase(e.ctx, e.officer, e.ready(t).ID, measures.OutcomeInput{Summary: "s", Effect: "e", ThirdPartyEffect: "t"})
			return err
		}},
		{name: "withdrawing a case with an order issued", code: measures.CodeAlreadyExecuted, status: http.StatusConflict, run: func(t *testing.T, e *env) error {
			c := e.ready(t)
			if _, err := e.svc.IssueOrder(e.ctx, e.officer, c.ID, e.orderInput()); err != nil {
				t.Fatal(err)
			}
			_, err := e.svc.WithdrawCase(e.ctx, e.officer, c.ID, "Moot.")
			return err
		}},
		{name: "a step on a withdrawn case", code: measures.CodeCaseClosed, status: http.StatusConflict, run: func(t *testing.T, e *env) error {
			c := police(t, e, true)
			if _, err := e.svc.WithdrawCase(e.ctx, e.officer, c.ID, "Moot."); err != nil {
				t.Fatal(err)
			}
			_, err := e.svc.RequestApproval(e.ctx, e.officer, c.ID, "Please.")
			return err
		}},
		{name: "requesting approval twice", code: measures.CodeApprovalPending, status: http.StatusConflict, run: func(t *testing.T, e *env) error {
			c := police(t, e, true)
			if _, err := e.svc.RequestApproval(e.ctx, e.officer, c.ID, "Please."); err != nil {
				t.Fatal(err)
			}
			_, err := e.svc.RequestApproval(e.ctx, e.officer, c.ID, "Please again.")
			return err
		}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			each(t, func(t *testing.T, e *env) {
				err := sc.run(t, e)
				if sc.code == "" {
					if err != nil {
						t.Fatalf("got %v, want allowed", err)
					}
					return
				}
				r, ok := errors.AsType[*measures.Refusal](err)
				if !ok {
					t.Fatalf("got %v, want refusal %s", err, sc.code)
				}
				if r.Code != sc.code || r.Status != sc.status {
					t.Fatalf("got %s (%d: %s), want %s (%d)", r.Code, r.Status, r.Detail, sc.code, sc.status)
				}
			})
		})
	}
}

// sdfReady returns an SDF protection case of the SDF officer, jointly with
// the NPA, with the NPSC's consent, the PM's order, the commission's
// approval and the Minister of Defense's command over stop_program.
func (e *env) sdfReady(t *testing.T) measures.Case {
	t.Helper()
	c := e.open(t, e.sdfOfficer, e.sdfInput())
	e.locate(t, e.sdfOfficer, c.ID, true)
	if _, err := e.svc.RecordNPSC(e.ctx, e.npscUser, c.ID, measures.NPSCInput{Kind: measures.NPSCConsent, Text: "Consent given."}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.IssueSDFOrder(e.ctx, e.cabinetUser, c.ID, sdfOrder()); err != nil {
		t.Fatal(err)
	}
	e.approve(t, e.minister, c.ID)
	e.command(t, e.minister, c.ID, measures.KindStopProgram)
	return e.get(t, e.sdfOfficer, c.ID)
}

// sdfOrder is an order with every condition met.
func sdfOrder() measures.SDFOrderInput {
	return measures.SDFOrderInput{
		ImportantComputers:   measures.ImportantComputers{Met: true, Category: measures.ComputersCriticalInfra, Text: "Power grid control systems."},
		OrganisedActorAbroad: measures.Condition{Met: true, Text: "A state-backed group abroad."},
		SDFIndispensable:     measures.Condition{Met: true, Text: "Only the SDF has the capability."},
		Text:                 "Communication protection measures are ordered.",
	}
}

// TestGatesCommandBeforeMOFA: for a target abroad, a command given before
// MOFA answered does not count, whatever the stored case says (a command
// is voided when the location changes; this guards records from before).
func TestGatesCommandBeforeMOFA(t *testing.T) {
	at := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	c := measures.Case{ID: "msr_x", Path: measures.PathPolice, OfficerLevel: measures.LevelNational,
		Location:     &measures.Location{InJapan: false},
		Consultation: &measures.Consultation{Response: measures.NoObjection, AnsweredAt: at.Add(time.Hour)},
		Approval:     &measures.Approval{State: measures.ApprovalApproved},
		Command:      &measures.Command{Scope: []measures.MeasureKind{measures.KindStopProgram}, At: at, ValidUntil: at.Add(48 * time.Hour)}}
	tests := []struct {
		name      string
		commandAt time.Time
		passed    bool
	}{
		{"before the answer", at, false},
		{"at the answer", at.Add(time.Hour), true},
		{"after the answer", at.Add(2 * time.Hour), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := *c.Command
			cmd.At = tt.commandAt
			c := c
			c.Command = &cmd
			for _, g := range measures.Gates(c, at.Add(3*time.Hour)) {
				if g.Name != measures.GateCommand {
					continue
				}
				if g.Passed != tt.passed || (!g.Passed && g.Code != measures.CodeCommandRequired) {
					t.Errorf("got passed %v code %q (%s), want passed %v", g.Passed, g.Code, g.Detail, tt.passed)
				}
			}
		})
	}
}
