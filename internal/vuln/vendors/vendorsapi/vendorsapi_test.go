package vendorsapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/acd-platform/acd/internal/sharing"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
	"github.com/acd-platform/acd/internal/vuln/vendors"
	"github.com/acd-platform/acd/internal/vuln/vendors/vendorsapi"
	"github.com/acd-platform/acd/internal/vuln/vendors/vendorstest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// TestFlowOverHTTP runs §42 through the API: the vendor registers its
// product, the analyst looks up the vendors concerned and sends a request
// to act, the vendor answers, and the public reads the mitigation.
func TestFlowOverHTTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := vendorstest.New(t, db, true)
		c := e.Client
		var pr vendors.Product
		c.Call(t, "POST", "/api/v1/vendor/products", "vendor", `{"name":"PAN-OS","cpe":"cpe:2.3:o:paloaltonetworks:pan-os:*:*:*:*:*:*:*:*",`+
			`"record_vendor":"Palo Alto Networks","record_product":"PAN-OS","support_ends":"2027-08-31"}`, http.StatusCreated, &pr)
		var ps vendorsapi.ProductList
		c.Call(t, "GET", "/api/v1/vendor/products", "author", "", http.StatusOK, &ps)
		if len(ps.Products) != 1 || ps.Products[0].ID != pr.ID {
			t.Fatalf("products seen by the analyst: %+v", ps)
		}
		var cs vendorsapi.ConcernList
		c.Call(t, "GET", "/api/v1/vulns/"+vendorstest.CVE+"/vendors", "author", "", http.StatusOK, &cs)
		if len(cs.Vendors) != 1 || cs.Vendors[0].Kind != vendors.KindRequest || cs.Vendors[0].AffectedAssets != 1 {
			t.Fatalf("concerned: %+v", cs)
		}
		var r vendors.Request
		c.Call(t, "POST", "/api/v1/vendor/requests", "author", fmt.Sprintf(`{"vuln_id":%q,"org_id":%q,"message":"Please act."}`,
			vendorstest.CVE, e.Orgs["ven"].ID), http.StatusCreated, &r)
		var rs vendorsapi.RequestList
		c.Call(t, "GET", "/api/v1/vendor/requests?state=sent", "vendor", "", http.StatusOK, &rs)
		if len(rs.Requests) != 1 || rs.Requests[0].ID != r.ID {
			t.Fatalf("the vendor's open requests: %+v", rs)
		}
		b := c.Call(t, "POST", "/api/v1/vendor/requests/"+r.ID+"/answer", "vendor", fmt.Sprintf(`{"affected":true,"products":[{"product_id":%q,"affected":"10.2.x"}]}`, pr.ID),
			http.StatusUnprocessableEntity, nil)
		if !strings.Contains(string(b), `"code":"answer_incomplete"`) || !strings.Contains(string(b), `"ja"`) {
			t.Errorf("incomplete answer: %s", b)
		}
		c.Call(t, "POST", "/api/v1/vendor/requests/"+r.ID+"/answer", "vendor", fmt.Sprintf(`{"affected":true,"products":[{"product_id":%q,`+
			`"affected":"vers:generic/>=10.2.0|<10.2.9-h1","fixed":"10.2.9-h1"}],"mitigation":"Block Threat ID 95187."}`, pr.ID), http.StatusOK, &r)
		if r.State != vendors.StateAnswered || r.AdvisoryID == "" {
			t.Fatalf("answered: %+v", r)
		}
		var alert sharing.Alert
		c.Call(t, "GET", "/api/v1/alerts/"+r.AdvisoryID, "", "", http.StatusOK, &alert)
		if len(alert.Technical.Vulnerabilities) != 1 || alert.Technical.Vulnerabilities[0].Products[0].Fixed != "10.2.9-h1" {
			t.Errorf("public alert: %+v", alert.Technical)
		}
		c.Call(t, "POST", "/api/v1/vendor/requests/"+r.ID+"/close", "reviewer", `{"reason":"Fixed and published."}`, http.StatusOK, &r)
		if r.State != vendors.StateClosed {
			t.Errorf("closed: state %s", r.State)
		}
	})
}

