package auth_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
)

func TestAddrKey(t *testing.T) {
	tests := []struct {
		name, addr, want string
	}{
		// IPv4 by the address, without the port.
		{"IPv4 with port", "192.0.2.7:5555", "addr:192.0.2.7"},
		{"IPv4", "192.0.2.7", "addr:192.0.2.7"},
		// IPv6 by its /64, so hopping within the subscriber's prefix does
		// not give new keys.
		{"IPv6 with port", "[2001:db8:1:2:3:4:5:6]:443", "addr:2001:db8:1:2::/64"},
		{"IPv6", "2001:db8:1:2::9", "addr:2001:db8:1:2::/64"},
		{"IPv6 with zone", "[fe80::1%eth0]:22", "addr:fe80::/64"},
		// An IPv4-mapped IPv6 address is the IPv4 address.
		{"IPv4-mapped", "[::ffff:192.0.2.7]:1", "addr:192.0.2.7"},
		// Not an address: as given.
		{"unparsable", "pipe", "addr:pipe"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := auth.AddrKey(tt.addr); got != tt.want {
				t.Errorf("AddrKey(%q) = %q, want %q", tt.addr, got, tt.want)
			}
		})
	}
}

// TestLimiterKeepsLockedKeys checks that a full limiter never forgets a key
// over its limit to make room: it drops the oldest unlocked key, and when
// every key is locked it refuses new keys rather than lift a lock.
func TestLimiterKeepsLockedKeys(t *testing.T) {
	clk := deadline.NewFakeClock(time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC))
	const limit, window = 3, 15 * time.Minute
	l := auth.NewLimiter(window, 3)

	for range limit {
		l.Fail("user:victim", limit, clk.Now()) // locked
	}
	clk.Advance(time.Minute)
	l.Fail("user:a", limit, clk.Now()) // unlocked, older
	clk.Advance(time.Minute)
	l.Fail("user:b", limit, clk.Now()) // unlocked, newer
	clk.Advance(time.Minute)

	// A new key evicts the oldest unlocked one (a), not the locked victim,
	// whose newest failure is older still.
	l.Fail("user:c", limit, clk.Now())
	if !l.Blocked("user:victim", limit, clk.Now()) {
		t.Fatal("the locked key was evicted to make room")
	}
	for range limit - 1 {
		l.Fail("user:b", limit, clk.Now())
		l.Fail("user:c", limit, clk.Now())
	}
	if !l.Blocked("user:b", limit, clk.Now()) || !l.Blocked("user:c", limit, clk.Now()) {
		t.Fatal("b and c not locked after their limit's worth of failures")
	}

	// Every key is locked: a new key is refused as limited, and recording
	// its failures drops nobody.
	if !l.Blocked("user:new", limit, clk.Now()) {
		t.Error("a new key was admitted while every held key is locked")
	}
	for range 10 {
		l.Fail("user:new", limit, clk.Now())
	}
	for _, k := range []string{"user:victim", "user:b", "user:c"} {
		if !l.Blocked(k, limit, clk.Now()) {
			t.Errorf("%s lost its lock when the limiter was full", k)
		}
	}

	// When the victim's failures leave the window, it makes room again.
	clk.Advance(window - 2*time.Minute)
	if l.Blocked("user:victim", limit, clk.Now()) {
		t.Error("the victim is still locked after its window")
	}
	if l.Blocked("user:new", limit, clk.Now()) {
		t.Error("a new key is refused although an expired key makes room")
	}
	l.Fail("user:new", limit, clk.Now())
	if l.Blocked("user:new", limit, clk.Now()) || !l.Blocked("user:b", limit, clk.Now()) {
		t.Error("after one failure the new key is locked, or b lost its lock")
	}
}

// TestLoginRateLimitIPv6Prefix checks that failures from anywhere in one
// IPv6 /64 count together, and that another /64 is not affected.
func TestLoginRateLimitIPv6Prefix(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		o := e.org(t, "Kanto Electric", auth.OrgOperator, "electricity")
		e.seed(t, "tanaka", o, auth.RoleOperator)
		// 20 failures (LoginAddrFailures) for different names, each from
		// another address of 2001:db8:1:2::/64.
		for i := range 20 {
			addr := fmt.Sprintf("[2001:db8:1:2::%x]:1", i+1)
			if _, err := e.svc.PasswordLogin(e.ctx, fmt.Sprintf("nobody%d", i), password, addr); err != auth.ErrBadCredentials {
				t.Fatalf("failure %d: got %v, want ErrBadCredentials", i, err)
			}
		}
		if _, err := e.svc.PasswordLogin(e.ctx, "tanaka", password, "[2001:db8:1:2:ffff::1]:1"); err != auth.ErrRateLimited {
			t.Errorf("from the same /64: got %v, want ErrRateLimited", err)
		}
		if _, err := e.svc.PasswordLogin(e.ctx, "tanaka", password, "[2001:db8:1:3::1]:1"); err != nil {
			t.Errorf("from another /64: got %v, want a login", err)
		}
		e.clock.Advance(15*time.Minute + time.Second)
		if _, err := e.svc.PasswordLogin(e.ctx, "tanaka", password, "[2001:db8:1:2::1]:1"); err != nil {
			t.Errorf("after the window: got %v, want a login", err)
		}
	})
}
