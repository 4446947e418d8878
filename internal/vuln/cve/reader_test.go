package cve_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/vuln/cve"
)

// result is what a test sees of one call of Next.
type result struct {
	ID  string // the record's id, or the RecordError's
	Err string // "" for a good record; the RecordError's path
}

// readAll calls Next until it returns something other than a record or a
// RecordError, and returns what it saw and the final error.
func readAll(t *testing.T, r *cve.Reader) ([]result, error) {
	t.Helper()
	var out []result
	for range 1000 {
		v, err := r.Next()
		var re *cve.RecordError
		switch {
		case err == nil:
			out = append(out, result{ID: v.ID})
		case errors.As(err, &re):
			out = append(out, result{ID: re.ID, Err: re.Path})
		default:
			return out, err
		}
	}
	t.Fatal("Next did not stop")
	return nil, nil
}

func TestReader(t *testing.T) {
	ivanti := string(readRecord(t, "cve5/CVE-2023-46805.json"))
	tplink := string(readRecord(t, "nvd/CVE-2023-1389.json"))
	bad := strings.Replace(minimal, `"status":"affected"`, `"status":"fixed"`, 1)
	okRec := minimal
	compact := func(s string) string {
		var b bytes.Buffer
		if err := json.Compact(&b, []byte(s)); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	const badPath = "containers.cna.affected[0].versions[0].status"
	tests := []struct {
		name string
		in   string
		want []result
	}{
		{"array", "[" + ivanti + "," + tplink + "]", []result{{ID: "CVE-2023-46805"}, {ID: "CVE-2023-1389"}}},
		{"empty-array", "[]", nil},
		{"empty", "  \n", nil},
		{"ndjson", compact(ivanti) + "\n" + compact(okRec) + "\n", []result{{ID: "CVE-2023-46805"}, {ID: "CVE-2025-0001"}}},
		{"concatenated", ivanti + okRec, []result{{ID: "CVE-2023-46805"}, {ID: "CVE-2025-0001"}}},
		{"one-record", tplink, []result{{ID: "CVE-2023-1389"}}},
		// A bad record is reported with its index and the reader goes on.
		{"bad-in-array", "[" + okRec + "," + bad + "," + ivanti + "]", []result{{ID: "CVE-2025-0001"}, {ID: "CVE-2025-0001", Err: badPath}, {ID: "CVE-2023-46805"}}},
		{"bad-in-ndjson", compact(bad) + "\n" + compact(okRec), []result{{ID: "CVE-2025-0001", Err: badPath}, {ID: "CVE-2025-0001"}}},
		// An NVD API response.
		{"nvd-response", `{"resultsPerPage":2,"startIndex":0,"format":"NVD_CVE","vulnerabilities":[{"cve":` + tplink + `},{"cve":{"id":"bad"}}],"timestamp":"2025-01-01T00:00:00.000"}` + "\n" + okRec,
			[]result{{ID: "CVE-2023-1389"}, {Err: "id"}, {ID: "CVE-2025-0001"}}},
		// Arrays and records may follow one another.
		{"array-then-record", "[" + okRec + "]" + tplink, []result{{ID: "CVE-2025-0001"}, {ID: "CVE-2023-1389"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var progress []cve.Progress
			r := cve.NewReader(strings.NewReader(tt.in), cve.ReaderConfig{ProgressEvery: 1, Progress: func(p cve.Progress) { progress = append(progress, p) }})
			got, err := readAll(t, r)
			if err != io.EOF {
				t.Fatalf("final error %v, want io.EOF", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("records (-want +got):\n%s", diff)
			}
			rejected := 0
			for _, g := range got {
				if g.Err != "" {
					rejected++
				}
			}
			p := r.Progress()
			if p.Records != len(tt.want) || p.Rejected != rejected || !p.Done || p.Bytes != int64(len(strings.TrimRight(tt.in, " \n"))) && p.Bytes != int64(len(tt.in)) {
				t.Errorf("Progress = %+v, want %d records, %d rejected, done, %d bytes", p, len(tt.want), rejected, len(tt.in))
			}
			if len(progress) != len(tt.want)+1 || !progress[len(progress)-1].Done {
				t.Errorf("Progress called %d times (%+v), want after each record and at the end", len(progress), progress)
			}
			if _, err := r.Next(); err != io.EOF {
				t.Errorf("Next after the end: %v, want io.EOF again", err)
			}
		})
	}
}

func TestReaderRecordIndex(t *testing.T) {
	bad := strings.Replace(minimal, `"status":"affected"`, `"status":"fixed"`, 1)
	r := cve.NewReader(strings.NewReader("["+minimal+","+minimal+","+bad+"]"), cve.ReaderConfig{})
	for range 2 {
		if _, err := r.Next(); err != nil {
			t.Fatal(err)
		}
	}
	_, err := r.Next()
	var re *cve.RecordError
	if !errors.As(err, &re) || re.Index != 2 {
		t.Fatalf("got %v, want a RecordError for record 2", err)
	}
	if want := `record 2 (CVE-2025-0001): containers.cna.affected[0].versions[0].status: "fixed": want affected, unaffected or unknown`; err.Error() != want {
		t.Errorf("got %q, want %q", err.Error(), want)
	}
}

func TestReaderStops(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		good int    // records read before the stop
		msg  string // part of the error
	}{
		{"not-json", minimal + "\n{oops", 0, 1, "read record 1 at byte"},
		{"truncated-array", "[" + minimal + "," + minimal, 0, 2, "unexpected EOF"},
		{"scalar", minimal + " 42", 0, 1, "want a JSON object or array"},
		{"vulnerabilities-not-array", `{"vulnerabilities":{}}`, 0, 0, "want an array of NVD items"},
		// A record larger than the limit stops the reader: what follows
		// cannot be found without reading it.
		{"too-large", "[" + minimal + `,{"x":"` + strings.Repeat("a", 5000) + `"},` + minimal + "]", 2000, 1, "read record 1: larger than 2000 bytes"},
		{"too-large-object", minimal + `{"x":"` + strings.Repeat("a", 5000) + `"}`, 2000, 1, "read record 1: larger than 2000 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := cve.NewReader(strings.NewReader(tt.in), cve.ReaderConfig{MaxRecordBytes: tt.max})
			got, err := readAll(t, r)
			if err == nil || err == io.EOF || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("final error %v, want one containing %q", err, tt.msg)
			}
			if len(got) != tt.good {
				t.Errorf("read %d records (%v) before stopping, want %d", len(got), got, tt.good)
			}
			if _, again := r.Next(); again != err {
				t.Errorf("Next after the stop: %v, want the same error %v", again, err)
			}
		})
	}
}

