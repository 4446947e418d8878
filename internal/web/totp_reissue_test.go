package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/acd-platform/acd/internal/store/storetest"
	"github.com/acd-platform/acd/internal/web"
)

// TestTOTPReissue: an admin issues a new second factor to another admin who
// lost the authenticator; it is shown once, the old secret stops working,
// and nobody can re-issue their own.
func TestTOTPReissue(t *testing.T) {
	s := newSite(t, storetest.SQLite(t))
	a := s.admin(t, "admin-a", "Admin A")
	b := s.admin(t, "admin-b", "Admin B")
	ca, cb := s.client(t), s.client(t)
	ca.loginTOTP("admin-a")
	cb.loginTOTP("admin-b")

	page := cb.get("/admin/accounts")
	if !strings.Contains(page.body, "/admin/accounts/"+a.ID+"/totp") {
		t.Fatalf("accounts page offers no re-issue for an enrolled admin")
	}
	if strings.Contains(page.body, "/admin/accounts/"+b.ID+"/totp") {
		t.Error("accounts page offers an admin the re-issue of their own second factor")
	}
	tok := inputValue(page.body, "csrf")
	// Nobody re-issues their own.
	if r := cb.post("/admin/accounts/"+b.ID+"/totp", url.Values{"csrf": {tok}}); r.status != http.StatusForbidden {
		t.Errorf("own re-issue: status %d, want 403", r.status)
	}
	r := cb.post("/admin/accounts/"+a.ID+"/totp", url.Values{"csrf": {tok}})
	if r.status != http.StatusOK || !strings.Contains(r.body, "data:image/png;base64,") {
		t.Fatalf("re-issue: status %d, want 200 with the QR code", r.status)
	}
	issued := enrolSecret(r.body)
	if issued == "" || !strings.Contains(r.text(), s.msgs.T(web.Japanese, "accounts.issued")) {
		t.Fatalf("re-issue page shows no secret or explanation")
	}
	// A's session ended; A's old secret no longer logs in (the harness
	// remembers it), the new one does.
	if r := ca.get("/admin/accounts"); r.status != http.StatusSeeOther {
		t.Errorf("A's session after the re-issue: status %d, want a redirect to login", r.status)
	}
	login := ca.post("/login", url.Values{"username": {"admin-a"}, "password": {password}})
	challenge := inputValue(login.body, "challenge")
	s.mu.Lock()
	old := s.secrets["admin-a"]
	s.mu.Unlock()
	if r := ca.post("/login/totp", url.Values{"challenge": {challenge}, "code": {s.code(t, old)}}); r.status != http.StatusUnauthorized {
		t.Errorf("old secret after the re-issue: status %d, want 401", r.status)
	}
	if r := ca.post("/login/totp", url.Values{"challenge": {challenge}, "code": {s.code(t, issued)}}); r.status != http.StatusSeeOther {
		t.Errorf("issued secret: status %d, want 303", r.status)
	}
}
