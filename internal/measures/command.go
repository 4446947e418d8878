package measures

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/textfield"
)

// MaxCommandPeriod is the longest a command stays in force.
const MaxCommandPeriod = 30 * 24 * time.Hour

// commander checks that p commands case c: the NPA Commissioner General
// (a commander of the national police organisation that is the officer's)
// for a national officer, the prefectural police chief (a commander of the
// officer's prefectural organisation) for a prefectural officer, the
// Minister of Defense on the SDF paths. The case's own officer, even
// holding the commander role too, does not command it.
func (s *Service) commander(ctx context.Context, p *auth.Principal, c *Case) error {
	if r := selfCommand(p, c); r != nil {
		return r
	}
	if c.Path.SDF() {
		if !isMinisterOfDefense(p) {
			return refuse(CodeNotInChain, fmt.Sprintf("SDF case %s is commanded by the Minister of Defense", c.ID))
		}
		return nil
	}
	who := map[Level]string{LevelNational: "the NPA Commissioner General", LevelPrefectural: "the prefectural police chief"}[c.OfficerLevel]
	if !isCommander(p) || p.OrgKind != auth.OrgPolice || p.OrgID != c.OfficerOrgID {
		return refuse(CodeNotInChain, fmt.Sprintf("case %s is commanded by %s of the officer's organisation", c.ID, who))
	}
	lvl, err := s.police(ctx, p)
	if err != nil {
		return err
	}
	if Level(lvl) != c.OfficerLevel {
		return refuse(CodeNotInChain, fmt.Sprintf("case %s is commanded by %s", c.ID, who))
	}
	return nil
}

// selfCommand refuses p as commander of c when p is c's own officer: the
// command is a superior's check on the officer, so one account may not
// be both.
func selfCommand(p *auth.Principal, c *Case) *Refusal {
	if p.UserID != "" && p.UserID == c.OfficerUserID {
		return refuse(CodeNotInChain, fmt.Sprintf("case %s is your own: its chain's commander, not its officer, takes this step", c.ID))
	}
	return nil
}

// voidCommand moves c's command in force, if any, to the history: the
// facts it was given on changed, so the commander commands again.
func (c *Case) voidCommand() {
	if c.Command != nil {
		c.CommandHistory = append(c.CommandHistory, *c.Command)
		c.Command = nil
	}
}

// Command gives the command of case id (gate 4): by the commander of its
// chain (else not_in_chain), once the location is recorded and, for a
// target abroad, MOFA has answered; an objection must be acknowledged. The
// scope is a subset of the proposed kinds; the command is in force until
// ValidUntil, at most 30 days ahead. A new command replaces the one in
// force, which is kept in CommandHistory.
func (s *Service) Command(ctx context.Context, p *auth.Principal, id string, in CommandInput) (Case, error) {
	return s.step(ctx, p, id, "measure.command", func(tx *store.Tx, c *Case) error {
		if err := s.commander(ctx, p, c); err != nil {
			return err
		}
		if c.State.Final() {
			return refuse(CodeCaseClosed, fmt.Sprintf("case %s is %s", c.ID, c.State))
		}
		now := s.now()
		if r := requireGates(c, now, GateJurisdiction, GateLocation, GateMOFA); r != nil {
			return r
		}
		if foreign(c) && c.Consultation.Response == Objection && !in.AcknowledgeMOFAObjection {
			return refuse(CodeMOFAObjectionUnacknowledged, fmt.Sprintf("case %s: MOFA objected at %s", c.ID, stamp(c.Consultation.AnsweredAt)))
		}
		if err := checkKinds("scope", in.Scope); err != nil {
			return err
		}
		for i, k := range in.Scope {
			if !slices.Contains(c.Proposed, k) {
				return fieldErrorf(fmt.Sprintf("scope[%d]", i), "%s was not proposed (proposed: %v)", k, c.Proposed)
			}
		}
		in.Instructions = strings.TrimSpace(in.Instructions)
		if err := textfield.Check("instructions", in.Instructions, maxText, true); err != nil {
			return err
		}
		in.ValidUntil = in.ValidUntil.UTC()
		switch {
		case in.ValidUntil.IsZero():
			return fieldErrorf("valid_until", "required")
		case !in.ValidUntil.After(now):
			return fieldErrorf("valid_until", "%s is not in the future", stamp(in.ValidUntil))
		case in.ValidUntil.Sub(now) > MaxCommandPeriod:
			return fieldErrorf("valid_until", "%s is more than 30 days ahead", stamp(in.ValidUntil))
		}
		if c.Command != nil {
			if len(c.CommandHistory) >= maxCommands {
				return fieldErrorf("", "case %s has had %d commands, the most one case keeps", c.ID, maxCommands)
			}
			c.CommandHistory = append(c.CommandHistory, *c.Command)
		}
		c.Command = &Command{Scope: in.Scope, Instructions: in.Instructions, ValidUntil: in.ValidUntil,
			AcknowledgeMOFAObjection: in.AcknowledgeMOFAObjection, By: p.UserID, At: now}
		return s.notify(ctx, tx, deadline.Notice{ToUser: c.OfficerUserID, ToOrg: c.OfficerOrgID, Subject: fmt.Sprintf("Command on measure case %s", c.ID),
			Body: fmt.Sprintf("Commanded %v until %s. %s", in.Scope, stamp(in.ValidUntil), textfield.Cut(in.Instructions, 1000)), Link: "/measures/" + c.ID})
	})
}

