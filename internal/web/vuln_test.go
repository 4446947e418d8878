package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/acd-platform/acd/internal/vuln"
	"github.com/acd-platform/acd/internal/web"
)

// TestVulnPagesAccess: each page answers each role as the policy and the
// service's scope say; a ministry account without sectors is refused the
// exposure with its code; the links of the service's notices lead to the
// affected assets; the home page links each role to its pages.
func TestVulnPagesAccess(t *testing.T) {
	w := newVnSite(t)
	clients := map[string]*client{}
	for _, u := range []string{"public", "analyst", "meti", "agsmin", "opr"} {
		clients[u] = w.as(t, u, web.Japanese)
	}
	for _, tc := range []struct {
		path string
		want map[string]int
	}{
		{"/catalogue", map[string]int{"public": 200, "opr": 200, "analyst": 200}},
		{"/catalogue/candidates", map[string]int{"public": 303, "opr": 403, "meti": 403, "analyst": 200}},
		{"/vulns", map[string]int{"public": 303, "opr": 200, "meti": 200, "analyst": 200}},
		{"/vulns/CVE-2026-0001", map[string]int{"public": 303, "opr": 200, "meti": 200, "analyst": 200}},
		{"/vulns/CVE-2099-0001", map[string]int{"opr": 404, "analyst": 404}},
		{"/vulns/affected", map[string]int{"public": 303, "opr": 200, "meti": 200, "analyst": 200}},
		{"/vulns/exposure", map[string]int{"public": 303, "opr": 403, "meti": 200, "agsmin": 403, "analyst": 200}},
		{"/vulns/national", map[string]int{"public": 303, "opr": 403, "meti": 403, "analyst": 200}},
		{"/vulns/matches", map[string]int{"opr": 303}},
	} {
		for who, want := range tc.want {
			if r := clients[who].get(tc.path); r.status != want {
				t.Errorf("GET %s as %s: status %d, want %d; page:\n%s", tc.path, who, r.status, want, errorsOf(r.body))
			}
		}
	}
	if p := location(t, "GET /vulns/matches", clients["opr"].get("/vulns/matches")); p != "/vulns/affected" {
		t.Errorf("/vulns/matches redirected to %s, want /vulns/affected", p)
	}
	vnRefused(t, "the exposure as a ministry without sectors", clients["agsmin"].get("/vulns/exposure"), http.StatusForbidden, vuln.CodeNoSectorScope,
		"分野別の影響状況は事業所管省庁及び内閣府のみが閲覧できます")

	for who, links := range map[string][]string{
		"analyst": {"/vulns/affected", "/vulns#import", "/vulns/exposure", "/vulns/national", "/catalogue/candidates"},
		"meti":    {"/vulns/affected", "/vulns/exposure"},
		"opr":     {"/vulns/affected"},
	} {
		home := clients[who].get("/")
		for _, l := range links {
			if !strings.Contains(home.body, `href="`+l+`"`) {
				t.Errorf("%s's home page lacks the link %s", who, l)
			}
		}
	}
	if home := clients["opr"].get("/"); strings.Contains(home.body, `href="/vulns/national"`) || strings.Contains(home.body, `href="/catalogue/candidates"`) {
		t.Error("an operator's home page links to the national view or the candidates")
	}
}

// vnRefused fails t unless r is a page with status showing the
// vulnerability service's refusal of code, with its message (part of it,
// in the page's language) and its code, and the code in the X-ACD-Refusal
// header.
func vnRefused(t *testing.T, what string, r *response, status int, code, message string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: status %d, want %d; page:\n%s", what, r.status, status, errorsOf(r.body))
	}
	if !slices.Contains(vuln.Codes(), code) {
		t.Fatalf("%s: %q is not a refusal code of the service", what, code)
	}
	if !strings.Contains(r.text(), code) || !strings.Contains(r.text(), message) {
		t.Errorf("%s: the page lacks the code %s or the message %q", what, code, message)
	}
	if got := r.header.Get(web.RefusalHeader); got != code {
		t.Errorf("%s: %s header %q, want %q", what, web.RefusalHeader, got, code)
	}
}

