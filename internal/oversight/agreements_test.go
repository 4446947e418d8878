package oversight_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/manifest"
	"github.com/acd-platform/acd/internal/oversight"
)

// TestAgreementLifecycle walks an agreement from draft to termination with
// every refused step on the way.
func TestAgreementLifecycle(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		in := e.agreementInput()
		_, err := e.svc.CreateAgreement(e.ctx, e.opUserA, in)
		wantErr(t, "an operator drafts", err, oversight.ErrForbidden)
		a, err := e.svc.CreateAgreement(e.ctx, e.analyst, in)
		if err != nil {
			t.Fatal(err)
		}
		from, until := period()
		if a.State != oversight.AgreementDraft || a.Revision != 1 || a.CabinetOrgID != e.nco.ID || !a.ValidFrom.Equal(from) || !a.ValidUntil.Equal(until) || a.CriteriaID != "crit-agr" {
			t.Fatalf("draft %+v", a)
		}
		_, err = e.svc.Agreement(e.ctx, e.opUserB, a.ID)
		wantErr(t, "another operator reads it", err, oversight.ErrNotFound)
		_, err = e.svc.Agreement(e.ctx, e.m1, a.ID)
		wantErr(t, "the commission reads it", err, nil)
		_, err = e.svc.SignAgreement(e.ctx, e.m1, a.ID, 1)
		wantErr(t, "the commission signs", err, oversight.ErrForbidden)
		_, err = e.svc.SignAgreement(e.ctx, e.opUserB, a.ID, 1)
		wantErr(t, "another operator signs", err, oversight.ErrNotFound)

		// The operator edits: revision 2.
		in.RetentionDays = 180
		in.OperatorOrgID = ""
		a, err = e.svc.UpdateAgreement(e.ctx, e.opUserA, a.ID, in)
		if err != nil || a.Revision != 2 || a.RetentionDays != 180 {
			t.Fatalf("edit: %v %+v", err, a)
		}
		in.OperatorOrgID = e.opB.ID
		_, err = e.svc.UpdateAgreement(e.ctx, e.analyst, a.ID, in)
		wantField(t, "change of operator", err, "operator_org_id")
		in.OperatorOrgID = ""

		// The operator asks to consult; the Cabinet Office must answer.
		c, err := e.svc.RequestConsultation(e.ctx, e.opUserA, a.ID, oversight.ConsultationRequest{Subject: "Retention", Text: "Can retention be 90 days?"})
		if err != nil {
			t.Fatal(err)
		}
		if c.From != oversight.SideOperator || c.ToOrg != e.nco.ID || !c.Due.Equal(t0.Add(14*24*time.Hour)) || c.DeadlineID == "" {
			t.Errorf("consultation %+v", c)
		}
		a, _ = e.svc.Agreement(e.ctx, e.analyst, a.ID)
		if a.State != oversight.AgreementConsultation || len(a.Consultations) != 1 {
			t.Errorf("after a consultation request: %s with %d consultations", a.State, len(a.Consultations))
		}
		_, err = e.svc.SignAgreement(e.ctx, e.analyst, a.ID, a.Revision)
		wantErr(t, "sign with a consultation open", err, oversight.ErrConflict)
		_, err = e.svc.RespondConsultation(e.ctx, e.opUserA, a.ID, c.ID, oversight.ConsultationResponse{Answer: oversight.AnswerAccept})
		wantErr(t, "the asking side answers", err, oversight.ErrForbidden)
		_, err = e.svc.RespondConsultation(e.ctx, e.analyst, a.ID, c.ID, oversight.ConsultationResponse{Answer: oversight.AnswerRefuse})
		wantField(t, "refusal without reason", err, "text")
		_, err = e.svc.RespondConsultation(e.ctx, e.analyst, a.ID, c.ID, oversight.ConsultationResponse{Answer: "later"})
		wantField(t, "unknown answer", err, "answer")
		c, err = e.svc.RespondConsultation(e.ctx, e.analyst, a.ID, c.ID, oversight.ConsultationResponse{Answer: oversight.AnswerRefuse, Text: "Analysis needs 180 days of records."})
		if err != nil || c.State != oversight.ConsultationRefused || c.RespondedBy != e.analyst.UserID {
			t.Fatalf("refusal: %v %+v", err, c)
		}
		_, err = e.svc.RespondConsultation(e.ctx, e.analyst, a.ID, c.ID, oversight.ConsultationResponse{Answer: oversight.AnswerAccept})
		wantErr(t, "answer twice", err, oversight.ErrConflict)
		if d, err := e.svc.Agreement(e.ctx, e.opUserA, a.ID); err != nil || d.Consultations[0].State != oversight.ConsultationRefused {
			t.Errorf("consultation after the answer: %v %+v", err, d.Consultations)
		}

		// Signatures: of the current revision only, once per side.
		_, err = e.svc.SignAgreement(e.ctx, e.analyst, a.ID, 1)
		wantErr(t, "sign an old revision", err, oversight.ErrConflict)
		a, err = e.svc.SignAgreement(e.ctx, e.analyst, a.ID, 2)
		if err != nil || a.CabinetSignedBy != e.analyst.UserID || a.State != oversight.AgreementConsultation {
			t.Fatalf("cabinet signature: %v %+v", err, a)
		}
		_, err = e.svc.SignAgreement(e.ctx, e.analyst2, a.ID, 2)
		wantErr(t, "the cabinet side signs twice", err, oversight.ErrConflict)
		a, err = e.svc.SignAgreement(e.ctx, e.opUserA, a.ID, 2)
		if err != nil || a.State != oversight.AgreementActive || a.ApprovalID == "" {
			t.Fatalf("operator signature: %v %+v", err, a)
		}
		apv, err := e.svc.Approval(e.ctx, a.ApprovalID)
		if err != nil {
			t.Fatal(err)
		}
		if apv.Basis != manifest.BasisAgreement || apv.AgreementID != a.ID || apv.OperatorOrgID != e.opA.ID || apv.RequestID != "" ||
			!slices.Equal(apv.Facilities, []string{"Tokyo IX link 3"}) || !slices.Equal(apv.Directions, []string{"foreign-domestic"}) || apv.CriteriaSHA256 != a.CriteriaSHA256 ||
			apv.RetentionDays != a.RetentionDays || apv.RetentionDays == 0 {
			t.Errorf("agreement approval %+v", apv)
		}
		if err := e.checkManifest(t, apv.ID, from.Add(time.Hour)); err != nil {
			t.Errorf("manifest check: %v", err)
		}
		_, err = e.svc.UpdateAgreement(e.ctx, e.analyst, a.ID, in)
		wantErr(t, "edit an active agreement", err, oversight.ErrConflict)
		_, err = e.svc.SignAgreement(e.ctx, e.analyst, a.ID, a.Revision)
		wantErr(t, "sign an active agreement", err, oversight.ErrConflict)
		_, err = e.svc.RevokeApproval(e.ctx, e.chair, apv.ID, "stop")
		wantErr(t, "the chair revokes an agreement's approval", err, oversight.ErrConflict)
		if list, _ := e.svc.Agreements(e.ctx, e.opUserB, oversight.AgreementFilter{}); len(list) != 0 {
			t.Errorf("operator B lists %d agreements, want 0", len(list))
		}
		if list, _ := e.svc.Agreements(e.ctx, e.opUserA, oversight.AgreementFilter{State: oversight.AgreementActive}); len(list) != 1 {
			t.Errorf("operator A lists %d active agreements, want 1", len(list))
		}

		// A consultation on an active agreement, then termination: the
		// consultation lapses and the approval is revoked.
		e.clock.Advance(time.Hour)
		c2, err := e.svc.RequestConsultation(e.ctx, e.analyst, a.ID, oversight.ConsultationRequest{Subject: "Scope", Text: "Add link 4?", Due: t0.Add(48 * time.Hour)})
		if err != nil || c2.ToOrg != e.opA.ID {
			t.Fatalf("consultation on an active agreement: %v %+v", err, c2)
		}
		_, err = e.svc.TerminateAgreement(e.ctx, e.opUserA, a.ID, "")
		wantField(t, "terminate without reason", err, "reason")
		_, err = e.svc.TerminateAgreement(e.ctx, e.m1, a.ID, "x")
		wantErr(t, "the commission terminates", err, oversight.ErrForbidden)
		a, err = e.svc.TerminateAgreement(e.ctx, e.opUserA, a.ID, "The operator withdraws its consent.")
		if err != nil || a.State != oversight.AgreementTerminated || a.Consultations[1].State != oversight.ConsultationLapsed {
			t.Fatalf("terminate: %v %+v", err, a)
		}
		apv, _ = e.svc.Approval(e.ctx, apv.ID)
		if apv.State != oversight.ApprovalRevoked || apv.RevokedBy != e.opUserA.UserID {
			t.Errorf("approval after termination: %+v", apv)
		}
		if err := e.checkManifest(t, apv.ID, from.Add(time.Hour)); !errors.Is(err, manifest.ErrRevoked) {
			t.Errorf("manifest check after termination: %v, want ErrRevoked", err)
		}
		_, err = e.svc.TerminateAgreement(e.ctx, e.analyst, a.ID, "again")
		wantErr(t, "terminate twice", err, oversight.ErrConflict)
		_, err = e.svc.RequestConsultation(e.ctx, e.analyst, a.ID, oversight.ConsultationRequest{Subject: "s", Text: "t"})
		wantErr(t, "consult on a terminated agreement", err, oversight.ErrConflict)
		acts := e.actions(t)
		for _, want := range []string{"agreement.create", "agreement.update", "consultation.request", "agreement.consult", "consultation.respond",
			"agreement.sign", "agreement.activate", "approval.issue", "consultation.lapse", "agreement.terminate", "approval.revoke", "deadline.set", "deadline.met", "deadline.cancel"} {
			if !slices.Contains(acts, want) {
				t.Errorf("no %s in the audit log", want)
			}
		}
	})
}

