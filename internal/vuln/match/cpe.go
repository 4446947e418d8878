package match

import (
	"fmt"

	"github.com/acd-platform/acd/internal/product"
)

// Relation is the set relation between a source and a target CPE
// attribute value or name (NISTIR 7696 §6.1): is the set of things the
// source describes a superset of, a subset of, equal to or disjoint from
// the target's?
type Relation uint8

// The relations. The zero Relation is Undefined.
const (
	// Undefined: the target holds wildcards (a pattern, not a name), or,
	// for names, the attributes relate in mixed ways (some SUPERSET, some
	// SUBSET) so no one relation holds.
	Undefined Relation = iota
	// Disjoint: nothing is described by both.
	Disjoint
	// Subset: the source describes less than the target.
	Subset
	// Superset: the source describes more than the target.
	Superset
	// Equal: they describe the same.
	Equal
)

// String returns the NISTIR 7696 name: "UNDEFINED", "DISJOINT", "SUBSET",
// "SUPERSET" or "EQUAL".
func (r Relation) String() string {
	switch r {
	case Undefined:
		return "UNDEFINED"
	case Disjoint:
		return "DISJOINT"
	case Subset:
		return "SUBSET"
	case Superset:
		return "SUPERSET"
	case Equal:
		return "EQUAL"
	}
	return fmt.Sprintf("Relation(%d)", uint8(r))
}

// CompareValues compares one attribute value of a source (a pattern, e.g.
// a vulnerability's CPE criteria) with the same attribute of a target (a
// name, e.g. an asset's CPE) as NISTIR 7696 §6.2 (Table 6-2) does:
//
//	source \ target   ANY       NA        string    string with wildcards
//	ANY               EQUAL     SUPERSET  SUPERSET  UNDEFINED
//	NA                SUBSET    EQUAL     DISJOINT  UNDEFINED
//	string            SUBSET    DISJOINT  EQUAL or DISJOINT        UNDEFINED
//	string w/ wildcards SUBSET  DISJOINT  SUPERSET or DISJOINT     UNDEFINED
//
// A wildcard string matches a target string when the target holds the
// source's text with, before it, any run ("*") or at most as many
// characters as there are "?" (none if no wildcard), and likewise after
// it. Values are lower case already, so the comparison ignores case.
func CompareValues(source, target product.Value) Relation {
	if target.Kind() == product.KindString && target.HasWildcards() {
		return Undefined
	}
	if source == target {
		return Equal
	}
	switch {
	case source.Kind() == product.KindAny:
		return Superset
	case target.Kind() == product.KindAny:
		return Subset
	case source.Kind() == product.KindNA || target.Kind() == product.KindNA:
		return Disjoint
	}
	if source.HasWildcards() && wildMatch(source, target.Text()) {
		return Superset
	}
	return Disjoint
}

// wildMatch reports whether string t is matched by the wildcard value
// src (NISTIR 7696 compareStrings).
func wildMatch(src product.Value, t string) bool {
	text := src.Text()
	lead, trail := src.LeadingWildcard(), src.TrailingWildcard()
	if len(text) > len(t) {
		return false
	}
	for i := 0; i+len(text) <= len(t); i++ {
		if lead != "*" && i > len(lead) {
			break // more characters before than "?"s allow
		}
		if t[i:i+len(text)] != text {
			continue
		}
		rest := len(t) - i - len(text)
		if trail == "*" || rest <= len(trail) {
			return true
		}
	}
	return false
}

// CompareCPE compares a source CPE with a target CPE attribute by
// attribute (NISTIR 7696 §6.3): Disjoint if any attribute is; Equal if all
// are; Superset if all are Superset or Equal; Subset if all are Subset or
// Equal; otherwise Undefined.
func CompareCPE(source, target product.CPE) Relation {
	sa, ta := source.Attrs(), target.Attrs()
	sup, sub, undef := true, true, false
	for i := range sa {
		switch CompareValues(sa[i], ta[i]) {
		case Disjoint:
			return Disjoint
		case Superset:
			sub = false
		case Subset:
			sup = false
		case Undefined:
			undef = true
		}
	}
	switch {
	case undef:
		return Undefined
	case sup && sub:
		return Equal
	case sup:
		return Superset
	case sub:
		return Subset
	}
	return Undefined
}

// covers reports whether source covers target: Superset or Equal.
func covers(source, target product.Value) bool {
	r := CompareValues(source, target)
	return r == Superset || r == Equal
}
