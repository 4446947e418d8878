package authapi

import (
	"cmp"
	"fmt"
	"log/slog"
	"net/http"
	"slices"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/sector"
)

// Me is the body of GET /api/v1/me.
type Me struct {
	User auth.User `json:"user"`
	Org  auth.Org  `json:"org"`
	// Roles are the active roles the request was authenticated with.
	Roles []auth.Role `json:"roles"`
}

// UserList is the body of GET /api/v1/users.
type UserList struct {
	Users []auth.User `json:"users"`
}

// NewUser is the body of POST /api/v1/users.
type NewUser struct {
	// Username: 2–64 characters of a–z, 0–9, '.', '_', '-', starting with a
	// letter or digit; stored lower-case.
	Username string `json:"username"`
	// DisplayName defaults to the username.
	DisplayName string `json:"display_name,omitempty"`
	Email       string `json:"email,omitempty"`
	OrgID       string `json:"org_id"`
	// Roles: at least one of auth.AllRoles. Privileged ones become pending
	// grants.
	Roles []auth.Role `json:"roles"`
	// Password is the initial password, at least auth.MinPasswordLen
	// characters.
	Password string `json:"password"`
}

// LogValue redacts the password.
func (n NewUser) LogValue() slog.Value {
	return slog.GroupValue(slog.String("username", n.Username), slog.String("org_id", n.OrgID),
		slog.Any("roles", n.Roles), slog.String("password", "REDACTED"))
}

// CreatedUser is the body of the 201 answer to POST /api/v1/users: the
// account with its active roles, and every grant made, pending ones
// included.
type CreatedUser struct {
	User   auth.User    `json:"user"`
	Grants []auth.Grant `json:"grants"`
}

// Account is the body of GET /api/v1/users/{id}.
type Account struct {
	User   auth.User    `json:"user"`
	Grants []auth.Grant `json:"grants"`
	Tokens []auth.Token `json:"tokens"`
}

// Roles is the body of POST /api/v1/users/{id}/roles.
type Roles struct {
	// Roles: at least one of auth.AllRoles. Roles the user holds or awaits
	// already are skipped.
	Roles []auth.Role `json:"roles"`
}

// GrantList is the body of GET /api/v1/grants and of the answer to POST
// /api/v1/users/{id}/roles (the grants made).
type GrantList struct {
	Grants []auth.Grant `json:"grants"`
}

// ConfirmedGrant is the body of the answer to POST
// /api/v1/grants/{id}/confirm: the grant, and the TOTP secret issued to the
// grantee when they had none.
type ConfirmedGrant struct {
	auth.Grant
	// TOTP is set when the confirmation issued the grantee's TOTP secret.
	// It is returned this once, to the confirming admin, who hands it to
	// the user in person; the user's first code at login activates it.
	TOTP *IssuedTOTP `json:"totp,omitempty"`
}

// IssuedTOTP is a TOTP secret issued to a user at a grant's confirmation.
type IssuedTOTP struct {
	// Secret is the base32 secret, for manual entry.
	Secret string `json:"secret"`
	// URL is the otpauth:// key URI, for a QR code.
	URL string `json:"otpauth_url"`
}

// LogValue redacts the secret.
func (IssuedTOTP) LogValue() slog.Value { return slog.StringValue("REDACTED") }

// Password is the body of PUT /api/v1/users/{id}/password.
type Password struct {
	// Password is the new password, at least auth.MinPasswordLen
	// characters.
	Password string `json:"password"`
}

// LogValue redacts the password.
func (Password) LogValue() slog.Value { return slog.StringValue("REDACTED") }

// OrgList is the body of GET /api/v1/orgs.
type OrgList struct {
	Orgs []auth.Org `json:"orgs"`
}

// NewOrg is the body of POST /api/v1/orgs.
type NewOrg struct {
	Name string `json:"name"`
	// NameJA defaults to Name.
	NameJA string       `json:"name_ja,omitempty"`
	Kind   auth.OrgKind `json:"kind"`
	// Sectors: exactly one sector code for an operator, one or more for a
	// ministry, none otherwise.
	Sectors []string `json:"sectors,omitempty"`
	// Police: "national" or "prefectural" for kind "police", else empty.
	Police string `json:"police,omitempty"`
}

func (h *handlers) me(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	u, err := h.auth.User(r.Context(), p.UserID)
	if err != nil {
		return fmt.Errorf("read own account: %w", err)
	}
	o, err := h.auth.Org(r.Context(), u.OrgID)
	if err != nil {
		return fmt.Errorf("read own organisation: %w", err)
	}
	return api.WriteJSON(w, http.StatusOK, Me{User: u, Org: o, Roles: nonNil(p.Roles)})
}

func (h *handlers) listUsers(w http.ResponseWriter, r *http.Request) error {
	us, err := h.auth.Users(r.Context())
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, UserList{Users: nonNil(us)})
}

func (h *handlers) createUser(w http.ResponseWriter, r *http.Request) error {
	var req NewUser
	if err := api.Decode(r, &req); err != nil {
		return err
	}
	if err := checkRoles(req.Roles); err != nil {
		return err
	}
	if req.OrgID == "" {
		return api.BadRequest("org_id", "org_id is required")
	}
	if err := auth.CheckPassword(req.Password); err != nil {
		return api.BadRequest("password", err.Error())
	}
	u, grants, err := h.auth.CreateUser(r.Context(), principal(r), auth.NewUser{
		Username: req.Username, DisplayName: req.DisplayName, Email: req.Email,
		OrgID: req.OrgID, Roles: req.Roles, Password: req.Password,
	})
	if err != nil {
		return serviceError(err)
	}
	return api.WriteJSON(w, http.StatusCreated, CreatedUser{User: u, Grants: nonNil(grants)})
}

func (h *handlers) viewUser(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	u, err := h.auth.User(ctx, r.PathValue("id"))
	if err != nil {
		return serviceError(err)
	}
	grants, err := h.auth.Grants(ctx, u.ID)
	if err != nil {
		return err
	}
	toks, err := h.auth.Tokens(ctx, u.ID)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, Account{User: u, Grants: nonNil(grants), Tokens: nonNil(toks)})
}

func (h *handlers) disableUser(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if err := h.auth.DisableUser(r.Context(), principal(r), id); err != nil {
		return serviceError(err)
	}
	u, err := h.auth.User(r.Context(), id)
	if err != nil {
		return serviceError(err)
	}
	return api.WriteJSON(w, http.StatusOK, u)
}

func (h *handlers) requestRoles(w http.ResponseWriter, r *http.Request) error {
	var req Roles
	if err := api.Decode(r, &req); err != nil {
		return err
	}
	if err := checkRoles(req.Roles); err != nil {
		return err
	}
	grants, err := h.auth.RequestRoles(r.Context(), principal(r), r.PathValue("id"), req.Roles)
	if err != nil {
		return serviceError(err)
	}
	return api.WriteJSON(w, http.StatusOK, GrantList{Grants: nonNil(grants)})
}

