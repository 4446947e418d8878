package reporting

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/sector"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/textfield"
)

// CriticalComputer is a specified critical computer as registered (§4): the
// latest version of its notification.
type CriticalComputer struct {
	ID     string `json:"id"`
	OrgID  string `json:"org_id"`
	Sector string `json:"sector"`
	// Revision counts the notifications filed about the computer (its
	// product version is AssetInput.Version).
	Revision int  `json:"revision"`
	Retired  bool `json:"retired"`
	AssetInput
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// AssetChange says what a notification did.
type AssetChange string

// Asset changes.
const (
	AssetCreated AssetChange = "create"
	AssetUpdated AssetChange = "update"
	AssetRetired AssetChange = "retire"
)

// AssetVersion is one notification about a computer, as filed.
type AssetVersion struct {
	Revision int         `json:"revision"`
	Change   AssetChange `json:"change"`
	AssetInput
	Reason string    `json:"reason,omitempty"`
	Actor  string    `json:"actor"`
	At     time.Time `json:"at"`
}

// AssetNotice is the §4 notice of one asset version: the copy the sector
// ministry receives, and the Cabinet Office's copy forwarded from it (a
// record of its own, ForwardedFrom naming the ministry's copy).
type AssetNotice struct {
	ID string `json:"id"`
	// Recipient is "ministry" or "cabinet_office".
	Recipient     string      `json:"recipient"`
	ForwardedFrom string      `json:"forwarded_from,omitempty"`
	AssetID       string      `json:"asset_id"`
	Revision      int         `json:"revision"`
	Change        AssetChange `json:"change"`
	OrgID         string      `json:"org_id"`
	Sector        string      `json:"sector"`
	Ministry      string      `json:"ministry"`
	At            time.Time   `json:"at"`
}

// Notice recipients.
const (
	RecipientMinistry = "ministry"
	RecipientCabinet  = "cabinet_office"
)

const assetCols = "id, org_id, sector, name, version, retired, data, created_at, updated_at"

// CreateAsset registers a specified critical computer of p's designated
// operator and files its notification.
func (s *Service) CreateAsset(ctx context.Context, p *auth.Principal, in AssetInput) (CriticalComputer, error) {
	if err := in.Normalize(); err != nil {
		return CriticalComputer{}, err
	}
	var a CriticalComputer
	err := s.group.Tx(ctx, func(tx *store.Tx) error {
		var err error
		a, err = s.createAsset(ctx, tx, p, in, true)
		return err
	})
	s.assetsCommitted(ctx, err)
	return a, err
}

func (s *Service) createAsset(ctx context.Context, tx *store.Tx, p *auth.Principal, in AssetInput, notify bool) (CriticalComputer, error) {
	sec, err := s.requireDesignated(ctx, tx, p)
	if err != nil {
		return CriticalComputer{}, err
	}
	if err := uniqueName(ctx, tx, p.OrgID, in.Name, ""); err != nil {
		return CriticalComputer{}, err
	}
	now := s.now()
	a := CriticalComputer{ID: newID("cc_"), OrgID: p.OrgID, Sector: sec, Revision: 1, AssetInput: in, CreatedAt: now, UpdatedAt: now}
	data, err := json.Marshal(in)
	if err != nil {
		return CriticalComputer{}, err
	}
	if _, err := tx.Exec(ctx, "INSERT INTO rep_assets ("+assetCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		a.ID, a.OrgID, a.Sector, a.Name, a.Revision, 0, string(data), store.FormatTime(now), store.FormatTime(now)); err != nil {
		return CriticalComputer{}, fmt.Errorf("register asset: %w", err)
	}
	return a, s.fileAssetVersion(ctx, tx, p, a, AssetCreated, data, "", notify)
}

// uniqueName refuses a name another active asset of the organisation has.
func uniqueName(ctx context.Context, q store.Querier, orgID, name, except string) error {
	var id string
	err := q.QueryRow(ctx, "SELECT id FROM rep_assets WHERE org_id = ? AND name = ? AND retired = 0 AND id <> ?", orgID, name, except).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("check asset name: %w", err)
	}
	return &FieldError{Field: "name", Msg: fmt.Sprintf("%q is already the name of asset %s", name, id)}
}

