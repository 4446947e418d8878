package sharing

import (
	"context"
	"encoding/xml"
	"fmt"
	"time"
)

// AtomMediaType is the media type of the alerts feed.
const AtomMediaType = "application/atom+xml; charset=utf-8"

// AtomNS is the Atom 1.0 namespace (RFC 4287).
const AtomNS = "http://www.w3.org/2005/Atom"

// The feed's elements (RFC 4287 §4.1).
type atomFeed struct {
	XMLName  xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang     string      `xml:"xml:lang,attr"`
	ID       string      `xml:"id"`
	Title    string      `xml:"title"`
	Subtitle string      `xml:"subtitle"`
	Updated  string      `xml:"updated"`
	Author   atomPerson  `xml:"author"`
	Links    []atomLink  `xml:"link"`
	Entries  []atomEntry `xml:"entry"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Text string `xml:",chardata"`
}

type atomEntry struct {
	ID        string   `xml:"id"`
	Title     atomText `xml:"title"`
	Updated   string   `xml:"updated"`
	Published string   `xml:"published"`
	Link      atomLink `xml:"link"`
	Summary   atomText `xml:"summary"`
}

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
	f := atomFeed{Lang: "en", ID: "urn:acd:alerts", Title: "ACD public alerts",
		Subtitle: "Alerts of the Government of Japan under the Act on Active Cyber Defense for Critical Infrastructure (§41)",
		Updated:  atomTime(identityCreated), Author: atomPerson{Name: Identity().Name},
		Links: []atomLink{{Rel: "self", Type: "application/atom+xml", Href: base + "/alerts.atom"}, {Rel: "alternate", Type: "text/html", Href: base + "/alerts"}}}
	for i, a := range alerts {
		if i == 0 {
			f.Updated = atomTime(a.PublishedAt)
		}
		f.Entries = append(f.Entries, atomEntry{
			ID:        fmt.Sprintf("urn:acd:advisory:%s:%d", a.ID, a.Revision),
			Title:     atomText{Type: "text", Text: a.Title},
			Updated:   atomTime(a.PublishedAt),
			Published: atomTime(a.PublishedAt),
			Link:      atomLink{Rel: "alternate", Type: "text/html", Href: base + "/alerts/" + a.ID},
			Summary:   atomText{Type: "text", Text: ExecutiveText(Advisory{Executive: a.Executive})},
		})
	}
	out, err := xml.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode alerts feed: %w", err)
	}
	return append([]byte(xml.Header), append(out, '\n')...), nil
}

// atomTime writes t as an RFC 3339 date-time in UTC (RFC 4287 §3.3).
func atomTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }
