package auth_test

import (
	"errors"
	"testing"

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
