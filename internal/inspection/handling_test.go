package inspection_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/inspection"
)

// TestHandlingErrorLife: an agency reports an error, the commission is
// told, classifies it once and the agency is told; a second classification
// is refused.
func TestHandlingErrorLife(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		occurred := t0.Add(-3 * time.Hour)
		h, err := e.svc.ReportHandlingError(e.ctx, e.analyst, inspection.NewHandlingError{Category: inspection.ProvisionBeyondBasis,
			Severity: inspection.SeverityHigh, Description: " Provided records to an agency not asked under §27. ",
			OccurredAt: occurred, Related: []string{"prov_7", "appr_2", "prov_7"}})
		if err != nil {
			t.Fatal(err)
		}
		want := inspection.HandlingError{ID: h.ID, OrgID: e.nco.ID, Category: inspection.ProvisionBeyondBasis, Severity: inspection.SeverityHigh,
			Description: "Provided records to an agency not asked under §27.", OccurredAt: occurred, Related: []string{"prov_7", "appr_2"},
			State: inspection.ErrorReported, ReportedBy: "usr_nco", ReportedAt: t0}
		if d := cmp.Diff(want, h); d != "" {
			t.Fatalf("reported (-want +got):\n%s", d)
		}
		if !hasPrefix(e.inbox(t, e.member), "Handling error reported (provision_beyond_basis, high severity)") {
			t.Errorf("the commission's inbox lacks the report: %q", e.inbox(t, e.member))
		}
		e.clock.Advance(24 * time.Hour)
		told := t0.Add(12 * time.Hour)
		h, err = e.svc.ClassifyHandlingError(e.ctx, e.chair, h.ID, inspection.Classification{Serious: true,
			Reasons: "Personal data left the agencies the law allows.", AffectedTold: inspection.ToldYes, AffectedToldAt: told})
		if err != nil {
			t.Fatal(err)
		}
		wantC := &inspection.Classification{Serious: true, Reasons: "Personal data left the agencies the law allows.", AffectedTold: inspection.ToldYes, AffectedToldAt: told}
		if d := cmp.Diff(wantC, h.Classification); d != "" || h.State != inspection.ErrorClassified || h.ClassifiedBy != "usr_chair" || !h.ClassifiedAt.Equal(t0.Add(24*time.Hour)) {
			t.Fatalf("classified (-want +got):\n%s\n%+v", d, h)
		}
		if !hasPrefix(e.inbox(t, e.analyst), "The commission classified handling error "+h.ID+" as serious") {
			t.Errorf("the agency's inbox lacks the classification: %q", e.inbox(t, e.analyst))
		}
		_, err = e.svc.ClassifyHandlingError(e.ctx, e.member, h.ID, inspection.Classification{Reasons: "Not serious after all.", AffectedTold: inspection.ToldNotApplicable})
		wantErr(t, "classify twice", err, inspection.ErrConflict)
		_, err = e.svc.ClassifyHandlingError(e.ctx, e.member, "herr_none", inspection.Classification{Reasons: "x", AffectedTold: inspection.ToldNo})
		wantErr(t, "classify an unknown error", err, inspection.ErrNotFound)
		got, err := e.svc.HandlingError(e.ctx, e.analyst, h.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(h, got); d != "" {
			t.Errorf("the reporter's view (-commission +reporter):\n%s", d)
		}
		wantA := []string{"handling_error.report", "handling_error.classify"}
		if d := cmp.Diff(wantA, e.entries(t, "handling_error/"+h.ID)); d != "" {
			t.Errorf("audit entries (-want +got):\n%s", d)
		}
	})
}

