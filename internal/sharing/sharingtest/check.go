package sharingtest

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/keys"
	"io"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/sharing"
	"github.com/acd-platform/acd/internal/stix"
)

// Feed is an Atom feed as CheckAtom reads it.
type Feed struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string   `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	ID      string   `xml:"http://www.w3.org/2005/Atom id"`
	Title   string   `xml:"http://www.w3.org/2005/Atom title"`
	Updated string   `xml:"http://www.w3.org/2005/Atom updated"`
	Authors []struct {
		Name string `xml:"http://www.w3.org/2005/Atom name"`
	} `xml:"http://www.w3.org/2005/Atom author"`
	Links []struct {
		Rel  string `xml:"rel,attr"`
		Href string `xml:"href,attr"`
	} `xml:"http://www.w3.org/2005/Atom link"`
	Entries []Entry `xml:"http://www.w3.org/2005/Atom entry"`
}

// Entry is an Atom entry as CheckAtom reads it.
type Entry struct {
	ID        string `xml:"http://www.w3.org/2005/Atom id"`
	Title     string `xml:"http://www.w3.org/2005/Atom title"`
	Updated   string `xml:"http://www.w3.org/2005/Atom updated"`
	Published string `xml:"http://www.w3.org/2005/Atom published"`
	Links     []struct {
		Rel  string `xml:"rel,attr"`
		Href string `xml:"href,attr"`
	} `xml:"http://www.w3.org/2005/Atom link"`
	Summary struct {
		Type string `xml:"type,attr"`
		Text string `xml:",chardata"`
	} `xml:"http://www.w3.org/2005/Atom summary"`
}

// CheckAtom checks b against the structure RFC 4287 requires of a feed
// and returns it: well-formed XML with an XML declaration, every element
// in the Atom namespace, the feed's id, title, updated and author, a
// self link, and in each entry exactly one id, title and updated, a link
// and a summary, with every date an RFC 3339 date-time. It fails t on
// any violation.
func CheckAtom(t testing.TB, b []byte) Feed {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("<?xml ")) {
		t.Errorf("atom: no XML declaration")
	}
	dec := xml.NewDecoder(bytes.NewReader(b))
	counts := map[string]int{} // child elements of the current entry
	depth, inEntry := 0, false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("atom: not well-formed XML: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			depth++
			if tok.Name.Space != sharing.AtomNS {
				t.Errorf("atom: element %s in namespace %q, want %q", tok.Name.Local, tok.Name.Space, sharing.AtomNS)
			}
			if depth == 2 && tok.Name.Local == "entry" {
				inEntry, counts = true, map[string]int{}
			}
			if depth == 3 && inEntry {
				counts[tok.Name.Local]++
			}
		case xml.EndElement:
			if depth == 2 && inEntry {
				for _, el := range []string{"id", "title", "updated", "summary"} {
					if counts[el] != 1 {
						t.Errorf("atom: an entry has %d %s elements, want 1", counts[el], el)
					}
				}
				if counts["link"] == 0 {
					t.Errorf("atom: an entry has no link")
				}
				inEntry = false
			}
			depth--
		}
	}
	var f Feed
	if err := xml.Unmarshal(b, &f); err != nil {
		t.Fatalf("atom: %v", err)
	}
	date := func(what, v string) {
		if _, err := time.Parse(time.RFC3339, v); err != nil {
			t.Errorf("atom: %s %q is not an RFC 3339 date-time", what, v)
		}
	}
	if f.ID == "" || f.Title == "" || len(f.Authors) == 0 || f.Authors[0].Name == "" {
		t.Errorf("atom: feed lacks id, title or author: %+v", f)
	}
	if f.Lang == "" {
		t.Errorf("atom: feed has no xml:lang")
	}
	date("feed updated", f.Updated)
	self := false
	for _, l := range f.Links {
		self = self || l.Rel == "self" && l.Href != ""
	}
	if !self {
		t.Errorf("atom: feed has no self link")
	}
	for i, en := range f.Entries {
		if en.ID == "" || en.Title == "" || len(en.Links) == 0 || en.Links[0].Href == "" || en.Summary.Type != "text" {
			t.Errorf("atom: entry %d incomplete: %+v", i, en)
		}
		date("entry updated", en.Updated)
		date("entry published", en.Published)
	}
	return f
}

// CheckObjects checks objects as a STIX bundle (stix.ParseBundle), and
// that every object but the marking-definition carries
// object_marking_refs. It returns the objects by type.
func CheckObjects(t testing.TB, objs []stix.Object) map[string][]stix.Object {
	t.Helper()
	b, err := json.Marshal(stix.NewBundle(objs...))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stix.ParseBundle(b); err != nil {
		t.Fatalf("stix: %v", err)
	}
	byType := map[string][]stix.Object{}
	for _, o := range objs {
		byType[o.ObjectType()] = append(byType[o.ObjectType()], o)
		if o.ObjectType() == "marking-definition" {
			continue
		}
		var m struct {
			Refs []string `json:"object_marking_refs"`
		}
		raw, _ := json.Marshal(o)
		json.Unmarshal(raw, &m)
		if len(m.Refs) != 1 {
			t.Errorf("stix: %s has object_marking_refs %v, want one TLP 2.0 marking", o.ObjectID(), m.Refs)
		}
	}
	return byType
}

// Inbox returns the notices user name reads, newest first.
func (e *Env) Inbox(t testing.TB, name string) []deadline.Message {
	t.Helper()
	u := e.Users[name]
	ms, err := e.Platform.Notifier.Inbox(e.Ctx, u.ID, u.OrgID)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// Entries returns the audit-log entries of action, oldest first.
func (e *Env) Entries(t testing.TB, action string) []auditlog.Record {
	t.Helper()
	var out []auditlog.Record
	for from := int64(0); ; {
		rs, err := e.Platform.Log.Entries(e.Ctx, from, 1000)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			if r.Action == action {
				out = append(out, r)
			}
		}
		if len(rs) < 1000 {
			return out
		}
		from += int64(len(rs))
	}
}

// Digests reports whether r's digest is that of payload: what the entry
// recorded.
func (e *Env) Digests(t testing.TB, r auditlog.Record, payload any) bool {
	t.Helper()
	k, err := e.Platform.Keys.ByID(keys.AuditHMAC, r.KeyID)
	if err != nil {
		t.Fatal(err)
	}
	d, err := auditlog.Digest(k, payload)
	if err != nil {
		t.Fatal(err)
	}
	return d == r.Digest
}
