package auditlog_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gowebpki/jcs"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// fixture is a log over db with a "widget" table whose rows the log audits.
type fixture struct {
	db   *store.DB
	ring *keys.Ring
	log  *auditlog.Log
}

type widget struct {
	ID    string `json:"id"`
	Color string `json:"color"`
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	ring, err := keys.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	l, err := auditlog.New(ctx, db, ring, auditlog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx, "widgets", []store.Migration{{Version: 1, Name: "w", SQL: "CREATE TABLE widgets (id TEXT PRIMARY KEY, color TEXT NOT NULL)"}}); err != nil {
		t.Fatal(err)
	}
	l.RegisterResolver("widget", func(ctx context.Context, q store.Querier, id string) (any, error) {
		w := widget{ID: id}
		err := q.QueryRow(ctx, "SELECT color FROM widgets WHERE id = ?", id).Scan(&w.Color)
		if err != nil {
			return nil, auditlog.ErrNoRecord
		}
		return w, nil
	})
	l.RegisterLister("widget", func(ctx context.Context, q store.Querier) ([]string, error) {
		rows, err := q.Query(ctx, "SELECT id FROM widgets")
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var ids []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return nil, err
			}
			ids = append(ids, id)
		}
		return ids, rows.Err()
	})
	return &fixture{db: db, ring: ring, log: l}
}

// put upserts a widget and appends its entry in one transaction.
func (f *fixture) put(t *testing.T, id, color string) {
	t.Helper()
	ctx := context.Background()
	err := f.db.Tx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM widgets WHERE id = ?", id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO widgets (id, color) VALUES (?, ?)", id, color); err != nil {
			return err
		}
		_, err := f.log.Append(ctx, tx, auditlog.Entry{Actor: "usr_1", Org: "org_1", Action: "widget.put", Resource: "widget/" + id, Payload: widget{id, color}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) verify(t *testing.T) (*auditlog.Report, error) {
	t.Helper()
	return f.verifyTrusting(t, nil)
}

// verifyTrusting verifies with a checkpoint kept from an earlier run.
func (f *fixture) verifyTrusting(t *testing.T, trusted []byte) (*auditlog.Report, error) {
	t.Helper()
	return f.verifyWith(t, auditlog.VerifyOptions{Trusted: trusted})
}

// verifyWith verifies with the fixture's keys, resolvers and listers added
// to opts.
func (f *fixture) verifyWith(t *testing.T, opts auditlog.VerifyOptions) (*auditlog.Report, error) {
	t.Helper()
	vs, err := f.log.Verifiers()
	if err != nil {
		t.Fatal(err)
	}
	opts.Verifiers, opts.Keys, opts.Resolvers, opts.Listers = vs, f.ring, f.log.Resolvers(), f.log.Listers()
	return auditlog.Verify(context.Background(), auditlog.DBSource(f.db), opts)
}

// build appends n widgets with a checkpoint every `every` entries.
func (f *fixture) build(t *testing.T, n, every int) {
	t.Helper()
	for i := 0; i < n; i++ {
		f.put(t, fmt.Sprintf("w%d", i), "red")
		if (i+1)%every == 0 {
			if _, err := f.log.Checkpoint(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := f.log.Checkpoint(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyIntactLog(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.build(t, 23, 5)
		f.put(t, "w3", "blue") // an update: the latest entry is what counts
		rep, err := f.verify(t)
		if err != nil {
			t.Fatalf("verify: %v", err)
		}
		if rep.Entries != 24 || rep.Checkpointed != 23 || rep.RecordsChecked != 23 {
			t.Errorf("got %+v, want 24 entries, checkpointed 23, 23 records checked", rep)
		}
	})
}

func TestVerifyDetectsTampering(t *testing.T) {
	tests := []struct {
		name      string
		tamper    []string // SQL run on the database after building 20 entries
		wantIndex int64
	}{
		// An edited field changes the leaf hash.
		{"edit actor", []string{"UPDATE audit_entries SET actor = 'usr_x' WHERE idx = 7"}, 7},
		// An edited digest too (someone hiding a change of the payload).
		{"edit digest", []string{"UPDATE audit_entries SET digest = '00' WHERE idx = 12"}, 12},
		// A deleted entry leaves a gap.
		{"delete", []string{"DELETE FROM audit_entries WHERE idx = 4"}, 4},
		// Swapping two entries' places: the index is part of the leaf.
		{"reorder", []string{
			"UPDATE audit_entries SET idx = -1 WHERE idx = 9",
			"UPDATE audit_entries SET idx = 9 WHERE idx = 10",
			"UPDATE audit_entries SET idx = 10 WHERE idx = -1",
		}, 9},
		// Cutting the tail off is caught by the newest checkpoint.
		{"truncate", []string{"DELETE FROM audit_entries WHERE idx >= 15"}, 15},
		// A record changed behind the log's back no longer matches its entry.
		{"record edited", []string{"UPDATE widgets SET color = 'green' WHERE id = 'w6'"}, 6},
		// A record deleted behind the log's back.
		{"record deleted", []string{"DELETE FROM widgets WHERE id = 'w2'"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				f := newFixture(t, db)
				f.build(t, 20, 6)
				for _, q := range tt.tamper {
					if _, err := db.Exec(context.Background(), q); err != nil {
						t.Fatalf("%s: %v", q, err)
					}
				}
				_, err := f.verify(t)
				var ve *auditlog.VerifyError
				if !errors.As(err, &ve) {
					t.Fatalf("got %v, want a VerifyError", err)
				}
				if ve.Index != tt.wantIndex {
					t.Errorf("got index %d (%v), want %d", ve.Index, ve, tt.wantIndex)
				}
			})
		})
	}
}

func TestVerifyRewrittenTreeHashesStillCaught(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.build(t, 10, 10)
		ctx := context.Background()
		// Edit entry 3 and rewrite its stored leaf hash to match: the signed
		// root still gives it away.
		if _, err := db.Exec(ctx, "UPDATE audit_entries SET action = 'widget.gone' WHERE idx = 3"); err != nil {
			t.Fatal(err)
		}
		recs, err := f.log.Entries(ctx, 3, 1)
		if err != nil {
			t.Fatal(err)
		}
		h := recs[0].LeafHash()
		if _, err := db.Exec(ctx, "UPDATE audit_hashes SET hash = ? WHERE n = ?", h[:], tlog.StoredHashIndex(0, 3)); err != nil {
			t.Fatal(err)
		}
		// Without the audit key (as a remote verifier is) only the tree can
		// tell; with it, the entry's MAC names it.
		vs, _ := f.log.Verifiers()
		_, err = auditlog.Verify(ctx, auditlog.DBSource(db), auditlog.VerifyOptions{Verifiers: vs})
		var ve *auditlog.VerifyError
		if !errors.As(err, &ve) || ve.Checkpoint != 10 || ve.Index != 0 {
			t.Errorf("without keys: got %v, want the range from 0 at the checkpoint of size 10", err)
		}
		_, err = f.verify(t)
		if !errors.As(err, &ve) || ve.Index != 3 {
			t.Errorf("with keys: got %v, want entry 3", err)
		}
	})
}

func TestVerifyForgedCheckpoint(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.build(t, 5, 5)
		ctx := context.Background()
		// A checkpoint signed by some other key under the same name.
		sk, _, err := note.GenerateKey(nil, auditlog.DefaultOrigin)
		if err != nil {
			t.Fatal(err)
		}
		signer, _ := note.NewSigner(sk)
		msg, _ := note.Sign(&note.Note{Text: auditlog.FormatCheckpointBody(auditlog.DefaultOrigin, 5, tlog.Hash{1})}, signer)
		if _, err := db.Exec(ctx, "UPDATE audit_checkpoints SET note = ? WHERE size = 5", string(msg)); err != nil {
			t.Fatal(err)
		}
		_, err = f.verify(t)
		var ve *auditlog.VerifyError
		if !errors.As(err, &ve) || ve.Index != -1 || ve.Checkpoint != 5 {
			t.Fatalf("got %v, want a VerifyError for the checkpoint at size 5", err)
		}
	})
}

