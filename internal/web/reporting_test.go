package web_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	xhtml "golang.org/x/net/html"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/reporting"
	"github.com/acd-platform/acd/internal/store/storetest"
	"github.com/acd-platform/acd/internal/web"
)

// cabinet is the Cabinet Office acting from the command line, for test
// set-up (designations) that is not the path under test.
var cabinet = &auth.Principal{UserID: "cli:test", Username: "test", OrgKind: auth.OrgCabinetOff, Roles: []auth.Role{auth.RoleAnalyst}, Via: auth.ViaCLI}

// designate designates the operator organisation orgID.
func (s *site) designate(t *testing.T, orgID string) {
	t.Helper()
	if _, err := s.srv.Reporting.Designate(s.ctx, cabinet, orgID, true, "designated for the test"); err != nil {
		t.Fatalf("designate %s: %v", orgID, err)
	}
}

// orgUser creates an organisation and a user of it with role.
func (s *site) orgUser(t *testing.T, org auth.NewOrg, username string, role auth.Role) (auth.Org, auth.User) {
	t.Helper()
	o, err := s.srv.Auth.CreateOrg(s.ctx, nil, org)
	if err != nil {
		t.Fatalf("create org %s: %v", org.Name, err)
	}
	u, _, err := s.srv.Auth.CreateUser(s.ctx, auth.CLI("test"), auth.NewUser{Username: username, DisplayName: username,
		OrgID: o.ID, Roles: []auth.Role{role}, Password: password})
	if err != nil {
		t.Fatalf("create %s: %v", username, err)
	}
	return o, u
}

// reportingUsers are the people of the reporting tests: an operator of
// Kanto Power (electricity, designated), METI's and MLIT's ministry users
// and a Cabinet Office analyst.
func reportingUsers(t *testing.T, s *site) {
	t.Helper()
	s.operator(t, "sato", "佐藤 花子")
	s.designate(t, s.org.ID)
	s.orgUser(t, auth.NewOrg{Name: "METI", NameJA: "経済産業省", Kind: auth.OrgMinistry, Sectors: []string{"electricity", "gas", "oil", "credit_cards"}}, "meti", auth.RoleMinistry)
	s.orgUser(t, auth.NewOrg{Name: "MLIT", NameJA: "国土交通省", Kind: auth.OrgMinistry, Sectors: []string{"railways"}}, "mlit", auth.RoleMinistry)
	s.orgUser(t, auth.NewOrg{Name: "National Cybersecurity Office", NameJA: "国家サイバー統括室", Kind: auth.OrgCabinetOff}, "nco", auth.RoleAnalyst)
}

// formValues returns what a browser would submit with the form whose
// action is action: hidden and text inputs, checked boxes, the selected
// option of each select, and textareas.
func formValues(t *testing.T, body, action string) url.Values {
	t.Helper()
	for _, f := range elements(parse(t, body), "form") {
		if a, _ := attr(f, "action"); a != action {
			continue
		}
		v := url.Values{}
		walk(f, func(n *xhtml.Node) {
			if n.Type != xhtml.ElementNode {
				return
			}
			name, _ := attr(n, "name")
			if name == "" {
				return
			}
			switch n.Data {
			case "input":
				typ, _ := attr(n, "type")
				val, _ := attr(n, "value")
				_, checked := attr(n, "checked")
				switch typ {
				case "checkbox", "radio":
					if checked {
						v.Add(name, val)
					}
				case "file", "submit":
				default:
					v.Add(name, val)
				}
			case "textarea":
				v.Add(name, textOf(n))
			case "select":
				opts := elements(n, "option")
				for i, o := range opts {
					val, _ := attr(o, "value")
					if i == 0 {
						v.Set(name, val)
					}
					if _, sel := attr(o, "selected"); sel {
						v.Set(name, val)
						break
					}
				}
			}
		})
		return v
	}
	t.Fatalf("no form with action %q", action)
	return nil
}

// postFile posts a multipart form with fields and one file.
func (c *client) postFile(path string, fields url.Values, field, name, contentType string, data []byte) *response {
	c.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	h := make(map[string][]string)
	h["Content-Disposition"] = []string{`form-data; name="` + field + `"; filename="` + name + `"`}
	h["Content-Type"] = []string{contentType}
	w, err := mw.CreatePart(h)
	if err != nil {
		c.t.Fatal(err)
	}
	w.Write(data)
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, c.s.url+path, &b)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

// untranslated matches a catalogue key shown in brackets: a message the
// catalogue lacks.
var untranslated = regexp.MustCompile(`\[[a-z_]+(\.[a-z0-9_]*)+\]`)

// checkTranslated fails t when a page shows a missing message.
func checkTranslated(t *testing.T, name string, r *response) {
	t.Helper()
	if m := untranslated.FindAllString(r.text(), -1); len(m) > 0 {
		t.Errorf("%s: untranslated messages %v", name, m)
	}
}

