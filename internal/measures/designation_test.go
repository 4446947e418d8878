package measures_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/measures"
	"github.com/acd-platform/acd/internal/servicetest"
)

// TestDesignate: the NPA Commissioner General designates police officers,
// the Minister of Defense SDF officers, nobody else anyone; the level
// comes from the organisation; one designation in force at a time.
func TestDesignate(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		// Fresh officers to designate.
		seed := func(name string, o auth.Org, roles ...auth.Role) string {
			u, err := e.auth.SeedUser(e.ctx, auth.NewUser{Username: name, OrgID: o.ID, Roles: roles, Password: servicetest.Password})
			if err != nil {
				t.Fatal(err)
			}
			return u.ID
		}
		npaNew, prefNew, sdfNew := seed("npanew", e.npa, auth.RoleOfficer), seed("prefnew", e.pref, auth.RoleOfficer), seed("sdfnew", e.sdf, auth.RoleOfficer)
		analystUser := seed("analyst2", e.nco, auth.RoleAnalyst)
		npaCommander := seed("npacommander", e.npa, auth.RoleCommander)
		for _, c := range []struct {
			name  string
			by    *auth.Principal
			user  string
			level measures.Level // on success
			code  string         // a refusal
			field string         // a field error
		}{
			{name: "the Commissioner General designates an NPA officer", by: e.cg, user: npaNew, level: measures.LevelNational},
			{name: "the Commissioner General designates a prefectural officer", by: e.cg, user: prefNew, level: measures.LevelPrefectural},
			{name: "the Minister of Defense designates an SDF officer", by: e.minister, user: sdfNew, level: measures.LevelSDF},
			{name: "a second designation while one is in force", by: e.cg, user: npaNew, code: measures.CodeAlreadyDone},
			{name: "the Commissioner General designates an SDF officer", by: e.cg, user: e.sdfOfficer.UserID, code: measures.CodeNotDesignatingAuthority},
			{name: "the Minister of Defense designates a police officer", by: e.minister, user: prefNew, code: measures.CodeNotDesignatingAuthority},
			{name: "a prefectural chief designates", by: e.prefChief, user: prefNew, code: measures.CodeNotDesignatingAuthority},
			{name: "an SDF commander designates", by: e.sdfCommander, user: sdfNew, code: measures.CodeNotDesignatingAuthority},
			{name: "an analyst designates", by: e.analyst, user: npaNew, code: measures.CodeNotDesignatingAuthority},
			{name: "an officer designates", by: e.officer, user: npaNew, code: measures.CodeNotDesignatingAuthority},
			{name: "a user who is no officer", by: e.cg, user: npaCommander, field: "user_id"},
			{name: "a user outside police and SDF", by: e.cg, user: analystUser, field: "user_id"},
			{name: "no such user", by: e.cg, user: "usr_nobody", field: "user_id"},
			{name: "no user at all", by: e.cg, user: "", field: "user_id"},
		} {
			t.Run(c.name, func(t *testing.T) {
				d, err := e.svc.Designate(e.ctx, c.by, measures.DesignationInput{UserID: c.user, Scope: "Kanto"})
				switch {
				case c.code != "":
					wantRefusal(t, c.name, err, c.code)
				case c.field != "":
					wantField(t, c.name, err, c.field)
				case err != nil:
					t.Fatalf("got %v, want a designation", err)
				case d.Level != c.level || !d.Active || d.DesignatedBy != c.by.UserID || d.ID[:4] != "des_":
					t.Fatalf("got %+v, want level %s, active", d, c.level)
				}
			})
		}
		// The refusal's status and messages.
		_, err := e.svc.Designate(e.ctx, e.analyst, measures.DesignationInput{UserID: npaNew})
		if r, ok := err.(*measures.Refusal); !ok || r.Status != http.StatusForbidden || r.Message("ja") == r.Message("en") {
			t.Errorf("refusal %#v", err)
		}
	})
}

