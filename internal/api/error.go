package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Error codes of the error envelope. Clients branch on the code, not on the
// message, which is for people.
const (
	CodeBadRequest           = "bad_request"
	CodeUnauthenticated      = "unauthenticated"
	CodeForbidden            = "forbidden"
	CodeCSRF                 = "csrf"
	CodeNotFound             = "not_found"
	CodeMethodNotAllowed     = "method_not_allowed"
	CodeConflict             = "conflict"
	CodeTooLarge             = "too_large"
	CodeUnsupportedMediaType = "unsupported_media_type"
	CodeTooManyRequests      = "too_many_requests"
	CodeInternal             = "internal"
	CodeUnavailable          = "unavailable"
)

// Error is an error that a client may see. Handlers return it (or wrap it)
// and the router renders it as the error envelope with Status.
//
// Only Code, Message and Field reach the client. Err is the internal cause:
// it is logged and never shown.
type Error struct {
	Status  int    // HTTP status; 0 is taken as 500
	Code    string // one of the Code constants, or a capability's own
	Message string // for people; must not hold internal detail
	Field   string // the input field at fault, as a JSON path ("roles[1]"); optional
	// Messages, when set, says Message in each language of the UI, keyed
	// by language tag ("en", "ja"), for refusals a person must understand
	// whichever language they read (e.g. a measure's gate not passed).
	Messages map[string]string

	// RetryAfter, when positive, is sent as the Retry-After header (429, 503).
	RetryAfter time.Duration
	// Err is the internal cause, logged with the request ID, never shown.
	Err error
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s", e.status(), e.code())
	if e.Field != "" {
		fmt.Fprintf(&b, " (field %q)", e.Field)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the internal cause.
func (e *Error) Unwrap() error { return e.Err }

func (e *Error) status() int {
	if e.Status < 400 || e.Status > 599 {
		return http.StatusInternalServerError
	}
	return e.Status
}

func (e *Error) code() string {
	if e.Code != "" {
		return e.Code
	}
	return codeFor(e.status())
}

// codeFor derives a code from a status, for errors built without one.
func codeFor(status int) string {
	switch status {
	case http.StatusBadRequest:
		return CodeBadRequest
	case http.StatusUnauthorized:
		return CodeUnauthenticated
	case http.StatusForbidden:
		return CodeForbidden
	case http.StatusNotFound:
		return CodeNotFound
	case http.StatusMethodNotAllowed:
		return CodeMethodNotAllowed
	case http.StatusConflict:
		return CodeConflict
	case http.StatusRequestEntityTooLarge:
		return CodeTooLarge
	case http.StatusUnsupportedMediaType:
		return CodeUnsupportedMediaType
	case http.StatusTooManyRequests:
		return CodeTooManyRequests
	case http.StatusServiceUnavailable:
		return CodeUnavailable
	case http.StatusInternalServerError:
		return CodeInternal
	}
	return strings.ReplaceAll(strings.ToLower(http.StatusText(status)), " ", "_")
}

// BadRequest reports invalid input. field names the input at fault as a JSON
// path ("roles[1]", "contact.email") or a form/query field; "" for none.
func BadRequest(field, msg string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: CodeBadRequest, Field: field, Message: msg}
}

// Unauthorized reports missing or bad credentials (401).
func Unauthorized(msg string) *Error {
	return &Error{Status: http.StatusUnauthorized, Code: CodeUnauthenticated, Message: msg}
}

// Forbidden reports that the principal may not do this (403).
func Forbidden(msg string) *Error {
	return &Error{Status: http.StatusForbidden, Code: CodeForbidden, Message: msg}
}

// NotFound reports a missing resource (404). Handlers SHOULD also return it
// for resources the principal may not see, so as not to reveal them.
func NotFound(msg string) *Error {
	return &Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: msg}
}

// Conflict reports a state conflict (409), such as a duplicate or a stale
// version.
func Conflict(msg string) *Error {
	return &Error{Status: http.StatusConflict, Code: CodeConflict, Message: msg}
}

// TooManyRequests reports rate limiting (429); retryAfter, when positive, is
// sent as Retry-After.
func TooManyRequests(msg string, retryAfter time.Duration) *Error {
	return &Error{Status: http.StatusTooManyRequests, Code: CodeTooManyRequests, Message: msg, RetryAfter: retryAfter}
}

// Unavailable reports that the server cannot serve now (503); cause is logged,
// not shown.
func Unavailable(msg string, cause error) *Error {
	return &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable, Message: msg, Err: cause}
}

// envelope is the JSON shape of every error response.
type envelope struct {
	Error envelopeBody `json:"error"`
}

type envelopeBody struct {
	Code     string            `json:"code"`
	Message  string            `json:"message"`
	Field    string            `json:"field,omitempty"`
	Messages map[string]string `json:"messages,omitempty"`
}

// WriteError writes e as the error envelope with its status. It is for code
// outside the router (middleware); handlers return errors instead.
func WriteError(w http.ResponseWriter, e *Error) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Del("Content-Length")
	if e.RetryAfter > 0 {
		secs := int64((e.RetryAfter + time.Second - 1) / time.Second)
		h.Set("Retry-After", strconv.FormatInt(secs, 10))
	}
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.status())
	}
	body, err := json.Marshal(envelope{Error: envelopeBody{Code: e.code(), Message: msg, Field: e.Field, Messages: e.Messages}})
	if err != nil {
		// Strings always marshal; keep the status anyway.
		body = []byte(`{"error":{"code":"internal","message":"internal error"}}`)
	}
	w.WriteHeader(e.status())
	w.Write(append(body, '\n'))
}

// internalError is what the client sees for any error that is not an *Error.
func internalError(cause error) *Error {
	return &Error{Status: http.StatusInternalServerError, Code: CodeInternal, Message: "internal error", Err: cause}
}

// asError returns the *Error in err's chain, if any.
func asError(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) && e != nil {
		return e, true
	}
	return nil, false
}
