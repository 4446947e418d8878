// Package commsinfoapi serves the communications-information capability's
// JSON API under /api/v1 (Act ch.3–7, §23, §27): selection runs uploaded
// by sensors and analysts, their anomalies and totals, the search of
// selected records, findings, §27 cooperation requests and provisions.
// docs/commsinfo.md describes the upload protocol with curl examples.
package commsinfoapi

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/commsinfo"
	"github.com/acd-platform/acd/internal/svcerr"
)

// MediaTypeRun is the media type of an uploaded run body: the output of
// acd select, one JSON object per line.
const MediaTypeRun = "application/x-ndjson"

// Lists and requests of the API.
type (
	// RunList is a list of runs.
	RunList struct {
		Runs []commsinfo.Run `json:"runs"`
	}
	// AnomalyList is a list of anomalies.
	AnomalyList struct {
		Anomalies []commsinfo.Anomaly `json:"anomalies"`
	}
	// TotalsList is an approval's figures per day.
	TotalsList struct {
		ApprovalID string                `json:"approval_id"`
		Days       []commsinfo.DayTotals `json:"days"`
	}
	// RetentionList lists retention deletions.
	RetentionList struct {
		Deletions []commsinfo.RetentionDeletion `json:"deletions"`
	}
	// FindingList is a list of findings.
	FindingList struct {
		Findings []commsinfo.Finding `json:"findings"`
	}
	// CooperationList is a list of cooperation requests.
	CooperationList struct {
		Requests []commsinfo.CooperationRequest `json:"requests"`
	}
	// ProvisionList is a list of provisions.
	ProvisionList struct {
		Provisions []commsinfo.Provision `json:"provisions"`
	}
	// RefusalList lists refused provision attempts.
	RefusalList struct {
		Refusals []commsinfo.Refusal `json:"refusals"`
	}
	// NoteRequest accepts a cooperation request, with an optional note.
	NoteRequest struct {
		Note string `json:"note,omitempty"`
	}
	// ReasonRequest declines or ends a cooperation request.
	ReasonRequest struct {
		Reason string `json:"reason,omitempty"`
	}
)

type handlers struct {
	svc *commsinfo.Service
}

