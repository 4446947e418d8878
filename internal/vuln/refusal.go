package vuln

import (
	"net/http"

	"github.com/acd-platform/acd/internal/svcerr"
)

// Refusal codes: why a well-formed request may not be granted. Each has a
// fixed HTTP status and a fixed message in English and Japanese.
const (
	// CodeNoSectorScope: a sector's exposure is for the ministries of
	// sectors and the Cabinet Office.
	CodeNoSectorScope = "no_sector_scope"
	// CodeNotCabinetOffice: the national view, imports, KEV candidates and
	// the exploited-in-Japan mark are the Cabinet Office's (its analysts).
	CodeNotCabinetOffice = "not_cabinet_office"
)

var refusals = svcerr.NewCatalogue(
	svcerr.Entry{Code: CodeNoSectorScope, Status: http.StatusForbidden,
		English:  "Sector exposure is shown to the ministries of sectors and to the Cabinet Office; your account has no sector.",
		Japanese: "分野別の影響状況は事業所管省庁及び内閣府のみが閲覧できます。あなたのアカウントには所管分野がありません。"},
	svcerr.Entry{Code: CodeNotCabinetOffice, Status: http.StatusForbidden,
		English:  "This is for the Cabinet Office's analysts: the national view, imports, KEV candidates and the exploited-in-Japan mark.",
		Japanese: "全国の状況の閲覧、脆弱性情報の取込み、KEV候補及び国内での悪用の記録は、内閣府の分析官のみが行えます。"},
)

// Codes lists every refusal code.
func Codes() []string { return refusals.Codes() }

// Refusal is a step the service refuses, with a code of [Codes]; see
// [svcerr.Refusal].
type Refusal = svcerr.Refusal

// refuse returns the Refusal of code with detail.
func refuse(code, detail string) *Refusal { return refusals.Refuse(code, detail) }
