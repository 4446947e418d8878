package annualreport

import (
	"cmp"
	"fmt"
	"slices"
	"time"
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
	DirTransit  = "foreign-foreign"  // 外外
	DirInbound  = "foreign-domestic" // 外内
	DirOutbound = "domestic-foreign" // 内外
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

// directions lists every direction in the report's order.
var directions = []string{DirTransit, DirInbound, DirOutbound}

// Recommendation ratings: how far a recommendation was implemented, as the
// commission rates it (red: not implemented, amber: in part, green: in
// full), or unrated while the agency's answer is awaited.
const (
	RatingRed     = "red"
	RatingAmber   = "amber"
	RatingGreen   = "green"
	RatingUnrated = "unrated"
)

// ratings lists the ratings in the report's order.
var ratings = []string{RatingRed, RatingAmber, RatingGreen, RatingUnrated}

// Refusal-reason categories: why the commission refused a request.
const (
	ReasonNecessity = "necessity_proportionality" // not necessary, or not proportionate
	ReasonQuality   = "quality"                   // the application was incomplete or unclear
	ReasonScope     = "scope"                     // the scope asked for was too wide
	ReasonOther     = "other"
)

// reasons lists the refusal-reason categories in the report's order.
var reasons = []string{ReasonNecessity, ReasonQuality, ReasonScope, ReasonOther}

// Figures is every number the annual report shows for one year, and the
// detail the full report lists. A Source fills it; the report, not the
// source, decides what the public summary withholds ([Figures.Public]).
//
// Counts of requests are by when things happened in the year: Filed counts
// requests filed in the year, the outcomes count decisions made in the year
// (whenever the request was filed), Pending counts requests filed in the
// year and not decided by its end (or by GeneratedAt, for a year not yet
// over).
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
	// RefusalReasons counts the refusals decided in the year by
	// category (Reason… constants).
	RefusalReasons []Count `json:"refusal_reasons"`
	// RefusalNotes are the reasons the commission gave for each refusal.
	RefusalNotes []RefusalNote `json:"refusal_notes,omitempty"`
	// Agreements are the ch.3 agreements with operators.
	Agreements Agreements `json:"agreements"`
	// Selection is what automated selection saw, kept and deleted.
	Selection Selection `json:"selection"`
	// Provisions are the provisions of selected information (§23, §27).
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

// Count is a number of things of one kind: Key is a category (a rating, a
// legal basis, a recipient type …) or, for named breakdowns, a name.
type Count struct {
	Key string `json:"key"`
	N   int    `json:"n"`
}

// RequestCounts are the requests of one chapter or direction.
type RequestCounts struct {
	Filed            int `json:"filed"`
	Approved         int `json:"approved"`          // approved as filed
	ApprovedModified int `json:"approved_modified"` // approved with the scope narrowed or conditions added
	Refused          int `json:"refused"`
	Withdrawn        int `json:"withdrawn"`
	Pending          int `json:"pending"` // filed in the year, undecided at its end
	// MedianDecisionSeconds is the median time from filing to decision of
	// the requests decided in the year; 0 when none was.
	MedianDecisionSeconds int64 `json:"median_decision_seconds"`
}

// Decided is the number of decisions: approved, approved with
// modifications, or refused.
func (c RequestCounts) Decided() int { return c.Approved + c.ApprovedModified + c.Refused }

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

// RefusalNote is the reason given for one refusal.
type RefusalNote struct {
	RequestID string    `json:"request_id"`
	Chapter   string    `json:"chapter"`
	Category  string    `json:"category"`
	Reason    string    `json:"reason"`
	DecidedAt time.Time `json:"decided_at"`
}

// Agreements are the ch.3 agreements: concluded in the year, ended in the
// year, and in force at its end.
type Agreements struct {
	Concluded int `json:"concluded"`
	Ended     int `json:"ended"`
	InForce   int `json:"in_force"`
}

// SelectionCounts are what automated selection did, in packets: what it
// saw, what it kept as mechanical information, what it deleted at once;
// and the selected records it stored.
type SelectionCounts struct {
	Seen     int64 `json:"seen"`
	Selected int64 `json:"selected"`
	Deleted  int64 `json:"deleted"`
	Records  int64 `json:"records"`
}

// Selection is the year's automated selection: the runs uploaded, their
// totals, and the totals by direction and by month (Japan time).
type Selection struct {
	Runs       int                  `json:"runs"`
	Total      SelectionCounts      `json:"total"`
	Directions []DirectionSelection `json:"directions,omitempty"`
	Months     []MonthSelection     `json:"months,omitempty"`
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
// the year: by the kind of recipient (an agency kind such as "police"), by
// the legal basis ("§23", "§27" …), and by recipient organisation.
type Provisions struct {
	Total           int     `json:"total"`
	ByRecipientType []Count `json:"by_recipient_type"`
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
}

// Inspections are the commission's inspections: opened in the year,
// closed in the year, and the findings recorded in the year.
type Inspections struct {
	Opened   int `json:"opened"`
	Closed   int `json:"closed"`
	Findings int `json:"findings"`
}

// Recommendations are the recommendations issued in the year: by rating
// (Rating… constants) and one by one.
type Recommendations struct {
	Issued   int              `json:"issued"`
	ByRating []Count          `json:"by_rating"`
	Items    []Recommendation `json:"items,omitempty"`
}

// Recommendation is one recommendation as the full report lists it.
type Recommendation struct {
	ID        string    `json:"id"`
	Addressee string    `json:"addressee"` // the agency addressed
	Subject   string    `json:"subject"`
	Rating    string    `json:"rating"`
	IssuedAt  time.Time `json:"issued_at"`
}

// HandlingErrors are the errors in handling communications information
// reported in the year: how many, how many the commission classified as
// serious, for how many of those the affected persons were told, and one
// by one.
type HandlingErrors struct {
	Reported        int             `json:"reported"`
	Serious         int             `json:"serious"`
	PersonsNotified int             `json:"persons_notified"`
	Items           []HandlingError `json:"items,omitempty"`
}

// HandlingError is one handling error as the full report lists it.
type HandlingError struct {
	ID         string    `json:"id"`
	Agency     string    `json:"agency"`
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

func (e *FieldError) Error() string { return "figures: " + e.Field + ": " + e.Msg }

func fieldErr(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// Check reports the first thing wrong with f: a year out of range, bounds
// that are not the year's, a chapter or direction unknown or repeated, a
// negative count, a list or text over its limit.
func (f *Figures) Check() error {
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
	for i, c := range f.Requests {
		path := fmt.Sprintf("requests[%d]", i)
		dirs := chapterDirs(c.Chapter)
		if dirs == nil {
			return fieldErr(path+".chapter", "unknown chapter %q (want ch4 or ch6)", truncate(c.Chapter, maxKeyText))
		}
		if seen[c.Chapter] {
			return fieldErr(path+".chapter", "%q repeated", c.Chapter)
		}
		seen[c.Chapter] = true
		if err := c.Total.check(path + ".total"); err != nil {
			return err
		}
		seenDir := map[string]bool{}
		for j, d := range c.Directions {
			dpath := fmt.Sprintf("%s.directions[%d]", path, j)
			if !slices.Contains(dirs, d.Direction) {
				return fieldErr(dpath+".direction", "%q is not a direction of %s", truncate(d.Direction, maxKeyText), c.Chapter)
			}
			if seenDir[d.Direction] {
				return fieldErr(dpath+".direction", "%q repeated", d.Direction)
			}
			seenDir[d.Direction] = true
			if err := d.RequestCounts.check(dpath); err != nil {
				return err
			}
		}
	}
	if err := checkCounts("refusal_reasons", f.RefusalReasons); err != nil {
		return err
	}
	if len(f.RefusalNotes) > maxItems {
		return fieldErr("refusal_notes", "%d notes, more than %d", len(f.RefusalNotes), maxItems)
	}
	for i, n := range f.RefusalNotes {
		path := fmt.Sprintf("refusal_notes[%d]", i)
		if err := checkTexts(path, map[string]string{"request_id": n.RequestID, "chapter": n.Chapter, "category": n.Category}, maxKeyText); err != nil {
			return err
		}
		if len(n.Reason) > maxText {
			return fieldErr(path+".reason", "%d bytes, more than %d", len(n.Reason), maxText)
		}
	}
	a := f.Agreements
	if err := nonNegative("agreements", map[string]int64{"concluded": int64(a.Concluded), "ended": int64(a.Ended), "in_force": int64(a.InForce)}); err != nil {
		return err
	}
	if err := f.Selection.check(); err != nil {
		return err
	}
	p := f.Provisions
	if err := nonNegative("provisions", map[string]int64{"total": int64(p.Total)}); err != nil {
		return err
	}
	for name, cs := range map[string][]Count{"provisions.by_recipient_type": p.ByRecipientType, "provisions.by_legal_basis": p.ByLegalBasis} {
		if err := checkCounts(name, cs); err != nil {
			return err
		}
	}
	if len(p.ByRecipient) > maxItems {
		return fieldErr("provisions.by_recipient", "%d recipients, more than %d", len(p.ByRecipient), maxItems)
	}
	if err := checkCountsN("provisions.by_recipient", p.ByRecipient, maxItems); err != nil {
		return err
	}
	m := f.Measures
	if err := nonNegative("measures", map[string]int64{"prior_approved": int64(m.PriorApproved), "emergency": int64(m.Emergency),
		"post_notices_on_time": int64(m.PostNoticesOnTime), "post_notices_late": int64(m.PostNoticesLate)}); err != nil {
		return err
	}
	in := f.Inspections
	if err := nonNegative("inspections", map[string]int64{"opened": int64(in.Opened), "closed": int64(in.Closed), "findings": int64(in.Findings)}); err != nil {
		return err
	}
	r := f.Recommendations
	if err := nonNegative("recommendations", map[string]int64{"issued": int64(r.Issued)}); err != nil {
		return err
	}
	if err := checkCounts("recommendations.by_rating", r.ByRating); err != nil {
		return err
	}
	if len(r.Items) > maxItems {
		return fieldErr("recommendations.items", "%d items, more than %d", len(r.Items), maxItems)
	}
	for i, it := range r.Items {
		path := fmt.Sprintf("recommendations.items[%d]", i)
		if err := checkTexts(path, map[string]string{"id": it.ID, "addressee": it.Addressee, "rating": it.Rating}, maxKeyText); err != nil {
			return err
		}
		if len(it.Subject) > maxText {
			return fieldErr(path+".subject", "%d bytes, more than %d", len(it.Subject), maxText)
		}
	}
	e := f.Errors
	if err := nonNegative("errors", map[string]int64{"reported": int64(e.Reported), "serious": int64(e.Serious), "persons_notified": int64(e.PersonsNotified)}); err != nil {
		return err
	}
	if len(e.Items) > maxItems {
		return fieldErr("errors.items", "%d items, more than %d", len(e.Items), maxItems)
	}
	for i, it := range e.Items {
		path := fmt.Sprintf("errors.items[%d]", i)
		if err := checkTexts(path, map[string]string{"id": it.ID, "agency": it.Agency}, maxKeyText); err != nil {
			return err
		}
		if len(it.Summary) > maxText {
			return fieldErr(path+".summary", "%d bytes, more than %d", len(it.Summary), maxText)
		}
	}
	return nil
}

func (c RequestCounts) check(path string) error {
	return nonNegative(path, map[string]int64{"filed": int64(c.Filed), "approved": int64(c.Approved),
		"approved_modified": int64(c.ApprovedModified), "refused": int64(c.Refused), "withdrawn": int64(c.Withdrawn),
		"pending": int64(c.Pending), "median_decision_seconds": c.MedianDecisionSeconds})
}

func (c SelectionCounts) check(path string) error {
	return nonNegative(path, map[string]int64{"seen": c.Seen, "selected": c.Selected, "deleted": c.Deleted, "records": c.Records})
}

func (s *Selection) check() error {
	if s.Runs < 0 {
		return fieldErr("selection.runs", "negative (%d)", s.Runs)
	}
	if err := s.Total.check("selection.total"); err != nil {
		return err
	}
	seen := map[string]bool{}
	for i, d := range s.Directions {
		path := fmt.Sprintf("selection.directions[%d]", i)
		if !slices.Contains(directions, d.Direction) {
			return fieldErr(path+".direction", "unknown direction %q", truncate(d.Direction, maxKeyText))
		}
		if seen[d.Direction] {
			return fieldErr(path+".direction", "%q repeated", d.Direction)
		}
		seen[d.Direction] = true
		if err := d.SelectionCounts.check(path); err != nil {
			return err
		}
	}
	months := map[int]bool{}
	for i, m := range s.Months {
		path := fmt.Sprintf("selection.months[%d]", i)
		if m.Month < 1 || m.Month > 12 {
			return fieldErr(path+".month", "%d is not a month (1–12)", m.Month)
		}
		if months[m.Month] {
			return fieldErr(path+".month", "%d repeated", m.Month)
		}
		months[m.Month] = true
		if err := m.SelectionCounts.check(path); err != nil {
			return err
		}
	}
	return nil
}

// nonNegative checks that each named value under path is not negative, in
// the order of the names so that the error is always the same one.
func nonNegative(path string, vals map[string]int64) error {
	names := make([]string, 0, len(vals))
	for k := range vals {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		if vals[k] < 0 {
			return fieldErr(path+"."+k, "negative (%d)", vals[k])
		}
	}
	return nil
}

func checkTexts(path string, vals map[string]string, limit int) error {
	names := make([]string, 0, len(vals))
	for k := range vals {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		if len(vals[k]) > limit {
			return fieldErr(path+"."+k, "%d bytes, more than %d", len(vals[k]), limit)
		}
	}
	return nil
}

func checkCounts(path string, cs []Count) error { return checkCountsN(path, cs, maxCounts) }

func checkCountsN(path string, cs []Count, limit int) error {
	if len(cs) > limit {
		return fieldErr(path, "%d entries, more than %d", len(cs), limit)
	}
	seen := make(map[string]bool, len(cs))
	for i, c := range cs {
		p := fmt.Sprintf("%s[%d]", path, i)
		if c.Key == "" {
			return fieldErr(p+".key", "empty")
		}
		if len(c.Key) > maxKeyText {
			return fieldErr(p+".key", "%d bytes, more than %d", len(c.Key), maxKeyText)
		}
		if seen[c.Key] {
			return fieldErr(p+".key", "%q repeated", c.Key)
		}
		seen[c.Key] = true
		if c.N < 0 {
			return fieldErr(p+".n", "negative (%d)", c.N)
		}
	}
	return nil
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
// every chapter and every direction of ch.6, the directions and months in
// order, every rating and refusal category present. It shares no slice
// with f. f must have passed Check.
func (f Figures) normalize() Figures {
	out := f
	out.Requests = make([]ChapterRequests, 0, len(chapters))
	for _, ch := range chapters {
		row := ChapterRequests{Chapter: ch.name}
		if i := slices.IndexFunc(f.Requests, func(c ChapterRequests) bool { return c.Chapter == ch.name }); i >= 0 {
			row.Total = f.Requests[i].Total
			if ch.name == ChapterTransit {
				// ch.4 has one direction: its row is the total.
				row.Directions = nil
			} else {
				for _, d := range ch.dirs {
					dr := DirectionRequests{Direction: d}
					if j := slices.IndexFunc(f.Requests[i].Directions, func(x DirectionRequests) bool { return x.Direction == d }); j >= 0 {
						dr = f.Requests[i].Directions[j]
					}
					row.Directions = append(row.Directions, dr)
				}
			}
		} else if ch.name != ChapterTransit {
			for _, d := range ch.dirs {
				row.Directions = append(row.Directions, DirectionRequests{Direction: d})
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
	out.Provisions.ByRecipientType = sortedCounts(f.Provisions.ByRecipientType)
	out.Provisions.ByLegalBasis = sortedCounts(f.Provisions.ByLegalBasis)
	out.Provisions.ByRecipient = sortedCounts(f.Provisions.ByRecipient)
	out.Recommendations.ByRating = ordered(f.Recommendations.ByRating, ratings)
	out.Recommendations.Items = slices.Clone(f.Recommendations.Items)
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

// count returns the count of key in cs, 0 when absent.
func count(cs []Count, key string) int {
	for _, c := range cs {
		if c.Key == key {
			return c.N
		}
	}
	return 0
}
