package reportapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/server"
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
	e := &env{srv: s, ts: ts, ctx: ctx, clock: clock, tok: map[string]string{}}
	org := func(n auth.NewOrg) auth.Org {
		o, err := s.Auth.CreateOrg(ctx, auth.CLI("test"), n)
		if err != nil {
			t.Fatalf("create org %s: %v", n.Name, err)
		}
		return o
	}
	e.opA = org(auth.NewOrg{Name: "Kanto Power", Kind: auth.OrgOperator, Sectors: []string{"electricity"}})
	e.opB = org(auth.NewOrg{Name: "Kyushu Power", Kind: auth.OrgOperator, Sectors: []string{"electricity"}})
	e.opRail = org(auth.NewOrg{Name: "Chuo Railway", Kind: auth.OrgOperator, Sectors: []string{"railways"}})
	e.undesignated = org(auth.NewOrg{Name: "Small Gas", Kind: auth.OrgOperator, Sectors: []string{"gas"}})
	e.meti = org(auth.NewOrg{Name: "METI", Kind: auth.OrgMinistry, Sectors: []string{"electricity", "gas", "oil", "credit_cards"}})
	e.mlit = org(auth.NewOrg{Name: "MLIT", Kind: auth.OrgMinistry, Sectors: []string{"water_supply", "railways"}})
	nco := org(auth.NewOrg{Name: "NCO", Kind: auth.OrgCabinetOff})
	sys := org(auth.NewOrg{Name: "Sysadmin", Kind: auth.OrgSystemAdmin})
	ven := org(auth.NewOrg{Name: "Vendor", Kind: auth.OrgVendor})
	for _, u := range []struct {
		name string
		org  auth.Org
		role auth.Role
	}{
		{"a", e.opA, auth.RoleOperator}, {"a2", e.opA, auth.RoleOperator}, {"b", e.opB, auth.RoleOperator},
		{"rail", e.opRail, auth.RoleOperator}, {"undes", e.undesignated, auth.RoleOperator},
		{"meti", e.meti, auth.RoleMinistry}, {"mlit", e.mlit, auth.RoleMinistry}, {"analyst", nco, auth.RoleAnalyst},
		{"admin", sys, auth.RoleAdmin}, {"vendor", ven, auth.RoleVendor},
	} {
		usr, err := s.Auth.SeedUser(ctx, auth.NewUser{Username: "user-" + u.name, OrgID: u.org.ID, Roles: []auth.Role{u.role}, Password: "correct horse battery"})
		if err != nil {
			t.Fatalf("seed %s: %v", u.name, err)
		}
		self := &auth.Principal{UserID: usr.ID, Via: auth.ViaSession, MFA: true, Roles: usr.Roles}
		raw, _, err := s.Auth.CreateToken(ctx, self, usr.ID, "test", 90*24*time.Hour)
		if err != nil {
			t.Fatalf("token for %s: %v", u.name, err)
		}
		e.tok[u.name] = raw
	}
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
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
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

// call sends JSON and expects status want, decoding into out unless nil.
func (e *env) call(t *testing.T, method, path, user, body string, want int, out any) []byte {
	t.Helper()
	got, _, b := e.req(t, method, path, user, "", body)
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
