package annualreport

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/commsinfo"
	"github.com/acd-platform/acd/internal/inspection"
	"github.com/acd-platform/acd/internal/oversight"
	"github.com/acd-platform/acd/internal/selection"
)

// OversightSource is what Collect needs of the oversight service
// (*oversight.Service): its yearly counts, and the refused requests for
// the reasons the full report lists.
type OversightSource interface {
	Stats(ctx context.Context, from, to time.Time) (oversight.Stats, error)
	Acquisitions(ctx context.Context, p *auth.Principal, f oversight.AcquisitionFilter) ([]oversight.Acquisition, error)
}

// CommsInfoSource is what Collect needs of the communications-information
// service (*commsinfo.Service).
type CommsInfoSource interface {
	Stats(ctx context.Context, from, to time.Time) (commsinfo.Stats, error)
}

// InspectionSource is what Collect needs of the inspection service
// (*inspection.Service): its yearly counts, and the recommendations and
// handling errors the full report lists.
type InspectionSource interface {
	Stats(ctx context.Context, from, to time.Time) (inspection.Stats, error)
	Recommendations(ctx context.Context, p *auth.Principal, f inspection.RecommendationFilter) ([]inspection.Recommendation, error)
	HandlingErrors(ctx context.Context, p *auth.Principal, f inspection.ErrorFilter) ([]inspection.HandlingError, error)
}

// MeasuresSource counts the access and neutralisation measures of a year
// (the server adapts *measures.Service): the figures with InOperation set.
type MeasuresSource interface {
	MeasureFigures(ctx context.Context, from, to time.Time) (Measures, error)
}

// OrgNamer names organisations (*auth.Service does).
type OrgNamer interface {
	Org(ctx context.Context, id string) (auth.Org, error)
}

