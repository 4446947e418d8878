package web

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/sharing"
	"github.com/acd-platform/acd/internal/tlp"
)

// Advisories (§41) for the Cabinet Office's analysts: the list by state,
// the form of a draft (its technical part for analysts, its executive
// part, its TLP, clearance and recipients), and an advisory's page with
// the steps its state and the viewer's part allow: submit (the author),
// return with a comment or publish (a second analyst), withdraw and
// revise (once published). Published, it is read on /shared (and, for
// TLP:CLEAR, on /alerts).

type advisoriesData struct {
	N      names
	Rows   []advisoryRow
	State  string
	States []sharing.State
	Err    fieldErr
}

// advisoryRow is an advisory in a list.
type advisoryRow struct {
	S     sharing.Summary
	Badge tlpBadge
}

func (s *Site) advisories(w http.ResponseWriter, r *http.Request) error {
	n, err := s.names(r)
	if err != nil {
		return err
	}
	d := advisoriesData{N: n, State: r.URL.Query().Get("state"), States: advisoryStates}
	if d.State != "" && !slices.Contains(advisoryStates, sharing.State(d.State)) {
		d.Err = fieldErr{"state", strconv.Quote(d.State) + ": unknown state"}
		return s.render(w, r, http.StatusBadRequest, "advisories", "advisories.title", d, "", s.t(r, "form.invalid"))
	}
	ss, err := s.cfg.Sharing.Advisories(r.Context(), principal(r), sharing.AdvisoryFilter{State: sharing.State(d.State)})
	if err != nil {
		return s.shPageError(w, r, err)
	}
	for _, x := range ss {
		d.Rows = append(d.Rows, advisoryRow{S: x, Badge: tlpBadge{x.TLP}})
	}
	return s.render(w, r, http.StatusOK, "advisories", "advisories.title", d)
}

// clearanceChoice is a clearance level a form offers; the scale's lowest
// is the empty value, "no clearance required".
type clearanceChoice struct{ Value, Label string }

// clearanceChoices are the levels of the scale in force, lowest first.
func (s *Site) clearanceChoices(r *http.Request) []clearanceChoice {
	levels := s.cfg.Sharing.Scale().Levels()
	out := make([]clearanceChoice, len(levels))
	for i, l := range levels {
		out[i] = clearanceChoice{Value: l, Label: l}
		if i == 0 {
			out[i] = clearanceChoice{Value: "", Label: s.t(r, "advisory.clearance.none") + " (" + l + ")"}
		}
	}
	return out
}

type advisoryFormData struct {
	Acts acts
	// Edit is the draft being edited; nil for a new advisory.
	Edit       *sharing.Advisory
	Action     string
	Levels     []tlpBadge
	Clearances []clearanceChoice
	// Orgs are the council members an AMBER item may be addressed to;
	// Groups the Cabinet Office's groups.
	Orgs   []orgChoice
	Groups []sharing.Group
}

// memberChoices returns the organisations that are council members now
// but skip, by name: the choices of the forms that address, forward or
// ask a member. Only the Cabinet Office lists the members.
func (s *Site) memberChoices(r *http.Request, n names, skip ...string) ([]orgChoice, error) {
	ms, err := s.cfg.Sharing.Members(r.Context(), principal(r))
	if err != nil {
		return nil, err
	}
	member := map[string]bool{}
	for _, m := range ms {
		member[m.OrgID] = m.Member && !slices.Contains(skip, m.OrgID)
	}
	return s.orgChoices(r, n, func(o auth.Org) bool { return member[o.ID] })
}

func (s *Site) advisoryFormPage(w http.ResponseWriter, r *http.Request, status int, edit *sharing.Advisory, a acts, msg ...string) error {
	n, err := s.names(r)
	if err != nil {
		return err
	}
	d := advisoryFormData{Acts: a, Edit: edit, Action: "/advisories", Levels: tlpLevels, Clearances: s.clearanceChoices(r)}
	if edit != nil {
		d.Action = "/advisories/" + edit.ID
	}
	if d.Orgs, err = s.memberChoices(r, n); err != nil {
		return s.shPageError(w, r, err)
	}
	if d.Groups, err = s.cfg.Sharing.Groups(r.Context(), principal(r)); err != nil {
		return s.shPageError(w, r, err)
	}
	if d.Acts.Form == "" {
		d.Acts = acts{Form: "advisory", V: map[string][]string{"tlp": {string(tlp.Amber)}}}
		if edit != nil {
			d.Acts.V = advisoryValues(*edit, n.User)
		}
	}
	title := "advisory.new"
	if edit != nil {
		title = "advisory.edit"
	}
	return s.render(w, r, status, "advisory_form", title, d, msg...)
}

func (s *Site) advisoryNew(w http.ResponseWriter, r *http.Request) error {
	return s.advisoryFormPage(w, r, http.StatusOK, nil, acts{})
}

