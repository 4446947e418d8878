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

// Category is what kind of handling error an agency reports.
type Category string

// Categories of handling errors.
const (
	// OutOfScopeSelection: selection kept data outside the approval's
	// criteria or beyond mechanical information (ch.5, ch.7).
	OutOfScopeSelection Category = "out_of_scope_selection"
	// ProvisionBeyondBasis: selected data was provided beyond its legal
	// basis (§23).
	ProvisionBeyondBasis Category = "provision_beyond_basis"
	// LateDeletion: data that had to be deleted at once was kept.
	LateDeletion Category = "late_deletion"
	// OtherError is any other error in handling communications
	// information.
	OtherError Category = "other"
)

// Categories lists the categories in order.
var Categories = []Category{OutOfScopeSelection, ProvisionBeyondBasis, LateDeletion, OtherError}

// Valid reports whether c is one of Categories.
func (c Category) Valid() bool { return slices.Contains(Categories, c) }

// Severity is how severe the reporting agency judges an error.
type Severity string

// Severities.
const (
	SeverityLow    Severity = "low"
	SeverityMedium Severity = "medium"
	SeverityHigh   Severity = "high"
)

// Severities lists the severities, lowest first.
var Severities = []Severity{SeverityLow, SeverityMedium, SeverityHigh}

// Valid reports whether v is one of Severities.
func (v Severity) Valid() bool { return slices.Contains(Severities, v) }

// Told says whether the persons affected by an error were told of it.
type Told string

// Answers to "were the affected persons told?".
const (
	ToldYes           Told = "yes"
	ToldNo            Told = "no"
	ToldNotApplicable Told = "not_applicable"
)

// Valid reports whether t is yes, no or not_applicable.
func (t Told) Valid() bool { return t == ToldYes || t == ToldNo || t == ToldNotApplicable }

// ErrorState is where a handling error is: reported → classified.
type ErrorState string

// Handling error states.
const (
	ErrorReported   ErrorState = "reported"
	ErrorClassified ErrorState = "classified"
)

// HandlingError is an error in handling communications information that an
// agency reported, with the commission's classification once made.
type HandlingError struct {
	ID string `json:"id"`
	// OrgID is the reporting agency.
	OrgID       string    `json:"org_id"`
	Category    Category  `json:"category"`
	Severity    Severity  `json:"severity"`
	Description string    `json:"description"`
	OccurredAt  time.Time `json:"occurred_at"`
	// Related are ids of related records (approvals, runs, provisions…),
	// not checked.
	Related    []string   `json:"related"`
	State      ErrorState `json:"state"`
	ReportedBy string     `json:"reported_by"`
	ReportedAt time.Time  `json:"reported_at"`
	// Classification is the commission's, once classified.
	Classification *Classification `json:"classification,omitempty"`
	ClassifiedBy   string          `json:"classified_by,omitempty"`
	ClassifiedAt   time.Time       `json:"classified_at,omitzero"`
}

// NewHandlingError is what an agency reports.
type NewHandlingError struct {
	Category    Category `json:"category"`
	Severity    Severity `json:"severity"`
	Description string   `json:"description"`
	// OccurredAt is when the error happened; not in the future.
	OccurredAt time.Time `json:"occurred_at"`
	Related    []string  `json:"related,omitempty"`
}

// Classification is the commission's judgement of a handling error.
type Classification struct {
	// Serious marks a serious error, which the annual report counts
	// apart.
	Serious bool `json:"serious"`
	// Reasons say why it is (or is not) serious. Required.
	Reasons string `json:"reasons"`
	// AffectedTold says whether the persons affected were told.
	AffectedTold Told `json:"affected_told"`
	// AffectedToldAt is when they were told: required with "yes", and
	// absent otherwise.
	AffectedToldAt time.Time `json:"affected_told_at,omitzero"`
}

