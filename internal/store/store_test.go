package store_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

var widgetMigrations = []store.Migration{
	{Version: 1, Name: "widgets", SQL: `CREATE TABLE widgets (id TEXT PRIMARY KEY, n INTEGER NOT NULL, data BLOB, created_at TEXT NOT NULL)`},
	{Version: 2, Name: "widget names", SQL: `ALTER TABLE widgets ADD COLUMN name TEXT NOT NULL DEFAULT ''`},
}

func TestMigrateIsIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for i := 0; i < 2; i++ {
			if err := db.Migrate(ctx, "widgets", widgetMigrations); err != nil {
				t.Fatalf("migrate run %d: %v", i, err)
			}
		}
		var n int
		if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM schema_migrations WHERE component = ?", "widgets").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 2 {
			t.Errorf("got %d applied migrations, want 2", n)
		}
		for comp, want := range map[string]bool{"widgets": true, "gadgets": false} {
			if got, err := store.Migrated(ctx, db, comp); err != nil || got != want {
				t.Errorf("Migrated(%s) = %v, %v; want %v", comp, got, err, want)
			}
		}
		// A binary that knows fewer migrations than the database holds refuses.
		err := db.Migrate(ctx, "widgets", widgetMigrations[:1])
		if err == nil || !strings.Contains(err.Error(), "version 2") {
			t.Errorf("downgrade: got %v, want an error naming version 2", err)
		}
	})
}

func TestMigrateRejectsGaps(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		err := db.Migrate(context.Background(), "gappy", []store.Migration{{Version: 2, Name: "x", SQL: "SELECT 1"}})
		if err == nil {
			t.Fatal("got nil, want error for migration list starting at 2")
		}
	})
}

func TestTxCommitAndRollback(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := db.Migrate(ctx, "widgets", widgetMigrations); err != nil {
			t.Fatal(err)
		}
		now := store.FormatTime(time.Now())
		err := db.Tx(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, "INSERT INTO widgets (id, n, data, created_at, name) VALUES (?, ?, ?, ?, ?)", "a", 1, []byte{0, 1, 2}, now, "it's ?")
			return err
		})
		if err != nil {
			t.Fatalf("commit: %v", err)
		}
		boom := errors.New("boom")
		err = db.Tx(ctx, func(tx *store.Tx) error {
			if _, err := tx.Exec(ctx, "INSERT INTO widgets (id, n, created_at) VALUES (?, ?, ?)", "b", 2, now); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("got %v, want boom", err)
		}
		var ids []string
		rows, err := db.Query(ctx, "SELECT id FROM widgets ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id string
			rows.Scan(&id)
			ids = append(ids, id)
		}
		rows.Close()
		if strings.Join(ids, ",") != "a" {
			t.Errorf("got ids %v, want only a (b rolled back)", ids)
		}
		var data []byte
		var name string
		if err := db.QueryRow(ctx, "SELECT data, name FROM widgets WHERE id = ?", "a").Scan(&data, &name); err != nil {
			t.Fatal(err)
		}
		if string(data) != "\x00\x01\x02" || name != "it's ?" {
			t.Errorf("got data %q name %q, want bytes 0,1,2 and %q", data, name, "it's ?")
		}
		err = db.Tx(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, "INSERT INTO widgets (id, n, created_at) VALUES (?, ?, ?)", "a", 3, now)
			return err
		})
		if !store.IsUniqueViolation(err) {
			t.Errorf("duplicate insert: got %v, want a unique violation", err)
		}
	})
}

func TestConcurrentWriters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := db.Migrate(ctx, "widgets", widgetMigrations); err != nil {
			t.Fatal(err)
		}
		const workers, each = 8, 25
		errs := make(chan error, workers)
		for w := 0; w < workers; w++ {
			go func() {
				for i := 0; i < each; i++ {
					err := db.Tx(ctx, func(tx *store.Tx) error {
						var n int
						if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM widgets").Scan(&n); err != nil {
							return err
						}
						_, err := tx.Exec(ctx, "INSERT INTO widgets (id, n, created_at) VALUES (?, ?, ?)",
							strings.Repeat("w", w+1)+string(rune('a'+i%26))+time.Now().Format("150405.000000000"), n, "t")
						return err
					})
					if err != nil {
						errs <- err
						return
					}
				}
				errs <- nil
			}()
		}
		for w := 0; w < workers; w++ {
			if err := <-errs; err != nil {
				t.Fatalf("writer: %v", err)
			}
		}
		var n int
		db.QueryRow(ctx, "SELECT COUNT(*) FROM widgets").Scan(&n)
		if n != workers*each {
			t.Errorf("got %d rows, want %d", n, workers*each)
		}
	})
}

func TestFormatTimeSorts(t *testing.T) {
	a := time.Date(2026, 1, 2, 3, 4, 5, 6, time.FixedZone("JST", 9*3600))
	b := a.Add(time.Nanosecond * 994)
	if !(store.FormatTime(a) < store.FormatTime(b)) {
		t.Errorf("%s !< %s", store.FormatTime(a), store.FormatTime(b))
	}
	got, err := store.ParseTime(store.FormatTime(a))
	if err != nil || !got.Equal(a) {
		t.Errorf("round trip: got %v, %v, want %v", got, err, a)
	}
}

func TestRedact(t *testing.T) {
	got := store.Redact("postgres://acd:s3cret@db:5432/acd?sslmode=require")
	if strings.Contains(got, "s3cret") {
		t.Errorf("Redact leaked the password: %s", got)
	}
}

func TestRebind(t *testing.T) {
	tests := []struct{ in, want string }{
		{"SELECT a FROM t WHERE a = ? AND b = ?", "SELECT a FROM t WHERE a = $1 AND b = $2"},
		// Quoted strings and identifiers keep their question marks.
		{`SELECT '?', "q?" FROM t WHERE a = ?`, `SELECT '?', "q?" FROM t WHERE a = $1`},
		// Doubled quotes inside a string.
		{`SELECT 'it''s ?' WHERE a = ?`, `SELECT 'it''s ?' WHERE a = $1`},
		// Comments.
		{"SELECT ? -- why?\nFROM t /* or? */ WHERE a = ?", "SELECT $1 -- why?\nFROM t /* or? */ WHERE a = $2"},
		// Dollar-quoted bodies, and $1-style text that is not a tag.
		{"DO $$ BEGIN PERFORM '?'; END $$; SELECT ?", "DO $$ BEGIN PERFORM '?'; END $$; SELECT $1"},
		{"SELECT $fn$ ? $fn$, ?", "SELECT $fn$ ? $fn$, $1"},
		// Casts are not placeholders.
		{"SELECT ?::text", "SELECT $1::text"},
	}
	for _, tt := range tests {
		if got := store.RebindForTest(store.Postgres, tt.in); got != tt.want {
			t.Errorf("rebind(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
		if got := store.RebindForTest(store.SQLite, tt.in); got != tt.in {
			t.Errorf("sqlite rebind changed %q to %q", tt.in, got)
		}
	}
}

func TestSQLiteFileIsPrivate(t *testing.T) {
	db := storetest.SQLite(t)
	path := strings.TrimPrefix(db.String(), "sqlite:")
	// SQLite creates the WAL on the first write, with the database's mode.
	if err := db.Migrate(context.Background(), "widgets", widgetMigrations); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{path, path + "-wal"} {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", f, fi.Mode().Perm())
		}
	}
}
