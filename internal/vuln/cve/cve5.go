package cve

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/product"
)

// Limits on a record, so that a hostile input cannot exhaust memory.
const (
	// MaxRecordBytes is the largest record, in bytes of JSON, that the
	// parsers and the Reader accept.
	MaxRecordBytes = 8 << 20
	// MaxAffected is the most affected products one record may yield
	// (CVE 5 affected entries times their cpes, NVD cpeMatch entries).
	MaxAffected = 50_000
	// MaxVersionLen is the longest version string accepted, in bytes (the
	// CVE 5 schema's limit).
	MaxVersionLen = 1024
)

// The JSON of a CVE 5 record, as far as ACD reads it. Fields that may be
// absent or present-but-empty with different meanings are pointers.
type (
	cve5Record struct {
		DataType    string        `json:"dataType"`
		DataVersion string        `json:"dataVersion"`
		Meta        cve5Meta      `json:"cveMetadata"`
		Containers  cve5Contaners `json:"containers"`
	}
	cve5Meta struct {
		CVEID             string `json:"cveId"`
		State             string `json:"state"`
		AssignerShortName string `json:"assignerShortName"`
		DatePublished     string `json:"datePublished"`
		DateUpdated       string `json:"dateUpdated"`
	}
	cve5Contaners struct {
		CNA *cve5Container  `json:"cna"`
		ADP []cve5Container `json:"adp"`
	}
	cve5Container struct {
		Provider struct {
			ShortName string `json:"shortName"`
		} `json:"providerMetadata"`
		Title            string         `json:"title"`
		Descriptions     []cve5Text     `json:"descriptions"`
		RejectedReasons  []cve5Text     `json:"rejectedReasons"`
		Affected         []cve5Affected `json:"affected"`
		Metrics          []cve5Metric   `json:"metrics"`
		ProblemTypes     []cve5Problem  `json:"problemTypes"`
		Solutions        []cve5Text     `json:"solutions"`
		Workarounds      []cve5Text     `json:"workarounds"`
		References       []cve5Ref      `json:"references"`
		CPEApplicability []nvdConfig    `json:"cpeApplicability"`
	}
	cve5Text struct {
		Lang  string `json:"lang"`
		Value string `json:"value"`
	}
	cve5Ref struct {
		URL string `json:"url"`
	}
	cve5Affected struct {
		Vendor        string        `json:"vendor"`
		Product       string        `json:"product"`
		CollectionURL string        `json:"collectionURL"`
		PackageName   string        `json:"packageName"`
		CPEs          []string      `json:"cpes"`
		Platforms     []string      `json:"platforms"`
		DefaultStatus *string       `json:"defaultStatus"`
		Versions      []cve5Version `json:"versions"`
	}
	cve5Version struct {
		Version         *string      `json:"version"`
		Status          *string      `json:"status"`
		VersionType     *string      `json:"versionType"`
		LessThan        *string      `json:"lessThan"`
		LessThanOrEqual *string      `json:"lessThanOrEqual"`
		Changes         []cve5Change `json:"changes"`
	}
	cve5Change struct {
		At     *string `json:"at"`
		Status *string `json:"status"`
	}
	cve5Metric struct {
		V20 *cve5CVSS `json:"cvssV2_0"`
		V30 *cve5CVSS `json:"cvssV3_0"`
		V31 *cve5CVSS `json:"cvssV3_1"`
		V40 *cve5CVSS `json:"cvssV4_0"`
	}
	cve5CVSS struct {
		BaseScore    *float64 `json:"baseScore"`
		VectorString string   `json:"vectorString"`
	}
	cve5Problem struct {
		Descriptions []struct {
			CWEID       string `json:"cweId"`
			Type        string `json:"type"`
			Description string `json:"description"`
		} `json:"descriptions"`
	}
)

// cveIDPattern is the CVE id syntax of the CVE 5 schema.
var cveIDPattern = regexp.MustCompile(`^CVE-[0-9]{4}-[0-9]{4,19}$`)

