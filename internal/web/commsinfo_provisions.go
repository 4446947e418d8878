package web

import (
	"errors"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/commsinfo"
)

// provisionForm is a provision as typed: the recipient, the legal basis
// and what it rests on, the purpose, and what is provided (the records a
// query matches or records by id, and/or findings).
type provisionForm struct {
	RecipientKind, RecipientOrgID, RecipientName string
	Basis, Reference, Purpose                    string
	Query                                        recordQueryForm
	RecordIDs, FindingIDs                        string
	Err                                          fieldErr
}

func readProvisionForm(get func(string) string) provisionForm {
	return provisionForm{RecipientKind: get("recipient_kind"), RecipientOrgID: get("recipient_org_id"), RecipientName: get("recipient_name"),
		Basis: get("basis"), Reference: strings.TrimSpace(get("reference")), Purpose: get("purpose"), Query: readRecordQueryForm(get, "q_"),
		RecordIDs: get("record_ids"), FindingIDs: get("finding_ids")}
}

// request returns the provision request the form says.
func (f provisionForm) request() (commsinfo.ProvisionRequest, *commsinfo.FieldError) {
	req := commsinfo.ProvisionRequest{RecipientKind: f.RecipientKind, RecipientOrgID: f.RecipientOrgID, RecipientName: f.RecipientName,
		Basis: f.Basis, Reference: f.Reference, Purpose: f.Purpose, RecordIDs: splitIDs(f.RecordIDs), FindingIDs: splitIDs(f.FindingIDs)}
	if !f.Query.IsZero() {
		q, fe := f.Query.query()
		if fe != nil {
			fe.Field = "q_" + fe.Field
			return req, fe
		}
		req.Query = &q
	}
	return req, nil
}

// provisionField maps the service's field names to the form's.
func provisionField(field string) (string, string) {
	switch {
	case field == "query":
		return "what", ""
	case strings.HasPrefix(field, "query."):
		return queryField(field, "q_"), ""
	case strings.HasPrefix(field, "record_ids"):
		return "record_ids", ""
	case strings.HasPrefix(field, "finding_ids"):
		return "finding_ids", ""
	}
	return field, ""
}

type provisionNewData struct {
	bases
	N         names
	Form      provisionForm
	Kinds     []string
	Bases     []string
	Orgs      []orgChoice
	Approvals []approvalChoice
	Types     []string
	Dirs      []string
	// Refused is the service's reason for refusing the provision just
	// attempted; the attempt is in the audit log.
	Refused      string
	RefusedBasis string
}

func (s *Site) provisionNewPage(w http.ResponseWriter, r *http.Request, status int, f provisionForm, refused *commsinfo.RefusedError, msg ...string) error {
	p := principal(r)
	n, err := s.names(r)
	if err != nil {
		return err
	}
	d := provisionNewData{N: n, Form: f, Kinds: commsinfo.RecipientKinds, Bases: s.cfg.Commsinfo.Bases(), Types: commsinfo.RecordTypes, Dirs: ciDirections}
	if refused != nil {
		d.Refused, d.RefusedBasis = refused.Reason, refused.Basis
	}
	if d.Orgs, err = s.orgChoices(r, n, func(o auth.Org) bool { return o.ID != p.OrgID && o.Kind != auth.OrgSystemAdmin }); err != nil {
		return err
	}
	if d.Approvals, err = s.approvalChoices(r); err != nil {
		return err
	}
	return s.render(w, r, status, "provision_new", "provisions.new", d, msg...)
}

// provisionNew shows the form, filled in from the query string when a
// search or a finding started it.
func (s *Site) provisionNew(w http.ResponseWriter, r *http.Request) error {
	f := readProvisionForm(r.URL.Query().Get)
	if f.Basis == "" {
		f.Basis = commsinfo.BasisCooperation
	}
	if f.RecipientKind == "" {
		f.RecipientKind = commsinfo.RecipientAgencyCooperation
	}
	return s.provisionNewPage(w, r, http.StatusOK, f, nil)
}

func (s *Site) provisionCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	f := readProvisionForm(r.PostFormValue)
	req, fe := f.request()
	var err error
	if fe != nil {
		err = fe
	} else {
		var pv commsinfo.Provision
		if pv, err = s.cfg.Commsinfo.Provide(r.Context(), principal(r), req); err == nil {
			http.Redirect(w, r, "/provisions/"+pv.ID+"?done=created", http.StatusSeeOther)
			return nil
		}
	}
	fail, ok := s.ciFailed(r, err, provisionField)
	if !ok {
		return ciPageError(err)
	}
	f.Err = fail.field
	var refused *commsinfo.RefusedError
	errors.As(err, &refused)
	return s.provisionNewPage(w, r, fail.status, f, refused, "", fail.msg)
}

