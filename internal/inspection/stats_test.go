package inspection_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/inspection"
)

// TestStats builds a year of oversight, with records just before and just
// after it, and checks every count of Stats for the year.
func TestStats(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		at := func(s string) time.Time {
			t.Helper()
			tm, err := time.Parse(time.RFC3339, s)
			if err != nil {
				t.Fatal(err)
			}
			e.clock.Set(tm)
			return tm
		}
		must := func(what string, err error) {
			t.Helper()
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
		}
		issue := func(org string, r inspection.Rating, due time.Time) string {
			t.Helper()
			rec, err := e.svc.IssueRecommendation(e.ctx, e.chair, inspection.NewRecommendation{OrgID: org, Text: "Fix it.", Rating: r, Due: due})
			must("issue", err)
			return rec.ID
		}
		answer := func(p *auth.Principal, id string) {
			t.Helper()
			_, err := e.svc.AnswerRecommendation(e.ctx, p, id, "Done.")
			must("answer", err)
		}
		classify := func(id string, serious bool, told inspection.Told, toldAt time.Time) {
			t.Helper()
			_, err := e.svc.ClassifyHandlingError(e.ctx, e.member, id, inspection.Classification{Serious: serious, Reasons: "Because.", AffectedTold: told, AffectedToldAt: toldAt})
			must("classify", err)
		}
		day := 24 * time.Hour

		// Before the year.
		at("2025-12-15T09:00:00Z")
		a := e.inspection(t, "all")
		issue(e.nco.ID, inspection.RatingRed, e.clock.Now().Add(30*day))
		e.report(t, e.analyst, inspection.OtherError, inspection.SeverityHigh)

		// In the year.
		at("2026-01-10T00:00:00Z")
		_, err := e.svc.AddFinding(e.ctx, e.chair, a.ID, "f1")
		must("finding", err)
		at("2026-02-01T00:00:00Z")
		_, err = e.svc.CloseInspection(e.ctx, e.chair, a.ID, "done")
		must("close", err)
		at("2026-03-01T00:00:00Z")
		b := e.inspection(t, e.nco.ID)
		_, err = e.svc.AddFinding(e.ctx, e.chair, b.ID, "f2")
		must("finding", err)
		_, err = e.svc.AddFinding(e.ctx, e.member, b.ID, "f3")
		must("finding", err)

		now := at("2026-03-02T00:00:00Z")
		r1 := issue(e.nco.ID, inspection.RatingRed, now.Add(30*day))
		r2 := issue(e.npa.ID, inspection.RatingRed, now.Add(10*day))
		issue(e.meti.ID, inspection.RatingAmber, now.Add(20*day)) // r3: never answered, overdue
		r5 := issue(e.meti.ID, inspection.RatingGreen, now.Add(30*day))
		r6 := issue(e.npa.ID, inspection.RatingAmber, now.Add(30*day))

		at("2026-03-05T00:00:00Z")
		answer(e.analyst, r1)
		answer(e.officer, r6)
		_, err = e.svc.WithdrawRecommendation(e.ctx, e.chair, r5, "moot")
		must("withdraw", err)
		e1 := e.report(t, e.analyst, inspection.OutOfScopeSelection, inspection.SeverityHigh)
		e2 := e.report(t, e.officer, inspection.ProvisionBeyondBasis, inspection.SeverityMedium)
		e3 := e.report(t, e.ministry, inspection.LateDeletion, inspection.SeverityLow)
		e.report(t, e.ministry, inspection.OtherError, inspection.SeverityLow) // e4: never classified
		e5 := e.report(t, e.analyst, inspection.LateDeletion, inspection.SeverityHigh)

		at("2026-03-20T00:00:00Z")
		answer(e.commander, r2) // late: due 03-12
		_, err = e.svc.AssessRecommendation(e.ctx, e.chair, r1, inspection.Assessment{Implementation: inspection.Implemented})
		must("assess", err)
		_, err = e.svc.AssessRecommendation(e.ctx, e.chair, r2, inspection.Assessment{Implementation: inspection.NotStarted})
		must("assess", err)
		_, err = e.svc.AssessRecommendation(e.ctx, e.chair, r2, inspection.Assessment{Implementation: inspection.Partial, Rating: inspection.RatingAmber})
		must("re-assess", err)
		classify(e1.ID, true, inspection.ToldYes, e.clock.Now().Add(-10*day))
		classify(e2.ID, true, inspection.ToldNo, time.Time{})
		classify(e3.ID, false, inspection.ToldNotApplicable, time.Time{})
		classify(e5.ID, false, inspection.ToldYes, e.clock.Now().Add(-5*day))

		at("2026-05-01T00:00:00Z")
		c := e.inspection(t, e.meti.ID)
		at("2026-06-01T00:00:00Z")
		_, err = e.svc.CloseInspection(e.ctx, e.member, c.ID, "done")
		must("close", err)
		at("2026-11-01T00:00:00Z")
		issue(e.sdf.ID, inspection.RatingGreen, time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC)) // r4: not yet due when counted
		at("2026-12-20T00:00:00Z")
		d := e.inspection(t, "all")

		// After the year.
		at("2027-01-02T00:00:00Z")
		issue(e.nco.ID, inspection.RatingRed, e.clock.Now().Add(day))
		e.report(t, e.analyst, inspection.OutOfScopeSelection, inspection.SeverityLow)
		at("2027-01-05T00:00:00Z")
		_, err = e.svc.AddFinding(e.ctx, e.chair, d.ID, "f4")
		must("finding", err)
		at("2027-01-10T00:00:00Z")
		_, err = e.svc.CloseInspection(e.ctx, e.chair, d.ID, "done")
		must("close", err)

		from, to := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
		got, err := e.svc.Stats(e.ctx, from.In(time.FixedZone("JST", 9*3600)), to)
		if err != nil {
			t.Fatal(err)
		}
		want := inspection.Stats{
			From: from, To: to,
			Inspections: inspection.InspectionStats{Opened: 3, Closed: 2, OpenAtEnd: 2, Findings: 3},
			Recommendations: inspection.RecommendationStats{
				Issued: 6, Withdrawn: 1,
				ByRating:         inspection.RatingCounts{Red: 1, Amber: 3, Green: 1},
				ByImplementation: inspection.ImplementationCounts{NotAssessed: 3, Partial: 1, Implemented: 1},
				ByRatingImplementation: inspection.RatingImplementation{
					Red:   inspection.ImplementationCounts{Implemented: 1},
					Amber: inspection.ImplementationCounts{NotAssessed: 2, Partial: 1},
					Green: inspection.ImplementationCounts{NotAssessed: 1},
				},
				AnsweredOnTime: 2, AnsweredLate: 1, Unanswered: 2, Overdue: 1,
			},
			HandlingErrors: inspection.ErrorStats{
				Reported:            5,
				ByCategory:          inspection.CategoryCounts{OutOfScopeSelection: 1, ProvisionBeyondBasis: 1, LateDeletion: 2, Other: 1},
				BySeverity:          inspection.SeverityCounts{Low: 2, Medium: 1, High: 2},
				Classified:          4,
				Serious:             2,
				AffectedTold:        inspection.ToldCounts{Yes: 2, No: 1, NotApplicable: 1},
				SeriousAffectedTold: inspection.ToldCounts{Yes: 1, No: 1},
			},
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("stats (-want +got):\n%s", d)
		}

		empty, err := e.svc.Stats(e.ctx, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		// Only inspection b, never closed, is still open.
		wantEmpty := inspection.Stats{From: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC),
			Inspections: inspection.InspectionStats{OpenAtEnd: 1}}
		if d := cmp.Diff(wantEmpty, empty); d != "" {
			t.Errorf("stats of an empty year (-want +got):\n%s", d)
		}
		for _, p := range [][2]time.Time{{to, from}, {from, from}, {time.Time{}, to}, {from, time.Time{}}} {
			if _, err := e.svc.Stats(e.ctx, p[0], p[1]); err == nil {
				t.Errorf("stats from %s to %s: got no error", p[0], p[1])
			}
		}
	})
}
