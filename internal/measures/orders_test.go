package measures_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/measures"
	"github.com/acd-platform/acd/internal/measures/orderdoc"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
)

// TestOrders: an order's input is checked against the case; its delivery
// and the response are recorded by the case's officer, the response once;
// an order past due without a response is overdue.
func TestOrders(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		c := e.ready(t)
		for _, x := range []struct {
			name  string
			edit  func(in *measures.OrderInput)
			field string
		}{
			{"no addressee", func(in *measures.OrderInput) { in.Addressee = "" }, "addressee"},
			{"a contact of two lines", func(in *measures.OrderInput) { in.Contact = "a\nb" }, "contact"},
			{"no target", func(in *measures.OrderInput) { in.TargetIndexes = nil }, "target_indexes"},
			{"a target out of range", func(in *measures.OrderInput) { in.TargetIndexes = []int{0, 2} }, "target_indexes[1]"},
			{"a target repeated", func(in *measures.OrderInput) { in.TargetIndexes = []int{1, 1} }, "target_indexes[1]"},
			{"no required measures", func(in *measures.OrderInput) { in.RequiredMeasures = " " }, "required_measures"},
			{"due in the past", func(in *measures.OrderInput) { in.Due = t0.Add(-time.Hour) }, "due"},
			{"due in two years", func(in *measures.OrderInput) { in.Due = t0.AddDate(2, 0, 0) }, "due"},
		} {
			in := e.orderInput()
			x.edit(&in)
			_, err := e.svc.IssueOrder(e.ctx, e.officer, c.ID, in)
			wantField(t, x.name, err, x.field)
		}
		in := e.orderInput()
		in.TargetIndexes = []int{1, 0}
		o, err := e.svc.IssueOrder(e.ctx, e.officer, c.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		if len(o.Targets) != 2 || o.Targets[0].Domain != "c2.example.net" || o.Overdue || o.ID[:4] != "ord_" {
			t.Fatalf("order %+v", o)
		}
		_, err = e.svc.RecordDelivery(e.ctx, e.officer2, o.ID, measures.DeliveryInput{Method: measures.DeliveryEmail, At: t0})
		wantRefusal(t, "another officer records a delivery", err, measures.CodeNotCaseOfficer)
		_, err = e.svc.RecordDelivery(e.ctx, e.officer, o.ID, measures.DeliveryInput{Method: "fax", At: t0})
		wantField(t, "unknown method", err, "method")
		_, err = e.svc.RecordDelivery(e.ctx, e.officer, o.ID, measures.DeliveryInput{Method: measures.DeliveryEmail, At: t0.Add(time.Hour)})
		wantField(t, "delivered in the future", err, "at")
		_, err = e.svc.RecordDelivery(e.ctx, e.officer, o.ID, measures.DeliveryInput{Method: measures.DeliveryEmail, At: t0.Add(-time.Hour)})
		wantField(t, "delivered before issue", err, "at")
		if o, err = e.svc.RecordDelivery(e.ctx, e.officer, o.ID, measures.DeliveryInput{Method: measures.DeliveryEmail, At: t0, Note: "Sent to abuse@."}); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(72 * time.Hour)
		if o, _ = e.svc.Order(e.ctx, e.officer, o.ID); !o.Overdue {
			t.Error("order past due without a response is not overdue")
		}
		if got := e.get(t, e.officer, c.ID); len(got.Orders) != 1 || !got.Orders[0].Overdue || !got.Orders[0].Delivered {
			t.Errorf("case's order summary %+v", got.Orders)
		}
		o, err = e.svc.RecordResponse(e.ctx, e.officer, o.ID, measures.ResponseInput{Response: measures.ResponseComplied, Text: "Process stopped.", At: e.clock.Now()})
		if err != nil || o.Overdue || o.Response.Response != measures.ResponseComplied {
			t.Fatalf("response: %+v %v", o, err)
		}
		_, err = e.svc.RecordResponse(e.ctx, e.officer, o.ID, measures.ResponseInput{Response: measures.ResponseRefused, At: e.clock.Now()})
		wantRefusal(t, "a second response", err, measures.CodeAlreadyDone)
		if got := e.entries(t, "order/"+o.ID); strings.Join(got, " ") != "measure.order_issue measure.order_delivery measure.order_response" {
			t.Errorf("order audit entries %v", got)
		}
		_, err = e.svc.Order(e.ctx, e.officer, "ord_nothing")
		wantErr(t, "no such order", err, measures.ErrNotFound)
	})
}

