package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/oversight"
)

// Agreements (ch.3): the Cabinet Office drafts an agreement with an
// operator; either side revises the draft, asks the other to consult,
// answers the other's consultations, signs the current revision and
// terminates. The commission reads them.

// agreementStates are the states a list can be filtered by.
var agreementStates = []oversight.AgreementState{oversight.AgreementDraft, oversight.AgreementConsultation, oversight.AgreementActive, oversight.AgreementTerminated}

// sideOn returns the side of agreement a that p acts for, or "" when p is
// no party (the commission reads only).
func (s *Site) sideOn(p *auth.Principal, a oversight.Agreement) oversight.Side {
	if !s.cfg.Policy.Allow(p, auth.AgreementWrite) {
		return ""
	}
	switch {
	case p.Has(auth.RoleOperator) && p.OrgID == a.OperatorOrgID:
		return oversight.SideOperator
	case p.Has(auth.RoleAnalyst):
		return oversight.SideCabinet
	}
	return ""
}

// canDraft reports whether p may draft an agreement: the Cabinet Office's
// analysts; operators revise, consult and sign.
func (s *Site) canDraft(p *auth.Principal) bool {
	return s.cfg.Policy.Allow(p, auth.AgreementWrite) && p.Has(auth.RoleAnalyst)
}

type agreementsData struct {
	N          names
	Agreements []oversight.Agreement
	State      string
	States     []oversight.AgreementState
	CanDraft   bool
	Err        fieldErr
}

func (s *Site) agreements(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	n, err := s.names(r)
	if err != nil {
		return err
	}
	d := agreementsData{N: n, State: r.URL.Query().Get("state"), States: agreementStates, CanDraft: s.canDraft(p)}
	if d.State != "" && !slices.Contains(agreementStates, oversight.AgreementState(d.State)) {
		d.Err = fieldErr{"state", strconv.Quote(d.State) + ": unknown state"}
		return s.render(w, r, http.StatusBadRequest, "agreements", "agreements.title", d, "", s.t(r, "form.invalid"))
	}
	if d.Agreements, err = s.cfg.Oversight.Agreements(r.Context(), p, oversight.AgreementFilter{State: oversight.AgreementState(d.State)}); err != nil {
		return oversightPageError(err)
	}
	return s.render(w, r, http.StatusOK, "agreements", "agreements.title", d)
}

// agreementForm is the draft or revision form as typed.
type agreementForm struct {
	OperatorOrgID, Title, Facilities, RetentionDays, Results string
	Directions                                               checked
	Kept                                                     keptFile
	Err                                                      fieldErr
}

func agreementFormOf(a oversight.Agreement) agreementForm {
	return agreementForm{OperatorOrgID: a.OperatorOrgID, Title: a.Title, Facilities: strings.Join(a.Facilities, "\n"),
		RetentionDays: strconv.Itoa(a.RetentionDays), Results: a.Results, Directions: a.Directions}
}

func readAgreementForm(r *http.Request) agreementForm {
	v := r.PostFormValue
	return agreementForm{OperatorOrgID: v("operator_org_id"), Title: v("title"), Facilities: v("facilities"),
		RetentionDays: v("retention_days"), Results: v("results"), Directions: r.PostForm["directions"]}
}

// input builds the service's input from the form; facilities are the
// numbered lines the facilities came from, for error messages.
func (f agreementForm) input(crit []byte) (in oversight.AgreementInput, facilities []numberedLine, err error) {
	facilities = lines(f.Facilities)
	in = oversight.AgreementInput{OperatorOrgID: f.OperatorOrgID, Criteria: string(crit), AgreementTerms: oversight.AgreementTerms{
		Title: f.Title, Facilities: texts(facilities), Directions: f.Directions, Results: strings.TrimSpace(f.Results)}}
	days := strings.TrimSpace(f.RetentionDays)
	if days == "" {
		return in, facilities, &oversight.FieldError{Field: "retention_days", Msg: "required"}
	}
	if in.RetentionDays, err = strconv.Atoi(days); err != nil {
		return in, facilities, &oversight.FieldError{Field: "retention_days", Msg: strconv.Quote(days) + " is not a whole number of days"}
	}
	return in, facilities, nil
}

