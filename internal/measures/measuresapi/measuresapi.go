// Package measuresapi serves the access and neutralisation measures' JSON
// API under /api/v1/measures: officer designations, measure cases and
// their gates (location, MOFA consultation, the commission's approval or
// an emergency with its post-notification, command, the SDF path's NPSC
// record and Prime Minister's order), orders to administrators with their
// documents (JSON, text, HTML, PDF), deliveries and responses, the
// officer's record of execution, closing and withdrawal, the commission's
// queue and the Cabinet Office's command-tower overview.
//
// A step the law or the case's state forbids is refused with a
// [measures.Refusal]; [Error] answers it with its status (403 or 409), its
// stable code, and its message in English and Japanese:
//
//	{"error":{"code":"command_required","message":"No command is in force for this case. (…)",
//	  "messages":{"en":"No command is in force …","ja":"この事案について有効な指揮がありません。…"}}}
//
// The policy checks each route's action; the service checks the rest
// (designation, the case's officer, the chain of command, visibility).
package measuresapi

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/measures"
	"github.com/acd-platform/acd/internal/pdf"
	"github.com/acd-platform/acd/internal/svcerr"
	"github.com/acd-platform/acd/internal/textfield"
)

// Body limits. A case holds up to 100 targets and several free-text fields
// of up to 20,000 characters; an execution up to 100 steps of as many.
const (
	maxCaseBody      = 2 << 20
	maxExecutionBody = 8 << 20
)

type handlers struct {
	svc *measures.Service
}