// TestHandlingErrorScope: reporters see their own agency's errors, the
// commission all; nobody else reports, classifies or reads.
func TestHandlingErrorScope(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		nco := e.report(t, e.analyst, inspection.OutOfScopeSelection, inspection.SeverityMedium)
		e.clock.Advance(time.Minute)
		npa := e.report(t, e.officer, inspection.LateDeletion, inspection.SeverityLow)
		e.clock.Advance(time.Minute)
		meti := e.report(t, e.ministry, inspection.OtherError, inspection.SeverityHigh)
		for _, c := range []struct {
			p    *auth.Principal
			own  string
			hide []string
		}{
			{e.analyst, nco.ID, []string{npa.ID, meti.ID}},
			{e.officer, npa.ID, []string{nco.ID, meti.ID}},
			{e.ministry, meti.ID, []string{nco.ID, npa.ID}},
		} {
			if _, err := e.svc.HandlingError(e.ctx, c.p, c.own); err != nil {
				t.Errorf("%s reads its own: %v", c.p.UserID, err)
			}
			for _, id := range c.hide {
				_, err := e.svc.HandlingError(e.ctx, c.p, id)
				wantErr(t, c.p.UserID+" reads another agency's", err, inspection.ErrNotFound)
			}
			l, err := e.svc.HandlingErrors(e.ctx, c.p, inspection.ErrorFilter{})
			if err != nil || len(l) != 1 || l[0].ID != c.own {
				t.Errorf("%s lists: got %v, %v; want only %s", c.p.UserID, l, err, c.own)
			}
		}
		// The SDF officer has the action but no errors.
		if l, err := e.svc.HandlingErrors(e.ctx, e.sdfOfficer, inspection.ErrorFilter{}); err != nil || len(l) != 0 {
			t.Errorf("SDF lists: got %v, %v; want none", l, err)
		}
		for _, p := range []*auth.Principal{e.commander, e.op, e.admin, e.memberNoMFA, nil} {
			_, err := e.svc.HandlingError(e.ctx, p, nco.ID)
			wantErr(t, "read without the action", err, inspection.ErrForbidden)
			_, err = e.svc.HandlingErrors(e.ctx, p, inspection.ErrorFilter{})
			wantErr(t, "list without the action", err, inspection.ErrForbidden)
		}
		for _, p := range []*auth.Principal{e.chair, e.commander, e.op, e.admin, nil} {
			_, err := e.svc.ReportHandlingError(e.ctx, p, inspection.NewHandlingError{Category: "other", Severity: "low", Description: "x", OccurredAt: t0})
			wantErr(t, "report without the action", err, inspection.ErrForbidden)
		}
		// A ministry role held in an operator organisation is no agency.
		odd := &auth.Principal{UserID: "usr_odd", OrgID: e.operator.ID, OrgKind: auth.OrgOperator, Roles: []auth.Role{auth.RoleMinistry}}
		_, err := e.svc.ReportHandlingError(e.ctx, odd, inspection.NewHandlingError{Category: "other", Severity: "low", Description: "x", OccurredAt: t0})
		wantErr(t, "report from an operator", err, inspection.ErrForbidden)
		for _, p := range []*auth.Principal{e.analyst, e.officer, e.memberNoMFA} {
			_, err := e.svc.ClassifyHandlingError(e.ctx, p, nco.ID, inspection.Classification{Reasons: "x", AffectedTold: inspection.ToldNo})
			wantErr(t, p.UserID+" classifies", err, inspection.ErrForbidden)
		}

		if _, err := e.svc.ClassifyHandlingError(e.ctx, e.chair, meti.ID, inspection.Classification{Serious: true, Reasons: "r", AffectedTold: inspection.ToldNo}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.ClassifyHandlingError(e.ctx, e.chair, npa.ID, inspection.Classification{Reasons: "r", AffectedTold: inspection.ToldNotApplicable}); err != nil {
			t.Fatal(err)
		}
		ids := func(f inspection.ErrorFilter) []string {
			l, err := e.svc.HandlingErrors(e.ctx, e.member, f)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, h := range l {
				out = append(out, h.ID)
			}
			return out
		}
		for _, c := range []struct {
			name string
			f    inspection.ErrorFilter
			want []string
		}{
			{"all, newest first", inspection.ErrorFilter{}, []string{meti.ID, npa.ID, nco.ID}},
			{"reported", inspection.ErrorFilter{State: inspection.ErrorReported}, []string{nco.ID}},
			{"classified", inspection.ErrorFilter{State: inspection.ErrorClassified}, []string{meti.ID, npa.ID}},
			{"serious", inspection.ErrorFilter{Serious: true}, []string{meti.ID}},
			{"by agency", inspection.ErrorFilter{OrgID: e.npa.ID}, []string{npa.ID}},
			{"by category", inspection.ErrorFilter{Category: inspection.OutOfScopeSelection}, []string{nco.ID}},
			{"by severity", inspection.ErrorFilter{Severity: inspection.SeverityHigh}, []string{meti.ID}},
			{"none", inspection.ErrorFilter{Severity: inspection.SeverityHigh, Category: inspection.LateDeletion}, nil},
		} {
			if d := cmp.Diff(c.want, ids(c.f), cmpopts.EquateEmpty()); d != "" {
				t.Errorf("%s (-want +got):\n%s", c.name, d)
			}
		}
		for _, c := range []struct {
			f     inspection.ErrorFilter
			field string
		}{
			{inspection.ErrorFilter{State: "open"}, "state"},
			{inspection.ErrorFilter{Category: "typo"}, "category"},
			{inspection.ErrorFilter{Severity: "critical"}, "severity"},
		} {
			_, err := e.svc.HandlingErrors(e.ctx, e.member, c.f)
			wantField(t, "list filter", err, c.field)
		}
	})
}

