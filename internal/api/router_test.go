package api_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auth"
)

// Users of the fake authenticator. A bearer token or session cookie value is
// the username.
var users = map[string]*auth.Principal{
	"alice": {UserID: "u-alice", Username: "alice", Roles: []auth.Role{auth.RoleAnalyst}, Via: "token"},
	"vera":  {UserID: "u-vera", Username: "vera", Roles: []auth.Role{auth.RoleVendor}, Via: "token"},
	"bob":   {UserID: "u-bob", Username: "bob", Roles: []auth.Role{auth.RoleAnalyst}, Via: "session", CSRFToken: "tok-bob"},
	"nick":  {UserID: "u-nick", Username: "nick", Roles: []auth.Role{auth.RoleAnalyst}, Via: "session"}, // session without a CSRF token
}

// fakeAuthenticate follows auth.Service's contract: nil, nil for no
// credentials, an error for bad ones.
func fakeAuthenticate(r *http.Request) (*auth.Principal, error) {
	name, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		c, err := r.Cookie("session")
		if err != nil {
			return nil, nil
		}
		name = c.Value
	}
	p, ok := users[name]
	if !ok {
		return nil, fmt.Errorf("unknown credential %s: %w", name, auth.ErrUnauthenticated)
	}
	cp := *p
	return &cp, nil
}

// policy grants actions to roles; "" stands for the public.
var policy = map[auth.Action][]auth.Role{
	"public.read":   {""},
	"report.read":   {auth.RoleAnalyst},
	"report.create": {auth.RoleAnalyst},
}

func fakeAllow(p *auth.Principal, a auth.Action) bool {
	for _, r := range policy[a] {
		if r == "" || p.Has(r) {
			return true
		}
	}
	return false
}

type report struct {
	ID    string   `json:"id"`
	Title string   `json:"title"`
	Tags  []string `json:"tags,omitempty"`
}

// newTestRouter returns a router with routes for every outcome, and the
// buffer its logger writes JSON lines to.
func newTestRouter(t *testing.T, cfg api.RouterConfig) (*api.Router, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	cfg.Authenticator = api.AuthenticatorFunc(fakeAuthenticate)
	cfg.Authorizer = api.AuthorizerFunc(fakeAllow)
	cfg.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
	r := api.NewRouter(cfg)
	r.Handle(api.Route{Pattern: "GET /api/v1/public", Action: "public.read"}, func(w http.ResponseWriter, r *http.Request) error {
		return api.WriteJSON(w, http.StatusOK, map[string]string{"hello": "world"})
	})
	r.Handle(api.Route{Pattern: "POST /api/v1/public", Action: "public.read"}, func(w http.ResponseWriter, r *http.Request) error {
		return api.WriteJSON(w, http.StatusOK, map[string]string{"posted": "yes"})
	})
	r.Handle(api.Route{Pattern: "GET /api/v1/reports/{id}", Action: "report.read", Response: report{}},
		func(w http.ResponseWriter, r *http.Request) error {
			p := auth.FromContext(r.Context())
			return api.WriteJSON(w, http.StatusOK, report{ID: r.PathValue("id"), Title: "read by " + p.Username})
		})
	r.Handle(api.Route{Pattern: "POST /api/v1/reports", Action: "report.create", Request: report{}, Response: report{}, Status: http.StatusCreated},
		func(w http.ResponseWriter, r *http.Request) error {
			var in report
			if err := api.Decode(r, &in); err != nil {
				return err
			}
			return api.WriteJSON(w, http.StatusCreated, in)
		})
	r.Handle(api.Route{Pattern: "GET /reports", Action: "report.read", Kind: api.Page}, func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<p>reports</p>")
		return nil
	})
	r.Handle(api.Route{Pattern: "POST /reports", Action: "report.create", Kind: api.Page}, func(w http.ResponseWriter, r *http.Request) error {
		http.Redirect(w, r, "/reports", http.StatusSeeOther)
		return nil
	})
	r.Handle(api.Route{Pattern: "GET /api/v1/fail", Action: "public.read"}, func(w http.ResponseWriter, r *http.Request) error {
		return fmt.Errorf("query reports: %w", errors.New("connect to db://acd:hunter2@db failed"))
	})
	r.Handle(api.Route{Pattern: "GET /api/v1/missing", Action: "public.read"}, func(w http.ResponseWriter, r *http.Request) error {
		return api.NotFound("no such report")
	})
	r.Handle(api.Route{Pattern: "GET /api/v1/conflict", Action: "public.read"}, func(w http.ResponseWriter, r *http.Request) error {
		return fmt.Errorf("save: %w", api.Conflict("report already filed"))
	})
	r.Handle(api.Route{Pattern: "GET /api/v1/limited", Action: "public.read"}, func(w http.ResponseWriter, r *http.Request) error {
		return api.TooManyRequests("slow down", 1500*time.Millisecond)
	})
	r.Handle(api.Route{Pattern: "GET /api/v1/panic", Action: "public.read"}, func(w http.ResponseWriter, r *http.Request) error {
		panic("boom")
	})
	r.Handle(api.Route{Pattern: "GET /page/fail", Action: "public.read", Kind: api.Page}, func(w http.ResponseWriter, r *http.Request) error {
		return errors.New("template exploded: secret-detail")
	})
	return r, &logs
}

// envelopeOf decodes an error envelope; zero if the body is not one.
type envelope struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
	} `json:"error"`
}

func envelopeOf(body []byte) envelope {
	var e envelope
	json.Unmarshal(body, &e)
	return e
}

func TestRouterAccess(t *testing.T) {
	router, _ := newTestRouter(t, api.RouterConfig{})
	form := func(v url.Values) string { return v.Encode() }
	const formCT = "application/x-www-form-urlencoded"
	tests := []struct {
		name     string
		method   string
		target   string
		header   map[string]string
		body     string
		status   int
		code     string // envelope code, for API errors
		location string // for redirects
	}{
		// The public may use a public action, with or without a login.
		{name: "public/anonymous", method: "GET", target: "/api/v1/public", status: 200},
		{name: "public/logged in", method: "GET", target: "/api/v1/public", header: map[string]string{"Authorization": "Bearer vera"}, status: 200},
		// Bad credentials are refused even where the public is allowed.
		{name: "public/bad token", method: "GET", target: "/api/v1/public", header: map[string]string{"Authorization": "Bearer mallory"}, status: 401, code: "unauthenticated"},

		// API: allowed, unauthenticated, denied.
		{name: "api/allowed", method: "GET", target: "/api/v1/reports/r1", header: map[string]string{"Authorization": "Bearer alice"}, status: 200},
		{name: "api/anonymous", method: "GET", target: "/api/v1/reports/r1", status: 401, code: "unauthenticated"},
		{name: "api/denied role", method: "GET", target: "/api/v1/reports/r1", header: map[string]string{"Authorization": "Bearer vera"}, status: 403, code: "forbidden"},
		{name: "api/session allowed", method: "GET", target: "/api/v1/reports/r1", header: map[string]string{"Cookie": "session=bob"}, status: 200},

		// Pages: an anonymous or badly-credentialed GET goes to the login page with next.
		{name: "page/allowed", method: "GET", target: "/reports", header: map[string]string{"Cookie": "session=bob"}, status: 200},
		{name: "page/anonymous GET", method: "GET", target: "/reports?q=1", status: 303, location: "/login?next=%2Freports%3Fq%3D1"},
		{name: "page/anonymous HEAD", method: "HEAD", target: "/reports", status: 303, location: "/login?next=%2Freports"},
		{name: "page/expired session GET", method: "GET", target: "/reports", header: map[string]string{"Cookie": "session=expired"}, status: 303, location: "/login?next=%2Freports"},
		{name: "page/anonymous POST", method: "POST", target: "/reports", header: map[string]string{"Content-Type": formCT}, body: "x=1", status: 401},
		{name: "page/denied", method: "GET", target: "/reports", header: map[string]string{"Authorization": "Bearer vera"}, status: 403},

		// CSRF: a session's unsafe request must echo its token.
		{name: "csrf/session no token", method: "POST", target: "/api/v1/reports", header: map[string]string{"Cookie": "session=bob", "Content-Type": "application/json"}, body: `{"id":"r","title":"t"}`, status: 403, code: "csrf"},
		{name: "csrf/session wrong token", method: "POST", target: "/api/v1/reports", header: map[string]string{"Cookie": "session=bob", "Content-Type": "application/json", "X-CSRF-Token": "tok-bo"}, body: `{"id":"r","title":"t"}`, status: 403, code: "csrf"},
		{name: "csrf/session header token", method: "POST", target: "/api/v1/reports", header: map[string]string{"Cookie": "session=bob", "Content-Type": "application/json", "X-CSRF-Token": "tok-bob"}, body: `{"id":"r","title":"t"}`, status: 201},
		{name: "csrf/session form token", method: "POST", target: "/reports", header: map[string]string{"Cookie": "session=bob", "Content-Type": formCT}, body: form(url.Values{"csrf": {"tok-bob"}, "title": {"t"}}), status: 303, location: "/reports"},
		{name: "csrf/session form wrong token", method: "POST", target: "/reports", header: map[string]string{"Cookie": "session=bob", "Content-Type": formCT}, body: form(url.Values{"csrf": {"nope"}}), status: 403},
		// A token in the query string does not count: it would leak into logs and Referer.
		{name: "csrf/session query token", method: "POST", target: "/reports?csrf=tok-bob", header: map[string]string{"Cookie": "session=bob", "Content-Type": formCT}, body: "title=t", status: 403},
		// A session with no token matches nothing, not even an empty token.
		{name: "csrf/session without token", method: "POST", target: "/api/v1/reports", header: map[string]string{"Cookie": "session=nick", "Content-Type": "application/json", "X-CSRF-Token": ""}, body: `{"id":"r","title":"t"}`, status: 403, code: "csrf"},
		// API tokens are not sent by browsers on their own: no CSRF token needed.
		{name: "csrf/token not needed", method: "POST", target: "/api/v1/reports", header: map[string]string{"Authorization": "Bearer alice", "Content-Type": "application/json"}, body: `{"id":"r","title":"t"}`, status: 201},
		// Cross-site browser requests are refused even with the right token...
		{name: "csrf/cross-site fetch", method: "POST", target: "/api/v1/reports", header: map[string]string{"Cookie": "session=bob", "Content-Type": "application/json", "X-CSRF-Token": "tok-bob", "Sec-Fetch-Site": "cross-site"}, body: `{"id":"r","title":"t"}`, status: 403, code: "csrf"},
		// ...and on public routes too (login CSRF), by Origin when Sec-Fetch-Site is absent.
		{name: "csrf/public cross-origin", method: "POST", target: "/api/v1/public", header: map[string]string{"Origin": "https://evil.example"}, status: 403, code: "csrf"},
		{name: "csrf/public same-origin", method: "POST", target: "/api/v1/public", header: map[string]string{"Sec-Fetch-Site": "same-origin"}, status: 200},

		// Unmatched requests get the envelope too.
		{name: "unmatched/404", method: "GET", target: "/api/v1/nothing", status: 404, code: "not_found"},
		{name: "unmatched/405", method: "DELETE", target: "/api/v1/public", status: 405, code: "method_not_allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.target, strings.NewReader(tt.body))
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			router.ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Fatalf("status: got %d, want %d (body %q)", rec.Code, tt.status, rec.Body)
			}
			if got := envelopeOf(rec.Body.Bytes()).Error.Code; got != tt.code {
				t.Errorf("envelope code: got %q, want %q", got, tt.code)
			}
			if got := rec.Header().Get("Location"); got != tt.location {
				t.Errorf("Location: got %q, want %q", got, tt.location)
			}
			if tt.status == 401 && tt.code != "" {
				if got := rec.Header().Get("WWW-Authenticate"); got == "" {
					t.Errorf("401 without WWW-Authenticate")
				}
			}
		})
	}
}

