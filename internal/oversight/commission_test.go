package oversight_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/manifest"
	"github.com/acd-platform/acd/internal/oversight"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
)

// TestApproveAsFiled: the commission approves a chapter 6 request; the
// approval's manifest verifies against the filed criteria bytes.
func TestApproveAsFiled(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		in := ch6()
		a := e.file(t, in)
		if a.State != oversight.AcquisitionPending || a.ID[:4] != "acq_" {
			t.Fatalf("filed %+v", a)
		}
		q, err := e.svc.Queue(e.ctx, e.m1)
		if err != nil || len(q) != 1 || q[0].Request.ID != a.ID || !q[0].WaitingSince.Equal(t0) {
			t.Fatalf("queue %+v, %v", q, err)
		}
		e.clock.Advance(3 * time.Hour)
		m := e.decideBy(t, a.ID, oversight.MotionInput{Kind: oversight.MotionApprove, Statement: "Well founded."}, e.chair, e.m1, e.m2)
		if m.State != oversight.MotionCarried || !m.Tally.Quorum || m.Tally.Yes != 3 {
			t.Fatalf("motion %+v tally %+v", m, m.Tally)
		}
		got, err := e.svc.Acquisition(e.ctx, e.analyst, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != oversight.AcquisitionApproved || got.Decision == nil || got.Decision.ApprovalID == "" || len(got.Motions) != 1 || len(got.Motions[0].Votes) != 3 {
			t.Fatalf("decided request %+v", got)
		}
		apv, err := e.svc.Approval(e.ctx, got.Decision.ApprovalID)
		if err != nil {
			t.Fatal(err)
		}
		from, until := period()
		want := oversight.Approval{ID: apv.ID, Basis: "ch6", RequestID: a.ID, CriteriaSHA256: a.CriteriaSHA256, CriteriaID: "crit-6", CriteriaVersion: 1,
			Directions: []string{"foreign-domestic", "domestic-foreign"}, Facilities: []string{"203.0.113.0/24", "198.51.100.10-198.51.100.20", "AS64500"},
			ValidFrom: from, ValidUntil: until, State: oversight.ApprovalActive, DecidedAt: e.clock.Now(), IssuedAt: e.clock.Now(), ManifestKeyID: apv.ManifestKeyID}
		if d := cmp.Diff(want, apv); d != "" {
			t.Errorf("approval (-want +got):\n%s", d)
		}
		crit, _, err := e.svc.ApprovalCriteria(e.ctx, apv.ID)
		if err != nil || string(crit) != in.Criteria {
			t.Errorf("approved criteria are not the bytes filed (%v)", err)
		}
		if err := e.checkManifest(t, apv.ID, from.Add(time.Hour)); err != nil {
			t.Errorf("manifest check: %v", err)
		}
		if err := e.checkManifest(t, apv.ID, from.Add(-time.Hour)); !errors.Is(err, manifest.ErrNotYetValid) {
			t.Errorf("manifest check before the window: %v, want ErrNotYetValid", err)
		}
		if q, _ := e.svc.Queue(e.ctx, e.m1); len(q) != 0 {
			t.Errorf("queue after the decision: %d items, want none", len(q))
		}
		acts := e.actions(t)
		for _, want := range []string{"acquisition.file", "motion.move", "motion.vote", "motion.close", "approval.issue", "acquisition.decide"} {
			if !slices.Contains(acts, want) {
				t.Errorf("no %s in the audit log %v", want, acts)
			}
		}
		inbox, err := e.n.Inbox(e.ctx, e.analyst.UserID, e.nco.ID)
		if err != nil || !slices.ContainsFunc(inbox, func(m deadline.Message) bool { return m.Link == "/acquisitions/"+a.ID }) {
			t.Errorf("the filer was not told of the decision: %v %v", inbox, err)
		}
		cinbox, _ := e.n.Inbox(e.ctx, e.m3.UserID, e.comm.ID)
		if len(cinbox) == 0 {
			t.Errorf("the commission was not told of the filing")
		}
	})
}

