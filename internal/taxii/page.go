package taxii

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/tlp"
)

// Entry is one object version in a page.
type Entry struct {
	// ID and Type are the object's.
	ID, Type string
	// Version is the object's modified time, else its created time, else
	// the time it was added (an SCO).
	Version time.Time
	// DateAdded is when the object entered the collection.
	DateAdded time.Time
	// SpecVersion is the object's STIX version ("2.1").
	SpecVersion string
	// Level is the TLP level the reader reads the object under: its
	// marking's, or for an object published to several audiences, CLEAR if
	// one of them is the public, else the level of the first that admits
	// the reader.
	Level tlp.Level
	// Data is the object's JSON, for the objects and object endpoints; nil
	// for manifest and versions pages.
	Data json.RawMessage
}

// Page is one page of a collection as one reader sees it.
type Page struct {
	// Collection is the collection paged.
	Collection Collection
	// Entries are in the order the objects were added.
	Entries []Entry
	// More is set when there may be more entries after these; Next is
	// then the token for the next page.
	More bool
	Next string
}

// Objects returns a page of the objects of a collection (TAXII "Get
// Objects"), filtered by q, holding only the objects p may read. A
// collection p may not see is ErrNotFound, one it may only write
// ErrForbidden; a bad next token ErrCursor.
func (s *Service) Objects(ctx context.Context, p *auth.Principal, collection string, q Query) (*Page, error) {
	return s.page(ctx, p, collection, EndpointObjects, "", q)
}

// Manifest returns a page of the manifest of a collection (TAXII "Get
// Object Manifests"): as Objects, without the objects' data.
func (s *Service) Manifest(ctx context.Context, p *auth.Principal, collection string, q Query) (*Page, error) {
	return s.page(ctx, p, collection, EndpointManifest, "", q)
}

// Object returns a page of the versions of one object (TAXII "Get an
// Object"; by default its latest version). q.IDs and q.Types are ignored.
// An object with no version p may read is ErrNotFound.
func (s *Service) Object(ctx context.Context, p *auth.Principal, collection, objectID string, q Query) (*Page, error) {
	return s.page(ctx, p, collection, EndpointObject, objectID, q)
}

// Versions returns a page of the versions of one object (TAXII "Get Object
// Versions"), every version p may read, without data. q.IDs, q.Types and
// q.Versions are ignored. An object with no version p may read is
// ErrNotFound.
func (s *Service) Versions(ctx context.Context, p *auth.Principal, collection, objectID string, q Query) (*Page, error) {
	return s.page(ctx, p, collection, EndpointVersions, objectID, q)
}

// row is a stored object version as a page reads it.
type row struct {
	seq                                 int64
	added, id, typ, version, spec       string
	level, clearance, orgs, users, list string
	newer, older                        int
	data                                string
	seen                                tlp.Level // the level the reader reads it under
	ok                                  bool      // passed the query's first cut
}

// visible reports whether r may read the row, and under which level.
func (s *Service) visible(rw *row, r tlp.Reader) (tlp.Level, bool, error) {
	g, err := grantsOf(rw.level, rw.clearance, rw.orgs, rw.users, rw.list)
	if err != nil {
		return "", false, fmt.Errorf("object %s: %w", rw.id, err)
	}
	level, ok := g.visible(s.cfg.Scale, r)
	return level, ok, nil
}

const (
	grantCols = "tlp, clearance, recipient_orgs, recipient_users, markings"
	rowCols   = "seq, date_added, object_id, object_type, version, spec_version, " + grantCols + ", has_newer, has_older"
)

