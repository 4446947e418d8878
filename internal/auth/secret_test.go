package auth_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
)

// enrol logs username in for the first time and completes the TOTP
// enrolment, returning the secret.
func (e *env) enrol(t *testing.T, username string) string {
	t.Helper()
	res, err := e.svc.PasswordLogin(e.ctx, username, password, "")
	if err != nil {
		t.Fatalf("login %s: %v", username, err)
	}
	if res.Challenge == nil || res.Challenge.Enrolment == nil {
		t.Fatalf("login %s: got %+v, want an enrolment challenge", username, res)
	}
	secret := res.Challenge.Enrolment.Secret
	code, _ := totp.GenerateCode(secret, e.clock.Now())
	if _, err := e.svc.CompleteTOTP(e.ctx, res.Challenge.Token, code, ""); err != nil {
		t.Fatalf("enrol %s: %v", username, err)
	}
	return secret
}

// totpLogin logs username in with a code of secret at the clock's time.
func (e *env) totpLogin(username, secret string) error {
	res, err := e.svc.PasswordLogin(e.ctx, username, password, "")
	if err != nil {
		return err
	}
	code, _ := totp.GenerateCode(secret, e.clock.Now())
	_, err = e.svc.CompleteTOTP(e.ctx, res.Challenge.Token, code, "")
	return err
}

func (e *env) column(t *testing.T, q string, args ...any) string {
	t.Helper()
	var v string
	if err := e.db.QueryRow(e.ctx, q, args...).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestTOTPSecretsSealed checks that TOTP secrets are never in the database in
// clear, and that a sealed secret is bound to its user.
func TestTOTPSecretsSealed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		police := e.org(t, "National Police Agency", auth.OrgPolice)
		yamada := e.seed(t, "yamada", police, auth.RoleOfficer)
		sato := e.seed(t, "sato", police, auth.RoleOfficer)

		// The enrolment secret of a pending challenge is sealed too.
		res, err := e.svc.PasswordLogin(e.ctx, "yamada", password, "")
		if err != nil {
			t.Fatal(err)
		}
		pending := res.Challenge.Enrolment.Secret
		if v := e.column(t, "SELECT enrol_secret FROM auth_challenges WHERE user_id = ?", yamada.ID); v == "" || strings.Contains(v, pending) {
			t.Errorf("challenge enrolment secret stored as %q, want it sealed", v)
		}

		secret := e.enrol(t, "yamada")
		stored := e.column(t, "SELECT totp_secret FROM auth_users WHERE id = ?", yamada.ID)
		if stored == "" || strings.Contains(stored, secret) {
			t.Errorf("TOTP secret stored as %q, want it sealed", stored)
		}
		e.clock.Advance(30 * time.Second)
		if err := e.totpLogin("yamada", secret); err != nil {
			t.Fatalf("TOTP login with the sealed secret: %v", err)
		}
		if err := e.verify(t); err != nil {
			t.Fatalf("verify: %v", err)
		}

		// Yamada's sealed secret copied into Sato's row does not open for
		// Sato: Yamada's codes do not log Sato in.
		satoSecret := e.enrol(t, "sato")
		if _, err := db.Exec(e.ctx, "UPDATE auth_users SET totp_secret = ? WHERE id = ?", stored, sato.ID); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(30 * time.Second)
		if err := e.totpLogin("sato", secret); err != auth.ErrBadTOTP {
			t.Errorf("Sato with Yamada's sealed secret and code: got %v, want ErrBadTOTP", err)
		}
		if err := e.totpLogin("sato", satoSecret); err != auth.ErrBadTOTP {
			t.Errorf("Sato with the copied value and Sato's code: got %v, want ErrBadTOTP", err)
		}
	})
}

// TestClearSecretsSealedAtStart checks that New seals a TOTP secret an
// earlier version stored in clear, and audits it so the log still verifies.
// TestPlantedClearSecretIsRefused: someone who can write the database but
// not read the keys plants a TOTP secret of their own, in clear, on an
// officer. It does not log in, a restart does not bless it, and the log's
// data check names the officer.
func TestPlantedClearSecretIsRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		police := e.org(t, "National Police Agency", auth.OrgPolice)
		yamada := e.seed(t, "yamada", police, auth.RoleOfficer)
		const clear = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
		if _, err := db.Exec(e.ctx, "UPDATE auth_users SET totp_secret = ? WHERE id = ?", clear, yamada.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := auth.New(e.ctx, db, e.log, auth.Config{Keys: e.ring, Now: e.clock.Now, Argon2: testArgon2}); err != nil {
			t.Fatal(err)
		}
		if v := e.column(t, "SELECT totp_secret FROM auth_users WHERE id = ?", yamada.ID); v != clear {
			t.Errorf("a restart changed the planted secret to %q", v)
		}
		if err := e.totpLogin("yamada", clear); !errors.Is(err, auth.ErrBadTOTP) {
			t.Errorf("login with a planted clear secret: got %v, want ErrBadTOTP", err)
		}
		err := e.verify(t)
		var ve *auditlog.VerifyError
		if !errors.As(err, &ve) || !strings.Contains(ve.Reason, "user/"+yamada.ID) {
			t.Errorf("verify: got %v, want the officer's record named", err)
		}
	})
}

func TestNewNeedsKeys(t *testing.T) {
	db := storetest.SQLite(t)
	e := newEnv(t, db)
	if _, err := auth.New(e.ctx, db, e.log, auth.Config{Argon2: testArgon2}); err == nil {
		t.Error("New without a key ring: got no error")
	}
}
