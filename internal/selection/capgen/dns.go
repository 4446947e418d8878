package capgen

import "strconv"

// DNS record types.
const (
	dnsA     = 1
	dnsCNAME = 5
	dnsMX    = 15
	dnsAAAA  = 28
	dnsOPT   = 41
	dnsHTTPS = 65
)

// exactBulkServer is the foreign bulk server whose name (only ever seen in
// DNS queries) a fixed criteria rule lists exactly, besides httpExactServer.
const exactBulkServer = 3

// qnameServices are the services whose names DNS queries ask for (TLS twice
// as often).
var qnameServices = [...]service{svcHTTP, svcTLS, svcTLS, svcSMTP, svcBulk}

func (g *gen) setupDNS(f *flow) {
	r := g.r
	p := r.intn(numPools)
	i := r.intn(serversPerService)
	if r.chance(0.08) {
		f.nx = true
		f.name = g.names.nx[p][i]
	} else {
		s := qnameServices[r.intn(len(qnameServices))]
		f.name = g.names.server[p][s][i]
		f.qpool, f.qsvc, f.qidx = uint8(p), s, uint8(i)
		if p == poolForeign {
			switch {
			case s == svcTLS && i < watchedSNIServers:
				f.matches |= 1 << ruleSNISuffix
			case s == svcHTTP && i == httpExactServer, s == svcBulk && i == exactBulkServer:
				f.matches |= 1 << ruleNamesExact
			}
		}
	}
	switch x := r.intn(100); {
	case x < 55:
		f.qtype = dnsA
	case x < 85:
		f.qtype = dnsAAAA
	case x < 95:
		f.qtype = dnsHTTPS
	default:
		f.qtype = dnsMX
	}
	nq := 1
	if f.qtype == dnsA && r.chance(0.3) {
		nq = 2 // then AAAA
	}
	if f.pool[server] == poolForeign && f.sidx == 0 {
		f.matches |= 1 << ruleResolvers
	}
	if f.kind == kindDNS {
		f.count = 2 * nq
		return
	}
	for range nq {
		f.addPlan(opDNSQuery, opDNSResponse)
	}
}

// qtypeOf is the type of query q (0 or 1) of the flow.
func (f *flow) qtypeOf(q int) uint16 {
	if q > 0 {
		return dnsAAAA
	}
	return f.qtype
}

// stepDNS emits the next datagram of a DNS exchange over UDP: queries and
// their responses in turn.
func (g *gen) stepDNS(f *flow) (bool, error) {
	q := f.sent / 2
	p := g.scratch[:0]
	if f.sent%2 == 0 {
		f.dnsID = uint16(g.r.u32())
		p = g.appendDNSQuery(p, f, f.qtypeOf(q))
		g.scratch = p
		if err := g.udp(f, client, p); err != nil {
			return false, err
		}
		g.mech[mechQName].addString(f.name)
	} else {
		p = g.appendDNSResponse(p, f, f.qtypeOf(q))
		g.scratch = p
		if err := g.udp(f, server, p); err != nil {
			return false, err
		}
	}
	return f.sent+1 == f.count, nil
}

// buildDNSTCP makes a DNS message over TCP, with its two-byte length.
func (g *gen) buildDNSTCP(f *flow, op uint8) {
	q := int(f.step-1) / 2
	f.buf = append(f.buf, 0, 0)
	if op == opDNSQuery {
		f.from = client
		f.dnsID = uint16(g.r.u32())
		f.buf = g.appendDNSQuery(f.buf, f, f.qtypeOf(q))
		f.addMark(uint8(mechQName), len(f.buf), 0, 0)
	} else {
		f.from = server
		f.buf = g.appendDNSResponse(f.buf, f, f.qtypeOf(q))
	}
	be.PutUint16(f.buf, uint16(len(f.buf)-2))
}

// appendDNSName appends name in DNS wire form.
func appendDNSName(dst []byte, name string) []byte {
	for len(name) > 0 {
		i := 0
		for i < len(name) && name[i] != '.' {
			i++
		}
		dst = append(dst, byte(i))
		dst = append(dst, name[:i]...)
		if i == len(name) {
			break
		}
		name = name[i+1:]
	}
	return append(dst, 0)
}

// appendOPT appends an EDNS(0) OPT record for a 1232-byte UDP payload.
func appendOPT(dst []byte) []byte {
	return append(dst, 0, 0, dnsOPT, 0x04, 0xd0, 0, 0, 0, 0, 0, 0)
}

func (g *gen) appendDNSQuery(dst []byte, f *flow, qtype uint16) []byte {
	dst = be.AppendUint16(dst, f.dnsID)
	dst = append(dst, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 1) // RD; 1 question, 1 additional
	dst = appendDNSName(dst, f.name)
	dst = be.AppendUint16(dst, qtype)
	dst = append(dst, 0, 1)
	return appendOPT(dst)
}

// appendDNSResponse appends the answer to the flow's query of type qtype:
// NXDOMAIN for names that do not exist, no answer for HTTPS and MX, and for
// A and AAAA one or two addresses of the named server, sometimes after a
// CNAME.
func (g *gen) appendDNSResponse(dst []byte, f *flow, qtype uint16) []byte {
	r := g.r
	msg := len(dst)
	dst = be.AppendUint16(dst, f.dnsID)
	rcode := byte(0)
	if f.nx {
		rcode = 3
	}
	nans := 0
	cname := false
	if !f.nx && (qtype == dnsA || qtype == dnsAAAA) {
		nans = r.between(1, 2)
		cname = r.chance(0.2)
	}
	an := nans
	if cname {
		an++
	}
	dst = append(dst, 0x81, 0x80|rcode, 0, 1, 0, byte(an), 0, 0, 0, 1)
	dst = appendDNSName(dst, f.name)
	dst = be.AppendUint16(dst, qtype)
	dst = append(dst, 0, 1)
	owner := uint16(12) // the question's name
	if cname {
		dst = append(dst, 0xc0, 12, 0, dnsCNAME, 0, 1, 0, 0, 0x0e, 0x10) // TTL 3600
		rd := len(dst)
		dst = append(dst, 0, 0)
		owner = uint16(len(dst) - msg)
		label := len(dst)
		dst = append(dst, 0, 'e', 'd', 'g', 'e')
		dst = strconv.AppendInt(dst, int64(f.qidx), 10)
		dst[label] = byte(len(dst) - label - 1)
		dst = append(dst, 3, 'c', 'd', 'n')
		dst = appendDNSName(dst, zones[f.qpool][int(f.qidx)%len(zones[f.qpool])])
		be.PutUint16(dst[rd:], uint16(len(dst)-rd-2))
	}
	v6 := qtype == dnsAAAA
	for i := range nans {
		dst = append(dst, 0xc0|byte(owner>>8), byte(owner))
		dst = be.AppendUint16(dst, qtype)
		dst = append(dst, 0, 1, 0, 0, 0x01, 0x2c) // TTL 300
		a := serverAddr(int(f.qpool), f.qsvc, int(f.qidx), v6)
		if i > 0 && v6 {
			a[15] += 64
		} else if i > 0 {
			a[3] += 64
		}
		if v6 {
			dst = append(dst, 0, 16)
			dst = append(dst, a[:]...)
		} else {
			dst = append(dst, 0, 4)
			dst = append(dst, a[:4]...)
		}
	}
	return appendOPT(dst)
}
