package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/acd-platform/acd/internal/store"
)

// TokenPrefix starts every API token, so that secret scanners recognise
// leaked ones: "acd_" followed by 43 base64url characters (256 bits).
const TokenPrefix = "acd_"

// Token is an API token as listed: never its secret.
type Token struct {
	ID        string    `json:"id"`
	UserID    string    `json:"user_id"`
	Name      string    `json:"name"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	RevokedAt time.Time `json:"revoked_at,omitzero"`
	RevokedBy string    `json:"revoked_by,omitempty"`
	// MFABacked is true when the token was made from a session that passed
	// a second factor or by the server's command line. Only such a token
	// acts with its user's privileged roles (see the package comment).
	// Omitted when false, so that audit entries of tokens made before the
	// field existed still match their records.
	MFABacked bool `json:"mfa_backed,omitempty"`
}

// Active reports whether t can authenticate at now.
func (t Token) Active(now time.Time) bool { return t.RevokedAt.IsZero() && now.Before(t.ExpiresAt) }

// tokenRecord is what the audit log's digest covers for "token/ID": the
// token as listed and a fingerprint of its stored hash ("credential"), never
// the hash itself, so that a hash replaced behind the service's back (a
// database writer's own token for someone else's row) fails the log's data
// check. It is kept apart from Token, which is also an API response.
type tokenRecord struct {
	Token
	Credential string `json:"credential"`
}

func tokenPayload(t Token, tokenHash string) tokenRecord {
	return tokenRecord{Token: t, Credential: fingerprint(tokenHash)}
}

const (
	tokenCols    = "id, user_id, name, created_by, created_at, expires_at, revoked_at, revoked_by, mfa_backed"
	tokenRecCols = tokenCols + ", token_hash"
	insertToken  = "INSERT INTO auth_tokens (id, token_hash, user_id, name, created_by, created_at, expires_at, mfa_backed) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)

func scanToken(r scanner) (Token, error) {
	var t Token
	var created, expires, revoked string
	var mfa int
	if err := r.Scan(&t.ID, &t.UserID, &t.Name, &t.CreatedBy, &created, &expires, &revoked, &t.RevokedBy, &mfa); err != nil {
		return Token{}, err
	}
	t.MFABacked = mfa != 0
	t.CreatedAt, t.ExpiresAt, t.RevokedAt = parseTime(created), parseTime(expires), parseTime(revoked)
	return t, nil
}

// scanTokenRecord scans tokenRecCols into the audit payload.
func scanTokenRecord(r scanner) (tokenRecord, error) {
	var t Token
	var created, expires, revoked, hash string
	var mfa int
	if err := r.Scan(&t.ID, &t.UserID, &t.Name, &t.CreatedBy, &created, &expires, &revoked, &t.RevokedBy, &mfa, &hash); err != nil {
		return tokenRecord{}, err
	}
	t.MFABacked = mfa != 0
	t.CreatedAt, t.ExpiresAt, t.RevokedAt = parseTime(created), parseTime(expires), parseTime(revoked)
	return tokenPayload(t, hash), nil
}

// CreateToken makes an API token for userID that expires after ttl (required,
// at most Config.MaxTokenTTL) and returns the raw token, which is shown once
// and stored only as a hash.
//
// A token for a user holding a privileged role can be created only by an
// actor that passed a second factor (a session with MFA), since the token
// will act without one; otherwise it returns an error wrapping ErrForbidden.
// The server's command line counts as such an actor only until two accounts
// have held the admin role (the bootstrap); after that it gets ErrForbidden
// for a privileged user, and its tokens for others are not MFA-backed, so
// that a shell on the server never yields a privileged token.
//
// The token records whether actor was such a session or the command line
// during the bootstrap (Token.MFABacked). A token that is not MFA-backed
// never acts with a privileged role, even one granted to its user after it
// was made.
func (s *Service) CreateToken(ctx context.Context, actor *Principal, userID, name string, ttl time.Duration) (string, Token, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 100 {
		return "", Token{}, fmt.Errorf("%w: token name must be 1-100 characters", ErrInvalid)
	}
	if ttl <= 0 {
		return "", Token{}, fmt.Errorf("%w: a token needs an expiry", ErrInvalid)
	}
	if ttl > s.cfg.MaxTokenTTL {
		return "", Token{}, fmt.Errorf("%w: token lifetime %v exceeds the maximum %v", ErrInvalid, ttl, s.cfg.MaxTokenTTL)
	}
	raw := TokenPrefix + newSecret()
	now := s.stamp()
	t := Token{ID: newID("tok_"), UserID: userID, Name: name, CreatedBy: actorID(actor), CreatedAt: now, ExpiresAt: now.Add(ttl),
		MFABacked: mfaBacked(actor)}
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		u, err := s.userRow(ctx, tx, userID)
		if err != nil {
			return err
		}
		if u.Disabled {
			return fmt.Errorf("%w: user %s is disabled", ErrInvalid, u.Username)
		}
		if actor != nil && actor.Via == ViaCLI {
			done, err := bootstrapDone(ctx, tx)
			if err != nil {
				return err
			}
			if done && u.Privileged() {
				return fmt.Errorf("%w: a token for a privileged account is made by its user, from a session with a second factor: the command line makes them only until two admins exist", ErrForbidden)
			}
			t.MFABacked = !done
		}
		if u.Privileged() && actor != nil && !t.MFABacked {
			return fmt.Errorf("%w: a token for a privileged account needs a session with a second factor", ErrForbidden)
		}
		h := hashSecret(raw)
		if _, err := tx.Exec(ctx, insertToken, t.ID, h, t.UserID, t.Name, t.CreatedBy,
			store.FormatTime(t.CreatedAt), store.FormatTime(t.ExpiresAt), boolInt(t.MFABacked)); err != nil {
			return fmt.Errorf("create token: %w", err)
		}
		return s.audit(ctx, tx, actor, "token.create", "token/"+t.ID, tokenPayload(t, h))
	})
	if err != nil {
		return "", Token{}, err
	}
	return raw, t, nil
}

// mfaBacked reports whether a token made by actor stands on a second factor:
// actor is a session that passed TOTP, or the server's command line (which
// CreateToken holds to the bootstrap). A token principal is not, whatever
// its own token was: a token does not vouch for the next one.
func mfaBacked(actor *Principal) bool {
	return actor != nil && (actor.Via == ViaCLI || (actor.Via == ViaSession && actor.MFA))
}

// RevokeToken revokes the token with id. Revoking a revoked token does
// nothing. Whether actor may revoke it (their own, or TokenAdmin) is the
// handler's check, with Token.
func (s *Service) RevokeToken(ctx context.Context, actor *Principal, id string) error {
	return s.db.Tx(ctx, func(tx *store.Tx) error {
		t, err := scanTokenRecord(tx.QueryRow(ctx, "SELECT "+tokenRecCols+" FROM auth_tokens WHERE id = ?", id))
		if err != nil {
			return notFound("token", id, err)
		}
		if !t.RevokedAt.IsZero() {
			return nil
		}
		t.RevokedAt, t.RevokedBy = s.stamp(), actorID(actor)
		if _, err := tx.Exec(ctx, "UPDATE auth_tokens SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at = ''",
			store.FormatTime(t.RevokedAt), t.RevokedBy, id); err != nil {
			return fmt.Errorf("revoke token: %w", err)
		}
		return s.audit(ctx, tx, actor, "token.revoke", "token/"+t.ID, t)
	})
}

// revokeTokens revokes userID's unrevoked tokens in tx, auditing each.
func (s *Service) revokeTokens(ctx context.Context, tx *store.Tx, actor *Principal, userID string, now time.Time) error {
	rows, err := tx.Query(ctx, "SELECT "+tokenRecCols+" FROM auth_tokens WHERE user_id = ? AND revoked_at = ''", userID)
	if err != nil {
		return fmt.Errorf("revoke tokens: %w", err)
	}
	var live []tokenRecord
	for rows.Next() {
		t, err := scanTokenRecord(rows)
		if err != nil {
			rows.Close()
			return fmt.Errorf("revoke tokens: %w", err)
		}
		live = append(live, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("revoke tokens: %w", err)
	}
	for _, t := range live {
		t.RevokedAt, t.RevokedBy = now, actorID(actor)
		if _, err := tx.Exec(ctx, "UPDATE auth_tokens SET revoked_at = ?, revoked_by = ? WHERE id = ?",
			store.FormatTime(now), t.RevokedBy, t.ID); err != nil {
			return fmt.Errorf("revoke token: %w", err)
		}
		if err := s.audit(ctx, tx, actor, "token.revoke", "token/"+t.ID, t); err != nil {
			return err
		}
	}
	return nil
}

// Token returns the token with id (without its secret).
func (s *Service) Token(ctx context.Context, id string) (Token, error) {
	t, err := scanToken(s.db.QueryRow(ctx, "SELECT "+tokenCols+" FROM auth_tokens WHERE id = ?", id))
	if err != nil {
		return Token{}, notFound("token", id, err)
	}
	return t, nil
}

// Tokens lists userID's tokens, revoked and expired ones included, newest
// first.
func (s *Service) Tokens(ctx context.Context, userID string) ([]Token, error) {
	rows, err := s.db.Query(ctx, "SELECT "+tokenCols+" FROM auth_tokens WHERE user_id = ? ORDER BY created_at DESC, id", userID)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("list tokens: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func (s *Service) authenticateToken(ctx context.Context, raw string) (*Principal, error) {
	if !strings.HasPrefix(raw, TokenPrefix) || len(raw) > 128 {
		return nil, ErrUnauthenticated
	}
	t, err := scanToken(s.db.QueryRow(ctx, "SELECT "+tokenCols+" FROM auth_tokens WHERE token_hash = ?", hashSecret(raw)))
	if err != nil {
		if errors.Is(notFound("token", "", err), ErrNotFound) {
			return nil, ErrUnauthenticated
		}
		return nil, fmt.Errorf("authenticate token: %w", err)
	}
	if !t.Active(s.now()) {
		return nil, ErrUnauthenticated
	}
	p, err := s.principal(ctx, t.UserID)
	if err != nil {
		return nil, err
	}
	p.Via, p.MFA = ViaToken, t.MFABacked
	return p, nil
}
