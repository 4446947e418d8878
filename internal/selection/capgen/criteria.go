package capgen

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"time"
)

// CriteriaConfig describes a criteria file for WriteCriteria. Its zero value
// is usable: each field's comment states its default.
type CriteriaConfig struct {
	// Matchers is the total of addresses, ports, domain names and command
	// patterns in the file: 0 means 10,000. It must be at least
	// FixedMatchers.
	Matchers int
	// Seed selects the random rules.
	Seed uint64
	// ID is the criteria set's id: "" means "bench-<Matchers>".
	ID string
	// Start is the start of the capture the criteria apply to; zero means
	// DefaultStart(). The criteria are valid from a month before it to a year
	// after it.
	Start time.Time
}

// CriteriaSchema is the schema of the criteria files WriteCriteria writes.
const CriteriaSchema = "acd.selection.criteria/v1"

// The fixed rules of WriteCriteria, which match a known share of the
// traffic Write generates (Manifest.Matching counts the flows per rule).
const (
	ruleHTTPServers = iota // the first watchedHTTPServers foreign HTTP servers, tcp/80
	ruleSMTPServers        // the first watchedSMTPServers foreign SMTP servers, tcp/25
	ruleResolvers          // foreign DNS server 0, udp/53 and tcp/53
	ruleSNISuffix          // names under watchedSuffix (TLS SNI, DNS queries)
	ruleNamesExact         // two foreign server names (HTTP Host, DNS queries)
	ruleGatePost           // the command pattern "POST /gate.php" (HTTP request lines)
	numRules
)

var ruleIDs = [numRules]string{
	"watch-http-servers", "watch-smtp-servers", "watch-resolvers",
	"watch-sni-suffix", "watch-names-exact", "watch-gate-post",
}

// criteriaRule is one rule of the criteria file, in the field order of the
// documented format.
type criteriaRule struct {
	ID        string           `json:"id"`
	Addresses []string         `json:"addresses,omitempty"`
	Ports     []string         `json:"ports,omitempty"`
	Domains   *criteriaDomains `json:"domains,omitempty"`
	Commands  []string         `json:"commands,omitempty"`
}

type criteriaDomains struct {
	Exact  []string `json:"exact,omitempty"`
	Suffix []string `json:"suffix,omitempty"`
}

func (r *criteriaRule) matchers() int {
	n := len(r.Addresses) + len(r.Ports) + len(r.Commands)
	if r.Domains != nil {
		n += len(r.Domains.Exact) + len(r.Domains.Suffix)
	}
	return n
}

// fixedRules returns the rules that match generated traffic.
func fixedRules() []criteriaRule {
	pfx := func(s service, i int, v6 bool, bits int) string {
		p := serverPrefix(poolForeign, s, i, v6, bits)
		if p.IsSingleIP() {
			return p.Addr().String()
		}
		return p.String()
	}
	return []criteriaRule{
		{ID: ruleIDs[ruleHTTPServers],
			Addresses: []string{pfx(svcHTTP, 0, false, 29), pfx(svcHTTP, 0, true, 125)},
			Ports:     []string{"tcp/80"}},
		{ID: ruleIDs[ruleSMTPServers],
			Addresses: []string{pfx(svcSMTP, 0, false, 32), pfx(svcSMTP, 1, false, 32), pfx(svcSMTP, 0, true, 128), pfx(svcSMTP, 1, true, 128)},
			Ports:     []string{"tcp/25"}},
		{ID: ruleIDs[ruleResolvers],
			Addresses: []string{pfx(svcDNS, 0, false, 32), pfx(svcDNS, 0, true, 128)},
			Ports:     []string{"udp/53", "tcp/53"}},
		{ID: ruleIDs[ruleSNISuffix],
			Domains: &criteriaDomains{Suffix: []string{watchedSuffix}}},
		{ID: ruleIDs[ruleNamesExact],
			Domains: &criteriaDomains{Exact: []string{serverName(poolForeign, svcHTTP, httpExactServer), serverName(poolForeign, svcBulk, exactBulkServer)}}},
		{ID: ruleIDs[ruleGatePost],
			Commands: []string{"POST " + gatePath},
			Ports:    []string{"tcp/80"}},
	}
}

// FixedMatchers is the number of matchers in WriteCriteria's fixed rules.
func FixedMatchers() int {
	n := 0
	for _, r := range fixedRules() {
		n += r.matchers()
	}
	return n
}