// TestVulnOperatorSeesOwnAssets: an operator sees only its own assets
// affected, on the list, the detail and the affected assets (by asset
// and by vulnerability); a ministry its sectors'; the Cabinet Office
// all. A pair resolved by updating the asset is hidden unless asked for.
func TestVulnOperatorSeesOwnAssets(t *testing.T) {
	w := newVnSite(t)
	all := []string{"hq-vpn-1", "kyushu-vpn", "rail-vpn"}
	for _, tc := range []struct {
		who  string
		sees []string
	}{
		{"opr", []string{"hq-vpn-1"}},
		{"opu", []string{"rail-vpn"}},
		{"meti", []string{"hq-vpn-1", "kyushu-vpn"}},
		{"mlit", []string{"rail-vpn"}},
		{"analyst", all},
	} {
		c := w.as(t, tc.who, web.Japanese)
		for _, path := range []string{"/vulns/affected", "/vulns/affected?by=vuln", "/vulns/CVE-2026-0001"} {
			r := c.get(path)
			wantStatus(t, tc.who+" "+path, r, http.StatusOK)
			for _, a := range all {
				if got, want := strings.Contains(r.text(), a), slices.Contains(tc.sees, a); got != want {
					t.Errorf("GET %s as %s: shows %s %v, want %v", path, tc.who, a, got, want)
				}
			}
		}
		// The list: the Cabinet Office sees every vulnerability, the
		// others only those affecting what they may see.
		ids := vnIDs(t, c.get("/vulns").body)
		want := []string{"CVE-2026-0001"}
		if tc.who == "analyst" {
			want = []string{"CVE-2026-0002", "CVE-2026-0001"}
		}
		if !slices.Equal(ids, want) {
			t.Errorf("/vulns as %s lists %v, want %v", tc.who, ids, want)
		}
	}
	// The organisation of the assets shows only when they are not all
	// the viewer's.
	if r := w.as(t, "opr", web.Japanese).get("/vulns/affected"); strings.Contains(r.text(), "関東電力") {
		t.Error("an operator's own affected assets name its organisation")
	}
	if r := w.as(t, "meti", web.Japanese).get("/vulns/affected"); !strings.Contains(r.text(), "九州電力") || !strings.Contains(r.text(), "関東電力") {
		t.Error("a ministry's affected assets do not name the operators")
	}

	// Kanto Power updates hq-vpn-1 out of the range: the pair is
	// resolved, hidden unless asked for.
	if _, err := w.s.srv.Reporting.UpdateAsset(w.s.ctx, w.p("opr"), w.assets["hq-vpn-1"].ID, vnAsset("hq-vpn-1", "1.6")); err != nil {
		t.Fatal(err)
	}
	opr := w.as(t, "opr", web.Japanese)
	if r := opr.get("/vulns/affected"); strings.Contains(r.text(), "hq-vpn-1") || !strings.Contains(r.text(), w.ja("vulns.affected.none")) {
		t.Error("a resolved pair shows without asking")
	}
	r := opr.get("/vulns/affected?resolved=1")
	contains(t, "resolved pairs shown", r, "hq-vpn-1", "CVE-2026-0001", w.ja("vulns.affected.open", 0))
	if vals := formValues(t, r.body, "/vulns/affected"); vals.Get("resolved") != "1" || vals.Get("by") != "asset" {
		t.Errorf("the filter shows %v, want resolved checked, by asset", vals)
	}
	if ids := vnIDs(t, opr.get("/vulns").body); len(ids) != 0 {
		t.Errorf("/vulns as an operator no longer affected lists %v, want nothing", ids)
	}
	if r := opr.get("/vulns/affected?by=owner"); r.status != http.StatusBadRequest || fieldError(t, r.body, "af-by") == "" {
		t.Errorf("an unknown grouping: status %d, field error %q; want 400 on the select", r.status, fieldError(t, r.body, "af-by"))
	}
}

