package main

import (
	"encoding/json"
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/manifest"
)

// without returns args less the flag name and its value.
func without(args []string, name string) []string {
	i := slices.Index(args, name)
	if i < 0 {
		return args
	}
	return slices.Delete(slices.Clone(args), i, i+2)
}

// TestSelectApprovalRefuses runs acd select against every way an approval
// can fail: each case sets up the files, runs, and wants its exit code and
// a message that names the reason; no run may touch an earlier output.
func TestSelectApprovalRefuses(t *testing.T) {
	f := newSelectFixture(t)
	other, err := keys.Open(filepath.Join(t.TempDir(), "other"), nil)
	if err != nil {
		t.Fatal(err)
	}
	keep := filepath.Join(f.dir, "earlier.jsonl")
	write(t, keep, []byte("earlier\n"))
	now := time.Now()
	// editManifest changes one member of the signed manifest file.
	editManifest := func(member string, value any) {
		b, err := os.ReadFile(f.manifest)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		m[member] = value
		if b, err = json.MarshalIndent(m, "", "  "); err != nil {
			t.Fatal(err)
		}
		write(t, f.manifest, b)
	}
	serverKey, err := f.ring.Current(keys.ApprovalManifest)
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name  string
		setup func()   // after the fixture's own files are restored
		args  []string // flags; the loop adds --out and the input
		code  int
		want  string
	}{
		// Missing flags are usage errors naming the flag.
		{"no manifest", nil, without(f.args(), "--manifest"), 2, "--manifest is required"},
		{"no manifest keys", nil, without(f.args(), "--manifest-keys"), 2, "--manifest-keys is required"},
		{"no revocation list", nil, without(f.args(), "--revocations"), 2, "--revocations is required"},
		{"revocation list over plain http to another host", nil,
			append(without(f.args(), "--revocations"), "--revocations", "http://acd.example/api/v1/manifest/revocations"),
			2, "plain http is allowed only to a loopback address"},
		{"no maximum age", nil, f.args("--revocations-max-age", "0s"), 2, "--revocations-max-age"},
		{"manifest file missing", func() { os.Remove(f.manifest) }, f.args(), 2, "--manifest: open"},

		// Malformed documents are exit 2, naming the file and the member.
		{"malformed manifest", func() { editManifest("directions", []string{"domestic-domestic"}) },
			f.args(), 2, "manifest.json: manifest: directions[0]: domestic-domestic traffic is never in scope"},
		{"manifest not JSON", func() { write(t, f.manifest, []byte("{\"schema\":")) },
			f.args(), 2, "manifest.json: manifest: "},
		{"malformed key set", func() {
			write(t, f.keys, []byte(`{"schema":"acd.approval.keys/v1","keys":[{"key_id":"k","algorithm":"rsa","public_key":""}]}`))
		}, f.args(), 2, "manifest-keys.json: manifest keys: keys[0].algorithm"},
		{"malformed revocation list", func() {
			write(t, f.revocations, []byte(`{"schema":"acd.approval.revocations/v1","issued_at":"2026-01-01T00:00:00Z","revoked":null,"key_id":"k","signature":"x"}`))
		}, f.args(), 2, "revocations.json: revocation list: revoked: missing"},

		// Every refusal of the check is exit 3 with its reason.
		{"manifest signed by a key the server does not have", func() { f.signWith(t, f.criteria, other, nil) },
			f.args(), 3, "not one of the server's manifest keys: signature does not verify"},
		{"forged signature under the server's key id", func() {
			f.signWith(t, f.criteria, other, nil)
			editManifest("key_id", serverKey.ID)
		}, f.args(), 3, "does not verify (forged or altered): signature does not verify"},
		{"manifest edited after signing", func() {
			editManifest("valid_until", now.Add(365*24*time.Hour).UTC().Format(time.RFC3339))
		}, f.args(), 3, "does not verify (forged or altered)"},
		{"revocation list signed by another key", func() { f.revoke(t, now, other) },
			f.args(), 3, "revocation list: signed with key"},
		{"expired", func() {
			f.sign(t, f.criteria, func(m *manifest.Manifest) {
				m.ValidFrom, m.ValidUntil = now.Add(-48*time.Hour), now.Add(-24*time.Hour)
			})
		}, f.args(), 3, "approval expired"},
		{"not yet valid", func() {
			f.sign(t, f.criteria, func(m *manifest.Manifest) {
				m.ValidFrom, m.ValidUntil = now.Add(24*time.Hour), now.Add(48*time.Hour)
			})
		}, f.args(), 3, "approval not yet valid"},
		{"revoked", func() { f.revoke(t, now, f.ring, "apv_other", testApproval) },
			f.args(), 3, "approval apv_test1 was revoked at"},
		{"stale revocation list", func() { f.revoke(t, now.Add(-25*time.Hour), f.ring) },
			f.args(), 3, "revocation list too old"},
		{"stale under a shorter maximum age", func() { f.revoke(t, now.Add(-2*time.Hour), f.ring) },
			f.args("--revocations-max-age", "1h"), 3, "over 1h0m0s: fetch a fresh one"},
		{"criteria file altered by one byte", func() {
			b, err := os.ReadFile(f.criteria)
			if err != nil {
				t.Fatal(err)
			}
			i := strings.Index(string(b), `"id":"all"`)
			b[i+len(`"id":"al`)] = 'k' // rule "all" becomes "alk": still valid, no longer approved
			write(t, f.criteria, b)
		}, f.args(), 3, "criteria file is not the one approved"},
		{"criteria set of another version", func() {
			f.sign(t, f.criteria, func(m *manifest.Manifest) { m.CriteriaVersion = 2 })
		}, f.args(), 3, "criteria file is cli version 1, manifest apv_test1 approves cli version 2"},
		{"direction not covered", func() {
			f.sign(t, f.criteria, func(m *manifest.Manifest) { m.Directions = []string{"foreign-foreign"} })
		}, f.args(), 3, "criteria set selects foreign-domestic traffic, manifest apv_test1 approves only [foreign-foreign]: direction not approved"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Each case starts from files that pass.
			now := time.Now().UTC()
			f.writeCriteria(t, now.Add(-time.Hour), now.Add(time.Hour), `"0.0.0.0/0","::/0"`)
			f.approvalFiles = newApprovalFiles(t, f.dir, f.ring)
			f.sign(t, f.criteria, nil)
			if c.setup != nil {
				c.setup()
			}
			code, stdout, stderr := runCmd(t, f.dir, "", append(c.args[:len(c.args):len(c.args)], "--out", keep, f.pcap)...)
			t.Logf("%s", stderr)
			if code != c.code || !strings.Contains(stderr, c.want) {
				t.Errorf("exit %d, stderr %q; want exit %d mentioning %q", code, stderr, c.code, c.want)
			}
			if code == 3 && !strings.Contains(stderr, "refusing to run: ") {
				t.Errorf("a refusal does not say so: %q", stderr)
			}
			if stdout != "" {
				t.Errorf("a refused run wrote %q on standard output", stdout)
			}
			if b, _ := os.ReadFile(keep); string(b) != "earlier\n" {
				t.Errorf("a refused run changed an earlier output to %q", b)
			}
		})
	}
}

