package authapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pquerna/otp/totp"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/auth/authapi"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
)

func TestMe(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		u, tok := e.user(t, "op", auth.RoleOperator, auth.RoleVendor)

		var me authapi.Me
		e.call(t, "GET", "/api/v1/me", tok, "", http.StatusOK, &me)
		if me.User.ID != u.ID || me.Org.ID != e.org.ID {
			t.Errorf("me: user %q org %q, want %q %q", me.User.ID, me.Org.ID, u.ID, e.org.ID)
		}
		if diff := cmp.Diff([]auth.Role{auth.RoleOperator, auth.RoleVendor}, me.Roles); diff != "" {
			t.Errorf("me roles (-want +got):\n%s", diff)
		}
		// Times are RFC 3339 in UTC.
		_, body := e.do(t, "GET", "/api/v1/me", tok, "")
		var raw struct {
			User struct {
				CreatedAt string `json:"created_at"`
			} `json:"user"`
		}
		json.Unmarshal(body, &raw)
		if !strings.HasSuffix(raw.User.CreatedAt, "Z") {
			t.Errorf("created_at %q is not UTC", raw.User.CreatedAt)
		}

		if ae := e.fail(t, "GET", "/api/v1/me", "", "", http.StatusUnauthorized); ae.Error.Code != "unauthenticated" {
			t.Errorf("public /me: code %q, want unauthenticated", ae.Error.Code)
		}
	})
}

func TestCreateUser(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		adminUser, admin := e.user(t, "admin1", auth.RoleAdmin)

		// A non-privileged role is active at once.
		var created authapi.CreatedUser
		e.call(t, "POST", "/api/v1/users", admin, fmt.Sprintf(
			`{"username":"Vendor1","display_name":"Vendor One","email":"v1@example.jp","org_id":%q,"roles":["vendor"],"password":%q}`,
			e.org.ID, password), http.StatusCreated, &created)
		if created.User.Username != "vendor1" || !slices.Equal(created.User.Roles, []auth.Role{auth.RoleVendor}) {
			t.Errorf("created %q with roles %v, want vendor1 with [vendor]", created.User.Username, created.User.Roles)
		}
		if len(created.Grants) != 1 || created.Grants[0].State != auth.GrantActive {
			t.Errorf("grants %+v, want one active", created.Grants)
		}
		// The new account can sign in with its password.
		if _, err := e.srv.Auth.PasswordLogin(e.ctx, "vendor1", password, "192.0.2.1:1"); err != nil {
			t.Errorf("login as the new user: %v", err)
		}

		var list authapi.UserList
		e.call(t, "GET", "/api/v1/users", admin, "", http.StatusOK, &list)
		if !slices.ContainsFunc(list.Users, func(u auth.User) bool { return u.ID == created.User.ID }) {
			t.Errorf("GET /users lacks the new user")
		}
		var acct authapi.Account
		e.call(t, "GET", "/api/v1/users/"+created.User.ID, admin, "", http.StatusOK, &acct)
		if acct.User.ID != created.User.ID || len(acct.Grants) != 1 || len(acct.Tokens) != 0 {
			t.Errorf("account view %+v, want the user with one grant and no tokens", acct)
		}
		e.fail(t, "GET", "/api/v1/users/usr_nobody", admin, "", http.StatusNotFound)

		// The same username again is a conflict.
		ae := e.fail(t, "POST", "/api/v1/users", admin, fmt.Sprintf(
			`{"username":"vendor1","org_id":%q,"roles":["vendor"],"password":%q}`, e.org.ID, password), http.StatusConflict)
		if ae.Error.Code != "conflict" {
			t.Errorf("duplicate: code %q, want conflict", ae.Error.Code)
		}

		// The changes are the calling admin's.
		for _, action := range []string{"account.create", "account.grant"} {
			if got := e.auditCountBy(t, action, adminUser.ID); got != 1 {
				t.Errorf("%s entries by the admin: got %d, want 1", action, got)
			}
		}
		e.verifyLog(t)
	})
}

