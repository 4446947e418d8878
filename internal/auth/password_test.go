package auth_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/auth"
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
