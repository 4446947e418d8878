package main

import (
	"context"
	"flag"
	"log/slog"
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

func (s *storage) openKeys() (*keys.Ring, error) {
	return keys.Open(filepath.Join(s.dataDir, "keys"), nil)
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
	ring, err := s.openKeys()
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
