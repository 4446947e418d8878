// Package keys keeps ACD's signing and MAC keys: one key per purpose, each
// version with a key id, created on first start, rotatable, with old versions
// kept so that what they signed or keyed can still be verified.
//
// Keys live in one JSON file per purpose under the key directory, mode 0600
// (the directory 0700). The private halves never leave this package except
// through [Key.Sign], [Key.MAC], [Key.Seal], [Ring.OpenSealed] and
// [Key.NoteSigner], and [Key.Ed25519PrivateKey] for formats whose library
// signs with the key itself (OpenPGP); a Key logs as its id.
//
// A directory made before a purpose was added gets that purpose's first key
// when Open next opens it (the advisory-signing key, for example, appears on
// the first start of a version that has it).
package keys

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// Purpose names what a key is for. Each purpose has its own key.
type Purpose string

// The purposes of DESIGN.md. The commission's witness key is not here: it
// lives only with the commission.
const (
	AuditCheckpoint  Purpose = "audit-checkpoint"  // Ed25519: signs audit-log checkpoints
	AuditHMAC        Purpose = "audit-hmac"        // HMAC-SHA256: keyed digests of audited payloads
	ApprovalManifest Purpose = "approval-manifest" // Ed25519: signs commission approval manifests
	Cursor           Purpose = "cursor"            // HMAC-SHA256: feed and TAXII cursor tokens
	EmailPseudonym   Purpose = "email-pseudonym"   // HMAC-SHA256: pseudonymised e-mail addresses
	SecretBox        Purpose = "secret-box"        // AES-256-GCM: secrets kept in the database (TOTP seeds)
	AdvisorySigning  Purpose = "advisory-signing"  // Ed25519: signs the CSAF documents (as an OpenPGP key)
)

// Purposes lists every purpose the ring manages.
var Purposes = []Purpose{AuditCheckpoint, AuditHMAC, ApprovalManifest, Cursor, EmailPseudonym, SecretBox, AdvisorySigning}

// addedLater reports whether p was added after key directories were first
// made: Open creates its key in an existing directory, and Load, which
// creates nothing, accepts a directory without it (Current then fails for
// it), so that verifying an older data directory still works.
func addedLater(p Purpose) bool { return p == AdvisorySigning }

// Algorithm is a key's algorithm.
type Algorithm string

// Algorithms.
const (
	Ed25519    Algorithm = "ed25519"
	HMACSHA256 Algorithm = "hmac-sha256"
	AES256GCM  Algorithm = "aes-256-gcm"
)

// AlgorithmOf returns the algorithm a purpose uses.
func AlgorithmOf(p Purpose) (Algorithm, bool) {
	switch p {
	case AuditCheckpoint, ApprovalManifest, AdvisorySigning:
		return Ed25519, true
	case AuditHMAC, Cursor, EmailPseudonym:
		return HMACSHA256, true
	case SecretBox:
		return AES256GCM, true
	}
	return "", false
}

// Key is one version of a purpose's key.
type Key struct {
	ID        string
	Purpose   Purpose
	Algorithm Algorithm
	Created   time.Time
	// Retired is when a rotation replaced this version; zero for the current.
	Retired time.Time
	// Public is the Ed25519 public key; nil for HMAC keys.
	Public ed25519.PublicKey

	private ed25519.PrivateKey
	secret  []byte
}

// LogValue keeps key material out of logs.
func (k *Key) LogValue() slog.Value {
	return slog.GroupValue(slog.String("purpose", string(k.Purpose)), slog.String("id", k.ID))
}

// String names the key without its material.
func (k *Key) String() string { return string(k.Purpose) + "/" + k.ID }

// Sign signs msg with an Ed25519 key.
func (k *Key) Sign(msg []byte) ([]byte, error) {
	if k.private == nil {
		return nil, fmt.Errorf("key %s: not an ed25519 key", k)
	}
	return ed25519.Sign(k.private, msg), nil
}

// Ed25519PrivateKey returns a copy of an Ed25519 key's private key, for a
// format whose library signs only with the key itself rather than through
// [Key.Sign] (go-crypto's OpenPGP signatures). The caller keeps it in
// memory only, for signing: it must never be logged, stored or sent. It
// fails for a key of another algorithm.
func (k *Key) Ed25519PrivateKey() (ed25519.PrivateKey, error) {
	if k.private == nil {
		return nil, fmt.Errorf("key %s: not an ed25519 key", k)
	}
	return append(ed25519.PrivateKey(nil), k.private...), nil
}

