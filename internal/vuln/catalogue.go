package vuln

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/atom"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/textfield"
	"github.com/acd-platform/acd/internal/vuln/cve"
)

// CatalogueTitle is the title of the catalogue of vulnerabilities
// exploited in Japan.
const CatalogueTitle = "ACD Catalogue of Vulnerabilities Exploited in Japan"

// Catalogue is the catalogue of vulnerabilities exploited in Japan in the
// shape of CISA's KEV catalogue: the same top-level and entry field names,
// date-only dateAdded and dueDate, plus jpEvidence in each entry. It
// validates against KEV's JSON schema, which allows extra fields.
type Catalogue struct {
	Title string `json:"title"`
	// CatalogVersion is the day of DateReleased, "2006.01.02".
	CatalogVersion string `json:"catalogVersion"`
	// DateReleased is when the catalogue last changed (the latest mark
	// set or cleared), "2006-01-02T15:04:05.000Z".
	DateReleased    string           `json:"dateReleased"`
	Count           int              `json:"count"`
	Vulnerabilities []CatalogueEntry `json:"vulnerabilities"`
}

// CatalogueEntry is one vulnerability of the catalogue: KEV's fields and
// the public part of the Japanese evidence.
type CatalogueEntry struct {
	KEVEntry
	JPEvidence JPEvidence `json:"jpEvidence"`
}

// JPEvidence is what the public may know of the evidence of exploitation
// in Japan: counts and a date, never the report or finding ids, the note
// or who marked it (they may identify the victims).
type JPEvidence struct {
	// FirstSeen is when exploitation in Japan was first seen, date-only.
	FirstSeen string `json:"firstSeen"`
	// IncidentReports and Findings count the incident reports (§5) and
	// analysts' findings cited.
	IncidentReports int `json:"incidentReports"`
	Findings        int `json:"findings"`
	// InCISAKEV is true when CISA's KEV catalogue, as last imported,
	// lists the vulnerability too.
	InCISAKEV bool `json:"inCisaKev"`
}

// CatalogueCSVHeader is the header of the catalogue's CSV: KEV's columns
// in KEV's order, then the Japanese evidence.
var CatalogueCSVHeader = []string{"cveID", "vendorProject", "product", "vulnerabilityName", "dateAdded", "shortDescription",
	"requiredAction", "dueDate", "knownRansomwareCampaignUse", "notes", "cwes",
	"jpFirstSeen", "jpIncidentReports", "jpFindings", "inCisaKev"}

