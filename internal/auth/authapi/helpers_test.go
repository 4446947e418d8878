package authapi_test

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
	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/server"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

const password = "correct horse battery"

// env is a real server on a test database, served over HTTP.
type env struct {
	srv  *server.Server
	ts   *httptest.Server
	db   *store.DB
	ring *keys.Ring
	ctx  context.Context
	org  auth.Org // an agency every fixture user belongs to
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	ctx := context.Background()
	ring, err := keys.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := server.New(ctx, server.Config{DB: db, Keys: ring, Argon2: auth.Argon2Params{Memory: 64, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	org, err := s.Auth.CreateOrg(ctx, auth.CLI("test"), auth.NewOrg{Name: "Test Agency", Kind: auth.OrgAgency})
	if err != nil {
		t.Fatal(err)
	}
	return &env{srv: s, ts: ts, db: db, ring: ring, ctx: ctx, org: org}
}

// user seeds an account with roles active at once and returns it with an API
// token the user made from a session that passed a second factor (the
// command line makes no token for a privileged user once two admins exist).
func (e *env) user(t *testing.T, username string, roles ...auth.Role) (auth.User, string) {
	t.Helper()
	u, err := e.srv.Auth.SeedUser(e.ctx, auth.NewUser{Username: username, OrgID: e.org.ID, Roles: roles, Password: password})
	if err != nil {
		t.Fatalf("seed %s: %v", username, err)
	}
	self := &auth.Principal{UserID: u.ID, Via: auth.ViaSession, MFA: true, Roles: u.Roles}
	raw, _, err := e.srv.Auth.CreateToken(e.ctx, self, u.ID, "test", 24*time.Hour)
	if err != nil {
		t.Fatalf("token for %s: %v", username, err)
	}
	return u, raw
}

// do sends a request with token (none when "") and a JSON body (none when
// ""), and returns the status and the body.
func (e *env) do(t *testing.T, method, path, token, body string) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(e.ctx, method, e.ts.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := e.ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// call is do expecting status want, decoding the body into out (unless nil).
func (e *env) call(t *testing.T, method, path, token, body string, want int, out any) {
	t.Helper()
	got, b := e.do(t, method, path, token, body)
	if got != want {
		t.Fatalf("%s %s: status %d, want %d; body %s", method, path, got, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: decode %s: %v", method, path, b, err)
		}
	}
}

// apiError is the error envelope.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
	} `json:"error"`
}

// fail is do expecting an error envelope with status want.
func (e *env) fail(t *testing.T, method, path, token, body string, want int) apiError {
	t.Helper()
	var ae apiError
	e.call(t, method, path, token, body, want, &ae)
	return ae
}

// auditCount counts the audit entries with action.
func (e *env) auditCount(t *testing.T, action string) int {
	t.Helper()
	var n int
	if err := e.db.QueryRow(e.ctx, "SELECT COUNT(*) FROM audit_entries WHERE action = ?", action).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// verifyLog checkpoints the audit log and verifies it, each auth record
// against the latest entry about it.
func (e *env) verifyLog(t *testing.T) {
	t.Helper()
	if _, err := e.srv.Log.Checkpoint(e.ctx); err != nil {
		t.Fatal(err)
	}
	verifiers, err := e.srv.Log.Verifiers()
	if err != nil {
		t.Fatal(err)
	}
	rep, err := auditlog.Verify(e.ctx, auditlog.DBSource(e.db), auditlog.VerifyOptions{
		Verifiers: verifiers, Keys: e.ring, Resolvers: e.srv.Log.Resolvers(), Listers: e.srv.Log.Listers()})
	if err != nil {
		t.Fatalf("verify audit log: %v", err)
	}
	if rep.RecordsChecked == 0 {
		t.Errorf("verify checked no records")
	}
}

// auditCountBy counts the audit entries with action made by actor (a user
// id).
func (e *env) auditCountBy(t *testing.T, action, actor string) int {
	t.Helper()
	var n int
	if err := e.db.QueryRow(e.ctx, "SELECT COUNT(*) FROM audit_entries WHERE action = ? AND actor = ?", action, actor).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