// fileAssetVersion records revision a.Revision, its audit entry, the
// ministry's notice and the Cabinet Office's forwarded copy, and, when
// notify, tells both in their inboxes (a bulk import tells them once).
func (s *Service) fileAssetVersion(ctx context.Context, tx *store.Tx, p *auth.Principal, a CriticalComputer, change AssetChange, data []byte, reason string, notify bool) error {
	actor, _ := actorOf(p)
	now := s.now()
	if _, err := tx.Exec(ctx, "INSERT INTO rep_asset_versions (asset_id, version, change, data, reason, actor, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		a.ID, a.Revision, string(change), string(data), reason, actor, store.FormatTime(now)); err != nil {
		return fmt.Errorf("record asset version: %w", err)
	}
	if err := s.audit(ctx, tx, p, "asset."+string(change), "asset/"+a.ID, a); err != nil {
		return err
	}
	if o := s.assetObserver(); o != nil {
		if err := o.AssetChanged(ctx, tx, a); err != nil {
			return fmt.Errorf("observe asset change: %w", err)
		}
	}
	sec, _ := sector.ByCode(a.Sector)
	n := AssetNotice{ID: newID("an_"), Recipient: RecipientMinistry, AssetID: a.ID, Revision: a.Revision, Change: change,
		OrgID: a.OrgID, Sector: a.Sector, Ministry: sec.Ministry, At: now}
	fwd := n
	fwd.ID, fwd.Recipient, fwd.ForwardedFrom = newID("an_"), RecipientCabinet, n.ID
	for _, x := range []AssetNotice{n, fwd} {
		if _, err := tx.Exec(ctx, "INSERT INTO rep_asset_notices (id, recipient, forwarded_from, asset_id, version, change, org_id, sector, ministry, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			x.ID, x.Recipient, x.ForwardedFrom, x.AssetID, x.Revision, string(x.Change), x.OrgID, x.Sector, x.Ministry, store.FormatTime(x.At)); err != nil {
			return fmt.Errorf("record asset notice: %w", err)
		}
		if err := s.audit(ctx, tx, p, "asset_notice.file", "asset_notice/"+x.ID, x); err != nil {
			return err
		}
	}
	if !notify {
		return nil
	}
	return s.tellRecipients(ctx, tx, a.Sector, deadline.Notice{
		Subject: fmt.Sprintf("§4 asset notification (%s): %s — %s %s", change, a.Name, a.Vendor, a.Product),
		Body:    fmt.Sprintf("Operator %s notified revision %d of specified critical computer %s.", a.OrgID, a.Revision, a.ID),
		Link:    "/assets/" + a.ID})
}

// tellRecipients sends n to the sector's ministry and to the Cabinet Office.
func (s *Service) tellRecipients(ctx context.Context, tx *store.Tx, sectorCode string, n deadline.Notice) error {
	ministries, cabinet, err := s.recipients(ctx, sectorCode)
	if err != nil {
		return err
	}
	n.Subject = textfield.Cut(n.Subject, 200)
	for _, org := range append(ministries, cabinet...) {
		n.ToOrg = org
		if _, err := s.notifier.Notify(ctx, tx, n); err != nil {
			return err
		}
	}
	return nil
}

// UpdateAsset files a new version of asset id with in.
func (s *Service) UpdateAsset(ctx context.Context, p *auth.Principal, id string, in AssetInput) (CriticalComputer, error) {
	if err := in.Normalize(); err != nil {
		return CriticalComputer{}, err
	}
	var a CriticalComputer
	err := s.group.Tx(ctx, func(tx *store.Tx) error {
		var err error
		a, err = s.updateAsset(ctx, tx, p, id, in, true)
		return err
	})
	s.assetsCommitted(ctx, err)
	return a, err
}

