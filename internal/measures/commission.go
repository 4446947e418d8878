package measures

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/oversight"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/textfield"
)

// maxReviewDue is how far ahead a recommendation's answer may be due.
const maxReviewDue = 5 * 365 * 24 * time.Hour

// approvalGates are what the commission's approval and an emergency need:
// the target's location, the checklist, MOFA's answer for a target abroad,
// and on the SDF protection path the joint police agency and the Prime
// Minister's order.
var approvalGates = []GateName{GateJurisdiction, GateLocation, GateChecklist, GateMOFA, GateJointPolice, GateSDFOrder}

// decidedRefusal returns the refusal for a case whose approval is no
// longer open to a request or an emergency, or nil.
func decidedRefusal(c *Case) *Refusal {
	if c.Approval == nil {
		return nil
	}
	switch c.Approval.State {
	case ApprovalApproved:
		return refuse(CodeAlreadyApproved, fmt.Sprintf("case %s was approved at %s", c.ID, stamp(c.Approval.DecidedAt)))
	case ApprovalRefused:
		return refuse(CodeCommissionRefused, fmt.Sprintf("case %s was refused at %s", c.ID, stamp(c.Approval.DecidedAt)))
	}
	return nil
}

// RequestApproval asks the commission for prior approval of the measures
// of case id: on the police path the case's officer, on the SDF paths the
// Minister of Defense (an SDF officer: not_in_chain). It needs the
// location, a complete checklist, MOFA's answer for a target abroad, and
// on the SDF protection path the Prime Minister's order. The commission is
// notified.
func (s *Service) RequestApproval(ctx context.Context, p *auth.Principal, id, statement string) (Case, error) {
	return s.step(ctx, p, id, "measure.approval_request", func(tx *store.Tx, c *Case) error {
		if c.Path.SDF() {
			if err := s.chainCommander(ctx, p, c); err != nil {
				return err
			}
			if c.State.Final() {
				return refuse(CodeCaseClosed, fmt.Sprintf("case %s is %s", c.ID, c.State))
			}
		} else if err := s.officerStep(ctx, tx, p, c, false); err != nil {
			return err
		}
		if c.Approval != nil && c.Approval.State == ApprovalPending {
			return refuse(CodeApprovalPending, fmt.Sprintf("case %s: approval was requested at %s", c.ID, stamp(c.Approval.RequestedAt)))
		}
		if r := decidedRefusal(c); r != nil {
			return r
		}
		if c.Emergency != nil {
			return refuse(CodeAlreadyDone, fmt.Sprintf("case %s: an emergency was declared at %s; the commission reviews its post-notification", c.ID, stamp(c.Emergency.DeclaredAt)))
		}
		if r := requireGates(c, s.now(), approvalGates...); r != nil {
			return r
		}
		statement = strings.TrimSpace(statement)
		if err := textfield.Check("statement", statement, maxText, true); err != nil {
			return err
		}
		c.Approval = &Approval{State: ApprovalPending, Statement: statement, RequestedBy: p.UserID, RequestedAt: s.now()}
		return s.notifyKind(ctx, tx, auth.OrgCommission, deadline.Notice{Subject: fmt.Sprintf("Measure case %s asks for the commission's approval", c.ID),
			Body: fmt.Sprintf("%s (%s path). %s", c.Title, c.Path, textfield.Cut(statement, 1000)), Link: "/measures/" + c.ID})
	})
}

