package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/manifest"
	"github.com/acd-platform/acd/internal/selection/criteria"
)

// maxApprovalDocument bounds the manifest, key set and revocation list read
// from a file or the network; the manifest package refuses larger ones.
const maxApprovalDocument = 4 << 20

// maxCriteriaFile bounds the criteria file: far above the largest sets in
// use (a million rules is some tens of MiB).
const maxCriteriaFile = 256 << 20

// fetchTimeout bounds fetching the revocation list at start.
const fetchTimeout = 30 * time.Second

// approvalFlags are the flags of the approval check that precedes every
// run: the signed manifest, the trust anchor it is checked against and the
// revocation list.
type approvalFlags struct {
	manifest    string
	keys        string
	revocations string
	maxAge      time.Duration
}

func (a *approvalFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&a.manifest, "manifest", "", "signed approval manifest (JSON, schema "+manifest.Schema+") issued with the criteria file; required")
	fs.StringVar(&a.keys, "manifest-keys", "", "the server's approval-manifest public keys (JSON, schema "+manifest.KeysSchema+
		", as served at GET /api/v1/manifest/keys), kept on the sensor as its trust anchor and never fetched by acd select; required")
	fs.StringVar(&a.revocations, "revocations", "", "signed revocation list (schema "+manifest.RevocationsSchema+
		"): a file, or an https URL such as https://acd.example/api/v1/manifest/revocations fetched afresh at start; required")
	fs.DurationVar(&a.maxAge, "revocations-max-age", manifest.DefaultMaxListAge, "refuse to run on a revocation list issued longer ago than this")
}

// check validates the flags after parsing.
func (a *approvalFlags) check() error {
	switch {
	case a.manifest == "":
		return usagef("--manifest is required: acd select runs only on a criteria file approved by a signed approval manifest (download both from the approval)")
	case a.keys == "":
		return usagef("--manifest-keys is required: the server's approval-manifest public keys (GET /api/v1/manifest/keys), kept on the sensor")
	case a.revocations == "":
		return usagef("--revocations is required: a signed revocation list file, or the server's https URL for it (/api/v1/manifest/revocations)")
	case a.maxAge <= 0:
		return usagef("--revocations-max-age %s: want a positive duration", a.maxAge)
	}
	if isURL(a.revocations) {
		if _, err := checkServerURL("--revocations", a.revocations); err != nil {
			return err
		}
	}
	return nil
}

// isURL reports whether s is meant as a URL rather than a file name.
func isURL(s string) bool {
	return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")
}

// readCriteria reads and parses the criteria file: exit 2 when it cannot be
// read or is malformed. The bytes are what the manifest's hash covers.
func readCriteria(path string) ([]byte, *criteria.Set, error) {
	b, err := readLimited(path, maxCriteriaFile)
	if err != nil {
		return nil, nil, usagef("--criteria: %v", err)
	}
	set, err := criteria.Parse(b)
	if err != nil {
		return nil, nil, usagef("%s: %v", path, err)
	}
	return b, set, nil
}

// verifyApproval loads the manifest, the key set and the revocation list
// and runs manifest.Check on the criteria file's bytes. A document that
// cannot be read or is malformed is exit 2, naming the file and the field;
// a revocation list that cannot be fetched is exit 1; every refusal of the
// check is exit 3, naming its reason. It returns the verified manifest.
func verifyApproval(ctx context.Context, a *approvalFlags, client *http.Client, critBytes []byte, set *criteria.Set, now time.Time) (*manifest.Manifest, error) {
	b, err := readLimited(a.manifest, maxApprovalDocument)
	if err != nil {
		return nil, usagef("--manifest: %v", err)
	}
	m, err := manifest.Parse(b)
	if err != nil {
		return nil, usagef("%s: %v", a.manifest, err)
	}
	if b, err = readLimited(a.keys, maxApprovalDocument); err != nil {
		return nil, usagef("--manifest-keys: %v", err)
	}
	ks, err := manifest.ParseKeySet(b)
	if err != nil {
		return nil, usagef("%s: %v", a.keys, err)
	}
	if isURL(a.revocations) {
		b, err = fetchRevocations(ctx, client, a.revocations)
		if err != nil {
			return nil, err
		}
	} else if b, err = readLimited(a.revocations, maxApprovalDocument); err != nil {
		return nil, usagef("--revocations: %v", err)
	}
	rl, err := manifest.ParseRevocations(b)
	if err != nil {
		return nil, usagef("%s: %v", a.revocations, err)
	}
	err = manifest.Check(manifest.Checks{
		Keys: ks, Manifest: m, Revocations: rl, Criteria: critBytes, Set: set, Now: now, MaxListAge: a.maxAge,
	})
	if err != nil {
		return nil, refused(fmt.Errorf("refusing to run: %w", err))
	}
	return m, nil
}

// fetchRevocations GETs the revocation list. It is signed, so where it
// comes from does not matter; that it is fresh does, and Check sees to it.
func fetchRevocations(ctx context.Context, client *http.Client, url string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, usagef("--revocations %s: %v", url, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch revocation list: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch revocation list from %s: %s", url, serverError(resp))
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxApprovalDocument+1))
	if err != nil {
		return nil, fmt.Errorf("fetch revocation list from %s: %w", url, err)
	}
	if len(b) > maxApprovalDocument {
		return nil, fmt.Errorf("fetch revocation list from %s: over %d bytes", url, maxApprovalDocument)
	}
	return b, nil
}

// errTooLarge is a file over the size its reader allows.
var errTooLarge = errors.New("file too large")

// readLimited reads a whole file of at most limit bytes.
func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s: %w: over %d bytes", path, errTooLarge, limit)
	}
	return b, nil
}
