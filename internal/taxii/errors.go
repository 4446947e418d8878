package taxii

import (
	"errors"
	"strconv"
	"unicode/utf8"

	"github.com/acd-platform/acd/internal/svcerr"
)

// Errors callers branch on; package taxiiapi maps them to TAXII error
// messages.
var (
	// ErrNotFound: no such collection, object or status, or one the
	// caller may not see (the two are not told apart). 404.
	ErrNotFound = svcerr.ErrNotFound
	// ErrForbidden: the caller sees the collection but may not do this to
	// it: read a collection it may only write, or write one it may only
	// read. 403.
	ErrForbidden = svcerr.ErrForbidden
	// ErrCursor: the next token is malformed, was issued for another
	// query, collection or reader, was altered, or has expired. The client
	// should start again without it (with added_after). 400.
	ErrCursor = errors.New("invalid next token")
)

// FieldError is invalid input: Field names the query parameter or the
// property at fault ("match[version]", "objects[3]"), Msg says what is
// wrong. 400.
type FieldError = svcerr.FieldError

func fieldErrorf(field, format string, args ...any) *FieldError {
	return svcerr.Fieldf(field, format, args...)
}

// quote quotes s for an error message, cut to 64 characters so that a
// hostile value does not flood logs.
func quote(s string) string {
	const max = 64
	if utf8.RuneCountInString(s) <= max {
		return strconv.Quote(s)
	}
	r := []rune(s)
	return strconv.Quote(string(r[:max])) + "…"
}
