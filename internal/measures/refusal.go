package measures

import (
	"net/http"
	"slices"

	"github.com/acd-platform/acd/internal/svcerr"
)

// Refusal codes: why the law or the case's state forbids a step. Each has a
// fixed HTTP status and a fixed message in English and Japanese (see
// [Refusal.Message] and docs/measures.md).
const (
	// 403: who is asking may not take this step.
	CodeNotDesignated           = "not_designated"
	CodeNotDesignatingAuthority = "not_designating_authority"
	CodeNotCaseOfficer          = "not_case_officer"
	CodeNotInChain              = "not_in_chain"
	CodeWrongPath               = "wrong_path"
	CodePrefecturalForeign      = "prefectural_foreign_target"
	CodeCommissionSeparation    = "commission_separation"

	// 409: the case is not (or no longer) in a state that allows the step.
	CodeLocationRequired            = "location_required"
	CodeChecklistIncomplete         = "checklist_incomplete"
	CodeMOFARequired                = "mofa_consultation_required"
	CodeMOFAObjectionUnacknowledged = "mofa_objection_unacknowledged"
	CodeNoMOFA                      = "no_mofa"
	CodeConsultationNotNeeded       = "consultation_not_needed"
	CodeConsultationNotOpen         = "consultation_not_open"
	CodeApprovalPending             = "approval_pending"
	CodeApprovalRequired            = "commission_approval_required"
	CodeCommissionRefused           = "commission_refused"
	CodeAlreadyApproved             = "already_approved"
	CodeApprovalNotPending          = "approval_not_pending"
	CodeMotionOpen                  = "motion_open"
	CodeMotionClosed                = "motion_closed"
	CodeCommandRequired             = "command_required"
	CodeCommandExpired              = "command_expired"
	CodeCommandScope                = "command_scope"
	CodeExecutionBeforeGates        = "execution_before_gates"
	CodePostNoticeOverdue           = "post_notice_overdue"
	CodePostNoticeRequired          = "post_notice_required"
	CodeNoEmergency                 = "no_emergency"
	CodePostNoticeNotFiled          = "post_notice_not_filed"
	CodeNPSCRequired                = "npsc_required"
	CodeSDFOrderRequired            = "sdf_order_required"
	CodeSDFConditionsNotMet         = "sdf_conditions_not_met"
	CodeJointPoliceRequired         = "joint_police_required"
	CodeCaseLocked                  = "case_locked"
	CodeCaseClosed                  = "case_closed"
	CodeAlreadyExecuted             = "already_executed"
	CodeNothingExecuted             = "nothing_executed"
	CodeAlreadyDone                 = "already_done"
)

// refusalText is the fixed status and messages of one code.
type refusalText struct {
	code   string
	status int
	en, ja string
}

