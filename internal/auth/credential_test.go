package auth_test

import (
	"errors"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
)

// TestCredentialsComeFromTwoAdmins: the admin who set a user's password may
// not also issue the user's TOTP secret (at a grant confirmation or a
// re-issue), and the admin who issued the secret may not reset the password.
func TestCredentialsComeFromTwoAdmins(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		sys := e.org(t, "Sys", auth.OrgSystemAdmin)
		agency := e.org(t, "Agency", auth.OrgAgency)
		a := adminPrincipal(e.seed(t, "admin-a", sys, auth.RoleAdmin))
		b := adminPrincipal(e.seed(t, "admin-b", sys, auth.RoleAdmin))
		c := adminPrincipal(e.seed(t, "admin-c", sys, auth.RoleAdmin))

		// C creates X (so C set X's password); A asks for the commission role.
		x, _, err := e.svc.CreateUser(e.ctx, c, auth.NewUser{Username: "xavier", OrgID: agency.ID, Roles: []auth.Role{auth.RoleCouncil}, Password: password})
		if err != nil {
			t.Fatal(err)
		}
		gs, err := e.svc.RequestRoles(e.ctx, a, x.ID, []auth.Role{auth.RoleCommissionMember})
		if err != nil {
			t.Fatal(err)
		}
		// C confirming would hand C the second factor too.
		if _, _, err := e.svc.ConfirmGrant(e.ctx, c, gs[0].ID); !errors.Is(err, auth.ErrSameAdmin) {
			t.Fatalf("confirm by the admin who set the password: got %v, want ErrSameAdmin", err)
		}
		_, enr, err := e.svc.ConfirmGrant(e.ctx, b, gs[0].ID)
		if err != nil || enr == nil {
			t.Fatalf("confirm by B: %v, enrolment %v", err, enr)
		}
		// X activates the secret B handed over (a re-issue is only for an
		// activated secret).
		if err := e.totpLogin("xavier", enr.Secret); err != nil {
			t.Fatalf("X's first login: %v", err)
		}
		// B issued the secret, so B may not reset X's password; A may.
		if err := e.svc.SetPassword(e.ctx, b, x.ID, "another long password"); !errors.Is(err, auth.ErrSameAdmin) {
			t.Errorf("password reset by the TOTP issuer: got %v, want ErrSameAdmin", err)
		}
		if err := e.svc.SetPassword(e.ctx, a, x.ID, "another long password"); err != nil {
			t.Errorf("password reset by A: %v", err)
		}
		// A set the password now, so A may not re-issue the secret; C may.
		if _, err := e.svc.ReissueTOTP(e.ctx, a, x.ID); !errors.Is(err, auth.ErrSameAdmin) {
			t.Errorf("re-issue by the admin who set the password: got %v, want ErrSameAdmin", err)
		}
		if _, err := e.svc.ReissueTOTP(e.ctx, selfPrincipal(x), x.ID); !errors.Is(err, auth.ErrSelfGrant) {
			t.Errorf("re-issue of one's own secret: got %v, want ErrSelfGrant", err)
		}
		if err := e.verify(t); err != nil {
			t.Errorf("verify: %v", err)
		}
	})
}

func selfPrincipal(u auth.User) *auth.Principal {
	return &auth.Principal{UserID: u.ID, Roles: u.Roles, Via: auth.ViaSession, MFA: true}
}

