package sharing

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

// agencyKinds are the organisation kinds that are council members by what
// they are (ch.9).
var agencyKinds = []auth.OrgKind{auth.OrgMinistry, auth.OrgCabinetOff, auth.OrgPolice, auth.OrgSDF, auth.OrgCabinet,
	auth.OrgNPSC, auth.OrgMOFA, auth.OrgMOD, auth.OrgAgency}

// AgencyKind reports whether organisations of kind k are government
// organisations: council members without consent, and the recipients
// §28 allows.
func AgencyKind(k auth.OrgKind) bool { return slices.Contains(agencyKinds, k) }

// Joinable reports whether organisations of kind k join the council by
// consent: operators and vendors.
func Joinable(k auth.OrgKind) bool { return k == auth.OrgOperator || k == auth.OrgVendor }

// Bases of membership (Membership.Basis).
const (
	BasisAgency  = "agency"  // a government organisation, member by kind
	BasisConsent = "consent" // an operator or vendor that consented
	BasisNone    = "none"    // no basis: not a member
)

// Consent is an organisation's recorded consent to join the council.
type Consent struct {
	UserID       string    `json:"user_id"`
	At           time.Time `json:"at"`
	TermsVersion string    `json:"terms_version"`
	TermsSHA256  string    `json:"terms_sha256"`
}

// Membership is an organisation's place in the council now, with its
// history.
type Membership struct {
	OrgID   string       `json:"org_id"`
	OrgName string       `json:"org_name"`
	OrgKind auth.OrgKind `json:"org_kind"`
	// Basis is BasisAgency, BasisConsent or BasisNone.
	Basis string `json:"basis"`
	// Member is whether the organisation is a council member now: a basis
	// and no suspension.
	Member          bool          `json:"member"`
	Consent         *Consent      `json:"consent,omitempty"`
	Suspended       bool          `json:"suspended"`
	SuspendedReason string        `json:"suspended_reason,omitempty"`
	SuspendedAt     time.Time     `json:"suspended_at,omitzero"`
	History         []MemberEvent `json:"history,omitempty"`
}

// Membership events (MemberEvent.Event).
const (
	EventConsent   = "consent"
	EventWithdraw  = "withdraw"
	EventSuspend   = "suspend"
	EventReinstate = "reinstate"
)

// MemberEvent is one change of a membership.
type MemberEvent struct {
	Seq          int       `json:"seq"`
	Event        string    `json:"event"`
	Reason       string    `json:"reason,omitempty"`
	TermsVersion string    `json:"terms_version,omitempty"`
	TermsSHA256  string    `json:"terms_sha256,omitempty"`
	Actor        string    `json:"actor"`
	At           time.Time `json:"at"`
}

// memberRow is what shr_members keeps of an organisation.
type memberRow struct {
	Consent         *Consent  `json:"consent,omitempty"`
	Suspended       bool      `json:"suspended"`
	SuspendedReason string    `json:"suspended_reason,omitempty"`
	SuspendedAt     time.Time `json:"suspended_at,omitzero"`
}

func (m memberRow) member(kind auth.OrgKind) bool {
	return !m.Suspended && (AgencyKind(kind) || Joinable(kind) && m.Consent != nil)
}

func loadMember(ctx context.Context, q store.Querier, orgID string) (memberRow, error) {
	var data string
	err := q.QueryRow(ctx, "SELECT data FROM shr_members WHERE org_id = ?", orgID).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return memberRow{}, nil
	}
	if err != nil {
		return memberRow{}, fmt.Errorf("read membership of %s: %w", orgID, err)
	}
	var m memberRow
	return m, unmarshal(data, &m)
}

// isMember reports whether the organisation of kind is a council member
// now.
func isMember(ctx context.Context, q store.Querier, orgID string, kind auth.OrgKind) (bool, error) {
	if orgID == "" || !AgencyKind(kind) && !Joinable(kind) {
		return false, nil
	}
	m, err := loadMember(ctx, q, orgID)
	return m.member(kind), err
}

// IsMember reports whether organisation orgID is a council member now.
func (s *Service) IsMember(ctx context.Context, orgID string) (bool, error) {
	o, err := s.dir.Org(ctx, orgID)
	if err != nil {
		return false, nil
	}
	return isMember(ctx, s.db, o.ID, o.Kind)
}

