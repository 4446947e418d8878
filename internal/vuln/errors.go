package vuln

import "github.com/acd-platform/acd/internal/svcerr"

// Errors callers branch on; the HTTP layer maps them with svcerr.API.
var (
	// ErrNotFound: no such vulnerability, or a scope the caller may not
	// see. 404.
	ErrNotFound = svcerr.ErrNotFound
	// ErrForbidden: the caller may not see this view at all (an operator
	// asking for a sector's exposure). 403.
	ErrForbidden = svcerr.ErrForbidden
)

// FieldError is invalid input: Field names the JSON field, Msg says what is
// wrong. 400.
type FieldError = svcerr.FieldError
