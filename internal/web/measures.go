package web

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/measures"
	"github.com/acd-platform/acd/internal/pdf"
	"github.com/acd-platform/acd/internal/svcerr"
)

// The pages of access and neutralisation measures (Police Duties Execution
// Act §6-2; SDF Act §81-3, §91-3, §95-4):
//
//   - /designations: the designated officers; the NPA Commissioner General
//     and the Minister of Defense designate and revoke;
//   - /measures: the cases the viewer may see, with their gates;
//     /measures/new opens one (a designated officer);
//   - /measures/{id}: a case with its gate panel and, by the viewer's role
//     and the case's state, the forms of the next steps: the location
//     (officer), the MOFA consultation (commander) and its answer (MOFA),
//     the request for approval and the commission's motions and votes,
//     the emergency declaration, its post-notification and the
//     commission's review, the command, the NPSC's record and the Prime
//     Minister's order (SDF protection), orders to administrators with
//     their documents, deliveries and responses, the officer's record of
//     execution, closing and withdrawal;
//   - /commission/measures: the commission's queue (approvals pending,
//     post-notifications to review or overdue);
//   - /measures/overview: the Cabinet Office's command-tower view.
//
// ACD records the legal process only; it takes no measure. Every page is
// a route with its action, so the one policy guards it; the measures
// service then scopes each case and enforces the law's rules, and a step
// it refuses shows as the refusal's message in the page's language with
// its stable code.

// registerMeasures adds the measures pages through page, Register's
// helper; it adds none when the site has no measures service.
func (s *Site) registerMeasures(page func(pattern string, action auth.Action, h api.HandlerFunc)) {
	if s.cfg.Measures == nil {
		return
	}
	page("GET /designations", auth.OfficerRead, s.designations)
	page("POST /designations", auth.OfficerDesignate, s.designationCreate)
	page("POST /designations/{id}/revoke", auth.OfficerDesignate, s.designationRevoke)

	page("GET /measures", auth.MeasureRead, s.measureCases)
	page("GET /measures/new", auth.MeasureOpen, s.measureNew)
	page("POST /measures", auth.MeasureOpen, s.measureOpen)
	page("GET /measures/overview", auth.MeasureOverview, s.measureOverview)
	page("GET /commission/measures", auth.CommissionVote, s.measureQueue)
	page("GET /measures/{id}", auth.MeasureRead, s.measureCase)

	page("POST /measures/{id}/location", auth.MeasureWrite, s.measureLocation)
	page("POST /measures/{id}/consultation", auth.MeasureCommand, s.measureConsult)
	page("POST /measures/{id}/consultation/answer", auth.ConsultationAnswer, s.measureAnswer)
	page("POST /measures/{id}/approval", auth.MeasureWrite, s.measureApproval)
	page("POST /measures/{id}/approval/by-commander", auth.MeasureCommand, s.measureApproval)
	page("POST /measures/{id}/motions", auth.CommissionVote, s.measureMotion)
	page("POST /measures/motions/{mid}/votes", auth.CommissionVote, s.measureVote)
	page("POST /measures/motions/{mid}/close", auth.CommissionDecide, s.measureMotionClose)
	page("POST /measures/{id}/emergency", auth.MeasureWrite, s.measureEmergency)
	page("POST /measures/{id}/post-notice", auth.MeasureWrite, s.measurePostNotice)
	page("POST /measures/{id}/post-notice/review", auth.PostNoticeReview, s.measureReview)
	page("POST /measures/{id}/command", auth.MeasureCommand, s.measureCommand)
	page("POST /measures/{id}/npsc", auth.SDFOrderNPSC, s.measureNPSC)
	page("POST /measures/{id}/sdf-order", auth.SDFOrderIssue, s.measureSDFOrder)
	page("POST /measures/{id}/orders", auth.MeasureWrite, s.measureOrderIssue)
	page("GET /measures/orders/{oid}/{format}", auth.MeasureRead, s.measureOrderDocument)
	page("POST /measures/orders/{oid}/delivery", auth.MeasureWrite, s.measureDelivery)
	page("POST /measures/orders/{oid}/response", auth.MeasureWrite, s.measureResponse)
	page("POST /measures/{id}/executions", auth.MeasureWrite, s.measureExecution)
	page("POST /measures/{id}/close", auth.MeasureWrite, s.measureClose)
	page("POST /measures/{id}/withdraw", auth.MeasureWrite, s.measureWithdraw)

	s.links[auth.OfficerRead] = "/designations"
	s.links[auth.OfficerDesignate] = "/designations#designate"
	s.links[auth.MeasureRead] = "/measures"
	s.links[auth.MeasureOpen] = "/measures/new"
	s.links[auth.MeasureWrite] = "/measures"
	s.links[auth.MeasureCommand] = "/measures"
	s.links[auth.ConsultationAnswer] = "/measures"
	s.links[auth.SDFOrderIssue] = "/measures"
	s.links[auth.SDFOrderNPSC] = "/measures"
	s.links[auth.PostNoticeReview] = "/commission/measures"
	s.links[auth.MeasureOverview] = "/measures/overview"
}

