package stix

import (
	"bytes"
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
)

// UUID is an RFC 4122 UUID.
type UUID [16]byte

// scoNamespace is the namespace of the UUIDv5 identifiers of
// cyber-observables (STIX 2.1 §2.9), 00abedb4-aa42-466c-9c01-fed23315a9b7.
var scoNamespace = UUID{0x00, 0xab, 0xed, 0xb4, 0xaa, 0x42, 0x46, 0x6c, 0x9c, 0x01, 0xfe, 0xd2, 0x33, 0x15, 0xa9, 0xb7}

// ParseUUID parses the 36-character hexadecimal form of a UUID, either
// case. It accepts RFC 4122 UUIDs of versions 1 to 5 only, as STIX does.
func ParseUUID(s string) (UUID, error) {
	var u UUID
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return u, fmt.Errorf("%s is not a UUID", quote(s))
	}
	h := s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:36]
	if _, err := hex.Decode(u[:], []byte(h)); err != nil {
		return u, fmt.Errorf("%s is not a UUID", quote(s))
	}
	if v := u.Version(); v < 1 || v > 5 {
		return u, fmt.Errorf("%s is a UUID of version %d, want 1 to 5", quote(s), v)
	}
	if u[8]&0xc0 != 0x80 {
		return u, fmt.Errorf("%s is not an RFC 4122 UUID (wrong variant)", quote(s))
	}
	return u, nil
}

// Version returns u's version number (4 for random, 5 for name-based).
func (u UUID) Version() int { return int(u[6] >> 4) }

// String returns u in lower-case hexadecimal with hyphens.
func (u UUID) String() string {
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return string(b[:])
}

// newUUIDv4 returns a random UUID.
func newUUIDv4() UUID {
	var u UUID
	rand.Read(u[:]) // never fails (crypto/rand, Go ≥ 1.24)
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return u
}

// uuidV5 returns the name-based UUID of name in ns (RFC 4122 §4.3, SHA-1).
func uuidV5(ns UUID, name []byte) UUID {
	h := sha1.New()
	h.Write(ns[:])
	h.Write(name)
	var u UUID
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return u
}

// NewID returns a new identifier for an object of type typ: typ--UUIDv4,
// from crypto/rand, as the specification recommends for SDOs, SROs,
// meta-objects and bundles.
func NewID(typ string) string { return typ + "--" + newUUIDv4().String() }

// NewIDv5 returns the identifier typ--UUIDv5(ns, name): the same inputs
// always give the same identifier, so a producer can make output that is
// reproducible. ns must be the producer's own namespace, never
// the specification's SCO namespace.
func NewIDv5(typ string, ns UUID, name string) string {
	return typ + "--" + uuidV5(ns, []byte(name)).String()
}

// ParseID splits an identifier into its type and UUID, checking both.
func ParseID(id string) (typ string, u UUID, err error) {
	i := strings.Index(id, "--")
	if i < 0 || len(id)-i-2 != 36 {
		return "", u, fmt.Errorf("%s is not an identifier (type--UUID)", quote(id))
	}
	typ = id[:i]
	if err := checkTypeName(typ); err != nil {
		return "", u, fmt.Errorf("%s is not an identifier: %v", quote(id), err)
	}
	u, err = ParseUUID(id[i+2:])
	if err != nil {
		return "", u, fmt.Errorf("%s is not an identifier: %v", quote(id), err)
	}
	return typ, u, nil
}

// IDType returns the type part of an identifier, or "" if id has none.
func IDType(id string) string {
	typ, _, ok := strings.Cut(id, "--")
	if !ok {
		return ""
	}
	return typ
}

// checkTypeName checks an object type name (§2.7 / §11.1): 3 to 250
// characters of a–z, 0–9 and hyphen, starting with a letter, no double
// hyphen.
func checkTypeName(typ string) error {
	if len(typ) < 3 || len(typ) > 250 {
		return fmt.Errorf("type %s must be 3 to 250 characters", quote(typ))
	}
	if typ[0] < 'a' || typ[0] > 'z' {
		return fmt.Errorf("type %s must start with a lower-case letter", quote(typ))
	}
	for i := 0; i < len(typ); i++ {
		c := typ[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return fmt.Errorf("type %s may hold only a-z, 0-9 and hyphens", quote(typ))
		}
		if c == '-' && i > 0 && typ[i-1] == '-' {
			return fmt.Errorf("type %s has two hyphens in a row", quote(typ))
		}
	}
	return nil
}

