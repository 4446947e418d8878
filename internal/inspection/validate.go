package inspection

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/textfield"
)

// Limits on input, so that a hostile request cannot exhaust memory or the
// audit log.
const (
	// MaxText is the most characters of a free-text field (scope, finding,
	// recommendation, answer, description, reasons).
	MaxText = 20000
	// MaxLine is the most characters of a one-line field (title).
	MaxLine = textfield.MaxLine
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
		return nil, fmt.Errorf("parse stored list %q: %w", textfield.Cut(s, 40), err)
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
