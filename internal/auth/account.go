package auth

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/sector"
	"github.com/acd-platform/acd/internal/store"
)

// Org is an organisation users belong to.
type Org struct {
	ID     string  `json:"id"`
	Name   string  `json:"name"`
	NameJA string  `json:"name_ja"`
	Kind   OrgKind `json:"kind"`
	// Sectors holds an operator's one sector or a ministry's sectors
	// (codes of package sector); empty for other kinds.
	Sectors []string `json:"sectors"`
	// Police is PoliceNational or PolicePrefectural for police
	// organisations; empty otherwise.
	Police    string    `json:"police,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Sector returns an operator's sector ("" for other kinds).
func (o Org) Sector() string {
	if o.Kind != OrgOperator || len(o.Sectors) == 0 {
		return ""
	}
	return o.Sectors[0]
}

// NewOrg is an organisation to create.
type NewOrg struct {
	Name    string
	NameJA  string // default Name
	Kind    OrgKind
	Sectors []string // exactly one for operators, one or more for ministries
	Police  string   // required for OrgPolice
}

// User is an account, without its secrets.
type User struct {
	ID          string `json:"id"`
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	Email       string `json:"email"`
	OrgID       string `json:"org_id"`
	// Roles are the active roles, in the order of AllRoles. Pending grants
	// are not roles yet.
	Roles    []Role `json:"roles"`
	Disabled bool   `json:"disabled"`
	// TOTPEnrolled is true once the user confirmed a TOTP secret.
	TOTPEnrolled      bool      `json:"totp_enrolled"`
	CreatedAt         time.Time `json:"created_at"`
	PasswordChangedAt time.Time `json:"password_changed_at"`
}

// Privileged reports whether u holds an active privileged role and so must
// log in with TOTP.
func (u User) Privileged() bool {
	return slices.ContainsFunc(u.Roles, Role.Privileged)
}

// NewUser is an account to create.
type NewUser struct {
	// Username: 2–64 characters of a–z, 0–9, '.', '_', '-', starting with a
	// letter or digit. Stored lower-case.
	Username    string
	DisplayName string
	Email       string
	OrgID       string
	Roles       []Role
	// Password is the initial password (at least MinPasswordLen).
	Password string
}

// LogValue redacts the password.
func (n NewUser) LogValue() slog.Value {
	return slog.GroupValue(slog.String("username", n.Username), slog.String("org", n.OrgID),
		slog.Any("roles", n.Roles), slog.String("password", "REDACTED"))
}

// GrantState is the state of a role grant.
type GrantState string

// Grant states.
const (
	// GrantPending: a privileged role requested by one admin, not yet
	// confirmed by a second; the role is not active.
	GrantPending GrantState = "pending"
	// GrantActive: the user holds the role.
	GrantActive GrantState = "active"
)

// Grant is one role given (or to be given) to a user.
type Grant struct {
	ID          string     `json:"id"`
	UserID      string     `json:"user_id"`
	Role        Role       `json:"role"`
	State       GrantState `json:"state"`
	RequestedBy string     `json:"requested_by"`
	RequestedAt time.Time  `json:"requested_at"`
	ConfirmedBy string     `json:"confirmed_by,omitempty"`
	ConfirmedAt time.Time  `json:"confirmed_at,omitzero"`
}

// userRow is a user with the columns that never leave the package.
type userRow struct {
	User
	passwordHash string
	totpSecret   string // sealed for totpContext
	totpLastStep int64
	// totpIssued is a secret issued at ConfirmGrant and not yet used,
	// sealed for issuedContext.
	totpIssued string
}

const (
	orgCols  = "id, name, name_ja, kind, sectors, police, created_at"
	userCols = "id, username, display_name, email, org_id, disabled, password_hash, totp_secret, totp_last_step, totp_issued, created_at, password_changed_at"
	grantCol = "id, user_id, role, state, requested_by, requested_at, confirmed_by, confirmed_at"

	insertOrg   = "INSERT INTO auth_orgs (" + orgCols + ") VALUES (?, ?, ?, ?, ?, ?, ?)"
	insertUser  = "INSERT INTO auth_users (" + userCols + ") VALUES (?, ?, ?, ?, ?, 0, ?, '', 0, '', ?, ?)"
	insertGrant = "INSERT INTO auth_grants (" + grantCol + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)"

	selectActiveRoles = "SELECT role FROM auth_grants WHERE user_id = ? AND state = 'active'"
	// countEverAdmins counts the accounts that ever held an active admin
	// role, disabled ones included: grants are never withdrawn, only their
	// users disabled.
	countEverAdmins = "SELECT COUNT(DISTINCT user_id) FROM auth_grants WHERE role = 'admin' AND state = 'active'"
)

type scanner interface{ Scan(dest ...any) error }

func scanOrg(r scanner) (Org, error) {
	var o Org
	var kind, sectors, created string
	if err := r.Scan(&o.ID, &o.Name, &o.NameJA, &kind, &sectors, &o.Police, &created); err != nil {
		return Org{}, err
	}
	o.Kind = OrgKind(kind)
	o.Sectors = splitList(sectors)
	o.CreatedAt = parseTime(created)
	return o, nil
}

func scanUser(r scanner) (userRow, error) {
	var u userRow
	var disabled int
	var created, changed string
	if err := r.Scan(&u.ID, &u.Username, &u.DisplayName, &u.Email, &u.OrgID, &disabled,
		&u.passwordHash, &u.totpSecret, &u.totpLastStep, &u.totpIssued, &created, &changed); err != nil {
		return userRow{}, err
	}
	u.Disabled = disabled != 0
	u.TOTPEnrolled = u.totpSecret != ""
	u.CreatedAt, u.PasswordChangedAt = parseTime(created), parseTime(changed)
	return u, nil
}

func scanGrant(r scanner) (Grant, error) {
	var g Grant
	var role, state, req, conf string
	if err := r.Scan(&g.ID, &g.UserID, &role, &state, &g.RequestedBy, &req, &g.ConfirmedBy, &conf); err != nil {
		return Grant{}, err
	}
	g.Role, g.State = Role(role), GrantState(state)
	g.RequestedAt, g.ConfirmedAt = parseTime(req), parseTime(conf)
	return g, nil
}

func splitList(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

// sortRoles puts roles in the order of AllRoles.
func sortRoles(rs []Role) {
	slices.SortFunc(rs, func(a, b Role) int { return slices.Index(AllRoles, a) - slices.Index(AllRoles, b) })
}

func notFound(what, id string, err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s %q: %w", what, id, ErrNotFound)
	}
	return fmt.Errorf("read %s %q: %w", what, id, err)
}

// userRecord is what the audit log's digest covers for "user/ID": the
// account's public fields and a fingerprint of its credentials, never the
// hashes or secrets themselves. Roles are covered by the "grant/ID" entries.
// Every change of the password hash or TOTP secret appends a "user/ID"
// entry, so that a credential replaced behind the service's back fails the
// log's data check.
type userRecord struct {
	ID                string    `json:"id"`
	Username          string    `json:"username"`
	DisplayName       string    `json:"display_name"`
	Email             string    `json:"email"`
	OrgID             string    `json:"org_id"`
	Disabled          bool      `json:"disabled"`
	TOTPEnrolled      bool      `json:"totp_enrolled"`
	CreatedAt         time.Time `json:"created_at"`
	PasswordChangedAt time.Time `json:"password_changed_at"`
	// Credential is hex SHA-256(password_hash "\n" totp_secret), with
	// "\n" totp_issued appended while an issued secret awaits its first
	// code, over the values as stored (sealed). The log keeps only the
	// keyed digest of the whole payload, so it reveals nothing of them.
	Credential string `json:"credential"`
}

func userPayload(u userRow) userRecord {
	return userRecord{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Email: u.Email, OrgID: u.OrgID,
		Disabled: u.Disabled, TOTPEnrolled: u.TOTPEnrolled, CreatedAt: u.CreatedAt, PasswordChangedAt: u.PasswordChangedAt,
		Credential: credentialDigest(u.passwordHash, u.totpSecret, u.totpIssued)}
}

// credentialDigest fingerprints a user's security columns for the audit
// payload. Without an issued secret it is what it was before issued secrets
// existed, so that older entries still match.
func credentialDigest(passwordHash, totpSecret, totpIssued string) string {
	v := passwordHash + "\n" + totpSecret
	if totpIssued != "" {
		v += "\n" + totpIssued
	}
	h := sha256.Sum256([]byte(v))
	return hex.EncodeToString(h[:])
}

// ---- organisations ----

func (n NewOrg) validate() (NewOrg, error) {
	n.Name = strings.TrimSpace(n.Name)
	n.NameJA = strings.TrimSpace(n.NameJA)
	if n.Name == "" {
		return n, fmt.Errorf("%w: organisation name is required", ErrInvalid)
	}
	if n.NameJA == "" {
		n.NameJA = n.Name
	}
	if !n.Kind.Valid() {
		return n, fmt.Errorf("%w: organisation kind %q: want one of %v", ErrInvalid, n.Kind, AllOrgKinds)
	}
	for i, sc := range n.Sectors {
		if !sector.Valid(sc) {
			return n, fmt.Errorf("%w: sector %q: want one of %v", ErrInvalid, sc, sector.Codes())
		}
		if slices.Contains(n.Sectors[:i], sc) {
			return n, fmt.Errorf("%w: sector %q listed twice", ErrInvalid, sc)
		}
	}
	switch n.Kind {
	case OrgOperator:
		if len(n.Sectors) != 1 {
			return n, fmt.Errorf("%w: an operator belongs to exactly one sector, got %d", ErrInvalid, len(n.Sectors))
		}
	case OrgMinistry:
		if len(n.Sectors) == 0 {
			return n, fmt.Errorf("%w: a ministry supervises at least one sector", ErrInvalid)
		}
	default:
		if len(n.Sectors) != 0 {
			return n, fmt.Errorf("%w: only operators and ministries have sectors, not %s", ErrInvalid, n.Kind)
		}
	}
	if n.Kind == OrgPolice {
		if n.Police != PoliceNational && n.Police != PolicePrefectural {
			return n, fmt.Errorf("%w: police level %q: want %q or %q", ErrInvalid, n.Police, PoliceNational, PolicePrefectural)
		}
	} else if n.Police != "" {
		return n, fmt.Errorf("%w: only police organisations have a police level", ErrInvalid)
	}
	return n, nil
}

// CreateOrg creates an organisation. actor is who does it (nil: the system,
// for the demo loader).
func (s *Service) CreateOrg(ctx context.Context, actor *Principal, n NewOrg) (Org, error) {
	var o Org
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		var err error
		o, err = s.createOrg(ctx, tx, actor, n)
		return err
	})
	return o, err
}

func (s *Service) createOrg(ctx context.Context, tx *store.Tx, actor *Principal, n NewOrg) (Org, error) {
	n, err := n.validate()
	if err != nil {
		return Org{}, err
	}
	o := Org{ID: newID("org_"), Name: n.Name, NameJA: n.NameJA, Kind: n.Kind,
		Sectors: append([]string{}, n.Sectors...), Police: n.Police, CreatedAt: s.stamp()}
	_, err = tx.Exec(ctx, insertOrg, o.ID, o.Name, o.NameJA, string(o.Kind), strings.Join(o.Sectors, ","), o.Police, store.FormatTime(o.CreatedAt))
	if store.IsUniqueViolation(err) {
		return Org{}, fmt.Errorf("organisation %q: %w", o.Name, ErrExists)
	}
	if err != nil {
		return Org{}, fmt.Errorf("create organisation: %w", err)
	}
	return o, s.audit(ctx, tx, actor, "org.create", "org/"+o.ID, o)
}

// Org returns the organisation with id.
func (s *Service) Org(ctx context.Context, id string) (Org, error) {
	o, err := scanOrg(s.db.QueryRow(ctx, "SELECT "+orgCols+" FROM auth_orgs WHERE id = ?", id))
	if err != nil {
		return Org{}, notFound("organisation", id, err)
	}
	return o, nil
}

// OrgByName returns the organisation with the English name name.
func (s *Service) OrgByName(ctx context.Context, name string) (Org, error) {
	o, err := scanOrg(s.db.QueryRow(ctx, "SELECT "+orgCols+" FROM auth_orgs WHERE name = ?", name))
	if err != nil {
		return Org{}, notFound("organisation", name, err)
	}
	return o, nil
}

// Orgs returns every organisation, by name.
func (s *Service) Orgs(ctx context.Context) ([]Org, error) {
	rows, err := s.db.Query(ctx, "SELECT "+orgCols+" FROM auth_orgs ORDER BY name")
	if err != nil {
		return nil, fmt.Errorf("list organisations: %w", err)
	}
	defer rows.Close()
	var out []Org
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			return nil, fmt.Errorf("list organisations: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// ---- users ----

var usernameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,63}$`)

