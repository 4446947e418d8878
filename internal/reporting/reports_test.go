package reporting_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/reporting"
)

// TestStageTransitions files a sequence of stages on one report and checks
// which are accepted: stages never go back, quick and full come once,
// updates need the full report, and the final report closes the report.
func TestStageTransitions(t *testing.T) {
	type step struct {
		stage reporting.Stage
		want  error // nil: accepted
	}
	cases := []struct {
		name  string
		steps []step
	}{
		{"the whole life", []step{{reporting.StageQuick, nil}, {reporting.StageFull, nil}, {reporting.StageUpdate, nil}, {reporting.StageUpdate, nil}, {reporting.StageFinal, nil}}},
		{"full first", []step{{reporting.StageFull, nil}, {reporting.StageFinal, nil}}},
		{"final at once closes", []step{{reporting.StageFinal, nil}, {reporting.StageUpdate, reporting.ErrConflict}}},
		{"quick twice", []step{{reporting.StageQuick, nil}, {reporting.StageQuick, reporting.ErrConflict}}},
		{"full twice", []step{{reporting.StageQuick, nil}, {reporting.StageFull, nil}, {reporting.StageFull, reporting.ErrConflict}}},
		{"update before full", []step{{reporting.StageQuick, nil}, {reporting.StageUpdate, reporting.ErrConflict}}},
		{"back to quick", []step{{reporting.StageQuick, nil}, {reporting.StageFull, nil}, {reporting.StageQuick, reporting.ErrConflict}}},
		{"back to full after update", []step{{reporting.StageFull, nil}, {reporting.StageUpdate, nil}, {reporting.StageFull, reporting.ErrConflict}}},
		{"nothing after final", []step{{reporting.StageQuick, nil}, {reporting.StageFinal, nil}, {reporting.StageFinal, reporting.ErrConflict}}},
	}
	each(t, func(t *testing.T, e *env) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				id := ""
				for i, s := range c.steps {
					content := e.quick()
					if s.stage != reporting.StageQuick {
						content = full(content)
					}
					if s.stage == reporting.StageFinal {
						content.RootCause = "An unpatched VPN appliance."
					}
					rc, err := e.submit(t, e.pA, id, s.stage, content)
					if s.want == nil && err != nil {
						t.Fatalf("step %d (%s): %v", i, s.stage, err)
					}
					if s.want != nil {
						if !errors.Is(err, s.want) {
							t.Fatalf("step %d (%s): got %v, want %v", i, s.stage, err, s.want)
						}
						continue
					}
					if id == "" {
						id = rc.Report.ID
					}
					if rc.Version.Version != i+1 && s.want == nil {
						// Versions count accepted steps only; every refused
						// step in these cases is the last one.
						t.Errorf("step %d: version %d, want %d", i, rc.Version.Version, i+1)
					}
					if rc.Report.Closed != (s.stage == reporting.StageFinal) {
						t.Errorf("step %d: closed = %v", i, rc.Report.Closed)
					}
				}
			})
		}
	})
}

// TestSubmitRefusals covers what a submission may not do.
func TestSubmitRefusals(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		rc, err := e.submit(t, e.pA, "", reporting.StageQuick, e.quick())
		if err != nil {
			t.Fatal(err)
		}
		id := rc.Report.ID
		bad := e.quick()
		bad.Contact = reporting.Contact{Name: "x"}
		missingFull := e.quick()
		changedAware := full(e.quick())
		changedAware.AwareAt = changedAware.AwareAt.Add(-time.Hour)
		foreignAsset := e.quick()
		foreignAsset.AffectedAssets = []string{"cc_nosuch"}
		for _, c := range []struct {
			name  string
			p     *auth.Principal
			id    string
			stage reporting.Stage
			c     reporting.Content
			want  string // substring of the error
			is    error
		}{
			{"another operator's report", e.pB, id, reporting.StageFull, full(e.quick()), "", reporting.ErrNotFound},
			{"a ministry files", e.meti, "", reporting.StageQuick, e.quick(), "", reporting.ErrForbidden},
			{"an undesignated operator", e.pUndes, "", reporting.StageQuick, e.quick(), "not a designated operator", reporting.ErrForbidden},
			{"update as a first stage", e.pA, "", reporting.StageUpdate, full(e.quick()), "stage:", nil},
			{"no contact", e.pA, "", reporting.StageQuick, bad, "contact:", nil},
			{"full report without its fields", e.pA, id, reporting.StageFull, missingFull, "impact.level: required", nil},
			{"awareness time changed", e.pA, id, reporting.StageFull, changedAware, "aware_at:", nil},
			{"an asset not registered", e.pA, "", reporting.StageQuick, foreignAsset, "affected_assets[0]", nil},
		} {
			t.Run(c.name, func(t *testing.T) {
				_, err := e.submit(t, c.p, c.id, c.stage, c.c)
				if err == nil {
					t.Fatal("accepted")
				}
				if c.is != nil && !errors.Is(err, c.is) {
					t.Errorf("got %v, want %v", err, c.is)
				}
				if c.want != "" && !strings.Contains(err.Error(), c.want) {
					t.Errorf("got %q, want it to mention %q", err, c.want)
				}
			})
		}
	})
}

