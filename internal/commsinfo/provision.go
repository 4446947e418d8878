package commsinfo

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/store"
)

// Legal bases of a provision. §23 lets selected records (and what is
// drawn from them) go only to an agency asked to help analyse (§27), an
// agency taking a measure, and the operator party of the agreement under
// which they were selected; ch.8 adds analysis information to agencies
// (§28) and foreign governments (§39), whose checkers the sharing
// capability registers with RegisterBasis.
const (
	BasisCooperation = "§23/§27"       // an accepted §27 cooperation request
	BasisMeasure     = "§23/measure"   // an active measure case
	BasisAgreement   = "§23/agreement" // the agreement's operator party, its own records
	BasisAnalysis    = "§28"           // analysis information to agencies
	BasisForeign     = "§39"           // to foreign governments
)

// Recipient kinds of a provision.
const (
	RecipientAgencyCooperation = "agency_cooperation" // an agency helping under §27
	RecipientAgencyMeasure     = "agency_measure"     // an agency taking a measure
	RecipientAgreementOperator = "agreement_operator" // the operator party of an agreement (ch.3)
	RecipientAgency            = "agency"             // another agency (§28)
	RecipientForeignGovernment = "foreign_government" // a foreign government (§39)
)

// RecipientKinds lists every recipient kind.
var RecipientKinds = []string{RecipientAgencyCooperation, RecipientAgencyMeasure, RecipientAgreementOperator, RecipientAgency, RecipientForeignGovernment}

// ProvisionRequest asks to provide selected records and/or findings to a
// recipient under a legal basis.
type ProvisionRequest struct {
	// RecipientOrgID is the receiving organisation; required except for a
	// foreign government, which may be named by RecipientName alone.
	RecipientOrgID string `json:"recipient_org_id,omitempty"`
	RecipientName  string `json:"recipient_name,omitempty"`
	RecipientKind  string `json:"recipient_kind"`
	Basis          string `json:"basis"`
	// Reference is what the basis rests on: the cooperation request id
	// (BasisCooperation), the measure case id (BasisMeasure), optionally
	// the agreement id (BasisAgreement).
	Reference string `json:"reference,omitempty"`
	Purpose   string `json:"purpose"`
	// What is provided: the selected records a query matches, or records
	// by id, and/or findings.
	Query      *RecordQuery `json:"query,omitempty"`
	RecordIDs  []string     `json:"record_ids,omitempty"`
	FindingIDs []string     `json:"finding_ids,omitempty"`
}

// Provision is the record of one provision (§23, §28, §39).
type Provision struct {
	ID             string       `json:"id"`
	ProviderUserID string       `json:"provider_user_id"`
	ProviderOrgID  string       `json:"provider_org_id"`
	RecipientOrgID string       `json:"recipient_org_id,omitempty"`
	RecipientName  string       `json:"recipient_name,omitempty"`
	RecipientKind  string       `json:"recipient_kind"`
	Basis          string       `json:"basis"`
	Reference      string       `json:"reference,omitempty"`
	Purpose        string       `json:"purpose"`
	Query          *RecordQuery `json:"query,omitempty"`
	RecordIDs      []string     `json:"record_ids,omitempty"`
	FindingIDs     []string     `json:"finding_ids,omitempty"`
	// Approvals under which the provided records were selected, directly
	// or through the findings' sources.
	Approvals []string `json:"approvals"`
	// RecordCount is how many selected records were provided.
	RecordCount  int       `json:"record_count"`
	FindingCount int       `json:"finding_count"`
	CreatedAt    time.Time `json:"created_at"`
}

// BasisRequest is what a BasisChecker judges: a provision about to be made.
type BasisRequest struct {
	Provider       *auth.Principal
	Basis          string
	RecipientKind  string
	RecipientOrgID string
	// Recipient is the receiving organisation; zero when RecipientOrgID is
	// empty.
	Recipient     auth.Org
	RecipientName string
	Reference     string
	Purpose       string
	// Approvals are those under which every provided record was selected,
	// directly or through the findings' sources.
	Approvals   []ApprovalInfo
	RecordCount int
	Findings    []Finding
}

// BasisChecker decides whether a provision has its legal basis. CheckBasis
// returns nil when it has, and otherwise an error whose text says why not;
// the Service then refuses the provision and records the attempt.
type BasisChecker interface {
	CheckBasis(ctx context.Context, r *BasisRequest) error
}

// BasisFunc adapts a function to a BasisChecker.
type BasisFunc func(ctx context.Context, r *BasisRequest) error

// CheckBasis calls f.
func (f BasisFunc) CheckBasis(ctx context.Context, r *BasisRequest) error { return f(ctx, r) }

// RegisterBasis adds the checker of a legal basis (the sharing capability
// registers §28 and §39). A basis with no checker is refused. It is an
// error to register a basis twice.
func (s *Service) RegisterBasis(basis string, c BasisChecker) error {
	if basis == "" || c == nil {
		return errors.New("register basis: basis and checker are required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.bases[basis]; ok {
		return fmt.Errorf("register basis %q: already registered", basis)
	}
	s.bases[basis] = c
	return nil
}

// Bases lists the legal bases with a registered checker.
func (s *Service) Bases() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.bases))
	for b := range s.bases {
		out = append(out, b)
	}
	sort.Strings(out)
	return out
}

func (s *Service) checker(basis string) BasisChecker {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bases[basis]
}

// Provide provides selected records and/or findings to a recipient: the
// only way selected records leave for another organisation (§23). The
// basis's checker must accept it; otherwise the attempt is refused with a
// *RefusedError (wrapping ErrRefused) and recorded — a "provision.refused"
// audit entry with the recipient, the basis claimed and the reason — in a
// transaction of its own. A valid provision is stored with the records it
// provided and one "provision.create" audit entry. Records of quarantined
// or pending runs can never be provided.
func (s *Service) Provide(ctx context.Context, p *auth.Principal, req ProvisionRequest) (Provision, error) {
	if !isUser(p) {
		return Provision{}, forbiddenf("provisions are made by users")
	}
	if err := checkText("purpose", req.Purpose, maxAssessment, true); err != nil {
		return Provision{}, err
	}
	if req.Basis == "" {
		return Provision{}, fieldErrorf("basis", "required: the legal basis (%s)", strings.Join(s.Bases(), ", "))
	}
	if len(req.Basis) > 40 || len(req.Reference) > 200 || len(req.RecipientOrgID) > 200 {
		return Provision{}, fieldErrorf("basis", "basis, reference or recipient too long")
	}
	if !slices.Contains(RecipientKinds, req.RecipientKind) {
		return Provision{}, fieldErrorf("recipient_kind", "%q: want one of %s", req.RecipientKind, strings.Join(RecipientKinds, ", "))
	}
	if err := checkText("recipient_name", req.RecipientName, 200, false); err != nil {
		return Provision{}, err
	}
	if req.RecipientOrgID == "" && (req.RecipientKind != RecipientForeignGovernment || strings.TrimSpace(req.RecipientName) == "") {
		return Provision{}, fieldErrorf("recipient_org_id", "required (only a foreign government may be named by recipient_name alone)")
	}
	if req.Query == nil && len(req.RecordIDs) == 0 && len(req.FindingIDs) == 0 {
		return Provision{}, fieldErrorf("query", "nothing to provide: give a query, record_ids or finding_ids")
	}
	if req.Query != nil && len(req.RecordIDs) > 0 {
		return Provision{}, fieldErrorf("record_ids", "give a query or record_ids, not both")
	}
	if len(req.FindingIDs) > maxList {
		return Provision{}, fieldErrorf("finding_ids", "%d entries, at most %d", len(req.FindingIDs), maxList)
	}
	var recs resolved
	var err error
	switch {
	case req.Query != nil:
		if err := req.Query.normalize("query."); err != nil {
			return Provision{}, err
		}
		if recs, err = s.resolveQuery(ctx, *req.Query, "query", s.cfg.MaxProvisionRecords); err != nil {
			return Provision{}, err
		}
	case len(req.RecordIDs) > 0:
		if recs, err = s.resolveIDs(ctx, req.RecordIDs, "record_ids", s.cfg.MaxProvisionRecords); err != nil {
			return Provision{}, err
		}
	}
	req.FindingIDs = distinct(req.FindingIDs)
	var findings []Finding
	approvalIDs := slices.Clone(recs.approvals)
	for i, id := range req.FindingIDs {
		f, err := s.Finding(ctx, id)
		if errors.Is(err, ErrNotFound) {
			return Provision{}, fieldErrorf(fmt.Sprintf("finding_ids[%d]", i), "no finding %q", id)
		}
		if err != nil {
			return Provision{}, err
		}
		findings = append(findings, f)
		approvalIDs = append(approvalIDs, f.Approvals...)
	}
	approvalIDs = distinct(approvalIDs)
	if approvalIDs == nil {
		approvalIDs = []string{}
	}

	br := &BasisRequest{Provider: p, Basis: req.Basis, RecipientKind: req.RecipientKind, RecipientOrgID: req.RecipientOrgID,
		RecipientName: strings.TrimSpace(req.RecipientName), Reference: req.Reference, Purpose: req.Purpose,
		RecordCount: len(recs.keys), Findings: findings}
	reason := ""
	if req.RecipientOrgID != "" {
		org, err := s.orgs.Org(ctx, req.RecipientOrgID)
		if err != nil {
			reason = fmt.Sprintf("unknown recipient organisation %q", req.RecipientOrgID)
		}
		br.Recipient = org
	}
	for _, id := range approvalIDs {
		if reason != "" {
			break
		}
		a, err := s.approval(ctx, id)
		if errors.Is(err, ErrNotFound) {
			reason = fmt.Sprintf("approval %q of the provided records is unknown", id)
			break
		}
		if err != nil {
			return Provision{}, err
		}
		br.Approvals = append(br.Approvals, a)
	}
	if reason == "" {
		c := s.checker(req.Basis)
		if c == nil {
			reason = fmt.Sprintf("no legal basis %q is known (known: %s)", req.Basis, strings.Join(s.Bases(), ", "))
		} else if err := c.CheckBasis(ctx, br); err != nil {
			reason = err.Error()
		}
	}
	if reason != "" {
		if err := s.refuse(ctx, p, req, len(recs.keys), approvalIDs, reason); err != nil {
			return Provision{}, err
		}
		return Provision{}, &RefusedError{Basis: req.Basis, Reason: reason}
	}

	pv := Provision{ID: newID("prv_"), ProviderUserID: p.UserID, ProviderOrgID: p.OrgID, RecipientOrgID: req.RecipientOrgID,
		RecipientName: br.RecipientName, RecipientKind: req.RecipientKind, Basis: req.Basis, Reference: req.Reference,
		Purpose: req.Purpose, Query: req.Query, RecordIDs: req.RecordIDs, FindingIDs: req.FindingIDs, Approvals: approvalIDs,
		RecordCount: len(recs.keys), FindingCount: len(findings), CreatedAt: s.now()}
	if pv.RecipientName == "" {
		pv.RecipientName = br.Recipient.Name
	}
	data, err := marshal(pv)
	if err != nil {
		return Provision{}, err
	}
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO ci_provisions (id, recipient_org, recipient_kind, basis, data, created_at) VALUES (?, ?, ?, ?, ?, ?)",
			pv.ID, pv.RecipientOrgID, pv.RecipientKind, pv.Basis, data, store.FormatTime(pv.CreatedAt)); err != nil {
			return errorf("store provision: %w", err)
		}
		for _, k := range recs.keys {
			if _, err := tx.Exec(ctx, "INSERT INTO ci_provision_records (provision_id, run_id, seq) VALUES (?, ?, ?)", pv.ID, k.run, k.seq); err != nil {
				return errorf("store provision: %w", err)
			}
		}
		return s.audit(ctx, tx, p, "provision.create", "provision/"+pv.ID, map[string]any{
			"recipient_org": pv.RecipientOrgID, "recipient_name": pv.RecipientName, "recipient_kind": pv.RecipientKind,
			"basis": pv.Basis, "reference": pv.Reference, "purpose": pv.Purpose, "query": pv.Query, "record_ids": pv.RecordIDs,
			"finding_ids": pv.FindingIDs, "approvals": pv.Approvals, "record_count": pv.RecordCount,
		})
	})
	if err != nil {
		return Provision{}, err
	}
	s.logger.Info("provision made", "provision", pv.ID, "recipient", pv.RecipientOrgID, "basis", pv.Basis, "records", pv.RecordCount, "findings", pv.FindingCount)
	return pv, nil
}

// refuse records a refused provision attempt in a transaction of its own.
func (s *Service) refuse(ctx context.Context, p *auth.Principal, req ProvisionRequest, records int, approvals []string, reason string) error {
	id := newID("ref_")
	actor, _ := actorOf(p)
	now := s.now()
	err := s.db.Tx(context.WithoutCancel(ctx), func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO ci_refusals (id, recipient_org, recipient_kind, basis, reason, actor, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
			id, req.RecipientOrgID, req.RecipientKind, req.Basis, clip(reason, 2000), actor, store.FormatTime(now)); err != nil {
			return errorf("record refused provision: %w", err)
		}
		return s.audit(ctx, tx, p, "provision.refused", "provision_attempt/"+id, map[string]any{
			"recipient_org": req.RecipientOrgID, "recipient_name": req.RecipientName, "recipient_kind": req.RecipientKind,
			"basis": req.Basis, "reference": req.Reference, "reason": reason, "record_count": records,
			"finding_ids": req.FindingIDs, "approvals": approvals,
		})
	})
	if err != nil {
		return err
	}
	s.logger.Warn("provision refused", "attempt", id, "recipient", req.RecipientOrgID, "basis", req.Basis, "reason", reason)
	return nil
}

// Refusal is a refused provision attempt.
type Refusal struct {
	ID             string    `json:"id"`
	RecipientOrgID string    `json:"recipient_org_id,omitempty"`
	RecipientKind  string    `json:"recipient_kind"`
	Basis          string    `json:"basis"`
	Reason         string    `json:"reason"`
	Actor          string    `json:"actor"`
	At             time.Time `json:"at"`
}