func (n NewUser) validate() (NewUser, error) {
	n.Username = strings.ToLower(strings.TrimSpace(n.Username))
	if !usernameRE.MatchString(n.Username) {
		return n, fmt.Errorf("%w: username %q: want 2-64 characters a-z, 0-9, '.', '_', '-', starting with a letter or digit", ErrInvalid, n.Username)
	}
	n.DisplayName = strings.TrimSpace(n.DisplayName)
	if n.DisplayName == "" {
		n.DisplayName = n.Username
	}
	n.Email = strings.TrimSpace(n.Email)
	if n.Email != "" && (!strings.Contains(n.Email, "@") || strings.ContainsAny(n.Email, " \t\r\n<>")) {
		return n, fmt.Errorf("%w: email %q", ErrInvalid, n.Email)
	}
	if n.OrgID == "" {
		return n, fmt.Errorf("%w: organisation is required", ErrInvalid)
	}
	roles, err := checkRoles(n.Roles)
	if err != nil {
		return n, err
	}
	if err := checkAdminExclusive(nil, roles); err != nil {
		return n, err
	}
	n.Roles = roles
	return n, CheckPassword(n.Password)
}

// checkAdminExclusive returns an error wrapping ErrInvalid when a user who
// holds or awaits the roles have would, with the roles add, combine admin
// with any other role. DESIGN.md: admins manage accounts and keys and cannot
// read reports or selected data or approve anything, so an admin account
// holds no other role, and nobody with another role becomes an admin.
func checkAdminExclusive(have, add []Role) error {
	all := slices.Concat(have, add)
	if !slices.Contains(all, RoleAdmin) {
		return nil
	}
	for _, r := range all {
		if r == RoleAdmin {
			continue
		}
		if slices.Contains(have, RoleAdmin) || slices.Contains(have, r) {
			return fmt.Errorf("%w: role admin is exclusive: the user holds or awaits %s and cannot also hold %s", ErrInvalid,
				strings.Join(roleNames(have), ", "), strings.Join(roleNames(add), ", "))
		}
		return fmt.Errorf("%w: role admin is exclusive: an admin account holds no other role, not %s", ErrInvalid, r)
	}
	return nil
}