// WriteCriteria writes a criteria file (schema acd.selection.criteria/v1,
// directions foreign-foreign, foreign-domestic and domestic-foreign) with
// cfg.Matchers matchers: first the fixed rules, which match a known share of
// the traffic Write generates (its Manifest.Matching counts the flows each
// matches), then random rules of addresses and CIDRs outside the
// generator's pools, domain names under names it never uses, and command
// patterns it never writes, so that they match nothing. The same cfg always
// gives the same bytes.
func WriteCriteria(w io.Writer, cfg CriteriaConfig) error {
	if cfg.Matchers == 0 {
		cfg.Matchers = 10_000
	}
	fixed := fixedRules()
	if cfg.Matchers < FixedMatchers() {
		return fmt.Errorf("write criteria: %d matchers, want at least %d (the fixed rules)", cfg.Matchers, FixedMatchers())
	}
	if cfg.ID == "" {
		cfg.ID = "bench-" + strconv.Itoa(cfg.Matchers)
	}
	if cfg.Start.IsZero() {
		cfg.Start = DefaultStart()
	}
	bw := bufio.NewWriter(w)
	head := struct {
		Schema     string   `json:"schema"`
		ID         string   `json:"id"`
		Version    int      `json:"version"`
		Authority  string   `json:"authority"`
		Directions []string `json:"directions"`
		ValidFrom  string   `json:"valid_from"`
		ValidUntil string   `json:"valid_until"`
	}{
		Schema:     CriteriaSchema,
		ID:         cfg.ID,
		Version:    1,
		Authority:  "APR-BENCH-1",
		Directions: []string{"foreign-foreign", "foreign-domestic", "domestic-foreign"},
		ValidFrom:  cfg.Start.UTC().AddDate(0, -1, 0).Format(time.RFC3339),
		ValidUntil: cfg.Start.UTC().AddDate(1, 0, 0).Format(time.RFC3339),
	}
	b, err := json.Marshal(head)
	if err != nil {
		return fmt.Errorf("write criteria: %w", err)
	}
	bw.Write(b[:len(b)-1]) // without the closing brace
	bw.WriteString(",\n\"rules\":[\n")
	left := cfg.Matchers
	first := true
	put := func(r *criteriaRule) error {
		b, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("write criteria: %w", err)
		}
		if !first {
			bw.WriteString(",\n")
		}
		first = false
		bw.Write(b)
		left -= r.matchers()
		return nil
	}
	for i := range fixed {
		if err := put(&fixed[i]); err != nil {
			return err
		}
	}
	rg := newRNG(cfg.Seed, 0x6372697465726961) // "criteria"
	for i := 1; left > 0; i++ {
		r := randomRule(rg, i, left)
		if err := put(&r); err != nil {
			return err
		}
	}
	bw.WriteString("\n]}\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write criteria: %w", err)
	}
	return nil
}

// randomRule returns rule "r<i>" of at most max matchers that matches no
// generated traffic.
func randomRule(r *rng, i, max int) criteriaRule {
	rule := criteriaRule{ID: "r" + strconv.Itoa(i)}
	switch x := r.intn(100); {
	case x < 60:
		n := min(r.between(1, 16), max)
		for range n {
			rule.Addresses = append(rule.Addresses, randomPrefix(r))
		}
		if max > n && r.chance(0.3) {
			rule.Ports = append(rule.Ports, randomPorts[r.intn(len(randomPorts))])
		}
	case x < 88:
		d := &criteriaDomains{}
		ne, ns := r.between(0, 8), r.between(0, 4)
		if ne+ns == 0 {
			ne = 1
		}
		ne = min(ne, max)
		ns = min(ns, max-ne)
		for range ne {
			d.Exact = append(d.Exact, randomDomain(r, r.between(2, 3)))
		}
		for range ns {
			d.Suffix = append(d.Suffix, randomDomain(r, 2))
		}
		rule.Domains = d
	default:
		n := min(r.between(1, 4), max)
		for range n {
			tok := randomLabel(r, 8, 16)
			switch r.intn(4) {
			case 0:
				rule.Commands = append(rule.Commands, "GET /"+tok)
			case 1:
				rule.Commands = append(rule.Commands, "POST /"+tok)
			case 2:
				rule.Commands = append(rule.Commands, "/"+tok+".php")
			default:
				rule.Commands = append(rule.Commands, "cmd="+tok)
			}
		}
		if max > n && r.chance(0.5) {
			rule.Ports = []string{"tcp/80"}
		}
	}
	return rule
}

var randomPorts = [...]string{"tcp/443", "tcp/80", "udp/53", "tcp/8000-8100", "tcp/22", "udp", "icmp"}

// pools are the generator's address pools, which random rules avoid.
var pools = [...]netip.Prefix{
	netip.MustParsePrefix("133.0.0.0/12"),
	netip.MustParsePrefix("8.0.0.0/12"),
	netip.MustParsePrefix("2001:2f8::/32"),
	netip.MustParsePrefix("2a00::/24"),
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("127.0.0.0/8"),
	netip.MustParsePrefix("224.0.0.0/3"),
}

// randomPrefix returns an address or CIDR outside the generator's pools.
func randomPrefix(r *rng) string {
	for {
		var p netip.Prefix
		if r.chance(0.7) {
			a := netip.AddrFrom4([4]byte{byte(r.u32()), byte(r.u32()), byte(r.u32()), byte(r.u32())})
			bits := 32
			if r.chance(0.4) {
				bits = r.between(16, 31)
			}
			p = netip.PrefixFrom(a, bits).Masked()
		} else {
			var b [16]byte
			r.fill(b[:])
			b[0], b[1] = 0x24+byte(r.intn(10)), byte(r.u32())
			bits := 128
			if r.chance(0.5) {
				bits = r.between(32, 64)
			}
			p = netip.PrefixFrom(netip.AddrFrom16(b), bits).Masked()
		}
		ok := true
		for _, q := range pools {
			if p.Overlaps(q) {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		if p.IsSingleIP() {
			return p.Addr().String()
		}
		return p.String()
	}
}

var randomTLDs = [...]string{"com", "net", "org", "info", "xyz", "top", "ru", "cn", "io", "biz"}

// randomDomain returns a name of labels labels whose labels below the top
// level are random, so it is none of the generator's names nor a suffix of
// one.
func randomDomain(r *rng, labels int) string {
	s := ""
	for range labels - 1 {
		s += randomLabel(r, 5, 12) + "."
	}
	return s + randomTLDs[r.intn(len(randomTLDs))]
}

// randomLabel returns lowercase letters and digits, starting with a letter,
// of a length in [lo, hi].
func randomLabel(r *rng, lo, hi int) string {
	const chars = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, r.between(lo, hi))
	for i := range b {
		b[i] = chars[r.intn(len(chars))]
	}
	b[0] = 'a' + byte(r.intn(26))
	return string(b)
}
