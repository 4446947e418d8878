package match_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/acd-platform/acd/internal/product"
	"github.com/acd-platform/acd/internal/vuln/match"
)

// value parses one CPE attribute value as the formatted string writes it.
func value(t *testing.T, s string) product.Value {
	t.Helper()
	v, err := product.ParseValue(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// cpe parses a CPE name for a test.
func cpe(t *testing.T, s string) product.CPE {
	t.Helper()
	c, err := product.ParseCPE(s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCompareValues(t *testing.T) {
	tests := []struct {
		source, target string
		want           match.Relation
	}{
		// NISTIR 7696 Table 6-2, rows 1 to 18.
		{"*", "*", match.Equal},                // 1: ANY, ANY
		{"*", "-", match.Superset},             // 2: ANY, NA
		{"*", "vpn", match.Superset},           // 3: ANY, i
		{"*", "vp?", match.Undefined},          // 4: ANY, m + wild cards
		{"-", "*", match.Subset},               // 5: NA, ANY
		{"-", "-", match.Equal},                // 6: NA, NA
		{"-", "vpn", match.Disjoint},           // 7: NA, i
		{"-", "vp*", match.Undefined},          // 8: NA, m + wild cards
		{"vpn", "*", match.Subset},             // 9: i, ANY
		{"vpn", "-", match.Disjoint},           // 10: i, NA
		{"vpn", "vpn", match.Equal},            // 11: i, i
		{"vpn", "ssl_vpn", match.Disjoint},     // 12: i, k
		{"vpn", "*pn", match.Undefined},        // 13: i, m + wild cards
		{"vp*", "*", match.Subset},             // 14: j + wild cards, ANY
		{"vp*", "-", match.Disjoint},           // 15: j + wild cards, NA
		{"vp*", "vpn_gateway", match.Superset}, // 16: j + wild cards, i
		{"vp*", "ssl_vpn", match.Disjoint},     // 17: j + wild cards, k
		{"vp*", "vp?", match.Undefined},        // 18: j + wild cards, m + wild cards

		// Wildcards at the start, the end, both; "?" allows at most as
		// many characters as it has.
		{"*vpn", "ssl_vpn", match.Superset},
		{"*vpn*", "ssl_vpn_gateway", match.Superset},
		{"8.0.*", "8.0.6001", match.Superset},
		{"8.0.*", "8.1.0", match.Disjoint},
		{"sp?", "sp1", match.Superset},
		{"sp?", "sp", match.Superset}, // fewer at the very end
		{"sp?", "sp12", match.Disjoint},
		{"??8", "108", match.Superset},
		{"??8", "1008", match.Disjoint},
		// Quoted wildcards are literal.
		{`a\*b`, `a\*b`, match.Equal},
		{`a\*`, "ab", match.Disjoint},
		// Case was folded when parsing.
		{"VPN", "vpn", match.Equal},
	}
	for _, tt := range tests {
		t.Run(tt.source+"|"+tt.target, func(t *testing.T) {
			if got := match.CompareValues(value(t, tt.source), value(t, tt.target)); got != tt.want {
				t.Errorf("CompareValues(%s, %s) = %s, want %s", tt.source, tt.target, got, tt.want)
			}
		})
	}
}

func TestCompareCPE(t *testing.T) {
	tests := []struct {
		source, target string
		want           match.Relation
	}{
		// NISTIR 7696 §6.3 examples.
		{"cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*", "cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*", match.Equal},
		{"cpe:2.3:a:microsoft:internet_explorer:8.*:sp?:*:*:*:*:*:*", "cpe:2.3:a:microsoft:internet_explorer:8.0.6001:sp2:*:*:*:*:*:*", match.Superset},
		{"cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*", "cpe:2.3:a:microsoft:internet_explorer:*:*:*:*:*:*:*:*", match.Subset},
		{"cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*", "cpe:2.3:a:microsoft:internet_explorer:7.0:*:*:*:*:*:*:*", match.Disjoint},
		// A criteria with ANY version covers every version of the product.
		{"cpe:2.3:o:fortinet:fortios:*:*:*:*:*:*:*:*", "cpe:2.3:o:fortinet:fortios:7.2.1:*:*:*:*:*:*:*", match.Superset},
		// Mixed: target_sw narrower in the source, version wider.
		{"cpe:2.3:a:acme:plugin:*:*:*:*:*:wordpress:*:*", "cpe:2.3:a:acme:plugin:1.0:*:*:*:*:*:*:*", match.Undefined},
		// NA version (hardware) against a hardware name.
		{"cpe:2.3:h:tp-link:archer_ax21:-:*:*:*:*:*:*:*", "cpe:2.3:h:tp-link:archer_ax21:-:*:*:*:*:*:*:*", match.Equal},
		{"cpe:2.3:h:tp-link:archer_ax21:-:*:*:*:*:*:*:*", "cpe:2.3:h:tp-link:archer_ax21:1.0:*:*:*:*:*:*:*", match.Disjoint},
		// A target with wildcards is a pattern, not a name.
		{"cpe:2.3:a:acme:vpn:*:*:*:*:*:*:*:*", "cpe:2.3:a:acme:vpn:1.*:*:*:*:*:*:*:*", match.Undefined},
	}
	for _, tt := range tests {
		if got := match.CompareCPE(cpe(t, tt.source), cpe(t, tt.target)); got != tt.want {
			t.Errorf("CompareCPE(%s, %s) = %s, want %s", tt.source, tt.target, got, tt.want)
		}
	}
}

// FuzzCompareValues checks wildcard matching against a regular
// expression built from the same value: "*" as any run, n "?" as at most
// n characters (NISTIR 7696 compareStrings lets "?" at the ends match
// fewer).
func FuzzCompareValues(f *testing.F) {
	f.Add("8.0.*", "8.0.6001")  // trailing "*"
	f.Add("??8", "108")         // leading "?"s
	f.Add(`*a\*b?`, "xa*bc")    // a quoted "*" inside
	f.Add("vp*", "vpn_gateway") // a product pattern
	f.Fuzz(func(t *testing.T, src, tgt string) {
		s, err := product.ParseValue(src)
		if err != nil {
			return
		}
		tv, err := product.ParseValue(tgt)
		if err != nil || tv.Kind() != product.KindString || tv.HasWildcards() {
			return
		}
		got := match.CompareValues(s, tv)
		if s.Kind() != product.KindString {
			return
		}
		quant := func(w string) string {
			switch {
			case w == "":
				return ""
			case w == "*":
				return "(?s:.*)"
			}
			return fmt.Sprintf("(?s:.{0,%d})", len(w))
		}
		re := regexp.MustCompile("^" + quant(s.LeadingWildcard()) + regexp.QuoteMeta(s.Text()) + quant(s.TrailingWildcard()) + "$")
		want := match.Disjoint
		switch {
		case s == tv:
			want = match.Equal
		case s.HasWildcards() && re.MatchString(tv.Text()):
			want = match.Superset
		}
		if got != want {
			t.Fatalf("CompareValues(%s, %s) = %s, want %s", s.WFN(), tv.WFN(), got, want)
		}
	})
}
