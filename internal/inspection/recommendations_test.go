package inspection_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/inspection"
)

// TestRecommendationLife: issued from an inspection, answered on time by
// the addressed agency, assessed (closing it) and re-assessed with a new
// rating; the history, the deadline, the notices and the audit entries
// follow.
func TestRecommendationLife(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		in := e.inspection(t, e.nco.ID, e.npa.ID)
		due := t0.Add(14 * 24 * time.Hour)
		r, err := e.svc.IssueRecommendation(e.ctx, e.member, inspection.NewRecommendation{InspectionID: in.ID, OrgID: e.nco.ID,
			Text: "Delete non-selected traffic within the minute.", Rating: inspection.RatingAmber, Due: due.In(time.FixedZone("JST", 9*3600))})
		if err != nil {
			t.Fatal(err)
		}
		if r.State != inspection.RecommendationIssued || r.OrgID != e.nco.ID || r.IssuerOrg != e.commission.ID || !r.Due.Equal(due) ||
			r.Due.Location() != time.UTC || r.InspectionID != in.ID || r.Overdue || r.DeadlineID == "" {
			t.Fatalf("issued recommendation: got %+v", r)
		}
		d, err := e.dl.Get(e.ctx, r.DeadlineID)
		if err != nil {
			t.Fatal(err)
		}
		if d.Org != e.nco.ID || d.Subject != "recommendation/"+r.ID || !d.Due.Equal(due) || !d.RemindAt.Equal(due.Add(-72*time.Hour)) || d.State != deadline.StateOpen {
			t.Fatalf("deadline: got %+v", d)
		}
		if !hasPrefix(e.inbox(t, e.analyst), "Recommendation from the commission") {
			t.Errorf("the agency's inbox lacks the recommendation: %q", e.inbox(t, e.analyst))
		}

		e.clock.Advance(24 * time.Hour)
		r, err = e.svc.AnswerRecommendation(e.ctx, e.analyst, r.ID, "Deletion now runs every 10 seconds.")
		if err != nil {
			t.Fatal(err)
		}
		if r.State != inspection.RecommendationAnswered || r.Late || r.AnsweredBy != "usr_nco" || r.Answer == "" {
			t.Fatalf("answered: got %+v", r)
		}
		if d, _ := e.dl.Get(e.ctx, r.DeadlineID); d.State != deadline.StateMet || d.Late {
			t.Errorf("deadline after the answer: got %s late=%v, want met on time", d.State, d.Late)
		}
		if !hasPrefix(e.inbox(t, e.chair), "Answer to recommendation "+r.ID) {
			t.Errorf("the commission's inbox lacks the answer: %q", e.inbox(t, e.chair))
		}
		_, err = e.svc.AnswerRecommendation(e.ctx, e.analyst, r.ID, "again")
		wantErr(t, "answer twice", err, inspection.ErrConflict)

		e.clock.Advance(24 * time.Hour)
		r, err = e.svc.AssessRecommendation(e.ctx, e.chair, r.ID, inspection.Assessment{Implementation: inspection.Partial, Note: "Half the sites."})
		if err != nil {
			t.Fatal(err)
		}
		if r.State != inspection.RecommendationClosed || r.Implementation != inspection.Partial || r.Rating != inspection.RatingAmber ||
			!r.ClosedAt.Equal(t0.Add(48*time.Hour)) {
			t.Fatalf("assessed: got %+v", r)
		}
		e.clock.Advance(24 * time.Hour)
		r, err = e.svc.AssessRecommendation(e.ctx, e.member, r.ID, inspection.Assessment{Implementation: inspection.Implemented, Rating: inspection.RatingGreen})
		if err != nil {
			t.Fatal(err)
		}
		if r.State != inspection.RecommendationClosed || r.Implementation != inspection.Implemented || r.Rating != inspection.RatingGreen ||
			!r.ClosedAt.Equal(t0.Add(48*time.Hour)) || !r.AssessedAt.Equal(t0.Add(72*time.Hour)) || r.AssessedBy != "usr_member" {
			t.Fatalf("re-assessed: got %+v", r)
		}
		_, err = e.svc.WithdrawRecommendation(e.ctx, e.chair, r.ID, "no")
		wantErr(t, "withdraw a closed recommendation", err, inspection.ErrConflict)

		type step struct {
			Event, Actor   string
			Rating         inspection.Rating
			Implementation inspection.Implementation
		}
		var got []step
		for _, h := range r.History {
			got = append(got, step{h.Event, h.Actor, h.Rating, h.Implementation})
		}
		want := []step{
			{"issue", "usr_member", inspection.RatingAmber, ""},
			{"answer", "usr_nco", "", ""},
			{"assess", "usr_chair", inspection.RatingAmber, inspection.Partial},
			{"reassess", "usr_member", inspection.RatingGreen, inspection.Implemented},
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("history (-want +got):\n%s", d)
		}
		// The agency sees the same record as the commission.
		seen, err := e.svc.Recommendation(e.ctx, e.analyst, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(r, seen); d != "" {
			t.Errorf("the agency's view differs (-commission +agency):\n%s", d)
		}
		wantA := []string{"recommendation.issue", "recommendation.answer", "recommendation.assess", "recommendation.assess"}
		if d := cmp.Diff(wantA, e.entries(t, "recommendation/"+r.ID)); d != "" {
			t.Errorf("audit entries (-want +got):\n%s", d)
		}
	})
}

