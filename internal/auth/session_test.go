package auth_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pquerna/otp/totp"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
)

func TestPasswordLogin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		o := e.org(t, "Kanto Electric", auth.OrgOperator, "electricity")
		e.seed(t, "tanaka", o, auth.RoleOperator)
		gone := e.seed(t, "suzuki", o, auth.RoleOperator)
		if err := e.svc.DisableUser(e.ctx, nil, gone.ID); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name, user, pw string
			want           error
		}{
			{"right password", "tanaka", password, nil},
			{"username case-insensitive", "Tanaka", password, nil},
			{"wrong password", "tanaka", "wrong password!", auth.ErrBadCredentials},
			{"unknown user", "nobody", password, auth.ErrBadCredentials},
			{"disabled user, right password", "suzuki", password, auth.ErrBadCredentials},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				res, err := e.svc.PasswordLogin(e.ctx, tt.user, tt.pw, "192.0.2.7:5555")
				if err != tt.want { // the same value, not merely wrapping it
					t.Fatalf("got error %v, want %v", err, tt.want)
				}
				if tt.want == nil && (res.Session == nil || res.Challenge != nil) {
					t.Fatalf("got %+v, want a session and no challenge", res)
				}
				if tt.want == nil && res.Session.MFA {
					t.Error("password-only session has MFA")
				}
			})
		}
		if got, want := e.auditCount(t, "session.create"), 2; got != want {
			t.Errorf("got %d session.create entries, want %d", got, want)
		}
	})
}

func TestLoginRateLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		o := e.org(t, "Kanto Electric", auth.OrgOperator, "electricity")
		e.seed(t, "tanaka", o, auth.RoleOperator)
		e.seed(t, "sato", o, auth.RoleOperator)

		// Five failures for one username lock it, from any address, even
		// with the right password.
		for i := range 5 {
			if _, err := e.svc.PasswordLogin(e.ctx, "tanaka", "wrong password!", fmt.Sprintf("198.51.100.%d:1", i)); err != auth.ErrBadCredentials {
				t.Fatalf("failure %d: got %v, want ErrBadCredentials", i, err)
			}
		}
		if _, err := e.svc.PasswordLogin(e.ctx, "tanaka", password, "203.0.113.9:1"); err != auth.ErrRateLimited {
			t.Fatalf("after 5 failures: got %v, want ErrRateLimited", err)
		}
		// Other users are not affected.
		e.login(t, "sato")
		// The lock lifts when the window passes.
		e.clock.Advance(15*time.Minute + time.Second)
		e.login(t, "tanaka")

		// Twenty failures from one address lock that address for every
		// username, unknown ones included.
		for i := range 20 {
			e.svc.PasswordLogin(e.ctx, fmt.Sprintf("guess%d", i), "wrong password!", "203.0.113.50:999")
		}
		if _, err := e.svc.PasswordLogin(e.ctx, "sato", password, "203.0.113.50:1000"); err != auth.ErrRateLimited {
			t.Fatalf("after 20 failures from one address: got %v, want ErrRateLimited", err)
		}
		if _, err := e.svc.PasswordLogin(e.ctx, "sato", password, "203.0.113.51:1000"); err != nil {
			t.Fatalf("from another address: got %v, want nil", err)
		}
	})
}

