package oversight

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/textfield"
)

// MotionKind is what a motion proposes to decide.
type MotionKind string

// Motion kinds.
const (
	MotionApprove         MotionKind = "approve"          // approve the request as filed
	MotionApproveNarrowed MotionKind = "approve_narrowed" // approve a narrowed criteria set
	MotionRefuse          MotionKind = "refuse"           // refuse, with reasons by category
)

// MotionState is where a motion is: open for votes until the chair closes
// it; then carried (the request is decided), not carried or short of a
// quorum (the request stays pending); lapsed when the request was
// withdrawn while it was open.
type MotionState string

// Motion states.
const (
	MotionOpen       MotionState = "open"
	MotionCarried    MotionState = "carried"
	MotionNotCarried MotionState = "not_carried"
	MotionNoQuorum   MotionState = "no_quorum"
	MotionLapsed     MotionState = "lapsed"
)

// ReasonCategory groups the reasons of a refusal, for the annual report.
type ReasonCategory string

// Refusal reason categories.
const (
	// ReasonNecessity: the acquisition is not necessary, or not
	// proportionate to the harm suspected.
	ReasonNecessity ReasonCategory = "necessity_proportionality"
	// ReasonQuality: the application is incomplete or does not show what
	// it must (the suspicion, why other means are extremely difficult).
	ReasonQuality ReasonCategory = "application_quality"
	// ReasonScope: the target, directions, criteria or period reach
	// further than the suspicion justifies.
	ReasonScope ReasonCategory = "scope"
)

// ReasonCategories lists the categories in report order.
var ReasonCategories = []ReasonCategory{ReasonNecessity, ReasonQuality, ReasonScope}

// Reason is one reason of a refusal.
type Reason struct {
	Category ReasonCategory `json:"category"`
	Text     string         `json:"text"`
}

// VoteChoice is a vote.
type VoteChoice string

// Votes.
const (
	VoteYes     VoteChoice = "yes"
	VoteNo      VoteChoice = "no"
	VoteAbstain VoteChoice = "abstain"
)

// MotionInput is a motion moved by the chair or a member.
type MotionInput struct {
	Kind MotionKind `json:"kind"`
	// Statement explains the motion; optional.
	Statement string `json:"statement,omitempty"`
	// Narrowing is required for approve_narrowed and refused otherwise.
	Narrowing *Narrowing `json:"narrowing,omitempty"`
	// Reasons are required for refuse (at least one, one per category)
	// and refused otherwise.
	Reasons []Reason `json:"reasons,omitempty"`
}

// Motion is a proposed decision on a request and its votes.
type Motion struct {
	ID        string      `json:"id"`
	RequestID string      `json:"request_id"`
	Kind      MotionKind  `json:"kind"`
	State     MotionState `json:"state"`
	Statement string      `json:"statement,omitempty"`
	Narrowing *Narrowing  `json:"narrowing,omitempty"`
	// NarrowedSHA256 and NarrowedVersion identify the narrowed criteria
	// file written when an approve_narrowed motion was moved: the file
	// members vote on and the approval's manifest names.
	NarrowedSHA256  string    `json:"narrowed_sha256,omitempty"`
	NarrowedVersion int       `json:"narrowed_version,omitempty"`
	Reasons         []Reason  `json:"reasons,omitempty"`
	MovedBy         string    `json:"moved_by"`
	MovedAt         time.Time `json:"moved_at"`
	// Votes are filled in on reads, in the order cast.
	Votes    []Vote    `json:"votes,omitempty"`
	ClosedBy string    `json:"closed_by,omitempty"`
	ClosedAt time.Time `json:"closed_at,omitzero"`
	// Tally is the count when the chair closed the motion.
	Tally *Tally `json:"tally,omitempty"`
}

// Vote is one commission user's vote on a motion, with reasons.
type Vote struct {
	MotionID string `json:"motion_id"`
	UserID   string `json:"user_id"`
	// Role is commission_chair or commission_member.
	Role    auth.Role  `json:"role"`
	Vote    VoteChoice `json:"vote"`
	Reasons string     `json:"reasons"`
	At      time.Time  `json:"at"`
}

// VoteInput is a vote as cast.
type VoteInput struct {
	Vote    VoteChoice `json:"vote"`
	Reasons string     `json:"reasons"`
}

