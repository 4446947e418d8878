package stix_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/stix"
)

func TestParsePattern(t *testing.T) {
	tests := []struct {
		in, want string // want is the canonical String form
	}{
		// The simplest patterns, as indicators usually have them.
		{"[ipv4-addr:value = '198.51.100.1']", "[ipv4-addr:value = '198.51.100.1']"},
		{"[ ipv4-addr:value = '10.0.0.0' ]", "[ipv4-addr:value = '10.0.0.0']"},
		{"[file:hashes.'SHA-256' = 'ab']", "[file:hashes.'SHA-256' = 'ab']"},
		{"[file:hashes.MD5 = 'ab']", "[file:hashes.MD5 = 'ab']"},
		// == and <> are spellings of = and !=.
		{"[x:y == 1]", "[x:y = 1]"},
		{"[x:y <> 1]", "[x:y != 1]"},
		// AND binds tighter than OR, inside and outside brackets.
		{"[a:b = 1 OR a:c = 2 AND a:d = 3]", "[(a:b = 1 OR (a:c = 2 AND a:d = 3))]"},
		{"[a:b = 1] OR [a:c = 2] AND [a:d = 3]", "([a:b = 1] OR ([a:c = 2] AND [a:d = 3]))"},
		// FOLLOWEDBY binds loosest; chains associate to the left.
		{"[a:b = 1] AND [a:c = 2] FOLLOWEDBY [a:d = 3] FOLLOWEDBY [a:e = 4]",
			"((([a:b = 1] AND [a:c = 2]) FOLLOWEDBY [a:d = 3]) FOLLOWEDBY [a:e = 4])"},
		// Parentheses inside and outside brackets.
		{"([a:b = 1] OR [a:c = 2]) AND [a:d = 3]", "(([a:b = 1] OR [a:c = 2]) AND [a:d = 3])"},
		{"[(a:b = 1 OR a:c = 2) AND a:d = 3]", "[((a:b = 1 OR a:c = 2) AND a:d = 3)]"},
		// Qualifiers bind to the observation before them.
		{"[a:b = 1] AND [a:c = 2] WITHIN 300 SECONDS", "([a:b = 1] AND [a:c = 2] WITHIN 300.0 SECONDS)"},
		{"([a:b = 1] AND [a:c = 2]) WITHIN 2.5 SECONDS", "([a:b = 1] AND [a:c = 2]) WITHIN 2.5 SECONDS"},
		{"[a:b = 1] REPEATS 5 TIMES WITHIN 10 SECONDS", "[a:b = 1] REPEATS 5 TIMES WITHIN 10.0 SECONDS"},
		{"[a:b = 1] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00.5Z'",
			"[a:b = 1] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00.5Z'"},
		// Every operator, with NOT.
		{"[a:b != 'x' AND a:c > 1 AND a:d < -1 AND a:e >= 1.5 AND a:f <= -.5]",
			"[((((a:b != 'x' AND a:c > 1) AND a:d < -1) AND a:e >= 1.5) AND a:f <= -0.5)]"},
		{"[a:b NOT IN ('x', 2, true, h'0aff')]", "[a:b NOT IN ('x', 2, true, h'0aff')]"},
		{"[a:b IN ()]", "[a:b IN ()]"},
		{"[a:b LIKE 'x%' AND a:c NOT MATCHES '^a.+$' AND a:d ISSUBSET '10.0.0.0/8' AND a:e ISSUPERSET '10.0.0.0/24']",
			"[(((a:b LIKE 'x%' AND a:c NOT MATCHES '^a.+$') AND a:d ISSUBSET '10.0.0.0/8') AND a:e ISSUPERSET '10.0.0.0/24')]"},
		{"[EXISTS windows-registry-key:values]", "[EXISTS windows-registry-key:values]"},
		// Literals of every kind.
		{"[a:b = b'AQIDBA==' OR a:c = t'2020-02-29T23:59:60Z' OR a:d = false OR a:e = +7]",
			"[(((a:b = b'AQIDBA==' OR a:c = t'2020-03-01T00:00:00Z') OR a:d = false) OR a:e = 7)]"},
		// String escapes and a quoted first path component.
		{`[a:'b-c' = 'it\'s a \\ back']`, `[a:'b-c' = 'it\'s a \\ back']`},
		// Object paths with list indexes and quoted keys.
		{"[email-message:body_multipart[*].body_raw_ref.name MATCHES '^Final']",
			"[email-message:body_multipart[*].body_raw_ref.name MATCHES '^Final']"},
		{"[network-traffic:extensions.'http-request-ext'.request_header.'Accept-Encoding' = 'gzip' AND a:b[0][-1] = 1]",
			"[(network-traffic:extensions.'http-request-ext'.request_header.'Accept-Encoding' = 'gzip' AND a:b[0][-1] = 1)]"},
		// Comments and exotic white space are skipped.
		{"/* c */ [a:b = 1] // end", "[a:b = 1]"},
		{"\u3000[a:b\u00a0= 1]\u2028", "[a:b = 1]"},
		// Keys that are keywords must be quoted, and are printed quoted.
		{"[a:'AND' = 1]", "[a:'AND' = 1]"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			p, err := stix.ParsePattern(tt.in)
			if err != nil {
				t.Fatalf("ParsePattern(%q): %v", tt.in, err)
			}
			if got := p.String(); got != tt.want {
				t.Errorf("ParsePattern(%q).String() = %q, want %q", tt.in, got, tt.want)
			}
			again, err := stix.ParsePattern(p.String())
			if err != nil {
				t.Fatalf("ParsePattern(String()): %v", err)
			}
			if diff := cmp.Diff(p, again); diff != "" {
				t.Errorf("String() does not parse back to the same pattern (-first +second):\n%s", diff)
			}
		})
	}
}

