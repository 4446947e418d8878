package inspectionapi

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/inspection"
)

// InspectionList is the body of GET /api/v1/inspections.
type InspectionList struct {
	Inspections []inspection.Inspection `json:"inspections"`
}

// RecommendationList is the body of GET /api/v1/recommendations.
type RecommendationList struct {
	Recommendations []inspection.Recommendation `json:"recommendations"`
}

// HandlingErrorList is the body of GET /api/v1/handling-errors.
type HandlingErrorList struct {
	HandlingErrors []inspection.HandlingError `json:"handling_errors"`
}

// FindingRequest is the body of POST /api/v1/inspections/{id}/findings.
type FindingRequest struct {
	Text string `json:"text"`
}

// CloseRequest is the body of POST /api/v1/inspections/{id}/close.
type CloseRequest struct {
	Summary string `json:"summary"`
}

// RecommendationRequest is the body of POST /api/v1/recommendations.
type RecommendationRequest struct {
	// InspectionID optionally links the inspection it comes from.
	InspectionID string `json:"inspection_id,omitempty"`
	// OrgID is the agency addressed.
	OrgID string `json:"org_id"`
	Text  string `json:"text"`
	// Rating is red, amber or green.
	Rating inspection.Rating `json:"rating"`
	// Due is when the answer is due, an RFC 3339 time in the future.
	Due string `json:"due"`
}

// AnswerRequest is the body of POST /api/v1/recommendations/{id}/answer.
type AnswerRequest struct {
	Text string `json:"text"`
}

// WithdrawRequest is the body of POST /api/v1/recommendations/{id}/withdraw.
type WithdrawRequest struct {
	Reason string `json:"reason"`
}

// HandlingErrorRequest is the body of POST /api/v1/handling-errors.
type HandlingErrorRequest struct {
	// Category is out_of_scope_selection, provision_beyond_basis,
	// late_deletion or other.
	Category inspection.Category `json:"category"`
	// Severity is low, medium or high.
	Severity    inspection.Severity `json:"severity"`
	Description string              `json:"description"`
	// OccurredAt is when the error happened, an RFC 3339 time.
	OccurredAt string `json:"occurred_at"`
	// Related are ids of related records (approvals, runs, provisions).
	Related []string `json:"related,omitempty"`
}

// ClassifyRequest is the body of POST /api/v1/handling-errors/{id}/classify.
type ClassifyRequest struct {
	// Serious is required: true or false.
	Serious *bool  `json:"serious"`
	Reasons string `json:"reasons"`
	// AffectedTold is yes, no or not_applicable.
	AffectedTold inspection.Told `json:"affected_told"`
	// AffectedToldAt is when the affected persons were told, an RFC 3339
	// time; only with affected_told yes.
	AffectedToldAt string `json:"affected_told_at,omitempty"`
}

// parseTime reads the RFC 3339 time of JSON field field; "" gives the zero
// time, which the service refuses where a time is required.
func parseTime(field, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(v))
	if err != nil {
		return time.Time{}, api.BadRequest(field, fmt.Sprintf("%s: %q: want an RFC 3339 time such as 2026-05-01T09:00:00+09:00", field, cutq(v)))
	}
	// Years outside this range cannot be written back in RFC 3339 (or,
	// before 1970, are surely a mistake).
	if t = t.UTC(); t.Year() < 1970 || t.Year() > 9999 {
		return time.Time{}, api.BadRequest(field, fmt.Sprintf("%s: %q: want a time from 1970 to 9999 UTC", field, cutq(v)))
	}
	return t, nil
}

// cutq shortens v for quoting in a message.
func cutq(v string) string {
	if r := []rune(v); len(r) > 64 {
		return string(r[:64]) + "…"
	}
	return v
}

func decode[T any](r *http.Request) (T, error) {
	var v T
	err := api.DecodeLimit(r, &v, maxBody)
	return v, err
}

// decodeInspection decodes the body of POST /api/v1/inspections.
func decodeInspection(r *http.Request) (inspection.NewInspection, error) {
	return decode[inspection.NewInspection](r)
}

// decodeRecommendation decodes the body of POST /api/v1/recommendations.
func decodeRecommendation(r *http.Request) (inspection.NewRecommendation, error) {
	req, err := decode[RecommendationRequest](r)
	if err != nil {
		return inspection.NewRecommendation{}, err
	}
	due, err := parseTime("due", req.Due)
	if err != nil {
		return inspection.NewRecommendation{}, err
	}
	return inspection.NewRecommendation{InspectionID: req.InspectionID, OrgID: req.OrgID, Text: req.Text, Rating: req.Rating, Due: due}, nil
}

// decodeAssessment decodes the body of POST
// /api/v1/recommendations/{id}/assess.
func decodeAssessment(r *http.Request) (inspection.Assessment, error) {
	return decode[inspection.Assessment](r)
}

// decodeHandlingError decodes the body of POST /api/v1/handling-errors.
func decodeHandlingError(r *http.Request) (inspection.NewHandlingError, error) {
	req, err := decode[HandlingErrorRequest](r)
	if err != nil {
		return inspection.NewHandlingError{}, err
	}
	at, err := parseTime("occurred_at", req.OccurredAt)
	if err != nil {
		return inspection.NewHandlingError{}, err
	}
	return inspection.NewHandlingError{Category: req.Category, Severity: req.Severity, Description: req.Description, OccurredAt: at, Related: req.Related}, nil
}

// decodeClassification decodes the body of POST
// /api/v1/handling-errors/{id}/classify.
func decodeClassification(r *http.Request) (inspection.Classification, error) {
	req, err := decode[ClassifyRequest](r)
	if err != nil {
		return inspection.Classification{}, err
	}
	if req.Serious == nil {
		return inspection.Classification{}, api.BadRequest("serious", "serious: required: true or false")
	}
	at, err := parseTime("affected_told_at", req.AffectedToldAt)
	if err != nil {
		return inspection.Classification{}, err
	}
	return inspection.Classification{Serious: *req.Serious, Reasons: req.Reasons, AffectedTold: req.AffectedTold, AffectedToldAt: at}, nil
}
