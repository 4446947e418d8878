package blocklist

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
	"github.com/acd-platform/acd/internal/stix"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/svcerr"
)

// component names the package's tables in the migration table.
const component = "blocklist"

// The tables keep each record's public fields as JSON in "data", with the
// columns that queries select on beside it. Times are store.FormatTime
// strings, "" when not set. A subscriber's pull statistics live in their
// own columns, outside data, because pulls are not audited.
var migrations = []store.Migration{
	{Version: 1, Name: "entries and subscribers", SQL: `
CREATE TABLE blk_entries (
	id TEXT PRIMARY KEY,
	kind TEXT NOT NULL,
	value TEXT NOT NULL,
	case_ref TEXT NOT NULL,
	added_at TEXT NOT NULL,
	expires_at TEXT NOT NULL,
	removed_at TEXT NOT NULL,
	data TEXT NOT NULL
);
CREATE INDEX blk_entries_value ON blk_entries (value, removed_at);
CREATE INDEX blk_entries_case ON blk_entries (case_ref, added_at);
CREATE INDEX blk_entries_added ON blk_entries (added_at);
CREATE INDEX blk_entries_expires ON blk_entries (expires_at);
CREATE TABLE blk_subscribers (
	id TEXT PRIMARY KEY,
	token_hash TEXT NOT NULL UNIQUE,
	created_at TEXT NOT NULL,
	last_pull_at TEXT NOT NULL,
	pulls INTEGER NOT NULL,
	data TEXT NOT NULL
)`},
}

// Config configures a Service. The zero value works.
type Config struct {
	// DefaultTTL is how long an entry stays on the blocklist when its
	// input names no expiry; default 90 days.
	DefaultTTL time.Duration
	// MaxTTL is the latest expiry an entry may have, from when it is
	// added; default 365 days. An entry still needed later is added again.
	MaxTTL time.Duration
	// RPZOrigin is the RPZ zone's origin, a fully qualified name; default
	// "rpz.acd.invalid." (the subscriber names the zone in its resolver's
	// configuration, so the origin only needs to be unique there).
	RPZOrigin string
	// RPZTTL is the zone's $TTL, how long resolvers cache a rewritten
	// answer; default 5 minutes.
	RPZTTL time.Duration
	// TLP is the TLP 2.0 level that marks the STIX feed: "clear",
	// "green", "amber", "amber+strict" or "red"; default "green" (ISPs
	// and operators may share it within their community).
	TLP string
	// AllowDocumentation accepts values in the ranges and domains reserved
	// for documentation (see ParseOptions). Only tests and the demo set it:
	// those addresses never carry real traffic, so in production an entry
	// for one is a mistake or test data that must not reach ISPs.
	AllowDocumentation bool
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Logger; nil discards.
	Logger *slog.Logger
}

// CaseTarget is one target of a measure case: an address (IP or CIDR) or
// a domain, or both.
type CaseTarget struct {
	Address string
	Domain  string
}

// Cases gives the blocklist the targets of measure cases (package
// measures implements it, adapted to these types).
type Cases interface {
	// CaseTargets returns the targets of case caseID and its state
	// ("open", "executing", "closed" or "withdrawn"). An unknown case is
	// an error wrapping svcerr.ErrNotFound.
	CaseTargets(ctx context.Context, caseID string) (targets []CaseTarget, state string, err error)
}

// CasesFunc adapts a function to Cases, e.g. over measures.Service:
//
//	blocklist.CasesFunc(func(ctx context.Context, id string) ([]blocklist.CaseTarget, string, error) {
//		ts, state, err := m.CaseTargets(ctx, id)
//		out := make([]blocklist.CaseTarget, len(ts))
//		for i, t := range ts {
//			out[i] = blocklist.CaseTarget{Address: t.Address, Domain: t.Domain}
//		}
//		return out, string(state), err
//	})
type CasesFunc func(ctx context.Context, caseID string) ([]CaseTarget, string, error)

// CaseTargets calls f(ctx, caseID).
func (f CasesFunc) CaseTargets(ctx context.Context, caseID string) ([]CaseTarget, string, error) {
	return f(ctx, caseID)
}

// Deps are the services a Service builds on. DB, Log, Auth and Policy are
// required; without Cases, entries cannot reference measure cases
// (ErrNoCases).
type Deps struct {
	DB     *store.DB
	Log    *auditlog.Log
	Auth   *auth.Service
	Policy *auth.Policy
	Cases  Cases
}

// Service keeps the blocklist's entries and subscribers and renders the
// feeds. It is safe for concurrent use.
type Service struct {
	db     *store.DB
	log    *auditlog.Log
	auth   *auth.Service
	policy *auth.Policy
	cases  Cases
	cfg    Config
	tlp    *stix.MarkingDefinition
	logger *slog.Logger
}

