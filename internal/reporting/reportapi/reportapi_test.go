package reportapi_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/reporting"
	"github.com/acd-platform/acd/internal/reporting/reportapi"
)

// TestReportLifecycle walks a report through every stage over HTTP, with
// the refused transitions and who may read it.
func TestReportLifecycle(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		var rc reporting.Receipt
		e.call(t, "POST", "/api/v1/reports", "a", e.quickJSON(), http.StatusCreated, &rc)
		id := rc.Report.ID
		if rc.Report.Stage != reporting.StageQuick || rc.Version.Version != 1 || rc.Report.Purpose != reporting.Purpose {
			t.Fatalf("receipt %+v", rc)
		}
		v := "/api/v1/reports/" + id + "/versions"
		steps := []struct {
			name, user, body string
			want             int
		}{
			{"another operator cannot add to it", "b", e.stageJSON("full"), http.StatusNotFound},
			{"a ministry cannot file", "meti", e.stageJSON("full"), http.StatusForbidden},
			{"an admin cannot file", "admin", e.stageJSON("full"), http.StatusForbidden},
			{"update before full", "a", e.stageJSON("update"), http.StatusConflict},
			{"full", "a2", e.stageJSON("full"), http.StatusCreated},
			{"full again", "a", e.stageJSON("full"), http.StatusConflict},
			{"update", "a", e.stageJSON("update"), http.StatusCreated},
			{"back to quick", "a", e.quickJSON(), http.StatusConflict},
			{"final", "a", e.stageJSON("final"), http.StatusCreated},
			{"nothing after the final report", "a", e.stageJSON("update"), http.StatusConflict},
		}
		for _, s := range steps {
			got, _, b := e.req(t, "POST", v, s.user, "", s.body)
			if got != s.want {
				t.Errorf("%s: status %d, want %d (%s)", s.name, got, s.want, b)
			}
		}
		var d reporting.ReportDetail
		e.call(t, "GET", "/api/v1/reports/"+id, "a", "", http.StatusOK, &d)
		if !d.Report.Closed || d.Report.Versions != 4 || len(d.Versions) != 4 || d.Content.RootCause == "" {
			t.Errorf("after final: closed=%v versions=%d/%d root cause %q", d.Report.Closed, d.Report.Versions, len(d.Versions), d.Content.RootCause)
		}
		var v1 reporting.Version
		e.call(t, "GET", "/api/v1/reports/"+id+"/versions/1", "meti", "", http.StatusOK, &v1)
		if v1.Stage != reporting.StageQuick || v1.Content.MeasuresTaken != "" {
			t.Errorf("version 1 is not the quick report as filed: %+v", v1)
		}
		for _, c := range []struct {
			user string
			want int
		}{{"a", 200}, {"a2", 200}, {"b", 404}, {"rail", 404}, {"meti", 200}, {"mlit", 404}, {"analyst", 200}, {"admin", 403}, {"vendor", 403}, {"", 401}} {
			if got, _, b := e.req(t, "GET", "/api/v1/reports/"+id, c.user, "", ""); got != c.want {
				t.Errorf("GET as %q: status %d, want %d (%s)", c.user, got, c.want, b)
			}
		}
		for _, c := range []struct {
			user  string
			query string
			want  int
		}{{"a", "", 1}, {"b", "", 0}, {"meti", "?sector=electricity", 1}, {"mlit", "", 0}, {"analyst", "?stage=final", 1}, {"analyst", "?stage=quick", 0}, {"analyst", "?open=true", 0}} {
			var list reportapi.ReportList
			e.call(t, "GET", "/api/v1/reports"+c.query, c.user, "", http.StatusOK, &list)
			if len(list.Reports) != c.want {
				t.Errorf("list as %s%s: %d reports, want %d", c.user, c.query, len(list.Reports), c.want)
			}
		}
		got, h, b := e.req(t, "GET", "/api/v1/reports/"+id+"/stix", "analyst", "", "")
		if got != 200 || !strings.HasPrefix(h.Get("Content-Type"), "application/stix+json") || !bytes.Contains(b, []byte(`"type":"incident"`)) {
			t.Errorf("STIX export: %d %s %.200s", got, h.Get("Content-Type"), b)
		}
	})
}

