package measures_test

import (
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/measures"
	"github.com/acd-platform/acd/internal/oversight"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestActiveCase: commsinfo may provide selected data to a case only while
// it is open or executing, and only to the agencies acting in it.
func TestActiveCase(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		c := e.open(t, e.officer, input(measures.PathPolice))
		sdf := e.open(t, e.sdfOfficer, e.sdfInput())
		for _, x := range []struct {
			name      string
			caseID    string
			org       string
			wantError error
		}{
			{"the officer's agency", c.ID, e.npa.ID, nil},
			{"another agency", c.ID, e.pref.ID, measures.ErrForbidden},
			{"no agency", c.ID, "", measures.ErrForbidden},
			{"the SDF on its case", sdf.ID, e.sdf.ID, nil},
			{"the joint police agency", sdf.ID, e.npa.ID, nil},
			{"a police agency not joint", sdf.ID, e.pref.ID, measures.ErrForbidden},
			{"no such case", "msr_nothing", e.npa.ID, measures.ErrNotFound},
		} {
			wantErr(t, x.name, e.svc.ActiveCase(e.ctx, x.caseID, x.org), x.wantError)
		}
		if _, err := e.svc.WithdrawCase(e.ctx, e.officer, c.ID, "Moot."); err != nil {
			t.Fatal(err)
		}
		wantErr(t, "a withdrawn case", e.svc.ActiveCase(e.ctx, c.ID, e.npa.ID), measures.ErrConflict)
		ts, st, err := e.svc.CaseTargets(e.ctx, c.ID)
		if err != nil || st != measures.StateWithdrawn || len(ts) != 2 || ts[1].Domain != "c2.example.net" {
			t.Errorf("case targets: %v %s %v", ts, st, err)
		}
		_, _, err = e.svc.CaseTargets(e.ctx, "msr_nothing")
		wantErr(t, "targets of no case", err, measures.ErrNotFound)
	})
}