// TestAgreementEditClearsSignatures: a signature is of one revision.
func TestAgreementEditClearsSignatures(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		a, err := e.svc.CreateAgreement(e.ctx, e.analyst, e.agreementInput())
		if err != nil {
			t.Fatal(err)
		}
		if a, err = e.svc.SignAgreement(e.ctx, e.opUserA, a.ID, 1); err != nil || a.OperatorSignedBy == "" {
			t.Fatalf("sign: %v", err)
		}
		a, err = e.svc.UpdateAgreement(e.ctx, e.analyst, a.ID, e.agreementInput())
		if err != nil || a.OperatorSignedBy != "" || a.Revision != 2 {
			t.Fatalf("after an edit: %v signed by %q revision %d", err, a.OperatorSignedBy, a.Revision)
		}
		a, _ = e.svc.SignAgreement(e.ctx, e.analyst, a.ID, 2)
		if a.State == oversight.AgreementActive {
			t.Errorf("active with one signature of the current revision")
		}
		// A draft can be terminated (abandoned): no approval to revoke.
		a, err = e.svc.TerminateAgreement(e.ctx, e.analyst, a.ID, "abandoned")
		if err != nil || a.State != oversight.AgreementTerminated || a.ApprovalID != "" {
			t.Errorf("abandon: %v %+v", err, a)
		}
	})
}

