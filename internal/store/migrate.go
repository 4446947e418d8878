package store

import (
	"context"
	"fmt"
	"regexp"
	"time"
)

// Migration is one versioned schema change of a component.
type Migration struct {
	// Version numbers start at 1 and increase by one.
	Version int
	// Name says what the migration does.
	Name string
	// SQL is run on both back ends, as one or more statements separated by
	// semicolons. For PostgreSQL the column type BLOB is rewritten to BYTEA.
	SQL string
	// Postgres, when set, replaces SQL on PostgreSQL.
	Postgres string
}

const createMigrations = `CREATE TABLE IF NOT EXISTS schema_migrations (
	component TEXT NOT NULL,
	version INTEGER NOT NULL,
	name TEXT NOT NULL,
	applied_at TEXT NOT NULL,
	PRIMARY KEY (component, version)
)`

var blobType = regexp.MustCompile(`\bBLOB\b`)

// Migrate brings component's tables up to the newest of migs, each migration
// in its own transaction. It fails when the database holds a version of the
// component newer than this binary knows (a downgrade), naming both.
func (db *DB) Migrate(ctx context.Context, component string, migs []Migration) error {
	if _, err := db.Exec(ctx, createMigrations); err != nil {
		return fmt.Errorf("migrate %s: %w", component, err)
	}
	for i, m := range migs {
		if m.Version != i+1 {
			return fmt.Errorf("migrate %s: migration %d has version %d, want %d", component, i, m.Version, i+1)
		}
	}
	for _, m := range migs {
		err := db.Tx(ctx, func(tx *Tx) error {
			var n int
			if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM schema_migrations WHERE component = ? AND version = ?", component, m.Version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			stmt := m.SQL
			if db.dialect == Postgres {
				if m.Postgres != "" {
					stmt = m.Postgres
				} else {
					stmt = blobType.ReplaceAllString(stmt, "BYTEA")
				}
			}
			if _, err := tx.Exec(ctx, stmt); err != nil {
				return fmt.Errorf("version %d (%s): %w", m.Version, m.Name, err)
			}
			_, err := tx.Exec(ctx, "INSERT INTO schema_migrations (component, version, name, applied_at) VALUES (?, ?, ?, ?)",
				component, m.Version, m.Name, FormatTime(time.Now()))
			return err
		})
		if err != nil {
			return fmt.Errorf("migrate %s: %w", component, err)
		}
	}
	var newest int
	if err := db.QueryRow(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations WHERE component = ?", component).Scan(&newest); err != nil {
		return fmt.Errorf("migrate %s: %w", component, err)
	}
	if newest > len(migs) {
		return fmt.Errorf("migrate %s: database is at version %d, this binary knows only up to %d", component, newest, len(migs))
	}
	return nil
}

// Migrated reports whether component's migrations have ever run on the
// database q reads, so that a reader of the whole database (such as the
// audit-log verifier) can skip the tables of a capability never started.
func Migrated(ctx context.Context, q Querier, component string) (bool, error) {
	var n int
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM schema_migrations WHERE component = ?", component).Scan(&n); err != nil {
		return false, fmt.Errorf("migrations of %s: %w", component, err)
	}
	return n > 0, nil
}
