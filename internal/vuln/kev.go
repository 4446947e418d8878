package vuln

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/acd-platform/acd/internal/svcerr"
)

// Limits of a KEV catalogue to import.
const (
	// MaxKEVSize is the most bytes of a KEV catalogue.
	MaxKEVSize = 64 << 20
	// MaxKEVEntries is the most vulnerabilities one catalogue may list.
	MaxKEVEntries = 100_000
)

// KEVCatalog is a catalogue in the shape of CISA's Known Exploited
// Vulnerabilities catalogue (its field names; see
// known_exploited_vulnerabilities_schema.json).
type KEVCatalog struct {
	Title string `json:"title"`
	// CatalogVersion is CISA's "2025.08.25".
	CatalogVersion string `json:"catalogVersion"`
	// DateReleased is an RFC 3339 date-time.
	DateReleased    string     `json:"dateReleased"`
	Count           int        `json:"count"`
	Vulnerabilities []KEVEntry `json:"vulnerabilities"`
}

// KEVEntry is one vulnerability of a KEV catalogue; DateAdded and DueDate
// are date-only ("2006-01-02").
type KEVEntry struct {
	CVEID                      string   `json:"cveID"`
	VendorProject              string   `json:"vendorProject"`
	Product                    string   `json:"product"`
	VulnerabilityName          string   `json:"vulnerabilityName"`
	DateAdded                  string   `json:"dateAdded"`
	ShortDescription           string   `json:"shortDescription"`
	RequiredAction             string   `json:"requiredAction"`
	DueDate                    string   `json:"dueDate"`
	KnownRansomwareCampaignUse string   `json:"knownRansomwareCampaignUse"`
	Notes                      string   `json:"notes"`
	CWEs                       []string `json:"cwes"`
}

// The patterns of KEV's schema.
var (
	kevCVEPattern = regexp.MustCompile(`^CVE-[0-9]{4}-[0-9]{4,19}$`)
	kevCWEPattern = regexp.MustCompile(`^CWE-[0-9]+$`)
)

// DecodeKEV reads a KEV catalogue (CISA's known_exploited_vulnerabilities.json)
// and checks what KEV's schema requires: catalogVersion, dateReleased
// (RFC 3339), count equal to the number of vulnerabilities, and for each
// vulnerability the required fields, a cveID of CVE-YYYY-NNNN…, date-only
// dateAdded and dueDate and CWE-N cwes; a cveID listed twice is refused.
// Unknown fields are ignored (CISA may add some). The error is a
// [*FieldError] naming the field ("vulnerabilities[3].dueDate") and, for
// an entry, its cveID.
func DecodeKEV(data []byte) (*KEVCatalog, error) {
	if len(data) > MaxKEVSize {
		return nil, svcerr.Fieldf("body", "%d bytes, want at most %d", len(data), MaxKEVSize)
	}
	var top struct {
		Title           string            `json:"title"`
		CatalogVersion  *string           `json:"catalogVersion"`
		DateReleased    *string           `json:"dateReleased"`
		Count           *int              `json:"count"`
		Vulnerabilities []json.RawMessage `json:"vulnerabilities"`
	}
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, jsonError("", err)
	}
	switch {
	case top.CatalogVersion == nil || *top.CatalogVersion == "":
		return nil, svcerr.Fieldf("catalogVersion", "required")
	case top.DateReleased == nil:
		return nil, svcerr.Fieldf("dateReleased", "required")
	case top.Count == nil:
		return nil, svcerr.Fieldf("count", "required")
	case top.Vulnerabilities == nil:
		return nil, svcerr.Fieldf("vulnerabilities", "required: an array")
	}
	if _, err := time.Parse(time.RFC3339, *top.DateReleased); err != nil {
		return nil, svcerr.Fieldf("dateReleased", "%q: want an RFC 3339 date-time", cut(*top.DateReleased))
	}
	if n := len(top.Vulnerabilities); n > MaxKEVEntries {
		return nil, svcerr.Fieldf("vulnerabilities", "%d entries, want at most %d", n, MaxKEVEntries)
	}
	if *top.Count != len(top.Vulnerabilities) {
		return nil, svcerr.Fieldf("count", "%d, but %d vulnerabilities are listed", *top.Count, len(top.Vulnerabilities))
	}
	cat := &KEVCatalog{Title: top.Title, CatalogVersion: *top.CatalogVersion, DateReleased: *top.DateReleased,
		Count: *top.Count, Vulnerabilities: make([]KEVEntry, len(top.Vulnerabilities))}
	seen := make(map[string]int, len(top.Vulnerabilities))
	for i, raw := range top.Vulnerabilities {
		at := fmt.Sprintf("vulnerabilities[%d]", i)
		e, err := decodeKEVEntry(at, raw)
		if err != nil {
			return nil, err
		}
		if j, dup := seen[e.CVEID]; dup {
			return nil, svcerr.Fieldf(at+".cveID", "%s listed already at vulnerabilities[%d]", e.CVEID, j)
		}
		seen[e.CVEID] = i
		cat.Vulnerabilities[i] = e
	}
	return cat, nil
}

// decodeKEVEntry reads and checks the entry at path at.
func decodeKEVEntry(at string, raw json.RawMessage) (KEVEntry, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return KEVEntry{}, jsonError(at, err)
	}
	var e KEVEntry
	if err := json.Unmarshal(raw, &e); err != nil {
		return KEVEntry{}, jsonError(at, err)
	}
	if !kevCVEPattern.MatchString(e.CVEID) {
		return KEVEntry{}, svcerr.Fieldf(at+".cveID", "%q: want CVE-YYYY-NNNN", cut(e.CVEID))
	}
	for _, f := range []string{"vendorProject", "product", "vulnerabilityName", "dateAdded", "shortDescription", "requiredAction", "dueDate"} {
		if _, ok := m[f]; !ok {
			return KEVEntry{}, svcerr.Fieldf(at+"."+f, "%s: required", e.CVEID)
		}
	}
	for _, f := range []struct{ name, v string }{{"dateAdded", e.DateAdded}, {"dueDate", e.DueDate}} {
		if _, err := time.Parse(time.DateOnly, f.v); err != nil {
			return KEVEntry{}, svcerr.Fieldf(at+"."+f.name, "%s: %q: want YYYY-MM-DD", e.CVEID, cut(f.v))
		}
	}
	for j, c := range e.CWEs {
		if !kevCWEPattern.MatchString(c) {
			return KEVEntry{}, svcerr.Fieldf(fmt.Sprintf("%s.cwes[%d]", at, j), "%s: %q: want CWE-N", e.CVEID, cut(c))
		}
	}
	return e, nil
}

// jsonError turns a JSON decoding error at path at into a field error that
// says where.
func jsonError(at string, err error) error {
	join := func(f string) string {
		switch {
		case at == "":
			return f
		case f == "":
			return at
		}
		return at + "." + f
	}
	if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		return svcerr.Fieldf(join(te.Field), "%s: want %s (offset %d)", te.Value, te.Type, te.Offset)
	}
	if se, ok := errors.AsType[*json.SyntaxError](err); ok {
		return svcerr.Fieldf(join("body"), "not JSON: %v (offset %d)", se, se.Offset)
	}
	return svcerr.Fieldf(join("body"), "not a KEV catalogue: %v", err)
}
