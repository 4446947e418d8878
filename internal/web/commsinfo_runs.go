package web

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/commsinfo"
	"github.com/acd-platform/acd/internal/oversight"
	"github.com/acd-platform/acd/internal/selection"
)

// runsQuery is the runs page's filter as typed: an approval and a period
// of days. The service counts its totals per UTC day, so the period's
// days are UTC days too, and the page says so.
type runsQuery struct {
	Approval string
	From, To string // dates, UTC; To inclusive
}

func readRunsQuery(q url.Values) runsQuery {
	return runsQuery{Approval: strings.TrimSpace(q.Get("approval")), From: strings.TrimSpace(q.Get("from")), To: strings.TrimSpace(q.Get("to"))}
}

// maxChartDays bounds the days of the totals chart and table.
const maxChartDays = 366

// window returns the period the query names: From's start to the end of
// To's day, by default the 30 days to the end of today (UTC).
func (q runsQuery) window(now time.Time) (from, to time.Time, _ *fieldErr) {
	parse := func(field, v string) (time.Time, *fieldErr) {
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			return t, &fieldErr{field, err.Error()}
		}
		return t, nil
	}
	var fe *fieldErr
	if q.To != "" {
		if to, fe = parse("to", q.To); fe != nil {
			return from, to, fe
		}
		to = to.AddDate(0, 0, 1)
	} else {
		y, m, d := now.UTC().Date()
		to = time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
	}
	if q.From != "" {
		if from, fe = parse("from", q.From); fe != nil {
			return from, to, fe
		}
	} else {
		from = to.AddDate(0, 0, -30)
	}
	switch {
	case !from.Before(to):
		return from, to, &fieldErr{"to", "before from"}
	case to.Sub(from) > maxChartDays*24*time.Hour:
		return from, to, &fieldErr{"from", "the period is longer than 366 days"}
	}
	return from, to, nil
}

// encode is the query string that repeats q.
func (q runsQuery) encode() string {
	v := url.Values{}
	for k, x := range map[string]string{"approval": q.Approval, "from": q.From, "to": q.To} {
		if x != "" {
			v.Set(k, x)
		}
	}
	return v.Encode()
}

// dayRow is one day of an approval's totals, in packets.
type dayRow struct {
	Day                      string
	Runs, Records            int64
	Seen, Selected, Deleted  uint64
	SeenBytes, SelectedBytes uint64
}

// Ratio is the selected share of the packets seen, as a percentage text.
func (d dayRow) Ratio() string { return ratioText(d.Selected, d.Seen) }

// ratioText renders part/whole as a percentage with two decimals, or "—".
func ratioText(part, whole uint64) string {
	if whole == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f%%", float64(part)/float64(whole)*100)
}

// days fills the days of [from, to) with the service's totals, zero where
// no run started.
func days(ts []commsinfo.DayTotals, from, to time.Time) []dayRow {
	by := make(map[string]commsinfo.DayTotals, len(ts))
	for _, t := range ts {
		by[t.Day] = t
	}
	var out []dayRow
	for d := from; d.Before(to); d = d.AddDate(0, 0, 1) {
		k := d.Format(time.DateOnly)
		t := by[k]
		out = append(out, dayRow{Day: k, Runs: t.Runs, Records: t.Records, Seen: t.Total.Seen.Packets, Selected: t.Total.Selected.Packets,
			Deleted: t.Total.Deleted.Packets, SeenBytes: t.Total.Seen.Bytes, SelectedBytes: t.Total.Selected.Bytes})
	}
	return out
}

// runRow is a run in the list with the anomalies found in it.
type runRow struct {
	commsinfo.Run
	Anomalies []commsinfo.Anomaly
}

// Ratio is the run's selected share of the packets seen.
func (r runRow) Ratio() string { return ratioText(r.Total.Selected.Packets, r.Total.Seen.Packets) }

// uploadForm is the offline run-file upload as typed.
type uploadForm struct {
	Approval string
	Err      fieldErr
}

type runsData struct {
	N     names
	Query runsQuery
	Err   fieldErr
	// Approvals are offered in the filter and the upload form; empty
	// without an oversight service, when both take an id.
	Approvals []approvalChoice
	// Approval is the approval chosen, when the oversight service knows
	// it.
	Approval *oversight.Approval
	// Days, Sum and the chart are the chosen approval's totals.
	Days      []dayRow
	Sum       dayRow
	Chart     string
	ChartFrom string
	ChartTo   string
	Runs      []runRow
	Anomalies []commsinfo.Anomaly
	Upload    uploadForm
	MaxUpload int // KiB a web upload may have
}

// runsListLimit is how many runs and anomalies the runs page lists.
const runsListLimit = 100