func (h *handlers) setPassword(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	var req Password
	if err := api.Decode(r, &req); err != nil {
		return err
	}
	id := r.PathValue("id")
	if id == p.UserID {
		// AccountPassword is for other users; one's own password changes
		// only with the current one (PasswordChangeOwn), so that a stolen
		// token cannot take the account over.
		return api.Forbidden("change your own password with your current one, not as an admin")
	}
	if err := auth.CheckPassword(req.Password); err != nil {
		return api.BadRequest("password", err.Error())
	}
	if err := h.auth.SetPassword(r.Context(), p, id, req.Password); err != nil {
		return serviceError(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// Grant states of GET /api/v1/grants?state=, besides auth's own.
const grantsAll = "all"

func (h *handlers) listGrants(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	state := cmp.Or(q.Get("state"), string(auth.GrantPending))
	switch state {
	case string(auth.GrantPending), string(auth.GrantActive), grantsAll:
	default:
		return api.BadRequest("state", fmt.Sprintf("state %q: want %q, %q or %q", state, auth.GrantPending, auth.GrantActive, grantsAll))
	}
	var grants []auth.Grant
	switch userID := q.Get("user_id"); {
	case userID != "":
		if _, err := h.auth.User(ctx, userID); err != nil {
			return serviceError(err)
		}
		gs, err := h.auth.Grants(ctx, userID)
		if err != nil {
			return err
		}
		grants = gs
	case state == string(auth.GrantPending):
		gs, err := h.auth.PendingGrants(ctx)
		if err != nil {
			return err
		}
		grants = gs
	default:
		// The service lists all grants only per user; an admin's listing
		// of every active grant reads them user by user.
		us, err := h.auth.Users(ctx)
		if err != nil {
			return err
		}
		for _, u := range us {
			gs, err := h.auth.Grants(ctx, u.ID)
			if err != nil {
				return err
			}
			grants = append(grants, gs...)
		}
		slices.SortFunc(grants, func(a, b auth.Grant) int {
			return cmp.Or(a.RequestedAt.Compare(b.RequestedAt), cmp.Compare(a.ID, b.ID))
		})
	}
	if state != grantsAll {
		grants = slices.DeleteFunc(grants, func(g auth.Grant) bool { return string(g.State) != state })
	}
	return api.WriteJSON(w, http.StatusOK, GrantList{Grants: nonNil(grants)})
}

func (h *handlers) confirmGrant(w http.ResponseWriter, r *http.Request) error {
	g, enr, err := h.auth.ConfirmGrant(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return serviceError(err)
	}
	out := ConfirmedGrant{Grant: g}
	if enr != nil {
		out.TOTP = &IssuedTOTP{Secret: enr.Secret, URL: enr.URL}
	}
	return api.WriteJSON(w, http.StatusOK, out)
}

func (h *handlers) reissueTOTP(w http.ResponseWriter, r *http.Request) error {
	enr, err := h.auth.ReissueTOTP(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return serviceError(err)
	}
	return api.WriteJSON(w, http.StatusOK, IssuedTOTP{Secret: enr.Secret, URL: enr.URL})
}

func (h *handlers) listOrgs(w http.ResponseWriter, r *http.Request) error {
	orgs, err := h.auth.Orgs(r.Context())
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, OrgList{Orgs: nonNil(orgs)})
}

func (h *handlers) createOrg(w http.ResponseWriter, r *http.Request) error {
	var req NewOrg
	if err := api.Decode(r, &req); err != nil {
		return err
	}
	if !req.Kind.Valid() {
		return api.BadRequest("kind", fmt.Sprintf("kind %q: want one of %v", req.Kind, auth.AllOrgKinds))
	}
	for i, sc := range req.Sectors {
		if !sector.Valid(sc) {
			return api.BadRequest(fmt.Sprintf("sectors[%d]", i), fmt.Sprintf("sector %q: want one of %v", sc, sector.Codes()))
		}
	}
	o, err := h.auth.CreateOrg(r.Context(), principal(r), auth.NewOrg{
		Name: req.Name, NameJA: req.NameJA, Kind: req.Kind, Sectors: req.Sectors, Police: req.Police,
	})
	if err != nil {
		return serviceError(err)
	}
	return api.WriteJSON(w, http.StatusCreated, o)
}

// checkRoles checks the "roles" field of a body: at least one, each one of
// auth.AllRoles.
func checkRoles(roles []auth.Role) error {
	if len(roles) == 0 {
		return api.BadRequest("roles", "at least one role is required")
	}
	for i, r := range roles {
		if !r.Valid() {
			return api.BadRequest(fmt.Sprintf("roles[%d]", i), fmt.Sprintf("role %q: want one of %v", r, auth.AllRoles))
		}
	}
	return nil
}

// nonNil returns s, or an empty slice for nil, so that lists encode as []
// rather than null.
func nonNil[S ~[]E, E any](s S) S {
	if s == nil {
		return S{}
	}
	return s
}
