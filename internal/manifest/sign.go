package manifest

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/gowebpki/jcs"

	"github.com/acd-platform/acd/internal/keys"
)

// ErrSignature means a document's signature does not verify, or its key is
// not one of the server's.
var ErrSignature = errors.New("signature does not verify")

// Signer signs with the approval-manifest key; *keys.Key implements it.
type Signer interface {
	Sign(msg []byte) ([]byte, error)
}

// signable is a document with a key id and a signature.
type signable interface {
	setSig(keyID, sig string)
	sig() (keyID, sig string)
}

func (m *Manifest) setSig(k, s string)       { m.KeyID, m.Signature = k, s }
func (m *Manifest) sig() (string, string)    { return m.KeyID, m.Signature }
func (l *Revocations) setSig(k, s string)    { l.KeyID, l.Signature = k, s }
func (l *Revocations) sig() (string, string) { return l.KeyID, l.Signature }

// canonical returns the JCS form of doc without its signature.
func canonical(doc signable) ([]byte, error) {
	k, s := doc.sig()
	doc.setSig(k, "")
	defer doc.setSig(k, s)
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	var obj map[string]any
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, err
	}
	delete(obj, "signature")
	raw, err = json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	return jcs.Transform(raw)
}

// sign sets doc's key id and signature and returns the signed JSON.
func sign(doc signable, key *keys.Key) ([]byte, error) {
	if key.Purpose != keys.ApprovalManifest {
		return nil, fmt.Errorf("sign: key %s is not an approval-manifest key", key)
	}
	doc.setSig(key.ID, "")
	msg, err := canonical(doc)
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	s, err := key.Sign(msg)
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	doc.setSig(key.ID, base64.StdEncoding.EncodeToString(s))
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	return append(out, '\n'), nil
}

// Sign signs m with key (the approval-manifest key), setting m.KeyID and
// m.Signature, and returns the manifest file's bytes.
func Sign(m *Manifest, key *keys.Key) ([]byte, error) {
	m.Schema = Schema
	m.ValidFrom, m.ValidUntil, m.IssuedAt = m.ValidFrom.UTC(), m.ValidUntil.UTC(), m.IssuedAt.UTC()
	m.KeyID = key.ID
	if err := m.validate(); err != nil {
		return nil, err
	}
	return sign(m, key)
}

// PublicKey is one version of the approval-manifest key, public half.
type PublicKey struct {
	KeyID     string    `json:"key_id"`
	Algorithm string    `json:"algorithm"`
	PublicKey string    `json:"public_key"` // base64
	Created   time.Time `json:"created"`
	Retired   time.Time `json:"retired,omitzero"`
}

// KeySet is the server's approval-manifest public keys, as served at
// GET /api/v1/manifest/keys and read by `acd select --manifest-keys`.
type KeySet struct {
	Schema string      `json:"schema"`
	Keys   []PublicKey `json:"keys"`
}

// KeySetOf exports the public halves of every version of ring's
// approval-manifest key.
func KeySetOf(ring *keys.Ring) *KeySet {
	ks := &KeySet{Schema: KeysSchema, Keys: []PublicKey{}}
	for _, k := range ring.All(keys.ApprovalManifest) {
		ks.Keys = append(ks.Keys, PublicKey{KeyID: k.ID, Algorithm: string(keys.Ed25519),
			PublicKey: base64.StdEncoding.EncodeToString(k.Public), Created: k.Created.UTC(), Retired: k.Retired.UTC()})
	}
	return ks
}

// ParseKeySet parses a key set file.
func ParseKeySet(data []byte) (*KeySet, error) {
	var ks KeySet
	if err := decodeStrict("manifest keys", data, &ks); err != nil {
		return nil, err
	}
	bad := func(field, format string, args ...any) error {
		return &FieldError{Doc: "manifest keys", Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	if ks.Schema != KeysSchema {
		return nil, bad("schema", "%q is not %s", ks.Schema, KeysSchema)
	}
	if len(ks.Keys) == 0 {
		return nil, bad("keys", "no key")
	}
	for i, k := range ks.Keys {
		f := fmt.Sprintf("keys[%d]", i)
		if k.KeyID == "" {
			return nil, bad(f+".key_id", "missing")
		}
		// One id, one key: otherwise which key a signature is checked
		// against would depend on the order of the list.
		for j := range i {
			if ks.Keys[j].KeyID == k.KeyID {
				return nil, bad(f+".key_id", "%q repeats keys[%d]", k.KeyID, j)
			}
		}
		if k.Algorithm != string(keys.Ed25519) {
			return nil, bad(f+".algorithm", "%q: want ed25519", k.Algorithm)
		}
		if b, err := base64.StdEncoding.DecodeString(k.PublicKey); err != nil || len(b) != ed25519.PublicKeySize {
			return nil, bad(f+".public_key", "want the base64 of a %d-byte Ed25519 public key", ed25519.PublicKeySize)
		}
	}
	return &ks, nil
}

// verify checks doc's signature against the key it names.
func (ks *KeySet) verify(what string, doc signable) error {
	id, s := doc.sig()
	var pub ed25519.PublicKey
	for _, k := range ks.Keys {
		if k.KeyID == id {
			pub, _ = base64.StdEncoding.DecodeString(k.PublicKey)
		}
	}
	if pub == nil {
		return fmt.Errorf("%s: signed with key %q, which is not one of the server's manifest keys: %w", what, id, ErrSignature)
	}
	sig, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return fmt.Errorf("%s: signature is not base64: %w", what, ErrSignature)
	}
	msg, err := canonical(doc)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if !ed25519.Verify(pub, msg, sig) {
		return fmt.Errorf("%s: signature by key %q does not verify (forged or altered): %w", what, id, ErrSignature)
	}
	return nil
}

// VerifyManifest checks m's signature.
func (ks *KeySet) VerifyManifest(m *Manifest) error {
	return ks.verify("manifest "+m.ApprovalID, m)
}

// VerifyRevocations checks l's signature.
func (ks *KeySet) VerifyRevocations(l *Revocations) error {
	return ks.verify("revocation list", l)
}
