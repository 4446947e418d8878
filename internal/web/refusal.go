package web

import (
	"errors"
	"net/http"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/svcerr"
)

// RefusalHeader carries the reason code of a page's refusal by a service
// (measures, sharing), so that a script driving the pages tells the
// service's refusal from the policy's.
const RefusalHeader = "X-ACD-Refusal"

// pageRefusal is what a page says of a service's refusal.
type pageRefusal struct {
	status int    // the refusal's status (403 or 409)
	code   string // its reason code
	text   string // the page's message, in the page's language
}

// refusal returns what the page says of the [*svcerr.Refusal] in err's
// chain, and false when there is none. key is the catalogue entry of the
// page's message, which takes the code and the refusal's fixed message in
// the page's language (with the detail, which is English). It puts the
// code in the X-ACD-Refusal header of w.
func (s *Site) refusal(w http.ResponseWriter, r *http.Request, key string, err error) (pageRefusal, bool) {
	rf, ok := errors.AsType[*svcerr.Refusal](err)
	if !ok {
		return pageRefusal{}, false
	}
	w.Header().Set(RefusalHeader, rf.Code)
	return pageRefusal{rf.HTTPStatus(), rf.Code, s.t(r, key, rf.Code, rf.Message(string(langOf(r))))}, true
}

// pageMessages are the catalogue keys with which a capability's pages
// speak of its service's errors: a refusal (taking the code and the
// refusal's message) and ErrForbidden.
type pageMessages struct{ refused, forbidden string }

// svcPageError maps an error of a service built on svcerr, on a page that
// shows rather than submits, to what the router shows: a refusal keeps its
// status and code, says its message in the page's language and puts its
// code in the X-ACD-Refusal header; invalid input is 400, a record the
// viewer may not see 404, a conflict 409.
func (s *Site) svcPageError(w http.ResponseWriter, r *http.Request, m pageMessages, err error) error {
	if rf, ok := s.refusal(w, r, m.refused, err); ok {
		return &api.Error{Status: rf.status, Code: rf.code, Message: rf.text}
	}
	if e := svcerr.API(err); e != nil {
		if e.Status == http.StatusNotFound {
			e.Message, e.Err = "no such record", err
		}
		return e
	}
	return err
}

// svcFailed maps an error of a service built on svcerr, on a form
// submission, to what the page shows, or returns false for an error the
// form cannot explain (not found, internal), which the caller hands to
// svcPageError. fields maps the service's field names (JSON paths) to the
// form's field and a prefix for its message (such as the line of a list
// entry); nil keeps them. A refusal's code also goes in the X-ACD-Refusal
// header.
func (s *Site) svcFailed(w http.ResponseWriter, r *http.Request, m pageMessages, err error, fields func(string) (string, string)) (formFailure, bool) {
	if rf, ok := s.refusal(w, r, m.refused, err); ok {
		return formFailure{rf.status, rf.text, fieldErr{}}, true
	}
	var fe *svcerr.FieldError
	switch {
	case errors.As(err, &fe):
		name, prefix := fe.Field, ""
		if fields != nil {
			name, prefix = fields(fe.Field)
		}
		return formFailure{http.StatusBadRequest, s.t(r, "form.invalid") + " (" + fe.Error() + ")", fieldErr{name, prefix + fe.Msg}}, true
	case errors.Is(err, svcerr.ErrConflict):
		return formFailure{http.StatusConflict, s.t(r, "error.conflict") + " " + err.Error(), fieldErr{}}, true
	case errors.Is(err, svcerr.ErrForbidden):
		return formFailure{http.StatusForbidden, s.t(r, m.forbidden) + " " + err.Error(), fieldErr{}}, true
	}
	var ae *api.Error
	if errors.As(err, &ae) && ae.Status == http.StatusBadRequest {
		return formFailure{ae.Status, s.t(r, "form.invalid") + " (" + ae.Message + ")", fieldErr{ae.Field, ae.Message}}, true
	}
	return formFailure{}, false
}
