package inspectionapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/inspection"
	"github.com/acd-platform/acd/internal/inspection/inspectionapi"
	"github.com/acd-platform/acd/internal/store/storetest"
)

// TestInspectionsOverHTTP: the commission opens, records and closes an
// inspection; refused transitions, bad bodies and other roles get the
// statuses the docs promise.
func TestInspectionsOverHTTP(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		var in inspection.Inspection
		e.call(t, "POST", "/api/v1/inspections", "member", `{"subjects":["`+e.nco.ID+`"],"scope":"Provisions in March.","run_ids":["run_1"]}`, http.StatusCreated, &in)
		if in.State != inspection.InspectionOpen || in.Title != "Provisions in March." || len(in.RunIDs) != 1 {
			t.Fatalf("opened: %+v", in)
		}
		path := "/api/v1/inspections/" + in.ID
		e.call(t, "POST", path+"/findings", "chair", `{"text":"Two provisions lacked a recorded basis."}`, http.StatusCreated, &in)
		if in.FindingCount != 1 || len(in.Findings) != 1 {
			t.Fatalf("after a finding: %+v", in)
		}
		e.call(t, "POST", path+"/close", "chair", `{"summary":"Recommendation to follow."}`, http.StatusOK, &in)
		if in.State != inspection.InspectionClosed {
			t.Fatalf("closed: %+v", in)
		}
		e.call(t, "POST", path+"/close", "chair", `{"summary":"again"}`, http.StatusConflict, nil)
		e.call(t, "POST", path+"/findings", "chair", `{"text":"late"}`, http.StatusConflict, nil)
		e.call(t, "GET", "/api/v1/inspections/insp_none", "member", "", http.StatusNotFound, nil)
		var list inspectionapi.InspectionList
		e.call(t, "GET", "/api/v1/inspections?state=closed&org="+e.nco.ID, "member", "", http.StatusOK, &list)
		if len(list.Inspections) != 1 || list.Inspections[0].Findings != nil {
			t.Errorf("list: %+v", list)
		}
		e.call(t, "GET", "/api/v1/inspections?state=open", "member", "", http.StatusOK, &list)
		if list.Inspections == nil || len(list.Inspections) != 0 {
			t.Errorf("empty list: got %+v, want []", list.Inspections)
		}
		for _, c := range []struct {
			user string
			want int
		}{{"chair", 200}, {"analyst", 403}, {"ministry", 403}, {"officer", 403}, {"operator", 403}, {"admin", 403}, {"", 401}} {
			if got, b := e.req(t, "GET", path, c.user, "", ""); got != c.want {
				t.Errorf("GET as %q: status %d, want %d (%s)", c.user, got, c.want, b)
			}
		}
		e.call(t, "POST", "/api/v1/inspections", "analyst", `{"subjects":["all"],"scope":"x"}`, http.StatusForbidden, nil)
	})
}

