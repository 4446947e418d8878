package auth_test

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
)

func TestTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		o := e.org(t, "Kanto Electric", auth.OrgOperator, "electricity")
		u := e.seed(t, "bot", o, auth.RoleOperator)
		actor := &auth.Principal{UserID: u.ID, OrgID: o.ID, Roles: u.Roles, Via: auth.ViaSession}

		raw, tok, err := e.svc.CreateToken(e.ctx, actor, u.ID, "report pipeline", 24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(raw, auth.TokenPrefix) || len(raw) < len(auth.TokenPrefix)+43 {
			t.Errorf("got token %q..., want acd_ and 256 bits of base64url", raw[:8])
		}
		p, err := e.withBearer(raw)
		if err != nil {
			t.Fatal(err)
		}
		if p.UserID != u.ID || p.Via != auth.ViaToken || p.MFA || p.CSRFToken != "" {
			t.Errorf("got principal %+v, want %s via token, no MFA, no CSRF token", p, u.ID)
		}
		list, err := e.svc.Tokens(e.ctx, u.ID)
		if err != nil || len(list) != 1 || list[0].ID != tok.ID || list[0].Name != "report pipeline" {
			t.Fatalf("Tokens = %+v, %v; want the one token", list, err)
		}

		tests := []struct {
			name, header string
		}{
			{"unknown token", "Bearer acd_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
			{"no prefix", "Bearer " + strings.TrimPrefix(raw, auth.TokenPrefix)},
			{"basic scheme", "Basic dXNlcjpwYXNz"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := newRequest()
				r.Header.Set("Authorization", tt.header)
				if p, err := e.svc.Authenticate(r); err != auth.ErrUnauthenticated {
					t.Errorf("got %v, %v; want ErrUnauthenticated", p, err)
				}
			})
		}

		// Expiry.
		e.clock.Advance(24 * time.Hour)
		if _, err := e.withBearer(raw); err != auth.ErrUnauthenticated {
			t.Errorf("expired token: got %v, want ErrUnauthenticated", err)
		}
		// Revocation.
		raw2, tok2, err := e.svc.CreateToken(e.ctx, actor, u.ID, "second", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.RevokeToken(e.ctx, actor, tok2.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.withBearer(raw2); err != auth.ErrUnauthenticated {
			t.Errorf("revoked token: got %v, want ErrUnauthenticated", err)
		}
		if got, _ := e.svc.Token(e.ctx, tok2.ID); got.RevokedAt.IsZero() || got.RevokedBy != u.ID {
			t.Errorf("got %+v, want revoked by %s", got, u.ID)
		}
		if err := e.svc.RevokeToken(e.ctx, actor, "tok_nope"); !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("revoke unknown: got %v, want ErrNotFound", err)
		}

		// Expiry is required and bounded.
		for _, ttl := range []time.Duration{0, -time.Hour, 366 * 24 * time.Hour} {
			if _, _, err := e.svc.CreateToken(e.ctx, actor, u.ID, "x", ttl); !errors.Is(err, auth.ErrInvalid) {
				t.Errorf("ttl %v: got %v, want ErrInvalid", ttl, err)
			}
		}
		if got, want := e.auditCount(t, "token.create"), 2; got != want {
			t.Errorf("got %d token.create entries, want %d", got, want)
		}
		if got, want := e.auditCount(t, "token.revoke"), 1; got != want {
			t.Errorf("got %d token.revoke entries, want %d", got, want)
		}
	})
}

func TestPrivilegedTokenNeedsMFA(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		police := e.org(t, "NPA", auth.OrgPolice)
		u := e.seed(t, "yamada", police, auth.RoleOfficer)
		noMFA := &auth.Principal{UserID: u.ID, Roles: u.Roles, Via: auth.ViaSession}
		if _, _, err := e.svc.CreateToken(e.ctx, noMFA, u.ID, "x", time.Hour); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("without MFA: got %v, want ErrForbidden", err)
		}
		viaToken := &auth.Principal{UserID: u.ID, Roles: u.Roles, Via: auth.ViaToken}
		if _, _, err := e.svc.CreateToken(e.ctx, viaToken, u.ID, "x", time.Hour); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("from a token: got %v, want ErrForbidden", err)
		}
		withMFA := &auth.Principal{UserID: u.ID, Roles: u.Roles, Via: auth.ViaSession, MFA: true}
		if _, _, err := e.svc.CreateToken(e.ctx, withMFA, u.ID, "x", time.Hour); err != nil {
			t.Errorf("with MFA: %v", err)
		}
		if _, _, err := e.svc.CreateToken(e.ctx, auth.CLI("token"), u.ID, "x", time.Hour); err != nil {
			t.Errorf("from the CLI: %v", err)
		}
	})
}