// futureSlack is how far in the future a reported time may lie, for
// clocks that run ahead.
const futureSlack = 5 * time.Minute

const errorCols = "id, org_id, category, severity, description, occurred_at, related, state, reported_by, reported_at, serious, reasons, affected_told, affected_told_at, classified_by, classified_at"

// ReportHandlingError records a handling error reported by p's agency and
// tells the commission.
func (s *Service) ReportHandlingError(ctx context.Context, p *auth.Principal, n NewHandlingError) (HandlingError, error) {
	if !s.allowed(p, auth.HandlingErrorReport) {
		return HandlingError{}, fmt.Errorf("report a handling error: %w", ErrForbidden)
	}
	if p.OrgID == "" || !IsAgency(p.OrgKind) {
		return HandlingError{}, fmt.Errorf("report a handling error: your organisation is not an agency: %w", ErrForbidden)
	}
	if !n.Category.Valid() {
		return HandlingError{}, fieldErrorf("category", "%q: want out_of_scope_selection, provision_beyond_basis, late_deletion or other", textfield.Cut(string(n.Category), 40))
	}
	if !n.Severity.Valid() {
		return HandlingError{}, fieldErrorf("severity", "%q: want low, medium or high", textfield.Cut(string(n.Severity), 40))
	}
	n.Description = strings.TrimSpace(n.Description)
	if err := textfield.Check("description", n.Description, MaxText, true); err != nil {
		return HandlingError{}, err
	}
	now := s.now()
	n.OccurredAt = n.OccurredAt.UTC()
	if n.OccurredAt.IsZero() {
		return HandlingError{}, fieldErrorf("occurred_at", "required")
	}
	if n.OccurredAt.After(now.Add(futureSlack)) {
		return HandlingError{}, fieldErrorf("occurred_at", "%s is in the future", n.OccurredAt.Format(time.RFC3339))
	}
	related, err := normalizeIDs("related", n.Related)
	if err != nil {
		return HandlingError{}, err
	}
	commission, err := s.commissionOrgs(ctx)
	if err != nil {
		return HandlingError{}, err
	}
	actor, _ := actorOf(p)
	id := newID("herr_")
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO ins_handling_errors ("+errorCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			id, p.OrgID, string(n.Category), string(n.Severity), n.Description, store.FormatTime(n.OccurredAt), jsonList(related),
			string(ErrorReported), actor, store.FormatTime(now), 0, "", "", "", "", ""); err != nil {
			return fmt.Errorf("record handling error: %w", err)
		}
		if err := s.auditError(ctx, tx, p, "handling_error.report", id); err != nil {
			return err
		}
		for _, org := range commission {
			if _, err := s.notifier.Notify(ctx, tx, deadline.Notice{ToOrg: org,
				Subject: textfield.Cut(fmt.Sprintf("Handling error reported (%s, %s severity)", n.Category, n.Severity), 200),
				Body:    "An agency reported an error in handling communications information. Classify it.\n\n" + n.Description,
				Link:    "/handling-errors/" + id}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return HandlingError{}, err
	}
	return s.HandlingError(ctx, p, id)
}

// ClassifyHandlingError records the commission's classification of a
// reported error, once, and tells the reporting agency.
func (s *Service) ClassifyHandlingError(ctx context.Context, p *auth.Principal, id string, c Classification) (HandlingError, error) {
	if !s.allowed(p, auth.HandlingErrorClassify) {
		return HandlingError{}, fmt.Errorf("classify a handling error: %w", ErrForbidden)
	}
	c.Reasons = strings.TrimSpace(c.Reasons)
	if err := textfield.Check("reasons", c.Reasons, MaxText, true); err != nil {
		return HandlingError{}, err
	}
	if !c.AffectedTold.Valid() {
		return HandlingError{}, fieldErrorf("affected_told", "%q: want yes, no or not_applicable", textfield.Cut(string(c.AffectedTold), 40))
	}
	now := s.now()
	c.AffectedToldAt = c.AffectedToldAt.UTC()
	switch {
	case c.AffectedTold == ToldYes && c.AffectedToldAt.IsZero():
		return HandlingError{}, fieldErrorf("affected_told_at", "required when affected_told is yes")
	case c.AffectedTold != ToldYes && !c.AffectedToldAt.IsZero():
		return HandlingError{}, fieldErrorf("affected_told_at", "only with affected_told yes")
	case c.AffectedToldAt.After(now.Add(futureSlack)):
		return HandlingError{}, fieldErrorf("affected_told_at", "%s is in the future", c.AffectedToldAt.Format(time.RFC3339))
	}
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		e, err := loadHandlingError(ctx, tx, id)
		if err != nil {
			return fmt.Errorf("handling error %q: %w", id, err)
		}
		if e.State != ErrorReported {
			return fmt.Errorf("handling error %s is already %s: %w", id, e.State, ErrConflict)
		}
		if !c.AffectedToldAt.IsZero() && c.AffectedToldAt.Before(e.OccurredAt) {
			return fieldErrorf("affected_told_at", "%s is before the error occurred (%s)", c.AffectedToldAt.Format(time.RFC3339), e.OccurredAt.Format(time.RFC3339))
		}
		actor, _ := actorOf(p)
		if _, err := tx.Exec(ctx, "UPDATE ins_handling_errors SET state = ?, serious = ?, reasons = ?, affected_told = ?, affected_told_at = ?, classified_by = ?, classified_at = ? WHERE id = ?",
			string(ErrorClassified), boolInt(c.Serious), c.Reasons, string(c.AffectedTold), optTime(c.AffectedToldAt), actor, store.FormatTime(now), id); err != nil {
			return fmt.Errorf("classify handling error: %w", err)
		}
		if err := s.auditError(ctx, tx, p, "handling_error.classify", id); err != nil {
			return err
		}
		verdict := "not serious"
		if c.Serious {
			verdict = "serious"
		}
		_, err = s.notifier.Notify(ctx, tx, deadline.Notice{ToOrg: e.OrgID, Subject: textfield.Cut("The commission classified handling error "+id+" as "+verdict, 200),
			Body: c.Reasons, Link: "/handling-errors/" + id})
		return err
	})
	if err != nil {
		return HandlingError{}, err
	}
	return s.HandlingError(ctx, p, id)
}

