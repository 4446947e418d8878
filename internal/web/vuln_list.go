package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/vuln"
	"github.com/acd-platform/acd/internal/vuln/cve"
)

// The list of vulnerabilities with the Cabinet Office's import of
// records, and one vulnerability with the form that marks it exploited in
// Japan.

type vulnListData struct {
	vulnFmt
	// Q, Exploited and Affecting are the filter as given.
	Q                    string
	Exploited, Affecting bool
	// All: the viewer sees every vulnerability (the Cabinet Office), so
	// the "affecting" filter shows; others see only those affecting them.
	All  bool
	List vuln.ListResult
	// NextURL is the link to the next page, "" on the last.
	NextURL string
	Err     fieldErr
	// Import is what an import just done did; nil when none was.
	Import *vulnImportView
}

// vulnImportView is an import's result as the list page shows it.
type vulnImportView struct {
	File string
	vuln.ImportResult
	// Error is why the import failed as a whole; "" when it ran.
	Error string
}

func (s *Site) vulnListPage(w http.ResponseWriter, r *http.Request, status int, imp *vulnImportView, msg ...string) error {
	p := principal(r)
	d := vulnListData{All: p.Has(auth.RoleAnalyst), Import: imp}
	var f vuln.ListFilter // after an import, the first page unfiltered
	if r.Method == http.MethodGet {
		d.Q, d.Exploited, d.Affecting = r.URL.Query().Get("q"), queryFlag(r, "exploited"), queryFlag(r, "affecting")
		f = vuln.ListFilter{Query: d.Q, ExploitedOnly: d.Exploited, Affecting: d.Affecting, After: r.URL.Query().Get("after")}
	}
	list, err := s.cfg.Vuln.List(r.Context(), p, f)
	if err != nil {
		fail, ok := s.vulnFailed(w, r, err, nil)
		if !ok {
			return s.vulnPageError(w, r, err)
		}
		d.Err = fail.field
		return s.render(w, r, fail.status, "vuln_list", "vulns.title", d, "", fail.msg)
	}
	d.List = list
	if list.Next != "" {
		v := url.Values{"after": {list.Next}}
		if d.Q != "" {
			v.Set("q", d.Q)
		}
		if d.Exploited {
			v.Set("exploited", "1")
		}
		if d.Affecting {
			v.Set("affecting", "1")
		}
		d.NextURL = "/vulns?" + v.Encode()
	}
	return s.render(w, r, status, "vuln_list", "vulns.title", d, msg...)
}

func (s *Site) vulnList(w http.ResponseWriter, r *http.Request) error {
	return s.vulnListPage(w, r, http.StatusOK, nil)
}

// vulnImport imports the records of an uploaded file (the "file" of a
// multipart form: CVE JSON 5 or NVD, one record, an array, NDJSON or an
// NVD response); the list page then shows each record imported and each
// refused with its place, id and field.
func (s *Site) vulnImport(w http.ResponseWriter, r *http.Request) error {
	file, hdr, err := r.FormFile("file")
	if err != nil {
		return s.vulnListPage(w, r, http.StatusBadRequest, nil, "", s.t(r, "vuln.import.nofile"))
	}
	defer file.Close()
	imp := &vulnImportView{File: hdr.Filename}
	// The router has read the form into memory, bounded.
	res, err := s.cfg.Vuln.Import(r.Context(), principal(r), file)
	imp.ImportResult = res
	if err != nil {
		fail, ok := s.vulnFailed(w, r, err, nil)
		if !ok {
			return s.vulnPageError(w, r, err)
		}
		// The result says what is wrong with the file; the message above
		// it only that something is.
		imp.Error = err.Error()
		msg := fail.msg
		if _, ok := errors.AsType[*vuln.FieldError](err); ok {
			msg = s.t(r, "form.invalid")
		}
		return s.vulnListPage(w, r, fail.status, imp, "", msg)
	}
	return s.vulnListPage(w, r, http.StatusOK, imp, s.t(r, "vuln.import.done", len(res.Imported), res.RejectedCount, res.Records))
}

