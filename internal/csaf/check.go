package csaf

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Violation is a failed mandatory test of CSAF 2.0 §6.1.
type Violation struct {
	// Test is the test's number, "6.1.14".
	Test string
	// Path is the JSON path of the offending value, "/vulnerabilities/0/cve".
	Path string
	// Message says what is wrong.
	Message string
}

func (v *Violation) Error() string {
	return fmt.Sprintf("CSAF test %s at %s: %s", v.Test, v.Path, v.Message)
}

// MaxCheckedSize bounds a document Check reads.
const MaxCheckedSize = 16 << 20

// maxBranchDepth bounds the product tree's depth Check walks.
const maxBranchDepth = 30

// Check runs the mandatory tests of CSAF 2.0 §6.1 that apply to the
// documents ACD writes, on the document's JSON, and returns every
// violation (as *Violation) — none for a passing document. A document that
// is not a JSON object of the expected shape gives one error saying where,
// and so does a product tree nested deeper than 30 levels.
// Schema validity (test 6.1.8 and the rest of §6.1's premise) is not
// checked here: the tests validate the served documents against the
// CSAF JSON schema.
//
// The tests: 6.1.1 missing definition of a product id; 6.1.2 multiple
// definition of a product id; 6.1.6 contradicting product status; 6.1.7
// multiple scores of one CVSS version per product; 6.1.9 CVSS 3 base
// score and severity that the vector does not give; 6.1.11 a CWE name
// that is not the name of its id (for the ids in the package's table);
// 6.1.14 revision history not sorted by number and date; 6.1.16 the
// latest revision is not the document's version; 6.1.17 version 0 (or
// 0.y.z) outside draft; 6.1.18 revision 0 in a final or interim
// document; 6.1.21 a gap in integer versions; 6.1.22 a version twice in
// the history; 6.1.23 a CVE in two vulnerabilities; 6.1.26 a prohibited
// document category; 6.1.27.1–6.1.27.6 and 6.1.27.11 the profiles of
// informational and security advisories; 6.1.29 a remediation without
// products; 6.1.30 integer and semantic versions mixed; 6.1.31 a version
// range in a product_version branch.
func Check(doc []byte) []error {
	if len(doc) > MaxCheckedSize {
		return []error{fmt.Errorf("csaf check: document of %d bytes, at most %d", len(doc), MaxCheckedSize)}
	}
	var d checkDoc
	dec := json.NewDecoder(bytes.NewReader(doc))
	if err := dec.Decode(&d); err != nil {
		return []error{fmt.Errorf("csaf check: %s", jsonError(doc, err))}
	}
	c := &checker{defined: map[string]string{}}
	c.productIDs(&d)
	c.productStatus(&d)
	c.scores(&d)
	c.cwes(&d)
	c.tracking(&d)
	c.cves(&d)
	c.category(&d)
	c.profile(&d)
	c.remediations(&d)
	c.versionRanges(&d)
	return c.errs
}

// jsonError says where a decoding error is.
func jsonError(doc []byte, err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case asErr(err, &se):
		return fmt.Sprintf("not JSON at byte %d: %v", se.Offset, err)
	case asErr(err, &te):
		return fmt.Sprintf("at %s (byte %d): %s where %s belongs", "/"+strings.ReplaceAll(te.Field, ".", "/"), te.Offset, te.Value, te.Type)
	}
	return "not JSON: " + err.Error()
}

// The parts of a CSAF document the tests read.
type checkDoc struct {
	Document struct {
		Category   string      `json:"category"`
		Notes      []checkNote `json:"notes"`
		References []struct {
			Category string `json:"category"`
		} `json:"references"`
		Tracking struct {
			Status          string `json:"status"`
			Version         string `json:"version"`
			RevisionHistory []struct {
				Date   string `json:"date"`
				Number string `json:"number"`
			} `json:"revision_history"`
		} `json:"tracking"`
	} `json:"document"`
	ProductTree *struct {
		Branches         []checkBranch      `json:"branches"`
		FullProductNames []checkProductName `json:"full_product_names"`
		ProductGroups    []struct {
			GroupID    string   `json:"group_id"`
			ProductIDs []string `json:"product_ids"`
		} `json:"product_groups"`
		Relationships []struct {
			FullProductName  checkProductName `json:"full_product_name"`
			ProductReference string           `json:"product_reference"`
			RelatesToProduct string           `json:"relates_to_product_reference"`
		} `json:"relationships"`
	} `json:"product_tree"`
	Vulnerabilities *[]checkVuln `json:"vulnerabilities"`
}