// cwePattern is a CWE id.
var cwePattern = regexp.MustCompile(`^CWE-[1-9][0-9]{0,5}$`)

// leadingCWE finds a CWE id at the start of a problem type description
// ("CWE-77 Improper Neutralization …").
var leadingCWE = regexp.MustCompile(`^CWE-[1-9][0-9]{0,5}\b`)

// ParseCVE5 reads one CVE JSON 5 record (CVE Record Format 5.0 to 5.2)
// into a Vulnerability. It reads the CNA container and every ADP
// container: affected products (vendor/product, collectionURL/packageName,
// cpes, versions with lessThan/lessThanOrEqual/changes, defaultStatus),
// cpeApplicability (as NVD configurations), CVSS 2.0/3.0/3.1/4.0 base
// scores and vectors, CWE ids, solutions and workarounds, descriptions and
// references. Unknown fields are ignored. A record that is not valid
// breaks a rule of the schema ACD relies on, and gets a *RecordError with
// Index -1 naming the field.
func ParseCVE5(data []byte) (*Vulnerability, error) {
	v, err := parseCVE5(data)
	if err != nil {
		err.Index = -1
		return nil, err
	}
	return v, nil
}

func parseCVE5(data []byte) (*Vulnerability, *RecordError) {
	if len(data) > MaxRecordBytes {
		return nil, &RecordError{Msg: fmt.Sprintf("%d bytes, larger than %d", len(data), MaxRecordBytes)}
	}
	var rec cve5Record
	if err := json.Unmarshal(data, &rec); err != nil {
		e := decodeError(data, &rec, err)
		e.ID = sniffID(data)
		return nil, e
	}
	p := &cve5Parser{v: &Vulnerability{Format: FormatCVE5}}
	if err := p.record(&rec); err != nil {
		err.ID = p.v.ID
		return nil, err
	}
	return p.v, nil
}

// sniffID tries to find the CVE id of a record that did not decode, for
// the error message.
func sniffID(data []byte) string {
	var probe struct {
		Meta struct {
			CVEID string `json:"cveId"`
		} `json:"cveMetadata"`
		ID  string `json:"id"`
		CVE struct {
			ID string `json:"id"`
		} `json:"cve"`
	}
	_ = json.Unmarshal(data, &probe) // best effort: fields before the fault are set
	for _, id := range []string{probe.Meta.CVEID, probe.ID, probe.CVE.ID} {
		if cveIDPattern.MatchString(id) {
			return id
		}
	}
	return ""
}

// cve5Parser turns a decoded CVE 5 record into a Vulnerability.
type cve5Parser struct {
	v *Vulnerability
}

func (p *cve5Parser) record(rec *cve5Record) *RecordError {
	if rec.DataType != "" && rec.DataType != "CVE_RECORD" {
		return &RecordError{Path: "dataType", Msg: fmt.Sprintf("%s: want CVE_RECORD", quote(rec.DataType))}
	}
	if rec.DataVersion != "" && !strings.HasPrefix(rec.DataVersion, "5.") {
		return &RecordError{Path: "dataVersion", Msg: fmt.Sprintf("%s: want 5.x", quote(rec.DataVersion))}
	}
	m := rec.Meta
	if m.CVEID == "" {
		return &RecordError{Path: "cveMetadata.cveId", Msg: "required"}
	}
	if !cveIDPattern.MatchString(m.CVEID) {
		return &RecordError{Path: "cveMetadata.cveId", Msg: fmt.Sprintf("%s: want CVE-YYYY-NNNN", quote(m.CVEID))}
	}
	p.v.ID = m.CVEID
	switch m.State {
	case "PUBLISHED":
	case "REJECTED":
		p.v.Rejected = true
	case "":
		return &RecordError{Path: "cveMetadata.state", Msg: "required"}
	default:
		return &RecordError{Path: "cveMetadata.state", Msg: fmt.Sprintf("%s: want PUBLISHED or REJECTED", quote(m.State))}
	}
	p.v.Assigner = m.AssignerShortName
	var err *RecordError
	if p.v.Published, err = parseTime("cveMetadata.datePublished", m.DatePublished); err != nil {
		return err
	}
	if p.v.Updated, err = parseTime("cveMetadata.dateUpdated", m.DateUpdated); err != nil {
		return err
	}
	if rec.Containers.CNA == nil {
		return &RecordError{Path: "containers.cna", Msg: "required"}
	}
	if err := p.container(rec.Containers.CNA, "containers.cna", "cna"); err != nil {
		return err
	}
	for i := range rec.Containers.ADP {
		c := &rec.Containers.ADP[i]
		src := "adp"
		if c.Provider.ShortName != "" {
			src = "adp:" + c.Provider.ShortName
		}
		if err := p.container(c, index("containers.adp", i), src); err != nil {
			return err
		}
	}
	if p.v.Rejected {
		p.v.Affected = nil // a rejected id affects nothing
	}
	p.v.CWEs = dedup(p.v.CWEs)
	p.v.References = dedup(p.v.References)
	return nil
}

