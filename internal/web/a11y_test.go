package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	xhtml "golang.org/x/net/html"

	"github.com/acd-platform/acd/internal/store/storetest"
	"github.com/acd-platform/acd/internal/web"
)

// TestAccessibility checks basics on every page a public visitor, an
// operator and an admin can reach, in both languages: the document language
// is set, there is one <h1>, every visible form control has a label, ids
// are unique, images have alt text.
func TestAccessibility(t *testing.T) {
	s := newSite(t, storetest.SQLite(t))
	s.operator(t, "sato", "佐藤 花子")
	s.admin(t, "alice", "Alice Admin")

	for _, lang := range []web.Lang{web.Japanese, web.English} {
		pages := map[string]*response{} // name → page
		c := func() *client {
			c := s.client(t)
			if r := c.get("/lang/" + string(lang)); r.status != http.StatusSeeOther {
				t.Fatalf("GET /lang/%s: status %d, want 303", lang, r.status)
			}
			return c
		}

		public := c()
		pages["public /"] = public.get("/")
		pages["public /login"] = public.get("/login")
		pages["public 404"] = public.get("/no/such/page")
		pages["failed login"] = public.post("/login", url.Values{"username": {"sato"}, "password": {"wrong password!"}})

		op := c()
		op.login("sato")
		for _, p := range []string{"/", "/inbox", "/account/tokens"} {
			pages["operator "+p] = op.get(p)
		}
		pages["token created"] = op.post("/account/tokens", url.Values{"csrf": {op.csrf("/")}, "name": {"ci"}, "days": {"10"}})
		pages["operator 403"] = op.get("/admin/accounts")
		pages["csrf 403"] = op.post("/account/tokens", url.Values{"name": {"x"}, "days": {"1"}})

		adm := c()
		r := adm.post("/login", url.Values{"username": {"alice"}, "password": {password}})
		pages["totp"] = r
		adm.s.mu.Lock()
		secret := enrolSecret(r.body)
		if secret == "" {
			secret = s.secrets["alice"]
		}
		s.secrets["alice"] = secret
		adm.s.mu.Unlock()
		if r := adm.post("/login/totp", url.Values{"challenge": {inputValue(r.body, "challenge")}, "code": {s.code(t, secret)}}); r.status != http.StatusSeeOther {
			t.Fatalf("admin login: status %d, want 303", r.status)
		}
		s.clock.Advance(30 * time.Second)
		for _, p := range []string{"/", "/admin/accounts", "/admin/accounts/new"} {
			pages["admin "+p] = adm.get(p)
		}
		pages["account form error"] = adm.post("/admin/accounts", url.Values{"csrf": {adm.csrf("/")}, "username": {"X"}, "org": {s.org.ID}, "roles": {"operator"}, "password": {"short"}})

		for name, r := range pages {
			t.Run(string(lang)+"/"+name, func(t *testing.T) {
				if !strings.Contains(r.header.Get("Content-Type"), "text/html") {
					t.Fatalf("Content-Type %q, want HTML", r.header.Get("Content-Type"))
				}
				checkPage(t, r.body, lang)
			})
		}
	}
}

// checkPage checks one page's accessibility basics.
func checkPage(t *testing.T, body string, lang web.Lang) {
	t.Helper()
	doc := parse(t, body)
	htmls := elements(doc, "html")
	if l, _ := attr(htmls[0], "lang"); l != string(lang) {
		t.Errorf(`<html lang=%q>, want %q`, l, lang)
	}
	if hs := elements(doc, "h1"); len(hs) != 1 {
		t.Errorf("%d <h1>, want 1", len(hs))
	} else if strings.TrimSpace(textOf(hs[0])) == "" {
		t.Error("<h1> is empty")
	}
	if ts := elements(doc, "title"); len(ts) != 1 || strings.TrimSpace(textOf(ts[0])) == "" {
		t.Error("no <title>")
	}
	if len(elements(doc, "main")) != 1 {
		t.Error("no single <main> landmark")
	}

	ids := map[string]int{}
	walk(doc, func(n *xhtml.Node) {
		if id, ok := attr(n, "id"); ok && n.Type == xhtml.ElementNode {
			ids[id]++
		}
	})
	for id, n := range ids {
		if n > 1 {
			t.Errorf("id %q used %d times", id, n)
		}
	}
	labelled := map[string]bool{}
	for _, l := range elements(doc, "label") {
		if f, ok := attr(l, "for"); ok {
			if ids[f] == 0 {
				t.Errorf("<label for=%q> names no element", f)
			}
			if strings.TrimSpace(textOf(l)) == "" {
				t.Errorf("<label for=%q> is empty", f)
			}
			labelled[f] = true
		}
	}
	for _, tag := range []string{"input", "select", "textarea"} {
		for _, in := range elements(doc, tag) {
			if typ, _ := attr(in, "type"); typ == "hidden" {
				continue
			}
			id, _ := attr(in, "id")
			if labelled[id] && id != "" || insideLabel(in) {
				continue
			}
			name, _ := attr(in, "name")
			t.Errorf("<%s name=%q> has no label", tag, name)
		}
	}
	for _, b := range elements(doc, "button") {
		if strings.TrimSpace(textOf(b)) == "" {
			t.Error("a <button> has no text")
		}
	}
	for _, img := range elements(doc, "img") {
		if alt, ok := attr(img, "alt"); !ok || alt == "" {
			t.Error("an <img> has no alt text")
		}
	}
}

// insideLabel reports whether n is inside a <label> (an implicit label).
func insideLabel(n *xhtml.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type == xhtml.ElementNode && p.Data == "label" {
			return true
		}
	}
	return false
}
