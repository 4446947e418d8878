package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/commsinfo"
	"github.com/acd-platform/acd/internal/oversight"
)

// The communications-information pages (Act ch.3–7, §23, §27) for the
// Cabinet Office's analysts, the commission and the agencies:
//
//   - selection runs per approval on /runs: the totals over time as a chart
//     and a table, the runs with their hash status, the anomalies flagged on
//     upload; analysts upload an offline sensor's run file there;
//   - the search of selected records on /records (every search is in the
//     audit log);
//   - the analysts' findings on /findings;
//   - §27 cooperation requests on /cooperation: analysts ask, the agency
//     asked accepts or declines, either ends;
//   - provisions on /provisions: the one way selected records or findings
//     leave for another organisation, refused (and recorded) without a
//     valid legal basis.
//
// Every page is a route with its action, so the one policy guards it; the
// commsinfo service then scopes each record to what the caller may see.

// registerCommsinfo adds the commsinfo pages through page, Register's
// helper; it adds none when the site has no commsinfo service.
func (s *Site) registerCommsinfo(page func(pattern string, action auth.Action, h api.HandlerFunc)) {
	if s.cfg.Commsinfo == nil {
		return
	}
	page("GET /runs", auth.RunRead, s.runs)
	page("GET /runs/chart.svg", auth.RunRead, s.runsChart)
	page("POST /runs/upload", auth.RunUpload, s.runUpload)
	page("GET /runs/{id}", auth.RunRead, s.run)

	page("GET /records", auth.SelectedRead, s.records)

	page("GET /findings", auth.FindingRead, s.findings)
	page("GET /findings/new", auth.FindingWrite, s.findingNew)
	page("POST /findings", auth.FindingWrite, s.findingCreate)
	page("GET /findings/{id}", auth.FindingRead, s.finding)

	page("GET /cooperation", auth.CooperationRead, s.cooperations)
	page("POST /cooperation", auth.CooperationRequest, s.cooperationCreate)
	page("GET /cooperation/{id}", auth.CooperationRead, s.cooperation)
	page("POST /cooperation/{id}/accept", auth.CooperationWrite, s.cooperationAccept)
	page("POST /cooperation/{id}/decline", auth.CooperationWrite, s.cooperationDecline)
	page("POST /cooperation/{id}/end", auth.CooperationWrite, s.cooperationEnd)

	page("GET /provisions", auth.ProvisionRead, s.provisions)
	page("GET /provisions/new", auth.ProvisionCreate, s.provisionNew)
	page("POST /provisions", auth.ProvisionCreate, s.provisionCreate)
	page("GET /provisions/{id}", auth.ProvisionRead, s.provision)
	page("GET /provisions/{id}/records", auth.ProvisionRead, s.provisionRecords)

	s.links[auth.RunRead] = "/runs"
	s.links[auth.RunUpload] = "/runs#upload"
	s.links[auth.SelectedRead] = "/records"
	s.links[auth.FindingRead] = "/findings"
	s.links[auth.FindingWrite] = "/findings/new"
	s.links[auth.CooperationRead] = "/cooperation"
	s.links[auth.CooperationRequest] = "/cooperation#new"
	s.links[auth.CooperationWrite] = "/cooperation"
	s.links[auth.ProvisionRead] = "/provisions"
	s.links[auth.ProvisionCreate] = "/provisions/new"
}

// ciPageError maps the commsinfo service's errors to what the router
// shows.
func ciPageError(err error) error {
	var fe *commsinfo.FieldError
	var re *commsinfo.RejectError
	var ref *commsinfo.RefusedError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &fe):
		return api.BadRequest(fe.Field, err.Error())
	case errors.As(err, &re):
		return &api.Error{Status: http.StatusUnprocessableEntity, Code: "run_rejected", Message: re.Error()}
	case errors.As(err, &ref):
		return &api.Error{Status: http.StatusForbidden, Code: "provision_refused", Message: ref.Error()}
	case errors.Is(err, commsinfo.ErrNotFound):
		return &api.Error{Status: http.StatusNotFound, Code: api.CodeNotFound, Message: "no such record", Err: err}
	case errors.Is(err, commsinfo.ErrForbidden):
		return &api.Error{Status: http.StatusForbidden, Code: api.CodeForbidden, Message: err.Error()}
	case errors.Is(err, commsinfo.ErrConflict):
		return api.Conflict(err.Error())
	}
	return err
}

