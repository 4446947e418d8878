package measures

import (
	"context"

	"github.com/acd-platform/acd/internal/store"
)

// PutCase stores c as its case's record, bypassing every check and the
// audit log: tests build with it states the service never reaches, to show
// that the gates hold anyway.
func PutCase(ctx context.Context, s *Service, c Case) error {
	return s.db.Tx(ctx, func(tx *store.Tx) error { return updateCase(ctx, tx, &c) })
}

// CheckCaseInput validates and normalises in as OpenCase does, without
// the organisation lookup.
func CheckCaseInput(in *CaseInput) error { return checkCaseInput(in) }
