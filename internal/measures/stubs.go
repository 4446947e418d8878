package measures

import (
	"context"
	"errors"
	"time"

	"github.com/acd-platform/acd/internal/auth"
)

var errNotImplemented = errors.New("measures: not implemented yet")

// Designate designates a user as an officer: the NPA Commissioner General
// for police officers, the Minister of Defense for SDF officers.
func (s *Service) Designate(ctx context.Context, p *auth.Principal, in DesignationInput) (Designation, error) {
	return Designation{}, errNotImplemented
}

// RevokeDesignation revokes designation id, by the authority that gives it.
func (s *Service) RevokeDesignation(ctx context.Context, p *auth.Principal, id, reason string) (Designation, error) {
	return Designation{}, errNotImplemented
}

// Designations lists the designations p may see, newest first.
func (s *Service) Designations(ctx context.Context, p *auth.Principal, f DesignationFilter) ([]Designation, error) {
	return nil, errNotImplemented
}

// Designation returns designation id if p may see it.
func (s *Service) Designation(ctx context.Context, p *auth.Principal, id string) (Designation, error) {
	return Designation{}, errNotImplemented
}

// OpenCase opens a case as a designated officer.
func (s *Service) OpenCase(ctx context.Context, p *auth.Principal, in CaseInput) (Case, error) {
	return Case{}, errNotImplemented
}

// UpdateCase edits case id while it is not locked.
func (s *Service) UpdateCase(ctx context.Context, p *auth.Principal, id string, in CaseInput) (Case, error) {
	return Case{}, errNotImplemented
}

// Case returns case id if p may see it.
func (s *Service) Case(ctx context.Context, p *auth.Principal, id string) (Case, error) {
	return Case{}, errNotImplemented
}

// Cases lists the cases p may see, newest first.
func (s *Service) Cases(ctx context.Context, p *auth.Principal, f CaseFilter) ([]Case, error) {
	return nil, errNotImplemented
}

// RecordLocation records gate 1.
func (s *Service) RecordLocation(ctx context.Context, p *auth.Principal, id string, in LocationInput) (Case, error) {
	return Case{}, errNotImplemented
}

// RequestConsultation consults MOFA on a target abroad.
func (s *Service) RequestConsultation(ctx context.Context, p *auth.Principal, id, text string) (Case, error) {
	return Case{}, errNotImplemented
}

// AnswerConsultation records MOFA's answer.
func (s *Service) AnswerConsultation(ctx context.Context, p *auth.Principal, id string, in ConsultationAnswer) (Case, error) {
	return Case{}, errNotImplemented
}

// RequestApproval asks the commission for prior approval.
func (s *Service) RequestApproval(ctx context.Context, p *auth.Principal, id, statement string) (Case, error) {
	return Case{}, errNotImplemented
}

// MoveMotion moves a motion on case caseID's request for approval.
func (s *Service) MoveMotion(ctx context.Context, p *auth.Principal, caseID string, in MotionInput) (Motion, error) {
	return Motion{}, errNotImplemented
}

// CastVote casts p's vote on motion motionID.
func (s *Service) CastVote(ctx context.Context, p *auth.Principal, motionID string, in VoteInput) (Motion, error) {
	return Motion{}, errNotImplemented
}

// CloseMotion closes motion motionID and counts its votes; the chair only.
func (s *Service) CloseMotion(ctx context.Context, p *auth.Principal, motionID string) (Motion, error) {
	return Motion{}, errNotImplemented
}

// Motion returns motion id with its votes.
func (s *Service) Motion(ctx context.Context, p *auth.Principal, id string) (Motion, error) {
	return Motion{}, errNotImplemented
}

// DeclareEmergency declares that special circumstances leave no time for
// prior approval.
func (s *Service) DeclareEmergency(ctx context.Context, p *auth.Principal, id, specialCircumstances string) (Case, error) {
	return Case{}, errNotImplemented
}

// FilePostNotice files the post-notification of an emergency measure.
func (s *Service) FilePostNotice(ctx context.Context, p *auth.Principal, id string, in PostNoticeInput) (Case, error) {
	return Case{}, errNotImplemented
}

// ReviewPostNotice records the commission's review of a post-notification.
func (s *Service) ReviewPostNotice(ctx context.Context, p *auth.Principal, id string, in ReviewInput) (Case, error) {
	return Case{}, errNotImplemented
}

// Command gives the chain's command (gate 4).
func (s *Service) Command(ctx context.Context, p *auth.Principal, id string, in CommandInput) (Case, error) {
	return Case{}, errNotImplemented
}

// RecordNPSC records the NPSC's request or consent.
func (s *Service) RecordNPSC(ctx context.Context, p *auth.Principal, id string, in NPSCInput) (Case, error) {
	return Case{}, errNotImplemented
}

// IssueSDFOrder records the Prime Minister's order.
func (s *Service) IssueSDFOrder(ctx context.Context, p *auth.Principal, id string, in SDFOrderInput) (Case, error) {
	return Case{}, errNotImplemented
}

// IssueOrder issues an order to an administrator.
func (s *Service) IssueOrder(ctx context.Context, p *auth.Principal, id string, in OrderInput) (Order, error) {
	return Order{}, errNotImplemented
}

// RecordDelivery records a delivery of order orderID.
func (s *Service) RecordDelivery(ctx context.Context, p *auth.Principal, orderID string, in DeliveryInput) (Order, error) {
	return Order{}, errNotImplemented
}

// RecordResponse records the administrator's response to order orderID.
func (s *Service) RecordResponse(ctx context.Context, p *auth.Principal, orderID string, in ResponseInput) (Order, error) {
	return Order{}, errNotImplemented
}

// Order returns order orderID if p may see its case.
func (s *Service) Order(ctx context.Context, p *auth.Principal, orderID string) (Order, error) {
	return Order{}, errNotImplemented
}

// OrderDocument renders order orderID as "json", "txt", "html" or "pdf".
func (s *Service) OrderDocument(ctx context.Context, p *auth.Principal, orderID, format string) ([]byte, string, error) {
	return nil, "", errNotImplemented
}

// RecordExecution records a measure the officer took.
func (s *Service) RecordExecution(ctx context.Context, p *auth.Principal, id string, in ExecutionInput) (Case, error) {
	return Case{}, errNotImplemented
}

// CloseCase closes case id with the outcome report.
func (s *Service) CloseCase(ctx context.Context, p *auth.Principal, id string, in OutcomeInput) (Case, error) {
	return Case{}, errNotImplemented
}

// WithdrawCase withdraws case id before any measure.
func (s *Service) WithdrawCase(ctx context.Context, p *auth.Principal, id, reason string) (Case, error) {
	return Case{}, errNotImplemented
}

// CommissionQueue lists what awaits the commission.
func (s *Service) CommissionQueue(ctx context.Context, p *auth.Principal) (Queue, error) {
	return Queue{}, errNotImplemented
}

// Overview is the command tower's view.
func (s *Service) Overview(ctx context.Context, p *auth.Principal) (Overview, error) {
	return Overview{}, errNotImplemented
}

// ActiveCase implements commsinfo.MeasureCases.
func (s *Service) ActiveCase(ctx context.Context, caseID, recipientOrgID string) error {
	return errNotImplemented
}

// CaseTargets returns case caseID's targets and state, for the blocklist.
func (s *Service) CaseTargets(ctx context.Context, caseID string) ([]Target, State, error) {
	return nil, "", errNotImplemented
}

// Stats counts the period [from, to) for the annual report.
func (s *Service) Stats(ctx context.Context, from, to time.Time) (Stats, error) {
	return Stats{}, errNotImplemented
}
