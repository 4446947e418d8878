package commsinfo

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/acd-platform/acd/internal/commsinfo/runfile"
	"github.com/acd-platform/acd/internal/selection"
	"github.com/acd-platform/acd/internal/store"
)

// Anomaly kinds: what the commission should look at in a run (§23, ch.10).
const (
	// AnomalyOutsideWindow: the run started before the approval's validity
	// window or finished after it.
	AnomalyOutsideWindow = "outside_window"
	// AnomalyRevoked: the approval had been revoked when the run arrived.
	AnomalyRevoked = "approval_revoked"
	// AnomalyRatio: the run's selected/seen packet ratio is more than
	// Config.RatioFactor times the median of the approval's previous runs
	// (judged once there are Config.RatioMinHistory of them).
	AnomalyRatio = "selection_ratio"
	// AnomalyHashMismatch: the bytes received are not those the summary's
	// output_sha256/output_bytes describe; the records are quarantined.
	AnomalyHashMismatch = "hash_mismatch"
	// AnomalyDirection: records or selected packets in a direction the
	// approval does not cover.
	AnomalyDirection = "direction_not_approved"
)

// AnomalyKinds lists every anomaly kind.
var AnomalyKinds = []string{AnomalyOutsideWindow, AnomalyRevoked, AnomalyRatio, AnomalyHashMismatch, AnomalyDirection}

// Anomaly is one thing wrong with a run, found when it was uploaded.
type Anomaly struct {
	ID         string    `json:"id"`
	ApprovalID string    `json:"approval_id"`
	RunID      string    `json:"run_id"`
	Kind       string    `json:"kind"`
	Detail     string    `json:"detail"`
	At         time.Time `json:"at"`
}

// Run is an uploaded selection run: its header and summary figures, as the
// commission reads them.
type Run struct {
	ID              string    `json:"id"`
	ApprovalID      string    `json:"approval_id"`
	Via             string    `json:"via"`
	UploadedBy      string    `json:"uploaded_by"`
	CriteriaID      string    `json:"criteria_id"`
	CriteriaVersion int       `json:"criteria_version"`
	CriteriaSHA256  string    `json:"criteria_sha256"`
	Input           string    `json:"input"`
	Started         time.Time `json:"started"`
	Finished        time.Time `json:"finished"`
	// Error is the summary's reason for a run that ended early.
	Error   string `json:"error,omitempty"`
	Records int64  `json:"records"`
	// HashOK is false when the records are quarantined (AnomalyHashMismatch).
	HashOK         bool   `json:"hash_ok"`
	OutputSHA256   string `json:"output_sha256"`
	OutputBytes    int64  `json:"output_bytes"`
	ReceivedSHA256 string `json:"received_sha256"`
	ReceivedBytes  int64  `json:"received_bytes"`
	// Total is the summary's total over directions.
	Total      selection.DirectionCounters `json:"total"`
	UploadedAt time.Time                   `json:"uploaded_at"`
	// Summary is the summary record as received; set by Run, not by Runs.
	Summary json.RawMessage `json:"summary,omitempty"`
	// Directions are the summary's per-direction counters; set by Run.
	Directions map[string]selection.DirectionCounters `json:"directions,omitempty"`
	// Anomalies found on upload; set by Run.
	Anomalies []Anomaly `json:"anomalies,omitempty"`
}

// RunFilter selects runs; zero fields do not filter.
type RunFilter struct {
	ApprovalID string
	// From and To bound the run's start time: From ≤ started < To.
	From, To time.Time
	// Limit is at most 1000; default 100.
	Limit int
}

const runCols = `id, approval_id, via, uploaded_by, criteria_id, criteria_version, criteria_sha256, input, started, finished, run_error,
records, hash_ok, output_sha256, output_bytes, received_sha256, received_bytes, seen_p, seen_b, in_scope_p, in_scope_b,
selected_p, selected_b, deleted_p, deleted_b, created_at`

