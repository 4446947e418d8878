package oversightapi

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/acd-platform/acd/internal/oversight"
)

// SignRequest signs one revision of an agreement: the one the signer read.
type SignRequest struct {
	Revision int `json:"revision"`
}

// ReasonRequest carries the reason of a termination, withdrawal or
// revocation.
type ReasonRequest struct {
	Reason string `json:"reason"`
}

// SensorTokenRequest names where the sensor runs.
type SensorTokenRequest struct {
	Name string `json:"name"`
}

// IssuedSensorToken is a new sensor token: Token is the secret, shown this
// once (send it as "Authorization: Bearer <token>").
type IssuedSensorToken struct {
	Token string `json:"token"`
	oversight.SensorToken
}

// AgreementList is a list of agreements.
type AgreementList struct {
	Agreements []oversight.Agreement `json:"agreements"`
}

// AcquisitionList is a list of acquisition requests.
type AcquisitionList struct {
	Requests []oversight.Acquisition `json:"requests"`
}

// Queue is the commission's queue.
type Queue struct {
	Items []oversight.QueueItem `json:"items"`
}

// ApprovalList is a list of approvals.
type ApprovalList struct {
	Approvals []oversight.Approval `json:"approvals"`
}

// SensorTokenList is an approval's sensor tokens.
type SensorTokenList struct {
	Tokens []oversight.SensorToken `json:"tokens"`
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
