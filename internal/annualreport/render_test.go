package annualreport_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	ar "github.com/acd-platform/acd/internal/annualreport"
)

func render(t testing.TB, f ar.Figures, o ar.Options) string {
	t.Helper()
	var b bytes.Buffer
	if err := ar.Render(&b, f, o); err != nil {
		t.Fatalf("Render(%+v): %v", o, err)
	}
	return b.String()
}

// missingMessage matches a message key the catalogue lacks, as t shows it.
var missingMessage = regexp.MustCompile(`\[[a-z_]+\.[^\]\s]*\]`)

func TestRenderFull(t *testing.T) {
	for _, lang := range []ar.Lang{ar.Japanese, ar.English} {
		t.Run(string(lang), func(t *testing.T) {
			doc := render(t, sample(), ar.Options{Lang: lang, Variant: ar.VariantFull})
			// Every figure of the sample, including those the public
			// summary withholds.
			want := append([]string{
				"42", "31", "23", "13", "123,456,789", "99,960,000", "3,456", "9,876", "543", "1,900",
				"acq_SECRET1", "SECRETREASON", "SECRET Recipient Bureau", "SECRETSUBJECT", "SECRETERROR",
			}, withheldValues...)
			for _, w := range want {
				if !strings.Contains(doc, w) {
					t.Errorf("full report lacks %q", w)
				}
			}
			if m := missingMessage.FindString(doc); m != "" {
				t.Errorf("message %s missing from the catalogue", m)
			}
			if strings.Contains(doc, `class="withheld"`) {
				t.Error("full report marks a figure withheld")
			}
			for _, w := range map[ar.Lang][]string{
				ar.Japanese: {`<html lang="ja">`, "2026年 年次報告", "国会への報告", "36.0時間", "運用前"},
				ar.English:  {`<html lang="en">`, "Annual report 2026", "Report to the Diet", "36.0 hours", "not yet in operation"},
			}[lang] {
				if !strings.Contains(doc, w) {
					t.Errorf("full report lacks %q", w)
				}
			}
		})
	}
}

func TestRenderPublicWithholds(t *testing.T) {
	for _, lang := range []ar.Lang{ar.Japanese, ar.English} {
		t.Run(string(lang), func(t *testing.T) {
			doc := render(t, sample(), ar.Options{Lang: lang, Variant: ar.VariantPublic})
			for _, v := range withheldValues {
				if strings.Contains(doc, v) {
					t.Errorf("public summary shows withheld %q", v)
				}
			}
			// What the public summary publishes.
			for _, w := range []string{"42", "23", "123,456,789", "99,960,000", "3,456", "1,900"} {
				if !strings.Contains(doc, w) {
					t.Errorf("public summary lacks %q", w)
				}
			}
			mark := map[ar.Lang]string{ar.Japanese: "非公表", ar.English: "withheld"}[lang]
			// Six figures in each of the two ch.6 request rows, four in each
			// of the two ch.6 selection rows.
			if got, want := strings.Count(doc, `<td class="withheld">`+mark+`</td>`), 2*6+2*4; got != want {
				t.Errorf("got %d figures marked withheld, want %d", got, want)
			}
			// The lists: refusal reasons, months, recipients,
			// recommendations, errors.
			if got, want := strings.Count(doc, `<p class="withheld">`), 5; got != want {
				t.Errorf("got %d lists marked withheld, want %d", got, want)
			}
			if m := missingMessage.FindString(doc); m != "" {
				t.Errorf("message %s missing from the catalogue", m)
			}
		})
	}
}

// TestPublicFigures: the public figures hold none of what they withhold,
// name it, and are what Public gives again.
func TestPublicFigures(t *testing.T) {
	p := sample().Public()
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range withheldValues {
		if strings.Contains(string(b), strings.ReplaceAll(v, ",", "")) {
			t.Errorf("public figures hold withheld %q", v)
		}
	}
	if got, want := len(p.Withheld), len(ar.PublicWithheld()); got != want {
		t.Errorf("got %d withheld names, want %d", got, want)
	}
	again, _ := json.Marshal(p.Public())
	if !bytes.Equal(b, again) {
		t.Errorf("Public of the public figures differs:\n%s\n%s", b, again)
	}
}

