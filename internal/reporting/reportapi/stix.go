package reportapi

import (
	"encoding/json"
	"mime"
	"net/http"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/reporting"
	"github.com/acd-platform/acd/internal/reporting/stixmap"
)

// registerSTIX adds the routes that speak STIX 2.1.
func registerSTIX(r *api.Router, h *handlers) {
	const tag = "reports"
	r.Handle(api.Route{Pattern: "POST /api/v1/reports/stix", Action: auth.ReportSubmit, Tag: tag, Summary: "File a report, or the next version of one, as a STIX 2.1 bundle (" + MediaTypeSTIX + ")", Response: reporting.Receipt{}, Status: http.StatusCreated}, h.submitSTIX)
	r.Handle(api.Route{Pattern: "GET /api/v1/reports/{id}/stix", Action: auth.ReportRead, Tag: tag, Summary: "A report (latest or ?version=) as a STIX 2.1 bundle"}, h.exportSTIX)
	r.Handle(api.Route{Pattern: "GET /api/v1/stix/extension-definition", Action: auth.STIXExtensionRead, Tag: tag, Summary: "ACD's STIX extension-definition for report fields"}, h.extensionDefinition)
	r.Handle(api.Route{Pattern: "GET /stix/incident-report-extension-v1.json", Action: auth.STIXExtensionRead, Tag: tag, Summary: "JSON schema of ACD's STIX report extension"}, h.extensionSchema)
}

func (h *handlers) submitSTIX(w http.ResponseWriter, r *http.Request) error {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/stix+json" || (params["version"] != "" && params["version"] != "2.1") {
		return &api.Error{Status: http.StatusUnsupportedMediaType, Code: api.CodeUnsupportedMediaType, Message: "Content-Type must be " + MediaTypeSTIX}
	}
	body, err := readBody(r, maxReportBody)
	if err != nil {
		return err
	}
	key, err := idem(r, body)
	if err != nil {
		return err
	}
	sub, err := stixmap.Import(body)
	if err != nil {
		return api.BadRequest("", err.Error())
	}
	out, err := h.svc.Submit(r.Context(), principal(r), sub.ReportID, reporting.Submission{Stage: sub.Stage, Content: sub.Content}, reporting.ViaSTIX, key)
	if err != nil {
		return err
	}
	return writeSubmitted(w, out)
}

// ExportSTIX renders version n (0: the latest) of a report as a STIX
// bundle. The web pages share it.
func ExportSTIX(r *http.Request, svc *reporting.Service, id string, n int) ([]byte, error) {
	p := principal(r)
	if n == 0 {
		d, err := svc.Report(r.Context(), p, id)
		if err != nil {
			return nil, err
		}
		n = d.Report.Versions
	}
	rep, v, err := svc.Version(r.Context(), p, id, n)
	if err != nil {
		return nil, err
	}
	return stixmap.Export(stixmap.ExportInput{ReportID: rep.ID, OrgName: rep.OrgID, Stage: v.Stage, Version: v.Version,
		Created: rep.CreatedAt, Modified: v.SubmittedAt, Content: v.Content})
}

func (h *handlers) exportSTIX(w http.ResponseWriter, r *http.Request) error {
	n, err := queryInt(r, "version")
	if err != nil {
		return err
	}
	b, err := ExportSTIX(r, h.svc, r.PathValue("id"), n)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", MediaTypeSTIX)
	w.Write(b)
	return nil
}

func (h *handlers) extensionDefinition(w http.ResponseWriter, r *http.Request) error {
	b, err := json.Marshal(stixmap.ExtensionDefinition())
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/stix+json;version=2.1")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Write(b)
	return nil
}

func (h *handlers) extensionSchema(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/schema+json")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Write(stixmap.ExtensionSchema())
	return nil
}
