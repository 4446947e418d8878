package manifest

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/acd-platform/acd/internal/selection/criteria"
)

// Reasons the engine refuses to run. Each is wrapped with the detail.
var (
	ErrCriteriaMismatch = errors.New("criteria file is not the one approved")
	ErrNotYetValid      = errors.New("approval not yet valid")
	ErrExpired          = errors.New("approval expired")
	ErrRevoked          = errors.New("approval revoked")
	ErrDirection        = errors.New("direction not approved")
	ErrStaleList        = errors.New("revocation list too old")
)

// Checks is what the engine holds before it runs.
type Checks struct {
	Keys        *KeySet
	Manifest    *Manifest
	Revocations *Revocations
	// Criteria is the criteria file's exact bytes, and Set its parse.
	Criteria []byte
	Set      *criteria.Set
	Now      time.Time
	// MaxListAge is how old the revocation list may be; zero means 24h.
	MaxListAge time.Duration
}

// DefaultMaxListAge is how old a revocation list may be by default: a
// sensor fetches a fresh one at least daily.
const DefaultMaxListAge = 24 * time.Hour

// Check decides whether the engine may run: both signatures verify, the
// revocation list is fresh and does not name the approval, the criteria
// file's bytes hash to the manifest's criteria_sha256 and name the same id
// and version, now is inside the manifest's validity window, and every
// direction of the criteria set is approved. The first failure is returned,
// wrapping one of the package's errors.
func Check(c Checks) error {
	m := c.Manifest
	if err := c.Keys.VerifyManifest(m); err != nil {
		return err
	}
	if err := c.Keys.VerifyRevocations(c.Revocations); err != nil {
		return err
	}
	maxAge := c.MaxListAge
	if maxAge <= 0 {
		maxAge = DefaultMaxListAge
	}
	if age := c.Now.Sub(c.Revocations.IssuedAt); age > maxAge {
		return fmt.Errorf("revocation list issued %s is %s old, over %s: fetch a fresh one: %w",
			stamp(c.Revocations.IssuedAt), age.Round(time.Second), maxAge, ErrStaleList)
	}
	if r, ok := c.Revocations.Find(m.ApprovalID); ok {
		return fmt.Errorf("approval %s was revoked at %s (%s): %w", m.ApprovalID, stamp(r.RevokedAt), r.Reason, ErrRevoked)
	}
	sum := sha256.Sum256(c.Criteria)
	if got := hex.EncodeToString(sum[:]); got != m.CriteriaSHA256 {
		return fmt.Errorf("criteria file SHA-256 %s, manifest %s approves %s: %w", got, m.ApprovalID, m.CriteriaSHA256, ErrCriteriaMismatch)
	}
	if c.Set.ID != m.CriteriaID || c.Set.Version != m.CriteriaVersion {
		return fmt.Errorf("criteria file is %s version %d, manifest %s approves %s version %d: %w",
			c.Set.ID, c.Set.Version, m.ApprovalID, m.CriteriaID, m.CriteriaVersion, ErrCriteriaMismatch)
	}
	switch {
	case c.Now.Before(m.ValidFrom):
		return fmt.Errorf("approval %s is valid from %s until %s: %w", m.ApprovalID, stamp(m.ValidFrom), stamp(m.ValidUntil), ErrNotYetValid)
	case !c.Now.Before(m.ValidUntil):
		return fmt.Errorf("approval %s was valid from %s until %s: %w", m.ApprovalID, stamp(m.ValidFrom), stamp(m.ValidUntil), ErrExpired)
	}
	for _, d := range c.Set.Directions {
		if !m.Covers(d) {
			return fmt.Errorf("criteria set selects %s traffic, manifest %s approves only %v: %w", d, m.ApprovalID, m.Directions, ErrDirection)
		}
	}
	return nil
}
