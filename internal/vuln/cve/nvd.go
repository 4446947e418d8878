package cve

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/acd-platform/acd/internal/product"
)

// The JSON of an NVD CVE API 2.0 vulnerability item, as far as ACD reads it.
type (
	nvdWrapper struct {
		CVE *json.RawMessage `json:"cve"`
	}
	nvdItem struct {
		ID               string      `json:"id"`
		SourceIdentifier string      `json:"sourceIdentifier"`
		Published        string      `json:"published"`
		LastModified     string      `json:"lastModified"`
		VulnStatus       string      `json:"vulnStatus"`
		Descriptions     []cve5Text  `json:"descriptions"`
		Metrics          nvdMetrics  `json:"metrics"`
		Weaknesses       []nvdWeak   `json:"weaknesses"`
		Configurations   []nvdConfig `json:"configurations"`
		References       []cve5Ref   `json:"references"`
	}
	nvdMetrics struct {
		V2  []nvdMetric `json:"cvssMetricV2"`
		V30 []nvdMetric `json:"cvssMetricV30"`
		V31 []nvdMetric `json:"cvssMetricV31"`
		V40 []nvdMetric `json:"cvssMetricV40"`
	}
	nvdMetric struct {
		Source string   `json:"source"`
		Data   cve5CVSS `json:"cvssData"`
	}
	nvdWeak struct {
		Description []cve5Text `json:"description"`
	}
	// nvdConfig is an NVD configuration, and the CVE 5.1
	// cpeApplicability entry that copies it.
	nvdConfig struct {
		Operator string    `json:"operator"`
		Negate   bool      `json:"negate"`
		Nodes    []nvdNode `json:"nodes"`
	}
	nvdNode struct {
		Operator string        `json:"operator"`
		Negate   bool          `json:"negate"`
		CPEMatch []nvdCPEMatch `json:"cpeMatch"`
	}
	nvdCPEMatch struct {
		Vulnerable            *bool   `json:"vulnerable"`
		Criteria              string  `json:"criteria"`
		VersionStartIncluding *string `json:"versionStartIncluding"`
		VersionStartExcluding *string `json:"versionStartExcluding"`
		VersionEndIncluding   *string `json:"versionEndIncluding"`
		VersionEndExcluding   *string `json:"versionEndExcluding"`
	}
)

// ParseNVD reads one vulnerability item of the NVD CVE API 2.0 (the
// object under "vulnerabilities[].cve", bare or wrapped as {"cve": …})
// into a Vulnerability: id, descriptions, CVSS 2.0/3.0/3.1/4.0 metrics,
// CWE ids of the weaknesses, references, and the configurations as
// affected products (see [Affected] and docs/vuln-matching.md for how AND
// configurations and negated nodes are read). Errors are *RecordError
// with Index -1; paths are relative to the item (without "cve.").
func ParseNVD(data []byte) (*Vulnerability, error) {
	v, err := parseNVD(data)
	if err != nil {
		err.Index = -1
		return nil, err
	}
	return v, nil
}

func parseNVD(data []byte) (*Vulnerability, *RecordError) {
	if len(data) > MaxRecordBytes {
		return nil, &RecordError{Msg: fmt.Sprintf("%d bytes, larger than %d", len(data), MaxRecordBytes)}
	}
	var w nvdWrapper
	if err := json.Unmarshal(data, &w); err != nil {
		e := decodeError(data, &w, err)
		e.ID = sniffID(data)
		return nil, e
	}
	if w.CVE != nil {
		data = *w.CVE
	}
	var it nvdItem
	if err := json.Unmarshal(data, &it); err != nil {
		e := decodeError(data, &it, err)
		e.ID = sniffID(data)
		return nil, e
	}
	v, err := nvdVulnerability(&it)
	if err != nil {
		err.ID = v.ID
		return nil, err
	}
	return v, nil
}

