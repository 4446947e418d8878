package measures

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/textfield"
)

// maxScope is the most characters of a designation's scope.
const maxScope = 2000

// authorityFor returns the level of designations p gives: police
// (national and prefectural) for the NPA Commissioner General, SDF for the
// Minister of Defense; "" when p designates nobody.
func (s *Service) authorityFor(ctx context.Context, p *auth.Principal) (string, error) {
	if isMinisterOfDefense(p) {
		return "sdf", nil
	}
	cg, err := s.isCommissionerGeneral(ctx, p)
	if err != nil {
		return "", err
	}
	if cg {
		return "police", nil
	}
	return "", nil
}

// family returns the authority that designates officers of level l.
func family(l Level) string {
	if l == LevelSDF {
		return "sdf"
	}
	return "police"
}

// Designate designates a user as a cyber harm-prevention measure officer:
// the NPA Commissioner General designates officers of police
// organisations (national or prefectural), the Minister of Defense
// officers of SDF organisations; anyone else is refused with
// not_designating_authority, and so is designating oneself. The user must hold the officer role and have
// no designation in force. The level is derived from the user's
// organisation.
func (s *Service) Designate(ctx context.Context, p *auth.Principal, in DesignationInput) (Designation, error) {
	authority, err := s.authorityFor(ctx, p)
	if err != nil {
		return Designation{}, err
	}
	if authority == "" {
		return Designation{}, refuse(CodeNotDesignatingAuthority, "you are neither the NPA Commissioner General nor the Minister of Defense")
	}
	in.UserID, in.Scope = strings.TrimSpace(in.UserID), strings.TrimSpace(in.Scope)
	if in.UserID == "" {
		return Designation{}, fieldErrorf("user_id", "required")
	}
	if in.UserID == p.UserID {
		return Designation{}, refuse(CodeNotDesignatingAuthority, "nobody designates themselves")
	}
	if err := textfield.Check("scope", in.Scope, maxScope, false); err != nil {
		return Designation{}, err
	}
	u, err := s.users.User(ctx, in.UserID)
	if err != nil {
		return Designation{}, fieldErrorf("user_id", "no user %q", textfield.Cut(in.UserID, 100))
	}
	o, err := s.orgs.Org(ctx, u.OrgID)
	if err != nil {
		return Designation{}, fmt.Errorf("look up organisation %s: %w", u.OrgID, err)
	}
	var lvl Level
	switch {
	case o.Kind == auth.OrgPolice && o.Police == auth.PoliceNational:
		lvl = LevelNational
	case o.Kind == auth.OrgPolice && o.Police == auth.PolicePrefectural:
		lvl = LevelPrefectural
	case o.Kind == auth.OrgSDF:
		lvl = LevelSDF
	default:
		return Designation{}, fieldErrorf("user_id", "user %s belongs to %s, not to a police or SDF organisation", u.Username, o.Name)
	}
	if family(lvl) != authority {
		return Designation{}, refuse(CodeNotDesignatingAuthority, fmt.Sprintf("officers of %s are designated by the %s", o.Name, map[string]string{"police": "NPA Commissioner General", "sdf": "Minister of Defense"}[family(lvl)]))
	}
	if !slices.Contains(u.Roles, auth.RoleOfficer) || u.Disabled {
		return Designation{}, fieldErrorf("user_id", "user %s does not hold the officer role", u.Username)
	}
	now := s.now()
	in.ValidUntil = in.ValidUntil.UTC()
	if !in.ValidUntil.IsZero() && !in.ValidUntil.After(now) {
		return Designation{}, fieldErrorf("valid_until", "%s is not in the future", stamp(in.ValidUntil))
	}
	d := Designation{ID: newID("des_"), UserID: u.ID, Username: u.Username, OrgID: u.OrgID, Level: lvl, Scope: in.Scope,
		ValidFrom: now, ValidUntil: in.ValidUntil, DesignatedBy: p.UserID, DesignatedAt: now}
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		if cur, ok, err := s.activeDesignation(ctx, tx, u.ID, now); err != nil {
			return err
		} else if ok {
			return refuse(CodeAlreadyDone, fmt.Sprintf("user %s already holds designation %s: revoke it first", u.Username, cur.ID))
		}
		data, err := encode(d)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO msr_designations (id, user_id, org_id, level, designated_at, revoked_at, data) VALUES (?, ?, ?, ?, ?, '', ?)",
			d.ID, d.UserID, d.OrgID, string(d.Level), store.FormatTime(d.DesignatedAt), data); err != nil {
			return fmt.Errorf("record designation: %w", err)
		}
		if err := s.audit(ctx, tx, p, "designation.create", "designation/"+d.ID, d); err != nil {
			return err
		}
		until := "without end"
		if !d.ValidUntil.IsZero() {
			until = "until " + stamp(d.ValidUntil)
		}
		return s.notify(ctx, tx, deadline.Notice{ToUser: u.ID, ToOrg: u.OrgID, Subject: "You are designated a cyber harm-prevention measure officer",
			Body: fmt.Sprintf("Designation %s (%s), %s. Scope: %s", d.ID, d.Level, until, d.Scope), Link: "/measures/designations/" + d.ID})
	})
	if err != nil {
		return Designation{}, err
	}
	d.Active = d.ActiveAt(now)
	return d, nil
}

