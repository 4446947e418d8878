//go:build linux

package afpacket_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/acd-platform/acd/internal/selection/afpacket"
	"github.com/acd-platform/acd/internal/selection/afpacket/vethtest"
	"github.com/acd-platform/acd/internal/selection/capture"
	"github.com/acd-platform/acd/internal/selection/packet"
)

// These tests capture real traffic on a veth pair whose far end sits in a
// network namespace the test makes (vethtest); the traffic never leaves the
// pair.

// marker starts the payload of every test datagram; the index follows.
var marker = []byte("ACD-AFPACKET-TEST")

// udpFrame is what checkFrame found in a frame.
type udpFrame struct {
	vlan             int // VLAN ID, -1 when untagged
	src, dst         netip.Addr
	srcPort, dstPort uint16
	index            int // datagram index after the marker, -1 when no marker
}

// parseUDPFrame decodes an Ethernet (optionally 802.1Q-tagged) IPv4 UDP
// frame; ok is false for any other frame.
func parseUDPFrame(b []byte) (f udpFrame, ok bool) {
	f.vlan, f.index = -1, -1
	if len(b) < 14 {
		return f, false
	}
	et, rest := binary.BigEndian.Uint16(b[12:]), b[14:]
	if et == 0x8100 {
		if len(rest) < 4 {
			return f, false
		}
		f.vlan = int(binary.BigEndian.Uint16(rest) & 0xfff)
		et, rest = binary.BigEndian.Uint16(rest[2:]), rest[4:]
	}
	if et != 0x0800 || len(rest) < 20 || rest[9] != 17 {
		return f, false
	}
	ihl := int(rest[0]&0xf) * 4
	if len(rest) < ihl+8 {
		return f, false
	}
	f.src, f.dst = netip.AddrFrom4([4]byte(rest[12:16])), netip.AddrFrom4([4]byte(rest[16:20]))
	udp := rest[ihl:]
	f.srcPort, f.dstPort = binary.BigEndian.Uint16(udp), binary.BigEndian.Uint16(udp[2:])
	if p := udp[8:]; len(p) == len(marker)+4 && bytes.HasPrefix(p, marker) {
		f.index = int(binary.BigEndian.Uint32(p[len(marker):]))
	}
	return f, true
}

func TestLiveCapture(t *testing.T) {
	vethtest.NeedRoot(t)
	n := vethtest.Setup(t)
	// A socket on the host end, so that the datagrams are delivered rather
	// than answered with ICMP port unreachable.
	sink, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(n.HostAddr, 0)))
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	dst := sink.LocalAddr().(*net.UDPAddr).AddrPort()

	h, err := afpacket.Open(n.Host, afpacket.Options{BlockSize: 64 << 10, NumBlocks: 8, BlockTimeout: 5 * time.Millisecond, Promiscuous: true})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer h.Close()
	if h.LinkType() != packet.LinkEthernet {
		t.Errorf("LinkType: got %v, want Ethernet", h.LinkType())
	}

	const count = 300
	start := time.Now()
	srcPort, err := n.SendUDP(n.PeerAddr, dst, count, marker)
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	seen := make([]bool, count)
	seenCount, frames := 0, 0
	var rec capture.Record
	readOne := func() {
		if err := h.NextContext(ctx, &rec); err != nil {
			t.Fatalf("NextContext after %d of %d datagrams: %v", seenCount, count, err)
		}
		frames++
		f, ok := parseUDPFrame(rec.Data)
		if !ok || f.index < 0 {
			return // not ours
		}
		if f.src != n.PeerAddr || f.dst != n.HostAddr || f.srcPort != srcPort || f.dstPort != dst.Port() || f.vlan != -1 {
			t.Errorf("datagram %d: got %+v, want %v:%d -> %v untagged", f.index, f, n.PeerAddr, srcPort, dst)
		}
		if rec.LinkType != packet.LinkEthernet || rec.Offset != -1 || rec.OrigLen != len(rec.Data) {
			t.Errorf("datagram %d: LinkType %v, Offset %d, OrigLen %d for %d bytes; want Ethernet, -1, %d",
				f.index, rec.LinkType, rec.Offset, rec.OrigLen, len(rec.Data), len(rec.Data))
		}
		if ts := time.Unix(0, rec.Time); ts.Before(start.Add(-time.Second)) || ts.After(time.Now().Add(time.Second)) {
			t.Errorf("datagram %d: capture time %v not around the test's %v", f.index, ts, start)
		}
		if f.index < count && !seen[f.index] {
			seen[f.index] = true
			seenCount++
		}
	}
	readOne()
	// Reading frames from the ring costs no allocation.
	if allocs := testing.AllocsPerRun(100, readOne); allocs != 0 {
		t.Errorf("got %v allocations per NextContext, want 0", allocs)
	}
	st, err := h.Stats()
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}
	for seenCount < count-int(st.Drops) {
		readOne()
	}
	st, err = h.Stats()
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}
	if seenCount+int(st.Drops) < count {
		t.Errorf("captured %d datagrams with %d drops reported, want %d", seenCount, st.Drops, count)
	}
	// The kernel counts every frame it passed to the socket, dropped or not;
	// frames may still be waiting in the ring.
	if st.Packets < uint64(frames)+st.Drops {
		t.Errorf("Stats: %+v, but %d frames were read", st, frames)
	}
	t.Logf("%d datagrams in %d frames; stats %+v", seenCount, frames, st)

	if err := h.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := h.Next(&rec); !errors.Is(err, afpacket.ErrClosed) {
		t.Errorf("Next after Close: got %v, want ErrClosed", err)
	}
	if after, err := h.Stats(); err != nil || after.Packets < st.Packets {
		t.Errorf("Stats after Close: got %+v, %v; want at least %+v", after, err, st)
	}
}