func TestRouterPrincipalInContext(t *testing.T) {
	router, _ := newTestRouter(t, api.RouterConfig{})
	req := httptest.NewRequest("GET", "/api/v1/reports/r7", nil)
	req.Header.Set("Authorization", "Bearer alice")
	rec := httptest.NewRecorder()
	router.ServeHTTP(rec, req)
	var got report
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatalf("decode %q: %v", rec.Body, err)
	}
	if diff := cmp.Diff(report{ID: "r7", Title: "read by alice"}, got); diff != "" {
		t.Errorf("response (-want +got):\n%s", diff)
	}
	if got, want := rec.Header().Get("Cache-Control"), "no-store"; got != want {
		t.Errorf("Cache-Control: got %q, want %q", got, want)
	}
}

func TestRouterErrors(t *testing.T) {
	tests := []struct {
		name       string
		target     string
		status     int
		body       string // exact body
		header     string // a header that must be set
		headerWant string
	}{
		// An *Error is shown as it is.
		{name: "not found", target: "/api/v1/missing", status: 404, body: `{"error":{"code":"not_found","message":"no such report"}}` + "\n"},
		// ...also when wrapped.
		{name: "wrapped conflict", target: "/api/v1/conflict", status: 409, body: `{"error":{"code":"conflict","message":"report already filed"}}` + "\n"},
		// Retry-After is rounded up to whole seconds.
		{name: "rate limited", target: "/api/v1/limited", status: 429, body: `{"error":{"code":"too_many_requests","message":"slow down"}}` + "\n", header: "Retry-After", headerWant: "2"},
		// Any other error is a 500 whose text is not shown.
		{name: "internal", target: "/api/v1/fail", status: 500, body: `{"error":{"code":"internal","message":"internal error"}}` + "\n"},
		// A panic is a 500 too.
		{name: "panic", target: "/api/v1/panic", status: 500, body: `{"error":{"code":"internal","message":"internal error"}}` + "\n"},
		// Pages render errors through PageError (plain text by default).
		{name: "page internal", target: "/page/fail", status: 500, body: "internal error\n", header: "Content-Type", headerWant: "text/plain; charset=utf-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			router, logs := newTestRouter(t, api.RouterConfig{})
			h := api.Chain(router, api.AssignRequestID)
			req := httptest.NewRequest("GET", tt.target, nil)
			req.Header.Set(api.RequestIDHeader, "req-"+strings.ReplaceAll(tt.name, " ", "-"))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Errorf("status: got %d, want %d", rec.Code, tt.status)
			}
			if diff := cmp.Diff(tt.body, rec.Body.String()); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
			if tt.header != "" {
				if got := rec.Header().Get(tt.header); got != tt.headerWant {
					t.Errorf("%s: got %q, want %q", tt.header, got, tt.headerWant)
				}
			}
			if strings.Contains(rec.Body.String(), "hunter2") || strings.Contains(rec.Body.String(), "secret-detail") {
				t.Errorf("body leaks internal detail: %q", rec.Body)
			}
			if tt.status >= 500 {
				// The cause is logged, with the request ID.
				if !strings.Contains(logs.String(), `"request_id":"req-`+strings.ReplaceAll(tt.name, " ", "-")+`"`) {
					t.Errorf("log lacks the request id:\n%s", logs)
				}
			}
		})
	}
	t.Run("cause logged", func(t *testing.T) {
		router, logs := newTestRouter(t, api.RouterConfig{})
		router.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/api/v1/fail", nil))
		if !strings.Contains(logs.String(), "query reports: connect to db") {
			t.Errorf("log lacks the cause:\n%s", logs)
		}
	})
}

