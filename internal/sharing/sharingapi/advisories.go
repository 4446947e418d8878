package sharingapi

import (
	"net/http"
	"slices"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/sharing"
)

// decodeAdvisory reads an advisory's body.
func decodeAdvisory(r *http.Request) (sharing.AdvisoryInput, error) {
	var in sharing.AdvisoryInput
	err := api.DecodeLimit(r, &in, maxAdvisoryBody)
	return in, err
}

func (h *handlers) createAdvisory(w http.ResponseWriter, r *http.Request) error {
	in, err := decodeAdvisory(r)
	if err != nil {
		return err
	}
	a, err := h.svc.CreateAdvisory(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/advisories/"+a.ID)
	return api.WriteJSON(w, http.StatusCreated, a)
}

var states = []sharing.State{sharing.StateDraft, sharing.StateInReview, sharing.StatePublished, sharing.StateWithdrawn, sharing.StateSuperseded}

func (h *handlers) advisories(w http.ResponseWriter, r *http.Request) error {
	state := sharing.State(r.URL.Query().Get("state"))
	if state != "" && !slices.Contains(states, state) {
		return api.BadRequest("state", "want draft, in_review, published, withdrawn or superseded")
	}
	n, err := queryInt(r, "limit")
	if err != nil {
		return err
	}
	items, err := h.svc.Advisories(r.Context(), principal(r), sharing.AdvisoryFilter{State: state, Limit: n})
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, SummaryList{Items: nonNil(items)})
}

func (h *handlers) advisory(w http.ResponseWriter, r *http.Request) error {
	rev, err := queryInt(r, "revision")
	if err != nil {
		return err
	}
	a, err := h.svc.Advisory(r.Context(), principal(r), r.PathValue("id"), rev)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, a)
}

func (h *handlers) updateAdvisory(w http.ResponseWriter, r *http.Request) error {
	in, err := decodeAdvisory(r)
	if err != nil {
		return err
	}
	a, err := h.svc.UpdateAdvisory(r.Context(), principal(r), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, a)
}

func (h *handlers) submit(w http.ResponseWriter, r *http.Request) error {
	a, err := h.svc.SubmitAdvisory(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, a)
}

func (h *handlers) returnAdvisory(w http.ResponseWriter, r *http.Request) error {
	var in CommentRequest
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	a, err := h.svc.ReturnAdvisory(r.Context(), principal(r), r.PathValue("id"), in.Comment)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, a)
}

func (h *handlers) publish(w http.ResponseWriter, r *http.Request) error {
	a, err := h.svc.PublishAdvisory(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, a)
}

func (h *handlers) withdrawAdvisory(w http.ResponseWriter, r *http.Request) error {
	var in ReasonRequest
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	a, err := h.svc.WithdrawAdvisory(r.Context(), principal(r), r.PathValue("id"), in.Reason)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, a)
}

func (h *handlers) revise(w http.ResponseWriter, r *http.Request) error {
	a, err := h.svc.ReviseAdvisory(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusCreated, a)
}
