package annualreport

import (
	"cmp"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"
)

// JST is Japan time, in which the report's year is counted and its times
// are shown. Japan keeps no daylight saving time.
var jst = time.FixedZone("JST", 9*60*60)

// The years a report may cover: the Act was passed in 2025.
const (
	MinYear = 2025
	MaxYear = 9999
)

// YearBounds returns the year as the report counts it: the calendar year in
// Japan time, [1 January 00:00 JST, the next 1 January 00:00 JST), in UTC.
func YearBounds(year int) (from, to time.Time) {
	from = time.Date(year, time.January, 1, 0, 0, 0, 0, jst).UTC()
	to = time.Date(year+1, time.January, 1, 0, 0, 0, 0, jst).UTC()
	return from, to
}

// The chapters under which communications information is acquired without
// the parties' consent, with the commission's prior approval (Act ch.4 and
// ch.6); the names are those of manifest.BasisTransit and
// manifest.BasisForeign.
const (
	ChapterTransit = "ch4" // 外外: foreign→foreign traffic via Japan
	ChapterForeign = "ch6" // 外内 and 内外: traffic with specific foreign equipment
)

// Directions of traffic, by the names of direction.Direction.
const (
	DirTransit  = "foreign-foreign"   // 外外
	DirInbound  = "foreign-domestic"  // 外内
	DirOutbound = "domestic-foreign"  // 内外
	DirDomestic = "domestic-domestic" // 内内: never in scope; selection deletes it at once
)

// chapters lists the chapters in the report's order, each with the
// directions it may cover.
var chapters = []struct {
	name string
	dirs []string
}{
	{ChapterTransit, []string{DirTransit}},
	{ChapterForeign, []string{DirInbound, DirOutbound}},
}

// directions lists every direction selection counts, in the report's
// order.
var directions = []string{DirTransit, DirInbound, DirOutbound, DirDomestic}

// Recommendation ratings: how grave the matter of a recommendation is, as
// the commission rates it (internal/inspection's ratings).
const (
	RatingRed   = "red"
	RatingAmber = "amber"
	RatingGreen = "green"
)

// ratings lists the ratings in the report's order, gravest first.
var ratings = []string{RatingRed, RatingAmber, RatingGreen}

// Refusal-reason categories: why the commission refused a request
// (internal/oversight's categories).
const (
	ReasonNecessity = "necessity_proportionality" // not necessary, or not proportionate
	ReasonQuality   = "application_quality"       // the application was incomplete or unclear
	ReasonScope     = "scope"                     // the scope asked for was too wide
)

// reasons lists the refusal-reason categories in the report's order.
var reasons = []string{ReasonNecessity, ReasonQuality, ReasonScope}

// Handling-error categories (internal/inspection's categories).
const (
	ErrorOutOfScope    = "out_of_scope_selection"
	ErrorBeyondBasis   = "provision_beyond_basis"
	ErrorLateDeletion  = "late_deletion"
	ErrorOtherCategory = "other"
)

// errorCategories lists the handling-error categories in the report's
// order.
var errorCategories = []string{ErrorOutOfScope, ErrorBeyondBasis, ErrorLateDeletion, ErrorOtherCategory}

