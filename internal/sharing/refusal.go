package sharing

import (
	"net/http"

	"github.com/acd-platform/acd/internal/svcerr"
)

// Refusal codes: why the council's rules or a record's state forbid a
// step. Each has a fixed HTTP status and a fixed message in English and
// Japanese (see [Refusal.Message] and docs/sharing.md).
const (
	// 403: who is asking may not take this step.
	CodeNotCabinetOffice  = "not_cabinet_office"
	CodeCallerNotMember   = "not_council_member"
	CodeNotJoinable       = "not_joinable"
	CodeSelfClearance     = "self_clearance"
	CodeSelfReview        = "self_review"
	CodeNotAuthor         = "not_author"
	CodeClearanceRequired = "clearance_required"
	CodeNotForwardable    = "not_forwardable"
	CodeNotRecipient      = "not_recipient"

	// 409: the record's state (or another's) does not allow the step.
	CodeOrgNotMember       = "org_not_member"
	CodeRecipientClearance = "recipient_clearance"
	CodeAlreadyRecipient   = "already_recipient"
	CodeAlreadyMember      = "already_member"
	CodeNoConsent          = "no_consent"
	CodeTermsChanged       = "terms_changed"
	CodeAlreadySuspended   = "already_suspended"
	CodeNotSuspended       = "not_suspended"
	CodeNoClearance        = "no_clearance"
	CodeGroupNameTaken     = "group_name_taken"
	CodeAlreadyInGroup     = "already_in_group"
	CodeNotInGroup         = "not_in_group"
	CodeNotDraft           = "not_draft"
	CodeNotInReview        = "not_in_review"
	CodeNotPublished       = "not_published"
	CodeRevisionOpen       = "revision_open"
	CodeIncomplete         = "advisory_incomplete"
)