func TestDisableUserRevokesAccess(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		sys := e.org(t, "System", auth.OrgSystemAdmin)
		o := e.org(t, "Kanto Electric", auth.OrgOperator, "electricity")
		admin := adminPrincipal(e.seed(t, "admin1", sys, auth.RoleAdmin))
		u := e.seed(t, "tanaka", o, auth.RoleOperator)
		sess := e.login(t, "tanaka")
		raw, _, err := e.svc.CreateToken(e.ctx, admin, u.ID, "pipeline", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.withCookie(sess); err != nil {
			t.Fatal(err)
		}
		if _, err := e.withBearer(raw); err != nil {
			t.Fatal(err)
		}

		if err := e.svc.DisableUser(e.ctx, admin, u.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.withCookie(sess); err != auth.ErrUnauthenticated {
			t.Errorf("session after disable: got %v, want ErrUnauthenticated", err)
		}
		if _, err := e.withBearer(raw); err != auth.ErrUnauthenticated {
			t.Errorf("token after disable: got %v, want ErrUnauthenticated", err)
		}
		toks, _ := e.svc.Tokens(e.ctx, u.ID)
		if len(toks) != 1 || toks[0].RevokedAt.IsZero() {
			t.Errorf("got tokens %+v, want the one revoked", toks)
		}
		var live int
		db.QueryRow(e.ctx, "SELECT COUNT(*) FROM auth_sessions WHERE user_id = ? AND revoked_at = ''", u.ID).Scan(&live)
		if live != 0 {
			t.Errorf("got %d live sessions, want 0", live)
		}
		if got, _ := e.svc.User(e.ctx, u.ID); !got.Disabled {
			t.Error("user not disabled")
		}
		if err := e.svc.DisableUser(e.ctx, admin, admin.UserID); err != auth.ErrDisableSelf {
			t.Errorf("disable self: got %v, want ErrDisableSelf", err)
		}
		for action, want := range map[string]int{"account.disable": 1, "session.revoke": 1, "token.revoke": 1} {
			if got := e.auditCount(t, action); got != want {
				t.Errorf("got %d %s entries, want %d", got, action, want)
			}
		}
	})
}

func TestSetPassword(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		o := e.org(t, "Kanto Electric", auth.OrgOperator, "electricity")
		u := e.seed(t, "tanaka", o, auth.RoleOperator)
		sess := e.login(t, "tanaka")
		self := &auth.Principal{UserID: u.ID, OrgID: o.ID}
		if err := e.svc.SetPassword(e.ctx, self, u.ID, "short"); !errors.Is(err, auth.ErrWeakPassword) {
			t.Errorf("short password: got %v, want ErrWeakPassword", err)
		}
		if err := e.svc.SetPassword(e.ctx, self, u.ID, "a brand new passphrase"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.withCookie(sess); err != auth.ErrUnauthenticated {
			t.Errorf("old session after password change: got %v, want ErrUnauthenticated", err)
		}
		if _, err := e.svc.PasswordLogin(e.ctx, "tanaka", password, ""); err != auth.ErrBadCredentials {
			t.Errorf("old password: got %v, want ErrBadCredentials", err)
		}
		if _, err := e.svc.PasswordLogin(e.ctx, "tanaka", "a brand new passphrase", ""); err != nil {
			t.Errorf("new password: %v", err)
		}
		if err := e.svc.VerifyUserPassword(e.ctx, u.ID, "a brand new passphrase"); err != nil {
			t.Errorf("VerifyUserPassword: %v", err)
		}
	})
}

func TestCreateValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		o := e.org(t, "Kanto Electric", auth.OrgOperator, "electricity")
		orgs := []struct {
			name string
			org  auth.NewOrg
		}{
			{"operator without sector", auth.NewOrg{Name: "A", Kind: auth.OrgOperator}},
			{"operator with two sectors", auth.NewOrg{Name: "A", Kind: auth.OrgOperator, Sectors: []string{"gas", "oil"}}},
			{"unknown sector", auth.NewOrg{Name: "A", Kind: auth.OrgOperator, Sectors: []string{"nuclear"}}},
			{"ministry without sectors", auth.NewOrg{Name: "A", Kind: auth.OrgMinistry}},
			{"police without level", auth.NewOrg{Name: "A", Kind: auth.OrgPolice}},
			{"vendor with sector", auth.NewOrg{Name: "A", Kind: auth.OrgVendor, Sectors: []string{"gas"}}},
			{"unknown kind", auth.NewOrg{Name: "A", Kind: "club"}},
			{"no name", auth.NewOrg{Kind: auth.OrgVendor}},
		}
		for _, tt := range orgs {
			t.Run(tt.name, func(t *testing.T) {
				if _, err := e.svc.CreateOrg(e.ctx, nil, tt.org); !errors.Is(err, auth.ErrInvalid) {
					t.Errorf("got %v, want ErrInvalid", err)
				}
			})
		}
		if _, err := e.svc.CreateOrg(e.ctx, nil, auth.NewOrg{Name: "Kanto Electric", Kind: auth.OrgVendor}); !errors.Is(err, auth.ErrExists) {
			t.Errorf("duplicate org name: got %v, want ErrExists", err)
		}
		m, err := e.svc.CreateOrg(e.ctx, nil, auth.NewOrg{Name: "METI", NameJA: "経済産業省", Kind: auth.OrgMinistry, Sectors: []string{"electricity", "gas"}})
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := e.svc.OrgByName(e.ctx, "METI"); got.ID != m.ID || !slices.Equal(got.Sectors, []string{"electricity", "gas"}) {
			t.Errorf("OrgByName = %+v, want %+v", got, m)
		}

		users := []struct {
			name string
			user auth.NewUser
			want error
		}{
			{"short password", auth.NewUser{Username: "abc", OrgID: o.ID, Roles: []auth.Role{auth.RoleOperator}, Password: "short"}, auth.ErrWeakPassword},
			{"bad username", auth.NewUser{Username: "a b", OrgID: o.ID, Roles: []auth.Role{auth.RoleOperator}, Password: password}, auth.ErrInvalid},
			{"no roles", auth.NewUser{Username: "abc", OrgID: o.ID, Password: password}, auth.ErrInvalid},
			{"unknown role", auth.NewUser{Username: "abc", OrgID: o.ID, Roles: []auth.Role{"king"}, Password: password}, auth.ErrInvalid},
			{"unknown org", auth.NewUser{Username: "abc", OrgID: "org_nope", Roles: []auth.Role{auth.RoleOperator}, Password: password}, auth.ErrInvalid},
		}
		for _, tt := range users {
			t.Run(tt.name, func(t *testing.T) {
				if _, _, err := e.svc.CreateUser(e.ctx, nil, tt.user); !errors.Is(err, tt.want) {
					t.Errorf("got %v, want %v", err, tt.want)
				}
			})
		}
		e.seed(t, "tanaka", o, auth.RoleOperator)
		if _, _, err := e.svc.CreateUser(e.ctx, nil, auth.NewUser{Username: "TANAKA", OrgID: o.ID, Roles: []auth.Role{auth.RoleOperator}, Password: password}); !errors.Is(err, auth.ErrExists) {
			t.Errorf("duplicate username: got %v, want ErrExists", err)
		}
	})
}

func TestSeparationOfDuties(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		// Bootstrap: the first admin, without a second.
		a, err := e.svc.Bootstrap(e.ctx, auth.NewUser{Username: "admin-a", Password: password})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(a.Roles, []auth.Role{auth.RoleAdmin}) {
			t.Fatalf("bootstrap admin has roles %v, want [admin]", a.Roles)
		}
		if _, err := e.svc.Bootstrap(e.ctx, auth.NewUser{Username: "admin-x", Password: password}); err != auth.ErrBootstrapDone {
			t.Fatalf("second bootstrap: got %v, want ErrBootstrapDone", err)
		}
		adminA := adminPrincipal(a)

		// A second admin is a pending grant until someone else confirms it.
		b, grants, err := e.svc.CreateUser(e.ctx, adminA, auth.NewUser{Username: "admin-b", OrgID: a.OrgID, Roles: []auth.Role{auth.RoleAdmin}, Password: password})
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Roles) != 0 || len(grants) != 1 || grants[0].State != auth.GrantPending {
			t.Fatalf("got roles %v and grants %+v, want no roles and one pending grant", b.Roles, grants)
		}
		if got, _ := e.svc.PendingGrants(e.ctx); len(got) != 1 || got[0].ID != grants[0].ID {
			t.Errorf("PendingGrants = %+v, want the one grant", got)
		}
		if _, _, err := e.svc.ConfirmGrant(e.ctx, adminA, grants[0].ID); err != auth.ErrSameAdmin {
			t.Errorf("requester confirms: got %v, want ErrSameAdmin", err)
		}
		// B has no admin role yet: B cannot confirm anything either.
		if _, _, err := e.svc.ConfirmGrant(e.ctx, adminPrincipal(b), grants[0].ID); err != auth.ErrForbidden {
			t.Errorf("pending admin confirms: got %v, want ErrForbidden", err)
		}
		// The server's command line is a second party.
		if _, _, err := e.svc.ConfirmGrant(e.ctx, auth.CLI("user-confirm"), grants[0].ID); err != nil {
			t.Fatalf("CLI confirms: %v", err)
		}
		adminB := adminPrincipal(b)

		// An operator gets an officer role requested by B.
		police := e.org(t, "Osaka Prefectural Police", auth.OrgPolice)
		c, grants, err := e.svc.CreateUser(e.ctx, adminB, auth.NewUser{Username: "officer-c", OrgID: police.ID,
			Roles: []auth.Role{auth.RoleOfficer, auth.RoleCouncil}, Password: password})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(c.Roles, []auth.Role{auth.RoleCouncil}) {
			t.Errorf("got active roles %v, want only [council_member] before confirmation", c.Roles)
		}
		var officerGrant auth.Grant
		for _, g := range grants {
			if g.Role == auth.RoleOfficer {
				officerGrant = g
			}
		}
		// Not privileged yet: a password login yields a session, and the
		// principal does not hold the pending role.
		sess := e.login(t, "officer-c")
		if p, err := e.withCookie(sess); err != nil || p.Has(auth.RoleOfficer) {
			t.Errorf("before confirmation: got %+v, %v; want a principal without officer", p, err)
		}
		operator := &auth.Principal{UserID: c.ID, Roles: c.Roles, Via: auth.ViaSession, MFA: true}
		if _, _, err := e.svc.ConfirmGrant(e.ctx, operator, officerGrant.ID); err != auth.ErrForbidden {
			t.Errorf("non-admin confirms: got %v, want ErrForbidden", err)
		}
		if _, _, err := e.svc.ConfirmGrant(e.ctx, nil, officerGrant.ID); err != auth.ErrForbidden {
			t.Errorf("nil actor confirms: got %v, want ErrForbidden", err)
		}
		if _, _, err := e.svc.ConfirmGrant(e.ctx, adminB, officerGrant.ID); err != auth.ErrSameAdmin {
			t.Errorf("requester B confirms: got %v, want ErrSameAdmin", err)
		}
		g, _, err := e.svc.ConfirmGrant(e.ctx, adminA, officerGrant.ID)
		if err != nil {
			t.Fatalf("A confirms: %v", err)
		}
		if g.State != auth.GrantActive || g.ConfirmedBy != a.ID {
			t.Errorf("got grant %+v, want active, confirmed by %s", g, a.ID)
		}
		if _, _, err := e.svc.ConfirmGrant(e.ctx, adminA, officerGrant.ID); !errors.Is(err, auth.ErrInvalid) {
			t.Errorf("confirm twice: got %v, want ErrInvalid", err)
		}
		if u, _ := e.svc.User(e.ctx, c.ID); !slices.Contains(u.Roles, auth.RoleOfficer) {
			t.Errorf("after confirmation: roles %v, want officer", u.Roles)
		}
		// The old session lacks MFA: the policy refuses the officer role on
		// it until the user logs in again with TOTP.
		p, err := e.withCookie(sess)
		if err != nil || !p.Has(auth.RoleOfficer) || p.MFA {
			t.Errorf("after confirmation: got %+v, %v; want officer without MFA", p, err)
		}
		res, err := e.svc.PasswordLogin(e.ctx, "officer-c", password, "")
		if err != nil || res.Challenge == nil {
			t.Errorf("login after elevation: got %+v, %v; want a TOTP challenge", res, err)
		}

		// Requesting a role the user holds already makes no grant.
		grants, err = e.svc.RequestRoles(e.ctx, adminB, a.ID, []auth.Role{auth.RoleAdmin})
		if err != nil || len(grants) != 0 {
			t.Fatalf("request admin for an admin: got %+v, %v; want no grants", grants, err)
		}

		for action, want := range map[string]int{
			"account.bootstrap": 1, "account.create": 2, "account.grant_request": 2,
			"account.grant_confirm": 2, "account.grant": 2, // bootstrap admin, council member
		} {
			if got := e.auditCount(t, action); got != want {
				t.Errorf("got %d %s entries, want %d", got, action, want)
			}
		}
	})
}

// TestAuditTrail checks that every change is in the audit log, attributed,
// and that the log's data check agrees with the stored records.
func TestAuditTrail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		a, err := e.svc.Bootstrap(e.ctx, auth.NewUser{Username: "admin-a", Password: password})
		if err != nil {
			t.Fatal(err)
		}
		adminA := adminPrincipal(a)
		o, err := e.svc.CreateOrg(e.ctx, adminA, auth.NewOrg{Name: "Kanto Electric", Kind: auth.OrgOperator, Sectors: []string{"electricity"}})
		if err != nil {
			t.Fatal(err)
		}
		u, _, err := e.svc.CreateUser(e.ctx, adminA, auth.NewUser{Username: "tanaka", OrgID: o.ID, Roles: []auth.Role{auth.RoleOperator}, Password: password})
		if err != nil {
			t.Fatal(err)
		}
		sess := e.login(t, "tanaka")
		_, tok, err := e.svc.CreateToken(e.ctx, adminA, u.ID, "pipeline", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.RevokeToken(e.ctx, adminA, tok.ID); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.SetPassword(e.ctx, adminA, u.ID, "another long password"); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Logout(e.ctx, sess.Token); err != nil {
			t.Fatal(err)
		}
		res, err := e.svc.PasswordLogin(e.ctx, "admin-a", password, "")
		if err != nil {
			t.Fatal(err)
		}
		code, _ := totp.GenerateCode(res.Challenge.Enrolment.Secret, e.clock.Now())
		if _, err := e.svc.CompleteTOTP(e.ctx, res.Challenge.Token, code, ""); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.DisableUser(e.ctx, adminA, u.ID); err != nil {
			t.Fatal(err)
		}

		want := map[string]int{
			"org.create":         2, // system org at bootstrap, Kanto Electric
			"account.bootstrap":  1,
			"account.grant":      2,
			"account.create":     1,
			"session.create":     2,
			"token.create":       1,
			"token.revoke":       1,
			"account.password":   1,
			"session.revoke":     1, // tanaka's session at the password change
			"account.totp_enrol": 1,
			"account.disable":    1,
		}
		for action, n := range want {
			if got := e.auditCount(t, action); got != n {
				t.Errorf("got %d %s entries, want %d", got, action, n)
			}
		}
		var actor string
		db.QueryRow(e.ctx, "SELECT actor FROM audit_entries WHERE action = 'account.create'").Scan(&actor)
		if actor != a.ID {
			t.Errorf("account.create actor %q, want %q", actor, a.ID)
		}
		db.QueryRow(e.ctx, "SELECT actor FROM audit_entries WHERE action = 'account.bootstrap'").Scan(&actor)
		if actor != "cli:bootstrap" {
			t.Errorf("account.bootstrap actor %q, want cli:bootstrap", actor)
		}

		// The stored records match the latest entry of each resource.
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
		if rep.RecordsChecked == 0 || len(rep.Unchecked) != 0 {
			t.Errorf("verify checked %d records, unchecked types %v; want all checked", rep.RecordsChecked, rep.Unchecked)
		}
	})
}