// RecordNPSC records the National Public Safety Commission's request for,
// or consent to, SDF action on case id: an NPSC user, on the SDF
// protection path only (else wrong_path).
func (s *Service) RecordNPSC(ctx context.Context, p *auth.Principal, id string, in NPSCInput) (Case, error) {
	if !isNPSC(p) {
		return Case{}, fmt.Errorf("only the National Public Safety Commission records its request or consent: %w", ErrForbidden)
	}
	return s.step(ctx, p, id, "measure.npsc", func(tx *store.Tx, c *Case) error {
		if c.Path != PathSDFProtection {
			return refuse(CodeWrongPath, fmt.Sprintf("case %s is on the %s path; the NPSC takes part in SDF protection cases only", c.ID, c.Path))
		}
		if c.State.Final() {
			return refuse(CodeCaseClosed, fmt.Sprintf("case %s is %s", c.ID, c.State))
		}
		switch in.Kind {
		case NPSCRequest, NPSCConsent:
		default:
			return fieldErrorf("kind", "%q: want request or consent", cutQ(string(in.Kind)))
		}
		if err := checkText("text", &in.Text, true); err != nil {
			return err
		}
		if len(c.NPSC) >= maxNPSC {
			return fieldErrorf("", "case %s has %d NPSC records, the most one case keeps", c.ID, maxNPSC)
		}
		c.NPSC = append(c.NPSC, NPSC{Kind: in.Kind, Text: in.Text, By: p.UserID, At: s.now()})
		return s.notifyKind(ctx, tx, auth.OrgCabinet, deadline.Notice{Subject: fmt.Sprintf("NPSC %s on SDF protection case %s", in.Kind, c.ID),
			Body: textfield.Cut(in.Text, 1000), Link: "/measures/" + c.ID})
	})
}

// importantCategories are the categories of important computers.
var importantCategories = []string{ComputersGovernment, ComputersLocalGovernment, ComputersCriticalInfra, ComputersDefenceIndustry}

// IssueSDFOrder records the Prime Minister's order of communication
// protection measures on case id (SDF Act §81-3): a cabinet user, on the
// SDF protection path (else wrong_path), once (already_done), after the
// NPSC's request or consent (npsc_required), with every condition met and
// explained (sdf_conditions_not_met, the detail naming each missing one).
func (s *Service) IssueSDFOrder(ctx context.Context, p *auth.Principal, id string, in SDFOrderInput) (Case, error) {
	if !isCabinet(p) {
		return Case{}, fmt.Errorf("only the cabinet issues the Prime Minister's order: %w", ErrForbidden)
	}
	return s.step(ctx, p, id, "measure.sdf_order", func(tx *store.Tx, c *Case) error {
		if c.Path != PathSDFProtection {
			return refuse(CodeWrongPath, fmt.Sprintf("case %s is on the %s path; the Prime Minister orders SDF protection measures only", c.ID, c.Path))
		}
		if c.State.Final() {
			return refuse(CodeCaseClosed, fmt.Sprintf("case %s is %s", c.ID, c.State))
		}
		if c.SDFOrder != nil {
			return refuse(CodeAlreadyDone, fmt.Sprintf("case %s: the order was issued at %s", c.ID, stamp(c.SDFOrder.IssuedAt)))
		}
		if len(c.NPSC) == 0 {
			return refuse(CodeNPSCRequired, fmt.Sprintf("case %s has no NPSC request or consent", c.ID))
		}
		ic := &in.ImportantComputers
		ic.Text, ic.Category = strings.TrimSpace(ic.Text), strings.TrimSpace(ic.Category)
		for _, f := range []struct {
			name string
			s    *string
		}{{"important_computers.text", &ic.Text}, {"organised_actor_abroad.text", &in.OrganisedActorAbroad.Text},
			{"sdf_indispensable.text", &in.SDFIndispensable.Text}, {"text", &in.Text}} {
			if err := checkText(f.name, f.s, false); err != nil {
				return err
			}
		}
		if ic.Category != "" && !slices.Contains(importantCategories, ic.Category) {
			return fieldErrorf("important_computers.category", "%q: want one of %v", cutQ(ic.Category), importantCategories)
		}
		var missing []string
		if !ic.Met || ic.Text == "" || ic.Category == "" {
			missing = append(missing, "important_computers (met, category and text)")
		}
		if !in.OrganisedActorAbroad.ok() {
			missing = append(missing, "organised_actor_abroad (met and text)")
		}
		if !in.SDFIndispensable.ok() {
			missing = append(missing, "sdf_indispensable (met and text)")
		}
		if len(missing) > 0 {
			return refuse(CodeSDFConditionsNotMet, "missing: "+strings.Join(missing, ", "))
		}
		c.SDFOrder = &SDFOrder{ImportantComputers: *ic, OrganisedActorAbroad: in.OrganisedActorAbroad, SDFIndispensable: in.SDFIndispensable,
			Text: in.Text, IssuedBy: p.UserID, IssuedAt: s.now()}
		return s.notifyChain(ctx, tx, c, deadline.Notice{Subject: fmt.Sprintf("The Prime Minister ordered communication protection measures: case %s", c.ID),
			Body: textfield.Cut(in.Text, 1000), Link: "/measures/" + c.ID})
	})
}
