package commsinfo_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/commsinfo"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
)

func TestCooperation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, envOpts{})
		in := commsinfo.CooperationInput{RecipientOrgID: "org_npa", Purpose: "Attribute the C2 of campaign X",
			Scope: commsinfo.CooperationScope{Description: "flows to 8.8.1.1", Approvals: []string{"apv_transit"}}, Due: t0.Add(72 * time.Hour)}
		var fe *commsinfo.FieldError
		for _, bad := range []struct {
			name string
			mut  func(*commsinfo.CooperationInput)
		}{
			{"no purpose", func(c *commsinfo.CooperationInput) { c.Purpose = " " }},
			{"to an operator", func(c *commsinfo.CooperationInput) { c.RecipientOrgID = "org_op" }},
			{"to itself", func(c *commsinfo.CooperationInput) { c.RecipientOrgID = "org_nco" }},
			{"unknown approval", func(c *commsinfo.CooperationInput) { c.Scope.Approvals = []string{"apv_nope"} }},
			{"due in the past", func(c *commsinfo.CooperationInput) { c.Due = t0.Add(-time.Hour) }},
		} {
			c := in
			c.Scope.Approvals = append([]string(nil), in.Scope.Approvals...)
			bad.mut(&c)
			if _, err := e.svc.RequestCooperation(e.ctx, e.analyst, c); !errors.As(err, &fe) {
				t.Errorf("%s: got %v, want a field error", bad.name, err)
			}
		}
		if _, err := e.svc.RequestCooperation(e.ctx, e.police, in); !errors.Is(err, commsinfo.ErrForbidden) {
			t.Errorf("filed by police: got %v, want forbidden", err)
		}
		c, err := e.svc.RequestCooperation(e.ctx, e.analyst, in)
		if err != nil {
			t.Fatal(err)
		}
		if c.State != commsinfo.CoopRequested {
			t.Errorf("state: got %s", c.State)
		}
		// METI may not see it, the police may.
		if _, err := e.svc.Cooperation(e.ctx, e.meti, c.ID); !errors.Is(err, commsinfo.ErrNotFound) {
			t.Errorf("meti reads: got %v, want not found", err)
		}
		if _, err := e.svc.AnswerCooperation(e.ctx, e.meti, c.ID, true, ""); !errors.Is(err, commsinfo.ErrNotFound) {
			t.Errorf("meti answers: got %v, want not found", err)
		}
		if _, err := e.svc.AnswerCooperation(e.ctx, e.analyst, c.ID, true, ""); !errors.Is(err, commsinfo.ErrForbidden) {
			t.Errorf("requester answers: got %v, want forbidden", err)
		}
		if _, err := e.svc.AnswerCooperation(e.ctx, e.police, c.ID, false, ""); !errors.As(err, &fe) || fe.Field != "reason" {
			t.Errorf("decline without reason: got %v, want a reason field error", err)
		}
		c, err = e.svc.AnswerCooperation(e.ctx, e.police, c.ID, true, "Our cyber unit will help.")
		if err != nil {
			t.Fatal(err)
		}
		if c.State != commsinfo.CoopAccepted || c.AnsweredBy != "usr_police" {
			t.Errorf("accepted: got %+v", c)
		}
		if _, err := e.svc.AnswerCooperation(e.ctx, e.police, c.ID, false, "changed our mind"); !errors.Is(err, commsinfo.ErrConflict) {
			t.Errorf("answer twice: got %v, want conflict", err)
		}
		if list, _ := e.svc.Cooperations(e.ctx, e.police, commsinfo.CooperationFilter{}); len(list) != 1 {
			t.Errorf("police list: got %d, want 1", len(list))
		}
		if list, _ := e.svc.Cooperations(e.ctx, e.meti, commsinfo.CooperationFilter{}); len(list) != 0 {
			t.Errorf("meti list: got %d, want 0", len(list))
		}
		c, err = e.svc.EndCooperation(e.ctx, e.police, c.ID, "analysis done")
		if err != nil {
			t.Fatal(err)
		}
		if c.State != commsinfo.CoopEnded {
			t.Errorf("ended: got %s", c.State)
		}
		// A second request is declined with a reason.
		c2, err := e.svc.RequestCooperation(e.ctx, e.analyst, in)
		if err != nil {
			t.Fatal(err)
		}
		if c2, err = e.svc.AnswerCooperation(e.ctx, e.police, c2.ID, false, "no capacity this month"); err != nil || c2.State != commsinfo.CoopDeclined {
			t.Errorf("decline: got %+v, %v", c2, err)
		}
		if _, err := e.svc.EndCooperation(e.ctx, e.analyst, c2.ID, ""); !errors.Is(err, commsinfo.ErrConflict) {
			t.Errorf("end declined: got %v, want conflict", err)
		}
		for _, a := range []string{"cooperation.request", "cooperation.accept", "cooperation.end", "cooperation.decline"} {
			if e.countActions(t, a) == 0 {
				t.Errorf("no %s audit entry", a)
			}
		}
	})
}

