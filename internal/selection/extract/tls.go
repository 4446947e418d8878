package extract

import (
	"crypto/sha256"
	"slices"
)

// MaxClientHello is the longest ClientHello handshake message (body and
// 4-byte header) that ParseClientHello accepts when it spans records.
// Hellos with post-quantum key shares are under 2 KiB.
const MaxClientHello = 1 << 14

// TLS record and handshake constants used here.
const (
	recordHandshake    = 22
	handshakeClientHi  = 1
	maxRecordPlaintext = 1 << 14 // RFC 8446 §5.1
)

// TLS extension types read by ParseClientHello.
const (
	extServerName          = 0x0000
	extSignatureAlgorithms = 0x000d
	extALPN                = 0x0010
	extSupportedVersions   = 0x002b
)

// A ClientHello holds what ParseClientHello extracts from a TLS ClientHello:
// the versions, the server name, the ALPN list and the lists JA4 is made of.
// The byte slices point into the input of ParseClientHello or, when the
// hello spans records, into a buffer the value keeps for joining them;
// either way they are valid until the next ParseClientHello on the same
// value, as long as the input stays unchanged. A ClientHello is not safe
// for concurrent use.
type ClientHello struct {
	RecordVersion uint16 // version field of the first record
	LegacyVersion uint16 // legacy_version of the ClientHello
	// SupportedVersion is the highest non-GREASE version in the
	// supported_versions extension; 0 when the extension is absent.
	SupportedVersion uint16
	// Version is the highest version the client offers: SupportedVersion,
	// or LegacyVersion when there is no supported_versions extension (as
	// JA4 reads it).
	Version uint16
	// CipherSuites is the cipher_suites list as sent: two bytes per suite,
	// big-endian, GREASE values included.
	CipherSuites []byte
	// Extensions is the extensions block as sent (type, length and data of
	// each extension), without its own 2-byte length; nil when absent.
	Extensions []byte
	// HasSNI reports that the server_name extension is present (JA4 "d");
	// SNI is its first host_name, nil when there is none.
	HasSNI bool
	SNI    []byte
	// ALPN is the ALPN protocol_name_list as sent (each name preceded by
	// its 1-byte length), without the list's own length; nil when the
	// extension is absent. ALPNCount is the number of names in it.
	ALPN      []byte
	ALPNCount int
	// SignatureAlgorithms is the signature_algorithms list as sent: two
	// bytes per scheme, big-endian; nil when the extension is absent.
	SignatureAlgorithms []byte
	// NumCipherSuites and NumExtensions count the cipher suites and
	// extensions that are not GREASE.
	NumCipherSuites int
	NumExtensions   int

	// joined holds a hello that spans records. It is allocated the first
	// time one is met and reused after that.
	joined []byte
}

// FirstALPN returns the first name of the ALPN list ("h2", "http/1.1"), or
// nil when there is none.
func (h *ClientHello) FirstALPN() []byte {
	if len(h.ALPN) == 0 {
		return nil
	}
	return h.ALPN[1 : 1+int(h.ALPN[0])]
}

// isGREASE reports whether v is one of the reserved GREASE values 0x0a0a,
// 0x1a1a, …, 0xfafa (RFC 8701).
func isGREASE(v uint16) bool { return v&0x0f0f == 0x0a0a && v>>8 == v&0xff }

// LooksLikeClientHello reports whether b may be the start of a TLS
// ClientHello: a handshake record of version 3.x whose first handshake
// message is a ClientHello. It looks at no more than the first 6 bytes; a
// shorter b that fits is accepted.
func LooksLikeClientHello(b []byte) bool {
	switch {
	case len(b) == 0:
		return false
	case b[0] != recordHandshake:
		return false
	case len(b) > 1 && b[1] != 3:
		return false
	case len(b) > 2 && b[2] > 4:
		return false
	case len(b) > 5 && b[5] != handshakeClientHi:
		return false
	}
	return true
}

