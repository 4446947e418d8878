package extract

import (
	"errors"
	"strconv"
)

// ErrNeedMore reports that the input ends before the structure being parsed
// does. It is not a verdict on the input: the caller should call again with
// the same bytes followed by more (up to its per-flow cap), and give up on
// the flow once the cap is reached.
var ErrNeedMore = errors.New("extract: need more bytes")

// A ParseError reports input that is not the protocol asked for, or is
// malformed. It carries only the protocol, an offset and a fixed reason
// written in this package: never any byte of the input, so that it can be
// logged without carrying content.
type ParseError struct {
	Proto  string // "http", "chunked", "tls", "dns", "smtp" or "mail"
	Offset int    // offset in the input at which the problem was found
	Reason string // what is wrong, a constant of this package
}

// Error returns "parse <proto>: <reason> at offset <n>".
func (e *ParseError) Error() string {
	return "parse " + e.Proto + ": " + e.Reason + " at offset " + strconv.Itoa(e.Offset)
}

// perr returns a *ParseError. Only malformed input pays for the allocation.
func perr(proto string, off int, reason string) error {
	return &ParseError{Proto: proto, Offset: off, Reason: reason}
}
