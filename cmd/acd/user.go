package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/acd-platform/acd/internal/auth"
)

func runUser(ctx context.Context, e *env) error {
	return subcommand(ctx, e, "user", map[string]func(context.Context, *env) error{
		"add":     runUserAdd,
		"list":    runUserList,
		"disable": runUserDisable,
		"confirm": runUserConfirm,
	})
}

func runUserAdd(ctx context.Context, e *env) error {
	fs := newFlagSet(e, "user add", `acd user add --username NAME --org ORG --role ROLE[,ROLE] [flags]

Creates an account. When no account has ever held the admin role, the first
account with the admin role is created directly (bootstrap); the admin role
goes with no other role. Until a second account has held the admin role,
privileged roles (commission, officer, commander, admin) are pending until a
second admin confirms them: in the web UI, or for the second admin with 'acd
user confirm'. After that the command line gives only non-privileged roles:
privileged roles are requested by a web admin and confirmed by another
(refused, exit 3). Disabling admins does not change this; recovering from
the loss of every admin is out of scope. The password is read from standard
input with --password-stdin, or generated and printed once.`)
	var st storage
	st.register(fs, e)
	username := fs.String("username", "", "user name (a-z, 0-9, '.', '_', '-')")
	display := fs.String("display-name", "", "display name (default: the user name)")
	email := fs.String("email", "", "e-mail address for notices")
	org := fs.String("org", "", "organisation id or exact English name (optional for the bootstrap admin)")
	roles := fs.String("role", "", "comma-separated roles: "+rolesList())
	pwStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	if err := parse(fs, e.args, st.check); err != nil {
		return err
	}
	if *username == "" || *roles == "" {
		return usagef("--username and --role are required")
	}
	var rs []auth.Role
	for _, r := range strings.Split(*roles, ",") {
		r = strings.TrimSpace(r)
		if !auth.Role(r).Valid() {
			return usagef("--role: unknown role %q (want %s)", r, rolesList())
		}
		rs = append(rs, auth.Role(r))
	}
	pw, generated, err := readPassword(e, *pwStdin)
	if err != nil {
		return err
	}
	a, err := st.openAccounts(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	orgID := ""
	if *org != "" {
		o, err := a.auth.Org(ctx, *org)
		if errors.Is(err, auth.ErrNotFound) {
			o, err = a.auth.OrgByName(ctx, *org)
		}
		if err != nil {
			return usagef("--org %q: %v", *org, err)
		}
		orgID = o.ID
	}
	if *display == "" {
		*display = *username
	}
	n := auth.NewUser{Username: *username, DisplayName: *display, Email: *email, OrgID: orgID, Roles: rs, Password: pw}
	var u auth.User
	var grants []auth.Grant
	hasAdminRole := false
	for _, r := range rs {
		hasAdminRole = hasAdminRole || r == auth.RoleAdmin
	}
	if hasAdminRole {
		u, err = a.auth.Bootstrap(ctx, n)
		if errors.Is(err, auth.ErrBootstrapDone) {
			err = nil
			if orgID == "" {
				return usagef("--org is required once an admin exists")
			}
			u, grants, err = a.auth.CreateUser(ctx, auth.CLI("user-add"), n)
		}
	} else {
		if orgID == "" {
			return usagef("--org is required")
		}
		u, grants, err = a.auth.CreateUser(ctx, auth.CLI("user-add"), n)
	}
	if err != nil {
		return inputOr(err)
	}
	fmt.Fprintf(e.stdout, "created user %s (%s), active roles: %v\n", u.Username, u.ID, u.Roles)
	for _, g := range grants {
		if g.State == auth.GrantPending {
			fmt.Fprintf(e.stdout, "pending grant %s: role %s awaits a second admin's confirmation\n", g.ID, g.Role)
		}
	}
	if generated {
		fmt.Fprintf(e.stdout, "password (shown once): %s\n", pw)
	}
	return nil
}

func runUserList(ctx context.Context, e *env) error {
	fs := newFlagSet(e, "user list", "acd user list [flags]\n\nLists accounts and pending grants.")
	var st storage
	st.register(fs, e)
	if err := parse(fs, e.args, st.check); err != nil {
		return err
	}
	a, err := st.openAccounts(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	us, err := a.auth.Users(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tUSERNAME\tORG\tROLES\tTOTP\tSTATE")
	for _, u := range us {
		state := "enabled"
		if u.Disabled {
			state = "disabled"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%v\t%s\n", u.ID, u.Username, u.OrgID, joinRoles(u.Roles), u.TOTPEnrolled, state)
	}
	tw.Flush()
	gs, err := a.auth.PendingGrants(ctx)
	if err != nil {
		return err
	}
	for _, g := range gs {
		fmt.Fprintf(e.stdout, "pending grant %s: %s for %s, requested by %s\n", g.ID, g.Role, g.UserID, g.RequestedBy)
	}
	return nil
}

func runUserDisable(ctx context.Context, e *env) error {
	fs := newFlagSet(e, "user disable", "acd user disable [flags] USERNAME\n\nDisables an account and revokes its sessions and API tokens at once.")
	var st storage
	st.register(fs, e)
	if err := parse(fs, e.args, st.check); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("want one USERNAME")
	}
	a, err := st.openAccounts(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.auth.UserByUsername(ctx, fs.Arg(0))
	if err != nil {
		return inputOr(err)
	}
	if err := a.auth.DisableUser(ctx, auth.CLI("user-disable"), u.ID); err != nil {
		return inputOr(err)
	}
	fmt.Fprintf(e.stdout, "disabled %s; its sessions and tokens are revoked\n", u.Username)
	return nil
}

func runUserConfirm(ctx context.Context, e *env) error {
	fs := newFlagSet(e, "user confirm", `acd user confirm [flags] GRANT_ID

Confirms a pending grant of the admin role, only while fewer than two
accounts have ever held the admin role (to put the second admin in place
after the bootstrap); other roles, and every grant after that, are confirmed
by a second web admin (refused, exit 3). The command line counts as one
admin: it cannot confirm what it requested itself. When the user has no
activated TOTP secret, a fresh one is issued and printed once, to hand to
the user in person.`)
	var st storage
	st.register(fs, e)
	if err := parse(fs, e.args, st.check); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("want one GRANT_ID")
	}
	a, err := st.openAccounts(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	g, enr, err := a.auth.ConfirmGrant(ctx, auth.CLI("user-confirm"), fs.Arg(0))
	if err != nil {
		return inputOr(err)
	}
	fmt.Fprintf(e.stdout, "confirmed grant %s: %s now holds %s\n", g.ID, g.UserID, g.Role)
	if enr != nil {
		fmt.Fprintf(e.stdout, "TOTP secret issued to the user (shown once; hand it to the user in person, not to the admin who requested the grant;\nthe user's first code at login activates it):\n  secret: %s\n  otpauth URL: %s\n", enr.Secret, enr.URL)
	}
	return nil
}

// inputOr maps the account service's input and policy errors to exit codes.
func inputOr(err error) error {
	switch {
	case errors.Is(err, auth.ErrInvalid), errors.Is(err, auth.ErrNotFound), errors.Is(err, auth.ErrExists):
		return &exitError{exitUsage, err}
	case errors.Is(err, auth.ErrSameAdmin), errors.Is(err, auth.ErrForbidden), errors.Is(err, auth.ErrDisableSelf):
		return refused(err)
	}
	return err
}

func readPassword(e *env, fromStdin bool) (pw string, generated bool, err error) {
	if fromStdin {
		line, err := bufio.NewReader(e.stdin).ReadString('\n')
		if err != nil && line == "" {
			return "", false, usagef("--password-stdin: no password on standard input")
		}
		return strings.TrimRight(line, "\r\n"), false, nil
	}
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		return "", false, err
	}
	return base64.RawURLEncoding.EncodeToString(b), true, nil
}

func rolesList() string { return joinRoles(auth.AllRoles) }

func joinRoles(rs []auth.Role) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, ",")
}
