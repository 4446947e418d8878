package taxiiapi_test

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/stix"
	"github.com/acd-platform/acd/internal/taxii"
	"github.com/acd-platform/acd/internal/taxii/taxiiapi"
	"github.com/acd-platform/acd/internal/tlp"
)

var clear = tlp.Marking{Level: tlp.Clear}

// publishN publishes n indicators to the public collection, one
// publication per minute of the fake clock, and returns their ids in
// order.
func (e *env) publishN(t *testing.T, n int) []string {
	t.Helper()
	var ids []string
	for i := range n {
		ind := indicator("198.51.100."+strconv.Itoa(i+1), t0, tlpRef("clear"))
		e.publish(t, taxii.Public, clear, ind)
		ids = append(ids, ind.ID)
		e.p.Clock.Advance(time.Minute)
	}
	return ids
}

// TestPagination pages through a collection with limit and next, as the
// public, and checks more, next, the order, and the date_added headers.
func TestPagination(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		want := e.publishN(t, 25)
		var got []string
		path := objectsPath(taxii.Public) + "?limit=10"
		var pages []int
		for range 10 {
			var env envelope
			h := e.getOK(t, path, "", &env)
			pages = append(pages, len(env.Objects))
			got = append(got, env.ids()...)
			first, last := h.Get(taxiiapi.HeaderDateAddedFirst), h.Get(taxiiapi.HeaderDateAddedLast)
			if first == "" || last == "" || first > last || len(first) != len("2026-04-01T00:00:00.000000Z") {
				t.Errorf("page %d: date_added headers %q, %q", len(pages), first, last)
			}
			if env.More != (env.Next != "") {
				t.Errorf("page %d: more %v with next %q", len(pages), env.More, env.Next)
			}
			if !env.More {
				break
			}
			path = objectsPath(taxii.Public) + "?limit=10&next=" + url.QueryEscape(env.Next)
		}
		if diff := cmp.Diff([]int{10, 10, 5}, pages); diff != "" {
			t.Errorf("page sizes (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("objects in order (-want +got):\n%s", diff)
		}
		// The page size may change between pages; it is no filter.
		var p1, p2 envelope
		e.getOK(t, objectsPath(taxii.Public)+"?limit=20", "", &p1)
		e.getOK(t, objectsPath(taxii.Public)+"?limit=3&next="+url.QueryEscape(p1.Next), "", &p2)
		if diff := cmp.Diff(want[20:23], p2.ids()); diff != "" || !p2.More {
			t.Errorf("next page with another limit (-want +got):\n%s (more %v)", diff, p2.More)
		}
		// The default page is 100; more than the server's maximum is cut
		// to it (1000 here).
		var all envelope
		e.getOK(t, objectsPath(taxii.Public)+"?limit=5000", "", &all)
		if len(all.Objects) != 25 || all.More {
			t.Errorf("limit 5000: %d objects, more %v", len(all.Objects), all.More)
		}
		// The manifest pages the same way.
		var m1 taxiiapi.Manifest
		e.getOK(t, taxiiapi.PathAPIRoot+"collections/public/manifest/?limit=10", "", &m1)
		if len(m1.Objects) != 10 || !m1.More || m1.Next == "" || m1.Objects[0].ID != want[0] || m1.Objects[0].MediaType != taxiiapi.MediaTypeSTIX ||
			m1.Objects[0].Version != "2026-04-01T00:00:00.000000Z" {
			t.Errorf("manifest page: %+v", m1)
		}
		// An empty page is {"more": false}.
		_, _, b := e.get(t, objectsPath(taxii.Public)+"?match[type]=malware", "")
		if string(b) != `{"more":false}`+"\n" {
			t.Errorf("empty page = %s", b)
		}
		for _, bad := range []string{"limit=0", "limit=-1", "limit=ten", "limit=1&limit=2", "next=", "bogus=1", "match[foo]=x"} {
			status, _, b := e.get(t, objectsPath(taxii.Public)+"?"+bad, "")
			if status != http.StatusBadRequest {
				t.Errorf("?%s: status %d, want 400; body %s", bad, status, b)
				continue
			}
			if te := decodeError(t, b); te.Details["field"] == "" {
				t.Errorf("?%s: error names no field: %+v", bad, te)
			}
		}
	})
}

