package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/acd-platform/acd/internal/vuln"
	"github.com/acd-platform/acd/internal/web"
)

// TestVulnPagesAccessibility checks the accessibility basics (one <h1>,
// labelled controls, unique ids, the document language) and that no
// message is missing, on every vulnerability page, on the import's
// result and on refused forms and views, in both languages.
func TestVulnPagesAccessibility(t *testing.T) {
	w := newVnSite(t)
	w.mark(t, "CVE-2026-0001", vuln.ExploitedInput{Date: "2026-03-20", ReportIDs: []string{"rep_1"}, FindingIDs: []string{"fnd_1"}, Note: "seen"})
	if _, err := w.s.srv.Vuln.ImportKEV(w.s.ctx, w.p("analyst"), mustKEV(t, kevCatalogue(2, "CVE-2026-0001", "CVE-2026-0002"))); err != nil {
		t.Fatal(err)
	}
	bad := strings.Join([]string{vnRecord("CVE-2026-0101", "Acme", "Gate", "affected"), vnRecord("CVE-2026-0102", "Acme", "Gate", "fixed")}, "\n")

	for _, lang := range []web.Lang{web.Japanese, web.English} {
		analyst, opr, meti := w.as(t, "analyst", lang), w.as(t, "opr", lang), w.as(t, "meti", lang)
		tok := analyst.csrf("/vulns")
		pages := map[string]*response{
			"catalogue": w.as(t, "public", lang).get("/catalogue"),
			"list":      analyst.get("/vulns"), "search": analyst.get("/vulns?q=acme&exploited=1&affecting=1"),
			"marked": analyst.get("/vulns/CVE-2026-0001"), "unmarked": analyst.get("/vulns/CVE-2026-0002"),
			"affected": analyst.get("/vulns/affected"), "affected by vuln": analyst.get("/vulns/affected?by=vuln&resolved=1"),
			"exposure": analyst.get("/vulns/exposure"), "national": analyst.get("/vulns/national"),
			"candidates":        analyst.get("/catalogue/candidates"),
			"operator affected": opr.get("/vulns/affected"), "operator detail": opr.get("/vulns/CVE-2026-0001"), "operator list": opr.get("/vulns"),
			"ministry exposure": meti.get("/vulns/exposure"),
			"import result":     analyst.postFile("/vulns/import", url.Values{"csrf": {tok}}, "file", "r.ndjson", "application/x-ndjson", []byte(bad)),
			"import no file":    analyst.post("/vulns/import", url.Values{"csrf": {tok}}),
			"import not json":   analyst.postFile("/vulns/import", url.Values{"csrf": {tok}}, "file", "r.txt", "text/plain", []byte("hello")),
			"refused mark": analyst.post("/vulns/CVE-2026-0002/exploited", url.Values{"csrf": {tok}, "exploited": {"true"},
				"date": {"2099-01-01"}, "report_ids": {"a b"}, "due_date": {"tomorrow"}}),
			"refused clear":         analyst.post("/vulns/CVE-2026-0001/exploited", url.Values{"csrf": {tok}, "exploited": {"false"}, "date": {"2026-03-01"}}),
			"refused kev":           analyst.postFile("/catalogue/candidates", url.Values{"csrf": {tok}}, "file", "kev.json", "application/json", kevCatalogue(3, "CVE-2026-0001")),
			"kev imported":          analyst.postFile("/catalogue/candidates", url.Values{"csrf": {tok}}, "file", "kev.json", "application/json", kevCatalogue(1, "CVE-2026-0001")),
			"refused grouping":      opr.get("/vulns/affected?by=x"),
			"refused search":        analyst.get("/vulns?q=" + strings.Repeat("x", 201)),
			"refused sector":        meti.get("/vulns/exposure?sector=railways"),
			"refused exposure":      w.as(t, "agsmin", lang).get("/vulns/exposure"),
			"unknown vulnerability": opr.get("/vulns/CVE-2099-0001"),
		}
		for name, r := range pages {
			t.Run(string(lang)+"/"+name, func(t *testing.T) {
				if r.status >= 500 || !strings.Contains(r.header.Get("Content-Type"), "text/html") {
					t.Fatalf("status %d, Content-Type %q; want an HTML page", r.status, r.header.Get("Content-Type"))
				}
				checkPage(t, r.body, lang)
				checkTranslated(t, name, r)
			})
		}
	}
}

// mustKEV decodes a KEV catalogue of the tests.
func mustKEV(t *testing.T, data []byte) *vuln.KEVCatalog {
	t.Helper()
	cat, err := vuln.DecodeKEV(data)
	if err != nil {
		t.Fatal(err)
	}
	return cat
}
