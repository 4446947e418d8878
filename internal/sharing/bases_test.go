package sharing_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/commsinfo"
	"github.com/acd-platform/acd/internal/sharing"
	"github.com/acd-platform/acd/internal/sharing/sharingtest"
)

// TestBasisCheckers decides provisions under §28 and §39 as table rows:
// each refusal's text must say why.
func TestBasisCheckers(t *testing.T) {
	finding := []commsinfo.Finding{{ID: "fnd_1"}}
	agency := auth.Org{ID: "org_npa", Name: "NPA", Kind: auth.OrgPolice}
	operator := auth.Org{ID: "org_op", Name: "Kanto Power", Kind: auth.OrgOperator}
	for _, c := range []struct {
		name  string
		check func(context.Context, *commsinfo.BasisRequest) error
		req   commsinfo.BasisRequest
		want  string // "" accepts; otherwise a part of the refusal
	}{
		// §28: findings to an agency.
		{"§28 findings to police", sharing.CheckAnalysisBasis,
			commsinfo.BasisRequest{Basis: commsinfo.BasisAnalysis, RecipientKind: commsinfo.RecipientAgency, RecipientOrgID: agency.ID, Recipient: agency, Purpose: "protect", Findings: finding}, ""},
		{"§28 to a ministry", sharing.CheckAnalysisBasis,
			commsinfo.BasisRequest{Basis: commsinfo.BasisAnalysis, RecipientKind: commsinfo.RecipientAgency, RecipientOrgID: "org_m", Recipient: auth.Org{ID: "org_m", Kind: auth.OrgMinistry}, Purpose: "protect", Findings: finding}, ""},
		{"§28 with selected records", sharing.CheckAnalysisBasis,
			commsinfo.BasisRequest{Basis: commsinfo.BasisAnalysis, RecipientKind: commsinfo.RecipientAgency, RecipientOrgID: agency.ID, Recipient: agency, Purpose: "protect", Findings: finding, RecordCount: 3}, "not selected records: 3"},
		{"§28 without findings", sharing.CheckAnalysisBasis,
			commsinfo.BasisRequest{Basis: commsinfo.BasisAnalysis, RecipientKind: commsinfo.RecipientAgency, RecipientOrgID: agency.ID, Recipient: agency, Purpose: "protect"}, "at least one finding"},
		{"§28 to an operator", sharing.CheckAnalysisBasis,
			commsinfo.BasisRequest{Basis: commsinfo.BasisAnalysis, RecipientKind: commsinfo.RecipientAgency, RecipientOrgID: operator.ID, Recipient: operator, Purpose: "protect", Findings: finding}, "government organisations only"},
		{"§28 to the commission", sharing.CheckAnalysisBasis,
			commsinfo.BasisRequest{Basis: commsinfo.BasisAnalysis, RecipientKind: commsinfo.RecipientAgency, RecipientOrgID: "org_c", Recipient: auth.Org{ID: "org_c", Kind: auth.OrgCommission}, Purpose: "protect", Findings: finding}, "government organisations only"},
		{"§28 as a foreign government", sharing.CheckAnalysisBasis,
			commsinfo.BasisRequest{Basis: commsinfo.BasisAnalysis, RecipientKind: commsinfo.RecipientForeignGovernment, RecipientName: "X", Purpose: "protect", Findings: finding}, "recipient kind"},
		{"§28 without an organisation", sharing.CheckAnalysisBasis,
			commsinfo.BasisRequest{Basis: commsinfo.BasisAnalysis, RecipientKind: commsinfo.RecipientAgency, Purpose: "protect", Findings: finding}, "recipient_org_id"},
		// §39: findings to a named foreign government with a purpose.
		{"§39 findings to a foreign government", sharing.CheckForeignBasis,
			commsinfo.BasisRequest{Basis: commsinfo.BasisForeign, RecipientKind: commsinfo.RecipientForeignGovernment, RecipientName: "CISA (United States)", Purpose: "joint attribution", Findings: finding}, ""},
		{"§39 unnamed", sharing.CheckForeignBasis,
			commsinfo.BasisRequest{Basis: commsinfo.BasisForeign, RecipientKind: commsinfo.RecipientForeignGovernment, Purpose: "joint attribution", Findings: finding}, "recipient_name"},
		{"§39 without a purpose", sharing.CheckForeignBasis,
			commsinfo.BasisRequest{Basis: commsinfo.BasisForeign, RecipientKind: commsinfo.RecipientForeignGovernment, RecipientName: "CISA", Purpose: " ", Findings: finding}, "purpose"},
		{"§39 with selected records", sharing.CheckForeignBasis,
			commsinfo.BasisRequest{Basis: commsinfo.BasisForeign, RecipientKind: commsinfo.RecipientForeignGovernment, RecipientName: "CISA", Purpose: "x", Findings: finding, RecordCount: 1}, "not selected records"},
		{"§39 to an agency", sharing.CheckForeignBasis,
			commsinfo.BasisRequest{Basis: commsinfo.BasisForeign, RecipientKind: commsinfo.RecipientAgency, RecipientOrgID: agency.ID, Recipient: agency, Purpose: "x", Findings: finding}, "recipient kind"},
		{"§39 naming a Japanese organisation", sharing.CheckForeignBasis,
			commsinfo.BasisRequest{Basis: commsinfo.BasisForeign, RecipientKind: commsinfo.RecipientForeignGovernment, RecipientName: "Kanto", RecipientOrgID: operator.ID, Recipient: operator, Purpose: "x", Findings: finding}, "Japanese organisation"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.check(context.Background(), &c.req)
			switch {
			case c.want == "" && err != nil:
				t.Errorf("got refusal %q, want acceptance", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Errorf("got %v, want a refusal saying %q", err, c.want)
			}
		})
	}
}