// Refusals lists refused provision attempts in [from, to) (zero bounds do
// not bound), newest first, at most 1000.
func (s *Service) Refusals(ctx context.Context, from, to time.Time) ([]Refusal, error) {
	q := "SELECT id, recipient_org, recipient_kind, basis, reason, actor, at FROM ci_refusals WHERE 1 = 1"
	var args []any
	if !from.IsZero() {
		q += " AND at >= ?"
		args = append(args, store.FormatTime(from))
	}
	if !to.IsZero() {
		q += " AND at < ?"
		args = append(args, store.FormatTime(to))
	}
	rows, err := s.db.Query(ctx, q+" ORDER BY at DESC, id LIMIT 1000", args...)
	if err != nil {
		return nil, errorf("list refusals: %w", err)
	}
	defer rows.Close()
	out := []Refusal{}
	for rows.Next() {
		var r Refusal
		var at string
		if err := rows.Scan(&r.ID, &r.RecipientOrgID, &r.RecipientKind, &r.Basis, &r.Reason, &r.Actor, &at); err != nil {
			return nil, errorf("list refusals: %w", err)
		}
		r.At, _ = store.ParseTime(at)
		out = append(out, r)
	}
	return out, rows.Err()
}

// wantKind refuses a basis used for another kind of recipient.
func wantKind(r *BasisRequest, kind string) error {
	if r.RecipientKind != kind {
		return fmt.Errorf("basis %s is for recipient kind %s, not %s", r.Basis, kind, r.RecipientKind)
	}
	return nil
}

// checkCooperation: §23 with §27 — the recipient is the agency of an
// accepted, not ended cooperation request, and the records are within
// its scope when the scope names approvals.
func (s *Service) checkCooperation(ctx context.Context, r *BasisRequest) error {
	if err := wantKind(r, RecipientAgencyCooperation); err != nil {
		return err
	}
	if r.Reference == "" {
		return errors.New("no cooperation request: name the accepted §27 request in reference")
	}
	c, err := s.cooperation(ctx, s.db, r.Reference)
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("no cooperation request %q", r.Reference)
	}
	if err != nil {
		return err
	}
	if c.RecipientOrgID != r.RecipientOrgID {
		return fmt.Errorf("cooperation request %s was made to another organisation", c.ID)
	}
	if c.State != CoopAccepted {
		return fmt.Errorf("cooperation request %s is %s, not accepted", c.ID, c.State)
	}
	if len(c.Scope.Approvals) > 0 {
		for _, a := range r.Approvals {
			if !slices.Contains(c.Scope.Approvals, a.ID) {
				return fmt.Errorf("records selected under approval %s are outside the scope of cooperation request %s (approvals %s)",
					a.ID, c.ID, strings.Join(c.Scope.Approvals, ", "))
			}
		}
	}
	return nil
}

// checkMeasure: §23 — the recipient is an agency taking a measure in an
// active case.
func (s *Service) checkMeasure(ctx context.Context, r *BasisRequest) error {
	if err := wantKind(r, RecipientAgencyMeasure); err != nil {
		return err
	}
	if s.measures == nil {
		return errors.New("no measure case: measure cases are not available to this service")
	}
	if r.Reference == "" {
		return errors.New("no measure case: name the case in reference")
	}
	if err := s.measures.ActiveCase(ctx, r.Reference, r.RecipientOrgID); err != nil {
		return fmt.Errorf("no measure case %q for this recipient: %v", r.Reference, err)
	}
	return nil
}

