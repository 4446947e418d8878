package web

import (
	"html/template"
	"net/http"
	"slices"
	"strconv"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/sharing"
	"github.com/acd-platform/acd/internal/tlp"
)

// The items shared with the viewer: the published advisories they may
// read under their TLP and the clearance they require (the service
// decides each with tlp.Scale.Visible and audits every read of one that
// is not TLP:CLEAR), an item's page with both parts and its STIX bundle,
// and the form that forwards a TLP:AMBER item to another council member.

type sharedData struct {
	Rows      []advisoryRow
	TLP       string
	Withdrawn bool
	Levels    []tlpBadge
	Err       fieldErr
}

func (s *Site) sharedItems(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	d := sharedData{TLP: q.Get("tlp"), Withdrawn: q.Get("withdrawn") != "", Levels: tlpLevels}
	var f sharing.SharedFilter
	if d.TLP != "" {
		l, err := tlp.ParseLevel(d.TLP)
		if err != nil {
			d.Err = fieldErr{"tlp", strconv.Quote(d.TLP) + ": unknown TLP level"}
			return s.render(w, r, http.StatusBadRequest, "shared_items", "shared.title", d, "", s.t(r, "form.invalid"))
		}
		f.TLP, d.TLP = l, string(l)
	}
	f.Withdrawn = d.Withdrawn
	ss, err := s.cfg.Sharing.SharedItems(r.Context(), principal(r), f)
	if err != nil {
		return s.shPageError(w, r, err)
	}
	for _, x := range ss {
		d.Rows = append(d.Rows, advisoryRow{S: x, Badge: tlpBadge{x.TLP}})
	}
	return s.render(w, r, http.StatusOK, "shared_items", "shared.title", d)
}

type sharedItemData struct {
	N     names
	A     sharing.Advisory
	Badge tlpBadge
	Parts template.HTML
	// Manager: the viewer is a Cabinet Office analyst, who sees the
	// recipients and every forward; a member sees the forwards its own
	// organisation made or received.
	Manager  bool
	Forwards []sharing.Forward
	// Recipient: the viewer's organisation is a recipient organisation.
	Recipient bool
	// CanForward: the item is TLP:AMBER, the viewer's organisation a
	// recipient, and the viewer may forward; Orgs are where to.
	CanForward bool
	Orgs       []orgChoice
	Acts       acts
}

func (s *Site) sharedItemPage(w http.ResponseWriter, r *http.Request, status int, a acts, msg ...string) error {
	p := principal(r)
	it, err := s.cfg.Sharing.Shared(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return s.shPageError(w, r, err)
	}
	n, err := s.names(r)
	if err != nil {
		return err
	}
	d := sharedItemData{N: n, A: it, Badge: tlpBadge{it.Marking.Level}, Manager: isManager(p), Acts: a,
		Recipient: slices.Contains(it.Marking.RecipientOrgs, p.OrgID)}
	for _, f := range it.Forwards {
		if d.Manager || f.FromOrg == p.OrgID || f.ToOrg == p.OrgID {
			d.Forwards = append(d.Forwards, f)
		}
	}
	if d.Parts, err = s.parts(r, it.Technical, it.Executive); err != nil {
		return err
	}
	d.CanForward = it.Marking.Forwardable() && it.State == sharing.StatePublished && d.Recipient && s.cfg.Policy.Allow(p, auth.SharedForward)
	if d.CanForward {
		// A member may not list the council's members: the form offers
		// every organisation that may be one, and the service refuses an
		// organisation that is not a member now or already a recipient.
		if d.Orgs, err = s.orgChoices(r, n, func(o auth.Org) bool {
			return o.ID != p.OrgID && (sharing.AgencyKind(o.Kind) || sharing.Joinable(o.Kind))
		}); err != nil {
			return err
		}
	}
	msg = s.doneMessage(r, "shared.done.", msg, "forwarded")
	return s.render(w, r, status, "shared_item", "shared.item.title", d, msg...)
}

func (s *Site) sharedItem(w http.ResponseWriter, r *http.Request) error {
	return s.sharedItemPage(w, r, http.StatusOK, acts{})
}

// mediaTypeSTIX is the media type of a STIX 2.1 bundle.
const mediaTypeSTIX = "application/stix+json;version=2.1"

// sharedSTIX downloads a shared item's STIX 2.1 bundle, with its TLP 2.0
// markings; the read is audited as the item's page is.
func (s *Site) sharedSTIX(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	b, err := s.cfg.Sharing.SharedSTIX(r.Context(), principal(r), id)
	if err != nil {
		return s.shPageError(w, r, err)
	}
	w.Header().Set("Content-Type", mediaTypeSTIX)
	w.Header().Set("Content-Disposition", `attachment; filename="`+safeFileName(id)+`.stix.json"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(b)
	return err
}

// safeFileName keeps the letters, digits, '_' and '-' of an id, for a
// Content-Disposition file name.
func safeFileName(id string) string {
	b := []byte(id)
	out := b[:0]
	for _, c := range b {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return "item"
	}
	return string(out)
}

func (s *Site) sharedForward(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	a := formActs(r, "forward")
	id := r.PathValue("id")
	_, err := s.cfg.Sharing.Forward(r.Context(), principal(r), id, sharing.ForwardInput{OrgID: trimmed(r, "org_id"), Reason: trimmed(r, "reason")})
	if err != nil {
		fail, ok := s.shFailed(w, r, err, nil)
		if !ok {
			return s.shPageError(w, r, err)
		}
		a.Err = fail.field
		return s.sharedItemPage(w, r, fail.status, a, "", fail.msg)
	}
	http.Redirect(w, r, "/shared/"+id+"?done=forwarded", http.StatusSeeOther)
	return nil
}
