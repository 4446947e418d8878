package api

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/acd-platform/acd/internal/auth"
)

// Kind says how a route talks to its client: JSON or HTML.
type Kind int

const (
	// API routes speak JSON: errors are the JSON envelope, an unauthenticated
	// request gets 401. The zero Kind is API.
	API Kind = iota
	// Page routes speak HTML to a browser: errors go through
	// RouterConfig.PageError, and an unauthenticated GET is redirected to the
	// login page.
	Page
)

func (k Kind) String() string {
	switch k {
	case API:
		return "api"
	case Page:
		return "page"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Route describes one registered handler: what it matches, what it does in
// the policy's terms, and, for API routes, what goes into the OpenAPI
// document.
type Route struct {
	// Pattern is a net/http ServeMux pattern that starts with a method, such
	// as "GET /api/v1/users/{id}". A GET pattern also matches HEAD.
	Pattern string
	// Action is what the route does; the Authorizer decides who may. It
	// MUST be set: Handle panics on an empty Action.
	Action auth.Action
	// Kind is API (the zero value) or Page.
	Kind Kind
	// Summary and Tag describe the operation in the OpenAPI document.
	Summary string
	Tag     string
	// Request is an example value of the JSON request body type, for the
	// OpenAPI schema; nil for no body.
	Request any
	// Response is an example value of the JSON response body type; nil for
	// none (documented as 204 No Content).
	Response any
	// Status is the success status for the OpenAPI document; 0 means 200, or
	// 204 when Response is nil.
	Status int
}

// HandlerFunc handles a request that has passed authentication, CSRF and
// authorization checks; the principal is in the context (auth.FromContext,
// nil for the public). It returns an error instead of writing one: an
// [*Error] (or an error wrapping one) is shown to the client, anything else
// becomes a 500 whose text is only logged. A handler that has already written
// its response SHOULD return nil.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// Handler adapts a plain http.Handler (such as promhttp's) to a HandlerFunc
// that always returns nil. The result still goes through [Router.Handle].
func Handler(h http.Handler) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		h.ServeHTTP(w, r)
		return nil
	}
}

// Authenticator finds who made a request. It returns (nil, nil) for the
// public (no credentials), an error wrapping auth.ErrUnauthenticated for
// credentials that are present but bad, expired or revoked (401), and any
// other error when it could not check them (500). *auth.Service implements
// it. The router logs these errors, so they MUST NOT contain the credential.
type Authenticator interface {
	Authenticate(r *http.Request) (*auth.Principal, error)
}

// AuthenticatorFunc adapts a function to an Authenticator.
type AuthenticatorFunc func(r *http.Request) (*auth.Principal, error)

// Authenticate calls f(r).
func (f AuthenticatorFunc) Authenticate(r *http.Request) (*auth.Principal, error) { return f(r) }

// Authorizer decides whether a principal (nil for the public) may do an
// action. *auth.Policy implements it.
type Authorizer interface {
	Allow(p *auth.Principal, a auth.Action) bool
}

// AuthorizerFunc adapts a function to an Authorizer.
type AuthorizerFunc func(p *auth.Principal, a auth.Action) bool

// Allow calls f(p, a).
func (f AuthorizerFunc) Allow(p *auth.Principal, a auth.Action) bool { return f(p, a) }

// RouterConfig configures a Router. Authenticator and Authorizer are
// required; the zero value of every other field works.
type RouterConfig struct {
	Authenticator Authenticator
	Authorizer    Authorizer

	// Logger receives internal errors and panics with the request ID;
	// nil discards.
	Logger *slog.Logger
	// LoginPath is where an unauthenticated GET of a page is redirected,
	// with the page in the "next" query parameter; default "/login".
	LoginPath string
	// PageError renders an error for a Page route; default plain text.
	PageError func(w http.ResponseWriter, r *http.Request, e *Error)
	// MapError, if set, maps a handler error that is not an *Error (such as
	// a store's ErrNotFound) to one; returning nil leaves it a 500.
	MapError func(error) *Error
	// SessionCookie names the browser session cookie. When set, a request
	// whose only credential is a session cookie that no longer
	// authenticates gets the cookie cleared and is served as the public;
	// empty leaves every failed authentication a 401.
	SessionCookie string
	// Metrics, if set, counts every request by route pattern and status.
	Metrics *Metrics
	// CrossOrigin refuses unsafe cross-origin browser requests (by
	// Sec-Fetch-Site, else Origin against Host) on every route; nil means
	// http.NewCrossOriginProtection(). Use AddTrustedOrigin on it when a
	// proxy changes the Host.
	CrossOrigin *http.CrossOriginProtection
}

