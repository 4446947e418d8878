package measures

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/oversight"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/textfield"
)

// stored returns c as stored and audited: without the fields computed on
// reads.
func (c Case) stored() Case {
	c.Orders, c.Motions, c.PostNoticeOverdue, c.Gates = nil, nil, false, nil
	return c
}

// mofaOrgs is the mofa_orgs column of c: "|id|" for every MOFA
// organisation consulted, current or reset.
func mofaOrgs(c *Case) string {
	var b strings.Builder
	add := func(id string) {
		if id != "" && !strings.Contains(b.String(), "|"+id+"|") {
			b.WriteString("|" + id + "|")
		}
	}
	if c.Consultation != nil {
		add(c.Consultation.MOFAOrgID)
	}
	for _, h := range c.ConsultationHistory {
		add(h.MOFAOrgID)
	}
	return b.String()
}

// insertCase stores new case c.
func insertCase(ctx context.Context, tx *store.Tx, c *Case) error {
	data, err := encode(c.stored())
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO msr_cases (id, path, state, officer_user, officer_org, joint_org, mofa_orgs, opened_at, updated_at, data)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.ID, string(c.Path), string(c.State), c.OfficerUserID, c.OfficerOrgID, c.JointPoliceOrgID,
		mofaOrgs(c), store.FormatTime(c.OpenedAt), store.FormatTime(c.UpdatedAt), data); err != nil {
		return fmt.Errorf("record case: %w", err)
	}
	return nil
}

