package criteria_test

import (
	"crypto/sha256"
	"errors"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/selection/criteria"
	"github.com/acd-platform/acd/internal/selection/direction"
)

// field is one top-level member of a criteria document under test.
type field struct{ key, raw string }

// baseFields is a valid document with one rule.
var baseFields = []field{
	{"schema", `"acd.selection.criteria/v1"`},
	{"id", `"crit-1"`},
	{"version", `1`},
	{"authority", `"APR-1"`},
	{"directions", `["foreign-foreign"]`},
	{"valid_from", `"2026-11-01T00:00:00Z"`},
	{"valid_until", `"2026-12-01T00:00:00Z"`},
	{"rules", `[{"id": "r", "addresses": ["192.0.2.0/24"]}]`},
}

// doc returns baseFields with the given members replaced (in place), added
// (at the end) or, with raw "-", removed.
func doc(over ...field) string {
	fields := append([]field(nil), baseFields...)
	for _, o := range over {
		found := false
		for i := range fields {
			if fields[i].key == o.key {
				fields[i].raw, found = o.raw, true
			}
		}
		if !found {
			fields = append(fields, o)
		}
	}
	var b strings.Builder
	b.WriteString("{\n")
	first := true
	for _, f := range fields {
		if f.raw == "-" {
			continue
		}
		if !first {
			b.WriteString(",\n")
		}
		first = false
		b.WriteString("  \"" + f.key + "\": " + f.raw)
	}
	b.WriteString("\n}\n")
	return b.String()
}

// rules returns a document whose rules are the given raw rule objects.
func rules(objs ...string) string {
	return doc(field{"rules", "[" + strings.Join(objs, ",") + "]"})
}

func TestParseExample(t *testing.T) {
	data, err := os.ReadFile("testdata/example.json")
	if err != nil {
		t.Fatal(err)
	}
	s, err := criteria.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	want := &criteria.Set{
		ID:         "crit-2026-0042",
		Version:    3,
		Authority:  "APR-2026-0042",
		Directions: []direction.Direction{direction.ForeignForeign, direction.ForeignDomestic, direction.DomesticForeign},
		ValidFrom:  time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
		ValidUntil: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC),
		Rules: []criteria.Rule{
			{
				ID: "c2-servers",
				Addresses: []netip.Prefix{
					netip.MustParsePrefix("203.0.113.0/24"),
					netip.MustParsePrefix("2001:db8:bad::/48"),
					netip.MustParsePrefix("198.51.100.7/32"),
				},
				Ports: []criteria.PortRange{
					{Proto: 6, Lo: 443, Hi: 443},
					{Proto: 6, Lo: 8000, Hi: 8100},
					{Proto: 17, Lo: 53, Hi: 53},
					{Proto: 1, Lo: 0, Hi: 65535},
				},
			},
			{ID: "phish-domains", Domains: criteria.Domains{Exact: []string{"login-example.test"}, Suffix: []string{"evil.example"}}},
			{ID: "webshell", Commands: []string{"POST /A3fe", "cmd.exe"}, Ports: []criteria.PortRange{{Proto: 6, Lo: 80, Hi: 80}}},
		},
		SHA256: sha256.Sum256(data),
	}
	opts := cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })
	if diff := cmp.Diff(want, s, opts); diff != "" {
		t.Errorf("Parse(example.json) mismatch (-want +got):\n%s", diff)
	}
	if got, want := s.DirectionSet().String(), "foreign-foreign,foreign-domestic,domestic-foreign"; got != want {
		t.Errorf("DirectionSet() = %s, want %s", got, want)
	}
	if got, want := s.Matchers(), 3+4+2+2+1; got != want {
		t.Errorf("Matchers() = %d, want %d", got, want)
	}
	if _, err := criteria.Compile(s); err != nil {
		t.Errorf("Compile: %v", err)
	}
}

func TestParseExampleInDocs(t *testing.T) {
	// The example in docs/selection-criteria.md is testdata/example.json.
	md, err := os.ReadFile("../../../docs/selection-criteria.md")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("testdata/example.json")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "```json\n"+string(data)+"```\n") {
		t.Errorf("docs/selection-criteria.md does not contain testdata/example.json as a json block")
	}
}

