package criteria

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/acd-platform/acd/internal/selection/direction"
)

// Schema is the value of the "schema" field of the format this package reads.
const Schema = "acd.selection.criteria/v1"

// Limits of the format.
const (
	MaxIDLen      = 128 // bytes of a set or rule id
	MaxCommandLen = 256 // bytes of a command pattern
	MaxNameLen    = 253 // bytes of a domain name, without the trailing dot
)

// Sentinel errors of [Set.CheckValidity]. The CLI refuses to run (exit 3)
// outside the window; the caller should not retry with the same set.
var (
	ErrNotYetValid = errors.New("criteria set is not yet valid")
	ErrExpired     = errors.New("criteria set has expired")
)

// Set is a parsed criteria set. Make one with [Parse]; fields hold the
// normalised values (see the field comments). A Set is not changed by this
// package after Parse returns.
type Set struct {
	ID         string                // the set's id
	Version    int                   // its revision, ≥ 1
	Authority  string                // the agreement or approval it rests on
	Directions []direction.Direction // in file order; never DomesticDomestic
	ValidFrom  time.Time             // first instant of validity
	ValidUntil time.Time             // first instant after validity (the window is [ValidFrom, ValidUntil))
	Rules      []Rule
	SHA256     [32]byte // SHA-256 of the exact bytes given to Parse: the set's identity
}

// Rule is one rule of a set. Empty fields are conditions the rule does not
// have; a rule has at least one condition.
type Rule struct {
	ID        string
	Addresses []netip.Prefix // single addresses are /32 or /128
	Ports     []PortRange
	Domains   Domains
	Commands  []string // byte patterns, case-sensitive
}

// Domains holds a rule's domain names, lower case, without a trailing dot.
type Domains struct {
	Exact  []string // the name itself
	Suffix []string // the name and every name under it
}

// Len returns the number of names.
func (d Domains) Len() int { return len(d.Exact) + len(d.Suffix) }

// PortRange is one entry of a rule's ports: an IP protocol number and an
// inclusive port range. An entry that names no port has Lo 0 and Hi 65535;
// for protocols without ports that is the only form.
type PortRange struct {
	Proto  uint8
	Lo, Hi uint16
}

// IP protocol numbers with names in the format.
const (
	ProtoICMP   = 1
	ProtoTCP    = 6
	ProtoUDP    = 17
	ProtoICMPv6 = 58
	ProtoSCTP   = 132
)

// hasPorts reports whether proto has port numbers (TCP, UDP, SCTP).
func hasPorts(proto uint8) bool {
	return proto == ProtoTCP || proto == ProtoUDP || proto == ProtoSCTP
}

// String returns the entry in the file's form: "tcp/443", "udp/8000-8100",
// "icmp", "47".
func (p PortRange) String() string {
	var name string
	switch p.Proto {
	case ProtoICMP:
		name = "icmp"
	case ProtoTCP:
		name = "tcp"
	case ProtoUDP:
		name = "udp"
	case ProtoICMPv6:
		name = "icmpv6"
	case ProtoSCTP:
		name = "sctp"
	default:
		name = strconv.Itoa(int(p.Proto))
	}
	switch {
	case p.Lo == 0 && p.Hi == 65535:
		return name
	case p.Lo == p.Hi:
		return name + "/" + strconv.Itoa(int(p.Lo))
	default:
		return name + "/" + strconv.Itoa(int(p.Lo)) + "-" + strconv.Itoa(int(p.Hi))
	}
}

// DirectionSet returns s.Directions as a set.
func (s *Set) DirectionSet() direction.Set {
	var ds direction.Set
	for _, d := range s.Directions {
		ds.Add(d)
	}
	return ds
}

// Matchers returns the number of matchers in the set: the total of
// addresses, ports, domain names and command patterns over all rules.
func (s *Set) Matchers() int {
	n := 0
	for i := range s.Rules {
		r := &s.Rules[i]
		n += len(r.Addresses) + len(r.Ports) + r.Domains.Len() + len(r.Commands)
	}
	return n
}

// CheckValidity reports whether now is inside the set's validity window
// [ValidFrom, ValidUntil). Outside it the error wraps [ErrNotYetValid] or
// [ErrExpired] and names the window.
func (s *Set) CheckValidity(now time.Time) error {
	var err error
	switch {
	case now.Before(s.ValidFrom):
		err = ErrNotYetValid
	case !now.Before(s.ValidUntil):
		err = ErrExpired
	default:
		return nil
	}
	return fmt.Errorf("criteria %s version %d is valid from %s until %s: %w",
		s.ID, s.Version, s.ValidFrom.Format(time.RFC3339), s.ValidUntil.Format(time.RFC3339), err)
}

