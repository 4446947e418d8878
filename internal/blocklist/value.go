package blocklist

import (
	"fmt"
	"net/netip"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"

	"github.com/acd-platform/acd/internal/svcerr"
)

// Kind is what an entry's value is, derived from the value.
type Kind string

// Kinds of entry.
const (
	KindIP     Kind = "ip"     // one IPv4 or IPv6 address
	KindCIDR   Kind = "cidr"   // an IPv4 or IPv6 network
	KindDomain Kind = "domain" // a domain name and every name under it
)

// Limits on entry values.
const (
	// MaxValueLen is the longest value accepted, in bytes, before it is
	// normalised.
	MaxValueLen = 1024
	// MinIPv4Bits and MinIPv6Bits are the broadest networks accepted: a
	// wider one would block far more than one attacker's infrastructure.
	MinIPv4Bits = 16
	MinIPv6Bits = 32
)

// ParseOptions says which otherwise refused values ParseValue accepts.
type ParseOptions struct {
	// AllowDocumentation accepts the ranges and names reserved for
	// documentation: 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24
	// (RFC 5737), 2001:db8::/32 (RFC 3849), 3fff::/20 (RFC 9637), the
	// .example and .test top-level domains and example.com, example.net
	// and example.org (RFC 2606, RFC 6761). Only tests and the demo set it.
	AllowDocumentation bool
}

// ParseValue normalises an entry value and derives its kind:
//
//   - an IP address ("198.51.100.7", "2001:DB8::1") is KindIP in its
//     canonical form (RFC 5952 for IPv6);
//   - a network ("198.51.100.0/24") is KindCIDR with the host bits masked
//     off, or KindIP when it is a single address (/32, /128); networks
//     broader than /16 (IPv4) or /32 (IPv6) are refused;
//   - anything else is a domain name: lower-cased and converted to ASCII
//     (IDNA, "例え.jp" → "xn--r8jz45g.jp"), a valid host name of at least two
//     labels that is not a public suffix (co.jp) and not a wildcard.
//
// Addresses and names reserved for special purposes — private, shared,
// loopback, link-local, multicast, unspecified, reserved, benchmarking,
// protocol assignments, translation and tunnelling prefixes, special-use
// domain names (.localhost, .local, .invalid, .onion, .arpa, .internal,
// .alt) — are refused: blocking them would break networks rather than
// protect them. Documentation ranges and names are refused too unless
// opts.AllowDocumentation.
//
// The error is a [*svcerr.FieldError] for field "value" that quotes the
// input.
func ParseValue(s string, opts ParseOptions) (Kind, string, error) {
	if len(s) > MaxValueLen {
		return "", "", valueErr("%d bytes, at most %d allowed", len(s), MaxValueLen)
	}
	if !utf8.ValidString(s) {
		return "", "", valueErr("%q is not valid UTF-8", s)
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return "", "", valueErr("required")
	}
	if addr, _, ok := strings.Cut(s, "/"); ok {
		if !looksLikeIP(addr) {
			return "", "", valueErr("%q: a value is an IP address, a network or a domain name, not a URL or path", s)
		}
		return parseCIDR(s, opts)
	}
	if looksLikeIP(s) {
		return parseIP(s, opts)
	}
	return parseDomain(s, opts)
}

func valueErr(format string, args ...any) error { return svcerr.Fieldf("value", format, args...) }

// looksLikeIP reports whether s should be read as an address rather than
// a name: it holds a colon (IPv6) or only digits and dots (IPv4).
func looksLikeIP(s string) bool {
	if strings.Contains(s, ":") {
		return true
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != '.' && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

func parseIP(s string, opts ParseOptions) (Kind, string, error) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return "", "", valueErr("%q is not an IP address: %s", s, addrErrText(err))
	}
	if a.Zone() != "" {
		return "", "", valueErr("%q has a zone (%%%s); give the address alone", s, a.Zone())
	}
	p := netip.PrefixFrom(a, a.BitLen())
	if err := checkSpecial(s, p, opts); err != nil {
		return "", "", err
	}
	return KindIP, a.String(), nil
}

func parseCIDR(s string, opts ParseOptions) (Kind, string, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return "", "", valueErr("%q is not an IP network (CIDR such as 198.51.100.0/24): %s", s, addrErrText(err))
	}
	p = p.Masked()
	if p.Addr().Is4() && p.Bits() < MinIPv4Bits || p.Addr().Is6() && p.Bits() < MinIPv6Bits {
		return "", "", valueErr("%q is a /%d network: IPv4 networks may be at most /%d wide, IPv6 at most /%d", s, p.Bits(), MinIPv4Bits, MinIPv6Bits)
	}
	if err := checkSpecial(s, p, opts); err != nil {
		return "", "", err
	}
	if p.IsSingleIP() {
		return KindIP, p.Addr().String(), nil
	}
	return KindCIDR, p.String(), nil
}

