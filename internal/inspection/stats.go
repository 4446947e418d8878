package inspection

import (
	"context"
	"fmt"
	"time"

	"github.com/acd-platform/acd/internal/store"
)

// Stats counts the commission's oversight over a period, for the annual
// report to the Diet (§61). The period is half-open: From ≤ t < To.
type Stats struct {
	From            time.Time           `json:"from"`
	To              time.Time           `json:"to"`
	Inspections     InspectionStats     `json:"inspections"`
	Recommendations RecommendationStats `json:"recommendations"`
	HandlingErrors  ErrorStats          `json:"handling_errors"`
}

// InspectionStats counts inspections.
type InspectionStats struct {
	// Opened and Closed count inspections opened, and closed, in the
	// period.
	Opened int `json:"opened"`
	Closed int `json:"closed"`
	// OpenAtEnd counts inspections opened before To and not closed by To.
	OpenAtEnd int `json:"open_at_end"`
	// Findings counts findings recorded in the period.
	Findings int `json:"findings"`
}

// RecommendationStats counts the recommendations issued in the period, in
// the state they are in when Stats runs (answers and assessments after the
// period count, so that a report written after the year's end shows what
// became of the year's recommendations).
type RecommendationStats struct {
	// Issued counts every recommendation issued in the period; Withdrawn
	// those of them since withdrawn. The counts below cover the others,
	// Issued − Withdrawn, so each breakdown adds up to that.
	Issued    int `json:"issued"`
	Withdrawn int `json:"withdrawn"`
	// ByRating counts by the current rating.
	ByRating RatingCounts `json:"by_rating"`
	// ByImplementation counts by the latest assessment.
	ByImplementation ImplementationCounts `json:"by_implementation"`
	// ByRatingImplementation crosses the two.
	ByRatingImplementation RatingImplementation `json:"by_rating_implementation"`
	// AnsweredOnTime, AnsweredLate and Unanswered split by the answer;
	// Overdue counts the unanswered ones past their due time.
	AnsweredOnTime int `json:"answered_on_time"`
	AnsweredLate   int `json:"answered_late"`
	Unanswered     int `json:"unanswered"`
	Overdue        int `json:"overdue"`
}

// RatingCounts counts by rating.
type RatingCounts struct {
	Red   int `json:"red"`
	Amber int `json:"amber"`
	Green int `json:"green"`
}

// ImplementationCounts counts by implementation; NotAssessed counts those
// the commission has not assessed yet.
type ImplementationCounts struct {
	NotAssessed int `json:"not_assessed"`
	NotStarted  int `json:"not_started"`
	Partial     int `json:"partial"`
	Implemented int `json:"implemented"`
}

// RatingImplementation counts by implementation within each rating.
type RatingImplementation struct {
	Red   ImplementationCounts `json:"red"`
	Amber ImplementationCounts `json:"amber"`
	Green ImplementationCounts `json:"green"`
}

// ErrorStats counts the handling errors reported in the period, classified
// as they are when Stats runs.
type ErrorStats struct {
	Reported   int            `json:"reported"`
	ByCategory CategoryCounts `json:"by_category"`
	BySeverity SeverityCounts `json:"by_severity"`
	// Classified counts those the commission has classified; Serious
	// those classified serious.
	Classified int `json:"classified"`
	Serious    int `json:"serious"`
	// AffectedTold splits the classified errors by whether the affected
	// persons were told; SeriousAffectedTold does so for the serious ones.
	AffectedTold        ToldCounts `json:"affected_told"`
	SeriousAffectedTold ToldCounts `json:"serious_affected_told"`
}

// CategoryCounts counts by category.
type CategoryCounts struct {
	OutOfScopeSelection  int `json:"out_of_scope_selection"`
	ProvisionBeyondBasis int `json:"provision_beyond_basis"`
	LateDeletion         int `json:"late_deletion"`
	Other                int `json:"other"`
}

// SeverityCounts counts by severity.
type SeverityCounts struct {
	Low    int `json:"low"`
	Medium int `json:"medium"`
	High   int `json:"high"`
}

// ToldCounts counts by whether the affected persons were told.
type ToldCounts struct {
	Yes           int `json:"yes"`
	No            int `json:"no"`
	NotApplicable int `json:"not_applicable"`
}

func (c *ImplementationCounts) add(i Implementation) {
	switch i {
	case NotStarted:
		c.NotStarted++
	case Partial:
		c.Partial++
	case Implemented:
		c.Implemented++
	default:
		c.NotAssessed++
	}
}

func (c *ToldCounts) add(t Told) {
	switch t {
	case ToldYes:
		c.Yes++
	case ToldNo:
		c.No++
	case ToldNotApplicable:
		c.NotApplicable++
	}
}

