package capgen

import (
	"net/netip"
	"strconv"
)

// The generator's address plan. Every address is only bytes in a capture
// file; nothing is ever sent to them.
//
//	pool      IPv4            IPv6
//	domestic  133.0.0.0/12    2001:2f8::/32  (listed as JP by WriteDelegated)
//	foreign   8.0.0.0/12      2a00::/24
//
// Servers sit at fixed addresses, one block per service: IPv4
// <pool>.0.<service>.<16+i> and IPv6 <pool prefix>:0:<service>::<16+i> for
// server i (0..serversPerService-1), so criteria can name the servers of a
// known share of the flows. Clients are random addresses in the rest of the
// pool (second IPv4 octet 1..15; IPv6 with a non-zero third hextet).
const (
	poolDomestic = 0
	poolForeign  = 1
	numPools     = 2
)

// service is what a server offers; it picks the server block and host name.
type service uint8

const (
	svcHTTP service = 1 + iota
	svcTLS
	svcDNS
	svcSMTP
	svcBulk
	numServices
)

// serversPerService is the number of servers of each service in each pool.
const serversPerService = 64

// serverHostBase is the last address byte of server 0.
const serverHostBase = 16

var poolV4 = [numPools][2]byte{{133, 0}, {8, 0}}

var poolV6 = [numPools][4]byte{{0x20, 0x01, 0x02, 0xf8}, {0x2a, 0x00, 0x00, 0x00}}

// serverAddr returns the address of server i of service s in pool p.
func serverAddr(p int, s service, i int, v6 bool) [16]byte {
	var a [16]byte
	if !v6 {
		a[0], a[1], a[2], a[3] = poolV4[p][0], poolV4[p][1], byte(s), byte(serverHostBase+i)
		return a
	}
	copy(a[:4], poolV6[p][:])
	a[7] = byte(s)
	a[15] = byte(serverHostBase + i)
	return a
}

// serverPrefix returns the prefix of bits bits that starts at server i of
// service s in pool p.
func serverPrefix(p int, s service, i int, v6 bool, bits int) netip.Prefix {
	a := serverAddr(p, s, i, v6)
	if !v6 {
		return netip.PrefixFrom(netip.AddrFrom4([4]byte(a[:4])), bits)
	}
	return netip.PrefixFrom(netip.AddrFrom16(a), bits)
}

// clientAddr returns a random client address in pool p, never inside the
// server blocks.
func clientAddr(r *rng, p int, v6 bool) [16]byte {
	var a [16]byte
	if !v6 {
		v := r.u32()
		a[0] = poolV4[p][0]
		a[1] = poolV4[p][1] | byte(1+v%15)
		a[2] = byte(v >> 8)
		a[3] = byte(1 + (v>>16)%254)
		return a
	}
	r.fill(a[4:])
	if p == poolDomestic {
		copy(a[:4], poolV6[p][:])
		if a[4] == 0 && a[5] == 0 {
			a[5] = 1
		}
	} else {
		copy(a[:3], poolV6[p][:3])
		a[3] = byte(1 + r.intn(255))
	}
	return a
}

// addrOf converts the generator's address bytes to a netip.Addr.
func addrOf(a *[16]byte, v6 bool) netip.Addr {
	if !v6 {
		return netip.AddrFrom4([4]byte(a[:4]))
	}
	return netip.AddrFrom16(*a)
}

// Host names: <label><i>.<zone>, zones by pool, labels by service. The first
// watchedSNIServers foreign TLS servers are named under watchedSuffix instead,
// which one of WriteCriteria's rules matches.
var (
	zones = [numPools][4]string{
		{"example.jp", "example.co.jp", "example.ne.jp", "example.or.jp"},
		{"example.com", "example.net", "example.org", "example.io"},
	}
	serviceLabels = [numServices]string{svcHTTP: "www", svcTLS: "secure", svcDNS: "ns", svcSMTP: "mx", svcBulk: "files"}
)

const (
	watchedSuffix     = "sync-cdn.example.net"
	watchedSNIServers = 4
)

// names holds the host name of every server, and names that do not exist
// (nx<i>.<zone>, answered NXDOMAIN), built once per Write.
type names struct {
	server [numPools][numServices][serversPerService]string
	nx     [numPools][serversPerService]string
}

func newNames() *names {
	n := new(names)
	for p := range numPools {
		for s := svcHTTP; s < numServices; s++ {
			for i := range serversPerService {
				n.server[p][s][i] = serverName(p, s, i)
			}
		}
		for i := range serversPerService {
			n.nx[p][i] = "nx" + strconv.Itoa(i) + "." + zones[p][i%len(zones[p])]
		}
	}
	return n
}

// serverName is the host name of server i of service s in pool p.
func serverName(p int, s service, i int) string {
	if p == poolForeign && s == svcTLS && i < watchedSNIServers {
		return "node" + strconv.Itoa(i) + "." + watchedSuffix
	}
	return serviceLabels[s] + strconv.Itoa(i) + "." + zones[p][i%len(zones[p])]
}

// macOf derives a locally administered unicast MAC address from an address.
func macOf(a *[16]byte, v6 bool, p int) [6]byte {
	m := [6]byte{0x02, byte(0x10 + p)}
	if !v6 {
		copy(m[2:], a[:4])
	} else {
		copy(m[2:], a[12:16])
	}
	return m
}
