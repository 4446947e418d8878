package sharing

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

// Group is a named group of council members that items may be addressed
// to, such as an ISAC. The Cabinet Office keeps groups and chooses for
// each whether its member list is visible to its members.
type Group struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Visible: the members of the group see its member list.
	Visible bool `json:"visible"`
	// Members are the organisations in the group; only the Cabinet Office
	// and, for a visible group, its members see them.
	Members   []OrgRef  `json:"members,omitempty"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// OrgRef names an organisation.
type OrgRef struct {
	ID     string       `json:"id"`
	Name   string       `json:"name"`
	NameJA string       `json:"name_ja"`
	Kind   auth.OrgKind `json:"kind"`
}

// GroupInput creates or changes a group.
type GroupInput struct {
	Name    string `json:"name"`
	Visible bool   `json:"visible"`
}

// groupRow is what shr_groups keeps in data.
type groupRow struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Visible   bool      `json:"visible"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func loadGroup(ctx context.Context, q store.Querier, id string) (groupRow, error) {
	var data string
	err := q.QueryRow(ctx, "SELECT data FROM shr_groups WHERE id = ?", id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return groupRow{}, fmt.Errorf("group %q: %w", textfield.Cut(id, 80), ErrNotFound)
	}
	if err != nil {
		return groupRow{}, fmt.Errorf("read group: %w", err)
	}
	var g groupRow
	return g, unmarshal(data, &g)
}

func groupMembers(ctx context.Context, q store.Querier, id string) ([]string, error) {
	rows, err := q.Query(ctx, "SELECT org_id FROM shr_group_members WHERE group_id = ? ORDER BY org_id", id)
	if err != nil {
		return nil, fmt.Errorf("read group members: %w", err)
	}
	var out []string
	for rows.Next() {
		var org string
		if err := rows.Scan(&org); err != nil {
			return nil, closeRows(rows, err)
		}
		out = append(out, org)
	}
	return out, closeRows(rows, nil)
}

func (in *GroupInput) normalize() error {
	in.Name = strings.TrimSpace(in.Name)
	return textfield.CheckLine("name", in.Name, true)
}

// CreateGroup creates a group: the Cabinet Office only.
func (s *Service) CreateGroup(ctx context.Context, p *auth.Principal, in GroupInput) (Group, error) {
	if err := mustManage(p); err != nil {
		return Group{}, err
	}
	if err := in.normalize(); err != nil {
		return Group{}, err
	}
	now := s.now()
	g := groupRow{ID: newID("grp_"), Name: in.Name, Visible: in.Visible, CreatedBy: p.UserID, CreatedAt: now, UpdatedAt: now}
	return s.writeGroup(ctx, p, "council.group.create", g, true)
}

// UpdateGroup renames a group or changes whether its member list is
// visible: the Cabinet Office only.
func (s *Service) UpdateGroup(ctx context.Context, p *auth.Principal, id string, in GroupInput) (Group, error) {
	if err := mustManage(p); err != nil {
		return Group{}, err
	}
	if err := in.normalize(); err != nil {
		return Group{}, err
	}
	g, err := loadGroup(ctx, s.db, id)
	if err != nil {
		return Group{}, err
	}
	g.Name, g.Visible, g.UpdatedAt = in.Name, in.Visible, s.now()
	return s.writeGroup(ctx, p, "council.group.update", g, false)
}

func (s *Service) writeGroup(ctx context.Context, p *auth.Principal, action string, g groupRow, create bool) (Group, error) {
	data, err := marshal(g)
	if err != nil {
		return Group{}, err
	}
	key := strings.ToLower(g.Name)
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		var other string
		err := tx.QueryRow(ctx, "SELECT id FROM shr_groups WHERE name_key = ?", key).Scan(&other)
		if err == nil && other != g.ID {
			return refuse(CodeGroupNameTaken, g.Name)
		}
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("check group name: %w", err)
		}
		if create {
			_, err = tx.Exec(ctx, "INSERT INTO shr_groups (id, name_key, data, updated_at) VALUES (?, ?, ?, ?)", g.ID, key, data, store.FormatTime(g.UpdatedAt))
		} else {
			_, err = tx.Exec(ctx, "UPDATE shr_groups SET name_key = ?, data = ?, updated_at = ? WHERE id = ?", key, data, store.FormatTime(g.UpdatedAt), g.ID)
		}
		if err != nil {
			return fmt.Errorf("record group: %w", err)
		}
		return s.auditState(ctx, tx, p, action, resGroup, g.ID)
	})
	if err != nil {
		return Group{}, err
	}
	return s.Group(ctx, p, g.ID)
}

// AddGroupMember adds a council member organisation to a group: the
// Cabinet Office only.
func (s *Service) AddGroupMember(ctx context.Context, p *auth.Principal, id, orgID string) (Group, error) {
	return s.changeGroupMember(ctx, p, id, orgID, true)
}

