package csaf

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/sharing"
	"github.com/acd-platform/acd/internal/tlp"
)

// The CSAF 2.0 document, as far as ACD writes it. Field order is the
// schema's (alphabetical), so a document reads as the specification's
// examples do; encoding is deterministic.

type document struct {
	Document        meta            `json:"document"`
	ProductTree     *productTree    `json:"product_tree,omitempty"`
	Vulnerabilities []vulnerability `json:"vulnerabilities,omitempty"`
}

type meta struct {
	Category     string       `json:"category"`
	CSAFVersion  string       `json:"csaf_version"`
	Distribution distribution `json:"distribution"`
	Lang         string       `json:"lang"`
	Notes        []note       `json:"notes,omitempty"`
	Publisher    Publisher    `json:"publisher"`
	References   []reference  `json:"references,omitempty"`
	Title        string       `json:"title"`
	Tracking     tracking     `json:"tracking"`
}

type distribution struct {
	Text string  `json:"text,omitempty"`
	TLP  tlpInfo `json:"tlp"`
}

type tlpInfo struct {
	Label string `json:"label"`
	URL   string `json:"url"`
}

// Publisher is the issuing party of the documents, as both the documents
// and the provider metadata name it.
type Publisher struct {
	Category         string `json:"category"`
	ContactDetails   string `json:"contact_details,omitempty"`
	IssuingAuthority string `json:"issuing_authority,omitempty"`
	Name             string `json:"name"`
	Namespace        string `json:"namespace"`
}

type note struct {
	Audience string `json:"audience,omitempty"`
	Category string `json:"category"`
	Text     string `json:"text"`
	Title    string `json:"title,omitempty"`
}

type reference struct {
	Category string `json:"category,omitempty"`
	Summary  string `json:"summary"`
	URL      string `json:"url"`
}

type tracking struct {
	CurrentReleaseDate string     `json:"current_release_date"`
	Generator          generator  `json:"generator"`
	ID                 string     `json:"id"`
	InitialReleaseDate string     `json:"initial_release_date"`
	RevisionHistory    []revision `json:"revision_history"`
	Status             string     `json:"status"`
	Version            string     `json:"version"`
}

type generator struct {
	Engine engine `json:"engine"`
}

type engine struct {
	Name string `json:"name"`
}

type revision struct {
	Date    string `json:"date"`
	Number  string `json:"number"`
	Summary string `json:"summary"`
}

type productTree struct {
	Branches []*branch `json:"branches"`
}

type branch struct {
	Branches []*branch        `json:"branches,omitempty"`
	Category string           `json:"category"`
	Name     string           `json:"name"`
	Product  *fullProductName `json:"product,omitempty"`
}

type fullProductName struct {
	Name       string  `json:"name"`
	ProductID  string  `json:"product_id"`
	Identifier *helper `json:"product_identification_helper,omitempty"`
}

type helper struct {
	CPE string `json:"cpe"`
}

type vulnerability struct {
	CVE           string        `json:"cve"`
	CWE           *cwe          `json:"cwe,omitempty"`
	Notes         []note        `json:"notes"`
	ProductStatus productStatus `json:"product_status"`
	References    []reference   `json:"references,omitempty"`
	Remediations  []remediation `json:"remediations,omitempty"`
	Scores        []score       `json:"scores,omitempty"`
	Threats       []threat      `json:"threats,omitempty"`
	Title         string        `json:"title,omitempty"`
}

type cwe struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type productStatus struct {
	Fixed         []string `json:"fixed,omitempty"`
	KnownAffected []string `json:"known_affected,omitempty"`
}

type remediation struct {
	Category   string   `json:"category"`
	Details    string   `json:"details"`
	ProductIDs []string `json:"product_ids"`
	URL        string   `json:"url,omitempty"`
}

type score struct {
	CVSSv3   cvssV3   `json:"cvss_v3"`
	Products []string `json:"products"`
}

type cvssV3 struct {
	BaseScore    float64 `json:"baseScore"`
	BaseSeverity string  `json:"baseSeverity"`
	VectorString string  `json:"vectorString"`
	Version      string  `json:"version"`
}

type threat struct {
	Category   string   `json:"category"`
	Details    string   `json:"details"`
	ProductIDs []string `json:"product_ids"`
}

