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
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/textfield"
)

// InspectionState is where an inspection is in its life: open → closed.
type InspectionState string

// Inspection states.
const (
	InspectionOpen   InspectionState = "open"
	InspectionClosed InspectionState = "closed"
)

// AllAgencies, as an inspection's only subject, means every agency.
const AllAgencies = "all"

// Inspection is one of the commission's inspections of how agencies handle
// communications information (§61: the commission inspects continuously).
type Inspection struct {
	ID string `json:"id"`
	// Title is one line; it defaults to the scope's first line.
	Title string `json:"title"`
	// Subjects are the ids of the agencies inspected, or ["all"]
	// (AllAgencies).
	Subjects []string `json:"subjects"`
	// Scope says what is inspected and how.
	Scope string `json:"scope"`
	// ApprovalIDs, ProvisionIDs and RunIDs link the approvals, provisions
	// of selected data and selection runs the inspection looks at. They
	// are plain ids, not checked against those records.
	ApprovalIDs  []string        `json:"approval_ids"`
	ProvisionIDs []string        `json:"provision_ids"`
	RunIDs       []string        `json:"run_ids"`
	State        InspectionState `json:"state"`
	// Summary is the closing summary.
	Summary  string    `json:"summary,omitempty"`
	OpenedBy string    `json:"opened_by"`
	OpenedAt time.Time `json:"opened_at"`
	ClosedBy string    `json:"closed_by,omitempty"`
	ClosedAt time.Time `json:"closed_at,omitzero"`
	// FindingCount is how many findings the inspection holds.
	FindingCount int `json:"finding_count"`
	// Findings, oldest first; lists leave them out.
	Findings []Finding `json:"findings,omitempty"`
}

// Finding is one entry of what an inspection found, added while it is open.
type Finding struct {
	Seq    int       `json:"seq"`
	Text   string    `json:"text"`
	Author string    `json:"author"`
	OrgID  string    `json:"org_id"`
	At     time.Time `json:"at"`
}

// NewInspection is what the commission opens.
type NewInspection struct {
	// Title is optional: it defaults to the scope's first line.
	Title string `json:"title,omitempty"`
	// Subjects are agency organisation ids, or ["all"].
	Subjects     []string `json:"subjects"`
	Scope        string   `json:"scope"`
	ApprovalIDs  []string `json:"approval_ids,omitempty"`
	ProvisionIDs []string `json:"provision_ids,omitempty"`
	RunIDs       []string `json:"run_ids,omitempty"`
}

const inspectionCols = "id, title, subjects, scope, approval_ids, provision_ids, run_ids, state, summary, opened_by, opened_at, closed_by, closed_at"

// OpenInspection opens an inspection. Only the commission may.
func (s *Service) OpenInspection(ctx context.Context, p *auth.Principal, n NewInspection) (Inspection, error) {
	if !s.allowed(p, auth.InspectionWrite) {
		return Inspection{}, fmt.Errorf("open an inspection: %w", ErrForbidden)
	}
	n.Title, n.Scope = strings.TrimSpace(n.Title), strings.TrimSpace(n.Scope)
	if err := textfield.Check("scope", n.Scope, MaxText, true); err != nil {
		return Inspection{}, err
	}
	if n.Title == "" {
		n.Title = textfield.FirstLine(n.Scope, 80)
	}
	if err := textfield.CheckLine("title", n.Title, true); err != nil {
		return Inspection{}, err
	}
	subjects, err := s.subjects(ctx, n.Subjects)
	if err != nil {
		return Inspection{}, err
	}
	links := map[string]*[]string{"approval_ids": &n.ApprovalIDs, "provision_ids": &n.ProvisionIDs, "run_ids": &n.RunIDs}
	for _, f := range []string{"approval_ids", "provision_ids", "run_ids"} {
		if *links[f], err = normalizeIDs(f, *links[f]); err != nil {
			return Inspection{}, err
		}
	}
	actor, _ := actorOf(p)
	id := newID("insp_")
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO ins_inspections ("+inspectionCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			id, n.Title, jsonList(subjects), n.Scope, jsonList(n.ApprovalIDs), jsonList(n.ProvisionIDs), jsonList(n.RunIDs),
			string(InspectionOpen), "", actor, store.FormatTime(s.now()), "", ""); err != nil {
			return fmt.Errorf("record inspection: %w", err)
		}
		return s.auditInspection(ctx, tx, p, "inspection.open", id)
	})
	if err != nil {
		return Inspection{}, err
	}
	return s.Inspection(ctx, p, id)
}

