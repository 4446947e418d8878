package blocklist_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/blocklist"
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
	m  map[string]fakeCase
}

type fakeCase struct {
	targets []blocklist.CaseTarget
	state   string
}

func (c *cases) set(id, state string, targets ...blocklist.CaseTarget) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[id] = fakeCase{targets, state}
}

func (c *cases) CaseTargets(ctx context.Context, id string) ([]blocklist.CaseTarget, string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fc, ok := c.m[id]
	if !ok {
		return nil, "", svcerr.NotFoundf("measure case %q", id)
	}
	return fc.targets, fc.state, nil
}

// env is a blocklist service on a test platform, with principals of each
// role involved.
type env struct {
	ctx   context.Context
	db    *store.DB
	p     *servicetest.Platform
	clock *deadline.FakeClock
	svc   *blocklist.Service
	cases *cases

	police, police2, nco auth.Org
	// analyst (NCO), officer and commander (police), officer2 (police2),
	// operator.
	analyst, officer, officer2, commander, operator *auth.Principal
}

func newEnv(t *testing.T, db *store.DB, cfg blocklist.Config) *env {
	t.Helper()
	p := servicetest.New(t, db, t0)
	e := &env{ctx: p.Ctx, db: db, p: p, clock: p.Clock, cases: &cases{m: map[string]fakeCase{}}}
	if cfg.Now == nil {
		cfg.Now = p.Clock.Now
	}
	var err error
	e.svc, err = blocklist.New(p.Ctx, blocklist.Deps{DB: db, Log: p.Log, Auth: p.Auth, Policy: auth.NewPolicy(), Cases: e.cases}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.nco = p.Org(t, auth.NewOrg{Name: "NCO", Kind: auth.OrgCabinetOff})
	e.police = p.Org(t, auth.NewOrg{Name: "NPA", Kind: auth.OrgPolice, Police: auth.PoliceNational})
	e.police2 = p.Org(t, auth.NewOrg{Name: "Osaka Prefectural Police", Kind: auth.OrgPolice, Police: auth.PolicePrefectural})
	op := p.Org(t, auth.NewOrg{Name: "Tokyo Telecom", Kind: auth.OrgOperator, Sectors: []string{"telecommunications"}})
	e.analyst = servicetest.Principal("analyst", e.nco, auth.RoleAnalyst)
	e.officer = servicetest.Principal("officer", e.police, auth.RoleOfficer)
	e.officer2 = servicetest.Principal("officer2", e.police2, auth.RoleOfficer)
	e.commander = servicetest.Principal("commander", e.police, auth.RoleCommander)
	e.operator = servicetest.Principal("operator", op, auth.RoleOperator)
	return e
}

// each runs fn on both back ends with the documentation ranges allowed,
// as the tests and the demo need.
func each(t *testing.T, fn func(t *testing.T, e *env)) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fn(t, newEnv(t, db, blocklist.Config{AllowDocumentation: true}))
	})
}

// add adds a value, failing t on error.
func (e *env) add(t *testing.T, p *auth.Principal, value string) blocklist.Entry {
	t.Helper()
	ent, err := e.svc.Add(e.ctx, p, blocklist.EntryInput{Value: value, Reason: "C2 of campaign X"})
	if err != nil {
		t.Fatalf("add %s: %v", value, err)
	}
	return ent
}

// verify checks the audit log, and every entry and subscriber against the
// latest audit entry about it.
func (e *env) verify(t *testing.T) {
	t.Helper()
	if _, err := e.p.Log.Checkpoint(e.ctx); err != nil {
		t.Fatal(err)
	}
	verifiers, err := e.p.Log.Verifiers()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := auditlog.Verify(e.ctx, auditlog.DBSource(e.db), auditlog.VerifyOptions{
		Verifiers: verifiers, Keys: e.p.Keys, Resolvers: e.p.Log.Resolvers(), Listers: e.p.Log.Listers()}); err != nil {
		t.Fatalf("verify audit log: %v", err)
	}
}

// wantErr fails t unless err wraps sentinel and its message holds part.
func wantErr(t *testing.T, err, sentinel error, part string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %v with %q", sentinel, part)
	}
	if !errors.Is(err, sentinel) {
		t.Errorf("got %v, want it to wrap %v", err, sentinel)
	}
	if !strings.Contains(err.Error(), part) {
		t.Errorf("got %q, want it to hold %q", err, part)
	}
}

// wantField fails t unless err is a FieldError for field.
func wantField(t *testing.T, err error, field string) {
	t.Helper()
	fe, ok := errors.AsType[*svcerr.FieldError](err)
	if !ok {
		t.Fatalf("got %v, want a FieldError for %s", err, field)
	}
	if fe.Field != field {
		t.Errorf("got a FieldError for %q (%v), want %q", fe.Field, err, field)
	}
}
