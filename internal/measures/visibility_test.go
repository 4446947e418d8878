package measures_test

import (
	"slices"
	"testing"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/measures"
	"github.com/acd-platform/acd/internal/oversight"
)

// TestVisibility: each principal sees the cases of its scope and gets
// ErrNotFound for the others, for the case, its list, its orders and its
// motions alike.
func TestVisibility(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		npaCase := e.ready(t) // NPA officer, domestic, with a motion
		order, err := e.svc.IssueOrder(e.ctx, e.officer, npaCase.ID, e.orderInput())
		if err != nil {
			t.Fatal(err)
		}
		foreignCase := e.open(t, e.officer, input(measures.PathPolice))
		e.locate(t, e.officer, foreignCase.ID, false)
		e.consult(t, e.cg, foreignCase.ID, measures.NoObjection)
		prefCase := e.open(t, e.prefOfficer, input(measures.PathPolice))
		sdfCase := e.open(t, e.sdfOfficer, e.sdfInput()) // jointly with the NPA
		guardCase := e.open(t, e.sdfOfficer, input(measures.PathSDFGuard))
		all := []string{npaCase.ID, foreignCase.ID, prefCase.ID, sdfCase.ID, guardCase.ID}
		motion := npaCase.Motions[0].ID

		for _, c := range []struct {
			name string
			p    *auth.Principal
			want []string
		}{
			{"an NPA officer: the NPA's and the SDF protection case done jointly", e.officer2, []string{npaCase.ID, foreignCase.ID, sdfCase.ID}},
			{"the Commissioner General: the NPA's", e.cg, []string{npaCase.ID, foreignCase.ID}},
			{"a prefectural officer: the prefecture's", e.prefOfficer, []string{prefCase.ID}},
			{"another prefecture's officer: none", e.pref2Officer, nil},
			{"the prefectural chief: the prefecture's", e.prefChief, []string{prefCase.ID}},
			{"an SDF officer: the SDF's", e.sdfOfficer, []string{sdfCase.ID, guardCase.ID}},
			{"the Minister of Defense: every SDF case", e.minister, []string{sdfCase.ID, guardCase.ID}},
			{"MOFA: the case it was consulted on", e.mofaUser, []string{foreignCase.ID}},
			{"the cabinet: the SDF protection case", e.cabinetUser, []string{sdfCase.ID}},
			{"the NPSC: the SDF protection case", e.npscUser, []string{sdfCase.ID}},
			{"an analyst: all", e.analyst, all},
			{"a commission member: all", e.m3, all},
			{"an operator: none", e.operator, nil},
			{"the public: none", nil, nil},
		} {
			t.Run(c.name, func(t *testing.T) {
				cs, err := e.svc.Cases(e.ctx, c.p, measures.CaseFilter{})
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, x := range cs {
					got = append(got, x.ID)
				}
				slices.Sort(got)
				want := slices.Clone(c.want)
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Errorf("list: got %v, want %v", got, want)
				}
				for _, id := range all {
					_, err := e.svc.Case(e.ctx, c.p, id)
					if slices.Contains(c.want, id) {
						wantErr(t, "read "+id, err, nil)
					} else {
						wantErr(t, "read "+id, err, measures.ErrNotFound)
					}
				}
				var wantOrder error
				if !slices.Contains(c.want, npaCase.ID) {
					wantOrder = measures.ErrNotFound
				}
				_, err = e.svc.Order(e.ctx, c.p, order.ID)
				wantErr(t, "read the order", err, wantOrder)
				_, _, err = e.svc.OrderDocument(e.ctx, c.p, order.ID, measures.FormatJSON)
				wantErr(t, "read the order's document", err, wantOrder)
				_, err = e.svc.Motion(e.ctx, c.p, motion)
				wantErr(t, "read the motion", err, wantOrder)
			})
		}
		// A step on a case one cannot see is not found, not forbidden.
		_, err = e.svc.RecordLocation(e.ctx, e.pref2Officer, prefCase.ID, measures.LocationInput{InJapan: true, Evidence: measures.LocationEvidence{Other: "x"}})
		wantErr(t, "another prefecture's officer records a location", err, measures.ErrNotFound)
		_, err = e.svc.Command(e.ctx, e.prefChief, npaCase.ID, e.commandInput(measures.KindStopProgram))
		wantErr(t, "a prefectural chief commands an NPA case", err, measures.ErrNotFound)
		_, err = e.svc.AnswerConsultation(e.ctx, e.mofaUser, npaCase.ID, measures.ConsultationAnswer{Response: measures.NoObjection})
		wantErr(t, "MOFA answers on a case it was not consulted on", err, measures.ErrNotFound)

		// Filters.
		cs, err := e.svc.Cases(e.ctx, e.analyst, measures.CaseFilter{Path: measures.PathSDFGuard})
		if err != nil || len(cs) != 1 || cs[0].ID != guardCase.ID {
			t.Errorf("path filter: %v %v", cs, err)
		}
		cs, err = e.svc.Cases(e.ctx, e.analyst, measures.CaseFilter{State: measures.StateExecuting})
		if err != nil || len(cs) != 1 || cs[0].ID != npaCase.ID {
			t.Errorf("state filter: %v %v", cs, err)
		}
		if cs, _ := e.svc.Cases(e.ctx, e.analyst, measures.CaseFilter{Limit: 2}); len(cs) != 2 {
			t.Errorf("limit 2: got %d", len(cs))
		}
	})
}

