// Package pgp gives a CSAF provider its OpenPGP key and signatures, made
// and checked by github.com/ProtonMail/go-crypto/openpgp: an Ed25519
// signing key as a public key with one self-signed user id, and detached
// signatures over documents, both ASCII-armored.
//
// The key is a version 4 key with the EdDSA algorithm (22) on the Ed25519
// curve, the form GnuPG 2.2 and later produce and read for Ed25519 keys
// (and the form go-crypto-based CSAF tools read), so that anyone can check
// a document with gpg:
//
//	gpg --import KEY.asc
//	gpg --verify DOC.json.asc DOC.json
//
// A [Key] is made from the Ed25519 private key and a creation time, which
// is part of the fingerprint: the same key and time give the same
// fingerprint at every start. Ed25519 signatures are deterministic and
// every time in a packet is given (go-crypto's random salt notation is
// turned off), so the same key, document and time give the same bytes.
//
// [ReadPublicKey] and [PublicKey.Verify] check keys and signatures of the
// same kind (also made by GnuPG) with go-crypto; they take untrusted
// input, bounded in size, and are fuzzed.
package pgp

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/eddsa"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// Armor block types.
const (
	PublicKeyBlock = "PGP PUBLIC KEY BLOCK"
	SignatureBlock = "PGP SIGNATURE"
)

// maxArmored bounds an armored key or signature that the readers accept.
const maxArmored = 64 << 10

// OpenPGP hash algorithm ids (RFC 9580 §9.5), for the key's preferences.
const (
	hashIDSHA256 = 8
	hashIDSHA512 = 10
)

// Key is an Ed25519 key as an OpenPGP v4 signing key with one user id.
// It is safe for concurrent use.
type Key struct {
	entity *openpgp.Entity // primary key with its private key, one identity, no subkeys
}

// NewKey returns the OpenPGP key of the Ed25519 private key priv, created
// at created (whole seconds; it is part of the fingerprint, so pass the
// same time every time), with the user id userID (conventionally
// "Name <e-mail>") self-signed at created with the flags certify and sign.
// The Key holds priv for signing; it is never written out.
func NewKey(priv ed25519.PrivateKey, created time.Time, userID string) (*Key, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("openpgp key: private key of %d bytes, want %d", len(priv), ed25519.PrivateKeySize)
	}
	if userID == "" || len(userID) > 1024 || strings.ContainsAny(userID, "\r\n\x00") {
		return nil, fmt.Errorf("openpgp user id %q: want one non-empty line of at most 1024 bytes", cut(userID))
	}
	if s := created.Unix(); s < 0 || s > 1<<32-1 {
		return nil, fmt.Errorf("openpgp key: creation time %s is outside 1970–2106", created.UTC().Format(time.RFC3339))
	}
	created = created.Truncate(time.Second)
	primary, err := primaryKey(priv, created)
	if err != nil {
		return nil, fmt.Errorf("openpgp key: %w", err)
	}
	isPrimary := true
	self := &packet.Signature{
		Version:           4,
		SigType:           packet.SigTypePositiveCert,
		PubKeyAlgo:        primary.PubKeyAlgo,
		Hash:              crypto.SHA256,
		CreationTime:      created,
		IssuerKeyId:       &primary.KeyId,
		IssuerFingerprint: primary.Fingerprint,
		IsPrimaryId:       &isPrimary,
		FlagsValid:        true,
		FlagCertify:       true,
		FlagSign:          true,
		PreferredHash:     []uint8{hashIDSHA512, hashIDSHA256},
	}
	if err := self.SignUserId(userID, &primary.PublicKey, primary, config(created)); err != nil {
		return nil, fmt.Errorf("openpgp key: self-signature: %w", err)
	}
	e := &openpgp.Entity{
		PrimaryKey: &primary.PublicKey,
		PrivateKey: primary,
		Identities: map[string]*openpgp.Identity{userID: {
			Name:          userID,
			UserId:        &packet.UserId{Id: userID},
			SelfSignature: self,
			Signatures:    []*packet.Signature{self},
		}},
	}
	return &Key{entity: e}, nil
}

// primaryKey makes the OpenPGP primary key of priv. go-crypto makes an
// EdDSA key only by generating it from a random source, so it is given
// priv's seed as the first 32 bytes of that source; the result is checked
// to be priv. The encryption subkey that generation adds, drawn from
// fresh randomness, is dropped.
func primaryKey(priv ed25519.PrivateKey, created time.Time) (*packet.PrivateKey, error) {
	cfg := config(created)
	cfg.Algorithm = packet.PubKeyAlgoEdDSA
	cfg.Curve = packet.Curve25519
	cfg.Rand = io.MultiReader(bytes.NewReader(priv.Seed()), rand.Reader)
	e, err := openpgp.NewEntity("", "", "", cfg)
	if err != nil {
		return nil, fmt.Errorf("make key: %w", err)
	}
	pub, ok := e.PrimaryKey.PublicKey.(*eddsa.PublicKey)
	if !ok || e.PrimaryKey.Version != 4 || e.PrimaryKey.PubKeyAlgo != packet.PubKeyAlgoEdDSA ||
		!bytes.Equal(pub.X, priv.Public().(ed25519.PublicKey)) {
		return nil, errors.New("make key: go-crypto did not make the v4 EdDSA key of the given seed")
	}
	return e.PrivateKey, nil
}

// config is the go-crypto configuration for signing at t: SHA-256, and no
// random salt notation, so that signatures are deterministic.
func config(t time.Time) *packet.Config {
	deterministic := false
	return &packet.Config{
		DefaultHash:                           crypto.SHA256,
		Time:                                  func() time.Time { return t },
		NonDeterministicSignaturesViaNotation: &deterministic,
	}
}

// Fingerprint is the key's v4 fingerprint: 40 upper-case hexadecimal
// digits.
func (k *Key) Fingerprint() string { return fingerprint(k.entity.PrimaryKey) }

// Created is the key's creation time as the key packet holds it.
func (k *Key) Created() time.Time { return k.entity.PrimaryKey.CreationTime.UTC() }

// ArmoredPublicKey returns the armored public key: the key packet, the
// user id and its self-signature.
func (k *Key) ArmoredPublicKey() ([]byte, error) {
	return armored(openpgp.PublicKeyType, k.entity.Serialize)
}

// SignDetached returns an armored detached signature of type binary over
// data, made at at (whole seconds; a time before the key's creation is
// taken as the creation time, since a signature older than its key is
// refused by [PublicKey.Verify]).
func (k *Key) SignDetached(data []byte, at time.Time) ([]byte, error) {
	if at.Before(k.Created()) {
		at = k.Created()
	}
	if at.Unix() > 1<<32-1 {
		return nil, fmt.Errorf("openpgp signature: time %s is after 2106", at.UTC().Format(time.RFC3339))
	}
	var buf bytes.Buffer
	if err := openpgp.ArmoredDetachSign(&buf, k.entity, bytes.NewReader(data), config(at)); err != nil {
		return nil, fmt.Errorf("openpgp signature: %w", err)
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// armored writes what write writes as an armored block.
func armored(blockType string, write func(io.Writer) error) ([]byte, error) {
	var buf bytes.Buffer
	w, err := armor.Encode(&buf, blockType, nil)
	if err != nil {
		return nil, fmt.Errorf("armor: %w", err)
	}
	if err := write(w); err != nil {
		return nil, fmt.Errorf("armor: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("armor: %w", err)
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

func fingerprint(pk *packet.PublicKey) string {
	return strings.ToUpper(hex.EncodeToString(pk.Fingerprint))
}

func cut(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}
