package commsinfo_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/store/storetest"
)

// BenchmarkUpload measures in-process upload throughput on SQLite: a run
// of 10,000 records (flows, each with an HTTP event) streamed, parsed,
// hashed and stored per iteration.
func BenchmarkUpload(b *testing.B) {
	const flows = 5000
	recs := make([]string, 0, 2*flows)
	for i := range flows {
		at := t0.Add(time.Duration(i) * time.Millisecond)
		recs = append(recs, httpRec(i+1, at, fmt.Sprintf("h%d.example", i%100)),
			flowRec(i+1, at, fmt.Sprintf("8.0.%d.%d", i/250, i%250+1), "8.8.1.1", 40000+i%20000, 443, "foreign-foreign", ""))
	}
	body := (runSpec{seen: 100000, selected: 10000, records: recs}).build()
	e := newEnv(b, storetest.SQLite(b), envOpts{})
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	start := time.Now()
	n := 0
	for b.Loop() {
		res, err := e.svc.Upload(e.ctx, e.sensor, "", bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		n += int(res.Records)
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "records/s")
}
