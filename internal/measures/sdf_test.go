package measures_test

import (
	"strings"
	"testing"

	"github.com/acd-platform/acd/internal/measures"
)

// TestSDFOrder: the Prime Minister's order needs the NPSC's request or
// consent and every condition met and explained; each missing condition is
// named; it is the cabinet's, on the SDF protection path, once.
func TestSDFOrder(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		c := e.open(t, e.sdfOfficer, e.sdfInput())
		_, err := e.svc.IssueSDFOrder(e.ctx, e.cabinetUser, c.ID, sdfOrder())
		wantRefusal(t, "order without the NPSC", err, measures.CodeNPSCRequired)
		_, err = e.svc.IssueSDFOrder(e.ctx, e.minister, c.ID, sdfOrder())
		wantErr(t, "the Minister of Defense orders", err, measures.ErrForbidden)
		_, err = e.svc.RecordNPSC(e.ctx, e.cabinetUser, c.ID, measures.NPSCInput{Kind: measures.NPSCRequest, Text: "x"})
		wantErr(t, "the cabinet records the NPSC", err, measures.ErrForbidden)
		_, err = e.svc.RecordNPSC(e.ctx, e.npscUser, c.ID, measures.NPSCInput{Kind: "approve", Text: "x"})
		wantField(t, "NPSC kind", err, "kind")
		if _, err := e.svc.RecordNPSC(e.ctx, e.npscUser, c.ID, measures.NPSCInput{Kind: measures.NPSCRequest, Text: "The NPSC requests SDF action."}); err != nil {
			t.Fatal(err)
		}
		for _, x := range []struct {
			name    string
			edit    func(in *measures.SDFOrderInput)
			missing string
		}{
			{"important computers not met", func(in *measures.SDFOrderInput) { in.ImportantComputers.Met = false }, "important_computers"},
			{"important computers without a category", func(in *measures.SDFOrderInput) { in.ImportantComputers.Category = "" }, "important_computers"},
			{"important computers without text", func(in *measures.SDFOrderInput) { in.ImportantComputers.Text = " " }, "important_computers"},
			{"no organised actor abroad", func(in *measures.SDFOrderInput) { in.OrganisedActorAbroad.Met = false }, "organised_actor_abroad"},
			{"organised actor abroad without text", func(in *measures.SDFOrderInput) { in.OrganisedActorAbroad.Text = "" }, "organised_actor_abroad"},
			{"the SDF not indispensable", func(in *measures.SDFOrderInput) { in.SDFIndispensable.Met = false }, "sdf_indispensable"},
			{"the SDF indispensable without text", func(in *measures.SDFOrderInput) { in.SDFIndispensable.Text = "" }, "sdf_indispensable"},
		} {
			t.Run(x.name, func(t *testing.T) {
				in := sdfOrder()
				x.edit(&in)
				_, err := e.svc.IssueSDFOrder(e.ctx, e.cabinetUser, c.ID, in)
				wantRefusal(t, x.name, err, measures.CodeSDFConditionsNotMet)
				if r := err.(*measures.Refusal); !strings.Contains(r.Detail, x.missing) || strings.Count(r.Detail, "(") != 1 {
					t.Errorf("detail %q, want it to name %s alone", r.Detail, x.missing)
				}
			})
		}
		none := measures.SDFOrderInput{Text: "Nothing."}
		_, err = e.svc.IssueSDFOrder(e.ctx, e.cabinetUser, c.ID, none)
		wantRefusal(t, "no condition", err, measures.CodeSDFConditionsNotMet)
		if d := err.(*measures.Refusal).Detail; !strings.Contains(d, "important_computers") || !strings.Contains(d, "organised_actor_abroad") || !strings.Contains(d, "sdf_indispensable") {
			t.Errorf("detail %q does not name each condition", d)
		}
		bad := sdfOrder()
		bad.ImportantComputers.Category = "banks"
		_, err = e.svc.IssueSDFOrder(e.ctx, e.cabinetUser, c.ID, bad)
		wantField(t, "unknown category", err, "important_computers.category")

		got, err := e.svc.IssueSDFOrder(e.ctx, e.cabinetUser, c.ID, sdfOrder())
		if err != nil || got.SDFOrder == nil || got.SDFOrder.IssuedBy != e.cabinetUser.UserID {
			t.Fatalf("issue: %+v %v", got.SDFOrder, err)
		}
		_, err = e.svc.IssueSDFOrder(e.ctx, e.cabinetUser, c.ID, sdfOrder())
		wantRefusal(t, "a second order", err, measures.CodeAlreadyDone)

		guard := e.open(t, e.sdfOfficer, input(measures.PathSDFGuard))
		_, err = e.svc.RecordNPSC(e.ctx, e.npscUser, guard.ID, measures.NPSCInput{Kind: measures.NPSCConsent, Text: "x"})
		wantErr(t, "NPSC on a guard case the NPSC cannot see", err, measures.ErrNotFound)
		_, err = e.svc.IssueSDFOrder(e.ctx, e.cabinetUser, guard.ID, sdfOrder())
		wantErr(t, "the PM's order on a guard case the cabinet cannot see", err, measures.ErrNotFound)

		// On the police path the cabinet sees nothing; an analyst who
		// could see would still be refused the role.
		if in := e.inbox(t, e.minister); !hasPrefix(in, "The Prime Minister ordered communication protection measures") {
			t.Errorf("Ministry of Defense inbox %v", in)
		}
		if in := e.inbox(t, e.cabinetUser); !hasPrefix(in, "NPSC request on SDF protection case") {
			t.Errorf("cabinet inbox %v", in)
		}
	})
}

