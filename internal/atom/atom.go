// Package atom writes Atom 1.0 feeds (RFC 4287): ACD's public alerts and
// the catalogue of vulnerabilities exploited in Japan are both offered as
// feeds that readers and other systems poll.
package atom

import (
	"encoding/xml"
	"fmt"
	"time"
)

// MediaType is the media type of a feed.
const MediaType = "application/atom+xml; charset=utf-8"

// NS is the Atom 1.0 namespace.
const NS = "http://www.w3.org/2005/Atom"

// Feed is a feed (RFC 4287 §4.1.1). Subtitle may be empty.
type Feed struct {
	XMLName  xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	Lang     string   `xml:"xml:lang,attr"`
	ID       string   `xml:"id"`
	Title    string   `xml:"title"`
	Subtitle string   `xml:"subtitle,omitempty"`
	Updated  string   `xml:"updated"`
	Author   Person   `xml:"author"`
	Links    []Link   `xml:"link"`
	Entries  []Entry  `xml:"entry"`
}

// Person is an author (§3.2).
type Person struct {
	Name string `xml:"name"`
}

// Link is a link (§4.2.7).
type Link struct {
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

// Text is a text construct (§3.1); ACD writes Type "text".
type Text struct {
	Type string `xml:"type,attr"`
	Text string `xml:",chardata"`
}

// Entry is an entry (§4.1.2).
type Entry struct {
	ID        string `xml:"id"`
	Title     Text   `xml:"title"`
	Updated   string `xml:"updated"`
	Published string `xml:"published"`
	Link      Link   `xml:"link"`
	Summary   Text   `xml:"summary"`
}

// PlainText is a text construct of type "text".
func PlainText(s string) Text { return Text{Type: "text", Text: s} }

// Time writes t as an RFC 3339 date-time in UTC (§3.3).
func Time(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// Encode writes f as an XML document, indented.
func Encode(f Feed) ([]byte, error) {
	out, err := xml.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode feed %s: %w", f.ID, err)
	}
	return append([]byte(xml.Header), append(out, '\n')...), nil
}