// Register adds the communications-information routes to r.
func Register(r *api.Router, s *commsinfo.Service) {
	h := &handlers{svc: s}
	const tagRuns, tagSel, tagFind, tagCoop, tagProv = "runs", "selected records", "findings", "cooperation", "provisions"
	route := func(rt api.Route, fn api.HandlerFunc) { r.Handle(rt, fn) }

	route(api.Route{Pattern: "POST /api/v1/sensor/runs", Action: auth.SensorUpload, Tag: tagRuns, Summary: "Upload a selection run with a sensor token: the body (Content-Type application/x-ndjson, may be chunked) is the exact output of acd select; 422 when truncated or not the approval's criteria", Response: commsinfo.UploadResult{}, Status: http.StatusCreated}, h.sensorUpload)
	route(api.Route{Pattern: "POST /api/v1/approvals/{id}/runs", Action: auth.RunUpload, Tag: tagRuns, Summary: "Upload a run file of an offline sensor under an approval (body as for /sensor/runs)", Response: commsinfo.UploadResult{}, Status: http.StatusCreated}, h.offlineUpload)
	route(api.Route{Pattern: "GET /api/v1/runs", Action: auth.RunRead, Tag: tagRuns, Summary: "Uploaded runs, newest first (?approval=, ?from=, ?to= on the start time, ?limit=)", Response: RunList{}}, h.runs)
	route(api.Route{Pattern: "GET /api/v1/runs/{id}", Action: auth.RunRead, Tag: tagRuns, Summary: "A run with its summary, per-direction counters and anomalies", Response: commsinfo.Run{}}, h.run)
	route(api.Route{Pattern: "GET /api/v1/approvals/{id}/totals", Action: auth.RunRead, Tag: tagRuns, Summary: "An approval's selection figures per day: seen, in scope, selected, deleted (?from=, ?to=)", Response: TotalsList{}}, h.totals)
	route(api.Route{Pattern: "GET /api/v1/anomalies", Action: auth.RunRead, Tag: tagRuns, Summary: "Anomalies of runs (?approval=, ?kind=, ?from=, ?to=, ?limit=)", Response: AnomalyList{}}, h.anomalies)
	route(api.Route{Pattern: "GET /api/v1/retention", Action: auth.RunRead, Tag: tagRuns, Summary: "Selected records deleted by retention (?approval=, ?from=, ?to=)", Response: RetentionList{}}, h.retention)
	route(api.Route{Pattern: "GET /api/v1/commsinfo/stats", Action: auth.RunRead, Tag: tagRuns, Summary: "Figures of a period for the annual report: selection totals by direction, runs, anomalies, provisions by recipient kind and basis, refusals, retention (?from=, ?to=; default the last 365 days)", Response: commsinfo.Stats{}}, h.stats)

	route(api.Route{Pattern: "GET /api/v1/selected", Action: auth.SelectedRead, Tag: tagSel, Summary: "Search selected records (?approval=, ?run=, ?from=, ?to=, ?address= IP or CIDR, ?port=, ?domain= with subdomains, ?type=, ?direction=, ?cursor=, ?limit=); every search is in the audit log", Response: commsinfo.RecordPage{}}, h.search)

	route(api.Route{Pattern: "POST /api/v1/findings", Action: auth.FindingWrite, Tag: tagFind, Summary: "Record a finding with its indicators, techniques and sources, each with its legal basis", Request: commsinfo.FindingInput{}, Response: commsinfo.Finding{}, Status: http.StatusCreated}, h.createFinding)
	route(api.Route{Pattern: "GET /api/v1/findings", Action: auth.FindingRead, Tag: tagFind, Summary: "Findings, newest first (?approval=, ?limit=)", Response: FindingList{}}, h.findings)
	route(api.Route{Pattern: "GET /api/v1/findings/{id}", Action: auth.FindingRead, Tag: tagFind, Summary: "One finding", Response: commsinfo.Finding{}}, h.finding)

	route(api.Route{Pattern: "POST /api/v1/cooperation-requests", Action: auth.CooperationRequest, Tag: tagCoop, Summary: "Ask an agency to help analyse (§27; analysts)", Request: commsinfo.CooperationInput{}, Response: commsinfo.CooperationRequest{}, Status: http.StatusCreated}, h.requestCoop)
	route(api.Route{Pattern: "GET /api/v1/cooperation-requests", Action: auth.CooperationRead, Tag: tagCoop, Summary: "Cooperation requests visible to the caller (?state=, ?limit=)", Response: CooperationList{}}, h.coops)
	route(api.Route{Pattern: "GET /api/v1/cooperation-requests/{id}", Action: auth.CooperationRead, Tag: tagCoop, Summary: "One cooperation request", Response: commsinfo.CooperationRequest{}}, h.coop)
	route(api.Route{Pattern: "POST /api/v1/cooperation-requests/{id}/accept", Action: auth.CooperationWrite, Tag: tagCoop, Summary: "Accept a request (the agency asked)", Request: NoteRequest{}, Response: commsinfo.CooperationRequest{}}, h.acceptCoop)
	route(api.Route{Pattern: "POST /api/v1/cooperation-requests/{id}/decline", Action: auth.CooperationWrite, Tag: tagCoop, Summary: "Decline a request with a reason (the agency asked)", Request: ReasonRequest{}, Response: commsinfo.CooperationRequest{}}, h.declineCoop)
	route(api.Route{Pattern: "POST /api/v1/cooperation-requests/{id}/end", Action: auth.CooperationWrite, Tag: tagCoop, Summary: "End an accepted request (either agency) or withdraw an unanswered one (the requester)", Request: ReasonRequest{}, Response: commsinfo.CooperationRequest{}}, h.endCoop)

	route(api.Route{Pattern: "POST /api/v1/provisions", Action: auth.ProvisionCreate, Tag: tagProv, Summary: "Provide selected records and/or findings to a recipient under a legal basis (§23, §27, §28, §39); 403 provision_refused, recorded, without a valid basis", Request: commsinfo.ProvisionRequest{}, Response: commsinfo.Provision{}, Status: http.StatusCreated}, h.provide)
	route(api.Route{Pattern: "GET /api/v1/provisions", Action: auth.ProvisionRead, Tag: tagProv, Summary: "Provisions: analysts and the commission all, recipients their own (?recipient=, ?basis=, ?limit=)", Response: ProvisionList{}}, h.provisions)
	route(api.Route{Pattern: "GET /api/v1/provisions/refusals", Action: auth.RunRead, Tag: tagProv, Summary: "Refused provision attempts (?from=, ?to=)", Response: RefusalList{}}, h.refusals)
	route(api.Route{Pattern: "GET /api/v1/provisions/{id}", Action: auth.ProvisionRead, Tag: tagProv, Summary: "One provision", Response: commsinfo.Provision{}}, h.provision)
	route(api.Route{Pattern: "GET /api/v1/provisions/{id}/records", Action: auth.ProvisionRead, Tag: tagProv, Summary: "The selected records a provision provided (?cursor=, ?limit=); each read is in the audit log", Response: commsinfo.RecordPage{}}, h.providedRecords)
	route(api.Route{Pattern: "GET /api/v1/provisions/{id}/findings", Action: auth.ProvisionRead, Tag: tagProv, Summary: "The findings a provision provided", Response: FindingList{}}, h.providedFindings)
}

