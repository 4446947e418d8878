package sharing_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/fuzzseed"
	"github.com/acd-platform/acd/internal/sharing"
	"github.com/acd-platform/acd/internal/svcerr"
)

// TestNormalize checks the canonical forms and the refusals of an
// advisory's input, each refusal naming its field.
func TestNormalize(t *testing.T) {
	base := func() sharing.AdvisoryInput {
		return sharing.AdvisoryInput{Title: " Title ", TLP: "TLP:Amber+Strict"}
	}
	t.Run("canonical", func(t *testing.T) {
		in := base()
		in.Recipients = sharing.Recipients{Orgs: []string{"org_a", " org_a ", "org_b"}}
		in.Technical.Indicators = []sharing.Indicator{
			{Type: "IPv4", Value: "192.0.2.77/24"}, {Type: "ipv6", Value: "2001:DB8::1"}, {Type: "domain", Value: "C2.Example.NET."},
			{Type: "md5", Value: "D41D8CD98F00B204E9800998ECF8427E"}, {Type: "email", Value: "a@example.jp"},
			{Type: "stix", Pattern: "[ipv4-addr:value='192.0.2.1']"},
		}
		in.Technical.Techniques = []sharing.Technique{{ID: " t1059.001 "}}
		if err := in.Normalize(); err != nil {
			t.Fatal(err)
		}
		want := sharing.AdvisoryInput{Title: "Title", TLP: "amber+strict", Recipients: sharing.Recipients{Orgs: []string{"org_a", "org_b"}},
			Technical: sharing.Technical{Indicators: []sharing.Indicator{
				{Type: "ipv4", Value: "192.0.2.0/24"}, {Type: "ipv6", Value: "2001:db8::1"}, {Type: "domain", Value: "c2.example.net"},
				{Type: "md5", Value: "d41d8cd98f00b204e9800998ecf8427e"}, {Type: "email", Value: "a@example.jp"},
				{Type: "stix", Pattern: "[ipv4-addr:value = '192.0.2.1']"},
			}, Techniques: []sharing.Technique{{ID: "T1059.001"}}}}
		if d := cmp.Diff(want, in); d != "" {
			t.Errorf("normalized (-want +got):\n%s", d)
		}
	})
	for _, c := range []struct {
		name  string
		edit  func(*sharing.AdvisoryInput)
		field string
	}{
		{"no title", func(in *sharing.AdvisoryInput) { in.Title = " " }, "title"},
		{"two-line title", func(in *sharing.AdvisoryInput) { in.Title = "a\nb" }, "title"},
		{"unknown level", func(in *sharing.AdvisoryInput) { in.TLP = "white" }, "tlp"},
		{"clearance with a space", func(in *sharing.AdvisoryInput) { in.Clearance = "top secret" }, "clearance"},
		{"upper-case clearance", func(in *sharing.AdvisoryInput) { in.Clearance = "Secret" }, "clearance"},
		{"bad org id", func(in *sharing.AdvisoryInput) { in.Recipients.Orgs = []string{"org a"} }, "recipients.orgs[0]"},
		{"too many users", func(in *sharing.AdvisoryInput) { in.Recipients.Users = make([]string, 501) }, "recipients.users"},
		{"IPv6 as ipv4", func(in *sharing.AdvisoryInput) {
			in.Technical.Indicators = []sharing.Indicator{{Type: "ipv4", Value: "::1"}}
		}, "technical.indicators[0].value"},
		{"bad domain", func(in *sharing.AdvisoryInput) {
			in.Technical.Indicators = []sharing.Indicator{{Type: "domain", Value: "localhost"}}
		}, "technical.indicators[0].value"},
		{"javascript URL", func(in *sharing.AdvisoryInput) {
			in.Technical.Indicators = []sharing.Indicator{{Type: "url", Value: "javascript:alert(1)"}}
		}, "technical.indicators[0].value"},
		{"short hash", func(in *sharing.AdvisoryInput) {
			in.Technical.Indicators = []sharing.Indicator{{Type: "sha1", Value: "abc"}}
		}, "technical.indicators[0].value"},
		{"no type", func(in *sharing.AdvisoryInput) {
			in.Technical.Indicators = []sharing.Indicator{{Value: "abc"}}
		}, "technical.indicators[0].type"},
		{"unknown type", func(in *sharing.AdvisoryInput) {
			in.Technical.Indicators = []sharing.Indicator{{Type: "mutex", Value: "abc"}}
		}, "technical.indicators[0].type"},
		{"bad pattern", func(in *sharing.AdvisoryInput) {
			in.Technical.Indicators = []sharing.Indicator{{Type: "stix", Pattern: "[ipv4-addr:value = "}}
		}, "technical.indicators[0].pattern"},
		{"pattern on a value", func(in *sharing.AdvisoryInput) {
			in.Technical.Indicators = []sharing.Indicator{{Type: "ipv4", Value: "192.0.2.1", Pattern: "[x:y = 'z']"}}
		}, "technical.indicators[0].pattern"},
		{"bad technique", func(in *sharing.AdvisoryInput) { in.Technical.Techniques = []sharing.Technique{{ID: "T12"}} }, "technical.techniques[0].id"},
		{"repeated technique", func(in *sharing.AdvisoryInput) {
			in.Technical.Techniques = []sharing.Technique{{ID: "T1190"}, {ID: "t1190"}}
		}, "technical.techniques[1].id"},
		{"control character", func(in *sharing.AdvisoryInput) { in.Executive.Impact = "a\x00b" }, "executive.impact"},
		{"too long", func(in *sharing.AdvisoryInput) { in.Technical.Hunting = strings.Repeat("x", 20001) }, "technical.hunting"},
		{"bad CVE id", func(in *sharing.AdvisoryInput) {
			in.Technical.Vulnerabilities = []sharing.Vulnerability{{CVE: "CVE-24-1"}}
		}, "technical.vulnerabilities[0].cve"},
		{"repeated CVE", func(in *sharing.AdvisoryInput) {
			in.Technical.Vulnerabilities = []sharing.Vulnerability{{CVE: "CVE-2024-3400"}, {CVE: "cve-2024-3400"}}
		}, "technical.vulnerabilities[1].cve"},
		{"bad CWE", func(in *sharing.AdvisoryInput) {
			in.Technical.Vulnerabilities = []sharing.Vulnerability{{CVE: "CVE-2024-3400", CWE: "77"}}
		}, "technical.vulnerabilities[0].cwe"},
		{"CVSS vector of another version", func(in *sharing.AdvisoryInput) {
			in.Technical.Vulnerabilities = []sharing.Vulnerability{{CVE: "CVE-2024-3400", CVSS: &sharing.CVSS{Version: "3.1",
				Vector: "CVSS:4.0/AV:N", BaseScore: 10, Severity: "critical"}}}
		}, "technical.vulnerabilities[0].cvss.vector"},
		{"CVSS score above 10", func(in *sharing.AdvisoryInput) {
			in.Technical.Vulnerabilities = []sharing.Vulnerability{{CVE: "CVE-2024-3400", CVSS: &sharing.CVSS{Version: "3.1",
				Vector: "CVSS:3.1/AV:N", BaseScore: 10.5, Severity: "critical"}}}
		}, "technical.vulnerabilities[0].cvss.base_score"},
		{"product without versions", func(in *sharing.AdvisoryInput) {
			in.Technical.Vulnerabilities = []sharing.Vulnerability{{CVE: "CVE-2024-3400", Products: []sharing.AffectedProduct{{Vendor: "v", Product: "p"}}}}
		}, "technical.vulnerabilities[0].products[0].affected"},
		{"malformed vers", func(in *sharing.AdvisoryInput) {
			in.Technical.Vulnerabilities = []sharing.Vulnerability{{CVE: "CVE-2024-3400", Products: []sharing.AffectedProduct{{Vendor: "v", Product: "p", Affected: "vers:generic"}}}}
		}, "technical.vulnerabilities[0].products[0].affected"},
		{"support end not a date", func(in *sharing.AdvisoryInput) {
			in.Technical.Vulnerabilities = []sharing.Vulnerability{{CVE: "CVE-2024-3400", Products: []sharing.AffectedProduct{{Vendor: "v", Product: "p",
				Affected: "1.0", SupportEnds: "next year"}}}}
		}, "technical.vulnerabilities[0].products[0].support_ends"},
		{"unknown remediation", func(in *sharing.AdvisoryInput) {
			in.Technical.Vulnerabilities = []sharing.Vulnerability{{CVE: "CVE-2024-3400", Remediations: []sharing.Remediation{{Category: "pray", Details: "x"}}}}
		}, "technical.vulnerabilities[0].remediations[0].category"},
		{"remediation URL not http", func(in *sharing.AdvisoryInput) {
			in.Technical.Vulnerabilities = []sharing.Vulnerability{{CVE: "CVE-2024-3400", Remediations: []sharing.Remediation{{Category: "mitigation",
				Details: "x", URL: "ftp://example.com/fix"}}}}
		}, "technical.vulnerabilities[0].remediations[0].url"},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := base()
			c.edit(&in)
			wantField(t, c.name, in.Normalize(), c.field)
		})
	}
}