// vnIDs returns the CVE ids that body links to under /vulns/, each once,
// in order.
func vnIDs(t *testing.T, body string) []string {
	t.Helper()
	var out []string
	for _, id := range linkedIDs(t, body, "/vulns/") {
		if strings.HasPrefix(id, "CVE-") && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// TestVulnSearch: the Cabinet Office searches by CVE id, vendor and
// product, filters on the mark, and pages through the list.
func TestVulnSearch(t *testing.T) {
	w := newVnSite(t)
	w.mark(t, "CVE-2026-0002", vuln.ExploitedInput{Date: "2026-03-20", Note: "seen"})
	c := w.as(t, "analyst", web.Japanese)
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"q=cve-2026-0001", []string{"CVE-2026-0001"}},
		{"q=ACME", []string{"CVE-2026-0001"}},
		{"q=other+thing", []string{"CVE-2026-0002"}},
		{"q=nothing", nil},
		{"exploited=1", []string{"CVE-2026-0002"}},
		{"affecting=1", []string{"CVE-2026-0001"}},
		{"q=thing&affecting=1", nil},
	} {
		r := c.get("/vulns?" + tc.query)
		wantStatus(t, tc.query, r, http.StatusOK)
		if got := vnIDs(t, r.body); !slices.Equal(got, tc.want) {
			t.Errorf("/vulns?%s lists %v, want %v", tc.query, got, tc.want)
		}
	}
	r := c.get("/vulns?q=other+thing&exploited=1")
	if v := formValues(t, r.body, "/vulns"); v.Get("q") != "other thing" || v.Get("exploited") != "1" || v.Get("affecting") != "" {
		t.Errorf("the search form shows %v, want the search as given", v)
	}
	if r := c.get("/vulns?q=" + strings.Repeat("x", vuln.MaxListQuery+1)); r.status != http.StatusBadRequest || fieldError(t, r.body, "vq") == "" {
		t.Errorf("a search too long: status %d, field error %q; want 400 on the search", r.status, fieldError(t, r.body, "vq"))
	}
	if r := c.get("/vulns?after=nonsense"); r.status != http.StatusBadRequest {
		t.Errorf("a bad cursor: status %d, want 400", r.status)
	}

	// More records than a page: the next page follows the last.
	var recs []string
	for i := range 105 {
		recs = append(recs, vnRecord(fmt.Sprintf("CVE-2025-%04d", 1000+i), "Bulk", "Thing", "affected"))
	}
	w.importRecords(t, recs...)
	r = c.get("/vulns?q=bulk")
	first := vnIDs(t, r.body)
	next := ""
	for _, a := range elements(parse(t, r.body), "a") {
		if id, _ := attr(a, "id"); id == "next-page" {
			next, _ = attr(a, "href")
		}
	}
	if len(first) != vuln.DefaultListLimit || next == "" {
		t.Fatalf("the first page lists %d with next %q, want %d and a next page", len(first), next, vuln.DefaultListLimit)
	}
	u, err := url.Parse(next)
	if err != nil || u.Query().Get("q") != "bulk" {
		t.Fatalf("the next page %q does not keep the search", next)
	}
	second := vnIDs(t, c.get(next).body)
	if len(second) != 5 || slices.Contains(first, second[0]) {
		t.Errorf("the second page lists %v, want the 5 others", second)
	}
}

