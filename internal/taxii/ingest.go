package taxii

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/stix"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/tlp"
)

// Status is the TAXII status resource (TAXII 2.1 §4.3.1) of one add-objects
// request. ACD processes a request before answering it, so Status is
// always "complete" and nothing is pending.
type Status struct {
	ID               string         `json:"id"`
	Status           string         `json:"status"`
	RequestTimestamp string         `json:"request_timestamp"`
	TotalCount       int            `json:"total_count"`
	SuccessCount     int            `json:"success_count"`
	Successes        []StatusDetail `json:"successes,omitempty"`
	FailureCount     int            `json:"failure_count"`
	Failures         []StatusDetail `json:"failures,omitempty"`
	PendingCount     int            `json:"pending_count"`
	Pendings         []StatusDetail `json:"pendings,omitempty"`
}

// StatusDetail is one object of a request: its id and version, and for a
// failure why it was refused.
type StatusDetail struct {
	ID      string `json:"id"`
	Version string `json:"version"`
	Message string `json:"message,omitempty"`
}

// stored is an object ready to be written.
type stored struct {
	id, typ     string
	version     string // stored form; "" for an object without created or modified
	specVersion string
	marking     tlp.Marking
	data        []byte
}

// Add adds the objects a caller posted to a collection (TAXII "Add
// Objects") and returns the status of the request. Each object is checked on
// its own — by package stix, against the OASIS schema of its type, and for
// its marking (see the package documentation) — and a refused one is a
// failure in the status with the reason; the others are stored, with the
// status and the audit entry "taxii.add", in one transaction. An object
// already in the collection (same id and version) counts as a success and
// is not stored twice.
//
// Add fails as a whole with ErrNotFound for a collection p may not see,
// and with ErrForbidden for one it may not write.
func (s *Service) Add(ctx context.Context, p *auth.Principal, collection string, objs []json.RawMessage) (*Status, error) {
	if p == nil {
		return nil, fmt.Errorf("add objects: log in first: %w", ErrForbidden)
	}
	r, err := s.reader(ctx, p)
	if err != nil {
		return nil, err
	}
	c, err := s.collection(ctx, p, r, collection)
	if err != nil {
		return nil, err
	}
	if !c.CanWrite {
		return nil, fmt.Errorf("collection %s: you may read it but not add to it: %w", c.Alias, ErrForbidden)
	}
	if len(objs) == 0 || len(objs) > stix.MaxObjects {
		return nil, fieldErrorf("objects", "want 1 to %d objects, have %d", stix.MaxObjects, len(objs))
	}
	cabinet, err := s.cabinetOffice(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	st := &Status{ID: newUUID(), Status: "complete", RequestTimestamp: formatTime(now), TotalCount: len(objs)}
	type item struct {
		detail StatusDetail
		obj    *stored
	}
	// Checking is most of the work of an add, and each object is checked
	// on its own: spread it over the processors.
	items := make([]item, len(objs))
	workers := min(runtime.GOMAXPROCS(0), (len(objs)+63)/64)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(objs); i += workers {
				o, detail, err := s.check(objs[i], c, p.OrgID, cabinet)
				if err != nil {
					detail.Message = fmt.Sprintf("objects[%d]: %v", i, err)
				}
				items[i] = item{detail: detail, obj: o}
			}
		})
	}
	wg.Wait()
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		w, err := s.newWriter(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		st.Successes, st.Failures = nil, nil
		for i := range items {
			it := &items[i]
			if it.obj == nil {
				st.Failures = append(st.Failures, it.detail)
				continue
			}
			version, err := w.put(ctx, it.obj, p, false)
			if err != nil {
				return err
			}
			it.detail.Version = version
			st.Successes = append(st.Successes, it.detail)
		}
		st.SuccessCount, st.FailureCount = len(st.Successes), len(st.Failures)
		body, err := json.Marshal(st)
		if err != nil {
			return fmt.Errorf("add objects: %w", err)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO taxii_statuses (id, collection_id, user_id, org_id, created_at, body) VALUES (?, ?, ?, ?, ?, ?)",
			st.ID, c.ID, p.UserID, p.OrgID, store.FormatTime(now), string(body)); err != nil {
			return fmt.Errorf("add objects: store status: %w", err)
		}
		return s.audit(ctx, tx, p, "taxii.add", "taxii_status/"+st.ID, statusPayload{Collection: c.Alias, Status: st})
	})
	if err != nil {
		return nil, err
	}
	return st, nil
}

