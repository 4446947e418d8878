package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/blocklist"
	"github.com/acd-platform/acd/internal/measures"
	"github.com/acd-platform/acd/internal/oversight"
)

// A measure case's page: what the officer proposes, the gate panel, the
// record of each step, and the forms of the next steps that the viewer's
// role and the case's state allow. Each form posts to its own route; a
// refused step shows the page again with the form as typed and the
// refusal's message where the other pages show errors.

// msrMotion is a motion as a case's page shows it.
type msrMotion struct {
	measures.Motion
	// Yes, No and Abstain count the votes cast so far.
	Yes, No, Abstain int
	// Mine is the viewer's vote, if any.
	Mine *oversight.Vote
}

// caseCan says which forms of a case's page the viewer gets. The service
// decides; these only keep a page from offering what the viewer's role
// or the case's state never allows.
type caseCan struct {
	Location, Consult, Answer, Emergency, PostNotice, Review, Command, NPSC, SDFOrder bool
	// Approval: the form asking the commission's approval, posting to
	// ApprovalAction (the officer's route or the commander's).
	Approval                             bool
	ApprovalAction                       string
	Move, Vote, Close                    bool
	Orders, Execute, CloseCase, Withdraw bool
	Blocklist                            bool
	ReadRecommendation, ReadBlocklist    bool
}

type measureCaseData struct {
	N      names
	C      measures.Case
	Gates  []gateView
	Orders []measures.Order
	// Foreign: the target is recorded as not in Japan.
	Foreign bool
	Motions []msrMotion
	// Open is the open motion, if any (also in Motions).
	Open   *msrMotion
	Quorum oversight.Quorum
	Can    caseCan
	Acts   acts
	// Blocklisted counts the blocklist entries that reference the case.
	Blocklisted int
	// NowLocal is now in Japan time, for the forms' default times.
	NowLocal string
	// StepRows are the execution form's step rows.
	StepRows []stepRow

	Kinds            []measures.MeasureKind
	ExecKinds        []measures.MeasureKind
	StepKinds        []measures.StepKind
	Results          []measures.ExecutionResult
	Methods          []measures.DeliveryMethod
	Responses        []measures.OrderResponse
	MOFAResponses    []measures.ConsultationResponse
	NPSCKinds        []measures.NPSCKind
	Outcomes         []measures.ReviewOutcome
	Ratings          []string
	ComputerCats     []string
	MotionKinds      []string
	ReasonCategories []oversight.ReasonCategory
	Choices          []oversight.VoteChoice
}

// stepRow is a row of the execution form's steps: I from 0, N from 1.
type stepRow struct{ I, N int }

// stepRows is how many step rows the execution form has; a measure of
// more steps is recorded as several executions.
const stepRows = 5

// reviewRatings are the ratings of a recommendation answering a
// post-notification.
var reviewRatings = []string{"red", "amber", "green"}

// inChain reports whether p commands case c's chain: on the police path a
// commander of the officer's organisation (the NPA Commissioner General
// or the prefectural chief), on the SDF paths the Minister of Defense.
func inChain(p *auth.Principal, c *measures.Case) bool {
	if !p.Has(auth.RoleCommander) {
		return false
	}
	if c.Path.SDF() {
		return p.OrgKind == auth.OrgMOD
	}
	return p.OrgID == c.OfficerOrgID
}

// consultsFor reports whether p consults MOFA for case c: the NPA
// Commissioner General for the police path, the Minister of Defense for
// the SDF paths.
func consultsFor(p *auth.Principal, c *measures.Case) bool {
	if !p.Has(auth.RoleCommander) {
		return false
	}
	if c.Path.SDF() {
		return p.OrgKind == auth.OrgMOD
	}
	return p.OrgKind == auth.OrgPolice && p.Police == auth.PoliceNational
}