// Figures is every number the annual report shows for one year, and the
// detail the full report lists. A Source fills it; the report, not the
// source, decides what the public summary withholds ([Figures.Public]).
//
// Requests are counted as a cohort, as the US FISC counts applications:
// those filed in the year, by what became of them by the time the
// figures were counted (GeneratedAt); Pending are those still undecided
// then. Everything else counts what happened within the year.
type Figures struct {
	// Year is the calendar year in Japan time; From and To its bounds
	// (YearBounds).
	Year int       `json:"year"`
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// GeneratedAt is when the figures were counted. Before To the year
	// is not over and the report says the figures are provisional.
	GeneratedAt time.Time `json:"generated_at"`

	// Requests are the acquisition requests by chapter (ch.4, ch.6).
	Requests []ChapterRequests `json:"requests"`
	// Decided counts the year's requests that were decided (approved,
	// with or without modifications, or refused); MedianDecisionSeconds
	// is the median time from filing to decision over them, 0 when none.
	Decided               int   `json:"decided"`
	MedianDecisionSeconds int64 `json:"median_decision_seconds"`
	// RefusalReasons counts the reasons the refusals gave, by category
	// (Reason… constants); a refusal may give reasons of several.
	RefusalReasons []Count `json:"refusal_reasons"`
	// RefusalNotes are the reasons the commission gave for each refusal.
	RefusalNotes []RefusalNote `json:"refusal_notes,omitempty"`
	// Agreements are the ch.3 agreements with operators.
	Agreements Agreements `json:"agreements"`
	// Selection is what automated selection saw, kept and deleted.
	Selection Selection `json:"selection"`
	// Provisions are the provisions of selected information (§23, §27 …).
	Provisions Provisions `json:"provisions"`
	// Measures are the access and neutralisation measures.
	Measures Measures `json:"measures"`
	// Inspections are the commission's inspections.
	Inspections Inspections `json:"inspections"`
	// Recommendations are the commission's recommendations to agencies.
	Recommendations Recommendations `json:"recommendations"`
	// Errors are the errors in handling communications information.
	Errors HandlingErrors `json:"errors"`

	// Withheld names the figures that the public summary withholds; it is
	// set by Public and empty in the full figures. A Source's value is
	// ignored.
	Withheld []string `json:"withheld,omitempty"`
}

// Count is a number of things of one kind: Key is a category (a legal
// basis, a recipient kind, an anomaly …) or, for named breakdowns, a name.
type Count struct {
	Key string `json:"key"`
	N   int64  `json:"n"`
}

// RequestCounts are the requests of one chapter or direction, filed in the
// year, by what became of them. The outcomes add up to Filed.
type RequestCounts struct {
	Filed            int `json:"filed"`
	Approved         int `json:"approved"`          // approved as filed
	ApprovedModified int `json:"approved_modified"` // approved narrowed
	Refused          int `json:"refused"`
	Withdrawn        int `json:"withdrawn"`
	Pending          int `json:"pending"` // undecided when counted
}

// ChapterRequests are one chapter's requests: its total and, for ch.6,
// one row per direction. A request that covers both directions of ch.6 is
// counted in each.
type ChapterRequests struct {
	Chapter    string              `json:"chapter"`
	Total      RequestCounts       `json:"total"`
	Directions []DirectionRequests `json:"directions,omitempty"`
}

// DirectionRequests are the requests that cover one direction.
type DirectionRequests struct {
	Direction string `json:"direction"`
	RequestCounts
}

// RefusalNote is one reason given for a refusal.
type RefusalNote struct {
	RequestID string    `json:"request_id"`
	Chapter   string    `json:"chapter"`
	Category  string    `json:"category"`
	Reason    string    `json:"reason"`
	DecidedAt time.Time `json:"decided_at"`
}

// Agreements are the ch.3 agreements: concluded (both sides signed) in
// the year, ended in the year after having been in force, and in force at
// its end.
type Agreements struct {
	Concluded int `json:"concluded"`
	Ended     int `json:"ended"`
	InForce   int `json:"in_force"`
}

// SelectionCounts are what automated selection did, in packets: what it
// saw, what was in scope of the approved directions, what it kept as
// mechanical information, and what it deleted at once.
type SelectionCounts struct {
	Seen     int64 `json:"seen"`
	InScope  int64 `json:"in_scope"`
	Selected int64 `json:"selected"`
	Deleted  int64 `json:"deleted"`
}

// Selection is the year's automated selection: the runs uploaded and the
// selected records they held, the records later deleted when their
// retention ended, the totals of the runs' counters, those by direction
// and by month (Japan time), and the anomalies found, by kind.
type Selection struct {
	Runs             int64                `json:"runs"`
	Records          int64                `json:"records"`
	RetentionDeleted int64                `json:"retention_deleted"`
	Total            SelectionCounts      `json:"total"`
	Directions       []DirectionSelection `json:"directions,omitempty"`
	Months           []MonthSelection     `json:"months,omitempty"`
	Anomalies        []Count              `json:"anomalies,omitempty"`
}

// DirectionSelection is selection in one direction.
type DirectionSelection struct {
	Direction string `json:"direction"`
	SelectionCounts
}

// MonthSelection is selection in one month, 1 to 12.
type MonthSelection struct {
	Month int `json:"month"`
	SelectionCounts
}

