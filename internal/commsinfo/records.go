package commsinfo

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/commsinfo/runfile"
	"github.com/acd-platform/acd/internal/store"
)

// RecordQuery selects selected records. Zero fields do not filter; a query
// never returns records of a pending run or of a run whose hash did not
// match (quarantined).
type RecordQuery struct {
	// Approval and Run restrict to one approval, one run.
	Approval string `json:"approval,omitempty"`
	Run      string `json:"run,omitempty"`
	// From and To bound the record's time (a flow's first packet, an
	// event's time): From ≤ time < To.
	From time.Time `json:"from,omitzero"`
	To   time.Time `json:"to,omitzero"`
	// Address is an IP address or a CIDR prefix matched against either end
	// (client or server, src or dst; events take their flow's).
	Address string `json:"address,omitempty"`
	// Port is matched against either end's port; 0 does not filter.
	Port int `json:"port,omitempty"`
	// Domain matches the record's domain (TLS SNI, HTTP Host, DNS query
	// name, HELO) and its subdomains.
	Domain string `json:"domain,omitempty"`
	// Type is one of RecordTypes.
	Type string `json:"type,omitempty"`
	// Direction is "foreign-foreign", "foreign-domestic" or
	// "domestic-foreign".
	Direction string `json:"direction,omitempty"`
}

// IsZero reports whether q selects every record.
func (q RecordQuery) IsZero() bool { return q == RecordQuery{} }

// normalize checks q; field prefixes error fields ("query.").
func (q *RecordQuery) normalize(field string) error {
	if q.Address != "" {
		if _, err := parsePrefix(q.Address); err != nil {
			return fieldErrorf(field+"address", "%v", err)
		}
	}
	if q.Port < 0 || q.Port > 65535 {
		return fieldErrorf(field+"port", "%d out of range 1–65535", q.Port)
	}
	if q.Domain != "" {
		d := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(q.Domain)), ".")
		if !runfile.ValidDomain(d) {
			return fieldErrorf(field+"domain", "%q is not a domain name", q.Domain)
		}
		q.Domain = d
	}
	if q.Type != "" && !runfile.KnownType(q.Type) {
		return fieldErrorf(field+"type", "unknown record type %q (want %s)", q.Type, strings.Join(RecordTypes, ", "))
	}
	if q.Direction != "" && !runfile.ValidDirection(q.Direction) {
		return fieldErrorf(field+"direction", "%q: want one of %s", q.Direction, strings.Join(runfile.Directions, ", "))
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		return fieldErrorf(field+"to", "must be after from")
	}
	if len(q.Approval) > 200 || len(q.Run) > 200 {
		return fieldErrorf(field+"approval", "too long")
	}
	return nil
}

// parsePrefix reads an address (as a /32 or /128) or a CIDR prefix.
func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("%q is not an IP address or CIDR prefix", s)
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, fmt.Errorf("%q is not an IP address or CIDR prefix", s)
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// prefixRange returns the stored-key range [lo, hi] of p (see addrKey).
func prefixRange(p netip.Prefix) (lo, hi string) {
	bits := p.Bits()
	a := p.Addr()
	if a.Is4() {
		bits += 96
	}
	b := a.As16()
	h := b
	for i := bits; i < 128; i++ {
		h[i/8] |= 1 << (7 - i%8)
	}
	return hex.EncodeToString(b[:]), hex.EncodeToString(h[:])
}

// visibleRuns restricts a records query (alias r) to complete runs whose
// hash matched.
const visibleRuns = " JOIN ci_runs u ON u.id = r.run_id AND u.state = 'complete' AND u.hash_ok = 1"

// where returns q's conditions on alias r (q must be normalized).
func (q RecordQuery) where() (string, []any) {
	var c []string
	var args []any
	add := func(cond string, a ...any) {
		c = append(c, cond)
		args = append(args, a...)
	}
	if q.Approval != "" {
		add("r.approval_id = ?", q.Approval)
	}
	if q.Run != "" {
		add("r.run_id = ?", q.Run)
	}
	if !q.From.IsZero() {
		add("r.t >= ?", store.FormatTime(q.From))
	}
	if !q.To.IsZero() {
		add("r.t < ?", store.FormatTime(q.To))
	}
	if q.Address != "" {
		p, _ := parsePrefix(q.Address)
		lo, hi := prefixRange(p)
		add("((r.src_ip >= ? AND r.src_ip <= ?) OR (r.dst_ip >= ? AND r.dst_ip <= ?))", lo, hi, lo, hi)
	}
	if q.Port != 0 {
		add("(r.src_port = ? OR r.dst_port = ?)", q.Port, q.Port)
	}
	if q.Domain != "" {
		add(`(r.domain = ? OR r.domain LIKE ? ESCAPE '\')`, q.Domain, "%."+likeEscape(q.Domain))
	}
	if q.Type != "" {
		add("r.rtype = ?", q.Type)
	}
	if q.Direction != "" {
		add("r.direction = ?", q.Direction)
	}
	if len(c) == 0 {
		return "1 = 1", nil
	}
	return strings.Join(c, " AND "), args
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}

