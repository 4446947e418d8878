package auditlog

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/acd-platform/acd/internal/store"
)

// Cosignatures (C2SP tlog-cosignature, cosignature/v1) are the statements
// of the commission's witness that it saw a checkpoint and that it extends
// every checkpoint it saw before. The witness runs on the commission's own
// machine with its own key; the log stores the cosignatures it is sent, after
// checking them against the witness keys it was configured with, and serves
// them appended to the checkpoint they sign.

// Errors of AddCosignatures that callers branch on.
var (
	// ErrBadCosigned: the posted text is not a signed note over a
	// checkpoint body, or a cosignature in it is malformed or dated in the
	// future. 400.
	ErrBadCosigned = errors.New("malformed cosigned checkpoint")
	// ErrWitnessUnknown: the note carries no valid cosignature by any
	// witness key the log trusts (or one by a trusted key does not
	// verify). 403.
	ErrWitnessUnknown = errors.New("no valid cosignature by a trusted witness key")
	// ErrCheckpointUnknown: the cosigned body is not a checkpoint this log
	// signed (another origin, a size it never checkpointed, or another
	// root at that size). A witness that cosigns such a checkpoint saw
	// another log, or another history of this one. 400.
	ErrCheckpointUnknown = errors.New("not a checkpoint this log signed")
)

// MaxCosignedNote bounds a posted cosigned checkpoint: a checkpoint body and
// a few dozen signature lines.
const MaxCosignedNote = 16 << 10

// maxFutureSkew is how far in the future a cosignature's timestamp may be
// (the witness's clock may run a little ahead): C2SP lets verifiers refuse
// later ones.
const maxFutureSkew = 10 * time.Minute

// CosignAction is the audit-log action of an accepted cosignature.
const CosignAction = "audit.cosign"

// Cosignature is one witness cosignature of a checkpoint, as the log stores
// it and records it in an audit entry.
type Cosignature struct {
	// Size and Root are those of the cosigned checkpoint; Root in base64.
	Size int64  `json:"size"`
	Root string `json:"root"`
	// Witness is the witness key's name, KeyHash its cosignature/v1 key
	// hash in 8 hex digits.
	Witness string `json:"witness"`
	KeyHash string `json:"key_hash"`
	// Time is the signing time the witness put in the signature (UTC,
	// whole seconds).
	Time time.Time `json:"time"`
	// Signature is the signature line's base64: key hash, 8-byte
	// big-endian timestamp, Ed25519 signature.
	Signature string `json:"signature"`
}

// Resource names the cosignature in the audit log:
// "cosignature/SIZE/NAME+HASH".
func (c Cosignature) Resource() string {
	return fmt.Sprintf("cosignature/%d/%s+%s", c.Size, c.Witness, c.KeyHash)
}

// Line is the note signature line, "— NAME BASE64\n".
func (c Cosignature) Line() string { return "— " + c.Witness + " " + c.Signature + "\n" }

// CosignedCheckpoint is a checkpoint body with the cosignatures verified
// in a posted note.
type CosignedCheckpoint struct {
	Checkpoint
	// Text is the note body (origin, size and root lines, and any
	// extension lines).
	Text string
	// Cosignatures are the cosignatures by trusted witness keys, in the
	// note's order.
	Cosignatures []Cosignature
}

// CosignatureTime returns the signing time of a cosignature/v1 signature:
// the 8-byte big-endian POSIX timestamp after the key hash.
func CosignatureTime(sig note.Signature) (time.Time, error) {
	if len(sig.Base64) > 256 {
		return time.Time{}, fmt.Errorf("cosignature by %s: signature too long", sig.Name)
	}
	raw, err := base64.StdEncoding.DecodeString(sig.Base64)
	if err != nil {
		return time.Time{}, fmt.Errorf("cosignature by %s: %w", sig.Name, err)
	}
	const want = 4 + 8 + 64 // key hash, timestamp, Ed25519 signature
	if len(raw) != want {
		return time.Time{}, fmt.Errorf("cosignature by %s: %d bytes, want %d (key hash, timestamp, Ed25519 signature)", sig.Name, len(raw), want)
	}
	ts := binary.BigEndian.Uint64(raw[4:12])
	if ts > 1<<63-1 {
		return time.Time{}, fmt.Errorf("cosignature by %s: timestamp %d beyond 2^63-1", sig.Name, ts)
	}
	return time.Unix(int64(ts), 0).UTC(), nil
}

