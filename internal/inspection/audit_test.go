package inspection_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/inspection"
	"github.com/acd-platform/acd/internal/store"
)

// TestRecordsMatchTheLog: after every kind of change the log's data check
// passes; a recommendation edited behind the service's back, a
// classification changed, or an inspection inserted without an entry are
// named.
func TestRecordsMatchTheLog(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		in := e.inspection(t, e.nco.ID)
		if _, err := e.svc.AddFinding(e.ctx, e.chair, in.ID, "A finding."); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.CloseInspection(e.ctx, e.chair, in.ID, "Closed."); err != nil {
			t.Fatal(err)
		}
		r := e.recommend(t, e.nco.ID, inspection.RatingAmber, 24*time.Hour)
		if _, err := e.svc.AnswerRecommendation(e.ctx, e.analyst, r.ID, "Done."); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.AssessRecommendation(e.ctx, e.chair, r.ID, inspection.Assessment{Implementation: inspection.Implemented}); err != nil {
			t.Fatal(err)
		}
		w := e.recommend(t, e.npa.ID, inspection.RatingRed, 24*time.Hour)
		if _, err := e.svc.WithdrawRecommendation(e.ctx, e.chair, w.ID, "Moot."); err != nil {
			t.Fatal(err)
		}
		h := e.report(t, e.officer, inspection.LateDeletion, inspection.SeverityMedium)
		if _, err := e.svc.ClassifyHandlingError(e.ctx, e.member, h.ID, inspection.Classification{Reasons: "Minor.", AffectedTold: inspection.ToldNotApplicable}); err != nil {
			t.Fatal(err)
		}
		e.report(t, e.analyst, inspection.OtherError, inspection.SeverityLow)

		verify := func() error {
			t.Helper()
			if _, err := e.log.Checkpoint(e.ctx); err != nil {
				t.Fatal(err)
			}
			vs, _ := e.log.Verifiers()
			_, err := auditlog.Verify(e.ctx, auditlog.DBSource(e.db), auditlog.VerifyOptions{
				Verifiers: vs, Keys: e.ring, Resolvers: e.log.Resolvers(), Listers: e.log.Listers()})
			return err
		}
		if err := verify(); err != nil {
			t.Fatalf("verify after every kind of change: %v", err)
		}
		for _, c := range []struct {
			name, sql, undo string
			arg             string
			resource        string
		}{
			{"rating raised", "UPDATE ins_recommendations SET rating = 'green' WHERE id = ?", "UPDATE ins_recommendations SET rating = 'amber' WHERE id = ?", r.ID, "recommendation/" + r.ID},
			{"classification softened", "UPDATE ins_handling_errors SET serious = 1 WHERE id = ?", "UPDATE ins_handling_errors SET serious = 0 WHERE id = ?", h.ID, "handling_error/" + h.ID},
			{"finding removed", "DELETE FROM ins_findings WHERE inspection_id = ?", "", in.ID, "inspection/" + in.ID},
		} {
			if _, err := e.db.Exec(e.ctx, c.sql, c.arg); err != nil {
				t.Fatal(err)
			}
			var ve *auditlog.VerifyError
			if err := verify(); !errors.As(err, &ve) || !strings.Contains(ve.Error(), c.resource) {
				t.Errorf("verify after %s: got %v, want %s named", c.name, err, c.resource)
			}
			if c.undo != "" {
				if _, err := e.db.Exec(e.ctx, c.undo, c.arg); err != nil {
					t.Fatal(err)
				}
			}
		}
		if _, err := e.db.Exec(e.ctx, "INSERT INTO ins_findings (inspection_id, seq, text, author, org_id, at) VALUES (?, 1, 'A finding.', 'usr_chair', ?, ?)",
			in.ID, e.commission.ID, store.FormatTime(in.OpenedAt)); err != nil {
			t.Fatal(err)
		}
		if err := verify(); err != nil {
			t.Fatalf("verify after undoing the edits: %v", err)
		}
		if _, err := e.db.Exec(e.ctx, `INSERT INTO ins_inspections (id, title, subjects, scope, approval_ids, provision_ids, run_ids, state, summary, opened_by, opened_at, closed_by, closed_at)
			VALUES ('insp_ghost', 't', '["all"]', 's', '[]', '[]', '[]', 'open', '', 'x', ?, '', '')`, store.FormatTime(t0)); err != nil {
			t.Fatal(err)
		}
		if err := verify(); err == nil || !strings.Contains(err.Error(), "inspection/insp_ghost") {
			t.Errorf("verify with an inspection inserted behind the log: got %v, want inspection/insp_ghost named", err)
		}
	})
}
