package auth

import (
	"crypto/sha256"
	"encoding/hex"
	"net"
	"sync"
	"time"
)

// limiter counts failed login attempts per key ("user:NAME", "addr:IP") in a
// sliding window. It is in memory: a restart forgets failures, which at worst
// grants an attacker one more window's worth of guesses. Memory is bounded:
// each key keeps at most its limit's worth of timestamps, and at most maxKeys
// keys are held (expired keys are dropped first, then the key whose newest
// failure is oldest).
type limiter struct {
	window  time.Duration
	maxKeys int

	mu   sync.Mutex             // guards keys
	keys map[string][]time.Time // failure times, oldest first
}

func newLimiter(window time.Duration, maxKeys int) *limiter {
	return &limiter{window: window, maxKeys: maxKeys, keys: map[string][]time.Time{}}
}

// blocked reports whether key has at least limit failures within the window
// ending at now.
func (l *limiter) blocked(key string, limit int, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	ts := l.live(key, now)
	return len(ts) >= limit
}

// fail records a failure for key at now, keeping at most limit timestamps.
func (l *limiter) fail(key string, limit int, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ts := l.live(key, now)
	if ts == nil && len(l.keys) >= l.maxKeys {
		l.evict(now)
	}
	ts = append(ts, now)
	if len(ts) > limit {
		ts = ts[len(ts)-limit:]
	}
	l.keys[key] = ts
}

// reset forgets key's failures (after a successful login).
func (l *limiter) reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.keys, key)
}

// live drops key's expired failures and returns the rest. l.mu must be held.
func (l *limiter) live(key string, now time.Time) []time.Time {
	ts := l.keys[key]
	i := 0
	for i < len(ts) && !ts[i].After(now.Add(-l.window)) {
		i++
	}
	if i == len(ts) {
		delete(l.keys, key)
		return nil
	}
	ts = ts[i:]
	l.keys[key] = ts
	return ts
}

// evict makes room for one key. l.mu must be held.
func (l *limiter) evict(now time.Time) {
	var oldestKey string
	var oldest time.Time
	for k, ts := range l.keys {
		last := ts[len(ts)-1]
		if !last.After(now.Add(-l.window)) {
			delete(l.keys, k)
			continue
		}
		if oldestKey == "" || last.Before(oldest) {
			oldestKey, oldest = k, last
		}
	}
	if len(l.keys) >= l.maxKeys && oldestKey != "" {
		delete(l.keys, oldestKey)
	}
}

// addrKey is the rate-limit key of a remote address, without the port.
func addrKey(remoteAddr string) string {
	if host, _, err := net.SplitHostPort(remoteAddr); err == nil {
		remoteAddr = host
	}
	return "addr:" + remoteAddr
}

func userKey(username string) string { return "user:" + username }

// loginBlocked reports whether logins for username from remoteAddr are
// refused.
func (s *Service) loginBlocked(username, remoteAddr string) bool {
	now := s.now()
	return s.limiter.blocked(userKey(username), s.cfg.LoginFailures, now) ||
		(remoteAddr != "" && s.limiter.blocked(addrKey(remoteAddr), s.cfg.LoginAddrFailures, now))
}

// loginFailed records a failed password or TOTP attempt. known says whether
// an account named username exists: only then is the name logged. What was
// typed for an unknown name may be a password typed into the wrong field,
// so it is logged as the first 12 hex digits of its SHA-256, enough to
// correlate repeated attempts. Passwords are never logged.
func (s *Service) loginFailed(username, remoteAddr string, known bool) {
	now := s.now()
	s.limiter.fail(userKey(username), s.cfg.LoginFailures, now)
	if remoteAddr != "" {
		s.limiter.fail(addrKey(remoteAddr), s.cfg.LoginAddrFailures, now)
	}
	if known {
		s.logger.Info("login failed", "username", username, "remote", remoteAddr)
		return
	}
	h := sha256.Sum256([]byte(username))
	s.logger.Info("login failed", "unknown_username_sha256", hex.EncodeToString(h[:6]), "remote", remoteAddr)
}
