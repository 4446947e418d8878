package criteria_test

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"

	"github.com/acd-platform/acd/internal/selection/criteria"
)

// compile parses a document with the given rules and compiles it.
func compile(t testing.TB, objs ...string) *criteria.Matcher {
	t.Helper()
	s, err := criteria.Parse([]byte(rules(objs...)))
	if err != nil {
		t.Fatal(err)
	}
	m, err := criteria.Compile(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// tuple builds a Tuple: proto is "tcp", "udp", "sctp", "icmp", "icmpv6" or a number.
func tuple(src string, sport uint16, dst string, dport uint16, proto string) criteria.Tuple {
	protos := map[string]uint8{"tcp": 6, "udp": 17, "sctp": 132, "icmp": 1, "icmpv6": 58, "gre": 47}
	return criteria.Tuple{
		Src: netip.MustParseAddr(src), Dst: netip.MustParseAddr(dst),
		Proto: protos[proto], SrcPort: sport, DstPort: dport,
	}
}

// matchRules is the set most matching tests use; the comment gives each
// rule's number.
var matchRules = []string{
	/* 0 */ `{"id": "v4-net", "addresses": ["192.0.2.0/24"]}`,
	/* 1 */ `{"id": "v6-https", "addresses": ["2001:db8:1::/48"], "ports": ["tcp/443"]}`,
	/* 2 */ `{"id": "port-range", "ports": ["tcp/8000-8100"]}`,
	/* 3 */ `{"id": "icmp", "ports": ["icmp"]}`,
	/* 4 */ `{"id": "broad-dns", "addresses": ["198.51.0.0/16"], "ports": ["udp/53"]}`,
	/* 5 */ `{"id": "narrow", "addresses": ["198.51.100.0/24"]}`,
	/* 6 */ `{"id": "dom-exact", "domains": {"exact": ["login-example.test"]}}`,
	/* 7 */ `{"id": "dom-suffix", "domains": {"suffix": ["evil.example"]}}`,
	/* 8 */ `{"id": "dom-addr", "domains": {"exact": ["a.test"]}, "addresses": ["203.0.113.0/24"]}`,
	/* 9 */ `{"id": "cmd-port", "commands": ["POST /A3fe", "cmd.exe"], "ports": ["tcp/80"]}`,
	/* 10 */ `{"id": "cmd-any", "commands": ["EHLO evil"]}`,
	/* 11 */ `{"id": "nothing", "addresses": ["233.252.0.0/24"], "ports": ["47"]}`,
	/* 12 */ `{"id": "dom-dns", "domains": {"suffix": ["example.org"]}, "ports": ["udp/53"]}`,
	/* 13 */ `{"id": "cmd-v6", "commands": ["GET /admin"], "addresses": ["2001:db8:2::/48"]}`,
	/* 14 */ `{"id": "v6-host", "addresses": ["2001:db8:ffff::7"]}`,
	/* 15 */ `{"id": "sctp-low", "ports": ["sctp/1-3", "132/5"]}`,
}

func TestMatchTuple(t *testing.T) {
	m := compile(t, matchRules...)
	tests := []struct {
		name string
		t    criteria.Tuple
		want int // -1: no match
	}{
		{"v4 src in prefix", tuple("192.0.2.9", 1234, "8.8.8.8", 80, "tcp"), 0},
		{"v4 dst in prefix", tuple("8.8.8.8", 1234, "192.0.2.255", 80, "udp"), 0},
		{"v4 mapped", tuple("::ffff:192.0.2.1", 1, "8.8.8.8", 2, "tcp"), 0},
		{"v4 outside", tuple("192.0.3.1", 1234, "8.8.8.8", 80, "tcp"), -1},
		{"v6 prefix and port", tuple("2001:db8:1::5", 50000, "2001:db8:9::1", 443, "tcp"), 1},
		{"v6 either port", tuple("2001:db8:9::1", 443, "2001:db8:1:ffff::1", 50000, "tcp"), 1},
		{"v6 prefix, wrong port", tuple("2001:db8:1::5", 50000, "2001:db8:9::1", 80, "tcp"), -1},
		{"v6 prefix, wrong protocol", tuple("2001:db8:1::5", 50000, "2001:db8:9::1", 443, "udp"), -1},
		{"v6 host address", tuple("2001:db8:ffff::7", 1, "::1", 2, "udp"), 14},
		{"v6 next to host address", tuple("2001:db8:ffff::8", 1, "::1", 2, "udp"), -1},
		{"port range low end", tuple("8.8.8.8", 40000, "9.9.9.9", 8000, "tcp"), 2},
		{"port range high end, src", tuple("8.8.8.8", 8100, "9.9.9.9", 40000, "tcp"), 2},
		{"port range below", tuple("8.8.8.8", 40000, "9.9.9.9", 7999, "tcp"), -1},
		{"port range above", tuple("8.8.8.8", 40000, "9.9.9.9", 8101, "tcp"), -1},
		{"port range, udp", tuple("8.8.8.8", 40000, "9.9.9.9", 8050, "udp"), -1},
		{"icmp", tuple("8.8.8.8", 0, "9.9.9.9", 0, "icmp"), 3},
		{"icmpv6 is not icmp", tuple("2001:db8:9::1", 0, "2001:db8:9::2", 0, "icmpv6"), -1},
		{"nested: both rules, lower wins", tuple("198.51.100.1", 5353, "8.8.8.8", 53, "udp"), 4},
		{"nested: narrow only", tuple("198.51.100.1", 5353, "8.8.8.8", 80, "tcp"), 5},
		{"nested: broad only", tuple("8.8.8.8", 53, "198.51.1.1", 5353, "udp"), 4},
		{"nested: broad, wrong port", tuple("198.51.1.1", 5353, "8.8.8.8", 80, "udp"), -1},
		{"two rules on two endpoints", tuple("198.51.100.1", 1, "192.0.2.1", 2, "tcp"), 0},
		{"port rule below address rule", tuple("198.51.100.1", 1, "8.8.8.8", 8080, "tcp"), 2},
		{"domain rule's address alone", tuple("203.0.113.5", 1, "8.8.8.8", 2, "tcp"), -1},
		{"address of a rule whose protocol is absent", tuple("233.252.0.1", 1, "8.8.8.8", 2, "tcp"), -1},
		{"protocol of that rule, other address", tuple("233.252.1.1", 1, "8.8.8.8", 2, "gre"), -1},
		{"sctp range", tuple("8.8.8.8", 2, "9.9.9.9", 9999, "sctp"), 15},
		{"sctp single port by number", tuple("8.8.8.8", 9999, "9.9.9.9", 5, "sctp"), 15},
		{"sctp port 4", tuple("8.8.8.8", 9999, "9.9.9.9", 4, "sctp"), -1},
		{"invalid addresses", criteria.Tuple{Proto: 6, DstPort: 8000}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := m.MatchTuple(&tt.t)
			if !ok {
				got = -1
			}
			if got != tt.want {
				t.Errorf("MatchTuple = %s, want %s", ruleName(m, got), ruleName(m, tt.want))
			}
		})
	}
}

func ruleName(m *criteria.Matcher, r int) string {
	if r < 0 {
		return "no match"
	}
	return fmt.Sprintf("%d (%s)", r, m.RuleID(r))
}

func TestMatchDomain(t *testing.T) {
	m := compile(t, matchRules...)
	any4 := tuple("8.8.8.8", 40000, "9.9.9.9", 443, "tcp")
	dns := tuple("8.8.8.8", 40000, "9.9.9.9", 53, "udp")
	inNet := tuple("203.0.113.7", 40000, "9.9.9.9", 443, "tcp")
	tests := []struct {
		name string
		t    criteria.Tuple
		in   string
		want int
	}{
		{"exact", any4, "login-example.test", 6},
		{"exact, case", any4, "LOGIN-Example.Test", 6},
		{"exact, trailing dot", any4, "login-example.test.", 6},
		{"exact, not a subdomain", any4, "www.login-example.test", -1},
		{"exact, not a parent", any4, "example.test", -1},
		{"suffix itself", any4, "evil.example", 7},
		{"suffix, subdomain", any4, "a.b.evil.example", 7},
		{"suffix, label boundary", any4, "notevil.example", -1},
		{"suffix, case and dot", any4, "WWW.Evil.EXAMPLE.", 7},
		{"suffix, parent", any4, "example", -1},
		{"Host with port", any4, "evil.example:8443", 7},
		{"Host with empty port", any4, "login-example.test:", 6},
		{"Host with bad port", any4, "evil.example:80x", -1},
		{"IPv6 literal Host", any4, "[2001:db8::1]:443", -1},
		{"two trailing dots", any4, "evil.example..", -1},
		{"empty", any4, "", -1},
		{"a dot", any4, ".", -1},
		{"too long", any4, strings.Repeat("a.", 125) + "evil.example", -1},
		{"just long enough", any4, strings.Repeat("a.", 120) + "evil.example", 7},
		{"with addresses: inside", inNet, "a.test", 8},
		{"with addresses: dst inside", tuple("9.9.9.9", 1, "203.0.113.200", 2, "udp"), "A.TEST", 8},
		{"with addresses: outside", any4, "a.test", -1},
		{"with ports: udp/53", dns, "www.example.org", 12},
		{"with ports: either port", tuple("8.8.8.8", 53, "9.9.9.9", 40000, "udp"), "example.org.", 12},
		{"with ports: tcp/53", tuple("8.8.8.8", 40000, "9.9.9.9", 53, "tcp"), "example.org", -1},
		{"non-ASCII bytes", any4, "\xffevil.example", -1},
		{"non-ASCII label", any4, "\xff.evil.example", 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := m.MatchDomain(&tt.t, []byte(tt.in))
			if !ok {
				got = -1
			}
			if got != tt.want {
				t.Errorf("MatchDomain(%q) = %s, want %s", tt.in, ruleName(m, got), ruleName(m, tt.want))
			}
		})
	}
	// The lowest rule wins when exact and suffix names both match.
	m2 := compile(t,
		`{"id": "s", "domains": {"suffix": ["b.test"]}}`,
		`{"id": "e", "domains": {"exact": ["a.b.test"]}}`,
		`{"id": "s2", "domains": {"suffix": ["a.b.test"]}}`,
	)
	if got, ok := m2.MatchDomain(&any4, []byte("a.b.test")); !ok || got != 0 {
		t.Errorf("MatchDomain(a.b.test) = %d, %v; want 0, true", got, ok)
	}
}

