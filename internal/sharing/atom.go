package sharing

import (
	"context"
	"fmt"

	"github.com/acd-platform/acd/internal/atom"
)

// AtomMediaType is the media type of the alerts feed.
const AtomMediaType = atom.MediaType

// AtomNS is the Atom 1.0 namespace (RFC 4287).
const AtomNS = atom.NS

// AtomFeed returns the public alerts as an Atom 1.0 feed (RFC 4287),
// newest first, at most limit entries (default 100): each entry's id is
// urn:acd:advisory:ID:REVISION, its summary the executive part, its link
// the alert's page /alerts/ID (under Config.BaseURL). The feed's updated
// time is its newest entry's.
func (s *Service) AtomFeed(ctx context.Context, n int) ([]byte, error) {
	alerts, err := s.PublicAlerts(ctx, n)
	if err != nil {
		return nil, err
	}
	base := s.cfg.BaseURL
	f := atom.Feed{Lang: "en", ID: "urn:acd:alerts", Title: "ACD public alerts",
		Subtitle: "Alerts of the Government of Japan under the Act on Active Cyber Defense for Critical Infrastructure (§41)",
		Updated:  atom.Time(identityCreated), Author: atom.Person{Name: Identity().Name},
		Links: []atom.Link{{Rel: "self", Type: "application/atom+xml", Href: base + "/alerts.atom"}, {Rel: "alternate", Type: "text/html", Href: base + "/alerts"}}}
	for i, a := range alerts {
		if i == 0 {
			f.Updated = atom.Time(a.PublishedAt)
		}
		f.Entries = append(f.Entries, atom.Entry{
			ID:        fmt.Sprintf("urn:acd:advisory:%s:%d", a.ID, a.Revision),
			Title:     atom.PlainText(a.Title),
			Updated:   atom.Time(a.PublishedAt),
			Published: atom.Time(a.PublishedAt),
			Link:      atom.Link{Rel: "alternate", Type: "text/html", Href: base + "/alerts/" + a.ID},
			Summary:   atom.PlainText(ExecutiveText(Advisory{Executive: a.Executive})),
		})
	}
	return atom.Encode(f)
}
