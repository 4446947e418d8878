// Package auditlog is ACD's tamper-evident log of every state change.
//
// A capability appends an [Entry] with [Log.Append] inside the same store
// transaction as the change it records, so the change and its entry commit or
// roll back together. An entry carries who did what to which resource and a
// keyed digest (HMAC-SHA256 with the audit key) of the payload in RFC 8785
// canonical JSON: the log can be checked against the data by whoever holds
// the key, without exposing the payload or letting anyone guess it.
//
// Entries are the leaves of an RFC 6962 Merkle tree (golang.org/x/mod/sumdb/tlog).
// A [Checkpointer] integrates new leaves into the stored tree and signs a
// checkpoint in the C2SP checkpoint text format every few seconds when there
// were appends; [Verify] recomputes everything and names the first bad index.
package auditlog

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gowebpki/jcs"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/store"
)

// Entry is one state change, as a capability hands it to Append.
type Entry struct {
	// Actor is the user id (or "system" for background jobs, "cli:NAME" for
	// command-line tools run on the server).
	Actor string
	// Org is the actor's organisation id; empty for system actions.
	Org string
	// Action says what happened, "<capability>.<verb>", e.g. "account.create".
	Action string
	// Resource names what changed, "<type>/<id>", e.g. "user/u_123". A
	// Resolver registered for the type lets Verify check the latest entry of
	// each resource against the stored record.
	Resource string
	// Payload is the new state (or the request) as JSON-marshallable data;
	// only its keyed digest is stored in the log.
	Payload any
}

// Record is a stored entry as the log holds it.
type Record struct {
	Index    int64     `json:"index"`
	Time     time.Time `json:"time"`
	Actor    string    `json:"actor"`
	Org      string    `json:"org"`
	Action   string    `json:"action"`
	Resource string    `json:"resource"`
	// Digest is hex HMAC-SHA256(audit key KeyID, JCS(payload)).
	Digest string `json:"digest"`
	KeyID  string `json:"key_id"`
	// MAC is hex HMAC-SHA256(audit key KeyID, the leaf's canonical JSON
	// without "mac"): it binds the digest to this index, time, actor and
	// action, so that someone who can write to the database but does not
	// hold the audit key cannot add an entry (say, one copying an earlier
	// digest to make an old state look current). The checkpointer signs no
	// entry whose MAC is wrong.
	MAC string `json:"mac"`
}

// LeafData is the byte string hashed into the Merkle tree for r: its RFC 8785
// canonical JSON, which includes the index so that a reordering shows.
func (r Record) LeafData() []byte { return appendLeaf(nil, r, true) }

// computeMAC returns the MAC that r must carry under key.
func computeMAC(key *keys.Key, r Record) (string, error) {
	m, err := key.MAC(appendLeaf(nil, r, false))
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(m), nil
}

// macChecker checks entries' MACs, finding each key version by id. It is
// not safe for concurrent use: each goroutine has its own.
type macChecker struct {
	ring *keys.Ring
	macs map[string]hash.Hash // by key id
	buf  []byte
	sum  []byte
}

// check returns a reason when r's MAC is wrong, or "".
func (c *macChecker) check(r Record) string {
	m, ok := c.macs[r.KeyID]
	if !ok {
		k, err := c.ring.ByID(keys.AuditHMAC, r.KeyID)
		if err != nil {
			return fmt.Sprintf("audit key %q unknown", r.KeyID)
		}
		if m, err = k.NewMAC(); err != nil {
			return err.Error()
		}
		if c.macs == nil {
			c.macs = map[string]hash.Hash{}
		}
		c.macs[r.KeyID] = m
	}
	var stored [sha256.Size]byte
	if n, err := hex.Decode(stored[:], []byte(r.MAC)); err != nil || n != len(stored) || len(r.MAC) != 2*len(stored) {
		return "its MAC is missing or malformed"
	}
	c.buf = appendLeaf(c.buf[:0], r, false)
	m.Reset()
	m.Write(c.buf)
	c.sum = m.Sum(c.sum[:0])
	if !hmac.Equal(c.sum, stored[:]) {
		return "its MAC does not match: written or changed without the audit key"
	}
	return ""
}

// LeafHash is the RFC 6962 leaf hash of r.
func (r Record) LeafHash() tlog.Hash { return tlog.RecordHash(r.LeafData()) }

// Canonical returns the RFC 8785 canonical JSON encoding of v.
func Canonical(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("canonical json: %w", err)
	}
	c, err := jcs.Transform(b)
	if err != nil {
		return nil, fmt.Errorf("canonical json: %w", err)
	}
	return c, nil
}

// Digest returns the hex keyed digest of payload under key.
func Digest(key *keys.Key, payload any) (string, error) {
	c, err := Canonical(payload)
	if err != nil {
		return "", err
	}
	m, err := key.MAC(c)
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(m), nil
}

// Options configures New. The zero value works.
type Options struct {
	// Origin is the checkpoint origin line and note signer name; default
	// "acd-audit-log". It must not contain spaces or '+'.
	Origin string
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Logger; nil discards.
	Logger *slog.Logger
}

// Log appends to and reads the audit log. It is safe for concurrent use.
type Log struct {
	db     *store.DB
	ring   *keys.Ring
	origin string
	now    func() time.Time
	logger *slog.Logger
	res    resolvers
}

// DefaultOrigin is the checkpoint origin when Options.Origin is empty.
const DefaultOrigin = "acd-audit-log"