// approvals is a commsinfo.Approvals with none.
type approvals struct{}

func (approvals) Approval(context.Context, string) (commsinfo.ApprovalInfo, error) {
	return commsinfo.ApprovalInfo{}, commsinfo.ErrNotFound
}

// TestRegisterBases provides a finding through commsinfo under the bases
// RegisterBases adds.
func TestRegisterBases(t *testing.T) {
	each(t, func(t *testing.T, e *sharingtest.Env) {
		p := e.Platform
		ci, err := commsinfo.New(e.Ctx, commsinfo.Deps{DB: p.DB, Log: p.Log, Orgs: p.Auth, Approvals: approvals{}}, commsinfo.Config{Now: p.Clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		if err := sharing.RegisterBases(ci); err != nil {
			t.Fatal(err)
		}
		if err := sharing.RegisterBases(ci); err == nil {
			t.Errorf("registering the bases twice succeeded")
		}
		analyst := e.P("author")
		f, err := ci.CreateFinding(e.Ctx, analyst, commsinfo.FindingInput{Title: "C2 server", Assessment: "A C2 server abroad.",
			Indicators: []commsinfo.Indicator{{Type: "ipv4", Value: "203.0.113.9"}},
			Sources:    []commsinfo.FindingSource{{Kind: commsinfo.SourceReport, ReportID: "rep_1"}}})
		if err != nil {
			t.Fatal(err)
		}
		pv, err := ci.Provide(e.Ctx, analyst, commsinfo.ProvisionRequest{RecipientOrgID: e.Orgs["npa"].ID, RecipientKind: commsinfo.RecipientAgency,
			Basis: commsinfo.BasisAnalysis, Purpose: "to take measures", FindingIDs: []string{f.ID}})
		if err != nil || pv.Basis != "§28" {
			t.Fatalf("§28 provision: %v %+v", err, pv)
		}
		if _, err := ci.Provide(e.Ctx, analyst, commsinfo.ProvisionRequest{RecipientName: "CERT-EU", RecipientKind: commsinfo.RecipientForeignGovernment,
			Basis: commsinfo.BasisForeign, Purpose: "joint attribution", FindingIDs: []string{f.ID}}); err != nil {
			t.Fatalf("§39 provision: %v", err)
		}
		_, err = ci.Provide(e.Ctx, analyst, commsinfo.ProvisionRequest{RecipientOrgID: e.Orgs["opr"].ID, RecipientKind: commsinfo.RecipientAgency,
			Basis: commsinfo.BasisAnalysis, Purpose: "x", FindingIDs: []string{f.ID}})
		if !errors.Is(err, commsinfo.ErrRefused) || !strings.Contains(err.Error(), "government organisations only") {
			t.Errorf("§28 to an operator: got %v, want a refusal saying why", err)
		}
	})
}