func TestParsePatternErrors(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", "unexpected end of pattern at offset 0: want \"[\" or \"(\""},                                            // empty
		{"[ipv4-addr:value = ]", `unexpected "]" at offset 19: want a literal`},                                       // no value
		{"[ipv4-addr:value = '1.2.3.4'", `unexpected end of pattern at offset 28: want AND, OR or "]"`},               // unclosed bracket
		{"[ipv4-addr:value = '1.2.3.4]", "unterminated string literal at offset 19"},                                  // unclosed string
		{"ipv4-addr:value = '1.2.3.4'", `unexpected "ipv4-addr" at offset 0: want "[" or "("`},                        // no brackets
		{"[ipv4-addr:value = '1'] [x:y = 1]", `unexpected "[" at offset 24: want AND, OR, FOLLOWEDBY or a qualifier`}, // two observations, no operator
		{"[a:b = 1] and [a:c = 2]", `unexpected "and" at offset 10: want AND, OR, FOLLOWEDBY or a qualifier`},         // keywords are upper case
		{"[a:b-c = 1]", `unexpected "b-c" at offset 3: want a property name (quote it if it has a hyphen)`},           // hyphen in a property
		{"[a:b = 'x\\n']", `invalid escape in string literal (only \' and \\ are allowed) at offset 9`},               // unknown escape
		{"[a:b > true]", `unexpected "true" at offset 7: want a literal that can be ordered (not a boolean)`},         // ordered bool
		{"[a:b LIKE 1]", `unexpected "1" at offset 10: want a string literal`},                                        // LIKE needs a string
		{"[a:b = 007]", `invalid number "007" (leading zero) at offset 7`},                                            // leading zero
		{"[a:b = 99999999999999999999]", `integer "99999999999999999999" out of range at offset 7`},                   // too big
		{"[a:b = t'2020-13-01T00:00:00Z']", `invalid timestamp literal "t'2020-13-01T00:00:00Z'" at offset 7`},        // month 13
		{"[a:b = h'abc']", `invalid hex literal "h'abc'" at offset 7`},                                                // odd digits
		{"[a:b = b'AQI']", `invalid binary (base64) literal "b'AQI'" at offset 7`},                                    // bad padding
		{"[a:b = 1] WITHIN -5 SECONDS", `unexpected "-5" at offset 17: want a positive number of seconds`},            // negative WITHIN
		{"[a:b = 1] REPEATS 2.5 TIMES", `unexpected "2.5" at offset 18: want a positive integer`},                     // fractional REPEATS
		{"[a:b = 1] WITHIN 5", `unexpected end of pattern at offset 18: want "SECONDS"`},                              // no SECONDS
		{"[a:b = 1] START t'2020-01-01T00:00:00Z'", `unexpected end of pattern at offset 39: want "STOP"`},            // no STOP
		{"[a:b[x] = 1]", `unexpected "x" at offset 5: want an index or "*"`},                                          // bad index
		{"[a = 1]", `unexpected "=" at offset 3: want ":"`},                                                           // no property
		{"[a:b = 1] /* open", "unterminated comment at offset 10"},                                                    // comment
		{"[a:b = 1 # 2]", `invalid character '#' at offset 9`},                                                        // junk
		{"[a:b IN (1 2)]", `unexpected "2" at offset 11: want ","`},                                                   // set without comma
		{"[EXISTS 'x']", `unexpected "'x'" at offset 8: want an object path like ipv4-addr:value`},                    // EXISTS needs a path
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := stix.ParsePattern(tt.in)
			if err == nil {
				t.Fatalf("ParsePattern(%q) succeeded, want error %q", tt.in, tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("ParsePattern(%q) error:\n got %s\nwant %s", tt.in, got, tt.want)
			}
			if _, ok := err.(*stix.PatternError); !ok {
				t.Errorf("error is a %T, want *stix.PatternError", err)
			}
		})
	}
}