// TestReview lists hostile and mistaken calls with the status and code
// each must get.
func TestReview(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := vendorstest.New(t, db, true)
		pr := e.Registered(t)
		r, err := e.Vendors.Send(e.Ctx, e.P("author"), vendors.SendInput{VulnID: vendorstest.CVE, OrgID: e.Orgs["ven"].ID, Message: "Act."})
		if err != nil {
			t.Fatal(err)
		}
		answer := fmt.Sprintf(`{"affected":true,"products":[{"product_id":%q,"affected":"1","fixed":"2"}]}`, pr.ID)
		for _, c := range []struct {
			name, method, path, user, body string
			status                         int
			code                           string // in the body
		}{
			{"public lists requests", "GET", "/api/v1/vendor/requests", "", "", 401, ""},
			{"operator lists requests", "GET", "/api/v1/vendor/requests", "opr", "", 403, ""},
			{"operator sends", "POST", "/api/v1/vendor/requests", "opr", `{}`, 403, ""},
			{"vendor sends", "POST", "/api/v1/vendor/requests", "vendor", `{}`, 403, ""},
			{"analyst answers", "POST", "/api/v1/vendor/requests/" + r.ID + "/answer", "author", answer, 403, ""},
			{"analyst registers a product", "POST", "/api/v1/vendor/products", "author", `{}`, 403, ""},
			{"unknown field", "POST", "/api/v1/vendor/products", "vendor", `{"name":"x","cpe":"cpe:2.3:a:x:y:*:*:*:*:*:*:*:*","colour":1}`, 400, ""},
			{"bad CPE", "POST", "/api/v1/vendor/products", "vendor", `{"name":"x","cpe":"x"}`, 400, `"field":"cpe"`},
			{"duplicate product", "POST", "/api/v1/vendor/products", "vendor", `{"name":"PAN-OS","cpe":"cpe:2.3:o:paloaltonetworks:pan-os:*:*:*:*:*:*:*:*"}`, 409, "product_exists"},
			{"second request", "POST", "/api/v1/vendor/requests", "reviewer", fmt.Sprintf(`{"vuln_id":%q,"org_id":%q,"message":"m"}`, vendorstest.CVE, e.Orgs["ven"].ID), 409, "already_sent"},
			{"bad state filter", "GET", "/api/v1/vendor/requests?state=open", "author", "", 400, `"field":"state"`},
			{"unknown request", "GET", "/api/v1/vendor/requests/vrq_nope", "author", "", 404, ""},
			{"answer to an unknown request", "POST", "/api/v1/vendor/requests/vrq_nope/answer", "vendor", answer, 404, ""},
			{"unknown vulnerability's vendors", "GET", "/api/v1/vulns/CVE-2099-0001/vendors", "author", "", 404, ""},
			{"close without reason", "POST", "/api/v1/vendor/requests/" + r.ID + "/close", "author", `{}`, 400, `"field":"reason"`},
			{"answer not JSON", "POST", "/api/v1/vendor/requests/" + r.ID + "/answer", "vendor", `{"affected":`, 400, ""},
		} {
			status, _, body := e.Client.Do(t, c.method, c.path, c.user, "", c.body)
			if status != c.status || (c.code != "" && !strings.Contains(string(body), c.code)) {
				t.Errorf("%s: got %d %s, want %d %s", c.name, status, body, c.status, c.code)
			}
		}
		got, _ := e.Vendors.Request(e.Ctx, e.P("author"), r.ID)
		if got.State != vendors.StateSent || len(got.Answers) != 0 {
			t.Errorf("the refused calls changed the request: %+v", got)
		}
		var errBody struct {
			Error struct{ Code string } `json:"error"`
		}
		b := e.Client.Call(t, "POST", "/api/v1/vendor/requests", "reviewer", fmt.Sprintf(`{"vuln_id":%q,"org_id":%q,"message":"m"}`,
			vendorstest.CVE, e.Orgs["ven"].ID), http.StatusConflict, nil)
		if err := json.Unmarshal(b, &errBody); err != nil || errBody.Error.Code != vendors.CodeAlreadySent {
			t.Errorf("refusal envelope: %s", b)
		}
	})
}