// TestRecommendationScope: only the addressed agency and the commission
// see a recommendation; another agency gets ErrNotFound for reading and
// answering it, and the commission may not answer.
func TestRecommendationScope(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		toNCO := e.recommend(t, e.nco.ID, inspection.RatingRed, 7*24*time.Hour)
		toNPA := e.recommend(t, e.npa.ID, inspection.RatingGreen, 7*24*time.Hour)
		for _, p := range []*auth.Principal{e.ministry, e.officer, e.commander, e.sdfOfficer} {
			_, err := e.svc.Recommendation(e.ctx, p, toNCO.ID)
			wantErr(t, p.UserID+" reads another agency's", err, inspection.ErrNotFound)
			_, err = e.svc.AnswerRecommendation(e.ctx, p, toNCO.ID, "x")
			wantErr(t, p.UserID+" answers another agency's", err, inspection.ErrNotFound)
		}
		_, err := e.svc.AnswerRecommendation(e.ctx, e.chair, toNCO.ID, "x")
		wantErr(t, "the commission answers", err, inspection.ErrForbidden)
		for _, p := range []*auth.Principal{e.op, e.admin, e.memberNoMFA, nil} {
			_, err := e.svc.Recommendation(e.ctx, p, toNCO.ID)
			wantErr(t, "read without the action", err, inspection.ErrForbidden)
			_, err = e.svc.Recommendations(e.ctx, p, inspection.RecommendationFilter{})
			wantErr(t, "list without the action", err, inspection.ErrForbidden)
		}
		for _, p := range []*auth.Principal{e.analyst, e.officer, e.memberNoMFA, e.admin} {
			_, err := e.svc.IssueRecommendation(e.ctx, p, inspection.NewRecommendation{OrgID: e.nco.ID, Text: "x", Rating: "red", Due: t0.Add(time.Hour)})
			wantErr(t, p.UserID+" issues", err, inspection.ErrForbidden)
			_, err = e.svc.AssessRecommendation(e.ctx, p, toNCO.ID, inspection.Assessment{Implementation: inspection.Partial})
			wantErr(t, p.UserID+" assesses", err, inspection.ErrForbidden)
			_, err = e.svc.WithdrawRecommendation(e.ctx, p, toNCO.ID, "x")
			wantErr(t, p.UserID+" withdraws", err, inspection.ErrForbidden)
		}
		// The officer and the commander of the NPA both answer for it.
		if _, err := e.svc.Recommendation(e.ctx, e.commander, toNPA.ID); err != nil {
			t.Errorf("commander of the addressed agency reads: %v", err)
		}
		if _, err := e.svc.AnswerRecommendation(e.ctx, e.officer, toNPA.ID, "Done."); err != nil {
			t.Errorf("officer of the addressed agency answers: %v", err)
		}
		list := func(p *auth.Principal, f inspection.RecommendationFilter) []string {
			l, err := e.svc.Recommendations(e.ctx, p, f)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, r := range l {
				if r.History != nil {
					t.Errorf("list carries the history of %s", r.ID)
				}
				ids = append(ids, r.ID)
			}
			return ids
		}
		ordered := []string{toNPA.ID, toNCO.ID}
		if toNPA.CreatedAt.Equal(toNCO.CreatedAt) && toNPA.ID > toNCO.ID { // same instant: by id
			ordered = []string{toNCO.ID, toNPA.ID}
		}
		for _, c := range []struct {
			name string
			p    *auth.Principal
			f    inspection.RecommendationFilter
			want []string
		}{
			{"commission, all", e.chair, inspection.RecommendationFilter{}, ordered},
			{"commission, by agency", e.chair, inspection.RecommendationFilter{OrgID: e.npa.ID}, []string{toNPA.ID}},
			{"commission, answered", e.chair, inspection.RecommendationFilter{State: inspection.RecommendationAnswered}, []string{toNPA.ID}},
			{"NCO", e.analyst, inspection.RecommendationFilter{}, []string{toNCO.ID}},
			{"NCO asking for the NPA's", e.analyst, inspection.RecommendationFilter{OrgID: e.npa.ID}, nil},
			{"NPA", e.officer, inspection.RecommendationFilter{}, []string{toNPA.ID}},
			{"METI", e.ministry, inspection.RecommendationFilter{}, nil},
		} {
			if d := cmp.Diff(c.want, list(c.p, c.f), cmpopts.EquateEmpty()); d != "" {
				t.Errorf("%s (-want +got):\n%s", c.name, d)
			}
		}
		_, err = e.svc.Recommendations(e.ctx, e.chair, inspection.RecommendationFilter{State: "pending"})
		wantField(t, "list by an unknown state", err, "state")
	})
}

