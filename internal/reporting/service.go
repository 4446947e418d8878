// Package reporting is ACD's one window for designated operators (Act
// ch.2): the specified critical computers they notify (§4), the incident and
// precursor reports they file (§5) in stages — quick, full, updates, final —
// and the correction orders and requests for materials ministries issue to
// them (§83, §84).
//
// # Who sees what
//
// Operators see their own organisation's records; a sector ministry sees
// the records of its sectors' operators; Cabinet Office analysts see all.
// The HTTP layer checks the action with the one policy (auth.Policy.Allow);
// this package checks the record with auth.Policy.CanSeeOrg and answers
// ErrNotFound for a record the caller may not see. Reported information is
// for cybersecurity purposes only: every read of a report by anyone but the
// submitting operator is written to the audit log.
//
// # Stages and deadlines
//
// A report moves quick → full → update… → final and never back; each
// submission is a new version holding the whole content, and the final
// report closes it. A Policy sets each stage's deadline from the time the
// operator became aware; the deadline package tracks the full and final
// reports and sends reminders and overdue notices.
//
// # Writes
//
// Submissions go through a store.Group, so that a burst of reports shares
// durable commits; every state change is in the audit log in the same
// transaction as the change.
package reporting

import (
	"context"
	"crypto/rand"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/idempotency"
	"github.com/acd-platform/acd/internal/store"
)

var migrations = []store.Migration{
	{Version: 1, Name: "designations, assets, reports, evidence, orders", SQL: `
CREATE TABLE rep_designations (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL,
	seq INTEGER NOT NULL,
	designated INTEGER NOT NULL,
	reason TEXT NOT NULL,
	actor TEXT NOT NULL,
	at TEXT NOT NULL
);
CREATE UNIQUE INDEX rep_designations_org ON rep_designations (org_id, seq);
CREATE TABLE rep_assets (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL,
	sector TEXT NOT NULL,
	name TEXT NOT NULL,
	version INTEGER NOT NULL,
	retired INTEGER NOT NULL,
	data TEXT NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX rep_assets_org ON rep_assets (org_id, name);
CREATE INDEX rep_assets_sector ON rep_assets (sector);
CREATE TABLE rep_asset_versions (
	asset_id TEXT NOT NULL,
	version INTEGER NOT NULL,
	change TEXT NOT NULL,
	data TEXT NOT NULL,
	reason TEXT NOT NULL,
	actor TEXT NOT NULL,
	at TEXT NOT NULL,
	PRIMARY KEY (asset_id, version)
);
CREATE TABLE rep_asset_notices (
	id TEXT PRIMARY KEY,
	recipient TEXT NOT NULL,
	forwarded_from TEXT NOT NULL,
	asset_id TEXT NOT NULL,
	version INTEGER NOT NULL,
	change TEXT NOT NULL,
	org_id TEXT NOT NULL,
	sector TEXT NOT NULL,
	ministry TEXT NOT NULL,
	at TEXT NOT NULL
);
CREATE INDEX rep_asset_notices_sector ON rep_asset_notices (recipient, sector, at);
CREATE TABLE rep_reports (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL,
	sector TEXT NOT NULL,
	kind TEXT NOT NULL,
	title TEXT NOT NULL,
	stage TEXT NOT NULL,
	status TEXT NOT NULL,
	versions INTEGER NOT NULL,
	closed INTEGER NOT NULL,
	aware_at TEXT NOT NULL,
	quick_due TEXT NOT NULL,
	full_due TEXT NOT NULL,
	final_due TEXT NOT NULL,
	quick_at TEXT NOT NULL,
	full_at TEXT NOT NULL,
	final_at TEXT NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX rep_reports_org ON rep_reports (org_id, created_at);
CREATE INDEX rep_reports_sector ON rep_reports (sector, created_at);
CREATE INDEX rep_reports_created ON rep_reports (created_at);
CREATE TABLE rep_report_versions (
	report_id TEXT NOT NULL,
	version INTEGER NOT NULL,
	stage TEXT NOT NULL,
	content TEXT NOT NULL,
	via TEXT NOT NULL,
	actor TEXT NOT NULL,
	submitted_at TEXT NOT NULL,
	PRIMARY KEY (report_id, version)
);
CREATE TABLE rep_evidence (
	id TEXT PRIMARY KEY,
	report_id TEXT NOT NULL,
	name TEXT NOT NULL,
	media_type TEXT NOT NULL,
	size INTEGER NOT NULL,
	sha256 TEXT NOT NULL,
	data BLOB NOT NULL,
	actor TEXT NOT NULL,
	at TEXT NOT NULL
);
CREATE INDEX rep_evidence_report ON rep_evidence (report_id, at);
CREATE TABLE rep_orders (
	id TEXT PRIMARY KEY,
	kind TEXT NOT NULL,
	org_id TEXT NOT NULL,
	sector TEXT NOT NULL,
	issuer_org TEXT NOT NULL,
	legal_basis TEXT NOT NULL,
	reason TEXT NOT NULL,
	request TEXT NOT NULL,
	due TEXT NOT NULL,
	state TEXT NOT NULL,
	deadline_id TEXT NOT NULL,
	created_by TEXT NOT NULL,
	created_at TEXT NOT NULL,
	answered_at TEXT NOT NULL,
	closed_at TEXT NOT NULL
);
CREATE INDEX rep_orders_org ON rep_orders (org_id, created_at);
CREATE INDEX rep_orders_sector ON rep_orders (sector, created_at);
CREATE TABLE rep_order_events (
	order_id TEXT NOT NULL,
	seq INTEGER NOT NULL,
	event TEXT NOT NULL,
	text TEXT NOT NULL,
	actor TEXT NOT NULL,
	org_id TEXT NOT NULL,
	at TEXT NOT NULL,
	PRIMARY KEY (order_id, seq)
)`},
	{Version: 2, Name: "council requests for materials", SQL: `ALTER TABLE rep_orders ADD COLUMN council INTEGER NOT NULL DEFAULT 0`},
}