// Document categories.
const (
	CategorySecurityAdvisory = "csaf_security_advisory"
	CategoryInformational    = "csaf_informational_advisory"
	// CategoryWithdrawn marks a withdrawn advisory. CSAF 2.0 has no
	// withdrawn profile; its successor's converter (CSAF 2.1, conformance
	// clause 18) reads a 2.0 document whose category is "Withdrawn", or
	// whose title starts with "Withdrawn", as one, and CSAF 2.1's profile
	// "Withdrawn" keeps the tracking id, adds a revision, explains the
	// withdrawal in one description note titled "Reasoning for
	// Withdrawal" and drops the product tree and vulnerabilities. ACD
	// writes withdrawn advisories that way, in the profile "CSAF Base"
	// that a category outside the reserved csaf_ names has in CSAF 2.0.
	CategoryWithdrawn = "Withdrawn"
)

// TrackingIDPrefix begins the tracking id of every ACD document; the
// advisory id, in upper case, follows ("JP-ACD-ADV_7QK…").
const TrackingIDPrefix = "JP-ACD-"

// TrackingID is the CSAF tracking id of advisory id.
func TrackingID(advisoryID string) string { return TrackingIDPrefix + strings.ToUpper(advisoryID) }

var filenameRun = regexp.MustCompile(`[^+\-a-z0-9]+`)

// Filename is a document's file name by CSAF 2.0 §5.1: the tracking id in
// lower case, every run of characters other than a–z, 0–9, "+" and "-"
// replaced by one "_", and ".json".
func Filename(trackingID string) string {
	return filenameRun.ReplaceAllString(strings.ToLower(trackingID), "_") + ".json"
}

// Label is a TLP 1.0 label of CSAF 2.0: ACD's TLP:CLEAR is WHITE, its
// TLP:GREEN is GREEN. More restricted advisories are never served.
type Label string

// The labels ACD serves.
const (
	White Label = "WHITE"
	Green Label = "GREEN"
)

// dir is the label's folder under /.well-known/csaf/.
func (l Label) dir() string { return strings.ToLower(string(l)) }

// labelOf maps a TLP 2.0 level to the label CSAF 2.0 uses for it.
func labelOf(l tlp.Level) (Label, bool) {
	switch l {
	case tlp.Clear:
		return White, true
	case tlp.Green:
		return Green, true
	}
	return "", false
}

// level is the TLP 2.0 level of a label.
func (l Label) level() tlp.Level {
	if l == Green {
		return tlp.Green
	}
	return tlp.Clear
}

// event is a publication or withdrawal of a revision: one version of the
// CSAF document.
type event struct {
	at         time.Time
	revision   int
	supersedes int
	withdrawal bool
}

// events orders the releases of an advisory as versions: each
// publication, and each withdrawal, is a version, oldest first. Without
// withdrawals, version n is revision n.
func events(item sharing.CSAFItem) []event {
	var out []event
	for _, r := range item.Releases {
		out = append(out, event{at: r.PublishedAt, revision: r.Revision, supersedes: r.Supersedes})
		if !r.WithdrawnAt.IsZero() {
			out = append(out, event{at: r.WithdrawnAt, revision: r.Revision, withdrawal: true})
		}
	}
	if len(out) == 0 { // never without a release; keep the document valid anyway
		a := item.Advisory
		out = append(out, event{at: a.PublishedAt, revision: a.Revision, supersedes: a.Supersedes})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].at.Equal(out[j].at) {
			return out[i].at.Before(out[j].at)
		}
		if out[i].revision != out[j].revision {
			return out[i].revision < out[j].revision
		}
		return !out[i].withdrawal && out[j].withdrawal
	})
	return out
}

// stamp writes a time as CSAF dates are written: UTC, whole seconds.
func stamp(t time.Time) string { return t.UTC().Truncate(time.Second).Format(time.RFC3339) }

// built is a document and what the feed, the directory and the signature
// need to know of it.
type built struct {
	advisoryID string
	trackingID string
	title      string
	label      Label
	year       string
	filename   string
	initial    time.Time
	current    time.Time
	summary    string
	json       []byte
}