// Error maps the commsinfo package's errors to API errors; the server's
// MapError calls it.
func Error(err error) *api.Error {
	var re *commsinfo.RejectError
	var ref *commsinfo.RefusedError
	switch {
	case errors.As(err, &re):
		return &api.Error{Status: http.StatusUnprocessableEntity, Code: "run_rejected", Message: re.Error()}
	case errors.As(err, &ref):
		return &api.Error{Status: http.StatusForbidden, Code: "provision_refused", Message: ref.Error()}
	}
	return svcerr.API(err)
}

func principal(r *http.Request) *auth.Principal { return auth.FromContext(r.Context()) }

// checkRunType refuses a body that does not say it is a run.
func checkRunType(r *http.Request) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != MediaTypeRun && mt != "application/jsonl" && mt != "application/x-jsonlines") {
		return &api.Error{Status: http.StatusUnsupportedMediaType, Code: api.CodeUnsupportedMediaType,
			Message: "Content-Type must be " + MediaTypeRun + " (the output of acd select)"}
	}
	if r.Body == nil || r.Body == http.NoBody {
		return api.BadRequest("", "empty body: want the output of acd select")
	}
	return nil
}

func (h *handlers) upload(w http.ResponseWriter, r *http.Request, approvalID string) error {
	if err := checkRunType(r); err != nil {
		return err
	}
	// The body is read as a stream, line by line: never whole. A sensor
	// may stream for hours, so the server's read deadline becomes an idle
	// timeout that each read renews.
	body := &idleReader{r: r.Body, rc: http.NewResponseController(w), idle: uploadIdle}
	res, err := h.svc.Upload(r.Context(), principal(r), approvalID, body)
	if err != nil {
		// Stop reading what is left of a refused body.
		w.Header().Set("Connection", "close")
		return err
	}
	return api.WriteJSON(w, http.StatusCreated, res)
}

// uploadIdle is how long an upload may send nothing before the server
// gives up on it.
const uploadIdle = 2 * time.Minute

// idleReader renews the connection's read deadline before each read.
type idleReader struct {
	r    io.Reader
	rc   *http.ResponseController
	idle time.Duration
}

