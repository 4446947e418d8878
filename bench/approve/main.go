// Command approve signs an approval manifest for a criteria file with the
// approval-manifest key of a data directory's key ring, so that the
// benchmarks can run `acd select` without a server and a commission vote.
// It writes, next to the criteria file, FILE.manifest.json, and in the key
// directory's parent manifest-keys.json and revocations.json (an empty list).
// It is a benchmark tool: in operation only the commission's approval makes
// a manifest.
//
//	approve --keys DATA_DIR/keys CRITERIA.json...
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/manifest"
	"github.com/acd-platform/acd/internal/selection/criteria"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "approve:", err)
		os.Exit(1)
	}
}

func run() error {
	dir := flag.String("keys", "", "key directory (a data directory's keys/)")
	flag.Parse()
	if *dir == "" || flag.NArg() == 0 {
		return errors.New("usage: approve --keys DIR CRITERIA.json...")
	}
	ring, err := keys.Open(*dir, nil)
	if err != nil {
		return err
	}
	key, err := ring.Current(keys.ApprovalManifest)
	if err != nil {
		return err
	}
	for i, path := range flag.Args() {
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		set, err := criteria.Parse(b)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		m := &manifest.Manifest{
			ApprovalID: fmt.Sprintf("apv_bench%d", i+1), Basis: manifest.BasisTransit,
			CriteriaID: set.ID, CriteriaVersion: set.Version, CriteriaSHA256: fmt.Sprintf("%x", set.SHA256),
			Facilities: []string{"benchmark"}, ValidFrom: set.ValidFrom, ValidUntil: set.ValidUntil, IssuedAt: time.Now(),
		}
		for _, d := range set.Directions {
			m.Directions = append(m.Directions, d.String())
		}
		out, err := manifest.Sign(m, key)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if err := os.WriteFile(path+".manifest.json", out, 0o600); err != nil {
			return err
		}
	}
	ks, err := json.MarshalIndent(manifest.KeySetOf(ring), "", "  ")
	if err != nil {
		return err
	}
	rl, err := manifest.SignRevocations(nil, time.Now(), key)
	if err != nil {
		return err
	}
	base := filepath.Dir(filepath.Clean(*dir))
	if err := os.WriteFile(filepath.Join(base, "manifest-keys.json"), ks, 0o600); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(base, "revocations.json"), rl, 0o600)
}