func (s *Site) measureCasePage(w http.ResponseWriter, r *http.Request, status int, a acts, msg ...string) error {
	p, id := principal(r), r.PathValue("id")
	ctx := r.Context()
	c, err := s.cfg.Measures.Case(ctx, p, id)
	if err != nil {
		return msrPageError(err)
	}
	n, err := s.names(r)
	if err != nil {
		return err
	}
	d := measureCaseData{N: n, C: c, Gates: gateViews(c.Gates, langOf(r)), Acts: a, Quorum: s.cfg.Measures.Quorum(),
		Foreign: c.Location != nil && !c.Location.InJapan, NowLocal: localValue(s.cfg.Now()),
		Kinds: measures.MeasureKinds, ExecKinds: executionKinds, StepKinds: stepKinds, Results: executionResults,
		Methods: deliveryMethods, Responses: orderResponses, MOFAResponses: mofaResponses, NPSCKinds: npscKinds,
		Outcomes: reviewOutcomes, Ratings: reviewRatings, ComputerCats: computerCategories, MotionKinds: measureMotionKinds,
		ReasonCategories: oversight.ReasonCategories, Choices: voteChoices}
	for i := range stepRows {
		d.StepRows = append(d.StepRows, stepRow{I: i, N: i + 1})
	}
	for _, os := range c.Orders {
		o, err := s.cfg.Measures.Order(ctx, p, os.ID)
		if err != nil {
			return msrPageError(err)
		}
		d.Orders = append(d.Orders, o)
	}
	for _, m := range c.Motions {
		v := msrMotion{Motion: m}
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
	d.Can = s.caseCan(p, &c, d.Open)
	if d.Can.ReadBlocklist {
		es, err := s.cfg.Blocklist.Entries(ctx, p, blocklist.Filter{CaseRef: c.ID, Active: true, Limit: blocklist.MaxList})
		if err != nil {
			return msrPageError(err)
		}
		d.Blocklisted = len(es)
	}
	if done := r.URL.Query().Get("done"); len(msg) == 0 && done != "" {
		switch done {
		case "opened", "location", "consultation", "answered", "approval", "moved", "voted", "closed_motion", "emergency",
			"post_notice", "reviewed", "command", "npsc", "sdf_order", "order", "delivery", "response", "execution", "closed",
			"withdrawn":
			msg = []string{s.t(r, "measure.done."+done)}
		case "blocklist":
			q := r.URL.Query()
			added, _ := strconv.Atoi(q.Get("added"))
			skipped, _ := strconv.Atoi(q.Get("skipped"))
			msg = []string{s.t(r, "measure.done.blocklist", added, skipped)}
		}
	}
	return s.render(w, r, status, "measure", "measure.title", d, msg...)
}

// caseCan decides which forms p gets on case c, whose open motion is
// open (nil for none).
func (s *Site) caseCan(p *auth.Principal, c *measures.Case, open *msrMotion) caseCan {
	allow := func(a auth.Action) bool { return s.cfg.Policy.Allow(p, a) }
	final := c.State.Final()
	own := allow(auth.MeasureWrite) && c.OfficerUserID == p.UserID && !final
	foreign := c.Location != nil && !c.Location.InJapan
	pending := c.Approval != nil && c.Approval.State == measures.ApprovalPending
	taken := c.OrdersIssued > 0 || len(c.Executions) > 0
	var can caseCan
	// The location is recorded again only until approval is asked or an
	// emergency declared (the service then keeps it as it was).
	can.Location = own && c.State == measures.StateOpen && (c.Location == nil || c.Approval == nil && c.Emergency == nil)
	can.Consult = !final && foreign && c.Consultation == nil && allow(auth.MeasureCommand) && consultsFor(p, c)
	can.Answer = !final && c.Consultation != nil && !c.Consultation.Answered() && allow(auth.ConsultationAnswer)
	if !final && c.Emergency == nil && (c.Approval == nil || c.Approval.State == measures.ApprovalWithdrawn) {
		switch {
		case !c.Path.SDF() && own:
			can.Approval, can.ApprovalAction = true, "/measures/"+c.ID+"/approval"
		case c.Path.SDF() && allow(auth.MeasureCommand) && p.OrgKind == auth.OrgMOD:
			can.Approval, can.ApprovalAction = true, "/measures/"+c.ID+"/approval/by-commander"
		}
	}
	vote := allow(auth.CommissionVote)
	can.Move = vote && !final && pending && open == nil
	can.Vote = vote && open != nil && open.Mine == nil
	can.Close = open != nil && allow(auth.CommissionDecide)
	can.Emergency = own && c.Emergency == nil && (c.Approval == nil || c.Approval.State == measures.ApprovalPending ||
		c.Approval.State == measures.ApprovalWithdrawn)
	can.PostNotice = own && c.Emergency != nil && c.PostNotice == nil
	can.Review = allow(auth.PostNoticeReview) && c.PostNotice != nil && c.PostNotice.Review == nil
	can.Command = !final && allow(auth.MeasureCommand) && inChain(p, c)
	can.NPSC = !final && c.Path == measures.PathSDFProtection && c.SDFOrder == nil && allow(auth.SDFOrderNPSC)
	can.SDFOrder = !final && c.Path == measures.PathSDFProtection && c.SDFOrder == nil && allow(auth.SDFOrderIssue)
	can.Orders = own && slices.Contains(c.Proposed, measures.KindOrderAdmin)
	can.Execute = own && slices.ContainsFunc(c.Proposed, func(k measures.MeasureKind) bool { return k != measures.KindOrderAdmin })
	can.CloseCase = own && taken
	can.Withdraw = own && c.State == measures.StateOpen && !taken
	can.ReadBlocklist = s.cfg.Blocklist != nil && allow(auth.BlocklistRead)
	can.Blocklist = s.cfg.Blocklist != nil && allow(auth.BlocklistWrite) &&
		(c.State == measures.StateExecuting || c.State == measures.StateClosed)
	can.ReadRecommendation = allow(auth.RecommendationRead)
	return can
}

func (s *Site) measureCase(w http.ResponseWriter, r *http.Request) error {
	return s.measureCasePage(w, r, http.StatusOK, acts{})
}

// caseStep runs act for the form named form of case r's {id} and shows
// the outcome: the case's page at anchor with the done message, or the
// page again with the form as typed and its error. fields maps the
// service's field names to the form's (nil: as they are).
func (s *Site) caseStep(w http.ResponseWriter, r *http.Request, form, done, anchor string,
	fields func(string) (string, string), act func(ctx context.Context, p *auth.Principal, id string) error) error {
	if err := parseForm(r); err != nil {
		return err
	}
	a := formActs(r, form)
	if err := act(r.Context(), principal(r), r.PathValue("id")); err != nil {
		fail, ok := s.msrFailed(w, r, err, fields)
		if !ok {
			return msrPageError(err)
		}
		a.Err = fail.field
		return s.measureCasePage(w, r, fail.status, a, "", fail.msg)
	}
	http.Redirect(w, r, "/measures/"+r.PathValue("id")+"?done="+done+"#"+anchor, http.StatusSeeOther)
	return nil
}

// localTime reads the datetime-local field name as Japan time; "" is
// the zero time, or an error when required.
func localTime(r *http.Request, name string, required bool) (time.Time, error) {
	v := trimmed(r, name)
	if v == "" {
		if required {
			return time.Time{}, &measures.FieldError{Field: name, Msg: "required"}
		}
		return time.Time{}, nil
	}
	t, err := parseLocal(v)
	if err != nil {
		return time.Time{}, &measures.FieldError{Field: name, Msg: err.Error()}
	}
	return t, nil
}

// prefixFields maps a service field "prefix.name" to the form's field
// name, and every other field to itself.
func prefixFields(prefix string) func(string) (string, string) {
	return func(f string) (string, string) {
		if rest, ok := strings.CutPrefix(f, prefix+"."); ok {
			return rest, ""
		}
		return f, ""
	}
}

func (s *Site) measureLocation(w http.ResponseWriter, r *http.Request) error {
	return s.caseStep(w, r, "location", "location", "gates", prefixFields("evidence"), func(ctx context.Context, p *auth.Principal, id string) error {
		in := measures.LocationInput{Evidence: measures.LocationEvidence{Geolocation: trimmed(r, "geolocation"),
			HostingCountry: trimmed(r, "hosting_country"), Other: trimmed(r, "other")}}
		switch r.PostFormValue("in_japan") {
		case "yes":
			in.InJapan = true
		case "no":
		default:
			return &measures.FieldError{Field: "in_japan", Msg: "required: in Japan or not"}
		}
		_, err := s.cfg.Measures.RecordLocation(ctx, p, id, in)
		return err
	})
}

func (s *Site) measureConsult(w http.ResponseWriter, r *http.Request) error {
	return s.caseStep(w, r, "consult", "consultation", "mofa", nil, func(ctx context.Context, p *auth.Principal, id string) error {
		_, err := s.cfg.Measures.RequestConsultation(ctx, p, id, trimmed(r, "text"))
		return err
	})
}

func (s *Site) measureAnswer(w http.ResponseWriter, r *http.Request) error {
	return s.caseStep(w, r, "answer", "answered", "mofa", nil, func(ctx context.Context, p *auth.Principal, id string) error {
		_, err := s.cfg.Measures.AnswerConsultation(ctx, p, id, measures.ConsultationAnswer{
			Response: measures.ConsultationResponse(r.PostFormValue("response")), Text: trimmed(r, "text")})
		return err
	})
}

func (s *Site) measureApproval(w http.ResponseWriter, r *http.Request) error {
	return s.caseStep(w, r, "approval", "approval", "commission", nil, func(ctx context.Context, p *auth.Principal, id string) error {
		_, err := s.cfg.Measures.RequestApproval(ctx, p, id, trimmed(r, "statement"))
		return err
	})
}

func (s *Site) measureMotion(w http.ResponseWriter, r *http.Request) error {
	var cats []oversight.ReasonCategory
	fields := func(f string) (string, string) { return s.motionFields(r, nil, cats)(f) }
	return s.caseStep(w, r, "move", "moved", "commission", fields, func(ctx context.Context, p *auth.Principal, id string) error {
		in := measures.MotionInput{Kind: oversight.MotionKind(r.PostFormValue("kind")), Statement: trimmed(r, "statement")}
		if in.Kind == oversight.MotionRefuse {
			for _, c := range oversight.ReasonCategories {
				if text := trimmed(r, "reason_"+string(c)); text != "" {
					in.Reasons = append(in.Reasons, oversight.Reason{Category: c, Text: text})
					cats = append(cats, c)
				}
			}
		}
		_, err := s.cfg.Measures.MoveMotion(ctx, p, id, in)
		return err
	})
}

// motionCase sets r's {id} to the case motion {mid} is on, which p must
// be able to see.
func (s *Site) motionCase(r *http.Request) error {
	m, err := s.cfg.Measures.Motion(r.Context(), principal(r), r.PathValue("mid"))
	if err != nil {
		return msrPageError(err)
	}
	r.SetPathValue("id", m.CaseID)
	return nil
}

func (s *Site) measureVote(w http.ResponseWriter, r *http.Request) error {
	if err := s.motionCase(r); err != nil {
		return err
	}
	mid := r.PathValue("mid")
	return s.caseStep(w, r, "vote", "voted", "commission", nil, func(ctx context.Context, p *auth.Principal, _ string) error {
		_, err := s.cfg.Measures.CastVote(ctx, p, mid, measures.VoteInput{Vote: oversight.VoteChoice(r.PostFormValue("vote")), Reasons: trimmed(r, "reasons")})
		return err
	})
}

func (s *Site) measureMotionClose(w http.ResponseWriter, r *http.Request) error {
	if err := s.motionCase(r); err != nil {
		return err
	}
	mid := r.PathValue("mid")
	return s.caseStep(w, r, "close_motion", "closed_motion", "commission", nil, func(ctx context.Context, p *auth.Principal, _ string) error {
		_, err := s.cfg.Measures.CloseMotion(ctx, p, mid)
		return err
	})
}

func (s *Site) measureEmergency(w http.ResponseWriter, r *http.Request) error {
	return s.caseStep(w, r, "emergency", "emergency", "emergency", nil, func(ctx context.Context, p *auth.Principal, id string) error {
		_, err := s.cfg.Measures.DeclareEmergency(ctx, p, id, trimmed(r, "special_circumstances"))
		return err
	})
}

func (s *Site) measurePostNotice(w http.ResponseWriter, r *http.Request) error {
	return s.caseStep(w, r, "post_notice", "post_notice", "emergency", nil, func(ctx context.Context, p *auth.Principal, id string) error {
		_, err := s.cfg.Measures.FilePostNotice(ctx, p, id, measures.PostNoticeInput{WhatWasDone: trimmed(r, "what_was_done"), WhyNoTime: trimmed(r, "why_no_time")})
		return err
	})
}

func (s *Site) measureReview(w http.ResponseWriter, r *http.Request) error {
	return s.caseStep(w, r, "review", "reviewed", "emergency", nil, func(ctx context.Context, p *auth.Principal, id string) error {
		in := measures.ReviewInput{Outcome: measures.ReviewOutcome(r.PostFormValue("outcome")), Text: trimmed(r, "text")}
		if in.Outcome == measures.ReviewRecommendation {
			in.Rating = r.PostFormValue("rating")
			var err error
			if in.Due, err = localTime(r, "due", true); err != nil {
				return err
			}
		}
		_, err := s.cfg.Measures.ReviewPostNotice(ctx, p, id, in)
		return err
	})
}

func (s *Site) measureCommand(w http.ResponseWriter, r *http.Request) error {
	fields := func(f string) (string, string) {
		if strings.HasPrefix(f, "scope") {
			return "scope", ""
		}
		return f, ""
	}
	return s.caseStep(w, r, "command", "command", "command", fields, func(ctx context.Context, p *auth.Principal, id string) error {
		in := measures.CommandInput{Instructions: trimmed(r, "instructions"), AcknowledgeMOFAObjection: checkbox(r, "acknowledge_mofa_objection")}
		for _, k := range r.PostForm["scope"] {
			in.Scope = append(in.Scope, measures.MeasureKind(k))
		}
		var err error
		if in.ValidUntil, err = localTime(r, "valid_until", true); err != nil {
			return err
		}
		_, err = s.cfg.Measures.Command(ctx, p, id, in)
		return err
	})
}

func (s *Site) measureNPSC(w http.ResponseWriter, r *http.Request) error {
	return s.caseStep(w, r, "npsc", "npsc", "sdf", nil, func(ctx context.Context, p *auth.Principal, id string) error {
		_, err := s.cfg.Measures.RecordNPSC(ctx, p, id, measures.NPSCInput{Kind: measures.NPSCKind(r.PostFormValue("kind")), Text: trimmed(r, "text")})
		return err
	})
}

func (s *Site) measureSDFOrder(w http.ResponseWriter, r *http.Request) error {
	fields := func(f string) (string, string) {
		switch f {
		case "important_computers.text":
			return "ic_text", ""
		case "important_computers.category":
			return "ic_category", ""
		case "organised_actor_abroad.text":
			return "oaa_text", ""
		case "sdf_indispensable.text":
			return "sdf_text", ""
		}
		return f, ""
	}
	return s.caseStep(w, r, "sdf_order", "sdf_order", "sdf", fields, func(ctx context.Context, p *auth.Principal, id string) error {
		_, err := s.cfg.Measures.IssueSDFOrder(ctx, p, id, measures.SDFOrderInput{
			ImportantComputers:   measures.ImportantComputers{Met: checkbox(r, "ic_met"), Category: r.PostFormValue("ic_category"), Text: trimmed(r, "ic_text")},
			OrganisedActorAbroad: measures.Condition{Met: checkbox(r, "oaa_met"), Text: trimmed(r, "oaa_text")},
			SDFIndispensable:     measures.Condition{Met: checkbox(r, "sdf_met"), Text: trimmed(r, "sdf_text")},
			Text:                 trimmed(r, "text")})
		return err
	})
}

func (s *Site) measureClose(w http.ResponseWriter, r *http.Request) error {
	return s.caseStep(w, r, "close", "closed", "outcome", nil, func(ctx context.Context, p *auth.Principal, id string) error {
		_, err := s.cfg.Measures.CloseCase(ctx, p, id, measures.OutcomeInput{Summary: trimmed(r, "summary"), Effect: trimmed(r, "effect"),
			ThirdPartyEffect: trimmed(r, "third_party_effect")})
		return err
	})
}

func (s *Site) measureWithdraw(w http.ResponseWriter, r *http.Request) error {
	return s.caseStep(w, r, "withdraw", "withdrawn", "outcome", nil, func(ctx context.Context, p *auth.Principal, id string) error {
		_, err := s.cfg.Measures.WithdrawCase(ctx, p, id, trimmed(r, "reason"))
		return err
	})
}
