package annualreport

import (
	"slices"
)

// Figures the public summary withholds. docs/annual-report.md says why
// each is withheld; the full report to the Diet shows them all.
const (
	// WithheldForeignDirections: the ch.6 requests split by direction
	// (外内, 内外). The chapter's total is published.
	WithheldForeignDirections = "requests.ch6.directions"
	// WithheldRefusalNotes: the reasons given for each refusal. The
	// counts by category are published.
	WithheldRefusalNotes = "requests.refusal_notes"
	// WithheldSelectionForeign: selection in the ch.6 directions (外内,
	// 内外), each. Totals and 外外 are published.
	WithheldSelectionForeign = "selection.directions.ch6"
	// WithheldSelectionMonths: selection month by month.
	WithheldSelectionMonths = "selection.months"
	// WithheldRecipients: provisions by recipient organisation. Counts by
	// recipient type and legal basis are published.
	WithheldRecipients = "provisions.by_recipient"
	// WithheldRecommendationItems: the recommendations one by one
	// (addressee, subject). Counts by rating are published.
	WithheldRecommendationItems = "recommendations.items"
	// WithheldErrorItems: the handling errors one by one (agency,
	// summary). The counts of errors, serious errors and notifications
	// are published.
	WithheldErrorItems = "errors.items"
)

// publicWithheld is the public summary's policy: every figure it
// withholds, in the order the report shows them.
var publicWithheld = []string{
	WithheldForeignDirections,
	WithheldRefusalNotes,
	WithheldSelectionForeign,
	WithheldSelectionMonths,
	WithheldRecipients,
	WithheldRecommendationItems,
	WithheldErrorItems,
}

// PublicWithheld returns the names of the figures the public summary
// withholds (the Withheld… constants).
func PublicWithheld() []string { return slices.Clone(publicWithheld) }

// Public returns the figures of the public summary: f in canonical form
// with every withheld figure removed — its counts zeroed, its lists
// emptied — and named in Withheld. What Public drops is not in its result
// at all, so that nothing rendered or stored from it can show it. f must
// have passed Check.
func (f Figures) Public() Figures {
	out := f.normalize()
	for i := range out.Requests {
		if out.Requests[i].Chapter == ChapterForeign {
			for j := range out.Requests[i].Directions {
				out.Requests[i].Directions[j].RequestCounts = RequestCounts{}
			}
		}
	}
	out.RefusalNotes = nil
	for i := range out.Selection.Directions {
		if d := out.Selection.Directions[i].Direction; d == DirInbound || d == DirOutbound {
			out.Selection.Directions[i].SelectionCounts = SelectionCounts{}
		}
	}
	for i := range out.Selection.Months {
		out.Selection.Months[i].SelectionCounts = SelectionCounts{}
	}
	out.Provisions.ByRecipient = nil
	out.Recommendations.Items = nil
	out.Errors.Items = nil
	out.Withheld = PublicWithheld()
	return out
}

// withheld reports whether f withholds the figure named key.
func (f *Figures) withheld(key string) bool { return slices.Contains(f.Withheld, key) }