// TestCommissionMotions: one open motion at a time, one vote each, only
// the chair closes, the quorum counts, a refusal needs reasons, and a
// refused case can only be withdrawn.
func TestCommissionMotions(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		c := e.open(t, e.officer, input(measures.PathPolice))
		e.locate(t, e.officer, c.ID, true)
		_, err := e.svc.MoveMotion(e.ctx, e.chair, c.ID, measures.MotionInput{Kind: oversight.MotionApprove})
		wantErr(t, "motion with no request", err, measures.ErrConflict)
		if _, err := e.svc.RequestApproval(e.ctx, e.officer, c.ID, "Please."); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.MoveMotion(e.ctx, e.chair, c.ID, measures.MotionInput{Kind: oversight.MotionRefuse})
		wantField(t, "refusal without reasons", err, "reasons")
		_, err = e.svc.MoveMotion(e.ctx, e.chair, c.ID, measures.MotionInput{Kind: oversight.MotionApproveNarrowed})
		wantField(t, "approve narrowed", err, "kind")
		_, err = e.svc.MoveMotion(e.ctx, e.officer, c.ID, measures.MotionInput{Kind: oversight.MotionApprove})
		wantErr(t, "an officer moves a motion", err, measures.ErrForbidden)

		m, err := e.svc.MoveMotion(e.ctx, e.m1, c.ID, measures.MotionInput{Kind: oversight.MotionApprove, Statement: "Proportionate."})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.MoveMotion(e.ctx, e.m2, c.ID, measures.MotionInput{Kind: oversight.MotionApprove})
		wantErr(t, "a second open motion", err, measures.ErrConflict)
		if _, err := e.svc.CastVote(e.ctx, e.m1, m.ID, measures.VoteInput{Vote: oversight.VoteYes, Reasons: "Yes."}); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.CastVote(e.ctx, e.m1, m.ID, measures.VoteInput{Vote: oversight.VoteNo, Reasons: "No."})
		wantRefusal(t, "a second vote", err, measures.CodeAlreadyDone)
		_, err = e.svc.CastVote(e.ctx, e.mixed, m.ID, measures.VoteInput{Vote: oversight.VoteYes, Reasons: "Yes."})
		wantRefusal(t, "a vote by an analyst member", err, measures.CodeCommissionSeparation)
		_, err = e.svc.CloseMotion(e.ctx, e.m1, m.ID)
		wantErr(t, "a member closes", err, measures.ErrForbidden)
		m, err = e.svc.CloseMotion(e.ctx, e.chair, m.ID)
		if err != nil || m.State != oversight.MotionNoQuorum || m.Tally == nil || m.Tally.Present != 1 {
			t.Fatalf("close without quorum: %+v %v", m, err)
		}
		if got := e.get(t, e.officer, c.ID); got.Approval.State != measures.ApprovalPending {
			t.Fatalf("approval %s after no quorum, want pending", got.Approval.State)
		}
		// Not carried: two no, one yes.
		m, err = e.svc.MoveMotion(e.ctx, e.chair, c.ID, measures.MotionInput{Kind: oversight.MotionApprove})
		if err != nil {
			t.Fatal(err)
		}
		for p, v := range map[*auth.Principal]oversight.VoteChoice{e.chair: oversight.VoteYes, e.m1: oversight.VoteNo, e.m2: oversight.VoteNo} {
			if _, err := e.svc.CastVote(e.ctx, p, m.ID, measures.VoteInput{Vote: v, Reasons: "Reasons."}); err != nil {
				t.Fatal(err)
			}
		}
		if m, err = e.svc.CloseMotion(e.ctx, e.chair, m.ID); err != nil || m.State != oversight.MotionNotCarried {
			t.Fatalf("close: %+v %v, want not carried", m, err)
		}
		// Refused.
		e.decide(t, c.ID, measures.MotionInput{Kind: oversight.MotionRefuse, Reasons: []oversight.Reason{{Category: oversight.ReasonScope, Text: "Too wide."}}})
		got := e.get(t, e.officer, c.ID)
		if got.Approval.State != measures.ApprovalRefused || len(got.Approval.Reasons) != 1 || len(got.Motions) != 3 {
			t.Fatalf("after refusal: %+v, %d motions", got.Approval, len(got.Motions))
		}
		_, err = e.svc.RequestApproval(e.ctx, e.officer, c.ID, "Again.")
		wantRefusal(t, "request after refusal", err, measures.CodeCommissionRefused)
		_, err = e.svc.MoveMotion(e.ctx, e.chair, c.ID, measures.MotionInput{Kind: oversight.MotionApprove})
		wantRefusal(t, "motion after refusal", err, measures.CodeCommissionRefused)
		if _, err := e.svc.WithdrawCase(e.ctx, e.officer, c.ID, "Refused."); err != nil {
			t.Fatalf("withdraw after refusal: %v", err)
		}
		st, _ := e.svc.Stats(e.ctx, t0, t0.AddDate(1, 0, 0))
		if st.ApprovalsRefused != 1 {
			t.Errorf("stats: %d refusals, want 1", st.ApprovalsRefused)
		}
		verify(t, e)
	})
}
