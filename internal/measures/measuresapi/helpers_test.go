package measuresapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/measures"
	"github.com/acd-platform/acd/internal/measures/measuresapi"
	"github.com/acd-platform/acd/internal/oversight"
	"github.com/acd-platform/acd/internal/pdf"
	"github.com/acd-platform/acd/internal/servicetest"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// t0 is the fake clock's start.
var t0 = time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)

// recommender is a Recommender that records the organisations it was
// asked to recommend to.
type recommender struct {
	mu   sync.Mutex // guards orgs
	orgs []string
}

func (r *recommender) Recommend(ctx context.Context, p *auth.Principal, orgID, text, rating string, due time.Time) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.orgs = append(r.orgs, orgID)
	return "rec_api_test", nil
}

// env is a real api.Router with the real policy and the measures routes,
// served over HTTP, with an API token for each person of the workflow.
// The NPA officers, the prefectural officer and the SDF officer are
// designated through the API.
type env struct {
	ctx    context.Context
	p      *servicetest.Platform
	clock  *deadline.FakeClock
	svc    *measures.Service
	router *api.Router
	ts     *httptest.Server
	c      *servicetest.Client
	rec    *recommender

	npa, pref, sdf, mod, mofa, cabinet, npsc, comm, nco auth.Org
	// Users by name: cg (NPA Commissioner General), officer and officer2
	// (NPA officers), undes (an NPA officer never designated), prefchief
	// and pref (Osaka prefectural police chief and officer), minister
	// (Minister of Defense), sdf (SDF officer), sdfcmd (an SDF commander
	// who is not the minister), mofa, cabinet, npsc, chair, m1, m2, m3,
	// analyst (Cabinet Office).
	tok map[string]string
	ids map[string]string // user ids by name
}

// newEnv builds the env; printer, if not nil, is the service's PDF
// printer.
func newEnv(t *testing.T, db *store.DB, printer *pdf.Printer) *env {
	t.Helper()
	p := servicetest.New(t, db, t0)
	e := &env{ctx: p.Ctx, p: p, clock: p.Clock, rec: &recommender{}, ids: map[string]string{}}
	var err error
	e.svc, err = measures.New(p.Ctx, measures.Deps{DB: db, Log: p.Log, Orgs: p.Auth, Users: p.Auth, Deadlines: p.Deadlines, Notifier: p.Notifier, Recommender: e.rec},
		measures.Config{Now: e.clock.Now, Printer: printer})
	if err != nil {
		t.Fatal(err)
	}
	router := api.NewRouter(api.RouterConfig{Authenticator: p.Auth, Authorizer: auth.NewPolicy(), MapError: func(err error) *api.Error {
		if e := measuresapi.Error(err); e != nil {
			return e
		}
		if errors.Is(err, auth.ErrNotFound) {
			return api.NotFound(err.Error())
		}
		return nil
	}})
	measuresapi.Register(router, e.svc)
	e.router = router
	e.ts = httptest.NewServer(router)
	t.Cleanup(e.ts.Close)

	e.npa = p.Org(t, auth.NewOrg{Name: "National Police Agency", NameJA: "警察庁", Kind: auth.OrgPolice, Police: auth.PoliceNational})
	e.pref = p.Org(t, auth.NewOrg{Name: "Osaka Prefectural Police", NameJA: "大阪府警察", Kind: auth.OrgPolice, Police: auth.PolicePrefectural})
	e.sdf = p.Org(t, auth.NewOrg{Name: "JSDF Cyber Defense Command", NameJA: "自衛隊サイバー防衛隊", Kind: auth.OrgSDF})
	e.mod = p.Org(t, auth.NewOrg{Name: "Ministry of Defense", Kind: auth.OrgMOD})
	e.mofa = p.Org(t, auth.NewOrg{Name: "Ministry of Foreign Affairs", Kind: auth.OrgMOFA})
	e.cabinet = p.Org(t, auth.NewOrg{Name: "Prime Minister's Office", Kind: auth.OrgCabinet})
	e.npsc = p.Org(t, auth.NewOrg{Name: "National Public Safety Commission", Kind: auth.OrgNPSC})
	e.comm = p.Org(t, auth.NewOrg{Name: "Commission", Kind: auth.OrgCommission})
	e.nco = p.Org(t, auth.NewOrg{Name: "NCO", Kind: auth.OrgCabinetOff})
	users := []servicetest.User{
		{Name: "cg", Org: e.npa, Role: auth.RoleCommander},
		{Name: "officer", Org: e.npa, Role: auth.RoleOfficer}, {Name: "officer2", Org: e.npa, Role: auth.RoleOfficer},
		{Name: "undes", Org: e.npa, Role: auth.RoleOfficer},
		{Name: "prefchief", Org: e.pref, Role: auth.RoleCommander}, {Name: "pref", Org: e.pref, Role: auth.RoleOfficer},
		{Name: "minister", Org: e.mod, Role: auth.RoleCommander},
		{Name: "sdf", Org: e.sdf, Role: auth.RoleOfficer}, {Name: "sdfcmd", Org: e.sdf, Role: auth.RoleCommander},
		{Name: "mofa", Org: e.mofa, Role: auth.RoleMOFA}, {Name: "cabinet", Org: e.cabinet, Role: auth.RoleCabinet},
		{Name: "npsc", Org: e.npsc, Role: auth.RoleNPSC},
		{Name: "chair", Org: e.comm, Role: auth.RoleCommissionChair},
		{Name: "m1", Org: e.comm, Role: auth.RoleCommissionMember}, {Name: "m2", Org: e.comm, Role: auth.RoleCommissionMember},
		{Name: "m3", Org: e.comm, Role: auth.RoleCommissionMember},
		{Name: "analyst", Org: e.nco, Role: auth.RoleAnalyst},
	}
	e.tok = servicetest.SeedUsers(t, p.Ctx, p.Auth, 365*24*time.Hour, users...)
	for _, u := range users {
		usr, err := p.Auth.UserByUsername(p.Ctx, "user-"+u.Name)
		if err != nil {
			t.Fatal(err)
		}
		e.ids[u.Name] = usr.ID
	}
	e.c = &servicetest.Client{Ctx: p.Ctx, Server: e.ts, Tokens: e.tok}
	for _, d := range []struct{ by, who string }{{"cg", "officer"}, {"cg", "officer2"}, {"cg", "pref"}, {"minister", "sdf"}} {
		var des measures.Designation
		e.call(t, "POST", "/api/v1/measures/designations", d.by, js(t, measures.DesignationInput{UserID: e.ids[d.who], Scope: "Cyber harm prevention"}), http.StatusCreated, &des)
		if !des.Active || des.UserID != e.ids[d.who] {
			t.Fatalf("designation of %s: %+v", d.who, des)
		}
	}
	return e
}

