package vuln

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/svcerr"
	"github.com/acd-platform/acd/internal/vuln/cve"
)

// Limits of a list of vulnerabilities.
const (
	// DefaultListLimit is how many vulnerabilities a page of [Service.List]
	// holds when the filter gives no limit; MaxListLimit the most.
	DefaultListLimit = 100
	MaxListLimit     = 1000
	// MaxListQuery is the most characters of a search, maxListWords the
	// most words.
	MaxListQuery = 200
	maxListWords = 10
	// maxListScan is how many records one search reads at most before it
	// stops and hands back a cursor to go on from: a search term that
	// only the records' JSON holds (a field name) would otherwise read
	// and parse every record.
	maxListScan = 5000
	// maxListProducts is how many affected products an entry names.
	maxListProducts = 5
)

// ListFilter selects the vulnerabilities [Service.List] returns; the zero
// value lists every one the caller may see.
type ListFilter struct {
	// Query, when set, is words separated by spaces, each of which must
	// be part (in any case) of the CVE id, the title, or the vendor or
	// product name of an affected product.
	Query string
	// ExploitedOnly lists only the vulnerabilities marked exploited in
	// Japan.
	ExploitedOnly bool
	// Affecting lists only the vulnerabilities with open pairs the caller
	// may see; it is always so for operators and ministries.
	Affecting bool
	// After is the cursor of the page before (ListResult.Next); "" for
	// the first page.
	After string
	// Limit is the most entries returned; 0 means [DefaultListLimit],
	// over [MaxListLimit] means MaxListLimit.
	Limit int
}

// ListEntry is a vulnerability as the list shows it.
type ListEntry struct {
	Summary
	// Products names up to 5 affected products ("vendor product"), in
	// record order, each once.
	Products []string `json:"products,omitempty"`
	// Assets counts the open pairs of the vulnerability the caller may
	// see: an operator's own assets, a ministry's sectors', all.
	Assets int `json:"assets"`
}

// ListResult is one page of [Service.List].
type ListResult struct {
	Vulnerabilities []ListEntry `json:"vulnerabilities"`
	// Next is the cursor of the next page (ListFilter.After); "" when
	// the list is complete. A search that read many records without
	// filling the page stops early and sets it too, so the next page may
	// be empty.
	Next string `json:"next,omitempty"`
}

// List returns the vulnerabilities that match f, the most recently
// published first (then by id, descending): for the Cabinet Office every
// imported vulnerability, for a ministry those affecting its sectors' open
// pairs, for an operator those affecting its own (f.Affecting is implied
// for both). Each entry counts the open pairs the caller may see.
func (s *Service) List(ctx context.Context, p *auth.Principal, f ListFilter) (ListResult, error) {
	res := ListResult{Vulnerabilities: []ListEntry{}}
	all, sectors, org, ok := principalScope(p)
	if !ok {
		return res, nil
	}
	q := strings.TrimSpace(f.Query)
	if !utf8.ValidString(q) {
		return res, svcerr.Fieldf("q", "not valid UTF-8")
	}
	if n := utf8.RuneCountInString(q); n > MaxListQuery {
		return res, svcerr.Fieldf("q", "%d characters long, want at most %d", n, MaxListQuery)
	}
	words := strings.Fields(strings.ToLower(q))
	if len(words) > maxListWords {
		return res, svcerr.Fieldf("q", "%d words, want at most %d", len(words), maxListWords)
	}
	var afterPub, afterID string
	if f.After != "" {
		var err error
		if afterPub, afterID, err = parseCursor(f.After); err != nil {
			return res, err
		}
	}
	limit := f.Limit
	switch {
	case limit <= 0:
		limit = DefaultListLimit
	case limit > MaxListLimit:
		limit = MaxListLimit
	}

	scope, scopeArgs := pairScope(all, sectors, org)
	var args []any
	query := "SELECT " + summaryCols + ", record, (SELECT COUNT(*) FROM vuln_pairs p WHERE p.vuln_id = r.id AND p.resolved_at = ''" + scope + ")" +
		" FROM vuln_records r WHERE 1 = 1"
	args = append(args, scopeArgs...)
	if f.ExploitedOnly {
		query += " AND r.exploited = 1"
	}
	if f.Affecting || !all {
		query += " AND EXISTS (SELECT 1 FROM vuln_pairs p WHERE p.vuln_id = r.id AND p.resolved_at = ''" + scope + ")"
		args = append(args, scopeArgs...)
	}
	// Each word narrows the rows down in the database (SQLite's LOWER
	// folds ASCII only, so a non-ASCII word must match the record's
	// case there); queryMatches then decides on the parsed record.
	for _, w := range words {
		like := "%" + likeEscape(w) + "%"
		query += ` AND (LOWER(r.id) LIKE ? ESCAPE '\' OR LOWER(r.title) LIKE ? ESCAPE '\' OR LOWER(r.record) LIKE ? ESCAPE '\')`
		args = append(args, like, like, like)
	}
	if f.After != "" {
		query += " AND (r.published < ? OR (r.published = ? AND r.id < ?))"
		args = append(args, afterPub, afterPub, afterID)
	}
	scan := limit + 1
	if len(words) > 0 {
		scan = maxListScan + 1
	}
	query += fmt.Sprintf(" ORDER BY r.published DESC, r.id DESC LIMIT %d", scan)

	rows, err := s.db.Query(ctx, query, args...)
	if err != nil {
		return res, fmt.Errorf("list vulnerabilities: %w", err)
	}
	defer rows.Close()
	scanned, last := 0, ""
	for rows.Next() {
		if len(res.Vulnerabilities) == limit || scanned == maxListScan {
			res.Next = last
			break
		}
		var rec string
		var e ListEntry
		if e.Summary, err = scanSummary(rows, &rec, &e.Assets); err != nil {
			return res, fmt.Errorf("list vulnerabilities: %w", err)
		}
		scanned++
		last = cursorOf(e.Summary)
		v, err := cve.Parse([]byte(rec))
		if err != nil {
			return res, fmt.Errorf("parse stored vulnerability %s: %w", e.ID, err)
		}
		if !queryMatches(words, e.Summary, v) {
			continue
		}
		e.Products = productNames(v)
		res.Vulnerabilities = append(res.Vulnerabilities, e)
	}
	if err := rows.Err(); err != nil {
		return res, fmt.Errorf("list vulnerabilities: %w", err)
	}
	return res, nil
}