// TestAddedAfter: only objects added strictly after the time.
func TestAddedAfter(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ids := e.publishN(t, 5) // added at t0, t0+1m, …, t0+4m
		for _, tc := range []struct {
			after string
			want  []string
		}{
			{"2026-03-31T00:00:00Z", ids},
			{"2026-04-01T00:00:00Z", ids[1:]},           // strictly after the first
			{"2026-04-01T00:00:00.000001Z", ids[1:]},    // microseconds count
			{"2026-04-01T00:01:59.999999Z", ids[2:]},    //
			{"2026-04-01T00:02:00.000000001Z", ids[3:]}, // finer than microseconds is cut
			{"2026-04-01T00:04:00Z", nil},
		} {
			var env envelope
			e.getOK(t, objectsPath(taxii.Public)+"?added_after="+tc.after, "", &env)
			if diff := cmp.Diff(tc.want, env.ids()); diff != "" {
				t.Errorf("added_after=%s (-want +got):\n%s", tc.after, diff)
			}
		}
		for _, bad := range []string{"yesterday", "2026-04-01", "2026-04-01T00:00:00+09:00"} {
			status, _, b := e.get(t, objectsPath(taxii.Public)+"?added_after="+url.QueryEscape(bad), "")
			if status != http.StatusBadRequest || decodeError(t, b).Details["field"] != "added_after" {
				t.Errorf("added_after=%s: status %d; body %s", bad, status, b)
			}
		}
	})
}