func scanRunRow(sc interface{ Scan(...any) error }) (Run, error) {
	var r Run
	var started, finished, created string
	var hashOK int
	var c [8]int64
	err := sc.Scan(&r.ID, &r.ApprovalID, &r.Via, &r.UploadedBy, &r.CriteriaID, &r.CriteriaVersion, &r.CriteriaSHA256, &r.Input,
		&started, &finished, &r.Error, &r.Records, &hashOK, &r.OutputSHA256, &r.OutputBytes, &r.ReceivedSHA256, &r.ReceivedBytes,
		&c[0], &c[1], &c[2], &c[3], &c[4], &c[5], &c[6], &c[7], &created)
	if err != nil {
		return r, err
	}
	r.HashOK = hashOK == 1
	r.Total = counters(c)
	r.Started, _ = store.ParseTime(started)
	r.Finished, _ = store.ParseTime(finished)
	r.UploadedAt, _ = store.ParseTime(created)
	return r, nil
}

func counters(c [8]int64) selection.DirectionCounters {
	v := func(p, b int64) selection.Volume { return selection.Volume{Packets: uint64(p), Bytes: uint64(b)} }
	return selection.DirectionCounters{Seen: v(c[0], c[1]), InScope: v(c[2], c[3]), Selected: v(c[4], c[5]), Deleted: v(c[6], c[7])}
}

