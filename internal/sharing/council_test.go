package sharing_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/sharing"
	"github.com/acd-platform/acd/internal/sharing/sharingtest"
	"github.com/acd-platform/acd/internal/tlp"
)

// TestMembership checks who is a member and why, consent and withdrawal,
// suspension, and the readers they make.
func TestMembership(t *testing.T) {
	each(t, func(t *testing.T, e *sharingtest.Env) {
		ctx := e.Ctx
		for _, c := range []struct {
			user   string
			basis  string
			member bool
		}{
			{"author", sharing.BasisAgency, true},  // the Cabinet Office
			{"police", sharing.BasisAgency, true},  // police
			{"meti", sharing.BasisAgency, true},    // a ministry
			{"opr", sharing.BasisConsent, true},    // an operator that consented
			{"vendor", sharing.BasisConsent, true}, // a vendor that consented
			{"opu", sharing.BasisNone, false},      // an operator that did not
			{"comm", sharing.BasisNone, false},     // the commission
			{"admin", sharing.BasisNone, false},    // the system's organisation
		} {
			m, err := e.Svc.Membership(ctx, e.P(c.user), "")
			if err != nil {
				t.Fatalf("%s: %v", c.user, err)
			}
			if m.Basis != c.basis || m.Member != c.member {
				t.Errorf("%s: got basis %s member %v, want %s %v", c.user, m.Basis, m.Member, c.basis, c.member)
			}
			r, err := e.Svc.Reader(ctx, e.P(c.user))
			if err != nil || r.Council != c.member || r.OrgID != e.P(c.user).OrgID {
				t.Errorf("%s: reader %+v, %v", c.user, r, err)
			}
		}
		if r, _ := e.Svc.Reader(ctx, nil); r != tlp.Public {
			t.Errorf("the public's reader: %+v", r)
		}
		if r, _ := e.Svc.Reader(ctx, e.P("oprs")); r.Clearance != "secret" {
			t.Errorf("oprs's clearance: %q", r.Clearance)
		}

		// Consent: the terms in force, once; agencies never consent.
		terms := sharing.CurrentTerms()
		_, err := e.Svc.Consent(ctx, e.P("opu"), sharing.ConsentInput{TermsVersion: "2024-1", TermsSHA256: terms.SHA256, Accept: true})
		wantRefusal(t, "consent to old terms", err, sharing.CodeTermsChanged)
		_, err = e.Svc.Consent(ctx, e.P("opu"), sharing.ConsentInput{TermsVersion: terms.Version, TermsSHA256: terms.SHA256})
		wantField(t, "consent without accepting", err, "accept")
		_, err = e.Svc.Consent(ctx, e.P("police"), sharing.ConsentInput{TermsVersion: terms.Version, TermsSHA256: terms.SHA256, Accept: true})
		wantRefusal(t, "an agency consents", err, sharing.CodeNotJoinable)
		_, err = e.Svc.Consent(ctx, e.P("comm"), sharing.ConsentInput{TermsVersion: terms.Version, TermsSHA256: terms.SHA256, Accept: true})
		wantRefusal(t, "the commission consents", err, sharing.CodeNotJoinable)
		_, err = e.Svc.Consent(ctx, e.P("oprc"), sharing.ConsentInput{TermsVersion: terms.Version, TermsSHA256: terms.SHA256, Accept: true})
		wantRefusal(t, "a second consent", err, sharing.CodeAlreadyMember)
		m, err := e.Svc.Consent(ctx, e.P("opu"), sharing.ConsentInput{TermsVersion: terms.Version, TermsSHA256: terms.SHA256, Accept: true})
		if err != nil {
			t.Fatal(err)
		}
		want := &sharing.Consent{UserID: e.Users["opu"].ID, At: e.Clock.Now(), TermsVersion: terms.Version, TermsSHA256: terms.SHA256}
		if d := cmp.Diff(want, m.Consent); d != "" || !m.Member {
			t.Errorf("consent (-want +got):\n%s", d)
		}

		// Withdrawal ends membership at once.
		m, err = e.Svc.Withdraw(ctx, e.P("opu"), "no longer needed")
		if err != nil || m.Member || m.Consent != nil || len(m.History) != 2 || m.History[1].Event != sharing.EventWithdraw {
			t.Errorf("withdrawal: %v %+v", err, m)
		}
		_, err = e.Svc.Withdraw(ctx, e.P("opu"), "")
		wantRefusal(t, "withdraw twice", err, sharing.CodeNoConsent)
		_, err = e.Svc.Withdraw(ctx, e.P("police"), "")
		wantRefusal(t, "an agency withdraws", err, sharing.CodeNotJoinable)

		// Suspension, by the Cabinet Office only.
		_, err = e.Svc.Suspend(ctx, e.P("opr"), e.Orgs["npa"].ID, "x")
		wantRefusal(t, "an operator suspends", err, sharing.CodeNotCabinetOffice)
		m, err = e.Svc.Suspend(ctx, e.P("author"), e.Orgs["npa"].ID, "investigation")
		if err != nil || m.Member || !m.Suspended || m.Basis != sharing.BasisAgency {
			t.Errorf("suspension: %v %+v", err, m)
		}
		_, err = e.Svc.Suspend(ctx, e.P("author"), e.Orgs["npa"].ID, "again")
		wantRefusal(t, "suspend twice", err, sharing.CodeAlreadySuspended)
		if r, _ := e.Svc.Reader(ctx, e.P("police")); r.Council {
			t.Errorf("a suspended agency reads as a member")
		}
		m, err = e.Svc.Reinstate(ctx, e.P("author"), e.Orgs["npa"].ID, "cleared")
		if err != nil || !m.Member {
			t.Errorf("reinstatement: %v %+v", err, m)
		}
		_, err = e.Svc.Reinstate(ctx, e.P("author"), e.Orgs["npa"].ID, "again")
		wantRefusal(t, "reinstate a member", err, sharing.CodeNotSuspended)
		if _, err := e.Svc.Suspend(ctx, e.P("author"), e.Orgs["comm"].ID, "x"); !errors.Is(err, sharing.ErrNotFound) {
			t.Errorf("suspend the commission: got %v, want not found", err)
		}

		// Nobody but the Cabinet Office sees the member list or another's
		// membership.
		if _, err := e.Svc.Members(ctx, e.P("opr")); err == nil {
			t.Errorf("an operator lists the members")
		}
		if _, err := e.Svc.Membership(ctx, e.P("opr"), e.Orgs["opn"].ID); !errors.Is(err, sharing.ErrNotFound) {
			t.Errorf("an operator reads another's membership: %v", err)
		}
		ms, err := e.Svc.Members(ctx, e.P("author"))
		if err != nil || len(ms) != 9 {
			t.Errorf("members: %v, %d organisations, want 9", err, len(ms))
		}
	})
}

