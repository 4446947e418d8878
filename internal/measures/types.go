package measures

import (
	"time"

	"github.com/acd-platform/acd/internal/measures/orderdoc"
	"github.com/acd-platform/acd/internal/oversight"
)

// Path is the legal basis a case proceeds under.
type Path string

// Paths.
const (
	// PathPolice: a police officer's measure, Police Duties Execution Act
	// §6-2.
	PathPolice Path = "police"
	// PathSDFProtection: the SDF's communication protection measure
	// ordered by the Prime Minister, SDF Act §81-3, with police powers
	// under §91-3, jointly with a police agency.
	PathSDFProtection Path = "sdf_protection"
	// PathSDFGuard: SDF officers guarding SDF or US forces computers, SDF
	// Act §95-4.
	PathSDFGuard Path = "sdf_guard"
)

// Paths lists the paths.
var Paths = []Path{PathPolice, PathSDFProtection, PathSDFGuard}

// SDF reports whether p is one of the SDF paths.
func (p Path) SDF() bool { return p == PathSDFProtection || p == PathSDFGuard }

// State is where a case is: open → executing (first order or execution) →
// closed (outcome report); or open → withdrawn. Closed and withdrawn are
// final.
type State string

// States.
const (
	StateOpen      State = "open"
	StateExecuting State = "executing"
	StateClosed    State = "closed"
	StateWithdrawn State = "withdrawn"
)

// States lists the states.
var States = []State{StateOpen, StateExecuting, StateClosed, StateWithdrawn}

// Final reports whether no step may change a case in state st.
func (st State) Final() bool { return st == StateClosed || st == StateWithdrawn }

// MeasureKind is a kind of measure a case proposes and a command covers:
// ordering the administrator, or the officer's own measure over the
// network (PDEA §6-2: stopping or deleting the attack program, changing a
// setting so the attacker loses access, or another).
type MeasureKind string

// Measure kinds.
const (
	KindOrderAdmin    MeasureKind = "order_admin"
	KindStopProgram   MeasureKind = "stop_program"
	KindDeleteProgram MeasureKind = "delete_program"
	KindChangeSetting MeasureKind = "change_setting"
	KindOther         MeasureKind = "other"
)

// MeasureKinds lists the kinds.
var MeasureKinds = []MeasureKind{KindOrderAdmin, KindStopProgram, KindDeleteProgram, KindChangeSetting, KindOther}

// Level is a designated officer's level, derived from their organisation.
type Level string

// Levels.
const (
	LevelNational    Level = "national"    // National Police Agency
	LevelPrefectural Level = "prefectural" // prefectural police
	LevelSDF         Level = "sdf"         // Self-Defense Forces
)

// Designation is the designation of a user as a cyber harm-prevention
// measure officer, by the NPA Commissioner General (police) or the
// Minister of Defense (SDF). It is active from ValidFrom until ValidUntil
// (zero: open-ended) unless revoked.
type Designation struct {
	ID           string    `json:"id"`
	UserID       string    `json:"user_id"`
	Username     string    `json:"username"`
	OrgID        string    `json:"org_id"`
	Level        Level     `json:"level"`
	Scope        string    `json:"scope"`
	ValidFrom    time.Time `json:"valid_from"`
	ValidUntil   time.Time `json:"valid_until,omitzero"`
	DesignatedBy string    `json:"designated_by"`
	DesignatedAt time.Time `json:"designated_at"`
	RevokedAt    time.Time `json:"revoked_at,omitzero"`
	RevokedBy    string    `json:"revoked_by,omitempty"`
	RevokeReason string    `json:"revoke_reason,omitempty"`
	// Active is computed on reads: not revoked, and now within the
	// validity.
	Active bool `json:"active"`
}

// ActiveAt reports whether d is in force at t.
func (d Designation) ActiveAt(t time.Time) bool {
	return d.RevokedAt.IsZero() && !t.Before(d.ValidFrom) && (d.ValidUntil.IsZero() || t.Before(d.ValidUntil))
}

// DesignationInput designates a user.
type DesignationInput struct {
	UserID string `json:"user_id"`
	// Scope says what the designation covers (free text, optional).
	Scope string `json:"scope"`
	// ValidUntil ends the designation; zero is open-ended.
	ValidUntil time.Time `json:"valid_until,omitzero"`
}

