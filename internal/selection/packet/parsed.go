package packet

import (
	"encoding/binary"
	"errors"
	"math/bits"
	"net/netip"
	"strconv"
)

// IP protocol numbers the decoder looks into.
const (
	ProtoICMP   = 1
	ProtoTCP    = 6
	ProtoUDP    = 17
	ProtoICMPv6 = 58
	ProtoSCTP   = 132

	protoHopByHop = 0
	protoRouting  = 43
	protoFragment = 44
	protoESP      = 50
	protoAH       = 51
	protoDestOpts = 60
)

// EtherType values the decoder follows.
const (
	EtherTypeIPv4 = 0x0800
	EtherTypeIPv6 = 0x86dd
	EtherTypeARP  = 0x0806

	etherTypeDot1Q  = 0x8100 // 802.1Q VLAN tag
	etherTypeDot1AD = 0x88a8 // 802.1ad service tag (QinQ)
	etherTypeQinQ   = 0x9100 // pre-standard QinQ tag
)

// TCP flag bits of Parsed.TCPFlags.
const (
	TCPFin = 0x01
	TCPSyn = 0x02
	TCPRst = 0x04
	TCPPsh = 0x08
	TCPAck = 0x10
	TCPUrg = 0x20
	TCPEce = 0x40
	TCPCwr = 0x80
)

// maxVLANTags bounds the VLAN tags Decode walks through before it gives up on
// a frame; real networks stack at most two or three.
const maxVLANTags = 8

// ErrUnsupportedLink is returned by Decode for a link type it cannot decode
// (LinkType.Supported reports false). Callers should count such frames and
// skip them; no other frame of the same link type will decode either.
var ErrUnsupportedLink = errors.New("decode: unsupported link type")

// DecodeError describes a malformed frame: the header (Layer) that starts at
// byte Offset of the frame is inconsistent for the stated Reason. Reason
// names header fields and values only, never frame content.
type DecodeError struct {
	Layer  string // header that is malformed: "ethernet", "vlan", "sll", "sll2", "null", "raw", "ipv4", "ipv6", "tcp", "udp", "sctp", "icmp", "icmpv6"
	Offset int    // byte offset of that header in the frame
	Reason string // what is wrong, e.g. "header length 4 < 20"
}

// Error returns the error as "decode <layer> at byte <offset>: <reason>".
func (e *DecodeError) Error() string {
	return "decode " + e.Layer + " at byte " + strconv.Itoa(e.Offset) + ": " + e.Reason
}

