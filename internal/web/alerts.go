package web

import (
	"html/template"
	"net/http"

	"github.com/acd-platform/acd/internal/sharing"
	"github.com/acd-platform/acd/internal/tlp"
)

// The public alerts (§41, one voice): the published TLP:CLEAR advisories,
// which anyone reads without logging in. The list links to the Atom feed
// that the sharing API serves at /alerts.atom.

// maxAlerts is how many alerts the list shows, newest first.
const maxAlerts = 100

type alertsData struct {
	Alerts []sharing.Alert
	Badge  tlpBadge
}

// Short is the start of an alert's background, for the list.
func (alertsData) Short(s string) string { return shortText(s, 240) }

func (s *Site) alerts(w http.ResponseWriter, r *http.Request) error {
	as, err := s.cfg.Sharing.PublicAlerts(r.Context(), maxAlerts)
	if err != nil {
		return s.shPageError(w, r, err)
	}
	return s.render(w, r, http.StatusOK, "alerts", "alerts.title", alertsData{Alerts: as, Badge: tlpBadge{tlp.Clear}})
}

type alertData struct {
	A     sharing.Alert
	Badge tlpBadge
	// Parts are the advisory's two parts, rendered.
	Parts template.HTML
}

func (s *Site) alert(w http.ResponseWriter, r *http.Request) error {
	a, err := s.cfg.Sharing.PublicAlert(r.Context(), r.PathValue("id"))
	if err != nil {
		return s.shPageError(w, r, err)
	}
	parts, err := s.parts(r, a.Technical, a.Executive)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "alert", "alert.title", alertData{A: a, Badge: tlpBadge{tlp.Clear}, Parts: parts})
}

// advisoryParts are an advisory's technical and executive parts, which the
// alert, advisory and shared item pages show alike
// (templates/sharing_parts.html).
type advisoryParts struct {
	Technical sharing.Technical
	Executive sharing.Executive
	Lang      Lang
}

// AttackURL is the MITRE ATT&CK page of a technique id ("T1059.001" →
// …/techniques/T1059/001/).
func (advisoryParts) AttackURL(id string) string { return attackURL(id) }
