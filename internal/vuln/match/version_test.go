package match_test

import (
	"testing"

	"github.com/acd-platform/acd/internal/vuln/cve"
	"github.com/acd-platform/acd/internal/vuln/match"
)

func TestCompareVersions(t *testing.T) {
	tests := []struct {
		scheme match.Scheme
		a, b   string
		want   int
	}{
		// Dotted numeric: numbers compare as numbers, not strings.
		{match.Generic, "1.10", "1.9", 1},
		{match.Generic, "10.2.9", "10.2.10", -1},
		{match.Generic, "1.02", "1.2", 0},
		// Trailing zeros do not count.
		{match.Generic, "7.4", "7.4.0", 0},
		{match.Generic, "7.4.0.0", "7.4", 0},
		{match.Generic, "1.0.1", "1.0", 1},
		// Pre-releases sort before the release.
		{match.Generic, "1.0-rc1", "1.0", -1},
		{match.Generic, "1.0.0-rc1", "1.0-rc1", 0},
		{match.Generic, "1.0-alpha", "1.0-beta", -1},
		{match.Generic, "1.0-beta2", "1.0-rc1", -1},
		{match.Generic, "2.0-beta9", "2.0", -1},
		{match.Generic, "2.0.dev1", "2.0a1", -1},
		{match.Generic, "1.0a1", "1.0", -1},   // PEP 440 alpha
		{match.Generic, "1.0~rc1", "1.0", -1}, // Debian "~"
		{match.Generic, "6.0.0-SNAPSHOT", "6.0.0", -1},
		// A letter after a number with nothing after it is a patch letter.
		{match.Generic, "1.1.1w", "1.1.1", 1},
		{match.Generic, "17.9.4a", "17.9.4", 1},
		{match.Generic, "17.9.4a", "17.9.5", -1},
		// Vendor schemes.
		{match.Generic, "9.1R18", "22.6R2", -1},
		{match.Generic, "9.1R18", "9.1R9", 1},
		{match.Generic, "9.1R18.1", "9.1R18", 1},
		{match.Generic, "10.2.9-h1", "10.2.9", 1},
		{match.Generic, "10.2.9-h1", "10.2.10", -1},
		{match.Generic, "10.2.9-h12", "10.2.9-h3", 1},
		{match.Generic, "8u291", "8u301", -1},
		// Epochs, a leading "v", case.
		{match.Generic, "2:1.0", "3.0", 1},
		{match.Generic, "v1.2.3", "1.2.3", 0},
		{match.Generic, "1.0-RC1", "1.0-rc1", 0},

		// Semantic Versioning 2.0.0 §11's example order.
		{match.Semver, "1.0.0-alpha", "1.0.0-alpha.1", -1},
		{match.Semver, "1.0.0-alpha.1", "1.0.0-alpha.beta", -1},
		{match.Semver, "1.0.0-alpha.beta", "1.0.0-beta", -1},
		{match.Semver, "1.0.0-beta", "1.0.0-beta.2", -1},
		{match.Semver, "1.0.0-beta.2", "1.0.0-beta.11", -1},
		{match.Semver, "1.0.0-beta.11", "1.0.0-rc.1", -1},
		{match.Semver, "1.0.0-rc.1", "1.0.0", -1},
		{match.Semver, "2.0.0", "2.1.0", -1},
		{match.Semver, "2.1.0", "2.1.1", -1},
		// Build metadata is ignored; a missing minor or patch is zero.
		{match.Semver, "1.0.0+20130313144700", "1.0.0", 0},
		{match.Semver, "v1.2", "1.2.0", 0},
		// Where semver and Generic differ: under semver "-h1" is a
		// pre-release.
		{match.Semver, "10.2.9-h1", "10.2.9", -1},
		// Not semver ("9.1R18", four numbers): ordered as Generic.
		{match.Semver, "9.1R18", "22.6R2", -1},
		{match.Semver, "5.18.2.1", "5.18.3", -1},

		// Git: equal or not.
		{match.Git, "A1B2C3D", "a1b2c3d", 0},
	}
	for _, tt := range tests {
		t.Run(tt.scheme.String()+"|"+tt.a+"|"+tt.b, func(t *testing.T) {
			if got := match.CompareVersions(tt.scheme, tt.a, tt.b); got != tt.want {
				t.Errorf("CompareVersions(%s, %q, %q) = %d, want %d", tt.scheme, tt.a, tt.b, got, tt.want)
			}
			if got := match.CompareVersions(tt.scheme, tt.b, tt.a); got != -tt.want {
				t.Errorf("CompareVersions(%s, %q, %q) = %d, want %d", tt.scheme, tt.b, tt.a, got, -tt.want)
			}
		})
	}
}

