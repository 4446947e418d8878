package reporting_test

import (
	"testing"

	"github.com/acd-platform/acd/internal/reporting"
)

// FuzzParsePolicy: any bytes give a policy whose periods never decrease in
// any sector, or an error; never a panic.
func FuzzParsePolicy(f *testing.F) {
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"quick":"6h","full":"2d","final":"14d"}`))
	f.Add([]byte(`{"sectors":{"finance":{"quick":"2h"}}}`))
	f.Add([]byte(`{"quick":"-1h"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := reporting.ParsePolicy(b)
		if err != nil {
			return
		}
		for _, code := range []string{"", "electricity", "finance", "ports"} {
			d := p.Dues(code, t0)
			if d.Quick.Before(t0) || d.Full.Before(d.Quick) || d.Final.Before(d.Full) {
				t.Fatalf("policy %s gives decreasing dues for %q: %+v", b, code, d)
			}
		}
	})
}