// TestCommissionRules: every refused step of the voting procedure, and the
// counts that decide or leave a request pending.
func TestCommissionRules(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		a := e.file(t, ch6())
		approve := oversight.MotionInput{Kind: oversight.MotionApprove}
		yes := oversight.VoteInput{Vote: oversight.VoteYes, Reasons: "justified"}
		no := oversight.VoteInput{Vote: oversight.VoteNo, Reasons: "not shown"}

		_, err := e.svc.MoveMotion(e.ctx, e.analyst, a.ID, approve)
		wantErr(t, "an analyst moves a motion", err, oversight.ErrForbidden)
		_, err = e.svc.MoveMotion(e.ctx, e.mixed, a.ID, approve)
		wantErr(t, "an analyst holding a member role moves a motion", err, oversight.ErrForbidden)
		_, err = e.svc.MoveMotion(e.ctx, e.m1, "acq_nope", approve)
		wantErr(t, "motion on no request", err, oversight.ErrNotFound)

		m, err := e.svc.MoveMotion(e.ctx, e.m1, a.ID, approve)
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.MoveMotion(e.ctx, e.m2, a.ID, approve)
		wantErr(t, "a second open motion", err, oversight.ErrConflict)
		_, err = e.svc.CastVote(e.ctx, e.analyst, m.ID, yes)
		wantErr(t, "an analyst votes", err, oversight.ErrForbidden)
		_, err = e.svc.CastVote(e.ctx, e.mixed, m.ID, yes)
		wantErr(t, "an analyst holding a member role votes", err, oversight.ErrForbidden)
		_, err = e.svc.CastVote(e.ctx, e.m1, m.ID, oversight.VoteInput{Vote: "maybe", Reasons: "x"})
		wantField(t, "vote maybe", err, "vote")
		_, err = e.svc.CastVote(e.ctx, e.m1, m.ID, oversight.VoteInput{Vote: oversight.VoteYes})
		wantField(t, "vote without reasons", err, "reasons")
		_, err = e.svc.CastVote(e.ctx, e.m1, m.ID, yes)
		wantErr(t, "m1 votes", err, nil)
		_, err = e.svc.CastVote(e.ctx, e.m1, m.ID, no)
		wantErr(t, "m1 votes again", err, oversight.ErrConflict)
		_, err = e.svc.CloseMotion(e.ctx, e.m1, m.ID)
		wantErr(t, "a member closes", err, oversight.ErrForbidden)

		// The chair and one member: no quorum, the request stays pending.
		_, err = e.svc.CastVote(e.ctx, e.chair, m.ID, yes)
		wantErr(t, "chair votes", err, nil)
		m, err = e.svc.CloseMotion(e.ctx, e.chair, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if m.State != oversight.MotionNoQuorum || m.Tally.Quorum || m.Tally.Carried {
			t.Errorf("without a quorum: %s %+v", m.State, m.Tally)
		}
		_, err = e.svc.CloseMotion(e.ctx, e.chair, m.ID)
		wantErr(t, "close twice", err, oversight.ErrConflict)
		_, err = e.svc.CastVote(e.ctx, e.m2, m.ID, yes)
		wantErr(t, "vote on a closed motion", err, oversight.ErrConflict)
		if got, _ := e.svc.Acquisition(e.ctx, e.m1, a.ID); got.State != oversight.AcquisitionPending || got.Decision != nil {
			t.Errorf("after no quorum the request is %s, want pending", got.State)
		}
		if apvs, _ := e.svc.Approvals(e.ctx, oversight.ApprovalFilter{RequestID: a.ID}); len(apvs) != 0 {
			t.Errorf("an approval without a decision: %+v", apvs)
		}

		// Four present, two each way: the chair's yes breaks the tie.
		m, _ = e.svc.MoveMotion(e.ctx, e.chair, a.ID, approve)
		for _, v := range []struct {
			p  *auth.Principal
			in oversight.VoteInput
		}{{e.chair, yes}, {e.m1, no}, {e.m2, yes}, {e.m3, no}} {
			if _, err := e.svc.CastVote(e.ctx, v.p, m.ID, v.in); err != nil {
				t.Fatal(err)
			}
		}
		m, _ = e.svc.CloseMotion(e.ctx, e.chair, m.ID)
		if m.State != oversight.MotionCarried || !m.Tally.TieBroken {
			t.Errorf("tie with the chair for: %s %+v", m.State, m.Tally)
		}
		_, err = e.svc.MoveMotion(e.ctx, e.m1, a.ID, approve)
		wantErr(t, "motion on a decided request", err, oversight.ErrConflict)
		_, err = e.svc.WithdrawAcquisition(e.ctx, e.analyst, a.ID, "no longer needed")
		wantErr(t, "withdraw a decided request", err, oversight.ErrConflict)
	})
}

