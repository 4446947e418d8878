package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/reporting"
	"github.com/acd-platform/acd/internal/reporting/reportapi"
)

// timelineLayout is how a timeline line starts, in Japan time.
const timelineLayout = "2006-01-02 15:04"

// reportForm is a report form (the quick report, or the next stage of a
// report) as the user typed it. List fields are text, one entry a line.
type reportForm struct {
	Idem                                                string
	Stage                                               string
	Kind, Title, Summary, AwareAt, Status, StatusDetail string
	Assets                                              []string
	ContactName, ContactEmail, ContactPhone             string
	ImpactLevel, ImpactDescription                      string
	Techniques, Indicators, Timeline                    string
	MeasuresTaken, RootCause, Recurrence                string
	Err                                                 fieldErr
}

// Affects reports whether the form lists asset id as affected.
func (f reportForm) Affects(id string) bool { return slices.Contains(f.Assets, id) }

// reportFormOf fills the form with c, so that the next stage starts from
// what the report says now.
func reportFormOf(c reporting.Content) reportForm {
	f := reportForm{Kind: string(c.Kind), Title: c.Title, Summary: c.Summary, AwareAt: localValue(c.AwareAt),
		Status: string(c.Status), StatusDetail: c.StatusDetail, Assets: c.AffectedAssets,
		ContactName: c.Contact.Name, ContactEmail: c.Contact.Email, ContactPhone: c.Contact.Phone,
		ImpactLevel: string(c.Impact.Level), ImpactDescription: c.Impact.Description,
		Techniques: strings.Join(c.Techniques, "\n"), MeasuresTaken: c.MeasuresTaken, RootCause: c.RootCause, Recurrence: c.Recurrence}
	var b strings.Builder
	for _, in := range c.Indicators {
		b.WriteString(strings.TrimSpace(string(in.Type) + " " + in.Value + " " + in.Description))
		b.WriteByte('\n')
	}
	f.Indicators = b.String()
	b.Reset()
	for _, e := range c.Timeline {
		b.WriteString(e.Time.In(jst).Format(timelineLayout) + " " + e.Description)
		b.WriteByte('\n')
	}
	f.Timeline = b.String()
	return f
}

func readReportForm(r *http.Request) reportForm {
	v := r.PostFormValue
	return reportForm{Idem: v("idem"), Stage: v("stage"), Kind: v("kind"), Title: v("title"), Summary: v("summary"),
		AwareAt: v("aware_at"), Status: v("status"), StatusDetail: v("status_detail"), Assets: r.PostForm["affected_assets"],
		ContactName: v("contact_name"), ContactEmail: v("contact_email"), ContactPhone: v("contact_phone"),
		ImpactLevel: v("impact_level"), ImpactDescription: v("impact_description"),
		Techniques: v("techniques"), Indicators: v("indicators"), Timeline: v("timeline"),
		MeasuresTaken: v("measures_taken"), RootCause: v("root_cause"), Recurrence: v("recurrence")}
}

// listLines records the textarea line of each entry of the list fields,
// so that an error in "indicators[2]" names the line the user typed it on.
type listLines map[string][]int

