package web_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/acd-platform/acd/internal/sharing"
	"github.com/acd-platform/acd/internal/sharing/sharingtest"
	"github.com/acd-platform/acd/internal/tlp"
)

// table publishes every item of sharingtest's visibility table in w
// through the service (after creating group G of Kyushu Power and the
// vendor), then changes the council under them as sharingtest.Table does
// — Tokai Gas withdraws, the Digital Agency is suspended, oprx's
// clearance is revoked — and returns every (item, reader) cell with
// whether the reader must see the item.
func (w *shWorld) table(t *testing.T) []sharingtest.Case {
	t.Helper()
	svc, ctx := w.s.srv.Sharing, w.s.ctx
	g, err := svc.CreateGroup(ctx, w.p("author"), sharing.GroupInput{Name: "G", Visible: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, org := range []string{"opn", "ven"} {
		if _, err := svc.AddGroupMember(ctx, w.p("author"), g.ID, w.orgs[org].ID); err != nil {
			t.Fatal(err)
		}
	}
	ids := map[string]string{}
	for _, it := range sharingtest.Items {
		in := sharingtest.Input("Item "+it.Name, it.Level, it.Clearance)
		for _, o := range it.Orgs {
			in.Recipients.Orgs = append(in.Recipients.Orgs, w.orgs[o].ID)
		}
		for range it.Groups {
			in.Recipients.Groups = append(in.Recipients.Groups, g.ID)
		}
		for _, u := range it.Users {
			in.Recipients.Users = append(in.Recipients.Users, w.users[u].ID)
		}
		a, err := svc.CreateAdvisory(ctx, w.p("author"), in)
		if err != nil {
			t.Fatalf("create %s: %v", it.Name, err)
		}
		if _, err := svc.SubmitAdvisory(ctx, w.p("author"), a.ID); err != nil {
			t.Fatalf("submit %s: %v", it.Name, err)
		}
		if _, err := svc.PublishAdvisory(ctx, w.p("reviewer"), a.ID); err != nil {
			t.Fatalf("publish %s: %v", it.Name, err)
		}
		ids[it.Name] = a.ID
	}
	if _, err := svc.Withdraw(ctx, w.p("opw"), "leaving"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Suspend(ctx, w.p("author"), w.orgs["ags"].ID, "breach of the duty of secrecy under investigation"); err != nil {
		t.Fatal(err)
	}
	if err := svc.RevokeClearance(ctx, w.p("reviewer"), w.users["oprx"].ID, "left the SOC"); err != nil {
		t.Fatal(err)
	}
	var out []sharingtest.Case
	for _, it := range sharingtest.Items {
		see := strings.Fields(it.See)
		for _, r := range sharingtest.Readers {
			out = append(out, sharingtest.Case{Item: it.Name, ID: ids[it.Name], Level: it.Level, Reader: r, Want: it.See == "all" || slices.Contains(see, r)})
		}
	}
	return out
}

// TestSharedVisibilityPages takes the TLP/clearance visibility table
// (sharingtest.Items × sharingtest.Readers: every level, every clearance,
// recipients named as organisations, a group and individuals, readers of
// an agency, a consenting operator and vendor, a never-member operator, a
// withdrawn operator, a suspended agency, the commission and a revoked
// clearance) through the pages: an item the reader may see is listed on
// /shared with its TLP badge and its page answers 200; any other is not
// listed and answers 404, as an id that does not exist does. The public
// reads through /alerts, and /shared sends it to the login page.
func TestSharedVisibilityPages(t *testing.T) {
	_, w := newShSite(t)
	cases := w.table(t)
	byReader := map[string][]sharingtest.Case{}
	for _, c := range cases {
		byReader[c.Reader] = append(byReader[c.Reader], c)
	}
	for _, reader := range sharingtest.Readers {
		t.Run(reader, func(t *testing.T) {
			c := w.as(t, reader)
			list, item := "/shared", "/shared/"
			if reader == "public" {
				list, item = "/alerts", "/alerts/"
				if r := c.get("/shared"); r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/login") {
					t.Errorf("GET /shared as the public: status %d, Location %q; want 303 to the login page", r.status, r.header.Get("Location"))
				}
			}
			page := c.get(list)
			wantStatus(t, "GET "+list, page, http.StatusOK)
			listed := linkedIDs(t, page.body, item)
			for _, cell := range byReader[reader] {
				if got := slices.Contains(listed, cell.ID); got != cell.Want {
					t.Errorf("%s lists %s (%s): got %v, want %v", list, cell.Item, cell.Level.Label(), got, cell.Want)
				}
				want := http.StatusNotFound
				if cell.Want {
					want = http.StatusOK
				}
				r := c.get(item + cell.ID)
				if r.status != want {
					t.Errorf("GET %s%s (%s): status %d, want %d", item, cell.Item, cell.Level.Label(), r.status, want)
				}
				if cell.Want && reader != "public" && !strings.Contains(r.body, `class="tlp tlp-`+strings.ReplaceAll(string(cell.Level), "+", "-")+`"`) {
					t.Errorf("the page of %s lacks its %s badge", cell.Item, cell.Level.Label())
				}
			}
			if r := c.get(item + "adv_doesnotexist"); r.status != http.StatusNotFound {
				t.Errorf("GET %sadv_doesnotexist: status %d, want 404", item, r.status)
			}
		})
	}

	// The badges are coloured by level in the list too: the author sees
	// every item, each with its level's class.
	page := w.as(t, "author").get("/shared")
	for _, cell := range cases {
		if cell.Reader != "author" {
			continue
		}
		row := findID(t, page.body, "item-"+cell.ID)
		var class string
		for _, sp := range elements(row, "span") {
			if c, _ := attr(sp, "class"); strings.HasPrefix(c, "tlp ") {
				class = c
			}
		}
		if want := "tlp tlp-" + strings.ReplaceAll(string(cell.Level), "+", "-"); class != want {
			t.Errorf("the row of %s has badge class %q, want %q", cell.Item, class, want)
		}
	}
	// The filter by level lists only that level.
	amber := linkedIDs(t, w.as(t, "author").get("/shared?tlp=TLP:AMBER").body, "/shared/")
	for _, cell := range cases {
		if cell.Reader == "author" && slices.Contains(amber, cell.ID) != (cell.Level == tlp.Amber) {
			t.Errorf("/shared?tlp=TLP:AMBER: %s listed %v", cell.Item, slices.Contains(amber, cell.ID))
		}
	}
	if r := w.as(t, "author").get("/shared?tlp=purple"); r.status != http.StatusBadRequest || fieldError(t, r.body, "sf-tlp") == "" {
		t.Errorf("/shared?tlp=purple: status %d, field error %q; want 400 on the level", r.status, fieldError(t, r.body, "sf-tlp"))
	}
}
