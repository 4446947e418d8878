// Package witness is the commission's witness of ACD's audit log.
//
// The Cyber Communications Information Supervisory Commission runs the
// witness (`acd witness run`) on its own machine with its own Ed25519 key,
// never on the server it watches. Each [Witness.Step] fetches the log's
// newest signed checkpoint, checks the log's signature and origin, and
// compares it with the last checkpoint the witness verified, which it keeps
// in a state file:
//
//   - a smaller size means the log was rolled back;
//   - the same size with another root means the log forked;
//   - a larger size is accepted only with a consistency proof that the new
//     tree extends the old one; a proof that does not verify means history
//     was rewritten.
//
// Each of these refusals wraps [ErrRefused]; the state file is then left as
// it was, so the evidence stays. Otherwise the witness records the new
// checkpoint and posts its cosignature in the C2SP tlog-cosignature format
// (cosignature/v1: an Ed25519 signature over "cosignature/v1\ntime T\n" and
// the checkpoint body, with the timestamp T in the signature). The log
// serves the cosignatures with its checkpoints, and `acd log verify
// --witness-key` requires them, so whoever runs the server cannot show one
// history to the commission and another to anyone else, nor rewrite the
// log later, without it showing.
//
// # Keys
//
// [GenerateKey] makes a key pair: the private key in note signer-key form
// (kept by the commission only) and the public key in cosignature/v1
// verifier-key form (key type 0x04), which the server (`acd serve
// --witness-key`) and verifiers are given. [NewSigner] and [NewVerifier]
// turn them into note signers and verifiers.
//
// # A quiet log
//
// Each accepted cosignature is itself an audit entry, so the log grows by
// one entry each time the witness cosigns. So that an otherwise idle log
// comes to rest, the witness does not cosign a checkpoint whose growth since
// the newest checkpoint it cosigned itself is nothing but cosignature entries
// (its own or other witnesses'); it still verifies and records it.
package witness

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/acd-platform/acd/internal/auditlog"
)

// Log is what the witness reads from and posts to the log's server.
// *logapi.HTTPSource implements it.
type Log interface {
	// Checkpoint returns the newest signed checkpoint note (it may carry
	// cosignatures).
	Checkpoint(ctx context.Context) ([]byte, error)
	// CosignedCheckpointBy returns the newest checkpoint note that
	// carries a cosignature by the witness key name with key hash keyHash;
	// an error when there is none.
	CosignedCheckpointBy(ctx context.Context, name string, keyHash uint32) ([]byte, error)
	// ConsistencyProof returns the proof that the tree of newSize extends
	// the tree of oldSize. The witness checks it.
	ConsistencyProof(ctx context.Context, oldSize, newSize int64) (tlog.TreeProof, error)
	// Entries returns up to limit entries from index from on.
	Entries(ctx context.Context, from int64, limit int) ([]auditlog.Record, error)
	// PostCosignature posts the cosigned checkpoint note.
	PostCosignature(ctx context.Context, cosigned []byte) error
}

// Config configures a Witness. LogKey, Key and StatePath are required.
type Config struct {
	// LogKey is the log's checkpoint verifier key, "name+hash+key", as
	// `acd log pubkey` prints it on the server (obtained once, out of
	// band).
	LogKey string
	// Origin is the checkpoint origin the log must use; default the
	// LogKey's name (ACD signs checkpoints under its origin).
	Origin string
	// Key is the witness's private key in note signer-key form, as
	// GenerateKey makes it.
	Key string
	// StatePath is the file that keeps the last verified checkpoint note.
	// It is written atomically, mode 0600.
	StatePath string
	// Logger; nil discards.
	Logger *slog.Logger
}

// Witness verifies and cosigns a log's checkpoints. It is not safe for
// concurrent use: one Witness per state file.
type Witness struct {
	log    Log
	origin string
	logKey note.Verifiers
	signer note.Signer
	self   note.Verifier // verifies the witness's own cosignatures
	state  string
	logger *slog.Logger
}

