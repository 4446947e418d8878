package oversight

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/manifest"
	"github.com/acd-platform/acd/internal/selection/criteria"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/textfield"
)

// ApprovalState is where an approval is: active until revoked; an active
// approval past its ValidUntil reads as expired (derived from the clock,
// never stored).
type ApprovalState string

// Approval states.
const (
	ApprovalActive  ApprovalState = "active"
	ApprovalRevoked ApprovalState = "revoked"
	ApprovalExpired ApprovalState = "expired"
)

// Approval is what lets the selection engine run: the commission's
// approval of an acquisition request (basis ch4 or ch6), or an active
// agreement (basis ch3). Its signed manifest names the exact criteria file
// approved by SHA-256.
type Approval struct {
	ID string `json:"id"`
	// Basis is manifest.BasisAgreement, BasisTransit or BasisForeign.
	Basis string `json:"basis"`
	// RequestID is the acquisition request approved (ch4, ch6); empty for
	// an agreement.
	RequestID string `json:"request_id,omitempty"`
	// AgreementID and OperatorOrgID name the agreement and its operator
	// (ch3); empty otherwise.
	AgreementID   string `json:"agreement_id,omitempty"`
	OperatorOrgID string `json:"operator_org_id,omitempty"`
	// RetentionDays is how long records selected under an agreement are
	// kept, from its terms; zero for ch4/ch6, whose retention is the
	// server's default.
	RetentionDays int `json:"retention_days,omitempty"`
	// CriteriaSHA256 is the hex SHA-256 of the criteria file's exact bytes;
	// CriteriaID and CriteriaVersion are the set's id and version.
	CriteriaSHA256  string `json:"criteria_sha256"`
	CriteriaID      string `json:"criteria_id"`
	CriteriaVersion int    `json:"criteria_version"`
	// Narrowed is true when the commission approved a narrowed version of
	// the criteria file filed.
	Narrowed bool `json:"narrowed,omitempty"`
	// Directions are the direction names approved: the criteria set's.
	Directions []string `json:"directions"`
	// Facilities names the links, facilities or foreign equipment covered.
	Facilities []string      `json:"facilities"`
	ValidFrom  time.Time     `json:"valid_from"`
	ValidUntil time.Time     `json:"valid_until"`
	State      ApprovalState `json:"state"`
	// DecidedAt is when the commission decided, or the agreement became
	// active; IssuedAt when the manifest was signed, with ManifestKeyID.
	DecidedAt     time.Time `json:"decided_at"`
	IssuedAt      time.Time `json:"issued_at"`
	ManifestKeyID string    `json:"manifest_key_id"`
	RevokedAt     time.Time `json:"revoked_at,omitzero"`
	RevokedBy     string    `json:"revoked_by,omitempty"`
	RevokeReason  string    `json:"revoke_reason,omitempty"`
}

// Active reports whether a is active at now: not revoked and inside its
// validity window.
func (a Approval) Active(now time.Time) bool {
	return a.State != ApprovalRevoked && !now.Before(a.ValidFrom) && now.Before(a.ValidUntil)
}

// derive sets the state computed from the clock.
func (a *Approval) derive(now time.Time) {
	if a.State == ApprovalActive && !now.Before(a.ValidUntil) {
		a.State = ApprovalExpired
	}
}

// ApprovalFilter selects approvals; empty fields match everything.
type ApprovalFilter struct {
	State         ApprovalState
	Basis         string
	RequestID     string
	AgreementID   string
	OperatorOrgID string
}