// TestQuorumCount tallies votes under the default and configured rules.
func TestQuorumCount(t *testing.T) {
	chair := func(v oversight.VoteChoice) oversight.Vote {
		return oversight.Vote{Role: auth.RoleCommissionChair, Vote: v}
	}
	member := func(v oversight.VoteChoice) oversight.Vote {
		return oversight.Vote{Role: auth.RoleCommissionMember, Vote: v}
	}
	Y, N, A := oversight.VoteYes, oversight.VoteNo, oversight.VoteAbstain
	for _, c := range []struct {
		name  string
		q     oversight.Quorum
		votes []oversight.Vote
		want  oversight.Tally
	}{
		// The chair and two members, all for: carried.
		{"minimal quorum", oversight.Quorum{MinMembers: 2}, []oversight.Vote{chair(Y), member(Y), member(Y)},
			oversight.Tally{Yes: 3, Present: 3, MembersPresent: 2, ChairPresent: true, Quorum: true, Carried: true}},
		// Four members without the chair: no quorum.
		{"no chair", oversight.Quorum{MinMembers: 2}, []oversight.Vote{member(Y), member(Y), member(Y), member(Y)},
			oversight.Tally{Yes: 4, Present: 4, MembersPresent: 4}},
		// ... unless the chair is optional.
		{"chair optional", oversight.Quorum{MinMembers: 2, ChairOptional: true}, []oversight.Vote{member(Y), member(N), member(Y)},
			oversight.Tally{Yes: 2, No: 1, Present: 3, MembersPresent: 3, Quorum: true, Carried: true}},
		// Abstentions count as present.
		{"abstentions make the quorum", oversight.Quorum{MinMembers: 2}, []oversight.Vote{chair(Y), member(A), member(A)},
			oversight.Tally{Yes: 1, Abstain: 2, Present: 3, MembersPresent: 2, ChairPresent: true, Quorum: true, Carried: true}},
		// Tie, chair against: tie broken, not carried.
		{"tie, chair against", oversight.Quorum{MinMembers: 2}, []oversight.Vote{chair(N), member(Y), member(Y), member(N)},
			oversight.Tally{Yes: 2, No: 2, Present: 4, MembersPresent: 3, ChairPresent: true, Quorum: true, TieBroken: true}},
		// Tie with the chair abstaining: not carried, not broken.
		{"tie, chair abstains", oversight.Quorum{MinMembers: 2}, []oversight.Vote{chair(A), member(Y), member(N)},
			oversight.Tally{Yes: 1, No: 1, Abstain: 1, Present: 3, MembersPresent: 2, ChairPresent: true, Quorum: true}},
		// Tie with the chair for, under TieFails: not carried.
		{"tie fails", oversight.Quorum{MinMembers: 2, TieFails: true}, []oversight.Vote{chair(Y), member(N), member(Y), member(N)},
			oversight.Tally{Yes: 2, No: 2, Present: 4, MembersPresent: 3, ChairPresent: true, Quorum: true}},
		// More against: not carried.
		{"against", oversight.Quorum{MinMembers: 2}, []oversight.Vote{chair(Y), member(N), member(N)},
			oversight.Tally{Yes: 1, No: 2, Present: 3, MembersPresent: 2, ChairPresent: true, Quorum: true}},
		// A quorum of three members.
		{"three members needed", oversight.Quorum{MinMembers: 3}, []oversight.Vote{chair(Y), member(Y), member(Y)},
			oversight.Tally{Yes: 3, Present: 3, MembersPresent: 2, ChairPresent: true}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if d := cmp.Diff(c.want, c.q.Count(c.votes)); d != "" {
				t.Errorf("tally (-want +got):\n%s", d)
			}
		})
	}
}