type checkNote struct {
	Category string `json:"category"`
}

type checkBranch struct {
	Category string            `json:"category"`
	Name     string            `json:"name"`
	Product  *checkProductName `json:"product"`
	Branches []checkBranch     `json:"branches"`
}

type checkProductName struct {
	ProductID string `json:"product_id"`
}

type checkVuln struct {
	CVE string `json:"cve"`
	CWE *struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"cwe"`
	Notes         []checkNote         `json:"notes"`
	ProductStatus map[string][]string `json:"product_status"`
	Remediations  []struct {
		ProductIDs []string `json:"product_ids"`
		GroupIDs   []string `json:"group_ids"`
	} `json:"remediations"`
	Scores []struct {
		Products []string        `json:"products"`
		CVSSv2   json.RawMessage `json:"cvss_v2"`
		CVSSv3   *struct {
			Version      string  `json:"version"`
			VectorString string  `json:"vectorString"`
			BaseScore    float64 `json:"baseScore"`
			BaseSeverity string  `json:"baseSeverity"`
		} `json:"cvss_v3"`
	} `json:"scores"`
	Threats []struct {
		ProductIDs []string `json:"product_ids"`
	} `json:"threats"`
	Flags []struct {
		ProductIDs []string `json:"product_ids"`
	} `json:"flags"`
}

type checker struct {
	errs    []error
	defined map[string]string // product id → where defined
}

func (c *checker) fail(test, path, format string, args ...any) {
	c.errs = append(c.errs, &Violation{Test: test, Path: path, Message: fmt.Sprintf(format, args...)})
}

func (d *checkDoc) vulns() []checkVuln {
	if d.Vulnerabilities == nil {
		return nil
	}
	return *d.Vulnerabilities
}

// productIDs runs 6.1.2 over the definitions and 6.1.1 over the
// references.
func (c *checker) productIDs(d *checkDoc) {
	define := func(id, path string) {
		if prev, ok := c.defined[id]; ok {
			c.fail("6.1.2", path, "product id %q is already defined at %s", id, prev)
			return
		}
		c.defined[id] = path
	}
	if t := d.ProductTree; t != nil {
		var walk func(bs []checkBranch, path string, depth int)
		walk = func(bs []checkBranch, path string, depth int) {
			if depth > maxBranchDepth {
				c.errs = append(c.errs, fmt.Errorf("csaf check: %s: branches nested deeper than %d levels are not checked", path, maxBranchDepth))
				return
			}
			for i, b := range bs {
				p := fmt.Sprintf("%s/%d", path, i)
				if b.Product != nil {
					define(b.Product.ProductID, p+"/product/product_id")
				}
				walk(b.Branches, p+"/branches", depth+1)
			}
		}
		walk(t.Branches, "/product_tree/branches", 0)
		for i, f := range t.FullProductNames {
			define(f.ProductID, fmt.Sprintf("/product_tree/full_product_names/%d/product_id", i))
		}
		for i, r := range t.Relationships {
			define(r.FullProductName.ProductID, fmt.Sprintf("/product_tree/relationships/%d/full_product_name/product_id", i))
		}
	}
	use := func(ids []string, path string) {
		for i, id := range ids {
			if _, ok := c.defined[id]; !ok {
				c.fail("6.1.1", fmt.Sprintf("%s/%d", path, i), "product id %q is not defined in the product tree", id)
			}
		}
	}
	if t := d.ProductTree; t != nil {
		for i, g := range t.ProductGroups {
			use(g.ProductIDs, fmt.Sprintf("/product_tree/product_groups/%d/product_ids", i))
		}
		for i, r := range t.Relationships {
			use([]string{r.ProductReference}, fmt.Sprintf("/product_tree/relationships/%d/product_reference", i))
			use([]string{r.RelatesToProduct}, fmt.Sprintf("/product_tree/relationships/%d/relates_to_product_reference", i))
		}
	}
	for i, v := range d.vulns() {
		base := fmt.Sprintf("/vulnerabilities/%d", i)
		for _, st := range sortedKeys(v.ProductStatus) {
			use(v.ProductStatus[st], base+"/product_status/"+st)
		}
		for j, r := range v.Remediations {
			use(r.ProductIDs, fmt.Sprintf("%s/remediations/%d/product_ids", base, j))
		}
		for j, s := range v.Scores {
			use(s.Products, fmt.Sprintf("%s/scores/%d/products", base, j))
		}
		for j, t := range v.Threats {
			use(t.ProductIDs, fmt.Sprintf("%s/threats/%d/product_ids", base, j))
		}
		for j, f := range v.Flags {
			use(f.ProductIDs, fmt.Sprintf("%s/flags/%d/product_ids", base, j))
		}
	}
}

// statusGroups are 6.1.6's groups of product status.
var statusGroups = map[string]string{
	"first_affected": "affected", "known_affected": "affected", "last_affected": "affected",
	"known_not_affected": "not affected",
	"first_fixed":        "fixed", "fixed": "fixed",
	"under_investigation": "under investigation",
}

// productStatus runs 6.1.6: a product in one status group only.
func (c *checker) productStatus(d *checkDoc) {
	for i, v := range d.vulns() {
		group := map[string]string{}
		for _, st := range sortedKeys(v.ProductStatus) {
			g, ok := statusGroups[st]
			if !ok {
				continue
			}
			for j, id := range v.ProductStatus[st] {
				if prev, ok := group[id]; ok && prev != g {
					c.fail("6.1.6", fmt.Sprintf("/vulnerabilities/%d/product_status/%s/%d", i, st, j), "product %q is both %s and %s", id, prev, g)
				}
				group[id] = g
			}
		}
	}
}

// scores runs 6.1.7 and 6.1.9.
func (c *checker) scores(d *checkDoc) {
	for i, v := range d.vulns() {
		seen := map[string]bool{}
		for j, s := range v.Scores {
			path := fmt.Sprintf("/vulnerabilities/%d/scores/%d", i, j)
			var versions []string
			if len(s.CVSSv2) > 0 {
				versions = append(versions, "2.0")
			}
			if cv := s.CVSSv3; cv != nil {
				versions = append(versions, cv.Version)
				version, base, severity, err := cvss3Base(cv.VectorString)
				switch {
				case err != nil:
					c.fail("6.1.9", path+"/cvss_v3/vectorString", "%v", err)
				case version != cv.Version:
					c.fail("6.1.9", path+"/cvss_v3/version", "version %q, but the vector is CVSS %s", cv.Version, version)
				case base != cv.BaseScore:
					c.fail("6.1.9", path+"/cvss_v3/baseScore", "base score %.1f, the vector gives %.1f", cv.BaseScore, base)
				case severity != cv.BaseSeverity:
					c.fail("6.1.9", path+"/cvss_v3/baseSeverity", "severity %q, the vector gives %q", cv.BaseSeverity, severity)
				}
			}
			for _, ver := range versions {
				for k, id := range s.Products {
					if seen[ver+"\x00"+id] {
						c.fail("6.1.7", fmt.Sprintf("%s/products/%d", path, k), "product %q has a second CVSS %s score", id, ver)
					}
					seen[ver+"\x00"+id] = true
				}
			}
		}
	}
}

// cwes runs 6.1.11 for the CWE ids the package knows.
func (c *checker) cwes(d *checkDoc) {
	for i, v := range d.vulns() {
		if v.CWE == nil {
			continue
		}
		if name, ok := cweNames[v.CWE.ID]; ok && name != v.CWE.Name {
			c.fail("6.1.11", fmt.Sprintf("/vulnerabilities/%d/cwe/name", i), "%q is not the name of %s (%q)", v.CWE.Name, v.CWE.ID, name)
		}
	}
}

var (
	intVersion = regexp.MustCompile(`^(0|[1-9][0-9]*)$`)
	semVersion = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$`)
)

