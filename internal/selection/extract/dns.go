package extract

import "net/netip"

// Limits of DNSMessage.
const (
	// MaxDNSAnswers is how many A/AAAA answer addresses a DNSMessage keeps.
	MaxDNSAnswers = 16
	// MaxQNameLen is the longest QName: a 255-byte wire name whose every
	// byte needs a 4-byte \DDD escape. Names of letters, digits, hyphens
	// and underscores are at most 253 bytes.
	MaxQNameLen = 1012
)

// DNS resource record types and the class read here.
const (
	dnsTypeA     = 1
	dnsTypeCNAME = 5
	dnsTypeAAAA  = 28
	dnsClassIN   = 1
)

// A DNSMessage holds what ParseDNS extracts from one DNS message: the
// header, the first question and the addresses of the answers. It holds no
// pointer into the message: the question name is copied, lower-cased, into
// the value's own array. At about 1.5 KiB it is worth reusing, one value
// per worker: a new one per message costs clearing it, as much again as
// parsing a query. It is not safe for concurrent use.
type DNSMessage struct {
	ID        uint16
	Response  bool  // QR
	Opcode    uint8 // OPCODE, 0 for a standard query
	RCode     uint8 // the header's 4-bit RCODE (EDNS extended bits are not read)
	Truncated bool  // TC
	QDCount   uint16
	ANCount   uint16
	NSCount   uint16
	ARCount   uint16
	// QType and QClass are those of the first question; 0 when there is no
	// question.
	QType  uint16
	QClass uint16
	// CNAMEs counts the CNAME records of the answer section.
	CNAMEs int
	// MoreAnswers reports A/AAAA answers beyond the MaxDNSAnswers kept.
	MoreAnswers bool

	err         *ParseError // the error of the last failed parse: see ParseDNS
	hasQuestion bool
	nameLen     int
	nAddrs      int
	addrs       [MaxDNSAnswers]netip.Addr
	name        [MaxQNameLen]byte
}

// QName returns the first question's name in lower case, dotted, without a
// trailing dot ("." for the root), in the presentation form of RFC 1035
// §5.1: a "." or "\" inside a label is escaped with "\", and bytes outside
// the printable ASCII range are written \DDD. It returns nil when the
// message has no question. The slice points into m.
func (m *DNSMessage) QName() []byte {
	if !m.hasQuestion {
		return nil
	}
	return m.name[:m.nameLen]
}

// Answers returns the IN-class A and AAAA addresses of the answer section in
// order, at most MaxDNSAnswers of them. The slice points into m.
func (m *DNSMessage) Answers() []netip.Addr { return m.addrs[:m.nAddrs] }

// ParseDNSTCP parses the first DNS message of a DNS-over-TCP stream, b, into
// m: a 2-byte length and the message (RFC 1035 §4.2.2). It returns the
// number of bytes the length and message take; the next message starts at
// b[n:]. It returns ErrNeedMore when b ends inside the message. Offsets in
// a *ParseError count from the start of b; the error is kept in m, as for
// ParseDNS.
func ParseDNSTCP(b []byte, m *DNSMessage) (n int, err error) {
	m.reset()
	if len(b) < 2 {
		return 0, ErrNeedMore
	}
	l := int(b[0])<<8 | int(b[1])
	if l < 12 {
		return 0, m.fail(0, "TCP length shorter than a DNS header")
	}
	if len(b) < 2+l {
		return 0, ErrNeedMore
	}
	if err := ParseDNS(b[2:2+l], m); err != nil {
		m.err.Offset += 2
		return 0, err
	}
	return 2 + l, nil
}

// ParseDNS parses one DNS message, such as a UDP payload, into m. It
// decodes the header and the first question, skips any further questions,
// and reads the answer section for A/AAAA addresses and CNAME records; the
// authority and additional sections are not read. Compression pointers must
// point backwards, which rules out loops.
//
// A malformed message gives a *ParseError with the offset of the fault; the
// fields decoded before it are left in m. As DNS is parsed per packet and
// floods of malformed messages are to be expected, m keeps one error value
// that every failure reuses: it is valid until the next failed parse with m
// (copy the *ParseError to keep it longer), and a reused m does not
// allocate even for malformed messages. ParseDNS does not allocate.
func ParseDNS(msg []byte, m *DNSMessage) error {
	m.reset()
	if len(msg) < 12 {
		return m.fail(len(msg), "message shorter than the 12-byte header")
	}
	m.ID = uint16(msg[0])<<8 | uint16(msg[1])
	m.Response = msg[2]&0x80 != 0
	m.Opcode = msg[2] >> 3 & 0x0f
	m.Truncated = msg[2]&0x02 != 0
	m.RCode = msg[3] & 0x0f
	m.QDCount = uint16(msg[4])<<8 | uint16(msg[5])
	m.ANCount = uint16(msg[6])<<8 | uint16(msg[7])
	m.NSCount = uint16(msg[8])<<8 | uint16(msg[9])
	m.ARCount = uint16(msg[10])<<8 | uint16(msg[11])
	p := 12
	for q := 0; q < int(m.QDCount); q++ {
		var err error
		if q == 0 {
			p, err = m.decodeName(msg, p)
		} else {
			p, err = m.skipName(msg, p)
		}
		if err != nil {
			return err
		}
		if len(msg)-p < 4 {
			return m.fail(p, "question ends before its type and class")
		}
		if q == 0 {
			m.QType = uint16(msg[p])<<8 | uint16(msg[p+1])
			m.QClass = uint16(msg[p+2])<<8 | uint16(msg[p+3])
			m.hasQuestion = true
		}
		p += 4
	}
	for a := 0; a < int(m.ANCount); a++ {
		var err error
		if p, err = m.skipName(msg, p); err != nil {
			return err
		}
		if len(msg)-p < 10 {
			return m.fail(p, "resource record ends inside its fixed fields")
		}
		typ := uint16(msg[p])<<8 | uint16(msg[p+1])
		class := uint16(msg[p+2])<<8 | uint16(msg[p+3])
		rdl := int(msg[p+8])<<8 | int(msg[p+9])
		p += 10
		if len(msg)-p < rdl {
			return m.fail(p-2, "RDATA runs past the end of the message")
		}
		rd := msg[p : p+rdl]
		if class == dnsClassIN {
			switch typ {
			case dnsTypeA:
				if rdl != 4 {
					return m.fail(p-2, "A record RDATA is not 4 bytes")
				}
				m.addAddr(netip.AddrFrom4([4]byte(rd)))
			case dnsTypeAAAA:
				if rdl != 16 {
					return m.fail(p-2, "AAAA record RDATA is not 16 bytes")
				}
				m.addAddr(netip.AddrFrom16([16]byte(rd)))
			case dnsTypeCNAME:
				m.CNAMEs++
			}
		}
		p += rdl
	}
	return nil
}

