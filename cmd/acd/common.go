package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/store"
)

// storage holds the flags every command that opens the data uses.
type storage struct {
	dataDir    string
	db         string
	sqliteSync string
}

// register adds --data-dir and --db, with ACD_DATA_DIR and ACD_DB as
// defaults from the environment.
func (s *storage) register(fs *flag.FlagSet, e *env) {
	dd := e.getenv("ACD_DATA_DIR")
	if dd == "" {
		dd = "./acd-data"
	}
	fs.StringVar(&s.dataDir, "data-dir", dd, "data directory: keys, and the SQLite database unless --db says otherwise (env ACD_DATA_DIR)")
	fs.StringVar(&s.db, "db", e.getenv("ACD_DB"), "database: a postgres:// URL or an SQLite file path (env ACD_DB; default <data-dir>/acd.db)")
	fs.StringVar(&s.sqliteSync, "sqlite-sync", "FULL", "SQLite synchronous level: FULL (survives power loss), EXTRA, or NORMAL (survives a process crash)")
}

// check validates the flags after parsing.
func (s *storage) check() error {
	switch strings.ToUpper(s.sqliteSync) {
	case "FULL", "EXTRA", "NORMAL":
		return nil
	}
	// OFF is not offered: acknowledged changes to legal records must
	// survive at least a crash of the process.
	return usagef("--sqlite-sync %q: want FULL, EXTRA or NORMAL", s.sqliteSync)
}

func (s *storage) dsn() string {
	if s.db != "" {
		return s.db
	}
	return filepath.Join(s.dataDir, "acd.db")
}

func (s *storage) openDB(ctx context.Context, logger *slog.Logger) (*store.DB, error) {
	return store.Open(ctx, s.dsn(), store.Options{Logger: logger, SQLiteSync: s.sqliteSync})
}

func (s *storage) keysDir() string { return filepath.Join(s.dataDir, "keys") }

// openKeys opens the data dir's existing keys (adding a first key for any
// purpose a newer version introduced) and creates none when the key
// directory is missing: a wrong --data-dir is an error.
func (s *storage) openKeys() (*keys.Ring, error) {
	if _, err := os.Stat(s.keysDir()); err != nil {
		return nil, fmt.Errorf("no keys at %s (a wrong --data-dir? `acd serve` or the first `acd user add` creates them)", s.keysDir())
	}
	return keys.Open(s.keysDir(), nil)
}

// keysFor opens the keys that go with db, creating them only when db holds
// no audit entries yet. A missing key directory next to a database with a
// log means the wrong data dir: new keys would sign a log they cannot
// verify.
func (s *storage) keysFor(ctx context.Context, db *store.DB) (*keys.Ring, error) {
	if _, err := os.Stat(s.keysDir()); err == nil {
		return keys.Open(s.keysDir(), nil)
	}
	var n int64
	if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM audit_entries").Scan(&n); err == nil && n > 0 {
		return nil, fmt.Errorf("no keys at %s, but %s already holds %d audit entries: is --data-dir right?", s.keysDir(), db, n)
	}
	return keys.Open(s.keysDir(), nil)
}

// accounts is the account service opened for a command-line tool.
type accounts struct {
	db   *store.DB
	log  *auditlog.Log
	auth *auth.Service
}

func (a *accounts) Close() { a.db.Close() }

func (s *storage) openAccounts(ctx context.Context, e *env) (*accounts, error) {
	logger := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	db, err := s.openDB(ctx, logger)
	if err != nil {
		return nil, err
	}
	ring, err := s.keysFor(ctx, db)
	if err != nil {
		db.Close()
		return nil, err
	}
	l, err := auditlog.New(ctx, db, ring, auditlog.Options{Logger: logger})
	if err != nil {
		db.Close()
		return nil, err
	}
	svc, err := auth.New(ctx, db, l, auth.Config{Keys: ring, Logger: logger})
	if err != nil {
		db.Close()
		return nil, err
	}
	return &accounts{db: db, log: l, auth: svc}, nil
}