// advisoryInput reads the advisory form and resolves the TLP:RED
// recipients' user names to their accounts.
func (s *Site) advisoryInput(r *http.Request) (advisoryForm, error) {
	f, err := readAdvisoryForm(r.PostFormValue, func(name string) []string { return r.PostForm[name] })
	if err != nil {
		return f, err
	}
	for i, name := range f.UserNames {
		u, err := s.cfg.Auth.UserByUsername(r.Context(), name)
		if err != nil {
			return f, &sharing.FieldError{Field: fmt.Sprintf("recipients.users[%d]", i), Msg: "no such user"}
		}
		f.In.Recipients.Users = append(f.In.Recipients.Users, u.ID)
	}
	return f, nil
}

// advisorySave saves the advisory form: a new draft (edit nil) or the
// draft edit; then the advisory's page, or the form again with its error.
func (s *Site) advisorySave(w http.ResponseWriter, r *http.Request, edit *sharing.Advisory) error {
	if err := parseForm(r); err != nil {
		return err
	}
	a := formActs(r, "advisory")
	f, err := s.advisoryInput(r)
	var saved sharing.Advisory
	if err == nil {
		if edit == nil {
			saved, err = s.cfg.Sharing.CreateAdvisory(r.Context(), principal(r), f.In)
		} else {
			saved, err = s.cfg.Sharing.UpdateAdvisory(r.Context(), principal(r), edit.ID, f.In)
		}
	}
	if err != nil {
		fail, ok := s.shFailed(w, r, err, s.advisoryFields(r, f))
		if !ok {
			return s.shPageError(w, r, err)
		}
		a.Err = fail.field
		return s.advisoryFormPage(w, r, fail.status, edit, a, "", fail.msg)
	}
	done := "created"
	if edit != nil {
		done = "saved"
	}
	http.Redirect(w, r, "/advisories/"+saved.ID+"?done="+done, http.StatusSeeOther)
	return nil
}

func (s *Site) advisoryCreate(w http.ResponseWriter, r *http.Request) error {
	return s.advisorySave(w, r, nil)
}

// editableDraft returns the latest revision of advisory {id} if it is a
// draft of the viewer's, else the refusal the service would give to
// saving it.
func (s *Site) editableDraft(r *http.Request) (sharing.Advisory, error) {
	a, err := s.cfg.Sharing.Advisory(r.Context(), principal(r), r.PathValue("id"), 0)
	if err != nil {
		return a, err
	}
	switch {
	case a.State != sharing.StateDraft:
		return a, sharing.Refuse(sharing.CodeNotDraft, fmt.Sprintf("advisory %s revision %d is %s", a.ID, a.Revision, a.State))
	case a.AuthorID != principal(r).UserID:
		return a, sharing.Refuse(sharing.CodeNotAuthor, fmt.Sprintf("advisory %s revision %d", a.ID, a.Revision))
	}
	return a, nil
}

func (s *Site) advisoryEdit(w http.ResponseWriter, r *http.Request) error {
	a, err := s.editableDraft(r)
	if err != nil {
		return s.shPageError(w, r, err)
	}
	var msg []string
	if r.URL.Query().Get("done") == "revised" {
		msg = []string{s.t(r, "advisory.done.revised", a.Revision)}
	}
	return s.advisoryFormPage(w, r, http.StatusOK, &a, acts{}, msg...)
}

func (s *Site) advisoryUpdate(w http.ResponseWriter, r *http.Request) error {
	a, err := s.editableDraft(r)
	if err != nil {
		// The service decides again on saving; a draft that is not the
		// viewer's shows its refusal on the advisory's page.
		return s.advisoryStep(w, r, "advisory", "saved", func(context.Context, *auth.Principal, string) (string, error) { return "", err })
	}
	return s.advisorySave(w, r, &a)
}

// advisoryCan says which steps an advisory's page offers the viewer. The
// service decides; these only keep the page from offering what the
// viewer's part or the advisory's state never allows.
type advisoryCan struct {
	Edit, Submit, Review, Withdraw, Revise bool
}

type advisoryData struct {
	N     names
	A     sharing.Advisory
	Badge tlpBadge
	Parts template.HTML
	// Latest is the latest revision; Revisions every revision, for the
	// links between them.
	Latest    int
	Revisions []int
	// GroupNames names the groups the author addressed.
	GroupNames map[string]string
	Can        advisoryCan
	Acts       acts
}