func TestMatchCommand(t *testing.T) {
	m := compile(t, matchRules...)
	http := tuple("8.8.8.8", 40000, "9.9.9.9", 80, "tcp")
	alt := tuple("8.8.8.8", 40000, "9.9.9.9", 8080, "tcp")
	smtp := tuple("8.8.8.8", 40000, "9.9.9.9", 25, "tcp")
	v6 := tuple("2001:db8:2::1", 40000, "2001:db8:9::9", 8443, "tcp")
	tests := []struct {
		name string
		t    criteria.Tuple
		in   string
		want int
	}{
		{"pattern at the start", http, "POST /A3fe HTTP/1.1", 9},
		{"pattern inside", http, "GET /x/cmd.exe?c=dir HTTP/1.1", 9},
		{"pattern at the end", http, "GET /cmd.exe", 9},
		{"the whole line", http, "cmd.exe", 9},
		{"case-sensitive", http, "post /a3fe HTTP/1.1", -1},
		{"near miss", http, "POST /A3f HTTP/1.1", -1},
		{"wrong port", alt, "POST /A3fe HTTP/1.1", -1},
		{"any tuple", smtp, "EHLO evil.example", 10},
		{"lowest rule, not first found", http, "EHLO evil cmd.exe", 9},
		{"with addresses: inside", v6, "GET /admin HTTP/1.1", 13},
		{"with addresses: outside", alt, "GET /admin HTTP/1.1", -1},
		{"empty line", http, "", -1},
		{"binary bytes", http, "\x00\xffcmd.exe\x00", 9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := m.MatchCommand(&tt.t, []byte(tt.in))
			if !ok {
				got = -1
			}
			if got != tt.want {
				t.Errorf("MatchCommand(%q) = %s, want %s", tt.in, ruleName(m, got), ruleName(m, tt.want))
			}
		})
	}
	// A set with no commands or no domains answers no.
	m2 := compile(t, `{"id": "a", "ports": ["tcp"]}`)
	if _, ok := m2.MatchCommand(&http, []byte("cmd.exe")); ok {
		t.Errorf("MatchCommand without command rules matched")
	}
	if _, ok := m2.MatchDomain(&http, []byte("evil.example")); ok {
		t.Errorf("MatchDomain without domain rules matched")
	}
}

