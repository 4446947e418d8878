package web

import (
	"context"
	"net/http"
	"strconv"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/blocklist"
)

// The defensive blocklist's pages (DESIGN.md, pillar 4): /blocklist lists
// the entries, with the form that adds one (analysts and officers) and
// those that remove them, and links to the feeds exactly as subscribers
// get them; /blocklist/subscribers is the Cabinet Office's register of
// the ISPs and operators that pull the feeds, whose feed token is shown
// once at creation. A measure case's page adds the case's targets once it
// has taken a measure.

// registerBlocklist adds the blocklist pages through page, Register's
// helper; it adds none when the site has no blocklist service.
func (s *Site) registerBlocklist(page func(pattern string, action auth.Action, h api.HandlerFunc)) {
	if s.cfg.Blocklist == nil {
		return
	}
	page("GET /blocklist", auth.BlocklistRead, s.blocklist)
	page("POST /blocklist", auth.BlocklistWrite, s.blocklistAdd)
	page("POST /blocklist/{id}/remove", auth.BlocklistWrite, s.blocklistRemove)
	page("GET /blocklist/feeds/{format}", auth.BlocklistRead, s.blocklistFeed)
	page("GET /blocklist/subscribers", auth.BlocklistSubscribers, s.subscribers)
	page("POST /blocklist/subscribers", auth.BlocklistSubscribers, s.subscriberCreate)
	page("POST /blocklist/subscribers/{id}/revoke", auth.BlocklistSubscribers, s.subscriberRevoke)
	if s.cfg.Measures != nil {
		page("POST /measures/{id}/blocklist", auth.BlocklistWrite, s.blocklistAddCase)
	}

	s.links[auth.BlocklistRead] = "/blocklist"
	s.links[auth.BlocklistWrite] = "/blocklist#add"
	s.links[auth.BlocklistSubscribers] = "/blocklist/subscribers"
}

// entryRow is an entry as the list shows it.
type entryRow struct {
	blocklist.Entry
	// CanRemove: the viewer may take it off (an analyst, or an officer of
	// the organisation that added it) and it is active.
	CanRemove bool
}

type blocklistData struct {
	N       names
	Rows    []entryRow
	Active  bool
	CaseRef string
	// CanWrite: the viewer adds entries.
	CanWrite bool
	Formats  []blocklist.Format
	Acts     acts
}