// Provisions are the provisions of selected records and findings made in
// the year: how many, the records and findings they carried, the attempts
// refused for want of a legal basis, and the provisions by kind of
// recipient, by legal basis and by recipient organisation.
type Provisions struct {
	Total           int64   `json:"total"`
	Records         int64   `json:"records"`
	Findings        int64   `json:"findings"`
	Refused         int64   `json:"refused"`
	ByRecipientKind []Count `json:"by_recipient_kind"`
	ByLegalBasis    []Count `json:"by_legal_basis"`
	ByRecipient     []Count `json:"by_recipient,omitempty"`
}

// Measures are the access and neutralisation measures. Until ACD runs
// them (InOperation false) the report says "not yet in operation" rather
// than showing zeros.
type Measures struct {
	InOperation bool `json:"in_operation"`
	// PriorApproved are measures taken with the commission's prior
	// approval; Emergency those taken without it, in special
	// circumstances, and notified afterwards.
	PriorApproved int `json:"prior_approved"`
	Emergency     int `json:"emergency"`
	// PostNoticesOnTime and PostNoticesLate are the emergency measures'
	// post-notifications to the commission, by whether they came promptly.
	PostNoticesOnTime int `json:"post_notices_on_time"`
	PostNoticesLate   int `json:"post_notices_late"`
	// PostNoticesMissing are emergency measures whose post-notification
	// was still not filed, past its deadline, when counted.
	PostNoticesMissing int `json:"post_notices_missing"`
	// Cases opened in the year, by path: police (Police Duties Execution
	// Act §6-2), SDF communication protection (SDF Act §81-3) and SDF
	// guard duty (§95-4).
	CasesPolice        int `json:"cases_police"`
	CasesSDFProtection int `json:"cases_sdf_protection"`
	CasesSDFGuard      int `json:"cases_sdf_guard"`
	// ForeignTargets are cases whose target was not believed to be in
	// Japan; MOFAConsultations the consultations with MOFA on them.
	ForeignTargets    int `json:"foreign_targets"`
	MOFAConsultations int `json:"mofa_consultations"`
	// ApprovalsRefused are the commission's refusals of a measure.
	ApprovalsRefused int `json:"approvals_refused"`
	// OrdersIssued are orders to administrators; Executions measures
	// recorded by officers; Closed cases closed with an outcome report.
	OrdersIssued int `json:"orders_issued"`
	Executions   int `json:"executions"`
	Closed       int `json:"closed"`
}

// Inspections are the commission's inspections: opened in the year,
// closed in the year, still open at its end, and the findings recorded in
// the year.
type Inspections struct {
	Opened    int `json:"opened"`
	Closed    int `json:"closed"`
	OpenAtEnd int `json:"open_at_end"`
	Findings  int `json:"findings"`
}

// Recommendations are the recommendations issued in the year, in the state
// they are in when counted: how many, how many since withdrawn, and of the
// others, by rating with how far they were implemented, and by the
// agency's answer; then one by one.
type Recommendations struct {
	Issued         int              `json:"issued"`
	Withdrawn      int              `json:"withdrawn"`
	ByRating       []RatingRow      `json:"by_rating"`
	AnsweredOnTime int              `json:"answered_on_time"`
	AnsweredLate   int              `json:"answered_late"`
	Unanswered     int              `json:"unanswered"`
	Overdue        int              `json:"overdue"` // unanswered past the due time
	Items          []Recommendation `json:"items,omitempty"`
}

// RatingRow is the recommendations of one rating, by how far the
// commission assessed them as implemented.
type RatingRow struct {
	Rating      string `json:"rating"`
	NotAssessed int    `json:"not_assessed"`
	NotStarted  int    `json:"not_started"`
	Partial     int    `json:"partial"`
	Implemented int    `json:"implemented"`
}

// Total is the row's recommendations.
func (r RatingRow) Total() int { return r.NotAssessed + r.NotStarted + r.Partial + r.Implemented }

