// Package pgp writes and reads the few OpenPGP structures (RFC 4880, as
// version 4 keys and signatures, which RFC 9580 keeps) that a CSAF provider
// needs: an Ed25519 signing key as a public key with one self-signed user
// id, and detached signatures over documents, both ASCII-armored.
//
// The key is written with the EdDSA algorithm (22) on the Ed25519 curve,
// the form GnuPG 2.2 and later produce and read for Ed25519 keys, so that
// anyone can check a document with gpg:
//
//	gpg --import KEY.asc
//	gpg --verify DOC.json.asc DOC.json
//
// The private key never passes through this package: a [Signer] (such as
// a *keys.Key) signs the digests. Ed25519 signatures are deterministic and
// every time in a packet is given, so the same key, document and time give
// the same bytes.
//
// [ReadPublicKey] and [PublicKey.Verify] read back what this package writes
// (and keys and signatures of the same kind made by GnuPG); they are
// parsers of untrusted input, bounded in size, and are fuzzed.
package pgp

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"math/bits"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp/armor"
)

// Signer makes Ed25519 signatures; *keys.Key implements it.
type Signer interface {
	Sign(msg []byte) ([]byte, error)
}

// Armor block types.
const (
	PublicKeyBlock = "PGP PUBLIC KEY BLOCK"
	SignatureBlock = "PGP SIGNATURE"
)

// Packet tags, algorithms and signature types used here.
const (
	tagSignature = 2
	tagPublicKey = 6
	tagUserID    = 13

	algoEdDSA = 22 // EdDSA (legacy), with the Ed25519 curve OID

	hashSHA256 = 8
	hashSHA512 = 10

	sigBinary        = 0x00
	sigPositiveCert  = 0x13
	subCreationTime  = 2
	subKeyFlags      = 27
	subPrimaryUserID = 25
	subPreferredHash = 21
	subIssuer        = 16
	subIssuerFpr     = 33

	flagCertify = 0x01
	flagSign    = 0x02
)

// ed25519OID is the curve OID 1.3.6.1.4.1.11591.15.1 as OpenPGP writes it.
var ed25519OID = []byte{0x2b, 0x06, 0x01, 0x04, 0x01, 0xda, 0x47, 0x0f, 0x01}

// maxArmored bounds an armored key or signature that the readers accept.
const maxArmored = 64 << 10

// Key is an Ed25519 key as an OpenPGP v4 signing key. It is safe for
// concurrent use if its Signer is.
type Key struct {
	pub     ed25519.PublicKey
	created time.Time
	signer  Signer
	body    []byte   // the public-key packet body
	fpr     [20]byte // v4 fingerprint
}

// NewKey returns the OpenPGP key of the Ed25519 public key pub, created at
// created (whole seconds; it is part of the fingerprint, so pass the same
// time every time), signing through s.
func NewKey(pub ed25519.PublicKey, created time.Time, s Signer) (*Key, error) {
	if len(pub) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("openpgp key: public key of %d bytes, want %d", len(pub), ed25519.PublicKeySize)
	}
	if s == nil {
		return nil, errors.New("openpgp key: no signer")
	}
	ct, err := seconds(created)
	if err != nil {
		return nil, fmt.Errorf("openpgp key: creation time: %w", err)
	}
	k := &Key{pub: append(ed25519.PublicKey(nil), pub...), created: time.Unix(int64(ct), 0).UTC(), signer: s}
	k.body = publicKeyBody(ct, k.pub)
	k.fpr = fingerprint(k.body)
	return k, nil
}

// Fingerprint is the key's v4 fingerprint: 40 upper-case hexadecimal
// digits.
func (k *Key) Fingerprint() string { return strings.ToUpper(hex.EncodeToString(k.fpr[:])) }

// Created is the key's creation time as the key packet holds it.
func (k *Key) Created() time.Time { return k.created }

// ArmoredPublicKey writes the armored public key with one user id
// (conventionally "Name <e-mail>") and its self-signature, made at the
// key's creation time with the flags certify and sign.
func (k *Key) ArmoredPublicKey(userID string) ([]byte, error) {
	if userID == "" || len(userID) > 1024 || strings.ContainsAny(userID, "\r\n\x00") {
		return nil, fmt.Errorf("openpgp user id %q: want one non-empty line of at most 1024 bytes", cut(userID))
	}
	ct, _ := seconds(k.created)
	hashed := subpacket(subCreationTime, be32(ct))
	hashed = append(hashed, subpacket(subKeyFlags, []byte{flagCertify | flagSign})...)
	hashed = append(hashed, subpacket(subPreferredHash, []byte{hashSHA512, hashSHA256})...)
	hashed = append(hashed, subpacket(subPrimaryUserID, []byte{1})...)
	hashed = append(hashed, subpacket(subIssuerFpr, append([]byte{4}, k.fpr[:]...))...)
	prefix := certPrefix(k.body, []byte(userID))
	sig, err := k.signature(sigPositiveCert, hashed, prefix)
	if err != nil {
		return nil, err
	}
	var raw bytes.Buffer
	raw.Write(packet(tagPublicKey, k.body))
	raw.Write(packet(tagUserID, []byte(userID)))
	raw.Write(packet(tagSignature, sig))
	return armored(PublicKeyBlock, raw.Bytes())
}