// TestVulnExposurePages: a ministry sees its sectors' exposure and
// chooses among them; not another sector; the Cabinet Office's national
// view counts assets and operators per vulnerability and sector.
func TestVulnExposurePages(t *testing.T) {
	w := newVnSite(t)
	meti := w.as(t, "meti", web.Japanese)
	r := meti.get("/vulns/exposure")
	wantStatus(t, "METI's exposure", r, http.StatusOK)
	contains(t, "METI's exposure", r, "CVE-2026-0001", "電気")
	if strings.Contains(r.text(), "鉄道") {
		t.Error("METI's exposure shows railways")
	}
	var options []string
	for _, o := range elements(parse(t, r.body), "option") {
		v, _ := attr(o, "value")
		options = append(options, v)
	}
	if want := []string{"", "electricity", "gas"}; !slices.Equal(options, want) {
		t.Errorf("METI chooses among %v, want %v", options, want)
	}
	if r := meti.get("/vulns/exposure?sector=gas"); !strings.Contains(r.text(), w.ja("vulns.exposure.none")) || strings.Contains(r.text(), "CVE-2026-0001") {
		t.Error("gas shows an exposure it does not have")
	}
	if r := meti.get("/vulns/exposure?sector=railways"); r.status != http.StatusBadRequest || fieldError(t, r.body, "ex-sector") == "" {
		t.Errorf("another ministry's sector: status %d, want 400 on the sector", r.status)
	}
	// One sector: no choice to make.
	r = w.as(t, "mlit", web.Japanese).get("/vulns/exposure")
	contains(t, "MLIT's exposure", r, "CVE-2026-0001", "鉄道")
	if len(elements(parse(t, r.body), "select")) != 0 {
		t.Error("a ministry of one sector is offered a choice of sectors")
	}

	r = w.as(t, "analyst", web.Japanese).get("/vulns/national")
	wantStatus(t, "national view", r, http.StatusOK)
	var heads, cells []string
	doc := parse(t, r.body)
	for _, th := range elements(doc, "th") {
		if sc, _ := attr(th, "scope"); sc == "col" {
			heads = append(heads, strings.TrimSpace(textOf(th)))
		}
	}
	for _, tr := range elements(doc, "tr") {
		if id, _ := attr(tr, "id"); id == "n-CVE-2026-0001" {
			for _, td := range elements(tr, "td") {
				cells = append(cells, textOf(td))
			}
		}
	}
	if want := []string{w.ja("vuln.cve"), "電気", "鉄道", w.ja("vulns.national.total")}; !slices.Equal(heads, want) {
		t.Errorf("national columns %v, want %v", heads, want)
	}
	if want := []string{"2（2）", "1（1）", "3（3）"}; !slices.Equal(cells, want) {
		t.Errorf("national cells of CVE-2026-0001 %v, want %v", cells, want)
	}
}

// TestVulnImportPage: the Cabinet Office imports a file of records; the
// page lists the records imported and each refused with its index, id and
// field. A file that holds no record, and a form without a file, are
// refused with a message.
func TestVulnImportPage(t *testing.T) {
	w := newVnSite(t)
	c := w.as(t, "analyst", web.Japanese)
	tok := c.csrf("/vulns")
	file := strings.Join([]string{
		vnRecord("CVE-2026-0101", "Acme", "Gate", "affected"),
		vnRecord("CVE-2026-0102", "Acme", "Gate", "fixed"), // bad status
		vnRecord("CVE-2026-0103", "Other", "Thing", "affected"),
	}, "\n")
	r := c.postFile("/vulns/import", url.Values{"csrf": {tok}}, "file", "records.ndjson", "application/x-ndjson", []byte(file))
	wantStatus(t, "import", r, http.StatusOK)
	contains(t, "import", r, w.ja("vuln.import.done", 2, 1, 3), "records.ndjson")
	rows := vnRows(t, r.body, "rejected")
	if want := [][]string{{"1", "CVE-2026-0102", "containers.cna.affected[0].versions[0].status"}}; len(rows) != 1 || !slices.Equal(rows[0][:3], want[0]) {
		t.Errorf("rejected rows %v, want %v and the reason", rows, want)
	}
	if len(rows) == 1 && !strings.Contains(rows[0][3], "fixed") {
		t.Errorf("the rejection's reason %q does not quote the bad value", rows[0][3])
	}
	imported := vnRows(t, r.body, "imported")
	if len(imported) != 2 || imported[0][1] != "CVE-2026-0101" || imported[0][3] != "3" || imported[1][1] != "CVE-2026-0103" {
		t.Errorf("imported rows %v, want CVE-2026-0101 with 3 new pairs, then CVE-2026-0103", imported)
	}
	if r := c.get("/vulns/CVE-2026-0101"); r.status != http.StatusOK {
		t.Errorf("the imported record's page: status %d", r.status)
	}

	r = c.postFile("/vulns/import", url.Values{"csrf": {tok}}, "file", "notes.txt", "text/plain", []byte("hello"))
	if r.status != http.StatusBadRequest || !strings.Contains(r.text(), "body") {
		t.Errorf("a file of no record: status %d, want 400 naming the body; errors %q", r.status, errorsOf(r.body))
	}
	r = c.post("/vulns/import", url.Values{"csrf": {tok}})
	if r.status != http.StatusBadRequest || !strings.Contains(r.text(), w.ja("vuln.import.nofile")) {
		t.Errorf("no file: status %d, want 400 asking for one", r.status)
	}
	if r := c.postFile("/vulns/import", nil, "file", "records.json", "application/json", []byte(file)); r.status != http.StatusForbidden {
		t.Errorf("an import without the CSRF token: status %d, want 403", r.status)
	}
	opr := w.as(t, "opr", web.Japanese)
	if r := opr.postFile("/vulns/import", url.Values{"csrf": {opr.csrf("/vulns")}}, "file", "r.json", "application/json", []byte(file)); r.status != http.StatusForbidden {
		t.Errorf("an operator's import: status %d, want 403", r.status)
	}
	if strings.Contains(opr.get("/vulns").body, `action="/vulns/import"`) {
		t.Error("an operator's list offers the import")
	}
}

