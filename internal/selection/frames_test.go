package selection_test

import (
	"bytes"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/acd-platform/acd/internal/selection/capture"
	"github.com/acd-platform/acd/internal/selection/packet"
)

// capBuilder writes an Ethernet pcap of hand-made packets.
type capBuilder struct {
	t   testing.TB
	buf bytes.Buffer
	w   *capture.Writer
	ts  int64
}

func newCap(t testing.TB) *capBuilder {
	c := &capBuilder{t: t, ts: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).UnixNano()}
	w, err := capture.NewWriter(&c.buf, packet.LinkEthernet, 65535)
	if err != nil {
		t.Fatal(err)
	}
	c.w = w
	return c
}

// tcpSeg describes one TCP segment.
type tcpSeg struct {
	src, dst     string // "addr:port"
	seq          uint32
	ackNum       uint32
	syn, ack     bool
	fin, rst     bool
	payload      string
	advanceNanos int64 // time since the previous frame; default 1 µs
}

func (c *capBuilder) tcp(s tcpSeg) {
	src, dst := netip.MustParseAddrPort(s.src), netip.MustParseAddrPort(s.dst)
	tcp := &layers.TCP{SrcPort: layers.TCPPort(src.Port()), DstPort: layers.TCPPort(dst.Port()), Seq: s.seq, Ack: s.ackNum,
		SYN: s.syn, ACK: s.ack, FIN: s.fin, RST: s.rst, PSH: s.payload != "", Window: 65535}
	c.ip(src.Addr(), dst.Addr(), layers.IPProtocolTCP, tcp, []byte(s.payload), s.advanceNanos)
}

func (c *capBuilder) udp(src, dst string, payload []byte) {
	s, d := netip.MustParseAddrPort(src), netip.MustParseAddrPort(dst)
	udp := &layers.UDP{SrcPort: layers.UDPPort(s.Port()), DstPort: layers.UDPPort(d.Port())}
	c.ip(s.Addr(), d.Addr(), layers.IPProtocolUDP, udp, payload, 0)
}

func (c *capBuilder) ip(src, dst netip.Addr, proto layers.IPProtocol, l4 interface {
	gopacket.SerializableLayer
	SetNetworkLayerForChecksum(gopacket.NetworkLayer) error
}, payload []byte, advance int64) {
	eth := &layers.Ethernet{SrcMAC: net.HardwareAddr{2, 0, 0, 0, 0, 1}, DstMAC: net.HardwareAddr{2, 0, 0, 0, 0, 2}}
	var nl gopacket.SerializableLayer
	if src.Is4() {
		eth.EthernetType = layers.EthernetTypeIPv4
		ip := &layers.IPv4{Version: 4, TTL: 64, Protocol: proto, SrcIP: src.AsSlice(), DstIP: dst.AsSlice()}
		l4.SetNetworkLayerForChecksum(ip)
		nl = ip
	} else {
		eth.EthernetType = layers.EthernetTypeIPv6
		ip := &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: proto, SrcIP: src.AsSlice(), DstIP: dst.AsSlice()}
		l4.SetNetworkLayerForChecksum(ip)
		nl = ip
	}
	buf := gopacket.NewSerializeBuffer()
	err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true},
		eth, nl, l4, gopacket.Payload(payload))
	if err != nil {
		c.t.Fatal(err)
	}
	if advance == 0 {
		advance = 1000
	}
	c.ts += advance
	if err := c.w.WritePacket(c.ts, buf.Bytes(), len(buf.Bytes())); err != nil {
		c.t.Fatal(err)
	}
}

// conn writes a TCP connection: handshake, the client's payload in the
// given segments, the server's reply, and FINs.
func (c *capBuilder) conn(client, server string, segments ...string) {
	cseq, sseq := uint32(1000), uint32(5000)
	c.tcp(tcpSeg{src: client, dst: server, seq: cseq, syn: true})
	c.tcp(tcpSeg{src: server, dst: client, seq: sseq, syn: true, ack: true, ackNum: cseq + 1})
	cseq++
	sseq++
	for _, p := range segments {
		c.tcp(tcpSeg{src: client, dst: server, seq: cseq, ack: true, payload: p})
		cseq += uint32(len(p))
	}
	c.tcp(tcpSeg{src: server, dst: client, seq: sseq, ack: true, payload: "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"})
	c.tcp(tcpSeg{src: client, dst: server, seq: cseq, ack: true, fin: true})
	c.tcp(tcpSeg{src: server, dst: client, seq: sseq + 38, ack: true, fin: true})
}

func (c *capBuilder) reader() *bytes.Reader {
	if err := c.w.Flush(); err != nil {
		c.t.Fatal(err)
	}
	return bytes.NewReader(c.buf.Bytes())
}

// dnsQuery builds a DNS query for name.
func dnsQuery(t testing.TB, id uint16, name string) []byte {
	d := &layers.DNS{ID: id, RD: true, Questions: []layers.DNSQuestion{{Name: []byte(name), Type: layers.DNSTypeA, Class: layers.DNSClassIN}}}
	buf := gopacket.NewSerializeBuffer()
	if err := d.SerializeTo(buf, gopacket.SerializeOptions{FixLengths: true}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