// DesignationFilter selects designations. Empty fields match everything.
type DesignationFilter struct {
	UserID string `json:"user_id,omitempty"`
	OrgID  string `json:"org_id,omitempty"`
	// Active keeps only designations in force now.
	Active bool `json:"active,omitempty"`
	// Limit caps the result; 0 means 500.
	Limit int `json:"limit,omitempty"`
}

// Target is one computer a case concerns: an IP address or CIDR prefix, a
// domain, or both.
type Target struct {
	Address         string `json:"address,omitempty"`
	Domain          string `json:"domain,omitempty"`
	HostingProvider string `json:"hosting_provider,omitempty"`
	AbuseContact    string `json:"abuse_contact,omitempty"`
	// Country is an ISO 3166-1 alpha-2 code, upper case.
	Country string `json:"country,omitempty"`
}

// Condition is a yes/no point stated with its explanation.
type Condition struct {
	Met  bool   `json:"met"`
	Text string `json:"text"`
}

// ok reports whether c is met and explained.
func (c Condition) ok() bool { return c.Met && c.Text != "" }

// Checklist is the officer's statement of proportionality. It is complete
// when OnlyMeans and LeastIntrusive are met with text, ThirdPartyEffect has
// text and, for a target not in Japan, InternationalNecessity is met with
// text (necessity under international law: the only way to protect an
// essential interest against grave and imminent peril).
type Checklist struct {
	OnlyMeans              Condition `json:"only_means"`
	LeastIntrusive         Condition `json:"least_intrusive"`
	ThirdPartyEffect       string    `json:"third_party_effect"`
	InternationalNecessity Condition `json:"international_necessity"`
}

// CaseInput opens or edits a case.
type CaseInput struct {
	// Path is required when opening and may not change.
	Path            Path          `json:"path"`
	Title           string        `json:"title"`
	Targets         []Target      `json:"targets"`
	ObservedTraffic string        `json:"observed_traffic"`
	Harm            string        `json:"harm"`
	Urgency         string        `json:"urgency"`
	Proposed        []MeasureKind `json:"proposed"`
	ProposedOther   string        `json:"proposed_other,omitempty"`
	Checklist       Checklist     `json:"checklist"`
	// JointPoliceOrgID is required on sdf_protection: the police
	// organisation acting jointly.
	JointPoliceOrgID string `json:"joint_police_org_id,omitempty"`
	// ProtectedFacility is required on sdf_guard: the SDF or US forces
	// computers guarded.
	ProtectedFacility string `json:"protected_facility,omitempty"`
}

// LocationEvidence is why the target is (not) believed to be in Japan; at
// least one field.
type LocationEvidence struct {
	Geolocation    string `json:"geolocation,omitempty"`
	HostingCountry string `json:"hosting_country,omitempty"`
	Other          string `json:"other,omitempty"`
}

// LocationInput records gate 1.
type LocationInput struct {
	InJapan  bool             `json:"in_japan"`
	Evidence LocationEvidence `json:"evidence"`
}

// Location is gate 1 as recorded.
type Location struct {
	InJapan    bool             `json:"in_japan"`
	Evidence   LocationEvidence `json:"evidence"`
	RecordedBy string           `json:"recorded_by"`
	RecordedAt time.Time        `json:"recorded_at"`
}

// ConsultationResponse is MOFA's answer.
type ConsultationResponse string

// MOFA's answers.
const (
	NoObjection ConsultationResponse = "no_objection"
	Objection   ConsultationResponse = "objection"
)

// ConsultationAnswer is MOFA's answer to a consultation.
type ConsultationAnswer struct {
	Response ConsultationResponse `json:"response"`
	Text     string               `json:"text"`
}

// Consultation is gate 2: the consultation of the Minister of Foreign
// Affairs through the chain (PDEA §6-2 as amended; SDF Act §81-3), due
// within Config.ConsultationWithin.
type Consultation struct {
	Text         string               `json:"text"`
	RequestedBy  string               `json:"requested_by"`
	RequestedAt  time.Time            `json:"requested_at"`
	MOFAOrgID    string               `json:"mofa_org_id"`
	Due          time.Time            `json:"due"`
	DeadlineID   string               `json:"deadline_id"`
	Response     ConsultationResponse `json:"response,omitempty"`
	ResponseText string               `json:"response_text,omitempty"`
	AnsweredBy   string               `json:"answered_by,omitempty"`
	AnsweredAt   time.Time            `json:"answered_at,omitzero"`
	Late         bool                 `json:"late,omitempty"`
}