// TestDesignationLifetime: an expired or revoked designation stops every
// officer step; revoking is the designating authority's, once.
func TestDesignationLifetime(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		u, err := e.auth.SeedUser(e.ctx, auth.NewUser{Username: "temp", OrgID: e.npa.ID, Roles: []auth.Role{auth.RoleOfficer}, Password: servicetest.Password})
		if err != nil {
			t.Fatal(err)
		}
		temp := servicetest.Principal(u.ID, e.npa, auth.RoleOfficer)
		_, err = e.svc.Designate(e.ctx, e.cg, measures.DesignationInput{UserID: u.ID, ValidUntil: t0.Add(-time.Hour)})
		wantField(t, "valid_until in the past", err, "valid_until")
		d, err := e.svc.Designate(e.ctx, e.cg, measures.DesignationInput{UserID: u.ID, ValidUntil: t0.Add(48 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		c := e.open(t, temp, input(measures.PathPolice))
		e.clock.Advance(49 * time.Hour)
		_, err = e.svc.RecordLocation(e.ctx, temp, c.ID, measures.LocationInput{InJapan: true, Evidence: measures.LocationEvidence{Other: "x"}})
		wantRefusal(t, "location after expiry", err, measures.CodeNotDesignated)
		if got, err := e.svc.Designation(e.ctx, e.cg, d.ID); err != nil || got.Active {
			t.Errorf("expired designation: active %v, %v", got.Active, err)
		}
		if ds, _ := e.svc.Designations(e.ctx, e.cg, measures.DesignationFilter{UserID: u.ID, Active: true}); len(ds) != 0 {
			t.Errorf("active designations of an expired officer: %v", ds)
		}

		ds, err := e.svc.Designations(e.ctx, e.minister, measures.DesignationFilter{UserID: e.sdfOfficer.UserID})
		if err != nil || len(ds) != 1 {
			t.Fatalf("SDF designations %v %v", ds, err)
		}
		_, err = e.svc.RevokeDesignation(e.ctx, e.cg, ds[0].ID, "Not mine.")
		wantErr(t, "the Commissioner General revokes an SDF designation", err, measures.ErrNotFound)
		_, err = e.svc.RevokeDesignation(e.ctx, e.prefChief, ds[0].ID, "Not mine.")
		wantRefusal(t, "a prefectural chief revokes", err, measures.CodeNotDesignatingAuthority)
		r, err := e.svc.RevokeDesignation(e.ctx, e.minister, ds[0].ID, "Transferred.")
		if err != nil || r.Active || r.RevokedBy != e.minister.UserID || r.RevokeReason != "Transferred." {
			t.Fatalf("revoke: %+v %v", r, err)
		}
		_, err = e.svc.RevokeDesignation(e.ctx, e.minister, ds[0].ID, "Again.")
		wantRefusal(t, "revoke twice", err, measures.CodeAlreadyDone)
		_, err = e.svc.OpenCase(e.ctx, e.sdfOfficer, input(measures.PathSDFGuard))
		wantRefusal(t, "open after revocation", err, measures.CodeNotDesignated)
		if got := e.entries(t, "designation/"+ds[0].ID); len(got) != 2 || got[1] != "designation.revoke" {
			t.Errorf("audit entries of the designation: %v", got)
		}
		verify(t, e)
	})
}

// TestDesignationScope: who sees which designations.
func TestDesignationScope(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		for _, c := range []struct {
			name string
			p    *auth.Principal
			want int
		}{
			{"the Commissioner General sees the police designations", e.cg, 4},
			{"the Minister of Defense sees the SDF designation", e.minister, 1},
			{"a prefectural chief sees their prefecture's", e.prefChief, 1},
			{"an NPA officer sees the NPA's", e.officer, 2},
			{"an analyst sees all", e.analyst, 5},
			{"a commission member sees all", e.m1, 5},
			{"MOFA sees none", e.mofaUser, 0},
			{"an operator sees none", e.operator, 0},
		} {
			ds, err := e.svc.Designations(e.ctx, c.p, measures.DesignationFilter{})
			if err != nil || len(ds) != c.want {
				t.Errorf("%s: got %d (%v), want %d", c.name, len(ds), err, c.want)
			}
		}
		ds, _ := e.svc.Designations(e.ctx, e.minister, measures.DesignationFilter{})
		_, err := e.svc.Designation(e.ctx, e.prefChief, ds[0].ID)
		wantErr(t, "a prefectural chief reads the SDF designation", err, measures.ErrNotFound)
	})
}
