// Package runfile reads the output of automated selection
// (acd.selection.output/v1, see docs/selection.md) as a server receives
// it: a stream of JSON lines — a run header, selected records, a summary —
// read line by line with a bounded line length and hashed as it is read,
// so that the SHA-256 and size of everything before the summary can be
// compared with what the summary states. Each record's indexed fields
// (time, addresses, ports, protocol, direction, domain) are parsed; the
// record itself is handed on as received.
package runfile

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/acd-platform/acd/internal/selection"
)

// Record types of acd.selection.output/v1 that carry selected
// (mechanical) information; "run" and "summary" frame them.
const (
	TypeFlow         = "flow"
	TypeExportedFlow = "exported_flow"
	TypeHTTP         = "http"
	TypeDNS          = "dns"
	TypeSMTP         = "smtp"
	TypeMail         = "mail"
)

// RecordTypes lists the record types a run may hold.
var RecordTypes = []string{TypeFlow, TypeExportedFlow, TypeHTTP, TypeDNS, TypeSMTP, TypeMail}

// KnownType reports whether t is one of RecordTypes.
func KnownType(t string) bool {
	for _, x := range RecordTypes {
		if x == t {
			return true
		}
	}
	return false
}

// IsEvent reports whether records of type t are per-request events, which
// carry no addresses of their own but share their flow's.
func IsEvent(t string) bool {
	return t == TypeHTTP || t == TypeDNS || t == TypeSMTP || t == TypeMail
}

// Header is the first line of a run.
type Header struct {
	Type     string                `json:"type"`
	Schema   string                `json:"schema"`
	Criteria selection.CriteriaRef `json:"criteria"`
	Input    string                `json:"input"`
	Started  time.Time             `json:"started"`
	// Approval may also stand at the top level.
	Approval string `json:"approval"`
}

// approvalOf returns the approval a line names, "" when none; a
// conflicting pair is an error.
func approvalOf(top, inCriteria string) (string, bool) {
	switch {
	case top == "":
		return inCriteria, true
	case inCriteria == "" || inCriteria == top:
		return top, true
	}
	return "", false
}

// Summary is the last line of a run.
type Summary struct {
	selection.Summary
	Approval string `json:"approval"`
}

// Record is one selected record as parsed from its line.
type Record struct {
	Type      string
	Flow      uint64
	Time      time.Time
	Src, Dst  netip.Addr // invalid when absent
	SrcPort   int        // -1 when absent
	DstPort   int        // -1 when absent
	Proto     string
	Direction string
	Domain    string
	// Line is the record as received, without its newline. It points into
	// the scanner's buffer: valid only until the next line is read.
	Line []byte
}

// wireRecord holds the fields of any record type that are indexed.
type wireRecord struct {
	Type       string  `json:"type"`
	Flow       *uint64 `json:"flow"`
	First      string  `json:"first"`
	Time       string  `json:"time"`
	Proto      string  `json:"proto"`
	Client     string  `json:"client"`
	Server     string  `json:"server"`
	Src        string  `json:"src"`
	Dst        string  `json:"dst"`
	ClientPort *int    `json:"client_port"`
	ServerPort *int    `json:"server_port"`
	SrcPort    *int    `json:"src_port"`
	DstPort    *int    `json:"dst_port"`
	Direction  string  `json:"direction"`
	Host       string  `json:"host"`
	QName      string  `json:"qname"`
	Helo       string  `json:"helo"`
	TLS        *struct {
		SNI string `json:"sni"`
	} `json:"tls"`
}

// Directions are those a record may name (domestic-domestic never: it is dropped
// before anything else).
var Directions = []string{"foreign-foreign", "foreign-domestic", "domestic-foreign"}

