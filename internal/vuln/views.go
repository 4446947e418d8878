package vuln

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/svcerr"
	"github.com/acd-platform/acd/internal/vuln/cve"
)

// Summary is a vulnerability as lists show it.
type Summary struct {
	ID       string `json:"id"`
	Format   string `json:"format"`
	Rejected bool   `json:"rejected"`
	Title    string `json:"title,omitempty"`
	// CVSS is the highest CVSS base score given; nil if none.
	CVSS      *float64   `json:"cvss,omitempty"`
	Published *time.Time `json:"published,omitempty"`
	Updated   *time.Time `json:"updated,omitempty"`
	// ExploitedInJapan is the mark set by analysts.
	ExploitedInJapan bool      `json:"exploited_in_japan"`
	ImportedAt       time.Time `json:"imported_at"`
}

// Detail is one vulnerability: its record as read, its mark and the pairs
// the caller may see.
type Detail struct {
	Summary
	Record    *cve.Vulnerability `json:"-"`
	Exploited *Exploited         `json:"exploited,omitempty"`
	Matches   []AffectedAsset    `json:"matches"`
}

// AffectedAsset is one pair: an asset affected by a vulnerability.
type AffectedAsset struct {
	AssetID   string `json:"asset_id"`
	AssetName string `json:"asset_name,omitempty"`
	OrgID     string `json:"org_id"`
	Sector    string `json:"sector"`
	VulnID    string `json:"vuln_id"`
	Title     string `json:"title,omitempty"`
	// CVSS is the vulnerability's highest base score; nil if none.
	CVSS             *float64 `json:"cvss,omitempty"`
	ExploitedInJapan bool     `json:"exploited_in_japan"`
	// Affected is the index of the record's affected product that covers
	// the asset.
	Affected   int        `json:"affected_index"`
	FirstSeen  time.Time  `json:"first_seen"`
	ResolvedAt *time.Time `json:"resolved_at,omitempty"`
}

// MatchFilter selects pairs for Matches; empty fields match everything.
type MatchFilter struct {
	OrgID, Sector, VulnID string
	// IncludeResolved includes pairs that no longer hold.
	IncludeResolved bool
	// Limit is the most pairs returned; 0 or over 10000 means 1000.
	Limit int
}

// ExposureRow counts the assets and operators of one sector affected by
// one vulnerability.
type ExposureRow struct {
	VulnID           string   `json:"vuln_id"`
	Title            string   `json:"title,omitempty"`
	CVSS             *float64 `json:"cvss,omitempty"`
	ExploitedInJapan bool     `json:"exploited_in_japan"`
	Sector           string   `json:"sector"`
	Assets           int      `json:"assets"`
	Operators        int      `json:"operators"`
}

const summaryCols = "id, format, rejected, title, score, published, updated, exploited, imported_at"

func scanSummary(r interface{ Scan(...any) error }, extra ...any) (Summary, error) {
	var s Summary
	var rejected, score, exploited int
	var pub, upd, imp string
	if err := r.Scan(append([]any{&s.ID, &s.Format, &rejected, &s.Title, &score, &pub, &upd, &exploited, &imp}, extra...)...); err != nil {
		return Summary{}, err
	}
	s.Rejected, s.ExploitedInJapan, s.CVSS = rejected == 1, exploited == 1, scoreValue(score)
	var err error
	if s.Published, err = optTime(pub); err != nil {
		return Summary{}, err
	}
	if s.Updated, err = optTime(upd); err != nil {
		return Summary{}, err
	}
	s.ImportedAt, err = store.ParseTime(imp)
	return s, err
}

func scoreValue(score int) *float64 {
	if score < 0 {
		return nil
	}
	f := float64(score) / 10
	return &f
}

func optTime(s string) (*time.Time, error) {
	if s == "" {
		return nil, nil
	}
	t, err := store.ParseTime(s)
	return &t, err
}

// Vulnerability returns vulnerability id with the pairs p may see (open
// ones only); outside the Cabinet Office its exploited-in-Japan evidence
// is counts only.
func (s *Service) Vulnerability(ctx context.Context, p *auth.Principal, id string) (Detail, error) {
	if _, _, _, ok := principalScope(p); !ok {
		return Detail{}, svcerr.NotFoundf("vulnerability %q", id)
	}
	d, err := s.vulnerability(ctx, id, func() ([]AffectedAsset, error) { return s.Matches(ctx, p, MatchFilter{VulnID: id}) })
	if err == nil && !cabinetOffice(p) {
		d.Exploited = d.Exploited.redacted()
	}
	return d, err
}

// Lookup returns vulnerability id with every open pair (up to 10,000),
// for another service acting on the system's behalf, such as a §42
// request to act that counts and tells the operators affected. Callers'
// own reads go through Vulnerability, which scopes the pairs.
func (s *Service) Lookup(ctx context.Context, id string) (Detail, error) {
	return s.vulnerability(ctx, id, func() ([]AffectedAsset, error) {
		return s.matches(ctx, true, nil, "", MatchFilter{VulnID: id, Limit: 10000})
	})
}

