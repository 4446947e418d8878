package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/acd-platform/acd/internal/selection/capgen"
)

// sensorToken is the fixtures' token; no output may ever show it.
const sensorToken = "acd_sensor_0123456789abcdef"

// runSelectEnv runs a command in-process with extra environment variables.
func runSelectEnv(t *testing.T, dataDir string, vars map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{args: args, stdin: strings.NewReader(""), stdout: &out, stderr: &errb,
		getenv: func(k string) string {
			if k == "ACD_DATA_DIR" {
				return dataDir
			}
			return vars[k]
		}}
	code := run(context.Background(), e)
	if strings.Contains(out.String()+errb.String(), sensorToken) {
		t.Errorf("the sensor token appeared in the output")
	}
	return code, out.String(), errb.String()
}

// runsServer is a stand-in for the server's POST /api/v1/sensor/runs: it
// checks the request, keeps the body, and answers with answer.
type runsServer struct {
	t      *testing.T
	srv    *httptest.Server
	answer func(w http.ResponseWriter, body []byte)
	// readBody false answers before reading anything, as a server refusing
	// the token at once does.
	readBody bool

	mu     sync.Mutex // guards the fields below
	body   []byte
	header http.Header
	chunks []string // the request's transfer encodings
	length int64    // the request's content length
}

func newRunsServer(t *testing.T, tls bool) *runsServer {
	s := &runsServer{t: t, readBody: true, answer: func(w http.ResponseWriter, body []byte) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		n := bytes.Count(body, []byte("\n"))
		fmt.Fprintf(w, `{"run_id":"run_7","records_stored":%d,"hash_ok":true,"anomalies":[]}`, n)
	}}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/api/v1/sensor/runs" {
			http.Error(w, `{"error":{"code":"not_found","message":"no such route"}}`, http.StatusNotFound)
			return
		}
		var body []byte
		if s.readBody {
			b, err := io.ReadAll(r.Body)
			if err != nil {
				t.Errorf("server reading the body: %v", err)
			}
			body = b
		}
		s.mu.Lock()
		s.body, s.header, s.chunks, s.length = body, r.Header.Clone(), r.TransferEncoding, r.ContentLength
		s.mu.Unlock()
		s.answer(w, body)
	})
	if tls {
		s.srv = newTLSServer(t, h)
	} else {
		s.srv = httptest.NewServer(h)
		t.Cleanup(s.srv.Close)
	}
	return s
}

func (s *runsServer) url() string { return s.srv.URL + "/api/v1/sensor/runs" }

// TestSelectUpload streams a run to an HTTPS server with a private CA and
// finds that it received exactly the bytes of --out, as one chunked
// application/x-ndjson POST with the sensor token, and that the summary's
// output_sha256 is the hash of everything before it.
func TestSelectUpload(t *testing.T) {
	f := newSelectFixture(t)
	s := newRunsServer(t, true)
	ca := writeServerCA(t, s.srv, f.dir)
	tokenFile := filepath.Join(f.dir, "sensor-token")
	write(t, tokenFile, []byte(sensorToken+"\n"))
	out := filepath.Join(f.dir, "out.jsonl")

	code, stdout, stderr := runSelectEnv(t, f.dir, nil, f.args("--upload", s.url(), "--sensor-token-file", tokenFile, "--ca-file", ca, "--out", out, f.pcap)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if stdout != "" {
		t.Errorf("stdout with --out: %q", stdout)
	}
	local, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !bytes.Equal(s.body, local) {
		t.Fatalf("the server received %d bytes, --out holds %d; they differ", len(s.body), len(local))
	}
	for k, want := range map[string]string{"Content-Type": "application/x-ndjson", "Authorization": "Bearer " + sensorToken} {
		if got := s.header.Get(k); got != want {
			t.Errorf("%s: got %q, want %q", k, got, want)
		}
	}
	if s.length != -1 || len(s.chunks) != 1 || s.chunks[0] != "chunked" {
		t.Errorf("content length %d, transfer encoding %v; want -1 and chunked", s.length, s.chunks)
	}
	lines := bytes.SplitAfter(bytes.TrimSuffix(s.body, []byte("\n")), []byte("\n"))
	last := lines[len(lines)-1]
	var sum struct {
		Type         string `json:"type"`
		OutputSHA256 string `json:"output_sha256"`
		OutputBytes  int    `json:"output_bytes"`
		Criteria     struct {
			Approval string `json:"approval"`
		} `json:"criteria"`
	}
	if err := json.Unmarshal(last, &sum); err != nil {
		t.Fatal(err)
	}
	before := s.body[:len(s.body)-len(last)-1]
	h := sha256.Sum256(before)
	if sum.Type != "summary" || sum.OutputSHA256 != hex.EncodeToString(h[:]) || sum.OutputBytes != len(before) {
		t.Errorf("summary %+v; want the SHA-256 %x of the %d bytes before it", sum, h, len(before))
	}
	if !bytes.HasPrefix(s.body, []byte(`{"type":"run"`)) || sum.Criteria.Approval != testApproval {
		t.Errorf("the upload does not start with the header, or the summary does not name approval %s", testApproval)
	}
	want := fmt.Sprintf("upload: run run_7 stored, %d records, output hash verified, 0 anomalies", len(lines))
	if !strings.Contains(stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, stderr)
	}
}

