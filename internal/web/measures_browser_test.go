package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/acd-platform/acd/internal/web"
)

// TestBrowserMeasureEmergency takes an emergency measure through the
// pages with a real headless Chromium: a designated officer opens a case
// from the home page, records that the target is in Japan and declares an
// emergency, and the page shows the post-notification's due time in
// Japan time; the officer files the post-notification; a commission
// member finds it in the commission's queue and answers with a
// recommendation; the officer, logged in again, sees the review on the
// case and opens the recommendation addressed to their agency.
func TestBrowserMeasureEmergency(t *testing.T) {
	exe := chromium(t)
	s, w := newMsrSite(t)
	w.designate(t)
	tr := func(key string, args ...any) string { return s.msgs.T(web.Japanese, key, args...) }

	b := newBrowser(t, exe, s, 90*time.Second)
	do, value, mainText, shot, logout, flash := b.do, b.value, b.mainText, b.shot, b.logout, b.flash
	// secrets are the TOTP secrets the users enrolled on their first
	// login, as their authenticators keep them.
	secrets := map[string]string{}
	login := func(username string) {
		t.Helper()
		secrets[username] = b.loginTOTP(username, secrets[username])
		s.clock.Advance(30 * time.Second) // the next login gets a fresh code
	}

	// The officer opens the case from the home page.
	login("ofc")
	do("open a case",
		chromedp.Click(chromedp.Search(`//a[normalize-space()="`+tr("action.measure.open")+`"]`)),
		chromedp.WaitVisible(chromedp.ID("open-form")),
		chromedp.Click(chromedp.ID("o-path-police")),
		chromedp.SendKeys(chromedp.ID("o-title"), "変電所を狙う C2 サーバ"),
		chromedp.SendKeys(chromedp.ID("o-targets"), "203.0.113.7|c2.example|Example Hosting|abuse@hosting.example|JP"),
		chromedp.SendKeys(chromedp.ID("o-traffic"), "4月1日から変電所の制御系への C2 通信を観測。"),
		chromedp.SendKeys(chromedp.ID("o-harm"), "停電による生命・身体への重大な危害のおそれ。"),
		chromedp.SendKeys(chromedp.ID("o-urgency"), "攻撃の指令が数時間以内に出るおそれ。"),
		chromedp.Click(chromedp.ID("o-kind-order_admin")),
		chromedp.Click(chromedp.ID("o-kind-stop_program")),
		chromedp.Click(chromedp.ID("o-only")),
		chromedp.SendKeys(chromedp.ID("o-only-text"), "事業者に連絡がつかない。"),
		chromedp.Click(chromedp.ID("o-least")),
		chromedp.SendKeys(chromedp.ID("o-least-text"), "C2 プログラムの停止に限る。"),
		chromedp.SendKeys(chromedp.ID("o-third"), "同居する他のサイトへの影響はない。"),
		chromedp.Click(chromedp.ID("o-submit")),
		chromedp.WaitVisible(flash("measure.done.opened")),
	)
	caseURL, _, _ := strings.Cut(value("location", chromedp.Location()), "?")
	shot("measure-opened")

	// The location, in Japan.
	do("record the location",
		chromedp.Click(chromedp.ID("l-yes")),
		chromedp.SendKeys(chromedp.ID("l-geo"), "東京都内のデータセンター"),
		chromedp.Click(chromedp.ID("l-submit")),
		chromedp.WaitVisible(flash("measure.done.location")),
	)
	if row := value("the location gate", chromedp.Text(chromedp.ID("gate-location"))); !strings.Contains(row, tr("measure.gate.status.passed")) {
		t.Errorf("the location gate %q is not passed", row)
	}

	// The emergency: the post-notification falls due, shown in Japan time.
	declared := s.clock.Now()
	do("declare the emergency",
		chromedp.SendKeys(chromedp.ID("em-text"), "攻撃が始まり、委員会の承認を待ついとまがない。"),
		chromedp.Click(chromedp.ID("em-submit")),
		chromedp.WaitVisible(chromedp.ID("post-notice-due")),
	)
	due := declared.Add(s.srv.Measures.PostNoticeWithin())
	if got := value("the due time", chromedp.Text(chromedp.ID("post-notice-due"))); !strings.Contains(got, jstShown(due)) {
		t.Errorf("the post-notification's due time reads %q, want %s", got, jstShown(due))
	}
	if row := value("the commission gate", chromedp.Text(chromedp.ID("gate-commission"))); !strings.Contains(row, tr("measure.gate.status.passed")) {
		t.Errorf("the commission gate %q is not passed by the emergency", row)
	}
	shot("measure-emergency")

	do("file the post-notification",
		chromedp.SendKeys(chromedp.ID("pn-what"), "管理者に C2 プログラムの停止を命じた。"),
		chromedp.SendKeys(chromedp.ID("pn-why"), "深夜で委員会を招集できなかった。"),
		chromedp.Click(chromedp.ID("pn-submit")),
		chromedp.WaitVisible(chromedp.ID("post-notice")),
	)
	if text := value("the post-notification", chromedp.Text(chromedp.ID("post-notice"))); !strings.Contains(text, tr("measure.post_notice.on_time")) {
		t.Errorf("the post-notification %q is not on time", text)
	}
	logout()

	// A member reviews it from the commission's queue.
	login("m1")
	do("open the queue",
		chromedp.Click(chromedp.Search(`//a[normalize-space()="`+tr("action.post_notice.review")+`"]`)),
		chromedp.WaitVisible(chromedp.ID("q-post-notices")),
		chromedp.Click(chromedp.Search(`//table[contains(@class,"queue")]//a[normalize-space()="変電所を狙う C2 サーバ"]`)),
		chromedp.WaitVisible(chromedp.ID("review-form")),
	)
	shot("measure-review-form")
	recDue := s.clock.Now().Add(30 * 24 * time.Hour)
	do("review with a recommendation",
		chromedp.Click(chromedp.ID("rv-recommendation")),
		chromedp.SendKeys(chromedp.ID("rv-text"), "緊急の判断の記録を残す手順を整備すること。"),
		chromedp.SetValue(chromedp.ID("rv-due"), jstLocal(recDue)),
		chromedp.Click(chromedp.ID("rv-submit")),
		chromedp.WaitVisible(chromedp.ID("review")),
	)
	logout()

	// The officer sees the review and the recommendation to the NPA.
	login("ofc")
	do("open the case", chromedp.Navigate(caseURL), chromedp.WaitVisible(chromedp.ID("review")))
	text := value("the review", chromedp.Text(chromedp.ID("review")))
	for _, want := range []string{tr("measure.review.outcome.recommendation"), "緊急の判断の記録を残す手順を整備すること。", jstShown(recDue)} {
		if !strings.Contains(text, want) {
			t.Errorf("the review the officer sees lacks %q:\n%s", want, text)
		}
	}
	shot("measure-reviewed")
	do("open the recommendation", chromedp.Click(chromedp.ID("recommendation-link")), chromedp.WaitVisible(chromedp.ID("rec-h")))
	if text := mainText("the recommendation"); !strings.Contains(text, "緊急の判断の記録を残す手順を整備すること。") || !strings.Contains(text, "警察庁") {
		t.Errorf("the recommendation page lacks the text or the NPA:\n%s", text)
	}
	shot("measure-recommendation")
}
