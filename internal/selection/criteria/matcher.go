package criteria

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"slices"

	"github.com/gaissmai/bart"
)

// Tuple is what the Matcher needs to know of a flow: its endpoints, IP
// protocol number and ports (0 for protocols without ports).
type Tuple struct {
	Src, Dst         netip.Addr
	Proto            uint8
	SrcPort, DstPort uint16
}

// noRule is larger than every rule index.
const noRule = math.MaxInt32

// What a rule is indexed by, beside its addresses.
type ruleKind uint8

const (
	kindTuple   ruleKind = iota // addresses and/or ports only
	kindDomain                  // has domains
	kindCommand                 // has commands
)

// Flags for WantsApp.
const (
	wantDomains  uint8 = 1
	wantCommands uint8 = 2
	wantBoth           = wantDomains | wantCommands
)

func (k ruleKind) flag() uint8 {
	switch k {
	case kindDomain:
		return wantDomains
	case kindCommand:
		return wantCommands
	}
	return 0
}

// mrule is a compiled rule.
type mrule struct {
	id      string
	kind    ruleKind
	hasAddr bool
	ports   []PortRange // nil: no port condition; sorted by (Proto, Lo), disjoint and merged per protocol
}

// addrEntry holds the rules that list one prefix. A lookup finds the entry
// of the longest listed prefix covering an address; the rules of shorter
// covering prefixes are on its parent chain, which is at most 33 (IPv4) or
// 129 (IPv6) long and in practice one or two.
type addrEntry struct {
	parent    *addrEntry // entry of the longest listed prefix strictly covering this one
	tuple     []int32    // kindTuple rules, ascending
	app       []int32    // kindDomain and kindCommand rules, ascending
	appPorted []int32    // those of app that also have ports
	appFlags  uint8      // want flags of the app rules without ports
}

// portTable maps each port of one protocol to a value.
type portTable[T any] [65536]T

// portSlot returns the index of proto's port table: TCP 0, UDP 1, SCTP 2;
// -1 for protocols without ports.
func portSlot(proto uint8) int {
	switch proto {
	case ProtoTCP:
		return 0
	case ProtoUDP:
		return 1
	case ProtoSCTP:
		return 2
	}
	return -1
}

// Matcher is a compiled criteria set. Make one with [Compile]. It is
// immutable and safe for concurrent use, and its methods do not allocate.
// The rule numbers it reports index [Set.Rules].
type Matcher struct {
	rules []mrule
	count int

	// Rules with addresses, by prefix.
	addrs              bart.Fast[*addrEntry]
	addrTuple, addrApp bool // some kindTuple / app rule has addresses

	// kindTuple rules without addresses, by protocol and port: the lowest
	// rule index, noRule if none.
	portTuple bool                 // some such rule exists
	protoMin  [256]int32           // rules naming the protocol without a port range
	portMin   [3]*portTable[int32] // rules with port ranges, by portSlot; nil if none

	// App rules without addresses, for WantsApp: want flags.
	appAlways uint8                // rules with neither addresses nor ports
	appProto  [256]uint8           // rules naming the protocol without a port range
	appPort   [3]*portTable[uint8] // rules with port ranges, by portSlot; nil if none

	exact, suffix map[string][]int32 // domain name → kindDomain rules, ascending

	cmd      *automaton
	cmdRules [][]int32 // command pattern id → kindCommand rules, ascending
	cmdFirst int32     // lowest kindCommand rule
}

