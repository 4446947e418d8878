package measures_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/measures"
	"github.com/acd-platform/acd/internal/oversight"
	"github.com/acd-platform/acd/internal/servicetest"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// t0 is the fake clock's start.
var t0 = time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)

// recommender is a Recommender that records its calls.
type recommender struct {
	mu    sync.Mutex // guards calls
	calls []string   // "org rating text"
}

func (r *recommender) Recommend(ctx context.Context, p *auth.Principal, orgID, text, rating string, due time.Time) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, orgID+" "+rating+" "+text)
	return "rec_test", nil
}

// env is a measures service on a test database with the organisations and
// people of the workflow.
type env struct {
	ctx   context.Context
	db    *store.DB
	clock *deadline.FakeClock
	ring  *keys.Ring
	log   *auditlog.Log
	auth  *auth.Service
	dl    *deadline.Service
	n     *deadline.Notifier
	rec   *recommender
	svc   *measures.Service

	npa, pref, pref2, sdf, mod, mofa, cabinet, npsc, comm, nco, opOrg auth.Org
	// Principals, each backed by a stored account: the NPA Commissioner
	// General and two designated NPA officers; a prefectural chief and a
	// designated prefectural officer; another prefecture's designated
	// officer; the Minister of Defense, a designated SDF officer and an
	// SDF commander who is not the minister; MOFA, the cabinet, the NPSC;
	// the commission's chair and three members, and a member who is also
	// an analyst; a Cabinet Office analyst; an NPA officer never
	// designated; an operator.
	cg, officer, officer2, prefChief, prefOfficer, pref2Officer, minister, sdfOfficer, sdfCommander *auth.Principal
	mofaUser, cabinetUser, npscUser, chair, m1, m2, m3, mixed, analyst, undesignated, operator      *auth.Principal
}

func newEnv(t *testing.T, db *store.DB, cfg measures.Config) *env { return build(t, db, cfg, true) }

// newEnvNoRecommender is newEnv without a Recommender.
func newEnvNoRecommender(t *testing.T, db *store.DB) *env {
	return build(t, db, measures.Config{}, false)
}

// sqliteDB is a fresh SQLite database, for tests that need only one back
// end.
func sqliteDB(t *testing.T) *store.DB { return storetest.SQLite(t) }