// CollectDeps are the services Collect counts from. Oversight, CommsInfo
// and Inspection are required.
type CollectDeps struct {
	Oversight  OversightSource
	CommsInfo  CommsInfoSource
	Inspection InspectionSource
	// Measures counts the measures; nil reports them as not yet in
	// operation.
	Measures MeasuresSource
	// Orgs names the agencies in the full report's lists; nil lists
	// their ids.
	Orgs OrgNamer
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Collect returns the Source that counts a year from the services that
// hold its records: acquisition requests, decisions and agreements from
// oversight, selection runs and provisions from commsinfo, inspections,
// recommendations and handling errors from inspection — each through its
// Stats over the year's bounds (YearBounds), selection month by month too,
// and access and neutralisation measures from Measures when it is set
// (otherwise their figures say they are not yet in operation).
//
// The detail of the full report — the reasons of each refusal, each
// recommendation, each handling error — is listed only when ctx carries a
// principal (auth.FromContext) who may read them, as the Service's calls
// do; the lists read at most the services' list limits (5,000 newest).
// Provisions by recipient organisation are not counted: commsinfo's Stats
// counts by kind of recipient and legal basis.
func Collect(d CollectDeps) (Source, error) {
	if d.Oversight == nil || d.CommsInfo == nil || d.Inspection == nil {
		return nil, fmt.Errorf("annualreport: Collect needs the oversight, commsinfo and inspection services")
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	return SourceFunc(func(ctx context.Context, year int) (Figures, error) { return collect(ctx, d, year) }), nil
}

func collect(ctx context.Context, d CollectDeps, year int) (Figures, error) {
	from, to := YearBounds(year)
	f := Figures{Year: year, From: from, To: to, GeneratedAt: d.Now().UTC()}
	p := auth.FromContext(ctx)

	ov, err := d.Oversight.Stats(ctx, from, to)
	if err != nil {
		return Figures{}, fmt.Errorf("count requests: %w", err)
	}
	for _, ch := range chapters {
		row := ChapterRequests{Chapter: ch.name}
		for _, c := range ov.ByChapter {
			if string(c.Chapter) == ch.name {
				row.Total = requestCounts(c)
			}
		}
		if len(ch.dirs) > 1 {
			for _, dir := range ch.dirs {
				dr := DirectionRequests{Direction: dir}
				for _, c := range ov.ByDirection {
					if string(c.Chapter) == ch.name && c.Direction == dir {
						dr.RequestCounts = requestCounts(c)
					}
				}
				row.Directions = append(row.Directions, dr)
			}
		}
		f.Requests = append(f.Requests, row)
	}
	f.Decided, f.MedianDecisionSeconds = ov.Decided, ov.MedianToDecisionSeconds
	for _, r := range ov.RefusalReasons {
		f.RefusalReasons = append(f.RefusalReasons, Count{Key: string(r.Category), N: int64(r.Count)})
	}
	f.Agreements = Agreements{Concluded: ov.Agreements.Signed, Ended: ov.Agreements.Terminated, InForce: ov.Agreements.Active}
	if p != nil {
		refused, err := d.Oversight.Acquisitions(ctx, p, oversight.AcquisitionFilter{State: oversight.AcquisitionRefused})
		if err != nil {
			return Figures{}, fmt.Errorf("list refused requests: %w", err)
		}
		for _, a := range refused {
			if a.FiledAt.Before(from) || !a.FiledAt.Before(to) || a.Decision == nil {
				continue
			}
			for _, r := range a.Decision.Reasons {
				f.RefusalNotes = append(f.RefusalNotes, RefusalNote{RequestID: a.ID, Chapter: string(a.Chapter),
					Category: string(r.Category), Reason: clip(r.Text, maxText), DecidedAt: a.Decision.DecidedAt})
			}
		}
		slices.SortStableFunc(f.RefusalNotes, func(a, b RefusalNote) int {
			return cmp.Or(a.DecidedAt.Compare(b.DecidedAt), cmp.Compare(a.RequestID, b.RequestID))
		})
	}

	ci, err := d.CommsInfo.Stats(ctx, from, to)
	if err != nil {
		return Figures{}, fmt.Errorf("count selection and provisions: %w", err)
	}
	f.Selection = Selection{Runs: ci.Runs, Records: ci.Records, RetentionDeleted: ci.RetentionDeleted, Total: selectionCounts(ci.Total)}
	for _, dir := range directions {
		if c, ok := ci.Directions[dir]; ok {
			f.Selection.Directions = append(f.Selection.Directions, DirectionSelection{Direction: dir, SelectionCounts: selectionCounts(c)})
		}
	}
	for kind, n := range ci.Anomalies {
		f.Selection.Anomalies = append(f.Selection.Anomalies, Count{Key: kind, N: n})
	}
	for m := time.January; m <= time.December; m++ {
		mfrom := time.Date(year, m, 1, 0, 0, 0, 0, jst)
		mst, err := d.CommsInfo.Stats(ctx, mfrom.UTC(), mfrom.AddDate(0, 1, 0).UTC())
		if err != nil {
			return Figures{}, fmt.Errorf("count selection in %d-%02d: %w", year, m, err)
		}
		f.Selection.Months = append(f.Selection.Months, MonthSelection{Month: int(m), SelectionCounts: selectionCounts(mst.Total)})
	}
	kinds, bases := map[string]int64{}, map[string]int64{}
	for _, pc := range ci.Provisions {
		f.Provisions.Total += pc.Provisions
		f.Provisions.Records += pc.Records
		f.Provisions.Findings += pc.Findings
		kinds[pc.RecipientKind] += pc.Provisions
		bases[pc.Basis] += pc.Provisions
	}
	f.Provisions.ByRecipientKind = counts(kinds)
	f.Provisions.ByLegalBasis = counts(bases)
	f.Provisions.Refused = ci.Refused

	in, err := d.Inspection.Stats(ctx, from, to)
	if err != nil {
		return Figures{}, fmt.Errorf("count inspections: %w", err)
	}
	if d.Measures != nil {
		m, err := d.Measures.MeasureFigures(ctx, from, to)
		if err != nil {
			return Figures{}, fmt.Errorf("count measures: %w", err)
		}
		m.InOperation = true
		f.Measures = m
	}
	f.Inspections = Inspections{Opened: in.Inspections.Opened, Closed: in.Inspections.Closed, OpenAtEnd: in.Inspections.OpenAtEnd, Findings: in.Inspections.Findings}
	rs := in.Recommendations
	f.Recommendations = Recommendations{Issued: rs.Issued, Withdrawn: rs.Withdrawn,
		AnsweredOnTime: rs.AnsweredOnTime, AnsweredLate: rs.AnsweredLate, Unanswered: rs.Unanswered, Overdue: rs.Overdue}
	for _, r := range []struct {
		rating string
		c      inspection.ImplementationCounts
	}{{RatingRed, rs.ByRatingImplementation.Red}, {RatingAmber, rs.ByRatingImplementation.Amber}, {RatingGreen, rs.ByRatingImplementation.Green}} {
		f.Recommendations.ByRating = append(f.Recommendations.ByRating, RatingRow{Rating: r.rating,
			NotAssessed: r.c.NotAssessed, NotStarted: r.c.NotStarted, Partial: r.c.Partial, Implemented: r.c.Implemented})
	}
	es := in.HandlingErrors
	f.Errors = HandlingErrors{Reported: es.Reported, Classified: es.Classified, Serious: es.Serious,
		SeriousTold: es.SeriousAffectedTold.Yes, SeriousNotTold: es.SeriousAffectedTold.No}
	f.Errors.ByCategory = []Count{
		{Key: ErrorOutOfScope, N: int64(es.ByCategory.OutOfScopeSelection)},
		{Key: ErrorBeyondBasis, N: int64(es.ByCategory.ProvisionBeyondBasis)},
		{Key: ErrorLateDeletion, N: int64(es.ByCategory.LateDeletion)},
		{Key: ErrorOtherCategory, N: int64(es.ByCategory.Other)},
	}
	if p != nil {
		names := map[string]string{}
		name := func(id string) string {
			if n, ok := names[id]; ok {
				return n
			}
			n := id
			if d.Orgs != nil {
				if o, err := d.Orgs.Org(ctx, id); err == nil && o.Name != "" {
					n = o.Name
				}
			}
			names[id] = clip(n, maxKeyText)
			return names[id]
		}
		recs, err := d.Inspection.Recommendations(ctx, p, inspection.RecommendationFilter{})
		if err != nil {
			return Figures{}, fmt.Errorf("list recommendations: %w", err)
		}
		for _, r := range recs {
			if r.CreatedAt.Before(from) || !r.CreatedAt.Before(to) {
				continue
			}
			f.Recommendations.Items = append(f.Recommendations.Items, Recommendation{ID: clip(r.ID, maxKeyText), Addressee: name(r.OrgID),
				Subject: clip(r.Text, maxText), Rating: string(r.Rating), Implementation: string(r.Implementation),
				Withdrawn: r.State == inspection.RecommendationWithdrawn, IssuedAt: r.CreatedAt})
		}
		slices.SortFunc(f.Recommendations.Items, func(a, b Recommendation) int {
			return cmp.Or(a.IssuedAt.Compare(b.IssuedAt), cmp.Compare(a.ID, b.ID))
		})
		errs, err := d.Inspection.HandlingErrors(ctx, p, inspection.ErrorFilter{})
		if err != nil {
			return Figures{}, fmt.Errorf("list handling errors: %w", err)
		}
		for _, e := range errs {
			if e.ReportedAt.Before(from) || !e.ReportedAt.Before(to) {
				continue
			}
			f.Errors.Items = append(f.Errors.Items, HandlingError{ID: clip(e.ID, maxKeyText), Agency: name(e.OrgID),
				Category: string(e.Category), Severity: string(e.Severity), Summary: clip(e.Description, maxText),
				Serious: e.Classification != nil && e.Classification.Serious, ReportedAt: e.ReportedAt})
		}
		slices.SortFunc(f.Errors.Items, func(a, b HandlingError) int {
			return cmp.Or(a.ReportedAt.Compare(b.ReportedAt), cmp.Compare(a.ID, b.ID))
		})
	}
	return f, nil
}

func requestCounts(c oversight.RequestCounts) RequestCounts {
	return RequestCounts{Filed: c.Filed, Approved: c.Approved, ApprovedModified: c.ApprovedModified,
		Refused: c.Refused, Withdrawn: c.Withdrawn, Pending: c.Pending}
}

// selectionCounts converts a run summary's counters to packets. A count
// beyond int64 (never reached in practice) is capped.
func selectionCounts(c selection.DirectionCounters) SelectionCounts {
	return SelectionCounts{Seen: capInt(c.Seen.Packets), InScope: capInt(c.InScope.Packets),
		Selected: capInt(c.Selected.Packets), Deleted: capInt(c.Deleted.Packets)}
}

// counts turns a map into a breakdown in key order.
func counts(m map[string]int64) []Count {
	out := make([]Count, 0, len(m))
	for k, n := range m {
		out = append(out, Count{Key: clip(k, maxKeyText), N: n})
	}
	return sortedCounts(out)
}

// clip shortens s to at most n bytes, marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return truncate(s, n-len("…"))
}

func capInt(v uint64) int64 {
	if v > 1<<63-1 {
		return 1<<63 - 1
	}
	return int64(v)
}
