package server

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/acd-platform/acd/internal/annualreport"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/blocklist"
	"github.com/acd-platform/acd/internal/commsinfo"
	"github.com/acd-platform/acd/internal/inspection"
	"github.com/acd-platform/acd/internal/measures"
	"github.com/acd-platform/acd/internal/oversight"
)

// approvals gives commsinfo the approvals its runs rest on.
type approvals struct{ o *oversight.Service }

func (a approvals) Approval(ctx context.Context, id string) (commsinfo.ApprovalInfo, error) {
	ap, err := a.o.Approval(ctx, id)
	if errors.Is(err, oversight.ErrNotFound) {
		return commsinfo.ApprovalInfo{}, fmt.Errorf("approval %s: %w", id, commsinfo.ErrNotFound)
	}
	if err != nil {
		return commsinfo.ApprovalInfo{}, err
	}
	return commsinfo.ApprovalInfo{
		ID: ap.ID, Basis: ap.Basis, AgreementID: ap.AgreementID, OperatorOrgID: ap.OperatorOrgID,
		CriteriaSHA256: ap.CriteriaSHA256, CriteriaID: ap.CriteriaID, CriteriaVersion: ap.CriteriaVersion,
		Directions: ap.Directions, ValidFrom: ap.ValidFrom, ValidUntil: ap.ValidUntil,
		Revoked:   ap.State == oversight.ApprovalRevoked,
		RetainFor: time.Duration(ap.RetentionDays) * 24 * time.Hour,
	}, nil
}

// recommender lets the commission answer a measure's post-notification
// with a recommendation of the inspection service, addressed to the
// officer's agency.
type recommender struct{ in *inspection.Service }

func (r recommender) Recommend(ctx context.Context, p *auth.Principal, orgID, text, rating string, due time.Time) (string, error) {
	rec, err := r.in.IssueRecommendation(ctx, p, inspection.NewRecommendation{OrgID: orgID, Text: text, Rating: inspection.Rating(rating), Due: due})
	return rec.ID, err
}

// caseTargets gives the blocklist the targets of measure cases.
type caseTargets struct{ m *measures.Service }

func (c caseTargets) CaseTargets(ctx context.Context, caseID string) ([]blocklist.CaseTarget, string, error) {
	ts, state, err := c.m.CaseTargets(ctx, caseID)
	if err != nil {
		return nil, "", err
	}
	out := make([]blocklist.CaseTarget, len(ts))
	for i, t := range ts {
		out[i] = blocklist.CaseTarget{Address: t.Address, Domain: t.Domain}
	}
	return out, string(state), nil
}

// measureFigures gives the annual report the year's measures.
type measureFigures struct{ m *measures.Service }

func (f measureFigures) MeasureFigures(ctx context.Context, from, to time.Time) (annualreport.Measures, error) {
	st, err := f.m.Stats(ctx, from, to)
	if err != nil {
		return annualreport.Measures{}, err
	}
	return annualreport.Measures{
		PriorApproved: st.PriorApproved, Emergency: st.Emergency,
		PostNoticesOnTime: st.PostNoticesOnTime, PostNoticesLate: st.PostNoticesLate, PostNoticesMissing: st.PostNoticesMissing,
		CasesPolice: st.CasesPolice, CasesSDFProtection: st.CasesSDFProtection, CasesSDFGuard: st.CasesSDFGuard,
		ForeignTargets: st.ForeignTargets, MOFAConsultations: st.MOFAConsultations, ApprovalsRefused: st.ApprovalsRefused,
		OrdersIssued: st.OrdersIssued, Executions: st.Executions, Closed: st.Closed,
	}, nil
}
