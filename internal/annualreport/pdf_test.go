package annualreport_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	ar "github.com/acd-platform/acd/internal/annualreport"
)

// needPDFTools skips t unless Chromium and poppler-utils are installed.
func needPDFTools(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("PDF test skipped in -short mode: it starts Chromium")
	}
	if _, err := exec.LookPath("chromium"); err != nil {
		t.Skip("PDF test skipped: no chromium (install the Debian package chromium, and fonts-noto-cjk for Japanese)")
	}
	for _, tool := range []string{"pdftotext", "pdfinfo"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("PDF test skipped: no %s (install the Debian package poppler-utils)", tool)
		}
	}
}

// pdfText writes pdf to a file and returns its page count (pdfinfo) and
// its text (pdftotext).
func pdfText(t *testing.T, pdf []byte) (pages int, text string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "report.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	info, err := exec.Command("pdfinfo", path).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo: %v: %s", err, info)
	}
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)$`).FindSubmatch(info)
	if m == nil {
		t.Fatalf("pdfinfo gives no page count:\n%s", info)
	}
	pages, _ = strconv.Atoi(string(m[1]))
	if !bytes.Contains(info, []byte("A4")) {
		t.Errorf("the PDF is not on A4 paper:\n%s", info)
	}
	out, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return pages, string(out)
}

// TestPDF prints the sample's full report in Japanese and its public
// summary in English, and reads them back with poppler.
func TestPDF(t *testing.T) {
	needPDFTools(t)
	var p ar.Printer
	for _, tt := range []struct {
		o      ar.Options
		want   []string
		absent []string
	}{
		{ar.Options{Lang: ar.Japanese, Variant: ar.VariantFull},
			[]string{"サイバー通信情報監理委員会", "2026年 年次報告", "国会への報告", "123,456,789", "7,019", "SECRETERROR"}, nil},
		{ar.Options{Lang: ar.English, Variant: ar.VariantPublic},
			[]string{"Annual report 2026", "Public summary", "123,456,789", "withheld"}, withheldValues},
	} {
		t.Run(string(tt.o.Lang)+"-"+string(tt.o.Variant), func(t *testing.T) {
			var doc bytes.Buffer
			if err := ar.Render(&doc, sample(), tt.o); err != nil {
				t.Fatal(err)
			}
			pdf, err := p.PDF(context.Background(), doc.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			pages, text := pdfText(t, pdf)
			if pages < 1 {
				t.Errorf("got %d pages", pages)
			}
			// pdftotext may break a line anywhere; compare without spaces.
			flat := strings.Join(strings.Fields(text), "")
			for _, w := range tt.want {
				if !strings.Contains(flat, strings.ReplaceAll(w, " ", "")) {
					t.Errorf("PDF text lacks %q", w)
				}
			}
			for _, v := range tt.absent {
				if strings.Contains(flat, v) {
					t.Errorf("PDF text shows withheld %q", v)
				}
			}
		})
	}
}

func TestPDFErrors(t *testing.T) {
	if _, err := ar.PDF(context.Background(), make([]byte, ar.MaxPDFInput+1)); err == nil {
		t.Error("PDF of a document too large succeeded")
	}
	p := ar.Printer{ExecPath: "/nonexistent/chromium"}
	if _, err := p.PDF(context.Background(), []byte("<p>x</p>")); !errors.Is(err, ar.ErrNoBrowser) {
		t.Errorf("no browser: got %v, want ErrNoBrowser", err)
	}
	if _, err := p.PDF(context.Background(), make([]byte, ar.MaxPDFInput+1)); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("a document too large: got %v", err)
	}
}
