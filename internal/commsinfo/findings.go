package commsinfo

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/commsinfo/runfile"
	"github.com/acd-platform/acd/internal/store"
)

// Indicator types of a finding.
const (
	IndicatorIPv4   = "ipv4"   // address or CIDR prefix
	IndicatorIPv6   = "ipv6"   // address or CIDR prefix
	IndicatorDomain = "domain" // domain name
	IndicatorURL    = "url"    // absolute http(s) URL
	IndicatorMD5    = "md5"    // file hash, hex
	IndicatorSHA1   = "sha1"   // file hash, hex
	IndicatorSHA256 = "sha256" // file hash, hex
	IndicatorEmail  = "email"  // address (pseudonymised as selection gives it)
)

// Indicator is one indicator of compromise a finding names.
type Indicator struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

// Source kinds of a finding: what it was drawn from, each with its legal
// basis.
const (
	// SourceSelectedQuery: the selected records a RecordQuery matches; the
	// query must name its approval, which is the legal basis (§23).
	SourceSelectedQuery = "selected_query"
	// SourceSelectedRecords: selected records by id; their approvals are
	// the legal basis (§23).
	SourceSelectedRecords = "selected_records"
	// SourceReport: an incident or precursor report (§5).
	SourceReport = "report"
)

// FindingSource is one source of a finding. Kind and one of Query,
// RecordIDs, ReportID are given; the service fills in Approvals, Count and
// LegalBasis.
type FindingSource struct {
	Kind      string       `json:"kind"`
	Query     *RecordQuery `json:"query,omitempty"`
	RecordIDs []string     `json:"record_ids,omitempty"`
	ReportID  string       `json:"report_id,omitempty"`
	// Approvals under which the source's records were selected.
	Approvals []string `json:"approvals,omitempty"`
	// Count is how many selected records the source held when the finding
	// was recorded.
	Count int `json:"count,omitempty"`
	// LegalBasis says what lets the source be used, e.g. "§23: selected
	// under approval apv_1 (ch4)" or "§5: incident report".
	LegalBasis string `json:"legal_basis,omitempty"`
}

// FindingInput is a finding as an analyst records it.
type FindingInput struct {
	Title string `json:"title"`
	// Assessment is the analyst's text.
	Assessment string      `json:"assessment"`
	Indicators []Indicator `json:"indicators,omitempty"`
	// Techniques are MITRE ATT&CK technique ids ("T1190", "T1059.001").
	Techniques []string        `json:"techniques,omitempty"`
	Sources    []FindingSource `json:"sources"`
}

// Finding is a recorded finding.
type Finding struct {
	ID string `json:"id"`
	FindingInput
	// Approvals are those of every selected-record source.
	Approvals []string  `json:"approvals"`
	CreatedBy string    `json:"created_by"`
	OrgID     string    `json:"org_id"`
	CreatedAt time.Time `json:"created_at"`
}

// Limits of a finding.
const (
	maxTitle      = 200
	maxAssessment = 20000
	maxList       = 500
	maxSources    = 50
)

var techniqueRE = regexp.MustCompile(`^T[0-9]{4}(\.[0-9]{3})?$`)

var hexLen = map[string]int{IndicatorMD5: 32, IndicatorSHA1: 40, IndicatorSHA256: 64}

func checkText(field, s string, maxLen int, required bool) error {
	switch {
	case required && strings.TrimSpace(s) == "":
		return fieldErrorf(field, "required")
	case !utf8.ValidString(s):
		return fieldErrorf(field, "not valid UTF-8")
	case utf8.RuneCountInString(s) > maxLen:
		return fieldErrorf(field, "longer than %d characters", maxLen)
	}
	return nil
}

