package blocklist

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/svcerr"
	"github.com/acd-platform/acd/internal/textfield"
)

// Source says how an entry came onto the blocklist.
type Source string

// Sources of entries.
const (
	// SourceCase: from a measure case that has taken a measure (its
	// targets, or a value an officer or analyst tied to it).
	SourceCase Source = "case"
	// SourceIndicator: an analyst's or officer's indicator, not tied to a
	// case.
	SourceIndicator Source = "indicator"
)

// State is an entry's state at a time, derived from its times.
type State string

// States of an entry.
const (
	StateActive  State = "active"  // in the feeds
	StateExpired State = "expired" // past expires_at, never removed
	StateRemoved State = "removed" // removed before it expired
)

// Limits on entry input.
const (
	// MaxReason is the longest reason, in characters; one line.
	MaxReason = 500
	// MaxCaseRef is the longest case reference, in characters.
	MaxCaseRef = 100
	// MaxList is the most entries one listing returns; DefaultList when
	// the filter names no limit.
	MaxList     = 1000
	DefaultList = 100
	// MinLifetime is how far in the future an expiry must be at least.
	MinLifetime = time.Minute
	// MaxCaseTargets is the most targets AddCase takes from one case.
	MaxCaseTargets = 1000
)

// Entry is one value on the blocklist. Entries are never deleted: removal
// and expiry take them out of the feeds and keep the record.
type Entry struct {
	ID    string `json:"id"`
	Kind  Kind   `json:"kind"`
	Value string `json:"value"`
	// Reason says why the value is blocked; one line, shown in the feeds.
	Reason string `json:"reason"`
	// CaseRef is the measure case the entry comes from, if any.
	CaseRef   string    `json:"case_ref,omitempty"`
	Source    Source    `json:"source"`
	AddedBy   string    `json:"added_by"`
	AddedOrg  string    `json:"added_org"`
	AddedAt   time.Time `json:"added_at"`
	ExpiresAt time.Time `json:"expires_at"`
	RemovedAt time.Time `json:"removed_at,omitzero"`
	RemovedBy string    `json:"removed_by,omitempty"`
	// RemoveReason says why it was removed.
	RemoveReason string `json:"remove_reason,omitempty"`
	// State is derived when the entry is read; it is not stored.
	State State `json:"state,omitempty"`
}

// StateAt returns e's state at now.
func (e Entry) StateAt(now time.Time) State {
	switch {
	case !e.RemovedAt.IsZero():
		return StateRemoved
	case !now.Before(e.ExpiresAt):
		return StateExpired
	}
	return StateActive
}

// Active reports whether e is in the feeds at now.
func (e Entry) Active(now time.Time) bool { return e.StateAt(now) == StateActive }

// EntryInput is a value to add to the blocklist.
type EntryInput struct {
	// Value is an IP address, a network (CIDR) or a domain name; see
	// ParseValue.
	Value string `json:"value"`
	// Reason says why; required, one line of at most MaxReason characters.
	Reason string `json:"reason"`
	// CaseRef, when set, ties the entry to a measure case, which must have
	// taken a measure (executing or closed); the entry's source is then
	// "case".
	CaseRef string `json:"case_ref,omitempty"`
	// ExpiresAt is when the entry leaves the feeds; zero means the default
	// TTL. At most a year (Config.MaxTTL) ahead.
	ExpiresAt time.Time `json:"expires_at,omitzero"`
}

// Skipped is a case target that AddCase did not add, and why.
type Skipped struct {
	// Value is the target's address or domain as the case holds it.
	Value string `json:"value"`
	// Why says why it was skipped.
	Why string `json:"why"`
	// EntryID is the active entry that already blocks the value, if that
	// is why.
	EntryID string `json:"entry_id,omitempty"`
}

// CaseResult is what AddCase did.
type CaseResult struct {
	CaseID  string    `json:"case_id"`
	Added   []Entry   `json:"added"`
	Skipped []Skipped `json:"skipped"`
}

// Filter selects entries.
type Filter struct {
	// Active keeps only entries in the feeds now.
	Active bool
	// CaseRef keeps only the entries of one case.
	CaseRef string
	// Limit is the most entries returned; 0 means DefaultList, at most
	// MaxList.
	Limit int
}

// checkReason checks a reason: required, one line, at most MaxReason
// characters.
func checkReason(field, reason string) error {
	if strings.ContainsAny(reason, "\r\n") {
		return svcerr.Fieldf(field, "must be one line")
	}
	return textfield.Check(field, reason, MaxReason, true)
}

