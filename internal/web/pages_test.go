package web_test

import (
	"bytes"
	"encoding/base64"
	"image/png"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
	"github.com/acd-platform/acd/internal/web"
)

// TestLogin logs a non-privileged user in through the pages, on both store
// back ends.
func TestLogin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		s.operator(t, "sato", "佐藤 花子")
		ja := func(key string, args ...any) string { return s.msgs.T(web.Japanese, key, args...) }
		c := s.client(t)

		r := c.get("/login")
		if r.status != http.StatusOK {
			t.Fatalf("GET /login: status %d, want 200", r.status)
		}
		if !strings.Contains(r.body, `<html lang="ja">`) {
			t.Errorf("GET /login: no <html lang=\"ja\"> by default")
		}
		for _, key := range []string{"login.title", "login.username", "login.password", "login.submit"} {
			if !strings.Contains(r.text(), ja(key)) {
				t.Errorf("GET /login: lacks %s %q", key, ja(key))
			}
		}

		r = c.post("/login", url.Values{"username": {"sato"}, "password": {password}})
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/" {
			t.Fatalf("POST /login: status %d, Location %q; want 303 to /", r.status, r.header.Get("Location"))
		}
		ck := r.cookie(auth.SessionCookie)
		switch {
		case ck == nil:
			t.Fatal("POST /login: no session cookie")
		case !ck.HttpOnly:
			t.Error("session cookie is not HttpOnly")
		case ck.SameSite != http.SameSiteLaxMode && ck.SameSite != http.SameSiteStrictMode:
			t.Errorf("session cookie SameSite = %v, want Lax or Strict", ck.SameSite)
		case ck.Path != "/":
			t.Errorf("session cookie Path = %q, want /", ck.Path)
		}

		r = c.get("/")
		if r.status != http.StatusOK {
			t.Fatalf("GET /: status %d, want 200", r.status)
		}
		for _, want := range []string{ja("home.welcome", "佐藤 花子"), ja("role.operator"), ja("duty.operator"), "関東電力", ja("action.token.list.own")} {
			if !strings.Contains(r.text(), want) {
				t.Errorf("home of an operator lacks %q", want)
			}
		}
		for _, notWant := range []string{ja("duty.admin"), ja("action.account.create"), `href="/admin/accounts"`} {
			if strings.Contains(r.text(), notWant) {
				t.Errorf("home of an operator shows %q", notWant)
			}
		}
		// A signed-in user who opens the login page goes where next says.
		if r := c.get("/login?next=/inbox"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/inbox" {
			t.Errorf("GET /login signed in: status %d, Location %q; want 303 to /inbox", r.status, r.header.Get("Location"))
		}
	})
}

// TestLoginWrongPassword: a wrong password is refused with the Japanese
// message and no cookie, and keeps the username in the form.
func TestLoginWrongPassword(t *testing.T) {
	s := newSite(t, storetest.SQLite(t))
	s.operator(t, "sato", "佐藤 花子")
	c := s.client(t)
	for _, tc := range []struct {
		name, username string
	}{
		{"wrong password", "sato"},
		{"unknown user", "nobody"}, // the same answer: no user enumeration
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := c.post("/login", url.Values{"username": {tc.username}, "password": {"not the password"}})
			if r.status != http.StatusUnauthorized {
				t.Errorf("status %d, want 401", r.status)
			}
			if want := s.msgs.T(web.Japanese, "login.bad"); !strings.Contains(r.text(), want) {
				t.Errorf("page lacks %q", want)
			}
			if r.cookie(auth.SessionCookie) != nil {
				t.Error("a failed login set a session cookie")
			}
			if got := inputValue(r.body, "username"); got != tc.username {
				t.Errorf("username field = %q, want %q kept", got, tc.username)
			}
		})
	}
	if r := c.get("/account/tokens"); r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/login") {
		t.Errorf("GET /account/tokens after failed logins: status %d, Location %q; want 303 to /login", r.status, r.header.Get("Location"))
	}
}

