package sharing

import (
	"net/http"
	"slices"

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

// refusalText is the fixed status and messages of one code.
type refusalText struct {
	code   string
	status int
	en, ja string
}

// refusals lists every code in documentation order.
var refusals = []refusalText{
	{CodeNotCabinetOffice, http.StatusForbidden,
		"Only analysts of the Cabinet Office manage the council, its groups and clearances, and write and review advisories.",
		"協議会、そのグループ及びクリアランスの管理並びにアドバイザリの作成及び審査は、内閣府の分析官のみが行えます。"},
	{CodeCallerNotMember, http.StatusForbidden,
		"Your organisation is not a council member now.",
		"貴組織は現在、協議会の構成員ではありません。"},
	{CodeNotJoinable, http.StatusForbidden,
		"Only operators and vendors join the council by consent: government organisations are members by what they are, and the commission and the system's organisation are never members.",
		"同意により協議会に加入できるのは事業者及び供給者のみです。行政機関はその性質により構成員となり、委員会及びシステム管理組織は構成員となりません。"},
	{CodeSelfClearance, http.StatusForbidden,
		"Nobody grants or revokes their own clearance.",
		"自らのクリアランスを付与し、又は取り消すことはできません。"},
	{CodeSelfReview, http.StatusForbidden,
		"The author of an advisory does not review it: a second analyst returns or publishes it.",
		"アドバイザリの作成者はその審査を行えません。差戻し又は公表は別の分析官が行います。"},
	{CodeNotAuthor, http.StatusForbidden,
		"Only the author of this revision edits it or submits it for review.",
		"この版の編集及び審査への提出は、その作成者のみが行えます。"},
	{CodeClearanceRequired, http.StatusForbidden,
		"You do not hold the clearance this item requires.",
		"この情報が求めるクリアランスを保有していません。"},
	{CodeNotForwardable, http.StatusForbidden,
		"Only TLP:AMBER items may be forwarded to another council member: TLP:GREEN already reaches every member, TLP:AMBER+STRICT stays inside the organisations named, TLP:RED with the individuals named, and TLP:CLEAR is public.",
		"他の構成員への転送ができるのはTLP:AMBERの情報のみです。TLP:GREENは既に全構成員に共有され、TLP:AMBER+STRICTは指定された組織内に、TLP:REDは指定された個人に限られ、TLP:CLEARは公開情報です。"},
	{CodeNotRecipient, http.StatusForbidden,
		"Only a recipient organisation of this item forwards it.",
		"この情報を転送できるのは、その受領組織のみです。"},
	{CodeOrgNotMember, http.StatusConflict,
		"The organisation named is not a council member now.",
		"指定された組織は現在、協議会の構成員ではありません。"},
	{CodeRecipientClearance, http.StatusConflict,
		"A recipient named does not hold the clearance the item requires.",
		"指定された受領者が、この情報が求めるクリアランスを保有していません。"},
	{CodeAlreadyRecipient, http.StatusConflict,
		"The organisation already receives this item.",
		"この組織は既にこの情報の受領組織です。"},
	{CodeAlreadyMember, http.StatusConflict,
		"Your organisation's consent is already on record: it is a council member.",
		"貴組織の同意は既に記録されており、協議会の構成員です。"},
	{CodeNoConsent, http.StatusConflict,
		"Your organisation has no consent on record to withdraw.",
		"貴組織には撤回できる同意の記録がありません。"},
	{CodeTermsChanged, http.StatusConflict,
		"The terms of the duty of secrecy have changed: read and accept the current version.",
		"守秘義務に関する条件が変更されています。最新の版を確認の上、同意してください。"},
	{CodeAlreadySuspended, http.StatusConflict,
		"The organisation's membership is already suspended.",
		"この組織の構成員資格は既に停止されています。"},
	{CodeNotSuspended, http.StatusConflict,
		"The organisation's membership is not suspended.",
		"この組織の構成員資格は停止されていません。"},
	{CodeNoClearance, http.StatusConflict,
		"The user holds no clearance above the lowest to revoke.",
		"この利用者には取り消すべきクリアランスがありません。"},
	{CodeGroupNameTaken, http.StatusConflict,
		"Another group has this name.",
		"同じ名称のグループが既に存在します。"},
	{CodeAlreadyInGroup, http.StatusConflict,
		"The organisation is already in the group.",
		"この組織は既にグループに属しています。"},
	{CodeNotInGroup, http.StatusConflict,
		"The organisation is not in the group.",
		"この組織はグループに属していません。"},
	{CodeNotDraft, http.StatusConflict,
		"The advisory is not a draft: only a draft is edited or submitted for review.",
		"このアドバイザリは下書きではありません。編集及び審査への提出は下書きについてのみ行えます。"},
	{CodeNotInReview, http.StatusConflict,
		"The advisory is not in review: only an advisory in review is returned or published.",
		"このアドバイザリは審査中ではありません。差戻し及び公表は審査中のものについてのみ行えます。"},
	{CodeNotPublished, http.StatusConflict,
		"The advisory is not published: only a published advisory is revised, withdrawn or forwarded.",
		"このアドバイザリは公表されていません。改訂、撤回及び転送は公表されたものについてのみ行えます。"},
	{CodeRevisionOpen, http.StatusConflict,
		"A newer revision of this advisory is already being written.",
		"このアドバイザリの新しい版が既に作成中です。"},
	{CodeIncomplete, http.StatusConflict,
		"The advisory is incomplete: both parts must be written before review (technical summary and threat-hunting guidance; background, the attacker's purpose, business impact and recommended actions).",
		"アドバイザリが未完成です。審査の前に両方の部分（技術的概要及び脅威ハンティングの指針、背景、攻撃者の目的、事業への影響及び推奨される対応）を記載してください。"},
}

// Codes lists every refusal code, 403s first, in documentation order.
func Codes() []string {
	out := make([]string, len(refusals))
	for i, r := range refusals {
		out[i] = r.code
	}
	return out
}

// CodeStatus returns the HTTP status of code, and 0 for an unknown code.
func CodeStatus(code string) int {
	if i := slices.IndexFunc(refusals, func(r refusalText) bool { return r.code == code }); i >= 0 {
		return refusals[i].status
	}
	return 0
}

// Refusal is a step the council's rules or a record's state forbid: the
// request was well formed, but may not be granted. Code is one of
// [Codes]; Status its HTTP status (403 or 409); Detail says what exactly,
// in English, naming the record at fault.
//
// A Refusal unwraps to svcerr.ErrForbidden (403) or svcerr.ErrConflict
// (409), so callers that branch only on those keep working.
type Refusal struct {
	Code   string
	Status int
	Detail string
}

// refuse returns the Refusal of code with detail.
func refuse(code, detail string) *Refusal {
	return &Refusal{Code: code, Status: CodeStatus(code), Detail: detail}
}

func (r *Refusal) Error() string { return r.Code + ": " + r.Message("en") }

// Unwrap returns svcerr.ErrForbidden for a 403 refusal and
// svcerr.ErrConflict otherwise.
func (r *Refusal) Unwrap() error {
	if r.Status == http.StatusForbidden {
		return svcerr.ErrForbidden
	}
	return svcerr.ErrConflict
}

// Message returns the fixed message of the refusal in lang ("en" or "ja";
// anything else gives English), followed by the Detail (always English)
// when there is one.
func (r *Refusal) Message(lang string) string {
	msg := r.Code
	if i := slices.IndexFunc(refusals, func(t refusalText) bool { return t.code == r.Code }); i >= 0 {
		msg = refusals[i].en
		if lang == "ja" {
			msg = refusals[i].ja
		}
	}
	if r.Detail != "" {
		msg += " (" + r.Detail + ")"
	}
	return msg
}