// Recommendation is one recommendation as the full report lists it.
type Recommendation struct {
	ID        string `json:"id"`
	Addressee string `json:"addressee"` // the agency addressed
	Subject   string `json:"subject"`
	Rating    string `json:"rating"`
	// Implementation is the latest assessment: not_started, partial,
	// implemented, or "" when not assessed yet.
	Implementation string    `json:"implementation,omitempty"`
	Withdrawn      bool      `json:"withdrawn,omitempty"`
	IssuedAt       time.Time `json:"issued_at"`
}

// HandlingErrors are the errors in handling communications information
// reported in the year: how many, by category, how many the commission has
// classified and found serious, and for the serious ones whether the
// persons affected were told; then one by one.
type HandlingErrors struct {
	Reported       int             `json:"reported"`
	ByCategory     []Count         `json:"by_category"`
	Classified     int             `json:"classified"`
	Serious        int             `json:"serious"`
	SeriousTold    int             `json:"serious_told"`
	SeriousNotTold int             `json:"serious_not_told"`
	Items          []HandlingError `json:"items,omitempty"`
}

// HandlingError is one handling error as the full report lists it.
type HandlingError struct {
	ID         string    `json:"id"`
	Agency     string    `json:"agency"`
	Category   string    `json:"category"`
	Severity   string    `json:"severity"`
	Summary    string    `json:"summary"`
	Serious    bool      `json:"serious"`
	ReportedAt time.Time `json:"reported_at"`
}

// Limits on what a Figures may hold, so that a faulty source cannot make
// the report (or a stored snapshot) unbounded.
const (
	maxItems   = 10000 // notes, recommendations, errors, recipients
	maxCounts  = 100   // categories in one breakdown
	maxText    = 4000  // bytes in one text (a reason, a summary)
	maxKeyText = 200   // bytes in a key, an id or a name
)

// FieldError is a Figures that does not hold together: Field names the
// member ("requests[1].directions[0].direction"), Msg says what is wrong.
type FieldError struct {
	Field string
	Msg   string
}

// Error says which field is wrong and how.
func (e *FieldError) Error() string { return "figures: " + e.Field + ": " + e.Msg }

