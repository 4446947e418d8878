// Package vulnapi serves the vulnerability capability's JSON API under
// /api/v1/vulns: the import of CVE JSON 5 and NVD records (§42), the
// exploited-in-Japan mark, the public catalogue of vulnerabilities
// exploited in Japan (KEV-shaped JSON and CSV under /api/v1/catalogue.*,
// an Atom feed of additions at /catalogue.atom) with the import of CISA's
// KEV catalogue as candidates, and the matches of vulnerabilities to specified
// critical computers — an operator's affected assets, a ministry's sector
// exposure and the Cabinet Office's national view. docs/vuln.md has curl
// examples.
package vulnapi

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/svcerr"
	"github.com/acd-platform/acd/internal/vuln"
)

// MaxImportBody bounds an import request; a stream cut off by it is
// imported up to the last whole record (ImportResult.Stopped says so).
const MaxImportBody = 256 << 20

// maxExploitedBody bounds an exploited-in-Japan mark.
const maxExploitedBody = 64 << 10

// MatchList is the body of GET /api/v1/vulns/matches.
type MatchList struct {
	Matches []vuln.AffectedAsset `json:"matches"`
}

// ExposureList is the body of the exposure and national views.
type ExposureList struct {
	Rows []vuln.ExposureRow `json:"rows"`
}

type handlers struct{ svc *vuln.Service }

// Register adds the vulnerability routes to r.
func Register(r *api.Router, svc *vuln.Service) {
	h := &handlers{svc: svc}
	const tag = "vulnerabilities"
	r.Handle(api.Route{Pattern: "POST /api/v1/vulns/import", Action: auth.VulnImport, Tag: tag,
		Summary:  "Import CVE JSON 5 records or NVD CVE API 2.0 items: one record, a JSON array, NDJSON or an NVD response; bad records are listed with index, id and field, the others imported",
		Response: vuln.ImportResult{}}, h.importRecords)
	r.Handle(api.Route{Pattern: "GET /api/v1/vulns/matches", Action: auth.VulnRead, Tag: tag,
		Summary:  "Assets affected by vulnerabilities, as the caller may see them (?org=, ?sector=, ?vuln=, ?include_resolved=true, ?limit=)",
		Response: MatchList{}}, h.matches)
	r.Handle(api.Route{Pattern: "GET /api/v1/vulns/exposure", Action: auth.VulnExposure, Tag: tag,
		Summary: "A ministry's sector exposure: assets and operators affected per vulnerability (?sector=)", Response: ExposureList{}}, h.exposure)
	r.Handle(api.Route{Pattern: "GET /api/v1/vulns/national", Action: auth.VulnNational, Tag: tag,
		Summary: "The national view (Cabinet Office): assets and operators affected per vulnerability and sector", Response: ExposureList{}}, h.national)
	r.Handle(api.Route{Pattern: "GET /api/v1/vulns/{id}", Action: auth.VulnRead, Tag: tag,
		Summary: "One vulnerability with its exploited-in-Japan mark and the matches the caller may see", Response: vuln.Detail{}}, h.vulnerability)
	r.Handle(api.Route{Pattern: "POST /api/v1/vulns/{id}/exploited", Action: auth.VulnExploitedWrite, Tag: tag,
		Summary: "Mark a vulnerability exploited in Japan with its evidence, or clear the mark", Request: vuln.ExploitedInput{}, Response: vuln.Exploited{}}, h.exploited)

	const ctag = "catalogue"
	r.Handle(api.Route{Pattern: "GET /api/v1/catalogue.json", Action: auth.CatalogueRead, Tag: ctag,
		Summary:  "The catalogue of vulnerabilities exploited in Japan, in the shape of CISA's KEV catalogue plus jpEvidence (public)",
		Response: vuln.Catalogue{}}, h.catalogueJSON)
	r.Handle(api.Route{Pattern: "GET /api/v1/catalogue.csv", Action: auth.CatalogueRead, Tag: ctag,
		Summary: "The catalogue as CSV (text/csv): KEV's columns in KEV's order, then the Japanese evidence (public)"}, h.catalogueCSV)
	r.Handle(api.Route{Pattern: "GET /catalogue.atom", Action: auth.CatalogueRead, Tag: ctag,
		Summary: "Additions to the catalogue as an Atom 1.0 feed (application/atom+xml), newest first (?limit=, default 100) (public)"}, h.catalogueAtom)
	r.Handle(api.Route{Pattern: "POST /api/v1/vulns/kev/import", Action: auth.CatalogueWrite, Tag: ctag,
		Summary:  "Import CISA's KEV catalogue JSON: entries of vulnerabilities already imported become candidates for the catalogue (none is marked)",
		Response: vuln.KEVImportResult{}}, h.importKEV)
	r.Handle(api.Route{Pattern: "GET /api/v1/vulns/kev/candidates", Action: auth.CatalogueWrite, Tag: ctag,
		Summary: "The KEV candidates, those not yet marked exploited in Japan first", Response: CandidateList{}}, h.candidates)
}

// CandidateList is the body of GET /api/v1/vulns/kev/candidates.
type CandidateList struct {
	Candidates []vuln.Candidate `json:"candidates"`
}

