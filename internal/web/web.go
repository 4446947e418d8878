// Package web is ACD's web shell: server-rendered pages, embedded, that work
// without JavaScript. It serves login (with the TOTP second factor where a
// role requires it), logout, a home page per role listing what that role can
// do, the inbox, the user's own API tokens, and the admins' account pages.
//
// Every page is registered on the api.Router, so it passes the one
// authorization policy like every API route. Pages speak Japanese (default)
// and English from one message catalogue (messages*.json) and show times in
// Japan time.
package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/blocklist"
	"github.com/acd-platform/acd/internal/commsinfo"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/inspection"
	"github.com/acd-platform/acd/internal/measures"
	"github.com/acd-platform/acd/internal/oversight"
	"github.com/acd-platform/acd/internal/reporting"
	"github.com/acd-platform/acd/internal/sharing"
	"github.com/acd-platform/acd/internal/vuln"
	"github.com/acd-platform/acd/internal/vuln/vendors"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// jst is Japan time. Japan has no daylight saving time, so a fixed zone is
// exact and needs no tz database on the host.
var jst = time.FixedZone("JST", 9*60*60)

// Config is what the web shell needs. Auth, Policy and Log are required.
type Config struct {
	Auth     *auth.Service
	Policy   *auth.Policy
	Log      *auditlog.Log
	Notifier *deadline.Notifier // nil: the inbox is empty
	// Reporting serves the operators', ministries' and Cabinet Office's
	// reporting pages; nil leaves them out.
	Reporting *reporting.Service
	// Oversight serves the agreements, acquisition requests, the
	// commission's votes and approvals; nil leaves them out.
	Oversight *oversight.Service
	// Commsinfo serves selection runs, selected records, findings,
	// cooperation requests and provisions; nil leaves them out.
	Commsinfo *commsinfo.Service
	// Inspection serves inspections, recommendations and handling errors;
	// nil leaves them out.
	Inspection *inspection.Service
	// Measures serves officer designations, measure cases with their
	// gates, orders to administrators and the commission's and the
	// Cabinet Office's views of them; nil leaves them out.
	Measures *measures.Service
	// Blocklist serves the defensive blocklist, its feed previews and
	// subscribers; nil leaves them out.
	Blocklist *blocklist.Service
	// Sharing serves the council, advisories, the items shared with the
	// viewer and the public alerts; nil leaves them out.
	Sharing *sharing.Service
	// Vuln serves the catalogue of vulnerabilities exploited in Japan,
	// its KEV candidates, operators' affected assets and the exposure
	// views; nil leaves them out.
	Vuln *vuln.Service
	// Vendors serves vendors' products and the notices and requests to
	// act sent to them (§42); nil leaves them out.
	Vendors *vendors.Service
	// TLS marks cookies Secure.
	TLS bool
	// Now is the clock; default time.Now.
	Now    func() time.Time
	Logger *slog.Logger
}

// Site renders and serves the pages.
type Site struct {
	cfg   Config
	msgs  Catalogue
	pages map[string]*template.Template
	log   *slog.Logger
	// getPages holds the paths of the pages a GET can fetch (no
	// wildcards), for the language switch; set by Register.
	getPages map[string]bool
	// links are the pages that do an action, for the home page's list;
	// each area adds its own when it registers.
	links map[auth.Action]string
}

// New parses the templates and the catalogue.
func New(cfg Config) (*Site, error) {
	if cfg.Auth == nil || cfg.Policy == nil || cfg.Log == nil {
		return nil, fmt.Errorf("web: Auth, Policy and Log are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	msgs, err := LoadCatalogue()
	if err != nil {
		return nil, err
	}
	s := &Site{cfg: cfg, msgs: msgs, pages: map[string]*template.Template{}, log: cfg.Logger.With("component", "web"), getPages: map[string]bool{}, links: maps.Clone(actionLinks)}
	funcs := template.FuncMap{
		"t":   func(l Lang, key string, args ...any) string { return msgs.T(l, key, args...) },
		"jst": func(t time.Time) string { return formatJST(t) },
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" {
			continue
		}
		t, err := template.New(base).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", n, err)
		}
		s.pages[base] = t
	}
	return s, nil
}

// formatJST renders t in Japan time; the zero time renders as "—".
func formatJST(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(jst).Format("2006-01-02 15:04 JST")
}

// view is what every template gets.
type view struct {
	Lang  Lang
	Title string // message key
	P     *auth.Principal
	CSRF  string
	Path  string // where the language switch returns to; the template escapes it
	Flash string
	Error string
	Now   string
	Data  any
	// Sharing: the site serves the council's pages, so the header links
	// to the public alerts and the shared items.
	Sharing bool
	// Catalogue: the site serves the vulnerability pages, so the header
	// links to the public catalogue of vulnerabilities exploited in Japan.
	Catalogue bool
	can       func(auth.Action) bool
}

// Can reports whether the viewer may do action, so that pages show only the
// links the policy would let through.
func (v view) Can(action string) bool { return v.can(auth.Action(action)) }

