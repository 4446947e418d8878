package vendors

import (
	"context"
	"fmt"
	"time"

	"github.com/acd-platform/acd/internal/store"
)

// Sweep lapses every request still unanswered at its deadline: each, in
// its own transaction, publishes what the vulnerability record says and
// tells the affected operators. It returns how many lapsed. A second
// server sweeping at the same time lapses none twice (the state is
// claimed inside the transaction).
func (s *Service) Sweep(ctx context.Context) (int, error) {
	rows, err := s.db.Query(ctx, "SELECT id FROM vnd_requests WHERE state = ? AND due <> '' AND due <= ? ORDER BY due, id LIMIT 1000",
		string(StateSent), store.FormatTime(s.now()))
	if err != nil {
		return 0, fmt.Errorf("find lapsed requests: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		ok, err := s.lapse(ctx, id)
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}

func (s *Service) lapse(ctx context.Context, id string) (bool, error) {
	r, err := loadRequest(ctx, s.db, id)
	if err != nil {
		return false, err
	}
	d, err := s.vuln.Lookup(ctx, r.VulnID)
	if err != nil {
		return false, err
	}
	lapsed := false
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		// Claim the request first: of two servers sweeping at once, the
		// second waits on the row and then updates none.
		now := s.now()
		res, err := tx.Exec(ctx, "UPDATE vnd_requests SET state = ? WHERE id = ? AND state = ? AND due <> '' AND due <= ?",
			string(StateLapsed), id, string(StateSent), store.FormatTime(now))
		if err != nil {
			return fmt.Errorf("claim request: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return err
		}
		r, err := loadRequest(ctx, tx, id)
		if err != nil {
			return err
		}
		r.State, r.LapsedAt = StateLapsed, now
		if err := s.publish(ctx, tx, &r, d, "deadline"); err != nil {
			return err
		}
		if err := s.save(ctx, tx, r, false); err != nil {
			return err
		}
		lapsed = true
		return s.audit(ctx, tx, nil, "vendor.request_lapse", resRequest, r.ID, r)
	})
	if err != nil {
		return false, fmt.Errorf("lapse request %s: %w", id, err)
	}
	if lapsed {
		s.logger.Info("vendor request lapsed", "request", id, "vuln", r.VulnID)
	}
	return lapsed, nil
}

// Run sweeps every Config.SweepInterval until ctx ends; errors are
// logged and the next sweep tries again.
func (s *Service) Run(ctx context.Context) error {
	t := time.NewTicker(s.cfg.SweepInterval)
	defer t.Stop()
	for {
		if _, err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
			s.logger.Error("sweep vendor requests", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
