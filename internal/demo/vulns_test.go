package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/demo"
	"github.com/acd-platform/acd/internal/vuln"
	"github.com/acd-platform/acd/internal/vuln/vendors"
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

func TestLoadVendors(t *testing.T) {
	ctx := context.Background()
	s := demoServer(t, nil)
	if err := demo.LoadReporting(ctx, s.Auth, s.Reporting, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := demo.LoadVulns(ctx, s.Auth, s.Vuln, time.Now()); err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second load adds nothing
		if err := demo.LoadVendors(ctx, s.Auth, s.Vendors); err != nil {
			t.Fatal(err)
		}
	}
	analyst := &auth.Principal{UserID: "usr_x", OrgKind: auth.OrgCabinetOff, Roles: []auth.Role{auth.RoleAnalyst}}
	rs, err := s.Vendors.Requests(ctx, analyst, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || rs[0].Kind != vendors.KindRequest || rs[0].VulnID != "CVE-2024-3400" || rs[0].AffectedAssets != 1 ||
		rs[0].State != vendors.StateSent {
		t.Errorf("demo requests: %+v; want one open request to act on CVE-2024-3400 affecting one computer", rs)
	}
}
