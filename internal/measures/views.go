package measures

import (
	"context"
	"fmt"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/store"
)

// summary returns c (with its computed fields) as the overview lists it.
func summary(c *Case) CaseSummary {
	s := CaseSummary{ID: c.ID, Title: c.Title, Path: c.Path, State: c.State, OfficerOrgID: c.OfficerOrgID, OfficerLevel: c.OfficerLevel,
		OpenedAt: c.OpenedAt, UpdatedAt: c.UpdatedAt, Foreign: foreign(c), Emergency: c.Emergency != nil,
		PostNoticeOverdue: c.PostNoticeOverdue, Orders: c.OrdersIssued, Executions: len(c.Executions), Gates: c.Gates}
	if c.Approval != nil {
		s.Approval = c.Approval.State
	}
	return s
}

// Overview is the command tower's view (Cabinet Office analysts, the
// cabinet and the commission): every open or executing case, police and
// SDF, oldest first, with its gates, and how many there are by path family
// and with a post-notification overdue.
func (s *Service) Overview(ctx context.Context, p *auth.Principal) (Overview, error) {
	if !isAnalyst(p) && !isCabinet(p) && !isCommission(p) {
		return Overview{}, fmt.Errorf("the command-tower view is the Cabinet Office's, the cabinet's and the commission's: %w", ErrForbidden)
	}
	cs, err := s.listCases(ctx, "SELECT data FROM msr_cases WHERE state IN ('open', 'executing') ORDER BY opened_at, id")
	if err != nil {
		return Overview{}, err
	}
	ov := Overview{Cases: make([]CaseSummary, 0, len(cs))}
	for i := range cs {
		c := &cs[i]
		ov.Cases = append(ov.Cases, summary(c))
		if c.Path.SDF() {
			ov.SDF++
		} else {
			ov.Police++
		}
		if c.PostNoticeOverdue {
			ov.Overdue++
		}
	}
	return ov, nil
}

// ActiveCase implements commsinfo.MeasureCases: it returns nil when case
// caseID is open or executing and recipientOrgID is the officer's
// organisation or, on the SDF protection path, the joint police
// organisation; otherwise an error saying why not (ErrNotFound for no such
// case, ErrConflict for a case not active, ErrForbidden for an
// organisation not acting in it).
func (s *Service) ActiveCase(ctx context.Context, caseID, recipientOrgID string) error {
	c, err := loadCase(ctx, s.db, nil, caseID)
	if err != nil {
		return err
	}
	if c.State != StateOpen && c.State != StateExecuting {
		return fmt.Errorf("measure case %s is %s, not active: %w", c.ID, c.State, ErrConflict)
	}
	if recipientOrgID == "" || (recipientOrgID != c.OfficerOrgID && recipientOrgID != c.JointPoliceOrgID) {
		return fmt.Errorf("organisation %q does not act in measure case %s: %w", recipientOrgID, c.ID, ErrForbidden)
	}
	return nil
}

// CaseTargets returns case caseID's targets and state, for the blocklist
// service, which decides by the state whether they may be listed. It
// takes no principal: the caller checks its own policy.
func (s *Service) CaseTargets(ctx context.Context, caseID string) ([]Target, State, error) {
	c, err := loadCase(ctx, s.db, nil, caseID)
	if err != nil {
		return nil, "", err
	}
	return c.Targets, c.State, nil
}

// Stats counts the period [from, to) for the annual report (§61): see the
// fields of [Stats] for what each figure counts. Missing
// post-notifications are counted as of now.
func (s *Service) Stats(ctx context.Context, from, to time.Time) (Stats, error) {
	from, to = from.UTC(), to.UTC()
	if !from.Before(to) {
		return Stats{}, fmt.Errorf("count measures: from %s is not before to %s", stamp(from), stamp(to))
	}
	st := Stats{From: from, To: to}
	in := func(t time.Time) bool { return !t.IsZero() && !t.Before(from) && t.Before(to) }
	cs, err := listRecords[Case](ctx, s.db, "SELECT data FROM msr_cases WHERE opened_at < ? ORDER BY opened_at", store.FormatTime(to))
	if err != nil {
		return Stats{}, err
	}
	firstOrder, err := s.firstOrders(ctx)
	if err != nil {
		return Stats{}, err
	}
	if err := s.db.QueryRow(ctx, "SELECT COUNT(*) FROM msr_orders WHERE issued_at >= ? AND issued_at < ?",
		store.FormatTime(from), store.FormatTime(to)).Scan(&st.OrdersIssued); err != nil {
		return Stats{}, fmt.Errorf("count orders: %w", err)
	}
	now := s.now()
	for i := range cs {
		c := &cs[i]
		if in(c.OpenedAt) {
			switch c.Path {
			case PathPolice:
				st.CasesPolice++
			case PathSDFProtection:
				st.CasesSDFProtection++
			case PathSDFGuard:
				st.CasesSDFGuard++
			}
			if foreign(c) {
				st.ForeignTargets++
			}
		}
		for _, cn := range append([]Consultation{}, c.ConsultationHistory...) {
			if in(cn.RequestedAt) {
				st.MOFAConsultations++
			}
		}
		if c.Consultation != nil && in(c.Consultation.RequestedAt) {
			st.MOFAConsultations++
		}
		if c.Approval != nil && c.Approval.State == ApprovalRefused && in(c.Approval.DecidedAt) {
			st.ApprovalsRefused++
		}
		first := firstOrder[c.ID]
		for _, e := range c.Executions {
			if in(e.StartedAt) {
				st.Executions++
			}
			if first.IsZero() || e.StartedAt.Before(first) {
				first = e.StartedAt
			}
		}
		if in(first) {
			st.MeasuresTaken++
			switch {
			case c.Emergency != nil:
				st.Emergency++
			case c.Approval != nil && c.Approval.State == ApprovalApproved:
				st.PriorApproved++
			}
		}
		if e := c.Emergency; e != nil && in(e.DeclaredAt) && c.State != StateWithdrawn {
			switch {
			case c.PostNotice != nil && c.PostNotice.Late:
				st.PostNoticesLate++
			case c.PostNotice != nil:
				st.PostNoticesOnTime++
			case now.After(e.Due):
				st.PostNoticesMissing++
			}
		}
		if c.Outcome != nil && in(c.Outcome.ClosedAt) {
			st.Closed++
		}
	}
	return st, nil
}

// firstOrders returns the time of the first order of every case that has
// one.
func (s *Service) firstOrders(ctx context.Context) (map[string]time.Time, error) {
	rows, err := s.db.Query(ctx, "SELECT case_id, MIN(issued_at) FROM msr_orders GROUP BY case_id")
	if err != nil {
		return nil, fmt.Errorf("read first orders: %w", err)
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var id, at string
		if err := rows.Scan(&id, &at); err != nil {
			return nil, fmt.Errorf("read first orders: %w", err)
		}
		t, err := store.ParseTime(at)
		if err != nil {
			return nil, fmt.Errorf("read first orders: %w", err)
		}
		out[id] = t
	}
	return out, rows.Err()
}
