package inspection

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/acd-platform/acd/internal/store"
)

// Limits on input, so that a hostile request cannot exhaust memory or the
// audit log.
const (
	// MaxText is the most characters of a free-text field (scope, finding,
	// recommendation, answer, description, reasons).
	MaxText = 20000
	// MaxLine is the most characters of a one-line field (title).
	MaxLine = 200
	// MaxIDs is the most entries of a list of ids (subjects, links,
	// related records).
	MaxIDs = 100
	// MaxFindings is the most findings one inspection holds.
	MaxFindings = 500
	// maxIDLen is the longest id accepted in a list of ids.
	maxIDLen = 100
	// listLimit caps every list.
	listLimit = 5000
)

// checkText checks a free-text field: valid UTF-8, at most max characters,
// no control characters but newlines, carriage returns and tabs.
func checkText(field, s string, max int, required bool) error {
	if required && strings.TrimSpace(s) == "" {
		return fieldErrorf(field, "required")
	}
	if !utf8.ValidString(s) {
		return fieldErrorf(field, "not valid UTF-8")
	}
	if n := utf8.RuneCountInString(s); n > max {
		return fieldErrorf(field, "%d characters, at most %d allowed", n, max)
	}
	for i, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r' {
			return fieldErrorf(field, "control character U+%04X at byte %d", r, i)
		}
	}
	return nil
}

// checkLine checks a one-line field.
func checkLine(field, s string, required bool) error {
	if strings.ContainsAny(s, "\r\n") {
		return fieldErrorf(field, "must be one line")
	}
	return checkText(field, s, MaxLine, required)
}

var idRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.:/-]*$`)

// normalizeIDs trims ids, checks each is a plain id of at most maxIDLen
// characters, and drops repeats, keeping the first. It returns an empty,
// non-nil slice for none, so that stored and returned records look alike.
func normalizeIDs(field string, ids []string) ([]string, error) {
	if len(ids) > MaxIDs {
		return nil, fieldErrorf(field, "%d entries, at most %d", len(ids), MaxIDs)
	}
	out := make([]string, 0, len(ids))
	seen := make(map[string]bool, len(ids))
	for i, id := range ids {
		id = strings.TrimSpace(id)
		f := fmt.Sprintf("%s[%d]", field, i)
		switch {
		case id == "":
			return nil, fieldErrorf(f, "empty id")
		case len(id) > maxIDLen:
			return nil, fieldErrorf(f, "id longer than %d bytes", maxIDLen)
		case !idRE.MatchString(id):
			return nil, fieldErrorf(f, "%q: want letters, digits and _ . : / - only", id)
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out, nil
}

// cut shortens s to at most n characters.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// firstLine returns s's first line, cut to at most n characters.
func firstLine(s string, n int) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	return cut(strings.TrimSpace(s), n)
}

// optTime renders an optional time for storage: "" when zero.
func optTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return store.FormatTime(t)
}

// parseTimes parses stored times into dst; "" gives the zero time.
func parseTimes(dst []*time.Time, src []string) error {
	for i, s := range src {
		if s == "" {
			*dst[i] = time.Time{}
			continue
		}
		t, err := store.ParseTime(s)
		if err != nil {
			return err
		}
		*dst[i] = t
	}
	return nil
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}

// jsonList stores a list of strings as a JSON array.
func jsonList(l []string) string {
	if l == nil {
		l = []string{}
	}
	b, _ := json.Marshal(l) // strings always marshal
	return string(b)
}

// parseList reads a list stored by jsonList; it always returns a non-nil
// slice.
func parseList(s string) ([]string, error) {
	out := []string{}
	if s == "" {
		return out, nil
	}
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return nil, fmt.Errorf("parse stored list %q: %w", cut(s, 40), err)
	}
	if out == nil {
		out = []string{}
	}
	return out, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// closeRows closes rows and returns the first of err and the rows' error.
func closeRows(rows *sql.Rows, err error) error {
	rows.Close()
	if err != nil {
		return err
	}
	return rows.Err()
}
