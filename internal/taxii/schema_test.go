package taxii_test

import (
	"strings"
	"testing"

	"github.com/acd-platform/acd/internal/store/storetest"
	"github.com/acd-platform/acd/internal/taxii"
)

// TestSchemas: the embedded OASIS schemas accept valid objects of known and
// custom types and name the property at fault in what they refuse.
func TestSchemas(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	const ind = `"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2025-05-16T09:00:00.000Z","modified":"2025-05-16T09:00:00.000Z","pattern_type":"stix","valid_from":"2025-05-16T09:00:00.000Z"`
	for _, tc := range []struct {
		in, want string // want "" for valid
	}{
		{`{` + ind + `,"pattern":"[ipv4-addr:value = '198.51.100.1']"}`, ""},
		{`{"type":"x-acd-note","spec_version":"2.1","id":"x-acd-note--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2025-05-16T09:00:00.000Z","modified":"2025-05-16T09:00:00.000Z"}`, ""},
		{`{"type":"x-acd-thing","id":"x-acd-thing--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"}`, ""}, // a custom observable
		{`{` + ind + `}`, "OASIS schema of indicator: missing property 'pattern'"},
		{`{` + ind + `,"pattern":"x","confidence":101}`, "OASIS schema of indicator: confidence: maximum: got 101, want 100"},
		{`{"type":"mac-addr","spec_version":"2.1","id":"mac-addr--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","value":"zz"}`, "OASIS schema of mac-addr: value: 'zz' does not match pattern"},
		{`{` + ind + `,"pattern":"x","external_references":[{"source_name":"capec","external_id":"T1"}]}`, "OASIS schema of indicator: external_references.0."},
		{`[1]`, "OASIS schema: not a JSON object"},
	} {
		err := taxii.ValidateSchema(f.svc, []byte(tc.in))
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%.60s: %v", tc.in, err)
		case tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.want)):
			t.Errorf("%.60s: error %v, want one starting %q", tc.in, err, tc.want)
		}
	}
}
