package commsinfo

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/commsinfo/runfile"
	"github.com/acd-platform/acd/internal/store"
)

// Upload channels (Run.Via).
const (
	ViaSensor  = "sensor"  // streamed by a sensor with a token bound to the approval
	ViaOffline = "offline" // a run file uploaded by an analyst
)

// Run states: a run is pending while its upload streams in, complete once
// its summary was read and checked. Pending runs are invisible.
const (
	runPending  = "pending"
	runComplete = "complete"
)

// UploadResult answers an upload.
type UploadResult struct {
	RunID      string `json:"run_id"`
	ApprovalID string `json:"approval_id"`
	// Records is how many selected records were stored.
	Records int64 `json:"records"`
	// HashOK is false when the summary's output_sha256 or output_bytes is
	// not that of the bytes received: the records are then stored but
	// quarantined (never searched or provided).
	HashOK    bool      `json:"hash_ok"`
	Anomalies []Anomaly `json:"anomalies"`
}

// staged is a record copied out of the scanner, waiting for its batch.
type staged struct {
	seq                   int64
	typ, t, src, dst      string
	proto, dir, dom, data string
	flow                  uint64
	srcPort, dstPort      int
}

const recordCols = "run_id, seq, approval_id, rtype, t, flow, src_ip, dst_ip, src_port, dst_port, proto, direction, domain, data"

// insertChunk is how many rows one INSERT statement carries.
const insertChunk = 100

var (
	recordNCols = strings.Count(recordCols, ",") + 1
	insertOne   = "INSERT INTO ci_records (" + recordCols + ") VALUES " + rowsPlaceholder(1)
	insertMany  = "INSERT INTO ci_records (" + recordCols + ") VALUES " + rowsPlaceholder(insertChunk)
)

// rowsPlaceholder returns the placeholders of n rows of recordCols.
func rowsPlaceholder(n int) string {
	row := "(" + strings.Repeat("?, ", recordNCols-1) + "?)"
	return strings.Repeat(row+", ", n-1) + row
}

// Upload reads a selection run — the exact output of acd select: the run
// header, the records, the summary — from body and stores it under an
// approval. A sensor principal (p.Sensor set) uploads under its own
// approval (approvalID empty or equal); an analyst names the approval.
//
// The body is read line by line (Config.MaxLine bounds a line), hashed as
// it is read, and its records are inserted in batches of Config.BatchSize
// while the run stays invisible; only a complete, checked body becomes a
// run. A body that is truncated (no summary), malformed, holds a record of
// unknown type, or whose criteria hash or approval is not the approval's
// is rejected with a *RejectError (wrapping ErrRejected) and nothing of it
// is kept. A body whose SHA-256 or size differs from the summary's
// output_sha256/output_bytes is stored with HashOK false and its records
// quarantined. The upload, with its record count and hashes, is one
// audit-log entry ("run.upload"); record content never reaches the log.
func (s *Service) Upload(ctx context.Context, p *auth.Principal, approvalID string, body io.Reader) (UploadResult, error) {
	via := ViaOffline
	switch {
	case p != nil && !p.Disabled && p.Sensor != "":
		via = ViaSensor
		if approvalID == "" {
			approvalID = p.Sensor
		} else if approvalID != p.Sensor {
			return UploadResult{}, rejectf(0, "the sensor token is bound to approval %q, not %q", p.Sensor, approvalID)
		}
	case isUser(p):
		if approvalID == "" {
			return UploadResult{}, fieldErrorf("approval", "required")
		}
	default:
		return UploadResult{}, forbiddenf("upload needs a sensor token or an analyst")
	}
	a, err := s.approval(ctx, approvalID)
	if err != nil {
		if via == ViaSensor && errors.Is(err, ErrNotFound) {
			return UploadResult{}, rejectf(0, "the sensor token's approval %q is unknown", approvalID)
		}
		return UploadResult{}, err
	}
	u := &upload{s: s, p: p, a: a, via: via, id: newID("run_"), ctx: ctx}
	s.mu.Lock()
	s.active[u.id] = true
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.active, u.id)
		s.mu.Unlock()
	}()
	res, err := runfile.Scan(body, s.cfg.MaxLine, u.header, u.record)
	if rfe, ok := errors.AsType[*runfile.Error](err); ok {
		err = &RejectError{Line: rfe.Line, Msg: rfe.Msg}
	}
	if err == nil {
		err = u.flush()
	}
	if err == nil && res.Approval != "" && res.Approval != approvalID {
		err = rejectf(0, "the summary names approval %q, the upload is for %q", res.Approval, approvalID)
	}
	var out UploadResult
	if err == nil {
		out, err = u.finish(res)
	}
	if err != nil {
		if u.created {
			if derr := s.discard(context.WithoutCancel(ctx), u.id); derr != nil {
				s.logger.Error("discard rejected run", "run", u.id, "err", derr)
			}
		}
		return UploadResult{}, err
	}
	s.logger.Info("run uploaded", "run", out.RunID, "approval", approvalID, "records", out.Records, "hash_ok", out.HashOK, "anomalies", len(out.Anomalies))
	return out, nil
}

