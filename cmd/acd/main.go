// Command acd runs ACD, the platform of a national Active Cyber Defense
// system: the server (acd serve) and its tools.
//
// Exit codes: 0 success, 1 runtime failure, 2 usage or invalid input,
// 3 refused by law or policy.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

// Exit codes of every acd command (DESIGN.md).
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
	exitRefused = 3
)

// exitError carries an exit code with an error.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usagef reports bad usage or invalid input (exit 2).
func usagef(format string, args ...any) error {
	return &exitError{exitUsage, fmt.Errorf(format, args...)}
}

// refused reports an action refused by law or policy (exit 3).
func refused(err error) error { return &exitError{exitRefused, err} }

// env is what a subcommand gets from main: arguments, streams and the
// environment, so that tests can run commands in-process.
type env struct {
	args   []string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
}

type command struct {
	summary string
	run     func(ctx context.Context, e *env) error
}

func commands() map[string]command {
	return map[string]command{
		"serve":   {"run the server (API, web UI, background jobs)", runServe},
		"select":  {"screen traffic against approved criteria; keep only mechanical information", runSelect},
		"log":     {"verify the audit log or print its public key (log verify|pubkey)", runLog},
		"witness": {"the commission's log witness: verify and cosign checkpoints (witness keygen|run)", runWitness},
		"user":    {"manage user accounts (user add|list|disable|confirm)", runUser},
		"token":   {"create or revoke API tokens (token create|revoke|list)", runToken},
		"keys":    {"list or rotate keys (keys list|rotate PURPOSE)", runKeys},
		"version": {"print the version", runVersion},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first signal starts a graceful stop, a second one
		// ends the process at once.
		<-ctx.Done()
		stop()
	}()
	code := run(ctx, &env{args: os.Args[1:], stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv})
	stop()
	os.Exit(code)
}

// run dispatches to a subcommand and turns its error into an exit code.
func run(ctx context.Context, e *env) int {
	cmds := commands()
	if len(e.args) == 0 || e.args[0] == "-h" || e.args[0] == "--help" || e.args[0] == "help" {
		usage(e.stderr, cmds)
		if len(e.args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	c, ok := cmds[e.args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "acd: unknown command %q\n\n", e.args[0])
		usage(e.stderr, cmds)
		return exitUsage
	}
	sub := *e
	sub.args = e.args[1:]
	err := c.run(ctx, &sub)
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	fmt.Fprintf(e.stderr, "acd %s: %v\n", e.args[0], err)
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return exitFailure
}

func usage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "usage: acd <command> [flags]\n\ncommands:")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'acd <command> --help' for its flags.\nExit codes: 0 success, 1 failure, 2 usage or invalid input, 3 refused by law or policy.")
}

// newFlagSet returns a flag set that reports errors instead of exiting and
// writes its help to e.stderr.
func newFlagSet(e *env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: %s\n\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args, turning flag errors into usage errors (exit 2) and
// leaving --help as flag.ErrHelp (exit 0). checks run after parsing, such
// as storage.check.
func parse(fs *flag.FlagSet, args []string, checks ...func() error) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &exitError{exitUsage, err}
	}
	for _, c := range checks {
		if err := c(); err != nil {
			return err
		}
	}
	return nil
}

// subcommand dispatches "acd X sub ..." to one of subs.
func subcommand(ctx context.Context, e *env, group string, subs map[string]func(context.Context, *env) error) error {
	names := make([]string, 0, len(subs))
	for n := range subs {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(e.args) == 0 || e.args[0] == "-h" || e.args[0] == "--help" {
		fmt.Fprintf(e.stderr, "usage: acd %s %s [flags]\n", group, strings.Join(names, "|"))
		if len(e.args) == 0 {
			return usagef("missing subcommand")
		}
		return flag.ErrHelp
	}
	f, ok := subs[e.args[0]]
	if !ok {
		return usagef("unknown subcommand %q (want %s)", e.args[0], strings.Join(names, ", "))
	}
	sub := *e
	sub.args = e.args[1:]
	return f(ctx, &sub)
}