// vulnDetailData is one vulnerability as its page shows it.
type vulnDetailData struct {
	vulnFmt
	N names
	D vuln.Detail
	// Entry is the vulnerability's catalogue entry when it is exploited
	// in Japan; nil otherwise.
	Entry *vuln.CatalogueEntry
	// Analyst: the viewer is of the Cabinet Office, who sees the evidence
	// in full and marks.
	Analyst bool
	Acts    acts
	// Mark is the mark form's values: as typed when refused, else the
	// current mark's.
	Mark url.Values
}

// Descriptions returns the record's descriptions in the page's language
// first.
func (d vulnDetailData) Descriptions(lang Lang) []cve.Text {
	var first, rest []cve.Text
	for _, t := range d.D.Record.Descriptions {
		if t.Lang == string(lang) || strings.HasPrefix(t.Lang, string(lang)+"-") {
			first = append(first, t)
		} else {
			rest = append(rest, t)
		}
	}
	return append(first, rest...)
}

// Product names the record's affected product i, for a matched pair.
func (d vulnDetailData) Product(i int) string {
	if d.D.Record == nil || i < 0 || i >= len(d.D.Record.Affected) {
		return fmt.Sprintf("#%d", i)
	}
	return productName(d.D.Record.Affected[i])
}

// productName is "vendor product", or what the record names.
func productName(a cve.Affected) string {
	name := strings.TrimSpace(a.Vendor + " " + a.Product)
	switch {
	case name != "":
		return name
	case a.PackageName != "":
		return a.PackageName
	case a.CPE != nil:
		return a.CPE.String()
	}
	return "—"
}

// versionLine is one line of an affected product's versions.
type versionLine struct {
	// Text is the versions ("1.0 ≤ v < 1.5", "= 2.0"); "" for the
	// default, all other versions.
	Text string
	// Status is "affected", "unaffected" or "unknown".
	Status string
}

// Versions describes which versions of affected product a are affected:
// each range in record order, then the status of all other versions.
func (vulnDetailData) Versions(a cve.Affected) []versionLine {
	var out []versionLine
	for _, rg := range a.Versions.Ranges {
		out = append(out, versionLine{rangeText(rg), rg.Status.String()})
		for _, c := range rg.Changes {
			out = append(out, versionLine{"≥ " + c.At, c.Status.String()})
		}
	}
	return append(out, versionLine{"", a.Versions.Default.String()})
}

// rangeText writes a range in the notation of version ranges: "= 2.0",
// "1.0 ≤ v < 1.5", "v ≤ 3.*", "all".
func rangeText(rg cve.Range) string {
	if rg.Exact != "" {
		return "= " + rg.Exact
	}
	var b strings.Builder
	if rg.Start != "" {
		b.WriteString(rg.Start)
		if rg.StartExcluded {
			b.WriteString(" < ")
		} else {
			b.WriteString(" ≤ ")
		}
	}
	b.WriteString("v")
	if rg.End != "" {
		if rg.EndIncluded {
			b.WriteString(" ≤ ")
		} else {
			b.WriteString(" < ")
		}
		b.WriteString(rg.End)
	}
	if rg.Start == "" && rg.End == "" {
		return "*"
	}
	if rg.Scheme != "" {
		b.WriteString(" (" + rg.Scheme + ")")
	}
	return b.String()
}

// V returns the mark form's value of name.
func (d vulnDetailData) V(name string) string { return d.Mark.Get(name) }