func TestWantsApp(t *testing.T) {
	m := compile(t,
		`{"id": "d-addr", "domains": {"exact": ["a.test"]}, "addresses": ["203.0.113.0/24"]}`,
		`{"id": "d-dns", "domains": {"suffix": ["b.test"]}, "ports": ["udp/53"]}`,
		`{"id": "c-http", "commands": ["GET /x"], "ports": ["tcp/80-81"]}`,
		`{"id": "c-smtp6", "commands": ["MAIL FROM"], "addresses": ["2001:db8::/32"], "ports": ["tcp/25"]}`,
		`{"id": "tuple", "ports": ["tcp/22"]}`,
		`{"id": "c-sctp", "commands": ["HELO"], "ports": ["sctp"]}`,
	)
	tests := []struct {
		name              string
		t                 criteria.Tuple
		domains, commands bool
	}{
		{"domain rule's address", tuple("203.0.113.9", 1, "1.1.1.1", 443, "tcp"), true, false},
		{"domain rule's port", tuple("1.1.1.1", 40000, "1.0.0.1", 53, "udp"), true, false},
		{"command rule's port", tuple("1.1.1.1", 40000, "1.0.0.1", 80, "tcp"), false, true},
		{"command rule's port range end", tuple("1.1.1.1", 81, "1.0.0.1", 40000, "tcp"), false, true},
		{"outside the port range", tuple("1.1.1.1", 40000, "1.0.0.1", 82, "tcp"), false, false},
		{"address and port", tuple("2001:db8::1", 40000, "2001:db9::1", 25, "tcp"), false, true},
		{"address, wrong port", tuple("2001:db8::1", 40000, "2001:db9::1", 26, "tcp"), false, false},
		{"port, wrong address", tuple("2001:db9::1", 40000, "2001:db9::2", 25, "tcp"), false, false},
		{"both", tuple("203.0.113.9", 40000, "1.0.0.1", 80, "tcp"), true, true},
		{"protocol-wide", tuple("1.1.1.1", 1, "1.0.0.1", 2, "sctp"), false, true},
		{"tuple rule only", tuple("1.1.1.1", 40000, "1.0.0.1", 22, "tcp"), false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, c := m.WantsApp(&tt.t)
			if d != tt.domains || c != tt.commands {
				t.Errorf("WantsApp = %v, %v; want %v, %v", d, c, tt.domains, tt.commands)
			}
		})
	}
	// Rules with no address or port condition are always wanted.
	m2 := compile(t, matchRules...)
	tt := tuple("1.1.1.1", 1, "1.0.0.1", 2, "udp")
	if d, c := m2.WantsApp(&tt); !d || !c {
		t.Errorf("WantsApp with unconditional domain and command rules = %v, %v; want true, true", d, c)
	}
}

