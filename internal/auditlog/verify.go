package auditlog

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/store"
)

// Source is where Verify reads a log from: the database (DBSource) or a
// server's HTTP API (HTTPSource).
type Source interface {
	// Checkpoints returns the signed checkpoint notes the source holds.
	Checkpoints(ctx context.Context) ([][]byte, error)
	// Entries returns up to limit entries from index from on, in index order.
	Entries(ctx context.Context, from int64, limit int) ([]Record, error)
	// LeafHashes returns the stored leaf hashes of entries [from, to), or
	// nil when the source does not expose them.
	LeafHashes(ctx context.Context, from, to int64) ([]tlog.Hash, error)
	// Records returns a querier over the capability tables for the data
	// check, or nil when the source has no data (a remote server).
	Records() store.Querier
}

// VerifyOptions says what Verify checks beyond the tree itself.
type VerifyOptions struct {
	// Verifiers check checkpoint signatures. Required.
	Verifiers note.Verifiers
	// Keys, when set, hold the audit HMAC keys: every entry's MAC is
	// checked, and the latest entry of every resource whose type has a
	// resolver is checked against its record.
	Keys *keys.Ring
	// Resolvers by resource type, for the data check.
	Resolvers map[string]Resolver
	// Listers by resource type: with Keys, every listed record must have
	// an entry.
	Listers map[string]Lister
	// Origin is the checkpoints' expected origin line; default
	// DefaultOrigin.
	Origin string
	// Trusted is a signed checkpoint seen earlier (kept by the verifier, or
	// published): the log must still contain exactly that tree. Without it,
	// someone who can rewrite the database and holds the signing key could
	// cut the log short together with its checkpoints.
	Trusted []byte
	// Progress, when set, is called as entries are checked.
	Progress func(done, total int64)
	// BatchSize is how many entries are read at a time; default 20000.
	BatchSize int
}

// Report summarises a successful verification.
type Report struct {
	// Entries is how many entries were read and chained.
	Entries int64
	// Checkpointed is the size of the newest valid checkpoint.
	Checkpointed int64
	// Checkpoints is how many signed checkpoints were checked.
	Checkpoints int
	// Root is the root hash at Checkpointed.
	Root tlog.Hash
	// RecordsChecked is how many resources were checked against the data.
	RecordsChecked int
	// Unchecked lists resource types that have no resolver.
	Unchecked []string
	// Note is the newest checkpoint (signed note), to keep for a later
	// run's VerifyOptions.Trusted.
	Note []byte
	// TrustedSize is the size of VerifyOptions.Trusted, when given.
	TrustedSize int64
}

// VerifyError names the first bad place in the log.
type VerifyError struct {
	// Index is the first bad entry index, or -1 when the fault is in a
	// checkpoint itself (see Checkpoint).
	Index int64
	// Checkpoint is the size of the checkpoint concerned, if any.
	Checkpoint int64
	// Resource names a record that has no entry at all.
	Resource string
	Reason   string
}

func (e *VerifyError) Error() string {
	if e.Resource != "" && e.Index < 0 {
		return fmt.Sprintf("record %s: %s", e.Resource, e.Reason)
	}
	if e.Index < 0 {
		return fmt.Sprintf("checkpoint at size %d: %s", e.Checkpoint, e.Reason)
	}
	return fmt.Sprintf("entry %d: %s", e.Index, e.Reason)
}

// IsRead reports whether action records a read (it ends in ".read") rather
// than a change; reads are chained like every entry but are not compared
// with the record.
func IsRead(action string) bool { return strings.HasSuffix(action, ".read") }

// defaultVerifyBatch is how many entries Verify reads at a time unless
// VerifyOptions.BatchSize says otherwise.
const defaultVerifyBatch = 20000