// Result is what a well-formed run body held besides its records.
type Result struct {
	Header  Header
	Summary Summary
	// SummaryLine is the summary record as received.
	SummaryLine string
	// Approval is the approval the header or summary named, "" when none.
	Approval string
	// SHA256 (hex) and Bytes are computed over every byte before the
	// summary line.
	SHA256  string
	Bytes   int64
	Records int64
	// Directions counts records per direction named.
	Directions map[string]int64
}

// HashOK reports whether the summary's output_sha256 and output_bytes are
// those of the bytes received.
func (r *Result) HashOK() bool {
	return strings.EqualFold(r.Summary.OutputSHA256, r.SHA256) && r.Summary.OutputBytes == r.Bytes
}

// scanner reads a run body line by line, hashing as it goes.
type scanner struct {
	r    *bufio.Reader
	max  int
	line int
	h    hash.Hash
	n    int64
	w    wireRecord
}

func newScanner(r io.Reader, maxLine int) *scanner {
	return &scanner{r: bufio.NewReaderSize(r, maxLine), max: maxLine, h: sha256.New()}
}

// next returns the next line without its newline, io.EOF at the end of the
// body, and for a last line without newline that line with eof set.
func (sc *scanner) next() (line []byte, full []byte, err error) {
	b, err := sc.r.ReadSlice('\n')
	switch {
	case errors.Is(err, bufio.ErrBufferFull):
		sc.line++
		return nil, nil, errorAt(sc.line, "longer than %d bytes", sc.max)
	case errors.Is(err, io.EOF):
		if len(b) == 0 {
			return nil, nil, io.EOF
		}
		sc.line++
		return b, b, nil
	case err != nil:
		return nil, nil, errorAt(0, "read body after line %d: %v", sc.line, err)
	}
	sc.line++
	return b[:len(b)-1], b, nil
}

// Scan reads a whole run body: header, records, summary. It calls
// onHeader once, before any record, and onRecord for each record, whose
// Line is valid only during the call; an error from either ends the scan
// and is returned as is. Any defect of the body is an *Error.
func Scan(r io.Reader, maxLine int, onHeader func(*Result) error, onRecord func(*Record) error) (*Result, error) {
	sc := newScanner(r, maxLine)
	res := &Result{Directions: map[string]int64{}}
	var rec Record
	for {
		line, full, err := sc.next()
		if err == io.EOF {
			if sc.line == 0 {
				return nil, errorAt(0, "empty body: want the output of acd select (a run header, records, a summary)")
			}
			return nil, errorAt(0, "no summary record after line %d: the body is truncated", sc.line)
		}
		if err != nil {
			return nil, err
		}
		if len(line) == 0 {
			return nil, errorAt(sc.line, "empty line")
		}
		if !utf8.Valid(line) {
			return nil, errorAt(sc.line, "not valid UTF-8")
		}
		if sc.line == 1 {
			if err := parseHeader(line, res); err != nil {
				return nil, err
			}
			if onHeader != nil {
				if err := onHeader(res); err != nil {
					return nil, err
				}
			}
			sc.hash(full)
			continue
		}
		typ, err := sc.parse(line, &rec)
		if err != nil {
			if full[len(full)-1] != '\n' {
				return nil, errorAt(0, "no summary record: line %d breaks off (%v): the body is truncated", sc.line, err)
			}
			return nil, err
		}
		if typ == "summary" {
			if err := sc.summary(line, res); err != nil {
				return nil, err
			}
			res.SummaryLine = string(line)
			if full[len(full)-1] == '\n' {
				if _, err := sc.r.ReadByte(); err != io.EOF {
					return nil, errorAt(sc.line+1, "data after the summary record")
				}
			}
			res.SHA256 = hex.EncodeToString(sc.h.Sum(nil))
			res.Bytes = sc.n
			return res, nil
		}
		if full[len(full)-1] != '\n' {
			return nil, errorAt(0, "no summary record after line %d: the body is truncated", sc.line)
		}
		sc.hash(full)
		res.Records++
		if rec.Direction != "" {
			res.Directions[rec.Direction]++
		}
		if onRecord != nil {
			if err := onRecord(&rec); err != nil {
				return nil, err
			}
		}
	}
}

