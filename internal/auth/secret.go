package auth

import (
	"fmt"

	"github.com/acd-platform/acd/internal/keys"
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
