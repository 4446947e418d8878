package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/server"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
	"github.com/acd-platform/acd/internal/web"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// who may do each action, stated here independently of the policy table:
// "public", "authenticated", or the roles. A route whose action is missing
// from this table fails the test, as does a policy that disagrees.
var expected = map[auth.Action][]string{
	auth.PublicView:          {"public"},
	auth.HealthRead:          {"public"},
	auth.OpenAPIRead:         {"public"},
	auth.KeysPublicRead:      {"public"},
	auth.AuditCheckpointRead: {"public"},
	auth.Login:               {"public"},
	auth.HomeView:            {"authenticated"},
	auth.Logout:              {"authenticated"},
	auth.InboxRead:           {"authenticated"},
	auth.PasswordChangeOwn:   {"authenticated"},
	auth.TokenCreateOwn:      {"authenticated"},
	auth.TokenListOwn:        {"authenticated"},
	auth.TokenRevokeOwn:      {"authenticated"},
	auth.AccountList:         {"admin"},
	auth.AccountView:         {"admin"},
	auth.AccountCreate:       {"admin"},
	auth.AccountDisable:      {"admin"},
	auth.AccountPassword:     {"admin"},
	auth.AccountGrant:        {"admin"},
	auth.AccountConfirm:      {"admin"},
	auth.AccountTOTPReissue:  {"admin"},
	auth.OrgCreate:           {"admin"},
	auth.OrgList:             {"admin", "analyst"},
	auth.TokenAdmin:          {"admin"},
	auth.MetricsRead:         {"admin"},
	auth.AuditEntriesRead:    {"commission_chair", "commission_member", "admin"},
	auth.AuditProofRead:      {"commission_chair", "commission_member", "admin"},

	// Reporting (§4, §5, §83, §84): operators their own, ministries their
	// sectors, the Cabinet Office everything; admins nothing.
	auth.STIXExtensionRead: {"public"},
	auth.OperatorList:      {"analyst", "ministry"},
	auth.OperatorDesignate: {"analyst"},
	auth.AssetWrite:        {"operator"},
	auth.AssetRead:         {"operator", "ministry", "analyst"},
	auth.AssetNoticeRead:   {"ministry", "analyst"},
	auth.ReportSubmit:      {"operator"},
	auth.ReportRead:        {"operator", "ministry", "analyst"},
	auth.ReportStats:       {"analyst", "ministry"},
	auth.ComplianceRead:    {"ministry", "analyst"},
	auth.OrderIssue:        {"ministry"},
	auth.OrderClose:        {"ministry"},
	auth.OrderAnswer:       {"operator"},
	auth.OrderRead:         {"operator", "ministry", "analyst"},

	// Oversight and communications information (ch.3–7, ch.10): admins
	// nothing; a sensor token only uploads runs.
	auth.AgreementDraft:        {"analyst"},
	auth.AgreementWrite:        {"operator", "analyst"},
	auth.AgreementRead:         {"operator", "analyst", "commission_chair", "commission_member"},
	auth.AcquisitionFile:       {"analyst"},
	auth.AcquisitionRead:       {"analyst", "commission_chair", "commission_member"},
	auth.CommissionVote:        {"commission_chair", "commission_member"},
	auth.CommissionDecide:      {"commission_chair"},
	auth.ManifestDownload:      {"analyst"},
	auth.ManifestKeysRead:      {"public"},
	auth.SensorUpload:          {"sensor"},
	auth.RunUpload:             {"analyst"},
	auth.RunRead:               {"analyst", "commission_chair", "commission_member"},
	auth.SelectedRead:          {"analyst", "commission_chair", "commission_member"},
	auth.FindingWrite:          {"analyst"},
	auth.FindingRead:           {"analyst", "commission_chair", "commission_member"},
	auth.CooperationRequest:    {"analyst"},
	auth.CooperationWrite:      {"ministry", "analyst", "officer"},
	auth.CooperationRead:       {"ministry", "analyst", "commission_chair", "commission_member", "officer"},
	auth.ProvisionCreate:       {"analyst"},
	auth.ProvisionRead:         {"operator", "ministry", "analyst", "commission_chair", "commission_member", "officer"},
	auth.InspectionWrite:       {"commission_chair", "commission_member"},
	auth.InspectionRead:        {"commission_chair", "commission_member"},
	auth.RecommendationIssue:   {"commission_chair", "commission_member"},
	auth.RecommendationAnswer:  {"ministry", "analyst", "officer", "commander"},
	auth.RecommendationRead:    {"ministry", "analyst", "commission_chair", "commission_member", "officer", "commander"},
	auth.HandlingErrorReport:   {"ministry", "analyst", "officer"},
	auth.HandlingErrorClassify: {"commission_chair", "commission_member"},
	auth.HandlingErrorRead:     {"ministry", "analyst", "commission_chair", "commission_member", "officer"},
	auth.AnnualReportRead:      {"commission_chair", "commission_member"},
	auth.AnnualReportPublish:   {"commission_chair"},
	auth.AnnualReportPublic:    {"public"},
	auth.AuditCosign:           {"commission_chair", "commission_member"},

	// Measures (PDEA §6-2, SDF Act §81-3, §91-3, §95-4): admins nothing;
	// a feed token only pulls feeds.
	auth.OfficerDesignate:     {"commander"},
	auth.OfficerRead:          {"analyst", "commission_chair", "commission_member", "officer", "commander"},
	auth.MeasureOpen:          {"officer"},
	auth.MeasureWrite:         {"officer"},
	auth.MeasureRead:          {"analyst", "commission_chair", "commission_member", "officer", "commander", "cabinet", "npsc", "mofa"},
	auth.MeasureCommand:       {"commander"},
	auth.ConsultationAnswer:   {"mofa"},
	auth.PostNoticeReview:     {"commission_chair", "commission_member"},
	auth.SDFOrderIssue:        {"cabinet"},
	auth.SDFOrderNPSC:         {"npsc"},
	auth.MeasureOverview:      {"analyst", "commission_chair", "commission_member", "cabinet"},
	auth.BlocklistWrite:       {"analyst", "officer"},
	auth.BlocklistRead:        {"analyst", "officer", "commander"},
	auth.BlocklistSubscribers: {"analyst"},
	auth.BlocklistFeed:        {"subscriber"},

	auth.CouncilRead:    {"authenticated"},
	auth.CouncilJoin:    {"operator", "vendor"},
	auth.CouncilManage:  {"analyst"},
	auth.CouncilRequest: {"analyst"},
	auth.CouncilAnswer:  {"authenticated"},
	auth.SharedRead:     {"authenticated"},
	auth.SharedForward:  {"authenticated"},
	auth.AdvisoryWrite:  {"analyst"},
	auth.AdvisoryReview: {"analyst"},
	auth.AdvisoryRead:   {"analyst"},
	auth.AlertPublic:    {"public"},
	auth.TAXIIRead:      {"public"},
	auth.TAXIIWrite:     {"authenticated"},

	// Vulnerabilities (§42): analysts import and mark exploitation; reads
	// are scoped by the service.
	auth.VulnImport:         {"analyst"},
	auth.VulnRead:           {"operator", "ministry", "analyst"},
	auth.VulnExploitedWrite: {"analyst"},
	auth.VulnExposure:       {"ministry", "analyst"},
	auth.VulnNational:       {"analyst"},
	auth.CatalogueRead:      {"public"},
	auth.CatalogueWrite:     {"analyst"},

	// Vendors (§42): the Cabinet Office notifies and requests, a vendor
	// keeps its products and answers; CSAF TLP:WHITE is public, TLP:GREEN
	// for council members (the provider decides per document).
	auth.VendorRead:          {"vendor", "analyst"},
	auth.VendorProductsWrite: {"vendor"},
	auth.VendorNotify:        {"analyst"},
	auth.VendorAnswer:        {"vendor"},
	auth.CSAFRead:            {"public"},
	auth.CSAFGreenRead:       {"authenticated"},
}

