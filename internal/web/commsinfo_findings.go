package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/acd-platform/acd/internal/commsinfo"
)

// findingForm is the new-finding form as typed. A finding needs at least
// one source: the selected records a query matches (the query names its
// approval, the legal basis), selected records by id, or an incident
// report; each group filled in becomes one source.
type findingForm struct {
	Title, Assessment      string
	Indicators, Techniques string // one entry a line ("type value"); ids by space, comma or line
	Query                  recordQueryForm
	RecordIDs, ReportID    string
	Err                    fieldErr
}

func readFindingForm(get func(string) string) findingForm {
	return findingForm{Title: get("title"), Assessment: get("assessment"), Indicators: get("indicators"), Techniques: get("techniques"),
		Query: readRecordQueryForm(get, "q_"), RecordIDs: get("record_ids"), ReportID: strings.TrimSpace(get("report_id"))}
}

// indicatorTypes are the indicator types a finding may name.
var indicatorTypes = []string{commsinfo.IndicatorIPv4, commsinfo.IndicatorIPv6, commsinfo.IndicatorDomain, commsinfo.IndicatorURL,
	commsinfo.IndicatorMD5, commsinfo.IndicatorSHA1, commsinfo.IndicatorSHA256, commsinfo.IndicatorEmail}

// input returns the finding the form says, the textarea lines of its
// indicators and the form group of each source (by the sources' order),
// for mapping the service's field errors back to the form.
func (f findingForm) input() (in commsinfo.FindingInput, ind []numberedLine, groups []string, _ *commsinfo.FieldError) {
	in = commsinfo.FindingInput{Title: f.Title, Assessment: f.Assessment, Techniques: splitIDs(f.Techniques)}
	ind = lines(f.Indicators)
	for _, l := range ind {
		typ, val := cutSpace(l.text)
		if val == "" {
			return in, ind, nil, &commsinfo.FieldError{Field: "indicators", Msg: fmt.Sprintf("line %d: %q: want a type and a value, such as \"domain c2.example\"", l.n, firstRunes(l.text, 80))}
		}
		in.Indicators = append(in.Indicators, commsinfo.Indicator{Type: strings.ToLower(typ), Value: val})
	}
	if !f.Query.IsZero() {
		q, fe := f.Query.query()
		if fe != nil {
			fe.Field = "q_" + fe.Field
			return in, ind, nil, fe
		}
		in.Sources = append(in.Sources, commsinfo.FindingSource{Kind: commsinfo.SourceSelectedQuery, Query: &q})
		groups = append(groups, "q_")
	}
	if ids := splitIDs(f.RecordIDs); len(ids) > 0 {
		in.Sources = append(in.Sources, commsinfo.FindingSource{Kind: commsinfo.SourceSelectedRecords, RecordIDs: ids})
		groups = append(groups, "record_ids")
	}
	if f.ReportID != "" {
		in.Sources = append(in.Sources, commsinfo.FindingSource{Kind: commsinfo.SourceReport, ReportID: f.ReportID})
		groups = append(groups, "report_id")
	}
	return in, ind, groups, nil
}

// findingFields maps the service's field names to the form's.
func (s *Site) findingFields(r *http.Request, ind []numberedLine, groups []string) func(string) (string, string) {
	return func(field string) (string, string) {
		if i := indexOf(field, "indicators"); i >= 0 {
			if i < len(ind) {
				return "indicators", s.t(r, "form.line", ind[i].n) + " "
			}
			return "indicators", ""
		}
		if strings.HasPrefix(field, "techniques") {
			return "techniques", ""
		}
		if i := indexOf(field, "sources"); i >= 0 && i < len(groups) {
			if groups[i] == "q_" {
				if strings.Contains(field, "query.") {
					return queryField(field, "q_"), ""
				}
				return "q_approval", ""
			}
			return groups[i], ""
		}
		return field, ""
	}
}

type findingNewData struct {
	N          names
	Form       findingForm
	Approvals  []approvalChoice
	Types      []string
	Dirs       []string
	Indicators []string
}

