package web

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/reporting"
)

// Requests for materials to council members (ch.9): the Cabinet Office
// asks a member for materials by a due time (a request for materials of
// the reporting pages, marked as the council's), the member's users
// answer, and the Cabinet Office closes it.

// requestDueDefault is the due time the issue form proposes.
const requestDueDefault = 14 * 24 * time.Hour

// requestStates are the states the list filters on.
var requestStates = []reporting.OrderState{reporting.OrderOpen, reporting.OrderAnswered, reporting.OrderClosed}

type councilRequestsData struct {
	N        names
	Requests []reporting.Order
	State    string
	States   []reporting.OrderState
	// CanIssue: the viewer asks members for materials; Orgs are the
	// members.
	CanIssue bool
	Orgs     []orgChoice
	// DueDefault is the issue form's proposed due time.
	DueDefault string
	Acts       acts
	Err        fieldErr
}

func (s *Site) councilRequestsPage(w http.ResponseWriter, r *http.Request, status int, a acts, msg ...string) error {
	p := principal(r)
	n, err := s.names(r)
	if err != nil {
		return err
	}
	d := councilRequestsData{N: n, State: r.URL.Query().Get("state"), States: requestStates, Acts: a,
		CanIssue: isManager(p) && s.cfg.Policy.Allow(p, auth.CouncilRequest), DueDefault: localValue(s.cfg.Now().Add(requestDueDefault))}
	if d.State != "" && !slices.Contains(requestStates, reporting.OrderState(d.State)) {
		d.Err = fieldErr{"state", strconv.Quote(d.State) + ": unknown state"}
		d.State = ""
		status, msg = http.StatusBadRequest, []string{"", s.t(r, "form.invalid")}
	} else if d.Requests, err = s.cfg.Sharing.Requests(r.Context(), p, reporting.OrderState(d.State)); err != nil {
		return s.shPageError(w, r, err)
	}
	if d.CanIssue {
		if d.Orgs, err = s.memberChoices(r, n, p.OrgID); err != nil {
			return s.shPageError(w, r, err)
		}
	}
	return s.render(w, r, status, "council_requests", "council.requests.title", d, msg...)
}

func (s *Site) councilRequests(w http.ResponseWriter, r *http.Request) error {
	return s.councilRequestsPage(w, r, http.StatusOK, acts{})
}

func (s *Site) councilRequestIssue(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	a := formActs(r, "issue")
	n := reporting.NewCouncilRequest{OrgID: trimmed(r, "org_id"), Reason: trimmed(r, "reason"), Request: trimmed(r, "request")}
	var err error
	n.Due, err = localTime(r, "due", true)
	var o reporting.Order
	if err == nil {
		o, err = s.cfg.Sharing.RequestMaterials(r.Context(), principal(r), n)
	}
	if err != nil {
		fail, ok := s.shFailed(w, r, err, nil)
		if !ok {
			return s.shPageError(w, r, err)
		}
		a.Err = fail.field
		return s.councilRequestsPage(w, r, fail.status, a, "", fail.msg)
	}
	http.Redirect(w, r, "/council/requests/"+o.ID+"?done=issued", http.StatusSeeOther)
	return nil
}

type councilRequestData struct {
	N                   names
	O                   reporting.Order
	CanAnswer, CanClose bool
	Acts                acts
}

func (s *Site) councilRequestPage(w http.ResponseWriter, r *http.Request, status int, a acts, msg ...string) error {
	p := principal(r)
	o, err := s.cfg.Sharing.Request(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return s.shPageError(w, r, err)
	}
	n, err := s.names(r)
	if err != nil {
		return err
	}
	d := councilRequestData{N: n, O: o, Acts: a,
		CanAnswer: o.State == reporting.OrderOpen && o.OrgID == p.OrgID && s.cfg.Policy.Allow(p, auth.CouncilAnswer),
		CanClose:  o.State != reporting.OrderClosed && isManager(p) && s.cfg.Policy.Allow(p, auth.CouncilRequest)}
	msg = s.doneMessage(r, "council.done.", msg, "issued", "answered", "closed")
	return s.render(w, r, status, "council_request", "council.request.title", d, msg...)
}

func (s *Site) councilRequest(w http.ResponseWriter, r *http.Request) error {
	return s.councilRequestPage(w, r, http.StatusOK, acts{})
}

// councilRequestStep runs act with the form's text for the form named
// form of request {id}; then the request's page, or the page again with
// the form as typed and its error.
func (s *Site) councilRequestStep(w http.ResponseWriter, r *http.Request, form, done string,
	act func(r *http.Request, p *auth.Principal, id, text string) (reporting.Order, error)) error {
	if err := parseForm(r); err != nil {
		return err
	}
	a := formActs(r, form)
	id := r.PathValue("id")
	if _, err := act(r, principal(r), id, trimmed(r, "text")); err != nil {
		fail, ok := s.shFailed(w, r, err, nil)
		if !ok {
			return s.shPageError(w, r, err)
		}
		a.Err = fail.field
		return s.councilRequestPage(w, r, fail.status, a, "", fail.msg)
	}
	http.Redirect(w, r, "/council/requests/"+id+"?done="+done, http.StatusSeeOther)
	return nil
}

func (s *Site) councilRequestAnswer(w http.ResponseWriter, r *http.Request) error {
	return s.councilRequestStep(w, r, "answer", "answered", func(r *http.Request, p *auth.Principal, id, text string) (reporting.Order, error) {
		return s.cfg.Sharing.AnswerRequest(r.Context(), p, id, text)
	})
}

func (s *Site) councilRequestClose(w http.ResponseWriter, r *http.Request) error {
	return s.councilRequestStep(w, r, "close", "closed", func(r *http.Request, p *auth.Principal, id, text string) (reporting.Order, error) {
		return s.cfg.Sharing.CloseRequest(r.Context(), p, id, text)
	})
}
