package manifest

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/selection/direction"
)

// Schemas of the three documents.
const (
	Schema            = "acd.approval.manifest/v1"
	KeysSchema        = "acd.approval.keys/v1"
	RevocationsSchema = "acd.approval.revocations/v1"
)

// Legal bases a manifest may rest on.
const (
	BasisAgreement = "ch3" // agreement with an operator
	BasisTransit   = "ch4" // foreign→foreign traffic via Japan, with approval
	BasisForeign   = "ch6" // foreign↔domestic traffic with specific foreign equipment, with approval
)

// maxDocument bounds every document this package reads.
const maxDocument = 4 << 20

// maxCriteriaVersion is the largest version a criteria file can have (its
// parser takes 32-bit versions). It also keeps the number exact in the
// signed canonical form, where JCS writes numbers as IEEE 754 doubles: two
// versions above 2^53 could share a signature.
const maxCriteriaVersion = math.MaxInt32

// Manifest is a signed approval manifest.
type Manifest struct {
	Schema     string `json:"schema"`
	ApprovalID string `json:"approval_id"`
	// Basis is BasisAgreement, BasisTransit or BasisForeign.
	Basis           string `json:"basis"`
	CriteriaID      string `json:"criteria_id"`
	CriteriaVersion int    `json:"criteria_version"`
	// CriteriaSHA256 is the hex SHA-256 of the criteria file's exact bytes.
	CriteriaSHA256 string `json:"criteria_sha256"`
	// Directions are the direction names approved (direction.Direction
	// strings); never domestic-domestic.
	Directions []string `json:"directions"`
	// Facilities names the links, facilities or foreign equipment covered.
	Facilities []string  `json:"facilities"`
	ValidFrom  time.Time `json:"valid_from"`
	ValidUntil time.Time `json:"valid_until"`
	IssuedAt   time.Time `json:"issued_at"`
	KeyID      string    `json:"key_id"`
	// Signature is base64 Ed25519 over the canonical form without it.
	Signature string `json:"signature"`
}

// FieldError is a malformed document: Field names the member ("directions[1]").
type FieldError struct {
	Doc   string
	Field string
	Msg   string
}

func (e *FieldError) Error() string {
	if e.Field == "" {
		return e.Doc + ": " + e.Msg
	}
	return e.Doc + ": " + e.Field + ": " + e.Msg
}

// Parse parses a manifest and checks that it is complete and signed; it does not check
// the signature (see [KeySet.VerifyManifest]).
func Parse(data []byte) (*Manifest, error) {
	var m Manifest
	if err := decodeStrict("manifest", data, &m); err != nil {
		return nil, err
	}
	if err := m.validate(); err != nil {
		return nil, err
	}
	if m.Signature == "" {
		return nil, &FieldError{Doc: "manifest", Field: "signature", Msg: "missing"}
	}
	return &m, nil
}

