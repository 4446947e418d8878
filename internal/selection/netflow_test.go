package selection_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/selection"
	"github.com/acd-platform/acd/internal/selection/criteria"
	"github.com/acd-platform/acd/internal/selection/direction"
)

// v5 builds a NetFlow v5 datagram with one record per (src, dst, dport).
func v5(flows ...[3]string) []byte {
	b := make([]byte, 24+48*len(flows))
	binary.BigEndian.PutUint16(b[0:], 5)
	binary.BigEndian.PutUint16(b[2:], uint16(len(flows)))
	binary.BigEndian.PutUint32(b[4:], 100000)                    // sysUptime ms
	binary.BigEndian.PutUint32(b[8:], uint32(time.Now().Unix())) // unix secs
	for i, f := range flows {
		r := b[24+48*i:]
		copy(r[0:4], netip.MustParseAddr(f[0]).AsSlice())
		copy(r[4:8], netip.MustParseAddr(f[1]).AsSlice())
		binary.BigEndian.PutUint32(r[16:], 10)   // packets
		binary.BigEndian.PutUint32(r[20:], 1000) // bytes
		binary.BigEndian.PutUint32(r[24:], 90000)
		binary.BigEndian.PutUint32(r[28:], 99000)
		binary.BigEndian.PutUint16(r[32:], 40000)
		port := 0
		for _, ch := range f[2] {
			port = port*10 + int(ch-'0')
		}
		binary.BigEndian.PutUint16(r[34:], uint16(port))
		r[37] = 0x1b // FSPA
		r[38] = 6
	}
	return b
}

// TestNetflow screens exported flows received over loopback UDP: 内内
// dropped, out-of-scope directions deleted, address and port rules applied.
func TestNetflow(t *testing.T) {
	crit := criteriaJSON([]string{"foreign-domestic"}, `{"id":"c2","addresses":["8.8.8.0/24"],"ports":["tcp/443"]}`)
	set, err := criteria.Parse(crit)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := criteria.Compile(set)
	b := direction.NewBuilder()
	if err := b.AddDelegated(strings.NewReader(jpDelegated), "d"); err != nil {
		t.Fatal(err)
	}
	e, err := selection.New(selection.Config{Criteria: set, Matcher: m, Domestic: b.Build(), PseudonymKey: newKey(t)})
	if err != nil {
		t.Fatal(err)
	}
	// A free loopback port for the engine to listen on.
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := pc.LocalAddr().String()
	pc.Close()

	ctx, cancel := context.WithCancel(t.Context())
	var out bytes.Buffer
	done := make(chan *selection.Summary)
	go func() {
		sum, err := e.RunNetflow(ctx, addr, &out)
		if err != nil && err != context.Canceled {
			t.Error(err)
		}
		done <- sum
	}()
	conn, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	dgram := v5(
		[3]string{"8.8.8.8", "133.1.1.1", "443"},   // 外内, matches
		[3]string{"8.8.8.8", "133.1.1.1", "80"},    // 外内, wrong port
		[3]string{"133.1.1.1", "8.8.8.8", "443"},   // 内外: not covered
		[3]string{"133.1.1.1", "133.1.1.2", "443"}, // 内内
	)
	// Send until the listener has bound and counted a datagram.
	var sum *selection.Summary
	for i := 0; ; i++ {
		conn.Write(dgram)
		time.Sleep(50 * time.Millisecond)
		if n, _, _ := e.Progress(); i == 20 || n > 0 {
			cancel()
			sum = <-done
			break
		}
	}
	if fd := sum.Directions["foreign-domestic"]; fd.Selected.Packets == 0 || fd.Selected.Packets*2 != fd.Seen.Packets {
		t.Errorf("foreign-domestic: %+v; want half of it selected", fd)
	}
	if dd := sum.Directions["domestic-domestic"]; dd.Seen.Packets == 0 || dd.InScope.Packets != 0 {
		t.Errorf("domestic-domestic: %+v; want seen, never in scope", dd)
	}
	if df := sum.Directions["domestic-foreign"]; df.InScope.Packets != 0 || df.Deleted != df.Seen {
		t.Errorf("domestic-foreign: %+v; want all deleted", df)
	}
	if o := out.String(); !strings.Contains(o, `"type":"exported_flow"`) || !strings.Contains(o, `"rule":"c2"`) ||
		!strings.Contains(o, `"dst_port":443`) || strings.Contains(o, `"dst_port":80`) {
		t.Errorf("output lacks the selected flow:\n%s", out.String())
	}
	checkBalance(t, sum)
}
