package match

import (
	"slices"
	"strings"

	"github.com/acd-platform/acd/internal/vuln/cve"
)

// VersionStatus returns the status of version under vs by the algorithm of
// the CVE JSON 5 schema: the first entry of vs.Ranges that contains the
// version decides (a single version by equality; a range by its bounds,
// its status refined by the last of its changes, sorted by version, at or
// below the version); if none does, vs.Default. Versions are compared
// under the scheme of the first entry that names one (see [SchemeFor]); a
// range under Git contains nothing.
func VersionStatus(vs cve.Versions, version string) cve.Status {
	s := schemeOf(vs)
	k := versionKey(s, version)
	for _, r := range vs.Ranges {
		if r.Exact != "" {
			if versionKey(s, r.Exact) == k {
				return r.Status
			}
			continue
		}
		if s == Git {
			continue
		}
		iv := rangeInterval(s, r)
		if !iv.contains(k) {
			continue
		}
		st := r.Status
		for _, c := range sortedChanges(s, r.Changes) {
			if c.key <= k {
				st = c.status
			}
		}
		return st
	}
	return vs.Default
}

// schemeOf returns the one scheme used for all of vs's entries: that of
// the first entry that names one, else Generic.
func schemeOf(vs cve.Versions) Scheme {
	for _, r := range vs.Ranges {
		if r.Scheme != "" {
			return SchemeFor(r.Scheme)
		}
	}
	return Generic
}

// bound is one end of an interval of version keys: a key, whether the
// key itself is in, or no bound at all (inf: below everything for a lower
// end, above everything for an upper end).
type bound struct {
	key  string
	incl bool
	inf  bool
}

// interval is a set of versions between two bounds.
type interval struct {
	lo, hi bound
}

// everything is the interval of every version.
var everything = interval{lo: bound{inf: true}, hi: bound{inf: true}}

// contains reports whether key k is in iv.
func (iv interval) contains(k string) bool {
	if !iv.lo.inf {
		if c := strings.Compare(k, iv.lo.key); c < 0 || c == 0 && !iv.lo.incl {
			return false
		}
	}
	if !iv.hi.inf {
		if c := strings.Compare(k, iv.hi.key); c > 0 || c == 0 && !iv.hi.incl {
			return false
		}
	}
	return true
}

// empty reports whether iv contains no key.
func (iv interval) empty() bool {
	if iv.lo.inf || iv.hi.inf {
		return false
	}
	c := strings.Compare(iv.lo.key, iv.hi.key)
	return c > 0 || c == 0 && !(iv.lo.incl && iv.hi.incl)
}

// cmpLo orders lower bounds: -inf first; at the same key, inclusive first.
func cmpLo(a, b bound) int {
	switch {
	case a.inf && b.inf:
		return 0
	case a.inf:
		return -1
	case b.inf:
		return 1
	}
	if c := strings.Compare(a.key, b.key); c != 0 {
		return c
	}
	switch {
	case a.incl == b.incl:
		return 0
	case a.incl:
		return -1
	}
	return 1
}

// cmpHi orders upper bounds: +inf last; at the same key, exclusive first.
func cmpHi(a, b bound) int {
	switch {
	case a.inf && b.inf:
		return 0
	case a.inf:
		return 1
	case b.inf:
		return -1
	}
	if c := strings.Compare(a.key, b.key); c != 0 {
		return c
	}
	switch {
	case a.incl == b.incl:
		return 0
	case a.incl:
		return 1
	}
	return -1
}

// intersect returns the versions in both a and b (maybe empty).
func intersect(a, b interval) interval {
	out := a
	if cmpLo(b.lo, out.lo) > 0 {
		out.lo = b.lo
	}
	if cmpHi(b.hi, out.hi) < 0 {
		out.hi = b.hi
	}
	return out
}

// below returns the upper bound just below lower bound b: what comes
// before b. It must not be called with b.inf.
func below(b bound) bound { return bound{key: b.key, incl: !b.incl} }

// above returns the lower bound just above upper bound b.
func above(b bound) bound { return bound{key: b.key, incl: !b.incl} }

// subtract returns a without the versions in b: up to two intervals.
func subtract(a, b interval) []interval {
	if intersect(a, b).empty() {
		return []interval{a}
	}
	var out []interval
	if !b.lo.inf {
		if left := (interval{lo: a.lo, hi: below(b.lo)}); !left.empty() {
			out = append(out, left)
		}
	}
	if !b.hi.inf {
		if right := (interval{lo: above(b.hi), hi: a.hi}); !right.empty() {
			out = append(out, right)
		}
	}
	return out
}

// set is a sorted list of disjoint, non-adjacent, non-empty intervals.
type set []interval

// minus returns s without the versions in t.
func (s set) minus(t set) set {
	out := s
	for _, b := range t {
		var next set
		for _, a := range out {
			next = append(next, subtract(a, b)...)
		}
		out = next
	}
	return out
}

// union returns the versions in s or t.
func (s set) union(t set) set {
	all := append(append(set(nil), s...), t...)
	if len(all) < 2 {
		return all
	}
	slices.SortFunc(all, func(a, b interval) int { return cmpLo(a.lo, b.lo) })
	out := set{all[0]}
	for _, iv := range all[1:] {
		last := &out[len(out)-1]
		if touches(*last, iv) {
			if cmpHi(iv.hi, last.hi) > 0 {
				last.hi = iv.hi
			}
			continue
		}
		out = append(out, iv)
	}
	return out
}