// TestTieFailsConfig: the service counts with its configured rule.
func TestTieFailsConfig(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, oversight.Config{Quorum: oversight.Quorum{TieFails: true}})
		if q := e.svc.Quorum(); q.MinMembers != 2 || !q.TieFails {
			t.Errorf("quorum %+v", q)
		}
		a := e.file(t, ch6())
		m, _ := e.svc.MoveMotion(e.ctx, e.chair, a.ID, oversight.MotionInput{Kind: oversight.MotionApprove})
		for i, p := range []*auth.Principal{e.chair, e.m1, e.m2, e.m3} {
			v := oversight.VoteYes
			if i%2 == 1 {
				v = oversight.VoteNo
			}
			if _, err := e.svc.CastVote(e.ctx, p, m.ID, oversight.VoteInput{Vote: v, Reasons: "r"}); err != nil {
				t.Fatal(err)
			}
		}
		m, err := e.svc.CloseMotion(e.ctx, e.chair, m.ID)
		if err != nil || m.State != oversight.MotionNotCarried {
			t.Errorf("tie under TieFails: %s, %v; want not_carried", m.State, err)
		}
	})
}

// TestSeparationOfDuties: a commission user who filed cannot act on the
// request (an account with both roles; the policy stops most such
// accounts, the service stops all).
func TestSeparationOfDuties(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		a, err := e.svc.FileAcquisition(e.ctx, e.mixed, ch6())
		if err != nil {
			t.Fatal(err)
		}
		filer := &auth.Principal{UserID: e.mixed.UserID, OrgID: e.comm.ID, Roles: []auth.Role{auth.RoleCommissionMember}, MFA: true}
		_, err = e.svc.MoveMotion(e.ctx, filer, a.ID, oversight.MotionInput{Kind: oversight.MotionApprove})
		wantErr(t, "the filer moves", err, oversight.ErrForbidden)
		m, err := e.svc.MoveMotion(e.ctx, e.m1, a.ID, oversight.MotionInput{Kind: oversight.MotionApprove})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.CastVote(e.ctx, filer, m.ID, oversight.VoteInput{Vote: oversight.VoteYes, Reasons: "mine"})
		wantErr(t, "the filer votes", err, oversight.ErrForbidden)
		_, err = e.svc.FileAcquisition(e.ctx, e.chair, ch6())
		wantErr(t, "the chair files", err, oversight.ErrForbidden)
	})
}

