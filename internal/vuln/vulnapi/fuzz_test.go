package vulnapi_test

import (
	"net/url"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/vuln/vulnapi"
)

// FuzzDecodeExploited checks that any body decodes or fails cleanly, and
// that a decoded mark normalizes or fails with a field error, never a
// panic.
func FuzzDecodeExploited(f *testing.F) {
	f.Add([]byte(`{"exploited":true,"report_ids":["rep_1"],"date":"2026-03-30"}`)) // a valid mark
	f.Add([]byte(`{"exploited":false,"note":"false positive"}`))                   // a clearing
	f.Add([]byte(`{"exploited":true,"finding_ids":[1]}`))                          // a type error
	f.Add([]byte(`{"exploited":true} {}`))                                         // two values
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := vulnapi.DecodeExploited(body)
		if err != nil {
			return
		}
		if err := in.Normalize(time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)); err != nil && err.Error() == "" {
			t.Fatal("empty error")
		}
	})
}

// FuzzDecodeMatchFilter checks the query decoder of the matches list.
func FuzzDecodeMatchFilter(f *testing.F) {
	f.Add("org=org_1&include_resolved=true&limit=10") // valid
	f.Add("limit=-1")                                 // out of range
	f.Add("include_resolved=maybe")                   // not a bool
	f.Fuzz(func(t *testing.T, q string) {
		v, err := url.ParseQuery(q)
		if err != nil {
			return
		}
		fl, err := vulnapi.DecodeMatchFilter(v.Get)
		if err == nil && (fl.Limit < 0 || fl.Limit > 10000) {
			t.Fatalf("limit %d accepted", fl.Limit)
		}
	})
}