// touches reports whether b, which starts at or after a, overlaps a or
// starts right where a ends.
func touches(a, b interval) bool {
	if a.hi.inf || b.lo.inf {
		return true
	}
	c := strings.Compare(b.lo.key, a.hi.key)
	return c < 0 || c == 0 && (a.hi.incl || b.lo.incl)
}

// rangeInterval returns the interval of a range entry (not Exact) under s.
func rangeInterval(s Scheme, r cve.Range) interval {
	iv := everything
	if r.Start != "" {
		iv.lo = bound{key: versionKey(s, r.Start), incl: !r.StartExcluded}
	}
	if r.End != "" {
		iv.hi = bound{key: boundKey(s, r.End), incl: r.EndIncluded}
	}
	return iv
}

// change is a cve.Change with its version key.
type change struct {
	key    string
	status cve.Status
}

// sortedChanges returns cs sorted by version under s (stable: of changes
// at the same version, the last written wins).
func sortedChanges(s Scheme, cs []cve.Change) []change {
	out := make([]change, len(cs))
	for i, c := range cs {
		out[i] = change{versionKey(s, c.At), c.Status}
	}
	slices.SortStableFunc(out, func(a, b change) int { return strings.Compare(a.key, b.key) })
	return out
}

// versionSet is the set of versions a cve.Versions affects, compiled for
// fast membership tests and for finding the assets in it by binary
// search.
// Under Git the intervals are made of single commits and their
// complement: only equality means anything.
type versionSet struct {
	scheme Scheme
	ivs    set
}

// all reports whether every version is affected, known or not.
func (v *versionSet) all() bool {
	return len(v.ivs) == 1 && v.ivs[0].lo.inf && v.ivs[0].hi.inf
}

// contains reports whether the version with key k (under v.scheme) is
// affected.
func (v *versionSet) contains(k string) bool {
	i, _ := slices.BinarySearchFunc(v.ivs, k, func(iv interval, k string) int {
		if iv.hi.inf {
			return 1
		}
		if c := strings.Compare(iv.hi.key, k); c != 0 {
			return c
		}
		if iv.hi.incl {
			return 1 // k is the inclusive end: this interval
		}
		return -1
	})
	return i < len(v.ivs) && v.ivs[i].contains(k)
}

// compileVersions computes the set of versions vs affects, by the same
// first-match rule as VersionStatus.
func compileVersions(vs cve.Versions) versionSet {
	s := schemeOf(vs)
	out := versionSet{scheme: s}
	if fast, ok := simpleVersions(s, vs); ok {
		out.ivs = fast
		return out
	}
	var claimed, affected set
	for _, r := range vs.Ranges {
		var cover set
		var pieces []struct {
			iv     interval
			status cve.Status
		}
		if r.Exact != "" {
			k := versionKey(s, r.Exact)
			iv := interval{lo: bound{key: k, incl: true}, hi: bound{key: k, incl: true}}
			cover = set{iv}
			pieces = append(pieces, struct {
				iv     interval
				status cve.Status
			}{iv, r.Status})
		} else {
			if s == Git {
				continue // commits have no order: a range contains nothing
			}
			iv := rangeInterval(s, r)
			if iv.empty() {
				continue
			}
			cover = set{iv}
			st, lo := r.Status, bound{inf: true}
			for _, c := range sortedChanges(s, r.Changes) {
				at := bound{key: c.key, incl: true}
				pieces = append(pieces, struct {
					iv     interval
					status cve.Status
				}{intersect(iv, interval{lo: lo, hi: below(at)}), st})
				st, lo = c.status, at
			}
			pieces = append(pieces, struct {
				iv     interval
				status cve.Status
			}{intersect(iv, interval{lo: lo, hi: bound{inf: true}}), st})
		}
		for _, p := range pieces {
			if p.status == cve.StatusAffected && !p.iv.empty() {
				affected = affected.union(set{p.iv}.minus(claimed))
			}
		}
		claimed = claimed.union(cover)
	}
	if vs.Default == cve.StatusAffected {
		affected = affected.union(set{everything}.minus(claimed))
	}
	out.ivs = affected
	return out
}

// simpleVersions computes the set of the common version list quickly:
// when every entry is affected without changes and the default is not,
// which entry comes first does not matter and the set is the union of
// the entries.
func simpleVersions(s Scheme, vs cve.Versions) (set, bool) {
	if vs.Default == cve.StatusAffected {
		return nil, false
	}
	all := make(set, 0, len(vs.Ranges))
	for _, r := range vs.Ranges {
		if r.Status != cve.StatusAffected || len(r.Changes) > 0 {
			return nil, false
		}
		var iv interval
		switch {
		case r.Exact != "":
			k := versionKey(s, r.Exact)
			iv = interval{lo: bound{key: k, incl: true}, hi: bound{key: k, incl: true}}
		case s == Git:
			continue
		default:
			iv = rangeInterval(s, r)
		}
		if !iv.empty() {
			all = append(all, iv)
		}
	}
	return set(nil).union(all), true
}
