package oversight

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/selection/criteria"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/textfield"
)

// AcquisitionState is where an acquisition request is:
//
//	pending ──motion carried──▶ approved | refused
//	   └──withdrawn by the Cabinet Office──▶ withdrawn
//
// A motion that is not carried (or lacks a quorum) leaves the request
// pending for another motion.
type AcquisitionState string

// Acquisition request states.
const (
	AcquisitionPending   AcquisitionState = "pending"
	AcquisitionApproved  AcquisitionState = "approved"
	AcquisitionRefused   AcquisitionState = "refused"
	AcquisitionWithdrawn AcquisitionState = "withdrawn"
)

// AcquisitionInput is what the Cabinet Office files to ask the commission
// for approval to acquire communications information without consent
// (ch.4, ch.6).
type AcquisitionInput struct {
	// Chapter is the legal basis: "ch4" (foreign→foreign transit) or
	// "ch6" (between Japan and specific foreign equipment).
	Chapter Chapter `json:"chapter"`
	// Target is the facility (ch4) or the foreign equipment (ch6).
	Target Target `json:"target"`
	// Suspicion states the attack suspected and why the target is
	// involved.
	Suspicion string `json:"suspicion"`
	// OtherMeans states why other methods would be extremely difficult.
	OtherMeans string `json:"other_means"`
	// Directions asked for: foreign-foreign for ch4; foreign-domestic
	// and/or domestic-foreign for ch6; never domestic-domestic.
	Directions []string `json:"directions"`
	// ValidFrom and ValidUntil are the period: the criteria file's window.
	// Left zero, they are taken from the file.
	ValidFrom  time.Time `json:"valid_from,omitzero"`
	ValidUntil time.Time `json:"valid_until,omitzero"`
	// Criteria is the criteria file (acd.selection.criteria/v1) as a
	// string; its exact bytes are kept, and its directions must be among
	// Directions.
	Criteria string `json:"criteria"`
}

// Acquisition is an acquisition request and, once decided, the
// commission's decision.
type Acquisition struct {
	ID         string           `json:"id"`
	Chapter    Chapter          `json:"chapter"`
	State      AcquisitionState `json:"state"`
	Target     Target           `json:"target"`
	Suspicion  string           `json:"suspicion"`
	OtherMeans string           `json:"other_means"`
	Directions []string         `json:"directions"`
	ValidFrom  time.Time        `json:"valid_from"`
	ValidUntil time.Time        `json:"valid_until"`
	// The criteria file filed: set id, version and SHA-256 of its bytes.
	CriteriaID      string    `json:"criteria_id"`
	CriteriaVersion int       `json:"criteria_version"`
	CriteriaSHA256  string    `json:"criteria_sha256"`
	FiledBy         string    `json:"filed_by"`
	FiledOrg        string    `json:"filed_org"`
	FiledAt         time.Time `json:"filed_at"`
	// Decision is the commission's decision; nil while pending or after
	// withdrawal.
	Decision       *Decision `json:"decision,omitempty"`
	WithdrawnBy    string    `json:"withdrawn_by,omitempty"`
	WithdrawnAt    time.Time `json:"withdrawn_at,omitzero"`
	WithdrawReason string    `json:"withdraw_reason,omitempty"`
	// Motions are filled in by Acquisition, oldest first, with their votes.
	Motions []Motion `json:"motions,omitempty"`
}

// Decision is the commission's decision on a request: the motion carried.
type Decision struct {
	// Kind is approve, approve_narrowed or refuse.
	Kind      MotionKind `json:"kind"`
	MotionID  string     `json:"motion_id"`
	DecidedBy string     `json:"decided_by"`
	DecidedAt time.Time  `json:"decided_at"`
	// Reasons are the refusal's reasons by category.
	Reasons []Reason `json:"reasons,omitempty"`
	// ApprovalID is the approval issued (approve, approve_narrowed).
	ApprovalID string `json:"approval_id,omitempty"`
}

// AcquisitionFilter selects requests; empty fields match everything.
type AcquisitionFilter struct {
	State   AcquisitionState
	Chapter Chapter
}

// QueueItem is a pending request in the commission's queue.
type QueueItem struct {
	Request Acquisition `json:"request"`
	// WaitingSince is when the request was filed; WaitingSeconds how long
	// ago that is.
	WaitingSince   time.Time `json:"waiting_since"`
	WaitingSeconds int64     `json:"waiting_seconds"`
	// OpenMotion is the motion being voted on, with its votes so far.
	OpenMotion *Motion `json:"open_motion,omitempty"`
}

