package demo_test

import (
	"context"
	"testing"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/demo"
	"github.com/acd-platform/acd/internal/sharing"
)

func TestLoadSharing(t *testing.T) {
	ctx := context.Background()
	s := demoServer(t, nil)
	for range 2 { // the second load adds nothing
		if err := demo.LoadSharing(ctx, s.Auth, s.Sharing); err != nil {
			t.Fatal(err)
		}
	}
	as := func(username string) *auth.Principal {
		t.Helper()
		u, err := s.Auth.UserByUsername(ctx, username)
		if err != nil {
			t.Fatal(err)
		}
		o, err := s.Auth.Org(ctx, u.OrgID)
		if err != nil {
			t.Fatal(err)
		}
		return &auth.Principal{UserID: u.ID, Username: u.Username, OrgID: o.ID, OrgKind: o.Kind, Sectors: o.Sectors, Roles: u.Roles, Via: auth.ViaCLI}
	}
	all, err := s.Sharing.Advisories(ctx, as("analyst"), sharing.AdvisoryFilter{})
	if err != nil || len(all) != 3 {
		t.Fatalf("advisories: %d, %v; want 3", len(all), err)
	}
	states := map[sharing.State]int{}
	for _, a := range all {
		states[a.State]++
	}
	if states[sharing.StatePublished] != 2 || states[sharing.StateInReview] != 1 {
		t.Errorf("states %v; want two published, one in review", states)
	}
	alerts, err := s.Sharing.PublicAlerts(ctx, 10)
	if err != nil || len(alerts) != 1 {
		t.Errorf("public alerts: %d, %v; want the CLEAR advisory", len(alerts), err)
	}
	// The AMBER advisory reaches Kanto Electric (in the ISAC group, with
	// clearance) and not Sakura Bank (a member, outside the group).
	for user, want := range map[string]int{"operator": 2, "operator-bank": 1} {
		items, err := s.Sharing.SharedItems(ctx, as(user), sharing.SharedFilter{})
		if err != nil || len(items) != want {
			t.Errorf("%s sees %d shared items, %v; want %d", user, len(items), err, want)
		}
	}
}
