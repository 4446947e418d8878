package sharingapi

import (
	"net/http"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/sharing"
	"github.com/acd-platform/acd/internal/tlp"
)

func (h *handlers) sharedList(w http.ResponseWriter, r *http.Request) error {
	var level tlp.Level
	if v := r.URL.Query().Get("tlp"); v != "" {
		l, err := tlp.ParseLevel(v)
		if err != nil {
			return api.BadRequest("tlp", err.Error())
		}
		level = l
	}
	withdrawn, err := queryBool(r, "withdrawn")
	if err != nil {
		return err
	}
	n, err := queryInt(r, "limit")
	if err != nil {
		return err
	}
	items, err := h.svc.SharedItems(r.Context(), principal(r), sharing.SharedFilter{TLP: level, Withdrawn: withdrawn, Limit: n})
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, SummaryList{Items: nonNil(items)})
}

func (h *handlers) shared(w http.ResponseWriter, r *http.Request) error {
	a, err := h.svc.Shared(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, a)
}

func (h *handlers) sharedSTIX(w http.ResponseWriter, r *http.Request) error {
	b, err := h.svc.SharedSTIX(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", MediaTypeSTIX)
	_, err = w.Write(b)
	return err
}

func (h *handlers) forward(w http.ResponseWriter, r *http.Request) error {
	var in sharing.ForwardInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	f, err := h.svc.Forward(r.Context(), principal(r), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusCreated, f)
}
