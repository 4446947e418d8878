package commsinfo

import (
	"context"
	"encoding/json"
	"time"

	"github.com/acd-platform/acd/internal/selection"
	"github.com/acd-platform/acd/internal/store"
)

// ProvisionCount counts provisions of one recipient kind under one basis.
type ProvisionCount struct {
	RecipientKind string `json:"recipient_kind"`
	Basis         string `json:"basis"`
	Provisions    int64  `json:"provisions"`
	Records       int64  `json:"records"`
	Findings      int64  `json:"findings"`
}

// Stats are a period's figures for the commission's annual report (§61).
type Stats struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Runs and Records count complete runs started in the period and the
	// records they held; Total and Directions sum their summaries.
	Runs       int64                                  `json:"runs"`
	Records    int64                                  `json:"records"`
	Total      selection.DirectionCounters            `json:"total"`
	Directions map[string]selection.DirectionCounters `json:"directions"`
	// Anomalies counts anomalies found in the period, by kind.
	Anomalies map[string]int64 `json:"anomalies"`
	// Provisions counts provisions made in the period by recipient kind and
	// basis; Refused the attempts refused.
	Provisions []ProvisionCount `json:"provisions"`
	Refused    int64            `json:"refused"`
	// RetentionDeleted counts selected records deleted by retention.
	RetentionDeleted int64 `json:"retention_deleted"`
}

// Stats returns the figures of [from, to).
func (s *Service) Stats(ctx context.Context, from, to time.Time) (Stats, error) {
	st := Stats{From: from.UTC(), To: to.UTC(), Directions: map[string]selection.DirectionCounters{}, Anomalies: map[string]int64{}, Provisions: []ProvisionCount{}}
	f, t := store.FormatTime(from), store.FormatTime(to)
	var c [8]int64
	err := s.db.QueryRow(ctx, "SELECT COUNT(*), CAST(COALESCE(SUM(records), 0) AS BIGINT), "+sumCols("")+
		" FROM ci_runs WHERE state = ? AND started >= ? AND started < ?", runComplete, f, t).
		Scan(&st.Runs, &st.Records, &c[0], &c[1], &c[2], &c[3], &c[4], &c[5], &c[6], &c[7])
	if err != nil {
		return Stats{}, errorf("stats: runs: %w", err)
	}
	st.Total = counters(c)
	rows, err := s.db.Query(ctx, "SELECT d.direction, "+sumCols("d")+` FROM ci_run_directions d JOIN ci_runs u ON u.id = d.run_id
WHERE u.state = ? AND u.started >= ? AND u.started < ? GROUP BY d.direction ORDER BY d.direction`, runComplete, f, t)
	if err != nil {
		return Stats{}, errorf("stats: directions: %w", err)
	}
	for rows.Next() {
		var d string
		if err := rows.Scan(&d, &c[0], &c[1], &c[2], &c[3], &c[4], &c[5], &c[6], &c[7]); err != nil {
			rows.Close()
			return Stats{}, errorf("stats: directions: %w", err)
		}
		st.Directions[d] = counters(c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Stats{}, errorf("stats: directions: %w", err)
	}
	rows, err = s.db.Query(ctx, "SELECT kind, COUNT(*) FROM ci_anomalies WHERE at >= ? AND at < ? GROUP BY kind", f, t)
	if err != nil {
		return Stats{}, errorf("stats: anomalies: %w", err)
	}
	for rows.Next() {
		var k string
		var n int64
		if err := rows.Scan(&k, &n); err != nil {
			rows.Close()
			return Stats{}, errorf("stats: anomalies: %w", err)
		}
		st.Anomalies[k] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Stats{}, errorf("stats: anomalies: %w", err)
	}
	rows, err = s.db.Query(ctx, "SELECT recipient_kind, basis, data FROM ci_provisions WHERE created_at >= ? AND created_at < ? ORDER BY recipient_kind, basis", f, t)
	if err != nil {
		return Stats{}, errorf("stats: provisions: %w", err)
	}
	idx := map[[2]string]int{}
	for rows.Next() {
		var kind, basis, data string
		if err := rows.Scan(&kind, &basis, &data); err != nil {
			rows.Close()
			return Stats{}, errorf("stats: provisions: %w", err)
		}
		var pv Provision
		if err := json.Unmarshal([]byte(data), &pv); err != nil {
			rows.Close()
			return Stats{}, errorf("stats: provisions: %w", err)
		}
		k := [2]string{kind, basis}
		i, ok := idx[k]
		if !ok {
			i = len(st.Provisions)
			idx[k] = i
			st.Provisions = append(st.Provisions, ProvisionCount{RecipientKind: kind, Basis: basis})
		}
		st.Provisions[i].Provisions++
		st.Provisions[i].Records += int64(pv.RecordCount)
		st.Provisions[i].Findings += int64(pv.FindingCount)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Stats{}, errorf("stats: provisions: %w", err)
	}
	if err := s.db.QueryRow(ctx, "SELECT COUNT(*) FROM ci_refusals WHERE at >= ? AND at < ?", f, t).Scan(&st.Refused); err != nil {
		return Stats{}, errorf("stats: refusals: %w", err)
	}
	if err := s.db.QueryRow(ctx, "SELECT CAST(COALESCE(SUM(deleted), 0) AS BIGINT) FROM ci_retention WHERE at >= ? AND at < ?", f, t).Scan(&st.RetentionDeleted); err != nil {
		return Stats{}, errorf("stats: retention: %w", err)
	}
	return st, nil
}
