package measures

import (
	"context"
	"fmt"
	"strings"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/textfield"
)

// RecordLocation records gate 1: whether the target is reasonably
// believed to be in Japan, with at least one piece of evidence. The case's
// own officer, while the case is open. It may be recorded again; a change
// of in_japan resets the MOFA consultation (kept in the history, its
// deadline cancelled) and voids the command in force (given on the other
// facts; kept in the history), and is refused with case_locked once approval was
// requested or an emergency declared, because the commission decided on
// the facts as they were. A prefectural officer may record a target abroad
// (it is a fact); every later step of the case is then refused with
// prefectural_foreign_target.
func (s *Service) RecordLocation(ctx context.Context, p *auth.Principal, id string, in LocationInput) (Case, error) {
	return s.step(ctx, p, id, "measure.location", func(tx *store.Tx, c *Case) error {
		if err := s.officerStep(ctx, tx, p, c, true); err != nil {
			return err
		}
		ev := &in.Evidence
		for _, f := range []struct {
			name string
			s    *string
		}{{"evidence.geolocation", &ev.Geolocation}, {"evidence.hosting_country", &ev.HostingCountry}, {"evidence.other", &ev.Other}} {
			if err := checkText(f.name, f.s, false); err != nil {
				return err
			}
		}
		if ev.Geolocation == "" && ev.HostingCountry == "" && ev.Other == "" {
			return fieldErrorf("evidence", "required: at least one of geolocation, hosting_country and other")
		}
		changed := c.Location != nil && c.Location.InJapan != in.InJapan
		if c.State != StateOpen || (changed && (c.Approval != nil || c.Emergency != nil)) {
			return refuse(CodeCaseLocked, fmt.Sprintf("case %s: the location changes no more once approval was requested, an emergency declared or a measure taken", c.ID))
		}
		if changed && c.Consultation != nil {
			if c.Consultation.Response == "" {
				if err := s.cancelConsultation(ctx, tx, c.ID); err != nil {
					return err
				}
			}
			c.ConsultationHistory = append(c.ConsultationHistory, *c.Consultation)
			c.Consultation = nil
		}
		if changed {
			c.voidCommand()
		}
		c.Location = &Location{InJapan: in.InJapan, Evidence: *ev, RecordedBy: p.UserID, RecordedAt: s.now()}
		return nil
	})
}

// cancelConsultation cancels the open consultation deadline of case id.
func (s *Service) cancelConsultation(ctx context.Context, tx *store.Tx, id string) error {
	ds, err := s.deadlines.List(ctx, deadline.Filter{Subject: "measure/" + id, Kind: KindConsultationDeadline,
		States: []deadline.State{deadline.StateOpen, deadline.StateOverdue}, Limit: -1})
	if err != nil {
		return fmt.Errorf("list deadlines of case %s: %w", id, err)
	}
	for _, d := range ds {
		if _, err := s.deadlines.Cancel(ctx, tx, d.ID, "location changed: consultation reset"); err != nil {
			return fmt.Errorf("cancel deadline %s: %w", d.ID, err)
		}
	}
	return nil
}

// chainCommander checks that p is the commander of c's chain for
// consulting MOFA and asking the commission: the NPA Commissioner General
// on the police path, the Minister of Defense on the SDF paths.
func (s *Service) chainCommander(ctx context.Context, p *auth.Principal, c *Case) error {
	if r := selfCommand(p, c); r != nil {
		return r
	}
	if c.Path.SDF() {
		if !isMinisterOfDefense(p) {
			return refuse(CodeNotInChain, fmt.Sprintf("SDF case %s goes through the Minister of Defense", c.ID))
		}
		return nil
	}
	cg, err := s.isCommissionerGeneral(ctx, p)
	if err != nil {
		return err
	}
	if !cg {
		return refuse(CodeNotInChain, fmt.Sprintf("police case %s goes through the NPA Commissioner General", c.ID))
	}
	return nil
}