// membership builds the view of o's membership, with its history.
func (s *Service) membership(ctx context.Context, q store.Querier, o auth.Org) (Membership, error) {
	row, err := loadMember(ctx, q, o.ID)
	if err != nil {
		return Membership{}, err
	}
	m := Membership{OrgID: o.ID, OrgName: o.Name, OrgKind: o.Kind, Basis: BasisNone, Member: row.member(o.Kind),
		Consent: row.Consent, Suspended: row.Suspended, SuspendedReason: row.SuspendedReason, SuspendedAt: row.SuspendedAt}
	switch {
	case AgencyKind(o.Kind):
		m.Basis = BasisAgency
	case Joinable(o.Kind) && row.Consent != nil:
		m.Basis = BasisConsent
	}
	rows, err := q.Query(ctx, "SELECT data FROM shr_member_events WHERE org_id = ? ORDER BY seq", o.ID)
	if err != nil {
		return Membership{}, fmt.Errorf("read membership history: %w", err)
	}
	for rows.Next() {
		var data string
		var ev MemberEvent
		if err := rows.Scan(&data); err != nil {
			return Membership{}, closeRows(rows, err)
		}
		if err := unmarshal(data, &ev); err != nil {
			return Membership{}, closeRows(rows, err)
		}
		m.History = append(m.History, ev)
	}
	return m, closeRows(rows, nil)
}

// Membership returns the membership of organisation orgID ("" for the
// caller's own): a member sees its own, the Cabinet Office every
// organisation's.
func (s *Service) Membership(ctx context.Context, p *auth.Principal, orgID string) (Membership, error) {
	if !isUser(p) {
		return Membership{}, fmt.Errorf("membership: %w", ErrNotFound)
	}
	if orgID == "" {
		orgID = p.OrgID
	}
	if orgID != p.OrgID && !manager(p) {
		return Membership{}, fmt.Errorf("membership of %q: %w", orgID, ErrNotFound)
	}
	o, err := s.dir.Org(ctx, orgID)
	if err != nil {
		return Membership{}, fmt.Errorf("organisation %q: %w", orgID, ErrNotFound)
	}
	return s.membership(ctx, s.db, o)
}

// Members lists every organisation that is or may become a council member
// (all but the commission and the system's organisation), by name, with
// its membership but no history. The Cabinet Office only: a member never
// sees the full member list.
func (s *Service) Members(ctx context.Context, p *auth.Principal) ([]Membership, error) {
	if err := mustManage(p); err != nil {
		return nil, err
	}
	orgs, err := s.dir.Orgs(ctx)
	if err != nil {
		return nil, fmt.Errorf("list organisations: %w", err)
	}
	rows := map[string]memberRow{}
	rs, err := s.db.Query(ctx, "SELECT org_id, data FROM shr_members")
	if err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	for rs.Next() {
		var id, data string
		var m memberRow
		if err := rs.Scan(&id, &data); err != nil {
			return nil, closeRows(rs, err)
		}
		if err := unmarshal(data, &m); err != nil {
			return nil, closeRows(rs, err)
		}
		rows[id] = m
	}
	if err := closeRows(rs, nil); err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	out := []Membership{}
	for _, o := range orgs {
		if !AgencyKind(o.Kind) && !Joinable(o.Kind) {
			continue
		}
		row := rows[o.ID]
		m := Membership{OrgID: o.ID, OrgName: o.Name, OrgKind: o.Kind, Basis: BasisNone, Member: row.member(o.Kind),
			Consent: row.Consent, Suspended: row.Suspended, SuspendedReason: row.SuspendedReason, SuspendedAt: row.SuspendedAt}
		if AgencyKind(o.Kind) {
			m.Basis = BasisAgency
		} else if row.Consent != nil {
			m.Basis = BasisConsent
		}
		out = append(out, m)
	}
	return out, nil
}

// ConsentInput is an operator's or vendor's consent to join the council:
// the version and hash of the terms shown (CurrentTerms), and Accept set.
type ConsentInput struct {
	TermsVersion string `json:"terms_version"`
	TermsSHA256  string `json:"terms_sha256"`
	// Accept must be true: the user accepts the duty of secrecy (§82).
	Accept bool `json:"accept"`
}

// Consent records the consent of the caller's organisation, an operator
// or a vendor, to join the council under the terms in force; it is a
// member from then on (unless suspended).
func (s *Service) Consent(ctx context.Context, p *auth.Principal, in ConsentInput) (Membership, error) {
	if !isUser(p) || !Joinable(p.OrgKind) {
		return Membership{}, refuse(CodeNotJoinable, "")
	}
	if !in.Accept {
		return Membership{}, fieldErrorf("accept", "the duty of secrecy (§82) must be accepted to join the council")
	}
	terms := CurrentTerms()
	if in.TermsVersion != terms.Version || !strings.EqualFold(in.TermsSHA256, terms.SHA256) {
		return Membership{}, refuse(CodeTermsChanged, fmt.Sprintf("accepted version %q, in force %q", textfield.Cut(in.TermsVersion, 40), terms.Version))
	}
	return s.changeMember(ctx, p, p.OrgID, func(row *memberRow, now time.Time) (MemberEvent, error) {
		if row.Consent != nil {
			return MemberEvent{}, refuse(CodeAlreadyMember, "")
		}
		row.Consent = &Consent{UserID: p.UserID, At: now, TermsVersion: terms.Version, TermsSHA256: terms.SHA256}
		return MemberEvent{Event: EventConsent, TermsVersion: terms.Version, TermsSHA256: terms.SHA256}, nil
	})
}

