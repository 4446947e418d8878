package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/commsinfo"
)

// coopStates are a §27 request's states, for the list's filter.
var coopStates = []string{commsinfo.CoopRequested, commsinfo.CoopAccepted, commsinfo.CoopDeclined, commsinfo.CoopEnded}

// coopAgencyKinds are the kinds of organisation a §27 request may go to:
// administrative agencies.
var coopAgencyKinds = []auth.OrgKind{auth.OrgMinistry, auth.OrgCabinetOff, auth.OrgPolice, auth.OrgSDF, auth.OrgCabinet, auth.OrgNPSC,
	auth.OrgMOFA, auth.OrgMOD, auth.OrgAgency}

// coopForm is a new §27 request as typed.
type coopForm struct {
	RecipientOrgID, Purpose, Scope, Due string
	// ScopeApprovals limit the records that may be provided under the
	// request to those of these approvals.
	ScopeApprovals []string
	Err            fieldErr
}

// Has reports whether the form names approval id.
func (f coopForm) Has(id string) bool { return slices.Contains(f.ScopeApprovals, id) }

// coopRow is a request in the list.
type coopRow struct {
	commsinfo.CooperationRequest
	Overdue bool
}

type cooperationsData struct {
	N         names
	State     string
	States    []string
	Requests  []coopRow
	Form      coopForm
	Agencies  []orgChoice
	Approvals []approvalChoice
}

func (s *Site) cooperationsPage(w http.ResponseWriter, r *http.Request, status int, f coopForm, msg ...string) error {
	p := principal(r)
	n, err := s.names(r)
	if err != nil {
		return err
	}
	d := cooperationsData{N: n, State: r.URL.Query().Get("state"), States: coopStates, Form: f}
	if d.State != "" && !slices.Contains(coopStates, d.State) {
		d.State = ""
	}
	cs, err := s.cfg.Commsinfo.Cooperations(r.Context(), p, commsinfo.CooperationFilter{State: d.State, Limit: 1000})
	if err != nil {
		return ciPageError(err)
	}
	now := s.cfg.Now()
	for _, c := range cs {
		d.Requests = append(d.Requests, coopRow{c, c.Overdue(now)})
	}
	if s.cfg.Policy.Allow(p, auth.CooperationRequest) {
		if d.Agencies, err = s.orgChoices(r, n, func(o auth.Org) bool {
			return o.ID != p.OrgID && slices.Contains(coopAgencyKinds, o.Kind)
		}); err != nil {
			return err
		}
		if d.Approvals, err = s.approvalChoices(r); err != nil {
			return err
		}
	}
	return s.render(w, r, status, "cooperations", "cooperation.list.title", d, msg...)
}

func (s *Site) cooperations(w http.ResponseWriter, r *http.Request) error {
	return s.cooperationsPage(w, r, http.StatusOK, coopForm{})
}

func (s *Site) cooperationCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	v := r.PostFormValue
	f := coopForm{RecipientOrgID: v("recipient_org_id"), Purpose: v("purpose"), Scope: v("scope"), Due: strings.TrimSpace(v("due")),
		ScopeApprovals: splitIDs(strings.Join(r.PostForm["scope_approvals"], " "))}
	in := commsinfo.CooperationInput{RecipientOrgID: f.RecipientOrgID, Purpose: f.Purpose,
		Scope: commsinfo.CooperationScope{Description: f.Scope, Approvals: f.ScopeApprovals}}
	var err error
	if f.Due != "" {
		if in.Due, err = parseLocal(f.Due); err != nil {
			err = &commsinfo.FieldError{Field: "due", Msg: err.Error()}
		}
	}
	var c commsinfo.CooperationRequest
	if err == nil {
		c, err = s.cfg.Commsinfo.RequestCooperation(r.Context(), principal(r), in)
	}
	if err != nil {
		fail, ok := s.ciFailed(r, err, func(field string) (string, string) {
			switch {
			case strings.HasPrefix(field, "scope.approvals"):
				return "scope_approvals", ""
			case field == "scope.description":
				return "scope", ""
			}
			return field, ""
		})
		if !ok {
			return ciPageError(err)
		}
		f.Err = fail.field
		return s.cooperationsPage(w, r, fail.status, f, "", fail.msg)
	}
	http.Redirect(w, r, "/cooperation/"+c.ID+"?done=requested", http.StatusSeeOther)
	return nil
}