// Answered reports whether MOFA has answered.
func (c *Consultation) Answered() bool { return c != nil && c.Response != "" }

// ApprovalState is where a request for the commission's approval is.
type ApprovalState string

// Approval states.
const (
	ApprovalPending   ApprovalState = "pending"
	ApprovalApproved  ApprovalState = "approved"
	ApprovalRefused   ApprovalState = "refused"
	ApprovalWithdrawn ApprovalState = "withdrawn" // an emergency was declared, or the case withdrawn, while pending
)

// Approval is gate 3's prior approval: the request and the commission's
// decision.
type Approval struct {
	State       ApprovalState `json:"state"`
	Statement   string        `json:"statement"`
	RequestedBy string        `json:"requested_by"`
	RequestedAt time.Time     `json:"requested_at"`
	// MotionID is the carried motion that decided.
	MotionID    string             `json:"motion_id,omitempty"`
	DecidedAt   time.Time          `json:"decided_at,omitzero"`
	Reasons     []oversight.Reason `json:"reasons,omitempty"`
	WithdrawnAt time.Time          `json:"withdrawn_at,omitzero"`
}

// Emergency is gate 3's other branch: special circumstances left no time
// for prior approval, so the commission is notified afterwards.
type Emergency struct {
	DeclaredAt time.Time `json:"declared_at"`
	By         string    `json:"by"`
	// Text states the special circumstances.
	Text string `json:"text"`
	// Due is when the post-notification is due.
	Due        time.Time `json:"due"`
	DeadlineID string    `json:"deadline_id"`
}

// PostNoticeInput is the post-notification of an emergency measure.
type PostNoticeInput struct {
	WhatWasDone string `json:"what_was_done"`
	WhyNoTime   string `json:"why_no_time"`
}

// PostNotice is the post-notification as filed and the commission's review.
type PostNotice struct {
	WhatWasDone string    `json:"what_was_done"`
	WhyNoTime   string    `json:"why_no_time"`
	FiledBy     string    `json:"filed_by"`
	FiledAt     time.Time `json:"filed_at"`
	// Late: filed after the emergency's due time.
	Late   bool    `json:"late"`
	Review *Review `json:"review,omitempty"`
}

// ReviewOutcome is how the commission answers a post-notification.
type ReviewOutcome string

// Review outcomes.
const (
	ReviewAcknowledged   ReviewOutcome = "acknowledged"
	ReviewRecommendation ReviewOutcome = "recommendation"
)

// ReviewInput is the commission's review of a post-notification.
type ReviewInput struct {
	Outcome ReviewOutcome `json:"outcome"`
	Text    string        `json:"text"`
	// Rating (red, amber, green) and Due are required for a
	// recommendation and refused otherwise.
	Rating string    `json:"rating,omitempty"`
	Due    time.Time `json:"due,omitzero"`
}

// Review is the commission's review as recorded.
type Review struct {
	Outcome ReviewOutcome `json:"outcome"`
	Text    string        `json:"text"`
	Rating  string        `json:"rating,omitempty"`
	Due     time.Time     `json:"due,omitzero"`
	// RecommendationID is the recommendation issued through the
	// Recommender.
	RecommendationID string    `json:"recommendation_id,omitempty"`
	ReviewedBy       string    `json:"reviewed_by"`
	ReviewedAt       time.Time `json:"reviewed_at"`
}

// MotionInput is a motion on a case's request for approval, moved by the
// chair or a member: approve, or refuse with reasons.
type MotionInput struct {
	// Kind is oversight.MotionApprove or oversight.MotionRefuse.
	Kind      oversight.MotionKind `json:"kind"`
	Statement string               `json:"statement,omitempty"`
	// Reasons are required for refuse (at least one, each with text, one
	// per category) and refused otherwise.
	Reasons []oversight.Reason `json:"reasons,omitempty"`
}

