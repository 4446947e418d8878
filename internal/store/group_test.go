package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
)

// TestGroupTx runs many concurrent callers, some failing, one panicking:
// exactly the successful callers' rows are committed, and each caller gets
// its own error.
func TestGroupTx(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := db.Migrate(ctx, "widgets", widgetMigrations); err != nil {
			t.Fatal(err)
		}
		g := db.NewGroup(8)
		now := store.FormatTime(time.Now())
		errBad := errors.New("refused")
		const n = 60
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				errs[i] = g.Tx(ctx, func(tx *store.Tx) error {
					id := fmt.Sprintf("w%02d", i)
					if _, err := tx.Exec(ctx, "INSERT INTO widgets (id, n, created_at) VALUES (?, ?, ?)", id, i, now); err != nil {
						return err
					}
					switch {
					case i%7 == 3:
						return errBad // after writing: the row must be undone
					case i == 10:
						panic("boom")
					case i == 20:
						// A statement error inside the savepoint (duplicate key)
						// must not spoil the others' transaction (PostgreSQL
						// aborts the transaction up to the savepoint).
						_, err := tx.Exec(ctx, "INSERT INTO widgets (id, n, created_at) VALUES (?, ?, ?)", id, i, now)
						return err
					}
					return nil
				})
			})
		}
		wg.Wait()
		want := map[string]bool{}
		for i, err := range errs {
			switch {
			case i%7 == 3:
				if !errors.Is(err, errBad) {
					t.Errorf("caller %d: got %v, want its own error", i, err)
				}
			case i == 10:
				if err == nil || !strings.Contains(err.Error(), "panic") {
					t.Errorf("caller %d: got %v, want the panic as an error", i, err)
				}
			case i == 20:
				if !store.IsUniqueViolation(err) {
					t.Errorf("caller %d: got %v, want a unique violation", i, err)
				}
			default:
				if err != nil {
					t.Errorf("caller %d: %v", i, err)
				}
				want[fmt.Sprintf("w%02d", i)] = true
			}
		}
		rows, err := db.Query(ctx, "SELECT id FROM widgets")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		got := map[string]bool{}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			got[id] = true
		}
		if len(got) != len(want) {
			t.Errorf("got %d rows, want %d", len(got), len(want))
		}
		for id := range want {
			if !got[id] {
				t.Errorf("row %s of a successful caller is missing", id)
			}
		}
	})
}

// TestGroupTxCancelled: a caller whose context is already done gets its
// error and writes nothing.
func TestGroupTxCancelled(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if err := db.Migrate(context.Background(), "widgets", widgetMigrations); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		called := false
		err := db.NewGroup(0).Tx(ctx, func(tx *store.Tx) error { called = true; return nil })
		if !errors.Is(err, context.Canceled) || called {
			t.Errorf("got %v (called %v), want context.Canceled without a call", err, called)
		}
	})
}