// TestSelectApprovalPasses: a longer maximum age admits an older list, and
// a manifest covering more directions than the set uses is enough.
func TestSelectApprovalPasses(t *testing.T) {
	f := newSelectFixture(t)
	f.revoke(t, time.Now().Add(-30*time.Hour), f.ring, "apv_other")
	f.sign(t, f.criteria, func(m *manifest.Manifest) { m.Facilities = nil })
	out := filepath.Join(f.dir, "out.jsonl")
	code, _, stderr := runCmd(t, f.dir, "", f.args("--revocations-max-age", "48h", "--out", out, f.pcap)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
}

// newTLSServer starts an HTTPS server on 127.0.0.1 that does not log the
// handshakes the tests fail on purpose.
func newTLSServer(t *testing.T, h http.Handler) *httptest.Server {
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

// writeServerCA writes the certificate of an httptest TLS server as a PEM
// file for --ca-file.
func writeServerCA(t *testing.T, srv *httptest.Server, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "ca.pem")
	write(t, p, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))
	return p
}

// TestSelectRevocationsURL fetches the revocation list from a server at
// start: afresh each run, over TLS with a private CA.
func TestSelectRevocationsURL(t *testing.T) {
	f := newSelectFixture(t)
	var list []byte // what the server serves now
	status := http.StatusOK
	srv := newTLSServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/api/v1/manifest/revocations" || r.Header.Get("Authorization") != "" {
			http.Error(w, "unexpected request", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		if status != http.StatusOK {
			w.Write([]byte(`{"error":{"code":"unavailable","message":"revocation list is being rebuilt"}}`))
			return
		}
		w.Write(list)
	}))
	ca := writeServerCA(t, srv, f.dir)
	url := srv.URL + "/api/v1/manifest/revocations"
	args := func(extra ...string) []string {
		return append(append(without(f.args(), "--revocations"), "--revocations", url), extra...)
	}
	fresh := func(revoked ...string) {
		f.revoke(t, time.Now(), f.ring, revoked...)
		list, _ = os.ReadFile(f.revocations)
	}

	fresh()
	out := filepath.Join(f.dir, "out.jsonl")
	if code, _, stderr := runCmd(t, f.dir, "", args("--ca-file", ca, "--out", out, f.pcap)...); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	fresh(testApproval)
	if code, _, stderr := runCmd(t, f.dir, "", args("--ca-file", ca, "--out", out, f.pcap)...); code != 3 || !strings.Contains(stderr, "approval revoked") {
		t.Errorf("revoked on the server: exit %d, %q; want 3 and approval revoked", code, stderr)
	}
	// Without the private CA the server is not trusted.
	if code, _, stderr := runCmd(t, f.dir, "", args("--out", out, f.pcap)...); code != 1 || !strings.Contains(stderr, "certificate") {
		t.Errorf("unknown CA: exit %d, %q; want 1 and a certificate error", code, stderr)
	}
	status = http.StatusServiceUnavailable
	if code, _, stderr := runCmd(t, f.dir, "", args("--ca-file", ca, "--out", out, f.pcap)...); code != 1 || !strings.Contains(stderr, "503 Service Unavailable: revocation list is being rebuilt") {
		t.Errorf("server error: exit %d, %q; want 1 and the server's message", code, stderr)
	}
	if code, _, stderr := runCmd(t, f.dir, "", args("--ca-file", filepath.Join(f.dir, "delegated"), f.pcap)...); code != 2 || !strings.Contains(stderr, "no PEM certificate") {
		t.Errorf("a CA file without certificates: exit %d, %q; want 2", code, stderr)
	}
}
