package vuln

import (
	"context"
	"fmt"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/product"
	"github.com/acd-platform/acd/internal/reporting"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/vuln/cve"
	"github.com/acd-platform/acd/internal/vuln/match"
)

// AssetOf returns how matching sees a specified critical computer: its CPE
// name, or one made from its vendor, product and version (cve.NameCPE) when
// it gives none, and its package URL. ok is false when neither can be had;
// such an asset matches nothing.
func AssetOf(a reporting.CriticalComputer) (m match.Asset, ok bool) {
	m = match.Asset{ID: a.ID, Org: a.OrgID, Sector: a.Sector}
	if a.CPE != "" {
		if c, err := product.ParseCPE(a.CPE); err == nil {
			m.CPE = &c
		}
	} else if c, ok := cve.NameCPE(a.Vendor, a.Product, a.Version); ok {
		m.CPE = &c
	}
	if a.PURL != "" {
		if p, err := product.ParsePURL(a.PURL); err == nil {
			m.PURL = &p
		}
	}
	return m, m.CPE != nil || m.PURL != nil
}

// AssetChanged implements reporting.AssetObserver: it records a's new state
// in tx, marked to be settled. It does not touch the index (tx may still
// roll back); AssetsCommitted does.
func (s *Service) AssetChanged(ctx context.Context, tx *store.Tx, a reporting.CriticalComputer) error {
	return putAssetRow(ctx, tx, a)
}

func putAssetRow(ctx context.Context, tx *store.Tx, a reporting.CriticalComputer) error {
	m, _ := AssetOf(a)
	var c, pu string
	if m.CPE != nil {
		c = m.CPE.String()
	}
	if m.PURL != nil {
		pu = m.PURL.String()
	}
	retired := 0
	if a.Retired {
		retired = 1
	}
	dirty := a.Revision
	if dirty <= 0 {
		dirty = 1
	}
	if _, err := tx.Exec(ctx, `INSERT INTO vuln_assets (id, org_id, sector, name, cpe, purl, retired, dirty) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET org_id = excluded.org_id, sector = excluded.sector, name = excluded.name, cpe = excluded.cpe,
purl = excluded.purl, retired = excluded.retired, dirty = excluded.dirty`,
		a.ID, a.OrgID, a.Sector, a.Name, c, pu, retired, dirty); err != nil {
		return fmt.Errorf("record asset %s for matching: %w", a.ID, err)
	}
	return nil
}

// AssetsCommitted implements reporting.AssetObserver: it applies the asset
// changes recorded by AssetChanged to the index and stores the pairs they
// change. A failure is logged; the changes stay marked and are settled by
// the next call or at start-up.
func (s *Service) AssetsCommitted(ctx context.Context) {
	if err := s.SettleAssets(ctx); err != nil {
		s.logger.Error("settle asset changes", "err", err)
	}
}

// SyncAssets records each of as (every registered computer, read from
// reporting at start-up) that the service has not recorded yet, and
// settles them: a database whose assets predate the service. Assets it
// knows already are left alone, since every change to them since came
// through AssetChanged in the change's own transaction; so a start-up with
// nothing new writes nothing.
func (s *Service) SyncAssets(ctx context.Context, as []reporting.CriticalComputer) error {
	known := map[string]bool{}
	rows, err := s.db.Query(ctx, "SELECT id FROM vuln_assets")
	if err != nil {
		return fmt.Errorf("read recorded assets: %w", err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		known[id] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var missing []reporting.CriticalComputer
	for _, a := range as {
		if !known[a.ID] {
			missing = append(missing, a)
		}
	}
	if len(missing) == 0 {
		return s.SettleAssets(ctx)
	}
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		for _, a := range missing {
			if err := putAssetRow(ctx, tx, a); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, nil, "vuln.assets_sync", "vuln_match/assets", map[string]int{"assets": len(missing)})
	})
	if err != nil {
		return err
	}
	return s.SettleAssets(ctx)
}

