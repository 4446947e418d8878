package match

import (
	"slices"
	"strings"

	"github.com/acd-platform/acd/internal/product"
)

// stabIndex finds, among the version intervals of a bucket's entries
// (under one scheme), those that contain a given version key: the asset
// side of matching, so that a new asset is not compared with every
// vulnerability of its product. The intervals are sorted by lower bound;
// those that start at or below the key are a prefix, and a segment tree
// of the highest upper bound in each range of that prefix leads to the
// ones that reach the key, in O(log n) per interval found.
type stabIndex struct {
	los  []bound
	his  []bound
	refs []entryRef
	size int     // leaves in the tree: a power of two ≥ len(los)
	tree []int32 // node → index of the interval with the highest upper bound below it; -1 if none
}

// stabItem is one interval of one entry.
type stabItem struct {
	lo, hi bound
	ref    entryRef
}

// newStabIndex builds the index of items.
func newStabIndex(items []stabItem) *stabIndex {
	slices.SortFunc(items, func(a, b stabItem) int { return cmpLo(a.lo, b.lo) })
	n := len(items)
	x := &stabIndex{
		los:  make([]bound, n),
		his:  make([]bound, n),
		refs: make([]entryRef, n),
		size: 1,
	}
	for i, it := range items {
		x.los[i], x.his[i], x.refs[i] = it.lo, it.hi, it.ref
	}
	for x.size < n {
		x.size *= 2
	}
	x.tree = make([]int32, 2*x.size)
	for i := range x.tree {
		x.tree[i] = -1
	}
	for i := range n {
		x.tree[x.size+i] = int32(i)
	}
	for node := x.size - 1; node >= 1; node-- {
		x.tree[node] = x.higher(x.tree[2*node], x.tree[2*node+1])
	}
	return x
}

// higher returns whichever of intervals i and j has the higher upper
// bound (-1 stands for none).
func (x *stabIndex) higher(i, j int32) int32 {
	switch {
	case i < 0:
		return j
	case j < 0:
		return i
	case cmpHi(x.his[j], x.his[i]) > 0:
		return j
	}
	return i
}

// reaches reports whether upper bound hi is at or above key k.
func reaches(hi bound, k string) bool {
	if hi.inf {
		return true
	}
	c := strings.Compare(hi.key, k)
	return c > 0 || c == 0 && hi.incl
}

// stab calls f with the entry of every interval that contains key k.
func (x *stabIndex) stab(k string, f func(entryRef)) {
	// p: how many intervals start at or below k (a prefix, since at the
	// same key inclusive lower bounds sort first).
	p := sortSearchFunc(len(x.los), func(i int) bool {
		lo := x.los[i]
		if lo.inf {
			return false
		}
		c := strings.Compare(lo.key, k)
		return c > 0 || c == 0 && !lo.incl
	})
	if p == 0 {
		return
	}
	// Walk the tree over leaves [0, p), skipping nodes whose highest
	// upper bound does not reach k.
	type span struct{ node, lo, hi int } // node covers leaves [lo, hi)
	stack := []span{{1, 0, x.size}}
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if s.lo >= p {
			continue
		}
		best := x.tree[s.node]
		if best < 0 || !reaches(x.his[best], k) {
			continue
		}
		if s.hi-s.lo == 1 {
			f(x.refs[s.lo])
			continue
		}
		mid := (s.lo + s.hi) / 2
		stack = append(stack, span{2*s.node + 1, mid, s.hi}, span{2 * s.node, s.lo, mid})
	}
}

// sortSearchFunc is sort.Search: the first i in [0, n) with f(i), or n.
func sortSearchFunc(n int, f func(int) bool) int {
	lo, hi := 0, n
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if !f(m) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// ranged reports whether entry e is found through its intervals (the
// stab index on the asset side, rangeHits on the vulnerability side):
// a version range under Generic or Semver, and nothing else about the
// version.
func (e *entry) ranged() bool {
	if e.set.all() || e.set.scheme == Git {
		return false
	}
	if e.isPURL {
		return e.pver == ""
	}
	return e.ver.Kind() == product.KindAny
}

// buildStab builds b's stab indexes and the list of its other entries,
// if entries changed since they were last built.
func (ix *Index) buildStab(b *bucket) {
	if !b.stabDirty {
		return
	}
	var items [2][]stabItem
	b.other = b.other[:0]
	for _, ref := range b.entries {
		e := &ix.vulns[ref.vuln].entries[ref.idx]
		if !e.ranged() {
			b.other = append(b.other, ref)
			continue
		}
		for _, iv := range e.set.ivs {
			items[e.set.scheme] = append(items[e.set.scheme], stabItem{iv.lo, iv.hi, ref})
		}
	}
	for s := range items {
		b.stab[s] = nil
		if len(items[s]) > 0 {
			b.stab[s] = newStabIndex(items[s])
		}
	}
	b.stabDirty = false
}
