package oversight

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/manifest"
	"github.com/acd-platform/acd/internal/selection/criteria"
	"github.com/acd-platform/acd/internal/selection/direction"
	"github.com/acd-platform/acd/internal/textfield"
)

// Limits on input, so that a hostile request cannot exhaust memory or fill
// the database.
const (
	maxText     = 20000 // characters of a free-text field (suspicion, reasons)
	maxListLen  = 1000  // entries of a list (facilities, addresses, ASNs, removals)
	maxRemovals = 10000 // values removed by one narrowing, over all rules
)

// checkLines checks a list of one-line values: at least min, at most
// maxListLen, none blank, none repeated.
func checkLines(field string, list []string, min int) error {
	if len(list) < min {
		return fieldErrorf(field, "at least %d required", min)
	}
	if len(list) > maxListLen {
		return fieldErrorf(field, "%d entries is over the limit of %d", len(list), maxListLen)
	}
	for i, v := range list {
		f := fmt.Sprintf("%s[%d]", field, i)
		if err := textfield.CheckLine(f, v, true); err != nil {
			return err
		}
		if slices.Contains(list[:i], v) {
			return fieldErrorf(f, "%q repeated", v)
		}
	}
	return nil
}

// parseDirections parses direction names, refusing duplicates and
// domestic-domestic, and returns them as a set.
func parseDirections(field string, names []string) (direction.Set, error) {
	var set direction.Set
	if len(names) == 0 {
		return set, fieldErrorf(field, "required: name at least one of foreign-foreign, foreign-domestic, domestic-foreign")
	}
	if len(names) > 4 {
		return set, fieldErrorf(field, "%d entries: there are only three directions in scope", len(names))
	}
	for i, n := range names {
		f := fmt.Sprintf("%s[%d]", field, i)
		d, err := direction.ParseDirection(n)
		if err != nil {
			return set, fieldErrorf(f, "%q is not a direction (want foreign-foreign, foreign-domestic or domestic-foreign)", n)
		}
		if d == direction.DomesticDomestic {
			return set, fieldErrorf(f, "domestic-domestic traffic (内内) is never in scope")
		}
		if set.Has(d) {
			return set, fieldErrorf(f, "%q repeated", n)
		}
		set.Add(d)
	}
	return set, nil
}

// directionNames lists a set's directions in direction order.
func directionNames(set direction.Set) []string {
	var out []string
	for d := range direction.Direction(3) {
		if set.Has(d) {
			out = append(out, d.String())
		}
	}
	return out
}

// Chapter is the legal basis of an acquisition request.
type Chapter string

// The chapters of the Act under which the commission approves acquisition.
const (
	// ChapterTransit (ch.4): foreign→foreign traffic carried through Japan
	// by a specific facility.
	ChapterTransit Chapter = manifest.BasisTransit
	// ChapterForeign (ch.6): traffic between Japan and specific foreign
	// equipment suspected of use in attacks, either way.
	ChapterForeign Chapter = manifest.BasisForeign
)

// checkChapterDirections checks that the directions are those the basis
// allows: ch4 foreign-foreign only; ch6 foreign-domestic and
// domestic-foreign only; ch3 any but domestic-domestic (refused earlier).
func checkChapterDirections(field, basis string, set direction.Set) error {
	switch basis {
	case manifest.BasisTransit:
		if set != 1<<direction.ForeignForeign {
			return fieldErrorf(field, "%s: chapter 4 covers foreign-foreign transit traffic only", set)
		}
	case manifest.BasisForeign:
		if set.Has(direction.ForeignForeign) {
			return fieldErrorf(field, "%s: chapter 6 covers traffic between Japan and foreign equipment (foreign-domestic, domestic-foreign); transit traffic needs a chapter 4 request", set)
		}
	}
	return nil
}

// Target is what an acquisition request is aimed at: for chapter 4 the
// facility (link, exchange point, cable landing) carrying the transit
// traffic, for chapter 6 the foreign equipment suspected of use in attacks.
type Target struct {
	// Facilities names the links or facilities, one line each. Required
	// for chapter 4.
	Facilities []string `json:"facilities,omitempty"`
	// Addresses are the foreign equipment's addresses: an address
	// ("198.51.100.7"), a CIDR prefix ("203.0.113.0/24") or a range
	// ("198.51.100.10-198.51.100.20"). Chapter 6 needs addresses or ASNs.
	Addresses []string `json:"addresses,omitempty"`
	// ASNs are autonomous system numbers of the foreign networks.
	ASNs []uint32 `json:"asns,omitempty"`
}

