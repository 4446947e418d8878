package web

import (
	"errors"
	"maps"
	"net/http"
	"strconv"

	"github.com/acd-platform/acd/internal/commsinfo"
)

// recordsPageSize is how many selected records a page of the search shows.
const recordsPageSize = 50

type recordsData struct {
	N         names
	Form      recordQueryForm
	Err       fieldErr
	Approvals []approvalChoice
	Types     []string
	Dirs      []string
	// Searched: the form was submitted and the search made (and logged).
	Searched bool
	Records  []commsinfo.SelectedRecord
	// Page is the 1-based page shown; Next the address of the next page,
	// First of the first, when there are more.
	Page        int
	Next, First string
	// Finding and Provide start a finding or a provision from this
	// search's query.
	Finding, Provide string
}

// records is the search of selected records. The page only searches when
// its form was submitted (q=1), since every search is an audit-log entry:
// opening the page logs nothing.
func (s *Site) records(w http.ResponseWriter, r *http.Request) error {
	n, err := s.names(r)
	if err != nil {
		return err
	}
	qv := r.URL.Query()
	d := recordsData{N: n, Form: readRecordQueryForm(qv.Get, ""), Types: commsinfo.RecordTypes, Dirs: ciDirections, Page: 1}
	if d.Approvals, err = s.approvalChoices(r); err != nil {
		return err
	}
	if qv.Get("q") == "" {
		return s.render(w, r, http.StatusOK, "records", "records.title", d)
	}
	q, fe := d.Form.query()
	cursor := qv.Get("cursor")
	var pg commsinfo.RecordPage
	if fe == nil {
		pg, err = s.cfg.Commsinfo.Search(r.Context(), principal(r), q, commsinfo.Page{Cursor: cursor, Limit: recordsPageSize})
		if errors.As(err, &fe) {
			err = nil
		}
		if err != nil {
			return ciPageError(err)
		}
	}
	if fe != nil {
		d.Err = fieldErr{queryField(fe.Field, ""), fe.Msg}
		return s.render(w, r, http.StatusBadRequest, "records", "records.title", d, "", s.t(r, "form.invalid")+" ("+fe.Error()+")")
	}
	d.Searched, d.Records = true, pg.Records
	base := d.Form.values("")
	base.Set("q", "1")
	if p, err := strconv.Atoi(qv.Get("page")); err == nil && p > 1 && cursor != "" {
		d.Page = p
	}
	if pg.Next != "" {
		next := maps.Clone(base)
		next.Set("cursor", pg.Next)
		next.Set("page", strconv.Itoa(d.Page+1))
		d.Next = "/records?" + next.Encode()
	}
	if cursor != "" {
		d.First = "/records?" + base.Encode()
	}
	if d.Form.Approval != "" {
		d.Finding = "/findings/new?" + d.Form.values("q_").Encode()
	}
	d.Provide = "/provisions/new?" + d.Form.values("q_").Encode()
	return s.render(w, r, http.StatusOK, "records", "records.title", d)
}