func TestCountAndRuleID(t *testing.T) {
	m := compile(t, matchRules...)
	// addresses 1+1+1+1+1+1+1+1 (rules 0,1,4,5,8,11,13,14), ports 1+1+1+1+1+1+1+2 (1,2,3,4,9,11,12,15),
	// names 1+1+1+1 (6,7,8,12), patterns 2+1+1 (9,10,13).
	if got, want := m.Count(), 8+9+4+4; got != want {
		t.Errorf("Count() = %d, want %d", got, want)
	}
	for i, want := range []string{"v4-net", "v6-https", "port-range"} {
		if got := m.RuleID(i); got != want {
			t.Errorf("RuleID(%d) = %q, want %q", i, got, want)
		}
	}
}

func TestMatchAllocs(t *testing.T) {
	m := compile(t, matchRules...)
	tuples := []criteria.Tuple{
		tuple("192.0.2.9", 1234, "8.8.8.8", 80, "tcp"),
		tuple("2001:db8:1::5", 50000, "2001:db8:9::1", 443, "tcp"),
		tuple("198.51.100.1", 5353, "8.8.8.8", 53, "udp"),
		tuple("203.0.113.7", 40000, "9.9.9.9", 80, "tcp"),
		tuple("2001:db8:2::1", 40000, "2001:db8:9::9", 8443, "tcp"),
	}
	names := [][]byte{[]byte("WWW.Evil.EXAMPLE."), []byte("a.test:8080"), []byte("nothing.test")}
	lines := [][]byte{[]byte("POST /A3fe HTTP/1.1"), []byte("GET /admin HTTP/1.1"), []byte("EHLO mail.example")}
	for _, c := range []struct {
		name string
		fn   func()
	}{
		{"MatchTuple", func() {
			for i := range tuples {
				m.MatchTuple(&tuples[i])
			}
		}},
		{"WantsApp", func() {
			for i := range tuples {
				m.WantsApp(&tuples[i])
			}
		}},
		{"MatchDomain", func() {
			for i := range tuples {
				for _, n := range names {
					m.MatchDomain(&tuples[i], n)
				}
			}
		}},
		{"MatchCommand", func() {
			for i := range tuples {
				for _, l := range lines {
					m.MatchCommand(&tuples[i], l)
				}
			}
		}},
	} {
		if n := testing.AllocsPerRun(100, c.fn); n != 0 {
			t.Errorf("%s: %v allocs per run, want 0", c.name, n)
		}
	}
}

