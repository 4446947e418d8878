package reporting

import (
	"context"

	"github.com/acd-platform/acd/internal/store"
)

// AssetObserver is told of every change to a specified critical computer:
// creation, update, retirement and bulk import (the vulnerability service
// uses it to keep its matches current, §42).
type AssetObserver interface {
	// AssetChanged is called inside the transaction that records a
	// change, with the computer's new state (Retired set when retired). It
	// may write to tx and to nothing else: the transaction may still roll
	// back after it returns. An error rolls the change back.
	AssetChanged(ctx context.Context, tx *store.Tx, a CriticalComputer) error
	// AssetsCommitted is called after a transaction in which AssetChanged
	// was called has committed (not after a rollback or a dry run).
	AssetsCommitted(ctx context.Context)
}

// SetAssetObserver makes o the observer of asset changes; nil removes it.
// It is safe to call at any time; changes already in progress may or may
// not see o.
func (s *Service) SetAssetObserver(o AssetObserver) {
	s.observerMu.Lock()
	defer s.observerMu.Unlock()
	s.observer = o
}

func (s *Service) assetObserver() AssetObserver {
	s.observerMu.Lock()
	defer s.observerMu.Unlock()
	return s.observer
}

// assetsCommitted tells the observer that a transaction of asset changes
// ended with err; only a commit (nil) is passed on.
func (s *Service) assetsCommitted(ctx context.Context, err error) {
	if err != nil {
		return
	}
	if o := s.assetObserver(); o != nil {
		o.AssetsCommitted(ctx)
	}
}
