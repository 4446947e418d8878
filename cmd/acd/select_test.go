package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/manifest"
	"github.com/acd-platform/acd/internal/selection"
	"github.com/acd-platform/acd/internal/selection/capgen"
	"github.com/acd-platform/acd/internal/selection/criteria"
)

// selectFixture is a data dir with a pseudonym key, a generated capture, its
// delegated file, a criteria file valid now and its approval: a manifest
// signed with the data dir's approval-manifest key, the key set and a fresh
// revocation list.
type selectFixture struct {
	dir, pcap, delegated, criteria string
	*approvalFiles
}

func newSelectFixture(t *testing.T) *selectFixture {
	t.Helper()
	dir := t.TempDir()
	// The server's key directory; a collection point gets a copy of its
	// email-pseudonym.json.
	ring, err := keys.Open(filepath.Join(dir, "keys"), nil)
	if err != nil {
		t.Fatal(err)
	}
	f := &selectFixture{dir: dir, pcap: filepath.Join(dir, "c.pcap"), delegated: filepath.Join(dir, "delegated"), criteria: filepath.Join(dir, "criteria.json")}
	f.approvalFiles = newApprovalFiles(t, dir, ring)
	var pcap, del bytes.Buffer
	if _, err := capgen.Write(&pcap, capgen.Config{Packets: 5000}); err != nil {
		t.Fatal(err)
	}
	if err := capgen.WriteDelegated(&del); err != nil {
		t.Fatal(err)
	}
	write(t, f.pcap, pcap.Bytes())
	write(t, f.delegated, del.Bytes())
	now := time.Now().UTC()
	f.writeCriteria(t, now.Add(-time.Hour), now.Add(time.Hour), `"0.0.0.0/0","::/0"`)
	return f
}

// writeCriteria writes the criteria file and, when it parses, a manifest
// that approves it.
func (f *selectFixture) writeCriteria(t *testing.T, from, until time.Time, addrs string) {
	t.Helper()
	write(t, f.criteria, fmt.Appendf(nil, `{"schema":"acd.selection.criteria/v1","id":"cli","version":1,"authority":"APR-1",
"directions":["foreign-foreign","foreign-domestic","domestic-foreign"],"valid_from":%q,"valid_until":%q,
"rules":[{"id":"all","addresses":[%s]}]}`, from.Format(time.RFC3339), until.Format(time.RFC3339), addrs))
	if b, _ := os.ReadFile(f.criteria); b != nil {
		if _, err := criteria.Parse(b); err == nil {
			f.sign(t, f.criteria, nil)
		}
	}
}

// approvalFiles are what `acd select` verifies before it runs: a manifest,
// the server's manifest keys and a revocation list, made with ring.
type approvalFiles struct {
	ring                        *keys.Ring
	manifest, keys, revocations string
}

// testApproval is the approval id of the fixtures' manifests.
const testApproval = "apv_test1"

// newApprovalFiles writes ring's manifest key set and an empty revocation
// list issued now into dir; sign writes the manifest.
func newApprovalFiles(t *testing.T, dir string, ring *keys.Ring) *approvalFiles {
	t.Helper()
	a := &approvalFiles{ring: ring, manifest: filepath.Join(dir, "manifest.json"),
		keys: filepath.Join(dir, "manifest-keys.json"), revocations: filepath.Join(dir, "revocations.json")}
	b, err := json.Marshal(manifest.KeySetOf(ring))
	if err != nil {
		t.Fatal(err)
	}
	write(t, a.keys, b)
	a.revoke(t, time.Now(), ring)
	return a
}

// sign writes a manifest approving the criteria file critPath for every
// direction it names, valid from an hour ago for two hours, signed with
// the ring's key; edit, if given, changes it before it is signed.
func (a *approvalFiles) sign(t *testing.T, critPath string, edit func(*manifest.Manifest)) {
	t.Helper()
	a.signWith(t, critPath, a.ring, edit)
}