// TestMatchAgainstReference compares the Matcher with a direct reading of
// the semantics on random sets and flows drawn from small spaces, so that
// prefixes nest, ports overlap, names share suffixes and patterns overlap.
func TestMatchAgainstReference(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	iters := 200
	if testing.Short() {
		iters = 20
	}
	var hits [3]int // MatchTuple, MatchDomain, MatchCommand
	for range iters {
		set := randomSet(r, 1+r.IntN(30))
		m, err := criteria.Compile(set)
		if err != nil {
			t.Fatal(err)
		}
		for range 200 {
			tu := randomTuple(r)
			check := func(kind int, what string, got int, ok bool, want int) {
				t.Helper()
				if want >= 0 {
					hits[kind]++
				}
				if !ok {
					got = -1
				}
				if got != want {
					t.Fatalf("%s on %+v: got %d, want %d\nrules: %+v", what, tu, got, want, set.Rules)
				}
			}
			got, ok := m.MatchTuple(&tu)
			check(0, "MatchTuple", got, ok, refMatch(set, &tu, func(r *criteria.Rule) bool {
				return r.Domains.Len() == 0 && len(r.Commands) == 0
			}))
			wd, wc := m.WantsApp(&tu)
			rd, rc := refWants(set, &tu)
			if wd != rd || wc != rc {
				t.Fatalf("WantsApp on %+v: got %v, %v; want %v, %v\nrules: %+v", tu, wd, wc, rd, rc, set.Rules)
			}
			name := randomName(r)
			got, ok = m.MatchDomain(&tu, []byte(name))
			check(1, "MatchDomain "+name, got, ok, refMatch(set, &tu, func(r *criteria.Rule) bool { return refDomain(r, name) }))
			line := randomText(r, 12)
			got, ok = m.MatchCommand(&tu, []byte(line))
			check(2, "MatchCommand "+line, got, ok, refMatch(set, &tu, func(r *criteria.Rule) bool {
				for _, c := range r.Commands {
					if strings.Contains(line, c) {
						return true
					}
				}
				return false
			}))
		}
	}
	for i, h := range hits {
		if h < iters {
			t.Errorf("only %d hits of kind %d in %d sets: the random space is too sparse", h, i, iters)
		}
	}
}

