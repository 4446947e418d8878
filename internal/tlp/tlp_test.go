package tlp_test

import (
	"fmt"
	"testing"

	"github.com/acd-platform/acd/internal/tlp"
)

// TestVisible is the council's table: item (TLP, clearance, recipients) ×
// reader (organisation, membership, clearance) → visible or not.
func TestVisible(t *testing.T) {
	s, err := tlp.NewScale(nil)
	if err != nil {
		t.Fatal(err)
	}
	var (
		public    = tlp.Public
		member    = tlp.Reader{UserID: "u1", OrgID: "o1", Council: true}
		memberSec = tlp.Reader{UserID: "u1", OrgID: "o1", Council: true, Clearance: "secret"}
		memberCon = tlp.Reader{UserID: "u1", OrgID: "o1", Council: true, Clearance: "confidential"}
		colleague = tlp.Reader{UserID: "u2", OrgID: "o1", Council: true, Clearance: "secret"}
		outsider  = tlp.Reader{UserID: "u3", OrgID: "o2", Council: true, Clearance: "secret"}
		nonMember = tlp.Reader{UserID: "u4", OrgID: "o1", Council: false, Clearance: "secret"}
		unknownCl = tlp.Reader{UserID: "u1", OrgID: "o1", Council: true, Clearance: "cosmic"}
	)
	clear := tlp.Marking{Level: tlp.Clear}
	green := tlp.Marking{Level: tlp.Green}
	greenSec := tlp.Marking{Level: tlp.Green, Clearance: "secret"}
	amber := tlp.Marking{Level: tlp.Amber, RecipientOrgs: []string{"o1"}}
	amberCon := tlp.Marking{Level: tlp.Amber, Clearance: "confidential", RecipientOrgs: []string{"o1"}}
	strict := tlp.Marking{Level: tlp.AmberStrict, RecipientOrgs: []string{"o1"}}
	red := tlp.Marking{Level: tlp.Red, RecipientUsers: []string{"u1"}}
	redSec := tlp.Marking{Level: tlp.Red, Clearance: "secret", RecipientUsers: []string{"u1"}}
	for _, tc := range []struct {
		item   tlp.Marking
		reader tlp.Reader
		name   string
		want   bool
	}{
		{clear, public, "clear/public", true},
		{clear, nonMember, "clear/non-member", true},
		{green, public, "green/public", false},
		{green, nonMember, "green/non-member", false},
		{green, member, "green/member", true},
		{green, outsider, "green/other member", true},
		{greenSec, memberCon, "green secret/confidential", false},
		{greenSec, memberSec, "green secret/secret", true},
		{amber, member, "amber/recipient org", true},
		{amber, colleague, "amber/colleague in recipient org", true},
		{amber, outsider, "amber/other member", false},
		{amber, public, "amber/public", false},
		{amber, nonMember, "amber/recipient org left the council", false},
		{amberCon, member, "amber confidential/none", false},
		{amberCon, memberCon, "amber confidential/confidential", true},
		{amberCon, memberSec, "amber confidential/secret", true},
		{strict, member, "amber+strict/recipient org", true},
		{strict, outsider, "amber+strict/other member", false},
		{red, member, "red/named", true},
		{red, colleague, "red/colleague of the named", false},
		{red, outsider, "red/other member", false},
		{redSec, memberSec, "red secret/named with secret", true},
		{redSec, memberCon, "red secret/named with confidential", false},
		{green, unknownCl, "green/unknown clearance", false},
		{tlp.Marking{Level: "white"}, member, "unknown level", false},
		{tlp.Marking{Level: tlp.Green, Clearance: "cosmic"}, memberSec, "unknown item clearance", false},
	} {
		if got := s.Visible(tc.item, tc.reader); got != tc.want {
			t.Errorf("%s: Visible = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestValidate(t *testing.T) {
	s, _ := tlp.NewScale([]string{"none", "restricted", "top"})
	for _, tc := range []struct {
		m    tlp.Marking
		want string // "" for valid
	}{
		{tlp.Marking{Level: tlp.Clear}, ""},
		{tlp.Marking{Level: tlp.Clear, Clearance: "top"}, `clearance "top": a TLP:CLEAR item is public and requires none`},
		{tlp.Marking{Level: tlp.Green, Clearance: "restricted"}, ""},
		{tlp.Marking{Level: tlp.Green, Clearance: "secret"}, `clearance "secret": want one of none, restricted, top`},
		{tlp.Marking{Level: tlp.Green, RecipientOrgs: []string{"o"}}, "recipient_orgs: only TLP:AMBER and TLP:AMBER+STRICT name recipient organisations, not TLP:GREEN"},
		{tlp.Marking{Level: tlp.Amber}, "recipient_orgs: TLP:AMBER needs at least one recipient organisation"},
		{tlp.Marking{Level: tlp.AmberStrict, RecipientOrgs: []string{"o"}}, ""},
		{tlp.Marking{Level: tlp.AmberStrict, RecipientOrgs: []string{"o"}, RecipientUsers: []string{"u"}}, "recipient_users: only TLP:RED names individual recipients, not TLP:AMBER+STRICT"},
		{tlp.Marking{Level: tlp.Red}, "recipient_users: TLP:RED needs at least one named recipient"},
		{tlp.Marking{Level: tlp.Red, RecipientUsers: []string{"u"}}, ""},
		{tlp.Marking{Level: "white"}, `tlp: "white": want one of clear, green, amber, amber+strict, red`},
	} {
		got := ""
		if err := s.Validate(tc.m); err != nil {
			got = err.Error()
		}
		if got != tc.want {
			t.Errorf("Validate(%+v) = %q, want %q", tc.m, got, tc.want)
		}
	}
}

func TestParseLevel(t *testing.T) {
	for in, want := range map[string]tlp.Level{"TLP:CLEAR": tlp.Clear, "green": tlp.Green, " Amber+Strict ": tlp.AmberStrict, "tlp:red": tlp.Red} {
		if got, err := tlp.ParseLevel(in); err != nil || got != want {
			t.Errorf("ParseLevel(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "white", "TLP:AMBER-STRICT", "amber strict"} {
		if _, err := tlp.ParseLevel(in); err == nil {
			t.Errorf("ParseLevel(%q) accepted", in)
		}
	}
	if got := tlp.AmberStrict.Label(); got != "TLP:AMBER+STRICT" {
		t.Errorf("Label = %q", got)
	}
}

func TestNewScale(t *testing.T) {
	for _, bad := range [][]string{{"none", "none"}, {"none", ""}, {"None"}, {"top secret"}} {
		if _, err := tlp.NewScale(bad); err == nil {
			t.Errorf("NewScale(%q) accepted", bad)
		}
	}
	s, err := tlp.NewScale([]string{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprintln(s.Rank(""), s.Rank("a"), s.Rank("b"), s.Rank("c"), s.Lowest()); got != "0 0 1 -1 a\n" {
		t.Errorf("ranks = %s, want 0 0 1 -1 a", got)
	}
	var zero tlp.Scale
	if got := zero.Levels(); fmt.Sprint(got) != fmt.Sprint(tlp.DefaultScale) {
		t.Errorf("zero scale levels = %v, want the default", got)
	}
}
