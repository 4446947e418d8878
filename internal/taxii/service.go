package taxii

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/tlp"
)

// The tables. Times (date_added, version) are stored at microsecond
// precision, the precision of TAXII timestamps, in a fixed-width text form
// that sorts as the times do. An object version's marking is in tlp,
// clearance, recipient_orgs and recipient_users; one published to several
// audiences has them all in markings (JSON), and those columns then hold a
// summary for the query's first cut (see grants).
var migrations = []store.Migration{
	{Version: 1, Name: "collections, objects, statuses", SQL: `
CREATE TABLE taxii_collections (
	alias TEXT PRIMARY KEY,
	id TEXT NOT NULL,
	kind TEXT NOT NULL,
	org_id TEXT NOT NULL,
	created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX taxii_collections_id ON taxii_collections (id);
CREATE TABLE taxii_objects (
	seq BIGINT PRIMARY KEY,
	collection_id TEXT NOT NULL,
	object_id TEXT NOT NULL,
	object_type TEXT NOT NULL,
	version TEXT NOT NULL,
	spec_version TEXT NOT NULL,
	date_added TEXT NOT NULL,
	tlp TEXT NOT NULL,
	clearance TEXT NOT NULL,
	recipient_orgs TEXT NOT NULL,
	recipient_users TEXT NOT NULL,
	markings TEXT NOT NULL,
	has_newer INTEGER NOT NULL,
	has_older INTEGER NOT NULL,
	added_by TEXT NOT NULL,
	added_org TEXT NOT NULL,
	data TEXT NOT NULL
);
CREATE INDEX taxii_objects_page ON taxii_objects (collection_id, date_added, seq);
CREATE INDEX taxii_objects_type ON taxii_objects (collection_id, object_type, date_added, seq);
CREATE UNIQUE INDEX taxii_objects_version ON taxii_objects (collection_id, object_id, version);
CREATE TABLE taxii_statuses (
	id TEXT PRIMARY KEY,
	collection_id TEXT NOT NULL,
	user_id TEXT NOT NULL,
	org_id TEXT NOT NULL,
	created_at TEXT NOT NULL,
	body TEXT NOT NULL
)`},
}

// Readers resolves the caller of a request to the reader that
// [tlp.Scale.Visible] decides for: its organisation's council membership
// now and its clearance. The sharing service implements it. The Service
// never calls it with a nil principal (the public is tlp.Public).
type Readers interface {
	Reader(ctx context.Context, p *auth.Principal) (tlp.Reader, error)
}

// ReadersFunc adapts a function to Readers. The server uses it to break
// the cycle between the two services — the sharing service publishes
// through the TAXII service, which resolves readers through the sharing
// service — with a function that calls the sharing service once built.
type ReadersFunc func(ctx context.Context, p *auth.Principal) (tlp.Reader, error)

// Reader calls f(ctx, p).
func (f ReadersFunc) Reader(ctx context.Context, p *auth.Principal) (tlp.Reader, error) {
	return f(ctx, p)
}

// Orgs lists the organisations; *auth.Service implements it. The Service
// uses it to find the Cabinet Office, which receives every TLP:AMBER
// object a member posts.
type Orgs interface {
	Orgs(ctx context.Context) ([]auth.Org, error)
}

// Deps are the services a Service builds on. DB, Log, Keys and Readers are
// required; Orgs is required unless Config.CabinetOffice names the Cabinet
// Office's organisations.
type Deps struct {
	DB      *store.DB
	Log     *auditlog.Log
	Keys    *keys.Ring
	Readers Readers
	Orgs    Orgs
}

// Config configures a Service. The zero value works.
type Config struct {
	// Scale orders the clearances; the zero Scale is tlp.DefaultScale.
	Scale tlp.Scale
	// CabinetOffice are the ids of the organisations that receive every
	// TLP:AMBER or TLP:AMBER+STRICT object a member posts, with the
	// posting organisation. Empty means every organisation of kind
	// cabinet_office, looked up through Deps.Orgs (and cached for ten
	// seconds).
	CabinetOffice []string
	// MaxContentLength is the largest request body accepted, in bytes, as
	// the API root's max_content_length says; default 10 MiB.
	MaxContentLength int64
	// DefaultLimit is the page size when a request gives no limit; default
	// 100.
	DefaultLimit int
	// MaxLimit is the largest page served; a larger limit is cut to it.
	// Default 1000.
	MaxLimit int
	// MaxScan bounds the rows one page examines, visible or not; a page
	// that reaches it ends early with more set. Default 20 × MaxLimit.
	MaxScan int
	// CursorTTL is how long a next token is honoured; default 24 hours.
	CursorTTL time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Logger; nil discards.
	Logger *slog.Logger
}

// Service keeps the TAXII collections and their objects. It is safe for
// concurrent use.
type Service struct {
	db      *store.DB
	log     *auditlog.Log
	ring    *keys.Ring
	readers Readers
	orgs    Orgs
	schemas *schemaSet
	cfg     Config
	logger  *slog.Logger

	mu        sync.Mutex // guards cabinet and cabinetAt
	cabinet   []string
	cabinetAt time.Time
}

