package oversight

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/acd-platform/acd/internal/selection/direction"
	"github.com/acd-platform/acd/internal/store"
)

// Stats are the figures of the annual report to the Diet (§61) on
// acquisition requests and agreements over [From, To).
type Stats struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Requests counts the requests filed in [From, To), each once.
	Requests RequestCounts `json:"requests"`
	// ByChapter has one row per chapter (ch4, ch6), Direction empty.
	ByChapter []RequestCounts `json:"by_chapter"`
	// ByDirection has one row per chapter and direction it allows; a
	// request counts once under each direction it asked for.
	ByDirection []RequestCounts `json:"by_direction"`
	// RefusalReasons counts, for the refused requests, the refusals giving
	// a reason of each category, in ReasonCategories order.
	RefusalReasons []ReasonCount `json:"refusal_reasons"`
	// Decided is how many of the requests were decided (approved or
	// refused); MedianToDecision the median time from filing to decision
	// over them (zero when none), also in whole seconds.
	Decided                 int             `json:"decided"`
	MedianToDecision        time.Duration   `json:"-"`
	MedianToDecisionSeconds int64           `json:"median_to_decision_seconds"`
	Agreements              AgreementCounts `json:"agreements"`
}

// RequestCounts counts requests by outcome. Approved (as filed),
// ApprovedModified (narrowed), Refused, Pending and Withdrawn add up to
// Filed; Pending and Withdrawn are as of the time Stats was called.
type RequestCounts struct {
	Chapter          Chapter `json:"chapter,omitempty"`
	Direction        string  `json:"direction,omitempty"`
	Filed            int     `json:"filed"`
	Approved         int     `json:"approved"`
	ApprovedModified int     `json:"approved_modified"`
	Refused          int     `json:"refused"`
	Pending          int     `json:"pending"`
	Withdrawn        int     `json:"withdrawn"`
}

func (c *RequestCounts) add(a *Acquisition) {
	c.Filed++
	switch a.State {
	case AcquisitionApproved:
		if a.Decision != nil && a.Decision.Kind == MotionApproveNarrowed {
			c.ApprovedModified++
		} else {
			c.Approved++
		}
	case AcquisitionRefused:
		c.Refused++
	case AcquisitionWithdrawn:
		c.Withdrawn++
	default:
		c.Pending++
	}
}

// ReasonCount is how many refusals gave a reason of Category.
type ReasonCount struct {
	Category ReasonCategory `json:"category"`
	Count    int            `json:"count"`
}

// AgreementCounts counts agreements: Signed became active (both sides
// signed) in [From, To); Active were active at To; Terminated were
// terminated in [From, To) after having been active.
type AgreementCounts struct {
	Signed     int `json:"signed"`
	Active     int `json:"active"`
	Terminated int `json:"terminated"`
}

// Stats returns the annual-report figures for requests filed and
// agreements signed or terminated in [from, to). It does not check who
// asks: the annual report's service calls it for the commission.
func (s *Service) Stats(ctx context.Context, from, to time.Time) (Stats, error) {
	from, to = from.UTC(), to.UTC()
	if !to.After(from) {
		return Stats{}, fieldErrorf("to", "%s is not after from %s", stamp(to), stamp(from))
	}
	st := Stats{From: from, To: to}
	list, err := s.listAcquisitions(ctx, "SELECT data FROM ovs_acquisitions WHERE filed_at >= ? AND filed_at < ? ORDER BY filed_at, id",
		store.FormatTime(from), store.FormatTime(to))
	if err != nil {
		return Stats{}, err
	}
	st.ByChapter = []RequestCounts{{Chapter: ChapterTransit}, {Chapter: ChapterForeign}}
	st.ByDirection = []RequestCounts{
		{Chapter: ChapterTransit, Direction: direction.ForeignForeign.String()},
		{Chapter: ChapterForeign, Direction: direction.ForeignDomestic.String()},
		{Chapter: ChapterForeign, Direction: direction.DomesticForeign.String()},
	}
	for _, c := range ReasonCategories {
		st.RefusalReasons = append(st.RefusalReasons, ReasonCount{Category: c})
	}
	var waits []time.Duration
	for i := range list {
		a := &list[i]
		st.Requests.add(a)
		for j := range st.ByChapter {
			if st.ByChapter[j].Chapter == a.Chapter {
				st.ByChapter[j].add(a)
			}
		}
		for j := range st.ByDirection {
			if r := &st.ByDirection[j]; r.Chapter == a.Chapter && slices.Contains(a.Directions, r.Direction) {
				r.add(a)
			}
		}
		if a.Decision == nil {
			continue
		}
		waits = append(waits, a.Decision.DecidedAt.Sub(a.FiledAt))
		for _, r := range a.Decision.Reasons {
			for j := range st.RefusalReasons {
				if st.RefusalReasons[j].Category == r.Category {
					st.RefusalReasons[j].Count++
				}
			}
		}
	}
	st.Decided = len(waits)
	if len(waits) > 0 {
		slices.Sort(waits)
		mid := len(waits) / 2
		st.MedianToDecision = waits[mid]
		if len(waits)%2 == 0 {
			st.MedianToDecision = (waits[mid-1] + waits[mid]) / 2
		}
		st.MedianToDecisionSeconds = int64(st.MedianToDecision / time.Second)
	}

	rows, err := s.db.Query(ctx, "SELECT data FROM ovs_agreements WHERE activated_at <> '' AND activated_at < ?", store.FormatTime(to))
	if err != nil {
		return Stats{}, fmt.Errorf("count agreements: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var data string
		var a Agreement
		if err := rows.Scan(&data); err != nil {
			return Stats{}, fmt.Errorf("count agreements: %w", err)
		}
		if err := decode(data, &a); err != nil {
			return Stats{}, err
		}
		if !a.ActivatedAt.Before(from) {
			st.Agreements.Signed++
		}
		ended := !a.TerminatedAt.IsZero() && a.TerminatedAt.Before(to)
		if !ended {
			st.Agreements.Active++
		}
		if ended && !a.TerminatedAt.Before(from) {
			st.Agreements.Terminated++
		}
	}
	return st, rows.Err()
}
