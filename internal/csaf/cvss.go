package csaf

import (
	"fmt"
	"math"
	"regexp"
	"strings"

	"github.com/acd-platform/acd/internal/vuln/cve"
)

// cvss3Vector is FIRST's pattern for a CVSS 3.x vector (the vectorString of
// cvss-v3.0.json and cvss-v3.1.json), after the "CVSS:3.x/" prefix.
var cvss3Vector = regexp.MustCompile(`^((AV:[NALP]|AC:[LH]|PR:[NLH]|UI:[NR]|S:[UC]|[CIA]:[NLH]|E:[XUPFH]|RL:[XOTWU]|RC:[XURC]|[CIA]R:[XLMH]|MAV:[XNALP]|MAC:[XLH]|MPR:[XNLH]|MUI:[XNR]|MS:[XUC]|M[CIA]:[XNLH])/)*(AV:[NALP]|AC:[LH]|PR:[NLH]|UI:[NR]|S:[UC]|[CIA]:[NLH]|E:[XUPFH]|RL:[XOTWU]|RC:[XURC]|[CIA]R:[XLMH]|MAV:[XNALP]|MAC:[XLH]|MPR:[XNLH]|MUI:[XNR]|MS:[XUC]|M[CIA]:[XNLH])$`)

// cvss3Base returns the base score and severity of a CVSS 3.0 or 3.1
// vector ("CVSS:3.1/AV:N/AC:L/…"), as the specification's formulas compute
// them: CSAF's test 6.1.9 requires the document's score to be this one.
// Temporal and environmental metrics may follow; they do not change the
// base score.
func cvss3Base(vector string) (version string, score float64, severity string, err error) {
	version, rest, ok := strings.Cut(vector, "/")
	if !ok || (version != "CVSS:3.0" && version != "CVSS:3.1") {
		return "", 0, "", fmt.Errorf("CVSS vector %q: want the prefix CVSS:3.0/ or CVSS:3.1/", cut(vector, 60))
	}
	version = strings.TrimPrefix(version, "CVSS:")
	if len(rest) > 200 || !cvss3Vector.MatchString(rest) {
		return "", 0, "", fmt.Errorf("CVSS vector %q: not a CVSS %s vector", cut(vector, 60), version)
	}
	m := map[string]string{}
	for _, part := range strings.Split(rest, "/") {
		k, v, _ := strings.Cut(part, ":")
		if _, dup := m[k]; dup {
			return "", 0, "", fmt.Errorf("CVSS vector %q: metric %s given twice", cut(vector, 60), k)
		}
		m[k] = v
	}
	for _, k := range []string{"AV", "AC", "PR", "UI", "S", "C", "I", "A"} {
		if m[k] == "" {
			return "", 0, "", fmt.Errorf("CVSS vector %q: base metric %s missing", cut(vector, 60), k)
		}
	}
	changed := m["S"] == "C"
	av := map[string]float64{"N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2}[m["AV"]]
	ac := map[string]float64{"L": 0.77, "H": 0.44}[m["AC"]]
	pr := map[string]float64{"N": 0.85, "L": 0.62, "H": 0.27}[m["PR"]]
	if changed {
		pr = map[string]float64{"N": 0.85, "L": 0.68, "H": 0.5}[m["PR"]]
	}
	ui := map[string]float64{"N": 0.85, "R": 0.62}[m["UI"]]
	cia := map[string]float64{"H": 0.56, "L": 0.22, "N": 0}
	iss := 1 - (1-cia[m["C"]])*(1-cia[m["I"]])*(1-cia[m["A"]])
	impact := 6.42 * iss
	if changed {
		impact = 7.52*(iss-0.029) - 3.25*math.Pow(iss-0.02, 15)
	}
	exploitability := 8.22 * av * ac * pr * ui
	roundup := roundup31
	if version == "3.0" {
		roundup = roundup30
	}
	switch {
	case impact <= 0:
		score = 0
	case changed:
		score = roundup(math.Min(1.08*(impact+exploitability), 10))
	default:
		score = roundup(math.Min(impact+exploitability, 10))
	}
	return version, score, cve.Severity(score), nil
}

// roundup30 is CVSS 3.0's round up to one decimal.
func roundup30(x float64) float64 { return math.Ceil(x*10) / 10 }

// roundup31 is CVSS 3.1's round up, which avoids floating-point error
// (CVSS 3.1 specification, Appendix A).
func roundup31(x float64) float64 {
	i := int64(math.Round(x * 100000))
	if i%10000 == 0 {
		return float64(i) / 100000
	}
	return float64(i/10000+1) / 10
}

// cut shortens s to at most n bytes (on a rune boundary) for an error
// message.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xc0 != 0x80 }
