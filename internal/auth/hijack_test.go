package auth_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
)

// TestSessionAndTokenHijackFailsVerify checks that the log's data check
// covers the stored secrets of sessions and API tokens: a database writer
// who replaces a token's hash (or a session's hash or CSRF token) with one
// of their own, to act as that user, fails the check at the latest entry
// about that session or token.
func TestSessionAndTokenHijackFailsVerify(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		o := e.org(t, "Kanto Electric", auth.OrgOperator, "electricity")
		u := e.seed(t, "tanaka", o, auth.RoleOperator)
		sess := e.login(t, "tanaka")
		_, tok, err := e.svc.CreateToken(e.ctx, selfPrincipal(u), u.ID, "pipeline", 24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.verify(t); err != nil {
			t.Fatalf("verify before tampering: %v", err)
		}
		mine := sha256.Sum256([]byte("the intruder's own secret"))
		planted := hex.EncodeToString(mine[:])
		tests := []struct {
			name, table, column, resource string
		}{
			{"token hash replaced", "auth_tokens", "token_hash", "token/" + tok.ID},
			{"session hash replaced", "auth_sessions", "token_hash", "session/" + sess.ID},
			{"session CSRF token replaced", "auth_sessions", "csrf_token", "session/" + sess.ID},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				id := strings.SplitN(tt.resource, "/", 2)[1]
				var old string
				if err := db.QueryRow(e.ctx, "SELECT "+tt.column+" FROM "+tt.table+" WHERE id = ?", id).Scan(&old); err != nil {
					t.Fatal(err)
				}
				if _, err := db.Exec(e.ctx, "UPDATE "+tt.table+" SET "+tt.column+" = ? WHERE id = ?", planted, id); err != nil {
					t.Fatal(err)
				}
				var latest int64
				if err := db.QueryRow(e.ctx, "SELECT MAX(idx) FROM audit_entries WHERE resource = ?", tt.resource).Scan(&latest); err != nil {
					t.Fatal(err)
				}
				err := e.verify(t)
				var ve *auditlog.VerifyError
				if !errors.As(err, &ve) || ve.Index != latest || !strings.Contains(ve.Reason, tt.resource) {
					t.Errorf("verify: got %v, want a VerifyError at entry %d naming %s", err, latest, tt.resource)
				}
				if _, err := db.Exec(e.ctx, "UPDATE "+tt.table+" SET "+tt.column+" = ? WHERE id = ?", old, id); err != nil {
					t.Fatal(err)
				}
				if err := e.verify(t); err != nil {
					t.Errorf("verify after restoring the column: %v", err)
				}
			})
		}
		// Revocations carry the fingerprint too.
		if err := e.svc.RevokeToken(e.ctx, selfPrincipal(u), tok.ID); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Logout(e.ctx, sess.Token); err != nil {
			t.Fatal(err)
		}
		if err := e.verify(t); err != nil {
			t.Errorf("verify after revoking: %v", err)
		}
	})
}

// TestTokenJSONHasNoCredential: the fingerprint is for the audit log only;
// the token as listed (an API response) does not carry it.
func TestTokenJSONHasNoCredential(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	o := e.org(t, "Kanto Electric", auth.OrgOperator, "electricity")
	u := e.seed(t, "tanaka", o, auth.RoleOperator)
	_, tok, err := e.svc.CreateToken(e.ctx, selfPrincipal(u), u.ID, "pipeline", 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.Token(e.ctx, tok.ID)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "credential") || strings.Contains(string(b), "hash") {
		t.Errorf("token JSON %s carries credential data", b)
	}
}
