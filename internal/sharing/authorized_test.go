package sharing_test

import (
	"testing"

	"github.com/acd-platform/acd/internal/sharing"
	"github.com/acd-platform/acd/internal/sharing/sharingtest"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/tlp"
)

// TestPublishAuthorized publishes a workflow's advisory without review,
// then its correction, and checks the refusals: only a Cabinet Office
// analyst authorises, and only TLP:CLEAR and TLP:GREEN go out this way.
func TestPublishAuthorized(t *testing.T) {
	each(t, func(t *testing.T, e *sharingtest.Env) {
		publish := func(in sharing.Authorized) (sharing.Advisory, error) {
			var a sharing.Advisory
			err := e.Platform.DB.Tx(e.Ctx, func(tx *store.Tx) error {
				var err error
				a, err = e.Svc.PublishAuthorized(e.Ctx, tx, in)
				return err
			})
			return a, err
		}
		in := sharingtest.Input("Mitigation of CVE-2024-3400", tlp.Clear, "")
		in.Technical.Vulnerabilities = []sharing.Vulnerability{{CVE: "CVE-2024-3400"}}
		a, err := publish(sharing.Authorized{Input: in, By: e.P("author"), Author: "vendor_request/vrq_1"})
		if err != nil {
			t.Fatal(err)
		}
		if a.State != sharing.StatePublished || a.Revision != 1 || a.AuthorID != "system:vendor_request/vrq_1" ||
			a.ReviewerID != e.Users["author"].ID {
			t.Fatalf("published: got state %s revision %d author %q reviewer %q", a.State, a.Revision, a.AuthorID, a.ReviewerID)
		}
		if alert, err := e.Svc.PublicAlert(e.Ctx, a.ID); err != nil || alert.Technical.Vulnerabilities[0].CVE != "CVE-2024-3400" {
			t.Errorf("public alert: got %+v, %v", alert, err)
		}
		if !hasNotice(e.Inbox(t, "opr"), "/alerts/"+a.ID) {
			t.Errorf("council members were not told of the published advisory")
		}
		in.Executive.Actions = "Upgrade to 10.2.9-h1."
		b, err := publish(sharing.Authorized{Input: in, By: e.P("author"), Author: "vendor_request/vrq_1", Supersedes: a.ID})
		if err != nil {
			t.Fatal(err)
		}
		if b.ID != a.ID || b.Revision != 2 || b.Supersedes != 1 {
			t.Errorf("correction: got %s revision %d supersedes %d, want %s revision 2 supersedes 1", b.ID, b.Revision, b.Supersedes, a.ID)
		}
		if prev, err := e.Svc.Advisory(e.Ctx, e.P("author"), a.ID, 1); err != nil || prev.State != sharing.StateSuperseded {
			t.Errorf("revision 1: got %s, %v; want superseded", prev.State, err)
		}

		_, err = publish(sharing.Authorized{Input: in, By: e.P("opr"), Author: "x"})
		wantRefusal(t, "authorised by an operator", err, sharing.CodeNotCabinetOffice)
		amber := sharingtest.Input("Amber", tlp.Amber, "")
		_, err = publish(sharing.Authorized{Input: amber, By: e.P("author"), Author: "x"})
		wantField(t, "TLP:AMBER without review", err, "tlp")
		in.Executive.Impact = ""
		_, err = publish(sharing.Authorized{Input: in, By: e.P("author"), Author: "x"})
		wantRefusal(t, "incomplete", err, sharing.CodeIncomplete)
	})
}
