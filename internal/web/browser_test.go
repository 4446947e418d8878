package web_test

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/reporting"
	"github.com/acd-platform/acd/internal/store/storetest"
	"github.com/acd-platform/acd/internal/web"
)

// TestBrowserLogin logs in with a real headless Chromium, driven over the
// Chrome DevTools Protocol, and looks at the home page it lands on.
func TestBrowserLogin(t *testing.T) {
	exe := chromium(t)
	s := newSite(t, storetest.SQLite(t))
	s.operator(t, "sato", "佐藤 花子")
	ja := func(key string, args ...any) string { return s.msgs.T(web.Japanese, key, args...) }

	b := newBrowser(t, exe, s, 60*time.Second)

	b.do("open the login page", chromedp.Navigate(s.url+"/login"), chromedp.WaitVisible(chromedp.ID("username")))
	lang, err := chromedp.Run(b.ctx, chromedp.AttributeValue(chromedp.CSS("html"), "lang"))
	if err != nil {
		t.Fatalf("browser: html lang: %v", err)
	}
	title := b.value("title", chromedp.Title())
	loginShot := b.screenshot("the login page")
	b.do("log in",
		chromedp.SendKeys(chromedp.ID("username"), "sato"),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)),
		homePage(),
	)
	loc := b.value("location", chromedp.Location())
	mainText := b.value("text", chromedp.Text(chromedp.CSS("main")))
	cookies := b.value("cookies", chromedp.Evaluate[string](`document.cookie`))
	homeShot := b.screenshot("the home page")

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
		if r := im.Bounds(); r.Dx() < 800 || r.Dy() < 400 || len(shot) < 10_000 {
			t.Errorf("%s screenshot: %dx%d px, %d bytes; want at least 800x400 and 10 kB", name, r.Dx(), r.Dy(), len(shot))
		}
	}
}