// TestVisibility: operators see their own reports, ministries their
// sectors', analysts all, admins none; reads by others are audited.
func TestVisibility(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		rc, err := e.submit(t, e.pA, "", reporting.StageQuick, e.quick())
		if err != nil {
			t.Fatal(err)
		}
		id := rc.Report.ID
		for _, c := range []struct {
			name    string
			p       *auth.Principal
			see     bool
			audited bool
		}{
			{"the submitter", e.pA, true, false},
			{"a colleague of the submitter", e.pA2, true, false},
			{"another operator of the sector", e.pB, false, false},
			{"the sector's ministry", e.meti, true, true},
			{"another ministry", e.mlit, false, false},
			{"the Cabinet Office", e.analyst, true, true},
			{"an admin", e.admin, false, false},
		} {
			t.Run(c.name, func(t *testing.T) {
				before := reads(t, e, id)
				_, err := e.svc.Report(e.ctx, c.p, id)
				if c.see != (err == nil) {
					t.Fatalf("Report: got err %v, want visible=%v", err, c.see)
				}
				if !c.see && !errors.Is(err, reporting.ErrNotFound) {
					t.Errorf("got %v, want ErrNotFound", err)
				}
				list, err := e.svc.Reports(e.ctx, c.p, reporting.ReportFilter{})
				if err != nil {
					t.Fatal(err)
				}
				if (len(list) == 1) != c.see {
					t.Errorf("Reports listed %d, want visible=%v", len(list), c.see)
				}
				if got := reads(t, e, id) - before; (got > 0) != c.audited {
					t.Errorf("%d audited reads, want audited=%v", got, c.audited)
				}
			})
		}
	})
}

// reads counts the audit log's report.read entries on report id.
func reads(t *testing.T, e *env, id string) int {
	t.Helper()
	var n int
	if err := e.db.QueryRow(e.ctx, "SELECT COUNT(*) FROM audit_entries WHERE action = 'report.read' AND resource = ?", "report/"+id).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestDeadlines moves a fake clock past the full report's deadline: the
// deadline turns overdue, the compliance table shows the stage missing,
// and a late full report meets it late.
func TestDeadlines(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		c := e.quick()
		c.AwareAt = t0.Add(-30 * time.Hour) // quick due at t0-6h: filed late
		rc, err := e.submit(t, e.pA, "", reporting.StageQuick, c)
		if err != nil {
			t.Fatal(err)
		}
		r := rc.Report
		if want := c.AwareAt.Add(72 * time.Hour); !r.Due.Full.Equal(want) {
			t.Errorf("full due %v, want %v", r.Due.Full, want)
		}
		if got := r.Timeliness(e.clock.Now()); got != [3]reporting.Timeliness{reporting.Late, reporting.Pending, reporting.Pending} {
			t.Errorf("timeliness at filing: %v", got)
		}
		subject := "report/" + r.ID
		state := func() deadline.State {
			t.Helper()
			ds, err := e.dl.List(e.ctx, deadline.Filter{Subject: subject, Kind: "report.full"})
			if err != nil || len(ds) != 1 {
				t.Fatalf("full-report deadline: %v %v", ds, err)
			}
			return ds[0].State
		}
		e.clock.Set(r.Due.Full.Add(-time.Minute))
		if err := e.dl.Tick(e.ctx); err != nil {
			t.Fatal(err)
		}
		if s := state(); s != deadline.StateOpen {
			t.Errorf("a minute before due: %s, want open", s)
		}
		e.clock.Set(r.Due.Full.Add(time.Minute))
		if err := e.dl.Tick(e.ctx); err != nil {
			t.Fatal(err)
		}
		if s := state(); s != deadline.StateOverdue {
			t.Errorf("a minute after due: %s, want overdue", s)
		}
		rows, err := e.svc.Compliance(e.ctx, e.meti, "electricity")
		if err != nil {
			t.Fatal(err)
		}
		row := findRow(t, rows, e.opA.ID)
		if row.Missing != 1 || row.Late != 1 || row.Standing != reporting.Missing {
			t.Errorf("compliance row %+v: want the full report missing and the quick one late", row)
		}
		rc, err = e.submit(t, e.pA, r.ID, reporting.StageFull, full(c))
		if err != nil {
			t.Fatal(err)
		}
		if s := state(); s != deadline.StateMet {
			t.Errorf("after the full report: %s, want met", s)
		}
		if got := rc.Report.Timeliness(e.clock.Now()); got[1] != reporting.Late {
			t.Errorf("full report timeliness %s, want late", got[1])
		}
		// The final report is tracked once the full report is in.
		ds, err := e.dl.List(e.ctx, deadline.Filter{Subject: subject, Kind: "report.final"})
		if err != nil || len(ds) != 1 || ds[0].State != deadline.StateOpen || !ds[0].Due.Equal(r.Due.Final) {
			t.Errorf("final-report deadline after the full report: %+v %v", ds, err)
		}
	})
}

