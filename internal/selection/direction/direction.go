// Package direction classifies a communication by where its two endpoints
// are: domestic (inside Japan) or foreign. The four directions are 外外
// (foreign → foreign), 外内 (foreign → domestic), 内外 (domestic → foreign)
// and 内内 (domestic → domestic); the selection engine takes a flow into
// consideration only when its direction is in the approved criteria set, and
// 内内 is never in scope.
//
// # The domestic address table
//
// A [Table] answers "is this address domestic?" with one longest-prefix
// lookup. It is built by a [Builder] from two kinds of input:
//
//   - RIR delegation statistics ([Builder.AddDelegated]) in the standard
//     delegated-<rir>[-extended]-latest format published by APNIC and the other
//     registries. Rows with country code JP, type ipv4 or ipv6 and status
//     allocated or assigned are domestic; everything else is ignored.
//   - Overrides ([Builder.AddOverrides]): local corrections that win over the
//     delegation data in both directions.
//
// The override format is plain text, one entry a line:
//
//	# comment lines and trailing comments start with '#'
//	203.0.113.0/24   domestic   # an address block used in Japan but registered abroad
//	2001:db8:77::/48 foreign    # a JP allocation announced only abroad
//	192.0.2.10       domestic   # a bare address means /32 (IPv4) or /128 (IPv6)
//
// Each line is a prefix (or address) and the word domestic or foreign,
// separated by spaces or tabs. The prefix must have no bits set after its
// length and may not be IPv4-mapped IPv6 (write IPv4 as IPv4). A prefix may
// appear only once across all override inputs. When an address is covered by
// any override, the longest such override decides; only an address that no
// override covers is looked up in the delegation data.
//
// A built Table is immutable and safe for concurrent use; lookups do not
// allocate.
package direction

import (
	"fmt"
	"strings"
)

// Direction is the direction of a communication as seen from Japan: whether
// its source and its destination are domestic. The values are ordered so that
// bit 1 is "source domestic" and bit 0 is "destination domestic".
type Direction uint8

// The four directions.
const (
	ForeignForeign   Direction = 0 // 外外: foreign source, foreign destination
	ForeignDomestic  Direction = 1 // 外内: foreign source, domestic destination
	DomesticForeign  Direction = 2 // 内外: domestic source, foreign destination
	DomesticDomestic Direction = 3 // 内内: domestic source, domestic destination (never in scope)
)

var directionNames = [4]string{"foreign-foreign", "foreign-domestic", "domestic-foreign", "domestic-domestic"}

var japaneseNames = [4]string{"外外", "外内", "内外", "内内"}

// String returns the direction's name as used in criteria files and output:
// "foreign-foreign", "foreign-domestic", "domestic-foreign" or
// "domestic-domestic". An out-of-range value gives "direction(N)".
func (d Direction) String() string {
	if d < 4 {
		return directionNames[d]
	}
	return fmt.Sprintf("direction(%d)", uint8(d))
}

// Japanese returns the direction's Japanese name: 外外, 外内, 内外 or 内内.
// An out-of-range value gives "direction(N)".
func (d Direction) Japanese() string {
	if d < 4 {
		return japaneseNames[d]
	}
	return fmt.Sprintf("direction(%d)", uint8(d))
}

// ParseDirection parses a direction name as returned by [Direction.String].
// Names are case-sensitive.
func ParseDirection(s string) (Direction, error) {
	for i, n := range directionNames {
		if s == n {
			return Direction(i), nil
		}
	}
	return 0, fmt.Errorf("unknown direction %q (want foreign-foreign, foreign-domestic, domestic-foreign or domestic-domestic)", s)
}

// MarshalText implements [encoding.TextMarshaler] with the [Direction.String]
// names. It fails for an out-of-range value.
func (d Direction) MarshalText() ([]byte, error) {
	if d >= 4 {
		return nil, fmt.Errorf("marshal direction: invalid value %d", uint8(d))
	}
	return []byte(directionNames[d]), nil
}

// UnmarshalText implements [encoding.TextUnmarshaler] with [ParseDirection].
func (d *Direction) UnmarshalText(text []byte) error {
	v, err := ParseDirection(string(text))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Set is a set of directions, one bit per [Direction]. The zero value is the
// empty set.
type Set uint8

// Has reports whether d is in the set.
func (s Set) Has(d Direction) bool {
	return d < 4 && s&(1<<d) != 0
}

// Add puts d into the set. Out-of-range values are ignored.
func (s *Set) Add(d Direction) {
	if d < 4 {
		*s |= 1 << d
	}
}

// Len returns the number of directions in the set.
func (s Set) Len() int {
	n := 0
	for d := range Direction(4) {
		if s.Has(d) {
			n++
		}
	}
	return n
}

// String returns the directions in the set in [Direction] order, joined by
// commas ("foreign-foreign,domestic-foreign"), or "none" for the empty set.
func (s Set) String() string {
	if s&0xf == 0 {
		return "none"
	}
	var b strings.Builder
	for d := range Direction(4) {
		if s.Has(d) {
			if b.Len() > 0 {
				b.WriteByte(',')
			}
			b.WriteString(directionNames[d])
		}
	}
	return b.String()
}
