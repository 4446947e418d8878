package pgp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// PublicKey is an Ed25519 OpenPGP v4 public key as ReadPublicKey found it,
// its self-signatures checked by go-crypto.
type PublicKey struct {
	// Fingerprint is the v4 fingerprint, 40 upper-case hexadecimal digits.
	Fingerprint string
	// Created is the key's creation time.
	Created time.Time
	// UserID is the primary user id (the one self-signed user id of a key
	// this package writes).
	UserID string

	entity *openpgp.Entity
}

// ReadPublicKey reads an armored public key: one v4 Ed25519 primary key
// (EdDSA on Ed25519, or the Ed25519 algorithm of RFC 9580), without a
// private key, with at least one user id, every self-signature valid.
func ReadPublicKey(armoredKey []byte) (*PublicKey, error) {
	body, err := dearmor(armoredKey, PublicKeyBlock)
	if err != nil {
		return nil, fmt.Errorf("read public key: %w", err)
	}
	el, err := openpgp.ReadKeyRing(body)
	if err != nil {
		return nil, fmt.Errorf("read public key: %w", err)
	}
	if len(el) != 1 {
		return nil, fmt.Errorf("read public key: %d keys, want 1", len(el))
	}
	e := el[0]
	pk := e.PrimaryKey
	if pk.Version != 4 {
		return nil, fmt.Errorf("read public key: version %d key, want 4", pk.Version)
	}
	if curve, _ := pk.Curve(); !(pk.PubKeyAlgo == packet.PubKeyAlgoEdDSA && curve == packet.Curve25519) && pk.PubKeyAlgo != packet.PubKeyAlgoEd25519 {
		return nil, fmt.Errorf("read public key: algorithm %d, want EdDSA (22) on Ed25519 or Ed25519 (27)", pk.PubKeyAlgo)
	}
	if e.PrivateKey != nil {
		return nil, errors.New("read public key: holds a private key")
	}
	id := e.PrimaryIdentity()
	if id == nil {
		return nil, errors.New("read public key: no self-signed user id")
	}
	return &PublicKey{Fingerprint: fingerprint(pk), Created: pk.CreationTime.UTC(), UserID: id.Name, entity: e}, nil
}

// Verify checks an armored detached signature of type binary over data:
// made by this key, not before the key was created, over exactly these
// bytes, the key neither revoked nor expired.
func (k *PublicKey) Verify(armoredSig, data []byte) error {
	body, err := dearmor(armoredSig, SignatureBlock)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	sig, _, err := openpgp.VerifyDetachedSignature(openpgp.EntityList{k.entity}, bytes.NewReader(data), body, nil)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	if sig.SigType != packet.SigTypeBinary {
		return fmt.Errorf("verify: signature type %#02x, want binary (0x00)", uint8(sig.SigType))
	}
	if sig.CreationTime.Before(k.Created) {
		return fmt.Errorf("verify: signature made %s, before the key was created (%s)",
			sig.CreationTime.UTC().Format(time.RFC3339), k.Created.Format(time.RFC3339))
	}
	return nil
}

// dearmor decodes one armored block of type want, bounded in size. It
// reads the whole block, so that a damaged checksum line is an error even
// when go-crypto would stop reading before it.
func dearmor(b []byte, want string) (io.Reader, error) {
	if len(b) > maxArmored {
		return nil, fmt.Errorf("armored data of %d bytes, at most %d", len(b), maxArmored)
	}
	blk, err := armor.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("armor: %w", err)
	}
	if blk.Type != want {
		return nil, fmt.Errorf("armor: block %q, want %q", cut(blk.Type), want)
	}
	raw, err := io.ReadAll(io.LimitReader(blk.Body, maxArmored))
	if err != nil {
		return nil, fmt.Errorf("armor: %w", err)
	}
	return bytes.NewReader(raw), nil
}