// upload is one Upload in progress.
type upload struct {
	s       *Service
	p       *auth.Principal
	a       ApprovalInfo
	via     string
	id      string
	ctx     context.Context
	created bool // the pending run row exists
	seq     int64
	batch   []staged
}

// header checks the run header against the approval and creates the
// pending run.
func (u *upload) header(res *runfile.Result) error {
	h := &res.Header
	if !strings.EqualFold(h.Criteria.SHA256, u.a.CriteriaSHA256) {
		return rejectf(1, "criteria.sha256 %s is not the criteria set of approval %q (%s)", h.Criteria.SHA256, u.a.ID, u.a.CriteriaSHA256)
	}
	if res.Approval != "" && res.Approval != u.a.ID {
		return rejectf(1, "the run names approval %q, the upload is for %q", res.Approval, u.a.ID)
	}
	actor, org := actorOf(u.p)
	now := store.FormatTime(u.s.now())
	err := u.s.db.Tx(u.ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(u.ctx, `INSERT INTO ci_runs (id, approval_id, state, via, uploaded_by, uploader_org, criteria_id, criteria_version,
criteria_sha256, input, started, finished, run_error, records, hash_ok, output_sha256, output_bytes, received_sha256, received_bytes,
seen_p, seen_b, in_scope_p, in_scope_b, selected_p, selected_b, deleted_p, deleted_b, summary, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', 0, 0, '', 0, '', 0, 0, 0, 0, 0, 0, 0, 0, 0, '', ?, ?)`,
			u.id, u.a.ID, runPending, u.via, actor, org, clip(h.Criteria.ID, 200), h.Criteria.Version,
			strings.ToLower(h.Criteria.SHA256), clip(h.Input, 500), store.FormatTime(h.Started), store.FormatTime(h.Started), now, now)
		return err
	})
	if err != nil {
		return errorf("create run: %w", err)
	}
	u.created = true
	return nil
}

// record stages one record, flushing a full batch.
func (u *upload) record(r *runfile.Record) error {
	u.seq++
	if u.seq > u.s.cfg.MaxRunRecords {
		return rejectf(0, "more than %d records in one run", u.s.cfg.MaxRunRecords)
	}
	u.batch = append(u.batch, staged{
		seq: u.seq, typ: r.Type, t: store.FormatTime(r.Time), flow: r.Flow,
		src: addrKey(r.Src), dst: addrKey(r.Dst), srcPort: r.SrcPort, dstPort: r.DstPort,
		proto: r.Proto, dir: r.Direction, dom: r.Domain, data: string(r.Line),
	})
	if len(u.batch) >= u.s.cfg.BatchSize {
		return u.flush()
	}
	return nil
}

// flush inserts the staged records in one transaction.
func (u *upload) flush() error {
	if len(u.batch) == 0 {
		return nil
	}
	if err := u.ctx.Err(); err != nil {
		return err
	}
	err := u.s.db.Tx(u.ctx, func(tx *store.Tx) error {
		args := make([]any, 0, insertChunk*recordNCols)
		b := u.batch
		for len(b) > 0 {
			n, q := insertChunk, insertMany
			if len(b) < insertChunk {
				n, q = 1, insertOne
			}
			args = args[:0]
			for _, r := range b[:n] {
				args = append(args, u.id, r.seq, u.a.ID, r.typ, r.t, int64(r.flow), r.src, r.dst, r.srcPort, r.dstPort, r.proto, r.dir, r.dom, r.data)
			}
			if _, err := tx.Exec(u.ctx, q, args...); err != nil {
				return err
			}
			b = b[n:]
		}
		_, err := tx.Exec(u.ctx, "UPDATE ci_runs SET updated_at = ? WHERE id = ?", store.FormatTime(u.s.now()), u.id)
		return err
	})
	if err != nil {
		return errorf("store records: %w", err)
	}
	u.batch = u.batch[:0]
	return nil
}

// eventAddrs gives per-request events their flow's addresses, ports,
// protocol and direction (events name only the flow; its record comes
// after them in the output).
const eventAddrs = `UPDATE ci_records SET (src_ip, dst_ip, src_port, dst_port, proto, direction) =
(SELECT f.src_ip, f.dst_ip, f.src_port, f.dst_port, f.proto, f.direction FROM ci_records f
 WHERE f.run_id = ci_records.run_id AND f.flow = ci_records.flow AND f.rtype = 'flow' LIMIT 1)
WHERE run_id = ? AND rtype IN ('http', 'dns', 'smtp', 'mail')
AND EXISTS (SELECT 1 FROM ci_records f WHERE f.run_id = ci_records.run_id AND f.flow = ci_records.flow AND f.rtype = 'flow')`

