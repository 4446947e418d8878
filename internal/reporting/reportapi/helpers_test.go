package reportapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/server"
	"github.com/acd-platform/acd/internal/servicetest"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

var t0 = time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)

// env is a real server on a test database, served over HTTP, with an API
// token for a user of each organisation that reporting involves.
type env struct {
	srv   *server.Server
	ts    *httptest.Server
	ctx   context.Context
	clock *deadline.FakeClock
	c     *servicetest.Client

	opA, opB, opRail, undesignated, meti, mlit auth.Org
	// tokens by user: a, a2 (operator A), b (operator B, same sector),
	// rail, undes, meti, mlit, analyst, admin, vendor.
	tok map[string]string
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	ctx := context.Background()
	ring, err := keys.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	clock := deadline.NewFakeClock(t0)
	s, err := server.New(ctx, server.Config{DB: db, Keys: ring, Now: clock.Now, Argon2: auth.Argon2Params{Memory: 64, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	e := &env{srv: s, ts: ts, ctx: ctx, clock: clock}
	org := func(n auth.NewOrg) auth.Org { return servicetest.CreateOrg(t, ctx, s.Auth, n) }
	e.opA = org(auth.NewOrg{Name: "Kanto Power", Kind: auth.OrgOperator, Sectors: []string{"electricity"}})
	e.opB = org(auth.NewOrg{Name: "Kyushu Power", Kind: auth.OrgOperator, Sectors: []string{"electricity"}})
	e.opRail = org(auth.NewOrg{Name: "Chuo Railway", Kind: auth.OrgOperator, Sectors: []string{"railways"}})
	e.undesignated = org(auth.NewOrg{Name: "Small Gas", Kind: auth.OrgOperator, Sectors: []string{"gas"}})
	e.meti = org(auth.NewOrg{Name: "METI", Kind: auth.OrgMinistry, Sectors: []string{"electricity", "gas", "oil", "credit_cards"}})
	e.mlit = org(auth.NewOrg{Name: "MLIT", Kind: auth.OrgMinistry, Sectors: []string{"water_supply", "railways"}})
	nco := org(auth.NewOrg{Name: "NCO", Kind: auth.OrgCabinetOff})
	sys := org(auth.NewOrg{Name: "Sysadmin", Kind: auth.OrgSystemAdmin})
	ven := org(auth.NewOrg{Name: "Vendor", Kind: auth.OrgVendor})
	e.tok = servicetest.SeedUsers(t, ctx, s.Auth, 90*24*time.Hour,
		servicetest.User{Name: "a", Org: e.opA, Role: auth.RoleOperator}, servicetest.User{Name: "a2", Org: e.opA, Role: auth.RoleOperator},
		servicetest.User{Name: "b", Org: e.opB, Role: auth.RoleOperator}, servicetest.User{Name: "rail", Org: e.opRail, Role: auth.RoleOperator},
		servicetest.User{Name: "undes", Org: e.undesignated, Role: auth.RoleOperator},
		servicetest.User{Name: "meti", Org: e.meti, Role: auth.RoleMinistry}, servicetest.User{Name: "mlit", Org: e.mlit, Role: auth.RoleMinistry},
		servicetest.User{Name: "analyst", Org: nco, Role: auth.RoleAnalyst},
		servicetest.User{Name: "admin", Org: sys, Role: auth.RoleAdmin}, servicetest.User{Name: "vendor", Org: ven, Role: auth.RoleVendor})
	e.c = &servicetest.Client{Ctx: ctx, Server: ts, Tokens: e.tok}
	for _, o := range []auth.Org{e.opA, e.opB, e.opRail} {
		e.call(t, "POST", "/api/v1/operators/"+o.ID+"/designations", "analyst", `{"designated":true,"reason":"test"}`, http.StatusCreated, nil)
	}
	return e
}

func each(t *testing.T, fn func(t *testing.T, e *env)) {
	storetest.Each(t, func(t *testing.T, db *store.DB) { fn(t, newEnv(t, db)) })
}

// req sends a request as user (none when "") with body of content type ct
// (JSON when ct is "" and body is not) and extra headers as name, value
// pairs.
func (e *env) req(t *testing.T, method, path, user, ct, body string, hdr ...string) (int, http.Header, []byte) {
	t.Helper()
	return e.c.Do(t, method, path, user, ct, body, hdr...)
}

// call sends JSON and expects status want, decoding into out unless nil.
func (e *env) call(t *testing.T, method, path, user, body string, want int, out any) []byte {
	t.Helper()
	return e.c.Call(t, method, path, user, body, want, out)
}

// apiError is the error envelope.
type apiError = servicetest.APIError

func errorOf(t *testing.T, b []byte) apiError {
	t.Helper()
	return servicetest.DecodeError(t, b)
}

// quickJSON is a valid quick report body, aware an hour before the clock.
func (e *env) quickJSON() string {
	return `{"stage":"quick","kind":"incident","summary":"Ransomware on the historian.","aware_at":"` +
		e.clock.Now().Add(-time.Hour).Format(time.RFC3339) + `","status":"ongoing","contact":{"name":"SOC","email":"soc@example.jp"}}`
}

// stageJSON is a valid body for stage with the full report's fields.
func (e *env) stageJSON(stage string) string {
	return `{"stage":"` + stage + `","kind":"incident","summary":"Ransomware on the historian.","aware_at":"` +
		e.clock.Now().Add(-time.Hour).Format(time.RFC3339) + `","status":"contained","contact":{"name":"SOC","email":"soc@example.jp"},` +
		`"impact":{"level":"moderate","description":"Planning degraded."},"measures_taken":"Isolated.","root_cause":"Unpatched VPN.",` +
		`"techniques":["T1486"],"indicators":[{"type":"ipv4","value":"203.0.113.7"},{"type":"domain","value":"evil.example"}]}`
}