// refusals lists every code in documentation order.
var refusals = []refusalText{
	{CodeNotDesignated, http.StatusForbidden,
		"You do not hold an active designation as a cyber harm-prevention measure officer.",
		"サイバー危害防止措置執行官としての有効な指名を受けていません。"},
	{CodeNotDesignatingAuthority, http.StatusForbidden,
		"Only the NPA Commissioner General (police officers) or the Minister of Defense (SDF officers) designates and revokes officers.",
		"執行官の指名及びその取消しは、警察庁長官（警察官）又は防衛大臣（自衛官）のみが行えます。"},
	{CodeNotCaseOfficer, http.StatusForbidden,
		"Only the officer who opened this case records its steps.",
		"この事案の手続は、事案を開始した執行官のみが記録できます。"},
	{CodeNotInChain, http.StatusForbidden,
		"You are not in this case's chain of command for this step.",
		"この手続について、あなたはこの事案の指揮系統にありません。"},
	{CodeWrongPath, http.StatusForbidden,
		"This step does not belong to this case's legal path (police, SDF communication protection or SDF guard).",
		"この手続は、この事案の法的根拠（警察、自衛隊の通信防護措置又は警護）に該当しません。"},
	{CodePrefecturalForeign, http.StatusForbidden,
		"The target is not believed to be in Japan: only National Police Agency officers may act; hand the case to the NPA.",
		"対象が国内にあると認められないため、警察庁の執行官のみが措置をとれます。事案を警察庁に引き継いでください。"},
	{CodeCommissionSeparation, http.StatusForbidden,
		"An account that also holds the analyst, officer or commander role takes no part in the commission's decisions.",
		"分析官、執行官又は指揮官の役割を併せ持つアカウントは、委員会の判断に参加できません。"},
	{CodeLocationRequired, http.StatusConflict,
		"Record first whether the target is believed to be in Japan, with the evidence.",
		"先に、対象が国内にあると認められるかどうかを、その根拠とともに記録してください。"},
	{CodeChecklistIncomplete, http.StatusConflict,
		"The checklist is incomplete: only means, least intrusive, effect on third parties and, for a target abroad, international necessity must be stated.",
		"確認事項が未記入です。他に手段がないこと、必要最小限であること、第三者への影響、及び国外の対象については国際法上の緊急状態を記載してください。"},
	{CodeMOFARequired, http.StatusConflict,
		"The target is not believed to be in Japan: the Minister of Foreign Affairs must be consulted and have answered first.",
		"対象が国内にあると認められないため、先に外務大臣と協議し、その回答を得る必要があります。"},
	{CodeMOFAObjectionUnacknowledged, http.StatusConflict,
		"MOFA objected: the command must acknowledge the objection explicitly.",
		"外務省が異議を述べています。指揮において異議を明示的に確認する必要があります。"},
	{CodeNoMOFA, http.StatusConflict,
		"No Ministry of Foreign Affairs organisation is registered to consult.",
		"協議先となる外務省の組織が登録されていません。"},
	{CodeConsultationNotNeeded, http.StatusConflict,
		"The target is believed to be in Japan: the Minister of Foreign Affairs is not consulted.",
		"対象が国内にあると認められるため、外務大臣との協議は行いません。"},
	{CodeConsultationNotOpen, http.StatusConflict,
		"There is no consultation with your organisation on this case to answer.",
		"この事案について、貴組織が回答すべき協議はありません。"},
	{CodeApprovalPending, http.StatusConflict,
		"The commission has not yet decided on the request for approval.",
		"承認の求めについて、委員会はまだ判断していません。"},
	{CodeApprovalRequired, http.StatusConflict,
		"The commission's prior approval is required (or, where special circumstances leave no time, a declared emergency).",
		"委員会の事前の承認が必要です（特段の事情により承認を得るいとまがない場合は、緊急の宣言）。"},
	{CodeCommissionRefused, http.StatusConflict,
		"The commission refused approval: the case can only be withdrawn.",
		"委員会が承認しなかったため、この事案は取り下げることのみできます。"},
	{CodeAlreadyApproved, http.StatusConflict,
		"The commission has already approved the measure: no emergency declaration is needed.",
		"委員会は既に措置を承認しています。緊急の宣言は不要です。"},
	{CodeApprovalNotPending, http.StatusConflict,
		"No request for approval is pending on this case: the commission moves motions only on a pending request.",
		"この事案について係属中の承認の求めはありません。委員会は、係属中の承認の求めについてのみ動議を提出できます。"},
	{CodeMotionOpen, http.StatusConflict,
		"A motion on this request is open: the chair closes it before another is moved.",
		"この承認の求めについて審議中の動議があります。委員長がそれを終結した後に、次の動議を提出できます。"},
	{CodeMotionClosed, http.StatusConflict,
		"The motion is no longer open: votes are cast on, and the chair closes, open motions only.",
		"この動議は既に終結しています。投票及び終結は、審議中の動議についてのみ行えます。"},
	{CodeCommandRequired, http.StatusConflict,
		"No command is in force for this case.",
		"この事案について有効な指揮がありません。"},
	{CodeCommandExpired, http.StatusConflict,
		"The command has expired: a new command is required.",
		"指揮の有効期限が過ぎています。新たな指揮が必要です。"},
	{CodeCommandScope, http.StatusConflict,
		"The command in force does not cover this kind of measure.",
		"有効な指揮は、この種類の措置を対象としていません。"},
	{CodeExecutionBeforeGates, http.StatusConflict,
		"The measure is recorded as started before its gates were passed (the case opened, the commission's approval or the emergency, the command in force): it cannot be recorded under them.",
		"記録された措置の開始が、要件（事案の開始、委員会の承認又は緊急の宣言、有効な指揮）が満たされる前です。これらの要件の下での措置として記録できません。"},
	{CodePostNoticeOverdue, http.StatusConflict,
		"The post-notification of the emergency measure to the commission is overdue: file it first.",
		"緊急の措置に係る委員会への事後通知の期限が過ぎています。先に事後通知を提出してください。"},
	{CodePostNoticeRequired, http.StatusConflict,
		"The post-notification of the emergency measure must be filed before the case is closed.",
		"事案を終結する前に、緊急の措置に係る事後通知を提出する必要があります。"},
	{CodeNoEmergency, http.StatusConflict,
		"No emergency was declared on this case: there is no post-notification to file.",
		"この事案について緊急の宣言はないため、提出すべき事後通知はありません。"},
	{CodePostNoticeNotFiled, http.StatusConflict,
		"No post-notification has been filed on this case: there is nothing to review yet.",
		"この事案について事後通知が提出されていないため、審査するものはありません。"},
	{CodeNPSCRequired, http.StatusConflict,
		"The National Public Safety Commission's request or consent must be recorded first.",
		"先に国家公安委員会の要請又は同意を記録する必要があります。"},
	{CodeSDFOrderRequired, http.StatusConflict,
		"The Prime Minister's order of communication protection measures is required first.",
		"先に内閣総理大臣による通信防護措置の命令が必要です。"},
	{CodeSDFConditionsNotMet, http.StatusConflict,
		"Every condition of the order must be met and explained: important computers attacked, a highly organised actor abroad, the SDF indispensable.",
		"命令の要件（重要電子計算機への攻撃、国外の高度に組織的かつ計画的な行為者、自衛隊の特殊な能力等の不可欠性）がすべて満たされ、説明されている必要があります。"},
	{CodeJointPoliceRequired, http.StatusConflict,
		"An SDF communication protection measure is taken jointly with a police agency, which must be named.",
		"自衛隊の通信防護措置は警察と共同で行うため、共同する警察の組織を指定する必要があります。"},
	{CodeCaseLocked, http.StatusConflict,
		"The case can no longer be edited: approval was requested, an emergency declared or a measure taken.",
		"承認の求め、緊急の宣言又は措置の実施の後は、事案を編集できません。"},
	{CodeCaseClosed, http.StatusConflict,
		"The case is closed or withdrawn.",
		"この事案は終結又は取下げ済みです。"},
	{CodeAlreadyExecuted, http.StatusConflict,
		"A measure has already been taken: close the case with an outcome report instead of withdrawing it.",
		"既に措置がとられています。取り下げずに、結果報告により事案を終結してください。"},
	{CodeNothingExecuted, http.StatusConflict,
		"No order was issued and no measure recorded: withdraw the case instead of closing it.",
		"命令の発出も措置の記録もありません。終結ではなく取下げをしてください。"},
	{CodeAlreadyDone, http.StatusConflict,
		"This step is taken once and has already been taken.",
		"この手続は一度のみ行うもので、既に行われています。"},
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

// Refusal is a step the law or the case's state forbids: the request was
// well formed, but may not be granted. Code is one of [Codes]; Status its
// HTTP status (403 or 409); Detail says what exactly, in English, naming
// the case and the missing piece.
//
// A Refusal unwraps to svcerr.ErrForbidden (403) or svcerr.ErrConflict
// (409), so callers that branch only on those keep working. The API maps it
// to an api.Error with the code, Message("en") and both languages'
// messages.
type Refusal struct {
	Code   string
	Status int
	Detail string
}

// refuse returns the Refusal of code with detail.
func refuse(code, detail string) *Refusal {
	return &Refusal{Code: code, Status: CodeStatus(code), Detail: detail}
}

func (r *Refusal) Error() string {
	msg := r.Code + ": " + r.Message("en")
	return msg
}

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
	var msg string
	if i := slices.IndexFunc(refusals, func(t refusalText) bool { return t.code == r.Code }); i >= 0 {
		msg = refusals[i].en
		if lang == "ja" {
			msg = refusals[i].ja
		}
	} else {
		msg = r.Code
	}
	if r.Detail != "" {
		msg += " (" + r.Detail + ")"
	}
	return msg
}
