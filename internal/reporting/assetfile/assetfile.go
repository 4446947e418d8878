// Package assetfile reads lists of specified critical computers from CSV
// and CycloneDX JSON, so that an operator can notify many assets (§4) at
// once.
//
// [ReadCSV] reads a spreadsheet export whose columns are the JSON field
// names of reporting.AssetInput; [ReadCycloneDX] reads a CycloneDX 1.4–1.7
// JSON BOM, one asset per component. Both return the same shape: the rows
// that passed reporting.AssetInput.Normalize, the rows that did not (each
// with its line or component index and the reason), and an error only when
// the file as a whole cannot be read. Nothing is stored here; the caller
// decides whether to notify the good rows when some were rejected.
//
// Both readers bound what they read (MaxFileBytes, MaxLineBytes, MaxRows)
// so that a hostile file cannot exhaust memory. docs/assets-import.md
// describes both formats for operators.
package assetfile

import (
	"fmt"
	"strings"

	"github.com/acd-platform/acd/internal/reporting"
)

// Limits on what the readers accept.
const (
	// MaxRows is the most data rows of a CSV file, or components of a
	// CycloneDX BOM (nested ones included), in one import.
	MaxRows = 10_000
	// MaxFileBytes is the largest file either reader accepts.
	MaxFileBytes = 32 << 20
	// MaxLineBytes is the longest physical line of a CSV file.
	MaxLineBytes = 32 << 10
)

// Row is one asset read from a file, already normalized.
type Row struct {
	// Line is the CSV line the row starts on (the header is line 1), or
	// the 1-based index of the CycloneDX component in document order
	// (depth first, a component before the components nested in it).
	Line int
	// Ref is the CycloneDX component's bom-ref, or "" (always "" for CSV).
	Ref string
	// Asset is what the row notifies.
	Asset reporting.AssetInput
}

// Rejected is a row that was not read, and why.
type Rejected struct {
	// Line and Ref are as in Row.
	Line int
	Ref  string
	// Field is the JSON field of reporting.AssetInput at fault ("cpe",
	// "role", …), or "" when the row as a whole is wrong (e.g. the number
	// of CSV fields); "properties" for a bad CycloneDX property.
	Field string
	// Reason says what is wrong.
	Reason string
}

// String renders r as "line 7: cpe: …", or, when it has a bom-ref,
// "component 3 (bom-ref "fw"): cpe: …". A CycloneDX component without a
// bom-ref renders as "line N" too, N being its component number.
func (r Rejected) String() string {
	var b strings.Builder
	if r.Ref != "" {
		fmt.Fprintf(&b, "component %d (bom-ref %q): ", r.Line, r.Ref)
	} else {
		fmt.Fprintf(&b, "line %d: ", r.Line)
	}
	if r.Field != "" {
		b.WriteString(r.Field)
		b.WriteString(": ")
	}
	b.WriteString(r.Reason)
	return b.String()
}

// rowSet collects rows and rejections, and rejects a name used twice in
// one file (names are unique among an operator's active assets).
type rowSet struct {
	rows     []Row
	rejected []Rejected
	names    map[string]int // name → Line of the row that has it
	unit     string         // "line" or "component", for messages
}

func newRowSet(unit string) *rowSet {
	return &rowSet{names: map[string]int{}, unit: unit}
}

// reject records a rejected row.
func (s *rowSet) reject(line int, ref, field, reason string) {
	s.rejected = append(s.rejected, Rejected{Line: line, Ref: ref, Field: field, Reason: reason})
}

// add normalizes a and records it as a row or a rejection.
func (s *rowSet) add(line int, ref string, a reporting.AssetInput) {
	if err := a.Normalize(); err != nil {
		field, reason := "", err.Error()
		if fe, ok := err.(*reporting.FieldError); ok {
			field, reason = fe.Field, fe.Msg
		}
		s.reject(line, ref, field, reason)
		return
	}
	if prev, ok := s.names[a.Name]; ok {
		s.reject(line, ref, "name", fmt.Sprintf("%q is also the name of %s %d; names must be unique", a.Name, s.unit, prev))
		return
	}
	s.names[a.Name] = line
	s.rows = append(s.rows, Row{Line: line, Ref: ref, Asset: a})
}

// parseBool reads internet_facing: true/false, yes/no, 1/0 in any case;
// "" is false.
func parseBool(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "1":
		return true, true
	case "false", "no", "0", "":
		return false, true
	}
	return false, false
}

// parseDate reads an optional YYYY-MM-DD date; "" is the zero Date.
func parseDate(s string) (reporting.Date, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return reporting.Date{}, nil
	}
	return reporting.ParseDate(s)
}

// quoteCut quotes s for a message, cut to 64 bytes.
func quoteCut(s string) string {
	const max = 64
	if len(s) <= max {
		return fmt.Sprintf("%q", s)
	}
	n := max
	for n > 0 && s[n]&0xc0 == 0x80 {
		n--
	}
	return fmt.Sprintf("%q...", s[:n])
}