// content returns the content the form says, over base (the report's
// latest content, or the zero Content for a new report). quick forms have
// no impact, techniques, indicators, timeline or final fields, and give
// aware_at; later stages keep the report's.
func (f reportForm) content(base reporting.Content, quick bool) (reporting.Content, listLines, *reporting.FieldError) {
	c := base
	c.Kind, c.Title, c.Summary = reporting.Kind(f.Kind), f.Title, f.Summary
	c.Status, c.StatusDetail = reporting.Status(f.Status), f.StatusDetail
	c.AffectedAssets = f.Assets
	c.Contact = reporting.Contact{Name: strings.TrimSpace(f.ContactName), Email: strings.TrimSpace(f.ContactEmail), Phone: strings.TrimSpace(f.ContactPhone)}
	ll := listLines{}
	if quick {
		if strings.TrimSpace(f.AwareAt) == "" {
			return c, ll, &reporting.FieldError{Field: "aware_at", Msg: "required"}
		}
		t, err := parseLocal(f.AwareAt)
		if err != nil {
			return c, ll, &reporting.FieldError{Field: "aware_at", Msg: err.Error()}
		}
		c.AwareAt = t
		return c, ll, nil
	}
	c.Impact = reporting.Impact{Level: reporting.ImpactLevel(f.ImpactLevel), Description: strings.TrimSpace(f.ImpactDescription)}
	c.MeasuresTaken, c.RootCause, c.Recurrence = f.MeasuresTaken, f.RootCause, f.Recurrence
	c.Techniques = nil
	for _, l := range lines(f.Techniques) {
		c.Techniques = append(c.Techniques, l.text)
		ll["techniques"] = append(ll["techniques"], l.n)
	}
	c.Indicators = nil
	for _, l := range lines(f.Indicators) {
		typ, rest := cutSpace(l.text)
		value, desc := cutSpace(rest)
		ll["indicators"] = append(ll["indicators"], l.n)
		if value == "" {
			return c, ll, &reporting.FieldError{Field: fmt.Sprintf("indicators[%d]", len(c.Indicators)), Msg: fmt.Sprintf("%q: want a type and a value, like \"ipv4 192.0.2.1\"", l.text)}
		}
		c.Indicators = append(c.Indicators, reporting.Indicator{Type: reporting.IndicatorType(strings.ToLower(typ)), Value: value, Description: desc})
	}
	c.Timeline = nil
	for _, l := range lines(f.Timeline) {
		var t time.Time
		err := fmt.Errorf("too short")
		if len(l.text) >= len(timelineLayout) {
			t, err = time.ParseInLocation(timelineLayout, l.text[:len(timelineLayout)], jst)
		}
		desc := ""
		if err == nil {
			desc = strings.TrimSpace(l.text[len(timelineLayout):])
		}
		ll["timeline"] = append(ll["timeline"], l.n)
		if err != nil || desc == "" {
			return c, ll, &reporting.FieldError{Field: fmt.Sprintf("timeline[%d]", len(c.Timeline)), Msg: fmt.Sprintf("%q: want \"YYYY-MM-DD HH:MM what happened\" (Japan time)", l.text)}
		}
		c.Timeline = append(c.Timeline, reporting.Event{Time: t.UTC(), Description: desc})
	}
	return c, ll, nil
}

// cutSpace splits s at its first run of white space.
func cutSpace(s string) (before, after string) {
	s = strings.TrimSpace(s)
	i := strings.IndexFunc(s, unicode.IsSpace)
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimSpace(s[i:])
}

// reportField maps a field of the service's errors (a JSON path such as
// "indicators[2].value") to the form's field, with a prefix naming the
// line of a list entry.
func (s *Site) reportField(r *http.Request, ll listLines) func(string) (string, string) {
	return func(f string) (string, string) {
		root, rest := f, ""
		if i := strings.IndexAny(f, "[."); i >= 0 {
			root, rest = f[:i], f[i:]
		}
		switch root {
		case "contact":
			switch rest {
			case ".name":
				return "contact_name", ""
			case ".phone":
				return "contact_phone", ""
			}
			return "contact_email", ""
		case "impact":
			if rest == ".description" {
				return "impact_description", ""
			}
			return "impact_level", ""
		case "occurred_at":
			return "aware_at", ""
		case "techniques", "indicators", "timeline":
			idx, _, _ := strings.Cut(strings.TrimPrefix(rest, "["), "]")
			if i, err := strconv.Atoi(idx); err == nil && i >= 0 && i < len(ll[root]) {
				return root, s.t(r, "form.line", ll[root][i]) + " "
			}
			return root, ""
		}
		return root, ""
	}
}

// submitForm files the form's content as a new report (id "") or the next
// version of report id, and redirects to the report. It returns the
// failure to show on the form, or ok false with an error for the router.
func (s *Site) submitForm(w http.ResponseWriter, r *http.Request, id string, f reportForm, base reporting.Content) (formFailure, error) {
	quick := id == ""
	c, ll, ferr := f.content(base, quick)
	stage := reporting.StageQuick
	if !quick {
		stage = reporting.Stage(f.Stage)
	}
	var out reporting.Submitted
	var err error
	if ferr != nil {
		err = ferr
	} else {
		var key reporting.Idem
		if key, err = formIdem(r); err == nil {
			out, err = s.cfg.Reporting.Submit(r.Context(), principal(r), id, reporting.Submission{Stage: stage, Content: c}, reporting.ViaWeb, key)
		}
	}
	if err != nil {
		fail, ok := s.formFailed(r, err, s.reportField(r, ll))
		if !ok {
			return formFailure{}, pageError(err)
		}
		return fail, nil
	}
	var rc reporting.Receipt
	if err := json.Unmarshal(out.Body, &rc); err != nil {
		return formFailure{}, fmt.Errorf("read receipt: %w", err)
	}
	http.Redirect(w, r, "/reports/"+rc.Report.ID+"?done=filed", http.StatusSeeOther)
	return formFailure{}, nil
}