// TestBadBodies: strict decoding and the service's checks both name the
// field at fault.
func TestBadBodies(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	var in inspection.Inspection
	e.call(t, "POST", "/api/v1/inspections", "chair", `{"subjects":["all"],"scope":"s"}`, http.StatusCreated, &in)
	var he inspection.HandlingError
	e.call(t, "POST", "/api/v1/handling-errors", "analyst", `{"category":"other","severity":"low","description":"d","occurred_at":"`+rfc3339(t0.Add(-time.Hour))+`"}`, http.StatusCreated, &he)
	due := rfc3339(t0.Add(48 * time.Hour))
	for _, c := range []struct {
		name, user, path, body string
		want                   int
		field                  string
	}{
		{"unknown field", "chair", "/api/v1/inspections", `{"subjects":["all"],"scope":"s","scop":"t"}`, 400, "scop"},
		{"wrong type", "chair", "/api/v1/inspections", `{"subjects":"all","scope":"s"}`, 400, "subjects"},
		{"wrong type in a list", "chair", "/api/v1/inspections", `{"subjects":["all"],"scope":"s","run_ids":["r",7]}`, 400, "run_ids[1]"},
		{"not an agency", "chair", "/api/v1/inspections", `{"subjects":["` + e.operator.ID + `"],"scope":"s"}`, 400, "subjects[0]"},
		{"no scope", "chair", "/api/v1/inspections", `{"subjects":["all"]}`, 400, "scope"},
		{"trailing data", "chair", "/api/v1/inspections", `{"subjects":["all"],"scope":"s"} {}`, 400, ""},
		{"empty finding", "chair", "/api/v1/inspections/" + in.ID + "/findings", `{"text":""}`, 400, "text"},
		{"finding with an extra field", "chair", "/api/v1/inspections/" + in.ID + "/findings", `{"text":"t","author":"me"}`, 400, "author"},
		{"due not a time", "chair", "/api/v1/recommendations", `{"org_id":"` + e.nco.ID + `","text":"t","rating":"red","due":"tomorrow"}`, 400, "due"},
		{"due without a zone", "chair", "/api/v1/recommendations", `{"org_id":"` + e.nco.ID + `","text":"t","rating":"red","due":"2026-05-01T09:00:00"}`, 400, "due"},
		{"no due", "chair", "/api/v1/recommendations", `{"org_id":"` + e.nco.ID + `","text":"t","rating":"red"}`, 400, "due"},
		{"due as a number", "chair", "/api/v1/recommendations", `{"org_id":"` + e.nco.ID + `","text":"t","rating":"red","due":1}`, 400, "due"},
		{"bad rating", "chair", "/api/v1/recommendations", `{"org_id":"` + e.nco.ID + `","text":"t","rating":"pink","due":"` + due + `"}`, 400, "rating"},
		{"bad occurred_at", "analyst", "/api/v1/handling-errors", `{"category":"other","severity":"low","description":"d","occurred_at":"yesterday"}`, 400, "occurred_at"},
		{"bad category", "analyst", "/api/v1/handling-errors", `{"category":"leak","severity":"low","description":"d","occurred_at":"` + rfc3339(t0) + `"}`, 400, "category"},
		{"serious missing", "chair", "/api/v1/handling-errors/" + he.ID + "/classify", `{"reasons":"r","affected_told":"no"}`, 400, "serious"},
		{"serious as a string", "chair", "/api/v1/handling-errors/" + he.ID + "/classify", `{"serious":"yes","reasons":"r","affected_told":"no"}`, 400, "serious"},
		{"told at not a time", "chair", "/api/v1/handling-errors/" + he.ID + "/classify", `{"serious":false,"reasons":"r","affected_told":"yes","affected_told_at":"2026-03"}`, 400, "affected_told_at"},
		{"told without a date", "chair", "/api/v1/handling-errors/" + he.ID + "/classify", `{"serious":false,"reasons":"r","affected_told":"yes"}`, 400, "affected_told_at"},
		{"bad overdue query", "chair", "/api/v1/recommendations?overdue=maybe", "", 400, "overdue"},
		{"bad state query", "chair", "/api/v1/recommendations?state=open", "", 400, "state"},
		{"bad serious query", "chair", "/api/v1/handling-errors?serious=2", "", 400, "serious"},
		{"bad severity query", "chair", "/api/v1/handling-errors?severity=critical", "", 400, "severity"},
	} {
		t.Run(c.name, func(t *testing.T) {
			method := "POST"
			if c.body == "" {
				method = "GET"
			}
			e.fails(t, method, c.path, c.user, c.body, c.want, c.field)
		})
	}
	if got, b := e.req(t, "POST", "/api/v1/inspections", "chair", "text/plain", `{"subjects":["all"],"scope":"s"}`); got != http.StatusUnsupportedMediaType {
		t.Errorf("text/plain body: status %d, want 415 (%s)", got, b)
	}
	big := `{"subjects":["all"],"scope":"` + strings.Repeat("x", 300<<10) + `"}`
	if got, b := e.req(t, "POST", "/api/v1/inspections", "chair", "", big); got != http.StatusRequestEntityTooLarge {
		t.Errorf("300 KiB body: status %d, want 413 (%s)", got, b[:min(len(b), 200)])
	}
}

