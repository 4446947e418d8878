package web

import (
	"bytes"
	"encoding/base64"
	"errors"
	"html/template"
	"image/png"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pquerna/otp"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auth"
)

// actionLinks are the foundation's and reporting's pages that do an
// action, for the home page's list; other areas add theirs to Site.links.
var actionLinks = map[auth.Action]string{
	auth.InboxRead:         "/inbox",
	auth.TokenListOwn:      "/account/tokens",
	auth.PasswordChangeOwn: "/account/password",
	auth.AccountList:       "/admin/accounts",
	auth.AccountCreate:     "/admin/accounts/new",
	auth.AssetWrite:        "/assets#add",
	auth.AssetRead:         "/assets",
	auth.AssetNoticeRead:   "/assets/notices",
	auth.ReportSubmit:      "/reports/new",
	auth.ReportRead:        "/reports",
	auth.ReportStats:       "/reports#chart",
	auth.ComplianceRead:    "/compliance",
	auth.OrderIssue:        "/orders#issue",
	auth.OrderRead:         "/orders",
	auth.OrderAnswer:       "/orders",
	auth.OrderClose:        "/orders",
	auth.OperatorList:      "/operators",
	auth.OperatorDesignate: "/operators",
}

type actionItem struct {
	Key  string
	Link string
}

func (s *Site) home(w http.ResponseWriter, r *http.Request) error {
	p := auth.FromContext(r.Context())
	var data struct {
		User       auth.User
		OrgName    string
		Roles      []auth.Role
		Actions    []actionItem
		Checkpoint string
	}
	if cp, err := s.cfg.Log.Latest(r.Context()); err == nil && cp != nil {
		data.Checkpoint = string(cp.Note)
	}
	if p == nil {
		return s.render(w, r, http.StatusOK, "home", "home.public", data)
	}
	u, err := s.cfg.Auth.User(r.Context(), p.UserID)
	if err != nil {
		return err
	}
	data.User, data.Roles = u, u.Roles
	if o, err := s.cfg.Auth.Org(r.Context(), u.OrgID); err == nil {
		data.OrgName = o.Name
		if langOf(r) == Japanese && o.NameJA != "" {
			data.OrgName = o.NameJA
		}
	}
	// What this role can do comes from the policy itself, so the page can
	// never promise more (or less) than the routes allow.
	for _, a := range s.cfg.Policy.Actions() {
		rule, _ := s.cfg.Policy.Rule(a)
		if rule.Audience == auth.Public || !s.cfg.Policy.Allow(p, a) || a == auth.HomeView || a == auth.Logout {
			continue // public things, this page itself, and the header's logout
		}
		key := "action." + string(a)
		if _, ok := s.msgs[key]; !ok {
			continue // an API-only action without a UI label
		}
		data.Actions = append(data.Actions, actionItem{Key: key, Link: s.links[a]})
	}
	return s.render(w, r, http.StatusOK, "home", "home.title", data)
}

type loginData struct {
	Next     string
	Username string
}

