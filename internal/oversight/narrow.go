package oversight

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/acd-platform/acd/internal/selection/criteria"
	"github.com/acd-platform/acd/internal/selection/direction"
)

// Narrowing is how a motion to approve narrowed shrinks the criteria set
// filed with a request. Every part only takes away: the validity window can
// start later and end earlier, directions and whole rules can be removed,
// and single values can be removed from a rule's conditions. Removing the
// last value of a condition would drop the condition and so widen the rule;
// that is refused (remove the rule instead). Fields left empty change
// nothing, but a narrowing must change something.
type Narrowing struct {
	// ValidFrom, when set, is the new start: not before the filed one.
	ValidFrom time.Time `json:"valid_from,omitzero"`
	// ValidUntil, when set, is the new end: not after the filed one.
	ValidUntil time.Time `json:"valid_until,omitzero"`
	// RemoveDirections are direction names taken out of the set.
	RemoveDirections []string `json:"remove_directions,omitempty"`
	// RemoveRules are ids of rules taken out of the set.
	RemoveRules []string `json:"remove_rules,omitempty"`
	// RemoveMatchers take single values out of rules that stay.
	RemoveMatchers []MatcherRemoval `json:"remove_matchers,omitempty"`
}

// MatcherRemoval takes values out of one rule's conditions. Values are
// compared as the criteria format means them: addresses as prefixes
// ("198.51.100.7" is "198.51.100.7/32"), domain names without case or a
// trailing dot (a name is removed from both the exact and the suffix list),
// ports and commands exactly as written in the file.
type MatcherRemoval struct {
	Rule      string   `json:"rule"`
	Addresses []string `json:"addresses,omitempty"`
	Ports     []string `json:"ports,omitempty"`
	Domains   []string `json:"domains,omitempty"`
	Commands  []string `json:"commands,omitempty"`
}

// IsZero reports whether n changes nothing.
func (n Narrowing) IsZero() bool {
	return n.ValidFrom.IsZero() && n.ValidUntil.IsZero() && len(n.RemoveDirections) == 0 &&
		len(n.RemoveRules) == 0 && len(n.RemoveMatchers) == 0
}

// The criteria file as written, for rewriting: the fields of
// acd.selection.criteria/v1 in the order of its documentation. Lists that
// criteria.Parse accepts are never empty, so omitempty writes absent
// fields as absent.
type fileSet struct {
	Schema     string     `json:"schema"`
	ID         string     `json:"id"`
	Version    int64      `json:"version"`
	Authority  string     `json:"authority"`
	Directions []string   `json:"directions"`
	ValidFrom  string     `json:"valid_from"`
	ValidUntil string     `json:"valid_until"`
	Rules      []fileRule `json:"rules"`
}

type fileRule struct {
	ID        string       `json:"id"`
	Addresses []string     `json:"addresses,omitempty"`
	Ports     []string     `json:"ports,omitempty"`
	Domains   *fileDomains `json:"domains,omitempty"`
	Commands  []string     `json:"commands,omitempty"`
}

type fileDomains struct {
	Exact  []string `json:"exact,omitempty"`
	Suffix []string `json:"suffix,omitempty"`
}

