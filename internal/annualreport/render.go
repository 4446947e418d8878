package annualreport

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
	"time"
)

// Variant is which report is rendered: the full report to the Diet, or
// the public summary.
type Variant string

// The variants. The empty Variant is the public summary, so that a caller
// that forgets to choose shows nothing withheld.
const (
	VariantFull   Variant = "full"
	VariantPublic Variant = "public"
)

// ParseVariant parses a variant as given in a query string: "full" or
// "public".
func ParseVariant(s string) (Variant, error) {
	switch Variant(s) {
	case VariantFull, VariantPublic:
		return Variant(s), nil
	}
	return "", fmt.Errorf("variant %q: want full or public", truncate(s, 40))
}

// Options says how to render a report. The zero value is the public
// summary in Japanese.
type Options struct {
	Lang    Lang    // Japanese ("" or "ja") or English ("en")
	Variant Variant // VariantFull or VariantPublic ("")
}

func (o Options) normalize() (Options, error) {
	l, err := ParseLang(string(o.Lang))
	if err != nil {
		return o, err
	}
	o.Lang = l
	if o.Variant == "" {
		o.Variant = VariantPublic
	}
	if _, err := ParseVariant(string(o.Variant)); err != nil {
		return o, err
	}
	return o, nil
}

//go:embed report.html.tmpl
var reportTemplate string

// Render writes the report of f as one self-contained HTML document: its
// styles and its SVG charts inline, no script, nothing loaded from
// elsewhere (a Content-Security-Policy in the document says so). The
// public variant renders f.Public(): every withheld figure is marked as
// withheld and its value is not in the document. Render fails when f does
// not pass Check or the options are unknown; it writes nothing then.
func Render(w io.Writer, f Figures, o Options) error {
	o, err := o.normalize()
	if err != nil {
		return fmt.Errorf("render annual report: %w", err)
	}
	if err := f.Check(); err != nil {
		return fmt.Errorf("render annual report: %w", err)
	}
	cat, err := loadCatalogue()
	if err != nil {
		return err
	}
	if o.Variant == VariantPublic {
		f = f.Public()
	} else {
		f = f.normalize()
	}
	tmpl, err := template.New("report").Parse(reportTemplate)
	if err != nil {
		return fmt.Errorf("parse report template: %w", err)
	}
	v := buildView(cat, o, &f)
	var b strings.Builder
	if err := tmpl.Execute(&b, v); err != nil {
		return fmt.Errorf("render annual report: %w", err)
	}
	_, err = io.WriteString(w, b.String())
	return err
}

// view is what the template shows: the document as headings, paragraphs,
// charts and tables, every string already in the report's language.
type view struct {
	Lang      Lang
	Title     string
	Org       string
	Subtitle  string
	Period    string
	Generated string
	Notes     []string
	Sections  []section
	Footer    []string
}

type section struct {
	ID      string
	Heading string
	Blocks  []block
}

// block is one part of a section; the template shows the fields that are
// set, in the order of the struct.
type block struct {
	Heading  string
	Text     []string
	Chart    template.HTML
	Table    *table
	Withheld string // a whole list withheld: the paragraph that says so
}

type table struct {
	Caption string
	// HideCaption keeps the caption for screen readers only, when the
	// heading above the table already says the same.
	HideCaption bool
	Head        []string
	Rows        [][]cell
}

type cell struct {
	Text     string
	Num      bool // right-aligned figure
	Head     bool // the row's header
	Indent   bool // a sub-row's header
	Withheld bool // a withheld figure: Text is the mark
	Note     bool // a figure not in operation or otherwise not counted
}

// builder holds what every part of the view needs.
type builder struct {
	cat  catalogue
	lang Lang
	f    *Figures
}

func (b *builder) t(key string, args ...any) string { return b.cat.t(b.lang, key, args...) }

// num is a figure's cell, or the withheld mark when key is withheld.
func (b *builder) num(v int64, withheldKey string) cell {
	if withheldKey != "" && b.f.withheld(withheldKey) {
		return cell{Text: b.t("withheld"), Withheld: true}
	}
	return cell{Text: formatInt(v), Num: true}
}

func (b *builder) head(text string) cell    { return cell{Text: text, Head: true} }
func (b *builder) subhead(text string) cell { return cell{Text: text, Head: true, Indent: true} }