// RevokeDesignation revokes designation id for reason, by the authority
// that gives designations of its level. Revoking twice is refused with
// already_done.
func (s *Service) RevokeDesignation(ctx context.Context, p *auth.Principal, id, reason string) (Designation, error) {
	authority, err := s.authorityFor(ctx, p)
	if err != nil {
		return Designation{}, err
	}
	if authority == "" {
		return Designation{}, refuse(CodeNotDesignatingAuthority, "you are neither the NPA Commissioner General nor the Minister of Defense")
	}
	reason = strings.TrimSpace(reason)
	if err := textfield.Check("reason", reason, maxText, true); err != nil {
		return Designation{}, err
	}
	cond, args, err := s.designationScope(ctx, p)
	if err != nil {
		return Designation{}, err
	}
	var d Designation
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		ds, err := listRecords[Designation](ctx, tx, "SELECT data FROM msr_designations WHERE id = ? AND "+cond, append([]any{id}, args...)...)
		if err != nil {
			return err
		}
		if len(ds) == 0 {
			return fmt.Errorf("designation %q: %w", textfield.Cut(id, 100), ErrNotFound)
		}
		d = ds[0]
		if family(d.Level) != authority {
			return refuse(CodeNotDesignatingAuthority, fmt.Sprintf("designation %s is of level %s", d.ID, d.Level))
		}
		if !d.RevokedAt.IsZero() {
			return refuse(CodeAlreadyDone, fmt.Sprintf("designation %s was revoked at %s", d.ID, stamp(d.RevokedAt)))
		}
		d.RevokedAt, d.RevokedBy, d.RevokeReason = s.now(), p.UserID, reason
		data, err := encode(d)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE msr_designations SET revoked_at = ?, data = ? WHERE id = ?", store.FormatTime(d.RevokedAt), data, d.ID); err != nil {
			return fmt.Errorf("revoke designation %s: %w", d.ID, err)
		}
		if err := s.audit(ctx, tx, p, "designation.revoke", "designation/"+d.ID, d); err != nil {
			return err
		}
		return s.notify(ctx, tx, deadline.Notice{ToUser: d.UserID, ToOrg: d.OrgID, Subject: "Your designation as officer is revoked",
			Body: fmt.Sprintf("Designation %s was revoked: %s", d.ID, reason), Link: "/measures/designations/" + d.ID})
	})
	if err != nil {
		return Designation{}, err
	}
	return d, nil
}

