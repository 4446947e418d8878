package sharing_test

import (
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/sharing"
	"github.com/acd-platform/acd/internal/sharing/sharingtest"
	"github.com/acd-platform/acd/internal/tlp"
)

// item is an item as a shared.read entry names it.
type item struct {
	ID       string    `json:"id"`
	Revision int       `json:"revision"`
	TLP      tlp.Level `json:"tlp"`
}

// readPayload is the payload of a shared.read entry.
func readPayload(e *sharingtest.Env, user string, items ...item) map[string]any {
	p := e.P(user)
	return map[string]any{"reader": p.UserID, "org": p.OrgID, "items": items}
}

// TestReadAudit checks that every read of a non-CLEAR item is in the
// audit log, naming the reader and the item with its TLP, that a list is
// one entry naming every non-CLEAR item it returned, and that reads of
// CLEAR items are not logged.
func TestReadAudit(t *testing.T) {
	each(t, func(t *testing.T, e *sharingtest.Env) {
		ctx := e.Ctx
		clear := e.Publish(t, sharingtest.Input("Clear", tlp.Clear, ""), "author", "reviewer")
		e.Clock.Advance(time.Minute)
		green := e.Publish(t, sharingtest.Input("Green", tlp.Green, ""), "author", "reviewer")
		e.Clock.Advance(time.Minute) // the list is newest first: amber, green, clear
		in := sharingtest.Input("Amber", tlp.Amber, "")
		in.Recipients.Orgs = []string{e.Orgs["opr"].ID}
		amber := e.Publish(t, in, "author", "reviewer")
		n := len(e.Entries(t, "shared.read"))

		if _, err := e.Svc.Shared(ctx, e.P("opn"), clear.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Svc.PublicAlert(ctx, clear.ID); err != nil {
			t.Fatal(err)
		}
		if got := len(e.Entries(t, "shared.read")); got != n {
			t.Errorf("reading a CLEAR item wrote %d audit entries, want none", got-n)
		}

		if _, err := e.Svc.Shared(ctx, e.P("opr"), amber.ID); err != nil {
			t.Fatal(err)
		}
		rs := e.Entries(t, "shared.read")
		if len(rs) != n+1 {
			t.Fatalf("reading an AMBER item wrote %d entries, want 1", len(rs)-n)
		}
		r := rs[len(rs)-1]
		if r.Actor != e.Users["opr"].ID || r.Org != e.Orgs["opr"].ID || r.Resource != "advisory/"+amber.ID {
			t.Errorf("entry: %+v", r)
		}
		if !e.Digests(t, r, readPayload(e, "opr", item{amber.ID, 1, tlp.Amber})) {
			t.Errorf("the entry does not record the reader, the item and its TLP")
		}

		// A refused read is not a read.
		if _, err := e.Svc.Shared(ctx, e.P("opn"), amber.ID); err == nil {
			t.Fatal("opn read the AMBER item")
		}
		if got := len(e.Entries(t, "shared.read")); got != n+1 {
			t.Errorf("a refused read wrote an entry")
		}

		// A list: one entry naming the non-CLEAR items returned.
		items, err := e.Svc.SharedItems(ctx, e.P("oprc"), sharing.SharedFilter{})
		if err != nil || len(items) != 3 {
			t.Fatalf("list: %v %+v", err, items)
		}
		rs = e.Entries(t, "shared.read")
		if len(rs) != n+2 {
			t.Fatalf("a list wrote %d entries, want 1", len(rs)-n-1)
		}
		if r := rs[len(rs)-1]; r.Resource != "shared/list" ||
			!e.Digests(t, r, readPayload(e, "oprc", item{amber.ID, 1, tlp.Amber}, item{green.ID, 1, tlp.Green})) {
			t.Errorf("list entry %+v does not name the AMBER and GREEN items", r)
		}
		// The STIX bundle and the analysts' reads are reads too.
		if _, err := e.Svc.SharedSTIX(ctx, e.P("opr"), amber.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Svc.Advisory(ctx, e.P("analyst3"), green.ID, 0); err != nil {
			t.Fatal(err)
		}
		if got := len(e.Entries(t, "shared.read")); got != n+4 {
			t.Errorf("STIX and analyst reads wrote %d entries, want 2", got-n-2)
		}
	})
}
