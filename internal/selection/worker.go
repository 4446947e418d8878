package selection

import (
	"time"

	"net/netip"

	"github.com/acd-platform/acd/internal/selection/criteria"
	"github.com/acd-platform/acd/internal/selection/direction"
	"github.com/acd-platform/acd/internal/selection/extract"
	"github.com/acd-platform/acd/internal/selection/packet"
	"github.com/acd-platform/acd/internal/selection/pseudonym"
)

// Protocol numbers the worker treats specially.
const (
	protoICMP   = 1
	protoTCP    = 6
	protoUDP    = 17
	protoICMPv6 = 58
)

// TCP flags.
const (
	tcpFIN = packet.TCPFin
	tcpSYN = packet.TCPSyn
	tcpRST = packet.TCPRst
	tcpACK = packet.TCPAck
)

// worker screens the packets of its share of the flows. It is owned by one
// goroutine; its records go to the shared output in batches.
type worker struct {
	id, stride uint64 // flow ids are id, id+stride, …: unique across workers
	nextID     uint64

	cfg   *Config
	dom   *direction.Table
	dirs  direction.Set
	m     *criteria.Matcher
	pseud *pseudonym.Pseudonymizer
	out   *output
	pool  bufPool

	flows    *flowTable
	maxFlows int   // this worker's share of Config.MaxFlows
	now      int64 // latest packet time seen
	swept    int64 // when idle flows were last looked for
	c        Counters
	rec      jsonw // the record being written; flushed to out in batches
	scratch  []byte
	// Parser values reused for every message: they are large, and
	// clearing them once per packet would cost more than the parse.
	mail  extract.MailHeaders
	dns   extract.DNSMessage
	hello extract.ClientHello
}

// handle screens one decoded packet. wire is its length on the wire.
func (w *worker) handle(p *packet.Parsed, ts int64, wire int) {
	if ts > w.now {
		w.now = ts
		if ts-w.swept >= sweepEvery {
			w.sweep(ts)
		}
	}
	n := uint64(wire)
	if p.IPVersion == 0 {
		w.c.NonIP.add(1, n)
		return
	}
	sport, dport := p.SrcPort, p.DstPort
	if p.Fragment {
		w.c.Fragments++
		if p.FragOffset != 0 {
			sport, dport = 0, 0 // no transport header in this fragment
		}
	}
	key, srcIsA := makeKey(p.Src, p.Dst, sport, dport, p.Proto)
	f := w.flows.get(key)
	if f != nil && f.closed && p.TCPFlags&(tcpSYN|tcpACK) == tcpSYN {
		// A new connection on the ports of one just closed: the old flow
		// ends, and the new one is screened afresh.
		w.end(f)
		f = nil
	}
	if f != nil {
		// A tracked flow knows its direction: the client's packets travel
		// in it, the server's in the reverse. It is never 内内, which is
		// dropped before any flow is made.
		d := f.dir
		if f.side(srcIsA) == 1 {
			d = reverse(d)
		}
		dc := w.c.dirCounters(d)
		dc.Seen.add(1, n)
		if !w.dirs.Has(d) {
			dc.Deleted.add(1, n)
			return
		}
		dc.InScope.add(1, n)
	} else {
		// 内内 is dropped first, always; then directions the set does not
		// cover.
		d := w.dom.Classify(p.Src, p.Dst)
		dc := w.c.dirCounters(d)
		dc.Seen.add(1, n)
		if d == direction.DomesticDomestic || !w.dirs.Has(d) {
			dc.Deleted.add(1, n)
			return
		}
		dc.InScope.add(1, n)
		t := criteria.Tuple{Src: p.Src, Dst: p.Dst, Proto: p.Proto, SrcPort: sport, DstPort: dport}
		rule, ok := w.m.MatchTuple(&t)
		var wd, wc bool
		if !ok {
			wd, wc = w.m.WantsApp(&t)
			if !(wd || wc) || !hasApp(p) {
				// Nothing about this packet's flow can be selected: delete
				// it now, keep no state.
				dc.Deleted.add(1, n)
				return
			}
		}
		f = w.newFlow(key, srcIsA, p, ts, d)
		f.wantDomain, f.wantCommand = wd, wc
		if ok {
			w.selectFlow(f, rule)
		}
	}
	side := f.side(srcIsA)
	f.last = max(f.last, ts) // a capture's times may step back
	f.packets[side]++
	f.bytes[side] += n
	if p.Proto == protoTCP {
		f.flags[side] |= p.TCPFlags
		if p.TCPFlags&tcpFIN != 0 {
			f.fin[side] = true
		}
		if p.TCPFlags&tcpRST != 0 || f.fin[0] && f.fin[1] {
			f.closed = true
		}
	}
	if f.state != rejected && (len(p.Payload) > 0 || p.TCPFlags&tcpSYN != 0) {
		w.appPacket(f, side, p, ts)
	}
	if ts-f.emitted >= w.cfg.ActiveTimeout.Nanoseconds() && f.state == selected {
		w.emitFlow(f, false) // a long flow reports at each active timeout
	}
}

