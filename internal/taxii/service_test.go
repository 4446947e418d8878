package taxii_test

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/servicetest"
	"github.com/acd-platform/acd/internal/stix"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
	"github.com/acd-platform/acd/internal/taxii"
	"github.com/acd-platform/acd/internal/tlp"
)

func TestMain(m *testing.M) { storetest.Main(m) }

var t0 = time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)

// readers is a test council: every principal is resolved by its user id
// from the table, unknown ones as non-members.
type readers map[string]tlp.Reader

func (r readers) Reader(ctx context.Context, p *auth.Principal) (tlp.Reader, error) {
	x, ok := r[p.UserID]
	if !ok {
		return tlp.Reader{UserID: p.UserID, OrgID: p.OrgID}, nil
	}
	return x, nil
}

// fixture is a Service on a test database with two operators' users and
// an analyst, all council members.
type fixture struct {
	p        *servicetest.Platform
	svc      *taxii.Service
	db       *store.DB
	a, b, an *auth.Principal
	nco      auth.Org
}

func newFixture(t testing.TB, db *store.DB) *fixture {
	t.Helper()
	p := servicetest.New(t, db, t0)
	f := &fixture{p: p, db: db}
	f.nco = p.Org(t, auth.NewOrg{Name: "NCO", Kind: auth.OrgCabinetOff})
	opA := p.Org(t, auth.NewOrg{Name: "A", Kind: auth.OrgOperator, Sectors: []string{"electricity"}})
	opB := p.Org(t, auth.NewOrg{Name: "B", Kind: auth.OrgOperator, Sectors: []string{"electricity"}})
	f.a = servicetest.Principal("usr_a", opA, auth.RoleOperator)
	f.b = servicetest.Principal("usr_b", opB, auth.RoleOperator)
	f.an = servicetest.Principal("usr_an", f.nco, auth.RoleAnalyst)
	rs := readers{}
	for _, pr := range []*auth.Principal{f.a, f.b, f.an} {
		rs[pr.UserID] = tlp.Reader{UserID: pr.UserID, OrgID: pr.OrgID, Council: true}
	}
	var err error
	f.svc, err = taxii.New(p.Ctx, taxii.Deps{DB: db, Log: p.Log, Keys: p.Keys, Readers: taxii.ReadersFunc(rs.Reader), Orgs: p.Auth}, taxii.Config{Now: p.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func indicator(t testing.TB, ip string) *stix.Indicator {
	t.Helper()
	return &stix.Indicator{
		Common:  stix.Common{Type: "indicator", SpecVersion: stix.SpecVersion, ID: stix.NewID("indicator"), Created: stix.TS(t0), Modified: stix.TS(t0)},
		Pattern: stix.EqualityPattern("ipv4-addr:value", ip), PatternType: "stix", ValidFrom: stix.TS(t0),
	}
}

func (f *fixture) publish(collection string, m tlp.Marking, objs ...stix.Object) error {
	return f.db.Tx(f.p.Ctx, func(tx *store.Tx) error { return f.svc.Publish(f.p.Ctx, tx, collection, objs, m) })
}

func (f *fixture) ids(t *testing.T, p *auth.Principal, collection string) []string {
	t.Helper()
	pg, err := f.svc.Objects(f.p.Ctx, p, collection, taxii.Query{})
	if err != nil {
		t.Fatalf("objects of %s: %v", collection, err)
	}
	var out []string
	for _, e := range pg.Entries {
		out = append(out, e.ID)
	}
	return out
}

// TestPublish: what the sharing service may publish where, the
// organisation collections made on demand, a publication widened by a
// second one, and one that the caller's transaction rolls back.
func TestPublish(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		amberA := tlp.Marking{Level: tlp.Amber, RecipientOrgs: []string{f.a.OrgID}}
		bad := indicator(t, "198.51.100.9")
		bad.Pattern = "[ipv4-addr:value = ]"
		for _, tc := range []struct {
			coll string
			m    tlp.Marking
			objs []stix.Object
			want string
		}{
			{"private", tlp.Marking{Level: tlp.Clear}, nil, `collection "private": want public, council-green, council-amber or org-<organisation id>`},
			{"org-", amberA, nil, `collection "org-"`},
			{"org-a b", amberA, nil, `collection "org-a b"`},
			{taxii.Public, tlp.Marking{Level: tlp.Green}, nil, "the public collection holds TLP:CLEAR objects only, not TLP:GREEN"},
			{taxii.CouncilAmber, tlp.Marking{Level: tlp.Amber}, nil, "recipient_orgs: TLP:AMBER needs at least one recipient organisation"},
			{taxii.CouncilAmber, tlp.Marking{Level: tlp.Green, Clearance: "cosmic"}, nil, `clearance "cosmic"`},
			{taxii.CouncilAmber, tlp.Marking{Level: tlp.Amber, RecipientOrgs: []string{"a,b"}}, nil, `recipient "a,b"`},
			{taxii.CouncilGreen, tlp.Marking{Level: tlp.Green}, []stix.Object{bad}, "objects[0]"},
		} {
			err := f.publish(tc.coll, tc.m, tc.objs...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Publish(%q, %+v) = %v, want an error saying %q", tc.coll, tc.m, err, tc.want)
			}
		}
		// An organisation's collection is made by its first publication.
		orgA := taxii.OrgCollection(f.a.OrgID)
		if _, err := f.svc.Collection(f.p.Ctx, f.an, orgA); !errors.Is(err, taxii.ErrNotFound) {
			t.Errorf("org collection before publication: %v, want ErrNotFound", err)
		}
		i1 := indicator(t, "198.51.100.1")
		if err := f.publish(orgA, amberA, i1); err != nil {
			t.Fatal(err)
		}
		c, err := f.svc.Collection(f.p.Ctx, f.an, orgA)
		if err != nil || c.ID != taxii.CollectionID(orgA) || !c.CanRead || !c.CanWrite {
			t.Errorf("org collection after publication: %+v, %v", c, err)
		}
		if got := f.ids(t, f.an, orgA); len(got) != 0 {
			t.Errorf("analyst reads %v of an AMBER item for A alone", got)
		}
		// Published again with the Cabinet Office added (a forward): the
		// analyst reads it, still once.
		if err := f.publish(orgA, tlp.Marking{Level: tlp.Amber, RecipientOrgs: []string{f.a.OrgID, f.nco.ID}}, i1); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{i1.ID}, f.ids(t, f.an, orgA)); diff != "" {
			t.Errorf("after widening (-want +got):\n%s", diff)
		}
		// The caller's transaction decides: rolled back, nothing stays.
		i2 := indicator(t, "198.51.100.2")
		err = db.Tx(f.p.Ctx, func(tx *store.Tx) error {
			if err := f.svc.Publish(f.p.Ctx, tx, taxii.OrgCollection(f.b.OrgID), []stix.Object{i2}, tlp.Marking{Level: tlp.Green}); err != nil {
				return err
			}
			return errors.New("the advisory failed to publish")
		})
		if err == nil {
			t.Fatal("rolled back transaction committed")
		}
		if _, err := f.svc.Collection(f.p.Ctx, f.an, taxii.OrgCollection(f.b.OrgID)); !errors.Is(err, taxii.ErrNotFound) {
			t.Errorf("collection of a rolled back publication: %v, want ErrNotFound", err)
		}
		// Each publication is one audit entry.
		recs, err := f.p.Log.Entries(f.p.Ctx, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, r := range recs {
			if r.Action == "taxii.publish" && r.Resource == "taxii_collection/"+orgA {
				n++
			}
		}
		if n != 2 {
			t.Errorf("%d taxii.publish entries for %s, want 2", n, orgA)
		}
	})
}

// TestAddAndVerify: an add's audit entry matches its stored status, so the
// audit log's verifier passes with the package's resolvers.
func TestAddAndVerify(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		raw, _ := json.Marshal(indicator(t, "198.51.100.1"))
		st, err := f.svc.Add(f.p.Ctx, f.a, taxii.CouncilGreen, []json.RawMessage{raw, []byte(`{}`)})
		if err != nil {
			t.Fatal(err)
		}
		if st.SuccessCount != 1 || st.FailureCount != 1 {
			t.Errorf("status %+v", st)
		}
		if _, err := f.svc.Add(f.p.Ctx, nil, taxii.CouncilGreen, []json.RawMessage{raw}); !errors.Is(err, taxii.ErrForbidden) {
			t.Errorf("Add by the public: %v, want ErrForbidden", err)
		}
		if _, err := f.p.Log.Checkpoint(f.p.Ctx); err != nil {
			t.Fatal(err)
		}
		v, err := f.p.Log.Verifiers()
		if err != nil {
			t.Fatal(err)
		}
		rep, err := auditlog.Verify(f.p.Ctx, auditlog.DBSource(db), auditlog.VerifyOptions{Verifiers: v, Keys: f.p.Keys,
			Resolvers: f.p.Log.Resolvers(), Listers: f.p.Log.Listers()})
		if err != nil {
			t.Fatalf("verify: %v", err)
		}
		if rep.RecordsChecked == 0 {
			t.Errorf("verify checked no records: %+v", rep)
		}
	})
}

