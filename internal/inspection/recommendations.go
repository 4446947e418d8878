package inspection

import (
	"context"
	"database/sql"
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

// Rating is the commission's traffic-light rating of a recommendation: how
// grave the matter is.
type Rating string

// Ratings.
const (
	RatingRed   Rating = "red"
	RatingAmber Rating = "amber"
	RatingGreen Rating = "green"
)

// Ratings lists the ratings, gravest first.
var Ratings = []Rating{RatingRed, RatingAmber, RatingGreen}

// Valid reports whether r is one of Ratings.
func (r Rating) Valid() bool { return slices.Contains(Ratings, r) }

// Implementation is how far the addressed agency has implemented a
// recommendation, as the commission assesses it.
type Implementation string

// Implementation states.
const (
	NotStarted  Implementation = "not_started"
	Partial     Implementation = "partial"
	Implemented Implementation = "implemented"
)

// Implementations lists the implementation states in order.
var Implementations = []Implementation{NotStarted, Partial, Implemented}

// Valid reports whether i is one of Implementations.
func (i Implementation) Valid() bool { return slices.Contains(Implementations, i) }

// RecommendationState is where a recommendation is in its life: issued →
// answered → closed, or issued/answered → withdrawn. An issued
// recommendation past its due time is overdue (Recommendation.Overdue).
type RecommendationState string

// Recommendation states.
const (
	RecommendationIssued    RecommendationState = "issued"
	RecommendationAnswered  RecommendationState = "answered"
	RecommendationClosed    RecommendationState = "closed"
	RecommendationWithdrawn RecommendationState = "withdrawn"
)

// Valid reports whether st is one of the four states.
func (st RecommendationState) Valid() bool {
	switch st {
	case RecommendationIssued, RecommendationAnswered, RecommendationClosed, RecommendationWithdrawn:
		return true
	}
	return false
}

// Recommendation is the commission's recommendation to one agency (§61:
// to any agency holding communications information).
type Recommendation struct {
	ID string `json:"id"`
	// InspectionID is the inspection it came from, if any.
	InspectionID string `json:"inspection_id,omitempty"`
	// OrgID is the agency addressed; IssuerOrg the commission's
	// organisation.
	OrgID     string `json:"org_id"`
	IssuerOrg string `json:"issuer_org"`
	Text      string `json:"text"`
	Rating    Rating `json:"rating"`
	// Implementation is the commission's latest assessment; empty until
	// the first.
	Implementation Implementation `json:"implementation,omitempty"`
	// Due is when the agency's answer is due.
	Due   time.Time           `json:"due"`
	State RecommendationState `json:"state"`
	// Overdue: still unanswered (issued) after Due, as of the read. Late:
	// answered after Due.
	Overdue    bool      `json:"overdue"`
	Late       bool      `json:"late"`
	DeadlineID string    `json:"deadline_id"`
	Answer     string    `json:"answer,omitempty"`
	AnsweredBy string    `json:"answered_by,omitempty"`
	AnsweredAt time.Time `json:"answered_at,omitzero"`
	AssessedBy string    `json:"assessed_by,omitempty"`
	AssessedAt time.Time `json:"assessed_at,omitzero"`
	ClosedAt   time.Time `json:"closed_at,omitzero"`
	// WithdrawnAt is when it was withdrawn; the reason is in History.
	WithdrawnAt time.Time `json:"withdrawn_at,omitzero"`
	CreatedBy   string    `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
	// History holds every step, oldest first; lists leave it out.
	History []RecommendationEvent `json:"history,omitempty"`
}

// RecommendationEvent is one step of a recommendation's history.
type RecommendationEvent struct {
	Seq int `json:"seq"`
	// Event is issue, answer, assess, reassess or withdraw.
	Event string `json:"event"`
	// Text is the recommendation, the answer, the assessment's note or
	// the reason for withdrawing.
	Text string `json:"text"`
	// Rating and Implementation are set by issue (rating) and by
	// assessments (both).
	Rating         Rating         `json:"rating,omitempty"`
	Implementation Implementation `json:"implementation,omitempty"`
	Actor          string         `json:"actor"`
	OrgID          string         `json:"org_id"`
	At             time.Time      `json:"at"`
}

// NewRecommendation is what the commission issues.
type NewRecommendation struct {
	// InspectionID optionally links the inspection it comes from; the
	// agency must be one of the inspection's subjects.
	InspectionID string `json:"inspection_id,omitempty"`
	// OrgID is the agency addressed.
	OrgID  string `json:"org_id"`
	Text   string `json:"text"`
	Rating Rating `json:"rating"`
	// Due is when the answer is due; in the future, within MaxDue.
	Due time.Time `json:"due"`
}

// Assessment is the commission's rating of how far a recommendation was
// implemented.
type Assessment struct {
	Implementation Implementation `json:"implementation"`
	// Rating, when set, re-rates the recommendation.
	Rating Rating `json:"rating,omitempty"`
	// Note is optional.
	Note string `json:"note,omitempty"`
}

// MaxDue is how far ahead a recommendation's response may be due.
const MaxDue = 5 * 365 * 24 * time.Hour

// deadlineKind is the kind of the deadlines of recommendations' answers.
const deadlineKind = "recommendation.response"

const recommendationCols = "id, inspection_id, org_id, issuer_org, text, rating, implementation, due, state, deadline_id, answer, answered_by, answered_at, assessed_by, assessed_at, closed_at, withdrawn_at, created_by, created_at"

// IssueRecommendation issues a recommendation to an agency, with a
// deadline for its answer that the deadline service tracks, and tells the
// agency. Only the commission may.
func (s *Service) IssueRecommendation(ctx context.Context, p *auth.Principal, n NewRecommendation) (Recommendation, error) {
	if !s.allowed(p, auth.RecommendationIssue) {
		return Recommendation{}, fmt.Errorf("issue a recommendation: %w", ErrForbidden)
	}
	n.Text, n.InspectionID = strings.TrimSpace(n.Text), strings.TrimSpace(n.InspectionID)
	if err := textfield.Check("text", n.Text, MaxText, true); err != nil {
		return Recommendation{}, err
	}
	if !n.Rating.Valid() {
		return Recommendation{}, fieldErrorf("rating", "%q: want red, amber or green", textfield.Cut(string(n.Rating), 40))
	}
	org, err := s.agency(ctx, "org_id", n.OrgID)
	if err != nil {
		return Recommendation{}, err
	}
	if n.InspectionID != "" {
		in, err := loadInspection(ctx, s.db, n.InspectionID)
		if err != nil {
			return Recommendation{}, fieldErrorf("inspection_id", "no inspection %q", textfield.Cut(n.InspectionID, 100))
		}
		if !slices.Contains(in.Subjects, AllAgencies) && !slices.Contains(in.Subjects, org.ID) {
			return Recommendation{}, fieldErrorf("org_id", "%q is not a subject of inspection %s", org.ID, in.ID)
		}
	}
	now := s.now()
	n.Due = n.Due.UTC()
	switch {
	case n.Due.IsZero():
		return Recommendation{}, fieldErrorf("due", "required")
	case !n.Due.After(now):
		return Recommendation{}, fieldErrorf("due", "%s is not in the future", n.Due.Format(time.RFC3339))
	case n.Due.Sub(now) > MaxDue:
		return Recommendation{}, fieldErrorf("due", "%s is more than 5 years ahead", n.Due.Format(time.RFC3339))
	}
	remind := n.Due.Add(-s.cfg.ReminderLead)
	if !remind.After(now) {
		remind = now.Add(n.Due.Sub(now) / 2)
	}
	actor, _ := actorOf(p)
	id := newID("rec_")
	head := textfield.FirstLine(n.Text, 120)
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		d, err := s.deadlines.Set(ctx, tx, deadline.Deadline{Kind: deadlineKind, Subject: "recommendation/" + id, Org: org.ID,
			Title: textfield.Cut("Answer to the commission's recommendation: "+head, 200), TitleJA: textfield.Cut("委員会の勧告への回答: "+head, 200),
			Link: "/recommendations/" + id, Due: n.Due, RemindAt: remind})
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO ins_recommendations ("+recommendationCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			id, n.InspectionID, org.ID, p.OrgID, n.Text, string(n.Rating), "", store.FormatTime(n.Due), string(RecommendationIssued), d.ID,
			"", "", "", "", "", "", "", actor, store.FormatTime(now)); err != nil {
			return fmt.Errorf("record recommendation: %w", err)
		}
		if err := s.recEvent(ctx, tx, p, id, "issue", n.Text, n.Rating, ""); err != nil {
			return err
		}
		if err := s.auditRecommendation(ctx, tx, p, "recommendation.issue", id); err != nil {
			return err
		}
		_, err = s.notifier.Notify(ctx, tx, deadline.Notice{ToOrg: org.ID, Subject: textfield.Cut("Recommendation from the commission: "+head, 200),
			Body: fmt.Sprintf("The commission issued a recommendation (rated %s) to your agency. Answer by %s.\n\n%s",
				n.Rating, n.Due.Format(time.RFC3339), n.Text), Link: "/recommendations/" + id})
		return err
	})
	if err != nil {
		return Recommendation{}, err
	}
	return s.Recommendation(ctx, p, id)
}

// AnswerRecommendation records the addressed agency's answer to an issued
// recommendation, meets its deadline (late when after due) and tells the
// commission.
func (s *Service) AnswerRecommendation(ctx context.Context, p *auth.Principal, id, text string) (Recommendation, error) {
	if !s.allowed(p, auth.RecommendationAnswer) {
		return Recommendation{}, fmt.Errorf("answer a recommendation: %w", ErrForbidden)
	}
	text = strings.TrimSpace(text)
	if err := textfield.Check("text", text, MaxText, true); err != nil {
		return Recommendation{}, err
	}
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		r, err := loadRecommendation(ctx, tx, id)
		if err != nil || r.OrgID != p.OrgID {
			return fmt.Errorf("recommendation %q: %w", id, ErrNotFound)
		}
		switch r.State {
		case RecommendationIssued:
		case RecommendationWithdrawn:
			return fmt.Errorf("recommendation %s was withdrawn: %w", id, ErrConflict)
		default:
			return fmt.Errorf("recommendation %s is already answered (%s): %w", id, r.State, ErrConflict)
		}
		actor, _ := actorOf(p)
		if _, err := tx.Exec(ctx, "UPDATE ins_recommendations SET state = ?, answer = ?, answered_by = ?, answered_at = ? WHERE id = ?",
			string(RecommendationAnswered), text, actor, store.FormatTime(s.now()), id); err != nil {
			return fmt.Errorf("answer recommendation: %w", err)
		}
		if _, err := s.deadlines.Meet(ctx, tx, r.DeadlineID); err != nil && !errors.Is(err, deadline.ErrClosed) {
			return err
		}
		if err := s.recEvent(ctx, tx, p, id, "answer", text, "", ""); err != nil {
			return err
		}
		if err := s.auditRecommendation(ctx, tx, p, "recommendation.answer", id); err != nil {
			return err
		}
		_, err = s.notifier.Notify(ctx, tx, deadline.Notice{ToOrg: r.IssuerOrg, Subject: textfield.Cut("Answer to recommendation "+id, 200),
			Body: "The agency answered. Assess how far the recommendation is implemented.\n\n" + text, Link: "/recommendations/" + id})
		return err
	})
	if err != nil {
		return Recommendation{}, err
	}
	return s.Recommendation(ctx, p, id)
}

// AssessRecommendation records how far an answered recommendation was
// implemented, and closes it; a closed recommendation may be assessed (and
// re-rated) again as implementation goes on. The agency is told.
func (s *Service) AssessRecommendation(ctx context.Context, p *auth.Principal, id string, a Assessment) (Recommendation, error) {
	if !s.allowed(p, auth.RecommendationIssue) {
		return Recommendation{}, fmt.Errorf("assess a recommendation: %w", ErrForbidden)
	}
	if !a.Implementation.Valid() {
		return Recommendation{}, fieldErrorf("implementation", "%q: want not_started, partial or implemented", textfield.Cut(string(a.Implementation), 40))
	}
	if a.Rating != "" && !a.Rating.Valid() {
		return Recommendation{}, fieldErrorf("rating", "%q: want red, amber or green, or leave it out", textfield.Cut(string(a.Rating), 40))
	}
	a.Note = strings.TrimSpace(a.Note)
	if err := textfield.Check("note", a.Note, MaxText, false); err != nil {
		return Recommendation{}, err
	}
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		r, err := loadRecommendation(ctx, tx, id)
		if err != nil {
			return fmt.Errorf("recommendation %q: %w", id, err)
		}
		event := "assess"
		switch r.State {
		case RecommendationAnswered:
		case RecommendationClosed:
			event = "reassess"
		case RecommendationIssued:
			return fmt.Errorf("recommendation %s is not answered yet: %w", id, ErrConflict)
		default:
			return fmt.Errorf("recommendation %s is %s: %w", id, r.State, ErrConflict)
		}
		rating := a.Rating
		if rating == "" {
			rating = r.Rating
		}
		now := store.FormatTime(s.now())
		closedAt := optTime(r.ClosedAt)
		if closedAt == "" {
			closedAt = now
		}
		actor, _ := actorOf(p)
		if _, err := tx.Exec(ctx, "UPDATE ins_recommendations SET state = ?, rating = ?, implementation = ?, assessed_by = ?, assessed_at = ?, closed_at = ? WHERE id = ?",
			string(RecommendationClosed), string(rating), string(a.Implementation), actor, now, closedAt, id); err != nil {
			return fmt.Errorf("assess recommendation: %w", err)
		}
		if err := s.recEvent(ctx, tx, p, id, event, a.Note, rating, a.Implementation); err != nil {
			return err
		}
		if err := s.auditRecommendation(ctx, tx, p, "recommendation.assess", id); err != nil {
			return err
		}
		_, err = s.notifier.Notify(ctx, tx, deadline.Notice{ToOrg: r.OrgID, Subject: textfield.Cut("The commission assessed recommendation "+id, 200),
			Body: fmt.Sprintf("Implementation: %s. Rating: %s.\n\n%s", a.Implementation, rating, a.Note), Link: "/recommendations/" + id})
		return err
	})
	if err != nil {
		return Recommendation{}, err
	}
	return s.Recommendation(ctx, p, id)
}

// WithdrawRecommendation withdraws an issued or answered recommendation
// with a reason, cancelling its deadline if still open, and tells the
// agency.
func (s *Service) WithdrawRecommendation(ctx context.Context, p *auth.Principal, id, reason string) (Recommendation, error) {
	if !s.allowed(p, auth.RecommendationIssue) {
		return Recommendation{}, fmt.Errorf("withdraw a recommendation: %w", ErrForbidden)
	}
	reason = strings.TrimSpace(reason)
	if err := textfield.Check("reason", reason, MaxText, true); err != nil {
		return Recommendation{}, err
	}
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		r, err := loadRecommendation(ctx, tx, id)
		if err != nil {
			return fmt.Errorf("recommendation %q: %w", id, err)
		}
		if r.State != RecommendationIssued && r.State != RecommendationAnswered {
			return fmt.Errorf("recommendation %s is %s: %w", id, r.State, ErrConflict)
		}
		if _, err := tx.Exec(ctx, "UPDATE ins_recommendations SET state = ?, withdrawn_at = ? WHERE id = ?",
			string(RecommendationWithdrawn), store.FormatTime(s.now()), id); err != nil {
			return fmt.Errorf("withdraw recommendation: %w", err)
		}
		if r.State == RecommendationIssued {
			if _, err := s.deadlines.Cancel(ctx, tx, r.DeadlineID, "recommendation withdrawn: "+textfield.FirstLine(reason, 150)); err != nil && !errors.Is(err, deadline.ErrClosed) {
				return err
			}
		}
		if err := s.recEvent(ctx, tx, p, id, "withdraw", reason, "", ""); err != nil {
			return err
		}
		if err := s.auditRecommendation(ctx, tx, p, "recommendation.withdraw", id); err != nil {
			return err
		}
		_, err = s.notifier.Notify(ctx, tx, deadline.Notice{ToOrg: r.OrgID, Subject: textfield.Cut("The commission withdrew recommendation "+id, 200),
			Body: "No answer is needed any more.\n\n" + reason, Link: "/recommendations/" + id})
		return err
	})
	if err != nil {
		return Recommendation{}, err
	}
	return s.Recommendation(ctx, p, id)
}

// Recommendation returns recommendation id with its history, if p may see
// it: the commission any, an agency those addressed to it.
func (s *Service) Recommendation(ctx context.Context, p *auth.Principal, id string) (Recommendation, error) {
	if !s.allowed(p, auth.RecommendationRead) {
		return Recommendation{}, fmt.Errorf("read recommendations: %w", ErrForbidden)
	}
	r, err := loadRecommendation(ctx, s.db, id)
	if err != nil || !s.canSeeRecommendation(p, r) {
		return Recommendation{}, fmt.Errorf("recommendation %q: %w", id, ErrNotFound)
	}
	s.derive(&r)
	return r, nil
}

func (s *Service) canSeeRecommendation(p *auth.Principal, r Recommendation) bool {
	return s.allowed(p, auth.RecommendationIssue) || p.OrgID != "" && p.OrgID == r.OrgID
}

// derive fills the fields computed from the clock.
func (s *Service) derive(r *Recommendation) {
	r.Overdue = r.State == RecommendationIssued && s.now().After(r.Due)
}

// RecommendationFilter selects recommendations; empty fields match
// everything.
type RecommendationFilter struct {
	State        RecommendationState
	OrgID        string
	InspectionID string
	// Overdue lists only unanswered recommendations past their due time.
	Overdue bool
}

// Recommendations returns the recommendations p may see matching f, newest
// first, without their history.
func (s *Service) Recommendations(ctx context.Context, p *auth.Principal, f RecommendationFilter) ([]Recommendation, error) {
	if !s.allowed(p, auth.RecommendationRead) {
		return nil, fmt.Errorf("read recommendations: %w", ErrForbidden)
	}
	q := "SELECT " + recommendationCols + " FROM ins_recommendations WHERE 1 = 1"
	var args []any
	add := func(cond string, arg ...any) {
		q += " AND " + cond
		args = append(args, arg...)
	}
	if f.State != "" {
		if !f.State.Valid() {
			return nil, fieldErrorf("state", "%q: want issued, answered, closed or withdrawn", textfield.Cut(string(f.State), 40))
		}
		add("state = ?", string(f.State))
	}
	if f.OrgID != "" {
		add("org_id = ?", f.OrgID)
	}
	if f.InspectionID != "" {
		add("inspection_id = ?", f.InspectionID)
	}
	if f.Overdue {
		add("state = ? AND due < ?", string(RecommendationIssued), store.FormatTime(s.now()))
	}
	if !s.allowed(p, auth.RecommendationIssue) {
		add("org_id = ?", p.OrgID)
	}
	rows, err := s.db.Query(ctx, q+" ORDER BY created_at DESC, id LIMIT "+fmt.Sprint(listLimit), args...)
	if err != nil {
		return nil, fmt.Errorf("list recommendations: %w", err)
	}
	out := []Recommendation{}
	for rows.Next() {
		r, err := scanRecommendation(rows)
		if err != nil {
			return nil, closeRows(rows, fmt.Errorf("list recommendations: %w", err))
		}
		if s.canSeeRecommendation(p, r) {
			s.derive(&r)
			out = append(out, r)
		}
	}
	return out, closeRows(rows, nil)
}

func (s *Service) recEvent(ctx context.Context, tx *store.Tx, p *auth.Principal, id, event, text string, rating Rating, impl Implementation) error {
	var seq int
	if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(seq), 0) + 1 FROM ins_recommendation_events WHERE recommendation_id = ?", id).Scan(&seq); err != nil {
		return fmt.Errorf("recommendation history: %w", err)
	}
	actor, org := actorOf(p)
	if _, err := tx.Exec(ctx, "INSERT INTO ins_recommendation_events (recommendation_id, seq, event, text, rating, implementation, actor, org_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		id, seq, event, text, string(rating), string(impl), actor, org, store.FormatTime(s.now())); err != nil {
		return fmt.Errorf("recommendation history: %w", err)
	}
	return nil
}

// auditRecommendation appends action for recommendation id as stored in tx.
func (s *Service) auditRecommendation(ctx context.Context, tx *store.Tx, p *auth.Principal, action, id string) error {
	r, err := loadRecommendation(ctx, tx, id)
	if err != nil {
		return fmt.Errorf("%s %s: %w", action, id, err)
	}
	return s.audit(ctx, tx, p, action, "recommendation/"+id, r)
}

// loadRecommendation returns recommendation id as stored, with its
// history and without the fields derived from the clock: the audit payload
// and what the resolver returns.
func loadRecommendation(ctx context.Context, q store.Querier, id string) (Recommendation, error) {
	r, err := scanRecommendation(q.QueryRow(ctx, "SELECT "+recommendationCols+" FROM ins_recommendations WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return Recommendation{}, ErrNotFound
	}
	if err != nil {
		return Recommendation{}, fmt.Errorf("load recommendation: %w", err)
	}
	rows, err := q.Query(ctx, "SELECT seq, event, text, rating, implementation, actor, org_id, at FROM ins_recommendation_events WHERE recommendation_id = ? ORDER BY seq", id)
	if err != nil {
		return Recommendation{}, fmt.Errorf("recommendation history: %w", err)
	}
	for rows.Next() {
		var e RecommendationEvent
		var rating, impl, at string
		if err := rows.Scan(&e.Seq, &e.Event, &e.Text, &rating, &impl, &e.Actor, &e.OrgID, &at); err != nil {
			return Recommendation{}, closeRows(rows, fmt.Errorf("recommendation history: %w", err))
		}
		e.Rating, e.Implementation = Rating(rating), Implementation(impl)
		if err := parseTimes([]*time.Time{&e.At}, []string{at}); err != nil {
			return Recommendation{}, closeRows(rows, err)
		}
		r.History = append(r.History, e)
	}
	if err := closeRows(rows, nil); err != nil {
		return Recommendation{}, fmt.Errorf("recommendation history: %w", err)
	}
	return r, nil
}

func scanRecommendation(sc scanner) (Recommendation, error) {
	var r Recommendation
	var rating, impl, state string
	ts := make([]string, 6)
	if err := sc.Scan(&r.ID, &r.InspectionID, &r.OrgID, &r.IssuerOrg, &r.Text, &rating, &impl, &ts[0], &state, &r.DeadlineID,
		&r.Answer, &r.AnsweredBy, &ts[1], &r.AssessedBy, &ts[2], &ts[3], &ts[4], &r.CreatedBy, &ts[5]); err != nil {
		return Recommendation{}, err
	}
	r.Rating, r.Implementation, r.State = Rating(rating), Implementation(impl), RecommendationState(state)
	if err := parseTimes([]*time.Time{&r.Due, &r.AnsweredAt, &r.AssessedAt, &r.ClosedAt, &r.WithdrawnAt, &r.CreatedAt}, ts); err != nil {
		return Recommendation{}, err
	}
	r.Late = !r.AnsweredAt.IsZero() && r.AnsweredAt.After(r.Due)
	return r, nil
}