// TestBadBodies: malformed submissions are refused with the field at fault.
func TestBadBodies(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		for _, c := range []struct {
			name, body, field string
			want              int
		}{
			{"not JSON", `{"stage":`, "", 400},
			{"unknown field", strings.Replace(e.quickJSON(), `"kind"`, `"knd":1,"kind"`, 1), "knd", 400},
			{"wrong type", strings.Replace(e.quickJSON(), `"status":"ongoing"`, `"status":3`, 1), "status", 400},
			{"bad stage", strings.Replace(e.quickJSON(), `"quick"`, `"urgent"`, 1), "stage", 400},
			{"bad indicator", strings.Replace(e.stageJSON("full"), `"203.0.113.7"`, `"203.0.113.700"`, 1), "indicators[0].value", 400},
			{"bad technique", strings.Replace(e.stageJSON("full"), `"T1486"`, `"T14"`, 1), "techniques[0]", 400},
			{"future awareness", strings.Replace(e.quickJSON(), e.clock.Now().Add(-time.Hour).Format(time.RFC3339), e.clock.Now().Add(48*time.Hour).Format(time.RFC3339), 1), "aware_at", 400},
		} {
			t.Run(c.name, func(t *testing.T) {
				got, _, b := e.req(t, "POST", "/api/v1/reports", "a", "", c.body)
				if got != c.want {
					t.Fatalf("status %d, want %d (%s)", got, c.want, b)
				}
				if c.field != "" {
					if f := errorOf(t, b).Error.Field; f != c.field {
						t.Errorf("field %q, want %q (%s)", f, c.field, b)
					}
				}
			})
		}
		if got, _, _ := e.req(t, "POST", "/api/v1/reports", "undes", "", e.quickJSON()); got != http.StatusForbidden {
			t.Errorf("undesignated operator: status %d, want 403", got)
		}
	})
}

// TestIdempotentSubmission: 20 concurrent submissions with one key file one
// report and all get its answer; the key reused for another body is refused.
func TestIdempotentSubmission(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		body := e.quickJSON()
		type result struct {
			status int
			body   string
		}
		results := make([]result, 20)
		var wg sync.WaitGroup
		for i := range results {
			wg.Go(func() {
				got, _, b := e.req(t, "POST", "/api/v1/reports", "a", "", body, "Idempotency-Key", "retry-me-1")
				results[i] = result{got, string(b)}
			})
		}
		wg.Wait()
		for i, r := range results {
			if r.status != http.StatusCreated || r.body != results[0].body {
				t.Errorf("request %d: %d %s, want 201 and the first answer %s", i, r.status, r.body, results[0].body)
			}
		}
		var list reportapi.ReportList
		e.call(t, "GET", "/api/v1/reports", "a", "", http.StatusOK, &list)
		if len(list.Reports) != 1 {
			t.Errorf("%d reports filed, want exactly 1", len(list.Reports))
		}
		got, _, b := e.req(t, "POST", "/api/v1/reports", "a", "", strings.Replace(body, "historian", "HMI", 1), "Idempotency-Key", "retry-me-1")
		if got != http.StatusUnprocessableEntity {
			t.Errorf("key reused for another body: %d %s, want 422", got, b)
		}
		// Keys are the caller's own: another user's same key is a new request.
		if got, _, b := e.req(t, "POST", "/api/v1/reports", "a2", "", body, "Idempotency-Key", "retry-me-1"); got != http.StatusCreated || string(b) == results[0].body {
			t.Errorf("same key, other user: %d, want a new 201", got)
		}
	})
}