// TestLoginRateLimited: after five failures the username is locked out,
// with the page saying so, even for the right password.
func TestLoginRateLimited(t *testing.T) {
	s := newSite(t, storetest.SQLite(t))
	s.operator(t, "sato", "佐藤 花子")
	c := s.client(t)
	for range 5 {
		c.post("/login", url.Values{"username": {"sato"}, "password": {"not the password"}})
	}
	r := c.post("/login", url.Values{"username": {"sato"}, "password": {password}})
	if r.status != http.StatusTooManyRequests {
		t.Errorf("status %d, want 429", r.status)
	}
	if want := s.msgs.T(web.Japanese, "login.limited"); !strings.Contains(r.text(), want) {
		t.Errorf("page lacks %q", want)
	}
	if r.cookie(auth.SessionCookie) != nil {
		t.Error("a rate-limited login set a session cookie")
	}
}

// TestLoginNext: after login the user goes to next only when it is a path
// on this site.
func TestLoginNext(t *testing.T) {
	s := newSite(t, storetest.SQLite(t))
	s.operator(t, "sato", "佐藤 花子")
	for _, tc := range []struct {
		next, want string
	}{
		{"", "/"},
		{"/account/tokens", "/account/tokens"},                       // a local page is kept
		{"/inbox?page=2", "/inbox?page=2"},                           // with its query
		{"//evil.example", "/"},                                      // scheme-relative: another host
		{"//evil.example/login", "/"},                                // the same with a path
		{"https://evil.example", "/"},                                // absolute URL
		{"https://evil.example/", "/"},                               // absolute URL with a path
		{`/\evil.example`, "/"},                                      // browsers read \ as /
		{"/\t/evil.example", "/"},                                    // browsers drop tabs: //evil.example
		{"/%2F/evil.example", "/%2F/evil.example"},                   // encoded: stays a local path
		{"javascript:alert(1)", "/"},                                 // not a path
		{"evil.example", "/"},                                        // relative: not a path
		{"/login?next=//evil.example", "/login?next=//evil.example"}, // a local page; it checks its own next
	} {
		t.Run(tc.next, func(t *testing.T) {
			c := s.client(t)
			r := c.post("/login", url.Values{"username": {"sato"}, "password": {password}, "next": {tc.next}})
			if r.status != http.StatusSeeOther {
				t.Fatalf("status %d, want 303", r.status)
			}
			if got := r.header.Get("Location"); got != tc.want {
				t.Errorf("Location %q, want %q", got, tc.want)
			}
			// The login form carries next only as the same check allows.
			if got := inputValue(c.get("/login?next="+url.QueryEscape(tc.next)).body, "next"); got != "" {
				// Signed in now: the form is not shown.
				t.Errorf("signed in, GET /login shows a form with next %q", got)
			}
			anon := s.client(t)
			if got := inputValue(anon.get("/login?next="+url.QueryEscape(tc.next)).body, "next"); got != tc.want {
				t.Errorf("login form next = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestAdminLoginTOTP: a privileged user enrols a TOTP secret at the first
// login, is asked only for a code at the next, and logs out.
func TestAdminLoginTOTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		s.admin(t, "alice", "Alice Admin")
		ja := func(key string, args ...any) string { return s.msgs.T(web.Japanese, key, args...) }
		c := s.client(t)

		r := c.post("/login", url.Values{"username": {"alice"}, "password": {password}, "next": {"/admin/accounts"}})
		if r.status != http.StatusOK {
			t.Fatalf("POST /login: status %d, want 200 (TOTP page)", r.status)
		}
		if r.cookie(auth.SessionCookie) != nil {
			t.Fatal("password alone gave a privileged user a session")
		}
		for _, key := range []string{"totp.title", "totp.explain", "totp.enrol", "totp.code"} {
			if !strings.Contains(r.text(), ja(key)) {
				t.Errorf("enrolment page lacks %s %q", key, ja(key))
			}
		}
		secret := enrolSecret(r.body)
		if !regexp.MustCompile(`^[A-Z2-7]{32}$`).MatchString(secret) {
			t.Fatalf("enrolment secret %q, want 32 base32 characters", secret)
		}
		checkQR(t, r.body)
		challenge := inputValue(r.body, "challenge")
		if challenge == "" {
			t.Fatal("no challenge field")
		}
		if got := inputValue(r.body, "next"); got != "/admin/accounts" {
			t.Errorf("TOTP form next = %q, want /admin/accounts", got)
		}

		// A wrong code: 401, asked again, no session.
		r = c.post("/login/totp", url.Values{"challenge": {challenge}, "code": {s.wrongCode(t, secret)}, "next": {"/admin/accounts"}})
		if r.status != http.StatusUnauthorized {
			t.Errorf("wrong code: status %d, want 401", r.status)
		}
		if !strings.Contains(r.text(), ja("totp.bad")) {
			t.Errorf("wrong code: page lacks %q", ja("totp.bad"))
		}
		if r.cookie(auth.SessionCookie) != nil {
			t.Error("wrong code: set a session cookie")
		}
		if got := inputValue(r.body, "challenge"); got != challenge {
			t.Errorf("wrong code: challenge field %q, want the same challenge to try again", got)
		}

		// The right code, from the shown secret.
		r = c.post("/login/totp", url.Values{"challenge": {challenge}, "code": {s.code(t, secret)}, "next": {"/admin/accounts"}})
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/admin/accounts" {
			t.Fatalf("right code: status %d, Location %q; want 303 to /admin/accounts", r.status, r.header.Get("Location"))
		}
		if ck := r.cookie(auth.SessionCookie); ck == nil || !ck.HttpOnly {
			t.Fatalf("right code: session cookie %v, want an HttpOnly cookie", ck)
		}
		r = c.get("/")
		if !strings.Contains(r.text(), ja("home.welcome", "Alice Admin")) || !strings.Contains(r.text(), ja("duty.admin")) {
			t.Errorf("admin home lacks the welcome and the admin's duty")
		}
		if !strings.Contains(r.body, `href="/admin/accounts"`) {
			t.Error("admin home has no link to the accounts page")
		}
		// The challenge is spent.
		if r := s.client(t).post("/login/totp", url.Values{"challenge": {challenge}, "code": {s.code(t, secret)}}); r.status != http.StatusUnauthorized || !strings.Contains(r.text(), ja("login.expired")) {
			t.Errorf("reused challenge: status %d, want 401 with %q", r.status, ja("login.expired"))
		}

		// Log out with the CSRF token.
		var old *http.Cookie
		u, _ := url.Parse(s.url)
		for _, ck := range c.http.Jar.Cookies(u) {
			if ck.Name == auth.SessionCookie {
				old = ck
			}
		}
		r = c.post("/logout", url.Values{"csrf": {c.csrf("/")}})
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/login" {
			t.Errorf("logout: status %d, Location %q; want 303 to /login", r.status, r.header.Get("Location"))
		}
		if ck := r.cookie(auth.SessionCookie); ck == nil || ck.MaxAge >= 0 || ck.Value != "" {
			t.Errorf("logout: Set-Cookie %v, want the session cookie cleared", ck)
		}
		r = c.get("/")
		if strings.Contains(r.text(), ja("home.welcome", "Alice Admin")) || !strings.Contains(r.text(), ja("home.public.intro")) {
			t.Error("after logout / still shows the user's home")
		}
		// The old session token itself is dead, not only forgotten.
		replay := s.client(t)
		replay.http.Jar.SetCookies(u, []*http.Cookie{old})
		if r := replay.get("/admin/accounts"); r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/login") {
			t.Errorf("old session after logout: status %d, Location %q; want 303 to /login", r.status, r.header.Get("Location"))
		}

		// The second login asks for a code only.
		s.clock.Advance(30 * time.Second)
		r = c.post("/login", url.Values{"username": {"alice"}, "password": {password}})
		if r.status != http.StatusOK || inputValue(r.body, "challenge") == "" {
			t.Fatalf("second login: status %d, want 200 with a challenge", r.status)
		}
		if enrolSecret(r.body) != "" || strings.Contains(r.body, "data:image/png") || strings.Contains(r.text(), ja("totp.enrol")) {
			t.Error("second login shows the enrolment secret again")
		}
		r = c.post("/login/totp", url.Values{"challenge": {inputValue(r.body, "challenge")}, "code": {s.code(t, secret)}})
		if r.status != http.StatusSeeOther || r.cookie(auth.SessionCookie) == nil {
			t.Errorf("second login: TOTP status %d, want 303 with a session cookie", r.status)
		}
	})
}