func (sc *scanner) hash(b []byte) {
	sc.h.Write(b)
	sc.n += int64(len(b))
}

// parseHeader reads line 1.
func parseHeader(line []byte, res *Result) error {
	h := &res.Header
	if err := json.Unmarshal(line, h); err != nil {
		return errorAt(1, "run header: %s", jsonMsg(err))
	}
	if h.Type != "run" {
		return errorAt(1, "first record has type %q, want \"run\" (the run header)", h.Type)
	}
	if h.Schema != selection.Schema {
		return errorAt(1, "run header: schema %q, want %q", h.Schema, selection.Schema)
	}
	if !IsSHA256(h.Criteria.SHA256) {
		return errorAt(1, "run header: criteria.sha256 %q is not a hex SHA-256", h.Criteria.SHA256)
	}
	a, ok := approvalOf(h.Approval, h.Criteria.Approval)
	if !ok {
		return errorAt(1, "run header: approval %q and criteria.approval %q differ", h.Approval, h.Criteria.Approval)
	}
	res.Approval = a
	return nil
}

// summary reads the summary line and checks it against the header.
func (sc *scanner) summary(line []byte, res *Result) error {
	s := &res.Summary
	if err := json.Unmarshal(line, s); err != nil {
		return errorAt(sc.line, "summary: %s", jsonMsg(err))
	}
	if s.Schema != selection.Schema {
		return errorAt(sc.line, "summary: schema %q, want %q", s.Schema, selection.Schema)
	}
	if !strings.EqualFold(s.Criteria.SHA256, res.Header.Criteria.SHA256) {
		return errorAt(sc.line, "summary: criteria.sha256 %q differs from the header's %q", s.Criteria.SHA256, res.Header.Criteria.SHA256)
	}
	a, ok := approvalOf(s.Approval, s.Criteria.Approval)
	if !ok {
		return errorAt(sc.line, "summary: approval %q and criteria.approval %q differ", s.Approval, s.Criteria.Approval)
	}
	if a != "" && res.Approval != "" && a != res.Approval {
		return errorAt(sc.line, "summary: approval %q differs from the header's %q", a, res.Approval)
	}
	if a != "" {
		res.Approval = a
	}
	if len(s.Directions) > 4 {
		return errorAt(sc.line, "summary: %d directions, at most 4", len(s.Directions))
	}
	if s.OutputBytes < 0 {
		return errorAt(sc.line, "summary: output_bytes %d is negative", s.OutputBytes)
	}
	return nil
}

// parse reads one record line into rec and returns its type; "summary"
// leaves rec alone.
func (sc *scanner) parse(line []byte, rec *Record) (string, error) {
	w := &sc.w
	*w = wireRecord{}
	if err := json.Unmarshal(line, w); err != nil {
		return "", errorAt(sc.line, "%s", jsonMsg(err))
	}
	if w.Type == "summary" {
		return w.Type, nil
	}
	if err := fillRecord(w, rec); err != nil {
		return "", errorAt(sc.line, "%s", err.Error())
	}
	rec.Line = line
	return w.Type, nil
}

