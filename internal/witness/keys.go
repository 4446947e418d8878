package witness

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	tnote "github.com/transparency-dev/formats/note"
	"golang.org/x/mod/sumdb/note"
)

// Key types of the signed-note verifier-key format (C2SP signed-note): an
// ordinary Ed25519 note key and an Ed25519 cosignature/v1 key. Both name the
// same Ed25519 key; they differ in the key hash, which for cosignatures is
// SHA-256(name || "\n" || 0x04 || public key)[:4].
const (
	keyTypeEd25519      = 0x01
	keyTypeCosigEd25519 = 0x04
)

// maxKeyLen bounds a key string, so that a hostile flag or file is refused
// before it is decoded.
const maxKeyLen = 1024

// GenerateKey makes a new Ed25519 witness key named name (a schema-less URL
// such as "commission.go.jp/witness" is recommended by C2SP). It returns the
// private key in note signer-key form ("PRIVATE+KEY+name+hash+key", kept
// only by the commission) and the public key in cosignature/v1 verifier-key
// form ("name+hash+key", key type 0x04), which the server and `acd log
// verify` are given. rand defaults to crypto/rand.
func GenerateKey(rnd io.Reader, name string) (skey, vkey string, err error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	if !validName(name) {
		return "", "", fmt.Errorf("witness key name %q: must be non-empty UTF-8 without spaces or '+'", name)
	}
	skey, plain, err := note.GenerateKey(rnd, name)
	if err != nil {
		return "", "", fmt.Errorf("generate witness key: %w", err)
	}
	vkey, err = tnote.VKeyToCosignatureV1(plain)
	if err != nil {
		return "", "", fmt.Errorf("generate witness key: %w", err)
	}
	return skey, vkey, nil
}

// NewSigner returns a note.Signer that makes timestamped cosignature/v1
// signatures (C2SP tlog-cosignature) with the Ed25519 private key skey,
// given in note signer-key form as GenerateKey writes it. The signature
// carries the signing time, read from the system clock.
func NewSigner(skey string) (note.Signer, error) {
	skey = strings.TrimSpace(skey)
	if len(skey) > maxKeyLen {
		return nil, fmt.Errorf("witness private key: longer than %d bytes", maxKeyLen)
	}
	if !strings.HasPrefix(skey, "PRIVATE+KEY+") {
		return nil, errors.New(`witness private key: want "PRIVATE+KEY+name+hash+key" (as acd witness keygen writes it)`)
	}
	// Only Ed25519: the note library also takes ML-DSA keys, which ACD's
	// verifiers are not set up for.
	// The base64 key may itself hold '+'.
	parts := strings.SplitN(skey, "+", 5)
	if len(parts) != 5 {
		return nil, errors.New("witness private key: want PRIVATE+KEY+name+hash+key")
	}
	raw, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(raw) == 0 || (raw[0] != keyTypeEd25519 && raw[0] != keyTypeCosigEd25519) {
		return nil, errors.New("witness private key: not an Ed25519 note key")
	}
	s, err := tnote.NewSignerForCosignatureV1(skey)
	if err != nil {
		return nil, fmt.Errorf("witness private key: %w", err)
	}
	return s, nil
}

// VerifierKey returns the cosignature/v1 verifier key of the signer that
// NewSigner(skey) returns, as GenerateKey printed it.
func VerifierKey(skey string) (string, error) {
	s, err := NewSigner(skey)
	if err != nil {
		return "", err
	}
	parts := strings.SplitN(strings.TrimSpace(skey), "+", 5)
	raw, _ := base64.StdEncoding.DecodeString(parts[4])
	pub, err := publicFromSeed(raw[1:])
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s+%08x+%s", s.Name(), s.KeyHash(),
		base64.StdEncoding.EncodeToString(append([]byte{keyTypeCosigEd25519}, pub...))), nil
}

// NewVerifier parses a witness public key and returns a verifier of its
// cosignature/v1 signatures. vkey is "name+hash+key" with key type 0x04
// (as GenerateKey prints it) or an ordinary Ed25519 note key (type 0x01) of
// the same key pair; the hash must be the one the key's type implies, so a
// mistyped key is refused rather than silently never matching.
func NewVerifier(vkey string) (note.Verifier, error) {
	vkey = strings.TrimSpace(vkey)
	if len(vkey) > maxKeyLen {
		return nil, fmt.Errorf("witness key: longer than %d bytes", maxKeyLen)
	}
	parts := strings.SplitN(vkey, "+", 3)
	if len(parts) != 3 {
		return nil, fmt.Errorf("witness key %q: want name+hash+key", vkey)
	}
	name, hash16, key64 := parts[0], parts[1], parts[2]
	if !validName(name) {
		return nil, fmt.Errorf("witness key %q: bad name %q", vkey, name)
	}
	hash, err := strconv.ParseUint(hash16, 16, 32)
	if err != nil || len(hash16) != 8 {
		return nil, fmt.Errorf("witness key %q: key hash %q is not 8 hex digits", vkey, hash16)
	}
	raw, err := base64.StdEncoding.DecodeString(key64)
	if err != nil || len(raw) != 33 {
		return nil, fmt.Errorf("witness key %q: key is not a base64 type byte and 32-byte Ed25519 public key", vkey)
	}
	switch raw[0] {
	case keyTypeCosigEd25519:
	case keyTypeEd25519:
		if uint32(hash) != keyHash(name, raw) {
			return nil, fmt.Errorf("witness key %q: key hash %08x does not match the key (want %08x)", vkey, hash, keyHash(name, raw))
		}
		if vkey, err = tnote.VKeyToCosignatureV1(vkey); err != nil {
			return nil, fmt.Errorf("witness key %q: %w", vkey, err)
		}
		raw[0] = keyTypeCosigEd25519
		hash = uint64(keyHash(name, raw))
	default:
		return nil, fmt.Errorf("witness key %q: key type 0x%02x, want 0x04 (Ed25519 cosignature/v1) or 0x01 (Ed25519)", vkey, raw[0])
	}
	v, err := tnote.NewVerifierForCosignatureV1(vkey)
	if err != nil {
		return nil, fmt.Errorf("witness key %q: %w", vkey, err)
	}
	if v.KeyHash() != uint32(hash) {
		return nil, fmt.Errorf("witness key %q: key hash %08x does not match the key (want %08x)", vkey, hash, v.KeyHash())
	}
	return v, nil
}

// NewVerifiers parses each of vkeys with NewVerifier.
func NewVerifiers(vkeys ...string) ([]note.Verifier, error) {
	out := make([]note.Verifier, 0, len(vkeys))
	for _, k := range vkeys {
		v, err := NewVerifier(k)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// keyHash is the signed-note key hash of a key of type keyWithType[0]: the
// first four bytes, big-endian, of SHA-256(name || "\n" || type || key).
func keyHash(name string, keyWithType []byte) uint32 {
	h := sha256.New()
	h.Write([]byte(name + "\n"))
	h.Write(keyWithType)
	return binary.BigEndian.Uint32(h.Sum(nil)[:4])
}

// validName reports whether name may name a note key: non-empty valid
// UTF-8 without Unicode spaces or '+'.
func validName(name string) bool {
	return name != "" && utf8.ValidString(name) && strings.IndexFunc(name, unicode.IsSpace) < 0 && !strings.Contains(name, "+")
}

func publicFromSeed(seed []byte) (ed25519.PublicKey, error) {
	if len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("witness private key: %d-byte seed, want %d", len(seed), ed25519.SeedSize)
	}
	return ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey), nil
}