// TestReissueTOTP: a user who lost the authenticator gets a new secret from
// a second admin; the old secret stops working and the sessions end.
func TestReissueTOTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		sys := e.org(t, "Sys", auth.OrgSystemAdmin)
		a := adminPrincipal(e.seed(t, "admin-a", sys, auth.RoleAdmin))
		// A seeded admin enrols itself at first login.
		res, err := e.svc.PasswordLogin(e.ctx, "admin-a", password, "192.0.2.1:1")
		if err != nil || res.Challenge == nil || res.Challenge.Enrolment == nil {
			t.Fatalf("first login: %v %+v", err, res)
		}
		old := res.Challenge.Enrolment.Secret
		code, _ := totp.GenerateCode(old, e.clock.Now())
		sess, err := e.svc.CompleteTOTP(e.ctx, res.Challenge.Token, code, "192.0.2.1:1")
		if err != nil {
			t.Fatal(err)
		}
		b := adminPrincipal(e.seed(t, "admin-b", sys, auth.RoleAdmin))
		enr, err := e.svc.ReissueTOTP(e.ctx, b, a.UserID)
		if err != nil || enr == nil || enr.Secret == old {
			t.Fatalf("re-issue: %v, %+v", err, enr)
		}
		if _, err := e.withCookie(sess); !errors.Is(err, auth.ErrUnauthenticated) {
			t.Errorf("session after re-issue: got %v, want ErrUnauthenticated", err)
		}
		if err := e.verify(t); err != nil {
			t.Errorf("verify right after the re-issue: %v", err)
		}
		e.clock.Advance(60e9)
		res, err = e.svc.PasswordLogin(e.ctx, "admin-a", password, "192.0.2.1:1")
		if err != nil || res.Challenge == nil || res.Challenge.Enrolment != nil {
			t.Fatalf("login after re-issue: %v %+v; want a challenge without enrolment", err, res)
		}
		oldCode, _ := totp.GenerateCode(old, e.clock.Now())
		if _, err := e.svc.CompleteTOTP(e.ctx, res.Challenge.Token, oldCode, "192.0.2.1:1"); !errors.Is(err, auth.ErrBadTOTP) {
			t.Errorf("old secret after re-issue: got %v, want ErrBadTOTP", err)
		}
		newCode, _ := totp.GenerateCode(enr.Secret, e.clock.Now())
		if _, err := e.svc.CompleteTOTP(e.ctx, res.Challenge.Token, newCode, "192.0.2.1:1"); err != nil {
			t.Errorf("new secret: %v", err)
		}
		if err := e.verify(t); err != nil {
			t.Errorf("verify: %v", err)
		}
	})
}

// TestOwnPasswordChangeKeepsSetBy replays how one admin could hold a
// privileged account alone: admin A creates X without privileged roles and
// chooses X's password, logs in as X (no second factor needed) and changes
// the password on the self-service page, then asks for X's TOTP secret with
// a re-issue and for a privileged role for X; B confirms. A must end up with
// no secret of X's: the own change keeps A as the one who set the password,
// the re-issue is refused for a user without an activated secret, and B's
// confirmation issues a fresh secret to B.
func TestOwnPasswordChangeKeepsSetBy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		sys := e.org(t, "Sys", auth.OrgSystemAdmin)
		agency := e.org(t, "Agency", auth.OrgAgency)
		a := adminPrincipal(e.seed(t, "admin-a", sys, auth.RoleAdmin))
		b := adminPrincipal(e.seed(t, "admin-b", sys, auth.RoleAdmin))

		x, _, err := e.svc.CreateUser(e.ctx, a, auth.NewUser{Username: "xavier", OrgID: agency.ID, Roles: []auth.Role{auth.RoleCouncil}, Password: password})
		if err != nil {
			t.Fatal(err)
		}
		// A logs in as X and changes the password, as the self-service page does.
		xp, err := e.withCookie(e.login(t, "xavier"))
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.VerifyUserPassword(e.ctx, x.ID, password); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.SetPassword(e.ctx, xp, x.ID, password); err != nil {
			t.Fatalf("own password change: %v", err)
		}
		if got := e.column(t, "SELECT password_set_by FROM auth_users WHERE id = ?", x.ID); got != a.UserID {
			t.Errorf("password_set_by after the own change: got %q, want admin A %q", got, a.UserID)
		}
		// A asks for X's TOTP secret: X holds no privileged role and no
		// activated secret, so there is nothing to re-issue.
		var aSecret string
		enr, err := e.svc.ReissueTOTP(e.ctx, a, x.ID)
		if !errors.Is(err, auth.ErrInvalid) {
			t.Errorf("re-issue by A for a non-privileged user: got %v, want ErrInvalid", err)
		}
		if enr != nil {
			aSecret = enr.Secret
		}
		// A requests a privileged role; B confirms and is issued the secret.
		gs, err := e.svc.RequestRoles(e.ctx, a, x.ID, []auth.Role{auth.RoleCommissionMember})
		if err != nil {
			t.Fatal(err)
		}
		_, issued, err := e.svc.ConfirmGrant(e.ctx, b, gs[0].ID)
		if err != nil {
			t.Fatalf("confirm by B: %v", err)
		}
		if issued == nil || issued.Secret == aSecret {
			t.Fatalf("confirm by B: issued %+v, want a fresh secret for B", issued)
		}
		var by string
		db.QueryRow(e.ctx, "SELECT actor FROM audit_entries WHERE action = 'account.totp_issue' ORDER BY idx DESC LIMIT 1").Scan(&by)
		if by != b.UserID {
			t.Errorf("latest account.totp_issue by %q, want B %q", by, b.UserID)
		}
		// A, with X's password and whatever A was handed, cannot log in as X.
		if aSecret != "" {
			if err := e.totpLogin("xavier", aSecret); !errors.Is(err, auth.ErrBadTOTP) {
				t.Errorf("X's login with the secret A got: %v, want ErrBadTOTP", err)
			}
		}
		e.clock.Advance(30e9)
		if err := e.totpLogin("xavier", issued.Secret); err != nil {
			t.Errorf("X's login with the secret B handed over: %v", err)
		}
		if err := e.verify(t); err != nil {
			t.Errorf("verify: %v", err)
		}
	})
}