// location returns the path of a 303's Location, failing t otherwise.
func location(t *testing.T, what string, r *response) string {
	t.Helper()
	if r.status != http.StatusSeeOther {
		t.Fatalf("%s: status %d, want 303; page:\n%s", what, r.status, errorsOf(r.body))
	}
	u, err := url.Parse(r.header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return u.Path
}

// errorsOf returns the error messages a page shows, for failure output.
func errorsOf(body string) string {
	doc, err := xhtml.Parse(strings.NewReader(body))
	if err != nil {
		return body
	}
	var out []string
	walk(doc, func(n *xhtml.Node) {
		if cl, _ := attr(n, "class"); n.Type == xhtml.ElementNode && (cl == "error" || cl == "field-error") {
			out = append(out, strings.TrimSpace(textOf(n)))
		}
	})
	return strings.Join(out, "\n")
}

// rowOf returns the cell texts of the table row whose header cell
// contains name.
func rowOf(t *testing.T, body, name string) []string {
	t.Helper()
	for _, tr := range elements(parse(t, body), "tr") {
		ths := elements(tr, "th")
		if len(ths) == 0 || !strings.Contains(textOf(ths[0]), name) {
			continue
		}
		var cells []string
		for _, td := range elements(tr, "td") {
			cells = append(cells, strings.TrimSpace(textOf(td)))
		}
		return cells
	}
	return nil
}

// TestReportingPages walks the reporting pages through a real server: the
// operator notifies an asset, files a quick report and then a full report
// by the forms; METI sees the report and the compliance row, MLIT gets
// 404; the Cabinet Office sees the chart.
func TestReportingPages(t *testing.T) {
	s := newSite(t, storetest.SQLite(t))
	reportingUsers(t, s)
	ja := func(key string, args ...any) string { return s.msgs.T(web.Japanese, key, args...) }

	op := s.client(t)
	op.login("sato")
	if r := op.get("/"); !strings.Contains(r.text(), ja("action.report.submit")) || !strings.Contains(r.body, `href="/reports/new"`) {
		t.Errorf("operator home lacks the link to file a report")
	}

	// An asset, by the form.
	form := formValues(t, op.get("/assets").body, "/assets")
	form.Set("name", "hq-vpn-1")
	form.Set("vendor", "Fortinet")
	form.Set("product", "FortiOS")
	form.Set("version", "7.2.8")
	form.Set("role", "vpn_gateway")
	form.Set("internet_facing", "1")
	form.Set("facility", "本社リモートアクセス")
	r := op.post("/assets", form)
	assetPath := location(t, "POST /assets", r)
	if r := op.get(r.header.Get("Location")); r.status != http.StatusOK || !strings.Contains(r.text(), "hq-vpn-1") || !strings.Contains(r.text(), ja("assets.done.created")) {
		t.Errorf("GET %s: status %d; want 200 with the asset and the confirmation", assetPath, r.status)
	}
	assetID := strings.TrimPrefix(assetPath, "/assets/")

	// The quick report, by the form as the page renders it.
	page := op.get("/reports/new")
	if page.status != http.StatusOK {
		t.Fatalf("GET /reports/new: status %d", page.status)
	}
	form = formValues(t, page.body, "/reports/new")
	if form.Get("idem") == "" {
		t.Error("the quick report form has no idempotency key")
	}
	form.Set("kind", "incident")
	form.Set("summary", "VPN装置への不審なログインを検知した。")
	form.Set("aware_at", "2026-04-02T03:30") // JST: 2026-04-01 18:30 UTC
	form.Set("affected_assets", assetID)
	form.Set("status", "contained")
	form.Set("contact_name", "SOC")
	form.Set("contact_email", "soc@kanto.example")
	r = op.post("/reports/new", form)
	reportPath, filed := location(t, "POST /reports/new", r), r.header.Get("Location")
	// A double click sends the same form again: it files once.
	if again := location(t, "POST /reports/new again", op.post("/reports/new", form)); again != reportPath {
		t.Errorf("the same form sent twice went to %s and %s, want the same report", reportPath, again)
	}
	// The same form sent back with other content (the browser's back
	// button, an edit) is refused, with a fresh key to file it anew.
	form.Set("summary", "別の内容")
	if r := op.post("/reports/new", form); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.text(), ja("form.resubmitted")) ||
		inputValue(r.body, "idem") == "" || inputValue(r.body, "idem") == form.Get("idem") || !strings.Contains(r.text(), "別の内容") {
		t.Errorf("the form sent again with other content: status %d; want 422 with the message, the typed text and a new key", r.status)
	}
	reportID := strings.TrimPrefix(reportPath, "/reports/")
	rs, err := s.srv.Reporting.Reports(s.ctx, cabinet, reporting.ReportFilter{})
	if err != nil || len(rs) != 1 {
		t.Fatalf("reports after a double submission: %d (%v), want 1", len(rs), err)
	}
	if want := time.Date(2026, 4, 1, 18, 30, 0, 0, time.UTC); !rs[0].AwareAt.Equal(want) {
		t.Errorf("aware_at stored as %v, want %v (the form's time is Japan time)", rs[0].AwareAt, want)
	}

	// The report page, then the full report by its form.
	page = op.get(filed)
	if page.status != http.StatusOK {
		t.Fatalf("GET %s: status %d", filed, page.status)
	}
	for _, want := range []string{ja("report.purpose"), ja("report.filed"), "hq-vpn-1", ja("report.stage.quick"), "2026-04-02 03:30 JST"} {
		if !strings.Contains(page.text(), want) {
			t.Errorf("report page lacks %q", want)
		}
	}
	for _, want := range []string{`href="/reports/` + reportID + `/versions/1"`, `href="/reports/` + reportID + `/stix"`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("report page lacks %s", want)
		}
	}
	form = formValues(t, page.body, "/reports/"+reportID+"/versions")
	if form.Get("stage") != "full" || form.Get("summary") == "" || form.Get("contact_email") != "soc@kanto.example" {
		t.Errorf("next-stage form starts with stage %q, summary %q, contact %q; want full and the quick report's content", form.Get("stage"), form.Get("summary"), form.Get("contact_email"))
	}
	form.Set("impact_level", "moderate")
	form.Set("impact_description", "リモート保守が半日停止した。")
	form.Set("techniques", "T1190\nt1078")
	form.Set("indicators", "ipv4 192.0.2.10 攻撃元\n\ndomain evil.example")
	form.Set("timeline", "2026-04-02 03:00 不審なログインを検知\n2026-04-02 04:00 アカウントを無効化")
	form.Set("measures_taken", "保守アカウントを無効化し、接続元を制限した。")
	location(t, "POST versions (full)", op.post("/reports/"+reportID+"/versions", form))
	page = op.get(reportPath)
	for _, want := range []string{ja("report.stage.full"), "T1190", "T1078", "192.0.2.10", "evil.example", "2026-04-02 04:00 JST", "アカウントを無効化", ja("report.impact.moderate")} {
		if !strings.Contains(page.text(), want) {
			t.Errorf("report page after the full report lacks %q", want)
		}
	}
	if !strings.Contains(page.body, `/reports/`+reportID+`/versions/2"`) {
		t.Error("report page lacks version 2")
	}
	if r := op.get("/reports/" + reportID + "/versions/1"); r.status != http.StatusOK || strings.Contains(r.text(), "T1190") || !strings.Contains(r.text(), ja("report.version.of", 1, 2)) {
		t.Errorf("GET versions/1: status %d; want 200 showing the quick report only", r.status)
	}

	// Evidence: attach, list, download.
	log := []byte("2026-04-02T03:00:00+09:00 vpn login maint from 203.0.113.5\n")
	r = op.postFile(reportPath+"/evidence", url.Values{"csrf": {op.csrf(reportPath)}, "type": {"auto"}}, "file", "vpn.log", "application/octet-stream", log)
	location(t, "POST evidence", r)
	page = op.get(reportPath)
	m := regexp.MustCompile(`href="(/reports/[^"]+/evidence/[^"]+)"`).FindStringSubmatch(page.body)
	if m == nil {
		t.Fatal("report page lists no evidence download")
	}
	if r := op.get(m[1]); r.status != http.StatusOK || r.body != string(log) || !strings.HasPrefix(r.header.Get("Content-Disposition"), "attachment") || r.header.Get("Content-Type") != "text/plain" {
		t.Errorf("GET %s: status %d, type %q, disposition %q; want the file as a text/plain attachment", m[1], r.status, r.header.Get("Content-Type"), r.header.Get("Content-Disposition"))
	}
	if r := op.get(reportPath + "/stix"); r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "application/stix+json") {
		t.Errorf("GET stix: status %d, type %q; want a STIX bundle", r.status, r.header.Get("Content-Type"))
	} else {
		var b struct{ Type string }
		if err := json.Unmarshal([]byte(r.body), &b); err != nil || b.Type != "bundle" {
			t.Errorf("GET stix: %v, type %q; want a bundle", err, b.Type)
		}
	}

	// METI sees the report, the notice and the compliance row.
	mc := s.client(t)
	mc.login("meti")
	if r := mc.get("/reports"); !strings.Contains(r.text(), "VPN装置への不審なログインを検知した。") || !strings.Contains(r.text(), "関東電力") {
		t.Errorf("METI's report list lacks the report")
	}
	if r := mc.get(reportPath); r.status != http.StatusOK || !strings.Contains(r.text(), "T1190") {
		t.Errorf("METI GET %s: status %d, want 200 with the report", reportPath, r.status)
	}
	if r := mc.get(m[1]); r.status != http.StatusOK {
		t.Errorf("METI GET evidence: status %d, want 200", r.status)
	}
	cp := mc.get("/compliance")
	// Columns: sector, designated, assets, reports, on time, late, missing, pending, …
	row := rowOf(t, cp.body, "関東電力")
	if len(row) < 11 || row[1] != ja("yes") || row[2] != "1" || row[3] != "1" || row[4] != "2" || row[7] != "1" {
		t.Errorf("METI compliance row of 関東電力 = %q; want designated, 1 asset, 1 report, 2 stages on time, 1 pending", row)
	}
	if r := mc.get("/assets/notices"); !strings.Contains(r.body, assetID) {
		t.Error("METI's notices lack the asset notification")
	}

	// MLIT may not see an electricity report: 404, not 403.
	xc := s.client(t)
	xc.login("mlit")
	if r := xc.get(reportPath); r.status != http.StatusNotFound {
		t.Errorf("MLIT GET %s: status %d, want 404", reportPath, r.status)
	}
	if r := xc.get("/reports"); strings.Contains(r.text(), "VPN装置") {
		t.Error("MLIT's report list shows an electricity report")
	}
	if r := xc.get("/compliance"); strings.Contains(r.text(), "関東電力") {
		t.Error("MLIT's compliance table shows an electricity operator")
	}

	// Correction order: METI issues, the operator answers, METI closes.
	page = mc.get("/orders")
	form = formValues(t, page.body, "/orders")
	form.Set("org_id", s.org.ID)
	form.Set("reason", "資産の届出に不足がある。")
	form.Set("request", "制御系サーバを届け出ること。")
	form.Set("due", "2026-04-09T17:00")
	orderPath := location(t, "POST /orders", mc.post("/orders", form))
	if r := op.get("/orders"); !strings.Contains(r.body, orderPath) {
		t.Error("the operator's orders lack the new order")
	}
	form = formValues(t, op.get(orderPath).body, orderPath+"/answer")
	form.Set("text", "本日届け出ました。")
	location(t, "POST answer", op.post(orderPath+"/answer", form))
	form = formValues(t, mc.get(orderPath).body, orderPath+"/close")
	form.Set("text", "回答を受理する。")
	location(t, "POST close", mc.post(orderPath+"/close", form))
	if r := mc.get(orderPath); !strings.Contains(r.text(), "本日届け出ました。") || !strings.Contains(r.text(), ja("order.state.closed")) {
		t.Error("the closed order's page lacks the answer or its state")
	}

	// A request left unanswered past its due time is a referral candidate.
	form = formValues(t, mc.get("/orders").body, "/orders")
	form.Set("kind", "materials")
	form.Set("org_id", s.org.ID)
	form.Set("reason", "報告の裏付け資料が必要。")
	form.Set("request", "VPNのログを提出すること。")
	form.Set("due", "2026-04-02T06:30") // an hour from the start, in JST
	location(t, "POST /orders (materials)", mc.post("/orders", form))
	s.clock.Advance(2 * time.Hour)
	if r := mc.get("/orders"); !strings.Contains(r.text(), "§84") || !strings.Contains(r.text(), "VPNのログを提出すること。") {
		t.Error("METI's orders page lacks the §84 referral candidate")
	}

	// The Cabinet Office designates a gas operator by the page; its report
	// and Kanto Power's show on the chart.
	// A day on, sessions have ended: the analyst logs in afresh.
	s.clock.Advance(24 * time.Hour)
	gasOrg, gasUser := s.orgUser(t, auth.NewOrg{Name: "Tokyo Gas", NameJA: "東京ガス", Kind: auth.OrgOperator, Sectors: []string{"gas"}}, "tanaka", auth.RoleOperator)
	ac := s.client(t)
	ac.login("nco")
	opPage := "/operators/" + gasOrg.ID
	form = formValues(t, ac.get(opPage).body, opPage+"/designation")
	form.Set("reason", "経済安全保障推進法に基づき指定")
	location(t, "POST designation", ac.post(opPage+"/designation", form))
	if r := ac.get(opPage); !strings.Contains(r.text(), "経済安全保障推進法に基づき指定") || !strings.Contains(r.text(), ja("operators.designated")) {
		t.Error("the operator's page lacks the designation and its reason")
	}
	gas := &auth.Principal{UserID: gasUser.ID, OrgID: gasOrg.ID, OrgKind: auth.OrgOperator, Sectors: []string{"gas"}, Roles: []auth.Role{auth.RoleOperator}}
	if _, err := s.srv.Reporting.Submit(s.ctx, gas, "", reporting.Submission{Stage: reporting.StageQuick, Content: reporting.Content{
		Kind: reporting.KindPrecursor, Summary: "Scans of the billing portal.", AwareAt: s.clock.Now().Add(-time.Hour),
		Status: reporting.StatusOngoing, Contact: reporting.Contact{Name: "Desk", Phone: "03-0000-0000"}}}, reporting.ViaAPI, reporting.Idem{}); err != nil {
		t.Fatalf("gas report: %v", err)
	}

	const q = "from=2026-03-30&to=2026-04-05"
	svg := ac.get("/reports/chart.svg?" + q)
	if svg.status != http.StatusOK || !strings.HasPrefix(svg.header.Get("Content-Type"), "image/svg+xml") {
		t.Fatalf("GET chart.svg: status %d, type %q", svg.status, svg.header.Get("Content-Type"))
	}
	from := time.Date(2026, 3, 30, 0, 0, 0, 0, time.FixedZone("JST", 9*3600))
	bs, err := s.srv.Reporting.ReportCounts(s.ctx, cabinet, from, from.AddDate(0, 0, 7), 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	wantBars := 0
	for _, b := range bs {
		for _, n := range b.BySector {
			if n > 0 {
				wantBars++
			}
		}
	}
	bars, title, desc := chartShape(t, svg.body)
	if wantBars != 2 || bars != wantBars {
		t.Errorf("chart has %d bars, want one per non-empty bucket and sector: %d (and 2 in this test)", bars, wantBars)
	}
	if title == "" || !strings.Contains(desc, "電気") || !strings.Contains(desc, "ガス") {
		t.Errorf("chart title %q, desc %q; want a title and a description naming 電気 and ガス", title, desc)
	}
	for _, want := range []string{"電気 (1)", "ガス (1)"} {
		if !strings.Contains(html2text(svg.body), want) {
			t.Errorf("chart legend lacks %q", want)
		}
	}
	if r := ac.get("/reports?" + q); !strings.Contains(r.body, `src="/reports/chart.svg?from=2026-03-30&amp;to=2026-04-05"`) || !strings.Contains(r.body, `alt="`+ja("chart.alt", "2026-03-30", "2026-04-05", 2)+`"`) {
		t.Errorf("analyst's reports page lacks the chart image with its alt text")
	}
	if r := ac.get("/reports?sector=gas&stage=quick"); !strings.Contains(r.text(), "Scans of the billing portal.") || strings.Contains(r.text(), "VPN装置") {
		t.Error("the sector and stage filter did not narrow the list to the gas report")
	}
	op.login("sato")
	if r := op.get("/reports/chart.svg"); r.status != http.StatusForbidden {
		t.Errorf("operator GET chart.svg: status %d, want 403", r.status)
	}
}

