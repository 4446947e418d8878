package sharing_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/sharing"
	"github.com/acd-platform/acd/internal/sharing/sharingtest"
	"github.com/acd-platform/acd/internal/stix"
	"github.com/acd-platform/acd/internal/tlp"
)

// TestAdvisoryFlow follows a TLP:CLEAR advisory from draft through a
// returned review, publication, the Atom feed and the council's notices,
// then a correcting revision and the withdrawal.
func TestAdvisoryFlow(t *testing.T) {
	each(t, func(t *testing.T, e *sharingtest.Env) {
		author, reviewer := e.P("author"), e.P("reviewer")
		in := sharingtest.Input("VPN appliance exploited", tlp.Clear, "")
		in.Executive.Actions = ""
		a, err := e.Svc.CreateAdvisory(e.Ctx, author, in)
		if err != nil {
			t.Fatal(err)
		}
		if a.State != sharing.StateDraft || a.Revision != 1 || a.AuthorID != author.UserID {
			t.Fatalf("draft: got %+v", a)
		}
		// Normalised: technique ids upper case, values canonical.
		if got := a.Technical.Techniques[0].ID; got != "T1190" {
			t.Errorf("technique: got %q, want T1190", got)
		}
		if got := a.Technical.Indicators[1].Value; got != "evil.example" {
			t.Errorf("domain: got %q, want evil.example", got)
		}
		_, err = e.Svc.SubmitAdvisory(e.Ctx, author, a.ID)
		wantRefusal(t, "submit without recommended actions", err, sharing.CodeIncomplete)
		in.Executive.Actions = "Patch now."
		if _, err := e.Svc.UpdateAdvisory(e.Ctx, author, a.ID, in); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Svc.SubmitAdvisory(e.Ctx, author, a.ID); err != nil {
			t.Fatal(err)
		}
		a, err = e.Svc.ReturnAdvisory(e.Ctx, reviewer, a.ID, "Say which VPN versions.")
		if err != nil {
			t.Fatal(err)
		}
		if a.State != sharing.StateDraft || a.ReturnComment != "Say which VPN versions." {
			t.Fatalf("returned: got state %s comment %q", a.State, a.ReturnComment)
		}
		in.Technical.Summary += " Versions 22.x before 22.7R2 are affected."
		if _, err := e.Svc.UpdateAdvisory(e.Ctx, author, a.ID, in); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Svc.SubmitAdvisory(e.Ctx, author, a.ID); err != nil {
			t.Fatal(err)
		}
		e.Clock.Advance(time.Hour)
		a, err = e.Svc.PublishAdvisory(e.Ctx, reviewer, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if a.State != sharing.StatePublished || a.ReviewerID != reviewer.UserID || !a.PublishedAt.Equal(e.Clock.Now()) {
			t.Fatalf("published: got %+v", a)
		}

		// The Atom feed.
		feed := sharingtest.CheckAtom(t, mustAtom(t, e))
		if len(feed.Entries) != 1 {
			t.Fatalf("feed: got %d entries, want 1", len(feed.Entries))
		}
		en := feed.Entries[0]
		want := sharingtest.Entry{ID: "urn:acd:advisory:" + a.ID + ":1", Title: "VPN appliance exploited",
			Updated: e.Clock.Now().Format(time.RFC3339), Published: e.Clock.Now().Format(time.RFC3339)}
		want.Links = en.Links
		want.Summary.Type, want.Summary.Text = "text", sharing.ExecutiveText(a)
		if d := cmp.Diff(want, en); d != "" {
			t.Errorf("feed entry (-want +got):\n%s", d)
		}
		if en.Links[0].Href != "https://acd.example.jp/alerts/"+a.ID {
			t.Errorf("entry link: got %q", en.Links[0].Href)
		}
		if !strings.Contains(en.Summary.Text, "Background: A campaign") || !strings.Contains(en.Summary.Text, "Recommended actions: Patch now.") {
			t.Errorf("entry summary is not the executive part: %q", en.Summary.Text)
		}

		// Notices: every council member organisation but the author's.
		for _, u := range []string{"opr", "opn", "vendor", "police", "meti", "ags", "opw"} {
			if !hasNotice(e.Inbox(t, u), "/alerts/"+a.ID) {
				t.Errorf("%s got no notice of the alert", u)
			}
		}
		for _, u := range []string{"opu", "comm", "analyst3"} {
			if hasNotice(e.Inbox(t, u), "/alerts/"+a.ID) {
				t.Errorf("%s got a notice of the alert", u)
			}
		}

		// STIX objects to the public collection.
		calls := e.Pub.Calls()
		if len(calls) != 1 || calls[0].Collection != sharing.CollectionPublic || calls[0].Marking.Level != tlp.Clear {
			t.Fatalf("publisher calls: %+v", calls)
		}
		byType := sharingtest.CheckObjects(t, calls[0].Objects)
		for typ, n := range map[string]int{"identity": 1, "marking-definition": 1, "indicator": 4, "attack-pattern": 2, "report": 1} {
			if len(byType[typ]) != n {
				t.Errorf("objects of type %s: got %d, want %d", typ, len(byType[typ]), n)
			}
		}
		rep := byType["report"][0].(*stix.Report)
		if !strings.Contains(rep.Description, "Background: A campaign") || !strings.Contains(rep.Description, "Threat hunting: Look in the VPN logs") {
			t.Errorf("report description lacks a part: %q", rep.Description)
		}
		if rep.ObjectMarkingRefs[0] != stix.TLPClear || len(rep.ObjectRefs) != 6 {
			t.Errorf("report: markings %v, refs %v", rep.ObjectMarkingRefs, rep.ObjectRefs)
		}
		var ap *stix.AttackPattern
		for _, o := range byType["attack-pattern"] {
			if x := o.(*stix.AttackPattern); x.ExternalReferences[0].ExternalID == "T1059.001" {
				ap = x
			}
		}
		if ap == nil || ap.ExternalReferences[0].SourceName != "mitre-attack" || ap.ExternalReferences[0].URL != "https://attack.mitre.org/techniques/T1059/001/" {
			t.Errorf("attack-pattern T1059.001: %+v", ap)
		}
		patterns := []string{}
		for _, o := range byType["indicator"] {
			patterns = append(patterns, o.(*stix.Indicator).Pattern)
		}
		for _, p := range []string{"[ipv4-addr:value = '203.0.113.7']", "[domain-name:value = 'evil.example']",
			"[file:hashes.'SHA-256' = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']", "[url:value = 'https://evil.example/a']"} {
			if !slices.Contains(patterns, p) {
				t.Errorf("no indicator with pattern %s in %v", p, patterns)
			}
		}

		// A correction: revision 2 supersedes revision 1.
		_, err = e.Svc.ReviseAdvisory(e.Ctx, author, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.Svc.ReviseAdvisory(e.Ctx, author, a.ID)
		wantRefusal(t, "a second open revision", err, sharing.CodeRevisionOpen)
		in.Title = "VPN appliance exploited (corrected)"
		if _, err := e.Svc.UpdateAdvisory(e.Ctx, author, a.ID, in); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Svc.SubmitAdvisory(e.Ctx, author, a.ID); err != nil {
			t.Fatal(err)
		}
		e.Clock.Advance(time.Hour)
		a2, err := e.Svc.PublishAdvisory(e.Ctx, reviewer, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if a2.Revision != 2 || a2.Supersedes != 1 {
			t.Errorf("revision 2: got revision %d supersedes %d", a2.Revision, a2.Supersedes)
		}
		old, err := e.Svc.Advisory(e.Ctx, reviewer, a.ID, 1)
		if err != nil || old.State != sharing.StateSuperseded || old.Title != "VPN appliance exploited" {
			t.Errorf("revision 1 after revision 2: %v %+v", err, old)
		}
		feed = sharingtest.CheckAtom(t, mustAtom(t, e))
		if len(feed.Entries) != 1 || feed.Entries[0].ID != "urn:acd:advisory:"+a.ID+":2" {
			t.Errorf("feed after the correction: %+v", feed.Entries)
		}
		calls = e.Pub.Calls()
		rep2 := sharingtest.CheckObjects(t, calls[len(calls)-1].Objects)["report"][0].(*stix.Report)
		if rep2.ID != rep.ID || !rep2.Modified.After(rep.Modified.Time) || !rep2.Created.Equal(rep.Created.Time) {
			t.Errorf("revision 2's report is not a new version of revision 1's: %s %v %v", rep2.ID, rep2.Created, rep2.Modified)
		}

		// Withdrawal: no longer an alert; the objects come back revoked.
		if _, err := e.Svc.WithdrawAdvisory(e.Ctx, reviewer, a.ID, "superseded by a vendor bulletin"); err != nil {
			t.Fatal(err)
		}
		if alerts, err := e.Svc.PublicAlerts(e.Ctx, 0); err != nil || len(alerts) != 0 {
			t.Errorf("alerts after withdrawal: %v %+v", err, alerts)
		}
		if _, err := e.Svc.PublicAlert(e.Ctx, a.ID); err == nil {
			t.Errorf("a withdrawn alert is still public")
		}
		calls = e.Pub.Calls()
		for _, o := range calls[len(calls)-1].Objects {
			if r, ok := o.(*stix.Report); ok && !r.Revoked {
				t.Errorf("withdrawn report not revoked")
			}
		}
		got, err := e.Svc.Shared(e.Ctx, e.P("opn"), a.ID)
		if err != nil || got.State != sharing.StateWithdrawn || got.Revision != 2 {
			t.Errorf("a member reads the withdrawn advisory: %v %s rev %d", err, got.State, got.Revision)
		}
		_, err = e.Svc.WithdrawAdvisory(e.Ctx, reviewer, a.ID, "again")
		wantRefusal(t, "withdraw twice", err, sharing.CodeNotPublished)
	})
}

// TestPublishNotices checks who is told of an AMBER, an AMBER+STRICT and a
// RED item, that the notice names only the level, and where the STIX
// objects go.
func TestPublishNotices(t *testing.T) {
	each(t, func(t *testing.T, e *sharingtest.Env) {
		in := sharingtest.Input("Secret campaign against Kanto Power", tlp.Amber, "")
		in.Recipients.Orgs = []string{e.Orgs["opr"].ID}
		a := e.Publish(t, in, "author", "reviewer")
		if d := cmp.Diff([]string{e.Orgs["opr"].ID, e.Orgs["nco"].ID}, a.Marking.RecipientOrgs); d != "" {
			t.Errorf("AMBER recipients (-want +got):\n%s", d)
		}
		ms := e.Inbox(t, "oprc")
		if !hasNotice(ms, "/shared/"+a.ID) {
			t.Fatalf("the recipient got no notice: %+v", ms)
		}
		for _, m := range ms {
			if strings.Contains(m.Subject+m.Body, "Kanto") {
				t.Errorf("the notice of an AMBER item carries its title: %q %q", m.Subject, m.Body)
			}
		}
		for _, u := range []string{"opn", "police", "analyst3"} {
			if hasNotice(e.Inbox(t, u), "/shared/"+a.ID) {
				t.Errorf("%s was told of an AMBER item not addressed to it", u)
			}
		}
		calls := e.Pub.Calls()
		var cols []string
		for _, c := range calls {
			cols = append(cols, c.Collection)
			if c.Marking.Level != tlp.Amber {
				t.Errorf("published to %s with marking %+v", c.Collection, c.Marking)
			}
		}
		if d := cmp.Diff([]string{sharing.CollectionAmber, "org-" + e.Orgs["opr"].ID}, cols); d != "" {
			t.Errorf("collections (-want +got):\n%s", d)
		}

		red := sharingtest.Input("For oprs only", tlp.Red, "secret")
		red.Recipients.Users = []string{e.Users["oprs"].ID}
		r := e.Publish(t, red, "author", "reviewer")
		if !hasNotice(e.Inbox(t, "oprs"), "/shared/"+r.ID) {
			t.Errorf("the RED recipient got no notice")
		}
		if hasNotice(e.Inbox(t, "opr"), "/shared/"+r.ID) {
			t.Errorf("a colleague of the RED recipient got its notice")
		}
		calls = e.Pub.Calls()
		if last := calls[len(calls)-1]; last.Collection != sharing.CollectionAmber || len(calls) != 3 {
			t.Errorf("RED published to %q (%d calls), want only %s", last.Collection, len(calls), sharing.CollectionAmber)
		}

		green := e.Publish(t, sharingtest.Input("Green item", tlp.Green, ""), "author", "reviewer")
		calls = e.Pub.Calls()
		if last := calls[len(calls)-1]; last.Collection != sharing.CollectionGreen {
			t.Errorf("GREEN published to %q", last.Collection)
		}
		if !hasNotice(e.Inbox(t, "police"), "/shared/"+green.ID) || hasNotice(e.Inbox(t, "opu"), "/shared/"+green.ID) {
			t.Errorf("GREEN notices: members must be told, non-members not")
		}
	})
}

func hasNotice(ms []deadlineMessage, link string) bool {
	return slices.ContainsFunc(ms, func(m deadlineMessage) bool { return m.Link == link })
}

func mustAtom(t *testing.T, e *sharingtest.Env) []byte {
	t.Helper()
	b, err := e.Svc.AtomFeed(e.Ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
