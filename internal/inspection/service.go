// Package inspection keeps the commission's oversight of how agencies
// handle communications information (Act ch.10): the inspections it opens
// and the findings it records in them, the recommendations it issues to an
// agency with a deadline for the answer and later rates for how far they
// were implemented, and the handling errors agencies report and the
// commission classifies. [Service.Stats] counts all of it for the annual
// report to the Diet (§61).
//
// # Who does what
//
// The HTTP layer (package inspectionapi) checks each action with the one
// policy (auth.Policy.Allow); this package checks it again and then checks
// the record:
//
//   - inspections are the commission's alone (chair and members);
//   - a recommendation is seen by the commission and by the users of the
//     agency it is addressed to, and answered only by the latter;
//   - a handling error is seen by the commission and by the users of the
//     agency that reported it.
//
// A caller the policy denies the action gets ErrForbidden; a record outside
// the caller's scope answers ErrNotFound, as if it did not exist.
//
// # States
//
//	inspection:      open ──close──▶ closed             (findings while open)
//	recommendation:  issued ──answer──▶ answered ──assess──▶ closed (assess again: re-rated)
//	                    └──────────┴──withdraw──▶ withdrawn
//	handling error:  reported ──classify──▶ classified
//
// A recommendation's answer is due by a deadline kept by the deadline
// package, which sends the addressed agency a reminder and, once the due
// time passes, an overdue notice; answering meets the deadline (late when
// after due), withdrawing cancels it.
//
// # Audit
//
// Every state change is an audit-log entry in the same transaction as the
// change, on resource inspection/ID, recommendation/ID or handling_error/ID,
// whose payload is the record as stored afterwards. New registers resolvers
// and listers for the three types, so that auditlog.Verify checks every
// record against its latest entry and finds records without one.
package inspection

import (
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/textfield"
)

// component is the name under which this package's tables are migrated.
const component = "inspection"

var migrations = []store.Migration{
	{Version: 1, Name: "inspections, findings, recommendations, handling errors", SQL: `
CREATE TABLE ins_inspections (
	id TEXT PRIMARY KEY,
	title TEXT NOT NULL,
	subjects TEXT NOT NULL,
	scope TEXT NOT NULL,
	approval_ids TEXT NOT NULL,
	provision_ids TEXT NOT NULL,
	run_ids TEXT NOT NULL,
	state TEXT NOT NULL,
	summary TEXT NOT NULL,
	opened_by TEXT NOT NULL,
	opened_at TEXT NOT NULL,
	closed_by TEXT NOT NULL,
	closed_at TEXT NOT NULL
);
CREATE INDEX ins_inspections_opened ON ins_inspections (opened_at);
CREATE INDEX ins_inspections_closed ON ins_inspections (closed_at);
CREATE TABLE ins_findings (
	inspection_id TEXT NOT NULL,
	seq INTEGER NOT NULL,
	text TEXT NOT NULL,
	author TEXT NOT NULL,
	org_id TEXT NOT NULL,
	at TEXT NOT NULL,
	PRIMARY KEY (inspection_id, seq)
);
CREATE TABLE ins_recommendations (
	id TEXT PRIMARY KEY,
	inspection_id TEXT NOT NULL,
	org_id TEXT NOT NULL,
	issuer_org TEXT NOT NULL,
	text TEXT NOT NULL,
	rating TEXT NOT NULL,
	implementation TEXT NOT NULL,
	due TEXT NOT NULL,
	state TEXT NOT NULL,
	deadline_id TEXT NOT NULL,
	answer TEXT NOT NULL,
	answered_by TEXT NOT NULL,
	answered_at TEXT NOT NULL,
	assessed_by TEXT NOT NULL,
	assessed_at TEXT NOT NULL,
	closed_at TEXT NOT NULL,
	withdrawn_at TEXT NOT NULL,
	created_by TEXT NOT NULL,
	created_at TEXT NOT NULL
);
CREATE INDEX ins_recommendations_org ON ins_recommendations (org_id, created_at);
CREATE INDEX ins_recommendations_created ON ins_recommendations (created_at);
CREATE INDEX ins_recommendations_inspection ON ins_recommendations (inspection_id);
CREATE TABLE ins_recommendation_events (
	recommendation_id TEXT NOT NULL,
	seq INTEGER NOT NULL,
	event TEXT NOT NULL,
	text TEXT NOT NULL,
	rating TEXT NOT NULL,
	implementation TEXT NOT NULL,
	actor TEXT NOT NULL,
	org_id TEXT NOT NULL,
	at TEXT NOT NULL,
	PRIMARY KEY (recommendation_id, seq)
);
CREATE TABLE ins_handling_errors (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL,
	category TEXT NOT NULL,
	severity TEXT NOT NULL,
	description TEXT NOT NULL,
	occurred_at TEXT NOT NULL,
	related TEXT NOT NULL,
	state TEXT NOT NULL,
	reported_by TEXT NOT NULL,
	reported_at TEXT NOT NULL,
	serious INTEGER NOT NULL,
	reasons TEXT NOT NULL,
	affected_told TEXT NOT NULL,
	affected_told_at TEXT NOT NULL,
	classified_by TEXT NOT NULL,
	classified_at TEXT NOT NULL
);
CREATE INDEX ins_handling_errors_org ON ins_handling_errors (org_id, reported_at);
CREATE INDEX ins_handling_errors_reported ON ins_handling_errors (reported_at)`},
}

