package sharing_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/acd-platform/acd/internal/sharing"
	"github.com/acd-platform/acd/internal/sharing/sharingtest"
)

// TestVisibility runs the TLP/clearance table through the service: each
// (item, reader) cell through Shared, and every reader's list through
// SharedItems.
func TestVisibility(t *testing.T) {
	each(t, func(t *testing.T, e *sharingtest.Env) {
		cases := sharingtest.Table(t, e)
		lists := map[string][]string{}
		for _, r := range sharingtest.Readers {
			items, err := e.Svc.SharedItems(e.Ctx, e.P(r), sharing.SharedFilter{Limit: 1000})
			if err != nil {
				t.Fatalf("list as %s: %v", r, err)
			}
			for _, it := range items {
				lists[r] = append(lists[r], it.ID)
			}
		}
		for _, c := range cases {
			a, err := e.Svc.Shared(e.Ctx, e.P(c.Reader), c.ID)
			got := err == nil
			if err != nil && !errors.Is(err, sharing.ErrNotFound) {
				t.Fatalf("%s as %s: %v", c.Item, c.Reader, err)
			}
			if got != c.Want {
				t.Errorf("%s (%s) read by %s: got visible %v, want %v", c.Item, c.Level, c.Reader, got, c.Want)
			}
			if got && a.ID != c.ID {
				t.Errorf("%s read by %s: got advisory %s, want %s", c.Item, c.Reader, a.ID, c.ID)
			}
			if listed := slices.Contains(lists[c.Reader], c.ID); listed != c.Want {
				t.Errorf("%s (%s) in the list of %s: got %v, want %v", c.Item, c.Level, c.Reader, listed, c.Want)
			}
		}
	})
}
