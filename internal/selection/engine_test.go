package selection_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/acd-platform/acd/internal/selection/capgen"
)

// generated writes a capgen capture and its delegated file.
func generated(t testing.TB, cfg capgen.Config) ([]byte, capgen.Manifest, string) {
	t.Helper()
	var pcap, del bytes.Buffer
	man, err := capgen.Write(&pcap, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := capgen.WriteDelegated(&del); err != nil {
		t.Fatal(err)
	}
	return pcap.Bytes(), man, del.String()
}

// TestContentNeverLeaves is the content-canary test: every content field of
// the generated traffic (subjects, bodies, attachment names and bytes,
// multipart boundaries, display names, HTTP bodies, cookies, Authorization,
// query values, RTP payloads, TLS application data) carries a unique canary.
// With a criteria set that selects every flow in scope, so that every flow's
// content passes through the extractors, no canary may appear in the output,
// the log or any file the run leaves; and the mechanical fields must be there.
func TestContentNeverLeaves(t *testing.T) {
	n := 60000
	if testing.Short() {
		n = 15000
	}
	pcap, man, del := generated(t, capgen.Config{Packets: n, Canaries: true, Seed: 7})
	canaries := append(slices.Clone(man.Canaries), man.DecodedCanaries...)
	if len(canaries) < 100 {
		t.Fatalf("only %d canaries in the capture", len(canaries))
	}
	for _, workers := range []int{1, 3} {
		dir := t.TempDir()
		t.Setenv("TMPDIR", dir) // any temp file the run made would land here
		r := run(t, bytes.NewReader(pcap), criteriaJSON(allDirections, everything), runOpts{workers: workers, delegated: del})
		if err := os.WriteFile(filepath.Join(dir, "out.jsonl"), r.out, 0o600); err != nil {
			t.Fatal(err)
		}
		var files [][]byte
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				b, _ := os.ReadFile(p)
				files = append(files, b)
			}
			return nil
		})
		for _, c := range canaries {
			if bytes.Contains(r.out, []byte(c)) || strings.Contains(r.log, c) {
				t.Errorf("workers=%d: canary %s reached the output or log", workers, c)
			}
			for _, f := range files {
				if bytes.Contains(f, []byte(c)) {
					t.Errorf("workers=%d: canary %s reached a file", workers, c)
				}
			}
		}
		if bytes.Contains(r.out, []byte(capgen.CanaryPrefix)) {
			t.Errorf("workers=%d: the canary prefix %q is in the output", workers, capgen.CanaryPrefix)
		}
		// The mechanical fields are there.
		out := string(r.out)
		expect := map[string][]string{
			"Host": man.Hosts, "User-Agent": man.UserAgents, "path": man.Paths, "SNI": man.SNIs,
			"qname": man.QNames, "HELO": man.HELOs,
		}
		for what, values := range expect {
			found := 0
			for _, v := range values {
				if strings.Contains(out, jsonQuoted(v)) {
					found++
				}
			}
			if len(values) == 0 || found*2 < len(values) {
				t.Errorf("workers=%d: %d of %d %s values in the output; want most", workers, found, len(values), what)
			}
		}
		found := 0
		for _, a := range man.MailFrom {
			if strings.Contains(out, pseudonymOf(t, r.key, a)) {
				found++
			}
			if strings.Contains(out, jsonQuoted(a)) {
				t.Errorf("workers=%d: clear address %s in the output", workers, a)
			}
		}
		if found == 0 {
			t.Errorf("workers=%d: no pseudonymised MAIL FROM address in the output", workers)
		}
		for _, typ := range []string{"flow", "http", "dns", "smtp", "mail"} {
			if len(r.byType(typ)) == 0 {
				t.Errorf("workers=%d: no %s records", workers, typ)
			}
		}
		checkBalance(t, r.sum)
	}
}

func jsonQuoted(s string) string { return `"` + s + `"` }