// chartShape parses an SVG chart as XML and returns its number of bars,
// its title and its description.
func chartShape(t *testing.T, body string) (bars int, title, desc string) {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(body))
	var stack []string
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("chart is not XML: %v", err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			stack = append(stack, e.Name.Local)
			if e.Name.Local == "rect" {
				for _, a := range e.Attr {
					if a.Name.Local == "class" && a.Value == "bar" {
						bars++
					}
				}
			}
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 2 && stack[0] == "svg" {
				switch stack[1] {
				case "title":
					title += string(e)
				case "desc":
					desc += string(e)
				}
			}
		}
	}
	return bars, title, desc
}

// html2text returns the text of markup.
func html2text(s string) string {
	doc, err := xhtml.Parse(strings.NewReader(s))
	if err != nil {
		return s
	}
	return textOf(doc)
}

// TestReportingFormErrors: refused input re-renders the form with 400, the
// error next to its field, and what the user typed.
func TestReportingFormErrors(t *testing.T) {
	s := newSite(t, storetest.SQLite(t))
	reportingUsers(t, s)
	op := s.client(t)
	op.login("sato")

	for _, tc := range []struct {
		name, path string
		set        url.Values
		field      string   // the field whose error shows
		want       string   // in the field's error
		kept       []string // typed values the page still shows
	}{
		{"bad e-mail", "/reports/new", url.Values{"summary": {"ログインの失敗が続いた。"}, "contact_name": {"SOC"}, "contact_email": {"not-an-address"}},
			"r-contact-email", "not an e-mail address", []string{"ログインの失敗が続いた。", "not-an-address"}},
		{"no contact at all", "/reports/new", url.Values{"summary": {"要約"}, "contact_name": {"SOC"}},
			"r-contact-email", "e-mail address or a phone number", []string{"要約"}},
		{"aware in the future", "/reports/new", url.Values{"summary": {"要約"}, "contact_name": {"SOC"}, "contact_phone": {"03-1234-5678"}, "aware_at": {"2026-04-03T12:00"}},
			"r-aware-at", "in the future", []string{"2026-04-03T12:00", "03-1234-5678"}},
		{"bad aware time", "/reports/new", url.Values{"summary": {"要約"}, "contact_name": {"SOC"}, "contact_phone": {"03"}, "aware_at": {"yesterday"}},
			"r-aware-at", "not a date and time", []string{"yesterday"}},
		{"role other without detail", "/assets", url.Values{"name": {"plc-7"}, "vendor": {"Acme"}, "product": {"PLC"}, "version": {"1"}, "role": {"other"}, "facility": {"変電所"}},
			"a-role-detail", "required", []string{"plc-7", "変電所"}},
		{"bad date", "/assets", url.Values{"name": {"plc-8"}, "vendor": {"Acme"}, "product": {"PLC"}, "version": {"1"}, "role": {"plc"}, "facility": {"変電所"}, "introduced": {"2026-13-01"}},
			"a-introduced", "YYYY-MM-DD", []string{"plc-8"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			form := formValues(t, op.get(tc.path).body, tc.path)
			for k, v := range tc.set {
				form[k] = v
			}
			r := op.post(tc.path, form)
			if r.status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400; errors: %s", r.status, errorsOf(r.body))
			}
			if !strings.Contains(r.text(), s.msgs.T(web.Japanese, "form.invalid")) {
				t.Error("no form error above the form")
			}
			if got := fieldError(t, r.body, tc.field); !strings.Contains(got, tc.want) {
				t.Errorf("error next to %s = %q, want it to contain %q", tc.field, got, tc.want)
			}
			for _, k := range tc.kept {
				if !strings.Contains(r.text(), k) {
					t.Errorf("the page lost the typed %q", k)
				}
			}
			checkTranslated(t, tc.name, r)
			checkPage(t, r.body, web.Japanese)
		})
	}

	// A timeline line that is not "date time text" names its line.
	form := formValues(t, op.get("/reports/new").body, "/reports/new")
	form.Set("summary", "要約")
	form.Set("contact_name", "SOC")
	form.Set("contact_phone", "03-1234-5678")
	path := location(t, "POST /reports/new", op.post("/reports/new", form))
	id := strings.TrimPrefix(path, "/reports/")
	form = formValues(t, op.get(path).body, path+"/versions")
	form.Set("impact_level", "low")
	form.Set("impact_description", "なし")
	form.Set("measures_taken", "監視を強化")
	form.Set("timeline", "2026-04-02 03:00 検知\n\nきのう 遮断した")
	form.Set("techniques", "T1190")
	r := op.post("/reports/"+id+"/versions", form)
	if r.status != http.StatusBadRequest {
		t.Fatalf("bad timeline: status %d, want 400", r.status)
	}
	if got, want := fieldError(t, r.body, "r-timeline"), s.msgs.T(web.Japanese, "form.line", 3); !strings.Contains(got, want) {
		t.Errorf("timeline error %q, want it to name the line: %q", got, want)
	}
	if !strings.Contains(r.text(), "きのう 遮断した") || !strings.Contains(r.text(), "T1190") {
		t.Error("the page lost the typed timeline or techniques")
	}
	form.Set("timeline", "")
	form.Set("indicators", "ipv4 192.0.2.1\nipv4 999.1.1.1")
	r = op.post("/reports/"+id+"/versions", form)
	if got, want := fieldError(t, r.body, "r-indicators"), s.msgs.T(web.Japanese, "form.line", 2); r.status != http.StatusBadRequest || !strings.Contains(got, want) {
		t.Errorf("bad indicator: status %d, error %q; want 400 naming %q", r.status, got, want)
	}
	// A final report needs its root cause.
	form.Set("indicators", "")
	form.Set("stage", "final")
	r = op.post("/reports/"+id+"/versions", form)
	if got := fieldError(t, r.body, "r-root-cause"); r.status != http.StatusBadRequest || !strings.Contains(got, "required") {
		t.Errorf("final without root cause: status %d, error %q; want 400 required", r.status, got)
	}
	// A stage that would go back is a conflict, said on the page.
	form.Set("stage", "quick")
	if r := op.post("/reports/"+id+"/versions", form); r.status != http.StatusBadRequest && r.status != http.StatusConflict {
		t.Errorf("stage quick again: status %d, want 400 or 409", r.status)
	}

	// An operator that is not designated is told so, and nothing is filed.
	other, _ := s.orgUser(t, auth.NewOrg{Name: "Chubu Power", NameJA: "中部電力", Kind: auth.OrgOperator, Sectors: []string{"electricity"}}, "suzuki", auth.RoleOperator)
	oc := s.client(t)
	oc.login("suzuki")
	page := oc.get("/reports/new")
	if !strings.Contains(page.text(), s.msgs.T(web.Japanese, "report.not_designated")) {
		t.Error("the form of an undesignated operator does not say it cannot file")
	}
	form = formValues(t, page.body, "/reports/new")
	form.Set("summary", "要約")
	form.Set("contact_name", "SOC")
	form.Set("contact_phone", "03-1234-5678")
	if r := oc.post("/reports/new", form); r.status != http.StatusForbidden || !strings.Contains(r.text(), "要約") {
		t.Errorf("undesignated operator files: status %d, want 403 with the form kept", r.status)
	}
	if rs, _ := s.srv.Reporting.Reports(s.ctx, cabinet, reporting.ReportFilter{OrgID: other.ID}); len(rs) != 0 {
		t.Errorf("an undesignated operator filed %d reports", len(rs))
	}
}