// buildDocument writes item as a CSAF 2.0 document for p's base URL and
// publisher.
func (p *Provider) buildDocument(item sharing.CSAFItem) (*built, error) {
	a := item.Advisory
	label, ok := labelOf(a.Marking.Level)
	if !ok {
		return nil, fmt.Errorf("advisory %s: %s is not served as CSAF", a.ID, a.Marking.Level.Label())
	}
	evs := events(item)
	initial, current := evs[0].at, evs[len(evs)-1].at
	b := &built{advisoryID: a.ID, trackingID: TrackingID(a.ID), title: a.Title, label: label, initial: initial, current: current,
		year: fmt.Sprintf("%04d", initial.UTC().Year())}
	b.filename = Filename(b.trackingID)
	docURL := p.docURL(label, b.year, b.filename)

	var history []revision
	for i, e := range evs {
		s := "Initial release."
		switch {
		case e.withdrawal:
			s = fmt.Sprintf("Revision %d withdrawn.", e.revision)
		case e.supersedes > 0:
			s = fmt.Sprintf("Revision %d, correcting revision %d.", e.revision, e.supersedes)
		case e.revision > 1 || i > 0:
			s = fmt.Sprintf("Revision %d.", e.revision)
		}
		history = append(history, revision{Date: stamp(e.at), Number: fmt.Sprint(i + 1), Summary: s})
	}
	d := document{Document: meta{
		CSAFVersion: "2.0",
		Distribution: distribution{Text: "TLP v2.0: " + a.Marking.Level.Label(),
			TLP: tlpInfo{Label: string(label), URL: "https://www.first.org/tlp/"}},
		Lang:      "en",
		Publisher: p.publisher,
		Title:     a.Title,
		Tracking: tracking{
			CurrentReleaseDate: stamp(current), Generator: generator{Engine: engine{Name: "ACD"}}, ID: b.trackingID,
			InitialReleaseDate: stamp(initial), RevisionHistory: history, Status: "final", Version: fmt.Sprint(len(evs)),
		},
	}}
	d.Document.References = []reference{
		{Category: "self", Summary: "Canonical URL of this document", URL: docURL},
		{Category: "external", Summary: "The advisory in ACD", URL: p.cfg.BaseURL + pageOf(a)},
	}

	if a.State == sharing.StateWithdrawn {
		d.Document.Category = CategoryWithdrawn
		d.Document.Title = "Withdrawn: " + a.Title
		b.title = d.Document.Title
		text := fmt.Sprintf("The Cabinet Office withdrew this advisory on %s.", a.WithdrawnAt.UTC().Format(time.DateOnly))
		if r := strings.TrimSpace(a.WithdrawReason); r != "" {
			text += " Reason: " + r
		}
		text += "\n\nThe advisory was: " + a.Title + "."
		if s := firstParagraph(a.Technical.Summary); s != "" {
			text += " " + s
		}
		d.Document.Notes = []note{{Category: "description", Title: "Reasoning for Withdrawal", Text: text}}
		b.summary = "Withdrawn. " + firstParagraph(a.WithdrawReason)
		return b, encode(b, d)
	}

	d.Document.Notes = advisoryNotes(a, label)
	b.summary = firstParagraph(a.Technical.Summary)
	tb := newTreeBuilder()
	for _, v := range a.Technical.Vulnerabilities {
		if len(v.Products) == 0 {
			d.Document.Notes = append(d.Document.Notes, note{Category: "details", Title: "Vulnerability " + v.CVE + " (no product information)",
				Text: vulnerabilityText(v)})
			d.Document.References = append(d.Document.References, cveReference(v.CVE))
			continue
		}
		d.Vulnerabilities = append(d.Vulnerabilities, tb.vulnerability(v))
	}
	if len(d.Vulnerabilities) > 0 {
		d.Document.Category = CategorySecurityAdvisory
		d.ProductTree = &productTree{Branches: tb.vendors}
	} else {
		d.Document.Category = CategoryInformational
	}
	return b, encode(b, d)
}

// encode writes d as b's JSON: two-space indents, no HTML escaping, a
// final newline.
func encode(b *built, d document) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(d); err != nil {
		return fmt.Errorf("encode document %s: %w", b.trackingID, err)
	}
	b.json = buf.Bytes()
	return nil
}

// pageOf is the advisory's page in ACD: the public alert for TLP:CLEAR,
// the shared item (after login) for TLP:GREEN.
func pageOf(a sharing.Advisory) string {
	if a.Marking.Level == tlp.Clear {
		return "/alerts/" + a.ID
	}
	return "/shared/" + a.ID
}

