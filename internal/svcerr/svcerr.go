// Package svcerr holds the errors that the record-keeping services
// (reporting, oversight, commsinfo, inspection, annualreport) share: the
// sentinels a caller branches on, the invalid-input error that names the
// field at fault, the explicit refusals with a stable code and a message
// in English and Japanese ([Catalogue], [Refusal]; measures and sharing),
// and the one mapping of all of them to API errors.
//
// A service re-exports them under its own names, so callers keep writing
// errors.Is(err, oversight.ErrNotFound):
//
//	var ErrNotFound = svcerr.ErrNotFound
//	type FieldError = svcerr.FieldError
//
// Because the services share the values, errors.Is(err,
// reporting.ErrNotFound) also holds for an oversight error; the mapping to
// a status is the same for all of them, which is the point. Errors of one
// service only (an idempotency key reused, a run rejected) stay in that
// service and its API package maps them.
package svcerr

import (
	"errors"
	"fmt"

	"github.com/acd-platform/acd/internal/api"
)

// Errors callers branch on; [API] maps them to statuses.
var (
	// ErrNotFound: no such record, or one the caller may not see (the two
	// are not told apart, so ids cannot be probed). 404.
	ErrNotFound = errors.New("not found")
	// ErrForbidden: the caller may see the record but not do this to it.
	// 403.
	ErrForbidden = errors.New("forbidden")
	// ErrConflict: the request contradicts the record's state, e.g. a
	// second answer or a change to a closed record. 409.
	ErrConflict = errors.New("conflict")
)

// FieldError is invalid input: Field names the JSON field with a path
// ("indicators[2].value"), Msg says what is wrong. 400.
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string {
	if e.Field == "" {
		return e.Msg
	}
	return e.Field + ": " + e.Msg
}

// Fieldf returns a FieldError for field with the formatted message.
func Fieldf(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// NotFoundf returns the formatted message wrapping ErrNotFound.
func NotFoundf(format string, args ...any) error { return wrapf(ErrNotFound, format, args...) }

// Conflictf returns the formatted message wrapping ErrConflict.
func Conflictf(format string, args ...any) error { return wrapf(ErrConflict, format, args...) }

// Forbiddenf returns the formatted message wrapping ErrForbidden.
func Forbiddenf(format string, args ...any) error { return wrapf(ErrForbidden, format, args...) }

func wrapf(sentinel error, format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), sentinel)
}

// API maps err to the API error a client sees: a [*Refusal] in its chain
// to [Refusal.APIError] (checked first, as it also wraps a sentinel), a
// [*FieldError] to 400 with the field, [ErrNotFound] to 404,
// [ErrForbidden] to 403, [ErrConflict] to 409, each with err's whole
// message. It returns nil for any other error, so that a service's API
// package can map its own next.
func API(err error) *api.Error {
	if e := RefusalAPI(err); e != nil {
		return e
	}
	if fe, ok := errors.AsType[*FieldError](err); ok {
		return api.BadRequest(fe.Field, err.Error())
	}
	switch {
	case errors.Is(err, ErrNotFound):
		return api.NotFound(err.Error())
	case errors.Is(err, ErrForbidden):
		return api.Forbidden(err.Error())
	case errors.Is(err, ErrConflict):
		return api.Conflict(err.Error())
	}
	return nil
}