func TestRolledBackChangeLeavesNoEntry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		boom := errors.New("boom")
		err := db.Tx(ctx, func(tx *store.Tx) error {
			if _, err := f.log.Append(ctx, tx, auditlog.Entry{Action: "widget.put", Resource: "widget/x", Payload: 1}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		f.put(t, "a", "red")
		recs, err := f.log.Entries(ctx, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 1 || recs[0].Index != 0 || recs[0].Resource != "widget/a" {
			t.Errorf("got %+v, want only widget/a at index 0", recs)
		}
	})
}

func TestProofs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		f.build(t, 7, 100)
		old, err := f.log.Latest(ctx)
		if err != nil {
			t.Fatal(err)
		}
		f.build(t, 13, 100)
		cur, err := f.log.Latest(ctx)
		if err != nil {
			t.Fatal(err)
		}
		vs, _ := f.log.Verifiers()
		for _, c := range []*auditlog.Checkpoint{old, cur} {
			if _, err := auditlog.ParseCheckpoint(c.Note, vs); err != nil {
				t.Fatalf("checkpoint %d: %v", c.Size, err)
			}
		}
		proof, err := f.log.ConsistencyProof(ctx, old.Size, cur.Size)
		if err != nil {
			t.Fatal(err)
		}
		if err := tlog.CheckTree(proof, cur.Size, cur.Root, old.Size, old.Root); err != nil {
			t.Errorf("consistency %d→%d: %v", old.Size, cur.Size, err)
		}
		if err := tlog.CheckTree(proof, cur.Size, cur.Root, old.Size, tlog.Hash{9}); err == nil {
			t.Error("consistency proof accepted a wrong old root")
		}
		recs, _ := f.log.Entries(ctx, 4, 1)
		rp, err := f.log.InclusionProof(ctx, 4, cur.Size)
		if err != nil {
			t.Fatal(err)
		}
		if err := tlog.CheckRecord(rp, cur.Size, cur.Root, 4, recs[0].LeafHash()); err != nil {
			t.Errorf("inclusion of 4: %v", err)
		}
		if _, err := f.log.InclusionProof(ctx, 4, cur.Size+1); !errors.Is(err, auditlog.ErrSize) {
			t.Errorf("proof beyond the checkpoint: got %v, want ErrSize", err)
		}
	})
}

func TestCheckpointAfterKeyRotation(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	f.build(t, 3, 3)
	if _, err := f.ring.Rotate(keys.AuditCheckpoint); err != nil {
		t.Fatal(err)
	}
	if _, err := f.ring.Rotate(keys.AuditHMAC); err != nil {
		t.Fatal(err)
	}
	f.build(t, 3, 3)
	if _, err := f.verify(t); err != nil {
		t.Fatalf("verify across rotation: %v", err)
	}
}

// TestLeafDataIsCanonical checks the hand-written encoder against a general
// RFC 8785 implementation.
func TestLeafDataIsCanonical(t *testing.T) {
	for _, s := range []string{"", "plain", "quote\"back\\slash", "ctl\x00\x01\x1f\x7f", "\b\t\n\f\r", "日本語", "<>&\u2028\u2029", "emoji 🛡", "bad\xffutf8"} {
		r := auditlog.Record{Index: 42, Time: time.Date(2026, 11, 23, 1, 2, 3, 400, time.UTC), Actor: s, Org: s, Action: s, Resource: s, Digest: s, KeyID: s, MAC: s}
		checkCanonical(t, r)
	}
}

func FuzzLeafData(f *testing.F) {
	f.Add("usr_1", "widget/1", int64(0), int64(0))       // ordinary
	f.Add("a\"b\\c", "\x00\x1f", int64(1<<40), int64(1)) // escapes
	f.Add("日本", "\xff\xfe", int64(7), int64(-5))         // UTF-8 and invalid bytes
	f.Fuzz(func(t *testing.T, a, b string, idx, ns int64) {
		if idx < 0 || idx > 1<<53 {
			t.Skip()
		}
		r := auditlog.Record{Index: idx, Time: time.Unix(0, ns).UTC(), Actor: a, Org: b, Action: a + b, Resource: b, Digest: a, KeyID: b, MAC: a}
		checkCanonical(t, r)
	})
}

