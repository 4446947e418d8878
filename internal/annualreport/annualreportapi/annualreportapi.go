// Package annualreportapi serves the commission's annual report (§61) over
// HTTP: for the commission, the year's figures as JSON and the report as
// HTML or PDF, full or public, in Japanese or English, and the chair's
// publication of the public summary; for everyone, without login, the list
// of published summaries and each one as it was published.
// docs/annual-report.md describes the report and has curl examples.
package annualreportapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/acd-platform/acd/internal/annualreport"
	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/svcerr"
)

// PublicPath is where the public reads the published summaries.
const PublicPath = "/annual-reports"

// langCookie is the web UI's language cookie, honoured by the public
// pages when the query names no language.
const langCookie = "acd_lang"

// documentCSP is the Content-Security-Policy of every document served
// here: they are self-contained, with inline styles and SVG and nothing
// else.
const documentCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

type handlers struct {
	svc *annualreport.Service
}

// Register adds the annual-report routes to r.
func Register(r *api.Router, s *annualreport.Service) {
	h := &handlers{svc: s}
	const tag = "annual-reports"
	r.Handle(api.Route{Pattern: "GET " + PublicPath, Action: auth.AnnualReportPublic, Kind: api.Page,
		Summary: "Published public summaries of the annual report (?lang=ja|en)"}, h.list)
	r.Handle(api.Route{Pattern: "GET " + PublicPath + "/{year}", Action: auth.AnnualReportPublic, Kind: api.Page,
		Summary: "A published public summary as it was published (?lang=ja|en)"}, h.published)

	r.Handle(api.Route{Pattern: "GET /api/v1/annual-reports/{year}", Action: auth.AnnualReportRead, Tag: tag,
		Summary: "The year's figures, counted now (commission)", Response: annualreport.Figures{}}, h.figures)
	r.Handle(api.Route{Pattern: "GET /api/v1/annual-reports/{year}/report.html", Action: auth.AnnualReportRead, Tag: tag,
		Summary: "The year's report as one HTML document (?variant=full|public, default full; ?lang=ja|en, default ja)"}, h.html)
	r.Handle(api.Route{Pattern: "GET /api/v1/annual-reports/{year}/report.pdf", Action: auth.AnnualReportRead, Tag: tag,
		Summary: "The year's report as a PDF on A4 paper (?variant=full|public, default full; ?lang=ja|en, default ja); 503 when the server has no Chromium"}, h.pdf)
	r.Handle(api.Route{Pattern: "POST /api/v1/annual-reports/{year}/publish", Action: auth.AnnualReportPublish, Tag: tag,
		Summary:  "Publish the year's public summary, frozen as it is now (commission chair; the year must be over; once)",
		Response: annualreport.Publication{}, Status: http.StatusCreated}, h.publish)
}

// Error maps the annualreport package's errors to API errors; nil for any
// other error.
func Error(err error) *api.Error {
	if e := svcerr.API(err); e != nil {
		return e
	}
	if errors.Is(err, annualreport.ErrNoBrowser) {
		return api.Unavailable(annualreport.ErrNoBrowser.Error(), err)
	}
	return nil
}

// mapped returns err as an API error when Error knows it, else err (a 500).
func mapped(err error) error {
	if e := Error(err); e != nil {
		return e
	}
	return err
}

func principal(r *http.Request) *auth.Principal { return auth.FromContext(r.Context()) }

// year reads the {year} path value.
func year(r *http.Request) (int, error) {
	s := r.PathValue("year")
	y, err := strconv.Atoi(s)
	if err != nil || len(s) != 4 {
		return 0, api.BadRequest("year", fmt.Sprintf("year %q: want four digits, such as 2026", s))
	}
	return y, nil
}

// options reads ?variant= (default full) and ?lang= (default ja).
func options(r *http.Request) (annualreport.Options, error) {
	q := r.URL.Query()
	o := annualreport.Options{Variant: annualreport.VariantFull, Lang: annualreport.Japanese}
	if v := q.Get("variant"); v != "" {
		variant, err := annualreport.ParseVariant(v)
		if err != nil {
			return o, api.BadRequest("variant", err.Error())
		}
		o.Variant = variant
	}
	lang, err := annualreport.ParseLang(q.Get("lang"))
	if err != nil {
		return o, api.BadRequest("lang", err.Error())
	}
	o.Lang = lang
	return o, nil
}

// publicLang is the language of a public page: ?lang=, else the web UI's
// language cookie, else Japanese.
func publicLang(r *http.Request) (annualreport.Lang, error) {
	if s := r.URL.Query().Get("lang"); s != "" {
		l, err := annualreport.ParseLang(s)
		if err != nil {
			return "", api.BadRequest("lang", err.Error())
		}
		return l, nil
	}
	if c, err := r.Cookie(langCookie); err == nil && annualreport.Lang(c.Value) == annualreport.English {
		return annualreport.English, nil
	}
	return annualreport.Japanese, nil
}

// filename names a download of the year's report.
func filename(year int, o annualreport.Options, ext string) string {
	return fmt.Sprintf("acd-annual-report-%d-%s-%s.%s", year, o.Variant, o.Lang, ext)
}

func writeDocument(w http.ResponseWriter, contentType string, body []byte) error {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Security-Policy", documentCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	_, err := w.Write(body)
	return err
}

func (h *handlers) list(w http.ResponseWriter, r *http.Request) error {
	lang, err := publicLang(r)
	if err != nil {
		return err
	}
	pubs, err := h.svc.Publications(r.Context())
	if err != nil {
		return mapped(err)
	}
	var b bytes.Buffer
	if err := annualreport.RenderList(&b, pubs, lang, PublicPath); err != nil {
		return err
	}
	return writeDocument(w, "text/html; charset=utf-8", b.Bytes())
}

func (h *handlers) published(w http.ResponseWriter, r *http.Request) error {
	y, err := year(r)
	if err != nil {
		return err
	}
	lang, err := publicLang(r)
	if err != nil {
		return err
	}
	doc, pub, err := h.svc.Published(r.Context(), y, lang)
	if err != nil {
		return mapped(err)
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Content-Security-Policy", documentCSP)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Language", string(lang))
	// A published summary never changes: it may be cached, and
	// revalidated by its digest.
	hd.Set("Cache-Control", "public, max-age=3600")
	sum := pub.JapaneseSHA256
	if lang == annualreport.English {
		sum = pub.EnglishSHA256
	}
	hd.Set("ETag", `"`+sum+`"`)
	http.ServeContent(w, r, "", pub.PublishedAt, bytes.NewReader(doc))
	return nil
}

func (h *handlers) figures(w http.ResponseWriter, r *http.Request) error {
	y, err := year(r)
	if err != nil {
		return err
	}
	f, err := h.svc.Figures(r.Context(), principal(r), y)
	if err != nil {
		return mapped(err)
	}
	return api.WriteJSON(w, http.StatusOK, f)
}

func (h *handlers) html(w http.ResponseWriter, r *http.Request) error {
	return h.document(w, r, h.svc.HTML, "inline", "html", "text/html; charset=utf-8")
}

func (h *handlers) pdf(w http.ResponseWriter, r *http.Request) error {
	return h.document(w, r, h.svc.PDF, "attachment", "pdf", "application/pdf")
}

// document renders the report of the requested year and options with
// render and writes it with mediaType, named with ext, shown as
// disposition ("inline" or "attachment").
func (h *handlers) document(w http.ResponseWriter, r *http.Request,
	render func(context.Context, *auth.Principal, int, annualreport.Options) ([]byte, error), disposition, ext, mediaType string) error {
	y, err := year(r)
	if err != nil {
		return err
	}
	o, err := options(r)
	if err != nil {
		return err
	}
	doc, err := render(r.Context(), principal(r), y, o)
	if err != nil {
		return mapped(err)
	}
	w.Header().Set("Content-Disposition", disposition+`; filename="`+filename(y, o, ext)+`"`)
	return writeDocument(w, mediaType, doc)
}

func (h *handlers) publish(w http.ResponseWriter, r *http.Request) error {
	y, err := year(r)
	if err != nil {
		return err
	}
	pub, err := h.svc.Publish(r.Context(), principal(r), y)
	if err != nil {
		return mapped(err)
	}
	w.Header().Set("Location", PublicPath+"/"+strconv.Itoa(y))
	return api.WriteJSON(w, http.StatusCreated, pub)
}
