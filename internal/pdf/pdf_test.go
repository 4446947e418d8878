package pdf_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/acd-platform/acd/internal/pdf"
)

// TestRefusals: without a browser the error says what to install; an
// oversize document is refused before any browser starts. Printing itself
// is tested by the annual report's and the orders' tests, which read the
// PDFs back with poppler-utils.
func TestRefusals(t *testing.T) {
	p := pdf.Printer{ExecPath: "/nonexistent/chromium"}
	_, err := p.PDF(context.Background(), []byte("<p>x</p>"))
	if !errors.Is(err, pdf.ErrNoBrowser) || !strings.Contains(err.Error(), "install the Debian package chromium") {
		t.Errorf("no browser: got %v, want ErrNoBrowser saying what to install", err)
	}
	if _, err := p.PDF(context.Background(), make([]byte, pdf.MaxInput+1)); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("oversize: got %v, want a size refusal", err)
	}
}
