// Package inspectionapi serves the commission's oversight JSON API under
// /api/v1: inspections and their findings, recommendations to agencies with
// their answers, assessments and withdrawal, and handling errors with their
// classification (Act ch.10). docs/inspection.md has curl examples.
//
// Request bodies are decoded strictly (application/json, no unknown fields,
// one value); every error names the field at fault, times included.
package inspectionapi

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/inspection"
	"github.com/acd-platform/acd/internal/svcerr"
)

// maxBody bounds every request body: the largest holds a few texts of
// inspection.MaxText characters.
const maxBody = 256 << 10

type handlers struct {
	svc *inspection.Service
}

// Register adds the inspection, recommendation and handling-error routes to
// r.
func Register(r *api.Router, s *inspection.Service) {
	h := &handlers{svc: s}
	const tagIns, tagRec, tagErr = "inspections", "recommendations", "handling errors"
	route := func(rt api.Route, fn api.HandlerFunc) { r.Handle(rt, fn) }

	route(api.Route{Pattern: "GET /api/v1/inspections", Action: auth.InspectionRead, Tag: tagIns, Summary: "Inspections, newest first, without findings (?state=open|closed, ?org= an agency inspected)", Response: InspectionList{}}, h.inspections)
	route(api.Route{Pattern: "POST /api/v1/inspections", Action: auth.InspectionWrite, Tag: tagIns, Summary: "Open an inspection of agencies (subjects: ids, or [\"all\"])", Request: inspection.NewInspection{}, Response: inspection.Inspection{}, Status: http.StatusCreated}, h.openInspection)
	route(api.Route{Pattern: "GET /api/v1/inspections/{id}", Action: auth.InspectionRead, Tag: tagIns, Summary: "An inspection with its findings", Response: inspection.Inspection{}}, h.inspection)
	route(api.Route{Pattern: "POST /api/v1/inspections/{id}/findings", Action: auth.InspectionWrite, Tag: tagIns, Summary: "Add a finding to an open inspection", Request: FindingRequest{}, Response: inspection.Inspection{}, Status: http.StatusCreated}, h.addFinding)
	route(api.Route{Pattern: "POST /api/v1/inspections/{id}/close", Action: auth.InspectionWrite, Tag: tagIns, Summary: "Close an open inspection with a summary", Request: CloseRequest{}, Response: inspection.Inspection{}}, h.closeInspection)

	route(api.Route{Pattern: "GET /api/v1/recommendations", Action: auth.RecommendationRead, Tag: tagRec, Summary: "Recommendations visible to the caller (the commission: all; an agency: its own), newest first (?state=, ?org=, ?inspection=, ?overdue=true)", Response: RecommendationList{}}, h.recommendations)
	route(api.Route{Pattern: "POST /api/v1/recommendations", Action: auth.RecommendationIssue, Tag: tagRec, Summary: "Issue a recommendation to an agency, with a deadline for its answer", Request: RecommendationRequest{}, Response: inspection.Recommendation{}, Status: http.StatusCreated}, h.issue)
	route(api.Route{Pattern: "GET /api/v1/recommendations/{id}", Action: auth.RecommendationRead, Tag: tagRec, Summary: "A recommendation with its history", Response: inspection.Recommendation{}}, h.recommendation)
	route(api.Route{Pattern: "POST /api/v1/recommendations/{id}/answer", Action: auth.RecommendationAnswer, Tag: tagRec, Summary: "Answer a recommendation addressed to the caller's agency", Request: AnswerRequest{}, Response: inspection.Recommendation{}}, h.answer)
	route(api.Route{Pattern: "POST /api/v1/recommendations/{id}/assess", Action: auth.RecommendationIssue, Tag: tagRec, Summary: "Assess how far an answered recommendation was implemented, closing it; again to re-assess or re-rate", Request: inspection.Assessment{}, Response: inspection.Recommendation{}}, h.assess)
	route(api.Route{Pattern: "POST /api/v1/recommendations/{id}/withdraw", Action: auth.RecommendationIssue, Tag: tagRec, Summary: "Withdraw an issued or answered recommendation", Request: WithdrawRequest{}, Response: inspection.Recommendation{}}, h.withdraw)

	route(api.Route{Pattern: "GET /api/v1/handling-errors", Action: auth.HandlingErrorRead, Tag: tagErr, Summary: "Handling errors visible to the caller (the commission: all; an agency: its own), newest first (?state=, ?org=, ?category=, ?severity=, ?serious=true)", Response: HandlingErrorList{}}, h.handlingErrors)
	route(api.Route{Pattern: "POST /api/v1/handling-errors", Action: auth.HandlingErrorReport, Tag: tagErr, Summary: "Report an error in handling communications information", Request: HandlingErrorRequest{}, Response: inspection.HandlingError{}, Status: http.StatusCreated}, h.reportError)
	route(api.Route{Pattern: "GET /api/v1/handling-errors/{id}", Action: auth.HandlingErrorRead, Tag: tagErr, Summary: "A handling error with its classification", Response: inspection.HandlingError{}}, h.handlingError)
	route(api.Route{Pattern: "POST /api/v1/handling-errors/{id}/classify", Action: auth.HandlingErrorClassify, Tag: tagErr, Summary: "Classify a reported error: serious or not, and whether the affected persons were told", Request: ClassifyRequest{}, Response: inspection.HandlingError{}}, h.classify)
}

// Error maps the inspection package's errors to API errors, or returns nil
// for any other error; the server's MapError calls it.
func Error(err error) *api.Error { return svcerr.API(err) }

func principal(r *http.Request) *auth.Principal { return auth.FromContext(r.Context()) }

func queryBool(r *http.Request, name string) (bool, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, api.BadRequest(name, fmt.Sprintf("%q: want true or false", v))
	}
	return b, nil
}