// TestRefusalCodes checks every code's status, messages and mapping.
func TestRefusalCodes(t *testing.T) {
	seen := map[string]bool{}
	for _, code := range sharing.Codes() {
		if seen[code] {
			t.Errorf("code %s repeated", code)
		}
		seen[code] = true
		r := sharing.Refuse(code, "adv_1")
		en, ja := r.Message("en"), r.Message("ja")
		if en == ja || !strings.HasSuffix(en, " (adv_1)") || !strings.HasSuffix(ja, " (adv_1)") || r.Message("fr") != en {
			t.Errorf("%s: messages en %q, ja %q", code, en, ja)
		}
		want := svcerr.ErrConflict
		if r.Status == http.StatusForbidden {
			want = svcerr.ErrForbidden
		} else if r.Status != http.StatusConflict {
			t.Errorf("%s: status %d", code, r.Status)
		}
		if err := fmt.Errorf("step: %w", r); !errors.Is(err, want) {
			t.Errorf("%s: does not wrap %v", code, want)
		}
	}
	if sharing.CodeStatus("nonsense") != 0 {
		t.Error("an unknown code has a status")
	}
}

var updateSeeds = flag.Bool("update-seeds", false, "rewrite the fuzz seed corpora in testdata/fuzz")

// fuzzSeeds are the seed corpora, by target and seed name, written to
// testdata/fuzz by go test -run TestFuzzSeeds -update-seeds.
var fuzzSeeds = map[string]map[string]string{
	"FuzzAdvisoryInput": {
		// A complete advisory with an indicator of each type and techniques.
		"complete": `{"title":"VPN exploited","tlp":"amber","clearance":"confidential","recipients":{"orgs":["org_a"],"groups":["grp_b"]},` +
			`"technical":{"summary":"s","indicators":[{"type":"ipv4","value":"192.0.2.1"},{"type":"ipv6","value":"2001:db8::/32"},` +
			`{"type":"domain","value":"a.example"},{"type":"url","value":"https://a.example/x?y=1"},{"type":"md5","value":"d41d8cd98f00b204e9800998ecf8427e"},` +
			`{"type":"sha1","value":"da39a3ee5e6b4b0d3255bfef95601890afd80709"},{"type":"email","value":"x@a.example"},` +
			`{"type":"stix","pattern":"[file:hashes.'SHA-256' = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'] AND [url:value = 'http://x.example']"}],` +
			`"techniques":[{"id":"T1190","name":"Exploit"},{"id":"t1059.001"}],"hunting":"h"},` +
			`"executive":{"background":"b","purpose":"p","impact":"i","actions":"a"}}`,
		// A RED item to individuals, level in TLP: form.
		"red": `{"title":"For you","tlp":"TLP:RED","recipients":{"users":["usr_1","usr_1"]},"technical":{"summary":"s","hunting":"h"},"executive":{}}`,
		// A pattern with a quoted quote and a qualifier.
		"pattern": `{"title":"p","tlp":"green","technical":{"indicators":[{"type":"stix","pattern":"[domain-name:value = 'it\\'s.example'] REPEATS 5 TIMES WITHIN 10 SECONDS"}]}}`,
		// An unknown level: refused on tlp.
		"bad-level": `{"title":"t","tlp":"white"}`,
		// A URL with a space: refused on its value.
		"bad-url": `{"title":"t","tlp":"clear","technical":{"indicators":[{"type":"url","value":"http://a b"}]}}`,
		// Empty lists, in keys of any case: accepted as no list (a crasher:
		// the canonical form kept [] and lost it on the round trip).
		"empty-lists": `{"title":"0","tlp":"green","teChniCAl":{"indiCAtors":[],"techniques":[]},"recipients":{"orgs":[]}}`,
		// A security advisory: a vulnerability with products, CVSS and
		// remediations.
		"vulnerability": `{"title":"PAN-OS","tlp":"clear","technical":{"vulnerabilities":[{"cve":"cve-2024-3400","cwe":"cwe-77",` +
			`"cvss":{"version":"4.0","vector":"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N","base_score":10,"severity":"critical"},` +
			`"products":[{"vendor":"Palo Alto Networks","product":"PAN-OS","affected":"vers:generic/>=10.2.0|<10.2.9-h1","fixed":"10.2.9-h1","support_ends":"2027-08-31"}],` +
			`"remediations":[{"category":"vendor_fix","details":"Upgrade","url":"https://security.paloaltonetworks.com/CVE-2024-3400"}],"investigation":"Check logs"}]}}`,
		// An unknown member: refused by strict decoding.
		"unknown-member": `{"title":"t","tlp":"clear","technical":{"iocs":[]}}`,
	},
}

func TestFuzzSeeds(t *testing.T) { fuzzseed.Check(t, fuzzSeeds, *updateSeeds) }

// decodeBody decodes b as the API does: strict JSON into v.
func decodeBody(b []byte, v any) error {
	r := httptest.NewRequest("POST", "/", bytes.NewReader(b))
	r.Header.Set("Content-Type", "application/json")
	return api.DecodeLimit(r, v, 4<<20)
}

// FuzzAdvisoryInput: an advisory body is refused on a named field, or
// accepted in a canonical form that is accepted again unchanged and that
// always makes valid STIX objects.
func FuzzAdvisoryInput(f *testing.F) {
	for _, s := range fuzzSeeds["FuzzAdvisoryInput"] {
		f.Add([]byte(s))
	}
	t0 := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, b []byte) {
		var in sharing.AdvisoryInput
		if decodeBody(b, &in) != nil {
			return
		}
		if err := in.Normalize(); err != nil {
			if fe, ok := errors.AsType[*sharing.FieldError](err); !ok || fe.Field == "" {
				t.Fatalf("refused without a field error: %v", err)
			}
			return
		}
		first, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		var again sharing.AdvisoryInput
		if err := json.Unmarshal(first, &again); err != nil {
			t.Fatal(err)
		}
		if err := again.Normalize(); err != nil {
			t.Fatalf("canonical form %s refused: %v", first, err)
		}
		if d := cmp.Diff(in, again); d != "" {
			t.Fatalf("normalizing twice changed (-once +twice):\n%s", d)
		}
		a := sharing.Advisory{ID: "adv_fuzz", Revision: 1, State: sharing.StatePublished, Title: in.Title, Technical: in.Technical,
			Executive: in.Executive, FirstCreatedAt: t0, CreatedAt: t0, PublishedAt: t0}
		a.Marking.Level = in.TLP
		if _, err := sharing.STIXObjects(a); err != nil {
			t.Fatalf("accepted input %s makes no valid STIX: %v", first, err)
		}
	})
}

// TestDocsCodes: docs/sharing.md lists every refusal code with its status
// and both messages, as the package gives them.
func TestDocsCodes(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "sharing.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, code := range sharing.Codes() {
		r := sharing.Refuse(code, "")
		row := fmt.Sprintf("| `%s` | %d | %s | %s |\n", code, r.Status, r.Message("en"), r.Message("ja"))
		if !bytes.Contains(b, []byte(row)) {
			t.Errorf("docs/sharing.md lacks the row\n%s", row)
		}
	}
}