// OpenCosigned verifies the cosignatures in msg with witnesses (verifiers
// of cosignature/v1 signatures, never of plain note signatures) and parses
// the checkpoint body. Signatures by other keys, such as the log's own, are
// ignored. It fails with ErrBadCosigned when msg is not a signed note over
// a checkpoint body, and with ErrWitnessUnknown when no trusted witness
// cosigned it or a trusted witness's cosignature does not verify.
func OpenCosigned(msg []byte, witnesses note.Verifiers) (*CosignedCheckpoint, error) {
	if len(msg) > MaxCosignedNote {
		return nil, fmt.Errorf("%w: %d bytes, at most %d", ErrBadCosigned, len(msg), MaxCosignedNote)
	}
	if witnesses == nil {
		witnesses = note.VerifierList()
	}
	n, err := note.Open(msg, witnesses)
	var unverified *note.UnverifiedNoteError
	var invalid *note.InvalidSignatureError
	switch {
	case errors.As(err, &unverified):
		if _, perr := parseCheckpointBody(unverified.Note.Text); perr != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadCosigned, perr)
		}
		var by []string
		for _, s := range unverified.Note.UnverifiedSigs {
			by = append(by, fmt.Sprintf("%s+%08x", s.Name, s.Hash))
		}
		return nil, fmt.Errorf("%w: it is signed only by %s", ErrWitnessUnknown, strings.Join(by, ", "))
	case errors.As(err, &invalid):
		return nil, fmt.Errorf("%w: the cosignature by %s+%08x does not verify", ErrWitnessUnknown, invalid.Name, invalid.Hash)
	case err != nil:
		return nil, fmt.Errorf("%w: %v", ErrBadCosigned, err)
	}
	cp, err := parseCheckpointBody(n.Text)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadCosigned, err)
	}
	out := &CosignedCheckpoint{Checkpoint: *cp, Text: n.Text}
	out.Note = msg
	root := base64.StdEncoding.EncodeToString(cp.Root[:])
	for _, s := range n.Sigs {
		t, err := CosignatureTime(s)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadCosigned, err)
		}
		out.Cosignatures = append(out.Cosignatures, Cosignature{Size: cp.Size, Root: root, Witness: s.Name,
			KeyHash: fmt.Sprintf("%08x", s.Hash), Time: t, Signature: s.Base64})
	}
	return out, nil
}

// CosignResult says what AddCosignatures did.
type CosignResult struct {
	Size int64
	Root tlog.Hash
	// Added are the cosignatures stored now; Known those that were
	// already stored for this checkpoint and key (the first one received
	// is kept).
	Added, Known []Cosignature
}

