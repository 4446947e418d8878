package capgen

import (
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/acd-platform/acd/internal/selection/capture"
	"github.com/acd-platform/acd/internal/selection/packet"
)

// DefaultStart returns the time of the first frame when Config.Start is
// zero: 2026-11-01T00:00:00Z.
func DefaultStart() time.Time { return time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC) }

// Defaults of Config's zero fields.
const (
	DefaultPackets   = 1_000_000
	DefaultIPv6Share = 0.2
	DefaultVLANShare = 0.03
	DefaultFlows     = 256
)

// Snaplen is the snapshot length of the captures Write makes. Every frame is
// captured whole.
const Snaplen = 65535

// Config describes a capture. Its zero value is usable: each field's comment
// states its default.
type Config struct {
	// Packets is the number of frames to write. When Packets and Bytes are
	// both zero it is DefaultPackets (1,000,000).
	Packets int
	// Bytes, when non-zero, also stops the capture at the first frame that
	// brings the pcap output (headers included) to at least Bytes bytes;
	// Write stops at whichever of Packets and Bytes comes first.
	Bytes int64
	// Seed selects the traffic. The same Config always yields the same bytes.
	Seed uint64
	// Canaries puts a unique canary (see CanaryPrefix) in every content field
	// (mail subjects and bodies, attachments, HTTP bodies, cookies, ...). When
	// false those fields get random filler of the same length, and the
	// capture is otherwise byte for byte the one Canaries would give.
	Canaries bool
	// IPv6Share is the share of flows over IPv6: 0 means DefaultIPv6Share
	// (0.2), a negative value means none.
	IPv6Share float64
	// VLANShare is the share of flows with an 802.1Q tag: 0 means
	// DefaultVLANShare (0.03), a negative value means none.
	VLANShare float64
	// Flows is the number of flows in progress at any time, whose frames are
	// interleaved at random: 0 means DefaultFlows (256).
	Flows int
	// Start is the time of the first frame; zero means DefaultStart()
	// (2026-11-01T00:00:00Z). Frames follow each other by 0–4 µs.
	Start time.Time
}

func (c Config) withDefaults() Config {
	if c.Packets == 0 && c.Bytes == 0 {
		c.Packets = DefaultPackets
	}
	switch {
	case c.IPv6Share == 0:
		c.IPv6Share = DefaultIPv6Share
	case c.IPv6Share < 0:
		c.IPv6Share = 0
	}
	switch {
	case c.VLANShare == 0:
		c.VLANShare = DefaultVLANShare
	case c.VLANShare < 0:
		c.VLANShare = 0
	}
	if c.Flows == 0 {
		c.Flows = DefaultFlows
	}
	if c.Start.IsZero() {
		c.Start = DefaultStart()
	}
	return c
}

func (c Config) check() error {
	switch {
	case c.Packets < 0:
		return fmt.Errorf("packets %d is negative", c.Packets)
	case c.Bytes < 0:
		return fmt.Errorf("bytes %d is negative", c.Bytes)
	case c.IPv6Share > 1 || math.IsNaN(c.IPv6Share):
		return fmt.Errorf("ipv6 share %g is above 1", c.IPv6Share)
	case c.VLANShare > 1 || math.IsNaN(c.VLANShare):
		return fmt.Errorf("vlan share %g is above 1", c.VLANShare)
	case c.Flows < 0 || c.Flows > 1<<20:
		return fmt.Errorf("flows %d out of range 1..%d", c.Flows, 1<<20)
	case !c.Start.IsZero() && (c.Start.UnixNano() < 0 || c.Start.After(time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC))):
		return fmt.Errorf("start %s outside 1970..2100", c.Start.Format(time.RFC3339))
	}
	return nil
}

