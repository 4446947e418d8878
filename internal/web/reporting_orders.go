package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/reporting"
)

// orderForm is the form a ministry issues an order with, as typed.
type orderForm struct {
	Kind, OrgID, LegalBasis, Reason, Request, Due string
	Err                                           fieldErr
}

type ordersData struct {
	N      names
	Orders []reporting.Order
	// Referrals are the overdue orders, candidates for referral under §83
	// or §84, with their history; shown to ministries and analysts.
	Referrals []reporting.Order
	Form      orderForm
	// Operators are those the viewer's ministry may issue orders to.
	Operators []reporting.Operator
	Kinds     []reporting.OrderKind
	Defaults  map[reporting.OrderKind]string
}

var orderKinds = []reporting.OrderKind{reporting.CorrectionOrder, reporting.MaterialRequest}

func (s *Site) ordersPage(w http.ResponseWriter, r *http.Request, status int, f orderForm, msg ...string) error {
	p := principal(r)
	n, err := s.names(r)
	if err != nil {
		return err
	}
	d := ordersData{N: n, Form: f, Kinds: orderKinds, Defaults: reporting.DefaultLegalBasis}
	if d.Orders, err = s.cfg.Reporting.Orders(r.Context(), p, reporting.OrderFilter{}); err != nil {
		return pageError(err)
	}
	if p.OrgKind != auth.OrgOperator {
		if d.Referrals, err = s.cfg.Reporting.Orders(r.Context(), p, reporting.OrderFilter{Referral: true}); err != nil {
			return pageError(err)
		}
	}
	if s.cfg.Policy.Allow(p, auth.OrderIssue) {
		if d.Operators, err = s.cfg.Reporting.Operators(r.Context(), p); err != nil {
			return pageError(err)
		}
	}
	return s.render(w, r, status, "orders", "orders.title", d, msg...)
}

func (s *Site) orders(w http.ResponseWriter, r *http.Request) error {
	return s.ordersPage(w, r, http.StatusOK, orderForm{Kind: string(reporting.CorrectionOrder)})
}

func (s *Site) orderIssue(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	v := r.PostFormValue
	f := orderForm{Kind: v("kind"), OrgID: v("org_id"), LegalBasis: v("legal_basis"), Reason: v("reason"), Request: v("request"), Due: v("due")}
	n := reporting.NewOrder{Kind: reporting.OrderKind(f.Kind), OrgID: f.OrgID, LegalBasis: f.LegalBasis, Reason: f.Reason, Request: f.Request}
	var o reporting.Order
	var err error
	if strings.TrimSpace(f.Due) == "" {
		err = &reporting.FieldError{Field: "due", Msg: "required"}
	} else if n.Due, err = parseLocal(f.Due); err != nil {
		err = &reporting.FieldError{Field: "due", Msg: err.Error()}
	} else {
		o, err = s.cfg.Reporting.IssueOrder(r.Context(), principal(r), n)
	}
	if err != nil {
		fail, ok := s.formFailed(r, err, nil)
		if !ok {
			return pageError(err)
		}
		f.Err = fail.field
		return s.ordersPage(w, r, fail.status, f, "", fail.msg)
	}
	http.Redirect(w, r, "/orders/"+o.ID+"?done=issued", http.StatusSeeOther)
	return nil
}

type orderData struct {
	N     names
	Order reporting.Order
	// CanAnswer: the viewer's operator may answer the open order;
	// CanClose: the viewer's ministry issued it and it is not closed.
	CanAnswer, CanClose bool
	Text                string
	Err                 fieldErr
}

func (s *Site) orderPage(w http.ResponseWriter, r *http.Request, status int, text string, ferr fieldErr, msg ...string) error {
	p := principal(r)
	o, err := s.cfg.Reporting.Order(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return pageError(err)
	}
	n, err := s.names(r)
	if err != nil {
		return err
	}
	d := orderData{N: n, Order: o, Text: text, Err: ferr,
		CanAnswer: s.cfg.Policy.Allow(p, auth.OrderAnswer) && o.OrgID == p.OrgID && o.State == reporting.OrderOpen,
		CanClose:  s.cfg.Policy.Allow(p, auth.OrderClose) && o.IssuerOrg == p.OrgID && o.State != reporting.OrderClosed}
	if done := r.URL.Query().Get("done"); len(msg) == 0 && done != "" {
		switch done {
		case "issued", "answered", "closed":
			msg = []string{s.t(r, "order.done."+done)}
		}
	}
	return s.render(w, r, status, "order", "order.title", d, msg...)
}

func (s *Site) order(w http.ResponseWriter, r *http.Request) error {
	return s.orderPage(w, r, http.StatusOK, "", fieldErr{})
}

