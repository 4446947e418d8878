package taxii

import (
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
