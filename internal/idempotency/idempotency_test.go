package idempotency_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/idempotency"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// TestConcurrentDuplicates: 20 concurrent requests with one key do the work
// once and all get the first answer, whether they run in separate
// transactions or share a group commit.
func TestConcurrentDuplicates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		keys, err := idempotency.New(ctx, db, nil)
		if err != nil {
			t.Fatal(err)
		}
		group := db.NewGroup(0)
		for _, mode := range []string{"tx", "group"} {
			t.Run(mode, func(t *testing.T) {
				var runs atomic.Int32
				hash := idempotency.Hash("POST", "/things", []byte(`{"a":1}`))
				bodies := make([]string, 20)
				replays := make([]bool, 20)
				var wg sync.WaitGroup
				for i := range bodies {
					wg.Go(func() {
						run := db.Tx
						if mode == "group" {
							run = group.Tx
						}
						err := run(ctx, func(tx *store.Tx) error {
							resp, replayed, err := keys.Do(ctx, tx, "user_1", "key-"+mode, hash, func() (idempotency.Response, error) {
								n := runs.Add(1)
								return idempotency.Response{Status: 201, ContentType: "application/json", Body: fmt.Appendf(nil, `{"run":%d}`, n)}, nil
							})
							bodies[i], replays[i] = string(resp.Body), replayed
							return err
						})
						if err != nil {
							t.Error(err)
						}
					})
				}
				wg.Wait()
				if n := runs.Load(); n != 1 {
					t.Errorf("work ran %d times, want 1", n)
				}
				fresh := 0
				for i, b := range bodies {
					if b != `{"run":1}` {
						t.Errorf("request %d got %q, want the first answer", i, b)
					}
					if !replays[i] {
						fresh++
					}
				}
				if fresh != 1 {
					t.Errorf("%d requests were not replays, want 1", fresh)
				}
			})
		}
	})
}

// TestMismatchAndFailure: a key reused for another request is refused; a
// failed request stores nothing, so its retry runs the work.
func TestMismatchAndFailure(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
		keys, err := idempotency.New(ctx, db, func() time.Time { return now })
		if err != nil {
			t.Fatal(err)
		}
		do := func(key string, hash []byte, fail bool) (idempotency.Response, bool, error) {
			var resp idempotency.Response
			var replayed bool
			err := db.Tx(ctx, func(tx *store.Tx) error {
				var err error
				resp, replayed, err = keys.Do(ctx, tx, "u", key, hash, func() (idempotency.Response, error) {
					if fail {
						return idempotency.Response{}, errors.New("invalid")
					}
					return idempotency.Response{Status: 201, Body: []byte("ok")}, nil
				})
				return err
			})
			return resp, replayed, err
		}
		a, b := idempotency.Hash("POST", "/x", []byte("a")), idempotency.Hash("POST", "/x", []byte("b"))
		if _, _, err := do("k1", a, true); err == nil {
			t.Fatal("failing work: got nil error")
		}
		if resp, replayed, err := do("k1", a, false); err != nil || replayed || resp.Status != 201 {
			t.Fatalf("retry after failure: got %v %v %v, want a fresh 201", resp, replayed, err)
		}
		if _, _, err := do("k1", b, false); !errors.Is(err, idempotency.ErrMismatch) {
			t.Errorf("reuse for another body: got %v, want ErrMismatch", err)
		}
		if resp, replayed, err := do("k1", a, false); err != nil || !replayed || string(resp.Body) != "ok" {
			t.Errorf("replay: got %v %v %v", resp, replayed, err)
		}
		if n, err := keys.Purge(ctx, now.Add(time.Second)); err != nil || n != 1 {
			t.Errorf("purge: got %d, %v, want 1 key", n, err)
		}
	})
}

func TestCheckKey(t *testing.T) {
	for _, c := range []struct {
		key string
		ok  bool
	}{
		{"5f0c6e8e-6c1b-4a51-9d0e-3b2a1f4c9d77", true},
		{"", false},                        // empty
		{"has space", false},               // space
		{"tab\tkey", false},                // control character
		{"ключ", false},                    // not ASCII
		{string(make([]byte, 256)), false}, // too long
	} {
		if err := idempotency.CheckKey(c.key); (err == nil) != c.ok {
			t.Errorf("CheckKey(%q): got %v, want ok=%v", c.key, err, c.ok)
		}
	}
}
