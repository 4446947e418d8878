package auth_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
)

func TestHashPassword(t *testing.T) {
	h, err := auth.HashPassword(password, testArgon2)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Errorf("got hash %q, want PHC argon2id with m=64,t=1,p=1", h)
	}
	for _, tt := range []struct {
		pw   string
		want bool
	}{
		{password, true},
		{password + " ", false},
		{"", false},
	} {
		got, err := auth.VerifyPassword(h, tt.pw)
		if err != nil || got != tt.want {
			t.Errorf("VerifyPassword(%q) = %v, %v; want %v, nil", tt.pw, got, err, tt.want)
		}
	}
	h2, _ := auth.HashPassword(password, testArgon2)
	if h2 == h {
		t.Error("two hashes of one password are equal: salt not random")
	}
	p, err := auth.PasswordParams(h)
	if err != nil {
		t.Fatal(err)
	}
	want := auth.Argon2Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("PasswordParams (-want +got):\n%s", diff)
	}
}

func TestParsePasswordHashErrors(t *testing.T) {
	const salt, key = "c2FsdHNhbHRzYWx0c2FsdA", "a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U"
	tests := []struct {
		name, hash, wantErr string
	}{
		{"empty", "", "want 5"},
		{"bcrypt", "$2b$10$abcdefghijklmnopqrstuv", "want 5"},
		{"argon2i", "$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + key, "want argon2id"},
		{"old version", "$argon2id$v=16$m=64,t=1,p=1$" + salt + "$" + key, "version"},
		{"params out of order", "$argon2id$v=19$t=1,m=64,p=1$" + salt + "$" + key, "want m=N"},
		{"missing param", "$argon2id$v=19$m=64,t=1$" + salt + "$" + key, "want m=,t=,p="},
		{"not a number", "$argon2id$v=19$m=x,t=1,p=1$" + salt + "$" + key, "not a number"},
		{"huge memory", "$argon2id$v=19$m=99999999,t=1,p=1$" + salt + "$" + key, "memory"},
		{"zero time", "$argon2id$v=19$m=64,t=0,p=1$" + salt + "$" + key, "time"},
		{"zero lanes", "$argon2id$v=19$m=64,t=1,p=0$" + salt + "$" + key, "parallelism"},
		{"bad salt", "$argon2id$v=19$m=64,t=1,p=1$!!!$" + key, "bad salt"},
		{"short hash", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$a2V5", "bad hash"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := auth.VerifyPassword(tt.hash, password)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("got %v, %v; want error containing %q", ok, err, tt.wantErr)
			}
		})
	}
}

func TestCheckPassword(t *testing.T) {
	tests := []struct {
		pw   string
		want error
	}{
		{"short", auth.ErrWeakPassword},
		{"elevenchars", auth.ErrWeakPassword},
		{"twelve chars", nil},
		{"パスワードは十二文字以上です", nil}, // counted in characters, not bytes
		{strings.Repeat("x", 2000), auth.ErrInvalid},
	}
	for _, tt := range tests {
		err := auth.CheckPassword(tt.pw)
		if !errors.Is(err, tt.want) && !(err == nil && tt.want == nil) {
			t.Errorf("CheckPassword(%.20q) = %v, want %v", tt.pw, err, tt.want)
		}
	}
	if !errors.Is(auth.ErrWeakPassword, auth.ErrInvalid) {
		t.Error("ErrWeakPassword does not wrap ErrInvalid")
	}
}

// TestRehashKeepsLogVerifiable checks that the rehash at login, after the
// argon2 parameters changed, appends an entry the log's data check accepts.
func TestRehashKeepsLogVerifiable(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		o := e.org(t, "Kanto Electric", auth.OrgOperator, "electricity")
		u := e.seed(t, "tanaka", o, auth.RoleOperator)
		var before string
		if err := db.QueryRow(e.ctx, "SELECT password_hash FROM auth_users WHERE id = ?", u.ID).Scan(&before); err != nil {
			t.Fatal(err)
		}

		// The server restarts with stronger parameters.
		svc, err := auth.New(e.ctx, db, e.log, auth.Config{Keys: e.ring, Now: e.clock.Now, Argon2: auth.Argon2Params{Memory: 128, Time: 2, Threads: 1}})
		if err != nil {
			t.Fatal(err)
		}
		e.svc = svc
		e.login(t, "tanaka")
		var after string
		if err := db.QueryRow(e.ctx, "SELECT password_hash FROM auth_users WHERE id = ?", u.ID).Scan(&after); err != nil {
			t.Fatal(err)
		}
		if after == before || !strings.Contains(after, "$m=128,t=2,p=1$") {
			t.Fatalf("hash not replaced at login: got parameters of %q", strings.Split(after, "$")[3])
		}
		if got := e.auditCount(t, "account.password_rehash"); got != 1 {
			t.Errorf("got %d account.password_rehash entries, want 1", got)
		}
		if err := e.verify(t); err != nil {
			t.Errorf("verify after rehash: %v", err)
		}
		// The rehashed password still works, and is not rehashed again.
		e.login(t, "tanaka")
		if got := e.auditCount(t, "account.password_rehash"); got != 1 {
			t.Errorf("after a second login: got %d account.password_rehash entries, want 1", got)
		}
	})
}