// Compile builds the Matcher of s. It fails only for a Set that Parse would
// not have returned. The Matcher keeps no reference to s.
func Compile(s *Set) (*Matcher, error) {
	if s == nil {
		return nil, errors.New("compile criteria: nil set")
	}
	if err := s.validate(); err != nil {
		return nil, fmt.Errorf("compile criteria: %w", err)
	}
	if len(s.Rules) >= noRule {
		return nil, fmt.Errorf("compile criteria: %d rules is too many", len(s.Rules))
	}
	m := &Matcher{
		rules:    make([]mrule, len(s.Rules)),
		count:    s.Matchers(),
		exact:    make(map[string][]int32),
		suffix:   make(map[string][]int32),
		cmdFirst: noRule,
	}
	for i := range m.protoMin {
		m.protoMin[i] = noRule
	}
	prefixes := make(map[netip.Prefix]*addrEntry)
	var (
		patterns  []string
		patternID = make(map[string]int32)
		portOnly  []int32         // kindTuple rules without addresses, ascending
		appCover  [3][2]portCover // by portSlot and want flag - 1
	)
	for i := range s.Rules {
		r := &s.Rules[i]
		ri := int32(i)
		mr := &m.rules[i]
		mr.id = r.ID
		mr.hasAddr = len(r.Addresses) > 0
		mr.ports = mergePorts(r.Ports)
		switch {
		case r.Domains.Len() > 0:
			mr.kind = kindDomain
			for _, n := range r.Domains.Exact {
				m.exact[n] = appendRule(m.exact[n], ri)
			}
			for _, n := range r.Domains.Suffix {
				m.suffix[n] = appendRule(m.suffix[n], ri)
			}
		case len(r.Commands) > 0:
			mr.kind = kindCommand
			m.cmdFirst = min(m.cmdFirst, ri)
			for _, c := range r.Commands {
				id, ok := patternID[c]
				if !ok {
					id = int32(len(patterns))
					patternID[c] = id
					patterns = append(patterns, c)
					m.cmdRules = append(m.cmdRules, nil)
				}
				m.cmdRules[id] = appendRule(m.cmdRules[id], ri)
			}
		}
		for _, p := range r.Addresses {
			e := prefixes[p]
			if e == nil {
				e = &addrEntry{}
				prefixes[p] = e
			}
			switch {
			case mr.kind == kindTuple:
				e.tuple = appendRule(e.tuple, ri)
				m.addrTuple = true
			default:
				e.app = appendRule(e.app, ri)
				if mr.ports != nil {
					e.appPorted = appendRule(e.appPorted, ri)
				} else {
					e.appFlags |= mr.kind.flag()
				}
				m.addrApp = true
			}
		}
		if mr.hasAddr {
			continue
		}
		// Rules without addresses are found through their ports (tuple
		// rules, and app rules for WantsApp); app rules are also found
		// through their names or patterns.
		switch {
		case mr.kind == kindTuple:
			portOnly = append(portOnly, ri)
			m.portTuple = true
		case mr.ports == nil:
			m.appAlways |= mr.kind.flag()
		default:
			f := mr.kind.flag()
			for _, p := range mr.ports {
				slot := portSlot(p.Proto)
				if slot < 0 || (p.Lo == 0 && p.Hi == 65535) {
					m.appProto[p.Proto] |= f
					continue
				}
				if m.appPort[slot] == nil {
					m.appPort[slot] = new(portTable[uint8])
				}
				cov := &appCover[slot][f-1]
				cov.take(p.Lo, p.Hi, func(port int) { m.appPort[slot][port] |= f })
			}
		}
	}
	m.fillPortMin(portOnly)

	// The prefix table, and each entry's parent.
	for p, e := range prefixes {
		m.addrs.Insert(p, e)
	}
	for p, e := range prefixes {
		if p.Bits() > 0 {
			e.parent, _ = m.addrs.LookupPrefix(netip.PrefixFrom(p.Addr(), p.Bits()-1).Masked())
		}
	}
	if len(patterns) > 0 {
		m.cmd = buildAutomaton(patterns)
	}
	return m, nil
}

// appendRule appends r to a list of rules built in ascending order, once.
func appendRule(list []int32, r int32) []int32 {
	if n := len(list); n > 0 && list[n-1] == r {
		return list
	}
	return append(list, r)
}

// mergePorts returns the ranges sorted by (Proto, Lo) with overlapping and
// adjacent ranges of one protocol merged; nil for no ranges.
func mergePorts(in []PortRange) []PortRange {
	if len(in) == 0 {
		return nil
	}
	rs := slices.Clone(in)
	slices.SortFunc(rs, func(a, b PortRange) int {
		if a.Proto != b.Proto {
			return int(a.Proto) - int(b.Proto)
		}
		return int(a.Lo) - int(b.Lo)
	})
	out := rs[:1]
	for _, r := range rs[1:] {
		last := &out[len(out)-1]
		if r.Proto == last.Proto && int(r.Lo) <= int(last.Hi)+1 {
			last.Hi = max(last.Hi, r.Hi)
			continue
		}
		out = append(out, r)
	}
	return slices.Clip(out)
}

