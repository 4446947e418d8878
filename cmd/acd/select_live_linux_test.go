//go:build linux

package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/selection/afpacket/vethtest"
)

// TestSelectLive runs acd select --live on the host end of a veth pair in a
// namespace of the test's own, sends datagrams from the far end, stops the
// run as a signal would, and finds the selected flow and its counters.
func TestSelectLive(t *testing.T) {
	vethtest.NeedRoot(t)
	n := vethtest.Setup(t)
	dir := t.TempDir()
	ring, err := keys.Open(filepath.Join(dir, "keys"), nil)
	if err != nil {
		t.Fatal(err)
	}
	del := filepath.Join(dir, "delegated")
	write(t, del, []byte("2|apnic|20261101|1|19830613|20261031|+1000\napnic|JP|ipv4|133.0.0.0|16777216|19970101|allocated\n"))
	crit := filepath.Join(dir, "criteria.json")
	now := time.Now().UTC()
	write(t, crit, fmt.Appendf(nil, `{"schema":"acd.selection.criteria/v1","id":"live","version":1,"authority":"APR-1",
"directions":["foreign-foreign"],"valid_from":%q,"valid_until":%q,"rules":[{"id":"bench-net","addresses":["198.18.0.0/15"],"ports":["udp/9999"]}]}`,
		now.Add(-time.Hour).Format(time.RFC3339), now.Add(time.Hour).Format(time.RFC3339)))
	approval := newApprovalFiles(t, dir, ring)
	approval.sign(t, crit, nil)
	out := filepath.Join(dir, "out.jsonl")
	// Something listens on the host end, so no ICMP answers come back.
	sink, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(n.HostAddr, 9999)))
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()

	ctx, stop := context.WithCancel(context.Background())
	var stderr bytes.Buffer
	done := make(chan int)
	go func() {
		args := append([]string{"select", "--criteria", crit, "--domestic", del, "--live", n.Host, "--out", out}, approval.args()...)
		e := &env{args: args,
			stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: &stderr,
			getenv: func(k string) string {
				if k == "ACD_DATA_DIR" {
					return dir
				}
				return ""
			}}
		done <- run(ctx, e)
	}()
	// The ring opens at its own pace: send a burst every 100 ms for a while.
	for range 10 {
		if _, err := n.SendUDP(n.PeerAddr, netip.AddrPortFrom(n.HostAddr, 9999), 20, []byte("ACD-LIVE-TEST")); err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	stop()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("acd select --live did not stop after its context ended")
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	o := string(b)
	if !strings.Contains(o, `"type":"flow"`) || !strings.Contains(o, `"client":"198.18.0.2"`) || !strings.Contains(o, `"server_port":9999`) ||
		!strings.Contains(o, `"rule":"bench-net"`) || !strings.Contains(o, `"type":"summary"`) {
		t.Errorf("output lacks the selected flow or the summary:\n%s", o)
	}
	if strings.Contains(o, "ACD-LIVE-TEST") {
		t.Error("payload bytes reached the output")
	}
	if !strings.Contains(stderr.String(), "foreign-foreign") {
		t.Errorf("no summary on stderr: %s", stderr.String())
	}
}
