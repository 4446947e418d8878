package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/acd-platform/acd/internal/web"
)

// TestBrowserAdvisory publishes an advisory through the pages with a real
// headless Chromium: an analyst drafts it from the home page, with both
// parts and TLP:CLEAR, and submits it for review; a second analyst finds
// it among the advisories in review and publishes it; then, logged out,
// the public alert is on /alerts, reached from the header, and its page
// shows the threat-hunting guidance.
func TestBrowserAdvisory(t *testing.T) {
	exe := chromium(t)
	s, _ := newShSite(t)
	tr := func(key string, args ...any) string { return s.msgs.T(web.Japanese, key, args...) }

	b := newBrowser(t, exe, s, 90*time.Second)
	do, mainText, shot, logout, link, flash := b.do, b.mainText, b.shot, b.logout, linkText, b.flash
	login := func(username string) {
		t.Helper()
		b.login(username, homePage())
	}

	const title = "VPN 装置を狙う攻撃への注意"
	const hunting = "VPN のログで、未知のアドレスから /dana-na/ への POST を探す。"

	// The author drafts the advisory from the home page and submits it.
	login("author")
	do("open the advisory form",
		chromedp.Click(link(tr("action.advisory.write"))),
		chromedp.WaitVisible(chromedp.ID("advisory-form")),
		chromedp.SendKeys(chromedp.ID("a-title"), title),
		chromedp.Click(chromedp.ID("a-tlp-clear")),
		chromedp.SendKeys(chromedp.ID("a-background"), "電力事業者を狙う攻撃キャンペーンが続いている。"),
		chromedp.SendKeys(chromedp.ID("a-purpose"), "諜報と事前の侵入。"),
		chromedp.SendKeys(chromedp.ID("a-impact"), "料金システムの制御を失うおそれ。"),
		chromedp.SendKeys(chromedp.ID("a-actions"), "VPN 装置を更新し、Web シェルを探索する。"),
		chromedp.SendKeys(chromedp.ID("a-summary"), "VPN 装置の脆弱性を悪用し、Web シェルを設置する攻撃を観測した。"),
		chromedp.SendKeys(chromedp.ID("a-indicators"), "203.0.113.7 C2 サーバ\ndomain c2.example"),
		chromedp.SendKeys(chromedp.ID("a-techniques"), "T1190 Exploit Public-Facing Application"),
		chromedp.SendKeys(chromedp.ID("a-hunting"), hunting),
	)
	shot("advisory-form")
	do("save the draft", chromedp.Click(chromedp.ID("a-submit")), chromedp.WaitVisible(flash("advisory.done.created")))
	if text := mainText("the draft"); !strings.Contains(text, tr("advisory.state.draft")) || !strings.Contains(text, "c2.example") {
		t.Errorf("the draft's page lacks its state or indicators:\n%s", text)
	}
	do("submit it for review", chromedp.Click(chromedp.ID("submit-button")), chromedp.WaitVisible(flash("advisory.done.submitted")))
	shot("advisory-submitted")
	logout()

	// A second analyst publishes it from the advisories in review.
	login("reviewer")
	do("open the advisories in review",
		chromedp.Click(link(tr("action.advisory.review"))),
		chromedp.WaitVisible(chromedp.CSS("table.advisories")),
		chromedp.Click(link(title)),
		chromedp.WaitVisible(chromedp.ID("publish-form")),
	)
	shot("advisory-review")
	do("publish it", chromedp.Click(chromedp.ID("publish-button")), chromedp.WaitVisible(flash("advisory.done.published")))
	if text := mainText("the published advisory"); !strings.Contains(text, tr("advisory.state.published")) {
		t.Errorf("the advisory is not shown published:\n%s", text)
	}
	logout()

	// The public alert, without logging in.
	do("open the public alerts from the header",
		chromedp.Click(chromedp.CSS(`header a[href="/alerts"]`)),
		chromedp.WaitVisible(chromedp.ID("atom-link")),
	)
	if text := mainText("the public alerts"); !strings.Contains(text, title) || !strings.Contains(text, "TLP:CLEAR") {
		t.Errorf("/alerts lacks the alert:\n%s", text)
	}
	shot("alerts")
	do("open the alert", chromedp.Click(link(title)), chromedp.WaitVisible(chromedp.ID("hunting")))
	text := mainText("the alert")
	for _, want := range []string{title, hunting, "料金システムの制御を失うおそれ。", "T1190", tr("alert.issuer.name")} {
		if !strings.Contains(text, want) {
			t.Errorf("the alert's page lacks %q:\n%s", want, text)
		}
	}
	shot("alert")
}