// validate checks every member but the signature.
func (m *Manifest) validate() error {
	bad := func(field, format string, args ...any) error {
		return &FieldError{Doc: "manifest", Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	switch {
	case m.Schema != Schema:
		return bad("schema", "%q is not %s", m.Schema, Schema)
	case m.ApprovalID == "":
		return bad("approval_id", "missing")
	case m.Basis != BasisAgreement && m.Basis != BasisTransit && m.Basis != BasisForeign:
		return bad("basis", "%q: want ch3, ch4 or ch6", m.Basis)
	case m.CriteriaID == "":
		return bad("criteria_id", "missing")
	case m.CriteriaVersion < 1 || m.CriteriaVersion > maxCriteriaVersion:
		return bad("criteria_version", "%d: want 1 to %d", m.CriteriaVersion, maxCriteriaVersion)
	case !isSHA256Hex(m.CriteriaSHA256):
		return bad("criteria_sha256", "%q: want 64 lower-case hex digits", m.CriteriaSHA256)
	case len(m.Directions) == 0:
		return bad("directions", "missing")
	case m.ValidFrom.IsZero():
		return bad("valid_from", "missing")
	case !m.ValidUntil.After(m.ValidFrom):
		return bad("valid_until", "%s is not after valid_from %s", stamp(m.ValidUntil), stamp(m.ValidFrom))
	case m.IssuedAt.IsZero():
		return bad("issued_at", "missing")
	case m.KeyID == "":
		return bad("key_id", "missing")
	}
	for i, d := range m.Directions {
		dir, err := direction.ParseDirection(d)
		if err != nil {
			return bad(fmt.Sprintf("directions[%d]", i), "%v", err)
		}
		if dir == direction.DomesticDomestic {
			return bad(fmt.Sprintf("directions[%d]", i), "domestic-domestic traffic is never in scope")
		}
		if slices.Contains(m.Directions[:i], d) {
			return bad(fmt.Sprintf("directions[%d]", i), "%q repeated", d)
		}
	}
	for i, f := range m.Facilities {
		if f == "" {
			return bad(fmt.Sprintf("facilities[%d]", i), "empty")
		}
	}
	return nil
}

// Covers reports whether the manifest approves direction d.
func (m *Manifest) Covers(d direction.Direction) bool {
	return slices.Contains(m.Directions, d.String())
}

func isSHA256Hex(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil && s == strings.ToLower(s)
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// decodeStrict decodes one JSON object, refusing unknown members, trailing
// data and oversized input, with the member or byte offset of an error.
func decodeStrict(doc string, data []byte, v any) error {
	if len(data) > maxDocument {
		return &FieldError{Doc: doc, Msg: fmt.Sprintf("%d bytes is over the limit of %d", len(data), maxDocument)}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		field, msg := describeJSONError(err, data, dec.InputOffset())
		return &FieldError{Doc: doc, Field: field, Msg: msg}
	}
	// More alone would let a stray '}' or ']' through.
	if _, err := dec.Token(); err != io.EOF {
		return &FieldError{Doc: doc, Msg: fmt.Sprintf("unexpected data after the object at byte %d", dec.InputOffset())}
	}
	return nil
}

// describeJSONError names the member a decoding error is about, where it
// can, and says what is wrong.
func describeJSONError(err error, data []byte, off int64) (field, msg string) {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	var pe *time.ParseError
	switch {
	case errors.Is(err, io.EOF):
		return "", "empty: want a JSON object"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "", fmt.Sprintf("not valid JSON: it ends at byte %d inside a value", len(data))
	case errors.As(err, &se):
		return "", fmt.Sprintf("not valid JSON at byte %d: %v", se.Offset, se)
	case errors.As(err, &te):
		if te.Field == "" {
			return "", fmt.Sprintf("%s where a JSON object is wanted", te.Value)
		}
		return te.Field, fmt.Sprintf("%s where %s is wanted (byte %d)", te.Value, te.Type, te.Offset)
	case errors.As(err, &pe):
		var doc any
		_ = json.Unmarshal(data, &doc) // it parsed as far as the time
		return pathOf(doc, pe.Value, ""), fmt.Sprintf("%q is not an RFC 3339 time (near byte %d)", pe.Value, off)
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return "", fmt.Sprintf("unknown member %s (near byte %d)", name, off)
	}
	return "", fmt.Sprintf("%v (near byte %d)", err, off)
}

// pathOf returns the path ("revoked[2].revoked_at") of the first string
// equal to s in a decoded JSON document, or "" when there is none.
func pathOf(v any, s, at string) string {
	switch v := v.(type) {
	case string:
		if v == s {
			return at
		}
	case []any:
		for i, e := range v {
			if p := pathOf(e, s, fmt.Sprintf("%s[%d]", at, i)); p != "" {
				return p
			}
		}
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			name := k
			if at != "" {
				name = at + "." + k
			}
			if p := pathOf(v[k], s, name); p != "" {
				return p
			}
		}
	}
	return ""
}