// TestMatch covers each match[…] filter on objects, manifest, one object
// and versions.
func TestMatch(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
		ind := indicator("198.51.100.1", at(0), "")
		v2, v3 := newVersion(ind, at(10)), newVersion(ind, at(20))
		other := indicator("198.51.100.2", at(0), "")
		mal := &stix.Malware{Common: stix.Common{Type: "malware", SpecVersion: stix.SpecVersion, ID: stix.NewID("malware"), Created: stix.TS(at(0)), Modified: stix.TS(at(0))},
			Name: "Emotet", IsFamily: true}
		ip := stix.NewIPv4Addr("198.51.100.7")
		e.publish(t, taxii.Public, clear, ind, other)
		e.p.Clock.Advance(time.Minute)
		e.publish(t, taxii.Public, clear, v3, mal, ip) // versions need not arrive in order
		e.p.Clock.Advance(time.Minute)
		e.publish(t, taxii.Public, clear, v2)
		V := func(m int) string { return at(m).Format("2006-01-02T15:04:05.000000Z") }
		for _, tc := range []struct {
			query string
			want  []string // ids (of the versions) in date_added order
		}{
			{"", []string{other.ID, v3.ID, mal.ID, ip.ID}},                      // last versions only, by default
			{"match[version]=last", []string{other.ID, v3.ID, mal.ID, ip.ID}},   //
			{"match[version]=first", []string{ind.ID, other.ID, mal.ID, ip.ID}}, // the first version of each
			{"match[version]=all", []string{ind.ID, other.ID, v3.ID, mal.ID, ip.ID, v2.ID}},
			{"match[version]=first,last", []string{ind.ID, other.ID, v3.ID, mal.ID, ip.ID}},
			{"match[version]=" + V(10), []string{v2.ID}},             // one version by its timestamp
			{"match[version]=2026-04-01T00:10:00Z", []string{v2.ID}}, // in any precision
			{"match[version]=" + V(10) + "," + V(20), []string{v3.ID, v2.ID}},
			{"match[version]=" + V(0) + ",last", []string{ind.ID, other.ID, v3.ID, mal.ID, ip.ID}},
			{"match[type]=malware", []string{mal.ID}},
			{"match[type]=malware,ipv4-addr", []string{mal.ID, ip.ID}},
			{"match[type]=malware&match[type]=ipv4-addr", []string{mal.ID, ip.ID}}, // repeated: the same
			{"match[type]=campaign", nil},
			{"match[id]=" + ind.ID, []string{v3.ID}},
			{"match[id]=" + ind.ID + "&match[version]=all", []string{ind.ID, v3.ID, v2.ID}},
			{"match[id]=" + mal.ID + "," + other.ID, []string{other.ID, mal.ID}},
			{"match[id]=" + stix.NewID("malware"), nil},
			{"match[spec_version]=2.1", []string{other.ID, v3.ID, mal.ID, ip.ID}},
			{"match[spec_version]=2.0", nil},
			{"match[spec_version]=2.0,2.1", []string{other.ID, v3.ID, mal.ID, ip.ID}},
			{"match[type]=indicator&match[version]=all&added_after=" + V(0), []string{v3.ID, v2.ID}},
		} {
			var env envelope
			e.getOK(t, objectsPath(taxii.Public)+"?"+tc.query, "", &env)
			if diff := cmp.Diff(tc.want, env.ids()); diff != "" {
				t.Errorf("objects ?%s (-want +got):\n%s", tc.query, diff)
			}
			var m taxiiapi.Manifest
			e.getOK(t, taxiiapi.PathAPIRoot+"collections/public/manifest/?"+tc.query, "", &m)
			var mids []string
			for _, r := range m.Objects {
				mids = append(mids, r.ID)
			}
			if diff := cmp.Diff(tc.want, mids); diff != "" {
				t.Errorf("manifest ?%s (-want +got):\n%s", tc.query, diff)
			}
		}
		// The versions in the envelope are the right ones.
		var env envelope
		e.getOK(t, objectsPath(taxii.Public)+"?match[id]="+ind.ID+"&match[version]=all", "", &env)
		var mods []string
		for _, o := range env.Objects {
			obj, err := stix.ParseObject(o)
			if err != nil {
				t.Fatal(err)
			}
			mods = append(mods, stix.FormatTime(obj.(*stix.Indicator).Modified.Time))
		}
		if diff := cmp.Diff([]string{"2026-04-01T00:00:00.000Z", "2026-04-01T00:20:00.000Z", "2026-04-01T00:10:00.000Z"}, mods); diff != "" {
			t.Errorf("versions served (-want +got):\n%s", diff)
		}

		// One object: its last version by default, or those asked for.
		one := objectsPath(taxii.Public) + ind.ID + "/"
		for _, tc := range []struct {
			query string
			want  int // versions served
		}{{"", 1}, {"?match[version]=all", 3}, {"?match[version]=first", 1}, {"?match[version]=" + V(5), 0}, {"?match[spec_version]=2.0", 0}} {
			var env envelope
			e.getOK(t, one+tc.query, "", &env)
			if len(env.Objects) != tc.want {
				t.Errorf("object ?%s: %d versions, want %d", tc.query, len(env.Objects), tc.want)
			}
		}
		// Its versions, by date_added.
		var vs taxiiapi.Versions
		h := e.getOK(t, one+"versions/", "", &vs)
		if diff := cmp.Diff([]string{V(0), V(20), V(10)}, vs.Versions); diff != "" || vs.More {
			t.Errorf("versions (-want +got):\n%s", diff)
		}
		if h.Get(taxiiapi.HeaderDateAddedFirst) != "2026-04-01T00:00:00.000000Z" || h.Get(taxiiapi.HeaderDateAddedLast) != "2026-04-01T00:02:00.000000Z" {
			t.Errorf("versions headers: %v", h)
		}
		e.getOK(t, one+"versions/?limit=2", "", &vs)
		if len(vs.Versions) != 2 || !vs.More {
			t.Errorf("versions limit 2: %+v", vs)
		}
		var rest taxiiapi.Versions
		e.getOK(t, one+"versions/?limit=2&next="+url.QueryEscape(vs.Next), "", &rest)
		if !slices.Equal(rest.Versions, []string{V(10)}) || rest.More {
			t.Errorf("versions second page: %+v", rest)
		}
		// An SCO has one version: the time it was added.
		var ipv taxiiapi.Versions
		e.getOK(t, objectsPath(taxii.Public)+ip.ID+"/versions/", "", &ipv)
		if !slices.Equal(ipv.Versions, []string{"2026-04-01T00:01:00.000000Z"}) {
			t.Errorf("SCO versions: %v", ipv.Versions)
		}

		// Unknown objects, malformed ids, and filters an endpoint does not
		// take.
		for _, tc := range []struct {
			path string
			want int
		}{
			{objectsPath(taxii.Public) + stix.NewID("indicator") + "/", http.StatusNotFound},
			{objectsPath(taxii.Public) + "not-an-id/", http.StatusNotFound},
			{objectsPath(taxii.Public) + stix.NewID("indicator") + "/versions/", http.StatusNotFound},
			{one + "?match[type]=indicator", http.StatusBadRequest},
			{one + "versions/?match[version]=all", http.StatusBadRequest},
			{objectsPath(taxii.Public) + "?match[id]=indicator--nope", http.StatusBadRequest},
			{objectsPath(taxii.Public) + "?match[type]=Indicator", http.StatusBadRequest},
			{objectsPath(taxii.Public) + "?match[version]=latest", http.StatusBadRequest},
			{objectsPath(taxii.Public) + "?match[spec_version]=two", http.StatusBadRequest},
			{objectsPath(taxii.Public) + "?match[type]=" + strings.Repeat("malware,", 101) + "tool", http.StatusBadRequest},
		} {
			status, _, b := e.get(t, tc.path, "")
			if status != tc.want {
				t.Errorf("GET %s: status %d, want %d; body %s", tc.path, status, tc.want, b)
			}
		}
	})
}