// fillRecord checks w and copies its indexed fields into rec.
func fillRecord(w *wireRecord, rec *Record) error {
	switch {
	case w.Type == "run":
		return errors.New("a second run header")
	case w.Type == "":
		return errors.New("record has no type")
	case !KnownType(w.Type):
		return errorf("unknown record type %q (want %s)", w.Type, strings.Join(RecordTypes, ", "))
	case w.Flow == nil:
		return errorf("%s record has no flow id", w.Type)
	}
	*rec = Record{Type: w.Type, Flow: *w.Flow, SrcPort: -1, DstPort: -1, Proto: w.Proto, Direction: w.Direction}
	ts := w.First
	field := "first"
	if IsEvent(w.Type) {
		ts, field = w.Time, "time"
	}
	if ts == "" {
		return errorf("%s record has no %s", w.Type, field)
	}
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return errorf("%s %q is not an RFC 3339 time", field, ts)
	}
	rec.Time = t.UTC()
	if len(rec.Proto) > 16 {
		return errorf("proto %q is too long", rec.Proto)
	}
	src, dst, sp, dp := w.Client, w.Server, w.ClientPort, w.ServerPort
	sf, df := "client", "server"
	if w.Type == TypeExportedFlow {
		src, dst, sp, dp = w.Src, w.Dst, w.SrcPort, w.DstPort
		sf, df = "src", "dst"
	}
	if !IsEvent(w.Type) {
		if rec.Src, err = parseAddr(sf, src); err != nil {
			return err
		}
		if rec.Dst, err = parseAddr(df, dst); err != nil {
			return err
		}
		if rec.SrcPort, err = port(sf+"_port", sp); err != nil {
			return err
		}
		if rec.DstPort, err = port(df+"_port", dp); err != nil {
			return err
		}
		if !ValidDirection(rec.Direction) {
			return errorf("direction %q: want one of %s", rec.Direction, strings.Join(Directions, ", "))
		}
	} else if rec.Direction != "" {
		return errorf("%s record has a direction", w.Type)
	}
	switch w.Type {
	case TypeFlow:
		if w.TLS != nil {
			rec.Domain = NormDomain(w.TLS.SNI)
		}
	case TypeHTTP:
		rec.Domain = NormDomain(w.Host)
	case TypeDNS:
		rec.Domain = NormDomain(w.QName)
	case TypeSMTP:
		rec.Domain = NormDomain(w.Helo)
	}
	return nil
}

func parseAddr(field, s string) (netip.Addr, error) {
	if s == "" {
		return netip.Addr{}, errorf("%s address missing", field)
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, errorf("%s %q is not an IP address", field, s)
	}
	return a, nil
}

func port(field string, p *int) (int, error) {
	if p == nil {
		return -1, nil
	}
	if *p < 0 || *p > 65535 {
		return 0, errorf("%s %d out of range 0–65535", field, *p)
	}
	return *p, nil
}

// ValidDirection reports whether d is one of Directions.
func ValidDirection(d string) bool {
	for _, x := range Directions {
		if x == d {
			return true
		}
	}
	return false
}

// NormDomain returns the domain name in s (an SNI, a Host header with or
// without port, a DNS query name, a HELO argument) lowercased and without a
// trailing dot, or "" when s holds no valid domain name (an address
// literal, say).
func NormDomain(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if h, _, err := net.SplitHostPort(s); err == nil {
		s = h
	}
	s = strings.TrimSuffix(s, ".")
	if _, err := netip.ParseAddr(strings.Trim(s, "[]")); err == nil {
		return ""
	}
	if !ValidDomain(s) {
		return ""
	}
	return s
}

// ValidDomain reports whether s is a lowercase domain name: labels of 1–63
// letters, digits, '-' or '_', at most 253 characters in all.
func ValidDomain(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for label := range strings.SplitSeq(s, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// IsSHA256 reports whether s is 64 hex digits.
func IsSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// jsonMsg shortens a JSON error for a reject message.
func jsonMsg(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return "invalid JSON at byte " + strconv.FormatInt(se.Offset, 10) + ": " + se.Error()
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return "field " + te.Field + ": got JSON " + te.Value + ", want " + te.Type.String()
	}
	return "invalid JSON: " + err.Error()
}

// Error is a defect of a run body: Line is the 1-based line at fault, 0
// when it concerns the whole body (a truncated one, say).
type Error struct {
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line == 0 {
		return e.Msg
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
}

func errorAt(line int, format string, args ...any) *Error {
	return &Error{Line: line, Msg: fmt.Sprintf(format, args...)}
}

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }
