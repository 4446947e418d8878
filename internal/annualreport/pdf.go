package annualreport

import (
	"context"

	"github.com/acd-platform/acd/internal/pdf"
)

// Printer prints the report's HTML to PDF (package pdf).
type Printer = pdf.Printer

// ErrNoBrowser is what PDF returns when no Chromium can be found to print
// with (package pdf).
var ErrNoBrowser = pdf.ErrNoBrowser

// MaxPDFInput is the largest HTML document PDF prints.
const MaxPDFInput = pdf.MaxInput

// PDF prints html with a Printer of the default settings (Chromium found
// on the PATH).
func PDF(ctx context.Context, html []byte) ([]byte, error) { return pdf.PDF(ctx, html) }
