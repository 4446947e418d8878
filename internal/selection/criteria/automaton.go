package criteria

import (
	"slices"
)

// automaton is an Aho–Corasick automaton over the command patterns, compact
// enough for 100k patterns: the root has a full 256-entry transition table,
// every other state a sorted list of its trie edges plus a failure link.
// Scanning a line costs O(len(line) + matches) and allocates nothing.
//
// Neither packaged implementation fitted: github.com/petar-dambovaliev/aho-corasick
// allocates on every search (an iterator and a *Match per match: 4 allocations
// per line in a 100-byte test) and took 531 MB for 100k patterns;
// github.com/BobuSumisu/aho-corasick walks without allocating but keeps a
// 2 KiB transition row per state (195 MB for 10k patterns, about 2 GB for
// 100k).
//
// State 0 is the root. A state's edges are edgeByte/edgeNext[edgeStart[s]:edgeStart[s+1]].
type automaton struct {
	root      [256]uint32 // root transitions; 0 means stay at the root
	edgeStart []uint32    // len(states)+1
	edgeByte  []byte
	edgeNext  []uint32
	fail      []uint32 // failure link of each state
	// Outputs: report[s] is the first state on s's failure chain (s itself
	// included) that ends a pattern, 0 if none; next[o] is the one after o.
	report  []uint32
	next    []uint32
	pattern []int32 // pattern id ending at each state, -1 if none
}

// buildAutomaton builds the automaton for patterns; pattern i has id i.
// Patterns are non-empty and distinct.
func buildAutomaton(patterns []string) *automaton {
	// Build the trie with per-state edge lists first.
	type edge struct {
		c    byte
		next uint32
	}
	edges := [][]edge{nil}
	pattern := []int32{-1}
	child := func(s uint32, c byte) (uint32, bool) {
		for _, e := range edges[s] {
			if e.c == c {
				return e.next, true
			}
		}
		return 0, false
	}
	for id, p := range patterns {
		s := uint32(0)
		for i := 0; i < len(p); i++ {
			n, ok := child(s, p[i])
			if !ok {
				n = uint32(len(edges))
				edges = append(edges, nil)
				pattern = append(pattern, -1)
				edges[s] = append(edges[s], edge{p[i], n})
			}
			s = n
		}
		pattern[s] = int32(id)
	}

	n := len(edges)
	a := &automaton{
		edgeStart: make([]uint32, n+1),
		fail:      make([]uint32, n),
		report:    make([]uint32, n),
		next:      make([]uint32, n),
		pattern:   pattern,
	}
	total := 0
	for s := range edges {
		slices.SortFunc(edges[s], func(x, y edge) int { return int(x.c) - int(y.c) })
		a.edgeStart[s] = uint32(total)
		total += len(edges[s])
	}
	a.edgeStart[n] = uint32(total)
	a.edgeByte = make([]byte, 0, total)
	a.edgeNext = make([]uint32, 0, total)
	for s := range edges {
		for _, e := range edges[s] {
			a.edgeByte = append(a.edgeByte, e.c)
			a.edgeNext = append(a.edgeNext, e.next)
		}
	}
	for _, e := range edges[0] {
		a.root[e.c] = e.next
	}

	// Failure links and outputs, breadth first so that a state's failure
	// target is done before the state.
	queue := make([]uint32, 0, n)
	for _, e := range edges[0] {
		queue = append(queue, e.next) // fail = 0
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		f := a.fail[s]
		switch {
		case a.pattern[s] >= 0:
			a.report[s] = s
			a.next[s] = a.report[f]
		default:
			a.report[s] = a.report[f]
		}
		for _, e := range edges[s] {
			a.fail[e.next] = a.step(f, e.c)
			queue = append(queue, e.next)
		}
	}
	return a
}

// step returns the state after reading c in state s.
func (a *automaton) step(s uint32, c byte) uint32 {
	for s != 0 {
		lo, hi := a.edgeStart[s], a.edgeStart[s+1]
		if hi-lo <= 8 {
			for i := lo; i < hi; i++ {
				if a.edgeByte[i] == c {
					return a.edgeNext[i]
				}
			}
		} else {
			for lo < hi {
				m := lo + (hi-lo)/2
				switch b := a.edgeByte[m]; {
				case b == c:
					return a.edgeNext[m]
				case b < c:
					lo = m + 1
				default:
					hi = m
				}
			}
		}
		s = a.fail[s]
	}
	return a.root[c]
}
