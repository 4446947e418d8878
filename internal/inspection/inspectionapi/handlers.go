package inspectionapi

import (
	"net/http"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/inspection"
)

func (h *handlers) inspections(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	l, err := h.svc.Inspections(r.Context(), principal(r), inspection.InspectionFilter{State: inspection.InspectionState(q.Get("state")), OrgID: q.Get("org")})
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, InspectionList{Inspections: l})
}

func (h *handlers) openInspection(w http.ResponseWriter, r *http.Request) error {
	n, err := decodeInspection(r)
	if err != nil {
		return err
	}
	in, err := h.svc.OpenInspection(r.Context(), principal(r), n)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/inspections/"+in.ID)
	return api.WriteJSON(w, http.StatusCreated, in)
}

func (h *handlers) inspection(w http.ResponseWriter, r *http.Request) error {
	in, err := h.svc.Inspection(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, in)
}

func (h *handlers) addFinding(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[FindingRequest](r)
	if err != nil {
		return err
	}
	in, err := h.svc.AddFinding(r.Context(), principal(r), r.PathValue("id"), req.Text)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusCreated, in)
}

func (h *handlers) closeInspection(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[CloseRequest](r)
	if err != nil {
		return err
	}
	in, err := h.svc.CloseInspection(r.Context(), principal(r), r.PathValue("id"), req.Summary)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, in)
}

func (h *handlers) recommendations(w http.ResponseWriter, r *http.Request) error {
	overdue, err := queryBool(r, "overdue")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	l, err := h.svc.Recommendations(r.Context(), principal(r), inspection.RecommendationFilter{State: inspection.RecommendationState(q.Get("state")),
		OrgID: q.Get("org"), InspectionID: q.Get("inspection"), Overdue: overdue})
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, RecommendationList{Recommendations: l})
}

func (h *handlers) issue(w http.ResponseWriter, r *http.Request) error {
	n, err := decodeRecommendation(r)
	if err != nil {
		return err
	}
	rec, err := h.svc.IssueRecommendation(r.Context(), principal(r), n)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/recommendations/"+rec.ID)
	return api.WriteJSON(w, http.StatusCreated, rec)
}

func (h *handlers) recommendation(w http.ResponseWriter, r *http.Request) error {
	rec, err := h.svc.Recommendation(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, rec)
}

func (h *handlers) answer(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[AnswerRequest](r)
	if err != nil {
		return err
	}
	rec, err := h.svc.AnswerRecommendation(r.Context(), principal(r), r.PathValue("id"), req.Text)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, rec)
}

func (h *handlers) assess(w http.ResponseWriter, r *http.Request) error {
	a, err := decodeAssessment(r)
	if err != nil {
		return err
	}
	rec, err := h.svc.AssessRecommendation(r.Context(), principal(r), r.PathValue("id"), a)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, rec)
}

func (h *handlers) withdraw(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[WithdrawRequest](r)
	if err != nil {
		return err
	}
	rec, err := h.svc.WithdrawRecommendation(r.Context(), principal(r), r.PathValue("id"), req.Reason)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, rec)
}

func (h *handlers) handlingErrors(w http.ResponseWriter, r *http.Request) error {
	serious, err := queryBool(r, "serious")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	l, err := h.svc.HandlingErrors(r.Context(), principal(r), inspection.ErrorFilter{State: inspection.ErrorState(q.Get("state")), OrgID: q.Get("org"),
		Category: inspection.Category(q.Get("category")), Severity: inspection.Severity(q.Get("severity")), Serious: serious})
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, HandlingErrorList{HandlingErrors: l})
}

func (h *handlers) reportError(w http.ResponseWriter, r *http.Request) error {
	n, err := decodeHandlingError(r)
	if err != nil {
		return err
	}
	he, err := h.svc.ReportHandlingError(r.Context(), principal(r), n)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/handling-errors/"+he.ID)
	return api.WriteJSON(w, http.StatusCreated, he)
}

func (h *handlers) handlingError(w http.ResponseWriter, r *http.Request) error {
	he, err := h.svc.HandlingError(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, he)
}

func (h *handlers) classify(w http.ResponseWriter, r *http.Request) error {
	c, err := decodeClassification(r)
	if err != nil {
		return err
	}
	he, err := h.svc.ClassifyHandlingError(r.Context(), principal(r), r.PathValue("id"), c)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, he)
}