// Router dispatches requests to handlers registered with Handle and guards
// every one of them. It is safe for concurrent use; register all routes
// before serving.
type Router struct {
	cfg    RouterConfig
	logger *slog.Logger
	mux    *http.ServeMux

	mu     sync.Mutex // guards routes
	routes []Route
}

// NewRouter returns a Router with no routes. It panics if cfg has no
// Authenticator or Authorizer: there is no unguarded router.
func NewRouter(cfg RouterConfig) *Router {
	if cfg.Authenticator == nil || cfg.Authorizer == nil {
		panic("api: NewRouter needs an Authenticator and an Authorizer")
	}
	if cfg.LoginPath == "" {
		cfg.LoginPath = "/login"
	}
	if cfg.PageError == nil {
		cfg.PageError = plainPageError
	}
	if cfg.CrossOrigin == nil {
		cfg.CrossOrigin = http.NewCrossOriginProtection()
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Router{cfg: cfg, logger: logger.With("component", "api"), mux: http.NewServeMux()}
}

// Handle registers h for rt. It panics, as http.ServeMux does, on a route
// that cannot be served safely: an empty Action (default deny), a pattern
// without a method, an unknown Kind, a nil handler, or a pattern that
// conflicts with one already registered.
func (rtr *Router) Handle(rt Route, h HandlerFunc) {
	if rt.Action == "" {
		panic(fmt.Sprintf("api: route %q has no Action", rt.Pattern))
	}
	if h == nil {
		panic(fmt.Sprintf("api: route %q has a nil handler", rt.Pattern))
	}
	if rt.Kind != API && rt.Kind != Page {
		panic(fmt.Sprintf("api: route %q has unknown %v", rt.Pattern, rt.Kind))
	}
	if _, _, _, err := splitPattern(rt.Pattern); err != nil {
		panic(fmt.Sprintf("api: route %q: %v", rt.Pattern, err))
	}
	rtr.mux.Handle(rt.Pattern, rtr.guard(rt, h))
	rtr.mu.Lock()
	rtr.routes = append(rtr.routes, rt)
	rtr.mu.Unlock()
}

// Routes returns the registered routes in registration order, for the
// authorization-matrix test and the OpenAPI document.
func (rtr *Router) Routes() []Route {
	rtr.mu.Lock()
	defer rtr.mu.Unlock()
	return append([]Route(nil), rtr.routes...)
}

// ServeHTTP dispatches r. A request that matches no route gets a 404 (or 405
// with Allow) as a JSON envelope, or through PageError when the client asks
// for HTML.
func (rtr *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, pattern := rtr.mux.Handler(r); pattern == "" {
		rtr.unmatched(w, r)
		return
	}
	rtr.mux.ServeHTTP(w, r)
}

// unmatched renders ServeMux's 404 or 405 in ACD's error format.
func (rtr *Router) unmatched(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	if info := infoFrom(r.Context()); info != nil {
		info.route = "unmatched"
	}
	cw := &captureWriter{header: make(http.Header)}
	rtr.mux.ServeHTTP(cw, r)
	e := NotFound("no such page")
	if cw.status == http.StatusMethodNotAllowed {
		e = &Error{Status: http.StatusMethodNotAllowed, Code: CodeMethodNotAllowed, Message: "method not allowed"}
		w.Header().Set("Allow", cw.header.Get("Allow"))
	}
	kind := API
	if strings.Contains(r.Header.Get("Accept"), "text/html") {
		kind = Page
	}
	rtr.render(w, r, kind, e)
	rtr.cfg.Metrics.observe("unmatched", e.Status, time.Since(start))
}

// captureWriter records a status and header and drops the body.
type captureWriter struct {
	header http.Header
	status int
}

func (c *captureWriter) Header() http.Header         { return c.header }
func (c *captureWriter) WriteHeader(code int)        { c.status = code }
func (c *captureWriter) Write(p []byte) (int, error) { return len(p), nil }

// guard wraps h with everything that every route gets.
func (rtr *Router) guard(rt Route, h HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		ctx, info := withReqInfo(r.Context())
		info.route = rt.Pattern
		r = r.WithContext(ctx)
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				rtr.logger.Error("handler panic", "request_id", RequestID(ctx), "route", rt.Pattern,
					"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				if !sw.started() {
					rtr.render(sw, r, rt.Kind, internalError(nil))
				}
			}
			rtr.cfg.Metrics.observe(rt.Pattern, sw.code(), time.Since(start))
		}()
		// Responses carry personal and classified data: no caching
		// unless the handler says otherwise.
		sw.Header().Set("Cache-Control", "no-store")
		r, ok := rtr.admit(rt, sw, r, info)
		if !ok {
			return
		}
		if err := h(sw, r); err != nil {
			rtr.fail(sw, r, rt, err)
		}
	})
}

