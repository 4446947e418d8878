package sharing

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/store"
)

// The resource types of the package's audit entries ("type/id"). Each has
// one current state: the rows that hold it, as stored (see stateOf).
const (
	resAdvisory  = "advisory"       // an advisory by id: every revision and forward
	resClearance = "clearance"      // a user's clearance, by user id
	resMember    = "council_member" // an organisation's membership, by org id
	resGroup     = "council_group"  // a group of council members, by group id
)

// RegisterResolvers lets auditlog.Verify check every advisory, clearance,
// membership and group against the latest audit entry about it, and
// report stored records that no entry records. New calls it; tools that
// verify the log without a Service (acd log verify) call it themselves.
//
// The state a resolver returns, and every change's audit payload, is the
// rows that hold the resource, every column as stored: so a row edited
// behind ACD's back — a data column or a column queries select on, such
// as an advisory's state or a clearance's level — no longer matches its
// latest entry. Reads ("shared.read") are not changes and are not
// compared.
func RegisterResolvers(l *auditlog.Log) {
	for _, typ := range []string{resAdvisory, resClearance, resMember, resGroup} {
		l.RegisterResolver(typ, func(ctx context.Context, q store.Querier, id string) (any, error) {
			v, err := stateOf(ctx, q, typ, id)
			if errors.Is(err, ErrNotFound) {
				return nil, auditlog.ErrNoRecord
			}
			return v, err
		})
		l.RegisterLister(typ, func(ctx context.Context, q store.Querier) ([]string, error) {
			return listIDs(ctx, q, typ)
		})
	}
}

// auditState appends a change of resource typ/id inside tx, with the
// resource's state after the change (read through tx) as payload: what
// its resolver returns once tx commits.
func (s *Service) auditState(ctx context.Context, tx *store.Tx, p *auth.Principal, action, typ, id string) error {
	v, err := stateOf(ctx, tx, typ, id)
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return s.audit(ctx, tx, p, action, typ+"/"+id, v)
}

// listIDs lists the ids of resource type typ — every id with a row in
// any table of the resource — or none when the database has never had
// this package's tables.
func listIDs(ctx context.Context, q store.Querier, typ string) ([]string, error) {
	if ok, err := store.Migrated(ctx, q, component); err != nil || !ok {
		return nil, err
	}
	var query string
	switch typ {
	case resAdvisory:
		query = "SELECT id FROM shr_advisories UNION SELECT advisory_id FROM shr_forwards"
	case resClearance:
		query = "SELECT user_id FROM shr_clearances"
	case resMember:
		query = "SELECT org_id FROM shr_members UNION SELECT org_id FROM shr_member_events"
	case resGroup:
		query = "SELECT id FROM shr_groups UNION SELECT group_id FROM shr_group_members"
	default:
		return nil, fmt.Errorf("no resource type %q", typ)
	}
	rows, err := q.Query(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("list %s ids: %w", typ, err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, closeRows(rows, err)
		}
		ids = append(ids, id)
	}
	return ids, closeRows(rows, nil)
}

// stateOf returns the state of resource typ/id as stored, or ErrNotFound
// when its main row does not exist.
func stateOf(ctx context.Context, q store.Querier, typ, id string) (any, error) {
	switch typ {
	case resAdvisory:
		return advisoryStateOf(ctx, q, id)
	case resClearance:
		return clearanceStateOf(ctx, q, id)
	case resMember:
		return memberStateOf(ctx, q, id)
	case resGroup:
		return groupStateOf(ctx, q, id)
	}
	return nil, fmt.Errorf("no resource type %q", typ)
}

// storedJSON is a data column as a state holds it: the JSON as stored,
// or, for text that is not JSON (written behind ACD's back), that text as
// a JSON string, which matches no payload.
func storedJSON(s string) json.RawMessage {
	if json.Valid([]byte(s)) {
		return json.RawMessage(s)
	}
	b, _ := json.Marshal(s)
	return b
}

// advisoryState is an advisory as stored: each revision's row, oldest
// first, and each forward's.
type advisoryState struct {
	ID        string          `json:"id"`
	Revisions []revisionState `json:"revisions"`
	Forwards  []rowState      `json:"forwards"`
}

// revisionState is a row of shr_advisories.
type revisionState struct {
	Revision    int             `json:"revision"`
	State       string          `json:"state"`
	TLP         string          `json:"tlp"`
	PublishedAt string          `json:"published_at"`
	UpdatedAt   string          `json:"updated_at"`
	Data        json.RawMessage `json:"data"`
}

// rowState is a row keyed by id with its data and a time (shr_forwards,
// shr_member_events by seq).
type rowState struct {
	Key  string          `json:"key"`
	At   string          `json:"at"`
	Data json.RawMessage `json:"data"`
}