// Register adds the measures routes to r.
func Register(r *api.Router, svc *measures.Service) {
	h := &handlers{svc: svc}
	const tagDes, tagCase, tagComm, tagSDF, tagOrd = "designations", "measures", "measures-commission", "measures-sdf", "measure-orders"
	route := func(rt api.Route, fn api.HandlerFunc) { r.Handle(rt, fn) }
	created := http.StatusCreated
	const c = "/api/v1/measures/cases/{id}"

	route(api.Route{Pattern: "GET /api/v1/measures/designations", Action: auth.OfficerRead, Tag: tagDes, Summary: "Officer designations visible to the caller (?user=, ?org=, ?active=true, ?limit=)", Response: DesignationList{}}, h.designations)
	route(api.Route{Pattern: "POST /api/v1/measures/designations", Action: auth.OfficerDesignate, Tag: tagDes, Summary: "Designate an officer (NPA Commissioner General: police officers; Minister of Defense: SDF officers)", Request: measures.DesignationInput{}, Response: measures.Designation{}, Status: created}, h.designate)
	route(api.Route{Pattern: "GET /api/v1/measures/designations/{id}", Action: auth.OfficerRead, Tag: tagDes, Summary: "A designation", Response: measures.Designation{}}, h.designation)
	route(api.Route{Pattern: "POST /api/v1/measures/designations/{id}/revoke", Action: auth.OfficerDesignate, Tag: tagDes, Summary: "Revoke a designation (the authority that gives it), with a reason", Request: ReasonRequest{}, Response: measures.Designation{}}, h.revokeDesignation)

	route(api.Route{Pattern: "GET /api/v1/measures/cases", Action: auth.MeasureRead, Tag: tagCase, Summary: "Measure cases visible to the caller, newest first (?state=, ?path=, ?limit=)", Response: CaseList{}}, h.cases)
	route(api.Route{Pattern: "POST /api/v1/measures/cases", Action: auth.MeasureOpen, Tag: tagCase, Summary: "Open a case (a designated officer): police path for police officers, sdf_protection or sdf_guard for SDF officers", Request: measures.CaseInput{}, Response: measures.Case{}, Status: created}, h.openCase)
	route(api.Route{Pattern: "GET " + c, Action: auth.MeasureRead, Tag: tagCase, Summary: "A case with its gates, orders, executions and the commission's motions", Response: measures.Case{}}, h.getCase)
	route(api.Route{Pattern: "PUT " + c, Action: auth.MeasureWrite, Tag: tagCase, Summary: "Edit a case (its officer) until approval is requested, an emergency declared or a measure taken", Request: measures.CaseInput{}, Response: measures.Case{}}, h.updateCase)
	route(api.Route{Pattern: "POST " + c + "/location", Action: auth.MeasureWrite, Tag: tagCase, Summary: "Gate 1: record whether the target is believed to be in Japan, with evidence", Request: measures.LocationInput{}, Response: measures.Case{}}, h.location)
	route(api.Route{Pattern: "POST " + c + "/consultation", Action: auth.MeasureCommand, Tag: tagCase, Summary: "Gate 2: consult MOFA on a target abroad, through the NPA Commissioner General or the Minister of Defense", Request: TextRequest{}, Response: measures.Case{}}, h.consult)
	route(api.Route{Pattern: "POST " + c + "/consultation/answer", Action: auth.ConsultationAnswer, Tag: tagCase, Summary: "Gate 2: MOFA's answer (no_objection or objection), once", Request: measures.ConsultationAnswer{}, Response: measures.Case{}}, h.answer)
	route(api.Route{Pattern: "POST " + c + "/approval", Action: auth.MeasureWrite, Tag: tagComm, Summary: "Gate 3: ask the commission for prior approval (police path: the case's officer)", Request: StatementRequest{}, Response: measures.Case{}}, h.requestApproval)
	route(api.Route{Pattern: "POST " + c + "/approval/by-commander", Action: auth.MeasureCommand, Tag: tagComm, Summary: "Gate 3: ask the commission for prior approval on the chain's behalf (SDF paths: the Minister of Defense)", Request: StatementRequest{}, Response: measures.Case{}}, h.requestApproval)
	route(api.Route{Pattern: "POST " + c + "/motions", Action: auth.CommissionVote, Tag: tagComm, Summary: "Move a motion on the request for approval: approve, or refuse with reasons (chair or member)", Request: measures.MotionInput{}, Response: measures.Motion{}, Status: created}, h.move)
	route(api.Route{Pattern: "GET /api/v1/measures/motions/{id}", Action: auth.MeasureRead, Tag: tagComm, Summary: "A motion with its votes and, once closed, its tally", Response: measures.Motion{}}, h.motion)
	route(api.Route{Pattern: "POST /api/v1/measures/motions/{id}/votes", Action: auth.CommissionVote, Tag: tagComm, Summary: "Vote yes, no or abstain with reasons, once per motion", Request: measures.VoteInput{}, Response: measures.Motion{}, Status: created}, h.vote)
	route(api.Route{Pattern: "POST /api/v1/measures/motions/{id}/close", Action: auth.CommissionDecide, Tag: tagComm, Summary: "Close a motion and count the votes (chair); carried decides the request", Response: measures.Motion{}}, h.closeMotion)
	route(api.Route{Pattern: "POST " + c + "/emergency", Action: auth.MeasureWrite, Tag: tagComm, Summary: "Gate 3: declare an emergency (special circumstances leave no time for approval); the post-notification falls due", Request: EmergencyRequest{}, Response: measures.Case{}}, h.emergency)
	route(api.Route{Pattern: "POST " + c + "/post-notice", Action: auth.MeasureWrite, Tag: tagComm, Summary: "File the emergency measure's post-notification to the commission, once", Request: measures.PostNoticeInput{}, Response: measures.Case{}}, h.postNotice)
	route(api.Route{Pattern: "POST " + c + "/post-notice/review", Action: auth.PostNoticeReview, Tag: tagComm, Summary: "Review a post-notification: acknowledge, or answer with a recommendation (chair or member), once", Request: measures.ReviewInput{}, Response: measures.Case{}}, h.review)
	route(api.Route{Pattern: "GET /api/v1/measures/queue", Action: auth.CommissionVote, Tag: tagComm, Summary: "What awaits the commission: approvals pending, post-notifications to review, post-notifications overdue", Response: measures.Queue{}}, h.queue)
	route(api.Route{Pattern: "POST " + c + "/command", Action: auth.MeasureCommand, Tag: tagCase, Summary: "Gate 4: command the measure (the chain's commander); replaces an earlier command", Request: measures.CommandInput{}, Response: measures.Case{}}, h.command)

	route(api.Route{Pattern: "POST " + c + "/npsc", Action: auth.SDFOrderNPSC, Tag: tagSDF, Summary: "Record the National Public Safety Commission's request for or consent to SDF action (sdf_protection)", Request: measures.NPSCInput{}, Response: measures.Case{}}, h.npsc)
	route(api.Route{Pattern: "POST " + c + "/sdf-order", Action: auth.SDFOrderIssue, Tag: tagSDF, Summary: "Issue the Prime Minister's order of communication protection measures (SDF Act §81-3), every condition met and explained, once", Request: measures.SDFOrderInput{}, Response: measures.Case{}}, h.sdfOrder)

	route(api.Route{Pattern: "POST " + c + "/orders", Action: auth.MeasureWrite, Tag: tagOrd, Summary: "Issue an order to the administrator of target computers (PDEA §6-2(1)); every gate must pass", Request: measures.OrderInput{}, Response: measures.Order{}, Status: created}, h.issueOrder)
	route(api.Route{Pattern: "GET /api/v1/measures/orders/{id}", Action: auth.MeasureRead, Tag: tagOrd, Summary: "An order with its deliveries and the response", Response: measures.Order{}}, h.order)
	route(api.Route{Pattern: "GET /api/v1/measures/orders/{id}/document", Action: auth.MeasureRead, Tag: tagOrd, Summary: "The order's document (?format=json|txt|html|pdf, default json); pdf needs Chromium on the server (else 503)", Status: http.StatusOK}, h.document(""))
	for _, f := range docFormats {
		route(api.Route{Pattern: "GET /api/v1/measures/orders/{id}/document." + f, Action: auth.MeasureRead, Tag: tagOrd, Summary: "The order's document as " + f, Status: http.StatusOK}, h.document(f))
	}
	route(api.Route{Pattern: "POST /api/v1/measures/orders/{id}/delivery", Action: auth.MeasureWrite, Tag: tagOrd, Summary: "Record how and when the order reached its addressee", Request: measures.DeliveryInput{}, Response: measures.Order{}}, h.delivery)
	route(api.Route{Pattern: "POST /api/v1/measures/orders/{id}/response", Action: auth.MeasureWrite, Tag: tagOrd, Summary: "Record the administrator's response", Request: measures.ResponseInput{}, Response: measures.Order{}}, h.response)

	route(api.Route{Pattern: "POST " + c + "/executions", Action: auth.MeasureWrite, Tag: tagCase, Summary: "Record a measure the officer took over the network (ACD records it; it does not take it); every gate must pass", Request: measures.ExecutionInput{}, Response: measures.Case{}, Status: created}, h.execution)
	route(api.Route{Pattern: "POST " + c + "/close", Action: auth.MeasureWrite, Tag: tagCase, Summary: "Close the case with its outcome report (after at least one order or execution)", Request: measures.OutcomeInput{}, Response: measures.Case{}}, h.closeCase)
	route(api.Route{Pattern: "POST " + c + "/withdraw", Action: auth.MeasureWrite, Tag: tagCase, Summary: "Withdraw an open case before any order or execution; an open motion lapses", Request: ReasonRequest{}, Response: measures.Case{}}, h.withdraw)

	route(api.Route{Pattern: "GET /api/v1/measures/overview", Action: auth.MeasureOverview, Tag: tagCase, Summary: "The command tower's view: every open or executing case with its gates, and counts", Response: measures.Overview{}}, h.overview)
}

