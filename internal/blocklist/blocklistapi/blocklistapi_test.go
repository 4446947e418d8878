package blocklistapi_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/blocklist"
	"github.com/acd-platform/acd/internal/blocklist/blocklistapi"
	"github.com/acd-platform/acd/internal/servicetest"
)

// TestRoles: who may call each route, with the real policy and tokens.
func TestRoles(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		feedTok, subID := e.subscriber(t)
		var ent blocklist.Entry
		e.call(t, "POST", "/api/v1/blocklist/entries", "analyst", `{"value":"198.51.100.7","reason":"C2"}`, http.StatusCreated, &ent)
		entryBody := `{"value":"203.0.113.9","reason":"C2"}`
		tests := []struct {
			method, path, body string
			want               map[string]int // status by user; everyone else below
			others             int
		}{
			{"GET", "/api/v1/blocklist/entries", "", map[string]int{"officer": 200, "officer2": 200, "commander": 200}, 403},
			{"GET", "/api/v1/blocklist/entries/" + ent.ID, "", map[string]int{"officer": 200, "officer2": 200, "commander": 200}, 403},
			{"POST", "/api/v1/blocklist/entries", entryBody, map[string]int{"officer": 201, "officer2": 409}, 403},
			// Officers remove only their own organisation's entries.
			{"POST", "/api/v1/blocklist/entries/" + ent.ID + "/remove", `{"reason":"x"}`, map[string]int{}, 403},
			{"POST", "/api/v1/blocklist/cases/msr_exec", `{"reason":"case targets"}`, map[string]int{"officer": 200, "officer2": 200}, 403},
			{"GET", "/api/v1/blocklist/subscribers", "", map[string]int{"analyst": 200}, 403},
			{"POST", "/api/v1/blocklist/subscribers", `{"name":"n","contact":"c"}`, map[string]int{"analyst": 201}, 403},
			{"POST", "/api/v1/blocklist/subscribers/" + subID + "/revoke", `{"reason":"x"}`, map[string]int{}, 403},
			{"GET", "/api/v1/blocklist/preview/rpz", "", map[string]int{"officer": 200, "officer2": 200, "commander": 200}, 403},
			{"GET", blocklistapi.PathFeedRPZ, "", map[string]int{feedTok: 200}, 403},
			{"GET", blocklistapi.PathFeedTXT, "", map[string]int{feedTok: 200}, 403},
			{"GET", blocklistapi.PathFeedSTIX, "", map[string]int{feedTok: 200}, 403},
		}
		users := []string{"officer", "officer2", "commander", "operator", "admin", feedTok, ""}
		for _, tt := range tests {
			for _, u := range users {
				want, ok := tt.want[u]
				switch {
				case ok:
				case u == "":
					want = http.StatusUnauthorized
				default:
					want = tt.others
				}
				got, _, b := e.do(t, tt.method, tt.path, u, tt.body)
				if got != want {
					t.Errorf("%s %s as %q: status %d, want %d; body %s", tt.method, tt.path, name(u), got, want, b)
				}
			}
		}
		// The analyst last, since its writes change the state.
		e.call(t, "POST", "/api/v1/blocklist/entries/"+ent.ID+"/remove", "analyst", `{"reason":"x"}`, http.StatusOK, nil)
		e.call(t, "POST", "/api/v1/blocklist/subscribers/"+subID+"/revoke", "analyst", `{"reason":"x"}`, http.StatusOK, nil)
		for _, p := range []string{blocklistapi.PathFeedRPZ, blocklistapi.PathFeedTXT, blocklistapi.PathFeedSTIX} {
			e.call(t, "GET", p, "analyst", "", http.StatusForbidden, nil)
		}
	})
}

func name(u string) string {
	if strings.HasPrefix(u, blocklist.FeedTokenPrefix) {
		return "feed token"
	}
	return u
}

