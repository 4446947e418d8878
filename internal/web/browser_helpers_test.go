package web_test

import (
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

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

// browser is a headless Chromium, driven over the Chrome DevTools
// Protocol, on the pages of a test's site. Its methods fail the test on
// any error of the browser.
type browser struct {
	t   *testing.T
	ctx context.Context // the browser's tab, until the test's deadline
	s   *site
}

// newBrowser starts exe (from [chromium]) headless, with a fresh profile
// and a 1024×768 window, on s's pages; the test has timeout to drive it.
// The browser is closed when the test ends.
func newBrowser(t *testing.T, exe string, s *site, timeout time.Duration) *browser {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
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
	t.Cleanup(cancel)
	ctx, cancel = chromedp.NewContext(ctx)
	t.Cleanup(cancel)
	return &browser{t: t, ctx: ctx, s: s}
}

// do runs steps, what they do named by what.
func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatalf("browser: %s: %v", what, err)
	}
}

// value runs a, which returns a value, named by what.
func (b *browser) value(what string, a chromedp.Action[string]) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, a)
	if err != nil {
		b.t.Fatalf("browser: %s: %v", what, err)
	}
	return v
}

// mainText is the visible text of the page's main part; what names the
// page.
func (b *browser) mainText(what string) string {
	b.t.Helper()
	return b.value("text of "+what, chromedp.Text(chromedp.CSS("main")))
}

// screenshot returns a PNG of the whole page; what names the page.
func (b *browser) screenshot(what string) []byte {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100)) // quality 100: PNG
	if err != nil {
		b.t.Fatalf("browser: screenshot of %s: %v", what, err)
	}
	return png
}

// shot writes a screenshot of the page as name.png in the -screenshots
// directory, when there is one.
func (b *browser) shot(name string) {
	b.t.Helper()
	if *screenshots == "" {
		return
	}
	if err := os.WriteFile(filepath.Join(*screenshots, name+".png"), b.screenshot(name), 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// homePage waits for the signed-in home page: only it has the roles list.
func homePage() chromedp.Action[chromedp.Void] {
	return chromedp.WaitVisible(chromedp.CSS("main section.card dl"))
}

// login sends the login form as username with the test password, then
// runs then (such as [homePage], or waiting for the TOTP form).
func (b *browser) login(username string, then ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	b.do("log in as "+username, append([]chromedp.Action[chromedp.Void]{
		chromedp.Navigate(b.s.url + "/login"),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), username),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)),
	}, then...)...)
}

// loginTOTP logs username in with its second factor, up to the home page.
// secret is the TOTP secret the user enrolled; "" on the first login,
// which enrols the secret the page shows. It returns the secret, which
// the user's authenticator (the test) keeps for the next login.
func (b *browser) loginTOTP(username, secret string) string {
	b.t.Helper()
	b.login(username, chromedp.WaitVisible(chromedp.ID("code")))
	if secret == "" {
		secret = strings.TrimSpace(b.value("the enrolment secret", chromedp.Text(chromedp.CSS("code.secret"))))
	}
	b.do("enter the TOTP code of "+username,
		chromedp.SendKeys(chromedp.ID("code"), b.s.code(b.t, secret)),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)),
		homePage(),
	)
	return secret
}

// logout logs out with the header's button.
func (b *browser) logout() {
	b.t.Helper()
	b.do("log out", chromedp.Click(chromedp.CSS(`header form button[type="submit"]`)), chromedp.WaitVisible(chromedp.ID("username")))
}

// linkText finds the link whose visible text is text.
func linkText(text string) chromedp.Search {
	return chromedp.Search(`//a[normalize-space()="` + text + `"]`)
}

// flash finds the flash message of key, in Japanese.
func (b *browser) flash(key string) chromedp.Search {
	return chromedp.Search(`//p[@class="flash" and normalize-space()="` + b.s.msgs.T(web.Japanese, key) + `"]`)
}
