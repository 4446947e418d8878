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
// record, and a lister for each, so that Verify reports a row that has no
// entry at all (one inserted behind the service's back, such as an active
// admin grant). New calls it; tools that verify the log without a Service
// (acd log verify) call it themselves. Each resolver returns exactly the
// payload the package appends for that resource: public fields, never
// secrets, and for users, sessions and tokens a SHA-256 fingerprint of the
// stored credentials ("credential"), so that a credential replaced in the
// database fails the check.
//
// Every row of these tables is written together with an entry about it.
// Login challenges are transient, not audited and not listed.
func RegisterResolvers(l *auditlog.Log) {
	for typ, table := range auditedTables {
		l.RegisterLister(typ, auditlog.TableLister("", table))
	}
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
		return resolved(scanTokenRecord(q.QueryRow(ctx, "SELECT "+tokenRecCols+" FROM auth_tokens WHERE id = ?", id)))
	})
}

// auditedTables maps each audited resource type to the table of its rows.
var auditedTables = map[string]string{
	"org":     "auth_orgs",
	"user":    "auth_users",
	"grant":   "auth_grants",
	"session": "auth_sessions",
	"token":   "auth_tokens",
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