// ciFailed maps a commsinfo error of a form submission to what the page
// shows, or returns false for an error the form cannot explain (not found,
// internal), which the caller returns to the router. fields maps the
// service's field names (JSON paths) to the form's field and a prefix for
// its message; nil keeps them.
func (s *Site) ciFailed(r *http.Request, err error, fields func(string) (string, string)) (formFailure, bool) {
	var fe *commsinfo.FieldError
	var re *commsinfo.RejectError
	var ref *commsinfo.RefusedError
	switch {
	case errors.As(err, &fe):
		name, prefix := fe.Field, ""
		if fields != nil {
			name, prefix = fields(fe.Field)
		}
		// The message above the form repeats the detail, so that it shows
		// even for a field the form has no control for.
		return formFailure{http.StatusBadRequest, s.t(r, "form.invalid") + " (" + fe.Error() + ")", fieldErr{name, prefix + fe.Msg}}, true
	case errors.As(err, &re):
		msg := re.Msg
		if re.Line > 0 {
			msg = s.t(r, "form.line", re.Line) + " " + re.Msg
		}
		return formFailure{http.StatusUnprocessableEntity, s.t(r, "runs.upload.rejected") + " " + msg, fieldErr{"file", msg}}, true
	case errors.As(err, &ref):
		return formFailure{http.StatusForbidden, s.t(r, "provision.refused", ref.Basis) + " " + ref.Reason, fieldErr{}}, true
	case errors.Is(err, commsinfo.ErrConflict):
		return formFailure{http.StatusConflict, s.t(r, "error.conflict") + " " + err.Error(), fieldErr{}}, true
	case errors.Is(err, commsinfo.ErrForbidden):
		return formFailure{http.StatusForbidden, s.t(r, "commsinfo.forbidden") + " " + err.Error(), fieldErr{}}, true
	}
	var ae *api.Error
	if errors.As(err, &ae) && ae.Status == http.StatusBadRequest {
		return formFailure{ae.Status, s.t(r, "form.invalid") + " (" + ae.Message + ")", fieldErr{ae.Field, ae.Message}}, true
	}
	return formFailure{}, false
}

// splitIDs splits a textarea or a comma-separated field into its ids:
// trimmed, blanks dropped, in order, duplicates kept (the service judges
// them).
func splitIDs(v string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == '\n' || r == '\r' || r == ',' || r == ' ' || r == '\t' }) {
		out = append(out, f)
	}
	return out
}

// indexOf returns i of a service field "base[i]…", or -1.
func indexOf(field, base string) int {
	rest, ok := strings.CutPrefix(field, base+"[")
	if !ok {
		return -1
	}
	end := strings.IndexByte(rest, ']')
	if end < 0 {
		return -1
	}
	i, err := strconv.Atoi(rest[:end])
	if err != nil {
		return -1
	}
	return i
}

// orgChoice is an organisation offered in a form's select.
type orgChoice struct {
	ID, Name string
	Kind     auth.OrgKind
}

