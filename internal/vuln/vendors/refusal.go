package vendors

import (
	"net/http"

	"github.com/acd-platform/acd/internal/svcerr"
)

// Refusal codes: why a well-formed request may not be granted. Each has a
// fixed HTTP status and a fixed message in English and Japanese.
const (
	// CodeNotCabinetOffice: notices and requests to act are sent and
	// closed by the Cabinet Office.
	CodeNotCabinetOffice = "not_cabinet_office"
	// CodeNotVendor: products are registered, and notices answered, by a
	// vendor's staff.
	CodeNotVendor = "not_vendor"
	// CodeNotConcerned: none of the vendor's registered products is named
	// by the vulnerability record.
	CodeNotConcerned = "vendor_not_concerned"
	// CodeAlreadySent: the vendor has an open notice or request about the
	// vulnerability.
	CodeAlreadySent = "already_sent"
	// CodeRejectedRecord: the CVE record is rejected; there is nothing to
	// act on.
	CodeRejectedRecord = "record_rejected"
	// CodeClosed: the notice or request is closed.
	CodeClosed = "request_closed"
	// CodeAnswerIncomplete: an answer that the product is affected names
	// neither a fixed version nor a mitigation.
	CodeAnswerIncomplete = "answer_incomplete"
	// CodeProductExists: the vendor already registered the product.
	CodeProductExists = "product_exists"
)

var refusals = svcerr.NewCatalogue(
	svcerr.Entry{Code: CodeNotCabinetOffice, Status: http.StatusForbidden,
		English:  "Vulnerability notices and requests to act are sent by the Cabinet Office.",
		Japanese: "脆弱性の通知及び対応の要請は内閣府が行います。"},
	svcerr.Entry{Code: CodeNotVendor, Status: http.StatusForbidden,
		English:  "Only a vendor's staff register its products and answer its notices.",
		Japanese: "製品の登録及び通知への回答は、製造業者等の職員のみが行えます。"},
	svcerr.Entry{Code: CodeNotConcerned, Status: http.StatusConflict,
		English:  "The vulnerability record names none of this vendor's registered products.",
		Japanese: "この脆弱性の記録は、この製造業者等が登録した製品を含んでいません。"},
	svcerr.Entry{Code: CodeAlreadySent, Status: http.StatusConflict,
		English:  "This vendor already has an open notice or request about this vulnerability.",
		Japanese: "この製造業者等には、この脆弱性について未完了の通知又は要請が既にあります。"},
	svcerr.Entry{Code: CodeRejectedRecord, Status: http.StatusConflict,
		English:  "The CVE record is rejected: there is nothing to act on.",
		Japanese: "このCVEは取り消されているため、対応を求めることはできません。"},
	svcerr.Entry{Code: CodeClosed, Status: http.StatusConflict,
		English:  "The notice or request is closed.",
		Japanese: "この通知又は要請は完了しています。"},
	svcerr.Entry{Code: CodeAnswerIncomplete, Status: http.StatusUnprocessableEntity,
		English:  "An answer that the product is affected gives a fixed version or a mitigation.",
		Japanese: "影響があるとする回答には、修正版又は緩和策を記載してください。"},
	svcerr.Entry{Code: CodeProductExists, Status: http.StatusConflict,
		English:  "This product is already registered.",
		Japanese: "この製品は既に登録されています。"},
)

// Codes lists every refusal code.
func Codes() []string { return refusals.Codes() }

// Refusal is a step the service refuses, with a code of [Codes]; see
// [svcerr.Refusal].
type Refusal = svcerr.Refusal

func refuse(code, detail string) *Refusal { return refusals.Refuse(code, detail) }