// date formats t as a date and time in Japan time.
func (b *builder) date(t time.Time) string {
	t = t.In(jst)
	if b.lang == English {
		return t.Format("2 January 2006 15:04")
	}
	return t.Format("2006年1月2日 15:04")
}

// day formats t as a date in Japan time.
func (b *builder) day(t time.Time) string {
	t = t.In(jst)
	if b.lang == English {
		return t.Format("2 January 2006")
	}
	return t.Format("2006年1月2日")
}

// duration formats a median time to decision: minutes under an hour,
// hours under two days, days beyond; "—" when nothing was decided.
func (b *builder) duration(secs int64, decided int) string {
	if decided == 0 {
		return "—"
	}
	switch {
	case secs < 3600:
		return b.t("unit.minutes", strconv.FormatInt((secs+59)/60, 10))
	case secs < 48*3600:
		return b.t("unit.hours", strconv.FormatFloat(float64(secs)/3600, 'f', 1, 64))
	}
	return b.t("unit.days", strconv.FormatFloat(float64(secs)/86400, 'f', 1, 64))
}

func (b *builder) chapterName(ch string) string  { return b.cat.label(b.lang, "chapter", ch) }
func (b *builder) directionName(d string) string { return b.cat.label(b.lang, "direction", d) }
func (b *builder) reasonName(r string) string    { return b.cat.label(b.lang, "reason", r) }
func (b *builder) ratingName(r string) string    { return b.cat.label(b.lang, "rating", r) }
func (b *builder) recipientType(k string) string { return b.cat.label(b.lang, "recipient", k) }
func (b *builder) legalBasis(k string) string    { return b.cat.label(b.lang, "basis", k) }
func (b *builder) monthName(m int) string        { return b.t("month", m) }
func (b *builder) yesNo(v bool) string           { return b.t(map[bool]string{true: "yes", false: "no"}[v]) }
func (b *builder) chartID(n int) string          { return "chart" + strconv.Itoa(n) }
func (b *builder) withheldText() string          { return b.t("withheld.list", b.t("withheld")) }

func buildView(cat catalogue, o Options, f *Figures) *view {
	b := &builder{cat: cat, lang: o.Lang, f: f}
	from, to := f.From, f.To.Add(-time.Second)
	v := &view{
		Lang:      o.Lang,
		Org:       b.t("org"),
		Title:     b.t("title", f.Year),
		Period:    b.t("period", b.day(from), b.day(to)),
		Generated: b.t("generated", b.date(f.GeneratedAt)),
	}
	if o.Variant == VariantPublic {
		v.Subtitle = b.t("variant.public")
		v.Notes = append(v.Notes, b.t("note.public", b.t("withheld")))
	} else {
		v.Subtitle = b.t("variant.full")
		v.Notes = append(v.Notes, b.t("note.full"))
	}
	if f.Provisional() {
		v.Notes = append(v.Notes, b.t("note.provisional", b.date(f.GeneratedAt)))
	}
	v.Sections = []section{
		b.requests(), b.selection(), b.provisions(), b.measures(), b.inspections(), b.recommendations(), b.errors(),
	}
	for i := range v.Sections {
		for j := range v.Sections[i].Blocks {
			if blk := &v.Sections[i].Blocks[j]; blk.Table != nil && (blk.Heading == blk.Table.Caption || v.Sections[i].Heading == blk.Table.Caption) {
				blk.Table.HideCaption = true
			}
		}
	}
	v.Footer = []string{b.t("footer.time")}
	if o.Variant == VariantPublic {
		v.Footer = append(v.Footer, b.t("footer.public", b.t("withheld")))
	}
	return v
}