// refMatch returns the lowest rule for which app holds and whose address and
// port conditions hold for t, or -1.
func refMatch(s *criteria.Set, t *criteria.Tuple, app func(*criteria.Rule) bool) int {
	for i := range s.Rules {
		if r := &s.Rules[i]; refTuple(r, t) && app(r) {
			return i
		}
	}
	return -1
}

func refTuple(r *criteria.Rule, t *criteria.Tuple) bool {
	if len(r.Addresses) > 0 {
		ok := false
		for _, p := range r.Addresses {
			ok = ok || p.Contains(t.Src.Unmap()) || p.Contains(t.Dst.Unmap())
		}
		if !ok {
			return false
		}
	}
	if len(r.Ports) > 0 {
		ok := false
		for _, p := range r.Ports {
			ok = ok || (p.Proto == t.Proto && ((p.Lo <= t.SrcPort && t.SrcPort <= p.Hi) || (p.Lo <= t.DstPort && t.DstPort <= p.Hi)))
		}
		if !ok {
			return false
		}
	}
	return true
}

func refWants(s *criteria.Set, t *criteria.Tuple) (domains, commands bool) {
	for i := range s.Rules {
		r := &s.Rules[i]
		if refTuple(r, t) {
			domains = domains || r.Domains.Len() > 0
			commands = commands || len(r.Commands) > 0
		}
	}
	return domains, commands
}

func refDomain(r *criteria.Rule, name string) bool {
	if h, port, ok := strings.Cut(name, ":"); ok && strings.Trim(port, "0123456789") == "" {
		name = h
	}
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	for _, e := range r.Domains.Exact {
		if name == e {
			return true
		}
	}
	for _, s := range r.Domains.Suffix {
		if name == s || strings.HasSuffix(name, "."+s) {
			return true
		}
	}
	return false
}