// advisoryNotes are the document notes of a published advisory: the
// technical summary, the executive part, the hunting guidance, the
// indicators and the ATT&CK techniques, each non-empty one a note.
func advisoryNotes(a sharing.Advisory, label Label) []note {
	var out []note
	add := func(category, title, audience, text string) {
		if text = strings.TrimSpace(text); text != "" {
			out = append(out, note{Category: category, Title: title, Audience: audience, Text: text})
		}
	}
	t, e := a.Technical, a.Executive
	add("summary", "Summary", "", t.Summary)
	add("general", "Background", "executives", e.Background)
	add("general", "Attacker's purpose", "executives", e.Purpose)
	add("general", "Impact", "executives", e.Impact)
	add("general", "Recommended actions", "all", e.Actions)
	add("details", "Threat hunting", "analysts", t.Hunting)
	var ind []string
	for _, i := range t.Indicators {
		line := i.Type + ": " + i.Value
		if i.Type == sharing.IndicatorPattern {
			line = "STIX pattern: " + i.Pattern
		}
		if i.Description != "" {
			line += " (" + i.Description + ")"
		}
		ind = append(ind, line)
	}
	add("details", "Indicators of compromise", "analysts", strings.Join(ind, "\n"))
	var tq []string
	for _, x := range t.Techniques {
		tq = append(tq, strings.TrimSpace(x.ID+" "+x.Name))
	}
	add("details", "MITRE ATT&CK techniques", "analysts", strings.Join(tq, "\n"))
	add("legal_disclaimer", "Sharing", "", "This advisory is "+a.Marking.Level.Label()+
		" (TLP 2.0, https://www.first.org/tlp/); CSAF 2.0, which uses TLP 1.0, labels it TLP:"+string(label)+".")
	return out
}

// firstParagraph is the first paragraph of s, at most 500 characters.
func firstParagraph(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, "\n\n"); i >= 0 {
		s = s[:i]
	}
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 500 {
		s = string(r[:499]) + "…"
	}
	return s
}

func cveReference(id string) reference {
	return reference{Category: "external", Summary: id, URL: "https://www.cve.org/CVERecord?id=" + id}
}

// vulnerabilityText describes a vulnerability in prose, for one that
// names no product and so cannot be a CSAF vulnerability element.
func vulnerabilityText(v sharing.Vulnerability) string {
	var lines []string
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" {
			lines = append(lines, s)
		}
	}
	add(v.CVE + ": " + v.Title)
	add(v.Description)
	if v.CWE != "" {
		add("Weakness: " + v.CWE)
	}
	if v.CVSS != nil {
		add(fmt.Sprintf("CVSS %s: %s (base score %.1f, %s)", v.CVSS.Version, v.CVSS.Vector, v.CVSS.BaseScore, v.CVSS.Severity))
	}
	if v.Exploited {
		add("Exploited in Japan.")
	}
	for _, r := range v.Remediations {
		s := strings.ReplaceAll(r.Category, "_", " ") + ": " + r.Details
		if r.URL != "" {
			s += " (" + r.URL + ")"
		}
		add(s)
	}
	if v.Investigation != "" {
		add("How to investigate: " + v.Investigation)
	}
	return strings.Join(lines, "\n")
}

// cpePattern is the CSAF 2.0 schema's pattern of a CPE (2.2 URI or 2.3
// formatted string); a CPE that does not match is left out.
var cpePattern = regexp.MustCompile(`^(cpe:2\.3:[aho\*\-](:(((\?*|\*?)([a-zA-Z0-9\-\._]|(\\[\\\*\?!"#\$%&'\(\)\+,/:;<=>@\[\]\^` + "`" + `\{\|\}~]))+(\?*|\*?))|[\*\-])){5}(:(([a-zA-Z]{2,3}(-([a-zA-Z]{2}|[0-9]{3}))?)|[\*\-]))(:(((\?*|\*?)([a-zA-Z0-9\-\._]|(\\[\\\*\?!"#\$%&'\(\)\+,/:;<=>@\[\]\^` + "`" + `\{\|\}~]))+(\?*|\*?))|[\*\-])){4})|([c][pP][eE]:/[AHOaho]?(:[A-Za-z0-9\._\-~%]*){0,6})$`)

// treeBuilder gathers the products of a document's vulnerabilities into
// one product tree, vendor → product name → version or version range,
// giving each product an id the first time it appears.
type treeBuilder struct {
	vendors []*branch
	ids     map[productKey]string
}

type productKey struct{ vendor, product, category, version string }

func newTreeBuilder() *treeBuilder { return &treeBuilder{ids: map[productKey]string{}} }

// versionCategory says whether a version string is a range: a vers range
// ("vers:…"), or text that CSAF's test 6.1.31 would take for one.
func versionCategory(v string) string {
	if strings.HasPrefix(v, "vers:") || looksLikeRange(v) {
		return "product_version_range"
	}
	return "product_version"
}

// looksLikeRange is CSAF test 6.1.31's heuristic for a version range.
func looksLikeRange(v string) bool {
	l := strings.ToLower(v)
	if strings.ContainsAny(l, "<>") {
		return true
	}
	for _, w := range strings.Fields(l) {
		if slices.Contains([]string{"after", "all", "before", "earlier", "later", "prior", "versions"}, w) {
			return true
		}
	}
	return false
}

