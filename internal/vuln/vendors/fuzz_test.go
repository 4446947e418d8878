package vendors_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/acd-platform/acd/internal/vuln/vendors"
)

// FuzzProductInput: a product body is refused with an error, or accepted
// in a canonical form that is accepted again unchanged. The seeds are in
// testdata/fuzz/FuzzProductInput: a full product, one with a CPE in the
// URI binding, and a CPE with an escaped colon.
func FuzzProductInput(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		var in vendors.ProductInput
		d := json.NewDecoder(bytes.NewReader(b))
		d.DisallowUnknownFields()
		if d.Decode(&in) != nil {
			return
		}
		if err := in.Normalize(); err != nil {
			if err.Error() == "" {
				t.Fatalf("empty error for %q", b)
			}
			return
		}
		again := in
		if err := again.Normalize(); err != nil || again != in {
			t.Fatalf("canonical form %+v not stable: %+v, %v", in, again, err)
		}
	})
}