// subjects checks an inspection's subjects: ["all"], or agency ids.
func (s *Service) subjects(ctx context.Context, in []string) ([]string, error) {
	ids, err := normalizeIDs("subjects", in)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, fieldErrorf("subjects", `required: agency organisation ids, or ["all"]`)
	}
	if slices.Contains(ids, AllAgencies) {
		if len(ids) > 1 {
			return nil, fieldErrorf("subjects", `"all" must be the only subject`)
		}
		return ids, nil
	}
	for i, id := range ids {
		if _, err := s.agency(ctx, fmt.Sprintf("subjects[%d]", i), id); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// auditInspection appends action for inspection id as stored in tx.
func (s *Service) auditInspection(ctx context.Context, tx *store.Tx, p *auth.Principal, action, id string) error {
	in, err := loadInspection(ctx, tx, id)
	if err != nil {
		return fmt.Errorf("%s %s: %w", action, id, err)
	}
	return s.audit(ctx, tx, p, action, "inspection/"+id, in)
}

// AddFinding adds a finding to an open inspection and returns the
// inspection.
func (s *Service) AddFinding(ctx context.Context, p *auth.Principal, id, text string) (Inspection, error) {
	if !s.allowed(p, auth.InspectionWrite) {
		return Inspection{}, fmt.Errorf("add a finding: %w", ErrForbidden)
	}
	text = strings.TrimSpace(text)
	if err := textfield.Check("text", text, MaxText, true); err != nil {
		return Inspection{}, err
	}
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		in, err := loadInspection(ctx, tx, id)
		if err != nil {
			return fmt.Errorf("inspection %q: %w", id, err)
		}
		if in.State != InspectionOpen {
			return fmt.Errorf("inspection %s is %s: findings go into open inspections: %w", id, in.State, ErrConflict)
		}
		if in.FindingCount >= MaxFindings {
			return fmt.Errorf("inspection %s holds %d findings, the most one may: %w", id, in.FindingCount, ErrConflict)
		}
		actor, org := actorOf(p)
		if _, err := tx.Exec(ctx, "INSERT INTO ins_findings (inspection_id, seq, text, author, org_id, at) VALUES (?, ?, ?, ?, ?, ?)",
			id, in.FindingCount+1, text, actor, org, store.FormatTime(s.now())); err != nil {
			return fmt.Errorf("record finding: %w", err)
		}
		return s.auditInspection(ctx, tx, p, "inspection.finding", id)
	})
	if err != nil {
		return Inspection{}, err
	}
	return s.Inspection(ctx, p, id)
}

// CloseInspection closes an open inspection with a summary.
func (s *Service) CloseInspection(ctx context.Context, p *auth.Principal, id, summary string) (Inspection, error) {
	if !s.allowed(p, auth.InspectionWrite) {
		return Inspection{}, fmt.Errorf("close an inspection: %w", ErrForbidden)
	}
	summary = strings.TrimSpace(summary)
	if err := textfield.Check("summary", summary, MaxText, true); err != nil {
		return Inspection{}, err
	}
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		in, err := loadInspection(ctx, tx, id)
		if err != nil {
			return fmt.Errorf("inspection %q: %w", id, err)
		}
		if in.State != InspectionOpen {
			return fmt.Errorf("inspection %s is already %s: %w", id, in.State, ErrConflict)
		}
		actor, _ := actorOf(p)
		if _, err := tx.Exec(ctx, "UPDATE ins_inspections SET state = ?, summary = ?, closed_by = ?, closed_at = ? WHERE id = ? AND state = ?",
			string(InspectionClosed), summary, actor, store.FormatTime(s.now()), id, string(InspectionOpen)); err != nil {
			return fmt.Errorf("close inspection: %w", err)
		}
		return s.auditInspection(ctx, tx, p, "inspection.close", id)
	})
	if err != nil {
		return Inspection{}, err
	}
	return s.Inspection(ctx, p, id)
}

// Inspection returns inspection id with its findings.
func (s *Service) Inspection(ctx context.Context, p *auth.Principal, id string) (Inspection, error) {
	if !s.allowed(p, auth.InspectionRead) {
		return Inspection{}, fmt.Errorf("read inspections: %w", ErrForbidden)
	}
	in, err := loadInspection(ctx, s.db, id)
	if err != nil {
		return Inspection{}, fmt.Errorf("inspection %q: %w", id, err)
	}
	return in, nil
}

