package commsinfo

import (
	"errors"
	"fmt"

	"github.com/acd-platform/acd/internal/svcerr"
)

// Errors callers branch on; the HTTP layer maps them to statuses.
var (
	// ErrNotFound: no such record, or one the caller may not see (the two
	// are not told apart, so ids cannot be probed). 404. Approvals adapters
	// wrap it for an unknown approval.
	ErrNotFound = svcerr.ErrNotFound
	// ErrForbidden: the caller may see the record but not do this to it,
	// e.g. a user of another organisation answering a cooperation request.
	// 403.
	ErrForbidden = svcerr.ErrForbidden
	// ErrConflict: the request contradicts the record's state, e.g.
	// accepting a request already declined. 409.
	ErrConflict = svcerr.ErrConflict
	// ErrRefused: a provision has no valid legal basis (§23). The attempt
	// is in the audit log. 403 with code "provision_refused".
	ErrRefused = errors.New("provision refused")
	// ErrRejected: an uploaded run was refused as a whole and nothing of it
	// kept: a truncated body, criteria or approval that do not match, a
	// malformed or unknown record. 422.
	ErrRejected = errors.New("run rejected")
)

// FieldError is invalid input: Field names the JSON field (with a path such
// as "indicators[2].value"), Msg says what is wrong. 400.
type FieldError = svcerr.FieldError

func fieldErrorf(field, format string, args ...any) *FieldError {
	return svcerr.Fieldf(field, format, args...)
}

// RejectError says why an upload was rejected and where: Line is the
// 1-based line of the body at fault (0 when it concerns the whole body).
// It wraps ErrRejected.
type RejectError struct {
	Line int
	Msg  string
}

func (e *RejectError) Error() string {
	if e.Line == 0 {
		return "run rejected: " + e.Msg
	}
	return fmt.Sprintf("run rejected: line %d: %s", e.Line, e.Msg)
}

// Unwrap makes errors.Is(err, ErrRejected) hold.
func (e *RejectError) Unwrap() error { return ErrRejected }

func rejectf(line int, format string, args ...any) *RejectError {
	return &RejectError{Line: line, Msg: fmt.Sprintf(format, args...)}
}

// RefusedError is a provision refused for want of a legal basis. It wraps
// ErrRefused.
type RefusedError struct {
	Basis  string // the basis claimed
	Reason string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("provision refused under %q: %s", e.Basis, e.Reason)
}

// Unwrap makes errors.Is(err, ErrRefused) hold.
func (e *RefusedError) Unwrap() error { return ErrRefused }

func notFoundf(format string, args ...any) error { return svcerr.NotFoundf(format, args...) }

func conflictf(format string, args ...any) error { return svcerr.Conflictf(format, args...) }

func forbiddenf(format string, args ...any) error { return svcerr.Forbiddenf(format, args...) }

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }
