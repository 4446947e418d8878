package packet

import "strconv"

// LinkType is a link-layer header type: the LINKTYPE_ value registered at
// tcpdump.org, as stored in pcap and pcapng files.
type LinkType uint16

// Link-layer header types the decoder understands.
const (
	LinkNull      LinkType = 0   // BSD loopback: 4-byte address family in host byte order
	LinkEthernet  LinkType = 1   // IEEE 802.3 Ethernet, with optional 802.1Q/802.1ad tags
	LinkRaw       LinkType = 101 // raw IPv4 or IPv6, version taken from the first nibble
	LinkLinuxSLL  LinkType = 113 // Linux "cooked" capture, version 1 (16-byte header)
	LinkIPv4      LinkType = 228 // raw IPv4
	LinkIPv6      LinkType = 229 // raw IPv6
	LinkLinuxSLL2 LinkType = 276 // Linux "cooked" capture, version 2 (20-byte header)
)

// String returns the tcpdump.org name of the link type without its LINKTYPE_
// prefix, or "LinkType(n)" for a value the package does not know.
func (l LinkType) String() string {
	switch l {
	case LinkNull:
		return "NULL"
	case LinkEthernet:
		return "ETHERNET"
	case LinkRaw:
		return "RAW"
	case LinkLinuxSLL:
		return "LINUX_SLL"
	case LinkIPv4:
		return "IPV4"
	case LinkIPv6:
		return "IPV6"
	case LinkLinuxSLL2:
		return "LINUX_SLL2"
	}
	return "LinkType(" + strconv.Itoa(int(l)) + ")"
}

// Supported reports whether Parsed.Decode can decode frames of this link type.
func (l LinkType) Supported() bool {
	switch l {
	case LinkNull, LinkEthernet, LinkRaw, LinkLinuxSLL, LinkIPv4, LinkIPv6, LinkLinuxSLL2:
		return true
	}
	return false
}
