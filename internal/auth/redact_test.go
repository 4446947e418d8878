package auth_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/auth"
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
