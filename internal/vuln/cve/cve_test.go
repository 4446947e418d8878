package cve_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/product"
	"github.com/acd-platform/acd/internal/vuln/cve"
)

// readRecord reads a record kept in testdata/records.
func readRecord(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "records", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// cpe parses a CPE for a test.
func cpe(t *testing.T, s string) *product.CPE {
	t.Helper()
	c, err := product.ParseCPE(s)
	if err != nil {
		t.Fatal(err)
	}
	return &c
}

// summary is what the tests compare of an Affected.
type summary struct {
	Source, Path, CPE, PURL string
	Derived                 bool
	Versions                cve.Versions
	RunningOn               int
}

func summarize(as []cve.Affected) []summary {
	var out []summary
	for _, a := range as {
		s := summary{Source: a.Source, Path: a.Path, Derived: a.DerivedCPE, Versions: a.Versions, RunningOn: len(a.RunningOn)}
		if a.CPE != nil {
			s.CPE = a.CPE.String()
		}
		if a.PURL != nil {
			s.PURL = a.PURL.String()
		}
		out = append(out, s)
	}
	return out
}

func TestParseCVE5Records(t *testing.T) {
	t.Run("CVE-2024-3400", func(t *testing.T) {
		v, err := cve.ParseCVE5(readRecord(t, "cve5/CVE-2024-3400.json"))
		if err != nil {
			t.Fatal(err)
		}
		if v.ID != "CVE-2024-3400" || v.Format != cve.FormatCVE5 || v.Rejected || v.Assigner != "palo_alto" {
			t.Errorf("got %s %s rejected=%v assigner=%q, want CVE-2024-3400 cve5 false palo_alto", v.ID, v.Format, v.Rejected, v.Assigner)
		}
		if want := time.Date(2024, 4, 12, 7, 20, 0, 707e6, time.UTC); !v.Published.Equal(want) {
			t.Errorf("Published = %v, want %v", v.Published, want)
		}
		if diff := cmp.Diff([]string{"CWE-77", "CWE-20"}, v.CWEs); diff != "" {
			t.Errorf("CWEs (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]cve.CVSS{{Version: "3.1", BaseScore: 10, Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", Source: "cna"}}, v.CVSS); diff != "" {
			t.Errorf("CVSS (-want +got):\n%s", diff)
		}
		if len(v.Mitigations) != 2 || v.Mitigations[0].Kind != cve.Solution || v.Mitigations[1].Kind != cve.Workaround ||
			!strings.Contains(v.Mitigations[0].Text, "10.2.9-h1") {
			t.Errorf("Mitigations = %+v, want a solution naming 10.2.9-h1 and a workaround", v.Mitigations)
		}
		custom := func(start, end, at string) cve.Range {
			return cve.Range{Status: cve.StatusAffected, Scheme: "custom", Start: start, End: end,
				Changes: []cve.Change{{At: at, Status: cve.StatusUnaffected}}}
		}
		unaffected := func(v string) cve.Range { return cve.Range{Status: cve.StatusUnaffected, Exact: v} }
		adp := func(i int, c, start, end string) summary {
			return summary{Source: "adp:CISA-ADP", Path: "containers.adp[0].affected[" + string(rune('0'+i)) + "]", CPE: c,
				Versions: cve.Versions{Default: cve.StatusUnknown, Ranges: []cve.Range{{Status: cve.StatusAffected, Scheme: "custom", Start: start, End: end}}}}
		}
		want := []summary{
			{Source: "cna", Path: "containers.cna.affected[0]", CPE: "cpe:2.3:*:palo_alto_networks:pan-os:*:*:*:*:*:*:*:*", Derived: true,
				Versions: cve.Versions{Default: cve.StatusUnaffected, Ranges: []cve.Range{
					unaffected("9.0.0"), unaffected("9.1.0"), unaffected("10.0.0"), unaffected("10.1.0"),
					custom("10.2.0", "10.2.9-h1", "10.2.9-h1"), custom("11.0.0", "11.0.4-h1", "11.0.4-h1"), custom("11.1.0", "11.1.2-h3", "11.1.2-h3"),
				}}},
			// "All" is a placeholder: a range of every version.
			{Source: "cna", Path: "containers.cna.affected[1]", CPE: "cpe:2.3:*:palo_alto_networks:cloud_ngfw:*:*:*:*:*:*:*:*", Derived: true,
				Versions: cve.Versions{Default: cve.StatusUnaffected, Ranges: []cve.Range{{Status: cve.StatusUnaffected}}}},
			{Source: "cna", Path: "containers.cna.affected[2]", CPE: "cpe:2.3:*:palo_alto_networks:prisma_access:*:*:*:*:*:*:*:*", Derived: true,
				Versions: cve.Versions{Default: cve.StatusUnaffected, Ranges: []cve.Range{{Status: cve.StatusUnaffected}}}},
			// The ADP's cpes carry the first version; the versions list supersedes it.
			adp(0, "cpe:2.3:o:paloaltonetworks:pan-os:*:*:*:*:*:*:*:*", "10.2.0", "10.2.9-h1"),
			adp(1, "cpe:2.3:o:paloaltonetworks:pan-os:*:*:*:*:*:*:*:*", "11.0.0", "11.0.4-h1"),
			adp(2, "cpe:2.3:o:paloaltonetworks:pan-os:*:*:*:*:*:*:*:*", "11.1.0", "11.1.2-h3"),
		}
		if diff := cmp.Diff(want, summarize(v.Affected)); diff != "" {
			t.Errorf("Affected (-want +got):\n%s", diff)
		}
	})

	t.Run("CVE-2023-46604", func(t *testing.T) {
		v, err := cve.ParseCVE5(readRecord(t, "cve5/CVE-2023-46604.json"))
		if err != nil {
			t.Fatal(err)
		}
		var purls []string
		for _, a := range v.Affected {
			if a.PURL != nil {
				purls = append(purls, a.PURL.String())
			}
		}
		if diff := cmp.Diff([]string{"pkg:maven/org.apache.activemq/activemq-client", "pkg:maven/org.apache.activemq/activemq-openwire-legacy"}, purls); diff != "" {
			t.Errorf("PURLs (-want +got):\n%s", diff)
		}
		// version "0" is no lower bound.
		if r := v.Affected[1].Versions.Ranges[3]; r.Start != "" || r.End != "5.15.16" || r.EndIncluded {
			t.Errorf("affected[0].versions[3] = %+v, want no start, end 5.15.16 excluded", r)
		}
		if diff := cmp.Diff([]string{"CWE-502"}, v.CWEs); diff != "" {
			t.Errorf("CWEs (-want +got):\n%s", diff)
		}
	})

	t.Run("CVE-2023-46805", func(t *testing.T) {
		v, err := cve.ParseCVE5(readRecord(t, "cve5/CVE-2023-46805.json"))
		if err != nil {
			t.Fatal(err)
		}
		// "CWE-noinfo" in the ADP is not a CWE id; CVSS 3.0 is kept.
		if len(v.CWEs) != 0 || len(v.CVSS) != 1 || v.CVSS[0].Version != "3.0" || v.CVSS[0].BaseScore != 8.2 {
			t.Errorf("CWEs %v CVSS %+v, want none and one 3.0 score of 8.2", v.CWEs, v.CVSS)
		}
		if len(v.Affected) != 2 || v.Affected[0].CPE.String() != "cpe:2.3:*:ivanti:ics:*:*:*:*:*:*:*:*" {
			t.Errorf("Affected = %+v, want ivanti:ics and ivanti:ips", summarize(v.Affected))
		}
	})
}

