package capgen

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
)

// helloTemplate is a TLS ClientHello made by crypto/tls, made deterministic:
// its extensions in type order (crypto/tls shuffles them), its key shares
// replaced by seeded random bytes. Each TLS flow gets a copy with its own
// random, session id and server name.
type helloTemplate struct {
	recordVersion [2]byte
	head          []byte // legacy_version through compression methods
	exts          []byte // extensions other than server_name
}

// helloServerNamePlaceholder is the server name given to crypto/tls; it is
// replaced in every flow.
const helloServerNamePlaceholder = "placeholder.example"

// newHelloTemplate captures the ClientHello crypto/tls writes, offering TLS
// 1.2 and 1.3 with ALPN h2 and http/1.1: with pq, Go's default key exchanges
// (a hybrid post-quantum key share makes the hello span two segments);
// without, only classical curves (a hello of about 250 bytes).
func newHelloTemplate(r *rng, pq bool) (helloTemplate, error) {
	cfg := &tls.Config{
		ServerName: helloServerNamePlaceholder,
		NextProtos: []string{"h2", "http/1.1"},
		MinVersion: tls.VersionTLS12,
	}
	if !pq {
		cfg.CurvePreferences = []tls.CurveID{tls.X25519, tls.CurveP256, tls.CurveP384}
	}
	raw, err := captureHello(cfg)
	if err != nil {
		return helloTemplate{}, err
	}
	t, err := parseHelloTemplate(raw, r)
	if err != nil {
		return helloTemplate{}, fmt.Errorf("parse crypto/tls client hello: %w", err)
	}
	return t, nil
}

// captureHello returns the first TLS record a crypto/tls client writes.
func captureHello(cfg *tls.Config) ([]byte, error) {
	c, s := net.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = tls.Client(c, cfg).Handshake() // fails once s is closed
		c.Close()
	}()
	defer func() {
		s.Close()
		<-done
	}()
	var hdr [5]byte
	if _, err := io.ReadFull(s, hdr[:]); err != nil {
		return nil, fmt.Errorf("read crypto/tls client hello: %w", err)
	}
	rec := make([]byte, 5+(int(hdr[3])<<8|int(hdr[4])))
	copy(rec, hdr[:])
	if _, err := io.ReadFull(s, rec[5:]); err != nil {
		return nil, fmt.Errorf("read crypto/tls client hello: %w", err)
	}
	return rec, nil
}

var errHello = errors.New("malformed client hello")

// parseHelloTemplate splits a ClientHello record into the template's parts.
func parseHelloTemplate(rec []byte, r *rng) (helloTemplate, error) {
	var t helloTemplate
	if len(rec) < 9 || rec[0] != 22 || rec[5] != 1 {
		return t, errHello
	}
	t.recordVersion = [2]byte{rec[1], rec[2]}
	body := rec[9:]
	if len(body) != int(rec[6])<<16|int(rec[7])<<8|int(rec[8]) {
		return t, errHello
	}
	o := 2 + 32 // legacy_version, random
	if len(body) < o+1 {
		return t, errHello
	}
	o += 1 + int(body[o]) // session id
	if len(body) < o+2 {
		return t, errHello
	}
	o += 2 + int(be.Uint16(body[o:])) // cipher suites
	if len(body) < o+1 {
		return t, errHello
	}
	o += 1 + int(body[o]) // compression methods
	if len(body) < o+2 {
		return t, errHello
	}
	t.head = slices.Clone(body[:o])
	clear(t.head[2:34])
	exts := body[o+2:]
	if len(exts) != int(be.Uint16(body[o:])) {
		return t, errHello
	}
	type ext struct {
		typ  uint16
		data []byte
	}
	var list []ext
	for len(exts) > 0 {
		if len(exts) < 4 || len(exts) < 4+int(be.Uint16(exts[2:])) {
			return t, errHello
		}
		typ, n := be.Uint16(exts), int(be.Uint16(exts[2:]))
		data := slices.Clone(exts[4 : 4+n])
		exts = exts[4+n:]
		switch typ {
		case 0: // server_name: per flow
			continue
		case 0xfe0d: // encrypted_client_hello (GREASE): random per run
			continue
		case 51: // key_share: replace the keys by seeded bytes
			if len(data) < 2 {
				return t, errHello
			}
			ks := data[2:]
			for len(ks) >= 4 {
				kn := int(be.Uint16(ks[2:]))
				if len(ks) < 4+kn {
					return t, errHello
				}
				r.fill(ks[4 : 4+kn])
				ks = ks[4+kn:]
			}
		}
		list = append(list, ext{typ, data})
	}
	slices.SortStableFunc(list, func(a, b ext) int { return int(a.typ) - int(b.typ) })
	for _, e := range list {
		t.exts = be.AppendUint16(t.exts, e.typ)
		t.exts = be.AppendUint16(t.exts, uint16(len(e.data)))
		t.exts = append(t.exts, e.data...)
	}
	return t, nil
}