var (
	reportKinds    = []reporting.Kind{reporting.KindIncident, reporting.KindPrecursor}
	reportStatuses = []reporting.Status{reporting.StatusOngoing, reporting.StatusContained, reporting.StatusRecovered}
	impactLevels   = []reporting.ImpactLevel{reporting.ImpactNone, reporting.ImpactLow, reporting.ImpactModerate, reporting.ImpactHigh, reporting.ImpactSevere}
)

func (s *Site) reportNewPage(w http.ResponseWriter, r *http.Request, status int, f reportForm, msg ...string) error {
	p := principal(r)
	n, err := s.names(r)
	if err != nil {
		return err
	}
	as, err := s.cfg.Reporting.Assets(r.Context(), p, reporting.AssetFilter{OrgID: p.OrgID})
	if err != nil {
		return pageError(err)
	}
	ops, err := s.cfg.Reporting.Operators(r.Context(), p)
	if err != nil {
		return pageError(err)
	}
	d := reportData{N: n, New: true, Form: f, Assets: as, Kinds: reportKinds, Statuses: reportStatuses}
	for _, op := range ops {
		if op.Org.ID == p.OrgID {
			d.Designated = op.Designated
		}
	}
	sec := ""
	if len(p.Sectors) > 0 {
		sec = p.Sectors[0]
	}
	var zero time.Time
	due := s.cfg.Reporting.Policy().Dues(sec, zero)
	d.QuickHours, d.FullHours = int(due.Quick.Sub(zero).Hours()), int(due.Full.Sub(zero).Hours())
	d.FinalDays = int(due.Final.Sub(zero).Hours() / 24)
	return s.render(w, r, status, "report", "reports.new", d, msg...)
}

func (s *Site) reportNew(w http.ResponseWriter, r *http.Request) error {
	f := reportForm{Idem: newIdemKey(), Kind: string(reporting.KindIncident), Status: string(reporting.StatusOngoing),
		AwareAt: localValue(s.cfg.Now().Truncate(time.Minute))}
	return s.reportNewPage(w, r, http.StatusOK, f)
}

func (s *Site) reportCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	f := readReportForm(r)
	fail, err := s.submitForm(w, r, "", f, reporting.Content{})
	if err != nil || fail.status == 0 {
		return err
	}
	f.Err = fail.field
	if fail.status == http.StatusUnprocessableEntity {
		f.Idem = newIdemKey()
	}
	return s.reportNewPage(w, r, fail.status, f, "", fail.msg)
}

// stageCell is one stage's deadline and how the report stands against it.
type stageCell struct {
	Stage      reporting.Stage
	Due, Filed time.Time
	T          reporting.Timeliness
}

func stageCells(r reporting.Report, now time.Time) []stageCell {
	t := r.Timeliness(now)
	return []stageCell{
		{reporting.StageQuick, r.Due.Quick, r.Filed.Quick, t[0]},
		{reporting.StageFull, r.Due.Full, r.Filed.Full, t[1]},
		{reporting.StageFinal, r.Due.Final, r.Filed.Final, t[2]},
	}
}

// nextStages are the stages that may follow a report's latest one.
func nextStages(r reporting.Report) []reporting.Stage {
	switch {
	case r.Closed:
		return nil
	case r.Stage == reporting.StageQuick:
		return []reporting.Stage{reporting.StageFull, reporting.StageFinal}
	}
	return []reporting.Stage{reporting.StageUpdate, reporting.StageFinal}
}

