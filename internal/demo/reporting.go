package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/reporting"
)

// demoAssets are the specified critical computers of the first demo
// operator (Kanto Electric Power).
var demoAssets = []reporting.AssetInput{
	{Name: "hq-vpn-1", Product: "FortiOS", Vendor: "Fortinet", Model: "FortiGate 200F", Version: "7.2.8",
		CPE: "cpe:2.3:o:fortinet:fortios:7.2.8:*:*:*:*:*:*:*", Role: reporting.RoleVPNGateway, InternetFacing: true,
		Facility: "Head office remote access"},
	{Name: "scada-hist-1", Product: "Historian", Vendor: "Example Controls", Version: "4.1",
		Role: reporting.RoleSCADAServer, Facility: "Kanto load dispatch centre"},
	{Name: "dmz-fw-1", Product: "PAN-OS", Vendor: "Palo Alto Networks", Version: "10.2.9",
		CPE: "cpe:2.3:o:paloaltonetworks:pan-os:10.2.9:*:*:*:*:*:*:*", Role: reporting.RoleFirewall, InternetFacing: true,
		Facility: "Kanto load dispatch centre"},
}

// LoadReporting designates every demo operator, and gives the first demo
// operator its specified critical computers and a quick report, unless it
// has some already. Like Load, it is idempotent.
func LoadReporting(ctx context.Context, svc *auth.Service, rep *reporting.Service, now time.Time) error {
	cabinet := &auth.Principal{UserID: "cli:demo", Username: "demo", Via: auth.ViaCLI, Roles: []auth.Role{auth.RoleAnalyst}}
	ops, err := rep.Operators(ctx, cabinet)
	if err != nil {
		return err
	}
	demoNames := map[string]bool{}
	for _, spec := range append(append([]orgSpec{}, operators...), moreOperators...) {
		demoNames[spec.org.Name] = true
	}
	for _, op := range ops {
		if op.Designated || !demoNames[op.Org.Name] {
			continue
		}
		if _, err := rep.Designate(ctx, cabinet, op.Org.ID, true, "Designated under the Economic Security Promotion Act (demo data)"); err != nil {
			return fmt.Errorf("designate %s: %w", op.Org.Name, err)
		}
	}
	u, err := svc.UserByUsername(ctx, "operator")
	if err != nil {
		return err
	}
	org, err := svc.Org(ctx, u.OrgID)
	if err != nil {
		return err
	}
	p := &auth.Principal{UserID: u.ID, Username: u.Username, OrgID: org.ID, OrgKind: org.Kind, Sectors: org.Sectors,
		Roles: []auth.Role{auth.RoleOperator}, Via: auth.ViaCLI}
	have, err := rep.Assets(ctx, p, reporting.AssetFilter{OrgID: org.ID})
	if err != nil {
		return err
	}
	if len(have) > 0 {
		return nil
	}
	var ids []string
	for _, a := range demoAssets {
		cc, err := rep.CreateAsset(ctx, p, a)
		if err != nil {
			return fmt.Errorf("demo asset %s: %w", a.Name, err)
		}
		ids = append(ids, cc.ID)
	}
	_, err = rep.Submit(ctx, p, "", reporting.Submission{Stage: reporting.StageQuick, Content: reporting.Content{
		Kind:           reporting.KindIncident,
		Summary:        "Repeated failed VPN logins from abroad, then one successful login with a maintenance account.",
		AwareAt:        now.Add(-3 * time.Hour).UTC(),
		AffectedAssets: ids[:1],
		Status:         reporting.StatusContained,
		StatusDetail:   "Account disabled; VPN restricted to known addresses.",
		Contact:        reporting.Contact{Name: "Security operations desk", Email: "soc@kanto-electric.demo.acd.invalid", Phone: "+81 3-0000-0000"},
	}}, reporting.ViaWeb, reporting.Idem{})
	return err
}
