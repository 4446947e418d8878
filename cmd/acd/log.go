package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/term"

	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/auditlog/logapi"
	"github.com/acd-platform/acd/internal/auth"
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
	if err := parse(fs, e.args); err != nil {
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
	fs := newFlagSet(e, "log verify", `acd log verify [--data-dir DIR | --db URL] [--pubkey KEY]
       acd log verify --server URL --pubkey KEY [--token TOKEN] [--since FILE] [--save FILE]

Recomputes the audit log's Merkle tree, checks every checkpoint's signature
and root, finds missing, altered, reordered and truncated entries and names
the first bad index. Against a database with the audit key (in the data
dir), it also checks the latest entry of every record against the data.
Against a server it needs an API token of an auditing role (env ACD_TOKEN);
--since checks that the server's checkpoint extends one saved earlier.
Exit 0 when intact, 1 when not (or on failure), 2 on bad usage.`)
	var st storage
	st.register(fs, e)
	pubkey := fs.String("pubkey", "", "checkpoint verifier key(s) (name+hash+key), or @FILE with one per line; default: the data dir's own keys")
	server := fs.String("server", "", "verify a running server's log through its API at this base URL")
	token := fs.String("token", e.getenv("ACD_TOKEN"), "API token for --server (env ACD_TOKEN)")
	since := fs.String("since", "", "with --server: a checkpoint saved earlier that the current one must extend")
	save := fs.String("save", "", "with --server: save the verified checkpoint to this file")
	if err := parse(fs, e.args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usagef("unexpected arguments %q", fs.Args())
	}
	logger := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

	var opts auditlog.VerifyOptions
	if isTerminal(e.stderr) {
		opts.Progress = func(done, total int64) {
			fmt.Fprintf(e.stderr, "\rverifying: %d / %d entries", done, total)
		}
	}
	var src auditlog.Source
	if *server != "" {
		if *pubkey == "" {
			return usagef("--server needs --pubkey (the key printed by `acd log pubkey` on the server)")
		}
		vs, err := parseVerifiers(*pubkey)
		if err != nil {
			return usagef("--pubkey: %v", err)
		}
		opts.Verifiers = vs
		hs := &logapi.HTTPSource{Base: *server, Token: *token}
		src = hs
		rep, err := auditlog.Verify(ctx, src, opts)
		if opts.Progress != nil {
			fmt.Fprintln(e.stderr)
		}
		if err != nil {
			return verifyFailed(err)
		}
		notes, err := hs.Checkpoints(ctx)
		if err != nil {
			return err
		}
		cur, err := auditlog.ParseCheckpoint(notes[0], vs)
		if err != nil {
			return verifyFailed(err)
		}
		if *since != "" {
			b, err := os.ReadFile(*since)
			if err != nil {
				return usagef("--since: %v", err)
			}
			old, err := auditlog.ParseCheckpoint(b, vs)
			if err != nil {
				return verifyFailed(fmt.Errorf("--since %s: %w", *since, err))
			}
			if err := hs.CheckConsistency(ctx, old, cur); err != nil {
				return verifyFailed(err)
			}
			fmt.Fprintf(e.stdout, "consistent with the checkpoint of size %d in %s\n", old.Size, *since)
		}
		if *save != "" {
			if err := os.WriteFile(*save, cur.Note, 0o644); err != nil {
				return err
			}
		}
		printReport(e, rep)
		return nil
	}

	db, err := st.openDB(ctx, logger)
	if err != nil {
		return err
	}
	defer db.Close()
	ring, err := st.openKeys()
	if err != nil {
		return err
	}
	l, err := auditlog.New(ctx, db, ring, auditlog.Options{Logger: logger})
	if err != nil {
		return err
	}
	registerResolvers(l)
	if *pubkey != "" {
		opts.Verifiers, err = parseVerifiers(*pubkey)
		if err != nil {
			return usagef("--pubkey: %v", err)
		}
	} else if opts.Verifiers, err = l.Verifiers(); err != nil {
		return err
	}
	opts.Keys = ring
	opts.Resolvers = l.Resolvers()
	rep, err := auditlog.Verify(ctx, auditlog.DBSource(db), opts)
	if opts.Progress != nil {
		fmt.Fprintln(e.stderr)
	}
	if err != nil {
		return verifyFailed(err)
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
}