func TestParseVers(t *testing.T) {
	affected := func(r cve.Range) cve.Range { r.Status, r.Scheme = cve.StatusAffected, "npm"; return r }
	tests := []struct {
		in   string
		want cve.Versions
	}{
		// Every version.
		{"vers:npm/*", cve.Versions{Default: cve.StatusAffected}},
		// One interval, spaces ignored.
		{"vers:npm/ >=1.0.0 | <2.0.0", cve.Versions{Default: cve.StatusUnaffected, Ranges: []cve.Range{affected(cve.Range{Start: "1.0.0", End: "2.0.0"})}}},
		// Two intervals, a lone upper bound first, an open-ended one last.
		{"vers:npm/<=0.9|>1.0|<1.5|>=3.0", cve.Versions{Default: cve.StatusUnaffected, Ranges: []cve.Range{
			affected(cve.Range{End: "0.9", EndIncluded: true}),
			affected(cve.Range{Start: "1.0", StartExcluded: true, End: "1.5"}),
			affected(cve.Range{Start: "3.0"}),
		}}},
		// Exclusions come first, then equalities, then intervals.
		{"vers:npm/1.2.3|>=2.0|!=2.1|<3", cve.Versions{Default: cve.StatusUnaffected, Ranges: []cve.Range{
			{Status: cve.StatusUnaffected, Scheme: "npm", Exact: "2.1"},
			affected(cve.Range{Exact: "1.2.3"}),
			affected(cve.Range{Start: "2.0", End: "3"}),
		}}},
		// Only "!=": every other version.
		{"vers:npm/!=1.0", cve.Versions{Default: cve.StatusAffected, Ranges: []cve.Range{{Status: cve.StatusUnaffected, Scheme: "npm", Exact: "1.0"}}}},
		// Percent-encoded versions.
		{"vers:npm/=1.0.0%2Bbuild", cve.Versions{Default: cve.StatusUnaffected, Ranges: []cve.Range{affected(cve.Range{Exact: "1.0.0+build"})}}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := cve.ParseVers(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseVers (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseVersErrors(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"npm/>=1", `parse vers "npm/>=1": want "vers:" at the start`},
		{"vers:npm", `parse vers "vers:npm": want "vers:<scheme>/<constraints>"`},
		{"vers:npm/", `parse vers "vers:npm/": no constraints`},
		{"vers:n_m/1", `parse vers "vers:n_m/1": scheme "n_m": want letters, digits, ".", "-" or "+"`},
		{"vers:npm/>=1|>=2", `parse vers "vers:npm/>=1|>=2": constraint 1: lower bound >=2 follows lower bound 1 without an upper bound between`},
		{"vers:npm/1|*", `parse vers "vers:npm/1|*": constraint 1: "*" must be the only constraint`},
		{"vers:npm/>=", `parse vers "vers:npm/>=": constraint 0: version "": empty`},
		{"vers:npm/%zz", `parse vers "vers:npm/%zz": constraint 0: version "%zz": bad percent-encoding`},
	}
	for _, tt := range tests {
		_, err := cve.ParseVers(tt.in)
		var ve *cve.VersError
		if !errors.As(err, &ve) || err.Error() != tt.want {
			t.Errorf("ParseVers(%q): got %v, want %s", tt.in, err, tt.want)
		}
	}
}
