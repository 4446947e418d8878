package taxiiapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/servicetest"
	"github.com/acd-platform/acd/internal/stix"
	"github.com/acd-platform/acd/internal/stix/stixtest"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
	"github.com/acd-platform/acd/internal/taxii"
	"github.com/acd-platform/acd/internal/taxii/taxiiapi"
	"github.com/acd-platform/acd/internal/tlp"
)

func TestMain(m *testing.M) { storetest.Main(m) }

var t0 = time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)

// oasisDir holds the OASIS STIX 2.1 schemas that package taxii embeds:
// served objects are checked against them by package stixtest, a
// validator of its own, independent of the server's.
const oasisDir = "../schemas"

// member is how the fake council resolves one test user.
type member struct {
	council   bool
	clearance string
}

// fakeReaders stands in for the sharing service's council: a table of
// users (by user name) and whether their organisation is a member, with
// their clearance.
type fakeReaders struct {
	mu    sync.Mutex // guards table
	table map[string]member
}

func (f *fakeReaders) Reader(ctx context.Context, p *auth.Principal) (tlp.Reader, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m := f.table[p.Username]
	return tlp.Reader{UserID: p.UserID, OrgID: p.OrgID, Council: m.council, Clearance: m.clearance}, nil
}

func (f *fakeReaders) set(user string, m member) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.table[user] = m
}

// env is the TAXII server on a test database behind a real api.Router
// served over HTTP, with users of these organisations:
//
//	nco     Cabinet Office, council   analyst (analyst role)
//	opA     operator, council         a (no clearance), a2 (confidential), a3 (secret)
//	opB     operator, council         b
//	opC     operator, not a member    c
//	vendor  vendor, not a member      v
type env struct {
	p       *servicetest.Platform
	svc     *taxii.Service
	ts      *httptest.Server
	c       *servicetest.Client
	readers *fakeReaders
	schemas *stixtest.Schemas
	db      *store.DB

	nco, opA, opB, opC auth.Org
	uid                map[string]string // user ids by name
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	p := servicetest.New(t, db, t0)
	e := &env{p: p, db: db, readers: &fakeReaders{table: map[string]member{}}, uid: map[string]string{}}
	e.schemas = stixtest.Open(t, oasisDir)
	e.nco = p.Org(t, auth.NewOrg{Name: "NCO", Kind: auth.OrgCabinetOff})
	e.opA = p.Org(t, auth.NewOrg{Name: "Kanto Power", Kind: auth.OrgOperator, Sectors: []string{"electricity"}})
	e.opB = p.Org(t, auth.NewOrg{Name: "Kyushu Power", Kind: auth.OrgOperator, Sectors: []string{"electricity"}})
	e.opC = p.Org(t, auth.NewOrg{Name: "Small Gas", Kind: auth.OrgOperator, Sectors: []string{"gas"}})
	ven := p.Org(t, auth.NewOrg{Name: "Vendor", Kind: auth.OrgVendor})
	users := []servicetest.User{
		{Name: "analyst", Org: e.nco, Role: auth.RoleAnalyst},
		{Name: "a", Org: e.opA, Role: auth.RoleOperator}, {Name: "a2", Org: e.opA, Role: auth.RoleOperator}, {Name: "a3", Org: e.opA, Role: auth.RoleOperator},
		{Name: "b", Org: e.opB, Role: auth.RoleOperator},
		{Name: "c", Org: e.opC, Role: auth.RoleOperator},
		{Name: "v", Org: ven, Role: auth.RoleVendor},
	}
	tok := servicetest.SeedUsers(t, p.Ctx, p.Auth, 90*24*time.Hour, users...)
	for _, u := range users {
		usr, err := p.Auth.UserByUsername(p.Ctx, "user-"+u.Name)
		if err != nil {
			t.Fatal(err)
		}
		e.uid[u.Name] = usr.ID
	}
	for name, m := range map[string]member{
		"analyst": {council: true}, "a": {council: true}, "a2": {council: true, clearance: "confidential"},
		"a3": {council: true, clearance: "secret"}, "b": {council: true}, "c": {}, "v": {},
	} {
		e.readers.set("user-"+name, m)
	}
	var err error
	e.svc, err = taxii.New(p.Ctx, taxii.Deps{DB: db, Log: p.Log, Keys: p.Keys, Readers: e.readers, Orgs: p.Auth},
		taxii.Config{Now: p.Clock.Now, DefaultLimit: 100, MaxLimit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	r := api.NewRouter(api.RouterConfig{Authenticator: p.Auth, Authorizer: auth.NewPolicy()})
	taxiiapi.Register(r, e.svc, taxiiapi.Config{})
	e.ts = httptest.NewServer(api.Chain(r, api.AssignRequestID))
	t.Cleanup(e.ts.Close)
	e.c = &servicetest.Client{Ctx: p.Ctx, Server: e.ts, Tokens: tok}
	return e
}

func each(t *testing.T, fn func(t *testing.T, e *env)) {
	storetest.Each(t, func(t *testing.T, db *store.DB) { fn(t, newEnv(t, db)) })
}

// get sends a GET as user ("" for the public) with the TAXII Accept header
// and returns status, headers and body.
func (e *env) get(t *testing.T, path, user string, hdr ...string) (int, http.Header, []byte) {
	t.Helper()
	return e.c.Do(t, "GET", path, user, "", "", append([]string{"Accept", taxiiapi.MediaTypeTAXII}, hdr...)...)
}

// getOK sends a GET, fails t unless it is 200, decodes the body into out
// and checks every object served against the OASIS schemas.
func (e *env) getOK(t *testing.T, path, user string, out any) http.Header {
	t.Helper()
	status, h, b := e.get(t, path, user)
	if status != http.StatusOK {
		t.Fatalf("GET %s as %q: status %d, want 200; body %s", path, user, status, b)
	}
	if ct := h.Get("Content-Type"); ct != taxiiapi.MediaTypeTAXII {
		t.Errorf("GET %s: Content-Type %q, want %q", path, ct, taxiiapi.MediaTypeTAXII)
	}
	e.checkServed(t, b)
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("GET %s: decode %s: %v", path, b, err)
		}
	}
	return h
}

// checkServed checks that every object in an envelope passes the OASIS
// schemas and package stix.
func (e *env) checkServed(t *testing.T, body []byte) {
	t.Helper()
	var env struct {
		Objects []json.RawMessage `json:"objects"`
	}
	if json.Unmarshal(body, &env) != nil {
		return
	}
	for _, o := range env.Objects {
		var head struct {
			Type string `json:"type"`
		}
		if json.Unmarshal(o, &head) != nil || head.Type == "" {
			continue // a manifest record, not an object
		}
		if err := e.schemas.Object(o); err != nil {
			t.Errorf("served object fails the OASIS schema: %v\n%s", err, o)
		}
		if _, err := stix.ParseObject(o); err != nil {
			t.Errorf("served object fails package stix: %v\n%s", err, o)
		}
	}
}

// post sends body with content type ct as user.
func (e *env) post(t *testing.T, path, user, ct, body string) (int, []byte) {
	t.Helper()
	status, _, b := e.c.Do(t, "POST", path, user, ct, body, "Accept", taxiiapi.MediaTypeTAXII)
	return status, b
}

// publish stores objs in collection with marking m as the sharing service
// would, in a transaction of its own.
func (e *env) publish(t *testing.T, collection string, m tlp.Marking, objs ...stix.Object) {
	t.Helper()
	err := e.db.Tx(e.p.Ctx, func(tx *store.Tx) error { return e.svc.Publish(e.p.Ctx, tx, collection, objs, m) })
	if err != nil {
		t.Fatalf("publish to %s: %v", collection, err)
	}
}

// envelope is a decoded objects envelope.
type envelope struct {
	More    bool              `json:"more"`
	Next    string            `json:"next"`
	Objects []json.RawMessage `json:"objects"`
}

// ids returns the ids of the objects of an envelope, in order.
func (v envelope) ids() []string {
	var out []string
	for _, o := range v.Objects {
		var h struct {
			ID string `json:"id"`
		}
		json.Unmarshal(o, &h)
		out = append(out, h.ID)
	}
	return out
}

// taxiiError is a TAXII error message.
type taxiiError struct {
	Title       string            `json:"title"`
	Description string            `json:"description"`
	ErrorCode   string            `json:"error_code"`
	HTTPStatus  string            `json:"http_status"`
	Details     map[string]string `json:"details"`
}

func decodeError(t *testing.T, b []byte) taxiiError {
	t.Helper()
	var te taxiiError
	if err := json.Unmarshal(b, &te); err != nil || te.Title == "" {
		t.Fatalf("not a TAXII error message: %s (%v)", b, err)
	}
	return te
}

// indicator returns an indicator of ip, created and modified at at, with
// the given TLP marking reference (none when "").
func indicator(ip string, at time.Time, markingRef string) *stix.Indicator {
	ind := &stix.Indicator{
		Common: stix.Common{Type: "indicator", SpecVersion: stix.SpecVersion, ID: stix.NewID("indicator"), Created: stix.TS(at), Modified: stix.TS(at),
			CreatedByRef: "identity--2d15ba79-49c7-4922-a31b-d3bd2649caee"},
		Pattern: stix.EqualityPattern("ipv4-addr:value", ip), PatternType: "stix", ValidFrom: stix.TS(at), IndicatorTypes: []string{"malicious-activity"},
		Name: "C2 " + ip,
	}
	if markingRef != "" {
		ind.ObjectMarkingRefs = []string{markingRef}
	}
	return ind
}

// newVersion returns a copy of ind modified at at.
func newVersion(ind *stix.Indicator, at time.Time) *stix.Indicator {
	c := *ind
	c.Modified = stix.TS(at)
	c.Description = "revised " + at.Format(time.RFC3339)
	return &c
}

// objectsPath is the objects URL of a collection.
func objectsPath(coll string) string {
	return taxiiapi.PathAPIRoot + "collections/" + coll + "/objects/"
}

func collPath(coll string) string { return taxiiapi.PathAPIRoot + "collections/" + coll + "/" }

// envelopeOf returns a TAXII envelope of the objects.
func envelopeOf(t *testing.T, objs ...any) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{"objects": objs})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// tlpRef returns the TLP 2.0 marking-definition id of a level.
func tlpRef(level string) string {
	m, ok := stix.TLPMarking(level)
	if !ok {
		panic(fmt.Sprintf("no TLP level %q", level))
	}
	return m.ID
}

// mustJSON encodes v.
func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
