package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/store"
)

// runCmd runs acd in-process with args and stdin, returning the exit code
// and what it printed.
func runCmd(t *testing.T, dataDir, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{args: args, stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb,
		getenv: func(k string) string {
			if k == "ACD_DATA_DIR" {
				return dataDir
			}
			return ""
		}}
	code := run(context.Background(), e)
	return code, out.String(), errb.String()
}

func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"no command is a usage error", nil, exitUsage},
		{"unknown command", []string{"frobnicate"}, exitUsage},
		{"top-level help", []string{"--help"}, exitOK},
		{"serve help", []string{"serve", "--help"}, exitOK},
		{"unknown flag", []string{"serve", "--bogus"}, exitUsage},
		{"tls flags go together", []string{"serve", "--tls-cert", "x.pem"}, exitUsage},
		{"sqlite without durability", []string{"serve", "--sqlite-sync", "OFF"}, exitUsage},
		{"sqlite sync level unknown", []string{"user", "list", "--sqlite-sync", "BOGUS"}, exitUsage},
		{"missing subcommand", []string{"log"}, exitUsage},
		{"unknown key purpose", []string{"keys", "rotate", "nonsense"}, exitUsage},
		{"user add without role", []string{"user", "add", "--username", "x"}, exitUsage},
		{"bad role", []string{"user", "add", "--username", "x", "--role", "emperor"}, exitUsage},
		{"bad ttl", []string{"token", "create", "--user", "x", "--name", "y", "--ttl", "forever"}, exitUsage},
		{"version", []string{"version"}, exitOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, _, stderr := runCmd(t, dir, "", tt.args...); got != tt.want {
				t.Errorf("acd %v: exit %d, want %d (stderr %q)", tt.args, got, tt.want, stderr)
			}
		})
	}
}

func TestUserLifecycleAndSeparationOfDuties(t *testing.T) {
	dir := t.TempDir()
	// The first admin is created directly: there is no other admin yet.
	code, out, stderr := runCmd(t, dir, "correct horse battery staple\n", "user", "add", "--username", "root", "--role", "admin", "--password-stdin")
	if code != exitOK || !strings.Contains(out, "active roles: [admin]") {
		t.Fatalf("bootstrap: exit %d, out %q, err %q", code, out, stderr)
	}
	// A second admin from the command line is only pending…
	code, out, _ = runCmd(t, dir, "", "user", "add", "--username", "root2", "--role", "admin", "--org", "System administration")
	if code != exitOK || !strings.Contains(out, "pending grant") || !strings.Contains(out, "password (shown once)") {
		t.Fatalf("second admin: exit %d, out %q", code, out)
	}
	grant := strings.Fields(out[strings.Index(out, "pending grant"):])[2]
	grant = strings.TrimSuffix(grant, ":")
	// …and the command line cannot confirm what it requested itself.
	code, _, stderr = runCmd(t, dir, "", "user", "confirm", grant)
	if code != exitRefused {
		t.Errorf("self-confirm from the command line: exit %d (%s), want %d", code, stderr, exitRefused)
	}
	code, out, _ = runCmd(t, dir, "", "token", "create", "--user", "root", "--name", "ci", "--ttl", "7d")
	if code != exitOK || !strings.HasPrefix(strings.TrimSpace(out), "acd_") {
		t.Fatalf("token create: exit %d, out %q", code, out)
	}
	code, out, _ = runCmd(t, dir, "", "user", "list")
	if code != exitOK || !strings.Contains(out, "root2") {
		t.Errorf("user list: exit %d, out %q", code, out)
	}
	code, _, _ = runCmd(t, dir, "", "user", "disable", "nobody-here")
	if code != exitUsage {
		t.Errorf("disable unknown user: exit %d, want %d", code, exitUsage)
	}
}

func TestKeysRotateAndPubkey(t *testing.T) {
	dir := t.TempDir()
	// The key commands need an existing data dir: set one up first.
	if code, _, stderr := runCmd(t, dir, "", "user", "list"); code != exitOK {
		t.Fatalf("user list: exit %d: %s", code, stderr)
	}
	_, before, _ := runCmd(t, dir, "", "log", "pubkey")
	if !strings.HasPrefix(before, auditlog.DefaultOrigin+"+") {
		t.Fatalf("pubkey: got %q", before)
	}
	if code, out, _ := runCmd(t, dir, "", "keys", "rotate", "audit-checkpoint"); code != exitOK || !strings.Contains(out, "rotated") {
		t.Fatalf("rotate: exit %d out %q", code, out)
	}
	_, after, _ := runCmd(t, dir, "", "log", "pubkey")
	if after == before {
		t.Error("pubkey unchanged after rotation")
	}
	_, all, _ := runCmd(t, dir, "", "log", "pubkey", "--all")
	if !strings.Contains(all, strings.TrimSpace(before)) || !strings.HasSuffix(all, after) {
		t.Errorf("pubkey --all: got %q, want the old key then the new", all)
	}
	_, list, _ := runCmd(t, dir, "", "keys", "list")
	if !strings.Contains(list, "retired") || !strings.Contains(list, "email-pseudonym") {
		t.Errorf("keys list: %q", list)
	}
}

// TestLogVerifyNamesTamperedIndex runs `acd log verify` on a data dir whose
// database was edited behind ACD's back.
func TestLogVerifyNamesTamperedIndex(t *testing.T) {
	dir := t.TempDir()
	for _, u := range []string{"root", "ops1", "ops2"} {
		role := "admin"
		args := []string{"user", "add", "--username", u, "--role", role}
		if u != "root" {
			args = []string{"user", "add", "--username", u, "--role", "analyst", "--org", "System administration"}
		}
		if code, _, stderr := runCmd(t, dir, "", args...); code != exitOK {
			t.Fatalf("%v: %s", args, stderr)
		}
	}
	checkpoint(t, dir)
	code, out, stderr := runCmd(t, dir, "", "log", "verify")
	if code != exitOK || !strings.Contains(out, "intact") || !strings.Contains(out, "records match") {
		t.Fatalf("verify intact log: exit %d, out %q, err %q", code, out, stderr)
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, "acd.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("UPDATE audit_entries SET actor = 'someone-else' WHERE idx = 2"); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runCmd(t, dir, "", "log", "verify")
	if code != exitFailure || !strings.Contains(stderr, "entry 2") {
		t.Errorf("verify tampered log: exit %d, stderr %q; want exit 1 naming entry 2", code, stderr)
	}
	if _, err := db.Exec("UPDATE audit_entries SET actor = (SELECT actor FROM audit_entries WHERE idx = 1) WHERE idx = 2"); err != nil {
		t.Fatal(err)
	}
	// A record edited behind the log's back.
	if _, err := db.Exec("UPDATE auth_users SET display_name = 'Mallory' WHERE username = 'ops2'"); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runCmd(t, dir, "", "log", "verify")
	if code != exitFailure || !strings.Contains(stderr, "does not match") {
		t.Errorf("verify after record edit: exit %d, stderr %q", code, stderr)
	}
}

// checkpoint signs a checkpoint over the data dir's log, as a running
// server's checkpointer would.
func checkpoint(t *testing.T, dir string) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(dir, "acd.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ring, err := keys.Open(filepath.Join(dir, "keys"), nil)
	if err != nil {
		t.Fatal(err)
	}
	l, err := auditlog.New(ctx, db, ring, auditlog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestLogVerifyKeptCheckpoint: `--save` keeps the checkpoint of one run and
// `--since` holds the next run to it, which catches a tail cut off together
// with its checkpoints; a wrong data dir is an error, not an empty log.
func TestLogVerifyKeptCheckpoint(t *testing.T) {
	if code, _, stderr := runCmd(t, filepath.Join(t.TempDir(), "nowhere"), "", "log", "verify"); code != exitUsage {
		t.Errorf("verify of a missing data dir: exit %d (%s), want %d", code, stderr, exitUsage)
	}
	dir := t.TempDir()
	runCmd(t, dir, "", "user", "add", "--username", "root", "--role", "admin")
	runCmd(t, dir, "", "user", "add", "--username", "ops1", "--role", "analyst", "--org", "System administration")
	checkpoint(t, dir)
	kept := filepath.Join(t.TempDir(), "checkpoint")
	if code, _, stderr := runCmd(t, dir, "", "log", "verify", "--save", kept); code != exitOK {
		t.Fatalf("verify --save: exit %d: %s", code, stderr)
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, "acd.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	db.QueryRow("SELECT COUNT(*) FROM audit_entries").Scan(&n)
	for _, q := range []string{
		"DELETE FROM audit_entries WHERE idx = (SELECT MAX(idx) FROM audit_entries)",
		"DELETE FROM audit_checkpoints",
		"DELETE FROM audit_hashes",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	code, _, stderr := runCmd(t, dir, "", "log", "verify", "--since", kept)
	if code != exitFailure || !strings.Contains(stderr, fmt.Sprintf("entry %d", n-1)) {
		t.Errorf("verify --since after cutting the tail: exit %d, stderr %q; want exit 1 naming entry %d", code, stderr, n-1)
	}
}

// bootstrapRoot makes a data dir whose first admin, root, the command line
// created, and opens its accounts (the caller closes them). rootP is root
// as a web admin signed in with a second factor.
func bootstrapRoot(t *testing.T) (dir string, a *accounts, root auth.User, rootP *auth.Principal) {
	t.Helper()
	dir = t.TempDir()
	if code, _, stderr := runCmd(t, dir, "correct horse battery staple\n", "user", "add", "--username", "root", "--role", "admin", "--password-stdin"); code != exitOK {
		t.Fatal(stderr)
	}
	ctx := context.Background()
	st := storage{dataDir: dir, sqliteSync: "FULL"}
	a, err := st.openAccounts(ctx, &env{stderr: &bytes.Buffer{}})
	if err != nil {
		t.Fatal(err)
	}
	root, err = a.auth.UserByUsername(ctx, "root")
	if err != nil {
		a.Close()
		t.Fatal(err)
	}
	return dir, a, root, &auth.Principal{UserID: root.ID, Roles: root.Roles, Via: auth.ViaSession, MFA: true}
}

// TestUserConfirmIssuesTOTP: with one admin in place, the command line may
// confirm the grant of the admin role that the web admin requested, and
// prints the TOTP secret issued to the new admin; it confirms no other role.
func TestUserConfirmIssuesTOTP(t *testing.T) {
	dir, a, root, rootP := bootstrapRoot(t)
	ctx := context.Background()
	// The web admin (root) creates adm2 and ofc, so root chose their
	// passwords, and requests the admin role for adm2, officer for ofc.
	_, adminGrants, err := a.auth.CreateUser(ctx, rootP, auth.NewUser{Username: "adm2", DisplayName: "Second admin", OrgID: root.OrgID, Roles: []auth.Role{auth.RoleAdmin}, Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	ofc, _, err := a.auth.CreateUser(ctx, rootP, auth.NewUser{Username: "ofc", DisplayName: "Officer", OrgID: root.OrgID, Roles: []auth.Role{auth.RoleAnalyst}, Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	ofcGrants, err := a.auth.RequestRoles(ctx, rootP, ofc.ID, []auth.Role{auth.RoleOfficer})
	a.Close()
	if err != nil || len(ofcGrants) != 1 || len(adminGrants) != 1 {
		t.Fatalf("request: %v %v %v", adminGrants, ofcGrants, err)
	}
	// Not the officer: only the admin role, to put the second admin in place.
	if code, _, stderr := runCmd(t, dir, "", "user", "confirm", ofcGrants[0].ID); code != exitRefused {
		t.Errorf("confirm officer: exit %d (%s), want %d", code, stderr, exitRefused)
	}
	code, out, stderr := runCmd(t, dir, "", "user", "confirm", adminGrants[0].ID)
	if code != exitOK || !strings.Contains(out, "now holds admin") || !strings.Contains(out, "secret: ") || !strings.Contains(out, "otpauth://totp/") {
		t.Errorf("confirm: exit %d, out %q, err %q", code, out, stderr)
	}
	// Two admins now: the command line confirms nothing more (refused).
	if code, _, _ := runCmd(t, dir, "", "user", "confirm", adminGrants[0].ID); code != exitRefused {
		t.Errorf("confirming after the bootstrap: exit %d, want %d", code, exitRefused)
	}
}

// TestCLIAfterBootstrap: once two accounts have held the admin role, the
// command line requests no privileged role and makes no token for a
// privileged user (exit 3), even with an admin disabled; non-privileged
// accounts and their tokens it still makes.
func TestCLIAfterBootstrap(t *testing.T) {
	dir, a, root, rootP := bootstrapRoot(t)
	ctx := context.Background()
	adm2, grants, err := a.auth.CreateUser(ctx, rootP, auth.NewUser{Username: "adm2", OrgID: root.OrgID, Roles: []auth.Role{auth.RoleAdmin}, Password: "correct horse battery"})
	if err == nil {
		_, _, err = a.auth.ConfirmGrant(ctx, auth.CLI("user-confirm"), grants[0].ID)
	}
	if err == nil {
		err = a.auth.DisableUser(ctx, rootP, adm2.ID)
	}
	a.Close()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want int
	}{
		// A privileged role is requested by a web admin.
		{"officer", []string{"user", "add", "--username", "ofc", "--role", "officer", "--org", "System administration"}, exitRefused},
		// So is a third admin, with the second disabled: no bootstrap again.
		{"admin", []string{"user", "add", "--username", "adm3", "--role", "admin", "--org", "System administration"}, exitRefused},
		// A privileged user makes their tokens from a TOTP session.
		{"token for an admin", []string{"token", "create", "--user", "root", "--name", "ci", "--ttl", "1d"}, exitRefused},
		// Non-privileged accounts and tokens are still the command line's.
		{"analyst", []string{"user", "add", "--username", "ana", "--role", "analyst", "--org", "System administration"}, exitOK},
		{"token for an analyst", []string{"token", "create", "--user", "ana", "--name", "ci", "--ttl", "1d"}, exitOK},
	}
	for _, tt := range tests {
		if code, _, stderr := runCmd(t, dir, "", tt.args...); code != tt.want {
			t.Errorf("%s: acd %v: exit %d (%s), want %d", tt.name, tt.args, code, stderr, tt.want)
		}
	}
}
