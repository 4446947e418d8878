package annualreport_test

import (
	"time"

	"github.com/acd-platform/acd/internal/annualreport"
)

// sample returns figures for 2026 whose every count is distinct, so that a
// test can look for one in a document and know which figure it found.
// The figures the public summary withholds are all four-digit primes above
// 7000, which no other figure is.
func sample() annualreport.Figures {
	from, to := annualreport.YearBounds(2026)
	at := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 3, 0, 0, 0, time.UTC) }
	return annualreport.Figures{
		Year: 2026, From: from, To: to,
		GeneratedAt: time.Date(2027, 1, 5, 1, 0, 0, 0, time.UTC),
		Requests: []annualreport.ChapterRequests{
			{Chapter: annualreport.ChapterTransit, Total: annualreport.RequestCounts{Filed: 41, Approved: 31, ApprovedModified: 5, Refused: 3, Withdrawn: 1, Pending: 2, MedianDecisionSeconds: 36 * 3600}},
			{Chapter: annualreport.ChapterForeign, Total: annualreport.RequestCounts{Filed: 23, Approved: 13, ApprovedModified: 4, Refused: 6, Pending: 0, MedianDecisionSeconds: 3 * 86400},
				Directions: []annualreport.DirectionRequests{
					{Direction: annualreport.DirInbound, RequestCounts: annualreport.RequestCounts{Filed: 7001 + 18, Approved: 7027, ApprovedModified: 7039, Refused: 7043, Withdrawn: 7057, Pending: 7069, MedianDecisionSeconds: 7079 * 60}},
					{Direction: annualreport.DirOutbound, RequestCounts: annualreport.RequestCounts{Filed: 7103, Approved: 7109, ApprovedModified: 7121, Refused: 7127, Withdrawn: 7129, Pending: 7151, MedianDecisionSeconds: 7159 * 60}},
				}},
		},
		RefusalReasons: []annualreport.Count{{Key: annualreport.ReasonNecessity, N: 4}, {Key: annualreport.ReasonScope, N: 3}, {Key: annualreport.ReasonQuality, N: 2}},
		RefusalNotes: []annualreport.RefusalNote{
			{RequestID: "acq_secretref1", Chapter: "ch6", Category: annualreport.ReasonScope, Reason: "Facility list SECRETREASON too wide", DecidedAt: at(3, 4)},
		},
		Agreements: annualreport.Agreements{Concluded: 12, Ended: 1, InForce: 17},
		Selection: annualreport.Selection{
			Runs:  88,
			Total: annualreport.SelectionCounts{Seen: 123456789, Selected: 54321, Deleted: 123402468, Records: 9876},
			Directions: []annualreport.DirectionSelection{
				{Direction: annualreport.DirTransit, SelectionCounts: annualreport.SelectionCounts{Seen: 100000000, Selected: 40000, Deleted: 99960000, Records: 8000}},
				{Direction: annualreport.DirInbound, SelectionCounts: annualreport.SelectionCounts{Seen: 7187, Selected: 7193, Deleted: 7207, Records: 7211}},
				{Direction: annualreport.DirOutbound, SelectionCounts: annualreport.SelectionCounts{Seen: 7213, Selected: 7219, Deleted: 7229, Records: 7237}},
			},
			Months: []annualreport.MonthSelection{
				{Month: 3, SelectionCounts: annualreport.SelectionCounts{Seen: 7243, Selected: 7247, Deleted: 7253, Records: 7283}},
				{Month: 11, SelectionCounts: annualreport.SelectionCounts{Seen: 7297, Selected: 7307, Deleted: 7309, Records: 7321}},
			},
		},
		Provisions: annualreport.Provisions{
			Total:           19,
			ByRecipientType: []annualreport.Count{{Key: "police", N: 11}, {Key: "sdf", N: 8}},
			ByLegalBasis:    []annualreport.Count{{Key: "§23", N: 14}, {Key: "§27", N: 5}},
			ByRecipient:     []annualreport.Count{{Key: "Secret Recipient Bureau", N: 7331}},
		},
		Measures:    annualreport.Measures{},
		Inspections: annualreport.Inspections{Opened: 9, Closed: 7, Findings: 21},
		Recommendations: annualreport.Recommendations{
			Issued:   10,
			ByRating: []annualreport.Count{{Key: annualreport.RatingRed, N: 1}, {Key: annualreport.RatingAmber, N: 2}, {Key: annualreport.RatingGreen, N: 3}, {Key: annualreport.RatingUnrated, N: 4}},
			Items: []annualreport.Recommendation{
				{ID: "rec_secretitem", Addressee: "Secret Addressee Agency", Subject: "Shorten SECRETSUBJECT retention", Rating: annualreport.RatingAmber, IssuedAt: at(6, 1)},
			},
		},
		Errors: annualreport.HandlingErrors{
			Reported: 15, Serious: 2, PersonsNotified: 1,
			Items: []annualreport.HandlingError{
				{ID: "err_secretitem", Agency: "Secret Error Agency", Summary: "Records SECRETERROR kept past deletion", Serious: true, ReportedAt: at(8, 9)},
			},
		},
	}
}

// withheldValues are what sample holds in the figures the public summary
// withholds, as the report would write them.
var withheldValues = []string{
	"7,019", "7,027", "7,039", "7,043", "7,057", "7,069", "7,103", "7,109", "7,121", "7,127", "7,129", "7,151",
	"7,187", "7,193", "7,207", "7,211", "7,213", "7,219", "7,229", "7,237",
	"7,243", "7,247", "7,253", "7,283", "7,297", "7,307", "7,309", "7,321", "7,331",
	"acq_secretref1", "SECRETREASON", "Secret Recipient Bureau", "rec_secretitem", "Secret Addressee Agency", "SECRETSUBJECT",
	"err_secretitem", "Secret Error Agency", "SECRETERROR",
}
