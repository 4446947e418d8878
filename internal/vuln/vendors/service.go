package vendors

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
	"github.com/acd-platform/acd/internal/sharing"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/svcerr"
	"github.com/acd-platform/acd/internal/vuln"
)

// component names the package's tables in the migration table.
const component = "vendors"

// The tables keep each record as JSON in "data", with the columns that
// queries select on beside it. Times are store.FormatTime strings, ""
// when not set.
var migrations = []store.Migration{
	{Version: 1, Name: "vendor products and requests", SQL: `
CREATE TABLE vnd_products (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL,
	cpe_vendor TEXT NOT NULL,
	cpe_product TEXT NOT NULL,
	data TEXT NOT NULL
);
CREATE INDEX vnd_products_org ON vnd_products (org_id);
CREATE INDEX vnd_products_cpe ON vnd_products (cpe_vendor, cpe_product);
CREATE TABLE vnd_requests (
	id TEXT PRIMARY KEY,
	vuln_id TEXT NOT NULL,
	org_id TEXT NOT NULL,
	state TEXT NOT NULL,
	due TEXT NOT NULL,
	sent_at TEXT NOT NULL,
	data TEXT NOT NULL
);
CREATE INDEX vnd_requests_org ON vnd_requests (org_id, sent_at);
CREATE INDEX vnd_requests_vuln ON vnd_requests (vuln_id, org_id);
CREATE INDEX vnd_requests_due ON vnd_requests (state, due)`},
}

// Resource types in the audit log.
const (
	resProduct = "vendor_product"
	resRequest = "vendor_request"
)

// Deadline kind of a request to act.
const deadlineKind = "vendor.answer"

// Deps are the services a Service builds on; all are required.
type Deps struct {
	DB        *store.DB
	Log       *auditlog.Log
	Auth      *auth.Service
	Notifier  *deadline.Notifier
	Deadlines *deadline.Service
	Vuln      *vuln.Service
	Sharing   *sharing.Service
}

// Config configures a Service. The zero value works.
type Config struct {
	// AnswerWithin is a request's deadline when the analyst gives none;
	// default 14 days.
	AnswerWithin time.Duration
	// MaxAnswerWithin is the latest deadline a request may have, from
	// when it is sent; default 90 days.
	MaxAnswerWithin time.Duration
	// SweepInterval is how often Run looks for lapsed requests; default
	// one minute.
	SweepInterval time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Logger; nil discards.
	Logger *slog.Logger
}

// Service keeps vendors' products, notices and requests to act, and their
// answers. It is safe for concurrent use.
type Service struct {
	db        *store.DB
	log       *auditlog.Log
	auth      *auth.Service
	notifier  *deadline.Notifier
	deadlines *deadline.Service
	vuln      *vuln.Service
	sharing   *sharing.Service
	cfg       Config
	logger    *slog.Logger
}

// New migrates the package's tables and returns the service.
func New(ctx context.Context, d Deps, cfg Config) (*Service, error) {
	if d.DB == nil || d.Log == nil || d.Auth == nil || d.Notifier == nil || d.Deadlines == nil || d.Vuln == nil || d.Sharing == nil {
		return nil, errors.New("vendors: every dependency is required")
	}
	if err := d.DB.Migrate(ctx, component, migrations); err != nil {
		return nil, err
	}
	if cfg.AnswerWithin <= 0 {
		cfg.AnswerWithin = 14 * 24 * time.Hour
	}
	if cfg.MaxAnswerWithin <= 0 {
		cfg.MaxAnswerWithin = 90 * 24 * time.Hour
	}
	if cfg.SweepInterval <= 0 {
		cfg.SweepInterval = time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	RegisterResolvers(d.Log)
	return &Service{db: d.DB, log: d.Log, auth: d.Auth, notifier: d.Notifier, deadlines: d.Deadlines, vuln: d.Vuln,
		sharing: d.Sharing, cfg: cfg, logger: cfg.Logger.With("component", "vendors")}, nil
}

func (s *Service) now() time.Time { return s.cfg.Now().UTC().Truncate(time.Second) }

func newID(prefix string) string { return prefix + strings.ToLower(rand.Text()) }

// audit appends a change of typ/id inside tx with the record after the
// change as payload: what its resolver returns once tx commits. p nil is
// the system.
func (s *Service) audit(ctx context.Context, tx *store.Tx, p *auth.Principal, action, typ, id string, record any) error {
	actor, org := "system", ""
	if p != nil {
		actor, org = p.UserID, p.OrgID
	}
	if _, err := s.log.Append(ctx, tx, auditlog.Entry{Actor: actor, Org: org, Action: action, Resource: typ + "/" + id, Payload: record}); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// analyst reports whether p is a Cabinet Office analyst, who sends
// notices and requests.
func analyst(p *auth.Principal) bool {
	return user(p) && p.Has(auth.RoleAnalyst) && p.OrgKind == auth.OrgCabinetOff
}

// vendorStaff reports whether p works for a vendor organisation.
func vendorStaff(p *auth.Principal) bool {
	return user(p) && p.Has(auth.RoleVendor) && p.OrgKind == auth.OrgVendor
}

func user(p *auth.Principal) bool {
	return p != nil && !p.Disabled && p.UserID != "" && p.Sensor == "" && p.Subscriber == ""
}

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

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return store.FormatTime(t)
}

// RegisterResolvers lets auditlog.Verify check every product and request
// against the latest audit entry about it. New calls it; tools that verify
// the log without a Service call it themselves.
func RegisterResolvers(l *auditlog.Log) {
	l.RegisterResolver(resProduct, func(ctx context.Context, q store.Querier, id string) (any, error) {
		p, err := loadProduct(ctx, q, id)
		if errors.Is(err, svcerr.ErrNotFound) {
			return nil, auditlog.ErrNoRecord
		}
		return p, err
	})
	l.RegisterLister(resProduct, auditlog.TableLister(component, "vnd_products"))
	l.RegisterResolver(resRequest, func(ctx context.Context, q store.Querier, id string) (any, error) {
		r, err := loadRequest(ctx, q, id)
		if errors.Is(err, svcerr.ErrNotFound) {
			return nil, auditlog.ErrNoRecord
		}
		return r, err
	})
	l.RegisterLister(resRequest, auditlog.TableLister(component, "vnd_requests"))
}

// scanAll decodes the data column of every row into a T.
func scanAll[T any](rows *sql.Rows, err error) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, err
		}
		var v T
		if err := decode(data, &v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