func roleNames(rs []Role) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = string(r)
	}
	return out
}

// checkRoles validates, de-duplicates and orders roles; at least one.
func checkRoles(in []Role) ([]Role, error) {
	if len(in) == 0 {
		return nil, fmt.Errorf("%w: at least one role is required", ErrInvalid)
	}
	var out []Role
	for _, r := range in {
		if !r.Valid() {
			return nil, fmt.Errorf("%w: role %q: want one of %v", ErrInvalid, r, AllRoles)
		}
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	sortRoles(out)
	return out, nil
}

// CreateUser creates an account for actor. Non-privileged roles are active at
// once; each privileged role (Role.Privileged) becomes a pending Grant that a
// second admin must confirm with ConfirmGrant (DESIGN.md, separation of
// duties). It returns the user (with only the active roles) and every grant
// made. Once two accounts have held the admin role, the command line may not
// request privileged roles (ErrForbidden, see RequestRoles).
func (s *Service) CreateUser(ctx context.Context, actor *Principal, n NewUser) (User, []Grant, error) {
	return s.createUser(ctx, actor, n, false, "account.create")
}

// Bootstrap creates the first admin account when no account has ever held
// an active admin role, granting it the admin role without a second admin:
// there is none yet. n.Roles may be empty or [RoleAdmin]; any other role is
// an error wrapping ErrInvalid (the admin role is exclusive). It is for
// `acd` command-line setup and the demo, and is audited as
// "account.bootstrap" by actor "cli:bootstrap". When n.OrgID is empty the
// account goes into the system administration organisation, created if
// missing.
//
// Once any account has held the admin role, disabled since or not, it
// returns ErrBootstrapDone: disabling the admins never reopens it, or a
// shell on the server could disable them and make an admin of its own.
// Recovering from the loss of every admin is out of scope for ACD (restore
// from a backup, or an audited repair of the database by hand).
func (s *Service) Bootstrap(ctx context.Context, n NewUser) (User, error) {
	for _, r := range n.Roles {
		if r != RoleAdmin {
			return User{}, fmt.Errorf("%w: role %s: bootstrap creates an admin, which holds no other role", ErrInvalid, r)
		}
	}
	n.Roles = []Role{RoleAdmin}
	if n.OrgID == "" {
		n.OrgID = "-" // filled in the transaction; passes validation
	}
	u, _, err := s.createUser(ctx, CLI("bootstrap"), n, true, "account.bootstrap")
	return u, err
}

// SeedUser creates an account with its roles active at once, privileged ones
// included, audited as "account.seed" by actor "system". It bypasses the
// separation of duties and exists ONLY for the --demo loader, which builds a
// throwaway data set; no production path may call it.
func (s *Service) SeedUser(ctx context.Context, n NewUser) (User, error) {
	u, _, err := s.createUser(ctx, nil, n, true, "account.seed")
	return u, err
}

func (s *Service) createUser(ctx context.Context, actor *Principal, n NewUser, direct bool, action string) (User, []Grant, error) {
	n, err := n.validate()
	if err != nil {
		return User{}, nil, err
	}
	// Hash before the transaction: it is slow and must not hold the lock.
	hash, err := s.hash(ctx, n.Password)
	if err != nil {
		return User{}, nil, fmt.Errorf("create user: %w", err)
	}
	now := s.stamp()
	u := User{ID: newID("usr_"), Username: n.Username, DisplayName: n.DisplayName, Email: n.Email,
		OrgID: n.OrgID, Roles: []Role{}, CreatedAt: now, PasswordChangedAt: now}
	var grants []Grant
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		if action == "account.bootstrap" {
			if err := lockAccounts(ctx, tx); err != nil {
				return err
			}
			admins, err := everAdmins(ctx, tx)
			if err != nil {
				return err
			}
			if admins > 0 {
				return ErrBootstrapDone
			}
			if u.OrgID == "-" {
				o, err := s.systemOrg(ctx, tx, actor)
				if err != nil {
					return err
				}
				u.OrgID = o.ID
			}
		}
		if _, err := scanOrg(tx.QueryRow(ctx, "SELECT "+orgCols+" FROM auth_orgs WHERE id = ?", u.OrgID)); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("%w: organisation %q does not exist", ErrInvalid, u.OrgID)
			}
			return notFound("organisation", u.OrgID, err)
		}
		_, err := tx.Exec(ctx, insertUser, u.ID, u.Username, u.DisplayName, u.Email, u.OrgID, hash,
			store.FormatTime(now), store.FormatTime(now))
		if store.IsUniqueViolation(err) {
			return fmt.Errorf("username %q: %w", u.Username, ErrExists)
		}
		if err != nil {
			return fmt.Errorf("create user: %w", err)
		}
		if err := setCredentialParty(ctx, tx, "password_set_by", u.ID, actor); err != nil {
			return err
		}
		for _, r := range n.Roles {
			if !direct && r.Privileged() {
				continue
			}
			u.Roles = append(u.Roles, r)
		}
		if err := s.audit(ctx, tx, actor, action, "user/"+u.ID, userPayload(userRow{User: u, passwordHash: hash})); err != nil {
			return err
		}
		grants, err = s.addGrants(ctx, tx, actor, u.ID, n.Roles, direct)
		return err
	})
	if err != nil {
		return User{}, nil, err
	}
	return u, grants, nil
}

