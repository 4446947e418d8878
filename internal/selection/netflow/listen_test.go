package netflow_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/selection/netflow"
)

func TestListener(t *testing.T) {
	d := netflow.NewDecoder(netflow.Options{})
	l, err := netflow.NewListener("127.0.0.1:0", d)
	if err != nil {
		t.Fatalf("NewListener: %v", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	flows := make(chan netflow.Flow, 16)
	served := make(chan error, 1)
	go func() { served <- l.Serve(ctx, func(f *netflow.Flow) { flows <- *f }) }()

	conn, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(l.Addr()))
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer conn.Close()
	datagrams := [][]byte{
		[]byte{0, 5, 0}, // malformed: counted, skipped, the listener goes on
		v5Datagram(v5Header{secs: exportTime}, v5Record{src: "198.51.100.1", dst: "203.0.113.9", nexthop: "0.0.0.0", proto: 6}),
		v9(set(0, v9Tmpl256), paddedSet(256, v9Rec1, v9Rec2)),
	}
	for _, b := range datagrams {
		if _, err := conn.Write(b); err != nil {
			t.Fatalf("write: %v", err)
		}
	}
	wantVersions := []uint16{5, 9, 9}
	for i, want := range wantVersions {
		select {
		case f := <-flows:
			if f.Version != want || f.Exporter != addr("127.0.0.1") {
				t.Errorf("flow %d: got version %d from %v, want version %d from 127.0.0.1", i, f.Version, f.Exporter, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("got %d flows, want %d", i, len(wantVersions))
		}
	}
	if st := d.Stats(); st.Datagrams != 3 || st.Malformed != 1 {
		t.Errorf("Stats: got %+v, want 3 datagrams, 1 malformed", st)
	}

	cancel()
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("Serve after cancel: got %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after its context was cancelled")
	}
}

func TestListenBadAddress(t *testing.T) {
	err := netflow.Listen(t.Context(), "127.0.0.1:notaport", netflow.NewDecoder(netflow.Options{}), func(*netflow.Flow) {})
	if err == nil {
		t.Fatal("got no error for a bad address")
	}
}
