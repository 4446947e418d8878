package blocklistapi_test

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/blocklist"
	"github.com/acd-platform/acd/internal/blocklist/blocklistapi"
)

// TestDocsBodies: every request body in docs/blocklist.md decodes
// strictly into its route's type, so the guide cannot drift from the
// field names, and every example value in it is accepted.
func TestDocsBodies(t *testing.T) {
	doc, err := os.ReadFile("../../../docs/blocklist.md")
	if err != nil {
		t.Fatal(err)
	}
	routes := []struct {
		path *regexp.Regexp
		new  func() any
	}{
		{regexp.MustCompile(`^/api/v1/blocklist/entries$`), func() any { return &blocklist.EntryInput{} }},
		{regexp.MustCompile(`^/api/v1/blocklist/entries/[^/]+/remove$`), func() any { return &blocklistapi.ReasonRequest{} }},
		{regexp.MustCompile(`^/api/v1/blocklist/cases/[^/]+$`), func() any { return &blocklistapi.CaseRequest{} }},
		{regexp.MustCompile(`^/api/v1/blocklist/subscribers$`), func() any { return &blocklist.SubscriberInput{} }},
		{regexp.MustCompile(`^/api/v1/blocklist/subscribers/[^/]+/revoke$`), func() any { return &blocklistapi.ReasonRequest{} }},
	}
	call := regexp.MustCompile(`\$ACD(/api/v1/[^\s"?]+) -d '([^']*)'`)
	matches := call.FindAllSubmatch(doc, -1)
	if len(matches) < 7 {
		t.Fatalf("found %d request bodies in the guide, want at least 7", len(matches))
	}
	for _, m := range matches {
		path, body := string(m[1]), m[2]
		found := false
		for _, r := range routes {
			if !r.path.MatchString(path) {
				continue
			}
			found = true
			v := r.new()
			dec := json.NewDecoder(bytes.NewReader(body))
			dec.DisallowUnknownFields()
			if err := dec.Decode(v); err != nil {
				t.Errorf("the guide's body for %s: %v\n%s", path, err, body)
			}
			if in, ok := v.(*blocklist.EntryInput); ok {
				if _, _, err := blocklist.ParseValue(in.Value, blocklist.ParseOptions{AllowDocumentation: true}); err != nil {
					t.Errorf("the guide's value %q: %v", in.Value, err)
				}
			}
		}
		if !found {
			t.Errorf("the guide posts to %s, which has no route", path)
		}
	}
	for _, s := range []string{"blocklist.add", "blocklist.remove", "blocklist.subscriber_create", "blocklist.subscriber_revoke",
		blocklistapi.PathFeedRPZ, blocklistapi.PathFeedTXT, blocklistapi.PathFeedSTIX, blocklist.FeedTokenPrefix} {
		if !strings.Contains(string(doc), s) {
			t.Errorf("the guide does not mention %s", s)
		}
	}
}

// TestOpenAPI: the routes make an OpenAPI document.
func TestOpenAPI(t *testing.T) {
	r := api.NewRouter(api.RouterConfig{Authenticator: api.AuthenticatorFunc(nil), Authorizer: auth.NewPolicy()})
	blocklistapi.Register(r, nil)
	b, err := r.OpenAPI(api.Info{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/api/v1/blocklist/entries/{id}/remove", "/api/v1/blocklist/feed.stix.json", "/api/v1/blocklist/preview/{format}"} {
		if !bytes.Contains(b, []byte(`"`+p+`"`)) {
			t.Errorf("the OpenAPI document lacks %s", p)
		}
	}
}