func TestFinding(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, envOpts{})
		run := e.upload(t, basicRun()).RunID
		in := commsinfo.FindingInput{
			Title: "C2 over TLS", Assessment: "Flows to login.bad.example carry beacons.",
			Indicators: []commsinfo.Indicator{{Type: "ipv4", Value: "8.9.9.9"}, {Type: "ipv6", Value: "2a00::/32"}, {Type: "domain", Value: "Login.Bad.Example."},
				{Type: "url", Value: "https://login.bad.example/x"}, {Type: "sha256", Value: strings.Repeat("AB", 32)}},
			Techniques: []string{"t1071.001"},
			Sources: []commsinfo.FindingSource{
				{Kind: commsinfo.SourceSelectedQuery, Query: &commsinfo.RecordQuery{Approval: "apv_transit", Domain: "bad.example"}},
				{Kind: commsinfo.SourceSelectedRecords, RecordIDs: []string{run + ".5"}},
				{Kind: commsinfo.SourceReport, ReportID: "rep_123"},
			},
		}
		f, err := e.svc.CreateFinding(e.ctx, e.analyst, in)
		if err != nil {
			t.Fatal(err)
		}
		if f.Indicators[2].Value != "login.bad.example" || f.Indicators[4].Value != strings.Repeat("ab", 32) || f.Techniques[0] != "T1071.001" {
			t.Errorf("normalised: got %+v %v", f.Indicators, f.Techniques)
		}
		if s := f.Sources[0]; s.Count != 2 || s.LegalBasis != "§23: selected under approval apv_transit (ch4)" {
			t.Errorf("query source: got %+v", s)
		}
		if s := f.Sources[1]; s.Count != 1 || len(s.Approvals) != 1 || s.Approvals[0] != "apv_transit" {
			t.Errorf("records source: got %+v", s)
		}
		if s := f.Sources[2]; s.LegalBasis != "§5: incident report" {
			t.Errorf("report source: got %+v", s)
		}
		got, err := e.svc.Finding(e.ctx, f.ID)
		if err != nil || got.Title != f.Title || len(got.Approvals) != 1 {
			t.Errorf("Finding: got %+v, %v", got, err)
		}
		if list, _ := e.svc.Findings(e.ctx, commsinfo.FindingFilter{ApprovalID: "apv_transit"}); len(list) != 1 {
			t.Errorf("by approval: got %d, want 1", len(list))
		}
		if list, _ := e.svc.Findings(e.ctx, commsinfo.FindingFilter{ApprovalID: "apv_inout"}); len(list) != 0 {
			t.Errorf("other approval: got %d, want 0", len(list))
		}
		tests := []struct {
			name  string
			mut   func(*commsinfo.FindingInput)
			field string
		}{
			{"no title", func(f *commsinfo.FindingInput) { f.Title = "" }, "title"},
			{"bad ip", func(f *commsinfo.FindingInput) {
				f.Indicators = []commsinfo.Indicator{{Type: "ipv4", Value: "2a00::1"}}
			}, "indicators[0].value"},
			{"bad hash", func(f *commsinfo.FindingInput) { f.Indicators = []commsinfo.Indicator{{Type: "md5", Value: "xyz"}} }, "indicators[0].value"},
			{"bad url", func(f *commsinfo.FindingInput) { f.Indicators = []commsinfo.Indicator{{Type: "url", Value: "ftp://x"}} }, "indicators[0].value"},
			{"bad type", func(f *commsinfo.FindingInput) { f.Indicators = []commsinfo.Indicator{{Type: "yara", Value: "x"}} }, "indicators[0].type"},
			{"bad technique", func(f *commsinfo.FindingInput) { f.Techniques = []string{"TA0001"} }, "techniques[0]"},
			{"no sources", func(f *commsinfo.FindingInput) { f.Sources = nil }, "sources"},
			// A query without its approval has no legal basis.
			{"query without approval", func(f *commsinfo.FindingInput) {
				f.Sources = []commsinfo.FindingSource{{Kind: commsinfo.SourceSelectedQuery, Query: &commsinfo.RecordQuery{Domain: "x.example"}}}
			}, "sources[0].query.approval"},
			{"unknown record", func(f *commsinfo.FindingInput) {
				f.Sources = []commsinfo.FindingSource{{Kind: commsinfo.SourceSelectedRecords, RecordIDs: []string{run + ".99"}}}
			}, "sources[0].record_ids[0]"},
			{"unknown kind", func(f *commsinfo.FindingInput) { f.Sources = []commsinfo.FindingSource{{Kind: "rumour"}} }, "sources[0].kind"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				c := in
				c.Indicators = append([]commsinfo.Indicator(nil), in.Indicators...)
				c.Techniques = append([]string(nil), in.Techniques...)
				c.Sources = append([]commsinfo.FindingSource(nil), in.Sources...)
				tt.mut(&c)
				_, err := e.svc.CreateFinding(e.ctx, e.analyst, c)
				var fe *commsinfo.FieldError
				if !errors.As(err, &fe) || fe.Field != tt.field {
					t.Errorf("got %v, want a field error on %s", err, tt.field)
				}
			})
		}
	})
}

func TestProvision(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, envOpts{measures: cases{"case_1/org_npa": true}})
		run := e.upload(t, basicRun()).RunID
		agrRun, err := e.svc.Upload(e.ctx, e.analyst, "apv_agr", bytes.NewReader((runSpec{seen: 10, selected: 1, records: []string{
			flowRec(1, t0, "8.0.0.1", "133.0.0.1", 1, 2, "foreign-domestic", ""),
		}}).build()))
		if err != nil {
			t.Fatal(err)
		}
		f, err := e.svc.CreateFinding(e.ctx, e.analyst, commsinfo.FindingInput{Title: "t", Assessment: "a",
			Sources: []commsinfo.FindingSource{{Kind: commsinfo.SourceSelectedRecords, RecordIDs: []string{run + ".5"}}}})
		if err != nil {
			t.Fatal(err)
		}
		coop := func(scope []string) commsinfo.CooperationRequest {
			t.Helper()
			c, err := e.svc.RequestCooperation(e.ctx, e.analyst, commsinfo.CooperationInput{RecipientOrgID: "org_npa", Purpose: "p",
				Scope: commsinfo.CooperationScope{Description: "d", Approvals: scope}})
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		pending := coop(nil)
		accepted := coop([]string{"apv_transit"})
		if _, err := e.svc.AnswerCooperation(e.ctx, e.police, accepted.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		outOfScope := coop([]string{"apv_inout"})
		if _, err := e.svc.AnswerCooperation(e.ctx, e.police, outOfScope.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		transitQuery := &commsinfo.RecordQuery{Approval: "apv_transit"}
		refused := []struct {
			name   string
			req    commsinfo.ProvisionRequest
			reason string
		}{
			{"no cooperation request", commsinfo.ProvisionRequest{RecipientOrgID: "org_npa", RecipientKind: commsinfo.RecipientAgencyCooperation,
				Basis: commsinfo.BasisCooperation, Purpose: "p", Query: transitQuery}, "no cooperation request"},
			{"request not accepted", commsinfo.ProvisionRequest{RecipientOrgID: "org_npa", RecipientKind: commsinfo.RecipientAgencyCooperation,
				Basis: commsinfo.BasisCooperation, Reference: pending.ID, Purpose: "p", Query: transitQuery}, "is requested, not accepted"},
			{"request to another agency", commsinfo.ProvisionRequest{RecipientOrgID: "org_meti", RecipientKind: commsinfo.RecipientAgencyCooperation,
				Basis: commsinfo.BasisCooperation, Reference: accepted.ID, Purpose: "p", Query: transitQuery}, "another organisation"},
			{"outside the scope", commsinfo.ProvisionRequest{RecipientOrgID: "org_npa", RecipientKind: commsinfo.RecipientAgencyCooperation,
				Basis: commsinfo.BasisCooperation, Reference: outOfScope.ID, Purpose: "p", Query: transitQuery}, "outside the scope"},
			{"finding outside the scope", commsinfo.ProvisionRequest{RecipientOrgID: "org_npa", RecipientKind: commsinfo.RecipientAgencyCooperation,
				Basis: commsinfo.BasisCooperation, Reference: outOfScope.ID, Purpose: "p", FindingIDs: []string{f.ID}}, "outside the scope"},
			{"no measure case", commsinfo.ProvisionRequest{RecipientOrgID: "org_meti", RecipientKind: commsinfo.RecipientAgencyMeasure,
				Basis: commsinfo.BasisMeasure, Reference: "case_1", Purpose: "p", Query: transitQuery}, "no measure case"},
			{"transit records to an operator", commsinfo.ProvisionRequest{RecipientOrgID: "org_op", RecipientKind: commsinfo.RecipientAgreementOperator,
				Basis: commsinfo.BasisAgreement, Purpose: "p", Query: transitQuery}, "not selected under an agreement"},
			{"agreement records to another operator", commsinfo.ProvisionRequest{RecipientOrgID: "org_op2", RecipientKind: commsinfo.RecipientAgreementOperator,
				Basis: commsinfo.BasisAgreement, Purpose: "p", Query: &commsinfo.RecordQuery{Approval: "apv_agr"}}, "another operator"},
			{"kind and basis mismatch", commsinfo.ProvisionRequest{RecipientOrgID: "org_npa", RecipientKind: commsinfo.RecipientAgency,
				Basis: commsinfo.BasisCooperation, Reference: accepted.ID, Purpose: "p", Query: transitQuery}, "is for recipient kind agency_cooperation"},
			{"§28 not registered", commsinfo.ProvisionRequest{RecipientOrgID: "org_npa", RecipientKind: commsinfo.RecipientAgency,
				Basis: commsinfo.BasisAnalysis, Purpose: "p", FindingIDs: []string{f.ID}}, `no legal basis "§28" is known`},
			{"unknown recipient", commsinfo.ProvisionRequest{RecipientOrgID: "org_nope", RecipientKind: commsinfo.RecipientAgencyCooperation,
				Basis: commsinfo.BasisCooperation, Reference: accepted.ID, Purpose: "p", Query: transitQuery}, "unknown recipient"},
		}
		for _, tt := range refused {
			t.Run("refused/"+tt.name, func(t *testing.T) {
				before := e.countActions(t, "provision.refused")
				_, err := e.svc.Provide(e.ctx, e.analyst, tt.req)
				var re *commsinfo.RefusedError
				if !errors.As(err, &re) || !errors.Is(err, commsinfo.ErrRefused) {
					t.Fatalf("got %v, want a refusal", err)
				}
				if !strings.Contains(re.Reason, tt.reason) {
					t.Errorf("reason %q: want it to contain %q", re.Reason, tt.reason)
				}
				if got := e.countActions(t, "provision.refused"); got != before+1 {
					t.Errorf("provision.refused entries: got %d, want %d", got, before+1)
				}
			})
		}
		if got := e.count(t, "ci_provisions"); got != 0 {
			t.Fatalf("provisions after refusals: %d", got)
		}
		refusals, err := e.svc.Refusals(e.ctx, time.Time{}, time.Time{})
		if err != nil || len(refusals) != len(refused) {
			t.Errorf("refusals: got %d, %v, want %d", len(refusals), err, len(refused))
		}

		// Each valid basis.
		byCoop, err := e.svc.Provide(e.ctx, e.analyst, commsinfo.ProvisionRequest{RecipientOrgID: "org_npa", RecipientKind: commsinfo.RecipientAgencyCooperation,
			Basis: commsinfo.BasisCooperation, Reference: accepted.ID, Purpose: "analyse the C2", Query: transitQuery, FindingIDs: []string{f.ID}})
		if err != nil {
			t.Fatal(err)
		}
		if byCoop.RecordCount != 5 || byCoop.FindingCount != 1 || byCoop.Approvals[0] != "apv_transit" || byCoop.ProviderUserID != "usr_analyst" {
			t.Errorf("cooperation provision: got %+v", byCoop)
		}
		byMeasure, err := e.svc.Provide(e.ctx, e.analyst, commsinfo.ProvisionRequest{RecipientOrgID: "org_npa", RecipientKind: commsinfo.RecipientAgencyMeasure,
			Basis: commsinfo.BasisMeasure, Reference: "case_1", Purpose: "neutralise the C2", RecordIDs: []string{run + ".5"}})
		if err != nil {
			t.Fatal(err)
		}
		byAgreement, err := e.svc.Provide(e.ctx, e.analyst, commsinfo.ProvisionRequest{RecipientOrgID: "org_op", RecipientKind: commsinfo.RecipientAgreementOperator,
			Basis: commsinfo.BasisAgreement, Reference: "agr_1", Purpose: "results of the agreement", Query: &commsinfo.RecordQuery{Run: agrRun.RunID}})
		if err != nil {
			t.Fatal(err)
		}
		if byAgreement.RecordCount != 1 {
			t.Errorf("agreement provision: got %d records, want 1", byAgreement.RecordCount)
		}
		if got := e.countActions(t, "provision.create"); got != 3 {
			t.Errorf("provision.create entries: got %d, want 3", got)
		}

		// A basis registered later (as the sharing capability will).
		if err := e.svc.RegisterBasis(commsinfo.BasisAnalysis, commsinfo.BasisFunc(func(_ context.Context, r *commsinfo.BasisRequest) error {
			if r.RecordCount > 0 {
				return errors.New("§28 provides analysis information, not selected records")
			}
			return nil
		})); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.RegisterBasis(commsinfo.BasisAnalysis, commsinfo.BasisFunc(nil)); err == nil {
			t.Error("registering a basis twice: got nil error")
		}
		if _, err := e.svc.Provide(e.ctx, e.analyst, commsinfo.ProvisionRequest{RecipientOrgID: "org_meti", RecipientKind: commsinfo.RecipientAgency,
			Basis: commsinfo.BasisAnalysis, Purpose: "p", FindingIDs: []string{f.ID}}); err != nil {
			t.Errorf("§28 with a finding: %v", err)
		}

		// Recipients read their own provisions only.
		list, err := e.svc.Provisions(e.ctx, e.police, commsinfo.ProvisionFilter{})
		if err != nil || len(list) != 2 {
			t.Errorf("police: got %d provisions, %v, want 2", len(list), err)
		}
		list, _ = e.svc.Provisions(e.ctx, e.op, commsinfo.ProvisionFilter{})
		if len(list) != 1 || list[0].ID != byAgreement.ID {
			t.Errorf("operator: got %+v, want its agreement's provision", list)
		}
		list, _ = e.svc.Provisions(e.ctx, e.member, commsinfo.ProvisionFilter{})
		if len(list) != 4 {
			t.Errorf("commission: got %d, want 4", len(list))
		}
		if _, err := e.svc.Provision(e.ctx, e.op2, byAgreement.ID); !errors.Is(err, commsinfo.ErrNotFound) {
			t.Errorf("other operator reads: got %v, want not found", err)
		}
		recs, err := e.svc.ProvidedRecords(e.ctx, e.police, byMeasure.ID, commsinfo.Page{})
		if err != nil || len(recs.Records) != 1 || recs.Records[0].ID != run+".5" {
			t.Errorf("provided records: got %+v, %v", recs, err)
		}
		if _, err := e.svc.ProvidedRecords(e.ctx, e.op, byMeasure.ID, commsinfo.Page{}); !errors.Is(err, commsinfo.ErrNotFound) {
			t.Errorf("operator reads police provision: got %v, want not found", err)
		}
		fs, err := e.svc.ProvidedFindings(e.ctx, e.police, byCoop.ID)
		if err != nil || len(fs) != 1 || fs[0].ID != f.ID {
			t.Errorf("provided findings: got %+v, %v", fs, err)
		}
		if e.countActions(t, "provision.read") != 1 {
			t.Error("reading provided records is not audited")
		}

		st, err := e.svc.Stats(e.ctx, t0.Add(-time.Hour), t0.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if st.Runs != 2 || st.Records != 6 || st.Refused != int64(len(refused)) || len(st.Provisions) != 4 {
			t.Errorf("stats: got %+v", st)
		}
		if st.Total.Seen.Packets != 1010 || st.Directions["foreign-foreign"].Selected.Packets != 11 {
			t.Errorf("stats totals: got %+v / %+v", st.Total, st.Directions)
		}
		for _, pc := range st.Provisions {
			if pc.Basis == commsinfo.BasisCooperation && (pc.Provisions != 1 || pc.Records != 5 || pc.Findings != 1) {
				t.Errorf("§23/§27 count: got %+v", pc)
			}
		}
		// Bad requests are field errors, not refusals.
		var fe *commsinfo.FieldError
		if _, err := e.svc.Provide(e.ctx, e.analyst, commsinfo.ProvisionRequest{RecipientOrgID: "org_npa", RecipientKind: commsinfo.RecipientAgencyCooperation,
			Basis: commsinfo.BasisCooperation, Reference: accepted.ID, Purpose: "p"}); !errors.As(err, &fe) {
			t.Errorf("nothing provided: got %v, want a field error", err)
		}
	})
}
