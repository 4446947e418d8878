package packet_test

import (
	"net/netip"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/acd-platform/acd/internal/selection/packet"
)

// benchFrames returns 100 Ethernet frames in the proportions of a busy
// access link: mostly bulk TCP and its ACKs, some DNS and QUIC, a little
// VLAN, ICMP, IPv6 extension headers, fragments and ARP.
func benchFrames() [][]byte {
	mix := []struct {
		n     int
		frame []byte
	}{
		{40, eth(packet.EtherTypeIPv4, ip4(6, nil, tcp(443, 51000, packet.TCPAck|packet.TCPPsh, tsOpts, seq(1448))))}, // bulk data
		{20, pad(eth(packet.EtherTypeIPv4, ip4(6, nil, tcp(51000, 443, packet.TCPAck, tsOpts, nil))))},                // pure ACKs
		{10, eth(packet.EtherTypeIPv6, ip6(6, tcp(443, 51000, packet.TCPAck, tsOpts, seq(1428))))},                    // IPv6 bulk data
		{10, eth(packet.EtherTypeIPv4, ip4(17, nil, udp(53000, 53, seq(40))))},                                        // DNS
		{5, eth(packet.EtherTypeIPv4, ip4(6, nil, tcp(80, 52000, packet.TCPAck, nil, seq(600))), tag{0x8100, 20})},    // VLAN
		{5, eth(packet.EtherTypeIPv4, ip4(17, nil, udp(4500, 4500, seq(200))), tag{0x88a8, 7}, tag{0x8100, 20})},      // QinQ
		{3, eth(packet.EtherTypeIPv6, ip6(17, udp(443, 53001, seq(1200))))},                                           // QUIC
		{2, eth(packet.EtherTypeIPv4, ip4(1, nil, icmp(8, 0, seq(56))))},                                              // ping
		{2, eth(packet.EtherTypeIPv6, ip6(0, ext6(58, 1, icmp(143, 0, seq(20)))))},                                    // MLD report
		{1, eth(packet.EtherTypeIPv4, put16(ip4(17, nil, udp(5000, 5001, seq(1472))), 6, 0x2000))},                    // first fragment
		{1, eth(packet.EtherTypeIPv4, put16(ip4(17, nil, seq(600)), 6, 185))},                                         // last fragment
		{1, pad(eth(packet.EtherTypeARP, arp))},
	}
	var frames [][]byte
	for _, m := range mix {
		for range m.n {
			frames = append(frames, m.frame)
		}
	}
	return frames
}

func BenchmarkDecode(b *testing.B) {
	frames := benchFrames()
	var p packet.Parsed
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := p.Decode(frames[i%len(frames)], packet.LinkEthernet); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkDecodeFlowHash(b *testing.B) {
	frames := benchFrames()
	var p packet.Parsed
	var sum uint64
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		_ = p.Decode(frames[i%len(frames)], packet.LinkEthernet)
		sum += p.FlowHash()
		i++
	}
	_ = sum
}

// BenchmarkDecodeGopacket decodes the same frames with gopacket's
// DecodingLayerParser, its fastest mode, and takes out the same fields, to
// compare with BenchmarkDecode.
func BenchmarkDecodeGopacket(b *testing.B) {
	frames := benchFrames()
	var (
		eth     layers.Ethernet
		dot1q   layers.Dot1Q
		ip4     layers.IPv4
		ip6     layers.IPv6
		ip6ext  layers.IPv6ExtensionSkipper
		tcp     layers.TCP
		udp     layers.UDP
		icmp4   layers.ICMPv4
		icmp6   layers.ICMPv6
		payload gopacket.Payload
	)
	parser := gopacket.NewDecodingLayerParser(layers.LayerTypeEthernet,
		&eth, &dot1q, &ip4, &ip6, &ip6ext, &tcp, &udp, &icmp4, &icmp6, &payload)
	parser.IgnoreUnsupported = true
	decoded := make([]gopacket.LayerType, 0, 10)
	var (
		src, dst   netip.Addr
		sport, dpt uint16
		n          int
	)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		_ = parser.DecodeLayers(frames[i%len(frames)], &decoded)
		i++
		for _, lt := range decoded {
			switch lt {
			case layers.LayerTypeIPv4:
				src, _ = netip.AddrFromSlice(ip4.SrcIP)
				dst, _ = netip.AddrFromSlice(ip4.DstIP)
			case layers.LayerTypeIPv6:
				src, _ = netip.AddrFromSlice(ip6.SrcIP)
				dst, _ = netip.AddrFromSlice(ip6.DstIP)
			case layers.LayerTypeTCP:
				sport, dpt, n = uint16(tcp.SrcPort), uint16(tcp.DstPort), len(tcp.Payload)
			case layers.LayerTypeUDP:
				sport, dpt, n = uint16(udp.SrcPort), uint16(udp.DstPort), len(udp.Payload)
			}
		}
	}
	_, _, _, _, _ = src, dst, sport, dpt, n
}

func BenchmarkFlowHash(b *testing.B) {
	frames := benchFrames()
	ps := make([]packet.Parsed, len(frames))
	for i, f := range frames {
		if err := ps[i].Decode(f, packet.LinkEthernet); err != nil {
			b.Fatal(err)
		}
	}
	var sum uint64
	i := 0
	for b.Loop() {
		sum += ps[i%len(ps)].FlowHash()
		i++
	}
	_ = sum
}