// RemoveGroupMember removes an organisation from a group: the Cabinet
// Office only.
func (s *Service) RemoveGroupMember(ctx context.Context, p *auth.Principal, id, orgID string) (Group, error) {
	return s.changeGroupMember(ctx, p, id, orgID, false)
}

func (s *Service) changeGroupMember(ctx context.Context, p *auth.Principal, id, orgID string, add bool) (Group, error) {
	if err := mustManage(p); err != nil {
		return Group{}, err
	}
	o, err := s.dir.Org(ctx, orgID)
	if err != nil {
		return Group{}, fieldErrorf("org_id", "no organisation %q", textfield.Cut(orgID, 80))
	}
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		if _, err := loadGroup(ctx, tx, id); err != nil {
			return err
		}
		members, err := groupMembers(ctx, tx, id)
		if err != nil {
			return err
		}
		in := slices.Contains(members, o.ID)
		action := "council.group.add"
		switch {
		case add && in:
			return refuse(CodeAlreadyInGroup, o.Name)
		case !add && !in:
			return refuse(CodeNotInGroup, o.Name)
		case add:
			member, err := isMember(ctx, tx, o.ID, o.Kind)
			if err != nil {
				return err
			}
			if !member {
				return refuse(CodeOrgNotMember, o.Name)
			}
			_, err = tx.Exec(ctx, "INSERT INTO shr_group_members (group_id, org_id, added_by, added_at) VALUES (?, ?, ?, ?)", id, o.ID, p.UserID, store.FormatTime(s.now()))
			if err != nil {
				return fmt.Errorf("add group member: %w", err)
			}
		default:
			action = "council.group.remove"
			if _, err := tx.Exec(ctx, "DELETE FROM shr_group_members WHERE group_id = ? AND org_id = ?", id, o.ID); err != nil {
				return fmt.Errorf("remove group member: %w", err)
			}
		}
		return s.auditState(ctx, tx, p, action, resGroup, id)
	})
	if err != nil {
		return Group{}, err
	}
	return s.Group(ctx, p, id)
}

// Group returns a group: to the Cabinet Office with its members, to a
// member organisation of the group with its members if the group is
// visible and without them otherwise. Anyone else gets ErrNotFound.
func (s *Service) Group(ctx context.Context, p *auth.Principal, id string) (Group, error) {
	if !isUser(p) {
		return Group{}, fmt.Errorf("group %q: %w", textfield.Cut(id, 80), ErrNotFound)
	}
	g, err := loadGroup(ctx, s.db, id)
	if err != nil {
		return Group{}, err
	}
	members, err := groupMembers(ctx, s.db, id)
	if err != nil {
		return Group{}, err
	}
	if !manager(p) && !slices.Contains(members, p.OrgID) {
		return Group{}, fmt.Errorf("group %q: %w", textfield.Cut(id, 80), ErrNotFound)
	}
	return s.groupView(ctx, p, g, members)
}

// groupView is the group as p may see it.
func (s *Service) groupView(ctx context.Context, p *auth.Principal, g groupRow, members []string) (Group, error) {
	out := Group{ID: g.ID, Name: g.Name, Visible: g.Visible, CreatedBy: g.CreatedBy, CreatedAt: g.CreatedAt, UpdatedAt: g.UpdatedAt}
	if !manager(p) {
		out.CreatedBy = ""
		if !g.Visible {
			return out, nil
		}
	}
	out.Members = []OrgRef{}
	for _, id := range members {
		o, err := s.dir.Org(ctx, id)
		if err != nil {
			out.Members = append(out.Members, OrgRef{ID: id})
			continue
		}
		out.Members = append(out.Members, OrgRef{ID: o.ID, Name: o.Name, NameJA: o.NameJA, Kind: o.Kind})
	}
	return out, nil
}

// Groups lists groups by name: every group for the Cabinet Office, the
// groups the caller's organisation is in for anyone else (with member
// lists only for visible groups).
func (s *Service) Groups(ctx context.Context, p *auth.Principal) ([]Group, error) {
	if !isUser(p) {
		return []Group{}, nil
	}
	q := "SELECT g.data FROM shr_groups g"
	var args []any
	if !manager(p) {
		q += " JOIN shr_group_members m ON m.group_id = g.id WHERE m.org_id = ?"
		args = append(args, p.OrgID)
	}
	rows, err := s.db.Query(ctx, q+" ORDER BY g.name_key", args...)
	if err != nil {
		return nil, fmt.Errorf("list groups: %w", err)
	}
	var gs []groupRow
	for rows.Next() {
		var data string
		var g groupRow
		if err := rows.Scan(&data); err != nil {
			return nil, closeRows(rows, err)
		}
		if err := unmarshal(data, &g); err != nil {
			return nil, closeRows(rows, err)
		}
		gs = append(gs, g)
	}
	if err := closeRows(rows, nil); err != nil {
		return nil, fmt.Errorf("list groups: %w", err)
	}
	out := []Group{}
	for _, g := range gs {
		members, err := groupMembers(ctx, s.db, g.ID)
		if err != nil {
			return nil, err
		}
		v, err := s.groupView(ctx, p, g, members)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}
