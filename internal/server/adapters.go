package server

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/acd-platform/acd/internal/commsinfo"
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