// InspectionFilter selects inspections; empty fields match everything.
type InspectionFilter struct {
	State InspectionState
	// OrgID matches inspections of that agency, including those of all
	// agencies.
	OrgID string
}

// Inspections returns the inspections matching f, newest first, without
// their findings.
func (s *Service) Inspections(ctx context.Context, p *auth.Principal, f InspectionFilter) ([]Inspection, error) {
	if !s.allowed(p, auth.InspectionRead) {
		return nil, fmt.Errorf("read inspections: %w", ErrForbidden)
	}
	q := "SELECT " + inspectionCols + ", (SELECT COUNT(*) FROM ins_findings f WHERE f.inspection_id = i.id) FROM ins_inspections i"
	var args []any
	switch f.State {
	case "":
	case InspectionOpen, InspectionClosed:
		q += " WHERE state = ?"
		args = append(args, string(f.State))
	default:
		return nil, fieldErrorf("state", "%q: want open or closed", textfield.Cut(string(f.State), 40))
	}
	rows, err := s.db.Query(ctx, q+" ORDER BY opened_at DESC, id LIMIT "+fmt.Sprint(listLimit), args...)
	if err != nil {
		return nil, fmt.Errorf("list inspections: %w", err)
	}
	out := []Inspection{}
	for rows.Next() {
		in, err := scanInspection(rows, true)
		if err != nil {
			return nil, closeRows(rows, fmt.Errorf("list inspections: %w", err))
		}
		if f.OrgID == "" || slices.Contains(in.Subjects, f.OrgID) || slices.Contains(in.Subjects, AllAgencies) {
			out = append(out, in)
		}
	}
	return out, closeRows(rows, nil)
}

// loadInspection returns inspection id as stored, with its findings: the
// audit payload and what the resolver returns.
func loadInspection(ctx context.Context, q store.Querier, id string) (Inspection, error) {
	in, err := scanInspection(q.QueryRow(ctx, "SELECT "+inspectionCols+" FROM ins_inspections WHERE id = ?", id), false)
	if errors.Is(err, sql.ErrNoRows) {
		return Inspection{}, ErrNotFound
	}
	if err != nil {
		return Inspection{}, fmt.Errorf("load inspection: %w", err)
	}
	rows, err := q.Query(ctx, "SELECT seq, text, author, org_id, at FROM ins_findings WHERE inspection_id = ? ORDER BY seq", id)
	if err != nil {
		return Inspection{}, fmt.Errorf("load findings: %w", err)
	}
	for rows.Next() {
		var f Finding
		var at string
		if err := rows.Scan(&f.Seq, &f.Text, &f.Author, &f.OrgID, &at); err != nil {
			return Inspection{}, closeRows(rows, fmt.Errorf("load findings: %w", err))
		}
		if err := parseTimes([]*time.Time{&f.At}, []string{at}); err != nil {
			return Inspection{}, closeRows(rows, err)
		}
		in.Findings = append(in.Findings, f)
	}
	if err := closeRows(rows, nil); err != nil {
		return Inspection{}, fmt.Errorf("load findings: %w", err)
	}
	in.FindingCount = len(in.Findings)
	return in, nil
}

// scanInspection scans the columns inspectionCols, followed by the
// finding count when counted.
func scanInspection(r scanner, counted bool) (Inspection, error) {
	var in Inspection
	var subjects, approvals, provisions, runs, state, opened, closed string
	dest := []any{&in.ID, &in.Title, &subjects, &in.Scope, &approvals, &provisions, &runs, &state, &in.Summary,
		&in.OpenedBy, &opened, &in.ClosedBy, &closed}
	if counted {
		dest = append(dest, &in.FindingCount)
	}
	if err := r.Scan(dest...); err != nil {
		return Inspection{}, err
	}
	in.State = InspectionState(state)
	var err error
	for _, l := range []struct {
		dst *[]string
		src string
	}{{&in.Subjects, subjects}, {&in.ApprovalIDs, approvals}, {&in.ProvisionIDs, provisions}, {&in.RunIDs, runs}} {
		if *l.dst, err = parseList(l.src); err != nil {
			return Inspection{}, err
		}
	}
	return in, parseTimes([]*time.Time{&in.OpenedAt, &in.ClosedAt}, []string{opened, closed})
}
