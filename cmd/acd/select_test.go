package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/selection/capgen"
)

// selectFixture is a data dir with a pseudonym key, a generated capture, its
// delegated file and a criteria file valid now.
type selectFixture struct {
	dir, pcap, delegated, criteria string
}

func newSelectFixture(t *testing.T) *selectFixture {
	t.Helper()
	dir := t.TempDir()
	// The server's key directory; a collection point gets a copy of its
	// email-pseudonym.json.
	if _, err := keys.Open(filepath.Join(dir, "keys"), nil); err != nil {
		t.Fatal(err)
	}
	f := &selectFixture{dir: dir, pcap: filepath.Join(dir, "c.pcap"), delegated: filepath.Join(dir, "delegated"), criteria: filepath.Join(dir, "criteria.json")}
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

func (f *selectFixture) writeCriteria(t *testing.T, from, until time.Time, addrs string) {
	write(t, f.criteria, fmt.Appendf(nil, `{"schema":"acd.selection.criteria/v1","id":"cli","version":1,"authority":"APR-1",
"directions":["foreign-foreign","foreign-domestic","domestic-foreign"],"valid_from":%q,"valid_until":%q,
"rules":[{"id":"all","addresses":[%s]}]}`, from.Format(time.RFC3339), until.Format(time.RFC3339), addrs))
}

func write(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func (f *selectFixture) args(extra ...string) []string {
	return append([]string{"select", "--criteria", f.criteria, "--domestic", f.delegated, "--progress", "never"}, extra...)
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
		{"no criteria", nil, []string{"select", "--domestic", f.delegated, f.pcap}, 2, "--criteria is required"},
		{"no domestic table", nil, []string{"select", "--criteria", f.criteria, f.pcap}, 2, "--domestic is required"},
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
