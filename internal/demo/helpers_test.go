package demo_test

import (
	"context"
	"testing"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/demo"
	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/server"
	"github.com/acd-platform/acd/internal/store/storetest"
)

// demoServer is a server on a fresh SQLite database with the demo's
// organisations and users loaded; configure adjusts its Config first.
func demoServer(t *testing.T, configure func(*server.Config)) *server.Server {
	t.Helper()
	ctx := context.Background()
	ring, err := keys.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := server.Config{DB: storetest.SQLite(t), Keys: ring, Argon2: auth.Argon2Params{Memory: 64, Time: 1, Threads: 1}}
	if configure != nil {
		configure(&cfg)
	}
	s, err := server.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Load(ctx, s.Auth, t.TempDir()); err != nil {
		t.Fatal(err)
	}
	return s
}