// TestAssets covers notifications of specified critical computers, who
// sees them, and the notices to the ministry and the Cabinet Office.
func TestAssets(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		asset := `{"name":"hq-vpn-1","product":"FortiOS","vendor":"Fortinet","version":"7.2.8","cpe":"cpe:2.3:o:fortinet:fortios:7.2.8:*:*:*:*:*:*:*","role":"vpn_gateway","internet_facing":true,"facility":"Head office","introduced":"2024-04-01"}`
		var a reporting.CriticalComputer
		e.call(t, "POST", "/api/v1/assets", "a", asset, http.StatusCreated, &a)
		if a.Revision != 1 || a.Introduced.String() != "2024-04-01" {
			t.Errorf("created %+v", a)
		}
		got, _, b := e.req(t, "POST", "/api/v1/assets", "a", "", asset)
		if got != 400 || errorOf(t, b).Error.Field != "name" {
			t.Errorf("duplicate name: %d %s, want 400 on name", got, b)
		}
		got, _, b = e.req(t, "POST", "/api/v1/assets", "a", "", strings.Replace(strings.Replace(asset, "hq-vpn-1", "x", 1), "cpe:2.3:o", "cpe:2.3:x", 1))
		if got != 400 || errorOf(t, b).Error.Field != "cpe" {
			t.Errorf("bad CPE: %d %s, want 400 on cpe", got, b)
		}
		for _, c := range []struct {
			user string
			want int
		}{{"a", 200}, {"b", 404}, {"meti", 200}, {"mlit", 404}, {"analyst", 200}, {"admin", 403}} {
			if got, _, b := e.req(t, "GET", "/api/v1/assets/"+a.ID, c.user, "", ""); got != c.want {
				t.Errorf("GET asset as %s: %d, want %d (%s)", c.user, got, c.want, b)
			}
		}
		e.call(t, "PUT", "/api/v1/assets/"+a.ID, "a", strings.Replace(asset, "7.2.8", "7.2.9", 2), http.StatusOK, &a)
		if got, _, _ := e.req(t, "PUT", "/api/v1/assets/"+a.ID, "b", "", asset); got != 404 {
			t.Errorf("another operator's update: %d, want 404", got)
		}
		e.call(t, "POST", "/api/v1/assets/"+a.ID+"/retire", "a", `{"reason":"replaced"}`, http.StatusOK, &a)
		if !a.Retired || a.Revision != 3 {
			t.Errorf("after retire: %+v", a)
		}
		if got, _, _ := e.req(t, "POST", "/api/v1/assets/"+a.ID+"/retire", "a", "", `{"reason":"again"}`); got != 409 {
			t.Errorf("retire twice: %d, want 409", got)
		}
		var detail reportapi.AssetDetail
		e.call(t, "GET", "/api/v1/assets/"+a.ID, "a", "", http.StatusOK, &detail)
		if len(detail.Versions) != 3 || detail.Versions[0].Version != "7.2.8" || detail.Versions[2].Change != reporting.AssetRetired {
			t.Errorf("versions: %+v", detail.Versions)
		}
		var ministry, cabinet reportapi.NoticeList
		e.call(t, "GET", "/api/v1/asset-notices", "meti", "", http.StatusOK, &ministry)
		e.call(t, "GET", "/api/v1/asset-notices", "analyst", "", http.StatusOK, &cabinet)
		if len(ministry.Notices) != 3 || len(cabinet.Notices) != 3 {
			t.Fatalf("notices: ministry %d, cabinet %d, want 3 each", len(ministry.Notices), len(cabinet.Notices))
		}
		if n := cabinet.Notices[0]; n.Recipient != reporting.RecipientCabinet || n.ForwardedFrom == "" || n.Ministry != "meti" {
			t.Errorf("Cabinet Office copy: %+v", n)
		}
		var none reportapi.NoticeList
		e.call(t, "GET", "/api/v1/asset-notices", "mlit", "", http.StatusOK, &none)
		if len(none.Notices) != 0 {
			t.Errorf("MLIT got %d notices of an electricity operator", len(none.Notices))
		}
		if got, _, _ := e.req(t, "GET", "/api/v1/asset-notices", "a", "", ""); got != 403 {
			t.Errorf("operator reading notices: %d, want 403", got)
		}
	})
}

