package auth

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"

	"github.com/acd-platform/acd/internal/store"
)

// SessionCookie is the name of the browser session cookie.
const SessionCookie = "acd_session"

// totpPeriod is the RFC 6238 time step; codes of the previous and next step
// are accepted too, for clock drift.
const totpPeriod = 30

// maxTOTPAttempts is how many wrong codes a challenge survives.
const maxTOTPAttempts = 5

// Session is a browser session. Token is the raw secret, set only on the
// Session returned at login (the database holds its SHA-256); it goes into
// the cookie and nowhere else.
type Session struct {
	ID        string
	UserID    string
	Token     string
	CSRFToken string
	// MFA is true when the login passed a TOTP code.
	MFA       bool
	CreatedAt time.Time
	ExpiresAt time.Time
}

// LogValue redacts the token and CSRF token.
func (s Session) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", s.ID), slog.String("user", s.UserID),
		slog.Bool("mfa", s.MFA), slog.Time("expires", s.ExpiresAt))
}

// Challenge is the second step of a privileged user's login: the client
// sends Token back with a TOTP code to CompleteTOTP before ExpiresAt.
type Challenge struct {
	Token     string
	ExpiresAt time.Time
	// Enrolment is set when the user has no TOTP secret yet and may enrol
	// one (see ConfirmGrant): show it (as a QR code of URL, and the secret
	// for manual entry); the first valid code confirms it. A user whose
	// secret was issued at ConfirmGrant gets no Enrolment: the code must
	// come from the issued secret.
	Enrolment *Enrolment
}

// LogValue redacts the token and any enrolment secret.
func (c Challenge) LogValue() slog.Value {
	return slog.GroupValue(slog.Time("expires", c.ExpiresAt), slog.Bool("enrolment", c.Enrolment != nil))
}

// Enrolment is a freshly generated TOTP secret awaiting its first code: at
// a first login, or issued by ConfirmGrant to the confirming admin.
type Enrolment struct {
	// Secret is the base32 secret.
	Secret string
	// URL is the otpauth:// key URI for authenticator apps.
	URL string
}

// LogValue redacts the secret.
func (e Enrolment) LogValue() slog.Value { return slog.StringValue("REDACTED") }

// LoginResult is the outcome of a correct password: a Session for users
// without privileged roles, or a Challenge for those with one.
type LoginResult struct {
	Session   *Session
	Challenge *Challenge
}

// LogValue redacts the secrets of the session or challenge.
func (r LoginResult) LogValue() slog.Value {
	var attrs []slog.Attr
	if r.Session != nil {
		attrs = append(attrs, slog.Any("session", r.Session.LogValue()))
	}
	if r.Challenge != nil {
		attrs = append(attrs, slog.Any("challenge", r.Challenge.LogValue()))
	}
	return slog.GroupValue(attrs...)
}

// PasswordLogin checks a username and password. For a user without an active
// privileged role it starts a session. For one with a privileged role it
// returns a Challenge instead, carrying a TOTP enrolment when the user has no
// TOTP secret yet; CompleteTOTP finishes the login.
//
// It returns ErrRateLimited while the username or remoteAddr has too many
// recent failures (see Config), and ErrBadCredentials for an unknown user, a
// wrong password or a disabled account alike, taking about the same time for
// each.
func (s *Service) PasswordLogin(ctx context.Context, username, password, remoteAddr string) (LoginResult, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	if len(username) > 64 {
		username = username[:64] // cannot exist; bounds the rate-limit key
	}
	if s.loginBlocked(username, remoteAddr) {
		return LoginResult{}, ErrRateLimited
	}
	u, err := scanUser(s.db.QueryRow(ctx, "SELECT "+userCols+" FROM auth_users WHERE username = ?", username))
	if errors.Is(err, sql.ErrNoRows) {
		s.verify(ctx, s.dummyHash, password)
		s.loginFailed(username, remoteAddr, false)
		return LoginResult{}, ErrBadCredentials
	}
	if err != nil {
		return LoginResult{}, fmt.Errorf("login: %w", err)
	}
	ok, err := s.verify(ctx, u.passwordHash, password)
	if err != nil {
		return LoginResult{}, fmt.Errorf("login %s: %w", username, err)
	}
	if !ok || u.Disabled {
		s.loginFailed(username, remoteAddr, true)
		return LoginResult{}, ErrBadCredentials
	}
	if u.Roles, err = activeRoles(ctx, s.db, u.ID); err != nil {
		return LoginResult{}, fmt.Errorf("login: %w", err)
	}
	s.maybeRehash(ctx, u, password)
	if u.Privileged() {
		c, err := s.newChallenge(ctx, u)
		if err != nil {
			return LoginResult{}, err
		}
		return LoginResult{Challenge: c}, nil
	}
	var sess *Session
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		sess, err = s.createSession(ctx, tx, u, false, remoteAddr)
		return err
	})
	if err != nil {
		return LoginResult{}, err
	}
	s.limiter.reset(userKey(username))
	return LoginResult{Session: sess}, nil
}