// TestRenderStructure checks the document as a browser parses it: one
// h1, every table with a caption and scoped headers, every chart an SVG
// with a title and a description that it is labelled by, followed by a
// table of its numbers.
func TestRenderStructure(t *testing.T) {
	for _, v := range []ar.Variant{ar.VariantFull, ar.VariantPublic} {
		t.Run(string(v), func(t *testing.T) {
			doc := render(t, sample(), ar.Options{Lang: ar.English, Variant: v})
			root, err := html.Parse(strings.NewReader(doc))
			if err != nil {
				t.Fatal(err)
			}
			var h1, figures, tables int
			var walk func(n *html.Node)
			walk = func(n *html.Node) {
				if n.Type == html.ElementNode {
					switch n.Data {
					case "h1":
						h1++
					case "table":
						tables++
						if c := firstElement(n); c == nil || c.Data != "caption" {
							t.Errorf("table %d has no caption first", tables)
						}
					case "th":
						if attr(n, "scope") == "" {
							t.Errorf("a th of table %d has no scope", tables)
						}
					case "figure":
						figures++
						svg := firstElement(n)
						if svg == nil || svg.Data != "svg" || attr(svg, "role") != "img" {
							t.Fatalf("figure %d holds no svg img", figures)
						}
						labels := strings.Fields(attr(svg, "aria-labelledby"))
						if len(labels) != 2 || !strings.Contains(doc, `<title id="`+labels[0]+`">`) || !strings.Contains(doc, `<desc id="`+labels[1]+`">`) {
							t.Errorf("figure %d: svg labelled by %q without a title and a desc of those ids", figures, labels)
						}
						if next := nextElement(n); next == nil || next.Data != "table" {
							t.Errorf("figure %d is not followed by a table of its numbers", figures)
						}
					}
				}
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					walk(c)
				}
			}
			walk(root)
			if h1 != 1 {
				t.Errorf("got %d h1, want 1", h1)
			}
			if figures != 3 {
				t.Errorf("got %d charts, want 3", figures)
			}
		})
	}
}

func firstElement(n *html.Node) *html.Node {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			return c
		}
	}
	return nil
}

func nextElement(n *html.Node) *html.Node {
	for c := n.NextSibling; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			return c
		}
	}
	return nil
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

// svgs returns the inline SVG documents of a rendered report.
var svgRE = regexp.MustCompile(`(?s)<svg .*?</svg>`)

// checkSVG parses each chart of doc as XML and checks it is an SVG with a
// title and a description.
func checkSVG(t testing.TB, doc string) int {
	t.Helper()
	charts := svgRE.FindAllString(doc, -1)
	for i, s := range charts {
		var root struct {
			XMLName xml.Name
			Title   string `xml:"title"`
			Desc    string `xml:"desc"`
		}
		if err := xml.Unmarshal([]byte(s), &root); err != nil {
			t.Errorf("chart %d is not well-formed XML: %v\n%s", i, err, s)
			continue
		}
		if root.XMLName.Space != "http://www.w3.org/2000/svg" || root.XMLName.Local != "svg" {
			t.Errorf("chart %d: root %v, want svg in the SVG namespace", i, root.XMLName)
		}
		if root.Title == "" || root.Desc == "" {
			t.Errorf("chart %d: title %q, desc %q; want both", i, root.Title, root.Desc)
		}
		// Every element, to the end.
		d := xml.NewDecoder(strings.NewReader(s))
		for {
			if _, err := d.Token(); err != nil {
				if !errors.Is(err, io.EOF) {
					t.Errorf("chart %d: %v", i, err)
				}
				break
			}
		}
	}
	return len(charts)
}

func TestSVGWellFormed(t *testing.T) {
	hostile := sample()
	// Names that a source passes through: markup in them must stay text.
	hostile.Selection.Anomalies = []ar.Count{{Key: `<script>alert("x")</script>&amp;`, N: 1}}
	hostile.Provisions.ByRecipient = []ar.Count{{Key: `"/><svg onload=alert(1)>`, N: 2}}
	empty := ar.Figures{Year: 2026, GeneratedAt: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}
	empty.From, empty.To = ar.YearBounds(2026)
	for name, f := range map[string]ar.Figures{"sample": sample(), "hostile": hostile, "empty": empty} {
		for _, o := range []ar.Options{{Lang: ar.Japanese, Variant: ar.VariantFull}, {Lang: ar.English, Variant: ar.VariantPublic}} {
			t.Run(name+"/"+string(o.Lang)+"/"+string(o.Variant), func(t *testing.T) {
				doc := render(t, f, o)
				if n := checkSVG(t, doc); n != 3 {
					t.Errorf("got %d charts, want 3", n)
				}
				if strings.Contains(doc, "<script") || strings.Contains(doc, "<svg onload") {
					t.Error("markup from the figures reached the document unescaped")
				}
			})
		}
	}
}

