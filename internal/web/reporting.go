package web

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/idempotency"
	"github.com/acd-platform/acd/internal/reporting"
	"github.com/acd-platform/acd/internal/sector"
)

// The reporting pages (Act ch.2) for the three parties of a report:
//
//   - operators notify their specified critical computers (§4) on /assets,
//     file reports (§5) on /reports/new and /reports/{id}, and answer
//     orders on /orders;
//   - sector ministries read their sectors' reports, the §4 notices and the
//     compliance table, and issue and close orders (§83, §84);
//   - the Cabinet Office (analysts) filters all reports, sees them over
//     time on a chart, and designates operators on /operators.
//
// Every page is a route with its action, so the one policy guards it; the
// reporting service then scopes each record to what the caller may see.

// registerReporting adds the reporting pages through page, Register's
// helper; it adds none when the site has no reporting service.
func (s *Site) registerReporting(page func(pattern string, action auth.Action, h api.HandlerFunc)) {
	if s.cfg.Reporting == nil {
		return
	}
	page("GET /assets", auth.AssetRead, s.assets)
	page("POST /assets", auth.AssetWrite, s.assetCreate)
	page("POST /assets/import", auth.AssetWrite, s.assetImport)
	page("GET /assets/notices", auth.AssetNoticeRead, s.assetNotices)
	page("GET /assets/{id}", auth.AssetRead, s.asset)
	page("POST /assets/{id}", auth.AssetWrite, s.assetUpdate)
	page("POST /assets/{id}/retire", auth.AssetWrite, s.assetRetire)

	page("GET /reports", auth.ReportRead, s.reports)
	page("GET /reports/chart.svg", auth.ReportStats, s.reportChart)
	page("GET /reports/new", auth.ReportSubmit, s.reportNew)
	page("POST /reports/new", auth.ReportSubmit, s.reportCreate)
	page("GET /reports/{id}", auth.ReportRead, s.report)
	page("POST /reports/{id}/versions", auth.ReportSubmit, s.reportNext)
	page("GET /reports/{id}/versions/{n}", auth.ReportRead, s.reportVersion)
	page("POST /reports/{id}/evidence", auth.ReportSubmit, s.evidenceAdd)
	page("GET /reports/{id}/evidence/{eid}", auth.ReportRead, s.evidenceFile)
	page("GET /reports/{id}/stix", auth.ReportRead, s.reportSTIX)

	page("GET /compliance", auth.ComplianceRead, s.compliance)
	page("GET /orders", auth.OrderRead, s.orders)
	page("POST /orders", auth.OrderIssue, s.orderIssue)
	page("GET /orders/{id}", auth.OrderRead, s.order)
	page("POST /orders/{id}/answer", auth.OrderAnswer, s.orderAnswer)
	page("POST /orders/{id}/close", auth.OrderClose, s.orderClose)
	page("GET /operators", auth.OperatorList, s.operators)
	page("GET /operators/{id}", auth.OperatorList, s.operator)
	page("POST /operators/{id}/designation", auth.OperatorDesignate, s.designate)
}

// names renders organisations, sectors, ministries and users by name in
// the page's language. Templates call its methods.
type names struct {
	lang  Lang
	orgs  map[string]auth.Org
	users map[string]string // user id → username, filled on demand
	user  func(id string) string
}

// names loads the organisations for one page.
func (s *Site) names(r *http.Request) (names, error) {
	ctx := r.Context()
	os, err := s.cfg.Auth.Orgs(ctx)
	if err != nil {
		return names{}, err
	}
	n := names{lang: langOf(r), orgs: make(map[string]auth.Org, len(os)), users: map[string]string{}}
	for _, o := range os {
		n.orgs[o.ID] = o
	}
	n.user = func(id string) string {
		if u, err := s.cfg.Auth.User(ctx, id); err == nil {
			return u.Username
		}
		return id
	}
	return n, nil
}

// Org returns an organisation's name, or its id when unknown.
func (n names) Org(id string) string {
	o, ok := n.orgs[id]
	switch {
	case !ok:
		return id
	case n.lang == Japanese && o.NameJA != "":
		return o.NameJA
	}
	return o.Name
}

// Sector returns a sector's name, or its code when unknown.
func (n names) Sector(code string) string {
	sc, ok := sector.ByCode(code)
	switch {
	case !ok:
		return code
	case n.lang == Japanese:
		return sc.NameJA
	}
	return sc.Name
}

// Ministry returns a ministry's name, or its code when unknown.
func (n names) Ministry(code string) string {
	m, ok := sector.MinistryByCode(code)
	switch {
	case !ok:
		return code
	case n.lang == Japanese:
		return m.NameJA
	}
	return m.Name
}

// User returns a user's username; system and command-line actors as they
// are.
func (n names) User(id string) string {
	if id == "" || strings.Contains(id, ":") || id == "system" || n.user == nil {
		return id
	}
	if u, ok := n.users[id]; ok {
		return u
	}
	u := n.user(id)
	n.users[id] = u
	return u
}

// visibleSectors are the sectors p may pick in a filter: all for an
// analyst, a ministry's own, an operator's one.
func visibleSectors(p *auth.Principal) []string {
	if p.Has(auth.RoleAnalyst) {
		return sector.Codes()
	}
	return p.Sectors
}

// fieldErr is an input error shown next to the form field named Field.
type fieldErr struct {
	Field string
	Msg   string
}

// For returns the message when it belongs to the field name, else "".
func (e fieldErr) For(name string) string {
	if e.Field == name {
		return e.Msg
	}
	return ""
}

// formFailure is what a refused form submission shows: the status, the
// message above the form and, for invalid input, the field at fault.
type formFailure struct {
	status int
	msg    string
	field  fieldErr
}

// formFailed maps a reporting error of a form submission to what the page
// shows, or returns false for an error the form cannot explain (not found,
// internal), which the caller returns to the router. fields maps the
// service's field names (JSON paths) to the form's.
func (s *Site) formFailed(r *http.Request, err error, fields func(string) (string, string)) (formFailure, bool) {
	var fe *reporting.FieldError
	switch {
	case errors.As(err, &fe):
		name, prefix := fe.Field, ""
		if fields != nil {
			name, prefix = fields(fe.Field)
		}
		msg := fe.Msg
		if prefix != "" {
			msg = prefix + msg
		}
		// The message above the form repeats the detail, so that it shows
		// even for a field the form has no control for.
		return formFailure{http.StatusBadRequest, s.t(r, "form.invalid") + " (" + fe.Error() + ")", fieldErr{name, msg}}, true
	case errors.Is(err, reporting.ErrIdempotencyMismatch):
		return formFailure{http.StatusUnprocessableEntity, s.t(r, "form.resubmitted"), fieldErr{}}, true
	case errors.Is(err, reporting.ErrConflict):
		return formFailure{http.StatusConflict, s.t(r, "error.conflict") + " " + err.Error(), fieldErr{}}, true
	case errors.Is(err, reporting.ErrForbidden):
		return formFailure{http.StatusForbidden, s.t(r, "reporting.forbidden") + " " + err.Error(), fieldErr{}}, true
	}
	var ae *api.Error
	if errors.As(err, &ae) && ae.Status == http.StatusBadRequest || errors.As(err, &ae) && ae.Status == http.StatusUnsupportedMediaType {
		return formFailure{ae.Status, s.t(r, "form.invalid") + " (" + ae.Message + ")", fieldErr{ae.Field, ae.Message}}, true
	}
	return formFailure{}, false
}

// pageError maps the reporting service's errors to what the router shows.
func pageError(err error) error {
	var fe *reporting.FieldError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &fe):
		return api.BadRequest(fe.Field, err.Error())
	case errors.Is(err, reporting.ErrNotFound):
		return &api.Error{Status: http.StatusNotFound, Code: api.CodeNotFound, Message: "no such record", Err: err}
	case errors.Is(err, reporting.ErrForbidden):
		return &api.Error{Status: http.StatusForbidden, Code: api.CodeForbidden, Message: err.Error()}
	case errors.Is(err, reporting.ErrConflict):
		return api.Conflict(err.Error())
	}
	return err
}

// localLayout is the value of an <input type="datetime-local">.
const localLayout = "2006-01-02T15:04"

// localValue renders t in Japan time for a datetime-local input; "" for
// the zero time.
func localValue(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(jst).Format(localLayout)
}

// parseLocal reads a datetime-local value (with or without seconds) as
// Japan time and returns it in UTC.
func parseLocal(v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	for _, layout := range []string{localLayout, localLayout + ":05"} {
		if t, err := time.ParseInLocation(layout, v, jst); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date and time like 2026-04-02T09:30", v)
}

// parseDay reads a date input "2006-01-02" as the start of that day in
// Japan time.
func parseDay(v string) (time.Time, error) {
	t, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(v), jst)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date like 2026-04-02", v)
	}
	return t.UTC(), nil
}

// dayStart returns the start of t's day in Japan time.
func dayStart(t time.Time) time.Time {
	y, m, d := t.In(jst).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, jst).UTC()
}

// newIdemKey returns a fresh idempotency key for a form: rendered into the
// form, it makes a second submission of the same form (a double click, a
// reload of the answer) file once.
func newIdemKey() string { return "web-" + rand.Text() }

// formIdem binds the form's idempotency key to what the form says, so that
// the same key with other content is refused rather than replayed. The
// CSRF token and the key itself are left out of the hash.
func formIdem(r *http.Request) (reporting.Idem, error) {
	key := r.PostFormValue("idem")
	if key == "" {
		return reporting.Idem{}, nil
	}
	if err := idempotency.CheckKey(key); err != nil {
		return reporting.Idem{}, api.BadRequest("idem", err.Error())
	}
	v := url.Values{}
	for k, vs := range r.PostForm {
		if k != "csrf" && k != "idem" {
			v[k] = vs
		}
	}
	return reporting.Idem{Key: key, Hash: idempotency.Hash(r.Method, r.URL.Path, []byte(v.Encode()))}, nil
}

// parseForm parses a URL-encoded or multipart form body (the router has
// already bounded it).
func parseForm(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return api.BadRequest("", "bad form")
	}
	return nil
}

// lines splits a textarea into its non-blank lines, trimmed, with their
// 1-based line numbers.
func lines(s string) (out []numberedLine) {
	for i, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, numberedLine{i + 1, l})
		}
	}
	return out
}

type numberedLine struct {
	n    int
	text string
}

// principal returns the request's principal.
func principal(r *http.Request) *auth.Principal { return auth.FromContext(r.Context()) }