// TestNext: a next token is honoured only for the query, collection and
// caller it was issued to, unaltered and unexpired.
func TestNext(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		e.publishN(t, 5)
		e.publish(t, taxii.CouncilGreen, tlp.Marking{Level: tlp.Green}, indicator("198.51.100.50", t0, tlpRef("green")), indicator("198.51.100.51", t0, tlpRef("green")))
		var p1 envelope
		e.getOK(t, objectsPath(taxii.Public)+"?limit=2&match[type]=indicator", "a", &p1)
		next := p1.Next
		q := func(extra string) string {
			return objectsPath(taxii.Public) + "?limit=2&next=" + url.QueryEscape(next) + extra
		}
		e.getOK(t, q("&match[type]=indicator"), "a", nil) // as issued
		alter := func(i int) string {
			b := []byte(next)
			switch {
			case b[i] == 'A':
				b[i] = 'B'
			case b[i] >= '0' && b[i] <= '8':
				b[i]++
			default:
				b[i] = 'A'
			}
			return string(b)
		}
		parts := strings.Split(next, ".")
		for _, tc := range []struct {
			name, path, user string
		}{
			{"other filter", q("&match[type]=malware"), "a"},
			{"filter dropped", q(""), "a"},
			{"filter added", q("&match[type]=indicator&added_after=2026-01-01T00:00:00Z"), "a"},
			{"other version filter", q("&match[type]=indicator&match[version]=all"), "a"},
			{"other caller", q("&match[type]=indicator"), "b"},
			{"the public", q("&match[type]=indicator"), ""},
			{"other collection", objectsPath(taxii.CouncilGreen) + "?limit=2&match[type]=indicator&next=" + url.QueryEscape(next), "a"},
			{"other endpoint", taxiiapi.PathAPIRoot + "collections/public/manifest/?limit=2&match[type]=indicator&next=" + url.QueryEscape(next), "a"},
			{"position moved", objectsPath(taxii.Public) + "?match[type]=indicator&next=" + url.QueryEscape(strings.Join([]string{parts[0], parts[1], parts[2], "1", parts[4], parts[5]}, ".")), "a"},
			{"expiry extended", objectsPath(taxii.Public) + "?match[type]=indicator&next=" + url.QueryEscape(strings.Join([]string{parts[0], parts[1], parts[2], parts[3], parts[4] + "0", parts[5]}, ".")), "a"},
			{"MAC altered", objectsPath(taxii.Public) + "?match[type]=indicator&next=" + url.QueryEscape(alter(len(next)-5)), "a"},
			{"key id altered", objectsPath(taxii.Public) + "?match[type]=indicator&next=" + url.QueryEscape(alter(4)), "a"},
			{"garbage", objectsPath(taxii.Public) + "?next=garbage", "a"},
			{"truncated", objectsPath(taxii.Public) + "?match[type]=indicator&next=" + url.QueryEscape(next[:len(next)-1]), "a"},
		} {
			status, _, b := e.get(t, tc.path, tc.user)
			if status != http.StatusBadRequest {
				t.Errorf("%s: status %d, want 400; body %s", tc.name, status, b)
				continue
			}
			if te := decodeError(t, b); te.ErrorCode != "invalid_next" || te.Details["field"] != "next" {
				t.Errorf("%s: error %+v", tc.name, te)
			}
		}
		// Expired after a day.
		e.p.Clock.Advance(25 * time.Hour)
		status, _, b := e.get(t, q("&match[type]=indicator"), "a")
		if status != http.StatusBadRequest || !strings.Contains(decodeError(t, b).Description, "expired") {
			t.Errorf("expired: status %d; body %s", status, b)
		}
	})
}
