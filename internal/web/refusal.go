package web

import (
	"errors"
	"net/http"

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
