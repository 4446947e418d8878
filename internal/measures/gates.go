package measures

import (
	"fmt"
	"slices"
	"time"
)

// GateName names one of a case's gates.
type GateName string

// The gates, in the order [Gates] lists them and every step checks them.
const (
	// GateJurisdiction: not a prefectural officer's case on a target
	// abroad (only NPA officers act on those).
	GateJurisdiction GateName = "jurisdiction"
	// GateLocation: whether the target is believed to be in Japan is
	// recorded (gate 1).
	GateLocation GateName = "location"
	// GateChecklist: the proportionality checklist is complete; needed to
	// request approval or declare an emergency, not re-checked on
	// execution (the case is locked by then).
	GateChecklist GateName = "checklist"
	// GateMOFA: for a target abroad, MOFA was consulted and answered
	// (gate 2).
	GateMOFA GateName = "mofa"
	// GateJointPolice: an SDF protection case names its joint police
	// agency.
	GateJointPolice GateName = "joint_police"
	// GateSDFOrder: an SDF protection case has the Prime Minister's
	// order.
	GateSDFOrder GateName = "sdf_order"
	// GateCommission: the commission approved, or an emergency was
	// declared (gate 3).
	GateCommission GateName = "commission"
	// GatePostNotice: after an emergency, the post-notification is not
	// overdue.
	GatePostNotice GateName = "post_notice"
	// GateCommand: a command is in force (gate 4), given after MOFA's
	// answer for a target abroad and acknowledging its objection if there
	// is one.
	GateCommand GateName = "command"
)

// GateNames lists the gates in order.
var GateNames = []GateName{GateJurisdiction, GateLocation, GateChecklist, GateMOFA, GateJointPolice, GateSDFOrder,
	GateCommission, GatePostNotice, GateCommand}

// Gate is one gate of a case as of a time. A gate that does not apply to
// the case (MOFA for a target in Japan, the PM's order on the police path)
// is not Required and counts as passed.
type Gate struct {
	Name     GateName `json:"name"`
	Required bool     `json:"required"`
	Passed   bool     `json:"passed"`
	// Code is the refusal code a step gets while the gate is not passed.
	Code   string `json:"code,omitempty"`
	Detail string `json:"detail,omitempty"`
}

// foreign reports whether c's target is recorded as not in Japan.
func foreign(c *Case) bool { return c.Location != nil && !c.Location.InJapan }

// checklistComplete reports whether c's checklist is complete for its
// location as recorded.
func checklistComplete(c *Case) (bool, string) {
	var missing []string
	cl := c.Checklist
	if !cl.OnlyMeans.ok() {
		missing = append(missing, "only_means")
	}
	if !cl.LeastIntrusive.ok() {
		missing = append(missing, "least_intrusive")
	}
	if cl.ThirdPartyEffect == "" {
		missing = append(missing, "third_party_effect")
	}
	if foreign(c) && !cl.InternationalNecessity.ok() {
		missing = append(missing, "international_necessity")
	}
	if len(missing) > 0 {
		return false, fmt.Sprintf("missing or not affirmed: %v", missing)
	}
	return true, ""
}

// postNoticeOverdue reports whether c's post-notification is overdue at
// now: an emergency declared, nothing filed, the due time passed, and the
// case not withdrawn.
func postNoticeOverdue(c *Case, now time.Time) bool {
	return c.Emergency != nil && c.PostNotice == nil && c.State != StateWithdrawn && now.After(c.Emergency.Due)
}

