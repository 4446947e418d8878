package inspection_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/inspection"
)

// TestInspectionLife: an inspection is opened, gathers findings from two
// commission users, is closed with a summary, and then refuses findings and
// a second close; each step is one audit entry.
func TestInspectionLife(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		in, err := e.svc.OpenInspection(e.ctx, e.member, inspection.NewInspection{Subjects: []string{e.nco.ID, e.npa.ID, e.nco.ID},
			Scope: "  Deletion of non-selected traffic at collection point 3.\nLogs of March.  ", ApprovalIDs: []string{"appr_1", " appr_2 "}, RunIDs: []string{"run_9"}})
		if err != nil {
			t.Fatal(err)
		}
		want := inspection.Inspection{ID: in.ID, Title: "Deletion of non-selected traffic at collection point 3.",
			Subjects: []string{e.nco.ID, e.npa.ID}, Scope: "Deletion of non-selected traffic at collection point 3.\nLogs of March.",
			ApprovalIDs: []string{"appr_1", "appr_2"}, ProvisionIDs: []string{}, RunIDs: []string{"run_9"},
			State: inspection.InspectionOpen, OpenedBy: "usr_member", OpenedAt: t0}
		if d := cmp.Diff(want, in); d != "" {
			t.Fatalf("opened inspection (-want +got):\n%s", d)
		}
		e.clock.Advance(time.Hour)
		if _, err := e.svc.AddFinding(e.ctx, e.member, in.ID, "Deletion ran 40 minutes late on 3 March."); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Hour)
		in, err = e.svc.AddFinding(e.ctx, e.chair, in.ID, "No content was kept.")
		if err != nil {
			t.Fatal(err)
		}
		wantF := []inspection.Finding{
			{Seq: 1, Text: "Deletion ran 40 minutes late on 3 March.", Author: "usr_member", OrgID: e.commission.ID, At: t0.Add(time.Hour)},
			{Seq: 2, Text: "No content was kept.", Author: "usr_chair", OrgID: e.commission.ID, At: t0.Add(2 * time.Hour)},
		}
		if d := cmp.Diff(wantF, in.Findings); d != "" || in.FindingCount != 2 {
			t.Fatalf("findings (-want +got):\n%s (count %d)", d, in.FindingCount)
		}
		in, err = e.svc.CloseInspection(e.ctx, e.chair, in.ID, "One late deletion; recommendation issued.")
		if err != nil {
			t.Fatal(err)
		}
		if in.State != inspection.InspectionClosed || in.ClosedBy != "usr_chair" || !in.ClosedAt.Equal(t0.Add(2*time.Hour)) || in.Summary == "" {
			t.Fatalf("closed inspection: got %+v", in)
		}
		_, err = e.svc.CloseInspection(e.ctx, e.chair, in.ID, "again")
		wantErr(t, "close a closed inspection", err, inspection.ErrConflict)
		_, err = e.svc.AddFinding(e.ctx, e.member, in.ID, "late")
		wantErr(t, "finding for a closed inspection", err, inspection.ErrConflict)
		_, err = e.svc.CloseInspection(e.ctx, e.chair, "insp_none", "x")
		wantErr(t, "close an unknown inspection", err, inspection.ErrNotFound)
		_, err = e.svc.AddFinding(e.ctx, e.chair, "insp_none", "x")
		wantErr(t, "finding for an unknown inspection", err, inspection.ErrNotFound)

		got := e.entries(t, "inspection/"+in.ID)
		if d := cmp.Diff([]string{"inspection.open", "inspection.finding", "inspection.finding", "inspection.close"}, got); d != "" {
			t.Errorf("audit entries (-want +got):\n%s", d)
		}
	})
}

// TestInspectionsCommissionOnly: nobody but the commission, with its
// second factor, opens, records, closes or reads inspections.
func TestInspectionsCommissionOnly(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		in := e.inspection(t, inspection.AllAgencies)
		for _, p := range []*auth.Principal{e.memberNoMFA, e.analyst, e.ministry, e.officer, e.commander, e.op, e.admin, nil} {
			name := "public"
			if p != nil {
				name = p.UserID
			}
			_, err := e.svc.OpenInspection(e.ctx, p, inspection.NewInspection{Subjects: []string{"all"}, Scope: "x"})
			wantErr(t, name+" opens", err, inspection.ErrForbidden)
			_, err = e.svc.AddFinding(e.ctx, p, in.ID, "x")
			wantErr(t, name+" adds a finding", err, inspection.ErrForbidden)
			_, err = e.svc.CloseInspection(e.ctx, p, in.ID, "x")
			wantErr(t, name+" closes", err, inspection.ErrForbidden)
			_, err = e.svc.Inspection(e.ctx, p, in.ID)
			wantErr(t, name+" reads", err, inspection.ErrForbidden)
			_, err = e.svc.Inspections(e.ctx, p, inspection.InspectionFilter{})
			wantErr(t, name+" lists", err, inspection.ErrForbidden)
		}
		if _, err := e.svc.Inspection(e.ctx, e.member, in.ID); err != nil {
			t.Errorf("member reads: %v", err)
		}
	})
}

