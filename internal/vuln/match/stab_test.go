package match

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestStabIndex checks the stab index against testing every interval.
func TestStabIndex(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	key := func() string { return versionKey(Generic, fmt.Sprint(r.IntN(30))) }
	randomBound := func() bound {
		if r.IntN(8) == 0 {
			return bound{inf: true}
		}
		return bound{key: key(), incl: r.IntN(2) == 0}
	}
	for round := range 200 {
		var items []stabItem
		for i := range r.IntN(300) {
			items = append(items, stabItem{lo: randomBound(), hi: randomBound(), ref: entryRef{int32(i), 0}})
		}
		all := slices.Clone(items)
		x := newStabIndex(items)
		for range 20 {
			k := key()
			var want, got []int32
			for _, it := range all {
				if (interval{it.lo, it.hi}).contains(k) {
					want = append(want, it.ref.vuln)
				}
			}
			x.stab(k, func(ref entryRef) { got = append(got, ref.vuln) })
			slices.Sort(want)
			slices.Sort(got)
			if !slices.Equal(want, got) {
				t.Fatalf("round %d, key %q: stab found %v, want %v", round, k, got, want)
			}
		}
	}
}