// SelectedRecord is one stored record: its indexed fields and the record
// as received.
type SelectedRecord struct {
	// ID is "RUN.SEQ": the run and the record's place in it (1 = the first
	// record after the header).
	ID         string    `json:"id"`
	ApprovalID string    `json:"approval_id"`
	RunID      string    `json:"run_id"`
	Type       string    `json:"type"`
	Time       time.Time `json:"time"`
	Src        string    `json:"src,omitempty"`
	Dst        string    `json:"dst,omitempty"`
	SrcPort    *int      `json:"src_port,omitempty"`
	DstPort    *int      `json:"dst_port,omitempty"`
	Proto      string    `json:"proto,omitempty"`
	Direction  string    `json:"direction,omitempty"`
	Domain     string    `json:"domain,omitempty"`
	// Record is the record's JSON line as the run holds it.
	Record json.RawMessage `json:"record"`
}

// recKey names a stored record.
type recKey struct {
	run string
	seq int64
}

func (k recKey) String() string { return k.run + "." + strconv.FormatInt(k.seq, 10) }

// parseRecordID reads "RUN.SEQ".
func parseRecordID(s string) (recKey, error) {
	i := strings.LastIndexByte(s, '.')
	if i <= 0 || i > 200 {
		return recKey{}, fmt.Errorf("record id %q: want RUN.SEQ", s)
	}
	n, err := strconv.ParseInt(s[i+1:], 10, 64)
	if err != nil || n < 1 {
		return recKey{}, fmt.Errorf("record id %q: want RUN.SEQ with SEQ a positive number", s)
	}
	return recKey{s[:i], n}, nil
}

// Page asks for one page of a list: Cursor is the Next of the previous
// page ("" for the first), Limit at most 1000 (default 100).
type Page struct {
	Cursor string
	Limit  int
}

// RecordPage is one page of selected records; Next is the cursor of the
// following page, "" at the end.
type RecordPage struct {
	Records []SelectedRecord `json:"records"`
	Next    string           `json:"next,omitempty"`
}

const recordSelect = `SELECT r.run_id, r.seq, r.approval_id, r.rtype, r.t, r.src_ip, r.dst_ip, r.src_port, r.dst_port, r.proto, r.direction, r.domain, r.data FROM ci_records r`

func scanRecord(sc interface{ Scan(...any) error }) (SelectedRecord, error) {
	var r SelectedRecord
	var seq int64
	var t, src, dst, data string
	var sp, dp int
	if err := sc.Scan(&r.RunID, &seq, &r.ApprovalID, &r.Type, &t, &src, &dst, &sp, &dp, &r.Proto, &r.Direction, &r.Domain, &data); err != nil {
		return r, err
	}
	r.ID = recKey{r.RunID, seq}.String()
	r.Time, _ = store.ParseTime(t)
	if a := addrFromKey(src); a.IsValid() {
		r.Src = a.String()
	}
	if a := addrFromKey(dst); a.IsValid() {
		r.Dst = a.String()
	}
	if sp >= 0 {
		r.SrcPort = &sp
	}
	if dp >= 0 {
		r.DstPort = &dp
	}
	r.Record = json.RawMessage(data)
	return r, nil
}

// cursor encodes the place after record r in (time, run, seq) order.
func cursorOf(r SelectedRecord) string {
	k, _ := parseRecordID(r.ID)
	return base64.RawURLEncoding.EncodeToString([]byte(store.FormatTime(r.Time) + "|" + k.run + "|" + strconv.FormatInt(k.seq, 10)))
}

func parseCursor(c string) (t, run string, seq int64, err error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil {
		parts := strings.Split(string(b), "|")
		if len(parts) == 3 {
			seq, err = strconv.ParseInt(parts[2], 10, 64)
			if err == nil {
				if _, err = store.ParseTime(parts[0]); err == nil {
					return parts[0], parts[1], seq, nil
				}
			}
		}
	}
	return "", "", 0, fieldErrorf("cursor", "not a cursor this server gave")
}

// Search returns one page of the selected records matching q, in time
// order. Every search is written to the audit log ("selected.read": the
// query and how many records it returned) before the records are
// returned; the policy admits analysts and the commission.
func (s *Service) Search(ctx context.Context, p *auth.Principal, q RecordQuery, pg Page) (RecordPage, error) {
	if !isUser(p) {
		return RecordPage{}, forbiddenf("search needs a user")
	}
	if err := q.normalize("query."); err != nil {
		return RecordPage{}, err
	}
	out, err := s.page(ctx, q, pg, "")
	if err != nil {
		return RecordPage{}, err
	}
	resource := "selected/query"
	if q.Approval != "" {
		resource = "approval/" + q.Approval
	}
	if err := s.auditRead(ctx, p, "selected.read", resource, map[string]any{"query": q, "cursor": pg.Cursor, "count": len(out.Records)}); err != nil {
		return RecordPage{}, errorf("audit search: %w", err)
	}
	return out, nil
}

