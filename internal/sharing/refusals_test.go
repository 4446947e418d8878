package sharing_test

import (
	"errors"
	"testing"

	"github.com/acd-platform/acd/internal/sharing"
	"github.com/acd-platform/acd/internal/sharing/sharingtest"
	"github.com/acd-platform/acd/internal/tlp"
)

// TestAdvisoryRefusals sends the advisory steps the rules forbid, each
// answered by its refusal code.
func TestAdvisoryRefusals(t *testing.T) {
	each(t, func(t *testing.T, e *sharingtest.Env) {
		ctx := e.Ctx
		draft, err := e.Svc.CreateAdvisory(ctx, e.P("author"), sharingtest.Input("Draft", tlp.Green, "secret"))
		if err != nil {
			t.Fatal(err)
		}
		amber := func(orgs ...string) sharing.AdvisoryInput {
			in := sharingtest.Input("Amber", tlp.Amber, "")
			for _, o := range orgs {
				in.Recipients.Orgs = append(in.Recipients.Orgs, e.Orgs[o].ID)
			}
			return in
		}
		red := func(users ...string) sharing.AdvisoryInput {
			in := sharingtest.Input("Red", tlp.Red, "confidential")
			for _, u := range users {
				in.Recipients.Users = append(in.Recipients.Users, e.Users[u].ID)
			}
			return in
		}
		for _, c := range []struct {
			name string
			err  func() error
			code string
		}{
			// Only Cabinet Office analysts write advisories.
			{"an operator drafts", func() error {
				_, err := e.Svc.CreateAdvisory(ctx, e.P("opr"), sharingtest.Input("x", tlp.Clear, ""))
				return err
			}, sharing.CodeNotCabinetOffice},
			// Recipients must be council members now.
			{"AMBER to an operator that never consented", func() error {
				_, err := e.Svc.CreateAdvisory(ctx, e.P("author"), amber("opr", "opu"))
				return err
			}, sharing.CodeOrgNotMember},
			{"AMBER to the commission", func() error {
				_, err := e.Svc.CreateAdvisory(ctx, e.P("author"), amber("comm"))
				return err
			}, sharing.CodeOrgNotMember},
			{"RED to a user of a non-member", func() error {
				_, err := e.Svc.CreateAdvisory(ctx, e.P("author"), red("opu"))
				return err
			}, sharing.CodeOrgNotMember},
			// A RED recipient must hold the clearance.
			{"RED to a user without the clearance", func() error {
				_, err := e.Svc.CreateAdvisory(ctx, e.P("author"), red("opr"))
				return err
			}, sharing.CodeRecipientClearance},
			// Only the author edits and submits; only drafts.
			{"another analyst edits", func() error {
				_, err := e.Svc.UpdateAdvisory(ctx, e.P("reviewer"), draft.ID, sharingtest.Input("x", tlp.Green, ""))
				return err
			}, sharing.CodeNotAuthor},
			{"another analyst submits", func() error {
				_, err := e.Svc.SubmitAdvisory(ctx, e.P("reviewer"), draft.ID)
				return err
			}, sharing.CodeNotAuthor},
			{"publish a draft not in review", func() error {
				_, err := e.Svc.PublishAdvisory(ctx, e.P("reviewer"), draft.ID)
				return err
			}, sharing.CodeNotInReview},
			{"revise a draft", func() error {
				_, err := e.Svc.ReviseAdvisory(ctx, e.P("author"), draft.ID)
				return err
			}, sharing.CodeRevisionOpen},
			{"withdraw a draft", func() error {
				_, err := e.Svc.WithdrawAdvisory(ctx, e.P("author"), draft.ID, "no")
				return err
			}, "not_found"},
		} {
			err := c.err()
			if c.code == "not_found" {
				if err == nil {
					t.Errorf("%s: no error", c.name)
				}
				continue
			}
			wantRefusal(t, c.name, err, c.code)
		}

		if _, err := e.Svc.SubmitAdvisory(ctx, e.P("author"), draft.ID); err != nil {
			t.Fatal(err)
		}
		_, err = e.Svc.UpdateAdvisory(ctx, e.P("author"), draft.ID, sharingtest.Input("x", tlp.Green, ""))
		wantRefusal(t, "edit in review", err, sharing.CodeNotDraft)
		// The reviewer is never the author.
		_, err = e.Svc.PublishAdvisory(ctx, e.P("author"), draft.ID)
		wantRefusal(t, "the author publishes", err, sharing.CodeSelfReview)
		_, err = e.Svc.ReturnAdvisory(ctx, e.P("author"), draft.ID, "fine")
		wantRefusal(t, "the author returns", err, sharing.CodeSelfReview)
		// A reviewer without the clearance the item requires.
		_, err = e.Svc.PublishAdvisory(ctx, e.P("analyst3"), draft.ID)
		wantRefusal(t, "a reviewer without clearance", err, sharing.CodeClearanceRequired)
		// ... does not even see it.
		if _, err := e.Svc.Advisory(ctx, e.P("analyst3"), draft.ID, 0); err == nil {
			t.Errorf("an analyst without clearance reads a secret draft")
		}
		if _, err := e.Svc.PublishAdvisory(ctx, e.P("reviewer"), draft.ID); err != nil {
			t.Fatal(err)
		}
		_, err = e.Svc.PublishAdvisory(ctx, e.P("reviewer"), draft.ID)
		wantRefusal(t, "publish twice", err, sharing.CodeNotInReview)

		// Invalid input names the field.
		bad := sharingtest.Input("x", tlp.Clear, "secret")
		_, err = e.Svc.CreateAdvisory(ctx, e.P("author"), bad)
		wantField(t, "CLEAR with a clearance", err, "clearance")
		bad = sharingtest.Input("x", tlp.Green, "top-secret")
		_, err = e.Svc.CreateAdvisory(ctx, e.P("author"), bad)
		wantField(t, "a clearance off the scale", err, "clearance")
		bad = sharingtest.Input("x", tlp.Green, "")
		bad.Recipients.Orgs = []string{e.Orgs["opr"].ID}
		_, err = e.Svc.CreateAdvisory(ctx, e.P("author"), bad)
		wantField(t, "GREEN with recipients", err, "recipients")
		_, err = e.Svc.CreateAdvisory(ctx, e.P("author"), sharingtest.Input("x", tlp.Amber, ""))
		wantField(t, "AMBER without recipients", err, "recipients.orgs")
		bad = amber("opr")
		bad.Recipients.Orgs = append(bad.Recipients.Orgs, "org_nosuch")
		_, err = e.Svc.CreateAdvisory(ctx, e.P("author"), bad)
		wantField(t, "an unknown organisation", err, "recipients.orgs[1]")
		bad = red("oprs")
		bad.Recipients.Users = append(bad.Recipients.Users, "usr_nosuch")
		_, err = e.Svc.CreateAdvisory(ctx, e.P("author"), bad)
		wantField(t, "an unknown user", err, "recipients.users[1]")
	})
}

