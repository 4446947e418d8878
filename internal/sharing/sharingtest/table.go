package sharingtest

import (
	"slices"
	"strings"
	"testing"

	"github.com/acd-platform/acd/internal/sharing"
	"github.com/acd-platform/acd/internal/tlp"
)

// Readers are the readers of the visibility table, by user name ("public"
// is nobody logged in):
//
//	public    no account
//	author    Cabinet Office analyst, secret; wrote every item
//	reviewer  Cabinet Office analyst, secret; published every item
//	analyst3  Cabinet Office analyst, no clearance
//	police    police (an agency: member by kind), no clearance
//	meti      ministry (member by kind), no clearance
//	opr       Kanto Power (operator, consented; the AMBER recipient), none
//	oprc      Kanto Power, confidential
//	oprs      Kanto Power, secret
//	oprx      Kanto Power, confidential revoked after publication
//	opn       Kyushu Power (operator, consented; in group G), none
//	opu       Chuo Railway (operator that never consented), none
//	vendor    Secure Systems (vendor, consented; in group G), none
//	opw       Tokai Gas (operator; an AMBER recipient that withdrew), none
//	ags       Digital Agency (agency; an AMBER recipient, suspended), none
//	comm      the commission (never a member), none
var Readers = []string{"public", "author", "reviewer", "analyst3", "police", "meti", "opr", "oprc", "oprs", "oprx",
	"opn", "opu", "vendor", "opw", "ags", "comm"}

// Item is a row of the visibility table: an item's level, required
// clearance and recipients, and the readers that see it.
type Item struct {
	Name      string
	Level     tlp.Level
	Clearance string
	// Orgs and Groups (by Env key), Users (by name) are the recipients.
	Orgs, Groups, Users []string
	// See lists the readers that see the item; "all" means every reader.
	See string
}

// Items is the visibility table: every TLP level, every clearance, and
// recipients named as organisations, a group and individuals.
var Items = []Item{
	{Name: "clear", Level: tlp.Clear, See: "all"},
	{Name: "green", Level: tlp.Green, See: "author reviewer analyst3 police meti opr oprc oprs oprx opn vendor"},
	{Name: "green-confidential", Level: tlp.Green, Clearance: "confidential", See: "author reviewer oprc oprs"},
	{Name: "green-secret", Level: tlp.Green, Clearance: "secret", See: "author reviewer oprs"},
	// AMBER to Kanto Power, Tokai Gas (withdraws) and the Digital Agency
	// (suspended); the Cabinet Office, the source, is added.
	{Name: "amber", Level: tlp.Amber, Orgs: []string{"opr", "opw", "ags"}, See: "author reviewer analyst3 opr oprc oprs oprx"},
	{Name: "amber-secret", Level: tlp.Amber, Clearance: "secret", Orgs: []string{"opr"}, See: "author reviewer oprs"},
	// AMBER to group G: Kyushu Power and the vendor.
	{Name: "amber-group", Level: tlp.Amber, Groups: []string{"G"}, See: "author reviewer analyst3 opn vendor"},
	{Name: "amber+strict", Level: tlp.AmberStrict, Orgs: []string{"opr"}, See: "author reviewer analyst3 opr oprc oprs oprx"},
	{Name: "amber+strict-confidential", Level: tlp.AmberStrict, Clearance: "confidential", Orgs: []string{"opr"}, See: "author reviewer oprc oprs"},
	// RED to two individuals of Kanto Power, not to their colleagues.
	{Name: "red", Level: tlp.Red, Users: []string{"oprs", "opr"}, See: "author reviewer opr oprs"},
	{Name: "red-secret", Level: tlp.Red, Clearance: "secret", Users: []string{"oprs"}, See: "author reviewer oprs"},
	// RED to oprx, whose clearance is revoked after publication.
	{Name: "red-revoked", Level: tlp.Red, Clearance: "confidential", Users: []string{"oprx"}, See: "author reviewer"},
}

// Case is one cell of the visibility table.
type Case struct {
	Item   string
	ID     string // the advisory's id
	Level  tlp.Level
	Reader string
	Want   bool
}

// Table publishes every Item in e (after creating group G), then changes
// the council under them — Tokai Gas withdraws, the Digital Agency is
// suspended, oprx's clearance is revoked — and returns every (item,
// reader) cell with whether the reader must see the item.
func Table(t testing.TB, e *Env) []Case {
	t.Helper()
	g, err := e.Svc.CreateGroup(e.Ctx, e.P("author"), sharing.GroupInput{Name: "G", Visible: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, org := range []string{"opn", "ven"} {
		if _, err := e.Svc.AddGroupMember(e.Ctx, e.P("author"), g.ID, e.Orgs[org].ID); err != nil {
			t.Fatal(err)
		}
	}
	ids := map[string]string{}
	for _, it := range Items {
		in := Input("Item "+it.Name, it.Level, it.Clearance)
		for _, o := range it.Orgs {
			in.Recipients.Orgs = append(in.Recipients.Orgs, e.Orgs[o].ID)
		}
		for range it.Groups {
			in.Recipients.Groups = append(in.Recipients.Groups, g.ID)
		}
		for _, u := range it.Users {
			in.Recipients.Users = append(in.Recipients.Users, e.Users[u].ID)
		}
		ids[it.Name] = e.Publish(t, in, "author", "reviewer").ID
	}
	if _, err := e.Svc.Withdraw(e.Ctx, e.P("opw"), "leaving"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Svc.Suspend(e.Ctx, e.P("author"), e.Orgs["ags"].ID, "breach of the duty of secrecy under investigation"); err != nil {
		t.Fatal(err)
	}
	if err := e.Svc.RevokeClearance(e.Ctx, e.P("reviewer"), e.Users["oprx"].ID, "left the SOC"); err != nil {
		t.Fatal(err)
	}
	var out []Case
	for _, it := range Items {
		see := strings.Fields(it.See)
		for _, r := range Readers {
			out = append(out, Case{Item: it.Name, ID: ids[it.Name], Level: it.Level, Reader: r, Want: it.See == "all" || slices.Contains(see, r)})
		}
	}
	return out
}
