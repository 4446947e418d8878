package web

import (
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/acd-platform/acd/internal/sharing"
	"github.com/acd-platform/acd/internal/tlp"
)

// The advisory form: its two parts, its TLP and clearance, and its
// recipients. Three of its fields are lists typed one entry a line, which
// the parsers below read and format back, so that a draft opens in the
// form as it was saved:
//
//	indicators  [type] value [description]   or   [type] STIX pattern
//	techniques  T1234[.001] [name]
//	users       user names, by line, comma or space (TLP:RED recipients)

// Limits on the form's lists, as the service allows.
const (
	maxIndicatorLines = 500
	maxTechniqueLines = 100
	maxUserNames      = 500
)

// indicatorTypeNames are the indicator types a line may start with.
var indicatorTypeNames = []string{sharing.IndicatorIPv4, sharing.IndicatorIPv6, sharing.IndicatorDomain, sharing.IndicatorURL,
	sharing.IndicatorMD5, sharing.IndicatorSHA1, sharing.IndicatorSHA256, sharing.IndicatorEmail, sharing.IndicatorPattern}

// cutToken splits s at its first run of white space: the first token
// and the rest, trimmed.
func cutToken(s string) (string, string) {
	i := strings.IndexFunc(s, unicode.IsSpace)
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimSpace(s[i:])
}

// inferIndicatorType guesses the type of an indicator value typed
// without one: an IP address or prefix, a hash by its length, a URL, an
// e-mail address, else a domain name. The service checks the value
// against the type.
func inferIndicatorType(v string) string {
	if p, err := netip.ParsePrefix(v); err == nil {
		if p.Addr().Is4() {
			return sharing.IndicatorIPv4
		}
		return sharing.IndicatorIPv6
	}
	if a, err := netip.ParseAddr(v); err == nil {
		if a.Is4() {
			return sharing.IndicatorIPv4
		}
		return sharing.IndicatorIPv6
	}
	if strings.Trim(strings.ToLower(v), "0123456789abcdef") == "" {
		switch len(v) {
		case 32:
			return sharing.IndicatorMD5
		case 40:
			return sharing.IndicatorSHA1
		case 64:
			return sharing.IndicatorSHA256
		}
	}
	switch {
	case strings.Contains(v, "://"):
		return sharing.IndicatorURL
	case strings.Contains(v, "@"):
		return sharing.IndicatorEmail
	}
	return sharing.IndicatorDomain
}

// parseIndicators reads the indicators textarea, one indicator a line:
// an optional type (ipv4, ipv6, domain, url, md5, sha1, sha256, email or
// stix), then the value and an optional description after it; for type
// stix, or a line starting with "[", the rest of the line is a STIX
// pattern. A line without a type gets the type its value looks like. It
// returns the indicators and the lines they came from; a line with a type
// and no value, or a line past the limit, is an error on
// "technical.indicators[i]".
func parseIndicators(v string) ([]sharing.Indicator, []numberedLine, error) {
	ls := lines(v)
	var out []sharing.Indicator
	for i, l := range ls {
		field := fmt.Sprintf("technical.indicators[%d]", i)
		if i == maxIndicatorLines {
			return nil, ls, &sharing.FieldError{Field: field, Msg: fmt.Sprintf("more than %d indicators", maxIndicatorLines)}
		}
		first, rest := cutToken(l.text)
		typ := strings.ToLower(first)
		switch {
		case slices.Contains(indicatorTypeNames, typ):
			if rest == "" {
				return nil, ls, &sharing.FieldError{Field: field + ".value", Msg: fmt.Sprintf("%q: a type and no value; write \"type value\", such as \"domain c2.example\"", first)}
			}
		case strings.HasPrefix(l.text, "["):
			typ, rest = sharing.IndicatorPattern, l.text
		default:
			typ, rest = inferIndicatorType(first), l.text
		}
		if typ == sharing.IndicatorPattern {
			out = append(out, sharing.Indicator{Type: typ, Pattern: rest})
			continue
		}
		value, desc := cutToken(rest)
		out = append(out, sharing.Indicator{Type: typ, Value: value, Description: desc})
	}
	return out, ls, nil
}

// lineBreaks turns the line breaks of a text into spaces.
var lineBreaks = strings.NewReplacer("\r\n", " ", "\n", " ")

