package measuresapi_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/store/storetest"
)

// TestRoutes pins each route's action (the policy's half of who may do
// what; the service checks the chain and the record) and the OpenAPI
// document made from the routes.
func TestRoutes(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), nil)
	const c = "/api/v1/measures/cases/{id}"
	want := map[string]auth.Action{
		"GET /api/v1/measures/designations":              auth.OfficerRead,
		"POST /api/v1/measures/designations":             auth.OfficerDesignate,
		"GET /api/v1/measures/designations/{id}":         auth.OfficerRead,
		"POST /api/v1/measures/designations/{id}/revoke": auth.OfficerDesignate,
		"GET /api/v1/measures/cases":                     auth.MeasureRead,
		"POST /api/v1/measures/cases":                    auth.MeasureOpen,
		"GET " + c:                                       auth.MeasureRead,
		"PUT " + c:                                       auth.MeasureWrite,
		"POST " + c + "/location":                        auth.MeasureWrite,
		"POST " + c + "/consultation":                    auth.MeasureCommand,
		"POST " + c + "/consultation/answer":             auth.ConsultationAnswer,
		"POST " + c + "/approval":                        auth.MeasureWrite,
		"POST " + c + "/approval/by-commander":           auth.MeasureCommand,
		"POST " + c + "/motions":                         auth.CommissionVote,
		"GET /api/v1/measures/motions/{id}":              auth.MeasureRead,
		"POST /api/v1/measures/motions/{id}/votes":       auth.CommissionVote,
		"POST /api/v1/measures/motions/{id}/close":       auth.CommissionDecide,
		"POST " + c + "/emergency":                       auth.MeasureWrite,
		"POST " + c + "/post-notice":                     auth.MeasureWrite,
		"POST " + c + "/post-notice/review":              auth.PostNoticeReview,
		"GET /api/v1/measures/queue":                     auth.CommissionVote,
		"POST " + c + "/command":                         auth.MeasureCommand,
		"POST " + c + "/npsc":                            auth.SDFOrderNPSC,
		"POST " + c + "/sdf-order":                       auth.SDFOrderIssue,
		"POST " + c + "/orders":                          auth.MeasureWrite,
		"GET /api/v1/measures/orders/{id}":               auth.MeasureRead,
		"GET /api/v1/measures/orders/{id}/document":      auth.MeasureRead,
		"GET /api/v1/measures/orders/{id}/document.json": auth.MeasureRead,
		"GET /api/v1/measures/orders/{id}/document.txt":  auth.MeasureRead,
		"GET /api/v1/measures/orders/{id}/document.html": auth.MeasureRead,
		"GET /api/v1/measures/orders/{id}/document.pdf":  auth.MeasureRead,
		"POST /api/v1/measures/orders/{id}/delivery":     auth.MeasureWrite,
		"POST /api/v1/measures/orders/{id}/response":     auth.MeasureWrite,
		"POST " + c + "/executions":                      auth.MeasureWrite,
		"POST " + c + "/close":                           auth.MeasureWrite,
		"POST " + c + "/withdraw":                        auth.MeasureWrite,
		"GET /api/v1/measures/overview":                  auth.MeasureOverview,
	}
	routes := e.router.Routes()
	if len(routes) != len(want) {
		t.Errorf("got %d routes, want %d", len(routes), len(want))
	}
	for _, rt := range routes {
		if a, ok := want[rt.Pattern]; !ok {
			t.Errorf("unexpected route %s", rt.Pattern)
		} else if rt.Action != a {
			t.Errorf("%s: got action %s, want %s", rt.Pattern, rt.Action, a)
		}
		if rt.Kind != api.API || rt.Summary == "" || rt.Tag == "" {
			t.Errorf("%s: kind %v, summary %q, tag %q", rt.Pattern, rt.Kind, rt.Summary, rt.Tag)
		}
		method, _, _ := strings.Cut(rt.Pattern, " ")
		if method == http.MethodPost && rt.Request == nil && rt.Pattern != "POST /api/v1/measures/motions/{id}/close" {
			t.Errorf("%s: no request body type", rt.Pattern)
		}
	}
	doc, err := e.router.OpenAPI(api.Info{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{`"/api/v1/measures/cases/{id}/orders"`, `"/api/v1/measures/orders/{id}/document.pdf"`, `"CaseInput"`, `"SDFOrderInput"`, `"StatementRequest"`, `"measure.command"`} {
		if !bytes.Contains(doc, []byte(p)) {
			t.Errorf("OpenAPI document lacks %s", p)
		}
	}
}