func (s *Site) vulnDetailPage(w http.ResponseWriter, r *http.Request, status int, a acts, msg ...string) error {
	p := principal(r)
	id := r.PathValue("id")
	dt, err := s.cfg.Vuln.Vulnerability(r.Context(), p, id)
	if err != nil {
		return s.vulnPageError(w, r, err)
	}
	n, err := s.names(r)
	if err != nil {
		return err
	}
	d := vulnDetailData{N: n, D: dt, Analyst: p.Has(auth.RoleAnalyst), Acts: a, Mark: url.Values{}}
	if dt.ExploitedInJapan {
		entries, err := s.catalogueEntries(r)
		if err != nil {
			return s.vulnPageError(w, r, err)
		}
		if e, ok := entries[dt.ID]; ok {
			d.Entry = &e
		}
	}
	switch {
	case a.Form == "mark":
		d.Mark = a.V
	case dt.Exploited != nil && dt.ExploitedInJapan:
		e := dt.Exploited
		d.Mark = url.Values{"date": {e.Date}, "report_ids": {strings.Join(e.ReportIDs, "\n")},
			"finding_ids": {strings.Join(e.FindingIDs, "\n")}, "note": {e.Note},
			"vendor_project": {e.VendorProject}, "product": {e.Product}, "vulnerability_name": {e.VulnerabilityName},
			"short_description": {e.ShortDescription}, "required_action": {e.RequiredAction}, "due_date": {e.DueDate},
			"known_ransomware_campaign_use": {e.KnownRansomwareCampaignUse}}
	}
	msg = s.doneMessage(r, "vuln.done.", msg, "marked", "cleared")
	return s.render(w, r, status, "vuln_detail", "vuln.title", d, msg...)
}

func (s *Site) vulnDetail(w http.ResponseWriter, r *http.Request) error {
	return s.vulnDetailPage(w, r, http.StatusOK, acts{})
}

// exploitedInput builds the service's input from the mark or clear form:
// exploited is "true" (mark) or "false" (clear); the evidence ids are one
// a line.
func exploitedInput(r *http.Request) (vuln.ExploitedInput, map[string][]numberedLine, error) {
	ls := map[string][]numberedLine{"report_ids": lines(r.PostFormValue("report_ids")), "finding_ids": lines(r.PostFormValue("finding_ids"))}
	in := vuln.ExploitedInput{Note: trimmed(r, "note"), Date: trimmed(r, "date"),
		ReportIDs: texts(ls["report_ids"]), FindingIDs: texts(ls["finding_ids"]),
		CatalogueFields: vuln.CatalogueFields{VendorProject: trimmed(r, "vendor_project"), Product: trimmed(r, "product"),
			VulnerabilityName: trimmed(r, "vulnerability_name"), ShortDescription: trimmed(r, "short_description"),
			RequiredAction: trimmed(r, "required_action"), DueDate: trimmed(r, "due_date"),
			KnownRansomwareCampaignUse: trimmed(r, "known_ransomware_campaign_use")}}
	switch r.PostFormValue("exploited") {
	case "true":
		in.Exploited = true
	case "false":
	default:
		return in, ls, &vuln.FieldError{Field: "exploited", Msg: fmt.Sprintf("%q: want true (mark) or false (clear)", r.PostFormValue("exploited"))}
	}
	return in, ls, nil
}

// vulnExploited marks the vulnerability exploited in Japan, or clears the
// mark, and goes back to its page.
func (s *Site) vulnExploited(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	id := r.PathValue("id")
	in, ls, err := exploitedInput(r)
	form := "mark"
	if !in.Exploited {
		form = "clear"
	}
	a := formActs(r, form)
	if err == nil {
		_, err = s.cfg.Vuln.SetExploited(r.Context(), principal(r), id, in)
	}
	if err != nil {
		fail, ok := s.vulnFailed(w, r, err, func(f string) (string, string) {
			if base, _, _, ok := splitIndex(f); ok {
				return base, s.lineOf(r, ls[base], f)
			}
			return f, ""
		})
		if !ok {
			return s.vulnPageError(w, r, err)
		}
		a.Err = fail.field
		return s.vulnDetailPage(w, r, fail.status, a, "", fail.msg)
	}
	done := "marked"
	if !in.Exploited {
		done = "cleared"
	}
	http.Redirect(w, r, "/vulns/"+url.PathEscape(id)+"?done="+done, http.StatusSeeOther)
	return nil
}

// vulnMatches sends the links of notices sent before they named /vulns/affected (/vulns/matches)
// to the page of affected assets.
func (s *Site) vulnMatches(w http.ResponseWriter, r *http.Request) error {
	http.Redirect(w, r, "/vulns/affected", http.StatusSeeOther)
	return nil
}