func TestEntriesAPI(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		code, hdr, b := e.do(t, "POST", "/api/v1/blocklist/entries", "officer", `{"value":"Evil.Example.","reason":"Phishing site","expires_at":"2026-04-11T09:00:00+09:00"}`)
		if code != http.StatusCreated {
			t.Fatalf("add: status %d, body %s", code, b)
		}
		var ent blocklist.Entry
		e.call(t, "GET", hdr.Get("Location"), "commander", "", http.StatusOK, &ent)
		if ent.Value != "evil.example" || ent.Kind != blocklist.KindDomain || !ent.ExpiresAt.Equal(time.Date(2026, 4, 11, 0, 0, 0, 0, time.UTC)) || ent.State != blocklist.StateActive {
			t.Errorf("got %+v, want the domain in lower case expiring 2026-04-11T00:00:00Z, active", ent)
		}

		// Bad input names the field.
		for _, tt := range []struct{ body, field string }{
			{`{"value":"10.0.0.1","reason":"x"}`, "value"},
			{`{"value":"*.evil.example","reason":"x"}`, "value"},
			{`{"value":"8.0.0.0/8","reason":"x"}`, "value"},
			{`{"value":"198.51.100.9"}`, "reason"},
			{`{"value":"198.51.100.9","reason":"x","expires_at":"2025-01-01T00:00:00Z"}`, "expires_at"},
			{`{"value":"198.51.100.9","reason":"x","case_ref":"msr/1"}`, "case_ref"},
			{`{"value":"198.51.100.9","reason":"x","colour":"red"}`, "colour"},
		} {
			code, _, b := e.do(t, "POST", "/api/v1/blocklist/entries", "analyst", tt.body)
			if code != http.StatusBadRequest {
				t.Errorf("%s: status %d, want 400; body %s", tt.body, code, b)
				continue
			}
			if got := servicetest.DecodeError(t, b).Error.Field; got != tt.field {
				t.Errorf("%s: field %q, want %q; body %s", tt.body, got, tt.field, b)
			}
		}
		// A value already active is a conflict; an open case has taken no measure.
		e.call(t, "POST", "/api/v1/blocklist/entries", "analyst", `{"value":"evil.example","reason":"again"}`, http.StatusConflict, nil)
		b = e.call(t, "POST", "/api/v1/blocklist/entries", "analyst", `{"value":"198.51.100.9","reason":"x","case_ref":"msr_open"}`, http.StatusConflict, nil)
		if !strings.Contains(servicetest.DecodeError(t, b).Error.Message, "has taken no measure yet") {
			t.Errorf("open case: %s", b)
		}
		e.call(t, "GET", "/api/v1/blocklist/entries/blk_nope", "analyst", "", http.StatusNotFound, nil)

		// Another agency's officer may not remove it; its own may.
		e.call(t, "POST", "/api/v1/blocklist/entries/"+ent.ID+"/remove", "officer2", `{"reason":"x"}`, http.StatusForbidden, nil)
		e.call(t, "POST", "/api/v1/blocklist/entries/"+ent.ID+"/remove", "officer", `{"reason":""}`, http.StatusBadRequest, nil)
		e.call(t, "POST", "/api/v1/blocklist/entries/"+ent.ID+"/remove", "officer", `{"reason":"site taken down"}`, http.StatusOK, &ent)
		if ent.State != blocklist.StateRemoved {
			t.Errorf("got state %s, want removed", ent.State)
		}
		e.call(t, "POST", "/api/v1/blocklist/entries/"+ent.ID+"/remove", "officer", `{"reason":"again"}`, http.StatusConflict, nil)

		var list blocklistapi.EntryList
		e.call(t, "GET", "/api/v1/blocklist/entries?active=true", "analyst", "", http.StatusOK, &list)
		if len(list.Entries) != 0 {
			t.Errorf("active entries: %+v, want none", list.Entries)
		}
		e.call(t, "GET", "/api/v1/blocklist/entries", "analyst", "", http.StatusOK, &list)
		if len(list.Entries) != 1 {
			t.Errorf("all entries: %d, want 1", len(list.Entries))
		}
		for _, q := range []string{"?active=maybe", "?limit=-1", "?limit=x"} {
			e.call(t, "GET", "/api/v1/blocklist/entries"+q, "analyst", "", http.StatusBadRequest, nil)
		}
	})
}