func fieldErr(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// checker collects the first error of a Check.
type checker struct{ err error }

func (c *checker) fail(field, format string, args ...any) {
	if c.err == nil {
		c.err = fieldErr(field, format, args...)
	}
}

// nonNeg checks that each value under path is not negative; names and
// values alternate.
func (c *checker) nonNeg(path string, namesAndValues ...any) {
	for i := 0; i+1 < len(namesAndValues); i += 2 {
		var v int64
		switch x := namesAndValues[i+1].(type) {
		case int:
			v = int64(x)
		case int64:
			v = x
		}
		if v < 0 {
			c.fail(path+"."+namesAndValues[i].(string), "negative (%d)", v)
		}
	}
}

// text checks that s is at most limit bytes of valid UTF-8.
func (c *checker) text(path, s string, limit int) {
	switch {
	case len(s) > limit:
		c.fail(path, "%d bytes, more than %d", len(s), limit)
	case !utf8.ValidString(s):
		c.fail(path, "not valid UTF-8")
	}
}

// counts checks a breakdown: at most limit entries, each key non-empty,
// short and not repeated, each count not negative.
func (c *checker) counts(path string, cs []Count, limit int) {
	if len(cs) > limit {
		c.fail(path, "%d entries, more than %d", len(cs), limit)
		return
	}
	seen := make(map[string]bool, len(cs))
	for i, x := range cs {
		p := fmt.Sprintf("%s[%d]", path, i)
		if x.Key == "" {
			c.fail(p+".key", "empty")
		}
		c.text(p+".key", x.Key, maxKeyText)
		if seen[x.Key] {
			c.fail(p+".key", "%q repeated", truncate(x.Key, maxKeyText))
		}
		seen[x.Key] = true
		c.nonNeg(p, "n", x.N)
	}
}

func (c *checker) items(path string, n int) bool {
	if n > maxItems {
		c.fail(path, "%d items, more than %d", n, maxItems)
		return false
	}
	return true
}

// Check reports the first thing wrong with f: a year out of range, bounds
// that are not the year's, a chapter, direction or month unknown or
// repeated, a negative count, a list or text over its limit, text that is
// not UTF-8.
func (f *Figures) Check() error {
	var c checker
	if f.Year < MinYear || f.Year > MaxYear {
		return fieldErr("year", "%d is outside %d–%d", f.Year, MinYear, MaxYear)
	}
	from, to := YearBounds(f.Year)
	if !f.From.Equal(from) || !f.To.Equal(to) {
		return fieldErr("from", "bounds %s–%s are not those of %d (%s–%s)",
			f.From.Format(time.RFC3339), f.To.Format(time.RFC3339), f.Year, from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	if f.GeneratedAt.IsZero() {
		return fieldErr("generated_at", "missing")
	}
	seen := map[string]bool{}
	for i, ch := range f.Requests {
		path := fmt.Sprintf("requests[%d]", i)
		dirs := chapterDirs(ch.Chapter)
		if dirs == nil {
			c.fail(path+".chapter", "unknown chapter %q (want ch4 or ch6)", truncate(ch.Chapter, maxKeyText))
			break
		}
		if seen[ch.Chapter] {
			c.fail(path+".chapter", "%q repeated", ch.Chapter)
		}
		seen[ch.Chapter] = true
		ch.Total.check(&c, path+".total")
		seenDir := map[string]bool{}
		for j, d := range ch.Directions {
			dpath := fmt.Sprintf("%s.directions[%d]", path, j)
			if !slices.Contains(dirs, d.Direction) {
				c.fail(dpath+".direction", "%q is not a direction of %s", truncate(d.Direction, maxKeyText), ch.Chapter)
			}
			if seenDir[d.Direction] {
				c.fail(dpath+".direction", "%q repeated", d.Direction)
			}
			seenDir[d.Direction] = true
			d.RequestCounts.check(&c, dpath)
		}
	}
	c.nonNeg("", "decided", f.Decided, "median_decision_seconds", f.MedianDecisionSeconds)
	c.counts("refusal_reasons", f.RefusalReasons, maxCounts)
	if c.items("refusal_notes", len(f.RefusalNotes)) {
		for i, n := range f.RefusalNotes {
			path := fmt.Sprintf("refusal_notes[%d]", i)
			c.text(path+".request_id", n.RequestID, maxKeyText)
			c.text(path+".chapter", n.Chapter, maxKeyText)
			c.text(path+".category", n.Category, maxKeyText)
			c.text(path+".reason", n.Reason, maxText)
		}
	}
	a := f.Agreements
	c.nonNeg("agreements", "concluded", a.Concluded, "ended", a.Ended, "in_force", a.InForce)
	f.Selection.check(&c)
	p := f.Provisions
	c.nonNeg("provisions", "total", p.Total, "records", p.Records, "findings", p.Findings, "refused", p.Refused)
	c.counts("provisions.by_recipient_kind", p.ByRecipientKind, maxCounts)
	c.counts("provisions.by_legal_basis", p.ByLegalBasis, maxCounts)
	c.counts("provisions.by_recipient", p.ByRecipient, maxItems)
	m := f.Measures
	c.nonNeg("measures", "prior_approved", m.PriorApproved, "emergency", m.Emergency,
		"post_notices_on_time", m.PostNoticesOnTime, "post_notices_late", m.PostNoticesLate,
		"post_notices_missing", m.PostNoticesMissing, "cases_police", m.CasesPolice,
		"cases_sdf_protection", m.CasesSDFProtection, "cases_sdf_guard", m.CasesSDFGuard,
		"foreign_targets", m.ForeignTargets, "mofa_consultations", m.MOFAConsultations,
		"approvals_refused", m.ApprovalsRefused, "orders_issued", m.OrdersIssued,
		"executions", m.Executions, "closed", m.Closed)
	in := f.Inspections
	c.nonNeg("inspections", "opened", in.Opened, "closed", in.Closed, "open_at_end", in.OpenAtEnd, "findings", in.Findings)
	r := f.Recommendations
	c.nonNeg("recommendations", "issued", r.Issued, "withdrawn", r.Withdrawn, "answered_on_time", r.AnsweredOnTime,
		"answered_late", r.AnsweredLate, "unanswered", r.Unanswered, "overdue", r.Overdue)
	if len(r.ByRating) > maxCounts {
		c.fail("recommendations.by_rating", "%d entries, more than %d", len(r.ByRating), maxCounts)
	} else {
		seenRating := map[string]bool{}
		for i, row := range r.ByRating {
			path := fmt.Sprintf("recommendations.by_rating[%d]", i)
			if row.Rating == "" {
				c.fail(path+".rating", "empty")
			}
			c.text(path+".rating", row.Rating, maxKeyText)
			if seenRating[row.Rating] {
				c.fail(path+".rating", "%q repeated", truncate(row.Rating, maxKeyText))
			}
			seenRating[row.Rating] = true
			c.nonNeg(path, "not_assessed", row.NotAssessed, "not_started", row.NotStarted, "partial", row.Partial, "implemented", row.Implemented)
		}
	}
	if c.items("recommendations.items", len(r.Items)) {
		for i, it := range r.Items {
			path := fmt.Sprintf("recommendations.items[%d]", i)
			c.text(path+".id", it.ID, maxKeyText)
			c.text(path+".addressee", it.Addressee, maxKeyText)
			c.text(path+".rating", it.Rating, maxKeyText)
			c.text(path+".implementation", it.Implementation, maxKeyText)
			c.text(path+".subject", it.Subject, maxText)
		}
	}
	e := f.Errors
	c.nonNeg("errors", "reported", e.Reported, "classified", e.Classified, "serious", e.Serious,
		"serious_told", e.SeriousTold, "serious_not_told", e.SeriousNotTold)
	c.counts("errors.by_category", e.ByCategory, maxCounts)
	if c.items("errors.items", len(e.Items)) {
		for i, it := range e.Items {
			path := fmt.Sprintf("errors.items[%d]", i)
			c.text(path+".id", it.ID, maxKeyText)
			c.text(path+".agency", it.Agency, maxKeyText)
			c.text(path+".category", it.Category, maxKeyText)
			c.text(path+".severity", it.Severity, maxKeyText)
			c.text(path+".summary", it.Summary, maxText)
		}
	}
	return c.err
}

func (rc RequestCounts) check(c *checker, path string) {
	c.nonNeg(path, "filed", rc.Filed, "approved", rc.Approved, "approved_modified", rc.ApprovedModified,
		"refused", rc.Refused, "withdrawn", rc.Withdrawn, "pending", rc.Pending)
}

func (sc SelectionCounts) check(c *checker, path string) {
	c.nonNeg(path, "seen", sc.Seen, "in_scope", sc.InScope, "selected", sc.Selected, "deleted", sc.Deleted)
}

func (s *Selection) check(c *checker) {
	c.nonNeg("selection", "runs", s.Runs, "records", s.Records, "retention_deleted", s.RetentionDeleted)
	s.Total.check(c, "selection.total")
	seen := map[string]bool{}
	for i, d := range s.Directions {
		path := fmt.Sprintf("selection.directions[%d]", i)
		if !slices.Contains(directions, d.Direction) {
			c.fail(path+".direction", "unknown direction %q", truncate(d.Direction, maxKeyText))
		}
		if seen[d.Direction] {
			c.fail(path+".direction", "%q repeated", d.Direction)
		}
		seen[d.Direction] = true
		d.SelectionCounts.check(c, path)
	}
	months := map[int]bool{}
	for i, m := range s.Months {
		path := fmt.Sprintf("selection.months[%d]", i)
		if m.Month < 1 || m.Month > 12 {
			c.fail(path+".month", "%d is not a month (1–12)", m.Month)
		}
		if months[m.Month] {
			c.fail(path+".month", "%d repeated", m.Month)
		}
		months[m.Month] = true
		m.SelectionCounts.check(c, path)
	}
	c.counts("selection.anomalies", s.Anomalies, maxCounts)
}

// chapterDirs returns the directions chapter may cover, or nil for an
// unknown chapter.
func chapterDirs(chapter string) []string {
	for _, c := range chapters {
		if c.name == chapter {
			return c.dirs
		}
	}
	return nil
}

// Provisional reports whether the year was not over when the figures were
// counted.
func (f *Figures) Provisional() bool { return f.GeneratedAt.Before(f.To) }

// normalize returns a copy of f in the report's canonical form: a row for
// every chapter and every direction of ch.6, every direction and month of
// selection, every rating, refusal and error category present, in order.
// It shares no slice with f. f must have passed Check.
func (f Figures) normalize() Figures {
	out := f
	out.Requests = make([]ChapterRequests, 0, len(chapters))
	for _, ch := range chapters {
		row := ChapterRequests{Chapter: ch.name}
		var src *ChapterRequests
		if i := slices.IndexFunc(f.Requests, func(c ChapterRequests) bool { return c.Chapter == ch.name }); i >= 0 {
			src = &f.Requests[i]
			row.Total = src.Total
		}
		// ch.4 has one direction: its row is the chapter's.
		if len(ch.dirs) > 1 {
			for _, d := range ch.dirs {
				dr := DirectionRequests{Direction: d}
				if src != nil {
					if j := slices.IndexFunc(src.Directions, func(x DirectionRequests) bool { return x.Direction == d }); j >= 0 {
						dr = src.Directions[j]
					}
				}
				row.Directions = append(row.Directions, dr)
			}
		}
		out.Requests = append(out.Requests, row)
	}
	out.RefusalReasons = ordered(f.RefusalReasons, reasons)
	out.RefusalNotes = slices.Clone(f.RefusalNotes)
	out.Selection.Directions = make([]DirectionSelection, 0, len(directions))
	for _, d := range directions {
		ds := DirectionSelection{Direction: d}
		if j := slices.IndexFunc(f.Selection.Directions, func(x DirectionSelection) bool { return x.Direction == d }); j >= 0 {
			ds = f.Selection.Directions[j]
		}
		out.Selection.Directions = append(out.Selection.Directions, ds)
	}
	out.Selection.Months = make([]MonthSelection, 12)
	for i := range out.Selection.Months {
		out.Selection.Months[i].Month = i + 1
	}
	for _, m := range f.Selection.Months {
		out.Selection.Months[m.Month-1] = m
	}
	out.Selection.Anomalies = sortedCounts(f.Selection.Anomalies)
	out.Provisions.ByRecipientKind = sortedCounts(f.Provisions.ByRecipientKind)
	out.Provisions.ByLegalBasis = sortedCounts(f.Provisions.ByLegalBasis)
	out.Provisions.ByRecipient = sortedCounts(f.Provisions.ByRecipient)
	out.Recommendations.ByRating = make([]RatingRow, 0, len(ratings)+len(f.Recommendations.ByRating))
	for _, r := range ratings {
		row := RatingRow{Rating: r}
		if i := slices.IndexFunc(f.Recommendations.ByRating, func(x RatingRow) bool { return x.Rating == r }); i >= 0 {
			row = f.Recommendations.ByRating[i]
		}
		out.Recommendations.ByRating = append(out.Recommendations.ByRating, row)
	}
	var rest []RatingRow
	for _, row := range f.Recommendations.ByRating {
		if !slices.Contains(ratings, row.Rating) {
			rest = append(rest, row)
		}
	}
	slices.SortFunc(rest, func(a, b RatingRow) int { return cmp.Compare(a.Rating, b.Rating) })
	out.Recommendations.ByRating = append(out.Recommendations.ByRating, rest...)
	out.Recommendations.Items = slices.Clone(f.Recommendations.Items)
	out.Errors.ByCategory = ordered(f.Errors.ByCategory, errorCategories)
	out.Errors.Items = slices.Clone(f.Errors.Items)
	out.Withheld = nil
	return out
}

// ordered returns cs with every key of order present (zero when missing),
// in that order, followed by any other keys in key order.
func ordered(cs []Count, order []string) []Count {
	out := make([]Count, 0, len(order)+len(cs))
	for _, k := range order {
		c := Count{Key: k}
		if i := slices.IndexFunc(cs, func(x Count) bool { return x.Key == k }); i >= 0 {
			c.N = cs[i].N
		}
		out = append(out, c)
	}
	var rest []Count
	for _, c := range cs {
		if !slices.Contains(order, c.Key) {
			rest = append(rest, c)
		}
	}
	slices.SortFunc(rest, func(a, b Count) int { return cmp.Compare(a.Key, b.Key) })
	return append(out, rest...)
}

// sortedCounts returns a copy of cs in key order.
func sortedCounts(cs []Count) []Count {
	out := slices.Clone(cs)
	slices.SortFunc(out, func(a, b Count) int { return cmp.Compare(a.Key, b.Key) })
	return out
}