// normalize checks an indicator and puts it in canonical form.
func (in *Indicator) normalize(field string) error {
	v := strings.TrimSpace(in.Value)
	if v == "" {
		return fieldErrorf(field+".value", "required")
	}
	switch in.Type {
	case IndicatorIPv4, IndicatorIPv6:
		p, err := parsePrefix(v)
		if err != nil {
			return fieldErrorf(field+".value", "%v", err)
		}
		if p.Addr().Is4() != (in.Type == IndicatorIPv4) {
			return fieldErrorf(field+".value", "%q is not an %s address", v, in.Type)
		}
		if p.Bits() == p.Addr().BitLen() {
			v = p.Addr().String()
		} else {
			v = p.String()
		}
	case IndicatorDomain:
		d := strings.TrimSuffix(strings.ToLower(v), ".")
		if !runfile.ValidDomain(d) {
			return fieldErrorf(field+".value", "%q is not a domain name", v)
		}
		v = d
	case IndicatorURL:
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(v) > 2000 {
			return fieldErrorf(field+".value", "%q is not an absolute http(s) URL", firstN(v, 80))
		}
	case IndicatorMD5, IndicatorSHA1, IndicatorSHA256:
		v = strings.ToLower(v)
		if len(v) != hexLen[in.Type] || strings.Trim(v, "0123456789abcdef") != "" {
			return fieldErrorf(field+".value", "%q is not a hex %s (%d digits)", firstN(v, 80), in.Type, hexLen[in.Type])
		}
	case IndicatorEmail:
		at := strings.LastIndexByte(v, '@')
		if at < 1 || len(v) > 320 || !runfile.ValidDomain(strings.ToLower(v[at+1:])) || strings.ContainsAny(v[:at], " <>\"") {
			return fieldErrorf(field+".value", "%q is not an e-mail address", firstN(v, 80))
		}
	default:
		return fieldErrorf(field+".type", "unknown indicator type %q (want ipv4, ipv6, domain, url, md5, sha1, sha256 or email)", in.Type)
	}
	in.Value = v
	return nil
}

func firstN(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// approvalBasis names the legal basis of records selected under approvals.
func (s *Service) approvalBasis(ctx context.Context, approvals []string) (string, error) {
	parts := make([]string, 0, len(approvals))
	for _, id := range approvals {
		a, err := s.approval(ctx, id)
		if err != nil {
			if errors.Is(err, ErrNotFound) {
				parts = append(parts, "approval "+id)
				continue
			}
			return "", err
		}
		parts = append(parts, fmt.Sprintf("approval %s (%s)", id, a.Basis))
	}
	return "§23: selected under " + strings.Join(parts, ", "), nil
}

// CreateFinding records a finding (FindingWrite): its assessment,
// indicators, ATT&CK techniques and sources, each source checked and given
// its legal basis. It is one audit-log entry ("finding.create").
func (s *Service) CreateFinding(ctx context.Context, p *auth.Principal, in FindingInput) (Finding, error) {
	if !isUser(p) {
		return Finding{}, forbiddenf("findings are recorded by users")
	}
	if err := checkText("title", in.Title, maxTitle, true); err != nil {
		return Finding{}, err
	}
	in.Title = strings.TrimSpace(in.Title)
	if err := checkText("assessment", in.Assessment, maxAssessment, true); err != nil {
		return Finding{}, err
	}
	if len(in.Indicators) > maxList {
		return Finding{}, fieldErrorf("indicators", "%d entries, at most %d", len(in.Indicators), maxList)
	}
	for i := range in.Indicators {
		if err := in.Indicators[i].normalize(fmt.Sprintf("indicators[%d]", i)); err != nil {
			return Finding{}, err
		}
	}
	if len(in.Techniques) > maxList {
		return Finding{}, fieldErrorf("techniques", "%d entries, at most %d", len(in.Techniques), maxList)
	}
	for i, t := range in.Techniques {
		t = strings.ToUpper(strings.TrimSpace(t))
		if !techniqueRE.MatchString(t) {
			return Finding{}, fieldErrorf(fmt.Sprintf("techniques[%d]", i), "%q is not an ATT&CK technique id (T1234 or T1234.001)", firstN(in.Techniques[i], 40))
		}
		in.Techniques[i] = t
	}
	if len(in.Sources) == 0 {
		return Finding{}, fieldErrorf("sources", "at least one source is required: selected records or a report")
	}
	if len(in.Sources) > maxSources {
		return Finding{}, fieldErrorf("sources", "%d sources, at most %d", len(in.Sources), maxSources)
	}
	var all []string
	for i := range in.Sources {
		if err := s.checkSource(ctx, &in.Sources[i], fmt.Sprintf("sources[%d]", i)); err != nil {
			return Finding{}, err
		}
		all = append(all, in.Sources[i].Approvals...)
	}
	f := Finding{ID: newID("fnd_"), FindingInput: in, Approvals: distinct(all), CreatedBy: p.UserID, OrgID: p.OrgID, CreatedAt: s.now()}
	data, err := marshal(f)
	if err != nil {
		return Finding{}, err
	}
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO ci_findings (id, title, data, created_by, org_id, created_at) VALUES (?, ?, ?, ?, ?, ?)",
			f.ID, f.Title, data, f.CreatedBy, f.OrgID, store.FormatTime(f.CreatedAt)); err != nil {
			return errorf("store finding: %w", err)
		}
		for _, a := range f.Approvals {
			if _, err := tx.Exec(ctx, "INSERT INTO ci_finding_approvals (finding_id, approval_id) VALUES (?, ?)", f.ID, a); err != nil {
				return errorf("store finding: %w", err)
			}
		}
		return s.audit(ctx, tx, p, "finding.create", "finding/"+f.ID, f)
	})
	if err != nil {
		return Finding{}, err
	}
	return f, nil
}

// checkSource checks one source and fills in its basis.
func (s *Service) checkSource(ctx context.Context, src *FindingSource, field string) error {
	src.Approvals, src.Count, src.LegalBasis = nil, 0, ""
	var r resolved
	var err error
	switch src.Kind {
	case SourceSelectedQuery:
		if src.Query == nil || src.RecordIDs != nil || src.ReportID != "" {
			return fieldErrorf(field, "a selected_query source has a query and nothing else")
		}
		if src.Query.Approval == "" {
			return fieldErrorf(field+".query.approval", "required: the approval is the query's legal basis")
		}
		if _, err := s.approval(ctx, src.Query.Approval); err != nil {
			if errors.Is(err, ErrNotFound) {
				return fieldErrorf(field+".query.approval", "unknown approval %q", src.Query.Approval)
			}
			return err
		}
		if err := src.Query.normalize(field + ".query."); err != nil {
			return err
		}
		if r, err = s.resolveQuery(ctx, *src.Query, field+".query", s.cfg.MaxProvisionRecords); err != nil {
			return err
		}
		src.Approvals = []string{src.Query.Approval}
	case SourceSelectedRecords:
		if len(src.RecordIDs) == 0 || src.Query != nil || src.ReportID != "" {
			return fieldErrorf(field, "a selected_records source has record_ids and nothing else")
		}
		if r, err = s.resolveIDs(ctx, src.RecordIDs, field+".record_ids", s.cfg.MaxProvisionRecords); err != nil {
			return err
		}
		src.Approvals = r.approvals
	case SourceReport:
		if src.ReportID == "" || src.Query != nil || src.RecordIDs != nil {
			return fieldErrorf(field, "a report source has report_id and nothing else")
		}
		if len(src.ReportID) > 100 || strings.ContainsAny(src.ReportID, " /\n") {
			return fieldErrorf(field+".report_id", "%q is not a report id", firstN(src.ReportID, 40))
		}
		if s.reports != nil {
			if err := s.reports.ReportExists(ctx, src.ReportID); err != nil {
				return fieldErrorf(field+".report_id", "no report %q", src.ReportID)
			}
		}
		src.LegalBasis = "§5: incident report"
		return nil
	default:
		return fieldErrorf(field+".kind", "unknown source kind %q (want %s, %s or %s)", src.Kind, SourceSelectedQuery, SourceSelectedRecords, SourceReport)
	}
	src.Count = len(r.keys)
	if src.LegalBasis, err = s.approvalBasis(ctx, src.Approvals); err != nil {
		return err
	}
	return nil
}

// Finding returns one finding; other capabilities (measures, sharing)
// read findings through it. The caller checks who may see it.
func (s *Service) Finding(ctx context.Context, id string) (Finding, error) {
	var data string
	err := s.db.QueryRow(ctx, "SELECT data FROM ci_findings WHERE id = ?", id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return Finding{}, notFoundf("finding %q", id)
	}
	if err != nil {
		return Finding{}, errorf("read finding %q: %w", id, err)
	}
	var f Finding
	if err := json.Unmarshal([]byte(data), &f); err != nil {
		return Finding{}, errorf("read finding %q: %w", id, err)
	}
	return f, nil
}

// FindingFilter selects findings; zero fields do not filter.
type FindingFilter struct {
	// ApprovalID keeps findings drawn from records of that approval.
	ApprovalID string
	Limit      int // at most 1000; default 100
}

// Findings lists findings, newest first.
func (s *Service) Findings(ctx context.Context, f FindingFilter) ([]Finding, error) {
	q := "SELECT f.data FROM ci_findings f"
	var args []any
	if f.ApprovalID != "" {
		q += " JOIN ci_finding_approvals a ON a.finding_id = f.id AND a.approval_id = ?"
		args = append(args, f.ApprovalID)
	}
	q += " ORDER BY f.created_at DESC, f.id LIMIT ?"
	args = append(args, limit(f.Limit, 100, 1000))
	rows, err := s.db.Query(ctx, q, args...)
	if err != nil {
		return nil, errorf("list findings: %w", err)
	}
	defer rows.Close()
	out := []Finding{}
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, errorf("list findings: %w", err)
		}
		var fd Finding
		if err := json.Unmarshal([]byte(data), &fd); err != nil {
			return nil, errorf("list findings: %w", err)
		}
		out = append(out, fd)
	}
	return out, rows.Err()
}