// ParseClientHello parses the TLS ClientHello at the start of b, the
// client's first bytes on a TLS-over-TCP connection, into h. The hello may
// be split over several handshake records, as large hellos and some evasion
// tools do; b may hold more bytes after it.
//
// It returns ErrNeedMore when b ends before the hello does, and a
// *ParseError when b is not a ClientHello or is malformed. The offset of an
// error inside the body of a hello joined from several records counts from
// the start of the handshake message, not of b. ParseClientHello does not
// allocate, except once per ClientHello value for the buffer of the first
// hello that spans records.
func ParseClientHello(b []byte, h *ClientHello) error {
	h.reset()
	if len(b) < 5 {
		if len(b) > 0 && !LooksLikeClientHello(b) {
			return perr("tls", 0, "not a TLS handshake record")
		}
		return ErrNeedMore
	}
	if err := checkRecordHeader(b, 0); err != nil {
		return err
	}
	h.RecordVersion = uint16(b[1])<<8 | uint16(b[2])
	rl := int(b[3])<<8 | int(b[4])
	if len(b) >= 9 && rl >= 4 {
		if b[5] != handshakeClientHi {
			return perr("tls", 5, "handshake message is not a ClientHello")
		}
		ml := int(b[6])<<16 | int(b[7])<<8 | int(b[8])
		if 4+ml <= rl {
			// The common case: the whole hello is in the first record.
			if len(b) < 9+ml {
				return ErrNeedMore
			}
			return h.parseBody(b[9:9+ml], 9)
		}
	}
	return h.parseJoined(b)
}

// checkRecordHeader checks the 5-byte record header at b[off:].
func checkRecordHeader(b []byte, off int) error {
	if b[off] != recordHandshake {
		return perr("tls", off, "not a TLS handshake record")
	}
	if b[off+1] != 3 || b[off+2] > 4 {
		return perr("tls", off+1, "record version is not 3.x")
	}
	rl := int(b[off+3])<<8 | int(b[off+4])
	if rl == 0 {
		return perr("tls", off+3, "empty handshake record")
	}
	if rl > maxRecordPlaintext {
		return perr("tls", off+3, "record longer than 16384 bytes")
	}
	return nil
}

// parseJoined parses a hello that spans records. A first pass walks the
// records to learn whether the whole hello is in b, so that an incomplete
// one costs no copy; a second joins the fragments in h.joined.
func (h *ClientHello) parseJoined(b []byte) error {
	var hdr [4]byte // the handshake header, which may itself be split
	n := 0          // bytes of the handshake message seen
	ml := -1        // message length once its header is in
	complete := false
	for off := 0; !complete; {
		if len(b)-off < 5 {
			return ErrNeedMore
		}
		if off > 0 {
			if err := checkRecordHeader(b, off); err != nil {
				return err
			}
		}
		rl := int(b[off+3])<<8 | int(b[off+4])
		frag := b[off+5 : min(len(b), off+5+rl)]
		for _, c := range frag {
			if n < 4 {
				hdr[n] = c
			}
			n++
			if n == 1 && hdr[0] != handshakeClientHi {
				return perr("tls", 5, "handshake message is not a ClientHello")
			}
			if n == 4 {
				ml = int(hdr[1])<<16 | int(hdr[2])<<8 | int(hdr[3])
				if 4+ml > MaxClientHello {
					return perr("tls", 5, "ClientHello longer than 16384 bytes")
				}
			}
			if ml >= 0 && n >= 4+ml {
				complete = true
				break
			}
		}
		if !complete && len(frag) < rl {
			return ErrNeedMore
		}
		off += 5 + rl
	}
	if cap(h.joined) < 4+ml {
		h.joined = make([]byte, 0, MaxClientHello)
	}
	j := h.joined[:0]
	for off := 0; len(j) < 4+ml; {
		rl := int(b[off+3])<<8 | int(b[off+4])
		frag := b[off+5 : min(len(b), off+5+rl)]
		j = append(j, frag[:min(len(frag), 4+ml-len(j))]...)
		off += 5 + rl
	}
	h.joined = j
	return h.parseBody(j[4:], 4)
}