func findRow(t *testing.T, rows []reporting.ComplianceRow, org string) reporting.ComplianceRow {
	t.Helper()
	for _, r := range rows {
		if r.Operator.Org.ID == org {
			return r
		}
	}
	t.Fatalf("no compliance row for %s in %d rows", org, len(rows))
	return reporting.ComplianceRow{}
}

func TestTimeliness(t *testing.T) {
	due := reporting.Dues{Quick: t0, Full: t0.Add(48 * time.Hour), Final: t0.Add(720 * time.Hour)}
	for _, c := range []struct {
		name  string
		filed reporting.Dues
		now   time.Time
		want  [3]reporting.Timeliness
	}{
		{"nothing filed yet, nothing due", reporting.Dues{}, t0.Add(-time.Hour), [3]reporting.Timeliness{reporting.Pending, reporting.Pending, reporting.Pending}},
		{"filed exactly at due is on time", reporting.Dues{Quick: t0}, t0.Add(time.Hour), [3]reporting.Timeliness{reporting.OnTime, reporting.Pending, reporting.Pending}},
		{"a second late", reporting.Dues{Quick: t0.Add(time.Second)}, t0.Add(time.Hour), [3]reporting.Timeliness{reporting.Late, reporting.Pending, reporting.Pending}},
		{"full missing", reporting.Dues{Quick: t0}, t0.Add(49 * time.Hour), [3]reporting.Timeliness{reporting.OnTime, reporting.Missing, reporting.Pending}},
		{"all on time", reporting.Dues{Quick: t0, Full: t0, Final: t0}, t0.Add(1000 * time.Hour), [3]reporting.Timeliness{reporting.OnTime, reporting.OnTime, reporting.OnTime}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := reporting.Report{Due: due, Filed: c.filed}
			if got := r.Timeliness(c.now); got != c.want {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestPolicy(t *testing.T) {
	aware := time.Date(2026, 4, 1, 9, 0, 0, 0, time.FixedZone("JST", 9*3600))
	for _, c := range []struct {
		name   string
		file   string
		sector string
		want   reporting.Dues
		err    string
	}{
		{"defaults", `{}`, "electricity", reporting.Dues{Quick: aware.Add(24 * time.Hour), Full: aware.Add(72 * time.Hour), Final: aware.Add(720 * time.Hour)}, ""},
		{"days and hours", `{"quick":"6h","full":"2d","final":"14d"}`, "gas", reporting.Dues{Quick: aware.Add(6 * time.Hour), Full: aware.Add(48 * time.Hour), Final: aware.Add(14 * 24 * time.Hour)}, ""},
		{"a sector's own quick period", `{"sectors":{"finance":{"quick":"2h"}}}`, "finance", reporting.Dues{Quick: aware.Add(2 * time.Hour), Full: aware.Add(72 * time.Hour), Final: aware.Add(720 * time.Hour)}, ""},
		{"other sectors keep the default", `{"sectors":{"finance":{"quick":"2h"}}}`, "gas", reporting.Dues{Quick: aware.Add(24 * time.Hour), Full: aware.Add(72 * time.Hour), Final: aware.Add(720 * time.Hour)}, ""},
		{"unknown sector", `{"sectors":{"fishing":{"quick":"2h"}}}`, "", reporting.Dues{}, `unknown sector "fishing"`},
		{"decreasing periods", `{"quick":"80h"}`, "", reporting.Dues{}, "must not decrease"},
		{"bad period", `{"quick":"soon"}`, "", reporting.Dues{}, `period "soon"`},
		{"unknown field", `{"quik":"1h"}`, "", reporting.Dues{}, "unknown field"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := reporting.ParsePolicy([]byte(c.file))
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("got %v, want an error with %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := p.Dues(c.sector, aware)
			if !got.Quick.Equal(c.want.Quick) || !got.Full.Equal(c.want.Full) || !got.Final.Equal(c.want.Final) {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
}