func (s *Service) vulnerability(ctx context.Context, id string, matches func() ([]AffectedAsset, error)) (Detail, error) {
	var rec, ev string
	sum, err := scanSummary(s.db.QueryRow(ctx, "SELECT "+summaryCols+", record, exploited_evidence FROM vuln_records WHERE id = ?", id), &rec, &ev)
	if errors.Is(err, sql.ErrNoRows) {
		return Detail{}, svcerr.NotFoundf("vulnerability %q", id)
	}
	if err != nil {
		return Detail{}, fmt.Errorf("read vulnerability: %w", err)
	}
	d := Detail{Summary: sum}
	if d.Record, err = cve.Parse([]byte(rec)); err != nil {
		return Detail{}, fmt.Errorf("parse stored vulnerability %s: %w", id, err)
	}
	if d.Exploited, err = exploitedOf(ev); err != nil {
		return Detail{}, err
	}
	if d.Matches, err = matches(); err != nil {
		return Detail{}, err
	}
	return d, nil
}

// Matches returns the pairs p may see that match f, newest first: an
// operator its own assets', a ministry its sectors', the Cabinet Office
// all.
func (s *Service) Matches(ctx context.Context, p *auth.Principal, f MatchFilter) ([]AffectedAsset, error) {
	all, sectors, org, ok := principalScope(p)
	if !ok {
		return []AffectedAsset{}, nil
	}
	return s.matches(ctx, all, sectors, org, f)
}

// matches lists the pairs that match f within a scope: all, an org's, or
// sectors'.
func (s *Service) matches(ctx context.Context, all bool, sectors []string, org string, f MatchFilter) ([]AffectedAsset, error) {
	q := `SELECT p.asset_id, COALESCE(a.name, ''), p.org_id, p.sector, p.vuln_id, r.title, r.score, r.exploited, p.affected, p.first_seen, p.resolved_at
FROM vuln_pairs p JOIN vuln_records r ON r.id = p.vuln_id LEFT JOIN vuln_assets a ON a.id = p.asset_id WHERE 1 = 1`
	var args []any
	add := func(cond string, vals ...any) { q += " AND " + cond; args = append(args, vals...) }
	switch {
	case all:
	case org != "":
		add("p.org_id = ?", org)
	default:
		add("p.sector IN (?"+strings.Repeat(", ?", len(sectors)-1)+")", anys(sectors)...)
	}
	if f.OrgID != "" {
		add("p.org_id = ?", f.OrgID)
	}
	if f.Sector != "" {
		add("p.sector = ?", f.Sector)
	}
	if f.VulnID != "" {
		add("p.vuln_id = ?", f.VulnID)
	}
	if !f.IncludeResolved {
		add("p.resolved_at = ''")
	}
	limit := f.Limit
	if limit <= 0 || limit > 10000 {
		limit = 1000
	}
	q += fmt.Sprintf(" ORDER BY p.first_seen DESC, p.asset_id, p.vuln_id LIMIT %d", limit)
	rows, err := s.db.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list matches: %w", err)
	}
	defer rows.Close()
	out := []AffectedAsset{}
	for rows.Next() {
		var a AffectedAsset
		var score, exploited int
		var first, resolved string
		if err := rows.Scan(&a.AssetID, &a.AssetName, &a.OrgID, &a.Sector, &a.VulnID, &a.Title, &score, &exploited, &a.Affected, &first, &resolved); err != nil {
			return nil, err
		}
		a.CVSS, a.ExploitedInJapan = scoreValue(score), exploited == 1
		if a.FirstSeen, err = store.ParseTime(first); err != nil {
			return nil, err
		}
		if a.ResolvedAt, err = optTime(resolved); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// SectorExposure returns, for each vulnerability affecting open pairs in
// sector (all of a ministry's sectors when ""), the assets and operators
// affected: a ministry's view of its sectors, also open to the Cabinet
// Office. Operators get ErrForbidden.
func (s *Service) SectorExposure(ctx context.Context, p *auth.Principal, sector string) ([]ExposureRow, error) {
	all, sectors, _, ok := principalScope(p)
	switch {
	case !ok || (!all && len(sectors) == 0):
		return nil, refuse(CodeNoSectorScope, "")
	case sector != "" && !all && !slices.Contains(sectors, sector):
		return nil, svcerr.NotFoundf("sector %q", sector)
	case sector != "":
		sectors = []string{sector}
	}
	return s.exposure(ctx, sectors)
}

// National returns the Cabinet Office's national view: for each
// vulnerability and sector, the assets and operators affected.
func (s *Service) National(ctx context.Context, p *auth.Principal) ([]ExposureRow, error) {
	if all, _, _, _ := principalScope(p); !all {
		return nil, refuse(CodeNotCabinetOffice, "")
	}
	return s.exposure(ctx, nil)
}

func (s *Service) exposure(ctx context.Context, sectors []string) ([]ExposureRow, error) {
	q := `SELECT p.vuln_id, r.title, r.score, r.exploited, p.sector, COUNT(*), COUNT(DISTINCT p.org_id)
FROM vuln_pairs p JOIN vuln_records r ON r.id = p.vuln_id WHERE p.resolved_at = ''`
	var args []any
	if len(sectors) > 0 {
		q += " AND p.sector IN (?" + strings.Repeat(", ?", len(sectors)-1) + ")"
		args = anys(sectors)
	}
	q += " GROUP BY p.vuln_id, r.title, r.score, r.exploited, p.sector ORDER BY r.exploited DESC, r.score DESC, p.vuln_id, p.sector"
	rows, err := s.db.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("count exposure: %w", err)
	}
	defer rows.Close()
	out := []ExposureRow{}
	for rows.Next() {
		var e ExposureRow
		var score, exploited int
		if err := rows.Scan(&e.VulnID, &e.Title, &score, &exploited, &e.Sector, &e.Assets, &e.Operators); err != nil {
			return nil, err
		}
		e.CVSS, e.ExploitedInJapan = scoreValue(score), exploited == 1
		out = append(out, e)
	}
	return out, rows.Err()
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