// vnRows returns the cells' texts of the rows of the table with id.
func vnRows(t *testing.T, body, id string) [][]string {
	t.Helper()
	var out [][]string
	for _, tb := range elements(parse(t, body), "table") {
		if v, _ := attr(tb, "id"); v != id {
			continue
		}
		for _, tr := range elements(tb, "tr") {
			var row []string
			for _, td := range elements(tr, "td") {
				row = append(row, strings.TrimSpace(textOf(td)))
			}
			if row != nil {
				out = append(out, row)
			}
		}
	}
	return out
}

// TestVulnMarkExploited: the Cabinet Office marks a vulnerability
// exploited in Japan on its page (a bad evidence id is a field error that
// names its line); the mark puts it in the public catalogue with the
// catalogue fields given, and operators see the required action and due
// date but not the evidence's ids; clearing takes it out.
func TestVulnMarkExploited(t *testing.T) {
	w := newVnSite(t)
	public := w.as(t, "public", web.Japanese)
	if r := public.get("/catalogue"); !strings.Contains(r.text(), w.ja("catalogue.none")) {
		t.Fatal("the catalogue lists something before any mark")
	}
	a := w.as(t, "analyst", web.Japanese)
	page := a.get("/vulns/CVE-2026-0001")
	form := formValues(t, page.body, "/vulns/CVE-2026-0001/exploited")
	if form.Get("exploited") != "true" || form.Get("date") != "" {
		t.Fatalf("the mark form carries %v, want exploited=true and no date", form)
	}
	form.Set("date", "2026-03-20")
	form.Set("report_ids", "rep_1\n\nrep 2")
	form.Set("required_action", "Acme Gate を 1.5 以降に更新する。")
	form.Set("due_date", "2026-04-30")
	form.Set("known_ransomware_campaign_use", "Known")
	r := a.post("/vulns/CVE-2026-0001/exploited", form)
	if r.status != http.StatusBadRequest {
		t.Fatalf("a bad report id: status %d, want 400", r.status)
	}
	if msg := fieldError(t, r.body, "mk-reports"); !strings.Contains(msg, w.ja("form.line", 3)) {
		t.Errorf("the bad report id's error %q does not name line 3", msg)
	}
	if again := formValues(t, r.body, "/vulns/CVE-2026-0001/exploited"); again.Get("required_action") != form.Get("required_action") || again.Get("known_ransomware_campaign_use") != "Known" {
		t.Errorf("the refused form shows %v, want it as typed", again)
	}
	form.Set("report_ids", "rep_1\nrep_2")
	if p := location(t, "mark", a.post("/vulns/CVE-2026-0001/exploited", form)); p != "/vulns/CVE-2026-0001" {
		t.Fatalf("the mark redirected to %s", p)
	}
	contains(t, "marked", a.get("/vulns/CVE-2026-0001?done=marked"), w.ja("vuln.done.marked"), "rep_1", "rep_2", "2026-04-30")

	// The public catalogue lists it with the fields given, and its
	// formats.
	r = public.get("/catalogue")
	contains(t, "catalogue", r, "CVE-2026-0001", "Acme", "Gate", "Acme Gate を 1.5 以降に更新する。", "2026-04-30", "2026-03-20", w.ja("catalogue.ransomware.known"))
	for _, l := range []string{"/api/v1/catalogue.json", "/api/v1/catalogue.csv", "/catalogue.atom"} {
		if !strings.Contains(r.body, `href="`+l+`"`) {
			t.Errorf("the catalogue lacks the link to %s", l)
		}
	}
	if strings.Contains(r.text(), "rep_1") {
		t.Error("the public catalogue shows an incident report's id")
	}
	feed := false
	for _, l := range elements(elements(parse(t, r.body), "head")[0], "link") {
		rel, _ := attr(l, "rel")
		typ, _ := attr(l, "type")
		href, _ := attr(l, "href")
		feed = feed || rel == "alternate" && typ == "application/atom+xml" && href == "/catalogue.atom"
	}
	if !feed {
		t.Error(`the catalogue's <head> lacks <link rel="alternate" type="application/atom+xml" href="/catalogue.atom">`)
	}
	if cat, err := w.s.srv.Vuln.Catalogue(w.s.ctx); err != nil || cat.Count != 1 || cat.Vulnerabilities[0].DueDate != "2026-04-30" {
		t.Errorf("the service's catalogue is %+v, %v; want CVE-2026-0001 due 2026-04-30", cat, err)
	}

	// The operator sees the required action and due date, and counts of
	// the evidence only.
	opr := w.as(t, "opr", web.Japanese)
	r = opr.get("/vulns/CVE-2026-0001")
	contains(t, "operator's detail", r, w.ja("vuln.exploited.yes"), "Acme Gate を 1.5 以降に更新する。", "2026-04-30")
	if strings.Contains(r.text(), "rep_1") || strings.Contains(r.body, `action="/vulns/CVE-2026-0001/exploited"`) {
		t.Error("an operator's detail shows the evidence's ids or the mark form")
	}
	contains(t, "operator's affected assets", opr.get("/vulns/affected"), "hq-vpn-1", "Acme Gate を 1.5 以降に更新する。", "2026-04-30")
	if r := opr.post("/vulns/CVE-2026-0001/exploited", url.Values{"csrf": {opr.csrf("/vulns")}, "exploited": {"false"}}); r.status != http.StatusForbidden {
		t.Errorf("an operator's clear: status %d, want 403", r.status)
	}

	// Cleared with a reason: out of the catalogue.
	clear := formValues(t, a.get("/vulns/CVE-2026-0001").body, "/vulns/CVE-2026-0001/exploited")
	clear = url.Values{"csrf": clear["csrf"], "exploited": {"false"}, "note": {"誤認であった。"}}
	if p := location(t, "clear", a.post("/vulns/CVE-2026-0001/exploited", clear)); p != "/vulns/CVE-2026-0001" {
		t.Fatalf("the clear redirected to %s", p)
	}
	if r := public.get("/catalogue"); strings.Contains(r.text(), "CVE-2026-0001") {
		t.Error("a cleared vulnerability stays in the catalogue")
	}
	contains(t, "cleared", a.get("/vulns/CVE-2026-0001"), w.ja("vuln.exploited.cleared"), "誤認であった。")
	// Clearing with evidence is the service's field error, shown.
	bad := url.Values{"csrf": clear["csrf"], "exploited": {"false"}, "note": {"x"}}
	bad.Set("exploited", "maybe")
	if r := a.post("/vulns/CVE-2026-0001/exploited", bad); r.status != http.StatusBadRequest || !strings.Contains(r.text(), "exploited") {
		t.Errorf("exploited=maybe: status %d, want 400 naming the field", r.status)
	}
	if r := a.post("/vulns/CVE-2099-0001/exploited", clear); r.status != http.StatusNotFound {
		t.Errorf("marking a vulnerability that does not exist: status %d, want 404", r.status)
	}
}

