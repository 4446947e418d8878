package deadline_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
)

// TestDeadlinesMatchTheLog: after a deadline's whole life (set, reminder,
// overdue, met late; another cancelled) the log's data check passes, and a
// due date moved behind the service's back, or a deadline inserted without
// an entry, is named.
func TestDeadlinesMatchTheLog(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db, deadline.NotifierConfig{})
		// A due time in Japan time: stored and audited in UTC alike.
		jst := time.FixedZone("JST", 9*3600)
		d := report("report/r_1", 2*time.Hour)
		d.Due = d.Due.In(jst)
		d = e.set(t, d)
		other := e.set(t, report("report/r_2", 4*time.Hour))
		e.clock.Advance(3 * time.Hour)
		e.tick(t)
		err := db.Tx(ctx, func(tx *store.Tx) error {
			if _, err := e.s.Meet(ctx, tx, d.ID); err != nil {
				return err
			}
			_, err := e.s.Cancel(ctx, tx, other.ID, "withdrawn")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		ring, err := keys.Open(e.keys, nil)
		if err != nil {
			t.Fatal(err)
		}
		verify := func() error {
			if _, err := e.log.Checkpoint(ctx); err != nil {
				t.Fatal(err)
			}
			vs, _ := e.log.Verifiers()
			_, err := auditlog.Verify(ctx, auditlog.DBSource(db), auditlog.VerifyOptions{
				Verifiers: vs, Keys: ring, Resolvers: e.log.Resolvers(), Listers: e.log.Listers()})
			return err
		}
		if err := verify(); err != nil {
			t.Fatalf("verify after a deadline's life: %v", err)
		}
		if _, err := db.Exec(ctx, "UPDATE deadlines SET due_at = ? WHERE id = ?", store.FormatTime(t0.Add(240*time.Hour)), d.ID); err != nil {
			t.Fatal(err)
		}
		var ve *auditlog.VerifyError
		if err := verify(); !errors.As(err, &ve) || !strings.Contains(ve.Reason, "deadline/"+d.ID) {
			t.Errorf("verify after moving a due date: got %v, want deadline/%s named", err, d.ID)
		}
	})
}
