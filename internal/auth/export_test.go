package auth

import (
	"context"

	"github.com/acd-platform/acd/internal/store"
)

// StoreGrant inserts g as addGrants does after its check of the roles held,
// as a request that raced past that check would.
func StoreGrant(ctx context.Context, s *Service, g Grant) error {
	return s.db.Tx(ctx, func(tx *store.Tx) error { return storeGrant(ctx, tx, g) })
}
