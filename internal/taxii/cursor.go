package taxii

import (
	"crypto/hmac"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/keys"
)

// APIRoot is the name of the one API root, under which taxiiapi serves the
// collections (/taxii2/api/); next tokens are bound to it.
const APIRoot = "api"

// Cursor is a next token taken apart: where the previous page ended, until
// when the token is honoured, and the MAC that binds it to one query. The
// text form is
//
//	t1.<key id>.<date_added, µs since 1970>.<seq>.<expiry, s since 1970>.<MAC, base64url>
//
// ParseCursor checks only the form; Service.verifyCursor checks the MAC
// against the query being served.
type Cursor struct {
	// KeyID is the version of the cursor key (keys.Cursor) that made MAC.
	KeyID string
	// DateAdded and Seq are the position of the last object of the
	// previous page.
	DateAdded time.Time
	Seq       int64
	// Expires is when the token stops being honoured (whole seconds).
	Expires time.Time
	// MAC is HMAC-SHA256 over the binding and the fields above.
	MAC []byte
}

const cursorPrefix = "t1"

// ParseCursor reads a next token. It accepts exactly the form String
// writes, so that a token has one spelling; the error quotes the token and
// says which part is wrong.
func ParseCursor(s string) (Cursor, error) {
	bad := func(format string, args ...any) (Cursor, error) {
		return Cursor{}, fmt.Errorf("next %s: %s: %w", quote(s), fmt.Sprintf(format, args...), ErrCursor)
	}
	if len(s) > maxNext {
		return bad("longer than %d characters", maxNext)
	}
	parts := strings.Split(s, ".")
	if len(parts) != 6 {
		return bad("want 6 dot-separated parts, have %d", len(parts))
	}
	if parts[0] != cursorPrefix {
		return bad("part 1: want %q", cursorPrefix)
	}
	kid := parts[1]
	if len(kid) != 16 || strings.Trim(kid, "0123456789abcdef") != "" {
		return bad("part 2: want a key id of 16 lower-case hex digits")
	}
	num := func(i int, what string) (int64, error) {
		p := parts[i]
		n, err := strconv.ParseInt(p, 10, 64)
		if err != nil || n < 0 || strconv.FormatInt(n, 10) != p {
			return 0, fmt.Errorf("part %d: want %s as a non-negative decimal without leading zeros", i+1, what)
		}
		return n, nil
	}
	added, err := num(2, "date_added in microseconds")
	if err != nil {
		return bad("%v", err)
	}
	seq, err := num(3, "a sequence number")
	if err != nil {
		return bad("%v", err)
	}
	exp, err := num(4, "the expiry in seconds")
	if err != nil {
		return bad("%v", err)
	}
	if len(parts[5]) != 43 || strings.Trim(parts[5], "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
		return bad("part 6: want a 32-byte MAC in unpadded base64url")
	}
	mac, err := base64.RawURLEncoding.Strict().DecodeString(parts[5])
	if err != nil || len(mac) != 32 {
		return bad("part 6: want a 32-byte MAC in unpadded base64url")
	}
	return Cursor{KeyID: kid, DateAdded: time.UnixMicro(added).UTC(), Seq: seq, Expires: time.Unix(exp, 0).UTC(), MAC: mac}, nil
}

// String writes the token.
func (c Cursor) String() string {
	return strings.Join([]string{cursorPrefix, c.KeyID,
		strconv.FormatInt(c.DateAdded.UnixMicro(), 10), strconv.FormatInt(c.Seq, 10), strconv.FormatInt(c.Expires.Unix(), 10),
		base64.RawURLEncoding.EncodeToString(c.MAC)}, ".")
}

// binding is what a next token is issued for.
type binding struct {
	collection string   // collection id
	endpoint   Endpoint // what the pages list
	objectID   string   // for EndpointObject and EndpointVersions
	filters    string   // Query.filters
	reader     string   // user and organisation of the caller, "" for the public
}

// message is the MAC input: every field length-prefixed, so that no two
// bindings and positions share one.
func (c Cursor) message(b binding) []byte {
	var m []byte
	field := func(s string) {
		m = binary.AppendUvarint(m, uint64(len(s)))
		m = append(m, s...)
	}
	field("acd taxii next " + cursorPrefix)
	field(APIRoot)
	field(b.collection)
	field(string(b.endpoint))
	field(b.objectID)
	field(b.filters)
	field(b.reader)
	m = binary.BigEndian.AppendUint64(m, uint64(c.DateAdded.UnixMicro()))
	m = binary.BigEndian.AppendUint64(m, uint64(c.Seq))
	m = binary.BigEndian.AppendUint64(m, uint64(c.Expires.Unix()))
	return m
}

// signCursor returns the next token for the position (added, seq) of the
// query bound by b.
func (s *Service) signCursor(b binding, added time.Time, seq int64) (string, error) {
	k, err := s.ring.Current(keys.Cursor)
	if err != nil {
		return "", fmt.Errorf("sign next: %w", err)
	}
	c := Cursor{KeyID: k.ID, DateAdded: added.UTC().Truncate(time.Microsecond), Seq: seq,
		Expires: s.now().Add(s.cfg.CursorTTL).Truncate(time.Second)}
	if c.MAC, err = k.MAC(c.message(b)); err != nil {
		return "", fmt.Errorf("sign next: %w", err)
	}
	return c.String(), nil
}

// verifyCursor checks a next token against the query it is presented with
// and returns the position it carries. Every error wraps ErrCursor.
func (s *Service) verifyCursor(tok string, b binding) (Cursor, error) {
	c, err := ParseCursor(tok)
	if err != nil {
		return Cursor{}, err
	}
	notIssued := fmt.Errorf("next: not issued for this collection, these filters and this caller, or altered: %w", ErrCursor)
	k, err := s.ring.ByID(keys.Cursor, c.KeyID)
	if err != nil {
		return Cursor{}, notIssued
	}
	want, err := k.MAC(c.message(b))
	if err != nil {
		return Cursor{}, fmt.Errorf("verify next: %w", err)
	}
	if !hmac.Equal(want, c.MAC) {
		return Cursor{}, notIssued
	}
	if !s.now().Before(c.Expires) {
		return Cursor{}, fmt.Errorf("next: expired at %s; start again with added_after: %w", c.Expires.Format(time.RFC3339), ErrCursor)
	}
	return c, nil
}