// lockAccounts serialises the transactions that must see every admin
// (Bootstrap, the command line's checks). On SQLite every write transaction
// already holds the database lock.
func lockAccounts(ctx context.Context, tx *store.Tx) error {
	if tx.Dialect() == store.Postgres {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(7310)"); err != nil {
			return fmt.Errorf("lock accounts: %w", err)
		}
	}
	return nil
}

// everAdmins locks the accounts (lockAccounts) and counts those that ever
// held an active admin role, disabled or not.
func everAdmins(ctx context.Context, tx *store.Tx) (int, error) {
	if err := lockAccounts(ctx, tx); err != nil {
		return 0, err
	}
	var n int
	if err := tx.QueryRow(ctx, countEverAdmins).Scan(&n); err != nil {
		return 0, fmt.Errorf("count admins: %w", err)
	}
	return n, nil
}

// bootstrapDone reports whether two accounts have ever held an active admin
// role: from then on two web admins act for every two-person rule and the
// command line is no party to them (see ConfirmGrant).
func bootstrapDone(ctx context.Context, tx *store.Tx) (bool, error) {
	n, err := everAdmins(ctx, tx)
	return n >= 2, err
}

// systemOrg returns the system administration organisation, creating it.
func (s *Service) systemOrg(ctx context.Context, tx *store.Tx, actor *Principal) (Org, error) {
	o, err := scanOrg(tx.QueryRow(ctx, "SELECT "+orgCols+" FROM auth_orgs WHERE kind = ? ORDER BY created_at LIMIT 1", string(OrgSystemAdmin)))
	if err == nil {
		return o, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return Org{}, fmt.Errorf("find system organisation: %w", err)
	}
	return s.createOrg(ctx, tx, actor, NewOrg{Name: "System administration", NameJA: "システム管理", Kind: OrgSystemAdmin})
}