// designationScope returns the SQL condition on msr_designations that p
// may see: analysts and the commission all; the NPA Commissioner General
// the police ones, the Minister of Defense the SDF ones; other commanders
// and officers their organisation's.
func (s *Service) designationScope(ctx context.Context, p *auth.Principal) (string, []any, error) {
	if !human(p) {
		return "1 = 0", nil, nil
	}
	if isAnalyst(p) || isCommission(p) {
		return "1 = 1", nil, nil
	}
	var conds []string
	var args []any
	a, err := s.authorityFor(ctx, p)
	if err != nil {
		return "", nil, err
	}
	switch a {
	case "police":
		conds = append(conds, "level IN ('national', 'prefectural')")
	case "sdf":
		conds = append(conds, "level = 'sdf'")
	}
	if isCommander(p) || isOfficer(p) {
		conds = append(conds, "org_id = ?")
		args = append(args, p.OrgID)
	}
	if len(conds) == 0 {
		return "1 = 0", nil, nil
	}
	return "((" + strings.Join(conds, ") OR (") + "))", args, nil
}

// Designations lists the designations p may see that match f, newest
// first.
func (s *Service) Designations(ctx context.Context, p *auth.Principal, f DesignationFilter) ([]Designation, error) {
	cond, args, err := s.designationScope(ctx, p)
	if err != nil {
		return nil, err
	}
	q := "SELECT data FROM msr_designations WHERE " + cond
	if f.UserID != "" {
		q += " AND user_id = ?"
		args = append(args, f.UserID)
	}
	if f.OrgID != "" {
		q += " AND org_id = ?"
		args = append(args, f.OrgID)
	}
	if f.Active {
		q += " AND revoked_at = ''"
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 500
	}
	q += " ORDER BY designated_at DESC, id"
	ds, err := listRecords[Designation](ctx, s.db, q, args...)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := make([]Designation, 0, min(len(ds), limit))
	for _, d := range ds {
		d.Active = d.ActiveAt(now)
		if f.Active && !d.Active {
			continue
		}
		if len(out) == limit {
			break
		}
		out = append(out, d)
	}
	return out, nil
}

// Designation returns designation id if p may see it; otherwise
// ErrNotFound.
func (s *Service) Designation(ctx context.Context, p *auth.Principal, id string) (Designation, error) {
	cond, args, err := s.designationScope(ctx, p)
	if err != nil {
		return Designation{}, err
	}
	ds, err := listRecords[Designation](ctx, s.db, "SELECT data FROM msr_designations WHERE id = ? AND "+cond, append([]any{id}, args...)...)
	if err != nil {
		return Designation{}, err
	}
	if len(ds) == 0 {
		return Designation{}, fmt.Errorf("designation %q: %w", textfield.Cut(id, 100), ErrNotFound)
	}
	d := ds[0]
	d.Active = d.ActiveAt(s.now())
	return d, nil
}

// activeDesignation returns the designation of user in force at now, if
// any.
func (s *Service) activeDesignation(ctx context.Context, q store.Querier, userID string, now time.Time) (Designation, bool, error) {
	ds, err := listRecords[Designation](ctx, q, "SELECT data FROM msr_designations WHERE user_id = ? AND revoked_at = '' ORDER BY designated_at DESC", userID)
	if err != nil {
		return Designation{}, false, err
	}
	for _, d := range ds {
		if d.ActiveAt(now) {
			return d, true, nil
		}
	}
	return Designation{}, false, nil
}

// requireDesignation returns p's designation in force, or the refusal
// not_designated. A designation of another organisation than p's (the
// user moved) does not count.
func (s *Service) requireDesignation(ctx context.Context, q store.Querier, p *auth.Principal) (Designation, error) {
	if !isOfficer(p) {
		return Designation{}, refuse(CodeNotDesignated, "you do not hold the officer role in a police or SDF organisation")
	}
	d, ok, err := s.activeDesignation(ctx, q, p.UserID, s.now())
	if err != nil {
		return Designation{}, err
	}
	if !ok || d.OrgID != p.OrgID {
		return Designation{}, refuse(CodeNotDesignated, fmt.Sprintf("user %s has no designation in force", p.UserID))
	}
	return d, nil
}
