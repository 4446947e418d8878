package web

import (
	"context"
	"net/http"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/sharing"
)

// The council (Act ch.9): the viewer's organisation's membership, the
// consent by which an operator or a vendor joins (accepting the duty of
// secrecy, §82) and its withdrawal, and the Cabinet Office's list of
// members with their suspension and reinstatement.

type councilData struct {
	N         names
	M         sharing.Membership
	Clearance string
	Groups    []sharing.Group
	// Joinable: the viewer's organisation joins by consent and the viewer
	// may give or withdraw it.
	Joinable bool
	// Manager: the viewer keeps the council; Groups are then all groups.
	Manager bool
	Acts    acts
}

func (s *Site) councilPage(w http.ResponseWriter, r *http.Request, status int, a acts, msg ...string) error {
	p := principal(r)
	ctx := r.Context()
	m, err := s.cfg.Sharing.Membership(ctx, p, "")
	if err != nil {
		return s.shPageError(w, r, err)
	}
	n, err := s.names(r)
	if err != nil {
		return err
	}
	d := councilData{N: n, M: m, Acts: a, Joinable: sharing.Joinable(p.OrgKind) && s.cfg.Policy.Allow(p, auth.CouncilJoin),
		Manager: isManager(p) && s.cfg.Policy.Allow(p, auth.CouncilManage)}
	if d.Clearance, err = s.cfg.Sharing.ClearanceOf(ctx, p.UserID); err != nil {
		return err
	}
	if d.Clearance == "" {
		d.Clearance = s.cfg.Sharing.Scale().Lowest()
	}
	if d.Groups, err = s.cfg.Sharing.Groups(ctx, p); err != nil {
		return s.shPageError(w, r, err)
	}
	msg = s.doneMessage(r, "council.done.", msg, "joined", "withdrawn")
	return s.render(w, r, status, "council", "council.title", d, msg...)
}

func (s *Site) council(w http.ResponseWriter, r *http.Request) error {
	return s.councilPage(w, r, http.StatusOK, acts{})
}

type consentData struct {
	M sharing.Membership
	// Terms are the terms in force; Text is their text in the page's
	// language.
	Terms    sharing.Terms
	Text     string
	Joinable bool
	Acts     acts
}

func (s *Site) consentPage(w http.ResponseWriter, r *http.Request, status int, a acts, msg ...string) error {
	p := principal(r)
	m, err := s.cfg.Sharing.Membership(r.Context(), p, "")
	if err != nil {
		return s.shPageError(w, r, err)
	}
	d := consentData{M: m, Terms: sharing.CurrentTerms(), Joinable: sharing.Joinable(p.OrgKind), Acts: a}
	d.Text = d.Terms.Text
	if langOf(r) == Japanese {
		d.Text = d.Terms.TextJA
	}
	return s.render(w, r, status, "council_consent", "council.consent.title", d, msg...)
}

func (s *Site) councilConsentForm(w http.ResponseWriter, r *http.Request) error {
	return s.consentPage(w, r, http.StatusOK, acts{})
}

func (s *Site) councilConsent(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	a := formActs(r, "consent")
	in := sharing.ConsentInput{TermsVersion: trimmed(r, "terms_version"), TermsSHA256: trimmed(r, "terms_sha256"), Accept: checkbox(r, "accept")}
	if _, err := s.cfg.Sharing.Consent(r.Context(), principal(r), in); err != nil {
		fail, ok := s.shFailed(w, r, err, nil)
		if !ok {
			return s.shPageError(w, r, err)
		}
		a.Err = fail.field
		return s.consentPage(w, r, fail.status, a, "", fail.msg)
	}
	http.Redirect(w, r, "/council?done=joined", http.StatusSeeOther)
	return nil
}

func (s *Site) councilWithdraw(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	a := formActs(r, "withdraw")
	if _, err := s.cfg.Sharing.Withdraw(r.Context(), principal(r), trimmed(r, "reason")); err != nil {
		fail, ok := s.shFailed(w, r, err, nil)
		if !ok {
			return s.shPageError(w, r, err)
		}
		a.Err = fail.field
		return s.councilPage(w, r, fail.status, a, "", fail.msg)
	}
	http.Redirect(w, r, "/council?done=withdrawn", http.StatusSeeOther)
	return nil
}

type councilMembersData struct {
	N       names
	Members []sharing.Membership
	// Count is how many are members now.
	Count int
	Acts  acts
}

func (s *Site) councilMembersPage(w http.ResponseWriter, r *http.Request, status int, a acts, msg ...string) error {
	ms, err := s.cfg.Sharing.Members(r.Context(), principal(r))
	if err != nil {
		return s.shPageError(w, r, err)
	}
	n, err := s.names(r)
	if err != nil {
		return err
	}
	d := councilMembersData{N: n, Members: ms, Acts: a}
	for _, m := range ms {
		if m.Member {
			d.Count++
		}
	}
	msg = s.doneMessage(r, "council.done.", msg, "suspended", "reinstated")
	return s.render(w, r, status, "council_members", "council.members.title", d, msg...)
}

func (s *Site) councilMembers(w http.ResponseWriter, r *http.Request) error {
	return s.councilMembersPage(w, r, http.StatusOK, acts{})
}

type councilMemberData struct {
	N names
	M sharing.Membership
	// Manage: the viewer suspends and reinstates members.
	Manage bool
	Acts   acts
}

func (s *Site) councilMember(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	m, err := s.cfg.Sharing.Membership(r.Context(), p, r.PathValue("org"))
	if err != nil {
		return s.shPageError(w, r, err)
	}
	n, err := s.names(r)
	if err != nil {
		return err
	}
	d := councilMemberData{N: n, M: m, Manage: isManager(p) && s.cfg.Policy.Allow(p, auth.CouncilManage)}
	return s.render(w, r, http.StatusOK, "council_member", "council.member.title", d)
}

// councilMemberStep suspends or reinstates organisation {org} with the
// form's reason; then the list of members, or the list again with the
// form as typed and its error.
func (s *Site) councilMemberStep(w http.ResponseWriter, r *http.Request, form, done string,
	act func(ctx context.Context, p *auth.Principal, orgID, reason string) (sharing.Membership, error)) error {
	if err := parseForm(r); err != nil {
		return err
	}
	org := r.PathValue("org")
	a := formActs(r, form+":"+org)
	if _, err := act(r.Context(), principal(r), org, trimmed(r, "reason")); err != nil {
		fail, ok := s.shFailed(w, r, err, nil)
		if !ok {
			return s.shPageError(w, r, err)
		}
		a.Err = fail.field
		return s.councilMembersPage(w, r, fail.status, a, "", fail.msg)
	}
	http.Redirect(w, r, "/council/members?done="+done+"#org-"+org, http.StatusSeeOther)
	return nil
}

func (s *Site) councilSuspend(w http.ResponseWriter, r *http.Request) error {
	return s.councilMemberStep(w, r, "suspend", "suspended", s.cfg.Sharing.Suspend)
}

func (s *Site) councilReinstate(w http.ResponseWriter, r *http.Request) error {
	return s.councilMemberStep(w, r, "reinstate", "reinstated", s.cfg.Sharing.Reinstate)
}
