//go:build linux

// Package vethtest makes test hosts for live-capture tests: a veth pair
// whose far end sits in a network namespace the test creates, so that
// traffic a test sends never leaves the pair. All addresses are from
// 198.18.0.0/15 (RFC 2544 benchmarking). Tests that use it need root (to
// make namespaces and to capture) and the ip command; NeedRoot skips them
// with a message otherwise.
package vethtest

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
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
)

// Net is a veth pair: Host stays in the test's namespace, Peer is in NS.
type Net struct {
	NS, Host, Peer     string
	HostAddr, PeerAddr netip.Addr
	HostMAC            net.HardwareAddr
}

// NeedRoot skips the test unless it can make namespaces and capture.
func NeedRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("skipping: live capture tests need root (CAP_NET_ADMIN to make a network namespace, CAP_NET_RAW to capture)")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("skipping: live capture tests need the ip command (iproute2)")
	}
}

// IP runs the ip command with args and fails the test on error.
func IP(t testing.TB, args ...string) {
	t.Helper()
	if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
		t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// Setup makes a namespace and a veth pair with 198.18.0.1/30 on the host
// end and 198.18.0.2/30 on the peer end, IPv6 off (no router or neighbour
// solicitations in a capture) and a static neighbour entry on the peer (no
// ARP), and removes them when the test ends.
func Setup(t testing.TB) *Net {
	t.Helper()
	var rnd [4]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		t.Fatal(err)
	}
	id := hex.EncodeToString(rnd[:])
	n := &Net{NS: "acdtest-" + id, Host: "acdh" + id, Peer: "acdp" + id,
		HostAddr: netip.MustParseAddr("198.18.0.1"), PeerAddr: netip.MustParseAddr("198.18.0.2")}
	IP(t, "netns", "add", n.NS)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", n.NS).Run() })
	IP(t, "link", "add", n.Host, "type", "veth", "peer", "name", n.Peer)
	t.Cleanup(func() { exec.Command("ip", "link", "del", n.Host).Run() }) // gone already when the namespace went
	IP(t, "link", "set", n.Peer, "netns", n.NS)
	_ = os.WriteFile("/proc/sys/net/ipv6/conf/"+n.Host+"/disable_ipv6", []byte("1"), 0) // absent without IPv6
	if err := InNetns(n.NS, func() error {
		_ = os.WriteFile("/proc/sys/net/ipv6/conf/"+n.Peer+"/disable_ipv6", []byte("1"), 0)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	IP(t, "addr", "add", n.HostAddr.String()+"/30", "dev", n.Host)
	IP(t, "link", "set", n.Host, "up")
	IP(t, "-n", n.NS, "addr", "add", n.PeerAddr.String()+"/30", "dev", n.Peer)
	IP(t, "-n", n.NS, "link", "set", n.Peer, "up")
	ifi, err := net.InterfaceByName(n.Host)
	if err != nil {
		t.Fatal(err)
	}
	n.HostMAC = ifi.HardwareAddr
	IP(t, "-n", n.NS, "neigh", "replace", n.HostAddr.String(), "lladdr", n.HostMAC.String(), "dev", n.Peer, "nud", "permanent")
	waitUp(t, n.Host)
	return n
}

// waitUp waits until the interface has its carrier.
func waitUp(t testing.TB, iface string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if b, err := os.ReadFile("/sys/class/net/" + iface + "/operstate"); err == nil && strings.TrimSpace(string(b)) == "up" {
			return
		}
	}
	t.Fatalf("%s did not come up", iface)
}

// InNetns runs fn on an OS thread that has joined the network namespace ns.
// The thread is never handed back to the scheduler: it ends with the
// goroutine, so no other goroutine ever runs in the namespace.
func InNetns(ns string, fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // no UnlockOSThread: the thread exits with this goroutine
		f, err := os.Open("/run/netns/" + ns)
		if err != nil {
			errc <- fmt.Errorf("open namespace: %w", err)
			return
		}
		defer f.Close()
		if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("enter namespace: %w", err)
			return
		}
		errc <- fn()
	}()
	return <-errc
}

// SendUDP sends count datagrams from src on the peer end (in the namespace)
// to dst, each prefix followed by a 4-byte index, and returns the source
// port.
func (n *Net) SendUDP(src netip.Addr, dst netip.AddrPort, count int, prefix []byte) (uint16, error) {
	var port uint16
	err := InNetns(n.NS, func() error {
		c, err := net.DialUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(src, 0)), net.UDPAddrFromAddrPort(dst))
		if err != nil {
			return fmt.Errorf("dial: %w", err)
		}
		defer c.Close()
		port = uint16(c.LocalAddr().(*net.UDPAddr).Port)
		msg := append(bytes.Clone(prefix), 0, 0, 0, 0)
		for i := range count {
			binary.BigEndian.PutUint32(msg[len(prefix):], uint32(i))
			if _, err := c.Write(msg); err != nil {
				return fmt.Errorf("send datagram %d: %w", i, err)
			}
		}
		return nil
	})
	return port, err
}
