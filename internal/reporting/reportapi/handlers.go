package reportapi

import (
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/reporting"
	"github.com/acd-platform/acd/internal/reporting/assetfile"
)

func (h *handlers) operators(w http.ResponseWriter, r *http.Request) error {
	ops, err := h.svc.Operators(r.Context(), principal(r))
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, OperatorList{Operators: nonNil(ops)})
}

func (h *handlers) designations(w http.ResponseWriter, r *http.Request) error {
	ds, err := h.svc.Designations(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, DesignationList{Designations: nonNil(ds)})
}

func (h *handlers) designate(w http.ResponseWriter, r *http.Request) error {
	var req DesignationRequest
	if err := api.Decode(r, &req); err != nil {
		return err
	}
	d, err := h.svc.Designate(r.Context(), principal(r), r.PathValue("id"), req.Designated, req.Reason)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusCreated, d)
}

func (h *handlers) assets(w http.ResponseWriter, r *http.Request) error {
	retired, err := queryBool(r, "include_retired")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	as, err := h.svc.Assets(r.Context(), principal(r), reporting.AssetFilter{OrgID: q.Get("org"), Sector: q.Get("sector"), IncludeRetired: retired})
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, AssetList{Assets: nonNil(as)})
}

func (h *handlers) createAsset(w http.ResponseWriter, r *http.Request) error {
	var in reporting.AssetInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	a, err := h.svc.CreateAsset(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/assets/"+a.ID)
	return api.WriteJSON(w, http.StatusCreated, a)
}

func (h *handlers) asset(w http.ResponseWriter, r *http.Request) error {
	a, vs, err := h.svc.Asset(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, AssetDetail{Asset: a, Versions: vs})
}

func (h *handlers) updateAsset(w http.ResponseWriter, r *http.Request) error {
	var in reporting.AssetInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	a, err := h.svc.UpdateAsset(r.Context(), principal(r), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, a)
}

func (h *handlers) retireAsset(w http.ResponseWriter, r *http.Request) error {
	var req ReasonRequest
	if err := api.Decode(r, &req); err != nil {
		return err
	}
	a, err := h.svc.RetireAsset(r.Context(), principal(r), r.PathValue("id"), req.Reason)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, a)
}

// maxImport bounds an import file.
const maxImport = 16 << 20

// ImportFile parses an asset list in the given media type: CSV, or a
// CycloneDX JSON SBOM, whose components take def where they carry no acd:
// properties. The web pages share it.
func ImportFile(mediaType string, body []byte, def assetfile.Defaults) ([]reporting.ImportRow, []Rejected, error) {
	var rows []assetfile.Row
	var rejected []assetfile.Rejected
	var err error
	switch mediaType {
	case "text/csv":
		rows, rejected, err = assetfile.ReadCSV(strings.NewReader(string(body)))
	case "application/vnd.cyclonedx+json", "application/json":
		rows, rejected, err = assetfile.ReadCycloneDX(strings.NewReader(string(body)), def)
	default:
		return nil, nil, &api.Error{Status: http.StatusUnsupportedMediaType, Code: api.CodeUnsupportedMediaType,
			Message: "Content-Type must be text/csv or application/vnd.cyclonedx+json"}
	}
	if err != nil {
		return nil, nil, api.BadRequest("file", err.Error())
	}
	out := make([]reporting.ImportRow, len(rows))
	for i, row := range rows {
		out[i] = reporting.ImportRow{Line: row.Line, Asset: row.Asset}
	}
	rej := make([]Rejected, len(rejected))
	for i, x := range rejected {
		rej[i] = Rejected{Line: x.Line, Ref: x.Ref, Field: x.Field, Reason: x.Reason}
	}
	return out, rej, nil
}

func (h *handlers) importAssets(w http.ResponseWriter, r *http.Request) error {
	dry, err := queryBool(r, "dry_run")
	if err != nil {
		return err
	}
	facing, err := queryBool(r, "internet_facing")
	if err != nil {
		return err
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	body, err := readBody(r, maxImport)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	rows, rejected, err := ImportFile(mt, body, assetfile.Defaults{Role: reporting.AssetRole(q.Get("role")), Facility: q.Get("facility"), InternetFacing: facing})
	if err != nil {
		return err
	}
	res, err := h.svc.ImportAssets(r.Context(), principal(r), rows, dry)
	if err != nil {
		return err
	}
	status := http.StatusOK
	return api.WriteJSON(w, status, ImportReport{DryRun: dry, Accepted: nonNil(res), Rejected: rejected})
}

func (h *handlers) notices(w http.ResponseWriter, r *http.Request) error {
	limit, err := queryInt(r, "limit")
	if err != nil {
		return err
	}
	ns, err := h.svc.AssetNotices(r.Context(), principal(r), limit)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, NoticeList{Notices: nonNil(ns)})
}

func (h *handlers) reports(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := reporting.ReportFilter{OrgID: q.Get("org"), Sector: q.Get("sector"), Stage: reporting.Stage(q.Get("stage")), Kind: reporting.Kind(q.Get("kind"))}
	var err error
	if f.Open, err = queryBool(r, "open"); err != nil {
		return err
	}
	if f.From, err = queryTime(r, "from"); err != nil {
		return err
	}
	if f.To, err = queryTime(r, "to"); err != nil {
		return err
	}
	if f.Limit, err = queryInt(r, "limit"); err != nil {
		return err
	}
	rs, err := h.svc.Reports(r.Context(), principal(r), f)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, ReportList{Reports: nonNil(rs)})
}

