package reporting

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/idempotency"
	"github.com/acd-platform/acd/internal/sector"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/textfield"
)

// Purpose is the marking every report carries: reported information is used
// for cybersecurity only (§5 and the Act's purpose limitation).
const Purpose = "For cybersecurity purposes only"

// Report is an incident or precursor report as it stands: the header of
// its latest version and its deadlines.
type Report struct {
	ID     string `json:"id"`
	OrgID  string `json:"org_id"`
	Sector string `json:"sector"`
	Kind   Kind   `json:"kind"`
	Title  string `json:"title"`
	// Stage is the stage of the latest version.
	Stage    Stage  `json:"stage"`
	Status   Status `json:"status"`
	Versions int    `json:"versions"`
	// Closed is set by the final report; nothing can be added after it.
	Closed  bool      `json:"closed"`
	AwareAt time.Time `json:"aware_at"`
	// Due are the deadlines of the quick, full and final reports, computed
	// from AwareAt by the policy in force when the report was opened.
	Due Dues `json:"due"`
	// Filed are when the first quick, full and final reports arrived (zero
	// while missing). A full, update or final report also counts as the
	// full report; a final report filed first counts for all three.
	Filed     Dues      `json:"filed"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Purpose is the use limitation every report carries.
	Purpose string `json:"purpose"`
}

// VersionInfo describes one version without its content.
type VersionInfo struct {
	Version int    `json:"version"`
	Stage   Stage  `json:"stage"`
	Via     string `json:"via"` // web, api or stix
	Actor   string `json:"actor"`
	// SubmittedAt is when ACD received the version.
	SubmittedAt time.Time `json:"submitted_at"`
}

// Version is one version with its content.
type Version struct {
	VersionInfo
	Content Content `json:"content"`
}

// Submission is what an operator files: the stage and the whole content as
// it stands at that stage.
type Submission struct {
	Stage Stage `json:"stage"`
	Content
}

// Receipt is the answer to a submission.
type Receipt struct {
	Report  Report      `json:"report"`
	Version VersionInfo `json:"version"`
}

// Ways a version arrives (VersionInfo.Via).
const (
	ViaWeb  = "web"
	ViaAPI  = "api"
	ViaSTIX = "stix"
)

// Idem is an idempotency key of a submission; the zero value means none.
type Idem struct {
	Key  string
	Hash []byte
}

// Submitted is the outcome of Submit: the answer to send, which is the
// original one when the submission replays an idempotency key.
type Submitted struct {
	Status   int
	Body     []byte // JSON of a Receipt
	Replayed bool
}

func rank(st Stage) int {
	for i, s := range Stages {
		if s == st {
			return i
		}
	}
	return -1
}

// Submit files sub as a new report (reportID "") or as the next version of
// report reportID, on behalf of p's designated operator. via says how it
// arrived. With an idempotency key, a retry returns the first answer.
func (s *Service) Submit(ctx context.Context, p *auth.Principal, reportID string, sub Submission, via string, idem Idem) (Submitted, error) {
	if rank(sub.Stage) < 0 {
		return Submitted{}, fieldErrorf("stage", "%q: want quick, full, update or final", sub.Stage)
	}
	if reportID == "" && sub.Stage == StageUpdate {
		return Submitted{}, fieldErrorf("stage", "a new report starts with a quick, full or final report")
	}
	if err := sub.Content.normalize(sub.Stage, s.now()); err != nil {
		return Submitted{}, err
	}
	if p == nil {
		return Submitted{}, ErrForbidden
	}
	var out Submitted
	err := s.group.Tx(ctx, func(tx *store.Tx) error {
		work := func() (idempotency.Response, error) {
			rc, err := s.submitTx(ctx, tx, p, reportID, sub, via)
			if err != nil {
				return idempotency.Response{}, err
			}
			body, err := json.Marshal(rc)
			if err != nil {
				return idempotency.Response{}, err
			}
			return idempotency.Response{Status: http.StatusCreated, ContentType: "application/json", Body: body}, nil
		}
		var resp idempotency.Response
		var err error
		if idem.Key == "" {
			resp, err = work()
		} else {
			resp, out.Replayed, err = s.keys.Do(ctx, tx, p.UserID, idem.Key, idem.Hash, work)
		}
		out.Status, out.Body = resp.Status, resp.Body
		return err
	})
	if errors.Is(err, idempotency.ErrMismatch) {
		err = fmt.Errorf("%w: %w", ErrIdempotencyMismatch, err)
	}
	return out, err
}

func (s *Service) submitTx(ctx context.Context, tx *store.Tx, p *auth.Principal, reportID string, sub Submission, via string) (Receipt, error) {
	sec, err := s.requireDesignated(ctx, tx, p)
	if err != nil {
		return Receipt{}, err
	}
	for i, id := range sub.AffectedAssets {
		a, err := getAsset(ctx, tx, id)
		if err != nil || a.OrgID != p.OrgID {
			return Receipt{}, fieldErrorf(fmt.Sprintf("affected_assets[%d]", i), "%q is not a registered asset of your organisation", id)
		}
	}
	now := s.now()
	var r, before Report
	if reportID == "" {
		r = Report{ID: newID("rep_"), OrgID: p.OrgID, Sector: sec, AwareAt: sub.AwareAt, Due: s.cfg.Policy.Dues(sec, sub.AwareAt), CreatedAt: now, Purpose: Purpose}
	} else {
		r, err = getReport(ctx, tx, reportID)
		if err != nil || r.OrgID != p.OrgID {
			return Receipt{}, fmt.Errorf("report %q: %w", reportID, ErrNotFound)
		}
		if err := nextStage(r, sub); err != nil {
			return Receipt{}, err
		}
		before = r
	}
	r.Kind, r.Title, r.Stage, r.Status, r.UpdatedAt = sub.Kind, sub.Title, sub.Stage, sub.Status, now
	r.Versions++
	if r.Filed.Quick.IsZero() {
		r.Filed.Quick = now
	}
	if sub.Stage != StageQuick && r.Filed.Full.IsZero() {
		r.Filed.Full = now
	}
	if sub.Stage == StageFinal {
		r.Filed.Final, r.Closed = now, true
	}
	if err := s.writeReport(ctx, tx, r, reportID == ""); err != nil {
		return Receipt{}, err
	}
	actor, _ := actorOf(p)
	vi := VersionInfo{Version: r.Versions, Stage: sub.Stage, Via: via, Actor: actor, SubmittedAt: now}
	content, err := json.Marshal(sub.Content)
	if err != nil {
		return Receipt{}, err
	}
	if _, err := tx.Exec(ctx, "INSERT INTO rep_report_versions (report_id, version, stage, content, via, actor, submitted_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		r.ID, vi.Version, string(vi.Stage), string(content), vi.Via, vi.Actor, store.FormatTime(now)); err != nil {
		return Receipt{}, fmt.Errorf("record report version: %w", err)
	}
	if err := s.audit(ctx, tx, p, "report.submit", "report/"+r.ID, Version{VersionInfo: vi, Content: sub.Content}); err != nil {
		return Receipt{}, err
	}
	if err := s.trackDeadlines(ctx, tx, before, r); err != nil {
		return Receipt{}, err
	}
	stageName := map[Stage]string{StageQuick: "Quick report", StageFull: "Full report", StageUpdate: "Update", StageFinal: "Final report"}[sub.Stage]
	kind := "incident"
	if sub.Kind == KindPrecursor {
		kind = "precursor event"
	}
	if err := s.tellRecipients(ctx, tx, sec, deadline.Notice{
		Subject: fmt.Sprintf("%s (%s, %s): %s", stageName, kind, sectorName(sec), r.Title),
		Body:    fmt.Sprintf("Operator %s filed version %d of report %s. %s.", p.OrgID, vi.Version, r.ID, Purpose),
		Link:    "/reports/" + r.ID,
	}); err != nil {
		return Receipt{}, err
	}
	return Receipt{Report: r, Version: vi}, nil
}

// nextStage checks that sub may follow the report's latest version: stages
// never go back, the quick and full reports are filed once each (then
// updates follow), and nothing follows the final report.
func nextStage(r Report, sub Submission) error {
	switch {
	case r.Closed:
		return fmt.Errorf("report %s is closed by its final report: %w", r.ID, ErrConflict)
	case rank(sub.Stage) < rank(r.Stage):
		return fmt.Errorf("report %s is at stage %s; a %s report would go back: %w", r.ID, r.Stage, sub.Stage, ErrConflict)
	case sub.Stage == r.Stage && sub.Stage != StageUpdate:
		return fmt.Errorf("report %s already has its %s report; file an update: %w", r.ID, r.Stage, ErrConflict)
	case sub.Stage == StageUpdate && r.Stage == StageQuick:
		return fmt.Errorf("report %s needs its full report before updates: %w", r.ID, ErrConflict)
	case !sub.AwareAt.Equal(r.AwareAt):
		// The deadlines run from the first awareness time given.
		return fieldErrorf("aware_at", "%s differs from the report's %s; it cannot change", sub.AwareAt.Format(time.RFC3339), r.AwareAt.Format(time.RFC3339))
	}
	return nil
}

// trackDeadlines keeps the deadline service's view of the report: the
// full report is tracked from the start, the final report once the full
// report is in (before that, the full report's deadline is the one that
// matters, and the final report's due time is on the report itself); each
// deadline is met by the version that fulfils it. before is the report as
// it was (zero for a new one), after as it is now.
func (s *Service) trackDeadlines(ctx context.Context, tx *store.Tx, before, after Report) error {
	subject := "report/" + after.ID
	set := func(kind, title, titleJA string, due time.Time) error {
		_, err := s.deadlines.Set(ctx, tx, deadline.Deadline{Kind: kind, Subject: subject, Org: after.OrgID,
			Title: textfield.Cut(title+after.Title, 200), TitleJA: textfield.Cut(titleJA+after.Title, 200), Link: "/reports/" + after.ID, Due: due})
		return err
	}
	if before.ID == "" && after.Filed.Full.IsZero() {
		return set("report.full", "Full report due: ", "詳報の期限: ", after.Due.Full)
	}
	if before.ID != "" && before.Filed.Full.IsZero() && !after.Filed.Full.IsZero() {
		if _, err := s.deadlines.MeetSubject(ctx, tx, subject, "report.full"); err != nil {
			return err
		}
	}
	fullNow := before.Filed.Full.IsZero() && !after.Filed.Full.IsZero()
	if fullNow && !after.Closed {
		return set("report.final", "Final report due: ", "最終報告の期限: ", after.Due.Final)
	}
	if after.Closed && !before.Filed.Full.IsZero() {
		if _, err := s.deadlines.MeetSubject(ctx, tx, subject, "report.final"); err != nil {
			return err
		}
	}
	return nil
}

const reportCols = "id, org_id, sector, kind, title, stage, status, versions, closed, aware_at, quick_due, full_due, final_due, quick_at, full_at, final_at, created_at, updated_at"

func (s *Service) writeReport(ctx context.Context, tx *store.Tx, r Report, insert bool) error {
	args := []any{r.OrgID, r.Sector, string(r.Kind), r.Title, string(r.Stage), string(r.Status), r.Versions, boolInt(r.Closed),
		fmtTime(r.AwareAt), fmtTime(r.Due.Quick), fmtTime(r.Due.Full), fmtTime(r.Due.Final),
		fmtTime(r.Filed.Quick), fmtTime(r.Filed.Full), fmtTime(r.Filed.Final), fmtTime(r.CreatedAt), fmtTime(r.UpdatedAt), r.ID}
	q := "UPDATE rep_reports SET org_id = ?, sector = ?, kind = ?, title = ?, stage = ?, status = ?, versions = ?, closed = ?, aware_at = ?, quick_due = ?, full_due = ?, final_due = ?, quick_at = ?, full_at = ?, final_at = ?, created_at = ?, updated_at = ? WHERE id = ?"
	if insert {
		q = "INSERT INTO rep_reports (org_id, sector, kind, title, stage, status, versions, closed, aware_at, quick_due, full_due, final_due, quick_at, full_at, final_at, created_at, updated_at, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	}
	if _, err := tx.Exec(ctx, q, args...); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

// fmtTime stores a time; the zero time is stored as "".
func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return store.FormatTime(t)
}

func parseTimes(dst []*time.Time, src []string) error {
	for i, s := range src {
		if s == "" {
			*dst[i] = time.Time{}
			continue
		}
		t, err := store.ParseTime(s)
		if err != nil {
			return err
		}
		*dst[i] = t
	}
	return nil
}

func scanReport(r scanner) (Report, error) {
	var rp Report
	var kind, stage, status string
	var closed int
	ts := make([]string, 9)
	if err := r.Scan(&rp.ID, &rp.OrgID, &rp.Sector, &kind, &rp.Title, &stage, &status, &rp.Versions, &closed,
		&ts[0], &ts[1], &ts[2], &ts[3], &ts[4], &ts[5], &ts[6], &ts[7], &ts[8]); err != nil {
		return Report{}, err
	}
	rp.Kind, rp.Stage, rp.Status, rp.Closed, rp.Purpose = Kind(kind), Stage(stage), Status(status), closed == 1, Purpose
	err := parseTimes([]*time.Time{&rp.AwareAt, &rp.Due.Quick, &rp.Due.Full, &rp.Due.Final, &rp.Filed.Quick, &rp.Filed.Full, &rp.Filed.Final, &rp.CreatedAt, &rp.UpdatedAt}, ts)
	return rp, err
}

func getReport(ctx context.Context, q store.Querier, id string) (Report, error) {
	r, err := scanReport(q.QueryRow(ctx, "SELECT "+reportCols+" FROM rep_reports WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return Report{}, ErrNotFound
	}
	if err != nil {
		return Report{}, fmt.Errorf("read report: %w", err)
	}
	return r, nil
}

// ReportDetail is a report with its latest content, its versions and its
// evidence files.
type ReportDetail struct {
	Report   Report        `json:"report"`
	Content  Content       `json:"content"`
	Versions []VersionInfo `json:"versions"`
	Evidence []Evidence    `json:"evidence"`
}

// visible returns report id if p may see it, logging the read when p is not
// of the submitting operator (purpose limitation: every other reader is on
// record).
func (s *Service) visible(ctx context.Context, p *auth.Principal, id, what string) (Report, error) {
	r, err := getReport(ctx, s.db, id)
	if err != nil || !s.policy.CanSeeOrg(p, r.OrgID, r.Sector) {
		return Report{}, fmt.Errorf("report %q: %w", id, ErrNotFound)
	}
	if p.OrgID != r.OrgID {
		actor, org := actorOf(p)
		if _, err := s.log.AppendRead(ctx, auditlog.Entry{Actor: actor, Org: org, Action: "report.read", Resource: "report/" + id,
			Payload: map[string]any{"what": what, "versions": r.Versions}}); err != nil {
			return Report{}, fmt.Errorf("record read: %w", err)
		}
	}
	return r, nil
}

// Report returns report id with its latest content, if p may see it.
func (s *Service) Report(ctx context.Context, p *auth.Principal, id string) (ReportDetail, error) {
	r, err := s.visible(ctx, p, id, "report")
	if err != nil {
		return ReportDetail{}, err
	}
	d := ReportDetail{Report: r}
	rows, err := s.db.Query(ctx, "SELECT version, stage, via, actor, submitted_at FROM rep_report_versions WHERE report_id = ? ORDER BY version", id)
	if err != nil {
		return ReportDetail{}, fmt.Errorf("list versions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var v VersionInfo
		var stage, at string
		if err := rows.Scan(&v.Version, &stage, &v.Via, &v.Actor, &at); err != nil {
			return ReportDetail{}, err
		}
		v.Stage = Stage(stage)
		if v.SubmittedAt, err = store.ParseTime(at); err != nil {
			return ReportDetail{}, err
		}
		d.Versions = append(d.Versions, v)
	}
	if err := rows.Err(); err != nil {
		return ReportDetail{}, err
	}
	v, err := s.version(ctx, id, r.Versions)
	if err != nil {
		return ReportDetail{}, err
	}
	d.Content = v.Content
	if d.Evidence, err = s.evidenceList(ctx, id); err != nil {
		return ReportDetail{}, err
	}
	return d, nil
}

// Version returns version n of report id, if p may see the report.
func (s *Service) Version(ctx context.Context, p *auth.Principal, id string, n int) (Report, Version, error) {
	r, err := s.visible(ctx, p, id, fmt.Sprintf("version %d", n))
	if err != nil {
		return Report{}, Version{}, err
	}
	v, err := s.version(ctx, id, n)
	return r, v, err
}

func (s *Service) version(ctx context.Context, id string, n int) (Version, error) {
	var v Version
	var stage, content, at string
	err := s.db.QueryRow(ctx, "SELECT version, stage, content, via, actor, submitted_at FROM rep_report_versions WHERE report_id = ? AND version = ?", id, n).
		Scan(&v.Version, &stage, &content, &v.Via, &v.Actor, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return Version{}, fmt.Errorf("version %d of report %q: %w", n, id, ErrNotFound)
	}
	if err != nil {
		return Version{}, fmt.Errorf("read version: %w", err)
	}
	v.Stage = Stage(stage)
	if err := json.Unmarshal([]byte(content), &v.Content); err != nil {
		return Version{}, fmt.Errorf("decode version: %w", err)
	}
	v.SubmittedAt, err = store.ParseTime(at)
	return v, err
}

// ReportFilter selects reports for Reports; empty fields match everything.
type ReportFilter struct {
	OrgID  string
	Sector string
	Stage  Stage
	Kind   Kind
	// Open true lists only reports without their final report.
	Open bool
	// From and To bound CreatedAt (From inclusive, To exclusive).
	From, To time.Time
	// Limit caps the list (newest first); default 500, at most 5000.
	Limit int
}

// Reports returns the reports p may see that match f, newest first. For a
// reader outside the submitting operators the listing is one audited read.
func (s *Service) Reports(ctx context.Context, p *auth.Principal, f ReportFilter) ([]Report, error) {
	if f.Stage != "" && rank(f.Stage) < 0 {
		return nil, fieldErrorf("stage", "%q: want quick, full, update or final", f.Stage)
	}
	if f.Sector != "" && !sector.Valid(f.Sector) {
		return nil, fieldErrorf("sector", "unknown sector %q", f.Sector)
	}
	if f.Limit <= 0 || f.Limit > 5000 {
		f.Limit = 500
	}
	q := "SELECT " + reportCols + " FROM rep_reports WHERE 1 = 1"
	var args []any
	for _, c := range []struct{ col, v string }{{"org_id", f.OrgID}, {"sector", f.Sector}, {"stage", string(f.Stage)}, {"kind", string(f.Kind)}} {
		if c.v != "" {
			q += " AND " + c.col + " = ?"
			args = append(args, c.v)
		}
	}
	if f.Open {
		q += " AND closed = 0"
	}
	if !f.From.IsZero() {
		q += " AND created_at >= ?"
		args = append(args, store.FormatTime(f.From))
	}
	if !f.To.IsZero() {
		q += " AND created_at < ?"
		args = append(args, store.FormatTime(f.To))
	}
	scope, sargs := s.scopeSQL(p)
	q += scope + fmt.Sprintf(" ORDER BY created_at DESC, id LIMIT %d", f.Limit)
	rows, err := s.db.Query(ctx, q, append(args, sargs...)...)
	if err != nil {
		return nil, fmt.Errorf("list reports: %w", err)
	}
	defer rows.Close()
	var out []Report
	var others []string
	for rows.Next() {
		r, err := scanReport(rows)
		if err != nil {
			return nil, err
		}
		if !s.policy.CanSeeOrg(p, r.OrgID, r.Sector) {
			continue
		}
		out = append(out, r)
		if r.OrgID != p.OrgID {
			others = append(others, r.ID)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(others) > 0 {
		actor, org := actorOf(p)
		if _, err := s.log.AppendRead(ctx, auditlog.Entry{Actor: actor, Org: org, Action: "report.list.read", Resource: "reports/" + strings.ToLower(string(p.OrgKind)),
			Payload: map[string]any{"reports": others}}); err != nil {
			return nil, fmt.Errorf("record read: %w", err)
		}
	}
	return out, nil
}

func sectorName(code string) string {
	if s, ok := sector.ByCode(code); ok {
		return s.Name
	}
	return code
}

// ReportExists reports whether a report with id exists, for other services
// that cite reports (a finding's source): it returns nil or an error
// wrapping ErrNotFound. It reads no content, so it is not an audited read.
func (s *Service) ReportExists(ctx context.Context, id string) error {
	var n int
	if err := s.db.QueryRow(ctx, "SELECT COUNT(*) FROM rep_reports WHERE id = ?", id).Scan(&n); err != nil {
		return fmt.Errorf("look up report: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("report %s: %w", id, ErrNotFound)
	}
	return nil
}
