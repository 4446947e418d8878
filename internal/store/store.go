// Package store is ACD's database layer: one small API over the embedded
// SQLite database (the default) and PostgreSQL (for scale-out).
//
// Capability packages own their tables: each passes its migrations to
// [DB.Migrate] under its own component name at start-up. Queries are written
// once with '?' placeholders; the store rewrites them for PostgreSQL. Writes go
// through [DB.Tx], which commits when the function returns nil and rolls back
// otherwise.
//
// # Portable SQL
//
// Both back ends run the same statements, so capability packages keep to the
// common subset: TEXT, INTEGER/BIGINT, BLOB (rewritten to BYTEA for
// PostgreSQL, see [Migration]), no AUTOINCREMENT (ids are chosen by the
// application), and times stored as TEXT in the fixed-width UTC form of
// [FormatTime], which sorts as the times do.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Dialect names the SQL back end behind a DB.
type Dialect int

const (
	// SQLite is the embedded default.
	SQLite Dialect = iota
	// Postgres is PostgreSQL through pgx.
	Postgres
)

func (d Dialect) String() string {
	if d == Postgres {
		return "postgres"
	}
	return "sqlite"
}

// Options configures Open. The zero value works.
type Options struct {
	// Logger receives slow or failed operations; nil discards.
	Logger *slog.Logger
	// SQLiteSync is SQLite's synchronous setting: "FULL" (default; a commit
	// survives power loss), "NORMAL" (survives a process crash, may lose the
	// last commits on power loss) or "OFF".
	SQLiteSync string
	// BusyTimeout is how long an SQLite writer waits for the lock; default 10s.
	BusyTimeout time.Duration
}

// DB is an open database. It is safe for concurrent use.
type DB struct {
	sql     *sql.DB
	dialect Dialect
	logger  *slog.Logger
	dsn     string // redacted, for messages
	stmts   stmtCache
}

// Open opens the database named by dsn: a postgres:// or postgresql:// URL
// selects PostgreSQL; anything else is an SQLite file path, optionally
// prefixed with "sqlite:" or "file:". The SQLite file's directory is created
// (mode 0700) when missing.
func Open(ctx context.Context, dsn string, opts Options) (*DB, error) {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if IsPostgresURL(dsn) {
		sdb, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		sdb.SetMaxOpenConns(16)
		db := &DB{sql: sdb, dialect: Postgres, logger: logger, dsn: Redact(dsn)}
		if err := sdb.PingContext(ctx); err != nil {
			sdb.Close()
			return nil, fmt.Errorf("connect to %s: %w", db.dsn, err)
		}
		return db, nil
	}
	path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "file:")
	if path == "" {
		return nil, errors.New("open sqlite: empty path")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
	}
	syncMode := strings.ToUpper(opts.SQLiteSync)
	switch syncMode {
	case "":
		syncMode = "FULL"
	case "FULL", "NORMAL", "OFF", "EXTRA":
	default:
		return nil, fmt.Errorf("open sqlite: synchronous %q: want FULL, NORMAL, OFF or EXTRA", opts.SQLiteSync)
	}
	busy := opts.BusyTimeout
	if busy <= 0 {
		busy = 10 * time.Second
	}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busy.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous("+syncMode+")")
	// Savepoints (store.Group) journal the pages they change; in memory
	// that costs no write system calls, and no record content reaches a
	// temporary file.
	q.Add("_pragma", "temp_store(MEMORY)")
	// Writers take the lock when the transaction begins, so two writers
	// queue on busy_timeout instead of deadlocking on a lock upgrade.
	q.Set("_txlock", "immediate")
	sdb, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	db := &DB{sql: sdb, dialect: SQLite, logger: logger, dsn: path}
	if err := sdb.PingContext(ctx); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	// The database holds accounts and reports: readable by its owner only,
	// whatever the umask (the WAL files exist once the database is open).
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(f, 0o600); err != nil && !errors.Is(err, os.ErrNotExist) {
			sdb.Close()
			return nil, fmt.Errorf("open sqlite %s: %w", path, err)
		}
	}
	return db, nil
}

// IsPostgresURL reports whether dsn names a PostgreSQL database.
func IsPostgresURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Redact returns dsn with any password replaced, for logs and messages.
func Redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Dialect reports the back end.
func (db *DB) Dialect() Dialect { return db.dialect }

// String names the database without secrets.
func (db *DB) String() string { return db.dialect.String() + ":" + db.dsn }

// SQL returns the underlying handle for what the API here does not cover
// (bulk reads in verification tools). Queries on it are not rebound.
func (db *DB) SQL() *sql.DB { return db.sql }

// Close closes the database.
func (db *DB) Close() error {
	db.stmts.close()
	return db.sql.Close()
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.sql.PingContext(ctx) }

// Querier is what both DB and Tx offer, so read helpers can take either.
type Querier interface {
	Exec(ctx context.Context, query string, args ...any) (sql.Result, error)
	Query(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRow(ctx context.Context, query string, args ...any) *sql.Row
	Dialect() Dialect
}

// Exec runs a statement outside any transaction.
func (db *DB) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return db.sql.ExecContext(ctx, rebind(db.dialect, query), args...)
}

