package sharingapi_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/reporting"
	"github.com/acd-platform/acd/internal/sharing"
	"github.com/acd-platform/acd/internal/sharing/sharingapi"
	"github.com/acd-platform/acd/internal/sharing/sharingtest"
	"github.com/acd-platform/acd/internal/stix"
	"github.com/acd-platform/acd/internal/tlp"
)

// TestAdvisoryFlow drafts, reviews and publishes a TLP:CLEAR advisory over
// HTTP, reads it from the public Atom feed and the public alert list
// without logging in, and checks the council's notices.
func TestAdvisoryFlow(t *testing.T) {
	each(t, func(t *testing.T, e *sharingtest.Env) {
		in := sharingtest.Input("Ransomware through VPN appliances", tlp.Clear, "")
		var a sharing.Advisory
		call(t, e, "POST", "/api/v1/advisories", "author", js(t, in), http.StatusCreated, &a)
		refused(t, e, "an operator drafts", "POST", "/api/v1/advisories", "opr", js(t, in), http.StatusForbidden, "forbidden")
		call(t, e, "POST", "/api/v1/advisories/"+a.ID+"/submit", "author", "", http.StatusOK, &a)
		if a.State != sharing.StateInReview {
			t.Fatalf("submitted: state %s", a.State)
		}
		refused(t, e, "the author publishes", "POST", "/api/v1/advisories/"+a.ID+"/publish", "author", "", http.StatusForbidden, sharing.CodeSelfReview)
		refused(t, e, "the author edits in review", "PUT", "/api/v1/advisories/"+a.ID, "author", js(t, in), http.StatusConflict, sharing.CodeNotDraft)

		var list sharingapi.SummaryList
		call(t, e, "GET", "/api/v1/advisories?state=in_review", "reviewer", "", http.StatusOK, &list)
		if len(list.Items) != 1 || list.Items[0].ID != a.ID {
			t.Errorf("advisories in review: %+v", list.Items)
		}
		e.Clock.Advance(time.Hour)
		call(t, e, "POST", "/api/v1/advisories/"+a.ID+"/publish", "reviewer", "", http.StatusOK, &a)
		if a.State != sharing.StatePublished || a.ReviewerID != e.Users["reviewer"].ID {
			t.Fatalf("published: %+v", a)
		}

		// The public reads the feed and the alert without an account.
		status, hdr, body := e.Client.Do(t, "GET", "/alerts.atom", "", "", "")
		if status != http.StatusOK || !strings.HasPrefix(hdr.Get("Content-Type"), "application/atom+xml") {
			t.Fatalf("feed: %d %s", status, hdr.Get("Content-Type"))
		}
		feed := sharingtest.CheckAtom(t, body)
		if len(feed.Entries) != 1 || feed.Entries[0].ID != "urn:acd:advisory:"+a.ID+":1" || feed.Entries[0].Title != in.Title ||
			feed.Entries[0].Summary.Text != sharing.ExecutiveText(a) || feed.Entries[0].Links[0].Href != "https://acd.example.jp/alerts/"+a.ID {
			t.Errorf("feed entries: %+v", feed.Entries)
		}
		var alerts sharingapi.AlertList
		call(t, e, "GET", "/api/v1/alerts", "", "", http.StatusOK, &alerts)
		if len(alerts.Alerts) != 1 || alerts.Alerts[0].ID != a.ID || alerts.Alerts[0].Executive.Actions == "" {
			t.Errorf("alerts: %+v", alerts)
		}
		if strings.Contains(string(call(t, e, "GET", "/api/v1/alerts/"+a.ID, "", "", http.StatusOK, nil)), e.Users["author"].ID) {
			t.Errorf("a public alert names its author's account")
		}
		// The council was told.
		for _, u := range []string{"opn", "police", "vendor"} {
			if !slices.ContainsFunc(e.Inbox(t, u), func(m sharingMessage) bool { return m.Link == "/alerts/"+a.ID }) {
				t.Errorf("%s got no notice", u)
			}
		}
		// The STIX bundle of the item is valid STIX with TLP 2.0 markings.
		status, hdr, body = e.Client.Do(t, "GET", "/api/v1/shared/"+a.ID+"/stix", "opn", "", "")
		if status != http.StatusOK || hdr.Get("Content-Type") != sharingapi.MediaTypeSTIX {
			t.Fatalf("stix: %d %s", status, hdr.Get("Content-Type"))
		}
		b, err := stix.ParseBundle(body)
		if err != nil {
			t.Fatalf("stix bundle: %v", err)
		}
		sharingtest.CheckObjects(t, b.Objects)

		// A revision: the author of the correction is the old reviewer,
		// so the old author may review it.
		var rev sharing.Advisory
		call(t, e, "POST", "/api/v1/advisories/"+a.ID+"/revise", "reviewer", "", http.StatusCreated, &rev)
		in.Title += " (corrected)"
		call(t, e, "PUT", "/api/v1/advisories/"+a.ID, "reviewer", js(t, in), http.StatusOK, &rev)
		call(t, e, "POST", "/api/v1/advisories/"+a.ID+"/submit", "reviewer", "", http.StatusOK, nil)
		call(t, e, "POST", "/api/v1/advisories/"+a.ID+"/publish", "author", "", http.StatusOK, &rev)
		var old sharing.Advisory
		call(t, e, "GET", "/api/v1/advisories/"+a.ID+"?revision=1", "analyst3", "", http.StatusOK, &old)
		if rev.Revision != 2 || old.State != sharing.StateSuperseded {
			t.Errorf("revision 2: %d; revision 1: %s", rev.Revision, old.State)
		}
		call(t, e, "POST", "/api/v1/advisories/"+a.ID+"/withdraw", "analyst3", `{"reason":"wrong vendor"}`, http.StatusOK, nil)
		call(t, e, "GET", "/api/v1/alerts", "", "", http.StatusOK, &alerts)
		if len(alerts.Alerts) != 0 {
			t.Errorf("a withdrawn alert is listed")
		}
		if f := sharingtest.CheckAtom(t, e.Client.Call(t, "GET", "/alerts.atom", "", "", http.StatusOK, nil)); len(f.Entries) != 0 {
			t.Errorf("a withdrawn alert is in the feed")
		}
	})
}