// nvdVulnerability converts a decoded NVD item; it returns the partly
// filled Vulnerability with an error, for the id.
func nvdVulnerability(it *nvdItem) (*Vulnerability, *RecordError) {
	v := &Vulnerability{Format: FormatNVD, Assigner: it.SourceIdentifier}
	if it.ID == "" {
		return v, &RecordError{Path: "id", Msg: "required"}
	}
	if !cveIDPattern.MatchString(it.ID) {
		return v, &RecordError{Path: "id", Msg: fmt.Sprintf("%s: want CVE-YYYY-NNNN", quote(it.ID))}
	}
	v.ID = it.ID
	v.Rejected = it.VulnStatus == "Rejected"
	var err *RecordError
	if v.Published, err = parseTime("published", it.Published); err != nil {
		return v, err
	}
	if v.Updated, err = parseTime("lastModified", it.LastModified); err != nil {
		return v, err
	}
	for _, d := range it.Descriptions {
		v.Descriptions = append(v.Descriptions, Text{Lang: d.Lang, Value: d.Value})
	}
	for _, s := range []struct {
		name, version string
		ms            []nvdMetric
	}{{"cvssMetricV2", "2.0", it.Metrics.V2}, {"cvssMetricV30", "3.0", it.Metrics.V30}, {"cvssMetricV31", "3.1", it.Metrics.V31}, {"cvssMetricV40", "4.0", it.Metrics.V40}} {
		for i, m := range s.ms {
			score, err := checkCVSS(index("metrics."+s.name, i)+".cvssData", s.version, m.Data.BaseScore, m.Data.VectorString)
			if err != nil {
				return v, err
			}
			v.CVSS = append(v.CVSS, CVSS{Version: s.version, BaseScore: score, Vector: m.Data.VectorString, Source: m.Source})
		}
	}
	for _, w := range it.Weaknesses {
		for _, d := range w.Description {
			// NVD also writes "NVD-CWE-noinfo" and "NVD-CWE-Other".
			if cwePattern.MatchString(d.Value) {
				v.CWEs = append(v.CWEs, d.Value)
			}
		}
	}
	v.CWEs = dedup(v.CWEs)
	for _, r := range it.References {
		if r.URL != "" {
			v.References = append(v.References, r.URL)
		}
	}
	v.References = dedup(v.References)
	for i, cfg := range it.Configurations {
		out, err := configAffected(&cfg, index("configurations", i), "nvd")
		if err != nil {
			return v, err
		}
		if len(v.Affected)+len(out) > MaxAffected {
			return v, &RecordError{Msg: fmt.Sprintf("more than %d affected products", MaxAffected)}
		}
		v.Affected = append(v.Affected, out...)
	}
	if v.Rejected {
		v.Affected = nil
	}
	return v, nil
}

// configAffected reads one NVD configuration (or CVE 5 cpeApplicability
// entry) at path into affected products:
//
//   - every cpeMatch with vulnerable true, in a node that is not negated,
//     of a configuration that is not negated, is an affected product;
//   - in an AND configuration (or an AND node), the cpeMatch entries with
//     vulnerable false are the platforms the vulnerable ones run on or
//     with, recorded in RunningOn of each of them;
//   - negated nodes say what the product must not run on; ACD does not
//     know what an asset runs on, so they are checked and then set aside;
//   - cpeMatch entries with vulnerable false in an OR configuration say
//     nothing about what is affected and are set aside.
func configAffected(cfg *nvdConfig, path, src string) ([]Affected, *RecordError) {
	if err := checkOperator(path+".operator", cfg.Operator); err != nil {
		return nil, err
	}
	type found struct {
		a    Affected
		node int
	}
	var vuln []found
	var platforms [][]product.CPE // per node: its non-vulnerable criteria
	nodeAND := make([]bool, len(cfg.Nodes))
	for i, n := range cfg.Nodes {
		np := index(path+".nodes", i)
		if err := checkOperator(np+".operator", n.Operator); err != nil {
			return nil, err
		}
		nodeAND[i] = n.Operator == "AND"
		var plat []product.CPE
		for j, m := range n.CPEMatch {
			mp := index(np+".cpeMatch", j)
			a, err := cpeMatchAffected(&m, mp, src)
			if err != nil {
				return nil, err
			}
			if n.Negate || cfg.Negate {
				continue
			}
			if *m.Vulnerable {
				vuln = append(vuln, found{a, i})
			} else {
				plat = append(plat, *a.CPE)
			}
		}
		platforms = append(platforms, plat)
	}
	out := make([]Affected, 0, len(vuln))
	for _, f := range vuln {
		a := f.a
		switch {
		case cfg.Operator == "AND":
			for i, plat := range platforms {
				if i != f.node {
					a.RunningOn = append(a.RunningOn, plat...)
				}
			}
			if nodeAND[f.node] {
				a.RunningOn = append(a.RunningOn, platforms[f.node]...)
			}
		case nodeAND[f.node]:
			a.RunningOn = append(a.RunningOn, platforms[f.node]...)
		}
		out = append(out, a)
	}
	return out, nil
}