// Parsed is a decoded frame: the addressing and transport fields of its
// link, network and transport headers. The zero value is ready for Decode.
//
// Parsed holds no copy of the frame: Payload is a sub-slice of the bytes
// passed to Decode and is valid only as long as they are. A Parsed is not
// safe for concurrent use; give each goroutine its own.
type Parsed struct {
	// The fields are ordered to leave little padding: the engine copies
	// Parsed values into batches.

	// VLAN holds the VLAN IDs of the outermost two 802.1Q/802.1ad tags,
	// outer first; VLANs is how many tags the frame had (at most 8).
	VLAN  [2]uint16
	VLANs uint8

	// IPVersion is 4 or 6, or 0 when the frame carries no IP packet (ARP,
	// for example): that is not an error, and the IP and transport fields
	// stay zero.
	IPVersion uint8

	// EtherType is the type of the frame's network layer after any VLAN
	// tags (EtherTypeIPv4, EtherTypeARP, ...), as given by the Ethernet,
	// SLL or SLL2 header or implied by the null, raw, IPv4 and IPv6 links;
	// 0 when unknown.
	EtherType uint16

	Src, Dst netip.Addr // IP source and destination addresses

	// IPLen is the packet length stated by the IP header (IPv4 total length,
	// IPv6 40 plus payload length). It may exceed what was captured (see
	// Truncated). It is 0 for an IPv4 total length of 0 and 40 for an IPv6
	// payload length of 0, as segmentation offload and jumbograms produce;
	// Decode then takes the packet to end with the captured bytes.
	IPLen int

	// Proto is the upper-layer protocol: for IPv6, the one after the
	// hop-by-hop, routing, destination options, fragment and AH extension
	// headers (ESP is not looked into: Proto is then 50). When the
	// capture ends inside the extension headers, Proto is the last header
	// type reached.
	Proto uint8

	TTL uint8 // IPv4 time to live or IPv6 hop limit

	// The fragment fields. For IPv6 they come from the fragment extension
	// header and FragID holds its 32-bit identification; for IPv4, FragID
	// is the 16-bit identification.
	FragOffset    uint16 // offset of the fragment's data in the original packet, in bytes
	FragID        uint32
	Fragment      bool // the packet is a fragment: more fragments follow or its offset is not 0
	MoreFragments bool // the more-fragments flag

	// SrcPort and DstPort are the TCP, UDP or SCTP ports; they are 0 for
	// other protocols and for non-first fragments.
	SrcPort, DstPort uint16

	TCPFlags           uint8 // TCP flags byte (TCPSyn, TCPAck, ...)
	ICMPType, ICMPCode uint8 // ICMP or ICMPv6 type and code

	// Truncated reports that the capture ended before the headers or the IP
	// length said the packet ends. Decode decodes what there is and returns
	// nil when it could read the IP addresses.
	Truncated bool

	Window   uint16 // TCP window, unscaled
	Seq, Ack uint32 // TCP sequence and acknowledgment numbers

	// Payload is the transport payload as captured: after the TCP header
	// (with options), the UDP header, the SCTP common header, or the 8-byte
	// ICMP/ICMPv6 header; for other protocols, everything after the IP
	// headers. It ends where the IP length says the packet ends, so link
	// padding is excluded, or where the capture ends. It is nil for a
	// non-first fragment and when the capture ends inside the headers.
	// Its capacity equals its length.
	Payload []byte

	srcKey, dstKey uint64 // the addresses folded for FlowHash

	err DecodeError // the error Decode returns, kept here so that returning it does not allocate
}

// Decode resets p and decodes frame, whose link-layer header type is link.
// It does not allocate and does not keep frame beyond p.Payload.
//
// It returns nil for a well-formed frame, also one that carries no IP (see
// IPVersion) or whose capture was cut short after the IP addresses (see
// Truncated); ErrUnsupportedLink for a link type it cannot decode; and
// otherwise a *DecodeError. That error is part of p: the next Decode
// overwrites it, so a caller that keeps it must copy the DecodeError value.
// On error, the fields decoded before the bad header are set.
//
// Decode does not verify checksums and does not look into tunnels (IP in IP,
// GRE) or ICMP error payloads.
func (p *Parsed) Decode(frame []byte, link LinkType) error {
	*p = Parsed{}
	switch link {
	case LinkEthernet:
		if len(frame) < 14 {
			return p.truncated("ethernet", 0, "frame shorter than 14-byte header")
		}
		return p.decodeEtherType(frame, binary.BigEndian.Uint16(frame[12:]), 14)
	case LinkLinuxSLL:
		if len(frame) < 16 {
			return p.truncated("sll", 0, "frame shorter than 16-byte header")
		}
		return p.decodeEtherType(frame, binary.BigEndian.Uint16(frame[14:]), 16)
	case LinkLinuxSLL2:
		if len(frame) < 20 {
			return p.truncated("sll2", 0, "frame shorter than 20-byte header")
		}
		return p.decodeEtherType(frame, binary.BigEndian.Uint16(frame[0:]), 20)
	case LinkNull:
		if len(frame) < 4 {
			return p.truncated("null", 0, "frame shorter than 4-byte header")
		}
		// The address family is in the capturing host's byte order.
		family := binary.LittleEndian.Uint32(frame)
		if family&0xffff0000 != 0 {
			family = bits.ReverseBytes32(family)
		}
		switch family {
		case 2: // AF_INET everywhere
			p.EtherType = EtherTypeIPv4
			return p.decodeIPv4(frame, 4)
		case 10, 24, 28, 30: // AF_INET6 on Linux, NetBSD/OpenBSD, FreeBSD, Darwin
			p.EtherType = EtherTypeIPv6
			return p.decodeIPv6(frame, 4)
		}
		return nil
	case LinkRaw:
		if len(frame) < 1 {
			return p.truncated("raw", 0, "empty frame")
		}
		switch frame[0] >> 4 {
		case 4:
			p.EtherType = EtherTypeIPv4
			return p.decodeIPv4(frame, 0)
		case 6:
			p.EtherType = EtherTypeIPv6
			return p.decodeIPv6(frame, 0)
		}
		return p.fail("raw", 0, rawVersionReasons[frame[0]>>4])
	case LinkIPv4:
		p.EtherType = EtherTypeIPv4
		return p.decodeIPv4(frame, 0)
	case LinkIPv6:
		p.EtherType = EtherTypeIPv6
		return p.decodeIPv6(frame, 0)
	}
	return ErrUnsupportedLink
}