// checkMotion validates a motion on a case: approve or refuse; a refusal
// with one reason per category at most, each with text.
func checkMotion(in *MotionInput) error {
	in.Statement = strings.TrimSpace(in.Statement)
	if err := textfield.Check("statement", in.Statement, maxText, false); err != nil {
		return err
	}
	switch in.Kind {
	case oversight.MotionApprove:
		if len(in.Reasons) > 0 {
			return fieldErrorf("reasons", "only a motion to refuse gives reasons; explain an approval in the statement")
		}
		return nil
	case oversight.MotionRefuse:
	default:
		return fieldErrorf("kind", "%q: want approve or refuse", cutQ(string(in.Kind)))
	}
	if len(in.Reasons) == 0 {
		return fieldErrorf("reasons", "a refusal needs reasons: at least one of %v, each with text", oversight.ReasonCategories)
	}
	if len(in.Reasons) > len(oversight.ReasonCategories) {
		return fieldErrorf("reasons", "%d reasons: give at most one per category", len(in.Reasons))
	}
	for i := range in.Reasons {
		r := &in.Reasons[i]
		f := fmt.Sprintf("reasons[%d]", i)
		if !slices.Contains(oversight.ReasonCategories, r.Category) {
			return fieldErrorf(f+".category", "%q: want one of %v", cutQ(string(r.Category)), oversight.ReasonCategories)
		}
		if slices.ContainsFunc(in.Reasons[:i], func(o oversight.Reason) bool { return o.Category == r.Category }) {
			return fieldErrorf(f+".category", "%q repeated: put all reasons of one category in one text", r.Category)
		}
		if err := checkText(f+".text", &r.Text, true); err != nil {
			return err
		}
	}
	return nil
}

// MoveMotion moves a motion on case caseID's pending request for approval:
// the chair or a member (separation of duties: commission_separation). One
// motion is open at a time. A motion to approve a case whose target is
// abroad needs MOFA's answer (mofa_consultation_required), as the request
// did.
func (s *Service) MoveMotion(ctx context.Context, p *auth.Principal, caseID string, in MotionInput) (Motion, error) {
	if err := commissionActor(p); err != nil {
		return Motion{}, err
	}
	var m Motion
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		c, err := loadCase(ctx, tx, p, caseID)
		if err != nil {
			return err
		}
		if err := s.checkPending(ctx, tx, &c); err != nil {
			return err
		}
		if err := checkMotion(&in); err != nil {
			return err
		}
		if in.Kind == oversight.MotionApprove {
			if r := requireGates(&c, s.now(), approvalGates...); r != nil {
				return r
			}
		}
		m = Motion{ID: newID("mot_"), CaseID: c.ID, Kind: in.Kind, State: oversight.MotionOpen, Statement: in.Statement,
			Reasons: in.Reasons, MovedBy: p.UserID, MovedAt: s.now()}
		data, err := encode(m)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO msr_motions (id, case_id, state, moved_at, data) VALUES (?, ?, ?, ?, ?)",
			m.ID, m.CaseID, string(m.State), store.FormatTime(m.MovedAt), data); err != nil {
			return fmt.Errorf("record motion: %w", err)
		}
		if err := s.audit(ctx, tx, p, "measure.motion_move", "motion/"+m.ID, m); err != nil {
			return err
		}
		return s.notifyKind(ctx, tx, auth.OrgCommission, deadline.Notice{Subject: fmt.Sprintf("Motion to %s measure case %s: vote", m.Kind, c.ID),
			Body: textfield.Cut(m.Statement, 1000), Link: "/measures/" + c.ID})
	})
	if err != nil {
		return Motion{}, err
	}
	return s.Motion(ctx, p, m.ID)
}

// checkPending checks that c has a request for approval the commission
// may decide on, with no motion open.
func (s *Service) checkPending(ctx context.Context, q store.Querier, c *Case) error {
	if c.State.Final() {
		return refuse(CodeCaseClosed, fmt.Sprintf("case %s is %s", c.ID, c.State))
	}
	if r := decidedRefusal(c); r != nil {
		return r
	}
	if c.Approval == nil || c.Approval.State != ApprovalPending {
		return refuse(CodeApprovalNotPending, fmt.Sprintf("case %s has no request for approval pending", c.ID))
	}
	ms, err := listRecords[Motion](ctx, q, "SELECT data FROM msr_motions WHERE case_id = ? AND state = 'open'", c.ID)
	if err != nil {
		return err
	}
	if len(ms) > 0 {
		return refuse(CodeMotionOpen, fmt.Sprintf("motion %s on case %s is open", ms[0].ID, c.ID))
	}
	return nil
}