// fillPortMin fills protoMin and portMin from the port-only tuple rules,
// given in ascending order: every port gets the lowest rule whose ranges
// hold it.
func (m *Matcher) fillPortMin(rules []int32) {
	var cover [3]portCover
	for _, ri := range rules {
		for _, p := range m.rules[ri].ports {
			slot := portSlot(p.Proto)
			if slot < 0 || (p.Lo == 0 && p.Hi == 65535) {
				m.protoMin[p.Proto] = min(m.protoMin[p.Proto], ri)
				continue
			}
			if m.portMin[slot] == nil {
				t := new(portTable[int32])
				for i := range t {
					t[i] = noRule
				}
				m.portMin[slot] = t
			}
			cover[slot].take(p.Lo, p.Hi, func(port int) { m.portMin[slot][port] = ri })
		}
	}
}

// portCover hands out the ports of ranges, each port once, so that filling a
// port table from n ranges costs 65536 plus n, not the sum of the ranges'
// lengths. The zero value is ready to use.
type portCover struct {
	next []int32 // next[p]: a port ≥ p, equal to p if p was not handed out (union-find)
}

// take calls visit for every port in [lo, hi] not handed out before.
func (c *portCover) take(lo, hi uint16, visit func(port int)) {
	if c.next == nil {
		c.next = make([]int32, 65537)
		for i := range c.next {
			c.next[i] = int32(i)
		}
	}
	find := func(p int32) int32 {
		for c.next[p] != p {
			c.next[p] = c.next[c.next[p]] // path halving
			p = c.next[p]
		}
		return p
	}
	for p := find(int32(lo)); p <= int32(hi); p = find(p) {
		visit(int(p))
		c.next[p] = p + 1
	}
}

// Count returns the number of matchers: the total of addresses, ports,
// domain names and command patterns over all rules.
func (m *Matcher) Count() int { return m.count }

// RuleID returns the id of rule number rule, as reported by a Match method.
// It panics if rule is out of range.
func (m *Matcher) RuleID(rule int) string { return m.rules[rule].id }

// lookup returns the entry of the longest listed prefix covering a, or nil.
func (m *Matcher) lookup(a netip.Addr) *addrEntry {
	e, _ := m.addrs.Lookup(a.Unmap())
	return e
}

// portsOK reports whether rule r's port condition holds for t.
func (m *Matcher) portsOK(r int32, t *Tuple) bool {
	rs := m.rules[r].ports
	return rs == nil || inRanges(rs, t.Proto, t.SrcPort) || inRanges(rs, t.Proto, t.DstPort)
}

