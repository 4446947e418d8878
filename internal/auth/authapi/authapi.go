// Package authapi is the JSON API for accounts: what the account pages of
// the web site do, for machines and admins' scripts. The server registers it
// on its router with [Register]; every route names an action of package
// auth, so the one policy decides who may call it:
//
//	GET  /api/v1/me                      HomeView        the caller's user, organisation and roles
//	GET  /api/v1/users                   AccountList     every account
//	POST /api/v1/users                   AccountCreate   create an account (201)
//	GET  /api/v1/users/{id}              AccountView     one account with its grants and tokens
//	POST /api/v1/users/{id}/disable      AccountDisable  disable, revoking sessions and tokens
//	POST /api/v1/users/{id}/roles        AccountGrant    request roles
//	PUT  /api/v1/users/{id}/password     AccountPassword set another user's password
//	GET  /api/v1/grants                  AccountList     grants, pending by default
//	POST /api/v1/users/{id}/totp         AccountTOTPReissue  a new TOTP secret for a user, once
//	POST /api/v1/grants/{id}/confirm     AccountConfirm  confirm a pending grant; the grantee's TOTP secret, once, when issued
//	GET  /api/v1/orgs                    OrgList         every organisation
//	POST /api/v1/orgs                    OrgCreate       create an organisation (201)
//	GET  /api/v1/tokens                  TokenListOwn    the caller's API tokens
//	POST /api/v1/tokens                  TokenCreateOwn  create one; the secret is shown once (201)
//	POST /api/v1/tokens/{id}/revoke      TokenRevokeOwn  revoke one of the caller's tokens
//	GET  /api/v1/inbox                   InboxRead       the caller's notices
//	POST /api/v1/inbox/{id}/read         InboxRead       mark one read
//
// Every change goes through [auth.Service] (or [deadline.Notifier]), which
// appends it to the audit log in the same transaction; this package adds no
// rules of its own beyond two: a caller revokes only their own tokens
// (another's is reported as absent), and an admin sets only other users'
// passwords (their own goes through the own-password change, which checks
// the current one).
//
// # Errors
//
// Errors are the api envelope. The service's errors map to: ErrNotFound 404;
// ErrExists 409; ErrInvalid (and ErrWeakPassword) 400 naming the JSON field
// at fault where it is known ("roles[1]", "password"); ErrSelfGrant,
// ErrSameAdmin and ErrDisableSelf 403 with code [CodeSeparationOfDuties];
// ErrForbidden 403 "forbidden".
package authapi

import (
	"errors"
	"net/http"
	"strings"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/deadline"
)

// CodeSeparationOfDuties is the error code of a 403 that a second person
// must act: an admin confirming a grant they requested, anyone requesting or
// confirming roles for their own account, or an admin disabling their own
// account (DESIGN.md, separation of duties). Clients
// should ask another admin rather than retry.
const CodeSeparationOfDuties = "separation_of_duties"

// handlers holds what the routes need.
type handlers struct {
	auth  *auth.Service
	inbox *deadline.Notifier
}

