package taxii

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/acd-platform/acd/internal/stix"
	"github.com/acd-platform/acd/internal/tlp"
)

// objectHead is the part of an object the server reads to store it. The
// object has passed stix.ParseObject before it is decoded into one.
type objectHead struct {
	Type              string   `json:"type"`
	ID                string   `json:"id"`
	SpecVersion       string   `json:"spec_version"`
	Created           string   `json:"created"`
	Modified          string   `json:"modified"`
	ObjectMarkingRefs []string `json:"object_marking_refs"`
	GranularMarkings  []struct {
		MarkingRef string `json:"marking_ref"`
	} `json:"granular_markings"`
}

// tlpOf returns the most restrictive TLP level that the object's marking
// references (object and granular) name, reading TLP 1.0 WHITE as CLEAR;
// ok is false when it references none.
func tlpOf(h *objectHead) (level tlp.Level, ok bool) {
	refs := slices.Clone(h.ObjectMarkingRefs)
	for _, g := range h.GranularMarkings {
		refs = append(refs, g.MarkingRef)
	}
	for _, ref := range refs {
		l, _, known := stix.TLPLevel(ref)
		if !known {
			continue // a statement or another marking: no bearing on who reads
		}
		if l == "white" {
			l = "clear"
		}
		if lv := tlp.Level(l); !ok || lv.Rank() > level.Rank() {
			level, ok = lv, true
		}
	}
	return level, ok
}

// defaultLevel is the level of an object posted without a TLP marking.
func defaultLevel(k kind) tlp.Level {
	switch k {
	case kindPublic:
		return tlp.Clear
	case kindGreen:
		return tlp.Green
	}
	return tlp.Amber
}

// postedMarking decides the marking of an object a member posts to a
// collection of kind k (of organisation collOrg) from its TLP marking:
// none means the collection's default; TLP:RED is refused (it names
// individuals, which STIX markings cannot); AMBER and AMBER+STRICT go to the
// posting organisation and the Cabinet Office (and, in an organisation's
// collection, that organisation).
func postedMarking(h *objectHead, k kind, collOrg, posterOrg string, cabinet []string) (tlp.Marking, error) {
	level, ok := tlpOf(h)
	if !ok {
		level = defaultLevel(k)
	}
	switch {
	case level == tlp.Red:
		return tlp.Marking{}, fmt.Errorf("TLP:RED is not accepted over TAXII: a RED item is for named individuals and is shared through ACD's sharing service")
	case k == kindPublic && level != tlp.Clear:
		return tlp.Marking{}, fmt.Errorf("the public collection holds TLP:CLEAR objects only, and this one is marked %s", level.Label())
	}
	m := tlp.Marking{Level: level}
	if level == tlp.Amber || level == tlp.AmberStrict {
		for _, o := range append(append([]string{posterOrg}, cabinet...), collOrg) {
			if o != "" && !slices.Contains(m.RecipientOrgs, o) {
				m.RecipientOrgs = append(m.RecipientOrgs, o)
			}
		}
	}
	return m, nil
}

// joinIDs stores a list of recipient ids as ",a,b," so that a LIKE on
// ",a," finds one exactly; "" for none.
func joinIDs(ids []string) string {
	if len(ids) == 0 {
		return ""
	}
	return "," + strings.Join(ids, ",") + ","
}

// splitIDs reads what joinIDs wrote.
func splitIDs(s string) []string {
	s = strings.Trim(s, ",")
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// checkRecipients refuses recipient ids that joinIDs could not store.
func checkRecipients(m tlp.Marking) error {
	for _, id := range append(slices.Clone(m.RecipientOrgs), m.RecipientUsers...) {
		if id == "" || strings.ContainsAny(id, ", \t\n") || len(id) > maxOrgID {
			return fmt.Errorf("recipient %s: want an organisation or user id without commas or spaces", quote(id))
		}
	}
	return nil
}

// likeEscape escapes s for a LIKE pattern with ESCAPE '\'.
func likeEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// grants is who may read a stored object version: the marking it was
// stored with, and one more for every other audience the sharing service
// published it to (the identity of the Cabinet Office, say, referenced by
// advisories for different recipients). A reader that any marking admits
// reads it.
type grants []tlp.Marking

// normal returns m with sorted recipient lists, so that equal markings
// compare equal.
func normal(m tlp.Marking) tlp.Marking {
	m.RecipientOrgs = slices.Sorted(slices.Values(m.RecipientOrgs))
	m.RecipientUsers = slices.Sorted(slices.Values(m.RecipientUsers))
	return m
}

// with returns g with m added, and whether m was not already in it.
func (g grants) with(m tlp.Marking) (grants, bool) {
	m = normal(m)
	for _, x := range g {
		x = normal(x)
		if x.Level == m.Level && x.Clearance == m.Clearance && slices.Equal(x.RecipientOrgs, m.RecipientOrgs) && slices.Equal(x.RecipientUsers, m.RecipientUsers) {
			return g, false
		}
	}
	return append(slices.Clone(g), m), true
}

// columns returns the stored form of g. One marking is stored as it is,
// with list empty. Several are stored as a JSON list, and the other
// columns summarise them for the query's first cut: the least restricted
// level, and every recipient organisation and user.
func (g grants) columns() (level, clearance, orgs, users, list string, err error) {
	if len(g) == 1 {
		m := g[0]
		return string(m.Level), m.Clearance, joinIDs(m.RecipientOrgs), joinIDs(m.RecipientUsers), "", nil
	}
	least := g[0].Level
	var os, us []string
	for _, m := range g {
		if m.Level.Rank() < least.Rank() {
			least = m.Level
		}
		for _, o := range m.RecipientOrgs {
			if !slices.Contains(os, o) {
				os = append(os, o)
			}
		}
		for _, u := range m.RecipientUsers {
			if !slices.Contains(us, u) {
				us = append(us, u)
			}
		}
	}
	b, err := json.Marshal(g)
	if err != nil {
		return "", "", "", "", "", fmt.Errorf("store markings: %w", err)
	}
	return string(least), "", joinIDs(os), joinIDs(us), string(b), nil
}

// grantsOf reads what columns wrote.
func grantsOf(level, clearance, orgs, users, list string) (grants, error) {
	if list == "" {
		return grants{{Level: tlp.Level(level), Clearance: clearance, RecipientOrgs: splitIDs(orgs), RecipientUsers: splitIDs(users)}}, nil
	}
	var g grants
	if err := json.Unmarshal([]byte(list), &g); err != nil || len(g) == 0 {
		return nil, fmt.Errorf("stored markings %q: %v", list, err)
	}
	return g, nil
}

// visible reports whether r may read an object with these grants, and the
// level it reads it under: CLEAR if any grant is CLEAR, else the first
// grant that admits r.
func (g grants) visible(s tlp.Scale, r tlp.Reader) (tlp.Level, bool) {
	var level tlp.Level
	ok := false
	for _, m := range g {
		if !s.Visible(m, r) {
			continue
		}
		if m.Level == tlp.Clear {
			return tlp.Clear, true
		}
		if !ok {
			level, ok = m.Level, true
		}
	}
	return level, ok
}
