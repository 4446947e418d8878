package oversight_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/manifest"
	"github.com/acd-platform/acd/internal/oversight"
	"github.com/acd-platform/acd/internal/selection/criteria"
	"github.com/acd-platform/acd/internal/servicetest"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// t0 is the fake clock's start.
var t0 = time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)

// env is an oversight service on a test database with the organisations
// and principals of the workflow.
type env struct {
	ctx   context.Context
	db    *store.DB
	clock *deadline.FakeClock
	ring  *keys.Ring
	log   *auditlog.Log
	auth  *auth.Service
	n     *deadline.Notifier
	svc   *oversight.Service

	opA, opB, nco, comm auth.Org
	// Principals: Cabinet Office analysts, the commission's chair and four
	// members, operator users of A and B, an admin, and an account holding
	// both the analyst and a member role.
	analyst, analyst2, chair, m1, m2, m3, m4, opUserA, opUserB, admin, mixed *auth.Principal
}

func newEnv(t *testing.T, db *store.DB, cfg oversight.Config) *env {
	t.Helper()
	p := servicetest.New(t, db, t0)
	e := &env{ctx: p.Ctx, db: db, clock: p.Clock, ring: p.Keys, log: p.Log, auth: p.Auth, n: p.Notifier}
	cfg.Now = e.clock.Now
	var err error
	if e.svc, err = oversight.New(p.Ctx, oversight.Deps{DB: db, Log: e.log, Auth: e.auth, Deadlines: p.Deadlines, Notifier: e.n, Keys: e.ring}, cfg); err != nil {
		t.Fatal(err)
	}
	e.opA = p.Org(t, auth.NewOrg{Name: "Tokyo Telecom", Kind: auth.OrgOperator, Sectors: []string{"telecommunications"}})
	e.opB = p.Org(t, auth.NewOrg{Name: "Osaka Telecom", Kind: auth.OrgOperator, Sectors: []string{"telecommunications"}})
	e.nco = p.Org(t, auth.NewOrg{Name: "NCO", Kind: auth.OrgCabinetOff})
	e.comm = p.Org(t, auth.NewOrg{Name: "Commission", Kind: auth.OrgCommission})
	sys := p.Org(t, auth.NewOrg{Name: "Sysadmin", Kind: auth.OrgSystemAdmin})
	pr := servicetest.Principal
	e.analyst, e.analyst2 = pr("usr_analyst", e.nco, auth.RoleAnalyst), pr("usr_analyst2", e.nco, auth.RoleAnalyst)
	e.chair = pr("usr_chair", e.comm, auth.RoleCommissionChair)
	e.m1, e.m2 = pr("usr_m1", e.comm, auth.RoleCommissionMember), pr("usr_m2", e.comm, auth.RoleCommissionMember)
	e.m3, e.m4 = pr("usr_m3", e.comm, auth.RoleCommissionMember), pr("usr_m4", e.comm, auth.RoleCommissionMember)
	e.opUserA, e.opUserB = pr("usr_opa", e.opA, auth.RoleOperator), pr("usr_opb", e.opB, auth.RoleOperator)
	e.admin = pr("usr_admin", sys, auth.RoleAdmin)
	e.mixed = pr("usr_mixed", e.comm, auth.RoleAnalyst, auth.RoleCommissionMember)
	return e
}

func each(t *testing.T, fn func(t *testing.T, e *env)) {
	storetest.Each(t, func(t *testing.T, db *store.DB) { fn(t, newEnv(t, db, oversight.Config{})) })
}

// critFile is a valid criteria file selecting dirs over [from, until).
func critFile(id string, version int, from, until time.Time, dirs ...string) string {
	return fmt.Sprintf(`{
  "schema": "acd.selection.criteria/v1",
  "id": %q,
  "version": %d,
  "authority": "ACQ-TEST",
  "directions": ["%s"],
  "valid_from": %q,
  "valid_until": %q,
  "rules": [
    {"id": "c2-servers", "addresses": ["203.0.113.0/24", "2001:db8:bad::/48", "198.51.100.7"], "ports": ["tcp/443", "udp/53", "icmp"]},
    {"id": "phish-domains", "domains": {"exact": ["login-example.test"], "suffix": ["evil.example"]}},
    {"id": "webshell", "commands": ["POST /A3fe", "cmd.exe"], "ports": ["tcp/80"]}
  ]
}
`, id, version, strings.Join(dirs, `", "`), from.Format(time.RFC3339), until.Format(time.RFC3339))
}

// period is the default window of test filings: a day after t0 for 90 days.
func period() (time.Time, time.Time) { return t0.Add(24 * time.Hour), t0.Add(91 * 24 * time.Hour) }

// ch6 is a valid chapter 6 request.
func ch6() oversight.AcquisitionInput {
	from, until := period()
	return oversight.AcquisitionInput{
		Chapter:    oversight.ChapterForeign,
		Target:     oversight.Target{Addresses: []string{"203.0.113.0/24", "198.51.100.10-198.51.100.20"}, ASNs: []uint32{64500}},
		Suspicion:  "C2 servers of a campaign against power utilities.",
		OtherMeans: "The servers are abroad and their operators do not cooperate.",
		Directions: []string{"foreign-domestic", "domestic-foreign"},
		Criteria:   critFile("crit-6", 1, from, until, "foreign-domestic", "domestic-foreign"),
	}
}

