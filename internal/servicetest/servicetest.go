// Package servicetest builds what the tests of a record-keeping service
// (reporting, oversight, commsinfo, inspection) and of its API package
// share: the platform the service stands on, organisations and users with
// API tokens, and JSON requests to a test server.
//
// A service test builds the platform on a database from storetest and
// the service on top of it:
//
//	p := servicetest.New(t, db, t0)
//	svc, err := inspection.New(p.Ctx, inspection.Deps{DB: db, Log: p.Log, Auth: p.Auth, ...}, ...)
//	nco := p.Org(t, auth.NewOrg{Name: "NCO", Kind: auth.OrgCabinetOff})
//
// An API test also seeds users and sends requests as them:
//
//	c := &servicetest.Client{Ctx: p.Ctx, Server: httptest.NewServer(router),
//		Tokens: servicetest.SeedUsers(t, p.Ctx, p.Auth, 90*24*time.Hour, servicetest.User{Name: "analyst", Org: nco, Role: auth.RoleAnalyst})}
//	c.Call(t, "GET", "/api/v1/inspections", "analyst", "", http.StatusOK, &list)
package servicetest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/store"
)

// Password is the password of every user SeedUsers creates.
const Password = "correct horse battery"

// Platform is the services every record-keeping service is built on:
// signing keys in a temp dir, the audit log, accounts, and the deadline
// notifier and service, on one test database with a fake clock.
type Platform struct {
	Ctx       context.Context
	DB        *store.DB
	Clock     *deadline.FakeClock
	Keys      *keys.Ring
	Log       *auditlog.Log
	Auth      *auth.Service
	Notifier  *deadline.Notifier
	Deadlines *deadline.Service
}

// New builds the platform on db with a fake clock at start. Passwords are
// hashed with the cheapest Argon2 parameters, to keep tests fast. It fails
// t on any error.
func New(t testing.TB, db *store.DB, start time.Time) *Platform {
	t.Helper()
	ctx := context.Background()
	p := &Platform{Ctx: ctx, DB: db, Clock: deadline.NewFakeClock(start)}
	var err error
	if p.Keys, err = keys.Open(t.TempDir(), nil); err != nil {
		t.Fatalf("open keys: %v", err)
	}
	if p.Log, err = auditlog.New(ctx, db, p.Keys, auditlog.Options{Now: p.Clock.Now}); err != nil {
		t.Fatalf("open audit log: %v", err)
	}
	if p.Auth, err = auth.New(ctx, db, p.Log, auth.Config{Keys: p.Keys, Now: p.Clock.Now, Argon2: auth.Argon2Params{Memory: 64, Time: 1, Threads: 1}}); err != nil {
		t.Fatalf("build accounts: %v", err)
	}
	if p.Notifier, err = deadline.NewNotifier(ctx, db, p.Log, p.Clock, nil, deadline.NotifierConfig{}); err != nil {
		t.Fatalf("build notifier: %v", err)
	}
	if p.Deadlines, err = deadline.New(ctx, db, p.Log, p.Notifier, p.Clock, nil, deadline.Config{}); err != nil {
		t.Fatalf("build deadlines: %v", err)
	}
	return p
}

// Org creates an organisation as the command line, failing t on error.
func (p *Platform) Org(t testing.TB, n auth.NewOrg) auth.Org {
	t.Helper()
	return CreateOrg(t, p.Ctx, p.Auth, n)
}

// CreateOrg creates an organisation in as as the command line, failing t
// on error.
func CreateOrg(t testing.TB, ctx context.Context, as *auth.Service, n auth.NewOrg) auth.Org {
	t.Helper()
	o, err := as.CreateOrg(ctx, auth.CLI("test"), n)
	if err != nil {
		t.Fatalf("create org %s: %v", n.Name, err)
	}
	return o
}

// Principal is a principal of org o with roles, authenticated by API token
// with a second factor, for service tests that need no stored account:
// its user id and name are both id.
func Principal(id string, o auth.Org, roles ...auth.Role) *auth.Principal {
	return &auth.Principal{UserID: id, Username: id, OrgID: o.ID, OrgKind: o.Kind, Sectors: o.Sectors, Roles: roles, Via: auth.ViaToken, MFA: true}
}

// User is an account for SeedUsers to create.
type User struct {
	Name string // the account is "user-" + Name
	Org  auth.Org
	Role auth.Role
}

// SeedUsers creates the users in as, each with an API token valid for ttl,
// and returns the tokens by User.Name. It fails t on any error.
func SeedUsers(t testing.TB, ctx context.Context, as *auth.Service, ttl time.Duration, users ...User) map[string]string {
	t.Helper()
	tok := make(map[string]string, len(users))
	for _, u := range users {
		usr, err := as.SeedUser(ctx, auth.NewUser{Username: "user-" + u.Name, OrgID: u.Org.ID, Roles: []auth.Role{u.Role}, Password: Password})
		if err != nil {
			t.Fatalf("seed %s: %v", u.Name, err)
		}
		self := &auth.Principal{UserID: usr.ID, Via: auth.ViaSession, MFA: true, Roles: usr.Roles}
		raw, _, err := as.CreateToken(ctx, self, usr.ID, "test", ttl)
		if err != nil {
			t.Fatalf("token for %s: %v", u.Name, err)
		}
		tok[u.Name] = raw
	}
	return tok
}

// Client sends requests to a test server as the users whose API tokens it
// holds. It is safe for concurrent use if Tokens is not changed meanwhile.
type Client struct {
	Ctx    context.Context
	Server *httptest.Server
	Tokens map[string]string // API tokens by user name
}

// Do sends a request as user (no credentials when "") with body of content
// type ct (JSON when ct is "" and body is not) and extra headers as name,
// value pairs, and returns the status, headers and body of the response.
func (c *Client) Do(t testing.TB, method, path, user, ct, body string, hdr ...string) (int, http.Header, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
		if ct == "" {
			ct = "application/json"
		}
	}
	req, err := http.NewRequestWithContext(c.Ctx, method, c.Server.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+c.Tokens[user])
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.Server.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read response: %v", method, path, err)
	}
	return resp.StatusCode, resp.Header, b
}

// Call sends body as JSON (none when "") as user and fails t unless the
// status is want; it decodes the response into out unless out is nil, and
// returns the response body.
func (c *Client) Call(t testing.TB, method, path, user, body string, want int, out any) []byte {
	t.Helper()
	got, _, b := c.Do(t, method, path, user, "", body)
	if got != want {
		t.Fatalf("%s %s as %s: status %d, want %d; body %s", method, path, user, got, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: decode %s: %v", method, path, b, err)
		}
	}
	return b
}

// APIError is the API's error envelope.
type APIError struct {
	Error struct {
		Code    string `json:"code"`
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"error"`
}

// DecodeError decodes an error envelope, failing t if b is not one.
func DecodeError(t testing.TB, b []byte) APIError {
	t.Helper()
	var e APIError
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("decode error %s: %v", b, err)
	}
	return e
}
