package atom_test

import (
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/atom"
)

func TestEncode(t *testing.T) {
	f := atom.Feed{Lang: "en", ID: "urn:x", Title: "T <&>", Updated: atom.Time(time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("JST", 9*3600))),
		Author: atom.Person{Name: "A"}, Links: []atom.Link{{Rel: "self", Href: "/f.atom"}},
		Entries: []atom.Entry{{ID: "urn:x:1", Title: atom.PlainText("e"), Summary: atom.PlainText("s & t")}}}
	out, err := atom.Encode(f)
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	for _, want := range []string{xml.Header, `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">`, "<title>T &lt;&amp;&gt;</title>",
		"<updated>2026-01-01T18:04:05Z</updated>", `<summary type="text">s &amp; t</summary>`} {
		if !strings.Contains(s, want) {
			t.Errorf("feed lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "<subtitle>") {
		t.Errorf("empty subtitle written:\n%s", s)
	}
	var back atom.Feed
	if err := xml.Unmarshal(out, &back); err != nil || len(back.Entries) != 1 || back.Entries[0].Summary.Text != "s & t" {
		t.Errorf("round trip: %+v, %v", back, err)
	}
}
