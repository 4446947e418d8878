package web

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/inspection"
)

// The commission's oversight pages (Act ch.10):
//
//   - inspections on /inspections: the commission opens them, records what
//     it finds while they are open and closes them with a summary;
//   - recommendations on /recommendations: the commission issues them to an
//     agency with a rating and a due date, the agency answers, the
//     commission assesses how far they were implemented (re-rating them)
//     or withdraws them; agencies see their own, overdue ones marked;
//   - handling errors on /handling-errors: agencies report errors in
//     handling communications information, the commission classifies them.
//
// Every page is a route with its action, so the one policy guards it; the
// inspection service then scopes each record (an agency sees only its own
// recommendations and errors, others answer 404).

// registerInspection adds the inspection pages through page, Register's
// helper; it adds none when the site has no inspection service.
func (s *Site) registerInspection(page func(pattern string, action auth.Action, h api.HandlerFunc)) {
	if s.cfg.Inspection == nil {
		return
	}
	page("GET /inspections", auth.InspectionRead, s.inspections)
	page("POST /inspections", auth.InspectionWrite, s.inspectionOpen)
	page("GET /inspections/{id}", auth.InspectionRead, s.inspection)
	page("POST /inspections/{id}/findings", auth.InspectionWrite, s.inspectionFinding)
	page("POST /inspections/{id}/close", auth.InspectionWrite, s.inspectionClose)

	page("GET /recommendations", auth.RecommendationRead, s.recommendations)
	page("POST /recommendations", auth.RecommendationIssue, s.recommendationIssue)
	page("GET /recommendations/{id}", auth.RecommendationRead, s.recommendation)
	page("POST /recommendations/{id}/answer", auth.RecommendationAnswer, s.recommendationAnswer)
	page("POST /recommendations/{id}/assess", auth.RecommendationIssue, s.recommendationAssess)
	page("POST /recommendations/{id}/withdraw", auth.RecommendationIssue, s.recommendationWithdraw)

	page("GET /handling-errors", auth.HandlingErrorRead, s.handlingErrors)
	page("POST /handling-errors", auth.HandlingErrorReport, s.handlingErrorReport)
	page("GET /handling-errors/{id}", auth.HandlingErrorRead, s.handlingError)
	page("POST /handling-errors/{id}/classify", auth.HandlingErrorClassify, s.handlingErrorClassify)

	s.links[auth.InspectionRead] = "/inspections"
	s.links[auth.InspectionWrite] = "/inspections#open"
	s.links[auth.RecommendationRead] = "/recommendations"
	s.links[auth.RecommendationIssue] = "/recommendations#issue"
	s.links[auth.RecommendationAnswer] = "/recommendations"
	s.links[auth.HandlingErrorRead] = "/handling-errors"
	s.links[auth.HandlingErrorReport] = "/handling-errors#report"
	s.links[auth.HandlingErrorClassify] = "/handling-errors"
}

// inspPageError maps the inspection service's errors to what the router
// shows.
func inspPageError(err error) error {
	var fe *inspection.FieldError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &fe):
		return api.BadRequest(fe.Field, err.Error())
	case errors.Is(err, inspection.ErrNotFound):
		return &api.Error{Status: http.StatusNotFound, Code: api.CodeNotFound, Message: "no such record", Err: err}
	case errors.Is(err, inspection.ErrForbidden):
		return &api.Error{Status: http.StatusForbidden, Code: api.CodeForbidden, Message: err.Error()}
	case errors.Is(err, inspection.ErrConflict):
		return api.Conflict(err.Error())
	}
	return err
}

// inspFailed maps an inspection error of a form submission to what the
// page shows, or returns false for an error the form cannot explain (not
// found, internal), which the caller returns to the router. A service
// field "base[i]" is the form's field base (lists are typed as text).
func (s *Site) inspFailed(r *http.Request, err error) (formFailure, bool) {
	var fe *inspection.FieldError
	switch {
	case errors.As(err, &fe):
		name := fe.Field
		if i := strings.IndexByte(name, '['); i > 0 {
			name = name[:i]
		}
		return formFailure{http.StatusBadRequest, s.t(r, "form.invalid") + " (" + fe.Error() + ")", fieldErr{name, fe.Msg}}, true
	case errors.Is(err, inspection.ErrConflict):
		return formFailure{http.StatusConflict, s.t(r, "error.conflict") + " " + err.Error(), fieldErr{}}, true
	case errors.Is(err, inspection.ErrForbidden):
		return formFailure{http.StatusForbidden, s.t(r, "inspection.forbidden") + " " + err.Error(), fieldErr{}}, true
	}
	return formFailure{}, false
}

// agencyChoices are the agencies a form may name: those that hold
// communications information.
func (s *Site) agencyChoices(r *http.Request, n names) ([]orgChoice, error) {
	return s.orgChoices(r, n, func(o auth.Org) bool { return inspection.IsAgency(o.Kind) })
}

// inspectionStates are an inspection's states, for the list's filter.
var inspectionStates = []inspection.InspectionState{inspection.InspectionOpen, inspection.InspectionClosed}

// inspectionForm is a new inspection as typed.
type inspectionForm struct {
	Title, Scope                      string
	Subjects                          []string // agency ids, or "all"
	ApprovalIDs, ProvisionIDs, RunIDs string
	Err                               fieldErr
}