// Tally is the count of a closed motion under the Quorum rule.
type Tally struct {
	Yes     int `json:"yes"`
	No      int `json:"no"`
	Abstain int `json:"abstain"`
	// Present is everyone who voted, abstentions included;
	// MembersPresent those of them who are not the chair.
	Present        int  `json:"present"`
	MembersPresent int  `json:"members_present"`
	ChairPresent   bool `json:"chair_present"`
	Quorum         bool `json:"quorum"`
	// TieBroken is set when yes and no were equal and the chair's vote
	// decided.
	TieBroken bool `json:"tie_broken,omitempty"`
	Carried   bool `json:"carried"`
}

// Count tallies votes under q.
func (q Quorum) Count(votes []Vote) Tally {
	var t Tally
	var chair VoteChoice
	for _, v := range votes {
		t.Present++
		switch v.Vote {
		case VoteYes:
			t.Yes++
		case VoteNo:
			t.No++
		default:
			t.Abstain++
		}
		if v.Role == auth.RoleCommissionChair {
			t.ChairPresent, chair = true, v.Vote
		} else {
			t.MembersPresent++
		}
	}
	t.Quorum = (t.ChairPresent || q.ChairOptional) && t.MembersPresent >= max(q.MinMembers, 0)
	if !t.Quorum {
		return t
	}
	switch {
	case t.Yes > t.No:
		t.Carried = true
	case t.Yes == t.No && !q.TieFails && (chair == VoteYes || chair == VoteNo):
		t.TieBroken, t.Carried = true, chair == VoteYes
	}
	return t
}

// commissionActor checks that p may act for the commission on request a:
// a commission user, not an analyst, who did not file it.
func commissionActor(p *auth.Principal, a *Acquisition) error {
	switch {
	case !isCommission(p):
		return fmt.Errorf("only the commission's chair and members act on requests: %w", ErrForbidden)
	case p.Has(auth.RoleAnalyst):
		return fmt.Errorf("an account holding the analyst role takes no part in the commission's decisions: %w", ErrForbidden)
	case a.FiledBy == p.UserID:
		return fmt.Errorf("request %s was filed by you: nobody decides what they filed: %w", a.ID, ErrForbidden)
	}
	return nil
}

// checkMotion validates in against the filed criteria file and returns the
// narrowed file for approve_narrowed.
func checkMotion(in *MotionInput, filed []byte) ([]byte, error) {
	in.Statement = strings.TrimSpace(in.Statement)
	if err := textfield.Check("statement", in.Statement, maxText, false); err != nil {
		return nil, err
	}
	switch in.Kind {
	case MotionApprove, MotionApproveNarrowed, MotionRefuse:
	default:
		return nil, fieldErrorf("kind", "%q: want approve, approve_narrowed or refuse", cutQ(string(in.Kind)))
	}
	if in.Kind != MotionRefuse && len(in.Reasons) > 0 {
		return nil, fieldErrorf("reasons", "only a motion to refuse gives reasons by category; explain an approval in the statement")
	}
	if in.Kind != MotionApproveNarrowed && in.Narrowing != nil {
		return nil, fieldErrorf("narrowing", "only a motion to approve narrowed narrows")
	}
	switch in.Kind {
	case MotionApproveNarrowed:
		if in.Narrowing == nil {
			return nil, fieldErrorf("narrowing", "required for approve_narrowed")
		}
		out, _, err := Narrow(filed, *in.Narrowing)
		if err != nil {
			return nil, prefixField("narrowing", err)
		}
		return out, nil
	case MotionRefuse:
		if len(in.Reasons) == 0 {
			return nil, fieldErrorf("reasons", "a refusal needs reasons: at least one of %v, each with text", ReasonCategories)
		}
		if len(in.Reasons) > len(ReasonCategories) {
			return nil, fieldErrorf("reasons", "%d reasons: give at most one per category", len(in.Reasons))
		}
		for i := range in.Reasons {
			r := &in.Reasons[i]
			f := fmt.Sprintf("reasons[%d]", i)
			if !slices.Contains(ReasonCategories, r.Category) {
				return nil, fieldErrorf(f+".category", "%q: want one of %v", cutQ(string(r.Category)), ReasonCategories)
			}
			if slices.ContainsFunc(in.Reasons[:i], func(o Reason) bool { return o.Category == r.Category }) {
				return nil, fieldErrorf(f+".category", "%q repeated: put all reasons of one category in one text", r.Category)
			}
			r.Text = strings.TrimSpace(r.Text)
			if err := textfield.Check(f+".text", r.Text, maxText, true); err != nil {
				return nil, err
			}
		}
	}
	return nil, nil
}

