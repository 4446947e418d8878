package blocklist_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/blocklist"
)

func TestSubscribers(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		isp := e.p.Org(t, auth.NewOrg{Name: "Kanto ISP", Kind: auth.OrgOperator, Sectors: []string{"telecommunications"}})
		tok, sub, err := e.svc.CreateSubscriber(e.ctx, e.analyst, blocklist.SubscriberInput{Name: "Kanto ISP resolvers", Contact: "noc@isp.example.jp", OrgID: isp.ID})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(tok, blocklist.FeedTokenPrefix) || len(tok) != len(blocklist.FeedTokenPrefix)+43 {
			t.Errorf("got token of %d characters %q…, want %s and 43 characters", len(tok), tok[:min(len(tok), 10)], blocklist.FeedTokenPrefix)
		}
		want := blocklist.Subscriber{ID: sub.ID, Name: "Kanto ISP resolvers", Contact: "noc@isp.example.jp", OrgID: isp.ID,
			Formats: blocklist.AllFormats(), CreatedBy: "analyst", CreatedAt: t0}
		if diff := cmp.Diff(want, sub); diff != "" {
			t.Errorf("subscriber (-want +got):\n%s", diff)
		}

		p, err := e.svc.ResolveFeedToken(e.ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(&auth.Principal{Subscriber: sub.ID, Via: auth.ViaToken}, p); diff != "" {
			t.Errorf("principal (-want +got):\n%s", diff)
		}
		// The altered token differs from the real one in its last character
		// (which may itself be an "A").
		last := "A"
		if strings.HasSuffix(tok, "A") {
			last = "B"
		}
		for _, bad := range []string{"", "acdfeed_short", tok[:len(tok)-1] + last, "acdsensor_" + tok[len(blocklist.FeedTokenPrefix):]} {
			if _, err := e.svc.ResolveFeedToken(e.ctx, bad); !errors.Is(err, auth.ErrUnauthenticated) {
				t.Errorf("token %q: got %v, want ErrUnauthenticated", bad, err)
			}
		}

		// Pulls are counted, not audited.
		e.clock.Advance(time.Hour)
		for range 3 {
			if _, err := e.svc.Feed(e.ctx, p, blocklist.FormatTXT); err != nil {
				t.Fatal(err)
			}
		}
		list, err := e.svc.Subscribers(e.ctx, e.analyst)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].Pulls != 3 || !list[0].LastPullAt.Equal(t0.Add(time.Hour)) {
			t.Errorf("got %+v, want 3 pulls, the last at %s", list, t0.Add(time.Hour))
		}

		revoked, err := e.svc.RevokeSubscriber(e.ctx, e.analyst, sub.ID, "contract ended")
		if err != nil {
			t.Fatal(err)
		}
		if revoked.RevokedAt.IsZero() || revoked.RevokedBy != "analyst" || revoked.RevokeReason != "contract ended" || revoked.Pulls != 3 {
			t.Errorf("got %+v, want revoked by analyst with its 3 pulls", revoked)
		}
		if _, err := e.svc.ResolveFeedToken(e.ctx, tok); !errors.Is(err, auth.ErrUnauthenticated) || strings.Contains(err.Error(), tok) {
			t.Errorf("revoked token: got %v, want ErrUnauthenticated without the token", err)
		}
		// A principal resolved before the revocation pulls no more.
		_, err = e.svc.Feed(e.ctx, p, blocklist.FormatTXT)
		wantErr(t, err, blocklist.ErrForbidden, "revoked")
		_, err = e.svc.RevokeSubscriber(e.ctx, e.analyst, sub.ID, "again")
		wantErr(t, err, blocklist.ErrConflict, "already revoked")
		e.verify(t)
	})
}

func TestSubscriberRefused(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		tests := []struct {
			name  string
			p     *auth.Principal
			in    blocklist.SubscriberInput
			field string // "" for ErrForbidden
		}{
			{"officer", e.officer, blocklist.SubscriberInput{Name: "n", Contact: "c"}, ""},
			{"commander", e.commander, blocklist.SubscriberInput{Name: "n", Contact: "c"}, ""},
			{"no name", e.analyst, blocklist.SubscriberInput{Contact: "c"}, "name"},
			{"no contact", e.analyst, blocklist.SubscriberInput{Name: "n"}, "contact"},
			{"two-line name", e.analyst, blocklist.SubscriberInput{Name: "a\nb", Contact: "c"}, "name"},
			{"unknown format", e.analyst, blocklist.SubscriberInput{Name: "n", Contact: "c", Formats: []blocklist.Format{"rpz", "csv"}}, "formats[1]"},
			{"format twice", e.analyst, blocklist.SubscriberInput{Name: "n", Contact: "c", Formats: []blocklist.Format{"rpz", "rpz"}}, "formats[1]"},
			{"unknown organisation", e.analyst, blocklist.SubscriberInput{Name: "n", Contact: "c", OrgID: "org_nope"}, "org_id"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, _, err := e.svc.CreateSubscriber(e.ctx, tt.p, tt.in)
				if tt.field == "" {
					wantErr(t, err, blocklist.ErrForbidden, "")
					return
				}
				wantField(t, err, tt.field)
			})
		}
		if _, err := e.svc.Subscribers(e.ctx, e.officer); !errors.Is(err, blocklist.ErrForbidden) {
			t.Errorf("officer listing subscribers: got %v, want ErrForbidden", err)
		}
		_, err := e.svc.RevokeSubscriber(e.ctx, e.analyst, "sub_nope", "x")
		wantErr(t, err, blocklist.ErrNotFound, "sub_nope")
	})
}