// tracking runs 6.1.14, 6.1.16, 6.1.17, 6.1.18, 6.1.21, 6.1.22 and 6.1.30.
func (c *checker) tracking(d *checkDoc) {
	t := d.Document.Tracking
	const base = "/document/tracking"
	hist := t.RevisionHistory
	ints, sems := 0, 0
	for _, v := range append([]string{t.Version}, numbers(hist)...) {
		switch {
		case intVersion.MatchString(v):
			ints++
		case semVersion.MatchString(v):
			sems++
		}
	}
	if ints > 0 && sems > 0 {
		c.fail("6.1.30", base, "integer and semantic versions are mixed")
		return // the ordering tests below need one scheme
	}
	semantic := sems > 0
	less := func(a, b string) bool { return compareVersions(a, b, semantic) < 0 }
	// 6.1.22: each number once.
	seen := map[string]int{}
	for i, r := range hist {
		if j, ok := seen[r.Number]; ok {
			c.fail("6.1.22", fmt.Sprintf("%s/revision_history/%d/number", base, i), "version %q is also item %d", r.Number, j)
		}
		seen[r.Number] = i
	}
	// 6.1.14: sorted by number, the dates not going back.
	sorted := make([]int, len(hist))
	for i := range sorted {
		sorted[i] = i
	}
	sortStable(sorted, func(a, b int) bool { return less(hist[a].Number, hist[b].Number) })
	var prev time.Time
	for k, i := range sorted {
		at, err := time.Parse(time.RFC3339, hist[i].Date)
		if err != nil {
			c.fail("6.1.14", fmt.Sprintf("%s/revision_history/%d/date", base, i), "%q is not an RFC 3339 date-time", hist[i].Date)
			continue
		}
		if k > 0 && at.Before(prev) {
			c.fail("6.1.14", fmt.Sprintf("%s/revision_history/%d/date", base, i), "version %s is dated before the version preceding it", hist[i].Number)
		}
		prev = at
	}
	// 6.1.16: the latest number is the version.
	if len(hist) > 0 {
		latest := hist[sorted[len(sorted)-1]].Number
		if latest != t.Version {
			c.fail("6.1.16", base+"/version", "version %q, but the latest revision is %q", t.Version, latest)
		}
	}
	// 6.1.17 and 6.1.18: version 0 only in drafts.
	zero := func(v string) bool { return v == "0" || strings.HasPrefix(v, "0.") }
	if t.Status != "draft" {
		if zero(t.Version) {
			c.fail("6.1.17", base+"/version", "version %q in a %s document", t.Version, t.Status)
		}
		for i, r := range hist {
			if zero(r.Number) {
				c.fail("6.1.18", fmt.Sprintf("%s/revision_history/%d/number", base, i), "revision %q in a %s document", r.Number, t.Status)
			}
		}
	}
	// 6.1.21: integer versions without gaps, from 0 or 1 (a version
	// given twice is 6.1.22's).
	if !semantic && len(hist) > 0 {
		var ns []uint64
		for _, r := range hist {
			if n, err := strconv.ParseUint(r.Number, 10, 64); err == nil && !slices.Contains(ns, n) {
				ns = append(ns, n)
			}
		}
		slices.Sort(ns)
		for k, n := range ns {
			switch {
			case k == 0 && n > 1:
				c.fail("6.1.21", base+"/revision_history", "the history starts at version %d, not 0 or 1", n)
			case k > 0 && n != ns[k-1]+1:
				c.fail("6.1.21", base+"/revision_history", "version %d follows version %d", n, ns[k-1])
			}
		}
	}
}

