package commsinfoapi_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/commsinfo"
	"github.com/acd-platform/acd/internal/commsinfo/commsinfoapi"
	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

var critSHA = strings.Repeat("ab", 32)

type approvals map[string]commsinfo.ApprovalInfo

func (a approvals) Approval(_ context.Context, id string) (commsinfo.ApprovalInfo, error) {
	x, ok := a[id]
	if !ok {
		return x, fmt.Errorf("approval %q: %w", id, commsinfo.ErrNotFound)
	}
	return x, nil
}

type orgs map[string]auth.Org

func (o orgs) Org(_ context.Context, id string) (auth.Org, error) {
	x, ok := o[id]
	if !ok {
		return x, fmt.Errorf("no org %q", id)
	}
	return x, nil
}

// env is the API on a test database, served over HTTP; tokens name the
// principals: "sensor" (apv_1), "analyst", "member", "police", "meti".
type env struct {
	ts  *httptest.Server
	log *auditlog.Log
	rtr *api.Router
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	ctx := context.Background()
	ring, err := keys.Open(filepath.Join(t.TempDir(), "keys"), nil)
	if err != nil {
		t.Fatal(err)
	}
	log, err := auditlog.New(ctx, db, ring, auditlog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	os := orgs{}
	ps := map[string]*auth.Principal{"sensor": {Sensor: "apv_1", Via: auth.ViaToken}}
	for _, u := range []struct {
		name string
		kind auth.OrgKind
		role auth.Role
	}{
		{"analyst", auth.OrgCabinetOff, auth.RoleAnalyst}, {"member", auth.OrgCommission, auth.RoleCommissionMember},
		{"police", auth.OrgPolice, auth.RoleOfficer}, {"meti", auth.OrgMinistry, auth.RoleMinistry},
	} {
		os["org_"+u.name] = auth.Org{ID: "org_" + u.name, Name: u.name, Kind: u.kind}
		ps[u.name] = &auth.Principal{UserID: "usr_" + u.name, OrgID: "org_" + u.name, OrgKind: u.kind, Roles: []auth.Role{u.role}, Via: auth.ViaToken, MFA: true}
	}
	apr := approvals{"apv_1": {ID: "apv_1", Basis: "ch4", CriteriaSHA256: critSHA, Directions: []string{"foreign-foreign"}}}
	svc, err := commsinfo.New(ctx, commsinfo.Deps{DB: db, Log: log, Orgs: os, Approvals: apr}, commsinfo.Config{BatchSize: 3})
	if err != nil {
		t.Fatal(err)
	}
	rtr := api.NewRouter(api.RouterConfig{
		Authenticator: api.AuthenticatorFunc(func(r *http.Request) (*auth.Principal, error) {
			tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if !ok {
				return nil, nil
			}
			p, ok := ps[tok]
			if !ok {
				return nil, auth.ErrUnauthenticated
			}
			return p, nil
		}),
		Authorizer: auth.NewPolicy(),
		MapError:   commsinfoapi.Error,
	})
	commsinfoapi.Register(rtr, svc)
	ts := httptest.NewServer(rtr)
	t.Cleanup(ts.Close)
	return &env{ts: ts, log: log, rtr: rtr}
}

// do sends a request and decodes a JSON answer into out (when not nil).
func (e *env) do(t *testing.T, method, path, token, ctype string, body io.Reader, out any) int {
	t.Helper()
	req, err := http.NewRequest(method, e.ts.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %d %s: %v", method, path, resp.StatusCode, b, err)
		}
	}
	return resp.StatusCode
}

func (e *env) json(t *testing.T, method, path, token string, in, out any) int {
	t.Helper()
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	}
	return e.do(t, method, path, token, "application/json", body, out)
}

