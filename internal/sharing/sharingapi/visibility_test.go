package sharingapi_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/acd-platform/acd/internal/sharing/sharingapi"
	"github.com/acd-platform/acd/internal/sharing/sharingtest"
)

// TestVisibility runs the TLP/clearance table through the API: each
// (item, reader) cell as GET /api/v1/shared/{id} (200 or 404), each
// reader's GET /api/v1/shared, and, for the public, which has no account,
// GET /api/v1/alerts/{id}.
func TestVisibility(t *testing.T) {
	each(t, func(t *testing.T, e *sharingtest.Env) {
		cases := sharingtest.Table(t, e)
		lists := map[string][]string{}
		for _, r := range sharingtest.Readers {
			if r == "public" {
				continue
			}
			var l sharingapi.SummaryList
			call(t, e, "GET", "/api/v1/shared?limit=1000", r, "", http.StatusOK, &l)
			for _, it := range l.Items {
				lists[r] = append(lists[r], it.ID)
			}
		}
		for _, c := range cases {
			if c.Reader == "public" {
				want := http.StatusNotFound
				if c.Want {
					want = http.StatusOK
				}
				if got, _, _ := e.Client.Do(t, "GET", "/api/v1/alerts/"+c.ID, "", "", ""); got != want {
					t.Errorf("%s as an alert to the public: got %d, want %d", c.Item, got, want)
				}
				if got, _, _ := e.Client.Do(t, "GET", "/api/v1/shared/"+c.ID, "", "", ""); got != http.StatusUnauthorized {
					t.Errorf("%s as a shared item to the public: got %d, want 401", c.Item, got)
				}
				continue
			}
			want := http.StatusNotFound
			if c.Want {
				want = http.StatusOK
			}
			got, _, b := e.Client.Do(t, "GET", "/api/v1/shared/"+c.ID, c.Reader, "", "")
			if got != want {
				t.Errorf("%s (%s) read by %s: got %d, want %d (%s)", c.Item, c.Level, c.Reader, got, want, b)
			}
			if listed := slices.Contains(lists[c.Reader], c.ID); listed != c.Want {
				t.Errorf("%s (%s) in the list of %s: got %v, want %v", c.Item, c.Level, c.Reader, listed, c.Want)
			}
			if got, _, _ := e.Client.Do(t, "GET", "/api/v1/shared/"+c.ID+"/stix", c.Reader, "", ""); got != want {
				t.Errorf("%s (%s) as STIX to %s: got %d, want %d", c.Item, c.Level, c.Reader, got, want)
			}
		}
	})
}
