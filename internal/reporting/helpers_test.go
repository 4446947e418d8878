package reporting_test

import (
	"context"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/idempotency"
	"github.com/acd-platform/acd/internal/reporting"
	"github.com/acd-platform/acd/internal/servicetest"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// t0 is the fake clock's start.
var t0 = time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)

// env is a reporting service on a test database, with organisations of
// every kind that matters and a principal for each.
type env struct {
	ctx   context.Context
	db    *store.DB
	clock *deadline.FakeClock
	log   *auditlog.Log
	auth  *auth.Service
	dl    *deadline.Service
	n     *deadline.Notifier
	svc   *reporting.Service

	opA, opB, opRail, undesignated auth.Org
	// Principals: operators A and B (electricity), a railway operator, an
	// operator never designated, METI (electricity …), MLIT (railways …),
	// a Cabinet Office analyst, an admin.
	pA, pA2, pB, pRail, pUndes, meti, mlit, analyst, admin *auth.Principal
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	p := servicetest.New(t, db, t0)
	ctx := p.Ctx
	e := &env{ctx: ctx, db: db, clock: p.Clock, log: p.Log, auth: p.Auth, dl: p.Deadlines, n: p.Notifier}
	keys, err := idempotency.New(ctx, db, e.clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	pol := auth.NewPolicy()
	e.svc, err = reporting.New(ctx, reporting.Deps{DB: db, Log: e.log, Auth: e.auth, Policy: pol, Deadlines: e.dl, Notifier: e.n, Keys: keys},
		reporting.Config{Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	e.opA = p.Org(t, auth.NewOrg{Name: "Kanto Power", Kind: auth.OrgOperator, Sectors: []string{"electricity"}})
	e.opB = p.Org(t, auth.NewOrg{Name: "Kyushu Power", Kind: auth.OrgOperator, Sectors: []string{"electricity"}})
	e.opRail = p.Org(t, auth.NewOrg{Name: "Chuo Railway", Kind: auth.OrgOperator, Sectors: []string{"railways"}})
	e.undesignated = p.Org(t, auth.NewOrg{Name: "Small Gas", Kind: auth.OrgOperator, Sectors: []string{"gas"}})
	meti := p.Org(t, auth.NewOrg{Name: "METI", Kind: auth.OrgMinistry, Sectors: []string{"electricity", "gas", "oil", "credit_cards"}})
	mlit := p.Org(t, auth.NewOrg{Name: "MLIT", Kind: auth.OrgMinistry, Sectors: []string{"water_supply", "railways"}})
	nco := p.Org(t, auth.NewOrg{Name: "NCO", Kind: auth.OrgCabinetOff})
	sys := p.Org(t, auth.NewOrg{Name: "Sysadmin", Kind: auth.OrgSystemAdmin})
	pr := servicetest.Principal
	e.pA, e.pA2, e.pB = pr("usr_a", e.opA, auth.RoleOperator), pr("usr_a2", e.opA, auth.RoleOperator), pr("usr_b", e.opB, auth.RoleOperator)
	e.pRail, e.pUndes = pr("usr_rail", e.opRail, auth.RoleOperator), pr("usr_undes", e.undesignated, auth.RoleOperator)
	e.meti, e.mlit = pr("usr_meti", meti, auth.RoleMinistry), pr("usr_mlit", mlit, auth.RoleMinistry)
	e.analyst, e.admin = pr("usr_nco", nco, auth.RoleAnalyst), pr("usr_admin", sys, auth.RoleAdmin)
	for _, o := range []auth.Org{e.opA, e.opB, e.opRail} {
		if _, err := e.svc.Designate(ctx, e.analyst, o.ID, true, "designated for the test"); err != nil {
			t.Fatalf("designate %s: %v", o.Name, err)
		}
	}
	return e
}

// quick returns a valid quick report's content, aware an hour before now.
func (e *env) quick() reporting.Content {
	return reporting.Content{
		Kind:    reporting.KindIncident,
		Summary: "Ransomware encrypted the historian server.",
		AwareAt: e.clock.Now().Add(-time.Hour),
		Status:  reporting.StatusOngoing,
		Contact: reporting.Contact{Name: "SOC desk", Email: "soc@example.jp"},
	}
}

// full returns c completed for a full report.
func full(c reporting.Content) reporting.Content {
	c.Impact = reporting.Impact{Level: reporting.ImpactModerate, Description: "Dispatch planning degraded for 6 hours."}
	c.MeasuresTaken = "Isolated the server; restored from backup."
	c.Techniques = []string{"T1486", "t1190"}
	c.Indicators = []reporting.Indicator{{Type: reporting.IndicatorIPv4, Value: "203.0.113.7"}, {Type: reporting.IndicatorSHA256, Value: "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"}}
	return c
}

// submit files sub as p and returns the receipt.
func (e *env) submit(t *testing.T, p *auth.Principal, id string, stage reporting.Stage, c reporting.Content) (reporting.Receipt, error) {
	t.Helper()
	out, err := e.svc.Submit(e.ctx, p, id, reporting.Submission{Stage: stage, Content: c}, reporting.ViaAPI, reporting.Idem{})
	if err != nil {
		return reporting.Receipt{}, err
	}
	return decodeReceipt(t, out.Body), nil
}

func each(t *testing.T, fn func(t *testing.T, e *env)) {
	storetest.Each(t, func(t *testing.T, db *store.DB) { fn(t, newEnv(t, db)) })
}
