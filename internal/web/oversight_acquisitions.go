package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/oversight"
)

// Acquisition requests (ch.4, ch.6) and the commission's decisions on
// them: the Cabinet Office files and withdraws requests; on a request's
// page the commission's chair and members move a motion, each votes once
// with reasons, and the chair closes the motion, which counts the votes
// under the quorum rule. /commission is the queue of pending requests.

var (
	acquisitionStates = []oversight.AcquisitionState{oversight.AcquisitionPending, oversight.AcquisitionApproved, oversight.AcquisitionRefused, oversight.AcquisitionWithdrawn}
	chapters          = []oversight.Chapter{oversight.ChapterTransit, oversight.ChapterForeign}
	motionKinds       = []oversight.MotionKind{oversight.MotionApprove, oversight.MotionApproveNarrowed, oversight.MotionRefuse}
	voteChoices       = []oversight.VoteChoice{oversight.VoteYes, oversight.VoteNo, oversight.VoteAbstain}
)

type acquisitionsData struct {
	N        names
	Requests []oversight.Acquisition
	State    string
	Chapter  string
	States   []oversight.AcquisitionState
	Chapters []oversight.Chapter
	Err      fieldErr
}

func (s *Site) acquisitions(w http.ResponseWriter, r *http.Request) error {
	n, err := s.names(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	d := acquisitionsData{N: n, State: q.Get("state"), Chapter: q.Get("chapter"), States: acquisitionStates, Chapters: chapters}
	switch {
	case d.State != "" && !slices.Contains(acquisitionStates, oversight.AcquisitionState(d.State)):
		d.Err = fieldErr{"state", strconv.Quote(d.State) + ": unknown state"}
	case d.Chapter != "" && !slices.Contains(chapters, oversight.Chapter(d.Chapter)):
		d.Err = fieldErr{"chapter", strconv.Quote(d.Chapter) + ": want ch4 or ch6"}
	}
	if d.Err.Field != "" {
		return s.render(w, r, http.StatusBadRequest, "acquisitions", "acquisitions.title", d, "", s.t(r, "form.invalid"))
	}
	d.Requests, err = s.cfg.Oversight.Acquisitions(r.Context(), principal(r), oversight.AcquisitionFilter{
		State: oversight.AcquisitionState(d.State), Chapter: oversight.Chapter(d.Chapter)})
	if err != nil {
		return oversightPageError(err)
	}
	return s.render(w, r, http.StatusOK, "acquisitions", "acquisitions.title", d)
}

// acquisitionForm is the filing form as typed.
type acquisitionForm struct {
	Chapter, Facilities, Addresses, ASNs, Suspicion, OtherMeans, ValidFrom, ValidUntil string
	Directions                                                                         checked
	Kept                                                                               keptFile
	Err                                                                                fieldErr
}

func readAcquisitionForm(r *http.Request) acquisitionForm {
	v := r.PostFormValue
	return acquisitionForm{Chapter: v("chapter"), Facilities: v("facilities"), Addresses: v("addresses"), ASNs: v("asns"),
		Suspicion: v("suspicion"), OtherMeans: v("other_means"), ValidFrom: v("valid_from"), ValidUntil: v("valid_until"),
		Directions: r.PostForm["directions"]}
}

// acquisitionLines are the numbered lines the lists of a filing came from,
// for error messages.
type acquisitionLines struct {
	facilities, addresses, asns []numberedLine
}

// input builds the service's input from the form.
func (f acquisitionForm) input(crit []byte) (oversight.AcquisitionInput, acquisitionLines, error) {
	var ls acquisitionLines
	ls.facilities, ls.addresses = lines(f.Facilities), lines(f.Addresses)
	in := oversight.AcquisitionInput{Chapter: oversight.Chapter(f.Chapter), Suspicion: strings.TrimSpace(f.Suspicion),
		OtherMeans: strings.TrimSpace(f.OtherMeans), Directions: f.Directions, Criteria: string(crit),
		Target: oversight.Target{Facilities: texts(ls.facilities), Addresses: texts(ls.addresses)}}
	var err error
	if in.Target.ASNs, ls.asns, err = parseASNs(f.ASNs); err != nil {
		return in, ls, err
	}
	for _, t := range []struct {
		field, v string
		dst      *time.Time
	}{{"valid_from", f.ValidFrom, &in.ValidFrom}, {"valid_until", f.ValidUntil, &in.ValidUntil}} {
		if strings.TrimSpace(t.v) == "" {
			continue
		}
		v, err := parseLocal(t.v)
		if err != nil {
			return in, ls, &oversight.FieldError{Field: t.field, Msg: err.Error()}
		}
		*t.dst = v
	}
	return in, ls, nil
}

// acquisitionFields maps the service's field names to the form's.
func (s *Site) acquisitionFields(r *http.Request, ls acquisitionLines) func(string) (string, string) {
	return func(f string) (string, string) {
		switch {
		case strings.HasPrefix(f, "target.facilities"):
			return "facilities", s.lineOf(r, ls.facilities, strings.TrimPrefix(f, "target."))
		case strings.HasPrefix(f, "target.addresses") || f == "target":
			return "addresses", s.lineOf(r, ls.addresses, strings.TrimPrefix(f, "target."))
		case strings.HasPrefix(f, "target.asns"):
			return "asns", s.lineOf(r, ls.asns, strings.TrimPrefix(f, "target."))
		case strings.HasPrefix(f, "directions"):
			return "directions", ""
		case f == "criteria":
			return "criteria_file", ""
		}
		return f, ""
	}
}

type acquisitionNewData struct {
	Form        acquisitionForm
	Chapters    []oversight.Chapter
	Directions  []string
	MaxCriteria int
}

func (s *Site) acquisitionNewPage(w http.ResponseWriter, r *http.Request, status int, f acquisitionForm, msg ...string) error {
	return s.render(w, r, status, "acquisition_new", "acquisitions.new", acquisitionNewData{Form: f, Chapters: chapters,
		Directions: allDirections, MaxCriteria: s.formCriteriaLimit()}, msg...)
}

func (s *Site) acquisitionNew(w http.ResponseWriter, r *http.Request) error {
	return s.acquisitionNewPage(w, r, http.StatusOK, acquisitionForm{Chapter: string(oversight.ChapterForeign)})
}

func (s *Site) acquisitionFile(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	f := readAcquisitionForm(r)
	crit, name, err := criteriaUpload(r, s.formCriteriaLimit())
	if err != nil {
		f.Err = fieldErr{"criteria_file", err.Error()}
		return s.acquisitionNewPage(w, r, http.StatusBadRequest, f, "", s.t(r, "form.invalid"))
	}
	f.Kept = keep(name, crit)
	in, ls, err := f.input(crit)
	var a oversight.Acquisition
	if err == nil {
		a, err = s.cfg.Oversight.FileAcquisition(r.Context(), principal(r), in)
	}
	if err != nil {
		fail, ok := s.oversightFailed(r, err, s.acquisitionFields(r, ls))
		if !ok {
			return oversightPageError(err)
		}
		f.Err = fail.field
		return s.acquisitionNewPage(w, r, fail.status, f, "", fail.msg)
	}
	http.Redirect(w, r, "/acquisitions/"+a.ID+"?done=filed", http.StatusSeeOther)
	return nil
}

// motionForm is the form that moves a motion, as typed.
type motionForm struct {
	Kind, Statement string
	// The narrowing of approve_narrowed.
	ValidFrom, ValidUntil string
	RemoveDirections      checked
	RemoveRules           string
	// Reasons of refuse, by category.
	Reasons map[string]string
	Err     fieldErr
}

// Reason returns the typed reason of category c.
func (f motionForm) Reason(c oversight.ReasonCategory) string { return f.Reasons[string(c)] }

func readMotionForm(r *http.Request) motionForm {
	v := r.PostFormValue
	f := motionForm{Kind: v("kind"), Statement: v("statement"), ValidFrom: v("valid_from"), ValidUntil: v("valid_until"),
		RemoveDirections: r.PostForm["remove_directions"], RemoveRules: v("remove_rules"), Reasons: map[string]string{}}
	for _, c := range oversight.ReasonCategories {
		f.Reasons[string(c)] = v("reason_" + string(c))
	}
	return f
}

// input builds the motion from the form: the narrowing only for
// approve_narrowed and the reasons only for refuse, whatever else the form
// holds. rules are the lines the rule ids came from and cats the category
// of each reason, for error messages.
func (f motionForm) input() (in oversight.MotionInput, rules []numberedLine, cats []oversight.ReasonCategory, err error) {
	in = oversight.MotionInput{Kind: oversight.MotionKind(f.Kind), Statement: strings.TrimSpace(f.Statement)}
	switch in.Kind {
	case oversight.MotionApproveNarrowed:
		rules = lines(f.RemoveRules)
		n := &oversight.Narrowing{RemoveDirections: f.RemoveDirections, RemoveRules: texts(rules)}
		for _, t := range []struct {
			field, v string
			dst      *time.Time
		}{{"valid_from", f.ValidFrom, &n.ValidFrom}, {"valid_until", f.ValidUntil, &n.ValidUntil}} {
			if strings.TrimSpace(t.v) == "" {
				continue
			}
			v, err := parseLocal(t.v)
			if err != nil {
				return in, rules, cats, &oversight.FieldError{Field: "narrowing." + t.field, Msg: err.Error()}
			}
			*t.dst = v
		}
		in.Narrowing = n
	case oversight.MotionRefuse:
		for _, c := range oversight.ReasonCategories {
			if text := strings.TrimSpace(f.Reasons[string(c)]); text != "" {
				in.Reasons = append(in.Reasons, oversight.Reason{Category: c, Text: text})
				cats = append(cats, c)
			}
		}
	}
	return in, rules, cats, nil
}

// motionFields maps the service's field names to the motion form's.
func (s *Site) motionFields(r *http.Request, rules []numberedLine, cats []oversight.ReasonCategory) func(string) (string, string) {
	return func(f string) (string, string) {
		switch {
		case f == "narrowing.valid_from", f == "narrowing.valid_until":
			return strings.TrimPrefix(f, "narrowing."), ""
		case strings.HasPrefix(f, "narrowing.remove_directions"):
			return "remove_directions", ""
		case strings.HasPrefix(f, "narrowing.remove_rules"):
			return "remove_rules", s.lineOf(r, rules, strings.TrimPrefix(f, "narrowing."))
		case strings.HasPrefix(f, "narrowing"):
			return "narrowing", ""
		case strings.HasPrefix(f, "reasons["):
			if m := listIndex.FindStringSubmatch(f); m != nil {
				if i, err := strconv.Atoi(m[2]); err == nil && i < len(cats) {
					return "reason_" + string(cats[i]), ""
				}
			}
			return "reasons", ""
		}
		return f, ""
	}
}

// voteForm is a vote as typed.
type voteForm struct {
	Vote, Reasons string
	Err           fieldErr
}

// motionView is a motion as a request's page shows it.
type motionView struct {
	oversight.Motion
	// Crit summarises the narrowed criteria file of approve_narrowed.
	Crit *critSummary
	// Yes, No and Abstain count the votes cast so far.
	Yes, No, Abstain int
	// Mine is the viewer's vote, if any.
	Mine *oversight.Vote
}

type acquisitionData struct {
	N       names
	A       oversight.Acquisition
	Crit    *critSummary
	Motions []motionView
	// Open is the open motion, if any (also in Motions).
	Open *motionView
	// Waiting is how long a pending request has waited.
	Waiting                                 string
	CanWithdraw, CanMove, CanVote, CanClose bool
	Kinds                                   []oversight.MotionKind
	Categories                              []oversight.ReasonCategory
	Choices                                 []oversight.VoteChoice
	Quorum                                  oversight.Quorum
	Move                                    motionForm
	Vote                                    voteForm
	Withdraw                                reasonForm
}

// acquisitionPage renders request id; d carries the forms as typed.
func (s *Site) acquisitionPage(w http.ResponseWriter, r *http.Request, status int, d acquisitionData, msg ...string) error {
	p, id := principal(r), r.PathValue("id")
	ctx := r.Context()
	a, err := s.cfg.Oversight.Acquisition(ctx, p, id)
	if err != nil {
		return oversightPageError(err)
	}
	if d.N, err = s.names(r); err != nil {
		return err
	}
	crit, err := s.cfg.Oversight.AcquisitionCriteria(ctx, p, id)
	if err != nil {
		return oversightPageError(err)
	}
	d.A, d.Crit = a, summarize(r, crit)
	d.Kinds, d.Categories, d.Choices, d.Quorum = motionKinds, oversight.ReasonCategories, voteChoices, s.cfg.Oversight.Quorum()
	for _, m := range a.Motions {
		v := motionView{Motion: m}
		if m.Kind == oversight.MotionApproveNarrowed {
			b, err := s.cfg.Oversight.MotionCriteria(ctx, p, m.ID)
			if err != nil {
				return oversightPageError(err)
			}
			v.Crit = summarize(r, b)
		}
		for i, vt := range m.Votes {
			switch vt.Vote {
			case oversight.VoteYes:
				v.Yes++
			case oversight.VoteNo:
				v.No++
			case oversight.VoteAbstain:
				v.Abstain++
			}
			if vt.UserID == p.UserID {
				v.Mine = &m.Votes[i]
			}
		}
		d.Motions = append(d.Motions, v)
	}
	for i := range d.Motions {
		if d.Motions[i].State == oversight.MotionOpen {
			d.Open = &d.Motions[i]
		}
	}
	pending := a.State == oversight.AcquisitionPending
	if pending {
		d.Waiting = s.elapsed(r, s.cfg.Now().Sub(a.FiledAt))
	}
	d.CanWithdraw = pending && s.cfg.Policy.Allow(p, auth.AcquisitionFile)
	d.CanMove = pending && d.Open == nil && s.cfg.Policy.Allow(p, auth.CommissionVote)
	d.CanVote = d.Open != nil && d.Open.Mine == nil && s.cfg.Policy.Allow(p, auth.CommissionVote)
	d.CanClose = d.Open != nil && s.cfg.Policy.Allow(p, auth.CommissionDecide)
	if d.Move.Kind == "" {
		d.Move.Kind = string(oversight.MotionApprove)
	}
	if done := r.URL.Query().Get("done"); len(msg) == 0 && done != "" {
		switch done {
		case "filed", "withdrawn", "moved", "voted", "closed":
			msg = []string{s.t(r, "acquisition.done."+done)}
		}
	}
	return s.render(w, r, status, "acquisition", "acquisition.title", d, msg...)
}

func (s *Site) acquisition(w http.ResponseWriter, r *http.Request) error {
	return s.acquisitionPage(w, r, http.StatusOK, acquisitionData{})
}

func (s *Site) acquisitionCriteria(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	b, err := s.cfg.Oversight.AcquisitionCriteria(r.Context(), principal(r), id)
	if err != nil {
		return oversightPageError(err)
	}
	return writeExact(w, id+".criteria.json", b)
}

func (s *Site) acquisitionWithdraw(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	id := r.PathValue("id")
	f := reasonForm{Reason: r.PostFormValue("reason")}
	if _, err := s.cfg.Oversight.WithdrawAcquisition(r.Context(), principal(r), id, strings.TrimSpace(f.Reason)); err != nil {
		fail, ok := s.oversightFailed(r, err, nil)
		if !ok {
			return oversightPageError(err)
		}
		f.Err = fail.field
		return s.acquisitionPage(w, r, fail.status, acquisitionData{Withdraw: f}, "", fail.msg)
	}
	http.Redirect(w, r, "/acquisitions/"+id+"?done=withdrawn", http.StatusSeeOther)
	return nil
}

func (s *Site) motionMove(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	id := r.PathValue("id")
	f := readMotionForm(r)
	in, rules, cats, err := f.input()
	if err == nil {
		_, err = s.cfg.Oversight.MoveMotion(r.Context(), principal(r), id, in)
	}
	if err != nil {
		fail, ok := s.oversightFailed(r, err, s.motionFields(r, rules, cats))
		if !ok {
			return oversightPageError(err)
		}
		f.Err = fail.field
		return s.acquisitionPage(w, r, fail.status, acquisitionData{Move: f}, "", fail.msg)
	}
	http.Redirect(w, r, "/acquisitions/"+id+"?done=moved#motions", http.StatusSeeOther)
	return nil
}

// motionRequest returns the request a motion is on, for the page that
// shows a refusal; the motion must be visible to p.
func (s *Site) motionRequest(r *http.Request) (string, error) {
	m, err := s.cfg.Oversight.Motion(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return "", oversightPageError(err)
	}
	r.SetPathValue("id", m.RequestID)
	return m.RequestID, nil
}

func (s *Site) motionVote(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	mid := r.PathValue("id")
	f := voteForm{Vote: r.PostFormValue("vote"), Reasons: r.PostFormValue("reasons")}
	_, err := s.cfg.Oversight.CastVote(r.Context(), principal(r), mid, oversight.VoteInput{Vote: oversight.VoteChoice(f.Vote), Reasons: f.Reasons})
	reqID, rerr := s.motionRequest(r)
	if rerr != nil {
		return rerr
	}
	if err != nil {
		fail, ok := s.oversightFailed(r, err, nil)
		if !ok {
			return oversightPageError(err)
		}
		f.Err = fail.field
		return s.acquisitionPage(w, r, fail.status, acquisitionData{Vote: f}, "", fail.msg)
	}
	http.Redirect(w, r, "/acquisitions/"+reqID+"?done=voted#motions", http.StatusSeeOther)
	return nil
}

func (s *Site) motionClose(w http.ResponseWriter, r *http.Request) error {
	_, err := s.cfg.Oversight.CloseMotion(r.Context(), principal(r), r.PathValue("id"))
	reqID, rerr := s.motionRequest(r)
	if rerr != nil {
		return rerr
	}
	if err != nil {
		fail, ok := s.oversightFailed(r, err, nil)
		if !ok {
			return oversightPageError(err)
		}
		return s.acquisitionPage(w, r, fail.status, acquisitionData{}, "", fail.msg)
	}
	http.Redirect(w, r, "/acquisitions/"+reqID+"?done=closed#motions", http.StatusSeeOther)
	return nil
}

func (s *Site) motionCriteria(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	b, err := s.cfg.Oversight.MotionCriteria(r.Context(), principal(r), id)
	if err != nil {
		return oversightPageError(err)
	}
	return writeExact(w, id+".criteria.json", b)
}

// queueRow is a pending request in the commission's queue.
type queueRow struct {
	oversight.QueueItem
	// Waiting is how long it has waited, in words.
	Waiting string
	// Votes counts the open motion's votes; Mine is the viewer's vote.
	Votes int
	Mine  *oversight.Vote
}

type commissionData struct {
	N      names
	Rows   []queueRow
	Quorum oversight.Quorum
}

func (s *Site) commissionQueue(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	n, err := s.names(r)
	if err != nil {
		return err
	}
	items, err := s.cfg.Oversight.Queue(r.Context(), p)
	if err != nil {
		return oversightPageError(err)
	}
	d := commissionData{N: n, Quorum: s.cfg.Oversight.Quorum()}
	for _, it := range items {
		row := queueRow{QueueItem: it, Waiting: s.elapsed(r, time.Duration(it.WaitingSeconds)*time.Second)}
		if m := it.OpenMotion; m != nil {
			row.Votes = len(m.Votes)
			for i, v := range m.Votes {
				if v.UserID == p.UserID {
					row.Mine = &m.Votes[i]
				}
			}
		}
		d.Rows = append(d.Rows, row)
	}
	return s.render(w, r, http.StatusOK, "commission", "commission.title", d)
}
