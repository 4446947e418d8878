package web_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/web"
)

// TestCatalogueComplete checks that every message key the templates and
// handlers name literally, and every role's name and duties, is in
// messages.json in Japanese and English.
func TestCatalogueComplete(t *testing.T) {
	msgs, err := web.LoadCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	has := func(key string) bool { return msgs[key][web.Japanese] != "" && msgs[key][web.English] != "" }

	used := map[string][]string{} // key → files that use it
	for _, src := range []struct {
		glob string
		re   *regexp.Regexp
	}{
		// {{t .Lang "key"}} and {{t $.Lang "key" ...}} in templates.
		{"templates/*.html", regexp.MustCompile(`\bt \$?\.Lang "([^"]+)"`)},
		// s.t(r, "key") and the title of s.render(w, r, status, page, "key", ...)
		// in the handlers.
		{"*.go", regexp.MustCompile(`(?:s\.t\(r, |s\.render\(w, r, [^,]+, "[a-z_]+", )"([^"]+)"[,)]`)},
	} {
		files, err := filepath.Glob(src.glob)
		if err != nil || len(files) == 0 {
			t.Fatalf("glob %s: %v, %d files", src.glob, err, len(files))
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range src.re.FindAllStringSubmatch(string(b), -1) {
				used[m[1]] = append(used[m[1]], f)
			}
		}
	}
	if len(used) < 50 {
		t.Fatalf("found only %d message keys in templates and handlers: is the pattern stale?", len(used))
	}
	for key, files := range used {
		if !has(key) {
			t.Errorf("message %q (used in %v) is missing from the messages*.json catalogue or lacks ja or en", key, slices.Compact(files))
		}
	}

	// Keys built at run time: role names and duties, and the language switch.
	for _, r := range auth.AllRoles {
		for _, key := range []string{"role." + string(r), "duty." + string(r)} {
			if !has(key) {
				t.Errorf("role %s: message %q is missing or lacks ja or en", r, key)
			}
		}
	}
	for _, l := range []web.Lang{web.Japanese, web.English} {
		if other := web.Lang(msgs.T(l, "lang.other")); other == l || (other != web.Japanese && other != web.English) {
			t.Errorf("lang.other in %s is %q, want the other language", l, other)
		}
	}
}

// TestCatalogueT: a missing key shows as itself, so it is seen and fixed.
func TestCatalogueT(t *testing.T) {
	msgs, err := web.LoadCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		lang web.Lang
		key  string
		args []any
		want string
	}{
		{web.Japanese, "nav.home", nil, "ホーム"},
		{web.English, "nav.home", nil, "Home"},
		{web.Japanese, "home.welcome", []any{"佐藤"}, "佐藤 さん"},              // with an argument
		{web.English, "home.welcome", []any{"Sato"}, "Signed in as Sato"}, // in English
		{web.Japanese, "no.such.key", nil, "[no.such.key]"},               // missing: shown, not hidden
		{web.Lang("fr"), "nav.home", nil, "[nav.home]"},                   // unknown language
	} {
		if got := msgs.T(tc.lang, tc.key, tc.args...); got != tc.want {
			t.Errorf("T(%s, %q) = %q, want %q", tc.lang, tc.key, got, tc.want)
		}
	}
}