func (s *Site) loginForm(w http.ResponseWriter, r *http.Request) error {
	if auth.FromContext(r.Context()) != nil {
		http.Redirect(w, r, api.SafeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return nil
	}
	return s.render(w, r, http.StatusOK, "login", "login.title", loginData{Next: api.SafeNext(r.URL.Query().Get("next"))})
}

func remoteHost(r *http.Request) string {
	h, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return h
}

func (s *Site) login(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return api.BadRequest("", "bad form")
	}
	next := api.SafeNext(r.PostFormValue("next"))
	username := r.PostFormValue("username")
	res, err := s.cfg.Auth.PasswordLogin(r.Context(), username, r.PostFormValue("password"), remoteHost(r))
	switch {
	case errors.Is(err, auth.ErrRateLimited):
		return s.render(w, r, http.StatusTooManyRequests, "login", "login.title", loginData{Next: next, Username: username}, "", s.t(r, "login.limited"))
	case errors.Is(err, auth.ErrBadCredentials):
		return s.render(w, r, http.StatusUnauthorized, "login", "login.title", loginData{Next: next, Username: username}, "", s.t(r, "login.bad"))
	case err != nil:
		return err
	}
	if res.Session != nil {
		http.SetCookie(w, s.cfg.Auth.Cookie(res.Session, s.cfg.TLS))
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	return s.renderTOTP(w, r, http.StatusOK, res.Challenge, next, "")
}

type totpData struct {
	Challenge string
	Next      string
	Enrolment *auth.Enrolment
	// QR is the data: URL of the otpauth QR code. It is a template.URL
	// because html/template replaces data: URLs in src with "#ZgotmplZ";
	// this one is built here from a PNG encoding, not from input.
	QR template.URL
}

func (s *Site) renderTOTP(w http.ResponseWriter, r *http.Request, status int, c *auth.Challenge, next, errMsg string) error {
	d := totpData{Challenge: c.Token, Next: next, Enrolment: c.Enrolment}
	if c.Enrolment != nil {
		d.QR = qrCode(c.Enrolment.URL)
	}
	return s.render(w, r, status, "totp", "totp.title", d, "", errMsg)
}

// qrCode returns a data: URL of a 200×200 PNG QR code of an otpauth:// URL,
// or "" when it cannot be made (the page then shows the secret only). It is
// a template.URL because html/template replaces data: URLs in src with
// "#ZgotmplZ"; this one is built here from a PNG encoding, not from input.
func qrCode(otpauthURL string) template.URL {
	key, err := otp.NewKeyFromURL(otpauthURL)
	if err != nil {
		return ""
	}
	img, err := key.Image(200, 200)
	if err != nil {
		return ""
	}
	var b bytes.Buffer
	if png.Encode(&b, img) != nil {
		return ""
	}
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(b.Bytes()))
}

func (s *Site) loginTOTP(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return api.BadRequest("", "bad form")
	}
	next := api.SafeNext(r.PostFormValue("next"))
	challenge := r.PostFormValue("challenge")
	sess, err := s.cfg.Auth.CompleteTOTP(r.Context(), challenge, strings.TrimSpace(r.PostFormValue("code")), remoteHost(r))
	switch {
	case errors.Is(err, auth.ErrBadTOTP):
		// The challenge stays valid until it expires: ask again. An
		// enrolment secret is not shown again; the user restarts the login.
		return s.renderTOTP(w, r, http.StatusUnauthorized, &auth.Challenge{Token: challenge}, next, s.t(r, "totp.bad"))
	case errors.Is(err, auth.ErrChallengeExpired):
		return s.render(w, r, http.StatusUnauthorized, "login", "login.title", loginData{Next: next}, "", s.t(r, "login.expired"))
	case errors.Is(err, auth.ErrRateLimited):
		return s.render(w, r, http.StatusTooManyRequests, "login", "login.title", loginData{Next: next}, "", s.t(r, "login.limited"))
	case err != nil:
		return err
	}
	http.SetCookie(w, s.cfg.Auth.Cookie(sess, s.cfg.TLS))
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (s *Site) logout(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(auth.SessionCookie); err == nil {
		if err := s.cfg.Auth.Logout(r.Context(), c.Value); err != nil {
			return err
		}
	}
	http.SetCookie(w, s.cfg.Auth.ClearCookie(s.cfg.TLS))
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

func (s *Site) inbox(w http.ResponseWriter, r *http.Request) error {
	p := auth.FromContext(r.Context())
	var data struct{ Messages any }
	if s.cfg.Notifier != nil {
		msgs, err := s.cfg.Notifier.Inbox(r.Context(), p.UserID, p.OrgID)
		if err != nil {
			return err
		}
		data.Messages = msgs
	}
	return s.render(w, r, http.StatusOK, "inbox", "inbox.title", data)
}

func (s *Site) inboxRead(w http.ResponseWriter, r *http.Request) error {
	p := auth.FromContext(r.Context())
	if s.cfg.Notifier == nil {
		return api.NotFound("no such message")
	}
	if err := s.cfg.Notifier.MarkRead(r.Context(), p.UserID, p.OrgID, r.PathValue("id")); err != nil {
		return err
	}
	http.Redirect(w, r, "/inbox", http.StatusSeeOther)
	return nil
}

type tokensData struct {
	Raw    string
	Tokens []auth.Token
	Now    time.Time
}

func (s *Site) tokensPage(w http.ResponseWriter, r *http.Request, status int, raw string, msg ...string) error {
	p := auth.FromContext(r.Context())
	toks, err := s.cfg.Auth.Tokens(r.Context(), p.UserID)
	if err != nil {
		return err
	}
	return s.render(w, r, status, "tokens", "tokens.title", tokensData{Raw: raw, Tokens: toks, Now: s.cfg.Now()}, msg...)
}

func (s *Site) tokens(w http.ResponseWriter, r *http.Request) error {
	return s.tokensPage(w, r, http.StatusOK, "")
}

func (s *Site) tokenCreate(w http.ResponseWriter, r *http.Request) error {
	p := auth.FromContext(r.Context())
	if err := r.ParseForm(); err != nil {
		return api.BadRequest("", "bad form")
	}
	days, err := strconv.Atoi(r.PostFormValue("days"))
	if err != nil || days < 1 || days > 365 {
		return s.tokensPage(w, r, http.StatusBadRequest, "", "", "days: 1–365")
	}
	raw, _, err := s.cfg.Auth.CreateToken(r.Context(), p, p.UserID, strings.TrimSpace(r.PostFormValue("name")), time.Duration(days)*24*time.Hour)
	if err != nil {
		if msg, ok := s.userFacing(r, err); ok {
			return s.tokensPage(w, r, http.StatusBadRequest, "", "", msg)
		}
		return err
	}
	return s.tokensPage(w, r, http.StatusCreated, raw)
}

func (s *Site) tokenRevoke(w http.ResponseWriter, r *http.Request) error {
	p := auth.FromContext(r.Context())
	t, err := s.cfg.Auth.Token(r.Context(), r.PathValue("id"))
	if err != nil || t.UserID != p.UserID {
		// Someone else's token is reported as absent, not forbidden.
		return api.NotFound("no such token")
	}
	if err := s.cfg.Auth.RevokeToken(r.Context(), p, t.ID); err != nil {
		return err
	}
	http.Redirect(w, r, "/account/tokens", http.StatusSeeOther)
	return nil
}

// ruleMessages are the catalogue messages for the legal rules the auth
// service enforces, so that pages explain them in the user's language.
var ruleMessages = []struct {
	err error
	key string
}{
	{auth.ErrSameAdmin, "accounts.same_admin"},
	{auth.ErrDisableSelf, "accounts.disable_self"},
}

// userFacing returns the message of an input error or a rule the auth
// service reports, so pages can show it next to the form.
func (s *Site) userFacing(r *http.Request, err error) (string, bool) {
	for _, m := range ruleMessages {
		if errors.Is(err, m.err) {
			return s.t(r, m.key), true
		}
	}
	if statusOf(err) != http.StatusInternalServerError {
		return err.Error(), true
	}
	return "", false
}

// statusOf maps the account service's errors to HTTP statuses.
func statusOf(err error) int {
	switch {
	case errors.Is(err, auth.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, auth.ErrExists):
		return http.StatusConflict
	case errors.Is(err, auth.ErrInvalid):
		return http.StatusBadRequest
	case errors.Is(err, auth.ErrSameAdmin), errors.Is(err, auth.ErrForbidden), errors.Is(err, auth.ErrDisableSelf):
		// A legal rule (separation of duties), not the route policy.
		return http.StatusForbidden
	}
	return http.StatusInternalServerError
}

type accountsData struct {
	Users     []auth.User
	Pending   []auth.Grant
	Usernames map[string]string
	OrgNames  map[string]string
	// Issued is the TOTP secret a grant confirmation just issued, shown
	// this once to the confirming admin.
	Issued *issuedTOTP
}

// issuedTOTP is a TOTP secret issued at a grant's confirmation.
type issuedTOTP struct {
	Username string
	Secret   string
	QR       template.URL // see qrCode
}

func (s *Site) accounts(w http.ResponseWriter, r *http.Request) error {
	return s.accountsPage(w, r, http.StatusOK)
}

func (s *Site) accountsPage(w http.ResponseWriter, r *http.Request, status int, msg ...string) error {
	return s.accountsPageIssued(w, r, status, nil, msg...)
}

func (s *Site) accountsPageIssued(w http.ResponseWriter, r *http.Request, status int, issued *issuedTOTP, msg ...string) error {
	ctx := r.Context()
	users, err := s.cfg.Auth.Users(ctx)
	if err != nil {
		return err
	}
	pending, err := s.cfg.Auth.PendingGrants(ctx)
	if err != nil {
		return err
	}
	orgs, err := s.cfg.Auth.Orgs(ctx)
	if err != nil {
		return err
	}
	d := accountsData{Users: users, Pending: pending, Usernames: map[string]string{}, OrgNames: map[string]string{}, Issued: issued}
	for _, u := range users {
		d.Usernames[u.ID] = u.Username
	}
	for _, o := range orgs {
		d.OrgNames[o.ID] = o.Name
		if langOf(r) == Japanese && o.NameJA != "" {
			d.OrgNames[o.ID] = o.NameJA
		}
	}
	return s.render(w, r, status, "accounts", "accounts.title", d, msg...)
}

type accountForm struct {
	Username, DisplayName, Email, OrgID string
}

func (s *Site) accountNewPage(w http.ResponseWriter, r *http.Request, status int, f accountForm, msg ...string) error {
	orgs, err := s.cfg.Auth.Orgs(r.Context())
	if err != nil {
		return err
	}
	return s.render(w, r, status, "account_new", "accounts.new", struct {
		Orgs  []auth.Org
		Roles []auth.Role
		Form  accountForm
	}{orgs, auth.AllRoles, f}, msg...)
}

func (s *Site) accountNew(w http.ResponseWriter, r *http.Request) error {
	return s.accountNewPage(w, r, http.StatusOK, accountForm{})
}

func (s *Site) accountCreate(w http.ResponseWriter, r *http.Request) error {
	p := auth.FromContext(r.Context())
	if err := r.ParseForm(); err != nil {
		return api.BadRequest("", "bad form")
	}
	f := accountForm{Username: r.PostFormValue("username"), DisplayName: r.PostFormValue("display_name"),
		Email: r.PostFormValue("email"), OrgID: r.PostFormValue("org")}
	var roles []auth.Role
	for _, v := range r.PostForm["roles"] {
		if !auth.Role(v).Valid() {
			return s.accountNewPage(w, r, http.StatusBadRequest, f, "", "unknown role "+v)
		}
		roles = append(roles, auth.Role(v))
	}
	slices.Sort(roles)
	_, _, err := s.cfg.Auth.CreateUser(r.Context(), p, auth.NewUser{
		Username: f.Username, DisplayName: f.DisplayName, Email: f.Email, OrgID: f.OrgID,
		Roles: slices.Compact(roles), Password: r.PostFormValue("password"),
	})
	if err != nil {
		if msg, ok := s.userFacing(r, err); ok {
			return s.accountNewPage(w, r, statusOf(err), f, "", msg)
		}
		return err
	}
	return s.accountsPage(w, r, http.StatusCreated, s.t(r, "accounts.created"))
}

func (s *Site) accountDisable(w http.ResponseWriter, r *http.Request) error {
	p := auth.FromContext(r.Context())
	if err := s.cfg.Auth.DisableUser(r.Context(), p, r.PathValue("id")); err != nil {
		if msg, ok := s.userFacing(r, err); ok {
			return s.accountsPage(w, r, statusOf(err), "", msg)
		}
		return err
	}
	http.Redirect(w, r, "/admin/accounts", http.StatusSeeOther)
	return nil
}

func (s *Site) grantConfirm(w http.ResponseWriter, r *http.Request) error {
	p := auth.FromContext(r.Context())
	g, enr, err := s.cfg.Auth.ConfirmGrant(r.Context(), p, r.PathValue("id"))
	if err != nil {
		if msg, ok := s.userFacing(r, err); ok {
			return s.accountsPage(w, r, statusOf(err), "", msg)
		}
		return err
	}
	if enr == nil {
		http.Redirect(w, r, "/admin/accounts", http.StatusSeeOther)
		return nil
	}
	// The grantee's TOTP secret was issued to this admin: show it once,
	// in this answer (not cached: the router sends no-store), for the
	// admin to hand to the user in person.
	u, err := s.cfg.Auth.User(r.Context(), g.UserID)
	if err != nil {
		return err
	}
	return s.accountsPageIssued(w, r, http.StatusOK, &issuedTOTP{Username: u.Username, Secret: enr.Secret, QR: qrCode(enr.URL)})
}

// totpReissue issues a new TOTP secret to a user who lost their
// authenticator and shows it once to this admin, as grantConfirm does.
func (s *Site) totpReissue(w http.ResponseWriter, r *http.Request) error {
	p := auth.FromContext(r.Context())
	enr, err := s.cfg.Auth.ReissueTOTP(r.Context(), p, r.PathValue("id"))
	if err != nil {
		if msg, ok := s.userFacing(r, err); ok {
			return s.accountsPage(w, r, statusOf(err), "", msg)
		}
		return err
	}
	u, err := s.cfg.Auth.User(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.accountsPageIssued(w, r, http.StatusOK, &issuedTOTP{Username: u.Username, Secret: enr.Secret, QR: qrCode(enr.URL)})
}

func (s *Site) passwordForm(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, "password", "password.title", nil)
}

// passwordChange changes the caller's own password after checking the
// current one; the service then ends every session of the user, this one
// included, so the user logs in again.
func (s *Site) passwordChange(w http.ResponseWriter, r *http.Request) error {
	p := auth.FromContext(r.Context())
	if err := r.ParseForm(); err != nil {
		return api.BadRequest("", "bad form")
	}
	if err := s.cfg.Auth.VerifyUserPassword(r.Context(), p.UserID, r.PostFormValue("current")); err != nil {
		switch {
		case errors.Is(err, auth.ErrBadCredentials):
			return s.render(w, r, http.StatusBadRequest, "password", "password.title", nil, "", s.t(r, "password.bad_current"))
		case errors.Is(err, auth.ErrRateLimited):
			return s.render(w, r, http.StatusTooManyRequests, "password", "password.title", nil, "", s.t(r, "login.limited"))
		}
		return err
	}
	if r.PostFormValue("new") != r.PostFormValue("confirm") {
		return s.render(w, r, http.StatusBadRequest, "password", "password.title", nil, "", s.t(r, "password.mismatch"))
	}
	if err := s.cfg.Auth.SetPassword(r.Context(), p, p.UserID, r.PostFormValue("new")); err != nil {
		if msg, ok := s.userFacing(r, err); ok {
			return s.render(w, r, statusOf(err), "password", "password.title", nil, "", msg)
		}
		return err
	}
	http.SetCookie(w, s.cfg.Auth.ClearCookie(s.cfg.TLS))
	// The session just ended: render as the public.
	r = r.WithContext(auth.WithPrincipal(r.Context(), nil))
	return s.render(w, r, http.StatusOK, "login", "login.title", loginData{Next: "/"}, s.t(r, "password.changed"))
}