// TestRecommendationWithdrawn: withdrawing cancels the deadline and tells
// the agency; a withdrawn recommendation cannot be answered, assessed or
// withdrawn again, and never becomes overdue.
func TestRecommendationWithdrawn(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		r := e.recommend(t, e.meti.ID, inspection.RatingRed, 24*time.Hour)
		_, err := e.svc.WithdrawRecommendation(e.ctx, e.chair, r.ID, "  ")
		wantField(t, "withdraw without a reason", err, "reason")
		r, err = e.svc.WithdrawRecommendation(e.ctx, e.chair, r.ID, "Superseded by a new recommendation.")
		if err != nil {
			t.Fatal(err)
		}
		if r.State != inspection.RecommendationWithdrawn || !r.WithdrawnAt.Equal(t0) {
			t.Fatalf("withdrawn: got %+v", r)
		}
		if d, _ := e.dl.Get(e.ctx, r.DeadlineID); d.State != deadline.StateCancelled {
			t.Errorf("deadline: got %s, want cancelled", d.State)
		}
		if !hasPrefix(e.inbox(t, e.ministry), "The commission withdrew recommendation") {
			t.Errorf("the agency's inbox lacks the withdrawal: %q", e.inbox(t, e.ministry))
		}
		_, err = e.svc.AnswerRecommendation(e.ctx, e.ministry, r.ID, "x")
		wantErr(t, "answer a withdrawn recommendation", err, inspection.ErrConflict)
		_, err = e.svc.AssessRecommendation(e.ctx, e.chair, r.ID, inspection.Assessment{Implementation: inspection.NotStarted})
		wantErr(t, "assess a withdrawn recommendation", err, inspection.ErrConflict)
		_, err = e.svc.WithdrawRecommendation(e.ctx, e.chair, r.ID, "again")
		wantErr(t, "withdraw twice", err, inspection.ErrConflict)
		e.clock.Advance(48 * time.Hour)
		if err := e.dl.Tick(e.ctx); err != nil {
			t.Fatal(err)
		}
		if r, _ := e.svc.Recommendation(e.ctx, e.chair, r.ID); r.Overdue {
			t.Errorf("a withdrawn recommendation is overdue")
		}

		// An answered one may be withdrawn; its met deadline stays met.
		a := e.recommend(t, e.meti.ID, inspection.RatingGreen, 24*time.Hour)
		if _, err := e.svc.AnswerRecommendation(e.ctx, e.ministry, a.ID, "ok"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.WithdrawRecommendation(e.ctx, e.member, a.ID, "Moot."); err != nil {
			t.Fatalf("withdraw an answered recommendation: %v", err)
		}
		if d, _ := e.dl.Get(e.ctx, a.DeadlineID); d.State != deadline.StateMet {
			t.Errorf("deadline of an answered, withdrawn recommendation: got %s, want met", d.State)
		}
		_, err = e.svc.AssessRecommendation(e.ctx, e.chair, e.recommend(t, e.meti.ID, inspection.RatingRed, time.Hour).ID, inspection.Assessment{Implementation: inspection.NotStarted})
		wantErr(t, "assess an unanswered recommendation", err, inspection.ErrConflict)
		_, err = e.svc.AnswerRecommendation(e.ctx, e.ministry, "rec_none", "x")
		wantErr(t, "answer an unknown recommendation", err, inspection.ErrNotFound)
		_, err = e.svc.AssessRecommendation(e.ctx, e.chair, "rec_none", inspection.Assessment{Implementation: inspection.NotStarted})
		wantErr(t, "assess an unknown recommendation", err, inspection.ErrNotFound)
		wantA := []string{"recommendation.issue", "recommendation.withdraw"}
		if d := cmp.Diff(wantA, e.entries(t, "recommendation/"+r.ID)); d != "" {
			t.Errorf("audit entries (-want +got):\n%s", d)
		}
	})
}

