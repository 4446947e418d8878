package web

// ParseASNs parses the AS numbers field of the acquisition form as the
// form does: the numbers, the line each came from, and the error of a bad
// value.
func ParseASNs(v string) ([]uint32, []int, error) {
	asns, from, err := parseASNs(v)
	lines := make([]int, len(from))
	for i, l := range from {
		lines[i] = l.n
	}
	return asns, lines, err
}
