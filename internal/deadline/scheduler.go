package deadline

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/store"
)

// tickBatch is the most deadlines of each kind one Tick handles; the rest
// wait for the next.
const tickBatch = 500

// jst is Japan time, in which notices show times (Japan keeps no daylight
// saving time, so a fixed zone is exact and needs no tzdata).
var jst = time.FixedZone("JST", 9*60*60)

// Tick makes one pass: it marks every open deadline whose Due has passed as
// overdue ("deadline.overdue") and sends reminders for open deadlines whose
// RemindAt has come ("deadline.remind"), each with its notice to the
// responsible user or organisation. Each deadline changes in its own
// transaction by a conditional update, so a notice goes out once per
// transition even across restarts and concurrent servers. A deadline that
// became overdue before its reminder was sent gets no reminder. Tick carries
// on past a failing deadline and returns the errors joined.
func (s *Service) Tick(ctx context.Context) error {
	now := s.clock.Now().UTC()
	at := store.FormatTime(now)
	var errs []error

	ids, err := s.ids(ctx, `SELECT id FROM deadlines WHERE state = 'open' AND due_at < ? ORDER BY due_at, id LIMIT `+fmt.Sprint(tickBatch), at)
	if err != nil {
		return err
	}
	for _, id := range ids {
		err := s.transition(ctx, id, "deadline.overdue",
			`UPDATE deadlines SET state = 'overdue', overdue_at = ? WHERE id = ? AND state = 'open' AND due_at < ?`,
			[]any{at, id, at}, overdueNotice)
		if err != nil {
			errs = append(errs, err)
		}
	}

	ids, err = s.ids(ctx, `SELECT id FROM deadlines WHERE state = 'open' AND reminded_at IS NULL AND remind_at <= ? AND due_at >= ?
	ORDER BY due_at, id LIMIT `+fmt.Sprint(tickBatch), at, at)
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	for _, id := range ids {
		err := s.transition(ctx, id, "deadline.remind",
			`UPDATE deadlines SET reminded_at = ? WHERE id = ? AND state = 'open' AND reminded_at IS NULL`,
			[]any{at, id}, reminderNotice)
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (s *Service) ids(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := s.db.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("find due deadlines: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("find due deadlines: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find due deadlines: %w", err)
	}
	return ids, nil
}

// transition applies update to deadline id in a transaction; when it changed
// the row (nobody else did first), it audits action as the system and sends
// the notice made by notice.
func (s *Service) transition(ctx context.Context, id, action, update string, args []any, notice func(Deadline) Notice) error {
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		res, err := tx.Exec(ctx, update, args...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return err // changed meanwhile: nothing to do
		}
		d, err := getDeadline(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := s.log.Append(ctx, tx, auditlog.Entry{Actor: "system", Action: action, Resource: d.Resource(), Payload: d}); err != nil {
			return err
		}
		if _, err := s.notifier.Notify(ctx, tx, notice(d)); err != nil {
			return err
		}
		s.logger.Info(action, "deadline", d.ID, "kind", d.Kind, "subject", d.Subject, "org", d.Org, "due", d.Due)
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s %s: %w", action, id, err)
	}
	return nil
}

// Run calls Tick every Config.Interval, starting at once, until ctx is
// cancelled, then returns nil. A failing Tick is logged and tried again at
// the next interval; Run is meant for an execute/interrupt group in
// `acd serve`.
func (s *Service) Run(ctx context.Context) error {
	t := time.NewTicker(s.cfg.Interval)
	defer t.Stop()
	for {
		if err := s.Tick(ctx); err != nil && ctx.Err() == nil {
			s.logger.Warn("deadline pass", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func jstTime(t time.Time) string { return t.In(jst).Format("2006-01-02 15:04 JST") }

func titleJA(d Deadline) string {
	if d.TitleJA != "" {
		return d.TitleJA
	}
	return d.Title
}

func deadlineNotice(d Deadline, subjectJA, subjectEN, leadJA, leadEN string) Notice {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n件名: %s\n期限: %s\n対象: %s\n\n", leadJA, titleJA(d), jstTime(d.Due), d.Subject)
	fmt.Fprintf(&b, "%s\n\nTitle: %s\nDue: %s (%s)\nResource: %s\nDeadline: %s (%s)\n",
		leadEN, d.Title, jstTime(d.Due), d.Due.UTC().Format(time.RFC3339), d.Subject, d.ID, d.Kind)
	subject := subjectJA + " / " + subjectEN + ": " + d.Title
	if r := []rune(subject); len(r) > maxSubject {
		subject = string(r[:maxSubject-1]) + "…"
	}
	return Notice{ToUser: d.User, ToOrg: d.Org, Subject: subject, Body: b.String(), Link: d.Link}
}

func overdueNotice(d Deadline) Notice {
	return deadlineNotice(d, "【期限超過】", "Overdue",
		"次の期限を過ぎました。速やかに対応してください。",
		"The following deadline has passed. Please act without delay.")
}

func reminderNotice(d Deadline) Notice {
	return deadlineNotice(d, "【期限間近】", "Due soon",
		"次の期限が近づいています。",
		"The following deadline is approaching.")
}