// SignDetached returns an armored detached signature of type binary over
// data, made at at (whole seconds; a time before the key's creation is
// taken as the creation time, since no verifier accepts a signature older
// than its key).
func (k *Key) SignDetached(data []byte, at time.Time) ([]byte, error) {
	if at.Before(k.created) {
		at = k.created
	}
	st, err := seconds(at)
	if err != nil {
		return nil, fmt.Errorf("openpgp signature: time: %w", err)
	}
	hashed := subpacket(subCreationTime, be32(st))
	hashed = append(hashed, subpacket(subIssuerFpr, append([]byte{4}, k.fpr[:]...))...)
	sig, err := k.signature(sigBinary, hashed, data)
	if err != nil {
		return nil, err
	}
	return armored(SignatureBlock, packet(tagSignature, sig))
}

// signature returns a v4 signature packet body of type typ over prefix
// (the signed data, or the key and user id of a certification), with the
// hashed subpackets given and the issuer key id unhashed.
func (k *Key) signature(typ byte, hashed, prefix []byte) ([]byte, error) {
	head := []byte{4, typ, algoEdDSA, hashSHA256, byte(len(hashed) >> 8), byte(len(hashed))}
	head = append(head, hashed...)
	h := sha256.New()
	h.Write(prefix)
	h.Write(head)
	h.Write([]byte{4, 0xff})
	h.Write(be32(uint32(len(head))))
	digest := h.Sum(nil)
	sig, err := k.signer.Sign(digest)
	if err != nil {
		return nil, fmt.Errorf("openpgp signature: %w", err)
	}
	if len(sig) != ed25519.SignatureSize || !ed25519.Verify(k.pub, digest, sig) {
		return nil, errors.New("openpgp signature: the signer's key is not this key")
	}
	unhashed := subpacket(subIssuer, k.fpr[12:])
	out := append(head, byte(len(unhashed)>>8), byte(len(unhashed)))
	out = append(out, unhashed...)
	out = append(out, digest[0], digest[1])
	out = append(out, mpi(sig[:32])...)
	return append(out, mpi(sig[32:])...), nil
}

func publicKeyBody(created uint32, pub ed25519.PublicKey) []byte {
	b := []byte{4}
	b = append(b, be32(created)...)
	b = append(b, algoEdDSA, byte(len(ed25519OID)))
	b = append(b, ed25519OID...)
	return append(b, mpi(append([]byte{0x40}, pub...))...)
}

// fingerprint is the v4 fingerprint: SHA-1 of 0x99, the body's two-octet
// length and the body.
func fingerprint(body []byte) [20]byte {
	h := sha1.New()
	h.Write([]byte{0x99, byte(len(body) >> 8), byte(len(body))})
	h.Write(body)
	var f [20]byte
	copy(f[:], h.Sum(nil))
	return f
}

// certPrefix is what a certification signature hashes before its own
// fields: the key packet and the user id, each with its prefix.
func certPrefix(keyBody, uid []byte) []byte {
	b := []byte{0x99, byte(len(keyBody) >> 8), byte(len(keyBody))}
	b = append(b, keyBody...)
	b = append(b, 0xb4)
	b = append(b, be32(uint32(len(uid)))...)
	return append(b, uid...)
}

func subpacket(typ byte, data []byte) []byte {
	return append(append(length(len(data)+1), typ), data...)
}

// packet frames body as a new-format packet with tag.
func packet(tag byte, body []byte) []byte {
	return append(append([]byte{0xc0 | tag}, length(len(body))...), body...)
}

// length is a new-format packet (or subpacket) length.
func length(n int) []byte {
	switch {
	case n < 192:
		return []byte{byte(n)}
	case n < 8384:
		n -= 192
		return []byte{byte(n>>8) + 192, byte(n)}
	}
	return append([]byte{0xff}, be32(uint32(n))...)
}

// mpi encodes an unsigned big-endian integer as an OpenPGP MPI: its bit
// length, then its bytes without leading zeros.
func mpi(b []byte) []byte {
	for len(b) > 0 && b[0] == 0 {
		b = b[1:]
	}
	n := 0
	if len(b) > 0 {
		n = (len(b)-1)*8 + bits.Len8(b[0])
	}
	return append([]byte{byte(n >> 8), byte(n)}, b...)
}

func be32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

// seconds is t as OpenPGP's unsigned 32-bit seconds since 1970.
func seconds(t time.Time) (uint32, error) {
	s := t.Unix()
	if s < 0 || s > 1<<32-1 {
		return 0, fmt.Errorf("%s is outside 1970–2106", t.UTC().Format(time.RFC3339))
	}
	return uint32(s), nil
}

func armored(blockType string, raw []byte) ([]byte, error) {
	var buf bytes.Buffer
	w, err := armor.Encode(&buf, blockType, nil)
	if err != nil {
		return nil, fmt.Errorf("armor: %w", err)
	}
	if _, err := w.Write(raw); err != nil {
		return nil, fmt.Errorf("armor: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("armor: %w", err)
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

func cut(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}

// hashOf returns the hash function of an OpenPGP hash algorithm id this
// package verifies with.
func hashOf(id byte) (hash.Hash, bool) {
	switch id {
	case hashSHA256:
		return sha256.New(), true
	case hashSHA512:
		return sha512.New(), true
	}
	return nil, false
}
