package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are the argon2id parameters for new password hashes. Stored
// hashes carry their own parameters, so changing these affects only new
// hashes (and rehashes at the next successful login).
type Argon2Params struct {
	// Memory in KiB.
	Memory uint32
	// Time is the number of passes.
	Time uint32
	// Threads is the degree of parallelism.
	Threads uint8
	// SaltLen and KeyLen are in bytes; zero means 16 and 32.
	SaltLen uint32
	KeyLen  uint32
}

// DefaultArgon2 is RFC 9106's second recommended option scaled to a server
// that hashes a few passwords at once: 64 MiB, 3 passes, 2 lanes. It is
// above OWASP's minimum (19 MiB, 2 passes, 1 lane).
var DefaultArgon2 = Argon2Params{Memory: 64 * 1024, Time: 3, Threads: 2, SaltLen: 16, KeyLen: 32}

// MinPasswordLen is the shortest password accepted, in characters (NIST SP
// 800-63B asks for at least 8; ACD asks more because its accounts reach
// national-security data).
const MinPasswordLen = 12

// maxPasswordLen bounds the input so that hashing cannot be used to burn CPU.
const maxPasswordLen = 1024

// Limits on stored parameters, so that a corrupted or planted hash cannot make
// a login allocate without bound.
const (
	maxMemory  = 1 << 20 // KiB = 1 GiB
	maxTime    = 64
	maxKeyLen  = 128
	maxSaltLen = 128
)

func (p Argon2Params) withDefaults() Argon2Params {
	if p.Memory == 0 {
		p.Memory = DefaultArgon2.Memory
	}
	if p.Time == 0 {
		p.Time = DefaultArgon2.Time
	}
	if p.Threads == 0 {
		p.Threads = DefaultArgon2.Threads
	}
	if p.SaltLen == 0 {
		p.SaltLen = 16
	}
	if p.KeyLen == 0 {
		p.KeyLen = 32
	}
	return p
}

// CheckPassword returns ErrWeakPassword (which wraps ErrInvalid) when pw is
// shorter than MinPasswordLen characters, and ErrInvalid when it is longer
// than 1024 bytes.
func CheckPassword(pw string) error {
	if len([]rune(pw)) < MinPasswordLen {
		return ErrWeakPassword
	}
	if len(pw) > maxPasswordLen {
		return fmt.Errorf("%w: password longer than %d bytes", ErrInvalid, maxPasswordLen)
	}
	return nil
}

// HashPassword returns the argon2id hash of password with a fresh random salt,
// in the PHC string format
//
//	$argon2id$v=19$m=65536,t=3,p=2$<salt>$<hash>
//
// (salt and hash in unpadded standard base64). Zero fields of p take their
// DefaultArgon2 values. It does not check the password's strength.
func HashPassword(password string, p Argon2Params) (string, error) {
	p = p.withDefaults()
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifyPassword reports whether password matches the PHC-format argon2id
// hash encoded, comparing in constant time. It returns an error only when
// encoded cannot be parsed.
func VerifyPassword(encoded, password string) (bool, error) {
	p, salt, key, err := parsePHC(encoded)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// PasswordParams returns the parameters of a PHC-format argon2id hash, to
// decide whether it needs rehashing.
func PasswordParams(encoded string) (Argon2Params, error) {
	p, _, _, err := parsePHC(encoded)
	return p, err
}

var errPHC = errors.New("parse password hash")

// parsePHC splits a PHC argon2id string. Its errors never quote the input,
// which is a password hash.
func parsePHC(encoded string) (Argon2Params, []byte, []byte, error) {
	fail := func(format string, args ...any) (Argon2Params, []byte, []byte, error) {
		return Argon2Params{}, nil, nil, fmt.Errorf("%w: "+format, append([]any{errPHC}, args...)...)
	}
	f := strings.Split(encoded, "$")
	if len(f) != 6 || f[0] != "" {
		return fail("want 5 '$'-separated fields, got %d", len(f)-1)
	}
	if f[1] != "argon2id" {
		return fail("algorithm %q, want argon2id", f[1])
	}
	if f[2] != "v="+strconv.Itoa(argon2.Version) {
		return fail("version %q, want v=%d", f[2], argon2.Version)
	}
	var p Argon2Params
	params := strings.Split(f[3], ",")
	if len(params) != 3 {
		return fail("parameters %q, want m=,t=,p=", f[3])
	}
	for i, name := range []string{"m", "t", "p"} {
		k, v, ok := strings.Cut(params[i], "=")
		if !ok || k != name {
			return fail("parameter %d is %q, want %s=N", i+1, params[i], name)
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return fail("parameter %s=%q: not a number", name, v)
		}
		switch name {
		case "m":
			if n < 8 || n > maxMemory {
				return fail("memory %d KiB out of range [8, %d]", n, maxMemory)
			}
			p.Memory = uint32(n)
		case "t":
			if n < 1 || n > maxTime {
				return fail("time %d out of range [1, %d]", n, maxTime)
			}
			p.Time = uint32(n)
		case "p":
			if n < 1 || n > 255 {
				return fail("parallelism %d out of range [1, 255]", n)
			}
			p.Threads = uint8(n)
		}
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(f[4])
	if err != nil || len(salt) < 8 || len(salt) > maxSaltLen {
		return fail("bad salt")
	}
	key, err := b64.DecodeString(f[5])
	if err != nil || len(key) < 16 || len(key) > maxKeyLen {
		return fail("bad hash")
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	return p, salt, key, nil
}