// TestSelectUploadOutputs: with --upload and no --out nothing goes to
// standard output; --out - asks for it; the token may come from the
// environment; plain http is fine to a loopback server.
func TestSelectUploadOutputs(t *testing.T) {
	f := newSelectFixture(t)
	s := newRunsServer(t, false)
	vars := map[string]string{"ACD_SENSOR_TOKEN": sensorToken}

	code, stdout, stderr := runSelectEnv(t, f.dir, vars, f.args("--upload", s.url(), f.pcap)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if stdout != "" {
		t.Errorf("--upload without --out wrote %d bytes on standard output", len(stdout))
	}
	s.mu.Lock()
	uploaded := s.body
	s.mu.Unlock()
	if !bytes.HasSuffix(uploaded, []byte("}\n")) || !bytes.Contains(uploaded, []byte(`"type":"summary"`)) {
		t.Fatalf("upload without a summary: %.200q", uploaded)
	}

	code, stdout, stderr = runSelectEnv(t, f.dir, vars, f.args("--upload", s.url(), "--out", "-", f.pcap)...)
	if code != 0 {
		t.Fatalf("--out -: exit %d: %s", code, stderr)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if stdout != string(s.body) || stdout == "" {
		t.Errorf("--out - wrote %d bytes, the upload was %d; want the same bytes", len(stdout), len(s.body))
	}
}

// TestSelectUploadStreams feeds a capture through standard input and keeps
// writing until records reach the server: the run is sent while it goes
// on, not gathered in memory and sent at its end.
func TestSelectUploadStreams(t *testing.T) {
	f := newSelectFixture(t)
	arrived := make(chan struct{})
	var (
		once sync.Once
		mu   sync.Mutex // guards got
		got  bytes.Buffer
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		buf := make([]byte, 32<<10)
		for {
			n, err := r.Body.Read(buf)
			if n > 0 {
				mu.Lock()
				got.Write(buf[:n])
				mu.Unlock()
				once.Do(func() { close(arrived) })
			}
			if err != nil {
				break
			}
		}
		w.WriteHeader(http.StatusCreated)
		w.Write([]byte(`{"run_id":"run_9","hash_ok":true}`))
	}))
	defer srv.Close()

	pr, pw := io.Pipe()
	var stderr bytes.Buffer
	e := &env{args: f.args("--upload", srv.URL+"/api/v1/sensor/runs", "-"), stdin: pr, stdout: io.Discard, stderr: &stderr,
		getenv: func(k string) string {
			return map[string]string{"ACD_DATA_DIR": f.dir, "ACD_SENSOR_TOKEN": sensorToken}[k]
		}}
	done := make(chan int)
	go func() { done <- run(context.Background(), e) }()
	// Up to 2M packets (about 1.4 GB, far more than any buffer), stopped
	// as soon as the server has something.
	errEnough := errors.New("records arrived")
	_, err := capgen.Write(writerFunc(func(p []byte) (int, error) {
		select {
		case <-arrived:
			return 0, errEnough
		default:
		}
		return pw.Write(p)
	}), capgen.Config{Packets: 2_000_000})
	if !errors.Is(err, errEnough) {
		t.Errorf("the whole capture was read before any record reached the server (%v)", err)
	}
	pw.Close()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	mu.Lock()
	defer mu.Unlock()
	if !bytes.Contains(got.Bytes(), []byte(`"type":"summary"`)) {
		t.Errorf("the streamed upload has no summary")
	}
}

// writerFunc is a function as an io.Writer.
type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// TestSelectUploadInterrupted: a run interrupted (here before it starts)
// still sends its header and a summary that says why it ended.
func TestSelectUploadInterrupted(t *testing.T) {
	f := newSelectFixture(t)
	s := newRunsServer(t, false)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stderr bytes.Buffer
	e := &env{args: f.args("--upload", s.url(), f.pcap), stdin: strings.NewReader(""), stdout: io.Discard, stderr: &stderr,
		getenv: func(k string) string {
			return map[string]string{"ACD_DATA_DIR": f.dir, "ACD_SENSOR_TOKEN": sensorToken}[k]
		}}
	if code := run(ctx, e); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !bytes.HasPrefix(s.body, []byte(`{"type":"run"`)) || !bytes.Contains(s.body, []byte(`"error":"context canceled"`)) {
		t.Errorf("an interrupted run uploaded %.300q; want the header and a summary with its error", s.body)
	}
}