// requests is section 1: acquisition requests, refusals, agreements.
func (b *builder) requests() section {
	f := b.f
	s := section{ID: "requests", Heading: b.t("requests.heading")}
	s.Blocks = append(s.Blocks, block{Text: []string{b.t("requests.intro")}})

	// The chart: each chapter's outcomes, stacked.
	outcomes := []struct {
		key    string
		colour string
		get    func(RequestCounts) int
	}{
		{"outcome.approved", "#2e7d32", func(c RequestCounts) int { return c.Approved }},
		{"outcome.approved_modified", "#9ccc65", func(c RequestCounts) int { return c.ApprovedModified }},
		{"outcome.refused", "#c62828", func(c RequestCounts) int { return c.Refused }},
		{"outcome.withdrawn", "#757575", func(c RequestCounts) int { return c.Withdrawn }},
		{"outcome.pending", "#f9a825", func(c RequestCounts) int { return c.Pending }},
	}
	c := chart{id: b.chartID(1), title: b.t("requests.chart.title"), empty: b.t("chart.empty")}
	var desc []string
	for _, ch := range f.Requests {
		c.groups = append(c.groups, b.chapterName(ch.Chapter))
		parts := []string{b.t("col.filed") + " " + formatInt(int64(ch.Total.Filed))}
		for _, o := range outcomes {
			parts = append(parts, b.t(o.key)+" "+formatInt(int64(o.get(ch.Total))))
		}
		desc = append(desc, b.chapterName(ch.Chapter)+": "+strings.Join(parts, ", "))
	}
	for _, o := range outcomes {
		sr := series{name: b.t(o.key), colour: o.colour}
		for _, ch := range f.Requests {
			sr.values = append(sr.values, int64(o.get(ch.Total)))
		}
		c.series = append(c.series, sr)
	}
	c.desc = strings.Join(desc, "; ")

	t := &table{Caption: b.t("requests.table.caption"), Head: []string{
		b.t("col.chapter"), b.t("col.filed"), b.t("outcome.approved"), b.t("outcome.approved_modified"),
		b.t("outcome.refused"), b.t("outcome.withdrawn"), b.t("outcome.pending"),
	}}
	row := func(h cell, rc RequestCounts, withheldKey string) []cell {
		return []cell{h,
			b.num(int64(rc.Filed), withheldKey), b.num(int64(rc.Approved), withheldKey), b.num(int64(rc.ApprovedModified), withheldKey),
			b.num(int64(rc.Refused), withheldKey), b.num(int64(rc.Withdrawn), withheldKey), b.num(int64(rc.Pending), withheldKey),
		}
	}
	for _, ch := range f.Requests {
		t.Rows = append(t.Rows, row(b.head(b.chapterName(ch.Chapter)), ch.Total, ""))
		for _, d := range ch.Directions {
			t.Rows = append(t.Rows, row(b.subhead(b.directionName(d.Direction)), d.RequestCounts, WithheldForeignDirections))
		}
	}
	s.Blocks = append(s.Blocks, block{Chart: c.svg(), Table: t},
		block{Text: []string{b.t("requests.median", formatInt(int64(f.Decided)), b.duration(f.MedianDecisionSeconds, f.Decided))}})

	// Refusals by category, and the reasons one by one.
	rt := &table{Caption: b.t("refusals.table.caption"), Head: []string{b.t("col.category"), b.t("col.refusals")}}
	for _, r := range f.RefusalReasons {
		rt.Rows = append(rt.Rows, []cell{b.head(b.reasonName(r.Key)), b.num(r.N, "")})
	}
	s.Blocks = append(s.Blocks, block{Heading: b.t("refusals.heading"), Text: []string{b.t("refusals.intro")}, Table: rt})
	notes := block{Heading: b.t("refusal_notes.heading")}
	switch {
	case f.withheld(WithheldRefusalNotes):
		notes.Withheld = b.withheldText()
	case len(f.RefusalNotes) == 0:
		notes.Text = []string{b.t("none")}
	default:
		nt := &table{Caption: b.t("refusal_notes.heading"), Head: []string{b.t("col.request"), b.t("col.chapter"), b.t("col.category"), b.t("col.decided"), b.t("col.reason")}}
		for _, n := range f.RefusalNotes {
			nt.Rows = append(nt.Rows, []cell{b.head(n.RequestID), {Text: b.chapterName(n.Chapter)}, {Text: b.reasonName(n.Category)}, {Text: b.day(n.DecidedAt)}, {Text: n.Reason}})
		}
		notes.Table = nt
	}
	s.Blocks = append(s.Blocks, notes)

	a := f.Agreements
	at := &table{Caption: b.t("agreements.heading"), Head: []string{b.t("col.item"), b.t("col.count")}, Rows: [][]cell{
		{b.head(b.t("agreements.concluded")), b.num(int64(a.Concluded), "")},
		{b.head(b.t("agreements.ended")), b.num(int64(a.Ended), "")},
		{b.head(b.t("agreements.in_force")), b.num(int64(a.InForce), "")},
	}}
	s.Blocks = append(s.Blocks, block{Heading: b.t("agreements.heading"), Table: at})
	return s
}