// Stats counts inspections, recommendations and handling errors in [from,
// to), for the annual report. It does not check who asks: the annual
// report's own action (auth.AnnualReportRead) guards its callers.
func (s *Service) Stats(ctx context.Context, from, to time.Time) (Stats, error) {
	from, to = from.UTC(), to.UTC()
	if from.IsZero() || to.IsZero() || !from.Before(to) {
		return Stats{}, fmt.Errorf("stats period %s to %s: %w", from.Format(time.RFC3339), to.Format(time.RFC3339),
			fieldErrorf("from", "the period must start before it ends"))
	}
	st := Stats{From: from, To: to}
	f, t := store.FormatTime(from), store.FormatTime(to)
	ins := &st.Inspections
	for _, c := range []struct {
		dst   *int
		query string
		args  []any
	}{
		{&ins.Opened, "SELECT COUNT(*) FROM ins_inspections WHERE opened_at >= ? AND opened_at < ?", []any{f, t}},
		{&ins.Closed, "SELECT COUNT(*) FROM ins_inspections WHERE closed_at >= ? AND closed_at < ?", []any{f, t}},
		{&ins.OpenAtEnd, "SELECT COUNT(*) FROM ins_inspections WHERE opened_at < ? AND (closed_at = '' OR closed_at >= ?)", []any{t, t}},
		{&ins.Findings, "SELECT COUNT(*) FROM ins_findings WHERE at >= ? AND at < ?", []any{f, t}},
	} {
		if err := s.db.QueryRow(ctx, c.query, c.args...).Scan(c.dst); err != nil {
			return Stats{}, fmt.Errorf("count inspections: %w", err)
		}
	}
	if err := s.recommendationStats(ctx, &st.Recommendations, f, t); err != nil {
		return Stats{}, err
	}
	if err := s.errorStats(ctx, &st.HandlingErrors, f, t); err != nil {
		return Stats{}, err
	}
	return st, nil
}

func (s *Service) recommendationStats(ctx context.Context, rs *RecommendationStats, from, to string) error {
	rows, err := s.db.Query(ctx, "SELECT rating, implementation, state, due, answered_at FROM ins_recommendations WHERE created_at >= ? AND created_at < ?", from, to)
	if err != nil {
		return fmt.Errorf("count recommendations: %w", err)
	}
	now := s.now()
	for rows.Next() {
		var rating, impl, state, dueS, answeredS string
		if err := rows.Scan(&rating, &impl, &state, &dueS, &answeredS); err != nil {
			return closeRows(rows, fmt.Errorf("count recommendations: %w", err))
		}
		var due, answered time.Time
		if err := parseTimes([]*time.Time{&due, &answered}, []string{dueS, answeredS}); err != nil {
			return closeRows(rows, fmt.Errorf("count recommendations: %w", err))
		}
		rs.Issued++
		if RecommendationState(state) == RecommendationWithdrawn {
			rs.Withdrawn++
			continue
		}
		var cross *ImplementationCounts
		switch Rating(rating) {
		case RatingRed:
			rs.ByRating.Red++
			cross = &rs.ByRatingImplementation.Red
		case RatingAmber:
			rs.ByRating.Amber++
			cross = &rs.ByRatingImplementation.Amber
		default:
			rs.ByRating.Green++
			cross = &rs.ByRatingImplementation.Green
		}
		rs.ByImplementation.add(Implementation(impl))
		cross.add(Implementation(impl))
		switch {
		case answered.IsZero():
			rs.Unanswered++
			if now.After(due) {
				rs.Overdue++
			}
		case answered.After(due):
			rs.AnsweredLate++
		default:
			rs.AnsweredOnTime++
		}
	}
	return closeRows(rows, nil)
}

func (s *Service) errorStats(ctx context.Context, es *ErrorStats, from, to string) error {
	rows, err := s.db.Query(ctx, "SELECT category, severity, state, serious, affected_told FROM ins_handling_errors WHERE reported_at >= ? AND reported_at < ?", from, to)
	if err != nil {
		return fmt.Errorf("count handling errors: %w", err)
	}
	for rows.Next() {
		var category, severity, state, told string
		var serious int
		if err := rows.Scan(&category, &severity, &state, &serious, &told); err != nil {
			return closeRows(rows, fmt.Errorf("count handling errors: %w", err))
		}
		es.Reported++
		switch Category(category) {
		case OutOfScopeSelection:
			es.ByCategory.OutOfScopeSelection++
		case ProvisionBeyondBasis:
			es.ByCategory.ProvisionBeyondBasis++
		case LateDeletion:
			es.ByCategory.LateDeletion++
		default:
			es.ByCategory.Other++
		}
		switch Severity(severity) {
		case SeverityLow:
			es.BySeverity.Low++
		case SeverityMedium:
			es.BySeverity.Medium++
		default:
			es.BySeverity.High++
		}
		if ErrorState(state) != ErrorClassified {
			continue
		}
		es.Classified++
		es.AffectedTold.add(Told(told))
		if serious != 0 {
			es.Serious++
			es.SeriousAffectedTold.add(Told(told))
		}
	}
	return closeRows(rows, nil)
}