// TestRefusal: a refusal needs reasons by category; a refused request has
// no approval.
func TestRefusal(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		a := e.file(t, ch4())
		for _, c := range []struct {
			name  string
			in    oversight.MotionInput
			field string
		}{
			{"no reasons", oversight.MotionInput{Kind: oversight.MotionRefuse}, "reasons"},
			{"unknown category", oversight.MotionInput{Kind: oversight.MotionRefuse, Reasons: []oversight.Reason{{Category: "mood", Text: "x"}}}, "reasons[0].category"},
			{"empty text", oversight.MotionInput{Kind: oversight.MotionRefuse, Reasons: []oversight.Reason{{Category: oversight.ReasonScope, Text: " "}}}, "reasons[0].text"},
			{"repeated category", oversight.MotionInput{Kind: oversight.MotionRefuse, Reasons: []oversight.Reason{{Category: oversight.ReasonScope, Text: "a"}, {Category: oversight.ReasonScope, Text: "b"}}}, "reasons[1].category"},
			{"reasons on approve", oversight.MotionInput{Kind: oversight.MotionApprove, Reasons: []oversight.Reason{{Category: oversight.ReasonScope, Text: "a"}}}, "reasons"},
			{"narrowing on refuse", oversight.MotionInput{Kind: oversight.MotionRefuse, Narrowing: &oversight.Narrowing{RemoveRules: []string{"webshell"}}, Reasons: []oversight.Reason{{Category: oversight.ReasonScope, Text: "a"}}}, "narrowing"},
			{"unknown kind", oversight.MotionInput{Kind: "table"}, "kind"},
		} {
			_, err := e.svc.MoveMotion(e.ctx, e.m1, a.ID, c.in)
			wantField(t, c.name, err, c.field)
		}
		reasons := []oversight.Reason{{Category: oversight.ReasonNecessity, Text: "Other means were not tried."}, {Category: oversight.ReasonScope, Text: "The criteria reach far beyond the suspicion."}}
		m := e.decideBy(t, a.ID, oversight.MotionInput{Kind: oversight.MotionRefuse, Reasons: reasons}, e.chair, e.m1, e.m4)
		if m.State != oversight.MotionCarried {
			t.Fatalf("refusal not carried: %+v", m.Tally)
		}
		got, _ := e.svc.Acquisition(e.ctx, e.analyst, a.ID)
		if got.State != oversight.AcquisitionRefused || got.Decision.ApprovalID != "" || len(got.Decision.Reasons) != 2 {
			t.Errorf("refused request %+v decision %+v", got, got.Decision)
		}
		if apvs, _ := e.svc.Approvals(e.ctx, oversight.ApprovalFilter{RequestID: a.ID}); len(apvs) != 0 {
			t.Errorf("a refused request has approvals %+v", apvs)
		}
	})
}