// MAC returns HMAC-SHA256(key, msg) for an HMAC key.
func (k *Key) MAC(msg []byte) ([]byte, error) {
	if k.secret == nil || k.Algorithm != HMACSHA256 {
		return nil, fmt.Errorf("key %s: not an HMAC key", k)
	}
	m := hmac.New(sha256.New, k.secret)
	m.Write(msg)
	return m.Sum(nil), nil
}

// Seal encrypts plaintext with an AES-256-GCM key, binding it to context
// (for example "totp/usr_123", so a sealed value cannot be moved to another
// row). The result is the key id, a dot, and base64 of nonce||ciphertext, so
// Open finds the key version after a rotation.
func (k *Key) Seal(plaintext []byte, context string) (string, error) {
	aead, err := k.aead()
	if err != nil {
		return "", err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := aead.Seal(nonce, nonce, plaintext, []byte(context))
	return k.ID + "." + base64.RawStdEncoding.EncodeToString(out), nil
}

// ErrSealed means a sealed value could not be opened: wrong key, context or
// a damaged value.
var ErrSealed = errors.New("sealed value does not open")

// OpenSealed opens a value made by Key.Seal with whichever version of the
// SecretBox key sealed it.
func (r *Ring) OpenSealed(sealed, context string) ([]byte, error) {
	id, body, ok := strings.Cut(sealed, ".")
	if !ok {
		return nil, ErrSealed
	}
	k, err := r.ByID(SecretBox, id)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSealed, err)
	}
	raw, err := base64.RawStdEncoding.DecodeString(body)
	if err != nil {
		return nil, ErrSealed
	}
	aead, err := k.aead()
	if err != nil {
		return nil, err
	}
	if len(raw) < aead.NonceSize() {
		return nil, ErrSealed
	}
	pt, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], []byte(context))
	if err != nil {
		return nil, ErrSealed
	}
	return pt, nil
}

func (k *Key) aead() (cipher.AEAD, error) {
	if k.Algorithm != AES256GCM || len(k.secret) != 32 {
		return nil, fmt.Errorf("key %s: not an AES-256-GCM key", k)
	}
	block, err := aes.NewCipher(k.secret)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// NewMAC returns a reusable HMAC-SHA256 for an HMAC key, for checking many
// values in a row (Reset between them). It is not safe for concurrent use.
func (k *Key) NewMAC() (hash.Hash, error) {
	if k.secret == nil || k.Algorithm != HMACSHA256 {
		return nil, fmt.Errorf("key %s: not an HMAC key", k)
	}
	return hmac.New(sha256.New, k.secret), nil
}

// NoteVerifierKey returns the public key in the golang.org/x/mod/sumdb/note
// verifier-key form "name+hash+key", which `acd log pubkey` prints and
// verifiers pass to note.NewVerifier.
func (k *Key) NoteVerifierKey(name string) (string, error) {
	if k.Public == nil {
		return "", fmt.Errorf("key %s: not an ed25519 key", k)
	}
	return fmt.Sprintf("%s+%08x+%s", name, noteKeyHash(name, k.Public), base64.StdEncoding.EncodeToString(append([]byte{1}, k.Public...))), nil
}

// NoteSigner returns a note.Signer named name that signs with this key.
func (k *Key) NoteSigner(name string) (note.Signer, error) {
	if k.private == nil {
		return nil, fmt.Errorf("key %s: not an ed25519 key", k)
	}
	if !validNoteName(name) {
		return nil, fmt.Errorf("note name %q: must be non-empty without spaces or '+'", name)
	}
	return &noteSigner{name: name, hash: noteKeyHash(name, k.Public), priv: k.private}, nil
}

type noteSigner struct {
	name string
	hash uint32
	priv ed25519.PrivateKey
}

func (s *noteSigner) Name() string                    { return s.name }
func (s *noteSigner) KeyHash() uint32                 { return s.hash }
func (s *noteSigner) Sign(msg []byte) ([]byte, error) { return ed25519.Sign(s.priv, msg), nil }

// noteKeyHash is the key hash of the note format: the first four bytes of
// SHA-256(name || "\n" || 0x01 || public key), big-endian.
func noteKeyHash(name string, pub ed25519.PublicKey) uint32 {
	h := sha256.New()
	h.Write([]byte(name + "\n"))
	h.Write([]byte{1})
	h.Write(pub)
	return binary.BigEndian.Uint32(h.Sum(nil)[:4])
}

func validNoteName(name string) bool {
	if name == "" {
		return false
	}
	for _, r := range name {
		if r <= ' ' || r == '+' || r == 0x7f {
			return false
		}
	}
	return true
}

// Ring holds every purpose's keys. It is safe for concurrent use.
type Ring struct {
	dir string
	now func() time.Time

	mu   sync.Mutex // guards keys and the files
	keys map[Purpose][]*Key
}

// Open loads the keys under dir, creating the directory (0700) and a first
// key for every purpose that has none. now stamps creation times; nil means
// time.Now.
func Open(dir string, now func() time.Time) (*Ring, error) {
	if now == nil {
		now = time.Now
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open keys: %w", err)
	}
	return open(dir, now, true)
}

// Load opens an existing key directory without creating anything: it fails
// when the directory or any purpose's file is missing (a purpose added to
// ACD after the directory was made may be missing, as AdvisorySigning).
// Verification tools use it so that a wrong path is an error, not a fresh
// set of keys.
func Load(dir string) (*Ring, error) {
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("load keys: %s is not a key directory", dir)
	}
	return open(dir, time.Now, false)
}

