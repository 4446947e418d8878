package measuresapi

import "github.com/acd-platform/acd/internal/measures"

// ReasonRequest carries the reason of a revocation or a withdrawal.
type ReasonRequest struct {
	Reason string `json:"reason"`
}

// TextRequest carries the text of a consultation of MOFA: what is asked and
// why.
type TextRequest struct {
	Text string `json:"text"`
}

// StatementRequest carries the statement of a request for the
// commission's approval.
type StatementRequest struct {
	Statement string `json:"statement"`
}

// EmergencyRequest declares an emergency: the special circumstances that
// leave no time for the commission's prior approval.
type EmergencyRequest struct {
	SpecialCircumstances string `json:"special_circumstances"`
}

// DesignationList is a list of officer designations.
type DesignationList struct {
	Designations []measures.Designation `json:"designations"`
}

// CaseList is a list of measure cases.
type CaseList struct {
	Cases []measures.Case `json:"cases"`
}
