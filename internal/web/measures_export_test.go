package web

import "github.com/acd-platform/acd/internal/measures"

// ParseTargets parses the targets field of the new-case form as the form
// does: the targets, the line each came from, and the error of a bad
// line.
func ParseTargets(v string) ([]measures.Target, []int, error) {
	ts, ls, err := parseTargets(v)
	return ts, lineNumbers(ls), err
}

// ParseEvidence parses the evidence field of the execution form as the
// form does.
func ParseEvidence(v string) ([]measures.Evidence, []int, error) {
	es, ls, err := parseEvidence(v)
	return es, lineNumbers(ls), err
}

func lineNumbers(ls []numberedLine) []int {
	out := make([]int, len(ls))
	for i, l := range ls {
		out[i] = l.n
	}
	return out
}
