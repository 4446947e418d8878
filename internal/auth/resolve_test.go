package auth_test

import (
	"errors"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
)

// TestVerifyFindsUnauditedRows checks that a row written behind the
// service's back, with no audit entry at all, fails the log's data check:
// here an active admin grant inserted straight into the database.
func TestVerifyFindsUnauditedRows(t *testing.T) {
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
		e.login(t, "tanaka")
		if _, _, err := e.svc.CreateToken(e.ctx, adminPrincipal(a), tanaka.ID, "pipeline", time.Hour); err != nil {
			t.Fatal(err)
		}
		// A privileged login leaves a challenge row, which is not audited
		// and must not be listed.
		res, err := e.svc.PasswordLogin(e.ctx, "admin-a", password, "")
		if err != nil {
			t.Fatal(err)
		}
		code, _ := totp.GenerateCode(res.Challenge.Enrolment.Secret, e.clock.Now())
		if _, err := e.svc.CompleteTOTP(e.ctx, res.Challenge.Token, code, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.PasswordLogin(e.ctx, "admin-a", password, ""); err != nil {
			t.Fatal(err)
		}
		for _, typ := range []string{"org", "user", "grant", "session", "token"} {
			if _, ok := e.log.Listers()[typ]; !ok {
				t.Errorf("no lister of %s records", typ)
			}
		}
		if err := e.verify(t); err != nil {
			t.Fatalf("verify after the normal flows: %v", err)
		}

		const planted = "grt_planted"
		if _, err := db.Exec(e.ctx, `INSERT INTO auth_grants (id, user_id, role, state, requested_by, requested_at, confirmed_by, confirmed_at)
			VALUES (?, ?, 'admin', 'active', ?, '2026-04-01T09:00:00Z', ?, '2026-04-01T09:00:00Z')`, planted, tanaka.ID, a.ID, a.ID); err != nil {
			t.Fatal(err)
		}
		err = e.verify(t)
		var ve *auditlog.VerifyError
		if !errors.As(err, &ve) || ve.Resource != "grant/"+planted {
			t.Fatalf("verify after planting a grant: got %v, want a VerifyError naming grant/%s", err, planted)
		}
	})
}