func TestTOTPEnrolmentAndLogin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		police := e.org(t, "National Police Agency", auth.OrgPolice)
		officer := e.seed(t, "yamada", police, auth.RoleOfficer)

		res, err := e.svc.PasswordLogin(e.ctx, "yamada", password, "192.0.2.1:1")
		if err != nil {
			t.Fatal(err)
		}
		if res.Session != nil || res.Challenge == nil || res.Challenge.Enrolment == nil {
			t.Fatalf("got %+v, want a challenge with an enrolment and no session", res)
		}
		enr := res.Challenge.Enrolment
		if !strings.HasPrefix(enr.URL, "otpauth://totp/") || !strings.Contains(enr.URL, "secret="+enr.Secret) {
			t.Errorf("got enrolment URL %q, want an otpauth://totp/ URL with the secret", enr.URL)
		}
		if u, _ := e.svc.User(e.ctx, officer.ID); u.TOTPEnrolled {
			t.Error("the secret was saved on the user before it was confirmed")
		}

		// A wrong code is refused; the challenge survives it.
		if _, err := e.svc.CompleteTOTP(e.ctx, res.Challenge.Token, "000000", "192.0.2.1:1"); err != auth.ErrBadTOTP {
			t.Fatalf("wrong code: got %v, want ErrBadTOTP", err)
		}
		code, err := totp.GenerateCode(enr.Secret, e.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		sess, err := e.svc.CompleteTOTP(e.ctx, res.Challenge.Token, code, "192.0.2.1:1")
		if err != nil {
			t.Fatalf("right code: %v", err)
		}
		if !sess.MFA {
			t.Error("session after TOTP has MFA false")
		}
		if u, _ := e.svc.User(e.ctx, officer.ID); !u.TOTPEnrolled {
			t.Error("TOTP not enrolled after the first valid code")
		}
		if p, err := e.withCookie(sess); err != nil || !p.MFA || !p.Has(auth.RoleOfficer) {
			t.Errorf("Authenticate = %+v, %v; want an officer with MFA", p, err)
		}
		// A completed challenge cannot be used again.
		if _, err := e.svc.CompleteTOTP(e.ctx, res.Challenge.Token, code, "192.0.2.1:1"); err != auth.ErrChallengeExpired {
			t.Errorf("reused challenge: got %v, want ErrChallengeExpired", err)
		}

		// The next login asks for a code without an enrolment, and refuses
		// the code already used in this time step.
		res, err = e.svc.PasswordLogin(e.ctx, "yamada", password, "192.0.2.1:1")
		if err != nil {
			t.Fatal(err)
		}
		if res.Challenge == nil || res.Challenge.Enrolment != nil {
			t.Fatalf("got %+v, want a challenge without enrolment", res)
		}
		if _, err := e.svc.CompleteTOTP(e.ctx, res.Challenge.Token, code, "192.0.2.1:1"); err != auth.ErrBadTOTP {
			t.Fatalf("replayed code: got %v, want ErrBadTOTP", err)
		}
		e.clock.Advance(30 * time.Second)
		code, _ = totp.GenerateCode(enr.Secret, e.clock.Now())
		if _, err := e.svc.CompleteTOTP(e.ctx, res.Challenge.Token, code, "192.0.2.1:1"); err != nil {
			t.Fatalf("next step's code: %v", err)
		}

		// A challenge expires after five minutes.
		res, _ = e.svc.PasswordLogin(e.ctx, "yamada", password, "192.0.2.1:1")
		e.clock.Advance(5*time.Minute + time.Second)
		code, _ = totp.GenerateCode(enr.Secret, e.clock.Now())
		if _, err := e.svc.CompleteTOTP(e.ctx, res.Challenge.Token, code, "192.0.2.1:1"); err != auth.ErrChallengeExpired {
			t.Fatalf("expired challenge: got %v, want ErrChallengeExpired", err)
		}
		if _, err := e.svc.CompleteTOTP(e.ctx, "no-such-challenge", code, "192.0.2.1:1"); err != auth.ErrChallengeExpired {
			t.Fatalf("unknown challenge: got %v, want ErrChallengeExpired", err)
		}

		if got := e.auditCount(t, "account.totp_enrol"); got != 1 {
			t.Errorf("got %d account.totp_enrol entries, want 1", got)
		}
	})
}

func TestTOTPChallengeSpentByWrongCodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.org(t, "Commission", auth.OrgCommission)
		e.seed(t, "chair", c, auth.RoleCommissionChair)
		res, err := e.svc.PasswordLogin(e.ctx, "chair", password, "192.0.2.1:1")
		if err != nil {
			t.Fatal(err)
		}
		for i := range 5 {
			if _, err := e.svc.CompleteTOTP(e.ctx, res.Challenge.Token, "12345"+fmt.Sprint(i), "192.0.2.1:1"); err != auth.ErrBadTOTP {
				t.Fatalf("wrong code %d: got %v, want ErrBadTOTP", i, err)
			}
		}
		code, _ := totp.GenerateCode(res.Challenge.Enrolment.Secret, e.clock.Now())
		if _, err := e.svc.CompleteTOTP(e.ctx, res.Challenge.Token, code, "192.0.2.1:1"); !errors.Is(err, auth.ErrChallengeExpired) && !errors.Is(err, auth.ErrRateLimited) {
			t.Fatalf("after 5 wrong codes: got %v, want ErrChallengeExpired or ErrRateLimited", err)
		}
		// The wrong codes count as failed logins for the username.
		if _, err := e.svc.PasswordLogin(e.ctx, "chair", password, "192.0.2.2:1"); err != auth.ErrRateLimited {
			t.Fatalf("password after 5 wrong codes: got %v, want ErrRateLimited", err)
		}
	})
}

