package measures

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/oversight"
	"github.com/acd-platform/acd/internal/pdf"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/textfield"
)

// component is the name under which this package's tables are migrated.
const component = "measures"

// The tables keep each record as JSON in "data", with the columns that
// queries select on beside it; a record and its columns are always written
// together. mofa_orgs holds "|id|" for every MOFA organisation ever
// consulted on the case, so that MOFA's scope is one LIKE.
var migrations = []store.Migration{
	{Version: 1, Name: "designations, cases, motions, votes, orders", SQL: `
CREATE TABLE msr_designations (
	id TEXT PRIMARY KEY,
	user_id TEXT NOT NULL,
	org_id TEXT NOT NULL,
	level TEXT NOT NULL,
	designated_at TEXT NOT NULL,
	revoked_at TEXT NOT NULL,
	data TEXT NOT NULL
);
CREATE INDEX msr_designations_user ON msr_designations (user_id, designated_at);
CREATE TABLE msr_cases (
	id TEXT PRIMARY KEY,
	path TEXT NOT NULL,
	state TEXT NOT NULL,
	officer_user TEXT NOT NULL,
	officer_org TEXT NOT NULL,
	joint_org TEXT NOT NULL,
	mofa_orgs TEXT NOT NULL,
	opened_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	data TEXT NOT NULL
);
CREATE INDEX msr_cases_opened ON msr_cases (opened_at);
CREATE INDEX msr_cases_org ON msr_cases (officer_org, opened_at);
CREATE TABLE msr_motions (
	id TEXT PRIMARY KEY,
	case_id TEXT NOT NULL,
	state TEXT NOT NULL,
	moved_at TEXT NOT NULL,
	data TEXT NOT NULL
);
CREATE INDEX msr_motions_case ON msr_motions (case_id, moved_at);
CREATE TABLE msr_votes (
	motion_id TEXT NOT NULL,
	user_id TEXT NOT NULL,
	at TEXT NOT NULL,
	data TEXT NOT NULL,
	PRIMARY KEY (motion_id, user_id)
);
CREATE TABLE msr_orders (
	id TEXT PRIMARY KEY,
	case_id TEXT NOT NULL,
	issued_at TEXT NOT NULL,
	data TEXT NOT NULL
);
CREATE INDEX msr_orders_case ON msr_orders (case_id, issued_at);
CREATE INDEX msr_orders_issued ON msr_orders (issued_at)`},
}

// Deadline kinds this package sets.
const (
	// KindConsultationDeadline is MOFA's answer to a consultation, on the
	// MOFA organisation.
	KindConsultationDeadline = "measure.consultation"
	// KindPostNoticeDeadline is the post-notification of an emergency
	// measure to the commission, on the officer's organisation.
	KindPostNoticeDeadline = "measure.post_notice"
)

// Orgs looks up organisations; *auth.Service implements it. Orgs lists
// them all, to find the MOFA, commission, Ministry of Defense and cabinet
// organisations that receive notices.
type Orgs interface {
	Org(ctx context.Context, id string) (auth.Org, error)
	Orgs(ctx context.Context) ([]auth.Org, error)
}

// Users looks up user accounts, for designations; *auth.Service
// implements it.
type Users interface {
	User(ctx context.Context, id string) (auth.User, error)
}

// Recommender issues the commission's recommendation to an agency (package
// inspection's IssueRecommendation, adapted by the server) and returns its
// id. The measures service calls it outside its own transaction, just
// before recording the review.
type Recommender interface {
	Recommend(ctx context.Context, p *auth.Principal, orgID, text, rating string, due time.Time) (id string, err error)
}

// Deps are the services a Service builds on. All are required except
// Recommender: without one, a review of a post-notification with a
// recommendation is refused (acknowledging still works).
type Deps struct {
	DB          *store.DB
	Log         *auditlog.Log
	Orgs        Orgs
	Users       Users
	Deadlines   *deadline.Service
	Notifier    *deadline.Notifier
	Recommender Recommender
}

// Config configures a Service. The zero value works.
type Config struct {
	// Quorum is the commission's voting rule: the same as oversight's
	// (the server passes one value to both). The zero value is the
	// default rule.
	Quorum oversight.Quorum
	// PostNoticeWithin is how long after declaring an emergency the
	// officer has to file the post-notification; default 24h.
	PostNoticeWithin time.Duration
	// ConsultationWithin is how long MOFA has to answer a consultation;
	// default 72h.
	ConsultationWithin time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Logger; nil discards.
	Logger *slog.Logger
	// Printer prints order documents to PDF; nil uses a zero pdf.Printer.
	Printer *pdf.Printer
}

// Service keeps designations, measure cases with their gates, the
// commission's motions on them, orders to administrators and the officers'
// records of execution. It is safe for concurrent use.
type Service struct {
	db          *store.DB
	log         *auditlog.Log
	orgs        Orgs
	users       Users
	deadlines   *deadline.Service
	notifier    *deadline.Notifier
	recommender Recommender
	cfg         Config
	logger      *slog.Logger
}