// check validates and normalises t for the chapter.
func (t *Target) check(ch Chapter) error {
	if err := checkLines("target.facilities", t.Facilities, 0); err != nil {
		return err
	}
	if len(t.Addresses) > maxListLen {
		return fieldErrorf("target.addresses", "%d entries is over the limit of %d", len(t.Addresses), maxListLen)
	}
	t.Addresses = slices.Clone(t.Addresses) // normalised in place below
	for i, a := range t.Addresses {
		f := fmt.Sprintf("target.addresses[%d]", i)
		norm, err := ParseAddressRange(a)
		if err != nil {
			return fieldErrorf(f, "%v", err)
		}
		if slices.Contains(t.Addresses[:i], norm) {
			return fieldErrorf(f, "%q repeated", a)
		}
		t.Addresses[i] = norm
	}
	if len(t.ASNs) > maxListLen {
		return fieldErrorf("target.asns", "%d entries is over the limit of %d", len(t.ASNs), maxListLen)
	}
	for i, n := range t.ASNs {
		f := fmt.Sprintf("target.asns[%d]", i)
		if n == 0 || n == 23456 || n == 4294967295 {
			return fieldErrorf(f, "%d is a reserved AS number", n)
		}
		if slices.Contains(t.ASNs[:i], n) {
			return fieldErrorf(f, "%d repeated", n)
		}
	}
	switch ch {
	case ChapterTransit:
		if len(t.Facilities) == 0 {
			return fieldErrorf("target.facilities", "chapter 4 needs the facility carrying the transit traffic")
		}
	case ChapterForeign:
		if len(t.Addresses) == 0 && len(t.ASNs) == 0 {
			return fieldErrorf("target", "chapter 6 needs the specific foreign equipment: addresses, ranges or AS numbers")
		}
	}
	return nil
}

// covered lists what a manifest's facilities name for t: the facilities,
// then the addresses, then the AS numbers as "AS64500".
func (t Target) covered() []string {
	out := slices.Clone(t.Facilities)
	out = append(out, t.Addresses...)
	for _, n := range t.ASNs {
		out = append(out, "AS"+strconv.FormatUint(uint64(n), 10))
	}
	return out
}

// ParseAddressRange parses an address of a target: an IP address, a CIDR
// prefix with no bits set after its length, or a range "first-last" of two
// addresses of one family with first ≤ last. IPv4 is written as IPv4 and
// zones are refused. It returns the canonical form.
func ParseAddressRange(s string) (string, error) {
	if len(s) > 100 {
		return "", fmt.Errorf("%d bytes is too long for an address", len(s))
	}
	addr := func(v string) (netip.Addr, error) {
		a, err := netip.ParseAddr(v)
		switch {
		case err != nil:
			return a, fmt.Errorf("%q is not an IP address", v)
		case a.Zone() != "":
			return a, fmt.Errorf("%q has a zone; write the address without it", v)
		case a.Is4In6():
			return a, fmt.Errorf("%q is IPv4-mapped IPv6; write it as IPv4", v)
		}
		return a, nil
	}
	if lo, hi, ok := strings.Cut(s, "-"); ok {
		a, err := addr(lo)
		if err != nil {
			return "", err
		}
		b, err := addr(hi)
		if err != nil {
			return "", err
		}
		if a.Is4() != b.Is4() {
			return "", fmt.Errorf("range %q mixes IPv4 and IPv6", s)
		}
		if b.Less(a) {
			return "", fmt.Errorf("range %q is backwards", s)
		}
		return a.String() + "-" + b.String(), nil
	}
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return "", fmt.Errorf("%q is not a CIDR prefix", s)
		}
		if _, err := addr(p.Addr().String()); err != nil {
			return "", err
		}
		if p.Masked() != p {
			return "", fmt.Errorf("%q has bits set after the prefix length (did you mean %s?)", s, p.Masked())
		}
		return p.String(), nil
	}
	a, err := addr(s)
	if err != nil {
		return "", err
	}
	return a.String(), nil
}

// checkCriteria parses the criteria file filed with a request or an
// agreement and checks it against the filing: its directions are among
// dirs, and its validity window is the filing's period (a period left
// zero is taken from the file). The period must not have ended.
func (s *Service) checkCriteria(text string, dirs direction.Set, from, until *time.Time) ([]byte, *criteria.Set, error) {
	if text == "" {
		return nil, nil, fieldErrorf("criteria", "required: the criteria file (%s) as a string", criteria.Schema)
	}
	if len(text) > s.cfg.MaxCriteria {
		return nil, nil, fieldErrorf("criteria", "%d bytes is over the limit of %d", len(text), s.cfg.MaxCriteria)
	}
	data := []byte(text)
	set, err := criteria.Parse(data)
	if err != nil {
		return nil, nil, fieldErrorf("criteria", "%s", strings.TrimPrefix(err.Error(), "criteria: "))
	}
	for i, d := range set.Directions {
		if !dirs.Has(d) {
			return nil, nil, fieldErrorf("criteria", "directions[%d]: the set selects %s traffic, which is not among the directions asked for (%s)", i, d, dirs)
		}
	}
	switch {
	case from.IsZero():
		*from = set.ValidFrom.UTC()
	case !from.Equal(set.ValidFrom):
		return nil, nil, fieldErrorf("valid_from", "%s differs from the criteria file's valid_from %s: the period is the set's window", stamp(*from), stamp(set.ValidFrom))
	}
	switch {
	case until.IsZero():
		*until = set.ValidUntil.UTC()
	case !until.Equal(set.ValidUntil):
		return nil, nil, fieldErrorf("valid_until", "%s differs from the criteria file's valid_until %s: the period is the set's window", stamp(*until), stamp(set.ValidUntil))
	}
	*from, *until = from.UTC(), until.UTC()
	if !until.After(s.now()) {
		return nil, nil, fieldErrorf("valid_until", "the period ended at %s", stamp(*until))
	}
	return data, set, nil
}
