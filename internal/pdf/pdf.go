// Package pdf prints self-contained HTML documents to PDF with headless
// Chromium (through chromedp): the annual report and the orders to
// administrators. The documents' styles name Noto Sans CJK JP, from
// Debian's fonts-noto-cjk, which the PDF then embeds.
package pdf

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// ErrNoBrowser is what PDF returns when no Chromium can be found to print
// with. The HTTP layer answers 503 with its message; installing Debian's
// chromium (and fonts-noto-cjk for Japanese) on the server fixes it.
var ErrNoBrowser = errors.New("no Chromium to print the PDF with: install the Debian package chromium (and fonts-noto-cjk for Japanese text)")

// MaxInput is the largest HTML document PDF prints.
const MaxInput = 8 << 20

// Printer prints HTML documents to PDF with headless Chromium. The zero
// value works. It is safe for concurrent use; it runs one browser at a
// time, so that a burst of exports cannot exhaust the server's memory.
type Printer struct {
	// ExecPath is the browser to run; default the first of chromium,
	// chromium-browser, google-chrome found on the PATH or in /usr/bin.
	ExecPath string
	// Timeout bounds one print; default 90s.
	Timeout time.Duration

	mu sync.Mutex // serialises browser runs
}

// execPath returns the browser to run, or ErrNoBrowser.
func (p *Printer) execPath() (string, error) {
	if p.ExecPath != "" {
		if _, err := os.Stat(p.ExecPath); err != nil {
			return "", fmt.Errorf("%w (%s: %v)", ErrNoBrowser, p.ExecPath, err)
		}
		return p.ExecPath, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "/usr/bin/chromium"} {
		if path, err := exec.LookPath(name); err == nil {
			return path, nil
		}
	}
	return "", ErrNoBrowser
}

// PDF prints html on A4 paper and returns the PDF file. The document must
// be self-contained: the browser loads nothing else, and
// it finds fonts among the system's (the report's styles ask for Noto Sans
// CJK JP, from Debian's fonts-noto-cjk, which the PDF then embeds). It
// returns an error wrapping ErrNoBrowser when there is no browser.
func (p *Printer) PDF(ctx context.Context, html []byte) ([]byte, error) {
	if len(html) > MaxInput {
		return nil, fmt.Errorf("print PDF: document of %d bytes, more than %d", len(html), MaxInput)
	}
	exe, err := p.execPath()
	if err != nil {
		return nil, err
	}
	timeout := p.Timeout
	if timeout <= 0 {
		timeout = 90 * time.Second
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	dir, err := os.MkdirTemp("", "acd-pdf-")
	if err != nil {
		return nil, fmt.Errorf("print PDF: %w", err)
	}
	defer os.RemoveAll(dir)

	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	ctx, cancel = chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(exe),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox, // the server may run as root, in a container
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-quic", true),
		// The document is self-contained: any request it might make goes
		// nowhere.
		chromedp.Flag("proxy-server", "127.0.0.1:9"),
		chromedp.Flag("proxy-bypass-list", "<-loopback>"),
		chromedp.UserDataDir(dir),
	)
	defer cancel()
	ctx, cancel = chromedp.NewContext(ctx)
	defer cancel()

	load := chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		tree, err := cdp.Call(ctx, t, page.GetFrameTree, cdp.Empty{})
		if err != nil {
			return fmt.Errorf("frame tree: %w", err)
		}
		if tree.FrameTree == nil || tree.FrameTree.Frame == nil {
			return errors.New("frame tree: no main frame")
		}
		if _, err := cdp.Call(ctx, t, page.SetDocumentContent, page.SetDocumentContentParams{FrameID: tree.FrameTree.Frame.ID, HTML: string(html)}); err != nil {
			return fmt.Errorf("set document: %w", err)
		}
		return nil
	})
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank"), load); err != nil {
		return nil, fmt.Errorf("print PDF: load the document: %w", err)
	}
	// Wait until the fonts the document uses are loaded, so that no text
	// prints in a fallback font or not at all.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.fonts.ready.then(() => true)`, chromedp.EvalAwaitPromise)); err != nil {
		return nil, fmt.Errorf("print PDF: wait for fonts: %w", err)
	}
	pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF(
		chromedp.PDFPaper(chromedp.PaperA4),
		chromedp.PDFPreferCSSPageSize(),
		chromedp.PDFPrintBackground(),
		chromedp.PDFOutlineAndTagged(),
		chromedp.PDFStream(),
	))
	if err != nil {
		return nil, fmt.Errorf("print PDF: %w", err)
	}
	return pdf, nil
}

// PDF prints html with a Printer of the default settings (Chromium found
// on the PATH). Unlike one shared Printer, separate calls are not
// serialised; the Service prints through its own Printer.
func PDF(ctx context.Context, html []byte) ([]byte, error) {
	var p Printer
	return p.PDF(ctx, html)
}
