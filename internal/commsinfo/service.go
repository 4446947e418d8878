package commsinfo

import (
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/store"
)

var migrations = []store.Migration{
	{Version: 1, Name: "runs, selected records, anomalies, findings, cooperation requests, provisions, retention", SQL: `
CREATE TABLE ci_runs (
	id TEXT PRIMARY KEY,
	approval_id TEXT NOT NULL,
	state TEXT NOT NULL,
	via TEXT NOT NULL,
	uploaded_by TEXT NOT NULL,
	uploader_org TEXT NOT NULL,
	criteria_id TEXT NOT NULL,
	criteria_version INTEGER NOT NULL,
	criteria_sha256 TEXT NOT NULL,
	input TEXT NOT NULL,
	started TEXT NOT NULL,
	finished TEXT NOT NULL,
	run_error TEXT NOT NULL,
	records BIGINT NOT NULL,
	hash_ok INTEGER NOT NULL,
	output_sha256 TEXT NOT NULL,
	output_bytes BIGINT NOT NULL,
	received_sha256 TEXT NOT NULL,
	received_bytes BIGINT NOT NULL,
	seen_p BIGINT NOT NULL,
	seen_b BIGINT NOT NULL,
	in_scope_p BIGINT NOT NULL,
	in_scope_b BIGINT NOT NULL,
	selected_p BIGINT NOT NULL,
	selected_b BIGINT NOT NULL,
	deleted_p BIGINT NOT NULL,
	deleted_b BIGINT NOT NULL,
	summary TEXT NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX ci_runs_approval ON ci_runs (approval_id, started);
CREATE INDEX ci_runs_started ON ci_runs (started);
CREATE INDEX ci_runs_state ON ci_runs (state, updated_at);
CREATE TABLE ci_run_directions (
	run_id TEXT NOT NULL,
	direction TEXT NOT NULL,
	seen_p BIGINT NOT NULL,
	seen_b BIGINT NOT NULL,
	in_scope_p BIGINT NOT NULL,
	in_scope_b BIGINT NOT NULL,
	selected_p BIGINT NOT NULL,
	selected_b BIGINT NOT NULL,
	deleted_p BIGINT NOT NULL,
	deleted_b BIGINT NOT NULL,
	PRIMARY KEY (run_id, direction)
);
CREATE TABLE ci_records (
	run_id TEXT NOT NULL,
	seq BIGINT NOT NULL,
	approval_id TEXT NOT NULL,
	rtype TEXT NOT NULL,
	t TEXT NOT NULL,
	flow BIGINT NOT NULL,
	src_ip TEXT NOT NULL,
	dst_ip TEXT NOT NULL,
	src_port INTEGER NOT NULL,
	dst_port INTEGER NOT NULL,
	proto TEXT NOT NULL,
	direction TEXT NOT NULL,
	domain TEXT NOT NULL,
	data TEXT NOT NULL,
	PRIMARY KEY (run_id, seq)
);
CREATE INDEX ci_records_time ON ci_records (t);
CREATE INDEX ci_records_approval ON ci_records (approval_id, t);
CREATE INDEX ci_records_src ON ci_records (src_ip);
CREATE INDEX ci_records_dst ON ci_records (dst_ip);
CREATE INDEX ci_records_domain ON ci_records (domain);
CREATE INDEX ci_records_flow ON ci_records (run_id, flow, rtype);
CREATE TABLE ci_anomalies (
	id TEXT PRIMARY KEY,
	approval_id TEXT NOT NULL,
	run_id TEXT NOT NULL,
	kind TEXT NOT NULL,
	detail TEXT NOT NULL,
	at TEXT NOT NULL
);
CREATE INDEX ci_anomalies_approval ON ci_anomalies (approval_id, at);
CREATE INDEX ci_anomalies_at ON ci_anomalies (at);
CREATE TABLE ci_findings (
	id TEXT PRIMARY KEY,
	title TEXT NOT NULL,
	data TEXT NOT NULL,
	created_by TEXT NOT NULL,
	org_id TEXT NOT NULL,
	created_at TEXT NOT NULL
);
CREATE INDEX ci_findings_created ON ci_findings (created_at);
CREATE TABLE ci_finding_approvals (
	finding_id TEXT NOT NULL,
	approval_id TEXT NOT NULL,
	PRIMARY KEY (finding_id, approval_id)
);
CREATE INDEX ci_finding_approvals_approval ON ci_finding_approvals (approval_id);
CREATE TABLE ci_cooperation (
	id TEXT PRIMARY KEY,
	requester TEXT NOT NULL,
	requester_org TEXT NOT NULL,
	recipient_org TEXT NOT NULL,
	state TEXT NOT NULL,
	data TEXT NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX ci_cooperation_recipient ON ci_cooperation (recipient_org, created_at);
CREATE INDEX ci_cooperation_created ON ci_cooperation (created_at);
CREATE TABLE ci_provisions (
	id TEXT PRIMARY KEY,
	recipient_org TEXT NOT NULL,
	recipient_kind TEXT NOT NULL,
	basis TEXT NOT NULL,
	data TEXT NOT NULL,
	created_at TEXT NOT NULL
);
CREATE INDEX ci_provisions_recipient ON ci_provisions (recipient_org, created_at);
CREATE INDEX ci_provisions_created ON ci_provisions (created_at);
CREATE TABLE ci_provision_records (
	provision_id TEXT NOT NULL,
	run_id TEXT NOT NULL,
	seq BIGINT NOT NULL,
	PRIMARY KEY (provision_id, run_id, seq)
);
CREATE TABLE ci_refusals (
	id TEXT PRIMARY KEY,
	recipient_org TEXT NOT NULL,
	recipient_kind TEXT NOT NULL,
	basis TEXT NOT NULL,
	reason TEXT NOT NULL,
	actor TEXT NOT NULL,
	at TEXT NOT NULL
);
CREATE INDEX ci_refusals_at ON ci_refusals (at);
CREATE TABLE ci_retention (
	id TEXT PRIMARY KEY,
	approval_id TEXT NOT NULL,
	cutoff TEXT NOT NULL,
	deleted BIGINT NOT NULL,
	at TEXT NOT NULL
);
CREATE INDEX ci_retention_at ON ci_retention (at)`},
}