// TestSDFProtectionPath: an SDF protection case goes through the Minister
// of Defense for MOFA and the commission, the PM's order comes before
// approval, the orders it issues cite the SDF Act, and the joint police
// agency acts in it.
func TestSDFProtectionPath(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		in := e.sdfInput()
		in.JointPoliceOrgID = e.sdf.ID
		_, err := e.svc.OpenCase(e.ctx, e.sdfOfficer, in)
		wantField(t, "a joint agency that is no police", err, "joint_police_org_id")
		c := e.open(t, e.sdfOfficer, e.sdfInput())
		e.locate(t, e.sdfOfficer, c.ID, false)
		_, err = e.svc.RequestConsultation(e.ctx, e.sdfOfficer, c.ID, "x")
		wantRefusal(t, "the SDF officer consults MOFA", err, measures.CodeNotInChain)
		e.consult(t, e.minister, c.ID, measures.NoObjection)
		if _, err := e.svc.RecordNPSC(e.ctx, e.npscUser, c.ID, measures.NPSCInput{Kind: measures.NPSCConsent, Text: "Consent."}); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.DeclareEmergency(e.ctx, e.sdfOfficer, c.ID, "No time.")
		wantRefusal(t, "emergency before the PM's order", err, measures.CodeSDFOrderRequired)
		if _, err := e.svc.IssueSDFOrder(e.ctx, e.cabinetUser, c.ID, sdfOrder()); err != nil {
			t.Fatal(err)
		}
		e.approve(t, e.minister, c.ID)
		e.command(t, e.minister, c.ID, measures.KindOrderAdmin, measures.KindStopProgram)
		o, err := e.svc.IssueOrder(e.ctx, e.sdfOfficer, c.ID, e.orderInput())
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(o.LegalBasis.EN, "Self-Defense Forces Act, Article 91-3") || o.AgencyJA != "自衛隊サイバー防衛隊" {
			t.Errorf("order basis %q, agency %q", o.LegalBasis.EN, o.AgencyJA)
		}
		if err := e.svc.ActiveCase(e.ctx, c.ID, e.npa.ID); err != nil {
			t.Errorf("the joint police agency acts in the case: %v", err)
		}
		if _, err := e.svc.Case(e.ctx, e.officer, c.ID); err != nil {
			t.Errorf("an officer of the joint police agency reads the case: %v", err)
		}
		_, err = e.svc.RecordExecution(e.ctx, e.officer, c.ID, e.execution(measures.KindStopProgram))
		wantRefusal(t, "the joint police officer records on the SDF's case", err, measures.CodeNotCaseOfficer)
		verify(t, e)
	})
}