// TestRecommendationsOverHTTP: issued to the NPA, seen and answered only by
// the NPA's users, assessed and re-rated by the commission; another agency
// gets 404, and a withdrawn recommendation cannot be answered.
func TestRecommendationsOverHTTP(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		var rec inspection.Recommendation
		body := fmt.Sprintf(`{"org_id":%q,"text":"Keep a register of provisions.","rating":"red","due":%q}`, e.npa.ID, "2026-04-08T09:00:00+09:00")
		e.call(t, "POST", "/api/v1/recommendations", "chair", body, http.StatusCreated, &rec)
		if !rec.Due.Equal(time.Date(2026, 4, 8, 0, 0, 0, 0, time.UTC)) || rec.State != inspection.RecommendationIssued {
			t.Fatalf("issued: %+v", rec)
		}
		path := "/api/v1/recommendations/" + rec.ID
		for _, c := range []struct {
			user string
			want int
		}{{"chair", 200}, {"member", 200}, {"officer", 200}, {"commander", 200}, {"analyst", 404}, {"ministry", 404}, {"operator", 403}, {"admin", 403}, {"", 401}} {
			if got, b := e.req(t, "GET", path, c.user, "", ""); got != c.want {
				t.Errorf("GET as %q: status %d, want %d (%s)", c.user, got, c.want, b)
			}
		}
		e.call(t, "POST", path+"/answer", "analyst", `{"text":"not ours"}`, http.StatusNotFound, nil)
		e.call(t, "POST", path+"/answer", "chair", `{"text":"by the commission"}`, http.StatusForbidden, nil)
		e.call(t, "POST", path+"/assess", "chair", `{"implementation":"partial"}`, http.StatusConflict, nil)

		// Past due, the recommendation is overdue until answered.
		e.clock.Set(t0.Add(8 * 24 * time.Hour))
		var list inspectionapi.RecommendationList
		e.call(t, "GET", "/api/v1/recommendations?overdue=true", "officer", "", http.StatusOK, &list)
		if len(list.Recommendations) != 1 || !list.Recommendations[0].Overdue {
			t.Fatalf("overdue list: %+v", list)
		}
		e.call(t, "GET", "/api/v1/recommendations", "analyst", "", http.StatusOK, &list)
		if len(list.Recommendations) != 0 {
			t.Errorf("another agency's list: %+v", list)
		}

		e.call(t, "POST", path+"/answer", "commander", `{"text":"Register kept from May."}`, http.StatusOK, &rec)
		if rec.State != inspection.RecommendationAnswered || !rec.Late {
			t.Fatalf("answered late: %+v", rec)
		}
		e.call(t, "POST", path+"/answer", "officer", `{"text":"twice"}`, http.StatusConflict, nil)
		e.call(t, "POST", path+"/assess", "officer", `{"implementation":"implemented"}`, http.StatusForbidden, nil)
		e.call(t, "POST", path+"/assess", "member", `{"implementation":"partial","note":"Half the sites."}`, http.StatusOK, &rec)
		e.call(t, "POST", path+"/assess", "chair", `{"implementation":"implemented","rating":"green"}`, http.StatusOK, &rec)
		if rec.State != inspection.RecommendationClosed || rec.Rating != inspection.RatingGreen || rec.Implementation != inspection.Implemented || len(rec.History) != 4 {
			t.Fatalf("re-assessed: %+v", rec)
		}
		e.call(t, "POST", path+"/withdraw", "chair", `{"reason":"no"}`, http.StatusConflict, nil)

		var w inspection.Recommendation
		e.call(t, "POST", "/api/v1/recommendations", "member", fmt.Sprintf(`{"org_id":%q,"text":"t","rating":"amber","due":%q}`, e.meti.ID, rfc3339(e.clock.Now().Add(time.Hour))), http.StatusCreated, &w)
		e.call(t, "POST", "/api/v1/recommendations/"+w.ID+"/withdraw", "chair", `{"reason":"Superseded."}`, http.StatusOK, &w)
		if w.State != inspection.RecommendationWithdrawn {
			t.Fatalf("withdrawn: %+v", w)
		}
		e.call(t, "POST", "/api/v1/recommendations/"+w.ID+"/answer", "ministry", `{"text":"late"}`, http.StatusConflict, nil)
		e.call(t, "POST", "/api/v1/recommendations/"+w.ID+"/withdraw", "chair", `{"reason":"again"}`, http.StatusConflict, nil)
	})
}