// TestNoSelfGrant checks that nobody requests or confirms roles for their own
// account: an admin could otherwise give itself any non-privileged role at
// once.
func TestNoSelfGrant(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		a, err := e.svc.Bootstrap(e.ctx, auth.NewUser{Username: "admin-a", Password: password})
		if err != nil {
			t.Fatal(err)
		}
		adminA := adminPrincipal(a)
		b := e.seed(t, "admin-b", auth.Org{ID: a.OrgID}, auth.RoleAdmin)
		adminB := adminPrincipal(b)

		tests := []struct {
			name  string
			actor *auth.Principal
			roles []auth.Role
		}{
			{"admin gives itself a data role", adminA, []auth.Role{auth.RoleAnalyst}},
			{"admin gives itself a privileged role", adminA, []auth.Role{auth.RoleCommissionChair}},
			{"admin re-requests its own admin role", adminA, []auth.Role{auth.RoleAdmin}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				grants, err := e.svc.RequestRoles(e.ctx, tt.actor, tt.actor.UserID, tt.roles)
				if !errors.Is(err, auth.ErrSelfGrant) || !errors.Is(err, auth.ErrSameAdmin) {
					t.Errorf("got %+v, %v; want ErrSelfGrant (an ErrSameAdmin)", grants, err)
				}
			})
		}
		if u, _ := e.svc.User(e.ctx, a.ID); !slices.Equal(u.Roles, []auth.Role{auth.RoleAdmin}) {
			t.Errorf("admin-a holds %v, want only [admin]", u.Roles)
		}
		if got, _ := e.svc.Grants(e.ctx, a.ID); len(got) != 1 {
			t.Errorf("admin-a has grants %+v, want only the bootstrap one", got)
		}

		// A grant to oneself cannot be confirmed either. The service never
		// makes one (admin is exclusive); plant one as a damaged or older
		// database might hold it.
		if _, err := db.Exec(e.ctx, `INSERT INTO auth_grants (id, user_id, role, state, requested_by, requested_at, confirmed_by, confirmed_at)
			VALUES ('grt_planted', ?, 'commander', 'pending', ?, '2026-04-01T09:00:00Z', '', '')`, a.ID, b.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.ConfirmGrant(e.ctx, adminA, "grt_planted"); !errors.Is(err, auth.ErrSelfGrant) {
			t.Errorf("grantee confirms own grant: got %v, want ErrSelfGrant", err)
		}
		if _, _, err := e.svc.ConfirmGrant(e.ctx, adminB, "grt_planted"); !errors.Is(err, auth.ErrSameAdmin) {
			t.Errorf("requester confirms: got %v, want ErrSameAdmin", err)
		}
	})
}

// TestAdminRoleExclusive checks that an admin account holds no other role and
// that no account with another role becomes an admin, on every path that
// makes accounts or grants.
func TestAdminRoleExclusive(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		mixed := []auth.Role{auth.RoleAdmin, auth.RoleAnalyst}
		// Bootstrap grants admin only.
		if _, err := e.svc.Bootstrap(e.ctx, auth.NewUser{Username: "root", Roles: []auth.Role{auth.RoleAnalyst}, Password: password}); !errors.Is(err, auth.ErrInvalid) {
			t.Errorf("bootstrap with analyst: got %v, want ErrInvalid", err)
		}
		if _, err := e.svc.Bootstrap(e.ctx, auth.NewUser{Username: "root", Roles: mixed, Password: password}); !errors.Is(err, auth.ErrInvalid) {
			t.Errorf("bootstrap with admin and analyst: got %v, want ErrInvalid", err)
		}
		a, err := e.svc.Bootstrap(e.ctx, auth.NewUser{Username: "admin-a", Roles: []auth.Role{auth.RoleAdmin}, Password: password})
		if err != nil {
			t.Fatal(err)
		}
		adminA := adminPrincipal(a)
		cab := e.org(t, "National cyber office", auth.OrgCabinetOff)

		if _, err := e.svc.SeedUser(e.ctx, auth.NewUser{Username: "seeded", OrgID: cab.ID, Roles: mixed, Password: password}); !errors.Is(err, auth.ErrInvalid) {
			t.Errorf("SeedUser admin and analyst: got %v, want ErrInvalid", err)
		}
		_, _, err = e.svc.CreateUser(e.ctx, adminA, auth.NewUser{Username: "created", OrgID: cab.ID, Roles: mixed, Password: password})
		if !errors.Is(err, auth.ErrInvalid) || !strings.Contains(err.Error(), "admin is exclusive") {
			t.Errorf("CreateUser admin and analyst: got %v, want ErrInvalid saying admin is exclusive", err)
		}

		analyst, _, err := e.svc.CreateUser(e.ctx, adminA, auth.NewUser{Username: "ana", OrgID: cab.ID, Roles: []auth.Role{auth.RoleAnalyst}, Password: password})
		if err != nil {
			t.Fatal(err)
		}
		admin2, _, err := e.svc.CreateUser(e.ctx, adminA, auth.NewUser{Username: "admin-b", OrgID: a.OrgID, Roles: []auth.Role{auth.RoleAdmin}, Password: password})
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name   string
			userID string
			roles  []auth.Role
		}{
			{"analyst becomes admin", analyst.ID, []auth.Role{auth.RoleAdmin}},
			{"pending admin gets a data role", admin2.ID, []auth.Role{auth.RoleOperator}},
			{"active admin gets a data role", a.ID, []auth.Role{auth.RoleAnalyst}},
			{"admin and a role in one request", analyst.ID, []auth.Role{auth.RoleVendor, auth.RoleAdmin}},
		}
		// Requests come from a second party, so that the rule on one's own
		// account (TestNoSelfGrant) does not answer first.
		other := &auth.Principal{UserID: "usr_other", Roles: []auth.Role{auth.RoleAdmin}, MFA: true, Via: auth.ViaSession}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				grants, err := e.svc.RequestRoles(e.ctx, other, tt.userID, tt.roles)
				if !errors.Is(err, auth.ErrInvalid) || !strings.Contains(err.Error(), "admin is exclusive") {
					t.Errorf("got %+v, %v; want ErrInvalid saying admin is exclusive", grants, err)
				}
			})
		}
		if u, _ := e.svc.User(e.ctx, analyst.ID); !slices.Equal(u.Roles, []auth.Role{auth.RoleAnalyst}) {
			t.Errorf("analyst holds %v, want [analyst]", u.Roles)
		}
		if got, _ := e.svc.PendingGrants(e.ctx); len(got) != 1 || got[0].UserID != admin2.ID {
			t.Errorf("pending grants %+v, want only admin-b's admin grant", got)
		}
	})
}

