package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
)

// TestStatementCache: statements in transactions are prepared once and
// reused on SQLite, the cache stops growing at its bound, and every query
// still answers correctly past it.
func TestStatementCache(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for i := range 3 {
			err := db.Tx(ctx, func(tx *store.Tx) error {
				for j := range 600 {
					var got int
					// 600 distinct query texts, more than the cache holds.
					if err := tx.QueryRow(ctx, fmt.Sprintf("SELECT %d + ?", j), i).Scan(&got); err != nil {
						return err
					}
					if got != i+j {
						return fmt.Errorf("SELECT %d + %d = %d", j, i, got)
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		n := store.CachedStatements(db)
		switch db.Dialect() {
		case store.SQLite:
			if n != 512 {
				t.Errorf("%d cached statements, want the bound 512", n)
			}
		default:
			if n != 0 {
				t.Errorf("%d cached statements on %s, want none (pgx caches its own)", n, db.Dialect())
			}
		}
	})
}