// SCOID returns the deterministic identifier of a cyber-observable of type
// typ (§2.9): typ--UUIDv5 in the specification's SCO namespace of the RFC 8785 canonical JSON
// of props, which must hold the type's id-contributing properties that the
// object has (e.g. {"value": "198.51.100.3"} for ipv4-addr; for file any of
// hashes, name, extensions, parent_directory_ref). A "hashes" dictionary is
// reduced to one hash, the first of MD5, SHA-1, SHA-256, SHA-512 present, or
// else the first by name, as the specification and the OASIS libraries do.
// Values may be strings, booleans, integers, []string, []any and maps with
// string keys of these.
func SCOID(typ string, props map[string]any) (string, error) {
	if len(props) == 0 {
		return "", errors.New("scoid: no id-contributing properties")
	}
	if h, ok := props["hashes"]; ok {
		one, err := chooseOneHash(h)
		if err != nil {
			return "", fmt.Errorf("scoid: %w", err)
		}
		props = copyProps(props)
		props["hashes"] = one
	}
	var b bytes.Buffer
	if err := canonicalJSON(&b, props); err != nil {
		return "", fmt.Errorf("scoid: %w", err)
	}
	return typ + "--" + uuidV5(scoNamespace, b.Bytes()).String(), nil
}

// copyProps returns a shallow copy of m.
func copyProps(m map[string]any) map[string]any {
	c := make(map[string]any, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

func chooseOneHash(h any) (map[string]any, error) {
	var m map[string]any
	switch h := h.(type) {
	case map[string]string:
		m = make(map[string]any, len(h))
		for k, v := range h {
			m[k] = v
		}
	case map[string]any:
		m = h
	default:
		return nil, fmt.Errorf("hashes: want a map, have %T", h)
	}
	for _, k := range []string{"MD5", "SHA-1", "SHA-256", "SHA-512"} {
		if v, ok := m[k]; ok {
			return map[string]any{k: v}, nil
		}
	}
	keys := sortedKeys(m)
	if len(keys) == 0 {
		return nil, errors.New("hashes: empty")
	}
	return map[string]any{keys[0]: m[keys[0]]}, nil
}

// sortedKeys returns m's keys in the order of RFC 8785: by UTF-16 code
// units.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		return slices.Compare(utf16.Encode([]rune(a)), utf16.Encode([]rune(b)))
	})
	return keys
}

// canonicalJSON writes v as RFC 8785 (JCS) JSON. Only the value kinds the
// id-contributing properties of SCOs take are supported; numbers must be
// integers.
func canonicalJSON(b *bytes.Buffer, v any) error {
	switch v := v.(type) {
	case string:
		jcsString(b, v)
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case int:
		b.WriteString(strconv.Itoa(v))
	case int64:
		b.WriteString(strconv.FormatInt(v, 10))
	case []string:
		b.WriteByte('[')
		for i, s := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			jcsString(b, s)
		}
		b.WriteByte(']')
	case []any:
		b.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := canonicalJSON(b, e); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case map[string]string:
		b.WriteByte('{')
		for i, k := range sortedKeys(v) {
			if i > 0 {
				b.WriteByte(',')
			}
			jcsString(b, k)
			b.WriteByte(':')
			jcsString(b, v[k])
		}
		b.WriteByte('}')
	case map[string]any:
		b.WriteByte('{')
		for i, k := range sortedKeys(v) {
			if i > 0 {
				b.WriteByte(',')
			}
			jcsString(b, k)
			b.WriteByte(':')
			if err := canonicalJSON(b, v[k]); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	default:
		return fmt.Errorf("cannot canonicalise a %T", v)
	}
	return nil
}

// jcsString writes s as a JSON string the way RFC 8785 (ECMAScript
// JSON.stringify) does: only ", \ and control characters are escaped.
func jcsString(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 {
				fmt.Fprintf(b, `\u%04x`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
}
