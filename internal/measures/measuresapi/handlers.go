package measuresapi

import (
	"fmt"
	"net/http"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/measures"
)

// designations

func (h *handlers) designations(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	active, err := queryBool(r, "active")
	if err != nil {
		return err
	}
	limit, err := queryLimit(r)
	if err != nil {
		return err
	}
	list, err := h.svc.Designations(r.Context(), principal(r), measures.DesignationFilter{
		UserID: q.Get("user"), OrgID: q.Get("org"), Active: active, Limit: limit})
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, DesignationList{Designations: nonNil(list)})
}

func (h *handlers) designate(w http.ResponseWriter, r *http.Request) error {
	var in measures.DesignationInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	d, err := h.svc.Designate(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusCreated, d)
}

func (h *handlers) designation(w http.ResponseWriter, r *http.Request) error {
	d, err := h.svc.Designation(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, d)
}

func (h *handlers) revokeDesignation(w http.ResponseWriter, r *http.Request) error {
	var in ReasonRequest
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	d, err := h.svc.RevokeDesignation(r.Context(), principal(r), r.PathValue("id"), in.Reason)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, d)
}

// cases

func (h *handlers) cases(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	limit, err := queryLimit(r)
	if err != nil {
		return err
	}
	list, err := h.svc.Cases(r.Context(), principal(r), measures.CaseFilter{
		State: measures.State(q.Get("state")), Path: measures.Path(q.Get("path")), Limit: limit})
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, CaseList{Cases: nonNil(list)})
}

func (h *handlers) openCase(w http.ResponseWriter, r *http.Request) error {
	var in measures.CaseInput
	if err := api.DecodeLimit(r, &in, maxCaseBody); err != nil {
		return err
	}
	c, err := h.svc.OpenCase(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusCreated, c)
}

func (h *handlers) getCase(w http.ResponseWriter, r *http.Request) error {
	c, err := h.svc.Case(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, c)
}

func (h *handlers) updateCase(w http.ResponseWriter, r *http.Request) error {
	var in measures.CaseInput
	if err := api.DecodeLimit(r, &in, maxCaseBody); err != nil {
		return err
	}
	c, err := h.svc.UpdateCase(r.Context(), principal(r), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, c)
}

// caseStep decodes a body of type T and applies step to the case named in
// the path, answering with the case and status.
func caseStep[T any](r *http.Request, w http.ResponseWriter, limit int64, status int, step func(id string, in T) (measures.Case, error)) error {
	var in T
	if err := api.DecodeLimit(r, &in, limit); err != nil {
		return err
	}
	c, err := step(r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, status, c)
}

func (h *handlers) location(w http.ResponseWriter, r *http.Request) error {
	return caseStep(r, w, api.DefaultMaxBody, http.StatusOK, func(id string, in measures.LocationInput) (measures.Case, error) {
		return h.svc.RecordLocation(r.Context(), principal(r), id, in)
	})
}

func (h *handlers) consult(w http.ResponseWriter, r *http.Request) error {
	return caseStep(r, w, api.DefaultMaxBody, http.StatusOK, func(id string, in TextRequest) (measures.Case, error) {
		return h.svc.RequestConsultation(r.Context(), principal(r), id, in.Text)
	})
}

func (h *handlers) answer(w http.ResponseWriter, r *http.Request) error {
	return caseStep(r, w, api.DefaultMaxBody, http.StatusOK, func(id string, in measures.ConsultationAnswer) (measures.Case, error) {
		return h.svc.AnswerConsultation(r.Context(), principal(r), id, in)
	})
}

func (h *handlers) requestApproval(w http.ResponseWriter, r *http.Request) error {
	return caseStep(r, w, api.DefaultMaxBody, http.StatusOK, func(id string, in StatementRequest) (measures.Case, error) {
		return h.svc.RequestApproval(r.Context(), principal(r), id, in.Statement)
	})
}

func (h *handlers) emergency(w http.ResponseWriter, r *http.Request) error {
	return caseStep(r, w, api.DefaultMaxBody, http.StatusOK, func(id string, in EmergencyRequest) (measures.Case, error) {
		return h.svc.DeclareEmergency(r.Context(), principal(r), id, in.SpecialCircumstances)
	})
}

func (h *handlers) postNotice(w http.ResponseWriter, r *http.Request) error {
	return caseStep(r, w, api.DefaultMaxBody, http.StatusOK, func(id string, in measures.PostNoticeInput) (measures.Case, error) {
		return h.svc.FilePostNotice(r.Context(), principal(r), id, in)
	})
}

func (h *handlers) review(w http.ResponseWriter, r *http.Request) error {
	return caseStep(r, w, api.DefaultMaxBody, http.StatusOK, func(id string, in measures.ReviewInput) (measures.Case, error) {
		return h.svc.ReviewPostNotice(r.Context(), principal(r), id, in)
	})
}

func (h *handlers) command(w http.ResponseWriter, r *http.Request) error {
	return caseStep(r, w, api.DefaultMaxBody, http.StatusOK, func(id string, in measures.CommandInput) (measures.Case, error) {
		return h.svc.Command(r.Context(), principal(r), id, in)
	})
}