func (s *Site) runsPage(w http.ResponseWriter, r *http.Request, status int, up uploadForm, msg ...string) error {
	ctx := r.Context()
	n, err := s.names(r)
	if err != nil {
		return err
	}
	q := readRunsQuery(r.URL.Query())
	d := runsData{N: n, Query: q, Upload: up, MaxUpload: maxWebUpload >> 10}
	if d.Approvals, err = s.approvalChoices(r); err != nil {
		return err
	}
	if d.Upload.Approval == "" {
		d.Upload.Approval = q.Approval
	}
	from, to, fe := q.window(s.cfg.Now())
	if fe != nil {
		d.Err = *fe
		if status == http.StatusOK {
			status, msg = http.StatusBadRequest, []string{"", s.t(r, "form.invalid")}
		}
	}
	var rf commsinfo.RunFilter
	var af commsinfo.AnomalyFilter
	rf.Limit, af.Limit = runsListLimit, runsListLimit
	if q.Approval != "" {
		rf.ApprovalID, af.ApprovalID = q.Approval, q.Approval
		if s.cfg.Oversight != nil {
			a, err := s.cfg.Oversight.Approval(ctx, q.Approval)
			switch {
			case err == nil:
				d.Approval = &a
			case !errors.Is(err, oversight.ErrNotFound):
				return err
			}
		}
		if fe == nil {
			ts, err := s.cfg.Commsinfo.Totals(ctx, q.Approval, from, to)
			if err != nil {
				return ciPageError(err)
			}
			d.Days = days(ts, from, to)
			for _, x := range d.Days {
				d.Sum.Runs, d.Sum.Records = d.Sum.Runs+x.Runs, d.Sum.Records+x.Records
				d.Sum.Seen, d.Sum.Selected, d.Sum.Deleted = d.Sum.Seen+x.Seen, d.Sum.Selected+x.Selected, d.Sum.Deleted+x.Deleted
			}
			d.Chart = "/runs/chart.svg?" + q.encode()
			d.ChartFrom, d.ChartTo = from.Format(time.DateOnly), to.AddDate(0, 0, -1).Format(time.DateOnly)
			// The runs listed are those of the chart's period.
			rf.From, rf.To = from, to
		}
	}
	runs, err := s.cfg.Commsinfo.Runs(ctx, rf)
	if err != nil {
		return ciPageError(err)
	}
	if d.Anomalies, err = s.cfg.Commsinfo.Anomalies(ctx, af); err != nil {
		return ciPageError(err)
	}
	byRun := map[string][]commsinfo.Anomaly{}
	for _, a := range d.Anomalies {
		byRun[a.RunID] = append(byRun[a.RunID], a)
	}
	for _, run := range runs {
		d.Runs = append(d.Runs, runRow{Run: run, Anomalies: byRun[run.ID]})
	}
	return s.render(w, r, status, "runs", "runs.title", d, msg...)
}

func (s *Site) runs(w http.ResponseWriter, r *http.Request) error {
	return s.runsPage(w, r, http.StatusOK, uploadForm{})
}

// runUpload stores an offline sensor's run file, as typed into the upload
// form, under the approval it names.
func (s *Site) runUpload(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	up := uploadForm{Approval: strings.TrimSpace(r.PostFormValue("approval"))}
	// The page re-rendered lists the approval the upload named.
	r.URL.RawQuery = url.Values{"approval": {up.Approval}}.Encode()
	if up.Approval == "" {
		up.Err = fieldErr{"approval", "required"}
		return s.runsPage(w, r, http.StatusBadRequest, up, "", s.t(r, "form.invalid"))
	}
	file, _, err := r.FormFile("file")
	if err != nil {
		up.Err = fieldErr{"file", s.t(r, "runs.upload.nofile")}
		return s.runsPage(w, r, http.StatusBadRequest, up, "", s.t(r, "form.invalid"))
	}
	defer file.Close()
	res, err := s.cfg.Commsinfo.Upload(r.Context(), principal(r), up.Approval, file)
	if errors.Is(err, commsinfo.ErrNotFound) {
		err = &commsinfo.FieldError{Field: "approval", Msg: "unknown approval " + up.Approval}
	}
	if err != nil {
		fail, ok := s.ciFailed(r, err, nil)
		if !ok {
			return ciPageError(err)
		}
		up.Err = fail.field
		return s.runsPage(w, r, fail.status, up, "", fail.msg)
	}
	http.Redirect(w, r, "/runs/"+res.RunID+"?done=uploaded", http.StatusSeeOther)
	return nil
}

// directionRow is one direction's counters of a run.
type directionRow struct {
	Direction string
	selection.DirectionCounters
}

type runData struct {
	N          names
	Run        commsinfo.Run
	Directions []directionRow
	Approval   *oversight.Approval
}

func (s *Site) run(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	run, err := s.cfg.Commsinfo.Run(ctx, r.PathValue("id"))
	if err != nil {
		return ciPageError(err)
	}
	n, err := s.names(r)
	if err != nil {
		return err
	}
	d := runData{N: n, Run: run}
	for _, dir := range slices.Sorted(maps.Keys(run.Directions)) {
		d.Directions = append(d.Directions, directionRow{dir, run.Directions[dir]})
	}
	if s.cfg.Oversight != nil {
		if a, err := s.cfg.Oversight.Approval(ctx, run.ApprovalID); err == nil {
			d.Approval = &a
		}
	}
	var msg []string
	if r.URL.Query().Get("done") == "uploaded" {
		msg = []string{s.t(r, "run.uploaded", run.Records)}
	}
	return s.render(w, r, http.StatusOK, "run", "run.title", d, msg...)
}
