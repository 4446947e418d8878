package taxiiapi_test

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/taxii"
	"github.com/acd-platform/acd/internal/taxii/taxiiapi"
	"github.com/acd-platform/acd/internal/tlp"
)

// TestVisibility is the council's table through TAXII: items of every TLP
// level, with and without a clearance, for different recipients, × readers
// of different organisations, memberships and clearances → whether the
// reader gets the item, as a list, a manifest entry, the object itself and
// its versions. A reader never learns of an item it may not see: not in
// the list, not in the manifest, 404 for the object.
func TestVisibility(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		a, a3 := e.uid["a"], e.uid["a3"]
		type item struct {
			name string
			m    tlp.Marking
		}
		items := []item{
			{"clear", tlp.Marking{Level: tlp.Clear}},
			{"green", tlp.Marking{Level: tlp.Green}},
			{"green secret", tlp.Marking{Level: tlp.Green, Clearance: "secret"}},
			{"amber A", tlp.Marking{Level: tlp.Amber, RecipientOrgs: []string{e.opA.ID}}},
			{"amber A confidential", tlp.Marking{Level: tlp.Amber, Clearance: "confidential", RecipientOrgs: []string{e.opA.ID}}},
			{"amber+strict A", tlp.Marking{Level: tlp.AmberStrict, RecipientOrgs: []string{e.opA.ID}}},
			{"amber B", tlp.Marking{Level: tlp.Amber, RecipientOrgs: []string{e.opB.ID}}},
			{"amber A and B", tlp.Marking{Level: tlp.Amber, RecipientOrgs: []string{e.opA.ID, e.opB.ID}}},
			{"amber+strict C", tlp.Marking{Level: tlp.AmberStrict, RecipientOrgs: []string{e.opC.ID}}}, // C is not a member
			{"red a", tlp.Marking{Level: tlp.Red, RecipientUsers: []string{a}}},
			{"red a3 secret", tlp.Marking{Level: tlp.Red, Clearance: "secret", RecipientUsers: []string{a3}}},
			{"red a secret", tlp.Marking{Level: tlp.Red, Clearance: "secret", RecipientUsers: []string{a}}}, // a holds none
		}
		idOf := map[string]string{}
		nameOf := map[string]string{}
		for i, it := range items {
			ind := indicator("198.51.100."+string(rune('1'+i)), t0, tlpRef(string(it.m.Level)))
			e.publish(t, taxii.CouncilAmber, it.m, ind)
			idOf[it.name], nameOf[ind.ID] = ind.ID, it.name
		}
		for _, tc := range []struct {
			reader string
			want   []string // nil: the collection is not found
		}{
			{"", nil},  // the public
			{"c", nil}, // an operator that is not a member
			{"v", nil}, // a vendor that is not a member
			{"a", []string{"clear", "green", "amber A", "amber+strict A", "amber A and B", "red a"}},
			{"a2", []string{"clear", "green", "amber A", "amber A confidential", "amber+strict A", "amber A and B"}},
			{"a3", []string{"clear", "green", "green secret", "amber A", "amber A confidential", "amber+strict A", "amber A and B", "red a3 secret"}},
			{"b", []string{"clear", "green", "amber B", "amber A and B"}},
			{"analyst", []string{"clear", "green"}}, // the Cabinet Office is no recipient of these
		} {
			path := objectsPath(taxii.CouncilAmber) + "?match[version]=all"
			if tc.want == nil {
				if status, _, b := e.get(t, path, tc.reader); status != http.StatusNotFound {
					t.Errorf("reader %q: status %d, want 404; body %s", tc.reader, status, b)
				}
				continue
			}
			var env envelope
			e.getOK(t, path, tc.reader, &env)
			var got []string
			for _, id := range env.ids() {
				got = append(got, nameOf[id])
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("reader %q: objects (-want +got):\n%s", tc.reader, diff)
			}
			var m taxiiapi.Manifest
			e.getOK(t, taxiiapi.PathAPIRoot+"collections/council-amber/manifest/", tc.reader, &m)
			if len(m.Objects) != len(tc.want) {
				t.Errorf("reader %q: %d manifest entries, want %d", tc.reader, len(m.Objects), len(tc.want))
			}
			for _, it := range items {
				visible := slices.Contains(tc.want, it.name)
				want := http.StatusNotFound
				if visible {
					want = http.StatusOK
				}
				for _, suffix := range []string{"/", "/versions/"} {
					p := objectsPath(taxii.CouncilAmber) + idOf[it.name] + suffix
					if status, _, b := e.get(t, p, tc.reader); status != want {
						t.Errorf("reader %q, item %q: GET …%s: status %d, want %d; body %s", tc.reader, it.name, suffix, status, want, b)
					}
				}
			}
		}
		// Membership is read at each request: b's organisation leaves the
		// council, and b loses everything but the collection's CLEAR items
		// — here, the collection itself.
		e.readers.set("user-b", member{council: false})
		if status, _, _ := e.get(t, objectsPath(taxii.CouncilAmber), "b"); status != http.StatusNotFound {
			t.Errorf("b after leaving: status %d, want 404", status)
		}
		// Per-object visibility holds in an organisation's collection too:
		// its AMBER items for another organisation stay hidden from it.
		orgA := taxii.OrgCollection(e.opA.ID)
		e.publish(t, orgA, tlp.Marking{Level: tlp.Amber, RecipientOrgs: []string{e.opA.ID}}, indicator("198.51.100.100", t0, tlpRef("amber")))
		e.publish(t, orgA, tlp.Marking{Level: tlp.Amber, RecipientOrgs: []string{e.nco.ID}}, indicator("198.51.100.101", t0, tlpRef("amber")))
		for _, tc := range []struct {
			reader string
			want   int // objects; -1 for 404
		}{{"a", 1}, {"a3", 1}, {"analyst", 1}, {"b", -1}, {"c", -1}, {"", -1}} {
			status, _, b := e.get(t, objectsPath(orgA), tc.reader)
			if tc.want < 0 {
				if status != http.StatusNotFound {
					t.Errorf("%s of %s: status %d, want 404", tc.reader, orgA, status)
				}
				continue
			}
			var env envelope
			e.getOK(t, objectsPath(orgA), tc.reader, &env)
			if len(env.Objects) != tc.want {
				t.Errorf("%s of %s: %d objects, want %d; body %s", tc.reader, orgA, len(env.Objects), tc.want, b)
			}
		}
	})
}

