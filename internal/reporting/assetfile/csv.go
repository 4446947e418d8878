package assetfile

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/acd-platform/acd/internal/reporting"
)

// csvColumns are the CSV columns, the JSON field names of
// reporting.AssetInput, in the order of the struct; required says the
// header must have the column.
func csvColumns() []struct {
	name     string
	required bool
} {
	return []struct {
		name     string
		required bool
	}{
		{"name", true}, {"product", true}, {"vendor", true}, {"model", false}, {"version", false},
		{"cpe", false}, {"purl", false}, {"role", true}, {"role_detail", false},
		{"internet_facing", false}, {"facility", true}, {"introduced", false}, {"support_end", false},
	}
}

// ReadCSV reads assets from CSV: UTF-8, with or without a byte order mark
// (Excel's "CSV UTF-8" writes one), comma-separated, fields quoted with
// '"' as RFC 4180 says. The first row is the header: column names are the
// JSON field names of reporting.AssetInput (case and surrounding spaces
// ignored), in any order; name, product, vendor, role and facility are
// required, the rest optional. internet_facing is true/false, yes/no or
// 1/0 (empty: false); introduced and support_end are YYYY-MM-DD (empty:
// not given).
//
// Each data row is normalized with reporting.AssetInput.Normalize. A bad
// row is returned in rejected with its line and reason, and the others are
// still read; so is a row with the wrong number of fields, and a row whose
// name an earlier row already has. Rows with every field empty (as
// spreadsheets leave at the end) are skipped.
//
// err is for the file as a whole: not UTF-8, not CSV (a stray quote),
// an empty, unknown or duplicate header column, a required column missing,
// more than MaxRows data rows, a line longer than MaxLineBytes, a file
// larger than MaxFileBytes, or a read error. Then rows and rejected are
// nil.
func ReadCSV(r io.Reader) (rows []Row, rejected []Rejected, err error) {
	rows, rejected, err = readCSV(r)
	if err != nil {
		return nil, nil, fmt.Errorf("read CSV: %w", err)
	}
	return rows, rejected, nil
}

func readCSV(r io.Reader) ([]Row, []Rejected, error) {
	br := bufio.NewReader(&guard{r: io.LimitReader(r, MaxFileBytes+1), line: 1})
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1 // a row with too few or many fields is rejected, not fatal

	header, err := cr.Read()
	if err == io.EOF {
		return nil, nil, errors.New("empty file: want a header row naming the columns")
	}
	if err != nil {
		return nil, nil, err
	}
	if err := checkUTF8(cr, header); err != nil {
		return nil, nil, err
	}
	cols, err := readHeader(header)
	if err != nil {
		return nil, nil, err
	}

	set := newRowSet("line")
	n := 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, err
		}
		line, _ := cr.FieldPos(0)
		if err := checkUTF8(cr, rec); err != nil {
			return nil, nil, err
		}
		if blank(rec) {
			continue
		}
		if n++; n > MaxRows {
			return nil, nil, fmt.Errorf("line %d: more than %d data rows; split the file", line, MaxRows)
		}
		if len(rec) != len(cols) {
			set.reject(line, "", "", fmt.Sprintf("%d fields, but the header has %d columns", len(rec), len(cols)))
			continue
		}
		a, field, reason := assetFromRecord(cols, rec)
		if reason != "" {
			set.reject(line, "", field, reason)
			continue
		}
		set.add(line, "", a)
	}
	return set.rows, set.rejected, nil
}

// readHeader checks the header row and returns its column names.
func readHeader(header []string) ([]string, error) {
	known := map[string]bool{}
	var names []string
	for _, c := range csvColumns() {
		known[c.name] = true
		names = append(names, c.name)
	}
	cols := make([]string, len(header))
	seen := map[string]int{}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		switch {
		case name == "":
			return nil, fmt.Errorf("line 1: header column %d is empty", i+1)
		case !known[name]:
			return nil, fmt.Errorf("line 1: header column %d: unknown column %s; want some of %s", i+1, quoteCut(h), strings.Join(names, ", "))
		case seen[name] != 0:
			return nil, fmt.Errorf("line 1: header column %d: %q is also column %d", i+1, name, seen[name])
		}
		seen[name] = i + 1
		cols[i] = name
	}
	for _, c := range csvColumns() {
		if c.required && seen[c.name] == 0 {
			return nil, fmt.Errorf("line 1: header has no %q column, which is required", c.name)
		}
	}
	return cols, nil
}

// assetFromRecord builds an asset from one data row. It returns a field
// and reason when a value cannot be read (a bad boolean or date); the
// rest is Normalize's to check.
func assetFromRecord(cols, rec []string) (a reporting.AssetInput, field, reason string) {
	for i, v := range rec {
		switch cols[i] {
		case "name":
			a.Name = v
		case "product":
			a.Product = v
		case "vendor":
			a.Vendor = v
		case "model":
			a.Model = v
		case "version":
			a.Version = v
		case "cpe":
			a.CPE = v
		case "purl":
			a.PURL = v
		case "role":
			a.Role = reporting.AssetRole(v)
		case "role_detail":
			a.RoleDetail = v
		case "facility":
			a.Facility = v
		case "internet_facing":
			b, ok := parseBool(v)
			if !ok {
				return a, "internet_facing", fmt.Sprintf("%s: want true, false, yes, no, 1 or 0", quoteCut(v))
			}
			a.InternetFacing = b
		case "introduced", "support_end":
			d, err := parseDate(v)
			if err != nil {
				return a, cols[i], fmt.Sprintf("%s: want YYYY-MM-DD", quoteCut(v))
			}
			if cols[i] == "introduced" {
				a.Introduced = d
			} else {
				a.SupportEnd = d
			}
		}
	}
	return a, "", ""
}

// checkUTF8 returns an error naming the line and column of the first field
// of rec that is not UTF-8.
func checkUTF8(cr *csv.Reader, rec []string) error {
	for i, f := range rec {
		if !utf8.ValidString(f) {
			line, _ := cr.FieldPos(i)
			return fmt.Errorf(`line %d, column %d: not UTF-8 text; save the file as "CSV UTF-8"`, line, i+1)
		}
	}
	return nil
}

// blank reports whether every field of rec is empty or spaces.
func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// guard passes reads through, failing once more than MaxFileBytes have
// been read or a line runs longer than MaxLineBytes.
type guard struct {
	r     io.Reader
	total int64
	line  int // physical line being read, from 1
	width int // bytes of that line read so far
}

func (g *guard) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	for _, c := range p[:n] {
		if c == '\n' {
			g.line++
			g.width = 0
			continue
		}
		if g.width++; g.width > MaxLineBytes {
			return 0, fmt.Errorf("line %d: longer than %d bytes", g.line, MaxLineBytes)
		}
	}
	if g.total += int64(n); g.total > MaxFileBytes {
		return 0, fmt.Errorf("larger than %d bytes; split the file", MaxFileBytes)
	}
	return n, err
}