// appendHello appends a TLS record holding a ClientHello for name, with a
// random client random and session id, to dst; it also returns where the
// name is in dst.
func (t *helloTemplate) appendHello(dst []byte, r *rng, name string) (out []byte, nameAt int) {
	sni := 2 + 1 + 2 + len(name) // server_name_list length, type, name length, name
	extLen := 4 + sni + len(t.exts)
	hsLen := len(t.head) + 2 + extLen
	dst = append(dst, 22, t.recordVersion[0], t.recordVersion[1])
	dst = be.AppendUint16(dst, uint16(4+hsLen))
	dst = append(dst, 1, byte(hsLen>>16), byte(hsLen>>8), byte(hsLen))
	h := len(dst)
	dst = append(dst, t.head...)
	r.fill(dst[h+2 : h+34])
	if sid := int(dst[h+34]); sid > 0 {
		r.fill(dst[h+35 : h+35+sid])
	}
	dst = be.AppendUint16(dst, uint16(extLen))
	dst = append(dst, 0, 0)
	dst = be.AppendUint16(dst, uint16(sni))
	dst = be.AppendUint16(dst, uint16(sni-2))
	dst = append(dst, 0)
	dst = be.AppendUint16(dst, uint16(len(name)))
	nameAt = len(dst)
	dst = append(dst, name...)
	dst = append(dst, t.exts...)
	return dst, nameAt
}

func (g *gen) setupTLS(f *flow) {
	r := g.r
	f.name = g.names.server[f.pool[server]][svcTLS][f.sidx]
	f.pq = r.chance(0.3)
	f.nreq = uint8(r.between(1, 3))
	f.setPlan(opTLSClientHello, opTLSServerFlight, opTLSClientFinished, opTLSResponse)
	for range f.nreq - 1 {
		f.addPlan(opTLSRequest, opTLSResponse)
	}
	f.addPlan(opTLSClose)
	if f.pool[server] == poolForeign && f.sidx < watchedSNIServers {
		f.matches |= 1 << ruleSNISuffix
	}
}

// TLS record content types.
const (
	tlsChangeCipherSpec = 20
	tlsAlert            = 21
	tlsHandshake        = 22
	tlsApplicationData  = 23
)

func (g *gen) buildTLS(f *flow, op uint8) {
	r := g.r
	switch op {
	case opTLSClientHello:
		f.from = client
		t := &g.hello[0]
		if f.pq {
			t = &g.hello[1]
		}
		var at int
		f.buf, at = t.appendHello(f.buf, r, f.name)
		f.addSpan(uint8(mechSNI), at, at+len(f.name), 0, 0)
	case opTLSServerFlight:
		f.from = server
		// ServerHello (TLS 1.3, X25519 key share), ChangeCipherSpec, then
		// the encrypted rest of the server's flight.
		f.buf = append(f.buf, tlsHandshake, 3, 3, 0, 122, 2, 0, 0, 118, 3, 3)
		f.buf = appendFiller(f.buf, g.bin, r.intn(len(g.bin)), 32) // random
		f.buf = append(f.buf, 32)
		f.buf = appendFiller(f.buf, g.bin, r.intn(len(g.bin)), 32) // session id
		f.buf = append(f.buf, 0x13, 0x01, 0, 0, 46,                // TLS_AES_128_GCM_SHA256, no compression, extensions
			0, 43, 0, 2, 3, 4, // supported_versions: TLS 1.3
			0, 51, 0, 36, 0, 29, 0, 32) // key_share: x25519
		f.buf = appendFiller(f.buf, g.bin, r.intn(len(g.bin)), 32)
		f.buf = append(f.buf, tlsChangeCipherSpec, 3, 3, 0, 1, 1)
		g.appendAppData(f, r.between(2000, 4500))
	case opTLSClientFinished:
		f.from = client
		f.buf = append(f.buf, tlsChangeCipherSpec, 3, 3, 0, 1, 1)
		g.appendAppData(f, 53)
		g.appendRequestRecord(f)
	case opTLSRequest:
		f.from = client
		g.appendRequestRecord(f)
	case opTLSResponse:
		f.from = server
		for n := g.bodySize(); n > 0; {
			c := min(n, 16384)
			g.appendAppData(f, c+17)
			n -= c
		}
	case opTLSClose:
		f.from = client
		f.buf = append(f.buf, tlsAlert, 3, 3, 0, 19)
		f.buf = appendFiller(f.buf, g.bin, r.intn(len(g.bin)), 19)
	}
}

// appendAppData appends an application-data record of n random bytes.
func (g *gen) appendAppData(f *flow, n int) {
	f.buf = append(f.buf, tlsApplicationData, 3, 3)
	f.buf = be.AppendUint16(f.buf, uint16(n))
	f.buf = appendFiller(f.buf, g.bin, g.r.intn(len(g.bin)), n)
}

// appendRequestRecord appends a client application-data record that starts
// with a canary: the record's plaintext stands for content.
func (g *gen) appendRequestRecord(f *flow) {
	n := g.r.between(80, 800)
	c := g.nextCanaryLen(canaryTLSAppData)
	f.buf = append(f.buf, tlsApplicationData, 3, 3)
	f.buf = be.AppendUint16(f.buf, uint16(n))
	g.putCanary(f, canaryTLSAppData)
	f.buf = appendFiller(f.buf, g.bin, g.r.intn(len(g.bin)), n-c)
}