// agreementFields maps the service's field names to the form's.
func (s *Site) agreementFields(r *http.Request, facilities []numberedLine) func(string) (string, string) {
	return func(f string) (string, string) {
		switch {
		case strings.HasPrefix(f, "facilities"):
			return "facilities", s.lineOf(r, facilities, f)
		case strings.HasPrefix(f, "directions"):
			return "directions", ""
		case f == "criteria" || f == "valid_from" || f == "valid_until":
			return "criteria_file", ""
		}
		return f, ""
	}
}

type agreementFormData struct {
	N          names
	Form       agreementForm
	Operators  []auth.Org
	Directions []string
	// Edit is the agreement revised; nil for a new draft.
	Edit        *oversight.Agreement
	MaxCriteria int
}

func (s *Site) agreementFormPage(w http.ResponseWriter, r *http.Request, status int, edit *oversight.Agreement, f agreementForm, msg ...string) error {
	n, err := s.names(r)
	if err != nil {
		return err
	}
	d := agreementFormData{N: n, Form: f, Directions: allDirections, Edit: edit, MaxCriteria: s.formCriteriaLimit()}
	if edit == nil {
		orgs, err := s.cfg.Auth.Orgs(r.Context())
		if err != nil {
			return err
		}
		for _, o := range orgs {
			if o.Kind == auth.OrgOperator {
				d.Operators = append(d.Operators, o)
			}
		}
		return s.render(w, r, status, "agreement_form", "agreements.new", d, msg...)
	}
	return s.render(w, r, status, "agreement_form", "agreement.edit", d, msg...)
}

func (s *Site) agreementNew(w http.ResponseWriter, r *http.Request) error {
	return s.agreementFormPage(w, r, http.StatusOK, nil, agreementForm{RetentionDays: "365"})
}

func (s *Site) agreementCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	f := readAgreementForm(r)
	crit, name, err := criteriaUpload(r, s.formCriteriaLimit())
	if err != nil {
		f.Err = fieldErr{"criteria_file", err.Error()}
		return s.agreementFormPage(w, r, http.StatusBadRequest, nil, f, "", s.t(r, "form.invalid"))
	}
	f.Kept = keep(name, crit)
	in, facilities, err := f.input(crit)
	var a oversight.Agreement
	if err == nil {
		a, err = s.cfg.Oversight.CreateAgreement(r.Context(), principal(r), in)
	}
	if err != nil {
		fail, ok := s.oversightFailed(r, err, s.agreementFields(r, facilities))
		if !ok {
			return oversightPageError(err)
		}
		f.Err = fail.field
		return s.agreementFormPage(w, r, fail.status, nil, f, "", fail.msg)
	}
	http.Redirect(w, r, "/agreements/"+a.ID+"?done=created", http.StatusSeeOther)
	return nil
}

func (s *Site) agreementEdit(w http.ResponseWriter, r *http.Request) error {
	a, err := s.cfg.Oversight.Agreement(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return oversightPageError(err)
	}
	return s.agreementFormPage(w, r, http.StatusOK, &a, agreementFormOf(a))
}

