package web

import "github.com/acd-platform/acd/internal/sharing"

// ParseIndicators parses the indicators field of the advisory form as the
// form does: the indicators, the line each came from, and the error of a
// bad line.
func ParseIndicators(v string) ([]sharing.Indicator, []int, error) {
	is, ls, err := parseIndicators(v)
	return is, lineNumbers(ls), err
}

// FormatIndicators writes indicators as the edit form shows them.
func FormatIndicators(in []sharing.Indicator) string { return formatIndicators(in) }

// ParseTechniques parses the techniques field of the advisory form.
func ParseTechniques(v string) ([]sharing.Technique, []int, error) {
	ts, ls, err := parseTechniques(v)
	return ts, lineNumbers(ls), err
}

// FormatTechniques writes techniques as the edit form shows them.
func FormatTechniques(ts []sharing.Technique) string { return formatTechniques(ts) }

// ParseUserNames parses the TLP:RED recipients field of the advisory
// form.
func ParseUserNames(v string) ([]string, error) { return parseUserNames(v) }
