package demo

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/vuln"
)

// vulnRecords are real CVE JSON 5 records of vulnerabilities in CISA's
// KEV catalogue, as published in github.com/CVEProject/cvelistV5
// (CVE-2024-3400: cves/2024/3xxx/CVE-2024-3400.json at commit
// 15e82d55e42cccf5cb84687e42c5490862ba2976).
//
//go:embed vulns/*.json
var vulnRecords embed.FS

// LoadVulns imports the demo's vulnerability records, unless the
// vulnerability is known already, and marks CVE-2024-3400 (PAN-OS
// GlobalProtect) exploited in Japan: Kanto Electric's firewall dmz-fw-1
// runs PAN-OS 10.2.9, which the record says is affected, so the operator
// is told and the catalogue has an entry.
func LoadVulns(ctx context.Context, svc *auth.Service, vs *vuln.Service, now time.Time) error {
	analyst, err := principal(ctx, svc, "analyst")
	if err != nil {
		return err
	}
	if _, err := vs.Vulnerability(ctx, analyst, "CVE-2024-3400"); err == nil {
		return nil
	}
	data, err := vulnRecords.ReadFile("vulns/CVE-2024-3400.json")
	if err != nil {
		return err
	}
	res, err := vs.Import(ctx, analyst, bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("demo vulnerability import: %w", err)
	}
	if res.RejectedCount > 0 {
		return fmt.Errorf("demo vulnerability import: %d records rejected: %+v", res.RejectedCount, res.Rejected)
	}
	_, err = vs.SetExploited(ctx, analyst, "CVE-2024-3400", vuln.ExploitedInput{Exploited: true,
		Date: now.UTC().AddDate(0, 0, -3).Format(time.DateOnly),
		Note: "Exploitation attempts against GlobalProtect gateways of two operators (demo data).",
		CatalogueFields: vuln.CatalogueFields{
			RequiredAction: "Apply the vendor's hotfix (PAN-OS 10.2.9-h1 or later) and check the gateway for signs of compromise.",
		}})
	if err != nil {
		return fmt.Errorf("demo exploited mark: %w", err)
	}
	return nil
}