// addGrants records roles for userID: active when direct or not privileged,
// pending otherwise. Roles the user already holds or awaits are skipped.
// Admin and any other role together, held, awaited or requested, are an
// error wrapping ErrInvalid.
func (s *Service) addGrants(ctx context.Context, tx *store.Tx, actor *Principal, userID string, roles []Role, direct bool) ([]Grant, error) {
	rows, err := tx.Query(ctx, "SELECT role FROM auth_grants WHERE user_id = ? AND state IN ('active', 'pending')", userID)
	if err != nil {
		return nil, fmt.Errorf("read grants: %w", err)
	}
	var have []Role
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read grants: %w", err)
		}
		have = append(have, Role(r))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read grants: %w", err)
	}
	sortRoles(have)
	add := slices.DeleteFunc(slices.Clone(roles), func(r Role) bool { return slices.Contains(have, r) })
	if err := checkAdminExclusive(have, add); err != nil {
		return nil, err
	}
	if actor != nil && actor.Via == ViaCLI && !direct && slices.ContainsFunc(add, Role.Privileged) {
		done, err := bootstrapDone(ctx, tx)
		if err != nil {
			return nil, err
		}
		if done {
			return nil, fmt.Errorf("%w: privileged roles are requested by a web admin: the command line requests them only until two admins exist", ErrForbidden)
		}
	}
	now := s.stamp()
	grants := []Grant{}
	for _, r := range roles {
		if slices.Contains(have, r) {
			continue
		}
		g := Grant{ID: newID("grt_"), UserID: userID, Role: r, State: GrantActive, RequestedBy: actorID(actor), RequestedAt: now}
		action := "account.grant"
		if r.Privileged() && !direct {
			g.State, action = GrantPending, "account.grant_request"
		} else {
			g.ConfirmedBy, g.ConfirmedAt = g.RequestedBy, now
		}
		if err := storeGrant(ctx, tx, g); err != nil {
			return nil, err
		}
		if err := s.audit(ctx, tx, actor, action, "grant/"+g.ID, g); err != nil {
			return nil, err
		}
		grants = append(grants, g)
	}
	return grants, nil
}

// storeGrant inserts g. A second pending or active grant of one role to one
// user (two requests racing past addGrants' check) is ErrExists, by the
// unique index auth_grants_live.
func storeGrant(ctx context.Context, tx *store.Tx, g Grant) error {
	_, err := tx.Exec(ctx, insertGrant, g.ID, g.UserID, string(g.Role), string(g.State), g.RequestedBy,
		store.FormatTime(g.RequestedAt), g.ConfirmedBy, formatOptTime(g.ConfirmedAt))
	if store.IsUniqueViolation(err) {
		return fmt.Errorf("grant %s to %s: the user holds or awaits it already: %w", g.Role, g.UserID, ErrExists)
	}
	if err != nil {
		return fmt.Errorf("grant %s: %w", g.Role, err)
	}
	return nil
}

