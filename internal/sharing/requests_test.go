package sharing_test

import (
	"errors"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/reporting"
	"github.com/acd-platform/acd/internal/sharing"
	"github.com/acd-platform/acd/internal/sharing/sharingtest"
)

// TestRequests asks council members for materials through reporting's
// orders: issued by the Cabinet Office to a member, answered by any user
// of the member, closed by the Cabinet Office, never seen by a ministry.
func TestRequests(t *testing.T) {
	each(t, func(t *testing.T, e *sharingtest.Env) {
		ctx, co := e.Ctx, e.P("author")
		due := e.Clock.Now().Add(72 * time.Hour)
		n := func(org string) reporting.NewCouncilRequest {
			return reporting.NewCouncilRequest{OrgID: e.Orgs[org].ID, Reason: "Campaign analysis", Request: "Firewall logs of 1 June", Due: due}
		}
		_, err := e.Svc.RequestMaterials(ctx, e.P("opr"), n("npa"))
		wantRefusal(t, "an operator requests", err, sharing.CodeNotCabinetOffice)
		_, err = e.Svc.RequestMaterials(ctx, co, n("opu"))
		wantRefusal(t, "to a non-member", err, sharing.CodeOrgNotMember)
		_, err = e.Svc.RequestMaterials(ctx, co, n("comm"))
		wantRefusal(t, "to the commission", err, sharing.CodeOrgNotMember)
		past := n("npa")
		past.Due = e.Clock.Now().Add(-time.Hour)
		_, err = e.Svc.RequestMaterials(ctx, co, past)
		wantField(t, "due in the past", err, "due")

		police, err := e.Svc.RequestMaterials(ctx, co, n("npa"))
		if err != nil {
			t.Fatal(err)
		}
		op, err := e.Svc.RequestMaterials(ctx, co, n("opr"))
		if err != nil {
			t.Fatal(err)
		}
		if !police.Council || police.Kind != reporting.MaterialRequest || police.LegalBasis != reporting.CouncilLegalBasis || police.Sector != "" {
			t.Errorf("council request: %+v", police)
		}
		if !hasNotice(e.Inbox(t, "police"), "/council/requests/"+police.ID) {
			t.Errorf("the police got no notice of the request")
		}
		// Each member sees its own; a ministry sees neither, not even the
		// operator's in its sector.
		if rs, _ := e.Svc.Requests(ctx, e.P("police"), ""); len(rs) != 1 || rs[0].ID != police.ID {
			t.Errorf("police's requests: %+v", rs)
		}
		if _, err := e.Svc.Request(ctx, e.P("opn"), op.ID); !errors.Is(err, sharing.ErrNotFound) {
			t.Errorf("another operator reads the request: %v", err)
		}
		if os, _ := e.Reporting.Orders(ctx, e.P("meti"), reporting.OrderFilter{}); len(os) != 0 {
			t.Errorf("the ministry sees council requests: %+v", os)
		}
		if rs, _ := e.Svc.Requests(ctx, co, ""); len(rs) != 2 {
			t.Errorf("the Cabinet Office's requests: %d, want 2", len(rs))
		}
		// Answered by any user of the member, closed by the Cabinet Office.
		if _, err := e.Svc.AnswerRequest(ctx, e.P("opn"), police.ID, "here"); !errors.Is(err, sharing.ErrNotFound) {
			t.Errorf("another organisation answers: %v", err)
		}
		got, err := e.Svc.AnswerRequest(ctx, e.P("police"), police.ID, "Logs attached in the shared drive.")
		if err != nil || got.State != reporting.OrderAnswered {
			t.Fatalf("answer: %v %+v", err, got)
		}
		_, err = e.Svc.CloseRequest(ctx, e.P("police"), police.ID, "done")
		wantRefusal(t, "the member closes", err, sharing.CodeNotCabinetOffice)
		got, err = e.Svc.CloseRequest(ctx, e.P("reviewer"), police.ID, "Received.")
		if err != nil || got.State != reporting.OrderClosed || len(got.History) != 3 {
			t.Fatalf("close: %v %+v", err, got)
		}
		// Overdue council requests are never referred under §84.
		e.Clock.Advance(96 * time.Hour)
		if got, _ := e.Svc.Request(ctx, co, op.ID); !got.Overdue || got.Referral != "" {
			t.Errorf("overdue council request: overdue %v referral %q", got.Overdue, got.Referral)
		}
		if os, _ := e.Reporting.Orders(ctx, co, reporting.OrderFilter{Referral: true}); len(os) != 0 {
			t.Errorf("council requests among referral candidates: %+v", os)
		}
		// A ministry's own orders are not council requests.
		if _, err := e.Svc.Request(ctx, co, "ord_nosuch"); !errors.Is(err, sharing.ErrNotFound) {
			t.Errorf("unknown request: %v", err)
		}
	})
}
