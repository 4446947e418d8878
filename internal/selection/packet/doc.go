// Package packet decodes the link, network and transport headers of a
// captured frame without copying it and without allocating.
//
// A Parsed is a value struct the caller owns and reuses: Decode resets it and
// fills it from the frame, and every byte slice it holds (Payload) is a
// sub-slice of the frame, valid as long as the frame's buffer is.
//
//	var p packet.Parsed
//	for src.Next(&rec) == nil {
//		if err := p.Decode(rec.Data, rec.LinkType); err != nil {
//			continue // malformed frame or unsupported link type: count it
//		}
//		if p.IPVersion == 0 {
//			continue // ARP and other non-IP frames
//		}
//		worker := p.FlowHash() % workers
//		// use p.Src, p.Dst, p.Proto, p.SrcPort, p.DstPort, p.Payload, ...
//	}
//
// Decode understands Ethernet (with up to 8 802.1Q/802.1ad VLAN tags),
// Linux cooked captures v1 and v2, BSD loopback and raw IP links; IPv4 with
// options and IPv6 with hop-by-hop, routing, destination options, fragment
// and AH extension headers; and the TCP, UDP, SCTP, ICMP and ICMPv6 headers.
// It does not verify checksums, reassemble fragments or look into tunnels.
//
// # Errors
//
// A frame cut short by the capture's snapshot length is not an error: Decode
// decodes what there is and sets Truncated. A frame whose headers contradict
// themselves gives a *DecodeError, which names the header, its offset in the
// frame and the fault in terms of header fields; it never quotes frame
// bytes, so it may be logged. The error lives in the Parsed, so that
// returning it costs no allocation either.
//
// # Performance
//
// On the frame mix of BenchmarkDecode (bulk TCP and ACKs, DNS, QUIC, VLAN,
// ICMP, IPv6 extension headers, fragments, ARP), Decode took 16 ns per frame
// against 106-121 ns for gopacket's DecodingLayerParser, its fastest mode,
// with the same layers and fields (BenchmarkDecodeGopacket): about 7 times
// faster, with no allocation, measured on a 2-core AMD EPYC virtual machine
// with Go 1.26. Under load from other processes both took about twice as
// long, the ratio held. FlowHash adds under 10 ns. That leaves most of the
// selection engine's budget of 200 ns per packet (5M packets/s per core) to
// the stages after decoding.
package packet