// maybeRehash replaces a hash made with other parameters than the configured
// ones. Failure only logs: the login itself succeeded. The audit entry is on
// "user/ID" and so carries the user payload, like every entry on the user,
// which is what the "user" resolver returns.
func (s *Service) maybeRehash(ctx context.Context, u userRow, password string) {
	p, err := PasswordParams(u.passwordHash)
	want := s.cfg.Argon2
	if err != nil || (p.Memory == want.Memory && p.Time == want.Time && p.Threads == want.Threads && p.KeyLen == want.KeyLen) {
		return
	}
	hash, err := s.hash(ctx, password)
	if err == nil {
		err = s.db.Tx(ctx, func(tx *store.Tx) error {
			// The hash changes, the password does not: password_changed_at stays.
			res, err := tx.Exec(ctx, "UPDATE auth_users SET password_hash = ? WHERE id = ? AND password_hash = ?", hash, u.ID, u.passwordHash)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return nil // the password changed meanwhile; nothing to rehash
			}
			// Read back what the entry must match, in this transaction.
			cur, err := s.userRow(ctx, tx, u.ID)
			if err != nil {
				return err
			}
			return s.audit(ctx, tx, &Principal{UserID: u.ID, OrgID: u.OrgID}, "account.password_rehash", "user/"+u.ID, userPayload(cur))
		})
	}
	if err != nil {
		s.logger.Warn("rehash password failed", "user", u.ID, "err", err)
	}
}

// newTOTP generates a TOTP secret for username.
func (s *Service) newTOTP(username string) (*Enrolment, error) {
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer: s.cfg.Issuer, AccountName: username, Period: totpPeriod,
		SecretSize: 20, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1,
	})
	if err != nil {
		return nil, fmt.Errorf("generate TOTP secret: %w", err)
	}
	return &Enrolment{Secret: key.Secret(), URL: key.URL()}, nil
}

// selfEnrols reports whether u, who has no TOTP secret and none issued, may
// enrol one at login: only when every active privileged role of u was
// granted directly (Bootstrap, SeedUser), not confirmed by a second party,
// since a confirmation issues the secret to the confirming admin. An
// account confirmed before issued secrets existed that never enrolled gets
// no enrolment; an admin recreates it.
func (s *Service) selfEnrols(ctx context.Context, u userRow) (bool, error) {
	gs, err := s.Grants(ctx, u.ID)
	if err != nil {
		return false, err
	}
	for _, g := range gs {
		if g.State == GrantActive && g.Role.Privileged() && g.ConfirmedBy != g.RequestedBy {
			return false, nil
		}
	}
	return true, nil
}