// VoteInput is a vote as cast, as in oversight.
type VoteInput = oversight.VoteInput

// Motion is a proposed decision on a case's request for approval, with its
// votes, tallied under the commission's Quorum as oversight's motions are.
type Motion struct {
	ID        string                `json:"id"`
	CaseID    string                `json:"case_id"`
	Kind      oversight.MotionKind  `json:"kind"`
	State     oversight.MotionState `json:"state"`
	Statement string                `json:"statement,omitempty"`
	Reasons   []oversight.Reason    `json:"reasons,omitempty"`
	MovedBy   string                `json:"moved_by"`
	MovedAt   time.Time             `json:"moved_at"`
	// Votes are filled in on reads, in the order cast.
	Votes    []oversight.Vote `json:"votes,omitempty"`
	ClosedBy string           `json:"closed_by,omitempty"`
	ClosedAt time.Time        `json:"closed_at,omitzero"`
	Tally    *oversight.Tally `json:"tally,omitempty"`
}

// CommandInput is the commander's command (gate 4).
type CommandInput struct {
	// Scope is the kinds of measure commanded, a subset of the proposed.
	Scope        []MeasureKind `json:"scope"`
	Instructions string        `json:"instructions"`
	// ValidUntil is in the future, at most 30 days ahead.
	ValidUntil time.Time `json:"valid_until"`
	// AcknowledgeMOFAObjection must be true when MOFA objected.
	AcknowledgeMOFAObjection bool `json:"acknowledge_mofa_objection"`
}

// Command is a command as given.
type Command struct {
	Scope                    []MeasureKind `json:"scope"`
	Instructions             string        `json:"instructions"`
	ValidUntil               time.Time     `json:"valid_until"`
	AcknowledgeMOFAObjection bool          `json:"acknowledge_mofa_objection"`
	By                       string        `json:"by"`
	At                       time.Time     `json:"at"`
}

// NPSCKind is what the National Public Safety Commission gave.
type NPSCKind string

// NPSC kinds.
const (
	NPSCRequest NPSCKind = "request"
	NPSCConsent NPSCKind = "consent"
)

// NPSCInput records the NPSC's request for or consent to SDF action.
type NPSCInput struct {
	Kind NPSCKind `json:"kind"`
	Text string   `json:"text"`
}

// NPSC is a recorded request or consent.
type NPSC struct {
	Kind NPSCKind  `json:"kind"`
	Text string    `json:"text"`
	By   string    `json:"by"`
	At   time.Time `json:"at"`
}

// Categories of important computers (SDF Act §81-3).
const (
	ComputersGovernment      = "government"
	ComputersLocalGovernment = "local_government"
	ComputersCriticalInfra   = "critical_infrastructure"
	ComputersDefenceIndustry = "defence_industry"
)

// ImportantComputers is the first condition of the Prime Minister's order:
// important computers of a category are attacked.
type ImportantComputers struct {
	Met      bool   `json:"met"`
	Category string `json:"category"`
	Text     string `json:"text"`
}

// SDFOrderInput is the Prime Minister's order of communication protection
// measures (SDF Act §81-3): every condition met and explained.
type SDFOrderInput struct {
	ImportantComputers   ImportantComputers `json:"important_computers"`
	OrganisedActorAbroad Condition          `json:"organised_actor_abroad"`
	SDFIndispensable     Condition          `json:"sdf_indispensable"`
	Text                 string             `json:"text"`
}

// SDFOrder is the order as issued.
type SDFOrder struct {
	ImportantComputers   ImportantComputers `json:"important_computers"`
	OrganisedActorAbroad Condition          `json:"organised_actor_abroad"`
	SDFIndispensable     Condition          `json:"sdf_indispensable"`
	Text                 string             `json:"text"`
	IssuedBy             string             `json:"issued_by"`
	IssuedAt             time.Time          `json:"issued_at"`
}

// OrderInput is an order to the administrator of a target computer.
type OrderInput struct {
	// Addressee is the administrator's name.
	Addressee       string `json:"addressee"`
	Contact         string `json:"contact"`
	HostingProvider string `json:"hosting_provider,omitempty"`
	// TargetIndexes index the case's targets (at least one).
	TargetIndexes    []int     `json:"target_indexes"`
	RequiredMeasures string    `json:"required_measures"`
	Due              time.Time `json:"due"`
}