// issueApproval records an approval of the criteria file crit inside tx and
// signs its manifest with the current approval-manifest key. a carries the
// basis, the request or agreement, the facilities, whether it is narrowed
// and DecidedAt; the criteria identity, directions and window come from
// the file, parsed again here so that what the manifest names is a valid
// set.
func (s *Service) issueApproval(ctx context.Context, tx *store.Tx, p *auth.Principal, a Approval, crit []byte) (Approval, error) {
	set, err := criteria.Parse(crit)
	if err != nil {
		return Approval{}, fmt.Errorf("issue approval: criteria file: %w", err)
	}
	key, err := s.keys.Current(keys.ApprovalManifest)
	if err != nil {
		return Approval{}, fmt.Errorf("issue approval: %w", err)
	}
	now := s.now()
	a.ID = newID("apv_")
	a.CriteriaSHA256 = fmt.Sprintf("%x", set.SHA256)
	a.CriteriaID, a.CriteriaVersion = set.ID, set.Version
	a.Directions = directionNames(set.DirectionSet())
	a.ValidFrom, a.ValidUntil = set.ValidFrom.UTC(), set.ValidUntil.UTC()
	a.State, a.IssuedAt, a.ManifestKeyID = ApprovalActive, now, key.ID
	if a.Facilities == nil {
		a.Facilities = []string{}
	}
	m := &manifest.Manifest{ApprovalID: a.ID, Basis: a.Basis, CriteriaID: a.CriteriaID, CriteriaVersion: a.CriteriaVersion,
		CriteriaSHA256: a.CriteriaSHA256, Directions: a.Directions, Facilities: a.Facilities,
		ValidFrom: a.ValidFrom, ValidUntil: a.ValidUntil, IssuedAt: now}
	signed, err := manifest.Sign(m, key)
	if err != nil {
		return Approval{}, fmt.Errorf("issue approval: %w", err)
	}
	data, err := encode(a)
	if err != nil {
		return Approval{}, err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO ovs_approvals (id, basis, request_id, agreement_id, operator_org, state, decided_at, data, criteria, manifest)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.ID, a.Basis, a.RequestID, a.AgreementID, a.OperatorOrgID, string(a.State),
		store.FormatTime(a.DecidedAt), data, crit, signed); err != nil {
		return Approval{}, fmt.Errorf("record approval: %w", err)
	}
	if err := s.audit(ctx, tx, p, "approval.issue", "approval/"+a.ID, a); err != nil {
		return Approval{}, err
	}
	return a, nil
}

func scanApproval(r interface{ Scan(...any) error }) (Approval, error) {
	var data string
	if err := r.Scan(&data); err != nil {
		return Approval{}, err
	}
	var a Approval
	err := decode(data, &a)
	return a, err
}

func getApproval(ctx context.Context, q store.Querier, id string) (Approval, error) {
	a, err := scanApproval(q.QueryRow(ctx, "SELECT data FROM ovs_approvals WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return Approval{}, fmt.Errorf("approval %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return Approval{}, fmt.Errorf("read approval %s: %w", id, err)
	}
	return a, nil
}

// Approval returns approval id, its state derived from the clock, or an
// error wrapping ErrNotFound. It does not check who asks: callers are
// other packages (the selection-run uploads) and routes the policy already
// restricts to analysts and the commission.
func (s *Service) Approval(ctx context.Context, id string) (Approval, error) {
	a, err := getApproval(ctx, s.db, id)
	if err != nil {
		return Approval{}, err
	}
	a.derive(s.now())
	return a, nil
}

// Approvals returns the approvals matching f, newest decision first. Like
// Approval it does not check who asks.
func (s *Service) Approvals(ctx context.Context, f ApprovalFilter) ([]Approval, error) {
	q := "SELECT data FROM ovs_approvals WHERE 1 = 1"
	var args []any
	for _, c := range []struct{ col, v string }{{"basis", f.Basis}, {"request_id", f.RequestID}, {"agreement_id", f.AgreementID}, {"operator_org", f.OperatorOrgID}} {
		if c.v != "" {
			q += " AND " + c.col + " = ?"
			args = append(args, c.v)
		}
	}
	switch f.State {
	case "":
	case ApprovalRevoked:
		q += " AND state = 'revoked'"
	case ApprovalActive, ApprovalExpired:
		q += " AND state = 'active'"
	default:
		return nil, fieldErrorf("state", "%q: want active, revoked or expired", f.State)
	}
	rows, err := s.db.Query(ctx, q+" ORDER BY decided_at DESC, id", args...)
	if err != nil {
		return nil, fmt.Errorf("list approvals: %w", err)
	}
	defer rows.Close()
	now := s.now()
	var out []Approval
	for rows.Next() {
		a, err := scanApproval(rows)
		if err != nil {
			return nil, fmt.Errorf("list approvals: %w", err)
		}
		a.derive(now)
		if f.State == "" || a.State == f.State {
			out = append(out, a)
		}
	}
	return out, rows.Err()
}

// Manifest returns approval id's signed manifest: the exact bytes signed
// when it was issued. A revoked or expired approval keeps its manifest (a
// sensor learns of the revocation from the revocation list).
func (s *Service) Manifest(ctx context.Context, id string) ([]byte, Approval, error) {
	return s.approvalBlob(ctx, id, "manifest")
}

// ApprovalCriteria returns the exact bytes of the criteria file approval
// id approves: the bytes its manifest's criteria_sha256 hashes.
func (s *Service) ApprovalCriteria(ctx context.Context, id string) ([]byte, Approval, error) {
	return s.approvalBlob(ctx, id, "criteria")
}

func (s *Service) approvalBlob(ctx context.Context, id, col string) ([]byte, Approval, error) {
	var data string
	var blob []byte
	err := s.db.QueryRow(ctx, "SELECT data, "+col+" FROM ovs_approvals WHERE id = ?", id).Scan(&data, &blob)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, Approval{}, fmt.Errorf("approval %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, Approval{}, fmt.Errorf("read approval %s: %w", id, err)
	}
	var a Approval
	if err := decode(data, &a); err != nil {
		return nil, Approval{}, err
	}
	a.derive(s.now())
	return blob, a, nil
}

// RevokeApproval revokes an approval of the commission (ch4, ch6) with a
// reason; the chair only. Its sensor tokens are revoked with it, and it is
// on every revocation list from now on. An agreement's approval (ch3) is
// revoked by terminating the agreement instead.
func (s *Service) RevokeApproval(ctx context.Context, p *auth.Principal, id, reason string) (Approval, error) {
	reason = strings.TrimSpace(reason)
	if err := textfield.Check("reason", reason, maxText, true); err != nil {
		return Approval{}, err
	}
	if !isChair(p) {
		return Approval{}, fmt.Errorf("only the commission chair revokes approvals: %w", ErrForbidden)
	}
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		a, err := getApproval(ctx, tx, id)
		if err != nil {
			return err
		}
		if a.Basis == manifest.BasisAgreement {
			return fmt.Errorf("approval %s rests on agreement %s: it ends when the agreement is terminated: %w", id, a.AgreementID, ErrConflict)
		}
		return s.revokeApproval(ctx, tx, p, a, reason)
	})
	if err != nil {
		return Approval{}, err
	}
	return s.Approval(ctx, id)
}

