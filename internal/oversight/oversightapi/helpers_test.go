package oversightapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/oversight"
	"github.com/acd-platform/acd/internal/oversight/oversightapi"
	"github.com/acd-platform/acd/internal/servicetest"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

var t0 = time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)

// env is a real api.Router with the real policy and the oversight routes,
// served over HTTP, with an API token for a user of each role involved. Its
// authenticator takes sensor tokens as the server's does: a bearer token
// with the sensor prefix goes to ResolveSensorToken.
type env struct {
	ctx    context.Context
	clock  *deadline.FakeClock
	svc    *oversight.Service
	router *api.Router
	ts     *httptest.Server
	c      *servicetest.Client

	opA, opB auth.Org
	// tokens by user: analyst, analyst2, chair, m1…m4, opa, opb, admin.
	tok map[string]string
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	p := servicetest.New(t, db, t0)
	e := &env{ctx: p.Ctx, clock: p.Clock}
	var err error
	if e.svc, err = oversight.New(p.Ctx, oversight.Deps{DB: db, Log: p.Log, Auth: p.Auth, Deadlines: p.Deadlines, Notifier: p.Notifier, Keys: p.Keys}, oversight.Config{Now: e.clock.Now}); err != nil {
		t.Fatal(err)
	}
	authn := api.AuthenticatorFunc(func(r *http.Request) (*auth.Principal, error) {
		if raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "+oversight.SensorTokenPrefix); ok {
			return e.svc.ResolveSensorToken(r.Context(), oversight.SensorTokenPrefix+raw)
		}
		return p.Auth.Authenticate(r)
	})
	e.router = api.NewRouter(api.RouterConfig{Authenticator: authn, Authorizer: auth.NewPolicy(), MapError: func(err error) *api.Error {
		if e := oversightapi.Error(err); e != nil {
			return e
		}
		if errors.Is(err, auth.ErrNotFound) {
			return api.NotFound(err.Error())
		}
		return nil
	}})
	oversightapi.Register(e.router, e.svc)
	// A route only a sensor may use, as selection-run uploads will be.
	e.router.Handle(api.Route{Pattern: "GET /test/sensor", Action: auth.SensorUpload}, func(w http.ResponseWriter, r *http.Request) error {
		return api.WriteJSON(w, http.StatusOK, map[string]string{"approval": auth.FromContext(r.Context()).Sensor})
	})
	e.ts = httptest.NewServer(e.router)
	t.Cleanup(e.ts.Close)

	e.opA = p.Org(t, auth.NewOrg{Name: "Tokyo Telecom", Kind: auth.OrgOperator, Sectors: []string{"telecommunications"}})
	e.opB = p.Org(t, auth.NewOrg{Name: "Osaka Telecom", Kind: auth.OrgOperator, Sectors: []string{"telecommunications"}})
	nco := p.Org(t, auth.NewOrg{Name: "NCO", Kind: auth.OrgCabinetOff})
	comm := p.Org(t, auth.NewOrg{Name: "Commission", Kind: auth.OrgCommission})
	sys := p.Org(t, auth.NewOrg{Name: "Sysadmin", Kind: auth.OrgSystemAdmin})
	e.tok = servicetest.SeedUsers(t, p.Ctx, p.Auth, 365*24*time.Hour,
		servicetest.User{Name: "analyst", Org: nco, Role: auth.RoleAnalyst}, servicetest.User{Name: "analyst2", Org: nco, Role: auth.RoleAnalyst},
		servicetest.User{Name: "chair", Org: comm, Role: auth.RoleCommissionChair},
		servicetest.User{Name: "m1", Org: comm, Role: auth.RoleCommissionMember}, servicetest.User{Name: "m2", Org: comm, Role: auth.RoleCommissionMember},
		servicetest.User{Name: "m3", Org: comm, Role: auth.RoleCommissionMember}, servicetest.User{Name: "m4", Org: comm, Role: auth.RoleCommissionMember},
		servicetest.User{Name: "opa", Org: e.opA, Role: auth.RoleOperator}, servicetest.User{Name: "opb", Org: e.opB, Role: auth.RoleOperator},
		servicetest.User{Name: "admin", Org: sys, Role: auth.RoleAdmin})
	e.c = &servicetest.Client{Ctx: p.Ctx, Server: e.ts, Tokens: e.tok}
	return e
}

func each(t *testing.T, fn func(t *testing.T, e *env)) {
	storetest.Each(t, func(t *testing.T, db *store.DB) { fn(t, newEnv(t, db)) })
}

// req sends a request as user (none when ""; a raw bearer token when it
// starts with the sensor prefix) with a JSON body unless empty.
func (e *env) req(t *testing.T, method, path, user, body string) (int, http.Header, []byte) {
	t.Helper()
	return e.c.Do(t, method, path, e.as(user), "", body)
}

// call sends a request and expects status want, decoding into out unless nil.
func (e *env) call(t *testing.T, method, path, user, body string, want int, out any) []byte {
	t.Helper()
	return e.c.Call(t, method, path, e.as(user), body, want, out)
}

// as returns the name the client knows user's token by: a raw sensor token
// stands for itself.
func (e *env) as(user string) string {
	if strings.HasPrefix(user, oversight.SensorTokenPrefix) {
		e.tok[user] = user
	}
	return user
}

// apiError is the error envelope.
type apiError = servicetest.APIError

func errorOf(t *testing.T, b []byte) apiError {
	t.Helper()
	return servicetest.DecodeError(t, b)
}

// period is the window of test filings.
func period() (time.Time, time.Time) { return t0.Add(24 * time.Hour), t0.Add(91 * 24 * time.Hour) }

// critFile is a valid criteria file over period().
func critFile(dirs ...string) string {
	from, until := period()
	return fmt.Sprintf(`{
  "schema": "acd.selection.criteria/v1",
  "id": "crit-api",
  "version": 1,
  "authority": "ACQ-API",
  "directions": ["%s"],
  "valid_from": %q,
  "valid_until": %q,
  "rules": [
    {"id": "c2-servers", "addresses": ["203.0.113.0/24", "198.51.100.7"], "ports": ["tcp/443", "udp/53"]},
    {"id": "webshell", "commands": ["POST /A3fe"], "ports": ["tcp/80"]}
  ]
}
`, strings.Join(dirs, `", "`), from.Format(time.RFC3339), until.Format(time.RFC3339))
}

// jsonString quotes s as a JSON string.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// ch6Body is a valid chapter 6 request.
func ch6Body() string {
	return `{"chapter":"ch6","target":{"addresses":["203.0.113.0/24"],"asns":[64500]},"suspicion":"C2 servers of a campaign.",` +
		`"other_means":"The servers are abroad.","directions":["foreign-domestic","domestic-foreign"],"criteria":` +
		jsonString(critFile("foreign-domestic", "domestic-foreign")) + `}`
}
