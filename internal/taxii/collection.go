package taxii

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/tlp"
)

// The aliases of the fixed collections; see the package documentation.
const (
	Public       = "public"
	CouncilGreen = "council-green"
	CouncilAmber = "council-amber"
	// OrgPrefix starts the alias of an organisation's collection,
	// "org-<orgID>"; see OrgCollection.
	OrgPrefix = "org-"
)

// OrgCollection returns the alias of the collection of organisation
// orgID.
func OrgCollection(orgID string) string { return OrgPrefix + orgID }

// kind is what a collection is for, which decides who reads and writes it.
type kind string

const (
	kindPublic kind = "public"
	kindGreen  kind = "council-green"
	kindAmber  kind = "council-amber"
	kindOrg    kind = "org"
)

// maxOrgID bounds the organisation id in an "org-" alias.
const maxOrgID = 100

// parseAlias returns the kind of the collection an alias names and, for an
// organisation's collection, the organisation.
func parseAlias(alias string) (k kind, orgID string, ok bool) {
	switch alias {
	case Public:
		return kindPublic, "", true
	case CouncilGreen:
		return kindGreen, "", true
	case CouncilAmber:
		return kindAmber, "", true
	}
	org, found := strings.CutPrefix(alias, OrgPrefix)
	if !found || org == "" || len(org) > maxOrgID {
		return "", "", false
	}
	for _, c := range org {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return "", "", false
		}
	}
	return kindOrg, org, true
}