func TestCaseAPI(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		var res blocklist.CaseResult
		e.call(t, "POST", "/api/v1/blocklist/cases/msr_exec", "officer", `{"reason":"Targets of measure case msr_exec","expires_at":"2026-05-01T00:00:00Z"}`, http.StatusOK, &res)
		var added, skipped []string
		for _, a := range res.Added {
			added = append(added, a.Value)
		}
		for _, s := range res.Skipped {
			skipped = append(skipped, s.Value)
		}
		if diff := cmp.Diff([]string{"198.51.100.7", "c2.example"}, added); diff != "" {
			t.Errorf("added (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"10.0.0.1"}, skipped); diff != "" {
			t.Errorf("skipped (-want +got):\n%s", diff)
		}
		b := e.call(t, "POST", "/api/v1/blocklist/cases/msr_open", "officer", `{"reason":"x"}`, http.StatusConflict, nil)
		if !strings.Contains(servicetest.DecodeError(t, b).Error.Message, "has taken no measure yet") {
			t.Errorf("open case: %s", b)
		}
		e.call(t, "POST", "/api/v1/blocklist/cases/msr_none", "officer", `{"reason":"x"}`, http.StatusNotFound, nil)
		b = e.call(t, "POST", "/api/v1/blocklist/cases/msr_exec", "officer", `{}`, http.StatusBadRequest, nil)
		if f := servicetest.DecodeError(t, b).Error.Field; f != "reason" {
			t.Errorf("no reason: field %q, want reason", f)
		}
	})
}

func TestSubscribersAPI(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		tok, id := e.subscriber(t, "rpz", "txt")
		if !strings.HasPrefix(tok, blocklist.FeedTokenPrefix) || !strings.HasPrefix(id, "sub_") {
			t.Fatalf("got token %.12s… and id %q", tok, id)
		}
		e.call(t, "GET", blocklistapi.PathFeedRPZ, tok, "", http.StatusOK, nil)
		var list blocklistapi.SubscriberList
		e.call(t, "GET", "/api/v1/blocklist/subscribers", "analyst", "", http.StatusOK, &list)
		if len(list.Subscribers) != 1 || list.Subscribers[0].Pulls != 1 || !cmp.Equal(list.Subscribers[0].Formats, []blocklist.Format{"rpz", "txt"}) {
			t.Errorf("got %+v, want one subscriber of rpz and txt with one pull", list.Subscribers)
		}
		if bytes.Contains(e.call(t, "GET", "/api/v1/blocklist/subscribers", "analyst", "", http.StatusOK, nil), []byte(tok)) {
			t.Error("the listing shows the token")
		}
		// A format not given is 403.
		b := e.call(t, "GET", blocklistapi.PathFeedSTIX, tok, "", http.StatusForbidden, nil)
		if !strings.Contains(string(b), "may pull rpz, txt, not stix") {
			t.Errorf("stix for an rpz and txt subscriber: %s", b)
		}
		for _, tt := range []struct{ body, field string }{
			{`{"name":"n","contact":"c","formats":["rpz","csv"]}`, "formats[1]"},
			{`{"contact":"c"}`, "name"},
			{`{"name":"n","contact":"c","org_id":"org_nope"}`, "org_id"},
		} {
			b := e.call(t, "POST", "/api/v1/blocklist/subscribers", "analyst", tt.body, http.StatusBadRequest, nil)
			if f := servicetest.DecodeError(t, b).Error.Field; f != tt.field {
				t.Errorf("%s: field %q, want %q", tt.body, f, tt.field)
			}
		}

		// A revoked token is refused.
		e.call(t, "POST", "/api/v1/blocklist/subscribers/"+id+"/revoke", "analyst", `{"reason":"contract ended"}`, http.StatusOK, nil)
		e.call(t, "GET", blocklistapi.PathFeedRPZ, tok, "", http.StatusUnauthorized, nil)
		e.call(t, "POST", "/api/v1/blocklist/subscribers/"+id+"/revoke", "analyst", `{"reason":"again"}`, http.StatusConflict, nil)
		e.call(t, "POST", "/api/v1/blocklist/subscribers/sub_nope/revoke", "analyst", `{"reason":"x"}`, http.StatusNotFound, nil)
		// So is a made-up one.
		e.call(t, "GET", blocklistapi.PathFeedRPZ, blocklist.FeedTokenPrefix+strings.Repeat("A", 43), "", http.StatusUnauthorized, nil)
	})
}