// New migrates the log's tables and returns the log.
func New(ctx context.Context, db *store.DB, ring *keys.Ring, opts Options) (*Log, error) {
	if opts.Origin == "" {
		opts.Origin = DefaultOrigin
	}
	if strings.ContainsAny(opts.Origin, " +\n") {
		return nil, fmt.Errorf("audit log origin %q: no spaces or '+'", opts.Origin)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if err := db.Migrate(ctx, "auditlog", migrations); err != nil {
		return nil, err
	}
	l := &Log{db: db, ring: ring, origin: opts.Origin, now: opts.Now, logger: opts.Logger.With("component", "auditlog")}
	// Witness cosignatures are records the log itself keeps.
	l.RegisterResolver("cosignature", resolveCosignature)
	l.RegisterLister("cosignature", listCosignatures)
	return l, nil
}

// NewKeysOnly returns a Log for its key methods (PublicKeys, Verifiers)
// without a database; appending to it fails.
func NewKeysOnly(ring *keys.Ring, opts Options) *Log {
	if opts.Origin == "" {
		opts.Origin = DefaultOrigin
	}
	return &Log{ring: ring, origin: opts.Origin, now: time.Now, logger: slog.New(slog.DiscardHandler)}
}

// Origin returns the checkpoint origin.
func (l *Log) Origin() string { return l.origin }

var migrations = []store.Migration{{
	Version: 1,
	Name:    "entries, tree hashes, checkpoints",
	SQL: `
CREATE TABLE audit_entries (
	idx BIGINT PRIMARY KEY,
	time TEXT NOT NULL,
	actor TEXT NOT NULL,
	org TEXT NOT NULL,
	action TEXT NOT NULL,
	resource TEXT NOT NULL,
	digest TEXT NOT NULL,
	key_id TEXT NOT NULL
);
CREATE INDEX audit_entries_resource ON audit_entries (resource, idx);
-- tlog stored hashes, by storage index (tlog.StoredHashIndex).
CREATE TABLE audit_hashes (
	n BIGINT PRIMARY KEY,
	hash BLOB NOT NULL
);
CREATE TABLE audit_checkpoints (
	size BIGINT PRIMARY KEY,
	root BLOB NOT NULL,
	note TEXT NOT NULL,
	created_at TEXT NOT NULL
);`,
}, {
	Version: 2,
	Name:    "entry MACs",
	SQL:     `ALTER TABLE audit_entries ADD COLUMN mac TEXT NOT NULL DEFAULT ''`,
}, {
	Version: 3,
	Name:    "witness cosignatures",
	SQL: `
-- One cosignature per checkpoint and witness key: the first one received.
CREATE TABLE audit_cosignatures (
	size BIGINT NOT NULL,
	witness TEXT NOT NULL,
	key_hash TEXT NOT NULL,
	root TEXT NOT NULL,
	ts BIGINT NOT NULL,
	signature TEXT NOT NULL,
	created_at TEXT NOT NULL,
	PRIMARY KEY (size, witness, key_hash)
);`,
}}

// AppendRead records a read of a sensitive record (a report, selected
// traffic) in a transaction of its own and returns the entry's index. Use
// Append for changes: their entry must commit with the change itself. The
// Action must end in ".read" (see IsRead): reads are chained like every
// entry but never compared with the record. The Payload is usually what
// was asked for (resource and purpose).
func (l *Log) AppendRead(ctx context.Context, e Entry) (int64, error) {
	if !IsRead(e.Action) {
		return 0, fmt.Errorf("audit read %q: action must end in .read", e.Action)
	}
	var idx int64
	err := l.db.Tx(ctx, func(tx *store.Tx) error {
		var err error
		idx, err = l.append(ctx, tx, e)
		return err
	})
	return idx, err
}

// Append adds e to the log inside tx and returns its index. The entry is in
// the log exactly when tx commits. Indexes follow commit order because
// store transactions run one at a time (see store.DB.Tx). Reads go through
// AppendRead: an action ending in ".read" is refused here.
func (l *Log) Append(ctx context.Context, tx *store.Tx, e Entry) (int64, error) {
	if IsRead(e.Action) {
		return 0, fmt.Errorf("audit append %q: a read is recorded with AppendRead", e.Action)
	}
	return l.append(ctx, tx, e)
}

func (l *Log) append(ctx context.Context, tx *store.Tx, e Entry) (int64, error) {
	if e.Action == "" || e.Resource == "" {
		return 0, fmt.Errorf("audit append: action and resource are required")
	}
	if e.Actor == "" {
		e.Actor = "system"
	}
	// The leaf is canonical JSON, which is defined for valid UTF-8 only:
	// two different invalid strings would otherwise hash alike.
	for _, f := range []string{e.Actor, e.Org, e.Action, e.Resource} {
		if !utf8.ValidString(f) {
			return 0, fmt.Errorf("audit append %q: fields must be valid UTF-8", e.Resource)
		}
	}
	key, err := l.ring.Current(keys.AuditHMAC)
	if err != nil {
		return 0, fmt.Errorf("audit append: %w", err)
	}
	digest, err := Digest(key, e.Payload)
	if err != nil {
		return 0, fmt.Errorf("audit append %s %s: %w", e.Action, e.Resource, err)
	}
	r := Record{Time: l.now().UTC(), Actor: e.Actor, Org: e.Org, Action: e.Action, Resource: e.Resource, Digest: digest, KeyID: key.ID}
	if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(idx), -1) + 1 FROM audit_entries").Scan(&r.Index); err != nil {
		return 0, fmt.Errorf("audit append: next index: %w", err)
	}
	if r.MAC, err = computeMAC(key, r); err != nil {
		return 0, fmt.Errorf("audit append: %w", err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO audit_entries (idx, time, actor, org, action, resource, digest, key_id, mac) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.Index, store.FormatTime(r.Time), r.Actor, r.Org, r.Action, r.Resource, r.Digest, r.KeyID, r.MAC)
	if err != nil {
		return 0, fmt.Errorf("audit append: %w", err)
	}
	return r.Index, nil
}
