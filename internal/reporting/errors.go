package reporting

import (
	"errors"
	"fmt"

	"github.com/acd-platform/acd/internal/svcerr"
)

// Errors callers branch on; the HTTP layer maps them to statuses.
var (
	// ErrNotFound: no such record, or one the caller may not see (the two
	// are not told apart, so ids cannot be probed). 404.
	ErrNotFound = svcerr.ErrNotFound
	// ErrForbidden: the caller may see the record but not do this to it,
	// e.g. an operator that is not designated filing a report. 403.
	ErrForbidden = svcerr.ErrForbidden
	// ErrConflict: the request contradicts the record's state, e.g. a
	// stage that would go backwards or an update to a closed report. 409.
	ErrConflict = svcerr.ErrConflict
	// ErrIdempotencyMismatch: an Idempotency-Key was reused for a
	// different request. 422.
	ErrIdempotencyMismatch = errors.New("idempotency key reused for a different request")
)

// FieldError is invalid input: Field names the JSON field (with a path such
// as "indicators[2].value"), Msg says what is wrong. 400.
type FieldError = svcerr.FieldError

func fieldErrorf(field, format string, args ...any) *FieldError {
	return svcerr.Fieldf(field, format, args...)
}

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }
