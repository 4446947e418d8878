package web_test

import (
	"bytes"
	"context"
	"flag"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/acd-platform/acd/internal/store/storetest"
	"github.com/acd-platform/acd/internal/web"
)

var screenshots = flag.String("screenshots", "", "also write the browser test's screenshots to this directory, to look at them")

// chromium returns the path of Debian's Chromium, or skips t.
func chromium(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	for _, name := range []string{"/usr/bin/chromium", "chromium"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("browser test skipped: no chromium (install the Debian package chromium, and fonts-noto-cjk for Japanese text)")
	return ""
}

// TestBrowserLogin logs in with a real headless Chromium, driven over the
// Chrome DevTools Protocol, and looks at the home page it lands on.
func TestBrowserLogin(t *testing.T) {
	exe := chromium(t)
	s := newSite(t, storetest.SQLite(t))
	s.operator(t, "sato", "佐藤 花子")
	ja := func(key string, args ...any) string { return s.msgs.T(web.Japanese, key, args...) }

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ctx, cancel = chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(exe),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox, // the tests may run as root, in a container
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1024, 768),
	)
	defer cancel()
	ctx, cancel = chromedp.NewContext(ctx)
	defer cancel()

	// value runs a that returns a value, failing the test on error.
	value := func(what string, a chromedp.Action[string]) string {
		t.Helper()
		v, err := chromedp.Run(ctx, a)
		if err != nil {
			t.Fatalf("browser: %s: %v", what, err)
		}
		return v
	}
	shot := func(what string) []byte {
		t.Helper()
		b, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // quality 100: PNG
		if err != nil {
			t.Fatalf("browser: screenshot of %s: %v", what, err)
		}
		return b
	}
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("browser: %s: %v", what, err)
		}
	}

	do("open the login page", chromedp.Navigate(s.url+"/login"), chromedp.WaitVisible(chromedp.ID("username")))
	lang, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS("html"), "lang"))
	if err != nil {
		t.Fatalf("browser: html lang: %v", err)
	}
	title := value("title", chromedp.Title())
	loginShot := shot("the login page")
	do("log in",
		chromedp.SendKeys(chromedp.ID("username"), "sato"),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)),
		// Only the signed-in home page has the roles list.
		chromedp.WaitVisible(chromedp.CSS("main section.card dl")),
	)
	loc := value("location", chromedp.Location())
	mainText := value("text", chromedp.Text(chromedp.CSS("main")))
	cookies := value("cookies", chromedp.Evaluate[string](`document.cookie`))
	homeShot := shot("the home page")

	if lang.Value != "ja" {
		t.Errorf("login page lang %q, want ja", lang.Value)
	}
	if !strings.Contains(title, ja("login.title")) {
		t.Errorf("login page title %q, want it to contain %q", title, ja("login.title"))
	}
	if loc != s.url+"/" {
		t.Errorf("after login the browser is at %q, want %q", loc, s.url+"/")
	}
	for _, want := range []string{"佐藤 花子", ja("role.operator"), ja("duty.operator")} {
		if !strings.Contains(mainText, want) {
			t.Errorf("home page text lacks %q:\n%s", want, mainText)
		}
	}
	if strings.Contains(cookies, "acd_session") {
		t.Error("the session cookie is visible to scripts (document.cookie)")
	}

	for name, shot := range map[string][]byte{"login": loginShot, "home": homeShot} {
		path := filepath.Join(t.TempDir(), name+".png")
		if err := os.WriteFile(path, shot, 0o644); err != nil {
			t.Fatal(err)
		}
		if *screenshots != "" {
			if err := os.WriteFile(filepath.Join(*screenshots, name+".png"), shot, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		im, err := png.Decode(bytes.NewReader(shot))
		if err != nil {
			t.Errorf("%s screenshot: %v", name, err)
			continue
		}
		if b := im.Bounds(); b.Dx() < 800 || b.Dy() < 400 || len(shot) < 10_000 {
			t.Errorf("%s screenshot: %dx%d px, %d bytes; want at least 800x400 and 10 kB", name, b.Dx(), b.Dy(), len(shot))
		}
	}
}
