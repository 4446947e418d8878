package auth

import (
	"context"
	"database/sql"
	"errors"

	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/store"
)

// RegisterResolvers registers on l the resolvers of the resource types this
// package audits ("org", "user", "grant", "session", "token"), so that
// auditlog.Verify can check the latest entry of each against its stored
// record. New calls it; tools that verify the log without a Service (acd log
// verify) call it themselves. Each resolver returns exactly the payload the
// package appends for that resource: public fields, never secrets.
func RegisterResolvers(l *auditlog.Log) {
	l.RegisterResolver("org", func(ctx context.Context, q store.Querier, id string) (any, error) {
		return resolved(scanOrg(q.QueryRow(ctx, "SELECT "+orgCols+" FROM auth_orgs WHERE id = ?", id)))
	})
	l.RegisterResolver("user", func(ctx context.Context, q store.Querier, id string) (any, error) {
		u, err := scanUser(q.QueryRow(ctx, "SELECT "+userCols+" FROM auth_users WHERE id = ?", id))
		if err != nil {
			return resolved(u, err)
		}
		return userPayload(u), nil
	})
	l.RegisterResolver("grant", func(ctx context.Context, q store.Querier, id string) (any, error) {
		return resolved(scanGrant(q.QueryRow(ctx, "SELECT "+grantCol+" FROM auth_grants WHERE id = ?", id)))
	})
	l.RegisterResolver("session", func(ctx context.Context, q store.Querier, id string) (any, error) {
		return resolved(scanSession(q.QueryRow(ctx, "SELECT "+sessionCols+" FROM auth_sessions WHERE id = ?", id)))
	})
	l.RegisterResolver("token", func(ctx context.Context, q store.Querier, id string) (any, error) {
		return resolved(scanToken(q.QueryRow(ctx, "SELECT "+tokenCols+" FROM auth_tokens WHERE id = ?", id)))
	})
}

func resolved[T any](v T, err error) (any, error) {
	if errors.Is(err, sql.ErrNoRows) {
		return nil, auditlog.ErrNoRecord
	}
	if err != nil {
		return nil, err
	}
	return v, nil
}
