package blocklist_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/blocklist"
	"github.com/acd-platform/acd/internal/servicetest"
	"github.com/acd-platform/acd/internal/store/storetest"
)

func TestAdd(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		got, err := e.svc.Add(e.ctx, e.analyst, blocklist.EntryInput{Value: "198.51.100.7/32", Reason: "  C2 of campaign X  "})
		if err != nil {
			t.Fatal(err)
		}
		want := blocklist.Entry{ID: got.ID, Kind: blocklist.KindIP, Value: "198.51.100.7", Reason: "C2 of campaign X",
			Source: blocklist.SourceIndicator, AddedBy: "analyst", AddedOrg: e.nco.ID, AddedAt: t0, ExpiresAt: t0.Add(90 * 24 * time.Hour),
			State: blocklist.StateActive}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("entry (-want +got):\n%s", diff)
		}
		if !strings.HasPrefix(got.ID, "blk_") {
			t.Errorf("got id %q, want blk_…", got.ID)
		}
		read, err := e.svc.Entry(e.ctx, e.commander, got.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(got, read); diff != "" {
			t.Errorf("read back (-added +read):\n%s", diff)
		}

		// The same value, however written, is a conflict while active.
		_, err = e.svc.Add(e.ctx, e.officer, blocklist.EntryInput{Value: "198.51.100.7", Reason: "again"})
		wantErr(t, err, blocklist.ErrConflict, "already on the blocklist as "+got.ID)

		// An officer adds with an expiry; an IDN domain is stored in ASCII.
		exp := t0.Add(10 * 24 * time.Hour)
		d, err := e.svc.Add(e.ctx, e.officer, blocklist.EntryInput{Value: "マルウェア.example", Reason: "malware distribution", ExpiresAt: exp})
		if err != nil {
			t.Fatal(err)
		}
		if d.Kind != blocklist.KindDomain || d.Value != "xn--cckhd2tjc.example" || !d.ExpiresAt.Equal(exp) || d.AddedOrg != e.police.ID {
			t.Errorf("got %+v, want the domain in ASCII expiring %s, added by the police", d, exp)
		}
		e.verify(t)
	})
}

func TestAddRefused(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		tests := []struct {
			name  string
			p     *auth.Principal
			in    blocklist.EntryInput
			field string // a FieldError for it; "" for ErrForbidden
		}{
			{"commander reads only", e.commander, blocklist.EntryInput{Value: "198.51.100.7", Reason: "x"}, ""},
			{"operator", e.operator, blocklist.EntryInput{Value: "198.51.100.7", Reason: "x"}, ""},
			{"the public", nil, blocklist.EntryInput{Value: "198.51.100.7", Reason: "x"}, ""},
			{"a subscriber", &auth.Principal{Subscriber: "sub_x", Via: auth.ViaToken}, blocklist.EntryInput{Value: "198.51.100.7", Reason: "x"}, ""},
			{"an officer without a second factor", &auth.Principal{UserID: "o", OrgID: e.police.ID, Roles: []auth.Role{auth.RoleOfficer}, Via: auth.ViaToken},
				blocklist.EntryInput{Value: "198.51.100.7", Reason: "x"}, ""},
			{"private value", e.analyst, blocklist.EntryInput{Value: "192.168.1.1", Reason: "x"}, "value"},
			{"no reason", e.analyst, blocklist.EntryInput{Value: "198.51.100.7"}, "reason"},
			{"two-line reason", e.analyst, blocklist.EntryInput{Value: "198.51.100.7", Reason: "a\nb"}, "reason"},
			{"long reason", e.analyst, blocklist.EntryInput{Value: "198.51.100.7", Reason: strings.Repeat("x", 501)}, "reason"},
			{"control character", e.analyst, blocklist.EntryInput{Value: "198.51.100.7", Reason: "a\x07"}, "reason"},
			{"past expiry", e.analyst, blocklist.EntryInput{Value: "198.51.100.7", Reason: "x", ExpiresAt: t0.Add(-time.Hour)}, "expires_at"},
			{"expiry too soon", e.analyst, blocklist.EntryInput{Value: "198.51.100.7", Reason: "x", ExpiresAt: t0.Add(time.Second)}, "expires_at"},
			{"expiry over a year", e.analyst, blocklist.EntryInput{Value: "198.51.100.7", Reason: "x", ExpiresAt: t0.Add(366 * 24 * time.Hour)}, "expires_at"},
			{"bad case id", e.analyst, blocklist.EntryInput{Value: "198.51.100.7", Reason: "x", CaseRef: "msr 1"}, "case_ref"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := e.svc.Add(e.ctx, tt.p, tt.in)
				if tt.field == "" {
					wantErr(t, err, blocklist.ErrForbidden, "")
					return
				}
				wantField(t, err, tt.field)
			})
		}
		list, err := e.svc.Entries(e.ctx, e.analyst, blocklist.Filter{})
		if err != nil || len(list) != 0 {
			t.Errorf("got %d entries, %v; want none", len(list), err)
		}
	})
}