// fail records a malformed header and returns the error.
func (p *Parsed) fail(layer string, off int, reason string) error {
	p.err = DecodeError{Layer: layer, Offset: off, Reason: reason}
	return &p.err
}

// truncated records a capture that ended before the IP addresses.
func (p *Parsed) truncated(layer string, off int, reason string) error {
	p.Truncated = true
	return p.fail(layer, off, reason)
}

// decodeEtherType decodes the network layer of type et starting at off,
// after any VLAN tags.
func (p *Parsed) decodeEtherType(frame []byte, et uint16, off int) error {
	for et == etherTypeDot1Q || et == etherTypeDot1AD || et == etherTypeQinQ {
		if len(frame) < off+4 {
			return p.truncated("vlan", off, "frame ends inside tag")
		}
		if p.VLANs == maxVLANTags {
			return p.fail("vlan", off, "more than 8 tags")
		}
		if p.VLANs < 2 {
			p.VLAN[p.VLANs] = binary.BigEndian.Uint16(frame[off:]) & 0x0fff
		}
		p.VLANs++
		et = binary.BigEndian.Uint16(frame[off+2:])
		off += 4
	}
	p.EtherType = et
	switch et {
	case EtherTypeIPv4:
		return p.decodeIPv4(frame, off)
	case EtherTypeIPv6:
		return p.decodeIPv6(frame, off)
	}
	return nil
}

// decodeIPv4 decodes the IPv4 header at off and what follows it.
func (p *Parsed) decodeIPv4(frame []byte, off int) error {
	b := frame[off:]
	if len(b) < 20 {
		return p.truncated("ipv4", off, "frame ends inside 20-byte header")
	}
	if v := b[0] >> 4; v != 4 {
		return p.fail("ipv4", off, ipv4VersionReasons[v])
	}
	hl := int(b[0]&0x0f) * 4
	if hl < 20 {
		return p.fail("ipv4", off, ipv4HeaderLenReasons[hl/4])
	}
	p.IPVersion = 4
	p.TTL = b[8]
	p.Proto = b[9]
	p.Src = netip.AddrFrom4([4]byte(b[12:16]))
	p.Dst = netip.AddrFrom4([4]byte(b[16:20]))
	p.srcKey, p.dstKey = addrKey4(b[12:16]), addrKey4(b[16:20])
	tl := int(binary.BigEndian.Uint16(b[2:]))
	p.IPLen = tl
	if tl == 0 {
		tl = len(b) // segmentation offload: length unknown
		if tl < hl {
			tl = hl
		}
	} else if tl < hl {
		return p.fail("ipv4", off, "total length < header length")
	}
	frag := binary.BigEndian.Uint16(b[6:])
	p.MoreFragments = frag&0x2000 != 0
	p.FragOffset = frag << 3 // the low 13 bits are the offset in 8-byte units
	p.Fragment = p.MoreFragments || p.FragOffset != 0
	p.FragID = uint32(binary.BigEndian.Uint16(b[4:]))
	if len(b) < tl {
		p.Truncated = true
		if len(b) < hl {
			return nil
		}
	}
	if p.FragOffset != 0 {
		return nil
	}
	return p.decodeL4(frame, off+hl, off+tl)
}