// page serves every paging endpoint.
func (s *Service) page(ctx context.Context, p *auth.Principal, collection string, e Endpoint, objectID string, q Query) (*Page, error) {
	r, err := s.reader(ctx, p)
	if err != nil {
		return nil, err
	}
	c, err := s.collection(ctx, p, r, collection)
	if err != nil {
		return nil, err
	}
	if !c.CanRead {
		return nil, fmt.Errorf("collection %s: you may add objects to it but not read it: %w", c.Alias, ErrForbidden)
	}
	if e == EndpointObject || e == EndpointVersions {
		q.IDs, q.Types = []string{objectID}, nil
	}
	limit := q.Limit
	if limit <= 0 {
		limit = s.cfg.DefaultLimit
	}
	limit = min(limit, s.cfg.MaxLimit)
	b := binding{collection: c.ID, endpoint: e, objectID: objectID, filters: q.filters(e), reader: readerKey(p)}
	var after *Cursor
	if q.Next != "" {
		cur, err := s.verifyCursor(q.Next, b)
		if err != nil {
			return nil, err
		}
		after = &cur
	}
	withData := e == EndpointObjects || e == EndpointObject
	sel := q.versionSelect(e)

	plan := s.planQuery(c.ID, q, sel, r, withData)

	pg := &Page{Collection: c}
	var (
		scanned  int
		last     *row // the last row examined
		lastKept *row // the last row put in the page
		batch    = limit + 1
		done     bool
	)
	if after != nil {
		last = &row{added: formatTime(after.DateAdded), seq: after.Seq}
	}
	for !done && len(pg.Entries) <= limit && scanned < s.cfg.MaxScan {
		n := min(batch, s.cfg.MaxScan-scanned)
		query, qargs := plan.batch(last, n)
		rows, err := s.readRows(ctx, query, qargs, withData)
		if err != nil {
			return nil, err
		}
		done = len(rows) < n
		for i := range rows {
			rw := &rows[i]
			scanned++
			last = rw
			if !rw.ok {
				continue // the query's first cut
			}
			keep, err := s.keep(ctx, c.ID, rw, sel, r)
			if err != nil {
				return nil, err
			}
			if !keep {
				continue
			}
			if len(pg.Entries) == limit {
				// One more than asked for: there is a next page, which
				// starts after the last entry of this one.
				pg.More = true
				done = true
				break
			}
			ent, err := rw.entry(withData)
			if err != nil {
				return nil, err
			}
			pg.Entries = append(pg.Entries, ent)
			lastKept = rw
		}
		batch = min(2*batch, 4*s.cfg.MaxLimit)
	}
	switch {
	case pg.More:
		pg.Next, err = s.signCursor(b, mustTime(lastKept.added), lastKept.seq)
	case !done && scanned >= s.cfg.MaxScan:
		// The page examined as many rows as it may: say there may be more,
		// and continue after the last row examined.
		pg.More = true
		pg.Next, err = s.signCursor(b, mustTime(last.added), last.seq)
	}
	if err != nil {
		return nil, err
	}
	if len(pg.Entries) == 0 && (e == EndpointObject || e == EndpointVersions) && q.Next == "" {
		// An object that exists for the reader but matches no filter is
		// an empty page; one that does not exist for it is not found.
		seen, err := s.anyVisible(ctx, c.ID, objectID, r)
		if err != nil {
			return nil, err
		}
		if !seen {
			return nil, fmt.Errorf("object %s in collection %s: %w", quote(objectID), c.Alias, ErrNotFound)
		}
	}
	if err := s.auditPage(ctx, p, c, e, pg); err != nil {
		return nil, err
	}
	return pg, nil
}

// readerKey is who a next token is issued to.
func readerKey(p *auth.Principal) string {
	if p == nil {
		return ""
	}
	return "user " + p.UserID + "\x00org " + p.OrgID
}

func mustTime(s string) time.Time {
	t, _ := parseStoredTime(s)
	return t
}

