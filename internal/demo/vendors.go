package demo

import (
	"context"
	"fmt"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/vuln/vendors"
)

// LoadVendors gives §42 something to show, unless the demo vendor has
// products already: Example Network Devices K.K., the demo vendor (the
// Japanese distributor of PAN-OS, a seller under §42), registers PAN-OS
// with its support period, and the Cabinet Office sends it a request to
// act on CVE-2024-3400, which affects Kanto Electric's firewall dmz-fw-1.
// The request waits for the vendor's answer (log in as "vendor"). Run it
// after LoadReporting and LoadVulns.
func LoadVendors(ctx context.Context, svc *auth.Service, vs *vendors.Service) error {
	vendor, err := principal(ctx, svc, "vendor")
	if err != nil {
		return err
	}
	if ps, err := vs.Products(ctx, vendor, ""); err != nil || len(ps) > 0 {
		return err
	}
	analyst, err := principal(ctx, svc, "analyst")
	if err != nil {
		return err
	}
	if _, err := vs.CreateProduct(ctx, vendor, vendors.ProductInput{Name: "PAN-OS",
		CPE: "cpe:2.3:o:paloaltonetworks:pan-os:*:*:*:*:*:*:*:*", RecordVendor: "Palo Alto Networks", RecordProduct: "PAN-OS",
		SupportEnds: "2027-08-31", SupportPolicy: "Each feature release is supported for 36 months after its first release (demo data)."}); err != nil {
		return fmt.Errorf("demo vendor product: %w", err)
	}
	if _, err := vs.Send(ctx, analyst, vendors.SendInput{VulnID: "CVE-2024-3400", OrgID: vendor.OrgID,
		Message: "PAN-OS 10.2.9 runs on a specified critical computer exposed to the internet. Please state the fixed versions, " +
			"a mitigation until the hotfix is applied, how operators check for compromise, and the end of support (demo data)."}); err != nil {
		return fmt.Errorf("demo request to act: %w", err)
	}
	return nil
}