// updateCase stores changed case c.
func updateCase(ctx context.Context, tx *store.Tx, c *Case) error {
	data, err := encode(c.stored())
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE msr_cases SET state = ?, joint_org = ?, mofa_orgs = ?, updated_at = ?, data = ? WHERE id = ?`,
		string(c.State), c.JointPoliceOrgID, mofaOrgs(c), store.FormatTime(c.UpdatedAt), data, c.ID); err != nil {
		return fmt.Errorf("update case %s: %w", c.ID, err)
	}
	return nil
}

// loadCase reads case id as stored, if p may see it (p nil: the system,
// which sees every case); otherwise ErrNotFound.
func loadCase(ctx context.Context, q store.Querier, p *auth.Principal, id string) (Case, error) {
	cond, args := "1 = 1", []any(nil)
	if p != nil {
		cond, args = scope(p)
	}
	cs, err := listRecords[Case](ctx, q, "SELECT data FROM msr_cases WHERE id = ? AND "+cond, append([]any{id}, args...)...)
	if err != nil {
		return Case{}, err
	}
	if len(cs) == 0 {
		return Case{}, fmt.Errorf("case %q: %w", textfield.Cut(id, 100), ErrNotFound)
	}
	return cs[0], nil
}

// view fills in the fields of c computed on reads, at now.
func (s *Service) view(ctx context.Context, q store.Querier, c *Case, now time.Time) error {
	os, err := listRecords[Order](ctx, q, "SELECT data FROM msr_orders WHERE case_id = ? ORDER BY issued_at, id", c.ID)
	if err != nil {
		return err
	}
	c.Orders = make([]OrderSummary, 0, len(os))
	for _, o := range os {
		s := OrderSummary{ID: o.ID, Addressee: o.Addressee, IssuedAt: o.IssuedAt, Due: o.Due, Delivered: len(o.Deliveries) > 0, Overdue: orderOverdue(&o, now)}
		if o.Response != nil {
			s.Response = o.Response.Response
		}
		c.Orders = append(c.Orders, s)
	}
	if c.Motions, err = motionsOf(ctx, q, c.ID); err != nil {
		return err
	}
	c.PostNoticeOverdue = postNoticeOverdue(c, now)
	c.Gates = Gates(*c, now)
	return nil
}

// step runs fn on case id inside a transaction, as p, then stores the case
// with its new UpdatedAt and appends action's audit entry on
// measure/ID. fn checks everything and may write other records and send
// notices in tx. It returns the case as p then sees it.
func (s *Service) step(ctx context.Context, p *auth.Principal, id, action string, fn func(tx *store.Tx, c *Case) error) (Case, error) {
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		c, err := loadCase(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if err := fn(tx, &c); err != nil {
			return err
		}
		c.UpdatedAt = s.now()
		if err := updateCase(ctx, tx, &c); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, action, "measure/"+c.ID, c.stored())
	})
	if err != nil {
		return Case{}, err
	}
	return s.Case(ctx, p, id)
}

// officerStep checks that p may take an officer's step on c: the case's
// own officer, designated now, on a case not closed or withdrawn, and
// not a prefectural officer's case on a target abroad (unless
// anyJurisdiction).
func (s *Service) officerStep(ctx context.Context, q store.Querier, p *auth.Principal, c *Case, anyJurisdiction bool) error {
	if !isOfficer(p) || c.OfficerUserID != p.UserID {
		return refuse(CodeNotCaseOfficer, fmt.Sprintf("case %s is officer %s's", c.ID, c.OfficerUserID))
	}
	if _, err := s.requireDesignation(ctx, q, p); err != nil {
		return err
	}
	if c.State.Final() {
		return refuse(CodeCaseClosed, fmt.Sprintf("case %s is %s", c.ID, c.State))
	}
	if !anyJurisdiction {
		if r := requireGates(c, s.now(), GateJurisdiction); r != nil {
			return r
		}
	}
	return nil
}

// checkJointPolice checks that the joint police organisation of in names
// a police organisation.
func (s *Service) checkJointPolice(ctx context.Context, in *CaseInput) error {
	if in.JointPoliceOrgID == "" {
		return nil
	}
	o, err := s.orgs.Org(ctx, in.JointPoliceOrgID)
	if err != nil || o.Kind != auth.OrgPolice {
		return fieldErrorf("joint_police_org_id", "%q is not a police organisation", textfield.Cut(in.JointPoliceOrgID, 100))
	}
	return nil
}

// OpenCase opens a case as a designated officer: police officers on the
// police path, SDF officers on the SDF paths (else wrong_path). The case
// records the officer's organisation and level, which decide its chain of
// command.
func (s *Service) OpenCase(ctx context.Context, p *auth.Principal, in CaseInput) (Case, error) {
	if !isOfficer(p) {
		return Case{}, refuse(CodeNotDesignated, "only designated officers open measure cases")
	}
	var c Case
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		d, err := s.requireDesignation(ctx, tx, p)
		if err != nil {
			return err
		}
		if (d.Level == LevelSDF) != in.Path.SDF() {
			return refuse(CodeWrongPath, fmt.Sprintf("an officer of level %s does not open a case on the %q path", d.Level, cutQ(string(in.Path))))
		}
		if err := checkCaseInput(&in); err != nil {
			return err
		}
		if err := s.checkJointPolice(ctx, &in); err != nil {
			return err
		}
		now := s.now()
		c = Case{ID: newID("msr_"), Path: in.Path, State: StateOpen, OfficerUserID: p.UserID, OfficerOrgID: p.OrgID,
			OfficerLevel: d.Level, DesignationID: d.ID, OpenedAt: now, UpdatedAt: now}
		c.apply(&in)
		if err := insertCase(ctx, tx, &c); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, p, "measure.open", "measure/"+c.ID, c.stored()); err != nil {
			return err
		}
		n := deadline.Notice{Subject: fmt.Sprintf("Measure case %s opened: %s", c.ID, c.Title),
			Body: fmt.Sprintf("Officer %s opened case %s on the %s path. Harm feared: %s", p.Username, c.ID, c.Path, textfield.Cut(c.Harm, 500)),
			Link: "/measures/" + c.ID}
		if c.Path.SDF() {
			return s.notifyKind(ctx, tx, auth.OrgMOD, n)
		}
		n.ToOrg = c.OfficerOrgID
		return s.notify(ctx, tx, n)
	})
	if err != nil {
		return Case{}, err
	}
	return s.Case(ctx, p, c.ID)
}

// apply copies the fields of validated input in to c.
func (c *Case) apply(in *CaseInput) {
	c.Title, c.Targets, c.ObservedTraffic, c.Harm, c.Urgency = in.Title, in.Targets, in.ObservedTraffic, in.Harm, in.Urgency
	c.Proposed, c.ProposedOther, c.Checklist = in.Proposed, in.ProposedOther, in.Checklist
	c.JointPoliceOrgID, c.ProtectedFacility = in.JointPoliceOrgID, in.ProtectedFacility
}

// UpdateCase replaces the officer's statement of case id (everything in
// CaseInput; the path may not change) while nothing binds it: no approval
// requested, no emergency declared, nothing executed (else case_locked).
// A command in force is voided (kept in the history): it was given on the
// statement as it was. The case's own officer only.
func (s *Service) UpdateCase(ctx context.Context, p *auth.Principal, id string, in CaseInput) (Case, error) {
	return s.step(ctx, p, id, "measure.update", func(tx *store.Tx, c *Case) error {
		if err := s.officerStep(ctx, tx, p, c, true); err != nil {
			return err
		}
		if c.Approval != nil || c.Emergency != nil || c.State != StateOpen {
			return refuse(CodeCaseLocked, fmt.Sprintf("case %s: approval requested, emergency declared or a measure taken", c.ID))
		}
		if in.Path == "" {
			in.Path = c.Path
		} else if in.Path != c.Path {
			return fieldErrorf("path", "%q: a case's path does not change (it is %s); open a new case", cutQ(string(in.Path)), c.Path)
		}
		if err := checkCaseInput(&in); err != nil {
			return err
		}
		if err := s.checkJointPolice(ctx, &in); err != nil {
			return err
		}
		c.apply(&in)
		c.voidCommand()
		return nil
	})
}

// Case returns case id with its computed fields, if p may see it;
// otherwise ErrNotFound.
func (s *Service) Case(ctx context.Context, p *auth.Principal, id string) (Case, error) {
	c, err := loadCase(ctx, s.db, nonNil(p), id)
	if err != nil {
		return Case{}, err
	}
	if err := s.view(ctx, s.db, &c, s.now()); err != nil {
		return Case{}, err
	}
	return c, nil
}

// nonNil returns p, or a principal that sees nothing for nil: the public
// reads no case.
func nonNil(p *auth.Principal) *auth.Principal {
	if p == nil {
		return &auth.Principal{}
	}
	return p
}

// Cases lists the cases p may see that match f, newest first, with their
// computed fields.
func (s *Service) Cases(ctx context.Context, p *auth.Principal, f CaseFilter) ([]Case, error) {
	cond, args := scope(nonNil(p))
	q := "SELECT data FROM msr_cases WHERE " + cond
	if f.State != "" {
		q += " AND state = ?"
		args = append(args, string(f.State))
	}
	if f.Path != "" {
		q += " AND path = ?"
		args = append(args, string(f.Path))
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 200
	}
	limit = min(limit, 1000)
	q += fmt.Sprintf(" ORDER BY opened_at DESC, id LIMIT %d", limit)
	return s.listCases(ctx, q, args...)
}

// listCases reads the cases query selects, with their computed fields.
func (s *Service) listCases(ctx context.Context, q string, args ...any) ([]Case, error) {
	cs, err := listRecords[Case](ctx, s.db, q, args...)
	if err != nil {
		return nil, err
	}
	now := s.now()
	for i := range cs {
		if err := s.view(ctx, s.db, &cs[i], now); err != nil {
			return nil, err
		}
	}
	if cs == nil {
		cs = []Case{}
	}
	return cs, nil
}

// WithdrawCase withdraws case id, open with no order issued or measure
// recorded (executing: already_executed), for reason. A pending request
// for approval is withdrawn and its open motion lapses; open deadlines of
// the case are cancelled. The case's own officer only; a prefectural
// officer withdraws a case on a target abroad to hand it to the NPA.
func (s *Service) WithdrawCase(ctx context.Context, p *auth.Principal, id, reason string) (Case, error) {
	return s.step(ctx, p, id, "measure.withdraw", func(tx *store.Tx, c *Case) error {
		if err := s.officerStep(ctx, tx, p, c, true); err != nil {
			return err
		}
		if c.State != StateOpen || c.OrdersIssued > 0 || len(c.Executions) > 0 {
			return refuse(CodeAlreadyExecuted, fmt.Sprintf("case %s is %s", c.ID, c.State))
		}
		reason = strings.TrimSpace(reason)
		if err := textfield.Check("reason", reason, maxText, true); err != nil {
			return err
		}
		now := s.now()
		if c.Approval != nil && c.Approval.State == ApprovalPending {
			c.Approval.State, c.Approval.WithdrawnAt = ApprovalWithdrawn, now
			if err := s.lapseMotions(ctx, tx, p, c.ID); err != nil {
				return err
			}
		}
		if err := s.cancelDeadlines(ctx, tx, c.ID, "case withdrawn"); err != nil {
			return err
		}
		c.State, c.Withdrawal = StateWithdrawn, &Withdrawal{Reason: reason, By: p.UserID, At: now}
		return nil
	})
}

// cancelDeadlines cancels the open or overdue deadlines on case id.
func (s *Service) cancelDeadlines(ctx context.Context, tx *store.Tx, id, reason string) error {
	for _, kind := range []string{KindConsultationDeadline, KindPostNoticeDeadline} {
		ds, err := s.deadlines.List(ctx, deadline.Filter{Subject: "measure/" + id, Kind: kind, States: []deadline.State{deadline.StateOpen, deadline.StateOverdue}, Limit: -1})
		if err != nil {
			return fmt.Errorf("list deadlines of case %s: %w", id, err)
		}
		for _, d := range ds {
			if _, err := s.deadlines.Cancel(ctx, tx, d.ID, reason); err != nil {
				return fmt.Errorf("cancel deadline %s: %w", d.ID, err)
			}
		}
	}
	return nil
}

// CloseCase closes case id with the outcome report: at least one order or
// execution (else nothing_executed: withdraw instead), and after an
// emergency the post-notification filed (else post_notice_required). The
// case's own officer only.
func (s *Service) CloseCase(ctx context.Context, p *auth.Principal, id string, in OutcomeInput) (Case, error) {
	return s.step(ctx, p, id, "measure.close", func(tx *store.Tx, c *Case) error {
		if err := s.officerStep(ctx, tx, p, c, false); err != nil {
			return err
		}
		if c.OrdersIssued == 0 && len(c.Executions) == 0 {
			return refuse(CodeNothingExecuted, fmt.Sprintf("case %s has no order and no execution", c.ID))
		}
		if c.Emergency != nil && c.PostNotice == nil {
			return refuse(CodePostNoticeRequired, fmt.Sprintf("case %s: the post-notification was due at %s", c.ID, stamp(c.Emergency.Due)))
		}
		for _, f := range []struct {
			name string
			s    *string
		}{{"summary", &in.Summary}, {"effect", &in.Effect}, {"third_party_effect", &in.ThirdPartyEffect}} {
			if err := checkText(f.name, f.s, true); err != nil {
				return err
			}
		}
		c.State = StateClosed
		c.Outcome = &Outcome{Summary: in.Summary, Effect: in.Effect, ThirdPartyEffect: in.ThirdPartyEffect, ClosedBy: p.UserID, ClosedAt: s.now()}
		return nil
	})
}

// lapseMotions lapses the open motion on case id, if any.
func (s *Service) lapseMotions(ctx context.Context, tx *store.Tx, p *auth.Principal, caseID string) error {
	ms, err := listRecords[Motion](ctx, tx, "SELECT data FROM msr_motions WHERE case_id = ? AND state = 'open'", caseID)
	if err != nil {
		return err
	}
	for _, m := range ms {
		m.State, m.ClosedAt = oversight.MotionLapsed, s.now()
		if err := saveMotion(ctx, tx, &m); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, p, "measure.motion_lapse", "motion/"+m.ID, m); err != nil {
			return err
		}
	}
	return nil
}
