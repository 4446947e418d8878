package sharing_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/acd-platform/acd/internal/sharing"
	"github.com/acd-platform/acd/internal/sharing/sharingtest"
	"github.com/acd-platform/acd/internal/tlp"
)

// TestForward checks that a recipient of a TLP:AMBER item forwards it to
// another council member, and that every other forward is refused.
func TestForward(t *testing.T) {
	each(t, func(t *testing.T, e *sharingtest.Env) {
		ctx := e.Ctx
		publish := func(level tlp.Level, orgs []string, users []string) string {
			in := sharingtest.Input("Item "+string(level), level, "")
			for _, o := range orgs {
				in.Recipients.Orgs = append(in.Recipients.Orgs, e.Orgs[o].ID)
			}
			for _, u := range users {
				in.Recipients.Users = append(in.Recipients.Users, e.Users[u].ID)
			}
			return e.Publish(t, in, "author", "reviewer").ID
		}
		amber := publish(tlp.Amber, []string{"opr"}, nil)
		strict := publish(tlp.AmberStrict, []string{"opr"}, nil)
		green := publish(tlp.Green, nil, nil)
		red := publish(tlp.Red, nil, []string{"opr"})
		clear := publish(tlp.Clear, nil, nil)
		to := func(org string) sharing.ForwardInput {
			return sharing.ForwardInput{OrgID: e.Orgs[org].ID, Reason: "their SOC runs the same VPN"}
		}

		if _, err := e.Svc.Shared(ctx, e.P("opn"), amber); !errors.Is(err, sharing.ErrNotFound) {
			t.Fatalf("opn reads the AMBER item before the forward: %v", err)
		}
		calls := len(e.Pub.Calls())
		f, err := e.Svc.Forward(ctx, e.P("opr"), amber, to("opn"))
		if err != nil {
			t.Fatal(err)
		}
		if f.FromOrg != e.Orgs["opr"].ID || f.ToOrg != e.Orgs["opn"].ID || f.By != e.Users["opr"].ID {
			t.Errorf("forward: %+v", f)
		}
		a, err := e.Svc.Shared(ctx, e.P("opn"), amber)
		if err != nil {
			t.Fatalf("opn reads the forwarded item: %v", err)
		}
		if !slices.Contains(a.Marking.RecipientOrgs, e.Orgs["opn"].ID) || len(a.Forwards) != 1 {
			t.Errorf("forwarded item: recipients %v, forwards %+v", a.Marking.RecipientOrgs, a.Forwards)
		}
		if !hasNotice(e.Inbox(t, "opn"), "/shared/"+amber) {
			t.Errorf("opn was not told of the forward")
		}
		var cols []string
		for _, c := range e.Pub.Calls()[calls:] {
			cols = append(cols, c.Collection)
			if !slices.Contains(c.Marking.RecipientOrgs, e.Orgs["opn"].ID) {
				t.Errorf("republished to %s without the new recipient: %+v", c.Collection, c.Marking)
			}
		}
		if want := []string{sharing.CollectionAmber, "org-" + e.Orgs["opn"].ID}; !slices.Equal(cols, want) {
			t.Errorf("republished to %v, want %v", cols, want)
		}
		// The new recipient forwards on in turn.
		if _, err := e.Svc.Forward(ctx, e.P("opn"), amber, to("ven")); err != nil {
			t.Errorf("a forwarded recipient forwards: %v", err)
		}

		for _, c := range []struct {
			name, user, id string
			in             sharing.ForwardInput
			code           string
		}{
			// Only AMBER is forwarded.
			{"AMBER+STRICT", "opr", strict, to("opn"), sharing.CodeNotForwardable},
			{"GREEN", "opr", green, to("opn"), sharing.CodeNotForwardable},
			{"RED", "opr", red, to("opn"), sharing.CodeNotForwardable},
			{"CLEAR", "opr", clear, to("opn"), sharing.CodeNotForwardable},
			// To council members only, once.
			{"to a non-member", "opr", amber, to("opu"), sharing.CodeOrgNotMember},
			{"to the commission", "opr", amber, to("comm"), sharing.CodeOrgNotMember},
			{"to a recipient", "opr", amber, to("opn"), sharing.CodeAlreadyRecipient},
		} {
			_, err := e.Svc.Forward(ctx, e.P(c.user), c.id, c.in)
			wantRefusal(t, c.name, err, c.code)
		}
		// Those who do not see the item cannot tell it exists.
		if _, err := e.Svc.Forward(ctx, e.P("police"), amber, to("meti")); !errors.Is(err, sharing.ErrNotFound) {
			t.Errorf("a non-recipient forwards: got %v, want not found", err)
		}
		if _, err := e.Svc.Forward(ctx, nil, amber, to("meti")); !errors.Is(err, sharing.ErrNotFound) {
			t.Errorf("the public forwards: got %v, want not found", err)
		}
		_, err = e.Svc.Forward(ctx, e.P("opr"), amber, sharing.ForwardInput{OrgID: e.Orgs["meti"].ID})
		wantField(t, "no reason", err, "reason")
		_, err = e.Svc.Forward(ctx, e.P("opr"), amber, sharing.ForwardInput{OrgID: "org_nosuch", Reason: "x"})
		wantField(t, "an unknown organisation", err, "org_id")
		// A recipient that left the council forwards nothing.
		if _, err := e.Svc.Withdraw(ctx, e.P("opr"), ""); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Svc.Forward(ctx, e.P("opr"), amber, to("meti")); !errors.Is(err, sharing.ErrNotFound) {
			t.Errorf("a withdrawn recipient forwards: %v", err)
		}
	})
}

// TestRedaction checks that a recipient learns no other recipient from an
// item: not the members of a group whose list is invisible, not the other
// individuals of a RED item.
func TestRedaction(t *testing.T) {
	each(t, func(t *testing.T, e *sharingtest.Env) {
		ctx := e.Ctx
		g, err := e.Svc.CreateGroup(ctx, e.P("author"), sharing.GroupInput{Name: "Closed"})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range []string{"opn", "ven"} {
			if _, err := e.Svc.AddGroupMember(ctx, e.P("author"), g.ID, e.Orgs[o].ID); err != nil {
				t.Fatal(err)
			}
		}
		in := sharingtest.Input("To the closed group", tlp.Amber, "")
		in.Recipients.Groups = []string{g.ID}
		a := e.Publish(t, in, "author", "reviewer")
		got, err := e.Svc.Shared(ctx, e.P("opn"), a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.Marking.RecipientOrgs, []string{e.Orgs["opn"].ID}) || len(got.Recipients.Groups) != 0 {
			t.Errorf("a group member sees the recipients %v, %+v", got.Marking.RecipientOrgs, got.Recipients)
		}
		if got, _ := e.Svc.Shared(ctx, e.P("analyst3"), a.ID); len(got.Marking.RecipientOrgs) != 3 {
			t.Errorf("the Cabinet Office sees recipients %v, want all 3", got.Marking.RecipientOrgs)
		}
		red := sharingtest.Input("Two people", tlp.Red, "")
		red.Recipients.Users = []string{e.Users["opr"].ID, e.Users["opn"].ID}
		r := e.Publish(t, red, "author", "reviewer")
		if got, _ := e.Svc.Shared(ctx, e.P("opr"), r.ID); !slices.Equal(got.Marking.RecipientUsers, []string{e.Users["opr"].ID}) {
			t.Errorf("a RED recipient sees the recipients %v", got.Marking.RecipientUsers)
		}
	})
}