func wantAllowed(a auth.Action, role string) (bool, bool) {
	who, ok := expected[a]
	if !ok {
		return false, false
	}
	if slices.Contains(who, "public") {
		return true, true
	}
	if role == "public" {
		return false, true
	}
	return slices.Contains(who, "authenticated") || slices.Contains(who, role), true
}

func newServer(t *testing.T, db *store.DB) *server.Server {
	t.Helper()
	ring, err := keys.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := server.New(context.Background(), server.Config{DB: db, Keys: ring,
		Argon2: auth.Argon2Params{Memory: 64, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestAuthorizationMatrix checks the policy's answer for every registered
// route and every role (and the public) against the table above.
func TestAuthorizationMatrix(t *testing.T) {
	s := newServer(t, storetest.SQLite(t))
	routes := s.Router.Routes()
	if len(routes) < 20 {
		t.Fatalf("only %d routes registered", len(routes))
	}
	roles := append([]string{"public"}, rolesOf()...)
	for _, rt := range routes {
		if _, ok := s.Policy.Rule(rt.Action); !ok {
			t.Errorf("route %q: action %q is not in the policy", rt.Pattern, rt.Action)
			continue
		}
		for _, role := range roles {
			want, ok := wantAllowed(rt.Action, role)
			if !ok {
				t.Errorf("route %q: action %q is not in the test's expected table", rt.Pattern, rt.Action)
				break
			}
			var p *auth.Principal
			if role != "public" {
				p = &auth.Principal{UserID: "usr_" + role, Roles: []auth.Role{auth.Role(role)}, MFA: true, Via: auth.ViaSession}
			}
			if got := s.Policy.Allow(p, rt.Action); got != want {
				t.Errorf("route %q (%s) for %s: allowed %v, want %v", rt.Pattern, rt.Action, role, got, want)
			}
		}
	}
	// Every action of the policy is in the expected table too, so a new
	// action cannot be granted without a decision written down here.
	for _, a := range s.Policy.Actions() {
		if _, ok := expected[a]; !ok {
			t.Errorf("policy action %q is missing from the expected table", a)
		}
	}
}

func rolesOf() []string {
	out := make([]string, len(auth.AllRoles))
	for i, r := range auth.AllRoles {
		out[i] = string(r)
	}
	return out
}

var wildcard = regexp.MustCompile(`\{[^}]*\}`)

// TestRoutesEnforcePolicyOverHTTP sends a real request to every route as
// every role (with a real API token the user made from an MFA session) and
// as the public, and checks that the router lets through exactly what the
// policy allows: denied requests get 401/403 (or a redirect to the login
// page), allowed ones never do.
func TestRoutesEnforcePolicyOverHTTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newServer(t, db)
		ctx := context.Background()
		ts := httptest.NewServer(s.Handler())
		defer ts.Close()
		org, err := s.Auth.CreateOrg(ctx, auth.CLI("test"), auth.NewOrg{Name: "Test Org", Kind: auth.OrgAgency})
		if err != nil {
			t.Fatal(err)
		}
		// Officers and MOFA are in organisations of their kind, which the
		// measures service checks before it looks at the request.
		police, err := s.Auth.CreateOrg(ctx, auth.CLI("test"), auth.NewOrg{Name: "Test Police", Kind: auth.OrgPolice, Police: auth.PoliceNational})
		if err != nil {
			t.Fatal(err)
		}
		mofa, err := s.Auth.CreateOrg(ctx, auth.CLI("test"), auth.NewOrg{Name: "Test MOFA", Kind: auth.OrgMOFA})
		if err != nil {
			t.Fatal(err)
		}
		orgOf := map[auth.Role]string{auth.RoleOfficer: police.ID, auth.RoleMOFA: mofa.ID}
		tokens := map[string]string{}
		for _, r := range auth.AllRoles {
			orgID := org.ID
			if id, ok := orgOf[r]; ok {
				orgID = id
			}
			u, err := s.Auth.SeedUser(ctx, auth.NewUser{Username: "u-" + strings.ReplaceAll(string(r), "_", "-"), DisplayName: string(r), OrgID: orgID, Roles: []auth.Role{r}, Password: "correct horse battery"})
			if err != nil {
				t.Fatal(err)
			}
			// Minted as the user from a session that passed TOTP, the
			// real path (and MFA-backed) for a privileged user.
			self := &auth.Principal{UserID: u.ID, Via: auth.ViaSession, MFA: true, Roles: u.Roles}
			raw, _, err := s.Auth.CreateToken(ctx, self, u.ID, "matrix", 24*time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			tokens[string(r)] = raw
		}
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		for _, rt := range s.Router.Routes() {
			method, path, _ := strings.Cut(rt.Pattern, " ")
			path = wildcard.ReplaceAllString(strings.TrimSuffix(path, "{$}"), "x")
			if strings.HasSuffix(path, "/") && path != "/" && !strings.HasPrefix(path, "/taxii2/") {
				path += "acd.css"
			}
			for _, role := range append([]string{"public"}, rolesOf()...) {
				want, _ := wantAllowed(rt.Action, role)
				req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader("{}"))
				req.Header.Set("Content-Type", "application/json")
				if role != "public" {
					req.Header.Set("Authorization", "Bearer "+tokens[role])
				}
				resp, err := client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				var env struct {
					Error struct{ Code string } `json:"error"`
				}
				json.NewDecoder(resp.Body).Decode(&env)
				resp.Body.Close()
				// A 403 with a reason code of its own is the service's
				// refusal (e.g. a measure's not_designated) of a request
				// the policy let through.
				// A page says so in a header.
				code := env.Error.Code
				if code == "" {
					code = resp.Header.Get(web.RefusalHeader)
				}
				policyForbidden := resp.StatusCode == http.StatusForbidden && (code == "" || code == api.CodeForbidden || code == api.CodeCSRF)
				denied := resp.StatusCode == http.StatusUnauthorized || policyForbidden ||
					(resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/login") && rt.Kind == api.Page && role == "public" && path != "/logout")
				if rt.Pattern == "POST /login" || rt.Pattern == "POST /login/totp" {
					continue // the login form answers 401 for wrong credentials by design
				}
				if denied == want {
					t.Errorf("%s %s as %s: status %d (%s), want allowed=%v", method, path, role, resp.StatusCode, code, want)
				}
			}
		}
	})
}

func TestOpenAPIListsAPIRoutes(t *testing.T) {
	s := newServer(t, storetest.SQLite(t))
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	resp, err := http.Get(ts.URL + "/api/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	fmt.Fprint(&b, "")
	buf := make([]byte, 1<<20)
	n, _ := resp.Body.Read(buf)
	doc := string(buf[:n])
	for _, p := range []string{`"openapi":"3.1`, "/api/v1/log/entries", "/healthz"} {
		if !strings.Contains(strings.ReplaceAll(doc, " ", ""), strings.ReplaceAll(p, " ", "")) {
			t.Errorf("openapi document lacks %s", p)
		}
	}
}

// TestStaleSessionCookieIsCleared: a browser whose session ended on the
// server side can reach the login page again (and is told to drop the
// cookie), while a bad API token still gets 401.
func TestStaleSessionCookieIsCleared(t *testing.T) {
	s := newServer(t, storetest.SQLite(t))
	ctx := context.Background()
	org, _ := s.Auth.CreateOrg(ctx, auth.CLI("test"), auth.NewOrg{Name: "Org", Kind: auth.OrgAgency})
	if _, err := s.Auth.SeedUser(ctx, auth.NewUser{Username: "ana", DisplayName: "Ana", OrgID: org.ID, Roles: []auth.Role{auth.RoleAnalyst}, Password: "correct horse battery"}); err != nil {
		t.Fatal(err)
	}
	res, err := s.Auth.PasswordLogin(ctx, "ana", "correct horse battery", "127.0.0.1")
	if err != nil || res.Session == nil {
		t.Fatal(err)
	}
	if err := s.Auth.Logout(ctx, res.Session.Token); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string) *http.Response {
		req, _ := http.NewRequest(http.MethodGet, ts.URL+path, nil)
		req.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: res.Session.Token})
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	cleared := func(resp *http.Response) bool {
		for _, c := range resp.Cookies() {
			if c.Name == auth.SessionCookie && c.MaxAge < 0 {
				return true
			}
		}
		return false
	}
	if resp := get("/login"); resp.StatusCode != http.StatusOK || !cleared(resp) {
		t.Errorf("GET /login with a stale cookie: %d, cleared %v; want 200 and the cookie cleared", resp.StatusCode, cleared(resp))
	}
	if resp := get("/inbox"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Errorf("GET /inbox with a stale cookie: %d to %q; want a redirect to the login page", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp := get("/api/v1/me"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /api/v1/me with a stale cookie: %d, want 401", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/healthz", nil)
	req.Header.Set("Authorization", "Bearer acd_not-a-token")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("bad bearer token on a public route: %d, want 401", resp.StatusCode)
	}
}