func TestRouterMapError(t *testing.T) {
	errGone := errors.New("gone")
	router, _ := newTestRouter(t, api.RouterConfig{MapError: func(err error) *api.Error {
		if errors.Is(err, errGone) {
			return api.NotFound("gone")
		}
		return nil
	}})
	router.Handle(api.Route{Pattern: "GET /api/v1/gone", Action: "public.read"}, func(w http.ResponseWriter, r *http.Request) error {
		return fmt.Errorf("load: %w", errGone)
	})
	for target, want := range map[string]int{"/api/v1/gone": 404, "/api/v1/fail": 500} {
		rec := httptest.NewRecorder()
		router.ServeHTTP(rec, httptest.NewRequest("GET", target, nil))
		if rec.Code != want {
			t.Errorf("GET %s: got %d, want %d", target, rec.Code, want)
		}
	}
}

func TestRouterPageError(t *testing.T) {
	var got *api.Error
	router, _ := newTestRouter(t, api.RouterConfig{
		LoginPath: "/signin",
		PageError: func(w http.ResponseWriter, r *http.Request, e *api.Error) {
			got = e
			w.WriteHeader(e.Status)
			io.WriteString(w, "<h1>custom</h1>")
		},
	})
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/reports", nil)
	req.Header.Set("Authorization", "Bearer vera")
	router.ServeHTTP(rec, req)
	if got == nil || got.Status != 403 || got.Code != "forbidden" {
		t.Errorf("PageError got %+v, want 403 forbidden", got)
	}
	if rec.Body.String() != "<h1>custom</h1>" {
		t.Errorf("body: got %q, want the custom page", rec.Body)
	}

	rec = httptest.NewRecorder()
	router.ServeHTTP(rec, httptest.NewRequest("GET", "/reports", nil))
	if got, want := rec.Header().Get("Location"), "/signin?next=%2Freports"; got != want {
		t.Errorf("Location: got %q, want %q", got, want)
	}

	// Unmatched requests from a browser get the page renderer.
	got = nil
	req = httptest.NewRequest("GET", "/nowhere", nil)
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	router.ServeHTTP(httptest.NewRecorder(), req)
	if got == nil || got.Status != 404 {
		t.Errorf("PageError for unmatched got %+v, want 404", got)
	}
}