func TestSchemeFor(t *testing.T) {
	tests := []struct {
		in   string
		want match.Scheme
	}{
		{"semver", match.Semver}, {"npm", match.Semver}, {"git", match.Git},
		{"custom", match.Generic}, {"maven", match.Generic}, {"python", match.Generic},
		{"rpm", match.Generic}, {"patch", match.Generic}, {"", match.Generic},
	}
	for _, tt := range tests {
		if got := match.SchemeFor(tt.in); got != tt.want {
			t.Errorf("SchemeFor(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestVersionStatus(t *testing.T) {
	A, U, K := cve.StatusAffected, cve.StatusUnaffected, cve.StatusUnknown
	// Log4j 2 as CVE-2021-44228's record meant it: affected from
	// 2.0-beta9, fixed in 2.3.1, 2.12.2 and 2.15.0 on their branches.
	log4j := cve.Versions{Default: U, Ranges: []cve.Range{{
		Status: A, Scheme: "maven", Start: "2.0-beta9",
		Changes: []cve.Change{ // not sorted, as clients must expect
			{At: "2.15.0", Status: U}, {At: "2.3.1", Status: U}, {At: "2.4", Status: A},
			{At: "2.12.2", Status: U}, {At: "2.13.0", Status: A},
		},
	}}}
	// PAN-OS as CVE-2024-3400's record has it.
	panos := cve.Versions{Default: U, Ranges: []cve.Range{
		{Status: U, Exact: "10.1.0"},
		{Status: A, Scheme: "custom", Start: "10.2.0", End: "10.2.9-h1", Changes: []cve.Change{{At: "10.2.9-h1", Status: U}}},
		{Status: A, Scheme: "custom", Start: "11.1.0", End: "11.1.2-h3"},
	}}
	// The first entry containing a version decides; ends in/excluded;
	// "1.*" is above every 1.x.
	firstMatch := cve.Versions{Default: K, Ranges: []cve.Range{
		{Status: U, Exact: "1.5"},
		{Status: A, Start: "1.0", End: "2.0"},
		{Status: U, Start: "1.0", End: "3.0", EndIncluded: true},
		{Status: A, Start: "4.0", StartExcluded: true, End: "4.*"},
	}}
	semver := cve.Versions{Default: U, Ranges: []cve.Range{{Status: A, Scheme: "semver", Start: "1.0.0-rc.1", End: "1.0.1"}}}
	git := cve.Versions{Default: U, Ranges: []cve.Range{
		{Status: A, Scheme: "git", Exact: "abc1234"},
		{Status: A, Scheme: "git", Start: "0000000", End: "fffffff"}, // commits have no order
	}}
	tests := []struct {
		name string
		vs   cve.Versions
		v    string
		want cve.Status
	}{
		{"log4j-before", log4j, "2.0-beta8", U},
		{"log4j-start", log4j, "2.0-beta9", A},
		{"log4j-2.0", log4j, "2.0", A},
		{"log4j-2.3", log4j, "2.3", A},
		{"log4j-2.3.1", log4j, "2.3.1", U},
		{"log4j-2.3.2", log4j, "2.3.2", U},
		{"log4j-2.4", log4j, "2.4", A},
		{"log4j-2.12.1", log4j, "2.12.1", A},
		{"log4j-2.12.2", log4j, "2.12.2", U},
		{"log4j-2.12.4", log4j, "2.12.4", U},
		{"log4j-2.13.0", log4j, "2.13.0", A},
		{"log4j-2.14.1", log4j, "2.14.1", A},
		{"log4j-2.15.0", log4j, "2.15.0", U},
		{"log4j-2.17.1", log4j, "2.17.1", U},
		{"panos-10.1.0", panos, "10.1.0", U},
		{"panos-10.1.9", panos, "10.1.9", U},
		{"panos-10.2.0", panos, "10.2.0", A},
		{"panos-10.2.9", panos, "10.2.9", A},
		{"panos-10.2.9-h1", panos, "10.2.9-h1", U},
		{"panos-10.2.10", panos, "10.2.10", U},
		{"panos-11.1.2-h1", panos, "11.1.2-h1", A},
		{"panos-11.1.2-h3", panos, "11.1.2-h3", U},
		{"first-exact", firstMatch, "1.5", U},
		{"first-range", firstMatch, "1.6", A},
		{"second-range", firstMatch, "2.0", U},
		{"second-range-end", firstMatch, "3.0", U},
		{"default", firstMatch, "3.0.1", K},
		{"start-excluded", firstMatch, "4.0", K},
		{"branch-star", firstMatch, "4.99.1", A},
		{"branch-star-above", firstMatch, "5.0", K},
		{"semver-rc", semver, "1.0.0-rc.2", A},
		{"semver-beta", semver, "1.0.0-beta", U},
		{"semver-release", semver, "1.0.0", A},
		{"semver-end", semver, "1.0.1", U},
		{"git-exact", git, "ABC1234", A},
		{"git-range", git, "1234567", U},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := match.VersionStatus(tt.vs, tt.v); got != tt.want {
				t.Errorf("VersionStatus(%s) = %s, want %s", tt.v, got, tt.want)
			}
		})
	}
}

func FuzzCompareVersions(f *testing.F) {
	f.Add("10.2.9-h1", "10.2.9")         // hotfix vs release
	f.Add("1.0.0-alpha.1", "1.0.0-beta") // semver pre-releases
	f.Add("2:1.0~rc1", "1.0*")           // epoch, "~", a trailing star
	f.Add("v01.002", "1.2.0.0")          // leading "v" and zeros
	f.Fuzz(func(t *testing.T, a, b string) {
		for _, s := range []match.Scheme{match.Generic, match.Semver, match.Git} {
			ab, ba := match.CompareVersions(s, a, b), match.CompareVersions(s, b, a)
			if ab != -ba || ab < -1 || ab > 1 {
				t.Fatalf("%s: Compare(%q, %q) = %d but Compare(%q, %q) = %d", s, a, b, ab, b, a, ba)
			}
			if c := match.CompareVersions(s, a, a); c != 0 {
				t.Fatalf("%s: Compare(%q, itself) = %d", s, a, c)
			}
		}
	})
}