// TestVulnCandidatesPage: the Cabinet Office imports CISA's KEV catalogue
// through the page; the candidates are listed, those not yet marked
// first, each linking to its page's mark form. A catalogue that breaks
// KEV's schema is refused naming the field.
func TestVulnCandidatesPage(t *testing.T) {
	w := newVnSite(t)
	w.mark(t, "CVE-2026-0002", vuln.ExploitedInput{Date: "2026-03-20", Note: "seen"})
	c := w.as(t, "analyst", web.Japanese)
	tok := c.csrf("/catalogue/candidates")
	r := c.postFile("/catalogue/candidates", url.Values{"csrf": {tok}}, "file", "known_exploited_vulnerabilities.json", "application/json",
		kevCatalogue(3, "CVE-2026-0002", "CVE-2026-0001", "CVE-2099-0001"))
	wantStatus(t, "KEV import", r, http.StatusOK)
	contains(t, "KEV import", r, w.ja("catalogue.candidates.imported", 2, 2, 3), "2026.02.10")
	var order []string
	for _, tr := range elements(parse(t, r.body), "tr") {
		if id, _ := attr(tr, "id"); strings.HasPrefix(id, "cand-") {
			order = append(order, strings.TrimPrefix(id, "cand-"))
		}
	}
	if want := []string{"CVE-2026-0001", "CVE-2026-0002"}; !slices.Equal(order, want) {
		t.Errorf("candidates in the order %v, want %v (not yet marked first)", order, want)
	}
	if !strings.Contains(r.body, `href="/vulns/CVE-2026-0001#mark"`) || strings.Contains(r.body, `href="/vulns/CVE-2026-0002#mark"`) {
		t.Error("the candidates do not link the unmarked one, and only it, to its mark form")
	}
	// The marked candidate's catalogue entry now takes KEV's names.
	contains(t, "catalogue with KEV", w.as(t, "public", web.English).get("/catalogue"), "Acme Gate Authentication Bypass", "Also in CISA's KEV: yes")

	r = c.postFile("/catalogue/candidates", url.Values{"csrf": {tok}}, "file", "kev.json", "application/json", kevCatalogue(5, "CVE-2026-0001"))
	if r.status != http.StatusBadRequest || !strings.Contains(fieldError(t, r.body, "kev-file"), "count") {
		t.Errorf("a KEV catalogue with a wrong count: status %d, field error %q; want 400 naming count", r.status, fieldError(t, r.body, "kev-file"))
	}
	if r := c.post("/catalogue/candidates", url.Values{"csrf": {tok}}); r.status != http.StatusBadRequest || fieldError(t, r.body, "kev-file") == "" {
		t.Errorf("no file: status %d, want 400 on the file", r.status)
	}
}

