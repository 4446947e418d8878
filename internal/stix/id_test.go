package stix_test

import (
	"encoding/json"
	"regexp"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/stix"
)

func TestNewID(t *testing.T) {
	re := regexp.MustCompile(`^indicator--[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	a, b := stix.NewID("indicator"), stix.NewID("indicator")
	if !re.MatchString(a) || a == b {
		t.Errorf("NewID = %q, %q; want two different UUIDv4 identifiers", a, b)
	}
	typ, u, err := stix.ParseID(a)
	if err != nil || typ != "indicator" || u.Version() != 4 || "indicator--"+u.String() != a {
		t.Errorf("ParseID(%q) = %q, %v, %v", a, typ, u, err)
	}
}

func TestNewIDv5(t *testing.T) {
	ns, err := stix.ParseUUID("30102ca6-36b6-4f36-adac-6de04e99394c")
	if err != nil {
		t.Fatal(err)
	}
	a := stix.NewIDv5("incident", ns, "report-1")
	if a != stix.NewIDv5("incident", ns, "report-1") || a == stix.NewIDv5("incident", ns, "report-2") {
		t.Errorf("NewIDv5 is not a function of its name")
	}
	// Python: uuid.uuid5(uuid.UUID("30102ca6-…"), "report-1").
	if want := "incident--3abffad9-5e30-50d3-9e93-a97bfb298e60"; a != want {
		t.Errorf("NewIDv5 = %s, want %s", a, want)
	}
	if _, u, _ := stix.ParseID(a); u.Version() != 5 {
		t.Errorf("NewIDv5 gave version %d, want 5", u.Version())
	}
}

// The deterministic ids of cyber-observables match the specification's
// example and what the OASIS Python library computes.
func TestSCOID(t *testing.T) {
	tests := []struct {
		typ   string
		props map[string]any
		want  string
	}{
		// STIX 2.1 §2.9's example.
		{"ipv4-addr", map[string]any{"value": "198.51.100.3"}, "ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4"},
		// stix2 (Python): IPv6Address(value="2001:db8::1").id, DomainName(value="example.com").id.
		{"ipv6-addr", map[string]any{"value": "2001:db8::1"}, "ipv6-addr--6469e3a9-b053-5e34-a025-9396ae051d26"},
		{"domain-name", map[string]any{"value": "example.com"}, "domain-name--bedb4899-d24b-5401-bc86-8f6b4cc18ec7"},
		// One hash is used, MD5 before SHA-256.
		{"file", map[string]any{"hashes": map[string]string{"SHA-256": "ceafbfd424be2ca4a5f0402cae090dda2fb0526cf521b60b60077c0f622b285a"}},
			"file--70221dbf-52fd-5377-9619-c0ce6b3ffc8c"},
	}
	for _, tt := range tests {
		got, err := stix.SCOID(tt.typ, tt.props)
		if err != nil || got != tt.want {
			t.Errorf("SCOID(%s, %v) = %s, %v; want %s", tt.typ, tt.props, got, err, tt.want)
		}
	}
	md5 := map[string]string{"MD5": "001dd76872d80801692ff942308c64e6"}
	both := map[string]string{"MD5": "001dd76872d80801692ff942308c64e6", "SHA-256": "ceafbfd424be2ca4a5f0402cae090dda2fb0526cf521b60b60077c0f622b285a"}
	a, _ := stix.SCOID("file", map[string]any{"hashes": md5})
	b, _ := stix.SCOID("file", map[string]any{"hashes": both})
	if a != b {
		t.Errorf("file ids with and without SHA-256 differ: %s, %s; only MD5 should count", a, b)
	}
	if got := stix.NewIPv4Addr("198.51.100.3").ID; got != tests[0].want {
		t.Errorf("NewIPv4Addr id = %s, want %s", got, tests[0].want)
	}
	if _, err := stix.SCOID("file", nil); err == nil {
		t.Errorf("SCOID without properties succeeded")
	}
	if _, err := stix.NewFile("", nil); err == nil {
		t.Errorf("NewFile without name or hashes succeeded")
	}
}

func TestParseUUID(t *testing.T) {
	for _, s := range []string{
		"8E2E2D2B-17D4-4CBF-938F-98EE46B3CD3F", // upper case is fine
		"1621d4d4-b67d-11e3-9670-f01faf20d111", // version 1, as some OASIS examples use
	} {
		if _, err := stix.ParseUUID(s); err != nil {
			t.Errorf("ParseUUID(%q): %v", s, err)
		}
	}
	for s, want := range map[string]string{
		"8e2e2d2b17d44cbf938f98ee46b3cd3f":     `"8e2e2d2b17d44cbf938f98ee46b3cd3f" is not a UUID`,
		"8e2e2d2b-17d4-4cbf-c38f-98ee46b3cd3f": `"8e2e2d2b-17d4-4cbf-c38f-98ee46b3cd3f" is not an RFC 4122 UUID (wrong variant)`,
		"8e2e2d2b-17d4-6cbf-938f-98ee46b3cd3f": `"8e2e2d2b-17d4-6cbf-938f-98ee46b3cd3f" is a UUID of version 6, want 1 to 5`,
		"8e2e2d2b-17d4-4cbf-938f-98ee46b3cdzz": `"8e2e2d2b-17d4-4cbf-938f-98ee46b3cdzz" is not a UUID`,
	} {
		if _, err := stix.ParseUUID(s); err == nil || err.Error() != want {
			t.Errorf("ParseUUID(%q): got %v, want %s", s, err, want)
		}
	}
}

func TestTime(t *testing.T) {
	at := time.Date(2025, 5, 16, 18, 0, 0, 123456789, time.FixedZone("JST", 9*3600))
	if got, want := stix.FormatTime(at), "2025-05-16T09:00:00.123Z"; got != want {
		t.Errorf("FormatTime = %s, want %s", got, want)
	}
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2025-05-16T09:00:00Z", time.Date(2025, 5, 16, 9, 0, 0, 0, time.UTC)},
		{"2025-05-16T09:00:00.5Z", time.Date(2025, 5, 16, 9, 0, 0, 5e8, time.UTC)},
		{"2025-05-16T09:00:00.123456789123Z", time.Date(2025, 5, 16, 9, 0, 0, 123456789, time.UTC)},
		{"2016-12-31T23:59:60Z", time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC)}, // leap second
		{"2024-02-29T00:00:00Z", time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		got, err := stix.ParseTime(tt.in)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{
		"2025-05-16T09:00:00",       // no zone
		"2025-05-16t09:00:00z",      // lower case
		"2025-05-16T09:00:00+00:00", // offset
		"2025-05-16 09:00:00Z",      // space
		"2023-02-29T00:00:00Z",      // not a leap year
		"2025-05-16T24:00:00Z",      // hour 24
		"2025-05-16T09:00:00.Z",     // empty fraction
		"25-05-16T09:00:00Z",        // short year
	} {
		if _, err := stix.ParseTime(in); err == nil {
			t.Errorf("ParseTime(%q) succeeded", in)
		}
	}
	for _, tt := range []struct {
		t    time.Time
		want string
	}{
		{time.Date(2025, 5, 16, 9, 0, 0, 0, time.UTC), `"2025-05-16T09:00:00.000Z"`},
		{time.Date(2025, 5, 16, 9, 0, 0, 120e6, time.UTC), `"2025-05-16T09:00:00.120Z"`},
		{time.Date(2025, 5, 16, 9, 0, 0, 1200, time.UTC), `"2025-05-16T09:00:00.0000012Z"`}, // no precision lost
	} {
		b, err := json.Marshal(stix.TS(tt.t))
		if err != nil || string(b) != tt.want {
			t.Errorf("Marshal(TS(%v)) = %s, %v; want %s", tt.t, b, err, tt.want)
		}
		var back stix.Timestamp
		if err := json.Unmarshal(b, &back); err != nil || !back.Equal(tt.t) {
			t.Errorf("Unmarshal(%s) = %v, %v; want %v", b, back, err, tt.t)
		}
	}
}
