package reporting_test

import (
	"flag"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/acd-platform/acd/internal/reporting"
	"github.com/acd-platform/acd/internal/store/storetest"
)

// BenchmarkSubmit files quick reports from 16 goroutines per CPU on SQLite
// (synchronous=FULL), each with an idempotency key, as the API does.
func BenchmarkSubmit(b *testing.B) {
	db := storetest.SQLite(b)
	if *benchPG {
		db = storetest.Postgres(b)
	}
	e := newEnv(&testing.T{}, db)
	var n atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			_, err := e.svc.Submit(e.ctx, e.pA, "", reporting.Submission{Stage: reporting.StageQuick, Content: e.quick()}, reporting.ViaAPI,
				reporting.Idem{Key: fmt.Sprint("k", i), Hash: []byte("h")})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reports/s")
}

var benchPG = flag.Bool("bench.postgres", false, "run BenchmarkSubmit on PostgreSQL instead of SQLite")