// StatsWindow reads ?from=, ?to= and ?step= (defaults: the last 30 days by
// day). The web chart shares it.
func StatsWindow(r *http.Request, now time.Time) (from, to time.Time, step time.Duration, err error) {
	if from, err = queryTime(r, "from"); err != nil {
		return
	}
	if to, err = queryTime(r, "to"); err != nil {
		return
	}
	step = 24 * time.Hour
	if v := r.URL.Query().Get("step"); v != "" {
		if step, err = time.ParseDuration(v); err != nil || step < time.Hour {
			return from, to, 0, api.BadRequest("step", fmt.Sprintf("%q: want a duration of at least 1h, like 24h or 168h", v))
		}
	}
	if to.IsZero() {
		y, m, d := now.UTC().Date()
		to = time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Add(24 * time.Hour)
	}
	if from.IsZero() {
		from = to.Add(-30 * 24 * time.Hour)
	}
	return from, to, step, nil
}

func (h *handlers) stats(w http.ResponseWriter, r *http.Request) error {
	from, to, step, err := StatsWindow(r, time.Now())
	if err != nil {
		return err
	}
	bs, err := h.svc.ReportCounts(r.Context(), principal(r), from, to, step)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, Stats{From: from, To: to, Step: step.String(), Sectors: nonNil(reporting.SectorsOf(bs)), Buckets: bs})
}

func (h *handlers) report(w http.ResponseWriter, r *http.Request) error {
	d, err := h.svc.Report(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	d.Versions, d.Evidence = nonNil(d.Versions), nonNil(d.Evidence)
	return api.WriteJSON(w, http.StatusOK, d)
}

func (h *handlers) version(w http.ResponseWriter, r *http.Request) error {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 {
		return api.NotFound("no such version")
	}
	_, v, err := h.svc.Version(r.Context(), principal(r), r.PathValue("id"), n)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, v)
}

func (h *handlers) addEvidence(w http.ResponseWriter, r *http.Request) error {
	body := http.MaxBytesReader(w, r.Body, h.svc.MaxEvidence()+1)
	e, err := h.svc.AddEvidence(r.Context(), principal(r), r.PathValue("id"), r.URL.Query().Get("name"), r.Header.Get("Content-Type"), body)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusCreated, e)
}

func (h *handlers) evidence(w http.ResponseWriter, r *http.Request) error {
	e, data, err := h.svc.EvidenceFile(r.Context(), principal(r), r.PathValue("id"), r.PathValue("eid"))
	if err != nil {
		return err
	}
	// Served as a download, never rendered by the browser in ACD's origin.
	w.Header().Set("Content-Type", e.MediaType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": e.Name}))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "sandbox")
	w.Header().Set("Digest", "sha-256="+e.SHA256)
	w.Write(data)
	return nil
}

func (h *handlers) compliance(w http.ResponseWriter, r *http.Request) error {
	rows, err := h.svc.Compliance(r.Context(), principal(r), r.URL.Query().Get("sector"))
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, ComplianceTable{At: time.Now().UTC(), Rows: nonNil(rows)})
}

func (h *handlers) issueOrder(w http.ResponseWriter, r *http.Request) error {
	var n reporting.NewOrder
	if err := api.Decode(r, &n); err != nil {
		return err
	}
	o, err := h.svc.IssueOrder(r.Context(), principal(r), n)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/orders/"+o.ID)
	return api.WriteJSON(w, http.StatusCreated, o)
}

func (h *handlers) orders(w http.ResponseWriter, r *http.Request) error {
	ref, err := queryBool(r, "referral")
	if err != nil {
		return err
	}
	st := reporting.OrderState(r.URL.Query().Get("state"))
	switch st {
	case "", reporting.OrderOpen, reporting.OrderAnswered, reporting.OrderClosed:
	default:
		return api.BadRequest("state", fmt.Sprintf("%q: want open, answered or closed", st))
	}
	os, err := h.svc.Orders(r.Context(), principal(r), reporting.OrderFilter{State: st, Referral: ref, OrgID: r.URL.Query().Get("org")})
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, OrderList{Orders: nonNil(os)})
}

func (h *handlers) order(w http.ResponseWriter, r *http.Request) error {
	o, err := h.svc.Order(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, o)
}

func (h *handlers) answerOrder(w http.ResponseWriter, r *http.Request) error {
	var req TextRequest
	if err := api.Decode(r, &req); err != nil {
		return err
	}
	o, err := h.svc.AnswerOrder(r.Context(), principal(r), r.PathValue("id"), req.Text)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, o)
}

func (h *handlers) closeOrder(w http.ResponseWriter, r *http.Request) error {
	var req TextRequest
	if err := api.Decode(r, &req); err != nil {
		return err
	}
	o, err := h.svc.CloseOrder(r.Context(), principal(r), r.PathValue("id"), req.Text)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, o)
}
