package demo_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/demo"
	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/sector"
	"github.com/acd-platform/acd/internal/store/storetest"
)

func TestLoadIsCompleteAndIdempotent(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	ring, _ := keys.Open(t.TempDir(), nil)
	l, err := auditlog.New(ctx, db, ring, auditlog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := auth.New(ctx, db, l, auth.Config{Keys: ring, Argon2: auth.Argon2Params{Memory: 64, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	first, err := demo.Load(ctx, svc, dir)
	if err != nil {
		t.Fatal(err)
	}
	second, err := demo.Load(ctx, svc, dir)
	if err != nil {
		t.Fatalf("second load: %v", err)
	}
	if second.OrgsCreated != 0 || second.UsersCreated != 0 || second.Password != first.Password {
		t.Errorf("second load created %d orgs, %d users (password kept: %v); want nothing new",
			second.OrgsCreated, second.UsersCreated, second.Password == first.Password)
	}
	if fi, err := os.Stat(filepath.Join(dir, "demo-password")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("demo password file: %v, %v; want mode 0600", fi.Mode().Perm(), err)
	}

	// One user per role, the commission's chair and four members, and every
	// sector under a ministry.
	users, _ := svc.Users(ctx)
	count := map[auth.Role]int{}
	for _, u := range users {
		for _, r := range u.Roles {
			count[r]++
		}
	}
	for _, r := range auth.AllRoles {
		if count[r] == 0 {
			t.Errorf("no demo user with role %s", r)
		}
	}
	if count[auth.RoleCommissionChair] != 1 || count[auth.RoleCommissionMember] != 4 {
		t.Errorf("commission: %d chair, %d members; want 1 and 4", count[auth.RoleCommissionChair], count[auth.RoleCommissionMember])
	}
	orgs, _ := svc.Orgs(ctx)
	covered := map[string]bool{}
	police := map[string]bool{}
	for _, o := range orgs {
		if o.Kind == auth.OrgMinistry {
			for _, s := range o.Sectors {
				covered[s] = true
			}
		}
		if o.Kind == auth.OrgPolice {
			police[o.Police] = true
		}
	}
	for _, s := range sector.Codes() {
		if !covered[s] {
			t.Errorf("sector %s has no ministry", s)
		}
	}
	if !police[auth.PoliceNational] || !police[auth.PolicePrefectural] {
		t.Errorf("police levels: %v; want national and prefectural", police)
	}
	// Every demo user can log in with the printed password (non-privileged
	// ones straight away, privileged ones reach the TOTP step).
	res, err := svc.PasswordLogin(ctx, "analyst", first.Password, "127.0.0.1")
	if err != nil || res.Session == nil {
		t.Errorf("analyst login: %v, %+v", err, res)
	}
	res, err = svc.PasswordLogin(ctx, "chair", first.Password, "127.0.0.1")
	if err != nil || res.Challenge == nil || res.Challenge.Enrolment == nil {
		t.Errorf("chair login: %v; want a TOTP enrolment challenge", err)
	}
}

func TestLoadRefusesARealDatabase(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	ring, _ := keys.Open(t.TempDir(), nil)
	l, _ := auditlog.New(ctx, db, ring, auditlog.Options{})
	svc, err := auth.New(ctx, db, l, auth.Config{Keys: ring, Argon2: auth.Argon2Params{Memory: 64, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Bootstrap(ctx, auth.NewUser{Username: "root", DisplayName: "Root", Roles: []auth.Role{auth.RoleAdmin}, Password: "correct horse battery"}); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Load(ctx, svc, t.TempDir()); !errors.Is(err, demo.ErrNotDemo) {
		t.Errorf("demo on a database with a real admin: got %v, want ErrNotDemo", err)
	}
}
