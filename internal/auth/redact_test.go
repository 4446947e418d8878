package auth_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
)

func TestSecretsRedactedInLogs(t *testing.T) {
	sess := &auth.Session{ID: "ses_1", Token: "SESSIONSECRET", CSRFToken: "CSRFSECRET", ExpiresAt: time.Now()}
	ch := &auth.Challenge{Token: "CHALLENGESECRET", Enrolment: &auth.Enrolment{Secret: "TOTPSECRET", URL: "otpauth://totp/x?secret=TOTPSECRET"}}
	nu := auth.NewUser{Username: "tanaka", Password: "PASSWORDSECRET"}
	var buf bytes.Buffer
	l := slog.New(slog.NewJSONHandler(&buf, nil))
	l.Info("x", "session", sess, "session_value", *sess, "challenge", ch, "enrolment", ch.Enrolment,
		"result", auth.LoginResult{Session: sess, Challenge: ch}, "new_user", nu)
	for _, secret := range []string{"SESSIONSECRET", "CSRFSECRET", "CHALLENGESECRET", "TOTPSECRET", "PASSWORDSECRET"} {
		if strings.Contains(buf.String(), secret) {
			t.Errorf("log output contains %s: %s", secret, buf.String())
		}
	}
}

// TestLoginFailureLogs checks what a failed login logs: the username only
// when such an account exists (users type passwords into the username
// field), else a short SHA-256 prefix of it; never a password.
func TestLoginFailureLogs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		var buf bytes.Buffer
		svc, err := auth.New(e.ctx, db, e.log, auth.Config{Keys: e.ring, Now: e.clock.Now, Argon2: testArgon2,
			Logger: slog.New(slog.NewJSONHandler(&buf, nil))})
		if err != nil {
			t.Fatal(err)
		}
		e.svc = svc
		o := e.org(t, "Kanto Electric", auth.OrgOperator, "electricity")
		e.seed(t, "tanaka", o, auth.RoleOperator)

		tests := []struct {
			name, username, password string
			want, never              []string
		}{
			{
				name: "password typed as username", username: "hunter2 my secret", password: "hunter2 my secret",
				want:  []string{`"unknown_username_sha256":"` + sha256Prefix("hunter2 my secret") + `"`},
				never: []string{"hunter2"},
			},
			{
				name: "wrong password of a known user", username: "tanaka", password: "wrong password secret",
				want:  []string{`"username":"tanaka"`},
				never: []string{"wrong password secret", "unknown_username_sha256"},
			},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				buf.Reset()
				if _, err := e.svc.PasswordLogin(e.ctx, tt.username, tt.password, "192.0.2.1:1"); err != auth.ErrBadCredentials {
					t.Fatalf("got %v, want ErrBadCredentials", err)
				}
				out := buf.String()
				if !strings.Contains(out, `"msg":"login failed"`) {
					t.Fatalf("no login failure logged: %s", out)
				}
				for _, w := range tt.want {
					if !strings.Contains(out, w) {
						t.Errorf("log lacks %s: %s", w, out)
					}
				}
				for _, n := range tt.never {
					if strings.Contains(out, n) {
						t.Errorf("log contains %q: %s", n, out)
					}
				}
			})
		}
	})
}

func sha256Prefix(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:6])
}
