package reporting

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/textfield"
)

// Designation is one act of designating an operator organisation, or of
// withdrawing its designation. The history is kept; the latest act decides.
type Designation struct {
	ID         string    `json:"id"`
	OrgID      string    `json:"org_id"`
	Designated bool      `json:"designated"`
	Reason     string    `json:"reason"`
	Actor      string    `json:"actor"`
	At         time.Time `json:"at"`
}

// Operator is an operator organisation with its designation state.
type Operator struct {
	Org        auth.Org `json:"org"`
	Sector     string   `json:"sector"`
	Designated bool     `json:"designated"`
	// Since is when the latest designation act took effect; zero when the
	// organisation was never designated.
	Since time.Time `json:"since,omitzero"`
}

// Designate records that the Cabinet Office designates (designated true) or
// undesignates the operator organisation orgID, for reason.
func (s *Service) Designate(ctx context.Context, p *auth.Principal, orgID string, designated bool, reason string) (Designation, error) {
	reason = strings.TrimSpace(reason)
	if err := textfield.Check("reason", reason, 1000, true); err != nil {
		return Designation{}, err
	}
	o, err := s.org(ctx, orgID)
	if err != nil || o.Kind != auth.OrgOperator {
		return Designation{}, fmt.Errorf("operator organisation %q: %w", orgID, ErrNotFound)
	}
	d := Designation{ID: newID("des_"), OrgID: orgID, Designated: designated, Reason: reason, At: s.now()}
	d.Actor, _ = actorOf(p)
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		cur, _, err := designated1(ctx, tx, orgID)
		if err != nil {
			return err
		}
		if cur == designated {
			if designated {
				return fmt.Errorf("operator %q is already designated: %w", orgID, ErrConflict)
			}
			return fmt.Errorf("operator %q is not designated: %w", orgID, ErrConflict)
		}
		// seq orders acts that share a timestamp.
		if _, err := tx.Exec(ctx, "INSERT INTO rep_designations (id, org_id, seq, designated, reason, actor, at) VALUES (?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM rep_designations WHERE org_id = ?), ?, ?, ?, ?)",
			d.ID, d.OrgID, d.OrgID, boolInt(designated), d.Reason, d.Actor, store.FormatTime(d.At)); err != nil {
			return fmt.Errorf("record designation: %w", err)
		}
		action := "operator.designate"
		if !designated {
			action = "operator.undesignate"
		}
		return s.audit(ctx, tx, p, action, "operator/"+orgID, d)
	})
	return d, err
}

// designated1 returns an organisation's current designation state.
func designated1(ctx context.Context, q store.Querier, orgID string) (bool, time.Time, error) {
	var d int
	var at string
	err := q.QueryRow(ctx, "SELECT designated, at FROM rep_designations WHERE org_id = ? ORDER BY seq DESC LIMIT 1", orgID).Scan(&d, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return false, time.Time{}, nil
	}
	if err != nil {
		return false, time.Time{}, fmt.Errorf("read designation: %w", err)
	}
	t, err := store.ParseTime(at)
	return d == 1, t, err
}

// Designations returns the designation history of orgID, oldest first.
func (s *Service) Designations(ctx context.Context, p *auth.Principal, orgID string) ([]Designation, error) {
	o, err := s.org(ctx, orgID)
	if err != nil || o.Kind != auth.OrgOperator || !s.policy.CanSeeOrg(p, o.ID, o.Sector()) {
		return nil, fmt.Errorf("operator %q: %w", orgID, ErrNotFound)
	}
	rows, err := s.db.Query(ctx, "SELECT id, org_id, designated, reason, actor, at FROM rep_designations WHERE org_id = ? ORDER BY seq", orgID)
	if err != nil {
		return nil, fmt.Errorf("list designations: %w", err)
	}
	defer rows.Close()
	var out []Designation
	for rows.Next() {
		var d Designation
		var des int
		var at string
		if err := rows.Scan(&d.ID, &d.OrgID, &des, &d.Reason, &d.Actor, &at); err != nil {
			return nil, err
		}
		d.Designated = des == 1
		if d.At, err = store.ParseTime(at); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Operators returns the operator organisations p may see (analysts: all;
// ministries: their sectors'; operators: their own), with their
// designation state, by sector then name.
func (s *Service) Operators(ctx context.Context, p *auth.Principal) ([]Operator, error) {
	// Not the cache: an organisation created a moment ago must be listed.
	os, err := s.auth.Orgs(ctx)
	if err != nil {
		return nil, err
	}
	var out []Operator
	for _, o := range os {
		if o.Kind != auth.OrgOperator || !s.policy.CanSeeOrg(p, o.ID, o.Sector()) {
			continue
		}
		d, at, err := designated1(ctx, s.db, o.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, Operator{Org: o, Sector: o.Sector(), Designated: d, Since: at})
	}
	slices.SortFunc(out, func(a, b Operator) int {
		if c := strings.Compare(a.Sector, b.Sector); c != 0 {
			return c
		}
		return strings.Compare(a.Org.Name, b.Org.Name)
	})
	return out, nil
}

// requireDesignated checks, inside q, that p acts for a designated
// operator, and returns its sector. §4 and §5 bind designated operators.
func (s *Service) requireDesignated(ctx context.Context, q store.Querier, p *auth.Principal) (string, error) {
	if p == nil || p.OrgKind != auth.OrgOperator || len(p.Sectors) != 1 {
		return "", fmt.Errorf("only operators file notifications and reports: %w", ErrForbidden)
	}
	ok, _, err := designated1(ctx, q, p.OrgID)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", fmt.Errorf("organisation %q is not a designated operator: %w", p.OrgID, ErrForbidden)
	}
	return p.Sectors[0], nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