// CollectionID returns the id of the collection alias: a UUID in the
// version-4 form TAXII requires of identifiers, whose bits come from a hash
// of the alias, so that every collection, stored yet or not, has one
// fixed id.
func CollectionID(alias string) string {
	sum := sha256.Sum256([]byte("acd taxii collection\x00" + alias))
	u := sum[:16]
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// Collection is a collection as one caller sees it.
type Collection struct {
	// ID is the collection's TAXII id; Alias its name ("public", …).
	ID    string `json:"id"`
	Alias string `json:"alias"`
	// Title and Description say what the collection holds.
	Title       string `json:"title"`
	Description string `json:"description"`
	// CanRead and CanWrite are the caller's permissions.
	CanRead  bool `json:"can_read"`
	CanWrite bool `json:"can_write"`

	kind  kind
	orgID string
}

// describe fills the title and description of c.
func (c *Collection) describe() {
	switch c.kind {
	case kindPublic:
		c.Title, c.Description = "Public alerts", "TLP:CLEAR alerts of the national cyber office (Act §41): anyone may read them."
	case kindGreen:
		c.Title, c.Description = "Council: TLP:GREEN", "Shared with every member of the council (Act ch.9); members may add objects."
	case kindAmber:
		c.Title, c.Description = "Council: named recipients", "TLP:AMBER, TLP:AMBER+STRICT and TLP:RED items of the council: each object is served only to its recipients."
	case kindOrg:
		c.Title, c.Description = "Organisation "+c.orgID, "Items shared with organisation "+c.orgID+" (its recipients only)."
	}
}

// access returns what p, resolved to r, may do with a collection of kind
// k (of organisation orgID).
func access(p *auth.Principal, r tlp.Reader, k kind, orgID string) (read, write bool) {
	analyst := p.Has(auth.RoleAnalyst)
	member := r.Council && r.OrgID != ""
	switch k {
	case kindPublic:
		return true, analyst
	case kindGreen:
		return member, member
	case kindAmber:
		return member, analyst
	case kindOrg:
		return analyst || (p != nil && p.OrgID != "" && p.OrgID == orgID), analyst
	}
	return false, false
}

// newCollection returns the collection alias as p sees it.
func newCollection(p *auth.Principal, r tlp.Reader, alias string) (Collection, bool) {
	k, org, ok := parseAlias(alias)
	if !ok {
		return Collection{}, false
	}
	c := Collection{ID: CollectionID(alias), Alias: alias, kind: k, orgID: org}
	c.CanRead, c.CanWrite = access(p, r, k, org)
	c.describe()
	return c, true
}

// Collections returns the collections p may read or write: the fixed ones
// it has access to, its own organisation's if it is an operator, and for
// analysts every organisation's collection that holds objects.
func (s *Service) Collections(ctx context.Context, p *auth.Principal) ([]Collection, error) {
	r, err := s.reader(ctx, p)
	if err != nil {
		return nil, err
	}
	aliases := []string{Public, CouncilGreen, CouncilAmber}
	if p != nil && p.OrgID != "" && p.OrgKind == auth.OrgOperator {
		aliases = append(aliases, OrgCollection(p.OrgID))
	}
	rows, err := s.db.Query(ctx, "SELECT alias FROM taxii_collections WHERE kind = ? ORDER BY alias", string(kindOrg))
	if err != nil {
		return nil, fmt.Errorf("list collections: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return nil, fmt.Errorf("list collections: %w", err)
		}
		if !slices.Contains(aliases, a) {
			aliases = append(aliases, a)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list collections: %w", err)
	}
	var out []Collection
	for _, a := range aliases {
		if c, ok := newCollection(p, r, a); ok && (c.CanRead || c.CanWrite) {
			out = append(out, c)
		}
	}
	return out, nil
}

// Collection returns the collection named by its id or alias, or
// ErrNotFound when there is none that p may read or write.
func (s *Service) Collection(ctx context.Context, p *auth.Principal, idOrAlias string) (Collection, error) {
	r, err := s.reader(ctx, p)
	if err != nil {
		return Collection{}, err
	}
	return s.collection(ctx, p, r, idOrAlias)
}

func (s *Service) collection(ctx context.Context, p *auth.Principal, r tlp.Reader, idOrAlias string) (Collection, error) {
	notFound := fmt.Errorf("collection %s: %w", quote(idOrAlias), ErrNotFound)
	alias := idOrAlias
	if _, _, ok := parseAlias(idOrAlias); !ok {
		// An id: the fixed collections', the caller's organisation's, or a
		// stored one's.
		alias = ""
		for _, a := range []string{Public, CouncilGreen, CouncilAmber} {
			if CollectionID(a) == idOrAlias {
				alias = a
			}
		}
		if alias == "" && p != nil && p.OrgID != "" && CollectionID(OrgCollection(p.OrgID)) == idOrAlias {
			alias = OrgCollection(p.OrgID)
		}
		if alias == "" {
			err := s.db.QueryRow(ctx, "SELECT alias FROM taxii_collections WHERE id = ?", idOrAlias).Scan(&alias)
			if errors.Is(err, sql.ErrNoRows) {
				return Collection{}, notFound
			}
			if err != nil {
				return Collection{}, fmt.Errorf("find collection: %w", err)
			}
		}
	}
	c, ok := newCollection(p, r, alias)
	if !ok || !(c.CanRead || c.CanWrite) {
		return Collection{}, notFound
	}
	if c.kind == kindOrg && (p == nil || c.orgID != p.OrgID) {
		// Another organisation's collection exists once something was
		// published to it.
		var n int
		if err := s.db.QueryRow(ctx, "SELECT COUNT(*) FROM taxii_collections WHERE alias = ?", alias).Scan(&n); err != nil {
			return Collection{}, fmt.Errorf("find collection: %w", err)
		}
		if n == 0 {
			return Collection{}, notFound
		}
	}
	return c, nil
}

// ensureCollection stores the collection alias if it is not yet stored,
// and reports whether it made it.
func (s *Service) ensureCollection(ctx context.Context, tx *store.Tx, alias string) (created bool, err error) {
	k, org, ok := parseAlias(alias)
	if !ok {
		return false, fmt.Errorf("collection %s: want public, council-green, council-amber or org-<organisation id>", quote(alias))
	}
	var n int
	if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM taxii_collections WHERE alias = ?", alias).Scan(&n); err != nil {
		return false, fmt.Errorf("find collection %s: %w", alias, err)
	}
	if n > 0 {
		return false, nil
	}
	_, err = tx.Exec(ctx, "INSERT INTO taxii_collections (alias, id, kind, org_id, created_at) VALUES (?, ?, ?, ?, ?)",
		alias, CollectionID(alias), string(k), org, store.FormatTime(s.now()))
	if err != nil {
		return false, fmt.Errorf("create collection %s: %w", alias, err)
	}
	return true, nil
}