// DeliveryMethod is how an order reached its addressee.
type DeliveryMethod string

// Delivery methods.
const (
	DeliveryEmail    DeliveryMethod = "email"
	DeliveryPost     DeliveryMethod = "post"
	DeliveryInPerson DeliveryMethod = "in_person"
	DeliveryPhone    DeliveryMethod = "phone"
	DeliveryOther    DeliveryMethod = "other"
)

// DeliveryInput records a delivery of an order.
type DeliveryInput struct {
	Method DeliveryMethod `json:"method"`
	At     time.Time      `json:"at"`
	Note   string         `json:"note,omitempty"`
}

// Delivery is a recorded delivery.
type Delivery struct {
	Method     DeliveryMethod `json:"method"`
	At         time.Time      `json:"at"`
	Note       string         `json:"note,omitempty"`
	RecordedBy string         `json:"recorded_by"`
	RecordedAt time.Time      `json:"recorded_at"`
}

// OrderResponse is the administrator's response to an order.
type OrderResponse string

// Responses.
const (
	ResponseComplied          OrderResponse = "complied"
	ResponsePartiallyComplied OrderResponse = "partially_complied"
	ResponseRefused           OrderResponse = "refused"
	ResponseNoResponse        OrderResponse = "no_response"
)

// ResponseInput records the administrator's response.
type ResponseInput struct {
	Response OrderResponse `json:"response"`
	Text     string        `json:"text,omitempty"`
	At       time.Time     `json:"at"`
}

// Response is the recorded response.
type Response struct {
	Response   OrderResponse `json:"response"`
	Text       string        `json:"text,omitempty"`
	At         time.Time     `json:"at"`
	RecordedBy string        `json:"recorded_by"`
	RecordedAt time.Time     `json:"recorded_at"`
}

// Order is an order to the administrator of target computers (PDEA §6-2
// paragraph 1, or the SDF Act applying it), with its delivery and the
// response. Its document is rendered by package orderdoc.
type Order struct {
	ID         string              `json:"id"`
	CaseID     string              `json:"case_id"`
	Path       Path                `json:"path"`
	LegalBasis orderdoc.LegalBasis `json:"legal_basis"`
	Addressee  string              `json:"addressee"`
	Contact    string              `json:"contact"`
	// HostingProvider is the addressee's hosting provider, if any.
	HostingProvider  string    `json:"hosting_provider,omitempty"`
	TargetIndexes    []int     `json:"target_indexes"`
	Targets          []Target  `json:"targets"`
	RequiredMeasures string    `json:"required_measures"`
	Due              time.Time `json:"due"`
	// The issuer, and the grounds as the case stated them, as at issue.
	IssuedBy    string    `json:"issued_by"`
	IssuerName  string    `json:"issuer_name"`
	IssuerOrgID string    `json:"issuer_org_id"`
	AgencyJA    string    `json:"agency_ja"`
	AgencyEN    string    `json:"agency_en"`
	Harm        string    `json:"harm"`
	Urgency     string    `json:"urgency"`
	IssuedAt    time.Time `json:"issued_at"`
	// Deliveries are the recorded deliveries, oldest first.
	Deliveries []Delivery `json:"deliveries,omitempty"`
	Response   *Response  `json:"response,omitempty"`
	// Overdue is computed on reads: past due with no response recorded.
	Overdue bool `json:"overdue"`
}

// OrderSummary is an order as a case lists it.
type OrderSummary struct {
	ID        string        `json:"id"`
	Addressee string        `json:"addressee"`
	IssuedAt  time.Time     `json:"issued_at"`
	Due       time.Time     `json:"due"`
	Delivered bool          `json:"delivered"`
	Response  OrderResponse `json:"response,omitempty"`
	Overdue   bool          `json:"overdue"`
}

// StepKind is a kind of step of an officer's measure.
type StepKind string

// Step kinds.
const (
	StepAccess          StepKind = "access"
	StepConfirmPrograms StepKind = "confirm_programs"
	StepNeutralise      StepKind = "neutralise"
	StepOther           StepKind = "other"
)