// TestStatsAndViews: the annual-report figures, the command tower's
// overview and the commission's queue on a small fixture: a police case
// approved and executed and closed; an emergency with its post-notice on
// time; a foreign case consulted on; an SDF protection case refused; a
// case withdrawn; a guard case opened the year before.
func TestStatsAndViews(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		// The year before: a guard case, open still.
		guard := e.open(t, e.sdfOfficer, input(measures.PathSDFGuard))
		e.clock.Set(t0.AddDate(0, 1, 0))
		from := e.clock.Now()

		// Approved, executed, closed, with an order.
		approved := e.ready(t)
		if _, err := e.svc.IssueOrder(e.ctx, e.officer, approved.ID, e.orderInput()); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(2 * time.Hour)
		if _, err := e.svc.RecordExecution(e.ctx, e.officer, approved.ID, e.execution(measures.KindStopProgram)); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.CloseCase(e.ctx, e.officer, approved.ID, measures.OutcomeInput{Summary: "s", Effect: "e", ThirdPartyEffect: "t"}); err != nil {
			t.Fatal(err)
		}
		// An emergency with its post-notice on time, executed.
		e.clock.Advance(time.Minute)
		emergency := e.open(t, e.officer2, input(measures.PathPolice))
		e.locate(t, e.officer2, emergency.ID, true)
		if _, err := e.svc.DeclareEmergency(e.ctx, e.officer2, emergency.ID, "No time."); err != nil {
			t.Fatal(err)
		}
		e.command(t, e.cg, emergency.ID, measures.KindStopProgram)
		if _, err := e.svc.RecordExecution(e.ctx, e.officer2, emergency.ID, e.execution(measures.KindStopProgram)); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.FilePostNotice(e.ctx, e.officer2, emergency.ID, measures.PostNoticeInput{WhatWasDone: "Stopped it.", WhyNoTime: "Night."}); err != nil {
			t.Fatal(err)
		}
		// A foreign target, consulted on, approval pending.
		e.clock.Advance(time.Minute)
		foreign := e.open(t, e.officer, input(measures.PathPolice))
		e.locate(t, e.officer, foreign.ID, false)
		e.consult(t, e.cg, foreign.ID, measures.NoObjection)
		if _, err := e.svc.RequestApproval(e.ctx, e.officer, foreign.ID, "Please."); err != nil {
			t.Fatal(err)
		}
		// An SDF protection case refused.
		e.clock.Advance(time.Minute)
		refused := e.open(t, e.sdfOfficer, e.sdfInput())
		e.locate(t, e.sdfOfficer, refused.ID, true)
		if _, err := e.svc.RecordNPSC(e.ctx, e.npscUser, refused.ID, measures.NPSCInput{Kind: measures.NPSCConsent, Text: "Consent."}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.IssueSDFOrder(e.ctx, e.cabinetUser, refused.ID, sdfOrder()); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.RequestApproval(e.ctx, e.minister, refused.ID, "Please."); err != nil {
			t.Fatal(err)
		}
		e.decide(t, refused.ID, measures.MotionInput{Kind: oversight.MotionRefuse, Reasons: []oversight.Reason{{Category: oversight.ReasonNecessity, Text: "Police can act alone."}}})
		// Withdrawn.
		e.clock.Advance(time.Minute)
		withdrawn := e.open(t, e.prefOfficer, input(measures.PathPolice))
		if _, err := e.svc.WithdrawCase(e.ctx, e.prefOfficer, withdrawn.ID, "Resolved by the hoster."); err != nil {
			t.Fatal(err)
		}

		st, err := e.svc.Stats(e.ctx, from, from.AddDate(1, 0, 0))
		if err != nil {
			t.Fatal(err)
		}
		want := measures.Stats{From: from, To: from.AddDate(1, 0, 0), CasesPolice: 4, CasesSDFProtection: 1, CasesSDFGuard: 0,
			MeasuresTaken: 2, PriorApproved: 1, Emergency: 1, PostNoticesOnTime: 1, ForeignTargets: 1, MOFAConsultations: 1,
			ApprovalsRefused: 1, OrdersIssued: 1, Executions: 2, Closed: 1}
		if d := cmp.Diff(want, st); d != "" {
			t.Errorf("stats (-want +got):\n%s", d)
		}
		before, err := e.svc.Stats(e.ctx, t0, from)
		if err != nil || before.CasesSDFGuard != 1 || before.CasesPolice != 0 {
			t.Errorf("the year before: %+v %v", before, err)
		}
		_, err = e.svc.Stats(e.ctx, from, from)
		if err == nil {
			t.Error("an empty period was counted")
		}

		ov, err := e.svc.Overview(e.ctx, e.analyst)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, c := range ov.Cases {
			ids = append(ids, c.ID)
		}
		wantIDs := []string{guard.ID, emergency.ID, foreign.ID, refused.ID}
		if d := cmp.Diff(wantIDs, ids); d != "" || ov.Police != 2 || ov.SDF != 2 || ov.Overdue != 0 {
			t.Errorf("overview police %d sdf %d overdue %d, cases (-want +got):\n%s", ov.Police, ov.SDF, ov.Overdue, d)
		}
		if s := ov.Cases[2]; !s.Foreign || s.Approval != measures.ApprovalPending || len(s.Gates) != len(measures.GateNames) {
			t.Errorf("overview of the foreign case: %+v", s)
		}
		if _, err := e.svc.Overview(e.ctx, e.cabinetUser); err != nil {
			t.Errorf("the cabinet's overview: %v", err)
		}
		_, err = e.svc.Overview(e.ctx, e.officer)
		wantErr(t, "an officer's overview", err, measures.ErrForbidden)

		q, err := e.svc.CommissionQueue(e.ctx, e.chair)
		if err != nil {
			t.Fatal(err)
		}
		got := [][]string{caseIDs(q.Approvals), caseIDs(q.PostNotices), caseIDs(q.Overdue)}
		if d := cmp.Diff([][]string{{foreign.ID}, {emergency.ID}, nil}, got, cmpopts.EquateEmpty()); d != "" {
			t.Errorf("queue (-want +got):\n%s", d)
		}
		_, err = e.svc.CommissionQueue(e.ctx, e.analyst)
		wantErr(t, "an analyst's queue", err, measures.ErrForbidden)
		verify(t, e)
	})
}

func caseIDs(cs []measures.Case) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}