// Manifest says what Write wrote. Values are recorded only once every byte
// of them is in the capture: a flow cut off by the end of the capture counts
// under Truncated, and the canaries and values it had not finished writing
// are not listed.
type Manifest struct {
	Packets   int64     `json:"packets"`    // frames written
	WireBytes int64     `json:"wire_bytes"` // total length of the frames (all captured whole)
	FileBytes int64     `json:"file_bytes"` // bytes of pcap written, file and record headers included
	First     time.Time `json:"first"`      // time of the first frame
	Last      time.Time `json:"last"`       // time of the last frame

	// Flows counts completed flows by kind: "http", "tls", "dns" (UDP),
	// "dns-tcp", "smtp", "rtp", "bulk".
	Flows map[string]int64 `json:"flows"`
	// Truncated counts flows cut off by the end of the capture.
	Truncated int64 `json:"truncated"`
	// Directions counts completed flows by direction from the initiator's
	// address to the responder's, as the selection engine names them:
	// "foreign-foreign" (外外), "foreign-domestic" (外内),
	// "domestic-foreign" (内外), "domestic-domestic" (内内).
	Directions map[string]int64 `json:"directions"`

	// Canaries is a deterministic sample of the canaries written, at most
	// 10,000, an equal share per kind, each exactly as it appears in the
	// capture's bytes (though it may be split over TCP segments). For
	// attachments that is the base64 text of the canary's whole 3-byte groups
	// (which begins a base64 line), and DecodedCanaries holds the canaries
	// themselves, found only by decoding the attachment. Empty unless
	// Config.Canaries. No canary may ever reach the selection engine's output.
	Canaries        []string `json:"canaries"`
	DecodedCanaries []string `json:"decoded_canaries"`
	// CanaryCounts counts the canaries written, by kind (see CanaryKinds).
	CanaryCounts map[string]int64 `json:"canary_counts"`

	// Mechanical values written, which selection may keep: the first 1,000
	// distinct values of each, sorted. Paths carry query parameter names
	// only (/search?q&lang), as the engine keeps them.
	Hosts      []string `json:"hosts"`       // HTTP Host
	UserAgents []string `json:"user_agents"` // HTTP User-Agent
	Paths      []string `json:"paths"`       // HTTP request targets, query values removed
	SNIs       []string `json:"snis"`        // TLS server names
	QNames     []string `json:"qnames"`      // DNS query names
	HELOs      []string `json:"helos"`       // SMTP HELO/EHLO domains
	MailFrom   []string `json:"mail_from"`   // SMTP MAIL FROM addresses
	RcptTo     []string `json:"rcpt_to"`     // SMTP RCPT TO addresses
	HeaderFrom []string `json:"header_from"` // addresses of mail From headers

	// Matching counts the completed flows, outside domestic-domestic, that
	// each fixed rule of WriteCriteria matches (a flow may count under
	// several rules); MatchingFlows counts them once each.
	Matching      map[string]int64 `json:"matching"`
	MatchingFlows int64            `json:"matching_flows"`
}

// kind is a flow's traffic type.
type kind uint8

const (
	kindHTTP kind = iota
	kindTLS
	kindDNS
	kindDNSTCP
	kindSMTP
	kindRTP
	kindBulk
	numKinds
)

var kindNames = [numKinds]string{"http", "tls", "dns", "dns-tcp", "smtp", "rtp", "bulk"}

// kindWeights are the odds of each kind for a new flow, tuned so that frame
// sizes come out roughly IMIX-like (most frames small, some medium, some
// full-sized).
var kindWeights = [numKinds]int{
	kindHTTP:   220,
	kindTLS:    240,
	kindDNS:    430,
	kindDNSTCP: 15,
	kindSMTP:   50,
	kindRTP:    20,
	kindBulk:   25,
}

// Directions by the pools of the initiator and the responder.
const (
	dirForeignForeign = iota
	dirForeignDomestic
	dirDomesticForeign
	dirDomesticDomestic
	numDirs
)

var dirNames = [numDirs]string{"foreign-foreign", "foreign-domestic", "domestic-foreign", "domestic-domestic"}

// dirWeights are the odds of each direction for a new flow.
var dirWeights = [numDirs]int{20, 25, 30, 25}

// dirPools gives the client's and the server's pool for each direction.
var dirPools = [numDirs][2]int{
	{poolForeign, poolForeign},
	{poolForeign, poolDomestic},
	{poolDomestic, poolForeign},
	{poolDomestic, poolDomestic},
}