// TestSeparationOfDuties walks a privileged role through request and
// confirmation by a second admin.
func TestSeparationOfDuties(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		a1, admin1 := e.user(t, "admin1", auth.RoleAdmin)
		a2, admin2 := e.user(t, "admin2", auth.RoleAdmin)

		var created authapi.CreatedUser
		e.call(t, "POST", "/api/v1/users", admin1, fmt.Sprintf(
			`{"username":"officer1","org_id":%q,"roles":["officer"],"password":%q}`, e.org.ID, password),
			http.StatusCreated, &created)
		if len(created.User.Roles) != 0 {
			t.Errorf("officer1 roles %v at creation, want none active", created.User.Roles)
		}
		if len(created.Grants) != 1 || created.Grants[0].State != auth.GrantPending || created.Grants[0].Role != auth.RoleOfficer {
			t.Fatalf("grants %+v, want one pending officer grant", created.Grants)
		}
		grant := created.Grants[0]

		var pending authapi.GrantList
		e.call(t, "GET", "/api/v1/grants", admin2, "", http.StatusOK, &pending)
		if len(pending.Grants) != 1 || pending.Grants[0].ID != grant.ID {
			t.Errorf("GET /grants: %+v, want the pending grant %s", pending.Grants, grant.ID)
		}

		// The admin who requested it cannot confirm it.
		ae := e.fail(t, "POST", "/api/v1/grants/"+grant.ID+"/confirm", admin1, "", http.StatusForbidden)
		if ae.Error.Code != authapi.CodeSeparationOfDuties {
			t.Errorf("same admin: code %q, want %q", ae.Error.Code, authapi.CodeSeparationOfDuties)
		}
		// A second admin can, and receives officer1's TOTP secret, once.
		var confirmed authapi.ConfirmedGrant
		e.call(t, "POST", "/api/v1/grants/"+grant.ID+"/confirm", admin2, "", http.StatusOK, &confirmed)
		if confirmed.State != auth.GrantActive || confirmed.ID != grant.ID {
			t.Errorf("confirmed grant %+v, want %s active", confirmed.Grant, grant.ID)
		}
		if confirmed.TOTP == nil || confirmed.TOTP.Secret == "" || !strings.Contains(confirmed.TOTP.URL, "secret="+confirmed.TOTP.Secret) {
			t.Fatalf("confirmation: TOTP %+v, want the issued secret and its otpauth URL", confirmed.TOTP)
		}
		res, err := e.srv.Auth.PasswordLogin(e.ctx, "officer1", password, "")
		if err != nil || res.Challenge == nil || res.Challenge.Enrolment != nil {
			t.Fatalf("officer1 login: %+v, %v; want a challenge without enrolment", res, err)
		}
		code, _ := totp.GenerateCode(confirmed.TOTP.Secret, time.Now())
		if _, err := e.srv.Auth.CompleteTOTP(e.ctx, res.Challenge.Token, code, ""); err != nil {
			t.Errorf("officer1 login with the issued secret: %v", err)
		}
		var acct authapi.Account
		e.call(t, "GET", "/api/v1/users/"+created.User.ID, admin1, "", http.StatusOK, &acct)
		if !slices.Equal(acct.User.Roles, []auth.Role{auth.RoleOfficer}) {
			t.Errorf("officer1 roles %v after confirmation, want [officer]", acct.User.Roles)
		}
		// Confirming twice is not possible; an unknown grant is absent.
		e.fail(t, "POST", "/api/v1/grants/"+grant.ID+"/confirm", admin2, "", http.StatusBadRequest)
		e.fail(t, "POST", "/api/v1/grants/grt_nothing/confirm", admin2, "", http.StatusNotFound)

		// officer1 loses the phone. admin1 created the account (and chose
		// its password), so only admin2 may issue a new secret.
		ae = e.fail(t, "POST", "/api/v1/users/"+created.User.ID+"/totp", admin1, "", http.StatusForbidden)
		if ae.Error.Code != authapi.CodeSeparationOfDuties {
			t.Errorf("re-issue by the password's admin: code %q, want %q", ae.Error.Code, authapi.CodeSeparationOfDuties)
		}
		var issued authapi.IssuedTOTP
		e.call(t, "POST", "/api/v1/users/"+created.User.ID+"/totp", admin2, "", http.StatusOK, &issued)
		if issued.Secret == "" || issued.Secret == confirmed.TOTP.Secret {
			t.Errorf("re-issued secret %q, want a new one", issued.Secret)
		}

		// Roles for an existing account: vendor at once, commander pending.
		var made authapi.GrantList
		e.call(t, "POST", "/api/v1/users/"+created.User.ID+"/roles", admin1, `{"roles":["commander","vendor"]}`, http.StatusOK, &made)
		states := map[auth.Role]auth.GrantState{}
		for _, g := range made.Grants {
			states[g.Role] = g.State
		}
		if diff := cmp.Diff(map[auth.Role]auth.GrantState{auth.RoleCommander: auth.GrantPending, auth.RoleVendor: auth.GrantActive}, states); diff != "" {
			t.Errorf("requested roles (-want +got):\n%s", diff)
		}

		// Nobody requests roles for their own account; admin is exclusive.
		if ae := e.fail(t, "POST", "/api/v1/users/"+a1.ID+"/roles", admin1, `{"roles":["analyst"]}`, http.StatusForbidden); ae.Error.Code != authapi.CodeSeparationOfDuties {
			t.Errorf("own roles: code %q, want %q", ae.Error.Code, authapi.CodeSeparationOfDuties)
		}
		if ae := e.fail(t, "POST", "/api/v1/users/"+a1.ID+"/roles", admin2, `{"roles":["analyst"]}`, http.StatusBadRequest); ae.Error.Field != "roles" {
			t.Errorf("a role for an admin: field %q, want roles", ae.Error.Field)
		}

		// ?state= filters; all grants of the user; a bad state is refused.
		for _, c := range []struct {
			query string
			want  int
		}{
			{"", 1},               // pending: the commander grant
			{"?state=pending", 1}, // the same, explicitly
			{"?state=active", 4},  // two seeded admins, officer, vendor
			{"?state=all", 5},     // all of them
			{"?state=all&user_id=" + created.User.ID, 3}, // officer1's three
		} {
			var gl authapi.GrantList
			e.call(t, "GET", "/api/v1/grants"+c.query, admin1, "", http.StatusOK, &gl)
			if len(gl.Grants) != c.want {
				t.Errorf("GET /grants%s: %d grants, want %d", c.query, len(gl.Grants), c.want)
			}
		}
		if ae := e.fail(t, "GET", "/api/v1/grants?state=revoked", admin1, "", http.StatusBadRequest); ae.Error.Field != "state" {
			t.Errorf("bad state: field %q, want state", ae.Error.Field)
		}
		e.fail(t, "GET", "/api/v1/grants?user_id=usr_nobody", admin1, "", http.StatusNotFound)

		for _, c := range []struct {
			action, actor string
			want          int
		}{
			{"account.create", a1.ID, 1},
			{"account.grant_request", a1.ID, 2}, // officer, commander
			{"account.grant", a1.ID, 1},         // vendor
			{"account.grant_confirm", a2.ID, 1},
			{"account.grant_confirm", a1.ID, 0}, // refused
		} {
			if got := e.auditCountBy(t, c.action, c.actor); got != c.want {
				t.Errorf("%s entries by %s: got %d, want %d", c.action, c.actor, got, c.want)
			}
		}
		e.verifyLog(t)
	})
}