// refusals is the catalogue of every code, in documentation order.
var refusals = svcerr.NewCatalogue(
	svcerr.Entry{Code: CodeNotCabinetOffice, Status: http.StatusForbidden,
		English:  "Only analysts of the Cabinet Office manage the council, its groups and clearances, and write and review advisories.",
		Japanese: "協議会、そのグループ及びクリアランスの管理並びにアドバイザリの作成及び審査は、内閣府の分析官のみが行えます。"},
	svcerr.Entry{Code: CodeCallerNotMember, Status: http.StatusForbidden,
		English:  "Your organisation is not a council member now.",
		Japanese: "貴組織は現在、協議会の構成員ではありません。"},
	svcerr.Entry{Code: CodeNotJoinable, Status: http.StatusForbidden,
		English:  "Only operators and vendors join the council by consent: government organisations are members by what they are, and the commission and the system's organisation are never members.",
		Japanese: "同意により協議会に加入できるのは事業者及び供給者のみです。行政機関はその性質により構成員となり、委員会及びシステム管理組織は構成員となりません。"},
	svcerr.Entry{Code: CodeSelfClearance, Status: http.StatusForbidden,
		English:  "Nobody grants or revokes their own clearance.",
		Japanese: "自らのクリアランスを付与し、又は取り消すことはできません。"},
	svcerr.Entry{Code: CodeSelfReview, Status: http.StatusForbidden,
		English:  "The author of an advisory does not review it: a second analyst returns or publishes it.",
		Japanese: "アドバイザリの作成者はその審査を行えません。差戻し又は公表は別の分析官が行います。"},
	svcerr.Entry{Code: CodeNotAuthor, Status: http.StatusForbidden,
		English:  "Only the author of this revision edits it or submits it for review.",
		Japanese: "この版の編集及び審査への提出は、その作成者のみが行えます。"},
	svcerr.Entry{Code: CodeClearanceRequired, Status: http.StatusForbidden,
		English:  "You do not hold the clearance this item requires.",
		Japanese: "この情報が求めるクリアランスを保有していません。"},
	svcerr.Entry{Code: CodeNotForwardable, Status: http.StatusForbidden,
		English:  "Only TLP:AMBER items may be forwarded to another council member: TLP:GREEN already reaches every member, TLP:AMBER+STRICT stays inside the organisations named, TLP:RED with the individuals named, and TLP:CLEAR is public.",
		Japanese: "他の構成員への転送ができるのはTLP:AMBERの情報のみです。TLP:GREENは既に全構成員に共有され、TLP:AMBER+STRICTは指定された組織内に、TLP:REDは指定された個人に限られ、TLP:CLEARは公開情報です。"},
	svcerr.Entry{Code: CodeNotRecipient, Status: http.StatusForbidden,
		English:  "Only a recipient organisation of this item forwards it.",
		Japanese: "この情報を転送できるのは、その受領組織のみです。"},
	svcerr.Entry{Code: CodeOrgNotMember, Status: http.StatusConflict,
		English:  "The organisation named is not a council member now.",
		Japanese: "指定された組織は現在、協議会の構成員ではありません。"},
	svcerr.Entry{Code: CodeRecipientClearance, Status: http.StatusConflict,
		English:  "A recipient named does not hold the clearance the item requires.",
		Japanese: "指定された受領者が、この情報が求めるクリアランスを保有していません。"},
	svcerr.Entry{Code: CodeAlreadyRecipient, Status: http.StatusConflict,
		English:  "The organisation already receives this item.",
		Japanese: "この組織は既にこの情報の受領組織です。"},
	svcerr.Entry{Code: CodeAlreadyMember, Status: http.StatusConflict,
		English:  "Your organisation's consent is already on record: it is a council member.",
		Japanese: "貴組織の同意は既に記録されており、協議会の構成員です。"},
	svcerr.Entry{Code: CodeNoConsent, Status: http.StatusConflict,
		English:  "Your organisation has no consent on record to withdraw.",
		Japanese: "貴組織には撤回できる同意の記録がありません。"},
	svcerr.Entry{Code: CodeTermsChanged, Status: http.StatusConflict,
		English:  "The terms of the duty of secrecy have changed: read and accept the current version.",
		Japanese: "守秘義務に関する条件が変更されています。最新の版を確認の上、同意してください。"},
	svcerr.Entry{Code: CodeAlreadySuspended, Status: http.StatusConflict,
		English:  "The organisation's membership is already suspended.",
		Japanese: "この組織の構成員資格は既に停止されています。"},
	svcerr.Entry{Code: CodeNotSuspended, Status: http.StatusConflict,
		English:  "The organisation's membership is not suspended.",
		Japanese: "この組織の構成員資格は停止されていません。"},
	svcerr.Entry{Code: CodeNoClearance, Status: http.StatusConflict,
		English:  "The user holds no clearance above the lowest to revoke.",
		Japanese: "この利用者には取り消すべきクリアランスがありません。"},
	svcerr.Entry{Code: CodeGroupNameTaken, Status: http.StatusConflict,
		English:  "Another group has this name.",
		Japanese: "同じ名称のグループが既に存在します。"},
	svcerr.Entry{Code: CodeAlreadyInGroup, Status: http.StatusConflict,
		English:  "The organisation is already in the group.",
		Japanese: "この組織は既にグループに属しています。"},
	svcerr.Entry{Code: CodeNotInGroup, Status: http.StatusConflict,
		English:  "The organisation is not in the group.",
		Japanese: "この組織はグループに属していません。"},
	svcerr.Entry{Code: CodeNotDraft, Status: http.StatusConflict,
		English:  "The advisory is not a draft: only a draft is edited or submitted for review.",
		Japanese: "このアドバイザリは下書きではありません。編集及び審査への提出は下書きについてのみ行えます。"},
	svcerr.Entry{Code: CodeNotInReview, Status: http.StatusConflict,
		English:  "The advisory is not in review: only an advisory in review is returned or published.",
		Japanese: "このアドバイザリは審査中ではありません。差戻し及び公表は審査中のものについてのみ行えます。"},
	svcerr.Entry{Code: CodeNotPublished, Status: http.StatusConflict,
		English:  "The advisory is not published: only a published advisory is revised, withdrawn or forwarded.",
		Japanese: "このアドバイザリは公表されていません。改訂、撤回及び転送は公表されたものについてのみ行えます。"},
	svcerr.Entry{Code: CodeRevisionOpen, Status: http.StatusConflict,
		English:  "A newer revision of this advisory is already being written.",
		Japanese: "このアドバイザリの新しい版が既に作成中です。"},
	svcerr.Entry{Code: CodeIncomplete, Status: http.StatusConflict,
		English:  "The advisory is incomplete: both parts must be written before review (technical summary and threat-hunting guidance; background, the attacker's purpose, business impact and recommended actions).",
		Japanese: "アドバイザリが未完成です。審査の前に両方の部分（技術的概要及び脅威ハンティングの指針、背景、攻撃者の目的、事業への影響及び推奨される対応）を記載してください。"},
)

// Codes lists every refusal code, 403s first, in documentation order.
func Codes() []string { return refusals.Codes() }

// CodeStatus returns the HTTP status of code, and 0 for an unknown code.
func CodeStatus(code string) int { return refusals.Status(code) }

// Refusal is a step the council's rules or a record's state forbid: the
// request was well formed, but may not be granted. Code is one of
// [Codes]; Status its HTTP status (403 or 409); Detail says what
// exactly, in English, naming the record at fault.
//
// It is [svcerr.Refusal], built by [Refuse]: Message(lang) gives the
// code's fixed message in English or Japanese with the detail; it
// unwraps to svcerr.ErrForbidden (403) or svcerr.ErrConflict (409), so
// callers that branch only on those keep working; svcerr.API maps it to
// an api.Error with the code and the messages in both languages.
type Refusal = svcerr.Refusal

// Refuse returns the Refusal of code, with its status, and detail. The
// service refuses with it; so may a caller that needs the refusal, or its
// message, without asking the service (a page that offers no form for a
// step the service would refuse).
func Refuse(code, detail string) *Refusal { return refusals.Refuse(code, detail) }

// refuse is [Refuse], under the short name the service's steps use.
func refuse(code, detail string) *Refusal { return refusals.Refuse(code, detail) }