// TestBrowserReporting files a report with a real headless Chromium, as an
// operator would: the quick report on /reports/new, then the full report
// on the report's page; then METI's user finds the operator on the
// compliance page with the report counted. It does so in Japanese, then
// switches the language and does it again in English.
func TestBrowserReporting(t *testing.T) {
	exe := chromium(t)
	s := newSite(t, storetest.SQLite(t))
	reportingUsers(t, s)
	us, err := s.srv.Auth.Users(s.ctx)
	if err != nil {
		t.Fatal(err)
	}
	sato := &auth.Principal{OrgID: s.org.ID, OrgKind: auth.OrgOperator, Sectors: []string{"electricity"}, Roles: []auth.Role{auth.RoleOperator}}
	for _, u := range us {
		if u.Username == "sato" {
			sato.UserID = u.ID
		}
	}
	if _, err := s.srv.Reporting.CreateAsset(s.ctx, sato, reporting.AssetInput{Name: "hq-vpn-1", Product: "FortiOS", Vendor: "Fortinet",
		Version: "7.2.8", Role: reporting.RoleVPNGateway, InternetFacing: true, Facility: "本社リモートアクセス"}); err != nil {
		t.Fatal(err)
	}

	b := newBrowser(t, exe, s, 180*time.Second)
	do, mainText, shot, logout := b.do, b.mainText, b.shot, b.logout
	// link is the link whose visible text is text.
	link := func(text string) chromedp.Search {
		return chromedp.Search(`//a[normalize-space()="` + text + `"]`)
	}
	login := func(username string) {
		t.Helper()
		b.login(username, homePage())
	}

	for round, lang := range []web.Lang{web.Japanese, web.English} {
		tr := func(key string, args ...any) string { return s.msgs.T(lang, key, args...) }
		summary := map[web.Lang]string{web.Japanese: "VPN装置への不審なログインを検知した。", web.English: "Suspicious logins on the VPN gateway."}[lang]

		// The operator files a quick report from the home page's link.
		login("sato")
		do("open the quick report form", chromedp.Click(link(tr("action.report.submit"))), chromedp.WaitVisible(chromedp.ID("r-summary")))
		if text := mainText("the quick report form"); !strings.Contains(text, tr("report.new.intro", 24, 72, 30)) {
			t.Errorf("%s: the quick report form lacks its deadlines %q", lang, tr("report.new.intro", 24, 72, 30))
		}
		do("fill in and send the quick report",
			chromedp.SendKeys(chromedp.ID("r-summary"), summary),
			chromedp.Click(chromedp.CSS(`input[name="affected_assets"]`)),
			chromedp.SetValue(chromedp.ID("r-status"), "contained"),
			chromedp.SendKeys(chromedp.ID("r-contact-name"), "SOC"),
			chromedp.SendKeys(chromedp.ID("r-contact-email"), "soc@kanto.example"),
			chromedp.Click(chromedp.Search(`//button[normalize-space()="`+tr("report.new.submit")+`"]`)),
			chromedp.WaitVisible(chromedp.CSS("p.purpose")),
		)
		text := mainText("the report")
		for _, want := range []string{tr("report.filed"), tr("report.purpose"), summary, "hq-vpn-1", tr("report.stage.quick"), tr("report.status.contained")} {
			if !strings.Contains(text, want) {
				t.Errorf("%s: the report page lacks %q:\n%s", lang, want, text)
			}
		}

		// Then the full report, on the report's page.
		do("fill in and send the full report",
			chromedp.SetValue(chromedp.ID("r-impact-level"), "moderate"),
			chromedp.SendKeys(chromedp.ID("r-impact-desc"), "Remote maintenance stopped for half a day."),
			chromedp.SendKeys(chromedp.ID("r-techniques"), "T1190"),
			chromedp.SendKeys(chromedp.ID("r-measures"), "Maintenance account disabled."),
			chromedp.Click(chromedp.Search(`//button[normalize-space()="`+tr("report.next.submit")+`"]`)),
			chromedp.WaitVisible(chromedp.CSS(`a[href$="/versions/2"]`)),
		)
		text = mainText("the report after the full report")
		for _, want := range []string{tr("report.stage.full"), tr("report.impact.moderate"), "T1190", "Maintenance account disabled.", tr("report.version.n", 2)} {
			if !strings.Contains(text, want) {
				t.Errorf("%s: the report page after the full report lacks %q", lang, want)
			}
		}
		shot("report-" + string(lang))

		// The list of reports shows where each stands against its deadlines.
		do("open the list of reports", chromedp.Navigate(s.url+"/"), homePage(),
			chromedp.Click(link(tr("action.report.read"))), chromedp.WaitVisible(chromedp.CSS("table.reports")))
		text = mainText("the list of reports")
		for _, want := range []string{summary, tr("timeliness.on_time"), tr("timeliness.pending")} {
			if !strings.Contains(text, want) {
				t.Errorf("%s: the list of reports lacks %q", lang, want)
			}
		}
		shot("reports-" + string(lang))
		logout()

		// METI finds the operator on the compliance page, the report counted.
		login("meti")
		do("open the compliance page", chromedp.Click(link(tr("action.compliance.read"))), chromedp.WaitVisible(chromedp.CSS("table.compliance")))
		org := map[web.Lang]string{web.Japanese: "関東電力", web.English: "Kanto Power"}[lang]
		row, err := chromedp.Run(b.ctx, chromedp.Evaluate[map[string]string](`(() => {
			const rows = [...document.querySelectorAll("main table tr")];
			const head = [...rows[0].cells].map(c => c.innerText.trim());
			const row = rows.find(r => r.cells[0].innerText.includes(`+strconv.Quote(org)+`));
			return row ? Object.fromEntries(head.map((h, i) => [h, row.cells[i].innerText.trim()])) : {};
		})()`))
		if err != nil {
			t.Fatalf("browser: read the compliance table: %v", err)
		}
		if want := strconv.Itoa(round + 1); row[tr("compliance.reports")] != want || row[tr("operators.designated")] != tr("yes") || row[tr("compliance.standing")] != tr("standing.on_time") {
			t.Errorf("%s: compliance row of %s = %v; want %s %s, designated, standing %q", lang, org, row, want, tr("compliance.reports"), tr("standing.on_time"))
		}
		shot("compliance-" + string(lang))

		if lang == web.Japanese {
			// The language switch keeps the page.
			do("switch to English", chromedp.Click(chromedp.CSS(`a[href^="/lang/"]`)),
				chromedp.WaitVisible(chromedp.Search(`//h1[normalize-space()="`+s.msgs.T(web.English, "compliance.title")+`"]`)))
			if text := mainText("the compliance page in English"); !strings.Contains(text, "Kanto Power") || !strings.Contains(text, s.msgs.T(web.English, "standing.on_time")) {
				t.Errorf("the compliance page in English lacks Kanto Power or its standing:\n%s", text)
			}
		}
		logout()
	}
}
