package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/acd-platform/acd/internal/web"
)

// TestBrowserVendorRequest runs §42 in a real headless Chromium: the
// vendor registers PAN-OS from its home page; an analyst sends it a
// request to act on CVE-2024-3400 (an operator's firewall is affected);
// the vendor answers with the fixed version and a mitigation; the public
// reads the mitigation among the alerts; and the operator finds the
// notice naming its firewall in its inbox.
func TestBrowserVendorRequest(t *testing.T) {
	exe := chromium(t)
	s, w := vendorWorld(t)
	tr := func(key string, args ...any) string { return s.msgs.T(web.Japanese, key, args...) }
	b := newBrowser(t, exe, s, 90*time.Second)
	do, mainText, shot, logout, link, flash := b.do, b.mainText, b.shot, b.logout, linkText, b.flash
	login := func(username string) {
		t.Helper()
		b.login(username, homePage())
	}

	login("vendor")
	do("register PAN-OS",
		chromedp.Click(link(tr("action.vendor.products_write"))),
		chromedp.Click(chromedp.ID("vp-new")),
		chromedp.WaitVisible(chromedp.ID("product-form")),
		chromedp.SendKeys(chromedp.ID("vp-name"), "PAN-OS"),
		chromedp.SendKeys(chromedp.ID("vp-cpe"), "cpe:2.3:o:paloaltonetworks:pan-os:*:*:*:*:*:*:*:*"),
		chromedp.SendKeys(chromedp.ID("vp-rv"), "Palo Alto Networks"),
		chromedp.SendKeys(chromedp.ID("vp-rp"), "PAN-OS"),
		chromedp.Click(chromedp.ID("vp-submit")),
		chromedp.WaitVisible(flash("vendor.done.product_created")),
	)
	logout()

	login("author")
	do("send the request to act",
		chromedp.Navigate(s.url+"/vulns/CVE-2024-3400/vendors"),
		chromedp.WaitVisible(chromedp.ID("send-"+w.orgs["ven"].ID)),
		chromedp.SendKeys(chromedp.ID("vs-msg-"+w.orgs["ven"].ID), "修正版と緩和策を回答してください。"),
		chromedp.Click(chromedp.ID("vs-submit-"+w.orgs["ven"].ID)),
		chromedp.WaitVisible(flash("vendor.done.sent")),
	)
	if text := mainText("the request"); !strings.Contains(text, tr("vendor.kind.request")) || !strings.Contains(text, tr("vendor.state.sent")) {
		t.Errorf("the sent request's page:\n%s", text)
	}
	logout()

	login("vendor")
	do("answer the request",
		chromedp.Click(link(tr("action.vendor.read"))),
		chromedp.WaitVisible(chromedp.CSS("table.vendor-requests")),
		chromedp.Click(link("CVE-2024-3400")),
		chromedp.WaitVisible(chromedp.ID("answer-form")),
		chromedp.SendKeys(chromedp.ID("va-0-affected"), "vers:generic/>=10.2.0|<10.2.9-h1"),
		chromedp.SendKeys(chromedp.ID("va-0-fixed"), "10.2.9-h1"),
		chromedp.SendKeys(chromedp.ID("va-mitigation"), "Threat ID 95187 で攻撃を遮断する。"),
		chromedp.SendKeys(chromedp.ID("va-investigation"), "gpsvc.log で failed to unmarshal session を検索する。"),
	)
	shot("vendor-answer")
	do("submit the answer", chromedp.Click(chromedp.ID("va-submit")), chromedp.WaitVisible(flash("vendor.done.answered")))
	if text := mainText("the answered request"); !strings.Contains(text, tr("vendor.state.answered")) || !strings.Contains(text, tr("vendor.published_on.answer")) {
		t.Errorf("the answered request's page:\n%s", text)
	}
	logout()

	do("read the mitigation among the public alerts",
		chromedp.Click(chromedp.CSS(`header a[href="/alerts"]`)),
		chromedp.WaitVisible(chromedp.ID("atom-link")),
		chromedp.Click(chromedp.Search(`//a[contains(normalize-space(), "CVE-2024-3400")]`)),
		chromedp.WaitVisible(chromedp.ID("hunting")),
	)
	if text := mainText("the alert"); !strings.Contains(text, "10.2.9-h1") || !strings.Contains(text, "Threat ID 95187") {
		t.Errorf("the public alert lacks the fixed version or the mitigation:\n%s", text)
	}
	shot("vendor-alert")

	login("opr")
	do("open the inbox", chromedp.Click(chromedp.CSS(`header a[href="/inbox"]`)), chromedp.WaitVisible(chromedp.CSS("main")))
	if text := mainText("the inbox"); !strings.Contains(text, "Mitigation published: CVE-2024-3400") || !strings.Contains(text, "dmz-fw-1") {
		t.Errorf("the operator's inbox lacks the notice naming dmz-fw-1:\n%s", text)
	}
}
