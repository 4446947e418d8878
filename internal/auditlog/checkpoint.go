package auditlog

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/store"
)

// Checkpoint is a signed statement of the tree's size and root hash, in the
// C2SP checkpoint text format (origin, size, base64 root, one per line)
// wrapped in a signed note.
type Checkpoint struct {
	Origin string
	Size   int64
	Root   tlog.Hash
	// Note is the whole signed note text as served and stored.
	Note []byte
}

// FormatCheckpointBody renders the unsigned checkpoint body.
func FormatCheckpointBody(origin string, size int64, root tlog.Hash) string {
	return fmt.Sprintf("%s\n%d\n%s\n", origin, size, base64.StdEncoding.EncodeToString(root[:]))
}

// ParseCheckpoint verifies the signed note msg with verifiers and parses its
// body. It fails when no known key signed it or the body is malformed.
func ParseCheckpoint(msg []byte, verifiers note.Verifiers) (*Checkpoint, error) {
	n, err := note.Open(msg, verifiers)
	if err != nil {
		return nil, fmt.Errorf("checkpoint signature: %w", err)
	}
	c, err := parseCheckpointBody(n.Text)
	if err != nil {
		return nil, err
	}
	c.Note = msg
	return c, nil
}

// parseCheckpointBody parses the origin, size and root lines of a
// checkpoint body; extension lines after them are allowed.
func parseCheckpointBody(text string) (*Checkpoint, error) {
	lines := strings.SplitN(text, "\n", 4)
	if len(lines) < 4 {
		return nil, errors.New("checkpoint: want origin, size and root lines")
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		return nil, fmt.Errorf("checkpoint: bad size line %q", lines[1])
	}
	raw, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(raw) != tlog.HashSize {
		return nil, fmt.Errorf("checkpoint: bad root hash line %q", lines[2])
	}
	c := &Checkpoint{Origin: lines[0], Size: size}
	copy(c.Root[:], raw)
	return c, nil
}

// Verifiers returns the note verifiers for the log's current and past
// checkpoint keys.
func (l *Log) Verifiers() (note.Verifiers, error) {
	var vs []note.Verifier
	for _, k := range l.ring.All(keys.AuditCheckpoint) {
		vkey, err := k.NoteVerifierKey(l.origin)
		if err != nil {
			return nil, err
		}
		v, err := note.NewVerifier(vkey)
		if err != nil {
			return nil, err
		}
		vs = append(vs, v)
	}
	return note.VerifierList(vs...), nil
}

// PublicKey returns the current checkpoint key in note verifier-key form,
// as `acd log pubkey` prints it.
func (l *Log) PublicKey() (string, error) {
	k, err := l.ring.Current(keys.AuditCheckpoint)
	if err != nil {
		return "", err
	}
	return k.NoteVerifierKey(l.origin)
}

// PublicKeys returns every checkpoint key, current last, in note
// verifier-key form.
func (l *Log) PublicKeys() ([]string, error) {
	var out []string
	for _, k := range l.ring.All(keys.AuditCheckpoint) {
		vk, err := k.NoteVerifierKey(l.origin)
		if err != nil {
			return nil, err
		}
		out = append(out, vk)
	}
	return out, nil
}

// Latest returns the newest checkpoint, or nil when none was written yet.
func (l *Log) Latest(ctx context.Context) (*Checkpoint, error) {
	return latest(ctx, l.db)
}

func latest(ctx context.Context, q store.Querier) (*Checkpoint, error) {
	var size int64
	var root []byte
	var text string
	err := q.QueryRow(ctx, "SELECT size, root, note FROM audit_checkpoints ORDER BY size DESC LIMIT 1").Scan(&size, &root, &text)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("latest checkpoint: %w", err)
	}
	c := &Checkpoint{Size: size, Note: []byte(text)}
	copy(c.Root[:], root)
	c.Origin, _, _ = strings.Cut(text, "\n")
	return c, nil
}