// TestImport: a CSV with a bad row imports the good rows and reports the
// bad one with its line; a dry run changes nothing.
func TestImport(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		csv := "name,product,vendor,version,cpe,role,internet_facing,facility\n" +
			"fw-1,PAN-OS,Palo Alto Networks,10.2.9,cpe:2.3:o:paloaltonetworks:pan-os:10.2.9:*:*:*:*:*:*:*,firewall,yes,DC\n" +
			"bad-1,Thing,Acme,1,,teleporter,no,DC\n" +
			"hmi-1,WinCC,Siemens,7.5,,hmi,no,Plant\n"
		var dry reportapi.ImportReport
		got, _, b := e.req(t, "POST", "/api/v1/assets/import?dry_run=true", "a", "text/csv", csv)
		if got != 200 || json.Unmarshal(b, &dry) != nil || !dry.DryRun || len(dry.Accepted) != 2 {
			t.Fatalf("dry run: %d %s", got, b)
		}
		var list reportapi.AssetList
		e.call(t, "GET", "/api/v1/assets", "a", "", http.StatusOK, &list)
		if len(list.Assets) != 0 {
			t.Fatalf("dry run registered %d assets", len(list.Assets))
		}
		var rep reportapi.ImportReport
		got, _, b = e.req(t, "POST", "/api/v1/assets/import", "a", "text/csv", csv)
		if got != 200 || json.Unmarshal(b, &rep) != nil {
			t.Fatalf("import: %d %s", got, b)
		}
		if len(rep.Accepted) != 2 || len(rep.Rejected) != 1 || rep.Rejected[0].Line != 3 || !strings.Contains(rep.Rejected[0].Reason+rep.Rejected[0].Field, "role") {
			t.Errorf("import report %s: want 2 accepted and line 3 rejected for its role", b)
		}
		// Importing the same file again changes nothing.
		got, _, b = e.req(t, "POST", "/api/v1/assets/import", "a", "text/csv", csv)
		if got != 200 || json.Unmarshal(b, &rep) != nil || rep.Accepted[0].Action != "unchanged" {
			t.Errorf("re-import: %d %s, want unchanged rows", got, b)
		}
		if got, _, _ := e.req(t, "POST", "/api/v1/assets/import", "a", "application/pdf", "%PDF-"); got != http.StatusUnsupportedMediaType {
			t.Errorf("PDF import: %d, want 415", got)
		}
	})
}

// TestEvidence: files are checked against their declared type, hashed,
// and served as downloads to those who may read the report.
func TestEvidence(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		var rc reporting.Receipt
		e.call(t, "POST", "/api/v1/reports", "a", e.quickJSON(), http.StatusCreated, &rc)
		path := "/api/v1/reports/" + rc.Report.ID + "/evidence"
		if got, _, b := e.req(t, "POST", path+"?name=shot.png", "a", "image/png", "not a png"); got != 400 || !strings.Contains(string(b), "does not start like one") {
			t.Errorf("mislabelled file: %d %s", got, b)
		}
		if got, _, _ := e.req(t, "POST", path+"?name=x.exe", "a", "application/x-msdownload", "MZ"); got != 400 {
			t.Errorf("executable: %d, want 400", got)
		}
		if got, _, _ := e.req(t, "POST", path+"?name=log.txt", "b", "text/plain", "hello"); got != 404 {
			t.Errorf("another operator's upload: %d, want 404", got)
		}
		var ev reporting.Evidence
		got, _, b := e.req(t, "POST", path+"?name=../../etc/log.txt", "a", "text/plain; charset=utf-8", "Nov 23 10:00 sshd: failed login\n")
		if got != 201 || json.Unmarshal(b, &ev) != nil {
			t.Fatalf("upload: %d %s", got, b)
		}
		sum := sha256.Sum256([]byte("Nov 23 10:00 sshd: failed login\n"))
		if ev.Name != "log.txt" || ev.SHA256 != hex.EncodeToString(sum[:]) || ev.MediaType != "text/plain" {
			t.Errorf("evidence %+v", ev)
		}
		got, h, b := e.req(t, "GET", path+"/"+ev.ID, "meti", "", "")
		if got != 200 || string(b) != "Nov 23 10:00 sshd: failed login\n" || h.Get("X-Content-Type-Options") != "nosniff" || !strings.HasPrefix(h.Get("Content-Disposition"), "attachment") {
			t.Errorf("download: %d %v %q", got, h, b)
		}
		if got, _, _ := e.req(t, "GET", path+"/"+ev.ID, "mlit", "", ""); got != 404 {
			t.Errorf("other ministry download: %d, want 404", got)
		}
	})
}