func TestSHA256IsOfTheBytes(t *testing.T) {
	a := doc()
	b := strings.Replace(a, "{\n", "{ \n", 1) // same meaning, other bytes
	sa, err := criteria.Parse([]byte(a))
	if err != nil {
		t.Fatal(err)
	}
	sb, err := criteria.Parse([]byte(b))
	if err != nil {
		t.Fatal(err)
	}
	if sa.SHA256 != sha256.Sum256([]byte(a)) {
		t.Errorf("SHA256 is not sha256.Sum256 of the input")
	}
	if sa.SHA256 == sb.SHA256 {
		t.Errorf("two different files have the same SHA256")
	}
}

func TestParseNormalises(t *testing.T) {
	s, err := criteria.Parse([]byte(rules(
		`{"id": "a", "domains": {"exact": ["Login-Example.TEST."], "suffix": ["XN--80AK6AA92E.example"]}}`,
		`{"id": "b", "ports": ["6/22", "17", "0", "255", "sctp/0-65535", "icmpv6"]}`,
		`{"id": "c", "commands": ["\u0000\r\n\"\\ é"]}`,
		`{"id": "d", "addresses": ["2001:DB8::/32", "0.0.0.0/0"]}`,
	)))
	if err != nil {
		t.Fatal(err)
	}
	want := []criteria.Rule{
		{ID: "a", Domains: criteria.Domains{Exact: []string{"login-example.test"}, Suffix: []string{"xn--80ak6aa92e.example"}}},
		{ID: "b", Ports: []criteria.PortRange{{6, 22, 22}, {17, 0, 65535}, {0, 0, 65535}, {255, 0, 65535}, {132, 0, 65535}, {58, 0, 65535}}},
		{ID: "c", Commands: []string{"\x00\r\n\"\\ \xc3\xa9"}},
		{ID: "d", Addresses: []netip.Prefix{netip.MustParsePrefix("2001:db8::/32"), netip.MustParsePrefix("0.0.0.0/0")}},
	}
	opts := cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })
	if diff := cmp.Diff(want, s.Rules, opts); diff != "" {
		t.Errorf("rules mismatch (-want +got):\n%s", diff)
	}
	for _, tt := range []struct {
		p    criteria.PortRange
		want string
	}{
		{criteria.PortRange{6, 22, 22}, "tcp/22"},
		{criteria.PortRange{17, 8000, 8100}, "udp/8000-8100"},
		{criteria.PortRange{1, 0, 65535}, "icmp"},
		{criteria.PortRange{58, 0, 65535}, "icmpv6"},
		{criteria.PortRange{132, 0, 65535}, "sctp"},
		{criteria.PortRange{47, 0, 65535}, "47"},
	} {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("%v.String() = %q, want %q", tt.p, got, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	long := strings.Repeat("a", 129)
	tests := []struct {
		name string
		in   string
		want string
	}{
		// JSON syntax, with line and column.
		{"empty input", ``, `criteria: line 1, column 1: unexpected end of JSON input`},
		{"truncated", "{\n  \"schema\": \"acd", `criteria: line 2, column 17: unexpected end of JSON input`},
		{"bad character", "{\n  \"id\": x\n}", `criteria: line 2, column 9: invalid character 'x' looking for beginning of value`},
		{"trailing comma", "{\"id\": \"a\",\n}", `criteria: line 2, column 1: invalid character '}' looking for beginning of object key string`},
		{"column counts characters", "{\"authority\": \"日本\" x}", `criteria: line 1, column 20: invalid character 'x' after object key:value pair`},
		{"invalid UTF-8", "{\n\"id\": \"\xff\"}", `criteria: line 2, column 8: invalid UTF-8`},
		{"data after the object", doc() + "{}", `criteria: line 11, column 1: invalid character '{' after top-level value`},
		{"not an object", `["a"]`, `criteria: want a JSON object at the top level, got an array`},

		// Structure: duplicate keys, unknown fields, types, nulls.
		{"duplicate top-level key", doc(field{"id", `"a", "id": "b"`}), `criteria: duplicate key "id"`},
		{"duplicate key in rule", rules(`{"id": "a", "ports": ["tcp"], "ports": ["udp"]}`), `criteria: rules[0]: duplicate key "ports"`},
		{"duplicate key in domains", rules(`{"id": "a", "domains": {"exact": ["a.test"], "exact": ["b.test"]}}`), `criteria: rules[0].domains: duplicate key "exact"`},
		{"unknown top-level field", doc(field{"comment", `"x"`}), `criteria: unknown field "comment"`},
		{"field names are case-sensitive", doc(field{"ID", `"x"`}), `criteria: unknown field "ID"`},
		{"unknown rule field", rules(`{"id": "a", "adresses": ["192.0.2.1"]}`), `criteria: rules[0]: unknown field "adresses"`},
		{"unknown domains field", rules(`{"id": "a", "domains": {"prefix": ["a.test"]}}`), `criteria: rules[0].domains: unknown field "prefix"`},
		{"null", doc(field{"authority", `null`}), `criteria: authority: want a string, got null`},
		{"version as string", doc(field{"version", `"3"`}), `criteria: version: want a number, got a string`},
		{"directions as string", doc(field{"directions", `"foreign-foreign"`}), `criteria: directions: want an array of strings, got a string`},
		{"number in a string list", rules(`{"id": "a", "ports": [443]}`), `criteria: rules[0].ports[0]: want a string, got a number`},
		{"rule not an object", rules(`"a"`), `criteria: rules[0]: want an object, got a string`},
		{"rules as object", doc(field{"rules", `{}`}), `criteria: rules: want an array of objects, got an object`},
		{"domains as list", rules(`{"id": "a", "domains": ["a.test"]}`), `criteria: rules[0].domains: want an object, got an array`},

		// schema
		{"schema missing", doc(field{"schema", "-"}), `criteria: schema: missing`},
		{"schema v2", doc(field{"schema", `"acd.selection.criteria/v2"`}), `criteria: schema: "acd.selection.criteria/v2" is an unsupported schema version (this program reads acd.selection.criteria/v1)`},
		{"schema other", doc(field{"schema", `"acd.criteria/v1"`}), `criteria: schema: "acd.criteria/v1" is not acd.selection.criteria/v1`},

		// id
		{"id missing", doc(field{"id", "-"}), `criteria: id: missing`},
		{"id empty", doc(field{"id", `""`}), `criteria: id: "" is not a valid id: want 1 to 128 characters from A-Z a-z 0-9 . _ : -`},
		{"id with space", doc(field{"id", `"crit 1"`}), `criteria: id: "crit 1" is not a valid id: want 1 to 128 characters from A-Z a-z 0-9 . _ : -`},
		{"id too long", doc(field{"id", `"` + long + `"`}), `criteria: id: id of 129 bytes is longer than 128`},

		// version
		{"version missing", doc(field{"version", "-"}), `criteria: version: missing`},
		{"version zero", doc(field{"version", `0`}), `criteria: version: 0 is less than 1`},
		{"version negative", doc(field{"version", `-2`}), `criteria: version: -2 is less than 1`},
		{"version fraction", doc(field{"version", `1.5`}), `criteria: version: 1.5 is not an integer`},
		{"version exponent", doc(field{"version", `1e2`}), `criteria: version: 1e2 is not an integer`},
		{"version huge", doc(field{"version", `99999999999`}), `criteria: version: 99999999999 is out of range`},

		// authority
		{"authority missing", doc(field{"authority", "-"}), `criteria: authority: missing`},
		{"authority blank", doc(field{"authority", `"  "`}), `criteria: authority: empty: name the agreement or approval the set rests on`},

		// directions
		{"directions missing", doc(field{"directions", "-"}), `criteria: directions: missing`},
		{"directions empty", doc(field{"directions", `[]`}), `criteria: directions: empty list: name the directions in scope`},
		{"direction unknown", doc(field{"directions", `["foreign-foreign", "outbound"]`}), `criteria: directions[1]: "outbound" is not a direction (want foreign-foreign, foreign-domestic or domestic-foreign)`},
		{"direction Japanese", doc(field{"directions", `["外外"]`}), `criteria: directions[0]: "外外" is not a direction (want foreign-foreign, foreign-domestic or domestic-foreign)`},
		{"domestic-domestic", doc(field{"directions", `["foreign-foreign", "domestic-domestic"]`}), `criteria: directions[1]: "domestic-domestic" is never in scope: communications between two domestic parties (内内) may not be selected`},
		{"direction duplicate", doc(field{"directions", `["foreign-domestic", "foreign-domestic"]`}), `criteria: directions[1]: duplicate "foreign-domestic"`},

		// validity window
		{"valid_from missing", doc(field{"valid_from", "-"}), `criteria: valid_from: missing`},
		{"valid_until missing", doc(field{"valid_until", "-"}), `criteria: valid_until: missing`},
		{"valid_from not RFC 3339", doc(field{"valid_from", `"2026-11-01"`}), `criteria: valid_from: "2026-11-01" is not an RFC 3339 time (like 2026-11-01T00:00:00Z)`},
		{"valid_until bad month", doc(field{"valid_until", `"2026-13-01T00:00:00Z"`}), `criteria: valid_until: "2026-13-01T00:00:00Z" is not an RFC 3339 time (like 2026-11-01T00:00:00Z)`},
		{"window backwards", doc(field{"valid_until", `"2026-10-01T00:00:00Z"`}), `criteria: valid_until: 2026-10-01T00:00:00Z is not after valid_from (2026-11-01T00:00:00Z)`},
		{"window empty", doc(field{"valid_until", `"2026-11-01T09:00:00+09:00"`}), `criteria: valid_until: 2026-11-01T09:00:00+09:00 is not after valid_from (2026-11-01T00:00:00Z)`},

		// rules
		{"rules missing", doc(field{"rules", "-"}), `criteria: rules: missing`},
		{"rules empty", doc(field{"rules", `[]`}), `criteria: rules: empty list: a set needs at least one rule`},
		{"rule id missing", rules(`{"ports": ["tcp"]}`), `criteria: rules[0].id: missing`},
		{"rule id bad", rules(`{"id": "a/b", "ports": ["tcp"]}`), `criteria: rules[0].id: "a/b" is not a valid id: want 1 to 128 characters from A-Z a-z 0-9 . _ : -`},
		{"rule id duplicate", rules(`{"id": "a", "ports": ["tcp"]}`, `{"id": "b", "ports": ["udp"]}`, `{"id": "a", "ports": ["sctp"]}`), `criteria: rules[2].id: duplicate "a" (also rules[0])`},
		{"rule without conditions", rules(`{"id": "a"}`), `criteria: rules[0]: no conditions: give at least one of addresses, ports, domains, commands`},
		{"rule with domains and commands", rules(`{"id": "a", "domains": {"exact": ["a.test"]}, "commands": ["GET /x"]}`),
			`criteria: rules[0]: tests both domains and commands: names and command lines are matched one at a time as they are seen, so a rule cannot require both; write two rules if either should select`},

		// addresses
		{"addresses empty", rules(`{"id": "a", "addresses": []}`), `criteria: rules[0].addresses: empty list (leave the field out instead)`},
		{"address octet too big", rules(`{"id": "a", "addresses": ["192.0.2.0/24", "10.0.0.300/8"]}`), `criteria: rules[0].addresses[1]: "10.0.0.300/8" is not an address or CIDR`},
		{"address prefix too long", rules(`{"id": "a", "addresses": ["10.0.0.0/33"]}`), `criteria: rules[0].addresses[0]: "10.0.0.0/33" is not an address or CIDR`},
		{"address host name", rules(`{"id": "a", "addresses": ["example.com"]}`), `criteria: rules[0].addresses[0]: "example.com" is not an address or CIDR`},
		{"address host bits", rules(`{"id": "a", "addresses": ["203.0.113.5/24"]}`), `criteria: rules[0].addresses[0]: "203.0.113.5/24" has bits set after the prefix length (did you mean 203.0.113.0/24?)`},
		{"address mapped", rules(`{"id": "a", "addresses": ["::ffff:192.0.2.1"]}`), `criteria: rules[0].addresses[0]: "::ffff:192.0.2.1" is IPv4-mapped IPv6; write it as IPv4`},
		{"address zone", rules(`{"id": "a", "addresses": ["fe80::1%eth0"]}`), `criteria: rules[0].addresses[0]: "fe80::1%eth0" has a zone; write the address without it`},

		// ports
		{"ports empty", rules(`{"id": "a", "ports": []}`), `criteria: rules[0].ports: empty list (leave the field out instead)`},
		{"port protocol unknown", rules(`{"id": "a", "ports": ["http/80"]}`), `criteria: rules[0].ports[0]: "http/80": protocol "http" is not tcp, udp, sctp, icmp, icmpv6 or a number from 0 to 255`},
		{"port protocol upper case", rules(`{"id": "a", "ports": ["TCP/80"]}`), `criteria: rules[0].ports[0]: "TCP/80": protocol "TCP" is not tcp, udp, sctp, icmp, icmpv6 or a number from 0 to 255`},
		{"port protocol number too big", rules(`{"id": "a", "ports": ["256"]}`), `criteria: rules[0].ports[0]: "256": protocol "256" is not tcp, udp, sctp, icmp, icmpv6 or a number from 0 to 255`},
		{"port on icmp", rules(`{"id": "a", "ports": ["icmp/8"]}`), `criteria: rules[0].ports[0]: "icmp/8": protocol icmp has no ports (ports are for tcp, udp and sctp)`},
		{"port on protocol 47", rules(`{"id": "a", "ports": ["47/1"]}`), `criteria: rules[0].ports[0]: "47/1": protocol 47 has no ports (ports are for tcp, udp and sctp)`},
		{"port too big", rules(`{"id": "a", "ports": ["tcp/70000"]}`), `criteria: rules[0].ports[0]: "tcp/70000": port "70000" is not a number from 0 to 65535`},
		{"port empty", rules(`{"id": "a", "ports": ["tcp/"]}`), `criteria: rules[0].ports[0]: "tcp/": port "" is not a number from 0 to 65535`},
		{"port leading zero", rules(`{"id": "a", "ports": ["tcp/080"]}`), `criteria: rules[0].ports[0]: "tcp/080": port "080" is not a number from 0 to 65535`},
		{"port sign", rules(`{"id": "a", "ports": ["tcp/+80"]}`), `criteria: rules[0].ports[0]: "tcp/+80": port "+80" is not a number from 0 to 65535`},
		{"port range end bad", rules(`{"id": "a", "ports": ["udp/10-x"]}`), `criteria: rules[0].ports[0]: "udp/10-x": port "x" is not a number from 0 to 65535`},
		{"port range backwards", rules(`{"id": "a", "ports": ["udp/100-10"]}`), `criteria: rules[0].ports[0]: "udp/100-10": range 100-10 is backwards`},

		// domains
		{"domains without names", rules(`{"id": "a", "domains": {}}`), `criteria: rules[0].domains: no names: give exact or suffix names, or leave the field out`},
		{"domains with empty lists", rules(`{"id": "a", "domains": {"exact": [], "suffix": []}}`), `criteria: rules[0].domains: no names: give exact or suffix names, or leave the field out`},
		{"domains exact empty list", rules(`{"id": "a", "domains": {"exact": [], "suffix": ["a.test"]}}`), `criteria: rules[0].domains.exact: empty list (leave the field out instead)`},
		{"domain underscore", rules(`{"id": "a", "domains": {"exact": ["_dmarc.a.test"]}}`), `criteria: rules[0].domains.exact[0]: "_dmarc.a.test" is not a domain name: label "_dmarc" has a character other than letters, digits and hyphen`},
		{"domain wildcard", rules(`{"id": "a", "domains": {"suffix": ["*.evil.example"]}}`), `criteria: rules[0].domains.suffix[0]: "*.evil.example" is not a domain name: label "*" has a character other than letters, digits and hyphen`},
		{"domain empty label", rules(`{"id": "a", "domains": {"exact": ["a..test"]}}`), `criteria: rules[0].domains.exact[0]: "a..test" is not a domain name: empty label`},
		{"domain leading dot", rules(`{"id": "a", "domains": {"suffix": [".evil.example"]}}`), `criteria: rules[0].domains.suffix[0]: ".evil.example" is not a domain name: empty label`},
		{"domain only a dot", rules(`{"id": "a", "domains": {"exact": ["."]}}`), `criteria: rules[0].domains.exact[0]: "." is not a domain name: empty`},
		{"domain hyphen", rules(`{"id": "a", "domains": {"exact": ["a-.test"]}}`), `criteria: rules[0].domains.exact[0]: "a-.test" is not a domain name: label "a-" starts or ends with a hyphen`},
		{"domain label too long", rules(`{"id": "a", "domains": {"exact": ["` + strings.Repeat("a", 64) + `.test"]}}`), `criteria: rules[0].domains.exact[0]: "` + strings.Repeat("a", 64) + `"… is not a domain name: label of 64 bytes is longer than 63`},
		{"domain too long", rules(`{"id": "a", "domains": {"exact": ["` + strings.Repeat("a.", 127) + `ab"]}}`), `criteria: rules[0].domains.exact[0]: domain name of 256 bytes is longer than 253`},
		{"domain U-label", rules(`{"id": "a", "domains": {"exact": ["例え.jp"]}}`), `criteria: rules[0].domains.exact[0]: "例え.jp" is not ASCII: write internationalised names as A-labels (xn--…)`},
		{"domain is an address", rules(`{"id": "a", "domains": {"exact": ["192.0.2.1"]}}`), `criteria: rules[0].domains.exact[0]: "192.0.2.1" is an address, not a domain name: put it in addresses`},

		// commands
		{"commands empty", rules(`{"id": "a", "commands": []}`), `criteria: rules[0].commands: empty list (leave the field out instead)`},
		{"command empty", rules(`{"id": "a", "commands": ["GET /x", ""]}`), `criteria: rules[0].commands[1]: empty pattern`},
		{"command too long", rules(`{"id": "a", "commands": ["` + strings.Repeat("x", 257) + `"]}`), `criteria: rules[0].commands[0]: pattern of 257 bytes is longer than 256`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := criteria.Parse([]byte(tt.in))
			if err == nil {
				t.Fatalf("Parse succeeded (%d rules), want error %q", len(s.Rules), tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error:\n got %s\nwant %s", got, tt.want)
			}
			var fe *criteria.FieldError
			var se *criteria.SyntaxError
			if !errors.As(err, &fe) && !errors.As(err, &se) {
				t.Errorf("error is %T, want *FieldError or *SyntaxError", err)
			}
		})
	}
}

func TestCheckValidity(t *testing.T) {
	s, err := criteria.Parse([]byte(doc()))
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	until := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		now  time.Time
		want error
	}{
		{"a second before", from.Add(-time.Second), criteria.ErrNotYetValid},
		{"the first instant", from, nil},
		{"inside, in another zone", time.Date(2026, 11, 15, 9, 0, 0, 0, time.FixedZone("JST", 9*3600)), nil},
		{"the last nanosecond", until.Add(-1), nil},
		{"valid_until itself", until, criteria.ErrExpired},
		{"a year later", until.AddDate(1, 0, 0), criteria.ErrExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.CheckValidity(tt.now)
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("CheckValidity(%v) = %v, want %v", tt.now, err, tt.want)
			}
			if err != nil {
				want := "criteria crit-1 version 1 is valid from 2026-11-01T00:00:00Z until 2026-12-01T00:00:00Z: " + tt.want.Error()
				if err.Error() != want {
					t.Errorf("error = %q, want %q", err, want)
				}
			}
		})
	}
}

