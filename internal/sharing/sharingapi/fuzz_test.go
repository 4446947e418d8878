package sharingapi_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/acd-platform/acd/internal/fuzzseed"
	"github.com/acd-platform/acd/internal/sharing/sharingtest"
	"github.com/acd-platform/acd/internal/store/storetest"
	"github.com/acd-platform/acd/internal/tlp"
)

var updateSeeds = flag.Bool("update-seeds", false, "rewrite the fuzz seed corpora in testdata/fuzz")

// bodyRoutes are the routes FuzzBodies sends bodies to, each as the user
// who may call it; the first byte of a fuzz input picks one. {draft},
// {amber} and {user} stand for a draft of author's, an AMBER item of
// opr's and opn's user id.
var bodyRoutes = []struct{ method, path, user string }{
	{"POST", "/api/v1/advisories", "author"},
	{"PUT", "/api/v1/advisories/{draft}", "author"},
	{"POST", "/api/v1/council/consent", "opu"},
	{"POST", "/api/v1/council/groups", "author"},
	{"POST", "/api/v1/shared/{amber}/forward", "opr"},
	{"PUT", "/api/v1/council/clearances/{user}", "author"},
	{"POST", "/api/v1/council/requests", "author"},
	{"POST", "/api/v1/council/withdraw", "opn"},
}

// fuzzSeeds are the seed corpora, by target and seed name: the first
// byte picks the route (bodyRoutes), the rest is the body. Written to
// testdata/fuzz by go test -run TestFuzzSeeds -update-seeds.
var fuzzSeeds = map[string]map[string]string{
	"FuzzBodies": {
		// A complete GREEN advisory.
		"advisory": "\x00" + `{"title":"t","tlp":"green","technical":{"summary":"s","indicators":[{"type":"url","value":"https://a.example/"}],"techniques":[{"id":"T1566"}],"hunting":"h"},"executive":{"background":"b","purpose":"p","impact":"i","actions":"a"}}`,
		// An AMBER advisory to an organisation that does not exist.
		"advisory-unknown-org": "\x00" + `{"title":"t","tlp":"amber","recipients":{"orgs":["org_nosuch"]}}`,
		// An edit of the draft that makes it RED to nobody.
		"edit-red": "\x01" + `{"title":"t","tlp":"red"}`,
		// A consent with the wrong hash.
		"consent": "\x02" + `{"terms_version":"2025-1","terms_sha256":"00","accept":true}`,
		// A group with a name over two lines.
		"group": "\x03" + `{"name":"a\nb","visible":true}`,
		// A forward to an organisation id with a space.
		"forward": "\x04" + `{"org_id":"org x","reason":"r"}`,
		// A clearance off the scale.
		"clearance": "\x05" + `{"level":"cosmic","reason":"r"}`,
		// A request due at a time that is not RFC 3339.
		"request": "\x06" + `{"org_id":"x","reason":"r","request":"q","due":"tomorrow"}`,
		// A withdrawal with trailing data.
		"withdraw": "\x07" + `{"reason":"r"} {}`,
	},
}

func TestFuzzSeeds(t *testing.T) { fuzzseed.Check(t, fuzzSeeds, *updateSeeds) }

// FuzzBodies sends bodies to the routes that decode one, through the real
// router and service on SQLite: the answer is never a server error, an
// error is the envelope with a code, and a success is JSON.
func FuzzBodies(f *testing.F) {
	for _, s := range fuzzSeeds["FuzzBodies"] {
		f.Add([]byte(s))
	}
	e := sharingtest.New(f, storetest.SQLite(f))
	draft, err := e.Svc.CreateAdvisory(e.Ctx, e.P("author"), sharingtest.Input("Draft", tlp.Green, ""))
	if err != nil {
		f.Fatal(err)
	}
	in := sharingtest.Input("Amber", tlp.Amber, "")
	in.Recipients.Orgs = []string{e.Orgs["opr"].ID}
	amber := e.Publish(f, in, "author", "reviewer")
	repl := strings.NewReplacer("{draft}", draft.ID, "{amber}", amber.ID, "{user}", e.Users["opn"].ID)
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) == 0 {
			return
		}
		rt := bodyRoutes[int(b[0])%len(bodyRoutes)]
		req := httptest.NewRequestWithContext(e.Ctx, rt.method, repl.Replace(rt.path), bytes.NewReader(b[1:]))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+e.Client.Tokens[rt.user])
		w := httptest.NewRecorder()
		e.Router.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("%s %s: %d %s", rt.method, rt.path, w.Code, w.Body)
		}
		var out map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s %s: %d, not JSON: %s", rt.method, rt.path, w.Code, w.Body)
		}
		if w.Code >= 400 {
			env, _ := out["error"].(map[string]any)
			if code, _ := env["code"].(string); code == "" {
				t.Fatalf("%s %s: %d without an error code: %s", rt.method, rt.path, w.Code, w.Body)
			}
		}
		if w.Code == http.StatusForbidden || w.Code == http.StatusUnauthorized {
			if env, _ := out["error"].(map[string]any); env["code"] == "unauthenticated" {
				t.Fatalf("%s %s as %s: unauthenticated", rt.method, rt.path, rt.user)
			}
		}
	})
}