// TestMeasures: measures not yet in operation show as such, never as
// zeros; once in operation, their numbers show.
func TestMeasures(t *testing.T) {
	section := func(doc string) string {
		i := strings.Index(doc, `<section id="measures">`)
		j := strings.Index(doc[i:], "</section>")
		return doc[i : i+j]
	}
	f := sample()
	s := section(render(t, f, ar.Options{Lang: ar.English, Variant: ar.VariantFull}))
	if strings.Contains(s, `class="num"`) {
		t.Errorf("measures not in operation show numbers:\n%s", s)
	}
	if got := strings.Count(s, `<td class="note">not yet in operation</td>`); got != 14 {
		t.Errorf("got %d figures marked not yet in operation, want all 14", got)
	}
	f.Measures = ar.Measures{InOperation: true, PriorApproved: 5, Emergency: 2, PostNoticesOnTime: 1, PostNoticesLate: 1,
		PostNoticesMissing: 7, CasesSDFGuard: 11, MOFAConsultations: 13, OrdersIssued: 17}
	s = section(render(t, f, ar.Options{Lang: ar.English, Variant: ar.VariantPublic}))
	if strings.Contains(s, "not yet in operation") {
		t.Errorf("measures in operation still marked not in operation:\n%s", s)
	}
	for _, row := range []struct{ label, n string }{
		{"Measures with prior approval", "5"}, {"Post-notifications overdue, not filed", "7"},
		{"Cases: SDF guard duty (SDF Act §95-4)", "11"}, {"Consultations with the Minister of Foreign Affairs", "13"},
		{"Orders to administrators", "17"},
	} {
		if !regexp.MustCompile(regexp.QuoteMeta(row.label) + `</t[hd]>\s*<td class="num">` + row.n + `</td>`).MatchString(s) {
			t.Errorf("row %q does not show %s:\n%s", row.label, row.n, s)
		}
	}
}

func TestRenderNotes(t *testing.T) {
	f := sample()
	f.GeneratedAt = time.Date(2026, 6, 30, 15, 0, 0, 0, time.UTC)
	doc := render(t, f, ar.Options{Lang: ar.English, Variant: ar.VariantFull})
	if !strings.Contains(doc, "provisional, as of 1 July 2026 00:00") {
		t.Error("a year not over is not marked provisional (in Japan time)")
	}
	doc = render(t, sample(), ar.Options{})
	if !strings.Contains(doc, `<html lang="ja">`) || !strings.Contains(doc, "公表用概要") || !strings.Contains(doc, "非公表") {
		t.Error("zero Options are not the public summary in Japanese")
	}
	if !strings.Contains(doc, "2026年1月1日 から 2026年12月31日 まで") {
		t.Error("the period is not the calendar year in Japan time")
	}
}