func (s *Service) updateAsset(ctx context.Context, tx *store.Tx, p *auth.Principal, id string, in AssetInput, notify bool) (CriticalComputer, error) {
	if _, err := s.requireDesignated(ctx, tx, p); err != nil {
		return CriticalComputer{}, err
	}
	a, err := getAsset(ctx, tx, id)
	if err != nil || a.OrgID != p.OrgID {
		return CriticalComputer{}, fmt.Errorf("asset %q: %w", id, ErrNotFound)
	}
	if a.Retired {
		return CriticalComputer{}, fmt.Errorf("asset %q is retired: %w", id, ErrConflict)
	}
	if err := uniqueName(ctx, tx, p.OrgID, in.Name, id); err != nil {
		return CriticalComputer{}, err
	}
	data, err := json.Marshal(in)
	if err != nil {
		return CriticalComputer{}, err
	}
	a.AssetInput, a.Revision, a.UpdatedAt = in, a.Revision+1, s.now()
	if _, err := tx.Exec(ctx, "UPDATE rep_assets SET name = ?, version = ?, data = ?, updated_at = ? WHERE id = ?",
		a.Name, a.Revision, string(data), store.FormatTime(a.UpdatedAt), a.ID); err != nil {
		return CriticalComputer{}, fmt.Errorf("update asset: %w", err)
	}
	return a, s.fileAssetVersion(ctx, tx, p, a, AssetUpdated, data, "", notify)
}

// RetireAsset files the retirement of asset id, for reason.
func (s *Service) RetireAsset(ctx context.Context, p *auth.Principal, id, reason string) (CriticalComputer, error) {
	reason = strings.TrimSpace(reason)
	if err := textfield.Check("reason", reason, maxText, true); err != nil {
		return CriticalComputer{}, err
	}
	var a CriticalComputer
	err := s.group.Tx(ctx, func(tx *store.Tx) error {
		if _, err := s.requireDesignated(ctx, tx, p); err != nil {
			return err
		}
		var err error
		a, err = getAsset(ctx, tx, id)
		if err != nil || a.OrgID != p.OrgID {
			return fmt.Errorf("asset %q: %w", id, ErrNotFound)
		}
		if a.Retired {
			return fmt.Errorf("asset %q is already retired: %w", id, ErrConflict)
		}
		a.Retired, a.Revision, a.UpdatedAt = true, a.Revision+1, s.now()
		if _, err := tx.Exec(ctx, "UPDATE rep_assets SET retired = 1, version = ?, updated_at = ? WHERE id = ?",
			a.Revision, store.FormatTime(a.UpdatedAt), a.ID); err != nil {
			return fmt.Errorf("retire asset: %w", err)
		}
		data, err := json.Marshal(a.AssetInput)
		if err != nil {
			return err
		}
		return s.fileAssetVersion(ctx, tx, p, a, AssetRetired, data, reason, true)
	})
	s.assetsCommitted(ctx, err)
	return a, err
}

// ImportRow is one row of a bulk import.
type ImportRow struct {
	// Line is the row's line (CSV) or component index (CycloneDX).
	Line  int        `json:"line"`
	Asset AssetInput `json:"asset"`
}

// ImportResult says what an import did with each accepted row.
type ImportResult struct {
	Line   int    `json:"line"`
	ID     string `json:"id"`
	Name   string `json:"name"`
	Action string `json:"action"` // created, updated or unchanged
}