// selection is section 2: what automated selection saw, kept and deleted.
func (b *builder) selection() section {
	f := b.f
	sel := f.Selection
	s := section{ID: "selection", Heading: b.t("selection.heading")}
	s.Blocks = append(s.Blocks, block{Text: []string{b.t("selection.intro")}})
	st := &table{Caption: b.t("selection.runs.caption"), Head: []string{b.t("col.item"), b.t("col.count")}, Rows: [][]cell{
		{b.head(b.t("selection.runs")), b.num(sel.Runs, "")},
		{b.head(b.t("selection.records")), b.num(sel.Records, "")},
		{b.head(b.t("selection.retention_deleted")), b.num(sel.RetentionDeleted, "")},
	}}
	s.Blocks = append(s.Blocks, block{Table: st})

	head := []string{b.t("col.direction"), b.t("col.seen"), b.t("col.in_scope"), b.t("col.selected"), b.t("col.deleted")}
	row := func(h cell, c SelectionCounts, withheldKey string) []cell {
		return []cell{h, b.num(c.Seen, withheldKey), b.num(c.InScope, withheldKey), b.num(c.Selected, withheldKey), b.num(c.Deleted, withheldKey)}
	}
	dt := &table{Caption: b.t("selection.table.caption"), Head: head}
	dt.Rows = append(dt.Rows, row(b.head(b.t("total")), sel.Total, ""))
	for _, d := range sel.Directions {
		key := ""
		if d.Direction == DirInbound || d.Direction == DirOutbound {
			key = WithheldSelectionForeign
		}
		dt.Rows = append(dt.Rows, row(b.subhead(b.directionName(d.Direction)), d.SelectionCounts, key))
	}
	s.Blocks = append(s.Blocks, block{Table: dt})

	kinds := []struct {
		key    string
		colour string
		get    func(SelectionCounts) int64
	}{
		{"col.seen", "#1f77b4", func(c SelectionCounts) int64 { return c.Seen }},
		{"col.selected", "#2ca02c", func(c SelectionCounts) int64 { return c.Selected }},
		{"col.deleted", "#7f7f7f", func(c SelectionCounts) int64 { return c.Deleted }},
	}
	c := chart{id: b.chartID(2), grouped: true, log: true, logNote: b.t("chart.log"), empty: b.t("chart.empty")}
	var desc []string
	if f.withheld(WithheldSelectionMonths) {
		// The public summary: the year's totals, whose numbers are in the
		// table above; the months are withheld.
		c.title = b.t("selection.chart.total.title")
		c.groups = []string{b.t("total")}
		for _, k := range kinds {
			c.series = append(c.series, series{name: b.t(k.key), colour: k.colour, values: []int64{k.get(sel.Total)}})
			desc = append(desc, b.t(k.key)+" "+formatInt(k.get(sel.Total)))
		}
		c.desc = strings.Join(desc, ", ")
		tt := &table{Caption: c.title, Head: []string{b.t("col.item"), b.t("col.count")}}
		for _, k := range kinds {
			tt.Rows = append(tt.Rows, []cell{b.head(b.t(k.key)), b.num(k.get(sel.Total), "")})
		}
		s.Blocks = append(s.Blocks,
			block{Heading: c.title, Chart: c.svg(), Table: tt},
			block{Heading: b.t("selection.months.heading"), Withheld: b.withheldText()})
	} else {
		c.title = b.t("selection.chart.month.title")
		for _, m := range sel.Months {
			c.groups = append(c.groups, strconv.Itoa(m.Month))
		}
		for _, k := range kinds {
			sr := series{name: b.t(k.key), colour: k.colour}
			for _, m := range sel.Months {
				sr.values = append(sr.values, k.get(m.SelectionCounts))
			}
			c.series = append(c.series, sr)
		}
		for _, m := range sel.Months {
			desc = append(desc, fmt.Sprintf("%s: %s %s, %s %s, %s %s", b.monthName(m.Month),
				b.t("col.seen"), formatInt(m.Seen), b.t("col.selected"), formatInt(m.Selected), b.t("col.deleted"), formatInt(m.Deleted)))
		}
		c.desc = strings.Join(desc, "; ")
		mt := &table{Caption: b.t("selection.months.heading"), Head: append([]string{b.t("col.month")}, head[1:]...)}
		for _, m := range sel.Months {
			mt.Rows = append(mt.Rows, row(b.head(b.monthName(m.Month)), m.SelectionCounts, ""))
		}
		s.Blocks = append(s.Blocks, block{Heading: b.t("selection.months.heading"), Chart: c.svg(), Table: mt})
	}

	an := block{Heading: b.t("anomalies.heading"), Text: []string{b.t("anomalies.intro")}}
	if len(sel.Anomalies) == 0 {
		an.Text = append(an.Text, b.t("none"))
	} else {
		at := &table{Caption: b.t("anomalies.heading"), Head: []string{b.t("col.kind"), b.t("col.count")}}
		for _, x := range sel.Anomalies {
			at.Rows = append(at.Rows, []cell{b.head(b.cat.label(b.lang, "anomaly", x.Key)), b.num(x.N, "")})
		}
		an.Table = at
	}
	s.Blocks = append(s.Blocks, an)
	return s
}

