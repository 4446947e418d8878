package commsinfo

import (
	"context"
	"errors"
	"time"

	"github.com/acd-platform/acd/internal/store"
)

// RetentionDeletion is one pass of retention over one approval's records.
type RetentionDeletion struct {
	ApprovalID string    `json:"approval_id"`
	Cutoff     time.Time `json:"cutoff"`
	Deleted    int64     `json:"deleted"`
	At         time.Time `json:"at"`
}

// Purge deletes the selected records older than their approval's retention
// period (ApprovalInfo.RetainFor, else Config.DefaultRetention) as of now,
// judged by the record's time. Each approval's deletion is one transaction
// with its audit entry ("selected.purge": approval, count, cutoff) and a
// row for the annual statistics. It also removes what uploads that stopped
// sending more than Config.PendingTTL ago staged (a server stopped
// mid-upload). It returns how many records it deleted.
func (s *Service) Purge(ctx context.Context, now time.Time) (int, error) {
	now = now.UTC()
	if err := s.purgePending(ctx, now); err != nil {
		return 0, err
	}
	rows, err := s.db.Query(ctx, "SELECT DISTINCT approval_id FROM ci_runs WHERE state = ?", runComplete)
	if err != nil {
		return 0, errorf("purge: list approvals: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, errorf("purge: list approvals: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, errorf("purge: list approvals: %w", err)
	}
	total := 0
	for _, id := range ids {
		keep := s.cfg.DefaultRetention
		a, err := s.approvals.Approval(ctx, id)
		switch {
		case err == nil:
			if a.RetainFor > 0 {
				keep = a.RetainFor
			}
		case errors.Is(err, ErrNotFound):
			// An approval no longer known keeps the default period.
		default:
			return total, errorf("purge: look up approval %q: %w", id, err)
		}
		cutoff := now.Add(-keep)
		n, err := s.purgeApproval(ctx, id, cutoff, now)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

func (s *Service) purgeApproval(ctx context.Context, approvalID string, cutoff, now time.Time) (int, error) {
	var n int64
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		res, err := tx.Exec(ctx, `DELETE FROM ci_records WHERE approval_id = ? AND t < ?
AND run_id IN (SELECT id FROM ci_runs WHERE approval_id = ? AND state = ?)`, approvalID, store.FormatTime(cutoff), approvalID, runComplete)
		if err != nil {
			return errorf("purge approval %q: %w", approvalID, err)
		}
		if n, err = res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		d := RetentionDeletion{ApprovalID: approvalID, Cutoff: cutoff, Deleted: n, At: now}
		if _, err := tx.Exec(ctx, "INSERT INTO ci_retention (id, approval_id, cutoff, deleted, at) VALUES (?, ?, ?, ?, ?)",
			newID("ret_"), approvalID, store.FormatTime(cutoff), n, store.FormatTime(now)); err != nil {
			return errorf("purge approval %q: %w", approvalID, err)
		}
		return s.audit(ctx, tx, nil, "selected.purge", "approval/"+approvalID, d)
	})
	if err != nil {
		return 0, err
	}
	if n > 0 {
		s.logger.Info("retention deleted selected records", "approval", approvalID, "deleted", n, "cutoff", cutoff)
	}
	return int(n), nil
}

// purgePending removes runs whose upload stopped sending more than
// PendingTTL ago and is not in progress in this process.
func (s *Service) purgePending(ctx context.Context, now time.Time) error {
	rows, err := s.db.Query(ctx, "SELECT id FROM ci_runs WHERE state = ? AND updated_at < ?", runPending, store.FormatTime(now.Add(-s.cfg.PendingTTL)))
	if err != nil {
		return errorf("purge pending runs: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return errorf("purge pending runs: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		s.mu.Lock()
		busy := s.active[id]
		s.mu.Unlock()
		if busy {
			continue
		}
		if err := s.discard(ctx, id); err != nil {
			return errorf("purge pending run %q: %w", id, err)
		}
		s.logger.Warn("removed an upload that never completed", "run", id)
	}
	return rows.Err()
}

// Retention lists retention deletions in [from, to), newest first (zero
// bounds do not bound).
func (s *Service) Retention(ctx context.Context, approvalID string, from, to time.Time) ([]RetentionDeletion, error) {
	q := "SELECT approval_id, cutoff, deleted, at FROM ci_retention WHERE 1 = 1"
	var args []any
	if approvalID != "" {
		q += " AND approval_id = ?"
		args = append(args, approvalID)
	}
	if !from.IsZero() {
		q += " AND at >= ?"
		args = append(args, store.FormatTime(from))
	}
	if !to.IsZero() {
		q += " AND at < ?"
		args = append(args, store.FormatTime(to))
	}
	rows, err := s.db.Query(ctx, q+" ORDER BY at DESC LIMIT 1000", args...)
	if err != nil {
		return nil, errorf("list retention: %w", err)
	}
	defer rows.Close()
	out := []RetentionDeletion{}
	for rows.Next() {
		var d RetentionDeletion
		var cutoff, at string
		if err := rows.Scan(&d.ApprovalID, &cutoff, &d.Deleted, &at); err != nil {
			return nil, errorf("list retention: %w", err)
		}
		d.Cutoff, _ = store.ParseTime(cutoff)
		d.At, _ = store.ParseTime(at)
		out = append(out, d)
	}
	return out, rows.Err()
}

// RunRetention runs Purge every interval (default 1 hour) until ctx ends,
// logging failures; it returns nil when ctx is cancelled. It is the
// background job of acd serve.
func (s *Service) RunRetention(ctx context.Context, interval time.Duration) error {
	if interval <= 0 {
		interval = time.Hour
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := s.Purge(ctx, s.now()); err != nil && ctx.Err() == nil {
			s.logger.Error("retention pass failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
