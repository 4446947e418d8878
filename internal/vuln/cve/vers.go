package cve

import (
	"fmt"
	"net/url"
	"strings"
)

// VersError is the error of [ParseVers]: it quotes the input and says
// which constraint is at fault.
type VersError struct {
	// Input is the whole vers string.
	Input string
	// Constraint is the constraint at fault, from 0; -1 when the string as
	// a whole is at fault.
	Constraint int
	// Msg says what is wrong.
	Msg string
}

// Error renders e as `parse vers "<input>": constraint <n>: <msg>`.
func (e *VersError) Error() string {
	if e.Constraint < 0 {
		return fmt.Sprintf("parse vers %s: %s", quote(e.Input), e.Msg)
	}
	return fmt.Sprintf("parse vers %s: constraint %d: %s", quote(e.Input), e.Constraint, e.Msg)
}

// maxVersConstraints is the most constraints a vers string may hold.
const maxVersConstraints = 1000

// ParseVers reads a version range specifier of the purl project's "vers"
// form, "vers:<scheme>/<constraint>|<constraint>|…", each constraint a
// comparator ("=", "!=", "<", "<=", ">", ">=", none meaning "=") and a
// percent-encoded version, or "*" alone for every version. It returns the
// equivalent Versions: "!=" versions first as unaffected, then "=" versions
// and the intervals as affected, default unaffected. Intervals pair each
// ">"/">=" bound with the "<"/"<=" bound after it, as the vers spec's
// canonical (sorted) order has them; a "<" with no lower bound before it
// starts at the lowest version, a ">" with no upper bound after it has no
// end; "!=" constraints alone mean every other version. The scheme goes
// into each Range's Scheme.
func ParseVers(s string) (Versions, error) {
	fail := func(i int, format string, args ...any) (Versions, error) {
		return Versions{}, &VersError{Input: s, Constraint: i, Msg: fmt.Sprintf(format, args...)}
	}
	if len(s) > 64<<10 {
		return fail(-1, "longer than %d bytes", 64<<10)
	}
	rest, ok := strings.CutPrefix(strings.ReplaceAll(s, " ", ""), "vers:")
	if !ok {
		return fail(-1, `want "vers:" at the start`)
	}
	scheme, cons, ok := strings.Cut(rest, "/")
	if !ok || scheme == "" {
		return fail(-1, `want "vers:<scheme>/<constraints>"`)
	}
	scheme = strings.ToLower(scheme)
	for i := 0; i < len(scheme); i++ {
		c := scheme[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '-' || c == '+') {
			return fail(-1, "scheme %s: want letters, digits, \".\", \"-\" or \"+\"", quote(scheme))
		}
	}
	if cons == "" {
		return fail(-1, "no constraints")
	}
	if cons == "*" {
		return Versions{Default: StatusAffected}, nil
	}
	parts := strings.Split(cons, "|")
	if len(parts) > maxVersConstraints {
		return fail(-1, "more than %d constraints", maxVersConstraints)
	}
	var not, eq, intervals []Range
	var lower *Range
	for i, p := range parts {
		op := ""
		for _, o := range []string{">=", "<=", "!=", "<", ">", "="} {
			if strings.HasPrefix(p, o) {
				op, p = o, p[len(o):]
				break
			}
		}
		if p == "*" {
			return fail(i, `"*" must be the only constraint`)
		}
		v, err := url.PathUnescape(p)
		if err != nil {
			return fail(i, "version %s: bad percent-encoding", quote(p))
		}
		if e := checkVersion("", v); e != nil {
			return fail(i, "version %s: %s", quote(v), e.Msg)
		}
		switch op {
		case "!=":
			not = append(not, Range{Status: StatusUnaffected, Scheme: scheme, Exact: v})
		case "", "=":
			eq = append(eq, Range{Status: StatusAffected, Scheme: scheme, Exact: v})
		case ">", ">=":
			if lower != nil {
				return fail(i, "lower bound %s%s follows lower bound %s without an upper bound between", op, v, lower.Start)
			}
			lower = &Range{Status: StatusAffected, Scheme: scheme, Start: v, StartExcluded: op == ">"}
		case "<", "<=":
			r := Range{Status: StatusAffected, Scheme: scheme}
			if lower != nil {
				r = *lower
				lower = nil
			}
			r.End, r.EndIncluded = v, op == "<="
			intervals = append(intervals, r)
		}
	}
	if lower != nil {
		intervals = append(intervals, *lower)
	}
	rs := make([]Range, 0, len(not)+len(eq)+len(intervals))
	rs = append(append(append(rs, not...), eq...), intervals...)
	def := StatusUnaffected
	if len(eq) == 0 && len(intervals) == 0 {
		def = StatusAffected // only "!=": every version but those
	}
	return Versions{Default: def, Ranges: rs}, nil
}
