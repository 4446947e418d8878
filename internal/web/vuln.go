package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/vuln"
	"github.com/acd-platform/acd/internal/vuln/cve"
)

// The pages of vulnerabilities matched to specified critical computers
// (§42; docs/vuln.md):
//
//   - /catalogue: the public catalogue of vulnerabilities exploited in
//     Japan, for anyone without logging in, with its JSON, CSV and Atom
//     feed (served by the vulnerability API);
//   - /catalogue/candidates: the Cabinet Office's import of CISA's KEV
//     catalogue and the candidates it gives, those not yet marked first;
//   - /vulns: the vulnerabilities the viewer may see (the Cabinet Office
//     all, with the import of CVE JSON 5 and NVD records; an operator or a
//     ministry those affecting its computers or sectors), searched by CVE
//     id, vendor or product; /vulns/{id} one of them with its scores,
//     weaknesses, affected products, the exploited-in-Japan mark and the
//     matched assets the viewer may see, and for the Cabinet Office the
//     form that marks or clears the mark;
//   - /vulns/affected: the assets affected, as the viewer may see them (an
//     operator its own), by asset or by vulnerability, with the
//     catalogue's required action and due date;
//   - /vulns/exposure: a ministry's sectors' exposure; /vulns/national:
//     the Cabinet Office's vulnerability × sector counts.
//
// Every page is a route with its action, so the one policy guards it; the
// vulnerability service then scopes each view, and a step it refuses shows
// as the refusal's message in the page's language with its code, which
// also goes in the X-ACD-Refusal header.

// registerVuln adds the vulnerability pages through page, Register's
// helper; it adds none when the site has no vulnerability service.
func (s *Site) registerVuln(page func(pattern string, action auth.Action, h api.HandlerFunc)) {
	if s.cfg.Vuln == nil {
		return
	}
	page("GET /catalogue", auth.CatalogueRead, s.vulnCatalogue)
	page("GET /catalogue/candidates", auth.CatalogueWrite, s.vulnCandidates)
	page("POST /catalogue/candidates", auth.CatalogueWrite, s.vulnCandidatesImport)

	page("GET /vulns", auth.VulnRead, s.vulnList)
	page("POST /vulns/import", auth.VulnImport, s.vulnImport)
	page("GET /vulns/affected", auth.VulnRead, s.vulnAffected)
	page("GET /vulns/matches", auth.VulnRead, s.vulnMatches)
	page("GET /vulns/exposure", auth.VulnExposure, s.vulnExposure)
	page("GET /vulns/national", auth.VulnNational, s.vulnNational)
	page("GET /vulns/{id}", auth.VulnRead, s.vulnDetail)
	page("POST /vulns/{id}/exploited", auth.VulnExploitedWrite, s.vulnExploited)

	s.links[auth.VulnRead] = "/vulns/affected"
	s.links[auth.VulnImport] = "/vulns#import"
	s.links[auth.VulnExploitedWrite] = "/vulns"
	s.links[auth.VulnExposure] = "/vulns/exposure"
	s.links[auth.VulnNational] = "/vulns/national"
	s.links[auth.CatalogueWrite] = "/catalogue/candidates"
}

// vulnMessages are the vulnerability pages' messages of a service's
// errors.
var vulnMessages = pageMessages{refused: "vuln.refused", forbidden: "vuln.forbidden"}

// vulnPageError is svcPageError with the vulnerability pages' messages.
func (s *Site) vulnPageError(w http.ResponseWriter, r *http.Request, err error) error {
	return s.svcPageError(w, r, vulnMessages, err)
}

// vulnFailed is svcFailed with the vulnerability pages' messages.
func (s *Site) vulnFailed(w http.ResponseWriter, r *http.Request, err error, fields func(string) (string, string)) (formFailure, bool) {
	return s.svcFailed(w, r, vulnMessages, err, fields)
}

// vulnFmt formats the values of the vulnerability pages; their data embed
// it, so the templates call its methods.
type vulnFmt struct{}

// Score is a CVSS base score with one decimal, or "—".
func (vulnFmt) Score(score *float64) string {
	if score == nil {
		return "—"
	}
	return strconv.FormatFloat(*score, 'f', 1, 64)
}

// ScoreOf is Score of a score that is always given.
func (vulnFmt) ScoreOf(score float64) string { return strconv.FormatFloat(score, 'f', 1, 64) }

// Severity is the catalogue key of a score's CVSS qualitative rating
// (cve.Severity): critical, high, medium, low or none; unknown for none
// given.
func (vulnFmt) Severity(score *float64) string {
	if score == nil {
		return "vuln.severity.unknown"
	}
	return "vuln.severity." + strings.ToLower(cve.Severity(*score))
}

// SeverityClass is the badge class of a score: red from high up, amber
// for medium, grey below.
func (vulnFmt) SeverityClass(score *float64) string {
	switch {
	case score == nil:
		return "badge tl-pending"
	case *score >= 7:
		return "badge tl-missing"
	case *score >= 4:
		return "badge tl-late"
	}
	return "badge tl-pending"
}

// When renders an optional time in Japan time, or "—".
func (vulnFmt) When(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return formatJST(*t)
}

// Released renders the catalogue's dateReleased in Japan time.
func (vulnFmt) Released(s string) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return s
	}
	return formatJST(t)
}

// CVEURL is the CVE Program's page of a CVE id.
func (vulnFmt) CVEURL(id string) string { return "https://www.cve.org/CVERecord?id=" + id }

// NVDURL is the NVD's page of a CVE id.
func (vulnFmt) NVDURL(id string) string { return "https://nvd.nist.gov/vuln/detail/" + id }

// CWEURL is MITRE's page of a CWE id ("CWE-79"), or "" for another text.
func (vulnFmt) CWEURL(id string) string {
	n, ok := strings.CutPrefix(id, "CWE-")
	if _, err := strconv.Atoi(n); !ok || err != nil {
		return ""
	}
	return "https://cwe.mitre.org/data/definitions/" + n + ".html"
}

// Ransomware is the catalogue key of KEV's knownRansomwareCampaignUse.
func (vulnFmt) Ransomware(v string) string {
	if v == "Known" {
		return "catalogue.ransomware.known"
	}
	return "catalogue.ransomware.unknown"
}

// DefaultAction is the catalogue's required action when the analyst
// gives none.
func (vulnFmt) DefaultAction() string { return vuln.DefaultRequiredAction }

// catalogueEntries returns the catalogue's entries by CVE id, for pages
// that show an exploited vulnerability's required action and due date.
func (s *Site) catalogueEntries(r *http.Request) (map[string]vuln.CatalogueEntry, error) {
	cat, err := s.cfg.Vuln.Catalogue(r.Context())
	if err != nil {
		return nil, err
	}
	out := make(map[string]vuln.CatalogueEntry, len(cat.Vulnerabilities))
	for _, e := range cat.Vulnerabilities {
		out[e.CVEID] = e
	}
	return out, nil
}

// queryFlag reports whether the query parameter name is set to a true
// value ("1", "on", "true"), as the pages' checkboxes send it.
func queryFlag(r *http.Request, name string) bool {
	switch r.URL.Query().Get(name) {
	case "1", "on", "true", "yes":
		return true
	}
	return false
}