// agreementUpdate revises a draft. Without a new criteria file the
// agreement's current one is kept.
func (s *Site) agreementUpdate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	p, id := principal(r), r.PathValue("id")
	a, err := s.cfg.Oversight.Agreement(r.Context(), p, id)
	if err != nil {
		return oversightPageError(err)
	}
	f := readAgreementForm(r)
	f.OperatorOrgID = a.OperatorOrgID
	crit, name, err := criteriaUpload(r, s.formCriteriaLimit())
	if err != nil {
		f.Err = fieldErr{"criteria_file", err.Error()}
		return s.agreementFormPage(w, r, http.StatusBadRequest, &a, f, "", s.t(r, "form.invalid"))
	}
	f.Kept = keep(name, crit)
	if crit == nil {
		if crit, err = s.cfg.Oversight.AgreementCriteria(r.Context(), p, id); err != nil {
			return oversightPageError(err)
		}
	}
	in, facilities, err := f.input(crit)
	if err == nil {
		_, err = s.cfg.Oversight.UpdateAgreement(r.Context(), p, id, in)
	}
	if err != nil {
		fail, ok := s.oversightFailed(r, err, s.agreementFields(r, facilities))
		if !ok {
			return oversightPageError(err)
		}
		f.Err = fail.field
		return s.agreementFormPage(w, r, fail.status, &a, f, "", fail.msg)
	}
	http.Redirect(w, r, "/agreements/"+id+"?done=revised", http.StatusSeeOther)
	return nil
}

// consultForm asks the other side to consult, as typed.
type consultForm struct {
	Subject, Text, Due string
	Err                fieldErr
}

// respondForm answers consultation CID, as typed.
type respondForm struct {
	CID, Answer, Text string
	Err               fieldErr
}

type agreementData struct {
	N    names
	A    oversight.Agreement
	Crit *critSummary
	// Side is the viewer's side; "" for the commission, which reads only.
	Side oversight.Side
	// OpenConsultation: a consultation is open, so nobody can sign yet.
	OpenConsultation                           bool
	CanEdit, CanSign, CanTerminate, CanConsult bool
	// CanSeeApproval: the viewer may open the approval's page.
	CanSeeApproval bool
	Consult        consultForm
	Respond        respondForm
	Terminate      reasonForm
}

// CanRespond reports whether the viewer's side answers consultation c.
func (d agreementData) CanRespond(c oversight.Consultation) bool {
	return d.Side != "" && c.State == oversight.ConsultationOpen && c.From != d.Side
}

// RespondFor returns the respond form as typed when it was for c, else an
// empty one.
func (d agreementData) RespondFor(c oversight.Consultation) respondForm {
	if d.Respond.CID == c.ID {
		return d.Respond
	}
	return respondForm{}
}

// SignedBy returns who signed for side, or "".
func (d agreementData) SignedBy(side string) string {
	if side == string(oversight.SideOperator) {
		return d.A.OperatorSignedBy
	}
	return d.A.CabinetSignedBy
}

// agreementPage renders agreement id; d carries the forms as typed.
func (s *Site) agreementPage(w http.ResponseWriter, r *http.Request, status int, d agreementData, msg ...string) error {
	p, id := principal(r), r.PathValue("id")
	a, err := s.cfg.Oversight.Agreement(r.Context(), p, id)
	if err != nil {
		return oversightPageError(err)
	}
	if d.N, err = s.names(r); err != nil {
		return err
	}
	crit, err := s.cfg.Oversight.AgreementCriteria(r.Context(), p, id)
	if err != nil {
		return oversightPageError(err)
	}
	d.A, d.Crit, d.Side = a, summarize(r, crit), s.sideOn(p, a)
	for _, c := range a.Consultations {
		d.OpenConsultation = d.OpenConsultation || c.State == oversight.ConsultationOpen
	}
	editable := a.State == oversight.AgreementDraft || a.State == oversight.AgreementConsultation
	d.CanEdit = d.Side != "" && editable
	d.CanSign = d.CanEdit && d.SignedBy(string(d.Side)) == ""
	d.CanTerminate = d.Side != "" && a.State != oversight.AgreementTerminated
	d.CanConsult = d.CanTerminate
	d.CanSeeApproval = s.cfg.Policy.Allow(p, auth.AcquisitionRead)
	if done := r.URL.Query().Get("done"); len(msg) == 0 && done != "" {
		switch done {
		case "created", "revised", "consulted", "responded", "signed", "terminated":
			msg = []string{s.t(r, "agreement.done."+done)}
		}
	}
	return s.render(w, r, status, "agreement", "agreement.title", d, msg...)
}

