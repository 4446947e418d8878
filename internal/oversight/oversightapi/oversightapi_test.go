package oversightapi_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/manifest"
	"github.com/acd-platform/acd/internal/oversight"
	"github.com/acd-platform/acd/internal/oversight/oversightapi"
	"github.com/acd-platform/acd/internal/selection/criteria"
)

// TestAcquisitionFlow: filing, a narrowed approval by vote, the manifest a
// sensor downloads and checks, a sensor token, revocation.
func TestAcquisitionFlow(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		var a oversight.Acquisition
		e.call(t, "POST", "/api/v1/acquisitions", "analyst", ch6Body(), http.StatusCreated, &a)
		e.call(t, "POST", "/api/v1/acquisitions", "m1", ch6Body(), http.StatusForbidden, nil)
		var q oversightapi.Queue
		e.call(t, "GET", "/api/v1/commission/queue", "m2", "", http.StatusOK, &q)
		if len(q.Items) != 1 || q.Items[0].Request.ID != a.ID || q.Items[0].OpenMotion != nil {
			t.Fatalf("queue %+v", q)
		}
		from, until := period()
		motion := `{"kind":"approve_narrowed","statement":"Inbound only, one month.","narrowing":{"valid_until":"` +
			until.Add(-60*24*time.Hour).Format(time.RFC3339) + `","remove_directions":["domestic-foreign"],"remove_rules":["webshell"]}}`
		e.call(t, "POST", "/api/v1/acquisitions/"+a.ID+"/motions", "analyst", motion, http.StatusForbidden, nil)
		var m oversight.Motion
		e.call(t, "POST", "/api/v1/acquisitions/"+a.ID+"/motions", "m1", motion, http.StatusCreated, &m)
		e.call(t, "POST", "/api/v1/acquisitions/"+a.ID+"/motions", "m2", motion, http.StatusConflict, nil)
		narrowed := e.call(t, "GET", "/api/v1/motions/"+m.ID+"/criteria", "m3", "", http.StatusOK, nil)
		if _, err := criteria.Parse(narrowed); err != nil {
			t.Fatalf("narrowed file: %v", err)
		}
		for _, u := range []string{"chair", "m1", "m2"} {
			e.call(t, "POST", "/api/v1/motions/"+m.ID+"/votes", u, `{"vote":"yes","reasons":"Narrow enough."}`, http.StatusCreated, nil)
		}
		e.call(t, "POST", "/api/v1/motions/"+m.ID+"/votes", "m1", `{"vote":"no","reasons":"Changed my mind."}`, http.StatusConflict, nil)
		e.call(t, "POST", "/api/v1/motions/"+m.ID+"/votes", "analyst", `{"vote":"yes","reasons":"x"}`, http.StatusForbidden, nil)
		e.call(t, "POST", "/api/v1/motions/"+m.ID+"/close", "m1", "", http.StatusForbidden, nil)
		e.call(t, "POST", "/api/v1/motions/"+m.ID+"/close", "chair", "", http.StatusOK, &m)
		if m.State != oversight.MotionCarried || m.Tally == nil || m.Tally.Yes != 3 {
			t.Fatalf("closed motion %+v", m)
		}
		e.call(t, "GET", "/api/v1/acquisitions/"+a.ID, "analyst", "", http.StatusOK, &a)
		if a.State != oversight.AcquisitionApproved || a.Decision == nil || a.Decision.Kind != oversight.MotionApproveNarrowed {
			t.Fatalf("decided request %+v", a)
		}
		id := a.Decision.ApprovalID

		// Downloads: analysts only; the exact bytes.
		e.call(t, "GET", "/api/v1/approvals/"+id+"/manifest", "chair", "", http.StatusForbidden, nil)
		e.call(t, "GET", "/api/v1/approvals/apv_nope/manifest", "analyst", "", http.StatusNotFound, nil)
		code, hdr, rawManifest := e.req(t, "GET", "/api/v1/approvals/"+id+"/manifest", "analyst", "")
		if code != 200 || hdr.Get("Content-Type") != "application/json" {
			t.Fatalf("manifest: %d %s", code, hdr.Get("Content-Type"))
		}
		crit := e.call(t, "GET", "/api/v1/approvals/"+id+"/criteria", "analyst", "", http.StatusOK, nil)
		if !bytes.Equal(crit, narrowed) {
			t.Errorf("approved criteria are not the narrowed file voted on")
		}
		// The public documents a sensor checks against.
		var ks manifest.KeySet
		e.call(t, "GET", "/api/v1/manifest/keys", "", "", http.StatusOK, &ks)
		check := func(now time.Time) error {
			e.clock.Set(now)
			rawList := e.call(t, "GET", "/api/v1/manifest/revocations", "", "", http.StatusOK, nil)
			list, err := manifest.ParseRevocations(rawList)
			if err != nil {
				t.Fatal(err)
			}
			mf, err := manifest.Parse(rawManifest)
			if err != nil {
				t.Fatal(err)
			}
			set, err := criteria.Parse(crit)
			if err != nil {
				t.Fatal(err)
			}
			return manifest.Check(manifest.Checks{Keys: &ks, Manifest: mf, Revocations: list, Criteria: crit, Set: set, Now: now})
		}
		if err := check(from.Add(time.Hour)); err != nil {
			t.Errorf("manifest check: %v", err)
		}
		e.clock.Set(t0)

		// The bundle holds both files.
		code, hdr, z := e.req(t, "GET", "/api/v1/approvals/"+id+"/bundle", "analyst", "")
		if code != 200 || hdr.Get("Content-Type") != "application/zip" {
			t.Fatalf("bundle: %d %s", code, hdr.Get("Content-Type"))
		}
		zr, err := zip.NewReader(bytes.NewReader(z), int64(len(z)))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range zr.File {
			rc, _ := f.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			if want := map[string][]byte{"manifest.json": rawManifest, "criteria.json": crit}[f.Name]; !bytes.Equal(b, want) {
				t.Errorf("bundle file %s differs", f.Name)
			}
		}

		// A sensor token authenticates as a sensor of the approval only.
		var issued oversightapi.IssuedSensorToken
		e.call(t, "POST", "/api/v1/approvals/"+id+"/sensor-tokens", "chair", `{"name":"s"}`, http.StatusForbidden, nil)
		e.call(t, "POST", "/api/v1/approvals/"+id+"/sensor-tokens", "analyst", `{"name":"Tokyo IX sensor"}`, http.StatusCreated, &issued)
		var who map[string]string
		e.call(t, "GET", "/test/sensor", issued.Token, "", http.StatusOK, &who)
		if who["approval"] != id {
			t.Errorf("sensor principal of %q, want %s", who["approval"], id)
		}
		e.call(t, "GET", "/test/sensor", "analyst", "", http.StatusForbidden, nil)
		e.call(t, "GET", "/api/v1/approvals/"+id, issued.Token, "", http.StatusForbidden, nil)
		var toks oversightapi.SensorTokenList
		e.call(t, "GET", "/api/v1/approvals/"+id+"/sensor-tokens", "analyst", "", http.StatusOK, &toks)
		if len(toks.Tokens) != 1 || strings.Contains(string(e.call(t, "GET", "/api/v1/approvals/"+id+"/sensor-tokens", "analyst", "", http.StatusOK, nil)), issued.Token) {
			t.Errorf("token list %+v (or it shows the secret)", toks)
		}

		// Revocation by the chair: the token stops, the list names it.
		e.call(t, "POST", "/api/v1/approvals/"+id+"/revoke", "m1", `{"reason":"x"}`, http.StatusForbidden, nil)
		e.call(t, "POST", "/api/v1/approvals/"+id+"/revoke", "chair", `{"reason":""}`, http.StatusBadRequest, nil)
		var apv oversight.Approval
		e.call(t, "POST", "/api/v1/approvals/"+id+"/revoke", "chair", `{"reason":"Inspection findings."}`, http.StatusOK, &apv)
		if apv.State != oversight.ApprovalRevoked {
			t.Errorf("after revoke: %s", apv.State)
		}
		e.call(t, "POST", "/api/v1/approvals/"+id+"/revoke", "chair", `{"reason":"again"}`, http.StatusConflict, nil)
		e.call(t, "GET", "/test/sensor", issued.Token, "", http.StatusUnauthorized, nil)
		if err := check(from.Add(time.Hour)); err == nil {
			t.Errorf("manifest check after revocation passed")
		}
		var list oversightapi.ApprovalList
		e.call(t, "GET", "/api/v1/approvals?state=revoked", "m4", "", http.StatusOK, &list)
		if len(list.Approvals) != 1 {
			t.Errorf("revoked approvals: %d, want 1", len(list.Approvals))
		}
		e.call(t, "GET", "/api/v1/approvals?state=maybe", "m4", "", http.StatusBadRequest, nil)
	})
}

