package web

import (
	"strings"

	"github.com/acd-platform/acd/internal/commsinfo"
)

// ParseFindingForm parses the new-finding form's fields as the page does:
// "type value" indicator lines, technique ids, a record query (times in
// Japan time) and record ids. It panics when a parsed indicator has no
// line, which the form's error messages rely on.
func ParseFindingForm(indicators, techniques, recordIDs string, q [9]string) (commsinfo.FindingInput, error) {
	f := findingForm{Indicators: indicators, Techniques: techniques, RecordIDs: recordIDs, Query: recordQueryForm{Approval: q[0], Run: q[1],
		From: q[2], To: q[3], Address: q[4], Port: q[5], Domain: q[6], Type: q[7], Direction: q[8]}}
	in, ind, groups, fe := f.input()
	if fe != nil {
		return in, fe
	}
	if len(ind) != len(in.Indicators) || len(groups) != len(in.Sources) {
		panic("an indicator without its line, or a source without its form group")
	}
	return in, nil
}

// FormatFindingForm renders a finding's indicators and its first source's
// query as the form's fields.
func FormatFindingForm(in commsinfo.FindingInput) (indicators string, q [9]string) {
	var b strings.Builder
	for _, x := range in.Indicators {
		b.WriteString(x.Type + " " + x.Value + "\n")
	}
	for _, s := range in.Sources {
		if s.Query != nil {
			f := recordQueryFormOf(*s.Query)
			q = [9]string{f.Approval, f.Run, f.From, f.To, f.Address, f.Port, f.Domain, f.Type, f.Direction}
			break
		}
	}
	return b.String(), q
}
