package sharing

import (
	"context"
	"fmt"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/stix"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/tlp"
)

// Publisher receives the STIX objects of a published advisory, inside the
// transaction that publishes it; the TAXII server implements it and
// serves them in the collection named. Publish MUST write through tx (so
// the objects exist exactly when the advisory is published) and MUST
// store each object with the marking m, which decides per object who may
// read it (tlp.Scale.Visible).
//
// The same objects may be published again: to a further collection, or,
// when a TLP:AMBER item is forwarded, with the same id and modified and a
// marking with more recipient organisations, which replaces the stored
// marking. A withdrawn advisory's objects come again as a new version
// with revoked set.
type Publisher interface {
	Publish(ctx context.Context, tx *store.Tx, collection string, objs []stix.Object, m tlp.Marking) error
}

// Collections the objects of an advisory are published to.
const (
	// CollectionPublic holds TLP:CLEAR objects: anyone reads them.
	CollectionPublic = "public"
	// CollectionGreen holds TLP:GREEN objects: every council member.
	CollectionGreen = "council-green"
	// CollectionAmber holds TLP:AMBER, TLP:AMBER+STRICT and TLP:RED
	// objects, each read by its recipients.
	CollectionAmber = "council-amber"
	// OrgCollectionPrefix names an operator's own collection:
	// "org-" + the organisation id.
	OrgCollectionPrefix = "org-"
)

// Collection returns the collection of objects marked at level.
func Collection(level tlp.Level) string {
	switch level {
	case tlp.Clear:
		return CollectionPublic
	case tlp.Green:
		return CollectionGreen
	}
	return CollectionAmber
}

// collections returns the collections an advisory marked m goes to: the
// level's, and the own collection of every recipient organisation that is
// an operator.
func (s *Service) collections(ctx context.Context, m tlp.Marking) []string {
	out := []string{Collection(m.Level)}
	for _, id := range m.RecipientOrgs {
		if o, err := s.dir.Org(ctx, id); err == nil && o.Kind == auth.OrgOperator {
			out = append(out, OrgCollectionPrefix+id)
		}
	}
	return out
}

// publish hands objs to the publisher, if there is one, for each
// collection.
func (s *Service) publish(ctx context.Context, tx *store.Tx, collections []string, objs []stix.Object, m tlp.Marking) error {
	pub := s.pub()
	if pub == nil {
		return nil
	}
	for _, c := range collections {
		if err := pub.Publish(ctx, tx, c, objs, m); err != nil {
			return fmt.Errorf("publish to collection %s: %w", c, err)
		}
	}
	return nil
}
