package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/demo"
	"github.com/acd-platform/acd/internal/vuln"
)

func TestLoadVulns(t *testing.T) {
	ctx := context.Background()
	s := demoServer(t, nil)
	if err := demo.LoadReporting(ctx, s.Auth, s.Reporting, time.Now()); err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second load adds nothing
		if err := demo.LoadVulns(ctx, s.Auth, s.Vuln, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	analyst := &auth.Principal{UserID: "cli:test", Username: "test", Roles: []auth.Role{auth.RoleAnalyst}, Via: auth.ViaCLI}
	ms, err := s.Vuln.Matches(ctx, analyst, vuln.MatchFilter{VulnID: "CVE-2024-3400"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range ms {
		names = append(names, m.AssetName)
	}
	if len(ms) != 1 || ms[0].AssetName != "dmz-fw-1" || !ms[0].ExploitedInJapan {
		t.Errorf("CVE-2024-3400 matches %v; want dmz-fw-1 (PAN-OS 10.2.9), exploited in Japan", names)
	}
	cat, err := s.Vuln.Catalogue(ctx)
	if err != nil || cat.Count != 1 || cat.Vulnerabilities[0].CVEID != "CVE-2024-3400" {
		t.Errorf("catalogue: %+v, %v; want CVE-2024-3400", cat, err)
	}
}
