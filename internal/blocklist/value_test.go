package blocklist_test

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/acd-platform/acd/internal/blocklist"
	"github.com/acd-platform/acd/internal/svcerr"
)

func TestParseValue(t *testing.T) {
	doc := blocklist.ParseOptions{AllowDocumentation: true}
	prod := blocklist.ParseOptions{}
	tests := []struct {
		name  string
		in    string
		opts  blocklist.ParseOptions
		kind  blocklist.Kind
		value string
		err   string // a part of the error; "" for none
	}{
		// Addresses take their canonical form.
		{"ipv4", " 8.8.4.4 ", prod, blocklist.KindIP, "8.8.4.4", ""},
		{"ipv6 upper case and long", "2400:CB00:0000:0000:0000:0000:0000:0001", prod, blocklist.KindIP, "2400:cb00::1", ""},
		{"documentation ipv4 allowed", "198.51.100.7", doc, blocklist.KindIP, "198.51.100.7", ""},
		{"documentation ipv6 allowed", "2001:DB8::1", doc, blocklist.KindIP, "2001:db8::1", ""},
		// Networks are masked; a single-address network is an address.
		{"cidr masked", "203.0.113.77/24", doc, blocklist.KindCIDR, "203.0.113.0/24", ""},
		{"cidr /32 is an ip", "198.51.100.7/32", doc, blocklist.KindIP, "198.51.100.7", ""},
		{"cidr /128 is an ip", "2001:db8::1/128", doc, blocklist.KindIP, "2001:db8::1", ""},
		{"ipv6 cidr", "2001:db8:abcd:12::/48", doc, blocklist.KindCIDR, "2001:db8:abcd::/48", ""},
		{"ipv4 /16 is the widest", "8.8.0.0/16", prod, blocklist.KindCIDR, "8.8.0.0/16", ""},
		{"ipv4 /15 too wide", "8.8.0.0/15", prod, "", "", "at most /16"},
		{"ipv6 /32 is the widest", "2400:cb00::/32", prod, blocklist.KindCIDR, "2400:cb00::/32", ""},
		{"ipv6 /31 too wide", "2400:cb00::/31", prod, "", "", "at most /32"},
		// Special-purpose addresses are refused, documentation ones in production.
		{"private", "10.1.2.3", doc, "", "", "private (RFC 1918)"},
		{"private 172.16/12", "172.20.0.1", doc, "", "", "private"},
		{"loopback", "127.0.0.1", doc, "", "", "loopback"},
		{"link-local", "169.254.1.1", doc, "", "", "link-local"},
		{"cgn", "100.64.3.4", doc, "", "", "carrier-grade NAT"},
		{"multicast", "239.1.1.1", doc, "", "", "multicast"},
		{"broadcast", "255.255.255.255", doc, "", "", "reserved"},
		{"unspecified v4", "0.0.0.0", doc, "", "", "this network"},
		{"benchmarking", "198.18.0.1", doc, "", "", "benchmarking"},
		{"documentation in production", "192.0.2.1", prod, "", "", "documentation, TEST-NET-1"},
		{"documentation v6 in production", "2001:db8::1", prod, "", "", "documentation (RFC 3849)"},
		{"network covering a private range", "10.0.0.0/16", doc, "", "", "private"},
		{"network covering special ranges", "192.0.0.0/16", doc, "", "", "covers 192.0.0.0/24"},
		{"loopback v6", "::1", doc, "", "", "loopback"},
		{"unspecified v6", "::", doc, "", "", "unspecified"},
		{"link-local v6", "fe80::1", doc, "", "", "link-local"},
		{"unique local", "fd00::1", doc, "", "", "unique local"},
		{"multicast v6", "ff02::1", doc, "", "", "multicast"},
		{"ipv4-mapped", "::ffff:8.8.8.8", doc, "", "", "IPv4-mapped"},
		{"6to4", "2002:c000:0201::1", doc, "", "", "6to4"},
		{"teredo", "2001:0:4136:e378::1", doc, "", "", "Teredo"},
		{"outside global unicast", "4000::1", doc, "", "", "global unicast"},
		{"zone", "2400:cb00::1%eth0", doc, "", "", "has a zone"},
		// Malformed addresses say so.
		{"leading zero", "01.2.3.4", doc, "", "", `"01.2.3.4" is not an IP address`},
		{"five octets", "1.2.3.4.5", doc, "", "", "is not an IP address"},
		{"bad prefix", "198.51.100.0/33", doc, "", "", "is not an IP network"},
		{"url", "example.com/path", doc, "", "", "not a URL or path"},
		// Domains are lower-cased, converted to ASCII, and checked.
		{"domain", "C2.Evil-Host.JP.", prod, blocklist.KindDomain, "c2.evil-host.jp", ""},
		{"idn", "例え.テスト.jp", prod, blocklist.KindDomain, "xn--r8jz45g.xn--zckzah.jp", ""},
		{"punycode kept", "xn--r8jz45g.jp", prod, blocklist.KindDomain, "xn--r8jz45g.jp", ""},
		{"full-width mapped", "ｅｖｉｌ．ｊｐ", prod, blocklist.KindDomain, "evil.jp", ""},
		{"documentation domain allowed", "c2.example", doc, blocklist.KindDomain, "c2.example", ""},
		{"example.com allowed", "www.example.com", doc, blocklist.KindDomain, "www.example.com", ""},
		{"documentation domain in production", "c2.example", prod, "", "", "reserved for documentation"},
		{"example.com in production", "www.example.com", prod, "", "", "example.com, reserved"},
		{"wildcard", "*.evil.jp", prod, "", "", "wildcards are not accepted"},
		{"single label", "localhost", prod, "", "", "single label"},
		{"localhost", "foo.localhost", prod, "", "", "special-use"},
		{"onion", "abc.onion", prod, "", "", "onion"},
		{"arpa", "1.2.3.4.in-addr.arpa", prod, "", "", ".arpa"},
		{"public suffix", "co.jp", prod, "", "", "public suffix"},
		{"private public suffix", "github.io", prod, "", "", "public suffix"},
		{"numeric tld", "evil.123", prod, "", "", "never all digits"},
		{"rpz trigger", "32.1.2.3.4.rpz-ip", prod, "", "", "RPZ trigger"},
		{"underscore", "_dmarc.evil.jp", prod, "", "", "not an IP address, network or valid domain name"},
		{"empty label", "evil..jp", prod, "", "", `label 2 "" is empty`},
		{"leading hyphen", "-evil.jp", prod, "", "", "not an IP address, network or valid domain name"},
		{"long label", strings.Repeat("a", 64) + ".jp", prod, "", "", "at most 63"},
		{"long name", strings.Repeat("abcdefghi.", 26) + "jp", prod, "", "", "at most 253"},
		{"empty", "  ", prod, "", "", "required"},
		{"huge", strings.Repeat("a", 2000), prod, "", "", "at most 1024 allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kind, value, err := blocklist.ParseValue(tt.in, tt.opts)
			if tt.err != "" {
				if err == nil {
					t.Fatalf("got %s %q, want an error with %q", kind, value, tt.err)
				}
				if !strings.Contains(err.Error(), tt.err) {
					t.Errorf("got error %q, want it to hold %q", err, tt.err)
				}
				var fe *svcerr.FieldError
				if !errors.As(err, &fe) || fe.Field != "value" {
					t.Errorf("got %T %v, want a FieldError for value", err, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v, want %s %q", err, tt.kind, tt.value)
			}
			if kind != tt.kind || value != tt.value {
				t.Errorf("got %s %q, want %s %q", kind, value, tt.kind, tt.value)
			}
		})
	}
}

func TestRPZIPName(t *testing.T) {
	tests := []struct {
		prefix string
		want   string
	}{
		{"198.51.100.7/32", "32.7.100.51.198.rpz-ip"},                  // octets reversed, length first
		{"198.51.100.0/24", "24.0.100.51.198.rpz-ip"},                  // a network keeps its zero octets
		{"2001:db8::1/128", "128.1.zz.db8.2001.rpz-ip"},                // the zero run becomes zz
		{"2001:db8:abcd::/48", "48.zz.abcd.db8.2001.rpz-ip"},           // a run at the end of the name
		{"2001:db8:0:1:0:0:0:1/128", "128.1.zz.1.0.db8.2001.rpz-ip"},   // a single zero group stays 0
		{"2001:db8:0:0:1:0:0:1/128", "128.1.0.0.1.zz.db8.2001.rpz-ip"}, // equal runs: the first in the address's order
		{"2400:cb00:1:2:3:4:5:6/128", "128.6.5.4.3.2.1.cb00.2400.rpz-ip"},
	}
	for _, tt := range tests {
		if got := blocklist.RPZIPName(netip.MustParsePrefix(tt.prefix)); got != tt.want {
			t.Errorf("RPZIPName(%s): got %q, want %q", tt.prefix, got, tt.want)
		}
	}
}