// revokeApproval revokes a and its sensor tokens inside tx.
func (s *Service) revokeApproval(ctx context.Context, tx *store.Tx, p *auth.Principal, a Approval, reason string) error {
	if a.State == ApprovalRevoked {
		return fmt.Errorf("approval %s was already revoked at %s: %w", a.ID, stamp(a.RevokedAt), ErrConflict)
	}
	a.State, a.RevokedAt, a.RevokeReason = ApprovalRevoked, s.now(), reason
	a.RevokedBy = "system"
	if p != nil {
		a.RevokedBy = p.UserID
	}
	data, err := encode(a)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "UPDATE ovs_approvals SET state = ?, data = ? WHERE id = ?", string(a.State), data, a.ID); err != nil {
		return fmt.Errorf("revoke approval %s: %w", a.ID, err)
	}
	if err := s.audit(ctx, tx, p, "approval.revoke", "approval/"+a.ID, a); err != nil {
		return err
	}
	return s.revokeTokensOf(ctx, tx, p, a.ID, "approval revoked: "+textfield.Cut(oneLine(reason), 150))
}

// ManifestKeys returns the public halves of every version of the
// approval-manifest key, as sensors keep them (GET /api/v1/manifest/keys).
func (s *Service) ManifestKeys() *manifest.KeySet { return manifest.KeySetOf(s.keys) }

// Revocations returns a revocation list of every revoked approval, signed
// now with the current approval-manifest key: the document sensors fetch
// before they run (GET /api/v1/manifest/revocations).
func (s *Service) Revocations(ctx context.Context) ([]byte, error) {
	rows, err := s.db.Query(ctx, "SELECT data FROM ovs_approvals WHERE state = 'revoked'")
	if err != nil {
		return nil, fmt.Errorf("list revocations: %w", err)
	}
	var list []manifest.Revocation
	for rows.Next() {
		a, err := scanApproval(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("list revocations: %w", err)
		}
		list = append(list, manifest.Revocation{ApprovalID: a.ID, RevokedAt: a.RevokedAt, Reason: textfield.Cut(oneLine(a.RevokeReason), 500)})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list revocations: %w", err)
	}
	sort.Slice(list, func(i, j int) bool {
		if !list[i].RevokedAt.Equal(list[j].RevokedAt) {
			return list[i].RevokedAt.Before(list[j].RevokedAt)
		}
		return list[i].ApprovalID < list[j].ApprovalID
	})
	key, err := s.keys.Current(keys.ApprovalManifest)
	if err != nil {
		return nil, fmt.Errorf("sign revocations: %w", err)
	}
	return manifest.SignRevocations(list, s.now(), key)
}