// Verify recomputes the Merkle tree from src's entries, checks every stored
// checkpoint's signature and root, finds gaps, edits, reorderings and
// truncation, and, with keys and resolvers, checks the data. It returns a
// *VerifyError naming the first bad index when the log is not intact.
func Verify(ctx context.Context, src Source, opts VerifyOptions) (*Report, error) {
	if opts.Verifiers == nil {
		return nil, errors.New("verify: no checkpoint verifier key")
	}
	notes, err := src.Checkpoints(ctx)
	if err != nil {
		return nil, err
	}
	origin := opts.Origin
	if origin == "" {
		origin = DefaultOrigin
	}
	var cps []*Checkpoint
	for _, n := range notes {
		cp, err := ParseCheckpoint(n, opts.Verifiers)
		if err == nil && cp.Origin != origin {
			err = fmt.Errorf("origin %q, want %q", cp.Origin, origin)
		}
		if err != nil {
			return nil, &VerifyError{Index: -1, Checkpoint: sizeHint(n), Reason: err.Error()}
		}
		cps = append(cps, cp)
	}
	sort.Slice(cps, func(i, j int) bool { return cps[i].Size < cps[j].Size })
	rep := &Report{Checkpoints: len(cps)}
	if len(cps) > 0 {
		rep.Note = cps[len(cps)-1].Note
	}
	if opts.Trusted != nil {
		tc, err := ParseCheckpoint(opts.Trusted, opts.Verifiers)
		if err == nil && tc.Origin != origin {
			err = fmt.Errorf("origin %q, want %q", tc.Origin, origin)
		}
		if err != nil {
			return nil, fmt.Errorf("trusted checkpoint: %w", err)
		}
		// Checked like a stored checkpoint: the recomputed tree must pass
		// through its root, and the log must be at least that long.
		rep.TrustedSize = tc.Size
		cps = append(cps, tc)
		sort.SliceStable(cps, func(i, j int) bool { return cps[i].Size < cps[j].Size })
	}
	var total int64
	if len(cps) > 0 {
		total = cps[len(cps)-1].Size
	}

	type latestEntry struct {
		index  int64
		digest string
		keyID  string
		action string
	}
	checkData := src.Records() != nil && opts.Keys != nil
	latest := map[string]latestEntry{}
	var fr frontier
	var sinceCP []tlog.Hash // leaf hashes since the previous checkpoint
	next := 0               // next checkpoint to reach
	var prevSize int64
	// Reading rows is the slow part: one goroutine reads batches while the
	// previous batch is hashed and its MACs checked on both cores.
	rctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the reader when Verify returns early
	size := opts.BatchSize
	if size <= 0 {
		size = defaultVerifyBatch
	}
	batches := readAhead(rctx, src, size)
	hashers := newBatchHashers(opts.Keys)
	for b := range batches {
		if b.err != nil {
			return nil, b.err
		}
		hashes, bad := hashers.hash(b.recs)
		for i, r := range b.recs {
			if r.Index != fr.n {
				return nil, &VerifyError{Index: fr.n, Reason: fmt.Sprintf("missing (next stored entry is %d)", r.Index)}
			}
			if bad[i] != "" {
				return nil, &VerifyError{Index: r.Index, Reason: bad[i]}
			}
			h := hashes[i]
			fr.add(h)
			sinceCP = append(sinceCP, h)
			if checkData && !IsRead(r.Action) {
				latest[r.Resource] = latestEntry{r.Index, r.Digest, r.KeyID, r.Action}
			}
			for next < len(cps) && cps[next].Size == fr.n {
				cp := cps[next]
				if fr.root() != cp.Root {
					return nil, firstBadLeaf(ctx, src, prevSize, sinceCP, cp.Size)
				}
				rep.Checkpointed, rep.Root = cp.Size, cp.Root
				prevSize, sinceCP = cp.Size, sinceCP[:0]
				next++
			}
		}
		if opts.Progress != nil {
			opts.Progress(fr.n, max(total, fr.n))
		}
	}
	rep.Entries = fr.n
	// A checkpoint of size 0 is passed before any entry is read.
	for next < len(cps) && cps[next].Size == 0 && fr.n == 0 && cps[next].Root == fr.root() {
		next++
	}
	if next < len(cps) {
		return nil, &VerifyError{Index: fr.n, Checkpoint: cps[next].Size,
			Reason: fmt.Sprintf("missing: the log ends at %d entries but a signed checkpoint covers %d", fr.n, cps[next].Size)}
	}
	if !checkData {
		return rep, nil
	}

	// Data check: the latest entry of each resource against its record.
	unchecked := map[string]bool{}
	var bad *VerifyError
	for res, le := range latest {
		typ, id := splitResource(res)
		resolve := opts.Resolvers[typ]
		if resolve == nil {
			unchecked[typ] = true
			continue
		}
		rep.RecordsChecked++
		payload, err := resolve(ctx, src.Records(), id)
		var reason string
		switch {
		case errors.Is(err, ErrNoRecord):
			if strings.HasSuffix(le.action, ".delete") {
				continue
			}
			reason = fmt.Sprintf("%s: the record is missing", res)
		case err != nil:
			return nil, fmt.Errorf("verify: read %s: %w", res, err)
		default:
			key, err := opts.Keys.ByID(keys.AuditHMAC, le.keyID)
			if err != nil {
				reason = fmt.Sprintf("%s: %v", res, err)
				break
			}
			d, err := Digest(key, payload)
			if err != nil {
				return nil, fmt.Errorf("verify: %s: %w", res, err)
			}
			if d != le.digest {
				reason = fmt.Sprintf("%s: the stored record does not match this entry (the latest for it)", res)
			}
		}
		if reason != "" && (bad == nil || le.index < bad.Index) {
			bad = &VerifyError{Index: le.index, Reason: reason}
		}
	}
	// Records that changed without any entry: a row inserted behind ACD's
	// back has no entry to match.
	for typ, list := range opts.Listers {
		ids, err := list(ctx, src.Records())
		if err != nil {
			return nil, fmt.Errorf("verify: list %s records: %w", typ, err)
		}
		for _, id := range ids {
			if _, ok := latest[typ+"/"+id]; !ok && bad == nil {
				bad = &VerifyError{Index: -1, Resource: typ + "/" + id, Reason: "stored, but no audit entry records it"}
			}
		}
	}
	for typ := range unchecked {
		rep.Unchecked = append(rep.Unchecked, typ)
	}
	sort.Strings(rep.Unchecked)
	if bad != nil {
		return rep, bad
	}
	return rep, nil
}

