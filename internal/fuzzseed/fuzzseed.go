// Package fuzzseed keeps the seed corpora of fuzz targets, written as Go
// values next to the comments that say what each seed is, in step with
// the files `go test` reads under testdata/fuzz.
package fuzzseed

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Check fails t unless testdata/fuzz/<target>/<name> holds each seed of
// seeds (target → name → the seed, one []byte argument) in the corpus
// format; with update it writes the files instead. Callers pass a flag
// such as -update-seeds as update.
func Check(t testing.TB, seeds map[string]map[string]string, update bool) {
	t.Helper()
	for target, byName := range seeds {
		dir := filepath.Join("testdata", "fuzz", target)
		for name, seed := range byName {
			want := fmt.Appendf(nil, "go test fuzz v1\n[]byte(%q)\n", seed)
			path := filepath.Join(dir, name)
			if update {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, want, 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Errorf("seed %s/%s: %v (run go test -run TestFuzzSeeds -update-seeds)", target, name, err)
				continue
			}
			if !bytes.Equal(got, want) {
				t.Errorf("seed %s/%s is out of date (run go test -run TestFuzzSeeds -update-seeds)", target, name)
			}
		}
	}
}
