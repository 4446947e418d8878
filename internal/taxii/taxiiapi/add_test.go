package taxiiapi_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/stix"
	"github.com/acd-platform/acd/internal/taxii"
	"github.com/acd-platform/acd/internal/taxii/taxiiapi"
)

// TestAddPermissions: who may add to which collection.
func TestAddPermissions(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		orgB := taxii.OrgCollection(e.opB.ID)
		e.publish(t, orgB, clear, indicator("198.51.100.200", t0, tlpRef("clear")))
		for _, tc := range []struct {
			user, coll string
			want       int
		}{
			{"", taxii.Public, http.StatusUnauthorized}, // the router: log in first
			{"", taxii.CouncilGreen, http.StatusUnauthorized},
			{"a", taxii.CouncilGreen, http.StatusAccepted}, // members write the GREEN collection
			{"b", taxii.CouncilGreen, http.StatusAccepted},
			{"analyst", taxii.CouncilGreen, http.StatusAccepted},
			{"c", taxii.CouncilGreen, http.StatusNotFound}, // not a member: no such collection for it
			{"v", taxii.CouncilGreen, http.StatusNotFound},
			{"a", taxii.Public, http.StatusForbidden},       // reads it, may not write it
			{"a", taxii.CouncilAmber, http.StatusForbidden}, // reads it, may not write it
			{"analyst", taxii.Public, http.StatusAccepted},
			{"analyst", taxii.CouncilAmber, http.StatusAccepted},
			{"analyst", orgB, http.StatusAccepted},
			{"b", orgB, http.StatusForbidden}, // its own: read only
			{"a", orgB, http.StatusNotFound},  // another's: not found
			{"a", "nonexistent", http.StatusNotFound},
		} {
			ind := indicator("198.51.100.1", t0, tlpRef("clear"))
			status, b := e.post(t, objectsPath(tc.coll), tc.user, taxiiapi.MediaTypeTAXII, envelopeOf(t, ind))
			if status != tc.want {
				t.Errorf("%q adds to %s: status %d, want %d; body %s", tc.user, tc.coll, status, tc.want, b)
				continue
			}
			if status == http.StatusForbidden || status == http.StatusNotFound {
				if te := decodeError(t, b); te.HTTPStatus != strconv.Itoa(status) {
					t.Errorf("%q adds to %s: error %+v", tc.user, tc.coll, te)
				}
			}
		}
	})
}

// TestAddStatus posts objects of every kind of outcome and checks the
// status answered, the status resource, what is stored and with which
// marking, and the audit entry.
func TestAddStatus(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		good := indicator("198.51.100.1", t0, tlpRef("green"))
		unmarked := indicator("198.51.100.2", t0, "")                                                                                                    // the collection's default: GREEN
		amber := indicator("198.51.100.3", t0, tlpRef("amber"))                                                                                          // the poster's organisation and the Cabinet Office
		strict := indicator("198.51.100.4", t0, tlpRef("amber+strict"))                                                                                  //
		tlp1 := indicator("198.51.100.5", t0, stix.TLP1White)                                                                                            // TLP 1.0 WHITE is CLEAR
		red := indicator("198.51.100.6", t0, tlpRef("red"))                                                                                              // refused
		badPattern := indicator("198.51.100.7", t0, "")                                                                                                  //
		badPattern.Pattern = "[ipv4-addr:value = ]"                                                                                                      // refused by package stix
		mac := map[string]any{"type": "mac-addr", "spec_version": "2.1", "id": "mac-addr--" + strings.TrimPrefix(stix.NewID("x"), "x--"), "value": "zz"} // refused by the OASIS schema only
		notObject := "just a string"
		body := envelopeOf(t, good, unmarked, amber, strict, tlp1, red, badPattern, mac, notObject, good)
		status, b := e.post(t, objectsPath(taxii.CouncilGreen), "a", taxiiapi.MediaTypeTAXII, body)
		if status != http.StatusAccepted {
			t.Fatalf("POST: status %d; body %s", status, b)
		}
		var st taxii.Status
		if err := json.Unmarshal(b, &st); err != nil {
			t.Fatal(err)
		}
		if st.Status != "complete" || st.TotalCount != 10 || st.SuccessCount != 6 || st.FailureCount != 4 || st.PendingCount != 0 || st.ID == "" {
			t.Errorf("status = %+v", st)
		}
		var okIDs []string
		for _, d := range st.Successes {
			okIDs = append(okIDs, d.ID)
			if d.Version != "2026-04-01T00:00:00.000000Z" {
				t.Errorf("success %s: version %q", d.ID, d.Version)
			}
		}
		if diff := cmp.Diff([]string{good.ID, unmarked.ID, amber.ID, strict.ID, tlp1.ID, good.ID}, okIDs); diff != "" {
			t.Errorf("successes (-want +got):\n%s", diff)
		}
		failures := map[string]string{}
		for _, d := range st.Failures {
			failures[d.ID] = d.Message
		}
		for id, want := range map[string]string{
			red.ID:             "objects[5]: TLP:RED is not accepted over TAXII",
			badPattern.ID:      "objects[6]: " + badPattern.ID + ": pattern:",
			mac["id"].(string): "objects[7]: OASIS schema of mac-addr: value:",
			"":                 "objects[8]: an object is a JSON object",
		} {
			if !strings.HasPrefix(failures[id], want) {
				t.Errorf("failure of %q = %q, want it to start %q", id, failures[id], want)
			}
		}
		// The status resource says the same, to the poster's organisation
		// only.
		var again taxii.Status
		e.getOK(t, taxiiapi.PathAPIRoot+"status/"+st.ID+"/", "a2", &again)
		if diff := cmp.Diff(st, again); diff != "" {
			t.Errorf("status resource (-posted +got):\n%s", diff)
		}
		for _, u := range []string{"b", "analyst", ""} {
			if s, _, _ := e.get(t, taxiiapi.PathAPIRoot+"status/"+st.ID+"/", u); s != http.StatusNotFound {
				t.Errorf("status as %q: %d, want 404", u, s)
			}
		}
		if s, _, _ := e.get(t, taxiiapi.PathAPIRoot+"status/"+stix.NewID("x")+"/", "a"); s != http.StatusNotFound {
			t.Errorf("unknown status: %d, want 404", s)
		}
		// Who reads what was posted: GREEN and CLEAR every member; the
		// AMBER ones the poster's organisation and the Cabinet Office.
		for _, tc := range []struct {
			user string
			want []string
		}{
			{"a2", []string{good.ID, unmarked.ID, amber.ID, strict.ID, tlp1.ID}},
			{"analyst", []string{good.ID, unmarked.ID, amber.ID, strict.ID, tlp1.ID}},
			{"b", []string{good.ID, unmarked.ID, tlp1.ID}},
		} {
			var env envelope
			e.getOK(t, objectsPath(taxii.CouncilGreen), tc.user, &env)
			if diff := cmp.Diff(tc.want, env.ids()); diff != "" {
				t.Errorf("%s reads (-want +got):\n%s", tc.user, diff)
			}
		}
		// Posting the same again adds nothing.
		status, b = e.post(t, objectsPath(taxii.CouncilGreen), "a", taxiiapi.MediaTypeTAXII, envelopeOf(t, good))
		if status != http.StatusAccepted {
			t.Fatalf("repost: %d %s", status, b)
		}
		var m taxiiapi.Manifest
		e.getOK(t, taxiiapi.PathAPIRoot+"collections/council-green/manifest/?match[version]=all", "a", &m)
		if len(m.Objects) != 5 {
			t.Errorf("after a repost: %d manifest entries, want 5", len(m.Objects))
		}
		// The add is in the audit log, with the status as its resource.
		recs, err := e.p.Log.Entries(e.p.Ctx, 0, 10000)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(recs, func(r auditlog.Record) bool {
			return r.Action == "taxii.add" && r.Resource == "taxii_status/"+st.ID && r.Actor == e.uid["a"]
		}) {
			t.Errorf("no taxii.add entry for status %s", st.ID)
		}
		// Into the public collection only CLEAR goes.
		status, b = e.post(t, objectsPath(taxii.Public), "analyst", taxiiapi.MediaTypeTAXII,
			envelopeOf(t, indicator("198.51.100.20", t0, ""), indicator("198.51.100.21", t0, tlpRef("green"))))
		if err := json.Unmarshal(b, &st); err != nil || status != http.StatusAccepted || st.SuccessCount != 1 || st.FailureCount != 1 ||
			!strings.Contains(st.Failures[0].Message, "TLP:CLEAR objects only") {
			t.Errorf("public post: %d %s", status, b)
		}
	})
}

