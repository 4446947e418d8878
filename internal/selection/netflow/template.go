package netflow

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"slices"
)

// Header lengths and set IDs of NetFlow v9 (RFC 3954 §5) and IPFIX (RFC 7011 §3).
const (
	v9HeaderLen    = 20
	ipfixHeaderLen = 16
	setHeaderLen   = 4

	v9TemplateSet           = 0
	v9OptionsTemplateSet    = 1
	ipfixTemplateSet        = 2
	ipfixOptionsTemplateSet = 3
	minDataSetID            = 256
	enterpriseBit           = 0x8000 // IPFIX field specifier: an enterprise number follows
	varLenField             = 0xffff // IPFIX field length: the record gives the length (RFC 7011 §7)
	varLenLongEscape        = 255    // IPFIX variable-length prefix: a 2-byte length follows
)

// templateKey names a template: template IDs are scoped by exporter, version
// and observation domain (RFC 7011 §3.4.1; RFC 3954 §5.1 for the source ID).
type templateKey struct {
	exporter netip.Addr
	domain   uint32
	version  uint16
	id       uint16
}

// domainKey names an observation domain of one exporter.
type domainKey struct {
	exporter netip.Addr
	domain   uint32
	version  uint16
}

// domainState is what options data records told about an observation domain.
type domainState struct {
	sampling   uint32 // 1-in-N packet sampling; 0 when not told
	sysInitMs  uint64 // IPFIX systemInitTimeMilliseconds, the base of flowStart/EndSysUpTime
	hasSysInit bool
	updated    int64 // Unix ns of the last update, for eviction
}

// template is a compiled template: what to do with each field of a record.
type template struct {
	fields    []field
	minLen    int   // smallest record: fixed lengths plus one byte per variable-length field
	options   bool  // an options template: its records describe the domain, they are not flows
	refreshed int64 // Unix ns of the last announcement
}

// field is one step of decoding a record: take n bytes and use them as kind
// says. Consecutive ignored fixed-length fields are merged into one step.
type field struct {
	kind fieldKind
	n    uint32 // length in bytes; unused for kVarLen
}

// message is the header context of the datagram being decoded.
type message struct {
	exporter netip.Addr
	version  uint16
	domain   uint32
	exportNs int64  // export time, Unix ns
	uptime   uint32 // v9: exporter uptime at export, ms
	now      int64  // clock reading for template expiry, Unix ns
	dom      domainState
}

func (d *Decoder) decodeTemplated(exporter netip.Addr, version uint16, b []byte, fn func(*Flow)) error {
	be := binary.BigEndian
	m := message{exporter: exporter, version: version, now: d.now().UnixNano()}
	hdrLen, tmplSet, optSet := v9HeaderLen, uint16(v9TemplateSet), uint16(v9OptionsTemplateSet)
	if version == 10 {
		hdrLen, tmplSet, optSet = ipfixHeaderLen, ipfixTemplateSet, ipfixOptionsTemplateSet
	}
	if len(b) < hdrLen {
		return m.errorf(len(b), "header truncated: %d of %d bytes", len(b), hdrLen)
	}
	if version == 9 {
		m.uptime = be.Uint32(b[4:])
		m.exportNs = int64(be.Uint32(b[8:])) * 1e9
		m.domain = be.Uint32(b[16:])
	} else {
		n := int(be.Uint16(b[2:]))
		if n < hdrLen || n > len(b) {
			return m.errorf(2, "message length %d not in %d..%d (datagram length)", n, hdrLen, len(b))
		}
		b = b[:n] // one message per datagram; anything after it is not ours
		m.exportNs = int64(be.Uint32(b[4:])) * 1e9
		m.domain = be.Uint32(b[12:])
	}
	if s, ok := d.domains[domainKey{exporter, m.domain, version}]; ok {
		m.dom = *s
	}
	for off := hdrLen; off < len(b); {
		if len(b)-off < setHeaderLen {
			if allZero(b[off:]) {
				break // padding after the last set
			}
			return m.errorf(off, "set header truncated: %d of %d bytes", len(b)-off, setHeaderLen)
		}
		id, n := be.Uint16(b[off:]), int(be.Uint16(b[off+2:]))
		if n < setHeaderLen {
			return m.errorf(off+2, "set %d length %d is less than %d", id, n, setHeaderLen)
		}
		if n > len(b)-off {
			return m.errorf(off+2, "set %d length %d exceeds the %d bytes left", id, n, len(b)-off)
		}
		body, base := b[off+setHeaderLen:off+n], off+setHeaderLen
		var err error
		switch {
		case id == tmplSet:
			err = d.readTemplateSet(&m, id, body, base, false)
		case id == optSet:
			if version == 9 {
				err = d.readV9OptionsTemplateSet(&m, body, base)
			} else {
				err = d.readTemplateSet(&m, id, body, base, true)
			}
		case id >= minDataSetID:
			err = d.readDataSet(&m, id, body, base, fn)
		default:
			// Reserved set IDs: skip, as RFC 7011 §3.3.2 and RFC 3954 §5.2 allow.
		}
		if err != nil {
			return err
		}
		off += n
	}
	return nil
}