// TestHandlingErrorsOverHTTP: an agency reports, sees only its own; the
// commission sees all and classifies once.
func TestHandlingErrorsOverHTTP(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		var he inspection.HandlingError
		e.call(t, "POST", "/api/v1/handling-errors", "officer", `{"category":"out_of_scope_selection","severity":"high",
			"description":"A Subject header was kept.","occurred_at":"2026-03-31T18:00:00+09:00","related":["run_4"]}`, http.StatusCreated, &he)
		if he.OrgID != e.npa.ID || !he.OccurredAt.Equal(time.Date(2026, 3, 31, 9, 0, 0, 0, time.UTC)) || he.State != inspection.ErrorReported {
			t.Fatalf("reported: %+v", he)
		}
		path := "/api/v1/handling-errors/" + he.ID
		for _, c := range []struct {
			user string
			want int
		}{{"chair", 200}, {"officer", 200}, {"analyst", 404}, {"ministry", 404}, {"commander", 403}, {"operator", 403}, {"admin", 403}, {"", 401}} {
			if got, b := e.req(t, "GET", path, c.user, "", ""); got != c.want {
				t.Errorf("GET as %q: status %d, want %d (%s)", c.user, got, c.want, b)
			}
		}
		e.call(t, "POST", "/api/v1/handling-errors", "chair", `{"category":"other","severity":"low","description":"d","occurred_at":"2026-03-31T00:00:00Z"}`, http.StatusForbidden, nil)
		e.call(t, "POST", path+"/classify", "officer", `{"serious":true,"reasons":"r","affected_told":"no"}`, http.StatusForbidden, nil)
		e.call(t, "POST", path+"/classify", "member", `{"serious":true,"reasons":"Content of communication was kept.","affected_told":"yes","affected_told_at":"2026-03-31T20:00:00+09:00"}`, http.StatusOK, &he)
		if he.Classification == nil || !he.Classification.Serious || he.Classification.AffectedTold != inspection.ToldYes {
			t.Fatalf("classified: %+v", he)
		}
		e.call(t, "POST", path+"/classify", "chair", `{"serious":false,"reasons":"r","affected_told":"no"}`, http.StatusConflict, nil)
		var list inspectionapi.HandlingErrorList
		e.call(t, "GET", "/api/v1/handling-errors?serious=true", "chair", "", http.StatusOK, &list)
		if len(list.HandlingErrors) != 1 {
			t.Errorf("serious list: %+v", list)
		}
		e.call(t, "GET", "/api/v1/handling-errors", "analyst", "", http.StatusOK, &list)
		if len(list.HandlingErrors) != 0 {
			t.Errorf("another agency's list: %+v", list)
		}
	})
}

// TestRoutesFollowThePolicy: every route is in the OpenAPI document with
// its action, summary and tag, and refuses the public (401) and every role
// the policy denies its action (403) before the handler runs.
func TestRoutesFollowThePolicy(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	routes := e.router.Routes()
	if len(routes) != 15 {
		t.Fatalf("routes: got %d, want 15", len(routes))
	}
	doc, err := e.router.OpenAPI(api.Info{Title: "ACD", Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	var oa struct {
		Paths map[string]map[string]struct {
			Action  string   `json:"x-acd-action"`
			Summary string   `json:"summary"`
			Tags    []string `json:"tags"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(doc, &oa); err != nil {
		t.Fatal(err)
	}
	pol := auth.NewPolicy()
	roles := map[string]auth.Role{"chair": auth.RoleCommissionChair, "member": auth.RoleCommissionMember, "analyst": auth.RoleAnalyst,
		"ministry": auth.RoleMinistry, "officer": auth.RoleOfficer, "commander": auth.RoleCommander, "operator": auth.RoleOperator, "admin": auth.RoleAdmin}
	for _, rt := range routes {
		method, path, _ := strings.Cut(rt.Pattern, " ")
		op := oa.Paths[path][strings.ToLower(method)]
		if op.Action != string(rt.Action) || op.Summary == "" || len(op.Tags) != 1 {
			t.Errorf("%s in OpenAPI: %+v", rt.Pattern, op)
		}
		if method == "POST" && rt.Request == nil {
			t.Errorf("%s has no request body type", rt.Pattern)
		}
		url := strings.ReplaceAll(path, "{id}", "x_none")
		body := ""
		if method == "POST" {
			body = "{}"
		}
		if got, _ := e.req(t, method, url, "", "", body); got != http.StatusUnauthorized {
			t.Errorf("%s as the public: status %d, want 401", rt.Pattern, got)
		}
		for user, role := range roles {
			allowed := pol.Allow(&auth.Principal{UserID: "u", Roles: []auth.Role{role}, MFA: true}, rt.Action)
			got, b := e.req(t, method, url, user, "", body)
			if !allowed && got != http.StatusForbidden {
				t.Errorf("%s as %s: status %d, want 403 (%s)", rt.Pattern, user, got, b)
			}
			if allowed && (got == http.StatusForbidden || got == http.StatusUnauthorized) {
				t.Errorf("%s as %s: status %d, want the handler's answer (%s)", rt.Pattern, user, got, b)
			}
		}
	}
}
