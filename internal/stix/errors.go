package stix

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Error is a bundle or an object that breaks the STIX 2.1 specification.
// Its text names the object and the property:
//
//	objects[3] (indicator--8e2e2d2b-…): pattern: unexpected "]" at offset 17
type Error struct {
	// Index is the object's position in the bundle's objects, or -1 when
	// the error is about the bundle itself or an object parsed on its own.
	Index int
	// ID is the object's identifier, when it has a well-formed one.
	ID string
	// Path is the property at fault, e.g. "pattern" or
	// "external_references[0].url"; empty when the object as a whole is.
	Path string
	// Err says what is wrong.
	Err error
}

func (e *Error) Error() string {
	var b strings.Builder
	switch {
	case e.Index >= 0 && e.ID != "":
		fmt.Fprintf(&b, "objects[%d] (%s): ", e.Index, e.ID)
	case e.Index >= 0:
		fmt.Fprintf(&b, "objects[%d]: ", e.Index)
	case e.ID != "":
		b.WriteString(e.ID + ": ")
	}
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns e.Err, e.g. a [*PatternError].
func (e *Error) Unwrap() error { return e.Err }

// fieldError returns an *Error about the property at path.
func fieldError(path, format string, args ...any) *Error {
	return &Error{Index: -1, Path: path, Err: fmt.Errorf(format, args...)}
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