func TestAuthenticateSession(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		o := e.org(t, "Tokyo Gas", auth.OrgOperator, "gas")
		u := e.seed(t, "tanaka", o, auth.RoleOperator)
		sess := e.login(t, "tanaka")

		c := e.svc.Cookie(sess, true)
		if c.Name != auth.SessionCookie || !c.HttpOnly || !c.Secure || c.Path != "/" || c.SameSite != http.SameSiteLaxMode {
			t.Errorf("got cookie %+v, want acd_session, HttpOnly, Secure, Path=/, SameSite=Lax", c)
		}
		if c := e.svc.Cookie(sess, false); c.Secure {
			t.Error("cookie without TLS is Secure")
		}

		p, err := e.withCookie(sess)
		if err != nil {
			t.Fatal(err)
		}
		want := &auth.Principal{UserID: u.ID, Username: "tanaka", OrgID: o.ID, OrgKind: auth.OrgOperator,
			Sectors: []string{"gas"}, Roles: []auth.Role{auth.RoleOperator}, Via: auth.ViaSession, CSRFToken: sess.CSRFToken}
		if diff := cmp.Diff(want, p); diff != "" {
			t.Errorf("principal (-want +got):\n%s", diff)
		}
		if sess.CSRFToken == "" || sess.CSRFToken == sess.Token {
			t.Error("session has no CSRF token of its own")
		}

		// The database holds no raw token.
		var n int
		db.QueryRow(e.ctx, "SELECT COUNT(*) FROM auth_sessions WHERE token_hash = ?", sess.Token).Scan(&n)
		if n != 0 {
			t.Error("session token stored in the clear")
		}

		// No credentials: the public.
		if p, err := e.svc.Authenticate(httptest.NewRequest(http.MethodGet, "/", nil)); p != nil || err != nil {
			t.Errorf("no credentials: got %v, %v; want nil, nil", p, err)
		}
		// A made-up cookie.
		if _, err := e.withCookie(&auth.Session{Token: "forged", ExpiresAt: e.clock.Now().Add(time.Hour)}); err != auth.ErrUnauthenticated {
			t.Errorf("forged cookie: got %v, want ErrUnauthenticated", err)
		}
		// Expiry after 12 hours.
		e.clock.Advance(12*time.Hour - time.Second)
		if _, err := e.withCookie(sess); err != nil {
			t.Errorf("just before expiry: got %v, want nil", err)
		}
		e.clock.Advance(time.Second)
		if _, err := e.withCookie(sess); err != auth.ErrUnauthenticated {
			t.Errorf("at expiry: got %v, want ErrUnauthenticated", err)
		}

		// Logout ends the session.
		sess = e.login(t, "tanaka")
		if err := e.svc.Logout(e.ctx, sess.Token); err != nil {
			t.Fatal(err)
		}
		if _, err := e.withCookie(sess); err != auth.ErrUnauthenticated {
			t.Errorf("after logout: got %v, want ErrUnauthenticated", err)
		}
		if err := e.svc.Logout(e.ctx, sess.Token); err != nil {
			t.Errorf("second logout: got %v, want nil", err)
		}
		if got := e.auditCount(t, "session.logout"); got != 1 {
			t.Errorf("got %d session.logout entries, want 1", got)
		}
	})
}

func TestIdleTimeout(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		svc, err := auth.New(e.ctx, db, e.log, auth.Config{Keys: e.ring, Now: e.clock.Now, Argon2: testArgon2, IdleTimeout: 30 * time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		e.svc = svc
		o := e.org(t, "Tokyo Gas", auth.OrgOperator, "gas")
		e.seed(t, "tanaka", o, auth.RoleOperator)
		sess := e.login(t, "tanaka")
		for range 3 { // used every 20 minutes: stays alive
			e.clock.Advance(20 * time.Minute)
			if _, err := e.withCookie(sess); err != nil {
				t.Fatalf("active session: %v", err)
			}
		}
		e.clock.Advance(30 * time.Minute)
		if _, err := e.withCookie(sess); err != auth.ErrUnauthenticated {
			t.Errorf("idle 30 minutes: got %v, want ErrUnauthenticated", err)
		}
	})
}

// TestVerifyUserPasswordRateLimit checks that checking the current password
// (before changing it) counts failures with logins, per user.
func TestVerifyUserPasswordRateLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		o := e.org(t, "Kanto Electric", auth.OrgOperator, "electricity")
		u := e.seed(t, "tanaka", o, auth.RoleOperator)
		sato := e.seed(t, "sato", o, auth.RoleOperator)

		for i := range 5 {
			if err := e.svc.VerifyUserPassword(e.ctx, u.ID, "wrong password!"); err != auth.ErrBadCredentials {
				t.Fatalf("failure %d: got %v, want ErrBadCredentials", i, err)
			}
		}
		if err := e.svc.VerifyUserPassword(e.ctx, u.ID, password); err != auth.ErrRateLimited {
			t.Fatalf("after 5 failures, right password: got %v, want ErrRateLimited", err)
		}
		// The same limit holds at the login page.
		if _, err := e.svc.PasswordLogin(e.ctx, "tanaka", password, "192.0.2.1:1"); err != auth.ErrRateLimited {
			t.Errorf("login after 5 failed checks: got %v, want ErrRateLimited", err)
		}
		// Other users are not affected.
		if err := e.svc.VerifyUserPassword(e.ctx, sato.ID, password); err != nil {
			t.Errorf("another user: got %v, want nil", err)
		}
		// The lock lifts when the window passes.
		e.clock.Advance(15*time.Minute + time.Second)
		if err := e.svc.VerifyUserPassword(e.ctx, u.ID, password); err != nil {
			t.Errorf("after the window: got %v, want nil", err)
		}

		// Failed logins count here too.
		for range 5 {
			e.svc.PasswordLogin(e.ctx, "sato", "wrong password!", "192.0.2.1:1")
		}
		if err := e.svc.VerifyUserPassword(e.ctx, sato.ID, password); err != auth.ErrRateLimited {
			t.Errorf("after 5 failed logins: got %v, want ErrRateLimited", err)
		}
	})
}