// checkCaseRef checks the form of a case id.
func checkCaseRef(field, ref string) error {
	if ref == "" {
		return svcerr.Fieldf(field, "required")
	}
	if len(ref) > MaxCaseRef {
		return svcerr.Fieldf(field, "%d characters, at most %d allowed", len(ref), MaxCaseRef)
	}
	for i := 0; i < len(ref); i++ {
		c := ref[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return svcerr.Fieldf(field, "%q: a case id has only letters, digits and _ - .", textfield.Cut(ref, 40))
		}
	}
	return nil
}

// expiry returns the expiry of an entry added at now: t, or the default
// TTL when t is zero. It must be at least MinLifetime and at most MaxTTL
// ahead.
func (s *Service) expiry(field string, t, now time.Time) (time.Time, error) {
	if t.IsZero() {
		return now.Add(s.cfg.DefaultTTL), nil
	}
	t = t.UTC()
	if t.Before(now.Add(MinLifetime)) {
		return time.Time{}, svcerr.Fieldf(field, "%s is not in the future (at least %v ahead of %s)", t.Format(time.RFC3339), MinLifetime, now.Format(time.RFC3339))
	}
	if t.After(now.Add(s.cfg.MaxTTL)) {
		return time.Time{}, svcerr.Fieldf(field, "%s is more than %v ahead; add the entry again when it is still needed", t.Format(time.RFC3339), s.cfg.MaxTTL)
	}
	return t, nil
}

// checkCase fetches a case's targets and checks that it has taken a
// measure: only the targets of a case that reached execution go to ISPs.
func (s *Service) checkCase(ctx context.Context, caseID string) ([]CaseTarget, error) {
	if s.cases == nil {
		return nil, ErrNoCases
	}
	targets, state, err := s.cases.CaseTargets(ctx, caseID)
	if err != nil {
		return nil, fmt.Errorf("case %s: %w", caseID, err)
	}
	switch state {
	case "executing", "closed":
		return targets, nil
	case "open":
		return nil, svcerr.Conflictf("case %s is open and has taken no measure yet: its targets go on the blocklist once an order is issued or a measure executed", caseID)
	case "withdrawn":
		return nil, svcerr.Conflictf("case %s was withdrawn and took no measure: its targets do not go on the blocklist", caseID)
	}
	return nil, svcerr.Conflictf("case %s is in state %q and has taken no measure", caseID, state)
}

// Add adds a value to the blocklist for an analyst or officer. A value
// already active is 409.
func (s *Service) Add(ctx context.Context, p *auth.Principal, in EntryInput) (Entry, error) {
	if !s.allowed(p, auth.BlocklistWrite) {
		return Entry{}, svcerr.Forbiddenf("only analysts and officers add to the blocklist")
	}
	kind, value, err := ParseValue(in.Value, s.ParseOptions())
	if err != nil {
		return Entry{}, err
	}
	reason := strings.TrimSpace(in.Reason)
	if err := checkReason("reason", reason); err != nil {
		return Entry{}, err
	}
	now := s.now()
	expires, err := s.expiry("expires_at", in.ExpiresAt, now)
	if err != nil {
		return Entry{}, err
	}
	source := SourceIndicator
	caseRef := strings.TrimSpace(in.CaseRef)
	if caseRef != "" {
		if err := checkCaseRef("case_ref", caseRef); err != nil {
			return Entry{}, err
		}
		if _, err := s.checkCase(ctx, caseRef); err != nil {
			return Entry{}, err
		}
		source = SourceCase
	}
	e := Entry{ID: newID("blk_"), Kind: kind, Value: value, Reason: reason, CaseRef: caseRef, Source: source,
		AddedBy: p.UserID, AddedOrg: p.OrgID, AddedAt: now, ExpiresAt: expires}
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		if old, ok, err := activeEntry(ctx, tx, value, now); err != nil {
			return err
		} else if ok {
			return svcerr.Conflictf("%s is already on the blocklist as %s (added %s, expires %s)", value, old.ID, stamp(old.AddedAt), stamp(old.ExpiresAt))
		}
		return s.insertEntry(ctx, tx, p, e)
	})
	if err != nil {
		return Entry{}, err
	}
	e.State = StateActive
	return e, nil
}