func randomSet(r *rand.Rand, n int) *criteria.Set {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"id": "r%d"`, i)
		kind := r.IntN(3) // 0 tuple, 1 domains, 2 commands
		hasAddr, hasPorts := r.IntN(2) == 0, r.IntN(2) == 0
		if kind == 0 && !hasAddr && !hasPorts {
			hasPorts = true
		}
		if hasAddr {
			var list []string
			for range 1 + r.IntN(3) {
				list = append(list, `"`+randomPrefix(r).String()+`"`)
			}
			fmt.Fprintf(&b, `, "addresses": [%s]`, strings.Join(list, ","))
		}
		if hasPorts {
			var list []string
			for range 1 + r.IntN(3) {
				list = append(list, `"`+randomPort(r)+`"`)
			}
			fmt.Fprintf(&b, `, "ports": [%s]`, strings.Join(list, ","))
		}
		switch kind {
		case 1:
			fmt.Fprintf(&b, `, "domains": {"exact": ["%s"], "suffix": ["%s"]}`, randomLabelName(r), randomLabelName(r))
		case 2:
			fmt.Fprintf(&b, `, "commands": ["%s", "%s"]`, randomText(r, 3), randomText(r, 2))
		}
		b.WriteString("}")
	}
	s, err := criteria.Parse([]byte(rules(b.String())))
	if err != nil {
		panic(err)
	}
	return s
}

func randomPrefix(r *rand.Rand) netip.Prefix {
	if r.IntN(2) == 0 {
		a := netip.AddrFrom4([4]byte{10, byte(r.IntN(2)), byte(r.IntN(2)), byte(r.IntN(4))})
		return netip.PrefixFrom(a, 8+r.IntN(25)).Masked()
	}
	a := netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, byte(r.IntN(2)), 15: byte(r.IntN(4))})
	return netip.PrefixFrom(a, 32+r.IntN(97)).Masked()
}

func randomAddr(r *rand.Rand) netip.Addr {
	if r.IntN(2) == 0 {
		a := netip.AddrFrom4([4]byte{10, byte(r.IntN(2)), byte(r.IntN(2)), byte(r.IntN(4))})
		if r.IntN(4) == 0 {
			return netip.AddrFrom16(a.As16())
		}
		return a
	}
	return netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, byte(r.IntN(2)), 15: byte(r.IntN(4))})
}

var randomProtos = []string{"tcp", "udp", "sctp", "icmp", "47"}

func randomPort(r *rand.Rand) string {
	p := randomProtos[r.IntN(len(randomProtos))]
	if p == "icmp" || p == "47" || r.IntN(4) == 0 {
		return p
	}
	lo := r.IntN(8)
	if r.IntN(2) == 0 {
		return fmt.Sprintf("%s/%d", p, lo)
	}
	return fmt.Sprintf("%s/%d-%d", p, lo, lo+r.IntN(4))
}

func randomTuple(r *rand.Rand) criteria.Tuple {
	protos := []uint8{6, 17, 132, 1, 47, 58}
	return criteria.Tuple{
		Src: randomAddr(r), Dst: randomAddr(r),
		Proto: protos[r.IntN(len(protos))], SrcPort: uint16(r.IntN(12)), DstPort: uint16(r.IntN(12)),
	}
}

func randomLabelName(r *rand.Rand) string {
	labels := []string{"a", "b", "ab", "c"}
	var parts []string
	for range 1 + r.IntN(3) {
		parts = append(parts, labels[r.IntN(len(labels))])
	}
	return strings.Join(parts, ".")
}

func randomName(r *rand.Rand) string {
	n := randomLabelName(r)
	if r.IntN(3) == 0 {
		n = strings.ToUpper(n)
	}
	if r.IntN(4) == 0 {
		n += "."
	}
	if r.IntN(4) == 0 {
		n += ":443"
	}
	return n
}

// randomText returns 1 to max bytes from a three-letter alphabet.
func randomText(r *rand.Rand, max int) string {
	b := make([]byte, 1+r.IntN(max))
	for i := range b {
		b[i] = "abc"[r.IntN(3)]
	}
	return string(b)
}

// benchSet builds a criteria document with about n matchers in the mix a
// real set has: mostly indicator addresses (IPv4 and IPv6, some with ports),
// then domain names, command patterns and a few port-only rules.
func benchSet(b *testing.B, n int) *criteria.Matcher {
	r := rand.New(rand.NewPCG(uint64(n), 1))
	var objs []string
	count := 0
	for i := 0; count < n; i++ {
		switch k := r.IntN(100); {
		case k < 50: // one to four addresses
			var list []string
			for range 1 + r.IntN(4) {
				var a netip.Addr
				if r.IntN(3) > 0 {
					a = netip.AddrFrom4([4]byte{byte(1 + r.IntN(223)), byte(r.Uint32()), byte(r.Uint32()), byte(r.Uint32())})
					list = append(list, `"`+netip.PrefixFrom(a, 24+r.IntN(9)).Masked().String()+`"`)
				} else {
					var a16 [16]byte
					a16[0], a16[1] = 0x20, 0x01
					for j := 2; j < 16; j++ {
						a16[j] = byte(r.Uint32())
					}
					list = append(list, `"`+netip.PrefixFrom(netip.AddrFrom16(a16), 48+r.IntN(81)).Masked().String()+`"`)
				}
			}
			count += len(list)
			ports := ""
			if r.IntN(3) == 0 {
				ports = `, "ports": ["tcp/443", "tcp/8080"]`
				count += 2
			}
			objs = append(objs, fmt.Sprintf(`{"id": "a%d", "addresses": [%s]%s}`, i, strings.Join(list, ","), ports))
		case k < 80: // domain names
			objs = append(objs, fmt.Sprintf(`{"id": "d%d", "domains": {"exact": ["w%x.example"], "suffix": ["s%x.test"]}}`, i, r.Uint64(), r.Uint64()))
			count += 2
		case k < 98: // command patterns
			objs = append(objs, fmt.Sprintf(`{"id": "c%d", "commands": ["/%x.php", "cmd%x"], "ports": ["tcp/80"]}`, i, r.Uint32(), r.Uint32()))
			count += 3
		default: // port-only
			lo := 1024 + r.IntN(60000)
			objs = append(objs, fmt.Sprintf(`{"id": "p%d", "ports": ["udp/%d-%d"]}`, i, lo, lo+r.IntN(100)))
			count++
		}
	}
	s, err := criteria.Parse([]byte(rules(objs...)))
	if err != nil {
		b.Fatal(err)
	}
	m, err := criteria.Compile(s)
	if err != nil {
		b.Fatal(err)
	}
	return m
}

func BenchmarkMatch(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		m := benchSet(b, n)
		r := rand.New(rand.NewPCG(3, 3))
		tuples := make([]criteria.Tuple, 4096)
		for i := range tuples {
			src := netip.AddrFrom4([4]byte{byte(1 + r.IntN(223)), byte(r.Uint32()), byte(r.Uint32()), byte(r.Uint32())})
			dst := netip.AddrFrom4([4]byte{byte(1 + r.IntN(223)), byte(r.Uint32()), byte(r.Uint32()), byte(r.Uint32())})
			if i%4 == 0 {
				var a16 [16]byte
				a16[0], a16[1] = 0x20, 0x01
				for j := 2; j < 16; j++ {
					a16[j] = byte(r.Uint32())
				}
				src, dst = netip.AddrFrom16(a16), netip.MustParseAddr("2001:db8::1")
			}
			tuples[i] = criteria.Tuple{Src: src, Dst: dst, Proto: 6, SrcPort: uint16(1024 + r.IntN(60000)), DstPort: 443}
		}
		names := [][]byte{[]byte("www.Example.com"), []byte("cdn.images.example.net."), []byte("api.service.test:8443")}
		lines := [][]byte{
			[]byte("GET /static/js/app.bundle.min.js?v=20261101 HTTP/1.1"),
			[]byte("POST /api/v2/upload HTTP/1.1"),
			[]byte("MAIL FROM:<someone@example.net> SIZE=12345"),
		}
		b.Run(fmt.Sprintf("MatchTuple/%d", m.Count()), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				m.MatchTuple(&tuples[i%len(tuples)])
			}
		})
		b.Run(fmt.Sprintf("WantsApp/%d", m.Count()), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				m.WantsApp(&tuples[i%len(tuples)])
			}
		})
		b.Run(fmt.Sprintf("MatchDomain/%d", m.Count()), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				m.MatchDomain(&tuples[i%len(tuples)], names[i%len(names)])
			}
		})
		b.Run(fmt.Sprintf("MatchCommand/%d", m.Count()), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				m.MatchCommand(&tuples[i%len(tuples)], lines[i%len(lines)])
			}
		})
	}
}

func BenchmarkCompile100k(b *testing.B) {
	for b.Loop() {
		benchSet(b, 100_000)
	}
}

// TestMatcherConcurrent runs every query from several goroutines at once;
// with -race it checks that a Matcher is safe for concurrent use.
func TestMatcherConcurrent(t *testing.T) {
	m := compile(t, matchRules...)
	done := make(chan struct{})
	for g := range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			tu := tuple("198.51.100.1", uint16(g), "192.0.2.1", 80, "tcp")
			for range 1000 {
				m.MatchTuple(&tu)
				m.WantsApp(&tu)
				m.MatchDomain(&tu, []byte("a.evil.example"))
				m.MatchCommand(&tu, []byte("POST /A3fe HTTP/1.1"))
			}
		}()
	}
	for range 4 {
		<-done
	}
}