// MoveMotion moves a motion on pending request requestID: the chair or a
// member who did not file it. One motion is open on a request at a time. A
// motion to approve narrowed writes the narrowed criteria file now, so
// that members vote on exact bytes.
func (s *Service) MoveMotion(ctx context.Context, p *auth.Principal, requestID string, in MotionInput) (Motion, error) {
	var m Motion
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		a, err := getAcquisition(ctx, tx, requestID)
		if err != nil {
			return err
		}
		if err := commissionActor(p, &a); err != nil {
			return err
		}
		if a.State != AcquisitionPending {
			return fmt.Errorf("request %s is %s, not pending: %w", a.ID, a.State, ErrConflict)
		}
		if open, ok, err := openMotion(ctx, tx, a.ID); err != nil {
			return err
		} else if ok {
			return fmt.Errorf("motion %s on request %s is open: the chair closes it first: %w", open.ID, a.ID, ErrConflict)
		}
		filed, err := acquisitionCriteria(ctx, tx, a.ID)
		if err != nil {
			return err
		}
		narrowed, err := checkMotion(&in, filed)
		if err != nil {
			return err
		}
		if end := a.ValidUntil; in.Kind != MotionRefuse {
			if in.Narrowing != nil && !in.Narrowing.ValidUntil.IsZero() {
				end = in.Narrowing.ValidUntil
			}
			if !end.After(s.now()) {
				return fmt.Errorf("the period of request %s ends at %s, which has passed: it can only be refused or withdrawn: %w", a.ID, stamp(end), ErrConflict)
			}
		}
		m = Motion{ID: newID("mot_"), RequestID: a.ID, Kind: in.Kind, State: MotionOpen, Statement: in.Statement,
			Narrowing: in.Narrowing, Reasons: in.Reasons, MovedBy: p.UserID, MovedAt: s.now()}
		if narrowed != nil {
			sum := sha256.Sum256(narrowed)
			m.NarrowedSHA256, m.NarrowedVersion = hex.EncodeToString(sum[:]), a.CriteriaVersion+1
		}
		if err := saveMotionBlob(ctx, tx, &m, narrowed); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, p, "motion.move", "motion/"+m.ID, m); err != nil {
			return err
		}
		return s.notifyCommission(ctx, tx, deadline.Notice{Subject: fmt.Sprintf("Motion to %s request %s: vote", m.Kind, a.ID),
			Body: textfield.Cut(m.Statement, 1000), Link: "/acquisitions/" + a.ID})
	})
	if err != nil {
		return Motion{}, err
	}
	return s.Motion(ctx, p, m.ID)
}

// CastVote records p's vote on open motion motionID, once: a second vote
// by the same user is refused.
func (s *Service) CastVote(ctx context.Context, p *auth.Principal, motionID string, in VoteInput) (Motion, error) {
	switch in.Vote {
	case VoteYes, VoteNo, VoteAbstain:
	default:
		return Motion{}, fieldErrorf("vote", "%q: want yes, no or abstain", cutQ(string(in.Vote)))
	}
	in.Reasons = strings.TrimSpace(in.Reasons)
	if err := textfield.Check("reasons", in.Reasons, maxText, true); err != nil {
		return Motion{}, err
	}
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		m, err := getMotion(ctx, tx, motionID)
		if err != nil {
			return err
		}
		a, err := getAcquisition(ctx, tx, m.RequestID)
		if err != nil {
			return err
		}
		if err := commissionActor(p, &a); err != nil {
			return err
		}
		if m.State != MotionOpen {
			return fmt.Errorf("motion %s is %s: votes are cast on open motions: %w", m.ID, m.State, ErrConflict)
		}
		var n int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM ovs_votes WHERE motion_id = ? AND user_id = ?", m.ID, p.UserID).Scan(&n); err != nil {
			return fmt.Errorf("read votes: %w", err)
		}
		if n > 0 {
			return fmt.Errorf("you have already voted on motion %s: a vote is cast once: %w", m.ID, ErrConflict)
		}
		v := Vote{MotionID: m.ID, UserID: p.UserID, Role: auth.RoleCommissionMember, Vote: in.Vote, Reasons: in.Reasons, At: s.now()}
		if isChair(p) {
			v.Role = auth.RoleCommissionChair
		}
		data, err := encode(v)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO ovs_votes (motion_id, user_id, at, data) VALUES (?, ?, ?, ?)", v.MotionID, v.UserID, store.FormatTime(v.At), data); err != nil {
			if store.IsUniqueViolation(err) {
				return fmt.Errorf("you have already voted on motion %s: %w", m.ID, ErrConflict)
			}
			return fmt.Errorf("record vote: %w", err)
		}
		return s.audit(ctx, tx, p, "motion.vote", "vote/"+v.MotionID+"."+v.UserID, v)
	})
	if err != nil {
		return Motion{}, err
	}
	return s.Motion(ctx, p, motionID)
}

