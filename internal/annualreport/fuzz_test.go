package annualreport_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	ar "github.com/acd-platform/acd/internal/annualreport"
)

// FuzzRender: any JSON a source (or a stored snapshot) might hold is either
// refused by Check, and then by Render without a byte written, or renders
// in every variant and language with well-formed SVG charts; the public
// summary of it is the same document as the public summary of its public
// figures, and those hold no detail the public summary withholds.
//
// Besides the seeds added here, testdata/fuzz/FuzzRender holds:
// huge_counts, counts near the limit of int64, on which the chart's axis
// once looped for ever; bounds_utc, a year whose bounds are UTC midnights
// rather than Japan time's, which Check refuses; unknown_keys, categories
// the catalogue does not know, which show as their keys.
func FuzzRender(f *testing.F) {
	seed := func(x ar.Figures) []byte {
		b, err := json.Marshal(x)
		if err != nil {
			f.Fatal(err)
		}
		return b
	}
	// The sample year, with every figure and list filled in.
	f.Add(seed(sample()))
	// A year with nothing in it.
	empty := ar.Figures{Year: 2026, GeneratedAt: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}
	empty.From, empty.To = ar.YearBounds(2026)
	f.Add(seed(empty))
	// Measures in operation, the year not over.
	m := sample()
	m.Measures = ar.Measures{InOperation: true, PriorApproved: 3, Emergency: 1, PostNoticesOnTime: 1}
	m.GeneratedAt = time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	f.Add(seed(m))
	// Markup and odd keys where names go.
	h := sample()
	h.Selection.Anomalies = []ar.Count{{Key: "<b>&x", N: 9}}
	h.Recommendations.ByRating = append(h.Recommendations.ByRating, ar.RatingRow{Rating: "purple", Partial: 1})
	f.Add(seed(h))
	// Not figures at all, and bounds that are not the year's.
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"year":2026,"from":"2026-01-01T00:00:00Z","to":"2027-01-01T00:00:00Z","generated_at":"2027-01-01T00:00:00Z"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var fig ar.Figures
		if err := json.Unmarshal(data, &fig); err != nil {
			return
		}
		if err := fig.Check(); err != nil {
			var b bytes.Buffer
			if rerr := ar.Render(&b, fig, ar.Options{Variant: ar.VariantFull}); rerr == nil || b.Len() != 0 {
				t.Fatalf("Check refuses (%v) but Render gives %v and %d bytes", err, rerr, b.Len())
			}
			return
		}
		for _, lang := range []ar.Lang{ar.Japanese, ar.English} {
			for _, v := range []ar.Variant{ar.VariantFull, ar.VariantPublic} {
				doc := render(t, fig, ar.Options{Lang: lang, Variant: v})
				if n := checkSVG(t, doc); n != 3 {
					t.Fatalf("%s %s: %d charts, want 3", lang, v, n)
				}
			}
			pub := fig.Public()
			if err := pub.Check(); err != nil {
				t.Fatalf("public figures fail Check: %v", err)
			}
			a := render(t, fig, ar.Options{Lang: lang, Variant: ar.VariantPublic})
			b := render(t, pub, ar.Options{Lang: lang, Variant: ar.VariantPublic})
			if a != b {
				t.Fatalf("%s: the public summary of the figures and of their public figures differ", lang)
			}
			if len(pub.RefusalNotes)+len(pub.Recommendations.Items)+len(pub.Errors.Items)+len(pub.Provisions.ByRecipient) != 0 {
				t.Fatalf("public figures hold withheld detail: %+v", pub)
			}
			for _, m := range pub.Selection.Months {
				if m.SelectionCounts != (ar.SelectionCounts{}) {
					t.Fatalf("public figures hold month %d", m.Month)
				}
			}
		}
	})
}