// CastVote records p's vote on open motion motionID, once: the chair or a
// member (commission_separation applies).
func (s *Service) CastVote(ctx context.Context, p *auth.Principal, motionID string, in VoteInput) (Motion, error) {
	if err := commissionActor(p); err != nil {
		return Motion{}, err
	}
	switch in.Vote {
	case oversight.VoteYes, oversight.VoteNo, oversight.VoteAbstain:
	default:
		return Motion{}, fieldErrorf("vote", "%q: want yes, no or abstain", cutQ(string(in.Vote)))
	}
	if err := checkText("reasons", &in.Reasons, true); err != nil {
		return Motion{}, err
	}
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		m, err := getRecord[Motion](ctx, tx, "msr_motions", "motion", motionID)
		if err != nil {
			return err
		}
		if m.State != oversight.MotionOpen {
			return refuse(CodeMotionClosed, fmt.Sprintf("motion %s is %s", m.ID, m.State))
		}
		var n int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM msr_votes WHERE motion_id = ? AND user_id = ?", m.ID, p.UserID).Scan(&n); err != nil {
			return fmt.Errorf("read votes: %w", err)
		}
		if n > 0 {
			return refuse(CodeAlreadyDone, fmt.Sprintf("you have already voted on motion %s", m.ID))
		}
		v := oversight.Vote{MotionID: m.ID, UserID: p.UserID, Role: auth.RoleCommissionMember, Vote: in.Vote, Reasons: in.Reasons, At: s.now()}
		if isChair(p) {
			v.Role = auth.RoleCommissionChair
		}
		data, err := encode(v)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO msr_votes (motion_id, user_id, at, data) VALUES (?, ?, ?, ?)", v.MotionID, v.UserID, store.FormatTime(v.At), data); err != nil {
			if store.IsUniqueViolation(err) {
				return refuse(CodeAlreadyDone, fmt.Sprintf("you have already voted on motion %s", m.ID))
			}
			return fmt.Errorf("record vote: %w", err)
		}
		return s.audit(ctx, tx, p, "measure.vote", "vote/"+v.MotionID+"."+v.UserID, v)
	})
	if err != nil {
		return Motion{}, err
	}
	return s.Motion(ctx, p, motionID)
}

// CloseMotion closes open motion motionID and counts the votes under the
// commission's Quorum; the chair only. Without a quorum or not carried,
// the request stays pending for another motion. Carried, it decides: the
// approval is approved (a motion to approve needs the approval gates to
// hold still) or refused with the motion's reasons, and the officer's
// organisation is told.
func (s *Service) CloseMotion(ctx context.Context, p *auth.Principal, motionID string) (Motion, error) {
	if err := commissionActor(p); err != nil {
		return Motion{}, err
	}
	if !isChair(p) {
		return Motion{}, fmt.Errorf("only the chair closes a motion: %w", ErrForbidden)
	}
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		m, err := getRecord[Motion](ctx, tx, "msr_motions", "motion", motionID)
		if err != nil {
			return err
		}
		if m.State != oversight.MotionOpen {
			return refuse(CodeMotionClosed, fmt.Sprintf("motion %s is %s", m.ID, m.State))
		}
		c, err := loadCase(ctx, tx, p, m.CaseID)
		if err != nil {
			return err
		}
		votes, err := votesOf(ctx, tx, m.ID)
		if err != nil {
			return err
		}
		t := s.cfg.Quorum.Count(votes)
		now := s.now()
		m.Tally, m.ClosedBy, m.ClosedAt = &t, p.UserID, now
		switch {
		case !t.Quorum:
			m.State = oversight.MotionNoQuorum
		case !t.Carried:
			m.State = oversight.MotionNotCarried
		default:
			m.State = oversight.MotionCarried
		}
		if err := saveMotion(ctx, tx, &m); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, p, "measure.motion_close", "motion/"+m.ID, m); err != nil {
			return err
		}
		if m.State != oversight.MotionCarried {
			return nil
		}
		a := c.Approval
		if m.Kind == oversight.MotionApprove {
			if r := requireGates(&c, now, approvalGates...); r != nil {
				return r
			}
			a.State = ApprovalApproved
		} else {
			a.State, a.Reasons = ApprovalRefused, m.Reasons
		}
		a.MotionID, a.DecidedAt = m.ID, now
		c.UpdatedAt = now
		if err := updateCase(ctx, tx, &c); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, p, "measure.decide", "measure/"+c.ID, c.stored()); err != nil {
			return err
		}
		body := fmt.Sprintf("The commission decided on case %s: %s.", c.ID, a.State)
		for _, r := range a.Reasons {
			body += fmt.Sprintf("\n%s: %s", r.Category, r.Text)
		}
		return s.notifyChain(ctx, tx, &c, deadline.Notice{Subject: fmt.Sprintf("Measure case %s: approval %s", c.ID, a.State), Body: body, Link: "/measures/" + c.ID})
	})
	if err != nil {
		return Motion{}, err
	}
	return s.Motion(ctx, p, motionID)
}