// Narrow applies n to the criteria file and returns the narrowed file, a
// new version of the same set (version + 1, the narrowed window and
// directions, the rules without what n removes), and its parse: the bytes
// have been read back by criteria.Parse, so they are a valid set. The file
// must itself be a valid set. Errors in n are *FieldError with fields
// relative to the narrowing ("remove_rules[0]").
func Narrow(file []byte, n Narrowing) ([]byte, *criteria.Set, error) {
	orig, err := criteria.Parse(file)
	if err != nil {
		return nil, nil, fmt.Errorf("narrow: the filed criteria file: %w", err)
	}
	if n.IsZero() {
		return nil, nil, fieldErrorf("", "the narrowing changes nothing: move to approve as filed instead")
	}
	var fs fileSet
	if err := json.Unmarshal(file, &fs); err != nil {
		return nil, nil, fmt.Errorf("narrow: read the filed criteria file: %w", err)
	}
	if orig.Version >= math.MaxInt32 {
		return nil, nil, fieldErrorf("", "the set's version %d cannot be raised", orig.Version)
	}
	fs.Version = int64(orig.Version) + 1

	// The window: only later starts and earlier ends.
	from, until := orig.ValidFrom, orig.ValidUntil
	if !n.ValidFrom.IsZero() {
		if n.ValidFrom.Before(orig.ValidFrom) {
			return nil, nil, fieldErrorf("valid_from", "%s is before the filed start %s: a narrowing cannot widen the window",
				stamp(n.ValidFrom), stamp(orig.ValidFrom))
		}
		from = n.ValidFrom
		fs.ValidFrom = n.ValidFrom.UTC().Format(time.RFC3339Nano)
	}
	if !n.ValidUntil.IsZero() {
		if n.ValidUntil.After(orig.ValidUntil) {
			return nil, nil, fieldErrorf("valid_until", "%s is after the filed end %s: a narrowing cannot widen the window",
				stamp(n.ValidUntil), stamp(orig.ValidUntil))
		}
		until = n.ValidUntil
		fs.ValidUntil = n.ValidUntil.UTC().Format(time.RFC3339Nano)
	}
	if !from.Before(until) {
		return nil, nil, fieldErrorf("valid_until", "%s is not after the start %s", stamp(until), stamp(from))
	}

	// Directions.
	if len(n.RemoveDirections) > 3 {
		return nil, nil, fieldErrorf("remove_directions", "%d entries: a set has at most three directions", len(n.RemoveDirections))
	}
	dirs := orig.DirectionSet()
	for i, name := range n.RemoveDirections {
		f := fmt.Sprintf("remove_directions[%d]", i)
		d, err := direction.ParseDirection(name)
		if err != nil {
			return nil, nil, fieldErrorf(f, "%q is not a direction", name)
		}
		if !dirs.Has(d) {
			return nil, nil, fieldErrorf(f, "%q is not among the set's directions (%s)", name, orig.DirectionSet())
		}
		dirs &^= 1 << d
	}
	if dirs.Len() == 0 {
		return nil, nil, fieldErrorf("remove_directions", "removes every direction: move to refuse instead")
	}
	fs.Directions = slices.DeleteFunc(fs.Directions, func(name string) bool {
		d, _ := direction.ParseDirection(name)
		return !dirs.Has(d)
	})

	// Whole rules.
	if len(n.RemoveRules) > maxListLen {
		return nil, nil, fieldErrorf("remove_rules", "%d entries is over the limit of %d", len(n.RemoveRules), maxListLen)
	}
	index := make(map[string]int, len(fs.Rules))
	for i, r := range fs.Rules {
		index[r.ID] = i
	}
	removed := make(map[string]bool, len(n.RemoveRules))
	for i, id := range n.RemoveRules {
		f := fmt.Sprintf("remove_rules[%d]", i)
		if _, ok := index[id]; !ok {
			return nil, nil, fieldErrorf(f, "%q is not a rule of set %s", cutQ(id), orig.ID)
		}
		if removed[id] {
			return nil, nil, fieldErrorf(f, "%q repeated", id)
		}
		removed[id] = true
	}
	if len(removed) == len(fs.Rules) {
		return nil, nil, fieldErrorf("remove_rules", "removes every rule: move to refuse instead")
	}

	// Single values.
	if len(n.RemoveMatchers) > maxListLen {
		return nil, nil, fieldErrorf("remove_matchers", "%d entries is over the limit of %d", len(n.RemoveMatchers), maxListLen)
	}
	total := 0
	seen := map[string]bool{}
	for i, m := range n.RemoveMatchers {
		f := fmt.Sprintf("remove_matchers[%d]", i)
		j, ok := index[m.Rule]
		switch {
		case !ok:
			return nil, nil, fieldErrorf(f+".rule", "%q is not a rule of set %s", cutQ(m.Rule), orig.ID)
		case removed[m.Rule]:
			return nil, nil, fieldErrorf(f+".rule", "rule %q is removed whole by remove_rules", m.Rule)
		case seen[m.Rule]:
			return nil, nil, fieldErrorf(f+".rule", "rule %q named twice: list all its values in one entry", m.Rule)
		}
		seen[m.Rule] = true
		k := len(m.Addresses) + len(m.Ports) + len(m.Domains) + len(m.Commands)
		if k == 0 {
			return nil, nil, fieldErrorf(f, "removes nothing from rule %q", m.Rule)
		}
		if total += k; total > maxRemovals {
			return nil, nil, fieldErrorf(f, "more than %d values removed in all", maxRemovals)
		}
		if err := removeMatchers(f, &fs.Rules[j], m); err != nil {
			return nil, nil, err
		}
	}
	fs.Rules = slices.DeleteFunc(fs.Rules, func(r fileRule) bool { return removed[r.ID] })

	out, err := writeSet(&fs)
	if err != nil {
		return nil, nil, fmt.Errorf("narrow: write the criteria file: %w", err)
	}
	set, err := criteria.Parse(out)
	if err != nil {
		return nil, nil, fmt.Errorf("narrow: the narrowed file does not parse: %w", err)
	}
	return out, set, nil
}