// addrErrText is netip's error without its repetition of the input.
func addrErrText(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, "): "); i >= 0 {
		return msg[i+3:]
	}
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		return msg[i+2:]
	}
	return msg
}

// specialRange is a range of addresses no entry may cover.
type specialRange struct {
	prefix netip.Prefix
	what   string
	doc    bool // reserved for documentation (ParseOptions.AllowDocumentation)
}

// specialRanges are the IANA IPv4 and IPv6 Special-Purpose Address
// Registries' entries (RFC 6890 and its updates) and the ranges outside
// global unicast that matter. IPv6 outside 2000::/3 is refused as a whole
// (see checkSpecial); the IPv6 rows outside it are listed for their more
// helpful names.
var specialRanges = []specialRange{
	{netip.MustParsePrefix("0.0.0.0/8"), `"this network" (RFC 791)`, false},
	{netip.MustParsePrefix("10.0.0.0/8"), "private (RFC 1918)", false},
	{netip.MustParsePrefix("100.64.0.0/10"), "shared address space for carrier-grade NAT (RFC 6598)", false},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback (RFC 1122)", false},
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local (RFC 3927)", false},
	{netip.MustParsePrefix("172.16.0.0/12"), "private (RFC 1918)", false},
	{netip.MustParsePrefix("192.0.0.0/24"), "IETF protocol assignments (RFC 6890)", false},
	{netip.MustParsePrefix("192.0.2.0/24"), "documentation, TEST-NET-1 (RFC 5737)", true},
	{netip.MustParsePrefix("192.31.196.0/24"), "AS112 DNS service (RFC 7535)", false},
	{netip.MustParsePrefix("192.52.193.0/24"), "AMT relay anycast (RFC 7450)", false},
	{netip.MustParsePrefix("192.88.99.0/24"), "6to4 relay anycast (RFC 7526)", false},
	{netip.MustParsePrefix("192.168.0.0/16"), "private (RFC 1918)", false},
	{netip.MustParsePrefix("192.175.48.0/24"), "AS112 direct delegation (RFC 7534)", false},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking (RFC 2544)", false},
	{netip.MustParsePrefix("198.51.100.0/24"), "documentation, TEST-NET-2 (RFC 5737)", true},
	{netip.MustParsePrefix("203.0.113.0/24"), "documentation, TEST-NET-3 (RFC 5737)", true},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast (RFC 5771)", false},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved, and limited broadcast (RFC 1112, RFC 919)", false},

	{netip.MustParsePrefix("::/128"), "the unspecified address (RFC 4291)", false},
	{netip.MustParsePrefix("::1/128"), "loopback (RFC 4291)", false},
	{netip.MustParsePrefix("::ffff:0:0/96"), "IPv4-mapped (RFC 4291); give the IPv4 address", false},
	{netip.MustParsePrefix("64:ff9b::/96"), "IPv4/IPv6 translation (RFC 6052)", false},
	{netip.MustParsePrefix("64:ff9b:1::/48"), "local IPv4/IPv6 translation (RFC 8215)", false},
	{netip.MustParsePrefix("100::/64"), "discard-only (RFC 6666)", false},
	{netip.MustParsePrefix("fc00::/7"), "unique local (RFC 4193)", false},
	{netip.MustParsePrefix("fe80::/10"), "link-local (RFC 4291)", false},
	{netip.MustParsePrefix("ff00::/8"), "multicast (RFC 4291)", false},
	{netip.MustParsePrefix("2001::/23"), "IETF protocol assignments, Teredo and ORCHID (RFC 2928, RFC 4380)", false},
	{netip.MustParsePrefix("2001:db8::/32"), "documentation (RFC 3849)", true},
	{netip.MustParsePrefix("2002::/16"), "6to4 (RFC 3056)", false},
	{netip.MustParsePrefix("3fff::/20"), "documentation (RFC 9637)", true},
}

// globalUnicast6 is the IPv6 global unicast space; everything else is
// reserved or special.
var globalUnicast6 = netip.MustParsePrefix("2000::/3")