// FileAcquisition files an acquisition request for the commission's
// approval; the Cabinet Office (analysts) only. The commission is notified.
func (s *Service) FileAcquisition(ctx context.Context, p *auth.Principal, in AcquisitionInput) (Acquisition, error) {
	if !isAnalyst(p) {
		return Acquisition{}, fmt.Errorf("the Cabinet Office files acquisition requests: %w", ErrForbidden)
	}
	crit, set, err := s.checkAcquisition(&in)
	if err != nil {
		return Acquisition{}, err
	}
	now := s.now()
	a := Acquisition{ID: newID("acq_"), Chapter: in.Chapter, State: AcquisitionPending, Target: in.Target, Suspicion: in.Suspicion,
		OtherMeans: in.OtherMeans, Directions: in.Directions, ValidFrom: in.ValidFrom, ValidUntil: in.ValidUntil,
		CriteriaID: set.ID, CriteriaVersion: set.Version, CriteriaSHA256: hex.EncodeToString(set.SHA256[:]),
		FiledBy: p.UserID, FiledOrg: p.OrgID, FiledAt: now}
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		data, err := encode(a)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO ovs_acquisitions (id, chapter, state, filed_at, decided_at, data, criteria) VALUES (?, ?, ?, ?, '', ?, ?)",
			a.ID, string(a.Chapter), string(a.State), store.FormatTime(now), data, crit); err != nil {
			return fmt.Errorf("record acquisition request: %w", err)
		}
		if err := s.audit(ctx, tx, p, "acquisition.file", "acquisition/"+a.ID, a); err != nil {
			return err
		}
		return s.notifyCommission(ctx, tx, deadline.Notice{Subject: fmt.Sprintf("Acquisition request %s (%s) awaits the commission", a.ID, a.Chapter),
			Body: fmt.Sprintf("The Cabinet Office filed an acquisition request under %s for %s, from %s until %s. Suspicion: %s",
				a.Chapter, strings.Join(a.Directions, ", "), stamp(a.ValidFrom), stamp(a.ValidUntil), textfield.Cut(a.Suspicion, 500)),
			Link: "/acquisitions/" + a.ID})
	})
	if err != nil {
		return Acquisition{}, err
	}
	return a, nil
}

// checkAcquisition validates and normalises in: the directions in
// direction order, the target's addresses in canonical form, the period
// from the criteria file. It returns the criteria file's bytes and parse.
func (s *Service) checkAcquisition(in *AcquisitionInput) ([]byte, *criteria.Set, error) {
	switch in.Chapter {
	case ChapterTransit, ChapterForeign:
	default:
		return nil, nil, fieldErrorf("chapter", "%q: want ch4 (foreign-foreign transit) or ch6 (foreign equipment)", cutQ(string(in.Chapter)))
	}
	if err := in.Target.check(in.Chapter); err != nil {
		return nil, nil, err
	}
	in.Suspicion, in.OtherMeans = strings.TrimSpace(in.Suspicion), strings.TrimSpace(in.OtherMeans)
	if err := textfield.Check("suspicion", in.Suspicion, maxText, true); err != nil {
		return nil, nil, err
	}
	if err := textfield.Check("other_means", in.OtherMeans, maxText, true); err != nil {
		return nil, nil, err
	}
	dirs, err := parseDirections("directions", in.Directions)
	if err != nil {
		return nil, nil, err
	}
	if err := checkChapterDirections("directions", string(in.Chapter), dirs); err != nil {
		return nil, nil, err
	}
	crit, set, err := s.checkCriteria(in.Criteria, dirs, &in.ValidFrom, &in.ValidUntil)
	if err != nil {
		return nil, nil, err
	}
	in.Directions = directionNames(dirs)
	return crit, set, nil
}

// notifyCommission sends n to every commission organisation.
func (s *Service) notifyCommission(ctx context.Context, tx *store.Tx, n deadline.Notice) error {
	orgs, err := s.orgsOfKind(ctx, auth.OrgCommission)
	if err != nil {
		return err
	}
	for _, o := range orgs {
		n.ToOrg = o
		if err := s.notify(ctx, tx, n); err != nil {
			return err
		}
	}
	return nil
}

// WithdrawAcquisition withdraws a pending request with a reason; the
// Cabinet Office only. An open motion on it lapses.
func (s *Service) WithdrawAcquisition(ctx context.Context, p *auth.Principal, id, reason string) (Acquisition, error) {
	reason = strings.TrimSpace(reason)
	if err := textfield.Check("reason", reason, maxText, true); err != nil {
		return Acquisition{}, err
	}
	if !isAnalyst(p) {
		return Acquisition{}, fmt.Errorf("the Cabinet Office withdraws its requests: %w", ErrForbidden)
	}
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		a, err := getAcquisition(ctx, tx, id)
		if err != nil {
			return err
		}
		if a.State != AcquisitionPending {
			return fmt.Errorf("request %s is %s: only a pending request can be withdrawn: %w", id, a.State, ErrConflict)
		}
		if m, ok, err := openMotion(ctx, tx, id); err != nil {
			return err
		} else if ok {
			m.State, m.ClosedAt = MotionLapsed, s.now()
			if err := saveMotion(ctx, tx, &m); err != nil {
				return err
			}
			if err := s.audit(ctx, tx, p, "motion.lapse", "motion/"+m.ID, m); err != nil {
				return err
			}
		}
		a.State, a.WithdrawnBy, a.WithdrawnAt, a.WithdrawReason = AcquisitionWithdrawn, p.UserID, s.now(), reason
		if err := saveAcquisition(ctx, tx, &a); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, p, "acquisition.withdraw", "acquisition/"+a.ID, a); err != nil {
			return err
		}
		return s.notifyCommission(ctx, tx, deadline.Notice{Subject: "Acquisition request " + a.ID + " withdrawn",
			Body: "The Cabinet Office withdrew the request: " + reason, Link: "/acquisitions/" + a.ID})
	})
	if err != nil {
		return Acquisition{}, err
	}
	return s.Acquisition(ctx, p, id)
}

