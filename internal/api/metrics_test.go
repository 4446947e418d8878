package api_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/acd-platform/acd/internal/api"
)

func TestMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := api.NewMetrics(reg)
	router, _ := newTestRouter(t, api.RouterConfig{Metrics: m})
	router.Handle(api.Route{Pattern: "GET /metrics", Action: "public.read"}, m.Handler())

	for _, target := range []string{
		"/api/v1/public", "/api/v1/public", // 200 twice
		"/api/v1/reports/r1", "/api/v1/reports/r2", // 401: counted under the pattern, not the path
		"/api/v1/panic",             // 500
		"/nowhere", "/nowhere/else", // unmatched
	} {
		router.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", target, nil))
	}

	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := make(map[string]float64)
	var observed uint64
	for _, mf := range mfs {
		for _, metric := range mf.GetMetric() {
			labels := make(map[string]string)
			for _, lp := range metric.GetLabel() {
				labels[lp.GetName()] = lp.GetValue()
			}
			switch mf.GetName() {
			case "acd_http_requests_total":
				got[labels["route"]+" "+labels["code"]] = metric.GetCounter().GetValue()
			case "acd_http_request_duration_seconds":
				observed += metric.GetHistogram().GetSampleCount()
			}
		}
	}
	want := map[string]float64{
		"GET /api/v1/public 200":       2,
		"GET /api/v1/reports/{id} 401": 2,
		"GET /api/v1/panic 500":        1,
		"unmatched 404":                2,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("acd_http_requests_total (-want +got):\n%s", diff)
	}
	if observed != 7 {
		t.Errorf("duration samples: got %d, want 7", observed)
	}

	// The exposition goes through the router like any route.
	rec := httptest.NewRecorder()
	router.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	if rec.Code != http.StatusOK || !strings.Contains(string(body), `acd_http_requests_total{code="200",route="GET /api/v1/public"} 2`) {
		t.Errorf("GET /metrics: got %d\n%s", rec.Code, body)
	}
}
