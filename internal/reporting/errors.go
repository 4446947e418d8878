package reporting

import (
	"errors"
	"fmt"
)

// Errors callers branch on; the HTTP layer maps them to statuses.
var (
	// ErrNotFound: no such record, or one the caller may not see (the two
	// are not told apart, so ids cannot be probed). 404.
	ErrNotFound = errors.New("not found")
	// ErrForbidden: the caller may see the record but not do this to it,
	// e.g. an operator that is not designated filing a report. 403.
	ErrForbidden = errors.New("forbidden")
	// ErrConflict: the request contradicts the record's state, e.g. a
	// stage that would go backwards or an update to a closed report. 409.
	ErrConflict = errors.New("conflict")
	// ErrIdempotencyMismatch: an Idempotency-Key was reused for a
	// different request. 422.
	ErrIdempotencyMismatch = errors.New("idempotency key reused for a different request")
)

// FieldError is invalid input: Field names the JSON field (with a path such
// as "indicators[2].value"), Msg says what is wrong. 400.
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

func fieldErrorf(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }
