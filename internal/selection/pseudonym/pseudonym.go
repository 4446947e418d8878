// Package pseudonym turns e-mail addresses into keyed tokens so that selected
// records keep what the law counts as mechanical information without naming
// anyone.
//
// The Act lists e-mail addresses among mechanical information only once they
// are processed so that no individual can be identified (DESIGN.md, pillar 2).
// An address local@domain becomes TOKEN@domain: the domain is kept, because
// domain names are mechanical information, and TOKEN is the first 128 bits of
// HMAC-SHA256(key, lower(local) "@" lower(domain)) in lowercase base32. The
// same address under the same key always gives the same token, so analysts
// can correlate records, but the address cannot be recovered without the key.
// The key id travels in every record, so tokens made before and after a
// rotation are never compared by mistake.
package pseudonym

import (
	"encoding/base32"
	"errors"
	"fmt"
	"hash"

	"github.com/acd-platform/acd/internal/keys"
)

// tokenBytes is how much of the HMAC a token keeps: 128 bits make collisions
// between distinct addresses negligible.
const tokenBytes = 16

var b32 = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// Pseudonymizer makes tokens with one key. It is not safe for concurrent use:
// each worker makes its own with New.
type Pseudonymizer struct {
	keyID string
	mac   hash.Hash
	sum   [32]byte
	in    [512]byte // lowercased input, reused
}

// New returns a Pseudonymizer for an HMAC-SHA256 key of the email-pseudonym
// purpose.
func New(k *keys.Key) (*Pseudonymizer, error) {
	if k == nil {
		return nil, errors.New("pseudonym: no key")
	}
	if k.Purpose != keys.EmailPseudonym {
		return nil, fmt.Errorf("pseudonym: key %s is not an %s key", k, keys.EmailPseudonym)
	}
	m, err := k.NewMAC()
	if err != nil {
		return nil, fmt.Errorf("pseudonym: %w", err)
	}
	return &Pseudonymizer{keyID: k.ID, mac: m}, nil
}

// Current picks the key version to pseudonymise with from a key file's
// versions (keys.LoadFile): the newest one not retired.
func Current(ks []*keys.Key) (*keys.Key, error) {
	for i := len(ks) - 1; i >= 0; i-- {
		if ks[i].Retired.IsZero() {
			return ks[i], nil
		}
	}
	return nil, errors.New("pseudonym: the key file has no current version")
}

// KeyID is the id of the key the tokens are made with.
func (p *Pseudonymizer) KeyID() string { return p.keyID }

// AppendAddress appends TOKEN@domain for the address local@domain to dst. The
// domain is lowercased and a trailing dot dropped. It does not allocate when
// dst has room.
func (p *Pseudonymizer) AppendAddress(dst, local, domain []byte) []byte {
	if len(domain) > 0 && domain[len(domain)-1] == '.' {
		domain = domain[:len(domain)-1]
	}
	// Addresses are at most 254 bytes (RFC 5321): only garbage is cut, and
	// the input buffer never overflows.
	local, domain = local[:min(len(local), 255)], domain[:min(len(domain), 255)]
	in := p.in[:0]
	in = appendLower(in, local)
	in = append(in, '@')
	at := len(in)
	in = appendLower(in, domain)
	p.mac.Reset()
	p.mac.Write(in)
	sum := p.mac.Sum(p.sum[:0])
	var tok [26]byte // b32.EncodedLen(tokenBytes)
	b32.Encode(tok[:], sum[:tokenBytes])
	dst = append(dst, tok[:]...)
	dst = append(dst, '@')
	dst = append(dst, in[at:]...)
	clear(p.in[:]) // the clear address must not linger in memory
	return dst
}

// appendLower appends b lowercased (ASCII) to dst.
func appendLower(dst, b []byte) []byte {
	for _, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}