// statusPayload is what the audit entry of an add digests, and what the
// taxii_status resolver returns.
type statusPayload struct {
	Collection string  `json:"collection"`
	Status     *Status `json:"status"`
}

// check checks one posted object and decides its marking. The detail
// names the object as far as it can be read, also on failure.
func (s *Service) check(raw []byte, c Collection, posterOrg string, cabinet []string) (*stored, StatusDetail, error) {
	var h objectHead
	headErr := json.Unmarshal(raw, &h) // read as far as it goes, for the detail of a failure
	detail := StatusDetail{ID: h.ID, Version: h.Modified}
	if detail.Version == "" {
		detail.Version = h.Created
	}
	if _, err := stix.ParseObject(raw); err != nil {
		return nil, detail, err
	}
	if headErr != nil {
		// Package stix accepted what the marking is read from could not
		// be: refuse rather than guess the marking.
		return nil, detail, fmt.Errorf("read the object's id, versions and markings: %w", headErr)
	}
	if err := s.schemas.validate(raw); err != nil {
		return nil, detail, err
	}
	m, err := postedMarking(&h, c.kind, c.orgID, posterOrg, cabinet)
	if err != nil {
		return nil, detail, err
	}
	if err := s.cfg.Scale.Validate(m); err != nil {
		return nil, detail, err
	}
	if err := checkRecipients(m); err != nil {
		return nil, detail, err
	}
	o, err := newStored(&h, raw, m)
	if err != nil {
		return nil, detail, err
	}
	return o, detail, nil
}

// newStored prepares a checked object for storage.
func newStored(h *objectHead, raw []byte, m tlp.Marking) (*stored, error) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return nil, fmt.Errorf("compact: %w", err)
	}
	o := &stored{id: h.ID, typ: h.Type, specVersion: h.SpecVersion, marking: m, data: buf.Bytes()}
	if o.specVersion == "" {
		o.specVersion = stix.SpecVersion // an SCO's default
	}
	for _, v := range []string{h.Modified, h.Created} {
		if v == "" {
			continue
		}
		t, err := stix.ParseTime(v)
		if err != nil {
			return nil, err
		}
		o.version = formatTime(t)
		break
	}
	return o, nil
}

// Publish stores objs in collection with marking m, inside the caller's
// transaction tx: the sharing service calls it when an advisory is
// published. The collection ("public", "council-green", "council-amber" or
// "org-<orgID>") is created if it is not yet stored. Each object must pass
// package stix and the OASIS schemas: it is served as given. An object
// whose id and version are already in the collection keeps its place and
// gains m beside the markings it has: a reader any of them admits reads
// it. So an object that advisories for different audiences share (the
// Cabinet Office's identity, a TLP marking-definition) reaches each
// audience, and publishing again with a recipient added (a forward) widens
// who reads the advisory. The change is one audit entry "taxii.publish" in
// tx.
func (s *Service) Publish(ctx context.Context, tx *store.Tx, collection string, objs []stix.Object, m tlp.Marking) error {
	if err := s.cfg.Scale.Validate(m); err != nil {
		return fmt.Errorf("publish to %s: marking: %w", collection, err)
	}
	if err := checkRecipients(m); err != nil {
		return fmt.Errorf("publish to %s: marking: %w", collection, err)
	}
	k, _, ok := parseAlias(collection)
	if !ok {
		return fmt.Errorf("publish: collection %s: want public, council-green, council-amber or org-<organisation id>", quote(collection))
	}
	if k == kindPublic && m.Level != tlp.Clear {
		return fmt.Errorf("publish to %s: the public collection holds TLP:CLEAR objects only, not %s", collection, m.Level.Label())
	}
	prepared := make([]*stored, len(objs))
	for i, o := range objs {
		raw, err := encodeObject(o)
		if err != nil {
			return fmt.Errorf("publish to %s: objects[%d]: %w", collection, i, err)
		}
		if _, err := stix.ParseObject(raw); err != nil {
			return fmt.Errorf("publish to %s: objects[%d]: %w", collection, i, err)
		}
		if err := s.schemas.validate(raw); err != nil {
			return fmt.Errorf("publish to %s: objects[%d] (%s): %w", collection, i, o.ObjectID(), err)
		}
		var h objectHead
		if err := json.Unmarshal(raw, &h); err != nil {
			return fmt.Errorf("publish to %s: objects[%d]: %w", collection, i, err)
		}
		if prepared[i], err = newStored(&h, raw, m); err != nil {
			return fmt.Errorf("publish to %s: objects[%d]: %w", collection, i, err)
		}
	}
	created, err := s.ensureCollection(ctx, tx, collection)
	if err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	id := CollectionID(collection)
	w, err := s.newWriter(ctx, tx, id)
	if err != nil {
		return fmt.Errorf("publish to %s: %w", collection, err)
	}
	refs := make([]string, len(prepared))
	for i, o := range prepared {
		v, err := w.put(ctx, o, nil, true)
		if err != nil {
			return fmt.Errorf("publish to %s: %w", collection, err)
		}
		refs[i] = o.id + "@" + v
	}
	return s.audit(ctx, tx, nil, "taxii.publish", "taxii_collection/"+collection,
		map[string]any{"collection": collection, "created": created, "marking": m, "objects": refs})
}