// TestOrders: a ministry orders an operator of its sector; the operator
// answers; the ministry closes; an unanswered order past due is a referral
// candidate with its history.
func TestOrders(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		due := e.clock.Now().Add(72 * time.Hour).Format(time.RFC3339)
		order := fmt.Sprintf(`{"kind":"correction","org_id":%q,"reason":"No report of the outage of 1 April.","request":"File the incident report.","due":%q}`, e.opA.ID, due)
		if got, _, b := e.req(t, "POST", "/api/v1/orders", "mlit", "", order); got != 403 {
			t.Errorf("MLIT ordering an electricity operator: %d %s, want 403", got, b)
		}
		if got, _, _ := e.req(t, "POST", "/api/v1/orders", "a", "", order); got != 403 {
			t.Errorf("operator issuing an order: %d, want 403", got)
		}
		var o reporting.Order
		e.call(t, "POST", "/api/v1/orders", "meti", order, http.StatusCreated, &o)
		if o.State != reporting.OrderOpen || !strings.Contains(o.LegalBasis, "§83") || len(o.History) != 1 {
			t.Errorf("issued %+v", o)
		}
		if got, _, _ := e.req(t, "POST", "/api/v1/orders/"+o.ID+"/answer", "b", "", `{"text":"not ours"}`); got != 404 {
			t.Errorf("another operator answering: %d, want 404", got)
		}
		if got, _, _ := e.req(t, "POST", "/api/v1/orders/"+o.ID+"/close", "meti", "", `{"text":""}`); got != 400 {
			t.Errorf("closing without a note: %d, want 400", got)
		}
		e.call(t, "POST", "/api/v1/orders/"+o.ID+"/answer", "a", `{"text":"Report rep_x filed."}`, http.StatusOK, &o)
		if o.State != reporting.OrderAnswered || o.Late {
			t.Errorf("answered %+v", o)
		}
		if got, _, _ := e.req(t, "POST", "/api/v1/orders/"+o.ID+"/answer", "a", "", `{"text":"again"}`); got != 409 {
			t.Errorf("answering twice: %d, want 409", got)
		}
		e.call(t, "POST", "/api/v1/orders/"+o.ID+"/close", "meti", `{"text":"Accepted."}`, http.StatusOK, &o)
		if o.State != reporting.OrderClosed || len(o.History) != 3 {
			t.Errorf("closed %+v", o)
		}
		if got, _, _ := e.req(t, "POST", "/api/v1/orders/"+o.ID+"/close", "meti", "", `{"text":"again"}`); got != 409 {
			t.Errorf("closing twice: %d, want 409", got)
		}

		req := fmt.Sprintf(`{"kind":"materials","org_id":%q,"reason":"Assessing the outage.","request":"Submit the VPN logs of 1 April.","due":%q}`, e.opA.ID, due)
		var m reporting.Order
		e.call(t, "POST", "/api/v1/orders", "meti", req, http.StatusCreated, &m)
		var ref reportapi.OrderList
		e.call(t, "GET", "/api/v1/orders?referral=true", "meti", "", http.StatusOK, &ref)
		if len(ref.Orders) != 0 {
			t.Errorf("%d referral candidates before due, want 0", len(ref.Orders))
		}
		e.clock.Advance(73 * time.Hour)
		e.call(t, "GET", "/api/v1/orders?referral=true", "meti", "", http.StatusOK, &ref)
		if len(ref.Orders) != 1 || ref.Orders[0].ID != m.ID || ref.Orders[0].Referral != "§84" || len(ref.Orders[0].History) == 0 {
			t.Errorf("referral candidates after due: %+v", ref.Orders)
		}
		var mine reportapi.OrderList
		e.call(t, "GET", "/api/v1/orders", "a", "", http.StatusOK, &mine)
		e.call(t, "GET", "/api/v1/orders", "b", "", http.StatusOK, &ref)
		if len(mine.Orders) != 2 || len(ref.Orders) != 0 {
			t.Errorf("orders seen: operator A %d (want 2), operator B %d (want 0)", len(mine.Orders), len(ref.Orders))
		}
		var table reportapi.ComplianceTable
		e.call(t, "GET", "/api/v1/compliance?sector=electricity", "meti", "", http.StatusOK, &table)
		found := false
		for _, r := range table.Rows {
			if r.Operator.Org.ID == e.opA.ID {
				found = true
				if r.OverdueOrders != 1 || r.Standing != reporting.Missing {
					t.Errorf("compliance row %+v: want one overdue order", r)
				}
			}
		}
		if !found {
			t.Error("operator A missing from METI's compliance table")
		}
		if got, _, _ := e.req(t, "GET", "/api/v1/compliance", "a", "", ""); got != 403 {
			t.Errorf("operator reading compliance: %d, want 403", got)
		}
	})
}

