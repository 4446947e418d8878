package orderdoc_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/measures/orderdoc"
	"github.com/acd-platform/acd/internal/pdf"
	"github.com/acd-platform/acd/internal/svcerr"
)

// sample is a valid police order: issued 2026-02-03 01:30 UTC, which is
// 10:30 in Japan, due 2026-02-03 15:00 UTC, which is midnight in Japan.
func sample() orderdoc.Document {
	basis, _ := orderdoc.LegalBasisFor(orderdoc.PathPolice)
	return orderdoc.Document{
		ID:         "ord_7b3c9e21a0f4",
		CaseID:     "msr_5d2a8f0c6e11",
		Path:       orderdoc.PathPolice,
		LegalBasis: basis,
		IssuedAt:   time.Date(2026, 2, 3, 1, 30, 0, 0, time.UTC),
		Due:        time.Date(2026, 2, 3, 15, 0, 0, 0, time.UTC),
		Issuer:     orderdoc.Issuer{Officer: "山田 太郎", AgencyJA: "警察庁サイバー警察局", AgencyEN: "National Police Agency, Cyber Affairs Bureau"},
		Addressee:  orderdoc.Addressee{Name: "Example Hosting Operations", Contact: "abuse@hosting.example", HostingProvider: "Example Hosting K.K."},
		Targets: []orderdoc.Target{
			{Address: "192.0.2.15", Domain: "c2.attacker.example"},
			{Address: "198.51.100.0/28"},
		},
		RequiredMeasures: "Stop the program \"botctl\" on the computers named above.\nKeep the logs.",
		Grounds: orderdoc.Grounds{
			Harm:    "医療機関の電子カルテ停止による患者の生命への危害",
			Urgency: "攻撃指令が12時間以内に予定されている",
		},
		Reply: orderdoc.DefaultReply,
	}
}

func TestValidate(t *testing.T) {
	if err := orderdoc.Validate(sample()); err != nil {
		t.Fatalf("the sample: %v", err)
	}
	for _, path := range []string{orderdoc.PathSDFProtection, orderdoc.PathSDFGuard} {
		d := sample()
		d.Path = path
		d.LegalBasis, _ = orderdoc.LegalBasisFor(path)
		if err := orderdoc.Validate(d); err != nil {
			t.Errorf("path %s: %v", path, err)
		}
	}
	long := strings.Repeat("あ", orderdoc.MaxText+1)
	many := make([]orderdoc.Target, orderdoc.MaxTargets+1)
	for i := range many {
		many[i] = orderdoc.Target{Domain: "x.example"}
	}
	tests := []struct {
		name  string
		edit  func(*orderdoc.Document)
		field string // the field the error names
	}{
		// Each required one-line field, blank.
		{"no id", func(d *orderdoc.Document) { d.ID = "" }, "id"},
		{"no case", func(d *orderdoc.Document) { d.CaseID = " " }, "case_id"},
		{"no basis ja", func(d *orderdoc.Document) { d.LegalBasis.JA = "" }, "legal_basis.ja"},
		{"no basis en", func(d *orderdoc.Document) { d.LegalBasis.EN = "" }, "legal_basis.en"},
		{"no officer", func(d *orderdoc.Document) { d.Issuer.Officer = "" }, "issuer.officer"},
		{"no agency ja", func(d *orderdoc.Document) { d.Issuer.AgencyJA = "" }, "issuer.agency_ja"},
		{"no agency en", func(d *orderdoc.Document) { d.Issuer.AgencyEN = "" }, "issuer.agency_en"},
		{"no addressee", func(d *orderdoc.Document) { d.Addressee.Name = "" }, "addressee.name"},
		{"no contact", func(d *orderdoc.Document) { d.Addressee.Contact = "" }, "addressee.contact"},
		// A line with a line break.
		{"two-line name", func(d *orderdoc.Document) { d.Addressee.Name = "a\nb" }, "addressee.name"},
		{"control in provider", func(d *orderdoc.Document) { d.Addressee.HostingProvider = "a\x00b" }, "addressee.hosting_provider"},
		// An unknown path.
		{"path", func(d *orderdoc.Document) { d.Path = "army" }, "path"},
		// Times missing or out of order.
		{"no issued", func(d *orderdoc.Document) { d.IssuedAt = time.Time{} }, "issued_at"},
		{"no due", func(d *orderdoc.Document) { d.Due = time.Time{} }, "due"},
		{"due before issued", func(d *orderdoc.Document) { d.Due = d.IssuedAt.Add(-time.Minute) }, "due"},
		// Targets: none, too many, empty, a bad address, a bad domain.
		{"no targets", func(d *orderdoc.Document) { d.Targets = nil }, "targets"},
		{"too many targets", func(d *orderdoc.Document) { d.Targets = many }, "targets"},
		{"empty target", func(d *orderdoc.Document) { d.Targets[1] = orderdoc.Target{} }, "targets[1]"},
		{"bad address", func(d *orderdoc.Document) { d.Targets[1].Address = "300.1.1.1" }, "targets[1].address"},
		{"bad domain", func(d *orderdoc.Document) { d.Targets[0].Domain = "a b" }, "targets[0].domain"},
		// Free text blank or too long.
		{"no measures", func(d *orderdoc.Document) { d.RequiredMeasures = "" }, "required_measures"},
		{"no harm", func(d *orderdoc.Document) { d.Grounds.Harm = "\n" }, "grounds.harm"},
		{"no urgency", func(d *orderdoc.Document) { d.Grounds.Urgency = "" }, "grounds.urgency"},
		{"long reply", func(d *orderdoc.Document) { d.Reply = long }, "reply"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := sample()
			d.Targets = append([]orderdoc.Target(nil), d.Targets...)
			tt.edit(&d)
			err := orderdoc.Validate(d)
			fe, ok := errors.AsType[*svcerr.FieldError](err)
			if !ok {
				t.Fatalf("got %v, want a field error for %s", err, tt.field)
			}
			if fe.Field != tt.field {
				t.Errorf("got field %q (%v), want %q", fe.Field, err, tt.field)
			}
		})
	}
}

