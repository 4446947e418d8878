package oversight

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/textfield"
)

// SensorTokenPrefix starts every sensor token, so that secret scanners
// recognise leaked ones and the server's authenticator tells them from API
// tokens: "acdsensor_" and 43 base64url characters (256 bits).
const SensorTokenPrefix = "acdsensor_"

// SensorToken is a token that lets one selection sensor upload runs for one
// approval, as listed: never its secret, which is shown once at issue and
// stored only as a SHA-256 hash. It expires with the approval's
// ValidUntil and is revoked with the approval.
type SensorToken struct {
	ID         string    `json:"id"`
	ApprovalID string    `json:"approval_id"`
	Name       string    `json:"name"`
	CreatedBy  string    `json:"created_by"`
	CreatedAt  time.Time `json:"created_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	RevokedAt  time.Time `json:"revoked_at,omitzero"`
	RevokedBy  string    `json:"revoked_by,omitempty"`
	// RevokeReason says why; "approval revoked: …" when it went with its
	// approval.
	RevokeReason string `json:"revoke_reason,omitempty"`
}

// Active reports whether t can authenticate at now.
func (t SensorToken) Active(now time.Time) bool {
	return t.RevokedAt.IsZero() && now.Before(t.ExpiresAt)
}

// hashToken is the stored form of a sensor token.
func hashToken(raw string) string {
	sum := sha256.Sum256([]byte(raw))
	return hex.EncodeToString(sum[:])
}

// IssueSensorToken issues a sensor token bound to approval approvalID,
// which must be active (not revoked, not expired), for an analyst. It
// returns the raw token, shown this once, and the token as listed. name
// says where the sensor runs (one line, required).
func (s *Service) IssueSensorToken(ctx context.Context, p *auth.Principal, approvalID, name string) (string, SensorToken, error) {
	name = strings.TrimSpace(name)
	if err := textfield.CheckLine("name", name, true); err != nil {
		return "", SensorToken{}, err
	}
	if !isAnalyst(p) {
		return "", SensorToken{}, fmt.Errorf("only the Cabinet Office issues sensor tokens: %w", ErrForbidden)
	}
	var secret [32]byte
	if _, err := rand.Read(secret[:]); err != nil {
		return "", SensorToken{}, fmt.Errorf("issue sensor token: %w", err)
	}
	raw := SensorTokenPrefix + base64.RawURLEncoding.EncodeToString(secret[:])
	var t SensorToken
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		a, err := getApproval(ctx, tx, approvalID)
		if err != nil {
			return err
		}
		now := s.now()
		a.derive(now)
		if a.State != ApprovalActive {
			return fmt.Errorf("approval %s is %s: sensor tokens are issued only for an active approval: %w", a.ID, a.State, ErrConflict)
		}
		t = SensorToken{ID: newID("stk_"), ApprovalID: a.ID, Name: name, CreatedBy: p.UserID, CreatedAt: now, ExpiresAt: a.ValidUntil}
		data, err := encode(t)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO ovs_sensor_tokens (id, token_hash, approval_id, created_at, data) VALUES (?, ?, ?, ?, ?)",
			t.ID, hashToken(raw), t.ApprovalID, store.FormatTime(now), data); err != nil {
			return fmt.Errorf("record sensor token: %w", err)
		}
		return s.audit(ctx, tx, p, "sensor_token.issue", "sensor_token/"+t.ID, t)
	})
	if err != nil {
		return "", SensorToken{}, err
	}
	return raw, t, nil
}

// SensorTokens lists the sensor tokens of approval approvalID, newest
// first, for an analyst.
func (s *Service) SensorTokens(ctx context.Context, p *auth.Principal, approvalID string) ([]SensorToken, error) {
	if !isAnalyst(p) {
		return nil, fmt.Errorf("only the Cabinet Office lists sensor tokens: %w", ErrForbidden)
	}
	if _, err := getApproval(ctx, s.db, approvalID); err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, "SELECT data FROM ovs_sensor_tokens WHERE approval_id = ? ORDER BY created_at DESC, id", approvalID)
	if err != nil {
		return nil, fmt.Errorf("list sensor tokens: %w", err)
	}
	defer rows.Close()
	var out []SensorToken
	for rows.Next() {
		var data string
		var t SensorToken
		if err := rows.Scan(&data); err != nil {
			return nil, fmt.Errorf("list sensor tokens: %w", err)
		}
		if err := decode(data, &t); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeSensorToken revokes token tokenID of approval approvalID with a
// reason, for an analyst.
func (s *Service) RevokeSensorToken(ctx context.Context, p *auth.Principal, approvalID, tokenID, reason string) (SensorToken, error) {
	reason = strings.TrimSpace(reason)
	if err := textfield.Check("reason", reason, maxText, true); err != nil {
		return SensorToken{}, err
	}
	if !isAnalyst(p) {
		return SensorToken{}, fmt.Errorf("only the Cabinet Office revokes sensor tokens: %w", ErrForbidden)
	}
	var t SensorToken
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		var data string
		err := tx.QueryRow(ctx, "SELECT data FROM ovs_sensor_tokens WHERE id = ? AND approval_id = ?", tokenID, approvalID).Scan(&data)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("sensor token %q of approval %q: %w", tokenID, approvalID, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("read sensor token: %w", err)
		}
		if err := decode(data, &t); err != nil {
			return err
		}
		if !t.RevokedAt.IsZero() {
			return fmt.Errorf("sensor token %s was already revoked at %s: %w", t.ID, stamp(t.RevokedAt), ErrConflict)
		}
		return s.revokeToken(ctx, tx, p, &t, reason)
	})
	return t, err
}

func (s *Service) revokeToken(ctx context.Context, tx *store.Tx, p *auth.Principal, t *SensorToken, reason string) error {
	t.RevokedAt, t.RevokeReason, t.RevokedBy = s.now(), reason, "system"
	if p != nil {
		t.RevokedBy = p.UserID
	}
	data, err := encode(t)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "UPDATE ovs_sensor_tokens SET data = ? WHERE id = ?", data, t.ID); err != nil {
		return fmt.Errorf("revoke sensor token %s: %w", t.ID, err)
	}
	return s.audit(ctx, tx, p, "sensor_token.revoke", "sensor_token/"+t.ID, t)
}

// revokeTokensOf revokes every unrevoked sensor token of an approval
// inside tx.
func (s *Service) revokeTokensOf(ctx context.Context, tx *store.Tx, p *auth.Principal, approvalID, reason string) error {
	rows, err := tx.Query(ctx, "SELECT data FROM ovs_sensor_tokens WHERE approval_id = ? ORDER BY created_at, id", approvalID)
	if err != nil {
		return fmt.Errorf("list sensor tokens: %w", err)
	}
	var open []SensorToken
	for rows.Next() {
		var data string
		var t SensorToken
		if err := rows.Scan(&data); err != nil {
			rows.Close()
			return fmt.Errorf("list sensor tokens: %w", err)
		}
		if err := decode(data, &t); err != nil {
			rows.Close()
			return err
		}
		if t.RevokedAt.IsZero() {
			open = append(open, t)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list sensor tokens: %w", err)
	}
	for i := range open {
		if err := s.revokeToken(ctx, tx, p, &open[i], reason); err != nil {
			return err
		}
	}
	return nil
}

// errSensorToken is why a sensor token does not authenticate; it wraps
// auth.ErrUnauthenticated and never holds the token.
func errSensorToken(why string) error {
	return fmt.Errorf("sensor token %s: %w", why, auth.ErrUnauthenticated)
}

// ResolveSensorToken authenticates a sensor token (the raw value after
// "Bearer "). It returns the principal of a sensor bound to the token's
// approval, &auth.Principal{Sensor: approvalID, Via: auth.ViaToken}, when
// the token exists, is neither revoked nor expired, and its approval is
// active (not revoked, not expired). Otherwise the error wraps
// auth.ErrUnauthenticated; any other error means the check could not be
// made. Neither the token nor its hash is ever logged or put in an error.
func (s *Service) ResolveSensorToken(ctx context.Context, token string) (*auth.Principal, error) {
	if !strings.HasPrefix(token, SensorTokenPrefix) || len(token) != len(SensorTokenPrefix)+43 {
		return nil, errSensorToken("malformed")
	}
	var data, apvData string
	err := s.db.QueryRow(ctx, `SELECT t.data, a.data FROM ovs_sensor_tokens t JOIN ovs_approvals a ON a.id = t.approval_id WHERE t.token_hash = ?`,
		hashToken(token)).Scan(&data, &apvData)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errSensorToken("unknown")
	}
	if err != nil {
		return nil, fmt.Errorf("resolve sensor token: %w", err)
	}
	var t SensorToken
	var a Approval
	if err := decode(data, &t); err != nil {
		return nil, err
	}
	if err := decode(apvData, &a); err != nil {
		return nil, err
	}
	now := s.now()
	a.derive(now)
	switch {
	case !t.RevokedAt.IsZero():
		return nil, errSensorToken(t.ID + " revoked")
	case !now.Before(t.ExpiresAt):
		return nil, errSensorToken(t.ID + " expired")
	case a.State != ApprovalActive:
		return nil, errSensorToken(t.ID + ": approval " + a.ID + " is " + string(a.State))
	}
	return &auth.Principal{Sensor: a.ID, Via: auth.ViaToken}, nil
}
