package inspection

import "github.com/acd-platform/acd/internal/svcerr"

// Errors callers branch on; the HTTP layer (package inspectionapi) maps
// them to statuses.
var (
	// ErrNotFound: no such record, or one the caller may not see (the two
	// are not told apart, so ids cannot be probed). 404.
	ErrNotFound = svcerr.ErrNotFound
	// ErrForbidden: the caller may not do this at all (the policy denies
	// the action), or may see the record but not act on it, e.g. a
	// commission member answering a recommendation. 403.
	ErrForbidden = svcerr.ErrForbidden
	// ErrConflict: the request contradicts the record's state, e.g. a
	// finding for a closed inspection or a second answer. 409.
	ErrConflict = svcerr.ErrConflict
)

// FieldError is invalid input: Field names the JSON field (with a path such
// as "subjects[2]"), Msg says what is wrong. 400.
type FieldError = svcerr.FieldError

func fieldErrorf(field, format string, args ...any) *FieldError {
	return svcerr.Fieldf(field, format, args...)
}