// RequestRoles adds roles to an existing user for actor: non-privileged roles
// are active at once, privileged ones become pending grants for a second admin
// to confirm. Roles the user holds or awaits already are skipped. It returns
// the grants made.
//
// The command line requests privileged roles only until two accounts have
// held the admin role (to put the second admin in place); after that it
// gets ErrForbidden: privileged roles are requested by a web admin. The
// same holds for CreateUser.
//
// Nobody requests roles for their own account (ErrSelfGrant), and the admin
// role is exclusive: admin and any other role, held, awaited or requested,
// are an error wrapping ErrInvalid.
func (s *Service) RequestRoles(ctx context.Context, actor *Principal, userID string, roles []Role) ([]Grant, error) {
	if actor != nil && actor.UserID == userID {
		return nil, ErrSelfGrant
	}
	roles, err := checkRoles(roles)
	if err != nil {
		return nil, err
	}
	var grants []Grant
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		u, err := s.userRow(ctx, tx, userID)
		if err != nil {
			return err
		}
		if u.Disabled {
			return fmt.Errorf("%w: user %s is disabled", ErrInvalid, u.Username)
		}
		grants, err = s.addGrants(ctx, tx, actor, userID, roles, false)
		return err
	})
	return grants, err
}

// party is who counts as one person for separation of duties: a user, or
// the server's command line as a whole.
func party(actorID string) string {
	if strings.HasPrefix(actorID, "cli:") {
		return "cli"
	}
	return actorID
}

// ConfirmGrant activates a pending grant of a privileged role. The actor must
// be an enabled user holding an active admin role (checked afresh in the
// database) or the server's command line, and a different party from the
// admin who requested the grant and from the grantee; otherwise it returns
// ErrForbidden, ErrSameAdmin or (the grantee) ErrSelfGrant.
//
// The command line confirms only grants of the admin role, and only while
// fewer than two accounts have ever held an active admin role (disabled
// ones count, so that disabling admins never reopens it): it exists to put
// the second admin in place after Bootstrap. Once two admins have existed,
// a grant needs two of them (one requests in the web UI or API, another
// confirms) and the command line gets ErrForbidden; otherwise one person
// with a shell on the server and one web admin account could request and
// confirm alone. All command-line actors count as one party.
//
// When the grantee has no activated TOTP secret, ConfirmGrant issues a fresh
// one, replacing any issued earlier and not yet used, and returns it to the
// confirming actor, who hands it to the user in person; it is shown this
// once. The confirming actor must not be the admin who set the user's
// password (ErrSameAdmin). The user's first correct code at
// login makes it the user's secret, and until then no login of theirs
// offers self-enrolment. Otherwise the admin who requested the grant, and
// who may have chosen the user's password, could log in first and enrol
// their own authenticator, and so hold a privileged account alone. The
// Enrolment is nil when nothing was issued.
func (s *Service) ConfirmGrant(ctx context.Context, actor *Principal, grantID string) (Grant, *Enrolment, error) {
	if actor == nil || actor.UserID == "" || actor.Disabled {
		return Grant{}, nil, ErrForbidden
	}
	var g Grant
	var enr *Enrolment
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		var err error
		g, err = scanGrant(tx.QueryRow(ctx, "SELECT "+grantCol+" FROM auth_grants WHERE id = ?", grantID))
		if err != nil {
			return notFound("grant", grantID, err)
		}
		if actor.Via == ViaCLI && g.Role != RoleAdmin {
			return fmt.Errorf("%w: the command line confirms only the admin role, to put the second admin in place; %s is confirmed by a web admin", ErrForbidden, g.Role)
		}
		if err := s.checkSecondAdmin(ctx, tx, actor); err != nil {
			return err
		}
		if actor.UserID == g.UserID {
			return ErrSelfGrant
		}
		if party(actor.UserID) == party(g.RequestedBy) {
			return ErrSameAdmin
		}
		if g.State != GrantPending {
			return fmt.Errorf("%w: grant %s is %s, not pending", ErrInvalid, g.ID, g.State)
		}
		u, err := s.userRow(ctx, tx, g.UserID)
		if err != nil {
			return err
		}
		if u.Disabled {
			return fmt.Errorf("%w: user %s is disabled", ErrInvalid, u.Username)
		}
		now := s.stamp()
		res, err := tx.Exec(ctx, "UPDATE auth_grants SET state = 'active', confirmed_by = ?, confirmed_at = ? WHERE id = ? AND state = 'pending'",
			actor.UserID, store.FormatTime(now), g.ID)
		if err != nil {
			return fmt.Errorf("confirm grant: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("%w: grant %s is no longer pending", ErrInvalid, g.ID)
		}
		g.State, g.ConfirmedBy, g.ConfirmedAt = GrantActive, actor.UserID, now
		if err := s.audit(ctx, tx, actor, "account.grant_confirm", "grant/"+g.ID, g); err != nil {
			return err
		}
		if u.totpSecret != "" {
			return nil
		}
		// No activated secret: any secret issued earlier (at another
		// confirmation, or a re-issue) is discarded and a fresh one goes to
		// this admin, so that a secret never reaches the user from the
		// admin who requested the grant.
		enr, err = s.issueTOTP(ctx, tx, actor, u)
		return err
	})
	if err != nil {
		return Grant{}, nil, err
	}
	return g, enr, nil
}

