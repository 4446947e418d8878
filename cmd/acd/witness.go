package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/auditlog/logapi"
	"github.com/acd-platform/acd/internal/witness"
)

func runWitness(ctx context.Context, e *env) error {
	return subcommand(ctx, e, "witness", map[string]func(context.Context, *env) error{
		"keygen": runWitnessKeygen,
		"run":    runWitnessRun,
	})
}

func runWitnessKeygen(ctx context.Context, e *env) error {
	fs := newFlagSet(e, "witness keygen", `acd witness keygen --name NAME --out FILE

Makes the commission's witness key: an Ed25519 key pair. The private key is
written to FILE (mode 0600; an existing file is never overwritten) and stays
on the commission's machine. The public key, printed in cosignature/v1
verifier-key form (name+hash+key), goes to the server operator
(acd serve --witness-key) and to everyone who verifies the log
(acd log verify --witness-key). NAME should be a schema-less URL naming the
witness, such as commission.example.go.jp/witness.`)
	name := fs.String("name", "", "the witness key's name (no spaces or '+')")
	out := fs.String("out", "", "file to write the private key to")
	if err := parse(fs, e.args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usagef("unexpected arguments %q", fs.Args())
	}
	if *name == "" || *out == "" {
		return usagef("--name and --out are required")
	}
	skey, vkey, err := witness.GenerateKey(nil, *name)
	if err != nil {
		return usagef("%v", err)
	}
	f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return usagef("%s exists: a witness key is never overwritten (move it away first)", *out)
	}
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintln(f, skey); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, vkey)
	return nil
}

func runWitnessRun(ctx context.Context, e *env) error {
	fs := newFlagSet(e, "witness run", `acd witness run --server URL --log-key VKEY --key FILE --state FILE [--token-file FILE] [--interval 1m] [--once]

Witnesses the audit log of the ACD server at URL, on the commission's own
machine. Each round it fetches the newest signed checkpoint, checks the log's
signature (--log-key, as `+"`acd log pubkey`"+` prints it on the server) and
compares it with the last checkpoint it verified, kept in --state: a smaller
size (rollback), the same size with another root (fork) or a larger size
without a valid consistency proof (rewrite) is refused, the state is left
as it was, and the command exits 3. Otherwise it records the checkpoint and
posts its cosignature (C2SP tlog-cosignature) to the server, which serves it
with the checkpoint. The first run trusts the checkpoint it finds; keep the
state file (back it up) from then on.

Posting needs the API token of a commission member or the chair (--token-file,
or env ACD_TOKEN). Transient failures are retried at the next round; with
--once the command does one round and exits 1 on them.

Exit codes: 0 ok (or stopped by a signal), 1 runtime failure, 2 usage,
3 the log was refused (fork, rollback, rewrite, bad signature).`)
	server := fs.String("server", "", "base URL of the ACD server, e.g. https://acd.example.go.jp")
	logKey := fs.String("log-key", "", "the log's checkpoint verifier key (name+hash+key), or @FILE")
	keyFile := fs.String("key", "", "the witness's private key file (acd witness keygen)")
	state := fs.String("state", "", "state file: the last checkpoint the witness verified (created on first use)")
	tokenFile := fs.String("token-file", "", "file holding the API token of a commission member (default: env ACD_TOKEN)")
	interval := fs.Duration("interval", time.Minute, "time between rounds")
	once := fs.Bool("once", false, "do one round and exit")
	if err := parse(fs, e.args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usagef("unexpected arguments %q", fs.Args())
	}
	if *server == "" || *logKey == "" || *keyFile == "" || *state == "" {
		return usagef("--server, --log-key, --key and --state are required")
	}
	if *interval < time.Second {
		return usagef("--interval %v: at least 1s", *interval)
	}
	if err := checkLogServer(*server); err != nil {
		return usagef("--server: %v", err)
	}
	lk, err := readKeyArg(*logKey)
	if err != nil {
		return usagef("--log-key: %v", err)
	}
	skey, err := os.ReadFile(*keyFile)
	if err != nil {
		return usagef("--key: %v", err)
	}
	token := e.getenv("ACD_TOKEN")
	if *tokenFile != "" {
		b, err := os.ReadFile(*tokenFile)
		if err != nil {
			return usagef("--token-file: %v", err)
		}
		token = strings.TrimSpace(string(b))
	}
	if token == "" {
		return usagef("no API token: --token-file or env ACD_TOKEN (a commission member's)")
	}
	logger := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	// Bounded requests: a server that stops answering must not hang a
	// round forever.
	src := &logapi.HTTPSource{Base: *server, Token: token, Client: &http.Client{Timeout: 30 * time.Second}}
	w, err := witness.New(src, witness.Config{LogKey: lk, Key: string(skey), StatePath: *state, Logger: logger})
	if err != nil {
		return usagef("%v", err)
	}
	report := func(r *witness.Result) { printWitnessResult(e, r) }
	if *once {
		r, err := w.Step(ctx)
		if err != nil {
			return witnessFailed(err)
		}
		report(r)
		return nil
	}
	return witnessFailed(w.Run(ctx, *interval, report))
}

// witnessFailed makes a refusal of the log exit 3.
func witnessFailed(err error) error {
	if errors.Is(err, witness.ErrRefused) {
		return refused(fmt.Errorf("ALERT: %w", err))
	}
	return err
}

func printWitnessResult(e *env, r *witness.Result) {
	switch {
	case r.FirstUse:
		fmt.Fprintf(e.stdout, "first use: trusting checkpoint at size %d root %s\n", r.Size, r.Root)
	case r.Size > r.Previous:
		fmt.Fprintf(e.stdout, "verified checkpoint at size %d root %s: consistent with size %d\n", r.Size, r.Root, r.Previous)
	default:
		fmt.Fprintf(e.stdout, "checkpoint unchanged at size %d root %s\n", r.Size, r.Root)
	}
	if r.Cosigned {
		fmt.Fprintf(e.stdout, "cosigned checkpoint at size %d\n", r.Size)
	} else if r.NotCosigned != "" {
		fmt.Fprintf(e.stdout, "not cosigned: %s\n", r.NotCosigned)
	}
}

// readKeyArg returns a key given as itself or as @FILE (its first field).
func readKeyArg(s string) (string, error) {
	name, ok := strings.CutPrefix(s, "@")
	if !ok {
		return strings.TrimSpace(s), nil
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return "", err
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "", fmt.Errorf("%s: no key in it", name)
	}
	return f[0], nil
}

// checkLogServer checks that s is an http(s) base URL with a host.
func checkLogServer(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q: want an http:// or https:// URL with a host", s)
	}
	return nil
}