// TestOrderDocument: the order's document as JSON and text names the
// order, the case, the legal basis, the addressee and the targets; the PDF
// printed by Chromium says the same (skipped without Chromium or
// pdftotext).
func TestOrderDocument(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, measures.Config{})
		c := e.ready(t)
		o, err := e.svc.IssueOrder(e.ctx, e.officer, c.ID, e.orderInput())
		if err != nil {
			t.Fatal(err)
		}
		b, ct, err := e.svc.OrderDocument(e.ctx, e.officer, o.ID, measures.FormatJSON)
		if err != nil || ct != "application/json" {
			t.Fatalf("json: %s %v", ct, err)
		}
		var d orderdoc.Document
		if err := json.Unmarshal(b, &d); err != nil {
			t.Fatal(err)
		}
		if d.ID != o.ID || d.CaseID != c.ID || d.Path != "police" || d.Addressee.Name != "Example Hosting K.K." || len(d.Targets) != 1 ||
			d.Targets[0].Address != "192.0.2.15" || d.Issuer.AgencyJA != "警察庁" || d.Grounds.Harm != c.Harm || !d.Due.Equal(o.Due) {
			t.Errorf("document %+v", d)
		}
		if err := orderdoc.Validate(d); err != nil {
			t.Errorf("the document does not validate: %v", err)
		}
		txt, ct, err := e.svc.OrderDocument(e.ctx, e.analyst, o.ID, measures.FormatText)
		if err != nil || !strings.HasPrefix(ct, "text/plain") {
			t.Fatalf("text: %s %v", ct, err)
		}
		for _, w := range []string{o.ID, c.ID, "警察官職務執行法第6条の2第1項", "Police Duties Execution Act, Article 6-2, paragraph 1", "192.0.2.15", "Example Hosting K.K."} {
			if !strings.Contains(string(txt), w) {
				t.Errorf("text lacks %q", w)
			}
		}
		_, _, err = e.svc.OrderDocument(e.ctx, e.officer, o.ID, "docx")
		wantField(t, "unknown format", err, "format")
		if h, ct, err := e.svc.OrderDocument(e.ctx, e.officer, o.ID, measures.FormatHTML); err != nil || !strings.HasPrefix(ct, "text/html") || !strings.Contains(string(h), o.ID) {
			t.Errorf("html: %s %v", ct, err)
		}

		if db.Dialect() != store.SQLite {
			return // the PDF depends on the order only: print it once
		}
		if testing.Short() {
			t.Skip("PDF test skipped in -short mode: it starts Chromium")
		}
		if _, err := exec.LookPath("chromium"); err != nil {
			t.Skip("PDF test skipped: no chromium (install the Debian package chromium, and fonts-noto-cjk for Japanese)")
		}
		if _, err := exec.LookPath("pdftotext"); err != nil {
			t.Skip("PDF test skipped: no pdftotext (install the Debian package poppler-utils)")
		}
		pdf, ct, err := e.svc.OrderDocument(e.ctx, e.officer, o.ID, measures.FormatPDF)
		if err != nil || ct != "application/pdf" {
			t.Fatalf("pdf: %s %v", ct, err)
		}
		path := filepath.Join(t.TempDir(), "order.pdf")
		if err := os.WriteFile(path, pdf, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("pdftotext", "-layout", path, "-").Output()
		if err != nil {
			t.Fatalf("pdftotext: %v", err)
		}
		flat := strings.Join(strings.Fields(string(out)), "")
		for _, w := range []string{o.ID, c.ID, "警察官職務執行法第6条の2第1項", "PoliceDutiesExecutionAct", "ExampleHostingK.K.", "192.0.2.15"} {
			if !strings.Contains(flat, w) {
				t.Errorf("PDF text lacks %q", w)
			}
		}
	})
}