// TestScanLimit: a page that examines MaxScan rows without filling ends
// early, says there may be more, and its next token continues after what
// it examined; invisible objects are never counted.
func TestScanLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		p := servicetest.New(t, db, t0)
		nco := p.Org(t, auth.NewOrg{Name: "NCO", Kind: auth.OrgCabinetOff})
		b := servicetest.Principal("usr_b", nco, auth.RoleAnalyst)
		rs := readers{"usr_b": {UserID: "usr_b", OrgID: "org_b", Council: true}}
		svc, err := taxii.New(p.Ctx, taxii.Deps{DB: db, Log: p.Log, Keys: p.Keys, Readers: rs, Orgs: p.Auth},
			taxii.Config{Now: p.Clock.Now, MaxLimit: 5, MaxScan: 12})
		if err != nil {
			t.Fatal(err)
		}
		// 20 GREEN items that need a clearance b lacks (the SQL
		// pre-filter lets them through; the decision does not), then 2
		// GREEN ones.
		var objs []stix.Object
		for i := range 20 {
			objs = append(objs, indicator(t, "198.51.100."+strconv.Itoa(i+1)))
		}
		g1, g2 := indicator(t, "192.0.2.1"), indicator(t, "192.0.2.2")
		if err := db.Tx(p.Ctx, func(tx *store.Tx) error {
			if err := svc.Publish(p.Ctx, tx, taxii.CouncilAmber, objs, tlp.Marking{Level: tlp.Green, Clearance: "secret"}); err != nil {
				return err
			}
			return svc.Publish(p.Ctx, tx, taxii.CouncilAmber, []stix.Object{g1, g2}, tlp.Marking{Level: tlp.Green})
		}); err != nil {
			t.Fatal(err)
		}
		pg, err := svc.Objects(p.Ctx, b, taxii.CouncilAmber, taxii.Query{})
		if err != nil || len(pg.Entries) != 0 || !pg.More || pg.Next == "" {
			t.Fatalf("first page: %d entries, more %v, next %q, %v; want none, more, a next token", len(pg.Entries), pg.More, pg.Next, err)
		}
		pg, err = svc.Objects(p.Ctx, b, taxii.CouncilAmber, taxii.Query{Next: pg.Next})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range pg.Entries {
			got = append(got, e.ID)
		}
		if diff := cmp.Diff([]string{g1.ID, g2.ID}, got); diff != "" || pg.More {
			t.Errorf("second page (-want +got):\n%s (more %v)", diff, pg.More)
		}
	})
}