func (s *Site) blocklistPage(w http.ResponseWriter, r *http.Request, status int, a acts, msg ...string) error {
	p := principal(r)
	n, err := s.names(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	d := blocklistData{N: n, Active: q.Get("all") == "", CaseRef: q.Get("case"), CanWrite: s.cfg.Policy.Allow(p, auth.BlocklistWrite),
		Formats: blocklist.AllFormats(), Acts: a}
	es, err := s.cfg.Blocklist.Entries(r.Context(), p, blocklist.Filter{Active: d.Active, CaseRef: d.CaseRef, Limit: blocklist.MaxList})
	if err != nil {
		return msrPageError(err)
	}
	for _, e := range es {
		d.Rows = append(d.Rows, entryRow{Entry: e, CanRemove: d.CanWrite && e.State == blocklist.StateActive &&
			(p.Has(auth.RoleAnalyst) || e.AddedOrg == p.OrgID)})
	}
	if done := q.Get("done"); len(msg) == 0 && done != "" {
		switch done {
		case "added", "removed":
			msg = []string{s.t(r, "blocklist.done."+done)}
		}
	}
	return s.render(w, r, status, "blocklist", "blocklist.title", d, msg...)
}

func (s *Site) blocklist(w http.ResponseWriter, r *http.Request) error {
	return s.blocklistPage(w, r, http.StatusOK, acts{})
}

// blocklistStep runs act for the blocklist's form named form and shows
// the outcome: the list with the done message, or the list again with the
// form as typed and its error.
func (s *Site) blocklistStep(w http.ResponseWriter, r *http.Request, form, done string, act func(ctx context.Context, p *auth.Principal) error) error {
	if err := parseForm(r); err != nil {
		return err
	}
	a := formActs(r, form)
	if err := act(r.Context(), principal(r)); err != nil {
		fail, ok := s.msrFailed(w, r, err, nil)
		if !ok {
			return msrPageError(err)
		}
		a.Err = fail.field
		return s.blocklistPage(w, r, fail.status, a, "", fail.msg)
	}
	http.Redirect(w, r, "/blocklist?done="+done, http.StatusSeeOther)
	return nil
}

func (s *Site) blocklistAdd(w http.ResponseWriter, r *http.Request) error {
	return s.blocklistStep(w, r, "add", "added", func(ctx context.Context, p *auth.Principal) error {
		in := blocklist.EntryInput{Value: trimmed(r, "value"), Reason: trimmed(r, "reason"), CaseRef: trimmed(r, "case_ref")}
		var err error
		if in.ExpiresAt, err = localTime(r, "expires_at", false); err != nil {
			return err
		}
		_, err = s.cfg.Blocklist.Add(ctx, p, in)
		return err
	})
}

func (s *Site) blocklistRemove(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	return s.blocklistStep(w, r, "remove:"+id, "removed", func(ctx context.Context, p *auth.Principal) error {
		_, err := s.cfg.Blocklist.Remove(ctx, p, id, trimmed(r, "reason"))
		return err
	})
}

// feedNames are the file names of the feeds' previews.
var feedNames = map[blocklist.Format]string{blocklist.FormatRPZ: "blocklist.rpz", blocklist.FormatTXT: "blocklist.txt",
	blocklist.FormatSTIX: "blocklist.stix.json"}

// blocklistFeed serves a feed exactly as subscribers get it, as a
// download.
func (s *Site) blocklistFeed(w http.ResponseWriter, r *http.Request) error {
	f := blocklist.Format(r.PathValue("format"))
	name, ok := feedNames[f]
	if !ok {
		return api.NotFound("no such feed format")
	}
	feed, err := s.cfg.Blocklist.Preview(r.Context(), principal(r), f)
	if err != nil {
		return msrPageError(err)
	}
	download(w, feed.ContentType, name)
	w.Header().Set("ETag", feed.ETag)
	w.Header().Set("Last-Modified", feed.LastModified.UTC().Format(http.TimeFormat))
	w.Header().Set("Content-Length", strconv.Itoa(len(feed.Body)))
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(feed.Body)
	return err
}

func (s *Site) blocklistAddCase(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	id := r.PathValue("id")
	a := formActs(r, "blocklist")
	var res blocklist.CaseResult
	expires, err := localTime(r, "expires_at", false)
	if err == nil {
		res, err = s.cfg.Blocklist.AddCase(r.Context(), principal(r), id, trimmed(r, "reason"), expires)
	}
	if err != nil {
		fail, ok := s.msrFailed(w, r, err, nil)
		if !ok {
			return msrPageError(err)
		}
		a.Err = fail.field
		return s.measureCasePage(w, r, fail.status, a, "", fail.msg)
	}
	http.Redirect(w, r, "/measures/"+id+"?done=blocklist&added="+strconv.Itoa(len(res.Added))+"&skipped="+strconv.Itoa(len(res.Skipped))+"#blocklist",
		http.StatusSeeOther)
	return nil
}

type subscribersData struct {
	N    names
	Subs []blocklist.Subscriber
	// Token is the feed token just created, shown this once; Created its
	// subscriber.
	Token   string
	Created *blocklist.Subscriber
	Orgs    []orgChoice
	Formats []blocklist.Format
	Acts    acts
}

func (s *Site) subscribersPage(w http.ResponseWriter, r *http.Request, status int, a acts, token string, created *blocklist.Subscriber, msg ...string) error {
	n, err := s.names(r)
	if err != nil {
		return err
	}
	d := subscribersData{N: n, Token: token, Created: created, Formats: blocklist.AllFormats(), Acts: a}
	if d.Subs, err = s.cfg.Blocklist.Subscribers(r.Context(), principal(r)); err != nil {
		return msrPageError(err)
	}
	if d.Orgs, err = s.orgChoices(r, n, func(o auth.Org) bool { return o.Kind == auth.OrgOperator }); err != nil {
		return err
	}
	if done := r.URL.Query().Get("done"); len(msg) == 0 && done == "revoked" {
		msg = []string{s.t(r, "subscribers.done.revoked")}
	}
	return s.render(w, r, status, "blocklist_subscribers", "subscribers.title", d, msg...)
}

func (s *Site) subscribers(w http.ResponseWriter, r *http.Request) error {
	return s.subscribersPage(w, r, http.StatusOK, acts{}, "", nil)
}

func (s *Site) subscriberCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	a := formActs(r, "create")
	in := blocklist.SubscriberInput{Name: trimmed(r, "name"), Contact: trimmed(r, "contact"), OrgID: trimmed(r, "org_id")}
	for _, f := range r.PostForm["formats"] {
		in.Formats = append(in.Formats, blocklist.Format(f))
	}
	raw, sub, err := s.cfg.Blocklist.CreateSubscriber(r.Context(), principal(r), in)
	if err != nil {
		fail, ok := s.msrFailed(w, r, err, func(f string) (string, string) {
			if _, _, _, ok := splitIndex(f); ok {
				return "formats", ""
			}
			return f, ""
		})
		if !ok {
			return msrPageError(err)
		}
		a.Err = fail.field
		return s.subscribersPage(w, r, fail.status, a, "", nil, "", fail.msg)
	}
	// The token is in this answer only (the router sends no-store), for
	// the analyst to hand to the subscriber.
	return s.subscribersPage(w, r, http.StatusCreated, acts{}, raw, &sub, s.t(r, "subscribers.done.created"))
}

func (s *Site) subscriberRevoke(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	id := r.PathValue("id")
	a := formActs(r, "revoke:"+id)
	if _, err := s.cfg.Blocklist.RevokeSubscriber(r.Context(), principal(r), id, trimmed(r, "reason")); err != nil {
		fail, ok := s.msrFailed(w, r, err, nil)
		if !ok {
			return msrPageError(err)
		}
		a.Err = fail.field
		return s.subscribersPage(w, r, fail.status, a, "", nil, "", fail.msg)
	}
	http.Redirect(w, r, "/blocklist/subscribers?done=revoked", http.StatusSeeOther)
	return nil
}