func (ir *idleReader) Read(p []byte) (int, error) {
	// An error means the connection does not support deadlines (an
	// HTTP/2 stream, a test recorder): the server's own timeouts apply.
	_ = ir.rc.SetReadDeadline(time.Now().Add(ir.idle))
	return ir.r.Read(p)
}

func (h *handlers) sensorUpload(w http.ResponseWriter, r *http.Request) error {
	return h.upload(w, r, "")
}

func (h *handlers) offlineUpload(w http.ResponseWriter, r *http.Request) error {
	return h.upload(w, r, r.PathValue("id"))
}

// timeParam reads an RFC 3339 query parameter; zero when absent.
func timeParam(r *http.Request, name string) (time.Time, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, api.BadRequest(name, "want an RFC 3339 time such as 2026-11-02T00:00:00Z, got "+strconv.Quote(v))
	}
	return t.UTC(), nil
}

// intParam reads an integer query parameter; 0 when absent.
func intParam(r *http.Request, name string) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, api.BadRequest(name, "want a non-negative integer, got "+strconv.Quote(v))
	}
	return n, nil
}

// window reads ?from= and ?to=.
func window(r *http.Request) (from, to time.Time, err error) {
	if from, err = timeParam(r, "from"); err != nil {
		return
	}
	to, err = timeParam(r, "to")
	return
}

func (h *handlers) runs(w http.ResponseWriter, r *http.Request) error {
	from, to, err := window(r)
	if err != nil {
		return err
	}
	n, err := intParam(r, "limit")
	if err != nil {
		return err
	}
	runs, err := h.svc.Runs(r.Context(), commsinfo.RunFilter{ApprovalID: r.URL.Query().Get("approval"), From: from, To: to, Limit: n})
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, RunList{Runs: runs})
}

func (h *handlers) run(w http.ResponseWriter, r *http.Request) error {
	run, err := h.svc.Run(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, run)
}

func (h *handlers) totals(w http.ResponseWriter, r *http.Request) error {
	from, to, err := window(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	days, err := h.svc.Totals(r.Context(), id, from, to)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, TotalsList{ApprovalID: id, Days: days})
}

func (h *handlers) anomalies(w http.ResponseWriter, r *http.Request) error {
	from, to, err := window(r)
	if err != nil {
		return err
	}
	n, err := intParam(r, "limit")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	as, err := h.svc.Anomalies(r.Context(), commsinfo.AnomalyFilter{ApprovalID: q.Get("approval"), Kind: q.Get("kind"), From: from, To: to, Limit: n})
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, AnomalyList{Anomalies: as})
}

func (h *handlers) retention(w http.ResponseWriter, r *http.Request) error {
	from, to, err := window(r)
	if err != nil {
		return err
	}
	ds, err := h.svc.Retention(r.Context(), r.URL.Query().Get("approval"), from, to)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, RetentionList{Deletions: ds})
}

func (h *handlers) stats(w http.ResponseWriter, r *http.Request) error {
	from, to, err := window(r)
	if err != nil {
		return err
	}
	if to.IsZero() {
		to = time.Now().UTC()
	}
	if from.IsZero() {
		from = to.AddDate(-1, 0, 0)
	}
	if !from.Before(to) {
		return api.BadRequest("to", "must be after from")
	}
	st, err := h.svc.Stats(r.Context(), from, to)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, st)
}

func (h *handlers) search(w http.ResponseWriter, r *http.Request) error {
	from, to, err := window(r)
	if err != nil {
		return err
	}
	port, err := intParam(r, "port")
	if err != nil {
		return err
	}
	n, err := intParam(r, "limit")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	rq := commsinfo.RecordQuery{Approval: q.Get("approval"), Run: q.Get("run"), From: from, To: to, Address: q.Get("address"),
		Port: port, Domain: q.Get("domain"), Type: q.Get("type"), Direction: q.Get("direction")}
	pg, err := h.svc.Search(r.Context(), principal(r), rq, commsinfo.Page{Cursor: q.Get("cursor"), Limit: n})
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, pg)
}

