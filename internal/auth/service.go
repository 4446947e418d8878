package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/store"
)

// Errors callers branch on. Handlers map them to responses; any other error is
// a server failure.
var (
	// ErrBadCredentials: the username or password is wrong, or the account
	// is disabled or unknown. Deliberately one error for all of these.
	// Answer 401 and show one message.
	ErrBadCredentials = errors.New("auth: bad username or password")
	// ErrRateLimited: too many failed logins (or checks of the current
	// password) for this username or address recently. Answer 429; the
	// caller may retry after Config.LoginWindow.
	ErrRateLimited = errors.New("auth: too many failed attempts, try again later")
	// ErrBadTOTP: the one-time code is wrong or was already used. The
	// challenge stays valid for another attempt (up to 5). Answer 401.
	ErrBadTOTP = errors.New("auth: wrong or reused one-time code")
	// ErrChallengeExpired: the login challenge is unknown, expired, used up
	// or already completed. Start again from the password.
	ErrChallengeExpired = errors.New("auth: login challenge expired, sign in again")
	// ErrUnauthenticated: the request carried a session cookie or bearer
	// token that is invalid, expired or revoked. Answer 401 (and clear the
	// cookie); do not silently treat it as the public.
	ErrUnauthenticated = errors.New("auth: invalid or expired credentials")
	// ErrForbidden: the actor may not do this (a rule of the Service, not
	// of the route policy). Answer 403.
	ErrForbidden = errors.New("auth: forbidden")
	// ErrSameAdmin: an admin tried to confirm a grant they requested, or a
	// grant of a role to themselves; a second admin must confirm. Answer 403.
	ErrSameAdmin = errors.New("auth: a different admin must confirm this grant")
	// ErrSelfGrant: an actor tried to request or confirm roles for their
	// own account; another admin must act. It wraps ErrSameAdmin, so a
	// caller that answers ErrSameAdmin (403, separation of duties) answers
	// it too.
	ErrSelfGrant = fmt.Errorf("%w: nobody may request or confirm roles for their own account", ErrSameAdmin)
	// ErrDisableSelf: an admin tried to disable their own account. Answer 403.
	ErrDisableSelf = errors.New("auth: admins cannot disable their own account")
	// ErrBootstrapDone: Bootstrap was called after an account (disabled
	// since or not) held the admin role. A second admin is requested and
	// confirmed instead; recovering from the loss of every admin is out of
	// scope.
	ErrBootstrapDone = errors.New("auth: an account has held the admin role already")
	// ErrNotFound: no such organisation, user, grant or token. Answer 404.
	ErrNotFound = errors.New("auth: not found")
	// ErrExists: the username or organisation name is taken, or a
	// concurrent request gave the user the same role. Answer 409.
	ErrExists = errors.New("auth: already exists")
	// ErrInvalid: the input is malformed; the wrapping error says how.
	// Answer 400 with the message.
	ErrInvalid = errors.New("invalid input")
	// ErrWeakPassword: the password is shorter than MinPasswordLen. It
	// wraps ErrInvalid.
	ErrWeakPassword = fmt.Errorf("%w: password must be at least %d characters", ErrInvalid, MinPasswordLen)
)