func (h *handlers) catalogueJSON(w http.ResponseWriter, r *http.Request) error {
	cat, err := h.svc.Catalogue(r.Context())
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, cat)
}

func (h *handlers) catalogueCSV(w http.ResponseWriter, r *http.Request) error {
	cat, err := h.svc.Catalogue(r.Context())
	if err != nil {
		return err
	}
	b, err := vuln.CatalogueCSV(cat)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="exploited_in_japan.csv"`)
	_, err = w.Write(b)
	return err
}

func (h *handlers) catalogueAtom(w http.ResponseWriter, r *http.Request) error {
	n := 100
	if v := r.URL.Query().Get("limit"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 || n > 1000 {
			return api.BadRequest("limit", "want a number from 1 to 1000, got "+strconv.Quote(cut(v)))
		}
	}
	b, err := h.svc.CatalogueAtom(r.Context(), n)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", vuln.AtomMediaType)
	_, err = w.Write(b)
	return err
}

func (h *handlers) importKEV(w http.ResponseWriter, r *http.Request) error {
	if r.Body == nil {
		return api.BadRequest("body", "empty body")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, vuln.MaxKEVSize))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return &api.Error{Status: http.StatusRequestEntityTooLarge, Code: api.CodeTooLarge, Message: "body larger than 64 MiB"}
		}
		return api.BadRequest("body", "read body: "+err.Error())
	}
	cat, err := vuln.DecodeKEV(body)
	if err != nil {
		return err
	}
	res, err := h.svc.ImportKEV(r.Context(), principal(r), cat)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, res)
}

func (h *handlers) candidates(w http.ResponseWriter, r *http.Request) error {
	cs, err := h.svc.Candidates(r.Context(), principal(r))
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, CandidateList{Candidates: cs})
}

// Error maps the vulnerability package's errors to API errors; the
// server's MapError calls it.
func Error(err error) *api.Error { return svcerr.API(err) }

func principal(r *http.Request) *auth.Principal { return auth.FromContext(r.Context()) }

func (h *handlers) importRecords(w http.ResponseWriter, r *http.Request) error {
	if r.Body == nil {
		return api.BadRequest("body", "empty body")
	}
	res, err := h.svc.Import(r.Context(), principal(r), http.MaxBytesReader(w, r.Body, MaxImportBody))
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, res)
}

func (h *handlers) matches(w http.ResponseWriter, r *http.Request) error {
	f, err := DecodeMatchFilter(r.URL.Query().Get)
	if err != nil {
		return err
	}
	ms, err := h.svc.Matches(r.Context(), principal(r), f)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, MatchList{Matches: ms})
}

// DecodeMatchFilter reads the query parameters of GET /api/v1/vulns/matches
// (get is url.Values.Get): org, sector, vuln, include_resolved (true or
// false) and limit (1 to 10000).
func DecodeMatchFilter(get func(string) string) (vuln.MatchFilter, error) {
	f := vuln.MatchFilter{OrgID: get("org"), Sector: get("sector"), VulnID: get("vuln")}
	if v := get("include_resolved"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return vuln.MatchFilter{}, api.BadRequest("include_resolved", "want true or false, got "+strconv.Quote(cut(v)))
		}
		f.IncludeResolved = b
	}
	if v := get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			return vuln.MatchFilter{}, api.BadRequest("limit", "want a number from 1 to 10000, got "+strconv.Quote(cut(v)))
		}
		f.Limit = n
	}
	return f, nil
}

func cut(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

func (h *handlers) exposure(w http.ResponseWriter, r *http.Request) error {
	rows, err := h.svc.SectorExposure(r.Context(), principal(r), r.URL.Query().Get("sector"))
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, ExposureList{Rows: rows})
}

func (h *handlers) national(w http.ResponseWriter, r *http.Request) error {
	rows, err := h.svc.National(r.Context(), principal(r))
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, ExposureList{Rows: rows})
}

func (h *handlers) vulnerability(w http.ResponseWriter, r *http.Request) error {
	d, err := h.svc.Vulnerability(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, d)
}

func (h *handlers) exploited(w http.ResponseWriter, r *http.Request) error {
	if r.Body == nil {
		return api.BadRequest("body", "empty body")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxExploitedBody))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return &api.Error{Status: http.StatusRequestEntityTooLarge, Code: api.CodeTooLarge, Message: "body larger than 64 KiB"}
		}
		return api.BadRequest("body", "read body: "+err.Error())
	}
	in, err := DecodeExploited(body)
	if err != nil {
		return err
	}
	e, err := h.svc.SetExploited(r.Context(), principal(r), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, e)
}

// DecodeExploited reads the body of POST /api/v1/vulns/{id}/exploited
// strictly (unknown fields refused, one JSON object) into an
// ExploitedInput; the service checks its values.
func DecodeExploited(body []byte) (vuln.ExploitedInput, error) {
	var in vuln.ExploitedInput
	r, err := http.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	if err != nil {
		return in, err
	}
	r.Header.Set("Content-Type", "application/json")
	if err := api.DecodeLimit(r, &in, int64(len(body))+1); err != nil {
		return vuln.ExploitedInput{}, err
	}
	return in, nil
}
