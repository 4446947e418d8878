package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/measures"
)

// Designations of cyber harm-prevention measure officers: the NPA
// Commissioner General designates police officers (national and
// prefectural), the Minister of Defense SDF officers; each revokes the
// designations of their family. Everyone with OfficerRead sees the
// designations the service lets them see.

// userChoice is a user offered in a form's select.
type userChoice struct {
	ID, Label string
}

type designationsData struct {
	N      names
	List   []measures.Designation
	Active bool
	// Candidates are the officers the viewer may designate: officers of
	// police organisations for the NPA Commissioner General, of SDF
	// organisations for the Minister of Defense, without a designation
	// in force. Empty for everyone else.
	Candidates []userChoice
	// CanDesignate: the viewer designates (and revokes) officers.
	CanDesignate bool
	Acts         acts
}

// designatingFamily returns the organisation kind whose officers p
// designates: police for the NPA Commissioner General, sdf for the
// Minister of Defense, "" for anyone else. The service decides; this only
// chooses what the form offers.
func designatingFamily(p *auth.Principal) auth.OrgKind {
	switch {
	case !p.Has(auth.RoleCommander):
		return ""
	case p.OrgKind == auth.OrgPolice && p.Police == auth.PoliceNational:
		return auth.OrgPolice
	case p.OrgKind == auth.OrgMOD:
		return auth.OrgSDF
	}
	return ""
}

func (s *Site) designationsPage(w http.ResponseWriter, r *http.Request, status int, a acts, msg ...string) error {
	p := principal(r)
	ctx := r.Context()
	n, err := s.names(r)
	if err != nil {
		return err
	}
	d := designationsData{N: n, Active: r.URL.Query().Get("active") != "", Acts: a}
	if d.List, err = s.cfg.Measures.Designations(ctx, p, measures.DesignationFilter{Active: d.Active}); err != nil {
		return msrPageError(err)
	}
	if fam := designatingFamily(p); fam != "" && s.cfg.Policy.Allow(p, auth.OfficerDesignate) {
		d.CanDesignate = true
		active := map[string]bool{}
		all := d.List
		if !d.Active {
			all, err = s.cfg.Measures.Designations(ctx, p, measures.DesignationFilter{Active: true})
			if err != nil {
				return msrPageError(err)
			}
		}
		for _, x := range all {
			if x.Active {
				active[x.UserID] = true
			}
		}
		us, err := s.cfg.Auth.Users(ctx)
		if err != nil {
			return err
		}
		for _, u := range us {
			o, ok := n.orgs[u.OrgID]
			if u.Disabled || !ok || o.Kind != fam || !slices.Contains(u.Roles, auth.RoleOfficer) || active[u.ID] {
				continue
			}
			label := u.Username
			if u.DisplayName != "" {
				label += " — " + u.DisplayName
			}
			d.Candidates = append(d.Candidates, userChoice{ID: u.ID, Label: label + " (" + n.Org(u.OrgID) + ")"})
		}
	}
	if done := r.URL.Query().Get("done"); len(msg) == 0 && done != "" {
		switch done {
		case "designated", "revoked":
			msg = []string{s.t(r, "designation.done."+done)}
		}
	}
	return s.render(w, r, status, "designations", "designations.title", d, msg...)
}

func (s *Site) designations(w http.ResponseWriter, r *http.Request) error {
	return s.designationsPage(w, r, http.StatusOK, acts{})
}

func (s *Site) designationCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	a := formActs(r, "designate")
	in := measures.DesignationInput{UserID: trimmed(r, "user_id"), Scope: trimmed(r, "scope")}
	var err error
	if v := trimmed(r, "valid_until"); v != "" {
		if in.ValidUntil, err = parseLocal(v); err != nil {
			err = &measures.FieldError{Field: "valid_until", Msg: err.Error()}
		}
	}
	if err == nil {
		_, err = s.cfg.Measures.Designate(r.Context(), principal(r), in)
	}
	if err != nil {
		fail, ok := s.msrFailed(w, r, err, nil)
		if !ok {
			return msrPageError(err)
		}
		a.Err = fail.field
		return s.designationsPage(w, r, fail.status, a, "", fail.msg)
	}
	http.Redirect(w, r, "/designations?done=designated", http.StatusSeeOther)
	return nil
}

func (s *Site) designationRevoke(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	id := r.PathValue("id")
	a := formActs(r, "revoke:"+id)
	if _, err := s.cfg.Measures.RevokeDesignation(r.Context(), principal(r), id, strings.TrimSpace(r.PostFormValue("reason"))); err != nil {
		fail, ok := s.msrFailed(w, r, err, nil)
		if !ok {
			return msrPageError(err)
		}
		a.Err = fail.field
		return s.designationsPage(w, r, fail.status, a, "", fail.msg)
	}
	http.Redirect(w, r, "/designations?done=revoked", http.StatusSeeOther)
	return nil
}