// signWith is sign with another ring's key.
func (a *approvalFiles) signWith(t *testing.T, critPath string, ring *keys.Ring, edit func(*manifest.Manifest)) {
	t.Helper()
	b, err := os.ReadFile(critPath)
	if err != nil {
		t.Fatal(err)
	}
	set, err := criteria.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	now := time.Now()
	m := &manifest.Manifest{
		ApprovalID: testApproval, Basis: manifest.BasisForeign, CriteriaID: set.ID, CriteriaVersion: set.Version,
		CriteriaSHA256: hex.EncodeToString(sum[:]), Facilities: []string{"link-tokyo-1"},
		ValidFrom: now.Add(-time.Hour), ValidUntil: now.Add(time.Hour), IssuedAt: now.Add(-time.Hour),
	}
	for _, d := range set.Directions {
		m.Directions = append(m.Directions, d.String())
	}
	if edit != nil {
		edit(m)
	}
	key, err := ring.Current(keys.ApprovalManifest)
	if err != nil {
		t.Fatal(err)
	}
	out, err := manifest.Sign(m, key)
	if err != nil {
		t.Fatal(err)
	}
	write(t, a.manifest, out)
}

// revoke writes a revocation list issued at issued, signed with ring's
// key, naming the given approvals.
func (a *approvalFiles) revoke(t *testing.T, issued time.Time, ring *keys.Ring, approvals ...string) {
	t.Helper()
	var rs []manifest.Revocation
	for _, id := range approvals {
		rs = append(rs, manifest.Revocation{ApprovalID: id, RevokedAt: issued.Add(-time.Minute), Reason: "approval withdrawn by the commission"})
	}
	key, err := ring.Current(keys.ApprovalManifest)
	if err != nil {
		t.Fatal(err)
	}
	b, err := manifest.SignRevocations(rs, issued, key)
	if err != nil {
		t.Fatal(err)
	}
	write(t, a.revocations, b)
}

// args are the approval flags.
func (a *approvalFiles) args() []string {
	return []string{"--manifest", a.manifest, "--manifest-keys", a.keys, "--revocations", a.revocations}
}

