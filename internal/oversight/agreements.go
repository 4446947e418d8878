package oversight

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/manifest"
	"github.com/acd-platform/acd/internal/selection/criteria"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/textfield"
)

// AgreementState is where an agreement is (ch.3):
//
//	draft ──consultation asked──▶ consultation ──both sides sign──▶ active ──▶ terminated
//	  └──────────────both sides sign─────────────────────────────────┘
//
// Any state but terminated can be terminated; only draft and consultation
// can be edited or signed.
type AgreementState string

// Agreement states.
const (
	AgreementDraft        AgreementState = "draft"
	AgreementConsultation AgreementState = "consultation"
	AgreementActive       AgreementState = "active"
	AgreementTerminated   AgreementState = "terminated"
)

// Side is a party to an agreement.
type Side string

// The two sides of an agreement.
const (
	SideCabinet  Side = "cabinet_office" // the Cabinet Office (analysts)
	SideOperator Side = "operator"       // the operator providing its traffic
)

// AgreementTerms are what the two sides agree on.
type AgreementTerms struct {
	// Title names the agreement, one line.
	Title string `json:"title"`
	// Facilities names the links and facilities whose traffic the
	// operator provides.
	Facilities []string `json:"facilities"`
	// Directions are the direction names in scope; never
	// domestic-domestic.
	Directions []string `json:"directions"`
	// RetentionDays is how long selected records are kept (1 to 3650).
	RetentionDays int `json:"retention_days"`
	// Results says which analysis results go back to the operator.
	Results string `json:"results"`
	// ValidFrom and ValidUntil are the term: the criteria file's window.
	// Left zero on input, they are taken from the file.
	ValidFrom  time.Time `json:"valid_from,omitzero"`
	ValidUntil time.Time `json:"valid_until,omitzero"`
}

// AgreementInput is a draft agreement as either side writes it.
type AgreementInput struct {
	// OperatorOrgID is the operator party: required when the Cabinet
	// Office drafts; on an edit, empty or unchanged.
	OperatorOrgID string `json:"operator_org_id,omitempty"`
	AgreementTerms
	// Criteria is the criteria file (acd.selection.criteria/v1) the
	// selection engine will run on, as a string: its exact bytes are
	// what the agreement's manifest names.
	Criteria string `json:"criteria"`
}

// Agreement is an agreement between the Cabinet Office and an operator to
// provide its traffic for analysis (ch.3).
type Agreement struct {
	ID            string         `json:"id"`
	OperatorOrgID string         `json:"operator_org_id"`
	CabinetOrgID  string         `json:"cabinet_org_id"`
	State         AgreementState `json:"state"`
	// Revision counts edits; a signature is of one revision, and an edit
	// clears both signatures.
	Revision int `json:"revision"`
	AgreementTerms
	CriteriaID      string `json:"criteria_id"`
	CriteriaVersion int    `json:"criteria_version"`
	CriteriaSHA256  string `json:"criteria_sha256"`
	// Signatures of each side of the current revision.
	CabinetSignedBy  string    `json:"cabinet_signed_by,omitempty"`
	CabinetSignedAt  time.Time `json:"cabinet_signed_at,omitzero"`
	OperatorSignedBy string    `json:"operator_signed_by,omitempty"`
	OperatorSignedAt time.Time `json:"operator_signed_at,omitzero"`
	// ApprovalID is the approval (basis ch3) issued when it became active.
	ApprovalID        string    `json:"approval_id,omitempty"`
	CreatedBy         string    `json:"created_by"`
	CreatedAt         time.Time `json:"created_at"`
	UpdatedAt         time.Time `json:"updated_at"`
	ActivatedAt       time.Time `json:"activated_at,omitzero"`
	TerminatedAt      time.Time `json:"terminated_at,omitzero"`
	TerminatedBy      string    `json:"terminated_by,omitempty"`
	TerminationReason string    `json:"termination_reason,omitempty"`
	// Consultations are filled in by Agreement, oldest first.
	Consultations []Consultation `json:"consultations,omitempty"`
}

