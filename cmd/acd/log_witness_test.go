package main

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/server"
	"github.com/acd-platform/acd/internal/store"
)

// witnessedServer is a real ACD server (server.New) on httptest over the
// SQLite database dir/acd.db and the keys in keysDir, with a commission
// member's API token in a file.
type witnessedServer struct {
	srv       *server.Server
	db        *store.DB
	url       string
	tokenFile string
	logKey    string
}

func startWitnessedServer(t *testing.T, dir, keysDir string, witnessKeys ...string) *witnessedServer {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(dir, "acd.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ring, err := keys.Open(keysDir, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := server.New(ctx, server.Config{DB: db, Keys: ring, WitnessKeys: witnessKeys,
		Argon2: auth.Argon2Params{Memory: 64, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	org, err := s.Auth.CreateOrg(ctx, auth.CLI("test"), auth.NewOrg{Name: "Commission", Kind: auth.OrgCommission})
	if err != nil {
		t.Fatal(err)
	}
	u, err := s.Auth.SeedUser(ctx, auth.NewUser{Username: "member1", DisplayName: "Member", OrgID: org.ID,
		Roles: []auth.Role{auth.RoleCommissionMember}, Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	self := &auth.Principal{UserID: u.ID, Via: auth.ViaSession, MFA: true, Roles: u.Roles}
	token, _, err := s.Auth.CreateToken(ctx, self, u.ID, "witness", 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	logKey, err := s.Log.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return &witnessedServer{srv: s, db: db, url: ts.URL, tokenFile: tokenFile, logKey: logKey}
}

// grow appends n entries tagged tag and signs a checkpoint.
func (s *witnessedServer) grow(t *testing.T, n int, tag string) *auditlog.Checkpoint {
	t.Helper()
	ctx := context.Background()
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		for i := range n {
			if _, err := s.srv.Log.Append(ctx, tx, auditlog.Entry{Actor: "usr_x", Action: "thing.put", Resource: fmt.Sprintf("thing/%s-%d", tag, i), Payload: i}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	cp, err := s.srv.Log.Checkpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return cp
}

func (s *witnessedServer) token(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(s.tokenFile)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// TestWitnessCosignsAndVerifyRequiresIt runs the commission's witness
// against a server and `acd log verify --witness-key` against its log.
func TestWitnessCosignsAndVerifyRequiresIt(t *testing.T) {
	wdir := t.TempDir() // the commission's machine
	keyFile := filepath.Join(wdir, "witness.key")
	state := filepath.Join(wdir, "witness.state")
	code, vkey, stderr := runCmd(t, wdir, "", "witness", "keygen", "--name", "commission.example/witness", "--out", keyFile)
	vkey = strings.TrimSpace(vkey)
	if code != exitOK || !strings.HasPrefix(vkey, "commission.example/witness+") {
		t.Fatalf("keygen: exit %d, out %q, err %q", code, vkey, stderr)
	}
	if fi, err := os.Stat(keyFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, want mode 0600", err)
	}
	if code, _, stderr := runCmd(t, wdir, "", "witness", "keygen", "--name", "x", "--out", keyFile); code != exitUsage || !strings.Contains(stderr, "never overwritten") {
		t.Errorf("keygen over an existing key: exit %d (%s), want %d", code, stderr, exitUsage)
	}
	_, otherKey, _ := runCmd(t, wdir, "", "witness", "keygen", "--name", "other.example/witness", "--out", filepath.Join(wdir, "other.key"))
	otherKey = strings.TrimSpace(otherKey)

	dataDir := t.TempDir() // the server's
	s := startWitnessedServer(t, dataDir, filepath.Join(dataDir, "keys"), vkey)
	s.grow(t, 5, "a")
	verify := func(extra ...string) (int, string, string) {
		return runCmd(t, dataDir, "", append([]string{"log", "verify", "--server", s.url, "--pubkey", s.logKey, "--token", s.token(t)}, extra...)...)
	}
	if code, _, stderr := verify("--witness-key", vkey); code != exitRefused || !strings.Contains(stderr, "no checkpoint of the log is cosigned") {
		t.Errorf("verify before any cosignature: exit %d (%s), want %d", code, stderr, exitRefused)
	}

	witnessRun := func(url string, extra ...string) (int, string, string) {
		return runCmd(t, wdir, "", append([]string{"witness", "run", "--server", url, "--log-key", s.logKey,
			"--key", keyFile, "--state", state, "--token-file", s.tokenFile}, extra...)...)
	}
	code, out, stderr := witnessRun(s.url, "--once")
	if code != exitOK || !strings.Contains(out, "first use") || !strings.Contains(out, "cosigned checkpoint") {
		t.Fatalf("witness run: exit %d, out %q, err %q", code, out, stderr)
	}
	s.grow(t, 2, "b")
	code, out, stderr = witnessRun(s.url, "--once")
	if code != exitOK || !strings.Contains(out, "consistent with size") || !strings.Contains(out, "cosigned checkpoint") {
		t.Fatalf("witness run after growth: exit %d, out %q, err %q", code, out, stderr)
	}
	s.grow(t, 0, "") // sign the cosignature's entry

	code, out, stderr = verify("--witness-key", vkey)
	if code != exitOK || !strings.Contains(out, "intact") || !strings.Contains(out, "cosigned by witness commission.example/witness+") {
		t.Errorf("verify with the witness: exit %d, out %q, err %q", code, out, stderr)
	}
	code, _, stderr = verify("--witness-key", vkey, "--witness-key", otherKey)
	if code != exitRefused || !strings.Contains(stderr, "carries no cosignature by witness other.example/witness+") {
		t.Errorf("verify requiring a witness that did not cosign: exit %d (%s), want %d", code, stderr, exitRefused)
	}
	// The same checks on the data dir itself, cosignature records included.
	code, out, stderr = runCmd(t, dataDir, "", "log", "verify", "--witness-key", vkey)
	if code != exitOK || !strings.Contains(out, "cosigned by witness") {
		t.Errorf("verify of the data dir with the witness: exit %d, out %q, err %q", code, out, stderr)
	}
	if code, _, stderr := runCmd(t, dataDir, "", "log", "verify", "--witness-key", otherKey); code != exitRefused {
		t.Errorf("verify of the data dir requiring another witness: exit %d (%s), want %d", code, stderr, exitRefused)
	}
}

// TestWitnessRefusesRewrittenLog: a second log signed with the same key and
// origin but with other entries — a different tree at sizes the witness
// saw — is refused with exit 3 and a message that says so, and the state
// is kept.
func TestWitnessRefusesRewrittenLog(t *testing.T) {
	wdir := t.TempDir()
	keyFile := filepath.Join(wdir, "witness.key")
	state := filepath.Join(wdir, "witness.state")
	_, vkey, _ := runCmd(t, wdir, "", "witness", "keygen", "--name", "commission.example/witness", "--out", keyFile)
	vkey = strings.TrimSpace(vkey)

	keysDir := t.TempDir()
	honest := startWitnessedServer(t, t.TempDir(), keysDir, vkey)
	seen := honest.grow(t, 6, "honest")
	run := func(s *witnessedServer, extra ...string) (int, string, string) {
		return runCmd(t, wdir, "", append([]string{"witness", "run", "--server", s.url, "--log-key", s.logKey,
			"--key", keyFile, "--state", state, "--token-file", s.tokenFile}, extra...)...)
	}
	if code, out, stderr := run(honest, "--once"); code != exitOK {
		t.Fatalf("witness of the honest log: exit %d, out %q, err %q", code, out, stderr)
	}
	kept, _ := os.ReadFile(state)

	// Whoever runs the server rebuilds the log from another database with
	// the same keys: same origin, same signing key, other entries.
	rewritten := startWitnessedServer(t, t.TempDir(), keysDir, vkey)
	if rewritten.logKey != honest.logKey {
		t.Fatal("setup: the rewritten log has another key")
	}
	cp := rewritten.grow(t, 0, "")
	cp = rewritten.grow(t, int(seen.Size-cp.Size), "rewritten")
	if cp.Size != seen.Size || cp.Root == seen.Root {
		t.Fatalf("setup: rewritten checkpoint size %d root %s, want size %d with another root", cp.Size, cp.Root, seen.Size)
	}
	code, _, stderr := run(rewritten, "--once")
	want := fmt.Sprintf("log forked: checkpoint at size %d has root %s, witness saw %s", seen.Size, cp.Root, seen.Root)
	if code != exitRefused || !strings.Contains(stderr, want) {
		t.Errorf("same size, other root: exit %d, stderr %q; want %d and %q", code, stderr, exitRefused, want)
	}
	// Grown past what the witness saw, it is still not an extension; the
	// loop (without --once) stops at once with the same exit code.
	rewritten.grow(t, 4, "more")
	code, _, stderr = run(rewritten, "--interval", "1s")
	want = fmt.Sprintf("not an extension of the tree the witness verified at size %d", seen.Size)
	if code != exitRefused || !strings.Contains(stderr, want) {
		t.Errorf("larger rewritten log: exit %d, stderr %q; want %d and %q", code, stderr, exitRefused, want)
	}
	if now, _ := os.ReadFile(state); string(now) != string(kept) {
		t.Errorf("state changed by a refused log:\n%s\nwant\n%s", now, kept)
	}
	// The honest log goes on being witnessed.
	honest.grow(t, 3, "honest-more")
	if code, out, stderr := run(honest, "--once"); code != exitOK || !strings.Contains(out, "consistent with size") {
		t.Errorf("honest log after the refusals: exit %d, out %q, err %q", code, out, stderr)
	}
}

func TestWitnessUsage(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "w.key")
	runCmd(t, dir, "", "witness", "keygen", "--name", "w.example", "--out", keyFile)
	tokenFile := filepath.Join(dir, "token")
	os.WriteFile(tokenFile, []byte("acd_x\n"), 0o600)
	_, logKey, err := note.GenerateKey(nil, auditlog.DefaultOrigin)
	if err != nil {
		t.Fatal(err)
	}
	base := []string{"witness", "run", "--server", "http://127.0.0.1:1", "--key", keyFile, "--state", filepath.Join(dir, "st"), "--token-file", tokenFile}
	for _, tt := range []struct {
		name string
		args []string
		want int
	}{
		{"no subcommand", []string{"witness"}, exitUsage},
		{"help", []string{"witness", "run", "--help"}, exitOK},
		{"keygen without flags", []string{"witness", "keygen"}, exitUsage},
		{"keygen with a bad name", []string{"witness", "keygen", "--name", "a b", "--out", filepath.Join(dir, "k2")}, exitUsage},
		{"run without flags", []string{"witness", "run"}, exitUsage},
		{"bad log key", append(base, "--log-key", "nonsense"), exitUsage},
		{"bad server URL", append(append([]string{}, base...), "--log-key", logKey, "--server", "ftp://x"), exitUsage},
		{"missing key file", []string{"witness", "run", "--server", "http://127.0.0.1:1", "--log-key", logKey, "--key", filepath.Join(dir, "none"), "--state", "st", "--token-file", tokenFile}, exitUsage},
		{"short interval", append(append([]string{}, base...), "--log-key", logKey, "--interval", "1ms"), exitUsage},
		{"server unreachable", append(append([]string{}, base...), "--log-key", logKey, "--once"), exitFailure},
		{"verify with a bad witness key", []string{"log", "verify", "--witness-key", "bogus"}, exitUsage},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if code, _, stderr := runCmd(t, dir, "", tt.args...); code != tt.want {
				t.Errorf("acd %v: exit %d (%s), want %d", tt.args, code, stderr, tt.want)
			}
		})
	}
}