// Config configures a Service. The zero value works.
type Config struct {
	// Policy sets report deadlines; the zero Policy means DefaultPolicy.
	Policy Policy
	// MaxEvidence is the largest evidence file accepted; default 20 MiB.
	MaxEvidence int64
	// MaxBatch is how many submissions share one commit; default 64.
	MaxBatch int
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Logger; nil discards.
	Logger *slog.Logger
}

// Service keeps operators' designations, assets, reports and orders. It is
// safe for concurrent use.
type Service struct {
	db        *store.DB
	group     *store.Group
	log       *auditlog.Log
	auth      *auth.Service
	policy    *auth.Policy
	deadlines *deadline.Service
	notifier  *deadline.Notifier
	keys      *idempotency.Keys
	cfg       Config
	logger    *slog.Logger

	mu       sync.Mutex // guards orgCache and orgsAt
	orgCache []auth.Org
	orgsAt   time.Time

	observerMu sync.Mutex // guards observer
	observer   AssetObserver
}

// Deps are the services a Service builds on; all are required.
type Deps struct {
	DB        *store.DB
	Log       *auditlog.Log
	Auth      *auth.Service
	Policy    *auth.Policy
	Deadlines *deadline.Service
	Notifier  *deadline.Notifier
	Keys      *idempotency.Keys
}

// New migrates the package's tables and returns the service.
func New(ctx context.Context, d Deps, cfg Config) (*Service, error) {
	if d.DB == nil || d.Log == nil || d.Auth == nil || d.Policy == nil || d.Deadlines == nil || d.Notifier == nil || d.Keys == nil {
		return nil, errorf("reporting: every dependency is required")
	}
	if err := d.DB.Migrate(ctx, "reporting", migrations); err != nil {
		return nil, err
	}
	if cfg.Policy.Quick == 0 {
		cfg.Policy = DefaultPolicy()
	}
	if cfg.MaxEvidence <= 0 {
		cfg.MaxEvidence = 20 << 20
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{
		db: d.DB, group: d.DB.NewGroup(cfg.MaxBatch), log: d.Log, auth: d.Auth, policy: d.Policy,
		deadlines: d.Deadlines, notifier: d.Notifier, keys: d.Keys, cfg: cfg,
		logger: cfg.Logger.With("component", "reporting"),
	}, nil
}

// Policy returns the deadline policy in force.
func (s *Service) Policy() Policy { return s.cfg.Policy }

// MaxEvidence is the largest evidence file accepted, in bytes.
func (s *Service) MaxEvidence() int64 { return s.cfg.MaxEvidence }

func (s *Service) now() time.Time { return s.cfg.Now().UTC() }

func newID(prefix string) string { return prefix + strings.ToLower(rand.Text()) }

// audit appends a state change to the audit log inside tx.
func (s *Service) audit(ctx context.Context, tx *store.Tx, p *auth.Principal, action, resource string, payload any) error {
	actor, org := actorOf(p)
	_, err := s.log.Append(ctx, tx, auditlog.Entry{Actor: actor, Org: org, Action: action, Resource: resource, Payload: payload})
	return err
}

func actorOf(p *auth.Principal) (actor, org string) {
	if p == nil {
		return "system", ""
	}
	return p.UserID, p.OrgID
}

// orgs returns every organisation, cached for a few seconds: submissions
// look up ministries and the Cabinet Office to notify, and organisations
// change rarely.
func (s *Service) orgs(ctx context.Context) ([]auth.Org, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.orgCache != nil && time.Since(s.orgsAt) < 10*time.Second {
		return s.orgCache, nil
	}
	os, err := s.auth.Orgs(ctx)
	if err != nil {
		return nil, err
	}
	s.orgCache, s.orgsAt = os, time.Now()
	return os, nil
}

// org returns one organisation.
func (s *Service) org(ctx context.Context, id string) (auth.Org, error) {
	os, err := s.orgs(ctx)
	if err != nil {
		return auth.Org{}, err
	}
	for _, o := range os {
		if o.ID == id {
			return o, nil
		}
	}
	o, err := s.auth.Org(ctx, id) // created since the cache was filled
	if err != nil {
		return auth.Org{}, ErrNotFound
	}
	return o, nil
}

// recipients returns the ids of the organisations that receive a sector's
// reports and notifications: its ministry and the Cabinet Office (§5: the
// sector minister and the Prime Minister).
func (s *Service) recipients(ctx context.Context, sectorCode string) (ministries, cabinet []string, err error) {
	os, err := s.orgs(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, o := range os {
		switch o.Kind {
		case auth.OrgMinistry:
			for _, sc := range o.Sectors {
				if sc == sectorCode {
					ministries = append(ministries, o.ID)
				}
			}
		case auth.OrgCabinetOff:
			cabinet = append(cabinet, o.ID)
		}
	}
	return ministries, cabinet, nil
}
