package demo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/blocklist"
	"github.com/acd-platform/acd/internal/demo"
	"github.com/acd-platform/acd/internal/measures"
	"github.com/acd-platform/acd/internal/server"
)

func TestLoadMeasures(t *testing.T) {
	ctx := context.Background()
	s := demoServer(t, func(c *server.Config) { c.BlocklistAllowDocumentation = true })
	for range 2 { // the second load adds nothing
		if err := demo.LoadMeasures(ctx, s.Auth, s.Measures, s.Blocklist, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	analyst := &auth.Principal{UserID: "cli:test", Username: "test", Roles: []auth.Role{auth.RoleAnalyst}, Via: auth.ViaCLI}
	cases, err := s.Measures.Cases(ctx, analyst, measures.CaseFilter{})
	if err != nil || len(cases) != 4 {
		t.Fatalf("cases: %d, %v; want 4", len(cases), err)
	}
	states := map[measures.State]int{}
	paths := map[measures.Path]int{}
	for _, c := range cases {
		states[c.State]++
		paths[c.Path]++
	}
	if states[measures.StateExecuting] != 1 || states[measures.StateOpen] != 3 || paths[measures.PathSDFProtection] != 1 {
		t.Errorf("states %v, paths %v; want one executing case, three open, one SDF", states, paths)
	}
	chair := &auth.Principal{UserID: "cli:chair", Username: "chair", Roles: []auth.Role{auth.RoleCommissionChair}, MFA: true, Via: auth.ViaCLI}
	q, err := s.Measures.CommissionQueue(ctx, chair)
	if err != nil || len(q.Approvals) != 1 || len(q.PostNotices) != 1 {
		t.Errorf("commission queue: %d approvals, %d post-notices, %v; want one of each", len(q.Approvals), len(q.PostNotices), err)
	}
	// The executing case's targets are on the blocklist, in the feeds.
	entries, err := s.Blocklist.Entries(ctx, analyst, blocklist.Filter{Active: true})
	if err != nil || len(entries) != 2 {
		t.Fatalf("blocklist: %d entries, %v; want the address and the domain", len(entries), err)
	}
	feed, err := s.Blocklist.Preview(ctx, analyst, blocklist.FormatRPZ)
	if err != nil || !strings.Contains(string(feed.Body), "c2.attacker.example") {
		t.Errorf("RPZ preview: %v, %q; want the demo C2 domain", err, feed.Body)
	}
	subs, err := s.Blocklist.Subscribers(ctx, analyst)
	if err != nil || len(subs) != 1 {
		t.Errorf("subscribers: %d, %v; want the demo ISP", len(subs), err)
	}
}
