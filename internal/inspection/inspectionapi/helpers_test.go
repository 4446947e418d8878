package inspectionapi_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/inspection"
	"github.com/acd-platform/acd/internal/inspection/inspectionapi"
	"github.com/acd-platform/acd/internal/servicetest"
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
	c      *servicetest.Client

	commission, nco, meti, npa, operator auth.Org
	// tokens by user: chair, member, analyst (NCO), ministry (METI),
	// officer and commander (NPA), operator, admin.
	tok map[string]string
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	p := servicetest.New(t, db, t0)
	e := &env{ctx: p.Ctx, clock: p.Clock, dl: p.Deadlines}
	pol := auth.NewPolicy()
	svc, err := inspection.New(p.Ctx, inspection.Deps{DB: db, Log: p.Log, Auth: p.Auth, Policy: pol, Deadlines: e.dl, Notifier: p.Notifier}, inspection.Config{Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	e.router = api.NewRouter(api.RouterConfig{Authenticator: p.Auth, Authorizer: pol, MapError: inspectionapi.Error})
	inspectionapi.Register(e.router, svc)
	e.ts = httptest.NewServer(e.router)
	t.Cleanup(e.ts.Close)

	e.commission = p.Org(t, auth.NewOrg{Name: "Commission", Kind: auth.OrgCommission})
	e.nco = p.Org(t, auth.NewOrg{Name: "NCO", Kind: auth.OrgCabinetOff})
	e.meti = p.Org(t, auth.NewOrg{Name: "METI", Kind: auth.OrgMinistry, Sectors: []string{"electricity"}})
	e.npa = p.Org(t, auth.NewOrg{Name: "NPA", Kind: auth.OrgPolice, Police: auth.PoliceNational})
	e.operator = p.Org(t, auth.NewOrg{Name: "Kanto Power", Kind: auth.OrgOperator, Sectors: []string{"electricity"}})
	sys := p.Org(t, auth.NewOrg{Name: "Sysadmin", Kind: auth.OrgSystemAdmin})
	e.tok = servicetest.SeedUsers(t, p.Ctx, p.Auth, 90*24*time.Hour,
		servicetest.User{Name: "chair", Org: e.commission, Role: auth.RoleCommissionChair},
		servicetest.User{Name: "member", Org: e.commission, Role: auth.RoleCommissionMember},
		servicetest.User{Name: "analyst", Org: e.nco, Role: auth.RoleAnalyst}, servicetest.User{Name: "ministry", Org: e.meti, Role: auth.RoleMinistry},
		servicetest.User{Name: "officer", Org: e.npa, Role: auth.RoleOfficer}, servicetest.User{Name: "commander", Org: e.npa, Role: auth.RoleCommander},
		servicetest.User{Name: "operator", Org: e.operator, Role: auth.RoleOperator}, servicetest.User{Name: "admin", Org: sys, Role: auth.RoleAdmin})
	e.c = &servicetest.Client{Ctx: p.Ctx, Server: e.ts, Tokens: e.tok}
	return e
}

func each(t *testing.T, fn func(t *testing.T, e *env)) {
	storetest.Each(t, func(t *testing.T, db *store.DB) { fn(t, newEnv(t, db)) })
}

// req sends a request as user (the public when "") with body of content
// type ct (JSON when ct is "" and body is not).
func (e *env) req(t *testing.T, method, path, user, ct, body string) (int, []byte) {
	t.Helper()
	code, _, b := e.c.Do(t, method, path, user, ct, body)
	return code, b
}

// call sends JSON and expects status want, decoding into out unless nil.
func (e *env) call(t *testing.T, method, path, user, body string, want int, out any) []byte {
	t.Helper()
	return e.c.Call(t, method, path, user, body, want, out)
}

// apiError is the error envelope.
type apiError = servicetest.APIError

// fails sends body and expects status want with an error on field.
func (e *env) fails(t *testing.T, method, path, user, body string, want int, field string) apiError {
	t.Helper()
	b := e.call(t, method, path, user, body, want, nil)
	ae := servicetest.DecodeError(t, b)
	if ae.Error.Field != field {
		t.Errorf("%s %s with %s: field %q, want %q (%s)", method, path, body, ae.Error.Field, field, ae.Error.Message)
	}
	return ae
}

// rfc3339 formats t for a body.
func rfc3339(t time.Time) string { return t.Format(time.RFC3339) }
