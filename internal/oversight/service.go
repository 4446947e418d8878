package oversight

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
	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/textfield"
)

// The tables keep each record's public fields as JSON in "data", with the
// columns that queries select on beside it; a record and its columns are
// always written together.
var migrations = []store.Migration{
	{Version: 1, Name: "agreements, consultations, acquisition requests, motions, votes, approvals, sensor tokens", SQL: `
CREATE TABLE ovs_agreements (
	id TEXT PRIMARY KEY,
	operator_org TEXT NOT NULL,
	state TEXT NOT NULL,
	created_at TEXT NOT NULL,
	activated_at TEXT NOT NULL,
	terminated_at TEXT NOT NULL,
	data TEXT NOT NULL,
	criteria BLOB NOT NULL
);
CREATE INDEX ovs_agreements_operator ON ovs_agreements (operator_org, created_at);
CREATE TABLE ovs_consultations (
	id TEXT PRIMARY KEY,
	agreement_id TEXT NOT NULL,
	state TEXT NOT NULL,
	requested_at TEXT NOT NULL,
	data TEXT NOT NULL
);
CREATE INDEX ovs_consultations_agreement ON ovs_consultations (agreement_id, requested_at);
CREATE TABLE ovs_acquisitions (
	id TEXT PRIMARY KEY,
	chapter TEXT NOT NULL,
	state TEXT NOT NULL,
	filed_at TEXT NOT NULL,
	decided_at TEXT NOT NULL,
	data TEXT NOT NULL,
	criteria BLOB NOT NULL
);
CREATE INDEX ovs_acquisitions_filed ON ovs_acquisitions (filed_at);
CREATE INDEX ovs_acquisitions_state ON ovs_acquisitions (state, filed_at);
CREATE TABLE ovs_motions (
	id TEXT PRIMARY KEY,
	request_id TEXT NOT NULL,
	state TEXT NOT NULL,
	moved_at TEXT NOT NULL,
	data TEXT NOT NULL,
	narrowed BLOB NOT NULL
);
CREATE INDEX ovs_motions_request ON ovs_motions (request_id, moved_at);
CREATE TABLE ovs_votes (
	motion_id TEXT NOT NULL,
	user_id TEXT NOT NULL,
	at TEXT NOT NULL,
	data TEXT NOT NULL,
	PRIMARY KEY (motion_id, user_id)
);
CREATE TABLE ovs_approvals (
	id TEXT PRIMARY KEY,
	basis TEXT NOT NULL,
	request_id TEXT NOT NULL,
	agreement_id TEXT NOT NULL,
	operator_org TEXT NOT NULL,
	state TEXT NOT NULL,
	decided_at TEXT NOT NULL,
	data TEXT NOT NULL,
	criteria BLOB NOT NULL,
	manifest BLOB NOT NULL
);
CREATE INDEX ovs_approvals_decided ON ovs_approvals (decided_at);
CREATE TABLE ovs_sensor_tokens (
	id TEXT PRIMARY KEY,
	token_hash TEXT NOT NULL UNIQUE,
	approval_id TEXT NOT NULL,
	created_at TEXT NOT NULL,
	data TEXT NOT NULL
);
CREATE INDEX ovs_sensor_tokens_approval ON ovs_sensor_tokens (approval_id, created_at)`},
}

// Quorum is the commission's rule for deciding a motion (§50 leaves the
// procedure to the commission; the default follows the usual rule of
// Japanese administrative commissions). Those present are those who voted,
// abstentions included. The zero value is the default: the chair and at
// least two members present; carried when yes outnumbers no; a tie decided
// by the chair's vote.
type Quorum struct {
	// ChairOptional, when true, lets the commission decide without the
	// chair present; the default requires the chair.
	ChairOptional bool
	// MinMembers is how many members other than the chair must be present;
	// 0 means 2.
	MinMembers int
	// TieFails, when true, leaves a tie not carried; by default the chair's
	// vote decides it (a tie with the chair abstaining or absent is not
	// carried).
	TieFails bool
}

// Config configures a Service. The zero value works.
type Config struct {
	// Quorum is the voting rule; the zero value is the default rule.
	Quorum Quorum
	// ConsultationPeriod is how long the other side of an agreement has to
	// answer a consultation when the request names no due time; default
	// 14 days.
	ConsultationPeriod time.Duration
	// MaxCriteria is the largest criteria file accepted, in bytes; default
	// 4 MiB.
	MaxCriteria int
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Logger; nil discards.
	Logger *slog.Logger
}

// Deps are the services a Service builds on; all are required.
type Deps struct {
	DB        *store.DB
	Log       *auditlog.Log
	Auth      *auth.Service
	Deadlines *deadline.Service
	Notifier  *deadline.Notifier
	// Keys holds the approval-manifest key (keys.ApprovalManifest) that
	// signs manifests and revocation lists.
	Keys *keys.Ring
}