// msrPageError maps the measures service's errors to what the router
// shows. A refusal keeps its status and code and says its message in
// both languages (svcerr.RefusalAPI, as the API does); a PDF that cannot
// be printed for want of Chromium is 503.
func msrPageError(err error) error {
	if e := svcerr.RefusalAPI(err); e != nil {
		return e
	}
	var fe *measures.FieldError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &fe):
		return api.BadRequest(fe.Field, err.Error())
	case errors.Is(err, measures.ErrNotFound):
		return &api.Error{Status: http.StatusNotFound, Code: api.CodeNotFound, Message: "no such record", Err: err}
	case errors.Is(err, measures.ErrForbidden):
		return &api.Error{Status: http.StatusForbidden, Code: api.CodeForbidden, Message: err.Error()}
	case errors.Is(err, measures.ErrConflict):
		return api.Conflict(err.Error())
	case errors.Is(err, pdf.ErrNoBrowser):
		return api.Unavailable(pdf.ErrNoBrowser.Error(), err)
	}
	return err
}

// msrFailed is svcFailed with the measures pages' messages; an order's
// PDF that cannot be printed for want of Chromium is 503.
func (s *Site) msrFailed(w http.ResponseWriter, r *http.Request, err error, fields func(string) (string, string)) (formFailure, bool) {
	if errors.Is(err, pdf.ErrNoBrowser) {
		return formFailure{http.StatusServiceUnavailable, pdf.ErrNoBrowser.Error(), fieldErr{}}, true
	}
	return s.svcFailed(w, r, pageMessages{refused: "measure.refused", forbidden: "measure.forbidden"}, err, fields)
}

// fieldIndex matches a service field path "base[i]rest".
var fieldIndex = regexp.MustCompile(`^([a-z_.]+)\[(\d+)\](.*)$`)

// splitIndex splits a service field "base[i]rest" into base, i and rest;
// ok is false for a field without an index.
func splitIndex(field string) (base string, i int, rest string, ok bool) {
	m := fieldIndex.FindStringSubmatch(field)
	if m == nil {
		return field, 0, "", false
	}
	i, err := strconv.Atoi(m[2])
	if err != nil {
		return field, 0, "", false
	}
	return m[1], i, m[3], true
}

// acts are the values of the one form of a page that was submitted and
// refused, so that the page shows that form again as typed with its
// error; every other form shows empty.
type acts struct {
	// Form names the form: "location", "command", "delivery:ord_…".
	Form string
	V    url.Values
	Err  fieldErr
}

// formActs reads the submitted form named form.
func formActs(r *http.Request, form string) acts {
	v := url.Values{}
	for k, vs := range r.PostForm {
		if k != "csrf" {
			v[k] = vs
		}
	}
	return acts{Form: form, V: v}
}

