package netflow

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults for Options fields left zero.
const (
	DefaultMaxTemplates = 4096
	DefaultTemplateTTL  = 30 * time.Minute
)

// Options configures a Decoder. The zero value is ready to use.
type Options struct {
	// MaxTemplates bounds the number of templates kept across all exporters,
	// and separately the number of observation domains whose options data
	// (sampling interval, system initialisation time) is kept. When the cache
	// is full, expired entries are dropped first, then the least recently
	// announced one. 0 means DefaultMaxTemplates (4096).
	MaxTemplates int

	// TemplateTTL is how long a template stays usable after its last
	// announcement. Exporters over UDP re-send their templates periodically
	// (RFC 7011 §8.4), so a template that is not re-sent is presumed gone.
	// 0 means DefaultTemplateTTL (30 minutes).
	TemplateTTL time.Duration

	// Now is the clock used for template expiry. nil means time.Now.
	Now func() time.Time
}

// Stats counts what a Decoder has seen since it was made.
type Stats struct {
	Datagrams           uint64 // datagrams passed to Decode
	Flows               uint64 // flow records delivered
	UnknownTemplateSets uint64 // data sets skipped because their template was unknown, expired or withdrawn
	Malformed           uint64 // datagrams rejected with a *DecodeError
	Templates           uint64 // templates currently cached
	TemplatesExpired    uint64 // templates forgotten because they were not re-announced within TemplateTTL
	TemplatesEvicted    uint64 // templates dropped because the cache was full
	TemplatesWithdrawn  uint64 // templates removed by an IPFIX template withdrawal
}

// DecodeError reports a datagram whose framing is broken. Its message quotes
// only offsets, lengths and header fields, never record contents.
type DecodeError struct {
	Version int    // export version from the datagram header (5, 9, 10), or as found when unsupported
	Offset  int    // byte offset in the datagram where the problem was found
	Reason  string // what is wrong
}

// Error implements error.
func (e *DecodeError) Error() string {
	name := "netflow v" + strconv.Itoa(e.Version)
	if e.Version == 10 {
		name = "ipfix"
	}
	return fmt.Sprintf("decode %s datagram: offset %d: %s", name, e.Offset, e.Reason)
}

// Decoder decodes NetFlow v5, NetFlow v9 and IPFIX datagrams, keeping the
// templates that v9 and IPFIX exporters announce.
//
// A Decoder is safe for concurrent use; calls to Decode are serialised, and
// the function passed to Decode MUST NOT call the Decoder's Decode itself.
type Decoder struct {
	maxTemplates int
	ttl          int64 // TemplateTTL in nanoseconds
	now          func() time.Time

	mu        sync.Mutex // guards the fields below
	templates map[templateKey]*template
	domains   map[domainKey]*domainState
	flow      Flow    // the value handed to Decode's function, reused per record
	scratch   []field // template being read, reused so a re-announced template costs nothing

	stats struct {
		datagrams, flows, unknownSets, malformed atomic.Uint64
		templates, expired, evicted, withdrawn   atomic.Uint64
	}
}

// NewDecoder returns a Decoder with an empty template cache.
func NewDecoder(opts Options) *Decoder {
	d := &Decoder{
		maxTemplates: opts.MaxTemplates,
		ttl:          int64(opts.TemplateTTL),
		now:          opts.Now,
		templates:    make(map[templateKey]*template),
		domains:      make(map[domainKey]*domainState),
	}
	if d.maxTemplates <= 0 {
		d.maxTemplates = DefaultMaxTemplates
	}
	if d.ttl <= 0 {
		d.ttl = int64(DefaultTemplateTTL)
	}
	if d.now == nil {
		d.now = time.Now
	}
	return d
}

// Stats returns the decoder's counters. It may be called concurrently with
// Decode.
func (d *Decoder) Stats() Stats {
	return Stats{
		Datagrams:           d.stats.datagrams.Load(),
		Flows:               d.stats.flows.Load(),
		UnknownTemplateSets: d.stats.unknownSets.Load(),
		Malformed:           d.stats.malformed.Load(),
		Templates:           d.stats.templates.Load(),
		TemplatesExpired:    d.stats.expired.Load(),
		TemplatesEvicted:    d.stats.evicted.Load(),
		TemplatesWithdrawn:  d.stats.withdrawn.Load(),
	}
}