func advisoryStateOf(ctx context.Context, q store.Querier, id string) (advisoryState, error) {
	st := advisoryState{ID: id, Revisions: []revisionState{}}
	rows, err := q.Query(ctx, "SELECT revision, state, tlp, published_at, updated_at, data FROM shr_advisories WHERE id = ? ORDER BY revision", id)
	if err != nil {
		return st, fmt.Errorf("read advisory: %w", err)
	}
	for rows.Next() {
		var r revisionState
		var data string
		if err := rows.Scan(&r.Revision, &r.State, &r.TLP, &r.PublishedAt, &r.UpdatedAt, &data); err != nil {
			return st, closeRows(rows, err)
		}
		r.Data = storedJSON(data)
		st.Revisions = append(st.Revisions, r)
	}
	if err := closeRows(rows, nil); err != nil {
		return st, fmt.Errorf("read advisory: %w", err)
	}
	if len(st.Revisions) == 0 {
		return st, fmt.Errorf("advisory %q: %w", id, ErrNotFound)
	}
	st.Forwards, err = rowStates(ctx, q, "SELECT id, at, data FROM shr_forwards WHERE advisory_id = ? ORDER BY id", id)
	return st, err
}

// rowStates reads rows of (key, at, data).
func rowStates(ctx context.Context, q store.Querier, query string, args ...any) ([]rowState, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("read records: %w", err)
	}
	out := []rowState{}
	for rows.Next() {
		var r rowState
		var data string
		if err := rows.Scan(&r.Key, &r.At, &data); err != nil {
			return nil, closeRows(rows, err)
		}
		r.Data = storedJSON(data)
		out = append(out, r)
	}
	return out, closeRows(rows, nil)
}

// clearanceState is a row of shr_clearances: Level is the level in force,
// "" once revoked (the data then records the revocation).
type clearanceState struct {
	UserID string          `json:"user_id"`
	Level  string          `json:"level"`
	At     string          `json:"at"`
	Data   json.RawMessage `json:"data"`
}

func clearanceStateOf(ctx context.Context, q store.Querier, userID string) (clearanceState, error) {
	st := clearanceState{UserID: userID}
	var data string
	err := q.QueryRow(ctx, "SELECT level, at, data FROM shr_clearances WHERE user_id = ?", userID).Scan(&st.Level, &st.At, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return st, fmt.Errorf("clearance of %q: %w", userID, ErrNotFound)
	}
	if err != nil {
		return st, fmt.Errorf("read clearance: %w", err)
	}
	st.Data = storedJSON(data)
	return st, nil
}

// memberState is an organisation's row of shr_members with its history
// (shr_member_events, keyed by seq).
type memberState struct {
	OrgID     string          `json:"org_id"`
	Consent   int             `json:"consent"`
	Suspended int             `json:"suspended"`
	UpdatedAt string          `json:"updated_at"`
	Data      json.RawMessage `json:"data"`
	Events    []rowState      `json:"events"`
}

func memberStateOf(ctx context.Context, q store.Querier, orgID string) (memberState, error) {
	st := memberState{OrgID: orgID}
	var data string
	err := q.QueryRow(ctx, "SELECT consent, suspended, updated_at, data FROM shr_members WHERE org_id = ?", orgID).
		Scan(&st.Consent, &st.Suspended, &st.UpdatedAt, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return st, fmt.Errorf("membership of %q: %w", orgID, ErrNotFound)
	}
	if err != nil {
		return st, fmt.Errorf("read membership: %w", err)
	}
	st.Data = storedJSON(data)
	st.Events, err = rowStates(ctx, q, "SELECT CAST(seq AS TEXT), at, data FROM shr_member_events WHERE org_id = ? ORDER BY seq", orgID)
	return st, err
}

// groupState is a row of shr_groups with the group's members
// (shr_group_members).
type groupState struct {
	ID        string          `json:"id"`
	NameKey   string          `json:"name_key"`
	UpdatedAt string          `json:"updated_at"`
	Data      json.RawMessage `json:"data"`
	Members   []groupMember   `json:"members"`
}

// groupMember is a row of shr_group_members.
type groupMember struct {
	OrgID   string `json:"org_id"`
	AddedBy string `json:"added_by"`
	AddedAt string `json:"added_at"`
}

func groupStateOf(ctx context.Context, q store.Querier, id string) (groupState, error) {
	st := groupState{ID: id, Members: []groupMember{}}
	var data string
	err := q.QueryRow(ctx, "SELECT name_key, updated_at, data FROM shr_groups WHERE id = ?", id).Scan(&st.NameKey, &st.UpdatedAt, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return st, fmt.Errorf("group %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return st, fmt.Errorf("read group: %w", err)
	}
	st.Data = storedJSON(data)
	rows, err := q.Query(ctx, "SELECT org_id, added_by, added_at FROM shr_group_members WHERE group_id = ? ORDER BY org_id", id)
	if err != nil {
		return st, fmt.Errorf("read group members: %w", err)
	}
	for rows.Next() {
		var m groupMember
		if err := rows.Scan(&m.OrgID, &m.AddedBy, &m.AddedAt); err != nil {
			return st, closeRows(rows, err)
		}
		st.Members = append(st.Members, m)
	}
	return st, closeRows(rows, nil)
}