// FieldError reports a criteria file that is well-formed JSON but not a valid
// criteria set. Field is a JSON-path-like name of the offending value
// ("rules[12].addresses[3]"; empty for the top-level object).
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string {
	if e.Field == "" {
		return "criteria: " + e.Msg
	}
	return "criteria: " + e.Field + ": " + e.Msg
}

// SyntaxError reports a criteria file that is not well-formed JSON (or not
// UTF-8). Line and Column are 1-based; Column counts characters.
type SyntaxError struct {
	Line, Column int
	Msg          string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("criteria: line %d, column %d: %s", e.Line, e.Column, e.Msg)
}

func fieldErr(field, format string, args ...any) error {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// Parse parses and validates a criteria file. The error, if any, is a
// [*SyntaxError] or a [*FieldError] and describes the first problem found.
// Parse does not check the validity window; see [Set.CheckValidity].
func Parse(data []byte) (*Set, error) {
	if err := checkStructure(data); err != nil {
		return nil, err
	}
	var raw rawSet
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		// checkStructure has seen every key and type; this is a backstop.
		return nil, fmt.Errorf("criteria: decode: %w", err)
	}
	s, err := raw.convert()
	if err != nil {
		return nil, err
	}
	s.SHA256 = sha256.Sum256(data)
	if err := s.validate(); err != nil {
		return nil, err
	}
	return s, nil
}

// The raw form of the file. Pointers tell absent fields from empty ones:
// checkStructure refuses nulls, so nil means absent.
type rawSet struct {
	Schema     *string      `json:"schema"`
	ID         *string      `json:"id"`
	Version    *json.Number `json:"version"`
	Authority  *string      `json:"authority"`
	Directions *[]string    `json:"directions"`
	ValidFrom  *string      `json:"valid_from"`
	ValidUntil *string      `json:"valid_until"`
	Rules      *[]rawRule   `json:"rules"`
}

type rawRule struct {
	ID        *string     `json:"id"`
	Addresses *[]string   `json:"addresses"`
	Ports     *[]string   `json:"ports"`
	Domains   *rawDomains `json:"domains"`
	Commands  *[]string   `json:"commands"`
}

type rawDomains struct {
	Exact  *[]string `json:"exact"`
	Suffix *[]string `json:"suffix"`
}

const schemaPrefix = "acd.selection.criteria/v"