func (s *Site) findingNewPage(w http.ResponseWriter, r *http.Request, status int, f findingForm, msg ...string) error {
	n, err := s.names(r)
	if err != nil {
		return err
	}
	d := findingNewData{N: n, Form: f, Types: commsinfo.RecordTypes, Dirs: ciDirections, Indicators: indicatorTypes}
	if d.Approvals, err = s.approvalChoices(r); err != nil {
		return err
	}
	return s.render(w, r, status, "finding_new", "findings.new", d, msg...)
}

// findingNew shows the form, filled in from the query string when a search
// started it (q_approval=…, record_ids=…).
func (s *Site) findingNew(w http.ResponseWriter, r *http.Request) error {
	return s.findingNewPage(w, r, http.StatusOK, readFindingForm(r.URL.Query().Get))
}

func (s *Site) findingCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	f := readFindingForm(r.PostFormValue)
	in, ind, groups, fe := f.input()
	var err error
	if fe != nil {
		err = fe
	} else {
		var fd commsinfo.Finding
		if fd, err = s.cfg.Commsinfo.CreateFinding(r.Context(), principal(r), in); err == nil {
			http.Redirect(w, r, "/findings/"+fd.ID+"?done=created", http.StatusSeeOther)
			return nil
		}
	}
	fail, ok := s.ciFailed(r, err, s.findingFields(r, ind, groups))
	if !ok {
		return ciPageError(err)
	}
	f.Err = fail.field
	return s.findingNewPage(w, r, fail.status, f, "", fail.msg)
}

type findingsData struct {
	N         names
	Approval  string
	Approvals []approvalChoice
	Findings  []commsinfo.Finding
}

// findingsListLimit is how many findings the list shows.
const findingsListLimit = 200

func (s *Site) findings(w http.ResponseWriter, r *http.Request) error {
	n, err := s.names(r)
	if err != nil {
		return err
	}
	d := findingsData{N: n, Approval: strings.TrimSpace(r.URL.Query().Get("approval"))}
	if d.Approvals, err = s.approvalChoices(r); err != nil {
		return err
	}
	if d.Findings, err = s.cfg.Commsinfo.Findings(r.Context(), commsinfo.FindingFilter{ApprovalID: d.Approval, Limit: findingsListLimit}); err != nil {
		return ciPageError(err)
	}
	return s.render(w, r, http.StatusOK, "findings", "findings.title", d)
}

// recordQueryFormOf renders a stored query back as the search form's
// fields.
func recordQueryFormOf(q commsinfo.RecordQuery) recordQueryForm {
	f := recordQueryForm{Approval: q.Approval, Run: q.Run, From: queryTimeValue(q.From), To: queryTimeValue(q.To), Address: q.Address,
		Domain: q.Domain, Type: q.Type, Direction: q.Direction}
	if q.Port > 0 {
		f.Port = strconv.Itoa(q.Port)
	}
	return f
}

// sourceView is a finding's source with the search that shows its records.
type sourceView struct {
	commsinfo.FindingSource
	Query  recordQueryForm
	Search string
}

type findingData struct {
	N       names
	Finding commsinfo.Finding
	Sources []sourceView
}

func (s *Site) finding(w http.ResponseWriter, r *http.Request) error {
	f, err := s.cfg.Commsinfo.Finding(r.Context(), r.PathValue("id"))
	if err != nil {
		return ciPageError(err)
	}
	n, err := s.names(r)
	if err != nil {
		return err
	}
	d := findingData{N: n, Finding: f}
	for _, src := range f.Sources {
		v := sourceView{FindingSource: src}
		if src.Query != nil {
			v.Query = recordQueryFormOf(*src.Query)
			q := v.Query.values("")
			q.Set("q", "1")
			v.Search = "/records?" + q.Encode()
		}
		d.Sources = append(d.Sources, v)
	}
	var msg []string
	if r.URL.Query().Get("done") == "created" {
		msg = []string{s.t(r, "finding.created")}
	}
	return s.render(w, r, http.StatusOK, "finding", "finding.title", d, msg...)
}
