package manifest

import (
	"fmt"
	"time"

	"github.com/acd-platform/acd/internal/keys"
)

// Revocations is the signed list of revoked approvals, as served at
// GET /api/v1/manifest/revocations. It is issued afresh on every request, so
// its IssuedAt tells a sensor how stale its copy is.
type Revocations struct {
	Schema   string       `json:"schema"`
	IssuedAt time.Time    `json:"issued_at"`
	Revoked  []Revocation `json:"revoked"`
	KeyID    string       `json:"key_id"`
	// Signature is base64 Ed25519 over the canonical form without it.
	Signature string `json:"signature"`
}

// Revocation is one revoked approval or agreement.
type Revocation struct {
	ApprovalID string    `json:"approval_id"`
	RevokedAt  time.Time `json:"revoked_at"`
	Reason     string    `json:"reason"`
}

// SignRevocations signs a revocation list issued at now.
func SignRevocations(revoked []Revocation, now time.Time, key *keys.Key) ([]byte, error) {
	if revoked == nil {
		revoked = []Revocation{}
	}
	for i := range revoked {
		revoked[i].RevokedAt = revoked[i].RevokedAt.UTC()
	}
	return sign(&Revocations{Schema: RevocationsSchema, IssuedAt: now.UTC(), Revoked: revoked}, key)
}

// ParseRevocations parses a revocation list; it does not check the
// signature (see [KeySet.VerifyRevocations]).
func ParseRevocations(data []byte) (*Revocations, error) {
	var l Revocations
	if err := decodeStrict("revocation list", data, &l); err != nil {
		return nil, err
	}
	bad := func(field, format string, args ...any) error {
		return &FieldError{Doc: "revocation list", Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	switch {
	case l.Schema != RevocationsSchema:
		return nil, bad("schema", "%q is not %s", l.Schema, RevocationsSchema)
	case l.IssuedAt.IsZero():
		return nil, bad("issued_at", "missing")
	case l.Revoked == nil:
		return nil, bad("revoked", "missing (an empty list is [])")
	case l.KeyID == "":
		return nil, bad("key_id", "missing")
	case l.Signature == "":
		return nil, bad("signature", "missing")
	}
	for i, r := range l.Revoked {
		if r.ApprovalID == "" {
			return nil, bad(fmt.Sprintf("revoked[%d].approval_id", i), "missing")
		}
	}
	return &l, nil
}

// Find returns the revocation of approvalID, if any.
func (l *Revocations) Find(approvalID string) (Revocation, bool) {
	for _, r := range l.Revoked {
		if r.ApprovalID == approvalID {
			return r, true
		}
	}
	return Revocation{}, false
}
