package inspection_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/inspection"
	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/servicetest"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// t0 is the fake clock's start.
var t0 = time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)

// env is an inspection service on a test database, with the commission,
// several agencies, an operator, and a principal for each role involved.
type env struct {
	ctx   context.Context
	db    *store.DB
	ring  *keys.Ring
	clock *deadline.FakeClock
	log   *auditlog.Log
	auth  *auth.Service
	dl    *deadline.Service
	n     *deadline.Notifier
	svc   *inspection.Service

	commission, nco, meti, npa, sdf, operator auth.Org
	// Principals: the chair and a member (with a second factor) and a
	// member without one; an analyst (NCO), a ministry user (METI), an
	// officer and a commander (NPA), an SDF officer, an operator, an
	// admin.
	chair, member, memberNoMFA, analyst, ministry, officer, commander, sdfOfficer, op, admin *auth.Principal
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	p := servicetest.New(t, db, t0)
	e := &env{ctx: p.Ctx, db: db, ring: p.Keys, clock: p.Clock, log: p.Log, auth: p.Auth, dl: p.Deadlines, n: p.Notifier}
	var err error
	e.svc, err = inspection.New(p.Ctx, inspection.Deps{DB: db, Log: e.log, Auth: e.auth, Policy: auth.NewPolicy(), Deadlines: e.dl, Notifier: e.n},
		inspection.Config{Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	e.commission = p.Org(t, auth.NewOrg{Name: "Commission", Kind: auth.OrgCommission})
	e.nco = p.Org(t, auth.NewOrg{Name: "NCO", Kind: auth.OrgCabinetOff})
	e.meti = p.Org(t, auth.NewOrg{Name: "METI", Kind: auth.OrgMinistry, Sectors: []string{"electricity"}})
	e.npa = p.Org(t, auth.NewOrg{Name: "NPA", Kind: auth.OrgPolice, Police: auth.PoliceNational})
	e.sdf = p.Org(t, auth.NewOrg{Name: "SDF", Kind: auth.OrgSDF})
	e.operator = p.Org(t, auth.NewOrg{Name: "Kanto Power", Kind: auth.OrgOperator, Sectors: []string{"electricity"}})
	sys := p.Org(t, auth.NewOrg{Name: "Sysadmin", Kind: auth.OrgSystemAdmin})
	pr := servicetest.Principal
	e.chair, e.member = pr("usr_chair", e.commission, auth.RoleCommissionChair), pr("usr_member", e.commission, auth.RoleCommissionMember)
	e.memberNoMFA = pr("usr_member2", e.commission, auth.RoleCommissionMember)
	e.memberNoMFA.MFA = false
	e.analyst, e.ministry = pr("usr_nco", e.nco, auth.RoleAnalyst), pr("usr_meti", e.meti, auth.RoleMinistry)
	e.officer, e.commander = pr("usr_officer", e.npa, auth.RoleOfficer), pr("usr_commander", e.npa, auth.RoleCommander)
	e.sdfOfficer = pr("usr_sdf", e.sdf, auth.RoleOfficer)
	e.op, e.admin = pr("usr_op", e.operator, auth.RoleOperator), pr("usr_admin", sys, auth.RoleAdmin)
	return e
}

func each(t *testing.T, fn func(t *testing.T, e *env)) {
	storetest.Each(t, func(t *testing.T, db *store.DB) { fn(t, newEnv(t, db)) })
}

// inspection opens an inspection of subjects as the chair.
func (e *env) inspection(t *testing.T, subjects ...string) inspection.Inspection {
	t.Helper()
	in, err := e.svc.OpenInspection(e.ctx, e.chair, inspection.NewInspection{Subjects: subjects,
		Scope: "Provisions of selected data under §23 in the first quarter.\nSample of 50 provisions."})
	if err != nil {
		t.Fatalf("open inspection: %v", err)
	}
	return in
}

// recommend issues a recommendation to org, due in due, as the chair.
func (e *env) recommend(t *testing.T, org string, rating inspection.Rating, due time.Duration) inspection.Recommendation {
	t.Helper()
	r, err := e.svc.IssueRecommendation(e.ctx, e.chair, inspection.NewRecommendation{OrgID: org, Text: "Record the legal basis of every provision.",
		Rating: rating, Due: e.clock.Now().Add(due)})
	if err != nil {
		t.Fatalf("issue recommendation: %v", err)
	}
	return r
}

// report reports a handling error as p.
func (e *env) report(t *testing.T, p *auth.Principal, c inspection.Category, sev inspection.Severity) inspection.HandlingError {
	t.Helper()
	h, err := e.svc.ReportHandlingError(e.ctx, p, inspection.NewHandlingError{Category: c, Severity: sev,
		Description: "Selection kept the Subject header of 3 mails.", OccurredAt: e.clock.Now().Add(-2 * time.Hour)})
	if err != nil {
		t.Fatalf("report handling error: %v", err)
	}
	return h
}

// wantErr fails unless err is want (nil for success).
func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("%s: got %v, want success", what, err)
		}
		return
	}
	if !errors.Is(err, want) {
		t.Fatalf("%s: got %v, want %v", what, err, want)
	}
}

// wantField fails unless err is a FieldError on field.
func wantField(t *testing.T, what string, err error, field string) {
	t.Helper()
	var fe *inspection.FieldError
	if !errors.As(err, &fe) || fe.Field != field {
		t.Fatalf("%s: got %v, want an error on field %q", what, err, field)
	}
}

// entries returns the actions of the audit entries on resource, in order.
func (e *env) entries(t *testing.T, resource string) []string {
	t.Helper()
	recs, err := e.log.Entries(e.ctx, 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range recs {
		if r.Resource == resource {
			out = append(out, r.Action)
		}
	}
	return out
}

// inbox returns the subjects of the notices p's organisation received.
func (e *env) inbox(t *testing.T, p *auth.Principal) []string {
	t.Helper()
	ms, err := e.n.Inbox(e.ctx, p.UserID, p.OrgID)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range ms {
		out = append(out, m.Subject)
	}
	return out
}

// hasPrefix reports whether one of ss starts with prefix.
func hasPrefix(ss []string, prefix string) bool {
	for _, s := range ss {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}