func write(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func (f *selectFixture) args(extra ...string) []string {
	args := append([]string{"select", "--criteria", f.criteria}, f.approvalFiles.args()...)
	return append(append(args, "--domestic", f.delegated, "--progress", "never"), extra...)
}

func TestSelect(t *testing.T) {
	f := newSelectFixture(t)
	out := filepath.Join(f.dir, "out.jsonl")
	code, stdout, stderr := runCmd(t, f.dir, "", f.args("--out", out, "--workers", "2", f.pcap)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if stdout != "" {
		t.Errorf("stdout with --out: %q", stdout)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(out); fi.Mode().Perm() != 0o600 {
		t.Errorf("output mode %v, want 0600", fi.Mode().Perm())
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if !strings.Contains(lines[0], `"type":"run"`) || !strings.Contains(lines[len(lines)-1], `"type":"summary"`) || len(lines) < 10 {
		t.Errorf("output of %d lines from %.60s to %.60s", len(lines), lines[0], lines[len(lines)-1])
	}
	// The approval the run rests on is in the header and the summary.
	for _, i := range []int{0, len(lines) - 1} {
		var rec struct {
			Criteria selection.CriteriaRef `json:"criteria"`
		}
		if err := json.Unmarshal([]byte(lines[i]), &rec); err != nil {
			t.Fatal(err)
		}
		if rec.Criteria.Approval != testApproval || rec.Criteria.ID != "cli" {
			t.Errorf("line %d names criteria %+v, want id cli and approval %s", i+1, rec.Criteria, testApproval)
		}
	}
	for _, want := range []string{"foreign-domestic", "domestic-domestic", "selection: 5000 packets"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}

	// Standard input, output on standard output: the same records.
	pcap, _ := os.ReadFile(f.pcap)
	code, stdout, stderr = runCmd(t, f.dir, string(pcap), f.args("-")...)
	if code != 0 {
		t.Fatalf("stdin: exit %d: %s", code, stderr)
	}
	if n := strings.Count(stdout, "\n"); n != len(lines) {
		t.Errorf("stdin run wrote %d records, the file run %d", n, len(lines))
	}
}

func TestSelectRefuses(t *testing.T) {
	f := newSelectFixture(t)
	notPcap := filepath.Join(f.dir, "x.txt")
	write(t, notPcap, []byte("hello, this is not a capture"))
	// A pcap header with link type 147 (reserved for private use).
	odd := make([]byte, 24)
	binary.LittleEndian.PutUint32(odd[0:], 0xa1b2c3d4)
	binary.LittleEndian.PutUint16(odd[4:], 2)
	binary.LittleEndian.PutUint16(odd[6:], 4)
	binary.LittleEndian.PutUint32(odd[16:], 65535)
	binary.LittleEndian.PutUint32(odd[20:], 147)
	odd = append(odd, make([]byte, 16+4)...)
	binary.LittleEndian.PutUint32(odd[24+8:], 4)
	binary.LittleEndian.PutUint32(odd[24+12:], 4)
	oddPath := filepath.Join(f.dir, "odd.pcap")
	write(t, oddPath, odd)

	// An earlier run's output, which a failed run must leave alone.
	keep := filepath.Join(f.dir, "earlier.jsonl")
	write(t, keep, []byte("earlier\n"))
	pcapBefore, _ := os.ReadFile(f.pcap)

	cases := []struct {
		name  string
		setup func()
		args  []string
		code  int
		want  string
	}{
		{"no criteria", nil, append(append([]string{"select"}, f.approvalFiles.args()...), "--domestic", f.delegated, f.pcap), 2, "--criteria is required"},
		{"no domestic table", nil, append(append([]string{"select", "--criteria", f.criteria}, f.approvalFiles.args()...), f.pcap), 2, "--domestic is required"},
		{"no input", nil, f.args(), 2, "exactly one kind"},
		{"not a capture", nil, f.args(notPcap), 2, "not a pcap or pcapng"},
		{"unsupported link type", nil, f.args(oddPath), 2, "unsupported link-layer type 147"},
		{"no key", nil, f.args("--pseudonym-key", filepath.Join(f.dir, "none.json"), f.pcap), 2, "acd keys rotate email-pseudonym"},
		{"output is the input", nil, f.args("--out", f.pcap, f.pcap), 2, "is the input"},
		{"a missing input", nil, f.args("--out", keep, filepath.Join(f.dir, "nope.pcap")), 2, "no such file"},
		{"too many workers", nil, f.args("--workers", "65", f.pcap), 2, "--workers 65"},
		{"flow buffer over the memory cap", nil, f.args("--flow-buffer", "4096", "--buffer-memory", "1024", f.pcap), 2, "--flow-buffer"},
		{"malformed criteria", func() {
			f.writeCriteria(t, time.Now().Add(-time.Hour), time.Now().Add(time.Hour), `"10.0.0.300/8"`)
		}, f.args(f.pcap), 2, "rules[0].addresses[0]"},
		{"expired criteria", func() {
			f.writeCriteria(t, time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour), `"0.0.0.0/0"`)
		}, f.args(f.pcap), 3, "expired"},
		{"criteria not yet valid", func() {
			f.writeCriteria(t, time.Now().Add(24*time.Hour), time.Now().Add(48*time.Hour), `"0.0.0.0/0"`)
		}, f.args(f.pcap), 3, "not yet valid"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.setup != nil {
				c.setup()
			}
			code, _, stderr := runCmd(t, f.dir, "", c.args...)
			if code != c.code || !strings.Contains(stderr, c.want) {
				t.Errorf("exit %d, stderr %q; want exit %d mentioning %q", code, stderr, c.code, c.want)
			}
		})
	}
	if b, _ := os.ReadFile(keep); string(b) != "earlier\n" {
		t.Errorf("a refused run changed an earlier output to %q", b)
	}
	if b, _ := os.ReadFile(f.pcap); !bytes.Equal(b, pcapBefore) {
		t.Error("a refused run changed the capture")
	}
}