// TestTokenDoesNotInheritPrivilege checks that a token made without a second
// factor does not act with a privileged role granted to its user later, nor
// does one the command line made after the bootstrap, while one made from a
// session with MFA does. After the bootstrap the command line makes no token
// for a privileged user.
func TestTokenDoesNotInheritPrivilege(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		pol := auth.NewPolicy()
		a, err := e.svc.Bootstrap(e.ctx, auth.NewUser{Username: "admin-a", Password: password})
		if err != nil {
			t.Fatal(err)
		}
		adminA := adminPrincipal(a)
		adminB := adminPrincipal(e.seed(t, "admin-b", auth.Org{ID: a.OrgID}, auth.RoleAdmin))
		agency := e.org(t, "Digital Agency", auth.OrgAgency)
		u := e.seed(t, "member", agency, auth.RoleCouncil)

		// The council member makes a token from a password-only session.
		sess := e.login(t, "member")
		self, err := e.withCookie(sess)
		if err != nil {
			t.Fatal(err)
		}
		old, oldTok, err := e.svc.CreateToken(e.ctx, self, u.ID, "before", 24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if oldTok.MFABacked {
			t.Errorf("token from a session without MFA is MFA-backed")
		}
		// Two admins exist: the command line's token stands on no second factor.
		cli, cliTok, err := e.svc.CreateToken(e.ctx, auth.CLI("token-create"), u.ID, "cli", 24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}

		// The member is made commission chair by two admins.
		grants, err := e.svc.RequestRoles(e.ctx, adminA, u.ID, []auth.Role{auth.RoleCommissionChair})
		if err != nil || len(grants) != 1 {
			t.Fatalf("request chair: %+v, %v", grants, err)
		}
		if _, _, err := e.svc.ConfirmGrant(e.ctx, adminB, grants[0].ID); err != nil {
			t.Fatal(err)
		}

		if _, _, err := e.svc.CreateToken(e.ctx, auth.CLI("token-create"), u.ID, "cli", 24*time.Hour); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("command-line token for a privileged user after the bootstrap: got %v, want ErrForbidden", err)
		}
		mfaSession := &auth.Principal{UserID: u.ID, OrgID: agency.ID, Roles: []auth.Role{auth.RoleCommissionChair, auth.RoleCouncil}, Via: auth.ViaSession, MFA: true}
		withMFA, mfaTok, err := e.svc.CreateToken(e.ctx, mfaSession, u.ID, "mfa", 24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if cliTok.MFABacked || !mfaTok.MFABacked {
			t.Errorf("MFABacked: CLI token %v, MFA session token %v; want false, true", cliTok.MFABacked, mfaTok.MFABacked)
		}

		tests := []struct {
			name, raw string
			want      bool
		}{
			{"token made before the grant, without MFA", old, false},
			{"token made by the command line after the bootstrap", cli, false},
			{"token made from a session with MFA", withMFA, true},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				p, err := e.withBearer(tt.raw)
				if err != nil {
					t.Fatal(err)
				}
				if !p.Has(auth.RoleCommissionChair) || p.MFA != tt.want {
					t.Errorf("got roles %v, MFA %v; want commission_chair, MFA %v", p.Roles, p.MFA, tt.want)
				}
				if got := pol.Allow(p, auth.AuditEntriesRead); got != tt.want {
					t.Errorf("Allow(AuditEntriesRead) = %v, want %v", got, tt.want)
				}
				// The user's other roles and Authenticated actions stay.
				if !pol.Allow(p, auth.InboxRead) {
					t.Errorf("Allow(InboxRead) = false, want true")
				}
			})
		}
		if got, _ := e.svc.Token(e.ctx, oldTok.ID); got.MFABacked {
			t.Errorf("stored old token reads back MFA-backed")
		}
	})
}

