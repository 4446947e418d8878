package api

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics counts HTTP requests for Prometheus. Give it to the Router in
// RouterConfig.Metrics; serve it with [Metrics.Handler] through Router.Handle.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// NewMetrics registers ACD's HTTP metrics with reg:
//
//	acd_http_requests_total{route, code}
//	acd_http_request_duration_seconds{route}
//
// route is the ServeMux pattern ("GET /api/v1/users/{id}"), or "unmatched",
// so the label set stays bounded whatever paths clients send. It panics if
// the metrics are already registered with reg.
func NewMetrics(reg *prometheus.Registry) *Metrics {
	m := &Metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "acd_http_requests_total",
			Help: "HTTP requests by route pattern and status code.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "acd_http_request_duration_seconds",
			Help:    "HTTP request duration by route pattern.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

// observe records one request; a nil *Metrics records nothing.
func (m *Metrics) observe(route string, code int, d time.Duration) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(route, strconv.Itoa(code)).Inc()
	m.duration.WithLabelValues(route).Observe(d.Seconds())
}

// Handler serves the registry in the Prometheus exposition format. Mount it
// with Router.Handle and an action the policy grants to whoever scrapes.
func (m *Metrics) Handler() HandlerFunc {
	return Handler(promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}))
}