// TestAgreementFlow: an agreement drafted, consulted on, signed by both
// sides and terminated, over HTTP.
func TestAgreementFlow(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		body := `{"operator_org_id":"` + e.opA.ID + `","title":"Inbound analysis","facilities":["Tokyo IX link 3"],"directions":["foreign-domestic"],` +
			`"retention_days":365,"results":"Indicators about the operator's customers.","criteria":` + jsonString(critFile("foreign-domestic")) + `}`
		e.call(t, "POST", "/api/v1/agreements", "opa", body, http.StatusForbidden, nil)
		var a oversight.Agreement
		e.call(t, "POST", "/api/v1/agreements", "analyst", body, http.StatusCreated, &a)
		e.call(t, "GET", "/api/v1/agreements/"+a.ID, "opa", "", http.StatusOK, nil)
		e.call(t, "GET", "/api/v1/agreements/"+a.ID, "opb", "", http.StatusNotFound, nil)
		e.call(t, "GET", "/api/v1/agreements/"+a.ID, "m1", "", http.StatusOK, nil)
		e.call(t, "GET", "/api/v1/agreements/"+a.ID, "admin", "", http.StatusForbidden, nil)
		if b := e.call(t, "GET", "/api/v1/agreements/"+a.ID+"/criteria", "opa", "", http.StatusOK, nil); string(b) != critFile("foreign-domestic") {
			t.Errorf("agreement criteria are not the bytes given")
		}
		var list oversightapi.AgreementList
		e.call(t, "GET", "/api/v1/agreements", "opb", "", http.StatusOK, &list)
		if len(list.Agreements) != 0 {
			t.Errorf("operator B lists %d agreements", len(list.Agreements))
		}

		var c oversight.Consultation
		e.call(t, "POST", "/api/v1/agreements/"+a.ID+"/consultations", "opa", `{"subject":"Retention","text":"90 days?"}`, http.StatusCreated, &c)
		resp := "/api/v1/agreements/" + a.ID + "/consultations/" + c.ID + "/response"
		e.call(t, "POST", resp, "opa", `{"answer":"accept"}`, http.StatusForbidden, nil)
		b := e.call(t, "POST", resp, "analyst", `{"answer":"refuse"}`, http.StatusBadRequest, nil)
		if f := errorOf(t, b).Error.Field; f != "text" {
			t.Errorf("refusal without reason: field %q, want text", f)
		}
		e.call(t, "POST", "/api/v1/agreements/"+a.ID+"/sign", "analyst", `{"revision":1}`, http.StatusConflict, nil)
		e.call(t, "POST", resp, "analyst", `{"answer":"refuse","text":"We need 365 days."}`, http.StatusOK, &c)
		e.call(t, "POST", "/api/v1/agreements/"+a.ID+"/sign", "analyst", `{}`, http.StatusBadRequest, nil)
		e.call(t, "POST", "/api/v1/agreements/"+a.ID+"/sign", "analyst", `{"revision":2}`, http.StatusConflict, nil)
		e.call(t, "POST", "/api/v1/agreements/"+a.ID+"/sign", "analyst", `{"revision":1}`, http.StatusOK, nil)
		e.call(t, "POST", "/api/v1/agreements/"+a.ID+"/sign", "opa", `{"revision":1}`, http.StatusOK, &a)
		if a.State != oversight.AgreementActive || a.ApprovalID == "" {
			t.Fatalf("signed agreement %+v", a)
		}
		var apv oversight.Approval
		e.call(t, "GET", "/api/v1/approvals/"+a.ApprovalID, "analyst", "", http.StatusOK, &apv)
		if apv.Basis != "ch3" || apv.OperatorOrgID != e.opA.ID {
			t.Errorf("agreement approval %+v", apv)
		}
		e.call(t, "POST", "/api/v1/approvals/"+a.ApprovalID+"/revoke", "chair", `{"reason":"x"}`, http.StatusConflict, nil)
		e.call(t, "POST", "/api/v1/agreements/"+a.ID+"/terminate", "opa", `{"reason":"Consent withdrawn."}`, http.StatusOK, &a)
		e.call(t, "GET", "/api/v1/approvals/"+a.ApprovalID, "m1", "", http.StatusOK, &apv)
		if a.State != oversight.AgreementTerminated || apv.State != oversight.ApprovalRevoked {
			t.Errorf("after termination: %s, approval %s", a.State, apv.State)
		}
	})
}