func (m *message) errorf(off int, format string, args ...any) *DecodeError {
	return &DecodeError{Version: int(m.version), Offset: off, Reason: fmt.Sprintf(format, args...)}
}

// readTemplateSet reads a NetFlow v9 template flowset or an IPFIX template or
// options template set; setID is the set's own ID, base the offset of b in
// the datagram.
func (d *Decoder) readTemplateSet(m *message, setID uint16, b []byte, base int, options bool) error {
	be := binary.BigEndian
	p := 0
	for len(b)-p >= 4 {
		id, count := be.Uint16(b[p:]), int(be.Uint16(b[p+2:]))
		if id == 0 && count == 0 && allZero(b[p:]) {
			return nil // padding
		}
		if count == 0 {
			// RFC 7011 §8.1: a record with no fields withdraws the template;
			// the set's own ID withdraws every template of the set's kind.
			switch {
			case m.version == 9:
				return m.errorf(base+p+2, "template %d has no fields", id)
			case id == setID:
				d.withdrawAll(m, options)
			case id >= minDataSetID:
				d.withdraw(templateKey{m.exporter, m.domain, m.version, id})
			default:
				return m.errorf(base+p, "withdrawal of reserved template ID %d", id)
			}
			p += 4
			continue
		}
		if id < minDataSetID {
			return m.errorf(base+p, "template ID %d is reserved (below %d)", id, minDataSetID)
		}
		hdr, scope := 4, 0
		if options {
			if len(b)-p < 6 {
				return m.errorf(base+p, "options template %d header truncated: %d of 6 bytes", id, len(b)-p)
			}
			scope, hdr = int(be.Uint16(b[p+4:])), 6
			if scope == 0 || scope > count {
				return m.errorf(base+p+4, "options template %d scope field count %d not in 1..%d", id, scope, count)
			}
		}
		q := base + p + hdr
		d.scratch = d.scratch[:0]
		r := b[p+hdr:]
		for i := range count {
			if len(r) < 4 {
				return m.errorf(q, "template %d field %d of %d truncated", id, i+1, count)
			}
			ie, n := be.Uint16(r), be.Uint16(r[2:])
			r, q = r[4:], q+4
			enterprise := false
			if m.version == 10 && ie&enterpriseBit != 0 {
				if len(r) < 4 {
					return m.errorf(q, "template %d field %d enterprise number truncated", id, i+1)
				}
				ie &^= enterpriseBit
				enterprise = true
				r, q = r[4:], q+4
			}
			d.addField(m.version, ie, n, enterprise || i < scope)
		}
		if err := d.storeTemplate(m, id, options, base+p); err != nil {
			return err
		}
		p = q - base
	}
	if !allZero(b[p:]) {
		return m.errorf(base+p, "template set has %d stray bytes at its end", len(b)-p)
	}
	return nil
}

// readV9OptionsTemplateSet reads a NetFlow v9 options template flowset
// (RFC 3954 §6.1), whose records give scope and option lengths in bytes.
func (d *Decoder) readV9OptionsTemplateSet(m *message, b []byte, base int) error {
	be := binary.BigEndian
	p := 0
	for len(b)-p >= 6 {
		id, scopeLen, optLen := be.Uint16(b[p:]), int(be.Uint16(b[p+2:])), int(be.Uint16(b[p+4:]))
		if id == 0 && allZero(b[p:]) {
			return nil // padding
		}
		if id < minDataSetID {
			return m.errorf(base+p, "options template ID %d is reserved (below %d)", id, minDataSetID)
		}
		if scopeLen%4 != 0 || optLen%4 != 0 || scopeLen+optLen == 0 {
			return m.errorf(base+p+2, "options template %d scope length %d and option length %d are not positive multiples of 4", id, scopeLen, optLen)
		}
		if len(b)-p-6 < scopeLen+optLen {
			return m.errorf(base+p+2, "options template %d field specifiers of %d bytes exceed the %d bytes left", id, scopeLen+optLen, len(b)-p-6)
		}
		d.scratch = d.scratch[:0]
		r := b[p+6 : p+6+scopeLen+optLen]
		for i := 0; len(r) > 0; i++ {
			// Scope field types (system, interface, …) are not IEs: skip them.
			d.addField(9, be.Uint16(r), be.Uint16(r[2:]), i < scopeLen/4)
			r = r[4:]
		}
		if err := d.storeTemplate(m, id, true, base+p); err != nil {
			return err
		}
		p += 6 + scopeLen + optLen
	}
	if !allZero(b[p:]) {
		return m.errorf(base+p, "options template set has %d stray bytes at its end", len(b)-p)
	}
	return nil
}

// addField appends the decoding step for one field specifier to d.scratch.
func (d *Decoder) addField(version uint16, ie, n uint16, skip bool) {
	k := kSkip
	switch {
	case version == 10 && n == varLenField:
		d.scratch = append(d.scratch, field{kind: kVarLen})
		return
	case !skip:
		k = kindOf(ie, n)
	}
	if k == kSkip && len(d.scratch) > 0 && d.scratch[len(d.scratch)-1].kind == kSkip {
		d.scratch[len(d.scratch)-1].n += uint32(n)
		return
	}
	d.scratch = append(d.scratch, field{kind: k, n: uint32(n)})
}

