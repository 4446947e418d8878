package sharing

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/reporting"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/tlp"
)

// component names the package's tables in the migration table.
const component = "sharing"

// The tables keep each record as JSON in "data", with the columns that
// queries select on beside it. Times are store.FormatTime strings, "" when
// not set.
var migrations = []store.Migration{
	{Version: 1, Name: "council members, clearances, groups, advisories, forwards", SQL: `
CREATE TABLE shr_members (
	org_id TEXT PRIMARY KEY,
	consent INTEGER NOT NULL,
	suspended INTEGER NOT NULL,
	data TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE TABLE shr_member_events (
	org_id TEXT NOT NULL,
	seq INTEGER NOT NULL,
	data TEXT NOT NULL,
	at TEXT NOT NULL,
	PRIMARY KEY (org_id, seq)
);
CREATE TABLE shr_clearances (
	user_id TEXT PRIMARY KEY,
	level TEXT NOT NULL,
	data TEXT NOT NULL,
	at TEXT NOT NULL
);
CREATE TABLE shr_groups (
	id TEXT PRIMARY KEY,
	name_key TEXT NOT NULL UNIQUE,
	data TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE TABLE shr_group_members (
	group_id TEXT NOT NULL,
	org_id TEXT NOT NULL,
	added_by TEXT NOT NULL,
	added_at TEXT NOT NULL,
	PRIMARY KEY (group_id, org_id)
);
CREATE INDEX shr_group_members_org ON shr_group_members (org_id);
CREATE TABLE shr_advisories (
	id TEXT NOT NULL,
	revision INTEGER NOT NULL,
	state TEXT NOT NULL,
	tlp TEXT NOT NULL,
	published_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	data TEXT NOT NULL,
	PRIMARY KEY (id, revision)
);
CREATE INDEX shr_advisories_state ON shr_advisories (state, published_at);
CREATE INDEX shr_advisories_updated ON shr_advisories (updated_at);
CREATE TABLE shr_forwards (
	id TEXT PRIMARY KEY,
	advisory_id TEXT NOT NULL,
	data TEXT NOT NULL,
	at TEXT NOT NULL
);
CREATE INDEX shr_forwards_advisory ON shr_forwards (advisory_id, at)`},
}

// Directory looks up organisations and user accounts; *auth.Service
// implements it.
type Directory interface {
	Org(ctx context.Context, id string) (auth.Org, error)
	Orgs(ctx context.Context) ([]auth.Org, error)
	User(ctx context.Context, id string) (auth.User, error)
}

// Orders issues and keeps the council's requests for materials;
// *reporting.Service implements it (see reporting.IssueCouncilRequest).
type Orders interface {
	IssueCouncilRequest(ctx context.Context, p *auth.Principal, n reporting.NewCouncilRequest) (reporting.Order, error)
	Order(ctx context.Context, p *auth.Principal, id string) (reporting.Order, error)
	Orders(ctx context.Context, p *auth.Principal, f reporting.OrderFilter) ([]reporting.Order, error)
	AnswerOrder(ctx context.Context, p *auth.Principal, id, text string) (reporting.Order, error)
	CloseOrder(ctx context.Context, p *auth.Principal, id, text string) (reporting.Order, error)
}

// Deps are the services a Service builds on; all are required. The
// Publisher is set apart with SetPublisher, because the TAXII server that
// implements it is built on this service.
type Deps struct {
	DB        *store.DB
	Log       *auditlog.Log
	Directory Directory
	Notifier  *deadline.Notifier
	Orders    Orders
}

// Config configures a Service. The zero value works.
type Config struct {
	// Clearances is the clearance scale, lowest first (lower-case words);
	// nil means tlp.DefaultScale: none < confidential < secret.
	Clearances []string
	// BaseURL is the server's external URL ("https://acd.example.go.jp"),
	// for the links of the Atom feed; empty writes links relative to the
	// feed.
	BaseURL string
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Logger; nil discards.
	Logger *slog.Logger
}

// Service keeps the council, its groups and clearances, and the advisories
// shared in it. It is safe for concurrent use.
type Service struct {
	db       *store.DB
	log      *auditlog.Log
	dir      Directory
	notifier *deadline.Notifier
	orders   Orders
	scale    tlp.Scale
	cfg      Config
	logger   *slog.Logger

	mu        sync.Mutex // guards publisher
	publisher Publisher
}

// New migrates the package's tables, registers the resolvers of its
// audited records with the log (RegisterResolvers) and returns the
// service.
func New(ctx context.Context, d Deps, cfg Config) (*Service, error) {
	if d.DB == nil || d.Log == nil || d.Directory == nil || d.Notifier == nil || d.Orders == nil {
		return nil, errors.New("sharing: every dependency is required")
	}
	scale, err := tlp.NewScale(cfg.Clearances)
	if err != nil {
		return nil, fmt.Errorf("sharing: %w", err)
	}
	cfg.BaseURL = strings.TrimSuffix(cfg.BaseURL, "/")
	if u := cfg.BaseURL; u != "" && !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
		return nil, fmt.Errorf("sharing: base URL %q: want http:// or https://", u)
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
	return &Service{db: d.DB, log: d.Log, dir: d.Directory, notifier: d.Notifier, orders: d.Orders, scale: scale, cfg: cfg,
		logger: cfg.Logger.With("component", "sharing")}, nil
}

// SetPublisher sets where published advisories' STIX objects go (the TAXII
// server); nil, the default, publishes none. Call it once while wiring,
// before serving.
func (s *Service) SetPublisher(p Publisher) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.publisher = p
}

func (s *Service) pub() Publisher {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.publisher
}

// Scale returns the clearance scale in force: the one every read decides
// with.
func (s *Service) Scale() tlp.Scale { return s.scale }

func (s *Service) now() time.Time { return s.cfg.Now().UTC() }

func newID(prefix string) string { return prefix + strings.ToLower(rand.Text()) }

// audit appends a state change to the audit log inside tx.
func (s *Service) audit(ctx context.Context, tx *store.Tx, p *auth.Principal, action, resource string, payload any) error {
	actor, org := actorOf(p)
	if _, err := s.log.Append(ctx, tx, auditlog.Entry{Actor: actor, Org: org, Action: action, Resource: resource, Payload: payload}); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

func actorOf(p *auth.Principal) (actor, org string) {
	if p == nil {
		return "system", ""
	}
	return p.UserID, p.OrgID
}

// isUser reports whether p is a logged-in, enabled user (not a sensor or
// a feed subscriber).
func isUser(p *auth.Principal) bool {
	return p != nil && !p.Disabled && p.UserID != "" && p.Sensor == "" && p.Subscriber == ""
}

// manager reports whether p is an analyst of the Cabinet Office, who
// manages the council and writes and reviews advisories.
func manager(p *auth.Principal) bool {
	return isUser(p) && p.Has(auth.RoleAnalyst) && p.OrgKind == auth.OrgCabinetOff
}

// mustManage refuses anyone but a Cabinet Office analyst.
func mustManage(p *auth.Principal) error {
	if !manager(p) {
		return refuse(CodeNotCabinetOffice, "")
	}
	return nil
}

func marshal(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode record: %w", err)
	}
	return string(b), nil
}

func unmarshal(data string, v any) error {
	if err := json.Unmarshal([]byte(data), v); err != nil {
		return fmt.Errorf("decode record: %w", err)
	}
	return nil
}

func closeRows(rows interface {
	Close() error
	Err() error
}, err error) error {
	rows.Close()
	if err != nil {
		return err
	}
	return rows.Err()
}

// nonNil returns an empty slice for nil, so JSON lists are [] not null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
