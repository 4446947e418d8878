package stix_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/stix"
)

// encodeBundle encodes b as ACD does, leaving <, > and & unescaped.
func encodeBundle(t *testing.T, b *stix.Bundle) []byte {
	t.Helper()
	var buf bytes.Buffer
	e := json.NewEncoder(&buf)
	e.SetEscapeHTML(false)
	if err := e.Encode(b); err != nil {
		t.Fatalf("encode: %v", err)
	}
	return buf.Bytes()
}

// FuzzParseBundle checks that ParseBundle never panics, that its errors
// are *stix.Error, and that what it accepts encodes to a bundle it accepts
// again and that encodes the same way (encoding is stable after one round).
// Seeds are in testdata/fuzz/FuzzParseBundle, each with a comment saying
// what it covers.
func FuzzParseBundle(f *testing.F) {
	f.Add([]byte(bundle(indicator, malware, ipv4))) // a small valid bundle
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := stix.ParseBundle(data)
		if err != nil {
			var se *stix.Error
			if !errors.As(err, &se) {
				t.Fatalf("error is a %T, want *stix.Error: %v", err, err)
			}
			return
		}
		out := encodeBundle(t, b)
		b2, err := stix.ParseBundle(out)
		if err != nil {
			t.Fatalf("ParseBundle(encode(ParseBundle(data))): %v\n%s", err, out)
		}
		if out2 := encodeBundle(t, b2); !bytes.Equal(out, out2) {
			t.Fatalf("encoding is not stable:\n%s\n%s", out, out2)
		}
	})
}

// FuzzParsePattern checks that ParsePattern never panics, that its errors
// are *PatternError with an offset inside the pattern, and that the
// canonical String form of what it accepts parses back to the same
// pattern. Seeds are in testdata/fuzz/FuzzParsePattern.
func FuzzParsePattern(f *testing.F) {
	f.Add("[ipv4-addr:value = '198.51.100.1']") // the common case
	f.Fuzz(func(t *testing.T, s string) {
		p, err := stix.ParsePattern(s)
		if err != nil {
			var pe *stix.PatternError
			if !errors.As(err, &pe) {
				t.Fatalf("error is a %T, want *stix.PatternError: %v", err, err)
			}
			if pe.Offset < 0 || pe.Offset > len(s) {
				t.Fatalf("offset %d outside the pattern of %d bytes: %v", pe.Offset, len(s), err)
			}
			return
		}
		canon := p.String()
		p2, err := stix.ParsePattern(canon)
		if err != nil {
			t.Fatalf("ParsePattern(%q) (String of %q): %v", canon, s, err)
		}
		if diff := cmp.Diff(p, p2); diff != "" {
			t.Fatalf("%q and its String %q parse differently (-first +second):\n%s", s, canon, diff)
		}
		if c2 := p2.String(); c2 != canon {
			t.Fatalf("String is not stable: %q then %q", canon, c2)
		}
	})
}
