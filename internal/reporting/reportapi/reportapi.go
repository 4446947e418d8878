// Package reportapi serves the reporting capability's JSON API under
// /api/v1: operators and their designation, specified critical computers
// (§4) and their bulk import, incident reports (§5) as JSON and as STIX 2.1
// bundles, evidence files, correction orders and requests for materials
// (§83, §84), and the compliance table and report counts for ministries and
// the Cabinet Office. docs/reporting.md has curl examples.
package reportapi

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/idempotency"
	"github.com/acd-platform/acd/internal/reporting"
	"github.com/acd-platform/acd/internal/svcerr"
)

// MediaTypeSTIX is the media type of STIX 2.1 bundles.
const MediaTypeSTIX = "application/stix+json;version=2.1"

// maxReportBody bounds a report submission (JSON or STIX).
const maxReportBody = 4 << 20

type handlers struct {
	svc *reporting.Service
}

// Register adds the reporting routes to r.
func Register(r *api.Router, svc *reporting.Service) {
	h := &handlers{svc: svc}
	const tagOps, tagAssets, tagReports, tagOrders = "operators", "assets", "reports", "orders"
	route := func(rt api.Route, fn api.HandlerFunc) { r.Handle(rt, fn) }

	route(api.Route{Pattern: "GET /api/v1/operators", Action: auth.OperatorList, Tag: tagOps, Summary: "Operator organisations with their designation state (ministries: their sectors)", Response: OperatorList{}}, h.operators)
	route(api.Route{Pattern: "GET /api/v1/operators/{id}/designations", Action: auth.OperatorList, Tag: tagOps, Summary: "Designation history of an operator", Response: DesignationList{}}, h.designations)
	route(api.Route{Pattern: "POST /api/v1/operators/{id}/designations", Action: auth.OperatorDesignate, Tag: tagOps, Summary: "Designate or undesignate an operator (Cabinet Office)", Request: DesignationRequest{}, Response: reporting.Designation{}, Status: http.StatusCreated}, h.designate)

	route(api.Route{Pattern: "GET /api/v1/assets", Action: auth.AssetRead, Tag: tagAssets, Summary: "Specified critical computers visible to the caller (?org=, ?sector=, ?include_retired=true)", Response: AssetList{}}, h.assets)
	route(api.Route{Pattern: "POST /api/v1/assets", Action: auth.AssetWrite, Tag: tagAssets, Summary: "Notify a new specified critical computer (§4)", Request: reporting.AssetInput{}, Response: reporting.CriticalComputer{}, Status: http.StatusCreated}, h.createAsset)
	route(api.Route{Pattern: "POST /api/v1/assets/import", Action: auth.AssetWrite, Tag: tagAssets, Summary: "Bulk import from CSV (text/csv) or a CycloneDX JSON SBOM (application/vnd.cyclonedx+json; ?role=, ?facility=, ?internet_facing= for components without acd: properties); ?dry_run=true checks only", Response: ImportReport{}}, h.importAssets)
	route(api.Route{Pattern: "GET /api/v1/assets/{id}", Action: auth.AssetRead, Tag: tagAssets, Summary: "One computer with every version of its notification", Response: AssetDetail{}}, h.asset)
	route(api.Route{Pattern: "PUT /api/v1/assets/{id}", Action: auth.AssetWrite, Tag: tagAssets, Summary: "Notify a change: a new version", Request: reporting.AssetInput{}, Response: reporting.CriticalComputer{}}, h.updateAsset)
	route(api.Route{Pattern: "POST /api/v1/assets/{id}/retire", Action: auth.AssetWrite, Tag: tagAssets, Summary: "Notify retirement", Request: ReasonRequest{}, Response: reporting.CriticalComputer{}}, h.retireAsset)
	route(api.Route{Pattern: "GET /api/v1/asset-notices", Action: auth.AssetNoticeRead, Tag: tagAssets, Summary: "§4 notices received (ministry copies; Cabinet Office forwarded copies)", Response: NoticeList{}}, h.notices)

	route(api.Route{Pattern: "POST /api/v1/reports", Action: auth.ReportSubmit, Tag: tagReports, Summary: "File a new report (quick, full or final); Idempotency-Key honoured", Request: reporting.Submission{}, Response: reporting.Receipt{}, Status: http.StatusCreated}, h.submitNew)
	route(api.Route{Pattern: "POST /api/v1/reports/{id}/versions", Action: auth.ReportSubmit, Tag: tagReports, Summary: "File the next version (full, update or final) of a report", Request: reporting.Submission{}, Response: reporting.Receipt{}, Status: http.StatusCreated}, h.submitNext)
	route(api.Route{Pattern: "GET /api/v1/reports", Action: auth.ReportRead, Tag: tagReports, Summary: "Reports visible to the caller (?sector=, ?stage=, ?kind=, ?org=, ?open=true, ?from=, ?to=, ?limit=)", Response: ReportList{}}, h.reports)
	route(api.Route{Pattern: "GET /api/v1/reports/stats", Action: auth.ReportStats, Tag: tagReports, Summary: "Reports opened per sector per day (?from=, ?to=, ?step=24h)", Response: Stats{}}, h.stats)
	route(api.Route{Pattern: "GET /api/v1/reports/{id}", Action: auth.ReportRead, Tag: tagReports, Summary: "A report with its latest content, versions and evidence", Response: reporting.ReportDetail{}}, h.report)
	route(api.Route{Pattern: "GET /api/v1/reports/{id}/versions/{n}", Action: auth.ReportRead, Tag: tagReports, Summary: "One version of a report", Response: reporting.Version{}}, h.version)
	route(api.Route{Pattern: "POST /api/v1/reports/{id}/evidence", Action: auth.ReportSubmit, Tag: tagReports, Summary: "Attach an evidence file: the body is the file, Content-Type its media type, ?name= its name", Response: reporting.Evidence{}, Status: http.StatusCreated}, h.addEvidence)
	route(api.Route{Pattern: "GET /api/v1/reports/{id}/evidence/{eid}", Action: auth.ReportRead, Tag: tagReports, Summary: "Download an evidence file"}, h.evidence)
	route(api.Route{Pattern: "GET /api/v1/compliance", Action: auth.ComplianceRead, Tag: tagReports, Summary: "Compliance table of operators (?sector=): on time, late, missing", Response: ComplianceTable{}}, h.compliance)

	registerSTIX(r, h)

	route(api.Route{Pattern: "POST /api/v1/orders", Action: auth.OrderIssue, Tag: tagOrders, Summary: "Issue a correction order or a request for materials", Request: reporting.NewOrder{}, Response: reporting.Order{}, Status: http.StatusCreated}, h.issueOrder)
	route(api.Route{Pattern: "GET /api/v1/orders", Action: auth.OrderRead, Tag: tagOrders, Summary: "Orders visible to the caller (?state=, ?referral=true for overdue ones with history)", Response: OrderList{}}, h.orders)
	route(api.Route{Pattern: "GET /api/v1/orders/{id}", Action: auth.OrderRead, Tag: tagOrders, Summary: "An order with its history", Response: reporting.Order{}}, h.order)
	route(api.Route{Pattern: "POST /api/v1/orders/{id}/answer", Action: auth.OrderAnswer, Tag: tagOrders, Summary: "Answer an order (operator)", Request: TextRequest{}, Response: reporting.Order{}}, h.answerOrder)
	route(api.Route{Pattern: "POST /api/v1/orders/{id}/close", Action: auth.OrderClose, Tag: tagOrders, Summary: "Close an order (issuing ministry)", Request: TextRequest{}, Response: reporting.Order{}}, h.closeOrder)
}

