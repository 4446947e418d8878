package api_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/api"
)

func TestAssignRequestID(t *testing.T) {
	generated := regexp.MustCompile(`^[0-9a-f]{32}$`)
	tests := []struct {
		name     string
		incoming string
		want     string // "" means a generated one
	}{
		{name: "kept", incoming: "abc-123_X.y", want: "abc-123_X.y"},
		{name: "kept at 64", incoming: strings.Repeat("a", 64), want: strings.Repeat("a", 64)},
		{name: "absent", incoming: ""},
		{name: "too long", incoming: strings.Repeat("a", 65)},
		{name: "space", incoming: "a b"},
		{name: "markup", incoming: "<script>"},
		{name: "log injection", incoming: "x\nlevel=ERROR"},
		{name: "non-ASCII", incoming: "要求"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var inCtx string
			h := api.AssignRequestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				inCtx = api.RequestID(r.Context())
			}))
			req := httptest.NewRequest("GET", "/", nil)
			if tt.incoming != "" {
				req.Header.Set(api.RequestIDHeader, tt.incoming)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			got := rec.Header().Get(api.RequestIDHeader)
			if got != inCtx {
				t.Errorf("header %q differs from context %q", got, inCtx)
			}
			switch {
			case tt.want != "" && got != tt.want:
				t.Errorf("request id: got %q, want %q", got, tt.want)
			case tt.want == "" && !generated.MatchString(got):
				t.Errorf("request id: got %q, want 32 hex digits", got)
			}
		})
	}
	if got := api.RequestID(httptest.NewRequest("GET", "/", nil).Context()); got != "" {
		t.Errorf("RequestID without middleware: got %q, want empty", got)
	}
}

// newServer serves the test router behind the full middleware chain.
func newServer(t *testing.T, logs io.Writer, hc api.HeadersConfig) *httptest.Server {
	t.Helper()
	router, _ := newTestRouter(t, api.RouterConfig{})
	logger := slog.New(slog.NewJSONHandler(logs, nil))
	srv := httptest.NewServer(api.Chain(router,
		api.AssignRequestID,
		api.AccessLog(logger),
		api.Recover(logger),
		api.SecurityHeaders(hc),
	))
	t.Cleanup(srv.Close)
	return srv
}

func TestAccessLog(t *testing.T) {
	var logs bytes.Buffer
	srv := newServer(t, &logs, api.HeadersConfig{})
	req, _ := http.NewRequest("GET", srv.URL+"/api/v1/reports/r1?token=s3cret-query", nil)
	req.Header.Set("Authorization", "Bearer alice")
	req.Header.Set("Cookie", "other=c00kie-value")
	req.Header.Set(api.RequestIDHeader, "trace-1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()

	var line map[string]any
	sc := bufio.NewScanner(&logs)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err == nil && m["msg"] == "request" {
			line = m
		}
	}
	if line == nil {
		t.Fatalf("no access log line in:\n%s", logs.String())
	}
	for _, k := range []string{"time", "level", "msg", "duration"} {
		delete(line, k)
	}
	want := map[string]any{
		"component":  "http",
		"method":     "GET",
		"path":       "/api/v1/reports/r1",
		"route":      "GET /api/v1/reports/{id}",
		"status":     float64(200),
		"bytes":      float64(len(body)),
		"request_id": "trace-1",
		"user":       "u-alice",
	}
	if diff := cmp.Diff(want, line); diff != "" {
		t.Errorf("access log (-want +got):\n%s", diff)
	}
	for _, secret := range []string{"s3cret-query", "Bearer", "c00kie-value"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("log holds %q:\n%s", secret, logs.String())
		}
	}
}

func TestRecover(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	h := api.Chain(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { panic("outside the router") }),
		api.AssignRequestID, api.Recover(logger))
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set(api.RequestIDHeader, "rq-9")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 500 {
		t.Errorf("status: got %d, want 500", rec.Code)
	}
	if got := envelopeOf(rec.Body.Bytes()).Error.Code; got != "internal" {
		t.Errorf("code: got %q, want internal", got)
	}
	if !strings.Contains(logs.String(), `"request_id":"rq-9"`) || !strings.Contains(logs.String(), "outside the router") {
		t.Errorf("panic not logged with request id:\n%s", logs.String())
	}

	// http.ErrAbortHandler goes on up, for net/http to abort the response.
	abort := api.Recover(logger)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { panic(http.ErrAbortHandler) }))
	defer func() {
		if v := recover(); v != http.ErrAbortHandler {
			t.Errorf("recovered %v, want http.ErrAbortHandler", v)
		}
	}()
	abort.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
}

func TestSecurityHeaders(t *testing.T) {
	base := map[string]string{
		"Content-Security-Policy":      api.DefaultCSP,
		"X-Content-Type-Options":       "nosniff",
		"Referrer-Policy":              "no-referrer",
		"X-Frame-Options":              "DENY",
		"Cross-Origin-Opener-Policy":   "same-origin",
		"Cross-Origin-Resource-Policy": "same-origin",
		"Permissions-Policy":           api.DefaultPermissionsPolicy,
	}
	withHSTS := map[string]string{"Strict-Transport-Security": "max-age=63072000; includeSubDomains"}
	for k, v := range base {
		withHSTS[k] = v
	}
	tests := []struct {
		name   string
		cfg    api.HeadersConfig
		target string
		want   map[string]string
	}{
		// HSTS only when the server is reached over TLS.
		{name: "plain", cfg: api.HeadersConfig{}, target: "/api/v1/public", want: base},
		{name: "tls", cfg: api.HeadersConfig{TLS: true}, target: "/api/v1/public", want: withHSTS},
		// Error responses carry them too.
		{name: "404", cfg: api.HeadersConfig{}, target: "/nowhere", want: base},
		{name: "500", cfg: api.HeadersConfig{TLS: true}, target: "/api/v1/panic", want: withHSTS},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, io.Discard, tt.cfg)
			resp, err := http.Get(srv.URL + tt.target)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			got := make(map[string]string)
			for k := range withHSTS {
				if v := resp.Header.Get(k); v != "" {
					got[k] = v
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("headers (-want +got):\n%s", diff)
			}
		})
	}
	// The CSP forbids inline script: no 'unsafe-inline' anywhere.
	if strings.Contains(api.DefaultCSP, "unsafe") {
		t.Errorf("DefaultCSP allows unsafe sources: %s", api.DefaultCSP)
	}
}