// TestReissueNeedsActivatedSecret: re-issue is for a privileged user who
// lost an activated authenticator; an issued secret not yet used is
// replaced only by a new confirmation.
func TestReissueNeedsActivatedSecret(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		sys := e.org(t, "Sys", auth.OrgSystemAdmin)
		agency := e.org(t, "Agency", auth.OrgAgency)
		a := adminPrincipal(e.seed(t, "admin-a", sys, auth.RoleAdmin))
		b := adminPrincipal(e.seed(t, "admin-b", sys, auth.RoleAdmin))
		c := adminPrincipal(e.seed(t, "admin-c", sys, auth.RoleAdmin))
		x, gs, err := e.svc.CreateUser(e.ctx, a, auth.NewUser{Username: "xavier", OrgID: agency.ID, Roles: []auth.Role{auth.RoleCommissionMember}, Password: password})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.ConfirmGrant(e.ctx, b, gs[0].ID); err != nil {
			t.Fatal(err)
		}
		// Issued, not activated: no re-issue, by anyone.
		if _, err := e.svc.ReissueTOTP(e.ctx, c, x.ID); !errors.Is(err, auth.ErrInvalid) {
			t.Errorf("re-issue of a secret not yet activated: got %v, want ErrInvalid", err)
		}
	})
}

// TestResetAndReissueRevokeTokens: an admin's password reset and a TOTP
// re-issue revoke all the user's API tokens (each audited), so that whoever
// held the account before keeps no way in; the user's own password change
// keeps them.
func TestResetAndReissueRevokeTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		sys := e.org(t, "Sys", auth.OrgSystemAdmin)
		agency := e.org(t, "Agency", auth.OrgAgency)
		a := adminPrincipal(e.seed(t, "admin-a", sys, auth.RoleAdmin))
		b := adminPrincipal(e.seed(t, "admin-b", sys, auth.RoleAdmin))
		x, gs, err := e.svc.CreateUser(e.ctx, a, auth.NewUser{Username: "xavier", OrgID: agency.ID, Roles: []auth.Role{auth.RoleCouncil, auth.RoleCommissionMember}, Password: password})
		if err != nil {
			t.Fatal(err)
		}
		var pending string
		for _, g := range gs {
			if g.State == auth.GrantPending {
				pending = g.ID
			}
		}
		_, enr, err := e.svc.ConfirmGrant(e.ctx, b, pending)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.totpLogin("xavier", enr.Secret); err != nil {
			t.Fatal(err)
		}
		x, _ = e.svc.User(e.ctx, x.ID)
		token := func(name string) string {
			t.Helper()
			raw, _, err := e.svc.CreateToken(e.ctx, selfPrincipal(x), x.ID, name, 24*time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			return raw
		}
		works := func(raw string) bool {
			_, err := e.withBearer(raw)
			return err == nil
		}

		// The user's own change keeps the tokens.
		own := token("own")
		if err := e.svc.SetPassword(e.ctx, selfPrincipal(x), x.ID, password); err != nil {
			t.Fatal(err)
		}
		if !works(own) {
			t.Error("token revoked by the user's own password change")
		}
		// An admin's reset revokes them.
		revokes := e.auditCount(t, "token.revoke")
		if err := e.svc.SetPassword(e.ctx, a, x.ID, password); err != nil {
			t.Fatal(err)
		}
		if works(own) {
			t.Error("token still works after an admin's password reset")
		}
		if got := e.auditCount(t, "token.revoke"); got != revokes+1 {
			t.Errorf("token.revoke entries after the reset: got %d, want %d", got, revokes+1)
		}
		// So does a TOTP re-issue (by B, who did not set the password).
		e.clock.Advance(30 * time.Second)
		if err := e.totpLogin("xavier", enr.Secret); err != nil {
			t.Fatal(err)
		}
		t1, t2 := token("one"), token("two")
		if _, err := e.svc.ReissueTOTP(e.ctx, b, x.ID); err != nil {
			t.Fatal(err)
		}
		if works(t1) || works(t2) {
			t.Error("token still works after a TOTP re-issue")
		}
		if got := e.auditCount(t, "token.revoke"); got != revokes+3 {
			t.Errorf("token.revoke entries after the re-issue: got %d, want %d", got, revokes+3)
		}
		if err := e.verify(t); err != nil {
			t.Errorf("verify: %v", err)
		}
	})
}
