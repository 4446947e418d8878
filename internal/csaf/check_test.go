package csaf_test

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/acd-platform/acd/internal/csaf"
)

// baseDoc is a small valid security advisory, as a fresh value each call.
func baseDoc() map[string]any {
	var m map[string]any
	if err := json.Unmarshal([]byte(`{
  "document": {
    "category": "csaf_security_advisory",
    "csaf_version": "2.0",
    "distribution": {"tlp": {"label": "WHITE", "url": "https://www.first.org/tlp/"}},
    "lang": "en",
    "notes": [{"category": "summary", "text": "A flaw.", "title": "Summary"}],
    "publisher": {"category": "coordinator", "name": "Cabinet Office, National Cybersecurity Office", "namespace": "https://acd.example.jp"},
    "references": [{"category": "external", "summary": "ACD", "url": "https://acd.example.jp/alerts/adv_1"}],
    "title": "A flaw",
    "tracking": {
      "current_release_date": "2026-06-02T00:00:00Z",
      "id": "JP-ACD-ADV_1",
      "initial_release_date": "2026-06-01T00:00:00Z",
      "revision_history": [
        {"date": "2026-06-01T00:00:00Z", "number": "1", "summary": "Initial release."},
        {"date": "2026-06-02T00:00:00Z", "number": "2", "summary": "Revision 2."}
      ],
      "status": "final",
      "version": "2"
    }
  },
  "product_tree": {"branches": [{"category": "vendor", "name": "V", "branches": [{"category": "product_name", "name": "P", "branches": [
    {"category": "product_version_range", "name": "vers:generic/<2", "product": {"name": "V P <2", "product_id": "CSAFPID-0001"}},
    {"category": "product_version", "name": "2", "product": {"name": "V P 2", "product_id": "CSAFPID-0002"}}
  ]}]}]},
  "vulnerabilities": [{
    "cve": "CVE-2024-3400",
    "cwe": {"id": "CWE-77", "name": "Improper Neutralization of Special Elements used in a Command ('Command Injection')"},
    "notes": [{"category": "description", "text": "A flaw."}],
    "product_status": {"known_affected": ["CSAFPID-0001"], "fixed": ["CSAFPID-0002"]},
    "remediations": [{"category": "vendor_fix", "details": "Upgrade.", "product_ids": ["CSAFPID-0001"]}],
    "scores": [{"cvss_v3": {"version": "3.1", "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "baseScore": 9.8, "baseSeverity": "CRITICAL"}, "products": ["CSAFPID-0001"]}]
  }]
}`), &m); err != nil {
		panic(err)
	}
	return m
}

// at walks m along keys and indexes.
func at(m any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m = m.(map[string]any)[k]
		case int:
			m = m.([]any)[k]
		}
	}
	return m
}

func obj(m any, path ...any) map[string]any { return at(m, path...).(map[string]any) }