func (s *Site) advisoryPage(w http.ResponseWriter, r *http.Request, status int, a acts, msg ...string) error {
	p, id := principal(r), r.PathValue("id")
	ctx := r.Context()
	latest, err := s.cfg.Sharing.Advisory(ctx, p, id, 0)
	if err != nil {
		return s.shPageError(w, r, err)
	}
	adv := latest
	if v := r.URL.Query().Get("revision"); v != "" {
		rev, err := strconv.Atoi(v)
		if err != nil || rev < 1 || rev > latest.Revision {
			return api.BadRequest("revision", fmt.Sprintf("%q: want a revision from 1 to %d", v, latest.Revision))
		}
		if rev != latest.Revision {
			if adv, err = s.cfg.Sharing.Advisory(ctx, p, id, rev); err != nil {
				return s.shPageError(w, r, err)
			}
		}
	}
	n, err := s.names(r)
	if err != nil {
		return err
	}
	d := advisoryData{N: n, A: adv, Badge: tlpBadge{adv.Marking.Level}, Latest: latest.Revision, Acts: a, GroupNames: map[string]string{}}
	for i := 1; i <= latest.Revision; i++ {
		d.Revisions = append(d.Revisions, i)
	}
	if len(adv.Recipients.Groups) > 0 {
		gs, err := s.cfg.Sharing.Groups(ctx, p)
		if err != nil {
			return s.shPageError(w, r, err)
		}
		for _, g := range gs {
			d.GroupNames[g.ID] = g.Name
		}
	}
	if d.Parts, err = s.parts(r, adv.Technical, adv.Executive); err != nil {
		return err
	}
	allow := func(a auth.Action) bool { return s.cfg.Policy.Allow(p, a) }
	isLatest := adv.Revision == latest.Revision
	own := adv.AuthorID == p.UserID
	d.Can = advisoryCan{
		Edit:   isLatest && adv.State == sharing.StateDraft && own && allow(auth.AdvisoryWrite),
		Review: isLatest && adv.State == sharing.StateInReview && !own && allow(auth.AdvisoryReview),
		// The published revision is the one withdrawn, also while a
		// correction is being written.
		Withdraw: adv.State == sharing.StatePublished && allow(auth.AdvisoryReview),
		Revise:   isLatest && adv.State == sharing.StatePublished && allow(auth.AdvisoryWrite),
	}
	d.Can.Submit = d.Can.Edit
	msg = s.doneMessage(r, "advisory.done.", msg, "created", "saved", "submitted", "returned", "published", "withdrawn")
	return s.render(w, r, status, "advisory", "advisory.title", d, msg...)
}

// parts renders an advisory's two parts with the shared partial
// templates/sharing_parts.html, which the alert, advisory and shared
// item pages all show.
func (s *Site) parts(r *http.Request, t sharing.Technical, e sharing.Executive) (template.HTML, error) {
	var b bytes.Buffer
	if err := s.pages["sharing_parts"].ExecuteTemplate(&b, "parts", advisoryParts{Technical: t, Executive: e, Lang: langOf(r)}); err != nil {
		return "", fmt.Errorf("web: render the parts of an advisory: %w", err)
	}
	// html/template escaped every value of the partial.
	return template.HTML(b.String()), nil
}

func (s *Site) advisory(w http.ResponseWriter, r *http.Request) error {
	return s.advisoryPage(w, r, http.StatusOK, acts{})
}

// advisoryStep runs act for the form named form of advisory {id} and
// shows the outcome: the page act names ("" for the advisory's page with
// the done message), or the advisory's page again with the form as typed
// and its error.
func (s *Site) advisoryStep(w http.ResponseWriter, r *http.Request, form, done string,
	act func(ctx context.Context, p *auth.Principal, id string) (string, error)) error {
	if err := parseForm(r); err != nil {
		return err
	}
	a := formActs(r, form)
	id := r.PathValue("id")
	next, err := act(r.Context(), principal(r), id)
	if err != nil {
		fail, ok := s.shFailed(w, r, err, nil)
		if !ok {
			return s.shPageError(w, r, err)
		}
		a.Err = fail.field
		return s.advisoryPage(w, r, fail.status, a, "", fail.msg)
	}
	if next == "" {
		next = "/advisories/" + id + "?done=" + done
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (s *Site) advisorySubmit(w http.ResponseWriter, r *http.Request) error {
	return s.advisoryStep(w, r, "submit", "submitted", func(ctx context.Context, p *auth.Principal, id string) (string, error) {
		_, err := s.cfg.Sharing.SubmitAdvisory(ctx, p, id)
		return "", err
	})
}

func (s *Site) advisoryReturn(w http.ResponseWriter, r *http.Request) error {
	return s.advisoryStep(w, r, "return", "returned", func(ctx context.Context, p *auth.Principal, id string) (string, error) {
		_, err := s.cfg.Sharing.ReturnAdvisory(ctx, p, id, trimmed(r, "comment"))
		return "", err
	})
}

func (s *Site) advisoryPublish(w http.ResponseWriter, r *http.Request) error {
	return s.advisoryStep(w, r, "publish", "published", func(ctx context.Context, p *auth.Principal, id string) (string, error) {
		_, err := s.cfg.Sharing.PublishAdvisory(ctx, p, id)
		return "", err
	})
}

func (s *Site) advisoryWithdraw(w http.ResponseWriter, r *http.Request) error {
	return s.advisoryStep(w, r, "withdraw", "withdrawn", func(ctx context.Context, p *auth.Principal, id string) (string, error) {
		_, err := s.cfg.Sharing.WithdrawAdvisory(ctx, p, id, trimmed(r, "reason"))
		return "", err
	})
}

func (s *Site) advisoryRevise(w http.ResponseWriter, r *http.Request) error {
	return s.advisoryStep(w, r, "revise", "", func(ctx context.Context, p *auth.Principal, id string) (string, error) {
		a, err := s.cfg.Sharing.ReviseAdvisory(ctx, p, id)
		return "/advisories/" + a.ID + "/edit?done=revised", err
	})
}