// notifyChain sends n to the case's officer (and their organisation) and,
// on the SDF paths, to the Ministry of Defense.
func (s *Service) notifyChain(ctx context.Context, tx *store.Tx, c *Case, n deadline.Notice) error {
	n.ToOrg, n.ToUser = c.OfficerOrgID, ""
	if err := s.notify(ctx, tx, n); err != nil {
		return err
	}
	if c.Path.SDF() {
		return s.notifyKind(ctx, tx, auth.OrgMOD, n)
	}
	return nil
}

// Motion returns motion id with its votes, if p may see its case;
// otherwise ErrNotFound.
func (s *Service) Motion(ctx context.Context, p *auth.Principal, id string) (Motion, error) {
	m, err := getRecord[Motion](ctx, s.db, "msr_motions", "motion", id)
	if err != nil {
		return Motion{}, err
	}
	if _, err := loadCase(ctx, s.db, nonNil(p), m.CaseID); err != nil {
		return Motion{}, fmt.Errorf("motion %q: %w", textfield.Cut(id, 100), ErrNotFound)
	}
	m.Votes, err = votesOf(ctx, s.db, m.ID)
	return m, err
}

// motionsOf returns the motions on case caseID with their votes, oldest
// first.
func motionsOf(ctx context.Context, q store.Querier, caseID string) ([]Motion, error) {
	ms, err := listRecords[Motion](ctx, q, "SELECT data FROM msr_motions WHERE case_id = ? ORDER BY moved_at, id", caseID)
	if err != nil {
		return nil, err
	}
	for i := range ms {
		if ms[i].Votes, err = votesOf(ctx, q, ms[i].ID); err != nil {
			return nil, err
		}
	}
	return ms, nil
}

func votesOf(ctx context.Context, q store.Querier, motionID string) ([]oversight.Vote, error) {
	return listRecords[oversight.Vote](ctx, q, "SELECT data FROM msr_votes WHERE motion_id = ? ORDER BY at, user_id", motionID)
}

// saveMotion updates m's state and data.
func saveMotion(ctx context.Context, tx *store.Tx, m *Motion) error {
	m.Votes = nil
	data, err := encode(m)
	if err != nil {
		return err
	}
	res, err := tx.Exec(ctx, "UPDATE msr_motions SET state = ?, data = ? WHERE id = ?", string(m.State), data, m.ID)
	if err != nil {
		return fmt.Errorf("update motion %s: %w", m.ID, err)
	}
	if n, err := res.RowsAffected(); err == nil && n != 1 {
		return fmt.Errorf("update motion %s: %w", m.ID, sql.ErrNoRows)
	}
	return nil
}

