package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/term"

	"github.com/acd-platform/acd/internal/annualreport"
	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/auditlog/logapi"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/blocklist"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/inspection"
	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/measures"
	"github.com/acd-platform/acd/internal/sharing"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/taxii"
	"github.com/acd-platform/acd/internal/vuln/vendors"
	"github.com/acd-platform/acd/internal/witness"
)

func runLog(ctx context.Context, e *env) error {
	return subcommand(ctx, e, "log", map[string]func(context.Context, *env) error{
		"verify": runLogVerify,
		"pubkey": runLogPubkey,
	})
}

func runLogPubkey(ctx context.Context, e *env) error {
	fs := newFlagSet(e, "log pubkey", "acd log pubkey [--data-dir DIR] [--all]\n\nPrints the audit-log checkpoint verifier key in note form (name+hash+key),\nas `acd log verify --pubkey` and other verifiers take it.")
	var st storage
	st.register(fs, e)
	all := fs.Bool("all", false, "print retired keys too, one per line, current last")
	if err := parse(fs, e.args, st.check); err != nil {
		return err
	}
	l, err := openLogKeysOnly(st)
	if err != nil {
		return err
	}
	vks, err := l.PublicKeys()
	if err != nil {
		return err
	}
	if !*all {
		vks = vks[len(vks)-1:]
	}
	for _, vk := range vks {
		fmt.Fprintln(e.stdout, vk)
	}
	return nil
}

// openLogKeysOnly gives a Log whose key methods work without a database.
func openLogKeysOnly(st storage) (*auditlog.Log, error) {
	ring, err := st.openKeys()
	if err != nil {
		return nil, err
	}
	return auditlog.NewKeysOnly(ring, auditlog.Options{}), nil
}