// flow is one connection or exchange in progress. Its buffer is reused by
// the next flow in the same slot, so steady-state generation does not
// allocate.
type flow struct {
	kind  kind
	dir   uint8
	v6    bool
	vlan  uint16
	pool  [2]uint8 // client's and server's pool
	sidx  uint8    // server index within its service
	addr  [2][16]byte
	mac   [2][6]byte
	port  [2]uint16
	ttl   [2]uint8
	win   [2]uint16
	ipid  [2]uint16
	label [2]uint32
	mss   uint16

	// TCP state.
	phase   uint8
	nxt     [2]uint32 // next sequence number of each side
	unacked [2]uint8  // data segments of each side not yet acknowledged

	// The plan: application messages in order; buf holds the current one.
	plan     [24]uint8
	nplan    uint8
	step     uint8
	buf      []byte
	from     int // side sending the current message
	off      int // bytes of buf already sent
	cut      [2]int32
	seg      uint8 // segments of the current message sent
	marks    [40]mark
	nmarks   uint8
	nextMark uint8

	// Application parameters.
	name      string // HTTP Host, TLS SNI or DNS query name
	ua        uint8
	nreq      uint8
	pq        bool // TLS: post-quantum key share (a ClientHello over two segments)
	qtype     uint16
	nx        bool
	dnsID     uint16
	qpool     uint8 // pool, service and index of the server a DNS query names
	qsvc      service
	qidx      uint8
	helo      uint8
	rcptSent  uint8
	mailFrom  mailAddr
	rcpt      [3]mailAddr
	nrcpt     uint8
	remain    int // bulk: bytes still to send
	count     int // UDP: packets in the exchange
	sent      int // packets sent
	ssrc      [2]uint32
	rtpSeq    [2]uint16
	rtpTS     [2]uint32
	canaryN   uint32
	canaryHex uint32
	canaryLen uint8

	matches uint8 // bit set of fixed criteria rules the flow meets
}

// gen is one run of Write.
type gen struct {
	cfg   Config
	w     *capture.Writer
	r     *rng
	names *names
	hello [2]helloTemplate

	text, alnum, bin []byte // filler pools

	flows   []flow
	frame   [maxFrameLen]byte
	scratch []byte

	now                           int64
	packets, wireBytes, fileBytes int64
	maxPackets, maxBytes          int64

	canaryN  [numCanaryKinds]uint32
	can      canaries
	mech     [numMechKinds]*mechSet
	done     [numKinds]int64
	dirs     [numDirs]int64
	matching [numRules]int64
	matched  int64
}

// errStop ends the main loop once the capture is full.
var errStop = errors.New("capture full")

// Write writes a deterministic synthetic capture, a classic pcap of Ethernet
// frames with nanosecond timestamps, to w, and returns what it wrote. It
// streams: its memory stays flat for any number of packets. The caller
// buffers nothing: Write buffers and flushes its output itself.
//
// The traffic is complete TCP connections (handshake, data both ways with
// consistent sequence and acknowledgement numbers, FIN) and UDP exchanges
// over IPv4 and IPv6, a few with VLAN tags, many in progress at once: HTTP/1.1
// (GET with query strings, POST with bodies, cookies, authorization,
// requests split over segments and pipelined), TLS (a crypto/tls ClientHello
// with SNI and ALPN, then application data), DNS over UDP and TCP, SMTP
// sessions carrying a full MIME message with an attachment, RTP-like UDP
// streams and bulk TCP transfers. Addresses come from a domestic pool
// (133.0.0.0/12, 2001:2f8::/32) and a foreign one (8.0.0.0/12, 2a00::/24) in
// all four directions.
func Write(w io.Writer, cfg Config) (Manifest, error) {
	if err := cfg.check(); err != nil {
		return Manifest{}, fmt.Errorf("capgen: %w", err)
	}
	cfg = cfg.withDefaults()
	cw, err := capture.NewWriter(w, packet.LinkEthernet, Snaplen)
	if err != nil {
		return Manifest{}, fmt.Errorf("capgen: %w", err)
	}
	g, err := newGen(cfg, cw)
	if err != nil {
		return Manifest{}, fmt.Errorf("capgen: %w", err)
	}
	if err := g.run(); err != nil {
		return Manifest{}, fmt.Errorf("capgen: %w", err)
	}
	if err := cw.Flush(); err != nil {
		return Manifest{}, fmt.Errorf("capgen: %w", err)
	}
	return g.manifest(), nil
}

