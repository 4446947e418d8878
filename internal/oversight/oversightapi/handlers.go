package oversightapi

import (
	"fmt"
	"net/http"
	"time"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/oversight"
)

// agreements

func (h *handlers) createAgreement(w http.ResponseWriter, r *http.Request) error {
	var in oversight.AgreementInput
	if err := api.DecodeLimit(r, &in, h.bodyLimit()); err != nil {
		return err
	}
	a, err := h.svc.CreateAgreement(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusCreated, a)
}

func (h *handlers) agreements(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	list, err := h.svc.Agreements(r.Context(), principal(r), oversight.AgreementFilter{
		State: oversight.AgreementState(q.Get("state")), OperatorOrgID: q.Get("operator")})
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, AgreementList{Agreements: nonNil(list)})
}

func (h *handlers) agreement(w http.ResponseWriter, r *http.Request) error {
	a, err := h.svc.Agreement(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, a)
}

func (h *handlers) updateAgreement(w http.ResponseWriter, r *http.Request) error {
	var in oversight.AgreementInput
	if err := api.DecodeLimit(r, &in, h.bodyLimit()); err != nil {
		return err
	}
	a, err := h.svc.UpdateAgreement(r.Context(), principal(r), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, a)
}

func (h *handlers) agreementCriteria(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	b, err := h.svc.AgreementCriteria(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	return writeRaw(w, id+".criteria.json", b)
}

func (h *handlers) consult(w http.ResponseWriter, r *http.Request) error {
	var in oversight.ConsultationRequest
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	c, err := h.svc.RequestConsultation(r.Context(), principal(r), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusCreated, c)
}

func (h *handlers) respond(w http.ResponseWriter, r *http.Request) error {
	var in oversight.ConsultationResponse
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	c, err := h.svc.RespondConsultation(r.Context(), principal(r), r.PathValue("id"), r.PathValue("cid"), in)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, c)
}

func (h *handlers) sign(w http.ResponseWriter, r *http.Request) error {
	var in SignRequest
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	if in.Revision < 1 {
		return api.BadRequest("revision", "required: the revision you read and sign")
	}
	a, err := h.svc.SignAgreement(r.Context(), principal(r), r.PathValue("id"), in.Revision)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, a)
}

func (h *handlers) terminate(w http.ResponseWriter, r *http.Request) error {
	var in ReasonRequest
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	a, err := h.svc.TerminateAgreement(r.Context(), principal(r), r.PathValue("id"), in.Reason)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, a)
}

// acquisition requests and the commission

func (h *handlers) file(w http.ResponseWriter, r *http.Request) error {
	var in oversight.AcquisitionInput
	if err := api.DecodeLimit(r, &in, h.bodyLimit()); err != nil {
		return err
	}
	a, err := h.svc.FileAcquisition(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusCreated, a)
}

func (h *handlers) acquisitions(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	list, err := h.svc.Acquisitions(r.Context(), principal(r), oversight.AcquisitionFilter{
		State: oversight.AcquisitionState(q.Get("state")), Chapter: oversight.Chapter(q.Get("chapter"))})
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, AcquisitionList{Requests: nonNil(list)})
}

func (h *handlers) acquisition(w http.ResponseWriter, r *http.Request) error {
	a, err := h.svc.Acquisition(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, a)
}

func (h *handlers) acquisitionCriteria(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	b, err := h.svc.AcquisitionCriteria(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	return writeRaw(w, id+".criteria.json", b)
}

func (h *handlers) withdraw(w http.ResponseWriter, r *http.Request) error {
	var in ReasonRequest
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	a, err := h.svc.WithdrawAcquisition(r.Context(), principal(r), r.PathValue("id"), in.Reason)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, a)
}

func (h *handlers) queue(w http.ResponseWriter, r *http.Request) error {
	items, err := h.svc.Queue(r.Context(), principal(r))
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, Queue{Items: nonNil(items)})
}