type provisionsData struct {
	bases
	N          names
	Provisions []commsinfo.Provision
	// Refusals are the refused attempts, for analysts and the commission.
	Refusals []commsinfo.Refusal
}

// refusalsShown is how many refused attempts the provisions page lists.
const refusalsShown = 50

func (s *Site) provisions(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	n, err := s.names(r)
	if err != nil {
		return err
	}
	d := provisionsData{N: n}
	if d.Provisions, err = s.cfg.Commsinfo.Provisions(r.Context(), p, commsinfo.ProvisionFilter{Limit: 1000}); err != nil {
		return ciPageError(err)
	}
	// The refusals' API route is guarded by run.read: analysts and the
	// commission.
	if s.cfg.Policy.Allow(p, auth.RunRead) {
		rs, err := s.cfg.Commsinfo.Refusals(r.Context(), time.Time{}, time.Time{})
		if err != nil {
			return ciPageError(err)
		}
		d.Refusals = rs[:min(len(rs), refusalsShown)]
	}
	return s.render(w, r, http.StatusOK, "provisions", "provisions.title", d)
}

type provisionData struct {
	bases
	N         names
	Provision commsinfo.Provision
	Query     recordQueryForm
	Findings  []commsinfo.Finding
}

func (s *Site) provision(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	pv, err := s.cfg.Commsinfo.Provision(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return ciPageError(err)
	}
	n, err := s.names(r)
	if err != nil {
		return err
	}
	d := provisionData{N: n, Provision: pv}
	if pv.Query != nil {
		d.Query = recordQueryFormOf(*pv.Query)
	}
	if pv.FindingCount > 0 {
		if d.Findings, err = s.cfg.Commsinfo.ProvidedFindings(r.Context(), p, pv.ID); err != nil {
			return ciPageError(err)
		}
	}
	var msg []string
	if r.URL.Query().Get("done") == "created" {
		msg = []string{s.t(r, "provision.created", pv.RecordCount, pv.FindingCount)}
	}
	return s.render(w, r, http.StatusOK, "provision", "provision.title", d, msg...)
}

type provisionRecordsData struct {
	N           names
	Provision   commsinfo.Provision
	Records     []commsinfo.SelectedRecord
	Page        int
	Next, First string
}

// provisionRecords shows a page of the records a provision provided; each
// read is an audit-log entry.
func (s *Site) provisionRecords(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	id := r.PathValue("id")
	pv, err := s.cfg.Commsinfo.Provision(r.Context(), p, id)
	if err != nil {
		return ciPageError(err)
	}
	qv := r.URL.Query()
	cursor := qv.Get("cursor")
	pg, err := s.cfg.Commsinfo.ProvidedRecords(r.Context(), p, id, commsinfo.Page{Cursor: cursor, Limit: recordsPageSize})
	if err != nil {
		return ciPageError(err)
	}
	n, err := s.names(r)
	if err != nil {
		return err
	}
	d := provisionRecordsData{N: n, Provision: pv, Records: pg.Records, Page: 1}
	if no, err := strconv.Atoi(qv.Get("page")); err == nil && no > 1 && cursor != "" {
		d.Page = no
	}
	base := "/provisions/" + pv.ID + "/records"
	if pg.Next != "" {
		v := maps.Clone(qv)
		v.Set("cursor", pg.Next)
		v.Set("page", strconv.Itoa(d.Page+1))
		d.Next = base + "?" + v.Encode()
	}
	if cursor != "" {
		d.First = base
	}
	return s.render(w, r, http.StatusOK, "provision_records", "provision.records.title", d)
}

// bases gives templates the catalogue key of a legal basis's name.
type bases struct{}

// BasisKey returns the catalogue key of a basis's name ("§23/§27" →
// "provision.basis.cooperation"), or "" for an unknown one.
func (bases) BasisKey(b string) string {
	for _, x := range []struct{ basis, key string }{
		{commsinfo.BasisCooperation, "cooperation"}, {commsinfo.BasisMeasure, "measure"}, {commsinfo.BasisAgreement, "agreement"},
		{commsinfo.BasisAnalysis, "analysis"}, {commsinfo.BasisForeign, "foreign"},
	} {
		if x.basis == b {
			return "provision.basis." + x.key
		}
	}
	return ""
}
