package annualreport_test

import (
	"time"

	ar "github.com/acd-platform/acd/internal/annualreport"
)

// sample returns figures for 2026 in which the figures the public summary
// withholds are all four-digit primes above 7000, written with a comma
// ("7,019"), which no other figure is, so that a test can look for each
// in a document and know it found a withheld one; and the detail it
// withholds all holds the word SECRET.
func sample() ar.Figures {
	from, to := ar.YearBounds(2026)
	at := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 3, 0, 0, 0, time.UTC) }
	sc := func(seen, inScope, selected, deleted int64) ar.SelectionCounts {
		return ar.SelectionCounts{Seen: seen, InScope: inScope, Selected: selected, Deleted: deleted}
	}
	return ar.Figures{
		Year: 2026, From: from, To: to,
		GeneratedAt: time.Date(2027, 1, 5, 1, 0, 0, 0, time.UTC),
		Requests: []ar.ChapterRequests{
			{Chapter: ar.ChapterTransit, Total: ar.RequestCounts{Filed: 42, Approved: 31, ApprovedModified: 5, Refused: 3, Withdrawn: 1, Pending: 2}},
			{Chapter: ar.ChapterForeign, Total: ar.RequestCounts{Filed: 23, Approved: 13, ApprovedModified: 4, Refused: 6},
				Directions: []ar.DirectionRequests{
					{Direction: ar.DirInbound, RequestCounts: ar.RequestCounts{Filed: 7019, Approved: 7027, ApprovedModified: 7039, Refused: 7043, Withdrawn: 7057, Pending: 7069}},
					{Direction: ar.DirOutbound, RequestCounts: ar.RequestCounts{Filed: 7103, Approved: 7109, ApprovedModified: 7121, Refused: 7127, Withdrawn: 7129, Pending: 7151}},
				}},
		},
		Decided: 62, MedianDecisionSeconds: 36 * 3600,
		RefusalReasons: []ar.Count{{Key: ar.ReasonNecessity, N: 4}, {Key: ar.ReasonScope, N: 3}, {Key: ar.ReasonQuality, N: 2}},
		RefusalNotes: []ar.RefusalNote{
			{RequestID: "acq_SECRET1", Chapter: "ch6", Category: ar.ReasonScope, Reason: "Facility list SECRETREASON too wide", DecidedAt: at(3, 4)},
		},
		Agreements: ar.Agreements{Concluded: 12, Ended: 1, InForce: 17},
		Selection: ar.Selection{
			Runs: 88, Records: 9876, RetentionDeleted: 543,
			Total: sc(123456789, 120000000, 54321, 123402468),
			Directions: []ar.DirectionSelection{
				{Direction: ar.DirTransit, SelectionCounts: sc(100000000, 99000000, 40000, 99960000)},
				{Direction: ar.DirInbound, SelectionCounts: sc(7187, 7193, 7207, 7211)},
				{Direction: ar.DirOutbound, SelectionCounts: sc(7213, 7219, 7229, 7237)},
				{Direction: ar.DirDomestic, SelectionCounts: sc(3456, 0, 0, 3456)},
			},
			Months: []ar.MonthSelection{
				{Month: 3, SelectionCounts: sc(7243, 7247, 7253, 7283)},
				{Month: 11, SelectionCounts: sc(7297, 7307, 7309, 7321)},
			},
			Anomalies: []ar.Count{{Key: "selection_ratio", N: 2}},
		},
		Provisions: ar.Provisions{
			Total: 19, Records: 1900, Findings: 25, Refused: 3,
			ByRecipientKind: []ar.Count{{Key: "agency_cooperation", N: 11}, {Key: "agency_measure", N: 8}},
			ByLegalBasis:    []ar.Count{{Key: "§23/§27", N: 11}, {Key: "§23/measure", N: 8}},
			ByRecipient:     []ar.Count{{Key: "SECRET Recipient Bureau", N: 7331}},
		},
		Inspections: ar.Inspections{Opened: 9, Closed: 7, OpenAtEnd: 4, Findings: 21},
		Recommendations: ar.Recommendations{
			Issued: 11, Withdrawn: 1,
			ByRating: []ar.RatingRow{
				{Rating: ar.RatingRed, NotAssessed: 1, Implemented: 1},
				{Rating: ar.RatingAmber, Partial: 2, NotStarted: 1},
				{Rating: ar.RatingGreen, Implemented: 3, NotAssessed: 2},
			},
			AnsweredOnTime: 6, AnsweredLate: 2, Unanswered: 2, Overdue: 1,
			Items: []ar.Recommendation{
				{ID: "rec_SECRET1", Addressee: "SECRET Addressee Agency", Subject: "Shorten SECRETSUBJECT retention", Rating: ar.RatingAmber, Implementation: "partial", IssuedAt: at(6, 1)},
			},
		},
		Errors: ar.HandlingErrors{
			Reported: 15, Classified: 13, Serious: 5, SeriousTold: 2, SeriousNotTold: 1,
			ByCategory: []ar.Count{{Key: ar.ErrorLateDeletion, N: 10}, {Key: ar.ErrorOutOfScope, N: 5}},
			Items: []ar.HandlingError{
				{ID: "err_SECRET1", Agency: "SECRET Error Agency", Category: ar.ErrorLateDeletion, Severity: "high", Summary: "Records SECRETERROR kept past deletion", Serious: true, ReportedAt: at(8, 9)},
			},
		},
	}
}

// withheldValues are what sample holds in the figures the public summary
// withholds, as the report writes them.
var withheldValues = []string{
	"7,019", "7,027", "7,039", "7,043", "7,057", "7,069", "7,103", "7,109", "7,121", "7,127", "7,129", "7,151",
	"7,187", "7,193", "7,207", "7,211", "7,213", "7,219", "7,229", "7,237",
	"7,243", "7,247", "7,253", "7,283", "7,297", "7,307", "7,309", "7,321", "7,331",
	"SECRET",
}