// Step is one step of a measure as the officer records it.
type Step struct {
	Kind        StepKind  `json:"kind"`
	At          time.Time `json:"at"`
	Description string    `json:"description"`
}

// Evidence names a file of evidence kept by the officer's agency, by its
// SHA-256 (64 hex digits).
type Evidence struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
}

// ExecutionResult is how a measure ended.
type ExecutionResult string

// Results.
const (
	ResultSucceeded ExecutionResult = "succeeded"
	ResultPartial   ExecutionResult = "partial"
	ResultFailed    ExecutionResult = "failed"
)

// ExecutionInput is the officer's record of a measure taken over the
// network. ACD does not take the measure; it records it.
type ExecutionInput struct {
	// Kind is a measure kind other than order_admin.
	Kind      MeasureKind     `json:"kind"`
	StartedAt time.Time       `json:"started_at"`
	EndedAt   time.Time       `json:"ended_at"`
	Steps     []Step          `json:"steps"`
	Result    ExecutionResult `json:"result"`
	Evidence  []Evidence      `json:"evidence,omitempty"`
}

// Execution is a recorded measure.
type Execution struct {
	ID         string          `json:"id"`
	Kind       MeasureKind     `json:"kind"`
	StartedAt  time.Time       `json:"started_at"`
	EndedAt    time.Time       `json:"ended_at"`
	Steps      []Step          `json:"steps"`
	Result     ExecutionResult `json:"result"`
	Evidence   []Evidence      `json:"evidence,omitempty"`
	RecordedBy string          `json:"recorded_by"`
	RecordedAt time.Time       `json:"recorded_at"`
}

// OutcomeInput is the outcome report that closes a case.
type OutcomeInput struct {
	Summary          string `json:"summary"`
	Effect           string `json:"effect"`
	ThirdPartyEffect string `json:"third_party_effect"`
}

// Outcome is the outcome report as filed.
type Outcome struct {
	Summary          string    `json:"summary"`
	Effect           string    `json:"effect"`
	ThirdPartyEffect string    `json:"third_party_effect"`
	ClosedBy         string    `json:"closed_by"`
	ClosedAt         time.Time `json:"closed_at"`
}

