// Package sharingtest builds what the tests of package sharing, of its
// API and of its pages share: a sharing service on a test platform with a
// council of organisations and users, a router serving the API over HTTP,
// a publisher that records what it is given, and the TLP/clearance
// visibility table (see [Table]).
//
//	e := sharingtest.New(t, db)
//	a := e.Publish(t, sharingtest.Input("Alert", tlp.Clear, ""), "author", "reviewer")
//	_, err := e.Svc.Shared(e.Ctx, e.P("opn"), a.ID)
package sharingtest

import (
	"context"
	"errors"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/idempotency"
	"github.com/acd-platform/acd/internal/reporting"
	"github.com/acd-platform/acd/internal/servicetest"
	"github.com/acd-platform/acd/internal/sharing"
	"github.com/acd-platform/acd/internal/sharing/sharingapi"
	"github.com/acd-platform/acd/internal/stix"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/tlp"
)

// T0 is the fake clock's start.
var T0 = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

// Call is one call of a Publisher.
type Call struct {
	Collection string
	Objects    []stix.Object
	Marking    tlp.Marking
}

// Publisher records the calls it gets. It is safe for concurrent use.
type Publisher struct {
	mu    sync.Mutex // guards calls
	calls []Call
}

// Publish records the call.
func (p *Publisher) Publish(_ context.Context, tx *store.Tx, collection string, objs []stix.Object, m tlp.Marking) error {
	if tx == nil {
		return errors.New("publish outside a transaction")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, Call{Collection: collection, Objects: objs, Marking: m})
	return nil
}

// Calls returns the calls so far.
func (p *Publisher) Calls() []Call {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Call(nil), p.calls...)
}

// Env is a sharing service on a test database with a council, served
// over HTTP.
//
// Organisations (Orgs): nco (Cabinet Office), npa (police), meti
// (ministry), opr (operator, Kanto Power), opn (operator, Kyushu Power),
// opu (operator, Chuo Railway, never consents), opw (operator, Tokai Gas),
// ven (vendor), ags (an agency), comm (the commission), sys (the system).
// opr, opn, opw and ven consent in New.
//
// Users (by name, account "user-"+name): author, reviewer, analyst3 (nco,
// analyst); police (npa), ags (ags), meti (meti); opr, oprc, oprs, oprx
// (opr); opn, opu, opw (their operators); vendor (ven); comm (commission
// member); admin (sys). Clearances granted in New: author and reviewer
// secret, oprc and oprx confidential, oprs secret.
type Env struct {
	Ctx       context.Context
	Platform  *servicetest.Platform
	Clock     *deadline.FakeClock
	Svc       *sharing.Service
	Reporting *reporting.Service
	Pub       *Publisher
	Router    *api.Router
	Server    *httptest.Server
	Client    *servicetest.Client
	Orgs      map[string]auth.Org
	Users     map[string]auth.User
}

// New builds the env on db, failing t on any error.
func New(t testing.TB, db *store.DB) *Env {
	t.Helper()
	p := servicetest.New(t, db, T0)
	e := &Env{Ctx: p.Ctx, Platform: p, Clock: p.Clock, Pub: &Publisher{}, Orgs: map[string]auth.Org{}, Users: map[string]auth.User{}}
	idem, err := idempotency.New(p.Ctx, db, p.Clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	e.Reporting, err = reporting.New(p.Ctx, reporting.Deps{DB: db, Log: p.Log, Auth: p.Auth, Policy: auth.NewPolicy(), Deadlines: p.Deadlines,
		Notifier: p.Notifier, Keys: idem}, reporting.Config{Now: p.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	e.Svc, err = sharing.New(p.Ctx, sharing.Deps{DB: db, Log: p.Log, Directory: p.Auth, Notifier: p.Notifier, Orders: e.Reporting},
		sharing.Config{BaseURL: "https://acd.example.jp", Now: p.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	e.Svc.SetPublisher(e.Pub)
	e.Router = api.NewRouter(api.RouterConfig{Authenticator: p.Auth, Authorizer: auth.NewPolicy(), MapError: sharingapi.Error})
	sharingapi.Register(e.Router, e.Svc)
	e.Server = httptest.NewServer(e.Router)
	t.Cleanup(e.Server.Close)

	for _, o := range []struct {
		key string
		n   auth.NewOrg
	}{
		{"nco", auth.NewOrg{Name: "National Cybersecurity Office", Kind: auth.OrgCabinetOff}},
		{"npa", auth.NewOrg{Name: "National Police Agency", Kind: auth.OrgPolice, Police: auth.PoliceNational}},
		{"meti", auth.NewOrg{Name: "METI", Kind: auth.OrgMinistry, Sectors: []string{"electricity", "gas"}}},
		{"opr", auth.NewOrg{Name: "Kanto Power", Kind: auth.OrgOperator, Sectors: []string{"electricity"}}},
		{"opn", auth.NewOrg{Name: "Kyushu Power", Kind: auth.OrgOperator, Sectors: []string{"electricity"}}},
		{"opu", auth.NewOrg{Name: "Chuo Railway", Kind: auth.OrgOperator, Sectors: []string{"railways"}}},
		{"opw", auth.NewOrg{Name: "Tokai Gas", Kind: auth.OrgOperator, Sectors: []string{"gas"}}},
		{"ven", auth.NewOrg{Name: "Secure Systems KK", Kind: auth.OrgVendor}},
		{"ags", auth.NewOrg{Name: "Digital Agency", Kind: auth.OrgAgency}},
		{"comm", auth.NewOrg{Name: "Commission", Kind: auth.OrgCommission}},
		{"sys", auth.NewOrg{Name: "Sysadmin", Kind: auth.OrgSystemAdmin}},
	} {
		e.Orgs[o.key] = p.Org(t, o.n)
	}
	users := []servicetest.User{
		{Name: "author", Org: e.Orgs["nco"], Role: auth.RoleAnalyst}, {Name: "reviewer", Org: e.Orgs["nco"], Role: auth.RoleAnalyst},
		{Name: "analyst3", Org: e.Orgs["nco"], Role: auth.RoleAnalyst},
		{Name: "police", Org: e.Orgs["npa"], Role: auth.RoleCouncil}, {Name: "ags", Org: e.Orgs["ags"], Role: auth.RoleCouncil},
		{Name: "meti", Org: e.Orgs["meti"], Role: auth.RoleMinistry},
		{Name: "opr", Org: e.Orgs["opr"], Role: auth.RoleOperator}, {Name: "oprc", Org: e.Orgs["opr"], Role: auth.RoleOperator},
		{Name: "oprs", Org: e.Orgs["opr"], Role: auth.RoleOperator}, {Name: "oprx", Org: e.Orgs["opr"], Role: auth.RoleOperator},
		{Name: "opn", Org: e.Orgs["opn"], Role: auth.RoleOperator}, {Name: "opu", Org: e.Orgs["opu"], Role: auth.RoleOperator},
		{Name: "opw", Org: e.Orgs["opw"], Role: auth.RoleOperator}, {Name: "vendor", Org: e.Orgs["ven"], Role: auth.RoleVendor},
		{Name: "comm", Org: e.Orgs["comm"], Role: auth.RoleCommissionMember}, {Name: "admin", Org: e.Orgs["sys"], Role: auth.RoleAdmin},
	}
	tokens := servicetest.SeedUsers(t, p.Ctx, p.Auth, 365*24*time.Hour, users...)
	for _, u := range users {
		usr, err := p.Auth.UserByUsername(p.Ctx, "user-"+u.Name)
		if err != nil {
			t.Fatal(err)
		}
		e.Users[u.Name] = usr
	}
	e.Client = &servicetest.Client{Ctx: p.Ctx, Server: e.Server, Tokens: tokens}

	terms := sharing.CurrentTerms()
	for _, u := range []string{"opr", "opn", "opw", "vendor"} {
		if _, err := e.Svc.Consent(e.Ctx, e.P(u), sharing.ConsentInput{TermsVersion: terms.Version, TermsSHA256: terms.SHA256, Accept: true}); err != nil {
			t.Fatalf("consent of %s: %v", u, err)
		}
	}
	for _, g := range []struct{ by, to, level string }{
		{"reviewer", "author", "secret"}, {"author", "reviewer", "secret"}, {"author", "oprc", "confidential"},
		{"author", "oprs", "secret"}, {"author", "oprx", "confidential"},
	} {
		if _, err := e.Svc.GrantClearance(e.Ctx, e.P(g.by), e.Users[g.to].ID, g.level, "need to know"); err != nil {
			t.Fatalf("clearance of %s: %v", g.to, err)
		}
	}
	return e
}

// P returns the principal of user name as the router builds it from an
// API token made with a second factor; nil for "" (the public).
func (e *Env) P(name string) *auth.Principal {
	if name == "" || name == "public" {
		return nil
	}
	u, ok := e.Users[name]
	if !ok {
		panic("sharingtest: no user " + name)
	}
	var o auth.Org
	for _, x := range e.Orgs {
		if x.ID == u.OrgID {
			o = x
		}
	}
	return &auth.Principal{UserID: u.ID, Username: u.Username, OrgID: o.ID, OrgKind: o.Kind, Sectors: o.Sectors, Police: o.Police,
		Roles: u.Roles, Via: auth.ViaToken, MFA: true}
}

// Input returns a complete advisory input at level with clearance and no
// recipients, with an indicator of each kind and two techniques.
func Input(title string, level tlp.Level, clearance string) sharing.AdvisoryInput {
	return sharing.AdvisoryInput{
		Title: title, TLP: level, Clearance: clearance,
		Technical: sharing.Technical{
			Summary: "A VPN appliance is exploited to plant a web shell.",
			Indicators: []sharing.Indicator{
				{Type: "ipv4", Value: "203.0.113.7"}, {Type: "domain", Value: "Evil.Example."},
				{Type: "sha256", Value: "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", Description: "dropper"},
				{Type: "stix", Pattern: "[url:value = 'https://evil.example/a']"},
			},
			Techniques: []sharing.Technique{{ID: "t1190", Name: "Exploit Public-Facing Application"}, {ID: "T1059.001"}},
			Hunting:    "Look in the VPN logs for POST requests to /dana-na/ from unknown addresses.",
		},
		Executive: sharing.Executive{
			Background: "A campaign against electricity operators.",
			Purpose:    "Espionage and pre-positioning.",
			Impact:     "Loss of control of the billing system.",
			Actions:    "Patch the VPN appliance and hunt for web shells.",
		},
	}
}

// Publish writes in as author, submits it, and publishes it as reviewer,
// failing t on any error.
func (e *Env) Publish(t testing.TB, in sharing.AdvisoryInput, author, reviewer string) sharing.Advisory {
	t.Helper()
	a, err := e.Svc.CreateAdvisory(e.Ctx, e.P(author), in)
	if err != nil {
		t.Fatalf("create %q: %v", in.Title, err)
	}
	if _, err := e.Svc.SubmitAdvisory(e.Ctx, e.P(author), a.ID); err != nil {
		t.Fatalf("submit %q: %v", in.Title, err)
	}
	a, err = e.Svc.PublishAdvisory(e.Ctx, e.P(reviewer), a.ID)
	if err != nil {
		t.Fatalf("publish %q: %v", in.Title, err)
	}
	return a
}