// TestNarrowedApproval: the commission approves a narrowed set; the
// manifest names the narrowed bytes, not the filed ones.
func TestNarrowedApproval(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		in := ch6()
		a := e.file(t, in)
		from, until := period()
		n := &oversight.Narrowing{
			ValidFrom:        from.Add(24 * time.Hour),
			ValidUntil:       until.Add(-30 * 24 * time.Hour),
			RemoveDirections: []string{"domestic-foreign"},
			RemoveRules:      []string{"webshell"},
			RemoveMatchers:   []oversight.MatcherRemoval{{Rule: "c2-servers", Addresses: []string{"198.51.100.7/32"}, Ports: []string{"icmp"}}},
		}
		_, err := e.svc.MoveMotion(e.ctx, e.m2, a.ID, oversight.MotionInput{Kind: oversight.MotionApproveNarrowed})
		wantField(t, "narrowed without a narrowing", err, "narrowing")
		_, err = e.svc.MoveMotion(e.ctx, e.m2, a.ID, oversight.MotionInput{Kind: oversight.MotionApproveNarrowed,
			Narrowing: &oversight.Narrowing{ValidUntil: until.Add(time.Hour)}})
		wantField(t, "a narrowing that widens", err, "narrowing.valid_until")
		_, err = e.svc.MoveMotion(e.ctx, e.m2, a.ID, oversight.MotionInput{Kind: oversight.MotionApprove, Narrowing: n})
		wantField(t, "narrowing on approve", err, "narrowing")

		m, err := e.svc.MoveMotion(e.ctx, e.m2, a.ID, oversight.MotionInput{Kind: oversight.MotionApproveNarrowed, Narrowing: n, Statement: "Inbound only, shorter."})
		if err != nil {
			t.Fatal(err)
		}
		narrowed, err := e.svc.MotionCriteria(e.ctx, e.m3, m.ID)
		if err != nil || m.NarrowedVersion != 2 || m.NarrowedSHA256 == "" {
			t.Fatalf("narrowed file: %v, motion %+v", err, m)
		}
		for _, p := range []*auth.Principal{e.chair, e.m1, e.m3} {
			if _, err := e.svc.CastVote(e.ctx, p, m.ID, oversight.VoteInput{Vote: oversight.VoteYes, Reasons: "narrowed enough"}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.svc.CastVote(e.ctx, e.m2, m.ID, oversight.VoteInput{Vote: oversight.VoteNo, Reasons: "still too wide"}); err != nil {
			t.Fatal(err)
		}
		if m, err = e.svc.CloseMotion(e.ctx, e.chair, m.ID); err != nil || m.State != oversight.MotionCarried {
			t.Fatalf("close: %v %+v", err, m)
		}
		got, _ := e.svc.Acquisition(e.ctx, e.analyst, a.ID)
		apv, err := e.svc.Approval(e.ctx, got.Decision.ApprovalID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Decision.Kind != oversight.MotionApproveNarrowed || !apv.Narrowed || apv.CriteriaVersion != 2 || apv.CriteriaSHA256 != m.NarrowedSHA256 ||
			!apv.ValidFrom.Equal(n.ValidFrom) || !apv.ValidUntil.Equal(n.ValidUntil) || !slices.Equal(apv.Directions, []string{"foreign-domestic"}) {
			t.Errorf("narrowed approval %+v (decision %+v)", apv, got.Decision)
		}
		crit, _, _ := e.svc.ApprovalCriteria(e.ctx, apv.ID)
		if string(crit) != string(narrowed) {
			t.Errorf("approved criteria are not the narrowed file voted on")
		}
		if err := e.checkManifest(t, apv.ID, n.ValidFrom.Add(time.Hour)); err != nil {
			t.Errorf("manifest check against the narrowed file: %v", err)
		}
		raw, _, _ := e.svc.Manifest(e.ctx, apv.ID)
		if err := e.checkWith(t, raw, []byte(in.Criteria), n.ValidFrom.Add(time.Hour)); !errors.Is(err, manifest.ErrCriteriaMismatch) {
			t.Errorf("manifest check against the filed file: %v, want ErrCriteriaMismatch", err)
		}
		if err := e.checkManifest(t, apv.ID, from.Add(time.Hour)); !errors.Is(err, manifest.ErrNotYetValid) {
			t.Errorf("manifest check inside the filed window, before the narrowed one: %v, want ErrNotYetValid", err)
		}
	})
}

// TestWithdraw: a pending request is withdrawn by the Cabinet Office and
// its open motion lapses.
func TestWithdraw(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		a := e.file(t, ch6())
		m, _ := e.svc.MoveMotion(e.ctx, e.m1, a.ID, oversight.MotionInput{Kind: oversight.MotionApprove})
		_, err := e.svc.WithdrawAcquisition(e.ctx, e.chair, a.ID, "x")
		wantErr(t, "the chair withdraws", err, oversight.ErrForbidden)
		_, err = e.svc.WithdrawAcquisition(e.ctx, e.analyst2, a.ID, "")
		wantField(t, "withdraw without reason", err, "reason")
		got, err := e.svc.WithdrawAcquisition(e.ctx, e.analyst2, a.ID, "The campaign ended.")
		if err != nil || got.State != oversight.AcquisitionWithdrawn || got.Motions[0].State != oversight.MotionLapsed {
			t.Fatalf("withdrawn: %v %+v", err, got)
		}
		_, err = e.svc.WithdrawAcquisition(e.ctx, e.analyst, a.ID, "again")
		wantErr(t, "withdraw twice", err, oversight.ErrConflict)
		_, err = e.svc.CastVote(e.ctx, e.m2, m.ID, oversight.VoteInput{Vote: oversight.VoteYes, Reasons: "r"})
		wantErr(t, "vote on a lapsed motion", err, oversight.ErrConflict)
		_, err = e.svc.Acquisition(e.ctx, e.opUserA, a.ID)
		wantErr(t, "an operator reads a request", err, oversight.ErrNotFound)
	})
}

// TestMotionAfterPeriod: a request whose period has ended can only be
// refused.
func TestMotionAfterPeriod(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		a := e.file(t, ch6())
		e.clock.Set(a.ValidUntil)
		_, err := e.svc.MoveMotion(e.ctx, e.m1, a.ID, oversight.MotionInput{Kind: oversight.MotionApprove})
		wantErr(t, "approve after the period", err, oversight.ErrConflict)
		_, err = e.svc.MoveMotion(e.ctx, e.m1, a.ID, oversight.MotionInput{Kind: oversight.MotionRefuse,
			Reasons: []oversight.Reason{{Category: oversight.ReasonQuality, Text: "late"}}})
		wantErr(t, "refuse after the period", err, nil)
	})
}

