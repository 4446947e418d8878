package web

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"

	"github.com/acd-platform/acd/internal/sector"
	"github.com/acd-platform/acd/internal/vuln"
)

// The views of the matches: the assets affected (an operator's own, a
// ministry's sectors', all), a ministry's sectors' exposure and the
// Cabinet Office's national view.

// maxAffected is how many pairs the page of affected assets reads.
const maxAffected = 10000

// affectedPair is a pair with its catalogue entry when the vulnerability
// is exploited in Japan.
type affectedPair struct {
	vuln.AffectedAsset
	Entry *vuln.CatalogueEntry
}

// affectedGroup is the pairs of one asset, or of one vulnerability.
type affectedGroup struct {
	// Key is the asset's or the vulnerability's id.
	Key string
	// First is the group's first pair, which carries the asset's or the
	// vulnerability's names.
	First affectedPair
	Pairs []affectedPair
	// Exploited: a pair's vulnerability is exploited in Japan.
	Exploited bool
	// Open counts the pairs that still hold.
	Open int
}

type vulnAffectedData struct {
	vulnFmt
	N names
	// By is "asset" or "vuln"; Resolved shows the pairs no longer
	// holding too.
	By       string
	Resolved bool
	Groups   []affectedGroup
	Pairs    int
	// ShowOrg: the pairs are of several organisations or not the
	// viewer's, so the organisation shows.
	ShowOrg bool
	// Truncated: the page shows only the first maxAffected pairs.
	Truncated bool
	Err       fieldErr
}

func (s *Site) vulnAffected(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	n, err := s.names(r)
	if err != nil {
		return err
	}
	d := vulnAffectedData{N: n, By: r.URL.Query().Get("by"), Resolved: queryFlag(r, "resolved")}
	switch d.By {
	case "":
		d.By = "asset"
	case "asset", "vuln":
	default:
		d.Err = fieldErr{"by", strconv.Quote(d.By) + ": want asset or vuln"}
		d.By = "asset"
		return s.render(w, r, http.StatusBadRequest, "vuln_affected", "vulns.affected.title", d, "", s.t(r, "form.invalid"))
	}
	ms, err := s.cfg.Vuln.Matches(r.Context(), p, vuln.MatchFilter{IncludeResolved: d.Resolved, Limit: maxAffected})
	if err != nil {
		return s.vulnPageError(w, r, err)
	}
	entries, err := s.catalogueEntries(r)
	if err != nil {
		return s.vulnPageError(w, r, err)
	}
	d.Pairs, d.Truncated = len(ms), len(ms) == maxAffected
	byKey := map[string]int{}
	for _, m := range ms {
		ap := affectedPair{AffectedAsset: m}
		if e, ok := entries[m.VulnID]; ok && m.ExploitedInJapan {
			ap.Entry = &e
		}
		if m.OrgID != p.OrgID {
			d.ShowOrg = true
		}
		key := m.AssetID
		if d.By == "vuln" {
			key = m.VulnID
		}
		i, ok := byKey[key]
		if !ok {
			i = len(d.Groups)
			byKey[key] = i
			d.Groups = append(d.Groups, affectedGroup{Key: key, First: ap})
		}
		g := &d.Groups[i]
		g.Pairs = append(g.Pairs, ap)
		g.Exploited = g.Exploited || m.ExploitedInJapan
		if m.ResolvedAt == nil {
			g.Open++
		}
	}
	// The most urgent first: exploited in Japan, then the highest score;
	// within a group likewise, the pairs still holding before the others.
	for i := range d.Groups {
		slices.SortStableFunc(d.Groups[i].Pairs, comparePairs)
	}
	slices.SortStableFunc(d.Groups, func(a, b affectedGroup) int {
		if c := compareBool(a.Exploited, b.Exploited); c != 0 {
			return c
		}
		if c := comparePairs(a.Pairs[0], b.Pairs[0]); c != 0 {
			return c
		}
		return cmp.Compare(a.Key, b.Key)
	})
	return s.render(w, r, http.StatusOK, "vuln_affected", "vulns.affected.title", d)
}