// Config configures New. Keys is required; the zero value of every other
// field works.
type Config struct {
	// Keys is the key ring whose keys.SecretBox key seals TOTP secrets in
	// the database. Required.
	Keys *keys.Ring
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Argon2 are the parameters of new password hashes; zero fields take
	// DefaultArgon2's values. Tests use small ones.
	Argon2 Argon2Params
	// MaxConcurrentHashes bounds how many password hashes run at once, each
	// holding Argon2.Memory; default GOMAXPROCS.
	MaxConcurrentHashes int
	// SessionTTL is a session's absolute lifetime; default 12h.
	SessionTTL time.Duration
	// IdleTimeout ends a session not used for this long; default 0, no idle
	// timeout (only SessionTTL).
	IdleTimeout time.Duration
	// ChallengeTTL is how long a TOTP login challenge lives; default 5m.
	ChallengeTTL time.Duration
	// MaxTokenTTL is the longest API token lifetime; default 365 days.
	MaxTokenTTL time.Duration
	// LoginFailures is how many failed logins per username within
	// LoginWindow lock that username out until the window passes; default 5.
	LoginFailures int
	// LoginAddrFailures is the same per remote address; default 20, higher
	// than per username because a ministry or firm may sit behind one NAT
	// address.
	LoginAddrFailures int
	// LoginWindow is the rate-limit window; default 15m.
	LoginWindow time.Duration
	// Issuer names ACD in authenticator apps; default "ACD".
	Issuer string
	// Logger; nil discards.
	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.Now == nil {
		c.Now = time.Now
	}
	c.Argon2 = c.Argon2.withDefaults()
	if c.MaxConcurrentHashes <= 0 {
		c.MaxConcurrentHashes = runtime.GOMAXPROCS(0)
	}
	if c.SessionTTL <= 0 {
		c.SessionTTL = 12 * time.Hour
	}
	if c.ChallengeTTL <= 0 {
		c.ChallengeTTL = 5 * time.Minute
	}
	if c.MaxTokenTTL <= 0 {
		c.MaxTokenTTL = 365 * 24 * time.Hour
	}
	if c.LoginFailures <= 0 {
		c.LoginFailures = 5
	}
	if c.LoginAddrFailures <= 0 {
		c.LoginAddrFailures = 20
	}
	if c.LoginWindow <= 0 {
		c.LoginWindow = 15 * time.Minute
	}
	if c.Issuer == "" {
		c.Issuer = "ACD"
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Service holds accounts, sessions and API tokens. It is safe for concurrent
// use.
type Service struct {
	db      *store.DB
	log     *auditlog.Log
	keys    *keys.Ring
	cfg     Config
	now     func() time.Time
	logger  *slog.Logger
	limiter *limiter
	hashSem chan struct{} // bounds concurrent argon2 runs
	// dummyHash is verified against for unknown usernames so that they take
	// as long as wrong passwords.
	dummyHash string
}

// New migrates the "auth" tables, seals any TOTP secret a version before
// sealing stored in clear (auditing each), appends the credential
// fingerprint of each session and token made before audit payloads carried
// one, and returns the service.
func New(ctx context.Context, db *store.DB, log *auditlog.Log, cfg Config) (*Service, error) {
	if db == nil || log == nil || cfg.Keys == nil {
		return nil, errors.New("auth: New needs a database, an audit log and a key ring")
	}
	cfg = cfg.withDefaults()
	if err := db.Migrate(ctx, "auth", migrations); err != nil {
		return nil, err
	}
	RegisterResolvers(log)
	s := &Service{
		db:      db,
		log:     log,
		keys:    cfg.Keys,
		cfg:     cfg,
		now:     cfg.Now,
		logger:  cfg.Logger.With("component", "auth"),
		limiter: newLimiter(cfg.LoginWindow, 10000),
		hashSem: make(chan struct{}, cfg.MaxConcurrentHashes),
	}
	dummy := make([]byte, 16)
	rand.Read(dummy)
	h, err := s.hash(ctx, hex.EncodeToString(dummy))
	if err != nil {
		return nil, err
	}
	s.dummyHash = h
	return s, nil
}

var migrations = []store.Migration{{
	Version: 1,
	Name:    "organisations, users, grants, sessions, challenges, tokens",
	SQL: `
CREATE TABLE auth_orgs (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	name_ja TEXT NOT NULL,
	kind TEXT NOT NULL,
	sectors TEXT NOT NULL,
	police TEXT NOT NULL,
	created_at TEXT NOT NULL
);
CREATE TABLE auth_users (
	id TEXT PRIMARY KEY,
	username TEXT NOT NULL UNIQUE,
	display_name TEXT NOT NULL,
	email TEXT NOT NULL,
	org_id TEXT NOT NULL REFERENCES auth_orgs (id),
	disabled INTEGER NOT NULL DEFAULT 0,
	password_hash TEXT NOT NULL,
	totp_secret TEXT NOT NULL DEFAULT '',
	totp_last_step BIGINT NOT NULL DEFAULT 0,
	created_at TEXT NOT NULL,
	password_changed_at TEXT NOT NULL,
	disabled_at TEXT NOT NULL DEFAULT ''
);
CREATE TABLE auth_grants (
	id TEXT PRIMARY KEY,
	user_id TEXT NOT NULL REFERENCES auth_users (id),
	role TEXT NOT NULL,
	state TEXT NOT NULL,
	requested_by TEXT NOT NULL,
	requested_at TEXT NOT NULL,
	confirmed_by TEXT NOT NULL DEFAULT '',
	confirmed_at TEXT NOT NULL DEFAULT ''
);
CREATE INDEX auth_grants_user ON auth_grants (user_id, state);
CREATE TABLE auth_sessions (
	id TEXT PRIMARY KEY,
	token_hash TEXT NOT NULL UNIQUE,
	user_id TEXT NOT NULL REFERENCES auth_users (id),
	csrf_token TEXT NOT NULL,
	mfa INTEGER NOT NULL,
	remote_addr TEXT NOT NULL,
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL,
	last_seen_at TEXT NOT NULL,
	revoked_at TEXT NOT NULL DEFAULT ''
);
CREATE INDEX auth_sessions_user ON auth_sessions (user_id);
CREATE TABLE auth_challenges (
	token_hash TEXT PRIMARY KEY,
	user_id TEXT NOT NULL REFERENCES auth_users (id),
	enrol_secret TEXT NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL
);
CREATE TABLE auth_tokens (
	id TEXT PRIMARY KEY,
	token_hash TEXT NOT NULL UNIQUE,
	user_id TEXT NOT NULL REFERENCES auth_users (id),
	name TEXT NOT NULL,
	created_by TEXT NOT NULL,
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL,
	revoked_at TEXT NOT NULL DEFAULT '',
	revoked_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX auth_tokens_user ON auth_tokens (user_id);`,
}, {
	Version: 2,
	Name:    "tokens record whether a second factor stood behind their creation",
	// Tokens made before this version count as not MFA-backed: a token of
	// a privileged user must be made again to act with the privileged role.
	SQL: `ALTER TABLE auth_tokens ADD COLUMN mfa_backed INTEGER NOT NULL DEFAULT 0`,
}, {
	Version: 3,
	Name:    "one pending or active grant per user and role",
	// A database that already holds duplicates fails this migration, naming
	// the index; resolve them by hand, they should not exist.
	SQL: `CREATE UNIQUE INDEX auth_grants_live ON auth_grants (user_id, role) WHERE state IN ('pending', 'active')`,
}, {
	Version: 4,
	Name:    "TOTP secrets are sealed: drop challenges holding enrolment secrets in clear",
	// Challenges are transient: a login in progress starts again. ACD
	// never upgrades clear or unfingerprinted credentials in place, since
	// whoever can write the database could plant one for the upgrade to
	// bless; a secret that does not open fails the code check.
	SQL: `DELETE FROM auth_challenges`,
}, {
	Version: 5,
	Name:    "TOTP secrets issued to the confirming admin, awaiting their first code",
	SQL:     `ALTER TABLE auth_users ADD COLUMN totp_issued TEXT NOT NULL DEFAULT ''`,
}, {
	Version: 6,
	Name:    "who set each password and issued each TOTP secret (two-person rule for credentials)",
	SQL: `ALTER TABLE auth_users ADD COLUMN password_set_by TEXT NOT NULL DEFAULT '';
ALTER TABLE auth_users ADD COLUMN totp_issued_by TEXT NOT NULL DEFAULT ''`,
}}

// hash hashes a password with the configured parameters, waiting for a slot
// so that a burst of logins cannot exhaust memory.
func (s *Service) hash(ctx context.Context, password string) (string, error) {
	if err := s.acquire(ctx); err != nil {
		return "", err
	}
	defer s.release()
	return HashPassword(password, s.cfg.Argon2)
}

// verify checks a password against a stored hash, in a hashing slot.
func (s *Service) verify(ctx context.Context, encoded, password string) (bool, error) {
	if err := s.acquire(ctx); err != nil {
		return false, err
	}
	defer s.release()
	return VerifyPassword(encoded, password)
}

func (s *Service) acquire(ctx context.Context) error {
	select {
	case s.hashSem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Service) release() { <-s.hashSem }

// audit appends an entry for a change made by actor (nil: the system).
func (s *Service) audit(ctx context.Context, tx *store.Tx, actor *Principal, action, resource string, payload any) error {
	e := auditlog.Entry{Actor: "system", Action: action, Resource: resource, Payload: payload}
	if actor != nil {
		e.Actor, e.Org = actor.UserID, actor.OrgID
	}
	if _, err := s.log.Append(ctx, tx, e); err != nil {
		return fmt.Errorf("%s: %w", action, err)
	}
	return nil
}

// newID returns a random identifier with prefix, e.g. "usr_" + 26 base32
// characters (128 bits).
func newID(prefix string) string { return prefix + strings.ToLower(rand.Text()) }

// newSecret returns 256 random bits, base64url without padding.
func newSecret() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand since Go 1.24)
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashSecret is how session, challenge and API token secrets are stored: a
// SHA-256, which is enough for 256-bit random secrets (no salt or slow hash
// needed) and lets the database find the row by the hash.
func hashSecret(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// fingerprint is the hex SHA-256 of a stored credential (a hash, or hash and
// CSRF token), for audit payloads: it changes with the credential and
// reveals nothing usable.
func fingerprint(v string) string {
	h := sha256.Sum256([]byte(v))
	return hex.EncodeToString(h[:])
}

func actorID(p *Principal) string {
	if p == nil {
		return "system"
	}
	return p.UserID
}

// stamp returns the time now as it will read back from the database, so that
// audit payloads built from it equal the records the resolvers read.
func (s *Service) stamp() time.Time {
	t, err := store.ParseTime(store.FormatTime(s.now()))
	if err != nil {
		panic(err) // FormatTime's output always parses
	}
	return t
}

func parseTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := store.ParseTime(s)
	if err != nil {
		return time.Time{}
	}
	return t
}

func formatOptTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return store.FormatTime(t)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
