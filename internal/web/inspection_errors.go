package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/inspection"
)

// errorStates are a handling error's states, for the list's filter.
var errorStates = []inspection.ErrorState{inspection.ErrorReported, inspection.ErrorClassified}

// toldAnswers are the answers to "were the affected persons told?".
var toldAnswers = []inspection.Told{inspection.ToldYes, inspection.ToldNo, inspection.ToldNotApplicable}

// handlingErrorForm is a handling error as an agency reports it.
type handlingErrorForm struct {
	Category, Severity, Description, OccurredAt, Related string
	Err                                                  fieldErr
}

type handlingErrorsData struct {
	N          names
	State      string
	Serious    bool
	States     []inspection.ErrorState
	Errors     []inspection.HandlingError
	ShowOrg    bool
	Form       handlingErrorForm
	Categories []inspection.Category
	Severities []inspection.Severity
}

func (s *Site) handlingErrorsPage(w http.ResponseWriter, r *http.Request, status int, f handlingErrorForm, msg ...string) error {
	p := principal(r)
	n, err := s.names(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	d := handlingErrorsData{N: n, State: q.Get("state"), Serious: q.Get("serious") != "", States: errorStates, Form: f,
		Categories: inspection.Categories, Severities: inspection.Severities, ShowOrg: s.cfg.Policy.Allow(p, auth.HandlingErrorClassify)}
	if !slices.Contains(errorStates, inspection.ErrorState(d.State)) {
		d.State = ""
	}
	if d.Errors, err = s.cfg.Inspection.HandlingErrors(r.Context(), p, inspection.ErrorFilter{State: inspection.ErrorState(d.State), Serious: d.Serious}); err != nil {
		return inspPageError(err)
	}
	if d.Form.Severity == "" {
		d.Form.Severity = string(inspection.SeverityMedium)
	}
	return s.render(w, r, status, "handling_errors", "handling_errors.title", d, msg...)
}

func (s *Site) handlingErrors(w http.ResponseWriter, r *http.Request) error {
	return s.handlingErrorsPage(w, r, http.StatusOK, handlingErrorForm{})
}

func (s *Site) handlingErrorReport(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	v := r.PostFormValue
	f := handlingErrorForm{Category: v("category"), Severity: v("severity"), Description: v("description"),
		OccurredAt: strings.TrimSpace(v("occurred_at")), Related: v("related")}
	n := inspection.NewHandlingError{Category: inspection.Category(f.Category), Severity: inspection.Severity(f.Severity),
		Description: f.Description, Related: splitIDs(f.Related)}
	var err error
	var he inspection.HandlingError
	if f.OccurredAt == "" {
		err = &inspection.FieldError{Field: "occurred_at", Msg: "required"}
	} else if n.OccurredAt, err = parseLocal(f.OccurredAt); err != nil {
		err = &inspection.FieldError{Field: "occurred_at", Msg: err.Error()}
	} else {
		he, err = s.cfg.Inspection.ReportHandlingError(r.Context(), principal(r), n)
	}
	if err != nil {
		fail, ok := s.inspFailed(r, err)
		if !ok {
			return inspPageError(err)
		}
		f.Err = fail.field
		return s.handlingErrorsPage(w, r, fail.status, f, "", fail.msg)
	}
	http.Redirect(w, r, "/handling-errors/"+he.ID+"?done=reported", http.StatusSeeOther)
	return nil
}

// classifyForm is the commission's classification as typed.
type classifyForm struct {
	Serious, Reasons, AffectedTold, AffectedToldAt string
	Err                                            fieldErr
}

type handlingErrorData struct {
	N           names
	Error       inspection.HandlingError
	CanClassify bool
	Form        classifyForm
	Told        []inspection.Told
}

func (s *Site) handlingErrorPage(w http.ResponseWriter, r *http.Request, status int, f classifyForm, msg ...string) error {
	p := principal(r)
	he, err := s.cfg.Inspection.HandlingError(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return inspPageError(err)
	}
	n, err := s.names(r)
	if err != nil {
		return err
	}
	d := handlingErrorData{N: n, Error: he, Form: f, Told: toldAnswers,
		CanClassify: s.cfg.Policy.Allow(p, auth.HandlingErrorClassify) && he.State == inspection.ErrorReported}
	if done := r.URL.Query().Get("done"); len(msg) == 0 && done != "" {
		switch done {
		case "reported", "classified":
			msg = []string{s.t(r, "handling_error.done."+done)}
		}
	}
	return s.render(w, r, status, "handling_error", "handling_error.title", d, msg...)
}

func (s *Site) handlingError(w http.ResponseWriter, r *http.Request) error {
	return s.handlingErrorPage(w, r, http.StatusOK, classifyForm{})
}

func (s *Site) handlingErrorClassify(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	v := r.PostFormValue
	f := classifyForm{Serious: v("serious"), Reasons: v("reasons"), AffectedTold: v("affected_told"), AffectedToldAt: strings.TrimSpace(v("affected_told_at"))}
	c := inspection.Classification{Serious: f.Serious == "true", Reasons: f.Reasons, AffectedTold: inspection.Told(f.AffectedTold)}
	var err error
	switch {
	case f.Serious != "true" && f.Serious != "false":
		err = &inspection.FieldError{Field: "serious", Msg: "required: serious or not"}
	case f.AffectedToldAt != "":
		if c.AffectedToldAt, err = parseLocal(f.AffectedToldAt); err != nil {
			err = &inspection.FieldError{Field: "affected_told_at", Msg: err.Error()}
		}
	}
	if err == nil {
		_, err = s.cfg.Inspection.ClassifyHandlingError(r.Context(), principal(r), r.PathValue("id"), c)
	}
	if err != nil {
		fail, ok := s.inspFailed(r, err)
		if !ok {
			return inspPageError(err)
		}
		f.Err = fail.field
		return s.handlingErrorPage(w, r, fail.status, f, "", fail.msg)
	}
	http.Redirect(w, r, "/handling-errors/"+r.PathValue("id")+"?done=classified", http.StatusSeeOther)
	return nil
}