// comparePairs orders pairs by urgency: open before resolved, exploited
// in Japan first, then by score, highest first.
func comparePairs(a, b affectedPair) int {
	if c := compareBool(a.ResolvedAt == nil, b.ResolvedAt == nil); c != 0 {
		return c
	}
	if c := compareBool(a.ExploitedInJapan, b.ExploitedInJapan); c != 0 {
		return c
	}
	return cmp.Compare(scoreOrZero(b.CVSS), scoreOrZero(a.CVSS))
}

// compareBool orders true before false.
func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return -1
	}
	return 1
}

func scoreOrZero(s *float64) float64 {
	if s == nil {
		return -1
	}
	return *s
}

type vulnExposureData struct {
	vulnFmt
	N names
	// Sector is the sector chosen, "" for all the viewer's; Sectors are
	// those it may choose from.
	Sector  string
	Sectors []string
	Rows    []vuln.ExposureRow
	Err     fieldErr
}

func (s *Site) vulnExposure(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	n, err := s.names(r)
	if err != nil {
		return err
	}
	d := vulnExposureData{N: n, Sector: r.URL.Query().Get("sector"), Sectors: visibleSectors(p)}
	if d.Sector != "" && len(d.Sectors) > 0 && !slices.Contains(d.Sectors, d.Sector) {
		d.Err = fieldErr{"sector", strconv.Quote(d.Sector) + ": not a sector of yours"}
		return s.render(w, r, http.StatusBadRequest, "vuln_exposure", "vulns.exposure.title", d, "", s.t(r, "form.invalid"))
	}
	rows, err := s.cfg.Vuln.SectorExposure(r.Context(), p, d.Sector)
	if err != nil {
		return s.vulnPageError(w, r, err)
	}
	d.Rows = rows
	return s.render(w, r, http.StatusOK, "vuln_exposure", "vulns.exposure.title", d)
}

// nationalRow is one vulnerability of the national view with its counts
// in each sector of the table's columns.
type nationalRow struct {
	vuln.ExposureRow
	// Cells are the counts in the order of the columns; nil where the
	// sector has none.
	Cells []*vuln.ExposureRow
	// Assets and Operators are the totals across sectors.
	Assets, Operators int
}

type vulnNationalData struct {
	vulnFmt
	N names
	// Sectors are the columns: the sectors with an affected asset, in
	// the order of the sector list.
	Sectors []string
	Rows    []nationalRow
	// Totals are the assets affected in each column.
	Totals []int
}

func (s *Site) vulnNational(w http.ResponseWriter, r *http.Request) error {
	n, err := s.names(r)
	if err != nil {
		return err
	}
	rows, err := s.cfg.Vuln.National(r.Context(), principal(r))
	if err != nil {
		return s.vulnPageError(w, r, err)
	}
	d := vulnNationalData{N: n}
	present := map[string]bool{}
	for _, e := range rows {
		present[e.Sector] = true
	}
	for _, c := range sector.Codes() {
		if present[c] {
			d.Sectors = append(d.Sectors, c)
			delete(present, c)
		}
	}
	rest := make([]string, 0, len(present)) // sectors no longer in the list
	for c := range present {
		rest = append(rest, c)
	}
	slices.Sort(rest)
	d.Sectors = append(d.Sectors, rest...)
	col := map[string]int{}
	for i, c := range d.Sectors {
		col[c] = i
	}
	d.Totals = make([]int, len(d.Sectors))
	byVuln := map[string]int{}
	for _, e := range rows {
		i, ok := byVuln[e.VulnID]
		if !ok {
			i = len(d.Rows)
			byVuln[e.VulnID] = i
			d.Rows = append(d.Rows, nationalRow{ExposureRow: e, Cells: make([]*vuln.ExposureRow, len(d.Sectors))})
		}
		row := &d.Rows[i]
		cell := e
		row.Cells[col[e.Sector]] = &cell
		row.Assets += e.Assets
		row.Operators += e.Operators
		d.Totals[col[e.Sector]] += e.Assets
	}
	return s.render(w, r, http.StatusOK, "vuln_national", "vulns.national.title", d)
}