func build(t *testing.T, db *store.DB, cfg measures.Config, withRecommender bool) *env {
	t.Helper()
	p := servicetest.New(t, db, t0)
	e := &env{ctx: p.Ctx, db: db, clock: p.Clock, ring: p.Keys, log: p.Log, auth: p.Auth, dl: p.Deadlines, n: p.Notifier, rec: &recommender{}}
	cfg.Now = e.clock.Now
	deps := measures.Deps{DB: db, Log: e.log, Orgs: e.auth, Users: e.auth, Deadlines: e.dl, Notifier: e.n}
	if withRecommender {
		deps.Recommender = e.rec
	}
	var err error
	e.svc, err = measures.New(p.Ctx, deps, cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.npa = p.Org(t, auth.NewOrg{Name: "National Police Agency", NameJA: "警察庁", Kind: auth.OrgPolice, Police: auth.PoliceNational})
	e.pref = p.Org(t, auth.NewOrg{Name: "Osaka Prefectural Police", NameJA: "大阪府警察", Kind: auth.OrgPolice, Police: auth.PolicePrefectural})
	e.pref2 = p.Org(t, auth.NewOrg{Name: "Kyoto Prefectural Police", Kind: auth.OrgPolice, Police: auth.PolicePrefectural})
	e.sdf = p.Org(t, auth.NewOrg{Name: "JSDF Cyber Defense Command", NameJA: "自衛隊サイバー防衛隊", Kind: auth.OrgSDF})
	e.mod = p.Org(t, auth.NewOrg{Name: "Ministry of Defense", Kind: auth.OrgMOD})
	e.mofa = p.Org(t, auth.NewOrg{Name: "Ministry of Foreign Affairs", Kind: auth.OrgMOFA})
	e.cabinet = p.Org(t, auth.NewOrg{Name: "Prime Minister's Office", Kind: auth.OrgCabinet})
	e.npsc = p.Org(t, auth.NewOrg{Name: "National Public Safety Commission", Kind: auth.OrgNPSC})
	e.comm = p.Org(t, auth.NewOrg{Name: "Commission", Kind: auth.OrgCommission})
	e.nco = p.Org(t, auth.NewOrg{Name: "NCO", Kind: auth.OrgCabinetOff})
	e.opOrg = p.Org(t, auth.NewOrg{Name: "Kanto Power", Kind: auth.OrgOperator, Sectors: []string{"electricity"}})

	user := func(name string, o auth.Org, roles ...auth.Role) *auth.Principal {
		u, err := e.auth.SeedUser(e.ctx, auth.NewUser{Username: name, DisplayName: "Officer " + name, OrgID: o.ID, Roles: roles, Password: servicetest.Password})
		if err != nil {
			t.Fatalf("seed %s: %v", name, err)
		}
		pr := servicetest.Principal(u.ID, o, roles...)
		pr.Username = name
		return pr
	}
	e.cg = user("cg", e.npa, auth.RoleCommander)
	e.officer, e.officer2 = user("officer", e.npa, auth.RoleOfficer), user("officer2", e.npa, auth.RoleOfficer)
	e.undesignated = user("undesignated", e.npa, auth.RoleOfficer)
	e.prefChief, e.prefOfficer = user("prefchief", e.pref, auth.RoleCommander), user("prefofficer", e.pref, auth.RoleOfficer)
	e.pref2Officer = user("kyoto", e.pref2, auth.RoleOfficer)
	e.minister, e.sdfOfficer = user("minister", e.mod, auth.RoleCommander), user("sdfofficer", e.sdf, auth.RoleOfficer)
	e.sdfCommander = user("sdfcommander", e.sdf, auth.RoleCommander)
	e.mofaUser, e.cabinetUser, e.npscUser = user("mofa", e.mofa, auth.RoleMOFA), user("cabinet", e.cabinet, auth.RoleCabinet), user("npsc", e.npsc, auth.RoleNPSC)
	e.chair = user("chair", e.comm, auth.RoleCommissionChair)
	e.m1, e.m2, e.m3 = user("m1", e.comm, auth.RoleCommissionMember), user("m2", e.comm, auth.RoleCommissionMember), user("m3", e.comm, auth.RoleCommissionMember)
	e.mixed = user("mixed", e.comm, auth.RoleCommissionMember, auth.RoleAnalyst)
	e.analyst = user("analyst", e.nco, auth.RoleAnalyst)
	e.operator = user("operator", e.opOrg, auth.RoleOperator)
	for _, d := range []struct{ by, who *auth.Principal }{
		{e.cg, e.officer}, {e.cg, e.officer2}, {e.cg, e.prefOfficer}, {e.cg, e.pref2Officer}, {e.minister, e.sdfOfficer},
	} {
		if _, err := e.svc.Designate(e.ctx, d.by, measures.DesignationInput{UserID: d.who.UserID, Scope: "Cyber harm prevention"}); err != nil {
			t.Fatalf("designate %s: %v", d.who.Username, err)
		}
	}
	return e
}

func each(t *testing.T, fn func(t *testing.T, e *env)) {
	storetest.Each(t, func(t *testing.T, db *store.DB) { fn(t, newEnv(t, db, measures.Config{})) })
}

// input is a complete case on path, with one IPv4 target and one domain.
func input(path measures.Path) measures.CaseInput {
	in := measures.CaseInput{
		Path:  path,
		Title: "C2 server of a ransomware campaign against hospitals",
		Targets: []measures.Target{
			{Address: "192.0.2.15", HostingProvider: "Example Hosting", AbuseContact: "abuse@example.net", Country: "jp"},
			{Domain: "c2.example.net"},
		},
		ObservedTraffic: "Beacons every 60 s from 40 hospital hosts to 192.0.2.15:443 since 2026-03-30.",
		Harm:            "Encryption of electronic medical records; risk to patients' lives.",
		Urgency:         "The operator stages payloads for tonight.",
		Proposed:        []measures.MeasureKind{measures.KindStopProgram, measures.KindOrderAdmin},
		Checklist: measures.Checklist{
			OnlyMeans:              measures.Condition{Met: true, Text: "The hoster does not answer at night."},
			LeastIntrusive:         measures.Condition{Met: true, Text: "Stopping the C2 process only."},
			ThirdPartyEffect:       "Other tenants of the host are unaffected.",
			InternationalNecessity: measures.Condition{Met: true, Text: "Grave and imminent peril to hospitals."},
		},
	}
	switch path {
	case measures.PathSDFGuard:
		in.ProtectedFacility = "US forces logistics network, Yokota"
	}
	return in
}

// open opens in as p, failing t on error.
func (e *env) open(t *testing.T, p *auth.Principal, in measures.CaseInput) measures.Case {
	t.Helper()
	c, err := e.svc.OpenCase(e.ctx, p, in)
	if err != nil {
		t.Fatalf("open case: %v", err)
	}
	return c
}

// sdfInput is a complete SDF protection case acting jointly with the NPA.
func (e *env) sdfInput() measures.CaseInput {
	in := input(measures.PathSDFProtection)
	in.JointPoliceOrgID = e.npa.ID
	return in
}

// locate records the location of case id as p.
func (e *env) locate(t *testing.T, p *auth.Principal, id string, inJapan bool) {
	t.Helper()
	if _, err := e.svc.RecordLocation(e.ctx, p, id, measures.LocationInput{InJapan: inJapan,
		Evidence: measures.LocationEvidence{Geolocation: "GeoIP database of 2026-03", HostingCountry: "Per the RIR record"}}); err != nil {
		t.Fatalf("record location: %v", err)
	}
}

// consult consults MOFA on case id as commander and has MOFA answer resp.
func (e *env) consult(t *testing.T, commander *auth.Principal, id string, resp measures.ConsultationResponse) {
	t.Helper()
	if _, err := e.svc.RequestConsultation(e.ctx, commander, id, "Target hosted abroad; we intend to stop the C2 process."); err != nil {
		t.Fatalf("request consultation: %v", err)
	}
	if _, err := e.svc.AnswerConsultation(e.ctx, e.mofaUser, id, measures.ConsultationAnswer{Response: resp, Text: "Noted."}); err != nil {
		t.Fatalf("answer consultation: %v", err)
	}
}

// decide moves kind on case id as the chair, has the chair, m1 and m2
// vote yes, and closes it.
func (e *env) decide(t *testing.T, id string, in measures.MotionInput) measures.Motion {
	t.Helper()
	m, err := e.svc.MoveMotion(e.ctx, e.chair, id, in)
	if err != nil {
		t.Fatalf("move motion: %v", err)
	}
	for _, p := range []*auth.Principal{e.chair, e.m1, e.m2} {
		if _, err := e.svc.CastVote(e.ctx, p, m.ID, measures.VoteInput{Vote: oversight.VoteYes, Reasons: "Necessary and proportionate."}); err != nil {
			t.Fatalf("vote as %s: %v", p.Username, err)
		}
	}
	if m, err = e.svc.CloseMotion(e.ctx, e.chair, m.ID); err != nil {
		t.Fatalf("close motion: %v", err)
	}
	return m
}

// approve requests approval of case id as requester and has the
// commission approve it.
func (e *env) approve(t *testing.T, requester *auth.Principal, id string) {
	t.Helper()
	if _, err := e.svc.RequestApproval(e.ctx, requester, id, "We ask for approval to stop the C2 process."); err != nil {
		t.Fatalf("request approval: %v", err)
	}
	if m := e.decide(t, id, measures.MotionInput{Kind: oversight.MotionApprove}); m.State != oversight.MotionCarried {
		t.Fatalf("motion %s, want carried", m.State)
	}
}

// command commands case id as commander for a week over scope.
func (e *env) command(t *testing.T, commander *auth.Principal, id string, scope ...measures.MeasureKind) {
	t.Helper()
	if _, err := e.svc.Command(e.ctx, commander, id, e.commandInput(scope...)); err != nil {
		t.Fatalf("command: %v", err)
	}
}

func (e *env) commandInput(scope ...measures.MeasureKind) measures.CommandInput {
	return measures.CommandInput{Scope: scope, Instructions: "Stop the C2 process; report at once.", ValidUntil: e.clock.Now().Add(7 * 24 * time.Hour)}
}

// ready returns a police case of the NPA officer, target in Japan, approved
// and commanded over stop_program and order_admin.
func (e *env) ready(t *testing.T) measures.Case {
	t.Helper()
	c := e.open(t, e.officer, input(measures.PathPolice))
	e.locate(t, e.officer, c.ID, true)
	e.approve(t, e.officer, c.ID)
	e.command(t, e.cg, c.ID, measures.KindStopProgram, measures.KindOrderAdmin)
	return e.get(t, e.officer, c.ID)
}

// get returns case id as p.
func (e *env) get(t *testing.T, p *auth.Principal, id string) measures.Case {
	t.Helper()
	c, err := e.svc.Case(e.ctx, p, id)
	if err != nil {
		t.Fatalf("read case %s: %v", id, err)
	}
	return c
}

// execution is a valid execution record of kind ending now.
func (e *env) execution(kind measures.MeasureKind) measures.ExecutionInput {
	// Taken at the instant it is recorded: the fake clock stands still, and
	// a measure may not start before the gates it is recorded under.
	now := e.clock.Now()
	return measures.ExecutionInput{Kind: kind, StartedAt: now, EndedAt: now,
		Steps: []measures.Step{
			{Kind: measures.StepAccess, At: now, Description: "Logged in with the attacker's own credentials."},
			{Kind: measures.StepNeutralise, At: now, Description: "Stopped the C2 process."},
		},
		Result:   measures.ResultSucceeded,
		Evidence: []measures.Evidence{{Name: "session.log", SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}}}
}

// orderInput is a valid order for the first target, due in two days.
func (e *env) orderInput() measures.OrderInput {
	return measures.OrderInput{Addressee: "Example Hosting K.K.", Contact: "abuse@example.net", HostingProvider: "Example Hosting",
		TargetIndexes: []int{0}, RequiredMeasures: "Stop the process listening on 443/tcp and preserve its files.", Due: e.clock.Now().Add(48 * time.Hour)}
}

// wantRefusal fails t unless err is a Refusal with code and its status.
func wantRefusal(t *testing.T, what string, err error, code string) {
	t.Helper()
	r, ok := errors.AsType[*measures.Refusal](err)
	if !ok {
		t.Fatalf("%s: got %v, want refusal %s", what, err, code)
	}
	if r.Code != code || r.Status != measures.CodeStatus(code) {
		t.Fatalf("%s: got refusal %s (%d: %s), want %s (%d)", what, r.Code, r.Status, r.Detail, code, measures.CodeStatus(code))
	}
}

// wantErr fails t unless err wraps want (nil: no error).
func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	switch {
	case want == nil && err != nil:
		t.Fatalf("%s: %v, want no error", what, err)
	case want != nil && !errors.Is(err, want):
		t.Fatalf("%s: got %v, want %v", what, err, want)
	}
}

// wantField fails t unless err is a FieldError on field.
func wantField(t *testing.T, what string, err error, field string) {
	t.Helper()
	fe, ok := errors.AsType[*measures.FieldError](err)
	if !ok || fe.Field != field {
		t.Fatalf("%s: got %v, want an error on field %q", what, err, field)
	}
}

// entries returns the actions of the audit entries on resource, in order.
func (e *env) entries(t *testing.T, resource string) []string {
	t.Helper()
	recs, err := e.log.Entries(e.ctx, 0, 100000)
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
