package web

import (
	"errors"
	"io"
	"net/http"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/vuln"
)

// The public catalogue of vulnerabilities exploited in Japan, and the
// Cabinet Office's candidates for it from CISA's KEV catalogue.

type catalogueData struct {
	vulnFmt
	Cat *vuln.Catalogue
}

func (s *Site) vulnCatalogue(w http.ResponseWriter, r *http.Request) error {
	cat, err := s.cfg.Vuln.Catalogue(r.Context())
	if err != nil {
		return s.vulnPageError(w, r, err)
	}
	return s.render(w, r, http.StatusOK, "vuln_catalogue", "catalogue.title", catalogueData{Cat: cat})
}

type candidatesData struct {
	vulnFmt
	Candidates []vuln.Candidate
	// Result is what the import just done found; nil when none was.
	Result *vuln.KEVImportResult
	// File is the name of the file imported or refused.
	File string
	Err  fieldErr
}

// Open counts the candidates not yet marked exploited in Japan.
func (d candidatesData) Open() int {
	n := 0
	for _, c := range d.Candidates {
		if !c.ExploitedInJapan {
			n++
		}
	}
	return n
}

func (s *Site) vulnCandidatesPage(w http.ResponseWriter, r *http.Request, status int, d candidatesData, msg ...string) error {
	cs, err := s.cfg.Vuln.Candidates(r.Context(), principal(r))
	if err != nil {
		return s.vulnPageError(w, r, err)
	}
	d.Candidates = cs
	return s.render(w, r, status, "vuln_candidates", "catalogue.candidates.title", d, msg...)
}

func (s *Site) vulnCandidates(w http.ResponseWriter, r *http.Request) error {
	return s.vulnCandidatesPage(w, r, http.StatusOK, candidatesData{})
}

// vulnCandidatesImport imports an uploaded KEV catalogue (the "file" of a
// multipart form) as candidates; the page then shows the counts, or the
// field of the catalogue at fault.
func (s *Site) vulnCandidatesImport(w http.ResponseWriter, r *http.Request) error {
	file, hdr, err := r.FormFile("file")
	if err != nil {
		return s.vulnCandidatesPage(w, r, http.StatusBadRequest, candidatesData{Err: fieldErr{"file", s.t(r, "vuln.import.nofile")}}, "", s.t(r, "vuln.import.nofile"))
	}
	defer file.Close()
	body, err := io.ReadAll(file) // in memory already: the router bounds the form
	if err != nil {
		return api.BadRequest("file", "read upload")
	}
	d := candidatesData{File: hdr.Filename}
	cat, err := vuln.DecodeKEV(body)
	var res vuln.KEVImportResult
	if err == nil {
		res, err = s.cfg.Vuln.ImportKEV(r.Context(), principal(r), cat)
	}
	if err != nil {
		fail, ok := s.vulnFailed(w, r, err, func(string) (string, string) { return "file", "" })
		if !ok {
			return s.vulnPageError(w, r, err)
		}
		var fe *vuln.FieldError
		if errors.As(err, &fe) {
			fail.field.Msg = fe.Error()
		}
		d.Err = fail.field
		return s.vulnCandidatesPage(w, r, fail.status, d, "", fail.msg)
	}
	d.Result = &res
	return s.vulnCandidatesPage(w, r, http.StatusOK, d, s.t(r, "catalogue.candidates.imported", res.Candidates, res.New, res.Entries))
}