// batchHashers computes leaf hashes and checks MACs (when it has the audit
// keys) of a batch on two goroutines, each with its own MAC state.
type batchHashers struct {
	parts [2]batchHasher
}

type batchHasher struct {
	macs *macChecker // nil: no MAC check
	buf  []byte
}

func newBatchHashers(ring *keys.Ring) *batchHashers {
	var h batchHashers
	if ring != nil {
		for i := range h.parts {
			h.parts[i].macs = &macChecker{ring: ring}
		}
	}
	return &h
}

// hash returns each record's leaf hash and, where its MAC is wrong, why.
func (h *batchHashers) hash(recs []Record) ([]tlog.Hash, []string) {
	hashes := make([]tlog.Hash, len(recs))
	bad := make([]string, len(recs))
	mid := len(recs) / 2
	var wg sync.WaitGroup
	for p, span := range [2][2]int{{0, mid}, {mid, len(recs)}} {
		wg.Add(1)
		go func(w *batchHasher, lo, hi int) {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				if w.macs != nil {
					bad[i] = w.macs.check(recs[i])
				}
				w.buf = appendLeaf(w.buf[:0], recs[i], true)
				hashes[i] = tlog.RecordHash(w.buf)
			}
		}(&h.parts[p], span[0], span[1])
	}
	wg.Wait()
	return hashes, bad
}

type batch struct {
	recs []Record
	err  error
}

// readers is how many goroutines read entries at once. Reading rows costs
// more than hashing them, so two readers (on their own connections) keep
// both cores busy.
const readers = 2