func newGen(cfg Config, w *capture.Writer) (*gen, error) {
	g := &gen{
		cfg:        cfg,
		w:          w,
		r:          newRNG(cfg.Seed, 0x63617067656e), // "capgen"
		names:      newNames(),
		flows:      make([]flow, cfg.Flows),
		scratch:    make([]byte, 0, 16<<10),
		now:        cfg.Start.UnixNano(),
		fileBytes:  24,
		maxPackets: int64(cfg.Packets),
		maxBytes:   cfg.Bytes,
	}
	g.can = canaries{r: newRNG(cfg.Seed, 0x73616d706c65), perKind: maxCanaries / int(numCanaryKinds)} // "sample"
	for i := range g.mech {
		g.mech[i] = newMechSet()
	}
	var err error
	if g.hello[0], err = newHelloTemplate(g.r, false); err != nil {
		return nil, err
	}
	if g.hello[1], err = newHelloTemplate(g.r, true); err != nil {
		return nil, err
	}
	g.text, g.alnum, g.bin = fillerPools(g.r)
	for i := range g.flows {
		g.newFlow(&g.flows[i])
	}
	return g, nil
}

// fillerPools returns 64 KiB each of word-like lowercase text, lowercase
// letters and digits, and random bytes. None can hold CanaryPrefix.
func fillerPools(r *rng) (text, alnum, bin []byte) {
	const n = 64 << 10
	text = make([]byte, n)
	for i := 0; i < n; {
		w := r.between(2, 9)
		for j := 0; j < w && i < n; j++ {
			text[i] = 'a' + byte(r.intn(26))
			i++
		}
		if i < n {
			text[i] = ' '
			i++
		}
	}
	alnum = make([]byte, n)
	const chars = "abcdefghijklmnopqrstuvwxyz0123456789"
	for i := range alnum {
		alnum[i] = chars[r.intn(len(chars))]
	}
	bin = make([]byte, n)
	r.fill(bin)
	return text, alnum, bin
}

// appendFiller appends n bytes of pool starting at offset off (wrapping).
func appendFiller(dst, pool []byte, off, n int) []byte {
	off %= len(pool)
	for n > 0 {
		c := min(n, len(pool)-off)
		dst = append(dst, pool[off:off+c]...)
		n -= c
		off = 0
	}
	return dst
}

func (g *gen) full() bool {
	return (g.maxPackets > 0 && g.packets >= g.maxPackets) || (g.maxBytes > 0 && g.fileBytes >= g.maxBytes)
}

// run emits frames of random flows in progress until the capture is full,
// starting a new flow in each slot whose flow completes.
func (g *gen) run() error {
	for !g.full() {
		f := &g.flows[g.r.intn(len(g.flows))]
		done, err := g.step(f)
		if err == errStop {
			break
		}
		if err != nil {
			return err
		}
		if done {
			g.complete(f)
			g.newFlow(f)
		}
	}
	return nil
}

// emit writes one frame, timed 0–4 µs after the previous one.
func (g *gen) emit(frame []byte) error {
	if g.full() {
		return errStop
	}
	if g.packets > 0 {
		g.now += int64(g.r.intn(4000))
	}
	if err := g.w.WritePacket(g.now, frame, len(frame)); err != nil {
		return err
	}
	g.packets++
	g.wireBytes += int64(len(frame))
	g.fileBytes += 16 + int64(len(frame))
	return nil
}