func TestCompileRejectsInvalidSets(t *testing.T) {
	good := func() *criteria.Set {
		s, err := criteria.Parse([]byte(doc()))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	tests := []struct {
		name   string
		modify func(*criteria.Set)
		want   string
	}{
		{"domestic-domestic", func(s *criteria.Set) { s.Directions = append(s.Directions, direction.DomesticDomestic) },
			`compile criteria: criteria: directions[1]: "domestic-domestic" is never in scope: communications between two domestic parties (内内) may not be selected`},
		{"upper-case domain", func(s *criteria.Set) { s.Rules[0].Domains.Exact = []string{"A.test"} },
			`compile criteria: criteria: rules[0].domains.exact[0]: "A.test" is not a lower-case domain name without a trailing dot`},
		{"backwards port range", func(s *criteria.Set) { s.Rules[0].Ports = []criteria.PortRange{{6, 9, 8}} },
			`compile criteria: criteria: rules[0].ports[0]: invalid range 6/9-8`},
		{"host bits", func(s *criteria.Set) {
			s.Rules[0].Addresses = []netip.Prefix{netip.PrefixFrom(netip.MustParseAddr("10.0.0.1"), 8)}
		},
			`compile criteria: criteria: rules[0].addresses[0]: invalid prefix 10.0.0.1/8`},
		{"no rules", func(s *criteria.Set) { s.Rules = nil },
			`compile criteria: criteria: rules: empty list: a set needs at least one rule`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := good()
			tt.modify(s)
			_, err := criteria.Compile(s)
			if got := errString(err); got != tt.want {
				t.Errorf("Compile error = %q, want %q", got, tt.want)
			}
		})
	}
	if _, err := criteria.Compile(nil); err == nil {
		t.Errorf("Compile(nil) succeeded")
	}
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}