// Acquisition returns request id with its motions and votes, for an
// analyst or the commission.
func (s *Service) Acquisition(ctx context.Context, p *auth.Principal, id string) (Acquisition, error) {
	if !canReadAcquisitions(p) {
		return Acquisition{}, fmt.Errorf("acquisition request %q: %w", id, ErrNotFound)
	}
	a, err := getAcquisition(ctx, s.db, id)
	if err != nil {
		return Acquisition{}, err
	}
	a.Motions, err = s.motionsOf(ctx, s.db, id)
	return a, err
}

// Acquisitions returns the requests matching f, newest first, without
// motions, for an analyst or the commission.
func (s *Service) Acquisitions(ctx context.Context, p *auth.Principal, f AcquisitionFilter) ([]Acquisition, error) {
	if !canReadAcquisitions(p) {
		return nil, nil
	}
	q := "SELECT data FROM ovs_acquisitions WHERE 1 = 1"
	var args []any
	if f.State != "" {
		q += " AND state = ?"
		args = append(args, string(f.State))
	}
	if f.Chapter != "" {
		q += " AND chapter = ?"
		args = append(args, string(f.Chapter))
	}
	return s.listAcquisitions(ctx, q+" ORDER BY filed_at DESC, id LIMIT 5000", args...)
}

func (s *Service) listAcquisitions(ctx context.Context, q string, args ...any) ([]Acquisition, error) {
	rows, err := s.db.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list acquisition requests: %w", err)
	}
	defer rows.Close()
	var out []Acquisition
	for rows.Next() {
		var data string
		var a Acquisition
		if err := rows.Scan(&data); err != nil {
			return nil, fmt.Errorf("list acquisition requests: %w", err)
		}
		if err := decode(data, &a); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// AcquisitionCriteria returns the exact bytes of the criteria file filed
// with request id, for an analyst or the commission.
func (s *Service) AcquisitionCriteria(ctx context.Context, p *auth.Principal, id string) ([]byte, error) {
	if !canReadAcquisitions(p) {
		return nil, fmt.Errorf("acquisition request %q: %w", id, ErrNotFound)
	}
	if _, err := getAcquisition(ctx, s.db, id); err != nil {
		return nil, err
	}
	return acquisitionCriteria(ctx, s.db, id)
}

// Queue returns the commission's queue: the pending requests, longest
// waiting first, each with its open motion and the votes so far.
func (s *Service) Queue(ctx context.Context, p *auth.Principal) ([]QueueItem, error) {
	if !canReadAcquisitions(p) {
		return nil, nil
	}
	list, err := s.listAcquisitions(ctx, "SELECT data FROM ovs_acquisitions WHERE state = 'pending' ORDER BY filed_at, id LIMIT 5000")
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := make([]QueueItem, 0, len(list))
	for _, a := range list {
		it := QueueItem{Request: a, WaitingSince: a.FiledAt, WaitingSeconds: int64(now.Sub(a.FiledAt) / time.Second)}
		m, ok, err := openMotion(ctx, s.db, a.ID)
		if err != nil {
			return nil, err
		}
		if ok {
			if m.Votes, err = votesOf(ctx, s.db, m.ID); err != nil {
				return nil, err
			}
			it.OpenMotion = &m
		}
		out = append(out, it)
	}
	return out, nil
}

// storage

func getAcquisition(ctx context.Context, q store.Querier, id string) (Acquisition, error) {
	return getRecord[Acquisition](ctx, q, "ovs_acquisitions", "acquisition request", id)
}

func acquisitionCriteria(ctx context.Context, q store.Querier, id string) ([]byte, error) {
	return readCriteria(ctx, q, "ovs_acquisitions", "acquisition request", id)
}

func saveAcquisition(ctx context.Context, tx *store.Tx, a *Acquisition) error {
	a.Motions = nil
	data, err := encode(a)
	if err != nil {
		return err
	}
	var decided time.Time
	if a.Decision != nil {
		decided = a.Decision.DecidedAt
	}
	if _, err := tx.Exec(ctx, "UPDATE ovs_acquisitions SET state = ?, decided_at = ?, data = ? WHERE id = ?",
		string(a.State), fmtTime(decided), data, a.ID); err != nil {
		return fmt.Errorf("update acquisition request %s: %w", a.ID, err)
	}
	return nil
}