// Runs lists complete runs, newest first.
func (s *Service) Runs(ctx context.Context, f RunFilter) ([]Run, error) {
	q := "SELECT " + runCols + " FROM ci_runs WHERE state = ?"
	args := []any{runComplete}
	if f.ApprovalID != "" {
		q += " AND approval_id = ?"
		args = append(args, f.ApprovalID)
	}
	if !f.From.IsZero() {
		q += " AND started >= ?"
		args = append(args, store.FormatTime(f.From))
	}
	if !f.To.IsZero() {
		q += " AND started < ?"
		args = append(args, store.FormatTime(f.To))
	}
	q += " ORDER BY started DESC, id LIMIT ?"
	args = append(args, limit(f.Limit, 100, 1000))
	rows, err := s.db.Query(ctx, q, args...)
	if err != nil {
		return nil, errorf("list runs: %w", err)
	}
	defer rows.Close()
	out := []Run{}
	for rows.Next() {
		r, err := scanRunRow(rows)
		if err != nil {
			return nil, errorf("list runs: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Run returns one complete run with its summary, per-direction counters and
// anomalies.
func (s *Service) Run(ctx context.Context, id string) (Run, error) {
	r, err := scanRunRow(s.db.QueryRow(ctx, "SELECT "+runCols+" FROM ci_runs WHERE id = ? AND state = ?", id, runComplete))
	if errors.Is(err, sql.ErrNoRows) {
		return Run{}, notFoundf("run %q", id)
	}
	if err != nil {
		return Run{}, errorf("read run %q: %w", id, err)
	}
	var sum string
	if err := s.db.QueryRow(ctx, "SELECT summary FROM ci_runs WHERE id = ?", id).Scan(&sum); err != nil {
		return Run{}, errorf("read run %q: %w", id, err)
	}
	r.Summary = json.RawMessage(sum)
	rows, err := s.db.Query(ctx, `SELECT direction, seen_p, seen_b, in_scope_p, in_scope_b, selected_p, selected_b, deleted_p, deleted_b
FROM ci_run_directions WHERE run_id = ? ORDER BY direction`, id)
	if err != nil {
		return Run{}, errorf("read run %q: %w", id, err)
	}
	defer rows.Close()
	r.Directions = map[string]selection.DirectionCounters{}
	for rows.Next() {
		var d string
		var c [8]int64
		if err := rows.Scan(&d, &c[0], &c[1], &c[2], &c[3], &c[4], &c[5], &c[6], &c[7]); err != nil {
			return Run{}, errorf("read run %q: %w", id, err)
		}
		r.Directions[d] = counters(c)
	}
	if err := rows.Err(); err != nil {
		return Run{}, errorf("read run %q: %w", id, err)
	}
	if r.Anomalies, err = s.anomalyList(ctx, "run_id = ?", id, 1000); err != nil {
		return Run{}, err
	}
	return r, nil
}

// AnomalyFilter selects anomalies; zero fields do not filter.
type AnomalyFilter struct {
	ApprovalID string
	Kind       string
	From, To   time.Time // From ≤ at < To
	Limit      int       // at most 1000; default 100
}

// Anomalies lists anomalies, newest first.
func (s *Service) Anomalies(ctx context.Context, f AnomalyFilter) ([]Anomaly, error) {
	where := "1 = 1"
	var args []any
	if f.ApprovalID != "" {
		where += " AND approval_id = ?"
		args = append(args, f.ApprovalID)
	}
	if f.Kind != "" {
		where += " AND kind = ?"
		args = append(args, f.Kind)
	}
	if !f.From.IsZero() {
		where += " AND at >= ?"
		args = append(args, store.FormatTime(f.From))
	}
	if !f.To.IsZero() {
		where += " AND at < ?"
		args = append(args, store.FormatTime(f.To))
	}
	return s.anomalyList(ctx, where, args, limit(f.Limit, 100, 1000))
}

// anomalyList runs the anomaly query; args is one value or a []any.
func (s *Service) anomalyList(ctx context.Context, where string, args any, n int) ([]Anomaly, error) {
	var a []any
	switch v := args.(type) {
	case []any:
		a = v
	default:
		a = []any{v}
	}
	a = append(a, n)
	rows, err := s.db.Query(ctx, "SELECT id, approval_id, run_id, kind, detail, at FROM ci_anomalies WHERE "+where+" ORDER BY at DESC, id LIMIT ?", a...)
	if err != nil {
		return nil, errorf("list anomalies: %w", err)
	}
	defer rows.Close()
	out := []Anomaly{}
	for rows.Next() {
		var an Anomaly
		var at string
		if err := rows.Scan(&an.ID, &an.ApprovalID, &an.RunID, &an.Kind, &an.Detail, &at); err != nil {
			return nil, errorf("list anomalies: %w", err)
		}
		an.At, _ = store.ParseTime(at)
		out = append(out, an)
	}
	return out, rows.Err()
}

// DayTotals are one day's selection figures of an approval, summed over
// the runs that started that day (UTC).
type DayTotals struct {
	Day     string                      `json:"day"` // YYYY-MM-DD
	Runs    int64                       `json:"runs"`
	Records int64                       `json:"records"`
	Total   selection.DirectionCounters `json:"total"`
}

// Totals returns an approval's figures per day for runs started in
// [from, to) (zero bounds do not bound), oldest day first.
func (s *Service) Totals(ctx context.Context, approvalID string, from, to time.Time) ([]DayTotals, error) {
	q := `SELECT substr(started, 1, 10) AS d, COUNT(*), ` + sumCols("") + `, CAST(COALESCE(SUM(records), 0) AS BIGINT)
FROM ci_runs WHERE state = ? AND approval_id = ?`
	args := []any{runComplete, approvalID}
	if !from.IsZero() {
		q += " AND started >= ?"
		args = append(args, store.FormatTime(from))
	}
	if !to.IsZero() {
		q += " AND started < ?"
		args = append(args, store.FormatTime(to))
	}
	q += " GROUP BY substr(started, 1, 10) ORDER BY d"
	rows, err := s.db.Query(ctx, q, args...)
	if err != nil {
		return nil, errorf("run totals: %w", err)
	}
	defer rows.Close()
	out := []DayTotals{}
	for rows.Next() {
		var d DayTotals
		var c [8]int64
		if err := rows.Scan(&d.Day, &d.Runs, &c[0], &c[1], &c[2], &c[3], &c[4], &c[5], &c[6], &c[7], &d.Records); err != nil {
			return nil, errorf("run totals: %w", err)
		}
		d.Total = counters(c)
		out = append(out, d)
	}
	return out, rows.Err()
}

// sumCols sums the eight counter columns (of table alias a, "" for none).
func sumCols(a string) string {
	if a != "" {
		a += "."
	}
	var out string
	for i, c := range []string{"seen_p", "seen_b", "in_scope_p", "in_scope_b", "selected_p", "selected_b", "deleted_p", "deleted_b"} {
		if i > 0 {
			out += ", "
		}
		out += "CAST(COALESCE(SUM(" + a + c + "), 0) AS BIGINT)"
	}
	return out
}

// limit clamps a page size.
func limit(n, def, maxN int) int {
	if n <= 0 {
		return def
	}
	return min(n, maxN)
}

func marshal(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", errorf("encode: %w", err)
	}
	return string(b), nil
}

// Record types of acd.selection.output/v1 that carry selected
// (mechanical) information (see package runfile).
const (
	TypeFlow         = runfile.TypeFlow
	TypeExportedFlow = runfile.TypeExportedFlow
	TypeHTTP         = runfile.TypeHTTP
	TypeDNS          = runfile.TypeDNS
	TypeSMTP         = runfile.TypeSMTP
	TypeMail         = runfile.TypeMail
)

// RecordTypes lists the record types a run may hold.
var RecordTypes = runfile.RecordTypes