// container reads one CNA or ADP container at path; src is "cna" or
// "adp:<short name>".
func (p *cve5Parser) container(c *cve5Container, path, src string) *RecordError {
	v := p.v
	if src == "cna" {
		v.Title = c.Title
		texts := c.Descriptions
		if v.Rejected {
			texts = c.RejectedReasons
		}
		for _, t := range texts {
			v.Descriptions = append(v.Descriptions, Text{Lang: t.Lang, Value: t.Value})
		}
	}
	for i, a := range c.Affected {
		if err := p.affected(&a, index(joinPath(path, "affected"), i), src); err != nil {
			return err
		}
	}
	for i, cfg := range c.CPEApplicability {
		out, err := configAffected(&cfg, index(joinPath(path, "cpeApplicability"), i), src)
		if err != nil {
			return err
		}
		if err := p.add(out...); err != nil {
			return err
		}
	}
	for i, m := range c.Metrics {
		mp := index(joinPath(path, "metrics"), i)
		for _, s := range []struct {
			name, version string
			c             *cve5CVSS
		}{{"cvssV2_0", "2.0", m.V20}, {"cvssV3_0", "3.0", m.V30}, {"cvssV3_1", "3.1", m.V31}, {"cvssV4_0", "4.0", m.V40}} {
			if s.c == nil {
				continue
			}
			score, err := checkCVSS(joinPath(mp, s.name), s.version, s.c.BaseScore, s.c.VectorString)
			if err != nil {
				return err
			}
			v.CVSS = append(v.CVSS, CVSS{Version: s.version, BaseScore: score, Vector: s.c.VectorString, Source: src})
		}
	}
	for i, pt := range c.ProblemTypes {
		for j, d := range pt.Descriptions {
			dp := index(joinPath(index(joinPath(path, "problemTypes"), i), "descriptions"), j)
			switch {
			case d.CWEID != "":
				if !cwePattern.MatchString(d.CWEID) {
					return &RecordError{Path: dp + ".cweId", Msg: fmt.Sprintf("%s: want CWE-<number>", quote(d.CWEID))}
				}
				v.CWEs = append(v.CWEs, d.CWEID)
			case d.Type == "CWE":
				if id := leadingCWE.FindString(d.Description); id != "" {
					v.CWEs = append(v.CWEs, id)
				}
			}
		}
	}
	for _, s := range c.Solutions {
		v.Mitigations = append(v.Mitigations, Mitigation{Kind: Solution, Lang: s.Lang, Text: s.Value, Source: src})
	}
	for _, w := range c.Workarounds {
		v.Mitigations = append(v.Mitigations, Mitigation{Kind: Workaround, Lang: w.Lang, Text: w.Value, Source: src})
	}
	for _, r := range c.References {
		if r.URL != "" {
			v.References = append(v.References, r.URL)
		}
	}
	return nil
}

// add appends affected products, within MaxAffected.
func (p *cve5Parser) add(as ...Affected) *RecordError {
	if len(p.v.Affected)+len(as) > MaxAffected {
		return &RecordError{Msg: fmt.Sprintf("more than %d affected products", MaxAffected)}
	}
	p.v.Affected = append(p.v.Affected, as...)
	return nil
}

