package csafapi_test

import (
	"strings"
	"testing"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/csaf/csafapi"
)

// Every route is under /.well-known/csaf/; green/ needs csaf.green_read
// and everything else is csaf.read. (The files themselves are tested in
// package csaf, over these routes.)
func TestRoutes(t *testing.T) {
	r := api.NewRouter(api.RouterConfig{Authenticator: api.AuthenticatorFunc(nil), Authorizer: auth.NewPolicy()})
	csafapi.Register(r, nil)
	routes := r.Routes()
	if len(routes) != 13 {
		t.Errorf("%d routes, want 13", len(routes))
	}
	for _, rt := range routes {
		method, path, _ := strings.Cut(rt.Pattern, " ")
		want := auth.CSAFRead
		if strings.HasPrefix(path, "/.well-known/csaf/green/") {
			want = auth.CSAFGreenRead
		}
		if method != "GET" || !strings.HasPrefix(path, "/.well-known/csaf/") || rt.Action != want || rt.Summary == "" {
			t.Errorf("route %q: action %s, want %s (and a summary)", rt.Pattern, rt.Action, want)
		}
	}
}