// storeTemplate compiles d.scratch into the template id of m's domain,
// refreshing it without allocation when it is unchanged.
func (d *Decoder) storeTemplate(m *message, id uint16, options bool, off int) error {
	fs := d.scratch
	// A delta count wins over a total count of the same thing.
	var has [kindCount]bool
	for _, f := range fs {
		has[f.kind] = true
	}
	minLen := 0
	for i, f := range fs {
		if (f.kind == kPktTotal && has[kPktDelta]) || (f.kind == kByteTotal && has[kByteDelta]) {
			fs[i].kind = kSkip
		}
		if f.kind == kVarLen {
			minLen++
		} else {
			minLen += int(f.n)
		}
	}
	if minLen == 0 {
		return m.errorf(off, "template %d describes records of length 0", id)
	}
	key := templateKey{m.exporter, m.domain, m.version, id}
	if t, ok := d.templates[key]; ok {
		if t.options == options && slices.Equal(t.fields, fs) {
			t.refreshed = m.now
			return nil
		}
	} else if len(d.templates) >= d.maxTemplates {
		d.evictTemplate(m.now)
	}
	d.templates[key] = &template{fields: slices.Clone(fs), minLen: minLen, options: options, refreshed: m.now}
	d.stats.templates.Store(uint64(len(d.templates)))
	return nil
}

// lookup returns the live template for key, forgetting it if it expired.
func (d *Decoder) lookup(key templateKey, now int64) *template {
	t, ok := d.templates[key]
	if !ok {
		return nil
	}
	if now-t.refreshed > d.ttl {
		delete(d.templates, key)
		d.stats.expired.Add(1)
		d.stats.templates.Store(uint64(len(d.templates)))
		return nil
	}
	return t
}

// evictTemplate makes room for one template: it drops every expired
// template, or if none has expired, the least recently announced one.
func (d *Decoder) evictTemplate(now int64) {
	var oldest templateKey
	oldestAt, found := int64(0), false
	expired := 0
	for k, t := range d.templates {
		if now-t.refreshed > d.ttl {
			delete(d.templates, k)
			expired++
			continue
		}
		if !found || t.refreshed < oldestAt {
			oldest, oldestAt, found = k, t.refreshed, true
		}
	}
	if expired > 0 {
		d.stats.expired.Add(uint64(expired))
		return
	}
	if found {
		delete(d.templates, oldest)
		d.stats.evicted.Add(1)
	}
}

func (d *Decoder) withdraw(key templateKey) {
	if _, ok := d.templates[key]; ok {
		delete(d.templates, key)
		d.stats.withdrawn.Add(1)
		d.stats.templates.Store(uint64(len(d.templates)))
	}
}

// withdrawAll removes every template (options false) or every options
// template (options true) of m's observation domain.
func (d *Decoder) withdrawAll(m *message, options bool) {
	for k, t := range d.templates {
		if k.exporter == m.exporter && k.domain == m.domain && k.version == m.version && t.options == options {
			delete(d.templates, k)
			d.stats.withdrawn.Add(1)
		}
	}
	d.stats.templates.Store(uint64(len(d.templates)))
}

// setDomain records options data for m's observation domain.
func (d *Decoder) setDomain(m *message) {
	key := domainKey{m.exporter, m.domain, m.version}
	s, ok := d.domains[key]
	if !ok {
		if len(d.domains) >= d.maxTemplates {
			var oldest domainKey
			var oldestAt int64
			first := true
			for k, v := range d.domains {
				if first || v.updated < oldestAt {
					oldest, oldestAt, first = k, v.updated, false
				}
			}
			delete(d.domains, oldest)
		}
		s = new(domainState)
		d.domains[key] = s
	}
	m.dom.updated = m.now
	*s = m.dom
}

// readDataSet decodes the records of one data set with the template named
// by the set ID.
func (d *Decoder) readDataSet(m *message, id uint16, b []byte, base int, fn func(*Flow)) error {
	t := d.lookup(templateKey{m.exporter, m.domain, m.version, id}, m.now)
	if t == nil {
		d.stats.unknownSets.Add(1)
		return nil
	}
	// Records follow each other until what is left is shorter than any
	// record: that rest is padding (RFC 7011 §3.3.1).
	flows := uint64(0)
	defer func() { d.stats.flows.Add(flows) }()
	for p := 0; len(b)-p >= t.minLen; {
		n, ok := d.decodeRecord(m, t, b[p:])
		if !ok {
			return m.errorf(base+p, "record of template %d overruns its set (%d bytes left)", id, len(b)-p)
		}
		p += n
		if t.options {
			continue
		}
		flows++
		fn(&d.flow)
	}
	return nil
}

// allZero reports whether b holds only zero bytes, as padding does.
func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