// New returns a witness of log.
func New(log Log, cfg Config) (*Witness, error) {
	if log == nil {
		return nil, errors.New("witness: no log")
	}
	if cfg.StatePath == "" {
		return nil, errors.New("witness: no state file")
	}
	lv, err := note.NewVerifier(cfg.LogKey)
	if err != nil {
		return nil, fmt.Errorf("log key %q: %w", cfg.LogKey, err)
	}
	signer, err := NewSigner(cfg.Key)
	if err != nil {
		return nil, err
	}
	vkey, err := VerifierKey(cfg.Key)
	if err != nil {
		return nil, err
	}
	self, err := NewVerifier(vkey)
	if err != nil {
		return nil, err
	}
	if cfg.Origin == "" {
		cfg.Origin = lv.Name()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Witness{log: log, origin: cfg.Origin, logKey: note.VerifierList(lv), signer: signer,
		self:  self,
		state: cfg.StatePath, logger: cfg.Logger.With("component", "witness")}, nil
}

// ErrRefused is wrapped by every refusal to accept the log's checkpoint: a
// bad signature or origin, a rollback, a fork, a rewrite. Callers MUST stop
// and raise the alarm rather than retry (acd witness run exits 3); the state
// file still holds the last checkpoint the witness verified.
var ErrRefused = errors.New("witness refuses the checkpoint")

// ForkError is a checkpoint of the size the witness verified with another
// root: the log forked, or was rewritten at that size.
type ForkError struct {
	Size int64
	// Root is the new checkpoint's, Saw the one the witness verified.
	Root, Saw tlog.Hash
}

func (e *ForkError) Error() string {
	return fmt.Sprintf("log forked: checkpoint at size %d has root %s, witness saw %s", e.Size, e.Root, e.Saw)
}

// Is makes a ForkError match ErrRefused.
func (e *ForkError) Is(target error) bool { return target == ErrRefused }

// RewriteError is a larger checkpoint whose consistency proof from the
// tree the witness verified does not verify: the new tree is not an
// extension of the old one.
type RewriteError struct {
	// Size and Root are the checkpoint the witness verified; NewSize the
	// refused one's.
	Size    int64
	Root    tlog.Hash
	NewSize int64
	Err     error
}

func (e *RewriteError) Error() string {
	return fmt.Sprintf("log rewritten: checkpoint at size %d is not an extension of the tree the witness verified at size %d (root %s): %v",
		e.NewSize, e.Size, e.Root, e.Err)
}

// Is makes a RewriteError match ErrRefused.
func (e *RewriteError) Is(target error) bool { return target == ErrRefused }

// Unwrap returns the proof check's error.
func (e *RewriteError) Unwrap() error { return e.Err }

func refusef(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrRefused}, args...)...)
}

// Result says what one Step did.
type Result struct {
	// Size and Root are the checkpoint the witness now holds as verified.
	Size int64
	Root tlog.Hash
	// Previous is the size it held before (0 on first use).
	Previous int64
	// FirstUse says there was no state: the checkpoint was taken on trust
	// and only later ones are checked against it.
	FirstUse bool
	// Cosigned says the witness posted its cosignature of the checkpoint
	// in this step.
	Cosigned bool
	// NotCosigned says why it did not, when it did not.
	NotCosigned string
}

// quietLimit bounds how many entries of growth the witness reads to find
// that they are only cosignature entries; larger growth is always cosigned.
const quietLimit = 64

