// Package auth holds ACD's accounts and its one authorization policy.
//
// A [Service] stores organisations, users, role grants, browser sessions and
// API tokens (tables of component "auth"), and turns a request into a
// [Principal] with [Service.Authenticate]. A [Policy] decides, from a static
// table, which principals may do each [Action]; every route and page asks
// [Policy.Allow] before doing anything.
//
//	svc, err := auth.New(ctx, db, auditLog, auth.Config{Keys: ring})
//	pol := auth.NewPolicy()
//	p, err := svc.Authenticate(r) // nil, nil for the public
//	if !pol.Allow(p, auth.AccountList) { ... 403 ... }
//
// Every change (organisation and account creation, role grants and their
// confirmation, disabling, passwords, TOTP enrolment, sessions, tokens) is
// appended to the audit log in the same transaction. Audit payloads carry
// public fields only, never password hashes, tokens or TOTP secrets; a
// user's payload carries a SHA-256 fingerprint of the password hash and
// TOTP secret ("credential"), and every change of either appends an entry,
// so that replacing them in the database fails the log's data check (the log
// keeps only a keyed digest of each payload). Session and token payloads
// likewise carry a fingerprint of the stored token hash (and a session's
// CSRF token), so that a database writer who swaps in a hash of their own to
// take over a session or token fails the check too. [RegisterResolvers] also lists
// every stored row of these tables, so that a row with no entry at all (an
// active grant inserted straight into the database) fails the check too.
// Login challenges and rate-limit counters are transient and are not
// audited.
//
// # Passwords and login
//
// Passwords are hashed with argon2id and stored in the PHC string format with
// their parameters ([HashPassword]); at least [MinPasswordLen] characters.
// A hash made with other parameters than [Config.Argon2] is replaced at the
// next successful login.
//
// [Service.PasswordLogin] answers [ErrBadCredentials] alike for an unknown
// user, a wrong password and a disabled account, and verifies a dummy hash for
// unknown users so that all three take about as long. Failures are counted in
// memory per username (5 in 15 minutes lock the username out) and per remote
// address (20, as an organisation may sit behind one NAT address; an IPv6
// address counts by its /64); while either is over its limit logins are
// refused with [ErrRateLimited], correct password or not, until the oldest
// failure leaves the window. The counters are bounded in number; a locked
// one is never dropped to make room, and while all are locked, names and
// addresses not yet counted are refused as limited too.
// [Service.VerifyUserPassword], the check of the current password before a
// change, counts its failures against the same per-username limit. A failed
// login is logged with the username only when such an account exists; an
// unknown name, which may be a password typed into the wrong field, is
// logged as a short SHA-256 prefix. Passwords are never logged.
//
// # Second factor
//
// DESIGN.md: privileged roles ([Role.Privileged]: commission, officer,
// commander, admin) log in with TOTP (RFC 6238, SHA-1, 6 digits, 30 s, one
// step of drift either way). For them PasswordLogin returns a [Challenge]
// (5 minutes, stored hashed) instead of a session; [Service.CompleteTOTP]
// checks the code and starts a session with MFA.
//
// Who sets up a user's TOTP secret follows the separation of duties: when
// [Service.ConfirmGrant] makes a user privileged who has no activated secret,
// it issues a fresh one (discarding any issued earlier and not yet used) to
// the confirming admin (returned once, audited as
// "account.totp_issue" without the secret), who hands it to the user in
// person; the user's first correct code at login makes it theirs
// ("account.totp_activate"). Such a user's challenge carries no
// enrolment, so the admin who requested the grant, and may have chosen the
// password, cannot log in first and enrol an authenticator of their own.
// Only accounts whose privileged roles were granted directly
// ([Service.Bootstrap], [Service.SeedUser]) enrol at their first login: the
// challenge then carries an [Enrolment] ("account.totp_enrol"). A time step
// is accepted at most once per user, so an observed code cannot be replayed.
// A challenge survives five wrong codes.
//
// A user's two factors never come from one admin: the admin who set the
// password (at creation or a reset) may not issue the TOTP secret, and the
// admin who issued the secret may not reset the password (ErrSameAdmin).
// The user's own password change does not clear who set the password, so
// an admin who chose it cannot log in as the user, change it, and then
// issue the secret. A user who holds a privileged role and lost an
// activated authenticator gets a new secret from a second admin with
// [Service.ReissueTOTP], which ends the user's sessions and revokes their
// API tokens; for anyone else it
// is refused (ErrInvalid), since their secret comes with the confirmation
// of a privileged role.
//
// TOTP secrets, the users' and those of enrolment challenges, are stored only
// sealed with the [keys.SecretBox] key ([Config.Keys]), bound to their row
// ("totp/USER", "enrol/USER/CHALLENGE"): a copy of the database yields no
// secret, and a sealed value moved to another user's row opens for no one.
// A value that does not open (planted in clear, moved, damaged) fails the
// code check; nothing is ever upgraded in place, since whoever can write the
// database could plant a value for an upgrade to bless. The user payload's
// credential digest covers the sealed value as stored.
//
// # Sessions
//
// A session token is 256 random bits, sent in the [SessionCookie] cookie
// ([Service.Cookie]: HttpOnly, SameSite=Lax, Secure under TLS) and stored
// only as its SHA-256. Each session has its own CSRF token
// ([Principal.CSRFToken]) that unsafe cookie-authenticated requests must
// echo. Sessions end after [Config.SessionTTL] (default 12 h), optionally
// after [Config.IdleTimeout], at [Service.Logout], on a password change, at
// a TOTP re-issue, and when the user is disabled.
//
// # API tokens
//
// [Service.CreateToken] returns "acd_" + 256 random bits in base64url, shown
// once and stored hashed, bound to one user, named, with a required expiry of
// at most a year. A token is a second, independent secret that an automated
// client cannot pair with a TOTP code, so a token stands on the second factor
// of its making: each records whether it was made from a session that passed
// TOTP or by the server's command line ([Token.MFABacked]), and authenticates
// with Via "token" and MFA set from that. The policy honours privileged roles
// only with MFA, so a token made without a second factor never acts with a
// privileged role, not even one granted to its user after it was made. A
// token for a user already holding a privileged role can be created only from
// a session that passed TOTP, or by the command line during the bootstrap
// (below); after it, command-line tokens are not MFA-backed. Disabling the
// user, an admin's reset of the password and a TOTP re-issue revoke every
// token of the user at once; the user's own password change keeps them.
//
// # Separation of duties
//
// DESIGN.md: creating or elevating a privileged account needs a second admin.
// [Service.CreateUser] and [Service.RequestRoles] make privileged roles
// pending [Grant]s; a different admin activates each with
// [Service.ConfirmGrant]; the requester gets [ErrSameAdmin].
//
// The server's command line (all of it one party) takes part only in the
// bootstrap: until two accounts have ever held an active admin role
// (disabled ones count, so that disabling admins never reopens it), it may
// request privileged roles, confirm a grant of the admin role (to put the
// second admin in place) and make MFA-backed tokens. From then on two web
// admins must act, so that a shell on the server and one web admin account
// are not enough: the command line gets [ErrForbidden] when it requests a
// privileged role, confirms any grant, or makes a token for a privileged
// user, and the tokens it makes are not MFA-backed. Nobody requests or
// confirms roles for their own account ([ErrSelfGrant], which wraps
// ErrSameAdmin). The one exception is [Service.Bootstrap], which creates the
// first admin when no account has ever held the admin role
// ([ErrBootstrapDone] after that). Recovering from the loss of every admin
// (all disabled, credentials lost) is out of scope: restore a backup, or
// repair the database by hand, which the audit log's check reveals. [Service.SeedUser] grants roles directly and exists
// only for the --demo loader. Admins cannot disable their own account.
//
// The admin role is exclusive: an account that holds or awaits admin holds
// no other role, and an account with any other role cannot become an admin
// (DESIGN.md: admins cannot read reports or selected data, cannot approve
// anything). CreateUser, RequestRoles, Bootstrap and SeedUser refuse the mix
// with an error wrapping [ErrInvalid].
//
// # The policy
//
// [Policy.Allow] denies by default: an action missing from the table is
// denied to everyone, admins included, and the public (a nil or disabled
// principal) gets only [Public] actions. A privileged role counts only for a
// principal with MFA: a session that passed TOTP, or an MFA-backed token
// (above). Admins manage accounts and keys; the
// table gives them no report or approval actions. [Policy.CanSeeOrg] and
// [Policy.CanSeeSector] scope records to organisations: operators see their
// own organisation, ministries the sectors they supervise, analysts all.
package auth
