package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/sharing"
)

// Clearances: the Cabinet Office grants a user a level of the clearance
// scale in force, above its lowest, with a reason, and revokes it (the
// user returns to the lowest); nobody grants or revokes their own. An
// item may require a level, which its reader must hold on top of its TLP.

type councilClearancesData struct {
	N      names
	Scale  []string
	List   []sharing.Clearance
	Levels []string // the levels a grant may give: above the lowest
	// Users are the accounts a grant may go to: every enabled user but
	// the viewer.
	Users []userChoice
	Acts  acts
}

func (s *Site) councilClearancesPage(w http.ResponseWriter, r *http.Request, status int, a acts, msg ...string) error {
	p := principal(r)
	ctx := r.Context()
	cs, err := s.cfg.Sharing.Clearances(ctx, p)
	if err != nil {
		return s.shPageError(w, r, err)
	}
	n, err := s.names(r)
	if err != nil {
		return err
	}
	scale := s.cfg.Sharing.Scale().Levels()
	d := councilClearancesData{N: n, Scale: scale, List: cs, Levels: scale[1:], Acts: a}
	us, err := s.cfg.Auth.Users(ctx)
	if err != nil {
		return err
	}
	for _, u := range us {
		if u.Disabled || u.ID == p.UserID {
			continue
		}
		label := u.Username
		if u.DisplayName != "" && u.DisplayName != u.Username {
			label += " — " + u.DisplayName
		}
		d.Users = append(d.Users, userChoice{ID: u.ID, Label: label + " (" + n.Org(u.OrgID) + ")"})
	}
	slices.SortFunc(d.Users, func(a, b userChoice) int { return strings.Compare(a.Label, b.Label) })
	msg = s.doneMessage(r, "council.done.", msg, "granted", "revoked")
	return s.render(w, r, status, "council_clearances", "council.clearances.title", d, msg...)
}

func (s *Site) councilClearances(w http.ResponseWriter, r *http.Request) error {
	return s.councilClearancesPage(w, r, http.StatusOK, acts{})
}

// clearanceStep runs act for the form named form; then the clearances'
// page, or the page again with the form as typed and its error.
func (s *Site) clearanceStep(w http.ResponseWriter, r *http.Request, form, done string, act func(p *auth.Principal) error) error {
	if err := parseForm(r); err != nil {
		return err
	}
	a := formActs(r, form)
	if err := act(principal(r)); err != nil {
		fail, ok := s.shFailed(w, r, err, nil)
		if !ok {
			return s.shPageError(w, r, err)
		}
		a.Err = fail.field
		return s.councilClearancesPage(w, r, fail.status, a, "", fail.msg)
	}
	http.Redirect(w, r, "/council/clearances?done="+done, http.StatusSeeOther)
	return nil
}

func (s *Site) councilClearanceGrant(w http.ResponseWriter, r *http.Request) error {
	return s.clearanceStep(w, r, "grant", "granted", func(p *auth.Principal) error {
		user := trimmed(r, "user_id")
		if user == "" {
			return &sharing.FieldError{Field: "user_id", Msg: "required"}
		}
		_, err := s.cfg.Sharing.GrantClearance(r.Context(), p, user, trimmed(r, "level"), trimmed(r, "reason"))
		return err
	})
}

func (s *Site) councilClearanceRevoke(w http.ResponseWriter, r *http.Request) error {
	user := r.PathValue("user")
	return s.clearanceStep(w, r, "revoke:"+user, "revoked", func(p *auth.Principal) error {
		return s.cfg.Sharing.RevokeClearance(r.Context(), p, user, trimmed(r, "reason"))
	})
}