func (s *Site) agreement(w http.ResponseWriter, r *http.Request) error {
	return s.agreementPage(w, r, http.StatusOK, agreementData{})
}

func (s *Site) agreementCriteria(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	b, err := s.cfg.Oversight.AgreementCriteria(r.Context(), principal(r), id)
	if err != nil {
		return oversightPageError(err)
	}
	return writeExact(w, id+".criteria.json", b)
}

// agreementAct runs act for the agreement's page: on success it goes back
// to the page with done; a refusal renders the page with fill's forms.
func (s *Site) agreementAct(w http.ResponseWriter, r *http.Request, done string, act func(*auth.Principal, string) error,
	fill func(*agreementData, fieldErr)) error {
	if err := parseForm(r); err != nil {
		return err
	}
	id := r.PathValue("id")
	if err := act(principal(r), id); err != nil {
		fail, ok := s.oversightFailed(r, err, nil)
		if !ok {
			return oversightPageError(err)
		}
		var d agreementData
		fill(&d, fail.field)
		return s.agreementPage(w, r, fail.status, d, "", fail.msg)
	}
	http.Redirect(w, r, "/agreements/"+id+"?done="+done, http.StatusSeeOther)
	return nil
}

func (s *Site) agreementConsult(w http.ResponseWriter, r *http.Request) error {
	var f consultForm
	return s.agreementAct(w, r, "consulted", func(p *auth.Principal, id string) error {
		f = consultForm{Subject: r.PostFormValue("subject"), Text: r.PostFormValue("text"), Due: r.PostFormValue("due")}
		in := oversight.ConsultationRequest{Subject: strings.TrimSpace(f.Subject), Text: strings.TrimSpace(f.Text)}
		if strings.TrimSpace(f.Due) != "" {
			t, err := parseLocal(f.Due)
			if err != nil {
				return &oversight.FieldError{Field: "due", Msg: err.Error()}
			}
			in.Due = t
		}
		_, err := s.cfg.Oversight.RequestConsultation(r.Context(), p, id, in)
		return err
	}, func(d *agreementData, e fieldErr) { f.Err = e; d.Consult = f })
}

func (s *Site) agreementRespond(w http.ResponseWriter, r *http.Request) error {
	f := respondForm{CID: r.PathValue("cid")}
	return s.agreementAct(w, r, "responded", func(p *auth.Principal, id string) error {
		f.Answer, f.Text = r.PostFormValue("answer"), r.PostFormValue("text")
		_, err := s.cfg.Oversight.RespondConsultation(r.Context(), p, id, f.CID,
			oversight.ConsultationResponse{Answer: f.Answer, Text: strings.TrimSpace(f.Text)})
		return err
	}, func(d *agreementData, e fieldErr) { f.Err = e; d.Respond = f })
}

func (s *Site) agreementSign(w http.ResponseWriter, r *http.Request) error {
	return s.agreementAct(w, r, "signed", func(p *auth.Principal, id string) error {
		rev, err := strconv.Atoi(r.PostFormValue("revision"))
		if err != nil || rev < 1 {
			return &oversight.FieldError{Field: "revision", Msg: "required: the revision you read and sign"}
		}
		_, err = s.cfg.Oversight.SignAgreement(r.Context(), p, id, rev)
		return err
	}, func(*agreementData, fieldErr) {})
}

func (s *Site) agreementTerminate(w http.ResponseWriter, r *http.Request) error {
	var f reasonForm
	return s.agreementAct(w, r, "terminated", func(p *auth.Principal, id string) error {
		f.Reason = r.PostFormValue("reason")
		_, err := s.cfg.Oversight.TerminateAgreement(r.Context(), p, id, strings.TrimSpace(f.Reason))
		return err
	}, func(d *agreementData, e fieldErr) { f.Err = e; d.Terminate = f })
}