func TestCheck(t *testing.T) {
	v := newValidator(t)
	tracking := func(d map[string]any) map[string]any { return obj(d, "document", "tracking") }
	vuln := func(d map[string]any) map[string]any { return obj(d, "vulnerabilities", 0) }
	for _, tc := range []struct {
		name  string
		edit  func(d map[string]any)
		tests []string // the failing tests, in order
	}{
		{"valid", func(map[string]any) {}, nil},
		{"6.1.1 a status names an undefined product", func(d map[string]any) {
			obj(vuln(d), "product_status")["known_affected"] = []any{"CSAFPID-0001", "CSAFPID-0009"}
		}, []string{"6.1.1"}},
		{"6.1.2 a product id defined twice", func(d map[string]any) {
			obj(d, "product_tree", "branches", 0, "branches", 0, "branches", 1, "product")["product_id"] = "CSAFPID-0001"
		}, []string{"6.1.2", "6.1.1"}},
		{"6.1.6 affected and fixed", func(d map[string]any) {
			obj(vuln(d), "product_status")["fixed"] = []any{"CSAFPID-0001"}
		}, []string{"6.1.6"}},
		{"6.1.7 two CVSS 3 scores for a product", func(d map[string]any) {
			vuln(d)["scores"] = append(vuln(d)["scores"].([]any), at(vuln(d), "scores", 0))
		}, []string{"6.1.7"}},
		{"6.1.9 a base score the vector does not give", func(d map[string]any) {
			obj(vuln(d), "scores", 0, "cvss_v3")["baseScore"] = 9.9
		}, []string{"6.1.9"}},
		{"6.1.11 a CWE name not its id's", func(d map[string]any) {
			obj(vuln(d), "cwe")["name"] = "Command Injection"
		}, []string{"6.1.11"}},
		{"6.1.14 dates going back", func(d map[string]any) {
			obj(tracking(d), "revision_history", 1)["date"] = "2026-05-01T00:00:00Z"
		}, []string{"6.1.14"}},
		{"6.1.16 version not the latest revision", func(d map[string]any) { tracking(d)["version"] = "1" }, []string{"6.1.16"}},
		{"6.1.17 version 0 in a final document", func(d map[string]any) {
			tracking(d)["version"] = "0"
			tracking(d)["revision_history"] = []any{map[string]any{"date": "2026-06-01T00:00:00Z", "number": "0", "summary": "x"}}
		}, []string{"6.1.17", "6.1.18"}},
		{"6.1.21 a gap in the versions", func(d map[string]any) {
			obj(tracking(d), "revision_history", 1)["number"] = "3"
			tracking(d)["version"] = "3"
		}, []string{"6.1.21"}},
		{"6.1.22 a version twice", func(d map[string]any) {
			obj(tracking(d), "revision_history", 1)["number"] = "1"
			tracking(d)["version"] = "1"
		}, []string{"6.1.22"}},
		{"6.1.23 a CVE twice", func(d map[string]any) {
			d["vulnerabilities"] = append(d["vulnerabilities"].([]any), map[string]any{"cve": "CVE-2024-3400",
				"notes": []any{map[string]any{"category": "description", "text": "x"}}, "product_status": map[string]any{"known_affected": []any{"CSAFPID-0001"}}})
		}, []string{"6.1.23"}},
		{"6.1.26 a reserved category", func(d map[string]any) {
			obj(d, "document")["category"] = "csaf_withdrawn"
		}, []string{"6.1.26"}},
		{"6.1.26 a profile's name as category", func(d map[string]any) {
			obj(d, "document")["category"] = "Security Advisory"
		}, []string{"6.1.26"}},
		{"Withdrawn is a valid CSAF Base category", func(d map[string]any) {
			obj(d, "document")["category"] = "Withdrawn"
			delete(d, "product_tree")
			delete(d, "vulnerabilities")
		}, nil},
		{"6.1.27.3 an informational advisory with vulnerabilities", func(d map[string]any) {
			obj(d, "document")["category"] = "csaf_informational_advisory"
		}, []string{"6.1.27.3"}},
		{"6.1.27.2 an informational advisory without an external reference", func(d map[string]any) {
			obj(d, "document")["category"] = "csaf_informational_advisory"
			obj(d, "document", "references", 0)["category"] = "self"
			delete(d, "vulnerabilities")
		}, []string{"6.1.27.2"}},
		{"6.1.27.4, 6.1.27.11 a security advisory without product tree or vulnerabilities", func(d map[string]any) {
			delete(d, "product_tree")
			delete(d, "vulnerabilities")
		}, []string{"6.1.27.4", "6.1.27.11"}},
		{"6.1.27.5, 6.1.27.6 a vulnerability without notes or status", func(d map[string]any) {
			delete(vuln(d), "notes")
			delete(vuln(d), "product_status")
		}, []string{"6.1.27.5", "6.1.27.6"}},
		{"6.1.29 a remediation without products", func(d map[string]any) {
			delete(obj(vuln(d), "remediations", 0), "product_ids")
		}, []string{"6.1.29"}},
		{"6.1.30 integer and semantic versions", func(d map[string]any) {
			obj(tracking(d), "revision_history", 0)["number"] = "1.0.0"
		}, []string{"6.1.30"}},
		{"6.1.31 a range as product_version", func(d map[string]any) {
			obj(d, "product_tree", "branches", 0, "branches", 0, "branches", 1)["name"] = "prior to 4.2"
		}, []string{"6.1.31"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := baseDoc()
			tc.edit(d)
			b, err := json.Marshal(d)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, err := range csaf.Check(b) {
				var v *csaf.Violation
				if !errors.As(err, &v) {
					t.Fatalf("error %v is not a *Violation", err)
				}
				if v.Path == "" || v.Message == "" || v.Error() == "" {
					t.Errorf("violation without path or message: %#v", v)
				}
				got = append(got, v.Test)
			}
			if !slices.Equal(got, tc.tests) {
				t.Errorf("got %v, want %v", got, tc.tests)
			}
			if tc.name == "valid" {
				validate(t, v.csaf, "the base document", b)
			}
		})
	}
}

// Check reports a document that is not one, saying where.
func TestCheckBadJSON(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"not JSON", `{"document": `, "not JSON"},
		{"wrong type", `{"document": {"tracking": {"version": 2}}}`, "/document/tracking/version"},
		{"array", `[1]`, "where"},
	} {
		errs := csaf.Check([]byte(tc.in))
		if len(errs) != 1 || !contains(errs[0].Error(), tc.want) {
			t.Errorf("%s: got %v, want one error mentioning %q", tc.name, errs, tc.want)
		}
	}
}

// The schemas in testdata reject what they should: a test of the tests.
func TestSchemasReject(t *testing.T) {
	v := newValidator(t)
	for _, tc := range []struct {
		name string
		edit func(d map[string]any)
	}{
		{"no tracking", func(d map[string]any) { delete(obj(d, "document"), "tracking") }},
		{"TLP 2.0 label", func(d map[string]any) { obj(d, "document", "distribution", "tlp")["label"] = "CLEAR" }},
		{"a bad CVSS vector", func(d map[string]any) {
			obj(d, "vulnerabilities", 0, "scores", 0, "cvss_v3")["vectorString"] = "CVSS:3.1/AV:X"
		}},
		{"a bad date", func(d map[string]any) { obj(d, "document", "tracking")["current_release_date"] = "yesterday" }},
		{"CVSS 4.0 as cvss_v3", func(d map[string]any) {
			obj(d, "vulnerabilities", 0, "scores", 0, "cvss_v3")["version"] = "4.0"
		}},
	} {
		d := baseDoc()
		tc.edit(d)
		b, _ := json.Marshal(d)
		inst, _ := jsonUnmarshal(b)
		if err := v.csaf.Validate(inst); err == nil {
			t.Errorf("%s: the schema accepted it", tc.name)
		}
	}
}