// checkQR checks that the enrolment page shows the QR code as a data: PNG.
func checkQR(t *testing.T, body string) {
	t.Helper()
	for _, img := range elements(parse(t, body), "img") {
		src, _ := attr(img, "src")
		b64, ok := strings.CutPrefix(src, "data:image/png;base64,")
		if !ok {
			continue
		}
		b, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			t.Fatalf("QR data URL: %v", err)
		}
		im, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("QR PNG: %v", err)
		}
		if got := im.Bounds().Dx(); got < 100 {
			t.Errorf("QR image %d px wide, want at least 100", got)
		}
		if alt, _ := attr(img, "alt"); alt == "" {
			t.Error("QR image has no alt text")
		}
		return
	}
	t.Error("enrolment page has no data:image/png QR code")
}

// TestTOTPChallengeExpires: a code entered after the challenge expired
// sends the user back to the login form.
func TestTOTPChallengeExpires(t *testing.T) {
	s := newSite(t, storetest.SQLite(t))
	s.admin(t, "alice", "Alice Admin")
	c := s.client(t)
	r := c.post("/login", url.Values{"username": {"alice"}, "password": {password}})
	secret, challenge := enrolSecret(r.body), inputValue(r.body, "challenge")
	s.clock.Advance(6 * time.Minute)
	r = c.post("/login/totp", url.Values{"challenge": {challenge}, "code": {s.code(t, secret)}})
	if r.status != http.StatusUnauthorized {
		t.Errorf("status %d, want 401", r.status)
	}
	if want := s.msgs.T(web.Japanese, "login.expired"); !strings.Contains(r.text(), want) {
		t.Errorf("page lacks %q", want)
	}
	if inputValue(r.body, "password") != "" || !strings.Contains(r.body, `action="/login"`) {
		t.Error("expired challenge does not show the login form")
	}
	if r.cookie(auth.SessionCookie) != nil {
		t.Error("expired challenge set a session cookie")
	}
}

// TestCSRF: unsafe requests with the session cookie must echo the session's
// CSRF token, and cross-site requests are refused.
func TestCSRF(t *testing.T) {
	s := newSite(t, storetest.SQLite(t))
	s.operator(t, "sato", "佐藤 花子")
	c := s.client(t)
	c.login("sato")
	tok := c.csrf("/account/tokens")
	// A token that differs from the right one in its first character
	// (replacing it with "x" would be no change one time in 64).
	wrong := "x" + tok[1:]
	if tok[0] == 'x' {
		wrong = "y" + tok[1:]
	}
	form := func(csrf string) url.Values {
		v := url.Values{"name": {"ci"}, "days": {"30"}}
		if csrf != "" {
			v.Set("csrf", csrf)
		}
		return v
	}
	for _, tc := range []struct {
		name   string
		form   url.Values
		header []string
		want   int
	}{
		{"no token", form(""), nil, http.StatusForbidden},
		{"wrong token", form(wrong), nil, http.StatusForbidden},
		{"token in the query string only", form(""), nil, http.StatusForbidden}, // path below adds ?csrf=
		{"right token, cross-site", form(tok), []string{"Sec-Fetch-Site", "cross-site"}, http.StatusForbidden},
		{"right token, other origin", form(tok), []string{"Origin", "https://evil.example"}, http.StatusForbidden},
		{"right token", form(tok), nil, http.StatusCreated},
		{"right token, same-origin", form(tok), []string{"Sec-Fetch-Site", "same-origin"}, http.StatusCreated},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := "/account/tokens"
			if tc.name == "token in the query string only" {
				path += "?csrf=" + url.QueryEscape(tok)
			}
			r := c.post(path, tc.form, tc.header...)
			if r.status != tc.want {
				t.Errorf("status %d, want %d", r.status, tc.want)
			}
			if tc.want == http.StatusForbidden {
				if !strings.Contains(r.header.Get("Content-Type"), "text/html") || !strings.Contains(r.body, `<html lang="ja">`) {
					t.Errorf("refusal is not an HTML page: %s", r.header.Get("Content-Type"))
				}
				if want := s.msgs.T(web.Japanese, "error.csrf"); !strings.Contains(r.text(), want) {
					t.Errorf("refusal page lacks %q", want)
				}
				if strings.Contains(r.body, "acd_") {
					t.Error("a refused request created a token")
				}
			} else if !strings.Contains(r.text(), s.msgs.T(web.Japanese, "tokens.created")) {
				t.Error("created token page lacks the one-time notice")
			}
		})
	}
	u, err := s.srv.Auth.UserByUsername(s.ctx, "sato")
	if err != nil {
		t.Fatal(err)
	}
	toks, err := s.srv.Auth.Tokens(s.ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(toks) != 2 {
		t.Errorf("%d tokens created, want 2 (only the requests with the right token)", len(toks))
	}
	// Logout is an unsafe request too: without the token it is refused and
	// the session survives.
	if r := c.post("/logout", nil); r.status != http.StatusForbidden {
		t.Errorf("logout without token: status %d, want 403", r.status)
	}
	if r := c.get("/account/tokens"); r.status != http.StatusOK {
		t.Errorf("after refused logout: status %d, want 200 (still signed in)", r.status)
	}
}

// TestSeparationOfDuties: a privileged role granted by one admin through the
// pages is active only after a second admin confirms it.
func TestSeparationOfDuties(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		s.admin(t, "alice", "Alice Admin")
		s.admin(t, "bob", "Bob Admin")
		ja := func(key string, args ...any) string { return s.msgs.T(web.Japanese, key, args...) }
		police, err := s.srv.Auth.CreateOrg(s.ctx, nil, auth.NewOrg{Name: "National Police Agency", NameJA: "警察庁", Kind: auth.OrgPolice, Police: auth.PoliceNational})
		if err != nil {
			t.Fatal(err)
		}
		a, b := s.client(t), s.client(t)
		a.loginTOTP("alice")
		b.loginTOTP("bob")

		r := a.get("/admin/accounts/new")
		if r.status != http.StatusOK || !strings.Contains(r.text(), "警察庁") || !strings.Contains(r.text(), ja("role.officer")) {
			t.Fatalf("GET /admin/accounts/new: status %d; want 200 with the organisations and roles", r.status)
		}
		r = a.post("/admin/accounts", url.Values{"csrf": {inputValue(r.body, "csrf")}, "username": {"tanaka"}, "display_name": {"田中 一郎"},
			"email": {"tanaka@npa.example"}, "org": {police.ID}, "roles": {"officer"}, "password": {password}})
		if r.status != http.StatusCreated {
			t.Fatalf("POST /admin/accounts: status %d, want 201", r.status)
		}
		if !strings.Contains(r.text(), ja("accounts.created")) {
			t.Errorf("no %q notice", ja("accounts.created"))
		}

		r = a.get("/admin/accounts")
		grantID := pendingGrant(t, r.body)
		if grantID == "" {
			t.Fatalf("no pending grant on /admin/accounts")
		}
		pending := r.text()[strings.Index(r.text(), ja("accounts.pending")):strings.LastIndex(r.text(), ja("accounts.title"))]
		if !strings.Contains(pending, "tanaka") || !strings.Contains(pending, ja("role.officer")) || !strings.Contains(pending, "alice") {
			t.Errorf("pending section does not show tanaka, the officer role and the requester alice:\n%s", pending)
		}
		tanaka, err := s.srv.Auth.UserByUsername(s.ctx, "tanaka")
		if err != nil {
			t.Fatal(err)
		}
		if len(tanaka.Roles) != 0 {
			t.Fatalf("tanaka holds %v before confirmation, want no role", tanaka.Roles)
		}

		// The requesting admin cannot confirm.
		r = a.post("/admin/grants/"+grantID+"/confirm", url.Values{"csrf": {a.csrf("/admin/accounts")}})
		if r.status != http.StatusForbidden {
			t.Errorf("confirm by the requester: status %d, want 403", r.status)
		}
		if want := ja("accounts.same_admin"); !strings.Contains(r.text(), want) {
			t.Errorf("confirm by the requester: page lacks %q", want)
		}
		if pendingGrant(t, a.get("/admin/accounts").body) != grantID {
			t.Error("the grant is no longer pending after a refused confirmation")
		}

		// A second admin can, and is shown tanaka's TOTP secret once, with
		// a QR code, to hand to tanaka in person.
		r = b.post("/admin/grants/"+grantID+"/confirm", url.Values{"csrf": {b.csrf("/admin/accounts")}})
		if r.status != http.StatusOK {
			t.Fatalf("confirm by a second admin: status %d, want 200 with the issued secret", r.status)
		}
		if !strings.Contains(r.text(), ja("accounts.issued")) || !strings.Contains(r.body, `class="secret"`) || !strings.Contains(r.body, `src="data:image/png;base64,`) {
			t.Errorf("confirm by a second admin: page lacks the issued secret, its QR code or %q", ja("accounts.issued"))
		}
		if r := b.get("/admin/accounts"); strings.Contains(r.text(), ja("accounts.issued")) {
			t.Error("the issued secret is shown again on the next visit")
		}
		r = b.get("/admin/accounts")
		if pendingGrant(t, r.body) != "" || !strings.Contains(r.text(), ja("accounts.pending.none")) {
			t.Error("grant still pending after the second admin confirmed it")
		}
		if !strings.Contains(r.text(), "田中 一郎") || !strings.Contains(r.text(), ja("role.officer")) {
			t.Error("accounts page does not list tanaka as an officer")
		}
		tanaka, err = s.srv.Auth.UserByUsername(s.ctx, "tanaka")
		if err != nil {
			t.Fatal(err)
		}
		if len(tanaka.Roles) != 1 || tanaka.Roles[0] != auth.RoleOfficer {
			t.Errorf("tanaka holds %v, want [officer]", tanaka.Roles)
		}

		// Nor may an admin disable their own account.
		self, err := s.srv.Auth.UserByUsername(s.ctx, "alice")
		if err != nil {
			t.Fatal(err)
		}
		r = a.post("/admin/accounts/"+self.ID+"/disable", url.Values{"csrf": {a.csrf("/admin/accounts")}})
		if r.status != http.StatusForbidden || !strings.Contains(r.text(), ja("accounts.disable_self")) {
			t.Errorf("self-disable: status %d, want 403 with %q", r.status, ja("accounts.disable_self"))
		}
		// An operator has no account pages at all.
		s.operator(t, "sato", "佐藤 花子")
		o := s.client(t)
		o.login("sato")
		if r := o.get("/admin/accounts"); r.status != http.StatusForbidden {
			t.Errorf("operator GET /admin/accounts: status %d, want 403", r.status)
		}
		if r := o.post("/admin/grants/"+grantID+"/confirm", url.Values{"csrf": {o.csrf("/")}}); r.status != http.StatusForbidden {
			t.Errorf("operator confirm: status %d, want 403", r.status)
		}
	})
}

// pendingGrant returns the id of the first grant with a confirm form.
func pendingGrant(t *testing.T, body string) string {
	t.Helper()
	re := regexp.MustCompile(`^/admin/grants/([^/]+)/confirm$`)
	for _, a := range formActions(t, body) {
		if m := re.FindStringSubmatch(a); m != nil {
			return m[1]
		}
	}
	return ""
}

// TestLanguage: the language switch sets a cookie and keeps next local.
func TestLanguage(t *testing.T) {
	s := newSite(t, storetest.SQLite(t))
	en := func(key string) string { return s.msgs.T(web.English, key) }
	for _, tc := range []struct {
		path     string
		status   int
		location string
		cookie   string // the language cookie's value; "" for none
	}{
		{"/lang/en?next=/login", http.StatusSeeOther, "/login", "en"},
		{"/lang/ja?next=/login", http.StatusSeeOther, "/login", "ja"},
		{"/lang/en", http.StatusSeeOther, "/", "en"},
		{"/lang/en?next=//evil.example", http.StatusSeeOther, "/", "en"},       // next stays local
		{"/lang/en?next=https://evil.example", http.StatusSeeOther, "/", "en"}, // next stays local
		{"/lang/fr?next=/login", http.StatusNotFound, "", ""},                  // unknown language
		{"/lang/EN", http.StatusNotFound, "", ""},                              // codes are lower-case
	} {
		t.Run(tc.path, func(t *testing.T) {
			r := s.client(t).get(tc.path)
			if r.status != tc.status || r.header.Get("Location") != tc.location {
				t.Errorf("status %d, Location %q; want %d, %q", r.status, r.header.Get("Location"), tc.status, tc.location)
			}
			got := ""
			if ck := r.cookie("acd_lang"); ck != nil {
				got = ck.Value
				if ck.Path != "/" || !ck.HttpOnly || ck.MaxAge <= 0 {
					t.Errorf("language cookie %v, want Path=/, HttpOnly, lasting", ck)
				}
			}
			if got != tc.cookie {
				t.Errorf("language cookie %q, want %q", got, tc.cookie)
			}
		})
	}

	// Following the switch link on the Japanese login page.
	c := s.client(t)
	r := c.get("/login")
	link := ""
	for _, a := range elements(parse(t, r.body), "a") {
		if h, _ := attr(a, "href"); strings.HasPrefix(h, "/lang/") {
			link = h
		}
	}
	if link != "/lang/en?next=%2flogin" && link != "/lang/en?next=%2Flogin" {
		t.Fatalf("language link %q, want /lang/en?next=%%2Flogin", link)
	}
	r = c.get(link)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/login" {
		t.Fatalf("GET %s: status %d, Location %q; want 303 to /login", link, r.status, r.header.Get("Location"))
	}
	r = c.get("/login")
	if !strings.Contains(r.body, `<html lang="en">`) {
		t.Error(`after the switch /login lacks <html lang="en">`)
	}
	for _, key := range []string{"login.title", "login.username", "login.password", "app.name"} {
		if !strings.Contains(r.text(), en(key)) {
			t.Errorf("English /login lacks %s %q", key, en(key))
		}
	}
	if strings.Contains(r.text(), s.msgs.T(web.Japanese, "login.username")) {
		t.Error("English /login still shows the Japanese field label")
	}
	// Messages rendered by the handlers follow the language too.
	r = c.post("/login", url.Values{"username": {"nobody"}, "password": {"wrong password!"}})
	if !strings.Contains(r.text(), en("login.bad")) {
		t.Errorf("English failed login lacks %q", en("login.bad"))
	}
}