func (h *handlers) createFinding(w http.ResponseWriter, r *http.Request) error {
	var in commsinfo.FindingInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	f, err := h.svc.CreateFinding(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusCreated, f)
}

func (h *handlers) findings(w http.ResponseWriter, r *http.Request) error {
	n, err := intParam(r, "limit")
	if err != nil {
		return err
	}
	fs, err := h.svc.Findings(r.Context(), commsinfo.FindingFilter{ApprovalID: r.URL.Query().Get("approval"), Limit: n})
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, FindingList{Findings: fs})
}

func (h *handlers) finding(w http.ResponseWriter, r *http.Request) error {
	f, err := h.svc.Finding(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, f)
}

func (h *handlers) requestCoop(w http.ResponseWriter, r *http.Request) error {
	var in commsinfo.CooperationInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	c, err := h.svc.RequestCooperation(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusCreated, c)
}

func (h *handlers) coops(w http.ResponseWriter, r *http.Request) error {
	n, err := intParam(r, "limit")
	if err != nil {
		return err
	}
	cs, err := h.svc.Cooperations(r.Context(), principal(r), commsinfo.CooperationFilter{State: r.URL.Query().Get("state"), Limit: n})
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, CooperationList{Requests: cs})
}

func (h *handlers) coop(w http.ResponseWriter, r *http.Request) error {
	c, err := h.svc.Cooperation(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, c)
}

func (h *handlers) acceptCoop(w http.ResponseWriter, r *http.Request) error {
	var in NoteRequest
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	c, err := h.svc.AnswerCooperation(r.Context(), principal(r), r.PathValue("id"), true, in.Note)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, c)
}

func (h *handlers) declineCoop(w http.ResponseWriter, r *http.Request) error {
	var in ReasonRequest
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	c, err := h.svc.AnswerCooperation(r.Context(), principal(r), r.PathValue("id"), false, in.Reason)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, c)
}

func (h *handlers) endCoop(w http.ResponseWriter, r *http.Request) error {
	var in ReasonRequest
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	c, err := h.svc.EndCooperation(r.Context(), principal(r), r.PathValue("id"), in.Reason)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, c)
}

func (h *handlers) provide(w http.ResponseWriter, r *http.Request) error {
	var in commsinfo.ProvisionRequest
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	pv, err := h.svc.Provide(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusCreated, pv)
}

func (h *handlers) provisions(w http.ResponseWriter, r *http.Request) error {
	n, err := intParam(r, "limit")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	ps, err := h.svc.Provisions(r.Context(), principal(r), commsinfo.ProvisionFilter{RecipientOrgID: q.Get("recipient"), Basis: q.Get("basis"), Limit: n})
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, ProvisionList{Provisions: ps})
}

func (h *handlers) refusals(w http.ResponseWriter, r *http.Request) error {
	from, to, err := window(r)
	if err != nil {
		return err
	}
	rs, err := h.svc.Refusals(r.Context(), from, to)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, RefusalList{Refusals: rs})
}

func (h *handlers) provision(w http.ResponseWriter, r *http.Request) error {
	pv, err := h.svc.Provision(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, pv)
}

func (h *handlers) providedRecords(w http.ResponseWriter, r *http.Request) error {
	n, err := intParam(r, "limit")
	if err != nil {
		return err
	}
	pg, err := h.svc.ProvidedRecords(r.Context(), principal(r), r.PathValue("id"), commsinfo.Page{Cursor: r.URL.Query().Get("cursor"), Limit: n})
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, pg)
}

func (h *handlers) providedFindings(w http.ResponseWriter, r *http.Request) error {
	fs, err := h.svc.ProvidedFindings(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, FindingList{Findings: fs})
}