func TestLegalBasisFor(t *testing.T) {
	for _, tt := range []struct {
		path, en string
	}{
		{orderdoc.PathPolice, "Police Duties Execution Act, Article 6-2, paragraph 1"},
		{orderdoc.PathSDFProtection, "Self-Defense Forces Act, Article 91-3, applying Police Duties Execution Act, Article 6-2, paragraph 1"},
		{orderdoc.PathSDFGuard, "Self-Defense Forces Act, Article 95-4, applying Police Duties Execution Act, Article 6-2, paragraph 1"},
	} {
		b, ok := orderdoc.LegalBasisFor(tt.path)
		if !ok || b.EN != tt.en || !strings.Contains(b.JA, "警察官職務執行法第6条の2第1項") {
			t.Errorf("%s: got %+v %v, want %q", tt.path, b, ok, tt.en)
		}
	}
	if _, ok := orderdoc.LegalBasisFor("other"); ok {
		t.Error("unknown path has a legal basis")
	}
}

func TestJSON(t *testing.T) {
	d := sample()
	d.IssuedAt = d.IssuedAt.In(time.FixedZone("X", 5*3600))
	b, err := orderdoc.JSON(d)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{`"issued_at": "2026-02-03T01:30:00Z"`, `"due": "2026-02-03T15:00:00Z"`, `"legal_basis": {`, `"agency_en": "National Police Agency`, `"hosting_provider": "Example Hosting K.K."`, "\n  \"id\""} {
		if !strings.Contains(s, want) {
			t.Errorf("JSON lacks %q:\n%s", want, s)
		}
	}
	var got orderdoc.Document
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(sample(), got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

// wants are strings each rendering must hold: every field's value and the
// times in Japan time.
func wants(d orderdoc.Document) []string {
	return []string{
		d.ID, d.CaseID, d.LegalBasis.JA, d.LegalBasis.EN,
		d.Issuer.Officer, d.Issuer.AgencyJA, d.Issuer.AgencyEN,
		d.Addressee.Name, d.Addressee.Contact, d.Addressee.HostingProvider,
		"192.0.2.15", "c2.attacker.example", "198.51.100.0/28",
		"Keep the logs.", d.Grounds.Harm, d.Grounds.Urgency,
		"By the due time, reply to the issuer",
		// 01:30 UTC is 10:30 in Japan; 15:00 UTC is midnight of the next day.
		"2026年2月3日 10時30分", "3 February 2026, 10:30 JST",
		"2026年2月4日 00時00分", "4 February 2026, 00:00 JST",
		"日本標準時", "Japan Standard Time",
		// Headings in both languages.
		"電子計算機の管理者に対する措置命令書", "Order to the administrator of a computer",
		"緊急を要する理由", "Why it is urgent", "回答の方法", "How to reply",
	}
}

func TestText(t *testing.T) {
	d := sample()
	s := orderdoc.Text(d)
	for _, w := range wants(d) {
		if !strings.Contains(s, w) {
			t.Errorf("text lacks %q", w)
		}
	}
	ja, en := strings.Index(s, "措置命令書"), strings.Index(s, "Order to the administrator")
	if ja < 0 || en < 0 || ja > en {
		t.Errorf("the Japanese part is not first: ja at %d, en at %d", ja, en)
	}
	// Multi-line free text keeps its lines, indented.
	if !strings.Contains(s, "\n  Keep the logs.\n") {
		t.Errorf("required measures not indented line by line:\n%s", s)
	}
	if strings.Contains(s, "UTC\n") || strings.Contains(s, "01:30") {
		t.Errorf("text shows a UTC time:\n%s", s)
	}
	// No optional provider: a dash stands for it.
	d.Addressee.HostingProvider = ""
	if s := orderdoc.Text(d); !strings.Contains(s, "ホスティング事業者: —") || !strings.Contains(s, "Hosting provider: —") {
		t.Errorf("no provider: no dash:\n%s", s)
	}
}

func TestHTML(t *testing.T) {
	d := sample()
	b, err := orderdoc.HTML(d)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, w := range wants(d) {
		// html/template escapes quotes and the like; the sample's values
		// have none but the measures' quotes, checked below.
		if !strings.Contains(s, w) {
			t.Errorf("HTML lacks %q", w)
		}
	}
	for _, w := range []string{`font-family: "Noto Sans CJK JP"`, "@page { size: A4", `lang="ja"`, `lang="en"`, "Content-Security-Policy", "&#34;botctl&#34;"} {
		if !strings.Contains(s, w) {
			t.Errorf("HTML lacks %q", w)
		}
	}
	for _, bad := range []string{"<script", "http://", "https://", "<link", "<img"} {
		if strings.Contains(s, bad) {
			t.Errorf("HTML is not self-contained: has %q", bad)
		}
	}
}

// TestHostile: markup in any field is shown as text, never as markup, in
// the HTML; the text rendering gives it as typed.
func TestHostile(t *testing.T) {
	const evil = `<script>alert("x")</script><img src=x onerror=alert(1)>`
	d := sample()
	d.ID = evil
	d.CaseID = evil
	d.LegalBasis = orderdoc.LegalBasis{JA: evil, EN: evil}
	d.Issuer = orderdoc.Issuer{Officer: evil, AgencyJA: evil, AgencyEN: evil}
	d.Addressee = orderdoc.Addressee{Name: evil, Contact: evil, HostingProvider: evil}
	d.Targets = []orderdoc.Target{{Address: evil, Domain: evil}}
	d.RequiredMeasures, d.Grounds.Harm, d.Grounds.Urgency, d.Reply = evil, evil, evil, evil
	if err := orderdoc.Validate(d); err == nil {
		t.Error("Validate accepts an id and an address of markup")
	}
	b, err := orderdoc.HTML(d)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, bad := range []string{"<script", "<img", `"x")`} {
		if strings.Contains(s, bad) {
			t.Errorf("HTML has %q unescaped", bad)
		}
	}
	if n := strings.Count(s, "&lt;script&gt;"); n < 19 {
		t.Errorf("got %d escaped scripts, want one per field in each language (≥19)", n)
	}
	if !strings.Contains(orderdoc.Text(d), evil) {
		t.Error("text does not give the input as typed")
	}
}

// TestPDF prints the HTML with Chromium and reads it back with pdftotext.
func TestPDF(t *testing.T) {
	if testing.Short() {
		t.Skip("PDF test skipped in -short mode: it starts Chromium")
	}
	if _, err := exec.LookPath("chromium"); err != nil {
		t.Skip("PDF test skipped: no chromium (install the Debian package chromium, and fonts-noto-cjk for Japanese)")
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("PDF test skipped: no pdftotext (install the Debian package poppler-utils)")
	}
	d := sample()
	html, err := orderdoc.HTML(d)
	if err != nil {
		t.Fatal(err)
	}
	var p pdf.Printer
	out, err := p.PDF(context.Background(), html)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "order.pdf")
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
	text, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	// pdftotext may break a line anywhere; compare without spaces.
	flat := strings.Join(strings.Fields(string(text)), "")
	for _, w := range []string{d.ID, d.CaseID, "警察官職務執行法第6条の2第1項", "Police Duties Execution Act", d.Addressee.Name, "192.0.2.15", "山田太郎", d.Grounds.Urgency, "2026年2月3日10時30分", "3February2026,10:30JST"} {
		if !strings.Contains(flat, strings.ReplaceAll(w, " ", "")) {
			t.Errorf("PDF text lacks %q", w)
		}
	}
}