// Register adds the account API to r. svc and inbox are required; Register
// panics without them, as the router does for an unguarded route.
func Register(r *api.Router, svc *auth.Service, inbox *deadline.Notifier) {
	if svc == nil || inbox == nil {
		panic("authapi: Register needs the auth service and the notifier")
	}
	h := &handlers{auth: svc, inbox: inbox}
	const (
		me       = "me"
		accounts = "accounts"
		orgs     = "organisations"
		tokens   = "tokens"
		inboxTag = "inbox"
	)
	r.Handle(api.Route{Pattern: "GET /api/v1/me", Action: auth.HomeView, Tag: me,
		Summary: "The caller's account, organisation and active roles", Response: Me{}}, h.me)

	r.Handle(api.Route{Pattern: "GET /api/v1/users", Action: auth.AccountList, Tag: accounts,
		Summary: "Every account, by username", Response: UserList{}}, h.listUsers)
	r.Handle(api.Route{Pattern: "POST /api/v1/users", Action: auth.AccountCreate, Tag: accounts,
		Summary: "Create an account; privileged roles become pending grants for a second admin",
		Request: NewUser{}, Response: CreatedUser{}, Status: http.StatusCreated}, h.createUser)
	r.Handle(api.Route{Pattern: "GET /api/v1/users/{id}", Action: auth.AccountView, Tag: accounts,
		Summary: "One account with its grants and API tokens (never their secrets)", Response: Account{}}, h.viewUser)
	r.Handle(api.Route{Pattern: "POST /api/v1/users/{id}/disable", Action: auth.AccountDisable, Tag: accounts,
		Summary: "Disable an account, revoking its sessions and tokens at once (not one's own)", Response: auth.User{}}, h.disableUser)
	r.Handle(api.Route{Pattern: "POST /api/v1/users/{id}/roles", Action: auth.AccountGrant, Tag: accounts,
		Summary: "Request roles for an account; privileged ones become pending grants",
		Request: Roles{}, Response: GrantList{}}, h.requestRoles)
	r.Handle(api.Route{Pattern: "PUT /api/v1/users/{id}/password", Action: auth.AccountPassword, Tag: accounts,
		Summary: "Set another user's password, ending their sessions", Request: Password{}}, h.setPassword)
	r.Handle(api.Route{Pattern: "POST /api/v1/users/{id}/totp", Action: auth.AccountTOTPReissue, Tag: accounts,
		Summary:  "Issue a new TOTP secret to a user who lost their authenticator (returned once; the old one stops working, sessions end); not by the admin who set the user's password",
		Response: IssuedTOTP{}}, h.reissueTOTP)
	r.Handle(api.Route{Pattern: "GET /api/v1/grants", Action: auth.AccountList, Tag: accounts,
		Summary: "Role grants in ?state= (pending, the default; active; all), optionally of ?user_id=", Response: GrantList{}}, h.listGrants)
	r.Handle(api.Route{Pattern: "POST /api/v1/grants/{id}/confirm", Action: auth.AccountConfirm, Tag: accounts,
		Summary: "Confirm a pending grant; the admin who requested it cannot. Returns the grantee's TOTP secret once when it issues one", Response: ConfirmedGrant{}}, h.confirmGrant)

	r.Handle(api.Route{Pattern: "GET /api/v1/orgs", Action: auth.OrgList, Tag: orgs,
		Summary: "Every organisation, by name", Response: OrgList{}}, h.listOrgs)
	r.Handle(api.Route{Pattern: "POST /api/v1/orgs", Action: auth.OrgCreate, Tag: orgs,
		Summary: "Create an organisation", Request: NewOrg{}, Response: auth.Org{}, Status: http.StatusCreated}, h.createOrg)

	r.Handle(api.Route{Pattern: "GET /api/v1/tokens", Action: auth.TokenListOwn, Tag: tokens,
		Summary: "The caller's API tokens, newest first (never their secrets)", Response: TokenList{}}, h.listTokens)
	r.Handle(api.Route{Pattern: "POST /api/v1/tokens", Action: auth.TokenCreateOwn, Tag: tokens,
		Summary: "Create an API token for the caller; the secret is in this response only",
		Request: NewToken{}, Response: CreatedToken{}, Status: http.StatusCreated}, h.createToken)
	r.Handle(api.Route{Pattern: "POST /api/v1/tokens/{id}/revoke", Action: auth.TokenRevokeOwn, Tag: tokens,
		Summary: "Revoke one of the caller's API tokens", Response: auth.Token{}}, h.revokeToken)

	r.Handle(api.Route{Pattern: "GET /api/v1/inbox", Action: auth.InboxRead, Tag: inboxTag,
		Summary: "The caller's notices, newest first, with the unread count", Response: Inbox{}}, h.listInbox)
	r.Handle(api.Route{Pattern: "POST /api/v1/inbox/{id}/read", Action: auth.InboxRead, Tag: inboxTag,
		Summary: "Mark a notice read"}, h.markRead)
}

// serviceError turns an error of the auth service or the notifier into the
// client's error. Errors it does not know stay as they are (a 500).
func serviceError(err error) error {
	switch {
	case errors.Is(err, auth.ErrNotFound), errors.Is(err, deadline.ErrNotFound):
		return &api.Error{Status: http.StatusNotFound, Code: api.CodeNotFound, Message: err.Error(), Err: err}
	case errors.Is(err, auth.ErrExists):
		return &api.Error{Status: http.StatusConflict, Code: api.CodeConflict, Message: err.Error(), Err: err}
	case errors.Is(err, auth.ErrInvalid):
		return &api.Error{Status: http.StatusBadRequest, Code: api.CodeBadRequest, Message: err.Error(),
			Field: invalidField(err), Err: err}
	case errors.Is(err, auth.ErrSelfGrant), errors.Is(err, auth.ErrSameAdmin), errors.Is(err, auth.ErrDisableSelf):
		return &api.Error{Status: http.StatusForbidden, Code: CodeSeparationOfDuties, Message: err.Error(), Err: err}
	case errors.Is(err, auth.ErrForbidden):
		return &api.Error{Status: http.StatusForbidden, Code: api.CodeForbidden, Message: err.Error(), Err: err}
	}
	return err
}

// invalidFields names the JSON field of an auth.ErrInvalid error by how the
// service's message goes on after "invalid input: ". The handlers check what
// they can themselves first (roles, sectors, kind, password), so this covers
// the rest: usernames, e-mail addresses, organisation names and the like.
// A message that matches none still yields a 400, without a field.
var invalidFields = []struct{ prefix, field string }{
	{"username ", "username"},
	{"email ", "email"},
	{"organisation is required", "org_id"},
	{`organisation "`, "org_id"}, // … does not exist
	{"at least one role", "roles"},
	{"role ", "roles"},
	{"password ", "password"},
	{"organisation name ", "name"},
	{"organisation kind ", "kind"},
	{"sector ", "sectors"},
	{"an operator belongs", "sectors"},
	{"a ministry supervises", "sectors"},
	{"only operators and ministries", "sectors"},
	{"police level ", "police"},
	{"only police organisations", "police"},
	{"token name ", "name"},
	{"a token needs an expiry", "ttl_days"},
	{"token lifetime ", "ttl_days"},
}

func invalidField(err error) string {
	msg := err.Error()
	i := strings.Index(msg, auth.ErrInvalid.Error()+": ")
	if i < 0 {
		return ""
	}
	msg = msg[i+len(auth.ErrInvalid.Error())+2:]
	for _, f := range invalidFields {
		if strings.HasPrefix(msg, f.prefix) {
			return f.field
		}
	}
	return ""
}

// principal returns the request's principal. The router admits only
// authenticated principals to every route here (none is Public).
func principal(r *http.Request) *auth.Principal { return auth.FromContext(r.Context()) }

func isNotFound(err error) bool { return errors.Is(err, auth.ErrNotFound) }
