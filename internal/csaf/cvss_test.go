package csaf_test

import (
	"testing"

	"github.com/acd-platform/acd/internal/csaf"
)

func TestCVSS3Base(t *testing.T) {
	for _, tc := range []struct {
		vector   string
		version  string
		score    float64
		severity string
	}{
		// Log4Shell and CVE-2024-3400: scope changed, everything high.
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", "3.1", 10, "CRITICAL"},
		// The most common critical score.
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "3.1", 9.8, "CRITICAL"},
		// The same in CVSS 3.0.
		{"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "3.0", 9.8, "CRITICAL"},
		// Heartbleed.
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", "3.1", 7.5, "HIGH"},
		// A local privilege escalation.
		{"CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", "3.1", 7.8, "HIGH"},
		// Reflected and stored cross-site scripting.
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", "3.1", 6.1, "MEDIUM"},
		{"CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N", "3.1", 5.4, "MEDIUM"},
		// Low, from a physical vector.
		{"CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", "3.1", 1.6, "LOW"},
		// No impact scores 0.
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", "3.1", 0, "NONE"},
		// Temporal metrics do not change the base score; order is free.
		{"CVSS:3.1/E:H/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/RL:O", "3.1", 9.8, "CRITICAL"},
	} {
		version, score, severity, err := csaf.CVSS3Base(tc.vector)
		if err != nil || version != tc.version || score != tc.score || severity != tc.severity {
			t.Errorf("%s: got %s %.1f %s %v, want %s %.1f %s", tc.vector, version, score, severity, err, tc.version, tc.score, tc.severity)
		}
	}
	for _, bad := range []string{
		"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", // CSAF 2.0 cannot score 4.0
		"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H",                        // a base metric missing
		"CVSS:3.1/AV:N/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",               // a metric twice
		"CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",                    // a value out of range
		"AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",                             // no prefix
		"",
	} {
		if _, _, _, err := csaf.CVSS3Base(bad); err == nil {
			t.Errorf("%q: accepted", bad)
		}
	}
}

func TestFilename(t *testing.T) {
	for _, tc := range []struct{ id, want string }{
		{csaf.TrackingID("adv_7qkx3m"), "jp-acd-adv_7qkx3m.json"}, // ACD's tracking ids
		{"2022_#01-A", "2022_01-a.json"},                          // §5.1's example: a run of others is one "_"
		{"ESA-2022-02723", "esa-2022-02723.json"},                 // upper case to lower
		{"CSAF+v2 ü", "csaf+v2_.json"},                            // "+" stays, a space and a non-ASCII letter go
	} {
		if got := csaf.Filename(tc.id); got != tc.want {
			t.Errorf("Filename(%q) = %q, want %q", tc.id, got, tc.want)
		}
	}
	if got := csaf.TrackingID("adv_7qkx3m"); got != "JP-ACD-ADV_7QKX3M" {
		t.Errorf("TrackingID = %q", got)
	}
}