// decodeIPv6 decodes the IPv6 header at off, its extension headers and what
// follows them.
func (p *Parsed) decodeIPv6(frame []byte, off int) error {
	b := frame[off:]
	if len(b) < 40 {
		return p.truncated("ipv6", off, "frame ends inside 40-byte header")
	}
	if v := b[0] >> 4; v != 6 {
		return p.fail("ipv6", off, ipv6VersionReasons[v])
	}
	p.IPVersion = 6
	p.TTL = b[7]
	p.Src = netip.AddrFrom16([16]byte(b[8:24]))
	p.Dst = netip.AddrFrom16([16]byte(b[24:40]))
	p.srcKey, p.dstKey = addrKey6(b[8:24]), addrKey6(b[24:40])
	plen := int(binary.BigEndian.Uint16(b[4:]))
	p.IPLen = 40 + plen
	end := 40 + plen // end of the packet relative to off, as the header states
	if plen == 0 {
		end = len(b) // jumbogram or segmentation offload: length unknown
	}
	if len(b) < end {
		p.Truncated = true
	}
	capEnd := min(end, len(b))
	nh := b[6]
	pos := 40
	for {
		var hlen int
		switch nh {
		case protoHopByHop, protoRouting, protoDestOpts:
			if pos+2 > capEnd {
				return p.extHeaderShort(nh, off+pos, pos+2 > end)
			}
			hlen = (int(b[pos+1]) + 1) * 8
		case protoAH:
			if pos+2 > capEnd {
				return p.extHeaderShort(nh, off+pos, pos+2 > end)
			}
			hlen = (int(b[pos+1]) + 2) * 4
		case protoFragment:
			hlen = 8
		default:
			p.Proto = nh
			return p.decodeL4(frame, off+pos, off+end)
		}
		if pos+hlen > capEnd {
			return p.extHeaderShort(nh, off+pos, pos+hlen > end)
		}
		if nh == protoFragment {
			fo := binary.BigEndian.Uint16(b[pos+2:])
			p.FragOffset = fo &^ 7
			p.MoreFragments = fo&1 != 0
			p.Fragment = p.MoreFragments || p.FragOffset != 0
			p.FragID = binary.BigEndian.Uint32(b[pos+4:])
			if p.FragOffset != 0 {
				p.Proto = b[pos]
				return nil
			}
		}
		nh = b[pos]
		pos += hlen
	}
}

// extHeaderShort handles an IPv6 extension header of type nh at off that
// does not fit: a malformed packet when it runs past the payload length,
// else a capture that ended early.
func (p *Parsed) extHeaderShort(nh uint8, off int, pastLength bool) error {
	p.Proto = nh
	if pastLength {
		return p.fail("ipv6", off, "extension header runs past payload length")
	}
	return nil
}

// decodeL4 decodes the transport header at off of the IP packet that ends at
// end (as the IP header says; the capture may end earlier).
func (p *Parsed) decodeL4(frame []byte, off, end int) error {
	capEnd := min(end, len(frame))
	b := frame[off:capEnd]
	switch p.Proto {
	case ProtoTCP:
		if len(b) >= 4 {
			p.SrcPort = binary.BigEndian.Uint16(b[0:])
			p.DstPort = binary.BigEndian.Uint16(b[2:])
		}
		if len(b) < 20 {
			if off+20 > end {
				return p.fail("tcp", off, "IP payload shorter than 20-byte header")
			}
			return nil // truncated capture
		}
		p.Seq = binary.BigEndian.Uint32(b[4:])
		p.Ack = binary.BigEndian.Uint32(b[8:])
		p.TCPFlags = b[13]
		p.Window = binary.BigEndian.Uint16(b[14:])
		hl := int(b[12]>>4) * 4
		if hl < 20 {
			return p.fail("tcp", off, tcpHeaderLenReasons[hl/4])
		}
		if off+hl > end {
			return p.fail("tcp", off, "header length runs past IP payload")
		}
		if hl > len(b) {
			return nil // truncated capture
		}
		p.Payload = b[hl:len(b):len(b)]
	case ProtoUDP:
		if len(b) >= 4 {
			p.SrcPort = binary.BigEndian.Uint16(b[0:])
			p.DstPort = binary.BigEndian.Uint16(b[2:])
		}
		if len(b) < 8 {
			if off+8 > end {
				return p.fail("udp", off, "IP payload shorter than 8-byte header")
			}
			return nil
		}
		n := len(b)
		switch ul := int(binary.BigEndian.Uint16(b[4:])); {
		case ul == 0 && p.IPVersion == 6: // jumbogram: the IP length rules
		case ul < 8:
			return p.fail("udp", off, udpLenReasons[ul])
		case ul < n:
			n = ul // the UDP length ends the datagram before the IP length does
		}
		p.Payload = b[8:n:n]
	case ProtoSCTP:
		if len(b) >= 4 {
			p.SrcPort = binary.BigEndian.Uint16(b[0:])
			p.DstPort = binary.BigEndian.Uint16(b[2:])
		}
		if len(b) < 12 {
			if off+12 > end {
				return p.fail("sctp", off, "IP payload shorter than 12-byte common header")
			}
			return nil
		}
		p.Payload = b[12:len(b):len(b)]
	case ProtoICMP, ProtoICMPv6:
		layer := "icmp"
		if p.Proto == ProtoICMPv6 {
			layer = "icmpv6"
		}
		if len(b) >= 2 {
			p.ICMPType = b[0]
			p.ICMPCode = b[1]
		}
		if len(b) < 8 {
			if off+8 > end {
				return p.fail(layer, off, "IP payload shorter than 8-byte header")
			}
			return nil
		}
		p.Payload = b[8:len(b):len(b)]
	default:
		p.Payload = b[:len(b):len(b)]
	}
	return nil
}

// Reasons with numbers in them, one per possible value, so that an error
// costs no formatting.
var (
	ipv4VersionReasons = [16]string{
		"version 0 != 4", "version 1 != 4", "version 2 != 4", "version 3 != 4",
		"version 4 != 4", "version 5 != 4", "version 6 != 4", "version 7 != 4",
		"version 8 != 4", "version 9 != 4", "version 10 != 4", "version 11 != 4",
		"version 12 != 4", "version 13 != 4", "version 14 != 4", "version 15 != 4",
	}
	ipv6VersionReasons = [16]string{
		"version 0 != 6", "version 1 != 6", "version 2 != 6", "version 3 != 6",
		"version 4 != 6", "version 5 != 6", "version 6 != 6", "version 7 != 6",
		"version 8 != 6", "version 9 != 6", "version 10 != 6", "version 11 != 6",
		"version 12 != 6", "version 13 != 6", "version 14 != 6", "version 15 != 6",
	}
	rawVersionReasons = [16]string{
		"version 0 not 4 or 6", "version 1 not 4 or 6", "version 2 not 4 or 6", "version 3 not 4 or 6",
		"version 4 not 4 or 6", "version 5 not 4 or 6", "version 6 not 4 or 6", "version 7 not 4 or 6",
		"version 8 not 4 or 6", "version 9 not 4 or 6", "version 10 not 4 or 6", "version 11 not 4 or 6",
		"version 12 not 4 or 6", "version 13 not 4 or 6", "version 14 not 4 or 6", "version 15 not 4 or 6",
	}
	ipv4HeaderLenReasons = [5]string{
		"header length 0 < 20", "header length 4 < 20", "header length 8 < 20",
		"header length 12 < 20", "header length 16 < 20",
	}
	tcpHeaderLenReasons = [5]string{
		"header length 0 < 20", "header length 4 < 20", "header length 8 < 20",
		"header length 12 < 20", "header length 16 < 20",
	}
	udpLenReasons = [8]string{
		"length 0 < 8", "length 1 < 8", "length 2 < 8", "length 3 < 8",
		"length 4 < 8", "length 5 < 8", "length 6 < 8", "length 7 < 8",
	}
)