func runLogVerify(ctx context.Context, e *env) error {
	fs := newFlagSet(e, "log verify", `acd log verify [--data-dir DIR | --db URL] [--pubkey KEY] [--since FILE] [--save FILE]
       acd log verify --server URL --pubkey KEY [--since FILE] [--save FILE]
       acd log verify ... --witness-key VKEY [--witness-key VKEY ...]

Recomputes the audit log's Merkle tree, checks every checkpoint's signature
and root, finds missing, altered, reordered and truncated entries and names
the first bad index. Against a database with the audit key (in the data
dir), it also checks the latest entry of every record against the data and
finds records with no entry. Against a server it needs an API token of an
auditing role (env ACD_TOKEN).

Keep the checkpoint of each run (--save) and pass it to the next (--since):
the log must still contain exactly that tree, which also catches a tail cut
off together with its checkpoints by someone who can rewrite the database.

With --witness-key (repeatable), the newest checkpoint carrying witness
cosignatures must carry a valid cosignature by each given key (the
commission's witness, docs/witness.md), and the log is verified against it
too: a history shown to the witness is the one verified here.

Exit 0 when intact, 1 when not (or on failure), 2 on bad usage, 3 when a
required witness cosignature is missing.`)
	var st storage
	st.register(fs, e)
	pubkey := fs.String("pubkey", "", "checkpoint verifier key(s) (name+hash+key), or @FILE with one per line; default: the data dir's own keys")
	server := fs.String("server", "", "verify a running server's log through its API at this base URL")
	token := fs.String("token", e.getenv("ACD_TOKEN"), "API token for --server (prefer env ACD_TOKEN: flags show in ps)")
	since := fs.String("since", "", "a checkpoint saved by an earlier run (--save) that the log must still contain")
	save := fs.String("save", "", "save the newest verified checkpoint to this file")
	var witnessKeys []string
	fs.Func("witness-key", "require a cosignature by this witness verifier key (name+hash+key, as acd witness keygen prints it); repeatable", func(k string) error {
		witnessKeys = append(witnessKeys, k)
		return nil
	})
	if err := parse(fs, e.args, st.check); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usagef("unexpected arguments %q", fs.Args())
	}
	witnesses, err := witness.NewVerifiers(witnessKeys...)
	if err != nil {
		return usagef("--witness-key: %v", err)
	}
	logger := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

	var opts auditlog.VerifyOptions
	if isTerminal(e.stderr) {
		opts.Progress = func(done, total int64) {
			fmt.Fprintf(e.stderr, "\rverifying: %d / %d entries", done, total)
		}
	}
	if *since != "" {
		b, err := os.ReadFile(*since)
		if err != nil {
			return usagef("--since: %v", err)
		}
		opts.Trusted = b
	}
	if *pubkey != "" {
		vs, err := parseVerifiers(*pubkey)
		if err != nil {
			return usagef("--pubkey: %v", err)
		}
		opts.Verifiers = vs
	}

	var src auditlog.Source
	// cosigned fetches the newest cosigned checkpoint, for --witness-key.
	var cosigned func() ([]byte, error)
	if *server != "" {
		if *pubkey == "" {
			return usagef("--server needs --pubkey (the key printed by `acd log pubkey` on the server)")
		}
		hs := &logapi.HTTPSource{Base: *server, Token: *token}
		src = hs
		cosigned = func() ([]byte, error) { return hs.CosignedCheckpoint(ctx) }
	} else {
		// Verification never creates anything: a wrong path is an error,
		// not an empty log that verifies.
		if !store.IsPostgresURL(st.dsn()) {
			if _, err := os.Stat(st.dsn()); err != nil {
				return usagef("no database at %s: %v", st.dsn(), err)
			}
		}
		ring, err := keys.Load(filepath.Join(st.dataDir, "keys"))
		if err != nil {
			return usagef("%v (the audit key is needed to check entries against the data)", err)
		}
		db, err := st.openDB(ctx, logger)
		if err != nil {
			return err
		}
		defer db.Close()
		l, err := auditlog.New(ctx, db, ring, auditlog.Options{Logger: logger})
		if err != nil {
			return err
		}
		registerResolvers(l)
		if opts.Verifiers == nil {
			if opts.Verifiers, err = l.Verifiers(); err != nil {
				return err
			}
			fmt.Fprintln(e.stderr, "note: checkpoint signatures checked with the data dir's own key; for an independent check pass --pubkey from a published copy and --since a checkpoint saved earlier")
		}
		opts.Keys, opts.Resolvers, opts.Listers = ring, l.Resolvers(), l.Listers()
		src = auditlog.DBSource(db)
		cosigned = func() ([]byte, error) {
			cp, err := l.LatestCosigned(ctx)
			if err != nil || cp == nil {
				return nil, cmp.Or(err, logapi.ErrNoCosigned)
			}
			return cp.Note, nil
		}
	}
	var witnessed []cosignedBy
	if len(witnesses) > 0 {
		msg, err := cosigned()
		if errors.Is(err, logapi.ErrNoCosigned) {
			return refused(fmt.Errorf("no checkpoint of the log is cosigned by a witness, but --witness-key requires it"))
		}
		if err != nil {
			return err
		}
		if witnessed, err = checkCosignatures(msg, opts.Verifiers, witnesses); err != nil {
			return err
		}
		// The cosigned checkpoint is checked against the tree like every
		// other: its log signature and its root.
		src = extraCheckpoint{src, msg}
	}
	rep, err := auditlog.Verify(ctx, src, opts)
	if opts.Progress != nil {
		fmt.Fprintln(e.stderr)
	}
	if err != nil {
		return verifyFailed(err)
	}
	for _, w := range witnessed {
		fmt.Fprintf(e.stdout, "checkpoint at size %d cosigned by witness %s at %s\n", w.size, w.key, w.time.Format(time.RFC3339))
	}
	if *save != "" && rep.Note != nil {
		if err := os.WriteFile(*save, rep.Note, 0o644); err != nil {
			return err
		}
	}
	printReport(e, rep)
	return nil
}

func verifyFailed(err error) error {
	var ve *auditlog.VerifyError
	if errors.As(err, &ve) {
		return fmt.Errorf("audit log NOT intact: %w", err)
	}
	return err
}