// fieldError returns the text of the error shown right after the control
// with id, or "".
func fieldError(t *testing.T, body, id string) string {
	t.Helper()
	var found *xhtml.Node
	walk(parse(t, body), func(n *xhtml.Node) {
		if v, _ := attr(n, "id"); n.Type == xhtml.ElementNode && v == id {
			found = n
		}
	})
	if found == nil {
		t.Fatalf("no element with id %q", id)
	}
	for n := found.NextSibling; n != nil; n = n.NextSibling {
		if n.Type != xhtml.ElementNode {
			continue
		}
		if cl, _ := attr(n, "class"); cl == "field-error" {
			return textOf(n)
		}
		return ""
	}
	return ""
}

// TestAssetImportPage imports a CSV file through the page: good rows are
// notified, bad ones listed with their reasons.
func TestAssetImportPage(t *testing.T) {
	s := newSite(t, storetest.SQLite(t))
	reportingUsers(t, s)
	op := s.client(t)
	op.login("sato")
	csv := "name,product,vendor,version,role,facility\n" +
		"fw-1,PAN-OS,Palo Alto Networks,10.2.9,firewall,給電指令所\n" +
		"sw-1,IOS,Cisco,15.2,toaster,給電指令所\n" +
		"db-1,PostgreSQL,PostgreSQL,16.2,database,本社\n"
	for _, dry := range []bool{true, false} {
		fields := url.Values{"csrf": {op.csrf("/assets")}, "format": {"auto"}}
		if dry {
			fields.Set("dry_run", "1")
		}
		r := op.postFile("/assets/import", fields, "file", "assets.csv", "text/csv", []byte(csv))
		if r.status != http.StatusOK {
			t.Fatalf("import (dry run %v): status %d; errors: %s", dry, r.status, errorsOf(r.body))
		}
		if !strings.Contains(r.text(), "fw-1") || !strings.Contains(r.text(), "db-1") || !strings.Contains(r.text(), "toaster") {
			t.Errorf("import (dry run %v) page lacks the accepted rows or the rejected row's reason", dry)
		}
		as, err := s.srv.Reporting.Assets(s.ctx, cabinet, reporting.AssetFilter{OrgID: s.org.ID})
		if err != nil {
			t.Fatal(err)
		}
		if want := map[bool]int{true: 0, false: 2}[dry]; len(as) != want {
			t.Errorf("after import (dry run %v): %d assets, want %d", dry, len(as), want)
		}
		checkTranslated(t, "import", r)
		checkPage(t, r.body, web.Japanese)
	}
	// A CycloneDX SBOM whose component carries no acd: properties takes
	// the form's defaults.
	bom := `{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[{"type":"firmware","bom-ref":"vpn-2","name":"FortiOS","version":"7.2.8","supplier":{"name":"Fortinet"}}]}`
	fields := url.Values{"csrf": {op.csrf("/assets")}, "format": {"auto"}}
	if r := op.postFile("/assets/import", fields, "file", "sbom.json", "application/json", []byte(bom)); r.status != http.StatusOK || !strings.Contains(r.text(), s.msgs.T(web.Japanese, "assets.import.rejected")) {
		t.Errorf("import of a BOM without defaults: status %d; want 200 with its component rejected", r.status)
	}
	fields.Set("default_role", "vpn_gateway")
	fields.Set("default_facility", "本社")
	fields.Set("default_internet_facing", "1")
	if r := op.postFile("/assets/import", fields, "file", "sbom.json", "application/json", []byte(bom)); r.status != http.StatusOK || !strings.Contains(r.text(), s.msgs.T(web.Japanese, "assets.import.created")) {
		t.Fatalf("import of a BOM with defaults: status %d; errors: %s", r.status, errorsOf(r.body))
	}
	as, err := s.srv.Reporting.Assets(s.ctx, cabinet, reporting.AssetFilter{OrgID: s.org.ID})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, a := range as {
		if a.Name == "vpn-2" {
			found = a.Role == reporting.RoleVPNGateway && a.Facility == "本社" && a.InternetFacing && a.Vendor == "Fortinet"
		}
	}
	if !found {
		t.Errorf("the BOM's component was not registered with the defaults: %+v", as)
	}
	if r := op.postFile("/assets/import", url.Values{"csrf": {op.csrf("/assets")}}, "file", "bad.csv", "text/csv", []byte("nom,produit\nx,y\n")); r.status != http.StatusBadRequest {
		t.Errorf("import of a file with unknown columns: status %d, want 400", r.status)
	}
}