// SettleAssets applies every asset change not yet applied to the index and
// stores the pairs it changes, with an audit entry per asset whose pairs
// changed, and tells the operators of new pairs.
func (s *Service) SettleAssets(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	type row struct {
		id, org, sector, c, pu string
		retired, dirty         int
	}
	rs, err := s.db.Query(ctx, "SELECT id, org_id, sector, cpe, purl, retired, dirty FROM vuln_assets WHERE dirty <> 0 ORDER BY id")
	if err != nil {
		return fmt.Errorf("read changed assets: %w", err)
	}
	var rows []row
	for rs.Next() {
		var r row
		if err := rs.Scan(&r.id, &r.org, &r.sector, &r.c, &r.pu, &r.retired, &r.dirty); err != nil {
			rs.Close()
			return err
		}
		rows = append(rows, r)
	}
	rs.Close()
	if err := rs.Err(); err != nil || len(rows) == 0 {
		return err
	}
	// The committed state is the truth: apply it to the index first; if
	// the transaction below fails, the rows stay dirty and are settled
	// again against the same index state.
	for _, r := range rows {
		a := match.Asset{ID: r.id, Org: r.org, Sector: r.sector}
		if r.retired == 1 || !fillAsset(&a, r.c, r.pu) {
			s.ix.RemoveAsset(r.id)
			continue
		}
		if _, err := s.ix.PutAsset(a); err != nil {
			s.logger.Warn("asset cannot be matched", "asset", r.id, "err", err)
			s.ix.RemoveAsset(r.id)
		}
	}
	return s.db.Tx(ctx, func(tx *store.Tx) error {
		var fresh []match.Pair
		for _, r := range rows {
			have, err := openPairs(ctx, tx, "asset_id", []string{r.id})
			if err != nil {
				return err
			}
			f, resolved, err := s.settle(ctx, tx, s.ix.AssetPairs(r.id), have)
			if err != nil {
				return err
			}
			fresh = append(fresh, f...)
			if len(f) > 0 || resolved > 0 {
				if err := s.audit(ctx, tx, nil, "vuln.match", "asset/"+r.id, matchChange{Asset: r.id, New: vulnsOf(f), Resolved: resolved}); err != nil {
					return err
				}
			}
			q := "UPDATE vuln_assets SET dirty = 0 WHERE id = ? AND dirty = ?"
			if r.retired == 1 {
				q = "DELETE FROM vuln_assets WHERE id = ? AND dirty = ? AND retired = 1"
			}
			if _, err := tx.Exec(ctx, q, r.id, r.dirty); err != nil {
				return fmt.Errorf("settle asset %s: %w", r.id, err)
			}
		}
		return s.tellOperators(ctx, tx, fresh)
	})
}

// matchChange is the audit payload of a change of an asset's pairs.
type matchChange struct {
	Asset    string   `json:"asset"`
	New      []string `json:"new_vulnerabilities,omitempty"`
	Resolved int      `json:"resolved"`
}

func vulnsOf(ps []match.Pair) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Vuln
	}
	return out
}

var _ reporting.AssetObserver = (*Service)(nil)

// principalScope is the part of the pairs p may see: all (analysts), some
// sectors (a ministry) or one organisation (an operator); ok false for
// none.
// cabinetOffice reports whether p acts for the Cabinet Office: one of its
// analysts, or a command-line tool on the server given the analyst role.
// An analyst of another organisation (an agency's) is not.
func cabinetOffice(p *auth.Principal) bool {
	return p != nil && !p.Disabled && p.Has(auth.RoleAnalyst) && (p.OrgKind == auth.OrgCabinetOff || p.Via == auth.ViaCLI)
}

func principalScope(p *auth.Principal) (all bool, sectors []string, org string, ok bool) {
	switch {
	case p == nil || p.Disabled:
		return false, nil, "", false
	case cabinetOffice(p):
		return true, nil, "", true
	case p.Has(auth.RoleMinistry) && p.OrgKind == auth.OrgMinistry && len(p.Sectors) > 0:
		return false, p.Sectors, "", true
	case p.Has(auth.RoleOperator) && p.OrgID != "":
		return false, nil, p.OrgID, true
	}
	return false, nil, "", false
}