// TestHandlingErrorInvalid: bad reports and classifications name their
// field and record nothing.
func TestHandlingErrorInvalid(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ok := func() inspection.NewHandlingError {
			return inspection.NewHandlingError{Category: inspection.LateDeletion, Severity: inspection.SeverityLow, Description: "Late.", OccurredAt: t0.Add(-time.Hour)}
		}
		for _, c := range []struct {
			name  string
			edit  func(n *inspection.NewHandlingError)
			field string
		}{
			{"no category", func(n *inspection.NewHandlingError) { n.Category = "" }, "category"},
			{"unknown category", func(n *inspection.NewHandlingError) { n.Category = "leak" }, "category"},
			{"no severity", func(n *inspection.NewHandlingError) { n.Severity = "" }, "severity"},
			{"unknown severity", func(n *inspection.NewHandlingError) { n.Severity = "critical" }, "severity"},
			{"no description", func(n *inspection.NewHandlingError) { n.Description = " " }, "description"},
			{"description too long", func(n *inspection.NewHandlingError) { n.Description = strings.Repeat("x", inspection.MaxText+1) }, "description"},
			{"no time", func(n *inspection.NewHandlingError) { n.OccurredAt = time.Time{} }, "occurred_at"},
			{"in the future", func(n *inspection.NewHandlingError) { n.OccurredAt = t0.Add(time.Hour) }, "occurred_at"},
			{"bad related id", func(n *inspection.NewHandlingError) { n.Related = []string{"ok", "no\nway"} }, "related[1]"},
		} {
			t.Run(c.name, func(t *testing.T) {
				n := ok()
				c.edit(&n)
				_, err := e.svc.ReportHandlingError(e.ctx, e.officer, n)
				wantField(t, c.name, err, c.field)
			})
		}
		// Within a few minutes of the clock is not the future.
		n := ok()
		n.OccurredAt = t0.Add(time.Minute)
		h, err := e.svc.ReportHandlingError(e.ctx, e.officer, n)
		if err != nil {
			t.Fatalf("a minute ahead: %v", err)
		}
		for _, c := range []struct {
			name  string
			c     inspection.Classification
			field string
		}{
			{"no reasons", inspection.Classification{AffectedTold: inspection.ToldNo}, "reasons"},
			{"no answer on telling", inspection.Classification{Reasons: "r"}, "affected_told"},
			{"unknown answer", inspection.Classification{Reasons: "r", AffectedTold: "maybe"}, "affected_told"},
			{"told without a date", inspection.Classification{Reasons: "r", AffectedTold: inspection.ToldYes}, "affected_told_at"},
			{"a date but not told", inspection.Classification{Reasons: "r", AffectedTold: inspection.ToldNo, AffectedToldAt: t0}, "affected_told_at"},
			{"told in the future", inspection.Classification{Reasons: "r", AffectedTold: inspection.ToldYes, AffectedToldAt: t0.Add(24 * time.Hour)}, "affected_told_at"},
			{"told before it happened", inspection.Classification{Reasons: "r", AffectedTold: inspection.ToldYes, AffectedToldAt: t0.Add(-time.Hour)}, "affected_told_at"},
		} {
			_, err := e.svc.ClassifyHandlingError(e.ctx, e.chair, h.ID, c.c)
			wantField(t, c.name, err, c.field)
		}
		if got, _ := e.svc.HandlingError(e.ctx, e.chair, h.ID); got.State != inspection.ErrorReported {
			t.Errorf("state after invalid classifications: got %s, want reported", got.State)
		}
	})
}