// Error maps the reporting package's errors to API errors; the server's
// MapError calls it.
func Error(err error) *api.Error {
	if e := svcerr.API(err); e != nil {
		return e
	}
	if errors.Is(err, reporting.ErrIdempotencyMismatch) {
		return &api.Error{Status: http.StatusUnprocessableEntity, Code: "idempotency_mismatch", Message: err.Error()}
	}
	return nil
}

func principal(r *http.Request) *auth.Principal { return auth.FromContext(r.Context()) }

// readBody reads at most limit bytes of the body.
func readBody(r *http.Request, limit int64) ([]byte, error) {
	if r.Body == nil {
		return nil, api.BadRequest("", "empty body")
	}
	b, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, limit))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, &api.Error{Status: http.StatusRequestEntityTooLarge, Code: api.CodeTooLarge, Message: fmt.Sprintf("body larger than %d bytes", limit)}
		}
		return nil, api.BadRequest("", "read body: "+err.Error())
	}
	return b, nil
}

// idem reads the Idempotency-Key header and binds it to the request.
func idem(r *http.Request, body []byte) (reporting.Idem, error) {
	key := r.Header.Get(idempotency.Header)
	if key == "" {
		return reporting.Idem{}, nil
	}
	if err := idempotency.CheckKey(key); err != nil {
		return reporting.Idem{}, api.BadRequest(idempotency.Header, err.Error())
	}
	return reporting.Idem{Key: key, Hash: idempotency.Hash(r.Method, r.URL.Path, body)}, nil
}

// decodeBody decodes body strictly as JSON into v.
func decodeBody(r *http.Request, body []byte, v any) error {
	r2 := r.Clone(r.Context())
	r2.Body = io.NopCloser(bytes.NewReader(body))
	return api.DecodeLimit(r2, v, int64(len(body))+1)
}

func writeSubmitted(w http.ResponseWriter, out reporting.Submitted) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if out.Replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	w.WriteHeader(out.Status)
	w.Write(append(out.Body, '\n'))
	return nil
}

func (h *handlers) submit(w http.ResponseWriter, r *http.Request, id string) error {
	body, err := readBody(r, maxReportBody)
	if err != nil {
		return err
	}
	key, err := idem(r, body)
	if err != nil {
		return err
	}
	var sub reporting.Submission
	if err := decodeBody(r, body, &sub); err != nil {
		return err
	}
	out, err := h.svc.Submit(r.Context(), principal(r), id, sub, reporting.ViaAPI, key)
	if err != nil {
		return err
	}
	return writeSubmitted(w, out)
}

func (h *handlers) submitNew(w http.ResponseWriter, r *http.Request) error { return h.submit(w, r, "") }

func (h *handlers) submitNext(w http.ResponseWriter, r *http.Request) error {
	return h.submit(w, r, r.PathValue("id"))
}

// query helpers

func queryTime(r *http.Request, name string) (time.Time, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		if d, derr := time.Parse(time.DateOnly, v); derr == nil {
			return d, nil
		}
		return time.Time{}, api.BadRequest(name, fmt.Sprintf("%q: want an RFC 3339 time or a date YYYY-MM-DD", v))
	}
	return t.UTC(), nil
}

func queryBool(r *http.Request, name string) (bool, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, api.BadRequest(name, fmt.Sprintf("%q: want true or false", v))
	}
	return b, nil
}

func queryInt(r *http.Request, name string) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, api.BadRequest(name, fmt.Sprintf("%q: want a non-negative integer", v))
	}
	return n, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