// DeclareEmergency declares that special circumstances leave no time for
// the commission's prior approval of the measures of case id: the case's
// officer, on every path. It needs what a request for approval needs; it
// is refused once the commission approved (already_approved) or refused
// (commission_refused). A pending request is withdrawn and its open
// motion lapses. The post-notification is due within
// Config.PostNoticeWithin (a deadline on the officer's organisation), and
// the commission is notified now.
func (s *Service) DeclareEmergency(ctx context.Context, p *auth.Principal, id, specialCircumstances string) (Case, error) {
	return s.step(ctx, p, id, "measure.emergency", func(tx *store.Tx, c *Case) error {
		if err := s.officerStep(ctx, tx, p, c, false); err != nil {
			return err
		}
		if r := decidedRefusal(c); r != nil {
			return r
		}
		if c.Emergency != nil {
			return refuse(CodeAlreadyDone, fmt.Sprintf("case %s: an emergency was declared at %s", c.ID, stamp(c.Emergency.DeclaredAt)))
		}
		now := s.now()
		if r := requireGates(c, now, approvalGates...); r != nil {
			return r
		}
		text := strings.TrimSpace(specialCircumstances)
		if err := textfield.Check("special_circumstances", text, maxText, true); err != nil {
			return err
		}
		if c.Approval != nil && c.Approval.State == ApprovalPending {
			c.Approval.State, c.Approval.WithdrawnAt = ApprovalWithdrawn, now
			if err := s.lapseMotions(ctx, tx, p, c.ID); err != nil {
				return err
			}
		}
		d, err := s.deadlines.Set(ctx, tx, deadline.Deadline{Kind: KindPostNoticeDeadline, Subject: "measure/" + c.ID, Org: c.OfficerOrgID,
			User: c.OfficerUserID, Title: "Post-notification to the commission of emergency measure " + c.ID,
			TitleJA: "緊急措置 " + c.ID + " の委員会への事後通知", Link: "/measures/" + c.ID, Due: now.Add(s.cfg.PostNoticeWithin)})
		if err != nil {
			return fmt.Errorf("set post-notification deadline: %w", err)
		}
		c.Emergency = &Emergency{DeclaredAt: now, By: p.UserID, Text: text, Due: d.Due, DeadlineID: d.ID}
		return s.notifyKind(ctx, tx, auth.OrgCommission, deadline.Notice{Subject: fmt.Sprintf("Emergency declared on measure case %s", c.ID),
			Body: fmt.Sprintf("%s (%s path). The post-notification is due by %s. Special circumstances: %s", c.Title, c.Path, stamp(d.Due),
				textfield.Cut(text, 1000)), Link: "/measures/" + c.ID})
	})
}

// FilePostNotice files the post-notification of case id's emergency
// measure to the commission, once: the case's officer. It meets the
// deadline; filed after the due time it is late.
func (s *Service) FilePostNotice(ctx context.Context, p *auth.Principal, id string, in PostNoticeInput) (Case, error) {
	return s.step(ctx, p, id, "measure.post_notice", func(tx *store.Tx, c *Case) error {
		if err := s.officerStep(ctx, tx, p, c, false); err != nil {
			return err
		}
		if c.Emergency == nil {
			return refuse(CodeNoEmergency, fmt.Sprintf("case %s: no emergency was declared", c.ID))
		}
		if c.PostNotice != nil {
			return refuse(CodeAlreadyDone, fmt.Sprintf("case %s: the post-notification was filed at %s", c.ID, stamp(c.PostNotice.FiledAt)))
		}
		if err := checkText("what_was_done", &in.WhatWasDone, true); err != nil {
			return err
		}
		if err := checkText("why_no_time", &in.WhyNoTime, true); err != nil {
			return err
		}
		if _, err := s.deadlines.MeetSubject(ctx, tx, "measure/"+c.ID, KindPostNoticeDeadline); err != nil {
			return fmt.Errorf("meet post-notification deadline: %w", err)
		}
		now := s.now()
		c.PostNotice = &PostNotice{WhatWasDone: in.WhatWasDone, WhyNoTime: in.WhyNoTime, FiledBy: p.UserID, FiledAt: now, Late: now.After(c.Emergency.Due)}
		late := ""
		if c.PostNotice.Late {
			late = " (late)"
		}
		return s.notifyKind(ctx, tx, auth.OrgCommission, deadline.Notice{Subject: fmt.Sprintf("Post-notification of emergency measure %s%s", c.ID, late),
			Body: fmt.Sprintf("What was done: %s\nWhy there was no time: %s", textfield.Cut(in.WhatWasDone, 1500), textfield.Cut(in.WhyNoTime, 1500)),
			Link: "/measures/" + c.ID})
	})
}

// checkReview validates a review at now.
func checkReview(in *ReviewInput, now time.Time) error {
	switch in.Outcome {
	case ReviewAcknowledged:
		if in.Rating != "" || !in.Due.IsZero() {
			return fieldErrorf("rating", "only a recommendation has a rating and a due time")
		}
		return checkText("text", &in.Text, false)
	case ReviewRecommendation:
	default:
		return fieldErrorf("outcome", "%q: want acknowledged or recommendation", cutQ(string(in.Outcome)))
	}
	if err := checkText("text", &in.Text, true); err != nil {
		return err
	}
	switch in.Rating {
	case "red", "amber", "green":
	default:
		return fieldErrorf("rating", "%q: want red, amber or green", cutQ(in.Rating))
	}
	in.Due = in.Due.UTC()
	switch {
	case in.Due.IsZero():
		return fieldErrorf("due", "required for a recommendation")
	case !in.Due.After(now):
		return fieldErrorf("due", "%s is not in the future", stamp(in.Due))
	case in.Due.Sub(now) > maxReviewDue:
		return fieldErrorf("due", "%s is more than 5 years ahead", stamp(in.Due))
	}
	return nil
}

