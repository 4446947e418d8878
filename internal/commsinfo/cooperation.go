package commsinfo

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/store"
)

// States of a §27 cooperation request.
//
//	requested ──accept──▶ accepted ──end──▶ ended
//	    │ └──decline──▶ declined
//	    └──end (withdrawn)──▶ ended
const (
	CoopRequested = "requested"
	CoopAccepted  = "accepted"
	CoopDeclined  = "declined"
	CoopEnded     = "ended"
)

// CooperationScope says what the agency is asked to help analyse.
type CooperationScope struct {
	Description string `json:"description"`
	// Approvals, when given, limit the selected records that may be
	// provided under the request to those selected under these approvals.
	Approvals []string `json:"approvals,omitempty"`
}

// CooperationInput is a §27 request as an analyst files it.
type CooperationInput struct {
	// RecipientOrgID is the agency asked to help.
	RecipientOrgID string           `json:"recipient_org_id"`
	Purpose        string           `json:"purpose"`
	Scope          CooperationScope `json:"scope"`
	// Due, optional, is when the help is wanted by.
	Due time.Time `json:"due,omitzero"`
}

// CooperationRequest is a §27 request for analysis cooperation.
type CooperationRequest struct {
	ID string `json:"id"`
	CooperationInput
	State          string    `json:"state"`
	RequestedBy    string    `json:"requested_by"`
	RequesterOrgID string    `json:"requester_org_id"`
	CreatedAt      time.Time `json:"created_at"`
	AnsweredBy     string    `json:"answered_by,omitempty"`
	AnsweredAt     time.Time `json:"answered_at,omitzero"`
	// Note is the recipient's note on accepting, Reason its reason for
	// declining.
	Note      string    `json:"note,omitempty"`
	Reason    string    `json:"reason,omitempty"`
	EndedBy   string    `json:"ended_by,omitempty"`
	EndedAt   time.Time `json:"ended_at,omitzero"`
	EndReason string    `json:"end_reason,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Overdue reports whether the request has a due time that passed at now
// while it was still open.
func (c CooperationRequest) Overdue(now time.Time) bool {
	return !c.Due.IsZero() && now.After(c.Due) && (c.State == CoopRequested || c.State == CoopAccepted)
}

// agencyKinds are the organisations a §27 request may go to:
// administrative agencies, not operators, vendors, the commission or
// system administration.
func agencyKind(k auth.OrgKind) bool {
	switch k {
	case auth.OrgMinistry, auth.OrgCabinetOff, auth.OrgPolice, auth.OrgSDF, auth.OrgCabinet, auth.OrgNPSC,
		auth.OrgMOFA, auth.OrgMOD, auth.OrgAgency:
		return true
	}
	return false
}

// RequestCooperation files a §27 request to an agency (analysts). It is one
// audit-log entry ("cooperation.request").
func (s *Service) RequestCooperation(ctx context.Context, p *auth.Principal, in CooperationInput) (CooperationRequest, error) {
	if !isUser(p) || !p.Has(auth.RoleAnalyst) {
		return CooperationRequest{}, forbiddenf("cooperation requests are filed by analysts")
	}
	if err := checkText("purpose", in.Purpose, maxAssessment, true); err != nil {
		return CooperationRequest{}, err
	}
	if err := checkText("scope.description", in.Scope.Description, maxAssessment, true); err != nil {
		return CooperationRequest{}, err
	}
	if in.RecipientOrgID == "" {
		return CooperationRequest{}, fieldErrorf("recipient_org_id", "required")
	}
	org, err := s.orgs.Org(ctx, in.RecipientOrgID)
	if err != nil {
		return CooperationRequest{}, fieldErrorf("recipient_org_id", "unknown organisation %q", in.RecipientOrgID)
	}
	if !agencyKind(org.Kind) {
		return CooperationRequest{}, fieldErrorf("recipient_org_id", "%s is a %s organisation: §27 requests go to administrative agencies", org.Name, org.Kind)
	}
	if org.ID == p.OrgID {
		return CooperationRequest{}, fieldErrorf("recipient_org_id", "a request goes to another agency, not the requester's own")
	}
	if len(in.Scope.Approvals) > maxList {
		return CooperationRequest{}, fieldErrorf("scope.approvals", "%d entries, at most %d", len(in.Scope.Approvals), maxList)
	}
	for i, a := range in.Scope.Approvals {
		if _, err := s.approval(ctx, a); err != nil {
			if errors.Is(err, ErrNotFound) {
				return CooperationRequest{}, fieldErrorf(fmt.Sprintf("scope.approvals[%d]", i), "unknown approval %q", a)
			}
			return CooperationRequest{}, err
		}
	}
	in.Scope.Approvals = distinct(in.Scope.Approvals)
	now := s.now()
	if !in.Due.IsZero() {
		if !in.Due.After(now) {
			return CooperationRequest{}, fieldErrorf("due", "%s is not in the future", rfc(in.Due))
		}
		in.Due = in.Due.UTC()
	}
	c := CooperationRequest{ID: newID("coop_"), CooperationInput: in, State: CoopRequested, RequestedBy: p.UserID,
		RequesterOrgID: p.OrgID, CreatedAt: now, UpdatedAt: now}
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		data, err := marshal(c)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO ci_cooperation (id, requester, requester_org, recipient_org, state, data, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, c.ID, c.RequestedBy, c.RequesterOrgID, c.RecipientOrgID, c.State, data, store.FormatTime(now), store.FormatTime(now)); err != nil {
			return errorf("store cooperation request: %w", err)
		}
		return s.audit(ctx, tx, p, "cooperation.request", "cooperation/"+c.ID, c)
	})
	if err != nil {
		return CooperationRequest{}, err
	}
	return c, nil
}

// AnswerCooperation accepts or declines a request; only a user of the
// recipient organisation may, and only while it is requested. Declining
// needs a reason; text is a note when accepting.
func (s *Service) AnswerCooperation(ctx context.Context, p *auth.Principal, id string, accept bool, text string) (CooperationRequest, error) {
	field := "note"
	if !accept {
		field = "reason"
	}
	if err := checkText(field, text, maxAssessment, !accept); err != nil {
		return CooperationRequest{}, err
	}
	return s.changeCooperation(ctx, p, id, func(c *CooperationRequest, now time.Time) (string, error) {
		if c.RecipientOrgID != p.OrgID {
			return "", forbiddenf("only the agency asked answers a cooperation request")
		}
		if c.State != CoopRequested {
			return "", conflictf("cooperation request %s is %s, not requested", c.ID, c.State)
		}
		c.AnsweredBy, c.AnsweredAt = p.UserID, now
		if accept {
			c.State, c.Note = CoopAccepted, strings.TrimSpace(text)
			return "cooperation.accept", nil
		}
		c.State, c.Reason = CoopDeclined, strings.TrimSpace(text)
		return "cooperation.decline", nil
	})
}

// EndCooperation ends a request: the requesting or the recipient agency
// ends an accepted request, the requester withdraws one not yet answered.
func (s *Service) EndCooperation(ctx context.Context, p *auth.Principal, id, reason string) (CooperationRequest, error) {
	if err := checkText("reason", reason, maxAssessment, false); err != nil {
		return CooperationRequest{}, err
	}
	return s.changeCooperation(ctx, p, id, func(c *CooperationRequest, now time.Time) (string, error) {
		switch {
		case c.State == CoopAccepted && (p.OrgID == c.RequesterOrgID || p.OrgID == c.RecipientOrgID):
		case c.State == CoopRequested && p.OrgID == c.RequesterOrgID:
		case c.State == CoopDeclined || c.State == CoopEnded:
			return "", conflictf("cooperation request %s is already %s", c.ID, c.State)
		default:
			return "", forbiddenf("only the requesting agency withdraws a request; either agency ends an accepted one")
		}
		c.State, c.EndedBy, c.EndedAt, c.EndReason = CoopEnded, p.UserID, now, strings.TrimSpace(reason)
		return "cooperation.end", nil
	})
}

// changeCooperation applies change to a request the caller can see, with
// its audit entry, in one transaction.
func (s *Service) changeCooperation(ctx context.Context, p *auth.Principal, id string, change func(*CooperationRequest, time.Time) (string, error)) (CooperationRequest, error) {
	if !isUser(p) {
		return CooperationRequest{}, forbiddenf("cooperation requests are answered by users")
	}
	var out CooperationRequest
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		c, err := s.cooperation(ctx, tx, id)
		if err != nil {
			return err
		}
		if !canSeeCooperation(p, c) {
			return notFoundf("cooperation request %q", id)
		}
		before := c.State
		now := s.now()
		action, err := change(&c, now)
		if err != nil {
			return err
		}
		c.UpdatedAt = now
		data, err := marshal(c)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE ci_cooperation SET state = ?, data = ?, updated_at = ? WHERE id = ? AND state = ?",
			c.State, data, store.FormatTime(now), c.ID, before); err != nil {
			return errorf("update cooperation request: %w", err)
		}
		out = c
		return s.audit(ctx, tx, p, action, "cooperation/"+c.ID, c)
	})
	return out, err
}

func canSeeCooperation(p *auth.Principal, c CooperationRequest) bool {
	return seesAll(p) || p.OrgID != "" && (p.OrgID == c.RecipientOrgID || p.OrgID == c.RequesterOrgID)
}

func (s *Service) cooperation(ctx context.Context, q store.Querier, id string) (CooperationRequest, error) {
	var data string
	err := q.QueryRow(ctx, "SELECT data FROM ci_cooperation WHERE id = ?", id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return CooperationRequest{}, notFoundf("cooperation request %q", id)
	}
	if err != nil {
		return CooperationRequest{}, errorf("read cooperation request %q: %w", id, err)
	}
	var c CooperationRequest
	if err := json.Unmarshal([]byte(data), &c); err != nil {
		return CooperationRequest{}, errorf("read cooperation request %q: %w", id, err)
	}
	return c, nil
}

// Cooperation returns one request: analysts and the commission see every
// request, agencies those they filed or were asked.
func (s *Service) Cooperation(ctx context.Context, p *auth.Principal, id string) (CooperationRequest, error) {
	if !isUser(p) {
		return CooperationRequest{}, notFoundf("cooperation request %q", id)
	}
	c, err := s.cooperation(ctx, s.db, id)
	if err != nil {
		return CooperationRequest{}, err
	}
	if !canSeeCooperation(p, c) {
		return CooperationRequest{}, notFoundf("cooperation request %q", id)
	}
	return c, nil
}

// CooperationFilter selects requests; zero fields do not filter.
type CooperationFilter struct {
	State string
	Limit int // at most 1000; default 100
}

// Cooperations lists the requests the caller can see, newest first.
func (s *Service) Cooperations(ctx context.Context, p *auth.Principal, f CooperationFilter) ([]CooperationRequest, error) {
	if !isUser(p) {
		return []CooperationRequest{}, nil
	}
	q := "SELECT data FROM ci_cooperation WHERE 1 = 1"
	var args []any
	if !seesAll(p) {
		q += " AND (recipient_org = ? OR requester_org = ?)"
		args = append(args, p.OrgID, p.OrgID)
	}
	if f.State != "" {
		q += " AND state = ?"
		args = append(args, f.State)
	}
	q += " ORDER BY created_at DESC, id LIMIT ?"
	args = append(args, limit(f.Limit, 100, 1000))
	rows, err := s.db.Query(ctx, q, args...)
	if err != nil {
		return nil, errorf("list cooperation requests: %w", err)
	}
	defer rows.Close()
	out := []CooperationRequest{}
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, errorf("list cooperation requests: %w", err)
		}
		var c CooperationRequest
		if err := json.Unmarshal([]byte(data), &c); err != nil {
			return nil, errorf("list cooperation requests: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