// newChallenge stores a login challenge for u. Challenges are transient
// login state and are not audited; the session they lead to is.
func (s *Service) newChallenge(ctx context.Context, u userRow) (*Challenge, error) {
	now := s.stamp()
	c := &Challenge{Token: newSecret(), ExpiresAt: now.Add(s.cfg.ChallengeTTL)}
	h := hashSecret(c.Token)
	var enrolSecret string // sealed
	if u.totpSecret == "" && u.totpIssued == "" {
		ok, err := s.selfEnrols(ctx, u)
		if err != nil {
			return nil, fmt.Errorf("login: %w", err)
		}
		if !ok {
			s.logger.Warn("privileged account has no TOTP secret and none issued; its login cannot complete: disable it and create it again so that the confirming admin issues one",
				"username", u.Username)
		} else {
			if c.Enrolment, err = s.newTOTP(u.Username); err != nil {
				return nil, fmt.Errorf("login: %w", err)
			}
			if enrolSecret, err = s.seal(c.Enrolment.Secret, enrolContext(u.ID, h)); err != nil {
				return nil, fmt.Errorf("login: %w", err)
			}
		}
	}
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM auth_challenges WHERE expires_at < ?", store.FormatTime(now)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "INSERT INTO auth_challenges (token_hash, user_id, enrol_secret, attempts, created_at, expires_at) VALUES (?, ?, ?, 0, ?, ?)",
			h, u.ID, enrolSecret, store.FormatTime(now), store.FormatTime(c.ExpiresAt))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("login: store challenge: %w", err)
	}
	return c, nil
}

// CompleteTOTP finishes a privileged login: it checks code (RFC 6238, 30 s
// steps, one step of drift either way, each step usable once per user) for
// the challenge and starts a session with MFA. For an enrolment challenge
// the secret is saved on the user.
//
// Errors: ErrChallengeExpired when the challenge is unknown, expired, used,
// or spent by too many wrong codes; ErrBadTOTP for a wrong or reused code
// (the challenge may be tried again); ErrRateLimited as for PasswordLogin.
func (s *Service) CompleteTOTP(ctx context.Context, challenge, code, remoteAddr string) (*Session, error) {
	var sess *Session
	var outcome error // a refusal that still commits (attempt counts)
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		h := hashSecret(challenge)
		var userID, enrolSecret, expires string
		var attempts int
		err := tx.QueryRow(ctx, "SELECT user_id, enrol_secret, attempts, expires_at FROM auth_challenges WHERE token_hash = ?", h).
			Scan(&userID, &enrolSecret, &attempts, &expires)
		if errors.Is(err, sql.ErrNoRows) {
			outcome = ErrChallengeExpired
			return nil
		}
		if err != nil {
			return fmt.Errorf("read challenge: %w", err)
		}
		now := s.now()
		u, err := s.userRow(ctx, tx, userID)
		if err != nil {
			return err
		}
		if !now.Before(parseTime(expires)) || u.Disabled {
			outcome = ErrChallengeExpired
			_, err := tx.Exec(ctx, "DELETE FROM auth_challenges WHERE token_hash = ?", h)
			return err
		}
		if s.loginBlocked(u.Username, remoteAddr) {
			outcome = ErrRateLimited
			return nil
		}
		// The code is checked against the user's secret; else the secret
		// issued at ConfirmGrant; else the challenge's enrolment secret
		// (which an issued secret overrides). action names the first use
		// of an issued or enrolment secret, which becomes the user's.
		var sealedSecret, bind, action string
		switch {
		case u.totpSecret != "":
			sealedSecret, bind = u.totpSecret, totpContext(u.ID)
		case u.totpIssued != "":
			sealedSecret, bind, action = u.totpIssued, issuedContext(u.ID), "account.totp_activate"
		case enrolSecret != "":
			sealedSecret, bind, action = enrolSecret, enrolContext(u.ID, h), "account.totp_enrol"
		}
		var secret string
		if sealedSecret != "" {
			secret, err = s.open(sealedSecret, bind)
			if err != nil {
				// A damaged value, or one moved from another row: no
				// code matches it.
				s.logger.Warn("TOTP secret does not open", "user", u.ID, "err", err)
				secret = ""
			}
		}
		// stored and issued are the user's columns after this login.
		stored, issued := u.totpSecret, u.totpIssued
		step, ok := matchTOTP(secret, code, now, u.totpLastStep)
		if ok && action != "" {
			if stored, err = s.seal(secret, totpContext(u.ID)); err != nil {
				return err
			}
			issued = ""
		}
		if ok {
			// The conditions make two concurrent uses of one code, or two
			// first uses, race to a single winner.
			res, err := tx.Exec(ctx, `UPDATE auth_users SET totp_secret = ?, totp_issued = ?, totp_last_step = ?
				WHERE id = ? AND totp_last_step < ? AND totp_secret = ? AND totp_issued = ?`,
				stored, issued, step, u.ID, step, u.totpSecret, u.totpIssued)
			if err != nil {
				return fmt.Errorf("record TOTP step: %w", err)
			}
			n, _ := res.RowsAffected()
			ok = n == 1
		}
		if !ok {
			outcome = ErrBadTOTP
			s.loginFailed(u.Username, remoteAddr, true)
			if attempts+1 >= maxTOTPAttempts {
				_, err = tx.Exec(ctx, "DELETE FROM auth_challenges WHERE token_hash = ?", h)
			} else {
				_, err = tx.Exec(ctx, "UPDATE auth_challenges SET attempts = attempts + 1 WHERE token_hash = ?", h)
			}
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM auth_challenges WHERE token_hash = ?", h); err != nil {
			return fmt.Errorf("use challenge: %w", err)
		}
		if action != "" {
			u.TOTPEnrolled, u.totpSecret, u.totpIssued = true, stored, issued
			if err := s.audit(ctx, tx, &Principal{UserID: u.ID, OrgID: u.OrgID}, action, "user/"+u.ID, userPayload(u)); err != nil {
				return err
			}
		}
		sess, err = s.createSession(ctx, tx, u, true, remoteAddr)
		return err
	})
	if err != nil {
		return nil, err
	}
	if outcome != nil {
		return nil, outcome
	}
	if u, err := s.User(ctx, sess.UserID); err == nil {
		s.limiter.reset(userKey(u.Username))
	}
	return sess, nil
}