// CloseMotion closes open motion motionID and counts the votes under the
// Quorum rule; the chair only. Without a quorum the motion closes as
// no_quorum; not carried as not_carried; in both cases the request stays
// pending for another motion. A carried motion decides the request: a
// refusal with its reasons, or an approval whose manifest is signed now
// over the criteria file filed (approve) or the narrowed file written when
// the motion was moved (approve_narrowed).
func (s *Service) CloseMotion(ctx context.Context, p *auth.Principal, motionID string) (Motion, error) {
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		m, narrowed, err := getMotionBlob(ctx, tx, motionID)
		if err != nil {
			return err
		}
		a, err := getAcquisition(ctx, tx, m.RequestID)
		if err != nil {
			return err
		}
		if err := commissionActor(p, &a); err != nil {
			return err
		}
		if !isChair(p) {
			return fmt.Errorf("only the chair closes a motion: %w", ErrForbidden)
		}
		if m.State != MotionOpen {
			return fmt.Errorf("motion %s is %s, not open: %w", m.ID, m.State, ErrConflict)
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
			m.State = MotionNoQuorum
		case !t.Carried:
			m.State = MotionNotCarried
		default:
			m.State = MotionCarried
		}
		if err := saveMotion(ctx, tx, &m); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, p, "motion.close", "motion/"+m.ID, m); err != nil {
			return err
		}
		if m.State != MotionCarried {
			return nil
		}
		return s.decide(ctx, tx, p, &a, &m, narrowed)
	})
	if err != nil {
		return Motion{}, err
	}
	return s.Motion(ctx, p, motionID)
}

// decide records the decision of carried motion m on request a.
func (s *Service) decide(ctx context.Context, tx *store.Tx, p *auth.Principal, a *Acquisition, m *Motion, narrowed []byte) error {
	now := m.ClosedAt
	d := &Decision{Kind: m.Kind, MotionID: m.ID, DecidedBy: p.UserID, DecidedAt: now}
	switch m.Kind {
	case MotionRefuse:
		a.State, d.Reasons = AcquisitionRefused, m.Reasons
	default:
		crit, err := acquisitionCriteria(ctx, tx, a.ID)
		if err != nil {
			return err
		}
		if m.Kind == MotionApproveNarrowed {
			// Write the narrowing again: the file members voted on must be
			// what the narrowing of the filed file gives.
			again, _, err := Narrow(crit, *m.Narrowing)
			if err != nil {
				return fmt.Errorf("narrow request %s again: %w", a.ID, err)
			}
			if !bytes.Equal(again, narrowed) {
				return fmt.Errorf("motion %s: the narrowed criteria file differs from the one voted on: %w", m.ID, ErrConflict)
			}
			crit = narrowed
		}
		apv, err := s.issueApproval(ctx, tx, p, Approval{Basis: string(a.Chapter), RequestID: a.ID, Facilities: a.Target.covered(),
			Narrowed: m.Kind == MotionApproveNarrowed, DecidedAt: now}, crit)
		if err != nil {
			return err
		}
		a.State, d.ApprovalID = AcquisitionApproved, apv.ID
	}
	a.Decision = d
	if err := saveAcquisition(ctx, tx, a); err != nil {
		return err
	}
	if err := s.audit(ctx, tx, p, "acquisition.decide", "acquisition/"+a.ID, a); err != nil {
		return err
	}
	body := fmt.Sprintf("The commission decided to %s request %s.", strings.ReplaceAll(string(d.Kind), "_", " "), a.ID)
	if d.ApprovalID != "" {
		body += " Approval " + d.ApprovalID + " is issued; download its manifest and criteria file."
	}
	for _, r := range d.Reasons {
		body += fmt.Sprintf("\n%s: %s", r.Category, r.Text)
	}
	return s.notify(ctx, tx, deadline.Notice{ToUser: a.FiledBy, ToOrg: a.FiledOrg, Subject: fmt.Sprintf("Request %s: %s", a.ID, d.Kind),
		Body: body, Link: "/acquisitions/" + a.ID})
}

