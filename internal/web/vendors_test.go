package web_test

import (
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/acd-platform/acd/internal/reporting"
	"github.com/acd-platform/acd/internal/vuln/vendors"
	"github.com/acd-platform/acd/internal/web"
)

// cve3400 is the real record of CVE-2024-3400 (package cve's testdata,
// whose README gives its source).
const cve3400 = "../vuln/cve/testdata/records/cve5/CVE-2024-3400.json"

// vendorWorld is the sharing world with CVE-2024-3400 imported and Kanto
// Power's PAN-OS 10.2.9 firewall registered, so the record affects it.
func vendorWorld(t *testing.T) (*site, *shWorld) {
	t.Helper()
	s, w := newShSite(t)
	rec, err := os.Open(cve3400)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Close()
	if res, err := s.srv.Vuln.Import(s.ctx, w.p("author"), rec); err != nil || len(res.Imported) != 1 {
		t.Fatalf("import: %+v, %v", res, err)
	}
	if _, err := s.srv.Reporting.Designate(s.ctx, w.p("author"), s.org.ID, true, "designated"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.srv.Reporting.CreateAsset(s.ctx, w.p("opr"), reporting.AssetInput{Name: "dmz-fw-1", Product: "PAN-OS",
		Vendor: "Palo Alto Networks", Version: "10.2.9", CPE: "cpe:2.3:o:paloaltonetworks:pan-os:10.2.9:*:*:*:*:*:*:*",
		Role: reporting.RoleFirewall, InternetFacing: true, Facility: "本社"}); err != nil {
		t.Fatal(err)
	}
	if err := s.srv.Vuln.SettleAssets(s.ctx); err != nil {
		t.Fatal(err)
	}
	return s, w
}

// TestVendorPages runs §42 through the pages: the vendor registers its
// product, the analyst sends the request to act from the vulnerability's
// vendors page, the vendor answers (first incompletely), the mitigation
// becomes a public alert, and the analyst closes the request.
func TestVendorPages(t *testing.T) {
	s, w := vendorWorld(t)
	ja := w.ja
	vendor, author := w.as(t, "vendor"), w.as(t, "author")

	page := vendor.get("/vendor/products/new")
	checkPage(t, page.body, web.Japanese)
	checkTranslated(t, "product form", page)
	product := url.Values{"name": {"PAN-OS"}, "cpe": {"pan-os"}, "record_vendor": {"Palo Alto Networks"}, "record_product": {"PAN-OS"},
		"support_ends": {"2027-08-31"}}
	if r := step(t, vendor, "/vendor/products/new", "/vendor/products", product); r.status != http.StatusBadRequest || fieldError(t, r.body, "vp-cpe") == "" {
		t.Errorf("a bad CPE: status %d, field error %q; want 400 on the CPE", r.status, fieldError(t, r.body, "vp-cpe"))
	}
	product.Set("cpe", "cpe:2.3:o:paloaltonetworks:pan-os:*:*:*:*:*:*:*:*")
	if p := location(t, "register", step(t, vendor, "/vendor/products/new", "/vendor/products", product)); p != "/vendor/products" {
		t.Fatalf("registered: redirected to %s", p)
	}
	contains(t, "products", vendor.get("/vendor/products?done=product_created"), ja("vendor.done.product_created"), "PAN-OS", "2027-08-31")

	if !strings.Contains(author.get("/vulns/CVE-2024-3400").body, `href="/vulns/CVE-2024-3400/vendors"`) {
		t.Error("the analyst's vulnerability page does not link to the vendors concerned")
	}
	if strings.Contains(w.as(t, "opr").get("/vulns/CVE-2024-3400").body, `/vendors"`) {
		t.Error("an operator's vulnerability page links to the vendors concerned")
	}
	if !strings.Contains(w.as(t, "public").get("/").body, `href="/catalogue"`) {
		t.Error("the header has no link to the public catalogue")
	}
	// A second product the record names: the answer form has a row each.
	prisma, err := s.srv.Vendors.CreateProduct(s.ctx, w.p("vendor"), vendors.ProductInput{Name: "Prisma Access",
		CPE: "cpe:2.3:a:paloaltonetworks:prisma_access:*:*:*:*:*:*:*:*", RecordVendor: "Palo Alto Networks", RecordProduct: "Prisma Access"})
	if err != nil {
		t.Fatal(err)
	}
	page = author.get("/vulns/CVE-2024-3400/vendors")
	checkPage(t, page.body, web.Japanese)
	checkTranslated(t, "concerned", page)
	contains(t, "concerned", page, ja("vendor.kind.request"), ja("vendor.concerned.counts", 1, 1))
	if r := vendor.get("/vulns/CVE-2024-3400/vendors"); r.status != http.StatusForbidden {
		t.Errorf("the vendor reads the vendors concerned: status %d, want 403", r.status)
	}
	send := url.Values{"vuln_id": {"CVE-2024-3400"}, "org_id": {w.orgs["ven"].ID}, "message": {"修正版と緩和策を回答してください。"}, "tlp": {"clear"},
		"due": {"yesterday"}}
	if r := step(t, author, "/vulns/CVE-2024-3400/vendors", "/vendor/requests", send); r.status != http.StatusBadRequest {
		t.Errorf("a bad deadline: status %d, want 400", r.status)
	}
	send.Set("due", "")
	rpath := location(t, "send", step(t, author, "/vulns/CVE-2024-3400/vendors", "/vendor/requests", send))
	if !strings.HasPrefix(rpath, "/vendor/requests/vrq_") {
		t.Fatalf("sent: redirected to %s", rpath)
	}

	page = vendor.get(rpath)
	checkPage(t, page.body, web.Japanese)
	checkTranslated(t, "request", page)
	contains(t, "the vendor's request page", page, ja("vendor.kind.request"), ja("vendor.state.sent"), "修正版と緩和策を回答してください。")
	if !strings.Contains(page.body, `id="answer-form"`) || strings.Contains(page.body, `id="close-form"`) {
		t.Fatal("the vendor's request page does not offer exactly the answer form")
	}
	for _, who := range []string{"opr", "meti"} {
		if r := w.as(t, who).get(rpath); r.status != http.StatusForbidden {
			t.Errorf("%s reads the request page: status %d, want 403", who, r.status)
		}
	}
	answer := url.Values{"affected": {"yes"}, "p0_id": {vendorProductID(t, s, w, "PAN-OS")}, "p0_affected": {"vers:generic/>=10.2.0|<10.2.9-h1"}}
	r := step(t, vendor, rpath, rpath+"/answer", answer)
	if r.status != http.StatusUnprocessableEntity || r.header.Get(web.RefusalHeader) != vendors.CodeAnswerIncomplete {
		t.Errorf("incomplete answer: status %d, refusal %q", r.status, r.header.Get(web.RefusalHeader))
	}
	if !strings.Contains(r.text(), "vers:generic/>=10.2.0|<10.2.9-h1") {
		t.Error("the refused answer form lost what was typed")
	}
	answer.Set("p0_fixed", "10.2.9-h1")
	// The second row's error shows on the second row, though the answer
	// lists it first when the first row is left empty.
	bad := url.Values{"affected": {"yes"}, "p0_id": {answer.Get("p0_id")}, "p1_id": {prisma.ID}, "p1_affected": {"all"},
		"p1_fixed": {"2026-01"}, "p1_support_ends": {"not a date"}}
	if r := step(t, vendor, rpath, rpath+"/answer", bad); r.status != http.StatusBadRequest || fieldError(t, r.body, "va-1-se") == "" {
		t.Errorf("bad support end on the second row: status %d, field error %q", r.status, fieldError(t, r.body, "va-1-se"))
	}
	answer.Set("p1_id", prisma.ID)
	answer.Set("mitigation", "Threat ID 95187 で攻撃を遮断する。")
	answer.Set("comment", "社内確認中の事項あり")
	stepOKTo(t, vendor, rpath, rpath+"/answer", answer, rpath)
	page = author.get(rpath + "?done=answered")
	contains(t, "answered", page, ja("vendor.state.answered"), ja("vendor.published_on.answer"), "10.2.9-h1", "社内確認中の事項あり")
	adv := linkedIDs(t, page.body, "/alerts/")
	if len(adv) != 1 {
		t.Fatalf("the request page links %d alerts, want 1", len(adv))
	}
	alert := w.as(t, "public").get("/alerts/" + adv[0])
	wantStatus(t, "the public alert", alert, http.StatusOK)
	if strings.Contains(alert.text(), "社内確認中の事項あり") {
		t.Error("the vendor's comment to the Cabinet Office is on the public alert")
	}
	contains(t, "public alert", alert, "CVE-2024-3400", "Threat ID 95187", ja("advisory.vulnerabilities"), ja("advisory.remediation.mitigation"), "vers:generic/")

	stepOKTo(t, author, rpath, rpath+"/close", url.Values{"reason": {"公表済み。"}}, rpath)
	page = vendor.get(rpath)
	contains(t, "closed", page, ja("vendor.state.closed"), "公表済み。")
	if strings.Contains(page.body, `id="answer-form"`) {
		t.Error("a closed request offers the answer form")
	}
	list := vendor.get("/vendor/requests")
	checkPage(t, list.body, web.Japanese)
	if ids := linkedIDs(t, list.body, "/vendor/requests/"); len(ids) != 1 {
		t.Errorf("the vendor's list links %v, want the request", ids)
	}
	if r := vendor.get("/vendor/requests?state=open"); r.status != http.StatusBadRequest {
		t.Errorf("an unknown state filter: status %d, want 400", r.status)
	}
	for who, paths := range map[string][]string{"vendor": {"/vendor/products", "/vendor/products/new", "/vendor/requests", rpath},
		"author": {"/vendor/products", "/vendor/requests", rpath, "/vulns/CVE-2024-3400/vendors"}} {
		c := w.as(t, who)
		if r := c.get("/lang/en"); r.status != http.StatusSeeOther {
			t.Fatalf("GET /lang/en: status %d", r.status)
		}
		for _, p := range paths {
			r := c.get(p)
			wantStatus(t, who+" "+p+" in English", r, http.StatusOK)
			checkPage(t, r.body, web.English)
			checkTranslated(t, p, r)
		}
	}
}

// vendorProductID is the id of the vendor's product name.
func vendorProductID(t *testing.T, s *site, w *shWorld, name string) string {
	t.Helper()
	ps, err := s.srv.Vendors.Products(s.ctx, w.p("vendor"), "")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.Name == name {
			return p.ID
		}
	}
	t.Fatalf("no product %s among %+v", name, ps)
	return ""
}
