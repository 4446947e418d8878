package pgp

import (
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp/armor"
)

// PublicKey is an Ed25519 OpenPGP public key as ReadPublicKey found it,
// its self-signature checked.
type PublicKey struct {
	// Fingerprint is the v4 fingerprint, 40 upper-case hexadecimal digits.
	Fingerprint string
	// Created is the key's creation time.
	Created time.Time
	// UserID is the first user id with a valid self-signature.
	UserID string

	pub  ed25519.PublicKey
	body []byte
	fpr  [20]byte
}

// ReadPublicKey reads an armored public key: a v4 EdDSA (Ed25519) primary
// key and at least one user id whose positive, casual, persona or generic
// certification by the key itself verifies. Subkeys and other packets
// after the first user id's signatures are ignored.
func ReadPublicKey(armoredKey []byte) (*PublicKey, error) {
	raw, err := dearmor(armoredKey, PublicKeyBlock)
	if err != nil {
		return nil, fmt.Errorf("read public key: %w", err)
	}
	pkts, err := packets(raw)
	if err != nil {
		return nil, fmt.Errorf("read public key: %w", err)
	}
	if len(pkts) == 0 || pkts[0].tag != tagPublicKey {
		return nil, errors.New("read public key: does not start with a public-key packet")
	}
	k, err := parsePublicKey(pkts[0].body)
	if err != nil {
		return nil, fmt.Errorf("read public key: %w", err)
	}
	var lastErr error = errors.New("no user id")
	for i := 1; i < len(pkts); i++ {
		if pkts[i].tag != tagUserID {
			continue
		}
		uid := pkts[i].body
		for j := i + 1; j < len(pkts) && pkts[j].tag == tagSignature; j++ {
			s, err := parseSignature(pkts[j].body)
			if err != nil {
				lastErr = err
				continue
			}
			if s.typ < 0x10 || s.typ > 0x13 {
				continue
			}
			if err := k.check(s, certPrefix(k.body, uid)); err != nil {
				lastErr = fmt.Errorf("user id %q: %w", cut(string(uid)), err)
				continue
			}
			k.UserID = string(uid)
			return k, nil
		}
	}
	return nil, fmt.Errorf("read public key: no self-signed user id: %w", lastErr)
}

// Verify checks an armored detached signature of type binary over data:
// made by this key (its issuer, when named, is this key), not before the
// key was created, over exactly these bytes.
func (k *PublicKey) Verify(armoredSig, data []byte) error {
	raw, err := dearmor(armoredSig, SignatureBlock)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	pkts, err := packets(raw)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	if len(pkts) != 1 || pkts[0].tag != tagSignature {
		return fmt.Errorf("verify: want one signature packet, got %d packets", len(pkts))
	}
	s, err := parseSignature(pkts[0].body)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	if s.typ != sigBinary {
		return fmt.Errorf("verify: signature type %#02x, want binary (0x00)", s.typ)
	}
	if err := k.check(s, data); err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	return nil
}

// check verifies signature s over prefix with k.
func (k *PublicKey) check(s *signature, prefix []byte) error {
	if s.hasIssuerFpr && s.issuerFpr != k.fpr {
		return fmt.Errorf("made by key %X, not %s", s.issuerFpr, k.Fingerprint)
	}
	if s.hasIssuer && !bytes.Equal(s.issuer[:], k.fpr[12:]) {
		return fmt.Errorf("made by key id %X, not %X", s.issuer, k.fpr[12:])
	}
	if s.created.Before(k.Created) {
		return fmt.Errorf("made %s, before the key was created (%s)", s.created.Format(time.RFC3339), k.Created.Format(time.RFC3339))
	}
	h, ok := hashOf(s.hashAlgo)
	if !ok {
		return fmt.Errorf("hash algorithm %d: want SHA-256 (8) or SHA-512 (10)", s.hashAlgo)
	}
	h.Write(prefix)
	h.Write(s.hashedPart)
	h.Write([]byte{4, 0xff})
	h.Write(be32(uint32(len(s.hashedPart))))
	digest := h.Sum(nil)
	if digest[0] != s.left16[0] || digest[1] != s.left16[1] {
		return errors.New("bad signature: the data does not match")
	}
	if !ed25519.Verify(k.pub, digest, s.sig[:]) {
		return errors.New("bad signature")
	}
	return nil
}