func TestDisable(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		admin, adminTok := e.user(t, "admin1", auth.RoleAdmin)
		op, opTok := e.user(t, "op", auth.RoleOperator)

		e.call(t, "GET", "/api/v1/me", opTok, "", http.StatusOK, nil)
		var u auth.User
		e.call(t, "POST", "/api/v1/users/"+op.ID+"/disable", adminTok, "", http.StatusOK, &u)
		if !u.Disabled {
			t.Errorf("disabled user reads back enabled")
		}
		// The user's token stops working at once.
		e.fail(t, "GET", "/api/v1/me", opTok, "", http.StatusUnauthorized)
		// Disabling again does nothing.
		e.call(t, "POST", "/api/v1/users/"+op.ID+"/disable", adminTok, "", http.StatusOK, nil)

		ae := e.fail(t, "POST", "/api/v1/users/"+admin.ID+"/disable", adminTok, "", http.StatusForbidden)
		if ae.Error.Code != authapi.CodeSeparationOfDuties {
			t.Errorf("disable self: code %q, want %q", ae.Error.Code, authapi.CodeSeparationOfDuties)
		}
		e.fail(t, "POST", "/api/v1/users/usr_nobody/disable", adminTok, "", http.StatusNotFound)
		// A disabled account gets no roles.
		e.fail(t, "POST", "/api/v1/users/"+op.ID+"/roles", adminTok, `{"roles":["vendor"]}`, http.StatusBadRequest)

		if got := e.auditCount(t, "account.disable"); got != 1 {
			t.Errorf("account.disable entries: got %d, want 1", got)
		}
		if got := e.auditCount(t, "token.revoke"); got != 1 {
			t.Errorf("token.revoke entries: got %d, want 1", got)
		}
		e.verifyLog(t)
	})
}

