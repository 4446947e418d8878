package authapi

import (
	"net/http"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/deadline"
)

// Inbox is the body of GET /api/v1/inbox.
type Inbox struct {
	// Messages are the newest deadline.InboxLimit notices addressed to the
	// caller or to the caller's organisation, newest first.
	Messages []deadline.Message `json:"messages"`
	// Unread counts every unread notice, also beyond Messages.
	Unread int `json:"unread"`
}

func (h *handlers) listInbox(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	msgs, err := h.inbox.Inbox(r.Context(), p.UserID, p.OrgID)
	if err != nil {
		return err
	}
	n, err := h.inbox.Unread(r.Context(), p.UserID, p.OrgID)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, Inbox{Messages: nonNil(msgs), Unread: n})
}

func (h *handlers) markRead(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	if err := h.inbox.MarkRead(r.Context(), p.UserID, p.OrgID, r.PathValue("id")); err != nil {
		return serviceError(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