func printReport(e *env, rep *auditlog.Report) {
	fmt.Fprintf(e.stdout, "audit log intact: %d entries, %d checkpoints, newest checkpoint size %d root %s\n",
		rep.Entries, rep.Checkpoints, rep.Checkpointed, rep.Root)
	if rep.TrustedSize > 0 {
		fmt.Fprintf(e.stdout, "contains the saved checkpoint of size %d\n", rep.TrustedSize)
	}
	if rep.Entries > rep.Checkpointed {
		fmt.Fprintf(e.stdout, "%d entries after the newest checkpoint are chained but not yet signed\n", rep.Entries-rep.Checkpointed)
	}
	if rep.RecordsChecked > 0 || len(rep.Unchecked) > 0 {
		fmt.Fprintf(e.stdout, "%d records match their latest entries", rep.RecordsChecked)
		if len(rep.Unchecked) > 0 {
			fmt.Fprintf(e.stdout, " (not checkable against data: %s)", strings.Join(rep.Unchecked, ", "))
		}
		fmt.Fprintln(e.stdout)
	}
}

// parseVerifiers reads note verifier keys from s, or from the file @s.
func parseVerifiers(s string) (note.Verifiers, error) {
	if name, ok := strings.CutPrefix(s, "@"); ok {
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		s = string(b)
	}
	var vs []note.Verifier
	for _, line := range strings.Fields(s) {
		v, err := note.NewVerifier(line)
		if err != nil {
			return nil, fmt.Errorf("key %q: %w", line, err)
		}
		vs = append(vs, v)
	}
	if len(vs) == 0 {
		return nil, errors.New("no key given")
	}
	return note.VerifierList(vs...), nil
}

func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// registerResolvers lets `acd log verify` check entries against the records
// of every capability that audits.
func registerResolvers(l *auditlog.Log) {
	auth.RegisterResolvers(l)
	deadline.RegisterResolvers(l)
	inspection.RegisterResolvers(l)
	annualreport.RegisterResolvers(l)
	blocklist.RegisterResolvers(l)
	measures.RegisterResolvers(l)
	taxii.RegisterResolvers(l)
	sharing.RegisterResolvers(l)
	vendors.RegisterResolvers(l)
}

// cosignedBy is a verified witness cosignature.
type cosignedBy struct {
	key  string // name+hash
	size int64
	time time.Time
}

// checkCosignatures checks that msg, a checkpoint note signed by the log
// (logKeys), carries a valid cosignature by each of witnesses. A missing or
// bad cosignature is refused (exit 3); a checkpoint the log did not sign is
// a log that is not intact (exit 1).
func checkCosignatures(msg []byte, logKeys note.Verifiers, witnesses []note.Verifier) ([]cosignedBy, error) {
	cp, err := auditlog.ParseCheckpoint(msg, logKeys)
	if err != nil {
		return nil, fmt.Errorf("audit log NOT intact: the newest cosigned checkpoint: %w", err)
	}
	var out []cosignedBy
	for _, v := range witnesses {
		key := fmt.Sprintf("%s+%08x", v.Name(), v.KeyHash())
		n, err := note.Open(msg, note.VerifierList(v))
		var unverified *note.UnverifiedNoteError
		switch {
		case errors.As(err, &unverified):
			return nil, refused(fmt.Errorf("the newest cosigned checkpoint (size %d) carries no cosignature by witness %s", cp.Size, key))
		case err != nil:
			return nil, refused(fmt.Errorf("the newest cosigned checkpoint (size %d): witness %s: %w", cp.Size, key, err))
		}
		t, err := auditlog.CosignatureTime(n.Sigs[0])
		if err != nil {
			return nil, refused(err)
		}
		out = append(out, cosignedBy{key: key, size: cp.Size, time: t})
	}
	return out, nil
}

// extraCheckpoint adds one checkpoint note to a source's, so that Verify
// checks the tree against it too.
type extraCheckpoint struct {
	auditlog.Source
	note []byte
}

func (s extraCheckpoint) Checkpoints(ctx context.Context) ([][]byte, error) {
	cps, err := s.Source.Checkpoints(ctx)
	if err != nil {
		return nil, err
	}
	return append(cps, s.note), nil
}