// orgChoices returns the organisations for which keep holds, by name in
// the page's language.
func (s *Site) orgChoices(r *http.Request, n names, keep func(auth.Org) bool) ([]orgChoice, error) {
	os, err := s.cfg.Auth.Orgs(r.Context())
	if err != nil {
		return nil, err
	}
	var out []orgChoice
	for _, o := range os {
		if keep(o) {
			out = append(out, orgChoice{ID: o.ID, Name: n.Org(o.ID), Kind: o.Kind})
		}
	}
	slices.SortFunc(out, func(a, b orgChoice) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// approvalChoice is an approval offered in a form's select.
type approvalChoice struct {
	ID, Basis string
	State     string
	From, To  time.Time
}

// approvalChoices lists the approvals for selects, newest first; none
// when the site has no oversight service (the forms then take an id).
func (s *Site) approvalChoices(r *http.Request) ([]approvalChoice, error) {
	if s.cfg.Oversight == nil {
		return nil, nil
	}
	as, err := s.cfg.Oversight.Approvals(r.Context(), oversight.ApprovalFilter{})
	if err != nil {
		return nil, err
	}
	out := make([]approvalChoice, 0, len(as))
	for _, a := range as {
		out = append(out, approvalChoice{ID: a.ID, Basis: a.Basis, State: string(a.State), From: a.ValidFrom, To: a.ValidUntil})
	}
	return out, nil
}

// recordQueryForm is a query of selected records as typed: the search
// page's filters, a finding's query source, a provision's records.
type recordQueryForm struct {
	Approval, Run, From, To, Address, Port, Domain, Type, Direction string
}

// readRecordQueryForm reads the query's fields, each name prefixed.
func readRecordQueryForm(get func(string) string, prefix string) recordQueryForm {
	g := func(k string) string { return strings.TrimSpace(get(prefix + k)) }
	return recordQueryForm{Approval: g("approval"), Run: g("run"), From: g("from"), To: g("to"), Address: g("address"),
		Port: g("port"), Domain: g("domain"), Type: g("type"), Direction: g("direction")}
}

// IsZero reports whether no field was filled in.
func (f recordQueryForm) IsZero() bool { return f == recordQueryForm{} }

// query returns the service's query; field errors name the form's fields
// (unprefixed).
func (f recordQueryForm) query() (commsinfo.RecordQuery, *commsinfo.FieldError) {
	q := commsinfo.RecordQuery{Approval: f.Approval, Run: f.Run, Address: f.Address, Domain: f.Domain, Type: f.Type, Direction: f.Direction}
	var err error
	if f.From != "" {
		if q.From, err = parseQueryTime(f.From); err != nil {
			return q, &commsinfo.FieldError{Field: "from", Msg: err.Error()}
		}
	}
	if f.To != "" {
		if q.To, err = parseQueryTime(f.To); err != nil {
			return q, &commsinfo.FieldError{Field: "to", Msg: err.Error()}
		}
	}
	if f.Port != "" {
		if q.Port, err = strconv.Atoi(f.Port); err != nil || q.Port < 1 || q.Port > 65535 {
			return q, &commsinfo.FieldError{Field: "port", Msg: fmt.Sprintf("%q is not a port (1–65535)", f.Port)}
		}
	}
	return q, nil
}

// parseQueryTime reads a query's datetime-local bound as Japan time; a
// year before 1970 or after 9999 is surely a mistake.
func parseQueryTime(v string) (time.Time, error) {
	t, err := parseLocal(v)
	if err != nil {
		return t, err
	}
	if y := t.Year(); y < 1970 || y > 9999 {
		return t, fmt.Errorf("%q: want a time from 1970 to 9999", v)
	}
	return t, nil
}

// queryTimeValue renders a query's bound for a datetime-local field, with
// its seconds when it has some; "" for the zero time.
func queryTimeValue(t time.Time) string {
	if t.IsZero() || t.Second() == 0 && t.Nanosecond() == 0 {
		return localValue(t)
	}
	return t.In(jst).Format(localLayout + ":05")
}

// values returns the query string that repeats f, each name prefixed.
func (f recordQueryForm) values(prefix string) url.Values {
	v := url.Values{}
	for k, x := range map[string]string{"approval": f.Approval, "run": f.Run, "from": f.From, "to": f.To, "address": f.Address,
		"port": f.Port, "domain": f.Domain, "type": f.Type, "direction": f.Direction} {
		if x != "" {
			v.Set(prefix+k, x)
		}
	}
	return v
}

// queryField maps a service field of a record query ("query.address",
// "sources[0].query.port", "to") to the form's name: the last path
// element, prefixed.
func queryField(field, prefix string) string {
	if i := strings.LastIndex(field, "query."); i >= 0 {
		field = field[i+len("query."):]
	}
	return prefix + field
}

// directions are the directions a record may have.
var ciDirections = []string{"foreign-foreign", "foreign-domestic", "domestic-foreign"}

// firstRunes returns s cut to n runes, marked when cut, for quoting input
// in a message.
func firstRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