// TestRecommendationOverdue: with a fake clock, the agency is reminded
// ahead of the due time and told when it passes; the recommendation reads
// as overdue and is listed so until answered, and the late answer is
// marked late.
func TestRecommendationOverdue(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		r := e.recommend(t, e.npa.ID, inspection.RatingRed, 7*24*time.Hour)
		short := e.recommend(t, e.npa.ID, inspection.RatingGreen, 10*time.Hour)
		if d, _ := e.dl.Get(e.ctx, short.DeadlineID); !d.RemindAt.Equal(t0.Add(5 * time.Hour)) {
			t.Errorf("reminder of a recommendation due in 10h: got %s, want halfway", d.RemindAt)
		}
		tick := func() {
			t.Helper()
			if err := e.dl.Tick(e.ctx); err != nil {
				t.Fatal(err)
			}
		}
		reminders := func() int {
			n := 0
			for _, s := range e.inbox(t, e.officer) {
				if strings.Contains(s, "Record the legal basis") && !strings.HasPrefix(s, "Recommendation from") {
					n++
				}
			}
			return n
		}
		e.clock.Set(t0.Add(4*24*time.Hour - time.Minute))
		tick()
		if d, _ := e.dl.Get(e.ctx, r.DeadlineID); !d.RemindedAt.IsZero() {
			t.Fatalf("reminded before the lead time: %+v", d)
		}
		e.clock.Set(t0.Add(4*24*time.Hour + time.Minute))
		tick()
		if d, _ := e.dl.Get(e.ctx, r.DeadlineID); d.RemindedAt.IsZero() {
			t.Fatalf("no reminder 72h before due: %+v", d)
		}
		before := reminders()
		if before == 0 {
			t.Fatalf("the agency's inbox has no reminder: %q", e.inbox(t, e.officer))
		}
		if got, _ := e.svc.Recommendation(e.ctx, e.officer, r.ID); got.Overdue {
			t.Fatalf("overdue before due")
		}

		e.clock.Set(t0.Add(7*24*time.Hour + time.Hour))
		tick()
		if d, _ := e.dl.Get(e.ctx, r.DeadlineID); d.State != deadline.StateOverdue {
			t.Fatalf("deadline after due: got %s, want overdue", d.State)
		}
		if reminders() <= before {
			t.Errorf("the agency's inbox has no overdue notice: %q", e.inbox(t, e.officer))
		}
		got, err := e.svc.Recommendation(e.ctx, e.officer, r.ID)
		if err != nil || !got.Overdue {
			t.Fatalf("after due: got overdue=%v, %v; want overdue", got.Overdue, err)
		}
		l, err := e.svc.Recommendations(e.ctx, e.chair, inspection.RecommendationFilter{Overdue: true})
		if err != nil || len(l) != 2 {
			t.Fatalf("overdue list: got %d, %v; want both", len(l), err)
		}

		got, err = e.svc.AnswerRecommendation(e.ctx, e.commander, r.ID, "Late, sorry.")
		if err != nil {
			t.Fatal(err)
		}
		if got.Overdue || !got.Late {
			t.Errorf("late answer: got overdue=%v late=%v, want late only", got.Overdue, got.Late)
		}
		if d, _ := e.dl.Get(e.ctx, r.DeadlineID); d.State != deadline.StateMet || !d.Late {
			t.Errorf("deadline after a late answer: got %s late=%v", d.State, d.Late)
		}
		l, _ = e.svc.Recommendations(e.ctx, e.chair, inspection.RecommendationFilter{Overdue: true})
		if len(l) != 1 || l[0].ID != short.ID {
			t.Errorf("overdue list after the answer: got %v, want only %s", l, short.ID)
		}
	})
}