// affected reads one CVE 5 affected entry at path.
func (p *cve5Parser) affected(a *cve5Affected, path, src string) *RecordError {
	if a.DefaultStatus == nil && len(a.Versions) == 0 {
		return &RecordError{Path: path, Msg: "want versions or defaultStatus"}
	}
	var vs Versions
	if a.DefaultStatus != nil {
		s, ok := parseStatus(*a.DefaultStatus)
		if !ok {
			return &RecordError{Path: path + ".defaultStatus", Msg: fmt.Sprintf("%s: want affected, unaffected or unknown", quote(*a.DefaultStatus))}
		}
		vs.Default = s
	}
	for i, ver := range a.Versions {
		r, err := cve5Range(&ver, index(path+".versions", i))
		if err != nil {
			return err
		}
		vs.Ranges = append(vs.Ranges, r)
	}
	base := Affected{
		Source: src, Path: path,
		Vendor: a.Vendor, Product: a.Product,
		CollectionURL: a.CollectionURL, PackageName: a.PackageName,
		Versions:  vs,
		Platforms: a.Platforms,
	}
	var out []Affected
	for i, s := range a.CPEs {
		c, err := product.ParseCPE(s)
		if err != nil {
			return &RecordError{Path: index(path+".cpes", i), Msg: err.Error(), Err: err}
		}
		if len(vs.Ranges) > 0 {
			// The versions list says which versions; the CPE names the
			// product (CISA's ADP writes the first affected version into
			// it).
			c.Version, c.Update = product.AnyValue(), product.AnyValue()
		}
		e := base
		e.CPE = &c
		out = append(out, e)
	}
	if len(a.CPEs) == 0 {
		if c, ok := deriveCPE(a.Vendor, a.Product); ok {
			e := base
			e.CPE, e.DerivedCPE = &c, true
			out = append(out, e)
		}
	}
	if pu, ok := packagePURL(a.CollectionURL, a.PackageName); ok {
		e := base
		e.PURL = &pu
		out = append(out, e)
	}
	if len(out) == 0 {
		out = append(out, base) // kept for display; matches nothing
	}
	return p.add(out...)
}

// placeholders are version strings CNAs write for "every version" or "we
// do not know which"; see docs/vuln-matching.md.
var placeholders = map[string]bool{
	"*": true, "all": true, "all versions": true, "any": true, "unspecified": true, "n/a": true,
}

// isPlaceholder reports whether v stands for no particular version.
func isPlaceholder(v string) bool { return placeholders[strings.ToLower(strings.TrimSpace(v))] }

