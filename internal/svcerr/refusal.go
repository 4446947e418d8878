package svcerr

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/acd-platform/acd/internal/api"
)

// Entry is one refusal code of a [Catalogue]: its HTTP status (403 when
// who is asking may not take the step, 409 when the record's state does
// not allow it) and its fixed message in English and Japanese.
type Entry struct {
	Code     string
	Status   int
	English  string
	Japanese string
}

// Catalogue is a service's table of refusal codes, in documentation
// order. A service builds one with [NewCatalogue] from a table in its own
// package, answers its refusals with [Catalogue.Refuse] and re-exports
// [Catalogue.Codes] and [Catalogue.Status] under its own names:
//
//	var refusals = svcerr.NewCatalogue(
//		svcerr.Entry{Code: CodeNotMember, Status: http.StatusForbidden, English: "…", Japanese: "…"},
//	)
//	type Refusal = svcerr.Refusal
//	func Codes() []string { return refusals.Codes() }
//
// A Catalogue is read-only once built and safe for concurrent use.
type Catalogue struct {
	entries []Entry
	index   map[string]int // code → position in entries
}

// NewCatalogue returns the catalogue of entries, kept in their order. The
// entries are part of the program, not input: an empty or repeated code
// panics, as a regular expression that does not compile in
// regexp.MustCompile does.
func NewCatalogue(entries ...Entry) *Catalogue {
	c := &Catalogue{entries: make([]Entry, len(entries)), index: make(map[string]int, len(entries))}
	for i, e := range entries {
		if e.Code == "" {
			panic(fmt.Sprintf("svcerr: refusal entry %d has no code", i))
		}
		if j, ok := c.index[e.Code]; ok {
			panic(fmt.Sprintf("svcerr: refusal code %q in entries %d and %d", e.Code, j, i))
		}
		c.entries[i] = e
		c.index[e.Code] = i
	}
	return c
}

// Codes lists every code of the catalogue in its order.
func (c *Catalogue) Codes() []string {
	out := make([]string, len(c.entries))
	for i, e := range c.entries {
		out[i] = e.Code
	}
	return out
}

// Status returns the HTTP status of code, and 0 for a code the catalogue
// does not hold.
func (c *Catalogue) Status(code string) int {
	if e, ok := c.entry(code); ok {
		return e.Status
	}
	return 0
}

// Refuse returns the refusal of code, with its status, and detail.
func (c *Catalogue) Refuse(code, detail string) *Refusal {
	return &Refusal{Code: code, Status: c.Status(code), Detail: detail, texts: c}
}

// entry returns the entry of code; a nil catalogue holds none.
func (c *Catalogue) entry(code string) (Entry, bool) {
	if c == nil {
		return Entry{}, false
	}
	i, ok := c.index[code]
	if !ok {
		return Entry{}, false
	}
	return c.entries[i], true
}

// Refusal is a step a service's rules or a record's state forbid: the
// request was well formed, but may not be granted. Code is one of its
// catalogue's codes; Status its HTTP status (403 or 409); Detail says
// what exactly, in English, naming the record and the missing piece.
//
// Build one with [Catalogue.Refuse] (a service re-exports it): a Refusal
// written as a literal has no catalogue, so its message is its code.
//
// A Refusal unwraps to [ErrForbidden] (403) or [ErrConflict] (otherwise),
// so callers that branch only on those keep working. [API] maps it, with
// [Refusal.APIError], to an api.Error with the code and both languages'
// messages.
type Refusal struct {
	Code   string
	Status int
	Detail string

	texts *Catalogue // the catalogue of Code; nil for a literal
}

// Error returns the code and the English message: "code: message
// (detail)".
func (r *Refusal) Error() string { return r.Code + ": " + r.Message("en") }

// Unwrap returns [ErrForbidden] for a 403 refusal and [ErrConflict]
// otherwise.
func (r *Refusal) Unwrap() error {
	if r.Status == http.StatusForbidden {
		return ErrForbidden
	}
	return ErrConflict
}

// Message returns the fixed message of the refusal in lang ("en" or "ja";
// anything else gives English), or the code when its catalogue has none,
// followed by the Detail (always English) when there is one.
func (r *Refusal) Message(lang string) string {
	msg := r.Code
	if e, ok := r.texts.entry(r.Code); ok {
		msg = e.English
		if lang == "ja" {
			msg = e.Japanese
		}
	}
	if r.Detail != "" {
		msg += " (" + r.Detail + ")"
	}
	return msg
}

// HTTPStatus returns the status to answer the refusal with: its Status,
// else the one its catalogue gives its code, else 409.
func (r *Refusal) HTTPStatus() int {
	if r.Status != 0 {
		return r.Status
	}
	if st := r.texts.Status(r.Code); st != 0 {
		return st
	}
	return http.StatusConflict
}

// APIError returns the API error of the refusal: its [Refusal.HTTPStatus],
// its code, its English message and its messages in English and
// Japanese.
func (r *Refusal) APIError() *api.Error {
	en := r.Message("en")
	return &api.Error{Status: r.HTTPStatus(), Code: r.Code, Message: en, Messages: map[string]string{"en": en, "ja": r.Message("ja")}}
}

// RefusalAPI returns the API error of the [*Refusal] in err's chain (see
// [Refusal.APIError]), or nil when there is none.
func RefusalAPI(err error) *api.Error {
	if r, ok := errors.AsType[*Refusal](err); ok {
		return r.APIError()
	}
	return nil
}
