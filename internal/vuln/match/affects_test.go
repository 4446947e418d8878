package match_test

import (
	"testing"

	"github.com/acd-platform/acd/internal/product"
	"github.com/acd-platform/acd/internal/vuln/cve"
	"github.com/acd-platform/acd/internal/vuln/match"
)

// purl parses a package URL for a test.
func purl(t *testing.T, s string) product.PURL {
	t.Helper()
	p, err := product.ParsePURL(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// rng is an affected range for the tables below.
func rng(scheme, start string, startExcl bool, end string, endIncl bool) cve.Versions {
	return cve.Versions{Default: cve.StatusUnaffected, Ranges: []cve.Range{{
		Status: cve.StatusAffected, Scheme: scheme, Start: start, StartExcluded: startExcl, End: end, EndIncluded: endIncl,
	}}}
}

func TestAffectsCPE(t *testing.T) {
	every := cve.Versions{Default: cve.StatusAffected}
	tests := []struct {
		name     string
		criteria string
		versions cve.Versions
		asset    string
		want     bool
	}{
		// Exact version in the criteria, no range (NVD style).
		{"exact", "cpe:2.3:a:ivanti:connect_secure:9.1:r18:*:*:*:*:*:*", every, "cpe:2.3:a:ivanti:connect_secure:9.1:r18:*:*:*:*:*:*", true},
		{"exact-other-update", "cpe:2.3:a:ivanti:connect_secure:9.1:r18:*:*:*:*:*:*", every, "cpe:2.3:a:ivanti:connect_secure:9.1:r17:*:*:*:*:*:*", false},
		// The asset does not say its update: the criteria is narrower (SUBSET), not affected.
		{"exact-asset-update-any", "cpe:2.3:a:ivanti:connect_secure:9.1:r18:*:*:*:*:*:*", every, "cpe:2.3:a:ivanti:connect_secure:9.1:*:*:*:*:*:*:*", false},
		// Versions are equal as versions, not only as strings.
		{"exact-version-equality", "cpe:2.3:o:fortinet:fortios:7.4:*:*:*:*:*:*:*", every, "cpe:2.3:o:fortinet:fortios:7.4.0:*:*:*:*:*:*:*", true},
		// ANY covers everything, the asset's version ANY too when every version is affected.
		{"any-all", "cpe:2.3:a:acme:vpn:*:*:*:*:*:*:*:*", every, "cpe:2.3:a:acme:vpn:*:*:*:*:*:*:*:*", true},
		{"any-all-na", "cpe:2.3:a:acme:vpn:*:*:*:*:*:*:*:*", every, "cpe:2.3:a:acme:vpn:-:*:*:*:*:*:*:*", true},
		// A range needs the asset's version.
		{"range-asset-any", "cpe:2.3:a:acme:vpn:*:*:*:*:*:*:*:*", rng("", "1.0", false, "2.0", false), "cpe:2.3:a:acme:vpn:*:*:*:*:*:*:*:*", false},
		{"range-asset-na", "cpe:2.3:a:acme:vpn:*:*:*:*:*:*:*:*", rng("", "1.0", false, "2.0", false), "cpe:2.3:a:acme:vpn:-:*:*:*:*:*:*:*", false},
		// NA in the criteria: only NA.
		{"na-na", "cpe:2.3:h:tp-link:archer_ax21:-:*:*:*:*:*:*:*", every, "cpe:2.3:h:tp-link:archer_ax21:-:*:*:*:*:*:*:*", true},
		{"na-version", "cpe:2.3:h:tp-link:archer_ax21:-:*:*:*:*:*:*:*", every, "cpe:2.3:h:tp-link:archer_ax21:1.0:*:*:*:*:*:*:*", false},
		// Wildcards in the criteria.
		{"wild-version", "cpe:2.3:a:microsoft:internet_explorer:8.*:*:*:*:*:*:*:*", every, "cpe:2.3:a:microsoft:internet_explorer:8.0.6001:*:*:*:*:*:*:*", true},
		{"wild-version-no", "cpe:2.3:a:microsoft:internet_explorer:8.*:*:*:*:*:*:*:*", every, "cpe:2.3:a:microsoft:internet_explorer:9.0:*:*:*:*:*:*:*", false},
		{"wild-update", "cpe:2.3:a:microsoft:internet_explorer:8.0.6001:sp?:*:*:*:*:*:*", every, "cpe:2.3:a:microsoft:internet_explorer:8.0.6001:sp2:*:*:*:*:*:*", true},
		{"wild-product", "cpe:2.3:a:acme:vpn_*:*:*:*:*:*:*:*:*", every, "cpe:2.3:a:acme:vpn_gateway:3:*:*:*:*:*:*:*", true},
		{"wild-product-no", "cpe:2.3:a:acme:vpn_*:*:*:*:*:*:*:*:*", every, "cpe:2.3:a:acme:firewall:3:*:*:*:*:*:*:*", false},
		{"any-vendor", "cpe:2.3:a:*:openssl:*:*:*:*:*:*:*:*", every, "cpe:2.3:a:openssl:openssl:3.0.1:*:*:*:*:*:*:*", true},
		// Part: a derived CPE has part ANY; a given part must agree.
		{"part-any", "cpe:2.3:*:fortinet:fortios:*:*:*:*:*:*:*:*", every, "cpe:2.3:o:fortinet:fortios:7.2.1:*:*:*:*:*:*:*", true},
		{"part-differs", "cpe:2.3:a:fortinet:fortios:*:*:*:*:*:*:*:*", every, "cpe:2.3:o:fortinet:fortios:7.2.1:*:*:*:*:*:*:*", false},
		// Other attributes: the criteria's target_sw must cover the asset's.
		{"target-sw", "cpe:2.3:a:acme:plugin:*:*:*:*:*:wordpress:*:*", every, "cpe:2.3:a:acme:plugin:1.0:*:*:*:*:wordpress:*:*", true},
		{"target-sw-any-asset", "cpe:2.3:a:acme:plugin:*:*:*:*:*:wordpress:*:*", every, "cpe:2.3:a:acme:plugin:1.0:*:*:*:*:*:*:*", false},
		{"target-sw-other", "cpe:2.3:a:acme:plugin:*:*:*:*:*:wordpress:*:*", every, "cpe:2.3:a:acme:plugin:1.0:*:*:*:*:joomla:*:*", false},
		// Range ends included and excluded.
		{"start-incl", "cpe:2.3:o:fortinet:fortios:*:*:*:*:*:*:*:*", rng("", "7.0.0", false, "7.0.9", false), "cpe:2.3:o:fortinet:fortios:7.0.0:*:*:*:*:*:*:*", true},
		{"start-excl", "cpe:2.3:o:fortinet:fortios:*:*:*:*:*:*:*:*", rng("", "7.0.0", true, "7.0.9", false), "cpe:2.3:o:fortinet:fortios:7.0.0:*:*:*:*:*:*:*", false},
		{"below-start", "cpe:2.3:o:fortinet:fortios:*:*:*:*:*:*:*:*", rng("", "7.0.0", false, "7.0.9", false), "cpe:2.3:o:fortinet:fortios:6.4.15:*:*:*:*:*:*:*", false},
		{"end-excl", "cpe:2.3:o:fortinet:fortios:*:*:*:*:*:*:*:*", rng("", "7.0.0", false, "7.0.9", false), "cpe:2.3:o:fortinet:fortios:7.0.9:*:*:*:*:*:*:*", false},
		{"end-excl-below", "cpe:2.3:o:fortinet:fortios:*:*:*:*:*:*:*:*", rng("", "7.0.0", false, "7.0.9", false), "cpe:2.3:o:fortinet:fortios:7.0.8:*:*:*:*:*:*:*", true},
		{"end-incl", "cpe:2.3:o:fortinet:fortios:*:*:*:*:*:*:*:*", rng("", "7.0.0", false, "7.0.9", true), "cpe:2.3:o:fortinet:fortios:7.0.9:*:*:*:*:*:*:*", true},
		{"end-incl-above", "cpe:2.3:o:fortinet:fortios:*:*:*:*:*:*:*:*", rng("", "7.0.0", false, "7.0.9", true), "cpe:2.3:o:fortinet:fortios:7.0.10:*:*:*:*:*:*:*", false},
		{"no-start", "cpe:2.3:o:tp-link:archer_ax21_firmware:*:*:*:*:*:*:*:*", rng("", "", false, "1.1.4", false), "cpe:2.3:o:tp-link:archer_ax21_firmware:1.1.3:*:*:*:*:*:*:*", true},
		// Pre-releases: rc of the fixed version is still affected.
		{"pre-release-of-end", "cpe:2.3:a:acme:lib:*:*:*:*:*:*:*:*", rng("", "1.0", false, "2.0.0", false), "cpe:2.3:a:acme:lib:2.0.0-rc1:*:*:*:*:*:*:*", true},
		{"pre-release-of-start", "cpe:2.3:a:acme:lib:*:*:*:*:*:*:*:*", rng("", "2.0.0", false, "3.0", false), "cpe:2.3:a:acme:lib:2.0.0-beta:*:*:*:*:*:*:*", false},
		// Semver vs dotted: "-h1" is a hotfix under Generic, a pre-release under semver.
		{"hotfix-generic", "cpe:2.3:o:paloaltonetworks:pan-os:*:*:*:*:*:*:*:*", rng("custom", "10.2.0", false, "10.2.9", true), "cpe:2.3:o:paloaltonetworks:pan-os:10.2.9-h1:*:*:*:*:*:*:*", false},
		{"hotfix-semver", "cpe:2.3:o:paloaltonetworks:pan-os:*:*:*:*:*:*:*:*", rng("semver", "10.2.0", false, "10.2.9", true), "cpe:2.3:o:paloaltonetworks:pan-os:10.2.9-h1:*:*:*:*:*:*:*", true},
		// The asset's update is part of its version for ranges.
		{"update-appended", "cpe:2.3:o:paloaltonetworks:pan-os:*:*:*:*:*:*:*:*", rng("custom", "10.2.0", false, "10.2.9-h1", false), "cpe:2.3:o:paloaltonetworks:pan-os:10.2.9:h1:*:*:*:*:*:*", false},
		{"update-appended-below", "cpe:2.3:o:paloaltonetworks:pan-os:*:*:*:*:*:*:*:*", rng("custom", "10.2.0", false, "10.2.9-h1", false), "cpe:2.3:o:paloaltonetworks:pan-os:10.2.9:-:*:*:*:*:*:*", true},
		// Other vendor or product: never.
		{"other-product", "cpe:2.3:o:fortinet:fortios:*:*:*:*:*:*:*:*", every, "cpe:2.3:a:fortinet:fortiproxy:7.0.1:*:*:*:*:*:*:*", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cpe(t, tt.criteria)
			a := cve.Affected{CPE: &c, Versions: tt.versions}
			if got := match.AffectsCPE(&a, cpe(t, tt.asset)); got != tt.want {
				t.Errorf("AffectsCPE(%s %+v, %s) = %v, want %v", tt.criteria, tt.versions, tt.asset, got, tt.want)
			}
		})
	}
}

func TestAffectsPURL(t *testing.T) {
	semverRange := rng("semver", "5.18.0", false, "5.18.3", false)
	tests := []struct {
		name     string
		affected string
		versions cve.Versions
		asset    string
		want     bool
	}{
		{"in-range", "pkg:maven/org.apache.activemq/activemq-client", semverRange, "pkg:maven/org.apache.activemq/activemq-client@5.18.2", true},
		{"fixed", "pkg:maven/org.apache.activemq/activemq-client", semverRange, "pkg:maven/org.apache.activemq/activemq-client@5.18.3", false},
		{"other-name", "pkg:maven/org.apache.activemq/activemq-client", semverRange, "pkg:maven/org.apache.activemq/activemq-broker@5.18.2", false},
		{"other-namespace", "pkg:maven/org.apache.activemq/activemq-client", semverRange, "pkg:maven/com.example/activemq-client@5.18.2", false},
		{"other-type", "pkg:maven/org.apache.activemq/activemq-client", semverRange, "pkg:gradle/org.apache.activemq/activemq-client@5.18.2", false},
		{"no-version", "pkg:maven/org.apache.activemq/activemq-client", semverRange, "pkg:maven/org.apache.activemq/activemq-client", false},
		{"no-version-all", "pkg:maven/org.apache.activemq/activemq-client", cve.Versions{Default: cve.StatusAffected}, "pkg:maven/org.apache.activemq/activemq-client", true},
		// Qualifiers the affected PURL gives must match; others are free.
		{"qualifier-match", "pkg:deb/debian/openssl?arch=amd64", rng("", "", false, "3.0.11", false), "pkg:deb/debian/openssl@3.0.9?arch=amd64&distro=bookworm", true},
		{"qualifier-other", "pkg:deb/debian/openssl?arch=amd64", rng("", "", false, "3.0.11", false), "pkg:deb/debian/openssl@3.0.9?arch=arm64", false},
		{"qualifier-missing", "pkg:deb/debian/openssl?arch=amd64", rng("", "", false, "3.0.11", false), "pkg:deb/debian/openssl@3.0.9", false},
		{"asset-qualifier-extra", "pkg:deb/debian/openssl", rng("", "", false, "3.0.11", false), "pkg:deb/debian/openssl@3.0.9?arch=arm64", true},
		// Subpath.
		{"subpath", "pkg:golang/github.com/acme/mod#sub", cve.Versions{Default: cve.StatusAffected}, "pkg:golang/github.com/acme/mod@v1.2.3#sub/pkg", true},
		{"subpath-other", "pkg:golang/github.com/acme/mod#sub", cve.Versions{Default: cve.StatusAffected}, "pkg:golang/github.com/acme/mod@v1.2.3#other", false},
		// A version in the affected PURL is one version.
		{"purl-version", "pkg:npm/left-pad@1.0.0", cve.Versions{Default: cve.StatusAffected}, "pkg:npm/left-pad@1.0.0", true},
		{"purl-version-other", "pkg:npm/left-pad@1.0.0", cve.Versions{Default: cve.StatusAffected}, "pkg:npm/left-pad@1.0.1", false},
		// Semver pre-release inside a range.
		{"semver-pre", "pkg:npm/%40acme/ui", rng("semver", "2.0.0-alpha", false, "2.0.0", false), "pkg:npm/%40acme/ui@2.0.0-beta.3", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := purl(t, tt.affected)
			a := cve.Affected{PURL: &p, Versions: tt.versions}
			if got := match.AffectsPURL(&a, purl(t, tt.asset)); got != tt.want {
				t.Errorf("AffectsPURL(%s %+v, %s) = %v, want %v", tt.affected, tt.versions, tt.asset, got, tt.want)
			}
		})
	}
}