// TestBadBodies: malformed bodies are refused with the field at fault.
func TestBadBodies(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		var a oversight.Acquisition
		e.call(t, "POST", "/api/v1/acquisitions", "analyst", ch6Body(), http.StatusCreated, &a)
		motions := "/api/v1/acquisitions/" + a.ID + "/motions"
		for _, c := range []struct {
			name, path, user, body, field string
			want                          int
		}{
			{"not JSON", "/api/v1/acquisitions", "analyst", `{"chapter":`, "", 400},
			{"unknown field", "/api/v1/acquisitions", "analyst", strings.Replace(ch6Body(), `"chapter"`, `"chaptr":1,"chapter"`, 1), "chaptr", 400},
			{"wrong type", "/api/v1/acquisitions", "analyst", strings.Replace(ch6Body(), `"asns":[64500]`, `"asns":["AS64500"]`, 1), "target.asns[0]", 400},
			{"criteria do not parse", "/api/v1/acquisitions", "analyst", strings.Replace(ch6Body(), `\"version\": 1`, `\"version\": 0`, 1), "criteria", 400},
			{"ch4 inbound", "/api/v1/acquisitions", "analyst", strings.Replace(ch6Body(), `"ch6"`, `"ch4"`, 1), "target.facilities", 400},
			{"narrowing of an unknown rule", motions, "m1", `{"kind":"approve_narrowed","narrowing":{"remove_rules":["nope"]}}`, "narrowing.remove_rules[0]", 400},
			{"narrowing that widens", motions, "m1", `{"kind":"approve_narrowed","narrowing":{"valid_from":"2020-01-01T00:00:00Z"}}`, "narrowing.valid_from", 400},
			{"narrowing that drops a condition", motions, "m1", `{"kind":"approve_narrowed","narrowing":{"remove_matchers":[{"rule":"webshell","commands":["POST /A3fe"]}]}}`, "narrowing.remove_matchers[0].commands", 400},
			{"refusal without reasons", motions, "m1", `{"kind":"refuse"}`, "reasons", 400},
			// api.Decode names no field for a malformed time; the message quotes it.
			{"not a time", motions, "m1", `{"kind":"approve_narrowed","narrowing":{"valid_from":"tomorrow"}}`, "", 400},
			{"stats without range", "/api/v1/oversight/stats", "chair", "", "from", 400},
		} {
			t.Run(c.name, func(t *testing.T) {
				method := "POST"
				if c.body == "" {
					method = "GET"
				}
				got, _, b := e.req(t, method, c.path, c.user, c.body)
				if got != c.want {
					t.Fatalf("status %d, want %d (%s)", got, c.want, b)
				}
				if f := errorOf(t, b).Error.Field; c.field != "" && f != c.field {
					t.Errorf("field %q, want %q (%s)", f, c.field, b)
				}
			})
		}
	})
}