// TestBadRequests checks that input errors are 400s naming the JSON field.
func TestBadRequests(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		_, admin := e.user(t, "admin1", auth.RoleAdmin)
		op, _ := e.user(t, "op", auth.RoleOperator)
		newUser := func(fields string) string {
			return fmt.Sprintf(`{"username":"new1","org_id":%q,"roles":["vendor"],"password":%q%s}`, e.org.ID, password, fields)
		}
		for _, c := range []struct {
			name, method, path, body, field string
		}{
			// Decode refuses fields the body type lacks.
			{"unknown field", "POST", "/api/v1/users", newUser(`,"nickname":"x"`), "nickname"},
			// A role string not among auth.AllRoles, by index.
			{"wrong role", "POST", "/api/v1/users", strings.Replace(newUser(""), `"vendor"`, `"wizard"`, 1), "roles[0]"},
			{"second role wrong", "POST", "/api/v1/users", strings.Replace(newUser(""), `"vendor"`, `"vendor","Admin"`, 1), "roles[1]"},
			{"no roles", "POST", "/api/v1/users", strings.Replace(newUser(""), `"vendor"`, ``, 1), "roles"},
			{"short password", "POST", "/api/v1/users", strings.Replace(newUser(""), password, "short", 1), "password"},
			// Left to the service, named from its message.
			{"bad username", "POST", "/api/v1/users", strings.Replace(newUser(""), "new1", "-x", 1), "username"},
			{"bad email", "POST", "/api/v1/users", newUser(`,"email":"not-an-address"`), "email"},
			{"unknown org", "POST", "/api/v1/users", strings.Replace(newUser(""), e.org.ID, "org_nothing", 1), "org_id"},
			{"no org", "POST", "/api/v1/users", strings.Replace(newUser(""), e.org.ID, "", 1), "org_id"},
			{"wrong type", "POST", "/api/v1/users", strings.Replace(newUser(""), `["vendor"]`, `"vendor"`, 1), "roles"},
			{"grant wrong role", "POST", "/api/v1/users/" + op.ID + "/roles", `{"roles":["admin","root"]}`, "roles[1]"},
			{"grant unknown field", "POST", "/api/v1/users/" + op.ID + "/roles", `{"roles":["vendor"],"state":"active"}`, "state"},
			{"set short password", "PUT", "/api/v1/users/" + op.ID + "/password", `{"password":"short"}`, "password"},
			{"set password unknown field", "PUT", "/api/v1/users/" + op.ID + "/password", `{"password":"x","old":"y"}`, "old"},
		} {
			t.Run(c.name, func(t *testing.T) {
				ae := e.fail(t, c.method, c.path, admin, c.body, http.StatusBadRequest)
				if ae.Error.Code != "bad_request" || ae.Error.Field != c.field {
					t.Errorf("got code %q field %q (%s), want bad_request field %q", ae.Error.Code, ae.Error.Field, ae.Error.Message, c.field)
				}
			})
		}
		if got := e.auditCount(t, "account.create"); got != 0 {
			t.Errorf("account.create entries after refused requests: got %d, want 0", got)
		}
	})
}

func TestSetPassword(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		admin, adminTok := e.user(t, "admin1", auth.RoleAdmin)
		op, opTok := e.user(t, "op", auth.RoleOperator)
		const newPassword = "a much longer passphrase"

		e.call(t, "PUT", "/api/v1/users/"+op.ID+"/password", adminTok, fmt.Sprintf(`{"password":%q}`, newPassword), http.StatusNoContent, nil)
		if _, err := e.srv.Auth.PasswordLogin(e.ctx, "op", newPassword, "192.0.2.1:1"); err != nil {
			t.Errorf("login with the new password: %v", err)
		}
		// An admin's reset revokes the user's API tokens, each audited.
		e.fail(t, "GET", "/api/v1/me", opTok, "", http.StatusUnauthorized)
		if got := e.auditCount(t, "token.revoke"); got != 1 {
			t.Errorf("token.revoke entries after the reset: got %d, want 1", got)
		}
		opTok, _, err := e.srv.Auth.CreateToken(e.ctx, &auth.Principal{UserID: op.ID, Via: auth.ViaSession, Roles: op.Roles}, op.ID, "again", 24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		// Not one's own password, and not as a non-admin.
		ae := e.fail(t, "PUT", "/api/v1/users/"+admin.ID+"/password", adminTok, fmt.Sprintf(`{"password":%q}`, newPassword), http.StatusForbidden)
		if ae.Error.Code != "forbidden" {
			t.Errorf("own password: code %q, want forbidden", ae.Error.Code)
		}
		e.fail(t, "PUT", "/api/v1/users/"+admin.ID+"/password", opTok, fmt.Sprintf(`{"password":%q}`, newPassword), http.StatusForbidden)
		e.fail(t, "PUT", "/api/v1/users/usr_nobody/password", adminTok, fmt.Sprintf(`{"password":%q}`, newPassword), http.StatusNotFound)

		if got := e.auditCount(t, "account.password"); got != 1 {
			t.Errorf("account.password entries: got %d, want 1", got)
		}
		e.verifyLog(t)
	})
}

func TestTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		op, opTok := e.user(t, "op", auth.RoleOperator)
		_, otherTok := e.user(t, "other", auth.RoleVendor)
		_, adminTok := e.user(t, "admin1", auth.RoleAdmin)

		var created authapi.CreatedToken
		e.call(t, "POST", "/api/v1/tokens", opTok, `{"name":"ci","ttl_days":30}`, http.StatusCreated, &created)
		if !strings.HasPrefix(created.Secret, auth.TokenPrefix) || created.Token.UserID != op.ID || created.Token.Name != "ci" {
			t.Fatalf("created token %+v", created)
		}
		if d := created.Token.ExpiresAt.Sub(created.Token.CreatedAt); d.Hours() != 30*24 {
			t.Errorf("token lifetime %v, want 30 days", d)
		}
		// The new token works.
		var me authapi.Me
		e.call(t, "GET", "/api/v1/me", created.Secret, "", http.StatusOK, &me)
		if me.User.ID != op.ID {
			t.Errorf("new token acts as %s, want %s", me.User.ID, op.ID)
		}

		// The list holds the fixture's token and the new one, never a secret.
		status, body := e.do(t, "GET", "/api/v1/tokens", opTok, "")
		if status != http.StatusOK {
			t.Fatalf("GET /tokens: %d %s", status, body)
		}
		if strings.Contains(string(body), auth.TokenPrefix) || strings.Contains(string(body), created.Secret) {
			t.Errorf("token list shows a secret: %s", body)
		}
		var list authapi.TokenList
		json.Unmarshal(body, &list)
		if len(list.Tokens) != 2 || list.Tokens[0].ID != created.Token.ID {
			t.Errorf("token list %+v, want the new token first of two", list.Tokens)
		}
		// Another user sees only their own.
		e.call(t, "GET", "/api/v1/tokens", otherTok, "", http.StatusOK, &list)
		if len(list.Tokens) != 1 || list.Tokens[0].UserID == op.ID {
			t.Errorf("other's token list %+v, want their one token", list.Tokens)
		}

		// Someone else's token is absent to the caller, and stays valid.
		ae := e.fail(t, "POST", "/api/v1/tokens/"+created.Token.ID+"/revoke", otherTok, "", http.StatusNotFound)
		missing := e.fail(t, "POST", "/api/v1/tokens/tok_nothing/revoke", otherTok, "", http.StatusNotFound)
		if ae != missing {
			t.Errorf("another's token %+v is told apart from a missing one %+v", ae, missing)
		}
		e.call(t, "GET", "/api/v1/me", created.Secret, "", http.StatusOK, nil)

		var revoked auth.Token
		e.call(t, "POST", "/api/v1/tokens/"+created.Token.ID+"/revoke", opTok, "", http.StatusOK, &revoked)
		if revoked.RevokedAt.IsZero() || revoked.RevokedBy != op.ID {
			t.Errorf("revoked token %+v, want revoked by %s", revoked, op.ID)
		}
		e.fail(t, "GET", "/api/v1/me", created.Secret, "", http.StatusUnauthorized)

		for _, c := range []struct {
			name, body, field string
		}{
			{"no name", `{"ttl_days":30}`, "name"},
			{"blank name", `{"name":"   ","ttl_days":30}`, "name"},
			{"no lifetime", `{"name":"ci"}`, "ttl_days"},
			{"negative lifetime", `{"name":"ci","ttl_days":-1}`, "ttl_days"},
			// Over the service's maximum of 365 days.
			{"too long", `{"name":"ci","ttl_days":366}`, "ttl_days"},
			{"unknown field", `{"name":"ci","ttl_days":1,"user_id":"usr_x"}`, "user_id"},
		} {
			t.Run(c.name, func(t *testing.T) {
				ae := e.fail(t, "POST", "/api/v1/tokens", opTok, c.body, http.StatusBadRequest)
				if ae.Error.Field != c.field {
					t.Errorf("field %q (%s), want %q", ae.Error.Field, ae.Error.Message, c.field)
				}
			})
		}

		// A privileged account's token cannot mint tokens: they would act
		// without the second factor.
		if ae := e.fail(t, "POST", "/api/v1/tokens", adminTok, `{"name":"ci","ttl_days":1}`, http.StatusForbidden); ae.Error.Code != "forbidden" {
			t.Errorf("privileged token create: code %q, want forbidden", ae.Error.Code)
		}

		// Three fixture tokens and one made over the API.
		if got := e.auditCount(t, "token.create"); got != 4 {
			t.Errorf("token.create entries: got %d, want 4", got)
		}
		if got := e.auditCount(t, "token.revoke"); got != 1 {
			t.Errorf("token.revoke entries: got %d, want 1", got)
		}
		e.verifyLog(t)
	})
}

func TestOrgs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		_, admin := e.user(t, "admin1", auth.RoleAdmin)
		_, analyst := e.user(t, "analyst1", auth.RoleAnalyst)
		_, op := e.user(t, "op", auth.RoleOperator)

		var o auth.Org
		e.call(t, "POST", "/api/v1/orgs", admin, `{"name":"Grid Co","name_ja":"送電株式会社","kind":"operator","sectors":["electricity"]}`, http.StatusCreated, &o)
		if o.Name != "Grid Co" || o.Kind != auth.OrgOperator || o.Sector() != "electricity" {
			t.Errorf("created org %+v", o)
		}
		e.call(t, "POST", "/api/v1/orgs", admin, `{"name":"Pref Police","kind":"police","police":"prefectural"}`, http.StatusCreated, nil)

		for _, c := range []struct {
			name, body, field string
		}{
			{"no name", `{"kind":"agency"}`, "name"},
			{"bad kind", `{"name":"X","kind":"club"}`, "kind"},
			{"bad sector", `{"name":"X","kind":"ministry","sectors":["electricity","space"]}`, "sectors[1]"},
			{"operator without sector", `{"name":"X","kind":"operator"}`, "sectors"},
			{"operator with two", `{"name":"X","kind":"operator","sectors":["electricity","gas"]}`, "sectors"},
			{"sector on an agency", `{"name":"X","kind":"agency","sectors":["gas"]}`, "sectors"},
			{"police without level", `{"name":"X","kind":"police"}`, "police"},
			{"level on an agency", `{"name":"X","kind":"agency","police":"national"}`, "police"},
			{"unknown field", `{"name":"X","kind":"agency","sector":"gas"}`, "sector"},
		} {
			t.Run(c.name, func(t *testing.T) {
				ae := e.fail(t, "POST", "/api/v1/orgs", admin, c.body, http.StatusBadRequest)
				if ae.Error.Field != c.field {
					t.Errorf("field %q (%s), want %q", ae.Error.Field, ae.Error.Message, c.field)
				}
			})
		}
		e.fail(t, "POST", "/api/v1/orgs", admin, `{"name":"Grid Co","kind":"agency"}`, http.StatusConflict)

		// Analysts may list, operators may not.
		var list authapi.OrgList
		e.call(t, "GET", "/api/v1/orgs", analyst, "", http.StatusOK, &list)
		if len(list.Orgs) != 3 {
			t.Errorf("org list has %d organisations, want 3", len(list.Orgs))
		}
		e.fail(t, "GET", "/api/v1/orgs", op, "", http.StatusForbidden)
		e.fail(t, "POST", "/api/v1/orgs", analyst, `{"name":"Y","kind":"agency"}`, http.StatusForbidden)

		// The fixture's organisation and two made over the API.
		if got := e.auditCount(t, "org.create"); got != 3 {
			t.Errorf("org.create entries: got %d, want 3", got)
		}
		e.verifyLog(t)
	})
}

func TestInbox(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		op, opTok := e.user(t, "op", auth.RoleOperator)
		_, otherTok := e.user(t, "other", auth.RoleVendor)
		var msgID string
		err := db.Tx(e.ctx, func(tx *store.Tx) error {
			var err error
			msgID, err = e.srv.Notifier.Notify(context.Background(), tx, deadline.Notice{ToUser: op.ID, Subject: "Full report due", Body: "Within 30 days."})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}

		var in authapi.Inbox
		e.call(t, "GET", "/api/v1/inbox", opTok, "", http.StatusOK, &in)
		if len(in.Messages) != 1 || in.Messages[0].ID != msgID || in.Unread != 1 {
			t.Fatalf("inbox %+v, want message %s unread", in, msgID)
		}
		// Not someone else's message.
		e.fail(t, "POST", "/api/v1/inbox/"+msgID+"/read", otherTok, "", http.StatusNotFound)
		e.call(t, "GET", "/api/v1/inbox", otherTok, "", http.StatusOK, &in)
		if len(in.Messages) != 0 {
			t.Errorf("other's inbox %+v, want empty", in)
		}

		e.call(t, "POST", "/api/v1/inbox/"+msgID+"/read", opTok, "", http.StatusNoContent, nil)
		e.call(t, "GET", "/api/v1/inbox", opTok, "", http.StatusOK, &in)
		if in.Unread != 0 || in.Messages[0].ReadAt.IsZero() {
			t.Errorf("after read: %+v, want it read", in)
		}
		// Reading twice keeps the first time and audits once.
		e.call(t, "POST", "/api/v1/inbox/"+msgID+"/read", opTok, "", http.StatusNoContent, nil)
		e.fail(t, "POST", "/api/v1/inbox/msg_nothing/read", opTok, "", http.StatusNotFound)
		if got := e.auditCount(t, "notice.mark_read"); got != 1 {
			t.Errorf("notice.mark_read entries: got %d, want 1", got)
		}
	})
}

func TestOpenAPIDescribesRoutes(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	var doc struct {
		Paths map[string]map[string]struct {
			Action string `json:"x-acd-action"`
		} `json:"paths"`
	}
	e.call(t, "GET", "/api/openapi.json", "", "", http.StatusOK, &doc)
	for _, c := range []struct {
		path, method string
		action       auth.Action
	}{
		{"/api/v1/me", "get", auth.HomeView},
		{"/api/v1/users", "post", auth.AccountCreate},
		{"/api/v1/users/{id}", "get", auth.AccountView},
		{"/api/v1/users/{id}/password", "put", auth.AccountPassword},
		{"/api/v1/grants/{id}/confirm", "post", auth.AccountConfirm},
		{"/api/v1/orgs", "post", auth.OrgCreate},
		{"/api/v1/tokens/{id}/revoke", "post", auth.TokenRevokeOwn},
		{"/api/v1/inbox/{id}/read", "post", auth.InboxRead},
	} {
		if got := doc.Paths[c.path][c.method].Action; got != string(c.action) {
			t.Errorf("%s %s: action %q, want %q", c.method, c.path, got, c.action)
		}
	}
}
