// Package storetest runs tests against both store back ends: an SQLite file in
// a temp dir and a throwaway PostgreSQL cluster that the harness starts itself
// (initdb + pg_ctl from /usr/lib/postgresql/*/bin on a loopback port).
//
// A package that uses it calls [Main] from its TestMain so the cluster is
// stopped when the tests end, and [Each] in each test:
//
//	func TestMain(m *testing.M) { storetest.Main(m) }
//
//	func TestThing(t *testing.T) {
//		storetest.Each(t, func(t *testing.T, db *store.DB) { ... })
//	}
//
// When the PostgreSQL binaries are missing the postgres subtests skip with a
// message saying so; CI installs them, so there they always run. Setting
// ACD_TEST_POSTGRES to a postgres:// URL uses that server instead.
package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/store"
)

// cluster is the one PostgreSQL server of this test binary, started on first
// use. Test harness state, not production state.
var cluster struct {
	once    sync.Once
	baseURL string // postgres://user@127.0.0.1:port/
	err     error  // why there is no cluster
	stop    func()
	dbs     atomic.Int64
}

// Main runs the tests and then stops the cluster, if one was started.
func Main(m *testing.M) {
	code := m.Run()
	if cluster.stop != nil {
		cluster.stop()
	}
	os.Exit(code)
}

// Each runs fn once per back end, as subtests "sqlite" and "postgres", each
// on a fresh empty database closed at cleanup.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// SQLite returns a fresh SQLite database in t's temp dir.
func SQLite(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "acd.db"), store.Options{})
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// PostgresURL returns the URL of a fresh, empty PostgreSQL database, or skips
// t when no PostgreSQL server can be had.
func PostgresURL(t testing.TB) string {
	t.Helper()
	cluster.once.Do(startCluster)
	if cluster.err != nil {
		t.Skipf("PostgreSQL tests skipped: %v (install Debian package postgresql, or set ACD_TEST_POSTGRES)", cluster.err)
	}
	name := fmt.Sprintf("acdtest_%d_%d", os.Getpid(), cluster.dbs.Add(1))
	admin, err := sql.Open("pgx", cluster.baseURL+"postgres")
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", cluster.baseURL+"postgres")
		if err != nil {
			return
		}
		defer admin.Close()
		admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
	})
	return cluster.baseURL + name
}

// Postgres returns a fresh PostgreSQL database, or skips t.
func Postgres(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), PostgresURL(t), store.Options{})
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func startCluster() {
	if u := os.Getenv("ACD_TEST_POSTGRES"); u != "" {
		if !strings.HasSuffix(u, "/") {
			u = u[:strings.LastIndex(u, "/")+1]
		}
		cluster.baseURL = u
		return
	}
	bin, err := findBin()
	if err != nil {
		cluster.err = err
		return
	}
	dir, err := os.MkdirTemp("", "acd-pg-")
	if err != nil {
		cluster.err = err
		return
	}
	cred, owner, err := unprivileged()
	if err != nil {
		cluster.err = err
		os.RemoveAll(dir)
		return
	}
	if cred != nil {
		// PostgreSQL refuses to run as root: the cluster runs as an
		// unprivileged user that must own its directory.
		os.Chmod(dir, 0o700)
		os.Chown(dir, int(cred.Uid), int(cred.Gid))
	}
	data := filepath.Join(dir, "data")
	run := func(name string, args ...string) error {
		cmd := exec.Command(filepath.Join(bin, name), args...)
		cmd.Dir = dir
		if cred != nil {
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		}
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s: %v: %s", name, err, lastLines(string(out), 5))
		}
		return nil
	}
	if err := run("initdb", "-D", data, "-U", owner, "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"); err != nil {
		cluster.err = err
		os.RemoveAll(dir)
		return
	}
	port, err := freePort()
	if err != nil {
		cluster.err = err
		os.RemoveAll(dir)
		return
	}
	opts := fmt.Sprintf("-h 127.0.0.1 -p %d -k %s -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", port, dir)
	if err := run("pg_ctl", "-D", data, "-o", opts, "-l", filepath.Join(dir, "log"), "-w", "-t", "60", "start"); err != nil {
		cluster.err = err
		os.RemoveAll(dir)
		return
	}
	cluster.baseURL = fmt.Sprintf("postgres://%s@127.0.0.1:%d/", owner, port)
	cluster.stop = func() {
		run("pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
		os.RemoveAll(dir)
	}
	// Wait until connections are accepted.
	deadline := time.Now().Add(30 * time.Second)
	for {
		db, err := sql.Open("pgx", cluster.baseURL+"postgres")
		if err == nil {
			err = db.Ping()
			db.Close()
		}
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			cluster.err = fmt.Errorf("postgres did not accept connections: %v", err)
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// findBin finds the newest /usr/lib/postgresql/N/bin with initdb.
func findBin() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return versionOf(dirs[i]) > versionOf(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", fmt.Errorf("no initdb under /usr/lib/postgresql/*/bin")
}

func versionOf(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// unprivileged returns the credential to run PostgreSQL with when this
// process is root (nil otherwise) and the database superuser name to use.
func unprivileged() (*syscall.Credential, string, error) {
	if os.Geteuid() != 0 {
		u, err := user.Current()
		if err != nil {
			return nil, "", err
		}
		return nil, u.Username, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, name, nil
	}
	return nil, "", fmt.Errorf("running as root and no unprivileged user (postgres or nobody) to run PostgreSQL as")
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}