func (r *rawSet) convert() (*Set, error) {
	s := &Set{}
	switch {
	case r.Schema == nil:
		return nil, fieldErr("schema", "missing")
	case *r.Schema == Schema:
	case strings.HasPrefix(*r.Schema, schemaPrefix) && isDigits((*r.Schema)[len(schemaPrefix):]):
		return nil, fieldErr("schema", "%s is an unsupported schema version (this program reads %s)", quote(*r.Schema), Schema)
	default:
		return nil, fieldErr("schema", "%s is not %s", quote(*r.Schema), Schema)
	}
	if r.ID == nil {
		return nil, fieldErr("id", "missing")
	}
	s.ID = *r.ID
	if r.Version == nil {
		return nil, fieldErr("version", "missing")
	}
	v, err := strconv.ParseInt(string(*r.Version), 10, 32)
	if err != nil {
		if isDigits(strings.TrimPrefix(string(*r.Version), "-")) {
			return nil, fieldErr("version", "%s is out of range", *r.Version)
		}
		return nil, fieldErr("version", "%s is not an integer", *r.Version)
	}
	s.Version = int(v)
	if r.Authority == nil {
		return nil, fieldErr("authority", "missing")
	}
	s.Authority = *r.Authority
	if r.Directions == nil {
		return nil, fieldErr("directions", "missing")
	}
	for i, name := range *r.Directions {
		d, err := direction.ParseDirection(name)
		if err != nil {
			return nil, fieldErr(fmt.Sprintf("directions[%d]", i), "%s is not a direction (want foreign-foreign, foreign-domestic or domestic-foreign)", quote(name))
		}
		s.Directions = append(s.Directions, d)
	}
	if s.ValidFrom, err = parseTime("valid_from", r.ValidFrom); err != nil {
		return nil, err
	}
	if s.ValidUntil, err = parseTime("valid_until", r.ValidUntil); err != nil {
		return nil, err
	}
	if r.Rules == nil {
		return nil, fieldErr("rules", "missing")
	}
	s.Rules = make([]Rule, len(*r.Rules))
	for i := range *r.Rules {
		if err := (*r.Rules)[i].convert(fmt.Sprintf("rules[%d]", i), &s.Rules[i]); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func parseTime(field string, s *string) (time.Time, error) {
	if s == nil {
		return time.Time{}, fieldErr(field, "missing")
	}
	t, err := time.Parse(time.RFC3339, *s)
	if err != nil {
		return time.Time{}, fieldErr(field, "%s is not an RFC 3339 time (like 2026-11-01T00:00:00Z)", quote(*s))
	}
	return t, nil
}

func (r *rawRule) convert(path string, out *Rule) error {
	if r.ID == nil {
		return fieldErr(path+".id", "missing")
	}
	out.ID = *r.ID
	if r.Addresses != nil {
		if len(*r.Addresses) == 0 {
			return fieldErr(path+".addresses", "empty list (leave the field out instead)")
		}
		for i, a := range *r.Addresses {
			p, err := parseAddress(a)
			if err != nil {
				return fieldErr(fmt.Sprintf("%s.addresses[%d]", path, i), "%s", err)
			}
			out.Addresses = append(out.Addresses, p)
		}
	}
	if r.Ports != nil {
		if len(*r.Ports) == 0 {
			return fieldErr(path+".ports", "empty list (leave the field out instead)")
		}
		for i, s := range *r.Ports {
			p, err := parsePort(s)
			if err != nil {
				return fieldErr(fmt.Sprintf("%s.ports[%d]", path, i), "%s", err)
			}
			out.Ports = append(out.Ports, p)
		}
	}
	if r.Domains != nil {
		d := r.Domains
		if (d.Exact == nil || len(*d.Exact) == 0) && (d.Suffix == nil || len(*d.Suffix) == 0) {
			return fieldErr(path+".domains", "no names: give exact or suffix names, or leave the field out")
		}
		var err error
		if out.Domains.Exact, err = parseNames(path+".domains.exact", d.Exact); err != nil {
			return err
		}
		if out.Domains.Suffix, err = parseNames(path+".domains.suffix", d.Suffix); err != nil {
			return err
		}
	}
	if r.Commands != nil {
		if len(*r.Commands) == 0 {
			return fieldErr(path+".commands", "empty list (leave the field out instead)")
		}
		for i, c := range *r.Commands {
			if err := checkCommand(c); err != nil {
				return fieldErr(fmt.Sprintf("%s.commands[%d]", path, i), "%s", err)
			}
			out.Commands = append(out.Commands, c)
		}
	}
	return nil
}

func parseNames(path string, names *[]string) ([]string, error) {
	if names == nil {
		return nil, nil
	}
	if len(*names) == 0 {
		return nil, fieldErr(path, "empty list (leave the field out instead)")
	}
	out := make([]string, 0, len(*names))
	for i, n := range *names {
		norm, err := normalizeDomain(n)
		if err != nil {
			return nil, fieldErr(fmt.Sprintf("%s[%d]", path, i), "%s", err)
		}
		out = append(out, norm)
	}
	return out, nil
}

// parseAddress parses an address or CIDR prefix of a rule.
func parseAddress(s string) (netip.Prefix, error) {
	var p netip.Prefix
	if strings.IndexByte(s, '/') >= 0 {
		var err error
		if p, err = netip.ParsePrefix(s); err != nil {
			return p, fmt.Errorf("%s is not an address or CIDR", quote(s))
		}
	} else {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return p, fmt.Errorf("%s is not an address or CIDR", quote(s))
		}
		if a.Zone() != "" {
			return p, fmt.Errorf("%s has a zone; write the address without it", quote(s))
		}
		p = netip.PrefixFrom(a, a.BitLen())
	}
	if p.Addr().Is4In6() {
		return p, fmt.Errorf("%s is IPv4-mapped IPv6; write it as IPv4", quote(s))
	}
	if p.Masked() != p {
		return p, fmt.Errorf("%s has bits set after the prefix length (did you mean %s?)", quote(s), p.Masked())
	}
	return p, nil
}

// parsePort parses a ports entry: "proto", "proto/port" or "proto/lo-hi".
func parsePort(s string) (PortRange, error) {
	name, ports, hasSlash := strings.Cut(s, "/")
	var p PortRange
	switch name {
	case "tcp":
		p.Proto = ProtoTCP
	case "udp":
		p.Proto = ProtoUDP
	case "sctp":
		p.Proto = ProtoSCTP
	case "icmp":
		p.Proto = ProtoICMP
	case "icmpv6":
		p.Proto = ProtoICMPv6
	default:
		n, ok := parseDecimal(name, 255)
		if !ok {
			return p, fmt.Errorf("%s: protocol %s is not tcp, udp, sctp, icmp, icmpv6 or a number from 0 to 255", quote(s), quote(name))
		}
		p.Proto = uint8(n)
	}
	p.Lo, p.Hi = 0, 65535
	if !hasSlash {
		return p, nil
	}
	if !hasPorts(p.Proto) {
		return p, fmt.Errorf("%s: protocol %s has no ports (ports are for tcp, udp and sctp)", quote(s), name)
	}
	lo, hi, isRange := strings.Cut(ports, "-")
	l, ok := parseDecimal(lo, 65535)
	if !ok {
		return p, fmt.Errorf("%s: port %s is not a number from 0 to 65535", quote(s), quote(lo))
	}
	h := l
	if isRange {
		if h, ok = parseDecimal(hi, 65535); !ok {
			return p, fmt.Errorf("%s: port %s is not a number from 0 to 65535", quote(s), quote(hi))
		}
		if h < l {
			return p, fmt.Errorf("%s: range %d-%d is backwards", quote(s), l, h)
		}
	}
	p.Lo, p.Hi = uint16(l), uint16(h)
	return p, nil
}

// parseDecimal parses a plain decimal number without sign or leading zeros,
// at most max.
func parseDecimal(s string, max int) (int, bool) {
	if s == "" || len(s) > 5 || !isDigits(s) || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	n, _ := strconv.Atoi(s)
	return n, n <= max
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// normalizeDomain checks a domain name of a rule and returns it in lower
// case without a trailing dot.
func normalizeDomain(s string) (string, error) {
	name := strings.TrimSuffix(s, ".")
	if name == "" {
		return "", fmt.Errorf("%s is not a domain name: empty", quote(s))
	}
	if len(name) > MaxNameLen {
		return "", fmt.Errorf("domain name of %d bytes is longer than %d", len(name), MaxNameLen)
	}
	for i := 0; i < len(name); i++ {
		if name[i] >= utf8.RuneSelf {
			return "", fmt.Errorf("%s is not ASCII: write internationalised names as A-labels (xn--…)", quote(s))
		}
	}
	name = strings.ToLower(name)
	for label := range strings.SplitSeq(name, ".") {
		if err := checkLabel(label); err != nil {
			return "", fmt.Errorf("%s is not a domain name: %s", quote(s), err)
		}
	}
	if _, err := netip.ParseAddr(name); err == nil {
		return "", fmt.Errorf("%s is an address, not a domain name: put it in addresses", quote(s))
	}
	return name, nil
}

// checkLabel checks one lower-case label: 1 to 63 letters, digits and
// hyphens, not starting or ending with a hyphen.
func checkLabel(l string) error {
	if l == "" {
		return errors.New("empty label")
	}
	if len(l) > 63 {
		return fmt.Errorf("label of %d bytes is longer than 63", len(l))
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return fmt.Errorf("label %s has a character other than letters, digits and hyphen", quote(l))
		}
	}
	if l[0] == '-' || l[len(l)-1] == '-' {
		return fmt.Errorf("label %s starts or ends with a hyphen", quote(l))
	}
	return nil
}

func checkCommand(c string) error {
	switch {
	case c == "":
		return errors.New("empty pattern")
	case len(c) > MaxCommandLen:
		return fmt.Errorf("pattern of %d bytes is longer than %d", len(c), MaxCommandLen)
	}
	return nil
}

// validID reports whether s is 1 to MaxIDLen characters from A-Z a-z 0-9 . _ : -.
func validID(s string) bool {
	if s == "" || len(s) > MaxIDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '.' && c != '_' && c != ':' && c != '-' {
			return false
		}
	}
	return true
}