// TestCredentialsCoveredByLog checks that the log's data check covers the
// password hash and TOTP secret: the normal flows keep it passing, and either
// column replaced behind the service's back fails it at the user's latest
// entry.
func TestCredentialsCoveredByLog(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		a, err := e.svc.Bootstrap(e.ctx, auth.NewUser{Username: "admin-a", Password: password})
		if err != nil {
			t.Fatal(err)
		}
		o := e.org(t, "Kanto Electric", auth.OrgOperator, "electricity")
		tanaka, _, err := e.svc.CreateUser(e.ctx, adminPrincipal(a), auth.NewUser{Username: "tanaka", OrgID: o.ID, Roles: []auth.Role{auth.RoleOperator}, Password: password})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.SetPassword(e.ctx, adminPrincipal(a), tanaka.ID, "another long password"); err != nil {
			t.Fatal(err)
		}
		police := e.org(t, "NPA", auth.OrgPolice)
		yamada := e.seed(t, "yamada", police, auth.RoleOfficer)
		res, err := e.svc.PasswordLogin(e.ctx, "yamada", password, "")
		if err != nil {
			t.Fatal(err)
		}
		code, _ := totp.GenerateCode(res.Challenge.Enrolment.Secret, e.clock.Now())
		if _, err := e.svc.CompleteTOTP(e.ctx, res.Challenge.Token, code, ""); err != nil {
			t.Fatal(err)
		}
		if err := e.verify(t); err != nil {
			t.Fatalf("verify after the normal flows: %v", err)
		}

		planted, err := auth.HashPassword("the intruder's password", testArgon2)
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name, column, userID, value string
		}{
			{"password hash replaced", "password_hash", tanaka.ID, planted},
			{"TOTP secret replaced", "totp_secret", yamada.ID, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var old string
				if err := db.QueryRow(e.ctx, "SELECT "+tt.column+" FROM auth_users WHERE id = ?", tt.userID).Scan(&old); err != nil {
					t.Fatal(err)
				}
				if _, err := db.Exec(e.ctx, "UPDATE auth_users SET "+tt.column+" = ? WHERE id = ?", tt.value, tt.userID); err != nil {
					t.Fatal(err)
				}
				var latest int64
				if err := db.QueryRow(e.ctx, "SELECT MAX(idx) FROM audit_entries WHERE resource = ?", "user/"+tt.userID).Scan(&latest); err != nil {
					t.Fatal(err)
				}
				err := e.verify(t)
				var ve *auditlog.VerifyError
				if !errors.As(err, &ve) || ve.Index != latest || !strings.Contains(ve.Reason, "user/"+tt.userID) {
					t.Errorf("verify: got %v, want a VerifyError at entry %d naming user/%s", err, latest, tt.userID)
				}
				if _, err := db.Exec(e.ctx, "UPDATE auth_users SET "+tt.column+" = ? WHERE id = ?", old, tt.userID); err != nil {
					t.Fatal(err)
				}
				if err := e.verify(t); err != nil {
					t.Errorf("verify after restoring the column: %v", err)
				}
			})
		}
	})
}