// TestAnalystsNeedToKnow checks that an analyst who may not read a
// published item (a RED item not addressed to them) can neither revise
// nor withdraw it, and does not learn it exists.
func TestAnalystsNeedToKnow(t *testing.T) {
	each(t, func(t *testing.T, e *sharingtest.Env) {
		in := sharingtest.Input("Red", tlp.Red, "")
		in.Recipients.Users = []string{e.Users["opr"].ID}
		a := e.Publish(t, in, "author", "reviewer")
		if _, err := e.Svc.Advisory(e.Ctx, e.P("analyst3"), a.ID, 0); !errors.Is(err, sharing.ErrNotFound) {
			t.Errorf("read: got %v, want not found", err)
		}
		if _, err := e.Svc.ReviseAdvisory(e.Ctx, e.P("analyst3"), a.ID); !errors.Is(err, sharing.ErrNotFound) {
			t.Errorf("revise: got %v, want not found", err)
		}
		if _, err := e.Svc.WithdrawAdvisory(e.Ctx, e.P("analyst3"), a.ID, "x"); !errors.Is(err, sharing.ErrNotFound) {
			t.Errorf("withdraw: got %v, want not found", err)
		}
		if items, _ := e.Svc.Advisories(e.Ctx, e.P("analyst3"), sharing.AdvisoryFilter{}); len(items) != 0 {
			t.Errorf("list: %+v", items)
		}
		if _, err := e.Svc.WithdrawAdvisory(e.Ctx, e.P("reviewer"), a.ID, "x"); err != nil {
			t.Errorf("the reviewer withdraws: %v", err)
		}
	})
}
