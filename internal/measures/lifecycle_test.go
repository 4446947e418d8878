package measures_test

import (
	"slices"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/measures"
	"github.com/acd-platform/acd/internal/oversight"
	"github.com/google/go-cmp/cmp"
)

// TestPolicePath walks a police case from opening to closing with prior
// approval, and checks the state, the gates, the audit entries and the
// notices on the way.
func TestPolicePath(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		c := e.open(t, e.officer, input(measures.PathPolice))
		if c.State != measures.StateOpen || c.OfficerLevel != measures.LevelNational || c.Targets[0].Country != "JP" {
			t.Fatalf("opened: state %s level %s country %q", c.State, c.OfficerLevel, c.Targets[0].Country)
		}
		if got := failing(c.Gates); !slices.Equal(got, []string{"location", "commission", "command"}) {
			t.Errorf("gates failing at opening: got %v, want location, commission, command", got)
		}
		e.locate(t, e.officer, c.ID, true)
		e.approve(t, e.officer, c.ID)
		c = e.get(t, e.officer, c.ID)
		if c.Approval.State != measures.ApprovalApproved || len(c.Motions) != 1 || c.Approval.MotionID != c.Motions[0].ID {
			t.Fatalf("approval %+v, motions %d", c.Approval, len(c.Motions))
		}
		if got := failing(c.Gates); !slices.Equal(got, []string{"command"}) {
			t.Errorf("gates failing after approval: got %v, want command", got)
		}
		e.command(t, e.cg, c.ID, measures.KindStopProgram, measures.KindOrderAdmin)
		c = e.get(t, e.officer, c.ID)
		if got := failing(c.Gates); len(got) > 0 {
			t.Errorf("gates failing after command: %v", got)
		}
		o, err := e.svc.IssueOrder(e.ctx, e.officer, c.ID, e.orderInput())
		if err != nil {
			t.Fatalf("issue order: %v", err)
		}
		if o.LegalBasis.EN != "Police Duties Execution Act, Article 6-2, paragraph 1" || o.Targets[0].Address != "192.0.2.15" || o.IssuerName != "Officer officer" {
			t.Errorf("order %+v", o)
		}
		if c = e.get(t, e.officer, c.ID); c.State != measures.StateExecuting || len(c.Orders) != 1 {
			t.Fatalf("after the order: state %s, %d orders", c.State, len(c.Orders))
		}
		if _, err := e.svc.RecordExecution(e.ctx, e.officer, c.ID, e.execution(measures.KindStopProgram)); err != nil {
			t.Fatalf("record execution: %v", err)
		}
		if _, err := e.svc.WithdrawCase(e.ctx, e.officer, c.ID, "no longer needed"); err == nil {
			t.Fatal("withdrew an executing case")
		} else {
			wantRefusal(t, "withdraw executing", err, measures.CodeAlreadyExecuted)
		}
		c, err = e.svc.CloseCase(e.ctx, e.officer, c.ID, measures.OutcomeInput{Summary: "C2 stopped.", Effect: "Beacons ceased.", ThirdPartyEffect: "None seen."})
		if err != nil {
			t.Fatalf("close: %v", err)
		}
		if c.State != measures.StateClosed || len(c.Executions) != 1 || c.Executions[0].ID[:4] != "exe_" {
			t.Fatalf("closed: state %s, executions %+v", c.State, c.Executions)
		}
		_, err = e.svc.RecordExecution(e.ctx, e.officer, c.ID, e.execution(measures.KindStopProgram))
		wantRefusal(t, "execution after closing", err, measures.CodeCaseClosed)

		want := []string{"measure.open", "measure.location", "measure.approval_request", "measure.decide", "measure.command",
			"measure.order", "measure.execution", "measure.close"}
		if d := cmp.Diff(want, e.entries(t, "measure/"+c.ID)); d != "" {
			t.Errorf("audit entries on the case (-want +got):\n%s", d)
		}
		if got := e.entries(t, "motion/"+c.Motions[0].ID); !slices.Equal(got, []string{"measure.motion_move", "measure.motion_close"}) {
			t.Errorf("audit entries on the motion: %v", got)
		}
		if got := e.entries(t, "order/"+o.ID); !slices.Equal(got, []string{"measure.order_issue"}) {
			t.Errorf("audit entries on the order: %v", got)
		}
		if in := e.inbox(t, e.chair); !hasPrefix(in, "Measure case "+c.ID+" asks for the commission's approval") {
			t.Errorf("commission inbox %v lacks the request", in)
		}
		if in := e.inbox(t, e.officer); !hasPrefix(in, "Command on measure case "+c.ID) || !hasPrefix(in, "Measure case "+c.ID+": approval approved") {
			t.Errorf("officer inbox %v lacks the command or the decision", in)
		}
		verify(t, e)
	})
}