// matchTOTP returns the time step within one step of now whose code is code
// and which is later than lastStep (so a code is never accepted twice).
func matchTOTP(secret, code string, now time.Time, lastStep int64) (int64, bool) {
	if len(code) != 6 || secret == "" {
		return 0, false
	}
	cur := now.Unix() / totpPeriod
	for step := cur - 1; step <= cur+1; step++ {
		if step <= lastStep {
			continue
		}
		want, err := hotp.GenerateCodeCustom(secret, uint64(step), hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step, true
		}
	}
	return 0, false
}

// createSession stores a new session for u and audits it.
func (s *Service) createSession(ctx context.Context, tx *store.Tx, u userRow, mfa bool, remoteAddr string) (*Session, error) {
	now := s.stamp()
	sess := &Session{ID: newID("ses_"), UserID: u.ID, Token: newSecret(), CSRFToken: newSecret(), MFA: mfa,
		CreatedAt: now, ExpiresAt: now.Add(s.cfg.SessionTTL)}
	_, err := tx.Exec(ctx, `INSERT INTO auth_sessions (id, token_hash, user_id, csrf_token, mfa, remote_addr, created_at, expires_at, last_seen_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		sess.ID, hashSecret(sess.Token), u.ID, sess.CSRFToken, boolInt(mfa), remoteAddr,
		store.FormatTime(now), store.FormatTime(sess.ExpiresAt), store.FormatTime(now))
	if err != nil {
		return nil, fmt.Errorf("create session: %w", err)
	}
	err = s.audit(ctx, tx, &Principal{UserID: u.ID, OrgID: u.OrgID}, "session.create", "session/"+sess.ID,
		sessionRecord{ID: sess.ID, UserID: u.ID, MFA: mfa, RemoteAddr: remoteAddr, CreatedAt: now, ExpiresAt: sess.ExpiresAt,
			Credential: sessionCredential(hashSecret(sess.Token), sess.CSRFToken)})
	if err != nil {
		return nil, err
	}
	return sess, nil
}

// sessionRecord is what the audit log's digest covers for "session/ID":
// never the token or the CSRF token, but a fingerprint of the stored token
// hash and the CSRF token ("credential"), so that either replaced behind the
// service's back (a database writer taking over a session) fails the log's
// data check.
type sessionRecord struct {
	ID         string    `json:"id"`
	UserID     string    `json:"user_id"`
	MFA        bool      `json:"mfa"`
	RemoteAddr string    `json:"remote_addr"`
	CreatedAt  time.Time `json:"created_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	RevokedAt  time.Time `json:"revoked_at,omitzero"`
	Credential string    `json:"credential"`
}

const sessionCols = "id, user_id, mfa, remote_addr, created_at, expires_at, revoked_at, token_hash, csrf_token"

// sessionCredential fingerprints a session's stored token hash and CSRF
// token for the audit payload.
func sessionCredential(tokenHash, csrf string) string {
	return fingerprint(tokenHash + "\n" + csrf)
}

func scanSession(r scanner) (sessionRecord, error) {
	var rec sessionRecord
	var mfa int
	var created, expires, revoked, hash, csrf string
	if err := r.Scan(&rec.ID, &rec.UserID, &mfa, &rec.RemoteAddr, &created, &expires, &revoked, &hash, &csrf); err != nil {
		return sessionRecord{}, err
	}
	rec.Credential = sessionCredential(hash, csrf)
	rec.MFA = mfa != 0
	rec.CreatedAt, rec.ExpiresAt, rec.RevokedAt = parseTime(created), parseTime(expires), parseTime(revoked)
	return rec, nil
}

// revokeSessions ends userID's live sessions in tx, auditing each.
func (s *Service) revokeSessions(ctx context.Context, tx *store.Tx, actor *Principal, userID string, now time.Time) error {
	rows, err := tx.Query(ctx, "SELECT "+sessionCols+" FROM auth_sessions WHERE user_id = ? AND revoked_at = '' AND expires_at > ?",
		userID, store.FormatTime(now))
	if err != nil {
		return fmt.Errorf("revoke sessions: %w", err)
	}
	var live []sessionRecord
	for rows.Next() {
		rec, err := scanSession(rows)
		if err != nil {
			rows.Close()
			return fmt.Errorf("revoke sessions: %w", err)
		}
		live = append(live, rec)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("revoke sessions: %w", err)
	}
	for _, rec := range live {
		if err := s.revokeSession(ctx, tx, actor, rec, now, "session.revoke"); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) revokeSession(ctx context.Context, tx *store.Tx, actor *Principal, rec sessionRecord, now time.Time, action string) error {
	if _, err := tx.Exec(ctx, "UPDATE auth_sessions SET revoked_at = ? WHERE id = ?", store.FormatTime(now), rec.ID); err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	rec.RevokedAt = now
	return s.audit(ctx, tx, actor, action, "session/"+rec.ID, rec)
}

// Logout revokes the session whose raw token is token. An unknown or already
// ended session is not an error.
func (s *Service) Logout(ctx context.Context, token string) error {
	return s.db.Tx(ctx, func(tx *store.Tx) error {
		rec, err := scanSession(tx.QueryRow(ctx, "SELECT "+sessionCols+" FROM auth_sessions WHERE token_hash = ? AND revoked_at = ''", hashSecret(token)))
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("logout: %w", err)
		}
		var orgID string
		if err := tx.QueryRow(ctx, "SELECT org_id FROM auth_users WHERE id = ?", rec.UserID).Scan(&orgID); err != nil {
			return fmt.Errorf("logout: %w", err)
		}
		return s.revokeSession(ctx, tx, &Principal{UserID: rec.UserID, OrgID: orgID}, rec, s.stamp(), "session.logout")
	})
}

// Cookie returns the session cookie for sess: HttpOnly, SameSite=Lax, Path=/,
// expiring with the session, Secure when the server speaks TLS (secure).
// Lax rather than Strict so that a link to ACD in an e-mail opens signed in;
// unsafe requests are protected by the CSRF token in any case.
func (s *Service) Cookie(sess *Session, secure bool) *http.Cookie {
	return &http.Cookie{
		Name:     SessionCookie,
		Value:    sess.Token,
		Path:     "/",
		Expires:  sess.ExpiresAt,
		MaxAge:   max(1, int(sess.ExpiresAt.Sub(s.now()).Seconds())),
		HttpOnly: true,
		Secure:   secure,
		SameSite: http.SameSiteLaxMode,
	}
}

// ClearCookie returns a cookie that deletes the session cookie, for logout
// and for requests whose cookie Authenticate rejected.
func (s *Service) ClearCookie(secure bool) *http.Cookie {
	return &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode}
}

