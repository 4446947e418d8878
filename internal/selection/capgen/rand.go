package capgen

import (
	"encoding/binary"
	"math/rand/v2"
)

// rng is the generator's source of randomness: PCG (a fixed, documented
// algorithm) seeded from Config.Seed, with its own small helpers so that the
// bytes a Config yields do not depend on math/rand's helper algorithms.
type rng struct{ src rand.PCG }

func newRNG(seed, stream uint64) *rng {
	r := &rng{}
	r.src.Seed(seed, stream)
	return r
}

func (r *rng) u64() uint64 { return r.src.Uint64() }

func (r *rng) u32() uint32 { return uint32(r.src.Uint64() >> 32) }

// intn returns a number in [0, n) for 0 < n < 2^32 (multiply-shift; the bias,
// below n/2^32, does not matter here).
func (r *rng) intn(n int) int { return int((uint64(r.u32()) * uint64(n)) >> 32) }

// between returns a number in [lo, hi].
func (r *rng) between(lo, hi int) int { return lo + r.intn(hi-lo+1) }

// chance reports true with probability p.
func (r *rng) chance(p float64) bool { return float64(r.u64()>>11)/(1<<53) < p }

// fill fills b with random bytes.
func (r *rng) fill(b []byte) {
	for len(b) >= 8 {
		binary.LittleEndian.PutUint64(b, r.u64())
		b = b[8:]
	}
	if len(b) > 0 {
		v := r.u64()
		for i := range b {
			b[i] = byte(v)
			v >>= 8
		}
	}
}

// pick returns an index into weights chosen with probability proportional to
// its weight; total is the sum of weights.
func (r *rng) pick(weights []int, total int) int {
	x := r.intn(total)
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}