// reset clears h's fields, not its buffers.
func (h *ClientHello) reset() {
	h.RecordVersion, h.LegacyVersion, h.SupportedVersion, h.Version = 0, 0, 0, 0
	h.CipherSuites, h.Extensions = nil, nil
	h.HasSNI, h.SNI = false, nil
	h.ALPN, h.ALPNCount = nil, 0
	h.SignatureAlgorithms = nil
	h.NumCipherSuites, h.NumExtensions = 0, 0
}

// parseBody parses the body of a ClientHello handshake message (RFC 8446
// §4.1.2); base is the offset of m for error reports.
func (h *ClientHello) parseBody(m []byte, base int) error {
	p := 0
	if len(m) < 2+32+1 {
		return perr("tls", base+len(m), "ClientHello shorter than its fixed fields")
	}
	h.LegacyVersion = uint16(m[0])<<8 | uint16(m[1])
	h.Version = h.LegacyVersion
	p = 34
	sid := int(m[p])
	if sid > 32 {
		return perr("tls", base+p, "session id longer than 32 bytes")
	}
	if len(m) < p+1+sid+2 {
		return perr("tls", base+p, "ClientHello ends before its cipher suites")
	}
	p += 1 + sid
	cl := int(m[p])<<8 | int(m[p+1])
	if cl < 2 || cl%2 != 0 {
		return perr("tls", base+p, "cipher suites length is zero or odd")
	}
	p += 2
	if len(m) < p+cl+1 {
		return perr("tls", base+p, "ClientHello ends inside its cipher suites")
	}
	h.CipherSuites = m[p : p+cl]
	for i := 0; i < cl; i += 2 {
		if !isGREASE(uint16(m[p+i])<<8 | uint16(m[p+i+1])) {
			h.NumCipherSuites++
		}
	}
	p += cl
	cm := int(m[p])
	if cm < 1 || len(m) < p+1+cm {
		return perr("tls", base+p, "bad compression methods")
	}
	p += 1 + cm
	if p == len(m) {
		return nil // no extensions: SSL 3.0 and early TLS hellos
	}
	if len(m) < p+2 {
		return perr("tls", base+p, "truncated extensions length")
	}
	el := int(m[p])<<8 | int(m[p+1])
	p += 2
	if p+el != len(m) {
		return perr("tls", base+p-2, "extensions length does not match the ClientHello")
	}
	h.Extensions = m[p:]
	for p < len(m) {
		if len(m)-p < 4 {
			return perr("tls", base+p, "truncated extension header")
		}
		typ := uint16(m[p])<<8 | uint16(m[p+1])
		l := int(m[p+2])<<8 | int(m[p+3])
		p += 4
		if len(m)-p < l {
			return perr("tls", base+p-2, "extension runs past the ClientHello")
		}
		d := m[p : p+l]
		if !isGREASE(typ) {
			h.NumExtensions++
		}
		var err error
		switch typ {
		case extServerName:
			if !h.HasSNI {
				h.HasSNI = true
				err = h.parseServerName(d, base+p)
			}
		case extALPN:
			if h.ALPN == nil {
				err = h.parseALPN(d, base+p)
			}
		case extSupportedVersions:
			if h.SupportedVersion == 0 {
				err = h.parseSupportedVersions(d, base+p)
			}
		case extSignatureAlgorithms:
			if h.SignatureAlgorithms == nil {
				if len(d) < 2 || int(d[0])<<8|int(d[1]) != len(d)-2 || len(d)%2 != 0 {
					err = perr("tls", base+p, "bad signature_algorithms extension")
				} else {
					h.SignatureAlgorithms = d[2:]
				}
			}
		}
		if err != nil {
			return err
		}
		p += l
	}
	return nil
}