// TestIssueRecommendationInvalid: bad input names its field.
func TestIssueRecommendationInvalid(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		in := e.inspection(t, e.nco.ID)
		ok := func() inspection.NewRecommendation {
			return inspection.NewRecommendation{OrgID: e.nco.ID, Text: "Do better.", Rating: inspection.RatingRed, Due: t0.Add(time.Hour)}
		}
		for _, c := range []struct {
			name  string
			edit  func(n *inspection.NewRecommendation)
			field string
		}{
			{"no text", func(n *inspection.NewRecommendation) { n.Text = "" }, "text"},
			{"text too long", func(n *inspection.NewRecommendation) { n.Text = strings.Repeat("a", inspection.MaxText+1) }, "text"},
			{"no rating", func(n *inspection.NewRecommendation) { n.Rating = "" }, "rating"},
			{"unknown rating", func(n *inspection.NewRecommendation) { n.Rating = "purple" }, "rating"},
			{"no agency", func(n *inspection.NewRecommendation) { n.OrgID = "" }, "org_id"},
			{"an operator", func(n *inspection.NewRecommendation) { n.OrgID = e.operator.ID }, "org_id"},
			{"the commission", func(n *inspection.NewRecommendation) { n.OrgID = e.commission.ID }, "org_id"},
			{"unknown inspection", func(n *inspection.NewRecommendation) { n.InspectionID = "insp_none" }, "inspection_id"},
			{"agency not inspected", func(n *inspection.NewRecommendation) { n.InspectionID, n.OrgID = in.ID, e.npa.ID }, "org_id"},
			{"no due time", func(n *inspection.NewRecommendation) { n.Due = time.Time{} }, "due"},
			{"due now", func(n *inspection.NewRecommendation) { n.Due = t0 }, "due"},
			{"due in the past", func(n *inspection.NewRecommendation) { n.Due = t0.Add(-time.Hour) }, "due"},
			{"due in ten years", func(n *inspection.NewRecommendation) { n.Due = t0.AddDate(10, 0, 0) }, "due"},
		} {
			t.Run(c.name, func(t *testing.T) {
				n := ok()
				c.edit(&n)
				_, err := e.svc.IssueRecommendation(e.ctx, e.chair, n)
				wantField(t, c.name, err, c.field)
			})
		}
		r := e.recommend(t, e.nco.ID, inspection.RatingRed, time.Hour)
		_, err := e.svc.AnswerRecommendation(e.ctx, e.analyst, r.ID, "\t")
		wantField(t, "empty answer", err, "text")
		for _, c := range []struct {
			name  string
			a     inspection.Assessment
			field string
		}{
			{"no implementation", inspection.Assessment{}, "implementation"},
			{"unknown implementation", inspection.Assessment{Implementation: "done"}, "implementation"},
			{"unknown rating", inspection.Assessment{Implementation: inspection.Partial, Rating: "blue"}, "rating"},
			{"note with a control character", inspection.Assessment{Implementation: inspection.Partial, Note: "\x07"}, "note"},
		} {
			_, err := e.svc.AssessRecommendation(e.ctx, e.chair, r.ID, c.a)
			wantField(t, c.name, err, c.field)
		}
		// Nothing invalid was recorded.
		if l, _ := e.svc.Recommendations(e.ctx, e.chair, inspection.RecommendationFilter{}); len(l) != 1 {
			t.Errorf("recommendations after invalid input: got %d, want 1", len(l))
		}
	})
}