func (h *handlers) move(w http.ResponseWriter, r *http.Request) error {
	var in oversight.MotionInput
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

func (h *handlers) motionCriteria(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	b, err := h.svc.MotionCriteria(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	return writeRaw(w, id+".criteria.json", b)
}

func (h *handlers) vote(w http.ResponseWriter, r *http.Request) error {
	var in oversight.VoteInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	m, err := h.svc.CastVote(r.Context(), principal(r), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusCreated, m)
}

func (h *handlers) close(w http.ResponseWriter, r *http.Request) error {
	m, err := h.svc.CloseMotion(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, m)
}

func (h *handlers) stats(w http.ResponseWriter, r *http.Request) error {
	from, err := queryTime(r, "from")
	if err != nil {
		return err
	}
	to, err := queryTime(r, "to")
	if err != nil {
		return err
	}
	if from.IsZero() || to.IsZero() {
		return api.BadRequest("from", "from and to are required (RFC 3339 times or dates YYYY-MM-DD)")
	}
	st, err := h.svc.Stats(r.Context(), from, to)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, st)
}

// approvals

func (h *handlers) approvals(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	list, err := h.svc.Approvals(r.Context(), oversight.ApprovalFilter{State: oversight.ApprovalState(q.Get("state")), Basis: q.Get("basis"),
		RequestID: q.Get("request"), AgreementID: q.Get("agreement"), OperatorOrgID: q.Get("operator")})
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, ApprovalList{Approvals: nonNil(list)})
}

func (h *handlers) approval(w http.ResponseWriter, r *http.Request) error {
	a, err := h.svc.Approval(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, a)
}

func (h *handlers) manifest(w http.ResponseWriter, r *http.Request) error {
	b, a, err := h.svc.Manifest(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeRaw(w, a.ID+".manifest.json", b)
}

func (h *handlers) approvalCriteria(w http.ResponseWriter, r *http.Request) error {
	b, a, err := h.svc.ApprovalCriteria(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeRaw(w, fmt.Sprintf("%s-v%d.json", a.CriteriaID, a.CriteriaVersion), b)
}

func (h *handlers) bundle(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	m, a, err := h.svc.Manifest(r.Context(), id)
	if err != nil {
		return err
	}
	c, _, err := h.svc.ApprovalCriteria(r.Context(), id)
	if err != nil {
		return err
	}
	type file = struct {
		name string
		data []byte
	}
	z, err := zipOf(a.IssuedAt, file{"manifest.json", m}, file{"criteria.json", c})
	if err != nil {
		return fmt.Errorf("zip approval %s: %w", id, err)
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", a.ID+".zip"))
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(z)
	return err
}

func (h *handlers) revoke(w http.ResponseWriter, r *http.Request) error {
	var in ReasonRequest
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	a, err := h.svc.RevokeApproval(r.Context(), principal(r), r.PathValue("id"), in.Reason)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, a)
}

func (h *handlers) issueToken(w http.ResponseWriter, r *http.Request) error {
	var in SensorTokenRequest
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	raw, t, err := h.svc.IssueSensorToken(r.Context(), principal(r), r.PathValue("id"), in.Name)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusCreated, IssuedSensorToken{Token: raw, SensorToken: t})
}

func (h *handlers) tokens(w http.ResponseWriter, r *http.Request) error {
	list, err := h.svc.SensorTokens(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, SensorTokenList{Tokens: nonNil(list)})
}

func (h *handlers) revokeToken(w http.ResponseWriter, r *http.Request) error {
	var in ReasonRequest
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	t, err := h.svc.RevokeSensorToken(r.Context(), principal(r), r.PathValue("id"), r.PathValue("tid"), in.Reason)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, t)
}

// manifests

func (h *handlers) keys(w http.ResponseWriter, r *http.Request) error {
	return api.WriteJSON(w, http.StatusOK, h.svc.ManifestKeys())
}

func (h *handlers) revocations(w http.ResponseWriter, r *http.Request) error {
	b, err := h.svc.Revocations(r.Context())
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(b)
	return err
}

func queryTime(r *http.Request, name string) (time.Time, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		if d, derr := time.Parse(time.DateOnly, v); derr == nil {
			return d, nil
		}
		return time.Time{}, api.BadRequest(name, fmt.Sprintf("%q: want an RFC 3339 time or a date YYYY-MM-DD", v))
	}
	return t.UTC(), nil
}