// reportData is what the report page shows: a new report's form, a
// report, or one version of a report.
type reportData struct {
	N names
	// New is set on the form of a new report; Designated says whether the
	// viewer's operator is designated (only then may it file), and
	// QuickHours, FullHours and FinalDays are the deadlines from awareness
	// in its sector.
	New                              bool
	Designated                       bool
	QuickHours, FullHours, FinalDays int

	Report   reporting.Report
	Stages   []stageCell
	Content  reporting.Content
	Versions []reporting.VersionInfo
	Evidence []reporting.Evidence
	// Version is set on the page of one version.
	Version *reporting.VersionInfo
	// Affected are the affected assets by id, for their names.
	Affected map[string]reporting.CriticalComputer
	// Own: the viewer's organisation filed the report.
	Own bool
	// Next are the stages the operator may file next; none once closed.
	Next      []reporting.Stage
	Form      reportForm
	Assets    []reporting.CriticalComputer
	Kinds     []reporting.Kind
	Statuses  []reporting.Status
	Impacts   []reporting.ImpactLevel
	EvTypes   []string
	EvErr     fieldErr
	MaxUpload int // KiB a web upload may have
}

// Asset returns the name of an affected asset, or its id.
func (d reportData) Asset(id string) string {
	if a, ok := d.Affected[id]; ok {
		return a.Name
	}
	return id
}

// maxWebUpload is what a file upload on a page may weigh: the router
// bounds every form body to 1 MiB, the rest of the form included.
const maxWebUpload = 1<<20 - 16<<10

func (s *Site) reportPage(w http.ResponseWriter, r *http.Request, status int, f *reportForm, evErr fieldErr, msg ...string) error {
	p := principal(r)
	det, err := s.cfg.Reporting.Report(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return pageError(err)
	}
	d := reportData{Report: det.Report, Content: det.Content, Versions: det.Versions, Evidence: det.Evidence, EvErr: evErr}
	if err := s.fillReport(r, &d); err != nil {
		return err
	}
	if d.Own && s.cfg.Policy.Allow(p, auth.ReportSubmit) {
		d.Next = nextStages(det.Report)
		if f != nil {
			d.Form = *f
		} else {
			d.Form = reportFormOf(det.Content)
			d.Form.Idem = newIdemKey()
			if len(d.Next) > 0 {
				d.Form.Stage = string(d.Next[0])
			}
		}
		if d.Assets, err = s.cfg.Reporting.Assets(r.Context(), p, reporting.AssetFilter{OrgID: p.OrgID}); err != nil {
			return pageError(err)
		}
	}
	if len(msg) == 0 && r.URL.Query().Get("done") == "filed" {
		msg = []string{s.t(r, "report.filed")}
	}
	if len(msg) == 0 && r.URL.Query().Get("done") == "evidence" {
		msg = []string{s.t(r, "evidence.added")}
	}
	return s.render(w, r, status, "report", "report.title", d, msg...)
}

// fillReport fills what the report page and a version's page share.
func (s *Site) fillReport(r *http.Request, d *reportData) error {
	p := principal(r)
	n, err := s.names(r)
	if err != nil {
		return err
	}
	d.N, d.Own = n, d.Report.OrgID == p.OrgID
	d.Stages = stageCells(d.Report, s.cfg.Now())
	d.Kinds, d.Statuses, d.Impacts, d.EvTypes, d.MaxUpload = reportKinds, reportStatuses, impactLevels, reporting.EvidenceTypes, maxWebUpload>>10
	d.Affected = map[string]reporting.CriticalComputer{}
	for _, id := range d.Content.AffectedAssets {
		if a, _, err := s.cfg.Reporting.Asset(r.Context(), p, id); err == nil {
			d.Affected[id] = a
		}
	}
	return nil
}

func (s *Site) report(w http.ResponseWriter, r *http.Request) error {
	return s.reportPage(w, r, http.StatusOK, nil, fieldErr{})
}

func (s *Site) reportVersion(w http.ResponseWriter, r *http.Request) error {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 {
		return api.NotFound("no such version")
	}
	rep, v, err := s.cfg.Reporting.Version(r.Context(), principal(r), r.PathValue("id"), n)
	if err != nil {
		return pageError(err)
	}
	d := reportData{Report: rep, Content: v.Content, Version: &v.VersionInfo}
	if err := s.fillReport(r, &d); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "report", "report.version.title", d)
}

func (s *Site) reportNext(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	id := r.PathValue("id")
	det, err := s.cfg.Reporting.Report(r.Context(), principal(r), id)
	if err != nil {
		return pageError(err)
	}
	f := readReportForm(r)
	fail, err := s.submitForm(w, r, id, f, det.Content)
	if err != nil || fail.status == 0 {
		return err
	}
	f.Err = fail.field
	if fail.status == http.StatusUnprocessableEntity {
		f.Idem = newIdemKey()
	}
	return s.reportPage(w, r, fail.status, &f, fieldErr{}, "", fail.msg)
}