// page runs a records query; provision, when set, restricts it to the
// records of that provision.
func (s *Service) page(ctx context.Context, q RecordQuery, pg Page, provision string) (RecordPage, error) {
	n := limit(pg.Limit, 100, 1000)
	where, args := q.where()
	sqlq := recordSelect + visibleRuns
	if provision != "" {
		sqlq += " JOIN ci_provision_records pr ON pr.run_id = r.run_id AND pr.seq = r.seq AND pr.provision_id = ?"
		args = append([]any{provision}, args...)
	}
	sqlq += " WHERE " + where
	if pg.Cursor != "" {
		t, run, seq, err := parseCursor(pg.Cursor)
		if err != nil {
			return RecordPage{}, err
		}
		sqlq += " AND (r.t > ? OR (r.t = ? AND (r.run_id > ? OR (r.run_id = ? AND r.seq > ?))))"
		args = append(args, t, t, run, run, seq)
	}
	sqlq += " ORDER BY r.t, r.run_id, r.seq LIMIT ?"
	args = append(args, n+1)
	rows, err := s.db.Query(ctx, sqlq, args...)
	if err != nil {
		return RecordPage{}, errorf("search records: %w", err)
	}
	defer rows.Close()
	out := RecordPage{Records: []SelectedRecord{}}
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return RecordPage{}, errorf("search records: %w", err)
		}
		out.Records = append(out.Records, r)
	}
	if err := rows.Err(); err != nil {
		return RecordPage{}, errorf("search records: %w", err)
	}
	if len(out.Records) > n {
		out.Records = out.Records[:n]
		out.Next = cursorOf(out.Records[n-1])
	}
	return out, nil
}

// resolved is a set of visible records and the approvals they were
// selected under.
type resolved struct {
	keys      []recKey
	approvals []string // sorted, distinct
}

// resolveQuery returns the visible records matching q (normalized), at
// most maxN, or a FieldError naming field when there are more.
func (s *Service) resolveQuery(ctx context.Context, q RecordQuery, field string, maxN int) (resolved, error) {
	where, args := q.where()
	rows, err := s.db.Query(ctx, "SELECT r.run_id, r.seq, r.approval_id FROM ci_records r"+visibleRuns+" WHERE "+where+
		" ORDER BY r.t, r.run_id, r.seq LIMIT ?", append(args, maxN+1)...)
	if err != nil {
		return resolved{}, errorf("resolve query: %w", err)
	}
	defer rows.Close()
	var out resolved
	for rows.Next() {
		var k recKey
		var a string
		if err := rows.Scan(&k.run, &k.seq, &a); err != nil {
			return resolved{}, errorf("resolve query: %w", err)
		}
		out.keys = append(out.keys, k)
		out.approvals = append(out.approvals, a)
	}
	if err := rows.Err(); err != nil {
		return resolved{}, errorf("resolve query: %w", err)
	}
	if len(out.keys) > maxN {
		return resolved{}, fieldErrorf(field, "matches more than %d records: narrow it", maxN)
	}
	out.approvals = distinct(out.approvals)
	return out, nil
}

// resolveIDs checks that every id names a visible record and returns them.
func (s *Service) resolveIDs(ctx context.Context, ids []string, field string, maxN int) (resolved, error) {
	if len(ids) > maxN {
		return resolved{}, fieldErrorf(field, "%d record ids, at most %d", len(ids), maxN)
	}
	var out resolved
	seen := map[recKey]bool{}
	for i, id := range ids {
		k, err := parseRecordID(id)
		if err != nil {
			return resolved{}, fieldErrorf(fmt.Sprintf("%s[%d]", field, i), "%v", err)
		}
		if seen[k] {
			continue
		}
		seen[k] = true
		var a string
		err = s.db.QueryRow(ctx, "SELECT r.approval_id FROM ci_records r"+visibleRuns+" WHERE r.run_id = ? AND r.seq = ?", k.run, k.seq).Scan(&a)
		if errors.Is(err, sql.ErrNoRows) {
			return resolved{}, fieldErrorf(fmt.Sprintf("%s[%d]", field, i), "no selected record %q (unknown, quarantined or deleted by retention)", id)
		}
		if err != nil {
			return resolved{}, errorf("resolve record %q: %w", id, err)
		}
		out.keys = append(out.keys, k)
		out.approvals = append(out.approvals, a)
	}
	out.approvals = distinct(out.approvals)
	return out, nil
}

func distinct(xs []string) []string {
	out := slices.Clone(xs)
	slices.Sort(out)
	return slices.Compact(out)
}
