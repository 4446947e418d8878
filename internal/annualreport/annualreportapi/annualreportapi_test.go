package annualreportapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"

	ar "github.com/acd-platform/acd/internal/annualreport"
	"github.com/acd-platform/acd/internal/annualreport/annualreportapi"
	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// env serves the annual-report routes over HTTP on a router with the real
// policy. A request names its user in the X-Test-User header; the
// authenticator maps it to a principal.
type env struct {
	ts  *httptest.Server
	ctx context.Context
}

var users = map[string]*auth.Principal{
	"chair":   {UserID: "usr_chair", OrgID: "org_comm", OrgKind: auth.OrgCommission, Roles: []auth.Role{auth.RoleCommissionChair}, MFA: true, Via: auth.ViaToken},
	"member":  {UserID: "usr_member", OrgID: "org_comm", OrgKind: auth.OrgCommission, Roles: []auth.Role{auth.RoleCommissionMember}, MFA: true, Via: auth.ViaToken},
	"analyst": {UserID: "usr_analyst", OrgID: "org_nco", OrgKind: auth.OrgCabinetOff, Roles: []auth.Role{auth.RoleAnalyst}, MFA: true, Via: auth.ViaToken},
}

func newEnv(t *testing.T, db *store.DB, printer *ar.Printer) *env {
	t.Helper()
	ctx := context.Background()
	clock := deadline.NewFakeClock(time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC))
	ring, err := keys.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	log, err := auditlog.New(ctx, db, ring, auditlog.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	src := ar.SourceFunc(func(ctx context.Context, year int) (ar.Figures, error) {
		from, to := ar.YearBounds(year)
		return ar.Figures{
			Year: year, From: from, To: to,
			Requests: []ar.ChapterRequests{
				{Chapter: ar.ChapterTransit, Total: ar.RequestCounts{Filed: 3, Approved: 2, Refused: 1}},
				{Chapter: ar.ChapterForeign, Total: ar.RequestCounts{Filed: 2, Approved: 2},
					Directions: []ar.DirectionRequests{{Direction: ar.DirInbound, RequestCounts: ar.RequestCounts{Filed: 7919, Approved: 7907}}}},
			},
			Errors: ar.HandlingErrors{Reported: 4, Items: []ar.HandlingError{{ID: "err_1", Agency: "SECRET Agency", Summary: "x"}}},
		}, nil
	})
	svc, err := ar.New(ctx, ar.Deps{DB: db, Log: log, Source: src}, ar.Config{Now: clock.Now, Printer: printer})
	if err != nil {
		t.Fatal(err)
	}
	r := api.NewRouter(api.RouterConfig{
		Authenticator: api.AuthenticatorFunc(func(r *http.Request) (*auth.Principal, error) {
			return users[r.Header.Get("X-Test-User")], nil
		}),
		Authorizer: auth.NewPolicy(),
	})
	annualreportapi.Register(r, svc)
	ts := httptest.NewServer(r)
	t.Cleanup(ts.Close)
	return &env{ts: ts, ctx: ctx}
}

