package web

import (
	"net/http"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/sharing"
)

// Groups of council members ("electricity ISAC"): the Cabinet Office
// creates them, names their members, and chooses for each whether its
// members see its member list. A member sees a group it is in, with the
// list only when the group's list is visible.

type councilGroupsData struct {
	Groups []sharing.Group
	Acts   acts
}

func (s *Site) councilGroupsPage(w http.ResponseWriter, r *http.Request, status int, a acts, msg ...string) error {
	if !isManager(principal(r)) {
		// The service lists anyone's own groups (on /council); keeping
		// them is the Cabinet Office's, as the service says of every
		// step on this page.
		return s.shPageError(w, r, notCabinetOffice())
	}
	gs, err := s.cfg.Sharing.Groups(r.Context(), principal(r))
	if err != nil {
		return s.shPageError(w, r, err)
	}
	return s.render(w, r, status, "council_groups", "council.groups.title", councilGroupsData{Groups: gs, Acts: a}, msg...)
}

func (s *Site) councilGroups(w http.ResponseWriter, r *http.Request) error {
	return s.councilGroupsPage(w, r, http.StatusOK, acts{})
}

func (s *Site) councilGroupCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	a := formActs(r, "group")
	g, err := s.cfg.Sharing.CreateGroup(r.Context(), principal(r), sharing.GroupInput{Name: trimmed(r, "name"), Visible: checkbox(r, "visible")})
	if err != nil {
		fail, ok := s.shFailed(w, r, err, nil)
		if !ok {
			return s.shPageError(w, r, err)
		}
		a.Err = fail.field
		return s.councilGroupsPage(w, r, fail.status, a, "", fail.msg)
	}
	http.Redirect(w, r, "/council/groups/"+g.ID+"?done=group_created", http.StatusSeeOther)
	return nil
}

type councilGroupData struct {
	N names
	G sharing.Group
	// Manage: the viewer keeps the group; Candidates are the council
	// members not in it.
	Manage     bool
	Candidates []orgChoice
	Acts       acts
}

func (s *Site) councilGroupPage(w http.ResponseWriter, r *http.Request, status int, a acts, msg ...string) error {
	p := principal(r)
	g, err := s.cfg.Sharing.Group(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return s.shPageError(w, r, err)
	}
	n, err := s.names(r)
	if err != nil {
		return err
	}
	d := councilGroupData{N: n, G: g, Acts: a, Manage: isManager(p) && s.cfg.Policy.Allow(p, auth.CouncilManage)}
	if d.Manage {
		in := make([]string, 0, len(g.Members))
		for _, m := range g.Members {
			in = append(in, m.ID)
		}
		if d.Candidates, err = s.memberChoices(r, n, in...); err != nil {
			return s.shPageError(w, r, err)
		}
	}
	msg = s.doneMessage(r, "council.done.", msg, "group_created", "group_saved", "group_added", "group_removed")
	return s.render(w, r, status, "council_group", "council.group.title", d, msg...)
}

func (s *Site) councilGroup(w http.ResponseWriter, r *http.Request) error {
	return s.councilGroupPage(w, r, http.StatusOK, acts{})
}

// councilGroupStep runs act for the form named form of group {id}; then
// the group's page, or the page again with the form as typed and its
// error.
func (s *Site) councilGroupStep(w http.ResponseWriter, r *http.Request, form, done string, act func() error) error {
	if err := parseForm(r); err != nil {
		return err
	}
	a := formActs(r, form)
	if err := act(); err != nil {
		fail, ok := s.shFailed(w, r, err, nil)
		if !ok {
			return s.shPageError(w, r, err)
		}
		a.Err = fail.field
		return s.councilGroupPage(w, r, fail.status, a, "", fail.msg)
	}
	http.Redirect(w, r, "/council/groups/"+r.PathValue("id")+"?done="+done, http.StatusSeeOther)
	return nil
}

func (s *Site) councilGroupUpdate(w http.ResponseWriter, r *http.Request) error {
	return s.councilGroupStep(w, r, "edit", "group_saved", func() error {
		_, err := s.cfg.Sharing.UpdateGroup(r.Context(), principal(r), r.PathValue("id"), sharing.GroupInput{Name: trimmed(r, "name"), Visible: checkbox(r, "visible")})
		return err
	})
}

func (s *Site) councilGroupAdd(w http.ResponseWriter, r *http.Request) error {
	return s.councilGroupStep(w, r, "add", "group_added", func() error {
		org := trimmed(r, "org_id")
		if org == "" {
			return &sharing.FieldError{Field: "org_id", Msg: "required"}
		}
		_, err := s.cfg.Sharing.AddGroupMember(r.Context(), principal(r), r.PathValue("id"), org)
		return err
	})
}

func (s *Site) councilGroupRemove(w http.ResponseWriter, r *http.Request) error {
	return s.councilGroupStep(w, r, "remove", "group_removed", func() error {
		_, err := s.cfg.Sharing.RemoveGroupMember(r.Context(), principal(r), r.PathValue("id"), r.PathValue("org"))
		return err
	})
}