// TestGroups checks that a member sees its own groups, and their member
// lists only when the Cabinet Office made them visible.
func TestGroups(t *testing.T) {
	each(t, func(t *testing.T, e *sharingtest.Env) {
		ctx, co := e.Ctx, e.P("author")
		isac, err := e.Svc.CreateGroup(ctx, co, sharing.GroupInput{Name: "Electricity ISAC", Visible: true})
		if err != nil {
			t.Fatal(err)
		}
		closed, err := e.Svc.CreateGroup(ctx, co, sharing.GroupInput{Name: "Closed circle"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.Svc.CreateGroup(ctx, co, sharing.GroupInput{Name: "electricity isac"})
		wantRefusal(t, "a second group of the same name", err, sharing.CodeGroupNameTaken)
		_, err = e.Svc.CreateGroup(ctx, e.P("opr"), sharing.GroupInput{Name: "Mine"})
		wantRefusal(t, "an operator creates a group", err, sharing.CodeNotCabinetOffice)
		for _, add := range []struct{ group, org string }{{isac.ID, "opr"}, {isac.ID, "opn"}, {closed.ID, "opr"}, {closed.ID, "ven"}} {
			if _, err := e.Svc.AddGroupMember(ctx, co, add.group, e.Orgs[add.org].ID); err != nil {
				t.Fatal(err)
			}
		}
		_, err = e.Svc.AddGroupMember(ctx, co, isac.ID, e.Orgs["opr"].ID)
		wantRefusal(t, "add twice", err, sharing.CodeAlreadyInGroup)
		_, err = e.Svc.AddGroupMember(ctx, co, isac.ID, e.Orgs["opu"].ID)
		wantRefusal(t, "add a non-member", err, sharing.CodeOrgNotMember)
		_, err = e.Svc.RemoveGroupMember(ctx, co, isac.ID, e.Orgs["ven"].ID)
		wantRefusal(t, "remove a non-member of the group", err, sharing.CodeNotInGroup)

		gs, err := e.Svc.Groups(ctx, e.P("opr"))
		if err != nil || len(gs) != 2 {
			t.Fatalf("opr's groups: %v %+v", err, gs)
		}
		if gs[0].Name != "Closed circle" || gs[0].Members != nil {
			t.Errorf("an invisible group shows its members: %+v", gs[0])
		}
		if gs[1].Name != "Electricity ISAC" || len(gs[1].Members) != 2 {
			t.Errorf("a visible group hides its members: %+v", gs[1])
		}
		if gs, _ := e.Svc.Groups(ctx, e.P("police")); len(gs) != 0 {
			t.Errorf("police sees groups it is not in: %+v", gs)
		}
		if _, err := e.Svc.Group(ctx, e.P("opn"), closed.ID); !errors.Is(err, sharing.ErrNotFound) {
			t.Errorf("opn reads a group it is not in: %v", err)
		}
		if gs, _ := e.Svc.Groups(ctx, co); len(gs) != 2 || len(gs[0].Members) != 2 {
			t.Errorf("the Cabinet Office's view: %+v", gs)
		}
		g, err := e.Svc.UpdateGroup(ctx, co, closed.ID, sharing.GroupInput{Name: "Closed circle", Visible: true})
		if err != nil || !g.Visible {
			t.Fatal(err)
		}
		if g, _ := e.Svc.Group(ctx, e.P("vendor"), closed.ID); len(g.Members) != 2 {
			t.Errorf("a group made visible hides its members: %+v", g)
		}
		if g, err := e.Svc.RemoveGroupMember(ctx, co, closed.ID, e.Orgs["ven"].ID); err != nil || len(g.Members) != 1 {
			t.Errorf("remove: %v %+v", err, g)
		}
	})
}

// TestClearances checks grants and revocations: on the scale, by the
// Cabinet Office, never to oneself.
func TestClearances(t *testing.T) {
	each(t, func(t *testing.T, e *sharingtest.Env) {
		ctx, co := e.Ctx, e.P("author")
		_, err := e.Svc.GrantClearance(ctx, co, e.P("author").UserID, "secret", "x")
		wantRefusal(t, "grant oneself", err, sharing.CodeSelfClearance)
		err = e.Svc.RevokeClearance(ctx, co, e.P("author").UserID, "x")
		wantRefusal(t, "revoke one's own", err, sharing.CodeSelfClearance)
		_, err = e.Svc.GrantClearance(ctx, e.P("opr"), e.Users["opn"].ID, "secret", "x")
		wantRefusal(t, "an operator grants", err, sharing.CodeNotCabinetOffice)
		_, err = e.Svc.GrantClearance(ctx, co, e.Users["opn"].ID, "top-secret", "x")
		wantField(t, "a level off the scale", err, "level")
		_, err = e.Svc.GrantClearance(ctx, co, e.Users["opn"].ID, "none", "x")
		wantField(t, "the lowest level", err, "level")
		_, err = e.Svc.GrantClearance(ctx, co, "usr_nosuch", "secret", "x")
		wantField(t, "an unknown user", err, "user_id")
		_, err = e.Svc.GrantClearance(ctx, co, e.Users["opn"].ID, "secret", "")
		wantField(t, "no reason", err, "reason")
		c, err := e.Svc.GrantClearance(ctx, co, e.Users["opn"].ID, "confidential", "SOC lead")
		if err != nil || c.Level != "confidential" || c.GrantedBy != co.UserID {
			t.Fatalf("grant: %v %+v", err, c)
		}
		if l, _ := e.Svc.ClearanceOf(ctx, e.Users["opn"].ID); l != "confidential" {
			t.Errorf("clearance after the grant: %q", l)
		}
		if err := e.Svc.RevokeClearance(ctx, co, e.Users["opn"].ID, "left"); err != nil {
			t.Fatal(err)
		}
		if l, _ := e.Svc.ClearanceOf(ctx, e.Users["opn"].ID); l != "none" {
			t.Errorf("clearance after the revocation: %q, want none", l)
		}
		err = e.Svc.RevokeClearance(ctx, co, e.Users["opn"].ID, "again")
		wantRefusal(t, "revoke twice", err, sharing.CodeNoClearance)
		cs, err := e.Svc.Clearances(ctx, co)
		if err != nil || len(cs) != 5 {
			t.Errorf("clearances: %v, %d, want the 5 of the env", err, len(cs))
		}
	})
}
