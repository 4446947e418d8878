package annualreport_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	ar "github.com/acd-platform/acd/internal/annualreport"
	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// svcEnv is a Service over sample figures on a test database, with a fake
// clock in 2027 and principals of the commission and an analyst.
type svcEnv struct {
	ctx                    context.Context
	db                     *store.DB
	ring                   *keys.Ring
	log                    *auditlog.Log
	clock                  *deadline.FakeClock
	svc                    *ar.Service
	calls                  int // of the source
	chair, member, analyst *auth.Principal
	sourceErr              error
}

func newSvcEnv(t *testing.T, db *store.DB) *svcEnv {
	t.Helper()
	e := &svcEnv{ctx: context.Background(), db: db, clock: deadline.NewFakeClock(time.Date(2027, 1, 10, 0, 0, 0, 0, time.UTC))}
	var err error
	if e.ring, err = keys.Open(t.TempDir(), nil); err != nil {
		t.Fatal(err)
	}
	if e.log, err = auditlog.New(e.ctx, db, e.ring, auditlog.Options{Now: e.clock.Now}); err != nil {
		t.Fatal(err)
	}
	src := ar.SourceFunc(func(ctx context.Context, year int) (ar.Figures, error) {
		e.calls++
		if e.sourceErr != nil {
			return ar.Figures{}, e.sourceErr
		}
		f := sample()
		f.Year = year
		f.GeneratedAt = time.Time{} // the service sets it
		return f, nil
	})
	if e.svc, err = ar.New(e.ctx, ar.Deps{DB: db, Log: e.log, Source: src}, ar.Config{Now: e.clock.Now}); err != nil {
		t.Fatal(err)
	}
	pr := func(id string, role auth.Role, kind auth.OrgKind) *auth.Principal {
		return &auth.Principal{UserID: id, OrgID: "org_" + string(kind), OrgKind: kind, Roles: []auth.Role{role}, MFA: true, Via: auth.ViaToken}
	}
	e.chair = pr("usr_chair", auth.RoleCommissionChair, auth.OrgCommission)
	e.member = pr("usr_member", auth.RoleCommissionMember, auth.OrgCommission)
	e.analyst = pr("usr_analyst", auth.RoleAnalyst, auth.OrgCabinetOff)
	return e
}

func TestFigures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newSvcEnv(t, db)
		f, err := e.svc.Figures(e.ctx, e.member, 2026)
		if err != nil {
			t.Fatal(err)
		}
		if from, to := ar.YearBounds(2026); f.Year != 2026 || !f.From.Equal(from) || !f.To.Equal(to) {
			t.Errorf("got year %d [%v, %v), want 2026 and its bounds", f.Year, f.From, f.To)
		}
		if !f.GeneratedAt.Equal(e.clock.Now()) {
			t.Errorf("got generated at %v, want the clock's %v", f.GeneratedAt, e.clock.Now())
		}
		if f.Requests[0].Total.Filed != 42 || len(f.Errors.Items) != 1 {
			t.Errorf("figures are not the source's: %+v", f.Requests)
		}
		// The current year, to date, may be read too.
		if _, err := e.svc.Figures(e.ctx, e.chair, 2027); err != nil {
			t.Errorf("year to date: %v", err)
		}

		for _, tt := range []struct {
			name string
			p    *auth.Principal
			year int
			want error
		}{
			{"an analyst", e.analyst, 2026, ar.ErrForbidden},
			{"the public", nil, 2026, ar.ErrForbidden},
			{"a disabled member", &auth.Principal{UserID: "x", Roles: []auth.Role{auth.RoleCommissionMember}, Disabled: true}, 2026, ar.ErrForbidden},
			{"before the Act", e.member, 2024, ar.ErrNotFound},
			{"a year not begun", e.member, 2028, ar.ErrNotFound},
		} {
			if _, err := e.svc.Figures(e.ctx, tt.p, tt.year); !errors.Is(err, tt.want) {
				t.Errorf("%s: got %v, want %v", tt.name, err, tt.want)
			}
		}

		e.sourceErr = errors.New("database on fire")
		if _, err := e.svc.Figures(e.ctx, e.member, 2026); err == nil || !strings.Contains(err.Error(), "database on fire") {
			t.Errorf("a source's error: got %v", err)
		}
	})
}

func TestHTML(t *testing.T) {
	e := newSvcEnv(t, storetest.SQLite(t))
	doc, err := e.svc.HTML(e.ctx, e.member, 2026, ar.Options{Lang: ar.English, Variant: ar.VariantFull})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), "SECRETERROR") || !strings.Contains(string(doc), "Counted on 10 January 2027 09:00") {
		t.Error("the full report lacks its detail or the time it was counted (in Japan time)")
	}
	if _, err := e.svc.HTML(e.ctx, e.analyst, 2026, ar.Options{}); !errors.Is(err, ar.ErrForbidden) {
		t.Errorf("an analyst: got %v, want ErrForbidden", err)
	}
}

func TestPublish(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newSvcEnv(t, db)

		// Nothing is published: the public sees an empty list and a 404.
		if pubs, err := e.svc.Publications(e.ctx); err != nil || len(pubs) != 0 {
			t.Fatalf("got %v, %v; want no publication", pubs, err)
		}
		if _, _, err := e.svc.Published(e.ctx, 2026, ar.Japanese); !errors.Is(err, ar.ErrNotFound) {
			t.Fatalf("unpublished year: got %v, want ErrNotFound", err)
		}

		// Refusals: not the chair; a year not over; a year before the Act.
		if _, err := e.svc.Publish(e.ctx, e.member, 2026); !errors.Is(err, ar.ErrForbidden) {
			t.Errorf("a member publishes: got %v, want ErrForbidden", err)
		}
		if _, err := e.svc.Publish(e.ctx, nil, 2026); !errors.Is(err, ar.ErrForbidden) {
			t.Errorf("the public publishes: got %v, want ErrForbidden", err)
		}
		if _, err := e.svc.Publish(e.ctx, e.chair, 2027); !errors.Is(err, ar.ErrConflict) || !strings.Contains(err.Error(), "not over until 2028-01-01 00:00 JST") {
			t.Errorf("a year not over: got %v, want ErrConflict saying when it ends", err)
		}
		if _, err := e.svc.Publish(e.ctx, e.chair, 2024); !errors.Is(err, ar.ErrNotFound) {
			t.Errorf("a year before the Act: got %v, want ErrNotFound", err)
		}

		pub, err := e.svc.Publish(e.ctx, e.chair, 2026)
		if err != nil {
			t.Fatal(err)
		}
		if pub.Year != 2026 || pub.PublishedBy != "usr_chair" || !pub.PublishedAt.Equal(e.clock.Now()) || !strings.HasPrefix(pub.ID, "arp_") {
			t.Errorf("got publication %+v", pub)
		}

		// The source changes after publication: the snapshot does not.
		calls := e.calls
		e.sourceErr = errors.New("changed")
		if _, err := e.svc.Publish(e.ctx, e.chair, 2026); !errors.Is(err, ar.ErrConflict) {
			t.Errorf("publishing again: got %v, want ErrConflict", err)
		}
		for _, lang := range []ar.Lang{ar.Japanese, ar.English} {
			doc, got, err := e.svc.Published(e.ctx, 2026, lang)
			if err != nil {
				t.Fatalf("%s: %v", lang, err)
			}
			if got != pub {
				t.Errorf("%s: got publication %+v, want %+v", lang, got, pub)
			}
			sum := sha256.Sum256(doc)
			want := map[ar.Lang]string{ar.Japanese: pub.JapaneseSHA256, ar.English: pub.EnglishSHA256}[lang]
			if hex.EncodeToString(sum[:]) != want {
				t.Errorf("%s: stored document does not match its digest", lang)
			}
			if !strings.Contains(string(doc), `<html lang="`+string(lang)+`">`) || !strings.Contains(string(doc), "123,456,789") {
				t.Errorf("%s: the published document is not the public summary in its language", lang)
			}
			for _, v := range withheldValues {
				if strings.Contains(string(doc), v) {
					t.Errorf("%s: published summary shows withheld %q", lang, v)
				}
			}
		}
		if e.calls != calls {
			t.Errorf("reading the publication counted the figures again")
		}
		f, err := e.svc.PublishedFigures(e.ctx, 2026)
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Withheld) == 0 || len(f.Errors.Items) != 0 || f.Requests[1].Directions[0].Filed != 0 || f.Requests[1].Total.Filed != 23 {
			t.Errorf("published figures are not the public ones: %+v", f)
		}
		pubs, err := e.svc.Publications(e.ctx)
		if err != nil || len(pubs) != 1 || pubs[0] != pub {
			t.Errorf("got publications %v, %v; want [%+v]", pubs, err, pub)
		}
		if _, _, err := e.svc.Published(e.ctx, 2025, ar.English); !errors.Is(err, ar.ErrNotFound) {
			t.Errorf("another year: got %v, want ErrNotFound", err)
		}

		// The publication is in the audit log, and the log checks out
		// against the stored snapshot.
		recs, err := e.log.Entries(e.ctx, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		var found bool
		for _, r := range recs {
			if r.Action == "annual_report.publish" && r.Resource == "annual_report/2026" && r.Actor == "usr_chair" {
				found = true
			}
		}
		if !found {
			t.Errorf("no annual_report.publish entry in %+v", recs)
		}
		if _, err := e.log.Checkpoint(e.ctx); err != nil {
			t.Fatal(err)
		}
		verifiers, err := e.log.Verifiers()
		if err != nil {
			t.Fatal(err)
		}
		rep, err := auditlog.Verify(e.ctx, auditlog.DBSource(db), auditlog.VerifyOptions{
			Verifiers: verifiers, Keys: e.ring, Resolvers: e.log.Resolvers(), Listers: e.log.Listers()})
		if err != nil {
			t.Fatalf("verify: %v", err)
		}
		if rep.RecordsChecked < 1 {
			t.Errorf("verify checked %d records, want the publication", rep.RecordsChecked)
		}

		// A snapshot changed behind the service's back fails the check.
		if _, err := db.Exec(e.ctx, "UPDATE annual_reports SET sha256_ja = ? WHERE year = ?", strings.Repeat("0", 64), 2026); err != nil {
			t.Fatal(err)
		}
		if _, err := auditlog.Verify(e.ctx, auditlog.DBSource(db), auditlog.VerifyOptions{
			Verifiers: verifiers, Keys: e.ring, Resolvers: e.log.Resolvers(), Listers: e.log.Listers()}); err == nil {
			t.Error("verify passed a changed snapshot")
		}
	})
}

func TestNewNeedsDeps(t *testing.T) {
	if _, err := ar.New(context.Background(), ar.Deps{}, ar.Config{}); err == nil {
		t.Error("New without dependencies succeeded")
	}
}