// HandlingError returns handling error id if p may see it: the commission
// any, an agency its own.
func (s *Service) HandlingError(ctx context.Context, p *auth.Principal, id string) (HandlingError, error) {
	if !s.allowed(p, auth.HandlingErrorRead) {
		return HandlingError{}, fmt.Errorf("read handling errors: %w", ErrForbidden)
	}
	e, err := loadHandlingError(ctx, s.db, id)
	if err != nil || !s.canSeeError(p, e) {
		return HandlingError{}, fmt.Errorf("handling error %q: %w", id, ErrNotFound)
	}
	return e, nil
}

func (s *Service) canSeeError(p *auth.Principal, e HandlingError) bool {
	return s.allowed(p, auth.HandlingErrorClassify) || p.OrgID != "" && p.OrgID == e.OrgID
}

// ErrorFilter selects handling errors; empty fields match everything.
type ErrorFilter struct {
	State    ErrorState
	OrgID    string
	Category Category
	Severity Severity
	// Serious lists only errors classified serious.
	Serious bool
}

// HandlingErrors returns the handling errors p may see matching f, newest
// first.
func (s *Service) HandlingErrors(ctx context.Context, p *auth.Principal, f ErrorFilter) ([]HandlingError, error) {
	if !s.allowed(p, auth.HandlingErrorRead) {
		return nil, fmt.Errorf("read handling errors: %w", ErrForbidden)
	}
	q := "SELECT " + errorCols + " FROM ins_handling_errors WHERE 1 = 1"
	var args []any
	add := func(cond string, arg ...any) {
		q += " AND " + cond
		args = append(args, arg...)
	}
	switch {
	case f.State != "" && f.State != ErrorReported && f.State != ErrorClassified:
		return nil, fieldErrorf("state", "%q: want reported or classified", textfield.Cut(string(f.State), 40))
	case f.Category != "" && !f.Category.Valid():
		return nil, fieldErrorf("category", "%q: want out_of_scope_selection, provision_beyond_basis, late_deletion or other", textfield.Cut(string(f.Category), 40))
	case f.Severity != "" && !f.Severity.Valid():
		return nil, fieldErrorf("severity", "%q: want low, medium or high", textfield.Cut(string(f.Severity), 40))
	}
	if f.State != "" {
		add("state = ?", string(f.State))
	}
	if f.OrgID != "" {
		add("org_id = ?", f.OrgID)
	}
	if f.Category != "" {
		add("category = ?", string(f.Category))
	}
	if f.Severity != "" {
		add("severity = ?", string(f.Severity))
	}
	if f.Serious {
		add("state = ? AND serious = 1", string(ErrorClassified))
	}
	if !s.allowed(p, auth.HandlingErrorClassify) {
		add("org_id = ?", p.OrgID)
	}
	rows, err := s.db.Query(ctx, q+" ORDER BY reported_at DESC, id LIMIT "+fmt.Sprint(listLimit), args...)
	if err != nil {
		return nil, fmt.Errorf("list handling errors: %w", err)
	}
	out := []HandlingError{}
	for rows.Next() {
		e, err := scanHandlingError(rows)
		if err != nil {
			return nil, closeRows(rows, fmt.Errorf("list handling errors: %w", err))
		}
		if s.canSeeError(p, e) {
			out = append(out, e)
		}
	}
	return out, closeRows(rows, nil)
}