// TestDesignation: only the Cabinet Office designates; history is kept.
func TestDesignation(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		path := "/api/v1/operators/" + e.undesignated.ID + "/designations"
		if got, _, _ := e.req(t, "POST", path, "meti", "", `{"designated":true,"reason":"x"}`); got != 403 {
			t.Errorf("ministry designating: %d, want 403", got)
		}
		e.call(t, "POST", path, "analyst", `{"designated":true,"reason":"Listed by cabinet order."}`, http.StatusCreated, nil)
		if got, _, _ := e.req(t, "POST", path, "analyst", "", `{"designated":true,"reason":"again"}`); got != 409 {
			t.Errorf("designating twice: %d, want 409", got)
		}
		e.call(t, "POST", "/api/v1/reports", "undes", e.quickJSON(), http.StatusCreated, nil)
		e.call(t, "POST", path, "analyst", `{"designated":false,"reason":"Delisted."}`, http.StatusCreated, nil)
		if got, _, _ := e.req(t, "POST", "/api/v1/reports", "undes", "", e.quickJSON()); got != 403 {
			t.Errorf("undesignated operator filing: %d, want 403", got)
		}
		var h reportapi.DesignationList
		e.call(t, "GET", path, "meti", "", http.StatusOK, &h)
		if len(h.Designations) != 2 || !h.Designations[0].Designated || h.Designations[1].Designated {
			t.Errorf("history %+v", h.Designations)
		}
		if got, _, _ := e.req(t, "GET", path, "mlit", "", ""); got != 404 {
			t.Errorf("MLIT reading a gas operator's history: %d, want 404", got)
		}
	})
}