// formatIndicators writes indicators as the textarea takes them: one a
// line, with its type.
func formatIndicators(in []sharing.Indicator) string {
	var b strings.Builder
	for _, x := range in {
		if x.Type == sharing.IndicatorPattern {
			b.WriteString(x.Type + " " + x.Pattern + "\n")
			continue
		}
		b.WriteString(x.Type + " " + x.Value)
		// A description written through the API may have line breaks,
		// which the textarea's one line cannot.
		if d := lineBreaks.Replace(x.Description); d != "" {
			b.WriteString(" " + d)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// parseTechniques reads the ATT&CK techniques textarea, one a line: the
// technique id and, optionally, its name after it. It returns the
// techniques and the lines they came from; a line past the limit is an
// error on "technical.techniques[i]". The service checks the ids.
func parseTechniques(v string) ([]sharing.Technique, []numberedLine, error) {
	ls := lines(v)
	var out []sharing.Technique
	for i, l := range ls {
		if i == maxTechniqueLines {
			return nil, ls, &sharing.FieldError{Field: fmt.Sprintf("technical.techniques[%d]", i), Msg: fmt.Sprintf("more than %d techniques", maxTechniqueLines)}
		}
		id, name := cutToken(l.text)
		out = append(out, sharing.Technique{ID: id, Name: name})
	}
	return out, ls, nil
}

// formatTechniques writes techniques as the textarea takes them.
func formatTechniques(ts []sharing.Technique) string {
	var b strings.Builder
	for _, x := range ts {
		b.WriteString(x.ID)
		if x.Name != "" {
			b.WriteString(" " + x.Name)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// parseUserNames reads the RED recipients field: user names separated by
// lines, commas (also the Japanese 、) or white space, in order, each
// once. More than the limit is an error on "recipients.users".
func parseUserNames(v string) ([]string, error) {
	var out []string
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == '、' || unicode.IsSpace(r) }) {
		if slices.Contains(out, f) {
			continue
		}
		if len(out) == maxUserNames {
			return nil, &sharing.FieldError{Field: "recipients.users", Msg: fmt.Sprintf("more than %d names", maxUserNames)}
		}
		out = append(out, f)
	}
	return out, nil
}

// advisoryForm is the advisory form as typed: the service's input but
// for the recipients, which it names by user name where the service
// takes ids.
type advisoryForm struct {
	In sharing.AdvisoryInput
	// UserNames are the TLP:RED recipients as typed.
	UserNames []string
	// Indicators and Techniques are the lines the lists came from.
	Indicators, Techniques []numberedLine
}

// readAdvisoryForm reads the form's fields through get (one value) and
// all (every value of a field). The recipients' user names are resolved
// by the caller.
func readAdvisoryForm(get func(string) string, all func(string) []string) (advisoryForm, error) {
	f := advisoryForm{In: sharing.AdvisoryInput{
		Title: strings.TrimSpace(get("title")), TLP: tlp.Level(strings.TrimSpace(get("tlp"))), Clearance: strings.TrimSpace(get("clearance")),
		Technical: sharing.Technical{Summary: get("tech_summary"), Hunting: get("hunting")},
		Executive: sharing.Executive{Background: get("background"), Purpose: get("purpose"), Impact: get("impact"), Actions: get("actions")},
	}}
	f.In.Recipients.Orgs = all("orgs")
	f.In.Recipients.Groups = all("groups")
	var err error
	if f.In.Technical.Indicators, f.Indicators, err = parseIndicators(get("indicators")); err != nil {
		return f, err
	}
	if f.In.Technical.Techniques, f.Techniques, err = parseTechniques(get("techniques")); err != nil {
		return f, err
	}
	f.UserNames, err = parseUserNames(get("users"))
	return f, err
}

// advisoryValues are the form's fields of a saved advisory, for editing
// it: the lists formatted as the textareas take them, the recipients'
// users by user name.
func advisoryValues(a sharing.Advisory, userName func(string) string) url.Values {
	v := url.Values{
		"title": {a.Title}, "tlp": {string(a.Marking.Level)}, "clearance": {a.Marking.Clearance},
		"tech_summary": {a.Technical.Summary}, "indicators": {formatIndicators(a.Technical.Indicators)},
		"techniques": {formatTechniques(a.Technical.Techniques)}, "hunting": {a.Technical.Hunting},
		"background": {a.Executive.Background}, "purpose": {a.Executive.Purpose}, "impact": {a.Executive.Impact}, "actions": {a.Executive.Actions},
		"orgs": a.Recipients.Orgs, "groups": a.Recipients.Groups,
	}
	var users []string
	for _, id := range a.Recipients.Users {
		users = append(users, userName(id))
	}
	v.Set("users", strings.Join(users, "\n"))
	return v
}

// advisoryFields maps the service's field names to the advisory form's,
// with the line of a list entry.
func (s *Site) advisoryFields(r *http.Request, f advisoryForm) func(string) (string, string) {
	return func(field string) (string, string) {
		switch {
		case strings.HasPrefix(field, "technical.indicators"):
			return "indicators", s.lineOf(r, f.Indicators, strings.TrimPrefix(field, "technical."))
		case strings.HasPrefix(field, "technical.techniques"):
			return "techniques", s.lineOf(r, f.Techniques, strings.TrimPrefix(field, "technical."))
		case field == "technical.summary":
			return "tech_summary", ""
		case field == "technical.hunting":
			return "hunting", ""
		case strings.HasPrefix(field, "executive."):
			return strings.TrimPrefix(field, "executive."), ""
		case strings.HasPrefix(field, "recipients.orgs"), field == "recipients":
			return "orgs", ""
		case strings.HasPrefix(field, "recipients.groups"):
			return "groups", ""
		case strings.HasPrefix(field, "recipients.users"):
			if _, i, _, ok := splitIndex(field); ok && i < len(f.UserNames) {
				return "users", fmt.Sprintf("%q: ", f.UserNames[i])
			}
			return "users", ""
		}
		return field, ""
	}
}

// attackURL is the MITRE ATT&CK page of a technique id: "T1059.001" →
// https://attack.mitre.org/techniques/T1059/001/. The service keeps only
// ids of that form.
func attackURL(id string) string {
	return "https://attack.mitre.org/techniques/" + strings.ReplaceAll(id, ".", "/") + "/"
}

// shortText returns the first n characters of s (at a character
// boundary) with "…" when cut, for the lists' excerpts.
func shortText(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
