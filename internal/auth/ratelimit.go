package auth

import (
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/netip"
	"sync"
	"time"
)

// limiter counts failed login attempts per key ("user:NAME", "addr:IP" or
// "addr:PREFIX/64") in a sliding window. It is in memory: a restart forgets
// failures, which at worst grants an attacker one more window's worth of
// guesses.
//
// Memory is bounded: each key keeps at most its limit's worth of timestamps,
// and at most maxKeys keys are held. To make room for a new key, expired
// keys are dropped first, then the unlocked key whose newest failure is
// oldest. A key over its limit is never dropped, since that would lift its
// lock-out: when every key is locked, new keys are refused as limited
// (blocked reports true, fail records nothing) until one expires.
type limiter struct {
	window  time.Duration
	maxKeys int

	mu   sync.Mutex         // guards keys
	keys map[string]*record // by key
}

// record is one key's failures.
type record struct {
	ts    []time.Time // failure times, oldest first
	limit int         // the key's limit, as last given to fail
}

func newLimiter(window time.Duration, maxKeys int) *limiter {
	return &limiter{window: window, maxKeys: maxKeys, keys: map[string]*record{}}
}

// blocked reports whether key has at least limit failures within the window
// ending at now, or is a new key that cannot be held because every held key
// is locked.
func (l *limiter) blocked(key string, limit int, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if r := l.live(key, now); r != nil {
		return len(r.ts) >= limit
	}
	return len(l.keys) >= l.maxKeys && !l.evict(now, false)
}

// fail records a failure for key at now, keeping at most limit timestamps.
// A new key that cannot be held (every held key is locked) is not recorded;
// blocked refuses it meanwhile.
func (l *limiter) fail(key string, limit int, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	r := l.live(key, now)
	if r == nil {
		if len(l.keys) >= l.maxKeys && !l.evict(now, true) {
			return
		}
		r = &record{}
		l.keys[key] = r
	}
	r.limit = limit
	r.ts = append(r.ts, now)
	if len(r.ts) > limit {
		r.ts = r.ts[len(r.ts)-limit:]
	}
}

// reset forgets key's failures (after a successful login).
func (l *limiter) reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.keys, key)
}

// live drops key's expired failures and returns its record, or nil when it
// has none left. l.mu must be held.
func (l *limiter) live(key string, now time.Time) *record {
	r := l.keys[key]
	if r == nil {
		return nil
	}
	i := 0
	for i < len(r.ts) && !r.ts[i].After(now.Add(-l.window)) {
		i++
	}
	if i == len(r.ts) {
		delete(l.keys, key)
		return nil
	}
	r.ts = r.ts[i:]
	return r
}

// evict makes room for one key, reporting whether there is room: it drops
// expired keys, and when that is not enough and drop is set, the unlocked
// key whose newest failure is oldest. Without drop it only reports whether
// such a key exists. Locked keys are never dropped. l.mu must be held.
func (l *limiter) evict(now time.Time, drop bool) bool {
	var oldestKey string
	var oldest time.Time
	for k, r := range l.keys {
		last := r.ts[len(r.ts)-1]
		if !last.After(now.Add(-l.window)) {
			delete(l.keys, k)
			continue
		}
		if l.lockedNow(r, now) {
			continue
		}
		if oldestKey == "" || last.Before(oldest) {
			oldestKey, oldest = k, last
		}
	}
	if len(l.keys) < l.maxKeys {
		return true
	}
	if oldestKey == "" {
		return false
	}
	if drop {
		delete(l.keys, oldestKey)
	}
	return true
}

// lockedNow reports whether r still has its limit's worth of failures within
// the window ending at now.
func (l *limiter) lockedNow(r *record, now time.Time) bool {
	n := 0
	for _, t := range r.ts {
		if t.After(now.Add(-l.window)) {
			n++
		}
	}
	return n >= r.limit
}

// addrKey is the rate-limit key of a remote address, without the port: an
// IPv4 address by itself, an IPv6 address by its /64, which one subscriber
// usually holds whole and can hop around in. An address that does not parse
// is keyed as given.
func addrKey(remoteAddr string) string {
	if host, _, err := net.SplitHostPort(remoteAddr); err == nil {
		remoteAddr = host
	}
	a, err := netip.ParseAddr(remoteAddr)
	if err != nil {
		return "addr:" + remoteAddr
	}
	a = a.Unmap().WithZone("")
	if a.Is4() {
		return "addr:" + a.String()
	}
	return "addr:" + netip.PrefixFrom(a, 64).Masked().String()
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