// AddCase adds every address and domain target of measure case caseID,
// for an analyst or officer. The case must be executing or closed (an
// open or withdrawn case is 409: it has taken no measure). Targets already
// active, refused by ParseValue (a private address, say) or repeated in
// the case are skipped and reported, not an error. expires zero means the
// default TTL.
func (s *Service) AddCase(ctx context.Context, p *auth.Principal, caseID, reason string, expires time.Time) (CaseResult, error) {
	if !s.allowed(p, auth.BlocklistWrite) {
		return CaseResult{}, svcerr.Forbiddenf("only analysts and officers add to the blocklist")
	}
	if err := checkCaseRef("case_id", caseID); err != nil {
		return CaseResult{}, err
	}
	reason = strings.TrimSpace(reason)
	if err := checkReason("reason", reason); err != nil {
		return CaseResult{}, err
	}
	now := s.now()
	exp, err := s.expiry("expires_at", expires, now)
	if err != nil {
		return CaseResult{}, err
	}
	targets, err := s.checkCase(ctx, caseID)
	if err != nil {
		return CaseResult{}, err
	}
	if len(targets) > MaxCaseTargets {
		return CaseResult{}, svcerr.Conflictf("case %s has %d targets, more than the %d the blocklist takes at once", caseID, len(targets), MaxCaseTargets)
	}
	res := CaseResult{CaseID: caseID, Added: []Entry{}, Skipped: []Skipped{}}
	type candidate struct {
		raw   string
		kind  Kind
		value string
	}
	var cands []candidate
	seen := map[string]bool{}
	for _, t := range targets {
		for _, raw := range []string{t.Address, t.Domain} {
			if strings.TrimSpace(raw) == "" {
				continue
			}
			kind, value, err := ParseValue(raw, s.ParseOptions())
			if err != nil {
				why := err.Error()
				if fe, ok := errors.AsType[*FieldError](err); ok {
					why = fe.Msg
				}
				res.Skipped = append(res.Skipped, Skipped{Value: raw, Why: why})
				continue
			}
			if seen[value] {
				res.Skipped = append(res.Skipped, Skipped{Value: raw, Why: "repeated in the case"})
				continue
			}
			seen[value] = true
			cands = append(cands, candidate{raw, kind, value})
		}
	}
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		for _, c := range cands {
			old, ok, err := activeEntry(ctx, tx, c.value, now)
			if err != nil {
				return err
			}
			if ok {
				res.Skipped = append(res.Skipped, Skipped{Value: c.raw, Why: "already on the blocklist", EntryID: old.ID})
				continue
			}
			e := Entry{ID: newID("blk_"), Kind: c.kind, Value: c.value, Reason: reason, CaseRef: caseID, Source: SourceCase,
				AddedBy: p.UserID, AddedOrg: p.OrgID, AddedAt: now, ExpiresAt: exp}
			if err := s.insertEntry(ctx, tx, p, e); err != nil {
				return err
			}
			e.State = StateActive
			res.Added = append(res.Added, e)
		}
		return nil
	})
	if err != nil {
		return CaseResult{}, err
	}
	return res, nil
}

