package sharing_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/sharing"
	"github.com/acd-platform/acd/internal/sharing/sharingtest"
	"github.com/acd-platform/acd/internal/stix"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/tlp"
)

// head is what the tests read of a STIX object.
type head struct {
	ID       string   `json:"id"`
	Created  string   `json:"created"`
	Modified string   `json:"modified"`
	Revoked  bool     `json:"revoked"`
	Refs     []string `json:"object_marking_refs"`
}

func headOf(t *testing.T, o stix.Object) head {
	t.Helper()
	b, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	var h head
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatal(err)
	}
	return h
}

// ids returns the ids of objs, sorted.
func ids(objs []stix.Object) []string {
	var out []string
	for _, o := range objs {
		out = append(out, o.ObjectID())
	}
	sort.Strings(out)
	return out
}

// revise writes revision n+1 of a with in as author and publishes it as
// reviewer an hour later.
func revise(t *testing.T, e *sharingtest.Env, a sharing.Advisory, in sharing.AdvisoryInput) (sharing.Advisory, error) {
	t.Helper()
	if _, err := e.Svc.ReviseAdvisory(e.Ctx, e.P("author"), a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Svc.UpdateAdvisory(e.Ctx, e.P("author"), a.ID, in); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Svc.SubmitAdvisory(e.Ctx, e.P("author"), a.ID); err != nil {
		t.Fatal(err)
	}
	e.Clock.Advance(time.Hour)
	return e.Svc.PublishAdvisory(e.Ctx, e.P("reviewer"), a.ID)
}

// TestCorrectionRevokesDropped checks that publishing a correction hands
// the Publisher, in the same transaction, a revoked new version of each
// indicator and attack-pattern of the superseded revision that the
// correction no longer has — to the superseded revision's collections,
// with its marking — and of nothing else.
func TestCorrectionRevokesDropped(t *testing.T) {
	each(t, func(t *testing.T, e *sharingtest.Env) {
		in := sharingtest.Input("VPN appliance exploited", tlp.Amber, "")
		in.Recipients.Orgs = []string{e.Orgs["opr"].ID}
		a1 := e.Publish(t, in, "author", "reviewer")
		calls := e.Pub.Calls()
		byID := map[string]stix.Object{}
		for _, o := range calls[len(calls)-1].Objects {
			byID[o.ObjectID()] = o
		}
		amberRef := headOf(t, calls[len(calls)-1].Objects[2]).Refs

		// Revision 2 is GREEN, keeps two indicators and one technique,
		// drops two indicators and a technique, and adds an indicator.
		in2 := in
		in2.TLP, in2.Recipients = tlp.Green, sharing.Recipients{}
		in2.Technical.Indicators = append(slices.Clone(in.Technical.Indicators[:2]), sharing.Indicator{Type: "ipv4", Value: "198.51.100.9"})
		in2.Technical.Techniques = in.Technical.Techniques[:1]
		n := len(e.Pub.Calls())
		a2, err := revise(t, e, a1, in2)
		if err != nil {
			t.Fatal(err)
		}
		calls = e.Pub.Calls()[n:]
		if len(calls) != 3 {
			t.Fatalf("got %d publisher calls, want 3 (the new objects, then the dropped ones to 2 collections)", len(calls))
		}
		if calls[0].Collection != sharing.CollectionGreen || calls[0].Marking.Level != tlp.Green {
			t.Errorf("revision 2 went to %s with %s", calls[0].Collection, calls[0].Marking.Level)
		}
		kept := ids(calls[0].Objects)
		var cols []string
		for _, c := range calls[1:] {
			cols = append(cols, c.Collection)
			if d := cmp.Diff(a1.Marking, c.Marking); d != "" {
				t.Errorf("dropped objects in %s not marked as revision 1 (-want +got):\n%s", c.Collection, d)
			}
			sharingtest.CheckObjects(t, c.Objects)
			var types []string
			for _, o := range c.Objects {
				types = append(types, o.ObjectType())
				h, old := headOf(t, o), byID[o.ObjectID()]
				switch {
				case old == nil:
					t.Errorf("revoked %s, not an object of revision 1", h.ID)
				case slices.Contains(kept, h.ID):
					t.Errorf("revoked %s, which revision 2 keeps", h.ID)
				case !h.Revoked || h.Created != headOf(t, old).Created || h.Modified != stix.TS(a2.PublishedAt).String():
					t.Errorf("%s: got revoked %v created %s modified %s, want a revoked version modified at %v",
						h.ID, h.Revoked, h.Created, h.Modified, a2.PublishedAt)
				case !slices.Equal(h.Refs, amberRef):
					t.Errorf("%s marked %v, want %v", h.ID, h.Refs, amberRef)
				}
			}
			sort.Strings(types)
			if d := cmp.Diff([]string{"attack-pattern", "indicator", "indicator"}, types); d != "" {
				t.Errorf("dropped objects in %s (-want +got):\n%s", c.Collection, d)
			}
		}
		if d := cmp.Diff([]string{sharing.CollectionAmber, "org-" + e.Orgs["opr"].ID}, cols); d != "" {
			t.Errorf("collections of the dropped objects (-want +got):\n%s", d)
		}

		// A correction that drops nothing revokes nothing.
		n = len(e.Pub.Calls())
		in2.Title = "VPN appliances exploited"
		if _, err := revise(t, e, a2, in2); err != nil {
			t.Fatal(err)
		}
		calls = e.Pub.Calls()[n:]
		if len(calls) != 1 || slices.ContainsFunc(calls[0].Objects, func(o stix.Object) bool { return headOf(t, o).Revoked }) {
			t.Errorf("a correction dropping nothing: got %d calls, want 1 with nothing revoked", len(calls))
		}
	})
}

// failRevoked fails every call that hands it a revoked object.
type failRevoked struct{ *sharingtest.Publisher }

var errRevoked = errors.New("no revocations today")

func (p failRevoked) Publish(ctx context.Context, tx *store.Tx, collection string, objs []stix.Object, m tlp.Marking) error {
	for _, o := range objs {
		b, _ := json.Marshal(o)
		var h head
		if json.Unmarshal(b, &h) == nil && h.Revoked {
			return errRevoked
		}
	}
	return p.Publisher.Publish(ctx, tx, collection, objs, m)
}

// TestCorrectionRevokesInOneTransaction checks that when the dropped
// objects cannot be published, the correction is not published either.
func TestCorrectionRevokesInOneTransaction(t *testing.T) {
	each(t, func(t *testing.T, e *sharingtest.Env) {
		in := sharingtest.Input("VPN appliance exploited", tlp.Green, "")
		a1 := e.Publish(t, in, "author", "reviewer")
		e.Svc.SetPublisher(failRevoked{e.Pub})
		in.Technical.Indicators = in.Technical.Indicators[:1]
		if _, err := revise(t, e, a1, in); !errors.Is(err, errRevoked) {
			t.Fatalf("got %v, want the publisher's error", err)
		}
		for rev, want := range map[int]sharing.State{1: sharing.StatePublished, 2: sharing.StateInReview} {
			if a, err := e.Svc.Advisory(e.Ctx, e.P("reviewer"), a1.ID, rev); err != nil || a.State != want {
				t.Errorf("revision %d: got %v %s, want %s", rev, err, a.State, want)
			}
		}
	})
}
