package oversightapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/oversight"
	"github.com/acd-platform/acd/internal/oversight/oversightapi"
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

	opA, opB auth.Org
	// tokens by user: analyst, analyst2, chair, m1…m4, opa, opb, admin.
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
	dl, err := deadline.New(ctx, db, log, n, e.clock, nil, deadline.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if e.svc, err = oversight.New(ctx, oversight.Deps{DB: db, Log: log, Auth: as, Deadlines: dl, Notifier: n, Keys: ring}, oversight.Config{Now: e.clock.Now}); err != nil {
		t.Fatal(err)
	}
	authn := api.AuthenticatorFunc(func(r *http.Request) (*auth.Principal, error) {
		if raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "+oversight.SensorTokenPrefix); ok {
			return e.svc.ResolveSensorToken(r.Context(), oversight.SensorTokenPrefix+raw)
		}
		return as.Authenticate(r)
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

	org := func(n auth.NewOrg) auth.Org {
		o, err := as.CreateOrg(ctx, auth.CLI("test"), n)
		if err != nil {
			t.Fatalf("create org %s: %v", n.Name, err)
		}
		return o
	}
	e.opA = org(auth.NewOrg{Name: "Tokyo Telecom", Kind: auth.OrgOperator, Sectors: []string{"telecommunications"}})
	e.opB = org(auth.NewOrg{Name: "Osaka Telecom", Kind: auth.OrgOperator, Sectors: []string{"telecommunications"}})
	nco := org(auth.NewOrg{Name: "NCO", Kind: auth.OrgCabinetOff})
	comm := org(auth.NewOrg{Name: "Commission", Kind: auth.OrgCommission})
	sys := org(auth.NewOrg{Name: "Sysadmin", Kind: auth.OrgSystemAdmin})
	for _, u := range []struct {
		name string
		org  auth.Org
		role auth.Role
	}{
		{"analyst", nco, auth.RoleAnalyst}, {"analyst2", nco, auth.RoleAnalyst},
		{"chair", comm, auth.RoleCommissionChair}, {"m1", comm, auth.RoleCommissionMember}, {"m2", comm, auth.RoleCommissionMember},
		{"m3", comm, auth.RoleCommissionMember}, {"m4", comm, auth.RoleCommissionMember},
		{"opa", e.opA, auth.RoleOperator}, {"opb", e.opB, auth.RoleOperator}, {"admin", sys, auth.RoleAdmin},
	} {
		usr, err := as.SeedUser(ctx, auth.NewUser{Username: "user-" + u.name, OrgID: u.org.ID, Roles: []auth.Role{u.role}, Password: "correct horse battery"})
		if err != nil {
			t.Fatalf("seed %s: %v", u.name, err)
		}
		self := &auth.Principal{UserID: usr.ID, Via: auth.ViaSession, MFA: true, Roles: usr.Roles}
		raw, _, err := as.CreateToken(ctx, self, usr.ID, "test", 365*24*time.Hour)
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

// req sends a request as user (none when ""; a raw bearer token when it
// starts with the sensor prefix) with a JSON body unless empty.
func (e *env) req(t *testing.T, method, path, user, body string) (int, http.Header, []byte) {
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
	switch {
	case strings.HasPrefix(user, oversight.SensorTokenPrefix):
		req.Header.Set("Authorization", "Bearer "+user)
	case user != "":
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
	return resp.StatusCode, resp.Header, b
}

// call sends a request and expects status want, decoding into out unless nil.
func (e *env) call(t *testing.T, method, path, user, body string, want int, out any) []byte {
	t.Helper()
	got, _, b := e.req(t, method, path, user, body)
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

func errorOf(t *testing.T, b []byte) apiError {
	t.Helper()
	var e apiError
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("decode error %s: %v", b, err)
	}
	return e
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
