package vuln

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/servicetest"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
	"github.com/acd-platform/acd/internal/vuln/match"
)

// newBareService is a Service on db with no records or assets, for the
// tests of its internals.
func newBareService(t testing.TB, db *store.DB) *Service {
	t.Helper()
	p := servicetest.New(t, db, time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC))
	s, err := New(p.Ctx, Deps{DB: db, Log: p.Log, Notifier: p.Notifier}, Config{Now: p.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func pairsOf(n int) []match.Pair {
	ps := make([]match.Pair, n)
	for i := range ps {
		ps[i] = match.Pair{Asset: fmt.Sprintf("ast_%05d", i), Org: "org_" + fmt.Sprint(i%7), Sector: "electricity", Vuln: "CVE-2026-0001", Affected: i % 3}
	}
	return ps
}

// TestSettleBatches settles more pairs than one statement writes: all
// new, then most resolved, then reopened, counting the open pairs each
// time.
func TestSettleBatches(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newBareService(t, db)
		ctx := context.Background()
		settle := func(want []match.Pair) (int, int) {
			t.Helper()
			var fresh, resolved int
			err := db.Tx(ctx, func(tx *store.Tx) error {
				have, err := openPairs(ctx, tx, "", nil)
				if err != nil {
					return err
				}
				f, r, err := s.settle(ctx, tx, want, have)
				fresh, resolved = len(f), r
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return fresh, resolved
		}
		open := func() int {
			t.Helper()
			var n int
			if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM vuln_pairs WHERE resolved_at = ''").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		all := pairsOf(2*pairBatch + 7)
		if f, r := settle(all); f != len(all) || r != 0 || open() != len(all) {
			t.Fatalf("first settle: %d fresh, %d resolved, %d open; want %d, 0, %d", f, r, open(), len(all), len(all))
		}
		if f, r := settle(all); f != 0 || r != 0 {
			t.Fatalf("settling the same pairs again: %d fresh, %d resolved; want none", f, r)
		}
		if f, r := settle(all[:100]); f != 0 || r != len(all)-100 || open() != 100 {
			t.Fatalf("most resolved: %d fresh, %d resolved, %d open; want 0, %d, 100", f, r, open(), len(all)-100)
		}
		if f, r := settle(all); f != len(all)-100 || r != 0 || open() != len(all) {
			t.Fatalf("reopened: %d fresh, %d resolved, %d open; want %d, 0, %d", f, r, open(), len(all)-100, len(all))
		}
		var resolvedLeft int
		if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM vuln_pairs WHERE resolved_at <> ''").Scan(&resolvedLeft); err != nil || resolvedLeft != 0 {
			t.Errorf("%d pairs still resolved after reopening (%v)", resolvedLeft, err)
		}
	})
}

// BenchmarkSettle records 10,000 new pairs in one transaction, as a first
// start does for each 10,000 of its pairs, on SQLite and PostgreSQL.
func BenchmarkSettle(b *testing.B) {
	for _, d := range []struct {
		name string
		open func(testing.TB) *store.DB
	}{{"sqlite", storetest.SQLite}, {"postgres", storetest.Postgres}} {
		b.Run(d.name, func(b *testing.B) {
			db := d.open(b)
			s := newBareService(b, db)
			ctx := context.Background()
			want := pairsOf(10000)
			for b.Loop() {
				if err := db.Tx(ctx, func(tx *store.Tx) error {
					if _, err := tx.Exec(ctx, "DELETE FROM vuln_pairs"); err != nil {
						return err
					}
					_, _, err := s.settle(ctx, tx, want, map[pairKey]match.Pair{})
					return err
				}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