func idErr(field, id string) error {
	if len(id) > MaxIDLen {
		return fieldErr(field, "id of %d bytes is longer than %d", len(id), MaxIDLen)
	}
	return fieldErr(field, "%s is not a valid id: want 1 to %d characters from A-Z a-z 0-9 . _ : -", quote(id), MaxIDLen)
}

// validate checks the invariants of a Set, as Parse leaves it: the rules of
// the format that are not about one value's spelling, and, for a Set built by
// hand, every value's normal form.
func (s *Set) validate() error {
	if !validID(s.ID) {
		return idErr("id", s.ID)
	}
	if s.Version < 1 {
		return fieldErr("version", "%d is less than 1", s.Version)
	}
	if strings.TrimSpace(s.Authority) == "" {
		return fieldErr("authority", "empty: name the agreement or approval the set rests on")
	}
	if len(s.Directions) == 0 {
		return fieldErr("directions", "empty list: name the directions in scope")
	}
	var seen direction.Set
	for i, d := range s.Directions {
		field := fmt.Sprintf("directions[%d]", i)
		switch {
		case d == direction.DomesticDomestic:
			return fieldErr(field, "%q is never in scope: communications between two domestic parties (内内) may not be selected", d)
		case d > direction.DomesticDomestic:
			return fieldErr(field, "invalid direction %d", uint8(d))
		case seen.Has(d):
			return fieldErr(field, "duplicate %q", d)
		}
		seen.Add(d)
	}
	if !s.ValidFrom.Before(s.ValidUntil) {
		return fieldErr("valid_until", "%s is not after valid_from (%s)", s.ValidUntil.Format(time.RFC3339), s.ValidFrom.Format(time.RFC3339))
	}
	if len(s.Rules) == 0 {
		return fieldErr("rules", "empty list: a set needs at least one rule")
	}
	ids := make(map[string]int, len(s.Rules))
	for i := range s.Rules {
		r := &s.Rules[i]
		path := fmt.Sprintf("rules[%d]", i)
		if !validID(r.ID) {
			return idErr(path+".id", r.ID)
		}
		if j, dup := ids[r.ID]; dup {
			return fieldErr(path+".id", "duplicate %q (also rules[%d])", r.ID, j)
		}
		ids[r.ID] = i
		if err := r.validate(path); err != nil {
			return err
		}
	}
	return nil
}