// ConsultationState is where a consultation is: open until the other side
// answers (accepted or refused), lapsed when the agreement was terminated
// first.
type ConsultationState string

// Consultation states.
const (
	ConsultationOpen     ConsultationState = "open"
	ConsultationAccepted ConsultationState = "accepted"
	ConsultationRefused  ConsultationState = "refused"
	ConsultationLapsed   ConsultationState = "lapsed"
)

// Consultation is one side's request that the other consult on an
// agreement (ch.3: the other side must respond, and may refuse only with a
// reason), with a response deadline kept by the deadline service.
type Consultation struct {
	ID          string            `json:"id"`
	AgreementID string            `json:"agreement_id"`
	From        Side              `json:"from"`
	FromOrg     string            `json:"from_org"`
	ToOrg       string            `json:"to_org"`
	Subject     string            `json:"subject"`
	Text        string            `json:"text"`
	Due         time.Time         `json:"due"`
	State       ConsultationState `json:"state"`
	// Overdue: still open after Due (derived from the clock).
	Overdue     bool      `json:"overdue,omitempty"`
	DeadlineID  string    `json:"deadline_id"`
	RequestedBy string    `json:"requested_by"`
	RequestedAt time.Time `json:"requested_at"`
	// Response is the answer; for a refusal, its reason.
	Response    string    `json:"response,omitempty"`
	RespondedBy string    `json:"responded_by,omitempty"`
	RespondedAt time.Time `json:"responded_at,omitzero"`
}

// ConsultationRequest asks the other side of an agreement to consult.
type ConsultationRequest struct {
	Subject string `json:"subject"`
	Text    string `json:"text"`
	// Due is the response deadline; zero means Config.ConsultationPeriod
	// from now.
	Due time.Time `json:"due,omitzero"`
}

// Answers to a consultation.
const (
	AnswerAccept = "accept"
	AnswerRefuse = "refuse"
)

// ConsultationResponse answers a consultation: Answer is "accept" or
// "refuse"; a refusal needs Text, its reason.
type ConsultationResponse struct {
	Answer string `json:"answer"`
	Text   string `json:"text"`
}

// AgreementFilter selects agreements; empty fields match everything.
type AgreementFilter struct {
	State         AgreementState
	OperatorOrgID string
}

// sideOf returns the side p acts for on a: an operator user of the
// agreement's operator, or an analyst of the Cabinet Office.
func sideOf(p *auth.Principal, a *Agreement) (Side, bool) {
	switch {
	case p == nil || p.Sensor != "":
		return "", false
	case p.Has(auth.RoleOperator) && p.OrgID == a.OperatorOrgID:
		return SideOperator, true
	case isAnalyst(p):
		return SideCabinet, true
	}
	return "", false
}

func canReadAgreement(p *auth.Principal, a *Agreement) bool {
	_, ok := sideOf(p, a)
	return ok || isCommission(p)
}

// writableSide returns p's side of agreement a, ErrNotFound when p may not
// see it and ErrForbidden when p may see it but is no party.
func writableSide(p *auth.Principal, a *Agreement) (Side, error) {
	if side, ok := sideOf(p, a); ok {
		return side, nil
	}
	if canReadAgreement(p, a) {
		return "", fmt.Errorf("only the parties act on agreement %s: %w", a.ID, ErrForbidden)
	}
	return "", fmt.Errorf("agreement %q: %w", a.ID, ErrNotFound)
}

// checkTerms validates in and returns the criteria file's bytes and parse.
func (s *Service) checkTerms(in *AgreementInput) ([]byte, *criteria.Set, error) {
	t := &in.AgreementTerms
	t.Title = strings.TrimSpace(t.Title)
	if err := textfield.CheckLine("title", t.Title, true); err != nil {
		return nil, nil, err
	}
	if err := checkLines("facilities", t.Facilities, 1); err != nil {
		return nil, nil, err
	}
	dirs, err := parseDirections("directions", t.Directions)
	if err != nil {
		return nil, nil, err
	}
	t.Directions = directionNames(dirs)
	if t.RetentionDays < 1 || t.RetentionDays > 3650 {
		return nil, nil, fieldErrorf("retention_days", "%d: want 1 to 3650 days", t.RetentionDays)
	}
	if err := textfield.Check("results", t.Results, maxText, true); err != nil {
		return nil, nil, err
	}
	return s.checkCriteria(in.Criteria, dirs, &t.ValidFrom, &t.ValidUntil)
}

// setCriteria records the identity of the criteria set on a.
func setCriteria(a *Agreement, set *criteria.Set) {
	a.CriteriaID, a.CriteriaVersion, a.CriteriaSHA256 = set.ID, set.Version, hex.EncodeToString(set.SHA256[:])
}

