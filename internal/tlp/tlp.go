package tlp

import (
	"fmt"
	"slices"
	"strings"
)

// Level is a TLP 2.0 level, in the lower-case form STIX's TLP 2.0
// extension uses.
type Level string

// The TLP 2.0 levels.
const (
	Clear       Level = "clear"
	Green       Level = "green"
	Amber       Level = "amber"
	AmberStrict Level = "amber+strict"
	Red         Level = "red"
)

// Levels lists the levels from the least to the most restricted.
var Levels = []Level{Clear, Green, Amber, AmberStrict, Red}

// ParseLevel reads a level: "clear", "TLP:CLEAR", "amber+strict", … (case
// does not matter).
func ParseLevel(s string) (Level, error) {
	l := Level(strings.TrimPrefix(strings.ToLower(strings.TrimSpace(s)), "tlp:"))
	if !slices.Contains(Levels, l) {
		return "", fmt.Errorf("TLP level %q: want one of clear, green, amber, amber+strict, red", s)
	}
	return l, nil
}

// Label is the level as TLP 2.0 writes it: "TLP:AMBER+STRICT".
func (l Level) Label() string { return "TLP:" + strings.ToUpper(string(l)) }

// Rank orders the levels: 0 for CLEAR up to 4 for RED, -1 for an unknown
// level.
func (l Level) Rank() int { return slices.Index(Levels, l) }

// DefaultScale is the clearance scale when none is configured.
var DefaultScale = []string{"none", "confidential", "secret"}

// Scale orders the clearance levels from the lowest, which every account
// holds without a grant, to the highest.
type Scale struct{ levels []string }

// NewScale returns the scale of levels, lowest first; nil or empty means
// DefaultScale. Levels must be distinct, non-empty, lower-case words.
func NewScale(levels []string) (Scale, error) {
	if len(levels) == 0 {
		levels = DefaultScale
	}
	for i, l := range levels {
		if l == "" || strings.ToLower(l) != l || strings.ContainsAny(l, " ,\t\n") {
			return Scale{}, fmt.Errorf("clearance scale: level %d %q: want a non-empty lower-case word", i, l)
		}
		if slices.Index(levels, l) != i {
			return Scale{}, fmt.Errorf("clearance scale: level %q appears twice", l)
		}
	}
	return Scale{levels: slices.Clone(levels)}, nil
}

// Levels returns the scale's levels, lowest first.
func (s Scale) Levels() []string { return slices.Clone(s.scale()) }

// Lowest is the level every account holds.
func (s Scale) Lowest() string { return s.scale()[0] }

// Rank returns the position of level on the scale, 0 for the lowest (and
// for ""), or -1 if the scale does not have it.
func (s Scale) Rank(level string) int {
	if level == "" {
		return 0
	}
	return slices.Index(s.scale(), level)
}

// Check returns an error naming the scale unless level is on it.
func (s Scale) Check(level string) error {
	if s.Rank(level) < 0 {
		return fmt.Errorf("clearance %q: want one of %s", level, strings.Join(s.scale(), ", "))
	}
	return nil
}

func (s Scale) scale() []string {
	if len(s.levels) == 0 {
		return DefaultScale
	}
	return s.levels
}

// Marking is how an item is shared: its TLP level, the clearance its reader
// must hold, and its named recipients.
type Marking struct {
	Level Level `json:"tlp"`
	// Clearance is the lowest clearance a reader must hold; "" is the
	// scale's lowest.
	Clearance string `json:"clearance,omitempty"`
	// RecipientOrgs are the organisations an AMBER or AMBER+STRICT item
	// is for.
	RecipientOrgs []string `json:"recipient_orgs,omitempty"`
	// RecipientUsers are the individuals a RED item is for.
	RecipientUsers []string `json:"recipient_users,omitempty"`
}

// Validate checks m against the scale: a known level and clearance,
// recipient organisations on AMBER and AMBER+STRICT (and only there),
// recipient individuals on RED (and only there). A CLEAR item requires no
// clearance: it is public.
func (s Scale) Validate(m Marking) error {
	if m.Level.Rank() < 0 {
		return fmt.Errorf("tlp: %q: want one of clear, green, amber, amber+strict, red", m.Level)
	}
	if err := s.Check(m.Clearance); err != nil {
		return err
	}
	amber := m.Level == Amber || m.Level == AmberStrict
	switch {
	case m.Level == Clear && s.Rank(m.Clearance) > 0:
		return fmt.Errorf("clearance %q: a TLP:CLEAR item is public and requires none", m.Clearance)
	case amber && len(m.RecipientOrgs) == 0:
		return fmt.Errorf("recipient_orgs: %s needs at least one recipient organisation", m.Level.Label())
	case !amber && len(m.RecipientOrgs) > 0:
		return fmt.Errorf("recipient_orgs: only TLP:AMBER and TLP:AMBER+STRICT name recipient organisations, not %s", m.Level.Label())
	case m.Level == Red && len(m.RecipientUsers) == 0:
		return fmt.Errorf("recipient_users: TLP:RED needs at least one named recipient")
	case m.Level != Red && len(m.RecipientUsers) > 0:
		return fmt.Errorf("recipient_users: only TLP:RED names individual recipients, not %s", m.Level.Label())
	}
	return nil
}

// Forwardable reports whether a recipient may pass the item on to another
// council member organisation: only AMBER allows it (TLP 2.0: "with its
// clients on a need-to-know basis"); GREEN is already council-wide.
func (m Marking) Forwardable() bool { return m.Level == Amber }

// Reader is who is reading, as the decision needs it.
type Reader struct {
	// UserID and OrgID are the reader's account and organisation; both
	// empty for the public.
	UserID, OrgID string
	// Council is whether the reader's organisation is a council member
	// now (an agency, or an operator or vendor that consented).
	Council bool
	// Clearance is the reader's clearance level; "" is the lowest.
	Clearance string
}

// Public is the reader without an account.
var Public = Reader{}

// Visible reports whether r may read an item marked m. Anything the scale
// does not know (a level, a clearance) is not visible.
func (s Scale) Visible(m Marking, r Reader) bool {
	need, have := s.Rank(m.Clearance), s.Rank(r.Clearance)
	if need < 0 || have < 0 || have < need {
		return false
	}
	switch m.Level {
	case Clear:
		return true
	case Green:
		return r.Council && r.OrgID != ""
	case Amber, AmberStrict:
		return r.Council && r.OrgID != "" && slices.Contains(m.RecipientOrgs, r.OrgID)
	case Red:
		return r.Council && r.UserID != "" && slices.Contains(m.RecipientUsers, r.UserID)
	}
	return false
}