func TestLiveVLAN(t *testing.T) {
	vethtest.NeedRoot(t)
	n := vethtest.Setup(t)
	// A VLAN 100 interface on the peer end. The host end has none, so the
	// host drops the frames after capture; the static neighbour entry spares
	// an ARP exchange that nobody would answer.
	peerVLAN, hostVLAN := netip.MustParseAddr("198.18.1.2"), netip.MustParseAddr("198.18.1.1")
	if out, err := exec.Command("ip", "-n", n.NS, "link", "add", "link", n.Peer, "name", "acdv100", "type", "vlan", "id", "100").CombinedOutput(); err != nil {
		// The ring tests cover putting tags back; this one needs the kernel's 8021q module.
		t.Skipf("skipping: cannot make a VLAN interface (no 802.1Q support in this kernel?): %v: %s", err, bytes.TrimSpace(out))
	}
	vethtest.IP(t, "-n", n.NS, "addr", "add", peerVLAN.String()+"/30", "dev", "acdv100")
	vethtest.IP(t, "-n", n.NS, "link", "set", "acdv100", "up")
	vethtest.IP(t, "-n", n.NS, "neigh", "replace", hostVLAN.String(), "lladdr", n.HostMAC.String(), "dev", "acdv100", "nud", "permanent")

	h, err := afpacket.Open(n.Host, afpacket.Options{BlockSize: 64 << 10, NumBlocks: 4, BlockTimeout: 5 * time.Millisecond})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer h.Close()
	const count = 10
	if _, err := n.SendUDP(peerVLAN, netip.AddrPortFrom(hostVLAN, 9), count, marker); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	var rec capture.Record
	for got := 0; got < count; {
		if err := h.NextContext(ctx, &rec); err != nil {
			t.Fatalf("NextContext after %d of %d datagrams: %v", got, count, err)
		}
		f, ok := parseUDPFrame(rec.Data)
		if !ok || f.index < 0 {
			continue
		}
		got++
		if f.vlan != 100 || f.src != peerVLAN || f.dst != hostVLAN || rec.OrigLen != len(rec.Data) {
			t.Errorf("datagram %d: got %+v, OrigLen %d of %d bytes; want VLAN 100 from %v to %v, whole", f.index, f, rec.OrigLen, len(rec.Data), peerVLAN, hostVLAN)
		}
	}
}

func TestLiveStop(t *testing.T) {
	vethtest.NeedRoot(t)
	n := vethtest.Setup(t)
	h, err := afpacket.Open(n.Host, afpacket.Options{BlockSize: 64 << 10, NumBlocks: 2, BlockTimeout: 5 * time.Millisecond})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer h.Close()

	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	var rec capture.Record
	for {
		err := h.NextContext(ctx, &rec) // the link is quiet: waits for the deadline
		if err == nil {
			continue
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("NextContext: got %v, want %v", err, context.DeadlineExceeded)
		}
		break
	}

	done := make(chan error, 1)
	go func() {
		var rec capture.Record
		for {
			if err := h.Next(&rec); err != nil {
				done <- err
				return
			}
		}
	}()
	time.Sleep(50 * time.Millisecond)
	if err := h.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, afpacket.ErrClosed) {
			t.Errorf("blocked Next: got %v, want ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("blocked Next did not return after Close")
	}
}

// TestOpenNeedsCapNetRaw drops CAP_NET_RAW on one OS thread and opens a
// capture there.
func TestOpenNeedsCapNetRaw(t *testing.T) {
	if os.Geteuid() != 0 {
		_, err := afpacket.Open("lo", afpacket.Options{})
		if err == nil || !strings.Contains(err.Error(), "needs CAP_NET_RAW") {
			t.Errorf("Open as a user: got %v, want an error saying it needs CAP_NET_RAW", err)
		}
		return
	}
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // no UnlockOSThread: the thread, without its capability, exits with this goroutine
		hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
		var data [2]unix.CapUserData
		if err := unix.Capget(&hdr, &data[0]); err != nil {
			errc <- fmt.Errorf("capget: %w", err)
			return
		}
		data[unix.CAP_NET_RAW/32].Effective &^= 1 << (unix.CAP_NET_RAW % 32)
		if err := unix.Capset(&hdr, &data[0]); err != nil {
			errc <- fmt.Errorf("capset: %w", err)
			return
		}
		h, err := afpacket.Open("lo", afpacket.Options{BlockSize: 64 << 10, NumBlocks: 1})
		if err == nil {
			h.Close()
		}
		errc <- err
	}()
	err := <-errc
	if err == nil || !strings.Contains(err.Error(), "needs CAP_NET_RAW") {
		t.Errorf("Open without CAP_NET_RAW: got %v, want an error saying it needs CAP_NET_RAW", err)
	}
}

func TestOpenErrors(t *testing.T) {
	tests := []struct {
		name  string
		iface string
		opts  afpacket.Options
		want  string // substring of the error
	}{
		{"no interface named", "", afpacket.Options{}, "no interface named"},
		{"unknown interface", "acd-no-such0", afpacket.Options{}, "find interface"},
		{"block size not a page multiple", "lo", afpacket.Options{BlockSize: 1000}, "not a positive multiple of the page size"},
		{"negative block count", "lo", afpacket.Options{NumBlocks: -1}, "block count -1"},
		{"negative block timeout", "lo", afpacket.Options{BlockTimeout: -time.Second}, "block timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := afpacket.Open(tt.iface, tt.opts)
			if err == nil {
				h.Close()
				t.Fatalf("got no error, want one containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %q, want it to contain %q", err, tt.want)
			}
		})
	}
}