// call sends a request as user ("" for the public) and checks the status.
func (e *env) call(t *testing.T, method, path, user string, hdr http.Header, want int) (http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(e.ctx, method, e.ts.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	if user != "" {
		req.Header.Set("X-Test-User", user)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s as %q: got %d, want %d: %s", method, path, user, resp.StatusCode, want, body)
	}
	return resp.Header, body
}

func TestRoutes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, &ar.Printer{ExecPath: "/nonexistent/chromium"})

		// The public: nothing published yet.
		_, body := e.call(t, "GET", "/annual-reports", "", nil, http.StatusOK)
		if !strings.Contains(string(body), "公表された年次報告はまだない") {
			t.Errorf("empty list page:\n%s", body)
		}
		e.call(t, "GET", "/annual-reports/2026", "", nil, http.StatusNotFound)

		// The commission reads the figures and the report.
		_, body = e.call(t, "GET", "/api/v1/annual-reports/2026", "member", nil, http.StatusOK)
		var f ar.Figures
		if err := json.Unmarshal(body, &f); err != nil || f.Year != 2026 || f.Requests[1].Directions[0].Filed != 7919 {
			t.Errorf("figures: %v, %s", err, body)
		}
		h, body := e.call(t, "GET", "/api/v1/annual-reports/2026/report.html", "member", nil, http.StatusOK)
		if ct := h.Get("Content-Type"); ct != "text/html; charset=utf-8" || !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'none'") {
			t.Errorf("report.html headers: %v", h)
		}
		if !strings.Contains(string(body), "7,919") || !strings.Contains(string(body), `<html lang="ja">`) {
			t.Error("report.html is not the full report in Japanese by default")
		}
		_, body = e.call(t, "GET", "/api/v1/annual-reports/2026/report.html?variant=public&lang=en", "chair", nil, http.StatusOK)
		if strings.Contains(string(body), "7,919") || strings.Contains(string(body), "SECRET") || !strings.Contains(string(body), "withheld") {
			t.Error("report.html?variant=public shows withheld figures")
		}

		// Bad input says what and where.
		for _, tt := range []struct{ path, field string }{
			{"/api/v1/annual-reports/20x6", "year"},
			{"/api/v1/annual-reports/2026/report.html?variant=secret", "variant"},
			{"/api/v1/annual-reports/2026/report.html?lang=fr", "lang"},
		} {
			_, body := e.call(t, "GET", tt.path, "member", nil, http.StatusBadRequest)
			if !strings.Contains(string(body), `"field":"`+tt.field+`"`) {
				t.Errorf("%s: error does not name field %s: %s", tt.path, tt.field, body)
			}
		}
		e.call(t, "GET", "/api/v1/annual-reports/2024", "member", nil, http.StatusNotFound)
		e.call(t, "GET", "/api/v1/annual-reports/2031", "member", nil, http.StatusNotFound)

		// Without a browser the PDF is a 503 that says why.
		_, body = e.call(t, "GET", "/api/v1/annual-reports/2026/report.pdf", "member", nil, http.StatusServiceUnavailable)
		if !strings.Contains(string(body), "chromium") {
			t.Errorf("503 does not say what is missing: %s", body)
		}

		// Who may do what: the policy, then the service.
		e.call(t, "GET", "/api/v1/annual-reports/2026", "analyst", nil, http.StatusForbidden)
		e.call(t, "GET", "/api/v1/annual-reports/2026", "", nil, http.StatusUnauthorized)
		e.call(t, "POST", "/api/v1/annual-reports/2026/publish", "member", nil, http.StatusForbidden)
		e.call(t, "POST", "/api/v1/annual-reports/2027/publish", "chair", nil, http.StatusConflict)

		h, body = e.call(t, "POST", "/api/v1/annual-reports/2026/publish", "chair", nil, http.StatusCreated)
		var pub ar.Publication
		if err := json.Unmarshal(body, &pub); err != nil || pub.Year != 2026 || h.Get("Location") != "/annual-reports/2026" {
			t.Errorf("publish: %v, %s, Location %q", err, body, h.Get("Location"))
		}
		e.call(t, "POST", "/api/v1/annual-reports/2026/publish", "chair", nil, http.StatusConflict)

		// The public reads it, in either language, without logging in.
		_, body = e.call(t, "GET", "/annual-reports", "", nil, http.StatusOK)
		if !strings.Contains(string(body), `href="/annual-reports/2026?lang=ja"`) {
			t.Errorf("list does not link the publication:\n%s", body)
		}
		h, body = e.call(t, "GET", "/annual-reports/2026", "", nil, http.StatusOK)
		if !strings.Contains(string(body), `<html lang="ja">`) || strings.Contains(string(body), "7,919") || strings.Contains(string(body), "SECRET") {
			t.Error("the published summary is not the public one in Japanese")
		}
		if h.Get("ETag") != `"`+pub.JapaneseSHA256+`"` || !strings.HasPrefix(h.Get("Cache-Control"), "public") {
			t.Errorf("published summary headers: %v", h)
		}
		e.call(t, "GET", "/annual-reports/2026", "", http.Header{"If-None-Match": {h.Get("ETag")}}, http.StatusNotModified)
		_, body = e.call(t, "GET", "/annual-reports/2026?lang=en", "", nil, http.StatusOK)
		if !strings.Contains(string(body), `<html lang="en">`) {
			t.Error("?lang=en is not the English summary")
		}
		_, body = e.call(t, "GET", "/annual-reports/2026", "", http.Header{"Cookie": {"acd_lang=en"}}, http.StatusOK)
		if !strings.Contains(string(body), `<html lang="en">`) {
			t.Error("the language cookie is not honoured")
		}
		e.call(t, "GET", "/annual-reports/2025", "", nil, http.StatusNotFound)
		e.call(t, "GET", "/annual-reports/2026?lang=fr", "", nil, http.StatusBadRequest)
	})
}

func TestPDFRoute(t *testing.T) {
	if testing.Short() {
		t.Skip("PDF test skipped in -short mode: it starts Chromium")
	}
	if _, err := exec.LookPath("chromium"); err != nil {
		t.Skip("PDF test skipped: no chromium (install the Debian package chromium, and fonts-noto-cjk)")
	}
	e := newEnv(t, storetest.SQLite(t), nil)
	h, body := e.call(t, "GET", "/api/v1/annual-reports/2026/report.pdf?lang=en&variant=public", "member", nil, http.StatusOK)
	if h.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(string(body), "%PDF-") {
		t.Errorf("got %s of %d bytes starting %.8q", h.Get("Content-Type"), len(body), body)
	}
	if cd := h.Get("Content-Disposition"); cd != `attachment; filename="acd-annual-report-2026-public-en.pdf"` {
		t.Errorf("got Content-Disposition %q", cd)
	}
}