// open reads every purpose's keys; a purpose without any gets a first key
// when create is set, and is an error otherwise.
func open(dir string, now func() time.Time, create bool) (*Ring, error) {
	r := &Ring{dir: dir, now: now, keys: map[Purpose][]*Key{}}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, p := range Purposes {
		ks, err := r.load(p)
		if err != nil {
			return nil, err
		}
		if len(ks) == 0 {
			if !create && addedLater(p) {
				continue
			}
			if !create {
				return nil, fmt.Errorf("load keys: no %s key in %s", p, dir)
			}
			k, err := r.generate(p)
			if err != nil {
				return nil, err
			}
			ks = []*Key{k}
			if err := r.save(p, ks); err != nil {
				return nil, err
			}
		}
		r.keys[p] = ks
	}
	return r, nil
}

// Current returns the key in use for p.
func (r *Ring) Current(p Purpose) (*Key, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ks := r.keys[p]
	if len(ks) == 0 {
		return nil, fmt.Errorf("no key for purpose %q", p)
	}
	return ks[len(ks)-1], nil
}

// ErrUnknownKey means no version of the purpose has the id asked for.
var ErrUnknownKey = errors.New("unknown key id")

// ByID returns the version of p's key with id, current or retired.
func (r *Ring) ByID(p Purpose, id string) (*Key, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, k := range r.keys[p] {
		if k.ID == id {
			return k, nil
		}
	}
	return nil, fmt.Errorf("%s key %q: %w", p, id, ErrUnknownKey)
}

// All returns every version of p's key, oldest first.
func (r *Ring) All(p Purpose) []*Key {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*Key(nil), r.keys[p]...)
}

// Rotate makes a new current key for p; the old versions are kept, marked
// retired, for verification.
func (r *Ring) Rotate(p Purpose) (*Key, error) {
	if _, ok := AlgorithmOf(p); !ok {
		return nil, fmt.Errorf("rotate: unknown purpose %q (want one of %v)", p, Purposes)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	k, err := r.generate(p)
	if err != nil {
		return nil, err
	}
	ks := r.keys[p]
	if n := len(ks); n > 0 {
		// Copy so that Keys handed out earlier are not written to.
		old := *ks[n-1]
		old.Retired = k.Created
		ks = append(append([]*Key(nil), ks[:n-1]...), &old)
	}
	ks = append(ks, k)
	if err := r.save(p, ks); err != nil {
		return nil, err
	}
	r.keys[p] = ks
	return k, nil
}

func (r *Ring) generate(p Purpose) (*Key, error) {
	alg, ok := AlgorithmOf(p)
	if !ok {
		return nil, fmt.Errorf("unknown key purpose %q", p)
	}
	k := &Key{Purpose: p, Algorithm: alg, Created: r.now().UTC().Truncate(time.Second)}
	switch alg {
	case Ed25519:
		pub, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("generate %s key: %w", p, err)
		}
		k.Public, k.private = pub, priv
	case HMACSHA256, AES256GCM:
		k.secret = make([]byte, 32)
		if _, err := rand.Read(k.secret); err != nil {
			return nil, fmt.Errorf("generate %s key: %w", p, err)
		}
	}
	k.ID = keyID(k)
	return k, nil
}