func numbers(hist []struct {
	Date   string `json:"date"`
	Number string `json:"number"`
}) []string {
	out := make([]string, len(hist))
	for i, r := range hist {
		out[i] = r.Number
	}
	return out
}

// compareVersions orders integer versions numerically and semantic
// versions by major, minor and patch (pre-releases before releases).
func compareVersions(a, b string, semantic bool) int {
	if !semantic {
		x, errA := strconv.ParseUint(a, 10, 64)
		y, errB := strconv.ParseUint(b, 10, 64)
		if errA != nil || errB != nil {
			return strings.Compare(a, b)
		}
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	}
	ma, mb := semVersion.FindStringSubmatch(a), semVersion.FindStringSubmatch(b)
	if ma == nil || mb == nil {
		return strings.Compare(a, b)
	}
	for i := 1; i <= 3; i++ {
		if c := compareVersions(ma[i], mb[i], false); c != 0 {
			return c
		}
	}
	switch {
	case ma[4] == mb[4]:
		return 0
	case ma[4] == "":
		return 1
	case mb[4] == "":
		return -1
	}
	return strings.Compare(ma[4], mb[4])
}

// cves runs 6.1.23.
func (c *checker) cves(d *checkDoc) {
	seen := map[string]int{}
	for i, v := range d.vulns() {
		if v.CVE == "" {
			continue
		}
		if j, ok := seen[v.CVE]; ok {
			c.fail("6.1.23", fmt.Sprintf("/vulnerabilities/%d/cve", i), "%s is also vulnerability %d", v.CVE, j)
		}
		seen[v.CVE] = i
	}
}

