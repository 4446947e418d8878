package sharingapi

import (
	"github.com/acd-platform/acd/internal/reporting"
	"github.com/acd-platform/acd/internal/sharing"
)

// MyCouncil is the body of GET /api/v1/council/membership.
type MyCouncil struct {
	Membership sharing.Membership `json:"membership"`
	// Clearance is the caller's clearance level.
	Clearance string          `json:"clearance"`
	Groups    []sharing.Group `json:"groups"`
}

// MemberList is the body of GET /api/v1/council/members.
type MemberList struct {
	Members []sharing.Membership `json:"members"`
}

// GroupList is the body of GET /api/v1/council/groups.
type GroupList struct {
	Groups []sharing.Group `json:"groups"`
}

// ClearanceList is the body of GET /api/v1/council/clearances.
type ClearanceList struct {
	// Levels is the clearance scale, lowest first.
	Levels     []string            `json:"levels"`
	Clearances []sharing.Clearance `json:"clearances"`
}

// RequestList is the body of GET /api/v1/council/requests.
type RequestList struct {
	Requests []reporting.Order `json:"requests"`
}

// SummaryList is the body of GET /api/v1/advisories and GET
// /api/v1/shared.
type SummaryList struct {
	Items []sharing.Summary `json:"items"`
}

// AlertList is the body of GET /api/v1/alerts.
type AlertList struct {
	Alerts []sharing.Alert `json:"alerts"`
}

// ReasonRequest is a body that gives a reason.
type ReasonRequest struct {
	Reason string `json:"reason"`
}

// CommentRequest is the body of POST /api/v1/advisories/{id}/return.
type CommentRequest struct {
	Comment string `json:"comment"`
}

// TextRequest is the body of a council request's answer or closing note.
type TextRequest struct {
	Text string `json:"text"`
}

// OrgRequest names an organisation.
type OrgRequest struct {
	OrgID string `json:"org_id"`
}

// ClearanceRequest is the body of PUT /api/v1/council/clearances/{user}.
type ClearanceRequest struct {
	Level  string `json:"level"`
	Reason string `json:"reason"`
}