// product returns the id of the product vendor/name at version, adding it
// to the tree if new.
func (tb *treeBuilder) product(vendor, name, version, cpe string) string {
	cat := versionCategory(version)
	k := productKey{vendor, name, cat, version}
	if id, ok := tb.ids[k]; ok {
		return id
	}
	id := fmt.Sprintf("CSAFPID-%04d", len(tb.ids)+1)
	tb.ids[k] = id
	vb := find(&tb.vendors, "vendor", vendor)
	pb := find(&vb.Branches, "product_name", name)
	leaf := &branch{Category: cat, Name: version, Product: &fullProductName{Name: vendor + " " + name + " " + version, ProductID: id}}
	if cpe != "" && cpePattern.MatchString(cpe) {
		leaf.Product.Identifier = &helper{CPE: cpe}
	}
	pb.Branches = append(pb.Branches, leaf)
	return id
}

// find returns the branch of category and name in *bs, appending it if
// absent.
func find(bs *[]*branch, category, name string) *branch {
	for _, b := range *bs {
		if b.Category == category && b.Name == name {
			return b
		}
	}
	b := &branch{Category: category, Name: name}
	*bs = append(*bs, b)
	return b
}

// vulnerability writes v (which names products) as a CSAF vulnerability.
func (tb *treeBuilder) vulnerability(v sharing.Vulnerability) vulnerability {
	out := vulnerability{CVE: v.CVE, Title: v.Title}
	var affected, fixed []string
	var support []string
	for _, pr := range v.Products {
		id := tb.product(pr.Vendor, pr.Product, pr.Affected, pr.CPE)
		if !slices.Contains(affected, id) {
			affected = append(affected, id)
		}
		if pr.Fixed != "" && pr.Fixed != pr.Affected {
			fid := tb.product(pr.Vendor, pr.Product, pr.Fixed, "")
			if !slices.Contains(fixed, fid) && !slices.Contains(affected, fid) {
				fixed = append(fixed, fid)
			}
		}
		if pr.SupportEnds != "" {
			support = append(support, fmt.Sprintf("%s %s (%s): vendor support ends %s.", pr.Vendor, pr.Product, pr.Affected, pr.SupportEnds))
		}
	}
	// A product fixed for one entry and affected by another is affected.
	fixed = slices.DeleteFunc(fixed, func(id string) bool { return slices.Contains(affected, id) })
	out.ProductStatus = productStatus{KnownAffected: affected, Fixed: fixed}

	desc := v.Description
	if desc == "" {
		desc = v.Title
	}
	if desc == "" {
		desc = "See the CVE record " + v.CVE + "."
	}
	out.Notes = append(out.Notes, note{Category: "description", Title: "Description", Text: desc})
	if v.Investigation != "" {
		out.Notes = append(out.Notes, note{Category: "details", Title: "How to investigate", Text: v.Investigation})
	}
	if len(support) > 0 {
		out.Notes = append(out.Notes, note{Category: "other", Title: "End of vendor support", Text: strings.Join(support, "\n")})
	}
	if v.CWE != "" {
		if name, ok := cweNames[v.CWE]; ok {
			out.CWE = &cwe{ID: v.CWE, Name: name}
		} else {
			out.Notes = append(out.Notes, note{Category: "other", Title: "Weakness", Text: v.CWE})
		}
	}
	if c := v.CVSS; c != nil {
		if version, base, severity, err := cvss3Base(c.Vector); err == nil && version == c.Version {
			out.Scores = []score{{CVSSv3: cvssV3{BaseScore: base, BaseSeverity: severity, VectorString: c.Vector, Version: version},
				Products: affected}}
		} else {
			// CSAF 2.0 scores only CVSS 2 and 3; a 4.0 vector (or one that
			// does not parse) is kept as a note.
			out.Notes = append(out.Notes, note{Category: "other", Title: "CVSS v" + c.Version,
				Text: fmt.Sprintf("%s (base score %.1f, %s)", c.Vector, c.BaseScore, c.Severity)})
		}
	}
	for _, r := range v.Remediations {
		out.Remediations = append(out.Remediations, remediation{Category: r.Category, Details: r.Details, ProductIDs: affected, URL: r.URL})
	}
	if v.Exploited {
		out.Threats = []threat{{Category: "exploit_status", ProductIDs: affected,
			Details: "Exploited in Japan: the vulnerability is in the Cabinet Office's catalogue of vulnerabilities exploited in Japan."}}
	}
	out.References = []reference{cveReference(v.CVE)}
	return out
}