// runBody is a run of apv_1 with one flow and its HTTP event.
func runBody() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"type":"run","schema":"acd.selection.output/v1","criteria":{"id":"c","version":1,"sha256":%q,"approval":"apv_1"},"input":"x","started":"2026-11-02T00:00:00Z"}`+"\n", critSHA)
	b.WriteString(`{"type":"http","flow":1,"time":"2026-11-02T00:00:00.5Z","method":"GET","path":"/a?b","version":"HTTP/1.1","host":"c2.bad.example","user_agent":"curl"}` + "\n")
	b.WriteString(`{"type":"flow","flow":1,"first":"2026-11-02T00:00:00Z","last":"2026-11-02T00:00:01Z","proto":"tcp","client":"8.0.0.1","server":"8.8.1.1","client_port":50000,"server_port":80,"direction":"foreign-foreign","rule":"r","final":true}` + "\n")
	sum := sha256.Sum256(b.Bytes())
	fmt.Fprintf(&b, `{"type":"summary","schema":"acd.selection.output/v1","criteria":{"sha256":%q,"approval":"apv_1"},"started":"2026-11-02T00:00:00Z","finished":"2026-11-02T00:01:00Z","directions":{"foreign-foreign":{"seen":{"packets":10,"bytes":1000},"selected":{"packets":3,"bytes":300}}},"total":{"seen":{"packets":10,"bytes":1000},"selected":{"packets":3,"bytes":300}},"records":2,"output_bytes":%d,"output_sha256":%q}`+"\n",
		critSHA, b.Len(), hex.EncodeToString(sum[:]))
	return b.Bytes()
}

// chunked streams b through a pipe, so the client sends it chunked.
func chunked(b []byte) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		for len(b) > 0 {
			n := min(len(b), 37)
			if _, err := pw.Write(b[:n]); err != nil {
				return
			}
			b = b[n:]
			time.Sleep(time.Millisecond)
		}
		pw.Close()
	}()
	return pr
}

type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func TestAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		var res commsinfo.UploadResult
		if st := e.do(t, "POST", "/api/v1/sensor/runs", "sensor", commsinfoapi.MediaTypeRun, chunked(runBody()), &res); st != http.StatusCreated {
			t.Fatalf("upload: status %d, %+v", st, res)
		}
		if !res.HashOK || res.Records != 2 || res.ApprovalID != "apv_1" || res.RunID == "" || res.Anomalies == nil {
			t.Errorf("upload: got %+v", res)
		}
		// Truncated: 422, nothing kept.
		body := runBody()
		var ae apiError
		if st := e.do(t, "POST", "/api/v1/sensor/runs", "sensor", commsinfoapi.MediaTypeRun, chunked(body[:len(body)-20]), &ae); st != http.StatusUnprocessableEntity || ae.Error.Code != "run_rejected" || !strings.Contains(ae.Error.Message, "truncated") {
			t.Errorf("truncated: got %d %+v", st, ae)
		}
		// Wrong media type.
		if st := e.do(t, "POST", "/api/v1/sensor/runs", "sensor", "text/plain", bytes.NewReader(runBody()), nil); st != http.StatusUnsupportedMediaType {
			t.Errorf("text/plain: got %d, want 415", st)
		}
		// A sensor token may do nothing else; an analyst may not use the sensor route.
		if st := e.do(t, "GET", "/api/v1/selected", "sensor", "", nil, nil); st != http.StatusForbidden {
			t.Errorf("sensor searches: got %d, want 403", st)
		}
		if st := e.do(t, "POST", "/api/v1/sensor/runs", "analyst", commsinfoapi.MediaTypeRun, bytes.NewReader(runBody()), nil); st != http.StatusForbidden {
			t.Errorf("analyst on the sensor route: got %d, want 403", st)
		}
		// Offline upload by an analyst.
		if st := e.do(t, "POST", "/api/v1/approvals/apv_1/runs", "analyst", commsinfoapi.MediaTypeRun, bytes.NewReader(runBody()), &res); st != http.StatusCreated {
			t.Errorf("offline upload: got %d", st)
		}
		var runs commsinfoapi.RunList
		if st := e.json(t, "GET", "/api/v1/runs?approval=apv_1", "member", nil, &runs); st != 200 || len(runs.Runs) != 2 {
			t.Errorf("runs: got %d %d", st, len(runs.Runs))
		}
		var run commsinfo.Run
		if st := e.json(t, "GET", "/api/v1/runs/"+res.RunID, "member", nil, &run); st != 200 || run.Total.Seen.Packets != 10 || len(run.Summary) == 0 {
			t.Errorf("run: got %d %+v", st, run)
		}
		var totals commsinfoapi.TotalsList
		if st := e.json(t, "GET", "/api/v1/approvals/apv_1/totals", "analyst", nil, &totals); st != 200 || len(totals.Days) != 1 || totals.Days[0].Runs != 2 {
			t.Errorf("totals: got %d %+v", st, totals)
		}
		var pg commsinfo.RecordPage
		if st := e.json(t, "GET", "/api/v1/selected?domain=bad.example&address=8.8.1.0/24", "analyst", nil, &pg); st != 200 || len(pg.Records) != 2 {
			t.Errorf("search: got %d %+v", st, pg)
		}
		if st := e.json(t, "GET", "/api/v1/selected?port=x", "analyst", nil, &ae); st != 400 || ae.Error.Code != "bad_request" {
			t.Errorf("bad port: got %d %+v", st, ae)
		}
		if st := e.json(t, "GET", "/api/v1/selected", "meti", nil, nil); st != http.StatusForbidden {
			t.Errorf("ministry searches: got %d, want 403", st)
		}

		// A finding, a refused provision, a cooperation, a provision.
		var f commsinfo.Finding
		if st := e.json(t, "POST", "/api/v1/findings", "analyst", commsinfo.FindingInput{Title: "C2", Assessment: "beacons",
			Sources: []commsinfo.FindingSource{{Kind: commsinfo.SourceSelectedQuery, Query: &commsinfo.RecordQuery{Approval: "apv_1"}}}}, &f); st != http.StatusCreated {
			t.Fatalf("finding: got %d", st)
		}
		prov := commsinfo.ProvisionRequest{RecipientOrgID: "org_police", RecipientKind: commsinfo.RecipientAgencyCooperation,
			Basis: commsinfo.BasisCooperation, Purpose: "help", FindingIDs: []string{f.ID}}
		if st := e.json(t, "POST", "/api/v1/provisions", "analyst", prov, &ae); st != http.StatusForbidden || ae.Error.Code != "provision_refused" {
			t.Errorf("refused: got %d %+v", st, ae)
		}
		var c commsinfo.CooperationRequest
		if st := e.json(t, "POST", "/api/v1/cooperation-requests", "analyst", commsinfo.CooperationInput{RecipientOrgID: "org_police", Purpose: "p",
			Scope: commsinfo.CooperationScope{Description: "d"}}, &c); st != http.StatusCreated {
			t.Fatalf("cooperation: got %d", st)
		}
		if st := e.json(t, "POST", "/api/v1/cooperation-requests/"+c.ID+"/decline", "police", commsinfoapi.ReasonRequest{}, &ae); st != 400 {
			t.Errorf("decline without reason: got %d", st)
		}
		if st := e.json(t, "POST", "/api/v1/cooperation-requests/"+c.ID+"/accept", "meti", commsinfoapi.NoteRequest{}, &ae); st != 404 {
			t.Errorf("meti accepts: got %d, want 404", st)
		}
		if st := e.json(t, "POST", "/api/v1/cooperation-requests/"+c.ID+"/accept", "police", commsinfoapi.NoteRequest{Note: "ok"}, &c); st != 200 || c.State != commsinfo.CoopAccepted {
			t.Errorf("accept: got %d %+v", st, c)
		}
		prov.Reference = c.ID
		prov.Query = &commsinfo.RecordQuery{Domain: "bad.example"}
		var pv commsinfo.Provision
		if st := e.json(t, "POST", "/api/v1/provisions", "analyst", prov, &pv); st != http.StatusCreated || pv.RecordCount != 2 {
			t.Fatalf("provide: got %d %+v", st, pv)
		}
		var list commsinfoapi.ProvisionList
		if st := e.json(t, "GET", "/api/v1/provisions", "police", nil, &list); st != 200 || len(list.Provisions) != 1 {
			t.Errorf("police provisions: got %d %d", st, len(list.Provisions))
		}
		if st := e.json(t, "GET", "/api/v1/provisions", "meti", nil, &list); st != 200 || len(list.Provisions) != 0 {
			t.Errorf("meti provisions: got %d %d", st, len(list.Provisions))
		}
		if st := e.json(t, "GET", "/api/v1/provisions/"+pv.ID+"/records", "police", nil, &pg); st != 200 || len(pg.Records) != 2 {
			t.Errorf("provided records: got %d %d", st, len(pg.Records))
		}
		if st := e.json(t, "GET", "/api/v1/provisions/"+pv.ID+"/records", "meti", nil, &ae); st != 404 {
			t.Errorf("meti reads provided records: got %d, want 404", st)
		}
		var refs commsinfoapi.RefusalList
		if st := e.json(t, "GET", "/api/v1/provisions/refusals", "member", nil, &refs); st != 200 || len(refs.Refusals) != 1 {
			t.Errorf("refusals: got %d %+v", st, refs)
		}
		var st commsinfo.Stats
		if code := e.json(t, "GET", "/api/v1/commsinfo/stats?from=2026-01-01T00:00:00Z&to=2027-12-31T00:00:00Z", "member", nil, &st); code != 200 || st.Runs != 2 || st.Refused != 1 {
			t.Errorf("stats: got %d %+v", code, st)
		}
	})
}

func TestOpenAPI(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	for _, rt := range e.rtr.Routes() {
		if rt.Summary == "" || rt.Tag == "" {
			t.Errorf("%s: no summary or tag", rt.Pattern)
		}
	}
	doc, err := e.rtr.OpenAPI(api.Info{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{`"/api/v1/sensor/runs"`, `"/api/v1/provisions/{id}/records"`, `"ProvisionRequest"`, `"UploadResult"`} {
		if !bytes.Contains(doc, []byte(p)) {
			t.Errorf("OpenAPI document lacks %s", p)
		}
	}
}
