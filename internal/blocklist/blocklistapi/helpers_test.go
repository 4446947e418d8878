package blocklistapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/blocklist"
	"github.com/acd-platform/acd/internal/blocklist/blocklistapi"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/servicetest"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
	"github.com/acd-platform/acd/internal/svcerr"
)

func TestMain(m *testing.M) { storetest.Main(m) }

var t0 = time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)

// cases is a Cases source whose cases tests set.
type cases struct {
	mu sync.Mutex // guards m
	m  map[string]string
	t  []blocklist.CaseTarget // every case's targets
}

func (c *cases) CaseTargets(ctx context.Context, id string) ([]blocklist.CaseTarget, string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	state, ok := c.m[id]
	if !ok {
		return nil, "", svcerr.NotFoundf("measure case %q", id)
	}
	return c.t, state, nil
}

// env is the blocklist API on a real api.Router with the real policy,
// served over HTTP, with an API token for a user of each role involved.
// Its authenticator takes feed tokens as the server's does: a bearer
// token with the feed prefix goes to ResolveFeedToken.
type env struct {
	ctx   context.Context
	clock *deadline.FakeClock
	svc   *blocklist.Service
	ts    *httptest.Server
	c     *servicetest.Client

	// tokens by user: analyst, officer, officer2 (another police
	// agency), commander, operator, admin; feed tokens stand for
	// themselves.
	tok map[string]string
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	p := servicetest.New(t, db, t0)
	e := &env{ctx: p.Ctx, clock: p.Clock}
	pol := auth.NewPolicy()
	cs := &cases{m: map[string]string{"msr_exec": "executing", "msr_open": "open"},
		t: []blocklist.CaseTarget{{Address: "198.51.100.7", Domain: "c2.example"}, {Address: "10.0.0.1"}}}
	var err error
	e.svc, err = blocklist.New(p.Ctx, blocklist.Deps{DB: db, Log: p.Log, Auth: p.Auth, Policy: pol, Cases: blocklist.CasesFunc(cs.CaseTargets)},
		blocklist.Config{AllowDocumentation: true, Now: p.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	authn := api.AuthenticatorFunc(func(r *http.Request) (*auth.Principal, error) {
		if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && strings.HasPrefix(tok, blocklist.FeedTokenPrefix) {
			return e.svc.ResolveFeedToken(r.Context(), tok)
		}
		return p.Auth.Authenticate(r)
	})
	router := api.NewRouter(api.RouterConfig{Authenticator: authn, Authorizer: pol, MapError: blocklistapi.Error})
	blocklistapi.Register(router, e.svc)
	e.ts = httptest.NewServer(router)
	t.Cleanup(e.ts.Close)

	nco := p.Org(t, auth.NewOrg{Name: "NCO", Kind: auth.OrgCabinetOff})
	npa := p.Org(t, auth.NewOrg{Name: "NPA", Kind: auth.OrgPolice, Police: auth.PoliceNational})
	osaka := p.Org(t, auth.NewOrg{Name: "Osaka Prefectural Police", Kind: auth.OrgPolice, Police: auth.PolicePrefectural})
	op := p.Org(t, auth.NewOrg{Name: "Kanto ISP", Kind: auth.OrgOperator, Sectors: []string{"telecommunications"}})
	sys := p.Org(t, auth.NewOrg{Name: "Sysadmin", Kind: auth.OrgSystemAdmin})
	e.tok = servicetest.SeedUsers(t, p.Ctx, p.Auth, 365*24*time.Hour,
		servicetest.User{Name: "analyst", Org: nco, Role: auth.RoleAnalyst},
		servicetest.User{Name: "officer", Org: npa, Role: auth.RoleOfficer}, servicetest.User{Name: "officer2", Org: osaka, Role: auth.RoleOfficer},
		servicetest.User{Name: "commander", Org: npa, Role: auth.RoleCommander},
		servicetest.User{Name: "operator", Org: op, Role: auth.RoleOperator}, servicetest.User{Name: "admin", Org: sys, Role: auth.RoleAdmin})
	e.c = &servicetest.Client{Ctx: p.Ctx, Server: e.ts, Tokens: e.tok}
	return e
}

func each(t *testing.T, fn func(t *testing.T, e *env)) {
	storetest.Each(t, func(t *testing.T, db *store.DB) { fn(t, newEnv(t, db)) })
}

// as returns the name the client knows user's token by: a raw feed token
// stands for itself.
func (e *env) as(user string) string {
	if strings.HasPrefix(user, blocklist.FeedTokenPrefix) {
		e.tok[user] = user
	}
	return user
}

// do sends a request as user (none when ""; a raw feed token when it
// starts with the feed prefix) with a JSON body unless empty, and extra
// headers as name, value pairs.
func (e *env) do(t *testing.T, method, path, user, body string, hdr ...string) (int, http.Header, []byte) {
	t.Helper()
	return e.c.Do(t, method, path, e.as(user), "", body, hdr...)
}

// call sends a request and expects status want, decoding into out unless
// nil.
func (e *env) call(t *testing.T, method, path, user, body string, want int, out any) []byte {
	t.Helper()
	return e.c.Call(t, method, path, e.as(user), body, want, out)
}

// subscriber registers a subscriber for formats (all when none) and
// returns its feed token and id.
func (e *env) subscriber(t *testing.T, formats ...string) (tok, id string) {
	t.Helper()
	body := `{"name":"Kanto ISP resolvers","contact":"noc@isp.example.jp"}`
	if len(formats) > 0 {
		body = `{"name":"Kanto ISP resolvers","contact":"noc@isp.example.jp","formats":["` + strings.Join(formats, `","`) + `"]}`
	}
	var out blocklistapi.NewSubscriber
	e.call(t, "POST", "/api/v1/blocklist/subscribers", "analyst", body, http.StatusCreated, &out)
	return out.Token, out.Subscriber.ID
}
