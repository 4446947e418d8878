package taxiiapi_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/stix"
	"github.com/acd-platform/acd/internal/taxii"
	"github.com/acd-platform/acd/internal/taxii/taxiiapi"
	"github.com/acd-platform/acd/internal/tlp"
)

func TestDiscoveryAndAPIRoot(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		var d taxiiapi.Discovery
		e.getOK(t, taxiiapi.PathDiscovery, "", &d)
		root := e.ts.URL + taxiiapi.PathAPIRoot
		if d.Title == "" || d.Default != root || !slices.Equal(d.APIRoots, []string{root}) {
			t.Errorf("discovery = %+v, want a title and the API root %s", d, root)
		}
		var a taxiiapi.APIRootInfo
		e.getOK(t, taxiiapi.PathAPIRoot, "", &a)
		want := taxiiapi.APIRootInfo{Title: d.Title, Description: d.Description, Versions: []string{taxiiapi.MediaTypeTAXII}, MaxContentLength: 10 << 20}
		if diff := cmp.Diff(want, a); diff != "" {
			t.Errorf("API root (-want +got):\n%s", diff)
		}
	})
}

// TestMediaTypes: responses only in the TAXII media type, and only to an
// Accept that allows it (406 otherwise); a POST only in the TAXII or the
// STIX media type (415 otherwise).
func TestMediaTypes(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		for _, tc := range []struct {
			accept string
			want   int
		}{
			{"", http.StatusOK}, // no Accept: anything goes
			{taxiiapi.MediaTypeTAXII, http.StatusOK},
			{"application/taxii+json", http.StatusOK},                               // no version: the latest, 2.1
			{"application/taxii+json; version=2.1", http.StatusOK},                  // spaces allowed
			{"text/html, application/taxii+json;version=2.1;q=0.9", http.StatusOK},  // one of several
			{"*/*", http.StatusOK},                                                  // anything
			{"application/*", http.StatusOK},                                        // any application type
			{"application/json", http.StatusNotAcceptable},                          // plain JSON is not TAXII
			{"application/taxii+json;version=2.0", http.StatusNotAcceptable},        // another TAXII version
			{"application/stix+json;version=2.1", http.StatusNotAcceptable},         // STIX is not what GET answers
			{"application/taxii+json;version=2.1;q=0", http.StatusNotAcceptable},    // refused explicitly
			{"text/html", http.StatusNotAcceptable},                                 // a browser
			{"application/taxii+json;version=2.1, text/html;q=0", http.StatusOK},    // the q=0 is for the other one
			{"not a media type, application/taxii+json;version=2.1", http.StatusOK}, // a bad range is skipped
		} {
			for _, path := range []string{taxiiapi.PathDiscovery, taxiiapi.PathAPIRoot, objectsPath(taxii.Public)} {
				status, h, b := e.c.Do(t, "GET", path, "", "", "", "Accept", tc.accept)
				if status != tc.want {
					t.Errorf("GET %s with Accept %q: status %d, want %d; body %s", path, tc.accept, status, tc.want, b)
					continue
				}
				if ct := h.Get("Content-Type"); ct != taxiiapi.MediaTypeTAXII {
					t.Errorf("GET %s with Accept %q: Content-Type %q, want %q", path, tc.accept, ct, taxiiapi.MediaTypeTAXII)
				}
				if status == http.StatusNotAcceptable {
					if te := decodeError(t, b); te.HTTPStatus != "406" || te.ErrorCode != "not_acceptable" {
						t.Errorf("406 error message = %+v", te)
					}
				}
			}
		}
		ind := indicator("198.51.100.1", t0, tlpRef("green"))
		bundle := `{"type":"bundle","id":"` + stix.NewID("bundle") + `","objects":[` + mustJSON(t, ind) + `]}`
		for _, tc := range []struct {
			ct, body string
			want     int
		}{
			{taxiiapi.MediaTypeTAXII, envelopeOf(t, ind), http.StatusAccepted},
			{"application/taxii+json", envelopeOf(t, ind), http.StatusAccepted},
			{taxiiapi.MediaTypeSTIX, bundle, http.StatusAccepted},                     // a STIX bundle
			{"application/stix+json", bundle, http.StatusAccepted},                    // without version: 2.1
			{"application/json", envelopeOf(t, ind), http.StatusUnsupportedMediaType}, // not TAXII
			{"application/taxii+json;version=2.0", envelopeOf(t, ind), http.StatusUnsupportedMediaType},
			{"application/stix+json;version=2.0", bundle, http.StatusUnsupportedMediaType},
			{"", envelopeOf(t, ind), http.StatusUnsupportedMediaType}, // none
			{taxiiapi.MediaTypeTAXII, bundle, http.StatusBadRequest},  // a bundle sent as an envelope
			{taxiiapi.MediaTypeSTIX, envelopeOf(t, ind), http.StatusBadRequest},
		} {
			status, b := e.post(t, objectsPath(taxii.CouncilGreen), "a", tc.ct, tc.body)
			if status != tc.want {
				t.Errorf("POST with Content-Type %q: status %d, want %d; body %s", tc.ct, status, tc.want, b)
			}
			if status >= 400 {
				decodeError(t, b)
			}
		}
	})
}