// render writes page with status.
func (s *Site) render(w http.ResponseWriter, r *http.Request, status int, page, title string, data any, msg ...string) error {
	t, ok := s.pages[page]
	if !ok {
		return fmt.Errorf("web: no template %q", page)
	}
	p := auth.FromContext(r.Context())
	v := view{
		Lang: langOf(r), Title: title, P: p, Path: s.switchPath(r),
		Now: formatJST(s.cfg.Now()), Data: data, Sharing: s.cfg.Sharing != nil, Catalogue: s.cfg.Vuln != nil,
		can: func(a auth.Action) bool { return s.cfg.Policy.Allow(p, a) },
	}
	if p != nil {
		v.CSRF = p.CSRFToken
	}
	if len(msg) > 0 {
		v.Flash = msg[0]
	}
	if len(msg) > 1 {
		v.Error = msg[1]
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout", v); err != nil {
		return fmt.Errorf("web: render %s: %w", page, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err := w.Write(b.Bytes())
	return err
}

// switchPath is where the language switch returns to: the page itself, or,
// for a page that a POST rendered (a failed login, a refused form), the
// nearest page above its path that a GET can fetch: a GET of the form's
// action itself would fail.
func (s *Site) switchPath(r *http.Request) string {
	p := r.URL.Path
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return p
	}
	for !s.getPages[p] {
		i := strings.LastIndexByte(p, '/')
		if i <= 0 {
			return "/"
		}
		p = p[:i]
	}
	return p
}

// t translates for the request's language.
func (s *Site) t(r *http.Request, key string, args ...any) string {
	return s.msgs.T(langOf(r), key, args...)
}

// PageError renders errors of page routes; the router calls it.
func (s *Site) PageError(w http.ResponseWriter, r *http.Request, e *api.Error) {
	status := e.Status
	if status == 0 {
		status = http.StatusInternalServerError
	}
	msg, detail := e.Message, ""
	if msg == "" {
		msg = http.StatusText(status)
	}
	// The router's and handlers' messages are English: the page leads with
	// the catalogue's message for the error code, in the user's language.
	if _, ok := s.msgs["error."+e.Code]; ok {
		msg, detail = s.t(r, "error."+e.Code), msg
	}
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.FormatInt(int64((e.RetryAfter+time.Second-1)/time.Second), 10))
	}
	data := struct{ Message, Detail string }{msg, detail}
	if err := s.render(w, r, status, "error", "error.title", data); err != nil {
		s.log.Error("render error page", "err", err)
		http.Error(w, msg, status)
	}
}

// Register adds every page to r.
func (s *Site) Register(r *api.Router) {
	page := func(pattern string, action auth.Action, h api.HandlerFunc) {
		r.Handle(api.Route{Pattern: pattern, Action: action, Kind: api.Page}, h)
		if path, ok := strings.CutPrefix(pattern, "GET "); ok && !strings.ContainsAny(path, "{") && !strings.HasSuffix(path, "/") {
			s.getPages[path] = true
		}
	}
	page("GET /static/", auth.PublicView, s.static)
	page("GET /{$}", auth.PublicView, s.home)
	page("GET /lang/{lang}", auth.PublicView, s.setLang)
	page("GET /login", auth.Login, s.loginForm)
	page("POST /login", auth.Login, s.login)
	page("POST /login/totp", auth.Login, s.loginTOTP)
	page("POST /logout", auth.Logout, s.logout)
	page("GET /inbox", auth.InboxRead, s.inbox)
	page("POST /inbox/{id}/read", auth.InboxRead, s.inboxRead)
	page("GET /account/password", auth.PasswordChangeOwn, s.passwordForm)
	page("POST /account/password", auth.PasswordChangeOwn, s.passwordChange)
	page("GET /account/tokens", auth.TokenListOwn, s.tokens)
	page("POST /account/tokens", auth.TokenCreateOwn, s.tokenCreate)
	page("POST /account/tokens/{id}/revoke", auth.TokenRevokeOwn, s.tokenRevoke)
	page("GET /admin/accounts", auth.AccountList, s.accounts)
	page("GET /admin/accounts/new", auth.AccountCreate, s.accountNew)
	page("POST /admin/accounts", auth.AccountCreate, s.accountCreate)
	page("POST /admin/accounts/{id}/disable", auth.AccountDisable, s.accountDisable)
	page("POST /admin/accounts/{id}/totp", auth.AccountTOTPReissue, s.totpReissue)
	page("POST /admin/grants/{id}/confirm", auth.AccountConfirm, s.grantConfirm)
	s.registerReporting(page)
	s.registerOversight(page)
	s.registerCommsinfo(page)
	s.registerInspection(page)
	s.registerMeasures(page)
	s.registerBlocklist(page)
	s.registerSharing(page)
	s.registerVuln(page)
	s.registerVendors(page)
}

func (s *Site) static(w http.ResponseWriter, r *http.Request) error {
	sub, _ := fs.Sub(staticFS, "static")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	http.StripPrefix("/static/", http.FileServerFS(sub)).ServeHTTP(w, r)
	return nil
}

func (s *Site) setLang(w http.ResponseWriter, r *http.Request) error {
	l := Lang(r.PathValue("lang"))
	if l != Japanese && l != English {
		return api.NotFound("unknown language")
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: string(l), Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: s.cfg.TLS, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, api.SafeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
	return nil
}