func TestParseNVDRecords(t *testing.T) {
	v, err := cve.ParseNVD(readRecord(t, "nvd/CVE-2023-1389.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := []summary{{
		Source: "nvd", Path: "configurations[0].nodes[0].cpeMatch[0]", CPE: "cpe:2.3:o:tp-link:archer_ax21_firmware:*:*:*:*:*:*:*:*",
		Versions:  cve.Versions{Default: cve.StatusUnaffected, Ranges: []cve.Range{{Status: cve.StatusAffected, End: "1.1.4"}}},
		RunningOn: 1,
	}}
	if diff := cmp.Diff(want, summarize(v.Affected)); diff != "" {
		t.Errorf("Affected (-want +got):\n%s", diff)
	}
	if got := v.Affected[0].RunningOn[0].String(); got != "cpe:2.3:h:tp-link:archer_ax21:-:*:*:*:*:*:*:*" {
		t.Errorf("RunningOn = %s, want the Archer AX21 hardware", got)
	}
	if v.Format != cve.FormatNVD || len(v.CVSS) != 2 || v.CVSS[0].Source != "nvd@nist.gov" {
		t.Errorf("got format %s CVSS %+v, want nvd and two 3.1 scores, NVD's first", v.Format, v.CVSS)
	}

	v, err = cve.ParseNVD(readRecord(t, "nvd/CVE-2022-42475.json"))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(v.Affected); n != 19 {
		t.Errorf("got %d affected products, want 19 (9 FortiOS, 6 FortiProxy, 4 FortiOS on hardware)", n)
	}
	if r := v.Affected[0].Versions.Ranges[0]; r.Start != "5.0.0" || r.End != "5.0.14" || !r.EndIncluded || r.StartExcluded {
		t.Errorf("first range = %+v, want [5.0.0, 5.0.14]", r)
	}
	if n := len(v.Affected[15].RunningOn); n != 21 {
		t.Errorf("AND configuration: %d platforms, want 21", n)
	}
	if diff := cmp.Diff([]string{"CWE-197", "CWE-787"}, v.CWEs); diff != "" {
		t.Errorf("CWEs (-want +got):\n%s", diff)
	}

	// The API's wrapping {"cve": …} is read the same.
	wrapped := append(append([]byte(`{"cve":`), readRecord(t, "nvd/CVE-2023-1389.json")...), '}')
	if v, err := cve.Parse(wrapped); err != nil || v.ID != "CVE-2023-1389" {
		t.Errorf("Parse(wrapped) = %v, %v; want CVE-2023-1389", v, err)
	}
}