func each(t *testing.T, fn func(t *testing.T, e *env)) {
	storetest.Each(t, func(t *testing.T, db *store.DB) { fn(t, newEnv(t, db, nil)) })
}

// req sends a request as user with a JSON body unless empty.
func (e *env) req(t *testing.T, method, path, user, body string) (int, http.Header, []byte) {
	t.Helper()
	return e.c.Do(t, method, path, user, "", body)
}

// call sends a request and expects status want, decoding into out unless
// nil.
func (e *env) call(t *testing.T, method, path, user, body string, want int, out any) []byte {
	t.Helper()
	return e.c.Call(t, method, path, user, body, want, out)
}

// js encodes v as JSON.
func js(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// envelope is the error envelope with the per-language messages.
type envelope struct {
	Error struct {
		Code     string            `json:"code"`
		Field    string            `json:"field"`
		Message  string            `json:"message"`
		Messages map[string]string `json:"messages"`
	} `json:"error"`
}

func errorOf(t *testing.T, b []byte) envelope {
	t.Helper()
	var e envelope
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("decode error %s: %v", b, err)
	}
	return e
}

// caseURL is the URL of case id, followed by the parts given.
func caseURL(id string, rest ...string) string {
	u := "/api/v1/measures/cases/" + id
	for _, r := range rest {
		u += "/" + r
	}
	return u
}

// input is a complete case on path, with one IPv4 target and one domain.
func (e *env) input(path measures.Path) measures.CaseInput {
	in := measures.CaseInput{
		Path:  path,
		Title: "C2 server of a ransomware campaign against hospitals",
		Targets: []measures.Target{
			{Address: "192.0.2.15", HostingProvider: "Example Hosting", AbuseContact: "abuse@example.net", Country: "NL"},
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
	case measures.PathSDFProtection:
		in.JointPoliceOrgID = e.npa.ID
	case measures.PathSDFGuard:
		in.ProtectedFacility = "US forces logistics network, Yokota"
	}
	return in
}

// open opens in as user and returns the case.
func (e *env) open(t *testing.T, user string, in measures.CaseInput) measures.Case {
	t.Helper()
	var c measures.Case
	e.call(t, "POST", "/api/v1/measures/cases", user, js(t, in), http.StatusCreated, &c)
	return c
}

// locate records case id's location as user.
func (e *env) locate(t *testing.T, user, id string, inJapan bool) {
	t.Helper()
	e.call(t, "POST", caseURL(id, "location"), user, js(t, measures.LocationInput{InJapan: inJapan,
		Evidence: measures.LocationEvidence{Geolocation: "GeoIP database of 2026-03", HostingCountry: "Per the RIR record"}}), http.StatusOK, nil)
}

// consult has commander consult MOFA on case id and MOFA answer resp.
func (e *env) consult(t *testing.T, commander, id string, resp measures.ConsultationResponse) {
	t.Helper()
	e.call(t, "POST", caseURL(id, "consultation"), commander, js(t, measuresapi.TextRequest{Text: "Target hosted abroad; we intend to stop the C2 process."}), http.StatusOK, nil)
	e.call(t, "POST", caseURL(id, "consultation", "answer"), "mofa", js(t, measures.ConsultationAnswer{Response: resp, Text: "Noted."}), http.StatusOK, nil)
}

// decide moves in on case id as the chair, has the chair, m1 and m2 vote
// yes, and closes the motion.
func (e *env) decide(t *testing.T, id string, in measures.MotionInput) measures.Motion {
	t.Helper()
	var m measures.Motion
	e.call(t, "POST", caseURL(id, "motions"), "chair", js(t, in), http.StatusCreated, &m)
	for _, u := range []string{"chair", "m1", "m2"} {
		e.call(t, "POST", "/api/v1/measures/motions/"+m.ID+"/votes", u, js(t, measures.VoteInput{Vote: oversight.VoteYes, Reasons: "Necessary and proportionate."}), http.StatusCreated, nil)
	}
	e.call(t, "POST", "/api/v1/measures/motions/"+m.ID+"/close", "chair", "", http.StatusOK, &m)
	return m
}

// approve requests approval of case id as requester (at route, "approval"
// or "approval/by-commander") and has the commission approve it.
func (e *env) approve(t *testing.T, requester, route, id string) {
	t.Helper()
	e.call(t, "POST", caseURL(id, route), requester, `{"statement":"We ask for approval to stop the C2 process."}`, http.StatusOK, nil)
	if m := e.decide(t, id, measures.MotionInput{Kind: oversight.MotionApprove}); m.State != oversight.MotionCarried {
		t.Fatalf("motion %s, want carried", m.State)
	}
}

// commandBody commands scope for a week from now.
func (e *env) commandBody(t *testing.T, scope ...measures.MeasureKind) string {
	return js(t, measures.CommandInput{Scope: scope, Instructions: "Stop the C2 process; report at once.", ValidUntil: e.clock.Now().Add(7 * 24 * time.Hour)})
}

// orderBody orders the administrator of target 0, due in a day.
func (e *env) orderBody(t *testing.T) string {
	return js(t, measures.OrderInput{Addressee: "Example Hosting B.V. <abuse desk>", Contact: "abuse@example.net", HostingProvider: "Example Hosting",
		TargetIndexes: []int{0}, RequiredMeasures: "Stop the process listening on 192.0.2.15:443 and keep its files.", Due: e.clock.Now().Add(24 * time.Hour)})
}

// executionBody records a stop_program measure taken at the instant it is
// recorded (the fake clock stands still; a measure may not start before
// the gates it is recorded under).
func (e *env) executionBody(t *testing.T, kind measures.MeasureKind) string {
	now := e.clock.Now()
	return js(t, measures.ExecutionInput{Kind: kind, StartedAt: now, EndedAt: now,
		Steps: []measures.Step{
			{Kind: measures.StepAccess, At: now, Description: "Logged in with the credentials the operator left."},
			{Kind: measures.StepNeutralise, At: now, Description: "Stopped the C2 process."},
		},
		Result:   measures.ResultSucceeded,
		Evidence: []measures.Evidence{{Name: "session.log", SHA256: "ceafbfd424be2ca4a5f0402cae090dda2fb0526cf521b60b60077c0f622b285a"}}})
}

// ready opens a police case of officer, target in Japan, approved, and
// commanded over stop_program and order_admin.
func (e *env) ready(t *testing.T) measures.Case {
	t.Helper()
	c := e.open(t, "officer", e.input(measures.PathPolice))
	e.locate(t, "officer", c.ID, true)
	e.approve(t, "officer", "approval", c.ID)
	e.call(t, "POST", caseURL(c.ID, "command"), "cg", e.commandBody(t, measures.KindStopProgram, measures.KindOrderAdmin), http.StatusOK, &c)
	return c
}
