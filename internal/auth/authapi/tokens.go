package authapi

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auth"
)

// TokenList is the body of GET /api/v1/tokens.
type TokenList struct {
	Tokens []auth.Token `json:"tokens"`
}

// NewToken is the body of POST /api/v1/tokens.
type NewToken struct {
	// Name is 1–100 characters, to tell tokens apart.
	Name string `json:"name"`
	// TTLDays is the lifetime in days: required, at most the server's
	// maximum (365 days by default).
	TTLDays int `json:"ttl_days"`
}

// CreatedToken is the body of the 201 answer to POST /api/v1/tokens.
type CreatedToken struct {
	Token auth.Token `json:"token"`
	// Secret is the token to send as "Authorization: Bearer …". It is
	// stored only hashed: this response is the one chance to read it.
	Secret string `json:"secret"`
}

// LogValue redacts the secret.
func (c CreatedToken) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", c.Token.ID), slog.String("user", c.Token.UserID),
		slog.String("secret", "REDACTED"))
}

func (h *handlers) listTokens(w http.ResponseWriter, r *http.Request) error {
	toks, err := h.auth.Tokens(r.Context(), principal(r).UserID)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, TokenList{Tokens: nonNil(toks)})
}

func (h *handlers) createToken(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	var req NewToken
	if err := api.Decode(r, &req); err != nil {
		return err
	}
	if req.Name == "" {
		return api.BadRequest("name", "name is required")
	}
	if req.TTLDays < 1 {
		return api.BadRequest("ttl_days", "ttl_days must be at least 1")
	}
	if req.TTLDays > 100*365 {
		// Far beyond any maximum; keeps the duration from overflowing.
		return api.BadRequest("ttl_days", "ttl_days is too large")
	}
	raw, t, err := h.auth.CreateToken(r.Context(), p, p.UserID, req.Name, time.Duration(req.TTLDays)*24*time.Hour)
	if err != nil {
		return serviceError(err)
	}
	return api.WriteJSON(w, http.StatusCreated, CreatedToken{Token: t, Secret: raw})
}

func (h *handlers) revokeToken(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	ctx := r.Context()
	t, err := h.auth.Token(ctx, r.PathValue("id"))
	if err != nil || t.UserID != p.UserID {
		// Someone else's token is reported as absent, not forbidden, so
		// that token ids of other users cannot be probed. (Revoking other
		// users' tokens is TokenAdmin's, not offered here.)
		if err != nil && !isNotFound(err) {
			return err
		}
		return api.NotFound("no such token")
	}
	if err := h.auth.RevokeToken(ctx, p, t.ID); err != nil {
		return serviceError(err)
	}
	t, err = h.auth.Token(ctx, t.ID)
	if err != nil {
		return serviceError(err)
	}
	return api.WriteJSON(w, http.StatusOK, t)
}