// provisions is section 3: provisions of selected information.
func (b *builder) provisions() section {
	f := b.f
	p := f.Provisions
	s := section{ID: "provisions", Heading: b.t("provisions.heading")}
	s.Blocks = append(s.Blocks, block{Text: []string{b.t("provisions.intro")}, Table: &table{
		Caption: b.t("provisions.heading"), Head: []string{b.t("col.item"), b.t("col.count")}, Rows: [][]cell{
			{b.head(b.t("provisions.total")), b.num(p.Total, "")},
			{b.subhead(b.t("provisions.records")), b.num(p.Records, "")},
			{b.subhead(b.t("provisions.findings")), b.num(p.Findings, "")},
			{b.head(b.t("provisions.refused")), b.num(p.Refused, "")},
		}}})
	breakdown := func(heading, col, prefix string, cs []Count) block {
		if len(cs) == 0 {
			return block{Heading: heading, Text: []string{b.t("none")}}
		}
		t := &table{Caption: heading, Head: []string{col, b.t("col.count")}}
		for _, c := range cs {
			name := c.Key
			if prefix != "" {
				name = b.cat.label(b.lang, prefix, c.Key)
			}
			t.Rows = append(t.Rows, []cell{b.head(name), b.num(c.N, "")})
		}
		return block{Heading: heading, Table: t}
	}
	s.Blocks = append(s.Blocks,
		breakdown(b.t("provisions.by_kind"), b.t("col.recipient_kind"), "recipient", p.ByRecipientKind),
		breakdown(b.t("provisions.by_basis"), b.t("col.basis"), "basis", p.ByLegalBasis))
	if f.withheld(WithheldRecipients) {
		s.Blocks = append(s.Blocks, block{Heading: b.t("provisions.by_recipient"), Withheld: b.withheldText()})
	} else {
		s.Blocks = append(s.Blocks, breakdown(b.t("provisions.by_recipient"), b.t("col.recipient"), "", p.ByRecipient))
	}
	return s
}

