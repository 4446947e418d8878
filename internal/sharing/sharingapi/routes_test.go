package sharingapi_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/sharing/sharingtest"
	"github.com/acd-platform/acd/internal/store/storetest"
)

// TestRoutes checks that every route is in the OpenAPI document and in
// docs/sharing.md's route table with its action, and that only the
// public alerts are public.
func TestRoutes(t *testing.T) {
	e := sharingtest.New(t, storetest.SQLite(t))
	if _, err := e.Router.OpenAPI(api.Info{Title: "ACD", Version: "test"}); err != nil {
		t.Fatalf("OpenAPI: %v", err)
	}
	doc, err := os.ReadFile(filepath.Join("..", "..", "..", "docs", "sharing.md"))
	if err != nil {
		t.Fatal(err)
	}
	pol := auth.NewPolicy()
	routes := e.Router.Routes()
	if len(routes) != 38 {
		t.Errorf("got %d routes, want 38", len(routes))
	}
	for _, rt := range routes {
		row := fmt.Sprintf("| `%s` | %s |", rt.Pattern, rt.Action)
		if !strings.Contains(string(doc), row) {
			t.Errorf("docs/sharing.md lacks the row %s", row)
		}
		if r, _ := pol.Rule(rt.Action); (r.Audience == auth.Public) != (rt.Action == auth.AlertPublic) {
			t.Errorf("%s: action %s is %v", rt.Pattern, rt.Action, r.Audience)
		}
	}
}