// TestOpenInspectionInvalid: bad input names its field.
func TestOpenInspectionInvalid(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ok := func() inspection.NewInspection {
			return inspection.NewInspection{Subjects: []string{e.nco.ID}, Scope: "Scope."}
		}
		for _, c := range []struct {
			name  string
			edit  func(n *inspection.NewInspection)
			field string
		}{
			{"no subjects", func(n *inspection.NewInspection) { n.Subjects = nil }, "subjects"},
			{"all with another", func(n *inspection.NewInspection) { n.Subjects = []string{"all", e.nco.ID} }, "subjects"},
			{"an operator is no agency", func(n *inspection.NewInspection) { n.Subjects = []string{e.nco.ID, e.operator.ID} }, "subjects[1]"},
			{"the commission is no agency", func(n *inspection.NewInspection) { n.Subjects = []string{e.commission.ID} }, "subjects[0]"},
			{"unknown organisation", func(n *inspection.NewInspection) { n.Subjects = []string{"org_nope"} }, "subjects[0]"},
			{"empty subject", func(n *inspection.NewInspection) { n.Subjects = []string{" "} }, "subjects[0]"},
			{"too many subjects", func(n *inspection.NewInspection) { n.Subjects = make([]string, inspection.MaxIDs+1) }, "subjects"},
			{"no scope", func(n *inspection.NewInspection) { n.Scope = " \n " }, "scope"},
			{"scope too long", func(n *inspection.NewInspection) { n.Scope = strings.Repeat("検", inspection.MaxText+1) }, "scope"},
			{"control character", func(n *inspection.NewInspection) { n.Scope = "a\x00b" }, "scope"},
			{"invalid UTF-8", func(n *inspection.NewInspection) { n.Scope = "a\xffb" }, "scope"},
			{"title of two lines", func(n *inspection.NewInspection) { n.Title = "a\nb" }, "title"},
			{"title too long", func(n *inspection.NewInspection) { n.Title = strings.Repeat("x", inspection.MaxLine+1) }, "title"},
			{"link with a space", func(n *inspection.NewInspection) { n.ProvisionIDs = []string{"prov 1"} }, "provision_ids[0]"},
			{"link too long", func(n *inspection.NewInspection) { n.RunIDs = []string{"r", strings.Repeat("r", 101)} }, "run_ids[1]"},
		} {
			t.Run(c.name, func(t *testing.T) {
				n := ok()
				c.edit(&n)
				_, err := e.svc.OpenInspection(e.ctx, e.chair, n)
				wantField(t, c.name, err, c.field)
			})
		}
		_, err := e.svc.AddFinding(e.ctx, e.chair, e.inspection(t, "all").ID, "  ")
		wantField(t, "empty finding", err, "text")
		_, err = e.svc.CloseInspection(e.ctx, e.chair, e.inspection(t, "all").ID, "")
		wantField(t, "close without a summary", err, "summary")
		_, err = e.svc.Inspections(e.ctx, e.chair, inspection.InspectionFilter{State: "ajar"})
		wantField(t, "list by an unknown state", err, "state")
	})
}

// TestInspectionsList: newest first, filtered by state and by agency (an
// inspection of all agencies concerns each).
func TestInspectionsList(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		a := e.inspection(t, e.nco.ID)
		e.clock.Advance(time.Minute)
		b := e.inspection(t, e.npa.ID, e.meti.ID)
		e.clock.Advance(time.Minute)
		c := e.inspection(t, inspection.AllAgencies)
		if _, err := e.svc.AddFinding(e.ctx, e.chair, c.ID, "f"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.CloseInspection(e.ctx, e.chair, b.ID, "done"); err != nil {
			t.Fatal(err)
		}
		ids := func(f inspection.InspectionFilter) []string {
			l, err := e.svc.Inspections(e.ctx, e.member, f)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, in := range l {
				if in.Findings != nil {
					t.Errorf("list carries findings of %s", in.ID)
				}
				if in.ID == c.ID && in.FindingCount != 1 {
					t.Errorf("finding count of %s: got %d, want 1", in.ID, in.FindingCount)
				}
				out = append(out, in.ID)
			}
			return out
		}
		for _, tc := range []struct {
			name string
			f    inspection.InspectionFilter
			want []string
		}{
			{"all", inspection.InspectionFilter{}, []string{c.ID, b.ID, a.ID}},
			{"open", inspection.InspectionFilter{State: inspection.InspectionOpen}, []string{c.ID, a.ID}},
			{"closed", inspection.InspectionFilter{State: inspection.InspectionClosed}, []string{b.ID}},
			{"of the NCO", inspection.InspectionFilter{OrgID: e.nco.ID}, []string{c.ID, a.ID}},
			{"of METI", inspection.InspectionFilter{OrgID: e.meti.ID}, []string{c.ID, b.ID}},
		} {
			if d := cmp.Diff(tc.want, ids(tc.f)); d != "" {
				t.Errorf("%s (-want +got):\n%s", tc.name, d)
			}
		}
	})
}