func TestAddWithCase(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		e.cases.set("msr_open", "open")
		e.cases.set("msr_exec", "executing")
		_, err := e.svc.Add(e.ctx, e.officer, blocklist.EntryInput{Value: "198.51.100.7", Reason: "C2", CaseRef: "msr_open"})
		wantErr(t, err, blocklist.ErrConflict, "has taken no measure yet")
		_, err = e.svc.Add(e.ctx, e.officer, blocklist.EntryInput{Value: "198.51.100.7", Reason: "C2", CaseRef: "msr_none"})
		wantErr(t, err, blocklist.ErrNotFound, "msr_none")
		got, err := e.svc.Add(e.ctx, e.officer, blocklist.EntryInput{Value: "198.51.100.7", Reason: "C2", CaseRef: "msr_exec"})
		if err != nil {
			t.Fatal(err)
		}
		if got.Source != blocklist.SourceCase || got.CaseRef != "msr_exec" {
			t.Errorf("got source %s case %q, want case msr_exec", got.Source, got.CaseRef)
		}
	})
}

func TestAddCase(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		e.add(t, e.analyst, "203.0.113.5") // already active: skipped
		e.cases.set("msr_1", "executing",
			blocklist.CaseTarget{Address: "198.51.100.7", Domain: "c2.example"},
			blocklist.CaseTarget{Address: "203.0.113.0/24"},
			blocklist.CaseTarget{Address: "203.0.113.5"},
			blocklist.CaseTarget{Address: "10.1.2.3"},                       // private: skipped
			blocklist.CaseTarget{Domain: "C2.Example."},                     // the same name again: skipped
			blocklist.CaseTarget{Address: "2001:db8:abcd::/48", Domain: ""}, // IPv6 network
		)
		exp := t0.Add(30 * 24 * time.Hour)
		res, err := e.svc.AddCase(e.ctx, e.officer, "msr_1", "Targets of measure case msr_1", exp)
		if err != nil {
			t.Fatal(err)
		}
		var added []string
		for _, a := range res.Added {
			added = append(added, a.Value)
			if a.CaseRef != "msr_1" || a.Source != blocklist.SourceCase || !a.ExpiresAt.Equal(exp) || a.Reason != "Targets of measure case msr_1" {
				t.Errorf("added %+v, want case msr_1, source case, expiry %s", a, exp)
			}
		}
		if diff := cmp.Diff([]string{"198.51.100.7", "c2.example", "203.0.113.0/24", "2001:db8:abcd::/48"}, added); diff != "" {
			t.Errorf("added (-want +got):\n%s", diff)
		}
		var skipped []string
		for _, s := range res.Skipped {
			skipped = append(skipped, s.Value)
		}
		if diff := cmp.Diff([]string{"10.1.2.3", "C2.Example.", "203.0.113.5"}, skipped); diff != "" {
			t.Errorf("skipped (-want +got):\n%s", diff)
		}
		for _, s := range res.Skipped {
			switch s.Value {
			case "10.1.2.3":
				if !strings.Contains(s.Why, "private") {
					t.Errorf("10.1.2.3 skipped because %q, want private", s.Why)
				}
			case "203.0.113.5":
				if s.EntryID == "" || s.Why != "already on the blocklist" {
					t.Errorf("203.0.113.5 skipped as %+v, want already on the blocklist with the entry id", s)
				}
			}
		}

		// A second run adds nothing: every target is active.
		res, err = e.svc.AddCase(e.ctx, e.analyst, "msr_1", "again", time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Added) != 0 || len(res.Skipped) != 7 {
			t.Errorf("second run: added %d, skipped %d; want 0 and 7", len(res.Added), len(res.Skipped))
		}
		list, err := e.svc.Entries(e.ctx, e.commander, blocklist.Filter{CaseRef: "msr_1"})
		if err != nil || len(list) != 4 {
			t.Errorf("entries of msr_1: %d, %v; want 4", len(list), err)
		}
		e.verify(t)
	})
}