type cooperationData struct {
	N   names
	Req commsinfo.CooperationRequest
	// Overdue: still open past its due time.
	Overdue bool
	// CanAnswer: the viewer's agency was asked and has not answered;
	// CanEnd: the viewer may end (or withdraw) it.
	CanAnswer, CanEnd bool
	// Form is the last answer typed, by the form it came from.
	Form struct {
		Action, Text string
		Err          fieldErr
	}
}

func (s *Site) cooperationPage(w http.ResponseWriter, r *http.Request, status int, action, text string, fe fieldErr, msg ...string) error {
	p := principal(r)
	c, err := s.cfg.Commsinfo.Cooperation(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return ciPageError(err)
	}
	n, err := s.names(r)
	if err != nil {
		return err
	}
	write := s.cfg.Policy.Allow(p, auth.CooperationWrite)
	d := cooperationData{N: n, Req: c, Overdue: c.Overdue(s.cfg.Now()),
		CanAnswer: write && c.State == commsinfo.CoopRequested && c.RecipientOrgID == p.OrgID,
		CanEnd: write && (c.State == commsinfo.CoopAccepted && (p.OrgID == c.RequesterOrgID || p.OrgID == c.RecipientOrgID) ||
			c.State == commsinfo.CoopRequested && p.OrgID == c.RequesterOrgID)}
	d.Form.Action, d.Form.Text, d.Form.Err = action, text, fe
	if done := r.URL.Query().Get("done"); len(msg) == 0 && done != "" {
		switch done {
		case "requested", "accepted", "declined", "ended":
			msg = []string{s.t(r, "cooperation.done."+done)}
		}
	}
	return s.render(w, r, status, "cooperation", "cooperation.title", d, msg...)
}

func (s *Site) cooperation(w http.ResponseWriter, r *http.Request) error {
	return s.cooperationPage(w, r, http.StatusOK, "", "", fieldErr{})
}

// cooperationAct answers or ends a request with the form's text.
func (s *Site) cooperationAct(w http.ResponseWriter, r *http.Request, action, field, done string, act func(*auth.Principal, string, string) (commsinfo.CooperationRequest, error)) error {
	if err := parseForm(r); err != nil {
		return err
	}
	text := r.PostFormValue(field)
	if _, err := act(principal(r), r.PathValue("id"), text); err != nil {
		fail, ok := s.ciFailed(r, err, nil)
		if !ok {
			return ciPageError(err)
		}
		return s.cooperationPage(w, r, fail.status, action, text, fail.field, "", fail.msg)
	}
	http.Redirect(w, r, "/cooperation/"+r.PathValue("id")+"?done="+done, http.StatusSeeOther)
	return nil
}

func (s *Site) cooperationAccept(w http.ResponseWriter, r *http.Request) error {
	return s.cooperationAct(w, r, "accept", "note", "accepted", func(p *auth.Principal, id, text string) (commsinfo.CooperationRequest, error) {
		return s.cfg.Commsinfo.AnswerCooperation(r.Context(), p, id, true, text)
	})
}

func (s *Site) cooperationDecline(w http.ResponseWriter, r *http.Request) error {
	return s.cooperationAct(w, r, "decline", "reason", "declined", func(p *auth.Principal, id, text string) (commsinfo.CooperationRequest, error) {
		return s.cfg.Commsinfo.AnswerCooperation(r.Context(), p, id, false, text)
	})
}

func (s *Site) cooperationEnd(w http.ResponseWriter, r *http.Request) error {
	return s.cooperationAct(w, r, "end", "reason", "ended", func(p *auth.Principal, id, text string) (commsinfo.CooperationRequest, error) {
		return s.cfg.Commsinfo.EndCooperation(r.Context(), p, id, text)
	})
}
