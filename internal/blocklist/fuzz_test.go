package blocklist_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/acd-platform/acd/internal/blocklist"
	"github.com/acd-platform/acd/internal/svcerr"
)

// FuzzParseValue checks that ParseValue never panics, that its errors are
// FieldErrors for "value", and that what it accepts is canonical: plain
// ASCII of a known kind that parses again to itself, whatever the options.
// Seeds are in testdata/fuzz/FuzzParseValue, each with a comment saying
// what it covers.
func FuzzParseValue(f *testing.F) {
	f.Add("198.51.100.7", true) // the common case
	f.Fuzz(func(t *testing.T, s string, allowDoc bool) {
		opts := blocklist.ParseOptions{AllowDocumentation: allowDoc}
		kind, value, err := blocklist.ParseValue(s, opts)
		if err != nil {
			var fe *svcerr.FieldError
			if !errors.As(err, &fe) || fe.Field != "value" {
				t.Fatalf("error is %T %v, want a FieldError for value", err, err)
			}
			if !utf8.ValidString(err.Error()) {
				t.Fatalf("error %q is not valid UTF-8", err)
			}
			return
		}
		switch kind {
		case blocklist.KindIP, blocklist.KindCIDR, blocklist.KindDomain:
		default:
			t.Fatalf("ParseValue(%q): kind %q", s, kind)
		}
		for i := 0; i < len(value); i++ {
			if c := value[i]; c <= ' ' || c >= 0x7f || c >= 'A' && c <= 'Z' {
				t.Fatalf("ParseValue(%q) = %q: byte %q is not lower-case printable ASCII", s, value, c)
			}
		}
		if strings.Contains(value, "*") {
			t.Fatalf("ParseValue(%q) = %q: a wildcard", s, value)
		}
		kind2, value2, err := blocklist.ParseValue(value, opts)
		if err != nil || kind2 != kind || value2 != value {
			t.Fatalf("ParseValue(%q) = %s %q, but that parses to %s %q, %v", s, kind, value, kind2, value2, err)
		}
	})
}