// TestAddBadBodies: bodies that are not an envelope or a bundle are 400
// with a message saying where; too large ones 413.
func TestAddBadBodies(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ind := mustJSON(t, indicator("198.51.100.1", t0, ""))
		for _, tc := range []struct {
			ct, body, want string
			status         int
		}{
			{taxiiapi.MediaTypeTAXII, ``, "unexpected end", http.StatusBadRequest},
			{taxiiapi.MediaTypeTAXII, `[]`, "want a JSON object", http.StatusBadRequest},
			{taxiiapi.MediaTypeTAXII, `{"objects":[` + ind + `]`, "unexpected end", http.StatusBadRequest},
			{taxiiapi.MediaTypeTAXII, `{"objects":[]}`, "empty list", http.StatusBadRequest},
			{taxiiapi.MediaTypeTAXII, `{}`, "has no objects", http.StatusBadRequest},
			{taxiiapi.MediaTypeTAXII, `{"objects":{}}`, "want a list", http.StatusBadRequest},
			{taxiiapi.MediaTypeTAXII, `{"objects":[` + ind + `],"objects":[]}`, "appears twice", http.StatusBadRequest},
			{taxiiapi.MediaTypeTAXII, `{"objects":[` + ind + `],"extra":1}`, "unknown property", http.StatusBadRequest},
			{taxiiapi.MediaTypeTAXII, `{"objects":[` + ind + `]} {}`, "data after", http.StatusBadRequest},
			{taxiiapi.MediaTypeSTIX, `{"type":"bundle","objects":[` + ind + `]}`, "id: required", http.StatusBadRequest},
			{taxiiapi.MediaTypeSTIX, `{"type":"bundle","id":"bundle--1","objects":[` + ind + `]}`, "id:", http.StatusBadRequest},
			{taxiiapi.MediaTypeSTIX, `{"type":"bundle","spec_version":"2.0","id":"` + stix.NewID("bundle") + `","objects":[` + ind + `]}`, "spec_version", http.StatusBadRequest},
			{taxiiapi.MediaTypeTAXII, `{"objects":["` + strings.Repeat("x", 10<<20) + `"]}`, "max_content_length", http.StatusRequestEntityTooLarge},
		} {
			status, b := e.post(t, objectsPath(taxii.CouncilGreen), "a", tc.ct, tc.body)
			if status != tc.status {
				t.Errorf("%.60s: status %d, want %d; body %s", tc.body, status, tc.status, b)
				continue
			}
			if te := decodeError(t, b); !strings.Contains(te.Description, tc.want) {
				t.Errorf("%.60s: description %q, want it to hold %q", tc.body, te.Description, tc.want)
			}
		}
	})
}