// writeSet writes fs in the layout of the format's documentation: one
// member a line, one rule a line.
func writeSet(fs *fileSet) ([]byte, error) {
	var buf bytes.Buffer
	compact := func(v any) error {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			return err
		}
		buf.Write(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
		return nil
	}
	buf.WriteString("{\n")
	for _, m := range []struct {
		name string
		v    any
	}{{"schema", fs.Schema}, {"id", fs.ID}, {"version", fs.Version}, {"authority", fs.Authority},
		{"directions", fs.Directions}, {"valid_from", fs.ValidFrom}, {"valid_until", fs.ValidUntil}} {
		fmt.Fprintf(&buf, "  %q: ", m.name)
		if err := compact(m.v); err != nil {
			return nil, err
		}
		buf.WriteString(",\n")
	}
	buf.WriteString("  \"rules\": [\n")
	for i := range fs.Rules {
		buf.WriteString("    ")
		if err := compact(&fs.Rules[i]); err != nil {
			return nil, err
		}
		if i < len(fs.Rules)-1 {
			buf.WriteByte(',')
		}
		buf.WriteByte('\n')
	}
	buf.WriteString("  ]\n}\n")
	return buf.Bytes(), nil
}

// removeMatchers takes m's values out of rule r, refusing values the rule
// does not have and removals that would empty a condition.
func removeMatchers(field string, r *fileRule, m MatcherRemoval) error {
	type cond struct {
		name   string
		values []string
		list   *[]string
		equal  func(file, v string) (bool, error)
	}
	exact := func(a, b string) (bool, error) { return a == b, nil }
	var exactNames, suffixNames []string
	if r.Domains != nil {
		exactNames, suffixNames = r.Domains.Exact, r.Domains.Suffix
	}
	for _, c := range []cond{
		{"addresses", m.Addresses, &r.Addresses, samePrefix},
		{"ports", m.Ports, &r.Ports, exact},
		{"commands", m.Commands, &r.Commands, exact},
	} {
		if len(c.values) == 0 {
			continue
		}
		for i, v := range c.values {
			f := fmt.Sprintf("%s.%s[%d]", field, c.name, i)
			hit := false
			var err error
			*c.list = slices.DeleteFunc(*c.list, func(fv string) bool {
				if err != nil {
					return false
				}
				var eq bool
				eq, err = c.equal(fv, v)
				hit = hit || eq
				return eq
			})
			if err != nil {
				return fieldErrorf(f, "%v", err)
			}
			if !hit {
				return fieldErrorf(f, "%q is not in the %s of rule %q (or is listed twice here)", cutQ(v), c.name, r.ID)
			}
		}
		if len(*c.list) == 0 {
			return fieldErrorf(field+"."+c.name, "removes every value of rule %q's %s, which would drop the condition and widen the rule: remove the rule instead", r.ID, c.name)
		}
	}
	if len(m.Domains) > 0 {
		for i, v := range m.Domains {
			f := fmt.Sprintf("%s.domains[%d]", field, i)
			want := normName(v)
			hit := false
			del := func(fv string) bool {
				eq := normName(fv) == want
				hit = hit || eq
				return eq
			}
			exactNames = slices.DeleteFunc(exactNames, del)
			suffixNames = slices.DeleteFunc(suffixNames, del)
			if !hit {
				return fieldErrorf(f, "%q is not in the domains of rule %q (or is listed twice here)", cutQ(v), r.ID)
			}
		}
		if len(exactNames)+len(suffixNames) == 0 {
			return fieldErrorf(field+".domains", "removes every domain name of rule %q, which would drop the condition and widen the rule: remove the rule instead", r.ID)
		}
		r.Domains = &fileDomains{Exact: exactNames, Suffix: suffixNames}
	}
	return nil
}

// samePrefix compares an address of the file with one of a removal, both
// as prefixes.
func samePrefix(file, v string) (bool, error) {
	p, err := asPrefix(v)
	if err != nil {
		return false, err
	}
	q, err := asPrefix(file)
	if err != nil {
		return false, nil
	}
	return p == q, nil
}

func asPrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return p, fmt.Errorf("%q is not an address or CIDR prefix", cutQ(s))
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is not an address or CIDR prefix", cutQ(s))
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

func normName(s string) string { return strings.ToLower(strings.TrimSuffix(s, ".")) }

// cutQ shortens a value quoted in an error message.
func cutQ(s string) string {
	if len(s) <= 64 {
		return s
	}
	cut := 64
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// prefixField puts prefix before the field of a *FieldError in err.
func prefixField(prefix string, err error) error {
	var fe *FieldError
	if !errors.As(err, &fe) {
		return err
	}
	f := prefix
	if fe.Field != "" {
		f += "." + fe.Field
	}
	return &FieldError{Field: f, Msg: fe.Msg}
}