// CreateAgreement records a draft agreement between p's Cabinet Office
// and an operator. Only the Cabinet Office drafts; the operator edits the
// draft, asks to consult and signs.
func (s *Service) CreateAgreement(ctx context.Context, p *auth.Principal, in AgreementInput) (Agreement, error) {
	if !isAnalyst(p) {
		return Agreement{}, fmt.Errorf("the Cabinet Office drafts agreements; an operator asks it to consult: %w", ErrForbidden)
	}
	if in.OperatorOrgID == "" {
		return Agreement{}, fieldErrorf("operator_org_id", "required")
	}
	op, err := s.auth.Org(ctx, in.OperatorOrgID)
	if err != nil || op.Kind != auth.OrgOperator {
		return Agreement{}, fieldErrorf("operator_org_id", "%q is not an operator organisation", cutQ(in.OperatorOrgID))
	}
	crit, set, err := s.checkTerms(&in)
	if err != nil {
		return Agreement{}, err
	}
	now := s.now()
	a := Agreement{ID: newID("agr_"), OperatorOrgID: op.ID, CabinetOrgID: p.OrgID, State: AgreementDraft, Revision: 1,
		AgreementTerms: in.AgreementTerms, CreatedBy: p.UserID, CreatedAt: now, UpdatedAt: now}
	setCriteria(&a, set)
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		data, err := encode(a)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO ovs_agreements (id, operator_org, state, created_at, activated_at, terminated_at, data, criteria)
VALUES (?, ?, ?, ?, '', '', ?, ?)`, a.ID, a.OperatorOrgID, string(a.State), store.FormatTime(now), data, crit); err != nil {
			return fmt.Errorf("record agreement: %w", err)
		}
		if err := s.audit(ctx, tx, p, "agreement.create", "agreement/"+a.ID, a); err != nil {
			return err
		}
		return s.notify(ctx, tx, deadline.Notice{ToOrg: a.OperatorOrgID, Subject: "Draft agreement from the Cabinet Office: " + a.Title,
			Body: "The Cabinet Office drafted an agreement to provide communications information (Act ch.3). Review it, ask to consult or sign.",
			Link: "/agreements/" + a.ID})
	})
	if err != nil {
		return Agreement{}, err
	}
	return a, nil
}

// UpdateAgreement replaces the terms and criteria file of a draft (or in
// consultation) agreement, by either side. The revision goes up and both
// signatures are cleared: each side signs what it read.
func (s *Service) UpdateAgreement(ctx context.Context, p *auth.Principal, id string, in AgreementInput) (Agreement, error) {
	var a Agreement
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		var err error
		if a, err = getAgreement(ctx, tx, id); err != nil {
			return err
		}
		side, err := writableSide(p, &a)
		if err != nil {
			return err
		}
		if a.State != AgreementDraft && a.State != AgreementConsultation {
			return fmt.Errorf("agreement %s is %s: only a draft or one in consultation can be edited: %w", id, a.State, ErrConflict)
		}
		if in.OperatorOrgID != "" && in.OperatorOrgID != a.OperatorOrgID {
			return fieldErrorf("operator_org_id", "the operator party of an agreement cannot change")
		}
		crit, set, err := s.checkTerms(&in)
		if err != nil {
			return err
		}
		a.AgreementTerms = in.AgreementTerms
		setCriteria(&a, set)
		a.Revision++
		a.UpdatedAt = s.now()
		a.CabinetSignedBy, a.CabinetSignedAt, a.OperatorSignedBy, a.OperatorSignedAt = "", time.Time{}, "", time.Time{}
		if err := s.saveAgreement(ctx, tx, &a, crit); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, p, "agreement.update", "agreement/"+a.ID, a); err != nil {
			return err
		}
		return s.notify(ctx, tx, deadline.Notice{ToOrg: a.otherOrg(side), Subject: fmt.Sprintf("Agreement %s revised (revision %d)", a.Title, a.Revision),
			Body: "The other side revised the agreement; any signature was cleared.", Link: "/agreements/" + a.ID})
	})
	if err != nil {
		return Agreement{}, err
	}
	return s.Agreement(ctx, p, id)
}

// otherOrg returns the organisation of the side opposite to side.
func (a *Agreement) otherOrg(side Side) string {
	if side == SideOperator {
		return a.CabinetOrgID
	}
	return a.OperatorOrgID
}

// RequestConsultation asks the other side of agreement id to consult, with
// a response deadline. A draft agreement moves to consultation; an active
// one stays active.
func (s *Service) RequestConsultation(ctx context.Context, p *auth.Principal, id string, in ConsultationRequest) (Consultation, error) {
	in.Subject, in.Text = strings.TrimSpace(in.Subject), strings.TrimSpace(in.Text)
	if err := textfield.CheckLine("subject", in.Subject, true); err != nil {
		return Consultation{}, err
	}
	if err := textfield.Check("text", in.Text, maxText, true); err != nil {
		return Consultation{}, err
	}
	now := s.now()
	if in.Due.IsZero() {
		in.Due = now.Add(s.cfg.ConsultationPeriod)
	}
	if !in.Due.After(now) {
		return Consultation{}, fieldErrorf("due", "%s is not in the future", stamp(in.Due))
	}
	if in.Due.After(now.AddDate(1, 0, 0)) {
		return Consultation{}, fieldErrorf("due", "%s is more than a year away", stamp(in.Due))
	}
	var c Consultation
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		a, err := getAgreement(ctx, tx, id)
		if err != nil {
			return err
		}
		side, err := writableSide(p, &a)
		if err != nil {
			return err
		}
		if a.State == AgreementTerminated {
			return fmt.Errorf("agreement %s is terminated: %w", id, ErrConflict)
		}
		c = Consultation{ID: newID("con_"), AgreementID: a.ID, From: side, FromOrg: p.OrgID, ToOrg: a.otherOrg(side),
			Subject: in.Subject, Text: in.Text, Due: in.Due.UTC(), State: ConsultationOpen, RequestedBy: p.UserID, RequestedAt: now}
		d, err := s.deadlines.Set(ctx, tx, deadline.Deadline{Kind: "agreement.consultation", Subject: "consultation/" + c.ID, Org: c.ToOrg,
			Title:   textfield.Cut("Answer the consultation on agreement "+oneLine(a.Title)+": "+oneLine(c.Subject), 200),
			TitleJA: textfield.Cut("協定に関する協議への回答: "+oneLine(c.Subject), 200), Link: "/agreements/" + a.ID, Due: c.Due})
		if err != nil {
			return err
		}
		c.DeadlineID = d.ID
		if err := s.saveConsultation(ctx, tx, &c, true); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, p, "consultation.request", "consultation/"+c.ID, c); err != nil {
			return err
		}
		if a.State == AgreementDraft {
			a.State, a.UpdatedAt = AgreementConsultation, now
			if err := s.saveAgreement(ctx, tx, &a, nil); err != nil {
				return err
			}
			if err := s.audit(ctx, tx, p, "agreement.consult", "agreement/"+a.ID, a); err != nil {
				return err
			}
		}
		return s.notify(ctx, tx, deadline.Notice{ToOrg: c.ToOrg, Subject: "Consultation requested on agreement " + a.Title + ": " + c.Subject,
			Body: fmt.Sprintf("%s\n\nAnswer by %s. You must respond; a refusal needs a stated reason.", c.Text, stamp(c.Due)),
			Link: "/agreements/" + a.ID})
	})
	if err != nil {
		return Consultation{}, err
	}
	s.deriveConsultation(&c)
	return c, nil
}

// RespondConsultation answers consultation cid of agreement id, by the
// side that was asked: accept, or refuse with a stated reason.
func (s *Service) RespondConsultation(ctx context.Context, p *auth.Principal, id, cid string, in ConsultationResponse) (Consultation, error) {
	in.Text = strings.TrimSpace(in.Text)
	var state ConsultationState
	switch in.Answer {
	case AnswerAccept:
		state = ConsultationAccepted
	case AnswerRefuse:
		state = ConsultationRefused
		if in.Text == "" {
			return Consultation{}, fieldErrorf("text", "a refusal needs a stated reason")
		}
	default:
		return Consultation{}, fieldErrorf("answer", "%q: want accept or refuse", cutQ(in.Answer))
	}
	if err := textfield.Check("text", in.Text, maxText, false); err != nil {
		return Consultation{}, err
	}
	var c Consultation
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		a, err := getAgreement(ctx, tx, id)
		if err != nil {
			return err
		}
		side, err := writableSide(p, &a)
		if err != nil {
			return err
		}
		if c, err = getConsultation(ctx, tx, cid); err != nil || c.AgreementID != a.ID {
			return fmt.Errorf("consultation %q of agreement %s: %w", cid, id, ErrNotFound)
		}
		if c.State != ConsultationOpen {
			return fmt.Errorf("consultation %s is %s, not open: %w", cid, c.State, ErrConflict)
		}
		if side == c.From {
			return fmt.Errorf("consultation %s was asked by the %s side: the other side answers it: %w", cid, c.From, ErrForbidden)
		}
		c.State, c.Response, c.RespondedBy, c.RespondedAt = state, in.Text, p.UserID, s.now()
		if err := s.saveConsultation(ctx, tx, &c, false); err != nil {
			return err
		}
		if _, err := s.deadlines.Meet(ctx, tx, c.DeadlineID); err != nil && !errors.Is(err, deadline.ErrClosed) {
			return err
		}
		if err := s.audit(ctx, tx, p, "consultation.respond", "consultation/"+c.ID, c); err != nil {
			return err
		}
		return s.notify(ctx, tx, deadline.Notice{ToOrg: c.FromOrg, Subject: fmt.Sprintf("Consultation %s on agreement %s: %s", c.Subject, a.Title, in.Answer),
			Body: c.Response, Link: "/agreements/" + a.ID})
	})
	if err != nil {
		return Consultation{}, err
	}
	s.deriveConsultation(&c)
	return c, nil
}

// SignAgreement records p's side's signature of revision of agreement id.
// When both sides have signed, the agreement becomes active and an
// approval with basis ch3 is issued with its signed manifest. Signing is
// refused while a consultation is open, after the term has ended, and for
// any revision but the current one (the other side may have edited it).
func (s *Service) SignAgreement(ctx context.Context, p *auth.Principal, id string, revision int) (Agreement, error) {
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		a, err := getAgreement(ctx, tx, id)
		if err != nil {
			return err
		}
		side, err := writableSide(p, &a)
		if err != nil {
			return err
		}
		now := s.now()
		switch {
		case a.State != AgreementDraft && a.State != AgreementConsultation:
			return fmt.Errorf("agreement %s is %s: only a draft or one in consultation can be signed: %w", id, a.State, ErrConflict)
		case revision != a.Revision:
			return fmt.Errorf("agreement %s is at revision %d, not %d: read it again before signing: %w", id, a.Revision, revision, ErrConflict)
		case !now.Before(a.ValidUntil):
			return fmt.Errorf("agreement %s's term ended at %s: revise it first: %w", id, stamp(a.ValidUntil), ErrConflict)
		case side == SideCabinet && a.CabinetSignedBy != "", side == SideOperator && a.OperatorSignedBy != "":
			return fmt.Errorf("the %s side has already signed revision %d of agreement %s: %w", side, a.Revision, id, ErrConflict)
		}
		open, err := s.openConsultations(ctx, tx, a.ID)
		if err != nil {
			return err
		}
		if len(open) > 0 {
			return fmt.Errorf("consultation %s on agreement %s is open: it must be answered first: %w", open[0], id, ErrConflict)
		}
		if side == SideCabinet {
			a.CabinetSignedBy, a.CabinetSignedAt = p.UserID, now
		} else {
			a.OperatorSignedBy, a.OperatorSignedAt = p.UserID, now
		}
		a.UpdatedAt = now
		if err := s.saveAgreement(ctx, tx, &a, nil); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, p, "agreement.sign", "agreement/"+a.ID, a); err != nil {
			return err
		}
		if a.CabinetSignedBy == "" || a.OperatorSignedBy == "" {
			return s.notify(ctx, tx, deadline.Notice{ToOrg: a.otherOrg(side), Subject: "Agreement " + a.Title + " signed by the other side",
				Body: fmt.Sprintf("The %s side signed revision %d. It becomes active when you sign it too.", side, a.Revision), Link: "/agreements/" + a.ID})
		}
		return s.activate(ctx, tx, p, &a)
	})
	if err != nil {
		return Agreement{}, err
	}
	return s.Agreement(ctx, p, id)
}

// activate makes a signed agreement active and issues its approval.
func (s *Service) activate(ctx context.Context, tx *store.Tx, p *auth.Principal, a *Agreement) error {
	crit, err := agreementCriteria(ctx, tx, a.ID)
	if err != nil {
		return err
	}
	now := s.now()
	apv, err := s.issueApproval(ctx, tx, p, Approval{Basis: manifest.BasisAgreement, AgreementID: a.ID, OperatorOrgID: a.OperatorOrgID,
		RetentionDays: a.RetentionDays, Facilities: a.Facilities, DecidedAt: now}, crit)
	if err != nil {
		return err
	}
	a.State, a.ActivatedAt, a.ApprovalID, a.UpdatedAt = AgreementActive, now, apv.ID, now
	if err := s.saveAgreement(ctx, tx, a, nil); err != nil {
		return err
	}
	if err := s.audit(ctx, tx, p, "agreement.activate", "agreement/"+a.ID, a); err != nil {
		return err
	}
	for _, org := range []string{a.OperatorOrgID, a.CabinetOrgID} {
		if err := s.notify(ctx, tx, deadline.Notice{ToOrg: org, Subject: "Agreement " + a.Title + " is active",
			Body: fmt.Sprintf("Both sides signed. Approval %s (basis ch3) is issued, valid from %s until %s.", apv.ID, stamp(apv.ValidFrom), stamp(apv.ValidUntil)),
			Link: "/agreements/" + a.ID}); err != nil {
			return err
		}
	}
	return nil
}

// TerminateAgreement ends agreement id, by either side, with a reason. Its
// open consultations lapse and its approval, if any, is revoked (with its
// sensor tokens).
func (s *Service) TerminateAgreement(ctx context.Context, p *auth.Principal, id, reason string) (Agreement, error) {
	reason = strings.TrimSpace(reason)
	if err := textfield.Check("reason", reason, maxText, true); err != nil {
		return Agreement{}, err
	}
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		a, err := getAgreement(ctx, tx, id)
		if err != nil {
			return err
		}
		side, err := writableSide(p, &a)
		if err != nil {
			return err
		}
		if a.State == AgreementTerminated {
			return fmt.Errorf("agreement %s was already terminated at %s: %w", id, stamp(a.TerminatedAt), ErrConflict)
		}
		now := s.now()
		open, err := s.openConsultations(ctx, tx, a.ID)
		if err != nil {
			return err
		}
		for _, cid := range open {
			c, err := getConsultation(ctx, tx, cid)
			if err != nil {
				return err
			}
			c.State = ConsultationLapsed
			if err := s.saveConsultation(ctx, tx, &c, false); err != nil {
				return err
			}
			if _, err := s.deadlines.Cancel(ctx, tx, c.DeadlineID, "agreement terminated"); err != nil && !errors.Is(err, deadline.ErrClosed) {
				return err
			}
			if err := s.audit(ctx, tx, p, "consultation.lapse", "consultation/"+c.ID, c); err != nil {
				return err
			}
		}
		a.State, a.TerminatedAt, a.TerminatedBy, a.TerminationReason, a.UpdatedAt = AgreementTerminated, now, p.UserID, reason, now
		if err := s.saveAgreement(ctx, tx, &a, nil); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, p, "agreement.terminate", "agreement/"+a.ID, a); err != nil {
			return err
		}
		if a.ApprovalID != "" {
			apv, err := getApproval(ctx, tx, a.ApprovalID)
			if err != nil {
				return err
			}
			if apv.State != ApprovalRevoked {
				if err := s.revokeApproval(ctx, tx, p, apv, "agreement terminated: "+reason); err != nil {
					return err
				}
			}
		}
		return s.notify(ctx, tx, deadline.Notice{ToOrg: a.otherOrg(side), Subject: "Agreement " + a.Title + " terminated",
			Body: fmt.Sprintf("The %s side terminated the agreement: %s", side, reason), Link: "/agreements/" + a.ID})
	})
	if err != nil {
		return Agreement{}, err
	}
	return s.Agreement(ctx, p, id)
}

// Agreement returns agreement id with its consultations, if p may see it:
// the parties and the commission.
func (s *Service) Agreement(ctx context.Context, p *auth.Principal, id string) (Agreement, error) {
	a, err := getAgreement(ctx, s.db, id)
	if err != nil {
		return Agreement{}, err
	}
	if !canReadAgreement(p, &a) {
		return Agreement{}, fmt.Errorf("agreement %q: %w", id, ErrNotFound)
	}
	rows, err := s.db.Query(ctx, "SELECT data FROM ovs_consultations WHERE agreement_id = ? ORDER BY requested_at, id", id)
	if err != nil {
		return Agreement{}, fmt.Errorf("list consultations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var data string
		var c Consultation
		if err := rows.Scan(&data); err != nil {
			return Agreement{}, fmt.Errorf("list consultations: %w", err)
		}
		if err := decode(data, &c); err != nil {
			return Agreement{}, err
		}
		s.deriveConsultation(&c)
		a.Consultations = append(a.Consultations, c)
	}
	return a, rows.Err()
}

// Agreements returns the agreements p may see that match f, newest first,
// without their consultations.
func (s *Service) Agreements(ctx context.Context, p *auth.Principal, f AgreementFilter) ([]Agreement, error) {
	q := "SELECT data FROM ovs_agreements WHERE 1 = 1"
	var args []any
	if f.State != "" {
		q += " AND state = ?"
		args = append(args, string(f.State))
	}
	if f.OperatorOrgID != "" {
		q += " AND operator_org = ?"
		args = append(args, f.OperatorOrgID)
	}
	if !isAnalyst(p) && !isCommission(p) {
		if p == nil || !p.Has(auth.RoleOperator) {
			return nil, nil
		}
		q += " AND operator_org = ?"
		args = append(args, p.OrgID)
	}
	rows, err := s.db.Query(ctx, q+" ORDER BY created_at DESC, id LIMIT 5000", args...)
	if err != nil {
		return nil, fmt.Errorf("list agreements: %w", err)
	}
	defer rows.Close()
	var out []Agreement
	for rows.Next() {
		var data string
		var a Agreement
		if err := rows.Scan(&data); err != nil {
			return nil, fmt.Errorf("list agreements: %w", err)
		}
		if err := decode(data, &a); err != nil {
			return nil, err
		}
		if canReadAgreement(p, &a) {
			out = append(out, a)
		}
	}
	return out, rows.Err()
}

// AgreementCriteria returns the exact bytes of agreement id's criteria
// file, if p may see the agreement.
func (s *Service) AgreementCriteria(ctx context.Context, p *auth.Principal, id string) ([]byte, error) {
	a, err := getAgreement(ctx, s.db, id)
	if err != nil {
		return nil, err
	}
	if !canReadAgreement(p, &a) {
		return nil, fmt.Errorf("agreement %q: %w", id, ErrNotFound)
	}
	return agreementCriteria(ctx, s.db, id)
}

func (s *Service) deriveConsultation(c *Consultation) {
	c.Overdue = c.State == ConsultationOpen && s.now().After(c.Due)
}

// storage

func getAgreement(ctx context.Context, q store.Querier, id string) (Agreement, error) {
	return getRecord[Agreement](ctx, q, "ovs_agreements", "agreement", id)
}

func agreementCriteria(ctx context.Context, q store.Querier, id string) ([]byte, error) {
	return readCriteria(ctx, q, "ovs_agreements", "agreement", id)
}

// saveAgreement writes a; crit, when not nil, replaces the criteria file.
func (s *Service) saveAgreement(ctx context.Context, tx *store.Tx, a *Agreement, crit []byte) error {
	a.Consultations = nil
	data, err := encode(a)
	if err != nil {
		return err
	}
	q := "UPDATE ovs_agreements SET state = ?, activated_at = ?, terminated_at = ?, data = ?"
	args := []any{string(a.State), fmtTime(a.ActivatedAt), fmtTime(a.TerminatedAt), data}
	if crit != nil {
		q += ", criteria = ?"
		args = append(args, crit)
	}
	if _, err := tx.Exec(ctx, q+" WHERE id = ?", append(args, a.ID)...); err != nil {
		return fmt.Errorf("update agreement %s: %w", a.ID, err)
	}
	return nil
}

func getConsultation(ctx context.Context, q store.Querier, id string) (Consultation, error) {
	return getRecord[Consultation](ctx, q, "ovs_consultations", "consultation", id)
}

func (s *Service) saveConsultation(ctx context.Context, tx *store.Tx, c *Consultation, insert bool) error {
	c.Overdue = false
	data, err := encode(c)
	if err != nil {
		return err
	}
	if insert {
		_, err = tx.Exec(ctx, "INSERT INTO ovs_consultations (id, agreement_id, state, requested_at, data) VALUES (?, ?, ?, ?, ?)",
			c.ID, c.AgreementID, string(c.State), store.FormatTime(c.RequestedAt), data)
	} else {
		_, err = tx.Exec(ctx, "UPDATE ovs_consultations SET state = ?, data = ? WHERE id = ?", string(c.State), data, c.ID)
	}
	if err != nil {
		return fmt.Errorf("record consultation %s: %w", c.ID, err)
	}
	return nil
}

// openConsultations returns the ids of agreement id's open consultations.
func (s *Service) openConsultations(ctx context.Context, tx *store.Tx, id string) ([]string, error) {
	rows, err := tx.Query(ctx, "SELECT id FROM ovs_consultations WHERE agreement_id = ? AND state = 'open' ORDER BY requested_at, id", id)
	if err != nil {
		return nil, fmt.Errorf("list consultations: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var cid string
		if err := rows.Scan(&cid); err != nil {
			return nil, err
		}
		out = append(out, cid)
	}
	return out, rows.Err()
}
