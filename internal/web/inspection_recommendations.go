package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/inspection"
)

// recommendationStates are a recommendation's states, for the filter.
var recommendationStates = []inspection.RecommendationState{inspection.RecommendationIssued, inspection.RecommendationAnswered,
	inspection.RecommendationClosed, inspection.RecommendationWithdrawn}

// ratingClass is the badge class of a rating: red, amber, green as the
// traffic lights the page's badges already draw.
var ratingClass = map[inspection.Rating]string{inspection.RatingRed: "tl-missing", inspection.RatingAmber: "tl-late", inspection.RatingGreen: "tl-on_time"}

// ratings gives templates the badge class of a rating.
type ratings struct{}

// RatingClass returns the badge class of rating r.
func (ratings) RatingClass(r inspection.Rating) string { return ratingClass[r] }

// Short returns the first line of text, cut to 80 characters, for a list.
func (ratings) Short(text string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(text), "\n")
	return firstRunes(strings.TrimSpace(line), 80)
}

// recommendationForm is a recommendation as the commission issues it.
type recommendationForm struct {
	InspectionID, OrgID, Text, Rating, Due string
	Err                                    fieldErr
}

type recommendationsData struct {
	ratings
	N       names
	State   string
	Overdue bool
	States  []inspection.RecommendationState
	Recs    []inspection.Recommendation
	// ShowOrg: the list holds recommendations to several agencies.
	ShowOrg     bool
	Form        recommendationForm
	Agencies    []orgChoice
	Inspections []inspection.Inspection
	Ratings     []inspection.Rating
}