// evidenceExt guesses an evidence file's media type from its extension,
// for browsers that send application/octet-stream.
var evidenceExt = map[string]string{
	".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
	".txt": "text/plain", ".log": "text/plain", ".csv": "text/csv", ".json": "application/json",
	".zip": "application/zip", ".pcap": "application/vnd.tcpdump.pcap", ".pcapng": "application/vnd.tcpdump.pcap",
}

func (s *Site) evidenceAdd(w http.ResponseWriter, r *http.Request) error {
	file, hdr, err := r.FormFile("file")
	if err != nil {
		return s.reportPage(w, r, http.StatusBadRequest, nil, fieldErr{"ev_file", s.t(r, "evidence.nofile")}, "", s.t(r, "form.invalid"))
	}
	defer file.Close()
	mt := r.PostFormValue("type")
	if mt == "" || mt == "auto" {
		mt = hdr.Header.Get("Content-Type")
		if m, _, err := mime.ParseMediaType(mt); err != nil || !slices.Contains(reporting.EvidenceTypes, m) {
			mt = evidenceExt[strings.ToLower(path.Ext(hdr.Filename))]
		}
	}
	_, err = s.cfg.Reporting.AddEvidence(r.Context(), principal(r), r.PathValue("id"), hdr.Filename, mt, file)
	if err != nil {
		fail, ok := s.formFailed(r, err, func(f string) (string, string) {
			if f == "content_type" {
				return "ev_type", ""
			}
			return "ev_file", ""
		})
		if !ok {
			return pageError(err)
		}
		return s.reportPage(w, r, fail.status, nil, fail.field, "", fail.msg)
	}
	http.Redirect(w, r, "/reports/"+r.PathValue("id")+"?done=evidence", http.StatusSeeOther)
	return nil
}

// download sets the headers of a file served as a download, never
// rendered by the browser in ACD's origin.
func download(w http.ResponseWriter, mediaType, name string) {
	w.Header().Set("Content-Type", mediaType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "sandbox")
}

func (s *Site) evidenceFile(w http.ResponseWriter, r *http.Request) error {
	e, data, err := s.cfg.Reporting.EvidenceFile(r.Context(), principal(r), r.PathValue("id"), r.PathValue("eid"))
	if err != nil {
		return pageError(err)
	}
	download(w, e.MediaType, e.Name)
	_, err = w.Write(data)
	return err
}

func (s *Site) reportSTIX(w http.ResponseWriter, r *http.Request) error {
	n := 0
	if v := r.URL.Query().Get("version"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			return api.NotFound("no such version")
		}
	}
	id := r.PathValue("id")
	b, err := reportapi.ExportSTIX(r, s.cfg.Reporting, id, n)
	if err != nil {
		return pageError(err)
	}
	name := id + ".stix.json"
	if n > 0 {
		name = fmt.Sprintf("%s-v%d.stix.json", id, n)
	}
	download(w, reportapi.MediaTypeSTIX, name)
	_, err = w.Write(b)
	return err
}

// reportQuery is the reports page's filter as typed: the list and the
// chart both read it.
type reportQuery struct {
	Sector, Stage, Kind string
	Open                bool
	From, To            string // dates, Japan time; To inclusive
}

func readReportQuery(q url.Values) reportQuery {
	return reportQuery{Sector: q.Get("sector"), Stage: q.Get("stage"), Kind: q.Get("kind"), Open: q.Get("open") != "",
		From: strings.TrimSpace(q.Get("from")), To: strings.TrimSpace(q.Get("to"))}
}

// bounds returns the period the query names: From's start to the end of
// To's day, each zero when not given.
func (q reportQuery) bounds() (from, to time.Time, _ *reporting.FieldError) {
	var err error
	if q.From != "" {
		if from, err = parseDay(q.From); err != nil {
			return from, to, &reporting.FieldError{Field: "from", Msg: err.Error()}
		}
	}
	if q.To != "" {
		if to, err = parseDay(q.To); err != nil {
			return from, to, &reporting.FieldError{Field: "to", Msg: err.Error()}
		}
		to = to.Add(24 * time.Hour)
	}
	if !from.IsZero() && !to.IsZero() && !from.Before(to) {
		return from, to, &reporting.FieldError{Field: "to", Msg: "before from"}
	}
	return from, to, nil
}

