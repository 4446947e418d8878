package inspectionapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/inspection"
	"github.com/acd-platform/acd/internal/inspection/inspectionapi"
	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

var t0 = time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)

// env is the inspection API on a real api.Router with the real policy and
// token authentication, served over HTTP, with an API token for a user of
// each organisation involved.
type env struct {
	ctx    context.Context
	clock  *deadline.FakeClock
	dl     *deadline.Service
	router *api.Router
	ts     *httptest.Server

	commission, nco, meti, npa, operator auth.Org
	// tokens by user: chair, member, analyst (NCO), ministry (METI),
	// officer and commander (NPA), operator, admin.
	tok map[string]string
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{ctx: ctx, clock: deadline.NewFakeClock(t0), tok: map[string]string{}}
	ring, err := keys.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	log, err := auditlog.New(ctx, db, ring, auditlog.Options{Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	as, err := auth.New(ctx, db, log, auth.Config{Keys: ring, Now: e.clock.Now, Argon2: auth.Argon2Params{Memory: 64, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	n, err := deadline.NewNotifier(ctx, db, log, e.clock, nil, deadline.NotifierConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if e.dl, err = deadline.New(ctx, db, log, n, e.clock, nil, deadline.Config{}); err != nil {
		t.Fatal(err)
	}
	pol := auth.NewPolicy()
	svc, err := inspection.New(ctx, inspection.Deps{DB: db, Log: log, Auth: as, Policy: pol, Deadlines: e.dl, Notifier: n}, inspection.Config{Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	e.router = api.NewRouter(api.RouterConfig{Authenticator: as, Authorizer: pol, MapError: inspectionapi.Error})
	inspectionapi.Register(e.router, svc)
	e.ts = httptest.NewServer(e.router)
	t.Cleanup(e.ts.Close)

	org := func(n auth.NewOrg) auth.Org {
		o, err := as.CreateOrg(ctx, auth.CLI("test"), n)
		if err != nil {
			t.Fatalf("create org %s: %v", n.Name, err)
		}
		return o
	}
	e.commission = org(auth.NewOrg{Name: "Commission", Kind: auth.OrgCommission})
	e.nco = org(auth.NewOrg{Name: "NCO", Kind: auth.OrgCabinetOff})
	e.meti = org(auth.NewOrg{Name: "METI", Kind: auth.OrgMinistry, Sectors: []string{"electricity"}})
	e.npa = org(auth.NewOrg{Name: "NPA", Kind: auth.OrgPolice, Police: auth.PoliceNational})
	e.operator = org(auth.NewOrg{Name: "Kanto Power", Kind: auth.OrgOperator, Sectors: []string{"electricity"}})
	sys := org(auth.NewOrg{Name: "Sysadmin", Kind: auth.OrgSystemAdmin})
	for _, u := range []struct {
		name string
		org  auth.Org
		role auth.Role
	}{
		{"chair", e.commission, auth.RoleCommissionChair}, {"member", e.commission, auth.RoleCommissionMember},
		{"analyst", e.nco, auth.RoleAnalyst}, {"ministry", e.meti, auth.RoleMinistry},
		{"officer", e.npa, auth.RoleOfficer}, {"commander", e.npa, auth.RoleCommander},
		{"operator", e.operator, auth.RoleOperator}, {"admin", sys, auth.RoleAdmin},
	} {
		usr, err := as.SeedUser(ctx, auth.NewUser{Username: "user-" + u.name, OrgID: u.org.ID, Roles: []auth.Role{u.role}, Password: "correct horse battery"})
		if err != nil {
			t.Fatalf("seed %s: %v", u.name, err)
		}
		self := &auth.Principal{UserID: usr.ID, Via: auth.ViaSession, MFA: true, Roles: usr.Roles}
		raw, _, err := as.CreateToken(ctx, self, usr.ID, "test", 90*24*time.Hour)
		if err != nil {
			t.Fatalf("token for %s: %v", u.name, err)
		}
		e.tok[u.name] = raw
	}
	return e
}

func each(t *testing.T, fn func(t *testing.T, e *env)) {
	storetest.Each(t, func(t *testing.T, db *store.DB) { fn(t, newEnv(t, db)) })
}

// req sends a request as user (the public when "") with body of content
// type ct (JSON when ct is "" and body is not).
func (e *env) req(t *testing.T, method, path, user, ct, body string) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
		if ct == "" {
			ct = "application/json"
		}
	}
	req, err := http.NewRequestWithContext(e.ctx, method, e.ts.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+e.tok[user])
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

// call sends JSON and expects status want, decoding into out unless nil.
func (e *env) call(t *testing.T, method, path, user, body string, want int, out any) []byte {
	t.Helper()
	got, b := e.req(t, method, path, user, "", body)
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

// apiError is the error envelope.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"error"`
}

// fails sends body and expects status want with an error on field.
func (e *env) fails(t *testing.T, method, path, user, body string, want int, field string) apiError {
	t.Helper()
	b := e.call(t, method, path, user, body, want, nil)
	var ae apiError
	if err := json.Unmarshal(b, &ae); err != nil {
		t.Fatalf("%s %s: decode error %s: %v", method, path, b, err)
	}
	if ae.Error.Field != field {
		t.Errorf("%s %s with %s: field %q, want %q (%s)", method, path, body, ae.Error.Field, field, ae.Error.Message)
	}
	return ae
}

// rfc3339 formats t for a body.
func rfc3339(t time.Time) string { return t.Format(time.RFC3339) }