// encodeObject writes o as JSON, leaving <, > and & as they are.
func encodeObject(o stix.Object) ([]byte, error) {
	var buf bytes.Buffer
	e := json.NewEncoder(&buf)
	e.SetEscapeHTML(false)
	if err := e.Encode(o); err != nil {
		return nil, fmt.Errorf("encode %s: %w", o.ObjectID(), err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// writer adds objects to one collection inside one transaction: every
// object gets the next sequence number, and all of them one date_added,
// later than any already in the collection, so that a page position
// (date_added, seq) never sees an object appear behind it.
type writer struct {
	tx         *store.Tx
	collection string
	seq        int64
	added      string
}

func (s *Service) newWriter(ctx context.Context, tx *store.Tx, collectionID string) (*writer, error) {
	w := &writer{tx: tx, collection: collectionID}
	if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(seq), 0) FROM taxii_objects").Scan(&w.seq); err != nil {
		return nil, fmt.Errorf("next sequence number: %w", err)
	}
	var last sql.NullString
	if err := tx.QueryRow(ctx, "SELECT MAX(date_added) FROM taxii_objects WHERE collection_id = ?", collectionID).Scan(&last); err != nil {
		return nil, fmt.Errorf("last date_added: %w", err)
	}
	now := s.now().Truncate(time.Microsecond)
	if last.Valid {
		t, err := parseStoredTime(last.String)
		if err != nil {
			return nil, err
		}
		if !now.After(t) {
			now = t.Add(time.Microsecond)
		}
	}
	w.added = formatTime(now)
	return w, nil
}

// put stores o and returns its version in stored form. An object already
// stored (same id and version; for an object without created and modified,
// same id) is left in place; when grant is set, o's marking is added to
// its markings. by is who added it (nil for a publication).
func (w *writer) put(ctx context.Context, o *stored, by *auth.Principal, grant bool) (string, error) {
	version := o.version
	var (
		lo, hi sql.NullString
		same   int
	)
	err := w.tx.QueryRow(ctx, `SELECT MIN(version), MAX(version), COALESCE(SUM(CASE WHEN version = ? THEN 1 ELSE 0 END), 0)
FROM taxii_objects WHERE collection_id = ? AND object_id = ?`, version, w.collection, o.id).Scan(&lo, &hi, &same)
	if err != nil {
		return "", fmt.Errorf("store %s: %w", o.id, err)
	}
	if version == "" {
		// Not versioned (an SCO): the first copy is the object.
		if lo.Valid {
			return lo.String, w.grant(ctx, o, lo.String, grant)
		}
		version = w.added
	} else if same > 0 {
		return version, w.grant(ctx, o, version, grant)
	}
	hasOlder := lo.Valid && lo.String < version
	hasNewer := hi.Valid && hi.String > version
	w.seq++
	actor, org := actorOf(by)
	level, clearance, orgs, users, list, err := grants{o.marking}.columns()
	if err != nil {
		return "", err
	}
	_, err = w.tx.Exec(ctx, `INSERT INTO taxii_objects (seq, collection_id, object_id, object_type, version, spec_version, date_added,
	tlp, clearance, recipient_orgs, recipient_users, markings, has_newer, has_older, added_by, added_org, data)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		w.seq, w.collection, o.id, o.typ, version, o.specVersion, w.added,
		level, clearance, orgs, users, list, boolInt(hasNewer), boolInt(hasOlder), actor, org, string(o.data))
	if err != nil {
		return "", fmt.Errorf("store %s: %w", o.id, err)
	}
	if lo.Valid {
		if _, err := w.tx.Exec(ctx, "UPDATE taxii_objects SET has_newer = 1 WHERE collection_id = ? AND object_id = ? AND version < ? AND has_newer = 0",
			w.collection, o.id, version); err != nil {
			return "", fmt.Errorf("store %s: %w", o.id, err)
		}
		if _, err := w.tx.Exec(ctx, "UPDATE taxii_objects SET has_older = 1 WHERE collection_id = ? AND object_id = ? AND version > ? AND has_older = 0",
			w.collection, o.id, version); err != nil {
			return "", fmt.Errorf("store %s: %w", o.id, err)
		}
	}
	return version, nil
}

// grant adds o's marking to the markings of its stored copy, when asked
// to: a reader that any of them admits reads it.
func (w *writer) grant(ctx context.Context, o *stored, version string, add bool) error {
	if !add {
		return nil
	}
	var rw row
	err := w.tx.QueryRow(ctx, "SELECT "+grantCols+" FROM taxii_objects WHERE collection_id = ? AND object_id = ? AND version = ?",
		w.collection, o.id, version).Scan(&rw.level, &rw.clearance, &rw.orgs, &rw.users, &rw.list)
	if err != nil {
		return fmt.Errorf("mark %s: %w", o.id, err)
	}
	g, err := grantsOf(rw.level, rw.clearance, rw.orgs, rw.users, rw.list)
	if err != nil {
		return fmt.Errorf("mark %s: %w", o.id, err)
	}
	g, added := g.with(o.marking)
	if !added {
		return nil
	}
	level, clearance, orgs, users, list, err := g.columns()
	if err != nil {
		return err
	}
	_, err = w.tx.Exec(ctx, `UPDATE taxii_objects SET tlp = ?, clearance = ?, recipient_orgs = ?, recipient_users = ?, markings = ?
WHERE collection_id = ? AND object_id = ? AND version = ?`, level, clearance, orgs, users, list, w.collection, o.id, version)
	if err != nil {
		return fmt.Errorf("mark %s: %w", o.id, err)
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Status returns the status of an add-objects request, to the user who made
// it and the users of the same organisation; ErrNotFound to anyone else.
func (s *Service) Status(ctx context.Context, p *auth.Principal, id string) (*Status, error) {
	notFound := fmt.Errorf("status %s: %w", quote(id), ErrNotFound)
	if p == nil {
		return nil, notFound
	}
	var user, org, body string
	err := s.db.QueryRow(ctx, "SELECT user_id, org_id, body FROM taxii_statuses WHERE id = ?", id).Scan(&user, &org, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound
	}
	if err != nil {
		return nil, fmt.Errorf("read status: %w", err)
	}
	if user != p.UserID && (org == "" || org != p.OrgID) {
		return nil, notFound
	}
	var st Status
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		return nil, fmt.Errorf("read status %s: %w", id, err)
	}
	return &st, nil
}

// RegisterResolvers lets auditlog.Verify check each add-objects request's
// audit entry against its stored status.
func RegisterResolvers(l *auditlog.Log) {
	l.RegisterResolver("taxii_status", func(ctx context.Context, q store.Querier, id string) (any, error) {
		var coll, body string
		err := q.QueryRow(ctx, "SELECT c.alias, s.body FROM taxii_statuses s JOIN taxii_collections c ON c.id = s.collection_id WHERE s.id = ?", id).Scan(&coll, &body)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, auditlog.ErrNoRecord
		}
		if err != nil {
			return nil, err
		}
		var st Status
		if err := json.Unmarshal([]byte(body), &st); err != nil {
			return nil, err
		}
		return statusPayload{Collection: coll, Status: &st}, nil
	})
	l.RegisterLister("taxii_status", func(ctx context.Context, q store.Querier) ([]string, error) {
		if ok, err := store.Migrated(ctx, q, "taxii"); err != nil || !ok {
			return nil, err
		}
		rows, err := q.Query(ctx, "SELECT id FROM taxii_statuses")
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var ids []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return nil, err
			}
			ids = append(ids, id)
		}
		return ids, rows.Err()
	})
}

// newUUID returns a random UUID (version 4), the form of TAXII identifiers.
func newUUID() string { return strings.TrimPrefix(stix.NewID("x-status"), "x-status--") }