// admit authenticates, checks CSRF and authorizes r. It writes the refusal
// itself and returns ok false, or returns the request with the principal in
// its context.
func (rtr *Router) admit(rt Route, w http.ResponseWriter, r *http.Request, info *reqInfo) (_ *http.Request, ok bool) {
	p, err := rtr.cfg.Authenticator.Authenticate(r)
	if err != nil {
		if e, ok := asError(err); ok && e.status() != http.StatusUnauthorized {
			rtr.render(w, r, rt.Kind, e) // such as 429 from a rate limiter
			return nil, false
		}
		if !errors.Is(err, auth.ErrUnauthenticated) && !isAPIError(err) {
			// The credential could not be checked (a database error, say):
			// that is the server's failure, not the client's.
			rtr.logger.Error("authentication error", "request_id", RequestID(r.Context()), "route", rt.Pattern, "err", err)
			rtr.render(w, r, rt.Kind, internalError(err))
			return nil, false
		}
		rtr.logger.Info("authentication failed", "request_id", RequestID(r.Context()), "route", rt.Pattern, "err", err)
		if !rtr.staleCookie(w, r) {
			rtr.unauthenticated(w, r, rt, "invalid or expired credentials")
			return nil, false
		}
		// A browser holding a session cookie that ended server-side
		// (expiry, logout elsewhere, a disabled account) is told to drop
		// it and carries on as the public: otherwise it could not even
		// reach the login page again.
		p = nil
	}
	if p != nil {
		info.userID = p.UserID
	}
	r = r.WithContext(auth.WithPrincipal(r.Context(), p))

	if unsafeMethod(r.Method) {
		limitForm(w, r)
		if err := rtr.cfg.CrossOrigin.Check(r); err != nil {
			rtr.render(w, r, rt.Kind, &Error{Status: http.StatusForbidden, Code: CodeCSRF, Message: "cross-origin request refused"})
			return nil, false
		}
		if p != nil && p.Via == "session" && !csrfTokenOK(r, p.CSRFToken) {
			rtr.render(w, r, rt.Kind, &Error{Status: http.StatusForbidden, Code: CodeCSRF, Message: "missing or wrong CSRF token"})
			return nil, false
		}
	}

	if !rtr.cfg.Authorizer.Allow(p, rt.Action) {
		if p == nil {
			rtr.unauthenticated(w, r, rt, "login required")
		} else {
			rtr.render(w, r, rt.Kind, Forbidden("not allowed"))
		}
		return nil, false
	}
	return r, true
}

// maxFormBody bounds a form body (the CSRF check parses it before any
// handler runs).
const maxFormBody = 1 << 20

// limitForm caps a form body at maxFormBody and parses a multipart one in
// memory, so that no upload is ever spilled to a temp file.
func limitForm(w http.ResponseWriter, r *http.Request) {
	switch formType(r) {
	case "application/x-www-form-urlencoded":
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	case "multipart/form-data":
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
		r.ParseMultipartForm(maxFormBody) // errors leave the form empty: the CSRF check then fails
	}
}

// formType returns the media type of a form body, parsed as net/http does
// (case-insensitive, parameters ignored), or "" for any other body.
func formType(r *http.Request) string {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return ""
	}
	if mt == "application/x-www-form-urlencoded" || mt == "multipart/form-data" {
		return mt
	}
	return ""
}