// TestStats: report counts per sector per day, for analysts.
func TestStats(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		e.call(t, "POST", "/api/v1/reports", "a", e.quickJSON(), http.StatusCreated, nil)
		e.call(t, "POST", "/api/v1/reports", "rail", e.quickJSON(), http.StatusCreated, nil)
		var s reportapi.Stats
		e.call(t, "GET", "/api/v1/reports/stats?from=2026-03-30&to=2026-04-03", "analyst", "", http.StatusOK, &s)
		if len(s.Buckets) != 4 || s.Buckets[2].BySector["electricity"] != 1 || s.Buckets[2].BySector["railways"] != 1 {
			t.Errorf("stats %+v", s)
		}
		var m reportapi.Stats
		e.call(t, "GET", "/api/v1/reports/stats?from=2026-03-30&to=2026-04-03", "meti", "", http.StatusOK, &m)
		if m.Buckets[2].BySector["railways"] != 0 || m.Buckets[2].BySector["electricity"] != 1 {
			t.Errorf("METI stats include another ministry's sector: %+v", m.Buckets[2])
		}
	})
}

// TestSTIX files a report as a STIX bundle, refuses malformed bundles with
// the object and field at fault, and exports a report that imports back as
// the same report.
func TestSTIX(t *testing.T) {
	raw, err := os.ReadFile("../stixmap/testdata/quick.json")
	if err != nil {
		t.Fatal(err)
	}
	each(t, func(t *testing.T, e *env) {
		// The bundle's affected asset must be one of the operator's.
		var a reporting.CriticalComputer
		e.call(t, "POST", "/api/v1/assets", "a", `{"name":"vpn","product":"FortiOS","vendor":"Fortinet","version":"7.2.8","role":"vpn_gateway","facility":"HQ"}`, http.StatusCreated, &a)
		bundle := strings.Replace(string(raw), "cc_7qzm4x2kv5c3n6d2r7t4wyhabe", a.ID, 1)
		got, _, b := e.req(t, "POST", "/api/v1/reports/stix", "a", reportapi.MediaTypeSTIX, bundle, "Idempotency-Key", "stix-1")
		if got != 201 {
			t.Fatalf("import: %d %s", got, b)
		}
		var rc reporting.Receipt
		if err := json.Unmarshal(b, &rc); err != nil {
			t.Fatal(err)
		}
		if rc.Version.Via != reporting.ViaSTIX || rc.Report.Title != "VPN appliance compromised" {
			t.Errorf("receipt %+v", rc)
		}
		if again, _, b2 := e.req(t, "POST", "/api/v1/reports/stix", "a", reportapi.MediaTypeSTIX, bundle, "Idempotency-Key", "stix-1"); again != 201 || string(b2) != string(b) {
			t.Errorf("retry: %d, want the first answer", again)
		}
		for _, c := range []struct {
			name, ct, body, want string
			status               int
		}{
			{"JSON media type", "application/json", bundle, "Content-Type", 415},
			{"not a bundle", reportapi.MediaTypeSTIX, `{"type":"incident"}`, "", 400},
			{"a name that is not a string", reportapi.MediaTypeSTIX, strings.Replace(bundle, `"name": "VPN appliance compromised"`, `"name": 7`, 1), "name", 400},
		} {
			got, _, b := e.req(t, "POST", "/api/v1/reports/stix", "a", c.ct, c.body)
			if got != c.status || !strings.Contains(string(b), c.want) {
				t.Errorf("%s: %d %s, want %d mentioning %q", c.name, got, b, c.status, c.want)
			}
		}
		// The export names the report: filing it again as its next version
		// is a second quick report, which is refused.
		got, _, exp := e.req(t, "GET", "/api/v1/reports/"+rc.Report.ID+"/stix", "a", "", "")
		if got != 200 {
			t.Fatalf("export: %d %s", got, exp)
		}
		if got, _, b := e.req(t, "POST", "/api/v1/reports/stix", "a", reportapi.MediaTypeSTIX, string(exp)); got != 409 {
			t.Errorf("re-import of the quick report: %d %s, want 409", got, b)
		}
		if got, h, b := e.req(t, "GET", "/api/v1/stix/extension-definition", "", "", ""); got != 200 || !strings.Contains(h.Get("Content-Type"), "stix") || !bytes.Contains(b, []byte("extension-definition--")) {
			t.Errorf("extension-definition: %d %s", got, b)
		}
	})
}