// New migrates the package's tables, registers its audit resolvers on d.Log
// and returns the service.
func New(ctx context.Context, d Deps, cfg Config) (*Service, error) {
	if d.DB == nil || d.Log == nil || d.Orgs == nil || d.Users == nil || d.Deadlines == nil || d.Notifier == nil {
		return nil, errors.New("measures: every dependency but the recommender is required")
	}
	if cfg.Quorum.MinMembers < 0 {
		return nil, fmt.Errorf("measures: quorum of %d members: want 0 or more", cfg.Quorum.MinMembers)
	}
	if cfg.Quorum.MinMembers == 0 {
		cfg.Quorum.MinMembers = 2
	}
	if cfg.PostNoticeWithin <= 0 {
		cfg.PostNoticeWithin = 24 * time.Hour
	}
	if cfg.ConsultationWithin <= 0 {
		cfg.ConsultationWithin = 72 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Printer == nil {
		cfg.Printer = &pdf.Printer{}
	}
	if err := d.DB.Migrate(ctx, component, migrations); err != nil {
		return nil, err
	}
	RegisterResolvers(d.Log)
	return &Service{db: d.DB, log: d.Log, orgs: d.Orgs, users: d.Users, deadlines: d.Deadlines, notifier: d.Notifier,
		recommender: d.Recommender, cfg: cfg, logger: cfg.Logger.With("component", "measures")}, nil
}

// Quorum returns the voting rule in force, defaults filled in.
func (s *Service) Quorum() oversight.Quorum { return s.cfg.Quorum }

// PostNoticeWithin returns how long an officer has to file a
// post-notification after declaring an emergency.
func (s *Service) PostNoticeWithin() time.Duration { return s.cfg.PostNoticeWithin }

func (s *Service) now() time.Time { return s.cfg.Now().UTC() }

func newID(prefix string) string { return prefix + strings.ToLower(rand.Text()) }

// audit appends a state change to the audit log inside tx.
func (s *Service) audit(ctx context.Context, tx *store.Tx, p *auth.Principal, action, resource string, payload any) error {
	actor, org := "system", ""
	if p != nil {
		actor, org = p.UserID, p.OrgID
	}
	if _, err := s.log.Append(ctx, tx, auditlog.Entry{Actor: actor, Org: org, Action: action, Resource: resource, Payload: payload}); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// notify sends a notice inside tx; a notice that cannot be written fails
// the change.
func (s *Service) notify(ctx context.Context, tx *store.Tx, n deadline.Notice) error {
	n.Subject = textfield.Cut(strings.Join(strings.Fields(n.Subject), " "), 200)
	n.Body = textfield.Cut(n.Body, 4000)
	if _, err := s.notifier.Notify(ctx, tx, n); err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	return nil
}

// notifyKind sends n to every organisation of kind k.
func (s *Service) notifyKind(ctx context.Context, tx *store.Tx, k auth.OrgKind, n deadline.Notice) error {
	ids, err := s.orgsOfKind(ctx, k)
	if err != nil {
		return err
	}
	for _, id := range ids {
		n.ToOrg, n.ToUser = id, ""
		if err := s.notify(ctx, tx, n); err != nil {
			return err
		}
	}
	return nil
}

// orgsOfKind returns the ids of the organisations of kind k, in the order
// the accounts service lists them.
func (s *Service) orgsOfKind(ctx context.Context, k auth.OrgKind) ([]string, error) {
	os, err := s.orgs.Orgs(ctx)
	if err != nil {
		return nil, fmt.Errorf("list organisations: %w", err)
	}
	var out []string
	for _, o := range os {
		if o.Kind == k {
			out = append(out, o.ID)
		}
	}
	return out, nil
}

// JSON columns.

func encode(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode record: %w", err)
	}
	return string(b), nil
}

func decode(data string, v any) error {
	if err := json.Unmarshal([]byte(data), v); err != nil {
		return fmt.Errorf("decode record: %w", err)
	}
	return nil
}

// getRecord reads the record id from the data column of table; what names
// the record in errors. An unknown id is an error wrapping ErrNotFound.
func getRecord[T any](ctx context.Context, q store.Querier, table, what, id string) (T, error) {
	var x T
	var data string
	err := q.QueryRow(ctx, "SELECT data FROM "+table+" WHERE id = ?", id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return x, fmt.Errorf("%s %q: %w", what, textfield.Cut(id, 100), ErrNotFound)
	}
	if err != nil {
		return x, fmt.Errorf("read %s: %w", what, err)
	}
	err = decode(data, &x)
	return x, err
}

// listRecords reads the data column of every row query returns.
func listRecords[T any](ctx context.Context, q store.Querier, query string, args ...any) ([]T, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list records: %w", err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, fmt.Errorf("list records: %w", err)
		}
		var x T
		if err := decode(data, &x); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list records: %w", err)
	}
	return out, nil
}

// stamp writes t for messages.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// RegisterResolvers lets auditlog.Verify check every case and designation
// against the latest audit entry about it, and find records with no entry.
// New calls it; tools that verify the log without a Service call it
// themselves. Orders and motions are audited on resources order/ID and
// motion/ID, types that reporting and oversight also use, so they have no
// resolver here.
func RegisterResolvers(l *auditlog.Log) {
	for typ, table := range map[string]string{"measure": "msr_cases", "designation": "msr_designations"} {
		l.RegisterResolver(typ, func(ctx context.Context, q store.Querier, id string) (any, error) {
			var v any
			var err error
			if typ == "measure" {
				v, err = getRecord[Case](ctx, q, table, "case", id)
			} else {
				v, err = getRecord[Designation](ctx, q, table, "designation", id)
			}
			if errors.Is(err, ErrNotFound) {
				return nil, auditlog.ErrNoRecord
			}
			return v, err
		})
		l.RegisterLister(typ, func(ctx context.Context, q store.Querier) ([]string, error) {
			if ok, err := store.Migrated(ctx, q, component); err != nil || !ok {
				return nil, err
			}
			rows, err := q.Query(ctx, "SELECT id FROM "+table)
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
}