// checkSecondAdmin checks that actor may act as the second admin of a
// two-person rule: an enabled user holding an active admin role (read afresh
// from the database), or the command line while fewer than two accounts
// have ever held an active admin role (to put the second one in place after
// the bootstrap).
func (s *Service) checkSecondAdmin(ctx context.Context, tx *store.Tx, actor *Principal) error {
	if actor.Via == ViaCLI {
		done, err := bootstrapDone(ctx, tx)
		if err != nil {
			return err
		}
		if done {
			return fmt.Errorf("%w: two admins have existed, so two web admins must act: the command line acts as the second admin only until then", ErrForbidden)
		}
		return nil
	}
	a, err := s.userRow(ctx, tx, actor.UserID)
	if errors.Is(err, ErrNotFound) {
		return ErrForbidden
	}
	if err != nil {
		return err
	}
	if a.Disabled || !slices.Contains(a.Roles, RoleAdmin) {
		return ErrForbidden
	}
	return nil
}

// issueTOTP stores a new TOTP secret for u as issued (sealed, awaiting the
// first code), replacing any secret issued before and not yet used, and
// audits it as "account.totp_issue" without the secret. u must have no
// activated secret.
func (s *Service) issueTOTP(ctx context.Context, tx *store.Tx, actor *Principal, u userRow) (*Enrolment, error) {
	if err := checkCredentialParty(ctx, tx, "password_set_by", u, actor); err != nil {
		return nil, err
	}
	enr, err := s.newTOTP(u.Username)
	if err != nil {
		return nil, fmt.Errorf("issue TOTP secret: %w", err)
	}
	sealed, err := s.seal(enr.Secret, issuedContext(u.ID))
	if err != nil {
		return nil, err
	}
	res, err := tx.Exec(ctx, "UPDATE auth_users SET totp_issued = ? WHERE id = ? AND totp_secret = '' AND totp_issued = ?", sealed, u.ID, u.totpIssued)
	if err != nil {
		return nil, fmt.Errorf("issue TOTP secret: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil, fmt.Errorf("issue TOTP secret: user %s changed meanwhile, try again", u.Username)
	}
	if err := setCredentialParty(ctx, tx, "totp_issued_by", u.ID, actor); err != nil {
		return nil, err
	}
	u.totpIssued = sealed
	if err := s.audit(ctx, tx, actor, "account.totp_issue", "user/"+u.ID, userPayload(u)); err != nil {
		return nil, err
	}
	return enr, nil
}

// PendingGrants returns the grants awaiting a second admin, oldest first.
func (s *Service) PendingGrants(ctx context.Context) ([]Grant, error) {
	return s.grants(ctx, "SELECT "+grantCol+" FROM auth_grants WHERE state = 'pending' ORDER BY requested_at, id")
}

// Grants returns every grant of userID, oldest first.
func (s *Service) Grants(ctx context.Context, userID string) ([]Grant, error) {
	return s.grants(ctx, "SELECT "+grantCol+" FROM auth_grants WHERE user_id = ? ORDER BY requested_at, id", userID)
}

func (s *Service) grants(ctx context.Context, q string, args ...any) ([]Grant, error) {
	rows, err := s.db.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list grants: %w", err)
	}
	defer rows.Close()
	var out []Grant
	for rows.Next() {
		g, err := scanGrant(rows)
		if err != nil {
			return nil, fmt.Errorf("list grants: %w", err)
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// userRow reads a user with its active roles through q.
func (s *Service) userRow(ctx context.Context, q store.Querier, id string) (userRow, error) {
	u, err := scanUser(q.QueryRow(ctx, "SELECT "+userCols+" FROM auth_users WHERE id = ?", id))
	if err != nil {
		return userRow{}, notFound("user", id, err)
	}
	u.Roles, err = activeRoles(ctx, q, id)
	return u, err
}

func activeRoles(ctx context.Context, q store.Querier, userID string) ([]Role, error) {
	rows, err := q.Query(ctx, selectActiveRoles, userID)
	if err != nil {
		return nil, fmt.Errorf("read roles: %w", err)
	}
	defer rows.Close()
	roles := []Role{}
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return nil, fmt.Errorf("read roles: %w", err)
		}
		roles = append(roles, Role(r))
	}
	sortRoles(roles)
	return roles, rows.Err()
}

// User returns the user with id.
func (s *Service) User(ctx context.Context, id string) (User, error) {
	u, err := s.userRow(ctx, s.db, id)
	return u.User, err
}

// UserByUsername returns the user with username (case-insensitive).
func (s *Service) UserByUsername(ctx context.Context, username string) (User, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	u, err := scanUser(s.db.QueryRow(ctx, "SELECT "+userCols+" FROM auth_users WHERE username = ?", username))
	if err != nil {
		return User{}, notFound("user", username, err)
	}
	u.Roles, err = activeRoles(ctx, s.db, u.ID)
	return u.User, err
}

// Users returns every user, by username.
func (s *Service) Users(ctx context.Context) ([]User, error) {
	roles := map[string][]Role{}
	rows, err := s.db.Query(ctx, "SELECT user_id, role FROM auth_grants WHERE state = 'active'")
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	for rows.Next() {
		var id, r string
		if err := rows.Scan(&id, &r); err != nil {
			rows.Close()
			return nil, fmt.Errorf("list users: %w", err)
		}
		roles[id] = append(roles[id], Role(r))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	rows, err = s.db.Query(ctx, "SELECT "+userCols+" FROM auth_users ORDER BY username")
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		u.Roles = append([]Role{}, roles[u.ID]...)
		sortRoles(u.Roles)
		out = append(out, u.User)
	}
	return out, rows.Err()
}

// DisableUser disables an account and, in the same transaction, revokes all
// its sessions and API tokens, so it loses access at once. Admins cannot
// disable themselves (ErrDisableSelf). Disabling a disabled user does
// nothing.
func (s *Service) DisableUser(ctx context.Context, actor *Principal, userID string) error {
	if actor != nil && actor.UserID == userID {
		return ErrDisableSelf
	}
	return s.db.Tx(ctx, func(tx *store.Tx) error {
		u, err := s.userRow(ctx, tx, userID)
		if err != nil {
			return err
		}
		if u.Disabled {
			return nil
		}
		now := s.stamp()
		if _, err := tx.Exec(ctx, "UPDATE auth_users SET disabled = 1, disabled_at = ? WHERE id = ?", store.FormatTime(now), userID); err != nil {
			return fmt.Errorf("disable user: %w", err)
		}
		u.Disabled = true
		if err := s.audit(ctx, tx, actor, "account.disable", "user/"+u.ID, userPayload(u)); err != nil {
			return err
		}
		if err := s.revokeSessions(ctx, tx, actor, userID, now); err != nil {
			return fmt.Errorf("disable user: %w", err)
		}
		if err := s.revokeTokens(ctx, tx, actor, userID, now); err != nil {
			return fmt.Errorf("disable user: %w", err)
		}
		return nil
	})
}

// SetPassword replaces userID's password and revokes the user's sessions.
// A reset by someone other than the user (an admin) also revokes all the
// user's API tokens, auditing each, as DisableUser does: whoever held the
// account before the reset keeps no way in. The user's own change keeps the
// tokens, which the user made and still holds. Handlers for
// PasswordChangeOwn should check the current password with
// VerifyUserPassword first.
//
// An admin's reset records that admin as the one who set the password
// (see ReissueTOTP and ConfirmGrant); the user's own change leaves that
// record as it is.
func (s *Service) SetPassword(ctx context.Context, actor *Principal, userID, password string) error {
	if err := CheckPassword(password); err != nil {
		return err
	}
	hash, err := s.hash(ctx, password)
	if err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	return s.db.Tx(ctx, func(tx *store.Tx) error {
		u, err := s.userRow(ctx, tx, userID)
		if err != nil {
			return err
		}
		if err := checkCredentialParty(ctx, tx, "totp_issued_by", u, actor); err != nil {
			return err
		}
		now := s.stamp()
		if _, err := tx.Exec(ctx, "UPDATE auth_users SET password_hash = ?, password_changed_at = ? WHERE id = ?", hash, store.FormatTime(now), userID); err != nil {
			return fmt.Errorf("set password: %w", err)
		}
		// The user's own change keeps password_set_by: it records the admin
		// who last chose the password, and that admin still may not issue
		// the user's TOTP secret (they could otherwise have the user, or
		// themselves logged in as the user, change it to clear the mark).
		if actor != nil && actor.UserID != userID {
			if err := setCredentialParty(ctx, tx, "password_set_by", u.ID, actor); err != nil {
				return err
			}
		}
		u.PasswordChangedAt, u.passwordHash = now, hash
		if err := s.audit(ctx, tx, actor, "account.password", "user/"+u.ID, userPayload(u)); err != nil {
			return err
		}
		if err := s.revokeSessions(ctx, tx, actor, userID, now); err != nil {
			return fmt.Errorf("set password: %w", err)
		}
		if actor == nil || actor.UserID != userID {
			if err := s.revokeTokens(ctx, tx, actor, userID, now); err != nil {
				return fmt.Errorf("set password: %w", err)
			}
		}
		return nil
	})
}

// VerifyUserPassword reports whether password is userID's current password,
// for re-authentication before sensitive changes. It returns
// ErrBadCredentials when it is not or the user is disabled.
//
// Failures count with those of PasswordLogin for the user's name, so that a
// stolen session cannot guess the password here faster than at the login
// page: while the name is over Config.LoginFailures it returns
// ErrRateLimited (answer 429), right password or not.
func (s *Service) VerifyUserPassword(ctx context.Context, userID, password string) error {
	u, err := s.userRow(ctx, s.db, userID)
	if err != nil {
		return err
	}
	if s.loginBlocked(u.Username, "") {
		return ErrRateLimited
	}
	ok, err := s.verify(ctx, u.passwordHash, password)
	if err != nil {
		return fmt.Errorf("verify password of %s: %w", u.Username, err)
	}
	if !ok || u.Disabled {
		s.limiter.fail(userKey(u.Username), s.cfg.LoginFailures, s.now())
		s.logger.Info("password check failed", "username", u.Username)
		return ErrBadCredentials
	}
	s.limiter.reset(userKey(u.Username))
	return nil
}