// insertEntry stores a new entry and audits it.
func (s *Service) insertEntry(ctx context.Context, tx *store.Tx, p *auth.Principal, e Entry) error {
	data, err := encode(e)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO blk_entries (id, kind, value, case_ref, added_at, expires_at, removed_at, data) VALUES (?, ?, ?, ?, ?, ?, '', ?)`,
		e.ID, string(e.Kind), e.Value, e.CaseRef, fmtTime(e.AddedAt), fmtTime(e.ExpiresAt), data); err != nil {
		return fmt.Errorf("add entry: %w", err)
	}
	return s.audit(ctx, tx, p, "blocklist.add", "blocklist_entry/"+e.ID, e)
}

// activeEntry returns the entry for value active at now, if any.
func activeEntry(ctx context.Context, q store.Querier, value string, now time.Time) (Entry, bool, error) {
	var data string
	err := q.QueryRow(ctx, `SELECT data FROM blk_entries WHERE value = ? AND removed_at = '' AND expires_at > ? ORDER BY added_at DESC LIMIT 1`,
		value, fmtTime(now)).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return Entry{}, false, nil
	}
	if err != nil {
		return Entry{}, false, fmt.Errorf("look up %s: %w", value, err)
	}
	var e Entry
	if err := decode(data, &e); err != nil {
		return Entry{}, false, err
	}
	return e, true, nil
}

// Remove takes entry id off the blocklist with a reason, for an analyst,
// or an officer of the organisation that added it. Removing an entry that
// was already removed or has expired is 409.
func (s *Service) Remove(ctx context.Context, p *auth.Principal, id, reason string) (Entry, error) {
	if !s.allowed(p, auth.BlocklistWrite) {
		return Entry{}, svcerr.Forbiddenf("only analysts and officers remove from the blocklist")
	}
	reason = strings.TrimSpace(reason)
	if err := checkReason("reason", reason); err != nil {
		return Entry{}, err
	}
	var e Entry
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		var err error
		if e, err = loadEntry(ctx, tx, id); err != nil {
			return err
		}
		if !p.Has(auth.RoleAnalyst) && e.AddedOrg != p.OrgID {
			return svcerr.Forbiddenf("entry %s was added by another organisation; ask it or the Cabinet Office to remove it", e.ID)
		}
		now := s.now()
		switch e.StateAt(now) {
		case StateRemoved:
			return svcerr.Conflictf("entry %s was already removed at %s", e.ID, stamp(e.RemovedAt))
		case StateExpired:
			return svcerr.Conflictf("entry %s expired at %s and is no longer in the feeds", e.ID, stamp(e.ExpiresAt))
		}
		e.RemovedAt, e.RemovedBy, e.RemoveReason = now, p.UserID, reason
		data, err := encode(e)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE blk_entries SET removed_at = ?, data = ? WHERE id = ?`, fmtTime(now), data, e.ID); err != nil {
			return fmt.Errorf("remove entry %s: %w", e.ID, err)
		}
		return s.audit(ctx, tx, p, "blocklist.remove", "blocklist_entry/"+e.ID, e)
	})
	if err != nil {
		return Entry{}, err
	}
	e.State = StateRemoved
	return e, nil
}

// Entry returns one entry, for those who may read the blocklist.
func (s *Service) Entry(ctx context.Context, p *auth.Principal, id string) (Entry, error) {
	if !s.allowed(p, auth.BlocklistRead) {
		return Entry{}, svcerr.Forbiddenf("you may not read the blocklist")
	}
	e, err := loadEntry(ctx, s.db, id)
	if err != nil {
		return Entry{}, err
	}
	e.State = e.StateAt(s.now())
	return e, nil
}

// Entries lists entries newest first, for those who may read the
// blocklist.
func (s *Service) Entries(ctx context.Context, p *auth.Principal, f Filter) ([]Entry, error) {
	if !s.allowed(p, auth.BlocklistRead) {
		return nil, svcerr.Forbiddenf("you may not read the blocklist")
	}
	switch {
	case f.Limit < 0:
		return nil, svcerr.Fieldf("limit", "%d: want 0 or more", f.Limit)
	case f.Limit == 0:
		f.Limit = DefaultList
	case f.Limit > MaxList:
		f.Limit = MaxList
	}
	now := s.now()
	q := "SELECT data FROM blk_entries WHERE 1 = 1"
	var args []any
	if f.Active {
		q += " AND removed_at = '' AND expires_at > ?"
		args = append(args, fmtTime(now))
	}
	if f.CaseRef != "" {
		q += " AND case_ref = ?"
		args = append(args, f.CaseRef)
	}
	q += " ORDER BY added_at DESC, id DESC LIMIT ?"
	args = append(args, f.Limit)
	rows, err := s.db.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list entries: %w", err)
	}
	out := []Entry{}
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, closeRows(rows, fmt.Errorf("list entries: %w", err))
		}
		var e Entry
		if err := decode(data, &e); err != nil {
			return nil, closeRows(rows, err)
		}
		e.State = e.StateAt(now)
		out = append(out, e)
	}
	if err := closeRows(rows, nil); err != nil {
		return nil, fmt.Errorf("list entries: %w", err)
	}
	return out, nil
}

// loadEntry reads entry id as stored (State not derived).
func loadEntry(ctx context.Context, q store.Querier, id string) (Entry, error) {
	var data string
	err := q.QueryRow(ctx, "SELECT data FROM blk_entries WHERE id = ?", id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return Entry{}, svcerr.NotFoundf("blocklist entry %q", textfield.Cut(id, 60))
	}
	if err != nil {
		return Entry{}, fmt.Errorf("read entry: %w", err)
	}
	var e Entry
	if err := decode(data, &e); err != nil {
		return Entry{}, err
	}
	return e, nil
}

// stamp formats a time for messages.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