// measures is section 4: access and neutralisation measures, or that they
// are not yet in operation.
func (b *builder) measures() section {
	m := b.f.Measures
	s := section{ID: "measures", Heading: b.t("measures.heading")}
	val := func(v int) cell {
		if !m.InOperation {
			return cell{Text: b.t("measures.not_in_operation"), Note: true}
		}
		return b.num(int64(v), "")
	}
	t := &table{Caption: b.t("measures.heading"), Head: []string{b.t("col.item"), b.t("col.count")}, Rows: [][]cell{
		{b.head(b.t("measures.cases_police")), val(m.CasesPolice)},
		{b.head(b.t("measures.cases_sdf_protection")), val(m.CasesSDFProtection)},
		{b.head(b.t("measures.cases_sdf_guard")), val(m.CasesSDFGuard)},
		{b.head(b.t("measures.foreign_targets")), val(m.ForeignTargets)},
		{b.subhead(b.t("measures.mofa_consultations")), val(m.MOFAConsultations)},
		{b.head(b.t("measures.approvals_refused")), val(m.ApprovalsRefused)},
		{b.head(b.t("measures.prior_approved")), val(m.PriorApproved)},
		{b.head(b.t("measures.emergency")), val(m.Emergency)},
		{b.subhead(b.t("measures.post_on_time")), val(m.PostNoticesOnTime)},
		{b.subhead(b.t("measures.post_late")), val(m.PostNoticesLate)},
		{b.subhead(b.t("measures.post_missing")), val(m.PostNoticesMissing)},
		{b.head(b.t("measures.orders_issued")), val(m.OrdersIssued)},
		{b.head(b.t("measures.executions")), val(m.Executions)},
		{b.head(b.t("measures.closed")), val(m.Closed)},
	}}
	blk := block{Table: t}
	if !m.InOperation {
		blk.Text = []string{b.t("measures.not_in_operation.text")}
	}
	s.Blocks = append(s.Blocks, blk)
	return s
}

// inspections is section 5.
func (b *builder) inspections() section {
	in := b.f.Inspections
	s := section{ID: "inspections", Heading: b.t("inspections.heading")}
	t := &table{Caption: b.t("inspections.heading"), Head: []string{b.t("col.item"), b.t("col.count")}, Rows: [][]cell{
		{b.head(b.t("inspections.opened")), b.num(int64(in.Opened), "")},
		{b.head(b.t("inspections.closed")), b.num(int64(in.Closed), "")},
		{b.head(b.t("inspections.open_at_end")), b.num(int64(in.OpenAtEnd), "")},
		{b.head(b.t("inspections.findings")), b.num(int64(in.Findings), "")},
	}}
	s.Blocks = append(s.Blocks, block{Text: []string{b.t("inspections.intro")}, Table: t})
	return s
}

// implementations are the columns of the recommendations' table and the
// segments of its chart: how far the recommendations were implemented,
// furthest first.
var implementations = []struct {
	key    string
	colour string
	get    func(RatingRow) int
}{
	{"impl.implemented", "#08519c", func(r RatingRow) int { return r.Implemented }},
	{"impl.partial", "#4292c6", func(r RatingRow) int { return r.Partial }},
	{"impl.not_started", "#9ecae1", func(r RatingRow) int { return r.NotStarted }},
	{"impl.not_assessed", "#bdbdbd", func(r RatingRow) int { return r.NotAssessed }},
}

