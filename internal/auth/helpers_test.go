package auth_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// testArgon2 keeps hashing fast in tests.
var testArgon2 = auth.Argon2Params{Memory: 64, Time: 1, Threads: 1}

const password = "correct horse battery"

type env struct {
	svc   *auth.Service
	db    *store.DB
	log   *auditlog.Log
	ring  *keys.Ring
	clock *deadline.FakeClock
	ctx   context.Context
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	ctx := context.Background()
	ring, err := keys.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	l, err := auditlog.New(ctx, db, ring, auditlog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	clk := deadline.NewFakeClock(time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC))
	svc, err := auth.New(ctx, db, l, auth.Config{Keys: ring, Now: clk.Now, Argon2: testArgon2})
	if err != nil {
		t.Fatal(err)
	}
	return &env{svc: svc, db: db, log: l, ring: ring, clock: clk, ctx: ctx}
}

func (e *env) org(t *testing.T, name string, kind auth.OrgKind, sectors ...string) auth.Org {
	t.Helper()
	n := auth.NewOrg{Name: name, Kind: kind, Sectors: sectors}
	if kind == auth.OrgPolice {
		n.Police = auth.PoliceNational
	}
	o, err := e.svc.CreateOrg(e.ctx, nil, n)
	if err != nil {
		t.Fatalf("create org %s: %v", name, err)
	}
	return o
}

// seed creates a user with roles active at once.
func (e *env) seed(t *testing.T, username string, org auth.Org, roles ...auth.Role) auth.User {
	t.Helper()
	u, err := e.svc.SeedUser(e.ctx, auth.NewUser{Username: username, OrgID: org.ID, Roles: roles, Password: password})
	if err != nil {
		t.Fatalf("seed %s: %v", username, err)
	}
	return u
}

// login logs a non-privileged user in.
func (e *env) login(t *testing.T, username string) *auth.Session {
	t.Helper()
	res, err := e.svc.PasswordLogin(e.ctx, username, password, "192.0.2.1:1234")
	if err != nil {
		t.Fatalf("login %s: %v", username, err)
	}
	if res.Session == nil {
		t.Fatalf("login %s: got no session", username)
	}
	return res.Session
}

func (e *env) withCookie(sess *auth.Session) (*auth.Principal, error) {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(e.svc.Cookie(sess, true))
	return e.svc.Authenticate(r)
}

func (e *env) withBearer(raw string) (*auth.Principal, error) {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Authorization", "Bearer "+raw)
	return e.svc.Authenticate(r)
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

func newRequest() *http.Request { return httptest.NewRequest(http.MethodGet, "/", nil) }

// adminPrincipal is u as an admin signed in with a second factor.
func adminPrincipal(u auth.User) *auth.Principal {
	return &auth.Principal{UserID: u.ID, Username: u.Username, OrgID: u.OrgID, Roles: []auth.Role{auth.RoleAdmin}, MFA: true, Via: auth.ViaSession}
}

// verify checkpoints the audit log and verifies it with the audit keys and
// the package's resolvers, so that every record is checked against the
// latest entry about it.
func (e *env) verify(t *testing.T) error {
	t.Helper()
	if _, err := e.log.Checkpoint(e.ctx); err != nil {
		t.Fatal(err)
	}
	verifiers, err := e.log.Verifiers()
	if err != nil {
		t.Fatal(err)
	}
	_, err = auditlog.Verify(e.ctx, auditlog.DBSource(e.db), auditlog.VerifyOptions{
		Verifiers: verifiers, Keys: e.ring, Resolvers: e.log.Resolvers(), Listers: e.log.Listers()})
	return err
}