// docFormats are the formats of an order's document, as path suffixes and
// ?format= values.
var docFormats = []string{measures.FormatJSON, measures.FormatText, measures.FormatHTML, measures.FormatPDF}

// Error maps the measures package's errors to API errors; the server's
// MapError calls it. A Refusal keeps its status and code and carries its
// message in English and Japanese (svcerr.RefusalAPI); a PDF that cannot
// be printed for want of Chromium is 503 with what to install; the rest go
// through svcerr.API.
func Error(err error) *api.Error {
	if e := svcerr.RefusalAPI(err); e != nil {
		return e
	}
	if errors.Is(err, pdf.ErrNoBrowser) {
		return api.Unavailable(pdf.ErrNoBrowser.Error(), err)
	}
	return svcerr.API(err)
}

func principal(r *http.Request) *auth.Principal { return auth.FromContext(r.Context()) }

// queryBool parses a boolean query parameter; "" is false.
func queryBool(r *http.Request, name string) (bool, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, api.BadRequest(name, fmt.Sprintf("%q: want true or false", cut(v)))
	}
	return b, nil
}

// queryLimit parses ?limit=, a non-negative integer; "" is 0 (the
// service's default).
func queryLimit(r *http.Request) (int, error) {
	v := r.URL.Query().Get("limit")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, api.BadRequest("limit", fmt.Sprintf("%q: want a non-negative integer", cut(v)))
	}
	return n, nil
}

// cut shortens a query value for an error message.
func cut(s string) string { return textfield.Cut(s, 40) }

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
