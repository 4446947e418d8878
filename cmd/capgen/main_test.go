package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acd-platform/acd/internal/selection/capgen"
	"github.com/acd-platform/acd/internal/selection/criteria"
)

func TestRunUsage(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
		code int
		want string // in standard error
	}{
		{"help", []string{"--help"}, exitOK, "usage: capgen"},
		{"bad number", []string{"--packets", "x"}, exitUsage, "invalid value"},
		{"zero packets", []string{"--packets", "0"}, exitUsage, "--packets 0: want at least 1"},
		{"bad size", []string{"--bytes", "4Q"}, exitUsage, `"4Q" is not a byte count`},
		{"share above 1", []string{"--ipv6-share", "2"}, exitUsage, "--ipv6-share 2: want 0 to 1"},
		{"matchers without criteria", []string{"--matchers", "50"}, exitUsage, "--matchers needs --criteria"},
		{"too few matchers", []string{"--criteria", "x.json", "--matchers", "3"}, exitUsage, "--matchers 3: want at least"},
		{"argument", []string{"extra"}, exitUsage, `unexpected argument "extra"`},
		{"unwritable output", []string{"--packets", "10", "--out", "/nonexistent/dir/x.pcap"}, exitFailure, "no such file or directory"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(c.args, &stdout, &stderr); code != c.code {
				t.Errorf("exit code %d, want %d (stderr %q)", code, c.code, stderr.String())
			}
			if !strings.Contains(stderr.String(), c.want) {
				t.Errorf("stderr %q, want it to contain %q", stderr.String(), c.want)
			}
		})
	}
}

// One command writes the capture and the side files; the same flags give
// the same capture, on standard output or in a file.
func TestRunFiles(t *testing.T) {
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	args := []string{"--packets", "5000", "--seed", "3", "--canaries", "--out", p("c.pcap"),
		"--delegated", p("delegated.txt"), "--criteria", p("crit.json"), "--matchers", "100", "--manifest", p("manifest.json")}
	var stdout, stderr bytes.Buffer
	if code := run(args, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit code %d: %s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "capgen: wrote 5000 packets") {
		t.Errorf("stderr %q, want the summary line", stderr.String())
	}
	capFile, err := os.ReadFile(p("c.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	var m capgen.Manifest
	mf, err := os.ReadFile(p("manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(mf, &m); err != nil {
		t.Fatalf("manifest: %v", err)
	}
	if m.Packets != 5000 || m.FileBytes != int64(len(capFile)) || len(m.Canaries) == 0 {
		t.Errorf("manifest: %d packets, %d file bytes, %d canaries; want 5000, %d, some", m.Packets, m.FileBytes, len(m.Canaries), len(capFile))
	}
	crit, err := os.ReadFile(p("crit.json"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := criteria.Parse(crit)
	if err != nil || s.Matchers() != 100 {
		t.Errorf("criteria: %v, %d matchers; want 100", err, s.Matchers())
	}
	if d, err := os.ReadFile(p("delegated.txt")); err != nil || !bytes.Contains(d, []byte("|JP|ipv4|133.0.0.0|")) {
		t.Errorf("delegated file: %v, want the JP pool", err)
	}

	stdout.Reset()
	if code := run([]string{"--packets", "5000", "--seed", "3", "--canaries"}, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit code %d: %s", code, stderr.String())
	}
	if !bytes.Equal(stdout.Bytes(), capFile) {
		t.Errorf("standard output differs from the file written with the same flags")
	}
}

// --bytes streams about that many bytes.
func TestRunBytes(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"--bytes", "2M"}, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit code %d: %s", code, stderr.String())
	}
	if n := stdout.Len(); n < 2<<20 || n > 2<<20+capgen.Snaplen {
		t.Errorf("wrote %d bytes, want about 2 MiB", n)
	}
}

func TestParseSize(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
	}{
		{"1000", 1000},
		{"4K", 4 << 10},
		{"512M", 512 << 20},
		{"1G", 1 << 30},
		{"4GB", 4 << 30},
		{"4GiB", 4 << 30},
		{"2g", 2 << 30},
		{"0", -1},
		{"-1G", -1},
		{"G", -1},
		{"1T", -1},
	} {
		got, err := parseSize(c.in)
		if c.want < 0 {
			if err == nil {
				t.Errorf("parseSize(%q) = %d, want an error", c.in, got)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
}