// Withdrawal records why a case was withdrawn.
type Withdrawal struct {
	Reason string    `json:"reason"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
}

// Case is a measure case: what the officer proposes against which
// targets, and each gate as it was passed. Provisions of selected data to
// the case are kept by commsinfo (its reference is the case id).
type Case struct {
	ID                string        `json:"id"`
	Path              Path          `json:"path"`
	State             State         `json:"state"`
	Title             string        `json:"title"`
	Targets           []Target      `json:"targets"`
	ObservedTraffic   string        `json:"observed_traffic"`
	Harm              string        `json:"harm"`
	Urgency           string        `json:"urgency"`
	Proposed          []MeasureKind `json:"proposed"`
	ProposedOther     string        `json:"proposed_other,omitempty"`
	Checklist         Checklist     `json:"checklist"`
	JointPoliceOrgID  string        `json:"joint_police_org_id,omitempty"`
	ProtectedFacility string        `json:"protected_facility,omitempty"`
	OfficerUserID     string        `json:"officer_user_id"`
	OfficerOrgID      string        `json:"officer_org_id"`
	OfficerLevel      Level         `json:"officer_level"`
	DesignationID     string        `json:"designation_id"`
	OpenedAt          time.Time     `json:"opened_at"`
	UpdatedAt         time.Time     `json:"updated_at"`

	Location     *Location     `json:"location,omitempty"`
	Consultation *Consultation `json:"consultation,omitempty"`
	// ConsultationHistory keeps consultations reset by a change of
	// location.
	ConsultationHistory []Consultation `json:"consultation_history,omitempty"`
	Approval            *Approval      `json:"approval,omitempty"`
	Emergency           *Emergency     `json:"emergency,omitempty"`
	PostNotice          *PostNotice    `json:"post_notice,omitempty"`
	Command             *Command       `json:"command,omitempty"`
	// CommandHistory keeps the commands a later one replaced, or that a
	// change of location or of the case's statement voided, oldest first.
	CommandHistory []Command   `json:"command_history,omitempty"`
	NPSC           []NPSC      `json:"npsc,omitempty"`
	SDFOrder       *SDFOrder   `json:"sdf_order,omitempty"`
	OrdersIssued   int         `json:"orders_issued"`
	Executions     []Execution `json:"executions,omitempty"`
	Outcome        *Outcome    `json:"outcome,omitempty"`
	Withdrawal     *Withdrawal `json:"withdrawal,omitempty"`

	// Computed on every read (not stored):

	// Orders summarise the orders issued, oldest first.
	Orders []OrderSummary `json:"orders"`

	// Motions are the commission's motions on the request for approval.
	Motions []Motion `json:"motions,omitempty"`
	// PostNoticeOverdue: an emergency was declared, the post-notification
	// is not filed and its due time has passed.
	PostNoticeOverdue bool `json:"post_notice_overdue"`
	// Gates are the gates in order, as [Gates] computes them.
	Gates []Gate `json:"gates"`
}

// CaseFilter selects cases. Empty fields match everything.
type CaseFilter struct {
	State State `json:"state,omitempty"`
	Path  Path  `json:"path,omitempty"`
	// Limit caps the result; 0 means 200, at most 1000.
	Limit int `json:"limit,omitempty"`
}

// Queue is what awaits the commission: requests for approval pending,
// post-notifications filed and not yet reviewed, and emergencies whose
// post-notification is overdue.
type Queue struct {
	Approvals   []Case `json:"approvals"`
	PostNotices []Case `json:"post_notices"`
	Overdue     []Case `json:"overdue"`
}

// CaseSummary is a case as the command-tower view lists it.
type CaseSummary struct {
	ID                string        `json:"id"`
	Title             string        `json:"title"`
	Path              Path          `json:"path"`
	State             State         `json:"state"`
	OfficerOrgID      string        `json:"officer_org_id"`
	OfficerLevel      Level         `json:"officer_level"`
	OpenedAt          time.Time     `json:"opened_at"`
	UpdatedAt         time.Time     `json:"updated_at"`
	Foreign           bool          `json:"foreign"`
	Approval          ApprovalState `json:"approval,omitempty"`
	Emergency         bool          `json:"emergency"`
	PostNoticeOverdue bool          `json:"post_notice_overdue"`
	Orders            int           `json:"orders"`
	Executions        int           `json:"executions"`
	Gates             []Gate        `json:"gates"`
}

// Overview is the Cabinet Office command tower's view: every open or
// executing case with its gates, and counts.
type Overview struct {
	Cases []CaseSummary `json:"cases"`
	// Police and SDF count the cases listed by path family; Overdue those
	// with a post-notification overdue.
	Police  int `json:"police"`
	SDF     int `json:"sdf"`
	Overdue int `json:"overdue"`
}

// Stats are the figures of a period [From, To) for the annual report
// (§61), in the terms of annualreport.Measures.
type Stats struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Cases opened in the period, by path.
	CasesPolice        int `json:"cases_police"`
	CasesSDFProtection int `json:"cases_sdf_protection"`
	CasesSDFGuard      int `json:"cases_sdf_guard"`
	// MeasuresTaken are cases whose first order or execution fell in the
	// period; PriorApproved those of them taken with the commission's
	// approval, Emergency those taken under a declared emergency.
	MeasuresTaken int `json:"measures_taken"`
	PriorApproved int `json:"prior_approved"`
	Emergency     int `json:"emergency"`
	// Post-notifications of emergencies declared in the period: filed on
	// time, filed late, and missing (not filed, past due, when counted).
	PostNoticesOnTime  int `json:"post_notices_on_time"`
	PostNoticesLate    int `json:"post_notices_late"`
	PostNoticesMissing int `json:"post_notices_missing"`
	// ForeignTargets are cases opened in the period whose target is not
	// believed to be in Japan; MOFAConsultations consultations requested
	// in the period.
	ForeignTargets    int `json:"foreign_targets"`
	MOFAConsultations int `json:"mofa_consultations"`
	// ApprovalsRefused are the commission's refusals decided in the
	// period.
	ApprovalsRefused int `json:"approvals_refused"`
	// OrdersIssued, Executions (by start) and Closed (by closing) in the
	// period.
	OrdersIssued int `json:"orders_issued"`
	Executions   int `json:"executions"`
	Closed       int `json:"closed"`
}