// TestCouncilAPI joins, groups, grants, shares AMBER to a group, forwards
// and requests materials over HTTP, with the refusals on the way.
func TestCouncilAPI(t *testing.T) {
	each(t, func(t *testing.T, e *sharingtest.Env) {
		var terms sharing.Terms
		call(t, e, "GET", "/api/v1/council/terms", "opu", "", http.StatusOK, &terms)
		if !strings.Contains(terms.Text, "§82") || !strings.Contains(terms.TextJA, "第82条") {
			t.Errorf("terms do not cite §82: %+v", terms)
		}
		var mine sharingapi.MyCouncil
		call(t, e, "GET", "/api/v1/council/membership", "opu", "", http.StatusOK, &mine)
		if mine.Membership.Member || mine.Clearance != "none" {
			t.Errorf("opu before consent: %+v", mine)
		}
		consent := js(t, sharing.ConsentInput{TermsVersion: terms.Version, TermsSHA256: terms.SHA256, Accept: true})
		refused(t, e, "an agency consents", "POST", "/api/v1/council/consent", "police", consent, http.StatusForbidden, "forbidden")
		refused(t, e, "old terms", "POST", "/api/v1/council/consent", "opu", `{"terms_version":"0","terms_sha256":"x","accept":true}`, http.StatusConflict, sharing.CodeTermsChanged)
		call(t, e, "POST", "/api/v1/council/consent", "opu", consent, http.StatusOK, &mine.Membership)
		if !mine.Membership.Member {
			t.Errorf("opu after consent: %+v", mine.Membership)
		}
		refused(t, e, "consent twice", "POST", "/api/v1/council/consent", "opu", consent, http.StatusConflict, sharing.CodeAlreadyMember)
		refused(t, e, "a member lists members", "GET", "/api/v1/council/members", "opu", "", http.StatusForbidden, "forbidden")
		refused(t, e, "another's membership", "GET", "/api/v1/council/members/"+e.Orgs["opn"].ID, "opu", "", http.StatusNotFound, "not_found")
		var members sharingapi.MemberList
		call(t, e, "GET", "/api/v1/council/members", "author", "", http.StatusOK, &members)
		if len(members.Members) != 9 {
			t.Errorf("members: %d, want 9", len(members.Members))
		}

		var g sharing.Group
		call(t, e, "POST", "/api/v1/council/groups", "author", `{"name":"Rail ISAC","visible":false}`, http.StatusCreated, &g)
		call(t, e, "POST", "/api/v1/council/groups/"+g.ID+"/members", "author", js(t, sharingapi.OrgRequest{OrgID: e.Orgs["opu"].ID}), http.StatusOK, &g)
		refused(t, e, "a non-member into a group", "POST", "/api/v1/council/groups/"+g.ID+"/members", "author",
			js(t, sharingapi.OrgRequest{OrgID: e.Orgs["comm"].ID}), http.StatusConflict, sharing.CodeOrgNotMember)
		var seen sharing.Group
		call(t, e, "GET", "/api/v1/council/groups/"+g.ID, "opu", "", http.StatusOK, &seen)
		if seen.Name != "Rail ISAC" || seen.Members != nil {
			t.Errorf("an invisible group as its member sees it: %+v", seen)
		}

		refused(t, e, "grant oneself", "PUT", "/api/v1/council/clearances/"+e.Users["author"].ID, "author", `{"level":"secret","reason":"x"}`, http.StatusForbidden, sharing.CodeSelfClearance)
		call(t, e, "PUT", "/api/v1/council/clearances/"+e.Users["opu"].ID, "author", `{"level":"confidential","reason":"SOC lead"}`, http.StatusOK, nil)
		var cl sharingapi.ClearanceList
		call(t, e, "GET", "/api/v1/council/clearances", "reviewer", "", http.StatusOK, &cl)
		if !slices.Equal(cl.Levels, []string{"none", "confidential", "secret"}) || len(cl.Clearances) != 6 {
			t.Errorf("clearances: %+v", cl)
		}

		// AMBER to the group; the non-member recipient is refused.
		in := sharingtest.Input("Signal faults", tlp.Amber, "confidential")
		in.Recipients.Groups = []string{g.ID}
		bad := in
		bad.Recipients.Orgs = []string{e.Orgs["comm"].ID}
		refused(t, e, "AMBER to the commission", "POST", "/api/v1/advisories", "author", js(t, bad), http.StatusConflict, sharing.CodeOrgNotMember)
		var a sharing.Advisory
		call(t, e, "POST", "/api/v1/advisories", "author", js(t, in), http.StatusCreated, &a)
		call(t, e, "POST", "/api/v1/advisories/"+a.ID+"/submit", "author", "", http.StatusOK, nil)
		refused(t, e, "a reviewer without clearance", "POST", "/api/v1/advisories/"+a.ID+"/publish", "analyst3", "", http.StatusForbidden, sharing.CodeClearanceRequired)
		call(t, e, "POST", "/api/v1/advisories/"+a.ID+"/publish", "reviewer", "", http.StatusOK, &a)
		call(t, e, "GET", "/api/v1/shared/"+a.ID, "opu", "", http.StatusOK, nil)
		call(t, e, "GET", "/api/v1/shared/"+a.ID, "opr", "", http.StatusNotFound, nil)

		// Forward: to a member; not to a non-member; RED never.
		fwd := js(t, sharing.ForwardInput{OrgID: e.Orgs["opr"].ID, Reason: "same signalling vendor"})
		var f sharing.Forward
		call(t, e, "POST", "/api/v1/shared/"+a.ID+"/forward", "opu", fwd, http.StatusCreated, &f)
		call(t, e, "GET", "/api/v1/shared/"+a.ID, "oprc", "", http.StatusOK, nil)
		call(t, e, "GET", "/api/v1/shared/"+a.ID, "opr", "", http.StatusNotFound, nil) // no clearance
		refused(t, e, "forward twice", "POST", "/api/v1/shared/"+a.ID+"/forward", "opu", fwd, http.StatusConflict, sharing.CodeAlreadyRecipient)
		red := sharingtest.Input("Red", tlp.Red, "")
		red.Recipients.Users = []string{e.Users["opu"].ID}
		r := e.Publish(t, red, "author", "reviewer")
		refused(t, e, "forward RED", "POST", "/api/v1/shared/"+r.ID+"/forward", "opu", fwd, http.StatusForbidden, sharing.CodeNotForwardable)

		// A request for materials to the police, answered by a police user
		// that is no operator.
		due := e.Clock.Now().Add(48 * time.Hour)
		var o reporting.Order
		call(t, e, "POST", "/api/v1/council/requests", "author", js(t, reporting.NewCouncilRequest{OrgID: e.Orgs["npa"].ID, Reason: "r", Request: "logs", Due: due}), http.StatusCreated, &o)
		refused(t, e, "a request to a non-member", "POST", "/api/v1/council/requests", "author",
			js(t, reporting.NewCouncilRequest{OrgID: e.Orgs["comm"].ID, Reason: "r", Request: "logs", Due: due}), http.StatusConflict, sharing.CodeOrgNotMember)
		refused(t, e, "an operator requests", "POST", "/api/v1/council/requests", "opr", js(t, reporting.NewCouncilRequest{}), http.StatusForbidden, "forbidden")
		var rl sharingapi.RequestList
		call(t, e, "GET", "/api/v1/council/requests", "police", "", http.StatusOK, &rl)
		if len(rl.Requests) != 1 || rl.Requests[0].ID != o.ID {
			t.Errorf("police's requests: %+v", rl)
		}
		call(t, e, "GET", "/api/v1/council/requests", "opr", "", http.StatusOK, &rl)
		if len(rl.Requests) != 0 {
			t.Errorf("an operator sees another's request: %+v", rl)
		}
		call(t, e, "POST", "/api/v1/council/requests/"+o.ID+"/answer", "police", `{"text":"Sent."}`, http.StatusOK, &o)
		call(t, e, "POST", "/api/v1/council/requests/"+o.ID+"/close", "reviewer", `{"text":"Received."}`, http.StatusOK, &o)
		if o.State != reporting.OrderClosed {
			t.Errorf("closed request: %+v", o)
		}

		// Withdrawal ends membership at once: no more AMBER reads.
		call(t, e, "POST", "/api/v1/council/withdraw", "opu", `{"reason":"leaving"}`, http.StatusOK, nil)
		call(t, e, "GET", "/api/v1/shared/"+a.ID, "opu", "", http.StatusNotFound, nil)
	})
}

// TestErrorMapping checks that every refusal keeps its status and code
// through the API's error mapping, with both languages.
func TestErrorMapping(t *testing.T) {
	for _, code := range sharing.Codes() {
		ae := sharingapi.Error(sharing.Refuse(code, ""))
		if ae == nil || ae.Status != sharing.CodeStatus(code) || ae.Code != code || ae.Messages["ja"] == "" || ae.Messages["en"] != ae.Message {
			t.Errorf("%s: %+v", code, ae)
		}
	}
	if ae := sharingapi.Error(&sharing.FieldError{Field: "title", Msg: "required"}); ae == nil || ae.Status != http.StatusBadRequest || ae.Field != "title" {
		t.Errorf("field error: %+v", ae)
	}
	if ae := sharingapi.Error(json.Unmarshal([]byte("x"), new(int))); ae != nil {
		t.Errorf("an internal error maps to %+v", ae)
	}
}
