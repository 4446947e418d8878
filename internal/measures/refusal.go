package measures

import (
	"net/http"

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

// refusals is the catalogue of every code, in documentation order.
var refusals = svcerr.NewCatalogue(
	svcerr.Entry{Code: CodeNotDesignated, Status: http.StatusForbidden,
		English:  "You do not hold an active designation as a cyber harm-prevention measure officer.",
		Japanese: "サイバー危害防止措置執行官としての有効な指名を受けていません。"},
	svcerr.Entry{Code: CodeNotDesignatingAuthority, Status: http.StatusForbidden,
		English:  "Only the NPA Commissioner General (police officers) or the Minister of Defense (SDF officers) designates and revokes officers.",
		Japanese: "執行官の指名及びその取消しは、警察庁長官（警察官）又は防衛大臣（自衛官）のみが行えます。"},
	svcerr.Entry{Code: CodeNotCaseOfficer, Status: http.StatusForbidden,
		English:  "Only the officer who opened this case records its steps.",
		Japanese: "この事案の手続は、事案を開始した執行官のみが記録できます。"},
	svcerr.Entry{Code: CodeNotInChain, Status: http.StatusForbidden,
		English:  "You are not in this case's chain of command for this step.",
		Japanese: "この手続について、あなたはこの事案の指揮系統にありません。"},
	svcerr.Entry{Code: CodeWrongPath, Status: http.StatusForbidden,
		English:  "This step does not belong to this case's legal path (police, SDF communication protection or SDF guard).",
		Japanese: "この手続は、この事案の法的根拠（警察、自衛隊の通信防護措置又は警護）に該当しません。"},
	svcerr.Entry{Code: CodePrefecturalForeign, Status: http.StatusForbidden,
		English:  "The target is not believed to be in Japan: only National Police Agency officers may act; hand the case to the NPA.",
		Japanese: "対象が国内にあると認められないため、警察庁の執行官のみが措置をとれます。事案を警察庁に引き継いでください。"},
	svcerr.Entry{Code: CodeCommissionSeparation, Status: http.StatusForbidden,
		English:  "An account that also holds the analyst, officer or commander role takes no part in the commission's decisions.",
		Japanese: "分析官、執行官又は指揮官の役割を併せ持つアカウントは、委員会の判断に参加できません。"},
	svcerr.Entry{Code: CodeLocationRequired, Status: http.StatusConflict,
		English:  "Record first whether the target is believed to be in Japan, with the evidence.",
		Japanese: "先に、対象が国内にあると認められるかどうかを、その根拠とともに記録してください。"},
	svcerr.Entry{Code: CodeChecklistIncomplete, Status: http.StatusConflict,
		English:  "The checklist is incomplete: only means, least intrusive, effect on third parties and, for a target abroad, international necessity must be stated.",
		Japanese: "確認事項が未記入です。他に手段がないこと、必要最小限であること、第三者への影響、及び国外の対象については国際法上の緊急状態を記載してください。"},
	svcerr.Entry{Code: CodeMOFARequired, Status: http.StatusConflict,
		English:  "The target is not believed to be in Japan: the Minister of Foreign Affairs must be consulted and have answered first.",
		Japanese: "対象が国内にあると認められないため、先に外務大臣と協議し、その回答を得る必要があります。"},
	svcerr.Entry{Code: CodeMOFAObjectionUnacknowledged, Status: http.StatusConflict,
		English:  "MOFA objected: the command must acknowledge the objection explicitly.",
		Japanese: "外務省が異議を述べています。指揮において異議を明示的に確認する必要があります。"},
	svcerr.Entry{Code: CodeNoMOFA, Status: http.StatusConflict,
		English:  "No Ministry of Foreign Affairs organisation is registered to consult.",
		Japanese: "協議先となる外務省の組織が登録されていません。"},
	svcerr.Entry{Code: CodeConsultationNotNeeded, Status: http.StatusConflict,
		English:  "The target is believed to be in Japan: the Minister of Foreign Affairs is not consulted.",
		Japanese: "対象が国内にあると認められるため、外務大臣との協議は行いません。"},
	svcerr.Entry{Code: CodeConsultationNotOpen, Status: http.StatusConflict,
		English:  "There is no consultation with your organisation on this case to answer.",
		Japanese: "この事案について、貴組織が回答すべき協議はありません。"},
	svcerr.Entry{Code: CodeApprovalPending, Status: http.StatusConflict,
		English:  "The commission has not yet decided on the request for approval.",
		Japanese: "承認の求めについて、委員会はまだ判断していません。"},
	svcerr.Entry{Code: CodeApprovalRequired, Status: http.StatusConflict,
		English:  "The commission's prior approval is required (or, where special circumstances leave no time, a declared emergency).",
		Japanese: "委員会の事前の承認が必要です（特段の事情により承認を得るいとまがない場合は、緊急の宣言）。"},
	svcerr.Entry{Code: CodeCommissionRefused, Status: http.StatusConflict,
		English:  "The commission refused approval: the case can only be withdrawn.",
		Japanese: "委員会が承認しなかったため、この事案は取り下げることのみできます。"},
	svcerr.Entry{Code: CodeAlreadyApproved, Status: http.StatusConflict,
		English:  "The commission has already approved the measure: no emergency declaration is needed.",
		Japanese: "委員会は既に措置を承認しています。緊急の宣言は不要です。"},
	svcerr.Entry{Code: CodeApprovalNotPending, Status: http.StatusConflict,
		English:  "No request for approval is pending on this case: the commission moves motions only on a pending request.",
		Japanese: "この事案について係属中の承認の求めはありません。委員会は、係属中の承認の求めについてのみ動議を提出できます。"},
	svcerr.Entry{Code: CodeMotionOpen, Status: http.StatusConflict,
		English:  "A motion on this request is open: the chair closes it before another is moved.",
		Japanese: "この承認の求めについて審議中の動議があります。委員長がそれを終結した後に、次の動議を提出できます。"},
	svcerr.Entry{Code: CodeMotionClosed, Status: http.StatusConflict,
		English:  "The motion is no longer open: votes are cast on, and the chair closes, open motions only.",
		Japanese: "この動議は既に終結しています。投票及び終結は、審議中の動議についてのみ行えます。"},
	svcerr.Entry{Code: CodeCommandRequired, Status: http.StatusConflict,
		English:  "No command is in force for this case.",
		Japanese: "この事案について有効な指揮がありません。"},
	svcerr.Entry{Code: CodeCommandExpired, Status: http.StatusConflict,
		English:  "The command has expired: a new command is required.",
		Japanese: "指揮の有効期限が過ぎています。新たな指揮が必要です。"},
	svcerr.Entry{Code: CodeCommandScope, Status: http.StatusConflict,
		English:  "The command in force does not cover this kind of measure.",
		Japanese: "有効な指揮は、この種類の措置を対象としていません。"},
	svcerr.Entry{Code: CodeExecutionBeforeGates, Status: http.StatusConflict,
		English:  "The measure is recorded as started before its gates were passed (the case opened, the commission's approval or the emergency, the command in force): it cannot be recorded under them.",
		Japanese: "記録された措置の開始が、要件（事案の開始、委員会の承認又は緊急の宣言、有効な指揮）が満たされる前です。これらの要件の下での措置として記録できません。"},
	svcerr.Entry{Code: CodePostNoticeOverdue, Status: http.StatusConflict,
		English:  "The post-notification of the emergency measure to the commission is overdue: file it first.",
		Japanese: "緊急の措置に係る委員会への事後通知の期限が過ぎています。先に事後通知を提出してください。"},
	svcerr.Entry{Code: CodePostNoticeRequired, Status: http.StatusConflict,
		English:  "The post-notification of the emergency measure must be filed before the case is closed.",
		Japanese: "事案を終結する前に、緊急の措置に係る事後通知を提出する必要があります。"},
	svcerr.Entry{Code: CodeNoEmergency, Status: http.StatusConflict,
		English:  "No emergency was declared on this case: there is no post-notification to file.",
		Japanese: "この事案について緊急の宣言はないため、提出すべき事後通知はありません。"},
	svcerr.Entry{Code: CodePostNoticeNotFiled, Status: http.StatusConflict,
		English:  "No post-notification has been filed on this case: there is nothing to review yet.",
		Japanese: "この事案について事後通知が提出されていないため、審査するものはありません。"},
	svcerr.Entry{Code: CodeNPSCRequired, Status: http.StatusConflict,
		English:  "The National Public Safety Commission's request or consent must be recorded first.",
		Japanese: "先に国家公安委員会の要請又は同意を記録する必要があります。"},
	svcerr.Entry{Code: CodeSDFOrderRequired, Status: http.StatusConflict,
		English:  "The Prime Minister's order of communication protection measures is required first.",
		Japanese: "先に内閣総理大臣による通信防護措置の命令が必要です。"},
	svcerr.Entry{Code: CodeSDFConditionsNotMet, Status: http.StatusConflict,
		English:  "Every condition of the order must be met and explained: important computers attacked, a highly organised actor abroad, the SDF indispensable.",
		Japanese: "命令の要件（重要電子計算機への攻撃、国外の高度に組織的かつ計画的な行為者、自衛隊の特殊な能力等の不可欠性）がすべて満たされ、説明されている必要があります。"},
	svcerr.Entry{Code: CodeJointPoliceRequired, Status: http.StatusConflict,
		English:  "An SDF communication protection measure is taken jointly with a police agency, which must be named.",
		Japanese: "自衛隊の通信防護措置は警察と共同で行うため、共同する警察の組織を指定する必要があります。"},
	svcerr.Entry{Code: CodeCaseLocked, Status: http.StatusConflict,
		English:  "The case can no longer be edited: approval was requested, an emergency declared or a measure taken.",
		Japanese: "承認の求め、緊急の宣言又は措置の実施の後は、事案を編集できません。"},
	svcerr.Entry{Code: CodeCaseClosed, Status: http.StatusConflict,
		English:  "The case is closed or withdrawn.",
		Japanese: "この事案は終結又は取下げ済みです。"},
	svcerr.Entry{Code: CodeAlreadyExecuted, Status: http.StatusConflict,
		English:  "A measure has already been taken: close the case with an outcome report instead of withdrawing it.",
		Japanese: "既に措置がとられています。取り下げずに、結果報告により事案を終結してください。"},
	svcerr.Entry{Code: CodeNothingExecuted, Status: http.StatusConflict,
		English:  "No order was issued and no measure recorded: withdraw the case instead of closing it.",
		Japanese: "命令の発出も措置の記録もありません。終結ではなく取下げをしてください。"},
	svcerr.Entry{Code: CodeAlreadyDone, Status: http.StatusConflict,
		English:  "This step is taken once and has already been taken.",
		Japanese: "この手続は一度のみ行うもので、既に行われています。"},
)

// Codes lists every refusal code, 403s first, in documentation order.
func Codes() []string { return refusals.Codes() }

// CodeStatus returns the HTTP status of code, and 0 for an unknown code.
func CodeStatus(code string) int { return refusals.Status(code) }

// Refusal is a step the law or the case's state forbids: the request was
// well formed, but may not be granted. Code is one of [Codes]; Status its
// HTTP status (403 or 409); Detail says what exactly, in English, naming
// the case and the missing piece.
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
