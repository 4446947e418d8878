package oversight_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/oversight"
)

// TestStats counts a year of requests and agreements.
func TestStats(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		approve := oversight.MotionInput{Kind: oversight.MotionApprove}
		// A ch6 request approved after 2 hours.
		a := e.file(t, ch6())
		e.clock.Advance(2 * time.Hour)
		e.decideBy(t, a.ID, approve, e.chair, e.m1, e.m2)
		// A ch6 request approved narrowed after 4 hours.
		a = e.file(t, ch6())
		e.clock.Advance(4 * time.Hour)
		e.decideBy(t, a.ID, oversight.MotionInput{Kind: oversight.MotionApproveNarrowed,
			Narrowing: &oversight.Narrowing{RemoveDirections: []string{"domestic-foreign"}}}, e.chair, e.m1, e.m2)
		// A ch4 request refused after 6 hours, for two reasons.
		a = e.file(t, ch4())
		e.clock.Advance(6 * time.Hour)
		e.decideBy(t, a.ID, oversight.MotionInput{Kind: oversight.MotionRefuse, Reasons: []oversight.Reason{
			{Category: oversight.ReasonQuality, Text: "q"}, {Category: oversight.ReasonScope, Text: "s"}}}, e.chair, e.m3, e.m4)
		// A ch4 request pending, one withdrawn.
		e.file(t, ch4())
		a = e.file(t, ch4())
		if _, err := e.svc.WithdrawAcquisition(e.ctx, e.analyst, a.ID, "w"); err != nil {
			t.Fatal(err)
		}
		// Agreements: one active, one terminated after being active, one
		// draft abandoned.
		for i := range 3 {
			g, err := e.svc.CreateAgreement(e.ctx, e.analyst, e.agreementInput())
			if err != nil {
				t.Fatal(err)
			}
			if i < 2 {
				e.svc.SignAgreement(e.ctx, e.analyst, g.ID, 1)
				if _, err := e.svc.SignAgreement(e.ctx, e.opUserA, g.ID, 1); err != nil {
					t.Fatal(err)
				}
			}
			if i > 0 {
				if _, err := e.svc.TerminateAgreement(e.ctx, e.analyst, g.ID, "ended"); err != nil {
					t.Fatal(err)
				}
			}
		}
		// Outside the year: not counted.
		e.clock.Set(t0.AddDate(1, 0, 0))

		st, err := e.svc.Stats(e.ctx, t0, t0.AddDate(1, 0, 0))
		if err != nil {
			t.Fatal(err)
		}
		want := oversight.Stats{
			From: t0, To: t0.AddDate(1, 0, 0),
			Requests: oversight.RequestCounts{Filed: 5, Approved: 1, ApprovedModified: 1, Refused: 1, Pending: 1, Withdrawn: 1},
			ByChapter: []oversight.RequestCounts{
				{Chapter: "ch4", Filed: 3, Refused: 1, Pending: 1, Withdrawn: 1},
				{Chapter: "ch6", Filed: 2, Approved: 1, ApprovedModified: 1},
			},
			ByDirection: []oversight.RequestCounts{
				{Chapter: "ch4", Direction: "foreign-foreign", Filed: 3, Refused: 1, Pending: 1, Withdrawn: 1},
				{Chapter: "ch6", Direction: "foreign-domestic", Filed: 2, Approved: 1, ApprovedModified: 1},
				{Chapter: "ch6", Direction: "domestic-foreign", Filed: 2, Approved: 1, ApprovedModified: 1},
			},
			RefusalReasons: []oversight.ReasonCount{{Category: oversight.ReasonNecessity}, {Category: oversight.ReasonQuality, Count: 1}, {Category: oversight.ReasonScope, Count: 1}},
			Decided:        3, MedianToDecision: 4 * time.Hour, MedianToDecisionSeconds: 4 * 3600,
			Agreements: oversight.AgreementCounts{Signed: 2, Active: 1, Terminated: 1},
		}
		if d := cmp.Diff(want, st); d != "" {
			t.Errorf("stats (-want +got):\n%s", d)
		}
		// The next year: nothing filed; one agreement still active.
		st, _ = e.svc.Stats(e.ctx, t0.AddDate(1, 0, 0), t0.AddDate(2, 0, 0))
		if st.Requests.Filed != 0 || st.Agreements != (oversight.AgreementCounts{Active: 1}) || st.Decided != 0 {
			t.Errorf("next year %+v", st)
		}
		_, err = e.svc.Stats(e.ctx, t0, t0)
		wantField(t, "empty range", err, "to")
	})
}