// ApprovalInfo is what this package needs to know of an approval (ch.4,
// ch.6) or of the agreement (ch.3) a selection run rests on. The oversight
// package keeps approvals; the server adapts it to [Approvals].
type ApprovalInfo struct {
	// ID is the approval's id, the one sensor tokens are bound to.
	ID string
	// Basis is "ch3" (an agreement), "ch4" (transit traffic) or "ch6"
	// (inbound and outbound traffic).
	Basis string
	// AgreementID and OperatorOrgID name the agreement and its operator
	// party when Basis is "ch3".
	AgreementID   string
	OperatorOrgID string
	// CriteriaSHA256 is the hex SHA-256 of the approved criteria file: the
	// only criteria set a run under this approval may apply.
	CriteriaSHA256  string
	CriteriaID      string
	CriteriaVersion int
	// Directions are the approved directions ("foreign-foreign",
	// "foreign-domestic", "domestic-foreign"); empty means not stated.
	Directions []string
	// ValidFrom and ValidUntil bound when selection may run.
	ValidFrom, ValidUntil time.Time
	// Revoked is set once the commission has revoked the approval.
	Revoked bool
	// RetainFor is how long selected records are kept; 0 means
	// Config.DefaultRetention.
	RetainFor time.Duration
}

// Approval bases (ApprovalInfo.Basis).
const (
	ApprovalAgreement = "ch3" // agreement with an operator
	ApprovalTransit   = "ch4" // foreign→foreign via Japan, without consent
	ApprovalInOut     = "ch6" // foreign→domestic and domestic→foreign, without consent
)

// Approvals looks up approvals. Approval returns an error wrapping
// [ErrNotFound] when id is unknown.
type Approvals interface {
	Approval(ctx context.Context, id string) (ApprovalInfo, error)
}

// MeasureCases tells whether an organisation is taking an access and
// neutralisation measure in a case, which lets selected records be
// provided to it (§23). ActiveCase returns nil when case caseID is active
// and recipientOrgID is an agency acting in it, and otherwise an error
// saying why not.
type MeasureCases interface {
	ActiveCase(ctx context.Context, caseID, recipientOrgID string) error
}

// Orgs looks up organisations; *auth.Service implements it.
type Orgs interface {
	Org(ctx context.Context, id string) (auth.Org, error)
}

// Reports tells whether an incident report exists, for findings that cite
// one (§5). ReportExists returns an error when it does not.
type Reports interface {
	ReportExists(ctx context.Context, id string) error
}

// Deps are the services a Service builds on. DB, Log, Orgs and Approvals
// are required; MeasureCases and Reports may be nil (see their fields).
type Deps struct {
	DB        *store.DB
	Log       *auditlog.Log
	Orgs      Orgs
	Approvals Approvals
	// MeasureCases checks the measure cases that provisions under
	// BasisMeasure cite; nil refuses every such provision ("no measure
	// case").
	MeasureCases MeasureCases
	// Reports checks the incident reports that findings cite; nil checks
	// only the id's form.
	Reports Reports
}

// Config configures a Service. The zero value works.
type Config struct {
	// DefaultRetention is how long selected records are kept when the
	// approval sets no period; default 365 days.
	DefaultRetention time.Duration
	// RatioFactor flags a run whose selected/seen packet ratio is more than
	// RatioFactor times the median ratio of the approval's previous runs;
	// default 3.
	RatioFactor float64
	// RatioMinHistory is how many previous runs with traffic an approval
	// needs before the ratio is judged; default 3.
	RatioMinHistory int
	// RatioWindow is how many of the latest previous runs the median is
	// taken over; default 50.
	RatioWindow int
	// MaxLine is the longest line an upload may hold, newline included;
	// default 1 MiB.
	MaxLine int
	// BatchSize is how many records an upload inserts per transaction;
	// default 1000.
	BatchSize int
	// MaxRunRecords bounds the records of one run; default 50 million.
	MaxRunRecords int64
	// PendingTTL is how long an upload that stopped sending is kept before
	// Purge removes what it staged; default 6 hours.
	PendingTTL time.Duration
	// MaxProvisionRecords bounds the selected records of one provision or
	// finding source; default 100,000.
	MaxProvisionRecords int
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Logger; nil discards.
	Logger *slog.Logger
}

