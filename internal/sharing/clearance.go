package sharing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/textfield"
)

// Clearance is a clearance granted to a user above the scale's lowest,
// which every account holds without a grant.
type Clearance struct {
	UserID    string    `json:"user_id"`
	Level     string    `json:"level"`
	Reason    string    `json:"reason"`
	GrantedBy string    `json:"granted_by"`
	GrantedAt time.Time `json:"granted_at"`
	// RevokedBy, RevokedAt and RevokeReason record the revocation of a
	// revoked clearance, which is kept (Level is then the level revoked)
	// until the next grant; Clearances lists none.
	RevokedBy    string    `json:"revoked_by,omitempty"`
	RevokedAt    time.Time `json:"revoked_at,omitzero"`
	RevokeReason string    `json:"revoke_reason,omitempty"`
}

// storedClearance returns the clearance level stored for userID, or ""
// for none. The level column is "" once the clearance is revoked.
func storedClearance(ctx context.Context, q store.Querier, userID string) (string, error) {
	var level string
	err := q.QueryRow(ctx, "SELECT level FROM shr_clearances WHERE user_id = ?", userID).Scan(&level)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read clearance: %w", err)
	}
	return level, nil
}

// ClearanceOf returns the clearance level userID holds now: the level
// granted, or the scale's lowest. A level no longer on the configured
// scale counts as the lowest.
func (s *Service) ClearanceOf(ctx context.Context, userID string) (string, error) {
	level, err := s.clearanceOf(ctx, s.db, userID)
	if err != nil {
		return "", err
	}
	if level == "" {
		return s.scale.Lowest(), nil
	}
	return level, nil
}

// clearanceOf is ClearanceOf with "" for the lowest.
func (s *Service) clearanceOf(ctx context.Context, q store.Querier, userID string) (string, error) {
	level, err := storedClearance(ctx, q, userID)
	if err != nil || level == "" {
		return "", err
	}
	if s.scale.Rank(level) < 0 {
		s.logger.Warn("clearance not on the scale counts as the lowest", "user", userID, "level", level)
		return "", nil
	}
	return level, nil
}

// Clearances lists the clearances in force, by user id. The Cabinet
// Office only.
func (s *Service) Clearances(ctx context.Context, p *auth.Principal) ([]Clearance, error) {
	if err := mustManage(p); err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, "SELECT data FROM shr_clearances WHERE level <> '' ORDER BY user_id")
	if err != nil {
		return nil, fmt.Errorf("list clearances: %w", err)
	}
	out := []Clearance{}
	for rows.Next() {
		var data string
		var c Clearance
		if err := rows.Scan(&data); err != nil {
			return nil, closeRows(rows, err)
		}
		if err := unmarshal(data, &c); err != nil {
			return nil, closeRows(rows, err)
		}
		out = append(out, c)
	}
	return out, closeRows(rows, nil)
}

// GrantClearance grants userID the clearance level, replacing any held,
// with a reason: the Cabinet Office only, never to oneself. The level
// must be on the scale and above its lowest (RevokeClearance returns a
// user to the lowest).
func (s *Service) GrantClearance(ctx context.Context, p *auth.Principal, userID, level, reason string) (Clearance, error) {
	if err := mustManage(p); err != nil {
		return Clearance{}, err
	}
	if userID == p.UserID {
		return Clearance{}, refuse(CodeSelfClearance, "")
	}
	level = strings.TrimSpace(level)
	if err := s.scale.Check(level); err != nil {
		return Clearance{}, fieldErrorf("level", "%v", err)
	}
	if s.scale.Rank(level) == 0 {
		return Clearance{}, fieldErrorf("level", "%q is the lowest level, which every account holds: revoke the clearance instead", level)
	}
	reason = strings.TrimSpace(reason)
	if err := textfield.Check("reason", reason, maxText, true); err != nil {
		return Clearance{}, err
	}
	u, err := s.dir.User(ctx, userID)
	if err != nil || u.Disabled {
		return Clearance{}, fieldErrorf("user_id", "no enabled user %q", textfield.Cut(userID, 80))
	}
	c := Clearance{UserID: u.ID, Level: level, Reason: reason, GrantedBy: p.UserID, GrantedAt: s.now()}
	data, err := marshal(c)
	if err != nil {
		return Clearance{}, err
	}
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO shr_clearances (user_id, level, data, at) VALUES (?, ?, ?, ?)
ON CONFLICT (user_id) DO UPDATE SET level = excluded.level, data = excluded.data, at = excluded.at`,
			c.UserID, c.Level, data, store.FormatTime(c.GrantedAt)); err != nil {
			return fmt.Errorf("record clearance: %w", err)
		}
		return s.auditState(ctx, tx, p, "clearance.grant", resClearance, c.UserID)
	})
	if err != nil {
		return Clearance{}, err
	}
	return c, nil
}

// RevokeClearance returns userID to the scale's lowest level, with a
// reason: the Cabinet Office only, never one's own. The clearance is kept,
// marked revoked, so that its audit entry ("clearance.revoke") has a
// record to match.
func (s *Service) RevokeClearance(ctx context.Context, p *auth.Principal, userID, reason string) error {
	if err := mustManage(p); err != nil {
		return err
	}
	if userID == p.UserID {
		return refuse(CodeSelfClearance, "")
	}
	reason = strings.TrimSpace(reason)
	if err := textfield.Check("reason", reason, maxText, true); err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *store.Tx) error {
		var level, data string
		err := tx.QueryRow(ctx, "SELECT level, data FROM shr_clearances WHERE user_id = ?", userID).Scan(&level, &data)
		if errors.Is(err, sql.ErrNoRows) || err == nil && level == "" {
			return refuse(CodeNoClearance, textfield.Cut(userID, 80))
		}
		if err != nil {
			return fmt.Errorf("read clearance: %w", err)
		}
		var c Clearance
		if err := unmarshal(data, &c); err != nil {
			return err
		}
		c.RevokedBy, c.RevokedAt, c.RevokeReason = p.UserID, s.now(), reason
		if data, err = marshal(c); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE shr_clearances SET level = '', data = ?, at = ? WHERE user_id = ?", data, store.FormatTime(c.RevokedAt), userID); err != nil {
			return fmt.Errorf("revoke clearance: %w", err)
		}
		return s.auditState(ctx, tx, p, "clearance.revoke", resClearance, userID)
	})
}
