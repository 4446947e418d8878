// Package deadline tracks everything in ACD that must happen by a given time
// — full incident reports after a quick report (§5), answers to correction
// orders and requests for materials (§83, §84), the commission's
// post-notification after an urgent measure, answers to vendor requests (§42)
// — and tells the people responsible, in the app and by e-mail.
//
// # Deadlines
//
// A capability creates a [Deadline] with [Service.Set] inside the same store
// transaction as the change that starts the clock, and closes it with
// [Service.Meet] (or [Service.MeetSubject]) or [Service.Cancel] inside the
// transaction that fulfils or withdraws the obligation. A deadline therefore
// exists exactly when the caller's change has committed.
//
//	open ──Meet──▶ met            (met_at, late=false)
//	  │  └─Cancel─▶ cancelled
//	  └─due passes (Tick)─▶ overdue ──Meet──▶ met (late=true)
//	                           └─Cancel─▶ cancelled
//
// [Service.Run] is the background loop of `acd serve`: every Config.Interval
// it calls [Service.Tick], which marks open deadlines past due as overdue
// and sends each deadline at most one reminder (Config.ReminderLead before
// due) and one overdue notice. Each transition is a conditional update in
// its own transaction together with its audit entry and notice, so a restart
// or a second server on the same PostgreSQL database never sends a notice
// twice.
//
// # Notices
//
// A [Notifier] keeps the in-app inbox and, when SMTP is configured, a mail
// outbox. [Notifier.Notify] writes both in the caller's transaction; the
// outbox is delivered after commit by [Notifier.Run] (or one pass of
// [Notifier.Deliver]) with retries and backoff. An e-mail is therefore never
// sent for a change that rolled back and not lost when the server stops; it
// may be sent twice if the server stops between the SMTP server accepting it
// and the outbox recording that (the Message-ID is the same both times).
//
// Every state change here is recorded in the audit log in the transaction
// that makes it: deadline.set, deadline.met, deadline.cancel,
// deadline.remind, deadline.overdue, notice.create, notice.mark_read and the
// outcome of each e-mail (notice.mail_queued, notice.mail_sent,
// notice.mail_failed, notice.mail_skipped).
package deadline

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/store"
)

// State is where a deadline is in its life.
type State string

// The states of a deadline.
const (
	StateOpen      State = "open"      // not yet met, not yet due
	StateOverdue   State = "overdue"   // due passed while open; may still be met, late
	StateMet       State = "met"       // fulfilled (see Deadline.Late)
	StateCancelled State = "cancelled" // withdrawn; never becomes overdue
)

// Valid reports whether s is one of the four states.
func (s State) Valid() bool {
	switch s {
	case StateOpen, StateOverdue, StateMet, StateCancelled:
		return true
	}
	return false
}

// Errors callers branch on.
var (
	// ErrNotFound: no such deadline or notice (or not visible to the
	// user). API handlers answer 404.
	ErrNotFound = errors.New("not found")
	// ErrClosed: the deadline is already met or cancelled. Callers that
	// meet deadlines idempotently may ignore it; API handlers answer 409.
	ErrClosed = errors.New("deadline already met or cancelled")
	// ErrInvalid wraps every validation failure of input; API handlers
	// answer 400 with the message.
	ErrInvalid = errors.New("invalid")
)

// ActorFunc names who acts in ctx, for audit entries: the user id and the
// user's organisation id. The server passes one that reads the request's
// principal; background work has none, and an empty actor is recorded as
// "system".
type ActorFunc func(ctx context.Context) (actor, org string)

func systemActor(context.Context) (string, string) { return "system", "" }