// hasApp reports whether the packet's flow can carry application data that
// the engine reads (a domain or a command): any TCP flow, whose protocol its
// first client bytes tell, and DNS over UDP. Other flows that no address or
// port rule selects are deleted packet by packet with no state.
func hasApp(p *packet.Parsed) bool {
	return p.Proto == protoTCP || p.Proto == protoUDP && (p.SrcPort == 53 || p.DstPort == 53)
}

func (w *worker) newFlow(k flowKey, srcIsA bool, p *packet.Parsed, ts int64, d direction.Direction) *flow {
	if w.flows.len() >= w.maxFlows {
		// The table is full: the least recently active flow ends early, so
		// memory stays bounded whatever the traffic.
		w.c.EvictedFlows++
		w.end(w.flows.oldest())
	}
	f := w.flows.add(k)
	w.c.Flows++
	f.id = w.flowID()
	f.first, f.last, f.emitted = ts, ts, ts
	f.rule = -1
	// The client is the packet's source, unless this is the server's SYN-ACK.
	client := srcIsA
	if p.Proto == protoTCP && p.TCPFlags&(tcpSYN|tcpACK) == tcpSYN|tcpACK {
		client = !srcIsA
	} else if p.Proto != protoTCP && p.Proto != protoUDP {
		client = srcIsA
	} else if p.TCPFlags&tcpSYN == 0 && isServicePort(p.SrcPort) && !isServicePort(p.DstPort) {
		client = !srcIsA // joined mid-flow: the well-known port is the server
	}
	f.clientA = client
	if client != srcIsA {
		d = reverse(d) // the flow's direction is the client's
	}
	f.dir = d
	if p.Proto == protoICMP || p.Proto == protoICMPv6 {
		f.icmpType, f.icmpCode = p.ICMPType, p.ICMPCode
	}
	f.app.kind = guessApp(p, client == srcIsA)
	return f
}

func isServicePort(port uint16) bool { return port != 0 && port < 1024 }

// flowID returns the next flow id of this worker: id, id+stride, …, so ids
// are unique across workers.
func (w *worker) flowID() uint64 {
	id := w.id + w.nextID*w.stride
	w.nextID++
	return id
}

// selectFlow marks f selected by rule.
func (w *worker) selectFlow(f *flow, rule int) {
	if f.state == selected {
		return
	}
	f.state = selected
	f.rule = int32(rule)
	w.c.SelectedFlows++
}

// sweepEvery is how often (in capture time) idle flows are looked for.
const sweepEvery = int64(1e9)

// sweep ends closed flows past their linger and flows idle past the
// timeout. It walks from the least recently active flow and stops at the
// first one active within the linger: every flow after it is more recent.
func (w *worker) sweep(now int64) {
	w.swept = now
	w.flush() // live sources: records leave within a second of capture time
	idle, linger := w.cfg.IdleTimeout.Nanoseconds(), closedLinger.Nanoseconds()
	for i := w.flows.tail; i >= 0; {
		f := w.flows.at(i)
		i = f.prev
		age := now - f.last
		if age < linger {
			break
		}
		if f.closed || age >= idle {
			w.end(f)
		}
	}
}

// closedLinger is how long a closed flow stays to absorb the last ACK and
// retransmissions, so they do not open a new flow.
const closedLinger = 2 * time.Second

// end finishes a flow: a selected one is reported, then every byte of state
// it held goes.
func (w *worker) end(f *flow) {
	if f.state == selected {
		if s := f.app.smtp; s != nil {
			w.smtpEvent(f, s, f.last) // an envelope with no DATA yet
		}
		w.emitFlow(f, true)
	} else {
		w.count(f, func(dc *DirectionCounters) *Volume { return &dc.Deleted })
	}
	f.app.release(&w.pool)
	w.flows.remove(f)
}

// finish ends every flow and flushes the records.
func (w *worker) finish() {
	for f := w.flows.oldest(); f != nil; f = w.flows.oldest() {
		w.end(f)
	}
	w.flush()
}

// addrOf turns a 16-byte key address back into an address.
func addrOf(b [16]byte, v6 bool) netip.Addr {
	a := netip.AddrFrom16(b)
	if !v6 {
		return a.Unmap()
	}
	return a
}

// count adds the flow's packets since its last report to the counter which
// picks out of the direction counters of each side: the client's packets
// travel in the flow's direction, the server's in the reverse one.
func (w *worker) count(f *flow, which func(*DirectionCounters) *Volume) {
	which(w.c.dirCounters(f.dir)).add(f.packets[0], f.bytes[0])
	which(w.c.dirCounters(reverse(f.dir))).add(f.packets[1], f.bytes[1])
}

// reverse is the direction of the replies in a flow of direction d.
func reverse(d direction.Direction) direction.Direction {
	switch d {
	case direction.ForeignDomestic:
		return direction.DomesticForeign
	case direction.DomesticForeign:
		return direction.ForeignDomestic
	}
	return d
}