// auditError appends action for handling error id as stored in tx.
func (s *Service) auditError(ctx context.Context, tx *store.Tx, p *auth.Principal, action, id string) error {
	e, err := loadHandlingError(ctx, tx, id)
	if err != nil {
		return fmt.Errorf("%s %s: %w", action, id, err)
	}
	return s.audit(ctx, tx, p, action, "handling_error/"+id, e)
}

// loadHandlingError returns handling error id as stored: the audit payload
// and what the resolver returns.
func loadHandlingError(ctx context.Context, q store.Querier, id string) (HandlingError, error) {
	e, err := scanHandlingError(q.QueryRow(ctx, "SELECT "+errorCols+" FROM ins_handling_errors WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return HandlingError{}, ErrNotFound
	}
	if err != nil {
		return HandlingError{}, fmt.Errorf("load handling error: %w", err)
	}
	return e, nil
}

func scanHandlingError(sc scanner) (HandlingError, error) {
	var e HandlingError
	var category, severity, related, state, reasons, told string
	var serious int
	ts := make([]string, 4)
	if err := sc.Scan(&e.ID, &e.OrgID, &category, &severity, &e.Description, &ts[0], &related, &state, &e.ReportedBy, &ts[1],
		&serious, &reasons, &told, &ts[2], &e.ClassifiedBy, &ts[3]); err != nil {
		return HandlingError{}, err
	}
	e.Category, e.Severity, e.State = Category(category), Severity(severity), ErrorState(state)
	var err error
	if e.Related, err = parseList(related); err != nil {
		return HandlingError{}, err
	}
	var toldAt time.Time
	if err := parseTimes([]*time.Time{&e.OccurredAt, &e.ReportedAt, &toldAt, &e.ClassifiedAt}, ts); err != nil {
		return HandlingError{}, err
	}
	if e.State == ErrorClassified {
		e.Classification = &Classification{Serious: serious != 0, Reasons: reasons, AffectedTold: Told(told), AffectedToldAt: toldAt}
	}
	return e, nil
}
