package sharing

import "github.com/acd-platform/acd/internal/svcerr"

// Errors callers branch on besides [Refusal]; the HTTP layer maps them to
// statuses with svcerr.API.
var (
	// ErrNotFound: no such record, or one the caller may not see (the two
	// are not told apart, so ids cannot be probed). 404.
	ErrNotFound = svcerr.ErrNotFound
	// ErrForbidden: the caller has no part in this at all. Refusals of
	// status 403 unwrap to it too. 403.
	ErrForbidden = svcerr.ErrForbidden
	// ErrConflict: the request contradicts the record's state. Refusals of
	// status 409 unwrap to it too. 409.
	ErrConflict = svcerr.ErrConflict
)

// FieldError is invalid input: Field names the JSON field with a path
// ("technical.indicators[2].value"), Msg says what is wrong. 400.
type FieldError = svcerr.FieldError

func fieldErrorf(field, format string, args ...any) *FieldError {
	return svcerr.Fieldf(field, format, args...)
}