// TestGrants: an object published to several audiences reaches each, and
// only them; a member who posts the same id and version again gains
// nothing by it.
func TestGrants(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		shared := indicator(t, "198.51.100.1") // stands for the Cabinet Office's identity, say
		if err := f.publish(taxii.CouncilAmber, tlp.Marking{Level: tlp.Amber, RecipientOrgs: []string{f.a.OrgID}}, shared); err != nil {
			t.Fatal(err)
		}
		if err := f.publish(taxii.CouncilAmber, tlp.Marking{Level: tlp.Red, RecipientUsers: []string{f.b.UserID}}, shared); err != nil {
			t.Fatal(err)
		}
		if err := f.publish(taxii.CouncilAmber, tlp.Marking{Level: tlp.Red, RecipientUsers: []string{f.b.UserID}}, shared); err != nil {
			t.Fatal(err) // the same audience again: nothing changes
		}
		for _, tc := range []struct {
			p     *auth.Principal
			level tlp.Level // "" for not visible
		}{{f.a, tlp.Amber}, {f.b, tlp.Red}, {f.an, ""}} {
			pg, err := f.svc.Objects(f.p.Ctx, tc.p, taxii.CouncilAmber, taxii.Query{})
			if err != nil {
				t.Fatal(err)
			}
			var got tlp.Level
			if len(pg.Entries) == 1 {
				got = pg.Entries[0].Level
			}
			if len(pg.Entries) > 1 || got != tc.level {
				t.Errorf("%s: %d entries, level %q; want level %q", tc.p.UserID, len(pg.Entries), got, tc.level)
			}
		}
		// a posts an AMBER object (for A and the Cabinet Office); b posts
		// one with the same id and version marked GREEN: b's copy is a
		// duplicate, and a's object stays out of b's reach.
		secret := indicator(t, "198.51.100.2")
		secret.ObjectMarkingRefs = []string{stix.TLPAmber}
		raw, _ := json.Marshal(secret)
		if st, err := f.svc.Add(f.p.Ctx, f.a, taxii.CouncilGreen, []json.RawMessage{raw}); err != nil || st.SuccessCount != 1 {
			t.Fatalf("a's post: %+v, %v", st, err)
		}
		decoy := *secret
		decoy.ObjectMarkingRefs = []string{stix.TLPGreen}
		decoy.Description = "decoy"
		raw, _ = json.Marshal(&decoy)
		if st, err := f.svc.Add(f.p.Ctx, f.b, taxii.CouncilGreen, []json.RawMessage{raw}); err != nil || st.SuccessCount != 1 {
			t.Fatalf("b's post: %+v, %v", st, err)
		}
		if got := f.ids(t, f.b, taxii.CouncilGreen); len(got) != 0 {
			t.Errorf("b reads %v after posting a duplicate", got)
		}
		pg, err := f.svc.Objects(f.p.Ctx, f.an, taxii.CouncilGreen, taxii.Query{})
		if err != nil || len(pg.Entries) != 1 || strings.Contains(string(pg.Entries[0].Data), "decoy") {
			t.Errorf("the analyst reads %+v, %v; want a's object as a posted it", pg, err)
		}
	})
}