// Gates computes c's gates at now, in order. It is the one place that says
// whether a case may proceed: every step checks the gates it needs through
// it, and orders and executions need every gate but the checklist.
func Gates(c Case, now time.Time) []Gate {
	gs := make([]Gate, 0, len(GateNames))
	add := func(name GateName, required, passed bool, code, detail string) {
		g := Gate{Name: name, Required: required, Passed: passed || !required}
		if !g.Passed {
			g.Code, g.Detail = code, detail
		}
		gs = append(gs, g)
	}
	add(GateJurisdiction, c.OfficerLevel == LevelPrefectural, !foreign(&c), CodePrefecturalForeign,
		fmt.Sprintf("case %s is a prefectural officer's and its target is not believed to be in Japan", c.ID))
	add(GateLocation, true, c.Location != nil, CodeLocationRequired, fmt.Sprintf("case %s has no location recorded", c.ID))
	ok, missing := checklistComplete(&c)
	add(GateChecklist, true, ok, CodeChecklistIncomplete, missing)
	mofaDetail := fmt.Sprintf("case %s: no consultation requested", c.ID)
	if c.Consultation != nil {
		mofaDetail = fmt.Sprintf("case %s: MOFA has not answered the consultation of %s", c.ID, stamp(c.Consultation.RequestedAt))
	}
	add(GateMOFA, foreign(&c), c.Consultation.Answered(), CodeMOFARequired, mofaDetail)
	add(GateJointPolice, c.Path == PathSDFProtection, c.JointPoliceOrgID != "", CodeJointPoliceRequired,
		fmt.Sprintf("case %s names no joint police agency", c.ID))
	sdfDetail := fmt.Sprintf("case %s has no order of the Prime Minister", c.ID)
	if len(c.NPSC) == 0 {
		sdfDetail += "; the NPSC's request or consent is not recorded either"
	}
	add(GateSDFOrder, c.Path == PathSDFProtection, c.SDFOrder != nil, CodeSDFOrderRequired, sdfDetail)
	{
		code, detail := CodeApprovalRequired, fmt.Sprintf("case %s: neither approved by the commission nor declared an emergency", c.ID)
		if c.Approval != nil {
			switch c.Approval.State {
			case ApprovalPending:
				code, detail = CodeApprovalPending, fmt.Sprintf("case %s: approval requested at %s, not yet decided", c.ID, stamp(c.Approval.RequestedAt))
			case ApprovalRefused:
				code, detail = CodeCommissionRefused, fmt.Sprintf("case %s: approval refused at %s", c.ID, stamp(c.Approval.DecidedAt))
			}
		}
		approved := c.Approval != nil && c.Approval.State == ApprovalApproved
		add(GateCommission, true, approved || c.Emergency != nil, code, detail)
	}
	{
		detail := ""
		if c.Emergency != nil {
			detail = fmt.Sprintf("case %s: post-notification was due at %s", c.ID, stamp(c.Emergency.Due))
		}
		add(GatePostNotice, c.Emergency != nil, !postNoticeOverdue(&c, now), CodePostNoticeOverdue, detail)
	}
	{
		code, detail, passed := CodeCommandRequired, fmt.Sprintf("case %s has no command", c.ID), false
		if cmd := c.Command; cmd != nil {
			switch {
			case !now.Before(cmd.ValidUntil):
				code, detail = CodeCommandExpired, fmt.Sprintf("case %s: the command expired at %s", c.ID, stamp(cmd.ValidUntil))
			case foreign(&c) && c.Consultation.Answered() && cmd.At.Before(c.Consultation.AnsweredAt):
				detail = fmt.Sprintf("case %s: the command of %s was given before MOFA answered at %s; the commander commands again", c.ID, stamp(cmd.At), stamp(c.Consultation.AnsweredAt))
			case foreign(&c) && c.Consultation != nil && c.Consultation.Response == Objection && !cmd.AcknowledgeMOFAObjection:
				code, detail = CodeMOFAObjectionUnacknowledged, fmt.Sprintf("case %s: the command of %s does not acknowledge MOFA's objection", c.ID, stamp(cmd.At))
			default:
				passed = true
			}
		}
		add(GateCommand, true, passed, code, detail)
	}
	return gs
}

// executableGates are the gates an order or an execution needs: all but
// the checklist, which approval and emergency already required.
var executableGates = []GateName{GateJurisdiction, GateLocation, GateMOFA, GateJointPolice, GateSDFOrder, GateCommission,
	GatePostNotice, GateCommand}

// requireGates returns the refusal of the first gate among names that c
// does not pass at now, in the gates' order, or nil.
func requireGates(c *Case, now time.Time, names ...GateName) *Refusal {
	for _, g := range Gates(*c, now) {
		if !g.Passed && slices.Contains(names, g.Name) {
			return refuse(g.Code, g.Detail)
		}
	}
	return nil
}

// checkExecutable returns the refusal of the first gate c does not pass at
// now for a measure of kind, or nil when it may be taken: every gate but
// the checklist, then the command's scope and the case's proposal (the
// commission approved what was proposed). The designation is checked
// before (it is the officer's, not the case's).
func checkExecutable(c *Case, now time.Time, kind MeasureKind) *Refusal {
	if r := requireGates(c, now, executableGates...); r != nil {
		return r
	}
	if !slices.Contains(c.Proposed, kind) {
		return refuse(CodeCommandScope, fmt.Sprintf("case %s: %s is not among the measures proposed (%v)", c.ID, kind, c.Proposed))
	}
	if !slices.Contains(c.Command.Scope, kind) {
		return refuse(CodeCommandScope, fmt.Sprintf("case %s: the command covers %v, not %s", c.ID, c.Command.Scope, kind))
	}
	return nil
}
