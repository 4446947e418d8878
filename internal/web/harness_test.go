package web_test

import (
	"context"
	"errors"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	xhtml "golang.org/x/net/html"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/server"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
	"github.com/acd-platform/acd/internal/web"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// password is every test user's password.
const password = "correct horse battery"

// site is a real ACD server (server.New) behind httptest.NewServer, with
// an operator organisation and the TOTP secrets its users enrolled.
type site struct {
	srv   *server.Server
	url   string
	clock *deadline.FakeClock
	ctx   context.Context
	org   auth.Org // an operator organisation for non-privileged users
	msgs  web.Catalogue

	mu      sync.Mutex        // guards secrets
	secrets map[string]string // username → enrolled TOTP secret
}

// start is the clock's start: 20:30 UTC, which is already the next day in
// Japan, so a page that shows UTC instead of JST shows the wrong date.
var start = time.Date(2026, 4, 1, 20, 30, 0, 0, time.UTC)

func newSite(t *testing.T, db *store.DB) *site {
	t.Helper()
	ctx := context.Background()
	ring, err := keys.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	clk := deadline.NewFakeClock(start)
	// The blocklist takes the documentation ranges the tests use as
	// targets (203.0.113.0/24, .example).
	srv, err := server.New(ctx, server.Config{DB: db, Keys: ring, Now: clk.Now,
		Argon2: auth.Argon2Params{Memory: 64, Time: 1, Threads: 1}, BlocklistAllowDocumentation: true})
	if err != nil {
		t.Fatalf("server.New: %v", err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	org, err := srv.Auth.CreateOrg(ctx, nil, auth.NewOrg{Name: "Kanto Power", NameJA: "関東電力", Kind: auth.OrgOperator, Sectors: []string{"electricity"}})
	if err != nil {
		t.Fatalf("create org: %v", err)
	}
	msgs, err := web.LoadCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	return &site{srv: srv, url: ts.URL, clock: clk, ctx: ctx, org: org, msgs: msgs, secrets: map[string]string{}}
}

// operator creates a non-privileged user.
func (s *site) operator(t *testing.T, username, display string) auth.User {
	t.Helper()
	u, _, err := s.srv.Auth.CreateUser(s.ctx, auth.CLI("test"), auth.NewUser{Username: username, DisplayName: display,
		OrgID: s.org.ID, Roles: []auth.Role{auth.RoleOperator}, Password: password})
	if err != nil {
		t.Fatalf("create %s: %v", username, err)
	}
	return u
}

// admin creates the first admin with Bootstrap, and any further admin
// directly with SeedUser (test set-up, not the path under test).
func (s *site) admin(t *testing.T, username, display string) auth.User {
	t.Helper()
	n := auth.NewUser{Username: username, DisplayName: display, Roles: []auth.Role{auth.RoleAdmin}, Password: password}
	u, err := s.srv.Auth.Bootstrap(s.ctx, n)
	if err == nil {
		return u
	}
	if !errors.Is(err, auth.ErrBootstrapDone) {
		t.Fatalf("bootstrap %s: %v", username, err)
	}
	us, err := s.srv.Auth.Users(s.ctx)
	if err != nil || len(us) == 0 {
		t.Fatalf("users: %v", err)
	}
	n.OrgID = us[0].OrgID
	u, err = s.srv.Auth.SeedUser(s.ctx, n)
	if err != nil {
		t.Fatalf("seed %s: %v", username, err)
	}
	return u
}

// code returns the TOTP code of secret now, by the server's clock.
func (s *site) code(t *testing.T, secret string) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, s.clock.Now())
	if err != nil {
		t.Fatalf("totp: %v", err)
	}
	return c
}

// wrongCode returns a code that no step within the accepted drift has.
func (s *site) wrongCode(t *testing.T, secret string) string {
	t.Helper()
	valid := map[string]bool{}
	for _, d := range []time.Duration{-30 * time.Second, 0, 30 * time.Second} {
		c, _ := totp.GenerateCode(secret, s.clock.Now().Add(d))
		valid[c] = true
	}
	for _, c := range []string{"000000", "111111", "222222", "333333"} {
		if !valid[c] {
			return c
		}
	}
	t.Fatal("no wrong code")
	return ""
}

// client is one browser: a cookie jar, no automatic redirects.
type client struct {
	t    *testing.T
	s    *site
	http *http.Client
}

func (s *site) client(t *testing.T) *client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &client{t: t, s: s, http: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       30 * time.Second,
	}}
}

// response is what the test looks at.
type response struct {
	status  int
	header  http.Header
	body    string // as sent
	cookies []*http.Cookie
}

// text is the body with character references resolved, for comparing with
// catalogue messages.
func (r *response) text() string { return html.UnescapeString(r.body) }

// cookie returns the Set-Cookie of name, or nil.
func (r *response) cookie(name string) *http.Cookie {
	for _, c := range r.cookies {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func (c *client) do(req *http.Request) *response {
	c.t.Helper()
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8") // as browsers send
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("%s %s: read: %v", req.Method, req.URL, err)
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: string(b), cookies: resp.Cookies()}
}

func (c *client) get(path string) *response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.s.url+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(req)
}

// post sends form; header adds request headers as name, value pairs.
func (c *client) post(path string, form url.Values, header ...string) *response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.s.url+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return c.do(req)
}

// csrf scrapes the CSRF token from a page of the signed-in user.
func (c *client) csrf(path string) string {
	c.t.Helper()
	r := c.get(path)
	tok := inputValue(r.body, "csrf")
	if r.status != http.StatusOK || tok == "" {
		c.t.Fatalf("GET %s: status %d, csrf %q; want 200 and a token", path, r.status, tok)
	}
	return tok
}

// login signs a non-privileged user in.
func (c *client) login(username string) {
	c.t.Helper()
	r := c.post("/login", url.Values{"username": {username}, "password": {password}})
	if r.status != http.StatusSeeOther || r.cookie(auth.SessionCookie) == nil {
		c.t.Fatalf("login %s: status %d, want 303 with a session cookie", username, r.status)
	}
}

// loginTOTP signs a privileged user in, enrolling a TOTP secret the first
// time, then moves the clock to the next time step so that the next login
// of the same user gets a fresh code.
func (c *client) loginTOTP(username string) {
	c.t.Helper()
	r := c.post("/login", url.Values{"username": {username}, "password": {password}})
	challenge := inputValue(r.body, "challenge")
	if r.status != http.StatusOK || challenge == "" {
		c.t.Fatalf("login %s: status %d, challenge %q; want 200 and a TOTP challenge", username, r.status, challenge)
	}
	c.s.mu.Lock()
	secret, ok := c.s.secrets[username]
	if !ok {
		secret = enrolSecret(r.body)
		c.s.secrets[username] = secret
	}
	c.s.mu.Unlock()
	if secret == "" {
		c.t.Fatalf("login %s: no enrolment secret on the first login", username)
	}
	r = c.post("/login/totp", url.Values{"challenge": {challenge}, "code": {c.s.code(c.t, secret)}})
	if r.status != http.StatusSeeOther || r.cookie(auth.SessionCookie) == nil {
		c.t.Fatalf("login %s: TOTP status %d, want 303 with a session cookie", username, r.status)
	}
	c.s.clock.Advance(30 * time.Second)
}

// parse parses a page; a page that does not parse fails the test.
func parse(t *testing.T, body string) *xhtml.Node {
	t.Helper()
	n, err := xhtml.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse page: %v", err)
	}
	return n
}

// walk calls fn for n and every node below it.
func walk(n *xhtml.Node, fn func(*xhtml.Node)) {
	fn(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, fn)
	}
}

// elements returns the elements named tag, in document order.
func elements(n *xhtml.Node, tag string) []*xhtml.Node {
	var out []*xhtml.Node
	walk(n, func(n *xhtml.Node) {
		if n.Type == xhtml.ElementNode && n.Data == tag {
			out = append(out, n)
		}
	})
	return out
}

func attr(n *xhtml.Node, name string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val, true
		}
	}
	return "", false
}

// textOf is the text content of n.
func textOf(n *xhtml.Node) string {
	var b strings.Builder
	walk(n, func(n *xhtml.Node) {
		if n.Type == xhtml.TextNode {
			b.WriteString(n.Data)
		}
	})
	return b.String()
}

// inputValue returns the value of the first input named name in body.
func inputValue(body, name string) string {
	doc, err := xhtml.Parse(strings.NewReader(body))
	if err != nil {
		return ""
	}
	for _, in := range elements(doc, "input") {
		if n, _ := attr(in, "name"); n == name {
			v, _ := attr(in, "value")
			return v
		}
	}
	return ""
}

// enrolSecret returns the TOTP secret shown on an enrolment page, or "".
func enrolSecret(body string) string {
	doc, err := xhtml.Parse(strings.NewReader(body))
	if err != nil {
		return ""
	}
	for _, c := range elements(doc, "code") {
		if cl, _ := attr(c, "class"); cl == "secret" {
			return strings.TrimSpace(textOf(c))
		}
	}
	return ""
}

// formActions returns the action of every form in body.
func formActions(t *testing.T, body string) []string {
	t.Helper()
	var out []string
	for _, f := range elements(parse(t, body), "form") {
		a, _ := attr(f, "action")
		out = append(out, a)
	}
	return out
}