// fail records a parse error in m's error value, allocated on the first
// failure, and returns it. The value is not part of m itself, so that the
// caller's m does not escape when the error does.
func (m *DNSMessage) fail(off int, reason string) error {
	if m.err == nil {
		m.err = new(ParseError)
	}
	*m.err = ParseError{Proto: "dns", Offset: off, Reason: reason}
	return m.err
}

// reset clears m's fields, not its arrays.
func (m *DNSMessage) reset() {
	m.ID, m.Response, m.Opcode, m.RCode, m.Truncated = 0, false, 0, 0, false
	m.QDCount, m.ANCount, m.NSCount, m.ARCount = 0, 0, 0, 0
	m.QType, m.QClass, m.CNAMEs, m.MoreAnswers = 0, 0, 0, false
	m.hasQuestion, m.nameLen, m.nAddrs = false, 0, 0
}

func (m *DNSMessage) addAddr(a netip.Addr) {
	if m.nAddrs == len(m.addrs) {
		m.MoreAnswers = true
		return
	}
	m.addrs[m.nAddrs] = a
	m.nAddrs++
}

// decodeName decodes the name at msg[off:] into m.name and returns the
// offset just after it in the message.
func (m *DNSMessage) decodeName(msg []byte, off int) (int, error) {
	end := -1    // offset after the name where it started, once known
	limit := off // a pointer must point before this
	wire := 0    // wire length of the name so far
	n := 0
	for {
		if off >= len(msg) {
			return 0, m.fail(off, "name runs past the end of the message")
		}
		c := msg[off]
		switch c & 0xc0 {
		case 0x00:
			if c == 0 {
				if end < 0 {
					end = off + 1
				}
				if n == 0 {
					m.name[0] = '.'
					n = 1
				}
				m.nameLen = n
				return end, nil
			}
			l := int(c)
			if len(msg)-off-1 < l {
				return 0, m.fail(off, "label runs past the end of the message")
			}
			wire += 1 + l
			if wire > 254 { // plus the root's length byte: 255 (RFC 1035 §3.1)
				return 0, m.fail(off, "name longer than 255 bytes")
			}
			if n > 0 {
				m.name[n] = '.'
				n++
			}
			label := msg[off+1 : off+1+l]
			if seg := m.name[n : n+len(label)]; plainLabel(seg, label) {
				n += len(label)
				off += 1 + l
				continue
			}
			for _, b := range label {
				switch {
				case b == '.' || b == '\\':
					m.name[n], m.name[n+1] = '\\', b
					n += 2
				case b < 0x21 || b > 0x7e:
					m.name[n], m.name[n+1], m.name[n+2], m.name[n+3] = '\\', '0'+b/100, '0'+b/10%10, '0'+b%10
					n += 4
				default:
					m.name[n] = lower(b)
					n++
				}
			}
			off += 1 + l
		case 0xc0:
			if len(msg)-off < 2 {
				return 0, m.fail(off, "compression pointer runs past the end of the message")
			}
			ptr := int(c&0x3f)<<8 | int(msg[off+1])
			if ptr >= limit {
				return 0, m.fail(off, "compression pointer does not point backwards")
			}
			if end < 0 {
				end = off + 2
			}
			limit, off = ptr, ptr
		default:
			return 0, m.fail(off, "reserved label type")
		}
	}
}

// plainLabel copies label into seg, lower-cased, and reports whether it
// could: whether the label needs no escape. seg is as long as label.
func plainLabel(seg, label []byte) bool {
	seg = seg[:len(label)]
	for i, b := range label {
		if b <= ' ' || b > '~' || b == '.' || b == '\\' {
			return false
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		seg[i] = b
	}
	return true
}

// skipName returns the offset just after the name at msg[off:], without
// following compression pointers.
func (m *DNSMessage) skipName(msg []byte, off int) (int, error) {
	for {
		if off >= len(msg) {
			return 0, m.fail(off, "name runs past the end of the message")
		}
		c := msg[off]
		switch c & 0xc0 {
		case 0x00:
			if c == 0 {
				return off + 1, nil
			}
			if len(msg)-off-1 < int(c) {
				return 0, m.fail(off, "label runs past the end of the message")
			}
			off += 1 + int(c)
		case 0xc0:
			if len(msg)-off < 2 {
				return 0, m.fail(off, "compression pointer runs past the end of the message")
			}
			return off + 2, nil
		default:
			return 0, m.fail(off, "reserved label type")
		}
	}
}