// checkOperator checks an NVD operator: AND, OR, or absent.
func checkOperator(path, op string) *RecordError {
	switch op {
	case "", "AND", "OR":
		return nil
	}
	return &RecordError{Path: path, Msg: fmt.Sprintf("%s: want AND or OR", quote(op))}
}

// cpeMatchAffected reads one cpeMatch at path.
func cpeMatchAffected(m *nvdCPEMatch, path, src string) (Affected, *RecordError) {
	if m.Vulnerable == nil {
		return Affected{}, &RecordError{Path: path + ".vulnerable", Msg: "required"}
	}
	if m.Criteria == "" {
		return Affected{}, &RecordError{Path: path + ".criteria", Msg: "required"}
	}
	c, err := product.ParseCPE(m.Criteria)
	if err != nil {
		return Affected{}, &RecordError{Path: path + ".criteria", Msg: err.Error(), Err: err}
	}
	a := Affected{
		Source: src, Path: path, CPE: &c,
		Vendor: c.Vendor.String(), Product: c.Product.String(),
	}
	if m.VersionStartIncluding != nil && m.VersionStartExcluding != nil {
		return a, &RecordError{Path: path, Msg: "versionStartIncluding and versionStartExcluding are both given; give one"}
	}
	if m.VersionEndIncluding != nil && m.VersionEndExcluding != nil {
		return a, &RecordError{Path: path, Msg: "versionEndIncluding and versionEndExcluding are both given; give one"}
	}
	var r Range
	bounded := false
	for _, b := range []struct {
		name string
		v    *string
		set  func(string)
	}{
		{"versionStartIncluding", m.VersionStartIncluding, func(s string) { r.Start = s }},
		{"versionStartExcluding", m.VersionStartExcluding, func(s string) { r.Start, r.StartExcluded = s, true }},
		{"versionEndIncluding", m.VersionEndIncluding, func(s string) { r.End, r.EndIncluded = s, true }},
		{"versionEndExcluding", m.VersionEndExcluding, func(s string) { r.End = s }},
	} {
		if b.v == nil {
			continue
		}
		if err := checkVersion(path+"."+b.name, *b.v); err != nil {
			return a, err
		}
		b.set(*b.v)
		bounded = true
	}
	if bounded {
		r.Status = StatusAffected
		a.Versions = Versions{Default: StatusUnaffected, Ranges: []Range{r}}
	} else {
		a.Versions = Versions{Default: StatusAffected}
	}
	return a, nil
}

// isNVD reports whether a decoded top-level object looks like an NVD item
// rather than a CVE 5 record.
func isNVD(keys map[string]json.RawMessage) bool {
	if _, ok := keys["cveMetadata"]; ok {
		return false
	}
	if _, ok := keys["cve"]; ok {
		return true
	}
	_, hasID := keys["id"]
	return hasID
}

// Parse reads one record, CVE JSON 5 or NVD API 2.0 item, telling them
// apart by their fields ("cveMetadata" for CVE 5; "cve" or "id" for NVD).
// Errors are *RecordError with Index -1.
func Parse(data []byte) (*Vulnerability, error) {
	v, err := parseAny(data)
	if err != nil {
		err.Index = -1
		return nil, err
	}
	return v, nil
}

func parseAny(data []byte) (*Vulnerability, *RecordError) {
	if len(data) > MaxRecordBytes {
		return nil, &RecordError{Msg: fmt.Sprintf("%d bytes, larger than %d", len(data), MaxRecordBytes)}
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(data, &keys); err != nil {
		e := decodeError(data, &keys, err)
		if strings.HasPrefix(e.Msg, "want map") {
			e.Msg = "want a JSON object (a CVE 5 record or an NVD item)"
		}
		return nil, e
	}
	if isNVD(keys) {
		return parseNVD(data)
	}
	return parseCVE5(data)
}