// parseServerName reads the server_name extension (RFC 6066 §3); off is
// the offset of d for error reports.
func (h *ClientHello) parseServerName(d []byte, off int) error {
	if len(d) == 0 {
		return nil // as servers send it; a client should not, but it is harmless
	}
	if len(d) < 2 || int(d[0])<<8|int(d[1]) != len(d)-2 {
		return perr("tls", off, "bad server_name list length")
	}
	for p := 2; p < len(d); {
		if len(d)-p < 3 {
			return perr("tls", off+p, "truncated server_name entry")
		}
		typ, l := d[p], int(d[p+1])<<8|int(d[p+2])
		p += 3
		if len(d)-p < l {
			return perr("tls", off+p, "server_name entry runs past its list")
		}
		if typ == 0 && h.SNI == nil {
			if l == 0 {
				return perr("tls", off+p, "empty host_name")
			}
			h.SNI = d[p : p+l]
		}
		p += l
	}
	return nil
}

// parseALPN reads the application_layer_protocol_negotiation extension
// (RFC 7301 §3.1).
func (h *ClientHello) parseALPN(d []byte, off int) error {
	if len(d) < 2 || int(d[0])<<8|int(d[1]) != len(d)-2 {
		return perr("tls", off, "bad ALPN list length")
	}
	list := d[2:]
	for p := 0; p < len(list); {
		l := int(list[p])
		if l == 0 {
			return perr("tls", off+2+p, "empty ALPN protocol name")
		}
		if len(list)-p-1 < l {
			return perr("tls", off+2+p, "ALPN protocol name runs past its list")
		}
		h.ALPNCount++
		p += 1 + l
	}
	h.ALPN = list
	return nil
}

// parseSupportedVersions reads the client's supported_versions extension
// (RFC 8446 §4.2.1) and keeps its highest non-GREASE version.
func (h *ClientHello) parseSupportedVersions(d []byte, off int) error {
	if len(d) < 1 || int(d[0]) != len(d)-1 || len(d)%2 != 1 {
		return perr("tls", off, "bad supported_versions extension")
	}
	for p := 1; p < len(d); p += 2 {
		v := uint16(d[p])<<8 | uint16(d[p+1])
		if !isGREASE(v) && v > h.SupportedVersion {
			h.SupportedVersion = v
		}
	}
	if h.SupportedVersion != 0 {
		h.Version = h.SupportedVersion
	}
	return nil
}

// JA4Len is the length of a JA4 fingerprint.
const JA4Len = 36

// AppendJA4 appends the JA4 fingerprint of the hello (FoxIO's JA4, for TLS
// over TCP, so its first character is "t") to dst and returns the extended
// slice, such as "t13d1516h2_8daaf6152771_e5627efa2ab1":
//
//   - "t", the TLS version as two characters ("13", "12", "11", "10", "s3",
//     "s2", "d1", "d2", "d3", else "00"): the highest supported_versions
//     value, or legacy_version when there is none;
//   - "d" when the server_name extension is present, else "i";
//   - the counts of cipher suites and of extensions, two digits each,
//     at most 99;
//   - the first and last characters of the first ALPN name, or the first
//     and last hex digits of it when either is not ASCII alphanumeric, or
//     "00" when there is none;
//   - "_", the first 12 hex digits of the SHA-256 of the sorted cipher
//     suites as comma-separated 4-digit hex;
//   - "_", the same of the sorted extensions, server_name and ALPN left
//     out, followed by "_" and the signature algorithms in the order sent
//     when there are any.
//
// A list with nothing in it hashes to "000000000000", and GREASE values are
// ignored everywhere. AppendJA4 does not allocate when dst has JA4Len bytes
// to spare and the hello has at most 256 cipher suites and extensions.
func (h *ClientHello) AppendJA4(dst []byte) []byte {
	var code string
	switch h.Version {
	case 0x0304:
		code = "13"
	case 0x0303:
		code = "12"
	case 0x0302:
		code = "11"
	case 0x0301:
		code = "10"
	case 0x0300:
		code = "s3"
	case 0x0002:
		code = "s2"
	case 0xfeff:
		code = "d1"
	case 0xfefd:
		code = "d2"
	case 0xfefc:
		code = "d3"
	default:
		code = "00"
	}
	dst = append(dst, 't')
	dst = append(dst, code...)
	if h.HasSNI {
		dst = append(dst, 'd')
	} else {
		dst = append(dst, 'i')
	}
	dst = appendCount2(dst, h.NumCipherSuites)
	dst = appendCount2(dst, h.NumExtensions)
	dst = appendALPNChars(dst, h.FirstALPN())

	// Real hellos have tens of suites and extensions; a list longer than
	// the stack array is sorted in an allocated one.
	var space [256]uint16
	list := space[:0]
	if n := max(h.NumCipherSuites, h.NumExtensions); n > len(space) {
		list = make([]uint16, 0, n)
	}

	dst = append(dst, '_')
	ciphers := list
	for i := 0; i+1 < len(h.CipherSuites); i += 2 {
		if c := uint16(h.CipherSuites[i])<<8 | uint16(h.CipherSuites[i+1]); !isGREASE(c) {
			ciphers = append(ciphers, c)
		}
	}
	n := len(ciphers)
	sortUint16(ciphers)
	if n == 0 {
		dst = append(dst, "000000000000"...)
	} else {
		dst = appendListHash(dst, ciphers, nil)
	}

	dst = append(dst, '_')
	exts := list
	e := h.Extensions
	for len(e) >= 4 {
		t := uint16(e[0])<<8 | uint16(e[1])
		if !isGREASE(t) && t != extServerName && t != extALPN {
			exts = append(exts, t)
		}
		l := int(e[2])<<8 | int(e[3])
		e = e[min(len(e), 4+l):]
	}
	sortUint16(exts)
	if len(exts) == 0 {
		return append(dst, "000000000000"...)
	}
	return appendListHash(dst, exts, h.SignatureAlgorithms)
}