// Deadline is one obligation with a due time.
type Deadline struct {
	// ID is chosen by Set ("dl_…") when empty.
	ID string `json:"id"`
	// Kind says what must happen, "<capability>.<what>", e.g. "report.full"
	// or "order.correction".
	Kind string `json:"kind"`
	// Subject is the resource the deadline is about, "<type>/<id>", e.g.
	// "report/r_1".
	Subject string `json:"subject"`
	// Org is the responsible organisation's id; it receives the notices.
	Org string `json:"org"`
	// User, when set, is the responsible user, who then receives the
	// notices personally instead of the whole organisation.
	User string `json:"user,omitempty"`
	// Title is a short English description for notices, e.g. "Full report
	// for incident r_1". At most 200 characters, one line.
	Title string `json:"title"`
	// TitleJA is the Japanese title; notices fall back to Title.
	TitleJA string `json:"title_ja,omitempty"`
	// Link is the path in the app that notices point to, e.g.
	// "/reports/r_1"; it must start with "/".
	Link string `json:"link,omitempty"`
	// Due is when the obligation must be met. Meeting it at Due exactly is
	// on time.
	Due time.Time `json:"due"`
	// RemindAt is when the reminder is sent; Set fills in
	// Due - Config.ReminderLead when zero. It must be before Due.
	RemindAt time.Time `json:"remind_at,omitzero"`

	// The fields below are kept by this package; Set ignores them.

	State        State     `json:"state"`
	Created      time.Time `json:"created"`
	RemindedAt   time.Time `json:"reminded_at,omitzero"`
	OverdueAt    time.Time `json:"overdue_at,omitzero"`
	MetAt        time.Time `json:"met_at,omitzero"`
	Late         bool      `json:"late,omitempty"` // met after Due
	CancelledAt  time.Time `json:"cancelled_at,omitzero"`
	CancelReason string    `json:"cancel_reason,omitempty"`
}

// Resource is the deadline's audit-log resource name.
func (d Deadline) Resource() string { return "deadline/" + d.ID }

// Config configures a Service. The zero value works.
type Config struct {
	// Interval is how often Run checks deadlines; default 30s.
	Interval time.Duration
	// ReminderLead is how long before Due a deadline's reminder goes out
	// when Set is given no RemindAt; default 1h. Negative: no reminder
	// unless Set is given a RemindAt.
	ReminderLead time.Duration
	// Actor names who calls Set, Meet and Cancel; nil records "system".
	Actor ActorFunc
}

// Service keeps deadlines. It is safe for concurrent use.
type Service struct {
	db       *store.DB
	log      *auditlog.Log
	notifier *Notifier
	clock    Clock
	logger   *slog.Logger
	cfg      Config
}

// New migrates the package's tables and returns the service. notifier
// receives the reminders and overdue notices; clock nil means SystemClock;
// logger nil discards.
func New(ctx context.Context, db *store.DB, log *auditlog.Log, notifier *Notifier, clock Clock, logger *slog.Logger, cfg Config) (*Service, error) {
	if notifier == nil {
		return nil, errors.New("deadline service: notifier is required")
	}
	if clock == nil {
		clock = SystemClock{}
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Interval <= 0 {
		cfg.Interval = 30 * time.Second
	}
	if cfg.ReminderLead == 0 {
		cfg.ReminderLead = time.Hour
	}
	if cfg.Actor == nil {
		cfg.Actor = systemActor
	}
	if err := db.Migrate(ctx, component, migrations); err != nil {
		return nil, err
	}
	RegisterResolvers(log)
	return &Service{db: db, log: log, notifier: notifier, clock: clock, logger: logger.With("component", "deadline"), cfg: cfg}, nil
}

// RegisterResolvers lets auditlog.Verify check every deadline against the
// latest entry about it, and report deadlines with no entry at all. New
// calls it; tools that verify the log without a Service call it themselves.
// Every entry on "deadline/ID" carries the deadline as stored after the
// change (see audit).
func RegisterResolvers(l *auditlog.Log) {
	l.RegisterResolver("deadline", func(ctx context.Context, q store.Querier, id string) (any, error) {
		d, err := getDeadline(ctx, q, id)
		if errors.Is(err, ErrNotFound) {
			return nil, auditlog.ErrNoRecord
		}
		return d, err
	})
	l.RegisterLister("deadline", func(ctx context.Context, q store.Querier) ([]string, error) {
		// A database the server never ran on has no deadline tables yet.
		var migrated int
		if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM schema_migrations WHERE component = ?", component).Scan(&migrated); err != nil || migrated == 0 {
			return nil, err
		}
		rows, err := q.Query(ctx, "SELECT id FROM deadlines")
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var ids []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return nil, err
			}
			ids = append(ids, id)
		}
		return ids, rows.Err()
	})
}

var (
	kindRE    = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$`)
	subjectRE = regexp.MustCompile(`^[a-z][a-z0-9_]*/[A-Za-z0-9_.:-]+$`)
)

const maxTitle = 200

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

func checkLine(field, s string, max int) error {
	if strings.ContainsAny(s, "\r\n") {
		return invalidf("%s must be one line", field)
	}
	if utf8.RuneCountInString(s) > max {
		return invalidf("%s longer than %d characters", field, max)
	}
	if !utf8.ValidString(s) {
		return invalidf("%s is not UTF-8", field)
	}
	return nil
}

func (d *Deadline) validate() error {
	switch {
	case !kindRE.MatchString(d.Kind):
		return invalidf("deadline kind %q: want <capability>.<what>, lower case", d.Kind)
	case !subjectRE.MatchString(d.Subject):
		return invalidf("deadline subject %q: want <type>/<id>", d.Subject)
	case d.Org == "":
		return invalidf("deadline needs a responsible organisation")
	case strings.TrimSpace(d.Title) == "":
		return invalidf("deadline needs a title")
	case d.Due.IsZero():
		return invalidf("deadline needs a due time")
	case d.Link != "" && (!strings.HasPrefix(d.Link, "/") || strings.HasPrefix(d.Link, "//")):
		return invalidf("deadline link %q: want a path starting with one /", d.Link)
	case !d.RemindAt.IsZero() && !d.RemindAt.Before(d.Due):
		return invalidf("deadline reminder %s is not before due %s", d.RemindAt.UTC().Format(time.RFC3339), d.Due.UTC().Format(time.RFC3339))
	}
	if err := checkLine("deadline title", d.Title, maxTitle); err != nil {
		return err
	}
	if err := checkLine("deadline Japanese title", d.TitleJA, maxTitle); err != nil {
		return err
	}
	return checkLine("deadline link", d.Link, 500)
}

// Set records d inside tx (so it exists exactly when tx commits) and returns
// it as stored, with ID (when empty), State open, Created and RemindAt
// filled in. Audited as "deadline.set". A deadline whose Due has already
// passed becomes overdue at the next Tick.
func (s *Service) Set(ctx context.Context, tx *store.Tx, d Deadline) (Deadline, error) {
	d.Due = d.Due.UTC()
	d.RemindAt = d.RemindAt.UTC()
	if d.RemindAt.IsZero() && s.cfg.ReminderLead > 0 {
		d.RemindAt = d.Due.Add(-s.cfg.ReminderLead)
	}
	if err := d.validate(); err != nil {
		return Deadline{}, err
	}
	if d.ID == "" {
		d.ID = newID("dl_")
	} else if err := checkLine("deadline id", d.ID, 100); err != nil {
		return Deadline{}, err
	}
	d.State = StateOpen
	d.Created = s.clock.Now().UTC()
	d.RemindedAt, d.OverdueAt, d.MetAt, d.CancelledAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	d.Late, d.CancelReason = false, ""
	_, err := tx.Exec(ctx, insertDeadline, d.ID, d.Kind, d.Subject, d.Org, d.User, d.Title, d.TitleJA, d.Link,
		store.FormatTime(d.Due), nullTime(d.RemindAt), string(d.State), store.FormatTime(d.Created))
	if err != nil {
		if store.IsUniqueViolation(err) {
			return Deadline{}, invalidf("deadline %s already exists", d.ID)
		}
		return Deadline{}, fmt.Errorf("set deadline: %w", err)
	}
	if err := s.audit(ctx, tx, "deadline.set", d); err != nil {
		return Deadline{}, err
	}
	return d, nil
}

// audit appends action for deadline d as stored in tx (read back, so that
// the payload is exactly what the resolver returns: times in UTC at stored
// precision).
func (s *Service) audit(ctx context.Context, tx *store.Tx, action string, d Deadline) error {
	actor, org := s.cfg.Actor(ctx)
	stored, err := getDeadline(ctx, tx, d.ID)
	if err != nil {
		return fmt.Errorf("%s %s: %w", action, d.ID, err)
	}
	if _, err := s.log.Append(ctx, tx, auditlog.Entry{Actor: actor, Org: org, Action: action, Resource: d.Resource(), Payload: stored}); err != nil {
		return fmt.Errorf("%s %s: %w", action, d.ID, err)
	}
	return nil
}

// Meet records inside tx that deadline id was fulfilled now, late when now
// is after Due. Audited as "deadline.met". It returns ErrNotFound or
// ErrClosed (already met or cancelled).
func (s *Service) Meet(ctx context.Context, tx *store.Tx, id string) (Deadline, error) {
	d, err := getDeadline(ctx, tx, id)
	if err != nil {
		return Deadline{}, err
	}
	return s.meet(ctx, tx, d)
}

func (s *Service) meet(ctx context.Context, tx *store.Tx, d Deadline) (Deadline, error) {
	if d.State != StateOpen && d.State != StateOverdue {
		return Deadline{}, fmt.Errorf("meet deadline %s (%s): %w", d.ID, d.State, ErrClosed)
	}
	now := s.clock.Now().UTC()
	late := d.State == StateOverdue || now.After(d.Due)
	res, err := tx.Exec(ctx, `UPDATE deadlines SET state = ?, met_at = ?, late = ? WHERE id = ? AND state IN ('open', 'overdue')`,
		string(StateMet), store.FormatTime(now), boolInt(late), d.ID)
	if err != nil {
		return Deadline{}, fmt.Errorf("meet deadline %s: %w", d.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return Deadline{}, fmt.Errorf("meet deadline %s: %w", d.ID, ErrClosed)
	}
	d.State, d.MetAt, d.Late = StateMet, now, late
	if err := s.audit(ctx, tx, "deadline.met", d); err != nil {
		return Deadline{}, err
	}
	return d, nil
}

// MeetSubject meets, inside tx, every open or overdue deadline of kind on
// subject, and returns them; none is not an error. It is what a capability
// calls when the awaited thing arrives ("the full report for report/r_1")
// without keeping deadline ids.
func (s *Service) MeetSubject(ctx context.Context, tx *store.Tx, subject, kind string) ([]Deadline, error) {
	if subject == "" || kind == "" {
		return nil, invalidf("meeting by subject needs a subject and a kind")
	}
	ds, err := listDeadlines(ctx, tx, Filter{Subject: subject, Kind: kind, States: []State{StateOpen, StateOverdue}})
	if err != nil {
		return nil, err
	}
	out := make([]Deadline, 0, len(ds))
	for _, d := range ds {
		m, err := s.meet(ctx, tx, d)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// Cancel withdraws deadline id inside tx, for reason (required; e.g. "order
// withdrawn"). A cancelled deadline never becomes overdue. Audited as
// "deadline.cancel". It returns ErrNotFound or ErrClosed.
func (s *Service) Cancel(ctx context.Context, tx *store.Tx, id, reason string) (Deadline, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return Deadline{}, invalidf("cancelling a deadline needs a reason")
	}
	if err := checkLine("cancel reason", reason, 500); err != nil {
		return Deadline{}, err
	}
	d, err := getDeadline(ctx, tx, id)
	if err != nil {
		return Deadline{}, err
	}
	if d.State != StateOpen && d.State != StateOverdue {
		return Deadline{}, fmt.Errorf("cancel deadline %s (%s): %w", id, d.State, ErrClosed)
	}
	now := s.clock.Now().UTC()
	res, err := tx.Exec(ctx, `UPDATE deadlines SET state = ?, cancelled_at = ?, cancel_reason = ? WHERE id = ? AND state IN ('open', 'overdue')`,
		string(StateCancelled), store.FormatTime(now), reason, id)
	if err != nil {
		return Deadline{}, fmt.Errorf("cancel deadline %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return Deadline{}, fmt.Errorf("cancel deadline %s: %w", id, ErrClosed)
	}
	d.State, d.CancelledAt, d.CancelReason = StateCancelled, now, reason
	if err := s.audit(ctx, tx, "deadline.cancel", d); err != nil {
		return Deadline{}, err
	}
	return d, nil
}

// Get returns deadline id, or ErrNotFound.
func (s *Service) Get(ctx context.Context, id string) (Deadline, error) {
	return getDeadline(ctx, s.db, id)
}

// GetTx is Get inside tx, which sees tx's own uncommitted changes.
func (s *Service) GetTx(ctx context.Context, tx *store.Tx, id string) (Deadline, error) {
	return getDeadline(ctx, tx, id)
}

// Filter selects deadlines for List. Empty fields match everything.
type Filter struct {
	Org     string
	User    string
	State   State
	States  []State // any of these, in addition to State
	Subject string
	Kind    string
	// DueBefore matches deadlines due strictly before it.
	DueBefore time.Time
	// Limit caps the result; 0 means 1000, negative means no cap.
	Limit int
}

// List returns the deadlines matching f, soonest due first.
func (s *Service) List(ctx context.Context, f Filter) ([]Deadline, error) {
	return listDeadlines(ctx, s.db, f)
}

// Overdue returns every deadline now overdue, soonest due first.
func (s *Service) Overdue(ctx context.Context) ([]Deadline, error) {
	return listDeadlines(ctx, s.db, Filter{State: StateOverdue, Limit: -1})
}

const deadlineColumns = `id, kind, subject, org_id, user_id, title, title_ja, link, due_at, remind_at, state, created_at,
	reminded_at, overdue_at, met_at, late, cancelled_at, cancel_reason`

const insertDeadline = `INSERT INTO deadlines (id, kind, subject, org_id, user_id, title, title_ja, link, due_at, remind_at, state, created_at,
	reminded_at, overdue_at, met_at, late, cancelled_at, cancel_reason)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, 0, NULL, '')`

func getDeadline(ctx context.Context, q store.Querier, id string) (Deadline, error) {
	rows, err := q.Query(ctx, `SELECT `+deadlineColumns+` FROM deadlines WHERE id = ?`, id)
	if err != nil {
		return Deadline{}, fmt.Errorf("get deadline %s: %w", id, err)
	}
	ds, err := scanDeadlines(rows)
	if err != nil {
		return Deadline{}, fmt.Errorf("get deadline %s: %w", id, err)
	}
	if len(ds) == 0 {
		return Deadline{}, fmt.Errorf("deadline %s: %w", id, ErrNotFound)
	}
	return ds[0], nil
}

func listDeadlines(ctx context.Context, q store.Querier, f Filter) ([]Deadline, error) {
	var where []string
	var args []any
	add := func(cond string, arg any) {
		where = append(where, cond)
		args = append(args, arg)
	}
	if f.Org != "" {
		add("org_id = ?", f.Org)
	}
	if f.User != "" {
		add("user_id = ?", f.User)
	}
	if f.Subject != "" {
		add("subject = ?", f.Subject)
	}
	if f.Kind != "" {
		add("kind = ?", f.Kind)
	}
	if !f.DueBefore.IsZero() {
		add("due_at < ?", store.FormatTime(f.DueBefore))
	}
	states := f.States
	if f.State != "" {
		states = append(states[:len(states):len(states)], f.State)
	}
	if len(states) > 0 {
		ph := make([]string, len(states))
		for i, st := range states {
			if !st.Valid() {
				return nil, invalidf("deadline state %q", st)
			}
			ph[i] = "?"
			args = append(args, string(st))
		}
		where = append(where, "state IN ("+strings.Join(ph, ", ")+")")
	}
	query := `SELECT ` + deadlineColumns + ` FROM deadlines`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY due_at, id"
	switch {
	case f.Limit == 0:
		query += " LIMIT 1000"
	case f.Limit > 0:
		query += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list deadlines: %w", err)
	}
	ds, err := scanDeadlines(rows)
	if err != nil {
		return nil, fmt.Errorf("list deadlines: %w", err)
	}
	return ds, nil
}

func scanDeadlines(rows *sql.Rows) ([]Deadline, error) {
	defer rows.Close()
	var out []Deadline
	for rows.Next() {
		var (
			d                                    Deadline
			state, due, created                  string
			remind, reminded, overdue, met, canc sql.NullString
			late                                 int
		)
		if err := rows.Scan(&d.ID, &d.Kind, &d.Subject, &d.Org, &d.User, &d.Title, &d.TitleJA, &d.Link, &due, &remind, &state, &created,
			&reminded, &overdue, &met, &late, &canc, &d.CancelReason); err != nil {
			return nil, err
		}
		d.State = State(state)
		d.Late = late != 0
		var err error
		if d.Due, err = store.ParseTime(due); err != nil {
			return nil, err
		}
		if d.Created, err = store.ParseTime(created); err != nil {
			return nil, err
		}
		for _, p := range []struct {
			dst *time.Time
			src sql.NullString
		}{{&d.RemindAt, remind}, {&d.RemindedAt, reminded}, {&d.OverdueAt, overdue}, {&d.MetAt, met}, {&d.CancelledAt, canc}} {
			if *p.dst, err = parseNullTime(p.src); err != nil {
				return nil, err
			}
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