func checkCanonical(t *testing.T, r auditlog.Record) {
	t.Helper()
	raw, err := json.Marshal(map[string]any{
		"index": r.Index, "time": r.Time.UTC().Format(time.RFC3339Nano), "actor": r.Actor, "org": r.Org,
		"action": r.Action, "resource": r.Resource, "digest": r.Digest, "key_id": r.KeyID, "mac": r.MAC,
	})
	if err != nil {
		t.Fatal(err)
	}
	want, err := jcs.Transform(raw)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.LeafData(); string(got) != string(want) {
		t.Errorf("leaf data\n got %s\nwant %s", got, want)
	}
}

func TestOriginValidated(t *testing.T) {
	db := storetest.SQLite(t)
	ring, _ := keys.Open(t.TempDir(), nil)
	if _, err := auditlog.New(context.Background(), db, ring, auditlog.Options{Origin: "bad origin"}); err == nil || !strings.Contains(err.Error(), "origin") {
		t.Errorf("got %v, want an origin error", err)
	}
}

// TestTrustedCheckpointCatchesRewrites: someone who can rewrite the
// database cuts off the log's tail together with its checkpoints. The stored
// data alone cannot show it; a checkpoint kept from an earlier run does.
func TestTrustedCheckpointCatchesRewrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		f.build(t, 12, 4)
		rep, err := f.verify(t)
		if err != nil {
			t.Fatal(err)
		}
		kept := rep.Note
		for _, q := range []string{
			"DELETE FROM audit_entries WHERE idx >= 9",
			"DELETE FROM audit_checkpoints WHERE size > 8",
			"DELETE FROM widgets WHERE id IN ('w9', 'w10', 'w11')",
		} {
			if _, err := db.Exec(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := f.verify(t); err != nil {
			t.Fatalf("without a kept checkpoint the cut log looks whole, as expected; got %v", err)
		}
		_, err = f.verifyTrusting(t, kept)
		var ve *auditlog.VerifyError
		if !errors.As(err, &ve) || ve.Index != 9 {
			t.Fatalf("with the kept checkpoint: got %v, want entry 9 missing", err)
		}
		// A checkpoint signed with the same key over another history (a
		// fork) fails too.
		db2 := storetest.SQLite(t)
		l2, err := auditlog.New(ctx, db2, f.ring, auditlog.Options{})
		if err != nil {
			t.Fatal(err)
		}
		f2 := &fixture{db: db2, ring: f.ring, log: l2}
		db2.Migrate(ctx, "widgets", []store.Migration{{Version: 1, Name: "w", SQL: "CREATE TABLE widgets (id TEXT PRIMARY KEY, color TEXT NOT NULL)"}})
		f2.put(t, "other", "white")
		f2.put(t, "w1", "white")
		fork, err := l2.Checkpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.verifyTrusting(t, fork.Note)
		if !errors.As(err, &ve) || ve.Checkpoint != 2 {
			t.Errorf("forked checkpoint: got %v, want a mismatch at size 2", err)
		}
	})
}

func TestRecordWithoutEntryIsFound(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.build(t, 3, 3)
		if _, err := db.Exec(context.Background(), "INSERT INTO widgets (id, color) VALUES ('sneaky', 'black')"); err != nil {
			t.Fatal(err)
		}
		_, err := f.verify(t)
		var ve *auditlog.VerifyError
		if !errors.As(err, &ve) || ve.Resource != "widget/sneaky" {
			t.Fatalf("got %v, want widget/sneaky reported as having no entry", err)
		}
	})
}