func (s *Site) recommendationsPage(w http.ResponseWriter, r *http.Request, status int, f recommendationForm, msg ...string) error {
	p := principal(r)
	n, err := s.names(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	d := recommendationsData{N: n, State: q.Get("state"), Overdue: q.Get("overdue") != "", States: recommendationStates,
		Form: f, Ratings: inspection.Ratings, ShowOrg: s.cfg.Policy.Allow(p, auth.RecommendationIssue)}
	if !slices.Contains(recommendationStates, inspection.RecommendationState(d.State)) {
		d.State = ""
	}
	if d.Recs, err = s.cfg.Inspection.Recommendations(r.Context(), p, inspection.RecommendationFilter{State: inspection.RecommendationState(d.State), Overdue: d.Overdue}); err != nil {
		return inspPageError(err)
	}
	if s.cfg.Policy.Allow(p, auth.RecommendationIssue) {
		if d.Form.InspectionID == "" && status == http.StatusOK {
			d.Form.InspectionID = q.Get("inspection")
		}
		if d.Form.Rating == "" {
			d.Form.Rating = string(inspection.RatingAmber)
		}
		if d.Agencies, err = s.agencyChoices(r, n); err != nil {
			return err
		}
		if s.cfg.Policy.Allow(p, auth.InspectionRead) {
			if d.Inspections, err = s.cfg.Inspection.Inspections(r.Context(), p, inspection.InspectionFilter{}); err != nil {
				return inspPageError(err)
			}
		}
	}
	return s.render(w, r, status, "recommendations", "recommendations.title", d, msg...)
}

func (s *Site) recommendations(w http.ResponseWriter, r *http.Request) error {
	return s.recommendationsPage(w, r, http.StatusOK, recommendationForm{})
}

func (s *Site) recommendationIssue(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	v := r.PostFormValue
	f := recommendationForm{InspectionID: strings.TrimSpace(v("inspection_id")), OrgID: v("org_id"), Text: v("text"), Rating: v("rating"), Due: strings.TrimSpace(v("due"))}
	n := inspection.NewRecommendation{InspectionID: f.InspectionID, OrgID: f.OrgID, Text: f.Text, Rating: inspection.Rating(f.Rating)}
	var err error
	var rec inspection.Recommendation
	if f.Due == "" {
		err = &inspection.FieldError{Field: "due", Msg: "required"}
	} else if n.Due, err = parseLocal(f.Due); err != nil {
		err = &inspection.FieldError{Field: "due", Msg: err.Error()}
	} else {
		rec, err = s.cfg.Inspection.IssueRecommendation(r.Context(), principal(r), n)
	}
	if err != nil {
		fail, ok := s.inspFailed(r, err)
		if !ok {
			return inspPageError(err)
		}
		f.Err = fail.field
		return s.recommendationsPage(w, r, fail.status, f, "", fail.msg)
	}
	http.Redirect(w, r, "/recommendations/"+rec.ID+"?done=issued", http.StatusSeeOther)
	return nil
}

// recommendationActs are what was typed into a recommendation's forms.
type recommendationActs struct {
	Answer, Withdraw string
	// Implementation, Rating and Note are the assessment's.
	Implementation, Rating, Note string
	Err                          fieldErr
	// Form names the form Err belongs to: answer, assess or withdraw.
	Form string
}

type recommendationData struct {
	ratings
	N   names
	Rec inspection.Recommendation
	// CanAnswer: the viewer's agency is addressed and has not answered;
	// CanAssess: the commission may assess it (answered or closed);
	// CanWithdraw: the commission may withdraw it (issued or answered).
	CanAnswer, CanAssess, CanWithdraw bool
	Acts                              recommendationActs
	Implementations                   []inspection.Implementation
	Ratings                           []inspection.Rating
}

func (s *Site) recommendationPage(w http.ResponseWriter, r *http.Request, status int, acts recommendationActs, msg ...string) error {
	p := principal(r)
	rec, err := s.cfg.Inspection.Recommendation(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return inspPageError(err)
	}
	n, err := s.names(r)
	if err != nil {
		return err
	}
	issue := s.cfg.Policy.Allow(p, auth.RecommendationIssue)
	d := recommendationData{N: n, Rec: rec, Acts: acts, Implementations: inspection.Implementations, Ratings: inspection.Ratings,
		CanAnswer:   s.cfg.Policy.Allow(p, auth.RecommendationAnswer) && rec.OrgID == p.OrgID && rec.State == inspection.RecommendationIssued,
		CanAssess:   issue && (rec.State == inspection.RecommendationAnswered || rec.State == inspection.RecommendationClosed),
		CanWithdraw: issue && (rec.State == inspection.RecommendationIssued || rec.State == inspection.RecommendationAnswered)}
	if d.Acts.Implementation == "" {
		d.Acts.Implementation = string(rec.Implementation)
	}
	if done := r.URL.Query().Get("done"); len(msg) == 0 && done != "" {
		switch done {
		case "issued", "answered", "assessed", "withdrawn":
			msg = []string{s.t(r, "recommendation.done."+done)}
		}
	}
	return s.render(w, r, status, "recommendation", "recommendation.title", d, msg...)
}

func (s *Site) recommendation(w http.ResponseWriter, r *http.Request) error {
	return s.recommendationPage(w, r, http.StatusOK, recommendationActs{})
}

// recommendationAct runs act on the recommendation with the form's values
// and shows the outcome: back to the page, or the form again with the
// error.
func (s *Site) recommendationAct(w http.ResponseWriter, r *http.Request, form, done string, act func(*auth.Principal, string, recommendationActs) error) error {
	if err := parseForm(r); err != nil {
		return err
	}
	v := r.PostFormValue
	acts := recommendationActs{Form: form, Implementation: v("implementation"), Rating: v("rating"), Note: v("note")}
	switch form {
	case "answer":
		acts.Answer = v("text")
	case "withdraw":
		acts.Withdraw = v("reason")
	}
	if err := act(principal(r), r.PathValue("id"), acts); err != nil {
		fail, ok := s.inspFailed(r, err)
		if !ok {
			return inspPageError(err)
		}
		acts.Err = fail.field
		return s.recommendationPage(w, r, fail.status, acts, "", fail.msg)
	}
	http.Redirect(w, r, "/recommendations/"+r.PathValue("id")+"?done="+done, http.StatusSeeOther)
	return nil
}

func (s *Site) recommendationAnswer(w http.ResponseWriter, r *http.Request) error {
	return s.recommendationAct(w, r, "answer", "answered", func(p *auth.Principal, id string, a recommendationActs) error {
		_, err := s.cfg.Inspection.AnswerRecommendation(r.Context(), p, id, a.Answer)
		return err
	})
}

func (s *Site) recommendationAssess(w http.ResponseWriter, r *http.Request) error {
	return s.recommendationAct(w, r, "assess", "assessed", func(p *auth.Principal, id string, a recommendationActs) error {
		_, err := s.cfg.Inspection.AssessRecommendation(r.Context(), p, id, inspection.Assessment{
			Implementation: inspection.Implementation(a.Implementation), Rating: inspection.Rating(a.Rating), Note: a.Note})
		return err
	})
}

func (s *Site) recommendationWithdraw(w http.ResponseWriter, r *http.Request) error {
	return s.recommendationAct(w, r, "withdraw", "withdrawn", func(p *auth.Principal, id string, a recommendationActs) error {
		_, err := s.cfg.Inspection.WithdrawRecommendation(r.Context(), p, id, a.Withdraw)
		return err
	})
}