// TestReportingPagesTranslated fetches every reporting page of each role
// in Japanese and English: no message is missing, and the accessibility
// basics hold.
func TestReportingPagesTranslated(t *testing.T) {
	s := newSite(t, storetest.SQLite(t))
	reportingUsers(t, s)
	sato := &auth.Principal{OrgID: s.org.ID, OrgKind: auth.OrgOperator, Sectors: []string{"electricity"}, Roles: []auth.Role{auth.RoleOperator}}
	us, err := s.srv.Auth.Users(s.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range us {
		if u.Username == "sato" {
			sato.UserID = u.ID
		}
	}
	a, err := s.srv.Reporting.CreateAsset(s.ctx, sato, reporting.AssetInput{Name: "scada-1", Product: "Historian", Vendor: "Example", Version: "4.1", Role: reporting.RoleSCADAServer, Facility: "給電指令所"})
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.srv.Reporting.Submit(s.ctx, sato, "", reporting.Submission{Stage: reporting.StageQuick, Content: reporting.Content{
		Kind: reporting.KindIncident, Summary: "Odd traffic.", AwareAt: start.Add(-30 * time.Hour), AffectedAssets: []string{a.ID},
		Status: reporting.StatusOngoing, Contact: reporting.Contact{Name: "SOC", Email: "soc@kanto.example"}}}, reporting.ViaAPI, reporting.Idem{})
	if err != nil {
		t.Fatal(err)
	}
	var rc reporting.Receipt
	if err := json.Unmarshal(out.Body, &rc); err != nil {
		t.Fatal(err)
	}
	rep := "/reports/" + rc.Report.ID
	meti := &auth.Principal{UserID: "u", OrgKind: auth.OrgMinistry, Sectors: []string{"electricity"}, Roles: []auth.Role{auth.RoleMinistry}}
	for _, u := range us {
		if u.Username == "meti" {
			meti.UserID, meti.OrgID = u.ID, u.OrgID
		}
	}
	o, err := s.srv.Reporting.IssueOrder(s.ctx, meti, reporting.NewOrder{Kind: reporting.CorrectionOrder, OrgID: s.org.ID, Reason: "r", Request: "q", Due: start.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	s.clock.Advance(2 * time.Hour) // the order is overdue, the full report missing

	pages := map[string][]string{
		"sato": {"/", "/assets", "/assets/" + a.ID, "/reports", "/reports/new", rep, rep + "/versions/1", "/orders", "/orders/" + o.ID},
		"meti": {"/", "/assets", "/assets/" + a.ID, "/assets/notices", "/reports", rep, "/compliance", "/orders", "/orders/" + o.ID, "/operators", "/operators/" + s.org.ID},
		"nco":  {"/", "/assets/notices", "/reports", rep, "/compliance", "/orders", "/operators", "/operators/" + s.org.ID},
	}
	for _, lang := range []web.Lang{web.Japanese, web.English} {
		for user, paths := range pages {
			c := s.client(t)
			c.login(user)
			c.get("/lang/" + string(lang))
			for _, p := range paths {
				t.Run(string(lang)+"/"+user+p, func(t *testing.T) {
					r := c.get(p)
					if r.status != http.StatusOK {
						t.Fatalf("status %d, want 200", r.status)
					}
					checkTranslated(t, p, r)
					checkPage(t, r.body, lang)
				})
			}
		}
	}
}

// FuzzReportLists: the report form's list fields never panic, and what
// parses renders back to text that parses to the same content. The seed
// corpus is in testdata/fuzz/FuzzReportLists.
func FuzzReportLists(f *testing.F) {
	f.Fuzz(func(t *testing.T, techniques, indicators, timeline, aware string) {
		web.ParseAwareAt(aware)
		c, err := web.ParseReportLists(techniques, indicators, timeline)
		if err != nil {
			return
		}
		te, in, tl := web.FormatReportLists(c)
		c2, err := web.ParseReportLists(te, in, tl)
		if err != nil {
			t.Fatalf("rendered lists do not parse: %v\n%q\n%q\n%q", err, te, in, tl)
		}
		if d := cmp.Diff(c, c2); d != "" {
			t.Errorf("lists changed on a round trip (-first +second):\n%s", d)
		}
	})
}