// New migrates the package's tables, creates the fixed collections and
// compiles the embedded OASIS schemas.
func New(ctx context.Context, d Deps, cfg Config) (*Service, error) {
	if d.DB == nil || d.Log == nil || d.Keys == nil || d.Readers == nil {
		return nil, fmt.Errorf("taxii: DB, Log, Keys and Readers are required")
	}
	if d.Orgs == nil && len(cfg.CabinetOffice) == 0 {
		return nil, fmt.Errorf("taxii: Orgs is required when Config.CabinetOffice is empty")
	}
	if _, err := d.Keys.Current(keys.Cursor); err != nil {
		return nil, fmt.Errorf("taxii: cursor key: %w", err)
	}
	if cfg.MaxContentLength <= 0 {
		cfg.MaxContentLength = 10 << 20
	}
	if cfg.MaxLimit <= 0 {
		cfg.MaxLimit = 1000
	}
	if cfg.DefaultLimit <= 0 {
		cfg.DefaultLimit = min(100, cfg.MaxLimit)
	}
	cfg.DefaultLimit = min(cfg.DefaultLimit, cfg.MaxLimit)
	if cfg.MaxScan <= 0 {
		cfg.MaxScan = 20 * cfg.MaxLimit
	}
	cfg.MaxScan = max(cfg.MaxScan, cfg.MaxLimit+1)
	if cfg.CursorTTL <= 0 {
		cfg.CursorTTL = 24 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.CabinetOffice = slices.Clone(cfg.CabinetOffice)
	schemas, err := newSchemaSet()
	if err != nil {
		return nil, fmt.Errorf("taxii: %w", err)
	}
	if err := d.DB.Migrate(ctx, "taxii", migrations); err != nil {
		return nil, err
	}
	s := &Service{
		db: d.DB, log: d.Log, ring: d.Keys, readers: d.Readers, orgs: d.Orgs, schemas: schemas, cfg: cfg,
		logger: cfg.Logger.With("component", "taxii"),
	}
	err = d.DB.Tx(ctx, func(tx *store.Tx) error {
		for _, alias := range []string{Public, CouncilGreen, CouncilAmber} {
			if _, err := s.ensureCollection(ctx, tx, alias); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("taxii: create collections: %w", err)
	}
	RegisterResolvers(d.Log)
	return s, nil
}

// MaxContentLength is the largest request body accepted, in bytes.
func (s *Service) MaxContentLength() int64 { return s.cfg.MaxContentLength }

// MaxLimit is the largest page served.
func (s *Service) MaxLimit() int { return s.cfg.MaxLimit }

func (s *Service) now() time.Time { return s.cfg.Now().UTC() }

// reader resolves p; nil is the public.
func (s *Service) reader(ctx context.Context, p *auth.Principal) (tlp.Reader, error) {
	if p == nil {
		return tlp.Public, nil
	}
	r, err := s.readers.Reader(ctx, p)
	if err != nil {
		return tlp.Reader{}, fmt.Errorf("resolve reader %s: %w", p.UserID, err)
	}
	return r, nil
}

// cabinetOffice returns the organisations that receive members' AMBER
// posts.
func (s *Service) cabinetOffice(ctx context.Context) ([]string, error) {
	if len(s.cfg.CabinetOffice) > 0 {
		return s.cfg.CabinetOffice, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cabinet != nil && time.Since(s.cabinetAt) < 10*time.Second {
		return s.cabinet, nil
	}
	os, err := s.orgs.Orgs(ctx)
	if err != nil {
		return nil, fmt.Errorf("find the Cabinet Office: %w", err)
	}
	ids := []string{}
	for _, o := range os {
		if o.Kind == auth.OrgCabinetOff {
			ids = append(ids, o.ID)
		}
	}
	s.cabinet, s.cabinetAt = ids, time.Now()
	return ids, nil
}

// audit appends a change to the audit log inside tx.
func (s *Service) audit(ctx context.Context, tx *store.Tx, p *auth.Principal, action, resource string, payload any) error {
	actor, org := actorOf(p)
	_, err := s.log.Append(ctx, tx, auditlog.Entry{Actor: actor, Org: org, Action: action, Resource: resource, Payload: payload})
	return err
}

// auditRead records a read in a transaction of its own.
func (s *Service) auditRead(ctx context.Context, p *auth.Principal, resource string, payload any) error {
	actor, org := actorOf(p)
	if p == nil {
		actor = "public"
	}
	_, err := s.log.AppendRead(ctx, auditlog.Entry{Actor: actor, Org: org, Action: "taxii.read", Resource: resource, Payload: payload})
	if err != nil {
		return fmt.Errorf("audit read: %w", err)
	}
	return nil
}

func actorOf(p *auth.Principal) (actor, org string) {
	if p == nil {
		return "system", ""
	}
	return p.UserID, p.OrgID
}
