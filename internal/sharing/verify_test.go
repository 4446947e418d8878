package sharing_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/sharing"
	"github.com/acd-platform/acd/internal/sharing/sharingtest"
	"github.com/acd-platform/acd/internal/tlp"
)

// verify runs the audit log's full check with the resolvers registered
// on the env's log, returning its report and error.
func verify(t *testing.T, e *sharingtest.Env) (*auditlog.Report, error) {
	t.Helper()
	log := e.Platform.Log
	if _, err := log.Checkpoint(e.Ctx); err != nil {
		t.Fatal(err)
	}
	vs, err := log.Verifiers()
	if err != nil {
		t.Fatal(err)
	}
	return auditlog.Verify(e.Ctx, auditlog.DBSource(e.Platform.DB), auditlog.VerifyOptions{
		Verifiers: vs, Keys: e.Platform.Keys, Resolvers: log.Resolvers(), Listers: log.Listers()})
}

// must fails t on err.
func must[T any](t *testing.T, what string) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
}

// populate makes every kind of change the package audits, with reads
// after them. It returns the AMBER advisory (published, forwarded,
// corrected), the group and the user whose clearance was revoked.
func populate(t *testing.T, e *sharingtest.Env) (amber sharing.Advisory, group sharing.Group, revoked string) {
	ctx, co, rv := e.Ctx, e.P("author"), e.P("reviewer")
	// Memberships: a withdrawal, a suspension and a reinstatement (the
	// consents are in sharingtest.New).
	must[sharing.Membership](t, "withdraw")(e.Svc.Withdraw(ctx, e.P("opw"), "leaving the council"))
	must[sharing.Membership](t, "suspend")(e.Svc.Suspend(ctx, co, e.Orgs["ags"].ID, "leak under inquiry"))
	must[sharing.Membership](t, "reinstate")(e.Svc.Reinstate(ctx, co, e.Orgs["ags"].ID, "inquiry closed"))
	// Clearances: a revocation, and a grant again after one.
	revoked = e.Users["oprx"].ID
	if err := e.Svc.RevokeClearance(ctx, co, revoked, "left the SOC"); err != nil {
		t.Fatal(err)
	}
	if err := e.Svc.RevokeClearance(ctx, co, e.Users["oprc"].ID, "review"); err != nil {
		t.Fatal(err)
	}
	must[sharing.Clearance](t, "grant again")(e.Svc.GrantClearance(ctx, co, e.Users["oprc"].ID, "confidential", "review passed"))
	// Groups: create, update, add twice, remove.
	group = must[sharing.Group](t, "create group")(e.Svc.CreateGroup(ctx, co, sharing.GroupInput{Name: "Electricity ISAC"}))
	must[sharing.Group](t, "update group")(e.Svc.UpdateGroup(ctx, co, group.ID, sharing.GroupInput{Name: "Electricity ISAC", Visible: true}))
	must[sharing.Group](t, "add")(e.Svc.AddGroupMember(ctx, co, group.ID, e.Orgs["opr"].ID))
	must[sharing.Group](t, "add")(e.Svc.AddGroupMember(ctx, co, group.ID, e.Orgs["opn"].ID))
	must[sharing.Group](t, "remove")(e.Svc.RemoveGroupMember(ctx, co, group.ID, e.Orgs["opn"].ID))
	// An advisory through every step: create, update, submit, return,
	// submit, publish, forward, revise, update, submit, publish (which
	// supersedes revision 1).
	in := sharingtest.Input("VPN appliance exploited", tlp.Amber, "")
	in.Recipients.Groups = []string{group.ID}
	amber = must[sharing.Advisory](t, "create")(e.Svc.CreateAdvisory(ctx, co, in))
	in.Title = "VPN appliances exploited"
	must[sharing.Advisory](t, "update")(e.Svc.UpdateAdvisory(ctx, co, amber.ID, in))
	must[sharing.Advisory](t, "submit")(e.Svc.SubmitAdvisory(ctx, co, amber.ID))
	must[sharing.Advisory](t, "return")(e.Svc.ReturnAdvisory(ctx, rv, amber.ID, "name the appliance"))
	must[sharing.Advisory](t, "submit")(e.Svc.SubmitAdvisory(ctx, co, amber.ID))
	must[sharing.Advisory](t, "publish")(e.Svc.PublishAdvisory(ctx, rv, amber.ID))
	must[sharing.Forward](t, "forward")(e.Svc.Forward(ctx, e.P("opr"), amber.ID, sharing.ForwardInput{OrgID: e.Orgs["opn"].ID, Reason: "same VPN"}))
	must[sharing.Advisory](t, "revise")(e.Svc.ReviseAdvisory(ctx, co, amber.ID))
	in.Technical.Indicators = in.Technical.Indicators[:2]
	must[sharing.Advisory](t, "update revision 2")(e.Svc.UpdateAdvisory(ctx, co, amber.ID, in))
	must[sharing.Advisory](t, "submit revision 2")(e.Svc.SubmitAdvisory(ctx, co, amber.ID))
	amber = must[sharing.Advisory](t, "publish revision 2")(e.Svc.PublishAdvisory(ctx, rv, amber.ID))
	// Another, withdrawn; and a draft left as it is.
	green := e.Publish(t, sharingtest.Input("Phishing wave", tlp.Green, ""), "author", "reviewer")
	must[sharing.Advisory](t, "withdraw")(e.Svc.WithdrawAdvisory(ctx, rv, green.ID, "false positive"))
	red := sharingtest.Input("Draft", tlp.Red, "secret")
	red.Recipients.Users = []string{e.Users["oprs"].ID}
	must[sharing.Advisory](t, "draft")(e.Svc.CreateAdvisory(ctx, co, red))
	// Reads after the last change of each: entries on advisory/ID that
	// are not changes.
	must[sharing.Advisory](t, "read")(e.Svc.Shared(ctx, e.P("opr"), amber.ID))
	must[sharing.Advisory](t, "read")(e.Svc.Shared(ctx, e.P("police"), green.ID))
	must[[]sharing.Summary](t, "list")(e.Svc.SharedItems(ctx, e.P("opn"), sharing.SharedFilter{Withdrawn: true}))
	return amber, group, revoked
}

