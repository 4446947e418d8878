package match_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/product"
	"github.com/acd-platform/acd/internal/vuln/cve"
	"github.com/acd-platform/acd/internal/vuln/match"
)

// recordsDir holds the real records, kept with the package that reads
// them; its README says where each came from.
const recordsDir = "../cve/testdata/records"

// kevCatalogue is CISA's KEV catalogue, outside the repository.
const kevCatalogue = "../../../../shared/reference/kev/known_exploited_vulnerabilities.json"

// TestKEVRecords matches assets against real records of vulnerabilities
// in CISA's KEV catalogue: an asset at an affected version matches, its
// neighbours just outside the ranges do not.
func TestKEVRecords(t *testing.T) {
	records := []struct {
		file, id, kevVendor string
	}{
		{"cve5/CVE-2023-46805.json", "CVE-2023-46805", "Ivanti"},
		{"cve5/CVE-2022-42475.json", "CVE-2022-42475", "Fortinet"},
		{"nvd/CVE-2022-42475.json", "CVE-2022-42475", "Fortinet"},
		{"cve5/CVE-2023-46604.json", "CVE-2023-46604", "Apache"},
		{"cve5/CVE-2024-3400.json", "CVE-2024-3400", "Palo Alto Networks"},
		{"nvd/CVE-2023-1389.json", "CVE-2023-1389", "TP-Link"},
	}
	kev := readKEV(t)
	for _, r := range records {
		if got, ok := kev[r.id]; !ok || got != r.kevVendor {
			t.Errorf("%s: KEV vendorProject %q (listed %v), want %q", r.id, got, ok, r.kevVendor)
		}
	}

	tests := []struct {
		file  string
		asset string // a CPE name or a package URL
		want  bool
	}{
		// Ivanti's record writes each branch as version = lessThanOrEqual,
		// which by the CVE 5 algorithm is that one version; it has no CPE,
		// so the CPE is derived from "Ivanti" and "ICS"/"IPS".
		{"cve5/CVE-2023-46805.json", "cpe:2.3:a:ivanti:ics:9.1R18:*:*:*:*:*:*:*", true},
		{"cve5/CVE-2023-46805.json", "cpe:2.3:a:ivanti:ics:22.6R2:*:*:*:*:*:*:*", true},
		{"cve5/CVE-2023-46805.json", "cpe:2.3:a:ivanti:ics:9.1R19:*:*:*:*:*:*:*", false},
		{"cve5/CVE-2023-46805.json", "cpe:2.3:a:ivanti:ics:22.7R1:*:*:*:*:*:*:*", false},
		{"cve5/CVE-2023-46805.json", "cpe:2.3:a:ivanti:ips:22.6R1:*:*:*:*:*:*:*", true},
		{"cve5/CVE-2023-46805.json", "cpe:2.3:a:ivanti:ips:22.6R2:*:*:*:*:*:*:*", false},
		// NVD names the product connect_secure: the derived CPE does not match it.
		{"cve5/CVE-2023-46805.json", "cpe:2.3:a:ivanti:connect_secure:9.1:r18:*:*:*:*:*:*", false},

		// Fortinet's CVE 5 record: branches with lessThanOrEqual.
		{"cve5/CVE-2022-42475.json", "cpe:2.3:o:fortinet:fortios:7.2.2:*:*:*:*:*:*:*", true},
		{"cve5/CVE-2022-42475.json", "cpe:2.3:o:fortinet:fortios:7.2.3:*:*:*:*:*:*:*", false},
		{"cve5/CVE-2022-42475.json", "cpe:2.3:o:fortinet:fortios:7.0.0:*:*:*:*:*:*:*", true},
		{"cve5/CVE-2022-42475.json", "cpe:2.3:o:fortinet:fortios:6.0.15:*:*:*:*:*:*:*", true},
		{"cve5/CVE-2022-42475.json", "cpe:2.3:o:fortinet:fortios:6.0.16:*:*:*:*:*:*:*", false},
		{"cve5/CVE-2022-42475.json", "cpe:2.3:o:fortinet:fortios:6.4.11:*:*:*:*:*:*:*", false},
		{"cve5/CVE-2022-42475.json", "cpe:2.3:o:fortinet:fortios:7.4.0:*:*:*:*:*:*:*", false},
		{"cve5/CVE-2022-42475.json", "cpe:2.3:a:fortinet:fortiproxy:7.0.7:*:*:*:*:*:*:*", true},
		{"cve5/CVE-2022-42475.json", "cpe:2.3:a:fortinet:fortiproxy:7.0.8:*:*:*:*:*:*:*", false},
		{"cve5/CVE-2022-42475.json", "cpe:2.3:a:fortinet:fortiproxy:2.0.12:*:*:*:*:*:*:*", false},
		// An asset whose version is not known does not match a range.
		{"cve5/CVE-2022-42475.json", "cpe:2.3:o:fortinet:fortios:*:*:*:*:*:*:*:*", false},

		// NVD's configurations of the same vulnerability.
		{"nvd/CVE-2022-42475.json", "cpe:2.3:o:fortinet:fortios:5.0.14:*:*:*:*:*:*:*", true},
		{"nvd/CVE-2022-42475.json", "cpe:2.3:o:fortinet:fortios:5.0.15:*:*:*:*:*:*:*", false},
		{"nvd/CVE-2022-42475.json", "cpe:2.3:o:fortinet:fortios:6.0.15:*:*:*:*:*:*:*", true},
		{"nvd/CVE-2022-42475.json", "cpe:2.3:o:fortinet:fortios:6.0.16:*:*:*:*:*:*:*", false},
		{"nvd/CVE-2022-42475.json", "cpe:2.3:o:fortinet:fortios:7.2.2:*:*:*:*:*:*:*", true},
		{"nvd/CVE-2022-42475.json", "cpe:2.3:o:fortinet:fortios:7.2.3:*:*:*:*:*:*:*", false},
		{"nvd/CVE-2022-42475.json", "cpe:2.3:a:fortinet:fortiproxy:7.0.7:*:*:*:*:*:*:*", true},
		{"nvd/CVE-2022-42475.json", "cpe:2.3:a:fortinet:fortiproxy:7.0.8:*:*:*:*:*:*:*", false},
		// The criteria's part is given: an application, not an OS.
		{"nvd/CVE-2022-42475.json", "cpe:2.3:o:fortinet:fortiproxy:7.0.7:*:*:*:*:*:*:*", false},
		// The hardware of the AND configuration is not itself vulnerable.
		{"nvd/CVE-2022-42475.json", "cpe:2.3:h:fortinet:fortigate-6300f:-:*:*:*:*:*:*:*", false},

		// ActiveMQ: Maven packages with semver ranges.
		{"cve5/CVE-2023-46604.json", "pkg:maven/org.apache.activemq/activemq-client@5.18.2", true},
		{"cve5/CVE-2023-46604.json", "pkg:maven/org.apache.activemq/activemq-client@5.18.3", false},
		{"cve5/CVE-2023-46604.json", "pkg:maven/org.apache.activemq/activemq-client@5.17.6", false},
		{"cve5/CVE-2023-46604.json", "pkg:maven/org.apache.activemq/activemq-client@5.16.6", true},
		{"cve5/CVE-2023-46604.json", "pkg:maven/org.apache.activemq/activemq-client@5.15.15", true},
		{"cve5/CVE-2023-46604.json", "pkg:maven/org.apache.activemq/activemq-client@5.15.16", false},
		{"cve5/CVE-2023-46604.json", "pkg:maven/org.apache.activemq/activemq-client@5.1.0", true},
		{"cve5/CVE-2023-46604.json", "pkg:maven/org.apache.activemq/activemq-openwire-legacy@5.8.0", true},
		{"cve5/CVE-2023-46604.json", "pkg:maven/org.apache.activemq/activemq-openwire-legacy@5.7.0", false},
		{"cve5/CVE-2023-46604.json", "pkg:maven/org.apache.activemq/activemq-broker@5.18.2", false},

		// PAN-OS: the CISA ADP's CPE (paloaltonetworks:pan-os) and the CNA's derived one.
		{"cve5/CVE-2024-3400.json", "cpe:2.3:o:paloaltonetworks:pan-os:10.2.9:*:*:*:*:*:*:*", true},
		{"cve5/CVE-2024-3400.json", "cpe:2.3:o:paloaltonetworks:pan-os:10.2.9-h1:*:*:*:*:*:*:*", false},
		{"cve5/CVE-2024-3400.json", "cpe:2.3:o:paloaltonetworks:pan-os:10.2.9:h1:*:*:*:*:*:*", false},
		{"cve5/CVE-2024-3400.json", "cpe:2.3:o:paloaltonetworks:pan-os:11.0.3:*:*:*:*:*:*:*", true},
		{"cve5/CVE-2024-3400.json", "cpe:2.3:o:paloaltonetworks:pan-os:11.0.4-h1:*:*:*:*:*:*:*", false},
		{"cve5/CVE-2024-3400.json", "cpe:2.3:o:paloaltonetworks:pan-os:11.1.2-h1:*:*:*:*:*:*:*", true},
		{"cve5/CVE-2024-3400.json", "cpe:2.3:o:paloaltonetworks:pan-os:11.1.2-h3:*:*:*:*:*:*:*", false},
		{"cve5/CVE-2024-3400.json", "cpe:2.3:o:paloaltonetworks:pan-os:10.1.0:*:*:*:*:*:*:*", false},
		{"cve5/CVE-2024-3400.json", "cpe:2.3:o:paloaltonetworks:pan-os:9.1.0:*:*:*:*:*:*:*", false},
		{"cve5/CVE-2024-3400.json", "cpe:2.3:o:palo_alto_networks:pan-os:10.2.5:*:*:*:*:*:*:*", true},
		{"cve5/CVE-2024-3400.json", "cpe:2.3:a:palo_alto_networks:cloud_ngfw:1.0:*:*:*:*:*:*:*", false},

		// TP-Link: firmware before 1.1.4 on the Archer AX21.
		{"nvd/CVE-2023-1389.json", "cpe:2.3:o:tp-link:archer_ax21_firmware:1.1.3:*:*:*:*:*:*:*", true},
		{"nvd/CVE-2023-1389.json", "cpe:2.3:o:tp-link:archer_ax21_firmware:1.1.4:*:*:*:*:*:*:*", false},
		{"nvd/CVE-2023-1389.json", "cpe:2.3:h:tp-link:archer_ax21:-:*:*:*:*:*:*:*", false},
	}

	vulns := map[string]*cve.Vulnerability{}
	for _, r := range records {
		b, err := os.ReadFile(filepath.Join(recordsDir, r.file))
		if err != nil {
			t.Fatal(err)
		}
		v, err := cve.Parse(b)
		if err != nil {
			t.Fatalf("%s: %v", r.file, err)
		}
		v.ID += "/" + r.file // two records of one CVE, kept apart here
		vulns[r.file] = v
	}

	// One at a time, with AffectsCPE and AffectsPURL.
	var assets []match.Asset
	want := map[match.Pair]bool{}
	for i, tt := range tests {
		v := vulns[tt.file]
		a := match.Asset{ID: tt.asset + "#" + tt.file, Org: "op", Sector: "electricity"}
		got := false
		if c, err := product.ParseCPE(tt.asset); err == nil {
			a.CPE = &c
			got = slices.ContainsFunc(v.Affected, func(af cve.Affected) bool { return match.AffectsCPE(&af, c) })
		} else {
			p := purl(t, tt.asset)
			a.PURL = &p
			got = slices.ContainsFunc(v.Affected, func(af cve.Affected) bool { return match.AffectsPURL(&af, p) })
		}
		if got != tt.want {
			t.Errorf("%d: %s affects %s = %v, want %v", i, tt.file, tt.asset, got, tt.want)
		}
		assets = append(assets, a)
		if tt.want {
			want[match.Pair{Asset: a.ID, Org: "op", Sector: "electricity", Vuln: v.ID}] = true
		}
	}

	// All at once, through an Index: each asset is matched against every
	// record, so keep only the pairs of the record the row is about.
	ix := match.NewIndex()
	var vs []*cve.Vulnerability
	for _, r := range records {
		vs = append(vs, vulns[r.file])
	}
	if err := ix.Load(assets, vs); err != nil {
		t.Fatal(err)
	}
	got := map[match.Pair]bool{}
	for p := range ix.Pairs() {
		_, file, _ := strings.Cut(p.Vuln, "/")
		_, afile, _ := strings.Cut(p.Asset, "#")
		if file == afile {
			p.Affected = 0
			got[p] = true
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Index pairs (-want +got):\n%s", diff)
	}
}

// readKEV reads CISA's catalogue: CVE id → vendorProject. It skips the
// test when the catalogue is not there.
func readKEV(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile(kevCatalogue)
	if os.IsNotExist(err) {
		t.Skipf("CISA KEV catalogue not found at %s (the shared reference data sits next to the repository)", kevCatalogue)
	}
	if err != nil {
		t.Fatal(err)
	}
	var cat struct {
		Vulnerabilities []struct {
			CVEID         string `json:"cveID"`
			VendorProject string `json:"vendorProject"`
		} `json:"vulnerabilities"`
	}
	if err := json.Unmarshal(b, &cat); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, v := range cat.Vulnerabilities {
		out[v.CVEID] = v.VendorProject
	}
	return out
}
