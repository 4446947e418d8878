package auth_test

import (
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
)

// TestConfirmIssuesTOTP checks DESIGN.md's separation of duties for the
// second factor: admin A creates X with a pending admin role and chooses X's
// password; admin B confirms and alone receives X's TOTP secret. A, who
// knows X's password, cannot log in as X and enrol an authenticator of A's
// own, and so cannot hold a second admin account alone.
func TestConfirmIssuesTOTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		sys := e.org(t, "Cabinet Office", auth.OrgAgency)
		a := e.seed(t, "admin-a", sys, auth.RoleAdmin)
		b := e.seed(t, "admin-b", sys, auth.RoleAdmin)

		x, grants, err := e.svc.CreateUser(e.ctx, adminPrincipal(a), auth.NewUser{Username: "user-x", OrgID: sys.ID, Roles: []auth.Role{auth.RoleAdmin}, Password: password})
		if err != nil {
			t.Fatal(err)
		}
		g, issued, err := e.svc.ConfirmGrant(e.ctx, adminPrincipal(b), grants[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if g.State != auth.GrantActive || issued == nil || issued.Secret == "" || !strings.HasPrefix(issued.URL, "otpauth://totp/") {
			t.Fatalf("confirm: got %+v, %+v; want an active grant and an issued secret with its otpauth URL", g, issued)
		}
		if v := e.column(t, "SELECT totp_issued FROM auth_users WHERE id = ?", x.ID); v == "" || strings.Contains(v, issued.Secret) {
			t.Errorf("issued secret stored as %q, want it sealed", v)
		}
		if got := e.auditCount(t, "account.totp_issue"); got != 1 {
			t.Errorf("got %d account.totp_issue entries, want 1", got)
		}
		var actor string
		db.QueryRow(e.ctx, "SELECT actor FROM audit_entries WHERE action = 'account.totp_issue'").Scan(&actor)
		if actor != b.ID {
			t.Errorf("account.totp_issue actor %q, want the confirming admin %q", actor, b.ID)
		}
		if u, _ := e.svc.User(e.ctx, x.ID); u.TOTPEnrolled {
			t.Error("X counts as enrolled before the first code")
		}
		if err := e.verify(t); err != nil {
			t.Fatalf("verify after issuing: %v", err)
		}

		// A, knowing X's password, logs in as X: a challenge without an
		// enrolment, which no code of A's own authenticator completes.
		res, err := e.svc.PasswordLogin(e.ctx, "user-x", password, "")
		if err != nil {
			t.Fatal(err)
		}
		if res.Challenge == nil || res.Challenge.Enrolment != nil {
			t.Fatalf("X's login: got %+v, want a challenge without enrolment", res)
		}
		const mine = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
		code, _ := totp.GenerateCode(mine, e.clock.Now())
		if _, err := e.svc.CompleteTOTP(e.ctx, res.Challenge.Token, code, ""); err != auth.ErrBadTOTP {
			t.Fatalf("X's login with A's own code: got %v, want ErrBadTOTP", err)
		}
		if u, _ := e.svc.User(e.ctx, x.ID); u.TOTPEnrolled {
			t.Error("a wrong code enrolled X")
		}

		// X, with the code from the secret B handed over, logs in; the
		// issued secret becomes X's.
		code, _ = totp.GenerateCode(issued.Secret, e.clock.Now())
		sess, err := e.svc.CompleteTOTP(e.ctx, res.Challenge.Token, code, "")
		if err != nil || !sess.MFA {
			t.Fatalf("X's login with the issued secret: %v", err)
		}
		if u, _ := e.svc.User(e.ctx, x.ID); !u.TOTPEnrolled {
			t.Error("X not enrolled after the first code of the issued secret")
		}
		if v := e.column(t, "SELECT totp_issued FROM auth_users WHERE id = ?", x.ID); v != "" {
			t.Errorf("issued secret still pending after its first use: %q", v)
		}
		if got := e.auditCount(t, "account.totp_activate"); got != 1 {
			t.Errorf("got %d account.totp_activate entries, want 1", got)
		}
		e.clock.Advance(30 * time.Second)
		if err := e.totpLogin("user-x", issued.Secret); err != nil {
			t.Errorf("X's next login: %v", err)
		}
		if err := e.verify(t); err != nil {
			t.Errorf("verify: %v", err)
		}
	})
}

// TestConfirmIssuesOnlyOnce checks that a grantee who already has an
// activated TOTP secret gets none issued again, while one whose issued
// secret is not yet activated gets a fresh one from the next confirming
// admin, replacing the earlier: whoever confirms last is who handed over the
// secret that works.
func TestConfirmIssuesOnlyOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		sys := e.org(t, "Cabinet Office", auth.OrgAgency)
		police := e.org(t, "National Police Agency", auth.OrgPolice)
		a := e.seed(t, "admin-a", sys, auth.RoleAdmin)
		b := e.seed(t, "admin-b", sys, auth.RoleAdmin)
		c := e.seed(t, "admin-c", sys, auth.RoleAdmin)

		_, grants, err := e.svc.CreateUser(e.ctx, adminPrincipal(a), auth.NewUser{Username: "yamada", OrgID: police.ID,
			Roles: []auth.Role{auth.RoleOfficer, auth.RoleCommander}, Password: password})
		if err != nil {
			t.Fatal(err)
		}
		_, first, err := e.svc.ConfirmGrant(e.ctx, adminPrincipal(b), grants[0].ID)
		if err != nil || first == nil {
			t.Fatalf("first confirmation: %v, issued %v; want a secret issued", err, first)
		}
		_, second, err := e.svc.ConfirmGrant(e.ctx, adminPrincipal(c), grants[1].ID)
		if err != nil || second == nil || second.Secret == first.Secret {
			t.Fatalf("second confirmation: %v, issued %v; want a fresh secret replacing the first", err, second)
		}
		if err := e.totpLogin("yamada", first.Secret); err != auth.ErrBadTOTP {
			t.Errorf("login with the replaced secret: got %v, want ErrBadTOTP", err)
		}
		if err := e.totpLogin("yamada", second.Secret); err != nil {
			t.Errorf("login with the fresh secret: %v", err)
		}

		// A seeded officer enrolled at first login gets none either.
		sato := e.seed(t, "sato", police, auth.RoleOfficer)
		e.enrol(t, "sato")
		got, err := e.svc.RequestRoles(e.ctx, adminPrincipal(a), sato.ID, []auth.Role{auth.RoleCommander})
		if err != nil {
			t.Fatal(err)
		}
		if _, issued, err := e.svc.ConfirmGrant(e.ctx, adminPrincipal(b), got[0].ID); err != nil || issued != nil {
			t.Fatalf("confirmation for an enrolled user: %v, issued %v; want none issued", err, issued)
		}
		if got := e.auditCount(t, "account.totp_issue"); got != 2 {
			t.Errorf("got %d account.totp_issue entries, want 2", got)
		}
	})
}

// TestDirectGrantsSelfEnrol checks that accounts whose privileged roles were
// granted directly (Bootstrap, SeedUser) still enrol at their first login.
func TestDirectGrantsSelfEnrol(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		if _, err := e.svc.Bootstrap(e.ctx, auth.NewUser{Username: "root", Password: password}); err != nil {
			t.Fatal(err)
		}
		e.enrol(t, "root")
		police := e.org(t, "National Police Agency", auth.OrgPolice)
		e.seed(t, "yamada", police, auth.RoleOfficer)
		e.enrol(t, "yamada")
	})
}