// Service keeps agreements, acquisition requests, the commission's motions
// and votes, approvals with their signed manifests, and sensor tokens. It
// is safe for concurrent use.
type Service struct {
	db        *store.DB
	log       *auditlog.Log
	auth      *auth.Service
	deadlines *deadline.Service
	notifier  *deadline.Notifier
	keys      *keys.Ring
	cfg       Config
	logger    *slog.Logger
}

// New migrates the package's tables and returns the service.
func New(ctx context.Context, d Deps, cfg Config) (*Service, error) {
	if d.DB == nil || d.Log == nil || d.Auth == nil || d.Deadlines == nil || d.Notifier == nil || d.Keys == nil {
		return nil, fmt.Errorf("oversight: every dependency is required")
	}
	if _, err := d.Keys.Current(keys.ApprovalManifest); err != nil {
		return nil, fmt.Errorf("oversight: %w", err)
	}
	if cfg.Quorum.MinMembers < 0 {
		return nil, fmt.Errorf("oversight: quorum of %d members: want 0 or more", cfg.Quorum.MinMembers)
	}
	if cfg.Quorum.MinMembers == 0 {
		cfg.Quorum.MinMembers = 2
	}
	if cfg.ConsultationPeriod <= 0 {
		cfg.ConsultationPeriod = 14 * 24 * time.Hour
	}
	if cfg.MaxCriteria <= 0 {
		cfg.MaxCriteria = 4 << 20
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if err := d.DB.Migrate(ctx, "oversight", migrations); err != nil {
		return nil, err
	}
	return &Service{db: d.DB, log: d.Log, auth: d.Auth, deadlines: d.Deadlines, notifier: d.Notifier, keys: d.Keys,
		cfg: cfg, logger: cfg.Logger.With("component", "oversight")}, nil
}

// Quorum returns the voting rule in force, defaults filled in.
func (s *Service) Quorum() Quorum { return s.cfg.Quorum }

// MaxCriteria is the largest criteria file accepted, in bytes.
func (s *Service) MaxCriteria() int { return s.cfg.MaxCriteria }

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
// the change, as the deadline package's notices do.
func (s *Service) notify(ctx context.Context, tx *store.Tx, n deadline.Notice) error {
	n.Subject = textfield.Cut(oneLine(n.Subject), 200)
	n.Body = textfield.Cut(n.Body, 4000) // texts may be long; the notice points to the record
	if _, err := s.notifier.Notify(ctx, tx, n); err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	return nil
}

// orgsOfKind returns the ids of the organisations of kind k.
func (s *Service) orgsOfKind(ctx context.Context, k auth.OrgKind) ([]string, error) {
	os, err := s.auth.Orgs(ctx)
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

// Roles as this package sees them.

func isAnalyst(p *auth.Principal) bool { return p != nil && p.Sensor == "" && p.Has(auth.RoleAnalyst) }

func isCommission(p *auth.Principal) bool {
	return p != nil && p.Sensor == "" && (p.Has(auth.RoleCommissionChair) || p.Has(auth.RoleCommissionMember))
}

func isChair(p *auth.Principal) bool {
	return p != nil && p.Sensor == "" && p.Has(auth.RoleCommissionChair)
}

// canReadAcquisitions reports whether p may read acquisition requests,
// motions and approvals: analysts and the commission.
func canReadAcquisitions(p *auth.Principal) bool { return isAnalyst(p) || isCommission(p) }

// JSON columns.

func encode(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode record: %w", err)
	}
	return string(b), nil
}

// getRecord reads the record id from the data column of table; what names
// the record in errors ("agreement"). An unknown id is an error wrapping
// ErrNotFound.
func getRecord[T any](ctx context.Context, q store.Querier, table, what, id string) (T, error) {
	var x T
	var data string
	err := q.QueryRow(ctx, "SELECT data FROM "+table+" WHERE id = ?", id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return x, fmt.Errorf("%s %q: %w", what, id, ErrNotFound)
	}
	if err != nil {
		return x, fmt.Errorf("read %s: %w", what, err)
	}
	err = decode(data, &x)
	return x, err
}

// readCriteria reads the criteria file of record id of table; what names
// the record in errors.
func readCriteria(ctx context.Context, q store.Querier, table, what, id string) ([]byte, error) {
	var crit []byte
	if err := q.QueryRow(ctx, "SELECT criteria FROM "+table+" WHERE id = ?", id).Scan(&crit); err != nil {
		return nil, fmt.Errorf("read %s %s criteria: %w", what, id, err)
	}
	return crit, nil
}

func decode(data string, v any) error {
	if err := json.Unmarshal([]byte(data), v); err != nil {
		return fmt.Errorf("decode record: %w", err)
	}
	return nil
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return store.FormatTime(t)
}

// oneLine replaces line breaks with spaces.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