func TestFeedHTTP(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		tok, _ := e.subscriber(t)
		e.call(t, "POST", "/api/v1/blocklist/entries", "analyst", `{"value":"198.51.100.7","reason":"C2"}`, http.StatusCreated, nil)
		e.clock.Advance(time.Hour)

		for _, tt := range []struct {
			path, ct string
		}{
			{blocklistapi.PathFeedRPZ, "text/dns"},
			{blocklistapi.PathFeedTXT, "text/plain; charset=utf-8"},
			{blocklistapi.PathFeedSTIX, "application/stix+json;version=2.1"},
		} {
			t.Run(tt.path, func(t *testing.T) {
				code, hdr, body := e.do(t, "GET", tt.path, tok, "")
				if code != http.StatusOK {
					t.Fatalf("status %d, body %s", code, body)
				}
				etag, lm := hdr.Get("ETag"), hdr.Get("Last-Modified")
				if hdr.Get("Content-Type") != tt.ct || hdr.Get("Cache-Control") != "no-cache" || len(etag) != 66 || lm != "Wed, 01 Apr 2026 00:00:00 GMT" {
					t.Errorf("headers %v: want Content-Type %s, Cache-Control no-cache, a quoted SHA-256 ETag, Last-Modified of the addition", hdr, tt.ct)
				}
				if !bytes.Contains(body, []byte(`reason="C2"`)) && !bytes.Contains(body, []byte(`"description":"C2"`)) {
					t.Errorf("body lacks the entry:\n%s", body)
				}
				// The preview is the same body.
				_, phdr, pbody := e.do(t, "GET", "/api/v1/blocklist/preview/"+map[string]string{
					blocklistapi.PathFeedRPZ: "rpz", blocklistapi.PathFeedTXT: "txt", blocklistapi.PathFeedSTIX: "stix"}[tt.path], "commander", "")
				if !bytes.Equal(pbody, body) || phdr.Get("ETag") != etag {
					t.Errorf("preview differs from the feed:\n%s\n---\n%s", pbody, body)
				}

				for _, c := range []struct {
					name string
					hdr  []string
					want int
				}{
					{"same etag", []string{"If-None-Match", etag}, http.StatusNotModified},
					{"weak etag in a list", []string{"If-None-Match", `"other", W/` + etag}, http.StatusNotModified},
					{"any", []string{"If-None-Match", "*"}, http.StatusNotModified},
					{"other etag", []string{"If-None-Match", `"other"`}, http.StatusOK},
					{"same date", []string{"If-Modified-Since", lm}, http.StatusNotModified},
					{"later date", []string{"If-Modified-Since", "Thu, 02 Apr 2026 00:00:00 GMT"}, http.StatusNotModified},
					{"earlier date", []string{"If-Modified-Since", "Tue, 31 Mar 2026 23:59:59 GMT"}, http.StatusOK},
					{"bad date ignored", []string{"If-Modified-Since", "yesterday"}, http.StatusOK},
					{"etag decides over date", []string{"If-None-Match", `"other"`, "If-Modified-Since", lm}, http.StatusOK},
				} {
					code, h, b := e.do(t, "GET", tt.path, tok, "", c.hdr...)
					if code != c.want {
						t.Errorf("%s: status %d, want %d", c.name, code, c.want)
					}
					if code == http.StatusNotModified && (len(b) != 0 || h.Get("ETag") != etag) {
						t.Errorf("%s: 304 with body %q and ETag %q", c.name, b, h.Get("ETag"))
					}
				}
				code, h, b := e.do(t, "HEAD", tt.path, tok, "")
				if code != http.StatusOK || len(b) != 0 || h.Get("ETag") != etag {
					t.Errorf("HEAD: status %d, %d bytes, ETag %q", code, len(b), h.Get("ETag"))
				}
			})
		}

		// A new entry changes every feed's ETag and Last-Modified.
		_, before, _ := e.do(t, "GET", blocklistapi.PathFeedTXT, tok, "")
		e.call(t, "POST", "/api/v1/blocklist/entries", "analyst", `{"value":"2001:db8::7","reason":"C2"}`, http.StatusCreated, nil)
		code, after, body := e.do(t, "GET", blocklistapi.PathFeedTXT, tok, "", "If-None-Match", before.Get("ETag"))
		if code != http.StatusOK || after.Get("ETag") == before.Get("ETag") || after.Get("Last-Modified") != "Wed, 01 Apr 2026 01:00:00 GMT" {
			t.Errorf("after a new entry: status %d, ETag %s (was %s), Last-Modified %s", code, after.Get("ETag"), before.Get("ETag"), after.Get("Last-Modified"))
		}
		if !bytes.Contains(body, []byte("2001:db8::7/128")) {
			t.Errorf("body lacks the new entry:\n%s", body)
		}
		e.call(t, "GET", "/api/v1/blocklist/preview/csv", "analyst", "", http.StatusBadRequest, nil)
	})
}
