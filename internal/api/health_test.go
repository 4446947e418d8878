package api_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/acd-platform/acd/internal/api"
)

func TestHealth(t *testing.T) {
	dbErr := errors.New("ping db at 10.1.2.3: connection refused")
	var ready error
	router, logs := newTestRouter(t, api.RouterConfig{})
	router.Handle(api.Route{Pattern: "GET /healthz", Action: "public.read", Response: api.Health{}}, api.Healthz())
	router.Handle(api.Route{Pattern: "GET /readyz", Action: "public.read", Response: api.Health{}},
		api.Readyz(func(ctx context.Context) error {
			if _, ok := ctx.Deadline(); !ok {
				return errors.New("check has no deadline")
			}
			return ready
		}))
	tests := []struct {
		name   string
		target string
		ready  error
		status int
		body   string
	}{
		{name: "alive", target: "/healthz", status: 200, body: `{"status":"ok"}`},
		// Alive even when not ready.
		{name: "alive, db down", target: "/healthz", ready: dbErr, status: 200, body: `{"status":"ok"}`},
		{name: "ready", target: "/readyz", status: 200, body: `{"status":"ok"}`},
		// The cause is logged, not shown.
		{name: "not ready", target: "/readyz", ready: dbErr, status: 503, body: `{"error":{"code":"unavailable","message":"not ready"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ready = tt.ready
			rec := httptest.NewRecorder()
			router.ServeHTTP(rec, httptest.NewRequest("GET", tt.target, nil))
			if rec.Code != tt.status {
				t.Errorf("status: got %d, want %d", rec.Code, tt.status)
			}
			if got := strings.TrimSpace(rec.Body.String()); got != tt.body {
				t.Errorf("body: got %s, want %s", got, tt.body)
			}
		})
	}
	if !strings.Contains(logs.String(), "connection refused") {
		t.Errorf("readiness cause not logged:\n%s", logs)
	}
}