func TestHandlePanics(t *testing.T) {
	ok := func(w http.ResponseWriter, r *http.Request) error { return nil }
	tests := []struct {
		name  string
		route api.Route
		h     api.HandlerFunc
	}{
		// Default deny: every route names its action.
		{name: "no action", route: api.Route{Pattern: "GET /x"}, h: ok},
		// Methods are required so that CSRF and OpenAPI know what a route does.
		{name: "no method", route: api.Route{Pattern: "/x", Action: "a"}, h: ok},
		{name: "lower-case method", route: api.Route{Pattern: "get /x", Action: "a"}, h: ok},
		{name: "nil handler", route: api.Route{Pattern: "GET /x", Action: "a"}},
		{name: "bad kind", route: api.Route{Pattern: "GET /x", Action: "a", Kind: 7}, h: ok},
		// ServeMux's own checks still apply.
		{name: "duplicate", route: api.Route{Pattern: "GET /api/v1/public", Action: "a"}, h: ok},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			router, _ := newTestRouter(t, api.RouterConfig{})
			defer func() {
				if recover() == nil {
					t.Errorf("Handle(%+v) did not panic", tt.route)
				}
			}()
			router.Handle(tt.route, tt.h)
		})
	}
	t.Run("no authorizer", func(t *testing.T) {
		defer func() {
			if recover() == nil {
				t.Errorf("NewRouter without an Authorizer did not panic")
			}
		}()
		api.NewRouter(api.RouterConfig{Authenticator: api.AuthenticatorFunc(fakeAuthenticate)})
	})
}

func TestRoutes(t *testing.T) {
	router, _ := newTestRouter(t, api.RouterConfig{})
	var got []string
	for _, rt := range router.Routes() {
		got = append(got, rt.Pattern+" "+string(rt.Action))
	}
	want := []string{
		"GET /api/v1/public public.read",
		"POST /api/v1/public public.read",
		"GET /api/v1/reports/{id} report.read",
		"POST /api/v1/reports report.create",
		"GET /reports report.read",
		"POST /reports report.create",
		"GET /api/v1/fail public.read",
		"GET /api/v1/missing public.read",
		"GET /api/v1/conflict public.read",
		"GET /api/v1/limited public.read",
		"GET /api/v1/panic public.read",
		"GET /page/fail public.read",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Routes (-want +got):\n%s", diff)
	}
	// Every route has an action the policy knows: the matrix test's premise.
	for _, rt := range router.Routes() {
		if _, ok := policy[rt.Action]; !ok {
			t.Errorf("route %s: action %q not in policy", rt.Pattern, rt.Action)
		}
	}
}