// finish checks the summary, computes anomalies and makes the run
// visible, with its audit entry, in one transaction.
func (u *upload) finish(res *runfile.Result) (UploadResult, error) {
	s := u.s
	sum := &res.Summary
	hashOK := res.HashOK()
	now := s.now()
	out := UploadResult{RunID: u.id, ApprovalID: u.a.ID, Records: res.Records, HashOK: hashOK}
	summaryJSON := res.SummaryLine
	err := s.db.Tx(u.ctx, func(tx *store.Tx) error {
		out.Anomalies = nil
		if _, err := tx.Exec(u.ctx, eventAddrs, u.id); err != nil {
			return errorf("link events to flows: %w", err)
		}
		kinds, err := u.anomalies(tx, res, now)
		if err != nil {
			return err
		}
		t := sum.Total
		hashInt := 0
		if hashOK {
			hashInt = 1
		}
		if _, err := tx.Exec(u.ctx, `UPDATE ci_runs SET state = ?, started = ?, finished = ?, run_error = ?, records = ?, hash_ok = ?,
output_sha256 = ?, output_bytes = ?, received_sha256 = ?, received_bytes = ?, seen_p = ?, seen_b = ?, in_scope_p = ?, in_scope_b = ?,
selected_p = ?, selected_b = ?, deleted_p = ?, deleted_b = ?, summary = ?, updated_at = ? WHERE id = ? AND state = ?`,
			runComplete, store.FormatTime(sum.Started), store.FormatTime(sum.Finished), clip(sum.Error, 1000), res.Records, hashInt,
			clip(strings.ToLower(sum.OutputSHA256), 128), sum.OutputBytes, res.SHA256, res.Bytes,
			i64(t.Seen.Packets), i64(t.Seen.Bytes), i64(t.InScope.Packets), i64(t.InScope.Bytes),
			i64(t.Selected.Packets), i64(t.Selected.Bytes), i64(t.Deleted.Packets), i64(t.Deleted.Bytes),
			summaryJSON, store.FormatTime(now), u.id, runPending); err != nil {
			return errorf("complete run: %w", err)
		}
		dirs := make([]string, 0, len(sum.Directions))
		for d := range sum.Directions {
			dirs = append(dirs, d)
		}
		sort.Strings(dirs)
		for _, d := range dirs {
			c := sum.Directions[d]
			if _, err := tx.Exec(u.ctx, `INSERT INTO ci_run_directions (run_id, direction, seen_p, seen_b, in_scope_p, in_scope_b,
selected_p, selected_b, deleted_p, deleted_b) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, u.id, clip(d, 40),
				i64(c.Seen.Packets), i64(c.Seen.Bytes), i64(c.InScope.Packets), i64(c.InScope.Bytes),
				i64(c.Selected.Packets), i64(c.Selected.Bytes), i64(c.Deleted.Packets), i64(c.Deleted.Bytes)); err != nil {
				return errorf("store direction counters: %w", err)
			}
		}
		for _, k := range kinds {
			an := Anomaly{ID: newID("anm_"), ApprovalID: u.a.ID, RunID: u.id, Kind: k.kind, Detail: k.detail, At: now}
			if _, err := tx.Exec(u.ctx, "INSERT INTO ci_anomalies (id, approval_id, run_id, kind, detail, at) VALUES (?, ?, ?, ?, ?, ?)",
				an.ID, an.ApprovalID, an.RunID, an.Kind, an.Detail, store.FormatTime(an.At)); err != nil {
				return errorf("store anomaly: %w", err)
			}
			out.Anomalies = append(out.Anomalies, an)
		}
		anomalyKinds := make([]string, len(out.Anomalies))
		for i, an := range out.Anomalies {
			anomalyKinds[i] = an.Kind
		}
		return s.audit(u.ctx, tx, u.p, "run.upload", "run/"+u.id, map[string]any{
			"approval": u.a.ID, "via": u.via, "records": res.Records, "hash_ok": hashOK,
			"output_sha256": strings.ToLower(sum.OutputSHA256), "output_bytes": sum.OutputBytes,
			"received_sha256": res.SHA256, "received_bytes": res.Bytes, "criteria_sha256": strings.ToLower(res.Header.Criteria.SHA256),
			"anomalies": anomalyKinds,
		})
	})
	if out.Anomalies == nil {
		out.Anomalies = []Anomaly{}
	}
	return out, err
}

type anomalyFound struct{ kind, detail string }

// anomalies judges a run against its approval and the approval's history.
func (u *upload) anomalies(tx *store.Tx, res *runfile.Result, now time.Time) ([]anomalyFound, error) {
	a, sum := u.a, &res.Summary
	var out []anomalyFound
	add := func(kind, format string, args ...any) {
		out = append(out, anomalyFound{kind, fmt.Sprintf(format, args...)})
	}
	if !res.HashOK() {
		add(AnomalyHashMismatch, "the summary states output_sha256 %s over %d bytes; the server received %s over %d bytes: records quarantined",
			clip(sum.OutputSHA256, 80), sum.OutputBytes, res.SHA256, res.Bytes)
	}
	if !a.ValidFrom.IsZero() && sum.Started.Before(a.ValidFrom) {
		add(AnomalyOutsideWindow, "run started %s, before the approval is valid (from %s)", rfc(sum.Started), rfc(a.ValidFrom))
	}
	if !a.ValidUntil.IsZero() && sum.Finished.After(a.ValidUntil) {
		add(AnomalyOutsideWindow, "run finished %s, after the approval expired (%s)", rfc(sum.Finished), rfc(a.ValidUntil))
	}
	if a.Revoked {
		add(AnomalyRevoked, "approval %s is revoked", a.ID)
	}
	if len(a.Directions) > 0 {
		var bad []string
		for _, d := range runfile.Directions {
			if slices.Contains(a.Directions, d) {
				continue
			}
			if res.Directions[d] > 0 || sum.Directions[d].Selected.Packets > 0 {
				bad = append(bad, fmt.Sprintf("%s (%d records, %d packets selected)", d, res.Directions[d], sum.Directions[d].Selected.Packets))
			}
		}
		if len(bad) > 0 {
			add(AnomalyDirection, "selected traffic in directions the approval does not cover: %s", strings.Join(bad, "; "))
		}
	}
	if sum.Total.Seen.Packets > 0 {
		ratio := float64(sum.Total.Selected.Packets) / float64(sum.Total.Seen.Packets)
		hist, err := u.s.ratioHistory(u.ctx, tx, a.ID, u.id)
		if err != nil {
			return nil, err
		}
		if len(hist) >= u.s.cfg.RatioMinHistory {
			med := median(hist)
			if ratio > u.s.cfg.RatioFactor*med {
				add(AnomalyRatio, "selected/seen packets %.6f is more than %g × the median %.6f of the approval's previous %d runs",
					ratio, u.s.cfg.RatioFactor, med, len(hist))
			}
		}
	}
	return out, nil
}

// ratioHistory returns the selected/seen packet ratios of an approval's
// latest complete runs with traffic, other than run.
func (s *Service) ratioHistory(ctx context.Context, q store.Querier, approvalID, run string) ([]float64, error) {
	rows, err := q.Query(ctx, `SELECT selected_p, seen_p FROM ci_runs WHERE approval_id = ? AND state = ? AND id <> ? AND seen_p > 0
ORDER BY started DESC LIMIT ?`, approvalID, runComplete, run, s.cfg.RatioWindow)
	if err != nil {
		return nil, errorf("read run history: %w", err)
	}
	defer rows.Close()
	var out []float64
	for rows.Next() {
		var sel, seen int64
		if err := rows.Scan(&sel, &seen); err != nil {
			return nil, errorf("read run history: %w", err)
		}
		out = append(out, float64(sel)/float64(seen))
	}
	return out, rows.Err()
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// discard removes a run that did not complete, with what it staged.
func (s *Service) discard(ctx context.Context, runID string) error {
	return s.db.Tx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM ci_records WHERE run_id = ?", runID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "DELETE FROM ci_runs WHERE id = ? AND state = ?", runID, runPending)
		return err
	})
}

// addrKey is the stored, sortable form of an address: the 16 bytes of
// its IPv6 (IPv4-mapped) form in hex, so that a CIDR prefix is a range of
// strings; "" for no address.
func addrKey(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	b := a.As16()
	return hex.EncodeToString(b[:])
}

// addrFromKey reverses addrKey.
func addrFromKey(k string) netip.Addr {
	if len(k) != 32 {
		return netip.Addr{}
	}
	var b [16]byte
	if _, err := hex.Decode(b[:], []byte(k)); err != nil {
		return netip.Addr{}
	}
	return netip.AddrFrom16(b).Unmap()
}

// i64 stores a counter; counters never come near 2^63.
func i64(v uint64) int64 {
	if v > 1<<62 {
		return 1 << 62
	}
	return int64(v)
}

// clip bounds a string taken from an upload.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

func rfc(t time.Time) string { return t.UTC().Format(time.RFC3339) }