func TestAppendRejectsInvalidUTF8(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	ctx := context.Background()
	err := f.db.Tx(ctx, func(tx *store.Tx) error {
		_, err := f.log.Append(ctx, tx, auditlog.Entry{Actor: "bad\xff", Action: "widget.put", Resource: "widget/x", Payload: 1})
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "UTF-8") {
		t.Errorf("got %v, want a UTF-8 error", err)
	}
}

func TestVerifyChecksOrigin(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	f.build(t, 2, 2)
	vs, _ := f.log.Verifiers()
	_, err := auditlog.Verify(context.Background(), auditlog.DBSource(f.db), auditlog.VerifyOptions{Verifiers: vs, Origin: "another-log"})
	var ve *auditlog.VerifyError
	if !errors.As(err, &ve) || !strings.Contains(err.Error(), "origin") {
		t.Errorf("got %v, want an origin mismatch", err)
	}
}

// TestForgedEntryIsRefused: someone who can write to the database but does
// not hold the audit key puts a record back to an earlier state and adds an
// entry copying that state's digest. The checkpointer refuses to sign it and
// verification names it.
func TestForgedEntryIsRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		f.put(t, "w1", "red")
		f.put(t, "w1", "blue")
		if _, err := f.log.Checkpoint(ctx); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{
			"UPDATE widgets SET color = 'red' WHERE id = 'w1'",
			`INSERT INTO audit_entries (idx, time, actor, org, action, resource, digest, key_id, mac)
			 SELECT 2, time, actor, org, action, resource, digest, key_id, mac FROM audit_entries WHERE idx = 0`,
		} {
			if _, err := db.Exec(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := f.log.Checkpoint(ctx); err == nil || !strings.Contains(err.Error(), "entry 2") {
			t.Errorf("checkpoint over a forged entry: got %v, want a refusal naming entry 2", err)
		}
		_, err := f.verify(t)
		var ve *auditlog.VerifyError
		if !errors.As(err, &ve) || ve.Index != 2 || !strings.Contains(ve.Reason, "MAC") {
			t.Errorf("verify: got %v, want entry 2 with a bad MAC", err)
		}
	})
}

func TestReadsAndChangesKeepTheirOwnPaths(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	ctx := context.Background()
	err := f.db.Tx(ctx, func(tx *store.Tx) error {
		_, err := f.log.Append(ctx, tx, auditlog.Entry{Action: "widget.read", Resource: "widget/x", Payload: 1})
		return err
	})
	if err == nil {
		t.Error("Append took a .read action: a change could hide as a read")
	}
	if _, err := f.log.AppendRead(ctx, auditlog.Entry{Action: "widget.put", Resource: "widget/x", Payload: 1}); err == nil {
		t.Error("AppendRead took an action that is not a read")
	}
}

func TestAppendRead(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	f.put(t, "w1", "red")
	idx, err := f.log.AppendRead(context.Background(), auditlog.Entry{Actor: "usr_2", Action: "widget.read", Resource: "widget/w1", Payload: map[string]string{"purpose": "inspection"}})
	if err != nil || idx != 1 {
		t.Fatalf("got index %d, %v; want 1", idx, err)
	}
	recs, _ := f.log.Entries(context.Background(), 1, 1)
	if len(recs) != 1 || recs[0].Action != "widget.read" || recs[0].Actor != "usr_2" {
		t.Errorf("got %+v", recs)
	}
	// A read is not a change: the record still matches its last change.
	if _, err := f.log.Checkpoint(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := f.verify(t); err != nil {
		t.Errorf("verify after a read: %v", err)
	}
}

// TestVerifyAcrossReadBatches: a log longer than several read batches, read
// by several goroutines, still names a missing entry in a later batch.
func TestVerifyAcrossReadBatches(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	ctx := context.Background()
	err := f.db.Tx(ctx, func(tx *store.Tx) error {
		for i := 0; i < 450; i++ {
			if _, err := f.log.Append(ctx, tx, auditlog.Entry{Action: "thing.put", Resource: fmt.Sprintf("thing/%d", i), Payload: i}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.log.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	small := auditlog.VerifyOptions{BatchSize: 100}
	rep, err := f.verifyWith(t, small)
	if err != nil || rep.Entries != 450 {
		t.Fatalf("intact: %+v, %v", rep, err)
	}
	for _, tt := range []struct {
		q    string
		want int64
	}{
		{"DELETE FROM audit_entries WHERE idx = 300", 300}, // the first entry of a batch
		{"DELETE FROM audit_entries WHERE idx = 250", 250}, // mid-batch, earlier
	} {
		if _, err := f.db.Exec(ctx, tt.q); err != nil {
			t.Fatal(err)
		}
		_, err = f.verifyWith(t, small)
		var ve *auditlog.VerifyError
		if !errors.As(err, &ve) || ve.Index != tt.want {
			t.Errorf("after %s: got %v, want entry %d missing", tt.q, err, tt.want)
		}
	}
}