// filter is the list's filter.
func (q reportQuery) filter() (reporting.ReportFilter, *reporting.FieldError) {
	from, to, err := q.bounds()
	return reporting.ReportFilter{Sector: q.Sector, Stage: reporting.Stage(q.Stage), Kind: reporting.Kind(q.Kind), Open: q.Open, From: from, To: to}, err
}

// window is the chart's period and step: the query's period, by default
// the 30 days to the end of today (Japan time); by day up to 62 days, by
// week up to about two years, else by 30 days.
func (q reportQuery) window(now time.Time) (from, to time.Time, step time.Duration, _ *reporting.FieldError) {
	from, to, err := q.bounds()
	if err != nil {
		return from, to, 0, err
	}
	if to.IsZero() {
		to = dayStart(now).Add(24 * time.Hour)
	}
	if from.IsZero() {
		from = to.Add(-30 * 24 * time.Hour)
	}
	if !from.Before(to) {
		return from, to, 0, &reporting.FieldError{Field: "from", Msg: "after the end of the period"}
	}
	const day = 24 * time.Hour
	switch span := to.Sub(from); {
	case span <= 62*day:
		step = day
	case span <= 100*7*day:
		step = 7 * day
	case span <= 400*30*day:
		step = 30 * day
	default:
		return from, to, 0, &reporting.FieldError{Field: "from", Msg: "the period is longer than 30 years"}
	}
	return from, to, step, nil
}

// encode is the query string that repeats q.
func (q reportQuery) encode() string {
	v := url.Values{}
	for k, x := range map[string]string{"sector": q.Sector, "stage": q.Stage, "kind": q.Kind, "from": q.From, "to": q.To} {
		if x != "" {
			v.Set(k, x)
		}
	}
	if q.Open {
		v.Set("open", "1")
	}
	return v.Encode()
}

type reportRow struct {
	reporting.Report
	Stages []stageCell
}

// sectorCount is one sector's number of reports on the chart.
type sectorCount struct {
	Sector string
	N      int
}

type reportsData struct {
	N       names
	Query   reportQuery
	Err     fieldErr
	Reports []reportRow
	Sectors []string
	Stages  []reporting.Stage
	Kinds   []reporting.Kind
	// ShowOrg: the list holds other organisations' reports.
	ShowOrg bool
	// Chart is the chart's address; empty when the viewer has no chart.
	Chart string
	// ChartFrom and ChartTo are the chart's first and last day.
	ChartFrom, ChartTo string
	Totals             []sectorCount
	Total              int
}

func (s *Site) reports(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	n, err := s.names(r)
	if err != nil {
		return err
	}
	q := readReportQuery(r.URL.Query())
	d := reportsData{N: n, Query: q, Sectors: visibleSectors(p), Stages: reporting.Stages, Kinds: reportKinds,
		ShowOrg: p.OrgKind != auth.OrgOperator}
	status, msg := http.StatusOK, []string(nil)
	f, ferr := q.filter()
	var rs []reporting.Report
	if ferr == nil {
		rs, err = s.cfg.Reporting.Reports(r.Context(), p, f)
		if errors.As(err, &ferr) {
			err = nil
		}
		if err != nil {
			return pageError(err)
		}
	}
	if ferr != nil {
		d.Err = fieldErr{ferr.Field, ferr.Msg}
		status, msg = http.StatusBadRequest, []string{"", s.t(r, "form.invalid")}
	}
	now := s.cfg.Now()
	for _, rep := range rs {
		d.Reports = append(d.Reports, reportRow{rep, stageCells(rep, now)})
	}
	if ferr == nil && s.cfg.Policy.Allow(p, auth.ReportStats) {
		from, to, step, werr := q.window(now)
		if werr == nil {
			bs, err := s.cfg.Reporting.ReportCounts(r.Context(), p, from, to, step)
			if err != nil {
				return pageError(err)
			}
			d.Chart = "/reports/chart.svg?" + q.encode()
			d.ChartFrom, d.ChartTo = from.In(jst).Format(time.DateOnly), to.Add(-time.Nanosecond).In(jst).Format(time.DateOnly)
			for _, sc := range chartSectors(bs, q.Sector) {
				c := sectorCount{Sector: sc}
				for _, b := range bs {
					c.N += b.BySector[sc]
				}
				d.Totals, d.Total = append(d.Totals, c), d.Total+c.N
			}
		}
	}
	return s.render(w, r, status, "reports", "reports.title", d, msg...)
}
