package auth

import (
	"context"
	"fmt"

	"github.com/acd-platform/acd/internal/store"
)

// Two-person rule for credentials. A user's two factors must not both come
// from one admin: the admin who set a user's password (at creation or by a
// reset) may not issue that user's TOTP secret, and the admin who issued the
// secret may not reset the password. Otherwise one admin could hold both and
// log in as a privileged user alone. The user's own changes are not limited.

// setCredentialParty records who set a credential column ("password_set_by"
// or "totp_issued_by") of userID: the acting admin, or "" when the user (or
// the system) did it.
func setCredentialParty(ctx context.Context, tx *store.Tx, column, userID string, actor *Principal) error {
	by := ""
	if actor != nil && actor.UserID != userID {
		by = party(actor.UserID)
		if by != "cli" {
			by = actor.UserID
		}
	}
	_, err := tx.Exec(ctx, "UPDATE auth_users SET "+column+" = ? WHERE id = ?", by, userID)
	if err != nil {
		return fmt.Errorf("record %s: %w", column, err)
	}
	return nil
}

// checkCredentialParty refuses actor when it set the user's other
// credential (column names it), unless actor is the user.
//
// password_set_by changes only at an admin's reset (SetPassword): a user's
// own change keeps it, so that an admin who chose the password cannot clear
// the mark by changing the password again while logged in as the user.
func checkCredentialParty(ctx context.Context, tx *store.Tx, column string, u userRow, actor *Principal) error {
	if actor == nil || actor.UserID == u.ID {
		return nil
	}
	var by string
	if err := tx.QueryRow(ctx, "SELECT "+column+" FROM auth_users WHERE id = ?", u.ID).Scan(&by); err != nil {
		return fmt.Errorf("read %s: %w", column, err)
	}
	if by != "" && party(by) == party(actor.UserID) && (by == "cli" || by == actor.UserID) {
		if column == "totp_issued_by" {
			return fmt.Errorf("%w: the admin who issued %s's TOTP secret cannot also set the password", ErrSameAdmin, u.Username)
		}
		return fmt.Errorf("%w: the admin who set %s's password cannot also issue the TOTP secret", ErrSameAdmin, u.Username)
	}
	return nil
}

// ReissueTOTP replaces the TOTP secret of a user who lost their
// authenticator: the old secret stops working at once, the user's sessions
// end and API tokens are revoked (each audited), and a new secret is issued to actor, the second admin, to hand to the
// user in person (shown this once). The user's first correct code at login
// activates it. actor must be another admin (see checkSecondAdmin) and not
// the admin who set the user's password (issueTOTP checks).
//
// It is only for that case: the user must hold an active privileged role
// and an activated secret, otherwise it returns an error wrapping
// ErrInvalid. A user without an activated secret gets one when a second
// admin confirms a privileged role (ConfirmGrant); re-issuing earlier would
// let an admin hold the secret of an account whose password they chose,
// before any role is confirmed.
func (s *Service) ReissueTOTP(ctx context.Context, actor *Principal, userID string) (*Enrolment, error) {
	if actor == nil || actor.UserID == "" || actor.Disabled {
		return nil, ErrForbidden
	}
	if actor.UserID == userID {
		return nil, ErrSelfGrant
	}
	var enr *Enrolment
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		if err := s.checkSecondAdmin(ctx, tx, actor); err != nil {
			return err
		}
		u, err := s.userRow(ctx, tx, userID)
		if err != nil {
			return err
		}
		if u.Disabled {
			return fmt.Errorf("%w: user %s is disabled", ErrInvalid, u.Username)
		}
		if !u.Privileged() || u.totpSecret == "" {
			return fmt.Errorf("%w: user %s holds no privileged role with an activated TOTP secret: a secret is issued when a second admin confirms a privileged role", ErrInvalid, u.Username)
		}
		if _, err := tx.Exec(ctx, "UPDATE auth_users SET totp_secret = '', totp_issued = '' WHERE id = ?", u.ID); err != nil {
			return fmt.Errorf("reissue TOTP secret: %w", err)
		}
		u.totpSecret, u.totpIssued, u.TOTPEnrolled = "", "", false
		if enr, err = s.issueTOTP(ctx, tx, actor, u); err != nil {
			return err
		}
		now := s.stamp()
		if err := s.revokeSessions(ctx, tx, actor, u.ID, now); err != nil {
			return err
		}
		return s.revokeTokens(ctx, tx, actor, u.ID, now)
	})
	if err != nil {
		return nil, err
	}
	return enr, nil
}