// keyID derives a short stable id: from the public key for Ed25519, and from
// a hash of the secret (which reveals nothing of a 256-bit secret) for HMAC.
func keyID(k *Key) string {
	var sum [32]byte
	if k.Public != nil {
		sum = sha256.Sum256(k.Public)
	} else {
		sum = sha256.Sum256(append([]byte("acd key id\n"), k.secret...))
	}
	return hex.EncodeToString(sum[:8])
}

// fileKey is the on-disk form of one key version.
type fileKey struct {
	ID        string    `json:"id"`
	Algorithm Algorithm `json:"algorithm"`
	Created   time.Time `json:"created"`
	Retired   time.Time `json:"retired,omitzero"`
	Public    []byte    `json:"public,omitempty"`
	Private   []byte    `json:"private"` // Ed25519 seed or HMAC secret
}

func (r *Ring) path(p Purpose) string { return filepath.Join(r.dir, string(p)+".json") }

func (r *Ring) load(p Purpose) ([]*Key, error) {
	ks, err := LoadFile(r.path(p), p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	return ks, err
}

// LoadFile reads one purpose's key file (PURPOSE.json in a key directory),
// oldest version first. A collection point uses it to hold only the key it
// needs (the e-mail pseudonym key) rather than a whole ring. A missing file
// is an error wrapping os.ErrNotExist.
func LoadFile(path string, p Purpose) ([]*Key, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load %s keys: %w", p, err)
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("load %s keys: %s has mode %v, want 0600", p, path, fi.Mode().Perm())
	}
	var fks []fileKey
	if err := json.Unmarshal(b, &fks); err != nil {
		return nil, fmt.Errorf("load %s keys from %s: %w", p, path, err)
	}
	want, _ := AlgorithmOf(p)
	ks := make([]*Key, 0, len(fks))
	for i, fk := range fks {
		if fk.Algorithm != want {
			return nil, fmt.Errorf("load %s keys from %s: version %d is %s, want %s", p, path, i, fk.Algorithm, want)
		}
		k := &Key{ID: fk.ID, Purpose: p, Algorithm: fk.Algorithm, Created: fk.Created, Retired: fk.Retired}
		switch fk.Algorithm {
		case Ed25519:
			if len(fk.Private) != ed25519.SeedSize {
				return nil, fmt.Errorf("load %s keys: version %d: bad ed25519 seed length %d", p, i, len(fk.Private))
			}
			k.private = ed25519.NewKeyFromSeed(fk.Private)
			k.Public = k.private.Public().(ed25519.PublicKey)
		case HMACSHA256, AES256GCM:
			if len(fk.Private) < 32 || fk.Algorithm == AES256GCM && len(fk.Private) != 32 {
				return nil, fmt.Errorf("load %s keys: version %d: secret of %d bytes, want 32", p, i, len(fk.Private))
			}
			k.secret = fk.Private
		default:
			return nil, fmt.Errorf("load %s keys: version %d: unknown algorithm %q", p, i, fk.Algorithm)
		}
		if keyID(k) != k.ID {
			return nil, fmt.Errorf("load %s keys: version %d: id %s does not match its key", p, i, k.ID)
		}
		ks = append(ks, k)
	}
	sort.SliceStable(ks, func(i, j int) bool { return ks[i].Created.Before(ks[j].Created) })
	return ks, nil
}

// save writes the purpose's file atomically: a 0600 temp file, fsynced,
// renamed over the old one.
func (r *Ring) save(p Purpose, ks []*Key) error {
	fks := make([]fileKey, len(ks))
	for i, k := range ks {
		fk := fileKey{ID: k.ID, Algorithm: k.Algorithm, Created: k.Created, Retired: k.Retired, Public: k.Public}
		if k.private != nil {
			fk.Private = k.private.Seed()
		} else {
			fk.Private = k.secret
		}
		fks[i] = fk
	}
	b, err := json.MarshalIndent(fks, "", "  ")
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(r.dir, "."+string(p)+"-*")
	if err != nil {
		return fmt.Errorf("save %s keys: %w", p, err)
	}
	defer os.Remove(f.Name())
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("save %s keys: %w", p, err)
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("save %s keys: %w", p, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("save %s keys: %w", p, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("save %s keys: %w", p, err)
	}
	if err := os.Rename(f.Name(), r.path(p)); err != nil {
		return fmt.Errorf("save %s keys: %w", p, err)
	}
	return nil
}