// Query runs a query outside any transaction.
func (db *DB) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return db.sql.QueryContext(ctx, rebind(db.dialect, query), args...)
}

// QueryRow runs a query that returns at most one row.
func (db *DB) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return db.sql.QueryRowContext(ctx, rebind(db.dialect, query), args...)
}

// Tx is a transaction in progress. It must not be used after the function
// given to DB.Tx returns.
type Tx struct {
	tx      *sql.Tx
	dialect Dialect
	db      *DB
}

// Dialect reports the back end.
func (tx *Tx) Dialect() Dialect { return tx.dialect }

// Exec runs a statement in the transaction.
func (tx *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := tx.db.stmts.get(ctx, tx.db, query); st != nil {
		return tx.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return tx.tx.ExecContext(ctx, rebind(tx.dialect, query), args...)
}

// Query runs a query in the transaction.
func (tx *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := tx.db.stmts.get(ctx, tx.db, query); st != nil {
		return tx.tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return tx.tx.QueryContext(ctx, rebind(tx.dialect, query), args...)
}

// QueryRow runs a query that returns at most one row.
func (tx *Tx) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if st := tx.db.stmts.get(ctx, tx.db, query); st != nil {
		return tx.tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return tx.tx.QueryRowContext(ctx, rebind(tx.dialect, query), args...)
}

// writerLock is the PostgreSQL advisory lock every Tx takes first.
const writerLock = 7302

// Tx runs fn in a transaction: committed when fn returns nil, rolled back
// when it returns an error or panics. The result is durable (to the
// configured synchronous level) when Tx returns nil.
//
// Transactions run one at a time on both back ends: SQLite takes its write
// lock at BEGIN, and on PostgreSQL every Tx first takes one advisory lock
// held to its end. So commit order is the order in which transactions
// started writing (the audit log's index order relies on it), and two
// transactions can never deadlock on row locks taken in different orders.
// Reads that need no transaction go through DB directly and run in parallel.
func (db *DB) Tx(ctx context.Context, fn func(tx *Tx) error) error {
	stx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if err := stx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
			db.logger.Warn("rollback failed", "err", err)
		}
	}()
	if db.dialect == Postgres {
		if _, err := stx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", writerLock); err != nil {
			return fmt.Errorf("begin: writer lock: %w", err)
		}
	}
	if err := fn(&Tx{tx: stx, dialect: db.dialect, db: db}); err != nil {
		return err
	}
	if err := stx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// rebind turns '?' placeholders into PostgreSQL's $1, $2, … . A '?' inside
// a quoted string or identifier, a comment (-- or /* */) or a dollar-quoted
// body ($$…$$, $tag$…$tag$) is left alone.
func rebind(d Dialect, q string) string {
	if d != Postgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == '\'' || c == '"':
			j := i + 1
			for j < len(q) && q[j] != c {
				j++
			}
			end := min(j+1, len(q))
			b.WriteString(q[i:end])
			i = end
		case c == '-' && strings.HasPrefix(q[i:], "--"):
			j := strings.IndexByte(q[i:], '\n')
			if j < 0 {
				j = len(q) - i
			}
			b.WriteString(q[i : i+j])
			i += j
		case c == '/' && strings.HasPrefix(q[i:], "/*"):
			j := strings.Index(q[i+2:], "*/")
			end := len(q)
			if j >= 0 {
				end = i + 2 + j + 2
			}
			b.WriteString(q[i:end])
			i = end
		case c == '$' && dollarTag(q[i:]) != "":
			tag := dollarTag(q[i:])
			j := strings.Index(q[i+len(tag):], tag)
			end := len(q)
			if j >= 0 {
				end = i + len(tag) + j + len(tag)
			}
			b.WriteString(q[i:end])
			i = end
		case c == '?':
			n++
			fmt.Fprintf(&b, "$%d", n)
			i++
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

// dollarTag returns the opening tag of a dollar-quoted string at the start
// of s ("$$" or "$name$"), or "" when s does not start one ($1 is a
// parameter, not a tag).
func dollarTag(s string) string {
	for j := 1; j < len(s); j++ {
		c := s[j]
		if c == '$' {
			return s[:j+1]
		}
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || j > 1 && c >= '0' && c <= '9') {
			return ""
		}
	}
	return ""
}

// timeLayout is fixed-width so that stored times sort as strings.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

// FormatTime renders t in UTC for storage; see the package comment.
func FormatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// ParseTime reads a time written by FormatTime (or any RFC 3339 time).
func ParseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("parse stored time %q: %w", s, err)
	}
	return t.UTC(), nil
}

// IsUniqueViolation reports whether err is a unique or primary key
// constraint failure on either back end, so callers can answer "already
// exists" instead of a server error.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed") || // SQLite
		strings.Contains(s, "SQLSTATE 23505") // PostgreSQL
}