// checkAgreement: ch.3 — the operator party of an agreement receives the
// records selected under its own agreement, and nothing else.
func (s *Service) checkAgreement(ctx context.Context, r *BasisRequest) error {
	if err := wantKind(r, RecipientAgreementOperator); err != nil {
		return err
	}
	if len(r.Approvals) == 0 {
		return errors.New("the agreement basis covers only records selected under the operator's own agreement, and none are provided")
	}
	for _, a := range r.Approvals {
		switch {
		case a.Basis != ApprovalAgreement:
			return fmt.Errorf("records selected under approval %s (%s) were not selected under an agreement", a.ID, a.Basis)
		case a.OperatorOrgID != r.RecipientOrgID:
			return fmt.Errorf("records selected under agreement %s belong to another operator", a.AgreementID)
		case r.Reference != "" && a.AgreementID != r.Reference:
			return fmt.Errorf("records selected under agreement %s, not the agreement %s named", a.AgreementID, r.Reference)
		}
	}
	return nil
}

// canSeeProvision: analysts and the commission see every provision,
// others those addressed to their organisation.
func canSeeProvision(p *auth.Principal, pv Provision) bool {
	return seesAll(p) || p.OrgID != "" && p.OrgID == pv.RecipientOrgID
}

// Provision returns one provision the caller may see.
func (s *Service) Provision(ctx context.Context, p *auth.Principal, id string) (Provision, error) {
	if !isUser(p) {
		return Provision{}, notFoundf("provision %q", id)
	}
	var data string
	err := s.db.QueryRow(ctx, "SELECT data FROM ci_provisions WHERE id = ?", id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return Provision{}, notFoundf("provision %q", id)
	}
	if err != nil {
		return Provision{}, errorf("read provision %q: %w", id, err)
	}
	var pv Provision
	if err := json.Unmarshal([]byte(data), &pv); err != nil {
		return Provision{}, errorf("read provision %q: %w", id, err)
	}
	if !canSeeProvision(p, pv) {
		return Provision{}, notFoundf("provision %q", id)
	}
	return pv, nil
}

// ProvisionFilter selects provisions; zero fields do not filter.
type ProvisionFilter struct {
	RecipientOrgID string
	Basis          string
	Limit          int // at most 1000; default 100
}

// Provisions lists the provisions the caller may see, newest first:
// analysts and the commission all, recipients those addressed to them.
func (s *Service) Provisions(ctx context.Context, p *auth.Principal, f ProvisionFilter) ([]Provision, error) {
	if !isUser(p) {
		return []Provision{}, nil
	}
	q := "SELECT data FROM ci_provisions WHERE 1 = 1"
	var args []any
	if !seesAll(p) {
		q += " AND recipient_org = ?"
		args = append(args, p.OrgID)
	}
	if f.RecipientOrgID != "" {
		q += " AND recipient_org = ?"
		args = append(args, f.RecipientOrgID)
	}
	if f.Basis != "" {
		q += " AND basis = ?"
		args = append(args, f.Basis)
	}
	q += " ORDER BY created_at DESC, id LIMIT ?"
	args = append(args, limit(f.Limit, 100, 1000))
	rows, err := s.db.Query(ctx, q, args...)
	if err != nil {
		return nil, errorf("list provisions: %w", err)
	}
	defer rows.Close()
	out := []Provision{}
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, errorf("list provisions: %w", err)
		}
		var pv Provision
		if err := json.Unmarshal([]byte(data), &pv); err != nil {
			return nil, errorf("list provisions: %w", err)
		}
		out = append(out, pv)
	}
	return out, rows.Err()
}

// ProvidedRecords returns a page of the records a provision provided (as
// long as retention keeps them), to its recipient or to analysts and the
// commission; each read is an audit-log entry ("provision.read").
func (s *Service) ProvidedRecords(ctx context.Context, p *auth.Principal, id string, pg Page) (RecordPage, error) {
	pv, err := s.Provision(ctx, p, id)
	if err != nil {
		return RecordPage{}, err
	}
	out, err := s.page(ctx, RecordQuery{}, pg, pv.ID)
	if err != nil {
		return RecordPage{}, err
	}
	if err := s.auditRead(ctx, p, "provision.read", "provision/"+pv.ID, map[string]any{"cursor": pg.Cursor, "count": len(out.Records)}); err != nil {
		return RecordPage{}, errorf("audit read: %w", err)
	}
	return out, nil
}

// ProvidedFindings returns the findings a provision provided, to its
// recipient or to analysts and the commission.
func (s *Service) ProvidedFindings(ctx context.Context, p *auth.Principal, id string) ([]Finding, error) {
	pv, err := s.Provision(ctx, p, id)
	if err != nil {
		return nil, err
	}
	out := []Finding{}
	for _, fid := range pv.FindingIDs {
		f, err := s.Finding(ctx, fid)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}