// Withdraw withdraws the consent of the caller's organisation: its
// membership ends at once.
func (s *Service) Withdraw(ctx context.Context, p *auth.Principal, reason string) (Membership, error) {
	if !isUser(p) || !Joinable(p.OrgKind) {
		return Membership{}, refuse(CodeNotJoinable, "")
	}
	reason = strings.TrimSpace(reason)
	if err := textfield.Check("reason", reason, maxText, false); err != nil {
		return Membership{}, err
	}
	return s.changeMember(ctx, p, p.OrgID, func(row *memberRow, now time.Time) (MemberEvent, error) {
		if row.Consent == nil {
			return MemberEvent{}, refuse(CodeNoConsent, "")
		}
		row.Consent = nil
		return MemberEvent{Event: EventWithdraw, Reason: reason}, nil
	})
}

// Suspend suspends the membership of organisation orgID, with a reason:
// the Cabinet Office only. The organisation reads nothing but TLP:CLEAR
// until reinstated.
func (s *Service) Suspend(ctx context.Context, p *auth.Principal, orgID, reason string) (Membership, error) {
	return s.suspend(ctx, p, orgID, reason, true)
}

// Reinstate ends the suspension of organisation orgID, with a reason: the
// Cabinet Office only.
func (s *Service) Reinstate(ctx context.Context, p *auth.Principal, orgID, reason string) (Membership, error) {
	return s.suspend(ctx, p, orgID, reason, false)
}

func (s *Service) suspend(ctx context.Context, p *auth.Principal, orgID, reason string, suspend bool) (Membership, error) {
	if err := mustManage(p); err != nil {
		return Membership{}, err
	}
	reason = strings.TrimSpace(reason)
	if err := textfield.Check("reason", reason, maxText, true); err != nil {
		return Membership{}, err
	}
	o, err := s.dir.Org(ctx, orgID)
	if err != nil || !AgencyKind(o.Kind) && !Joinable(o.Kind) {
		return Membership{}, fmt.Errorf("council organisation %q: %w", orgID, ErrNotFound)
	}
	return s.changeMember(ctx, p, o.ID, func(row *memberRow, now time.Time) (MemberEvent, error) {
		switch {
		case suspend && row.Suspended:
			return MemberEvent{}, refuse(CodeAlreadySuspended, o.Name)
		case !suspend && !row.Suspended:
			return MemberEvent{}, refuse(CodeNotSuspended, o.Name)
		case suspend:
			row.Suspended, row.SuspendedReason, row.SuspendedAt = true, reason, now
			return MemberEvent{Event: EventSuspend, Reason: reason}, nil
		}
		row.Suspended, row.SuspendedReason, row.SuspendedAt = false, "", time.Time{}
		return MemberEvent{Event: EventReinstate, Reason: reason}, nil
	})
}

// changeMember applies change to orgID's row in one transaction with its
// history event and audit entry ("council.<event>" on
// council_member/ORG).
func (s *Service) changeMember(ctx context.Context, p *auth.Principal, orgID string, change func(*memberRow, time.Time) (MemberEvent, error)) (Membership, error) {
	o, err := s.dir.Org(ctx, orgID)
	if err != nil {
		return Membership{}, fmt.Errorf("organisation %q: %w", orgID, ErrNotFound)
	}
	var out Membership
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		row, err := loadMember(ctx, tx, o.ID)
		if err != nil {
			return err
		}
		now := s.now()
		ev, err := change(&row, now)
		if err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(seq), 0) + 1 FROM shr_member_events WHERE org_id = ?", o.ID).Scan(&ev.Seq); err != nil {
			return fmt.Errorf("membership history: %w", err)
		}
		ev.Actor, ev.At = p.UserID, now
		data, err := marshal(row)
		if err != nil {
			return err
		}
		evData, err := marshal(ev)
		if err != nil {
			return err
		}
		consent, suspended := 0, 0
		if row.Consent != nil {
			consent = 1
		}
		if row.Suspended {
			suspended = 1
		}
		if _, err := tx.Exec(ctx, `INSERT INTO shr_members (org_id, consent, suspended, data, updated_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (org_id) DO UPDATE SET consent = excluded.consent, suspended = excluded.suspended, data = excluded.data, updated_at = excluded.updated_at`,
			o.ID, consent, suspended, data, store.FormatTime(now)); err != nil {
			return fmt.Errorf("record membership: %w", err)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO shr_member_events (org_id, seq, data, at) VALUES (?, ?, ?, ?)", o.ID, ev.Seq, evData, store.FormatTime(now)); err != nil {
			return fmt.Errorf("record membership history: %w", err)
		}
		if err := s.auditState(ctx, tx, p, "council."+ev.Event, resMember, o.ID); err != nil {
			return err
		}
		out, err = s.membership(ctx, tx, o)
		return err
	})
	if err != nil {
		return Membership{}, err
	}
	s.logger.Info("council membership changed", "org", o.ID, "member", out.Member)
	return out, nil
}