func (r *Rule) validate(path string) error {
	if len(r.Addresses) == 0 && len(r.Ports) == 0 && r.Domains.Len() == 0 && len(r.Commands) == 0 {
		return fieldErr(path, "no conditions: give at least one of addresses, ports, domains, commands")
	}
	if r.Domains.Len() > 0 && len(r.Commands) > 0 {
		return fieldErr(path, "tests both domains and commands: names and command lines are matched "+
			"one at a time as they are seen, so a rule cannot require both; write two rules if either should select")
	}
	for i, p := range r.Addresses {
		if !p.IsValid() || p.Addr().Is4In6() || p.Addr().Zone() != "" || p.Masked() != p {
			return fieldErr(fmt.Sprintf("%s.addresses[%d]", path, i), "invalid prefix %s", p)
		}
	}
	for i, p := range r.Ports {
		if p.Lo > p.Hi || (!hasPorts(p.Proto) && (p.Lo != 0 || p.Hi != 65535)) {
			return fieldErr(fmt.Sprintf("%s.ports[%d]", path, i), "invalid range %d/%d-%d", p.Proto, p.Lo, p.Hi)
		}
	}
	for _, list := range []struct {
		field string
		names []string
	}{{"exact", r.Domains.Exact}, {"suffix", r.Domains.Suffix}} {
		for i, n := range list.names {
			if norm, err := normalizeDomain(n); err != nil || norm != n {
				return fieldErr(fmt.Sprintf("%s.domains.%s[%d]", path, list.field, i), "%s is not a lower-case domain name without a trailing dot", quote(n))
			}
		}
	}
	for i, c := range r.Commands {
		if err := checkCommand(c); err != nil {
			return fieldErr(fmt.Sprintf("%s.commands[%d]", path, i), "%s", err)
		}
	}
	return nil
}

// quote quotes a value of the criteria file for an error message, cut to 64
// bytes.
func quote(s string) string {
	if len(s) > 64 {
		cut := 64
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		return strconv.Quote(s[:cut]) + "…"
	}
	return strconv.Quote(s)
}