// TestVerify checks that the audit log's verifier, with the resolvers
// New registers, finds every record the service wrote matching its
// latest entry — reads included in the log — and reports a row changed,
// added or removed behind the service's back.
func TestVerify(t *testing.T) {
	each(t, func(t *testing.T, e *sharingtest.Env) {
		amber, group, revoked := populate(t, e)
		rep, err := verify(t, e)
		if err != nil {
			t.Fatalf("verify after the changes: %v", err)
		}
		for _, typ := range []string{"advisory", "clearance", "council_member", "council_group"} {
			if slices.Contains(rep.Unchecked, typ) {
				t.Errorf("resources of type %s were not checked", typ)
			}
		}
		if reads := e.Entries(t, "shared.read"); len(reads) == 0 || reads[0].Resource != "advisory/"+amber.ID {
			t.Fatalf("no read entry on the advisory after its last change")
		}

		db := e.Platform.DB
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := db.Exec(e.Ctx, q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		var fwd string
		if err := db.QueryRow(e.Ctx, "SELECT id FROM shr_forwards WHERE advisory_id = ?", amber.ID).Scan(&fwd); err != nil {
			t.Fatal(err)
		}
		opr, opw, meti := e.Orgs["opr"].ID, e.Orgs["opw"].ID, e.Users["meti"].ID
		tests := []struct {
			name     string
			resource string   // named in the error
			tamper   []string // statements, each with the args
			undo     []string
			args     []any
		}{
			{"the state column of a superseded revision", "advisory/" + amber.ID,
				[]string{"UPDATE shr_advisories SET state = 'published' WHERE id = ? AND revision = 1"},
				[]string{"UPDATE shr_advisories SET state = 'superseded' WHERE id = ? AND revision = 1"}, []any{amber.ID}},
			{"the title in a published revision's data", "advisory/" + amber.ID,
				[]string{"UPDATE shr_advisories SET data = REPLACE(data, 'VPN appliances', 'VPN boxes') WHERE id = ? AND revision = 2"},
				[]string{"UPDATE shr_advisories SET data = REPLACE(data, 'VPN boxes', 'VPN appliances') WHERE id = ? AND revision = 2"}, []any{amber.ID}},
			{"the TLP column", "advisory/" + amber.ID,
				[]string{"UPDATE shr_advisories SET tlp = 'clear' WHERE id = ? AND revision = 2"},
				[]string{"UPDATE shr_advisories SET tlp = 'amber' WHERE id = ? AND revision = 2"}, []any{amber.ID}},
			{"a forward's reason", "advisory/" + amber.ID,
				[]string{"UPDATE shr_forwards SET data = REPLACE(data, 'same VPN', 'curious') WHERE id = ?"},
				[]string{"UPDATE shr_forwards SET data = REPLACE(data, 'curious', 'same VPN') WHERE id = ?"}, []any{fwd}},
			{"a revoked clearance's level", "clearance/" + revoked,
				[]string{"UPDATE shr_clearances SET level = 'secret' WHERE user_id = ?"},
				[]string{"UPDATE shr_clearances SET level = '' WHERE user_id = ?"}, []any{revoked}},
			{"a clearance added without a grant", "clearance/" + meti,
				[]string{"INSERT INTO shr_clearances (user_id, level, data, at) VALUES (?, 'secret', '{}', '')"},
				[]string{"DELETE FROM shr_clearances WHERE user_id = ?"}, []any{meti}},
			{"a member's suspended column", "council_member/" + opr,
				[]string{"UPDATE shr_members SET suspended = 1 WHERE org_id = ?"},
				[]string{"UPDATE shr_members SET suspended = 0 WHERE org_id = ?"}, []any{opr}},
			{"a membership's history", "council_member/" + opw,
				[]string{"UPDATE shr_member_events SET data = REPLACE(data, 'leaving the council', 'expelled') WHERE org_id = ?"},
				[]string{"UPDATE shr_member_events SET data = REPLACE(data, 'expelled', 'leaving the council') WHERE org_id = ?"}, []any{opw}},
			{"a group's visibility", "council_group/" + group.ID,
				[]string{"UPDATE shr_groups SET data = REPLACE(data, '\"visible\":true', '\"visible\":false') WHERE id = ?"},
				[]string{"UPDATE shr_groups SET data = REPLACE(data, '\"visible\":false', '\"visible\":true') WHERE id = ?"}, []any{group.ID}},
			{"a group member added", "council_group/" + group.ID,
				[]string{"INSERT INTO shr_group_members (group_id, org_id, added_by, added_at) VALUES (?, 'org_x', 'u', '')"},
				[]string{"DELETE FROM shr_group_members WHERE group_id = ? AND org_id = 'org_x'"}, []any{group.ID}},
			{"a group's row deleted", "council_group/" + group.ID,
				[]string{"UPDATE shr_groups SET id = 'grp_gone' WHERE id = ?"},
				[]string{"UPDATE shr_groups SET id = ? WHERE id = 'grp_gone'"}, []any{group.ID}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				for _, q := range tc.tamper {
					exec(q, tc.args...)
				}
				_, err := verify(t, e)
				for _, q := range tc.undo {
					exec(q, tc.args...)
				}
				if ve, ok := errors.AsType[*auditlog.VerifyError](err); !ok || !strings.Contains(ve.Error(), tc.resource) {
					t.Errorf("got %v, want a verify error naming %s", err, tc.resource)
				}
			})
		}
		if _, err := verify(t, e); err != nil {
			t.Errorf("verify after undoing every change: %v", err)
		}
	})
}
