package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// buildACD compiles the acd binary once per test into a temp dir.
func buildACD(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "acd")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

var listening = regexp.MustCompile(`ACD listening on (https?://\S+)`)

// startServe starts `acd serve` and waits until it listens; it returns the
// process and its base URL. At cleanup the test fails if the server logged
// an error.
func startServe(t *testing.T, bin string, args ...string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--listen", "127.0.0.1:0", "--checkpoint-interval", "200ms", "--log-level", "warn"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if strings.Contains(stderr.String(), `"level":"ERROR"`) {
			t.Errorf("acd serve logged errors:\n%s", stderr.String())
		}
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	select {
	case u := <-found:
		return cmd, u
	case <-time.After(60 * time.Second):
		t.Fatalf("acd serve did not start: %s", stderr.String())
	}
	return nil, ""
}

// TestCrashDuringWrites kills `acd serve` with SIGKILL in the middle of a
// stream of writes, restarts it, and checks that every acknowledged write is
// there and that the audit log verifies and matches the data.
func TestCrashDuringWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildACD(t)
	backends := map[string]func(t *testing.T) []string{
		"sqlite":   func(t *testing.T) []string { return nil },
		"postgres": func(t *testing.T) []string { return []string{"--db", storetest.PostgresURL(t)} },
	}
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			dbArgs := backends[name](t)
			dir := t.TempDir()
			acd := func(stdin string, args ...string) string {
				t.Helper()
				cmd := exec.Command(bin, append(args, append([]string{"--data-dir", dir}, dbArgs...)...)...)
				cmd.Stdin = strings.NewReader(stdin)
				var out, errb bytes.Buffer
				cmd.Stdout, cmd.Stderr = &out, &errb
				if err := cmd.Run(); err != nil {
					t.Fatalf("acd %v: %v: %s", args, err, errb.String())
				}
				return out.String()
			}
			acd("correct horse battery staple\n", "user", "add", "--username", "root", "--role", "admin", "--password-stdin")
			token := strings.TrimSpace(acd("", "token", "create", "--user", "root", "--name", "crash", "--ttl", "1d"))

			srv, base := startServe(t, bin, append([]string{"--data-dir", dir}, dbArgs...)...)
			var mu sync.Mutex
			var acked []string
			ctx, cancel := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			for w := 0; w < 4; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; ctx.Err() == nil; i++ {
						name := fmt.Sprintf("Crash Org %d-%d", w, i)
						code, err := post(ctx, base+"/api/v1/orgs", token, map[string]any{"name": name, "kind": "agency"})
						if err != nil {
							return // the server is gone
						}
						if code != http.StatusCreated {
							t.Errorf("create org: status %d", code)
							return
						}
						mu.Lock()
						acked = append(acked, name)
						mu.Unlock()
					}
				}()
			}
			// Let writes land across a few checkpoints (every 200ms), then
			// pull the plug mid-stream.
			start := time.Now()
			deadline := start.Add(30 * time.Second)
			for {
				mu.Lock()
				n := len(acked)
				mu.Unlock()
				if (n >= 60 && time.Since(start) > 900*time.Millisecond) || time.Now().After(deadline) {
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			if err := srv.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			srv.Wait()
			cancel()
			wg.Wait()
			if len(acked) < 10 {
				t.Fatalf("only %d writes acknowledged before the kill", len(acked))
			}

			// Restart: every acknowledged org is there.
			srv2, base2 := startServe(t, bin, append([]string{"--data-dir", dir}, dbArgs...)...)
			names := listOrgs(t, base2, token)
			for _, a := range acked {
				if !names[a] {
					t.Errorf("acknowledged write lost: %s", a)
				}
			}
			// A graceful stop writes a last checkpoint and exits 0.
			srv2.Process.Signal(syscall.SIGTERM)
			if err := srv2.Wait(); err != nil {
				t.Errorf("graceful stop: %v", err)
			}
			out := acd("", "log", "verify")
			if !strings.Contains(out, "intact") || !strings.Contains(out, "records match") {
				t.Errorf("log verify after crash: %s", out)
			}
			t.Logf("%d writes acknowledged before SIGKILL; %s", len(acked), strings.TrimSpace(out))
		})
	}
}

// syncBuffer is a bytes.Buffer safe for the writer and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func post(ctx context.Context, url, token string, body any) (int, error) {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

func listOrgs(t *testing.T, base, token string) map[string]bool {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/orgs", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("list orgs: %d %s", resp.StatusCode, body)
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if n, ok := x["name"].(string); ok {
				names[n] = true
			}
			for _, y := range x {
				walk(y)
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	walk(v)
	return names
}