// New checks cfg, migrates the package's tables and returns the service.
func New(ctx context.Context, d Deps, cfg Config) (*Service, error) {
	if d.DB == nil || d.Log == nil || d.Auth == nil || d.Policy == nil {
		return nil, errors.New("blocklist: DB, Log, Auth and Policy are required")
	}
	if cfg.DefaultTTL == 0 {
		cfg.DefaultTTL = 90 * 24 * time.Hour
	}
	if cfg.MaxTTL == 0 {
		cfg.MaxTTL = 365 * 24 * time.Hour
	}
	if cfg.DefaultTTL < 0 || cfg.MaxTTL < 0 || cfg.DefaultTTL > cfg.MaxTTL {
		return nil, fmt.Errorf("blocklist: default TTL %v and maximum TTL %v: want 0 < default ≤ maximum", cfg.DefaultTTL, cfg.MaxTTL)
	}
	if cfg.RPZOrigin == "" {
		cfg.RPZOrigin = "rpz.acd.invalid."
	}
	if err := checkOrigin(cfg.RPZOrigin); err != nil {
		return nil, fmt.Errorf("blocklist: RPZ origin %q: %w", cfg.RPZOrigin, err)
	}
	if cfg.RPZTTL == 0 {
		cfg.RPZTTL = 5 * time.Minute
	}
	if cfg.RPZTTL < time.Second || cfg.RPZTTL > 7*24*time.Hour {
		return nil, fmt.Errorf("blocklist: RPZ TTL %v: want 1s to 7 days", cfg.RPZTTL)
	}
	if cfg.TLP == "" {
		cfg.TLP = "green"
	}
	tlp, ok := stix.TLPMarking(cfg.TLP)
	if !ok {
		return nil, fmt.Errorf("blocklist: TLP %q: want clear, green, amber, amber+strict or red", cfg.TLP)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if err := d.DB.Migrate(ctx, component, migrations); err != nil {
		return nil, err
	}
	RegisterResolvers(d.Log)
	return &Service{db: d.DB, log: d.Log, auth: d.Auth, policy: d.Policy, cases: d.Cases, cfg: cfg, tlp: tlp,
		logger: cfg.Logger.With("component", "blocklist")}, nil
}

// checkOrigin checks an RPZ origin: a fully qualified host name.
func checkOrigin(o string) error {
	if !strings.HasSuffix(o, ".") || len(o) < 2 || len(o) > 200 {
		return errors.New("want a fully qualified name ending in a dot, at most 200 characters")
	}
	for _, l := range strings.Split(strings.TrimSuffix(o, "."), ".") {
		if err := checkLabel(l); err != nil {
			return fmt.Errorf("label %q %w", l, err)
		}
	}
	return nil
}

// ParseOptions returns the options the service parses entry values with.
func (s *Service) ParseOptions() ParseOptions {
	return ParseOptions{AllowDocumentation: s.cfg.AllowDocumentation}
}

// RPZOrigin returns the RPZ zone's origin, e.g. "rpz.acd.invalid.".
func (s *Service) RPZOrigin() string { return s.cfg.RPZOrigin }

func (s *Service) now() time.Time { return s.cfg.Now().UTC() }

func newID(prefix string) string { return prefix + strings.ToLower(rand.Text()) }

// allowed reports whether the policy lets p do a; the service repeats the
// HTTP layer's check so that no other caller can bypass it.
func (s *Service) allowed(p *auth.Principal, a auth.Action) bool {
	return p != nil && s.policy.Allow(p, a)
}

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

// Errors callers branch on; blocklistapi maps them to statuses.
var (
	// ErrNotFound: no such entry or subscriber. 404.
	ErrNotFound = svcerr.ErrNotFound
	// ErrForbidden: the caller may not do this, e.g. an officer removing
	// another organisation's entry, or a subscriber pulling a format it
	// was not given. 403.
	ErrForbidden = svcerr.ErrForbidden
	// ErrConflict: the request contradicts the records, e.g. a value
	// already on the blocklist or a case that has taken no measure. 409.
	ErrConflict = svcerr.ErrConflict
	// ErrNoCases: the service was built without a Cases source, so no
	// entry can reference a measure case. 503.
	ErrNoCases = errors.New("measure cases are not available to the blocklist")
)

// FieldError is invalid input: Field names the JSON field, Msg says what
// is wrong. 400.
type FieldError = svcerr.FieldError

// JSON columns and stored times.

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

func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return store.ParseTime(s)
}

func closeRows(rows *sql.Rows, err error) error {
	rows.Close()
	if err != nil {
		return err
	}
	return rows.Err()
}

// RegisterResolvers lets auditlog.Verify check every entry and subscriber
// against the latest audit entry about it, and report records with no
// entry at all. New calls it; tools that verify the log without a Service
// call it themselves.
func RegisterResolvers(l *auditlog.Log) {
	l.RegisterResolver("blocklist_entry", func(ctx context.Context, q store.Querier, id string) (any, error) {
		e, err := loadEntry(ctx, q, id)
		if errors.Is(err, ErrNotFound) {
			return nil, auditlog.ErrNoRecord
		}
		return e, err
	})
	l.RegisterLister("blocklist_entry", auditlog.TableLister(component, "blk_entries"))
	l.RegisterResolver("blocklist_subscriber", func(ctx context.Context, q store.Querier, id string) (any, error) {
		sub, err := loadSubscriber(ctx, q, id)
		if errors.Is(err, ErrNotFound) {
			return nil, auditlog.ErrNoRecord
		}
		return sub, err
	})
	l.RegisterLister("blocklist_subscriber", auditlog.TableLister(component, "blk_subscribers"))
}