func TestRenderErrors(t *testing.T) {
	tests := []struct {
		name string
		f    func(*ar.Figures)
		o    ar.Options
		want string
	}{
		// Options a caller got wrong.
		{"unknown lang", nil, ar.Options{Lang: "fr"}, `lang "fr": want ja or en`},
		{"unknown variant", nil, ar.Options{Variant: "secret"}, `variant "secret": want full or public`},
		// Figures that do not hold together.
		{"year too early", func(f *ar.Figures) { f.Year = 2024 }, ar.Options{}, "year: 2024 is outside"},
		{"bounds not the year's", func(f *ar.Figures) { f.From = f.From.Add(time.Hour) }, ar.Options{}, "from: bounds"},
		{"no generation time", func(f *ar.Figures) { f.GeneratedAt = time.Time{} }, ar.Options{}, "generated_at: missing"},
		{"unknown chapter", func(f *ar.Figures) { f.Requests[0].Chapter = "ch5" }, ar.Options{}, `requests[0].chapter: unknown chapter "ch5"`},
		{"repeated chapter", func(f *ar.Figures) { f.Requests[1].Chapter = "ch4"; f.Requests[1].Directions = nil }, ar.Options{}, `requests[1].chapter: "ch4" repeated`},
		{"direction of another chapter", func(f *ar.Figures) { f.Requests[1].Directions[0].Direction = ar.DirTransit }, ar.Options{}, `requests[1].directions[0].direction: "foreign-foreign" is not a direction of ch6`},
		{"negative count", func(f *ar.Figures) { f.Requests[0].Total.Refused = -1 }, ar.Options{}, "requests[0].total.refused: negative (-1)"},
		{"negative median", func(f *ar.Figures) { f.MedianDecisionSeconds = -5 }, ar.Options{}, ".median_decision_seconds: negative (-5)"},
		{"bad month", func(f *ar.Figures) { f.Selection.Months[0].Month = 13 }, ar.Options{}, "selection.months[0].month: 13 is not a month"},
		{"unknown direction", func(f *ar.Figures) { f.Selection.Directions[0].Direction = "sideways" }, ar.Options{}, `selection.directions[0].direction: unknown direction "sideways"`},
		{"empty key", func(f *ar.Figures) { f.Provisions.ByLegalBasis[0].Key = "" }, ar.Options{}, "provisions.by_legal_basis[0].key: empty"},
		{"repeated key", func(f *ar.Figures) { f.Provisions.ByLegalBasis[1].Key = "§23/§27" }, ar.Options{}, `provisions.by_legal_basis[1].key: "§23/§27" repeated`},
		{"long reason", func(f *ar.Figures) { f.RefusalNotes[0].Reason = strings.Repeat("x", 4001) }, ar.Options{}, "refusal_notes[0].reason: 4001 bytes, more than 4000"},
		{"bad UTF-8", func(f *ar.Figures) { f.Errors.Items[0].Summary = "\xff" }, ar.Options{}, "errors.items[0].summary: not valid UTF-8"},
		{"too many items", func(f *ar.Figures) { f.Errors.Items = make([]ar.HandlingError, 10001) }, ar.Options{}, "errors.items: 10001 items, more than 10000"},
		{"repeated rating", func(f *ar.Figures) { f.Recommendations.ByRating[1].Rating = ar.RatingRed }, ar.Options{}, `recommendations.by_rating[1].rating: "red" repeated`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := sample()
			if tt.f != nil {
				tt.f(&f)
			}
			var b bytes.Buffer
			err := ar.Render(&b, f, tt.o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got error %v, want one containing %q", err, tt.want)
			}
			if b.Len() != 0 {
				t.Errorf("wrote %d bytes on error", b.Len())
			}
		})
	}
}

func TestYearBounds(t *testing.T) {
	from, to := ar.YearBounds(2026)
	if want := time.Date(2025, 12, 31, 15, 0, 0, 0, time.UTC); !from.Equal(want) {
		t.Errorf("got from %v, want %v", from, want)
	}
	if want := time.Date(2026, 12, 31, 15, 0, 0, 0, time.UTC); !to.Equal(want) {
		t.Errorf("got to %v, want %v", to, want)
	}
}

func TestParse(t *testing.T) {
	for _, tt := range []struct {
		in      string
		lang    ar.Lang
		variant ar.Variant
	}{{"ja", ar.Japanese, ""}, {"en", ar.English, ""}, {"", ar.Japanese, ""}, {"full", "", ar.VariantFull}, {"public", "", ar.VariantPublic}} {
		if tt.lang != "" {
			if got, err := ar.ParseLang(tt.in); err != nil || got != tt.lang {
				t.Errorf("ParseLang(%q) = %q, %v; want %q", tt.in, got, err, tt.lang)
			}
		}
		if tt.variant != "" {
			if got, err := ar.ParseVariant(tt.in); err != nil || got != tt.variant {
				t.Errorf("ParseVariant(%q) = %q, %v; want %q", tt.in, got, err, tt.variant)
			}
		}
	}
	if _, err := ar.ParseVariant(""); err == nil {
		t.Error("ParseVariant(\"\") succeeded")
	}
	if _, err := ar.ParseLang(strings.Repeat("日", 30)); err == nil || len(err.Error()) > 80 {
		t.Errorf("ParseLang of a long input: %v", err)
	}
}

// TestRenderHugeCounts: counts near the limits of int64 render (the chart
// once looped for ever on its axis) with well-formed charts.
func TestRenderHugeCounts(t *testing.T) {
	f := sample()
	f.Requests[0].Total.Filed = math.MaxInt64 - 3
	f.Requests[0].Total.Approved = math.MaxInt64 - 3
	f.Requests[0].Total.Refused = math.MaxInt64
	f.Selection.Months[0].Seen = math.MaxInt64
	f.Recommendations.ByRating[0].Partial = math.MaxInt
	for _, v := range []ar.Variant{ar.VariantFull, ar.VariantPublic} {
		doc := render(t, f, ar.Options{Variant: v})
		if n := checkSVG(t, doc); n != 3 {
			t.Errorf("%s: got %d charts, want 3", v, n)
		}
	}
}