// readAhead reads src's entries in batches of size on its own
// goroutines, reader i taking batches i, i+readers, …, and delivers them in
// order. The channel closes after the last (short) batch or an error batch;
// the goroutines stop when ctx ends. Batches are by index range, so with a
// gap in the indexes the first batch past the gap shows it.
func readAhead(ctx context.Context, src Source, size int) <-chan batch {
	out := make(chan batch, readers)
	var ins [readers]chan batch
	for i := range ins {
		ins[i] = make(chan batch, 1)
		go func(ch chan<- batch, first int) {
			defer close(ch)
			for k := first; ; k += readers {
				recs, err := src.Entries(ctx, int64(k*size), size)
				if err == nil {
					err = ctx.Err()
				}
				select {
				case ch <- batch{recs, err}:
				case <-ctx.Done():
					return
				}
				if err != nil || len(recs) < size {
					return
				}
			}
		}(ins[i], i)
	}
	go func() {
		defer close(out)
		for k := 0; ; k++ {
			b, ok := <-ins[k%readers]
			if !ok {
				return
			}
			select {
			case out <- b:
			case <-ctx.Done():
				return
			}
			if b.err != nil || len(b.recs) < size {
				return
			}
		}
	}()
	return out
}

// firstBadLeaf names the first entry in [from, to) whose recomputed leaf hash
// differs from the stored one; when the stored hashes were rewritten too, it
// can only say that the range does not match the signed checkpoint.
func firstBadLeaf(ctx context.Context, src Source, from int64, leaves []tlog.Hash, cpSize int64) error {
	stored, err := src.LeafHashes(ctx, from, from+int64(len(leaves)))
	if err == nil && len(stored) == len(leaves) {
		for i := range leaves {
			if leaves[i] != stored[i] {
				return &VerifyError{Index: from + int64(i), Checkpoint: cpSize,
					Reason: "altered: its content does not hash to the value in the signed tree"}
			}
		}
	}
	return &VerifyError{Index: from, Checkpoint: cpSize,
		Reason: fmt.Sprintf("entries %d to %d do not match the checkpoint signed at size %d", from, cpSize-1, cpSize)}
}

// sizeHint reads the size line of an unverifiable checkpoint, for messages.
func sizeHint(n []byte) int64 {
	lines := strings.SplitN(string(n), "\n", 3)
	if len(lines) < 2 {
		return 0
	}
	var s int64
	fmt.Sscan(lines[1], &s)
	return s
}

// frontier computes RFC 6962 tree roots incrementally: it holds the roots of
// the perfect subtrees that make up the tree so far, largest first.
type frontier struct {
	n     int64
	stack []tlog.Hash
}

func (f *frontier) add(h tlog.Hash) {
	f.stack = append(f.stack, h)
	f.n++
	for k := f.n; k&1 == 0; k >>= 1 {
		l := len(f.stack)
		f.stack[l-2] = tlog.NodeHash(f.stack[l-2], f.stack[l-1])
		f.stack = f.stack[:l-1]
	}
}

func (f *frontier) root() tlog.Hash {
	if len(f.stack) == 0 {
		return tlog.Hash{}
	}
	r := f.stack[len(f.stack)-1]
	for i := len(f.stack) - 2; i >= 0; i-- {
		r = tlog.NodeHash(f.stack[i], r)
	}
	return r
}

// DBSource reads a log from its database.
func DBSource(db *store.DB) Source { return dbSource{db} }

type dbSource struct{ db *store.DB }

func (s dbSource) Records() store.Querier { return s.db }

func (s dbSource) Checkpoints(ctx context.Context) ([][]byte, error) {
	rows, err := s.db.Query(ctx, "SELECT note FROM audit_checkpoints ORDER BY size")
	if err != nil {
		return nil, fmt.Errorf("read checkpoints: %w", err)
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, []byte(n))
	}
	return out, rows.Err()
}

func (s dbSource) Entries(ctx context.Context, from int64, limit int) ([]Record, error) {
	return readRecords(ctx, s.db, from, limit)
}

func (s dbSource) LeafHashes(ctx context.Context, from, to int64) ([]tlog.Hash, error) {
	hr := &txHashReader{ctx: ctx, q: s.db, pending: map[int64]tlog.Hash{}}
	idx := make([]int64, 0, to-from)
	for i := from; i < to; i++ {
		idx = append(idx, tlog.StoredHashIndex(0, i))
	}
	return hr.ReadHashes(idx)
}