func TestSafeNext(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/reports?id=1", "/reports?id=1"},             // local path kept
		{"/", "/"},                                     // root
		{"", "/"},                                      // empty
		{"https://evil.example/", "/"},                 // absolute URL
		{"//evil.example/x", "/"},                      // scheme-relative
		{`/\evil.example`, "/"},                        // backslash, read as // by browsers
		{"/ok\r\nSet-Cookie: x", "/"},                  // control characters
		{"javascript:alert(1)", "/"},                   // scheme
		{"/reports/%2F%2Fevil", "/reports/%2F%2Fevil"}, // escaped slashes stay in the path
	}
	for _, tt := range tests {
		if got := api.SafeNext(tt.in); got != tt.want {
			t.Errorf("SafeNext(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestAuthenticatorFailureIsAServerError: when credentials cannot be checked
// at all (the database is down), the client gets a 500 and keeps its
// session cookie, instead of being logged out or told its token is bad.
func TestAuthenticatorFailureIsAServerError(t *testing.T) {
	rtr := api.NewRouter(api.RouterConfig{
		Authenticator: api.AuthenticatorFunc(func(*http.Request) (*auth.Principal, error) {
			return nil, errors.New("database is locked")
		}),
		Authorizer:    api.AuthorizerFunc(func(*auth.Principal, auth.Action) bool { return true }),
		SessionCookie: "session",
	})
	rtr.Handle(api.Route{Pattern: "GET /x", Action: "x.read"}, func(w http.ResponseWriter, r *http.Request) error { return nil })
	req := httptest.NewRequest(http.MethodGet, "/x", nil)
	req.AddCookie(&http.Cookie{Name: "session", Value: "s"})
	rec := httptest.NewRecorder()
	rtr.ServeHTTP(rec, req)
	if rec.Code != http.StatusInternalServerError || strings.Contains(rec.Header().Get("Set-Cookie"), "session=") {
		t.Errorf("got %d, Set-Cookie %q; want 500 and the cookie left alone", rec.Code, rec.Header().Get("Set-Cookie"))
	}
}

// TestFormBodiesAreCapped: a form body over 1 MiB is not read, whatever the
// case of its media type.
func TestFormBodiesAreCapped(t *testing.T) {
	var got int
	rtr := api.NewRouter(api.RouterConfig{
		Authenticator: api.AuthenticatorFunc(func(*http.Request) (*auth.Principal, error) { return nil, nil }),
		Authorizer:    api.AuthorizerFunc(func(*auth.Principal, auth.Action) bool { return true }),
	})
	rtr.Handle(api.Route{Pattern: "POST /form", Action: "x.write"}, func(w http.ResponseWriter, r *http.Request) error {
		r.ParseForm()
		got = len(r.PostFormValue("v"))
		return nil
	})
	for _, ct := range []string{"application/x-www-form-urlencoded", "Application/X-WWW-Form-Urlencoded; charset=utf-8"} {
		got = -1
		body := "v=" + strings.Repeat("a", 2<<20)
		req := httptest.NewRequest(http.MethodPost, "/form", strings.NewReader(body))
		req.Header.Set("Content-Type", ct)
		rtr.ServeHTTP(httptest.NewRecorder(), req)
		if got > 1<<20 {
			t.Errorf("%q: handler read %d bytes of form value, want at most 1 MiB", ct, got)
		}
	}
}

// TestErrorMessages: an error that says its message in each language sends
// them all, beside the code and the default message.
func TestErrorMessages(t *testing.T) {
	rec := httptest.NewRecorder()
	api.WriteError(rec, &api.Error{Status: http.StatusConflict, Code: "command_required", Message: "no command",
		Messages: map[string]string{"en": "no command", "ja": "指揮がない"}})
	var got struct {
		Error struct {
			Code     string            `json:"code"`
			Message  string            `json:"message"`
			Messages map[string]string `json:"messages"`
		} `json:"error"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if rec.Code != http.StatusConflict || got.Error.Code != "command_required" || got.Error.Message != "no command" ||
		got.Error.Messages["ja"] != "指揮がない" || got.Error.Messages["en"] != "no command" {
		t.Errorf("got %d %+v, want 409 command_required with both messages", rec.Code, got.Error)
	}
	// Without messages the field is left out.
	rec = httptest.NewRecorder()
	api.WriteError(rec, api.Conflict("x"))
	if strings.Contains(rec.Body.String(), "messages") {
		t.Errorf("got %s, want no messages field", rec.Body.String())
	}
}
