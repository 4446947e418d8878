package sharingapi

import (
	"net/http"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/sharing"
)

func (h *handlers) alerts(w http.ResponseWriter, r *http.Request) error {
	n, err := queryInt(r, "limit")
	if err != nil {
		return err
	}
	as, err := h.svc.PublicAlerts(r.Context(), n)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, AlertList{Alerts: nonNil(as)})
}

func (h *handlers) alert(w http.ResponseWriter, r *http.Request) error {
	a, err := h.svc.PublicAlert(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, a)
}

func (h *handlers) atom(w http.ResponseWriter, r *http.Request) error {
	b, err := h.svc.AtomFeed(r.Context(), 100)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", sharing.AtomMediaType)
	_, err = w.Write(b)
	return err
}