func TestParsePatternNesting(t *testing.T) {
	deep := ""
	for range 101 {
		deep += "("
	}
	_, err := stix.ParsePattern(deep + "[a:b = 1]")
	if err == nil || err.Error() != "nested more than 100 levels deep at offset 100" {
		t.Errorf("101 parentheses: got %v, want nested more than 100 levels deep at offset 100", err)
	}
	long := make([]byte, stix.MaxPatternLen+1)
	if _, err := stix.ParsePattern(string(long)); err == nil {
		t.Errorf("pattern of %d bytes: got no error", len(long))
	}
}

func TestSimpleEquality(t *testing.T) {
	tests := []struct {
		in    string
		path  string
		value string
		ok    bool
	}{
		{"[ipv4-addr:value = '198.51.100.1']", "ipv4-addr:value", "198.51.100.1", true},
		{"[file:hashes.'SHA-256' = 'it\\'s']", "file:hashes.'SHA-256'", "it's", true},
		{"[ipv4-addr:value != '198.51.100.1']", "", "", false},    // not =
		{"[ipv4-addr:value NOT = '198.51.100.1']", "", "", false}, // negated
		{"[ipv4-addr:value = 1]", "", "", false},                  // not a string
		{"[a:b = 'x' OR a:c = 'y']", "", "", false},               // two comparisons
		{"[a:b = 'x'] WITHIN 5 SECONDS", "", "", false},           // qualified
		{"[a:b = 'x'] AND [a:b = 'x']", "", "", false},            // two observations
	}
	for _, tt := range tests {
		p, err := stix.ParsePattern(tt.in)
		if err != nil {
			t.Fatalf("ParsePattern(%q): %v", tt.in, err)
		}
		path, value, ok := p.SimpleEquality()
		if ok != tt.ok || ok && (path.String() != tt.path || value != tt.value) {
			t.Errorf("SimpleEquality(%q) = %q, %q, %v; want %q, %q, %v", tt.in, path.String(), value, ok, tt.path, tt.value, tt.ok)
		}
	}
}

func TestEqualityPatternQuotes(t *testing.T) {
	for _, v := range []string{"", "plain", `it's`, `back\slash`, `\'`, "日本語", "a]b"} {
		s := stix.EqualityPattern("url:value", v)
		p, err := stix.ParsePattern(s)
		if err != nil {
			t.Fatalf("ParsePattern(%q): %v", s, err)
		}
		_, got, ok := p.SimpleEquality()
		if !ok || got != v {
			t.Errorf("EqualityPattern(%q) = %q reads back as %q, %v", v, s, got, ok)
		}
	}
}