// ch4 is a valid chapter 4 request.
func ch4() oversight.AcquisitionInput {
	from, until := period()
	return oversight.AcquisitionInput{
		Chapter:    oversight.ChapterTransit,
		Target:     oversight.Target{Facilities: []string{"Pacific cable landing station 2"}},
		Suspicion:  "Botnet C2 traffic transiting Japan.",
		OtherMeans: "Foreign operators decline to help.",
		Directions: []string{"foreign-foreign"},
		Criteria:   critFile("crit-4", 1, from, until, "foreign-foreign"),
	}
}

// agreementInput is a valid draft with operator A.
func (e *env) agreementInput() oversight.AgreementInput {
	from, until := period()
	return oversight.AgreementInput{
		OperatorOrgID: e.opA.ID,
		AgreementTerms: oversight.AgreementTerms{
			Title:         "Tokyo Telecom inbound analysis",
			Facilities:    []string{"Tokyo IX link 3"},
			Directions:    []string{"foreign-domestic"},
			RetentionDays: 365,
			Results:       "Indicators of attacks on the operator's customers.",
		},
		Criteria: critFile("crit-agr", 1, from, until, "foreign-domestic"),
	}
}

// file files in as the analyst.
func (e *env) file(t *testing.T, in oversight.AcquisitionInput) oversight.Acquisition {
	t.Helper()
	a, err := e.svc.FileAcquisition(e.ctx, e.analyst, in)
	if err != nil {
		t.Fatalf("file: %v", err)
	}
	return a
}

// decideBy moves kind on request id as the chair, has the chair and the
// given members vote yes, and closes it.
func (e *env) decideBy(t *testing.T, id string, in oversight.MotionInput, voters ...*auth.Principal) oversight.Motion {
	t.Helper()
	m, err := e.svc.MoveMotion(e.ctx, e.chair, id, in)
	if err != nil {
		t.Fatalf("move: %v", err)
	}
	for _, p := range voters {
		if _, err := e.svc.CastVote(e.ctx, p, m.ID, oversight.VoteInput{Vote: oversight.VoteYes, Reasons: "necessary and proportionate"}); err != nil {
			t.Fatalf("vote as %s: %v", p.UserID, err)
		}
	}
	m, err = e.svc.CloseMotion(e.ctx, e.chair, m.ID)
	if err != nil {
		t.Fatalf("close: %v", err)
	}
	return m
}

// checkManifest runs the engine's check on approval id as a sensor would:
// the manifest and criteria as downloaded, the key set and a fresh
// revocation list.
func (e *env) checkManifest(t *testing.T, id string, now time.Time) error {
	t.Helper()
	raw, _, err := e.svc.Manifest(e.ctx, id)
	if err != nil {
		t.Fatalf("manifest: %v", err)
	}
	crit, _, err := e.svc.ApprovalCriteria(e.ctx, id)
	if err != nil {
		t.Fatalf("criteria: %v", err)
	}
	return e.checkWith(t, raw, crit, now)
}

func (e *env) checkWith(t *testing.T, rawManifest, crit []byte, now time.Time) error {
	t.Helper()
	m, err := manifest.Parse(rawManifest)
	if err != nil {
		t.Fatalf("parse manifest: %v", err)
	}
	set, err := criteria.Parse(crit)
	if err != nil {
		t.Fatalf("parse criteria: %v", err)
	}
	// The sensor fetches a fresh list at now.
	saved := e.clock.Now()
	e.clock.Set(now)
	rawList, err := e.svc.Revocations(e.ctx)
	e.clock.Set(saved)
	if err != nil {
		t.Fatalf("revocations: %v", err)
	}
	list, err := manifest.ParseRevocations(rawList)
	if err != nil {
		t.Fatalf("parse revocations: %v", err)
	}
	return manifest.Check(manifest.Checks{Keys: e.svc.ManifestKeys(), Manifest: m, Revocations: list, Criteria: crit, Set: set, Now: now})
}

// actions returns the audit-log actions appended so far, in order.
func (e *env) actions(t *testing.T) []string {
	t.Helper()
	recs, err := e.log.Entries(e.ctx, 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range recs {
		out = append(out, r.Action)
	}
	return out
}

// wantErr fails t unless err wraps want (nil: no error).
func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	switch {
	case want == nil && err != nil:
		t.Errorf("%s: %v, want no error", what, err)
	case want != nil && !errors.Is(err, want):
		t.Errorf("%s: got %v, want %v", what, err, want)
	}
}

// wantField fails t unless err is a *FieldError on field.
func wantField(t *testing.T, what string, err error, field string) {
	t.Helper()
	var fe *oversight.FieldError
	if !errors.As(err, &fe) {
		t.Errorf("%s: got %v, want a field error on %q", what, err, field)
		return
	}
	if fe.Field != field {
		t.Errorf("%s: field %q (%v), want %q", what, fe.Field, err, field)
	}
}
