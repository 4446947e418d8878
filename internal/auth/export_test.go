package auth

import (
	"context"
	"time"

	"github.com/acd-platform/acd/internal/store"
)

// StoreGrant inserts g as addGrants does after its check of the roles held,
// as a request that raced past that check would.
func StoreGrant(ctx context.Context, s *Service, g Grant) error {
	return s.db.Tx(ctx, func(tx *store.Tx) error { return storeGrant(ctx, tx, g) })
}

// Limiter is the login rate limiter, for tests with a fake clock.
type Limiter = limiter

// NewLimiter returns a limiter holding at most maxKeys keys.
func NewLimiter(window time.Duration, maxKeys int) *Limiter { return newLimiter(window, maxKeys) }

// Blocked reports whether key is over limit at now.
func (l *limiter) Blocked(key string, limit int, now time.Time) bool {
	return l.blocked(key, limit, now)
}

// Fail records a failure of key at now.
func (l *limiter) Fail(key string, limit int, now time.Time) { l.fail(key, limit, now) }

// AddrKey is the rate-limit key of a remote address.
func AddrKey(remoteAddr string) string { return addrKey(remoteAddr) }
