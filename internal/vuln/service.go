package vuln

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/product"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/textfield"
	"github.com/acd-platform/acd/internal/vuln/cve"
	"github.com/acd-platform/acd/internal/vuln/match"
)

var migrations = []store.Migration{
	{Version: 1, Name: "vulnerabilities, matched assets, pairs", SQL: `
CREATE TABLE vuln_records (
	id TEXT PRIMARY KEY,
	format TEXT NOT NULL,
	rejected INTEGER NOT NULL,
	title TEXT NOT NULL,
	score INTEGER NOT NULL,
	published TEXT NOT NULL,
	updated TEXT NOT NULL,
	record TEXT NOT NULL,
	imported_by TEXT NOT NULL,
	imported_at TEXT NOT NULL,
	exploited INTEGER NOT NULL,
	exploited_evidence TEXT NOT NULL
);
CREATE TABLE vuln_assets (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL,
	sector TEXT NOT NULL,
	name TEXT NOT NULL,
	cpe TEXT NOT NULL,
	purl TEXT NOT NULL,
	retired INTEGER NOT NULL,
	dirty INTEGER NOT NULL
);
CREATE INDEX vuln_assets_dirty ON vuln_assets (dirty);
CREATE TABLE vuln_pairs (
	asset_id TEXT NOT NULL,
	vuln_id TEXT NOT NULL,
	org_id TEXT NOT NULL,
	sector TEXT NOT NULL,
	affected INTEGER NOT NULL,
	first_seen TEXT NOT NULL,
	resolved_at TEXT NOT NULL,
	PRIMARY KEY (asset_id, vuln_id)
);
CREATE INDEX vuln_pairs_vuln ON vuln_pairs (vuln_id, resolved_at);
CREATE INDEX vuln_pairs_org ON vuln_pairs (org_id, resolved_at);
CREATE INDEX vuln_pairs_sector ON vuln_pairs (sector, resolved_at)`},
	{Version: 2, Name: "candidates from CISA's KEV catalogue", SQL: `
CREATE TABLE vuln_kev_candidates (
	cve_id TEXT PRIMARY KEY,
	catalog_version TEXT NOT NULL,
	entry TEXT NOT NULL,
	imported_by TEXT NOT NULL,
	imported_at TEXT NOT NULL
)`},
}

// Deps are the services a Service builds on; all are required.
type Deps struct {
	DB       *store.DB
	Log      *auditlog.Log
	Notifier *deadline.Notifier
}

// Config configures a Service. The zero value works.
type Config struct {
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Logger; nil discards.
	Logger *slog.Logger
	// MaxNoticeLines is how many "asset: vulnerabilities" lines a notice
	// to an operator lists before "… and n more"; default 50.
	MaxNoticeLines int
	// BaseURL is the public address of ACD ("https://acd.example"), put
	// before the links of the catalogue's Atom feed; "" leaves them
	// relative.
	BaseURL string
}

// Service keeps vulnerabilities and their matches against the registered
// specified critical computers. It is safe for concurrent use.
type Service struct {
	db       *store.DB
	log      *auditlog.Log
	notifier *deadline.Notifier
	cfg      Config
	logger   *slog.Logger

	// mu serialises every change to ix together with the transaction
	// that stores it, so that the stored pairs follow the index's order
	// of changes. It is never taken inside another package's transaction.
	mu sync.Mutex
	ix *match.Index
}