// recommendations is section 6: by rating and implementation, by answer,
// and one by one.
func (b *builder) recommendations() section {
	f := b.f
	r := f.Recommendations
	s := section{ID: "recommendations", Heading: b.t("recommendations.heading")}
	s.Blocks = append(s.Blocks, block{Text: []string{b.t("recommendations.intro"),
		b.t("recommendations.issued", formatInt(int64(r.Issued)), formatInt(int64(r.Withdrawn)))}})
	c := chart{id: b.chartID(3), title: b.t("recommendations.chart.title"), empty: b.t("chart.empty")}
	var desc []string
	for _, row := range r.ByRating {
		c.groups = append(c.groups, b.ratingName(row.Rating))
		parts := []string{}
		for _, im := range implementations {
			parts = append(parts, b.t(im.key)+" "+formatInt(int64(im.get(row))))
		}
		desc = append(desc, b.ratingName(row.Rating)+": "+strings.Join(parts, ", "))
	}
	for _, im := range implementations {
		sr := series{name: b.t(im.key), colour: im.colour}
		for _, row := range r.ByRating {
			sr.values = append(sr.values, int64(im.get(row)))
		}
		c.series = append(c.series, sr)
	}
	c.desc = strings.Join(desc, "; ")
	head := []string{b.t("col.rating")}
	for _, im := range implementations {
		head = append(head, b.t(im.key))
	}
	t := &table{Caption: b.t("recommendations.table.caption"), Head: append(head, b.t("total"))}
	for _, row := range r.ByRating {
		cells := []cell{b.head(b.ratingName(row.Rating))}
		for _, im := range implementations {
			cells = append(cells, b.num(int64(im.get(row)), ""))
		}
		t.Rows = append(t.Rows, append(cells, b.num(int64(row.Total()), "")))
	}
	s.Blocks = append(s.Blocks, block{Chart: c.svg(), Table: t})
	at := &table{Caption: b.t("recommendations.answers"), Head: []string{b.t("col.item"), b.t("col.count")}, Rows: [][]cell{
		{b.head(b.t("recommendations.answered_on_time")), b.num(int64(r.AnsweredOnTime), "")},
		{b.head(b.t("recommendations.answered_late")), b.num(int64(r.AnsweredLate), "")},
		{b.head(b.t("recommendations.unanswered")), b.num(int64(r.Unanswered), "")},
		{b.subhead(b.t("recommendations.overdue")), b.num(int64(r.Overdue), "")},
	}}
	s.Blocks = append(s.Blocks, block{Heading: b.t("recommendations.answers"), Table: at})
	items := block{Heading: b.t("recommendations.items")}
	switch {
	case f.withheld(WithheldRecommendationItems):
		items.Withheld = b.withheldText()
	case len(r.Items) == 0:
		items.Text = []string{b.t("none")}
	default:
		it := &table{Caption: b.t("recommendations.items"), Head: []string{b.t("col.id"), b.t("col.issued"), b.t("col.addressee"), b.t("col.rating"), b.t("col.implementation"), b.t("col.subject")}}
		for _, x := range r.Items {
			impl := b.t("impl.not_assessed")
			if x.Implementation != "" {
				impl = b.cat.label(b.lang, "impl", x.Implementation)
			}
			if x.Withdrawn {
				impl = b.t("recommendations.withdrawn")
			}
			it.Rows = append(it.Rows, []cell{b.head(x.ID), {Text: b.day(x.IssuedAt)}, {Text: x.Addressee}, {Text: b.ratingName(x.Rating)}, {Text: impl}, {Text: x.Subject}})
		}
		items.Table = it
	}
	s.Blocks = append(s.Blocks, items)
	return s
}

// errors is section 7: errors in handling communications information.
func (b *builder) errors() section {
	f := b.f
	e := f.Errors
	s := section{ID: "errors", Heading: b.t("errors.heading")}
	t := &table{Caption: b.t("errors.heading"), Head: []string{b.t("col.item"), b.t("col.count")}, Rows: [][]cell{
		{b.head(b.t("errors.reported")), b.num(int64(e.Reported), "")},
		{b.head(b.t("errors.classified")), b.num(int64(e.Classified), "")},
		{b.head(b.t("errors.serious")), b.num(int64(e.Serious), "")},
		{b.subhead(b.t("errors.serious_told")), b.num(int64(e.SeriousTold), "")},
		{b.subhead(b.t("errors.serious_not_told")), b.num(int64(e.SeriousNotTold), "")},
	}}
	s.Blocks = append(s.Blocks, block{Text: []string{b.t("errors.intro")}, Table: t})
	ct := &table{Caption: b.t("errors.by_category"), Head: []string{b.t("col.category"), b.t("col.count")}}
	for _, x := range e.ByCategory {
		ct.Rows = append(ct.Rows, []cell{b.head(b.cat.label(b.lang, "errcat", x.Key)), b.num(x.N, "")})
	}
	s.Blocks = append(s.Blocks, block{Heading: b.t("errors.by_category"), Table: ct})
	items := block{Heading: b.t("errors.items")}
	switch {
	case f.withheld(WithheldErrorItems):
		items.Withheld = b.withheldText()
	case len(e.Items) == 0:
		items.Text = []string{b.t("none")}
	default:
		it := &table{Caption: b.t("errors.items"), Head: []string{b.t("col.id"), b.t("col.reported"), b.t("col.agency"), b.t("col.category"), b.t("col.severity"), b.t("col.serious"), b.t("col.summary")}}
		for _, x := range e.Items {
			it.Rows = append(it.Rows, []cell{b.head(x.ID), {Text: b.day(x.ReportedAt)}, {Text: x.Agency},
				{Text: b.cat.label(b.lang, "errcat", x.Category)}, {Text: b.cat.label(b.lang, "severity", x.Severity)}, {Text: b.yesNo(x.Serious)}, {Text: x.Summary}})
		}
		items.Table = it
	}
	s.Blocks = append(s.Blocks, items)
	return s
}