// TestCLIConfirmsOnlyBeforeTwoAdmins checks that the command line takes
// part only in the bootstrap: it confirms the second admin, and nothing
// else; once two accounts have held the admin role it may neither confirm,
// nor request privileged roles, nor make a token for a privileged user, and
// disabling admins does not give those powers back (nor Bootstrap).
func TestCLIConfirmsOnlyBeforeTwoAdmins(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		cli := auth.CLI("user-confirm")
		a, err := e.svc.Bootstrap(e.ctx, auth.NewUser{Username: "admin-a", Password: password})
		if err != nil {
			t.Fatal(err)
		}
		adminA := adminPrincipal(a)
		police := e.org(t, "NPA", auth.OrgPolice)

		// One admin: the command line confirms no role but admin.
		_, grants, err := e.svc.CreateUser(e.ctx, adminA, auth.NewUser{Username: "officer-c", OrgID: police.ID, Roles: []auth.Role{auth.RoleOfficer}, Password: password})
		if err != nil {
			t.Fatal(err)
		}
		officerGrant := grants[0].ID
		if _, _, err := e.svc.ConfirmGrant(e.ctx, cli, officerGrant); !errors.Is(err, auth.ErrForbidden) || !strings.Contains(err.Error(), "only the admin role") {
			t.Errorf("CLI confirms an officer grant: got %v, want ErrForbidden (only the admin role)", err)
		}
		// …and does confirm the second admin.
		b, grants, err := e.svc.CreateUser(e.ctx, adminA, auth.NewUser{Username: "admin-b", OrgID: a.OrgID, Roles: []auth.Role{auth.RoleAdmin}, Password: password})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.ConfirmGrant(e.ctx, cli, grants[0].ID); err != nil {
			t.Fatalf("CLI confirms the second admin: %v", err)
		}
		adminB := adminPrincipal(b)
		if _, _, err := e.svc.ConfirmGrant(e.ctx, adminB, officerGrant); err != nil {
			t.Errorf("second web admin confirms: %v", err)
		}

		// Two admins have existed; disabling one changes nothing.
		if err := e.svc.DisableUser(e.ctx, adminA, b.ID); err != nil {
			t.Fatal(err)
		}
		_, grants, err = e.svc.CreateUser(e.ctx, adminA, auth.NewUser{Username: "admin-d", OrgID: a.OrgID, Roles: []auth.Role{auth.RoleAdmin}, Password: password})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.ConfirmGrant(e.ctx, cli, grants[0].ID); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("CLI confirms an admin with one of two admins disabled: got %v, want ErrForbidden", err)
		}
		if got, _ := e.svc.PendingGrants(e.ctx); len(got) != 1 {
			t.Errorf("pending grants after the refusal: %+v, want the admin-d grant", got)
		}
		if _, _, err := e.svc.CreateUser(e.ctx, auth.CLI("user-add"), auth.NewUser{Username: "admin-e", OrgID: a.OrgID, Roles: []auth.Role{auth.RoleAdmin}, Password: password}); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("CLI requests an admin after the bootstrap: got %v, want ErrForbidden", err)
		}
		if _, _, err := e.svc.CreateUser(e.ctx, auth.CLI("user-add"), auth.NewUser{Username: "officer-e", OrgID: police.ID, Roles: []auth.Role{auth.RoleOfficer}, Password: password}); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("CLI creates an officer after the bootstrap: got %v, want ErrForbidden", err)
		}
		// Non-privileged roles the command line still gives.
		f, _, err := e.svc.CreateUser(e.ctx, auth.CLI("user-add"), auth.NewUser{Username: "analyst-f", OrgID: police.ID, Roles: []auth.Role{auth.RoleAnalyst}, Password: password})
		if err != nil {
			t.Fatalf("CLI creates an analyst: %v", err)
		}
		if _, err := e.svc.RequestRoles(e.ctx, auth.CLI("user-add"), f.ID, []auth.Role{auth.RoleOfficer}); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("CLI requests a privileged role after the bootstrap: got %v, want ErrForbidden", err)
		}
		if _, _, err := e.svc.CreateToken(e.ctx, auth.CLI("token-create"), a.ID, "cli", 24*time.Hour); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("CLI token for an admin after the bootstrap: got %v, want ErrForbidden", err)
		}
		// Disable every admin: still no bootstrap.
		if err := e.svc.DisableUser(e.ctx, nil, a.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Bootstrap(e.ctx, auth.NewUser{Username: "root", Password: password}); !errors.Is(err, auth.ErrBootstrapDone) {
			t.Errorf("Bootstrap with every admin disabled: got %v, want ErrBootstrapDone", err)
		}
		if err := e.verify(t); err != nil {
			t.Errorf("verify: %v", err)
		}
	})
}

// TestNoDuplicateGrants checks that a user cannot hold or await one role
// twice, even when two requests race past RequestRoles' check.
func TestNoDuplicateGrants(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		o := e.org(t, "Kanto Electric", auth.OrgOperator, "electricity")
		u := e.seed(t, "tanaka", o, auth.RoleOperator)
		now := e.clock.Now()
		tests := []struct {
			name string
			g    auth.Grant
			want error
		}{
			{"second active grant of a held role",
				auth.Grant{ID: "grt_dup1", UserID: u.ID, Role: auth.RoleOperator, State: auth.GrantActive, RequestedBy: "system", RequestedAt: now}, auth.ErrExists},
			{"pending grant of a held role",
				auth.Grant{ID: "grt_dup2", UserID: u.ID, Role: auth.RoleOperator, State: auth.GrantPending, RequestedBy: "system", RequestedAt: now}, auth.ErrExists},
			{"another role",
				auth.Grant{ID: "grt_new", UserID: u.ID, Role: auth.RoleVendor, State: auth.GrantActive, RequestedBy: "system", RequestedAt: now}, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if err := auth.StoreGrant(e.ctx, e.svc, tt.g); !errors.Is(err, tt.want) {
					t.Errorf("got %v, want %v", err, tt.want)
				}
			})
		}
		// The database itself refuses the duplicate.
		_, err := db.Exec(e.ctx, `INSERT INTO auth_grants (id, user_id, role, state, requested_by, requested_at, confirmed_by, confirmed_at)
			VALUES ('grt_raw', ?, 'operator', 'active', 'system', '2026-04-01T09:00:00Z', '', '')`, u.ID)
		if !store.IsUniqueViolation(err) {
			t.Errorf("raw duplicate insert: got %v, want a unique violation", err)
		}
		// Concurrent requests for one role make one grant.
		var wg sync.WaitGroup
		errs := make([]error, 8)
		other := &auth.Principal{UserID: "usr_admin", Via: auth.ViaSession, MFA: true}
		for i := range errs {
			wg.Go(func() {
				_, errs[i] = e.svc.RequestRoles(e.ctx, other, u.ID, []auth.Role{auth.RoleCouncil})
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil && !errors.Is(err, auth.ErrExists) {
				t.Errorf("request %d: got %v, want nil or ErrExists", i, err)
			}
		}
		gs, err := e.svc.Grants(e.ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, g := range gs {
			if g.Role == auth.RoleCouncil {
				n++
			}
		}
		if n != 1 {
			t.Errorf("got %d council_member grants after concurrent requests, want 1", n)
		}
	})
}