// Service keeps selection runs, selected records, findings, cooperation
// requests and provisions. It is safe for concurrent use.
type Service struct {
	db        *store.DB
	log       *auditlog.Log
	orgs      Orgs
	approvals Approvals
	measures  MeasureCases
	reports   Reports
	cfg       Config
	logger    *slog.Logger

	mu     sync.Mutex // guards bases and active
	bases  map[string]BasisChecker
	active map[string]bool // ids of runs being uploaded by this process
}

// New migrates the package's tables and returns the service, with the
// checkers of the §23 bases registered (BasisCooperation, BasisMeasure,
// BasisAgreement).
func New(ctx context.Context, d Deps, cfg Config) (*Service, error) {
	if d.DB == nil || d.Log == nil || d.Orgs == nil || d.Approvals == nil {
		return nil, errors.New("commsinfo: DB, Log, Orgs and Approvals are required")
	}
	if err := d.DB.Migrate(ctx, "commsinfo", migrations); err != nil {
		return nil, err
	}
	if cfg.DefaultRetention <= 0 {
		cfg.DefaultRetention = 365 * 24 * time.Hour
	}
	if cfg.RatioFactor <= 0 {
		cfg.RatioFactor = 3
	}
	if cfg.RatioMinHistory <= 0 {
		cfg.RatioMinHistory = 3
	}
	if cfg.RatioWindow <= 0 {
		cfg.RatioWindow = 50
	}
	if cfg.MaxLine <= 0 {
		cfg.MaxLine = 1 << 20
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 1000
	}
	if cfg.MaxRunRecords <= 0 {
		cfg.MaxRunRecords = 50_000_000
	}
	if cfg.PendingTTL <= 0 {
		cfg.PendingTTL = 6 * time.Hour
	}
	if cfg.MaxProvisionRecords <= 0 {
		cfg.MaxProvisionRecords = 100_000
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Service{
		db: d.DB, log: d.Log, orgs: d.Orgs, approvals: d.Approvals, measures: d.MeasureCases, reports: d.Reports,
		cfg: cfg, logger: cfg.Logger.With("component", "commsinfo"),
		bases: map[string]BasisChecker{}, active: map[string]bool{},
	}
	s.bases[BasisCooperation] = BasisFunc(s.checkCooperation)
	s.bases[BasisMeasure] = BasisFunc(s.checkMeasure)
	s.bases[BasisAgreement] = BasisFunc(s.checkAgreement)
	return s, nil
}

// Config returns the configuration in force, defaults filled in.
func (s *Service) Config() Config { return s.cfg }

func (s *Service) now() time.Time { return s.cfg.Now().UTC() }

func newID(prefix string) string { return prefix + strings.ToLower(rand.Text()) }

// audit appends a state change to the audit log inside tx.
func (s *Service) audit(ctx context.Context, tx *store.Tx, p *auth.Principal, action, resource string, payload any) error {
	actor, org := actorOf(p)
	_, err := s.log.Append(ctx, tx, auditlog.Entry{Actor: actor, Org: org, Action: action, Resource: resource, Payload: payload})
	return err
}

// auditRead records a read in a transaction of its own.
func (s *Service) auditRead(ctx context.Context, p *auth.Principal, action, resource string, payload any) error {
	actor, org := actorOf(p)
	_, err := s.log.AppendRead(ctx, auditlog.Entry{Actor: actor, Org: org, Action: action, Resource: resource, Payload: payload})
	return err
}

// actorOf names p in the audit log: its user id, "sensor:APPROVAL" for a
// sensor token, "system" for background jobs.
func actorOf(p *auth.Principal) (actor, org string) {
	switch {
	case p == nil:
		return "system", ""
	case p.Sensor != "" && p.UserID == "":
		return "sensor:" + p.Sensor, ""
	}
	return p.UserID, p.OrgID
}

// seesAll reports whether p reads every record of the package: analysts
// and the commission. Others see what is addressed to their organisation.
func seesAll(p *auth.Principal) bool {
	return p.Has(auth.RoleAnalyst) || p.Has(auth.RoleCommissionChair) || p.Has(auth.RoleCommissionMember)
}

// isUser reports whether p is a signed-in user (not the public, not a
// sensor, not disabled).
func isUser(p *auth.Principal) bool {
	return p != nil && !p.Disabled && p.UserID != "" && p.Sensor == ""
}

// approval looks up an approval, mapping "unknown" to ErrNotFound.
func (s *Service) approval(ctx context.Context, id string) (ApprovalInfo, error) {
	a, err := s.approvals.Approval(ctx, id)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return ApprovalInfo{}, notFoundf("approval %q", id)
		}
		return ApprovalInfo{}, errorf("look up approval %q: %w", id, err)
	}
	return a, nil
}