// New migrates the package's tables, loads the index from the database,
// reconciles the stored pairs with the full match (applying asset changes
// left unsettled), and returns the service.
func New(ctx context.Context, d Deps, cfg Config) (*Service, error) {
	if d.DB == nil || d.Log == nil || d.Notifier == nil {
		return nil, errors.New("vuln: every dependency is required")
	}
	if err := d.DB.Migrate(ctx, "vuln", migrations); err != nil {
		return nil, err
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxNoticeLines <= 0 {
		cfg.MaxNoticeLines = 50
	}
	s := &Service{db: d.DB, log: d.Log, notifier: d.Notifier, cfg: cfg,
		logger: cfg.Logger.With("component", "vuln"), ix: match.NewIndex()}
	if err := s.load(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Service) now() time.Time { return s.cfg.Now().UTC() }

func newID(prefix string) string { return prefix + strings.ToLower(rand.Text()) }

func (s *Service) audit(ctx context.Context, tx *store.Tx, p *auth.Principal, action, resource string, payload any) error {
	actor, org := "system", ""
	if p != nil {
		actor, org = p.UserID, p.OrgID
	}
	_, err := s.log.Append(ctx, tx, auditlog.Entry{Actor: actor, Org: org, Action: action, Resource: resource, Payload: payload})
	return err
}

// load fills the index from the stored records and assets and reconciles
// the stored pairs with the full match.
func (s *Service) load(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	assets, err := s.storedAssets(ctx)
	if err != nil {
		return err
	}
	rows, err := s.db.Query(ctx, "SELECT id, record FROM vuln_records")
	if err != nil {
		return fmt.Errorf("read vulnerabilities: %w", err)
	}
	var vulns []*cve.Vulnerability
	for rows.Next() {
		var id, rec string
		if err := rows.Scan(&id, &rec); err != nil {
			rows.Close()
			return err
		}
		v, err := cve.Parse([]byte(rec))
		if err != nil {
			rows.Close()
			return fmt.Errorf("parse stored vulnerability %s: %w", id, err)
		}
		vulns = append(vulns, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if err := s.ix.Load(assets, vulns); err != nil {
		return fmt.Errorf("load index: %w", err)
	}
	var want []match.Pair
	for pr := range s.ix.Pairs() {
		want = append(want, pr)
	}
	return s.db.Tx(ctx, func(tx *store.Tx) error {
		have, err := openPairs(ctx, tx, "", nil)
		if err != nil {
			return err
		}
		fresh, resolved, err := s.settle(ctx, tx, want, have)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM vuln_assets WHERE retired = 1"); err != nil {
			return fmt.Errorf("forget retired assets: %w", err)
		}
		if _, err := tx.Exec(ctx, "UPDATE vuln_assets SET dirty = 0 WHERE dirty <> 0"); err != nil {
			return fmt.Errorf("settle assets: %w", err)
		}
		if len(fresh) == 0 && resolved == 0 {
			return nil
		}
		if err := s.audit(ctx, tx, nil, "vuln.reconcile", "vuln_match/all", map[string]int{"new_pairs": len(fresh), "resolved": resolved}); err != nil {
			return err
		}
		return s.tellOperators(ctx, tx, fresh)
	})
}

// storedAssets returns the active assets of vuln_assets that can be
// matched.
func (s *Service) storedAssets(ctx context.Context) ([]match.Asset, error) {
	rows, err := s.db.Query(ctx, "SELECT id, org_id, sector, cpe, purl FROM vuln_assets WHERE retired = 0 ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("read assets: %w", err)
	}
	defer rows.Close()
	var out []match.Asset
	for rows.Next() {
		var a match.Asset
		var c, pu string
		if err := rows.Scan(&a.ID, &a.Org, &a.Sector, &c, &pu); err != nil {
			return nil, err
		}
		if ok := fillAsset(&a, c, pu); ok {
			out = append(out, a)
		}
	}
	return out, rows.Err()
}

// fillAsset parses the stored CPE and PURL of a; false when neither is
// usable.
func fillAsset(a *match.Asset, c, pu string) bool {
	if c != "" {
		if x, err := product.ParseCPE(c); err == nil {
			a.CPE = &x
		}
	}
	if pu != "" {
		if x, err := product.ParsePURL(pu); err == nil {
			a.PURL = &x
		}
	}
	return a.CPE != nil || a.PURL != nil
}

// pairKey identifies a pair.
type pairKey struct{ asset, vuln string }

// openPairs returns the open pairs stored, all of them or those of one
// column's values (col "asset_id" or "vuln_id").
func openPairs(ctx context.Context, q store.Querier, col string, vals []string) (map[pairKey]match.Pair, error) {
	query := "SELECT asset_id, vuln_id, org_id, sector, affected FROM vuln_pairs WHERE resolved_at = ''"
	var args []any
	if col != "" {
		if len(vals) == 0 {
			return map[pairKey]match.Pair{}, nil
		}
		query += " AND " + col + " IN (?" + strings.Repeat(", ?", len(vals)-1) + ")"
		for _, v := range vals {
			args = append(args, v)
		}
	}
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("read pairs: %w", err)
	}
	defer rows.Close()
	out := map[pairKey]match.Pair{}
	for rows.Next() {
		var p match.Pair
		if err := rows.Scan(&p.Asset, &p.Vuln, &p.Org, &p.Sector, &p.Affected); err != nil {
			return nil, err
		}
		out[pairKey{p.Asset, p.Vuln}] = p
	}
	return out, rows.Err()
}

// settle makes the stored open pairs among have equal to want: pairs of
// want not open are inserted or reopened (and returned as fresh), open
// pairs not in want are resolved, pairs whose affected product changed are
// updated.
func (s *Service) settle(ctx context.Context, tx *store.Tx, want []match.Pair, have map[pairKey]match.Pair) (fresh []match.Pair, resolved int, err error) {
	now := store.FormatTime(s.now())
	seen := make(map[pairKey]bool, len(want))
	for _, p := range want {
		k := pairKey{p.Asset, p.Vuln}
		seen[k] = true
		old, open := have[k]
		if !open {
			fresh = append(fresh, p)
			continue
		}
		if old.Affected != p.Affected || old.Org != p.Org || old.Sector != p.Sector {
			if _, err := tx.Exec(ctx, "UPDATE vuln_pairs SET affected = ?, org_id = ?, sector = ? WHERE asset_id = ? AND vuln_id = ?",
				p.Affected, p.Org, p.Sector, p.Asset, p.Vuln); err != nil {
				return nil, 0, fmt.Errorf("update pair: %w", err)
			}
		}
	}
	// New and reopened pairs, and resolved ones, go in statements of many
	// rows each: a first start may settle millions of pairs, and one
	// statement a pair costs a round trip each on PostgreSQL.
	for b := range slices.Chunk(fresh, pairBatch) {
		args := make([]any, 0, 6*len(b))
		for _, p := range b {
			args = append(args, p.Asset, p.Vuln, p.Org, p.Sector, p.Affected, now)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO vuln_pairs (asset_id, vuln_id, org_id, sector, affected, first_seen, resolved_at) VALUES "+
			strings.Repeat("(?, ?, ?, ?, ?, ?, ''), ", len(b)-1)+"(?, ?, ?, ?, ?, ?, '')"+
			" ON CONFLICT (asset_id, vuln_id) DO UPDATE SET org_id = excluded.org_id, sector = excluded.sector, affected = excluded.affected, resolved_at = ''",
			args...); err != nil {
			return nil, 0, fmt.Errorf("record pairs: %w", err)
		}
	}
	var gone []pairKey
	for k := range have {
		if !seen[k] {
			gone = append(gone, k)
		}
	}
	for b := range slices.Chunk(gone, pairBatch) {
		args := make([]any, 0, 1+2*len(b))
		args = append(args, now)
		for _, k := range b {
			args = append(args, k.asset, k.vuln)
		}
		if _, err := tx.Exec(ctx, "UPDATE vuln_pairs SET resolved_at = ? WHERE resolved_at = '' AND (asset_id, vuln_id) IN (VALUES "+
			strings.Repeat("(?, ?), ", len(b)-1)+"(?, ?))", args...); err != nil {
			return nil, 0, fmt.Errorf("resolve pairs: %w", err)
		}
	}
	return fresh, len(gone), nil
}

// pairBatch is how many pairs one statement of settle writes: 6 values
// each, well under SQLite's and PostgreSQL's limits on parameters.
const pairBatch = 500

// tellOperators tells each operator with fresh pairs which of its assets
// are affected by which vulnerabilities, in one notice per operator.
func (s *Service) tellOperators(ctx context.Context, tx *store.Tx, fresh []match.Pair) error {
	byOrg := map[string]map[string][]string{} // org → asset → vulns
	for _, p := range fresh {
		if byOrg[p.Org] == nil {
			byOrg[p.Org] = map[string][]string{}
		}
		byOrg[p.Org][p.Asset] = append(byOrg[p.Org][p.Asset], p.Vuln)
	}
	orgs := make([]string, 0, len(byOrg))
	for o := range byOrg {
		orgs = append(orgs, o)
	}
	sort.Strings(orgs)
	for _, org := range orgs {
		assets := byOrg[org]
		ids := make([]string, 0, len(assets))
		vulns := map[string]bool{}
		for a, vs := range assets {
			ids = append(ids, a)
			for _, v := range vs {
				vulns[v] = true
			}
		}
		sort.Strings(ids)
		var b strings.Builder
		fmt.Fprintf(&b, "Vulnerabilities newly matched to your specified critical computers (§42): %d assets, %d vulnerabilities.\n\n", len(ids), len(vulns))
		for i, a := range ids {
			if i == s.cfg.MaxNoticeLines {
				fmt.Fprintf(&b, "… and %d more assets.\n", len(ids)-i)
				break
			}
			name, err := assetName(ctx, tx, a)
			if err != nil {
				return err
			}
			vs := assets[a]
			sort.Strings(vs)
			fmt.Fprintf(&b, "%s (%s): %s\n", name, a, strings.Join(vs, ", "))
		}
		if _, err := s.notifier.Notify(ctx, tx, deadline.Notice{
			ToOrg:   org,
			Subject: textfield.Cut(fmt.Sprintf("§42: %d of your specified critical computers affected by %d vulnerabilities", len(ids), len(vulns)), 200),
			Body:    b.String(),
			Link:    "/vulns/affected",
		}); err != nil {
			return fmt.Errorf("notify %s: %w", org, err)
		}
	}
	return nil
}

func assetName(ctx context.Context, q store.Querier, id string) (string, error) {
	var name string
	if err := q.QueryRow(ctx, "SELECT name FROM vuln_assets WHERE id = ?", id).Scan(&name); err != nil {
		return "", fmt.Errorf("read asset %s: %w", id, err)
	}
	return name, nil
}