func parsePublicKey(b []byte) (*PublicKey, error) {
	if len(b) < 6 || b[0] != 4 {
		return nil, errors.New("public-key packet: want version 4")
	}
	if b[5] != algoEdDSA {
		return nil, fmt.Errorf("public-key packet: algorithm %d, want EdDSA (22)", b[5])
	}
	created := binary.BigEndian.Uint32(b[1:5])
	rest := b[6:]
	if len(rest) < 1 || len(rest) < 1+int(rest[0]) || !bytes.Equal(rest[1:1+int(rest[0])], ed25519OID) {
		return nil, errors.New("public-key packet: curve is not Ed25519")
	}
	rest = rest[1+int(rest[0]):]
	point, rest, err := readMPI(rest)
	if err != nil {
		return nil, fmt.Errorf("public-key packet: %w", err)
	}
	if len(rest) != 0 || len(point) != 33 || point[0] != 0x40 {
		return nil, errors.New("public-key packet: not a 0x40-prefixed Ed25519 point")
	}
	k := &PublicKey{Created: time.Unix(int64(created), 0).UTC(), pub: ed25519.PublicKey(point[1:]), body: b}
	k.fpr = fingerprint(b)
	k.Fingerprint = strings.ToUpper(hex.EncodeToString(k.fpr[:]))
	return k, nil
}

// signature is a parsed v4 EdDSA signature packet.
type signature struct {
	typ, hashAlgo byte
	hashedPart    []byte // version through the hashed subpackets
	created       time.Time
	hasCreated    bool
	issuer        [8]byte
	hasIssuer     bool
	issuerFpr     [20]byte
	hasIssuerFpr  bool
	left16        [2]byte
	sig           [64]byte // R || S
}

func parseSignature(b []byte) (*signature, error) {
	if len(b) < 6 || b[0] != 4 {
		return nil, errors.New("signature packet: want version 4")
	}
	s := &signature{typ: b[1], hashAlgo: b[3]}
	if b[2] != algoEdDSA {
		return nil, fmt.Errorf("signature packet: algorithm %d, want EdDSA (22)", b[2])
	}
	n := int(binary.BigEndian.Uint16(b[4:6]))
	if len(b) < 6+n {
		return nil, errors.New("signature packet: hashed subpackets run past the packet")
	}
	s.hashedPart = b[:6+n]
	if err := s.subpackets(b[6:6+n], true); err != nil {
		return nil, err
	}
	rest := b[6+n:]
	if len(rest) < 2 {
		return nil, errors.New("signature packet: truncated")
	}
	n = int(binary.BigEndian.Uint16(rest))
	if len(rest) < 2+n {
		return nil, errors.New("signature packet: unhashed subpackets run past the packet")
	}
	if err := s.subpackets(rest[2:2+n], false); err != nil {
		return nil, err
	}
	rest = rest[2+n:]
	if len(rest) < 2 {
		return nil, errors.New("signature packet: truncated")
	}
	copy(s.left16[:], rest)
	r, rest, err := readMPI(rest[2:])
	if err != nil {
		return nil, fmt.Errorf("signature packet: r: %w", err)
	}
	sv, rest, err := readMPI(rest)
	if err != nil {
		return nil, fmt.Errorf("signature packet: s: %w", err)
	}
	if len(rest) != 0 || len(r) > 32 || len(sv) > 32 {
		return nil, errors.New("signature packet: not an Ed25519 signature")
	}
	copy(s.sig[32-len(r):32], r)
	copy(s.sig[64-len(sv):], sv)
	if !s.hasCreated {
		return nil, errors.New("signature packet: no creation time in the hashed subpackets")
	}
	return s, nil
}