// inRanges reports whether (proto, port) is in one of the sorted, merged
// ranges rs.
func inRanges(rs []PortRange, proto uint8, port uint16) bool {
	// Find the first range after (proto, port); the one before it is the
	// only candidate.
	lo, hi := 0, len(rs)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		r := rs[mid]
		if r.Proto < proto || (r.Proto == proto && r.Lo <= port) {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo == 0 {
		return false
	}
	r := rs[lo-1]
	return r.Proto == proto && port <= r.Hi
}

// MatchTuple reports the lowest-numbered rule without domain or command
// conditions that matches t. It does not allocate.
func (m *Matcher) MatchTuple(t *Tuple) (rule int, ok bool) {
	best := int32(noRule)
	if m.portTuple {
		best = m.protoMin[t.Proto]
		if slot := portSlot(t.Proto); slot >= 0 {
			if pt := m.portMin[slot]; pt != nil {
				best = min(best, pt[t.SrcPort], pt[t.DstPort])
			}
		}
	}
	if m.addrTuple {
		for _, a := range [2]netip.Addr{t.Src, t.Dst} {
			for e := m.lookup(a); e != nil; e = e.parent {
				for _, r := range e.tuple {
					if r >= best {
						break
					}
					if m.portsOK(r, t) {
						best = r
						break
					}
				}
			}
		}
	}
	if best == noRule {
		return -1, false
	}
	return int(best), true
}

// WantsApp reports whether some domain rule (domains) or command rule
// (commands) has all its other conditions, addresses and ports, satisfied by
// t, so that MatchDomain or MatchCommand could match for this flow. The
// engine parses application data only when one is true. It does not
// allocate.
func (m *Matcher) WantsApp(t *Tuple) (domains, commands bool) {
	f := m.appAlways | m.appProto[t.Proto]
	if slot := portSlot(t.Proto); slot >= 0 {
		if pt := m.appPort[slot]; pt != nil {
			f |= pt[t.SrcPort] | pt[t.DstPort]
		}
	}
	if f != wantBoth && m.addrApp {
		for _, a := range [2]netip.Addr{t.Src, t.Dst} {
			for e := m.lookup(a); e != nil && f != wantBoth; e = e.parent {
				f |= e.appFlags
				for _, r := range e.appPorted {
					if k := m.rules[r].kind.flag(); f&k == 0 && m.portsOK(r, t) {
						f |= k
					}
				}
			}
		}
	}
	return f&wantDomains != 0, f&wantCommands != 0
}

// appCheck verifies the address and port conditions of app rules against one
// tuple, looking the addresses up once, on first need.
type appCheck struct {
	m        *Matcher
	t        *Tuple
	looked   bool
	src, dst *addrEntry
}

func (c *appCheck) ok(r int32) bool {
	m := c.m
	if m.rules[r].hasAddr {
		if !c.looked {
			c.src, c.dst, c.looked = m.lookup(c.t.Src), m.lookup(c.t.Dst), true
		}
		if !onChain(c.src, r) && !onChain(c.dst, r) {
			return false
		}
	}
	return m.portsOK(r, c.t)
}

// onChain reports whether app rule r lists a prefix of e's chain.
func onChain(e *addrEntry, r int32) bool {
	for ; e != nil; e = e.parent {
		if _, ok := slices.BinarySearch(e.app, r); ok {
			return true
		}
	}
	return false
}

// first returns the lowest rule of the ascending list rules that is below
// best and passes the check, or best.
func (c *appCheck) first(rules []int32, best int32) int32 {
	for _, r := range rules {
		if r >= best {
			break
		}
		if c.ok(r) {
			return r
		}
	}
	return best
}

// MatchDomain reports the lowest-numbered domain rule that matches the flow
// t on the domain name name, as seen on the wire: a DNS query name, TLS SNI,
// HTTP Host (a ":port" suffix is ignored; an IPv6 literal never matches) or
// SMTP HELO/EHLO domain. ASCII case and one trailing dot are ignored. Names
// longer than 253 bytes never match. It does not allocate and does not keep
// name.
func (m *Matcher) MatchDomain(t *Tuple, name []byte) (rule int, ok bool) {
	if len(m.exact) == 0 && len(m.suffix) == 0 {
		return -1, false
	}
	if i := bytes.LastIndexByte(name, ':'); i >= 0 {
		if !isPort(name[i+1:]) || bytes.IndexByte(name[:i], ':') >= 0 {
			return -1, false
		}
		name = name[:i]
	}
	if n := len(name); n > 0 && name[n-1] == '.' {
		name = name[:n-1]
	}
	if len(name) == 0 || len(name) > MaxNameLen {
		return -1, false
	}
	var buf [MaxNameLen]byte
	for i, c := range name {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	s := buf[:len(name)]
	c := appCheck{m: m, t: t}
	best := int32(noRule)
	if rules, ok := m.exact[string(s)]; ok {
		best = c.first(rules, best)
	}
	if len(m.suffix) > 0 {
		for {
			if rules, ok := m.suffix[string(s)]; ok {
				best = c.first(rules, best)
			}
			i := bytes.IndexByte(s, '.')
			if i < 0 {
				break
			}
			s = s[i+1:]
		}
	}
	if best == noRule {
		return -1, false
	}
	return int(best), true
}

// isPort reports whether b is empty or all digits (the port of a Host
// header; RFC 3986 allows an empty one).
func isPort(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// MatchCommand reports the lowest-numbered command rule that matches the
// flow t on line, an HTTP request line or SMTP command line: some pattern of
// the rule occurs in line as a byte substring (case-sensitive). It does not
// allocate and does not keep line.
func (m *Matcher) MatchCommand(t *Tuple, line []byte) (rule int, ok bool) {
	a := m.cmd
	if a == nil {
		return -1, false
	}
	c := appCheck{m: m, t: t}
	best := int32(noRule)
	s := uint32(0)
	for _, b := range line {
		if s == 0 {
			// Most bytes start no pattern: stay on the root's table.
			if s = a.root[b]; s == 0 {
				continue
			}
		} else {
			s = a.step(s, b)
		}
		for o := a.report[s]; o != 0; o = a.next[o] {
			best = c.first(m.cmdRules[a.pattern[o]], best)
		}
		if best == m.cmdFirst {
			break
		}
	}
	if best == noRule {
		return -1, false
	}
	return int(best), true
}
