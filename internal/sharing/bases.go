package sharing

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/acd-platform/acd/internal/commsinfo"
)

// RegisterBases registers with ci the checkers of the provision of
// analysis information (ch.8): §28 (commsinfo.BasisAnalysis,
// CheckAnalysisBasis) and §39 (commsinfo.BasisForeign,
// CheckForeignBasis).
func RegisterBases(ci *commsinfo.Service) error {
	if err := ci.RegisterBasis(commsinfo.BasisAnalysis, commsinfo.BasisFunc(CheckAnalysisBasis)); err != nil {
		return err
	}
	return ci.RegisterBasis(commsinfo.BasisForeign, commsinfo.BasisFunc(CheckForeignBasis))
}

// analysisOnly refuses a provision that is not analysis information:
// findings, and no selected records.
func analysisOnly(r *commsinfo.BasisRequest) error {
	if r.RecordCount > 0 {
		return fmt.Errorf("%s provides analysis information only (findings), not selected records: %d selected records were named; provide them under §23 if a §23 basis applies",
			r.Basis, r.RecordCount)
	}
	if len(r.Findings) == 0 {
		return fmt.Errorf("%s provides analysis information: name at least one finding", r.Basis)
	}
	if strings.TrimSpace(r.Purpose) == "" {
		return fmt.Errorf("%s: the purpose of the provision is required", r.Basis)
	}
	return nil
}

// CheckAnalysisBasis decides a provision under §28: analysis information
// (findings, no selected records) to a government organisation (an agency
// kind; never an operator, a vendor, the commission or the system's
// organisation), as recipient kind commsinfo.RecipientAgency.
func CheckAnalysisBasis(_ context.Context, r *commsinfo.BasisRequest) error {
	if r.RecipientKind != commsinfo.RecipientAgency {
		return fmt.Errorf("§28 provides to another agency (recipient kind %s), not to recipient kind %s", commsinfo.RecipientAgency, r.RecipientKind)
	}
	if r.RecipientOrgID == "" || r.Recipient.ID == "" {
		return errors.New("§28 provides to a government organisation registered in ACD: name it in recipient_org_id")
	}
	if !AgencyKind(r.Recipient.Kind) {
		return fmt.Errorf("§28 provides to government organisations only; %s is of kind %s", r.Recipient.Name, r.Recipient.Kind)
	}
	return analysisOnly(r)
}

// CheckForeignBasis decides a provision under §39: analysis information
// (findings, no selected records) to a foreign government named in
// RecipientName, as recipient kind commsinfo.RecipientForeignGovernment,
// with a purpose.
func CheckForeignBasis(_ context.Context, r *commsinfo.BasisRequest) error {
	if r.RecipientKind != commsinfo.RecipientForeignGovernment {
		return fmt.Errorf("§39 provides to a foreign government (recipient kind %s), not to recipient kind %s", commsinfo.RecipientForeignGovernment, r.RecipientKind)
	}
	if strings.TrimSpace(r.RecipientName) == "" {
		return errors.New("§39: name the foreign government in recipient_name")
	}
	if r.Recipient.ID != "" && (AgencyKind(r.Recipient.Kind) || Joinable(r.Recipient.Kind)) {
		return fmt.Errorf("§39 provides to a foreign government; %s is a Japanese organisation (kind %s)", r.Recipient.Name, r.Recipient.Kind)
	}
	return analysisOnly(r)
}