// Step fetches the log's newest checkpoint, verifies it against the
// witness's state, records it, and cosigns it. Errors wrapping ErrRefused
// are refusals (see ErrRefused); others are failures to reach the log or
// the state file, after which a later Step may succeed.
func (w *Witness) Step(ctx context.Context) (*Result, error) {
	msg, err := w.log.Checkpoint(ctx)
	if err != nil {
		return nil, fmt.Errorf("fetch checkpoint: %w", err)
	}
	cp, err := auditlog.ParseCheckpoint(msg, w.logKey)
	if err != nil {
		return nil, refusef("the log's checkpoint does not verify with the log key: %v", err)
	}
	if cp.Origin != w.origin {
		return nil, refusef("the log's checkpoint has origin %q, want %q", cp.Origin, w.origin)
	}
	old, err := w.load()
	if err != nil {
		return nil, err
	}
	res := &Result{Size: cp.Size, Root: cp.Root}
	switch {
	case old == nil:
		res.FirstUse = true
		w.logger.Warn("no state: taking the log's checkpoint on first use", "size", cp.Size, "root", cp.Root.String(), "state", w.state)
	case cp.Size < old.Size:
		return nil, refusef("log rolled back: checkpoint at size %d, but the witness verified size %d (root %s)", cp.Size, old.Size, old.Root)
	case cp.Size == old.Size:
		res.Previous = old.Size
		if cp.Root != old.Root {
			return nil, &ForkError{Size: cp.Size, Root: cp.Root, Saw: old.Root}
		}
	default:
		res.Previous = old.Size
		proof, err := w.log.ConsistencyProof(ctx, old.Size, cp.Size)
		if err != nil {
			return nil, fmt.Errorf("fetch consistency proof %d→%d: %w", old.Size, cp.Size, err)
		}
		if err := tlog.CheckTree(proof, cp.Size, cp.Root, old.Size, old.Root); err != nil {
			return nil, &RewriteError{Size: old.Size, Root: old.Root, NewSize: cp.Size, Err: err}
		}
	}
	if old == nil || cp.Size != old.Size {
		if err := writeState(w.state, msg); err != nil {
			return nil, err
		}
	}

	if w.cosignedBySelf(msg) {
		res.NotCosigned = "the log already holds the witness's cosignature of this checkpoint"
		return res, nil
	}
	if why := w.quiet(ctx, cp); why != "" {
		res.NotCosigned = why
		return res, nil
	}
	n, err := note.Open(msg, w.logKey)
	if err != nil {
		return nil, refusef("the log's checkpoint does not verify with the log key: %v", err)
	}
	cosigned, err := note.Sign(&note.Note{Text: n.Text, Sigs: n.Sigs}, w.signer)
	if err != nil {
		return nil, fmt.Errorf("cosign checkpoint %d: %w", cp.Size, err)
	}
	if err := w.log.PostCosignature(ctx, cosigned); err != nil {
		return nil, fmt.Errorf("post cosignature of checkpoint %d: %w", cp.Size, err)
	}
	res.Cosigned = true
	return res, nil
}

// cosignedBySelf reports whether msg carries a valid cosignature by the
// witness's own key.
func (w *Witness) cosignedBySelf(msg []byte) bool {
	_, err := note.Open(msg, note.VerifierList(w.self))
	return err == nil
}

// quiet returns why cp need not be cosigned, or "": every entry since the
// newest checkpoint the witness cosigned is a cosignature entry (its own or
// another witness's, so that several witnesses come to rest too). Any
// failure to find out means cosigning.
func (w *Witness) quiet(ctx context.Context, cp *auditlog.Checkpoint) string {
	msg, err := w.log.CosignedCheckpointBy(ctx, w.self.Name(), w.self.KeyHash())
	if err != nil || !w.cosignedBySelf(msg) {
		return ""
	}
	prev, err := auditlog.ParseCheckpoint(msg, w.logKey)
	if err != nil || prev.Size >= cp.Size || cp.Size-prev.Size > quietLimit {
		return ""
	}
	recs, err := w.log.Entries(ctx, prev.Size, int(cp.Size-prev.Size))
	if err != nil || int64(len(recs)) != cp.Size-prev.Size {
		return ""
	}
	for i, r := range recs {
		if r.Index != prev.Size+int64(i) || r.Action != auditlog.CosignAction {
			return ""
		}
	}
	return fmt.Sprintf("only cosignature entries since the checkpoint of size %d the witness cosigned", prev.Size)
}

// load reads and checks the state file; nil when there is none yet.
func (w *Witness) load() (*auditlog.Checkpoint, error) {
	b, err := readState(w.state)
	if err != nil || b == nil {
		return nil, err
	}
	cp, err := auditlog.ParseCheckpoint(b, w.logKey)
	if err != nil {
		return nil, fmt.Errorf("state file %s: %w (not a checkpoint of this log: keep it as evidence and check the --log-key)", w.state, err)
	}
	if cp.Origin != w.origin {
		return nil, fmt.Errorf("state file %s: origin %q, want %q", w.state, cp.Origin, w.origin)
	}
	return cp, nil
}

// Run calls Step now and then every interval until ctx ends (nil) or a
// Step is refused (the refusal). Other errors are logged and retried at
// the next tick. report, if set, gets each successful Step's result.
func (w *Witness) Run(ctx context.Context, interval time.Duration, report func(*Result)) error {
	if interval <= 0 {
		interval = time.Minute
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		res, err := w.Step(ctx)
		switch {
		case errors.Is(err, ErrRefused):
			return err
		case err != nil && ctx.Err() == nil:
			w.logger.Error("witness step failed; retrying", "err", err, "in", interval.String())
		case err == nil && report != nil:
			report(res)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