// step emits the next frame of f and reports whether f is complete.
func (g *gen) step(f *flow) (bool, error) {
	var err error
	done := false
	switch f.kind {
	case kindDNS:
		done, err = g.stepDNS(f)
	case kindRTP:
		done, err = g.stepRTP(f)
	default:
		done, err = g.stepTCP(f)
	}
	if err == nil {
		f.sent++
	}
	return done, err
}

// complete counts a finished flow.
func (g *gen) complete(f *flow) {
	g.done[f.kind]++
	g.dirs[f.dir]++
	if f.dir == dirDomesticDomestic || f.matches == 0 {
		return
	}
	g.matched++
	for i := range numRules {
		if f.matches&(1<<i) != 0 {
			g.matching[i]++
		}
	}
}

// newFlow starts a new flow in slot f, reusing its buffer.
func (g *gen) newFlow(f *flow) {
	r := g.r
	buf := f.buf[:0]
	*f = flow{buf: buf}
	f.kind = kind(r.pick(kindWeights[:], sum(kindWeights[:])))
	f.dir = uint8(r.pick(dirWeights[:], sum(dirWeights[:])))
	cp, sp := dirPools[f.dir][0], dirPools[f.dir][1]
	f.pool = [2]uint8{uint8(cp), uint8(sp)}
	f.v6 = r.chance(g.cfg.IPv6Share)
	if r.chance(g.cfg.VLANShare) {
		f.vlan = uint16(100 * r.between(1, 3))
	}
	f.addr[client] = clientAddr(r, cp, f.v6)
	f.sidx = uint8(r.intn(serversPerService))
	switch f.kind {
	case kindRTP:
		f.addr[server] = clientAddr(r, sp, f.v6)
	default:
		f.addr[server] = serverAddr(sp, serviceOf(f.kind), int(f.sidx), f.v6)
	}
	for s := range 2 {
		f.mac[s] = macOf(&f.addr[s], f.v6, int(f.pool[s]))
		if r.chance(0.5) {
			f.ttl[s] = uint8(r.between(40, 64))
		} else {
			f.ttl[s] = uint8(r.between(100, 128))
		}
		f.ipid[s] = uint16(r.u32())
		if f.v6 {
			f.label[s] = r.u32() & 0xfffff
		}
		f.nxt[s] = r.u32()
	}
	f.win = [2]uint16{uint16(r.between(500, 2050)), uint16(r.between(250, 510))}
	f.mss = mssIPv4
	if f.v6 {
		f.mss = mssIPv6
	}
	f.port[client] = uint16(r.between(32768, 60999))
	switch f.kind {
	case kindHTTP:
		f.port[server] = 80
		g.setupHTTP(f)
	case kindTLS:
		f.port[server] = 443
		g.setupTLS(f)
	case kindDNS, kindDNSTCP:
		f.port[server] = 53
		g.setupDNS(f)
	case kindSMTP:
		f.port[server] = 25
		g.setupSMTP(f)
	case kindRTP:
		g.setupRTP(f)
	case kindBulk:
		g.setupBulk(f)
	}
}

func sum(w []int) int {
	t := 0
	for _, x := range w {
		t += x
	}
	return t
}

func serviceOf(k kind) service {
	switch k {
	case kindHTTP:
		return svcHTTP
	case kindTLS:
		return svcTLS
	case kindDNS, kindDNSTCP:
		return svcDNS
	case kindSMTP:
		return svcSMTP
	}
	return svcBulk
}

// TCP phases.
const (
	phaseSYN = iota
	phaseSYNACK
	phaseACK
	phaseData
	phaseFIN1
	phaseFIN2
	phaseLastACK
)