// cve5Range reads one entry of a CVE 5 versions list at path.
func cve5Range(ver *cve5Version, path string) (Range, *RecordError) {
	var r Range
	if ver.Status == nil {
		return r, &RecordError{Path: path + ".status", Msg: "required"}
	}
	s, ok := parseStatus(*ver.Status)
	if !ok {
		return r, &RecordError{Path: path + ".status", Msg: fmt.Sprintf("%s: want affected, unaffected or unknown", quote(*ver.Status))}
	}
	r.Status = s
	if ver.Version == nil {
		return r, &RecordError{Path: path + ".version", Msg: "required"}
	}
	if err := checkVersion(path+".version", *ver.Version); err != nil {
		return r, err
	}
	if ver.VersionType != nil {
		if t := *ver.VersionType; t == "" || len(t) > 128 {
			return r, &RecordError{Path: path + ".versionType", Msg: "want 1 to 128 characters"}
		}
		r.Scheme = *ver.VersionType
	}
	if ver.LessThan != nil && ver.LessThanOrEqual != nil {
		return r, &RecordError{Path: path, Msg: "lessThan and lessThanOrEqual are both given; give one"}
	}
	end, endIncl := ver.LessThan, false
	if ver.LessThanOrEqual != nil {
		end, endIncl = ver.LessThanOrEqual, true
	}
	if end == nil {
		if len(ver.Changes) > 0 {
			return r, &RecordError{Path: path + ".changes", Msg: "only a range (with lessThan or lessThanOrEqual) has changes"}
		}
		if !isPlaceholder(*ver.Version) {
			r.Exact = *ver.Version
		}
		return r, nil
	}
	field := path + ".lessThan"
	if endIncl {
		field = path + ".lessThanOrEqual"
	}
	if err := checkVersion(field, *end); err != nil {
		return r, err
	}
	if start := *ver.Version; start != "0" && !isPlaceholder(start) {
		r.Start = start
	}
	if *end != "*" && !isPlaceholder(*end) {
		r.End, r.EndIncluded = *end, endIncl
	}
	for i, c := range ver.Changes {
		cp := index(path+".changes", i)
		if c.At == nil {
			return r, &RecordError{Path: cp + ".at", Msg: "required"}
		}
		if err := checkVersion(cp+".at", *c.At); err != nil {
			return r, err
		}
		if c.Status == nil {
			return r, &RecordError{Path: cp + ".status", Msg: "required"}
		}
		cs, ok := parseStatus(*c.Status)
		if !ok {
			return r, &RecordError{Path: cp + ".status", Msg: fmt.Sprintf("%s: want affected, unaffected or unknown", quote(*c.Status))}
		}
		r.Changes = append(r.Changes, Change{At: *c.At, Status: cs})
	}
	return r, nil
}

// checkVersion checks a version string at path: 1 to MaxVersionLen bytes
// of valid UTF-8 without control characters.
func checkVersion(path, v string) *RecordError {
	switch {
	case v == "":
		return &RecordError{Path: path, Msg: "empty"}
	case len(v) > MaxVersionLen:
		return &RecordError{Path: path, Msg: fmt.Sprintf("%d bytes, longer than %d", len(v), MaxVersionLen)}
	case !utf8ValidNoControl(v):
		return &RecordError{Path: path, Msg: fmt.Sprintf("%s: control character or invalid UTF-8", quote(v))}
	}
	return nil
}

// utf8ValidNoControl reports whether s is valid UTF-8 with no control
// characters.
func utf8ValidNoControl(s string) bool {
	for _, r := range s {
		if r == 0xFFFD || r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return false
		}
	}
	return true
}

// checkCVSS checks a CVSS base score and vector of the given version at
// path and returns the score.
func checkCVSS(path, version string, score *float64, vector string) (float64, *RecordError) {
	if score == nil {
		return 0, &RecordError{Path: path + ".baseScore", Msg: "required"}
	}
	if *score < 0 || *score > 10 {
		return 0, &RecordError{Path: path + ".baseScore", Msg: fmt.Sprintf("%g: want 0.0 to 10.0", *score)}
	}
	if vector == "" {
		return 0, &RecordError{Path: path + ".vectorString", Msg: "required"}
	}
	if version != "2.0" && !strings.HasPrefix(vector, "CVSS:"+version+"/") {
		return 0, &RecordError{Path: path + ".vectorString", Msg: fmt.Sprintf("%s: want it to start with %q", quote(vector), "CVSS:"+version+"/")}
	}
	if len(vector) > 512 || !utf8ValidNoControl(vector) {
		return 0, &RecordError{Path: path + ".vectorString", Msg: fmt.Sprintf("%s: not a CVSS vector", quote(vector))}
	}
	return *score, nil
}

// timeLayouts are the timestamp forms CVE 5 (RFC 3339, time zone
// optional) and NVD (no time zone, UTC) write.
var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02"}

// parseTime reads an optional timestamp at path, in UTC.
func parseTime(path, s string) (time.Time, *RecordError) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, &RecordError{Path: path, Msg: fmt.Sprintf("%s: want an RFC 3339 timestamp", quote(s))}
}

// dedup removes repeated strings, keeping the first of each.
func dedup(ss []string) []string {
	if len(ss) < 2 {
		return ss
	}
	seen := make(map[string]bool, len(ss))
	out := ss[:0]
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