// TestSummaryHashesTheOutput checks the summary's SHA-256 against the bytes
// before it, and that the counters account for every packet.
func TestSummaryHashesTheOutput(t *testing.T) {
	pcap, man, del := generated(t, capgen.Config{Packets: 20000, Seed: 3})
	var crit bytes.Buffer
	if err := capgen.WriteCriteria(&crit, capgen.CriteriaConfig{Matchers: 2000}); err != nil {
		t.Fatal(err)
	}
	r := run(t, bytes.NewReader(pcap), crit.Bytes(), runOpts{workers: 2, delegated: del})
	last := bytes.LastIndexByte(r.out[:len(r.out)-1], '\n') + 1
	got := sha256.Sum256(r.out[:last])
	if hex.EncodeToString(got[:]) != r.sum.OutputSHA256 || int64(last) != r.sum.OutputBytes {
		t.Errorf("summary says %s over %d bytes; the output before it hashes to %x over %d",
			r.sum.OutputSHA256, r.sum.OutputBytes, got, last)
	}
	if r.records[0]["type"] != "run" || r.records[len(r.records)-1]["type"] != "summary" {
		t.Errorf("output starts with %v and ends with %v; want run … summary", r.records[0]["type"], r.records[len(r.records)-1]["type"])
	}
	tot := r.sum.Total.Seen.Packets + r.sum.NonIP.Packets + r.sum.Malformed.Packets
	if tot != uint64(man.Packets) || r.sum.Malformed.Packets != 0 {
		t.Errorf("counted %d packets (%d malformed); the capture has %d", tot, r.sum.Malformed.Packets, man.Packets)
	}
	checkBalance(t, r.sum)
	// Every flow the generator made to match a rule is selected.
	if r.sum.SelectedFlows < uint64(man.MatchingFlows) || man.MatchingFlows == 0 {
		t.Errorf("selected %d flows; the generator made %d that match", r.sum.SelectedFlows, man.MatchingFlows)
	}
	if got := uint64(len(r.byType("flow"))); got != r.sum.SelectedFlows {
		t.Errorf("%d flow records for %d selected flows", got, r.sum.SelectedFlows)
	}
}

// TestWorkersAgree checks that sharding over workers changes nothing but
// flow ids and record order.
func TestWorkersAgree(t *testing.T) {
	pcap, _, del := generated(t, capgen.Config{Packets: 20000, Seed: 11})
	var crit bytes.Buffer
	if err := capgen.WriteCriteria(&crit, capgen.CriteriaConfig{Matchers: 1000}); err != nil {
		t.Fatal(err)
	}
	key := newKey(t)
	one := run(t, bytes.NewReader(pcap), crit.Bytes(), runOpts{workers: 1, delegated: del, key: key})
	four := run(t, bytes.NewReader(pcap), crit.Bytes(), runOpts{workers: 4, delegated: del, key: key})
	if one.sum.Total != four.sum.Total || one.sum.SelectedFlows != four.sum.SelectedFlows || one.sum.Records != four.sum.Records {
		t.Errorf("1 worker: %+v, %d flows, %d records; 4 workers: %+v, %d flows, %d records",
			one.sum.Total, one.sum.SelectedFlows, one.sum.Records, four.sum.Total, four.sum.SelectedFlows, four.sum.Records)
	}
	if a, b := canonical(one), canonical(four); !slices.Equal(a, b) {
		t.Errorf("records differ between 1 and 4 workers: %d vs %d", len(a), len(b))
	}
}

// canonical lists the flow and event records without flow ids, sorted.
func canonical(r *result) []string {
	var out []string
	for _, rec := range r.records {
		if rec["type"] == "run" || rec["type"] == "summary" {
			continue
		}
		delete(rec, "flow")
		b, _ := jsonMarshal(rec)
		out = append(out, string(b))
	}
	slices.Sort(out)
	return out
}