// subpackets reads a subpacket area; the creation time counts only when
// hashed, as RFC 4880 §5.2.3.4 requires.
func (s *signature) subpackets(b []byte, hashed bool) error {
	for len(b) > 0 {
		var n int
		switch {
		case b[0] < 192:
			n, b = int(b[0]), b[1:]
		case b[0] < 255:
			if len(b) < 2 {
				return errors.New("signature packet: truncated subpacket length")
			}
			n, b = (int(b[0])-192)<<8+int(b[1])+192, b[2:]
		default:
			if len(b) < 5 {
				return errors.New("signature packet: truncated subpacket length")
			}
			v := binary.BigEndian.Uint32(b[1:5])
			if v > uint32(len(b)) {
				return errors.New("signature packet: subpacket runs past its area")
			}
			n, b = int(v), b[5:]
		}
		if n < 1 || n > len(b) {
			return errors.New("signature packet: subpacket runs past its area")
		}
		typ, data := b[0]&0x7f, b[1:n]
		b = b[n:]
		switch typ {
		case subCreationTime:
			if hashed && len(data) == 4 {
				s.created, s.hasCreated = time.Unix(int64(binary.BigEndian.Uint32(data)), 0).UTC(), true
			}
		case subIssuer:
			if len(data) == 8 {
				copy(s.issuer[:], data)
				s.hasIssuer = true
			}
		case subIssuerFpr:
			if len(data) == 21 && data[0] == 4 {
				copy(s.issuerFpr[:], data[1:])
				s.hasIssuerFpr = true
			}
		}
	}
	return nil
}

func readMPI(b []byte) (v, rest []byte, err error) {
	if len(b) < 2 {
		return nil, nil, errors.New("truncated MPI")
	}
	n := (int(binary.BigEndian.Uint16(b)) + 7) / 8
	if len(b) < 2+n {
		return nil, nil, errors.New("MPI runs past the packet")
	}
	return b[2 : 2+n], b[2+n:], nil
}

type rawPacket struct {
	tag  byte
	body []byte
}

// packets splits raw into packets (old or new format, no partial lengths).
func packets(raw []byte) ([]rawPacket, error) {
	var out []rawPacket
	for len(raw) > 0 {
		h := raw[0]
		if h&0x80 == 0 {
			return nil, fmt.Errorf("packet %d: bad header byte %#02x", len(out), h)
		}
		var tag byte
		var n, hl int
		if h&0x40 != 0 {
			tag = h & 0x3f
			if len(raw) < 2 {
				return nil, fmt.Errorf("packet %d: truncated header", len(out))
			}
			switch l := raw[1]; {
			case l < 192:
				n, hl = int(l), 2
			case l < 224:
				if len(raw) < 3 {
					return nil, fmt.Errorf("packet %d: truncated header", len(out))
				}
				n, hl = (int(l)-192)<<8+int(raw[2])+192, 3
			case l == 255:
				if len(raw) < 6 {
					return nil, fmt.Errorf("packet %d: truncated header", len(out))
				}
				v := binary.BigEndian.Uint32(raw[2:6])
				if v > uint32(len(raw)) {
					return nil, fmt.Errorf("packet %d: runs past the data", len(out))
				}
				n, hl = int(v), 6
			default:
				return nil, fmt.Errorf("packet %d: partial body lengths are not supported", len(out))
			}
		} else {
			tag = (h >> 2) & 0x0f
			switch h & 3 {
			case 0:
				if len(raw) < 2 {
					return nil, fmt.Errorf("packet %d: truncated header", len(out))
				}
				n, hl = int(raw[1]), 2
			case 1:
				if len(raw) < 3 {
					return nil, fmt.Errorf("packet %d: truncated header", len(out))
				}
				n, hl = int(binary.BigEndian.Uint16(raw[1:3])), 3
			case 2:
				if len(raw) < 5 {
					return nil, fmt.Errorf("packet %d: truncated header", len(out))
				}
				v := binary.BigEndian.Uint32(raw[1:5])
				if v > uint32(len(raw)) {
					return nil, fmt.Errorf("packet %d: runs past the data", len(out))
				}
				n, hl = int(v), 5
			default:
				return nil, fmt.Errorf("packet %d: indeterminate length is not supported", len(out))
			}
		}
		if len(raw) < hl+n {
			return nil, fmt.Errorf("packet %d: runs past the data", len(out))
		}
		out = append(out, rawPacket{tag: tag, body: raw[hl : hl+n]})
		raw = raw[hl+n:]
	}
	return out, nil
}

// dearmor decodes one armored block of type want, bounded in size.
func dearmor(b []byte, want string) ([]byte, error) {
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
	return raw, nil
}