// Decode decodes one export datagram received from exporter and calls fn
// once per flow record in it, in order. The *Flow passed to fn is reused for
// every record: it is valid only until fn returns, and fn must copy the value
// to keep it. datagram is only read, and not retained.
//
// Decode returns a *DecodeError when the datagram's framing is broken; the
// records before the broken part have been delivered by then. Data records
// with an unknown template are counted in Stats and are not an error.
func (d *Decoder) Decode(exporter netip.Addr, datagram []byte, fn func(*Flow)) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.stats.datagrams.Add(1)
	var err error
	if len(datagram) < 2 {
		err = &DecodeError{Offset: 0, Reason: fmt.Sprintf("datagram of %d bytes has no version field", len(datagram))}
	} else {
		switch v := binary.BigEndian.Uint16(datagram); v {
		case 5:
			err = d.decodeV5(exporter, datagram, fn)
		case 9, 10:
			err = d.decodeTemplated(exporter, v, datagram, fn)
		default:
			err = &DecodeError{Version: int(v), Offset: 0, Reason: fmt.Sprintf("unsupported version %d", v)}
		}
	}
	if err != nil {
		d.stats.malformed.Add(1)
	}
	return err
}

// NetFlow v5 layout (Cisco, "NetFlow Export Datagram Format").
const (
	v5HeaderLen  = 24
	v5RecordLen  = 48
	v5MaxRecords = 30
)

func (d *Decoder) decodeV5(exporter netip.Addr, b []byte, fn func(*Flow)) error {
	if len(b) < v5HeaderLen {
		return &DecodeError{Version: 5, Offset: len(b), Reason: fmt.Sprintf("header truncated: %d of %d bytes", len(b), v5HeaderLen)}
	}
	be := binary.BigEndian
	count := int(be.Uint16(b[2:]))
	if count == 0 || count > v5MaxRecords {
		return &DecodeError{Version: 5, Offset: 2, Reason: fmt.Sprintf("record count %d not in 1..%d", count, v5MaxRecords)}
	}
	if need := v5HeaderLen + count*v5RecordLen; len(b) < need {
		return &DecodeError{Version: 5, Offset: len(b), Reason: fmt.Sprintf("records truncated: %d bytes for %d records, want %d", len(b), count, need)}
	}
	uptime := be.Uint32(b[4:])
	exportNs := int64(be.Uint32(b[8:]))*1e9 + int64(be.Uint32(b[12:]))
	domain := uint32(b[20])<<8 | uint32(b[21])
	sampling := uint32(be.Uint16(b[22:]) & 0x3fff) // top two bits: sampling mode
	f := &d.flow
	for i := range count {
		r := b[v5HeaderLen+i*v5RecordLen:][:v5RecordLen]
		*f = Flow{
			Start:            uptimeToUnix(exportNs, uptime, be.Uint32(r[24:])),
			End:              uptimeToUnix(exportNs, uptime, be.Uint32(r[28:])),
			Src:              netip.AddrFrom4([4]byte(r[0:4])),
			Dst:              netip.AddrFrom4([4]byte(r[4:8])),
			SrcPort:          be.Uint16(r[32:]),
			DstPort:          be.Uint16(r[34:]),
			TCPFlags:         r[37],
			Proto:            r[38],
			Packets:          uint64(be.Uint32(r[16:])),
			Bytes:            uint64(be.Uint32(r[20:])),
			Exporter:         exporter,
			Version:          5,
			Domain:           domain,
			SamplingInterval: sampling,
		}
		if isICMP(f.Proto) {
			// v5 has no ICMP fields: exporters put type<<8 | code in the
			// destination port.
			f.ICMPType, f.ICMPCode, f.HasICMP = uint8(f.DstPort>>8), uint8(f.DstPort), true
			f.SrcPort, f.DstPort = 0, 0
		}
		fn(f)
	}
	d.stats.flows.Add(uint64(count))
	return nil
}

// uptimeToUnix converts t, a system uptime in milliseconds, to Unix
// nanoseconds, given that the uptime was now at Unix time exportNs. The
// difference is taken modulo 2³² so that uptime wrap-around (every 49.7 days)
// and a t slightly after now both come out right.
func uptimeToUnix(exportNs int64, now, t uint32) int64 {
	return exportNs - int64(int32(now-t))*1e6
}

func isICMP(proto uint8) bool { return proto == 1 || proto == 58 }
