package reportapi

import (
	"time"

	"github.com/acd-platform/acd/internal/reporting"
)

// OperatorList is the body of GET /api/v1/operators.
type OperatorList struct {
	Operators []reporting.Operator `json:"operators"`
}

// DesignationList is the body of GET /api/v1/operators/{id}/designations.
type DesignationList struct {
	Designations []reporting.Designation `json:"designations"`
}

// DesignationRequest is the body of POST /api/v1/operators/{id}/designations.
type DesignationRequest struct {
	// Designated true designates, false withdraws the designation.
	Designated bool   `json:"designated"`
	Reason     string `json:"reason"`
}

// AssetList is the body of GET /api/v1/assets.
type AssetList struct {
	Assets []reporting.CriticalComputer `json:"assets"`
}

// AssetDetail is the body of GET /api/v1/assets/{id}.
type AssetDetail struct {
	Asset    reporting.CriticalComputer `json:"asset"`
	Versions []reporting.AssetVersion   `json:"versions"`
}

// ReasonRequest is the body of POST /api/v1/assets/{id}/retire.
type ReasonRequest struct {
	Reason string `json:"reason"`
}

// Rejected is a row of an import that was not accepted.
type Rejected struct {
	Line   int    `json:"line"`
	Ref    string `json:"ref,omitempty"`
	Field  string `json:"field,omitempty"`
	Reason string `json:"reason"`
}

// ImportReport is the answer to POST /api/v1/assets/import: what was done
// with every accepted row, and every rejected row with its reason.
type ImportReport struct {
	DryRun   bool                     `json:"dry_run"`
	Accepted []reporting.ImportResult `json:"accepted"`
	Rejected []Rejected               `json:"rejected"`
}

// NoticeList is the body of GET /api/v1/asset-notices.
type NoticeList struct {
	Notices []reporting.AssetNotice `json:"notices"`
}

// ReportList is the body of GET /api/v1/reports.
type ReportList struct {
	Reports []reporting.Report `json:"reports"`
}

// Stats is the body of GET /api/v1/reports/stats.
type Stats struct {
	From    time.Time          `json:"from"`
	To      time.Time          `json:"to"`
	Step    string             `json:"step"`
	Sectors []string           `json:"sectors"`
	Buckets []reporting.Bucket `json:"buckets"`
}

// ComplianceTable is the body of GET /api/v1/compliance.
type ComplianceTable struct {
	At   time.Time                 `json:"at"`
	Rows []reporting.ComplianceRow `json:"rows"`
}

// OrderList is the body of GET /api/v1/orders.
type OrderList struct {
	Orders []reporting.Order `json:"orders"`
}

// TextRequest is the body of an order's answer or closing note.
type TextRequest struct {
	Text string `json:"text"`
}