// TestClosedStates: nothing moves a request or agreement out of a final
// state, and a motion not carried leaves the request open to another.
func TestClosedStates(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		reasons := []oversight.Reason{{Category: oversight.ReasonQuality, Text: "q"}}
		// Not carried: pending, and another motion may follow.
		a := e.file(t, ch6())
		m, _ := e.svc.MoveMotion(e.ctx, e.m1, a.ID, oversight.MotionInput{Kind: oversight.MotionApprove})
		for _, p := range []*auth.Principal{e.chair, e.m1, e.m2} {
			e.svc.CastVote(e.ctx, p, m.ID, oversight.VoteInput{Vote: oversight.VoteNo, Reasons: "no"})
		}
		if m, _ = e.svc.CloseMotion(e.ctx, e.chair, m.ID); m.State != oversight.MotionNotCarried {
			t.Fatalf("motion %s, want not_carried", m.State)
		}
		if got, _ := e.svc.Acquisition(e.ctx, e.analyst, a.ID); got.State != oversight.AcquisitionPending {
			t.Errorf("after not carried: %s", got.State)
		}
		e.decideBy(t, a.ID, oversight.MotionInput{Kind: oversight.MotionRefuse, Reasons: reasons}, e.chair, e.m1, e.m2)
		_, err := e.svc.MoveMotion(e.ctx, e.m1, a.ID, oversight.MotionInput{Kind: oversight.MotionApprove})
		wantErr(t, "motion on a refused request", err, oversight.ErrConflict)
		_, err = e.svc.WithdrawAcquisition(e.ctx, e.analyst, a.ID, "w")
		wantErr(t, "withdraw a refused request", err, oversight.ErrConflict)

		w := e.file(t, ch4())
		if _, err := e.svc.WithdrawAcquisition(e.ctx, e.analyst, w.ID, "w"); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.MoveMotion(e.ctx, e.m1, w.ID, oversight.MotionInput{Kind: oversight.MotionRefuse, Reasons: reasons})
		wantErr(t, "motion on a withdrawn request", err, oversight.ErrConflict)

		// A consultation accepted; a terminated agreement cannot be
		// edited, signed or answered.
		g, err := e.svc.CreateAgreement(e.ctx, e.analyst, e.agreementInput())
		if err != nil {
			t.Fatal(err)
		}
		c, _ := e.svc.RequestConsultation(e.ctx, e.analyst, g.ID, oversight.ConsultationRequest{Subject: "s", Text: "t"})
		c, err = e.svc.RespondConsultation(e.ctx, e.opUserA, g.ID, c.ID, oversight.ConsultationResponse{Answer: oversight.AnswerAccept})
		if err != nil || c.State != oversight.ConsultationAccepted {
			t.Fatalf("accept: %v %+v", err, c)
		}
		c2, _ := e.svc.RequestConsultation(e.ctx, e.analyst, g.ID, oversight.ConsultationRequest{Subject: "s2", Text: "t2"})
		if _, err := e.svc.TerminateAgreement(e.ctx, e.analyst, g.ID, "abandoned in consultation"); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.UpdateAgreement(e.ctx, e.analyst, g.ID, e.agreementInput())
		wantErr(t, "edit a terminated agreement", err, oversight.ErrConflict)
		_, err = e.svc.SignAgreement(e.ctx, e.opUserA, g.ID, 1)
		wantErr(t, "sign a terminated agreement", err, oversight.ErrConflict)
		_, err = e.svc.RespondConsultation(e.ctx, e.opUserA, g.ID, c2.ID, oversight.ConsultationResponse{Answer: oversight.AnswerAccept})
		wantErr(t, "answer a lapsed consultation", err, oversight.ErrConflict)
		_, err = e.svc.RespondConsultation(e.ctx, e.opUserA, "agr_other", c2.ID, oversight.ConsultationResponse{Answer: oversight.AnswerAccept})
		wantErr(t, "answer through another agreement", err, oversight.ErrNotFound)
	})
}