// ImportAssets registers rows in one transaction: a row whose name is an
// active asset's is an update of it (unchanged when equal), any other row a
// new asset. A row that fails validation fails the whole import with its
// line; the caller rejects rows it could not parse before calling. dryRun
// checks everything and changes nothing.
func (s *Service) ImportAssets(ctx context.Context, p *auth.Principal, rows []ImportRow, dryRun bool) ([]ImportResult, error) {
	for i := range rows {
		if err := rows[i].Asset.Normalize(); err != nil {
			return nil, fmt.Errorf("line %d: %w", rows[i].Line, err)
		}
	}
	errDry := errors.New("dry run")
	var out []ImportResult
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		out = out[:0]
		names := map[string]int{}
		for _, r := range rows {
			if prev, ok := names[r.Asset.Name]; ok {
				return fmt.Errorf("line %d: %w", r.Line, &FieldError{Field: "name", Msg: fmt.Sprintf("%q is also on line %d", r.Asset.Name, prev)})
			}
			names[r.Asset.Name] = r.Line
			var id string
			err := tx.QueryRow(ctx, "SELECT id FROM rep_assets WHERE org_id = ? AND name = ? AND retired = 0", p.OrgID, r.Asset.Name).Scan(&id)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				a, err := s.createAsset(ctx, tx, p, r.Asset, false)
				if err != nil {
					return fmt.Errorf("line %d: %w", r.Line, err)
				}
				out = append(out, ImportResult{Line: r.Line, ID: a.ID, Name: a.Name, Action: "created"})
			case err != nil:
				return err
			default:
				cur, err := getAsset(ctx, tx, id)
				if err != nil {
					return err
				}
				if equalInput(cur.AssetInput, r.Asset) {
					out = append(out, ImportResult{Line: r.Line, ID: id, Name: cur.Name, Action: "unchanged"})
					continue
				}
				if _, err := s.updateAsset(ctx, tx, p, id, r.Asset, false); err != nil {
					return fmt.Errorf("line %d: %w", r.Line, err)
				}
				out = append(out, ImportResult{Line: r.Line, ID: id, Name: cur.Name, Action: "updated"})
			}
		}
		if dryRun {
			return errDry
		}
		if len(out) == 0 || p == nil {
			return nil
		}
		return s.tellRecipients(ctx, tx, p.Sectors[0], deadline.Notice{
			Subject: fmt.Sprintf("§4 asset notifications: %d rows imported", len(out)),
			Body:    fmt.Sprintf("Operator %s imported %d specified critical computers (created, updated or unchanged).", p.OrgID, len(out)),
			Link:    "/assets"})
	})
	if errors.Is(err, errDry) {
		return out, nil
	}
	s.assetsCommitted(ctx, err)
	return out, err
}

func equalInput(a, b AssetInput) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// Asset returns asset id and every version of it, if p may see it.
func (s *Service) Asset(ctx context.Context, p *auth.Principal, id string) (CriticalComputer, []AssetVersion, error) {
	a, err := getAsset(ctx, s.db, id)
	if err != nil || !s.policy.CanSeeOrg(p, a.OrgID, a.Sector) {
		return CriticalComputer{}, nil, fmt.Errorf("asset %q: %w", id, ErrNotFound)
	}
	rows, err := s.db.Query(ctx, "SELECT version, change, data, reason, actor, at FROM rep_asset_versions WHERE asset_id = ? ORDER BY version", id)
	if err != nil {
		return CriticalComputer{}, nil, fmt.Errorf("read asset versions: %w", err)
	}
	defer rows.Close()
	var vs []AssetVersion
	for rows.Next() {
		var v AssetVersion
		var change, data, at string
		if err := rows.Scan(&v.Revision, &change, &data, &v.Reason, &v.Actor, &at); err != nil {
			return CriticalComputer{}, nil, err
		}
		v.Change = AssetChange(change)
		if err := json.Unmarshal([]byte(data), &v.AssetInput); err != nil {
			return CriticalComputer{}, nil, fmt.Errorf("decode asset version: %w", err)
		}
		if v.At, err = store.ParseTime(at); err != nil {
			return CriticalComputer{}, nil, err
		}
		vs = append(vs, v)
	}
	return a, vs, rows.Err()
}

// AssetFilter selects assets for Assets; empty fields match everything.
type AssetFilter struct {
	OrgID          string
	Sector         string
	IncludeRetired bool
}

// Assets returns the assets p may see that match f, by organisation then
// name.
func (s *Service) Assets(ctx context.Context, p *auth.Principal, f AssetFilter) ([]CriticalComputer, error) {
	q := "SELECT " + assetCols + " FROM rep_assets WHERE 1 = 1"
	var args []any
	if f.OrgID != "" {
		q += " AND org_id = ?"
		args = append(args, f.OrgID)
	}
	if f.Sector != "" {
		q += " AND sector = ?"
		args = append(args, f.Sector)
	}
	if !f.IncludeRetired {
		q += " AND retired = 0"
	}
	// Scope in SQL too, so a ministry's list is not a scan of the nation.
	scope, sargs := s.scopeSQL(p)
	q += scope + " ORDER BY org_id, name"
	rows, err := s.db.Query(ctx, q, append(args, sargs...)...)
	if err != nil {
		return nil, fmt.Errorf("list assets: %w", err)
	}
	defer rows.Close()
	var out []CriticalComputer
	for rows.Next() {
		a, err := scanAsset(rows)
		if err != nil {
			return nil, err
		}
		if s.policy.CanSeeOrg(p, a.OrgID, a.Sector) {
			out = append(out, a)
		}
	}
	return out, rows.Err()
}