// TestReadAudit: one audit entry per response that holds anything other
// than TLP:CLEAR, naming the reader and the collection; none for CLEAR
// pages.
func TestReadAudit(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		e.publish(t, taxii.CouncilAmber, tlp.Marking{Level: tlp.Clear}, indicator("198.51.100.1", t0, tlpRef("clear")))
		g1, g2 := indicator("198.51.100.2", t0, tlpRef("green")), indicator("198.51.100.3", t0, tlpRef("green"))
		e.publish(t, taxii.CouncilAmber, tlp.Marking{Level: tlp.Green}, g1, g2)
		e.publishN(t, 3)
		reads := func() []string {
			recs, err := e.p.Log.Entries(context.Background(), 0, 10000)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, r := range recs {
				if r.Action == "taxii.read" {
					out = append(out, r.Actor+" "+r.Resource)
				}
			}
			return out
		}
		before := len(reads())
		e.getOK(t, objectsPath(taxii.Public), "", nil)                               // CLEAR only
		e.getOK(t, objectsPath(taxii.Public), "a", nil)                              // CLEAR only
		e.getOK(t, objectsPath(taxii.CouncilAmber)+"?match[type]=malware", "a", nil) // nothing
		e.getOK(t, objectsPath(taxii.CouncilAmber)+"?limit=1", "a", nil)             // the CLEAR one only
		if got := reads()[before:]; len(got) != 0 {
			t.Errorf("audit entries for CLEAR pages: %v", got)
		}
		e.getOK(t, objectsPath(taxii.CouncilAmber), "a", nil)
		e.getOK(t, taxiiapi.PathAPIRoot+"collections/council-amber/manifest/", "b", nil)
		e.getOK(t, objectsPath(taxii.CouncilAmber)+g1.ID+"/", "analyst", nil)
		e.getOK(t, objectsPath(taxii.CouncilAmber)+g1.ID+"/versions/", "a", nil)
		want := []string{
			e.uid["a"] + " taxii_collection/council-amber",
			e.uid["b"] + " taxii_collection/council-amber",
			e.uid["analyst"] + " taxii_collection/council-amber",
			e.uid["a"] + " taxii_collection/council-amber",
		}
		if diff := cmp.Diff(want, reads()[before:]); diff != "" {
			t.Errorf("audit entries (-want +got):\n%s", diff)
		}
	})
}