// Val returns the value of field name as typed into form, or "".
func (a acts) Val(form, name string) string {
	if a.Form != form {
		return ""
	}
	return a.V.Get(name)
}

// Nth returns the i-th value of field name as typed into form, or "".
func (a acts) Nth(form, name string, i int) string {
	if a.Form != form || i >= len(a.V[name]) {
		return ""
	}
	return a.V[name][i]
}

// Checked reports whether value was checked in field name of form.
func (a acts) Checked(form, name, value string) bool {
	return a.Form == form && slices.Contains(a.V[name], value)
}

// E returns the error of field name of form, or "".
func (a acts) E(form, name string) string {
	if a.Form != form {
		return ""
	}
	return a.Err.For(name)
}

// trimmed returns a form value trimmed.
func trimmed(r *http.Request, name string) string { return strings.TrimSpace(r.PostFormValue(name)) }

// checkbox reports whether a checkbox named name was checked.
func checkbox(r *http.Request, name string) bool {
	v := r.PostFormValue(name)
	return v == "on" || v == "true" || v == "1" || v == "yes"
}

// measureKinds and the other choices the forms offer, in order.
var (
	measureStates   = measures.States
	measurePaths    = measures.Paths
	reviewOutcomes  = []measures.ReviewOutcome{measures.ReviewAcknowledged, measures.ReviewRecommendation}
	mofaResponses   = []measures.ConsultationResponse{measures.NoObjection, measures.Objection}
	npscKinds       = []measures.NPSCKind{measures.NPSCRequest, measures.NPSCConsent}
	deliveryMethods = []measures.DeliveryMethod{measures.DeliveryEmail, measures.DeliveryPost, measures.DeliveryInPerson,
		measures.DeliveryPhone, measures.DeliveryOther}
	orderResponses = []measures.OrderResponse{measures.ResponseComplied, measures.ResponsePartiallyComplied,
		measures.ResponseRefused, measures.ResponseNoResponse}
	stepKinds = []measures.StepKind{measures.StepAccess, measures.StepConfirmPrograms, measures.StepNeutralise,
		measures.StepOther}
	executionResults   = []measures.ExecutionResult{measures.ResultSucceeded, measures.ResultPartial, measures.ResultFailed}
	computerCategories = []string{measures.ComputersGovernment, measures.ComputersLocalGovernment,
		measures.ComputersCriticalInfra, measures.ComputersDefenceIndustry}
	measureMotionKinds = []string{"approve", "refuse"}
	// executionKinds are the kinds an officer records as executed: every
	// kind but the order to the administrator, which is issued as an
	// order.
	executionKinds = []measures.MeasureKind{measures.KindStopProgram, measures.KindDeleteProgram, measures.KindChangeSetting,
		measures.KindOther}
)

// gateView is one gate of a case as the gate panel shows it.
type gateView struct {
	measures.Gate
	// Status is "passed", "pending" or "not_required".
	Status string
	// Message is the refusal message of Code in the page's language.
	Message string
}

// gateViews renders gates for the panel in lang.
func gateViews(gs []measures.Gate, lang Lang) []gateView {
	out := make([]gateView, 0, len(gs))
	for _, g := range gs {
		v := gateView{Gate: g, Status: "passed"}
		switch {
		case !g.Required:
			v.Status = "not_required"
		case !g.Passed:
			v.Status = "pending"
			v.Message = measures.Refuse(g.Code, "").Message(string(lang))
		}
		out = append(out, v)
	}
	return out
}

// Class returns the badge class of g's status.
func (g gateView) Class() string { return gateClass(g.Status) }

// gateClass is the badge class of a gate's status, as the traffic lights
// of the other pages: passed green, not yet amber, not required grey.
func gateClass(status string) string {
	switch status {
	case "passed":
		return "tl-on_time"
	case "pending":
		return "tl-late"
	}
	return "tl-pending"
}