// integrateBatch bounds how many leaves one Checkpoint transaction takes in,
// so appends are not held off for long.
const integrateBatch = 20000

// Checkpoint takes the leaves appended since the last checkpoint into the
// stored tree and writes a new signed checkpoint. It returns the newest
// checkpoint (unchanged, possibly nil, when there was nothing new).
func (l *Log) Checkpoint(ctx context.Context) (*Checkpoint, error) {
	key, err := l.ring.Current(keys.AuditCheckpoint)
	if err != nil {
		return nil, err
	}
	signer, err := key.NoteSigner(l.origin)
	if err != nil {
		return nil, err
	}
	for {
		var cp *Checkpoint
		var more bool
		err := l.db.Tx(ctx, func(tx *store.Tx) error {
			prev, err := latest(ctx, tx)
			if err != nil {
				return err
			}
			var size int64
			if prev != nil {
				size = prev.Size
			}
			recs, err := readRecords(ctx, tx, size, integrateBatch+1)
			if err != nil {
				return err
			}
			if len(recs) == 0 {
				cp = prev
				return nil
			}
			if len(recs) > integrateBatch {
				recs, more = recs[:integrateBatch], true
			}
			hr := &txHashReader{ctx: ctx, q: tx, pending: map[int64]tlog.Hash{}}
			macs := macChecker{ring: l.ring}
			for i, r := range recs {
				if r.Index != size+int64(i) {
					return fmt.Errorf("integrate: entry %d missing (found %d)", size+int64(i), r.Index)
				}
				// Sign only what this server wrote: an entry added to the
				// table by anyone without the audit key stops the log.
				if reason := macs.check(r); reason != "" {
					return fmt.Errorf("integrate: entry %d: %s; not signing", r.Index, reason)
				}
				hashes, err := tlog.StoredHashes(r.Index, r.LeafData(), hr)
				if err != nil {
					return fmt.Errorf("integrate entry %d: %w", r.Index, err)
				}
				base := tlog.StoredHashIndex(0, r.Index)
				for j, h := range hashes {
					hr.pending[base+int64(j)] = h
					if _, err := tx.Exec(ctx, "INSERT INTO audit_hashes (n, hash) VALUES (?, ?)", base+int64(j), h[:]); err != nil {
						return fmt.Errorf("integrate entry %d: %w", r.Index, err)
					}
				}
			}
			newSize := size + int64(len(recs))
			root, err := tlog.TreeHash(newSize, hr)
			if err != nil {
				return fmt.Errorf("integrate: tree hash: %w", err)
			}
			msg, err := note.Sign(&note.Note{Text: FormatCheckpointBody(l.origin, newSize, root)}, signer)
			if err != nil {
				return fmt.Errorf("sign checkpoint: %w", err)
			}
			if _, err := tx.Exec(ctx, "INSERT INTO audit_checkpoints (size, root, note, created_at) VALUES (?, ?, ?, ?)",
				newSize, root[:], string(msg), store.FormatTime(l.now())); err != nil {
				return fmt.Errorf("store checkpoint: %w", err)
			}
			cp = &Checkpoint{Origin: l.origin, Size: newSize, Root: root, Note: msg}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if !more {
			return cp, nil
		}
	}
}

// Run writes a checkpoint every interval while there were appends, until
// ctx ends; it then writes a last one and returns nil.
func (l *Log) Run(ctx context.Context, interval time.Duration) error {
	if interval <= 0 {
		interval = 2 * time.Second
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			// A last checkpoint on the way out, with a fresh short deadline.
			c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if _, err := l.Checkpoint(c); err != nil {
				l.logger.Warn("final checkpoint failed", "err", err)
			}
			return nil
		case <-t.C:
			if _, err := l.Checkpoint(ctx); err != nil && ctx.Err() == nil {
				l.logger.Error("checkpoint failed", "err", err)
			}
		}
	}
}

// readRecords reads up to limit entries from index from on, in order.
func readRecords(ctx context.Context, q store.Querier, from int64, limit int) ([]Record, error) {
	rows, err := q.Query(ctx, `SELECT idx, time, actor, org, action, resource, digest, key_id, mac FROM audit_entries WHERE idx >= ? ORDER BY idx LIMIT ?`, from, limit)
	if err != nil {
		return nil, fmt.Errorf("read entries: %w", err)
	}
	defer rows.Close()
	out := make([]Record, 0, min(limit, 4096))
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func scanRecord(rows *sql.Rows) (Record, error) {
	var r Record
	var ts string
	if err := rows.Scan(&r.Index, &ts, &r.Actor, &r.Org, &r.Action, &r.Resource, &r.Digest, &r.KeyID, &r.MAC); err != nil {
		return r, fmt.Errorf("read entry: %w", err)
	}
	t, err := store.ParseTime(ts)
	if err != nil {
		return r, fmt.Errorf("entry %d: %w", r.Index, err)
	}
	r.Time = t
	return r, nil
}

// Entries returns up to limit entries starting at index from.
func (l *Log) Entries(ctx context.Context, from int64, limit int) ([]Record, error) {
	return readRecords(ctx, l.db, from, limit)
}

// txHashReader reads stored hashes: first those computed in this batch, then
// the database.
type txHashReader struct {
	ctx     context.Context
	q       store.Querier
	pending map[int64]tlog.Hash
}

func (h *txHashReader) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, n := range indexes {
		if v, ok := h.pending[n]; ok {
			out[i] = v
			continue
		}
		var b []byte
		if err := h.q.QueryRow(h.ctx, "SELECT hash FROM audit_hashes WHERE n = ?", n).Scan(&b); err != nil {
			return nil, fmt.Errorf("read tree hash %d: %w", n, err)
		}
		if len(b) != tlog.HashSize {
			return nil, fmt.Errorf("tree hash %d: %d bytes", n, len(b))
		}
		copy(out[i][:], b)
		// Cache: hashes of complete subtrees never change.
		h.pending[n] = out[i]
	}
	return out, nil
}

// InclusionProof proves that entry index is in the tree of size (a size of a
// stored checkpoint or any size up to the newest).
func (l *Log) InclusionProof(ctx context.Context, index, size int64) (tlog.RecordProof, error) {
	if err := l.checkSize(ctx, size); err != nil {
		return nil, err
	}
	if index < 0 || index >= size {
		return nil, fmt.Errorf("inclusion proof: index %d not in tree of size %d", index, size)
	}
	return tlog.ProveRecord(size, index, &txHashReader{ctx: ctx, q: l.db, pending: map[int64]tlog.Hash{}})
}

// ConsistencyProof proves that the tree of size newSize extends the tree of
// size oldSize.
func (l *Log) ConsistencyProof(ctx context.Context, oldSize, newSize int64) (tlog.TreeProof, error) {
	if err := l.checkSize(ctx, newSize); err != nil {
		return nil, err
	}
	if oldSize < 1 || oldSize > newSize {
		return nil, fmt.Errorf("consistency proof: want 1 <= old size (%d) <= new size (%d)", oldSize, newSize)
	}
	return tlog.ProveTree(newSize, oldSize, &txHashReader{ctx: ctx, q: l.db, pending: map[int64]tlog.Hash{}})
}

// ErrSize means a proof was asked for a tree larger than the newest checkpoint.
var ErrSize = errors.New("tree size beyond the newest checkpoint")

func (l *Log) checkSize(ctx context.Context, size int64) error {
	cp, err := l.Latest(ctx)
	if err != nil {
		return err
	}
	if cp == nil || size > cp.Size || size < 1 {
		return fmt.Errorf("size %d: %w", size, ErrSize)
	}
	return nil
}