// TestAgreementInput: bad drafts are refused with the field at fault.
func TestAgreementInput(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		from, until := period()
		for _, c := range []struct {
			name  string
			edit  func(*oversight.AgreementInput)
			field string
		}{
			{"no operator", func(in *oversight.AgreementInput) { in.OperatorOrgID = "" }, "operator_org_id"},
			{"not an operator", func(in *oversight.AgreementInput) { in.OperatorOrgID = e.nco.ID }, "operator_org_id"},
			{"no title", func(in *oversight.AgreementInput) { in.Title = " " }, "title"},
			{"two-line title", func(in *oversight.AgreementInput) { in.Title = "a\nb" }, "title"},
			{"no facility", func(in *oversight.AgreementInput) { in.Facilities = nil }, "facilities"},
			{"repeated facility", func(in *oversight.AgreementInput) { in.Facilities = []string{"x", "x"} }, "facilities[1]"},
			{"domestic-domestic", func(in *oversight.AgreementInput) { in.Directions = []string{"domestic-domestic"} }, "directions[0]"},
			{"no retention", func(in *oversight.AgreementInput) { in.RetentionDays = 0 }, "retention_days"},
			{"no results", func(in *oversight.AgreementInput) { in.Results = "" }, "results"},
			{"no criteria", func(in *oversight.AgreementInput) { in.Criteria = "" }, "criteria"},
			{"criteria direction not agreed", func(in *oversight.AgreementInput) {
				in.Criteria = critFile("c", 1, from, until, "foreign-domestic", "domestic-foreign")
			}, "criteria"},
			{"term differs from the file", func(in *oversight.AgreementInput) { in.ValidFrom = from.Add(time.Hour) }, "valid_from"},
			{"term ended", func(in *oversight.AgreementInput) {
				in.Criteria = critFile("c", 1, t0.Add(-48*time.Hour), t0.Add(-time.Hour), "foreign-domestic")
			}, "valid_until"},
		} {
			in := e.agreementInput()
			c.edit(&in)
			_, err := e.svc.CreateAgreement(e.ctx, e.analyst, in)
			wantField(t, c.name, err, c.field)
		}
	})
}

// TestLongTexts: texts at the limit, in Japanese, pass through notices
// (which are shortened) without failing the change.
func TestLongTexts(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		a, err := e.svc.CreateAgreement(e.ctx, e.analyst, e.agreementInput())
		if err != nil {
			t.Fatal(err)
		}
		long := strings.Repeat("協", 20000)
		if _, err := e.svc.RequestConsultation(e.ctx, e.opUserA, a.ID, oversight.ConsultationRequest{Subject: strings.Repeat("議", 200), Text: long}); err != nil {
			t.Errorf("consultation at the limits: %v", err)
		}
		_, err = e.svc.RequestConsultation(e.ctx, e.opUserA, a.ID, oversight.ConsultationRequest{Subject: "s", Text: long + "x"})
		wantField(t, "text over the limit", err, "text")
	})
}
