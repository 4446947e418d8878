package csaf_test

import (
	"encoding/json"
	"testing"

	"github.com/acd-platform/acd/internal/csaf"
)

// FuzzCheck checks that Check reads any input without a panic and that
// every error says something. The seeds under testdata/fuzz/FuzzCheck
// are named for what they are.
func FuzzCheck(f *testing.F) {
	valid, _ := json.Marshal(baseDoc())
	f.Add(valid)                                                                                                                                                                                                      // a valid security advisory
	f.Add([]byte(`{"document":{"category":"Withdrawn","tracking":{"version":"2","status":"final","revision_history":[{"date":"2026-06-01T00:00:00Z","number":"1"},{"date":"2026-06-02T00:00:00Z","number":"2"}]}}}`)) // a withdrawn document
	f.Add([]byte(`{"product_tree":{"branches":[{"branches":[{"branches":[{"product":{"product_id":"x"}}]}]}]},"vulnerabilities":[{"product_status":{"fixed":["x","y"]}}]}`))                                          // nested branches, an undefined id
	f.Add([]byte(`{"document":{"tracking":{"version":"1.0.0","revision_history":[{"number":"1.0.0-rc.1"},{"number":"1.0.0"}]}}}`))                                                                                    // semantic versions
	f.Add([]byte(`[`))                                                                                                                                                                                                // not JSON
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, err := range csaf.Check(b) {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
		}
	})
}
