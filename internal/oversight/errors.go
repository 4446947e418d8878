package oversight

import "github.com/acd-platform/acd/internal/svcerr"

// Errors callers branch on; the HTTP layer (oversightapi.Error) maps them to
// statuses.
var (
	// ErrNotFound: no such record, or one the caller may not see (the two
	// are not told apart, so ids cannot be probed). 404.
	ErrNotFound = svcerr.ErrNotFound
	// ErrForbidden: the caller may see the record but not do this to it:
	// the wrong side of an agreement answering a consultation, a
	// commission user acting on a request they filed, an analyst holding
	// a commission role. 403.
	ErrForbidden = svcerr.ErrForbidden
	// ErrConflict: the request contradicts the record's state, e.g. a
	// second vote on one motion, a manifest of a refused request, signing
	// an agreement with a consultation open. 409.
	ErrConflict = svcerr.ErrConflict
)

// FieldError is invalid input: Field names the JSON field with a path
// ("narrowing.remove_matchers[1].addresses[0]"), Msg says what is wrong.
// 400.
type FieldError = svcerr.FieldError

func fieldErrorf(field, format string, args ...any) *FieldError {
	return svcerr.Fieldf(field, format, args...)
}