func TestAddCaseRefused(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		e.cases.set("msr_open", "open", blocklist.CaseTarget{Address: "198.51.100.7"})
		e.cases.set("msr_wd", "withdrawn", blocklist.CaseTarget{Address: "198.51.100.7"})
		e.cases.set("msr_closed", "closed", blocklist.CaseTarget{Address: "198.51.100.7"})
		_, err := e.svc.AddCase(e.ctx, e.officer, "msr_open", "r", time.Time{})
		wantErr(t, err, blocklist.ErrConflict, "has taken no measure yet")
		_, err = e.svc.AddCase(e.ctx, e.officer, "msr_wd", "r", time.Time{})
		wantErr(t, err, blocklist.ErrConflict, "withdrawn")
		_, err = e.svc.AddCase(e.ctx, e.officer, "msr_missing", "r", time.Time{})
		wantErr(t, err, blocklist.ErrNotFound, "msr_missing")
		_, err = e.svc.AddCase(e.ctx, e.commander, "msr_closed", "r", time.Time{})
		wantErr(t, err, blocklist.ErrForbidden, "")
		_, err = e.svc.AddCase(e.ctx, e.officer, "msr_closed", "", time.Time{})
		wantField(t, err, "reason")
		res, err := e.svc.AddCase(e.ctx, e.officer, "msr_closed", "closed case", time.Time{})
		if err != nil || len(res.Added) != 1 {
			t.Errorf("closed case: %+v, %v; want one added", res, err)
		}
	})
}

func TestNoCases(t *testing.T) {
	p := servicetest.New(t, storetest.SQLite(t), t0)
	svc, err := blocklist.New(p.Ctx, blocklist.Deps{DB: p.DB, Log: p.Log, Auth: p.Auth, Policy: auth.NewPolicy()}, blocklist.Config{Now: p.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	nco := p.Org(t, auth.NewOrg{Name: "NCO", Kind: auth.OrgCabinetOff})
	_, err = svc.AddCase(p.Ctx, servicetest.Principal("a", nco, auth.RoleAnalyst), "msr_1", "r", time.Time{})
	if !errors.Is(err, blocklist.ErrNoCases) {
		t.Errorf("got %v, want ErrNoCases", err)
	}
}

func TestRemove(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		byOfficer := e.add(t, e.officer, "198.51.100.7")
		byAnalyst := e.add(t, e.analyst, "203.0.113.0/24")
		e.clock.Advance(time.Hour)

		_, err := e.svc.Remove(e.ctx, e.officer2, byOfficer.ID, "not ours")
		wantErr(t, err, blocklist.ErrForbidden, "another organisation")
		_, err = e.svc.Remove(e.ctx, e.commander, byOfficer.ID, "x")
		wantErr(t, err, blocklist.ErrForbidden, "")
		_, err = e.svc.Remove(e.ctx, e.officer, byOfficer.ID, "")
		wantField(t, err, "reason")
		_, err = e.svc.Remove(e.ctx, e.officer, "blk_nope", "x")
		wantErr(t, err, blocklist.ErrNotFound, "blk_nope")

		got, err := e.svc.Remove(e.ctx, e.officer, byOfficer.ID, "Server cleaned by its administrator")
		if err != nil {
			t.Fatal(err)
		}
		if got.State != blocklist.StateRemoved || !got.RemovedAt.Equal(t0.Add(time.Hour)) || got.RemovedBy != "officer" || got.RemoveReason != "Server cleaned by its administrator" {
			t.Errorf("got %+v, want removed at %s by officer", got, t0.Add(time.Hour))
		}
		_, err = e.svc.Remove(e.ctx, e.officer, byOfficer.ID, "again")
		wantErr(t, err, blocklist.ErrConflict, "already removed")
		// The value may be added again once removed.
		e.add(t, e.analyst, "198.51.100.7")
		// Analysts remove anyone's entries, but not expired ones.
		e.clock.Advance(91 * 24 * time.Hour)
		_, err = e.svc.Remove(e.ctx, e.analyst, byAnalyst.ID, "x")
		wantErr(t, err, blocklist.ErrConflict, "expired")
		e.verify(t)
	})
}

func TestEntries(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		a := e.add(t, e.analyst, "198.51.100.7")
		e.clock.Advance(time.Minute)
		b := e.add(t, e.analyst, "198.51.100.8")
		e.clock.Advance(time.Minute)
		c, err := e.svc.Add(e.ctx, e.analyst, blocklist.EntryInput{Value: "198.51.100.9", Reason: "short", ExpiresAt: t0.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Remove(e.ctx, e.analyst, b.ID, "false positive"); err != nil {
			t.Fatal(err)
		}
		e.clock.Set(t0.Add(2 * time.Hour))

		ids := func(f blocklist.Filter) []string {
			t.Helper()
			list, err := e.svc.Entries(e.ctx, e.officer, f)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, x := range list {
				out = append(out, x.ID+"/"+string(x.State))
			}
			return out
		}
		if diff := cmp.Diff([]string{c.ID + "/expired", b.ID + "/removed", a.ID + "/active"}, ids(blocklist.Filter{})); diff != "" {
			t.Errorf("all, newest first (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{a.ID + "/active"}, ids(blocklist.Filter{Active: true})); diff != "" {
			t.Errorf("active (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{c.ID + "/expired"}, ids(blocklist.Filter{Limit: 1})); diff != "" {
			t.Errorf("limit 1 (-want +got):\n%s", diff)
		}
		if _, err := e.svc.Entries(e.ctx, e.operator, blocklist.Filter{}); !errors.Is(err, blocklist.ErrForbidden) {
			t.Errorf("operator listing: got %v, want ErrForbidden", err)
		}
		if _, err := e.svc.Entry(e.ctx, e.analyst, "blk_missing"); !errors.Is(err, blocklist.ErrNotFound) {
			t.Errorf("missing entry: got %v, want ErrNotFound", err)
		}
		_, err = e.svc.Entries(e.ctx, e.analyst, blocklist.Filter{Limit: -1})
		wantField(t, err, "limit")
	})
}

func TestNewConfig(t *testing.T) {
	p := servicetest.New(t, storetest.SQLite(t), t0)
	deps := blocklist.Deps{DB: p.DB, Log: p.Log, Auth: p.Auth, Policy: auth.NewPolicy()}
	for _, tt := range []struct {
		name string
		cfg  blocklist.Config
		err  string
	}{
		{"bad TLP", blocklist.Config{TLP: "white"}, "TLP"},
		{"origin not qualified", blocklist.Config{RPZOrigin: "rpz.example"}, "RPZ origin"},
		{"origin with a bad label", blocklist.Config{RPZOrigin: "rpz_zone.example."}, "RPZ origin"},
		{"default over maximum", blocklist.Config{DefaultTTL: 400 * 24 * time.Hour}, "TTL"},
		{"RPZ TTL too long", blocklist.Config{RPZTTL: 30 * 24 * time.Hour}, "RPZ TTL"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := blocklist.New(context.Background(), deps, tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("got %v, want an error about %s", err, tt.err)
			}
		})
	}
	if _, err := blocklist.New(context.Background(), blocklist.Deps{DB: p.DB}, blocklist.Config{}); err == nil {
		t.Error("got no error without the dependencies")
	}
}