// TestVulnPagesEnglish: the pages speak English when asked.
func TestVulnPagesEnglish(t *testing.T) {
	w := newVnSite(t)
	w.mark(t, "CVE-2026-0001", vuln.ExploitedInput{Date: "2026-03-20", Note: "seen"})
	for _, tc := range []struct {
		who, path string
		want      []string
	}{
		{"public", "/catalogue", []string{w.en("catalogue.title"), w.en("catalogue.intro"), w.en("catalogue.ransomware.unknown")}},
		{"analyst", "/vulns", []string{w.en("vulns.title"), w.en("vulns.intro.all"), w.en("vuln.import")}},
		{"analyst", "/vulns/CVE-2026-0001", []string{w.en("vuln.title"), w.en("vuln.mark.update"), w.en("vuln.status.affected"), w.en("vuln.severity.critical"), "Kanto Power", "Electricity"}},
		{"analyst", "/vulns/national", []string{w.en("vulns.national.title"), "Railways"}},
		{"analyst", "/catalogue/candidates", []string{w.en("catalogue.candidates.title"), w.en("catalogue.candidates.none")}},
		{"opr", "/vulns/affected", []string{w.en("vulns.affected.title"), "hq-vpn-1", w.en("catalogue.due_date")}},
		{"meti", "/vulns/exposure", []string{w.en("vulns.exposure.title"), w.en("vulns.exposure.all")}},
	} {
		r := w.as(t, tc.who, web.English).get(tc.path)
		wantStatus(t, tc.path, r, http.StatusOK)
		contains(t, tc.who+" "+tc.path+" in English", r, tc.want...)
	}
	r := w.as(t, "agsmin", web.English).get("/vulns/exposure")
	vnRefused(t, "the refusal in English", r, http.StatusForbidden, vuln.CodeNoSectorScope, "Sector exposure is shown to the ministries of sectors and to the Cabinet Office")
}