// Motion returns motion id with its votes, for an analyst or the
// commission.
func (s *Service) Motion(ctx context.Context, p *auth.Principal, id string) (Motion, error) {
	if !canReadAcquisitions(p) {
		return Motion{}, fmt.Errorf("motion %q: %w", id, ErrNotFound)
	}
	m, err := getMotion(ctx, s.db, id)
	if err != nil {
		return Motion{}, err
	}
	m.Votes, err = votesOf(ctx, s.db, id)
	return m, err
}

// MotionCriteria returns the narrowed criteria file of an approve_narrowed
// motion: the exact bytes members vote on. Other motions have none
// (ErrNotFound).
func (s *Service) MotionCriteria(ctx context.Context, p *auth.Principal, id string) ([]byte, error) {
	if !canReadAcquisitions(p) {
		return nil, fmt.Errorf("motion %q: %w", id, ErrNotFound)
	}
	m, blob, err := getMotionBlob(ctx, s.db, id)
	if err != nil {
		return nil, err
	}
	if m.Kind != MotionApproveNarrowed {
		return nil, fmt.Errorf("motion %s is to %s: only a motion to approve narrowed has a criteria file of its own: %w", id, m.Kind, ErrNotFound)
	}
	return blob, nil
}

// storage

func getMotion(ctx context.Context, q store.Querier, id string) (Motion, error) {
	m, _, err := getMotionBlob(ctx, q, id)
	return m, err
}

func getMotionBlob(ctx context.Context, q store.Querier, id string) (Motion, []byte, error) {
	var data string
	var blob []byte
	err := q.QueryRow(ctx, "SELECT data, narrowed FROM ovs_motions WHERE id = ?", id).Scan(&data, &blob)
	if errors.Is(err, sql.ErrNoRows) {
		return Motion{}, nil, fmt.Errorf("motion %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return Motion{}, nil, fmt.Errorf("read motion: %w", err)
	}
	var m Motion
	err = decode(data, &m)
	return m, blob, err
}

// openMotion returns the open motion on request id, if any.
func openMotion(ctx context.Context, q store.Querier, id string) (Motion, bool, error) {
	var data string
	err := q.QueryRow(ctx, "SELECT data FROM ovs_motions WHERE request_id = ? AND state = 'open'", id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return Motion{}, false, nil
	}
	if err != nil {
		return Motion{}, false, fmt.Errorf("read motions: %w", err)
	}
	var m Motion
	err = decode(data, &m)
	return m, err == nil, err
}

func (s *Service) motionsOf(ctx context.Context, q store.Querier, requestID string) ([]Motion, error) {
	rows, err := q.Query(ctx, "SELECT data FROM ovs_motions WHERE request_id = ? ORDER BY moved_at, id", requestID)
	if err != nil {
		return nil, fmt.Errorf("list motions: %w", err)
	}
	var out []Motion
	for rows.Next() {
		var data string
		var m Motion
		if err := rows.Scan(&data); err != nil {
			rows.Close()
			return nil, fmt.Errorf("list motions: %w", err)
		}
		if err := decode(data, &m); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Votes, err = votesOf(ctx, q, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func votesOf(ctx context.Context, q store.Querier, motionID string) ([]Vote, error) {
	rows, err := q.Query(ctx, "SELECT data FROM ovs_votes WHERE motion_id = ? ORDER BY at, user_id", motionID)
	if err != nil {
		return nil, fmt.Errorf("list votes: %w", err)
	}
	defer rows.Close()
	var out []Vote
	for rows.Next() {
		var data string
		var v Vote
		if err := rows.Scan(&data); err != nil {
			return nil, fmt.Errorf("list votes: %w", err)
		}
		if err := decode(data, &v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// saveMotionBlob inserts m with its narrowed criteria file (nil for none).
func saveMotionBlob(ctx context.Context, tx *store.Tx, m *Motion, narrowed []byte) error {
	if narrowed == nil {
		narrowed = []byte{}
	}
	m.Votes = nil
	data, err := encode(m)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "INSERT INTO ovs_motions (id, request_id, state, moved_at, data, narrowed) VALUES (?, ?, ?, ?, ?, ?)",
		m.ID, m.RequestID, string(m.State), store.FormatTime(m.MovedAt), data, narrowed); err != nil {
		return fmt.Errorf("record motion: %w", err)
	}
	return nil
}

// saveMotion updates m's state and data.
func saveMotion(ctx context.Context, tx *store.Tx, m *Motion) error {
	m.Votes = nil
	data, err := encode(m)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "UPDATE ovs_motions SET state = ?, data = ? WHERE id = ?", string(m.State), data, m.ID); err != nil {
		return fmt.Errorf("update motion %s: %w", m.ID, err)
	}
	return nil
}