// orderAct answers or closes an order with the form's text.
func (s *Site) orderAct(w http.ResponseWriter, r *http.Request, done string, act func(*auth.Principal, string, string) (reporting.Order, error)) error {
	if err := parseForm(r); err != nil {
		return err
	}
	text := r.PostFormValue("text")
	if _, err := act(principal(r), r.PathValue("id"), text); err != nil {
		fail, ok := s.formFailed(r, err, nil)
		if !ok {
			return pageError(err)
		}
		return s.orderPage(w, r, fail.status, text, fail.field, "", fail.msg)
	}
	http.Redirect(w, r, "/orders/"+r.PathValue("id")+"?done="+done, http.StatusSeeOther)
	return nil
}

func (s *Site) orderAnswer(w http.ResponseWriter, r *http.Request) error {
	return s.orderAct(w, r, "answered", func(p *auth.Principal, id, text string) (reporting.Order, error) {
		return s.cfg.Reporting.AnswerOrder(r.Context(), p, id, text)
	})
}

func (s *Site) orderClose(w http.ResponseWriter, r *http.Request) error {
	return s.orderAct(w, r, "closed", func(p *auth.Principal, id, text string) (reporting.Order, error) {
		return s.cfg.Reporting.CloseOrder(r.Context(), p, id, text)
	})
}

type complianceData struct {
	N       names
	Rows    []reporting.ComplianceRow
	Sector  string
	Sectors []string
	Err     fieldErr
}

func (s *Site) compliance(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	n, err := s.names(r)
	if err != nil {
		return err
	}
	d := complianceData{N: n, Sector: r.URL.Query().Get("sector"), Sectors: visibleSectors(p)}
	rows, err := s.cfg.Reporting.Compliance(r.Context(), p, d.Sector)
	if fe, ok := errors.AsType[*reporting.FieldError](err); ok {
		d.Err = fieldErr{fe.Field, fe.Msg}
		return s.render(w, r, http.StatusBadRequest, "compliance", "compliance.title", d, "", s.t(r, "form.invalid"))
	}
	if err != nil {
		return pageError(err)
	}
	d.Rows = rows
	return s.render(w, r, http.StatusOK, "compliance", "compliance.title", d)
}

type operatorsData struct {
	N         names
	Operators []reporting.Operator
}

func (s *Site) operators(w http.ResponseWriter, r *http.Request) error {
	n, err := s.names(r)
	if err != nil {
		return err
	}
	ops, err := s.cfg.Reporting.Operators(r.Context(), principal(r))
	if err != nil {
		return pageError(err)
	}
	return s.render(w, r, http.StatusOK, "operators", "operators.title", operatorsData{N: n, Operators: ops})
}

type operatorData struct {
	N       names
	Op      reporting.Operator
	History []reporting.Designation
	Reason  string
	Err     fieldErr
}

func (s *Site) operatorPage(w http.ResponseWriter, r *http.Request, status int, reason string, ferr fieldErr, msg ...string) error {
	p := principal(r)
	id := r.PathValue("id")
	// The history decides the state; it also checks that p may see the
	// operator.
	hist, err := s.cfg.Reporting.Designations(r.Context(), p, id)
	if err != nil {
		return pageError(err)
	}
	o, err := s.cfg.Auth.Org(r.Context(), id)
	if err != nil {
		return api.NotFound("no such operator")
	}
	d := operatorData{Op: reporting.Operator{Org: o, Sector: o.Sector()}, History: hist, Reason: reason, Err: ferr}
	if len(hist) > 0 {
		last := hist[len(hist)-1]
		d.Op.Designated, d.Op.Since = last.Designated, last.At
	}
	if d.N, err = s.names(r); err != nil {
		return err
	}
	if len(msg) == 0 && r.URL.Query().Get("done") == "designation" {
		msg = []string{s.t(r, "operators.recorded")}
	}
	return s.render(w, r, status, "operator", "operator.title", d, msg...)
}

func (s *Site) operator(w http.ResponseWriter, r *http.Request) error {
	return s.operatorPage(w, r, http.StatusOK, "", fieldErr{})
}

func (s *Site) designate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	reason := r.PostFormValue("reason")
	designated := r.PostFormValue("designated") == "true"
	if _, err := s.cfg.Reporting.Designate(r.Context(), principal(r), r.PathValue("id"), designated, reason); err != nil {
		fail, ok := s.formFailed(r, err, nil)
		if !ok {
			return pageError(err)
		}
		return s.operatorPage(w, r, fail.status, reason, fail.field, "", fail.msg)
	}
	http.Redirect(w, r, "/operators/"+r.PathValue("id")+"?done=designation", http.StatusSeeOther)
	return nil
}