// pairScope is the condition on the pairs p that keeps those of a scope
// (all, a ministry's sectors, an operator's organisation), with its
// arguments; "" for all.
func pairScope(all bool, sectors []string, org string) (string, []any) {
	switch {
	case all:
		return "", nil
	case org != "":
		return " AND p.org_id = ?", []any{org}
	}
	return " AND p.sector IN (?" + strings.Repeat(", ?", len(sectors)-1) + ")", anys(sectors)
}

// likeEscape escapes s for a LIKE pattern with ESCAPE '\'.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// queryMatches reports whether every word (lower case) is part of the id,
// the title or an affected product's vendor or product name: the
// database's search of the whole record only narrows the rows down.
func queryMatches(words []string, sum Summary, v *cve.Vulnerability) bool {
	for _, w := range words {
		if !wordMatches(w, sum, v) {
			return false
		}
	}
	return true
}

func wordMatches(w string, sum Summary, v *cve.Vulnerability) bool {
	if strings.Contains(strings.ToLower(sum.ID), w) || strings.Contains(strings.ToLower(sum.Title), w) {
		return true
	}
	for _, a := range v.Affected {
		if strings.Contains(strings.ToLower(a.Vendor), w) || strings.Contains(strings.ToLower(a.Product), w) {
			return true
		}
	}
	return false
}

// productNames names the first few affected products of v, each once.
func productNames(v *cve.Vulnerability) []string {
	var out []string
	for _, a := range v.Affected {
		if a.Product == "" || strings.EqualFold(a.Product, "n/a") {
			continue
		}
		name := a.Product
		if a.Vendor != "" && !strings.EqualFold(a.Vendor, "n/a") {
			name = a.Vendor + " " + a.Product
		}
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
		if len(out) == maxListProducts {
			break
		}
	}
	return out
}

// cursorOf is the cursor after sum: its published time as stored and its
// id, joined by "~".
func cursorOf(sum Summary) string {
	pub := ""
	if sum.Published != nil {
		pub = store.FormatTime(*sum.Published)
	}
	return pub + "~" + sum.ID
}

// parseCursor reads a cursor of cursorOf.
func parseCursor(c string) (published, id string, err error) {
	published, id, ok := strings.Cut(c, "~")
	if !ok || id == "" || len(id) > 100 {
		return "", "", svcerr.Fieldf("after", "%q: not a cursor of this list", cut(c))
	}
	if published != "" {
		t, err := store.ParseTime(published)
		if err != nil {
			return "", "", svcerr.Fieldf("after", "%q: not a cursor of this list", cut(c))
		}
		published = store.FormatTime(t)
	}
	return published, id, nil
}