func (h *handlers) npsc(w http.ResponseWriter, r *http.Request) error {
	return caseStep(r, w, api.DefaultMaxBody, http.StatusOK, func(id string, in measures.NPSCInput) (measures.Case, error) {
		return h.svc.RecordNPSC(r.Context(), principal(r), id, in)
	})
}

func (h *handlers) sdfOrder(w http.ResponseWriter, r *http.Request) error {
	return caseStep(r, w, api.DefaultMaxBody, http.StatusOK, func(id string, in measures.SDFOrderInput) (measures.Case, error) {
		return h.svc.IssueSDFOrder(r.Context(), principal(r), id, in)
	})
}

func (h *handlers) execution(w http.ResponseWriter, r *http.Request) error {
	return caseStep(r, w, maxExecutionBody, http.StatusCreated, func(id string, in measures.ExecutionInput) (measures.Case, error) {
		return h.svc.RecordExecution(r.Context(), principal(r), id, in)
	})
}

func (h *handlers) closeCase(w http.ResponseWriter, r *http.Request) error {
	return caseStep(r, w, api.DefaultMaxBody, http.StatusOK, func(id string, in measures.OutcomeInput) (measures.Case, error) {
		return h.svc.CloseCase(r.Context(), principal(r), id, in)
	})
}

func (h *handlers) withdraw(w http.ResponseWriter, r *http.Request) error {
	return caseStep(r, w, api.DefaultMaxBody, http.StatusOK, func(id string, in ReasonRequest) (measures.Case, error) {
		return h.svc.WithdrawCase(r.Context(), principal(r), id, in.Reason)
	})
}

// the commission

func (h *handlers) move(w http.ResponseWriter, r *http.Request) error {
	var in measures.MotionInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	m, err := h.svc.MoveMotion(r.Context(), principal(r), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusCreated, m)
}

func (h *handlers) motion(w http.ResponseWriter, r *http.Request) error {
	m, err := h.svc.Motion(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, m)
}

func (h *handlers) vote(w http.ResponseWriter, r *http.Request) error {
	var in measures.VoteInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	m, err := h.svc.CastVote(r.Context(), principal(r), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusCreated, m)
}

func (h *handlers) closeMotion(w http.ResponseWriter, r *http.Request) error {
	m, err := h.svc.CloseMotion(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, m)
}

func (h *handlers) queue(w http.ResponseWriter, r *http.Request) error {
	q, err := h.svc.CommissionQueue(r.Context(), principal(r))
	if err != nil {
		return err
	}
	q.Approvals, q.PostNotices, q.Overdue = nonNil(q.Approvals), nonNil(q.PostNotices), nonNil(q.Overdue)
	return api.WriteJSON(w, http.StatusOK, q)
}

func (h *handlers) overview(w http.ResponseWriter, r *http.Request) error {
	o, err := h.svc.Overview(r.Context(), principal(r))
	if err != nil {
		return err
	}
	o.Cases = nonNil(o.Cases)
	return api.WriteJSON(w, http.StatusOK, o)
}

// orders

func (h *handlers) issueOrder(w http.ResponseWriter, r *http.Request) error {
	var in measures.OrderInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	o, err := h.svc.IssueOrder(r.Context(), principal(r), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusCreated, o)
}

func (h *handlers) order(w http.ResponseWriter, r *http.Request) error {
	o, err := h.svc.Order(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, o)
}

func (h *handlers) delivery(w http.ResponseWriter, r *http.Request) error {
	var in measures.DeliveryInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	o, err := h.svc.RecordDelivery(r.Context(), principal(r), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, o)
}

func (h *handlers) response(w http.ResponseWriter, r *http.Request) error {
	var in measures.ResponseInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	o, err := h.svc.RecordResponse(r.Context(), principal(r), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, o)
}

// document serves an order's document in format, or, when format is "",
// in the ?format= asked for (default json).
func (h *handlers) document(format string) api.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		f := format
		if f == "" {
			f = r.URL.Query().Get("format")
			if f == "" {
				f = "json"
			}
			if !validFormat(f) {
				return api.BadRequest("format", fmt.Sprintf("%q: want json, txt, html or pdf", cut(f)))
			}
		}
		id := r.PathValue("id")
		b, ct, err := h.svc.OrderDocument(r.Context(), principal(r), id, f)
		if err != nil {
			return err
		}
		hdr := w.Header()
		hdr.Set("Content-Type", ct)
		hdr.Set("X-Content-Type-Options", "nosniff")
		// The HTML is self-contained: it may load nothing and run nothing.
		hdr.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox")
		hdr.Set("Content-Disposition", fmt.Sprintf("inline; filename=%q", id+"."+f))
		w.WriteHeader(http.StatusOK)
		_, err = w.Write(b)
		return err
	}
}

func validFormat(f string) bool {
	for _, x := range docFormats {
		if f == x {
			return true
		}
	}
	return false
}
