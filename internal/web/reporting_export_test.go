package web

import "github.com/acd-platform/acd/internal/reporting"

// ParseReportLists parses the list fields of a report form (ATT&CK ids,
// "type value description" indicators and "YYYY-MM-DD HH:MM text"
// timeline lines in Japan time) as the full report form does.
func ParseReportLists(techniques, indicators, timeline string) (reporting.Content, error) {
	f := reportForm{Techniques: techniques, Indicators: indicators, Timeline: timeline}
	c, ll, err := f.content(reporting.Content{}, false)
	if err != nil {
		return c, err
	}
	if len(ll["techniques"]) != len(c.Techniques) || len(ll["indicators"]) != len(c.Indicators) || len(ll["timeline"]) != len(c.Timeline) {
		panic("a list entry without its line")
	}
	return c, nil
}

// FormatReportLists renders the list fields of c as the form shows them.
func FormatReportLists(c reporting.Content) (techniques, indicators, timeline string) {
	f := reportFormOf(c)
	return f.Techniques, f.Indicators, f.Timeline
}

// ParseAwareAt parses the quick report form's datetime-local field.
func ParseAwareAt(v string) error {
	_, _, err := reportForm{AwareAt: v}.content(reporting.Content{}, true)
	return err
}
