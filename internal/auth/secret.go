package auth

import (
	"context"
	"fmt"
	"strings"

	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/store"
)

// TOTP secrets are kept in the database only sealed with the keys.SecretBox
// key (AES-256-GCM), each bound to the row and column it belongs to, so that
// a copy of the database alone yields no secret and a sealed value moved to
// another user's row does not open there.

// totpContext binds a user's TOTP secret (auth_users.totp_secret).
func totpContext(userID string) string { return "totp/" + userID }

// issuedContext binds a secret issued at ConfirmGrant and not yet used
// (auth_users.totp_issued).
func issuedContext(userID string) string { return "totp-issued/" + userID }

// enrolContext binds a login challenge's enrolment secret
// (auth_challenges.enrol_secret) to the challenge and its user.
func enrolContext(userID, challengeHash string) string {
	return "enrol/" + userID + "/" + challengeHash
}

// seal seals a base32 TOTP secret for context with the current SecretBox key.
func (s *Service) seal(secret, context string) (string, error) {
	k, err := s.keys.Current(keys.SecretBox)
	if err != nil {
		return "", fmt.Errorf("seal TOTP secret: %w", err)
	}
	sealed, err := k.Seal([]byte(secret), context)
	if err != nil {
		return "", fmt.Errorf("seal TOTP secret: %w", err)
	}
	return sealed, nil
}

// open opens a value made by seal for the same context. An error wraps
// keys.ErrSealed when the value was made for another context or key.
func (s *Service) open(sealed, context string) (string, error) {
	b, err := s.keys.OpenSealed(sealed, context)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// sealed reports whether a stored secret is sealed: "keyid.base64". A base32
// secret stored in clear by an earlier version has no dot.
func sealed(v string) bool { return strings.Contains(v, ".") }

// sealClearSecrets seals the TOTP secrets that a version before sealing
// stored in clear, appending an "account.totp_seal" entry for each user, as
// the stored credential (and so the user's credential digest) changes.
func (s *Service) sealClearSecrets(ctx context.Context) error {
	return s.db.Tx(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(ctx, "SELECT id FROM auth_users WHERE totp_secret <> '' AND totp_secret NOT LIKE '%.%'")
		if err != nil {
			return fmt.Errorf("seal TOTP secrets: %w", err)
		}
		var ids []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return fmt.Errorf("seal TOTP secrets: %w", err)
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("seal TOTP secrets: %w", err)
		}
		for _, id := range ids {
			u, err := s.userRow(ctx, tx, id)
			if err != nil {
				return err
			}
			v, err := s.seal(u.totpSecret, totpContext(u.ID))
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "UPDATE auth_users SET totp_secret = ? WHERE id = ?", v, u.ID); err != nil {
				return fmt.Errorf("seal TOTP secret of %s: %w", u.Username, err)
			}
			u.totpSecret = v
			if err := s.audit(ctx, tx, nil, "account.totp_seal", "user/"+u.ID, userPayload(u)); err != nil {
				return err
			}
		}
		if len(ids) > 0 {
			s.logger.Info("sealed TOTP secrets stored in clear", "users", len(ids))
		}
		return nil
	})
}