// readRows runs a page query.
func (s *Service) readRows(ctx context.Context, query string, args []any, withData bool) ([]row, error) {
	rs, err := s.db.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("read objects: %w", err)
	}
	defer rs.Close()
	var out []row
	for rs.Next() {
		var rw row
		var ok int
		dst := []any{&rw.seq, &rw.added, &rw.id, &rw.typ, &rw.version, &rw.spec, &rw.level, &rw.clearance, &rw.orgs, &rw.users, &rw.list, &rw.newer, &rw.older, &ok}
		if withData {
			dst = append(dst, &rw.data)
		}
		if err := rs.Scan(dst...); err != nil {
			return nil, fmt.Errorf("read objects: %w", err)
		}
		rw.ok = ok == 1
		out = append(out, rw)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("read objects: %w", err)
	}
	return out, nil
}

// keep decides whether a row goes in the page: the reader may see it, and
// it is a version that sel asks for. The first and last versions are the
// first and last the reader may see.
func (s *Service) keep(ctx context.Context, collectionID string, rw *row, sel versionSelect, r tlp.Reader) (bool, error) {
	level, ok, err := s.visible(rw, r)
	if err != nil || !ok {
		return false, err
	}
	rw.seen = level
	if sel.all || slices.Contains(sel.at, rw.version) {
		return true, nil
	}
	if sel.last {
		if rw.newer == 0 {
			return true, nil
		}
		other, err := s.otherVisible(ctx, collectionID, rw, ">", r)
		if err != nil || !other {
			return err == nil, err
		}
	}
	if sel.first {
		if rw.older == 0 {
			return true, nil
		}
		other, err := s.otherVisible(ctx, collectionID, rw, "<", r)
		if err != nil || !other {
			return err == nil, err
		}
	}
	return false, nil
}

// otherVisible reports whether the reader may see a version of rw's object
// newer (op ">") or older (op "<") than rw.
func (s *Service) otherVisible(ctx context.Context, collectionID string, rw *row, op string, r tlp.Reader) (bool, error) {
	rs, err := s.db.Query(ctx, "SELECT "+grantCols+" FROM taxii_objects WHERE collection_id = ? AND object_id = ? AND version "+op+" ?",
		collectionID, rw.id, rw.version)
	if err != nil {
		return false, fmt.Errorf("read versions of %s: %w", rw.id, err)
	}
	defer rs.Close()
	for rs.Next() {
		o := row{id: rw.id}
		if err := rs.Scan(&o.level, &o.clearance, &o.orgs, &o.users, &o.list); err != nil {
			return false, fmt.Errorf("read versions of %s: %w", rw.id, err)
		}
		if _, ok, err := s.visible(&o, r); err != nil || ok {
			return ok, err
		}
	}
	return false, rs.Err()
}

// anyVisible reports whether the reader may see any version of an object.
func (s *Service) anyVisible(ctx context.Context, collectionID, objectID string, r tlp.Reader) (bool, error) {
	rw := &row{id: objectID, version: ""}
	return s.otherVisible(ctx, collectionID, rw, ">", r)
}

// entry turns a row into an Entry.
func (rw *row) entry(withData bool) (Entry, error) {
	added, err := parseStoredTime(rw.added)
	if err != nil {
		return Entry{}, err
	}
	version, err := parseStoredTime(rw.version)
	if err != nil {
		return Entry{}, err
	}
	e := Entry{ID: rw.id, Type: rw.typ, Version: version, DateAdded: added, SpecVersion: rw.spec, Level: rw.seen}
	if withData {
		e.Data = json.RawMessage(rw.data)
	}
	return e, nil
}

// auditPage records a page that holds anything not TLP:CLEAR: one entry
// naming the reader (the entry's actor), the collection and the objects.
func (s *Service) auditPage(ctx context.Context, p *auth.Principal, c Collection, e Endpoint, pg *Page) error {
	var ids []string
	seen := map[string]bool{}
	for _, ent := range pg.Entries {
		if ent.Level != tlp.Clear && !seen[ent.ID] {
			seen[ent.ID] = true
			ids = append(ids, ent.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	return s.auditRead(ctx, p, "taxii_collection/"+c.Alias, map[string]any{"collection": c.Alias, "endpoint": string(e), "ids": ids})
}