// Has reports whether the form names subject id.
func (f inspectionForm) Has(id string) bool { return slices.Contains(f.Subjects, id) }

type inspectionsData struct {
	N           names
	State       string
	States      []inspection.InspectionState
	Inspections []inspection.Inspection
	Form        inspectionForm
	Agencies    []orgChoice
}

func (s *Site) inspectionsPage(w http.ResponseWriter, r *http.Request, status int, f inspectionForm, msg ...string) error {
	p := principal(r)
	n, err := s.names(r)
	if err != nil {
		return err
	}
	d := inspectionsData{N: n, State: r.URL.Query().Get("state"), States: inspectionStates, Form: f}
	if !slices.Contains(inspectionStates, inspection.InspectionState(d.State)) {
		d.State = ""
	}
	if d.Inspections, err = s.cfg.Inspection.Inspections(r.Context(), p, inspection.InspectionFilter{State: inspection.InspectionState(d.State)}); err != nil {
		return inspPageError(err)
	}
	if s.cfg.Policy.Allow(p, auth.InspectionWrite) {
		if d.Agencies, err = s.agencyChoices(r, n); err != nil {
			return err
		}
	}
	return s.render(w, r, status, "inspections", "inspections.title", d, msg...)
}

func (s *Site) inspections(w http.ResponseWriter, r *http.Request) error {
	return s.inspectionsPage(w, r, http.StatusOK, inspectionForm{})
}

func (s *Site) inspectionOpen(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	v := r.PostFormValue
	f := inspectionForm{Title: v("title"), Scope: v("scope"), Subjects: r.PostForm["subjects"],
		ApprovalIDs: v("approval_ids"), ProvisionIDs: v("provision_ids"), RunIDs: v("run_ids")}
	in, err := s.cfg.Inspection.OpenInspection(r.Context(), principal(r), inspection.NewInspection{Title: f.Title, Subjects: f.Subjects,
		Scope: f.Scope, ApprovalIDs: splitIDs(f.ApprovalIDs), ProvisionIDs: splitIDs(f.ProvisionIDs), RunIDs: splitIDs(f.RunIDs)})
	if err != nil {
		fail, ok := s.inspFailed(r, err)
		if !ok {
			return inspPageError(err)
		}
		f.Err = fail.field
		return s.inspectionsPage(w, r, fail.status, f, "", fail.msg)
	}
	http.Redirect(w, r, "/inspections/"+in.ID+"?done=opened", http.StatusSeeOther)
	return nil
}

type inspectionData struct {
	N               names
	Inspection      inspection.Inspection
	Recommendations []inspection.Recommendation
	// CanWrite: the viewer may add findings and close the open
	// inspection; CanIssue: issue a recommendation from it.
	CanWrite, CanIssue bool
	// Finding and Summary are what was typed into the two forms.
	Finding, Summary string
	Err              fieldErr
}

func (s *Site) inspectionPage(w http.ResponseWriter, r *http.Request, status int, finding, summary string, fe fieldErr, msg ...string) error {
	p := principal(r)
	in, err := s.cfg.Inspection.Inspection(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return inspPageError(err)
	}
	n, err := s.names(r)
	if err != nil {
		return err
	}
	d := inspectionData{N: n, Inspection: in, Finding: finding, Summary: summary, Err: fe,
		CanWrite: s.cfg.Policy.Allow(p, auth.InspectionWrite) && in.State == inspection.InspectionOpen,
		CanIssue: s.cfg.Policy.Allow(p, auth.RecommendationIssue)}
	if d.Recommendations, err = s.cfg.Inspection.Recommendations(r.Context(), p, inspection.RecommendationFilter{InspectionID: in.ID}); err != nil {
		return inspPageError(err)
	}
	if done := r.URL.Query().Get("done"); len(msg) == 0 && done != "" {
		switch done {
		case "opened", "finding", "closed":
			msg = []string{s.t(r, "inspection.done."+done)}
		}
	}
	return s.render(w, r, status, "inspection", "inspection.title", d, msg...)
}

func (s *Site) inspection(w http.ResponseWriter, r *http.Request) error {
	return s.inspectionPage(w, r, http.StatusOK, "", "", fieldErr{})
}

func (s *Site) inspectionFinding(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	text := r.PostFormValue("text")
	if _, err := s.cfg.Inspection.AddFinding(r.Context(), principal(r), r.PathValue("id"), text); err != nil {
		fail, ok := s.inspFailed(r, err)
		if !ok {
			return inspPageError(err)
		}
		return s.inspectionPage(w, r, fail.status, text, "", fail.field, "", fail.msg)
	}
	http.Redirect(w, r, "/inspections/"+r.PathValue("id")+"?done=finding#findings", http.StatusSeeOther)
	return nil
}

func (s *Site) inspectionClose(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	summary := r.PostFormValue("summary")
	if _, err := s.cfg.Inspection.CloseInspection(r.Context(), principal(r), r.PathValue("id"), summary); err != nil {
		fail, ok := s.inspFailed(r, err)
		if !ok {
			return inspPageError(err)
		}
		return s.inspectionPage(w, r, fail.status, "", summary, fail.field, "", fail.msg)
	}
	http.Redirect(w, r, "/inspections/"+r.PathValue("id")+"?done=closed", http.StatusSeeOther)
	return nil
}