// TestCollections: the list and each collection as each caller sees them,
// and 404 for those it may not see.
func TestCollections(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		// An organisation's collection exists once something was
		// published to it; an operator always sees its own.
		e.publish(t, taxii.OrgCollection(e.opB.ID), tlp.Marking{Level: tlp.Amber, RecipientOrgs: []string{e.opB.ID}}, indicator("198.51.100.9", t0, tlpRef("amber")))
		type access struct{ Read, Write bool }
		orgA, orgB, orgC := taxii.OrgCollection(e.opA.ID), taxii.OrgCollection(e.opB.ID), taxii.OrgCollection(e.opC.ID)
		for _, tc := range []struct {
			user string
			want map[string]access
		}{
			{"", map[string]access{taxii.Public: {true, false}}},
			{"c", map[string]access{taxii.Public: {true, false}, orgC: {true, false}}}, // not a member: its own only
			{"v", map[string]access{taxii.Public: {true, false}}},
			{"a", map[string]access{taxii.Public: {true, false}, taxii.CouncilGreen: {true, true}, taxii.CouncilAmber: {true, false}, orgA: {true, false}}},
			{"b", map[string]access{taxii.Public: {true, false}, taxii.CouncilGreen: {true, true}, taxii.CouncilAmber: {true, false}, orgB: {true, false}}},
			{"analyst", map[string]access{taxii.Public: {true, true}, taxii.CouncilGreen: {true, true}, taxii.CouncilAmber: {true, true}, orgB: {true, true}}},
		} {
			var list taxiiapi.Collections
			e.getOK(t, taxiiapi.PathAPIRoot+"collections/", tc.user, &list)
			got := map[string]access{}
			for _, c := range list.Collections {
				got[c.Alias] = access{c.CanRead, c.CanWrite}
				if c.ID != taxii.CollectionID(c.Alias) || !slices.Equal(c.MediaTypes, []string{taxiiapi.MediaTypeSTIX}) || c.Title == "" {
					t.Errorf("as %q: collection %+v", tc.user, c)
				}
				// The same by id and by alias.
				for _, key := range []string{c.ID, c.Alias} {
					var one taxiiapi.Collection
					e.getOK(t, collPath(key), tc.user, &one)
					if diff := cmp.Diff(c, one); diff != "" {
						t.Errorf("as %q: GET collection %s (-list +got):\n%s", tc.user, key, diff)
					}
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("as %q: collections (-want +got):\n%s", tc.user, diff)
			}
			// Every other collection is not found, by alias and by id,
			// under every endpoint.
			for _, alias := range []string{taxii.Public, taxii.CouncilGreen, taxii.CouncilAmber, orgA, orgB, orgC, "nonexistent", "org-"} {
				if _, ok := tc.want[alias]; ok {
					continue
				}
				for _, key := range []string{alias, taxii.CollectionID(alias)} {
					for _, suffix := range []string{"", "objects/", "manifest/", "objects/" + stix.NewID("indicator") + "/", "objects/" + stix.NewID("indicator") + "/versions/"} {
						status, _, b := e.get(t, collPath(key)+suffix, tc.user)
						if status != http.StatusNotFound {
							t.Errorf("as %q: GET %s: status %d, want 404; body %s", tc.user, collPath(key)+suffix, status, b)
						}
					}
				}
			}
		}
	})
}

// TestOpenAPI: the TAXII routes are in the API document, each with its
// action.
func TestOpenAPI(t *testing.T) {
	r := api.NewRouter(api.RouterConfig{Authenticator: api.AuthenticatorFunc(func(*http.Request) (*auth.Principal, error) { return nil, nil }),
		Authorizer: auth.NewPolicy()})
	taxiiapi.Register(r, nil, taxiiapi.Config{})
	doc, err := r.OpenAPI(api.Info{})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"/taxii2/"`, `"/taxii2/api/collections/{id}/objects/"`, `"/taxii2/api/collections/{id}/objects/{object_id}/versions/"`,
		`"/taxii2/api/status/{status_id}/"`, `"x-acd-action": "taxii.write"`} {
		if !strings.Contains(string(doc), want) {
			t.Errorf("OpenAPI document lacks %s", want)
		}
	}
}