// TestAuthorization: who may call what, through the real policy.
func TestAuthorization(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		var a oversight.Acquisition
		e.call(t, "POST", "/api/v1/acquisitions", "analyst", ch6Body(), http.StatusCreated, &a)
		for _, c := range []struct {
			method, path string
			want         map[string]int // by user; "" is the public
		}{
			{"GET", "/api/v1/acquisitions", map[string]int{"": 401, "analyst": 200, "chair": 200, "m1": 200, "opa": 403, "admin": 403}},
			{"GET", "/api/v1/acquisitions/" + a.ID, map[string]int{"analyst": 200, "m3": 200, "opa": 403, "admin": 403}},
			{"GET", "/api/v1/commission/queue", map[string]int{"": 401, "chair": 200, "analyst": 200, "opb": 403}},
			{"GET", "/api/v1/agreements", map[string]int{"": 401, "analyst": 200, "opa": 200, "m1": 200, "admin": 403}},
			{"GET", "/api/v1/approvals", map[string]int{"analyst": 200, "m2": 200, "opa": 403, "admin": 403}},
			{"GET", "/api/v1/manifest/keys", map[string]int{"": 200, "opa": 200}},
			{"GET", "/api/v1/manifest/revocations", map[string]int{"": 200, "admin": 200}},
			{"GET", "/api/v1/oversight/stats?from=2026-01-01&to=2027-01-01", map[string]int{"chair": 200, "analyst": 200, "opa": 403}},
			{"GET", "/api/v1/acquisitions/acq_nope", map[string]int{"analyst": 404}},
		} {
			for user, want := range c.want {
				if got, _, b := e.req(t, c.method, c.path, user, ""); got != want {
					t.Errorf("%s %s as %q: status %d, want %d (%s)", c.method, c.path, user, got, want, b)
				}
			}
		}
		e.call(t, "POST", "/api/v1/acquisitions/"+a.ID+"/withdraw", "m1", `{"reason":"x"}`, http.StatusForbidden, nil)
		e.call(t, "POST", "/api/v1/acquisitions/"+a.ID+"/withdraw", "analyst2", `{"reason":"The campaign ended."}`, http.StatusOK, nil)
		e.call(t, "GET", "/test/sensor", oversight.SensorTokenPrefix+strings.Repeat("A", 43), "", http.StatusUnauthorized, nil)
	})
}

// TestOpenAPI: every route is in the document with its schemas.
func TestOpenAPI(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		doc, err := e.router.OpenAPI(api.Info{})
		if err != nil {
			t.Fatal(err)
		}
		var d struct {
			Paths map[string]map[string]json.RawMessage `json:"paths"`
		}
		if err := json.Unmarshal(doc, &d); err != nil {
			t.Fatal(err)
		}
		for _, rt := range e.router.Routes() {
			method, path, _ := strings.Cut(rt.Pattern, " ")
			if _, ok := d.Paths[path][strings.ToLower(method)]; !ok {
				t.Errorf("%s is not in the OpenAPI document", rt.Pattern)
			}
			if strings.HasPrefix(path, "/api/") && rt.Summary == "" {
				t.Errorf("%s has no summary", rt.Pattern)
			}
		}
	})
}