// checkSpecial refuses a network p (from input s) that overlaps a special
// range: one that covers part of it, or that it lies in.
func checkSpecial(s string, p netip.Prefix, opts ParseOptions) error {
	for _, r := range specialRanges {
		if r.doc && opts.AllowDocumentation {
			continue
		}
		if p.Overlaps(r.prefix) {
			if p.Bits() >= r.prefix.Bits() {
				return valueErr("%q is in %s, %s: the blocklist takes only globally routable addresses", s, r.prefix, r.what)
			}
			return valueErr("%q covers %s, %s: the blocklist takes only globally routable addresses", s, r.prefix, r.what)
		}
	}
	if p.Addr().Is6() && !globalUnicast6.Contains(p.Addr()) {
		return valueErr("%q is outside the IPv6 global unicast space %s: the blocklist takes only globally routable addresses", s, globalUnicast6)
	}
	return nil
}

// domainProfile converts names to ASCII for lookup (RFC 5891 §5):
// mapping upper case and compatibility forms, checking hyphens, joiners,
// bidi rules and the STD3 host-name characters.
var domainProfile = idna.Lookup

// Special-use and documentation domains (RFC 6761 and the IANA Special-Use
// Domain Names registry; RFC 2606; .internal reserved by ICANN for private
// use in 2024; .alt by RFC 9476).
var (
	specialTLDs = map[string]string{
		"localhost": "special-use (RFC 6761)",
		"local":     "multicast DNS (RFC 6762)",
		"invalid":   "special-use (RFC 6761)",
		"onion":     "Tor onion services (RFC 7686)",
		"arpa":      "infrastructure (.arpa, RFC 3172)",
		"internal":  "reserved for private use (ICANN, 2024)",
		"alt":       "reserved for non-DNS names (RFC 9476)",
		"home":      "commonly used in home networks, never delegated",
		"lan":       "commonly used in local networks, never delegated",
		"corp":      "commonly used in private networks, never delegated",
	}
	docTLDs    = map[string]bool{"example": true, "test": true}
	docDomains = []string{"example.com", "example.net", "example.org"}
)

func parseDomain(s string, opts ParseOptions) (Kind, string, error) {
	if strings.Contains(s, "*") {
		return "", "", valueErr("%q: wildcards are not accepted; give the domain, and the feeds block it and every name under it", s)
	}
	name := strings.TrimSuffix(s, ".")
	ascii, err := domainProfile.ToASCII(name)
	if err != nil {
		return "", "", valueErr("%q is not an IP address, network or valid domain name: %s", s, idnaErrText(err))
	}
	ascii = strings.ToLower(ascii)
	if len(ascii) > 253 {
		return "", "", valueErr("%q is %d characters long in ASCII, at most 253 allowed", s, len(ascii))
	}
	labels := strings.Split(ascii, ".")
	if len(labels) < 2 {
		return "", "", valueErr("%q is a single label: give a domain name of at least two labels (c2.example.jp)", s)
	}
	for i, l := range labels {
		if err := checkLabel(l); err != nil {
			return "", "", valueErr("%q: label %d %q %s", s, i+1, l, err)
		}
	}
	tld := labels[len(labels)-1]
	if isDigits(tld) {
		return "", "", valueErr("%q: a top-level domain is never all digits", s)
	}
	if strings.HasPrefix(tld, "rpz-") {
		return "", "", valueErr("%q: top-level domain %q is an RPZ trigger label, not a domain", s, tld)
	}
	if what, ok := specialTLDs[tld]; ok {
		return "", "", valueErr("%q is under .%s, %s: the blocklist takes only names in the public DNS", s, tld, what)
	}
	if !opts.AllowDocumentation {
		if docTLDs[tld] {
			return "", "", valueErr("%q is under .%s, reserved for documentation and testing (RFC 2606)", s, tld)
		}
		for _, d := range docDomains {
			if ascii == d || strings.HasSuffix(ascii, "."+d) {
				return "", "", valueErr("%q is under %s, reserved for documentation (RFC 2606)", s, d)
			}
		}
	}
	if ps, _ := publicsuffix.PublicSuffix(ascii); ps == ascii {
		return "", "", valueErr("%q is a public suffix (like co.jp): blocking it would block every domain registered under it", s)
	}
	return KindDomain, ascii, nil
}

// checkLabel checks one ASCII label of a host name (RFC 1123 §2.1).
func checkLabel(l string) error {
	if l == "" {
		return fmt.Errorf("is empty")
	}
	if len(l) > 63 {
		return fmt.Errorf("is %d characters long, at most 63 allowed", len(l))
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return fmt.Errorf("holds %q: a host name has only letters, digits and hyphens", c)
		}
	}
	if l[0] == '-' || l[len(l)-1] == '-' {
		return fmt.Errorf("starts or ends with a hyphen")
	}
	return nil
}

// idnaErrText is the IDNA error without the package's prefix.
func idnaErrText(err error) string {
	return strings.TrimPrefix(err.Error(), "idna: ")
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
