package capgen_test

import (
	"io"
	"testing"

	"github.com/acd-platform/acd/internal/selection/capgen"
)

// BenchmarkWrite measures generation per packet: one op is one frame.
func BenchmarkWrite(b *testing.B) {
	for _, c := range []struct {
		name     string
		canaries bool
	}{
		{"filler", false},
		{"canaries", true},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			m, err := capgen.Write(io.Discard, capgen.Config{Packets: b.N, Seed: 1, Canaries: c.canaries})
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(m.FileBytes / int64(b.N))
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "packets/s")
		})
	}
}

// BenchmarkWriteCriteria measures writing a 100k-matcher criteria file.
func BenchmarkWriteCriteria(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if err := capgen.WriteCriteria(io.Discard, capgen.CriteriaConfig{Matchers: 100_000}); err != nil {
			b.Fatal(err)
		}
	}
}
