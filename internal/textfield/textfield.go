// Package textfield holds the rules the record-keeping services apply to
// text that people type into a record: free text and one-line fields
// ([Check], [CheckLine]) and the shortening of text for titles and
// audit-log entries ([Cut], [FirstLine]).
//
// The checks return a [*svcerr.FieldError] naming the field, so that the
// API answers 400 with the field at fault.
package textfield

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/acd-platform/acd/internal/svcerr"
)

// MaxLine is the most characters of a one-line field (a title, a name).
const MaxLine = 200

// Check checks a free-text field: not blank when required, valid UTF-8, at
// most max characters, and no control characters but line breaks and tabs.
// The error is a *svcerr.FieldError for field.
func Check(field, s string, max int, required bool) error {
	if required && strings.TrimSpace(s) == "" {
		return svcerr.Fieldf(field, "required")
	}
	if !utf8.ValidString(s) {
		return svcerr.Fieldf(field, "not valid UTF-8")
	}
	if n := utf8.RuneCountInString(s); n > max {
		return svcerr.Fieldf(field, "%d characters, at most %d allowed", n, max)
	}
	for i, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r' {
			return svcerr.Fieldf(field, "control character U+%04X at byte %d", r, i)
		}
	}
	return nil
}

// CheckLine checks a one-line field as [Check] does, with no line break
// and at most [MaxLine] characters.
func CheckLine(field, s string, required bool) error {
	if strings.ContainsAny(s, "\r\n") {
		return svcerr.Fieldf(field, "must be one line")
	}
	return Check(field, s, MaxLine, required)
}

// Cut shortens s to at most n characters, ending it with "…" when it cuts.
// n must be at least 1.
func Cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// FirstLine returns s's first line, trimmed and cut to at most n
// characters.
func FirstLine(s string, n int) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	return Cut(strings.TrimSpace(s), n)
}