// Config configures a Service. The zero value works.
type Config struct {
	// ReminderLead is how long before a recommendation's response is due
	// the addressed agency is reminded; default 72h. When the due time is
	// nearer than that, the reminder goes out halfway to it.
	ReminderLead time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Logger; nil discards.
	Logger *slog.Logger
}

// Deps are the services a Service builds on; all are required.
type Deps struct {
	DB  *store.DB
	Log *auditlog.Log
	// Auth looks up organisations (the agencies addressed and the
	// commission, which receives notices).
	Auth      *auth.Service
	Policy    *auth.Policy
	Deadlines *deadline.Service
	Notifier  *deadline.Notifier
}

// Service keeps inspections, recommendations and handling errors. It is
// safe for concurrent use.
type Service struct {
	db        *store.DB
	log       *auditlog.Log
	auth      *auth.Service
	policy    *auth.Policy
	deadlines *deadline.Service
	notifier  *deadline.Notifier
	cfg       Config
	logger    *slog.Logger
}

// New migrates the package's tables, registers its audit resolvers on
// d.Log and returns the service.
func New(ctx context.Context, d Deps, cfg Config) (*Service, error) {
	if d.DB == nil || d.Log == nil || d.Auth == nil || d.Policy == nil || d.Deadlines == nil || d.Notifier == nil {
		return nil, errors.New("inspection: every dependency is required")
	}
	if err := d.DB.Migrate(ctx, component, migrations); err != nil {
		return nil, err
	}
	if cfg.ReminderLead <= 0 {
		cfg.ReminderLead = 72 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	RegisterResolvers(d.Log)
	return &Service{
		db: d.DB, log: d.Log, auth: d.Auth, policy: d.Policy, deadlines: d.Deadlines, notifier: d.Notifier,
		cfg: cfg, logger: cfg.Logger.With("component", "inspection"),
	}, nil
}

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

// allowed reports whether the policy lets p do a; the service repeats the
// HTTP layer's check so that no other caller can bypass it.
func (s *Service) allowed(p *auth.Principal, a auth.Action) bool {
	return p != nil && s.policy.Allow(p, a)
}

// AgencyKinds are the kinds of organisation that hold communications
// information and so may be inspected, receive recommendations and report
// handling errors: the Cabinet Office, ministries, police, the SDF and the
// Ministry of Defense, and other government agencies.
var AgencyKinds = []auth.OrgKind{auth.OrgCabinetOff, auth.OrgMinistry, auth.OrgPolice, auth.OrgSDF, auth.OrgMOD, auth.OrgAgency}

// IsAgency reports whether organisations of kind k are agencies.
func IsAgency(k auth.OrgKind) bool { return slices.Contains(AgencyKinds, k) }

// agency returns organisation id if it is an agency, for input field field.
func (s *Service) agency(ctx context.Context, field, id string) (auth.Org, error) {
	if strings.TrimSpace(id) == "" {
		return auth.Org{}, fieldErrorf(field, "required")
	}
	o, err := s.auth.Org(ctx, id)
	if err != nil || !IsAgency(o.Kind) {
		return auth.Org{}, fieldErrorf(field, "%q is not an agency organisation", textfield.Cut(id, 100))
	}
	return o, nil
}

// commissionOrgs returns the ids of the commission's organisations, which
// receive answers and reported errors.
func (s *Service) commissionOrgs(ctx context.Context) ([]string, error) {
	os, err := s.auth.Orgs(ctx)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, o := range os {
		if o.Kind == auth.OrgCommission {
			ids = append(ids, o.ID)
		}
	}
	return ids, nil
}

// RegisterResolvers lets auditlog.Verify check every inspection,
// recommendation and handling error against the latest entry about it, and
// report records with no entry at all. New calls it; tools that verify the
// log without a Service call it themselves.
func RegisterResolvers(l *auditlog.Log) {
	for typ, r := range map[string]struct {
		table string
		load  func(ctx context.Context, q store.Querier, id string) (any, error)
	}{
		"inspection": {"ins_inspections", func(ctx context.Context, q store.Querier, id string) (any, error) {
			return loadInspection(ctx, q, id)
		}},
		"recommendation": {"ins_recommendations", func(ctx context.Context, q store.Querier, id string) (any, error) {
			return loadRecommendation(ctx, q, id)
		}},
		"handling_error": {"ins_handling_errors", func(ctx context.Context, q store.Querier, id string) (any, error) {
			return loadHandlingError(ctx, q, id)
		}},
	} {
		load := r.load
		l.RegisterResolver(typ, func(ctx context.Context, q store.Querier, id string) (any, error) {
			v, err := load(ctx, q, id)
			if errors.Is(err, ErrNotFound) {
				return nil, auditlog.ErrNoRecord
			}
			return v, err
		})
		l.RegisterLister(typ, auditlog.TableLister(component, r.table))
	}
}