// verify runs the audit log's full check with this package's resolvers:
// every case and designation matches its latest entry.
func verify(t *testing.T, e *env) {
	t.Helper()
	if _, err := e.log.Checkpoint(e.ctx); err != nil {
		t.Fatal(err)
	}
	vs, err := e.log.Verifiers()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := auditlog.Verify(e.ctx, auditlog.DBSource(e.db), auditlog.VerifyOptions{
		Verifiers: vs, Keys: e.ring, Resolvers: e.log.Resolvers(), Listers: e.log.Listers()}); err != nil {
		t.Fatalf("verify the log: %v", err)
	}
}

// failing returns the names of the gates not passed.
func failing(gs []measures.Gate) []string {
	var out []string
	for _, g := range gs {
		if !g.Passed {
			out = append(out, string(g.Name))
		}
	}
	return out
}

func hasPrefix(ss []string, prefix string) bool {
	return slices.ContainsFunc(ss, func(s string) bool { return len(s) >= len(prefix) && s[:len(prefix)] == prefix })
}

// TestEmergencyPath: an emergency without post-notification in time is
// flagged on the case and in the commission's queue, its deadline goes
// overdue, orders and executions are refused and so is closing; filing it
// late clears the flag, counts as late, and the commission reviews it with
// a recommendation through the Recommender.
func TestEmergencyPath(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		c := e.open(t, e.officer, input(measures.PathPolice))
		e.locate(t, e.officer, c.ID, true)
		if _, err := e.svc.RequestApproval(e.ctx, e.officer, c.ID, "Approval please."); err != nil {
			t.Fatal(err)
		}
		m, err := e.svc.MoveMotion(e.ctx, e.chair, c.ID, measures.MotionInput{Kind: oversight.MotionApprove})
		if err != nil {
			t.Fatal(err)
		}
		c, err = e.svc.DeclareEmergency(e.ctx, e.officer, c.ID, "Payload staged for tonight; the commission meets tomorrow.")
		if err != nil {
			t.Fatalf("declare emergency: %v", err)
		}
		if c.Approval.State != measures.ApprovalWithdrawn || c.Emergency == nil || !c.Emergency.Due.Equal(t0.Add(24*time.Hour)) {
			t.Fatalf("after the emergency: approval %s, emergency %+v", c.Approval.State, c.Emergency)
		}
		if m, _ = e.svc.Motion(e.ctx, e.chair, m.ID); m.State != oversight.MotionLapsed {
			t.Errorf("open motion is %s, want lapsed", m.State)
		}
		e.command(t, e.cg, c.ID, measures.KindStopProgram, measures.KindOrderAdmin)
		if _, err := e.svc.RecordExecution(e.ctx, e.officer, c.ID, e.execution(measures.KindStopProgram)); err != nil {
			t.Fatalf("execution within the post-notice period: %v", err)
		}

		e.clock.Advance(25 * time.Hour)
		if err := e.dl.Tick(e.ctx); err != nil {
			t.Fatal(err)
		}
		ds, err := e.dl.List(e.ctx, deadline.Filter{Subject: "measure/" + c.ID, Kind: measures.KindPostNoticeDeadline})
		if err != nil || len(ds) != 1 || ds[0].State != deadline.StateOverdue {
			t.Fatalf("post-notice deadline: %+v %v, want one overdue", ds, err)
		}
		c = e.get(t, e.officer, c.ID)
		if !c.PostNoticeOverdue || !slices.Contains(failing(c.Gates), "post_notice") {
			t.Fatalf("post_notice_overdue %v, failing %v", c.PostNoticeOverdue, failing(c.Gates))
		}
		q, err := e.svc.CommissionQueue(e.ctx, e.m1)
		if err != nil || len(q.Overdue) != 1 || q.Overdue[0].ID != c.ID {
			t.Fatalf("queue overdue %+v %v", q.Overdue, err)
		}
		st, err := e.svc.Stats(e.ctx, t0.Add(-24*time.Hour), t0.Add(365*24*time.Hour))
		if err != nil || st.PostNoticesMissing != 1 || st.Emergency != 1 {
			t.Fatalf("stats %+v %v, want one missing post-notice and one emergency measure", st, err)
		}
		_, err = e.svc.IssueOrder(e.ctx, e.officer, c.ID, e.orderInput())
		wantRefusal(t, "order while overdue", err, measures.CodePostNoticeOverdue)
		_, err = e.svc.RecordExecution(e.ctx, e.officer, c.ID, e.execution(measures.KindStopProgram))
		wantRefusal(t, "execution while overdue", err, measures.CodePostNoticeOverdue)
		_, err = e.svc.CloseCase(e.ctx, e.officer, c.ID, measures.OutcomeInput{Summary: "s", Effect: "e", ThirdPartyEffect: "t"})
		wantRefusal(t, "close without post-notice", err, measures.CodePostNoticeRequired)

		c, err = e.svc.FilePostNotice(e.ctx, e.officer, c.ID, measures.PostNoticeInput{WhatWasDone: "Stopped the C2 process.", WhyNoTime: "Payload staged for the night."})
		if err != nil {
			t.Fatalf("file post-notice: %v", err)
		}
		if !c.PostNotice.Late || c.PostNoticeOverdue {
			t.Fatalf("post-notice late %v, overdue %v", c.PostNotice.Late, c.PostNoticeOverdue)
		}
		_, err = e.svc.FilePostNotice(e.ctx, e.officer, c.ID, measures.PostNoticeInput{WhatWasDone: "x", WhyNoTime: "y"})
		wantRefusal(t, "second post-notice", err, measures.CodeAlreadyDone)
		if ds, _ := e.dl.List(e.ctx, deadline.Filter{Subject: "measure/" + c.ID, Kind: measures.KindPostNoticeDeadline}); ds[0].State != deadline.StateMet || !ds[0].Late {
			t.Errorf("deadline %s late %v, want met late", ds[0].State, ds[0].Late)
		}
		if _, err := e.svc.IssueOrder(e.ctx, e.officer, c.ID, e.orderInput()); err != nil {
			t.Fatalf("order after the post-notice: %v", err)
		}
		st, _ = e.svc.Stats(e.ctx, t0.Add(-24*time.Hour), t0.Add(365*24*time.Hour))
		if st.PostNoticesLate != 1 || st.PostNoticesMissing != 0 {
			t.Errorf("stats late %d missing %d, want 1 and 0", st.PostNoticesLate, st.PostNoticesMissing)
		}

		_, err = e.svc.ReviewPostNotice(e.ctx, e.mixed, c.ID, measures.ReviewInput{Outcome: measures.ReviewAcknowledged})
		wantRefusal(t, "review by an analyst member", err, measures.CodeCommissionSeparation)
		c, err = e.svc.ReviewPostNotice(e.ctx, e.m1, c.ID, measures.ReviewInput{Outcome: measures.ReviewRecommendation,
			Text: "File post-notifications within the day.", Rating: "amber", Due: e.clock.Now().Add(30 * 24 * time.Hour)})
		if err != nil {
			t.Fatalf("review: %v", err)
		}
		if c.PostNotice.Review.RecommendationID != "rec_test" || len(e.rec.calls) != 1 || e.rec.calls[0] != e.npa.ID+" amber File post-notifications within the day." {
			t.Errorf("review %+v, recommender calls %v", c.PostNotice.Review, e.rec.calls)
		}
		_, err = e.svc.ReviewPostNotice(e.ctx, e.m2, c.ID, measures.ReviewInput{Outcome: measures.ReviewAcknowledged})
		wantRefusal(t, "second review", err, measures.CodeAlreadyDone)
		verify(t, e)
	})
}

// TestReviewWithoutRecommender: without a Recommender, a review with a
// recommendation is refused clearly and an acknowledgement works.
func TestReviewWithoutRecommender(t *testing.T) {
	t.Parallel()
	db := sqliteDB(t)
	e := newEnvNoRecommender(t, db)
	c := e.open(t, e.officer, input(measures.PathPolice))
	e.locate(t, e.officer, c.ID, true)
	if _, err := e.svc.DeclareEmergency(e.ctx, e.officer, c.ID, "No time."); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.FilePostNotice(e.ctx, e.officer, c.ID, measures.PostNoticeInput{WhatWasDone: "Nothing yet.", WhyNoTime: "Night."}); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.ReviewPostNotice(e.ctx, e.chair, c.ID, measures.ReviewInput{Outcome: measures.ReviewRecommendation, Text: "Do better.",
		Rating: "red", Due: e.clock.Now().Add(24 * time.Hour)})
	wantErr(t, "recommendation without a recommender", err, measures.ErrConflict)
	if _, err := e.svc.ReviewPostNotice(e.ctx, e.chair, c.ID, measures.ReviewInput{Outcome: measures.ReviewAcknowledged, Text: "Noted."}); err != nil {
		t.Fatalf("acknowledge: %v", err)
	}
}