func isAPIError(err error) bool {
	_, ok := asError(err)
	return ok
}

// staleCookie clears the session cookie of a request that carries one and no
// other credential, and reports whether it did.
func (rtr *Router) staleCookie(w http.ResponseWriter, r *http.Request) bool {
	name := rtr.cfg.SessionCookie
	if name == "" || r.Header.Get("Authorization") != "" {
		return false
	}
	if _, err := r.Cookie(name); err != nil {
		return false
	}
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
	return true
}

// unsafeMethod reports whether a request with method m may change state
// (RFC 9110 §9.2.1) and so needs CSRF protection.
func unsafeMethod(m string) bool {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return false
	}
	return true
}

// csrfTokenOK reports whether r echoes the session's CSRF token in the
// X-CSRF-Token header or the "csrf" form field. An empty session token
// matches nothing.
func csrfTokenOK(r *http.Request, want string) bool {
	if want == "" {
		return false
	}
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		if formType(r) != "" {
			got = r.PostFormValue("csrf") // body only, never the query string
		}
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// unauthenticated refuses a request for want of a login: a page GET goes to
// the login page, anything else gets 401.
func (rtr *Router) unauthenticated(w http.ResponseWriter, r *http.Request, rt Route, msg string) {
	if rt.Kind == Page && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		target := rtr.cfg.LoginPath + "?next=" + url.QueryEscape(SafeNext(r.URL.RequestURI()))
		http.Redirect(w, r, target, http.StatusSeeOther)
		return
	}
	rtr.render(w, r, rt.Kind, Unauthorized(msg))
}

// fail renders a handler's error.
func (rtr *Router) fail(w *statusWriter, r *http.Request, rt Route, err error) {
	e, ok := asError(err)
	if !ok && rtr.cfg.MapError != nil {
		e = rtr.cfg.MapError(err)
	}
	if e == nil {
		e = internalError(err)
	}
	if e.status() >= 500 {
		rtr.logger.Error("request failed", "request_id", RequestID(r.Context()), "route", rt.Pattern,
			"status", e.status(), "err", err)
	}
	if w.started() {
		rtr.logger.Warn("handler error after response started", "request_id", RequestID(r.Context()),
			"route", rt.Pattern, "err", err)
		return
	}
	rtr.render(w, r, rt.Kind, e)
}

// render writes e in the format of kind.
func (rtr *Router) render(w http.ResponseWriter, r *http.Request, kind Kind, e *Error) {
	if e.status() == http.StatusUnauthorized && kind == API {
		w.Header().Set("WWW-Authenticate", `Bearer realm="acd"`)
	}
	if kind == Page {
		rtr.cfg.PageError(w, r, e)
		return
	}
	WriteError(w, e)
}

// plainPageError is the default PageError: the message as plain text.
func plainPageError(w http.ResponseWriter, r *http.Request, e *Error) {
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.status())
	}
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", fmt.Sprint(int64((e.RetryAfter+time.Second-1)/time.Second)))
	}
	http.Error(w, msg, e.status())
}

// SafeNext returns next if it is a path on this site (such as
// "/reports/1?tab=history"), and "/" otherwise. The login page MUST pass its
// "next" parameter through it before redirecting, so that a crafted link
// cannot send a user to another site after login.
func SafeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, `/\`) {
		return "/"
	}
	for _, c := range next {
		if c < 0x20 || c == 0x7f || c == '\\' {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return next
}

// splitPattern splits a ServeMux pattern into method, host and path. The
// method is required.
func splitPattern(p string) (method, host, path string, err error) {
	i := strings.IndexAny(p, " \t")
	if i < 0 {
		return "", "", "", fmt.Errorf("pattern must start with a method")
	}
	method, rest := p[:i], strings.TrimLeft(p[i:], " \t")
	for _, c := range method {
		if c < 'A' || c > 'Z' {
			return "", "", "", fmt.Errorf("bad method %q", method)
		}
	}
	j := strings.IndexByte(rest, '/')
	if j < 0 {
		return "", "", "", fmt.Errorf("pattern has no path")
	}
	return method, rest[:j], rest[j:], nil
}