// minimal is a valid CVE 5 record that the error cases break.
const minimal = `{"dataType":"CVE_RECORD","dataVersion":"5.1",
"cveMetadata":{"cveId":"CVE-2025-0001","state":"PUBLISHED","datePublished":"2025-01-02T03:04:05Z"},
"containers":{"cna":{"descriptions":[{"lang":"en","value":"x"}],
"affected":[{"vendor":"Acme","product":"VPN Gateway","defaultStatus":"unaffected",
"versions":[{"version":"1.0","lessThan":"1.4","status":"affected","versionType":"semver"}]}]}}}`

func TestParseCVE5Minimal(t *testing.T) {
	v, err := cve.ParseCVE5([]byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	want := []summary{{Source: "cna", Path: "containers.cna.affected[0]", CPE: "cpe:2.3:*:acme:vpn_gateway:*:*:*:*:*:*:*:*", Derived: true,
		Versions: cve.Versions{Default: cve.StatusUnaffected, Ranges: []cve.Range{{Status: cve.StatusAffected, Scheme: "semver", Start: "1.0", End: "1.4"}}}}}
	if diff := cmp.Diff(want, summarize(v.Affected)); diff != "" {
		t.Errorf("Affected (-want +got):\n%s", diff)
	}
}

func TestParseCVE5Variants(t *testing.T) {
	tests := []struct {
		name string
		old  string // replaced in minimal
		new  string
		want []summary
	}{
		// A cpes entry without a versions list keeps its version.
		{"cpe-no-versions",
			`"versions":[{"version":"1.0","lessThan":"1.4","status":"affected","versionType":"semver"}]`,
			`"cpes":["cpe:2.3:a:acme:vpn:1.2:*:*:*:*:*:*:*"],"versions":[]`,
			[]summary{{Source: "cna", Path: "containers.cna.affected[0]", CPE: "cpe:2.3:a:acme:vpn:1.2:*:*:*:*:*:*:*",
				Versions: cve.Versions{Default: cve.StatusUnaffected}}}},
		// lessThan "*" is no upper bound; "unspecified" as start is none.
		{"placeholders", `"version":"1.0","lessThan":"1.4"`, `"version":"unspecified","lessThan":"*"`,
			[]summary{{Source: "cna", Path: "containers.cna.affected[0]", CPE: "cpe:2.3:*:acme:vpn_gateway:*:*:*:*:*:*:*:*", Derived: true,
				Versions: cve.Versions{Default: cve.StatusUnaffected, Ranges: []cve.Range{{Status: cve.StatusAffected, Scheme: "semver"}}}}}},
		// lessThan "1.*" keeps its asterisk for the matcher.
		{"branch-wildcard", `"lessThan":"1.4"`, `"lessThanOrEqual":"1.*"`,
			[]summary{{Source: "cna", Path: "containers.cna.affected[0]", CPE: "cpe:2.3:*:acme:vpn_gateway:*:*:*:*:*:*:*:*", Derived: true,
				Versions: cve.Versions{Default: cve.StatusUnaffected, Ranges: []cve.Range{{Status: cve.StatusAffected, Scheme: "semver", Start: "1.0", End: "1.*", EndIncluded: true}}}}}},
		// An npm package.
		{"npm", `"vendor":"Acme","product":"VPN Gateway"`, `"collectionURL":"https://registry.npmjs.org/","packageName":"@acme/vpn-ui"`,
			[]summary{{Source: "cna", Path: "containers.cna.affected[0]", PURL: "pkg:npm/%40acme/vpn-ui",
				Versions: cve.Versions{Default: cve.StatusUnaffected, Ranges: []cve.Range{{Status: cve.StatusAffected, Scheme: "semver", Start: "1.0", End: "1.4"}}}}}},
		// Vendor "n/a" and an unknown repository: kept, matching nothing.
		{"unidentifiable", `"vendor":"Acme","product":"VPN Gateway"`, `"vendor":"n/a","product":"n/a","collectionURL":"https://example.com","packageName":"x"`,
			[]summary{{Source: "cna", Path: "containers.cna.affected[0]",
				Versions: cve.Versions{Default: cve.StatusUnaffected, Ranges: []cve.Range{{Status: cve.StatusAffected, Scheme: "semver", Start: "1.0", End: "1.4"}}}}}},
		// CVE 5.1 cpeApplicability reads as an NVD configuration.
		{"cpeApplicability", `"descriptions":[`,
			`"cpeApplicability":[{"operator":"AND","nodes":[{"operator":"OR","cpeMatch":[{"vulnerable":true,"criteria":"cpe:2.3:o:acme:fw:*:*:*:*:*:*:*:*","versionStartExcluding":"2.0"}]},{"operator":"OR","cpeMatch":[{"vulnerable":false,"criteria":"cpe:2.3:h:acme:box:-:*:*:*:*:*:*:*"}]},{"operator":"OR","negate":true,"cpeMatch":[{"vulnerable":true,"criteria":"cpe:2.3:o:acme:other:*:*:*:*:*:*:*:*"}]}]}],"descriptions":[`,
			[]summary{
				{Source: "cna", Path: "containers.cna.affected[0]", CPE: "cpe:2.3:*:acme:vpn_gateway:*:*:*:*:*:*:*:*", Derived: true,
					Versions: cve.Versions{Default: cve.StatusUnaffected, Ranges: []cve.Range{{Status: cve.StatusAffected, Scheme: "semver", Start: "1.0", End: "1.4"}}}},
				{Source: "cna", Path: "containers.cna.cpeApplicability[0].nodes[0].cpeMatch[0]", CPE: "cpe:2.3:o:acme:fw:*:*:*:*:*:*:*:*",
					Versions:  cve.Versions{Default: cve.StatusUnaffected, Ranges: []cve.Range{{Status: cve.StatusAffected, Start: "2.0", StartExcluded: true}}},
					RunningOn: 1},
			}},
		// A rejected record affects nothing.
		{"rejected", `"state":"PUBLISHED"`, `"state":"REJECTED"`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := strings.Replace(minimal, tt.old, tt.new, 1)
			if in == minimal {
				t.Fatalf("test case does not change the record: %q not found", tt.old)
			}
			v, err := cve.ParseCVE5([]byte(in))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, summarize(v.Affected)); diff != "" {
				t.Errorf("Affected (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name     string
		old, new string // replacement in minimal; old "" replaces the whole record
		id       string
		path     string
		msg      string // a part of the message
	}{
		{"not-json", "", `{"cveMetadata":`, "", "", "not valid JSON"},
		{"array", "", `[1,2]`, "", "", "want an object"},
		{"no-id", `"cveId":"CVE-2025-0001",`, ``, "", "cveMetadata.cveId", "required"},
		{"bad-id", `CVE-2025-0001`, `CVE-25-1`, "", "cveMetadata.cveId", `"CVE-25-1": want CVE-YYYY-NNNN`},
		{"bad-state", `"PUBLISHED"`, `"DRAFT"`, "CVE-2025-0001", "cveMetadata.state", "want PUBLISHED or REJECTED"},
		{"bad-date", `2025-01-02T03:04:05Z`, `yesterday`, "CVE-2025-0001", "cveMetadata.datePublished", "RFC 3339"},
		{"no-cna", `"cna":{`, `"x":{`, "CVE-2025-0001", "containers.cna", "required"},
		{"bad-status", `"status":"affected"`, `"status":"fixed"`, "CVE-2025-0001", "containers.cna.affected[0].versions[0].status", `"fixed": want affected, unaffected or unknown`},
		{"no-status", `"status":"affected",`, ``, "CVE-2025-0001", "containers.cna.affected[0].versions[0].status", "required"},
		{"both-ends", `"lessThan":"1.4"`, `"lessThan":"1.4","lessThanOrEqual":"1.5"`, "CVE-2025-0001", "containers.cna.affected[0].versions[0]", "both given"},
		{"empty-version", `"version":"1.0"`, `"version":""`, "CVE-2025-0001", "containers.cna.affected[0].versions[0].version", "empty"},
		{"control-in-version", `"lessThan":"1.4"`, `"lessThan":"1.4\u0000"`, "CVE-2025-0001", "containers.cna.affected[0].versions[0].lessThan", "control character"},
		{"changes-without-range", `"lessThan":"1.4",`, `"changes":[{"at":"1.2","status":"unaffected"}],`, "CVE-2025-0001", "containers.cna.affected[0].versions[0].changes", "only a range"},
		{"change-without-at", `"versionType":"semver"}`, `"versionType":"semver","changes":[{"status":"unaffected"}]}`, "CVE-2025-0001", "containers.cna.affected[0].versions[0].changes[0].at", "required"},
		{"no-versions-no-default", `"defaultStatus":"unaffected",
"versions":[{"version":"1.0","lessThan":"1.4","status":"affected","versionType":"semver"}]`, `"versions":[]`, "CVE-2025-0001", "containers.cna.affected[0]", "want versions or defaultStatus"},
		{"bad-cpe", `"vendor":"Acme"`, `"cpes":["cpe:2.3:x:acme:vpn:1:*:*:*:*:*:*:*"],"vendor":"Acme"`, "CVE-2025-0001", "containers.cna.affected[0].cpes[0]", `part "x"`},
		{"type-in-array", `"version":"1.0"`, `"version":1.0`, "CVE-2025-0001", "containers.cna.affected[0].versions[0].version", "want a string, got the number 1.0"},
		{"versions-not-array", `"versions":[{"version":"1.0","lessThan":"1.4","status":"affected","versionType":"semver"}]`, `"versions":{}`, "CVE-2025-0001", "containers.cna.affected[0].versions", "want an array, got an object"},
		{"score-too-high", `"descriptions":[`, `"metrics":[{"cvssV3_1":{"baseScore":11,"vectorString":"CVSS:3.1/AV:N"}}],"descriptions":[`, "CVE-2025-0001", "containers.cna.metrics[0].cvssV3_1.baseScore", "want 0.0 to 10.0"},
		{"vector-version", `"descriptions":[`, `"metrics":[{"cvssV4_0":{"baseScore":9,"vectorString":"CVSS:3.1/AV:N"}}],"descriptions":[`, "CVE-2025-0001", "containers.cna.metrics[0].cvssV4_0.vectorString", `want it to start with "CVSS:4.0/"`},
		{"bad-cwe", `"descriptions":[`, `"problemTypes":[{"descriptions":[{"cweId":"CWE-0x"}]}],"descriptions":[`, "CVE-2025-0001", "containers.cna.problemTypes[0].descriptions[0].cweId", "want CWE-<number>"},
		{"adp-path", `"cna":{`, `"adp":[{},{"affected":[{"vendor":"a","product":"b","versions":[{"version":"1","status":"bad"}]}]}],"cna":{`, "CVE-2025-0001", "containers.adp[1].affected[0].versions[0].status", `"bad"`},
		{"nvd-operator", "", `{"id":"CVE-2025-0002","configurations":[{"nodes":[{"operator":"XOR","cpeMatch":[]}]}]}`, "CVE-2025-0002", "configurations[0].nodes[0].operator", `"XOR": want AND or OR`},
		{"nvd-criteria", "", `{"cve":{"id":"CVE-2025-0002","configurations":[{"nodes":[{"operator":"OR","cpeMatch":[{"vulnerable":true,"criteria":"cpe:2.3:a:x"}]}]}]}}`, "CVE-2025-0002", "configurations[0].nodes[0].cpeMatch[0].criteria", "want 13 colon-separated fields"},
		{"nvd-vulnerable", "", `{"id":"CVE-2025-0002","configurations":[{"nodes":[{"operator":"OR","cpeMatch":[{"criteria":"cpe:2.3:a:x:y:*:*:*:*:*:*:*:*"}]}]}]}`, "CVE-2025-0002", "configurations[0].nodes[0].cpeMatch[0].vulnerable", "required"},
		{"nvd-two-starts", "", `{"id":"CVE-2025-0002","configurations":[{"nodes":[{"operator":"OR","cpeMatch":[{"vulnerable":true,"criteria":"cpe:2.3:a:x:y:*:*:*:*:*:*:*:*","versionStartIncluding":"1","versionStartExcluding":"2"}]}]}]}`, "CVE-2025-0002", "configurations[0].nodes[0].cpeMatch[0]", "versionStartIncluding and versionStartExcluding"},
		{"nvd-bad-id", "", `{"id":"GHSA-xxxx","configurations":[]}`, "", "id", "want CVE-YYYY-NNNN"},
		{"nvd-type", "", `{"id":"CVE-2025-0002","configurations":[{"nodes":[{"operator":"OR","cpeMatch":[{"vulnerable":"yes"}]}]}]}`, "CVE-2025-0002", "configurations[0].nodes[0].cpeMatch[0].vulnerable", "want true or false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.new
			if tt.old != "" {
				in = strings.Replace(minimal, tt.old, tt.new, 1)
				if in == minimal {
					t.Fatalf("test case does not change the record: %q not found", tt.old)
				}
			}
			_, err := cve.Parse([]byte(in))
			var re *cve.RecordError
			if !errors.As(err, &re) {
				t.Fatalf("Parse: got error %v, want a *RecordError", err)
			}
			if re.Index != -1 || re.ID != tt.id || re.Path != tt.path || !strings.Contains(re.Msg, tt.msg) {
				t.Errorf("got index %d id %q path %q msg %q, want -1 %q %q and a message containing %q", re.Index, re.ID, re.Path, re.Msg, tt.id, tt.path, tt.msg)
			}
		})
	}
}

func TestRecordErrorString(t *testing.T) {
	tests := []struct {
		e    cve.RecordError
		want string
	}{
		{cve.RecordError{Index: 3, ID: "CVE-2024-3400", Path: "a.b[0]", Msg: "bad"}, "record 3 (CVE-2024-3400): a.b[0]: bad"},
		{cve.RecordError{Index: 3, Msg: "bad"}, "record 3: bad"},
		{cve.RecordError{Index: -1, ID: "CVE-2024-3400", Msg: "bad"}, "record CVE-2024-3400: bad"},
		{cve.RecordError{Index: -1, Path: "x", Msg: "bad"}, "record: x: bad"},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}

func TestParseTooLarge(t *testing.T) {
	big := `{"cveMetadata":{"cveId":"CVE-2025-0001"},"x":"` + strings.Repeat("a", cve.MaxRecordBytes) + `"}`
	_, err := cve.Parse([]byte(big))
	var re *cve.RecordError
	if !errors.As(err, &re) || !strings.Contains(re.Msg, "larger than") {
		t.Errorf("got %v, want a RecordError saying the record is too large", err)
	}
}

func TestSeverity(t *testing.T) {
	for _, c := range []struct {
		score float64
		want  string
	}{{0, "NONE"}, {0.1, "LOW"}, {3.9, "LOW"}, {4, "MEDIUM"}, {6.9, "MEDIUM"}, {7, "HIGH"}, {8.9, "HIGH"}, {9, "CRITICAL"}, {10, "CRITICAL"}} {
		if got := cve.Severity(c.score); got != c.want {
			t.Errorf("Severity(%g) = %s, want %s", c.score, got, c.want)
		}
	}
}
