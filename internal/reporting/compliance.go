package reporting

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/sector"
	"github.com/acd-platform/acd/internal/store"
)

// Timeliness is how one stage of one report stands against its deadline.
type Timeliness string

// Timeliness values.
const (
	OnTime  Timeliness = "on_time" // filed by its due time
	Late    Timeliness = "late"    // filed after its due time
	Missing Timeliness = "missing" // not filed, due time passed
	Pending Timeliness = "pending" // not filed, due time still ahead
)

// Timeliness returns how each stage of r stands at now: quick, full, final.
func (r Report) Timeliness(now time.Time) [3]Timeliness {
	one := func(filed, due time.Time) Timeliness {
		switch {
		case filed.IsZero() && now.After(due):
			return Missing
		case filed.IsZero():
			return Pending
		case filed.After(due):
			return Late
		}
		return OnTime
	}
	return [3]Timeliness{one(r.Filed.Quick, r.Due.Quick), one(r.Filed.Full, r.Due.Full), one(r.Filed.Final, r.Due.Final)}
}

// ComplianceRow is one operator's standing in a ministry's compliance table.
type ComplianceRow struct {
	Operator Operator `json:"operator"`
	// Assets counts active specified critical computers.
	Assets  int `json:"assets"`
	Reports int `json:"reports"`
	// Stage counts over all the operator's reports (each report has a
	// quick, a full and a final stage).
	OnTime  int `json:"on_time"`
	Late    int `json:"late"`
	Missing int `json:"missing"`
	Pending int `json:"pending"`
	// OpenOrders and OverdueOrders count correction orders and requests
	// for materials.
	OpenOrders    int `json:"open_orders"`
	OverdueOrders int `json:"overdue_orders"`
	// Standing sums it up: "missing" when a stage or an order is overdue,
	// "late" when a stage was filed late, else "on_time".
	Standing Timeliness `json:"standing"`
}

// Compliance returns the compliance table of the operators p may see in
// sectorCode ("" for all p may see), by sector then name.
func (s *Service) Compliance(ctx context.Context, p *auth.Principal, sectorCode string) ([]ComplianceRow, error) {
	if sectorCode != "" && !sector.Valid(sectorCode) {
		return nil, fieldErrorf("sector", "unknown sector %q", sectorCode)
	}
	ops, err := s.Operators(ctx, p)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var out []ComplianceRow
	for _, op := range ops {
		if sectorCode != "" && op.Sector != sectorCode {
			continue
		}
		row := ComplianceRow{Operator: op}
		if err := s.db.QueryRow(ctx, "SELECT COUNT(*) FROM rep_assets WHERE org_id = ? AND retired = 0", op.Org.ID).Scan(&row.Assets); err != nil {
			return nil, fmt.Errorf("count assets: %w", err)
		}
		reports, err := s.reportsOf(ctx, op.Org.ID)
		if err != nil {
			return nil, err
		}
		row.Reports = len(reports)
		for _, r := range reports {
			for _, t := range r.Timeliness(now) {
				switch t {
				case OnTime:
					row.OnTime++
				case Late:
					row.Late++
				case Missing:
					row.Missing++
				case Pending:
					row.Pending++
				}
			}
		}
		if err := s.db.QueryRow(ctx, "SELECT COUNT(*), COALESCE(SUM(CASE WHEN due < ? THEN 1 ELSE 0 END), 0) FROM rep_orders WHERE org_id = ? AND state = ? AND council = 0",
			store.FormatTime(now), op.Org.ID, string(OrderOpen)).Scan(&row.OpenOrders, &row.OverdueOrders); err != nil {
			return nil, fmt.Errorf("count orders: %w", err)
		}
		switch {
		case row.Missing > 0 || row.OverdueOrders > 0:
			row.Standing = Missing
		case row.Late > 0:
			row.Standing = Late
		default:
			row.Standing = OnTime
		}
		out = append(out, row)
	}
	return out, nil
}

func (s *Service) reportsOf(ctx context.Context, orgID string) ([]Report, error) {
	rows, err := s.db.Query(ctx, "SELECT "+reportCols+" FROM rep_reports WHERE org_id = ?", orgID)
	if err != nil {
		return nil, fmt.Errorf("list reports: %w", err)
	}
	defer rows.Close()
	var out []Report
	for rows.Next() {
		r, err := scanReport(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Bucket is the number of reports opened per sector in one period.
type Bucket struct {
	Start    time.Time      `json:"start"`
	BySector map[string]int `json:"by_sector"`
}

// ReportCounts counts the reports p may see opened in [from, to), per sector
// and per period of step (a day or a week, say), oldest first; at most 400
// periods.
func (s *Service) ReportCounts(ctx context.Context, p *auth.Principal, from, to time.Time, step time.Duration) ([]Bucket, error) {
	if step <= 0 || !from.Before(to) || to.Sub(from)/step > 400 {
		return nil, fieldErrorf("from", "want from before to, and at most 400 periods")
	}
	scope, sargs := s.scopeSQL(p)
	rows, err := s.db.Query(ctx, "SELECT org_id, sector, created_at FROM rep_reports WHERE created_at >= ? AND created_at < ?"+scope,
		append([]any{store.FormatTime(from), store.FormatTime(to)}, sargs...)...)
	if err != nil {
		return nil, fmt.Errorf("count reports: %w", err)
	}
	defer rows.Close()
	n := int((to.Sub(from) + step - 1) / step)
	out := make([]Bucket, n)
	for i := range out {
		out[i] = Bucket{Start: from.Add(time.Duration(i) * step).UTC(), BySector: map[string]int{}}
	}
	for rows.Next() {
		var org, sec, at string
		if err := rows.Scan(&org, &sec, &at); err != nil {
			return nil, err
		}
		if !s.policy.CanSeeOrg(p, org, sec) {
			continue
		}
		t, err := store.ParseTime(at)
		if err != nil {
			return nil, err
		}
		out[int(t.Sub(from)/step)].BySector[sec]++
	}
	return out, rows.Err()
}

// SectorsOf returns the sector codes appearing in buckets, in the order of
// sector.All.
func SectorsOf(buckets []Bucket) []string {
	var out []string
	for _, code := range sector.Codes() {
		if slices.ContainsFunc(buckets, func(b Bucket) bool { return b.BySector[code] > 0 }) {
			out = append(out, code)
		}
	}
	return out
}
