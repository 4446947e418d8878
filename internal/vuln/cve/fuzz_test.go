package cve_test

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/acd-platform/acd/internal/product"
	"github.com/acd-platform/acd/internal/vuln/cve"
)

func FuzzParse(f *testing.F) {
	f.Add([]byte(minimal))                                                                                                                                                                                                                                                                                         // a valid CVE 5 record
	f.Add([]byte(`{"id":"CVE-2025-0002","configurations":[{"operator":"AND","nodes":[{"operator":"OR","cpeMatch":[{"vulnerable":true,"criteria":"cpe:2.3:o:a:b:*:*:*:*:*:*:*:*","versionEndExcluding":"2"}]},{"operator":"OR","cpeMatch":[{"vulnerable":false,"criteria":"cpe:2.3:h:a:c:-:*:*:*:*:*:*:*"}]}]}]}`)) // NVD, AND
	f.Add([]byte(`{"cveMetadata":{"cveId":"CVE-2025-0001","state":"PUBLISHED"},"containers":{"cna":{"affected":[{"collectionURL":"https://pypi.org","packageName":"Foo_Bar","versions":[{"version":"0","lessThan":"1.*","status":"affected","changes":[{"at":"0.5","status":"unaffected"}]}]}]}}}`))               // PyPI, changes, "1.*"
	f.Add([]byte(`{"cveMetadata":{"cveId":"CVE-2025-0001","state":"PUBLISHED"},"containers":{"cna":{"affected":[{"versions":[{"version":1}]}]}}}`))                                                                                                                                                                // type error inside an array
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := cve.Parse(data)
		if err != nil {
			var re *cve.RecordError
			if !errors.As(err, &re) || re.Index != -1 {
				t.Fatalf("Parse error %v is not a *RecordError with index -1", err)
			}
			return
		}
		if !strings.HasPrefix(v.ID, "CVE-") {
			t.Fatalf("ID %q", v.ID)
		}
		if len(v.Affected) > cve.MaxAffected {
			t.Fatalf("%d affected products", len(v.Affected))
		}
		for i, a := range v.Affected {
			if a.CPE != nil && a.PURL != nil {
				t.Fatalf("affected %d has both a CPE and a PURL", i)
			}
			if a.CPE != nil {
				if back, err := product.ParseCPE(a.CPE.String()); err != nil || back != *a.CPE {
					t.Fatalf("affected %d: CPE %s does not round-trip: %v", i, a.CPE, err)
				}
			}
			if a.PURL != nil {
				if _, err := product.ParsePURL(a.PURL.String()); err != nil {
					t.Fatalf("affected %d: PURL %s does not parse: %v", i, a.PURL, err)
				}
			}
			for _, r := range a.Versions.Ranges {
				for _, s := range []string{r.Exact, r.Start, r.End} {
					if len(s) > cve.MaxVersionLen {
						t.Fatalf("affected %d: version of %d bytes", i, len(s))
					}
				}
				if r.Exact != "" && (r.Start != "" || r.End != "" || len(r.Changes) > 0) {
					t.Fatalf("affected %d: exact version with bounds or changes: %+v", i, r)
				}
			}
		}
	})
}

func FuzzReader(f *testing.F) {
	f.Add("[" + minimal + "," + minimal + "]")                          // an array
	f.Add(minimal + "\n" + minimal)                                     // NDJSON
	f.Add(`{"vulnerabilities":[{"cve":{"id":"CVE-2025-0002"}}],"x":1}`) // an NVD response
	f.Add(`[{"a":1},`)                                                  // truncated
	f.Fuzz(func(t *testing.T, in string) {
		r := cve.NewReader(strings.NewReader(in), cve.ReaderConfig{MaxRecordBytes: 4096})
		good, bad := 0, 0
		for range len(in) + 2 {
			v, err := r.Next()
			var re *cve.RecordError
			switch {
			case err == nil:
				if v == nil {
					t.Fatal("Next returned nil, nil")
				}
				good++
				continue
			case errors.As(err, &re):
				if re.Index != good+bad {
					t.Fatalf("RecordError index %d, want %d", re.Index, good+bad)
				}
				bad++
				continue
			}
			p := r.Progress()
			if p.Records != good+bad || p.Rejected != bad {
				t.Fatalf("Progress %+v, want %d records, %d rejected", p, good+bad, bad)
			}
			if err == io.EOF && !p.Done {
				t.Fatal("io.EOF without Done")
			}
			return
		}
		t.Fatalf("Next did not stop on %d bytes of input", len(in))
	})
}

func FuzzParseVers(f *testing.F) {
	f.Add("vers:npm/>=1.0.0|<2.0.0")         // one interval
	f.Add("vers:pypi/<=0.9|>1.0|!=1.2|<1.5") // several, with an exclusion
	f.Add("vers:npm/*")                      // every version
	f.Add("vers:deb/=1%3A2.0")               // percent-encoded epoch
	f.Fuzz(func(t *testing.T, s string) {
		vs, err := cve.ParseVers(s)
		if err != nil {
			var ve *cve.VersError
			if !errors.As(err, &ve) || ve.Input != s {
				t.Fatalf("ParseVers(%q) error %v is not a *VersError quoting the input", s, err)
			}
			return
		}
		for _, r := range vs.Ranges {
			if r.Scheme == "" || strings.ContainsAny(r.Scheme, "/|") {
				t.Fatalf("range %+v: bad scheme", r)
			}
			if r.Exact == "" && r.Start == "" && r.End == "" {
				t.Fatalf("range %+v: no version at all", r)
			}
		}
	})
}