// RequestConsultation consults the Minister of Foreign Affairs on case id,
// whose target is recorded as not in Japan, through the chain: the NPA
// Commissioner General on the police path (a prefectural chief:
// not_in_chain), the Minister of Defense on the SDF paths. It is addressed
// to the MOFA organisation (none: no_mofa), with a deadline of
// Config.ConsultationWithin on it. Once per location (already_done).
func (s *Service) RequestConsultation(ctx context.Context, p *auth.Principal, id, text string) (Case, error) {
	return s.step(ctx, p, id, "measure.consultation_request", func(tx *store.Tx, c *Case) error {
		if err := s.chainCommander(ctx, p, c); err != nil {
			return err
		}
		if c.State.Final() {
			return refuse(CodeCaseClosed, fmt.Sprintf("case %s is %s", c.ID, c.State))
		}
		if r := requireGates(c, s.now(), GateJurisdiction, GateLocation); r != nil {
			return r
		}
		if c.Location.InJapan {
			return refuse(CodeConsultationNotNeeded, fmt.Sprintf("case %s: the target is recorded as in Japan", c.ID))
		}
		if c.Consultation != nil {
			return refuse(CodeAlreadyDone, fmt.Sprintf("case %s: MOFA was consulted at %s", c.ID, stamp(c.Consultation.RequestedAt)))
		}
		text = strings.TrimSpace(text)
		if err := textfield.Check("text", text, maxText, true); err != nil {
			return err
		}
		mofa, err := s.orgsOfKind(ctx, auth.OrgMOFA)
		if err != nil {
			return err
		}
		if len(mofa) == 0 {
			return refuse(CodeNoMOFA, "register the Ministry of Foreign Affairs as an organisation of kind mofa")
		}
		now := s.now()
		d, err := s.deadlines.Set(ctx, tx, deadline.Deadline{Kind: KindConsultationDeadline, Subject: "measure/" + c.ID, Org: mofa[0],
			Title: "Answer the consultation on measure case " + c.ID, TitleJA: "措置事案 " + c.ID + " に係る協議への回答",
			Link: "/measures/" + c.ID, Due: now.Add(s.cfg.ConsultationWithin)})
		if err != nil {
			return fmt.Errorf("set consultation deadline: %w", err)
		}
		c.Consultation = &Consultation{Text: text, RequestedBy: p.UserID, RequestedAt: now, MOFAOrgID: mofa[0], Due: d.Due, DeadlineID: d.ID}
		return s.notify(ctx, tx, deadline.Notice{ToOrg: mofa[0], Subject: fmt.Sprintf("Consultation on measure case %s: a target not in Japan", c.ID),
			Body: fmt.Sprintf("Answer by %s (no objection or objection). %s", stamp(d.Due), textfield.Cut(text, 1000)), Link: "/measures/" + c.ID})
	})
}

// AnswerConsultation records MOFA's answer to the consultation on case
// id, once (already_done), by a MOFA user of the organisation consulted.
// An objection needs its text; it stays on the case and the command must
// acknowledge it.
func (s *Service) AnswerConsultation(ctx context.Context, p *auth.Principal, id string, in ConsultationAnswer) (Case, error) {
	if !isMOFA(p) {
		return Case{}, fmt.Errorf("only the Ministry of Foreign Affairs answers a consultation: %w", ErrForbidden)
	}
	return s.step(ctx, p, id, "measure.consultation_answer", func(tx *store.Tx, c *Case) error {
		if c.Consultation == nil || c.Consultation.MOFAOrgID != p.OrgID {
			return refuse(CodeConsultationNotOpen, fmt.Sprintf("case %s has no consultation with organisation %s", c.ID, p.OrgID))
		}
		if c.State.Final() {
			return refuse(CodeCaseClosed, fmt.Sprintf("case %s is %s", c.ID, c.State))
		}
		if c.Consultation.Answered() {
			return refuse(CodeAlreadyDone, fmt.Sprintf("case %s: MOFA answered at %s", c.ID, stamp(c.Consultation.AnsweredAt)))
		}
		switch in.Response {
		case NoObjection, Objection:
		default:
			return fieldErrorf("response", "%q: want no_objection or objection", cutQ(string(in.Response)))
		}
		if err := checkText("text", &in.Text, in.Response == Objection); err != nil {
			return err
		}
		ds, err := s.deadlines.MeetSubject(ctx, tx, "measure/"+c.ID, KindConsultationDeadline)
		if err != nil {
			return fmt.Errorf("meet consultation deadline: %w", err)
		}
		now := s.now()
		cn := c.Consultation
		cn.Response, cn.ResponseText, cn.AnsweredBy, cn.AnsweredAt = in.Response, in.Text, p.UserID, now
		cn.Late = now.After(cn.Due)
		for _, d := range ds {
			cn.Late = cn.Late || d.Late
		}
		n := deadline.Notice{Subject: fmt.Sprintf("MOFA answered the consultation on case %s: %s", c.ID, in.Response),
			Body: textfield.Cut(in.Text, 1000), Link: "/measures/" + c.ID}
		n.ToOrg = c.OfficerOrgID
		if err := s.notify(ctx, tx, n); err != nil {
			return err
		}
		if c.Path.SDF() {
			return s.notifyKind(ctx, tx, auth.OrgMOD, n)
		}
		return nil
	})
}