// profileValues are the CSAF 2.0 profiles other than CSAF Base, by
// category value and name.
var profileValues = map[string]string{
	"csaf_security_incident_response": "Security incident response",
	"csaf_informational_advisory":     "Informational Advisory",
	"csaf_security_advisory":          "Security Advisory",
	"csaf_vex":                        "VEX",
}

// category runs 6.1.26 on a document of the profile CSAF Base.
func (c *checker) category(d *checkDoc) {
	cat := d.Document.Category
	if cat == "csaf_base" {
		return
	}
	if _, ok := profileValues[cat]; ok {
		return
	}
	const path = "/document/category"
	if strings.HasPrefix(cat, "csaf_") {
		c.fail("6.1.26", path, "%q uses the reserved prefix csaf_", cat)
		return
	}
	norm := func(s string) string {
		return strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) || r == '_' || unicode.Is(unicode.Pd, r) {
				return -1
			}
			return unicode.ToLower(r)
		}, s)
	}
	for value, name := range profileValues {
		if norm(cat) == norm(value) || norm(cat) == norm(strings.TrimPrefix(value, "csaf_")) || norm(cat) == norm(name) {
			c.fail("6.1.26", path, "%q is the name of the profile %q", cat, name)
		}
	}
}

// profile runs the profile tests 6.1.27.1–6.1.27.6 and 6.1.27.11 for
// informational and security advisories.
func (c *checker) profile(d *checkDoc) {
	switch d.Document.Category {
	case CategoryInformational:
		ok := false
		for _, n := range d.Document.Notes {
			ok = ok || n.Category == "description" || n.Category == "details" || n.Category == "general" || n.Category == "summary"
		}
		if !ok {
			c.fail("6.1.27.1", "/document/notes", "an informational advisory needs a note of category description, details, general or summary")
		}
		ok = false
		for _, r := range d.Document.References {
			ok = ok || r.Category == "" || r.Category == "external"
		}
		if !ok {
			c.fail("6.1.27.2", "/document/references", "an informational advisory needs an external reference")
		}
		if d.Vulnerabilities != nil {
			c.fail("6.1.27.3", "/vulnerabilities", "an informational advisory has no vulnerabilities")
		}
	case CategorySecurityAdvisory:
		if d.ProductTree == nil {
			c.fail("6.1.27.4", "/product_tree", "a security advisory needs a product tree")
		}
		if d.Vulnerabilities == nil {
			c.fail("6.1.27.11", "/vulnerabilities", "a security advisory needs vulnerabilities")
		}
		for i, v := range d.vulns() {
			if len(v.Notes) == 0 {
				c.fail("6.1.27.5", fmt.Sprintf("/vulnerabilities/%d/notes", i), "a security advisory's vulnerability needs notes")
			}
			if len(v.ProductStatus) == 0 {
				c.fail("6.1.27.6", fmt.Sprintf("/vulnerabilities/%d/product_status", i), "a security advisory's vulnerability needs a product status")
			}
		}
	}
}

// remediations runs 6.1.29.
func (c *checker) remediations(d *checkDoc) {
	for i, v := range d.vulns() {
		for j, r := range v.Remediations {
			if len(r.ProductIDs) == 0 && len(r.GroupIDs) == 0 {
				c.fail("6.1.29", fmt.Sprintf("/vulnerabilities/%d/remediations/%d", i, j), "a remediation names no product or group")
			}
		}
	}
}

// versionRanges runs 6.1.31.
func (c *checker) versionRanges(d *checkDoc) {
	if d.ProductTree == nil {
		return
	}
	var walk func(bs []checkBranch, path string, depth int)
	walk = func(bs []checkBranch, path string, depth int) {
		if depth > maxBranchDepth {
			return
		}
		for i, b := range bs {
			p := fmt.Sprintf("%s/%d", path, i)
			if b.Category == "product_version" && looksLikeRange(b.Name) {
				c.fail("6.1.31", p+"/name", "product_version %q is a version range", b.Name)
			}
			walk(b.Branches, p+"/branches", depth+1)
		}
	}
	walk(d.ProductTree.Branches, "/product_tree/branches", 0)
}

func asErr[T error](err error, target *T) bool { return errors.As(err, target) }

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sortStable(s []int, less func(a, b int) bool) {
	sort.SliceStable(s, func(i, j int) bool { return less(s[i], s[j]) })
}
