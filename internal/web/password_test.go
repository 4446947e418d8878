package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/store/storetest"
	"github.com/acd-platform/acd/internal/web"
)

// TestPasswordChange: the current password is checked, the new one typed
// twice, and a change ends the session so the user logs in again with the
// new password.
func TestPasswordChange(t *testing.T) {
	s := newSite(t, storetest.SQLite(t))
	s.operator(t, "sato", "佐藤 花子")
	ja := func(key string) string { return s.msgs.T(web.Japanese, key) }
	c := s.client(t)
	c.login("sato")
	tok := c.csrf("/account/password")

	const newPW = "a much longer new secret"
	tests := []struct {
		name    string
		form    url.Values
		status  int
		message string
	}{
		// The current password must be right.
		{"wrong current", url.Values{"current": {"not it at all"}, "new": {newPW}, "confirm": {newPW}}, http.StatusBadRequest, ja("password.bad_current")},
		// The new password is typed twice.
		{"mismatch", url.Values{"current": {password}, "new": {newPW}, "confirm": {newPW + "x"}}, http.StatusBadRequest, ja("password.mismatch")},
		// Too short for the policy.
		{"too short", url.Values{"current": {password}, "new": {"short"}, "confirm": {"short"}}, http.StatusBadRequest, ""},
	}
	for _, tt := range tests {
		tt.form.Set("csrf", tok)
		r := c.post("/account/password", tt.form)
		if r.status != tt.status || !strings.Contains(r.text(), tt.message) {
			t.Errorf("%s: status %d, want %d with %q", tt.name, r.status, tt.status, tt.message)
		}
	}
	r := c.post("/account/password", url.Values{"csrf": {tok}, "current": {password}, "new": {newPW}, "confirm": {newPW}})
	if r.status != http.StatusOK || !strings.Contains(r.text(), ja("password.changed")) {
		t.Fatalf("change: status %d, want 200 with %q", r.status, ja("password.changed"))
	}
	if ck := r.cookie(auth.SessionCookie); ck == nil || ck.MaxAge >= 0 {
		t.Error("change did not clear the session cookie")
	}
	// The old session is over, the old password no longer works, the new one does.
	if r := c.get("/inbox"); r.status != http.StatusSeeOther {
		t.Errorf("GET /inbox after the change: status %d, want a redirect to login", r.status)
	}
	if r := c.post("/login", url.Values{"username": {"sato"}, "password": {password}}); r.status != http.StatusUnauthorized {
		t.Errorf("login with the old password: status %d, want 401", r.status)
	}
	if r := c.post("/login", url.Values{"username": {"sato"}, "password": {newPW}}); r.status != http.StatusSeeOther {
		t.Errorf("login with the new password: status %d, want 303", r.status)
	}
}