// AddCosignatures stores the trusted cosignatures of msg, a checkpoint note
// the witness cosigned (it may also carry the log's own signature). The
// body must be exactly a checkpoint this log signed. Each new cosignature
// is recorded by an audit entry of actor and org in the same transaction; a
// cosignature by a key that already cosigned this checkpoint is
// acknowledged in Known and changes nothing. Errors: ErrBadCosigned,
// ErrWitnessUnknown, ErrCheckpointUnknown (see each).
func (l *Log) AddCosignatures(ctx context.Context, actor, org string, msg []byte, witnesses note.Verifiers) (*CosignResult, error) {
	cc, err := OpenCosigned(msg, witnesses)
	if err != nil {
		return nil, err
	}
	if cc.Origin != l.origin {
		return nil, fmt.Errorf("%w: origin %q, this log's is %q", ErrCheckpointUnknown, cc.Origin, l.origin)
	}
	now := l.now()
	for _, c := range cc.Cosignatures {
		if c.Time.After(now.Add(maxFutureSkew)) {
			return nil, fmt.Errorf("%w: the cosignature by %s is dated %s, in the future", ErrBadCosigned, c.Witness, c.Time.Format(time.RFC3339))
		}
	}
	res := &CosignResult{Size: cc.Size, Root: cc.Root}
	err = l.db.Tx(ctx, func(tx *store.Tx) error {
		res.Added, res.Known = nil, nil
		var text string
		err := tx.QueryRow(ctx, "SELECT note FROM audit_checkpoints WHERE size = ?", cc.Size).Scan(&text)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: it never signed a checkpoint of size %d", ErrCheckpointUnknown, cc.Size)
		}
		if err != nil {
			return fmt.Errorf("read checkpoint %d: %w", cc.Size, err)
		}
		body, _, _ := strings.Cut(text, "\n\n")
		if body+"\n" != cc.Text {
			ours, perr := parseCheckpointBody(body + "\n")
			if perr == nil && ours.Root != cc.Root {
				return fmt.Errorf("%w: its checkpoint of size %d has root %s, the cosigned one %s",
					ErrCheckpointUnknown, cc.Size, ours.Root, cc.Root)
			}
			return fmt.Errorf("%w: the cosigned body differs from its checkpoint of size %d", ErrCheckpointUnknown, cc.Size)
		}
		for _, c := range cc.Cosignatures {
			r, err := tx.Exec(ctx, `INSERT INTO audit_cosignatures (size, witness, key_hash, root, ts, signature, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (size, witness, key_hash) DO NOTHING`,
				c.Size, c.Witness, c.KeyHash, c.Root, c.Time.Unix(), c.Signature, store.FormatTime(now))
			if err != nil {
				return fmt.Errorf("store cosignature: %w", err)
			}
			if n, err := r.RowsAffected(); err != nil {
				return fmt.Errorf("store cosignature: %w", err)
			} else if n == 0 {
				res.Known = append(res.Known, c)
				continue
			}
			if _, err := l.Append(ctx, tx, Entry{Actor: actor, Org: org, Action: CosignAction, Resource: c.Resource(), Payload: c}); err != nil {
				return err
			}
			res.Added = append(res.Added, c)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// Cosignatures returns the stored cosignatures of the checkpoint of size,
// ordered by witness name and key hash.
func (l *Log) Cosignatures(ctx context.Context, size int64) ([]Cosignature, error) {
	return cosignatures(ctx, l.db, "WHERE size = ?", size)
}

const selectCosignatures = "SELECT size, witness, key_hash, root, ts, signature FROM audit_cosignatures "

func cosignatures(ctx context.Context, q store.Querier, where string, args ...any) ([]Cosignature, error) {
	rows, err := q.Query(ctx, selectCosignatures+where+" ORDER BY size, witness, key_hash", args...)
	if err != nil {
		return nil, fmt.Errorf("read cosignatures: %w", err)
	}
	defer rows.Close()
	var out []Cosignature
	for rows.Next() {
		var c Cosignature
		var ts int64
		if err := rows.Scan(&c.Size, &c.Witness, &c.KeyHash, &c.Root, &ts, &c.Signature); err != nil {
			return nil, fmt.Errorf("read cosignature: %w", err)
		}
		c.Time = time.Unix(ts, 0).UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

// LatestWithCosignatures returns the newest checkpoint, as Latest does, with
// the signature lines of its stored cosignatures appended to its note; nil
// when there is no checkpoint yet.
func (l *Log) LatestWithCosignatures(ctx context.Context) (*Checkpoint, error) {
	cp, err := l.Latest(ctx)
	if err != nil || cp == nil {
		return cp, err
	}
	cs, err := l.Cosignatures(ctx, cp.Size)
	if err != nil {
		return nil, err
	}
	cp.Note = appendLines(cp.Note, cs)
	return cp, nil
}

// LatestCosigned returns the newest checkpoint that has at least one stored
// cosignature, with all their signature lines appended to its note; nil
// when no checkpoint was cosigned yet.
func (l *Log) LatestCosigned(ctx context.Context) (*Checkpoint, error) {
	return l.latestCosigned(ctx, "")
}

// LatestCosignedBy is LatestCosigned restricted to checkpoints cosigned by
// the witness key named witness with key hash keyHash (8 hex digits); the
// note carries every cosignature of that checkpoint.
func (l *Log) LatestCosignedBy(ctx context.Context, witness, keyHash string) (*Checkpoint, error) {
	return l.latestCosigned(ctx, " WHERE witness = ? AND key_hash = ?", witness, keyHash)
}

func (l *Log) latestCosigned(ctx context.Context, where string, args ...any) (*Checkpoint, error) {
	var newest sql.NullInt64
	if err := l.db.QueryRow(ctx, "SELECT MAX(size) FROM audit_cosignatures"+where, args...).Scan(&newest); err != nil {
		return nil, fmt.Errorf("latest cosigned checkpoint: %w", err)
	}
	if !newest.Valid {
		return nil, nil
	}
	size := newest.Int64
	var root []byte
	var text string
	if err := l.db.QueryRow(ctx, "SELECT root, note FROM audit_checkpoints WHERE size = ?", size).Scan(&root, &text); err != nil {
		return nil, fmt.Errorf("cosigned checkpoint %d: %w", size, err)
	}
	cs, err := l.Cosignatures(ctx, size)
	if err != nil {
		return nil, err
	}
	c := &Checkpoint{Size: size, Note: appendLines([]byte(text), cs)}
	copy(c.Root[:], root)
	c.Origin, _, _ = strings.Cut(text, "\n")
	return c, nil
}

// appendLines appends the signature lines of cs to a signed note. The note
// format allows any number of signature lines after the log's own.
func appendLines(msg []byte, cs []Cosignature) []byte {
	out := append([]byte(nil), msg...)
	for _, c := range cs {
		out = append(out, c.Line()...)
	}
	return out
}

// resolveCosignature returns a stored cosignature, "SIZE/NAME+HASH", as its
// audit entry digested it, for Verify's data check.
func resolveCosignature(ctx context.Context, q store.Querier, id string) (any, error) {
	sizeStr, key, ok := strings.Cut(id, "/")
	cut := strings.LastIndex(key, "+")
	size, err := strconv.ParseInt(sizeStr, 10, 64)
	if !ok || cut < 0 || err != nil {
		return nil, ErrNoRecord
	}
	cs, err := cosignatures(ctx, q, "WHERE size = ? AND witness = ? AND key_hash = ?", size, key[:cut], key[cut+1:])
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return nil, ErrNoRecord
	}
	return cs[0], nil
}

// listCosignatures lists every stored cosignature's id, so that Verify
// finds one stored without an audit entry.
func listCosignatures(ctx context.Context, q store.Querier) ([]string, error) {
	cs, err := cosignatures(ctx, q, "")
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(cs))
	for i, c := range cs {
		_, ids[i], _ = strings.Cut(c.Resource(), "/")
	}
	return ids, nil
}