// ReviewPostNotice records the commission's review of case id's
// post-notification, once: the chair or a member (commission_separation
// applies). The review is the commission's oversight, not a step of the
// case, so it may follow the case's closing. A recommendation is issued to
// the officer's organisation through the Recommender before the review is
// recorded (none configured: refused); should recording then fail, the
// recommendation stands and the review may be recorded again.
func (s *Service) ReviewPostNotice(ctx context.Context, p *auth.Principal, id string, in ReviewInput) (Case, error) {
	if err := commissionActor(p); err != nil {
		return Case{}, err
	}
	pre := func(c *Case) error {
		if c.PostNotice == nil {
			return refuse(CodePostNoticeNotFiled, fmt.Sprintf("case %s has no post-notification filed", c.ID))
		}
		if c.PostNotice.Review != nil {
			return refuse(CodeAlreadyDone, fmt.Sprintf("case %s: the post-notification was reviewed at %s", c.ID, stamp(c.PostNotice.Review.ReviewedAt)))
		}
		return nil
	}
	c, err := loadCase(ctx, s.db, p, id)
	if err != nil {
		return Case{}, err
	}
	if err := pre(&c); err != nil {
		return Case{}, err
	}
	if err := checkReview(&in, s.now()); err != nil {
		return Case{}, err
	}
	var recID string
	if in.Outcome == ReviewRecommendation {
		if s.recommender == nil {
			return Case{}, fmt.Errorf("no recommendation service is configured on this server: acknowledge the post-notification, or issue the recommendation from the inspection pages: %w", ErrConflict)
		}
		if recID, err = s.recommender.Recommend(ctx, p, c.OfficerOrgID, in.Text, in.Rating, in.Due); err != nil {
			return Case{}, fmt.Errorf("issue recommendation: %w", err)
		}
	}
	return s.step(ctx, p, id, "measure.post_notice_review", func(tx *store.Tx, c *Case) error {
		if err := pre(c); err != nil {
			return err
		}
		c.PostNotice.Review = &Review{Outcome: in.Outcome, Text: in.Text, Rating: in.Rating, Due: in.Due, RecommendationID: recID,
			ReviewedBy: p.UserID, ReviewedAt: s.now()}
		body := "The commission acknowledged the post-notification."
		if recID != "" {
			body = "The commission issued recommendation " + recID + ": " + textfield.Cut(in.Text, 1000)
		}
		return s.notifyChain(ctx, tx, c, deadline.Notice{Subject: fmt.Sprintf("Measure case %s: post-notification %s", c.ID, in.Outcome), Body: body,
			Link: "/measures/" + c.ID})
	})
}

// CommissionQueue lists what awaits the commission, oldest first: the
// requests for approval pending, the post-notifications filed and not
// reviewed, and the emergencies whose post-notification is overdue. For
// the chair and members.
func (s *Service) CommissionQueue(ctx context.Context, p *auth.Principal) (Queue, error) {
	if !isCommission(p) {
		return Queue{}, fmt.Errorf("the commission's queue is the chair's and members': %w", ErrForbidden)
	}
	cs, err := s.listCases(ctx, "SELECT data FROM msr_cases WHERE state <> 'withdrawn' ORDER BY opened_at, id")
	if err != nil {
		return Queue{}, err
	}
	q := Queue{Approvals: []Case{}, PostNotices: []Case{}, Overdue: []Case{}}
	for _, c := range cs {
		if c.Approval != nil && c.Approval.State == ApprovalPending && !c.State.Final() {
			q.Approvals = append(q.Approvals, c)
		}
		if c.PostNotice != nil && c.PostNotice.Review == nil {
			q.PostNotices = append(q.PostNotices, c)
		}
		if c.PostNoticeOverdue {
			q.Overdue = append(q.Overdue, c)
		}
	}
	return q, nil
}
