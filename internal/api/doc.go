// Package api holds ACD's HTTP conventions, shared by the JSON API and the
// web pages of every capability: one router that authenticates, authorizes
// and protects against cross-site request forgery on every route; one error
// envelope; strict JSON decoding; middleware for request IDs, access logs,
// panic recovery and security headers; Prometheus metrics; health checks; and
// an OpenAPI 3.1 document generated from the registered routes.
//
// # Routes
//
// Every handler, including /healthz and /metrics, is registered through
// [Router.Handle] with a [Route] that names the [auth.Action] it performs.
// There is no way to mount an unguarded handler: a route without an action
// panics at registration (default deny), and the policy decides per request
// whether the principal, or the public, may do the action.
//
//	r := api.NewRouter(api.RouterConfig{Authenticator: authSvc, Authorizer: policy, Logger: logger})
//	r.Handle(api.Route{
//		Pattern:  "GET /api/v1/users/{id}",
//		Action:   "account.read",
//		Summary:  "Read one account",
//		Tag:      "accounts",
//		Response: User{},
//	}, func(w http.ResponseWriter, r *http.Request) error {
//		u, err := store.User(r.Context(), r.PathValue("id"))
//		if errors.Is(err, store.ErrNotFound) {
//			return api.NotFound("no such user")
//		}
//		if err != nil {
//			return fmt.Errorf("read user: %w", err)
//		}
//		return api.WriteJSON(w, http.StatusOK, u)
//	})
//
// # Guards
//
// For every request the router, in this order: authenticates (bad
// credentials: 401, or for a page GET a 303 to the login page with "next");
// puts the principal in the context ([auth.WithPrincipal]); for unsafe
// methods refuses cross-origin browser requests (Sec-Fetch-Site, else
// Origin against Host) and, for session-authenticated principals, requires
// the session's CSRF token in the X-CSRF-Token header or the "csrf" form
// field; and asks the Authorizer (denied: 401 or the login redirect for the
// public, 403 for a principal). The login page passes "next" through
// [SafeNext].
//
// # Errors
//
// Handlers return errors; the router renders them. An [*Error] (possibly
// wrapped) is shown to the client as the envelope
//
//	{"error":{"code":"not_found","message":"no such user"}}
//
// with its status. Any other error is a 500 "internal" whose text is logged
// with the request ID and never shown.
//
// # Middleware
//
// The server wraps the router, outermost first:
//
//	h := api.Chain(router,
//		api.AssignRequestID,
//		api.AccessLog(logger),
//		api.Recover(logger),
//		api.SecurityHeaders(api.HeadersConfig{TLS: tlsOn}),
//	)
//
// # Times
//
// JSON times are RFC 3339 in UTC. encoding/json writes a time.Time with its
// own offset, so callers MUST pass UTC times (t.UTC()) to [WriteJSON].
package api