// touchInterval is how stale a session's last-seen time may get before
// Authenticate writes it (only with an IdleTimeout).
const touchInterval = time.Minute

// Authenticate returns the principal of r, from an "Authorization: Bearer"
// API token if the header is present, else from the session cookie. It
// returns (nil, nil) when r carries neither (the public) and
// ErrUnauthenticated when the credentials are invalid, expired or revoked,
// or the user is disabled. The user, organisation and roles are read afresh
// on every call.
//
// It does not check the CSRF token: for cookie-authenticated unsafe
// requests, the caller compares the request's token with
// Principal.CSRFToken.
func (s *Service) Authenticate(r *http.Request) (*Principal, error) {
	ctx := r.Context()
	if h := r.Header.Get("Authorization"); h != "" {
		raw, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return nil, ErrUnauthenticated
		}
		return s.authenticateToken(ctx, strings.TrimSpace(raw))
	}
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return nil, nil
	}
	return s.authenticateSession(ctx, c.Value)
}

func (s *Service) authenticateSession(ctx context.Context, token string) (*Principal, error) {
	var id, userID, csrf, expires, lastSeen, revoked string
	var mfa int
	err := s.db.QueryRow(ctx, "SELECT id, user_id, csrf_token, mfa, expires_at, last_seen_at, revoked_at FROM auth_sessions WHERE token_hash = ?",
		hashSecret(token)).Scan(&id, &userID, &csrf, &mfa, &expires, &lastSeen, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrUnauthenticated
	}
	if err != nil {
		return nil, fmt.Errorf("authenticate session: %w", err)
	}
	now := s.now()
	if revoked != "" || !now.Before(parseTime(expires)) {
		return nil, ErrUnauthenticated
	}
	if s.cfg.IdleTimeout > 0 {
		seen := parseTime(lastSeen)
		if now.Sub(seen) >= s.cfg.IdleTimeout {
			return nil, ErrUnauthenticated
		}
		if now.Sub(seen) >= touchInterval {
			// Housekeeping, not a state change worth an audit entry.
			if _, err := s.db.Exec(ctx, "UPDATE auth_sessions SET last_seen_at = ? WHERE id = ?", store.FormatTime(now), id); err != nil {
				s.logger.Warn("touch session failed", "session", id, "err", err)
			}
		}
	}
	p, err := s.principal(ctx, userID)
	if err != nil {
		return nil, err
	}
	p.Via, p.MFA, p.CSRFToken = ViaSession, mfa != 0, csrf
	return p, nil
}

// principal builds the principal of userID; ErrUnauthenticated when the user
// is gone or disabled.
func (s *Service) principal(ctx context.Context, userID string) (*Principal, error) {
	u, err := s.userRow(ctx, s.db, userID)
	if errors.Is(err, ErrNotFound) {
		return nil, ErrUnauthenticated
	}
	if err != nil {
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	if u.Disabled {
		return nil, ErrUnauthenticated
	}
	o, err := s.Org(ctx, u.OrgID)
	if err != nil {
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	return &Principal{
		UserID: u.ID, Username: u.Username, OrgID: o.ID, OrgKind: o.Kind,
		Sectors: o.Sectors, Police: o.Police, Roles: u.Roles,
	}, nil
}