// stepTCP emits the next segment of a TCP flow: the handshake, the plan's
// messages in segments of up to one MSS (the receiver acknowledging every
// second segment, replies carrying the acknowledgement), then FIN from the
// client, FIN from the server and the last ACK.
func (g *gen) stepTCP(f *flow) (bool, error) {
	switch f.phase {
	case phaseSYN:
		f.phase = phaseSYNACK
		return false, g.tcp(f, client, tcpSYN, nil)
	case phaseSYNACK:
		f.phase = phaseACK
		return false, g.tcp(f, server, tcpSYN|tcpACK, nil)
	case phaseACK:
		f.phase = phaseData
		return false, g.tcp(f, client, tcpACK, nil)
	case phaseData:
		if f.off >= len(f.buf) && !g.nextMessage(f) {
			f.phase = phaseFIN2
			return false, g.tcp(f, client, tcpFIN|tcpACK, nil)
		}
		s := f.from
		if f.unacked[s] >= 2 {
			f.unacked[s] = 0
			return false, g.tcp(f, 1-s, tcpACK, nil)
		}
		n := int(f.mss)
		if f.seg < 2 && f.cut[f.seg] > 0 {
			n = min(n, int(f.cut[f.seg]))
		}
		n = min(n, len(f.buf)-f.off)
		flags := uint8(tcpACK)
		if f.off+n == len(f.buf) {
			flags |= tcpPSH
		}
		err := g.tcp(f, s, flags, f.buf[f.off:f.off+n])
		if err != nil {
			return false, err
		}
		f.off += n
		f.seg++
		f.unacked[s]++
		f.unacked[1-s] = 0
		g.flushMarks(f)
		return false, nil
	case phaseFIN2:
		f.phase = phaseLastACK
		return false, g.tcp(f, server, tcpFIN|tcpACK, nil)
	default:
		return true, g.tcp(f, client, tcpACK, nil)
	}
}

// messageCap is the capacity of every flow slot's message buffer, enough
// for the largest message (three pipelined 20 kB responses), so that the
// buffers do not grow once allocated.
const messageCap = 64 << 10

// nextMessage builds the plan's next non-empty message into f.buf and
// reports false when the plan is done.
func (g *gen) nextMessage(f *flow) bool {
	for f.step < f.nplan {
		op := f.plan[f.step]
		f.step++
		if cap(f.buf) < messageCap {
			f.buf = make([]byte, 0, messageCap)
		}
		f.buf = f.buf[:0]
		f.off, f.seg, f.nmarks, f.nextMark = 0, 0, 0, 0
		f.cut = [2]int32{}
		g.build(f, op)
		if len(f.buf) > 0 {
			return true
		}
	}
	return false
}

// addMark records that f.buf[start:] (to its current end) holds a value the
// manifest records once sent.
func (f *flow) addMark(kind uint8, start int, n, hex uint32) {
	f.addSpan(kind, start, len(f.buf), n, hex)
}

// addSpan records that f.buf[start:end] holds a value the manifest records
// once sent. Spans must be added in order.
func (f *flow) addSpan(kind uint8, start, end int, n, hex uint32) {
	if int(f.nmarks) == len(f.marks) {
		return
	}
	f.marks[f.nmarks] = mark{kind: kind, start: int32(start), end: int32(end), n: n, hex: hex}
	f.nmarks++
}

// flushMarks records the marks of the current message sent in full.
func (g *gen) flushMarks(f *flow) {
	for f.nextMark < f.nmarks {
		m := &f.marks[f.nextMark]
		if int(m.end) > f.off {
			return
		}
		g.record(f, m)
		f.nextMark++
	}
}

func (g *gen) record(f *flow, m *mark) {
	v := f.buf[m.start:m.end]
	if m.kind >= markCanary {
		g.can.add(canaryKind(m.kind-markCanary), v, m.n, m.hex)
		return
	}
	switch mechKind(m.kind) {
	case mechPath:
		g.scratch = appendQueryNames(g.scratch[:0], v)
		g.mech[mechPath].add(g.scratch)
	case mechQName:
		g.mech[mechQName].addString(f.name)
	default:
		g.mech[m.kind].add(v)
	}
}

// putCanary appends the next canary of kind k to f.buf and marks it, or,
// without canaries, alphanumeric filler of the same length. Both use the
// same random draws, so the rest of the traffic does not change.
func (g *gen) putCanary(f *flow, k canaryKind) {
	start := len(f.buf)
	var n, h uint32
	f.buf, n, h = g.canaryInto(f.buf, k)
	if g.cfg.Canaries {
		f.addMark(markCanary+uint8(k), start, n, h)
	}
}

