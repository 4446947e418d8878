package sharingapi

import (
	"net/http"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/reporting"
	"github.com/acd-platform/acd/internal/sharing"
)

func (h *handlers) terms(w http.ResponseWriter, r *http.Request) error {
	return api.WriteJSON(w, http.StatusOK, sharing.CurrentTerms())
}

func (h *handlers) myCouncil(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	m, err := h.svc.Membership(r.Context(), p, "")
	if err != nil {
		return err
	}
	level, err := h.svc.ClearanceOf(r.Context(), p.UserID)
	if err != nil {
		return err
	}
	gs, err := h.svc.Groups(r.Context(), p)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, MyCouncil{Membership: m, Clearance: level, Groups: nonNil(gs)})
}

func (h *handlers) consent(w http.ResponseWriter, r *http.Request) error {
	var in sharing.ConsentInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	m, err := h.svc.Consent(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, m)
}

func (h *handlers) withdraw(w http.ResponseWriter, r *http.Request) error {
	var in ReasonRequest
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	m, err := h.svc.Withdraw(r.Context(), principal(r), in.Reason)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, m)
}

func (h *handlers) members(w http.ResponseWriter, r *http.Request) error {
	ms, err := h.svc.Members(r.Context(), principal(r))
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, MemberList{Members: nonNil(ms)})
}

func (h *handlers) member(w http.ResponseWriter, r *http.Request) error {
	m, err := h.svc.Membership(r.Context(), principal(r), r.PathValue("org"))
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, m)
}

func (h *handlers) suspend(w http.ResponseWriter, r *http.Request) error {
	var in ReasonRequest
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	m, err := h.svc.Suspend(r.Context(), principal(r), r.PathValue("org"), in.Reason)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, m)
}

func (h *handlers) reinstate(w http.ResponseWriter, r *http.Request) error {
	var in ReasonRequest
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	m, err := h.svc.Reinstate(r.Context(), principal(r), r.PathValue("org"), in.Reason)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, m)
}

func (h *handlers) groups(w http.ResponseWriter, r *http.Request) error {
	gs, err := h.svc.Groups(r.Context(), principal(r))
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, GroupList{Groups: nonNil(gs)})
}

func (h *handlers) createGroup(w http.ResponseWriter, r *http.Request) error {
	var in sharing.GroupInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	g, err := h.svc.CreateGroup(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/council/groups/"+g.ID)
	return api.WriteJSON(w, http.StatusCreated, g)
}

func (h *handlers) group(w http.ResponseWriter, r *http.Request) error {
	g, err := h.svc.Group(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, g)
}

func (h *handlers) updateGroup(w http.ResponseWriter, r *http.Request) error {
	var in sharing.GroupInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	g, err := h.svc.UpdateGroup(r.Context(), principal(r), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, g)
}

func (h *handlers) addGroupMember(w http.ResponseWriter, r *http.Request) error {
	var in OrgRequest
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	g, err := h.svc.AddGroupMember(r.Context(), principal(r), r.PathValue("id"), in.OrgID)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, g)
}

func (h *handlers) removeGroupMember(w http.ResponseWriter, r *http.Request) error {
	g, err := h.svc.RemoveGroupMember(r.Context(), principal(r), r.PathValue("id"), r.PathValue("org"))
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, g)
}

func (h *handlers) clearances(w http.ResponseWriter, r *http.Request) error {
	cs, err := h.svc.Clearances(r.Context(), principal(r))
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, ClearanceList{Levels: h.svc.Scale().Levels(), Clearances: nonNil(cs)})
}

func (h *handlers) grant(w http.ResponseWriter, r *http.Request) error {
	var in ClearanceRequest
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	c, err := h.svc.GrantClearance(r.Context(), principal(r), r.PathValue("user"), in.Level, in.Reason)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, c)
}

func (h *handlers) revoke(w http.ResponseWriter, r *http.Request) error {
	var in ReasonRequest
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	if err := h.svc.RevokeClearance(r.Context(), principal(r), r.PathValue("user"), in.Reason); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *handlers) request(w http.ResponseWriter, r *http.Request) error {
	var in reporting.NewCouncilRequest
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	o, err := h.svc.RequestMaterials(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/council/requests/"+o.ID)
	return api.WriteJSON(w, http.StatusCreated, o)
}

func (h *handlers) requests(w http.ResponseWriter, r *http.Request) error {
	state := reporting.OrderState(r.URL.Query().Get("state"))
	switch state {
	case "", reporting.OrderOpen, reporting.OrderAnswered, reporting.OrderClosed:
	default:
		return api.BadRequest("state", "want open, answered or closed")
	}
	os, err := h.svc.Requests(r.Context(), principal(r), state)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, RequestList{Requests: nonNil(os)})
}

func (h *handlers) requestOne(w http.ResponseWriter, r *http.Request) error {
	o, err := h.svc.Request(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, o)
}

func (h *handlers) answer(w http.ResponseWriter, r *http.Request) error {
	var in TextRequest
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	o, err := h.svc.AnswerRequest(r.Context(), principal(r), r.PathValue("id"), in.Text)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, o)
}

func (h *handlers) closeRequest(w http.ResponseWriter, r *http.Request) error {
	var in TextRequest
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	o, err := h.svc.CloseRequest(r.Context(), principal(r), r.PathValue("id"), in.Text)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, o)
}
