package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/acd-platform/acd/internal/auth"
)

func runToken(ctx context.Context, e *env) error {
	return subcommand(ctx, e, "token", map[string]func(context.Context, *env) error{
		"create": runTokenCreate,
		"revoke": runTokenRevoke,
		"list":   runTokenList,
	})
}

func runTokenCreate(ctx context.Context, e *env) error {
	fs := newFlagSet(e, "token create", `acd token create --user USERNAME --name NAME [--ttl 90d]

Creates an API token bound to the user; it is printed once and stored only
hashed. Until a second account has held the admin role (the bootstrap) the
token may be for any user and acts with the user's privileged roles. After
that a token for a user holding a privileged role is refused (exit 3): the
user makes it from a web session that passed TOTP. Tokens for other users
never act with a privileged role granted later.`)
	var st storage
	st.register(fs, e)
	user := fs.String("user", "", "user name the token acts for")
	name := fs.String("name", "", "what the token is for, e.g. the submitting system")
	ttl := fs.String("ttl", "90d", "lifetime: a Go duration (e.g. 720h) or days (e.g. 90d); at most 365d")
	if err := parse(fs, e.args, st.check); err != nil {
		return err
	}
	if *user == "" || *name == "" {
		return usagef("--user and --name are required")
	}
	d, err := parseTTL(*ttl)
	if err != nil {
		return usagef("--ttl: %v", err)
	}
	a, err := st.openAccounts(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.auth.UserByUsername(ctx, *user)
	if err != nil {
		return inputOr(err)
	}
	raw, t, err := a.auth.CreateToken(ctx, auth.CLI("token-create"), u.ID, *name, d)
	if err != nil {
		return inputOr(err)
	}
	fmt.Fprintf(e.stderr, "token %s for %s, expires %s (shown once):\n", t.ID, u.Username, t.ExpiresAt.UTC().Format(time.RFC3339))
	fmt.Fprintln(e.stdout, raw)
	return nil
}

func runTokenRevoke(ctx context.Context, e *env) error {
	fs := newFlagSet(e, "token revoke", "acd token revoke [flags] TOKEN_ID")
	var st storage
	st.register(fs, e)
	if err := parse(fs, e.args, st.check); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("want one TOKEN_ID")
	}
	a, err := st.openAccounts(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.auth.RevokeToken(ctx, auth.CLI("token-revoke"), fs.Arg(0)); err != nil {
		return inputOr(err)
	}
	fmt.Fprintf(e.stdout, "revoked %s\n", fs.Arg(0))
	return nil
}

func runTokenList(ctx context.Context, e *env) error {
	fs := newFlagSet(e, "token list", "acd token list --user USERNAME")
	var st storage
	st.register(fs, e)
	user := fs.String("user", "", "user name")
	if err := parse(fs, e.args, st.check); err != nil {
		return err
	}
	if *user == "" {
		return usagef("--user is required")
	}
	a, err := st.openAccounts(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.auth.UserByUsername(ctx, *user)
	if err != nil {
		return inputOr(err)
	}
	ts, err := a.auth.Tokens(ctx, u.ID)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tCREATED\tEXPIRES\tSTATE")
	now := time.Now()
	for _, t := range ts {
		state := "active"
		if !t.Active(now) {
			state = "inactive"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, t.CreatedAt.UTC().Format(time.RFC3339), t.ExpiresAt.UTC().Format(time.RFC3339), state)
	}
	return tw.Flush()
}

// parseTTL reads "90d" or a Go duration.
func parseTTL(s string) (time.Duration, error) {
	var days int
	if n, err := fmt.Sscanf(s, "%dd", &days); err == nil && n == 1 && fmt.Sprintf("%dd", days) == s {
		if days < 1 {
			return 0, fmt.Errorf("%q: want at least 1d", s)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q: want e.g. 90d or 720h", s)
	}
	if d <= 0 {
		return 0, fmt.Errorf("%q: want a positive duration", s)
	}
	return d, nil
}