// sortUint16 sorts a short list by insertion and a long one with slices.Sort.
func sortUint16(a []uint16) {
	if len(a) > 24 {
		slices.Sort(a)
		return
	}
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

// appendCount2 appends min(n, 99) as two decimal digits.
func appendCount2(dst []byte, n int) []byte {
	n = min(n, 99)
	return append(dst, byte('0'+n/10), byte('0'+n%10))
}

// appendALPNChars appends JA4's two ALPN characters for the first ALPN
// name a.
func appendALPNChars(dst, a []byte) []byte {
	if len(a) == 0 {
		return append(dst, '0', '0')
	}
	f, l := a[0], a[len(a)-1]
	if isAlnum(f) && isAlnum(l) {
		return append(dst, f, l)
	}
	return append(dst, hexDigits[f>>4], hexDigits[l&0x0f])
}

func isAlnum(c byte) bool { return isAlpha(c) || isDigit(c) }

const hexDigits = "0123456789abcdef"

// appendListHash appends the first 12 hex digits of the SHA-256 of the
// values of a as comma-separated lower-case 4-digit hex, followed by "_" and
// the non-GREASE 16-bit values of sigs in the same form when there are any.
// The text goes to the digest through a stack buffer.
func appendListHash(dst []byte, a []uint16, sigs []byte) []byte {
	d := sha256.New()
	var buf [510]byte
	n := 0
	for i, v := range a {
		if n > len(buf)-5 {
			d.Write(buf[:n])
			n = 0
		}
		if i > 0 {
			buf[n] = ','
			n++
		}
		putHex4(buf[n:n+4], v)
		n += 4
	}
	sep := byte('_')
	for i := 0; i+1 < len(sigs); i += 2 {
		v := uint16(sigs[i])<<8 | uint16(sigs[i+1])
		if isGREASE(v) {
			continue
		}
		if n > len(buf)-5 {
			d.Write(buf[:n])
			n = 0
		}
		buf[n] = sep
		n++
		sep = ','
		putHex4(buf[n:n+4], v)
		n += 4
	}
	d.Write(buf[:n])
	var sum [sha256.Size]byte
	d.Sum(sum[:0])
	for _, c := range sum[:6] {
		dst = append(dst, hexDigits[c>>4], hexDigits[c&0xf])
	}
	return dst
}

// putHex4 writes v as four lower-case hex digits into b.
func putHex4(b []byte, v uint16) {
	b[0] = hexDigits[v>>12]
	b[1] = hexDigits[v>>8&0xf]
	b[2] = hexDigits[v>>4&0xf]
	b[3] = hexDigits[v&0xf]
}
