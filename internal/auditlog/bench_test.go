package auditlog_test

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/store"
)

var (
	benchSync    = flag.String("audit.sync", "FULL", "SQLite synchronous level for the audit benchmarks")
	benchGroup   = flag.Int("audit.group", 1000, "appends per transaction (grouped commit) in BenchmarkAppend")
	benchEntries = flag.Int("audit.entries", 100_000, "log size for BenchmarkVerify (bench/audit.sh uses 1M)")
)

func benchLog(b *testing.B) (*store.DB, *auditlog.Log) {
	db, l, _ := benchLogKeys(b)
	return db, l
}

func benchLogKeys(b *testing.B) (*store.DB, *auditlog.Log, *keys.Ring) {
	b.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(b.TempDir(), "acd.db"), store.Options{SQLiteSync: *benchSync})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	ring, err := keys.Open(b.TempDir(), nil)
	if err != nil {
		b.Fatal(err)
	}
	l, err := auditlog.New(ctx, db, ring, auditlog.Options{})
	if err != nil {
		b.Fatal(err)
	}
	return db, l, ring
}

func appendN(b *testing.B, db *store.DB, l *auditlog.Log, from, n, group int) {
	ctx := context.Background()
	for i := 0; i < n; i += group {
		err := db.Tx(ctx, func(tx *store.Tx) error {
			for j := i; j < min(i+group, n); j++ {
				_, err := l.Append(ctx, tx, auditlog.Entry{
					Actor: "usr_bench", Org: "org_bench", Action: "widget.put",
					Resource: fmt.Sprintf("widget/%d", from+j), Payload: map[string]any{"id": from + j, "color": "red"},
				})
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAppend measures audit appends per second on SQLite with commits
// grouped (-audit.group appends per transaction) at -audit.sync durability.
func BenchmarkAppend(b *testing.B) {
	db, l := benchLog(b)
	b.ResetTimer()
	start := time.Now()
	appendN(b, db, l, 0, b.N, *benchGroup)
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "appends/s")
}

// BenchmarkCheckpoint measures integrating appended leaves into the stored
// tree and signing a checkpoint.
func BenchmarkCheckpoint(b *testing.B) {
	db, l := benchLog(b)
	appendN(b, db, l, 0, b.N, 5000)
	b.ResetTimer()
	start := time.Now()
	if _, err := l.Checkpoint(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "leaves/s")
}

// BenchmarkVerify measures verifying a log of -audit.entries entries from
// the database (signatures, tree recomputation, every checkpoint).
func BenchmarkVerify(b *testing.B) {
	db, l, ring := benchLogKeys(b)
	n := *benchEntries
	appendN(b, db, l, 0, n, 10000)
	if _, err := l.Checkpoint(context.Background()); err != nil {
		b.Fatal(err)
	}
	vs, err := l.Verifiers()
	if err != nil {
		b.Fatal(err)
	}
	// The reference: the same leaves, already in memory, hashed into the
	// tree with x/mod's tlog alone (StoredHashes over an in-memory store),
	// as any RFC 6962 verifier must at least do.
	recs, err := l.Entries(context.Background(), 0, n)
	if err != nil {
		b.Fatal(err)
	}
	refStart := time.Now()
	mem := memHashes{}
	for _, r := range recs {
		hs, err := tlog.StoredHashes(r.Index, r.LeafData(), mem)
		if err != nil {
			b.Fatal(err)
		}
		base := tlog.StoredHashIndex(0, r.Index)
		for j, h := range hs {
			mem[base+int64(j)] = h
		}
	}
	if _, err := tlog.TreeHash(int64(n), mem); err != nil {
		b.Fatal(err)
	}
	ref := time.Since(refStart).Seconds()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		rep, err := auditlog.Verify(context.Background(), auditlog.DBSource(db), auditlog.VerifyOptions{Verifiers: vs})
		if err != nil {
			b.Fatal(err)
		}
		if rep.Entries != int64(n) {
			b.Fatalf("verified %d entries, want %d", rep.Entries, n)
		}
		took := time.Since(start).Seconds()
		b.ReportMetric(took, "s/verify")
		// With the audit keys every entry's MAC is checked too, as `acd log
		// verify` on the data dir does.
		start = time.Now()
		if _, err := auditlog.Verify(context.Background(), auditlog.DBSource(db), auditlog.VerifyOptions{Verifiers: vs, Keys: ring}); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/verify-with-macs")
		b.ReportMetric(ref, "s/tlog-in-memory")
		b.ReportMetric(took/ref, "x-of-tlog")
	}
	b.ReportMetric(float64(n), "entries")
}

// memHashes is an in-memory tlog.HashReader.
type memHashes map[int64]tlog.Hash

func (m memHashes) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for i, n := range idx {
		out[i] = m[n]
	}
	return out, nil
}