// TestSelectUploadFails: an answer other than 2xx, a refused connection and
// a hash the server could not verify are exit 1 with the server's message,
// after the local output is complete; bad flags are exit 2.
func TestSelectUploadFails(t *testing.T) {
	f := newSelectFixture(t)
	s := newRunsServer(t, true)
	ca := writeServerCA(t, s.srv, f.dir)
	vars := map[string]string{"ACD_SENSOR_TOKEN": sensorToken}
	out := filepath.Join(f.dir, "out.jsonl")
	// A port nothing listens on: listen, note it, close.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "https://" + l.Addr().String() + "/api/v1/sensor/runs"
	l.Close()

	refuse := func(w http.ResponseWriter, _ []byte) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		w.Write([]byte(`{"error":{"code":"forbidden","message":"the run names approval apv_test1 but the token is bound to apv_other"}}`))
	}
	cases := []struct {
		name     string
		answer   func(w http.ResponseWriter, body []byte)
		readBody bool
		args     []string
		vars     map[string]string
		code     int
		want     string
	}{
		{"refused after reading the run", refuse, true, f.args("--upload", s.url(), "--ca-file", ca, "--out", out, f.pcap), vars, 1,
			"403 Forbidden: the run names approval apv_test1 but the token is bound to apv_other [forbidden]"},
		{"refused before reading anything", func(w http.ResponseWriter, _ []byte) {
			http.Error(w, `{"error":{"code":"unauthenticated","message":"sensor token unknown or revoked"}}`, http.StatusUnauthorized)
		}, false, f.args("--upload", s.url(), "--ca-file", ca, "--out", out, f.pcap), vars, 1, "401 Unauthorized: sensor token unknown or revoked"},
		{"an answer that is not ACD's error", func(w http.ResponseWriter, _ []byte) {
			http.Error(w, "upstream gone", http.StatusBadGateway)
		}, true, f.args("--upload", s.url(), "--ca-file", ca, "--out", out, f.pcap), vars, 1, "502 Bad Gateway: upstream gone"},
		{"hash not verified", func(w http.ResponseWriter, _ []byte) {
			w.WriteHeader(http.StatusCreated)
			w.Write([]byte(`{"run_id":"run_8","approval_id":"apv_test1","records":3,"hash_ok":false,"anomalies":[` +
				`{"id":"anm_1","kind":"hash_mismatch","detail":"output_sha256 is not that of the bytes received"},"records out of order"]}`))
		}, true, f.args("--upload", s.url(), "--ca-file", ca, "--out", out, f.pcap), vars, 1,
			"upload: run run_8 stored under approval apv_test1, 3 records, output hash DOES NOT MATCH the summary, 2 anomalies: hash_mismatch (output_sha256 is not that of the bytes received); records out of order"},
		{"connection refused", nil, true, f.args("--upload", closed, "--out", out, f.pcap), vars, 1, "connection refused"},
		{"server not trusted", nil, true, f.args("--upload", s.url(), "--out", out, f.pcap), vars, 1, "certificate"},

		{"plain http to another host", nil, true, f.args("--upload", "http://acd.example/api/v1/sensor/runs", "--out", out, f.pcap), vars, 2,
			"plain http is allowed only to a loopback address"},
		{"not http at all", nil, true, f.args("--upload", "ftp://acd.example/runs", "--out", out, f.pcap), vars, 2, "want an https:// URL"},
		{"credentials in the URL", nil, true, f.args("--upload", "https://u:p@acd.example/runs", "--out", out, f.pcap), vars, 2, "credentials in the URL"},
		{"no token", nil, true, f.args("--upload", s.url(), "--out", out, f.pcap), nil, 2, "--upload needs a sensor token"},
		{"a token with a space", nil, true, f.args("--upload", s.url(), "--out", out, f.pcap), map[string]string{"ACD_SENSOR_TOKEN": "acd_x y"}, 2, "ACD_SENSOR_TOKEN: not a token"},
		{"a token file without --upload", nil, true, f.args("--sensor-token-file", out, "--out", out, f.pcap), nil, 2, "--sensor-token-file is for --upload"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			os.Remove(out)
			if c.answer != nil {
				s.answer, s.readBody = c.answer, c.readBody
			}
			code, _, stderr := runSelectEnv(t, f.dir, c.vars, c.args...)
			if code != c.code || !strings.Contains(stderr, c.want) {
				t.Fatalf("exit %d, stderr %q; want exit %d mentioning %q", code, stderr, c.code, c.want)
			}
			if c.code != 1 {
				return
			}
			// The local output is complete all the same.
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(b, []byte(`"type":"summary"`)) || !strings.Contains(stderr, "selection: 5000 packets") {
				t.Errorf("the local output or the summary table is incomplete after a failed upload")
			}
		})
	}
}