// Catalogue returns the catalogue of the vulnerabilities marked exploited
// in Japan, newest additions first (dateAdded descending, then cveID).
// It is public. An entry's fields are, in order of preference: those the
// analyst gave with the mark; CISA's KEV entry of the same CVE, if
// imported as a candidate (names, description, ransomware use, cwes); the
// record (the first named affected vendor and product, title, first
// English description, CWEs, up to 5 references and the NVD page as
// notes); and the defaults ([DefaultRequiredAction], due
// [DefaultDueDays] days after dateAdded, "Unknown" ransomware use).
func (s *Service) Catalogue(ctx context.Context) (*Catalogue, error) {
	rows, err := s.db.Query(ctx, `SELECT r.id, r.title, r.record, r.exploited, r.exploited_evidence, COALESCE(k.entry, '')
FROM vuln_records r LEFT JOIN vuln_kev_candidates k ON k.cve_id = r.id WHERE r.exploited_evidence <> ''`)
	if err != nil {
		return nil, fmt.Errorf("read catalogue: %w", err)
	}
	defer rows.Close()
	cat := &Catalogue{Title: CatalogueTitle, Vulnerabilities: []CatalogueEntry{}}
	var released time.Time
	for rows.Next() {
		var id, title, rec, evidence, kev string
		var exploited int
		if err := rows.Scan(&id, &title, &rec, &exploited, &evidence, &kev); err != nil {
			return nil, err
		}
		e, err := exploitedOf(evidence)
		if err != nil {
			return nil, fmt.Errorf("vulnerability %s: %w", id, err)
		}
		if e.SetAt.After(released) {
			released = e.SetAt
		}
		if exploited != 1 {
			continue
		}
		entry, err := catalogueEntry(id, title, rec, e, kev)
		if err != nil {
			return nil, err
		}
		cat.Vulnerabilities = append(cat.Vulnerabilities, entry)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if released.IsZero() {
		released = s.now()
	}
	released = released.UTC()
	cat.DateReleased = released.Format("2006-01-02T15:04:05.000Z")
	cat.CatalogVersion = released.Format("2006.01.02")
	cat.Count = len(cat.Vulnerabilities)
	slices.SortFunc(cat.Vulnerabilities, func(a, b CatalogueEntry) int {
		if c := strings.Compare(b.DateAdded, a.DateAdded); c != 0 {
			return c
		}
		return strings.Compare(a.CVEID, b.CVEID)
	})
	return cat, nil
}

// catalogueEntry builds the entry of vulnerability id from its mark, its
// stored record and its KEV candidate entry (JSON, or "").
func catalogueEntry(id, title, rec string, e *Exploited, kevJSON string) (CatalogueEntry, error) {
	var kev KEVEntry
	if kevJSON != "" {
		if err := json.Unmarshal([]byte(kevJSON), &kev); err != nil {
			return CatalogueEntry{}, fmt.Errorf("decode KEV candidate %s: %w", id, err)
		}
	}
	v, err := cve.Parse([]byte(rec))
	if err != nil {
		return CatalogueEntry{}, fmt.Errorf("parse stored vulnerability %s: %w", id, err)
	}
	var vendor, prod string
	for _, a := range v.Affected {
		if a.Vendor != "" && a.Product != "" && !strings.EqualFold(a.Vendor, "n/a") && !strings.EqualFold(a.Product, "n/a") {
			vendor, prod = a.Vendor, a.Product
			break
		}
	}
	var desc string
	for _, d := range v.Descriptions {
		if d.Lang == "en" || strings.HasPrefix(d.Lang, "en-") {
			desc = d.Value
			break
		}
	}
	var cwes []string
	for _, c := range v.CWEs {
		if kevCWEPattern.MatchString(c) && !slices.Contains(cwes, c) {
			cwes = append(cwes, c)
		}
	}
	if len(cwes) == 0 {
		cwes = kev.CWEs
	}
	refs := v.References[:min(5, len(v.References))]
	notes := strings.Join(append(slices.Clone(refs), "https://nvd.nist.gov/vuln/detail/"+id), " ; ")
	in := e.CatalogueFields
	added := e.Added
	if added == "" {
		added = e.SetAt.UTC().Format(time.DateOnly)
	}
	due := in.DueDate
	if due == "" {
		d, _ := time.Parse(time.DateOnly, added)
		due = d.AddDate(0, 0, DefaultDueDays).Format(time.DateOnly)
	}
	out := CatalogueEntry{
		KEVEntry: KEVEntry{
			CVEID:                      id,
			VendorProject:              first(in.VendorProject, kev.VendorProject, vendor, "unknown"),
			Product:                    first(in.Product, kev.Product, prod, "unknown"),
			VulnerabilityName:          first(in.VulnerabilityName, kev.VulnerabilityName, title, id),
			DateAdded:                  added,
			ShortDescription:           first(in.ShortDescription, kev.ShortDescription, textfield.Cut(desc, MaxCatalogueText)),
			RequiredAction:             first(in.RequiredAction, DefaultRequiredAction),
			DueDate:                    due,
			KnownRansomwareCampaignUse: first(in.KnownRansomwareCampaignUse, kev.KnownRansomwareCampaignUse, "Unknown"),
			Notes:                      notes,
			CWEs:                       append([]string{}, cwes...),
		},
		JPEvidence: JPEvidence{FirstSeen: e.Date, IncidentReports: len(e.ReportIDs), Findings: len(e.FindingIDs), InCISAKEV: kevJSON != ""},
	}
	return out, nil
}

// first returns the first of vs that is not empty.
func first(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// CatalogueCSV writes the catalogue as CSV (RFC 4180): [CatalogueCSVHeader]
// and one row per entry in the catalogue's order; cwes are joined with
// ", " as CISA's CSV does.
func CatalogueCSV(cat *Catalogue) ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.Write(CatalogueCSVHeader); err != nil {
		return nil, fmt.Errorf("write catalogue CSV: %w", err)
	}
	for _, e := range cat.Vulnerabilities {
		if err := w.Write([]string{e.CVEID, e.VendorProject, e.Product, e.VulnerabilityName, e.DateAdded, e.ShortDescription,
			e.RequiredAction, e.DueDate, e.KnownRansomwareCampaignUse, e.Notes, strings.Join(e.CWEs, ", "),
			e.JPEvidence.FirstSeen, strconv.Itoa(e.JPEvidence.IncidentReports), strconv.Itoa(e.JPEvidence.Findings),
			strconv.FormatBool(e.JPEvidence.InCISAKEV)}); err != nil {
			return nil, fmt.Errorf("write catalogue CSV: %w", err)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, fmt.Errorf("write catalogue CSV: %w", err)
	}
	return b.Bytes(), nil
}

// AtomMediaType is the media type of the catalogue's feed.
const AtomMediaType = atom.MediaType

// CatalogueAtom returns the additions to the catalogue as an Atom 1.0
// feed (RFC 4287), newest first, at most limit entries (1 to 1000; other
// values mean 100). An entry's id is urn:acd:catalogue:CVE-…, its
// published and updated time the midnight (UTC) of its dateAdded, its
// link the CVE record at cve.org, its summary the short description, the
// required action and the due date. The feed's updated time is the
// catalogue's dateReleased.
func (s *Service) CatalogueAtom(ctx context.Context, limit int) ([]byte, error) {
	if limit < 1 || limit > 1000 {
		limit = 100
	}
	cat, err := s.Catalogue(ctx)
	if err != nil {
		return nil, err
	}
	base := s.cfg.BaseURL
	f := atom.Feed{Lang: "en", ID: "urn:acd:catalogue", Title: CatalogueTitle, Updated: cat.DateReleased,
		Author: atom.Person{Name: "National Cybersecurity Office, Cabinet Office"},
		Links: []atom.Link{{Rel: "self", Type: "application/atom+xml", Href: base + "/catalogue.atom"},
			{Rel: "alternate", Type: "application/json", Href: base + "/api/v1/catalogue.json"}}}
	for i, e := range cat.Vulnerabilities {
		if i == limit {
			break
		}
		at := e.DateAdded + "T00:00:00Z"
		f.Entries = append(f.Entries, atom.Entry{
			ID:        "urn:acd:catalogue:" + e.CVEID,
			Title:     atom.PlainText(e.CVEID + ": " + e.VulnerabilityName),
			Updated:   at,
			Published: at,
			Link:      atom.Link{Rel: "alternate", Type: "text/html", Href: "https://www.cve.org/CVERecord?id=" + e.CVEID},
			Summary:   atom.PlainText(fmt.Sprintf("%s\n\nRequired action: %s (due %s)", e.ShortDescription, e.RequiredAction, e.DueDate)),
		})
	}
	return atom.Encode(f)
}

// KEVImportResult says what an import of CISA's KEV catalogue found.
type KEVImportResult struct {
	CatalogVersion string `json:"catalog_version"`
	// Entries is how many vulnerabilities the catalogue lists.
	Entries int `json:"entries"`
	// Candidates is how many concern vulnerabilities ACD has imported:
	// each is stored (or updated) as a candidate; New of them were not
	// candidates before.
	Candidates int `json:"candidates"`
	New        int `json:"new"`
	// AlreadyExploited is how many candidates are already marked
	// exploited in Japan.
	AlreadyExploited int `json:"already_exploited"`
	// NotImported is how many concern vulnerabilities ACD has no record of.
	NotImported int `json:"not_imported"`
}

// Candidate is a vulnerability ACD has imported that CISA's KEV catalogue
// lists as exploited: a candidate for the catalogue of vulnerabilities
// exploited in Japan, which only an analyst's mark adds it to.
type Candidate struct {
	CVEID string `json:"cve_id"`
	// Title is the title of ACD's record.
	Title            string    `json:"title,omitempty"`
	ExploitedInJapan bool      `json:"exploited_in_japan"`
	CatalogVersion   string    `json:"catalog_version"`
	KEV              KEVEntry  `json:"kev"`
	ImportedAt       time.Time `json:"imported_at"`
}

// ImportKEV stores the entries of CISA's KEV catalogue cat (see
// [DecodeKEV]) that concern vulnerabilities already imported as
// candidates for the catalogue, replacing an earlier import's entry of
// the same CVE; it marks nothing exploited in Japan. Analysts only;
// audited as one "vuln.kev_import" entry with the counts.
func (s *Service) ImportKEV(ctx context.Context, p *auth.Principal, cat *KEVCatalog) (KEVImportResult, error) {
	if !cabinetOffice(p) {
		return KEVImportResult{}, refuse(CodeNotCabinetOffice, "only the Cabinet Office imports KEV candidates")
	}
	res := KEVImportResult{CatalogVersion: cat.CatalogVersion, Entries: len(cat.Vulnerabilities)}
	now := store.FormatTime(s.now())
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		res = KEVImportResult{CatalogVersion: cat.CatalogVersion, Entries: len(cat.Vulnerabilities)}
		known, err := idSet(ctx, tx, "SELECT id, exploited FROM vuln_records")
		if err != nil {
			return err
		}
		had, err := idSet(ctx, tx, "SELECT cve_id, 0 FROM vuln_kev_candidates")
		if err != nil {
			return err
		}
		for _, e := range cat.Vulnerabilities {
			exploited, ok := known[e.CVEID]
			if !ok {
				res.NotImported++
				continue
			}
			data, err := json.Marshal(e)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO vuln_kev_candidates (cve_id, catalog_version, entry, imported_by, imported_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (cve_id) DO UPDATE SET catalog_version = excluded.catalog_version, entry = excluded.entry, imported_by = excluded.imported_by, imported_at = excluded.imported_at`,
				e.CVEID, cat.CatalogVersion, string(data), p.UserID, now); err != nil {
				return fmt.Errorf("store KEV candidate %s: %w", e.CVEID, err)
			}
			res.Candidates++
			if _, ok := had[e.CVEID]; !ok {
				res.New++
			}
			if exploited {
				res.AlreadyExploited++
			}
		}
		return s.audit(ctx, tx, p, "vuln.kev_import", "kev/"+cat.CatalogVersion, res)
	})
	return res, err
}

// idSet reads query's rows (an id and a 0/1 flag) into a map.
func idSet(ctx context.Context, q store.Querier, query string) (map[string]bool, error) {
	rows, err := q.Query(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("read ids: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		var flag int
		if err := rows.Scan(&id, &flag); err != nil {
			return nil, err
		}
		out[id] = flag == 1
	}
	return out, rows.Err()
}

// Candidates lists the KEV candidates: those not yet marked exploited in
// Japan first, then by KEV's dateAdded, newest first, then by CVE id.
// Analysts only.
func (s *Service) Candidates(ctx context.Context, p *auth.Principal) ([]Candidate, error) {
	if !cabinetOffice(p) {
		return nil, refuse(CodeNotCabinetOffice, "only the Cabinet Office sees KEV candidates")
	}
	rows, err := s.db.Query(ctx, `SELECT k.cve_id, r.title, r.exploited, k.catalog_version, k.entry, k.imported_at
FROM vuln_kev_candidates k JOIN vuln_records r ON r.id = k.cve_id`)
	if err != nil {
		return nil, fmt.Errorf("read KEV candidates: %w", err)
	}
	defer rows.Close()
	out := []Candidate{}
	for rows.Next() {
		var c Candidate
		var exploited int
		var entry, at string
		if err := rows.Scan(&c.CVEID, &c.Title, &exploited, &c.CatalogVersion, &entry, &at); err != nil {
			return nil, err
		}
		c.ExploitedInJapan = exploited == 1
		if err := json.Unmarshal([]byte(entry), &c.KEV); err != nil {
			return nil, fmt.Errorf("decode KEV candidate %s: %w", c.CVEID, err)
		}
		if c.ImportedAt, err = store.ParseTime(at); err != nil {
			return nil, fmt.Errorf("KEV candidate %s: %w", c.CVEID, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b Candidate) int {
		if a.ExploitedInJapan != b.ExploitedInJapan {
			if a.ExploitedInJapan {
				return 1
			}
			return -1
		}
		if c := strings.Compare(b.KEV.DateAdded, a.KEV.DateAdded); c != 0 {
			return c
		}
		return strings.Compare(a.CVEID, b.CVEID)
	})
	return out, nil
}