// nextCanaryLen is the length of the next canary of kind k.
func (g *gen) nextCanaryLen(k canaryKind) int { return canaryLen(k, g.canaryN[k]+1) }

// putMech appends v to f.buf and marks it as a mechanical value of kind k.
func (f *flow) putMech(k mechKind, v string) {
	start := len(f.buf)
	f.buf = append(f.buf, v...)
	f.addMark(uint8(k), start, 0, 0)
}

// build makes the message of plan step op.
func (g *gen) build(f *flow, op uint8) {
	switch {
	case op < opTLSFirst:
		g.buildHTTP(f, op)
	case op < opDNSFirst:
		g.buildTLS(f, op)
	case op < opSMTPFirst:
		g.buildDNSTCP(f, op)
	case op < opBulkFirst:
		g.buildSMTP(f, op)
	default:
		g.buildBulk(f, op)
	}
}

// Plan operations, grouped by application.
const (
	opHTTPRequest uint8 = 1 + iota
	opHTTPResponse
	opHTTPRequests
	opHTTPResponses

	opTLSClientHello
	opTLSServerFlight
	opTLSClientFinished
	opTLSRequest
	opTLSResponse
	opTLSClose

	opDNSQuery
	opDNSResponse

	opSMTPGreeting
	opSMTPEHLO
	opSMTPEHLOReply
	opSMTPMail
	opSMTPRcpt
	opSMTPData
	opSMTPOK
	opSMTPGoAhead
	opSMTPEnvelope
	opSMTPEnvelopeReply
	opSMTPMessage
	opSMTPQueued
	opSMTPQuit
	opSMTPBye

	opBulkHello
	opBulkData

	opTLSFirst  = opTLSClientHello
	opDNSFirst  = opDNSQuery
	opSMTPFirst = opSMTPGreeting
	opBulkFirst = opBulkHello
)

func (f *flow) setPlan(ops ...uint8) {
	f.nplan = uint8(copy(f.plan[:], ops))
}

func (f *flow) addPlan(ops ...uint8) {
	f.nplan += uint8(copy(f.plan[f.nplan:], ops))
}

// manifest assembles the Manifest.
func (g *gen) manifest() Manifest {
	m := Manifest{
		Packets:      g.packets,
		WireBytes:    g.wireBytes,
		FileBytes:    g.fileBytes,
		First:        g.cfg.Start.UTC(),
		Last:         time.Unix(0, g.now).UTC(),
		Flows:        map[string]int64{},
		Directions:   map[string]int64{},
		CanaryCounts: map[string]int64{},
		Matching:     map[string]int64{},
	}
	if g.packets == 0 {
		m.Last = m.First
	}
	for k := range numKinds {
		m.Flows[kindNames[k]] = g.done[k]
	}
	for i := range g.flows {
		if g.flows[i].sent > 0 {
			m.Truncated++
		}
	}
	for d := range numDirs {
		m.Directions[dirNames[d]] = g.dirs[d]
	}
	m.Canaries = []string{}
	m.DecodedCanaries = []string{}
	for k := range numCanaryKinds {
		m.CanaryCounts[canaryNames[k]] = g.can.counts[k]
		m.Canaries = append(m.Canaries, g.can.sample[k]...)
	}
	m.DecodedCanaries = append(m.DecodedCanaries, g.can.decoded...)
	m.Hosts = g.mech[mechHost].sorted()
	m.UserAgents = g.mech[mechUserAgent].sorted()
	m.Paths = g.mech[mechPath].sorted()
	m.SNIs = g.mech[mechSNI].sorted()
	m.QNames = g.mech[mechQName].sorted()
	m.HELOs = g.mech[mechHELO].sorted()
	m.MailFrom = g.mech[mechMailFrom].sorted()
	m.RcptTo = g.mech[mechRcptTo].sorted()
	m.HeaderFrom = g.mech[mechHeaderFrom].sorted()
	for i := range numRules {
		m.Matching[ruleIDs[i]] = g.matching[i]
	}
	m.MatchingFlows = g.matched
	return m
}