// scopeSQL narrows a query on a table with org_id and sector columns to
// what p may see; CanSeeOrg still checks every row.
func (s *Service) scopeSQL(p *auth.Principal) (string, []any) {
	switch {
	case p == nil:
		return " AND 1 = 0", nil
	case p.Has(auth.RoleAnalyst):
		return "", nil
	case p.Has(auth.RoleMinistry) && p.OrgKind == auth.OrgMinistry && len(p.Sectors) > 0:
		q := " AND (org_id = ? OR sector IN (?" + strings.Repeat(", ?", len(p.Sectors)-1) + "))"
		args := []any{p.OrgID}
		for _, sc := range p.Sectors {
			args = append(args, sc)
		}
		return q, args
	}
	return " AND org_id = ?", []any{p.OrgID}
}

// AssetNotices returns the §4 notices p receives: a ministry its sectors'
// notices, an analyst the Cabinet Office's forwarded copies; newest first,
// at most limit (default 500).
func (s *Service) AssetNotices(ctx context.Context, p *auth.Principal, limit int) ([]AssetNotice, error) {
	if limit <= 0 || limit > 5000 {
		limit = 500
	}
	var q string
	var args []any
	switch {
	case p.Has(auth.RoleAnalyst):
		q, args = "recipient = ?", []any{RecipientCabinet}
	case p.Has(auth.RoleMinistry) && p.OrgKind == auth.OrgMinistry && len(p.Sectors) > 0:
		q = "recipient = ? AND sector IN (?" + strings.Repeat(", ?", len(p.Sectors)-1) + ")"
		args = []any{RecipientMinistry}
		for _, sc := range p.Sectors {
			args = append(args, sc)
		}
	default:
		return nil, nil // receives none: not a ministry with sectors, nor the Cabinet Office
	}
	rows, err := s.db.Query(ctx, "SELECT id, recipient, forwarded_from, asset_id, version, change, org_id, sector, ministry, at FROM rep_asset_notices WHERE "+q+
		fmt.Sprintf(" ORDER BY at DESC, id LIMIT %d", limit), args...)
	if err != nil {
		return nil, fmt.Errorf("list asset notices: %w", err)
	}
	defer rows.Close()
	var out []AssetNotice
	for rows.Next() {
		var n AssetNotice
		var change, at string
		if err := rows.Scan(&n.ID, &n.Recipient, &n.ForwardedFrom, &n.AssetID, &n.Revision, &change, &n.OrgID, &n.Sector, &n.Ministry, &at); err != nil {
			return nil, err
		}
		n.Change = AssetChange(change)
		if n.At, err = store.ParseTime(at); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

func getAsset(ctx context.Context, q store.Querier, id string) (CriticalComputer, error) {
	a, err := scanAsset(q.QueryRow(ctx, "SELECT "+assetCols+" FROM rep_assets WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return CriticalComputer{}, ErrNotFound
	}
	return a, err
}

type scanner interface{ Scan(dest ...any) error }

func scanAsset(r scanner) (CriticalComputer, error) {
	var a CriticalComputer
	var retired int
	var name, data, created, updated string
	if err := r.Scan(&a.ID, &a.OrgID, &a.Sector, &name, &a.Revision, &retired, &data, &created, &updated); err != nil {
		return CriticalComputer{}, err
	}
	a.Retired = retired == 1
	if err := json.Unmarshal([]byte(data), &a.AssetInput); err != nil {
		return CriticalComputer{}, fmt.Errorf("decode asset %s: %w", a.ID, err)
	}
	var err error
	if a.CreatedAt, err = store.ParseTime(created); err != nil {
		return CriticalComputer{}, err
	}
	a.UpdatedAt, err = store.ParseTime(updated)
	return a, err
}