// TestLanguageSwitchAfterPost: the switch link on a page that a POST
// rendered leads to a page that exists.
func TestLanguageSwitchAfterPost(t *testing.T) {
	s := newSite(t, storetest.SQLite(t))
	s.admin(t, "alice", "Alice Admin")
	c := s.client(t)
	r := c.post("/login", url.Values{"username": {"alice"}, "password": {password}})
	r = c.post("/login/totp", url.Values{"challenge": {inputValue(r.body, "challenge")}, "code": {s.wrongCode(t, enrolSecret(r.body))}})
	if r.status != http.StatusUnauthorized {
		t.Fatalf("wrong code: status %d, want 401", r.status)
	}
	var link string
	for _, a := range elements(parse(t, r.body), "a") {
		if h, _ := attr(a, "href"); strings.HasPrefix(h, "/lang/") {
			link = h
		}
	}
	r = c.get(link)
	if r.status != http.StatusSeeOther {
		t.Fatalf("GET %s: status %d, want 303", link, r.status)
	}
	next := r.header.Get("Location")
	if r := c.get(next); r.status != http.StatusOK {
		t.Errorf("switch link %s leads to %s: status %d, want 200", link, next, r.status)
	}
}

// TestTimesInJST: times on pages are Japan time.
func TestTimesInJST(t *testing.T) {
	s := newSite(t, storetest.SQLite(t))
	u := s.operator(t, "sato", "佐藤 花子")
	c := s.client(t)
	c.login("sato")
	r := c.post("/account/tokens", url.Values{"csrf": {c.csrf("/account/tokens")}, "name": {"ci"}, "days": {"30"}})
	if r.status != http.StatusCreated {
		t.Fatalf("create token: status %d, want 201", r.status)
	}
	toks, err := s.srv.Auth.Tokens(s.ctx, u.ID)
	if err != nil || len(toks) != 1 {
		t.Fatalf("tokens: %v, %d; want one", err, len(toks))
	}
	// Computed here by hand: UTC+9, Japan has no daylight saving time.
	exp := toks[0].ExpiresAt.UTC().Add(9 * time.Hour)
	want := exp.Format("2006-01-02 15:04") + " JST"
	if want != "2026-05-02 05:30 JST" {
		t.Fatalf("test set-up: expiry %s, want 2026-05-02 05:30 JST (clock start + 30 days in Japan time)", want)
	}
	r = c.get("/account/tokens")
	var cells []string
	for _, td := range elements(parse(t, r.body), "td") {
		if s := strings.TrimSpace(textOf(td)); strings.HasSuffix(s, "JST") {
			cells = append(cells, s)
		}
	}
	if len(cells) != 1 || cells[0] != want {
		t.Errorf("expiry cells %q, want [%q]", cells, want)
	}
	if utc := toks[0].ExpiresAt.UTC().Format("2006-01-02 15:04"); strings.Contains(r.body, utc) {
		t.Errorf("page shows the UTC time %s", utc)
	}
	// The footer's clock too.
	if now := start.Add(9*time.Hour).Format("2006-01-02 15:04") + " JST"; !strings.Contains(r.body, now) {
		t.Errorf("footer lacks the current Japan time %s", now)
	}
}
